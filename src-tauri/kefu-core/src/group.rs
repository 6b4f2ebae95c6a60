//! Contact groups (旺旺分组): every buyer is in exactly one lifecycle group, derived from
//! its orders.

use serde::{Deserialize, Serialize};

use chrono::{DateTime, Utc};

use crate::followups::{auto_close_at, Rules};
use crate::order::{Order, OrderStatus};

#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Group {
    /// 咨询组: asked, but nothing live and no successful trade.
    Inquiry,
    /// 订单组: an order not yet shipped, most importantly unpaid.
    Order,
    /// 发货组: shipped, trade not finished.
    Shipped,
    /// 成交组: a deal done and nothing live.
    Closed,
}

impl Group {
    pub const ALL: [Group; 4] = [Group::Inquiry, Group::Order, Group::Shipped, Group::Closed];

    pub fn code(self) -> i64 {
        self as i64
    }

    pub fn from_code(code: i64) -> Option<Group> {
        Group::ALL.get(usize::try_from(code).ok()?).copied()
    }

    pub fn parse(s: &str) -> Option<Group> {
        match s.trim() {
            "inquiry" | "咨询" | "咨询组" => Some(Group::Inquiry),
            "order" | "订单" | "订单组" => Some(Group::Order),
            "shipped" | "发货" | "发货组" => Some(Group::Shipped),
            "closed" | "成交" | "成交组" => Some(Group::Closed),
            _ => None,
        }
    }

    /// The name in the core's answers (serde's).
    pub fn name(self) -> &'static str {
        match self {
            Group::Inquiry => "inquiry",
            Group::Order => "order",
            Group::Shipped => "shipped",
            Group::Closed => "closed",
        }
    }

    pub fn label(self) -> &'static str {
        match self {
            Group::Inquiry => "咨询",
            Group::Order => "订单",
            Group::Shipped => "发货",
            Group::Closed => "成交",
        }
    }
}

/// The precedence rule: a live order puts the buyer in the group of its most urgent one
/// (unpaid or paid-unshipped → order, then shipped → shipped); with nothing live, one
/// successful trade makes the buyer closed; anything else (only enquiries, or only orders
/// that closed unpaid or refunded) is an inquiry.
pub fn group_of(statuses: impl IntoIterator<Item = OrderStatus>) -> Group {
    let mut group = Group::Inquiry;
    for s in statuses {
        let g = match s {
            OrderStatus::AwaitingPayment | OrderStatus::AwaitingShipment => return Group::Order,
            OrderStatus::Shipped => Group::Shipped,
            OrderStatus::TradeSuccess if group == Group::Inquiry => Group::Closed,
            OrderStatus::TradeSuccess | OrderStatus::TradeClosed => continue,
        };
        group = g;
    }
    group
}

/// Where a buyer stands, from its orders: its group and its place in the group's list.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Standing {
    pub group: Group,
    /// The list order within the group, ascending (see `standing`).
    pub sort_key: i64,
    /// A returning buyer (回头客) has had a successful trade.
    pub returning: bool,
    pub order_count: i64,
    pub unpaid: i64,
    /// The earliest auto-close of the buyer's unpaid orders.
    pub next_close_at: Option<DateTime<Utc>>,
    pub last_order_at: Option<DateTime<Utc>>,
}

/// Unpaid buyers come first by time left; then buyers waiting for shipment, longest waiting
/// first (their keys start here, after any close time); every other group newest activity
/// first.
const AFTER_UNPAID: i64 = 1 << 40;

/// Where a buyer stands with these orders (all of them, as stored after an import).
pub fn standing(orders: &[&Order], rules: &Rules) -> Standing {
    let group = group_of(orders.iter().map(|o| o.status));
    let next_close_at = orders.iter().filter_map(|o| auto_close_at(o, rules)).min();
    let last_order_at = orders.iter().map(|o| o.created_at).max();
    let oldest_waiting = orders
        .iter()
        .filter(|o| o.status == OrderStatus::AwaitingShipment)
        .map(|o| o.paid_at.unwrap_or(o.created_at))
        .min();
    let sort_key = match (group, next_close_at, oldest_waiting) {
        (Group::Order, Some(close), _) => close.timestamp(),
        (Group::Order, None, Some(paid)) => AFTER_UNPAID + paid.timestamp(),
        _ => -last_order_at.map_or(0, |t| t.timestamp()),
    };
    Standing {
        group,
        sort_key,
        returning: orders.iter().any(|o| o.status == OrderStatus::TradeSuccess),
        order_count: orders.len() as i64,
        unpaid: orders
            .iter()
            .filter(|o| o.status == OrderStatus::AwaitingPayment)
            .count() as i64,
        next_close_at,
        last_order_at,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;
    use OrderStatus::*;

    #[test]
    fn precedence() {
        assert_eq!(group_of([]), Group::Inquiry);
        assert_eq!(group_of([TradeClosed, TradeClosed]), Group::Inquiry);
        assert_eq!(group_of([TradeClosed, TradeSuccess]), Group::Closed);
        assert_eq!(group_of([TradeSuccess, Shipped]), Group::Shipped);
        assert_eq!(group_of([Shipped, TradeSuccess]), Group::Shipped);
        assert_eq!(group_of([Shipped, AwaitingShipment]), Group::Order);
        assert_eq!(
            group_of([TradeSuccess, Shipped, AwaitingPayment]),
            Group::Order
        );
        assert_eq!(group_of([AwaitingPayment]), Group::Order);
    }

    #[test]
    fn unpaid_buyers_sort_by_close_then_paid_ones_by_waiting_then_newest_first() {
        use crate::demo::demo_orders;
        let now = DateTime::parse_from_rfc3339("2026-11-22T08:00:00Z")
            .unwrap()
            .with_timezone(&Utc);
        let rules = Rules::default();
        let orders = demo_orders(now);
        let of = |s: OrderStatus| orders.iter().find(|o| o.status == s).unwrap().clone();
        let unpaid = of(AwaitingPayment);
        let paid = of(AwaitingShipment);
        let done = of(TradeSuccess);

        let u = standing(&[&unpaid], &rules);
        let close = auto_close_at(&unpaid, &rules).unwrap();
        assert_eq!((u.group, u.sort_key), (Group::Order, close.timestamp()));
        assert_eq!((u.unpaid, u.next_close_at), (1, Some(close)));

        let p = standing(&[&paid], &rules);
        let waiting = paid.paid_at.unwrap_or(paid.created_at).timestamp();
        assert_eq!(p.sort_key, AFTER_UNPAID + waiting);
        assert!(u.sort_key < p.sort_key, "unpaid before paid");

        let c = standing(&[&done], &rules);
        assert_eq!(c.group, Group::Closed);
        assert!(c.returning);
        assert_eq!(c.sort_key, -done.created_at.timestamp());

        // An unpaid order as well as a finished trade: the order group, by close time, and
        // still a returning buyer.
        let both = standing(&[&done, &unpaid], &rules);
        assert_eq!(
            (both.group, both.sort_key),
            (Group::Order, close.timestamp())
        );
        assert!(both.returning);
        assert_eq!(both.order_count, 2);
        assert_eq!(
            both.last_order_at,
            Some(done.created_at.max(unpaid.created_at))
        );
    }

    proptest! {
        /// The group does not depend on the order the buyer's orders are listed in, and
        /// agrees with the rule stated over the set of statuses.
        #[test]
        fn group_is_a_function_of_the_status_set(mut v in prop::collection::vec(prop::sample::select(OrderStatus::ALL.to_vec()), 0..12)) {
            let g = group_of(v.clone());
            v.reverse();
            prop_assert_eq!(group_of(v.clone()), g);
            let has = |s| v.contains(&s);
            let expected = if has(AwaitingPayment) || has(AwaitingShipment) { Group::Order }
                else if has(Shipped) { Group::Shipped }
                else if has(TradeSuccess) { Group::Closed }
                else { Group::Inquiry };
            prop_assert_eq!(g, expected);
        }
    }
}
