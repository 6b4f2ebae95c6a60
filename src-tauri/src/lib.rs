//! The Kefu Desk app: a thin Tauri shell (window, tray, notifications, settings) and the
//! command line, both over `Desk`.

mod chasing;
pub mod cli;
pub mod clock;
pub mod commands;
pub mod desk;
pub mod error;
pub mod events;
mod presence;
mod screen_lock;
pub use kefu_settings as settings;
mod signin;
mod tray;
mod watch;

use std::process::ExitCode;

use serde_json::Value;
use tauri::{Manager, Runtime, WindowEvent};

use crate::desk::Desk;
use crate::error::{Error, Result};
use crate::settings::Settings;

/// What the commands reach through `State`. Opening the database can fail (a bad path in
/// the settings, a disk that went away); the window still opens and says why.
///
/// The database opens in the background while the window's page loads: on a big shop's
/// database, cold, opening takes about half a second, and done inside `setup` it held the
/// page back by as much (the main thread runs the webview only after `setup`). Whoever
/// needs the desk first waits for the one opening.
pub struct Workbench {
    desk: tokio::sync::OnceCell<Result<Desk>>,
    /// What to open, taken by the one opening.
    settings: std::sync::Mutex<Option<Result<Settings>>>,
    /// Set by `cancel_import`; the running import checks it between steps.
    pub cancel_import: std::sync::atomic::AtomicBool,
    /// Wakes the payment-chase loop after orders change (see `events`).
    pub wake: tokio::sync::Notify,
}

impl Workbench {
    /// A workbench over a desk already opened (or that failed to open).
    pub fn new(desk: Result<Desk>) -> Workbench {
        Workbench::with(tokio::sync::OnceCell::new_with(Some(desk)), None)
    }

    /// A workbench whose desk opens from `settings` when first asked for.
    pub fn opening(settings: Result<Settings>) -> Workbench {
        Workbench::with(tokio::sync::OnceCell::new(), Some(settings))
    }

    fn with(
        desk: tokio::sync::OnceCell<Result<Desk>>,
        settings: Option<Result<Settings>>,
    ) -> Workbench {
        Workbench {
            desk,
            settings: std::sync::Mutex::new(settings),
            cancel_import: Default::default(),
            wake: tokio::sync::Notify::new(),
        }
    }

    /// The desk, once open; the first caller opens it, the others wait for that.
    pub async fn desk(&self) -> Result<&Desk> {
        let desk = self.desk.get_or_init(|| self.open()).await;
        desk.as_ref().map_err(|e| Error::NotOpen {
            code: e.code(),
            message: e.to_string(),
        })
    }

    async fn open(&self) -> Result<Desk> {
        // A poisoned lock only means a panic elsewhere held it; the value is still whole.
        let settings = match self.settings.lock() {
            Ok(mut s) => s.take(),
            Err(poisoned) => poisoned.into_inner().take(),
        };
        let opened = match settings {
            Some(Ok(s)) => match s.database(None) {
                Ok(url) => Desk::open(&url, &s).await,
                Err(e) => Err(e.into()),
            },
            Some(Err(e)) => Err(e),
            // Only if an earlier opening was dropped half-way (the runtime shutting down).
            None => Err(Error::Internal(
                "the database's opening was interrupted".into(),
            )),
        };
        if let Err(e) = &opened {
            eprintln!("kefu-desk: {e}");
        }
        opened
    }
}

/// The entry point of the binary: the command line when asked for, else the window.
pub fn main() -> ExitCode {
    let args: Vec<String> = std::env::args().skip(1).collect();
    if cli::wants_cli(&args) {
        return cli::run(&args);
    }
    light_webkit();
    match run_app(tauri::Builder::default()) {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("kefu-desk: {e}");
            ExitCode::FAILURE
        }
    }
}

/// The workbench is a flat page of text and lists: WebKit's accelerated compositing buys
/// it nothing and costs the web process about 85 MB (launch bench: 205 → 119 MB). Set
/// before any thread or webview exists; `KEFU_COMPOSITING=1`, or the variable already set,
/// leaves WebKit as it is.
fn light_webkit() {
    const VAR: &str = "WEBKIT_DISABLE_COMPOSITING_MODE";
    if std::env::var_os(VAR).is_none() && std::env::var_os("KEFU_COMPOSITING").is_none() {
        std::env::set_var(VAR, "1");
    }
}

/// The commands and their handler, shared by the real app and the mock-runtime tests.
pub fn with_commands<R: Runtime>(builder: tauri::Builder<R>) -> tauri::Builder<R> {
    builder.invoke_handler(tauri::generate_handler![
        commands::words,
        commands::overview,
        commands::list_buyers,
        commands::buyer_detail,
        commands::search,
        commands::load_demo,
        commands::save_note,
        commands::import_files,
        commands::cancel_import,
        commands::pick_export_files,
        commands::get_settings,
        commands::save_settings,
        commands::agenda,
        commands::agenda_counts,
        commands::buyer_followups,
        commands::snooze_followup,
        commands::done_followup,
        commands::add_followup,
        commands::sign_in,
        commands::account,
        commands::team,
        commands::create_account,
        commands::set_state,
        commands::new_inquiry,
        commands::transfer,
        commands::close_conversation,
        commands::conversations,
        commands::greet,
        commands::shift_templates,
        commands::schedule_week,
        commands::my_shifts,
        commands::set_shift,
        commands::copy_last_week,
        commands::suggest_week,
        commands::publish_week,
        commands::handover_plan,
        commands::hand_over,
        commands::handovers_received,
        commands::adherence,
        commands::save_peak_day,
        commands::remove_peak_day,
        commands::set_time_off,
        commands::save_shift_template,
        commands::phrase_sets,
        commands::find_phrases,
        commands::copy_phrases,
        commands::edit_phrases,
        commands::pick_phrase_file,
        commands::import_phrases,
        commands::export_phrases,
        commands::kpi,
        commands::export_kpi,
    ])
}

pub fn run_app<R: Runtime>(builder: tauri::Builder<R>) -> tauri::Result<()> {
    let builder = builder
        // First, so a second launch only raises the running window.
        .plugin(tauri_plugin_single_instance::init(|app, _args, _cwd| {
            tray::show_main(app)
        }))
        .plugin(tauri_plugin_notification::init())
        .plugin(tauri_plugin_dialog::init())
        .plugin(tauri_plugin_clipboard_manager::init())
        .setup(|app| {
            app.manage(Workbench::opening(load_settings()));
            let handle = app.handle().clone();
            tauri::async_runtime::spawn(async move {
                // Start opening now; the commands and loops below wait for it.
                let _ = handle.state::<Workbench>().desk().await;
            });
            tray::create(app.handle())?;
            chasing::start(app.handle().clone());
            presence::start(app.handle().clone());
            watch::start(app.handle().clone());
            screen_lock::start(app.handle().clone());
            Ok(())
        })
        .on_window_event(|window, event| {
            // Closing the window hides it: the app keeps chasing payments from the tray.
            if let WindowEvent::CloseRequested { api, .. } = event {
                if window.hide().is_ok() {
                    api.prevent_close();
                }
            }
        });
    with_commands(builder).run(tauri::generate_context!())
}

/// The settings file (settings.json in the app-data folder), checked before anything uses
/// it: a broken file is reported with its path and line, never replaced.
pub(crate) fn load_settings() -> Result<Settings> {
    Ok(Settings::load(&settings::settings_path()?)?)
}

/// Checks a settings object as a whole (naming the field that is wrong), then writes the
/// file whole. Nothing is written when any field is rejected.
pub(crate) fn save_settings(value: Value) -> Result<Settings> {
    let settings = Settings::from_json(&value.to_string()).map_err(Error::Settings)?;
    settings.save(&settings::settings_path()?)?;
    Ok(settings)
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;
    use tauri::ipc::{CallbackFn, InvokeBody};
    use tauri::test::{get_ipc_response, mock_builder, mock_context, noop_assets, INVOKE_KEY};
    use tauri::webview::InvokeRequest;

    fn invoke(
        webview: &tauri::WebviewWindow<tauri::test::MockRuntime>,
        cmd: &str,
        args: Value,
    ) -> std::result::Result<Value, Value> {
        get_ipc_response(
            webview,
            InvokeRequest {
                cmd: cmd.into(),
                callback: CallbackFn(0),
                error: CallbackFn(1),
                url: "tauri://localhost".parse().expect("a URL"),
                body: InvokeBody::Json(args),
                headers: Default::default(),
                invoke_key: INVOKE_KEY.to_string(),
            },
        )
        .map(|b| b.deserialize::<Value>().expect("JSON"))
    }

    /// The app's commands on the mock runtime, with one window to call them from.
    fn mock_window(
        wb: Workbench,
    ) -> (
        tauri::App<tauri::test::MockRuntime>,
        tauri::WebviewWindow<tauri::test::MockRuntime>,
    ) {
        let app = with_commands(mock_builder())
            .manage(wb)
            .build(mock_context(noop_assets()))
            .expect("mock app");
        let webview = tauri::WebviewWindowBuilder::new(&app, "main", Default::default())
            .build()
            .expect("webview");
        (app, webview)
    }

    #[test]
    fn an_agent_cannot_call_a_supervisor_command_over_ipc() {
        let dir = tempfile::tempdir().expect("temp dir");
        let url = kefu_db::DbUrl::from_path(&dir.path().join("desk.db"));
        let desk =
            tauri::async_runtime::block_on(Desk::open(&url, &Settings::default())).expect("desk");
        let now = crate::clock::now();
        tauri::async_runtime::block_on(async {
            let _main = desk
                .create_account("云朵旗舰店", "main", "main-pass-1", 8, 1, now)
                .await
                .expect("main");
            desk.authenticate("云朵旗舰店", "main-pass-1", now)
                .await
                .expect("sign in");
            let _agent = desk
                .create_account("小美", "agent", "xiaomei-pass", 8, 1, now)
                .await
                .expect("agent");
        });
        let (_app, webview) = mock_window(Workbench::new(Ok(desk)));
        let err = invoke(
            &webview,
            "sign_in",
            json!({"name": "小美", "password": "wrong-pass"}),
        )
        .expect_err("a wrong password");
        assert_eq!(err["code"], json!("sign_in"));
        let me = invoke(
            &webview,
            "sign_in",
            json!({"name": "小美", "password": "xiaomei-pass"}),
        )
        .expect("sign in");
        assert_eq!(
            (me["role"].clone(), me["state"].clone()),
            (json!("agent"), json!("online"))
        );
        let err = invoke(
            &webview,
            "create_account",
            json!({"name": "小新", "role": "supervisor", "password": "xinxin-pass", "maxLoad": 8, "weight": 1}),
        )
        .expect_err("an agent adds no accounts");
        assert_eq!(err["code"], json!("forbidden"), "{err}");
        let err = invoke(
            &webview,
            "set_state",
            json!({"target": "云朵旗舰店", "state": "offline"}),
        )
        .expect_err("an agent sets no one else's state");
        assert_eq!(err["code"], json!("forbidden"), "{err}");
        let team = invoke(&webview, "team", json!({})).expect("team");
        assert_eq!(team.as_array().map(Vec::len), Some(2), "nothing was added");
        invoke(&webview, "set_state", json!({"state": "suspended"})).expect("own state");
    }

    #[test]
    fn over_ipc_an_agent_edits_its_own_phrases_and_reads_its_own_kpis() {
        let dir = tempfile::tempdir().expect("temp dir");
        let url = kefu_db::DbUrl::from_path(&dir.path().join("desk.db"));
        let desk =
            tauri::async_runtime::block_on(Desk::open(&url, &Settings::default())).expect("desk");
        let now = crate::clock::now();
        tauri::async_runtime::block_on(async {
            let _main = desk
                .create_account("云朵旗舰店", "main", "main-pass-1", 8, 1, now)
                .await
                .expect("main");
            desk.authenticate("云朵旗舰店", "main-pass-1", now)
                .await
                .expect("sign in");
            let _agent = desk
                .create_account("小美", "agent", "xiaomei-pass", 8, 1, now)
                .await
                .expect("agent");
        });
        let (_app, webview) = mock_window(Workbench::new(Ok(desk)));
        invoke(
            &webview,
            "sign_in",
            json!({"name": "小美", "password": "xiaomei-pass"}),
        )
        .expect("sign in");
        let sets = invoke(&webview, "phrase_sets", json!({})).expect("phrase_sets");
        assert_eq!(sets["may_edit_shop"], json!(false));
        let shop_version = sets["shop"]["version"].clone();
        let phrase =
            json!({"group": "物流", "code": "wl", "text": "<img src=x onerror=alert(1)> {买家}"});
        let err = invoke(
            &webview,
            "edit_phrases",
            json!({"set": "shop", "version": shop_version, "edit": {"op": "add", "phrase": phrase}}),
        )
        .expect_err("an agent edits no shop phrase");
        assert_eq!(err["code"], json!("forbidden"), "{err}");
        let err = invoke(
            &webview,
            "edit_phrases",
            json!({"set": "shop", "version": shop_version, "edit": {"op": "delete", "at": 0}}),
        )
        .expect_err("nor deletes one");
        assert_eq!(err["code"], json!("forbidden"), "{err}");
        let mine = invoke(
            &webview,
            "edit_phrases",
            json!({"set": "personal", "version": 0, "edit": {"op": "add", "phrase": phrase}}),
        )
        .expect("its own set");
        assert_eq!(mine["phrases"][0]["code"], json!("wl"));
        let sets = invoke(&webview, "phrase_sets", json!({})).expect("phrase_sets");
        assert_eq!(
            sets["shop"]["version"], shop_version,
            "the shop's set is as it was"
        );
        let err = invoke(
            &webview,
            "edit_phrases",
            json!({"set": "personal", "version": 0, "edit": {"op": "up", "at": 0}}),
        )
        .expect_err("an edit of a set read before it changed");
        assert_eq!(err["code"], json!("conflict"), "{err}");
        // 绩效: an agent reads its own figures, never the team's.
        let own = invoke(
            &webview,
            "kpi",
            json!({"from": "2026-11-20", "to": "2026-11-26", "byDay": true}),
        )
        .expect("its own figures");
        let agents: Vec<&String> = own["agents"].as_object().expect("agents").keys().collect();
        assert_eq!(agents, ["小美"], "{own}");
        assert_eq!(
            (&own["team"], &own["silent_sales"]),
            (&Value::Null, &Value::Null)
        );
        assert!(own["days"]
            .as_array()
            .expect("days")
            .iter()
            .all(|d| d["agent"] == "小美"));
        let err = invoke(
            &webview,
            "kpi",
            json!({"from": "2026-11-26", "to": "2026-11-20", "byDay": false}),
        )
        .expect_err("a period that ends before it starts");
        assert_eq!(err["code"], json!("invalid"), "{err}");
        let hits = invoke(&webview, "find_phrases", json!({"query": "wl"})).expect("find");
        assert_eq!(hits[0]["code"], json!("wl"));
        assert_eq!(hits[0]["missing"]["vars"], json!(["买家"]), "{hits}");
        let err = invoke(
            &webview,
            "edit_phrases",
            json!({"set": "everyone", "version": 0, "edit": {"op": "delete", "at": 0}}),
        )
        .expect_err("no such set");
        assert_eq!(err["code"], json!("usage"), "{err}");
    }

    #[test]
    fn commands_over_ipc_load_the_demo_and_report_errors_as_code_and_message() {
        let dir = tempfile::tempdir().expect("temp dir");
        let url = kefu_db::DbUrl::from_path(&dir.path().join("desk.db"));
        let desk = tauri::async_runtime::block_on(Desk::open(&url, &Settings::default()));
        let (_app, webview) = mock_window(Workbench::new(desk));

        let o = invoke(&webview, "overview", json!({})).expect("overview");
        assert_eq!(o["empty"], json!(true));
        let applied = invoke(&webview, "load_demo", json!({})).expect("load_demo");
        assert_eq!(applied["new"], json!(52));
        let o = invoke(&webview, "overview", json!({})).expect("overview");
        assert_eq!(
            o["counts"],
            json!({"inquiry": 6, "order": 20, "shipped": 12, "closed": 10})
        );
        // The badge's counts, read without the lists, are the agenda's own.
        let agenda = invoke(&webview, "agenda", json!({})).expect("agenda");
        let counted = invoke(&webview, "agenda_counts", json!({})).expect("agenda_counts");
        assert_eq!(counted["counts"], agenda["counts"]);
        assert!(counted["at"].is_string(), "{counted}");
        let again =
            invoke(&webview, "load_demo", json!({})).expect_err("demo only into an empty database");
        assert_eq!(again["code"], json!("usage"));

        let list = invoke(
            &webview,
            "list_buyers",
            json!({"group": "shipped", "offset": 0, "limit": 5}),
        )
        .expect("list");
        assert_eq!(list.as_array().map(Vec::len), Some(5));
        let err = invoke(
            &webview,
            "list_buyers",
            json!({"group": "<script>", "offset": 0, "limit": 5}),
        )
        .expect_err("bad group");
        assert_eq!(err["code"], json!("usage"));
        assert!(err["message"]
            .as_str()
            .unwrap_or_default()
            .contains("group"));
        let err = invoke(&webview, "buyer_detail", json!({"nick": ""})).expect_err("empty nick");
        assert_eq!(err["code"], json!("invalid"));
        let err =
            invoke(&webview, "buyer_detail", json!({"nick": "nobody"})).expect_err("unknown nick");
        assert_eq!(err["code"], json!("not_found"));
        let err = invoke(&webview, "list_buyers", json!({"group": "order"}))
            .expect_err("missing arguments");
        assert!(err.as_str().unwrap_or_default().contains("offset"), "{err}");
    }

    #[test]
    fn the_desk_opens_once_in_the_background_and_every_caller_gets_it() {
        let dir = tempfile::tempdir().expect("temp dir");
        let settings = Settings {
            db_url: dir.path().join("desk.db").display().to_string(),
            ..Settings::default()
        };
        let wb = Workbench::opening(Ok(settings));
        tauri::async_runtime::block_on(async {
            let (a, b) = tokio::join!(wb.desk(), wb.desk());
            let (a, b) = (a.expect("open"), b.expect("open"));
            assert!(std::ptr::eq(a, b), "one desk, opened once");
            assert!(a.overview().await.expect("overview").empty);
        });
        let broken = Workbench::opening(Err(Error::Settings("settings.json: line 3".into())));
        let err = tauri::async_runtime::block_on(broken.desk()).expect_err("no desk");
        assert_eq!(err.code(), "settings");
        assert!(err.to_string().contains("line 3"), "{err}");
    }

    #[test]
    fn a_database_that_cannot_open_is_reported_not_a_crash() {
        let (_app, webview) = mock_window(Workbench::new(Err(Error::Db(
            kefu_db::Error::Unavailable("disk gone".into()),
        ))));
        let err = invoke(&webview, "overview", json!({})).expect_err("no database");
        assert_eq!(err["code"], json!("unavailable"));
    }
}
