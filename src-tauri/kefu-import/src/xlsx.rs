//! The newer Qianniu `.xlsx` export: a main sheet of orders and a sub-order sheet of items,
//! with user-chosen and renamed columns. Each sheet goes through the same header table and
//! row reader as the CSV export; problems are located as `file [sheet]:row`.

use std::io::Cursor;

use calamine::{DataRef, Reader, Xlsx, XlsxError};
use kefu_core::ShopTime;

use crate::columns::Header;
use crate::rows::read_row;
use crate::{Error, Parsed};

/// The cells a sheet may hold: a big shop's export (200,000 orders of 60 columns) fits
/// with room to spare; a hostile file claiming billions does not get to allocate them.
pub const MAX_CELLS: u64 = 20_000_000;
/// The columns a sheet may span: an export has about 60.
pub const MAX_COLUMNS: u32 = 512;

pub fn read_xlsx(file: &str, bytes: Vec<u8>, shop: ShopTime) -> Result<Parsed, Error> {
    let unreadable = |e: &dyn std::fmt::Display| Error::NotAnExport {
        file: file.to_owned(),
        reason: format!("not a readable .xlsx workbook: {e}"),
    };
    let mut book: Xlsx<_> = Xlsx::new(Cursor::new(bytes)).map_err(|e| unreadable(&e))?;
    let mut parsed = Parsed::default();
    let mut sheets_read = 0;
    for name in book.sheet_names() {
        let sheet = format!("{file} [{name}]");
        // The cells as they are, not the sheet's own claim of its size (its `dimension`),
        // which a damaged or hostile file can set to the whole grid.
        let cells = match sheet_cells(&mut book, &name, &sheet) {
            Ok(c) => c,
            // A chart sheet beside the export is not an error.
            Err(Error::NotAnExport { reason, .. }) if reason == NOT_A_WORKSHEET => continue,
            Err(e) => return Err(e),
        };
        let mut rows = Rows::new(&cells);
        let Some((_, head)) = rows.next() else {
            continue;
        };
        let header = match Header::new(&sheet, head.iter().map(String::as_str)) {
            Ok(h) => h,
            // A sheet of notes or totals beside the export is not an error.
            Err(Error::NotAnExport { .. }) => continue,
            Err(e) => return Err(e),
        };
        sheets_read += 1;
        for (row, cells) in rows {
            // Spreadsheet row numbers, as the user sees them (the first row is 1).
            let line = u64::from(row) + 1;
            read_row(&mut parsed, &sheet, line, &header, &cells, shop);
        }
    }
    if sheets_read == 0 {
        return Err(Error::NotAnExport {
            file: file.to_owned(),
            reason: "no sheet starts with an order export header (订单编号, 买家会员名, …)"
                .to_owned(),
        });
    }
    Ok(parsed)
}

const NOT_A_WORKSHEET: &str = "not a worksheet";

/// A sheet's cells that hold something, as (row, column, text), in row order; at most
/// `MAX_CELLS`, within `MAX_COLUMNS`.
pub(crate) fn sheet_cells(
    book: &mut Xlsx<Cursor<Vec<u8>>>,
    name: &str,
    sheet: &str,
) -> Result<Vec<(u32, u32, String)>, Error> {
    let unreadable = |e: XlsxError| Error::NotAnExport {
        file: sheet.to_owned(),
        reason: match e {
            XlsxError::NotAWorksheet(_) => NOT_A_WORKSHEET.to_owned(),
            e => format!("not a readable sheet: {e}"),
        },
    };
    let mut reader = book.worksheet_cells_reader(name).map_err(unreadable)?;
    let mut cells = Vec::new();
    while let Some(cell) = reader.next_cell().map_err(unreadable)? {
        let (row, col) = cell.get_position();
        let text = cell_text(cell.get_value());
        if text.is_empty() {
            continue;
        }
        if col >= MAX_COLUMNS {
            return Err(Error::TooBig {
                file: sheet.to_owned(),
                what: format!("a cell in column {}", col + 1),
                limit: u64::from(MAX_COLUMNS),
            });
        }
        if cells.len() as u64 >= MAX_CELLS {
            return Err(Error::TooBig {
                file: sheet.to_owned(),
                what: format!("more than {MAX_CELLS} cells"),
                limit: MAX_CELLS,
            });
        }
        cells.push((row, col, text));
    }
    // A well-formed sheet lists its cells in order; a damaged one may not.
    cells.sort_by_key(|&(row, col, _)| (row, col));
    Ok(cells)
}

/// The rows of a sheet, each as wide as the sheet's used columns (as a spreadsheet range
/// would give them), made one at a time.
pub(crate) struct Rows<'a> {
    cells: &'a [(u32, u32, String)],
    first_col: u32,
    width: usize,
}

impl<'a> Rows<'a> {
    pub(crate) fn new(cells: &'a [(u32, u32, String)]) -> Rows<'a> {
        let first_col = cells.iter().map(|c| c.1).min().unwrap_or(0);
        let last_col = cells.iter().map(|c| c.1).max().unwrap_or(0);
        Rows {
            cells,
            first_col,
            width: (last_col - first_col) as usize + 1,
        }
    }
}

impl Iterator for Rows<'_> {
    type Item = (u32, Vec<String>);

    fn next(&mut self) -> Option<(u32, Vec<String>)> {
        let row = self.cells.first()?.0;
        let n = self.cells.iter().take_while(|c| c.0 == row).count();
        let (this, rest) = self.cells.split_at(n);
        self.cells = rest;
        let mut out = vec![String::new(); self.width];
        for (_, col, text) in this {
            if let Some(slot) = out.get_mut((col - self.first_col) as usize) {
                slot.clone_from(text);
            }
        }
        Some((row, out))
    }
}

/// A cell as the text the CSV export would have had.
fn cell_text(d: &DataRef<'_>) -> String {
    match d {
        DataRef::String(s) | DataRef::DateTimeIso(s) | DataRef::DurationIso(s) => s.clone(),
        DataRef::SharedString(s) => (*s).to_owned(),
        DataRef::Int(i) => i.to_string(),
        // A number beyond 15 digits has lost digits in the spreadsheet (an order number
        // saved as a number): written in exponent form, it is rejected, never guessed.
        DataRef::Float(f) if f.abs() >= 1e15 => format!("{f:e}"),
        DataRef::Float(f) if f.fract() == 0.0 => format!("{}", *f as i64),
        DataRef::Float(f) => {
            let cents = (f * 100.0).round();
            if (f * 100.0 - cents).abs() < 1e-6 {
                format!("{:.2}", cents / 100.0)
            } else {
                f.to_string()
            }
        }
        DataRef::Bool(b) => b.to_string(),
        DataRef::DateTime(t) => t
            .as_datetime()
            .map(|t| t.format("%Y-%m-%d %H:%M:%S").to_string())
            .unwrap_or_default(),
        DataRef::Error(e) => format!("#{e:?}"),
        DataRef::Empty => String::new(),
    }
}
