//! An import killed at any moment (kill -9: a power cut, a crash, the task manager) loses
//! nothing and leaves nothing half-done: the database opens, holds the whole import or none
//! of it, and importing again gives exactly what one clean import gives.

use std::path::Path;
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use kefu_tests::{app_binary, export::legacy_export};

/// Kills that land while the import runs; rounds where the import finished first do not
/// count.
const KILLS: usize = 20;
const ORDERS: u64 = 6_000;
const CLOCK: &str = "2026-11-12T09:30:00+08:00";

fn kefu(db: &Path, args: &[&str]) -> Command {
    let mut cmd = Command::new(app_binary());
    cmd.args(args)
        .env("KEFU_DB", db)
        .env("KEFU_CLOCK_START", CLOCK)
        .env("HOME", db.parent().expect("a folder"))
        .env("XDG_DATA_HOME", db.parent().expect("a folder").join("data"));
    cmd
}

/// What an import leaves in the database, without the times of the run itself: every
/// order, every buyer with its group and counts, and the follow-ups planned, by kind.
fn contents(db: &Path) -> String {
    let out = Command::new("sqlite3")
        .arg(db)
        .arg(
            "SELECT count(*), coalesce(sum(total_fen), 0), \
                    coalesce(group_concat(order_no || ':' || status || ':' || buyer_nick, ','), '') \
               FROM (SELECT * FROM orders ORDER BY order_no); \
             SELECT count(*), coalesce(group_concat(nick || ':' || grp || ':' || order_count || ':' || unpaid_count, ','), '') \
               FROM (SELECT * FROM buyers ORDER BY nick); \
             SELECT kind, count(*) FROM followups GROUP BY kind ORDER BY kind;",
        )
        .output()
        .expect("sqlite3 (package sqlite3)");
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8_lossy(&out.stdout).into_owned()
}

fn orders_in(db: &Path) -> u64 {
    let out = kefu(db, &["groups", "--json"])
        .output()
        .expect("the app binary runs");
    assert!(
        out.status.success(),
        "the database opens after the kill: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    let out = Command::new("sqlite3")
        .arg(db)
        .arg("SELECT count(*) FROM orders")
        .output()
        .expect("sqlite3");
    String::from_utf8_lossy(&out.stdout)
        .trim()
        .parse()
        .expect("a count")
}

fn remove_db(db: &Path) {
    for suffix in ["", "-wal", "-shm", "-journal"] {
        let _ = std::fs::remove_file(format!("{}{suffix}", db.display()));
    }
}

#[test]
fn an_import_killed_at_any_moment_leaves_all_or_nothing() {
    let dir = tempfile::tempdir().expect("temp dir");
    let csv = dir.path().join("ExportOrderList202611120930.csv");
    legacy_export(&csv, ORDERS).expect("the export");
    let csv = csv.display().to_string();

    // One clean import: what every round must end with, and how long an import takes.
    let clean = dir.path().join("clean.db");
    let started = Instant::now();
    let out = kefu(&clean, &["import", &csv, "--json"])
        .output()
        .expect("import");
    let took = started.elapsed();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let expected = contents(&clean);
    assert!(expected.starts_with(&format!("{ORDERS}|")), "{expected}");

    // Moments spread over the whole run (opening and migrating the database, reading the
    // file, writing, committing), from a seed printed for replay.
    let seed = std::env::var("KEFU_KILL_SEED")
        .ok()
        .and_then(|s| s.parse().ok())
        .unwrap_or_else(|| {
            std::time::SystemTime::now()
                .duration_since(std::time::UNIX_EPOCH)
                .map_or(1, |d| d.as_nanos() as u64 | 1)
        });
    eprintln!("kill moments from KEFU_KILL_SEED={seed}; a clean import took {took:?}");
    let mut x = seed;
    let mut next = move || {
        x ^= x << 13;
        x ^= x >> 7;
        x ^= x << 17;
        x
    };
    let db = dir.path().join("desk.db");
    let (mut kills, mut rounds, mut kept) = (0, 0, 0);
    while kills < KILLS {
        rounds += 1;
        assert!(
            rounds <= 3 * KILLS,
            "only {kills} kills landed in {rounds} rounds"
        );
        remove_db(&db);
        let after = took.mul_f64((next() % 1000) as f64 / 1000.0);
        let mut child = kefu(&db, &["import", &csv, "--json"])
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .expect("import");
        let deadline = Instant::now() + after;
        let finished = loop {
            if let Some(status) = child.try_wait().expect("wait") {
                break Some(status);
            }
            if Instant::now() >= deadline {
                break None;
            }
            std::thread::sleep(Duration::from_millis(2));
        };
        if finished.is_some() {
            continue;
        }
        child.kill().expect("kill -9");
        child.wait().expect("reaped");
        kills += 1;

        // The database opens, and holds the whole import or none of it.
        let stored = orders_in(&db);
        assert!(
            stored == 0 || stored == ORDERS,
            "kill {kills} after {after:?}: {stored} of {ORDERS} orders stored"
        );
        if stored == ORDERS {
            kept += 1;
            assert_eq!(contents(&db), expected, "kill {kills} after {after:?}");
        }
        // Importing again ends where one clean import ends.
        let out = kefu(&db, &["import", &csv, "--json"])
            .output()
            .expect("import again");
        assert!(
            out.status.success(),
            "{}",
            String::from_utf8_lossy(&out.stderr)
        );
        assert_eq!(contents(&db), expected, "kill {kills} after {after:?}");
    }
    eprintln!("{kills} kills in {rounds} rounds; {kept} found the import committed");
}
