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

        // Nothing typed is lost: the agent types a note; meanwhile another PC (the command
        // line here) saves one on the same buyer, and the panel shows it on its own.
        app.type_keys("#note", "要开发票");
        let other = desktop.cli_json(&["note", nick, "--text", "发顺丰", "--version", "0"]);
        assert_eq!(other["note_version"], Value::from(1));
        let theirs = app.wait_js("the other PC's note beside the typed one", "const c = document.getElementById('note-conflict'); return c !== null && c.querySelector('.theirs').textContent");
        assert_eq!(theirs.as_str(), Some("发顺丰"));
        assert_eq!(app.js("return document.getElementById('note').value").as_str(), Some("要开发票"), "what was typed is kept");
        app.screenshot("note-conflict");
        // Saving what was typed over the version it was read at is refused, not silent.
        app.click("#save-note");
        app.wait_js("the conflict said", "return document.getElementById('status').textContent.includes('请选择')");
        assert_eq!(desktop.cli_json(&["buyer", nick])["note"], Value::from("发顺丰"), "nothing overwritten");
        app.click("#keep-mine");
        app.wait_js("the note saved", "return document.getElementById('note-conflict') === null && document.getElementById('note').value === '要开发票' && document.getElementById('status').textContent === '已保存'");
        let stored = desktop.cli_json(&["buyer", nick]);
        assert_eq!((stored["note"].clone(), stored["note_version"].clone()), (Value::from("要开发票"), Value::from(2)));
        app.screenshot("workbench");
    });
}

#[test]
fn a_broken_settings_file_is_reported_and_a_good_one_written_whole() {
    let desktop = Desktop::start();
    // A settings file cut off mid-way (a crash of another program, an edit by hand): the
    // window must say where, not quietly open a database of defaults.
    let store = desktop
        .home
        .path()
        .join("data/com.kefudesk.desk/settings.json");
    std::fs::create_dir_all(store.parent().expect("a folder")).expect("folder");
    let broken = "{\n  \"db_url\": \"postgres://kefu:secret@192.168.1.10/shop\",\n  \"agent\": \n";
    std::fs::write(&store, broken).expect("the broken file");
    let app = App::launch(&desktop, "settings");
    app.steps(|app| {
        let said = app.wait_js("the settings problem", "const s = document.getElementById('status').textContent; return s.includes('settings.json') && s");
        assert!(said.as_str().unwrap_or_default().contains("设置文件有误") && said.as_str().unwrap_or_default().contains("line 4"), "{said}");
        assert_eq!(std::fs::read_to_string(&store).expect("the file"), broken, "the broken file is left as it was");

        app.click("#agent");
        let err = app.wait_js("the settings form", "return !document.getElementById('settings-panel').hidden && document.getElementById('settings-error').textContent");
        assert!(err.as_str().unwrap_or_default().contains("保存将替换这个文件"), "{err}");
        app.screenshot("settings-broken");
        // A bad value is refused with the field named, and nothing is written.
        app.js("document.getElementById('set-agent').value = '小美'; document.getElementById('set-close').value = '1'; document.getElementById('set-close').min = ''; return true");
        app.js("document.getElementById('settings-error').textContent = ''; document.getElementById('settings-form').requestSubmit(); return true");
        // The error arrives with the IPC answer: wait for text, not for the (empty) element.
        let err = app.wait_js("the settings error", "return document.getElementById('settings-error').textContent || null");
        assert!(err.as_str().unwrap_or_default().contains("auto_close_minutes"), "{err}");
        assert_eq!(std::fs::read_to_string(&store).expect("the file"), broken, "nothing written for a rejected value");

        app.js("document.getElementById('set-close').value = '2880'; document.getElementById('settings-form').requestSubmit(); return true");
        app.wait_js("the new agent name", "return document.getElementById('agent').textContent === '小美'");
        let saved: Value = serde_json::from_str(&std::fs::read_to_string(&store).expect("the settings file")).expect("JSON");
        assert_eq!(saved["agent"], Value::from("小美"));
        assert_eq!(saved["auto_close_minutes"], Value::from(2880));
        assert_eq!((&saved["kpi_attribution"], &saved["kpi_settle_days"]), (&Value::from("order"), &Value::from(4)), "绩效's rules at their defaults");
        use std::os::unix::fs::PermissionsExt;
        let mode = std::fs::metadata(&store).expect("metadata").permissions().mode() & 0o777;
        assert_eq!(mode, 0o600, "a settings file may hold a database password");
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
