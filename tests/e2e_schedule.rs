//! 排班 across two PCs on one shop database: the supervisor plans the week in the window
//! from the shop's own demand (eight weeks of orders), puts an agent on a shift from the
//! keyboard, takes the suggestion and publishes; the agent's window, on another PC, shows
//! her shifts and whether she is on shift now, as routing sees it; at the end of her shift
//! she hands her buyers and follow-ups over to the late shift with a note.

use std::time::Duration;

use kefu_tests::export::demand_export;
use kefu_tests::team::{cli, shop, sign_in, MAIN};
use kefu_tests::{wait_for, App, Desktop, NotifyMonitor};
use serde_json::Value;

#[test]
fn the_supervisor_publishes_a_week_and_the_agent_sees_her_shifts() {
    let pc1 = Desktop::start();
    let mut pc2 = Desktop::start();
    pc2.db = pc1.db.clone();
    shop(&pc1, &["小美", "小帅", "阿杰", "小王", "小李", "小赵"]);
    cli(
        &pc1,
        Some(MAIN),
        &["account", "add", "主管", "--role", "supervisor"],
    );
    // The app clock starts on Monday 2026-11-23; the history is the eight weeks before.
    let history = tempfile::tempdir().expect("tempdir");
    let export = history.path().join("ExportOrderList-history.csv");
    demand_export(&export, "2026-11-23", 8).expect("export written");
    cli(
        &pc1,
        None,
        &["import", export.to_str().expect("utf-8 path")],
    );

    // Seven to plan: the six agents and the supervisor.
    let boss = App::launch(&pc1, "schedule-supervisor");
    let agent = App::launch(&pc2, "schedule-agent");
    boss.steps(|app| {
        sign_in(app, "主管");
        app.click("button[data-group=schedule]");
        app.wait_js(
            "the week's grid",
            "return document.querySelectorAll('#sch-grid .sch-cell').length === 49",
        );
        // Demand from the orders: the empty week is short of agents in red.
        let line = app.js("return document.querySelector('.sch-demand').textContent");
        assert!(
            line.as_str().unwrap_or_default().contains("近 8 周"),
            "{line}"
        );
        app.wait_js(
            "gaps in the coverage strip",
            "return document.querySelectorAll('#sch-coverage .cov.gap').length > 0",
        );
        // From the keyboard: 小美's Tuesday cell, key 1 (早班).
        app.js("const c = document.querySelector('.sch-cell[data-agent=\"小美\"][data-date=\"2026-11-24\"]'); c.focus(); c.dispatchEvent(new KeyboardEvent('keydown', {key: '1', bubbles: true})); return true");
        app.wait_js(
            "the 早班 chip",
            "const c = document.querySelector('.sch-cell[data-agent=\"小美\"][data-date=\"2026-11-24\"] .chip'); return c !== null && c.textContent === '早班'",
        );
        // x marks a day off (请假); the suggestion leaves it free.
        app.js("const c = document.querySelector('.sch-cell[data-agent=\"小赵\"][data-date=\"2026-11-26\"]'); c.focus(); c.dispatchEvent(new KeyboardEvent('keydown', {key: 'x', bubbles: true})); return true");
        app.wait_js(
            "小赵's day off",
            "const c = document.querySelector('.sch-cell[data-agent=\"小赵\"][data-date=\"2026-11-26\"] .off-day'); return c !== null",
        );
        // The suggestion beside the week, then taken (the week's second version) and published.
        app.click("#sch-suggest");
        let hours = app.wait_js(
            "the suggestion",
            "const s = document.getElementById('sch-suggestion'); return s && s.querySelector('.sch-hours-line').textContent",
        );
        assert!(
            hours.as_str().unwrap_or_default().starts_with("工时 8 → "),
            "{hours}"
        );
        app.click("#sch-apply");
        app.wait_js(
            "the suggestion in the draft",
            "return !document.getElementById('sch-suggestion') && document.getElementById('sch-state').textContent.startsWith('草稿 · 第 2 版')",
        );
        app.click("#sch-publish");
        app.wait_js(
            "published",
            "return document.getElementById('sch-state').textContent.startsWith('已发布')",
        );
        // A peak day raises that day's need: more of its hours go short.
        let gaps = "return [...document.querySelectorAll('#sch-coverage .cov-row')][5].querySelectorAll('.cov.gap').length";
        let before = app.js(gaps).as_i64().unwrap_or(-1);
        app.js("const f = document.getElementById('peak-form'); const [day, name, times] = f.querySelectorAll('select, input'); day.value = '2026-11-28'; name.value = '双12预热'; times.value = '4'; f.requestSubmit(); return true");
        app.wait_js(
            "the peak day's chip",
            "const p = document.querySelector('#sch-grid thead .peak'); return p && p.textContent.startsWith('双12预热 ×4')",
        );
        let after = app.js(gaps).as_i64().unwrap_or(-1);
        assert!(after > before, "Saturday's gaps {before} → {after}");
        // A night template for the hours nobody covers: offered at once in every cell.
        app.js("const f = document.getElementById('template-form'); const [name, start, end] = f.querySelectorAll('input'); name.value = '夜班'; start.value = '00:00'; end.value = '08:00'; f.requestSubmit(); return true");
        app.wait_js(
            "the 夜班 template in the grid",
            "return [...document.querySelectorAll('.sch-cell[data-agent=\"小美\"][data-date=\"2026-11-29\"] .sch-add button')].some(b => b.textContent === '夜班')",
        );
        app.screenshot("schedule-week");
    });
    let week = cli(&pc1, Some("主管"), &["schedule", "week"]);
    assert_eq!(week["published"], Value::from(true), "{week}");
    let hers: Vec<String> = week["shifts"]
        .as_array()
        .expect("shifts")
        .iter()
        .filter(|s| s["agent"] == "小美")
        .map(|s| s["date"].as_str().unwrap_or_default().to_owned())
        .collect();
    assert!(!hers.is_empty(), "the suggestion gives 小美 shifts: {week}");
    let on_day_off = week["shifts"]
        .as_array()
        .expect("shifts")
        .iter()
        .any(|s| s["agent"] == "小赵" && s["date"] == "2026-11-26");
    assert!(!on_day_off, "{week}");
    // Routing's view of her now, which her header must show.
    let team = cli(&pc1, Some(MAIN), &["team"]);
    let duty = team
        .as_array()
        .expect("team")
        .iter()
        .find(|m| m["name"] == "小美")
        .map(|m| m["duty"].clone())
        .expect("小美 in the team");
    // The suggestion for this demand (deterministic) puts her on Monday's 早班.
    assert_eq!(duty, "on_shift", "{week}");
    let label = "在班";

    agent.steps(|app| {
        sign_in(app, "小美");
        app.wait_js(
            "her duty in the header",
            &format!("const d = document.getElementById('duty'); return !d.hidden && d.textContent === '{label}'"),
        );
        app.click("button[data-group=schedule]");
        let dates = app.wait_js(
            "her shifts",
            "const r = [...document.querySelectorAll('.my-shift')]; return r.length > 0 && r.map(x => x.dataset.date)",
        );
        let shown: Vec<String> = dates
            .as_array()
            .expect("dates")
            .iter()
            .map(|d| d.as_str().unwrap_or_default().to_owned())
            .collect();
        assert_eq!(shown, hers);
        // Two buyers come to her (the only one on shift and signed in), then her shift is
        // handed over to the late shift from her window.
        for nick in ["买家一", "买家二"] {
            let r = cli(&pc1, Some(MAIN), &["inquiry", nick]);
            assert_eq!(r["agent"], "小美", "{r}");
        }
        app.wait_js(
            "her work in the handover box",
            "const h = document.getElementById('handover'); return h && h.textContent.includes('接待中的买家 2 位')",
        );
        app.js("document.getElementById('handover-note').value = '买家一要开发票'; return true");
        app.screenshot("schedule-agent");
        app.click("#handover-go");
        app.wait_js(
            "the handover done",
            "return document.getElementById('status').textContent.startsWith('已交接')",
        );
    });
    // Her buyers and their follow-ups are with the late shift, each with the note.
    let open = cli(&pc1, Some(MAIN), &["conversations", "--all"]);
    let open = open["open"].as_array().expect("open");
    assert_eq!(open.len(), 2, "{open:?}");
    let mut receivers = Vec::new();
    for c in open {
        let reason = c["reason"].as_str().unwrap_or_default();
        assert!(
            reason.starts_with("交接班：小美 交给 ") && reason.ends_with("：买家一要开发票"),
            "{reason}"
        );
        receivers.push(c["agent"].as_str().unwrap_or_default().to_owned());
    }
    let agenda = cli(&pc1, Some(MAIN), &["followups", "--all"]).to_string();
    assert!(!agenda.contains("\"owner\":\"小美\""), "{agenda}");
    // The supervisor's team view: who keeps the shift, and how much of it so far.
    boss.steps(|app| {
        app.click("button[data-group=team]");
        app.wait_js(
            "小美's adherence in the team list",
            "return [...document.querySelectorAll('#buyer-rows .row')].some(r => r.querySelector('.nick').textContent === '小美 · 客服' && /在班.* · 出勤 \\d+%/.test(r.querySelector('.meta').textContent))",
        );
        app.screenshot("schedule-team");
    });
    let got = cli(
        &pc1,
        Some(receivers[0].as_str()),
        &["schedule", "handovers"],
    );
    assert_eq!(
        (&got[0]["from"], &got[0]["note"]),
        (&Value::from("小美"), &Value::from("买家一要开发票")),
        "{got}"
    );
}

/// Ten minutes before her shift the agent's PC reminds her, once, and until it starts the
/// header says she is off shift.
#[test]
fn an_agent_is_reminded_before_her_shift_once() {
    let pc = Desktop::start();
    shop(&pc, &["小美"]);
    cli(
        &pc,
        Some(MAIN),
        &["account", "add", "主管", "--role", "supervisor"],
    );
    // The app clock starts at 12:00: a shift at 12:05 is inside the reminder's window.
    let boss = Some("主管");
    cli(
        &pc,
        boss,
        &["schedule", "template", "午班", "12:05", "20:00"],
    );
    cli(
        &pc,
        boss,
        &["schedule", "assign", "小美", "2026-11-23", "午班"],
    );
    cli(&pc, boss, &["schedule", "publish"]);

    let told = NotifyMonitor::start(&pc);
    let app = App::launch(&pc, "schedule-reminder");
    app.steps(|app| {
        sign_in(app, "小美");
        app.wait_js(
            "不在班 in the header",
            "const d = document.getElementById('duty'); return !d.hidden && d.textContent === '不在班'",
        );
    });
    let reminder = "10 分钟后上班：午班";
    wait_for(Duration::from_secs(30), "the shift reminder", || {
        told.text().contains(reminder).then_some(())
    });
    // Two more beats of her PC (every 15 s) run the reminder step again: still one.
    let last_seen = || {
        let team = cli(&pc, Some(MAIN), &["team"]);
        team.as_array()
            .and_then(|t| t.iter().find(|m| m["name"] == "小美"))
            .and_then(|m| m["last_seen"].as_str().map(str::to_owned))
            .and_then(|t| chrono::DateTime::parse_from_rfc3339(&t).ok())
            .expect("小美 has beaten")
    };
    let seen = last_seen();
    wait_for(Duration::from_secs(45), "two more beats", || {
        (last_seen() - seen >= chrono::Duration::seconds(30)).then_some(())
    });
    assert_eq!(told.text().matches(reminder).count(), 1, "{}", told.text());
}
