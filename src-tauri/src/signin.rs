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
}
