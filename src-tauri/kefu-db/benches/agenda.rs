//! Agenda bench: 1,000,000 pending follow-ups (paid orders waiting for shipment, each
//! planned a delayed-shipment follow-up), written through the same `Db::apply` as an
//! import. Then the scheduler's questions, p50/p99: when is the next one due, which are
//! due now (the step with nothing to announce, and with a handful to announce), and the
//! agent's agenda page.
//!
//! cargo bench -p kefu-db --bench agenda
//! (KEFU_BENCH_FOLLOWUPS sets the number, default 1,000,000.)

use std::time::{Duration, Instant};

use chrono::{TimeZone, Utc};
use kefu_core::followups::Rules;
use kefu_core::{BuyerNick, Fen, Order, OrderNo};
use kefu_db::{Db, DbUrl};

fn paid_order(i: u64, paid: chrono::DateTime<Utc>) -> Order {
    Order {
        title: "纯棉打底衫长袖T恤".into(),
        receiver: "张三".into(),
        address: "浙江省 杭州市 西湖区 文三路100号".into(),
        phone: "13900000000".into(),
        shop_name: "云朵女装旗舰店".into(),
        ..Order::placed(
            OrderNo::parse(&format!("{}", 20_000_000_000_000_000u64 + i)).expect("digits"),
            BuyerNick::parse(&format!("买家{i:07}")).expect("a nick"),
            Fen(9_900),
            paid - chrono::Duration::minutes(3),
        )
        .paid(paid)
    }
}

fn report(name: &str, mut times: Vec<Duration>, target: Option<Duration>) {
    times.sort();
    let at = |p: f64| times[((times.len() as f64 - 1.0) * p).round() as usize];
    let (p50, p99) = (at(0.5), at(0.99));
    println!(
        "  {name:<44} p50 {:>8.3} ms   p99 {:>8.3} ms{}",
        p50.as_secs_f64() * 1e3,
        p99.as_secs_f64() * 1e3,
        match target {
            Some(t) if p99 > t => format!("   OVER {} ms", t.as_millis()),
            _ => String::new(),
        }
    );
}

#[tokio::main]
async fn main() {
    let n: u64 = std::env::var("KEFU_BENCH_FOLLOWUPS")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(1_000_000);
    let now = Utc
        .with_ymd_and_hms(2026, 11, 22, 2, 0, 0)
        .single()
        .expect("a time");
    let rules = Rules::default();
    let dir = tempfile::tempdir().expect("temp dir");
    let db = Db::open(&DbUrl::from_path(&dir.path().join("desk.db")))
        .await
        .expect("open");
    // Paid over the last 47 hours: every follow-up falls due within the next hour or
    // two days, none yet.
    let t = Instant::now();
    let batch = 250_000;
    let mut start = 0;
    while start < n {
        let end = (start + batch).min(n);
        let orders: Vec<Order> = (start..end)
            .map(|i| {
                paid_order(
                    i,
                    now - chrono::Duration::minutes(47 * 60 - (i % (47 * 60)) as i64),
                )
            })
            .collect();
        db.apply(orders, &[], &rules, now, |_, _| true)
            .await
            .expect("apply");
        start = end;
    }
    let everyone = db.agenda(now, None, 1).await.expect("agenda");
    println!(
        "agenda bench: {n} pending follow-ups written in {:.1} s (due now: {})",
        t.elapsed().as_secs_f64(),
        everyone.due.len() + everyone.overdue.len()
    );

    let runs = 2_000;
    let mut times = Vec::with_capacity(runs);
    for _ in 0..runs {
        let t = Instant::now();
        std::hint::black_box(db.next_wake(None).await.expect("next"));
        times.push(t.elapsed());
    }
    report("next due follow-up", times, Some(Duration::from_millis(5)));

    let mut times = Vec::with_capacity(runs);
    for _ in 0..runs {
        let t = Instant::now();
        let (fired, _) = db.run_due(now, None, &rules).await.expect("run");
        assert!(fired.is_empty());
        times.push(t.elapsed());
    }
    report(
        "scheduler step, nothing due",
        times,
        Some(Duration::from_millis(5)),
    );

    // Move the clock a minute at a time: each step announces the ~21 that fell due.
    let mut times = Vec::with_capacity(200);
    let mut announced = 0;
    for k in 1..=200 {
        let at = now + chrono::Duration::minutes(k);
        let t = Instant::now();
        let (fired, _) = db.run_due(at, None, &rules).await.expect("run");
        times.push(t.elapsed());
        announced += fired.total() as usize;
    }
    report(
        &format!("scheduler step, {} due a minute", announced / 200),
        times,
        None,
    );

    let mut times = Vec::with_capacity(200);
    let later = now + chrono::Duration::minutes(200);
    for _ in 0..200 {
        let t = Instant::now();
        std::hint::black_box(db.agenda(later, Some("客服"), 500).await.expect("agenda"));
        times.push(t.elapsed());
    }
    report("agenda (overdue, due, next 24 h; 500 each)", times, None);

    let mut times = Vec::with_capacity(200);
    for _ in 0..200 {
        let t = Instant::now();
        std::hint::black_box(db.due_count(later).await.expect("count"));
        times.push(t.elapsed());
    }
    report("due count (tray)", times, None);
}
