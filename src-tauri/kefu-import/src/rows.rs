//! The legacy CSV export, and the row reader it shares with the xlsx reader: one row of
//! cells into an order or an item, or a problem located by file, line and column.

use kefu_core::{BuyerNick, CloseReason, Fen, Order, OrderNo, OrderStatus, ShopTime};

use crate::columns::{Field, Header};
use crate::{decode, Error, Item, Parsed, Problem};

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
pub(crate) trait Cells {
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
