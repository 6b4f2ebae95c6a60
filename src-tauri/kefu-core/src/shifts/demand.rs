//! Demand per half hour of the week from the shop's own history, and the handling time.
//!
//! The baseline is the same weekday and slot averaged over the last 8 complete weeks
//! before `now` (as Zendesk's forecast does), and it needs at least 2 of them: one week
//! is one sale or one quiet holiday, not a pattern. Peak days are dated overrides on top.

use chrono::{DateTime, Duration, Utc};
use serde::{Deserialize, Serialize};
use thiserror::Error;

use super::{
    check_slots, staff, PeakDay, ShiftTemplate, Staffing, Week, SLOTS_PER_DAY, SLOTS_PER_WEEK,
    SLOT_MINUTES,
};
use crate::error::Result;

const WEEKS_AVERAGED: i64 = 8;
const WEEKS_NEEDED: u32 = 2;

/// What the history counts. A shop with little chat history can stand in its orders
/// created: each order is roughly one buyer who may ask first.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum DemandSource {
    Conversations,
    Orders,
}

/// Arrivals per slot of an average week (336 numbers, Monday 00:00 shop time = slot 0).
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Arrivals {
    pub source: DemandSource,
    /// How many complete weeks the average is over (2 to 8).
    pub weeks: u32,
    pub per_slot: Vec<f64>,
}

/// The history is too short for a forecast: `weeks` complete weeks, 2 needed.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Error, Serialize, Deserialize)]
#[error("历史数据只有 {weeks} 个完整周，至少需要 {needed} 周才能估算需求")]
pub struct NotEnoughHistory {
    pub weeks: u32,
    pub needed: u32,
}

/// The average week of `events` (conversations started, or orders created, as `source`
/// says) over the last 8 complete weeks before `now`'s week. The history is taken to start
/// with the week of its first event, so a shop that began using the app 3 weeks ago
/// averages over 3 weeks, not 8 with 5 empty.
pub fn arrivals(
    events: &[DateTime<Utc>],
    source: DemandSource,
    now: DateTime<Utc>,
    shop: crate::ShopTime,
) -> std::result::Result<Arrivals, NotEnoughHistory> {
    let this_week = Week::containing(shop.local(now).date_naive(), shop).start();
    let weeks = events
        .iter()
        .min()
        .map(|&first| {
            let first_week = Week::containing(shop.local(first).date_naive(), shop).start();
            ((this_week - first_week).num_days() / 7).clamp(0, WEEKS_AVERAGED)
        })
        .unwrap_or(0) as u32;
    if weeks < WEEKS_NEEDED {
        return Err(NotEnoughHistory {
            weeks,
            needed: WEEKS_NEEDED,
        });
    }
    let from = this_week - Duration::weeks(i64::from(weeks));
    let slot_seconds = SLOT_MINUTES * 60;
    let mut counts = vec![0u64; SLOTS_PER_WEEK];
    for &e in events {
        if e >= from && e < this_week {
            let slot = (e - from).num_seconds().div_euclid(slot_seconds) as usize % SLOTS_PER_WEEK;
            counts[slot] += 1;
        }
    }
    Ok(Arrivals {
        source,
        weeks,
        per_slot: counts
            .iter()
            .map(|&c| c as f64 / f64::from(weeks))
            .collect(),
    })
}

/// Average handling time and how many conversations it is measured on.
#[derive(Clone, Copy, Debug, PartialEq, Serialize, Deserialize)]
pub struct HandlingTime {
    pub seconds: f64,
    /// 0 when the setting stands in for history.
    pub measured: usize,
}

/// The mean of assigned → closed over `conversations`; `fallback_seconds` while there are
/// none (conversations closed before they were assigned are data errors and skipped).
pub fn handling_time(
    conversations: &[(DateTime<Utc>, DateTime<Utc>)],
    fallback_seconds: f64,
) -> HandlingTime {
    let (sum, n) = conversations
        .iter()
        .filter(|(assigned, closed)| closed > assigned)
        .fold((0i64, 0usize), |(sum, n), (a, c)| {
            (sum + (*c - *a).num_seconds(), n + 1)
        });
    if n == 0 {
        HandlingTime {
            seconds: fallback_seconds,
            measured: 0,
        }
    } else {
        HandlingTime {
            seconds: sum as f64 / n as f64,
            measured: n,
        }
    }
}

/// The average week's arrivals with the peak days that fall in `week` applied to their
/// dates: times the multiplier, plus the added arrivals per slot.
pub fn apply_peaks(arrivals: &Arrivals, week: &Week, peaks: &[PeakDay]) -> Vec<f64> {
    let mut out = arrivals.per_slot.clone();
    out.resize(SLOTS_PER_WEEK, 0.0);
    for p in peaks {
        if let Some(day) = week.day_of(p.date) {
            for x in &mut out[day * SLOTS_PER_DAY..(day + 1) * SLOTS_PER_DAY] {
                *x = (*x * p.multiplier.max(0.0) + p.added_per_slot).max(0.0);
            }
        }
    }
    out
}

/// Peak multipliers and additions beyond these are typing mistakes, not a 双11.
pub const PEAK_MULTIPLIER_MAX: f64 = 50.0;
pub const PEAK_ADDED_MAX: f64 = 10_000.0;
pub const PEAK_EXTRA_MAX: u32 = 200;

/// A peak day as the supervisor may save it: a name (1–32 characters), a multiplier in
/// 0–50, an addition per half hour in 0–10,000, extra agents (at most 200 each) on shift
/// templates the shop has.
pub fn check_peak(p: &PeakDay, templates: &[ShiftTemplate]) -> Result<()> {
    let name = p.name.trim();
    if name.is_empty() || name.chars().count() > 32 {
        return Err(crate::Error::invalid(
            "name",
            &p.name,
            "a peak day's name has 1 to 32 characters",
        ));
    }
    if !(0.0..=PEAK_MULTIPLIER_MAX).contains(&p.multiplier) {
        return Err(crate::Error::invalid(
            "multiplier",
            &p.multiplier.to_string(),
            "a multiplier is between 0 and 50",
        ));
    }
    if !(0.0..=PEAK_ADDED_MAX).contains(&p.added_per_slot) {
        return Err(crate::Error::invalid(
            "added_per_slot",
            &p.added_per_slot.to_string(),
            "the addition per half hour is between 0 and 10000",
        ));
    }
    for e in &p.extra {
        if !templates.iter().any(|t| t.name == e.template) {
            return Err(crate::Error::invalid(
                "template",
                &e.template,
                "no such shift template",
            ));
        }
        if e.count > PEAK_EXTRA_MAX {
            return Err(crate::Error::invalid(
                "count",
                &e.count.to_string(),
                "at most 200 extra agents on a template",
            ));
        }
    }
    Ok(())
}

/// Agents needed per slot of `week`: the arrivals with the peaks applied, staffed by Erlang
/// C at a pooled `max_load`, plus each peak day's extra agents on the hours of the named
/// templates (a template not in `templates` is an error, so a typo is not silently lost).
pub fn week_need(
    arrivals: &Arrivals,
    week: &Week,
    peaks: &[PeakDay],
    handling: HandlingTime,
    max_load: u32,
    staffing: &Staffing,
    templates: &[ShiftTemplate],
) -> Result<Vec<u32>> {
    check_slots("arrivals", &arrivals.per_slot)?;
    let mut need = staff(
        &apply_peaks(arrivals, week, peaks),
        handling.seconds,
        max_load,
        staffing,
    );
    for p in peaks {
        let Some(day) = week.day_of(p.date) else {
            continue;
        };
        for extra in &p.extra {
            let t = templates
                .iter()
                .find(|t| t.name == extra.template)
                .ok_or_else(|| {
                    crate::Error::invalid("template", &extra.template, "no such shift template")
                })?;
            for s in week.template_slots(t, day) {
                need[s] += extra.count;
            }
        }
    }
    Ok(need)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::shifts::tests::{at, d, tpl};
    use crate::shifts::ExtraShifts;
    use crate::ShopTime;

    #[test]
    fn a_peak_day_is_checked_before_it_is_saved() {
        let templates = [tpl("早班", "08:00", "16:00")];
        let peak = |name: &str, multiplier: f64, template: &str, count: u32| PeakDay {
            date: d("2026-11-11"),
            name: name.to_owned(),
            multiplier,
            added_per_slot: 0.0,
            extra: vec![ExtraShifts {
                template: template.to_owned(),
                count,
            }],
        };
        assert!(check_peak(&peak("双11", 3.0, "早班", 2), &templates).is_ok());
        assert!(check_peak(&peak(" ", 3.0, "早班", 2), &templates).is_err());
        assert!(check_peak(&peak("双11", 51.0, "早班", 2), &templates).is_err());
        assert!(check_peak(&peak("双11", f64::NAN, "早班", 2), &templates).is_err());
        assert!(check_peak(&peak("双11", 3.0, "夜班", 2), &templates).is_err());
        assert!(check_peak(&peak("双11", 3.0, "早班", 201), &templates).is_err());
    }

    const SH: ShopTime = ShopTime::SHANGHAI;

    /// `per_week` conversations every Monday at 10:00 for the `weeks` weeks before the week
    /// of 2026-11-16, the last one 11/09.
    fn mondays(weeks: i64, per_week: impl Fn(i64) -> usize) -> Vec<DateTime<Utc>> {
        (1..=weeks)
            .flat_map(|k| {
                let t = at("2026-11-16 10:00:00") - Duration::weeks(k);
                std::iter::repeat_n(t, per_week(k))
            })
            .collect()
    }

    #[test]
    fn the_same_slot_averaged_over_the_last_8_complete_weeks() {
        // Weeks 1..=10 back, week k with k conversations; only weeks 1..=8 count.
        let events = mondays(10, |k| k as usize);
        let now = at("2026-11-18 15:00:00");
        let a = arrivals(&events, DemandSource::Conversations, now, SH).unwrap();
        assert_eq!(a.weeks, 8);
        assert_eq!(a.per_slot.len(), 336);
        assert_eq!(a.per_slot[20], (1..=8).sum::<i64>() as f64 / 8.0);
        assert_eq!(a.per_slot.iter().sum::<f64>(), a.per_slot[20]);
        // This week's events are not a complete week and do not count.
        let mut with_now = events.clone();
        with_now.push(at("2026-11-16 10:05:00"));
        assert_eq!(
            arrivals(&with_now, DemandSource::Conversations, now, SH).unwrap(),
            a
        );
    }

    #[test]
    fn a_short_history_averages_over_its_own_weeks() {
        let events = mondays(3, |_| 6);
        let a = arrivals(&events, DemandSource::Orders, at("2026-11-16 00:00:00"), SH).unwrap();
        assert_eq!((a.weeks, a.source), (3, DemandSource::Orders));
        assert_eq!(a.per_slot[20], 6.0);
        // Sunday 23:59 local is the last slot of the week.
        let late = arrivals(
            &[at("2026-11-08 23:59:00"), at("2026-11-01 23:40:00")],
            DemandSource::Conversations,
            at("2026-11-10 12:00:00"),
            SH,
        )
        .unwrap();
        assert_eq!(late.per_slot[335], 1.0);
    }

    #[test]
    fn two_weeks_at_least() {
        let one = mondays(1, |_| 5);
        let err = arrivals(
            &one,
            DemandSource::Conversations,
            at("2026-11-17 09:00:00"),
            SH,
        )
        .unwrap_err();
        assert_eq!(
            err,
            NotEnoughHistory {
                weeks: 1,
                needed: 2
            }
        );
        assert_eq!(
            err.to_string(),
            "历史数据只有 1 个完整周，至少需要 2 周才能估算需求"
        );
        let none = arrivals(
            &[],
            DemandSource::Conversations,
            at("2026-11-17 09:00:00"),
            SH,
        );
        assert_eq!(none.unwrap_err().weeks, 0);
        let two = mondays(2, |_| 5);
        assert!(arrivals(
            &two,
            DemandSource::Conversations,
            at("2026-11-17 09:00:00"),
            SH
        )
        .is_ok());
    }

    #[test]
    fn handling_time_is_the_mean_or_the_setting() {
        let t0 = at("2026-11-10 10:00:00");
        let convs = [
            (t0, t0 + Duration::seconds(120)),
            (t0, t0 + Duration::seconds(360)),
            (t0, t0 - Duration::seconds(5)),
        ];
        assert_eq!(
            handling_time(&convs, 600.0),
            HandlingTime {
                seconds: 240.0,
                measured: 2
            }
        );
        assert_eq!(handling_time(&[], 600.0).seconds, 600.0);
    }

    #[test]
    fn peak_days_multiply_add_and_ask_for_extra_shifts() {
        let week = Week::new(d("2026-11-09"), SH).unwrap();
        let base = Arrivals {
            source: DemandSource::Conversations,
            weeks: 8,
            per_slot: vec![10.0; 336],
        };
        let peak = PeakDay {
            date: d("2026-11-11"),
            name: "双11".to_owned(),
            multiplier: 3.0,
            added_per_slot: 5.0,
            extra: vec![ExtraShifts {
                template: "早班".to_owned(),
                count: 2,
            }],
        };
        let a = apply_peaks(&base, &week, std::slice::from_ref(&peak));
        assert_eq!((a[95], a[96], a[143], a[144]), (10.0, 35.0, 35.0, 10.0));
        // A peak outside the week changes nothing.
        let other = Week::new(d("2026-11-16"), SH).unwrap();
        assert_eq!(
            apply_peaks(&base, &other, std::slice::from_ref(&peak)),
            base.per_slot
        );

        let templates = [tpl("早班", "08:00", "16:00")];
        let h = HandlingTime {
            seconds: 180.0,
            measured: 100,
        };
        let s = Staffing::default();
        let need = week_need(
            &base,
            &week,
            std::slice::from_ref(&peak),
            h,
            3,
            &s,
            &templates,
        )
        .unwrap();
        let plain = week_need(&base, &week, &[], h, 3, &s, &templates).unwrap();
        let wed_10 = 2 * 48 + 20;
        assert!(need[wed_10] >= plain[wed_10] + 2);
        assert_eq!(need[wed_10] - 2, staff(&[35.0], 180.0, 3, &s)[0]);
        assert_eq!(need[2 * 48], staff(&[35.0], 180.0, 3, &s)[0]);
        let typo = PeakDay {
            extra: vec![ExtraShifts {
                template: "早斑".to_owned(),
                count: 1,
            }],
            ..peak
        };
        assert!(week_need(&base, &week, &[typo], h, 3, &s, &templates).is_err());
    }
}
