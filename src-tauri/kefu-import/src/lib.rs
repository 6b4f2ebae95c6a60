//! Reads a shop's order exports into orders, locating every problem by file, line and
//! column so the user can fix the file. Nothing here writes anywhere: the caller decides
//! what to store (all or nothing by default).
//!
//! Supported: the legacy `ExportOrderList*.csv` (已卖出的宝贝 → 批量导出) in GB18030/GBK
//! or UTF-8 with or without BOM, and its items file `ExportOrderDetailList*.csv`; the newer
//! Qianniu `.xlsx` export with its main and sub-order sheets.

mod columns;
mod decode;
pub mod phrases;
mod xlsx;

pub use xlsx::read_xlsx;

/// What the fuzz targets run (`fuzz/`, cargo fuzz on nightly), and the corpus replay in
/// this crate's tests runs on stable: a reader on any bytes, and the report's invariants.
pub mod fuzzing {
    use kefu_core::ShopTime;

    use crate::{Parsed, MAX_PROBLEMS};

    pub fn csv(data: &[u8]) {
        if let Ok(p) = crate::read_csv("fuzz.csv", data, ShopTime::SHANGHAI) {
            consistent(&p);
        }
    }

    pub fn xlsx(data: &[u8]) {
        if let Ok(p) = crate::read_xlsx("fuzz.xlsx", data.to_vec(), ShopTime::SHANGHAI) {
            consistent(&p);
        }
    }

    /// Every row read is an order, an item or a rejection; the problems kept are the first
    /// of those counted.
    fn consistent(p: &Parsed) {
        assert_eq!(
            p.orders.len() as u64 + p.items.len() as u64 + p.rejected,
            p.rows,
            "rows read"
        );
        assert!(p.problems.len() <= MAX_PROBLEMS);
        assert_eq!(
            p.problems.len() as u64,
            p.rejected.min(MAX_PROBLEMS as u64),
            "problems kept"
        );
        assert!(p.problems.iter().all(|x| x.line >= 1), "lines start at 1");
    }
}

use std::path::Path;

use kefu_core::{BuyerNick, CloseReason, Fen, Order, OrderNo, OrderStatus, ShopTime};
use serde::Serialize;
use thiserror::Error;

use columns::{Field, Header};

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
}

/// A file that cannot be read as an export at all.
#[derive(Debug, Clone, PartialEq, Eq, Error)]
pub enum Error {
    #[error("{file}: cannot read the file: {reason}")]
    Io { file: String, reason: String },
    #[error("{file}: the file is empty")]
    Empty { file: String },
    /// A device, a pipe or a folder: reading one would never end or mean nothing.
    #[error("{file}: not a regular file (an export is a .csv or .xlsx file)")]
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

/// Reads one export file of at most `MAX_FILE_BYTES`.
pub fn read_file(path: &Path, shop: ShopTime) -> Result<Parsed, Error> {
    read_file_up_to(path, shop, MAX_FILE_BYTES)
}

/// Reads one export file, choosing the reader by content. Only a regular file of at most
/// `max_bytes` is read (a path comes from a drop, a dialog or another process).
pub fn read_file_up_to(path: &Path, shop: ShopTime, max_bytes: u64) -> Result<Parsed, Error> {
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
    let bytes = std::fs::read(path).map_err(io)?;
    let is_xlsx = bytes.starts_with(b"PK\x03\x04")
        || path
            .extension()
            .is_some_and(|e| e.eq_ignore_ascii_case("xlsx"));
    if is_xlsx {
        return xlsx::read_xlsx(&name, bytes, shop);
    }
    read_csv(&name, &bytes, shop)
}

/// Reads a legacy CSV export (orders or items, told apart by their headers).
pub fn read_csv(file: &str, bytes: &[u8], shop: ShopTime) -> Result<Parsed, Error> {
    let text = decode::decode(file, bytes)?;
    if text.trim().is_empty() {
        return Err(Error::Empty {
            file: file.to_owned(),
        });
    }
    let mut reader = csv::ReaderBuilder::new()
        .flexible(true)
        .has_headers(false)
        .from_reader(text.as_bytes());
    let mut records = reader.records();
    let header = match records.next() {
        Some(Ok(h)) => Header::new(file, h.iter())?,
        Some(Err(e)) => {
            return Err(Error::NotAnExport {
                file: file.to_owned(),
                reason: e.to_string(),
            })
        }
        None => {
            return Err(Error::Empty {
                file: file.to_owned(),
            })
        }
    };
    let mut parsed = Parsed::default();
    // Lines are counted from byte offsets: the csv reader's own line numbers do not
    // agree with what an editor shows once rows contain CRLF or embedded newlines.
    let mut lines = LineCounter {
        text: &text,
        byte: 0,
        line: 1,
    };
    for record in records {
        let record = match record {
            Ok(r) => r,
            Err(e) => {
                let line = e.position().map_or(0, |p| lines.at(p.byte()));
                parsed.rows += 1;
                parsed.reject(problem(file, line, "", "", &format!("unreadable row: {e}")));
                continue;
            }
        };
        let line = record.position().map_or(0, |p| lines.at(p.byte()));
        read_row(&mut parsed, file, line, &header, &record, shop);
    }
    Ok(parsed)
}

/// A row of cells, from a CSV record or a spreadsheet row.
trait Cells {
    fn cell(&self, i: usize) -> Option<&str>;
    fn width(&self) -> usize;
}

impl Cells for csv::StringRecord {
    fn cell(&self, i: usize) -> Option<&str> {
        self.get(i)
    }
    fn width(&self) -> usize {
        self.len()
    }
}

impl Cells for Vec<String> {
    fn cell(&self, i: usize) -> Option<&str> {
        self.get(i).map(String::as_str)
    }
    fn width(&self) -> usize {
        self.len()
    }
}

/// Reads one data row into an order or an item, or a located problem.
fn read_row(
    parsed: &mut Parsed,
    file: &str,
    line: u64,
    header: &Header,
    cells: &dyn Cells,
    shop: ShopTime,
) {
    if (0..cells.width()).all(|i| cells.cell(i).is_none_or(|c| c.trim().is_empty())) {
        return;
    }
    parsed.rows += 1;
    if cells.width() != header.width() {
        parsed.reject(problem(
            file,
            line,
            "",
            "",
            &format!(
                "row has {} fields, the header has {} (truncated or damaged file?)",
                cells.width(),
                header.width()
            ),
        ));
        return;
    }
    let row = Row {
        file,
        line,
        header,
        record: cells,
    };
    let result = if header.is_items() {
        row.item().map(|i| parsed.items.push(i))
    } else {
        row.order(shop).map(|o| parsed.orders.push(o))
    };
    if let Err(p) = result {
        parsed.reject(p);
    }
}

pub(crate) struct LineCounter<'a> {
    pub(crate) text: &'a str,
    pub(crate) byte: u64,
    pub(crate) line: u64,
}

impl LineCounter<'_> {
    /// The 1-based line of a byte offset; offsets only grow, so counting is incremental.
    pub(crate) fn at(&mut self, byte: u64) -> u64 {
        // A record's position can sit before the previous row's line ending (the reader
        // stops at CR and leaves LF): the row itself starts after it.
        let mut byte = byte;
        while let Some(b'\r' | b'\n') = usize::try_from(byte)
            .ok()
            .and_then(|i| self.text.as_bytes().get(i))
        {
            byte += 1;
        }
        if byte > self.byte {
            let from = usize::try_from(self.byte).unwrap_or(usize::MAX);
            let to = usize::try_from(byte)
                .unwrap_or(usize::MAX)
                .min(self.text.len());
            if let Some(slice) = self.text.as_bytes().get(from..to) {
                self.line += slice.iter().filter(|b| **b == b'\n').count() as u64;
            }
            self.byte = byte;
        }
        self.line
    }
}

fn problem(file: &str, line: u64, column: &str, value: &str, reason: &str) -> Problem {
    Problem {
        file: file.to_owned(),
        line,
        column: column.to_owned(),
        value: value.chars().take(120).collect(),
        reason: reason.to_owned(),
    }
}

struct Row<'a> {
    file: &'a str,
    line: u64,
    header: &'a Header,
    record: &'a dyn Cells,
}

impl Row<'_> {
    fn raw(&self, f: Field) -> &str {
        self.header
            .index(f)
            .and_then(|i| self.record.cell(i))
            .unwrap_or("")
    }

    /// Free text: the export's wrapping removed, the buyer's words otherwise verbatim.
    fn text(&self, f: Field) -> String {
        kefu_core::order::unwrap_cell(self.raw(f)).to_owned()
    }

    fn fail(&self, f: Field, reason: impl std::fmt::Display) -> Problem {
        problem(
            self.file,
            self.line,
            self.header.name(f),
            self.raw(f),
            &reason.to_string(),
        )
    }

    fn parse<T>(&self, f: Field, p: impl Fn(&str) -> kefu_core::Result<T>) -> Result<T, Problem> {
        p(self.raw(f)).map_err(|e| match e {
            kefu_core::Error::Invalid { reason, .. } => self.fail(f, reason),
            other => self.fail(f, other),
        })
    }

    fn optional<T>(
        &self,
        f: Field,
        p: impl Fn(&str) -> kefu_core::Result<T>,
    ) -> Result<Option<T>, Problem> {
        if kefu_core::order::unwrap_cell(self.raw(f)).is_empty() {
            Ok(None)
        } else {
            self.parse(f, p).map(Some)
        }
    }

    fn order(&self, shop: ShopTime) -> Result<Order, Problem> {
        let no = self.parse(Field::OrderNo, OrderNo::parse)?;
        let buyer = self.parse(Field::Buyer, BuyerNick::parse)?;
        let (status, reason) = self.parse(Field::Status, OrderStatus::parse)?;
        let total = self.parse(Field::Total, Fen::parse_yuan)?;
        let postage = self
            .optional(Field::Postage, Fen::parse_yuan)?
            .unwrap_or_default();
        let created_at = self.parse(Field::Created, |s| shop.parse_local(s))?;
        let paid_at = self.optional(Field::Paid, |s| shop.parse_local(s))?;
        let shipped_at = self.optional(Field::Shipped, |s| shop.parse_local(s))?;
        let ended_at = self.optional(Field::Ended, |s| shop.parse_local(s))?;
        let close_text = self.text(Field::CloseReason);
        let close_reason = match (status, reason) {
            (OrderStatus::TradeClosed, Some(r)) => Some(r),
            (OrderStatus::TradeClosed, None) => {
                Some(CloseReason::infer(&close_text, paid_at.is_some()))
            }
            _ => None,
        };
        Ok(Order {
            no,
            buyer,
            status,
            close_reason,
            total,
            postage,
            created_at,
            paid_at,
            shipped_at,
            ended_at,
            terms_changed_at: None,
            close_deadline: None,
            title: self.text(Field::Title),
            buyer_message: self.text(Field::Message),
            seller_remark: self.text(Field::Remark),
            receiver: self.text(Field::Receiver),
            address: self.text(Field::Address),
            phone: self.text(Field::Phone),
            tracking_no: self.text(Field::Tracking),
            shop_name: self.text(Field::Shop),
        })
    }

    fn item(&self) -> Result<Item, Problem> {
        let quantity = {
            let raw = kefu_core::order::unwrap_cell(self.raw(Field::Quantity));
            let digits = raw.strip_suffix(".00").unwrap_or(raw);
            digits
                .parse::<i64>()
                .ok()
                .filter(|q| *q > 0)
                .ok_or_else(|| self.fail(Field::Quantity, "not a whole number of items"))?
        };
        Ok(Item {
            order_no: self.parse(Field::OrderNo, OrderNo::parse)?,
            title: self.text(Field::ItemTitle),
            price: self.parse(Field::Price, Fen::parse_yuan)?,
            quantity,
            attributes: self.text(Field::Attributes),
        })
    }
}
