//! The Kefu Desk app: a thin Tauri shell (window, tray, notifications, settings) and the
//! command line, both over `Desk`.

pub mod cli;
pub mod commands;
pub mod desk;
pub mod error;
pub mod settings;
mod tray;

use std::process::ExitCode;

use serde_json::Value;
use tauri::{Manager, Runtime, WindowEvent};
use tauri_plugin_store::StoreExt;

use crate::desk::Desk;
use crate::error::{Error, Result};
use crate::settings::Settings;

/// What the commands reach through `State`. Opening the database can fail (a bad path in
/// the settings, a disk that went away); the window still opens and says why.
pub struct Workbench {
    desk: std::result::Result<Desk, String>,
}

impl Workbench {
    pub fn new(desk: Result<Desk>) -> Workbench {
        Workbench {
            desk: desk.map_err(|e| e.to_string()),
        }
    }

    pub fn desk(&self) -> Result<&Desk> {
        self.desk
            .as_ref()
            .map_err(|e| Error::Unavailable(e.clone()))
    }
}

/// The entry point of the binary: the command line when asked for, else the window.
pub fn main() -> ExitCode {
    let args: Vec<String> = std::env::args().skip(1).collect();
    if cli::wants_cli(&args) {
        return cli::run(&args);
    }
    match run_app(tauri::Builder::default()) {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("kefu-desk: {e}");
            ExitCode::FAILURE
        }
    }
}

/// The commands and their handler, shared by the real app and the mock-runtime tests.
pub fn with_commands<R: Runtime>(builder: tauri::Builder<R>) -> tauri::Builder<R> {
    builder.invoke_handler(tauri::generate_handler![
        commands::overview,
        commands::list_buyers,
        commands::buyer_detail,
        commands::search,
        commands::load_demo,
        commands::set_note,
        commands::set_tags,
    ])
}

pub fn run_app<R: Runtime>(builder: tauri::Builder<R>) -> tauri::Result<()> {
    let builder = builder
        // First, so a second launch only raises the running window.
        .plugin(tauri_plugin_single_instance::init(|app, _args, _cwd| {
            tray::show_main(app)
        }))
        .plugin(tauri_plugin_notification::init())
        .plugin(tauri_plugin_store::Builder::default().build())
        .setup(|app| {
            let settings = load_settings(app.handle());
            let desk = settings.and_then(|s| {
                let url = s.database(None)?;
                tauri::async_runtime::block_on(Desk::open(&url, &s))
            });
            if let Err(e) = &desk {
                eprintln!("kefu-desk: {e}");
            }
            app.manage(Workbench::new(desk));
            tray::create(app.handle())?;
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

/// Settings come from the store (settings.json in the app-data folder). A broken file is
/// reported, never replaced.
fn load_settings<R: Runtime>(app: &tauri::AppHandle<R>) -> Result<Settings> {
    let store = app
        .store(settings::STORE_FILE)
        .map_err(|e| Error::Settings(format!("{}: {e}", settings::STORE_FILE)))?;
    let object: serde_json::Map<String, Value> = store.entries().into_iter().collect();
    Settings::from_json(&Value::Object(object).to_string())
        .map_err(|e| Error::Settings(format!("{}: {e}", settings::STORE_FILE)))
}
