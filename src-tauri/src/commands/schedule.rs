//! The shift schedule's commands (排班): each one call into `Desk`. Dates come from the
//! page as `YYYY-MM-DD` and are checked here; who may plan is checked in `Desk`.

use chrono::NaiveDate;
use kefu_core::shifts::ShiftTemplate;
use tauri::{AppHandle, Runtime, State};

use crate::desk::{week_of, HandoverPlan, MyShifts, Suggested, WeekView};
use crate::error::{Error, Result};
use crate::events::publish;
use crate::Workbench;
use kefu_db::Handover;

fn date(field: &str, raw: &str) -> Result<NaiveDate> {
    NaiveDate::parse_from_str(raw.trim(), "%Y-%m-%d")
        .map_err(|_| Error::Usage(format!("{field}: {raw:?} is not a date (YYYY-MM-DD)")))
}

/// The week containing `date` (today's without one).
fn week(raw: Option<&str>) -> Result<kefu_core::shifts::Week> {
    let day = match raw {
        Some(raw) => date("week", raw)?,
        None => kefu_db::SHOP_TIME.local(crate::clock::now()).date_naive(),
    };
    Ok(week_of(day))
}

#[tauri::command]
pub async fn shift_templates(wb: State<'_, Workbench>) -> Result<Vec<ShiftTemplate>> {
    wb.desk().await?.shift_templates().await
}

#[tauri::command]
pub async fn schedule_week(wb: State<'_, Workbench>, week: Option<String>) -> Result<WeekView> {
    wb.desk()
        .await?
        .week(&self::week(week.as_deref())?, crate::clock::now())
        .await
}

#[tauri::command]
pub async fn my_shifts(wb: State<'_, Workbench>) -> Result<MyShifts> {
    wb.desk().await?.my_shifts(crate::clock::now()).await
}

/// Puts `agent` on the shift `template` of `day`, or with `on` false takes it off.
#[tauri::command]
pub async fn set_shift<R: Runtime>(
    app: AppHandle<R>,
    wb: State<'_, Workbench>,
    agent: String,
    day: String,
    template: String,
    on: bool,
    version: i64,
) -> Result<WeekView> {
    let changed = wb
        .desk()
        .await?
        .set_shift(
            &agent,
            date("day", &day)?,
            &template,
            on,
            version,
            crate::clock::now(),
        )
        .await?;
    Ok(publish(&app, changed))
}

#[tauri::command]
pub async fn copy_last_week<R: Runtime>(
    app: AppHandle<R>,
    wb: State<'_, Workbench>,
    week: String,
    version: i64,
) -> Result<WeekView> {
    let changed = wb
        .desk()
        .await?
        .copy_last_week(&self::week(Some(&week))?, version, crate::clock::now())
        .await?;
    Ok(publish(&app, changed))
}

/// The suggestion beside the week; with `apply` (the version seen) it becomes the draft.
#[tauri::command]
pub async fn suggest_week<R: Runtime>(
    app: AppHandle<R>,
    wb: State<'_, Workbench>,
    week: String,
    apply: Option<i64>,
) -> Result<Suggested> {
    let changed = wb
        .desk()
        .await?
        .suggest_week(&self::week(Some(&week))?, apply, crate::clock::now())
        .await?;
    Ok(publish(&app, changed))
}

#[tauri::command]
pub async fn publish_week<R: Runtime>(
    app: AppHandle<R>,
    wb: State<'_, Workbench>,
    week: String,
    version: i64,
    despite_warnings: bool,
) -> Result<WeekView> {
    let changed = wb
        .desk()
        .await?
        .publish_week(
            &self::week(Some(&week))?,
            version,
            despite_warnings,
            crate::clock::now(),
        )
        .await?;
    Ok(publish(&app, changed))
}

/// What a handover would pass now, and to whom (nothing is written).
#[tauri::command]
pub async fn handover_plan(wb: State<'_, Workbench>) -> Result<HandoverPlan> {
    wb.desk().await?.handover_plan(crate::clock::now()).await
}

/// 交接班: the signed-in agent's work passes to the next shift, with `note`.
#[tauri::command]
pub async fn hand_over<R: Runtime>(
    app: AppHandle<R>,
    wb: State<'_, Workbench>,
    note: String,
) -> Result<Handover> {
    let changed = wb
        .desk()
        .await?
        .hand_over(&note, crate::clock::now())
        .await?;
    Ok(publish(&app, changed))
}

#[tauri::command]
pub async fn handovers_received(wb: State<'_, Workbench>) -> Result<Vec<Handover>> {
    wb.desk()
        .await?
        .handovers_received(crate::clock::now())
        .await
}

#[tauri::command]
pub async fn adherence(wb: State<'_, Workbench>) -> Result<Vec<kefu_core::shifts::Adherence>> {
    wb.desk().await?.adherence(crate::clock::now()).await
}

/// Saves a peak day (checked in the core); the week's need follows.
#[tauri::command]
pub async fn save_peak_day<R: Runtime>(
    app: AppHandle<R>,
    wb: State<'_, Workbench>,
    peak: kefu_core::shifts::PeakDay,
) -> Result<WeekView> {
    let changed = wb
        .desk()
        .await?
        .save_peak_day(peak, crate::clock::now())
        .await?;
    Ok(publish(&app, changed))
}

#[tauri::command]
pub async fn remove_peak_day<R: Runtime>(
    app: AppHandle<R>,
    wb: State<'_, Workbench>,
    day: String,
) -> Result<WeekView> {
    let changed = wb
        .desk()
        .await?
        .remove_peak_day(date("day", &day)?, crate::clock::now())
        .await?;
    Ok(publish(&app, changed))
}

/// Marks (`off`) or takes back a day `agent` cannot work.
#[tauri::command]
pub async fn set_time_off<R: Runtime>(
    app: AppHandle<R>,
    wb: State<'_, Workbench>,
    agent: String,
    day: String,
    off: bool,
) -> Result<WeekView> {
    let changed = wb
        .desk()
        .await?
        .set_time_off(&agent, date("day", &day)?, off, crate::clock::now())
        .await?;
    Ok(publish(&app, changed))
}

/// Adds a shift template or changes the times of one (`start`, `end` as HH:MM); returns
/// `week` with it.
#[tauri::command]
pub async fn save_shift_template<R: Runtime>(
    app: AppHandle<R>,
    wb: State<'_, Workbench>,
    week: String,
    name: String,
    start: String,
    end: String,
) -> Result<WeekView> {
    let t = ShiftTemplate::new(&name, &start, &end)?;
    let changed = wb
        .desk()
        .await?
        .save_shift_template(&t, &self::week(Some(&week))?, crate::clock::now())
        .await?;
    Ok(publish(&app, changed))
}
