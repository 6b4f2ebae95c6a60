//! A database of its own for one test or benchmark, on the backend the environment names:
//! SQLite in a fresh temporary folder by default; with `KEFU_TEST_BACKEND=postgres`, a new
//! database on the PostgreSQL server at `KEFU_TEST_POSTGRES` (an address that may create
//! databases, e.g. `postgres://postgres@127.0.0.1:55432/postgres`). So one story test runs
//! against both backends unchanged.

use std::path::PathBuf;
use std::sync::atomic::{AtomicU64, Ordering};

use sqlx::{Connection, Executor};

use crate::{Backend, DbUrl, Error, Result};

static SEQ: AtomicU64 = AtomicU64::new(0);

pub struct Scratch {
    pub url: DbUrl,
    /// The SQLite folder, removed on drop. PostgreSQL scratch databases stay on the
    /// throwaway test server, which is removed as a whole.
    dir: Option<PathBuf>,
}

impl Scratch {
    /// The backend this test run uses.
    pub fn backend() -> Backend {
        match std::env::var("KEFU_TEST_BACKEND").as_deref() {
            Ok("postgres") => Backend::Postgres,
            _ => Backend::Sqlite,
        }
    }

    pub async fn new() -> Result<Scratch> {
        let n = SEQ.fetch_add(1, Ordering::Relaxed);
        let stamp = std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .map(|d| d.as_nanos())
            .unwrap_or_default();
        let name = format!("kefu_{}_{stamp}_{n}", std::process::id());
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
            Backend::Postgres => {
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
                Ok(Scratch {
                    url: DbUrl::parse(&format!("{base}/{name}"))?,
                    dir: None,
                })
            }
        }
    }
}

impl Drop for Scratch {
    fn drop(&mut self) {
        if let Some(dir) = &self.dir {
            let _ = std::fs::remove_dir_all(dir);
        }
    }
}
