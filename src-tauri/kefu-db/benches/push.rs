//! Live-push bench: one PC reports a new buyer; how long until another PC's watch wakes.
//! On PostgreSQL that is LISTEN/NOTIFY; on the SQLite file it is the once-a-second check.
//! Twice: new buyers a moment apart (a PC announces its claim at once), and back to back
//! (a PC announces a burst of claims together, within 250 ms, see kefu-db's `announce`).
//!
//! KEFU_TEST_BACKEND=postgres KEFU_TEST_POSTGRES=postgres://… cargo bench -p kefu-db --bench push
//! (without them, on a SQLite file). KEFU_BENCH_PUSHES sets the count of each, default 100.

use std::time::{Duration, Instant};

use chrono::{TimeZone, Utc};
use kefu_core::followups::Rules;
use kefu_core::team::TeamRules;
use kefu_core::BuyerNick;
use kefu_db::{scratch, Backend, Db, Scratch};

#[tokio::main]
async fn main() {
    let pushes: usize = std::env::var("KEFU_BENCH_PUSHES")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(100);
    let now = Utc
        .with_ymd_and_hms(2026, 11, 23, 4, 0, 0)
        .single()
        .expect("time");
    let scratch = Scratch::new().await.expect("scratch");
    let here = Db::open(&scratch.url).await.expect("open");
    let there = Db::open(&scratch.url).await.expect("open");
    let rules = TeamRules::default();
    scratch::online_agents(&here, ["小美".to_owned()], 9_999, now)
        .await
        .expect("the team");
    let mut watch = there.watch().await.expect("watch");
    // Let the setup's own changes pass.
    while watch
        .next_change(Duration::from_millis(1_100))
        .await
        .expect("watch")
    {}
    let backend = match Scratch::backend() {
        Backend::Sqlite => "SQLite file, checked every second",
        Backend::Postgres => "PostgreSQL LISTEN/NOTIFY",
    };
    println!("push bench ({backend}): new buyers, commit → other PC's watch wakes");
    for (label, apart) in [
        ("a moment apart", Duration::from_millis(300)),
        ("back to back  ", Duration::ZERO),
    ] {
        let mut waits = Vec::with_capacity(pushes);
        for i in 0..pushes {
            tokio::time::sleep(apart).await;
            let nick =
                BuyerNick::parse(&format!("买家{}-{i:05}", apart.as_millis())).expect("nick");
            let start = Instant::now();
            here.new_inquiry(&nick, "在吗", &rules, &Rules::default(), now)
                .await
                .expect("inquiry");
            let committed = start.elapsed();
            let mut seen = false;
            while !seen {
                seen = watch
                    // What the app's watch loop waits at most, too.
                    .next_change(Duration::from_secs(1))
                    .await
                    .expect("watch");
                assert!(
                    seen || start.elapsed() < Duration::from_secs(5),
                    "never seen"
                );
            }
            waits.push(start.elapsed() - committed);
        }
        waits.sort();
        let at = |q: f64| waits[((waits.len() as f64 * q) as usize).min(waits.len() - 1)];
        println!(
            "  {label} ({pushes}): p50 {:.1} ms   p99 {:.1} ms   max {:.1} ms",
            at(0.5).as_secs_f64() * 1e3,
            at(0.99).as_secs_f64() * 1e3,
            at(1.0).as_secs_f64() * 1e3
        );
    }
}
