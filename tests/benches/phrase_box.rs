//! Phrase box bench: the real window on a shop with 5,000 phrases, a buyer open; each query
//! is typed into the box as the page sees a keystroke (an `input` event), and the time to
//! the ranked, filled phrases on screen (the box's `kefu:phrases-shown` mark, then the next
//! frame) is read in the page. p50 and p99 over 200 keystrokes, against one frame (16.7 ms).
//! The release build when it is there (as the launch bench builds it), else the debug build.
//!
//! cargo build --release -p kefu-desk --features custom-protocol && cargo bench -p kefu-tests --bench phrase_box

use kefu_tests::{app_binary, workspace_root, App, Desktop};

const QUERIES: &[&str] = &[
    "c", "cf", "cfg", "y", "yj", "hy", "th", "亲", "发票", "tk2", "qfh", "js", "zx", "x", "退",
];

fn main() {
    let desktop = Desktop::start();
    desktop.cli_json(&["demo"]);
    let file = desktop.home.path().join("phrases.csv");
    let mut csv = String::from("分组,快捷编码,短语内容\n");
    for i in 0..5_000 {
        csv.push_str(&format!(
            "分组{},k{i},亲，{{买家}}，您的订单 {{订单号}} 我们已经收到了，第{i}条回复，请放心～\n",
            i % 40
        ));
    }
    std::fs::write(&file, csv).expect("write the phrase file");
    desktop.cli_json(&[
        "phrases",
        "import",
        file.to_str().expect("a path"),
        "--merge",
        "keep",
    ]);
    let release = workspace_root().join("target/release/kefu-desk");
    let binary = if release.exists() {
        release
    } else {
        app_binary()
    };
    println!("binary: {}", binary.display());
    let app = App::launch_binary(&desktop, "phrase_box", &binary);
    app.wait_js("the workbench", "return document.body.dataset.ready === '1' && document.querySelectorAll('#buyer-rows .row').length > 0");
    app.click("button[data-group=order]");
    app.click("#buyer-rows .row[data-index='0']");
    app.wait_js(
        "the buyer panel",
        "return document.querySelector('.order') !== null",
    );
    app.type_keys("#buyer-list", "p");
    app.wait_js(
        "the phrase box",
        "return document.activeElement.id === 'phrase-query'",
    );
    let times = app.js_async(&format!(
        "const done = arguments[arguments.length - 1]; const queries = {}; const box = document.getElementById('phrase-query'); \
         const out = []; let i = 0; \
         const next = () => {{ if (i >= 200) {{ done(out); return; }} const q = queries[i++ % queries.length]; \
           performance.clearMarks('kefu:phrases-shown'); const t0 = performance.now(); box.value = q; \
           box.dispatchEvent(new Event('input')); \
           const wait = () => {{ if (performance.getEntriesByName('kefu:phrases-shown').length) \
             requestAnimationFrame(() => {{ out.push(performance.now() - t0); setTimeout(next, 5); }}); else setTimeout(wait, 0); }}; wait(); }}; \
         next();",
        serde_json::to_string(QUERIES).expect("json")
    ));
    // The core's answer alone, through IPC, for the same queries and buyer.
    let ipc = app.js_async(&format!(
        "const done = arguments[arguments.length - 1]; const queries = {}; const out = []; \
         const buyer = document.querySelector('.buyer-nick').textContent; const order = document.getElementById('phrase-order').value || null; \
         (async () => {{ for (let i = 0; i < 200; i++) {{ const t0 = performance.now(); \
           await window.__TAURI__.core.invoke('find_phrases', {{ query: queries[i % queries.length], buyer, order }}); \
           out.push(performance.now() - t0); }} done(out); }})();",
        serde_json::to_string(QUERIES).expect("json")
    ));
    let mut ipc_ms: Vec<f64> = ipc
        .as_array()
        .expect("times")
        .iter()
        .filter_map(|v| v.as_f64())
        .collect();
    ipc_ms.sort_by(f64::total_cmp);
    let mut ms: Vec<f64> = times
        .as_array()
        .expect("times")
        .iter()
        .filter_map(|v| v.as_f64())
        .collect();
    ms.sort_by(f64::total_cmp);
    let at = |p: f64| ms[((ms.len() as f64 - 1.0) * p).round() as usize];
    let ipc_at = |p: f64| ipc_ms[((ipc_ms.len() as f64 - 1.0) * p).round() as usize];
    println!(
        "find_phrases over IPC alone: p50 {:.1} ms, p99 {:.1} ms",
        ipc_at(0.5),
        ipc_at(0.99)
    );
    println!(
        "phrase box, 5,000 phrases, {} keystrokes: p50 {:.1} ms, p99 {:.1} ms, max {:.1} ms (one frame: 16.7 ms)",
        ms.len(),
        at(0.5),
        at(0.99),
        ms.last().copied().unwrap_or_default()
    );
}
