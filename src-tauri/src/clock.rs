//! The app's clock: the system clock, or, when `KEFU_CLOCK_START` holds an RFC 3339 time,
//! a clock that starts at that instant and runs at normal speed. Support and the
//! end-to-end tests use it to replay a day (a chase due at 10:20 is due at 10:20 whatever
//! the hour of the test run); the core never reads a clock at all.

use std::sync::OnceLock;
use std::time::Instant;

use chrono::{DateTime, Utc};

pub const CLOCK_ENV: &str = "KEFU_CLOCK_START";

static START: OnceLock<Option<(DateTime<Utc>, Instant)>> = OnceLock::new();

pub fn now() -> DateTime<Utc> {
    let start = START.get_or_init(|| {
        let raw = std::env::var(CLOCK_ENV).ok()?;
        match DateTime::parse_from_rfc3339(raw.trim()) {
            Ok(t) => Some((t.with_timezone(&Utc), Instant::now())),
            Err(e) => {
                eprintln!("kefu-desk: ignoring {CLOCK_ENV}={raw:?}: {e}");
                None
            }
        }
    });
    match start {
        Some((at, since)) => *at + chrono::Duration::from_std(since.elapsed()).unwrap_or_default(),
        None => Utc::now(),
    }
}
