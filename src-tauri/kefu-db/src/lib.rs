//! Kefu Desk storage: orders, buyers and their groups on sqlx.
//!
//! SQLite embedded is the default. Queries are built at run time (`query_as` + `bind`) with
//! row wrapper types, so sqlx stays out of the domain crate and no database is needed to
//! compile.

mod error;
mod rows;

use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};
use std::str::FromStr;
use std::time::Duration;

use chrono::{DateTime, Utc};
use kefu_core::followups::{auto_close_at, Chase, Rules};
use kefu_core::{group_of, BuyerNick, Group, Order, OrderItem, OrderNo, OrderStatus};
use serde::Serialize;
use sqlx::sqlite::{SqliteConnectOptions, SqliteJournalMode, SqlitePoolOptions, SqliteSynchronous};
use sqlx::{QueryBuilder, Sqlite, SqlitePool};

pub use error::{Error, Result};
use rows::{BuyerRowDb, OrderRowDb};

/// How a database is named in settings, the environment and on the command line: a
/// `sqlite:` URL or a plain file path.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct DbUrl(String);

impl DbUrl {
    pub fn parse(raw: &str) -> Result<DbUrl> {
        let s = raw.trim();
        if s.is_empty() {
            return Err(Error::BadUrl(raw.to_owned(), "empty"));
        }
        if s.starts_with("postgres://") || s.starts_with("postgresql://") {
            return Err(Error::BadUrl(
                raw.to_owned(),
                "PostgreSQL team databases are not supported by this build yet",
            ));
        }
        if s.contains("://") && !s.starts_with("sqlite:") {
            return Err(Error::BadUrl(
                raw.to_owned(),
                "expected a sqlite: URL or a file path",
            ));
        }
        Ok(DbUrl(s.to_owned()))
    }

    pub fn from_path(path: &Path) -> DbUrl {
        DbUrl(path.display().to_string())
    }

    fn sqlite_path(&self) -> PathBuf {
        let s = self
            .0
            .strip_prefix("sqlite://")
            .or_else(|| self.0.strip_prefix("sqlite:"))
            .unwrap_or(&self.0);
        PathBuf::from(s.split('?').next().unwrap_or(s))
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

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
    pub orders: Vec<Order>,
}

/// What applying a batch of orders did.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize)]
pub struct Applied {
    pub new: u64,
    pub updated: u64,
    pub unchanged: u64,
    pub items: u64,
    pub items_skipped: u64,
}

#[derive(Clone, Debug)]
pub struct Db {
    pool: SqlitePool,
    url: DbUrl,
}

impl Db {
    /// Opens (creating if needed) the database and brings its schema up to date.
    pub async fn open(url: &DbUrl) -> Result<Db> {
        let path = url.sqlite_path();
        if let Some(dir) = path.parent().filter(|d| !d.as_os_str().is_empty()) {
            std::fs::create_dir_all(dir)
                .map_err(|e| Error::Open(path.display().to_string(), e.to_string()))?;
        }
        let options = SqliteConnectOptions::from_str(&format!("sqlite://{}", path.display()))
            .map_err(|e| Error::Open(path.display().to_string(), e.to_string()))?
            .create_if_missing(true)
            .journal_mode(SqliteJournalMode::Wal)
            .synchronous(SqliteSynchronous::Normal)
            .foreign_keys(true)
            .busy_timeout(Duration::from_secs(5));
        let pool = SqlitePoolOptions::new()
            .max_connections(4)
            .connect_with(options)
            .await
            .map_err(|e| Error::Open(path.display().to_string(), e.to_string()))?;
        sqlx::migrate!("./migrations/sqlite")
            .run(&pool)
            .await
            .map_err(|e| Error::Migrate(e.to_string()))?;
        Ok(Db {
            pool,
            url: url.clone(),
        })
    }

    pub fn url(&self) -> &DbUrl {
        &self.url
    }

    pub async fn is_empty(&self) -> Result<bool> {
        let n: i64 = sqlx::query_scalar("SELECT COUNT(*) FROM (SELECT 1 FROM buyers LIMIT 1)")
            .fetch_one(&self.pool)
            .await?;
        Ok(n == 0)
    }

    /// Applies orders read from an export (or made by the demo) in one transaction: new
    /// orders are added, known ones merged by the core's rules (status never moves
    /// backwards), and the group of every buyer touched is derived again.
    pub async fn apply_orders(
        &self,
        orders: &[Order],
        rules: &Rules,
        now: DateTime<Utc>,
    ) -> Result<Applied> {
        self.apply(orders, &[], rules, now, |_, _| true).await
    }

    /// As `apply_orders`, with the export's items, reporting progress as (done, total)
    /// orders. Returning `false` from `progress` cancels: the transaction is rolled back and
    /// nothing is written. Items of orders the database does not know are skipped and
    /// counted, since the items file is often imported on its own after the orders.
    pub async fn apply(
        &self,
        orders: &[Order],
        items: &[OrderItem],
        rules: &Rules,
        now: DateTime<Utc>,
        mut progress: impl FnMut(u64, u64) -> bool,
    ) -> Result<Applied> {
        let mut tx = self.pool.begin().await?;
        let mut applied = Applied::default();
        let mut touched = BTreeSet::new();
        // Later rows of the same batch merge into earlier ones, as a second import would.
        let mut batch: BTreeMap<&str, Order> = BTreeMap::new();
        for o in orders {
            match batch.get_mut(o.no.as_str()) {
                Some(prev) => prev.merge(o),
                None => {
                    batch.insert(o.no.as_str(), o.clone());
                }
            }
        }
        let keys: Vec<&str> = batch.keys().copied().collect();
        let mut existing: BTreeMap<String, Order> = BTreeMap::new();
        for chunk in keys.chunks(500) {
            let mut q = QueryBuilder::<Sqlite>::new("SELECT * FROM orders WHERE order_no IN (");
            let mut sep = q.separated(", ");
            for k in chunk {
                sep.push_bind(*k);
            }
            sep.push_unseparated(")");
            let rows: Vec<OrderRowDb> = q.build_query_as().fetch_all(&mut *tx).await?;
            for r in rows {
                let o = Order::try_from(r)?;
                existing.insert(o.no.as_str().to_owned(), o);
            }
        }
        let stamp = now.timestamp();
        let total = batch.len() as u64;
        for (done, (no, incoming)) in batch.into_iter().enumerate() {
            if done % 2000 == 0 && !progress(done as u64, total) {
                return Err(Error::Cancelled);
            }
            let merged = match existing.remove(no) {
                Some(mut current) => {
                    let before = current.clone();
                    current.merge(&incoming);
                    if current == before {
                        applied.unchanged += 1;
                        continue;
                    }
                    if current.buyer != before.buyer {
                        touched.insert(before.buyer.as_str().to_owned());
                    }
                    applied.updated += 1;
                    current
                }
                None => {
                    applied.new += 1;
                    incoming
                }
            };
            touched.insert(merged.buyer.as_str().to_owned());
            sqlx::query(
                "INSERT INTO buyers (nick, grp, sort_key, first_seen_at) VALUES (?, 0, 0, ?)
                 ON CONFLICT (nick) DO NOTHING",
            )
            .bind(merged.buyer.as_str())
            .bind(stamp)
            .execute(&mut *tx)
            .await?;
            rows::upsert_order(&mut tx, &merged, stamp).await?;
        }
        refresh_buyers(&mut tx, &touched, rules).await?;
        let (stored, skipped) = rows::replace_items(&mut tx, items).await?;
        applied.items = stored;
        applied.items_skipped = skipped;
        if !progress(total, total) {
            return Err(Error::Cancelled);
        }
        tx.commit().await?;
        Ok(applied)
    }

    pub async fn group_counts(&self) -> Result<GroupCounts> {
        let rows: Vec<(i64, i64)> = sqlx::query_as("SELECT grp, COUNT(*) FROM buyers GROUP BY grp")
            .fetch_all(&self.pool)
            .await?;
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
            "SELECT * FROM buyers WHERE grp = ? ORDER BY sort_key, nick LIMIT ? OFFSET ?",
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
                "SELECT b.* FROM buyers b JOIN orders o ON o.buyer_nick = b.nick WHERE o.order_no = ?",
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
            "SELECT * FROM buyers WHERE nick >= ? AND nick < ? ORDER BY nick LIMIT ?",
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

    pub async fn buyer(&self, nick: &BuyerNick) -> Result<BuyerDetail> {
        let row: Option<BuyerRowDb> = sqlx::query_as("SELECT * FROM buyers WHERE nick = ?")
            .bind(nick.as_str())
            .fetch_optional(&self.pool)
            .await?;
        let row = row.ok_or_else(|| Error::NotFound(format!("buyer {nick}")))?;
        let orders: Vec<OrderRowDb> =
            sqlx::query_as("SELECT * FROM orders WHERE buyer_nick = ? ORDER BY created_at DESC")
                .bind(nick.as_str())
                .fetch_all(&self.pool)
                .await?;
        rows::buyer_detail(row, orders)
    }

    pub async fn orders_with_status(&self, status: OrderStatus, limit: i64) -> Result<Vec<Order>> {
        let rows: Vec<OrderRowDb> = sqlx::query_as(
            "SELECT * FROM orders WHERE status = ? ORDER BY created_at, order_no LIMIT ?",
        )
        .bind(status.code())
        .bind(limit.max(0))
        .fetch_all(&self.pool)
        .await?;
        rows.into_iter().map(Order::try_from).collect()
    }

    pub async fn status_counts(&self) -> Result<BTreeMap<OrderStatus, i64>> {
        let rows: Vec<(i64, i64)> =
            sqlx::query_as("SELECT status, COUNT(*) FROM orders GROUP BY status")
                .fetch_all(&self.pool)
                .await?;
        rows.into_iter()
            .map(|(s, n)| {
                OrderStatus::from_code(s)
                    .map(|s| (s, n))
                    .ok_or_else(|| Error::Corrupt(format!("orders.status = {s}")))
            })
            .collect()
    }

    /// The shared note on a buyer, with who wrote it and when.
    pub async fn set_note(
        &self,
        nick: &BuyerNick,
        note: &str,
        by: &str,
        now: DateTime<Utc>,
    ) -> Result<()> {
        self.set_shared(
            "UPDATE buyers SET note = ?, note_by = ?, note_at = ? WHERE nick = ?",
            note.to_owned(),
            nick,
            by,
            now,
        )
        .await
    }

    /// The shared tags on a buyer (blank ones dropped), with who set them and when.
    pub async fn set_tags(
        &self,
        nick: &BuyerNick,
        tags: &[String],
        by: &str,
        now: DateTime<Utc>,
    ) -> Result<()> {
        let cleaned: Vec<&str> = tags
            .iter()
            .map(|t| t.trim())
            .filter(|t| !t.is_empty())
            .collect();
        let json = serde_json::to_string(&cleaned).map_err(|e| Error::Corrupt(e.to_string()))?;
        self.set_shared(
            "UPDATE buyers SET tags = ?, tags_by = ?, tags_at = ? WHERE nick = ?",
            json,
            nick,
            by,
            now,
        )
        .await
    }

    /// Runs one of the fixed updates above: (value, by, at) on a buyer that must exist.
    async fn set_shared(
        &self,
        update: &'static str,
        value: String,
        nick: &BuyerNick,
        by: &str,
        now: DateTime<Utc>,
    ) -> Result<()> {
        let done = sqlx::query(update)
            .bind(value)
            .bind(by)
            .bind(now.timestamp())
            .bind(nick.as_str())
            .execute(&self.pool)
            .await?;
        if done.rows_affected() == 0 {
            return Err(Error::NotFound(format!("buyer {nick}")));
        }
        Ok(())
    }

    /// Buyers with at least one unpaid order: (nick, returning).
    pub async fn unpaid_buyers(&self) -> Result<Vec<(BuyerNick, bool)>> {
        let rows: Vec<(String, bool)> = sqlx::query_as(
            "SELECT nick, is_returning FROM buyers WHERE unpaid_count > 0 ORDER BY next_close_at",
        )
        .fetch_all(&self.pool)
        .await?;
        rows.into_iter()
            .map(|(n, r)| Ok((BuyerNick::parse(&n)?, r)))
            .collect()
    }

    pub async fn orders_of(&self, nick: &BuyerNick) -> Result<Vec<Order>> {
        let rows: Vec<OrderRowDb> =
            sqlx::query_as("SELECT * FROM orders WHERE buyer_nick = ? ORDER BY created_at")
                .bind(nick.as_str())
                .fetch_all(&self.pool)
                .await?;
        rows.into_iter().map(Order::try_from).collect()
    }

    /// When chases to this buyer were due that have been announced.
    pub async fn announced_chases(&self, nick: &BuyerNick) -> Result<Vec<DateTime<Utc>>> {
        let rows: Vec<i64> =
            sqlx::query_scalar("SELECT due_at FROM chases WHERE buyer_nick = ? ORDER BY due_at")
                .bind(nick.as_str())
                .fetch_all(&self.pool)
                .await?;
        Ok(rows
            .into_iter()
            .filter_map(|t| DateTime::from_timestamp(t, 0))
            .collect())
    }

    /// Records chases as announced. Returns false when another process recorded the same
    /// chase first, so that it is announced once.
    pub async fn record_chase(
        &self,
        nick: &BuyerNick,
        chase: &Chase,
        now: DateTime<Utc>,
    ) -> Result<bool> {
        let orders: Vec<&str> = chase.orders.iter().map(OrderNo::as_str).collect();
        let done = sqlx::query(
            "INSERT INTO chases (buyer_nick, due_at, step, orders, announced_at) VALUES (?, ?, ?, ?, ?)
             ON CONFLICT (buyer_nick, due_at) DO NOTHING",
        )
        .bind(nick.as_str())
        .bind(chase.due_at.timestamp())
        .bind(format!("{:?}", chase.step).to_lowercase())
        .bind(orders.join(","))
        .bind(now.timestamp())
        .execute(&self.pool)
        .await?;
        Ok(done.rows_affected() == 1)
    }

    pub async fn close(&self) {
        self.pool.close().await;
    }
}

/// Derives group, urgency and counters again for the buyers whose orders changed.
async fn refresh_buyers(
    tx: &mut sqlx::Transaction<'_, Sqlite>,
    nicks: &BTreeSet<String>,
    rules: &Rules,
) -> Result<()> {
    for nick in nicks {
        let rows: Vec<OrderRowDb> = sqlx::query_as("SELECT * FROM orders WHERE buyer_nick = ?")
            .bind(nick)
            .fetch_all(&mut **tx)
            .await?;
        let orders: Vec<Order> = rows
            .into_iter()
            .map(Order::try_from)
            .collect::<Result<_>>()?;
        let s = standing(&orders, rules);
        sqlx::query(
            "UPDATE buyers SET grp = ?, sort_key = ?, is_returning = ?, order_count = ?, unpaid_count = ?,
                    next_close_at = ?, last_order_at = ? WHERE nick = ?",
        )
        .bind(s.group.code())
        .bind(s.sort_key)
        .bind(s.returning)
        .bind(orders.len() as i64)
        .bind(s.unpaid)
        .bind(s.next_close_at)
        .bind(s.last_order_at)
        .bind(nick)
        .execute(&mut **tx)
        .await?;
    }
    Ok(())
}

struct Standing {
    group: Group,
    sort_key: i64,
    returning: bool,
    unpaid: i64,
    next_close_at: Option<i64>,
    last_order_at: Option<i64>,
}

/// Where a buyer stands, from its orders: the group, and its place in the group list.
fn standing(orders: &[Order], rules: &Rules) -> Standing {
    let group = group_of(orders.iter().map(|o| o.status));
    let next_close_at = orders
        .iter()
        .filter_map(|o| auto_close_at(o, rules))
        .min()
        .map(|t| t.timestamp());
    let last_order_at = orders.iter().map(|o| o.created_at.timestamp()).max();
    let oldest_waiting = orders
        .iter()
        .filter(|o| o.status == OrderStatus::AwaitingShipment)
        .map(|o| o.paid_at.unwrap_or(o.created_at).timestamp())
        .min();
    // Unpaid buyers first by time left; then buyers waiting for shipment, longest waiting
    // first; every other group newest activity first.
    const AFTER_UNPAID: i64 = 1 << 40;
    let sort_key = match (group, next_close_at, oldest_waiting) {
        (Group::Order, Some(close), _) => close,
        (Group::Order, None, Some(paid)) => AFTER_UNPAID + paid,
        _ => -last_order_at.unwrap_or(0),
    };
    Standing {
        group,
        sort_key,
        returning: orders.iter().any(|o| o.status == OrderStatus::TradeSuccess),
        unpaid: orders
            .iter()
            .filter(|o| o.status == OrderStatus::AwaitingPayment)
            .count() as i64,
        next_close_at,
        last_order_at,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use kefu_core::demo::demo_orders;

    fn now() -> DateTime<Utc> {
        DateTime::parse_from_rfc3339("2026-11-22T08:00:00Z")
            .unwrap()
            .with_timezone(&Utc)
    }

    async fn fresh() -> (tempfile::TempDir, Db) {
        let dir = tempfile::tempdir().unwrap();
        let db = Db::open(&DbUrl::from_path(&dir.path().join("desk.db")))
            .await
            .unwrap();
        (dir, db)
    }

    #[tokio::test]
    async fn demo_shop_lands_in_its_groups_and_applying_twice_changes_nothing() {
        let (_dir, db) = fresh().await;
        assert!(db.is_empty().await.unwrap());
        let orders = demo_orders(now());
        let first = db
            .apply_orders(&orders, &Rules::default(), now())
            .await
            .unwrap();
        assert_eq!(first.new, orders.len() as u64);
        assert_eq!(
            db.group_counts().await.unwrap(),
            GroupCounts {
                inquiry: 6,
                order: 20,
                shipped: 12,
                closed: 10
            }
        );
        let again = db
            .apply_orders(&orders, &Rules::default(), now())
            .await
            .unwrap();
        assert_eq!(
            again,
            Applied {
                unchanged: orders.len() as u64,
                ..Applied::default()
            }
        );
    }

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
    async fn an_older_export_never_moves_an_order_back() {
        let (_dir, db) = fresh().await;
        let mut order = demo_orders(now())
            .into_iter()
            .find(|o| o.status == OrderStatus::AwaitingPayment)
            .unwrap();
        let older = order.clone();
        order.status = OrderStatus::Shipped;
        order.tracking_no = "SF123".into();
        db.apply_orders(&[order.clone()], &Rules::default(), now())
            .await
            .unwrap();
        let applied = db
            .apply_orders(&[older], &Rules::default(), now())
            .await
            .unwrap();
        assert_eq!(applied.unchanged, 1);
        let detail = db.buyer(&order.buyer).await.unwrap();
        assert_eq!(detail.orders[0].status, OrderStatus::Shipped);
        assert_eq!(detail.orders[0].tracking_no, "SF123");
        assert_eq!(detail.summary.group, Group::Shipped);
    }

    #[tokio::test]
    async fn notes_tags_and_search() {
        let (_dir, db) = fresh().await;
        let orders = demo_orders(now());
        db.apply_orders(&orders, &Rules::default(), now())
            .await
            .unwrap();
        let nick = orders[0].buyer.clone();
        db.set_note(&nick, "<b>问过大衣</b>", "小美", now())
            .await
            .unwrap();
        db.set_tags(
            &nick,
            &["VIP".into(), " ".into(), "双11".into()],
            "小美",
            now(),
        )
        .await
        .unwrap();
        let d = db.buyer(&nick).await.unwrap();
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
            db.set_note(&missing, "x", "小美", now()).await,
            Err(Error::NotFound(_))
        ));
    }

    #[test]
    fn team_urls_are_refused_plainly_for_now() {
        assert!(DbUrl::parse("postgres://x@localhost/kefu").is_err());
        assert!(DbUrl::parse("mysql://x").is_err());
        assert!(DbUrl::parse("").is_err());
        assert_eq!(
            DbUrl::parse("sqlite:///tmp/a.db?mode=rwc")
                .unwrap()
                .sqlite_path(),
            PathBuf::from("/tmp/a.db")
        );
    }
}
