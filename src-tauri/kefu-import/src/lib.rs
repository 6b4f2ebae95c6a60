//! Reads a shop's order exports into orders, locating every problem by file, line and
//! column so the user can fix the file. Nothing here writes anywhere: the caller decides
//! what to store (all or nothing by default).
//!
//! Supported: the legacy `ExportOrderList*.csv` (已卖出的宝贝 → 批量导出) in GB18030/GBK
//! or UTF-8 with or without BOM, and its items file `ExportOrderDetailList*.csv`; the newer
//! Qianniu `.xlsx` export with its main and sub-order sheets.

mod columns;
mod decode;
pub mod fuzzing;
pub mod kpi;
pub mod phrases;
mod rows;
mod xlsx;

pub use rows::read_csv;
pub use xlsx::read_xlsx;

use std::path::Path;

use kefu_core::{Order, ShopTime};
use serde::Serialize;
use thiserror::Error;

/// One rejected cell or row.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct Problem {
    pub file: String,
    /// 1-based line in the file where the row starts (the header is line 1).
    pub line: u64,
    pub column: String,
    pub value: String,
    pub reason: String,
}

impl std::fmt::Display for Problem {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(
            f,
            "{}:{}: column {:?}: {} (value {:?})",
            self.file, self.line, self.column, self.reason, self.value
        )
    }
}

pub use kefu_core::OrderItem as Item;

#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize)]
pub struct Parsed {
    pub orders: Vec<Order>,
    pub items: Vec<Item>,
    /// Data rows read, good and bad.
    pub rows: u64,
    /// Every problem found, counted.
    pub rejected: u64,
    /// The first `MAX_PROBLEMS` of them: a file broken on every line is told by its first
    /// thousand, without holding a million messages.
    pub problems: Vec<Problem>,
}

/// The problems kept, per file and per import; the rest are counted.
pub const MAX_PROBLEMS: usize = 1000;

impl Parsed {
    fn reject(&mut self, p: Problem) {
        self.rejected += 1;
        if self.problems.len() < MAX_PROBLEMS {
            self.problems.push(p);
        }
    }

    /// What was read after this, as if read by the same reader.
    fn append(&mut self, later: Parsed) {
        self.orders.extend(later.orders);
        self.items.extend(later.items);
        self.rows += later.rows;
        self.rejected += later.rejected;
        let room = MAX_PROBLEMS.saturating_sub(self.problems.len());
        self.problems.extend(later.problems.into_iter().take(room));
    }
}

/// A file that cannot be read as an export at all.
#[derive(Debug, Clone, PartialEq, Eq, Error)]
pub enum Error {
    #[error("{file}: cannot read the file: {reason}")]
    Io { file: String, reason: String },
    #[error("{file}: the file is empty")]
    Empty { file: String },
    /// A device, a pipe or a folder: reading one would never end or mean nothing.
    #[error(
        "{file}: not a regular file (an export or phrase file is a .csv, .xlsx or .json file)"
    )]
    NotAFile { file: String },
    #[error("{file}: {size} bytes, over the {limit} bytes an export may have")]
    TooLarge { file: String, size: u64, limit: u64 },
    #[error(
        "{file}: line {line}: the text is neither UTF-8 nor GB18030/GBK (first bad byte at offset {offset})"
    )]
    Encoding {
        file: String,
        line: u64,
        offset: usize,
    },
    #[error("{file}: not an order export: {reason}")]
    NotAnExport { file: String, reason: String },
    #[error("{file}: line 1: required column {column:?} is missing")]
    MissingColumn { file: String, column: &'static str },
    /// A spreadsheet with more cells, or wider rows, than any export has: read, it could
    /// exhaust the PC's memory.
    #[error("{file}: {what}, over the {limit} an export may have")]
    TooBig {
        file: String,
        what: String,
        limit: u64,
    },
}

/// The largest export read by default (the settings may change it): well above a big
/// shop's (1,000,000 orders make about 250 MB of CSV), well below what would exhaust a
/// PC's memory.
pub const MAX_FILE_BYTES: u64 = 2 << 30;

/// A file's bytes, if it is a regular file of at most `max_bytes` (a path comes from a
/// drop, a dialog or another process: never a device or a pipe).
pub(crate) fn read_regular_file(path: &Path, max_bytes: u64) -> Result<Vec<u8>, Error> {
    let name = path.display().to_string();
    let io = |e: std::io::Error| Error::Io {
        file: name.clone(),
        reason: e.to_string(),
    };
    let meta = std::fs::metadata(path).map_err(io)?;
    if !meta.is_file() {
        return Err(Error::NotAFile { file: name });
    }
    if meta.len() > max_bytes {
        return Err(Error::TooLarge {
            file: name,
            size: meta.len(),
            limit: max_bytes,
        });
    }
    std::fs::read(path).map_err(io)
}

/// Reads one export file of at most `MAX_FILE_BYTES`.
pub fn read_file(path: &Path, shop: ShopTime) -> Result<Parsed, Error> {
    read_file_up_to(path, shop, MAX_FILE_BYTES)
}

/// Reads one export file, choosing the reader by content. Only a regular file of at most
/// `max_bytes` is read (a path comes from a drop, a dialog or another process).
pub fn read_file_up_to(path: &Path, shop: ShopTime, max_bytes: u64) -> Result<Parsed, Error> {
    let name = path.display().to_string();
    let bytes = read_regular_file(path, max_bytes)?;
    let is_xlsx = bytes.starts_with(b"PK\x03\x04")
        || path
            .extension()
            .is_some_and(|e| e.eq_ignore_ascii_case("xlsx"));
    if is_xlsx {
        return xlsx::read_xlsx(&name, bytes, shop);
    }
    read_csv(&name, &bytes, shop)
}
