//! The legacy CSV reader against the shop's sample export and every quirk real exports have.

use std::collections::{BTreeMap, BTreeSet};
use std::path::PathBuf;

use kefu_core::{group_of, Group, OrderStatus, ShopTime};
use kefu_import::{read_csv, read_file, Error};

fn sample(name: &str) -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("../../../shared/data")
        .join(name)
}

const HEADER: &str = "\"订单编号\",\"买家会员名\",\"总金额\",\"买家应付邮费\",\"订单状态\",\"买家留言\",\"收货地址 \",\"联系手机\",\"订单创建时间\",\"订单付款时间 \",\"宝贝标题 \",\"订单关闭原因\",\"某个新列\"\r\n";

fn gbk(text: &str) -> Vec<u8> {
    encoding_rs::GB18030.encode(text).0.into_owned()
}

#[test]
fn the_sample_export_imports_with_the_expected_counts() {
    let parsed = read_file(
        &sample("ExportOrderList202611120930.csv"),
        ShopTime::SHANGHAI,
    )
    .unwrap();
    assert_eq!(parsed.problems, vec![]);
    assert_eq!(parsed.orders.len(), 240);
    let mut statuses = BTreeMap::new();
    let mut buyers: BTreeMap<&str, Vec<OrderStatus>> = BTreeMap::new();
    for o in &parsed.orders {
        *statuses.entry(o.status).or_insert(0) += 1;
        buyers.entry(o.buyer.as_str()).or_default().push(o.status);
    }
    assert_eq!(statuses[&OrderStatus::AwaitingPayment], 69);
    assert_eq!(statuses[&OrderStatus::AwaitingShipment], 35);
    assert_eq!(statuses[&OrderStatus::Shipped], 59);
    assert_eq!(statuses[&OrderStatus::TradeSuccess], 59);
    assert_eq!(statuses[&OrderStatus::TradeClosed], 18);
    assert_eq!(buyers.len(), 75);
    let mut groups = BTreeMap::new();
    for s in buyers.values() {
        *groups.entry(group_of(s.iter().copied())).or_insert(0) += 1;
    }
    assert_eq!(groups.get(&Group::Order), Some(&60));
    assert_eq!(groups.get(&Group::Shipped), Some(&12));
    assert_eq!(groups.get(&Group::Closed), Some(&3));
    assert_eq!(groups.get(&Group::Inquiry), None);
    let unpaid: BTreeSet<_> = parsed
        .orders
        .iter()
        .filter(|o| o.status == OrderStatus::AwaitingPayment)
        .map(|o| o.buyer.as_str())
        .collect();
    assert_eq!(unpaid.len(), 51);

    let first = &parsed.orders[0];
    assert_eq!(first.no.as_str(), "4012345678901235164");
    assert_eq!(first.buyer.as_str(), "云朵希9624");
    assert_eq!(first.total.0, 38700);
    assert_eq!(first.phone, "14174552931", "apostrophe prefix dropped");
    assert_eq!(
        first.created_at,
        ShopTime::SHANGHAI
            .parse_local("2026-11-09 07:45:00")
            .unwrap()
    );
    assert!(
        parsed
            .orders
            .iter()
            .any(|o| o.buyer.as_str().starts_with('𠮷')),
        "a 4-byte GB18030 character survives"
    );
}

#[test]
fn the_sample_items_file_reads_as_items() {
    let parsed = read_file(
        &sample("ExportOrderDetailList202611120930.csv"),
        ShopTime::SHANGHAI,
    )
    .unwrap();
    assert_eq!(parsed.problems, vec![]);
    assert!(parsed.orders.is_empty());
    assert!(parsed.items.len() >= 240, "{}", parsed.items.len());
    let first = &parsed.items[0];
    assert_eq!(
        (first.order_no.as_str(), first.price.0, first.quantity),
        ("4012345678901235164", 12900, 3)
    );
    assert_eq!(first.attributes, "颜色分类:米白;尺码:均码");
}

#[test]
fn utf8_with_and_without_bom_and_every_quirk() {
    let rows = "\"=\"\"4012345678901230001\"\"\",\"<img src=x onerror=alert(1)>\",\"12.30\",\"0.00\",\"买家已付款,等待卖家发货\",\"第一行\r\n第二行，还有\"\"引号\"\"\",\"杭州\",\"'13912345678\",\"2026-11-11 23:50:00\",\"2026-11-11 23:55:00\",\"毛衣\",\"订单未关闭\",\"x\"\r\n\
                \"4012345678901230002.00\",\"b2\",\"5\",\"\",\"交易关闭\",\"\",\"\",\"\",\"2026-11-11 10:00:00\",\"\",\"\",\"买家取消\",\"\"\r\n";
    for bom in [&b""[..], &b"\xEF\xBB\xBF"[..]] {
        let mut bytes = bom.to_vec();
        bytes.extend_from_slice(HEADER.as_bytes());
        bytes.extend_from_slice(rows.as_bytes());
        let p = read_csv("t.csv", &bytes, ShopTime::SHANGHAI).unwrap();
        assert_eq!(p.problems, vec![]);
        assert_eq!(p.orders.len(), 2);
        let o = &p.orders[0];
        assert_eq!(
            o.buyer.as_str(),
            "<img src=x onerror=alert(1)>",
            "hostile text stored verbatim"
        );
        assert_eq!(o.status, OrderStatus::AwaitingShipment);
        assert_eq!(o.buyer_message, "第一行\r\n第二行，还有\"引号\"");
        assert_eq!(o.phone, "13912345678");
        assert_eq!(o.total.0, 1230);
        assert_eq!(p.orders[1].no.as_str(), "4012345678901230002");
        assert_eq!(
            p.orders[1].close_reason,
            Some(kefu_core::CloseReason::Unpaid)
        );
    }
    // The same text in GB18030 reads the same.
    let p = read_csv(
        "t.csv",
        &gbk(&format!("{HEADER}{rows}")),
        ShopTime::SHANGHAI,
    )
    .unwrap();
    assert_eq!(p.orders.len(), 2);
    assert_eq!(p.orders[0].buyer_message, "第一行\r\n第二行，还有\"引号\"");
}

#[test]
fn bad_rows_are_located_by_line_and_column() {
    let text = format!(
        "{HEADER}\"1001\",\"a\",\"1.00\",\"\",\"等待买家付款\",\"\",\"\",\"\",\"2026-11-11 10:00:00\",\"\",\"\",\"\",\"\"\r\n\
         \"10O2\",\"b\",\"1.00\",\"\",\"等待买家付款\",\"\",\"\",\"\",\"2026-11-11 10:00:00\",\"\",\"\",\"\",\"\"\r\n\
         \"1003\",\"c\",\"一元\",\"\",\"等待买家付款\",\"\",\"\",\"\",\"2026-11-11 10:00:00\",\"\",\"\",\"\",\"\"\r\n\
         \"1004\",\"d\",\"1.00\",\"\",\"已经发了\",\"\",\"\",\"\",\"2026-11-11 10:00:00\",\"\",\"\",\"\",\"\"\r\n\
         \"1005\",\"e\",\"1.00\",\"\",\"等待买家付款\",\"\",\"\",\"\",\"11/11/2026\",\"\",\"\",\"\",\"\"\r\n\
         \"1006\",\"f\",\"1.00\",\"\",\"等待买"
    );
    let p = read_csv("bad.csv", text.as_bytes(), ShopTime::SHANGHAI).unwrap();
    assert_eq!(p.orders.len(), 1);
    assert_eq!(p.rows, 6);
    let found: Vec<(u64, &str, &str)> = p
        .problems
        .iter()
        .map(|x| (x.line, x.column.as_str(), x.value.as_str()))
        .collect();
    assert_eq!(
        found,
        vec![
            (3, "订单编号", "10O2"),
            (4, "总金额", "一元"),
            (5, "订单状态", "已经发了"),
            (6, "订单创建时间", "11/11/2026"),
            (7, "", ""),
        ]
    );
    assert!(
        p.problems[4].reason.contains("truncated"),
        "{}",
        p.problems[4].reason
    );
    assert_eq!(
        p.problems[0].to_string(),
        "bad.csv:3: column \"订单编号\": must be 1–32 digits (value \"10O2\")"
    );
}

#[test]
fn files_that_are_not_exports_get_a_clear_error() {
    let sh = ShopTime::SHANGHAI;
    assert_eq!(
        read_csv("e.csv", b"", sh),
        Err(Error::Empty {
            file: "e.csv".into()
        })
    );
    assert_eq!(
        read_csv("e.csv", b"\r\n\r\n", sh),
        Err(Error::Empty {
            file: "e.csv".into()
        })
    );
    assert!(matches!(
        read_csv("x.csv", b"name,age\nbob,3\n", sh),
        Err(Error::NotAnExport { .. })
    ));
    assert!(matches!(
        read_csv("x.png", b"\x89PNG\r\n\x1a\n\0\0\0", sh),
        Err(Error::NotAnExport { .. })
    ));
    let missing = read_csv(
        "m.csv",
        "订单编号,买家会员名,订单状态,订单创建时间\n".as_bytes(),
        sh,
    );
    assert_eq!(
        missing,
        Err(Error::MissingColumn {
            file: "m.csv".into(),
            column: "总金额"
        })
    );
    // Bytes that are neither UTF-8 nor GB18030, on line 3 of a file larger than the
    // decoder's buffer: the place is found, by line and byte.
    let mut bad = gbk(HEADER);
    let filler = format!("\"{}\"\r\n", "好".repeat(60_000));
    bad.extend_from_slice(&gbk(&filler));
    let offset = bad.len() + 5;
    bad.extend_from_slice(b"\"1\",\"\x81\x20\"\r\n");
    assert_eq!(
        read_csv("b.csv", &bad, sh),
        Err(Error::Encoding {
            file: "b.csv".into(),
            line: 3,
            offset
        })
    );
    assert!(matches!(
        read_file(std::path::Path::new("/nonexistent/x.csv"), sh),
        Err(Error::Io { .. })
    ));
}

/// A file broken on every line is told by its first thousand problems, and counted whole.
#[test]
fn the_first_thousand_problems_are_kept_and_all_counted() {
    let mut text = String::from(HEADER);
    for i in 0..1500 {
        text.push_str(&format!(
            "\"{}\",\"b{i}\",\"一元\",\"0\",\"等待买家付款\",\"\",\"\",\"\",\"2026-11-11 10:00:00\",\"\",\"t\",\"\",\"\"\r\n",
            4_000_000_000_000_000_000u64 + i
        ));
    }
    let p = read_csv("all-bad.csv", text.as_bytes(), ShopTime::SHANGHAI).unwrap();
    assert_eq!((p.rows, p.rejected), (1500, 1500));
    assert_eq!(p.problems.len(), kefu_import::MAX_PROBLEMS);
    assert_eq!((p.problems[0].line, p.problems[999].line), (2, 1001));
}

/// A path from a drop or from another process can name anything: a device that never ends,
/// a pipe that blocks, a folder. None is read.
#[test]
fn only_a_regular_file_is_read() {
    let sh = ShopTime::SHANGHAI;
    let dir = tempfile::tempdir().unwrap();
    let fifo = dir.path().join("orders.csv");
    let made = std::process::Command::new("mkfifo")
        .arg(&fifo)
        .status()
        .unwrap();
    assert!(made.success());
    for path in [std::path::Path::new("/dev/zero"), dir.path(), &fifo] {
        let e = read_file(path, sh).unwrap_err();
        assert!(
            matches!(e, Error::NotAFile { .. }),
            "{}: {e}",
            path.display()
        );
        assert!(e.to_string().contains("not a regular file"), "{e}");
    }
}

#[test]
fn a_large_export_keeps_line_order_and_line_numbers() {
    // 45,000 rows, an embedded newline in a message
    // early on, and bad amounts at known lines far apart.
    let mut text = String::from(HEADER);
    let bad = [4u64, 20_001, 44_999];
    let mut line = 2u64;
    for i in 0..45_000u64 {
        let money = if bad.contains(&line) {
            "12.3.4"
        } else {
            "99.00"
        };
        let message = if i == 0 {
            "第一行\r\n第二行"
        } else {
            "尽快发货"
        };
        text.push_str(&format!(
            "\"{}\",\"买家{i}\",\"{money}\",\"0.00\",\"等待买家付款\",\"{message}\",\"杭州\",\"'13900000000\",\"2026-11-11 10:00:00\",\"\",\"T恤\",\"订单未关闭\",\"x\"\r\n",
            5_000_000 + i
        ));
        line += if i == 0 { 2 } else { 1 };
    }
    let bytes = gbk(&text);
    // Big enough to be read on two threads, a half each: the bad line far after the middle
    // keeps its number.
    assert!(bytes.len() >= 4 << 20, "{} bytes", bytes.len());
    let parsed = read_csv("ExportOrderList_big.csv", &bytes, ShopTime::SHANGHAI).unwrap();
    assert_eq!(parsed.rows, 45_000);
    let lines: Vec<u64> = parsed.problems.iter().map(|p| p.line).collect();
    assert_eq!(lines, bad.to_vec(), "{:?}", parsed.problems);
    assert_eq!(parsed.orders.len(), 45_000 - bad.len());
    let numbers: Vec<u64> = parsed
        .orders
        .iter()
        .map(|o| o.no.as_str().parse().unwrap())
        .collect();
    assert!(
        numbers.windows(2).all(|w| w[0] < w[1]),
        "orders stay in file order"
    );
    assert_eq!(numbers[0], 5_000_000);
    assert_eq!(numbers.last(), Some(&5_044_999));
}
