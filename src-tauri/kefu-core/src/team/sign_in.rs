//! How often a shop account may try its password: a few tries are typing mistakes, more
//! are someone guessing. Kept per account name (known or not, so that a name's existence
//! cannot be told from the answer) in the shop's database, so every PC counts together.

use chrono::{DateTime, Duration, Utc};

use crate::error::{Error, Result};

/// Failed tries in a row that cost nothing.
pub const FREE_FAILURES: u32 = 5;
/// The wait after the first failure past the free ones; it doubles with each further one.
const FIRST_WAIT_SECONDS: i64 = 30;
/// The longest wait, so that the account's owner is never locked out for long.
const LONGEST_WAIT_SECONDS: i64 = 15 * 60;
/// Failures this long past are forgotten: the next one counts as the first, and the
/// database drops what it kept of them (names guessed once would pile up otherwise).
pub const FORGOTTEN_AFTER_SECONDS: i64 = 24 * 3600;

/// How long after the latest failure the next try is allowed, given `failures` in a row:
/// none for the first five, then 30 s, 1 min, 2 min, … up to 15 min.
pub fn wait_after(failures: u32) -> Duration {
    if failures < FREE_FAILURES {
        return Duration::zero();
    }
    let doublings = (failures - FREE_FAILURES).min(20);
    Duration::seconds((FIRST_WAIT_SECONDS << doublings).min(LONGEST_WAIT_SECONDS))
}

/// Checks that a try at `now` is allowed after `failures` in a row, the latest at
/// `last_failed`; refused, it says how many seconds are left.
pub fn check_try(
    failures: u32,
    last_failed: Option<DateTime<Utc>>,
    now: DateTime<Utc>,
) -> Result<()> {
    let Some(last) = last_failed else {
        return Ok(());
    };
    let allowed_at = last + wait_after(failures);
    if now >= allowed_at {
        return Ok(());
    }
    // Rounded up: "try again in 0 s" would be a lie.
    let left = (allowed_at - now).num_milliseconds();
    Err(Error::Throttled {
        seconds: (left + 999) / 1000,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn at(s: &str) -> DateTime<Utc> {
        DateTime::parse_from_rfc3339(s).unwrap().with_timezone(&Utc)
    }

    #[test]
    fn five_failures_are_free_then_the_wait_doubles_up_to_fifteen_minutes() {
        let waits: Vec<i64> = (0..12).map(|n| wait_after(n).num_seconds()).collect();
        assert_eq!(waits, [0, 0, 0, 0, 0, 30, 60, 120, 240, 480, 900, 900]);
        assert_eq!(wait_after(u32::MAX).num_seconds(), 900);
    }

    #[test]
    fn a_try_waits_until_the_latest_failure_plus_its_wait() {
        let last = Some(at("2026-11-23T12:00:00+08:00"));
        assert_eq!(check_try(4, last, at("2026-11-23T12:00:00+08:00")), Ok(()));
        assert_eq!(
            check_try(5, last, at("2026-11-23T12:00:10+08:00")),
            Err(Error::Throttled { seconds: 20 })
        );
        assert_eq!(
            check_try(5, last, at("2026-11-23T12:00:29.500+08:00")),
            Err(Error::Throttled { seconds: 1 })
        );
        assert_eq!(check_try(5, last, at("2026-11-23T12:00:30+08:00")), Ok(()));
        assert_eq!(
            check_try(7, last, at("2026-11-23T12:01:59+08:00")),
            Err(Error::Throttled { seconds: 1 })
        );
        assert_eq!(check_try(7, last, at("2026-11-23T12:02:00+08:00")), Ok(()));
        assert_eq!(check_try(9, None, at("2026-11-23T12:00:00+08:00")), Ok(()));
    }
}
