//! Importing through the real window: the shop's sample export lands in the right groups,
//! and hostile buyer text shows as text and never runs.

use std::path::PathBuf;

use kefu_tests::{workspace_root, App, Desktop};
use serde_json::{json, Value};

fn sample(name: &str) -> PathBuf {
    workspace_root().join("../shared/data").join(name)
}

#[test]
fn the_sample_export_imports_through_the_window() {
    let desktop = Desktop::start();
    let app = App::launch(&desktop, "import_sample");
    app.steps(|app| {
        app.wait_js("the workbench to start", "return document.body.dataset.ready === '1'");
        let files = json!([sample("ExportOrderList202611120930.csv"), sample("ExportOrderDetailList202611120930.csv")]);
        // The same function the window's drop handler and file dialog call.
        app.js(&format!("kefuTest.importFiles({files}, false); return true"));
        app.wait_js("the import summary", "return document.getElementById('import-title').textContent === '导入完成'");
        let summary = app.js("return document.getElementById('import-summary').textContent");
        assert!(summary.as_str().unwrap_or_default().contains("新增 240"), "{summary}");
        app.click("#import-close");
        // The window's clock starts eleven days after the export: every unpaid order of the
        // sample has passed its 72 h close by then (figures computed apart from the app, by a
        // script over the CSV with the 72 h rule and the group precedence).
        app.wait_js("the counts", "return document.getElementById('count-order').textContent === '29'");
        let counts = app.js("return ['inquiry','order','shipped','closed'].map(g => document.getElementById('count-' + g).textContent)");
        assert_eq!(counts, json!(["6", "29", "26", "14"]));
        assert_eq!(desktop.cli_json(&["groups"]), json!({"inquiry": 6, "order": 29, "shipped": 26, "closed": 14}));
        app.screenshot("imported");
    });
}

#[test]
fn hostile_buyer_text_is_shown_as_text_and_never_runs() {
    let desktop = Desktop::start();
    let csv = desktop.home.path().join("ExportOrderList_hostile.csv");
    let hostile = "<img src=x onerror=\"window.__pwned=1\">";
    std::fs::write(
        &csv,
        format!(
            "订单编号,买家会员名,总金额,订单状态,买家留言,收货地址,订单创建时间\n\
             4012345678900000001,\"<b onmouseover=alert(1)>坏人</b>\",10.00,等待买家付款,\"{}\",\"<script>window.__pwned=2</script>\",2026-11-23 10:00:00\n",
            hostile.replace('"', "\"\"")
        ),
    )
    .expect("write the hostile export");
    let app = App::launch(&desktop, "hostile_text");
    app.steps(|app| {
        app.wait_js("the workbench to start", "return document.body.dataset.ready === '1'");
        app.js(&format!("kefuTest.importFiles({}, false); return true", json!([csv])));
        app.wait_js("the import summary", "return document.getElementById('import-title').textContent === '导入完成'");
        app.click("#import-close");
        app.click("button[data-group=order]");
        app.wait_js("the hostile buyer's row", "return document.querySelectorAll('#buyer-rows .row').length === 1");
        app.click("#buyer-rows .row[data-index='0']");
        app.wait_js("the buyer panel", "return document.querySelector('.order') !== null");
        let nick = app.js("return document.querySelector('.buyer-nick').textContent");
        assert_eq!(nick, json!("<b onmouseover=alert(1)>坏人</b>"));
        let message = app.js("return [...document.querySelectorAll('.order dd')].map(d => d.textContent)");
        let shown: Vec<String> = serde_json::from_value(message).expect("texts");
        assert!(shown.iter().any(|t| t == hostile), "{shown:?}");
        assert!(shown.iter().any(|t| t == "<script>window.__pwned=2</script>"), "{shown:?}");
        assert_eq!(app.js("return document.querySelectorAll('#detail img, #detail script, #detail b, #buyer-rows b').length"), json!(0));
        // An image the page loads from the same address fails first: by then an injected
        // one would have failed too and run its handler.
        app.js_async(
            "const done = arguments[arguments.length - 1]; const probe = new Image(); \
             probe.onerror = () => done(true); probe.onload = () => done(true); probe.src = 'x';",
        );
        assert_eq!(app.js("return window.__pwned === undefined"), Value::Bool(true), "no buyer text ran");
        app.screenshot("hostile");
    });
}
