//! A due payment chase in the running app becomes a native notification on the session
//! D-Bus; a catch-up of many is one notification, and announced chases are recorded.

use std::time::Duration;

use kefu_tests::{wait_for, App, Desktop, NotifyMonitor};

#[test]
fn a_due_chase_raises_a_notification_once() {
    let desktop = Desktop::start();
    desktop.cli_json(&["demo"]);
    let followups = desktop.cli_json(&["followups"]);
    let due = due_chases(&followups);
    assert_eq!(
        due.len(),
        12,
        "every unpaid demo buyer is due a first chase"
    );
    assert!(due.iter().all(|c| c["announced"] == false));
    let most_urgent = due[0]["nick"].as_str().expect("a nick").to_owned();

    // Everything due before the app started: the 12 chases and the demo's other follow-ups.
    let due_now = ["overdue", "due"]
        .iter()
        .map(|l| followups[*l].as_array().map_or(0, Vec::len))
        .sum::<usize>();

    let monitor = NotifyMonitor::start(&desktop);
    {
        let app = App::launch(&desktop, "notify");
        app.steps(|app| {
            // The catch-up is over once the app has announced every follow-up that was due;
            // what it notified by then is on the bus when the monitor has counted as many.
            let done = app.wait_js(
                "the catch-up to be announced",
                &format!(
                    "const t = window.kefuTest && kefuTest.timer(); \
                     return t && t.announced === {due_now} && t"
                ),
            );
            let notified = done["notifications"].as_u64().expect("a count") as usize;
            wait_for(
                Duration::from_secs(15),
                "the notifications on the bus",
                || (monitor.count() >= notified).then_some(()),
            );
            let seen = monitor.text();
            assert_eq!(notified, 1, "one notification for the catch-up:\n{seen}");
            assert_eq!(monitor.count(), 1, "{seen}");
            assert!(seen.contains("条待办到期"), "{seen}");
            assert!(seen.contains("催付 12"), "the chases counted:\n{seen}");
            assert!(seen.contains(&format!("最急：{most_urgent}")), "{seen}");
            assert_eq!(seen.matches("催付：").count(), 0, "no chase alone:\n{seen}");
        });
    }
    // Announced chases are recorded before they are shown, and stay on the agenda until
    // the agent marks them done.
    let after = desktop.cli_json(&["followups"]);
    let due = due_chases(&after);
    assert_eq!(due.len(), 12);
    assert!(due.iter().all(|c| c["announced"] == true), "{after}");
}

/// The chases of the agenda's overdue and due lists, most urgent first.
fn due_chases(agenda: &serde_json::Value) -> Vec<serde_json::Value> {
    ["overdue", "due"]
        .iter()
        .flat_map(|l| agenda[*l].as_array().cloned().unwrap_or_default())
        .filter(|f| f["kind"] == "chase")
        .collect()
}

/// A shop script imports from the command line while the app runs: the app notices the
/// change by itself and announces the chase that fell due, without waiting for its timer.
#[test]
fn a_chase_imported_from_the_command_line_is_announced_at_once() {
    let desktop = Desktop::start();
    let monitor = NotifyMonitor::start(&desktop);
    let app = App::launch(&desktop, "notify-external");
    app.steps(|app| {
        app.wait_js("the workbench to start", "return document.body.dataset.ready === '1'");
        // The first catch-up (2 s after launch) passes with nothing to do.
        app.wait_js(
            "the first step of the follow-up loop",
            "const t = kefuTest.timer(); return t !== null && t.steps >= 1",
        );
        // Clock start is 12:00 shop time: placed 11:30, the first chase is overdue.
        let csv = desktop.home.path().join("ExportOrderList_script.csv");
        std::fs::write(
            &csv,
            "订单编号,买家会员名,总金额,订单状态,订单创建时间\n9002,脚本导入的买家,59.00,等待买家付款,2026-11-23 11:30:00\n",
        )
        .expect("write the export");
        desktop.cli_json(&["import", &csv.display().to_string()]);
        wait_for(Duration::from_secs(5), "the chase of the imported order", || {
            monitor.text().contains("催付：脚本导入的买家").then_some(())
        });
        app.wait_js(
            "the imported buyer in the window",
            "return document.getElementById('count-order').textContent === '1'",
        );
    });
}
