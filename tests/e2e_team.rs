//! Two PCs, one shop database: the app runs on two desktops (each its own display, D-Bus
//! session and HOME), signed in as different agents. The shop's chat system reports new
//! buyers through the command line; suspending one agent in her window sends new buyers to
//! the other, and each window shows who serves whom and why.

use std::time::Duration;

use kefu_tests::team::{cli, shop, sign_in};
use kefu_tests::{wait_for, App, Desktop, NotifyMonitor, ScreenSaver};
use serde_json::Value;

#[test]
fn suspend_one_agent_and_new_buyers_go_to_the_other() {
    let pc1 = Desktop::start();
    let mut pc2 = Desktop::start();
    pc2.db = pc1.db.clone();
    shop(&pc1, &["小美", "小帅"]);

    let app1 = App::launch(&pc1, "team-xiaomei");
    let app2 = App::launch(&pc2, "team-xiaoshuai");
    app1.steps(|app| sign_in(app, "小美"));
    app2.steps(|app| sign_in(app, "小帅"));

    // The chat system, signed in as the main account, reports new buyers: one each (the
    // first goes to whoever has been idle longer).
    let first = cli(
        &pc1,
        Some("云朵旗舰店"),
        &["inquiry", "买家一", "--asked", "有S码吗"],
    );
    let second = cli(&pc1, Some("云朵旗舰店"), &["inquiry", "买家二"]);
    let mut agents = [first["agent"].clone(), second["agent"].clone()];
    agents.sort_by_key(|a| a.to_string());
    assert_eq!(
        agents,
        [Value::from("小帅"), Value::from("小美")],
        "{first} {second}"
    );
    assert_eq!(
        second["reason"],
        Value::from(format!(
            "{} 负载最低 0/8",
            second["agent"].as_str().unwrap_or_default()
        ))
    );
    let hers = if first["agent"] == "小美" {
        "买家一"
    } else {
        "买家二"
    };

    // 小美 suspends in her window.
    app1.steps(|app| {
        app.js("const s = document.getElementById('state'); s.value = 'suspended'; s.dispatchEvent(new Event('change')); return true");
        app.wait_js("suspended", "return document.getElementById('status').textContent === '已挂起'");
    });
    // A buyer routed to 小帅 from another PC taps him on the shoulder on his own PC.
    let told = NotifyMonitor::start(&pc2);
    for nick in ["买家三", "买家四"] {
        let asked = std::time::Instant::now();
        let r = cli(&pc1, Some("云朵旗舰店"), &["inquiry", nick]);
        assert_eq!(r["agent"], Value::from("小帅"), "{r}");
        let wanted = format!("新买家：{nick}");
        wait_for(
            Duration::from_secs(10),
            "the new-buyer notification on 小帅's PC",
            || told.text().contains(&wanted).then_some(()),
        );
        println!(
            "{nick}: notified on the other PC {} ms after the command returned",
            asked.elapsed().as_millis()
        );
    }
    // A returning buyer still goes back to her.
    cli(&pc1, Some("小美"), &["close", hers]);
    let r = cli(&pc1, Some("云朵旗舰店"), &["inquiry", hers]);
    assert_eq!(r["agent"], Value::from("小美"), "{r}");

    // 小帅's window: the team panel shows her suspended, the buyer panel who and why.
    app2.steps(|app| {
        // The command line's changes reach the open window by themselves.
        app.wait_js(
            "the command line's new buyers in the window",
            "return document.getElementById('count-inquiry').textContent === '4'",
        );
        app.click("button[data-group=team]");
        app.wait_js(
            "the team list",
            "return [...document.querySelectorAll('#buyer-rows .row')].some(r => r.querySelector('.nick').textContent === '小美 · 客服' && r.querySelector('.badge').textContent === '挂起')",
        );
        app.js("document.getElementById('search').value = '买家四'; document.getElementById('search').dispatchEvent(new Event('input')); return true");
        app.wait_js("the search hit", "const r = document.querySelector('#buyer-rows .row[data-index=\"0\"] .nick'); return r && r.textContent === '买家四'");
        app.click("#buyer-rows .row[data-index='0']");
        let shown = app.wait_js(
            "the conversation box",
            "const c = document.querySelector('#detail .conversation'); return c !== null && c.textContent.includes('接待：') && c.textContent",
        );
        let shown = shown.as_str().unwrap_or_default().to_owned();
        assert!(shown.contains("接待：小帅 · 小帅 负载最低 2/8"), "{shown}");
        assert!(shown.contains("结束会话"), "{shown}");
        // Opening the buyer was the greeting: the conversation will not be routed on.
        let open = cli(&pc1, Some("云朵旗舰店"), &["conversations", "--all"]);
        let c = open["open"].as_array().expect("open").iter().find(|c| c["buyer_nick"] == "买家四").cloned().expect("买家四 open");
        assert!(c["opened_at"].is_i64(), "{c}");
        let c3 = open["open"].as_array().expect("open").iter().find(|c| c["buyer_nick"] == "买家三").cloned().expect("买家三 open");
        assert!(c3["opened_at"].is_null(), "{c3}");
        app.wait_js("the new-buyer bar", "const b = document.getElementById('new-buyers'); return !b.hidden && b.textContent.includes('买家三')");
        app.screenshot("team");
        // Esc ends the conversation and frees the load.
        app.js("document.activeElement && document.activeElement.blur(); document.body.dispatchEvent(new KeyboardEvent('keydown', {key: 'Escape', bubbles: true})); return true");
        app.wait_js("the conversation to end", "return !document.querySelector('#detail .conversation')");
    });
    let team = cli(&pc1, Some("云朵旗舰店"), &["team"]);
    let load = |n: &str| {
        team.as_array()
            .expect("team")
            .iter()
            .find(|m| m["name"] == n)
            .map(|m| m["load"].clone())
    };
    assert_eq!(
        load("小帅"),
        Some(Value::from(2)),
        "买家二, 买家三 left: {team}"
    );
    assert_eq!(load("小美"), Some(Value::from(1)));
}

/// Locking the PC's screen suspends the agent signed in on it (its buyer stays with it, a
/// new one does not come to it); unlocking brings it back online. The lock arrives as the
/// desktop sends it, a signal on the session bus.
#[test]
fn a_locked_screen_suspends_the_agent_and_unlocking_brings_it_back() {
    let pc = Desktop::start();
    shop(&pc, &["小美"]);
    let app = App::launch(&pc, "screen-lock");
    app.steps(|app| sign_in(app, "小美"));
    let first = cli(&pc, Some("云朵旗舰店"), &["inquiry", "买家甲"]);
    assert_eq!(first["agent"], Value::from("小美"), "{first}");

    // Any program on the session bus can send the signal; only the screensaver's, from
    // the owner of its bus name, is obeyed.
    let impostor = pc
        .command("dbus-send")
        .args([
            "--session",
            "--type=signal",
            "/org/freedesktop/ScreenSaver",
            "org.freedesktop.ScreenSaver.ActiveChanged",
            "boolean:true",
        ])
        .output()
        .expect("dbus-send (package dbus)");
    assert!(
        impostor.status.success(),
        "{}",
        String::from_utf8_lossy(&impostor.stderr)
    );
    let ignored = app.wait_log(
        "the signal of another program ignored",
        "not from the screensaver",
    );
    assert!(ignored.contains("ActiveChanged"), "{ignored}");
    let team = cli(&pc, Some("云朵旗舰店"), &["team"]);
    let state = team
        .as_array()
        .and_then(|t| t.iter().find(|m| m["name"] == "小美"))
        .map(|m| m["state"].clone());
    assert_eq!(state, Some(Value::from("online")), "still online: {team}");

    let saver = ScreenSaver::start(&pc);
    let lock = |locked: bool| saver.active_changed(locked);
    lock(true);
    app.steps(|app| {
        app.wait_js(
            "suspended by the lock",
            "return document.getElementById('state').value === 'suspended'",
        );
    });
    let team = cli(&pc, Some("云朵旗舰店"), &["team"]);
    let mei = team
        .as_array()
        .and_then(|t| t.iter().find(|m| m["name"] == "小美"))
        .cloned()
        .expect("小美 in the team");
    assert_eq!(mei["state"], Value::from("suspended"), "{mei}");
    assert_eq!(
        mei["load"],
        Value::from(1),
        "her buyer stays with her: {mei}"
    );
    let second = cli(&pc, Some("云朵旗舰店"), &["inquiry", "买家乙"]);
    assert_eq!(second["agent"], Value::Null, "a new buyer waits: {second}");

    lock(false);
    app.steps(|app| {
        app.wait_js(
            "online again after unlocking",
            "return document.getElementById('state').value === 'online'",
        );
    });
}
