//! A big import's derived rows on their way in (SQLite): the buyers' standings and the new
//! follow-ups are written into staging files of their own through SQLite's C interface, on
//! the thread that derives them, while the import's transaction writes the orders (see
//! `in_place`); the transaction then attaches each file and copies its rows with one
//! `INSERT … SELECT`. A file is the import's alone and deleted after it.

use std::path::{Path, PathBuf};

use kefu_core::Standing;

use crate::agenda::{followup_values, FOLLOWUP_COLUMNS};
use crate::rows::BUYER_COLUMNS;
use crate::sql::Value;
use crate::Result;

use super::native::{insert_rows, Connection};

/// A staging file holding one table, deleted when dropped.
pub(crate) struct Staging {
    path: PathBuf,
    table: &'static str,
    columns: &'static str,
}

impl Staging {
    /// A fresh file name in the system's temporary folder for rows of `table`.
    fn new(table: &'static str, columns: &'static str) -> Staging {
        static NEXT: std::sync::atomic::AtomicU64 = std::sync::atomic::AtomicU64::new(0);
        let n = NEXT.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
        let name = format!("kefu-import-{}-{n}-{table}.db", std::process::id());
        Staging {
            path: std::env::temp_dir().join(name),
            table,
            columns,
        }
    }

    pub(crate) fn path(&self) -> &Path {
        &self.path
    }

    /// The table the rows are for, in the database and in the file.
    pub(crate) fn table(&self) -> &'static str {
        self.table
    }

    /// The table's columns that the file holds, in the order written.
    pub(crate) fn columns(&self) -> &'static str {
        self.columns
    }

    /// Where each buyer now stands, as `rows::upsert_buyers` writes it, first seen `stamp`.
    pub(crate) fn buyers<S: AsRef<str>>(
        standings: &[(S, Standing)],
        stamp: i64,
    ) -> Result<Staging> {
        let staging = Staging::new("buyers", BUYER_COLUMNS);
        staging.write(standings, |(nick, s)| {
            crate::rows::buyer_values(nick.as_ref(), s, stamp)
        })?;
        Ok(staging)
    }

    /// New follow-ups (owned by nobody yet), as `agenda`'s planning made them.
    pub(crate) fn followups(new: &[(String, kefu_core::agenda::Planned, i64)]) -> Result<Staging> {
        let staging = Staging::new("followups", FOLLOWUP_COLUMNS);
        staging.write(new, |planned| followup_values(planned, ""))?;
        Ok(staging)
    }

    /// Creates the file's table and writes a row of it for each of `rows`, with the values
    /// `values` gives in the order of the columns.
    fn write<'r, T, const N: usize>(
        &self,
        rows: &'r [T],
        values: impl Fn(&'r T) -> [Value<'r>; N],
    ) -> Result<()> {
        self.remove();
        let columns = self.columns;
        let db = Connection::open(&self.path)?;
        let create = format!("CREATE TABLE {} ({columns})", self.table);
        // A scratch file: no journal, no syncs; a crash only leaves a file to delete. The
        // tables it refers to are not in it.
        db.exec(&format!(
            "PRAGMA journal_mode = OFF; PRAGMA synchronous = OFF; PRAGMA foreign_keys = OFF;
             {create}; BEGIN"
        ))?;
        insert_rows(&db, self.table, columns, "", rows, values)?;
        db.exec("COMMIT")
    }

    fn remove(&self) {
        // Nothing there is the usual case; anything else shows when the file is opened.
        let _ = std::fs::remove_file(&self.path);
    }
}

impl Drop for Staging {
    fn drop(&mut self) {
        self.remove();
    }
}

#[cfg(test)]
mod tests {
    use chrono::Duration;
    use kefu_core::Group;
    use sqlx::Connection as _;

    use super::*;

    #[tokio::test]
    async fn every_standing_comes_back_from_the_staging_file_which_goes_with_it() {
        let now = crate::testing::now();
        let standing = |group, unpaid| Standing {
            group,
            sort_key: -now.timestamp(),
            returning: unpaid == 0,
            order_count: 3,
            unpaid,
            next_close_at: (unpaid > 0).then(|| now + Duration::hours(2)),
            last_order_at: Some(now - Duration::days(1)),
            changes_at: None,
        };
        // Buyer text is hostile: it is bound as bytes, never as SQL.
        let standings = [
            (
                "'); DROP TABLE buyers; --".to_owned(),
                standing(Group::Order, 2),
            ),
            ("加绒".repeat(2_000), standing(Group::Closed, 0)),
        ];
        let staging = Staging::buyers(&standings, 1_764_000_000).expect("written");
        sqlx::any::install_default_drivers();
        let mut conn =
            sqlx::AnyConnection::connect(&format!("sqlite://{}", staging.path().display()))
                .await
                .expect("the staging file opens");
        type Row = (
            String,
            i64,
            i64,
            i64,
            i64,
            i64,
            Option<i64>,
            Option<i64>,
            Option<i64>,
            i64,
        );
        let back: Vec<Row> = sqlx::query_as(&format!(
            "SELECT {BUYER_COLUMNS} FROM buyers ORDER BY rowid"
        ))
        .fetch_all(&mut conn)
        .await
        .expect("read back");
        let time = |t: Option<chrono::DateTime<chrono::Utc>>| t.map(|t| t.timestamp());
        let written: Vec<Row> = standings
            .iter()
            .map(|(nick, s)| {
                (
                    nick.clone(),
                    s.group.code(),
                    s.sort_key,
                    i64::from(s.returning),
                    s.order_count,
                    s.unpaid,
                    time(s.next_close_at),
                    time(s.last_order_at),
                    time(s.changes_at),
                    1_764_000_000,
                )
            })
            .collect();
        assert_eq!(back, written);
        conn.close().await.expect("closed");
        let path = staging.path().to_owned();
        drop(staging);
        assert!(!path.exists(), "the file goes with the staging");
    }
}
