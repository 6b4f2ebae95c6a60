//! The stored agenda: the lists, the scheduler's step that announces each follow-up once,
//! snooze, done and follow-ups added by hand.

use chrono::{DateTime, Utc};
use kefu_core::agenda::{self, Planned, Snooze};
use kefu_core::followups::Rules;
use kefu_core::{BuyerNick, OrderNo};

use super::owned_by;
use super::plan::{any_rows, replan_stored};
use super::{
    Agenda, AgendaCounts, FollowUp, FollowUpRow, OVERDUE_AFTER_MINUTES, SHOP_TIME, UPCOMING_HOURS,
};
use crate::rows::at as time;
use crate::{Db, Error, Result};

/// The owner condition of `snooze` and `done`: none, or the owner bound at `$3`.
const OWNER_IS_3: &str = "($3 IS NULL OR owner = $3)";

/// A follow-up on one of the agenda's lists: live at $1, of `owner` $2 (and unowned; every
/// owner's with `None`, as `owned_by` says, the one statement of whose a follow-up is),
/// needing the agent in ($3, $4].
fn woken(owner: Option<&str>) -> String {
    format!(
        "done_at IS NULL AND (expires_at IS NULL OR expires_at > $1) {}
         AND wake_at > $3 AND wake_at <= $4",
        owned_by(owner, "$2")
    )
}

impl Db {
    /// Plans every buyer's agenda once, for a database that had orders before the agenda
    /// existed.
    pub async fn plan_if_needed(&self, rules: &Rules, now: DateTime<Utc>) -> Result<()> {
        let mut tx = self.pool.begin().await?;
        if !any_rows(&mut tx, "agenda_plan_needed").await? {
            return Ok(());
        }
        let nicks: Vec<String> = sqlx::query_scalar("SELECT nick FROM buyers")
            .fetch_all(&mut *tx)
            .await?;
        let nicks: Vec<&str> = nicks.iter().map(String::as_str).collect();
        replan_stored(&mut tx, &nicks, rules, now).await?;
        sqlx::query("DELETE FROM agenda_plan_needed")
            .execute(&mut *tx)
            .await?;
        tx.commit().await?;
        Ok(())
    }

    /// The agenda at `now` of `owner` (follow-ups without an owner belong to whoever is
    /// signed in); `None` lists everyone's. Each list holds at most `limit`.
    pub async fn agenda(
        &self,
        now: DateTime<Utc>,
        owner: Option<&str>,
        limit: i64,
    ) -> Result<Agenda> {
        let t = now.timestamp();
        let limit = limit.clamp(1, 10_000);
        let grace = OVERDUE_AFTER_MINUTES * 60;
        let lists = [
            (i64::MIN, t - grace),
            (t - grace, t),
            (t, t + UPCOMING_HOURS * 3600),
        ];
        let mut pages = Vec::with_capacity(3);
        let mut counts = [0; 3];
        for (i, (after, until)) in lists.into_iter().enumerate() {
            let rows = self.woken(now, owner, after, until, limit).await?;
            // A page that is not full holds the whole list; only a full one needs counting.
            counts[i] = if (rows.len() as i64) < limit {
                rows.len() as i64
            } else {
                self.woken_count(now, owner, after, until).await?
            };
            let page = rows
                .into_iter()
                .map(|r| r.into_follow_up(now))
                .collect::<Result<Vec<_>>>()?;
            pages.push(page);
        }
        let [overdue, due, upcoming]: [Vec<FollowUp>; 3] = pages
            .try_into()
            .map_err(|_| crate::Error::Corrupt("agenda lists".into()))?;
        let mut a = Agenda {
            at: Some(now),
            overdue,
            due,
            upcoming,
            counts: AgendaCounts {
                overdue: counts[0],
                due: counts[1],
                upcoming: counts[2],
            },
        };
        let urgent = |f: &FollowUp| agenda::most_urgent_first(f.kind, f.expires_at, f.due_at);
        a.overdue.sort_by_key(urgent);
        a.due.sort_by_key(urgent);
        Ok(a)
    }

    /// How many follow-ups each of the agenda's lists holds at `now`, without reading any:
    /// the sidebar's badge while the agenda itself is not on screen. The same lists as
    /// `agenda`, counted in one pass.
    pub async fn agenda_counts(
        &self,
        now: DateTime<Utc>,
        owner: Option<&str>,
    ) -> Result<AgendaCounts> {
        let t = now.timestamp();
        let overdue_until = t - OVERDUE_AFTER_MINUTES * 60;
        let (overdue, due, upcoming): (i64, i64, i64) = sqlx::query_as(&format!(
            "SELECT COUNT(CASE WHEN wake_at <= $5 THEN 1 END),
                    COUNT(CASE WHEN wake_at > $5 AND wake_at <= $6 THEN 1 END),
                    COUNT(CASE WHEN wake_at > $6 THEN 1 END)
             FROM followups WHERE {}",
            woken(owner)
        ))
        .bind(t)
        .bind(owner.unwrap_or_default())
        .bind(i64::MIN)
        .bind(t + UPCOMING_HOURS * 3600)
        .bind(overdue_until)
        .bind(t)
        .fetch_one(&self.pool)
        .await?;
        Ok(AgendaCounts {
            overdue,
            due,
            upcoming,
        })
    }

    /// Live follow-ups of `owner` (and unowned ones) that need the agent in (`after`,
    /// `until`], soonest first.
    async fn woken(
        &self,
        now: DateTime<Utc>,
        owner: Option<&str>,
        after: i64,
        until: i64,
        limit: i64,
    ) -> Result<Vec<FollowUpRow>> {
        Ok(sqlx::query_as(&format!(
            "SELECT * FROM followups WHERE {} ORDER BY wake_at LIMIT $5",
            woken(owner)
        ))
        .bind(now.timestamp())
        .bind(owner.unwrap_or_default())
        .bind(after)
        .bind(until)
        .bind(limit)
        .fetch_all(&self.pool)
        .await?)
    }

    /// How many `woken` would list without a limit.
    async fn woken_count(
        &self,
        now: DateTime<Utc>,
        owner: Option<&str>,
        after: i64,
        until: i64,
    ) -> Result<i64> {
        Ok(sqlx::query_scalar(&format!(
            "SELECT COUNT(*) FROM followups WHERE {}",
            woken(owner)
        ))
        .bind(now.timestamp())
        .bind(owner.unwrap_or_default())
        .bind(after)
        .bind(until)
        .fetch_one(&self.pool)
        .await?)
    }

    /// Open follow-ups due by `now`, of everyone: for the tray's count.
    pub async fn due_count(&self, now: DateTime<Utc>) -> Result<i64> {
        let n: i64 = sqlx::query_scalar(
            "SELECT COUNT(*) FROM followups WHERE done_at IS NULL AND wake_at <= $1
             AND (expires_at IS NULL OR expires_at > $1)",
        )
        .bind(now.timestamp())
        .fetch_one(&self.pool)
        .await?;
        Ok(n)
    }

    /// When the next follow-up not yet announced falls due.
    pub async fn next_wake(&self, owner: Option<&str>) -> Result<Option<DateTime<Utc>>> {
        let t: Option<i64> = sqlx::query_scalar(&format!(
            "SELECT wake_at FROM followups WHERE done_at IS NULL AND announced_at IS NULL
             {} ORDER BY wake_at LIMIT 1",
            owned_by(owner, "$1")
        ))
        .bind(owner.unwrap_or_default())
        .fetch_optional(&self.pool)
        .await?;
        t.map(time).transpose()
    }

    /// Snoozes a follow-up: it leaves the due lists and is announced again at the end.
    /// Snoozes an open follow-up. With `owner`, only while it is still that agent's: the
    /// permission was checked against that owner, and a follow-up handed to someone else
    /// meanwhile (a transfer, the shift's split) is refused rather than acted on.
    pub async fn snooze(
        &self,
        id: i64,
        snooze: Snooze,
        now: DateTime<Utc>,
        owner: Option<&str>,
    ) -> Result<FollowUp> {
        let until = snooze.until(now, SHOP_TIME).timestamp();
        let done = sqlx::query(&format!(
            "UPDATE followups SET snoozed_until = $1, wake_at = $1, announced_at = NULL
             WHERE id = $2 AND done_at IS NULL AND {}",
            OWNER_IS_3
        ))
        .bind(until)
        .bind(id)
        .bind(owner)
        .execute(&self.pool)
        .await?;
        if done.rows_affected() == 0 {
            return Err(self.not_acted_on(id).await);
        }
        self.follow_up(id, now).await
    }

    /// Marks a follow-up done; it stays as history and is never planned again. `owner` as
    /// for `snooze`.
    pub async fn done(
        &self,
        id: i64,
        by: &str,
        now: DateTime<Utc>,
        owner: Option<&str>,
    ) -> Result<FollowUp> {
        let done = sqlx::query(&format!(
            "UPDATE followups SET done_at = $1, done_by = $2
             WHERE id = $4 AND done_at IS NULL AND {}",
            OWNER_IS_3
        ))
        .bind(now.timestamp())
        .bind(by)
        .bind(owner)
        .bind(id)
        .execute(&self.pool)
        .await?;
        if done.rows_affected() == 0 {
            return Err(self.not_acted_on(id).await);
        }
        self.follow_up(id, now).await
    }

    /// Why an update of an open follow-up took no row: it is done or gone, or it changed
    /// hands since it was read.
    async fn not_acted_on(&self, id: i64) -> Error {
        let row: Result<Option<(String, Option<i64>)>, sqlx::Error> =
            sqlx::query_as("SELECT owner, done_at FROM followups WHERE id = $1")
                .bind(id)
                .fetch_optional(&self.pool)
                .await;
        match row {
            Ok(Some((owner, None))) => Error::Conflict(format!(
                "follow-up {id} was handed to {owner} meanwhile; nothing was changed"
            )),
            Ok(_) => Error::NotFound(format!("open follow-up {id}")),
            Err(e) => e.into(),
        }
    }

    /// Adds a follow-up made by hand (`agenda::by_hand`: a promised answer, a refund
    /// request, a returned parcel) for a known buyer.
    pub async fn add_by_hand(
        &self,
        nick: &BuyerNick,
        planned: &Planned,
        note: &str,
        owner: &str,
        now: DateTime<Utc>,
    ) -> Result<FollowUp> {
        let kind = planned.kind;
        let known: Option<i64> = sqlx::query_scalar("SELECT 1 FROM buyers WHERE nick = $1")
            .bind(nick.as_str())
            .fetch_optional(&self.pool)
            .await?;
        if known.is_none() {
            return Err(Error::NotFound(format!("buyer {nick}")));
        }
        for no in &planned.orders {
            let theirs: Option<i64> =
                sqlx::query_scalar("SELECT 1 FROM orders WHERE order_no = $1 AND buyer_nick = $2")
                    .bind(no.as_str())
                    .bind(nick.as_str())
                    .fetch_optional(&self.pool)
                    .await?;
            if theirs.is_none() {
                return Err(Error::NotFound(format!("order {no} of buyer {nick}")));
            }
        }
        let orders: Vec<&str> = planned.orders.iter().map(OrderNo::as_str).collect();
        let id: i64 = sqlx::query_scalar(
            "INSERT INTO followups (buyer_nick, key, kind, orders, due_at, expires_at, wake_at, owner, note)
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9) RETURNING id",
        )
        .bind(nick.as_str())
        .bind(&planned.key)
        .bind(kind.code())
        .bind(orders.join(","))
        .bind(planned.due_at.timestamp())
        .bind(planned.expires_at.map(|t| t.timestamp()))
        .bind(planned.due_at.timestamp())
        .bind(owner)
        .bind(note)
        .fetch_one(&self.pool)
        .await?;
        self.follow_up(id, now).await
    }

    pub async fn follow_up(&self, id: i64, now: DateTime<Utc>) -> Result<FollowUp> {
        let row: Option<FollowUpRow> = sqlx::query_as("SELECT * FROM followups WHERE id = $1")
            .bind(id)
            .fetch_optional(&self.pool)
            .await?;
        row.ok_or_else(|| Error::NotFound(format!("follow-up {id}")))?
            .into_follow_up(now)
    }

    /// The open follow-ups of one buyer, soonest first: for the buyer panel.
    pub async fn follow_ups_of(
        &self,
        nick: &BuyerNick,
        now: DateTime<Utc>,
    ) -> Result<Vec<FollowUp>> {
        let rows: Vec<FollowUpRow> = sqlx::query_as(
            "SELECT * FROM followups WHERE buyer_nick = $1 AND done_at IS NULL
             AND (expires_at IS NULL OR expires_at > $2) ORDER BY wake_at",
        )
        .bind(nick.as_str())
        .bind(now.timestamp())
        .fetch_all(&self.pool)
        .await?;
        rows.into_iter().map(|r| r.into_follow_up(now)).collect()
    }
}

#[cfg(test)]
mod tests {
    use chrono::Duration;

    use super::*;
    use crate::testing::{buyer, fresh, now};

    /// The lists stop at a page; the counts (the sidebar's badge, the tray) count them all.
    #[tokio::test]
    async fn counts_are_counted_not_the_length_of_a_page() {
        let (_dir, db) = fresh().await;
        let t = now().timestamp();
        buyer(&db, "买家").await;
        // 100,000 delayed-shipment reminders due a minute ago, 3 overdue ones and 2 due in
        // two hours.
        sqlx::query(
            "WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < 100005)
             INSERT INTO followups (buyer_nick, key, kind, due_at, wake_at)
             SELECT '买家', 'k' || i, 'delayed_shipment', w, w
             FROM (SELECT i, CASE WHEN i > 100003 THEN $1 + 7200
                                  WHEN i > 100000 THEN $1 - 7200 ELSE $1 - 60 END AS w
                   FROM n) AS planned",
        )
        .bind(t)
        .execute(&db.pool)
        .await
        .unwrap();
        let a = db.agenda(now(), Some("小美"), 500).await.unwrap();
        assert_eq!((a.due.len(), a.overdue.len()), (500, 3));
        assert_eq!(
            (a.counts.due, a.counts.overdue, a.counts.upcoming),
            (100_000, 3, 2)
        );
        assert_eq!(db.due_count(now()).await.unwrap(), 100_003);
        // Counted without the lists, the same.
        let counted = db.agenda_counts(now(), Some("小美")).await.unwrap();
        assert_eq!(counted, a.counts);
        // Half an hour on, the 100,000 are overdue too.
        let later = db
            .agenda(now() + Duration::minutes(30), None, 500)
            .await
            .unwrap();
        assert_eq!((later.counts.overdue, later.counts.due), (100_003, 0));
        let counted = db
            .agenda_counts(now() + Duration::minutes(30), None)
            .await
            .unwrap();
        assert_eq!(counted, later.counts);
    }

    /// Snooze and done take a follow-up only while its owner is the one the permission was
    /// checked against: handed on meanwhile, it is refused, and nothing changes.
    #[tokio::test]
    async fn a_follow_up_handed_on_meanwhile_is_not_acted_on() {
        let (_dir, db) = fresh().await;
        buyer(&db, "买家").await;
        let id: i64 = sqlx::query_scalar(
            "INSERT INTO followups (buyer_nick, key, kind, due_at, wake_at, owner)
             VALUES ('买家', 'k', 'delayed_shipment', $1, $1, '小帅') RETURNING id",
        )
        .bind(now().timestamp() - 60)
        .fetch_one(&db.pool)
        .await
        .unwrap();
        let hour = Snooze::parse("1h").unwrap();
        // 小美 was allowed on it while it was hers; it is 小帅's now.
        let err = db.snooze(id, hour, now(), Some("小美")).await.unwrap_err();
        assert!(
            matches!(&err, Error::Conflict(m) if m.contains("小帅")),
            "{err}"
        );
        let err = db.done(id, "小美", now(), Some("小美")).await.unwrap_err();
        assert!(matches!(err, Error::Conflict(_)), "{err}");
        let f = db.follow_up(id, now()).await.unwrap();
        assert_eq!((f.snoozed_until, f.owner.as_str()), (None, "小帅"));
        // Checked against its owner, or with no account on the PC, it takes.
        let f = db.snooze(id, hour, now(), Some("小帅")).await.unwrap();
        assert!(f.snoozed_until.is_some());
        db.done(id, "小帅", now(), None).await.unwrap();
        let err = db.done(id, "小帅", now(), None).await.unwrap_err();
        assert!(matches!(err, Error::NotFound(_)), "done once: {err}");
    }
}
