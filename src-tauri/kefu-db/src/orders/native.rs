//! SQLite's C interface, for the rows of a big import: a connection (a staging file's own,
//! or borrowed from a transaction by `in_place`), its prepared statements, and the one
//! loop that binds a table's row values and inserts them. Through sqlx's `Any` driver
//! every value is converted and copied twice before SQLite binds it.

use std::ffi::{CStr, CString};
use std::os::raw::c_int;
use std::path::Path;

use libsqlite3_sys as ffi;

use crate::sql::Value;
use crate::{Error, Result};

/// An SQLite connection: a staging file's own, closed when dropped, or a transaction's,
/// borrowed for the length of a job.
pub(crate) struct Connection {
    handle: *mut ffi::sqlite3,
    /// The staging file's path, or the table a borrowed connection writes.
    place: String,
    owned: bool,
}

impl Connection {
    /// Opens (and creates) the staging file at `path`.
    pub(crate) fn open(path: &Path) -> Result<Connection> {
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
            place: shown,
            owned: true,
        };
        conn.check(rc)?;
        Ok(conn)
    }

    /// The connection `handle`, left open when dropped, writing `table`.
    ///
    /// # Safety
    ///
    /// `handle` is an open connection that no other thread uses while this value lives.
    pub(crate) unsafe fn borrowed(handle: *mut ffi::sqlite3, table: &str) -> Connection {
        Connection {
            handle,
            place: table.to_owned(),
            owned: false,
        }
    }

    pub(crate) fn exec(&self, sql: &str) -> Result<()> {
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
        if self.owned {
            Error::Staging(self.place.clone(), message)
        } else {
            Error::Write(self.place.clone(), message)
        }
    }
}

impl Drop for Connection {
    fn drop(&mut self) {
        if !self.owned {
            return;
        }
        // SAFETY: every statement is finalized before (`Statement` is dropped first where
        // both live); closing a null handle is a no-op.
        unsafe {
            ffi::sqlite3_close(self.handle);
        }
    }
}

/// Inserts a row into `table` for each of `rows`, binding the values `values` gives in the
/// order of `columns`, then `then` (an upsert clause, or nothing).
pub(crate) fn insert_rows<'r, T, const N: usize>(
    db: &Connection,
    table: &str,
    columns: &str,
    then: &str,
    rows: &'r [T],
    values: impl Fn(&'r T) -> [Value<'r>; N],
) -> Result<()> {
    let placeholders = vec!["?"; N].join(", ");
    let insert = db.prepare(&format!(
        "INSERT INTO {table} ({columns}) VALUES ({placeholders}){then}"
    ))?;
    for r in rows {
        for (i, v) in (1..).zip(values(r)) {
            match v {
                // SAFETY: `Value::Text` borrows for `'r`, as long as the rows, which outlive
                // this whole write: the text stays until the step and reset.
                Value::Text(t) => unsafe { insert.text(db, i, t, ffi::SQLITE_STATIC())? },
                Value::Made(t) => insert.copied_text(db, i, Some(&t))?,
                Value::Int(n) => insert.int(db, i, n)?,
            }
        }
        insert.step(db)?;
    }
    Ok(())
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
