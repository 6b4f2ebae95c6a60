//! Passwords of the shop's accounts: argon2id with a random salt, stored as a PHC string.

use argon2::password_hash::rand_core::OsRng;
use argon2::password_hash::{PasswordHash, PasswordHasher, PasswordVerifier, SaltString};
use argon2::Argon2;

use crate::error::{Error, Result};

pub fn hash(password: &str) -> Result<String> {
    if password.chars().count() < 6 {
        return Err(Error::Usage("password: at least 6 characters".into()));
    }
    let salt = SaltString::generate(&mut OsRng);
    Argon2::default()
        .hash_password(password.as_bytes(), &salt)
        .map(|h| h.to_string())
        .map_err(|e| Error::Usage(format!("password: {e}")))
}

/// A hash no password is known to match (a random salt and a random output, with the
/// parameters `hash` uses), checked for a name that has no account so that an unknown name
/// costs the same time as a wrong password.
pub const UNKNOWN_NAME_HASH: &str =
    "$argon2id$v=19$m=19456,t=2,p=1$f4dwga0vgt5Oq4VZ7W8bUA$zys0GPsXmBrUUAkthmZJTIolpciDegDdIzA6yKFXkWM";

/// Whether `password` matches the stored hash. A hash that cannot be read counts as no
/// match: the account cannot sign in until a supervisor sets a new password.
pub fn verify(password: &str, stored: &str) -> bool {
    PasswordHash::new(stored).is_ok_and(|h| {
        Argon2::default()
            .verify_password(password.as_bytes(), &h)
            .is_ok()
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_hash_verifies_its_password_only() {
        let h = hash("xiaomei-2026").unwrap();
        assert!(h.starts_with("$argon2id$"), "{h}");
        assert!(verify("xiaomei-2026", &h));
        assert!(!verify("xiaomei-2027", &h));
        assert!(!verify("xiaomei-2026", "not a hash"));
        assert_ne!(hash("xiaomei-2026").unwrap(), h, "salted");
        assert!(hash("short").is_err());
    }

    #[test]
    fn the_unknown_name_hash_costs_what_a_real_one_does_and_matches_nothing() {
        let real = hash("xiaomei-2026").unwrap();
        let params = |h: &str| h.split('$').nth(3).map(str::to_owned);
        assert_eq!(params(UNKNOWN_NAME_HASH), params(&real));
        assert!(PasswordHash::new(UNKNOWN_NAME_HASH).is_ok());
        assert!(!verify("xiaomei-2026", UNKNOWN_NAME_HASH));
        assert!(!verify("", UNKNOWN_NAME_HASH));
    }
}
