//! 绩效 bench: a month's report at shop scale, in the core. 1,000,000 orders over 60 days
//! and 300,000 conversations (received, greeted, two buyer and two agent messages each, a
//! tenth transferred, chases for a fifth of the unpaid orders), 12 agents; then the month's
//! report per agent and the team, and the same day by day (the 绩效 view's trend), as the
//! window asks for them. Prints the time to index the history and each report.
//!
//! cargo bench -p kefu-core --bench kpi

use std::time::Instant;

use chrono::{DateTime, Duration, NaiveDate, Utc};
use kefu_core::kpi::{Fact, FactKind, Index, KpiRules, OrderFact, Period};
use kefu_core::Fen;

fn main() {
    let mut x: u64 = 0x9E37_79B9_7F4A_7C15;
    let mut next = move |n: u64| {
        x ^= x << 13;
        x ^= x >> 7;
        x ^= x << 17;
        x % n
    };
    let start: DateTime<Utc> = DateTime::parse_from_rfc3339("2026-10-01T00:00:00+08:00")
        .expect("a time")
        .with_timezone(&Utc);
    let span = 60 * 86_400;
    let agents: Vec<String> = (0..12).map(|i| format!("客服{i}")).collect();
    let buyers = 400_000u64;
    let t0 = Instant::now();
    let mut facts = Vec::with_capacity(2_500_000);
    let fact = |at: DateTime<Utc>, kind, buyer: u64, agent: &str| Fact {
        at,
        kind,
        buyer: format!("买家{buyer}"),
        agent: agent.to_owned(),
        other: String::new(),
        order: String::new(),
    };
    for _ in 0..300_000 {
        let buyer = next(buyers);
        let at = start + Duration::seconds(next(span) as i64);
        let agent = &agents[next(12) as usize];
        facts.push(fact(at, FactKind::Received, buyer, agent));
        facts.push(fact(
            at + Duration::seconds(20),
            FactKind::Greeted,
            buyer,
            agent,
        ));
        for k in 0..2 {
            let t = at + Duration::seconds(60 + 240 * k);
            facts.push(fact(t, FactKind::BuyerMessage, buyer, agent));
            facts.push(fact(
                t + Duration::seconds(next(300) as i64),
                FactKind::AgentMessage,
                buyer,
                agent,
            ));
        }
        if next(10) == 0 {
            let to = &agents[next(12) as usize];
            let t = at + Duration::seconds(900);
            facts.push(fact(t, FactKind::Transferred, buyer, agent));
            facts.push(fact(t, FactKind::Received, buyer, to));
        }
    }
    let mut orders = Vec::with_capacity(1_000_000);
    for i in 0..1_000_000u64 {
        let buyer = next(buyers);
        let created = start + Duration::seconds(next(span) as i64);
        let paid = (next(4) != 0).then(|| created + Duration::seconds(next(2 * 86_400) as i64));
        if paid.is_none() && next(5) == 0 {
            facts.push(Fact {
                order: i.to_string(),
                ..fact(
                    created + Duration::hours(1),
                    FactKind::Chased,
                    buyer,
                    &agents[next(12) as usize],
                )
            });
        }
        orders.push(OrderFact {
            no: i.to_string(),
            buyer: format!("买家{buyer}"),
            created_at: created,
            paid_at: paid,
            amount: Fen(1_000 + next(50_000) as i64),
            refunded: next(20) == 0,
        });
    }
    // As the database returns them (ORDER BY at).
    facts.sort_by_key(|f| f.at);
    println!(
        "history: {} facts, {} orders, made in {:.1} s",
        facts.len(),
        orders.len(),
        t0.elapsed().as_secs_f64()
    );
    let now = start + Duration::days(70);
    let month = Period::new(
        NaiveDate::from_ymd_opt(2026, 11, 1).expect("a date"),
        NaiveDate::from_ymd_opt(2026, 11, 30).expect("a date"),
    )
    .expect("a month");
    for round in 0..3 {
        let t = Instant::now();
        let index = Index::new(&facts, &orders, KpiRules::default());
        let indexed = t.elapsed();
        // The month and its days together, as the window asks for them.
        let t = Instant::now();
        let periods: Vec<Period> = std::iter::once(month)
            .chain(month.days().map(Period::day))
            .collect();
        let mut day_reports = index.reports(&periods, now, None);
        let report = day_reports.remove(0);
        let summed = t.elapsed();
        let days: usize = day_reports.iter().map(|r| r.agents.len()).sum();
        // A digest of every figure, so a faster fold can be checked to give the same answers.
        let digest = {
            let mut h = std::collections::hash_map::DefaultHasher::new();
            std::hash::Hash::hash(&format!("{report:?}{day_reports:?}"), &mut h);
            std::hash::Hasher::finish(&h)
        };
        println!(
            "run {round}: index {:.0} ms · month and 30 day reports {:.0} ms ({} receptions, {days} rows) · total {:.0} ms · digest {digest:016x}",
            indexed.as_secs_f64() * 1e3,
            summed.as_secs_f64() * 1e3,
            report.team.as_ref().map_or(0, |f| f.received),
            (indexed + summed).as_secs_f64() * 1e3,
        );
    }
}
