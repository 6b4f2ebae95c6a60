//! The tray icon: the app keeps running there when the window is closed.

use tauri::menu::{Menu, MenuItem, PredefinedMenuItem};
use tauri::tray::{MouseButton, MouseButtonState, TrayIcon, TrayIconBuilder, TrayIconEvent};
use tauri::{AppHandle, Manager, Runtime};

use crate::desk::Change;
use crate::events;

pub const TRAY_ID: &str = "kefu-tray";

pub fn create<R: Runtime>(app: &AppHandle<R>) -> tauri::Result<TrayIcon<R>> {
    let open = MenuItem::with_id(app, "open", "打开工作台", true, None::<&str>)?;
    let pause = MenuItem::with_id(app, "pause", "暂停提醒 30 分钟", true, None::<&str>)?;
    let online = MenuItem::with_id(app, "state-online", "在线", true, None::<&str>)?;
    let suspended = MenuItem::with_id(
        app,
        "state-suspended",
        "挂起（不接新买家）",
        true,
        None::<&str>,
    )?;
    let offline = MenuItem::with_id(app, "state-offline", "离线", true, None::<&str>)?;
    let quit = MenuItem::with_id(app, "quit", "退出客服工作台", true, None::<&str>)?;
    let menu = Menu::with_items(
        app,
        &[
            &open,
            &pause,
            &PredefinedMenuItem::separator(app)?,
            &online,
            &suspended,
            &offline,
            &PredefinedMenuItem::separator(app)?,
            &quit,
        ],
    )?;
    let mut builder = TrayIconBuilder::with_id(TRAY_ID)
        .tooltip("客服工作台")
        .menu(&menu)
        .show_menu_on_left_click(false)
        .on_menu_event(|app, event| match event.id.as_ref() {
            "open" => show_main(app),
            "pause" => {
                crate::chasing::pause(30);
                events::tell(app, &[Change::Paused]);
            }
            id if id.starts_with("state-") => set_state(app, id.trim_start_matches("state-")),
            "quit" => app.exit(0),
            _ => {}
        })
        .on_tray_icon_event(|tray, event| {
            if let TrayIconEvent::Click {
                button: MouseButton::Left,
                button_state: MouseButtonState::Up,
                ..
            } = event
            {
                show_main(tray.app_handle());
            }
        });
    if let Some(icon) = app.default_window_icon() {
        builder = builder.icon(icon.clone());
    }
    builder.build(app)
}

pub fn show_main<R: Runtime>(app: &AppHandle<R>) {
    if let Some(w) = app.get_webview_window("main") {
        // Failing to raise the window leaves it where it was; nothing to recover.
        let _ = w.show();
        let _ = w.unminimize();
        let _ = w.set_focus();
    }
}

/// The signed-in account's state from the tray, as from the header.
fn set_state<R: Runtime>(app: &AppHandle<R>, state: &str) {
    let app = app.clone();
    let state = state.to_owned();
    tauri::async_runtime::spawn(async move {
        let wb = app.state::<crate::Workbench>();
        let Ok(desk) = wb.desk().await else { return };
        match desk.set_state(None, &state, crate::clock::now()).await {
            Ok(changed) => {
                events::publish(&app, changed);
            }
            Err(e) => {
                // Not signed in, or refused: the window says why when opened.
                eprintln!("kefu-desk: state from the tray: {e}");
                show_main(&app);
            }
        }
    });
}

/// Shows the number of due follow-ups in the tray tooltip and title.
pub fn set_due<R: Runtime>(app: &AppHandle<R>, pending: i64) {
    if let Some(tray) = app.tray_by_id(TRAY_ID) {
        let text = if pending == 0 {
            "客服工作台".to_owned()
        } else {
            format!("客服工作台 · {pending} 条待办到期")
        };
        let _ = tray.set_tooltip(Some(&text));
        let _ = tray.set_title(Some(&pending.to_string()));
    }
}
