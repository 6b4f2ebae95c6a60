//! 绩效 out to a spreadsheet: `.xlsx` (a summary sheet and a per-agent-per-day sheet,
//! Chinese headers, yuan and percent formats, the header row frozen) and CSV (UTF-8 with
//! BOM so that Excel opens it). The figures are kefu-core's; nothing is computed here.

use std::collections::BTreeMap;

use chrono::NaiveDate;
use kefu_core::kpi::{Figures, ShiftHours};

use crate::Error;

/// One column: its header and how a row's figures fill it.
enum Cell {
    Count(u64),
    Yuan(Option<i64>),
    Percent(Option<f64>),
    Seconds(Option<f64>),
    Ratio(Option<f64>),
}

const HEADERS: [&str; 18] = [
    "接待人数",
    "询单人数",
    "询单→下单(当日)",
    "询单→下单(次日)",
    "询单→下单(最终)",
    "询单→付款(当日)",
    "询单→付款(次日)",
    "询单→付款(最终)",
    "客服销售额(元)",
    "付款人数",
    "客单价(元)",
    "落实客单价(元)",
    "首次响应(秒)",
    "平均响应(秒)",
    "回复率",
    "答问比",
    "退款率",
    "催付成功率",
];

fn cells(f: &Figures) -> [Cell; 18] {
    let r = &f.rates;
    [
        Cell::Count(f.received),
        Cell::Count(f.inquired),
        Cell::Percent(r.order_conversion[0]),
        Cell::Percent(r.order_conversion[1]),
        Cell::Percent(r.order_conversion[2]),
        Cell::Percent(r.pay_conversion[0]),
        Cell::Percent(r.pay_conversion[1]),
        Cell::Percent(r.pay_conversion[2]),
        Cell::Yuan(Some(f.sales.0)),
        Cell::Count(f.paying_buyers),
        Cell::Yuan(r.per_buyer),
        Cell::Yuan(r.kept_per_buyer),
        Cell::Seconds(r.first_response_secs),
        Cell::Seconds(r.response_secs),
        Cell::Percent(r.reply_rate),
        Cell::Ratio(r.answer_ratio),
        Cell::Percent(r.refund_rate),
        Cell::Percent(r.chase_success),
    ]
}

/// What a report holds, as rows: the summary (an agent or 团队 and its figures) and the
/// days (date, agent or 团队, figures); the shop's and the silent sales, when the reader
/// may see them.
pub struct KpiSheets<'a> {
    pub title: String,
    pub summary: Vec<(String, &'a Figures)>,
    pub days: Vec<(NaiveDate, String, &'a Figures)>,
    pub silent_sales: Option<i64>,
    pub shop_sales: Option<i64>,
    pub provisional: bool,
    /// Agents with published shifts in the period, by name.
    pub shifts: &'a BTreeMap<String, ShiftHours>,
}

/// The shift columns after the figures, in the summary only.
const SHIFT_HEADERS: [&str; 3] = ["排班工时(小时)", "在岗工时(小时)", "排班遵守率"];

fn shift_cells(s: &KpiSheets, agent: &str) -> Option<[Cell; 3]> {
    let sh = s.shifts.get(agent)?;
    let hours = |m: i64| Cell::Seconds(Some(m as f64 / 60.0));
    Some([
        hours(sh.scheduled_minutes),
        hours(sh.present_minutes),
        Cell::Percent(sh.adherence),
    ])
}

fn text(c: &Cell) -> String {
    match c {
        Cell::Count(n) => n.to_string(),
        Cell::Yuan(Some(f)) => format!("{}.{:02}", f / 100, (f % 100).abs()),
        Cell::Percent(Some(p)) => format!("{:.2}%", p * 100.0),
        Cell::Seconds(Some(s)) | Cell::Ratio(Some(s)) => format!("{s:.2}"),
        _ => String::new(),
    }
}

pub fn write_csv(s: &KpiSheets) -> Result<Vec<u8>, Error> {
    let io = |e: csv::Error| Error::Io {
        file: "绩效.csv".to_owned(),
        reason: e.to_string(),
    };
    let mut w = csv::WriterBuilder::new()
        .flexible(true)
        .from_writer(b"\xEF\xBB\xBF".to_vec());
    let head: Vec<&str> = ["日期", "客服"]
        .iter()
        .chain(HEADERS.iter())
        .chain(SHIFT_HEADERS.iter())
        .copied()
        .collect();
    w.write_record(head).map_err(io)?;
    let line = |first: String, agent: &str, f: &Figures| -> Vec<String> {
        let mut row = vec![first, agent.to_owned()];
        row.extend(cells(f).iter().map(text));
        row
    };
    for (agent, f) in &s.summary {
        let mut row = line("合计".to_owned(), agent, f);
        row.extend(shift_cells(s, agent).iter().flatten().map(text));
        w.write_record(row).map_err(io)?;
    }
    for (day, agent, f) in &s.days {
        w.write_record(line(day.to_string(), agent, f))
            .map_err(io)?;
    }
    w.into_inner().map_err(|e| Error::Io {
        file: "绩效.csv".to_owned(),
        reason: e.to_string(),
    })
}

pub fn write_xlsx(s: &KpiSheets) -> Result<Vec<u8>, Error> {
    use rust_xlsxwriter::{Format, Workbook, Worksheet};
    let io = |e: rust_xlsxwriter::XlsxError| Error::Io {
        file: "绩效.xlsx".to_owned(),
        reason: e.to_string(),
    };
    let bold = Format::new().set_bold().set_text_wrap();
    let yuan = Format::new().set_num_format("#,##0.00");
    let percent = Format::new().set_num_format("0.0%");
    let decimal = Format::new().set_num_format("0.0");
    let write_cells = |sheet: &mut Worksheet,
                       row: u32,
                       first: u16,
                       cells: &[Cell]|
     -> Result<(), rust_xlsxwriter::XlsxError> {
        for (i, c) in cells.iter().enumerate() {
            let col = first + i as u16;
            match c {
                Cell::Count(n) => sheet.write_number(row, col, *n as f64).map(drop)?,
                Cell::Yuan(Some(fen)) => sheet
                    .write_number_with_format(row, col, *fen as f64 / 100.0, &yuan)
                    .map(drop)?,
                Cell::Percent(Some(p)) => sheet
                    .write_number_with_format(row, col, *p, &percent)
                    .map(drop)?,
                Cell::Seconds(Some(v)) | Cell::Ratio(Some(v)) => sheet
                    .write_number_with_format(row, col, *v, &decimal)
                    .map(drop)?,
                _ => {}
            }
        }
        Ok(())
    };
    let mut book = Workbook::new();
    let summary = book.add_worksheet();
    summary.set_name("汇总").map_err(io)?;
    summary.write_with_format(0, 0, "客服", &bold).map_err(io)?;
    for (i, h) in HEADERS.iter().chain(SHIFT_HEADERS.iter()).enumerate() {
        summary
            .write_with_format(0, 1 + i as u16, *h, &bold)
            .map_err(io)?;
    }
    summary.set_freeze_panes(1, 1).map_err(io)?;
    summary.set_column_width(0, 14.0).map_err(io)?;
    for (i, (agent, f)) in s.summary.iter().enumerate() {
        let row = 1 + i as u32;
        summary.write(row, 0, agent.as_str()).map_err(io)?;
        write_cells(summary, row, 1, &cells(f)).map_err(io)?;
        if let Some(shift) = shift_cells(s, agent) {
            write_cells(summary, row, 1 + HEADERS.len() as u16, &shift).map_err(io)?;
        }
    }
    let mut row = s.summary.len() as u32 + 2;
    for (label, fen) in [
        ("静默销售额(元)", s.silent_sales),
        ("全店销售额(元)", s.shop_sales),
    ] {
        if let Some(fen) = fen {
            summary.write(row, 0, label).map_err(io)?;
            summary
                .write_number_with_format(row, 1, fen as f64 / 100.0, &yuan)
                .map_err(io)?;
            row += 1;
        }
    }
    summary.write(row + 1, 0, s.title.as_str()).map_err(io)?;
    if s.provisional {
        summary
            .write(row + 2, 0, "转化率在结算期内，仍可能上升（暂定）")
            .map_err(io)?;
    }
    let days = book.add_worksheet();
    days.set_name("每日明细").map_err(io)?;
    for (i, h) in ["日期", "客服"].iter().chain(HEADERS.iter()).enumerate() {
        days.write_with_format(0, i as u16, *h, &bold).map_err(io)?;
    }
    days.set_freeze_panes(1, 2).map_err(io)?;
    for (i, (day, agent, f)) in s.days.iter().enumerate() {
        let row = 1 + i as u32;
        days.write(row, 0, day.to_string()).map_err(io)?;
        days.write(row, 1, agent.as_str()).map_err(io)?;
        write_cells(days, row, 2, &cells(f)).map_err(io)?;
    }
    book.save_to_buffer().map_err(io)
}
