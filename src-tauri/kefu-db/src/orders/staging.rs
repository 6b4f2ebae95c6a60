//! A big import's orders on their way in (SQLite). Through sqlx's `Any` driver every value
//! is converted and copied twice before SQLite binds it: 7.6 s for 1,000,000 orders, where
//! SQLite itself writes them in 2.0 s. So they are first written into a staging file of
//! their own through SQLite's C interface (one prepared statement, text bound in place),
//! on a thread beside the import's transaction, which meanwhile derives and writes the
//! buyers; the transaction then attaches the file and copies the rows with one
//! `INSERT … SELECT`. The file is the import's alone and deleted after it.

use std::ffi::{CStr, CString};
use std::os::raw::c_int;
use std::path::{Path, PathBuf};

use libsqlite3_sys as ffi;

use kefu_core::Order;

use crate::rows::ORDER_COLUMNS as COLUMNS;
use crate::{Error, Result};

/// A staging file, deleted when dropped.
pub(crate) struct Staging {
    path: PathBuf,
}

impl Staging {
    /// A fresh file name in the system's temporary folder.
    pub(crate) fn new() -> Staging {
        static NEXT: std::sync::atomic::AtomicU64 = std::sync::atomic::AtomicU64::new(0);
        let n = NEXT.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
        let name = format!("kefu-import-{}-{n}.db", std::process::id());
        Staging {
            path: std::env::temp_dir().join(name),
        }
    }

    pub(crate) fn path(&self) -> &Path {
        &self.path
    }

    /// Writes `orders` into the file's `orders` table (created here), stamped `stamp`.
    pub(crate) fn write(&self, orders: &[Order], stamp: i64) -> Result<()> {
        self.remove();
        let db = Connection::open(&self.path)?;
        // A scratch file: no journal, no syncs; a crash only leaves a file to delete.
        db.exec(&format!(
            "PRAGMA journal_mode = OFF; PRAGMA synchronous = OFF;
             CREATE TABLE orders ({COLUMNS}); BEGIN"
        ))?;
        let placeholders = vec!["?"; 21].join(", ");
        let insert = db.prepare(&format!(
            "INSERT INTO orders ({COLUMNS}) VALUES ({placeholders})"
        ))?;
        for o in orders {
            let texts = [
                (1, o.no.as_str()),
                (2, o.buyer.as_str()),
                (13, o.title.as_str()),
                (14, o.buyer_message.as_str()),
                (15, o.seller_remark.as_str()),
                (16, o.receiver.as_str()),
                (17, o.address.as_str()),
                (18, o.phone.as_str()),
                (19, o.tracking_no.as_str()),
                (20, o.shop_name.as_str()),
            ];
            for (i, t) in texts {
                insert.text(&db, i, Some(t))?;
            }
            insert.text(&db, 4, crate::rows::close_reason_code(o.close_reason))?;
            let numbers = [
                (3, Some(o.status.code())),
                (5, Some(o.total.0)),
                (6, Some(o.postage.0)),
                (7, Some(o.created_at.timestamp())),
                (8, o.paid_at.map(|t| t.timestamp())),
                (9, o.shipped_at.map(|t| t.timestamp())),
                (10, o.ended_at.map(|t| t.timestamp())),
                (11, o.terms_changed_at.map(|t| t.timestamp())),
                (12, o.close_deadline.map(|t| t.timestamp())),
                (21, Some(stamp)),
            ];
            for (i, n) in numbers {
                insert.int(&db, i, n)?;
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
        let flags = ffi::SQLITE_OPEN_READWRITE | ffi::SQLITE_OPEN_CREATE;
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
    /// Binds text in place: SQLite reads it until the statement is reset after its step,
    /// and the orders outlive the whole write.
    fn text(&self, db: &Connection, i: c_int, value: Option<&str>) -> Result<()> {
        let rc = match value {
            Some(v) => {
                let len = c_int::try_from(v.len())
                    .map_err(|_| db.error(format!("a text of {} bytes", v.len())))?;
                // SAFETY: a prepared statement and a pointer to `len` bytes that stay
                // valid and unchanged until the step and reset below (SQLITE_STATIC).
                unsafe {
                    ffi::sqlite3_bind_text(self.0, i, v.as_ptr().cast(), len, ffi::SQLITE_STATIC())
                }
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
        let mut orders = demo_orders(crate::testing::now());
        // Buyer text is hostile and long: it is bound as bytes, never as SQL.
        orders[0].buyer_message = "'); DROP TABLE orders; -- <img src=x onerror=alert(1)>".into();
        orders[1].title = "加绒".repeat(2_000);
        let staging = Staging::new();
        staging.write(&orders, 1_764_000_000).expect("written");
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
