//! Kefu Desk storage: orders, buyers and their groups on sqlx.
//!
//! SQLite embedded is the default. Queries are built at run time (`query_as` + `bind`) with
//! row wrapper types, so sqlx stays out of the domain crate and no database is needed to
//! compile.

mod agenda;
mod announce;
mod error;
mod rows;
pub mod scratch;
mod sql;
mod team;

use std::collections::{BTreeMap, BTreeSet, HashMap};
use std::path::{Path, PathBuf};
use std::time::Duration;

use chrono::{DateTime, Utc};
use kefu_core::followups::{auto_close_at, Rules};
use kefu_core::{group_of, BuyerNick, Group, Order, OrderItem, OrderNo, OrderStatus};
use serde::Serialize;
use sqlx::any::AnyPoolOptions;
use sqlx::postgres::{PgListener, PgPoolOptions};
use sqlx::sqlite::SqliteConnectOptions;
use sqlx::{AnyConnection, AnyPool, Connection, Executor};

pub use agenda::{Agenda, FollowUp, OVERDUE_AFTER_MINUTES, SHOP_TIME, UPCOMING_HOURS};
pub use error::{Error, Result};
use rows::{BuyerRowDb, OrderRowDb};
pub use scratch::Scratch;
pub use team::{Conversation, Routed, TeamMember};

/// From this many changed orders on, an import rebuilds the secondary indexes instead of
/// updating them row by row.
const BULK_ORDERS: usize = 50_000;

/// How a database is named in settings, the environment and on the command line: a
/// `sqlite:` URL or a plain file path for this PC's own database, or a `postgres://` URL
/// for a team database that every PC of the shop shares.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct DbUrl(String);

/// Which database a `DbUrl` names.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Backend {
    Sqlite,
    Postgres,
}

impl DbUrl {
    pub fn parse(raw: &str) -> Result<DbUrl> {
        let s = raw.trim();
        if s.is_empty() {
            return Err(Error::BadUrl(raw.to_owned(), "empty"));
        }
        if s.starts_with("postgres://") || s.starts_with("postgresql://") {
            return Ok(DbUrl(s.to_owned()));
        }
        if s.contains("://") && !s.starts_with("sqlite:") {
            return Err(Error::BadUrl(
                raw.to_owned(),
                "expected a postgres:// URL, a sqlite: URL or a file path",
            ));
        }
        Ok(DbUrl(s.to_owned()))
    }

    pub fn from_path(path: &Path) -> DbUrl {
        DbUrl(path.display().to_string())
    }

    pub fn backend(&self) -> Backend {
        if self.0.starts_with("postgres://") || self.0.starts_with("postgresql://") {
            Backend::Postgres
        } else {
            Backend::Sqlite
        }
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

    /// The address without its password, for messages and logs.
    pub fn shown(&self) -> String {
        match self.backend() {
            Backend::Sqlite => self.0.clone(),
            Backend::Postgres => match self.0.split_once("://") {
                Some((scheme, rest)) => match rest.rsplit_once('@') {
                    Some((user, host)) => {
                        let user = user.split(':').next().unwrap_or(user);
                        format!("{scheme}://{user}@{host}")
                    }
                    None => self.0.clone(),
                },
                None => self.0.clone(),
            },
        }
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
    pool: AnyPool,
    url: DbUrl,
    /// What sqlx connects to: for SQLite the file as a URL (with `mode=rwc`).
    connect: String,
    backend: Backend,
    announcer: std::sync::Arc<announce::Announcer>,
    /// On a team database, the connection that claims new buyers (see `team::claim_new_buyer`).
    claimer: std::sync::Arc<tokio::sync::Mutex<Option<(AnyConnection, std::time::Instant)>>>,
}

/// The channel on which a team database announces every commit that changes what the
/// agents see (the PostgreSQL migrations' triggers notify on it).
pub const CHANGES_CHANNEL: &str = "kefu_desk_changes";

/// Notices commits made by other processes and PCs (the command line, a shop script,
/// another agent's PC) and by this one.
pub struct Watch {
    how: Watching,
}

enum Watching {
    /// SQLite's `data_version` changes on a connection whenever another connection has
    /// committed since it last asked.
    Sqlite { conn: AnyConnection, seen: i64 },
    /// PostgreSQL tells listeners at once (LISTEN/NOTIFY); the listener reconnects by itself
    /// when the connection drops.
    Postgres { listener: PgListener },
}

impl Watch {
    /// Waits up to `wait` for a change; whether anything was committed meanwhile.
    pub async fn next_change(&mut self, wait: Duration) -> Result<bool> {
        match &mut self.how {
            Watching::Sqlite { conn, seen } => {
                tokio::time::sleep(wait).await;
                let v: i64 = sqlx::query_scalar("PRAGMA data_version")
                    .fetch_one(&mut *conn)
                    .await?;
                let changed = v != *seen;
                *seen = v;
                Ok(changed)
            }
            Watching::Postgres { listener } => {
                match tokio::time::timeout(wait, listener.recv()).await {
                    Err(_) => Ok(false),
                    Ok(Ok(_)) => {
                        // One refresh covers a burst: drop what is already buffered.
                        while listener.next_buffered().is_some() {}
                        Ok(true)
                    }
                    Ok(Err(e)) => Err(e.into()),
                }
            }
        }
    }
}

impl Db {
    /// Opens (creating if needed) the database and brings its schema up to date.
    pub async fn open(url: &DbUrl) -> Result<Db> {
        sqlx::any::install_default_drivers();
        let backend = url.backend();
        let connect = match backend {
            Backend::Postgres => url.as_str().to_owned(),
            Backend::Sqlite => {
                let path = url.sqlite_path();
                if let Some(dir) = path.parent().filter(|d| !d.as_os_str().is_empty()) {
                    std::fs::create_dir_all(dir)
                        .map_err(|e| Error::Open(path.display().to_string(), e.to_string()))?;
                }
                use sqlx::ConnectOptions;
                SqliteConnectOptions::new()
                    .filename(&path)
                    .create_if_missing(true)
                    .to_url_lossy()
                    .to_string()
            }
        };
        let pool = AnyPoolOptions::new()
            .max_connections(match backend {
                Backend::Sqlite => 4,
                // A team database serves every PC; each keeps a few connections.
                Backend::Postgres => 8,
            })
            .acquire_timeout(Duration::from_secs(5))
            .after_connect(move |conn, _| {
                Box::pin(async move {
                    if backend == Backend::Sqlite {
                        // WAL: readers never wait for the writer. 64 MiB of page cache (the
                        // default is 2 MiB): group lists and large imports touch far more,
                        // and re-reading pages from the OS dominated imports.
                        conn.execute(
                            "PRAGMA journal_mode = WAL; PRAGMA synchronous = NORMAL;
                             PRAGMA foreign_keys = ON; PRAGMA cache_size = -65536;
                             PRAGMA temp_store = memory; PRAGMA busy_timeout = 5000;",
                        )
                        .await?;
                    }
                    Ok(())
                })
            })
            .connect(&connect)
            .await
            .map_err(|e| Error::Open(url.shown(), e.to_string()))?;
        let migrated = match backend {
            Backend::Sqlite => sqlx::migrate!("./migrations/sqlite").run(&pool).await,
            Backend::Postgres => sqlx::migrate!("./migrations/postgres").run(&pool).await,
        };
        migrated.map_err(|e| Error::Migrate(e.to_string()))?;
        Ok(Db {
            pool,
            url: url.clone(),
            connect,
            backend,
            announcer: Default::default(),
            claimer: Default::default(),
        })
    }

    pub fn backend(&self) -> Backend {
        self.backend
    }

    pub fn url(&self) -> &DbUrl {
        &self.url
    }

    pub async fn is_empty(&self) -> Result<bool> {
        let n: i64 =
            sqlx::query_scalar("SELECT COUNT(*) FROM (SELECT 1 FROM buyers LIMIT 1) AS one")
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
        self.apply(orders.to_vec(), &[], rules, now, |_, _| true)
            .await
    }

    /// As `apply_orders`, with the export's items, reporting progress as (done, total)
    /// orders. Returning `false` from `progress` cancels: the transaction is rolled back and
    /// nothing is written. Items of orders the database does not know are skipped and
    /// counted, since the items file is often imported on its own after the orders.
    pub async fn apply(
        &self,
        mut orders: Vec<Order>,
        items: &[OrderItem],
        rules: &Rules,
        now: DateTime<Utc>,
        mut progress: impl FnMut(u64, u64) -> bool,
    ) -> Result<Applied> {
        let mut applied = Applied::default();
        // Later rows of the same batch merge into earlier ones, as a second import would.
        // The stable sort keeps export order among rows of one order, and writing in key
        // order keeps the primary-key index appends cheap.
        orders.sort_by(|a, b| a.no.cmp(&b.no));
        orders.dedup_by(|later, earlier| {
            let same = later.no == earlier.no;
            if same {
                earlier.merge(later);
            }
            same
        });
        let total = orders.len() as u64;
        let mut tx = self.pool.begin().await?;
        let keys: Vec<&str> = orders.iter().map(|o| o.no.as_str()).collect();
        let mut existing: HashMap<String, Order> = HashMap::new();
        for o in rows::orders_by_no(&mut tx, &keys).await? {
            existing.insert(o.no.as_str().to_owned(), o);
        }
        drop(keys);
        let mut changed: Vec<Order> = Vec::with_capacity(orders.len());
        for incoming in orders {
            match existing.remove(incoming.no.as_str()) {
                Some(mut current) => {
                    let before = current.clone();
                    current.merge(&incoming);
                    if current == before {
                        applied.unchanged += 1;
                        continue;
                    }
                    applied.updated += 1;
                    changed.push(current);
                }
                None => {
                    applied.new += 1;
                    changed.push(incoming);
                }
            }
        }
        if !progress(0, total) {
            return Err(Error::Cancelled);
        }
        // Every order of every touched buyer as it will be after this batch: what is
        // stored, overlaid with what changed. (A merge keeps an order's buyer.)
        let touched: BTreeSet<&str> = changed.iter().map(|o| o.buyer.as_str()).collect();
        let nicks: Vec<&str> = touched.into_iter().collect();
        let stored = rows::orders_of_buyers(&mut tx, &nicks).await?;
        let mut after: HashMap<&str, &Order> = HashMap::with_capacity(changed.len());
        for o in stored.iter().chain(&changed) {
            after.insert(o.no.as_str(), o);
        }
        let mut by_buyer: HashMap<&str, Vec<&Order>> = HashMap::with_capacity(nicks.len());
        for o in after.into_values() {
            by_buyer.entry(o.buyer.as_str()).or_default().push(o);
        }
        let standings: Vec<(&str, Standing)> = nicks
            .iter()
            .map(|n| {
                let orders = by_buyer.get(n).map(Vec::as_slice).unwrap_or(&[]);
                (*n, standing(orders, rules))
            })
            .collect();
        let stamp = now.timestamp();
        // A large batch writes faster into tables without their secondary indexes, which
        // are then rebuilt from sorted data in one pass, instead of inserting keys at random
        // places. DDL is transactional here, so a cancel or failure leaves them as they were.
        let rebuilt = if changed.len() >= BULK_ORDERS && self.backend == Backend::Sqlite {
            rows::drop_secondary_indexes(&mut tx).await?
        } else {
            Vec::new()
        };
        // Buyers first: orders refer to them.
        rows::upsert_buyers(&mut tx, &standings, stamp).await?;
        let mut done = 0u64;
        for chunk in changed.chunks(rows::ORDERS_PER_STATEMENT) {
            rows::upsert_orders(&mut tx, chunk, stamp).await?;
            done += chunk.len() as u64;
            if !progress(done, total) {
                return Err(Error::Cancelled);
            }
        }
        for sql in &rebuilt {
            sqlx::query(sql).execute(&mut *tx).await?;
        }
        // Every touched buyer's follow-ups, planned from its orders as they now are.
        let empty: Vec<&Order> = Vec::new();
        let to_plan: Vec<agenda::ToPlan> = standings
            .iter()
            .map(|(nick, s)| agenda::ToPlan {
                nick,
                returning: s.returning,
                first_seen: now,
                orders: by_buyer.get(nick).unwrap_or(&empty),
            })
            .collect();
        agenda::replan(&mut tx, &to_plan, rules, now).await?;
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

    pub async fn buyer(&self, nick: &BuyerNick) -> Result<BuyerDetail> {
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
        rows::buyer_detail(row, orders)
    }

    pub async fn orders_with_status(&self, status: OrderStatus, limit: i64) -> Result<Vec<Order>> {
        let rows: Vec<OrderRowDb> = sqlx::query_as(
            "SELECT * FROM orders WHERE status = $1 ORDER BY created_at, order_no LIMIT $2",
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
            "UPDATE buyers SET note = $1, note_by = $2, note_at = $3 WHERE nick = $4",
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
            "UPDATE buyers SET tags = $1, tags_by = $2, tags_at = $3 WHERE nick = $4",
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

    pub async fn orders_of(&self, nick: &BuyerNick) -> Result<Vec<Order>> {
        let rows: Vec<OrderRowDb> =
            sqlx::query_as("SELECT * FROM orders WHERE buyer_nick = $1 ORDER BY created_at")
                .bind(nick.as_str())
                .fetch_all(&self.pool)
                .await?;
        rows.into_iter().map(Order::try_from).collect()
    }

    /// A connection of its own that tells when the database changed.
    pub async fn watch(&self) -> Result<Watch> {
        let how = match self.backend {
            Backend::Sqlite => {
                let mut conn = AnyConnection::connect(&self.connect)
                    .await
                    .map_err(|e| Error::Open(self.url.shown(), e.to_string()))?;
                let seen: i64 = sqlx::query_scalar("PRAGMA data_version")
                    .fetch_one(&mut conn)
                    .await?;
                Watching::Sqlite { conn, seen }
            }
            Backend::Postgres => {
                // The listener reconnects through this pool. A reconnect must give up
                // within one wait of `next_change` (the app waits a second), or a database
                // gone away would never be reported: each wait would cancel the attempt.
                let pool = PgPoolOptions::new()
                    .max_connections(1)
                    .acquire_timeout(Duration::from_millis(500))
                    .connect_lazy(&self.connect)
                    .map_err(|e| Error::Open(self.url.shown(), e.to_string()))?;
                let mut listener = PgListener::connect_with(&pool)
                    .await
                    .map_err(|e| Error::Open(self.url.shown(), e.to_string()))?;
                listener.listen(CHANGES_CHANNEL).await?;
                Watching::Postgres { listener }
            }
        };
        Ok(Watch { how })
    }

    pub async fn close(&self) {
        self.pool.close().await;
    }
}

pub(crate) struct Standing {
    pub(crate) group: Group,
    pub(crate) sort_key: i64,
    pub(crate) returning: bool,
    pub(crate) order_count: i64,
    pub(crate) unpaid: i64,
    pub(crate) next_close_at: Option<i64>,
    pub(crate) last_order_at: Option<i64>,
}

/// Where a buyer stands, from its orders: the group, and its place in the group list.
fn standing(orders: &[&Order], rules: &Rules) -> Standing {
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
        order_count: orders.len() as i64,
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

    /// A database of its own, on the backend of this test run (see `Scratch`).
    async fn fresh() -> (Scratch, Db) {
        let scratch = Scratch::new().await.unwrap();
        let db = Db::open(&scratch.url).await.unwrap();
        (scratch, db)
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
    async fn a_later_batch_sees_the_buyers_stored_orders_and_keeps_the_note() {
        let (_dir, db) = fresh().await;
        let orders = demo_orders(now());
        // A buyer with at least two stored orders.
        let nick = orders
            .iter()
            .find(|o| orders.iter().filter(|p| p.buyer == o.buyer).count() >= 2)
            .map(|o| o.buyer.clone())
            .expect("a demo buyer with two orders");
        let mine: Vec<Order> = orders.iter().filter(|o| o.buyer == nick).cloned().collect();
        let n = mine.len() as i64;
        db.apply_orders(&mine, &Rules::default(), now())
            .await
            .unwrap();
        db.set_note(&nick, "老客户", "小美", now()).await.unwrap();

        // A later export lists only a new unpaid order of theirs.
        let mut unpaid = mine[0].clone();
        unpaid.no = OrderNo::parse("99990000000000001").unwrap();
        unpaid.status = OrderStatus::AwaitingPayment;
        unpaid.created_at = now();
        (unpaid.paid_at, unpaid.shipped_at, unpaid.ended_at) = (None, None, None);
        unpaid.close_reason = None;
        db.apply_orders(&[unpaid.clone()], &Rules::default(), now())
            .await
            .unwrap();
        let d = db.buyer(&nick).await.unwrap();
        assert_eq!(d.summary.order_count, n + 1, "stored orders still count");
        assert_eq!(d.summary.unpaid_count, 1);
        assert_eq!(d.summary.group, Group::Order);
        assert_counts_are_kept(&db).await;
        assert_eq!(
            d.summary.next_close_at,
            Some(now() + chrono::Duration::hours(72))
        );
        assert_eq!(d.summary.note, "老客户");
        assert_eq!(d.note_by.as_deref(), Some("小美"));

        // Then one that says it was paid.
        let mut paid = unpaid.clone();
        paid.status = OrderStatus::AwaitingShipment;
        paid.paid_at = Some(now());
        let applied = db
            .apply_orders(&[paid.clone()], &Rules::default(), now())
            .await
            .unwrap();
        assert_eq!(applied.updated, 1);
        let d = db.buyer(&nick).await.unwrap();
        assert_eq!((d.summary.order_count, d.summary.unpaid_count), (n + 1, 0));
        assert_counts_are_kept(&db).await;
        assert_eq!(d.summary.next_close_at, None);
    }

    /// The kept counts agree with counting the buyers.
    async fn assert_counts_are_kept(db: &Db) {
        let rows: Vec<(i64, i64)> = sqlx::query_as("SELECT grp, COUNT(*) FROM buyers GROUP BY grp")
            .fetch_all(&db.pool)
            .await
            .unwrap();
        let mut counted = GroupCounts::default();
        for (g, n) in rows {
            *match g {
                0 => &mut counted.inquiry,
                1 => &mut counted.order,
                2 => &mut counted.shipped,
                _ => &mut counted.closed,
            } = n;
        }
        assert_eq!(db.group_counts().await.unwrap(), counted);
    }

    async fn index_names(db: &Db) -> Vec<String> {
        sqlx::query_scalar("SELECT name FROM sqlite_master WHERE type = 'index' ORDER BY name")
            .fetch_all(&db.pool)
            .await
            .unwrap()
    }

    #[tokio::test]
    async fn a_bulk_import_rebuilds_the_indexes_and_a_cancelled_one_keeps_them() {
        // The index rebuild is the SQLite import's (PostgreSQL keeps its indexes).
        if Scratch::backend() != Backend::Sqlite {
            return;
        }
        let (_dir, db) = fresh().await;
        let indexes = index_names(&db).await;
        assert!(
            indexes.contains(&"orders_by_buyer".to_owned()),
            "{indexes:?}"
        );
        let template = demo_orders(now())[0].clone();
        let n = BULK_ORDERS + 7;
        let orders: Vec<Order> = (0..n)
            .map(|i| {
                let mut o = template.clone();
                o.no =
                    OrderNo::parse(&format!("{}", 50_000_000_000_000_000u64 + i as u64)).unwrap();
                o.buyer = BuyerNick::parse(&format!("买家{:06}", i / 3)).unwrap();
                o
            })
            .collect();

        // Cancelled half way: nothing written and the indexes are all there.
        let cancelled = db
            .apply(orders.clone(), &[], &Rules::default(), now(), |done, _| {
                done < 3_000
            })
            .await;
        assert!(matches!(cancelled, Err(Error::Cancelled)), "{cancelled:?}");
        assert!(db.is_empty().await.unwrap());
        assert_eq!(index_names(&db).await, indexes);

        let applied = db
            .apply(orders, &[], &Rules::default(), now(), |_, _| true)
            .await
            .unwrap();
        assert_eq!(applied.new, n as u64);
        assert_eq!(index_names(&db).await, indexes);
        let plan: Vec<(i64, i64, i64, String)> = sqlx::query_as(
            "EXPLAIN QUERY PLAN SELECT * FROM orders WHERE buyer_nick = '买家000001'",
        )
        .fetch_all(&db.pool)
        .await
        .unwrap();
        assert!(
            plan.iter().any(|p| p.3.contains("orders_by_buyer")),
            "{plan:?}"
        );
        let d = db
            .buyer(&BuyerNick::parse("买家000001").unwrap())
            .await
            .unwrap();
        assert_eq!(d.summary.order_count, 3);
        assert_counts_are_kept(&db).await;
        let c = db.group_counts().await.unwrap();
        assert_eq!(
            c.inquiry + c.order + c.shipped + c.closed,
            n.div_ceil(3) as i64
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
    fn database_addresses_name_their_backend() {
        let team = DbUrl::parse("postgres://kefu:secret@db.shop.lan/kefu").unwrap();
        assert_eq!(team.backend(), Backend::Postgres);
        assert_eq!(team.shown(), "postgres://kefu@db.shop.lan/kefu");
        assert_eq!(
            DbUrl::parse("/tmp/a.db").unwrap().backend(),
            Backend::Sqlite
        );
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
