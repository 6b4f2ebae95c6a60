//! Shift scheduling (排班): shift templates, shifts, the rules a schedule must keep, demand
//! per half hour of the week from the shop's history, staffing by Erlang C, and the
//! suggested week.
//!
//! Times of day are shop time (the week starts Monday 00:00 local); shifts are stored as
//! UTC instants, computed through `ShopTime`, so the rest of the app compares them like any
//! other timestamp. Agents are named by their account name, as in `team`.

use std::fmt;
use std::ops::Range;

use chrono::{DateTime, Datelike, Duration, NaiveDate, NaiveTime, Utc, Weekday};
use serde::{Deserialize, Serialize};

use crate::error::{Error, Result};
use crate::shop::ShopTime;

mod adherence;
mod assign;
mod coverage;
mod demand;
mod handover;
mod rules;
mod staffing;
mod suggest;

pub use crate::team::Duty;
pub use adherence::{adherence, Adherence, Attendance, LATE_AFTER_MINUTES};
pub use coverage::{coverage, Coverage, ShortSlot};
pub use demand::{
    apply_peaks, arrivals, check_peak, handling_time, week_need, Arrivals, DemandSource,
    HandlingTime, NotEnoughHistory,
};
pub use handover::{
    balance, check_successors, hand_out, handover_note, leaving_shift, reminder_due, successors,
    HANDOVER_GRACE_MINUTES, HANDOVER_NOTE_LIMIT, REMINDER_LEAD_MINUTES,
};
pub use rules::{check, is_night, Breach, RuleKind, ShiftRef, Warning};
pub use staffing::{agents_needed, erlang_c, servers_needed, service_level, staff, Staffing};
pub use suggest::{lower_bound_hours, suggest, Dropped, Suggestion};

/// Where the published schedule puts `agent` at `at`: on shift inside one of its own
/// shifts; off shift when a published week covers `at` (or anyone's published shift does,
/// as a Sunday night runs into an unpublished week) and none of its own does; otherwise
/// unscheduled, and routing is as without a schedule. `weeks` are the published weeks'
/// spans, `published` their shifts. kefu-db's view `routable_agents` states this again for
/// SQL; its property test `claims_follow_the_cores_ranking` holds the two together.
pub fn duty(
    agent: &str,
    at: DateTime<Utc>,
    weeks: &[(DateTime<Utc>, DateTime<Utc>)],
    published: &[Shift],
) -> Duty {
    let covers = |s: &&Shift| s.start <= at && at < s.end;
    if published.iter().filter(covers).any(|s| s.agent == agent) {
        Duty::OnShift
    } else if weeks.iter().any(|(from, to)| *from <= at && at < *to)
        || published.iter().any(|s| covers(&s))
    {
        Duty::OffShift
    } else {
        Duty::Unscheduled
    }
}

/// Publishing is refused while the rule checker warns, unless the supervisor publishes
/// despite the warnings (a shop may knowingly stretch its own rest setting on 双11).
pub fn check_publishable(warnings: &[Warning], despite_warnings: bool) -> Result<()> {
    match warnings.first() {
        Some(first) if !despite_warnings => Err(Error::invalid(
            "schedule",
            &format!("{} 条警告，第一条：{}", warnings.len(), first.message),
            "the rule checker warns: change the week, or publish despite the warnings",
        )),
        _ => Ok(()),
    }
}

/// Half-hour slots: the grid's and the demand's unit.
pub const SLOT_MINUTES: i64 = 30;
pub const SLOTS_PER_DAY: usize = 48;
/// Monday 00:00 (shop time) is slot 0, Sunday 23:30 is slot 335.
pub const SLOTS_PER_WEEK: usize = 7 * SLOTS_PER_DAY;

const DAY_MINUTES: u16 = 24 * 60;

/// A time of day in minutes after midnight, 00:00 to 24:00 (24:00 ends a shift at midnight).
/// Written "HH:MM", as the supervisor types it.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(try_from = "String", into = "String")]
pub struct DayTime(u16);

impl DayTime {
    pub fn from_minutes(minutes: u16) -> Result<DayTime> {
        if minutes > DAY_MINUTES {
            return Err(Error::invalid(
                "time of day",
                &minutes.to_string(),
                "at most 24:00",
            ));
        }
        Ok(DayTime(minutes))
    }

    /// "08:00", "8:30", "24:00".
    pub fn parse(raw: &str) -> Result<DayTime> {
        let bad = || Error::invalid("time of day", raw, "expected HH:MM, 00:00 to 24:00");
        let (h, m) = raw.trim().split_once(':').ok_or_else(bad)?;
        let h: u16 = h.parse().map_err(|_| bad())?;
        let m: u16 = m.parse().map_err(|_| bad())?;
        if m >= 60 || h > 24 {
            return Err(bad());
        }
        DayTime::from_minutes(h * 60 + m).map_err(|_| bad())
    }

    pub fn minutes(self) -> u16 {
        self.0
    }
}

impl fmt::Display for DayTime {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{:02}:{:02}", self.0 / 60, self.0 % 60)
    }
}

impl TryFrom<String> for DayTime {
    type Error = Error;
    fn try_from(raw: String) -> Result<DayTime> {
        DayTime::parse(&raw)
    }
}

impl From<DayTime> for String {
    fn from(t: DayTime) -> String {
        t.to_string()
    }
}

/// A named shift pattern (早班 08:00–16:00). An end at or before the start crosses midnight;
/// an end equal to the start is a 24-hour shift.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct ShiftTemplate {
    pub name: String,
    pub start: DayTime,
    pub end: DayTime,
}

impl ShiftTemplate {
    pub fn new(name: &str, start: &str, end: &str) -> Result<ShiftTemplate> {
        let name = name.trim();
        if name.is_empty() {
            return Err(Error::invalid("template", name, "a shift needs a name"));
        }
        let start = DayTime::parse(start)?;
        if start.minutes() == DAY_MINUTES {
            // A shift starting at 24:00 would belong to the next day: it is that day's 00:00.
            return Err(Error::invalid(
                "start",
                "24:00",
                "a shift starts before 24:00",
            ));
        }
        Ok(ShiftTemplate {
            name: name.to_owned(),
            start,
            end: DayTime::parse(end)?,
        })
    }

    /// 早班 08:00–16:00 and 晚班 16:00–24:00, the pair most shops start from.
    pub fn defaults() -> Vec<ShiftTemplate> {
        vec![
            ShiftTemplate {
                name: "早班".to_owned(),
                start: DayTime(8 * 60),
                end: DayTime(16 * 60),
            },
            ShiftTemplate {
                name: "晚班".to_owned(),
                start: DayTime(16 * 60),
                end: DayTime(DAY_MINUTES),
            },
        ]
    }

    /// Minutes after midnight of the shift's own date; a deserialised 24:00 start counts
    /// as 00:00, since a shift belongs to the date it starts.
    fn start_minute(&self) -> i64 {
        i64::from(self.start.minutes() % DAY_MINUTES)
    }

    pub fn minutes(&self) -> i64 {
        let len = (i64::from(self.end.minutes()) - self.start_minute()).rem_euclid(1440);
        if len == 0 {
            1440
        } else {
            len
        }
    }

    pub fn hours(&self) -> f64 {
        self.minutes() as f64 / 60.0
    }
}

/// Shop-local midnight that starts `date`, in UTC. The offset is fixed, so this is plain
/// arithmetic and cannot be ambiguous.
pub fn local_midnight(shop: ShopTime, date: NaiveDate) -> DateTime<Utc> {
    date.and_time(NaiveTime::MIN).and_utc()
        - Duration::seconds(i64::from(shop.offset().local_minus_utc()))
}

/// An agent on a date with a template. The instants are what the rules and the coverage
/// read; `date` is the day the shift belongs to (the day it starts, also when it crosses
/// midnight) and `template` its name, for the grid and the messages.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Shift {
    pub agent: String,
    pub date: NaiveDate,
    pub template: String,
    pub start: DateTime<Utc>,
    pub end: DateTime<Utc>,
}

impl Shift {
    pub fn new(agent: &str, date: NaiveDate, template: &ShiftTemplate, shop: ShopTime) -> Shift {
        let start = local_midnight(shop, date) + Duration::minutes(template.start_minute());
        Shift {
            agent: agent.to_owned(),
            date,
            template: template.name.clone(),
            start,
            end: start + Duration::minutes(template.minutes()),
        }
    }

    pub fn minutes(&self) -> i64 {
        (self.end - self.start).num_minutes()
    }

    /// Its hours in shop time as the templates write them: "16:00–24:00", a shift that
    /// ends at midnight ending at 24:00.
    pub fn hours_text(&self, shop: ShopTime) -> String {
        let hm = |t: DateTime<Utc>| shop.local(t).format("%H:%M").to_string();
        let end = match hm(self.end) {
            midnight if midnight == "00:00" => "24:00".to_owned(),
            other => other,
        };
        format!("{}–{end}", hm(self.start))
    }
}

/// A day an agent cannot work (请假, 调休).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct TimeOff {
    pub agent: String,
    pub date: NaiveDate,
}

/// Who can be scheduled, the days they cannot work, and shifts already fixed (by hand, or
/// published last week: those near the week matter for rest and rest days).
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Roster {
    pub agents: Vec<String>,
    pub time_off: Vec<TimeOff>,
    pub fixed: Vec<Shift>,
}

/// A dated override for a peak day (双11, 618, any date the shop names): arrivals times
/// `multiplier` plus `added_per_slot` in each half hour of the day, and `extra` agents on
/// top of the computed need for the hours of the named templates.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct PeakDay {
    pub date: NaiveDate,
    pub name: String,
    #[serde(default = "no_change")]
    pub multiplier: f64,
    #[serde(default)]
    pub added_per_slot: f64,
    #[serde(default)]
    pub extra: Vec<ExtraShifts>,
}

fn no_change() -> f64 {
    1.0
}

/// `count` more agents on `template` than the demand asks for, on a peak day.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct ExtraShifts {
    pub template: String,
    pub count: u32,
}

/// The schedule's rules, each a setting with this default.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default)]
pub struct ShiftRules {
    /// Rest between the end of one shift and the start of the next (Timefold's example).
    pub min_rest_minutes: i64,
    /// Hours in a calendar week (Monday to Sunday, by the date each shift belongs to):
    /// China's standard 40 h.
    pub max_week_minutes: i64,
    /// Night shifts on consecutive dates, at most.
    pub max_consecutive_nights: u32,
}

impl Default for ShiftRules {
    fn default() -> Self {
        ShiftRules {
            min_rest_minutes: 10 * 60,
            max_week_minutes: 40 * 60,
            max_consecutive_nights: 3,
        }
    }
}

/// A week of the grid: Monday 00:00 shop time to the next Monday 00:00.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Week {
    monday: NaiveDate,
    start: DateTime<Utc>,
    shop: ShopTime,
}

impl Week {
    pub fn new(monday: NaiveDate, shop: ShopTime) -> Result<Week> {
        if monday.weekday() != Weekday::Mon {
            return Err(Error::invalid(
                "week",
                &monday.to_string(),
                "a week starts on a Monday",
            ));
        }
        Ok(Week {
            monday,
            start: local_midnight(shop, monday),
            shop,
        })
    }

    /// The week `date` falls in.
    pub fn containing(date: NaiveDate, shop: ShopTime) -> Week {
        let monday = date - Duration::days(i64::from(date.weekday().num_days_from_monday()));
        Week {
            monday,
            start: local_midnight(shop, monday),
            shop,
        }
    }

    pub fn monday(&self) -> NaiveDate {
        self.monday
    }

    pub fn shop(&self) -> ShopTime {
        self.shop
    }

    pub fn start(&self) -> DateTime<Utc> {
        self.start
    }

    pub fn end(&self) -> DateTime<Utc> {
        self.start + Duration::days(7)
    }

    pub fn date(&self, day: usize) -> NaiveDate {
        self.monday + Duration::days(day as i64)
    }

    /// 0 for Monday to 6 for Sunday, or None outside the week.
    pub fn day_of(&self, date: NaiveDate) -> Option<usize> {
        let d = (date - self.monday).num_days();
        (0..7).contains(&d).then_some(d as usize)
    }

    pub fn slot_start(&self, slot: usize) -> DateTime<Utc> {
        self.start + Duration::minutes(slot as i64 * SLOT_MINUTES)
    }

    /// The slots of this week that `[start, end)` covers whole: an agent there for part of
    /// a half hour does not count for it.
    pub fn slots_covered(&self, start: DateTime<Utc>, end: DateTime<Utc>) -> Range<usize> {
        let slot = SLOT_MINUTES * 60;
        let from = (start - self.start).num_seconds();
        let to = (end - self.start).num_seconds();
        let first = from.div_euclid(slot) + i64::from(from.rem_euclid(slot) != 0);
        let last = to.div_euclid(slot);
        let clamp = |s: i64| s.clamp(0, SLOTS_PER_WEEK as i64) as usize;
        let (a, b) = (clamp(first), clamp(last));
        a..b.max(a)
    }

    /// The slots of template `t` worked on `day` of this week (0 = Monday).
    pub(crate) fn template_slots(&self, t: &ShiftTemplate, day: usize) -> Range<usize> {
        let start = self.start + Duration::days(day as i64) + Duration::minutes(t.start_minute());
        self.slots_covered(start, start + Duration::minutes(t.minutes()))
    }
}

/// Checks a need per slot has one number for each half hour of the week.
pub(crate) fn check_slots<T>(field: &'static str, per_slot: &[T]) -> Result<()> {
    if per_slot.len() == SLOTS_PER_WEEK {
        Ok(())
    } else {
        Err(Error::invalid(
            field,
            &per_slot.len().to_string(),
            "expected 336 half-hour slots (Monday 00:00 = slot 0)",
        ))
    }
}

#[cfg(test)]
pub(crate) mod tests {
    use super::*;

    pub fn d(s: &str) -> NaiveDate {
        NaiveDate::parse_from_str(s, "%Y-%m-%d").unwrap()
    }

    pub fn at(local: &str) -> DateTime<Utc> {
        ShopTime::SHANGHAI.parse_local(local).unwrap()
    }

    pub fn tpl(name: &str, start: &str, end: &str) -> ShiftTemplate {
        ShiftTemplate::new(name, start, end).unwrap()
    }

    #[test]
    fn a_shift_reads_in_shop_hours_and_midnight_is_24_00() {
        let shop = ShopTime::SHANGHAI;
        let late = Shift::new(
            "小美",
            d("2026-11-24"),
            &tpl("晚班", "16:00", "24:00"),
            shop,
        );
        assert_eq!(late.hours_text(shop), "16:00–24:00");
        let night = Shift::new(
            "小美",
            d("2026-11-24"),
            &tpl("夜班", "22:00", "06:00"),
            shop,
        );
        assert_eq!(night.hours_text(shop), "22:00–06:00");
    }

    #[test]
    fn duty_follows_the_published_shifts_and_weeks() {
        let shop = ShopTime::SHANGHAI;
        let night = Shift::new(
            "小美",
            d("2026-11-29"),
            &tpl("夜班", "22:00", "06:00"),
            shop,
        );
        let week = Week::new(d("2026-11-23"), shop).unwrap();
        let weeks = [(week.start(), week.end())];
        let shifts = [night];
        // Inside her shift, across midnight and into the next (unpublished) week.
        assert_eq!(
            duty("小美", at("2026-11-29 22:00"), &weeks, &shifts),
            Duty::OnShift
        );
        assert_eq!(
            duty("小美", at("2026-11-30 05:59"), &weeks, &shifts),
            Duty::OnShift
        );
        assert_eq!(
            duty("小帅", at("2026-11-30 05:59"), &weeks, &shifts),
            Duty::OffShift
        );
        // The shift ends at 06:00 and nothing published covers the new week.
        assert_eq!(
            duty("小美", at("2026-11-30 06:00"), &weeks, &shifts),
            Duty::Unscheduled
        );
        // Inside the published week, without a shift.
        assert_eq!(
            duty("小美", at("2026-11-25 10:00"), &weeks, &shifts),
            Duty::OffShift
        );
        // Nothing published: as without a schedule.
        assert_eq!(
            duty("小美", at("2026-11-25 10:00"), &[], &[]),
            Duty::Unscheduled
        );
    }

    #[test]
    fn a_shift_crossing_midnight_belongs_to_its_start_date_and_counts_in_that_week() {
        let night = tpl("夜班", "22:00", "06:00");
        // Sunday 2026-11-15, the last day of the week of Monday 11/09.
        let s = Shift::new("小美", d("2026-11-15"), &night, ShopTime::SHANGHAI);
        assert_eq!(s.start, at("2026-11-15 22:00:00"));
        assert_eq!(s.end, at("2026-11-16 06:00:00"));
        assert_eq!(s.minutes(), 8 * 60);
        let week = Week::containing(s.date, ShopTime::SHANGHAI);
        assert_eq!(week.monday(), d("2026-11-09"));
        // The week's hours count it whole (the weekly-hours rule groups by `date`).
        let rules = ShiftRules {
            max_week_minutes: 8 * 60 - 1,
            ..ShiftRules::default()
        };
        let w = check(std::slice::from_ref(&s), &[], &rules, ShopTime::SHANGHAI);
        assert!(
            matches!(w[0].breach, Breach::WeeklyHours { minutes: 480, monday, .. } if monday == d("2026-11-09"))
        );
        // Its grid slots in that week are Sunday 22:00–24:00 only.
        assert_eq!(week.slots_covered(s.start, s.end), 332..336);
    }

    #[test]
    fn templates_parse_and_measure() {
        assert_eq!(tpl("晚班", "16:00", "24:00").minutes(), 480);
        assert_eq!(tpl("全天", "09:00", "09:00").minutes(), 1440);
        assert_eq!(tpl("短", "09:30", "12:00").minutes(), 150);
        assert!(ShiftTemplate::new("x", "24:00", "08:00").is_err());
        assert!(ShiftTemplate::new("x", "8:60", "12:00").is_err());
        assert!(ShiftTemplate::new(" ", "08:00", "12:00").is_err());
        let json = serde_json::to_string(&ShiftTemplate::defaults()[1]).unwrap();
        assert_eq!(json, r#"{"name":"晚班","start":"16:00","end":"24:00"}"#);
        let back: ShiftTemplate = serde_json::from_str(&json).unwrap();
        assert_eq!(back, ShiftTemplate::defaults()[1]);
        let peak: PeakDay = serde_json::from_str(r#"{"date":"2026-11-11","name":"双11"}"#).unwrap();
        assert_eq!((peak.multiplier, peak.added_per_slot), (1.0, 0.0));
        assert!(serde_json::from_str::<PeakDay>(r#"{"name":"双11"}"#).is_err());
        assert!(serde_json::from_str::<ShiftTemplate>(
            r#"{"name":"x","start":"25:00","end":"1:00"}"#
        )
        .is_err());
    }

    #[test]
    fn weeks_start_on_monday_and_count_whole_slots() {
        assert!(Week::new(d("2026-11-10"), ShopTime::SHANGHAI).is_err());
        let w = Week::new(d("2026-11-09"), ShopTime::SHANGHAI).unwrap();
        assert_eq!(w.start(), at("2026-11-09 00:00:00"));
        assert_eq!(w.slot_start(20), at("2026-11-09 10:00:00"));
        // 08:15–09:45 covers 08:30 and 09:00 whole.
        assert_eq!(
            w.slots_covered(at("2026-11-09 08:15:00"), at("2026-11-09 09:45:00")),
            17..19
        );
        // Before the week, and a shift ending as the week starts.
        assert_eq!(
            w.slots_covered(at("2026-11-08 16:00:00"), at("2026-11-09 00:00:00")),
            0..0
        );
        assert_eq!(w.template_slots(&tpl("早班", "08:00", "16:00"), 1), 64..80);
        assert_eq!(w.day_of(d("2026-11-15")), Some(6));
        assert_eq!(w.day_of(d("2026-11-16")), None);
    }
}
