//! Quick phrases: the shop's set and each agent's own, each stored whole with a version
//! (kefu-core's operations act on the whole list), and how often each agent copied each.

use kefu_core::phrases::{default_library, Phrase, Set};
use serde::Serialize;

use crate::sql::Sql;
use crate::{Backend, Db, Error, Result};

/// A set as stored: its phrases in order and the version a save must name.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct PhraseBook {
    pub set: Set,
    /// The agent of a personal set; empty for the shop's.
    pub owner: String,
    /// 0 for a set never saved: the shop's is then the default library.
    pub version: i64,
    pub phrases: Vec<Phrase>,
}

/// Rows per statement: 5 values each, well under SQLite's limit.
const PHRASES_PER_STATEMENT: usize = 1_000;

/// The shop's set has no owner; a personal set is its agent's.
fn owner_of(set: Set, owner: &str) -> &str {
    match set {
        Set::Shop => "",
        Set::Personal => owner,
    }
}

impl Db {
    /// A set's version alone (0 for a set never saved): whether a copy read before is
    /// still the set, for one small read per keystroke of the phrase box.
    pub async fn phrase_book_version(&self, set: Set, owner: &str) -> Result<i64> {
        let version: Option<i64> = sqlx::query_scalar(
            "SELECT version FROM phrase_sets WHERE set_kind = $1 AND owner = $2",
        )
        .bind(set.code())
        .bind(owner_of(set, owner))
        .fetch_optional(&self.pool)
        .await?;
        Ok(version.unwrap_or(0))
    }

    pub async fn phrase_book(&self, set: Set, owner: &str) -> Result<PhraseBook> {
        let owner = owner_of(set, owner);
        let version: Option<i64> = sqlx::query_scalar(
            "SELECT version FROM phrase_sets WHERE set_kind = $1 AND owner = $2",
        )
        .bind(set.code())
        .bind(owner)
        .fetch_optional(&self.pool)
        .await?;
        let phrases = match version {
            None if set == Set::Shop => default_library(),
            None => Vec::new(),
            Some(_) => {
                let rows: Vec<(String, String, String)> = sqlx::query_as(
                    "SELECT grp, code, text FROM phrases WHERE set_kind = $1 AND owner = $2
                     ORDER BY position",
                )
                .bind(set.code())
                .bind(owner)
                .fetch_all(&self.pool)
                .await?;
                rows.into_iter()
                    .map(|(group, code, text)| Phrase { group, code, text })
                    .collect()
            }
        };
        Ok(PhraseBook {
            set,
            owner: owner.to_owned(),
            version: version.unwrap_or(0),
            phrases,
        })
    }

    /// Writes a set whole, if it is still at `version` (what the caller read); returns the
    /// new version. A set changed meanwhile (another PC, another window) is refused and
    /// nothing is written. The caller has checked the phrases and the permission (the core);
    /// a team database checks the permission again itself.
    pub async fn save_phrase_book(
        &self,
        set: Set,
        owner: &str,
        phrases: &[Phrase],
        version: i64,
    ) -> Result<i64> {
        let owner = owner_of(set, owner);
        let mut tx = if self.backend == Backend::Sqlite {
            self.pool.begin_with("BEGIN IMMEDIATE").await?
        } else {
            self.pool.begin().await?
        };
        // The version moves first and only from what the caller read: of two saves from
        // the same version, the second finds nothing to move (on a team database it waits
        // for the first's row lock, then sees the new version).
        let moved = if version == 0 {
            sqlx::query(
                "INSERT INTO phrase_sets (set_kind, owner, version) VALUES ($1, $2, 1)
                 ON CONFLICT (set_kind, owner) DO NOTHING",
            )
            .bind(set.code())
            .bind(owner)
            .execute(&mut *tx)
            .await?
        } else {
            sqlx::query(
                "UPDATE phrase_sets SET version = version + 1
                 WHERE set_kind = $1 AND owner = $2 AND version = $3",
            )
            .bind(set.code())
            .bind(owner)
            .bind(version)
            .execute(&mut *tx)
            .await?
        };
        if moved.rows_affected() != 1 {
            return Err(Error::Conflict(
                "these phrases were changed elsewhere since they were read; nothing was saved: \
                 read them again"
                    .to_owned(),
            ));
        }
        sqlx::query("DELETE FROM phrases WHERE set_kind = $1 AND owner = $2")
            .bind(set.code())
            .bind(owner)
            .execute(&mut *tx)
            .await?;
        let rows: Vec<(i64, &Phrase)> = phrases
            .iter()
            .enumerate()
            .map(|(i, p)| (i as i64, p))
            .collect();
        for chunk in rows.chunks(PHRASES_PER_STATEMENT) {
            let mut q = Sql::new(
                &tx,
                "INSERT INTO phrases (set_kind, owner, position, grp, code, text)",
            );
            q.push_values(chunk, |mut b, (position, p)| {
                b.push_bind(set.code())
                    .push_bind(owner)
                    .push_bind(*position)
                    .push_bind(p.group.as_str())
                    .push_bind(p.code.as_str())
                    .push_bind(p.text.as_str());
            });
            q.build()?.execute(&mut *tx).await?;
        }
        tx.commit().await?;
        Ok(version + 1)
    }

    /// How often `agent` copied each phrase: (set, code, uses).
    pub async fn phrase_uses(&self, agent: &str) -> Result<Vec<(Set, String, i64)>> {
        let rows: Vec<(String, String, i64)> =
            sqlx::query_as("SELECT set_kind, code, uses FROM phrase_uses WHERE agent = $1")
                .bind(agent)
                .fetch_all(&self.pool)
                .await?;
        rows.into_iter()
            .map(|(set, code, uses)| {
                Set::from_code(&set)
                    .map(|s| (s, code, uses))
                    .ok_or_else(|| Error::Corrupt(format!("phrase_uses.set_kind = {set}")))
            })
            .collect()
    }

    /// Counts one copy of a phrase by `agent`.
    pub async fn count_phrase_use(&self, agent: &str, set: Set, code: &str) -> Result<()> {
        sqlx::query(
            "INSERT INTO phrase_uses (agent, set_kind, code, uses) VALUES ($1, $2, $3, 1)
             ON CONFLICT (agent, set_kind, code) DO UPDATE SET uses = phrase_uses.uses + 1",
        )
        .bind(agent)
        .bind(set.code())
        .bind(code)
        .execute(&self.pool)
        .await?;
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use kefu_core::phrases::{self, Phrase, Set};

    use super::*;
    use crate::testing::fresh;

    #[tokio::test]
    async fn the_shop_starts_with_the_default_library_and_a_save_is_read_back() {
        let (_dir, db) = fresh().await;
        let book = db.phrase_book(Set::Shop, "小美").await.unwrap();
        assert_eq!((book.version, book.owner.as_str()), (0, ""));
        assert_eq!(book.phrases, default_library());
        let mut set = book.phrases;
        phrases::add(&mut set, Phrase::new("问候", "dq", "亲，{买家}，在的哦")).unwrap();
        let v = db.save_phrase_book(Set::Shop, "", &set, 0).await.unwrap();
        assert_eq!(v, 1);
        let again = db.phrase_book(Set::Shop, "别人").await.unwrap();
        assert_eq!((again.version, again.phrases), (1, set));
        // Personal sets are their owner's and start empty.
        assert!(db
            .phrase_book(Set::Personal, "小美")
            .await
            .unwrap()
            .phrases
            .is_empty());
    }

    #[tokio::test]
    async fn a_save_from_a_stale_version_is_refused_and_writes_nothing() {
        let (_dir, db) = fresh().await;
        let mine = vec![Phrase::new("默认", "a", "甲")];
        db.save_phrase_book(Set::Personal, "小美", &mine, 0)
            .await
            .unwrap();
        let theirs = vec![Phrase::new("默认", "b", "乙")];
        for stale in [0, 5] {
            let e = db
                .save_phrase_book(Set::Personal, "小美", &theirs, stale)
                .await
                .unwrap_err();
            assert!(matches!(e, Error::Conflict(_)), "{e:?}");
        }
        let book = db.phrase_book(Set::Personal, "小美").await.unwrap();
        assert_eq!((book.version, book.phrases), (1, mine));
    }

    #[tokio::test]
    async fn uses_are_counted_per_agent() {
        let (_dir, db) = fresh().await;
        db.count_phrase_use("小美", Set::Shop, "sc").await.unwrap();
        db.count_phrase_use("小美", Set::Shop, "sc").await.unwrap();
        db.count_phrase_use("阿强", Set::Shop, "sc").await.unwrap();
        assert_eq!(
            db.phrase_uses("小美").await.unwrap(),
            vec![(Set::Shop, "sc".to_owned(), 2)]
        );
    }
}
