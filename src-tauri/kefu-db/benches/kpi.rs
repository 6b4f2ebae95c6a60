//! 绩效's read at shop scale: a SQLite file holding kefu-core's `kpi::sample` history
//! (1,000,000 orders written through `Db::apply`, as an import writes them, and the 1.9M
//! service facts of 300,000 conversations), then a month's report as the
//! window asks for it: the history read (`Db::kpi_history`), indexed, and the month with its
//! 30 days. Prints each stage.
//!
//! cargo bench -p kefu-db --bench kpi
//! (KEFU_BENCH_DB=path keeps the database there and reuses it on the next run.)

use std::time::Instant;

use chrono::{DateTime, Duration, NaiveDate, Utc};
use kefu_core::followups::Rules;
use kefu_core::kpi::{sample, Index, KpiRules, Period};
use kefu_core::{BuyerNick, Order, OrderNo, OrderStatus};
use kefu_db::{Db, DbUrl};
use sqlx::any::AnyPoolOptions;

#[tokio::main]
async fn main() {
    let sample = sample::history();
    let now = sample.start + Duration::days(70);
    let dir = tempfile::tempdir().expect("temp dir");
    let path = std::env::var_os("KEFU_BENCH_DB")
        .map(std::path::PathBuf::from)
        .unwrap_or_else(|| dir.path().join("desk.db"));
    let reuse = path.exists();
    let db = Db::open(&DbUrl::from_path(&path)).await.expect("open");
    if !reuse {
        populate(&db, &path, &sample, now).await;
    }
    read(&db, now).await;
}

async fn populate(db: &Db, path: &std::path::Path, sample: &sample::Sample, now: DateTime<Utc>) {
    let t = Instant::now();
    for chunk in sample.orders.chunks(250_000) {
        let orders: Vec<Order> = chunk
            .iter()
            .map(|o| Order {
                status: match (o.paid_at, o.refunded) {
                    (None, _) => OrderStatus::AwaitingPayment,
                    (Some(_), true) => OrderStatus::TradeClosed,
                    (Some(_), false) => OrderStatus::TradeSuccess,
                },
                paid_at: o.paid_at,
                ..Order::placed(
                    OrderNo::parse(&o.no).expect("digits"),
                    BuyerNick::parse(&o.buyer).expect("a nick"),
                    o.amount,
                    o.created_at,
                )
            })
            .collect();
        db.apply(orders, &[], &Rules::default(), now, |_, _| true)
            .await
            .expect("apply");
    }
    let orders_took = t.elapsed();

    // The facts as the triggers and message reports write them, inserted directly.
    let t = Instant::now();
    sqlx::any::install_default_drivers();
    let url = format!("sqlite://{}", path.display());
    let pool = AnyPoolOptions::new()
        .max_connections(1)
        .connect(&url)
        .await
        .expect("connect");
    let mut tx = pool.begin().await.expect("begin");
    for chunk in sample.facts.chunks(500) {
        let mut sql = String::from(
            "INSERT INTO service_facts (at, kind, buyer_nick, agent, other, order_no) VALUES ",
        );
        for k in 0..chunk.len() {
            let p = k * 6;
            if k > 0 {
                sql.push(',');
            }
            sql.push_str(&format!(
                "(${}, ${}, ${}, ${}, ${}, ${})",
                p + 1,
                p + 2,
                p + 3,
                p + 4,
                p + 5,
                p + 6
            ));
        }
        let mut q = sqlx::query(&sql);
        for f in chunk {
            q = q
                .bind(f.at.timestamp())
                .bind(f.kind.code())
                .bind(f.buyer.as_str())
                .bind(f.agent.as_str())
                .bind(f.other.as_str())
                .bind(f.order.as_str());
        }
        q.execute(&mut *tx).await.expect("insert facts");
    }
    tx.commit().await.expect("commit");
    pool.close().await;
    println!(
        "kpi read bench: {} orders written in {:.1} s, {} facts in {:.1} s",
        sample.orders.len(),
        orders_took.as_secs_f64(),
        sample.facts.len(),
        t.elapsed().as_secs_f64()
    );
}

async fn read(db: &Db, now: DateTime<Utc>) {
    let rules = KpiRules::default();
    let month = Period::new(
        NaiveDate::from_ymd_opt(2026, 11, 1).expect("a date"),
        NaiveDate::from_ymd_opt(2026, 11, 30).expect("a date"),
    )
    .expect("a month");
    let (from, to) = month.bounds(rules.shop_time);
    // The desk's reach around the period: the settling window and an unpaid order's close.
    let margin = rules.settle() + Duration::days(4);
    for round in 0..3 {
        let t = Instant::now();
        let (facts, orders) = db.kpi_history(from, to, margin).await.expect("history");
        let read = t.elapsed();
        let t = Instant::now();
        let index = Index::new(&facts, &orders, rules);
        let indexed = t.elapsed();
        let t = Instant::now();
        let (report, days) = index.report_by_day(month, true, now, None);
        let reported = t.elapsed();
        println!(
            "run {round}: read {:.0} ms ({} facts, {} orders) · index {:.0} ms · month and {} days {:.0} ms ({} receptions) · total {:.0} ms",
            read.as_secs_f64() * 1e3,
            facts.len(),
            orders.len(),
            indexed.as_secs_f64() * 1e3,
            days.len(),
            reported.as_secs_f64() * 1e3,
            report.team.as_ref().map_or(0, |f| f.received),
            (read + indexed + reported).as_secs_f64() * 1e3,
        );
    }
}
