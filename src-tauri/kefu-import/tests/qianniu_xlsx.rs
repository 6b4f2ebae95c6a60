//! The newer Qianniu `.xlsx` export: renamed columns, masked recipients, a sub-order sheet.

use kefu_core::{OrderStatus, ShopTime};
use kefu_import::{read_file, read_xlsx, Error};
use rust_xlsxwriter::Workbook;

fn workbook(main: &[&[&str]], sub: &[&[&str]], amounts_as_numbers: bool) -> Vec<u8> {
    let mut book = Workbook::new();
    let sheet = book.add_worksheet();
    sheet.set_name("订单").unwrap();
    for (r, row) in main.iter().enumerate() {
        for (c, v) in row.iter().enumerate() {
            let (r, c) = (r as u32, c as u16);
            match v.parse::<f64>() {
                Ok(n) if amounts_as_numbers && r > 0 && c == 3 => {
                    sheet.write_number(r, c, n).map(|_| ())
                }
                _ => sheet.write_string(r, c, *v).map(|_| ()),
            }
            .unwrap();
        }
    }
    let subsheet = book.add_worksheet();
    subsheet.set_name("子订单").unwrap();
    for (r, row) in sub.iter().enumerate() {
        for (c, v) in row.iter().enumerate() {
            subsheet.write_string(r as u32, c as u16, *v).unwrap();
        }
    }
    book.save_to_buffer().unwrap()
}

const MAIN_HEADER: &[&str] = &[
    "订单编号",
    "买家会员名",
    "订单状态",
    "买家实付金额",
    "订单创建时间",
    "商品标题",
    "商家备注",
    "收货人姓名",
    "联系手机",
    "收货地址",
];
/// One good order of the main sheet.
const ROW: &[&str] = &[
    "4012345678900000001",
    "云朵希9624",
    "买家已付款,等待卖家发货",
    "119.7",
    "2026-11-11 10:00:00",
    "纯棉打底衫",
    "发顺丰 小美 11/11",
    "崔**",
    "139****5678",
    "浙江省 杭州市 ***",
];
const SUB_HEADER: &[&str] = &[
    "子订单编号",
    "主订单编号",
    "商品标题",
    "商品价格",
    "购买数量",
    "商品属性",
    "订单状态",
    "买家实付金额",
    "退款状态",
    "退款金额",
    "商品ID",
    "发货时间",
];

#[test]
fn renamed_columns_masked_recipients_and_the_sub_order_sheet() {
    let bytes = workbook(
        &[MAIN_HEADER, ROW],
        &[
            SUB_HEADER,
            &[
                "1",
                "4012345678900000001",
                "纯棉打底衫",
                "39.90",
                "3",
                "颜色分类:白色",
                "买家已付款，等待卖家发货",
                "119.70",
                "",
                "",
                "589",
                "",
            ],
        ],
        true,
    );
    let p = read_xlsx("orders.xlsx", bytes, ShopTime::SHANGHAI).unwrap();
    assert_eq!(p.problems, vec![]);
    assert_eq!(p.orders.len(), 1);
    let o = &p.orders[0];
    assert_eq!(o.status, OrderStatus::AwaitingShipment);
    assert_eq!(o.total.0, 11970, "a float cell of 119.7 is 119.70 yuan");
    assert_eq!(o.title, "纯棉打底衫");
    assert_eq!(o.seller_remark, "发顺丰 小美 11/11");
    assert_eq!(
        (o.receiver.as_str(), o.phone.as_str()),
        ("崔**", "139****5678")
    );
    assert_eq!(p.items.len(), 1);
    assert_eq!(
        (
            p.items[0].order_no.as_str(),
            p.items[0].quantity,
            p.items[0].price.0
        ),
        ("4012345678900000001", 3, 3990)
    );
}

#[test]
fn an_order_number_saved_as_a_number_is_rejected_with_its_place() {
    let mut book = Workbook::new();
    let sheet = book.add_worksheet();
    sheet.set_name("订单").unwrap();
    for (c, h) in MAIN_HEADER.iter().enumerate() {
        sheet.write_string(0, c as u16, *h).unwrap();
    }
    sheet.write_number(1, 0, 4012345678900000001.0).unwrap();
    for (c, v) in ["b1", "等待买家付款", "10", "2026-11-11 10:00:00"]
        .iter()
        .enumerate()
    {
        sheet.write_string(1, c as u16 + 1, *v).unwrap();
    }
    let bytes = book.save_to_buffer().unwrap();
    let dir = tempfile_dir();
    let path = dir.join("export.xlsx");
    std::fs::write(&path, bytes).unwrap();
    let p = read_file(&path, ShopTime::SHANGHAI).unwrap();
    assert_eq!(p.orders.len(), 0);
    assert_eq!(p.problems.len(), 1);
    assert_eq!(
        (p.problems[0].line, p.problems[0].column.as_str()),
        (2, "订单编号")
    );
    assert!(
        p.problems[0].file.ends_with("export.xlsx [订单]"),
        "{}",
        p.problems[0].file
    );
}

#[test]
fn a_workbook_that_is_not_an_export() {
    let mut book = Workbook::new();
    book.add_worksheet().write_string(0, 0, "月度汇总").unwrap();
    let bytes = book.save_to_buffer().unwrap();
    assert!(matches!(
        read_xlsx("sum.xlsx", bytes, ShopTime::SHANGHAI),
        Err(Error::NotAnExport { .. })
    ));
    assert!(matches!(
        read_xlsx(
            "bad.xlsx",
            b"PK\x03\x04 truncated".to_vec(),
            ShopTime::SHANGHAI
        ),
        Err(Error::NotAnExport { .. })
    ));
}

/// The workbook with one sheet's XML rewritten by `edit`, as a damaged or hostile file
/// would have it.
fn rewritten(bytes: &[u8], sheet: &str, edit: impl Fn(&str) -> String) -> Vec<u8> {
    use std::io::{Read, Write};
    let mut from = zip::ZipArchive::new(std::io::Cursor::new(bytes)).unwrap();
    let mut to = zip::ZipWriter::new(std::io::Cursor::new(Vec::new()));
    for i in 0..from.len() {
        let mut entry = from.by_index(i).unwrap();
        let name = entry.name().unwrap().into_owned();
        let mut text = Vec::new();
        entry.read_to_end(&mut text).unwrap();
        if name == sheet {
            text = edit(std::str::from_utf8(&text).unwrap()).into_bytes();
        }
        to.start_file(name, zip::write::SimpleFileOptions::default())
            .unwrap();
        to.write_all(&text).unwrap();
    }
    to.finish().unwrap().into_inner()
}

/// A small file whose sheet claims the whole grid (A1:XFD1048576, 17 billion cells) is read
/// by the cells it has: the claim allocates nothing.
#[test]
fn a_sheet_claiming_the_whole_grid_is_read_by_its_cells() {
    let main: Vec<&[&str]> = vec![MAIN_HEADER, ROW];
    let bytes = workbook(&main, &[SUB_HEADER], false);
    let hostile = rewritten(&bytes, "xl/worksheets/sheet1.xml", |xml| {
        let start = xml.find("<dimension ref=\"").unwrap() + "<dimension ref=\"".len();
        let end = start + xml[start..].find('"').unwrap();
        format!("{}A1:XFD1048576{}", &xml[..start], &xml[end..])
    });
    assert_ne!(hostile, bytes);
    assert!(hostile.len() < 20_000, "a small file");
    let p = read_xlsx("claims.xlsx", hostile, ShopTime::SHANGHAI).unwrap();
    assert_eq!((p.orders.len(), p.problems.len()), (1, 0));
}

/// A cell far out in the grid would make the sheet's rows that wide: refused, by name.
#[test]
fn a_cell_beyond_any_export_is_refused_with_the_sheet_named() {
    let mut book = Workbook::new();
    let sheet = book.add_worksheet();
    sheet.set_name("订单").unwrap();
    for (c, h) in MAIN_HEADER.iter().enumerate() {
        sheet.write_string(0, c as u16, *h).unwrap();
    }
    sheet.write_string(1_048_575, 16_383, "x").unwrap();
    let bytes = book.save_to_buffer().unwrap();
    let e = read_xlsx("far.xlsx", bytes, ShopTime::SHANGHAI).unwrap_err();
    assert!(matches!(e, Error::TooBig { .. }), "{e}");
    assert!(e.to_string().contains("far.xlsx [订单]"), "{e}");
    assert!(e.to_string().contains("column 16384"), "{e}");
}

fn tempfile_dir() -> std::path::PathBuf {
    let dir = std::env::temp_dir().join(format!("kefu-xlsx-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    dir
}
