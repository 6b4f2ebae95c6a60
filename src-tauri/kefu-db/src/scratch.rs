//! Databases and servers of a test's own (feature `test-support`; the crate's own tests
//! have it too).
//!
//! `Scratch`: a database of its own for one test or benchmark, on the backend the
//! environment names: SQLite in a fresh temporary folder by default; with
//! `KEFU_TEST_BACKEND=postgres`, a new database on the PostgreSQL server at
//! `KEFU_TEST_POSTGRES` (an address that may create databases, e.g.
//! `postgres://postgres@127.0.0.1:55432/postgres`). So one story test runs against both
//! backends unchanged. `OwnServer`: a throwaway PostgreSQL server that a test may stop and
//! start again (the team database going away).

use std::io::Write as _;
use std::path::{Path, PathBuf};
use std::process::Command;
use std::sync::atomic::{AtomicU64, Ordering};

use chrono::{DateTime, Utc};
use kefu_core::team::{Agent, AgentState, Role, TeamRules};
use sqlx::{Connection, Executor};

use crate::{Backend, Db, DbUrl, Error, Result};

static SEQ: AtomicU64 = AtomicU64::new(0);

pub struct Scratch {
    pub url: DbUrl,
    /// The SQLite folder, removed on drop. PostgreSQL scratch databases stay on the
    /// throwaway test server, which is removed as a whole.
    dir: Option<PathBuf>,
}

/// A name no other test of any process uses.
fn unique_name(prefix: &str) -> String {
    let n = SEQ.fetch_add(1, Ordering::Relaxed);
    let stamp = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map(|d| d.as_nanos())
        .unwrap_or_default();
    format!("{prefix}_{}_{stamp}_{n}", std::process::id())
}

impl Scratch {
    /// The backend this test run uses.
    pub fn backend() -> Backend {
        match std::env::var("KEFU_TEST_BACKEND").as_deref() {
            Ok("postgres") => Backend::Postgres,
            _ => Backend::Sqlite,
        }
    }

    /// Whether a test that needs `backend` can run in this test run; when not, says on the
    /// test run's own output that `test` was skipped (the harness shows a returning test as
    /// passed, so it must say so itself).
    pub fn runs_on(backend: Backend, test: &str) -> bool {
        if Self::backend() == backend {
            return true;
        }
        let other = match backend {
            Backend::Postgres => "KEFU_TEST_BACKEND=postgres",
            Backend::Sqlite => "the default SQLite backend",
        };
        // Straight to stderr: the harness captures eprintln!, not the stream itself.
        let _ = writeln!(std::io::stderr(), "skipped: {test} runs only with {other}");
        false
    }

    pub async fn new() -> Result<Scratch> {
        let name = unique_name("kefu");
        match Self::backend() {
            Backend::Sqlite => {
                let dir = std::env::temp_dir().join(name);
                std::fs::create_dir_all(&dir)
                    .map_err(|e| Error::Open(dir.display().to_string(), e.to_string()))?;
                Ok(Scratch {
                    url: DbUrl::from_path(&dir.join("desk.db")),
                    dir: Some(dir),
                })
            }
            Backend::Postgres => Ok(Scratch {
                url: new_postgres_database(&name).await?,
                dir: None,
            }),
        }
    }

    /// A database for a test that runs the app itself: an SQLite file in `dir` (which the
    /// caller owns), or a new database on the PostgreSQL test server, brought up to date by
    /// its owner, marked a practice database (PCs may start their own clock) and given as a
    /// PC's login would have it (`pc_login`): the app runs as a shop's PCs do.
    pub fn in_folder(dir: &Path) -> Result<DbUrl> {
        match Self::backend() {
            Backend::Sqlite => Ok(DbUrl::from_path(&dir.join("desk.db"))),
            Backend::Postgres => {
                let rt = tokio::runtime::Builder::new_current_thread()
                    .enable_all()
                    .build()
                    .map_err(|e| Error::Open("a test runtime".into(), e.to_string()))?;
                rt.block_on(async {
                    let owner = new_postgres_database(&unique_name("kefu_e2e")).await?;
                    practice(&owner).await
                })
            }
        }
    }
}

impl Scratch {
    /// Runs `sql` on the database at `url` (a test's PC address) as its owner, the test
    /// server's admin: what a test does behind the PCs' backs (time passing on the
    /// database's clock, say).
    pub fn run_as_owner(url: &str, sql: &str) -> Result<()> {
        let admin = std::env::var("KEFU_TEST_POSTGRES")
            .map_err(|_| Error::BadUrl(String::new(), "no KEFU_TEST_POSTGRES"))?;
        let user = admin
            .split_once("://")
            .and_then(|(_, rest)| rest.split_once('@'))
            .map_or("postgres", |(user, _)| user);
        let owner = url.replacen(&format!("{PC_LOGIN}@"), &format!("{user}@"), 1);
        let rt = tokio::runtime::Builder::new_current_thread()
            .enable_all()
            .build()
            .map_err(|e| Error::Open("a test runtime".into(), e.to_string()))?;
        rt.block_on(async {
            let mut conn = sqlx::AnyConnection::connect(&owner)
                .await
                .map_err(|e| Error::Open(owner.clone(), e.to_string()))?;
            conn.execute(sql).await?;
            conn.close().await?;
            Ok(())
        })
    }
}

/// Brings `owner`'s database up to date as its owner, marks it a practice database (the
/// stories replay a day on their own clock) and gives its address for a PC's login.
async fn practice(owner: &DbUrl) -> Result<DbUrl> {
    Db::open(owner).await?.close().await;
    let mut conn = sqlx::AnyConnection::connect(owner.as_str())
        .await
        .map_err(|e| Error::Open(owner.shown(), e.to_string()))?;
    conn.execute("UPDATE team_clock SET pcs_may_set_clock = true")
        .await?;
    conn.close().await?;
    pc_login(owner).await
}

/// The login of the test server's PCs: a member of `kefu_pc` (as the README's team section
/// has the shop's admin make one), without a password (the test server trusts 127.0.0.1).
pub const PC_LOGIN: &str = "kefu_pc_test";

/// The address of `owner`'s database (already brought up to date) for a PC's login: the
/// login is made on first use.
pub async fn pc_login(owner: &DbUrl) -> Result<DbUrl> {
    sqlx::any::install_default_drivers();
    let mut conn = sqlx::AnyConnection::connect(owner.as_str())
        .await
        .map_err(|e| Error::Open(owner.shown(), e.to_string()))?;
    conn.execute(
        format!(
            "DO $$ BEGIN CREATE ROLE {PC_LOGIN} LOGIN IN ROLE kefu_pc;
             EXCEPTION WHEN duplicate_object OR unique_violation THEN NULL; END $$"
        )
        .as_str(),
    )
    .await?;
    conn.close().await?;
    let (scheme, rest) = owner
        .as_str()
        .split_once("://")
        .ok_or(Error::BadUrl(owner.shown(), "no scheme"))?;
    let host = rest.split_once('@').map_or(rest, |(_, host)| host);
    DbUrl::parse(&format!("{scheme}://{PC_LOGIN}@{host}"))
}

async fn new_postgres_database(name: &str) -> Result<DbUrl> {
    let admin = std::env::var("KEFU_TEST_POSTGRES").map_err(|_| {
        Error::BadUrl(
            String::new(),
            "KEFU_TEST_BACKEND=postgres needs KEFU_TEST_POSTGRES",
        )
    })?;
    sqlx::any::install_default_drivers();
    let mut conn = sqlx::AnyConnection::connect(&admin)
        .await
        .map_err(|e| Error::Open(admin.clone(), e.to_string()))?;
    conn.execute(format!("CREATE DATABASE {name}").as_str())
        .await?;
    conn.close().await?;
    let base = admin.rsplit_once('/').map_or(admin.as_str(), |(b, _)| b);
    DbUrl::parse(&format!("{base}/{name}"))
}

impl Drop for Scratch {
    fn drop(&mut self) {
        if let Some(dir) = &self.dir {
            let _ = std::fs::remove_dir_all(dir);
        }
    }
}

/// Agents of these names (password hash "x"), each online on its own PC: the team most
/// stories and benchmarks start from.
pub async fn online_agents(
    db: &Db,
    names: impl IntoIterator<Item = String>,
    max_load: u32,
    now: DateTime<Utc>,
) -> Result<Vec<Agent>> {
    let mut team = Vec::new();
    for name in names {
        let a = db
            .add_agent(&name, Role::Agent, "x", max_load, 1, now)
            .await?;
        db.set_agent_state(&a, &name, AgentState::Online, &TeamRules::default(), now)
            .await?;
        team.push(a);
    }
    Ok(team)
}

/// A PostgreSQL server of the test's own (`src-tauri/scripts/postgres.sh`, from Debian's
/// packages), stopped and removed however the test ends.
pub struct OwnServer {
    dir: PathBuf,
    pub url: DbUrl,
}

impl OwnServer {
    /// Starts a server; the test fails if it cannot.
    pub fn start(name: &str) -> OwnServer {
        let dir = std::env::temp_dir().join(unique_name(&format!("kefu-{name}")));
        let url = postgres_sh("start", &dir);
        let url = DbUrl::parse(&url).unwrap_or_else(|e| panic!("postgres.sh start: {e}"));
        OwnServer { dir, url }
    }

    /// The server's database for a story that runs the app: brought up to date, a
    /// practice database, for a PC's login (as `Scratch::in_folder` gives one).
    pub fn practice_url(&self) -> DbUrl {
        tokio::runtime::Builder::new_current_thread()
            .enable_all()
            .build()
            .map_err(|e| Error::Open("a test runtime".into(), e.to_string()))
            .and_then(|rt| rt.block_on(practice(&self.url)))
            .unwrap_or_else(|e| panic!("the server's database: {e}"))
    }

    /// Stops the server, keeping its data: the team database has gone away.
    pub fn pause(&self) {
        postgres_sh("pause", &self.dir);
    }

    /// Starts it again on the same address.
    pub fn resume(&self) {
        postgres_sh("resume", &self.dir);
    }
}

impl Drop for OwnServer {
    fn drop(&mut self) {
        let _ = Command::new("bash")
            .arg(script())
            .arg("stop")
            .arg(&self.dir)
            .output();
    }
}

fn script() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../scripts/postgres.sh")
}

fn postgres_sh(action: &str, dir: &Path) -> String {
    let out = Command::new("bash")
        .arg(script())
        .arg(action)
        .arg(dir)
        .output()
        .unwrap_or_else(|e| panic!("bash runs postgres.sh: {e}"));
    assert!(
        out.status.success(),
        "postgres.sh {action}: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8_lossy(&out.stdout).trim().to_owned()
}
