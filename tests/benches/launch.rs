//! Launch bench: the release build under Xvfb on the demo shop. Prints launch → page
//! loaded (the WebDriver session is up) → workbench populated (group counts and the first
//! list on screen), and the summed PSS of the app and its WebKit processes after 5 s idle.
//!
//! cargo build --release -p kefu-desk --features custom-protocol && cargo bench -p kefu-tests --bench launch

use std::time::{Duration, Instant};

use kefu_tests::{built_binary, pss_kb_on_display, App, Desktop};

fn main() {
    let binary = built_binary("release");
    let runs = 5;
    let (mut loaded, mut populated, mut pss) = (Vec::new(), Vec::new(), Vec::new());
    for _ in 0..runs {
        let desktop = Desktop::start();
        desktop.cli_json_with(&binary, &["demo"]);
        let start = Instant::now();
        let app = App::launch_binary(&desktop, "bench", &binary);
        loaded.push(start.elapsed());
        app.wait_js("the populated workbench", "return document.body.dataset.ready === '1' && document.querySelectorAll('#buyer-rows .row').length > 0");
        populated.push(start.elapsed());
        std::thread::sleep(Duration::from_secs(5));
        pss.push(pss_kb_on_display(&desktop.display));
    }
    let median = |v: &mut Vec<Duration>| {
        v.sort();
        v[v.len() / 2]
    };
    pss.sort_unstable();
    println!("launch bench, release build, {runs} runs, medians:");
    println!(
        "  launch -> page loaded          {:>7.0} ms",
        median(&mut loaded).as_secs_f64() * 1000.0
    );
    println!(
        "  launch -> workbench populated  {:>7.0} ms",
        median(&mut populated).as_secs_f64() * 1000.0
    );
    println!(
        "  PSS after 5 s idle (app + WebKit) {:>5.0} MB",
        pss[pss.len() / 2] as f64 / 1024.0
    );
}
