//! The tray icon: the app keeps running there when the window is closed.

use tauri::menu::{Menu, MenuItem, PredefinedMenuItem};
use tauri::tray::{MouseButton, MouseButtonState, TrayIcon, TrayIconBuilder, TrayIconEvent};
use tauri::{AppHandle, Manager, Runtime};

pub const TRAY_ID: &str = "kefu-tray";

pub fn create<R: Runtime>(app: &AppHandle<R>) -> tauri::Result<TrayIcon<R>> {
    let open = MenuItem::with_id(app, "open", "打开工作台", true, None::<&str>)?;
    let quit = MenuItem::with_id(app, "quit", "退出客服工作台", true, None::<&str>)?;
    let menu = Menu::with_items(app, &[&open, &PredefinedMenuItem::separator(app)?, &quit])?;
    let mut builder = TrayIconBuilder::with_id(TRAY_ID)
        .tooltip("客服工作台")
        .menu(&menu)
        .show_menu_on_left_click(false)
        .on_menu_event(|app, event| match event.id.as_ref() {
            "open" => show_main(app),
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

/// Shows the number of payment chases pending in the tray tooltip.
pub fn set_due<R: Runtime>(app: &AppHandle<R>, pending: usize) {
    if let Some(tray) = app.tray_by_id(TRAY_ID) {
        let text = if pending == 0 {
            "客服工作台".to_owned()
        } else {
            format!("客服工作台 · {pending} 个催付待办")
        };
        let _ = tray.set_tooltip(Some(&text));
        let _ = tray.set_title(Some(&pending.to_string()));
    }
}
