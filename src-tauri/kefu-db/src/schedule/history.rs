//! The shop's history that demand and handling time are read from (kefu-core's
//! `shifts::arrivals` and `shifts::handling_time`).

use chrono::{DateTime, Utc};

use crate::rows::at as time;
use crate::{Db, Result};

impl Db {
    /// When conversations started (the routing records) between `from` and `until`: the
    /// shop's chat demand.
    pub async fn conversations_started(
        &self,
        from: DateTime<Utc>,
        until: DateTime<Utc>,
    ) -> Result<Vec<DateTime<Utc>>> {
        instants(
            self,
            "SELECT assigned_at FROM conversations WHERE assigned_at >= $1 AND assigned_at < $2",
            from,
            until,
        )
        .await
    }

    /// When orders were placed between `from` and `until`: demand's stand-in for a shop
    /// with little chat history.
    pub async fn orders_placed(
        &self,
        from: DateTime<Utc>,
        until: DateTime<Utc>,
    ) -> Result<Vec<DateTime<Utc>>> {
        instants(
            self,
            "SELECT created_at FROM orders WHERE created_at >= $1 AND created_at < $2",
            from,
            until,
        )
        .await
    }

    /// (assigned, closed) of conversations closed between `from` and `until`: handling
    /// times.
    pub async fn conversation_spans(
        &self,
        from: DateTime<Utc>,
        until: DateTime<Utc>,
    ) -> Result<Vec<(DateTime<Utc>, DateTime<Utc>)>> {
        let rows: Vec<(i64, i64)> = sqlx::query_as(
            "SELECT assigned_at, closed_at FROM conversations
             WHERE closed_at >= $1 AND closed_at < $2 AND ended = 'closed'",
        )
        .bind(from.timestamp())
        .bind(until.timestamp())
        .fetch_all(&self.pool)
        .await?;
        rows.into_iter()
            .map(|(a, c)| Ok((time(a)?, time(c)?)))
            .collect()
    }
}

async fn instants(
    db: &Db,
    sql: &str,
    from: DateTime<Utc>,
    until: DateTime<Utc>,
) -> Result<Vec<DateTime<Utc>>> {
    let rows: Vec<i64> = sqlx::query_scalar(sql)
        .bind(from.timestamp())
        .bind(until.timestamp())
        .fetch_all(&db.pool)
        .await?;
    rows.into_iter().map(time).collect()
}
