//! A big shop's order export for the benches: the import bench reads it, the launch bench
//! opens a database made from it.

use std::io::Write;

const HEADER: &str = "\"订单编号\",\"买家会员名\",\"买家应付货款\",\"买家应付邮费\",\"总金额\",\"订单状态\",\"买家留言\",\"收货人姓名\",\"收货地址 \",\"联系手机\",\"订单创建时间\",\"订单付款时间 \",\"宝贝标题 \",\"物流单号 \",\"订单备注\",\"店铺名称\",\"订单关闭原因\"";
const STATUSES: [&str; 5] = [
    "等待买家付款",
    "买家已付款，等待卖家发货",
    "卖家已发货，等待买家确认",
    "交易成功",
    "交易关闭",
];

/// Writes a legacy export (GB18030, as the real ones are) of `orders` rows for about
/// `orders * 0.35` buyers, placed in October 2026, and the same rows in UTF-8 beside it
/// (`<name>.utf8.csv`); deterministic.
pub fn legacy_export(path: &std::path::Path, orders: u64) -> std::io::Result<()> {
    let mut text = String::with_capacity(orders as usize * 260);
    text.push_str(HEADER);
    text.push_str("\r\n");
    let buyers = (orders * 35 / 100).max(1);
    let mut x: u64 = 88172645463325252;
    for i in 0..orders {
        x ^= x << 13;
        x ^= x >> 7;
        x ^= x << 17;
        let buyer = x % buyers;
        let status = STATUSES[(x >> 20) as usize % 5];
        let fen = 990 + (x >> 30) % 90000;
        let day = 1 + (x >> 40) % 28;
        let (h, m) = ((x >> 45) % 24, (x >> 50) % 60);
        let paid = if status == STATUSES[0] {
            String::new()
        } else {
            format!("2026-10-{day:02} {h:02}:{:02}:00", (m + 5) % 60)
        };
        text.push_str(&format!(
            "\"=\"\"40{:017}\"\"\",\"买家{buyer:07}\",\"{}.{:02}\",\"0.00\",\"{}.{:02}\",\"{status}\",\"请尽快发货，谢谢\",\"张三\",\"浙江省 杭州市 西湖区 文三路{}号\",\"'139{:08}\",\"2026-10-{day:02} {h:02}:{m:02}:00\",\"{paid}\",\"纯棉打底衫长袖T恤\",\"\",\"\",\"云朵女装旗舰店\",\"订单未关闭\"\r\n",
            10_000_000_000_000_000 + i,
            fen / 100,
            fen % 100,
            fen / 100,
            fen % 100,
            x % 999,
            x % 100_000_000
        ));
    }
    let (gbk, _, _) = encoding_rs::GB18030.encode(&text);
    // Both files on disk before anything is timed: the kernel writing half a gigabyte back
    // later would land in whichever import runs then.
    for (file, bytes) in [
        (path.to_owned(), &gbk[..]),
        (path.with_extension("utf8.csv"), text.as_bytes()),
    ] {
        let mut out = std::fs::File::create(file)?;
        out.write_all(bytes)?;
        out.sync_all()?;
    }
    Ok(())
}

/// Orders placed per half hour of a shop day (shop time), 00:00 first: quiet at night, a
/// morning and an evening peak, as a clothing shop's day runs.
const DAY_SHAPE: [u64; 48] = [
    4, 3, 2, 1, 1, 1, 0, 0, 0, 0, 0, 0, 1, 1, 2, 3, 5, 6, 8, 10, 12, 12, 11, 10, 8, 8, 9, 9, 10,
    10, 9, 9, 10, 11, 12, 13, 14, 15, 17, 19, 22, 24, 24, 22, 18, 13, 8, 6,
];

/// Writes a UTF-8 export of orders placed over the `weeks` weeks before `monday` (a
/// YYYY-MM-DD), `DAY_SHAPE` orders each half hour (weekends a fifth more): the demand
/// history the shift schedule plans from.
pub fn demand_export(path: &std::path::Path, monday: &str, weeks: i64) -> std::io::Result<()> {
    let start = chrono::NaiveDate::parse_from_str(monday, "%Y-%m-%d")
        .map_err(std::io::Error::other)?
        - chrono::Duration::weeks(weeks);
    let mut text = String::from(HEADER);
    text.push_str("\r\n");
    let mut n: u64 = 0;
    for day in 0..weeks * 7 {
        let date = start + chrono::Duration::days(day);
        let weekend = day % 7 >= 5;
        for (slot, base) in DAY_SHAPE.iter().enumerate() {
            let count = if weekend { base + base / 5 } else { *base };
            for k in 0..count {
                n += 1;
                let (h, m) = (slot / 2, (slot % 2) * 30 + (k as usize * 7) % 30);
                text.push_str(&format!(
                    "\"=\"\"50{n:017}\"\"\",\"买家{:06}\",\"59.00\",\"0.00\",\"59.00\",\"交易成功\",\"\",\"张三\",\"浙江省 杭州市 西湖区 文三路1号\",\"'13900000000\",\"{date} {h:02}:{m:02}:00\",\"{date} {h:02}:{m:02}:30\",\"纯棉打底衫长袖T恤\",\"\",\"\",\"云朵女装旗舰店\",\"订单未关闭\"\r\n",
                    n % 5000
                ));
            }
        }
    }
    std::fs::write(path, text)
}

/// Writes a UTF-8 export of one unpaid order of `buyer`, placed at `created` (shop time,
/// "YYYY-MM-DD HH:MM:SS").
pub fn unpaid_order(
    path: &std::path::Path,
    no: u64,
    buyer: &str,
    created: &str,
) -> std::io::Result<()> {
    std::fs::write(
        path,
        format!(
            "{HEADER}\r\n\"=\"\"60{no:017}\"\"\",\"{buyer}\",\"99.00\",\"0.00\",\"99.00\",\"{}\",\"\",\"张三\",\"浙江省 杭州市 西湖区 文三路1号\",\"'13900000000\",\"{created}\",\"\",\"加绒卫衣\",\"\",\"\",\"云朵女装旗舰店\",\"订单未关闭\"\r\n",
            STATUSES[0]
        ),
    )
}

/// Seconds `sqlite3 .import` takes for the UTF-8 copy `legacy_export` wrote beside `csv`,
/// into a fresh database `db`: the benches' yardstick.
pub fn sqlite3_import_seconds(csv: &std::path::Path, db: &std::path::Path) -> f64 {
    let t = std::time::Instant::now();
    let status = std::process::Command::new("sqlite3")
        .arg(db)
        .args([
            ".mode csv",
            &format!(
                ".import {} orders",
                csv.with_extension("utf8.csv").display()
            ),
        ])
        .status()
        .expect("sqlite3 (package sqlite3) runs");
    assert!(status.success(), "sqlite3 .import failed");
    t.elapsed().as_secs_f64()
}
