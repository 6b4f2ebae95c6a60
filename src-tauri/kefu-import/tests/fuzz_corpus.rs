//! Replays the fuzzers' corpora and every input that ever crashed a reader (`fuzz/corpus`,
//! `fuzz/artifacts`) on stable, so that any machine's `cargo test` checks them.

use std::path::Path;

fn replay(target: &str, run: fn(&[u8])) -> usize {
    let fuzz = Path::new(env!("CARGO_MANIFEST_DIR")).join("fuzz");
    let mut n = 0;
    for dir in ["corpus", "artifacts"] {
        let Ok(entries) = std::fs::read_dir(fuzz.join(dir).join(target)) else {
            continue;
        };
        for entry in entries {
            let path = entry.expect("a corpus entry").path();
            let data = std::fs::read(&path).expect("a corpus file");
            eprintln!("{}", path.display());
            run(&data);
            n += 1;
        }
    }
    n
}

#[test]
fn the_csv_corpus_reads_without_a_crash() {
    let n = replay("csv", kefu_import::fuzzing::csv);
    assert!(n >= 3, "the seed corpus is there ({n} inputs)");
}

#[test]
fn the_xlsx_corpus_reads_without_a_crash() {
    let n = replay("xlsx", kefu_import::fuzzing::xlsx);
    assert!(n >= 2, "the seed corpus is there ({n} inputs)");
}

#[test]
fn the_phrase_corpus_reads_without_a_crash() {
    let n = replay("phrases", kefu_import::fuzzing::phrases);
    assert!(n >= 4, "the seed corpus is there ({n} inputs)");
}

/// Writes the seed workbooks of the xlsx corpus (run once: `cargo test -p kefu-import
/// --test fuzz_corpus -- --ignored`).
#[test]
#[ignore]
fn write_the_xlsx_seeds() {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("fuzz/corpus/xlsx");
    std::fs::create_dir_all(&dir).unwrap();
    let main = [
        "订单编号",
        "买家会员名",
        "订单状态",
        "买家实付金额",
        "订单创建时间",
        "商家备注",
    ];
    let row = [
        "4012345678900000001",
        "云朵希9624",
        "买家已付款,等待卖家发货",
        "119.7",
        "2026-11-11 10:00:00",
        "发顺丰",
    ];
    for (name, numbers) in [("orders-text.xlsx", false), ("orders-numbers.xlsx", true)] {
        let mut book = rust_xlsxwriter::Workbook::new();
        let sheet = book.add_worksheet();
        sheet.set_name("订单").unwrap();
        for (c, h) in main.iter().enumerate() {
            sheet.write_string(0, c as u16, *h).unwrap();
        }
        for (c, v) in row.iter().enumerate() {
            match v.parse::<f64>() {
                Ok(n) if numbers && c == 3 => sheet.write_number(1, c as u16, n).map(|_| ()),
                _ => sheet.write_string(1, c as u16, *v).map(|_| ()),
            }
            .unwrap();
        }
        let sub = book.add_worksheet();
        sub.set_name("子订单").unwrap();
        for (c, h) in ["主订单编号", "商品标题", "商品价格", "购买数量"]
            .iter()
            .enumerate()
        {
            sub.write_string(0, c as u16, *h).unwrap();
        }
        for (c, v) in ["4012345678900000001", "纯棉打底衫", "39.90", "3"]
            .iter()
            .enumerate()
        {
            sub.write_string(1, c as u16, *v).unwrap();
        }
        std::fs::write(dir.join(name), book.save_to_buffer().unwrap()).unwrap();
    }
}
