//! 绩效 bench: a month's report at shop scale, in the core (the history of
//! `kpi::sample`: 1,000,000 orders over 60 days, 300,000 conversations, 12 agents); the
//! month's report per agent and the team, and the same day by day (the 绩效 view's trend),
//! as the window asks for them. Prints the time to index the history and the reports, and
//! a digest of every figure, so that a faster fold can be checked to give the same answers.
//!
//! cargo bench -p kefu-core --bench kpi

use std::time::Instant;

use chrono::{Duration, NaiveDate};
use kefu_core::kpi::{sample, Index, KpiRules, Period};

fn main() {
    let t0 = Instant::now();
    let sample::Sample {
        start,
        facts,
        orders,
    } = sample::history();
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
        let t = Instant::now();
        let (report, day_reports) = index.report_by_day(month, true, now, None);
        let summed = t.elapsed();
        let days: usize = day_reports.iter().map(|r| r.agents.len()).sum();
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
