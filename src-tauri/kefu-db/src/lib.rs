//! Kefu Desk storage: orders, buyers and their groups, the agenda and the team, on sqlx.
//!
//! SQLite embedded is the default; a team database is PostgreSQL. Queries are built at run
//! time (`query_as` + `bind`) with row wrapper types, so sqlx stays out of the domain crate
//! and no database is needed to compile. Modules by domain: `buyers` (groups, search, the
//! buyer panel, notes and tags), `orders` (and `orders::import`), `agenda` (planning and
//! the stored follow-ups), `team` (accounts, routing, claims, conversations), `watch`
//! (commits of other PCs); `tx` holds the one-writer transaction routing decides in.

mod agenda;
mod announce;
mod buyers;
mod error;
mod kpi;
mod orders;
mod phrases;
mod rows;
mod schedule;
#[cfg(any(test, feature = "test-support"))]
pub mod scratch;
mod sql;
mod standing;
mod team;
#[cfg(test)]
mod testing;
mod tx;
mod url;
mod watch;

use std::time::Duration;

use sqlx::any::AnyPoolOptions;
use sqlx::sqlite::SqliteConnectOptions;
use sqlx::{AnyConnection, AnyPool, Executor};

pub use agenda::{
    Agenda, AgendaCounts, Fired, FollowUp, OVERDUE_AFTER_MINUTES, SHOP_TIME, UPCOMING_HOURS,
};
pub use buyers::{BuyerDetail, BuyerSummary, GroupCounts};
pub use error::{Error, Result};
pub use orders::Applied;
pub use phrases::PhraseBook;
pub use schedule::{Handed, HandedItem, Handover, Holding, WeekChange, WeekPlan};
#[cfg(any(test, feature = "test-support"))]
pub use scratch::{OwnServer, Scratch};
pub use team::{Conversation, Routed, SignInFailures, SignedIn, TeamMember};
pub use url::{Backend, DbUrl};
pub use watch::{Watch, CHANGES_CHANNEL};

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
    /// On a team database, the session this PC signed in with (`team::sign_in`).
    session: std::sync::Arc<std::sync::RwLock<Session>>,
}

/// The team database knows who is signed in on a connection by the session token set on it
/// (`kefu.session`, see the migration `20261203100014_pc_login.sql`). Every new connection
/// gets the token; a pooled one made before the latest sign-in is dropped instead of used.
#[derive(Debug, Default)]
pub(crate) struct Session {
    token: Option<String>,
    since: Option<std::time::Instant>,
}

impl Session {
    fn token(session: &std::sync::RwLock<Session>) -> Option<String> {
        match session.read() {
            Ok(s) => s.token.clone(),
            Err(poisoned) => poisoned.into_inner().token.clone(),
        }
    }

    /// Whether a connection `age` old was made before the latest sign-in.
    fn outdates(session: &std::sync::RwLock<Session>, age: Duration) -> bool {
        let since = match session.read() {
            Ok(s) => s.since,
            Err(poisoned) => poisoned.into_inner().since,
        };
        since.is_some_and(|since| age >= since.elapsed())
    }

    pub(crate) fn start(session: &std::sync::RwLock<Session>, token: String) {
        let new = Session {
            token: Some(token),
            since: Some(std::time::Instant::now()),
        };
        match session.write() {
            Ok(mut s) => *s = new,
            Err(poisoned) => *poisoned.into_inner() = new,
        }
    }
}

/// Each SQLite connection's page cache. The window's reads (a page of a list, the counts,
/// the agenda) touch a few megabytes, and every pooled connection keeps its own cache, so it
/// stays small: the operating system caches the file for all of them.
pub(crate) const PAGE_CACHE: &str = "PRAGMA cache_size = -4096; PRAGMA shrink_memory";
/// An import's page cache, for the length of the import: re-reading pages from the OS
/// dominated large imports with the default 2 MiB.
pub(crate) const IMPORT_PAGE_CACHE: &str = "PRAGMA cache_size = -65536";

impl Db {
    /// Opens (creating if needed) the database and brings its schema up to date.
    pub async fn open(url: &DbUrl) -> Result<Db> {
        sqlx::any::install_default_drivers();
        // Before any connection opens: each gets the function a big import writes through.
        orders::register_in_place();
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
        let session: std::sync::Arc<std::sync::RwLock<Session>> = Default::default();
        let on_connect = session.clone();
        let on_acquire = session.clone();
        let pool = AnyPoolOptions::new()
            .max_connections(match backend {
                Backend::Sqlite => 4,
                // A team database serves every PC; each keeps a few connections.
                Backend::Postgres => 8,
            })
            .acquire_timeout(Duration::from_secs(5))
            .before_acquire(move |_, meta| {
                let outdated = Session::outdates(&on_acquire, meta.age);
                Box::pin(async move { Ok(!outdated) })
            })
            .after_connect(move |conn, _| {
                let token = Session::token(&on_connect);
                Box::pin(async move {
                    if let Some(token) = token {
                        sqlx::query("SELECT set_config('kefu.session', $1, false)")
                            .bind(token)
                            .execute(&mut *conn)
                            .await?;
                    }
                    if backend == Backend::Sqlite {
                        // WAL: readers never wait for the writer.
                        conn.execute(
                            "PRAGMA journal_mode = WAL; PRAGMA synchronous = NORMAL;
                             PRAGMA foreign_keys = ON; PRAGMA temp_store = memory;
                             PRAGMA busy_timeout = 5000;",
                        )
                        .await?;
                        conn.execute(PAGE_CACHE).await?;
                    }
                    Ok(())
                })
            })
            .connect(&connect)
            .await
            .map_err(|e| Error::Open(url.shown(), e.to_string()))?;
        match backend {
            Backend::Sqlite => sqlx::migrate!("./migrations/sqlite")
                .run(&pool)
                .await
                .map_err(|e| Error::Migrate(e.to_string()))?,
            Backend::Postgres => migrate_team_database(&pool).await?,
        }
        Ok(Db {
            pool,
            url: url.clone(),
            connect,
            backend,
            announcer: Default::default(),
            claimer: Default::default(),
            session,
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

    pub async fn close(&self) {
        self.pool.close().await;
    }

    /// On a team database, its clock now and whether its owner lets a PC start a clock of
    /// its own (a practice database: see the migration `20261203100015_team_clock.sql`).
    /// `None` for a PC's own database.
    pub async fn team_clock(&self) -> Result<Option<(chrono::DateTime<chrono::Utc>, bool)>> {
        if self.backend != Backend::Postgres {
            return Ok(None);
        }
        let (micros, may_set): (i64, bool) = sqlx::query_as(
            "SELECT (extract(epoch FROM clock_timestamp()) * 1000000)::BIGINT, pcs_may_set_clock
             FROM team_clock",
        )
        .fetch_one(&self.pool)
        .await?;
        let now = chrono::DateTime::from_timestamp_micros(micros)
            .ok_or_else(|| Error::Corrupt(format!("the database's clock: {micros}")))?;
        Ok(Some((now, may_set)))
    }
}

/// The owner's login brings the team database's schema up to date; a PC's login (README,
/// "Team database") may not, and checks that the owner did.
async fn migrate_team_database(pool: &AnyPool) -> Result<()> {
    let migrator = sqlx::migrate!("./migrations/postgres");
    let may_migrate: bool = sqlx::query_scalar(
        "SELECT to_regclass('_sqlx_migrations') IS NULL
             OR has_table_privilege('_sqlx_migrations', 'INSERT')",
    )
    .fetch_one(pool)
    .await?;
    if may_migrate {
        return migrator
            .run(pool)
            .await
            .map_err(|e| Error::Migrate(e.to_string()));
    }
    let have: i64 =
        sqlx::query_scalar("SELECT COALESCE(MAX(version), 0) FROM _sqlx_migrations WHERE success")
            .fetch_one(pool)
            .await?;
    let need = migrator.iter().map(|m| m.version).max().unwrap_or(0);
    if have < need {
        return Err(Error::Migrate(format!(
            "the team database is at version {have} and this Kefu Desk needs {need}; \
             this PC's login may not change the schema: the shop's admin runs one command \
             with the owner's address (kefu-desk --db <owner address> groups) to bring it \
             up to date"
        )));
    }
    Ok(())
}
