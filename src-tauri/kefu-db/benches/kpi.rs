//! 绩效's read at shop scale: a SQLite file with 1,000,000 orders over 60 days (written
//! through `Db::apply`, as an import writes them) and the service facts of 300,000
//! conversations (1.9M rows, as in kefu-core's kpi bench), then a month's report as the
//! window asks for it: the history read (`Db::kpi_history`), indexed, and the month with its
//! 30 days. Prints each stage.
//!
//! cargo bench -p kefu-db --bench kpi
//! (KEFU_BENCH_DB=path keeps the database there and reuses it on the next run.)

use std::time::Instant;

use chrono::{DateTime, Duration, NaiveDate, Utc};
use kefu_core::followups::Rules;
use kefu_core::kpi::{Index, KpiRules, Period};
use kefu_core::{BuyerNick, Fen, Order, OrderNo, OrderStatus};
use kefu_db::{Db, DbUrl};
use sqlx::any::AnyPoolOptions;

#[tokio::main]
async fn main() {
    let start: DateTime<Utc> = DateTime::parse_from_rfc3339("2026-10-01T00:00:00+08:00")
        .expect("a time")
        .with_timezone(&Utc);
    let now = start + Duration::days(70);
    let dir = tempfile::tempdir().expect("temp dir");
    let path = std::env::var_os("KEFU_BENCH_DB")
        .map(std::path::PathBuf::from)
        .unwrap_or_else(|| dir.path().join("desk.db"));
    let reuse = path.exists();
    let db = Db::open(&DbUrl::from_path(&path)).await.expect("open");
    if !reuse {
        populate(&db, &path, start, now).await;
    }
    read(&db, now).await;
}

async fn populate(db: &Db, path: &std::path::Path, start: DateTime<Utc>, now: DateTime<Utc>) {
    let mut x: u64 = 0x9E37_79B9_7F4A_7C15;
    let mut next = move |n: u64| {
        x ^= x << 13;
        x ^= x >> 7;
        x ^= x << 17;
        x % n
    };
    let span = 60 * 86_400;
    let buyers = 400_000u64;
    let nick = |b: u64| format!("买家{b:06}");

    let t = Instant::now();
    let mut unpaid = Vec::new();
    for batch in 0..4u64 {
        let mut orders = Vec::with_capacity(250_000);
        for i in batch * 250_000..(batch + 1) * 250_000 {
            let b = next(buyers);
            let created = start + Duration::seconds(next(span) as i64);
            let paid = (next(4) != 0).then(|| created + Duration::seconds(next(2 * 86_400) as i64));
            let refunded = paid.is_some() && next(20) == 0;
            if paid.is_none() && next(5) == 0 {
                unpaid.push((b, i, created));
            }
            let no = 40_000_000_000_000_000u64 + i;
            orders.push(Order {
                status: match (paid, refunded) {
                    (None, _) => OrderStatus::AwaitingPayment,
                    (Some(_), true) => OrderStatus::TradeClosed,
                    (Some(_), false) => OrderStatus::TradeSuccess,
                },
                paid_at: paid,
                ..Order::placed(
                    OrderNo::parse(&no.to_string()).expect("digits"),
                    BuyerNick::parse(&nick(b)).expect("a nick"),
                    Fen(1_000 + next(50_000) as i64),
                    created,
                )
            });
        }
        db.apply(orders, &[], &Rules::default(), now, |_, _| true)
            .await
            .expect("apply");
    }
    let orders_took = t.elapsed();

    // The facts as the triggers and message reports write them, inserted directly.
    let t = Instant::now();
    let mut rows: Vec<(i64, &str, String, String, String)> = Vec::with_capacity(2_000_000);
    let agents: Vec<String> = (0..12).map(|i| format!("客服{i}")).collect();
    for _ in 0..300_000 {
        let b = nick(next(buyers));
        let at = (start + Duration::seconds(next(span) as i64)).timestamp();
        let agent = agents[next(12) as usize].clone();
        rows.push((at, "received", b.clone(), agent.clone(), String::new()));
        rows.push((at + 20, "greeted", b.clone(), agent.clone(), String::new()));
        for k in 0..2 {
            let m = at + 60 + 240 * k;
            rows.push((m, "buyer_message", b.clone(), agent.clone(), String::new()));
            let reply = m + next(300) as i64;
            rows.push((
                reply,
                "agent_message",
                b.clone(),
                agent.clone(),
                String::new(),
            ));
        }
        if next(10) == 0 {
            let to = agents[next(12) as usize].clone();
            rows.push((
                at + 900,
                "transferred",
                b.clone(),
                agent.clone(),
                String::new(),
            ));
            rows.push((at + 900, "received", b, to, String::new()));
        }
    }
    for (b, i, created) in unpaid {
        let no = (40_000_000_000_000_000u64 + i).to_string();
        let agent = agents[next(12) as usize].clone();
        let at = (created + Duration::hours(1)).timestamp();
        rows.push((at, "chased", nick(b), agent, no));
    }
    // The database writes facts as they happen: in time order.
    rows.sort_by_key(|r| r.0);
    sqlx::any::install_default_drivers();
    let url = format!("sqlite://{}", path.display());
    let pool = AnyPoolOptions::new()
        .max_connections(1)
        .connect(&url)
        .await
        .expect("connect");
    let mut tx = pool.begin().await.expect("begin");
    for chunk in rows.chunks(500) {
        let mut sql = String::from(
            "INSERT INTO service_facts (at, kind, buyer_nick, agent, order_no) VALUES ",
        );
        for (k, _) in chunk.iter().enumerate() {
            let p = k * 5;
            if k > 0 {
                sql.push(',');
            }
            sql.push_str(&format!(
                "(${}, ${}, ${}, ${}, ${})",
                p + 1,
                p + 2,
                p + 3,
                p + 4,
                p + 5
            ));
        }
        let mut q = sqlx::query(&sql);
        for (at, kind, b, agent, order) in chunk {
            q = q
                .bind(*at)
                .bind(*kind)
                .bind(b.as_str())
                .bind(agent.as_str())
                .bind(order.as_str());
        }
        q.execute(&mut *tx).await.expect("insert facts");
    }
    tx.commit().await.expect("commit");
    pool.close().await;
    println!(
        "kpi read bench: 1,000,000 orders written in {:.1} s, {} facts in {:.1} s",
        orders_took.as_secs_f64(),
        rows.len(),
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
