//! Importing order exports.

use std::path::PathBuf;

use chrono::{DateTime, Utc};
use kefu_core::ShopTime;
use kefu_import::Problem;
use serde::Serialize;

use super::{Change, Changed, Desk};
use crate::error::{Error, Result};

/// What an import did, for the summary in the window and on the command line.
#[derive(Clone, Debug, Default, Serialize)]
pub struct ImportReport {
    pub files: Vec<String>,
    /// Data rows read from the files, good and bad.
    pub rows: u64,
    pub new: u64,
    pub updated: u64,
    pub unchanged: u64,
    pub rejected: u64,
    pub items: u64,
    pub items_skipped: u64,
    /// Whether anything was written: false when rows were rejected and the user did not
    /// ask to import the good ones.
    pub written: bool,
    /// The first `kefu_import::MAX_PROBLEMS` problems; `rejected` counts them all.
    pub problems: Vec<Problem>,
}

/// How far an import is, for the progress bar.
#[derive(Clone, Copy, Debug, Serialize)]
pub struct ImportProgress {
    pub stage: &'static str,
    pub done: u64,
    pub total: u64,
}

impl Desk {
    /// Imports order exports. All or nothing by default: if any row is rejected, nothing
    /// is written and every problem is reported; with `skip_bad` the good rows are
    /// written and the rejected ones listed. `keep_going` is asked between steps; when it
    /// says no, the import stops and nothing is written.
    pub async fn import(
        &self,
        paths: &[PathBuf],
        skip_bad: bool,
        now: DateTime<Utc>,
        mut on_progress: impl FnMut(ImportProgress) -> bool,
    ) -> Result<Changed<ImportReport>> {
        if paths.is_empty() {
            return Err(Error::Usage("import: no file given".to_owned()));
        }
        let mut report = ImportReport::default();
        let mut orders = Vec::new();
        let mut items = Vec::new();
        let total = paths.len() as u64;
        let max_bytes = self.import_limit;
        for (done, path) in paths.iter().enumerate() {
            if !on_progress(ImportProgress {
                stage: "read",
                done: done as u64,
                total,
            }) {
                return Err(Error::Db(kefu_db::Error::Cancelled));
            }
            let path = path.clone();
            // Parsing a large export takes seconds: keep it off the async workers.
            let parsed = tokio::task::spawn_blocking(move || {
                kefu_import::read_file_up_to(&path, ShopTime::SHANGHAI, max_bytes)
            })
            .await
            .map_err(|e| Error::Internal(format!("reading {}: {e}", path_name(&paths[done]))))??;
            report.files.push(path_name(&paths[done]));
            report.rows += parsed.rows;
            report.rejected += parsed.rejected;
            let room = kefu_import::MAX_PROBLEMS.saturating_sub(report.problems.len());
            report
                .problems
                .extend(parsed.problems.into_iter().take(room));
            if orders.is_empty() {
                // The usual single file: its orders as read, not copied (a million of
                // them are a few hundred megabytes).
                orders = parsed.orders;
            } else {
                orders.extend(parsed.orders);
            }
            items.extend(parsed.items);
        }
        if report.rejected > 0 && !skip_bad {
            return Ok(Changed::none(report));
        }
        let applied = self
            .db
            .apply(orders, &items, &self.rules, now, |done, total| {
                on_progress(ImportProgress {
                    stage: "write",
                    done,
                    total,
                })
            })
            .await?;
        report.new = applied.new;
        report.updated = applied.updated;
        report.unchanged = applied.unchanged;
        report.items = applied.items;
        report.items_skipped = applied.items_skipped;
        report.written = true;
        Ok(Changed::one(report, Change::Orders))
    }
}

fn path_name(p: &std::path::Path) -> String {
    p.display().to_string()
}
