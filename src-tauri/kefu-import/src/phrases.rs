//! Quick phrase files, as shop teams exchange them: CSV (GB18030 or UTF-8, with or without
//! BOM) or `.xlsx` with the columns 分组 / 快捷编码 / 短语内容 (or 快捷短语), and JSON (what
//! `write_json` writes). Every bad row and every code used twice is located by file and
//! line (spreadsheet row, or element of the JSON array), with its value.

use std::io::Cursor;

use calamine::{Reader, Xlsx};
use kefu_core::phrases::{Phrase, Set};
use serde::{Deserialize, Serialize};

use crate::xlsx::{sheet_cells, Rows};
use crate::{decode, Error, Problem, MAX_PROBLEMS};

/// A phrase file read: the good phrases with the line each came from, and the problems.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize)]
pub struct PhraseFile {
    pub phrases: Vec<(u64, Phrase)>,
    /// Data rows read, good and bad.
    pub rows: u64,
    pub rejected: u64,
    /// The first `MAX_PROBLEMS`.
    pub problems: Vec<Problem>,
}

/// The most phrases a file may hold: a big shop's library is a few thousand.
pub const MAX_PHRASES: u64 = 50_000;

const GROUP: &[&str] = &["分组", "group"];
const CODE: &[&str] = &["快捷编码", "编码", "code"];
const TEXT: &[&str] = &["短语内容", "快捷短语", "内容", "text"];

/// A phrase as JSON: the set too, when a file holds both.
#[derive(Clone, Debug, Serialize, Deserialize)]
struct JsonPhrase {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    set: Option<Set>,
    #[serde(default)]
    group: String,
    code: String,
    text: String,
}

/// The largest phrase file read: a library of thousands of phrases is well under a MB.
pub const MAX_PHRASE_FILE_BYTES: u64 = 50 << 20;

/// Reads a phrase file from disk: a regular file of at most `MAX_PHRASE_FILE_BYTES`.
pub fn read_phrase_file(path: &std::path::Path) -> Result<PhraseFile, Error> {
    let bytes = crate::read_regular_file(path, MAX_PHRASE_FILE_BYTES)?;
    read_phrases(&path.display().to_string(), &bytes)
}

/// Reads a phrase file, choosing the format by its content.
pub fn read_phrases(file: &str, bytes: &[u8]) -> Result<PhraseFile, Error> {
    if bytes.starts_with(b"PK\x03\x04") {
        return read_xlsx(file, bytes.to_vec());
    }
    let text = decode::decode(file, bytes)?;
    if text.trim_start().starts_with('[') {
        return read_json(file, &text);
    }
    read_csv(file, &text)
}

fn read_csv(file: &str, text: &str) -> Result<PhraseFile, Error> {
    let mut reader = crate::rows::csv_reader(text);
    let mut rows: Vec<(u64, Vec<String>)> = Vec::new();
    // Lines as an editor shows them, whatever the line endings and quoted line breaks.
    let mut lines = crate::rows::LineCounter {
        text,
        byte: 0,
        line: 1,
    };
    for record in reader.records() {
        let record = record.map_err(|e| Error::NotAnExport {
            file: file.to_owned(),
            reason: format!("not a readable CSV file: {e}"),
        })?;
        let line = record.position().map_or(0, |p| lines.at(p.byte()));
        rows.push((line, record.iter().map(str::to_owned).collect()));
    }
    read_table(file, rows)
}

fn read_xlsx(file: &str, bytes: Vec<u8>) -> Result<PhraseFile, Error> {
    let mut book: Xlsx<_> = Xlsx::new(Cursor::new(bytes)).map_err(|e| Error::NotAnExport {
        file: file.to_owned(),
        reason: format!("not a readable .xlsx workbook: {e}"),
    })?;
    let Some(name) = book.sheet_names().first().cloned() else {
        return Err(Error::Empty {
            file: file.to_owned(),
        });
    };
    let cells = sheet_cells(&mut book, &name, &format!("{file} [{name}]"))?;
    let rows = Rows::new(&cells)
        .map(|(row, cells)| (u64::from(row) + 1, cells))
        .collect();
    read_table(file, rows)
}

/// Rows of cells with their line numbers, the first being the header.
fn read_table(file: &str, rows: Vec<(u64, Vec<String>)>) -> Result<PhraseFile, Error> {
    let mut rows = rows.into_iter();
    let Some((_, header)) = rows.next() else {
        return Err(Error::Empty {
            file: file.to_owned(),
        });
    };
    let find = |names: &[&str]| {
        header
            .iter()
            .position(|h| names.contains(&h.trim().trim_start_matches('\u{feff}')))
    };
    let missing = |column: &'static str| Error::MissingColumn {
        file: file.to_owned(),
        column,
    };
    let group = find(GROUP);
    let code = find(CODE).ok_or_else(|| missing("快捷编码"))?;
    let text = find(TEXT).ok_or_else(|| missing("短语内容"))?;
    let mut out = PhraseFile::default();
    for (line, cells) in rows {
        if cells.iter().all(|c| c.trim().is_empty()) {
            continue;
        }
        let cell = |i: Option<usize>| i.and_then(|i| cells.get(i)).cloned().unwrap_or_default();
        let phrase = Phrase {
            group: cell(group),
            code: cell(Some(code)),
            text: cell(Some(text)),
        };
        take(&mut out, file, line, phrase)?;
    }
    Ok(out)
}

fn read_json(file: &str, text: &str) -> Result<PhraseFile, Error> {
    let items: Vec<serde_json::Value> =
        serde_json::from_str(text).map_err(|e| Error::NotAnExport {
            file: file.to_owned(),
            reason: format!("not a phrase JSON file: line {}: {e}", e.line()),
        })?;
    let mut out = PhraseFile::default();
    for (i, item) in items.into_iter().enumerate() {
        // Elements are counted from 1, as the problems name them.
        let n = i as u64 + 1;
        match serde_json::from_value::<JsonPhrase>(item) {
            Ok(p) => {
                let phrase = Phrase {
                    group: p.group,
                    code: p.code,
                    text: p.text,
                };
                take(&mut out, file, n, phrase)?;
            }
            Err(e) => {
                out.rows += 1;
                reject(&mut out, file, n, "", "", &format!("not a phrase: {e}"));
            }
        }
    }
    Ok(out)
}

/// One data row: checked by the core's rules, its code not used by an earlier row.
fn take(out: &mut PhraseFile, file: &str, line: u64, phrase: Phrase) -> Result<(), Error> {
    out.rows += 1;
    if out.rows > MAX_PHRASES {
        return Err(Error::TooBig {
            file: file.to_owned(),
            what: format!("more than {MAX_PHRASES} phrases"),
            limit: MAX_PHRASES,
        });
    }
    let code = phrase.code.clone();
    let checked = match phrase.checked() {
        Ok(p) => p,
        Err(e) => {
            let (column, value) = match &e {
                kefu_core::Error::Invalid { field, value, .. } => (*field, value.clone()),
                kefu_core::Error::Limit { field, .. } => (*field, String::new()),
                _ => ("", String::new()),
            };
            // Named as the file's columns are.
            let column = match column {
                "group" => "分组",
                "code" => "快捷编码",
                "text" | "phrase" => "短语内容",
                other => other,
            };
            reject(out, file, line, column, &value, &e.to_string());
            return Ok(());
        }
    };
    let same = |p: &Phrase| p.code.to_lowercase() == checked.code.to_lowercase();
    if let Some((first, _)) = out.phrases.iter().find(|(_, p)| same(p)) {
        let reason = format!("code used again (first at line {first})");
        reject(out, file, line, "快捷编码", &code, &reason);
        return Ok(());
    }
    out.phrases.push((line, checked));
    Ok(())
}

fn reject(out: &mut PhraseFile, file: &str, line: u64, column: &str, value: &str, reason: &str) {
    out.rejected += 1;
    if out.problems.len() < MAX_PROBLEMS {
        out.problems.push(Problem {
            file: file.to_owned(),
            line,
            column: column.to_owned(),
            value: value.chars().take(80).collect(),
            reason: reason.to_owned(),
        });
    }
}

/// The header the writers use, as the template shop teams exchange has it (and 集合 when a
/// file holds both sets).
const HEADER: [&str; 3] = ["分组", "快捷编码", "短语内容"];

fn set_name(set: Set) -> &'static str {
    match set {
        Set::Shop => "店铺",
        Set::Personal => "个人",
    }
}

/// CSV in UTF-8 with a BOM, so that Excel opens it as such.
pub fn write_csv(phrases: &[(Set, Phrase)], both: bool) -> Result<Vec<u8>, Error> {
    let mut w = csv::Writer::from_writer(b"\xEF\xBB\xBF".to_vec());
    let io = |e: csv::Error| Error::Io {
        file: "phrases.csv".to_owned(),
        reason: e.to_string(),
    };
    let mut header: Vec<&str> = HEADER.to_vec();
    if both {
        header.push("集合");
    }
    w.write_record(&header).map_err(io)?;
    for (set, p) in phrases {
        let mut row = vec![p.group.as_str(), p.code.as_str(), p.text.as_str()];
        if both {
            row.push(set_name(*set));
        }
        w.write_record(&row).map_err(io)?;
    }
    w.into_inner().map_err(|e| Error::Io {
        file: "phrases.csv".to_owned(),
        reason: e.to_string(),
    })
}

pub fn write_json(phrases: &[(Set, Phrase)], both: bool) -> Result<Vec<u8>, Error> {
    let items: Vec<JsonPhrase> = phrases
        .iter()
        .map(|(set, p)| JsonPhrase {
            set: both.then_some(*set),
            group: p.group.clone(),
            code: p.code.clone(),
            text: p.text.clone(),
        })
        .collect();
    serde_json::to_vec_pretty(&items).map_err(|e| Error::Io {
        file: "phrases.json".to_owned(),
        reason: e.to_string(),
    })
}

/// The spreadsheet template: one sheet, a bold frozen header, text columns wide enough.
pub fn write_xlsx(phrases: &[(Set, Phrase)], both: bool) -> Result<Vec<u8>, Error> {
    use rust_xlsxwriter::{Format, Workbook};
    let io = |e: rust_xlsxwriter::XlsxError| Error::Io {
        file: "phrases.xlsx".to_owned(),
        reason: e.to_string(),
    };
    let mut book = Workbook::new();
    let sheet = book.add_worksheet();
    sheet.set_name("快捷短语").map_err(io)?;
    let bold = Format::new().set_bold();
    let mut header: Vec<&str> = HEADER.to_vec();
    if both {
        header.push("集合");
    }
    for (col, h) in header.iter().enumerate() {
        sheet
            .write_with_format(0, col as u16, *h, &bold)
            .map_err(io)?;
    }
    sheet.set_freeze_panes(1, 0).map_err(io)?;
    for (col, width) in [(0u16, 12.0), (1, 14.0), (2, 80.0), (3, 8.0)] {
        sheet.set_column_width(col, width).map_err(io)?;
    }
    for (i, (set, p)) in phrases.iter().enumerate() {
        let row = i as u32 + 1;
        sheet.write(row, 0, p.group.as_str()).map_err(io)?;
        sheet.write(row, 1, p.code.as_str()).map_err(io)?;
        sheet.write(row, 2, p.text.as_str()).map_err(io)?;
        if both {
            sheet.write(row, 3, set_name(*set)).map_err(io)?;
        }
    }
    book.save_to_buffer().map_err(io)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn sample() -> Vec<(Set, Phrase)> {
        vec![
            (
                Set::Shop,
                Phrase::new("问候", "hy", "亲，您好！\n请问有什么可以帮您？"),
            ),
            (
                Set::Shop,
                Phrase::new("催付", "cf", "亲，{买家}，您的订单 {订单号} 还没付款哦"),
            ),
            (
                Set::Personal,
                Phrase::new("默认", "我的", "<img src=x onerror=alert(1)>, \"引号\""),
            ),
        ]
    }

    fn read_back(bytes: &[u8]) -> Vec<Phrase> {
        let f = read_phrases("back", bytes).expect("reads back");
        assert_eq!(f.rejected, 0, "{:?}", f.problems);
        f.phrases.into_iter().map(|(_, p)| p).collect()
    }

    #[test]
    fn every_format_reads_back_what_it_wrote() {
        let phrases: Vec<Phrase> = sample().into_iter().map(|(_, p)| p).collect();
        for both in [false, true] {
            assert_eq!(read_back(&write_csv(&sample(), both).unwrap()), phrases);
            assert_eq!(read_back(&write_json(&sample(), both).unwrap()), phrases);
            assert_eq!(read_back(&write_xlsx(&sample(), both).unwrap()), phrases);
        }
    }

    #[test]
    fn a_gb18030_template_with_the_qianniu_header_reads() {
        let text =
            "分组,快捷编码,快捷短语\r\n问候,hy,亲，在的哦\r\n,sc,\"实物拍摄\r\n没有色差\"\r\n";
        let (gbk, _, _) = encoding_rs::GB18030.encode(text);
        let f = read_phrases("短语.csv", &gbk).unwrap();
        assert_eq!(f.rows, 2);
        assert_eq!(f.phrases[0], (2, Phrase::new("问候", "hy", "亲，在的哦")));
        assert_eq!(f.phrases[1].1.group, "默认");
        assert_eq!(f.phrases[1].1.text, "实物拍摄\r\n没有色差");
    }

    #[test]
    fn bad_rows_and_codes_used_twice_are_located_with_their_value() {
        let text =
            "分组,快捷编码,短语内容\n问候,hy,亲\n问候,HY,再次\n问候,,没有编码\n问候,dd,{订单}\n";
        let f = read_phrases("短语.csv", text.as_bytes()).unwrap();
        assert_eq!((f.rows, f.rejected, f.phrases.len()), (4, 3, 1));
        let seen: Vec<(u64, &str, &str)> = f
            .problems
            .iter()
            .map(|p| (p.line, p.column.as_str(), p.value.as_str()))
            .collect();
        assert_eq!(
            seen,
            [
                (3, "快捷编码", "HY"),
                (4, "快捷编码", ""),
                (5, "短语内容", "订单")
            ]
        );
        assert!(
            f.problems[0].reason.contains("line 2"),
            "{:?}",
            f.problems[0]
        );
    }

    #[test]
    fn a_file_without_the_columns_or_not_a_phrase_file_says_so() {
        let e = read_phrases("x.csv", "名称,内容\na,b\n".as_bytes()).unwrap_err();
        assert!(e.to_string().contains("快捷编码"), "{e}");
        let e = read_phrases("x.json", b"[{\"code\": 1}]").unwrap();
        assert_eq!((e.rejected, e.problems[0].line), (1, 1));
        assert!(read_phrases("x.json", b"[oops").is_err());
    }
}
