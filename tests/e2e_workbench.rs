//! The built app in its real WebKit window: first run offers the demo shop, and the group
//! lists show exactly what the database holds.

use kefu_tests::{App, Desktop, CLOCK_START};
use serde_json::Value;

#[test]
fn first_run_demo_then_groups_show_the_database() {
    let desktop = Desktop::start();
    let app = App::launch(&desktop, "first_run");
    app.steps(|app| {
        app.wait_js("the workbench to start", "return document.body.dataset.ready === '1'");
        assert_eq!(app.js("return document.getElementById('welcome').hidden"), Value::Bool(false), "an empty database offers the demo shop");
        app.click("#load-demo");
        app.wait_js("the demo counts", "return document.getElementById('count-shipped').textContent === '12'");

        // The database, read through the command line, is the truth the window must show.
        let counts = desktop.cli_json(&["groups"]);
        for g in ["inquiry", "order", "shipped", "closed"] {
            let shown = app.js(&format!("return document.getElementById('count-{g}').textContent"));
            assert_eq!(shown.as_str().map(str::to_owned), Some(counts[g].to_string()), "count of {g}");
        }

        // Times left run on the app clock (KEFU_CLOCK_START), whatever the PC's clock says:
        // the most urgent unpaid buyer shows the time the database gives it from the start.
        let first = desktop.cli_json(&["buyers", "--group", "order", "--limit", "1"]);
        let close = serde_json::to_string(&first[0]["next_close_at"]).expect("json");
        let planned = app
            .js(&format!("return Math.floor((Date.parse({close}) - Date.parse('{CLOCK_START}')) / 60000)"))
            .as_i64()
            .expect("minutes from the clock start");
        let meta = app.wait_js("the most urgent unpaid buyer", "const m = document.querySelector('#buyer-rows .row[data-index=\"0\"] .meta'); return m !== null && m.textContent");
        let shown = minutes_left(meta.as_str().unwrap_or_default());
        assert!((planned - 3..=planned).contains(&shown), "{meta} for a close {planned} minutes after the clock start");

        app.click("button[data-group=shipped]");
        app.wait_js("the shipped list", "return document.querySelector('.group.active').dataset.group === 'shipped' && document.querySelectorAll('#buyer-rows .row').length === 12");
        let shown = app.js("return [...document.querySelectorAll('#buyer-rows .row')].sort((a, b) => a.dataset.index - b.dataset.index).map(r => r.querySelector('.nick').textContent)");
        let stored: Vec<Value> = desktop.cli_json(&["buyers", "--group", "shipped", "--limit", "100"]).as_array().expect("a list").iter().map(|b| b["nick"].clone()).collect();
        assert_eq!(shown, Value::Array(stored.clone()), "the shipped group lists the stored buyers in order");

        app.click("#buyer-rows .row[data-index='0']");
        let nick = stored[0].as_str().expect("a nick");
        let wanted = serde_json::to_string(nick).expect("a JSON string");
        app.wait_js("the buyer panel", &format!("const n = document.querySelector('.buyer-nick'); return n !== null && n.textContent === {wanted}"));
        assert_eq!(app.js("return document.querySelector('.buyer-nick').textContent").as_str(), Some(nick));
        let orders = desktop.cli_json(&["buyer", nick]);
        let cards = app.js("return [...document.querySelectorAll('.order')].map(o => o.dataset.order)");
        let stored_orders: Vec<Value> = orders["orders"].as_array().expect("orders").iter().map(|o| o["no"].clone()).collect();
        assert_eq!(cards, Value::Array(stored_orders));
        app.screenshot("workbench");
    });
}

#[test]
fn settings_are_checked_and_persisted_through_the_store() {
    let desktop = Desktop::start();
    let app = App::launch(&desktop, "settings");
    app.steps(|app| {
        app.wait_js("the workbench to start", "return document.body.dataset.ready === '1'");
        app.js("document.getElementById('welcome').hidden = true; return true");
        app.click("#agent");
        app.wait_js("the settings form", "return !document.getElementById('settings-panel').hidden && document.getElementById('set-agent').value !== ''");
        // A bad value is refused with the field named, and nothing is written.
        app.js("document.getElementById('set-agent').value = '小美'; document.getElementById('set-close').value = '1'; document.getElementById('set-close').min = ''; return true");
        app.js("document.getElementById('settings-form').requestSubmit(); return true");
        // The error arrives with the IPC answer: wait for text, not for the (empty) element.
        let err = app.wait_js("the settings error", "return document.getElementById('settings-error').textContent || null");
        assert!(err.as_str().unwrap_or_default().contains("auto_close_minutes"), "{err}");
        let store = desktop.home.path().join("data/com.kefudesk.desk/settings.json");
        assert!(!store.exists(), "nothing written for a rejected value");

        app.js("document.getElementById('set-close').value = '2880'; document.getElementById('settings-form').requestSubmit(); return true");
        app.wait_js("the new agent name", "return document.getElementById('agent').textContent === '小美'");
        let saved: Value = serde_json::from_str(&std::fs::read_to_string(&store).expect("the store file")).expect("JSON");
        assert_eq!(saved["agent"], Value::from("小美"));
        assert_eq!(saved["auto_close_minutes"], Value::from(2880));
    });
}

/// The minutes in "… 还剩 2 小时 5 分自动关闭", "… 还剩 40 分钟自动关闭" or "… 还剩 1 天 3 小时自动关闭".
fn minutes_left(text: &str) -> i64 {
    let left = text
        .split("还剩 ")
        .nth(1)
        .unwrap_or_else(|| panic!("no time left in {text:?}"));
    let words: Vec<&str> = left.split(' ').collect();
    words
        .windows(2)
        .filter_map(|w| {
            let n: i64 = w[0].parse().ok()?;
            let unit = if w[1].starts_with('天') {
                24 * 60
            } else if w[1].starts_with("小时") {
                60
            } else {
                1
            };
            Some(n * unit)
        })
        .sum()
}
