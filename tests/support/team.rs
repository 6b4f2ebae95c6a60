//! Team stories: accounts and sign-in through the app's own command line and window, and a
//! PostgreSQL server of a test's own that it can stop and start again (`OwnServer`, shared
//! with the storage tests).

use serde_json::Value;

pub use kefu_db::OwnServer;

use crate::{app_binary, App, Desktop};

/// Every account's password in team stories.
pub const PASSWORD: &str = "kefu-2026-pass";

/// Runs the app's command line on `desktop`, signed in as `as_` (or as nobody), and parses
/// its JSON; fails the test when the command fails.
pub fn cli(desktop: &Desktop, as_: Option<&str>, args: &[&str]) -> Value {
    let mut c = desktop.command(app_binary());
    c.args(args)
        .arg("--json")
        .env("KEFU_PASSWORD", PASSWORD)
        .env("KEFU_NEW_PASSWORD", PASSWORD);
    if let Some(name) = as_ {
        c.args(["--as", name]);
    }
    let out = c.output().expect("the app binary runs");
    assert!(
        out.status.success(),
        "{args:?}: {}",
        String::from_utf8_lossy(&out.stdout)
    );
    serde_json::from_slice(&out.stdout).expect("JSON")
}

/// The shop's main account in team stories.
pub const MAIN: &str = "云朵旗舰店";

/// The shop every team story starts from, set up through the command line on `desktop`'s
/// database: the main account `MAIN` and these agents.
pub fn shop(desktop: &Desktop, agents: &[&str]) {
    cli(desktop, None, &["account", "add", MAIN, "--role", "main"]);
    for name in agents {
        cli(
            desktop,
            Some(MAIN),
            &["account", "add", name, "--role", "agent"],
        );
    }
}

/// Signs the window in as `name`, as the agent would (the sign-in form).
pub fn sign_in(app: &App, name: &str) {
    app.wait_js(
        "the workbench to start",
        "return document.body.dataset.ready === '1'",
    );
    // The shop has no buyers yet, so the window offers the demo shop; not now.
    app.js("document.getElementById('welcome').hidden = true; return true");
    app.click("#sign-in");
    app.js(&format!(
        "document.getElementById('sign-in-name').value = {}; document.getElementById('sign-in-password').value = {}; document.getElementById('sign-in-form').requestSubmit(); return true",
        serde_json::to_string(name).expect("json"),
        serde_json::to_string(PASSWORD).expect("json"),
    ));
    app.wait_js(
        "signed in",
        &format!(
            "return document.getElementById('sign-in').textContent.startsWith({})",
            serde_json::to_string(name).expect("json")
        ),
    );
}
