//! The team database going away under an open window (runs in the PostgreSQL pass of
//! `src-tauri/scripts/test.sh`, on a server of the test's own): the window says so plainly,
//! what the agent typed stays in the form, and when the server is back the same window
//! works again without a restart.

use kefu_db::{Backend, Scratch};
use kefu_tests::team::{cli, shop, sign_in, OwnServer};
use kefu_tests::{App, Desktop};
use serde_json::Value;

#[test]
fn the_window_says_so_keeps_what_was_typed_and_recovers() {
    if !Scratch::runs_on(
        Backend::Postgres,
        "the_window_says_so_keeps_what_was_typed_and_recovers",
    ) {
        return;
    }
    let server = OwnServer::start("e2e-outage");
    let mut pc = Desktop::start();
    pc.db = server.practice_url().as_str().to_owned();
    shop(&pc, &["小美"]);
    let app = App::launch(&pc, "outage");
    app.steps(|app| {
        sign_in(app, "小美");
        app.click("#new-inquiry");
        app.type_keys("#inquiry-nick", "买家甲");
        app.type_keys("#inquiry-asked", "这件有S码吗");

        server.pause();
        let banner = app.wait_js(
            "the connection banner",
            "const c = document.getElementById('connection'); return !c.hidden && c.textContent",
        );
        let banner = banner.as_str().unwrap_or_default().to_owned();
        assert!(banner.contains("数据库连接中断"), "{banner}");
        app.click("#inquiry-form button[type=submit]");
        let said = app.wait_js(
            "the plain error",
            "const t = document.getElementById('inquiry-result').textContent; return t.includes('数据库') && t",
        );
        let said = said.as_str().unwrap_or_default().to_owned();
        assert!(said.starts_with("数据库连不上，这一步没有保存"), "{said}");
        let typed = app.js(
            "return [document.getElementById('inquiry-nick').value, document.getElementById('inquiry-asked').value]",
        );
        assert_eq!(typed, serde_json::json!(["买家甲", "这件有S码吗"]));
        app.screenshot("outage");

        server.resume();
        app.wait_js(
            "the banner to go once the server is back",
            "return document.getElementById('connection').hidden",
        );
        app.click("#inquiry-form button[type=submit]");
        let done = app.wait_js(
            "the buyer assigned",
            "const t = document.getElementById('inquiry-result').textContent; return t.startsWith('已分配给') && t",
        );
        assert_eq!(done, Value::from("已分配给 小美：小美 负载最低 0/8"));
    });
    // Assigned once, with what was typed while the server was away.
    let open = cli(&pc, Some("云朵旗舰店"), &["conversations", "--all"]);
    let open = open["open"].as_array().cloned().unwrap_or_default();
    assert_eq!(open.len(), 1, "{open:?}");
    assert_eq!(open[0]["buyer_nick"], Value::from("买家甲"));
    assert_eq!(open[0]["asked"], Value::from("这件有S码吗"));
}
