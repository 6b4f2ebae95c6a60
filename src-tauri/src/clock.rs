//! The app's clock: the system clock; on a team database the database's (every PC keeps
//! one time, so presence, follow-ups and shifts agree whichever PC wrote them); or, when
//! `KEFU_CLOCK_START` holds an RFC 3339 time, a clock that starts at that instant and runs
//! at normal speed. Support and the end-to-end tests use it to replay a day (a chase due at
//! 10:20 is due at 10:20 whatever the hour of the test run); on a team database only a
//! practice one allows it. The core never reads a clock at all.

use std::sync::atomic::{AtomicI64, Ordering};
use std::sync::OnceLock;
use std::time::Instant;

use chrono::{DateTime, Duration, Utc};

use crate::error::{Error, Result};

pub const CLOCK_ENV: &str = "KEFU_CLOCK_START";

static START: OnceLock<Option<(DateTime<Utc>, Instant)>> = OnceLock::new();
/// How far the team database's clock is ahead of this PC's, in microseconds.
static BEHIND_TEAM: AtomicI64 = AtomicI64::new(0);

fn start() -> Option<(DateTime<Utc>, Instant)> {
    *START.get_or_init(|| {
        let raw = std::env::var(CLOCK_ENV).ok()?;
        match DateTime::parse_from_rfc3339(raw.trim()) {
            Ok(t) => Some((t.with_timezone(&Utc), Instant::now())),
            Err(e) => {
                eprintln!("kefu-desk: ignoring {CLOCK_ENV}={raw:?}: {e}");
                None
            }
        }
    })
}

pub fn now() -> DateTime<Utc> {
    match start() {
        Some((at, since)) => at + Duration::from_std(since.elapsed()).unwrap_or_default(),
        None => Utc::now() + Duration::microseconds(BEHIND_TEAM.load(Ordering::Relaxed)),
    }
}

/// Follows a team database's clock, read as `team_now` a moment ago, and refuses a clock
/// of this PC's own unless the database is a practice one (`may_set`): a PC replaying
/// another day would shift presence and follow-ups for everyone.
pub fn follow_team(team_now: DateTime<Utc>, may_set: bool) -> Result<()> {
    if start().is_some() {
        return if may_set {
            Ok(())
        } else {
            Err(Error::Usage(format!(
                "{CLOCK_ENV}: a team database keeps one time for every PC; only a practice \
                 database (its owner sets team_clock.pcs_may_set_clock) takes a PC's own clock"
            )))
        };
    }
    let ahead = team_now - Utc::now();
    BEHIND_TEAM.store(
        ahead.num_microseconds().unwrap_or_default(),
        Ordering::Relaxed,
    );
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_team_clock_ahead_of_the_pcs_moves_now_with_it() {
        // This test process has no KEFU_CLOCK_START.
        follow_team(Utc::now() + Duration::seconds(90), false).expect("follows");
        let ahead = now() - Utc::now();
        assert!(
            (Duration::seconds(89)..=Duration::seconds(91)).contains(&ahead),
            "{ahead}"
        );
        follow_team(Utc::now(), false).expect("follows");
        assert!((now() - Utc::now()).abs() < Duration::seconds(1));
    }
}
