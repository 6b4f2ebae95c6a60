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
        let s = crate::order::unwrap_cell(raw).replace('/', "-");
        let naive = ["%Y-%m-%d %H:%M:%S", "%Y-%m-%d %H:%M", "%Y-%m-%dT%H:%M:%S"]
            .iter()
            .find_map(|f| NaiveDateTime::parse_from_str(&s, f).ok())
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

#[cfg(test)]
mod tests {
    use super::*;

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
