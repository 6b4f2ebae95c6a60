//! Claims bench: 32 concurrent clients (each its own
//! connection pool, as separate PCs would have) report new buyers to 50 online agents at
//! once. Prints claims per second and checks that no buyer was assigned twice and no load
//! passed its maximum.
//!
//! cargo bench -p kefu-db --bench claims
//! (KEFU_BENCH_CLAIMS sets the number of buyers, default 20,000. On the embedded SQLite
//! file by default; on PostgreSQL with KEFU_TEST_BACKEND=postgres and KEFU_TEST_POSTGRES,
//! see `kefu_db::Scratch`.)

use std::collections::HashSet;
use std::time::Instant;

use chrono::{TimeZone, Utc};
use kefu_core::followups::Rules;
use kefu_core::team::TeamRules;
use kefu_core::BuyerNick;
use kefu_db::{scratch, Backend, Db, Scratch};

#[tokio::main]
async fn main() {
    let total: usize = std::env::var("KEFU_BENCH_CLAIMS")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(20_000);
    let clients = 32;
    let now = Utc
        .with_ymd_and_hms(2026, 11, 23, 4, 0, 0)
        .single()
        .expect("time");
    let scratch = Scratch::new().await.expect("scratch");
    let url = scratch.url.clone();
    let setup = Db::open(&url).await.expect("open");
    let rules = TeamRules::default();
    scratch::online_agents(&setup, (0..50).map(|i| format!("客服{i}")), 1_000, now)
        .await
        .expect("the team");
    let per_client = total / clients;
    // Each PC opens its database once, at start.
    let mut pcs = Vec::new();
    for _ in 0..clients {
        pcs.push(Db::open(&url).await.expect("open"));
    }
    let start = Instant::now();
    let mut tasks = Vec::new();
    for (c, db) in pcs.into_iter().enumerate() {
        tasks.push(tokio::spawn(async move {
            let rules = TeamRules::default();
            for k in 0..per_client {
                let nick = BuyerNick::parse(&format!("买家{c:02}-{k:05}")).expect("nick");
                db.new_inquiry(&nick, "", &rules, &Rules::default(), now)
                    .await
                    .expect("inquiry");
            }
        }));
    }
    for t in tasks {
        t.await.expect("client");
    }
    let elapsed = start.elapsed();
    let open = setup.conversations(None).await.expect("open");
    let unique: HashSet<&str> = open.iter().map(|c| c.buyer_nick.as_str()).collect();
    let claims = clients * per_client;
    assert_eq!(open.len(), claims, "every buyer assigned");
    assert_eq!(unique.len(), claims, "no buyer assigned twice");
    for m in setup.team(now, &rules).await.expect("team") {
        assert!(m.agent.load <= m.agent.max_load);
    }
    let backend = match Scratch::backend() {
        Backend::Sqlite => "SQLite, one file",
        Backend::Postgres => "PostgreSQL",
    };
    println!("claims bench ({backend}): {claims} new buyers from {clients} clients");
    println!(
        "  {:.0} claims/s   ({:.1} s; 0 double assignments, no load over its maximum)",
        claims as f64 / elapsed.as_secs_f64(),
        elapsed.as_secs_f64()
    );
}
