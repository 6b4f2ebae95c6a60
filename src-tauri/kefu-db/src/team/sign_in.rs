//! Failed sign-ins per account name, counted in the shop's database so that every PC counts
//! together (how long a name then waits is kefu-core's `team::sign_in`).

use chrono::{DateTime, Utc};

use kefu_core::team::sign_in::FORGOTTEN_AFTER_SECONDS;

use crate::rows::at;
use crate::{Db, Result};

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
