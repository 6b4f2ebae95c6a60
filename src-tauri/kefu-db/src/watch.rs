//! Noticing commits made by other processes and PCs.

use std::time::Duration;

use sqlx::postgres::{PgListener, PgPoolOptions};
use sqlx::{AnyConnection, Connection};

use crate::{Backend, Db, Error, Result};

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
}
