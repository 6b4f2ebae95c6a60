//! The quick phrases' commands (快捷短语): each one call into `Desk`, where the role is
//! checked. Copying writes the clipboard from here, so the page needs no clipboard
//! permission of its own.

use kefu_core::phrases::{OnDuplicate, Set};
use kefu_db::PhraseBook;
use tauri::{AppHandle, Runtime, State};
use tauri_plugin_clipboard_manager::ClipboardExt;
use tauri_plugin_dialog::DialogExt;

use crate::desk::{PhraseEdit, PhraseHit, PhraseImport, PhrasePart, PhraseSets};
use crate::error::{Error, Result};
use crate::events::publish;
use crate::Workbench;

fn set(raw: &str) -> Result<Set> {
    Set::from_code(raw).ok_or_else(|| Error::Usage(format!("set: {raw:?} is not shop or personal")))
}

/// Both sets, and whether this account may edit the shop's.
#[tauri::command]
pub async fn phrase_sets(wb: State<'_, Workbench>) -> Result<PhraseSets> {
    wb.desk().await?.phrase_sets(crate::clock::now()).await
}

/// The phrase box: phrases for what the agent typed, filled for the buyer and order shown.
#[tauri::command]
pub async fn find_phrases(
    wb: State<'_, Workbench>,
    query: String,
    buyer: Option<String>,
    order: Option<String>,
) -> Result<Vec<PhraseHit>> {
    wb.desk()
        .await?
        .find_phrases(&query, buyer.as_deref(), order.as_deref(), 12)
        .await
}

/// Fills the phrases chained into one message and puts it on the clipboard; returns the
/// text copied. Nothing is copied when a phrase lacks a value.
#[tauri::command]
pub async fn copy_phrases<R: Runtime>(
    app: AppHandle<R>,
    wb: State<'_, Workbench>,
    parts: Vec<PhrasePart>,
    buyer: Option<String>,
    order: Option<String>,
) -> Result<String> {
    let text = wb
        .desk()
        .await?
        .use_phrases(&parts, buyer.as_deref(), order.as_deref())
        .await?;
    app.clipboard()
        .write_text(text.clone())
        .map_err(|e| Error::Io(format!("clipboard: {e}")))?;
    Ok(text)
}

/// One edit of a set read at `version` (see `PhraseEdit`).
#[tauri::command]
pub async fn edit_phrases<R: Runtime>(
    app: AppHandle<R>,
    wb: State<'_, Workbench>,
    set: String,
    version: i64,
    edit: PhraseEdit,
) -> Result<PhraseBook> {
    let changed = wb
        .desk()
        .await?
        .edit_phrases(self::set(&set)?, version, edit, crate::clock::now())
        .await?;
    Ok(publish(&app, changed))
}

/// The native file dialog, filtered to phrase files. Empty when the user cancels.
#[tauri::command]
pub async fn pick_phrase_file<R: Runtime>(app: AppHandle<R>) -> Result<Option<String>> {
    let picked = app
        .dialog()
        .file()
        .set_title("导入快捷短语")
        .add_filter(
            "快捷短语 (CSV, XLSX, JSON)",
            &["csv", "xlsx", "json", "CSV", "XLSX", "JSON"],
        )
        .blocking_pick_file();
    Ok(picked.map(|p| p.to_string()))
}

/// Imports a phrase file into a set (all or nothing unless `skip_bad` or `merge`).
#[tauri::command]
pub async fn import_phrases<R: Runtime>(
    app: AppHandle<R>,
    wb: State<'_, Workbench>,
    path: String,
    set: String,
    merge: Option<String>,
    skip_bad: bool,
) -> Result<PhraseImport> {
    let merge = match merge.as_deref() {
        None | Some("") => None,
        Some("keep") => Some(OnDuplicate::Keep),
        Some("replace") => Some(OnDuplicate::Replace),
        Some(other) => {
            return Err(Error::Usage(format!(
                "merge: {other:?} is not keep or replace"
            )))
        }
    };
    let changed = wb
        .desk()
        .await?
        .import_phrases(
            self::set(&set)?,
            std::path::Path::new(&path),
            merge,
            skip_bad,
            crate::clock::now(),
        )
        .await?;
    Ok(publish(&app, changed))
}

/// Exports `set` (shop, personal or both) to a file the agent names in the save dialog;
/// the format follows its extension. `None` when the agent cancels.
#[tauri::command]
pub async fn export_phrases<R: Runtime>(
    app: AppHandle<R>,
    wb: State<'_, Workbench>,
    set: String,
) -> Result<Option<String>> {
    let sets = match set.as_str() {
        "both" => vec![Set::Shop, Set::Personal],
        one => vec![self::set(one)?],
    };
    let Some(path) = app
        .dialog()
        .file()
        .set_title("导出快捷短语")
        .set_file_name("快捷短语.xlsx")
        .add_filter("Excel 工作簿", &["xlsx"])
        .add_filter("CSV", &["csv"])
        .add_filter("JSON", &["json"])
        .blocking_save_file()
    else {
        return Ok(None);
    };
    let path = path
        .into_path()
        .map_err(|e| Error::Usage(format!("the file chosen: {e}")))?;
    wb.desk().await?.export_phrases(&sets, &path).await?;
    Ok(Some(path.display().to_string()))
}
