//! Due → notification bench: the release build runs under Xvfb with a session D-Bus and
//! an unpaid order whose first chase falls due 15 s after launch (on the app's clock, which
//! starts at `CLOCK_START` when the app first reads it). Prints how long after its due
//! time the `Notify` call reached the bus. The app's clock starts a little after the
//! process does, so the figure is an upper bound.
//!
//! cargo build --release -p kefu-desk --features custom-protocol && cargo bench -p kefu-tests --bench notify

use std::time::{Duration, Instant};

use kefu_tests::{built_binary, App, Desktop, NotifyMonitor};

const DUE_AFTER: Duration = Duration::from_secs(15);

fn main() {
    let binary = built_binary("release");
    let runs = 3;
    let mut late = Vec::new();
    for run in 0..runs {
        let desktop = Desktop::start();
        // CLOCK_START is 12:00:00 shop time: placed 11:40:15, the first chase is due 12:00:15.
        let csv = desktop.home.path().join("ExportOrderList_bench.csv");
        let nick = format!("延迟测试{run}");
        std::fs::write(
            &csv,
            format!("订单编号,买家会员名,总金额,订单状态,订单创建时间\n9001,{nick},99.00,等待买家付款,2026-11-23 11:40:15\n"),
        )
        .expect("write the export");
        desktop.cli_json_with(&binary, &["import", &csv.display().to_string()]);
        let monitor = NotifyMonitor::start(&desktop);
        let launched = Instant::now();
        let app = App::launch_binary(&desktop, "notify-bench", &binary);
        // Polled every 10 ms, so the figure is at most that much late.
        let seen = loop {
            if monitor.text().contains(&format!("催付：{nick}")) {
                break Instant::now();
            }
            assert!(
                launched.elapsed() < DUE_AFTER + Duration::from_secs(20),
                "no chase notification"
            );
            std::thread::sleep(Duration::from_millis(10));
        };
        late.push(seen.saturating_duration_since(launched + DUE_AFTER));
        drop(app);
    }
    late.sort();
    println!("notify bench, release build, {runs} runs:");
    println!(
        "  due -> Notify on the session bus   median {:>5.0} ms   max {:>5.0} ms   (target <= 1000 ms)",
        late[late.len() / 2].as_secs_f64() * 1000.0,
        late[late.len() - 1].as_secs_f64() * 1000.0
    );
}
