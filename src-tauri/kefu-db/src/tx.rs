//! Transactions that decide on current data: one writer at a time.

use sqlx::pool::PoolConnection;
use sqlx::{Any, AnyConnection};

use crate::{Db, Error, Result};

/// Runs `attempt` again when the team database gave it up to break a deadlock or a
/// serialization conflict (SQLSTATE 40P01, 40001): it was rolled back whole, and running it
/// again is what the database asks. Two PCs each waiting for an agent row the other holds
/// (one rerouting an agent's buyers, one claiming a buyer) is such a case.
pub(crate) async fn again_on_deadlock<T, F, Fut>(mut attempt: F) -> Result<T>
where
    F: FnMut() -> Fut,
    Fut: std::future::Future<Output = Result<T>>,
{
    let mut tries = 0;
    loop {
        match attempt().await {
            Err(Error::Sql(sqlx::Error::Database(e)))
                if matches!(e.code().as_deref(), Some("40P01" | "40001")) && tries < 10 =>
            {
                tries += 1;
            }
            done => return done,
        }
    }
}

/// One writer at a time: on SQLite `BEGIN IMMEDIATE` takes the write lock before anything
/// is read; on a team database every PC's routing step takes one transaction-scoped
/// advisory lock first. Either way a decision is never made on data another PC is changing.
pub(crate) struct Immediate {
    conn: PoolConnection<Any>,
    done: bool,
}

/// The advisory lock key of routing steps on a team database (any fixed number: it only
/// has to be the same on every PC).
const ROUTING_LOCK: i64 = 0x6b65_6675;

/// The advisory lock key of imports on a team database: one import at a time, without
/// holding up routing.
pub(crate) const IMPORT_LOCK: i64 = 0x6b65_6676;

/// The key space of per-buyer advisory locks (two-number keys never meet one-number ones).
const BUYER_LOCKS: i32 = 0x6b65;

impl Immediate {
    pub(crate) async fn begin(db: &Db) -> Result<Immediate> {
        let conn = db.pool.acquire().await?;
        if db.backend == crate::Backend::Postgres {
            let mut tx = Immediate { conn, done: false };
            sqlx::query("BEGIN").execute(tx.conn()).await?;
            sqlx::query("SELECT 1 FROM (SELECT pg_advisory_xact_lock($1)) AS locked")
                .bind(ROUTING_LOCK)
                .execute(tx.conn())
                .await?;
            return Ok(tx);
        }
        // Each wait is the connection's busy timeout; under a burst of writers a waiter
        // can lose the race for the lock several times in a row, so it tries again
        // rather than failing the agent's action.
        let mut conn = conn;
        let mut attempts = 0;
        loop {
            match sqlx::query("BEGIN IMMEDIATE").execute(&mut *conn).await {
                Ok(_) => return Ok(Immediate { conn, done: false }),
                Err(sqlx::Error::Database(e))
                    if e.code().as_deref() == Some("5") && attempts < 5 =>
                {
                    attempts += 1;
                }
                Err(e) => return Err(e.into()),
            }
        }
    }

    /// For a new inquiry. On a team database it takes no lock, so many PCs claim different
    /// buyers at once: the claim itself re-checks the agent's room and state in the row
    /// (see `route_one`), and the schema refuses a second open conversation. On SQLite,
    /// as `begin`.
    pub(crate) async fn begin_claim(db: &Db) -> Result<Immediate> {
        if db.backend != crate::Backend::Postgres {
            return Immediate::begin(db).await;
        }
        let conn = db.pool.acquire().await?;
        let mut tx = Immediate { conn, done: false };
        sqlx::query("BEGIN").execute(tx.conn()).await?;
        Ok(tx)
    }

    /// On a team database, one PC at a time routes a known buyer (so two reports of one
    /// returning buyer do not both claim an agent); SQLite holds the write lock already.
    pub(crate) async fn lock_buyer(&mut self, nick: &str) -> Result<()> {
        if self.conn.backend_name() != "PostgreSQL" {
            return Ok(());
        }
        sqlx::query("SELECT 1 FROM (SELECT pg_advisory_xact_lock($1, hashtext($2))) AS locked")
            .bind(BUYER_LOCKS)
            .bind(nick)
            .execute(self.conn())
            .await?;
        Ok(())
    }

    pub(crate) fn conn(&mut self) -> &mut AnyConnection {
        &mut self.conn
    }

    pub(crate) async fn commit(mut self) -> Result<()> {
        sqlx::query("COMMIT").execute(&mut *self.conn).await?;
        self.done = true;
        Ok(())
    }
}

impl Drop for Immediate {
    fn drop(&mut self) {
        if !self.done {
            // An error or a cancel left the transaction open: close the connection rather
            // than return it to the pool mid-transaction; SQLite rolls back.
            self.conn.close_on_drop();
        }
    }
}
