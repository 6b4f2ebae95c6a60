//! Launch bench: the release build under Xvfb, on the demo shop and on a big shop's database
//! (1,000,000 orders from an export placed weeks before the app's clock, so the platform's
//! timers have passed for most of them). Prints launch → page loaded (the WebDriver session
//! is up) → workbench populated (group counts and the first list on screen), and the PSS of
//! the app and its WebKit processes after 5 s idle.
//!
//! cargo build --release -p kefu-desk --features custom-protocol && cargo bench -p kefu-tests --bench launch
//! (KEFU_BENCH_ORDERS sets the big shop's size, default 1,000,000; 0 skips it.)

use std::path::Path;
use std::time::{Duration, Instant};

use kefu_tests::{built_binary, export::legacy_export, pss_kb_on_display, App, Desktop, Pss};

const RUNS: usize = 5;

#[derive(Default)]
struct Figures {
    loaded: Vec<Duration>,
    populated: Vec<Duration>,
    pss: Vec<Pss>,
}

/// Launches the app `runs` times on `desktop`'s database as it stands.
fn launches(desktop: &Desktop, binary: &Path, runs: usize, f: &mut Figures) {
    for _ in 0..runs {
        let start = Instant::now();
        let app = App::launch_binary(desktop, "bench", binary);
        f.loaded.push(start.elapsed());
        app.wait_js(
            "the populated workbench",
            "return document.body.dataset.ready === '1' && document.querySelectorAll('#buyer-rows .row').length > 0",
        );
        f.populated.push(start.elapsed());
        std::thread::sleep(Duration::from_secs(5));
        f.pss.push(pss_kb_on_display(&desktop.display));
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
        "  launch -> workbench populated     {:>6.0} ms",
        ms(median(&f.populated))
    );
    println!(
        "  PSS after 5 s idle (app + WebKit) {:>6.0} MB: app {:.0}, web {:.0}, network {:.0}",
        mb(pss.total),
        mb(pss.app),
        mb(pss.web),
        mb(pss.network)
    );
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
    let csv = desktop.home.path().join("ExportOrderList_big.csv");
    legacy_export(&csv, orders).expect("generate the export");
    let t = Instant::now();
    desktop.cli_json_with(&binary, &["import", &csv.display().to_string()]);
    println!(
        "big shop: {orders} orders imported in {:.1} s",
        t.elapsed().as_secs_f64()
    );
    // The first launch announces the backlog; the others open a database with nothing
    // left to announce, as a PC does every morning.
    let mut big = Figures::default();
    launches(&desktop, &binary, RUNS, &mut big);
    print(
        &format!("launch bench, release build, {orders} orders"),
        &big,
    );
}
