//! Routing bench: picking an agent for a new buyer among 500 (mixed states, loads, weights,
//! some sticky), p50/p99 of single decisions.
//!
//! cargo bench -p kefu-core --bench routing

use std::time::{Duration, Instant};

use chrono::DateTime;
use kefu_core::team::{route, Agent, AgentState, Role, Served, TeamRules};

fn main() {
    let now = DateTime::from_timestamp(1_795_000_000, 0).expect("time");
    let mut x: u64 = 0x2545_F491_4F6C_DD1D;
    let mut next = || {
        x ^= x << 13;
        x ^= x >> 7;
        x ^= x << 17;
        x
    };
    let agents: Vec<Agent> = (0..500)
        .map(|i| {
            let r = next();
            let max = 4 + (r % 12) as u32;
            Agent {
                id: i,
                name: format!("客服{i}"),
                role: if i == 0 { Role::Main } else { Role::Agent },
                state: match r % 10 {
                    0..=5 => AgentState::Online,
                    6..=7 => AgentState::Suspended,
                    _ => AgentState::Offline,
                },
                in_routing: i != 0,
                max_load: max,
                weight: 1 + (r >> 8) as u32 % 3,
                load: (r >> 16) as u32 % (max + 1),
                idle_since: now - chrono::Duration::seconds((r >> 24) as i64 % 3600),
                last_seen: Some(now - chrono::Duration::seconds((r >> 32) as i64 % 50)),
                duty: kefu_core::team::Duty::Unscheduled,
            }
        })
        .collect();
    let rules = TeamRules::default();
    let runs = 100_000;
    let mut times = Vec::with_capacity(runs);
    let mut assigned = 0usize;
    for k in 0..runs {
        let r = next();
        let served = (k % 3 == 0).then(|| Served {
            agent_id: (r % 500) as i64,
            at: now - chrono::Duration::hours((r >> 10) as i64 % 100),
        });
        let t = Instant::now();
        let d = std::hint::black_box(route(served.as_ref(), &agents, now, &rules));
        times.push(t.elapsed());
        if matches!(d, kefu_core::team::Decision::Assign { .. }) {
            assigned += 1;
        }
    }
    times.sort();
    let at = |p: f64| times[((times.len() as f64 - 1.0) * p).round() as usize];
    let ms = |d: Duration| d.as_secs_f64() * 1e3;
    println!("routing bench: {runs} decisions among 500 agents ({assigned} assigned)");
    println!(
        "  pick an agent    p50 {:.4} ms   p99 {:.4} ms   (target p99 <= 1 ms)",
        ms(at(0.5)),
        ms(at(0.99))
    );
}
