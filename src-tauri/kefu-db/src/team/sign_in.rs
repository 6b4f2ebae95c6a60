//! Signing in: the password hash compared in the database, failed sign-ins per account
//! name counted there so that every PC counts together (how long a name then waits is
//! kefu-core's `team::sign_in`). On a team database the comparison, the count and the wait
//! are the database's own (`sign_in` of the migration `20261203100014_pc_login.sql`), so a
//! PC's login can neither read a hash nor skip a wait; a right password gives this PC a
//! session, which the database then knows the signed-in account by.

use chrono::{DateTime, Utc};

use kefu_core::team::sign_in::{check_try, FORGOTTEN_AFTER_SECONDS};
use kefu_core::team::Agent;

use crate::rows::at;
use crate::{Backend, Db, Result, Session};

/// What a sign-in came to.
#[derive(Clone, Debug, PartialEq)]
pub enum SignedIn {
    /// The password was right: this PC is signed in as the account.
    As(Agent),
    /// A wrong password, or a name without an account (deliberately the same).
    Wrong,
    /// The name has failed too often: the next try is allowed after these seconds, and
    /// nothing was compared.
    Wait(i64),
}

impl Db {
    /// The parameters and salt of `name`'s password hash (a PHC string without its
    /// output), for the caller to hash the password it was given with. On a team database a
    /// name without an account gets a salt of its own all the same; `None` here means "use
    /// any salt": nothing will match.
    pub async fn password_salt(&self, name: &str) -> Result<Option<String>> {
        let salt: Option<String> = match self.backend {
            Backend::Postgres => {
                sqlx::query_scalar("SELECT password_salt($1)")
                    .bind(name)
                    .fetch_one(&self.pool)
                    .await?
            }
            Backend::Sqlite => {
                let hash: Option<String> =
                    sqlx::query_scalar("SELECT password_hash FROM agents WHERE name = $1")
                        .bind(name)
                        .fetch_optional(&self.pool)
                        .await?;
                hash.and_then(|h| without_output(&h))
            }
        };
        Ok(salt)
    }

    /// Signs in as `name` if `hash` (the password hashed with `password_salt`) is the
    /// account's; otherwise counts a failure for the name. While the name waits nothing is
    /// compared.
    pub async fn sign_in(&self, name: &str, hash: &str, now: DateTime<Utc>) -> Result<SignedIn> {
        if self.backend == Backend::Postgres {
            let (token, wait): (Option<String>, i64) =
                sqlx::query_as("SELECT token, wait_seconds FROM sign_in($1, $2)")
                    .bind(name)
                    .bind(hash)
                    .fetch_one(&self.pool)
                    .await?;
            return Ok(match token {
                Some(token) => {
                    Session::start(&self.session, token);
                    SignedIn::As(self.agent(name).await?)
                }
                None if wait > 0 => SignedIn::Wait(wait),
                None => SignedIn::Wrong,
            });
        }
        let tried = self.sign_in_failures(name).await?;
        if let Err(kefu_core::Error::Throttled { seconds }) =
            check_try(tried.failures, tried.last_failed, now)
        {
            return Ok(SignedIn::Wait(seconds));
        }
        let right: Option<i64> =
            sqlx::query_scalar("SELECT 1 FROM agents WHERE name = $1 AND password_hash = $2")
                .bind(name)
                .bind(hash)
                .fetch_optional(&self.pool)
                .await?;
        if right.is_none() {
            self.record_sign_in_failure(name, now).await?;
            return Ok(SignedIn::Wrong);
        }
        if tried.failures > 0 {
            self.clear_sign_in_failures(name).await?;
        }
        Ok(SignedIn::As(self.agent(name).await?))
    }
}

/// A PHC string's parameters and salt: its first four `$` fields (as the migration's
/// `password_salt` takes them).
fn without_output(hash: &str) -> Option<String> {
    let fields: Vec<&str> = hash.split('$').collect();
    (fields.len() == 6 && fields[0].is_empty()).then(|| fields[..5].join("$"))
}

/// Wrong passwords in a row for one account name, the latest at `last_failed`.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct SignInFailures {
    pub failures: u32,
    pub last_failed: Option<DateTime<Utc>>,
}

impl Db {
    pub async fn sign_in_failures(&self, name: &str) -> Result<SignInFailures> {
        let row: Option<(i64, i64)> =
            sqlx::query_as("SELECT failures, last_failed_at FROM sign_in_failures WHERE name = $1")
                .bind(name)
                .fetch_optional(&self.pool)
                .await?;
        Ok(match row {
            Some((failures, last)) => SignInFailures {
                failures: u32::try_from(failures).unwrap_or(u32::MAX),
                last_failed: Some(at(last)?),
            },
            None => SignInFailures::default(),
        })
    }

    /// Counts one more wrong password for `name` at `now`, in one statement so that two PCs
    /// failing at once both count; failures forgotten by now (kefu-core's
    /// `FORGOTTEN_AFTER_SECONDS`) start the count again, and are dropped for every name.
    pub async fn record_sign_in_failure(&self, name: &str, now: DateTime<Utc>) -> Result<()> {
        let forgotten = now.timestamp() - FORGOTTEN_AFTER_SECONDS;
        sqlx::query(
            "INSERT INTO sign_in_failures (name, failures, last_failed_at) VALUES ($1, 1, $2)
             ON CONFLICT (name) DO UPDATE
             SET failures = CASE WHEN sign_in_failures.last_failed_at <= $3 THEN 1
                                 ELSE sign_in_failures.failures + 1 END,
                 last_failed_at = excluded.last_failed_at",
        )
        .bind(name)
        .bind(now.timestamp())
        .bind(forgotten)
        .execute(&self.pool)
        .await?;
        sqlx::query("DELETE FROM sign_in_failures WHERE last_failed_at <= $1")
            .bind(forgotten)
            .execute(&self.pool)
            .await?;
        Ok(())
    }

    /// A right password starts the count again.
    pub async fn clear_sign_in_failures(&self, name: &str) -> Result<()> {
        sqlx::query("DELETE FROM sign_in_failures WHERE name = $1")
            .bind(name)
            .execute(&self.pool)
            .await?;
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use chrono::Duration;

    use super::*;
    use crate::testing::{fresh, now};

    #[test]
    fn the_salt_is_a_hash_without_its_output() {
        assert_eq!(
            without_output("$argon2id$v=19$m=19456,t=2,p=1$c2FsdA$b3V0cHV0").as_deref(),
            Some("$argon2id$v=19$m=19456,t=2,p=1$c2FsdA")
        );
        assert_eq!(without_output("x"), None);
        assert_eq!(without_output("$argon2id$v=19$c2FsdA$b3V0cHV0$x$y"), None);
    }

    #[tokio::test]
    async fn failures_count_per_name_and_a_success_clears_them() {
        let (_dir, db) = fresh().await;
        assert_eq!(
            db.sign_in_failures("小美").await.unwrap(),
            SignInFailures::default()
        );
        for i in 0..3 {
            db.record_sign_in_failure("小美", now() + Duration::seconds(i))
                .await
                .unwrap();
        }
        db.record_sign_in_failure("nobody", now()).await.unwrap();
        assert_eq!(
            db.sign_in_failures("小美").await.unwrap(),
            SignInFailures {
                failures: 3,
                last_failed: Some(now() + Duration::seconds(2)),
            }
        );
        db.clear_sign_in_failures("小美").await.unwrap();
        assert_eq!(db.sign_in_failures("小美").await.unwrap().failures, 0);
        assert_eq!(db.sign_in_failures("nobody").await.unwrap().failures, 1);

        // A day on, what was kept is forgotten: the next failure is the first again, and
        // the name guessed once is dropped.
        for i in 0..6 {
            db.record_sign_in_failure("小美", now() + Duration::seconds(i))
                .await
                .unwrap();
        }
        let day = now() + Duration::seconds(FORGOTTEN_AFTER_SECONDS + 5);
        db.record_sign_in_failure("小美", day).await.unwrap();
        assert_eq!(
            db.sign_in_failures("小美").await.unwrap(),
            SignInFailures {
                failures: 1,
                last_failed: Some(day)
            }
        );
        assert_eq!(db.sign_in_failures("nobody").await.unwrap().failures, 0);
    }
}
