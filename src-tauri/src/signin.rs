//! Passwords of the shop's accounts: argon2id with a random salt, stored as a PHC string.

use argon2::password_hash::rand_core::OsRng;
use argon2::password_hash::{PasswordHash, PasswordHasher, SaltString};
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

/// `password` hashed with the parameters and salt of a stored hash (`salt`: a PHC string
/// without its output, as the database gives it), to be compared with the stored one. A
/// salt that cannot be read, or none, gets `UNKNOWN_NAME_HASH`'s: the same work, and a hash
/// that matches nothing.
pub fn hash_with_salt(password: &str, salt: Option<&str>) -> String {
    salt.and_then(|s| hash_like(password, s))
        .or_else(|| {
            let unknown = UNKNOWN_NAME_HASH.rsplit_once('$').map(|(s, _)| s)?;
            hash_like(password, unknown)
        })
        .unwrap_or_default()
}

fn hash_like(password: &str, salt: &str) -> Option<String> {
    // A PHC string parses with an output only: any of the usual 32 bytes stands in for it.
    let phc = format!("{salt}${}", "A".repeat(43));
    let parsed = PasswordHash::new(&phc).ok()?;
    let params = argon2::Params::try_from(&parsed).ok()?;
    let salt = parsed.salt?;
    Argon2::default()
        .hash_password_customized(
            password.as_bytes(),
            Some(parsed.algorithm),
            parsed.version,
            params,
            salt,
        )
        .ok()
        .map(|h| h.to_string())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_password_hashed_with_its_salt_is_its_hash_and_no_other_is() {
        let h = hash("xiaomei-2026").unwrap();
        assert!(h.starts_with("$argon2id$"), "{h}");
        let salt = h.rsplit_once('$').map(|(s, _)| s);
        assert_eq!(hash_with_salt("xiaomei-2026", salt), h);
        assert_ne!(hash_with_salt("xiaomei-2027", salt), h);
        assert_ne!(hash("xiaomei-2026").unwrap(), h, "salted");
        assert!(hash("short").is_err());
    }

    #[test]
    fn no_salt_or_a_broken_one_costs_what_a_real_one_does_and_matches_nothing() {
        let real = hash("xiaomei-2026").unwrap();
        let params = |h: &str| h.split('$').nth(3).map(str::to_owned);
        assert_eq!(params(UNKNOWN_NAME_HASH), params(&real));
        for salt in [None, Some("not a salt"), Some("$argon2id$v=19$m=1")] {
            let h = hash_with_salt("xiaomei-2026", salt);
            assert_eq!(params(&h), params(&real), "{salt:?}");
            assert_ne!(h, UNKNOWN_NAME_HASH);
            assert_ne!(h, real);
        }
    }
}
