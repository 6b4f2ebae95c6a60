//! The legacy CSV export, and the row reader it shares with the xlsx reader: one row of
//! cells into an order or an item, or a problem located by file, line and column.

use kefu_core::{BuyerNick, CloseReason, Fen, Order, OrderNo, OrderStatus, ShopTime};

use crate::columns::{Field, Header};
use crate::{decode, Error, Item, Parsed, Problem};

/// From this size on, an export is read on two threads, a half each: decoding and
/// validating a million rows takes seconds, and the PC has a second core. Below it,
/// splitting costs more than it saves.
const TWO_THREADS_FROM: usize = 4 << 20;

/// Reads a legacy CSV export (orders or items, told apart by their headers).
pub fn read_csv(file: &str, bytes: &[u8], shop: ShopTime) -> Result<Parsed, Error> {
    if bytes.len() >= TWO_THREADS_FROM {
        if let Some(at) = record_boundary(bytes, bytes.len() / 2) {
            return read_in_two(file, bytes, at, shop);
        }
    }
    read_whole(file, bytes, shop)
}

/// Reads the export on one thread.
pub(crate) fn read_whole(file: &str, bytes: &[u8], shop: ShopTime) -> Result<Parsed, Error> {
    let text = decode::decode(file, bytes)?;
    let header = header_of(file, &text)?;
    Ok(records(file, &text, 1, true, &header, shop))
}

/// Reads the export as two halves split at the record boundary `at`, each decoded and read
/// on its own thread; the result is the one `read_whole` gives (rows, problems, their lines
/// and order).
pub(crate) fn read_in_two(
    file: &str,
    bytes: &[u8],
    at: usize,
    shop: ShopTime,
) -> Result<Parsed, Error> {
    let (first, second) = decode::decode_in_two(file, bytes, at)?;
    if first.trim().is_empty() {
        // Nothing but blank lines before the split: the header is in the second half.
        return read_whole(file, bytes, shop);
    }
    let header = header_of(file, &first)?;
    // A line break is one byte in either encoding and never part of another character.
    let second_line = 1 + bytes
        .get(..at)
        .unwrap_or(bytes)
        .iter()
        .filter(|b| **b == b'\n')
        .count() as u64;
    let (mut parsed, rest) = std::thread::scope(|s| {
        let rest = s.spawn(|| records(file, &second, second_line, false, &header, shop));
        let parsed = records(file, &first, 1, true, &header, shop);
        (parsed, rest.join())
    });
    // The reader does not panic; if it ever did, the import fails as it would on one thread.
    parsed.append(rest.unwrap_or_else(|panic| std::panic::resume_unwind(panic)));
    Ok(parsed)
}

/// The end of the first record that ends at or after `near` (an offset just past its line
/// break, or past a blank line's), as the CSV reader itself sees records: a quoted field
/// may hold line breaks. `None` when no record ends before the end of the file. Works on
/// the raw bytes: the delimiter, the quote and line breaks are single bytes in UTF-8 and
/// GB18030 and never part of another character.
///
/// The states are those of `csv-core`'s reader as `csv_reader` configures it (quote `"`,
/// doubled to escape, no escape character, no comments, CR, LF or CRLF ending a record),
/// reduced to what decides whether a line break ends a record, with quoted text skipped
/// by `memchr`. On the first half of a million-row export this takes 0.12 s, where
/// `csv-core` parsing it field by field took 0.4 s, on one core before the two halves
/// start. The proptest below and the fuzz corpus check that a file split here reads as
/// the whole.
pub(crate) fn record_boundary(bytes: &[u8], near: usize) -> Option<usize> {
    /// Where the scan is: at a field's start (a quote there opens a quoted field), in an
    /// unquoted field (quotes are text), in a quoted field, or just past a quote in one.
    #[derive(Clone, Copy)]
    enum At {
        FieldStart,
        Unquoted,
        Quoted,
        QuoteInQuoted,
    }
    let mut at = At::FieldStart;
    let mut i = 0;
    while let Some(&b) = bytes.get(i) {
        if let At::Quoted = at {
            // Most of an export is inside quotes: jump to the next quote.
            match memchr::memchr(b'"', bytes.get(i..)?) {
                Some(q) => {
                    i += q + 1;
                    at = At::QuoteInQuoted;
                    continue;
                }
                None => return None,
            }
        }
        at = match (at, b) {
            (At::FieldStart, b'"') | (At::QuoteInQuoted, b'"') => At::Quoted,
            (_, b',') => At::FieldStart,
            (_, b'\n' | b'\r') => {
                if i >= near.saturating_sub(1) {
                    // A CRLF is one line ending: the split comes after its LF.
                    let mut end = i + 1;
                    if b == b'\r' && bytes.get(end) == Some(&b'\n') {
                        end += 1;
                    }
                    return (end < bytes.len()).then_some(end);
                }
                At::FieldStart
            }
            _ => At::Unquoted,
        };
        i += 1;
    }
    None
}

/// The CSV reader of an export or a phrase file: rows may differ in width (each is checked
/// against the header), and the header is read as a record. Its quoting is the default,
/// which `record_boundary` follows.
pub(crate) fn csv_reader(text: &str) -> csv::Reader<&[u8]> {
    csv::ReaderBuilder::new()
        .flexible(true)
        .has_headers(false)
        .from_reader(text.as_bytes())
}

/// The header: the first record of the file.
fn header_of(file: &str, text: &str) -> Result<Header, Error> {
    if text.trim().is_empty() {
        return Err(Error::Empty {
            file: file.to_owned(),
        });
    }
    match csv_reader(text).records().next() {
        Some(Ok(h)) => Header::new(file, h.iter()),
        Some(Err(e)) => Err(Error::NotAnExport {
            file: file.to_owned(),
            reason: e.to_string(),
        }),
        None => Err(Error::Empty {
            file: file.to_owned(),
        }),
    }
}

/// The rows of `text`, whose first line is line `first_line` of the file; `skip_header`
/// when `text` starts with the header.
fn records(
    file: &str,
    text: &str,
    first_line: u64,
    skip_header: bool,
    header: &Header,
    shop: ShopTime,
) -> Parsed {
    let mut reader = csv_reader(text);
    // One record, refilled row after row: no allocation per row.
    let mut record = csv::ByteRecord::new();
    let mut parsed = Parsed::default();
    // Lines are counted from byte offsets: the csv reader's own line numbers do not
    // agree with what an editor shows once rows contain CRLF or embedded newlines.
    let mut lines = LineCounter {
        text,
        byte: 0,
        line: first_line,
    };
    let mut header_left = skip_header;
    loop {
        match reader.read_byte_record(&mut record) {
            Ok(false) => break,
            Ok(true) => {}
            Err(e) => {
                let line = e.position().map_or(0, |p| lines.at(p.byte()));
                parsed.rows += 1;
                parsed.reject(problem(file, line, "", "", &format!("unreadable row: {e}")));
                continue;
            }
        }
        if std::mem::take(&mut header_left) {
            continue;
        }
        let line = record.position().map_or(0, |p| lines.at(p.byte()));
        match Fields::of(&record) {
            Some(cells) => read_row(&mut parsed, file, line, header, &cells, shop),
            None => {
                parsed.rows += 1;
                parsed.reject(problem(file, line, "", "", "unreadable row: not UTF-8"));
            }
        }
    }
    parsed
}

/// A row of cells, from a CSV record or a spreadsheet row.
pub(crate) trait Cells {
    fn cell(&self, i: usize) -> Option<&str>;
    fn width(&self) -> usize;
}

/// A CSV record's cells, checked as UTF-8 once for the whole record by `simdutf8`: the
/// csv crate's own check of each `StringRecord` was a tenth of reading an export.
struct Fields<'r> {
    record: &'r csv::ByteRecord,
    text: &'r str,
}

impl<'r> Fields<'r> {
    fn of(record: &'r csv::ByteRecord) -> Option<Fields<'r>> {
        let text = simdutf8::basic::from_utf8(record.as_slice()).ok()?;
        Some(Fields { record, text })
    }
}

impl Cells for Fields<'_> {
    fn cell(&self, i: usize) -> Option<&str> {
        // The record came from text, split at ASCII bytes: every cell is whole characters.
        self.text.get(self.record.range(i)?)
    }
    fn width(&self) -> usize {
        self.record.len()
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
pub(crate) fn read_row(
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
        let close_reason = match (status, reason) {
            (OrderStatus::TradeClosed, Some(r)) => Some(r),
            (OrderStatus::TradeClosed, None) => Some(CloseReason::infer(
                kefu_core::order::unwrap_cell(self.raw(Field::CloseReason)),
                paid_at.is_some(),
            )),
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

#[cfg(test)]
mod tests {
    use proptest::prelude::*;

    use super::*;

    fn sample() -> Vec<u8> {
        let path = std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
            .join("../../../shared/data/ExportOrderList202611120930.csv");
        std::fs::read(path).expect("the sample export")
    }

    fn same_in_two(bytes: &[u8], near: usize) -> Option<usize> {
        let at = record_boundary(bytes, near)?;
        let whole = read_whole("t.csv", bytes, ShopTime::SHANGHAI);
        let two = read_in_two("t.csv", bytes, at, ShopTime::SHANGHAI);
        assert_eq!(two, whole, "split at byte {at} (near {near})");
        Some(at)
    }

    #[test]
    fn the_sample_export_read_in_two_halves_is_the_whole_wherever_it_is_split() {
        let gb = sample();
        let text = encoding_rs::GB18030.decode(&gb).0.into_owned();
        let utf8 = [b"\xEF\xBB\xBF".as_slice(), text.as_bytes()].concat();
        for bytes in [gb, utf8] {
            let splits: Vec<usize> = (0..bytes.len())
                .step_by(997)
                .filter_map(|near| same_in_two(&bytes, near))
                .collect();
            assert!(splits.len() > 20, "{splits:?}");
            // Every split is just past a line break, never inside a quoted field.
            assert!(splits.iter().all(|&at| bytes[at - 1] == b'\n'));
        }
    }

    #[test]
    fn a_boundary_is_never_inside_a_quoted_line_break() {
        let text = "a,b\r\n\"x\r\ny\",1\r\nz,2\r\n";
        assert_eq!(record_boundary(text.as_bytes(), 6), Some(15));
        assert_eq!(
            record_boundary(text.as_bytes(), 17),
            None,
            "the last record ends the file"
        );
        assert_eq!(record_boundary(text.as_bytes(), 2), Some(5));
    }

    /// A cell of an export, quoted or not, with the characters that make splitting hard.
    fn cell() -> impl Strategy<Value = String> {
        let piece = prop::sample::select(vec![
            "a",
            "中",
            "1",
            " ",
            ",",
            "\"",
            "\"\"",
            "\n",
            "\r\n",
            "\r",
            "=\"\"4012\"\"",
        ]);
        (prop::collection::vec(piece, 0..6), any::<bool>()).prop_map(|(p, quoted)| {
            let s = p.concat();
            if quoted {
                format!("\"{}\"", s.replace('"', "\"\""))
            } else {
                s
            }
        })
    }

    proptest! {
        /// Hostile rows (quotes, line breaks inside and outside quotes, unbalanced quotes,
        /// blank lines) read the same in two halves as whole, in both encodings.
        #[test]
        fn any_export_read_in_two_halves_is_the_whole(
            rows in prop::collection::vec(prop::collection::vec(cell(), 1..8), 0..40),
            near in 0usize..4000,
            gbk in any::<bool>(),
        ) {
            let gb = sample();
            let sample = encoding_rs::GB18030.decode(&gb).0.into_owned();
            let mut text: String = sample.lines().take(4).map(|l| format!("{l}\r\n")).collect();
            for row in rows {
                text.push_str(&row.join(","));
                text.push_str("\r\n");
            }
            let bytes = if gbk {
                encoding_rs::GB18030.encode(&text).0.into_owned()
            } else {
                text.into_bytes()
            };
            same_in_two(&bytes, near.min(bytes.len()));
        }
    }
}
