//! Contact groups (旺旺分组): every buyer is in exactly one lifecycle group, derived from
//! its orders.

use serde::{Deserialize, Serialize};

use crate::order::OrderStatus;

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
