//! A due payment chase in the running app becomes a native notification on the session
//! D-Bus; a catch-up of many is summarised, and announced chases are recorded.

use std::time::Duration;

use kefu_tests::{wait_for, App, Desktop, NotifyMonitor};

#[test]
fn a_due_chase_raises_a_notification_once() {
    let desktop = Desktop::start();
    desktop.cli_json(&["demo"]);
    let followups = desktop.cli_json(&["followups"]);
    let due = followups["due"].as_array().expect("due chases");
    assert_eq!(
        due.len(),
        12,
        "every unpaid demo buyer is due a first chase"
    );
    let most_urgent = due[0]["nick"].as_str().expect("a nick").to_owned();

    let monitor = NotifyMonitor::start(&desktop);
    {
        let app = App::launch(&desktop, "notify");
        app.steps(|_| {
            // The summary and the three most urgent are separate D-Bus calls: wait for
            // all of them, then give a straggler time to show up before counting.
            wait_for(
                Duration::from_secs(15),
                "the summary and three chase notifications",
                || {
                    let t = monitor.text();
                    (t.contains(&format!("催付：{most_urgent}"))
                        && t.matches("催付：").count() >= 3)
                        .then_some(())
                },
            );
            std::thread::sleep(Duration::from_secs(2));
            let seen = monitor.text();
            assert!(
                seen.contains("12 位买家待催付"),
                "a catch-up of 12 is summarised:\n{seen}"
            );
            assert_eq!(
                seen.matches("催付：").count(),
                3,
                "the summary plus the three most urgent, each once:\n{seen}"
            );
        });
    }
    // Announced chases are recorded before they are shown: nothing is due any more.
    assert_eq!(
        desktop.cli_json(&["followups"])["due"]
            .as_array()
            .map(Vec::len),
        Some(0)
    );
}
