//! Where an import's time goes: the same export as the import bench, read and applied in
//! this process with the stages timed apart, next to `sqlite3 .import` of the same rows.
//! Builds without the window, so it is the one to profile:
//!
//! cargo bench -p kefu-tests --bench import_stages
//! perf record -g target/release/deps/import_stages-*   (KEFU_BENCH_ORDERS sets the size;
//! KEFU_BENCH_EXPORT=FILE keeps the generated export there and reads it on later runs, so
//! that a profile holds the import alone.)

use std::time::Instant;

use chrono::Utc;
use kefu_core::followups::Rules;
use kefu_core::ShopTime;
use kefu_db::{Db, DbUrl};
use kefu_tests::export::{legacy_export, sqlite3_import_seconds};

#[tokio::main(flavor = "current_thread")]
async fn main() {
    let orders: u64 = std::env::var("KEFU_BENCH_ORDERS")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(1_000_000);
    let dir = tempfile::tempdir().expect("temp dir");
    let csv = match std::env::var_os("KEFU_BENCH_EXPORT") {
        Some(kept) => std::path::PathBuf::from(kept),
        None => dir.path().join("ExportOrderList_bench.csv"),
    };
    if !csv.exists() {
        legacy_export(&csv, orders).expect("generate the export");
    }

    let t = Instant::now();
    let parsed = kefu_import::read_file(&csv, ShopTime::SHANGHAI).expect("the export reads");
    let read = t.elapsed().as_secs_f64();
    assert_eq!(parsed.rejected, 0, "{:?}", parsed.problems.first());

    let t = Instant::now();
    let db = Db::open(&DbUrl::from_path(&dir.path().join("desk.db")))
        .await
        .expect("the database opens");
    let open = t.elapsed().as_secs_f64();
    let t = Instant::now();
    let applied = db
        .apply(
            parsed.orders,
            &parsed.items,
            &Rules::default(),
            Utc::now(),
            |_, _| true,
        )
        .await
        .expect("the import applies");
    let apply = t.elapsed().as_secs_f64();
    assert_eq!(applied.new, orders);

    let theirs = sqlite3_import_seconds(&csv, &dir.path().join("plain.db"));
    let ours = read + open + apply;
    println!("import stages: {orders} orders");
    println!("  read (decode GB18030, parse, validate)  {read:>7.2} s");
    println!("  open (migrations)                       {open:>7.2} s");
    println!("  apply (merge, groups, write, agenda)    {apply:>7.2} s");
    println!("  sqlite3 .import of the same rows        {theirs:>7.2} s");
    println!(
        "  ratio                                   {:>7.2}x (target 1.5x)",
        ours / theirs
    );
}
