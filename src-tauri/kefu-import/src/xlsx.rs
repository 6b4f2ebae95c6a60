//! The newer Qianniu `.xlsx` export: a main sheet of orders and a sub-order sheet of items,
//! with user-chosen and renamed columns. Each sheet goes through the same header table and
//! row reader as the CSV export; problems are located as `file [sheet]:row`.

use std::io::Cursor;

use calamine::{open_workbook_auto_from_rs, Data, Reader};
use kefu_core::ShopTime;

use crate::columns::Header;
use crate::{read_row, Error, Parsed};

pub fn read_xlsx(file: &str, bytes: Vec<u8>, shop: ShopTime) -> Result<Parsed, Error> {
    let unreadable = |e: &dyn std::fmt::Display| Error::NotAnExport {
        file: file.to_owned(),
        reason: format!("not a readable .xlsx workbook: {e}"),
    };
    let mut book = open_workbook_auto_from_rs(Cursor::new(bytes)).map_err(|e| unreadable(&e))?;
    let mut parsed = Parsed::default();
    let mut sheets_read = 0;
    for name in book.sheet_names() {
        let range = book.worksheet_range(&name).map_err(|e| unreadable(&e))?;
        let first_row = range.start().map_or(0, |(r, _)| u64::from(r));
        let mut rows = range.rows();
        let Some(head) = rows.next() else { continue };
        let names: Vec<String> = head.iter().map(cell_text).collect();
        let sheet = format!("{file} [{name}]");
        let header = match Header::new(&sheet, names.iter().map(String::as_str)) {
            Ok(h) => h,
            // A sheet of notes or totals beside the export is not an error.
            Err(Error::NotAnExport { .. }) => continue,
            Err(e) => return Err(e),
        };
        sheets_read += 1;
        for (k, row) in rows.enumerate() {
            let cells: Vec<String> = row.iter().map(cell_text).collect();
            // Spreadsheet row numbers, as the user sees them: the header is row 1.
            let line = first_row + k as u64 + 2;
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

/// A cell as the text the CSV export would have had.
fn cell_text(d: &Data) -> String {
    match d {
        Data::String(s) | Data::DateTimeIso(s) | Data::DurationIso(s) => s.clone(),
        Data::Int(i) => i.to_string(),
        // A number beyond 15 digits has lost digits in the spreadsheet (an order number
        // saved as a number): written in exponent form, it is rejected, never guessed.
        Data::Float(f) if f.abs() >= 1e15 => format!("{f:e}"),
        Data::Float(f) if f.fract() == 0.0 => format!("{}", *f as i64),
        Data::Float(f) => {
            let cents = (f * 100.0).round();
            if (f * 100.0 - cents).abs() < 1e-6 {
                format!("{:.2}", cents / 100.0)
            } else {
                f.to_string()
            }
        }
        Data::Bool(b) => b.to_string(),
        Data::DateTime(t) => t
            .as_datetime()
            .map(|t| t.format("%Y-%m-%d %H:%M:%S").to_string())
            .unwrap_or_default(),
        Data::Error(e) => format!("#{e:?}"),
        Data::Empty => String::new(),
    }
}
