//! The suggested week: the fewest agent-hours that cover every half hour's need and break
//! no rule.
//!
//! Three steps. (1) An integer program over how many agents work each template on each day
//! (28 counts for 4 templates, not a yes/no per agent, day and template, so it solves in
//! milliseconds for any team size): minimum hours subject to every slot's need, with
//! shortfall allowed at a price above any shift's hours, so a team too small still gets a
//! plan for what it can cover. Necessary conditions of the per-agent rules bound the counts
//! (agents free each day, the team's weekly hours, one rest day each, rest between two
//! days' templates). (2) The counts go to agents one by one, each time to the agent who keeps
//! every rule and has the fewest nights, then weekend shifts, then has the fewest hours,
//! then keeps yesterday's template, or else through one swap with a teammate (`assign`).
//! (3) Slots still short get the shift that covers most of them per hour; shifts no slot
//! needs are taken back; the rule checker sees the result last.

use std::collections::HashSet;
use std::ops::Range;

use chrono::NaiveDate;
use microlp::{ComparisonOp, OptimizationDirection, Problem, SolveOptions, Variable};
use serde::{Deserialize, Serialize};

use super::assign::Board;
use super::{
    check_slots, coverage, Roster, Shift, ShiftRules, ShiftTemplate, ShortSlot, Warning, Week,
    SLOT_MINUTES,
};
use crate::error::{Error, Result};

/// Branch-and-bound nodes at most: the count model is nearly an interval matrix, whose
/// relaxation is already integral, so real weeks need a handful. A node limit, not a time
/// limit, keeps the result the same on every machine.
const NODE_LIMIT: u64 = 2_000;

/// Shifts the integer program asked for that no agent could take, even through a swap
/// (each would have broken a rule). Step (3) may still have covered their hours otherwise:
/// `Suggestion::short` says what is left short.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Dropped {
    pub date: NaiveDate,
    pub template: String,
    pub count: u32,
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Suggestion {
    /// The new shifts (the roster's fixed shifts are kept and not repeated here).
    pub shifts: Vec<Shift>,
    pub agent_hours: f64,
    /// The linear-programming bound on the hours of any schedule covering the need left by
    /// the fixed shifts: `agent_hours` is at least this whenever nothing is short.
    pub lower_bound_hours: f64,
    pub short: Vec<ShortSlot>,
    pub dropped: Vec<Dropped>,
    /// The checker on fixed and new shifts together: empty unless the fixed shifts already
    /// break a rule.
    pub warnings: Vec<Warning>,
}

/// A template on a day of the week and the slots it covers.
#[derive(Clone, Debug)]
pub(crate) struct Column {
    pub template: usize,
    pub day: usize,
    pub slots: Range<usize>,
    pub hours: f64,
}

pub(crate) fn columns(week: &Week, templates: &[ShiftTemplate]) -> Vec<Column> {
    (0..7)
        .flat_map(|day| {
            templates.iter().enumerate().map(move |(i, t)| Column {
                template: i,
                day,
                slots: week.template_slots(t, day),
                hours: t.hours(),
            })
        })
        .filter(|c| !c.slots.is_empty())
        .collect()
}

fn check_templates(templates: &[ShiftTemplate]) -> Result<()> {
    let mut seen = HashSet::new();
    if templates.is_empty() {
        return Err(Error::invalid(
            "templates",
            "",
            "at least one shift template",
        ));
    }
    for t in templates {
        if !seen.insert(t.name.as_str()) {
            return Err(Error::invalid(
                "templates",
                &t.name,
                "two templates share a name",
            ));
        }
    }
    Ok(())
}

/// The fewest agent-hours that cover `need` (agents per slot of `week`) with `templates`
/// on the week's days, counted fractionally (the linear relaxation): no schedule of whole
/// shifts does better. Slots no template covers are left out. Pass the need that remains
/// after any fixed shifts.
pub fn lower_bound_hours(week: &Week, need: &[u32], templates: &[ShiftTemplate]) -> Result<f64> {
    check_slots("need", need)?;
    check_templates(templates)?;
    Ok(relaxed_hours(&columns(week, templates), need))
}

fn relaxed_hours(cols: &[Column], need: &[u32]) -> f64 {
    match relaxed(cols, need) {
        Some((hours, _)) => hours,
        // Each agent-slot takes half an hour of some shift: weaker, and always true.
        None => need
            .iter()
            .enumerate()
            .filter(|(s, _)| cols.iter().any(|c| c.slots.contains(s)))
            .map(|(_, &n)| f64::from(n) * SLOT_MINUTES as f64 / 60.0)
            .sum(),
    }
}

/// The relaxation's hours and fractional counts per column; None if the solver fails.
fn relaxed(cols: &[Column], need: &[u32]) -> Option<(f64, Vec<f64>)> {
    let mut p = Problem::new(OptimizationDirection::Minimize);
    let vars: Vec<Variable> = cols
        .iter()
        .map(|c| p.add_var(c.hours, (0.0, f64::INFINITY)))
        .collect();
    let mut rows = 0;
    for (s, &n) in need.iter().enumerate() {
        let terms = covering(cols, &vars, s);
        if n > 0 && !terms.is_empty() {
            p.add_constraint(terms, ComparisonOp::Ge, f64::from(n));
            rows += 1;
        }
    }
    if rows == 0 {
        return Some((0.0, vec![0.0; cols.len()]));
    }
    let sol = p.solve().ok()?.into_solution().ok()?;
    Some((
        sol.objective(),
        vars.iter().map(|&v| sol.var_value(v)).collect(),
    ))
}

fn covering(cols: &[Column], vars: &[Variable], slot: usize) -> Vec<(Variable, f64)> {
    cols.iter()
        .zip(vars)
        .filter(|(c, _)| c.slots.contains(&slot))
        .map(|(_, &v)| (v, 1.0))
        .collect()
}

/// Suggests the week's shifts for `roster.agents` on top of `roster.fixed`, for `need`
/// agents per slot (336, Monday 00:00 shop time first).
pub fn suggest(
    week: &Week,
    need: &[u32],
    roster: &Roster,
    templates: &[ShiftTemplate],
    rules: &ShiftRules,
) -> Result<Suggestion> {
    check_slots("need", need)?;
    check_templates(templates)?;
    let cols = columns(week, templates);
    let fixed_cover = coverage(week, need, &roster.fixed);
    let residual: Vec<u32> = need
        .iter()
        .zip(&fixed_cover.scheduled)
        .map(|(n, s)| n.saturating_sub(*s))
        .collect();
    let lower_bound = relaxed_hours(&cols, &residual);

    let mut board = Board::new(week, need, roster, templates, rules);
    let counts = plan_counts(&cols, &residual, &board, templates, rules);
    let mut dropped = Vec::new();
    for (c, &count) in cols.iter().zip(&counts) {
        let placed = (0..count)
            .take_while(|_| board.place_best(c.template, c.day))
            .count() as u32;
        if placed < count {
            dropped.push(Dropped {
                date: week.date(c.day),
                template: templates[c.template].name.clone(),
                count: count - placed,
            });
        }
    }
    board.repair(&cols);
    board.trim();
    let (shifts, warnings) = board.finish();
    let short = coverage(week, need, &[roster.fixed.as_slice(), &shifts].concat()).short(week);
    Ok(Suggestion {
        agent_hours: shifts.iter().map(|s| s.minutes()).sum::<i64>() as f64 / 60.0,
        shifts,
        lower_bound_hours: lower_bound,
        short,
        dropped,
        warnings,
    })
}

/// Step (1): agents per column, in the order of `cols` (day, then template). Should the
/// solver fail or run out of nodes without a solution, the relaxation's counts rounded up
/// stand in (they cover every slot; placement and trimming absorb the excess).
fn plan_counts(
    cols: &[Column],
    residual: &[u32],
    board: &Board,
    templates: &[ShiftTemplate],
    rules: &ShiftRules,
) -> Vec<u32> {
    let free: Vec<HashSet<usize>> = (0..7).map(|d| board.free_on(d)).collect();
    let mut p = Problem::new(OptimizationDirection::Minimize);
    let x: Vec<Variable> = cols
        .iter()
        .map(|c| {
            p.add_integer_var(
                c.hours,
                (0, free[c.day].len().min(i32::MAX as usize) as i32),
            )
        })
        .collect();
    let max_hours = cols.iter().map(|c| c.hours).fold(0.0, f64::max);
    for (s, &n) in residual.iter().enumerate() {
        let mut terms = covering(cols, &x, s);
        if n > 0 && !terms.is_empty() {
            let short = p.add_var(max_hours + 1.0, (0.0, f64::from(n)));
            terms.push((short, 1.0));
            p.add_constraint(terms, ComparisonOp::Ge, f64::from(n));
        }
    }
    let on_day = |d: usize| cols.iter().zip(&x).filter(move |(c, _)| c.day == d);
    for (d, agents) in free.iter().enumerate() {
        p.add_constraint(
            on_day(d).map(|(_, &v)| (v, 1.0)),
            ComparisonOp::Le,
            agents.len() as f64,
        );
    }
    let (week_hours, week_shifts) = board.room_in_week();
    p.add_constraint(
        cols.iter().zip(&x).map(|(c, &v)| (v, c.hours)),
        ComparisonOp::Le,
        week_hours,
    );
    p.add_constraint(
        x.iter().map(|&v| (v, 1.0)),
        ComparisonOp::Le,
        week_shifts as f64,
    );
    // Whoever works template t on day d cannot work a template t' too close after it on
    // d + 1, so those two counts share the agents free on either day.
    for d in 0..6 {
        let both = free[d].union(&free[d + 1]).count() as f64;
        for (a, &va) in on_day(d) {
            let clash: Vec<(Variable, f64)> = on_day(d + 1)
                .filter(|(b, _)| !rest_fits(&templates[a.template], &templates[b.template], rules))
                .map(|(_, &vb)| (vb, 1.0))
                .collect();
            if !clash.is_empty() {
                p.add_constraint([vec![(va, 1.0)], clash].concat(), ComparisonOp::Le, both);
            }
        }
    }
    let mut options = SolveOptions::default();
    options.node_limit = Some(NODE_LIMIT);
    options.mip_gap = 1e-3;
    match p
        .solve_with(options)
        .ok()
        .and_then(|o| o.into_solution().ok())
    {
        Some(sol) => x
            .iter()
            .map(|&v| sol.var_value(v).round().max(0.0) as u32)
            .collect(),
        None => rounded_up(cols, residual),
    }
}

fn rounded_up(cols: &[Column], need: &[u32]) -> Vec<u32> {
    relaxed(cols, need).map_or_else(
        || vec![0; cols.len()],
        |(_, counts)| {
            counts
                .iter()
                .map(|c| (c - 1e-6).ceil().max(0.0) as u32)
                .collect()
        },
    )
}

/// Whether `first` on one day and `second` on the next leave the minimum rest between.
fn rest_fits(first: &ShiftTemplate, second: &ShiftTemplate, rules: &ShiftRules) -> bool {
    let first_end = first.start_minute() + first.minutes();
    let second_start = 1440 + second.start_minute();
    second_start - first_end >= rules.min_rest_minutes
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::shifts::tests::{d, tpl};
    use crate::shifts::{check, is_night, TimeOff, SLOTS_PER_DAY, SLOTS_PER_WEEK};
    use crate::ShopTime;
    use proptest::prelude::*;

    const SH: ShopTime = ShopTime::SHANGHAI;

    fn week() -> Week {
        Week::new(d("2026-11-09"), SH).unwrap()
    }

    fn team(n: usize) -> Roster {
        Roster {
            agents: (0..n).map(|i| format!("客服{i}")).collect(),
            ..Roster::default()
        }
    }

    fn three() -> Vec<ShiftTemplate> {
        vec![
            tpl("夜班", "00:00", "08:00"),
            tpl("早班", "08:00", "16:00"),
            tpl("晚班", "16:00", "24:00"),
        ]
    }

    /// `per_day[h]` agents in each hour of every day.
    fn hourly(per_hour: impl Fn(usize) -> u32) -> Vec<u32> {
        (0..SLOTS_PER_WEEK)
            .map(|s| per_hour(s % SLOTS_PER_DAY / 2))
            .collect()
    }

    #[test]
    fn two_agents_from_8_to_24_every_day() {
        let need = hourly(|h| if h >= 8 { 2 } else { 0 });
        let s = suggest(
            &week(),
            &need,
            &team(6),
            &ShiftTemplate::defaults(),
            &ShiftRules::default(),
        )
        .unwrap();
        assert!(s.short.is_empty(), "{:?}", s.short);
        assert!(s.warnings.is_empty());
        assert!(s.dropped.is_empty());
        assert_eq!(s.agent_hours, 2.0 * 16.0 * 7.0);
        assert!((s.lower_bound_hours - 224.0).abs() < 1e-6);
        assert_eq!(s.shifts.len(), 28);
        assert!(check(&s.shifts, &[], &ShiftRules::default(), SH).is_empty());
    }

    #[test]
    fn a_team_too_small_covers_what_it_can_and_lists_the_rest() {
        let need = hourly(|h| if (8..16).contains(&h) { 3 } else { 0 });
        let s = suggest(
            &week(),
            &need,
            &team(2),
            &ShiftTemplate::defaults(),
            &ShiftRules::default(),
        )
        .unwrap();
        assert!(s.warnings.is_empty());
        // Two agents at 40 h give 10 early shifts of the 21 asked.
        assert_eq!(s.shifts.len(), 10);
        let missing: u32 = s.short.iter().map(|x| x.missing).sum();
        assert_eq!(missing, 11 * 16);
        assert!(s
            .short
            .iter()
            .all(|x| x.needed == 3 && x.missing == 3 - x.scheduled));
    }

    #[test]
    fn fixed_shifts_time_off_and_last_weeks_sunday_are_respected() {
        let need = hourly(|h| if (8..16).contains(&h) { 1 } else { 0 });
        let early = tpl("早班", "08:00", "16:00");
        let late = tpl("晚班", "16:00", "24:00");
        let roster = Roster {
            agents: vec!["小美".to_owned(), "阿强".to_owned()],
            time_off: vec![TimeOff {
                agent: "阿强".to_owned(),
                date: d("2026-11-10"),
            }],
            fixed: vec![
                // Last Sunday's late shift: 小美 cannot open on Monday (8 h rest).
                Shift::new("小美", d("2026-11-08"), &late, SH),
                Shift::new("阿强", d("2026-11-12"), &early, SH),
            ],
        };
        let s = suggest(&week(), &need, &roster, &[early], &ShiftRules::default()).unwrap();
        assert!(s.warnings.is_empty(), "{:?}", s.warnings);
        assert!(s.short.is_empty(), "{:?}", s.short);
        let who = |date: &str| {
            s.shifts
                .iter()
                .filter(|x| x.date == d(date))
                .map(|x| x.agent.as_str())
                .collect::<Vec<_>>()
        };
        assert_eq!(who("2026-11-09"), ["阿强"]);
        assert_eq!(who("2026-11-10"), ["小美"]);
        assert!(who("2026-11-12").is_empty());
        assert_eq!(s.shifts.len(), 6);
    }

    #[test]
    fn nights_and_weekends_are_spread() {
        let need = hourly(|_| 1);
        let s = suggest(&week(), &need, &team(7), &three(), &ShiftRules::default()).unwrap();
        assert!(s.short.is_empty() && s.warnings.is_empty());
        let count = |f: &dyn Fn(&Shift) -> bool| -> Vec<usize> {
            (0..7)
                .map(|i| {
                    let name = format!("客服{i}");
                    s.shifts.iter().filter(|x| x.agent == name && f(x)).count()
                })
                .collect()
        };
        let nights = count(&|x| is_night(x, SH));
        let weekends = count(&|x| week().day_of(x.date).is_some_and(|d| d >= 5));
        for v in [nights, weekends] {
            let (lo, hi) = (v.iter().min().unwrap(), v.iter().max().unwrap());
            assert!(hi - lo <= 1, "{v:?}");
        }
    }

    #[test]
    fn the_lower_bound_counts_fractional_shifts() {
        // One agent 12:00–20:00 on Monday: 早班 ends and 晚班 starts at 16:00, so each half
        // needs a whole shift of its own, relaxed or not: 16 h.
        let mut need = vec![0; SLOTS_PER_WEEK];
        need[24..40].fill(1);
        let lb = lower_bound_hours(&week(), &need, &ShiftTemplate::defaults()).unwrap();
        assert!((lb - 16.0).abs() < 1e-6, "{lb}");
        let overlap = [
            tpl("A", "08:00", "14:00"),
            tpl("B", "12:00", "18:00"),
            tpl("C", "10:00", "16:00"),
        ];
        // 12:00–14:00 needs 2: any two of three 6-hour shifts cover, so the bound is 12 h.
        let mut need = vec![0; SLOTS_PER_WEEK];
        need[24..28].fill(2);
        let lb = lower_bound_hours(&week(), &need, &overlap).unwrap();
        assert!((lb - 12.0).abs() < 1e-6, "{lb}");
        assert!(lower_bound_hours(&week(), &need[..10], &overlap).is_err());
        assert!(lower_bound_hours(&week(), &need, &[]).is_err());
    }

    #[test]
    fn bad_inputs_are_refused() {
        let rules = ShiftRules::default();
        let t = ShiftTemplate::defaults();
        assert!(suggest(&week(), &[1; 48], &team(3), &t, &rules).is_err());
        assert!(suggest(&week(), &[1; SLOTS_PER_WEEK], &team(3), &[], &rules).is_err());
        let twice = [t[0].clone(), t[0].clone()];
        assert!(suggest(&week(), &[1; SLOTS_PER_WEEK], &team(3), &twice, &rules).is_err());
        // No one to schedule: everything is short, nothing breaks.
        let s = suggest(
            &week(),
            &hourly(|h| u32::from(h == 9)),
            &team(0),
            &t,
            &rules,
        )
        .unwrap();
        assert_eq!((s.shifts.len(), s.short.len()), (0, 14));
    }

    #[test]
    fn the_fallback_counts_cover_every_slot() {
        let need = hourly(|h| [1, 3, 2][h / 8]);
        let cols = columns(&week(), &three());
        let counts = rounded_up(&cols, &need);
        let mut cover = vec![0; SLOTS_PER_WEEK];
        for (c, &n) in cols.iter().zip(&counts) {
            for s in c.slots.clone() {
                cover[s] += n;
            }
        }
        assert!(cover.iter().zip(&need).all(|(c, n)| c >= n));
        assert_eq!(counts.iter().sum::<u32>(), 6 * 7);
    }

    fn need_strategy(max: u32) -> impl Strategy<Value = Vec<u32>> {
        // Two-hour blocks, so the need has the steps a real curve has.
        prop::collection::vec(0..=max, SLOTS_PER_WEEK / 4)
            .prop_map(|blocks| blocks.iter().flat_map(|&b| [b; 4]).collect())
    }

    fn time_off(agents: usize, offs: &[(usize, usize)]) -> Vec<TimeOff> {
        offs.iter()
            .map(|&(a, day)| TimeOff {
                agent: format!("客服{}", a % agents),
                date: week().date(day % 7),
            })
            .collect()
    }

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(64))]

        #[test]
        fn the_suggestion_never_breaks_a_rule(
            need in need_strategy(4),
            agents in 1usize..8,
            offs in prop::collection::vec((0usize..8, 0usize..7), 0..6),
            rest in prop::sample::select(vec![8 * 60, 10 * 60, 12 * 60]),
        ) {
            let roster = Roster { time_off: time_off(agents, &offs), ..team(agents) };
            let rules = ShiftRules { min_rest_minutes: rest, ..ShiftRules::default() };
            let mut templates = three();
            templates.push(tpl("中班", "12:00", "20:00"));
            templates.push(tpl("大夜", "22:00", "06:00"));
            let s = suggest(&week(), &need, &roster, &templates, &rules).unwrap();
            prop_assert!(s.warnings.is_empty(), "{:?}", s.warnings);
            prop_assert!(check(&s.shifts, &roster.time_off, &rules, SH).is_empty());
            let c = coverage(&week(), &need, &s.shifts);
            prop_assert_eq!(c.short(&week()), s.short.clone());
            if s.short.is_empty() {
                prop_assert!(s.agent_hours >= s.lower_bound_hours - 1e-6);
            }
        }

        #[test]
        fn a_team_large_enough_covers_every_slot_above_the_bound(
            need in need_strategy(2),
            offs in prop::collection::vec((0usize..16, 0usize..7), 0..8),
        ) {
            // At most 6 shifts a day, 42 in the week; 16 agents bring 80 (five of 8 h each)
            // and at most 8 days off take 8 of them, so the week can always be covered.
            let roster = Roster { time_off: time_off(16, &offs), ..team(16) };
            let rules = ShiftRules::default();
            let s = suggest(&week(), &need, &roster, &three(), &rules).unwrap();
            prop_assert!(s.short.is_empty(), "{:?}", s.short);
            prop_assert!(s.warnings.is_empty());
            prop_assert!(s.agent_hours >= s.lower_bound_hours - 1e-6);
        }
    }
}
