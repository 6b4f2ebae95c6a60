//! The agenda (待办) in the real window: it shows what the database plans, a follow-up is
//! done from the buyer panel, and a promised answer added by hand (with hostile text in
//! its note) lands on the agenda as text.

use kefu_tests::{App, Desktop};
use serde_json::Value;

fn open_ids(agenda: &Value) -> Vec<i64> {
    ["overdue", "due", "upcoming"]
        .iter()
        .flat_map(|l| agenda[*l].as_array().cloned().unwrap_or_default())
        .filter_map(|f| f["id"].as_i64())
        .collect()
}

#[test]
fn agenda_lists_the_plan_and_done_and_by_hand_work() {
    let desktop = Desktop::start();
    desktop.cli_json(&["demo"]);
    let planned = desktop.cli_json(&["followups"]);
    let due_now = planned["overdue"].as_array().map_or(0, Vec::len)
        + planned["due"].as_array().map_or(0, Vec::len);
    assert!(due_now >= 12, "at least the 12 first chases: {planned}");
    // Chases lead the list, overdue or due, most urgent first.
    let first = ["overdue", "due"]
        .iter()
        .flat_map(|l| planned[*l].as_array().cloned().unwrap_or_default())
        .filter(|f| f["kind"] == "chase")
        .min_by_key(|f| f["expires_at"].as_str().unwrap_or_default().to_owned())
        .expect("a due chase");

    let app = App::launch(&desktop, "agenda");
    app.steps(|app| {
        app.wait_js("the workbench to start", "return document.body.dataset.ready === '1'");
        assert_eq!(
            app.js("return document.getElementById('count-agenda').textContent"),
            Value::from(due_now.to_string()),
            "the 待办 count is what is overdue or due"
        );
        app.click("button[data-group=agenda]");
        let nick = first["nick"].as_str().expect("a nick");
        let expected = format!("{} · {nick}", first["label"].as_str().unwrap_or_default());
        // The most urgent first (the rows of the group shown before are replaced).
        app.wait_js(
            "the agenda list, most urgent first",
            &format!(
                "const r = document.querySelector('#buyer-rows .row[data-index=\"0\"] .nick'); return document.querySelector('.group.active').dataset.group === 'agenda' && r && r.textContent === {}",
                serde_json::to_string(&expected).expect("json")
            ),
        );

        app.click("#buyer-rows .row[data-index='0']");
        app.wait_js("the follow-up card", "return document.querySelector('#detail .followup')");
        let text = app.js("return document.querySelector('#detail .followup .fu-text').value");
        assert_eq!(text, first["text"], "the message ready to copy");
        app.click("#detail .followup [data-act=done]");
        let id = first["id"].as_i64().expect("an id");
        app.wait_js(
            "the done follow-up to leave the panel",
            &format!("return !document.querySelector('#detail .followup[data-id=\"{id}\"]')"),
        );
        assert!(!open_ids(&desktop.cli_json(&["followups"])).contains(&id), "done in the database");

        // A promised answer by hand, with buyer-supplied text in the note.
        let hostile = "<img src=x onerror=\"document.body.dataset.pwned=1\">尺码";
        app.js(&format!(
            "document.getElementById('by-hand-kind').value = 'promised_answer'; document.getElementById('by-hand-note').value = {}; document.querySelector('#detail .by-hand').requestSubmit(); return true",
            serde_json::to_string(hostile).expect("json")
        ));
        app.wait_js(
            "the promised answer in the panel",
            "return [...document.querySelectorAll('#detail .followup .fu-kind')].some(k => k.textContent === '承诺答复')",
        );
        assert_eq!(app.js("return document.querySelectorAll('#detail img').length"), Value::from(0));
        assert_eq!(app.js("return document.body.dataset.pwned || null"), Value::Null);
        let shown = app.js("return [...document.querySelectorAll('#detail .followup .fu-sub')].map(s => s.textContent).join('|')");
        assert!(shown.as_str().unwrap_or_default().contains(hostile), "{shown}");
        let agenda = desktop.cli_json(&["followups"]);
        let promised: Vec<&Value> = agenda["upcoming"]
            .as_array()
            .expect("upcoming")
            .iter()
            .filter(|f| f["kind"] == "promised_answer")
            .collect();
        assert_eq!(promised.len(), 1, "{agenda}");
        assert_eq!(promised[0]["note"], Value::from(hostile));
        assert_eq!(promised[0]["nick"], Value::from(nick));
        app.screenshot("agenda");
    });
}
