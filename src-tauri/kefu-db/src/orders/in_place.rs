//! A big import's orders written by SQLite's C interface on the import's own connection,
//! inside its transaction. sqlx's `Any` driver does not hand out its SQLite handle, so every
//! SQLite connection of this process gets one application-defined function,
//! `kefu_run_job(id)`, which runs the job registered under `id` with the handle of the
//! connection that called it. Writing them there rather than into a staging file copied
//! in afterwards saves the copy: 0.6 s of 1,000,000 orders.

use std::collections::BTreeMap;
use std::os::raw::{c_char, c_int};
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex, Once};

use kefu_core::Order;
use libsqlite3_sys as ffi;
use sqlx::AnyConnection;

use super::native::{insert_rows, Connection};
use crate::rows::{order_values, ORDER_COLUMNS};
use crate::{Error, Result};

type Job = Box<dyn FnOnce(*mut ffi::sqlite3) + Send>;

/// Jobs waiting for their statement, by id.
static JOBS: Mutex<BTreeMap<u64, Job>> = Mutex::new(BTreeMap::new());

/// The job list. No code panics while holding it, and a list left by a panic is still
/// whole: its jobs are only inserted and removed.
fn jobs() -> std::sync::MutexGuard<'static, BTreeMap<u64, Job>> {
    JOBS.lock()
        .unwrap_or_else(std::sync::PoisonError::into_inner)
}

/// A registered job, withdrawn when dropped: one whose statement never ran (it failed,
/// or the import's future was dropped) leaves nothing behind, and the rows it holds are
/// freed.
struct Registered(u64);

impl Drop for Registered {
    fn drop(&mut self) {
        jobs().remove(&self.0);
    }
}

/// Makes `kefu_run_job` known to every SQLite connection opened after this call.
pub(crate) fn register() {
    static ONCE: Once = Once::new();
    ONCE.call_once(|| {
        // SAFETY: `init` has the entry point's signature; SQLite calls it on every
        // connection it opens from now on.
        unsafe {
            ffi::sqlite3_auto_extension(Some(init));
        }
    });
}

unsafe extern "C" fn init(
    db: *mut ffi::sqlite3,
    _err: *mut *mut c_char,
    _api: *const ffi::sqlite3_api_routines,
) -> c_int {
    // SAFETY: an open handle, a static name; no user data to free. DIRECTONLY: only a
    // statement of this code can call it, never a trigger or view of the schema.
    unsafe {
        ffi::sqlite3_create_function_v2(
            db,
            c"kefu_run_job".as_ptr(),
            1,
            ffi::SQLITE_UTF8 | ffi::SQLITE_DIRECTONLY,
            std::ptr::null_mut(),
            Some(run),
            None,
            None,
            None,
        )
    }
}

unsafe extern "C" fn run(
    ctx: *mut ffi::sqlite3_context,
    _argc: c_int,
    argv: *mut *mut ffi::sqlite3_value,
) {
    // SAFETY: SQLite passes the one argument the function was declared with.
    let id = unsafe { ffi::sqlite3_value_int64(*argv) } as u64;
    let job = jobs().remove(&id);
    // SAFETY: the context of this call; its connection is busy with this call's statement
    // on this thread until the job returns, so the job has it to itself. A job may run
    // statements of its own on it (SQLite allows that of a function).
    unsafe {
        match job {
            Some(job) => {
                job(ffi::sqlite3_context_db_handle(ctx));
                ffi::sqlite3_result_null(ctx);
            }
            None => ffi::sqlite3_result_error(ctx, c"no such job".as_ptr(), -1),
        }
    }
}

/// Runs `job` on `conn`'s own SQLite connection (inside its transaction, if one is open),
/// on the thread that serves the connection; `table` is what it writes, for errors.
async fn run_on<T: Send + 'static>(
    conn: &mut AnyConnection,
    table: &'static str,
    job: impl FnOnce(&Connection) -> Result<T> + Send + 'static,
) -> Result<T> {
    static NEXT: AtomicU64 = AtomicU64::new(0);
    let id = NEXT.fetch_add(1, Ordering::Relaxed);
    let (done, outcome) = std::sync::mpsc::sync_channel(1);
    let boxed: Job = Box::new(move |db| {
        // SAFETY: `run` hands over the calling connection, which is this job's alone while
        // it runs.
        let conn = unsafe { Connection::borrowed(db, table) };
        let result = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| job(&conn)))
            .unwrap_or_else(|_| Err(Error::Write(table.into(), "the write panicked".into())));
        let _ = done.send(result);
    });
    jobs().insert(id, boxed);
    let registered = Registered(id);
    let ran = sqlx::query("SELECT kefu_run_job($1)")
        .bind(id as i64)
        .execute(&mut *conn)
        .await;
    drop(registered);
    ran?;
    // The statement ran the job, which always answers.
    outcome
        .try_recv()
        .map_err(|_| Error::Write(table.into(), "the write did not run".into()))?
}

/// Writes `orders`, stamped `stamp`, into the table `orders` on `conn`'s own connection,
/// with `on_conflict` after each row (the upsert clause, or nothing when none is stored).
pub(crate) async fn write_orders(
    conn: &mut AnyConnection,
    orders: Arc<Vec<Order>>,
    stamp: i64,
    on_conflict: &'static str,
) -> Result<()> {
    run_on(conn, "orders", move |db| {
        insert_rows(db, "orders", ORDER_COLUMNS, on_conflict, &orders, |o| {
            order_values(o, stamp)
        })
    })
    .await
}

#[cfg(test)]
mod tests {
    use kefu_core::demo::demo_orders;
    use sqlx::pool::PoolConnection;
    use sqlx::{Any, Connection as _};

    use super::*;
    use crate::rows::OrderRowDb;
    use crate::testing::{fresh, now};

    /// A connection of `db` that does not check references (as a big import's does), and
    /// is closed afterwards.
    async fn unchecked(db: &crate::Db) -> PoolConnection<Any> {
        let mut conn = db.pool.acquire().await.unwrap();
        conn.close_on_drop();
        sqlx::query("PRAGMA foreign_keys = OFF")
            .execute(&mut *conn)
            .await
            .unwrap();
        conn
    }

    #[tokio::test]
    async fn every_field_of_every_order_comes_back_when_written_in_place() {
        let test = "every_field_of_every_order_comes_back_when_written_in_place";
        if !crate::Scratch::runs_on(crate::Backend::Sqlite, test) {
            return;
        }
        let mut orders = demo_orders(now());
        // Buyer text is hostile and long: it is bound as bytes, never as SQL.
        orders[0].buyer_message = "'); DROP TABLE orders; -- <img src=x onerror=alert(1)>".into();
        orders[1].title = "加绒".repeat(2_000);
        orders.sort_by(|a, b| a.no.cmp(&b.no));
        let (_dir, db) = fresh().await;
        let mut conn = unchecked(&db).await;
        let mut tx = conn.begin().await.unwrap();
        write_orders(&mut tx, Arc::new(orders.clone()), 1_764_000_000, "")
            .await
            .expect("written");
        let rows: Vec<OrderRowDb> = sqlx::query_as("SELECT * FROM orders ORDER BY order_no")
            .fetch_all(&mut *tx)
            .await
            .unwrap();
        let back: Vec<Order> = rows.into_iter().map(|r| r.try_into().unwrap()).collect();
        assert_eq!(back, orders);
        let stamps: Vec<i64> = sqlx::query_scalar("SELECT DISTINCT updated_at FROM orders")
            .fetch_all(&mut *tx)
            .await
            .unwrap();
        assert_eq!(stamps, [1_764_000_000]);
    }

    #[tokio::test]
    async fn a_failed_write_says_what_failed_and_its_transaction_keeps_nothing() {
        let test = "a_failed_write_says_what_failed_and_its_transaction_keeps_nothing";
        if !crate::Scratch::runs_on(crate::Backend::Sqlite, test) {
            return;
        }
        let orders = demo_orders(now());
        // The same order twice, without an upsert clause: the second row is refused.
        let twice: Vec<Order> = orders.iter().chain(&orders[..1]).cloned().collect();
        let (_dir, db) = fresh().await;
        let mut conn = unchecked(&db).await;
        let mut tx = conn.begin().await.unwrap();
        let err = write_orders(&mut tx, Arc::new(twice), 1_764_000_000, "")
            .await
            .expect_err("a duplicate order number");
        match &err {
            Error::Write(table, message) => {
                assert_eq!(table, "orders");
                assert!(message.contains("UNIQUE"), "{message}");
            }
            other => panic!("{other:?}"),
        }
        drop(tx);
        let stored: i64 = sqlx::query_scalar("SELECT COUNT(*) FROM orders")
            .fetch_one(&mut *conn)
            .await
            .unwrap();
        assert_eq!(
            stored, 0,
            "the rows before the refused one went with the transaction"
        );
    }

    #[tokio::test]
    async fn only_this_code_runs_a_job() {
        if !crate::Scratch::runs_on(crate::Backend::Sqlite, "only_this_code_runs_a_job") {
            return;
        }
        let (_dir, db) = fresh().await;
        let mut conn = db.pool.acquire().await.unwrap();
        // An id nothing registered.
        let unknown = sqlx::query("SELECT kefu_run_job(-1)")
            .execute(&mut *conn)
            .await
            .expect_err("no such job");
        assert!(unknown.to_string().contains("no such job"), "{unknown}");
        // Not from the database's schema: a view (or trigger) in the file cannot call it.
        sqlx::query("CREATE VIEW sneaky AS SELECT kefu_run_job(-1) AS x")
            .execute(&mut *conn)
            .await
            .unwrap();
        let from_view = sqlx::query("SELECT x FROM sneaky")
            .execute(&mut *conn)
            .await
            .expect_err("direct calls only");
        assert!(from_view.to_string().contains("unsafe use"), "{from_view}");
        conn.close_on_drop();
    }
}
