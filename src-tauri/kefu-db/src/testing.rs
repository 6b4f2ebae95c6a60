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
