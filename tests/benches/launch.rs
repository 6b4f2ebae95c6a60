//! Launch bench: the release build under Xvfb, on the demo shop and on a big shop's database
//! (1,000,000 orders from an export placed weeks before the app's clock, so the platform's
//! timers have passed for most of them). Prints launch → page loaded (the WebDriver session
//! is up) → workbench populated (group counts and the first list on screen), and the PSS of
//! the app and its WebKit processes after 5 s idle.
//!
//! cargo build --release -p kefu-desk --features custom-protocol && cargo bench -p kefu-tests --bench launch
//! (KEFU_BENCH_ORDERS sets the big shop's size, default 1,000,000; 0 skips it.
//! KEFU_BENCH_DB=FILE launches on a copy of that SQLite file instead of importing.)

use std::path::Path;
use std::time::{Duration, Instant, SystemTime, UNIX_EPOCH};

use kefu_tests::{
    built_binary, export::legacy_export, pss_kb_on_display, wait_until_gone, App, Desktop, Pss,
};

const RUNS: usize = 5;

#[derive(Default)]
struct Figures {
    loaded: Vec<Duration>,
    populated: Vec<Duration>,
    pss: Vec<Pss>,
    /// Milliseconds from launch to each step the window marks (`performance.mark` in
    /// `ui/main.js`), and to the page's own start, in the order they happened.
    steps: Vec<Vec<(String, f64)>>,
}

/// When the page started and each step it marked, in ms since `launched` (wall clock: the
/// page's clock counts from its own origin).
fn steps(app: &App, launched: SystemTime) -> Vec<(String, f64)> {
    let v = app.js(
        "return [performance.timeOrigin, ...performance.getEntriesByType('mark').map(m => [m.name, m.startTime])]",
    );
    let since = launched
        .duration_since(UNIX_EPOCH)
        .map(|d| d.as_secs_f64() * 1000.0)
        .unwrap_or_default();
    let origin = v[0].as_f64().unwrap_or_default() - since;
    let mut out = vec![("page start".to_owned(), origin)];
    for m in v.as_array().into_iter().flatten().skip(1) {
        let name = m[0]
            .as_str()
            .unwrap_or_default()
            .trim_start_matches("kefu:");
        out.push((name.to_owned(), origin + m[1].as_f64().unwrap_or_default()));
    }
    out
}

/// Launches the app `runs` times on `desktop`'s database as it stands.
fn launches(desktop: &Desktop, binary: &Path, runs: usize, f: &mut Figures) {
    for _ in 0..runs {
        let launched = SystemTime::now();
        let start = Instant::now();
        let app = App::launch_binary(desktop, "bench", binary);
        f.loaded.push(start.elapsed());
        app.wait_js(
            "the populated workbench",
            "return document.body.dataset.ready === '1' && document.querySelectorAll('#buyer-rows .row').length > 0",
        );
        f.populated.push(start.elapsed());
        f.steps.push(steps(&app, launched));
        std::thread::sleep(Duration::from_secs(5));
        f.pss.push(pss_kb_on_display(&desktop.display));
        drop(app);
        wait_until_gone(&desktop.display);
    }
}

fn median<T: Ord + Copy>(v: &[T]) -> T {
    let mut v = v.to_vec();
    v.sort();
    v[v.len() / 2]
}

fn print(title: &str, f: &Figures) {
    let ms = |d: Duration| d.as_secs_f64() * 1000.0;
    let mb = |kb: u64| kb as f64 / 1024.0;
    let pss = median(&f.pss);
    println!("{title} ({} runs, medians):", f.loaded.len());
    println!(
        "  launch -> page loaded             {:>6.0} ms",
        ms(median(&f.loaded))
    );
    println!(
        "  launch -> workbench populated     {:>6.0} ms (runs: {})",
        ms(median(&f.populated)),
        f.populated
            .iter()
            .map(|d| format!("{:.0}", ms(*d)))
            .collect::<Vec<_>>()
            .join(", ")
    );
    println!(
        "  PSS after 5 s idle (app + WebKit) {:>6.0} MB: app {:.0}, web {:.0}, network {:.0}",
        mb(pss.total),
        mb(pss.app),
        mb(pss.web),
        mb(pss.network)
    );
    // Each step's median over the runs, in the order of the first run.
    let names: Vec<String> = f
        .steps
        .first()
        .into_iter()
        .flatten()
        .map(|(n, _)| n.clone())
        .collect();
    let mut line = String::from("  launch -> ");
    for name in names {
        let mut at: Vec<f64> = f
            .steps
            .iter()
            .filter_map(|s| s.iter().find(|(n, _)| *n == name).map(|(_, t)| *t))
            .collect();
        at.sort_by(f64::total_cmp);
        if let Some(m) = at.get(at.len() / 2) {
            line.push_str(&format!("{name} {m:.0} · "));
        }
    }
    println!("{} ms (medians)", line.trim_end_matches(" · "));
    // Each run's steps too: a slow run shows where its time went.
    for (i, run) in f.steps.iter().enumerate() {
        let steps: Vec<String> = run.iter().map(|(n, t)| format!("{n} {t:.0}")).collect();
        println!("    run {}: {} ms", i + 1, steps.join(" · "));
    }
}

fn main() {
    let binary = built_binary("release");
    let mut demo = Figures::default();
    for _ in 0..RUNS {
        // A fresh desktop each run: the demo is the first-run path.
        let desktop = Desktop::start();
        desktop.cli_json_with(&binary, &["demo"]);
        launches(&desktop, &binary, 1, &mut demo);
    }
    print("launch bench, release build, demo shop", &demo);

    let orders: u64 = std::env::var("KEFU_BENCH_ORDERS")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(1_000_000);
    if orders == 0 {
        return;
    }
    let desktop = Desktop::start();
    if let Some(db) = std::env::var_os("KEFU_BENCH_DB") {
        // A big shop's database made before (the import takes a minute): a copy of it.
        std::fs::copy(&db, &desktop.db).expect("copy KEFU_BENCH_DB");
        // Written through to the disk before the launches: else the kernel writes the
        // copy's hundreds of MB back in the middle of one of them, and that run measures
        // the disk (a PC's database in the morning has nothing of the kind pending).
        std::fs::File::open(&desktop.db)
            .and_then(|f| f.sync_all())
            .expect("sync the copy");
        println!("big shop: a copy of {}", Path::new(&db).display());
    } else {
        let csv = desktop.home.path().join("ExportOrderList_big.csv");
        legacy_export(&csv, orders).expect("generate the export");
        let t = Instant::now();
        desktop.cli_json_with(&binary, &["import", &csv.display().to_string()]);
        println!(
            "big shop: {orders} orders imported in {:.1} s",
            t.elapsed().as_secs_f64()
        );
    }
    // The first launch announces the backlog; the others open a database with nothing
    // left to announce, as a PC does every morning.
    let mut big = Figures::default();
    launches(&desktop, &binary, RUNS, &mut big);
    print(
        &format!("launch bench, release build, {orders} orders"),
        &big,
    );
}
