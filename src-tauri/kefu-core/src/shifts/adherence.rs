//! Adherence (出勤): whether an agent keeps its published shifts, live, for the team view.
//! An agent is present while its PC beats and its state is not offline (a suspended agent is
//! at its desk); `online` are the spans it was present, as the storage recorded them.

use chrono::{DateTime, Duration, Utc};
use serde::{Deserialize, Serialize};

use super::Shift;

/// Coming this long after the shift's start is not late (a PC that starts up).
pub const LATE_AFTER_MINUTES: i64 = 1;

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "status", rename_all = "snake_case")]
pub enum Attendance {
    /// In a shift and present; `late_minutes` when it came after the shift started.
    OnShift { late_minutes: Option<i64> },
    /// In a shift, not present, and not yet come since it started.
    Late { minutes: i64 },
    /// In a shift, came, and has gone.
    Absent,
    /// Present outside its shifts while a schedule is published.
    OffShiftOnline,
    /// Outside its shifts and not present: nothing to say.
    OffShift,
}

impl Attendance {
    /// Every status, with its code as serialized and its words (`words`).
    pub const ALL: [(&'static str, &'static str); 5] = [
        ("on_shift", "在班"),
        ("late", "未到岗"),
        ("absent", "在班时间离开"),
        ("off_shift_online", "不在班但在线"),
        ("off_shift", "不在班"),
    ];
}

/// An agent's adherence now, and its day's share of scheduled time spent present.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Adherence {
    pub agent: String,
    #[serde(flatten)]
    pub attendance: Attendance,
    /// Scheduled minutes of the day so far (shifts of `day` up to now).
    pub scheduled_minutes: i64,
    /// Of those, minutes present.
    pub present_minutes: i64,
}

impl Adherence {
    /// The share of scheduled time so far spent present; `None` before any was scheduled.
    pub fn share(&self) -> Option<f64> {
        (self.scheduled_minutes > 0)
            .then(|| self.present_minutes as f64 / self.scheduled_minutes as f64)
    }
}

fn overlap(a: (DateTime<Utc>, DateTime<Utc>), b: (DateTime<Utc>, DateTime<Utc>)) -> Duration {
    let (from, to) = (a.0.max(b.0), a.1.min(b.1));
    if to > from {
        to - from
    } else {
        Duration::zero()
    }
}

/// `agent`'s adherence at `now`: `shifts` are its published shifts of the day (shifts
/// that started before `now` count up to `now`), `online` its present spans (an open span
/// ends at its last beat), `present` whether it is present now.
pub fn adherence(
    agent: &str,
    shifts: &[Shift],
    online: &[(DateTime<Utc>, DateTime<Utc>)],
    present: bool,
    now: DateTime<Utc>,
) -> Adherence {
    let mut scheduled = Duration::zero();
    let mut there = Duration::zero();
    for s in shifts.iter().filter(|s| s.start < now) {
        let so_far = (s.start, s.end.min(now));
        scheduled += so_far.1 - so_far.0;
        there += online.iter().map(|o| overlap(so_far, *o)).sum::<Duration>();
    }
    let current = shifts.iter().find(|s| s.start <= now && now < s.end);
    let attendance = match current {
        Some(s) => {
            let came = online
                .iter()
                .filter(|o| o.1 > s.start)
                .map(|o| o.0.max(s.start))
                .min();
            let late = came
                .map(|c| (c - s.start).num_minutes())
                .filter(|m| *m >= LATE_AFTER_MINUTES);
            match (present, came) {
                (true, _) => Attendance::OnShift { late_minutes: late },
                (false, None) => Attendance::Late {
                    minutes: (now - s.start).num_minutes(),
                },
                (false, Some(_)) => Attendance::Absent,
            }
        }
        None if present => Attendance::OffShiftOnline,
        None => Attendance::OffShift,
    };
    Adherence {
        agent: agent.to_owned(),
        attendance,
        scheduled_minutes: scheduled.num_minutes(),
        present_minutes: there.num_minutes(),
    }
}

#[cfg(test)]
mod tests {
    use super::super::tests::{at, d, tpl};
    use super::*;
    use crate::shop::ShopTime;

    fn early() -> Vec<Shift> {
        vec![Shift::new(
            "小美",
            d("2026-11-24"),
            &tpl("早班", "08:00", "16:00"),
            ShopTime::SHANGHAI,
        )]
    }

    #[test]
    fn every_status_has_its_words_under_its_serialized_code() {
        let all = [
            Attendance::OnShift { late_minutes: None },
            Attendance::Late { minutes: 1 },
            Attendance::Absent,
            Attendance::OffShiftOnline,
            Attendance::OffShift,
        ];
        for (a, (code, _)) in all.iter().zip(Attendance::ALL) {
            let json = serde_json::to_value(a).unwrap();
            assert_eq!(json["status"], code);
        }
    }

    #[test]
    fn late_then_on_shift_then_absent() {
        let shifts = early();
        let now = at("2026-11-24 08:20");
        let a = adherence("小美", &shifts, &[], false, now);
        assert_eq!(a.attendance, Attendance::Late { minutes: 20 });
        assert_eq!((a.scheduled_minutes, a.present_minutes), (20, 0));

        let came = [(at("2026-11-24 08:12"), at("2026-11-24 10:00"))];
        let a = adherence("小美", &shifts, &came, true, at("2026-11-24 10:00"));
        assert_eq!(
            a.attendance,
            Attendance::OnShift {
                late_minutes: Some(12)
            }
        );
        assert_eq!((a.scheduled_minutes, a.present_minutes), (120, 108));
        assert_eq!(a.share(), Some(0.9));

        let a = adherence("小美", &shifts, &came, false, at("2026-11-24 11:00"));
        assert_eq!(a.attendance, Attendance::Absent);
        assert_eq!((a.scheduled_minutes, a.present_minutes), (180, 108));
    }

    #[test]
    fn on_time_off_shift_and_online_outside_shifts() {
        let shifts = early();
        let on_time = [(at("2026-11-24 07:55"), at("2026-11-24 09:00"))];
        let a = adherence("小美", &shifts, &on_time, true, at("2026-11-24 09:00"));
        assert_eq!(a.attendance, Attendance::OnShift { late_minutes: None });
        assert_eq!(a.present_minutes, 60);
        let evening = adherence("小美", &shifts, &[], true, at("2026-11-24 18:00"));
        assert_eq!(evening.attendance, Attendance::OffShiftOnline);
        assert_eq!(evening.scheduled_minutes, 480);
        let none = adherence("小美", &[], &[], false, at("2026-11-24 18:00"));
        assert_eq!(
            (none.attendance.clone(), none.share()),
            (Attendance::OffShift, None)
        );
    }
}
