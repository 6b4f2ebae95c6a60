//! The scheduler's step: what fell due is claimed, each follow-up once across restarts
//! and PCs, before it is announced. A backlog (a PC that was off over a weekend) is claimed
//! in a few statements and announced as one, with the count by kind.

use std::collections::BTreeMap;

use chrono::{DateTime, Utc};
use kefu_core::agenda::Kind;
use kefu_core::followups::{ChaseStep, Rules};
use serde::Serialize;

use super::owned_by;
use super::plan::replan_stored;
use super::{FollowUp, FollowUpRow};
use sqlx::AnyConnection;

use crate::{Db, Result};

/// Follow-ups other than chases shown one by one at most; the rest are counted.
const SHOWN: usize = 5;
/// Chases claimed per read (each in its own transaction: it records the chase and plans
/// the buyer's next ones).
const CHASES_PER_READ: i64 = 500;

/// What one step claimed.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize)]
pub struct Fired {
    /// Every chase claimed, and the first few of the other follow-ups.
    pub shown: Vec<FollowUp>,
    /// Every follow-up claimed, by kind.
    pub by_kind: BTreeMap<Kind, u64>,
}

impl Fired {
    pub fn total(&self) -> u64 {
        self.by_kind.values().sum()
    }

    pub fn is_empty(&self) -> bool {
        self.by_kind.is_empty()
    }
}

impl Db {
    /// The scheduler's step: claims what fell due by `now` and was not yet announced, and
    /// says when the next one falls due. With `owner`, only that agent's follow-ups and
    /// those nobody owns (each PC announces its own agent's: on a team database the step of
    /// whichever PC ran first would otherwise take a colleague's, who is never told); the
    /// same follow-ups as the agent's agenda lists. A follow-up is claimed (marked announced) before
    /// it is returned, so it is announced once, across restarts and PCs sharing the
    /// database; a crash after the claim loses only the notification, never the follow-up,
    /// which stays on the agenda.
    pub async fn run_due(
        &self,
        now: DateTime<Utc>,
        owner: Option<&str>,
        rules: &Rules,
    ) -> Result<(Fired, Option<DateTime<Utc>>)> {
        let t = now.timestamp();
        // Expired before it could be announced (the app was off): nothing to say, but it is
        // marked so that the step does not look at it again.
        sqlx::query(
            "UPDATE followups SET announced_at = $1 WHERE done_at IS NULL AND announced_at IS NULL
             AND wake_at <= $1 AND expires_at IS NOT NULL AND expires_at <= $1",
        )
        .bind(t)
        .execute(&self.pool)
        .await?;
        let mut fired = Fired::default();
        // Reminders for the agent, with nothing to record: all claimed in one statement.
        let mut others: Vec<(i64, String)> = sqlx::query_as(&format!(
            "UPDATE followups SET announced_at = $1 WHERE done_at IS NULL AND announced_at IS NULL
             AND wake_at <= $1 AND kind <> 'chase' {} RETURNING id, kind",
            owned_by(owner, "$2")
        ))
        .bind(t)
        .bind(owner.unwrap_or_default())
        .fetch_all(&self.pool)
        .await?;
        others.sort();
        for (i, (id, kind)) in others.iter().enumerate() {
            let f = if i < SHOWN {
                let f = self.follow_up(*id, now).await?;
                let kind = f.kind;
                fired.shown.push(f);
                kind
            } else {
                Kind::parse(kind)
                    .map_err(|_| crate::Error::Corrupt(format!("followups.kind = {kind}")))?
            };
            *fired.by_kind.entry(f).or_default() += 1;
        }
        loop {
            let claimed = self.claim_chases(now, owner, rules).await?;
            let last = (claimed.len() as i64) < CHASES_PER_READ;
            for c in claimed {
                *fired.by_kind.entry(Kind::Chase).or_default() += 1;
                fired.shown.push(c);
            }
            if last {
                break;
            }
        }
        Ok((fired, self.next_wake(owner).await?))
    }

    /// Claims due chases, each in its own transaction: the chase counts as sent when the
    /// agent is tapped, and it covers the buyer's other steps near it and counts towards the
    /// daily limit, so the buyer's chases are planned again.
    async fn claim_chases(
        &self,
        now: DateTime<Utc>,
        owner: Option<&str>,
        rules: &Rules,
    ) -> Result<Vec<FollowUp>> {
        let t = now.timestamp();
        let rows: Vec<FollowUpRow> = sqlx::query_as(&format!(
            "SELECT * FROM followups WHERE done_at IS NULL AND announced_at IS NULL
             AND wake_at <= $1 AND kind = 'chase' {} ORDER BY wake_at LIMIT $3",
            owned_by(owner, "$2")
        ))
        .bind(t)
        .bind(owner.unwrap_or_default())
        .bind(CHASES_PER_READ)
        .fetch_all(&self.pool)
        .await?;
        let mut fired = Vec::new();
        for row in rows {
            let mut tx = self.pool.begin().await?;
            if !claim(&mut tx, row.id, t).await? {
                tx.commit().await?;
                continue;
            }
            let f = row.into_follow_up(now)?;
            sqlx::query(
                "INSERT INTO chases (buyer_nick, due_at, step, orders, announced_at)
                 VALUES ($1, $2, $3, $4, $5) ON CONFLICT (buyer_nick, due_at) DO NOTHING",
            )
            .bind(&f.nick)
            // Sent now: it covers the steps that fell due while the app was closed.
            .bind(t)
            .bind(f.step.map_or("first", ChaseStep::code))
            .bind(f.orders.join(","))
            .bind(t)
            .execute(&mut *tx)
            .await?;
            replan_stored(&mut tx, &[f.nick.as_str()], rules, now).await?;
            tx.commit().await?;
            fired.push(f);
        }
        Ok(fired)
    }
}

/// Marks chase `id` announced at `t` if it is still due then: open, not yet announced and
/// awake. A snooze or a done landing between the step's read and this claim leaves it
/// unclaimed (claimed anyway, the snooze would be swallowed: announced now, never at its end).
async fn claim(conn: &mut AnyConnection, id: i64, t: i64) -> Result<bool> {
    Ok(sqlx::query(
        "UPDATE followups SET announced_at = $1
         WHERE id = $2 AND announced_at IS NULL AND done_at IS NULL AND wake_at <= $1",
    )
    .bind(t)
    .bind(id)
    .execute(conn)
    .await?
    .rows_affected()
        == 1)
}

#[cfg(test)]
mod tests {
    use crate::testing::{buyer, fresh, now};

    use super::*;

    /// A chase read as due and then snoozed or done (by the agent, on another PC) before
    /// the claim is not claimed: the snooze keeps its new time, the done stays done.
    #[tokio::test]
    async fn a_claim_rechecks_that_the_chase_is_still_due() {
        let (_dir, db) = fresh().await;
        let t = now().timestamp();
        buyer(&db, "买家").await;
        let mut ids = Vec::new();
        for key in ["snoozed", "done", "due"] {
            let id: i64 = sqlx::query_scalar(
                "INSERT INTO followups (buyer_nick, key, kind, due_at, wake_at)
                 VALUES ('买家', $1, 'chase', $2, $2) RETURNING id",
            )
            .bind(key)
            .bind(t - 60)
            .fetch_one(&db.pool)
            .await
            .unwrap();
            ids.push(id);
        }
        db.snooze(
            ids[0],
            kefu_core::agenda::Snooze::parse("1h").unwrap(),
            now(),
            None,
        )
        .await
        .unwrap();
        db.done(ids[1], "小美", now(), None).await.unwrap();
        let mut conn = db.pool.acquire().await.unwrap();
        let claimed = [
            claim(&mut conn, ids[0], t).await.unwrap(),
            claim(&mut conn, ids[1], t).await.unwrap(),
            claim(&mut conn, ids[2], t).await.unwrap(),
            claim(&mut conn, ids[2], t).await.unwrap(),
        ];
        assert_eq!(claimed, [false, false, true, false]);
        // An hour on, the snoozed one is due again and claimed then.
        assert!(claim(&mut conn, ids[0], t + 3600).await.unwrap());
    }

    /// Each PC announces its own agent's follow-ups and nobody's; a colleague's wait for
    /// the colleague's PC, and do not bring this PC's next step forward.
    #[tokio::test]
    async fn each_pc_announces_its_own_agents_follow_ups_and_nobodys() {
        let (_dir, db) = fresh().await;
        let t = now().timestamp();
        for nick in ["买家甲", "买家乙", "买家丙"] {
            buyer(&db, nick).await;
        }
        // Promised answers (by hand) stay as they are when a claimed chase re-plans its
        // buyer; each agent's buyers are its own.
        for (nick, key, kind, owner, wake) in [
            ("买家甲", "a", "promised_answer", "小美", t - 60),
            ("买家甲", "b", "chase", "小美", t - 120),
            ("买家丙", "c", "promised_answer", "", t - 30),
            ("买家乙", "d", "promised_answer", "小王", t - 600),
            ("买家乙", "e", "chase", "小王", t - 600),
            ("买家乙", "f", "promised_answer", "小王", t + 60),
            ("买家甲", "g", "promised_answer", "小美", t + 3600),
        ] {
            sqlx::query(
                "INSERT INTO followups (buyer_nick, key, kind, owner, due_at, wake_at)
                 VALUES ($5, $1, $2, $3, $4, $4)",
            )
            .bind(key)
            .bind(kind)
            .bind(owner)
            .bind(wake)
            .bind(nick)
            .execute(&db.pool)
            .await
            .unwrap();
        }
        let rules = Rules::default();
        let (fired, next) = db.run_due(now(), Some("小美"), &rules).await.unwrap();
        let mut owners: Vec<&str> = fired.shown.iter().map(|f| f.owner.as_str()).collect();
        owners.sort();
        assert_eq!(owners, ["", "小美", "小美"]);
        // The SQL says whose a follow-up is as the core does for acting on one.
        let xiaomei = kefu_core::team::Agent {
            id: 1,
            name: "小美".into(),
            role: kefu_core::team::Role::Agent,
            state: kefu_core::team::AgentState::Online,
            in_routing: true,
            max_load: 8,
            weight: 1,
            load: 0,
            idle_since: now(),
            last_seen: None,
            duty: kefu_core::team::Duty::Unscheduled,
        };
        for owner in ["", "小美", "小王"] {
            let hers = kefu_core::team::check_followup_action(&xiaomei, owner).is_ok();
            assert_eq!(owners.contains(&owner), hers, "owner {owner:?}");
        }
        assert_eq!(
            next.map(|n| n.timestamp()),
            Some(t + 3600),
            "小王's are not 小美's"
        );
        let (fired, next) = db.run_due(now(), Some("小王"), &rules).await.unwrap();
        assert_eq!(fired.total(), 2);
        assert!(fired.shown.iter().all(|f| f.owner == "小王"));
        assert_eq!(next.map(|n| n.timestamp()), Some(t + 60));
    }

    /// A weekend's backlog is claimed in one step, counted by kind, and never again.
    #[tokio::test]
    async fn a_backlog_is_claimed_in_one_step_and_counted_by_kind() {
        let (_dir, db) = fresh().await;
        let t = now().timestamp();
        buyer(&db, "买家").await;
        sqlx::query(
            "WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < 10000)
             INSERT INTO followups (buyer_nick, key, kind, due_at, wake_at, expires_at)
             SELECT '买家', 'k' || i, CASE WHEN i % 10 = 0 THEN 'review_request' ELSE 'delayed_shipment' END,
                    $1 - 86400 * 2 + i, $1 - 86400 * 2 + i,
                    -- A few expired while the PC was off: nothing to say for those.
                    CASE WHEN i <= 7 THEN $1 - 60 ELSE NULL END
             FROM n",
        )
        .bind(t)
        .execute(&db.pool)
        .await
        .unwrap();
        let rules = Rules::default();
        let (fired, _) = db.run_due(now(), None, &rules).await.unwrap();
        assert_eq!(fired.total(), 10_000 - 7);
        assert_eq!(
            fired.by_kind.into_iter().collect::<Vec<_>>(),
            vec![(Kind::ReviewRequest, 1_000), (Kind::DelayedShipment, 8_993)]
        );
        assert_eq!(fired.shown.len(), SHOWN);
        let (again, _) = db.run_due(now(), None, &rules).await.unwrap();
        assert!(again.is_empty(), "each follow-up is announced once");
    }
}
