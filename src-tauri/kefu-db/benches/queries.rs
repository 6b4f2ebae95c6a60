//! Query bench at the size of a big Tmall shop: 1,000,000 buyers with 3,000,000 orders in a
//! fresh SQLite file, written through the same `Db::apply` as an import. Then, from the
//! workbench's point of view: group counts, the first page of each group, a nick-prefix
//! search and an order-number lookup, each repeated with p50/p99 printed.
//!
//! cargo bench -p kefu-db --bench queries
//! (KEFU_BENCH_BUYERS sets the number of buyers, default 1,000,000; orders are 3 per buyer.)

use std::time::{Duration, Instant};

use chrono::{DateTime, TimeZone, Utc};
use kefu_core::followups::Rules;
use kefu_core::{BuyerNick, Fen, Group, Order, OrderNo, OrderStatus};
use kefu_db::{Db, DbUrl};

fn nick(i: u64) -> String {
    format!("买家{i:07}")
}

fn order_no(buyer: u64, k: u64) -> String {
    format!("{}", 30_000_000_000_000_000u64 + buyer * 3 + k)
}

/// Three orders for each buyer of `range`, deterministic, spread over the last 40 days.
fn orders_for(range: std::ops::Range<u64>, now: DateTime<Utc>) -> Vec<Order> {
    let mut out = Vec::with_capacity((range.end - range.start) as usize * 3);
    for b in range {
        for k in 0..3 {
            let mut x = (b * 3 + k + 1).wrapping_mul(0x9E37_79B9_7F4A_7C15);
            x ^= x >> 29;
            // Most orders are long finished; a few percent are unpaid or in transit, as in a
            // real shop's history.
            let status = match x % 100 {
                0..=2 => OrderStatus::AwaitingPayment,
                3..=6 => OrderStatus::AwaitingShipment,
                7..=14 => OrderStatus::Shipped,
                15..=84 => OrderStatus::TradeSuccess,
                _ => OrderStatus::TradeClosed,
            };
            let age = if status == OrderStatus::AwaitingPayment {
                chrono::Duration::minutes((x >> 8) as i64 % (60 * 70))
            } else {
                chrono::Duration::minutes(60 * 24 * 4 + (x >> 8) as i64 % (60 * 24 * 36))
            };
            let created = now - age;
            let paid = (status != OrderStatus::AwaitingPayment
                && status != OrderStatus::TradeClosed)
                .then(|| created + chrono::Duration::minutes(5));
            let shipped = matches!(status, OrderStatus::Shipped | OrderStatus::TradeSuccess)
                .then(|| created + chrono::Duration::hours(20));
            out.push(Order {
                status,
                paid_at: paid,
                shipped_at: shipped,
                title: "纯棉打底衫长袖T恤".into(),
                buyer_message: "请尽快发货，谢谢".into(),
                receiver: "张三".into(),
                address: "浙江省 杭州市 西湖区 文三路100号".into(),
                phone: "13900000000".into(),
                shop_name: "云朵女装旗舰店".into(),
                ..Order::placed(
                    OrderNo::parse(&order_no(b, k)).expect("digits"),
                    BuyerNick::parse(&nick(b)).expect("a nick"),
                    Fen(990 + (x >> 30) as i64 % 90_000),
                    created,
                )
            });
        }
    }
    out
}

fn percentile(sorted: &[Duration], p: f64) -> Duration {
    let i = ((sorted.len() as f64 - 1.0) * p).round() as usize;
    sorted[i]
}

async fn measure<F, Fut>(name: &str, runs: usize, mut f: F)
where
    F: FnMut(usize) -> Fut,
    Fut: std::future::Future<Output = usize>,
{
    // Warm the page cache as an open workbench would have it.
    for i in 0..runs / 10 {
        std::hint::black_box(f(i).await);
    }
    let mut times = Vec::with_capacity(runs);
    let mut rows = 0;
    for i in 0..runs {
        let t = Instant::now();
        rows += f(i).await;
        times.push(t.elapsed());
    }
    times.sort();
    let (p50, p99) = (percentile(&times, 0.50), percentile(&times, 0.99));
    println!(
        "  {name:<34} p50 {:>7.3} ms   p99 {:>7.3} ms   ({} rows/run){}",
        p50.as_secs_f64() * 1e3,
        p99.as_secs_f64() * 1e3,
        rows / runs,
        if p99 > Duration::from_millis(10) {
            "   OVER 10 ms"
        } else {
            ""
        }
    );
}

#[tokio::main]
async fn main() {
    let buyers: u64 = std::env::var("KEFU_BENCH_BUYERS")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(1_000_000);
    let now = Utc
        .with_ymd_and_hms(2026, 11, 22, 8, 0, 0)
        .single()
        .expect("a time");
    let dir = tempfile::tempdir().expect("temp dir");
    let db = Db::open(&DbUrl::from_path(&dir.path().join("desk.db")))
        .await
        .expect("open");
    let t = Instant::now();
    let batch = 250_000;
    let mut start = 0;
    while start < buyers {
        let end = (start + batch).min(buyers);
        db.apply(
            orders_for(start..end, now),
            &[],
            &Rules::default(),
            now,
            |_, _| true,
        )
        .await
        .expect("apply");
        start = end;
    }
    let counts = db.group_counts().await.expect("counts");
    println!(
        "query bench: {buyers} buyers, {} orders written in {:.1} s; groups {counts:?}",
        buyers * 3,
        t.elapsed().as_secs_f64()
    );

    let runs = 2_000;
    measure("group counts", runs, |_| async {
        db.group_counts().await.map(|_| 4).expect("counts")
    })
    .await;
    let db = &db;
    for g in [Group::Inquiry, Group::Order, Group::Shipped, Group::Closed] {
        measure(&format!("first page (50) of {g:?}"), runs, |_| async move {
            db.buyers_in_group(g, 0, 50).await.expect("page").len()
        })
        .await;
    }
    // Dragging the scrollbar of the biggest group to its middle.
    let deep = (counts.closed / 2).max(0);
    measure(
        &format!("page at row {deep} of Closed"),
        runs / 10,
        |_| async move {
            db.buyers_in_group(Group::Closed, deep, 50)
                .await
                .expect("page")
                .len()
        },
    )
    .await;
    measure("nick prefix search (50)", runs, |i| {
        // "买家" and four digits: a prefix shared by 1,000 buyers.
        let q = nick((i as u64 * 7919) % buyers)[..10].to_owned();
        async move { db.search(&q, 50).await.expect("search").len() }
    })
    .await;
    measure("order number lookup", runs, |i| {
        let q = order_no((i as u64 * 104_729) % buyers, i as u64 % 3);
        async move { db.search(&q, 50).await.expect("search").len() }
    })
    .await;
    measure("buyer panel (buyer + orders)", runs, |i| {
        let n = BuyerNick::parse(&nick((i as u64 * 15_485_863) % buyers)).expect("a nick");
        async move {
            db.buyer(&n, &Rules::default())
                .await
                .expect("buyer")
                .orders
                .len()
        }
    })
    .await;
}
