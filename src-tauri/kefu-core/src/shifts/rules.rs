//! The schedule's rules, in one checker: the grid calls it after every change, the
//! suggestion calls it for every shift it places, and publishing calls it last.
//!
//! Definitions the checker applies:
//! - Rest is the time from a shift's end to the agent's next shift's start.
//! - Weekly hours add up the shifts by the date each belongs to (the day it starts), per
//!   Monday-to-Sunday week, so a night shift from Sunday 22:00 counts whole in that week.
//! - A rest day is a shop-local date on which the agent works at no moment: the tail of a
//!   night shift after midnight takes that date's rest. Seven worked dates in a row break the
//!   rule (in any 7 consecutive days, at least one is a rest day).
//! - A night shift starts at or after 20:00, or works at least 3 of the hours from 00:00 to
//!   06:00 (22:00–06:00 and 00:00–08:00 are nights; 16:00–24:00 and 04:00–12:00 are not).
//!   Nights in a row are night shifts on consecutive dates.
//! - A day off is taken by any shift working part of it (a night shift running into it, too).

use std::collections::BTreeMap;

use chrono::{Datelike, Duration, NaiveDate, Timelike};
use serde::{Deserialize, Serialize};

use super::{local_midnight, Shift, ShiftRules, TimeOff};
use crate::shop::ShopTime;

const NIGHT_STARTS_FROM_MINUTE: i64 = 20 * 60;
const NIGHT_CORE_END_MINUTE: i64 = 6 * 60;
const NIGHT_CORE_MIN_MINUTES: i64 = 3 * 60;
const REST_DAY_WITHIN: usize = 7;

#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum RuleKind {
    Overlap,
    Rest,
    WeeklyHours,
    RestDay,
    Nights,
    DayOff,
}

impl RuleKind {
    pub fn code(self) -> &'static str {
        match self {
            RuleKind::Overlap => "overlap",
            RuleKind::Rest => "rest",
            RuleKind::WeeklyHours => "weekly_hours",
            RuleKind::RestDay => "rest_day",
            RuleKind::Nights => "nights",
            RuleKind::DayOff => "day_off",
        }
    }

    pub fn label(self) -> &'static str {
        match self {
            RuleKind::Overlap => "班次重叠",
            RuleKind::Rest => "班间休息",
            RuleKind::WeeklyHours => "周工时",
            RuleKind::RestDay => "休息日",
            RuleKind::Nights => "连续夜班",
            RuleKind::DayOff => "请假日排班",
        }
    }
}

/// What was broken, with its numbers (minutes, days, nights) and the limit in force.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "rule", rename_all = "snake_case")]
pub enum Breach {
    Overlap {
        minutes: i64,
    },
    Rest {
        rest_minutes: i64,
        min_minutes: i64,
    },
    WeeklyHours {
        monday: NaiveDate,
        minutes: i64,
        max_minutes: i64,
    },
    RestDay {
        from: NaiveDate,
        to: NaiveDate,
        days: u32,
    },
    Nights {
        from: NaiveDate,
        to: NaiveDate,
        nights: u32,
        max: u32,
    },
    DayOff {
        day: NaiveDate,
    },
}

impl Breach {
    pub fn kind(&self) -> RuleKind {
        match self {
            Breach::Overlap { .. } => RuleKind::Overlap,
            Breach::Rest { .. } => RuleKind::Rest,
            Breach::WeeklyHours { .. } => RuleKind::WeeklyHours,
            Breach::RestDay { .. } => RuleKind::RestDay,
            Breach::Nights { .. } => RuleKind::Nights,
            Breach::DayOff { .. } => RuleKind::DayOff,
        }
    }
}

/// A shift as a warning names it: the grid cell (agent row, date column) and the template.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct ShiftRef {
    pub date: NaiveDate,
    pub template: String,
}

/// One broken rule: whose, which shifts, which dates, the numbers, and the sentence the
/// supervisor reads ("小美 11/10 晚班 → 11/11 早班：休息 8 小时 < 10").
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Warning {
    pub agent: String,
    pub shifts: Vec<ShiftRef>,
    pub dates: Vec<NaiveDate>,
    pub breach: Breach,
    pub message: String,
}

/// Whether `shift` is a night shift (see the module's definitions).
pub fn is_night(shift: &Shift, shop: ShopTime) -> bool {
    let local = shop.local(shift.start);
    let start = i64::from(local.hour() * 60 + local.minute());
    if start >= NIGHT_STARTS_FROM_MINUTE {
        return true;
    }
    let end = start + shift.minutes();
    let mut core = 0;
    let mut day = 0;
    while day < end {
        core += (end.min(day + NIGHT_CORE_END_MINUTE) - start.max(day)).max(0);
        day += 1440;
    }
    core >= NIGHT_CORE_MIN_MINUTES
}

/// Every rule broken by `shifts`, agent by agent, in the agents' order of name and then by
/// date. `time_off` lists the days agents cannot work.
pub fn check(
    shifts: &[Shift],
    time_off: &[TimeOff],
    rules: &ShiftRules,
    shop: ShopTime,
) -> Vec<Warning> {
    let mut by_agent: BTreeMap<&str, (Vec<&Shift>, Vec<NaiveDate>)> = BTreeMap::new();
    for s in shifts {
        by_agent.entry(&s.agent).or_default().0.push(s);
    }
    for t in time_off {
        if let Some(entry) = by_agent.get_mut(t.agent.as_str()) {
            entry.1.push(t.date);
        }
    }
    let mut out = Vec::new();
    for (agent, (mut list, days_off)) in by_agent {
        for found in agent_breaches(&mut list, &days_off, rules, shop) {
            let shifts: Vec<ShiftRef> = found
                .shifts
                .iter()
                .map(|&i| ShiftRef {
                    date: list[i].date,
                    template: list[i].template.clone(),
                })
                .collect();
            out.push(Warning {
                agent: agent.to_owned(),
                message: message(agent, &shifts, &found.breach),
                shifts,
                dates: found.dates,
                breach: found.breach,
            });
        }
    }
    out
}

/// A breach found among one agent's shifts; `shifts` index the list as sorted by start.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) struct Found {
    pub shifts: Vec<usize>,
    pub dates: Vec<NaiveDate>,
    pub breach: Breach,
}

/// The rules broken by one agent's shifts. Sorts `shifts` by start (then date), which is
/// the order `Found::shifts` refers to. This is the checker's whole logic; `check` only adds
/// names and messages, so the suggestion's feasibility test is the same rule.
pub(crate) fn agent_breaches(
    shifts: &mut [&Shift],
    days_off: &[NaiveDate],
    rules: &ShiftRules,
    shop: ShopTime,
) -> Vec<Found> {
    shifts.sort_by_key(|s| (s.start, s.end, s.date));
    let mut out = Vec::new();
    let pair = |i: usize, j: usize, breach: Breach| Found {
        shifts: vec![i, j],
        dates: dedup(vec![shifts[i].date, shifts[j].date]),
        breach,
    };

    // Overlaps, then the rest from each shift to the next one that starts after it ends.
    for i in 0..shifts.len() {
        for j in i + 1..shifts.len() {
            if shifts[j].start >= shifts[i].end {
                break;
            }
            let minutes = (shifts[i].end.min(shifts[j].end) - shifts[j].start).num_minutes();
            out.push(pair(i, j, Breach::Overlap { minutes }));
        }
    }
    for i in 1..shifts.len() {
        let rest = (shifts[i].start - shifts[i - 1].end).num_minutes();
        if (0..rules.min_rest_minutes).contains(&rest) {
            let breach = Breach::Rest {
                rest_minutes: rest,
                min_minutes: rules.min_rest_minutes,
            };
            out.push(pair(i - 1, i, breach));
        }
    }

    // Weekly hours by the date each shift belongs to.
    let mut weeks: BTreeMap<NaiveDate, (i64, Vec<usize>)> = BTreeMap::new();
    for (i, s) in shifts.iter().enumerate() {
        let monday = s.date - Duration::days(i64::from(s.date.weekday().num_days_from_monday()));
        let w = weeks.entry(monday).or_default();
        w.0 += s.minutes();
        w.1.push(i);
    }
    for (monday, (minutes, idx)) in weeks {
        if minutes > rules.max_week_minutes {
            out.push(Found {
                dates: dedup(idx.iter().map(|&i| shifts[i].date).collect()),
                shifts: idx,
                breach: Breach::WeeklyHours {
                    monday,
                    minutes,
                    max_minutes: rules.max_week_minutes,
                },
            });
        }
    }

    // Runs of worked dates (any moment worked), for the rest day in any 7 days.
    let mut worked: BTreeMap<NaiveDate, Vec<usize>> = BTreeMap::new();
    for (i, s) in shifts.iter().enumerate() {
        let first = shop.local(s.start).date_naive();
        let last = shop.local(s.end - Duration::seconds(1)).date_naive();
        for date in first.iter_days().take_while(|d| *d <= last) {
            worked.entry(date).or_default().push(i);
        }
    }
    for run in runs(worked.keys().copied()) {
        if run.len() >= REST_DAY_WITHIN {
            let idx = dedup(run.iter().flat_map(|d| worked[d].clone()).collect());
            out.push(Found {
                shifts: idx,
                dates: run.clone(),
                breach: Breach::RestDay {
                    from: run[0],
                    to: run[run.len() - 1],
                    days: run.len() as u32,
                },
            });
        }
    }

    // Night shifts on consecutive dates.
    let nights: BTreeMap<NaiveDate, usize> = shifts
        .iter()
        .enumerate()
        .filter(|(_, s)| is_night(s, shop))
        .map(|(i, s)| (s.date, i))
        .collect();
    for run in runs(nights.keys().copied()) {
        if run.len() as u32 > rules.max_consecutive_nights {
            out.push(Found {
                shifts: run.iter().map(|d| nights[d]).collect(),
                dates: run.clone(),
                breach: Breach::Nights {
                    from: run[0],
                    to: run[run.len() - 1],
                    nights: run.len() as u32,
                    max: rules.max_consecutive_nights,
                },
            });
        }
    }

    // Shifts working part of a day off.
    for (i, s) in shifts.iter().enumerate() {
        for &day in days_off {
            let from = local_midnight(shop, day);
            if s.start < from + Duration::days(1) && s.end > from {
                out.push(Found {
                    shifts: vec![i],
                    dates: dedup(vec![s.date, day]),
                    breach: Breach::DayOff { day },
                });
            }
        }
    }
    out
}

fn dedup<T: Ord>(mut v: Vec<T>) -> Vec<T> {
    v.sort();
    v.dedup();
    v
}

/// Splits ascending dates into runs of consecutive days.
fn runs(dates: impl Iterator<Item = NaiveDate>) -> Vec<Vec<NaiveDate>> {
    let mut out: Vec<Vec<NaiveDate>> = Vec::new();
    for date in dates {
        match out.last_mut() {
            Some(run) if run.last().is_some_and(|l| *l + Duration::days(1) == date) => {
                run.push(date)
            }
            _ => out.push(vec![date]),
        }
    }
    out
}

fn md(d: NaiveDate) -> String {
    format!("{}/{}", d.month(), d.day())
}

/// Hours as a person says them: 8, 7.5, 0.3.
fn hours(minutes: i64) -> String {
    if minutes % 60 == 0 {
        (minutes / 60).to_string()
    } else {
        let h = format!("{:.1}", minutes as f64 / 60.0);
        h.trim_end_matches(".0").to_owned()
    }
}

fn cell(s: &ShiftRef) -> String {
    format!("{} {}", md(s.date), s.template)
}

fn message(agent: &str, shifts: &[ShiftRef], breach: &Breach) -> String {
    let first = shifts.first().map(cell).unwrap_or_default();
    let second = shifts.get(1).map(cell).unwrap_or_default();
    match breach {
        Breach::Overlap { minutes } => {
            format!("{agent} {first} 与 {second} 重叠 {} 小时", hours(*minutes))
        }
        Breach::Rest {
            rest_minutes,
            min_minutes,
        } => format!(
            "{agent} {first} → {second}：休息 {} 小时 < {}",
            hours(*rest_minutes),
            hours(*min_minutes)
        ),
        Breach::WeeklyHours {
            monday,
            minutes,
            max_minutes,
        } => format!(
            "{agent} {}–{} 一周工时 {} 小时 > {}",
            md(*monday),
            md(*monday + Duration::days(6)),
            hours(*minutes),
            hours(*max_minutes)
        ),
        Breach::RestDay { from, to, days } => format!(
            "{agent} {}–{} 连续工作 {days} 天：每 7 天至少休息 1 天",
            md(*from),
            md(*to)
        ),
        Breach::Nights {
            from,
            to,
            nights,
            max,
        } => format!(
            "{agent} {}–{} 连续 {nights} 个夜班 > {max}",
            md(*from),
            md(*to)
        ),
        Breach::DayOff { day } => format!("{agent} {first} 占用请假日 {}", md(*day)),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::shifts::tests::{d, tpl};
    use crate::shifts::ShiftTemplate;

    const SH: ShopTime = ShopTime::SHANGHAI;

    fn early() -> ShiftTemplate {
        tpl("早班", "08:00", "16:00")
    }
    fn late() -> ShiftTemplate {
        tpl("晚班", "16:00", "24:00")
    }
    fn night() -> ShiftTemplate {
        tpl("夜班", "22:00", "06:00")
    }

    fn on(date: &str, t: &ShiftTemplate) -> Shift {
        Shift::new("小美", d(date), t, SH)
    }

    fn warnings(shifts: &[Shift]) -> Vec<Warning> {
        check(shifts, &[], &ShiftRules::default(), SH)
    }

    #[test]
    fn late_then_early_next_day_rests_8_hours_below_10() {
        let w = warnings(&[on("2026-11-11", &early()), on("2026-11-10", &late())]);
        assert_eq!(w.len(), 1);
        assert_eq!(
            w[0].message,
            "小美 11/10 晚班 → 11/11 早班：休息 8 小时 < 10"
        );
        assert_eq!(
            w[0].breach,
            Breach::Rest {
                rest_minutes: 480,
                min_minutes: 600
            }
        );
        assert_eq!(w[0].breach.kind().code(), "rest");
        assert_eq!(w[0].dates, vec![d("2026-11-10"), d("2026-11-11")]);
        assert_eq!(w[0].agent, "小美");
        // With an 8-hour minimum the same pair is fine.
        let rules = ShiftRules {
            min_rest_minutes: 480,
            ..ShiftRules::default()
        };
        let pair = [on("2026-11-10", &late()), on("2026-11-11", &early())];
        assert!(check(&pair, &[], &rules, SH).is_empty());
    }

    #[test]
    fn a_clean_week_has_no_warnings() {
        let week: Vec<Shift> = ["09", "10", "11", "12", "13"]
            .iter()
            .map(|day| on(&format!("2026-11-{day}"), &early()))
            .collect();
        assert!(warnings(&week).is_empty());
    }

    #[test]
    fn overlapping_shifts_of_one_agent() {
        let mid = tpl("中班", "12:00", "20:00");
        let w = warnings(&[on("2026-11-10", &early()), on("2026-11-10", &mid)]);
        assert_eq!(w.len(), 1);
        assert_eq!(w[0].breach, Breach::Overlap { minutes: 240 });
        assert_eq!(w[0].message, "小美 11/10 早班 与 11/10 中班 重叠 4 小时");
        // Another agent's shift at the same time is no overlap.
        let other = Shift::new("阿强", d("2026-11-10"), &mid, SH);
        assert!(warnings(&[on("2026-11-10", &early()), other]).is_empty());
    }

    #[test]
    fn more_than_the_weekly_hours() {
        let six: Vec<Shift> = (9..15)
            .map(|day| on(&format!("2026-11-{day}"), &early()))
            .collect();
        let w = warnings(&six);
        assert_eq!(w.len(), 1);
        assert_eq!(
            w[0].breach,
            Breach::WeeklyHours {
                monday: d("2026-11-09"),
                minutes: 48 * 60,
                max_minutes: 40 * 60
            }
        );
        assert_eq!(w[0].message, "小美 11/9–11/15 一周工时 48 小时 > 40");
        assert_eq!(w[0].shifts.len(), 6);
        // Split over two calendar weeks (Thu to Tue), the same six shifts are within 40 h.
        let across: Vec<Shift> = (12..18)
            .map(|day| on(&format!("2026-11-{day}"), &early()))
            .collect();
        assert!(warnings(&across).is_empty());
    }

    #[test]
    fn seven_worked_days_in_a_row_leave_no_rest_day() {
        let short = tpl("短班", "09:00", "13:00");
        let seven: Vec<Shift> = (9..16)
            .map(|day| on(&format!("2026-11-{day}"), &short))
            .collect();
        let w = warnings(&seven);
        assert_eq!(w.len(), 1);
        assert_eq!(
            w[0].breach,
            Breach::RestDay {
                from: d("2026-11-09"),
                to: d("2026-11-15"),
                days: 7
            }
        );
        assert_eq!(
            w[0].message,
            "小美 11/9–11/15 连续工作 7 天：每 7 天至少休息 1 天"
        );
        assert!(warnings(&seven[..6]).is_empty());
        // Six day shifts and a night shift on the sixth evening: its tail takes the 7th date.
        let mut tail: Vec<Shift> = (9..14)
            .map(|day| on(&format!("2026-11-{day}"), &short))
            .collect();
        tail.push(on("2026-11-14", &night()));
        let w = warnings(&tail);
        assert_eq!(w.len(), 1, "{w:?}");
        assert!(matches!(w[0].breach, Breach::RestDay { days: 7, .. }));
        // A shift ending at 24:00 does not touch the next date.
        let mut edge: Vec<Shift> = (9..14)
            .map(|day| on(&format!("2026-11-{day}"), &short))
            .collect();
        edge.push(on("2026-11-14", &late()));
        assert!(warnings(&edge).is_empty());
    }

    #[test]
    fn consecutive_nights_over_the_setting() {
        let four: Vec<Shift> = (9..13)
            .map(|day| on(&format!("2026-11-{day}"), &night()))
            .collect();
        let w = warnings(&four);
        assert_eq!(w.len(), 1, "{w:?}");
        assert_eq!(
            w[0].breach,
            Breach::Nights {
                from: d("2026-11-09"),
                to: d("2026-11-12"),
                nights: 4,
                max: 3
            }
        );
        assert_eq!(w[0].message, "小美 11/9–11/12 连续 4 个夜班 > 3");
        assert!(warnings(&four[..3]).is_empty());
        // A break of one night starts a new run.
        let mut broken = four[..3].to_vec();
        broken.push(on("2026-11-13", &night()));
        assert!(warnings(&broken).is_empty(), "{:?}", warnings(&broken));
    }

    #[test]
    fn which_shifts_are_nights() {
        let night_of =
            |start: &str, end: &str| is_night(&on("2026-11-10", &tpl("x", start, end)), SH);
        assert!(night_of("22:00", "06:00"));
        assert!(night_of("00:00", "08:00"));
        assert!(night_of("20:00", "23:00"));
        assert!(night_of("02:00", "10:00"));
        assert!(!night_of("16:00", "24:00"));
        assert!(!night_of("04:00", "12:00"));
        assert!(!night_of("08:00", "16:00"));
        assert!(!night_of("18:00", "02:00"));
    }

    #[test]
    fn a_shift_on_a_day_off() {
        let off = [TimeOff {
            agent: "小美".to_owned(),
            date: d("2026-11-11"),
        }];
        let rules = ShiftRules::default();
        let w = check(&[on("2026-11-11", &early())], &off, &rules, SH);
        assert_eq!(w.len(), 1);
        assert_eq!(
            w[0].breach,
            Breach::DayOff {
                day: d("2026-11-11")
            }
        );
        assert_eq!(w[0].message, "小美 11/11 早班 占用请假日 11/11");
        // A night shift the evening before runs into the day off; a late shift does not.
        let w = check(&[on("2026-11-10", &night())], &off, &rules, SH);
        assert_eq!(w[0].dates, vec![d("2026-11-10"), d("2026-11-11")]);
        assert!(check(&[on("2026-11-10", &late())], &off, &rules, SH).is_empty());
        // Someone else's day off is not hers.
        let theirs = [TimeOff {
            agent: "阿强".to_owned(),
            date: d("2026-11-11"),
        }];
        assert!(check(&[on("2026-11-11", &early())], &theirs, &rules, SH).is_empty());
    }

    #[test]
    fn warnings_serialise_with_their_rule() {
        let w = warnings(&[on("2026-11-10", &late()), on("2026-11-11", &early())]);
        let json = serde_json::to_value(&w[0]).unwrap();
        assert_eq!(json["breach"]["rule"], "rest");
        assert_eq!(json["breach"]["rest_minutes"], 480);
        assert_eq!(json["shifts"][0]["template"], "晚班");
    }
}
