//! The demo shop offered on first run: a made-up day's orders generated relative to `now`,
//! so that every group is populated and some unpaid orders are close to auto-closing
//! whenever the app is first opened. Deterministic: the same `now` gives the same shop.

use chrono::{DateTime, Duration, Utc};

use crate::money::Fen;
use crate::order::{BuyerNick, CloseReason, Order, OrderNo, OrderStatus};

const SURNAMES: [&str; 16] = [
    "云朵", "木木", "小荔", "淘气", "糖糖", "阿琪", "橙子", "小鹿", "米粒", "豆豆", "柚子", "星星",
    "果果", "小熊", "晴天", "布丁",
];
const ITEMS: [(&str, i64); 8] = [
    ("韩版宽松显瘦针织毛衣女", 12900),
    ("纯棉打底衫长袖T恤", 3990),
    ("保湿补水护肤套装", 29900),
    ("2026秋冬新款女装羊毛呢子大衣中长款", 45900),
    ("高腰直筒牛仔裤女", 8900),
    ("加厚羽绒服短款", 39900),
    ("真丝围巾礼盒装", 15900),
    ("羊绒混纺毛线帽", 4900),
];
const MESSAGES: [&str; 6] = [
    "",
    "请尽快发货，谢谢",
    "麻烦包装好一点",
    "可以开发票吗？抬头：杭州某某科技有限公司",
    "送人的，不要放价格单",
    "",
];
const CITIES: [&str; 4] = [
    "浙江省 杭州市 西湖区 文三路",
    "北京 北京市 朝阳区 建国路",
    "江苏省 南京市 鼓楼区 中山路",
    "广东省 深圳市 南山区 科技园路",
];

/// A tiny linear congruential generator: enough variety for a demo, no dependency.
struct Lcg(u64);

impl Lcg {
    fn next(&mut self, bound: u64) -> u64 {
        self.0 = self
            .0
            .wrapping_mul(6364136223846793005)
            .wrapping_add(1442695040888963407);
        (self.0 >> 33) % bound.max(1)
    }
}

/// Builds the demo shop's orders. 48 buyers; each buyer's orders put it in a known group:
/// 12 with an unpaid order (4 of them due to close within 3 hours), 8 paid and waiting to
/// ship, 12 shipped, 10 with a finished trade, 6 whose only order closed unpaid.
pub fn demo_orders(now: DateTime<Utc>) -> Vec<Order> {
    let mut rng = Lcg(20261111);
    let mut orders = Vec::new();
    let mut serial = 0u64;
    for b in 0..48u64 {
        let nick = format!("{}{}", SURNAMES[(b % 16) as usize], 1000 + rng.next(9000));
        let buyer = match BuyerNick::parse(&nick) {
            Ok(n) => n,
            Err(_) => continue,
        };
        let mut make = |rng: &mut Lcg, status: OrderStatus, age: Duration| {
            serial += 1;
            let (title, price) = ITEMS[rng.next(ITEMS.len() as u64) as usize];
            let qty = 1 + rng.next(3) as i64;
            let created_at = now - age;
            let paid_at = (status.progress() >= 1 && status != OrderStatus::TradeClosed)
                .then(|| created_at + Duration::minutes(5 + rng.next(60) as i64));
            let shipped_at = (status.progress() >= 2 && status != OrderStatus::TradeClosed)
                .then(|| created_at + Duration::hours(20));
            let no = OrderNo::parse(&format!(
                "40123456789{:08}",
                10_000_000 + serial * 7919 % 9_000_000
            ))
            .expect("demo order numbers are digits");
            Order {
                no,
                buyer: buyer.clone(),
                status,
                close_reason: (status == OrderStatus::TradeClosed).then_some(CloseReason::Unpaid),
                total: Fen(price * qty),
                postage: Fen(0),
                created_at,
                paid_at,
                shipped_at,
                ended_at: (!status.is_live()).then(|| created_at + Duration::days(8)),
                terms_changed_at: None,
                close_deadline: None,
                title: title.to_owned(),
                buyer_message: MESSAGES[rng.next(MESSAGES.len() as u64) as usize].to_owned(),
                seller_remark: String::new(),
                receiver: "演示收货人".to_owned(),
                address: format!(
                    "{}{}号",
                    CITIES[rng.next(CITIES.len() as u64) as usize],
                    1 + rng.next(900)
                ),
                phone: format!("1{}****{:04}", 30 + rng.next(60), rng.next(10000)),
                tracking_no: if shipped_at.is_some() {
                    format!("YT{}", 1_000_000_000 + rng.next(8_999_999_999))
                } else {
                    String::new()
                },
                shop_name: "云朵女装旗舰店（演示）".to_owned(),
            }
        };
        let minutes = |m: u64| Duration::minutes(m as i64);
        let mut plan = match b {
            // Unpaid: the first four close within three hours.
            0..=3 => vec![(OrderStatus::AwaitingPayment, minutes(69 * 60 + 10 + b * 35))],
            4..=11 => vec![(
                OrderStatus::AwaitingPayment,
                minutes(15 + rng.next(40 * 60)),
            )],
            12..=19 => vec![(
                OrderStatus::AwaitingShipment,
                minutes(60 + rng.next(36 * 60)),
            )],
            20..=31 => vec![(OrderStatus::Shipped, minutes(2 * 1440 + rng.next(5 * 1440)))],
            32..=41 => vec![(
                OrderStatus::TradeSuccess,
                minutes(10 * 1440 + rng.next(20 * 1440)),
            )],
            _ => vec![(
                OrderStatus::TradeClosed,
                minutes(4 * 1440 + rng.next(3 * 1440)),
            )],
        };
        if (20..=31).contains(&b) && b % 3 == 0 {
            // A returning buyer: an earlier finished trade beside the shipped one.
            plan.push((OrderStatus::TradeSuccess, minutes(30 * 1440)));
        }
        for (status, age) in plan {
            orders.push(make(&mut rng, status, age));
        }
    }
    orders
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::followups::{auto_close_at, Rules};
    use crate::group::{group_of, Group};
    use std::collections::BTreeMap;

    #[test]
    fn every_group_is_populated_and_some_orders_are_about_to_close() {
        let now = DateTime::parse_from_rfc3339("2026-11-22T08:00:00Z")
            .unwrap()
            .with_timezone(&Utc);
        let orders = demo_orders(now);
        let mut by_buyer: BTreeMap<&str, Vec<OrderStatus>> = BTreeMap::new();
        for o in &orders {
            by_buyer.entry(o.buyer.as_str()).or_default().push(o.status);
        }
        assert_eq!(by_buyer.len(), 48, "nicks are unique");
        let mut counts = BTreeMap::new();
        for statuses in by_buyer.values() {
            *counts
                .entry(group_of(statuses.iter().copied()))
                .or_insert(0) += 1;
        }
        assert_eq!(counts[&Group::Order], 20);
        assert_eq!(counts[&Group::Shipped], 12);
        assert_eq!(counts[&Group::Closed], 10);
        assert_eq!(counts[&Group::Inquiry], 6);
        let closing_soon = orders
            .iter()
            .filter_map(|o| auto_close_at(o, &Rules::default()))
            .filter(|t| *t > now && *t - now <= Duration::hours(3))
            .count();
        assert_eq!(closing_soon, 4);
        assert_eq!(demo_orders(now), orders, "deterministic");
    }
}
