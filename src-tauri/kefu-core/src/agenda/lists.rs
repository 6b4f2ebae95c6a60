//! The agenda's lists: when a follow-up counts as due or overdue, their order, and the
//! snooze menu.

use chrono::{DateTime, Duration, Utc};
use serde::{Deserialize, Serialize};

use super::Kind;
use crate::{Error, Result, ShopTime};

/// A due follow-up counts as overdue after this long.
pub const OVERDUE_AFTER_MINUTES: i64 = 30;

/// The upcoming list looks this far ahead.
pub const UPCOMING_HOURS: i64 = 24;

/// The order of the overdue and due lists, most urgent first: payment chases (an unpaid
/// order is lost at its close), then what expires soonest, then what fell due first.
pub fn most_urgent_first(
    kind: Kind,
    expires_at: Option<DateTime<Utc>>,
    due_at: DateTime<Utc>,
) -> impl Ord {
    (
        kind != Kind::Chase,
        expires_at.unwrap_or(DateTime::<Utc>::MAX_UTC),
        due_at,
    )
}

/// Where a follow-up stands at `now`, for the agenda's three lists.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Urgency {
    Overdue,
    Due,
    Upcoming,
}

impl Urgency {
    pub fn code(self) -> &'static str {
        match self {
            Urgency::Overdue => "overdue",
            Urgency::Due => "due",
            Urgency::Upcoming => "upcoming",
        }
    }

    pub fn label(self) -> &'static str {
        match self {
            Urgency::Overdue => "逾期",
            Urgency::Due => "到期",
            Urgency::Upcoming => "稍后",
        }
    }
}

/// Due for `overdue_after` before it counts as overdue.
pub fn urgency(wake_at: DateTime<Utc>, now: DateTime<Utc>, overdue_after: Duration) -> Urgency {
    if wake_at > now {
        Urgency::Upcoming
    } else if now - wake_at >= overdue_after {
        Urgency::Overdue
    } else {
        Urgency::Due
    }
}

/// The choices of the snooze menu.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Snooze {
    /// 15 minutes.
    Quarter,
    /// One hour.
    Hour,
    /// Tomorrow 09:00 shop time.
    Tomorrow,
}

impl Snooze {
    pub fn code(self) -> &'static str {
        match self {
            Snooze::Quarter => "15m",
            Snooze::Hour => "1h",
            Snooze::Tomorrow => "tomorrow",
        }
    }

    pub fn label(self) -> &'static str {
        match self {
            Snooze::Quarter => "15 分钟后",
            Snooze::Hour => "1 小时后",
            Snooze::Tomorrow => "明天 9:00",
        }
    }

    pub fn parse(raw: &str) -> Result<Snooze> {
        match raw.trim() {
            "15m" | "quarter" => Ok(Snooze::Quarter),
            "1h" | "hour" => Ok(Snooze::Hour),
            "tomorrow" => Ok(Snooze::Tomorrow),
            _ => Err(Error::invalid(
                "snooze",
                raw,
                "expected 15m, 1h or tomorrow",
            )),
        }
    }

    pub fn until(self, now: DateTime<Utc>, shop: ShopTime) -> DateTime<Utc> {
        match self {
            Snooze::Quarter => now + Duration::minutes(15),
            Snooze::Hour => now + Duration::hours(1),
            Snooze::Tomorrow => {
                let day = shop.local(now).date_naive() + Duration::days(1);
                day.and_hms_opt(9, 0, 0)
                    .and_then(|t| shop.from_local(t))
                    .unwrap_or(now + Duration::hours(24))
            }
        }
    }
}
