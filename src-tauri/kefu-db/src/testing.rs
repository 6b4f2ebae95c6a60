//! What the crate's unit tests share.

use chrono::{DateTime, Utc};

use crate::{Db, Scratch};

pub(crate) fn now() -> DateTime<Utc> {
    DateTime::parse_from_rfc3339("2026-11-22T08:00:00Z")
        .unwrap()
        .with_timezone(&Utc)
}

/// A database of its own, on the backend of this test run (see `Scratch`).
pub(crate) async fn fresh() -> (Scratch, Db) {
    let scratch = Scratch::new().await.unwrap();
    let db = Db::open(&scratch.url).await.unwrap();
    (scratch, db)
}

/// A buyer known since `now()`, with no orders: what follow-ups written by hand in a test
/// hang on.
pub(crate) async fn buyer(db: &Db, nick: &str) {
    sqlx::query("INSERT INTO buyers (nick, grp, sort_key, first_seen_at) VALUES ($1, 0, 0, $2)")
        .bind(nick)
        .bind(now().timestamp())
        .execute(&db.pool)
        .await
        .unwrap();
}
