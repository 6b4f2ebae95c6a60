//! Platform timers and follow-up rules. Every function takes `now` (or the times it needs)
//! as an argument; nothing here reads the clock.

use chrono::{DateTime, Duration, Utc};
use serde::{Deserialize, Serialize};

use crate::order::{Order, OrderStatus};

/// Every timer rule's number, each a setting with the platform's default.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Rules {
    /// Unpaid orders close this long after they were placed or their terms last changed.
    pub auto_close_minutes: i64,
}

impl Default for Rules {
    fn default() -> Self {
        Rules {
            auto_close_minutes: 72 * 60,
        }
    }
}

impl Rules {
    pub fn auto_close(&self) -> Duration {
        Duration::minutes(self.auto_close_minutes)
    }
}

/// When the platform closes an unpaid order: an explicit deadline from the data wins;
/// otherwise 72 h after the order was placed or after the seller last changed its terms
/// (a price or postage change restarts the clock). `None` for an order that is not unpaid.
pub fn auto_close_at(order: &Order, rules: &Rules) -> Option<DateTime<Utc>> {
    if order.status != OrderStatus::AwaitingPayment {
        return None;
    }
    if let Some(deadline) = order.close_deadline {
        return Some(deadline);
    }
    let clock_start = order
        .terms_changed_at
        .map_or(order.created_at, |t| t.max(order.created_at));
    Some(clock_start + rules.auto_close())
}

#[cfg(test)]
pub(crate) mod tests {
    use super::*;
    use crate::{BuyerNick, Fen, OrderNo, ShopTime};

    pub fn at(local: &str) -> DateTime<Utc> {
        ShopTime::SHANGHAI.parse_local(local).unwrap()
    }

    pub fn unpaid(created: &str) -> Order {
        Order {
            no: OrderNo::parse("4012345678901235164").unwrap(),
            buyer: BuyerNick::parse("云朵希9624").unwrap(),
            status: OrderStatus::AwaitingPayment,
            close_reason: None,
            total: Fen(38700),
            postage: Fen(0),
            created_at: at(created),
            paid_at: None,
            shipped_at: None,
            ended_at: None,
            terms_changed_at: None,
            close_deadline: None,
            title: String::new(),
            buyer_message: String::new(),
            seller_remark: String::new(),
            receiver: String::new(),
            address: String::new(),
            phone: String::new(),
            tracking_no: String::new(),
            shop_name: String::new(),
        }
    }

    #[test]
    fn unpaid_order_closes_72_hours_after_placing() {
        let o = unpaid("2026-11-11 23:50:00");
        assert_eq!(
            auto_close_at(&o, &Rules::default()),
            Some(at("2026-11-14 23:50:00"))
        );
        let o = unpaid("2026-11-09 10:00:00");
        assert_eq!(
            auto_close_at(&o, &Rules::default()),
            Some(at("2026-11-12 10:00:00"))
        );
    }

    #[test]
    fn a_price_change_restarts_the_clock() {
        let mut o = unpaid("2026-11-11 23:50:00");
        o.terms_changed_at = Some(at("2026-11-12 10:00:00"));
        assert_eq!(
            auto_close_at(&o, &Rules::default()),
            Some(at("2026-11-15 10:00:00"))
        );
    }

    #[test]
    fn an_explicit_deadline_wins() {
        let mut o = unpaid("2026-11-11 23:50:00");
        o.terms_changed_at = Some(at("2026-11-12 10:00:00"));
        o.close_deadline = Some(at("2026-11-13 12:00:00"));
        assert_eq!(
            auto_close_at(&o, &Rules::default()),
            Some(at("2026-11-13 12:00:00"))
        );
    }

    #[test]
    fn only_unpaid_orders_auto_close() {
        let mut o = unpaid("2026-11-11 23:50:00");
        o.status = OrderStatus::AwaitingShipment;
        assert_eq!(auto_close_at(&o, &Rules::default()), None);
    }

    #[test]
    fn the_close_window_is_a_setting() {
        let o = unpaid("2026-11-11 10:00:00");
        let rules = Rules {
            auto_close_minutes: 24 * 60,
        };
        assert_eq!(auto_close_at(&o, &rules), Some(at("2026-11-12 10:00:00")));
    }
}
