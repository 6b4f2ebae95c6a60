//! Tauri commands: each is one call into `Desk`. Arguments from the page are untrusted;
//! `Desk` and the core validate them.

use chrono::Utc;
use kefu_db::{Applied, BuyerDetail, BuyerSummary};
use tauri::{AppHandle, Emitter, Runtime, State};

use crate::desk::Overview;
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
    let applied = wb.desk()?.load_demo(Utc::now()).await?;
    // The page listens for this; a failed emit only delays its refresh.
    let _ = app.emit(CHANGED, ());
    Ok(applied)
}

#[tauri::command]
pub async fn set_note(wb: State<'_, Workbench>, nick: String, note: String) -> Result<BuyerDetail> {
    wb.desk()?.set_note(&nick, &note, Utc::now()).await
}

#[tauri::command]
pub async fn set_tags(
    wb: State<'_, Workbench>,
    nick: String,
    tags: Vec<String>,
) -> Result<BuyerDetail> {
    wb.desk()?.set_tags(&nick, &tags, Utc::now()).await
}
