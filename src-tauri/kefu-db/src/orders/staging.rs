//! A big import's rows on their way in (SQLite). Through sqlx's `Any` driver every value
//! is converted and copied twice before SQLite binds it: 7.6 s for 1,000,000 orders, where
//! SQLite itself writes them in 2.0 s. So the orders, the buyers' standings and the new
//! follow-ups are first written into staging files of their own through SQLite's C
//! interface (one prepared statement, text bound in place), on threads beside the import's
//! transaction; the transaction then attaches each file and copies its rows with one
//! `INSERT … SELECT`. A file is the import's alone and deleted after it.

use std::ffi::{CStr, CString};
use std::os::raw::c_int;
use std::path::{Path, PathBuf};

use libsqlite3_sys as ffi;

use kefu_core::{Order, Standing};

use crate::agenda::{followup_values, FOLLOWUP_COLUMNS};
use crate::rows::{BUYER_COLUMNS, ORDER_COLUMNS};
use crate::sql::Value;
use crate::{Error, Result};

/// A staging file holding one table, deleted when dropped.
pub(crate) struct Staging {
    path: PathBuf,
    table: &'static str,
    columns: &'static str,
    /// The table as the database has it (its `CREATE TABLE`), rather than `columns` alone.
    shaped: Option<String>,
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
            shaped: None,
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

    /// Whether the file's table is the database's own, column for column and with its
    /// primary key: then SQLite can copy its rows whole into an empty table.
    pub(crate) fn is_shaped(&self) -> bool {
        self.shaped.is_some()
    }

    /// `orders`, stamped `stamp`, in a table made by `create` (the database's own
    /// `CREATE TABLE orders`). In key order, they are appended to the primary key.
    pub(crate) fn orders(create: String, orders: &[Order], stamp: i64) -> Result<Staging> {
        let mut staging = Staging::new("orders", ORDER_COLUMNS);
        staging.shaped = Some(create);
        staging.write(orders, |o| crate::rows::order_values(o, stamp))?;
        Ok(staging)
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
        let create = (self.shaped.clone())
            .unwrap_or_else(|| format!("CREATE TABLE {} ({columns})", self.table));
        // A scratch file: no journal, no syncs; a crash only leaves a file to delete. The
        // tables it refers to are not in it.
        db.exec(&format!(
            "PRAGMA journal_mode = OFF; PRAGMA synchronous = OFF; PRAGMA foreign_keys = OFF;
             {create}; BEGIN"
        ))?;
        let placeholders = vec!["?"; N].join(", ");
        let insert = db.prepare(&format!(
            "INSERT INTO {} ({columns}) VALUES ({placeholders})",
            self.table
        ))?;
        for r in rows {
            for (i, v) in (1..).zip(values(r)) {
                match v {
                    // SAFETY: `Value::Text` borrows for `'r`, as long as the rows, which
                    // outlive this whole write: the text stays until the step and reset.
                    Value::Text(t) => unsafe { insert.text(&db, i, t, ffi::SQLITE_STATIC())? },
                    Value::Made(t) => insert.copied_text(&db, i, Some(&t))?,
                    Value::Int(n) => insert.int(&db, i, n)?,
                }
            }
            insert.step(&db)?;
        }
        drop(insert);
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

/// An SQLite connection of the staging file's own, closed when dropped.
struct Connection {
    handle: *mut ffi::sqlite3,
    path: String,
}

impl Connection {
    fn open(path: &Path) -> Result<Connection> {
        let shown = path.display().to_string();
        let c_path = CString::new(shown.as_str())
            .map_err(|_| Error::Staging(shown.clone(), "a NUL in the path".into()))?;
        let mut handle = std::ptr::null_mut();
        // No mutex on the connection: it lives and dies on the one thread that writes the
        // file (`Connection` is neither Send nor Sync), and the per-call locking was a fifth
        // of the writing threads' time.
        let flags = ffi::SQLITE_OPEN_READWRITE | ffi::SQLITE_OPEN_CREATE | ffi::SQLITE_OPEN_NOMUTEX;
        // SAFETY: a valid C string and an out pointer; a handle returned even on failure
        // is closed by `Connection`'s drop.
        let rc =
            unsafe { ffi::sqlite3_open_v2(c_path.as_ptr(), &mut handle, flags, std::ptr::null()) };
        let conn = Connection {
            handle,
            path: shown,
        };
        conn.check(rc)?;
        Ok(conn)
    }

    fn exec(&self, sql: &str) -> Result<()> {
        let c_sql = CString::new(sql).map_err(|_| self.error("a NUL in a statement".into()))?;
        // SAFETY: an open handle and a valid C string; no callback.
        let rc = unsafe {
            ffi::sqlite3_exec(
                self.handle,
                c_sql.as_ptr(),
                None,
                std::ptr::null_mut(),
                std::ptr::null_mut(),
            )
        };
        self.check(rc)
    }

    fn prepare(&self, sql: &str) -> Result<Statement> {
        let c_sql = CString::new(sql).map_err(|_| self.error("a NUL in a statement".into()))?;
        let mut stmt = std::ptr::null_mut();
        // SAFETY: an open handle, a valid C string read up to its NUL, an out pointer.
        let rc = unsafe {
            ffi::sqlite3_prepare_v2(
                self.handle,
                c_sql.as_ptr(),
                -1,
                &mut stmt,
                std::ptr::null_mut(),
            )
        };
        let statement = Statement(stmt);
        self.check(rc)?;
        Ok(statement)
    }

    fn check(&self, rc: c_int) -> Result<()> {
        if rc == ffi::SQLITE_OK || rc == ffi::SQLITE_DONE {
            return Ok(());
        }
        // SAFETY: sqlite3_errmsg accepts any handle, null included, and returns a string
        // SQLite owns until the next call on this connection; it is copied at once.
        let message = unsafe {
            let m = ffi::sqlite3_errmsg(self.handle);
            if m.is_null() {
                format!("SQLite error {rc}")
            } else {
                CStr::from_ptr(m).to_string_lossy().into_owned()
            }
        };
        Err(self.error(message))
    }

    fn error(&self, message: String) -> Error {
        Error::Staging(self.path.clone(), message)
    }
}

impl Drop for Connection {
    fn drop(&mut self) {
        // SAFETY: every statement is finalized before (`Statement` is dropped first where
        // both live); closing a null handle is a no-op.
        unsafe {
            ffi::sqlite3_close(self.handle);
        }
    }
}

/// A prepared statement, finalized when dropped.
struct Statement(*mut ffi::sqlite3_stmt);

impl Statement {
    /// Binds text that SQLite copies now (`SQLITE_TRANSIENT`).
    fn copied_text(&self, db: &Connection, i: c_int, value: Option<&str>) -> Result<()> {
        // SAFETY: SQLite copies the text before this returns.
        unsafe { self.text(db, i, value, ffi::SQLITE_TRANSIENT()) }
    }

    /// Binds text with `keep`, SQLite's instruction for its bytes.
    ///
    /// # Safety
    ///
    /// With `SQLITE_STATIC` the text must stay valid and unchanged until the statement's
    /// next step and reset.
    unsafe fn text(
        &self,
        db: &Connection,
        i: c_int,
        value: Option<&str>,
        keep: ffi::sqlite3_destructor_type,
    ) -> Result<()> {
        let rc = match value {
            Some(v) => {
                let len = c_int::try_from(v.len())
                    .map_err(|_| db.error(format!("a text of {} bytes", v.len())))?;
                // SAFETY: a prepared statement and a pointer to `len` bytes, valid for as
                // long as `keep` asks (this function's contract).
                unsafe { ffi::sqlite3_bind_text(self.0, i, v.as_ptr().cast(), len, keep) }
            }
            // SAFETY: a prepared statement.
            None => unsafe { ffi::sqlite3_bind_null(self.0, i) },
        };
        db.check(rc)
    }

    fn int(&self, db: &Connection, i: c_int, value: Option<i64>) -> Result<()> {
        // SAFETY: a prepared statement.
        let rc = unsafe {
            match value {
                Some(v) => ffi::sqlite3_bind_int64(self.0, i, v),
                None => ffi::sqlite3_bind_null(self.0, i),
            }
        };
        db.check(rc)
    }

    /// Runs the insert and makes the statement ready for the next row.
    fn step(&self, db: &Connection) -> Result<()> {
        // SAFETY: a prepared statement with every parameter bound.
        let rc = unsafe { ffi::sqlite3_step(self.0) };
        // SAFETY: as above; reset also releases the in-place text before the next binds.
        let reset = unsafe { ffi::sqlite3_reset(self.0) };
        db.check(rc)?;
        db.check(reset)
    }
}

impl Drop for Statement {
    fn drop(&mut self) {
        // SAFETY: finalizing a null statement is a no-op.
        unsafe {
            ffi::sqlite3_finalize(self.0);
        }
    }
}

#[cfg(test)]
mod tests {
    use kefu_core::demo::demo_orders;
    use sqlx::Connection as _;

    use super::*;
    use crate::rows::OrderRowDb;

    #[tokio::test]
    async fn every_field_of_every_order_comes_back_from_the_staging_file() {
        // Staging serves SQLite imports; the table's statement comes from a SQLite database.
        if !crate::Scratch::runs_on(
            crate::Backend::Sqlite,
            "every_field_of_every_order_comes_back_from_the_staging_file",
        ) {
            return;
        }
        let mut orders = demo_orders(crate::testing::now());
        // Buyer text is hostile and long: it is bound as bytes, never as SQL.
        orders[0].buyer_message = "'); DROP TABLE orders; -- <img src=x onerror=alert(1)>".into();
        orders[1].title = "加绒".repeat(2_000);
        let (_dir, db) = crate::testing::fresh().await;
        let create = crate::rows::create_table(&db.pool, "orders")
            .await
            .expect("the statement");
        let staging = Staging::orders(create, &orders, 1_764_000_000).expect("written");
        sqlx::any::install_default_drivers();
        let mut conn =
            sqlx::AnyConnection::connect(&format!("sqlite://{}", staging.path().display()))
                .await
                .expect("the staging file opens");
        let rows: Vec<OrderRowDb> = sqlx::query_as("SELECT * FROM orders ORDER BY rowid")
            .fetch_all(&mut conn)
            .await
            .expect("read back");
        let back: Vec<Order> = rows
            .into_iter()
            .map(|r| Order::try_from(r).expect("an order"))
            .collect();
        assert_eq!(back, orders);
        let stamps: Vec<i64> = sqlx::query_scalar("SELECT DISTINCT updated_at FROM orders")
            .fetch_all(&mut conn)
            .await
            .expect("stamps");
        assert_eq!(stamps, [1_764_000_000]);
        conn.close().await.expect("closed");
        let path = staging.path().to_owned();
        drop(staging);
        assert!(!path.exists(), "the file goes with the staging");
    }
}
