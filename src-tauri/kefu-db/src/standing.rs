//! Time moves the groups: a buyer is derived again from its orders when a platform timer
//! passes (kefu-core's `standing` at `now`), so the groups, their counts and the lists
//! follow the platform's state without an import. What a timer presumes is never stored as
//! an ended trade: the orders keep the status the export gave, and a later export wins.

use std::collections::HashMap;

use chrono::{DateTime, Utc};
use kefu_core::followups::Rules;
use kefu_core::{standing, Order, Standing};

use crate::{rows, Backend, Db, Result};

/// Buyers derived again per transaction: a backlog (a database last opened weeks ago)
/// moves in steps, each committing, so other PCs and the window are never held long.
const PER_STEP: i64 = 5_000;

/// Orders grouped by their buyer.
pub(crate) fn by_buyer<'a>(
    orders: impl IntoIterator<Item = &'a Order>,
) -> HashMap<&'a str, Vec<&'a Order>> {
    let mut out: HashMap<&str, Vec<&Order>> = HashMap::new();
    for o in orders {
        out.entry(o.buyer.as_str()).or_default().push(o);
    }
    out
}

/// Where each of these buyers stands at `now` with its orders (none: an inquiry).
pub(crate) fn standings_of<'n>(
    nicks: &[&'n str],
    by_buyer: &HashMap<&str, Vec<&Order>>,
    rules: &Rules,
    now: DateTime<Utc>,
) -> Vec<(&'n str, Standing)> {
    nicks
        .iter()
        .map(|n| {
            let theirs = by_buyer.get(n).map(Vec::as_slice).unwrap_or(&[]);
            (*n, standing(theirs, rules, now))
        })
        .collect()
}

impl Db {
    /// Derives again every buyer whose standing a platform timer changed by `now`; returns
    /// how many moved. Safe on every PC at once: on a team database each takes buyers no
    /// other PC is taking.
    pub async fn regroup_due(&self, rules: &Rules, now: DateTime<Utc>) -> Result<u64> {
        // Most steps find nothing due: a read answers that without taking SQLite's write
        // lock (every step and every command-line call comes here).
        let due = matches!(self.next_regroup().await?, Some(t) if t <= now);
        if !due {
            return Ok(0);
        }
        let mut moved = 0;
        loop {
            let step = self.regroup_step(rules, now).await?;
            moved += step;
            if step < PER_STEP as u64 {
                return Ok(moved);
            }
        }
    }

    /// When the next buyer is due to be derived again.
    pub async fn next_regroup(&self) -> Result<Option<DateTime<Utc>>> {
        let t: Option<i64> = sqlx::query_scalar(
            "SELECT regroup_at FROM buyers WHERE regroup_at IS NOT NULL
             ORDER BY regroup_at LIMIT 1",
        )
        .fetch_optional(&self.pool)
        .await?;
        t.map(rows::at).transpose()
    }

    async fn regroup_step(&self, rules: &Rules, now: DateTime<Utc>) -> Result<u64> {
        // SQLite: take the write lock first, so the read below cannot go stale before the
        // write (an import committing in between would make the write fail).
        let (mut tx, skip_taken) = match self.backend {
            Backend::Sqlite => (self.pool.begin_with("BEGIN IMMEDIATE").await?, ""),
            Backend::Postgres => (self.pool.begin().await?, " FOR UPDATE SKIP LOCKED"),
        };
        let nicks: Vec<String> = sqlx::query_scalar(&format!(
            "SELECT nick FROM buyers WHERE regroup_at <= $1 ORDER BY regroup_at LIMIT $2{skip_taken}"
        ))
        .bind(now.timestamp())
        .bind(PER_STEP)
        .fetch_all(&mut *tx)
        .await?;
        if nicks.is_empty() {
            tx.commit().await?;
            return Ok(0);
        }
        let keys: Vec<&str> = nicks.iter().map(String::as_str).collect();
        let orders = rows::orders_of_buyers(&mut tx, &keys).await?;
        let standings = standings_of(&keys, &by_buyer(&orders), rules, now);
        rows::upsert_buyers(&mut tx, &standings, now.timestamp()).await?;
        tx.commit().await?;
        Ok(nicks.len() as u64)
    }
}

#[cfg(test)]
mod tests {
    use kefu_core::{BuyerNick, Fen, Group, OrderNo, ShopTime};

    use super::*;
    use crate::testing::fresh;
    use crate::GroupCounts;

    fn at(local: &str) -> DateTime<Utc> {
        ShopTime::SHANGHAI.parse_local(local).expect("a shop time")
    }

    fn unpaid(placed: &str) -> Order {
        Order::placed(
            OrderNo::parse("4012345678901235164").expect("digits"),
            BuyerNick::parse("云朵希9624").expect("nick"),
            Fen(38_700),
            at(placed),
        )
    }

    #[tokio::test]
    async fn an_unpaid_order_leaves_the_order_group_at_its_close_and_a_paid_export_brings_it_back()
    {
        let (_dir, db) = fresh().await;
        let rules = Rules::default();
        let placed = at("2026-11-20 10:00:00");
        let o = unpaid("2026-11-20 10:00:00");
        db.apply_orders(std::slice::from_ref(&o), &rules, placed)
            .await
            .unwrap();
        let counts = |c: GroupCounts| (c.inquiry, c.order, c.shipped, c.closed);
        assert_eq!(counts(db.group_counts().await.unwrap()), (0, 1, 0, 0));
        assert_eq!(
            db.next_regroup().await.unwrap(),
            Some(at("2026-11-23 10:00:00"))
        );

        // A second before its close nothing moves; at its close the buyer is an inquiry.
        assert_eq!(
            db.regroup_due(&rules, at("2026-11-23 09:59:59"))
                .await
                .unwrap(),
            0
        );
        assert_eq!(counts(db.group_counts().await.unwrap()), (0, 1, 0, 0));
        assert_eq!(
            db.regroup_due(&rules, at("2026-11-23 10:00:00"))
                .await
                .unwrap(),
            1
        );
        assert_eq!(counts(db.group_counts().await.unwrap()), (1, 0, 0, 0));
        let d = db.buyer(&o.buyer, &rules).await.unwrap();
        assert_eq!(
            (d.summary.group, d.summary.unpaid_count),
            (Group::Inquiry, 0)
        );
        assert_eq!(
            d.orders[0].status, o.status,
            "the presumption is not stored"
        );
        assert_eq!(db.next_regroup().await.unwrap(), None);

        // An export read afterwards says it was paid at the last minute: that wins.
        let paid = o.clone().paid(at("2026-11-23 09:59:00"));
        db.apply_orders(
            std::slice::from_ref(&paid),
            &rules,
            at("2026-11-23 10:05:00"),
        )
        .await
        .unwrap();
        assert_eq!(counts(db.group_counts().await.unwrap()), (0, 1, 0, 0));

        // Shipped, then confirmed automatically ten days later.
        let shipped = paid.shipped(at("2026-11-24 16:00:00"));
        db.apply_orders(&[shipped], &rules, at("2026-11-24 16:10:00"))
            .await
            .unwrap();
        assert_eq!(counts(db.group_counts().await.unwrap()), (0, 0, 1, 0));
        db.regroup_due(&rules, at("2026-12-04 15:59:59"))
            .await
            .unwrap();
        assert_eq!(counts(db.group_counts().await.unwrap()), (0, 0, 1, 0));
        db.regroup_due(&rules, at("2026-12-04 16:00:00"))
            .await
            .unwrap();
        assert_eq!(counts(db.group_counts().await.unwrap()), (0, 0, 0, 1));
    }
}
