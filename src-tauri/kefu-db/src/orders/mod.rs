//! Orders: as imported, and the lists the command line shows.

mod import;
mod in_place;
mod native;
mod staging;

use std::collections::BTreeMap;

use kefu_core::{BuyerNick, Order, OrderStatus};

pub use import::Applied;
pub(crate) use in_place::register as register_in_place;

use crate::rows::OrderRowDb;
use crate::{Db, Error, Result};

impl Db {
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

    pub async fn orders_of(&self, nick: &BuyerNick) -> Result<Vec<Order>> {
        let rows: Vec<OrderRowDb> =
            sqlx::query_as("SELECT * FROM orders WHERE buyer_nick = $1 ORDER BY created_at")
                .bind(nick.as_str())
                .fetch_all(&self.pool)
                .await?;
        rows.into_iter().map(Order::try_from).collect()
    }
}
