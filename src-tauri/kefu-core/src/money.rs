//! Money as integer fen (1 yuan = 100 fen). Floats never touch an amount.

use serde::{Deserialize, Serialize};
use std::fmt;

use crate::error::{Error, Result};

#[derive(
    Clone, Copy, Debug, Default, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize,
)]
#[serde(transparent)]
pub struct Fen(pub i64);

impl Fen {
    /// Parses a yuan amount as exports write it: `387.00`, `39.9`, `12`, `="1,299.00"`.
    /// Trailing zeros beyond two decimals (spreadsheet re-saves) are accepted; any other
    /// third decimal is refused rather than rounded, because rounding money hides errors.
    pub fn parse_yuan(raw: &str) -> Result<Fen> {
        let cell = crate::order::unwrap_cell(raw);
        // Thousands separators come from spreadsheets; an export's amounts have none, and
        // a million of them are read without a copy.
        let s: std::borrow::Cow<str> = if cell.contains(',') {
            cell.replace(',', "").into()
        } else {
            cell.into()
        };
        let s = s.strip_prefix('¥').unwrap_or(&s).trim();
        let (neg, s) = match s.strip_prefix('-') {
            Some(rest) => (true, rest),
            None => (false, s),
        };
        let (int, frac) = s.split_once('.').unwrap_or((s, ""));
        if int.is_empty() || !int.bytes().all(|b| b.is_ascii_digit()) {
            return Err(Error::invalid("amount", raw, "not a yuan amount"));
        }
        if !frac.bytes().all(|b| b.is_ascii_digit()) {
            return Err(Error::invalid("amount", raw, "not a yuan amount"));
        }
        let frac = frac.trim_end_matches('0');
        if frac.len() > 2 {
            return Err(Error::invalid("amount", raw, "more than two decimals"));
        }
        let yuan: i64 = int
            .parse()
            .map_err(|_| Error::invalid("amount", raw, "amount too large"))?;
        // At most two digits, checked above: "5" is 50 fen, "05" is 5.
        let digits = frac.bytes().fold(0, |n, d| n * 10 + i64::from(d - b'0'));
        let fen = if frac.len() == 1 { digits * 10 } else { digits };
        let total = yuan
            .checked_mul(100)
            .and_then(|v| v.checked_add(fen))
            .ok_or_else(|| Error::invalid("amount", raw, "amount too large"))?;
        Ok(Fen(if neg { -total } else { total }))
    }
}

impl fmt::Display for Fen {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let sign = if self.0 < 0 { "-" } else { "" };
        let v = self.0.unsigned_abs();
        write!(f, "{sign}{}.{:02}", v / 100, v % 100)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_export_amounts() {
        assert_eq!(Fen::parse_yuan("387.00"), Ok(Fen(38700)));
        assert_eq!(Fen::parse_yuan("39.9"), Ok(Fen(3990)));
        assert_eq!(Fen::parse_yuan("12"), Ok(Fen(1200)));
        assert_eq!(Fen::parse_yuan(" 0.00 "), Ok(Fen(0)));
        assert_eq!(Fen::parse_yuan("=\"1,299.50\""), Ok(Fen(129950)));
        assert_eq!(Fen::parse_yuan("12.3000"), Ok(Fen(1230)));
        assert_eq!(Fen::parse_yuan("-5.01"), Ok(Fen(-501)));
        assert_eq!(Fen::parse_yuan("0.05"), Ok(Fen(5)));
        assert_eq!(Fen::parse_yuan("¥1.5"), Ok(Fen(150)));
    }

    proptest::proptest! {
        /// Every amount reads back as written, with two decimals, one, or a thousands
        /// separator.
        #[test]
        fn every_amount_reads_back(fen in -10_000_000_000i64..10_000_000_000) {
            let written = Fen(fen).to_string();
            proptest::prop_assert_eq!(Fen::parse_yuan(&written), Ok(Fen(fen)));
            if fen % 10 == 0 {
                let one = written.strip_suffix('0').unwrap_or(&written);
                proptest::prop_assert_eq!(Fen::parse_yuan(one), Ok(Fen(fen)));
            }
            let (sign, abs) = written.split_at(usize::from(fen < 0));
            let (int, frac) = abs.split_once('.').unwrap();
            let mut grouped = String::new();
            for (i, d) in int.chars().enumerate() {
                if i > 0 && (int.len() - i) % 3 == 0 {
                    grouped.push(',');
                }
                grouped.push(d);
            }
            let separated = format!("{sign}{grouped}.{frac}");
            proptest::prop_assert_eq!(Fen::parse_yuan(&separated), Ok(Fen(fen)));
        }
    }

    #[test]
    fn refuses_what_is_not_money() {
        assert!(Fen::parse_yuan("").is_err());
        assert!(Fen::parse_yuan("abc").is_err());
        assert!(Fen::parse_yuan("1.234").is_err());
        assert!(Fen::parse_yuan("1e5").is_err());
        assert!(Fen::parse_yuan("99999999999999999999").is_err());
    }

    #[test]
    fn displays_as_yuan() {
        assert_eq!(Fen(38700).to_string(), "387.00");
        assert_eq!(Fen(5).to_string(), "0.05");
        assert_eq!(Fen(-501).to_string(), "-5.01");
    }
}
