//! 绩效's commands: the figures of a period (whose, the core decides) and their export
//! through the save dialog.

use chrono::NaiveDate;
use tauri::{AppHandle, Runtime, State};
use tauri_plugin_dialog::DialogExt;

use crate::desk::KpiView;
use crate::error::{Error, Result};
use crate::Workbench;

fn date(field: &str, raw: &str) -> Result<NaiveDate> {
    NaiveDate::parse_from_str(raw.trim(), "%Y-%m-%d")
        .map_err(|_| Error::Usage(format!("{field}: {raw:?} is not a date (YYYY-MM-DD)")))
}

#[tauri::command]
pub async fn kpi(
    wb: State<'_, Workbench>,
    from: String,
    to: String,
    by_day: bool,
) -> Result<KpiView> {
    wb.desk()
        .await?
        .kpi(
            date("from", &from)?,
            date("to", &to)?,
            by_day,
            crate::clock::now(),
        )
        .await
}

/// Writes the period's figures, day by day, to a workbook or CSV the user names. `None`
/// when the dialog is cancelled.
#[tauri::command]
pub async fn export_kpi<R: Runtime>(
    app: AppHandle<R>,
    wb: State<'_, Workbench>,
    from: String,
    to: String,
) -> Result<Option<String>> {
    let desk = wb.desk().await?;
    let view = desk
        .kpi(
            date("from", &from)?,
            date("to", &to)?,
            true,
            crate::clock::now(),
        )
        .await?;
    let Some(path) = app
        .dialog()
        .file()
        .set_title("导出绩效")
        .set_file_name(format!("绩效_{from}_{to}.xlsx"))
        .add_filter("Excel 工作簿", &["xlsx"])
        .add_filter("CSV", &["csv"])
        .blocking_save_file()
    else {
        return Ok(None);
    };
    let path = path
        .into_path()
        .map_err(|e| Error::Usage(format!("the file chosen: {e}")))?;
    desk.export_kpi(&view, &path)?;
    Ok(Some(path.display().to_string()))
}
