//! The shop's history that demand and handling time are read from (kefu-core's
//! `shifts::arrivals` and `shifts::handling_time`), and the peak days that override it.

use chrono::{DateTime, NaiveDate, Utc};
use kefu_core::shifts::PeakDay;
use kefu_core::OrderStatus;

use crate::rows::at as time;
use crate::{Db, Error, Result};

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
        instants(self, &orders_placed_sql(), from, until).await
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

/// When orders were placed, read from `orders_by_status` (status, created_at): a range for
/// each status, every status named, so that SQLite needs no index of its own on
/// `created_at` (see the migration that dropped it).
fn orders_placed_sql() -> String {
    let statuses: Vec<String> = OrderStatus::ALL
        .iter()
        .map(|s| s.code().to_string())
        .collect();
    format!(
        "SELECT created_at FROM orders WHERE status IN ({}) AND created_at >= $1 AND created_at < $2",
        statuses.join(", ")
    )
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

impl Db {
    /// Peak days from `from` to `to` (shop dates, both included), by date.
    pub async fn peak_days(&self, from: NaiveDate, to: NaiveDate) -> Result<Vec<PeakDay>> {
        let rows: Vec<(String, String, f64, f64, String)> = sqlx::query_as(
            "SELECT date, name, multiplier, added_per_slot, extra FROM peak_days
             WHERE date >= $1 AND date <= $2 ORDER BY date",
        )
        .bind(super::day(from))
        .bind(super::day(to))
        .fetch_all(&self.pool)
        .await?;
        rows.into_iter()
            .map(|(date, name, multiplier, added_per_slot, extra)| {
                Ok(PeakDay {
                    date: super::date(&date)?,
                    name,
                    multiplier,
                    added_per_slot,
                    extra: serde_json::from_str(&extra)
                        .map_err(|e| Error::Corrupt(format!("peak day {date} extra: {e}")))?,
                })
            })
            .collect()
    }

    /// Saves a peak day (checked by the caller through the core), replacing one of that date.
    pub async fn save_peak_day(&self, p: &PeakDay) -> Result<()> {
        let extra = serde_json::to_string(&p.extra)
            .map_err(|e| Error::Corrupt(format!("peak day extra: {e}")))?;
        sqlx::query(
            "INSERT INTO peak_days (date, name, multiplier, added_per_slot, extra)
             VALUES ($1, $2, $3, $4, $5)
             ON CONFLICT (date) DO UPDATE SET name = excluded.name,
                 multiplier = excluded.multiplier, added_per_slot = excluded.added_per_slot,
                 extra = excluded.extra",
        )
        .bind(super::day(p.date))
        .bind(p.name.trim())
        .bind(p.multiplier)
        .bind(p.added_per_slot)
        .bind(extra)
        .execute(&self.pool)
        .await?;
        Ok(())
    }

    /// Removes the peak day of `date`; whether there was one.
    pub async fn remove_peak_day(&self, date: NaiveDate) -> Result<bool> {
        Ok(sqlx::query("DELETE FROM peak_days WHERE date = $1")
            .bind(super::day(date))
            .execute(&self.pool)
            .await?
            .rows_affected()
            > 0)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::testing::{fresh, now};
    use crate::{Backend, Scratch};

    /// Orders placed come from an index alone, at any size: never a scan of the orders.
    #[tokio::test]
    async fn orders_placed_are_read_from_the_status_index() {
        if !Scratch::runs_on(
            Backend::Sqlite,
            "orders_placed_are_read_from_the_status_index",
        ) {
            return;
        }
        let (_dir, db) = fresh().await;
        let plan: Vec<(i64, i64, i64, String)> =
            sqlx::query_as(&format!("EXPLAIN QUERY PLAN {}", orders_placed_sql()))
                .bind(0_i64)
                .bind(1_i64)
                .fetch_all(&db.pool)
                .await
                .unwrap();
        assert!(
            plan.iter()
                .all(|p| p.3.contains("COVERING INDEX orders_by_status")),
            "{plan:?}"
        );
        let orders = kefu_core::demo::demo_orders(now());
        db.apply_orders(&orders, &kefu_core::followups::Rules::default(), now())
            .await
            .unwrap();
        let (from, until) = (now() - chrono::Duration::days(30), now());
        let mut placed = db.orders_placed(from, until).await.unwrap();
        placed.sort();
        let mut expected: Vec<DateTime<Utc>> = orders
            .iter()
            .map(|o| o.created_at)
            .filter(|t| *t >= from && *t < until)
            .collect();
        expected.sort();
        assert!(!expected.is_empty());
        assert_eq!(placed, expected);
    }
}
