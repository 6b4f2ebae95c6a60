//! Buyers: the group lists and their counts, search, the buyer panel, shared notes and tags.

use chrono::{DateTime, Utc};
use std::collections::BTreeMap;

use kefu_core::followups::{auto_close_at, Rules};
use kefu_core::{BuyerNick, Group, Order, OrderNo};
use serde::Serialize;
use sqlx::{Any, Transaction};

use crate::rows::{self, BuyerRowDb, OrderRowDb};
use crate::{Backend, Db, Error, Result};

#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize)]
pub struct GroupCounts {
    pub inquiry: i64,
    pub order: i64,
    pub shipped: i64,
    pub closed: i64,
}

/// One row of a group list.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct BuyerSummary {
    pub nick: String,
    pub group: Group,
    pub returning: bool,
    pub order_count: i64,
    pub unpaid_count: i64,
    pub next_close_at: Option<DateTime<Utc>>,
    pub last_order_at: Option<DateTime<Utc>>,
    pub note: String,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct BuyerDetail {
    #[serde(flatten)]
    pub summary: BuyerSummary,
    pub note_by: Option<String>,
    pub note_at: Option<DateTime<Utc>>,
    pub tags: Vec<String>,
    pub tags_by: Option<String>,
    pub tags_at: Option<DateTime<Utc>>,
    /// Counts the saves of note and tags; a save names the version it read.
    pub note_version: i64,
    pub orders: Vec<Order>,
    /// When each unpaid order auto-closes (kefu-core's `auto_close_at`), by order number.
    pub closes_at: BTreeMap<String, DateTime<Utc>>,
}

impl Db {
    pub async fn group_counts(&self) -> Result<GroupCounts> {
        let rows: Vec<(i64, i64)> = match self.backend {
            Backend::Sqlite => {
                sqlx::query_as("SELECT grp, n FROM group_counts")
                    .fetch_all(&self.pool)
                    .await?
            }
            Backend::Postgres => {
                // The totals plus the changes not folded in yet (see the migration).
                sqlx::query("SELECT 1 FROM (SELECT fold_group_counts()) AS folded")
                    .execute(&self.pool)
                    .await?;
                sqlx::query_as(
                    "SELECT grp, n + COALESCE((SELECT SUM(d) FROM group_count_changes c
                                               WHERE c.grp = g.grp), 0)::BIGINT
                     FROM group_counts g",
                )
                .fetch_all(&self.pool)
                .await?
            }
        };
        let mut c = GroupCounts::default();
        for (g, n) in rows {
            match Group::from_code(g) {
                Some(Group::Inquiry) => c.inquiry = n,
                Some(Group::Order) => c.order = n,
                Some(Group::Shipped) => c.shipped = n,
                Some(Group::Closed) => c.closed = n,
                None => return Err(Error::Corrupt(format!("buyers.grp = {g}"))),
            }
        }
        Ok(c)
    }

    /// A page of a group list, in the group's order (the order group most urgent first).
    pub async fn buyers_in_group(
        &self,
        group: Group,
        offset: i64,
        limit: i64,
    ) -> Result<Vec<BuyerSummary>> {
        let rows: Vec<BuyerRowDb> = sqlx::query_as(
            "SELECT * FROM buyers WHERE grp = $1 ORDER BY sort_key, nick LIMIT $2 OFFSET $3",
        )
        .bind(group.code())
        .bind(limit.clamp(0, 1000))
        .bind(offset.max(0))
        .fetch_all(&self.pool)
        .await?;
        rows.into_iter().map(BuyerSummary::try_from).collect()
    }

    /// Buyers whose nick starts with `prefix`, and the buyer of an order whose number is
    /// exactly `query` (as typed: digits).
    pub async fn search(&self, query: &str, limit: i64) -> Result<Vec<BuyerSummary>> {
        let q = query.trim();
        if q.is_empty() {
            return Ok(Vec::new());
        }
        let mut found: Vec<BuyerSummary> = Vec::new();
        if let Ok(no) = OrderNo::parse(q) {
            let rows: Vec<BuyerRowDb> = sqlx::query_as(
                "SELECT b.* FROM buyers b JOIN orders o ON o.buyer_nick = b.nick WHERE o.order_no = $1",
            )
            .bind(no.as_str())
            .fetch_all(&self.pool)
            .await?;
            for r in rows {
                found.push(r.try_into()?);
            }
        }
        // A prefix range on the primary key: `nick >= q AND nick < q || U+10FFFF`.
        let upper = format!("{q}\u{10FFFF}");
        let rows: Vec<BuyerRowDb> = sqlx::query_as(
            "SELECT * FROM buyers WHERE nick >= $1 AND nick < $2 ORDER BY nick LIMIT $3",
        )
        .bind(q)
        .bind(&upper)
        .bind(limit.clamp(0, 200))
        .fetch_all(&self.pool)
        .await?;
        for r in rows {
            let b = BuyerSummary::try_from(r)?;
            if !found.iter().any(|f| f.nick == b.nick) {
                found.push(b);
            }
        }
        Ok(found)
    }

    /// The buyer panel: the buyer, its orders (newest first) and each unpaid order's close
    /// time under `rules`.
    pub async fn buyer(&self, nick: &BuyerNick, rules: &Rules) -> Result<BuyerDetail> {
        let row: Option<BuyerRowDb> = sqlx::query_as("SELECT * FROM buyers WHERE nick = $1")
            .bind(nick.as_str())
            .fetch_optional(&self.pool)
            .await?;
        let row = row.ok_or_else(|| Error::NotFound(format!("buyer {nick}")))?;
        let orders: Vec<OrderRowDb> =
            sqlx::query_as("SELECT * FROM orders WHERE buyer_nick = $1 ORDER BY created_at DESC")
                .bind(nick.as_str())
                .fetch_all(&self.pool)
                .await?;
        let mut detail = rows::buyer_detail(row, orders)?;
        detail.closes_at = detail
            .orders
            .iter()
            .filter_map(|o| Some((o.no.as_str().to_owned(), auto_close_at(o, rules)?)))
            .collect();
        Ok(detail)
    }

    /// Saves a buyer's shared note and tags together (blank tags dropped), each with who
    /// wrote it and when; a part that did not change keeps its author. With `read`, the
    /// save takes only if nobody saved since the agent read version `read`: otherwise
    /// nothing is written and the error is `Conflict`. Returns the new version.
    pub async fn save_note(
        &self,
        nick: &BuyerNick,
        note: &str,
        tags: &[String],
        by: &str,
        now: DateTime<Utc>,
        read: Option<i64>,
    ) -> Result<i64> {
        let cleaned: Vec<&str> = tags
            .iter()
            .map(|t| t.trim())
            .filter(|t| !t.is_empty())
            .collect();
        let tags = serde_json::to_string(&cleaned).map_err(|e| Error::Corrupt(e.to_string()))?;
        // The right-hand sides read the row as it was, so `note = $1` asks whether the note
        // changed. The version condition is in the UPDATE itself: no read-then-write race.
        const SAVE: &str = "UPDATE buyers SET \
                note_by = CASE WHEN note = $1 THEN note_by ELSE $3 END, \
                note_at = CASE WHEN note = $1 THEN note_at ELSE $4 END, \
                tags_by = CASE WHEN tags = $2 THEN tags_by ELSE $3 END, \
                tags_at = CASE WHEN tags = $2 THEN tags_at ELSE $4 END, \
                note = $1, tags = $2, note_version = note_version + 1 \
            WHERE nick = $5";
        let query = match read {
            Some(_) => format!("{SAVE} AND note_version = $6 RETURNING note_version"),
            None => format!("{SAVE} RETURNING note_version"),
        };
        let mut q = sqlx::query_scalar::<_, i64>(&query)
            .bind(note)
            .bind(tags)
            .bind(by)
            .bind(now.timestamp())
            .bind(nick.as_str());
        if let Some(read) = read {
            q = q.bind(read);
        }
        if let Some(version) = q.fetch_optional(&self.pool).await? {
            return Ok(version);
        }
        let now_at: Option<(i64, Option<String>)> =
            sqlx::query_as("SELECT note_version, note_by FROM buyers WHERE nick = $1")
                .bind(nick.as_str())
                .fetch_optional(&self.pool)
                .await?;
        match now_at {
            None => Err(Error::NotFound(format!("buyer {nick}"))),
            Some((version, by)) => Err(Error::Conflict(format!(
                "the note of {nick} was saved by {} after you read it (version {version}); nothing was written",
                by.as_deref().unwrap_or("someone")
            ))),
        }
    }
}

/// The triggers that keep `group_counts` as buyers come and move, a row at a time.
const GROUP_COUNTING: [&str; 2] = ["buyers_counted_in", "buyers_counted_moved"];

/// The group counts' triggers, set aside while a big import writes its buyers (SQLite; DDL
/// is transactional, so a cancel keeps them).
pub(crate) struct CountingAside {
    /// Each trigger's statement, to make it again.
    triggers: Vec<String>,
}

impl CountingAside {
    pub(crate) async fn set(tx: &mut Transaction<'_, Any>) -> Result<CountingAside> {
        let mut triggers = Vec::with_capacity(GROUP_COUNTING.len());
        for name in GROUP_COUNTING {
            let sql: Option<String> = sqlx::query_scalar(
                "SELECT sql FROM sqlite_master WHERE type = 'trigger' AND name = $1",
            )
            .bind(name)
            .fetch_optional(&mut **tx)
            .await?;
            if let Some(sql) = sql {
                sqlx::query(&format!("DROP TRIGGER {name}"))
                    .execute(&mut **tx)
                    .await?;
                triggers.push(sql);
            }
        }
        Ok(CountingAside { triggers })
    }

    /// Counts the groups once, as the migration that made the counts did, and puts the
    /// triggers back.
    pub(crate) async fn count_and_restore(self, tx: &mut Transaction<'_, Any>) -> Result<()> {
        sqlx::query(
            "UPDATE group_counts
             SET n = (SELECT COUNT(*) FROM buyers WHERE buyers.grp = group_counts.grp)",
        )
        .execute(&mut **tx)
        .await?;
        for sql in self.triggers {
            sqlx::query(&sql).execute(&mut **tx).await?;
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use kefu_core::demo::demo_orders;

    use super::*;
    use crate::testing::{fresh, now};

    #[tokio::test]
    async fn order_group_lists_the_most_urgent_unpaid_first() {
        let (_dir, db) = fresh().await;
        db.apply_orders(&demo_orders(now()), &Rules::default(), now())
            .await
            .unwrap();
        let page = db.buyers_in_group(Group::Order, 0, 100).await.unwrap();
        assert_eq!(page.len(), 20);
        let closes: Vec<_> = page.iter().map(|b| b.next_close_at).collect();
        let unpaid: Vec<_> = closes.iter().take_while(|c| c.is_some()).collect();
        assert_eq!(
            unpaid.len(),
            12,
            "the 12 unpaid buyers come before the 8 waiting for shipment"
        );
        assert!(unpaid.windows(2).all(|w| w[0] <= w[1]), "{unpaid:?}");
        assert!(page[0].next_close_at.unwrap() - now() <= chrono::Duration::hours(3));
        assert_eq!(
            db.buyers_in_group(Group::Order, 15, 100)
                .await
                .unwrap()
                .len(),
            5
        );
    }

    #[tokio::test]
    async fn notes_tags_and_search() {
        let (_dir, db) = fresh().await;
        let orders = demo_orders(now());
        db.apply_orders(&orders, &Rules::default(), now())
            .await
            .unwrap();
        let nick = orders[0].buyer.clone();
        db.save_note(
            &nick,
            "<b>问过大衣</b>",
            &["VIP".into(), " ".into(), "双11".into()],
            "小美",
            now(),
            Some(0),
        )
        .await
        .unwrap();
        let d = db.buyer(&nick, &Rules::default()).await.unwrap();
        assert_eq!(d.summary.note, "<b>问过大衣</b>");
        assert_eq!(d.note_by.as_deref(), Some("小美"));
        assert_eq!(d.tags, vec!["VIP".to_string(), "双11".to_string()]);
        let prefix: String = nick.as_str().chars().take(3).collect();
        let hits = db.search(&prefix, 50).await.unwrap();
        assert!(hits.iter().any(|b| b.nick == nick.as_str()));
        assert!(hits.iter().all(|b| b.nick.starts_with(&prefix)));
        let by_no = db.search(orders[0].no.as_str(), 50).await.unwrap();
        assert_eq!(by_no[0].nick, nick.as_str());
        let missing = BuyerNick::parse("nobody").unwrap();
        assert!(matches!(
            db.save_note(&missing, "x", &[], "小美", now(), None).await,
            Err(Error::NotFound(_))
        ));
    }

    /// A PC that read the note earlier cannot overwrite a newer save; the part that did
    /// not change keeps its author.
    #[tokio::test]
    async fn a_note_saved_after_you_read_it_is_a_conflict_not_overwritten() {
        let (_dir, db) = fresh().await;
        let orders = demo_orders(now());
        db.apply_orders(&orders, &Rules::default(), now())
            .await
            .unwrap();
        let nick = orders[0].buyer.clone();
        let read = db
            .buyer(&nick, &Rules::default())
            .await
            .unwrap()
            .note_version;
        let later = now() + chrono::Duration::minutes(5);
        let v = db
            .save_note(
                &nick,
                "要开发票",
                &["VIP".into()],
                "小美",
                now(),
                Some(read),
            )
            .await
            .unwrap();
        assert_eq!(v, read + 1);
        // 小新 read version `read` too, and saves after 小美.
        let err = db
            .save_note(&nick, "发顺丰", &[], "小新", later, Some(read))
            .await
            .unwrap_err();
        assert!(
            matches!(&err, Error::Conflict(m) if m.contains("小美")),
            "{err}"
        );
        let d = db.buyer(&nick, &Rules::default()).await.unwrap();
        assert_eq!(
            (d.summary.note.as_str(), d.tags.clone(), d.note_version),
            ("要开发票", vec!["VIP".to_owned()], v)
        );
        // Saving on top of what was read now takes; the tags did not change, so they keep
        // their author and time.
        db.save_note(&nick, "发顺丰", &["VIP".into()], "小新", later, Some(v))
            .await
            .unwrap();
        let d = db.buyer(&nick, &Rules::default()).await.unwrap();
        assert_eq!(d.summary.note, "发顺丰");
        assert_eq!(
            (d.note_by.as_deref(), d.note_at),
            (Some("小新"), Some(later))
        );
        assert_eq!(
            (d.tags_by.as_deref(), d.tags_at),
            (Some("小美"), Some(now()))
        );
        assert_eq!(d.note_version, v + 1);
    }
}
