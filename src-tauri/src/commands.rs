//! Tauri commands: each is one call into `Desk`. Arguments from the page are untrusted;
//! `Desk` and the core validate them.

use kefu_db::{Applied, BuyerDetail, BuyerSummary};
use tauri::{AppHandle, Emitter, Runtime, State};

use std::path::PathBuf;
use std::sync::atomic::Ordering;

use tauri_plugin_dialog::DialogExt;

use crate::desk::{ImportReport, Overview};
use crate::error::Result;
use crate::Workbench;

/// Emitted after any change to orders or buyers, so every view refreshes.
pub const CHANGED: &str = "desk://changed";

#[tauri::command]
pub async fn overview(wb: State<'_, Workbench>) -> Result<Overview> {
    wb.desk()?.overview().await
}

#[tauri::command]
pub async fn list_buyers(
    wb: State<'_, Workbench>,
    group: String,
    offset: i64,
    limit: i64,
) -> Result<Vec<BuyerSummary>> {
    wb.desk()?.buyers(&group, offset, limit).await
}

#[tauri::command]
pub async fn buyer_detail(wb: State<'_, Workbench>, nick: String) -> Result<BuyerDetail> {
    wb.desk()?.buyer(&nick).await
}

#[tauri::command]
pub async fn search(wb: State<'_, Workbench>, query: String) -> Result<Vec<BuyerSummary>> {
    wb.desk()?.search(&query).await
}

#[tauri::command]
pub async fn load_demo<R: Runtime>(app: AppHandle<R>, wb: State<'_, Workbench>) -> Result<Applied> {
    let applied = wb.desk()?.load_demo(crate::clock::now()).await?;
    wb.wake.notify_one();
    // The page listens for this; a failed emit only delays its refresh.
    let _ = app.emit(CHANGED, ());
    Ok(applied)
}

#[tauri::command]
pub async fn set_note(wb: State<'_, Workbench>, nick: String, note: String) -> Result<BuyerDetail> {
    wb.desk()?.set_note(&nick, &note, crate::clock::now()).await
}

#[tauri::command]
pub async fn set_tags(
    wb: State<'_, Workbench>,
    nick: String,
    tags: Vec<String>,
) -> Result<BuyerDetail> {
    wb.desk()?.set_tags(&nick, &tags, crate::clock::now()).await
}

/// Progress of the running import, as `ImportProgress`.
pub const IMPORT_PROGRESS: &str = "import://progress";

/// Imports the files picked or dropped on the window. Runs off the UI thread; progress goes
/// out as events, and `cancel_import` stops it with nothing written.
#[tauri::command]
pub async fn import_files<R: Runtime>(
    app: AppHandle<R>,
    wb: State<'_, Workbench>,
    paths: Vec<String>,
    skip_bad: bool,
) -> Result<ImportReport> {
    wb.cancel_import.store(false, Ordering::SeqCst);
    let paths: Vec<PathBuf> = paths.into_iter().map(PathBuf::from).collect();
    let report = wb
        .desk()?
        .import(&paths, skip_bad, crate::clock::now(), |p| {
            let _ = app.emit(IMPORT_PROGRESS, p);
            !wb.cancel_import.load(Ordering::SeqCst)
        })
        .await?;
    if report.written {
        wb.wake.notify_one();
        let _ = app.emit(CHANGED, ());
    }
    Ok(report)
}

#[tauri::command]
pub fn cancel_import(wb: State<'_, Workbench>) {
    wb.cancel_import.store(true, Ordering::SeqCst);
}

/// The native file dialog, filtered to order exports. Empty when the user cancels.
#[tauri::command]
pub async fn pick_export_files<R: Runtime>(app: AppHandle<R>) -> Result<Vec<String>> {
    let picked = app
        .dialog()
        .file()
        .set_title("导入订单导出文件")
        .add_filter("订单导出 (CSV, XLSX)", &["csv", "CSV", "xlsx", "XLSX"])
        .blocking_pick_files();
    Ok(picked
        .unwrap_or_default()
        .into_iter()
        .map(|p| p.to_string())
        .collect())
}

#[tauri::command]
pub fn get_settings<R: Runtime>(app: AppHandle<R>) -> Result<crate::settings::Settings> {
    crate::load_settings(&app)
}

/// Validates and persists the settings through the store. The agent name applies at once;
/// a database change applies at the next start.
#[tauri::command]
pub fn save_settings<R: Runtime>(
    app: AppHandle<R>,
    wb: State<'_, Workbench>,
    settings: serde_json::Value,
) -> Result<crate::settings::Settings> {
    let saved = crate::save_settings(&app, settings)?;
    if let Ok(desk) = wb.desk() {
        desk.set_agent(&saved.agent);
    }
    Ok(saved)
}
