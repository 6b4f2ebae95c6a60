//! Import bench: generates a large legacy export (GB18030, like the real ones), imports it
//! with the release build's command line into a fresh SQLite file, and times SQLite's own
//! `.import` of the same rows converted to UTF-8 in the same run.
//!
//! cargo build --release -p kefu-desk && cargo bench -p kefu-tests --bench import
//! (KEFU_BENCH_ORDERS sets the number of orders, default 1,000,000 with ~350k buyers;
//! KEFU_BENCH_KEEP=1 keeps the files and prints where.)

use std::process::Command;
use std::time::Instant;

use kefu_tests::built_binary;
use kefu_tests::export::{legacy_export, sqlite3_import_seconds};

fn main() {
    let orders: u64 = std::env::var("KEFU_BENCH_ORDERS")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(1_000_000);
    let binary = built_binary("release");
    let dir = tempfile::tempdir().expect("temp dir");
    // KEFU_BENCH_KEEP=1 keeps the generated files for profiling.
    let dir_path = if std::env::var_os("KEFU_BENCH_KEEP").is_some() {
        dir.keep()
    } else {
        dir.path().to_owned()
    };
    let dir = dir_path;
    let csv = dir.join("ExportOrderList_bench.csv");
    let t = Instant::now();
    legacy_export(&csv, orders).expect("generate the export");
    println!(
        "import bench: {orders} orders in {}, generated in {:.1} s",
        dir.display(),
        t.elapsed().as_secs_f64()
    );

    let db = dir.join("desk.db");
    let t = Instant::now();
    let out = Command::new(&binary)
        .args(["import", "--json", "--db"])
        .arg(&db)
        .arg(&csv)
        .output()
        .expect("kefu-desk runs");
    let ours = t.elapsed().as_secs_f64();
    assert!(
        out.status.success(),
        "import failed: {}",
        String::from_utf8_lossy(&out.stdout)
    );

    let theirs = sqlite3_import_seconds(&csv, &dir.join("plain.db"));
    println!("  kefu-desk import (GB18030, groups, all-or-nothing)  {ours:>7.1} s");
    println!("  sqlite3 .import of the same rows in UTF-8           {theirs:>7.1} s");
    println!(
        "  ratio                                               {:>7.2}x (target 1.5x)",
        ours / theirs
    );
}
