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
        let s = crate::order::unwrap_cell(raw).replace(',', "");
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
        let fen: i64 = format!("{frac:0<2}").parse().unwrap_or(0);
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
