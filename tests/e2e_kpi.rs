//! 绩效 in the real window: the main account opens 绩效 on the day after a day the chat
//! system reported, and reads each agent's and the team's figures as the command line
//! gives them; the charts draw.

use kefu_tests::team::{shop, sign_in, MAIN, PASSWORD};
use kefu_tests::{app_binary, App, Desktop};
use serde_json::{json, Value};

/// The command line at a moment of 2026-11-22 (the window's clock starts the next noon).
fn at(desktop: &Desktop, clock: &str, as_: &str, args: &[&str]) -> Value {
    let out = desktop
        .command(app_binary())
        .env("KEFU_CLOCK_START", format!("2026-11-22T{clock}+08:00"))
        .env("KEFU_PASSWORD", PASSWORD)
        .args(args)
        .args(["--as", as_, "--json"])
        .output()
        .expect("the app binary runs");
    let json = serde_json::from_slice(&out.stdout).unwrap_or(Value::Null);
    assert!(out.status.success(), "{args:?}: {json}");
    json
}

#[test]
fn the_main_account_reads_yesterdays_figures_in_the_window() {
    let desktop = Desktop::start();
    shop(&desktop, &["小美", "小帅"]);
    at(&desktop, "10:00:00", "小美", &["state", "online"]);
    at(&desktop, "10:00:00", "小帅", &["state", "online"]);
    let mut served = Vec::new();
    for (i, nick) in ["买家甲", "买家乙", "买家丙"].iter().enumerate() {
        let r = at(
            &desktop,
            &format!("10:0{i}:05"),
            MAIN,
            &["inquiry", nick, "--asked", "在吗"],
        );
        let agent = r["agent"].as_str().expect("routed to an agent").to_owned();
        at(
            &desktop,
            &format!("10:0{i}:35"),
            &agent,
            &["greet", &r["conversation"].to_string()],
        );
        served.push(agent);
    }
    at(&desktop, "10:05:00", MAIN, &["message", "买家甲"]);
    at(
        &desktop,
        "10:05:40",
        &served[0],
        &["message", "买家甲", "--from", "agent"],
    );
    let export = desktop.home.path().join("ExportOrderList_kpi.csv");
    std::fs::write(
        &export,
        "订单编号,买家会员名,总金额,订单状态,订单创建时间,订单付款时间\n\
         4012345678900000001,买家甲,100.00,买家已付款，等待卖家发货,2026-11-22 10:30:00,2026-11-22 10:35:00\n\
         4012345678900000002,买家乙,58.50,买家已付款，等待卖家发货,2026-11-22 11:00:00,2026-11-22 11:20:00\n\
         4012345678900000003,买家丁,50.00,买家已付款，等待卖家发货,2026-11-22 20:00:00,2026-11-22 20:01:00\n",
    )
    .expect("write the export");
    at(
        &desktop,
        "21:00:00",
        MAIN,
        &["import", export.to_str().expect("a path")],
    );
    let cli = kefu_tests::team::cli(&desktop, Some(MAIN), &["kpi", "--from", "2026-11-22"]);

    let app = App::launch(&desktop, "kpi");
    app.steps(|app| {
        sign_in(app, MAIN);
        app.type_keys("#buyer-list", "9");
        app.wait_js("the team's row", "return document.querySelector('#kpi tr[data-agent=\"团队\"]') !== null");
        let shown = app.js(
            "const head = [...document.querySelectorAll('#kpi thead th')].map(th => th.textContent.replace(/ [↑↓]$/, '')); \
             return Object.fromEntries([...document.querySelectorAll('#kpi tbody tr')].map(tr => \
               [tr.dataset.agent, Object.fromEntries([...tr.children].slice(1).map((td, i) => [head[i + 1], td.textContent]))]))",
        );
        let yuan = |fen: &Value| format!("¥{:.2}", fen.as_f64().unwrap_or_default() / 100.0);
        let pct = |p: &Value| p.as_f64().map_or("—".to_owned(), |p| format!("{:.1}%", p * 100.0));
        let mut rows: Vec<(String, &Value)> =
            cli["agents"].as_object().expect("agents").iter().map(|(a, f)| (a.clone(), f)).collect();
        rows.push(("团队".to_owned(), &cli["team"]));
        for (agent, f) in rows {
            let row = &shown[&agent];
            assert_eq!(row["接待人数"], json!(f["received"].to_string()), "{agent}: {shown}");
            assert_eq!(row["客服销售额"], json!(yuan(&f["sales"])), "{agent}: {shown}");
            assert_eq!(row["回复率"], json!(pct(&f["rates"]["reply_rate"])), "{agent}: {shown}");
            assert_eq!(row["询单→付款"], json!(pct(&f["rates"]["pay_conversion"][2])), "{agent}: {shown}");
        }
        assert_eq!(cli["team"]["received"], 3, "{cli}");
        assert_eq!(cli["silent_sales"], 5000, "买家丁 never chatted: {cli}");
        let cards = app.js("return [...document.querySelectorAll('.kpi-card')].map(c => c.textContent)");
        assert!(cards.to_string().contains("静默销售额¥50.00"), "{cards}");
        assert_eq!(app.js("return document.querySelectorAll('#kpi .kpi-bar').length"), json!(1), "one day, one bar");
        assert_eq!(app.js("return document.querySelectorAll('#kpi .kpi-heat-cell').length"), json!(168));
        app.screenshot("kpi");

        // 业绩判定 is a setting: saved in the dialog, the figures follow at once, and the
        // command line reads the same file.
        app.click("#agent");
        app.wait_js(
            "the settings dialog with 下单判定",
            "return !document.getElementById('settings-panel').hidden && document.getElementById('set-attribution').value === 'order'",
        );
        app.js("document.getElementById('set-attribution').value = 'payment'; return true");
        app.screenshot("settings");
        app.click("#settings-form button[type=submit]");
        app.wait_js(
            "绩效 under 付款判定",
            "return document.getElementById('kpi').textContent.includes('业绩判定：付款判定')",
        );
    });
    let after = kefu_tests::team::cli(&desktop, Some(MAIN), &["kpi", "--from", "2026-11-22"]);
    assert_eq!(after["attribution"], "payment", "{after}");
}
