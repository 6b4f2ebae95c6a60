//! Shifts bench: a week suggested for 50 agents with 4 templates over 336 half-hour slots of
//! a shop's demand curve (quiet at night, peaks 10–12, 14–17 and 20–23, busier weekends),
//! staffed by Erlang C from 8 weeks of history; then the grid's recompute after one change.
//!
//! cargo bench -p kefu-core --bench shifts   (AGENTS=41 tries a tighter team)

use std::time::{Duration, Instant};

use chrono::{DateTime, NaiveDate, Utc};
use kefu_core::shifts::{
    arrivals, check, coverage, handling_time, suggest, week_need, DemandSource, Roster, ShiftRules,
    ShiftTemplate, Staffing, Week, SLOTS_PER_DAY, SLOTS_PER_WEEK, SLOT_MINUTES,
};
use kefu_core::ShopTime;

/// Conversations started in a half hour at `hour` (0..24, fractional) on a weekday.
fn curve(hour: f64) -> f64 {
    let bump =
        |centre: f64, width: f64, height: f64| height * (-((hour - centre) / width).powi(2)).exp();
    6.0 + bump(11.0, 1.2, 80.0)
        + bump(15.5, 1.6, 70.0)
        + bump(21.5, 1.4, 95.0)
        + if (9.0..24.0).contains(&hour) {
            25.0
        } else {
            0.0
        }
}

fn main() {
    let shop = ShopTime::SHANGHAI;
    let monday = NaiveDate::from_ymd_opt(2026, 11, 16).expect("date");
    let week = Week::new(monday, shop).expect("a Monday");
    let now: DateTime<Utc> = week.start() + chrono::Duration::hours(9);

    // Eight past weeks of history, each slot's count the curve's (weekends 20 % busier).
    let per_slot: Vec<f64> = (0..SLOTS_PER_WEEK)
        .map(|s| {
            let day = s / SLOTS_PER_DAY;
            let hour = (s % SLOTS_PER_DAY) as f64 / 2.0 + 0.25;
            curve(hour) * if day >= 5 { 1.2 } else { 1.0 }
        })
        .collect();
    let mut events = Vec::new();
    for k in 1..=8 {
        let start = week.start() - chrono::Duration::weeks(k);
        for (s, &n) in per_slot.iter().enumerate() {
            let t = start + chrono::Duration::minutes(s as i64 * SLOT_MINUTES + 7);
            events.extend(std::iter::repeat_n(t, n.round() as usize));
        }
    }
    let t = Instant::now();
    let history = arrivals(&events, DemandSource::Conversations, now, shop).expect("history");
    let handling = handling_time(&[], Staffing::default().fallback_handling_seconds);
    let templates = vec![
        ShiftTemplate::new("夜班", "00:00", "08:00").expect("template"),
        ShiftTemplate::new("早班", "08:00", "16:00").expect("template"),
        ShiftTemplate::new("中班", "12:00", "20:00").expect("template"),
        ShiftTemplate::new("晚班", "16:00", "24:00").expect("template"),
    ];
    // 50 agents of 最大接待量 4 to 6: the pooled load is the median, 5.
    let need = week_need(
        &history,
        &week,
        &[],
        handling,
        5,
        &Staffing::default(),
        &templates,
    )
    .expect("need");
    let demand_time = t.elapsed();
    let roster = Roster {
        agents: (0..std::env::var("AGENTS")
            .ok()
            .and_then(|v| v.parse().ok())
            .unwrap_or(50))
            .map(|i| format!("客服{i}"))
            .collect(),
        ..Roster::default()
    };
    let rules = ShiftRules::default();

    let mut times = Vec::new();
    let mut result = None;
    for _ in 0..5 {
        let t = Instant::now();
        let s = suggest(&week, &need, &roster, &templates, &rules).expect("suggestion");
        times.push(t.elapsed());
        result = Some(s);
    }
    let s = result.expect("ran");
    times.sort();
    let ms = |d: Duration| d.as_secs_f64() * 1e3;
    let need_hours: f64 = need.iter().map(|&n| f64::from(n) / 2.0).sum();
    println!(
        "shifts bench: 50 agents, 4 templates, 336 slots, need {}..{} agents per slot ({need_hours:.0} agent-hours of slots)",
        need.iter().min().unwrap_or(&0),
        need.iter().max().unwrap_or(&0),
    );
    println!(
        "  demand from 8 weeks ({} events)   {:.2} ms",
        events.len(),
        ms(demand_time)
    );
    println!(
        "  suggest a week     min {:.1} ms   median {:.1} ms   (target <= 2000 ms)",
        ms(times[0]),
        ms(times[times.len() / 2])
    );
    println!(
        "  agent-hours {:.1}   LP lower bound {:.1}   ratio {:.4}   (target <= 1.05)",
        s.agent_hours,
        s.lower_bound_hours,
        s.agent_hours / s.lower_bound_hours.max(1e-9)
    );
    println!(
        "  {} shifts, {} short slots, {} dropped, {} warnings",
        s.shifts.len(),
        s.short.len(),
        s.dropped.len(),
        s.warnings.len()
    );

    // One grid change: an agent's shift moves to another template; the coverage strip and
    // the warnings are recomputed from all shifts.
    let mut shifts = s.shifts.clone();
    let runs = 1000;
    let mut cover_times = Vec::with_capacity(runs);
    let mut check_times = Vec::with_capacity(runs);
    let mut short = 0;
    let mut warned = 0;
    for k in 0..runs {
        let i = (k * 7919) % shifts.len();
        let t = &templates[k % templates.len()];
        shifts[i] =
            kefu_core::shifts::Shift::new(&shifts[i].agent.clone(), shifts[i].date, t, shop);
        let t0 = Instant::now();
        let c = std::hint::black_box(coverage(&week, &need, &shifts));
        cover_times.push(t0.elapsed());
        let t1 = Instant::now();
        let w = std::hint::black_box(check(&shifts, &roster.time_off, &rules, shop));
        check_times.push(t1.elapsed());
        short += usize::from(!c.short(&week).is_empty());
        warned += usize::from(!w.is_empty());
    }
    cover_times.sort();
    check_times.sort();
    let at = |v: &[Duration], p: f64| v[((v.len() as f64 - 1.0) * p).round() as usize];
    println!(
        "  coverage after one change   p50 {:.4} ms   p99 {:.4} ms   (target <= 20 ms)",
        ms(at(&cover_times, 0.5)),
        ms(at(&cover_times, 0.99))
    );
    println!(
        "  rule check after one change p50 {:.4} ms   p99 {:.4} ms   (edits pile up: after {short} of {runs} a slot was short, after {warned} a rule broken)",
        ms(at(&check_times, 0.5)),
        ms(at(&check_times, 0.99))
    );
}
