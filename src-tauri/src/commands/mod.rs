//! Tauri commands: each is one call into `Desk`, whose changes go to `events::publish`,
//! the one place that turns them into window events, the tray and notifications.
//! Arguments from the page are untrusted; `Desk` and the core validate them.

use kefu_core::team::Agent;
use kefu_db::{
    Agenda, Applied, BuyerDetail, BuyerSummary, Conversation, FollowUp, Routed, TeamMember,
};
use tauri::{AppHandle, Emitter, Runtime, State};

use std::path::PathBuf;
use std::sync::atomic::Ordering;

use tauri_plugin_dialog::DialogExt;

use crate::desk::{AgendaCountsAt, ImportReport, Overview};
use crate::error::Result;
use crate::events::{publish, IMPORT_PROGRESS};
use crate::Workbench;

/// The words the window shows for what the core names (groups, statuses, roles, …).
#[tauri::command]
pub fn words() -> kefu_core::words::Words {
    kefu_core::words::words()
}

#[tauri::command]
pub async fn overview(wb: State<'_, Workbench>) -> Result<Overview> {
    wb.desk().await?.overview().await
}

#[tauri::command]
pub async fn list_buyers(
    wb: State<'_, Workbench>,
    group: String,
    offset: i64,
    limit: i64,
) -> Result<Vec<BuyerSummary>> {
    wb.desk().await?.buyers(&group, offset, limit).await
}

#[tauri::command]
pub async fn buyer_detail(wb: State<'_, Workbench>, nick: String) -> Result<BuyerDetail> {
    wb.desk().await?.buyer(&nick).await
}

#[tauri::command]
pub async fn search(wb: State<'_, Workbench>, query: String) -> Result<Vec<BuyerSummary>> {
    wb.desk().await?.search(&query).await
}

#[tauri::command]
pub async fn load_demo<R: Runtime>(app: AppHandle<R>, wb: State<'_, Workbench>) -> Result<Applied> {
    let changed = wb.desk().await?.load_demo(crate::clock::now()).await?;
    Ok(publish(&app, changed))
}

/// Note and tags together, with the version the agent read (see `Desk::save_note`).
#[tauri::command]
pub async fn save_note<R: Runtime>(
    app: AppHandle<R>,
    wb: State<'_, Workbench>,
    nick: String,
    note: String,
    tags: Vec<String>,
    read: i64,
) -> Result<BuyerDetail> {
    let changed = wb
        .desk()
        .await?
        .save_note(
            &nick,
            Some(&note),
            Some(&tags),
            Some(read),
            crate::clock::now(),
        )
        .await?;
    Ok(publish(&app, changed))
}

/// The agenda (待办) of the agent signed in here.
#[tauri::command]
pub async fn agenda(wb: State<'_, Workbench>) -> Result<Agenda> {
    wb.desk().await?.followups(crate::clock::now()).await
}

/// How many follow-ups each list of the agenda holds, read with the app clock: the
/// sidebar's badge while the agenda is not shown.
#[tauri::command]
pub async fn agenda_counts(wb: State<'_, Workbench>) -> Result<AgendaCountsAt> {
    wb.desk().await?.followup_counts(crate::clock::now()).await
}

#[tauri::command]
pub async fn buyer_followups(wb: State<'_, Workbench>, nick: String) -> Result<Vec<FollowUp>> {
    wb.desk()
        .await?
        .followups_of(&nick, crate::clock::now())
        .await
}

#[tauri::command]
pub async fn snooze_followup<R: Runtime>(
    app: AppHandle<R>,
    wb: State<'_, Workbench>,
    id: i64,
    choice: String,
) -> Result<FollowUp> {
    let changed = wb
        .desk()
        .await?
        .snooze(id, &choice, crate::clock::now())
        .await?;
    Ok(publish(&app, changed))
}

#[tauri::command]
pub async fn done_followup<R: Runtime>(
    app: AppHandle<R>,
    wb: State<'_, Workbench>,
    id: i64,
) -> Result<FollowUp> {
    Ok(publish(
        &app,
        wb.desk().await?.done(id, crate::clock::now()).await?,
    ))
}

#[tauri::command]
pub async fn add_followup<R: Runtime>(
    app: AppHandle<R>,
    wb: State<'_, Workbench>,
    nick: String,
    kind: String,
    order: Option<String>,
    note: String,
) -> Result<FollowUp> {
    let changed = wb
        .desk()
        .await?
        .add_followup(&nick, &kind, order.as_deref(), &note, crate::clock::now())
        .await?;
    Ok(publish(&app, changed))
}

/// Signs this PC in as a shop account; it comes online.
#[tauri::command]
pub async fn sign_in<R: Runtime>(
    app: AppHandle<R>,
    wb: State<'_, Workbench>,
    name: String,
    password: String,
) -> Result<Agent> {
    let changed = wb
        .desk()
        .await?
        .sign_in(&name, &password, crate::clock::now())
        .await?;
    Ok(publish(&app, changed))
}

/// The account signed in here, if any.
#[tauri::command]
pub async fn account(wb: State<'_, Workbench>) -> Result<Option<Agent>> {
    Ok(wb.desk().await?.account().ok())
}

#[tauri::command]
pub async fn team(wb: State<'_, Workbench>) -> Result<Vec<TeamMember>> {
    wb.desk().await?.team(crate::clock::now()).await
}

/// Supervisor-only, checked in the core: adds a shop account.
#[tauri::command]
pub async fn create_account<R: Runtime>(
    app: AppHandle<R>,
    wb: State<'_, Workbench>,
    name: String,
    role: String,
    password: String,
    max_load: u32,
    weight: u32,
) -> Result<Agent> {
    let changed = wb
        .desk()
        .await?
        .create_account(
            &name,
            &role,
            &password,
            max_load,
            weight,
            crate::clock::now(),
        )
        .await?;
    Ok(publish(&app, changed))
}

/// One's own state (`target` empty) or, for a supervisor, a teammate's.
#[tauri::command]
pub async fn set_state<R: Runtime>(
    app: AppHandle<R>,
    wb: State<'_, Workbench>,
    target: Option<String>,
    state: String,
) -> Result<Vec<Routed>> {
    let changed = wb
        .desk()
        .await?
        .set_state(
            target.as_deref().filter(|t| !t.is_empty()),
            &state,
            crate::clock::now(),
        )
        .await?;
    Ok(publish(&app, changed))
}

#[tauri::command]
pub async fn new_inquiry<R: Runtime>(
    app: AppHandle<R>,
    wb: State<'_, Workbench>,
    nick: String,
    asked: String,
) -> Result<Routed> {
    let changed = wb
        .desk()
        .await?
        .new_inquiry(&nick, &asked, crate::clock::now())
        .await?;
    Ok(publish(&app, changed))
}

#[tauri::command]
pub async fn transfer<R: Runtime>(
    app: AppHandle<R>,
    wb: State<'_, Workbench>,
    nick: String,
    to: String,
    note: String,
) -> Result<Routed> {
    let changed = wb
        .desk()
        .await?
        .transfer(&nick, &to, &note, crate::clock::now())
        .await?;
    Ok(publish(&app, changed))
}

#[tauri::command]
pub async fn close_conversation<R: Runtime>(
    app: AppHandle<R>,
    wb: State<'_, Workbench>,
    nick: String,
) -> Result<Vec<Routed>> {
    let changed = wb
        .desk()
        .await?
        .close_conversation(&nick, crate::clock::now())
        .await?;
    Ok(publish(&app, changed))
}

/// The agent opened a buyer assigned to them (greeted within the 30 s).
#[tauri::command]
pub async fn greet<R: Runtime>(app: AppHandle<R>, wb: State<'_, Workbench>, id: i64) -> Result<()> {
    let changed = wb.desk().await?.greet(id, crate::clock::now()).await?;
    publish(&app, changed);
    Ok(())
}

#[tauri::command]
pub async fn conversations(wb: State<'_, Workbench>, all: bool) -> Result<Vec<Conversation>> {
    wb.desk().await?.conversations(all).await
}

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
    let changed = wb
        .desk()
        .await?
        .import(&paths, skip_bad, crate::clock::now(), |p| {
            // Progress is not a change: the bar moves, nothing is written yet.
            let _ = app.emit(IMPORT_PROGRESS, p);
            !wb.cancel_import.load(Ordering::SeqCst)
        })
        .await?;
    Ok(publish(&app, changed))
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
pub fn get_settings() -> Result<crate::settings::Settings> {
    crate::load_settings()
}

/// Validates and writes the settings file. The agent name applies at once; a database
/// change applies at the next start.
#[tauri::command]
pub async fn save_settings(
    wb: State<'_, Workbench>,
    settings: serde_json::Value,
) -> Result<crate::settings::Settings> {
    let saved = crate::save_settings(settings)?;
    if let Ok(desk) = wb.desk().await {
        desk.set_agent(&saved.agent);
        desk.set_kpi(&saved);
    }
    Ok(saved)
}

mod kpi;
mod phrases;
mod schedule;
pub use kpi::*;
pub use phrases::*;
pub use schedule::*;
