//! Shops and shop time.
//!
//! Timestamps are stored and compared in UTC; the shop's clock only matters where a person
//! reads or writes a time (exports, the screen) and for the quiet hours of payment chasing.
//! Mainland China has had no daylight saving since 1991, so a shop's zone is a fixed UTC
//! offset (default +08:00, Asia/Shanghai), which keeps the core free of a time-zone database.

use chrono::{DateTime, FixedOffset, NaiveDateTime, TimeZone, Utc};
use serde::{Deserialize, Serialize};

use crate::error::{Error, Result};

#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ShopKind {
    /// 淘宝集市店: the seller may change the item price of an unpaid order.
    CShop,
    /// 天猫商城: only the postage of an unpaid order may change.
    Tmall,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct ShopTime {
    offset: FixedOffset,
}

impl Default for ShopTime {
    fn default() -> Self {
        ShopTime::SHANGHAI
    }
}

impl ShopTime {
    pub const SHANGHAI: ShopTime = ShopTime {
        offset: match FixedOffset::east_opt(8 * 3600) {
            Some(o) => o,
            None => unreachable!(),
        },
    };

    pub fn from_offset_minutes(minutes: i32) -> Result<ShopTime> {
        FixedOffset::east_opt(minutes * 60)
            .map(|offset| ShopTime { offset })
            .ok_or_else(|| Error::invalid("time zone", &minutes.to_string(), "offset out of range"))
    }

    pub fn offset(&self) -> FixedOffset {
        self.offset
    }

    /// Parses a shop-local timestamp as exports write it (`2026-11-09 07:45:00`, also with
    /// `/` separators or without seconds) and returns it in UTC.
    pub fn parse_local(&self, raw: &str) -> Result<DateTime<Utc>> {
        let cell = crate::order::unwrap_cell(raw);
        let naive = exact_local(cell)
            .or_else(|| by_formats(cell))
            .ok_or_else(|| Error::invalid("time", raw, "expected YYYY-MM-DD HH:MM:SS"))?;
        self.from_local(naive)
            .ok_or_else(|| Error::invalid("time", raw, "not a valid local time"))
    }

    pub fn from_local(&self, naive: NaiveDateTime) -> Option<DateTime<Utc>> {
        self.offset
            .from_local_datetime(&naive)
            .single()
            .map(|t| t.with_timezone(&Utc))
    }

    pub fn local(&self, t: DateTime<Utc>) -> DateTime<FixedOffset> {
        t.with_timezone(&self.offset)
    }
}

/// The forms an export's time may take, read by chrono's formats.
fn by_formats(cell: &str) -> Option<NaiveDateTime> {
    let s = cell.replace('/', "-");
    ["%Y-%m-%d %H:%M:%S", "%Y-%m-%d %H:%M", "%Y-%m-%dT%H:%M:%S"]
        .iter()
        .find_map(|f| NaiveDateTime::parse_from_str(&s, f).ok())
}

/// `YYYY-MM-DD HH:MM:SS` (or with `/`), the form of every export's times, read without
/// chrono's format machinery: two of them in each of a million rows. `None` for anything
/// else, which `by_formats` then reads (or refuses).
fn exact_local(s: &str) -> Option<NaiveDateTime> {
    let b = s.as_bytes();
    if b.len() != 19 || b[10] != b' ' || b[13] != b':' || b[16] != b':' {
        return None;
    }
    let sep = b[4];
    if (sep != b'-' && sep != b'/') || b[7] != sep {
        return None;
    }
    let number = |from: usize, to: usize| -> Option<u32> {
        b.get(from..to)?.iter().try_fold(0u32, |n, d| {
            d.is_ascii_digit().then(|| n * 10 + u32::from(d - b'0'))
        })
    };
    let date = chrono::NaiveDate::from_ymd_opt(
        i32::try_from(number(0, 4)?).ok()?,
        number(5, 7)?,
        number(8, 10)?,
    )?;
    date.and_hms_opt(number(11, 13)?, number(14, 16)?, number(17, 19)?)
}

#[cfg(test)]
mod tests {
    use proptest::prelude::*;

    use super::*;

    proptest! {
        /// The exact form's reader agrees with chrono's formats on every time written in
        /// that form, valid or not (month 13, 24:00, leap seconds), and on near misses.
        #[test]
        fn the_exact_form_reads_as_the_formats_do(
            y in 0u32..10_000, mo in 0u32..14, d in 0u32..33,
            h in 0u32..26, mi in 0u32..62, sec in 0u32..62,
            slash in any::<bool>(), noise in prop::option::of((0usize..19, any::<char>())),
        ) {
            let sep = if slash { '/' } else { '-' };
            let mut s = format!("{y:04}{sep}{mo:02}{sep}{d:02} {h:02}:{mi:02}:{sec:02}");
            if let Some((at, c)) = noise {
                let mut chars: Vec<char> = s.chars().collect();
                chars[at] = c;
                s = chars.into_iter().collect();
            }
            let cell = crate::order::unwrap_cell(&s);
            if let Some(t) = exact_local(cell) {
                prop_assert_eq!(Some(t), by_formats(cell), "{}", s);
            }
            let parsed = ShopTime::SHANGHAI.parse_local(&s).ok();
            let formats = by_formats(cell).and_then(|n| ShopTime::SHANGHAI.from_local(n));
            prop_assert_eq!(parsed, formats, "{}", s);
        }
    }

    #[test]
    fn export_times_are_shanghai_local() {
        let t = ShopTime::SHANGHAI
            .parse_local("2026-11-09 07:45:00")
            .unwrap();
        assert_eq!(t.to_rfc3339(), "2026-11-08T23:45:00+00:00");
        let t = ShopTime::SHANGHAI.parse_local("2026/11/09 07:45").unwrap();
        assert_eq!(t.to_rfc3339(), "2026-11-08T23:45:00+00:00");
        assert!(ShopTime::SHANGHAI
            .parse_local("2026-13-09 07:45:00")
            .is_err());
        assert!(ShopTime::SHANGHAI.parse_local("").is_err());
    }
}
