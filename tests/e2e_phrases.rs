//! Quick phrases in the real window: an agent finds a phrase by pinyin initials, the
//! clipboard (read back from the X display) holds it filled with the buyer's nick and
//! order number, phrases chain into one message, hostile phrase text shows as text; then,
//! as the shop's main account (a PC without accounts), edits, reorders and imports the
//! shop's phrases in 短语, checked through the command line.

use kefu_tests::{App, Desktop};
use serde_json::{json, Value};

const ENTER: &str = "\u{E007}";
const TAB: &str = "\u{E004}";
const SHIPPED: &str = "{买家}，您的订单 {订单号} 已经发货啦，请注意查收～";

fn clipboard(desktop: &Desktop) -> String {
    let out = desktop
        .command("xclip")
        .args(["-selection", "clipboard", "-o"])
        .output()
        .expect("xclip runs (src-tauri/scripts/setup.sh test installs it)");
    assert!(
        out.status.success(),
        "xclip: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8(out.stdout).expect("UTF-8 on the clipboard")
}

fn shop_phrases(desktop: &Desktop) -> Vec<(String, String, String)> {
    let book = desktop.cli_json(&["phrases", "list", "--set", "shop"]);
    book["phrases"]
        .as_array()
        .expect("phrases")
        .iter()
        .map(|p| {
            let s = |k: &str| p[k].as_str().unwrap_or_default().to_owned();
            (s("group"), s("code"), s("text"))
        })
        .collect()
}

#[test]
fn an_agent_copies_a_filled_phrase_and_the_main_account_keeps_the_shops_set() {
    let desktop = Desktop::start();
    desktop.cli_json(&["demo"]);
    desktop.cli_json(&[
        "phrases",
        "add",
        "--set",
        "personal",
        "--group",
        "物流",
        "--code",
        "fhtz",
        "--version",
        "0",
        SHIPPED,
    ]);
    let hostile = "<img src=x onerror=\"window.__pwned=1\">亲，在的";
    desktop.cli_json(&[
        "phrases",
        "add",
        "--group",
        "测试",
        "--code",
        "xss",
        "--version",
        "0",
        hostile,
    ]);
    let team_file = desktop.home.path().join("团队短语.csv");
    std::fs::write(
        &team_file,
        "分组,快捷编码,短语内容\n问候,hy,亲，欢迎光临！有什么可以帮您？\n物流,kd,亲，我们默认发中通快递，偏远地区发邮政哦。\n",
    )
    .expect("write the team's phrase file");

    let app = App::launch(&desktop, "phrases");
    app.steps(|app| {
        app.wait_js("the workbench to start", "return document.body.dataset.ready === '1'");
        app.click("button[data-group=order]");
        app.click("#buyer-rows .row[data-index='0']");
        app.wait_js("the buyer panel", "return document.querySelector('.order') !== null");
        let nick = app.js("return document.querySelector('.buyer-nick').textContent");
        let nick = nick.as_str().expect("a nick").to_owned();
        let buyer = desktop.cli_json(&["buyer", &nick]);
        let latest = buyer["orders"]
            .as_array()
            .expect("orders")
            .iter()
            .max_by_key(|o| o["created_at"].as_str().unwrap_or_default().to_owned())
            .and_then(|o| o["no"].as_str())
            .expect("the buyer's latest order")
            .to_owned();
        let filled = format!("{nick}，您的订单 {latest} 已经发货啦，请注意查收～");

        // p from the buyer panel; 已经发货 by its initials.
        app.type_keys("#buyer-list", "p");
        app.wait_js("the phrase box", "return !document.getElementById('phrase-panel').hidden && document.activeElement.id === 'phrase-query'");
        app.wait_js("the buyer's orders", "return document.getElementById('phrase-order').options.length > 0");
        app.type_keys("#phrase-query", "yjfh");
        app.wait_js("the phrase found by pinyin", "return document.querySelector('.ph-hit.selected .ph-code')?.textContent === 'fhtz'");
        assert_eq!(app.js("return document.querySelector('.ph-hit.selected .ph-text').textContent"), json!(filled));
        app.screenshot("phrase-box");
        app.type_keys("#phrase-query", ENTER);
        app.wait_js("the copy said", "return document.getElementById('status').textContent.includes('已复制')");
        assert_eq!(app.js("return document.getElementById('phrase-panel').hidden"), json!(true));
        assert_eq!(clipboard(&desktop), filled);

        // Two phrases chained: the closing line after the shipping note.
        app.type_keys("#buyer-list", "p");
        app.wait_js("the phrase box", "return document.activeElement.id === 'phrase-query'");
        app.type_keys("#phrase-query", "fhtz");
        app.wait_js("the code found", "return document.querySelector('.ph-hit.selected .ph-code')?.textContent === 'fhtz'");
        app.type_keys("#phrase-query", TAB);
        app.wait_js("the chain", "return document.querySelectorAll('#phrase-chain .ph-part').length === 1");
        app.type_keys("#phrase-query", "js");
        app.wait_js("the closing line", "return document.querySelector('.ph-hit.selected .ph-code')?.textContent === 'js'");
        app.type_keys("#phrase-query", ENTER);
        app.wait_js("the copy said", "return document.getElementById('status').textContent.includes('2 条短语')");
        assert_eq!(clipboard(&desktop), format!("{filled}\n亲，感谢您的光临，有任何问题随时找我们哦，祝您生活愉快～"));

        // Hostile phrase text is shown as text and never runs.
        app.type_keys("#buyer-list", "p");
        app.wait_js("the phrase box", "return document.activeElement.id === 'phrase-query'");
        app.type_keys("#phrase-query", "xss");
        app.wait_js("the hostile phrase", "return document.querySelector('.ph-hit.selected .ph-code')?.textContent === 'xss'");
        assert_eq!(app.js("return document.querySelector('.ph-hit.selected .ph-text').textContent"), json!(hostile));
        assert_eq!(app.js("return document.querySelectorAll('#phrase-panel img').length"), json!(0));
        app.type_keys("#phrase-query", "\u{E00C}");
        app.wait_js("the box closed", "return document.getElementById('phrase-panel').hidden");

        // 短语: the main account moves 在的 above the greeting and edits it.
        app.type_keys("#buyer-list", "8");
        app.wait_js("the shop's phrases", "return document.querySelectorAll('#phrases .ph-row').length > 20");
        let before = shop_phrases(&desktop);
        assert_eq!((before[0].1.as_str(), before[1].1.as_str()), ("hy", "zx"));
        app.click("#phrases .ph-row[data-index='1'] button[title^='上移']");
        app.wait_js("the move", "return document.querySelector(\"#phrases .ph-row[data-index='0'] .ph-code\").textContent === 'zx'");
        assert_eq!(shop_phrases(&desktop)[0].1, "zx");
        app.click("#phrases .ph-row[data-index='0'] button[title^='编辑']");
        app.wait_js("the edit form", "return document.getElementById('ph-edit-text') !== null");
        app.js("document.getElementById('ph-edit-text').value = ''; return true");
        app.type_keys("#ph-edit-text", "亲，在的哦～请问您看中的是哪一款？");
        app.type_keys("#ph-edit-text", "\u{E009}\u{E007}");
        app.wait_js("the edit saved", "return document.getElementById('ph-edit-text') === null");
        assert_eq!(shop_phrases(&desktop)[0], ("问候".into(), "zx".into(), "亲，在的哦～请问您看中的是哪一款？".into()));

        // The team's file: hy is the shop's already, so nothing is written until the
        // main account chooses; replacing takes the file's text.
        app.js(&format!("kefuTest.importPhrases({}); return true", json!(team_file)));
        app.wait_js("the duplicate reported", "return document.querySelector('.ph-import .problems li')?.textContent.includes('hy') ?? false");
        assert_eq!(shop_phrases(&desktop).len(), before.len(), "nothing imported yet");
        app.screenshot("phrase-import");
        app.js("[...document.querySelectorAll('.ph-import button')].find(b => b.textContent === '重复编码用文件替换').click(); return true");
        app.wait_js("the import done", "return document.querySelector('.ph-import') === null && document.getElementById('status').textContent.includes('已导入 1')");
        let after = shop_phrases(&desktop);
        assert_eq!(after.len(), before.len() + 1);
        assert!(after.contains(&("问候".into(), "hy".into(), "亲，欢迎光临！有什么可以帮您？".into())), "{after:?}");
        assert!(after.contains(&("物流".into(), "kd".into(), "亲，我们默认发中通快递，偏远地区发邮政哦。".into())), "{after:?}");
        assert_eq!(app.js("return window.__pwned === undefined"), Value::Bool(true), "no phrase text ran");
        app.screenshot("phrases");
    });
}
