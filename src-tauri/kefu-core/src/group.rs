//! Contact groups (旺旺分组): every buyer is in exactly one lifecycle group, derived from
//! its orders.

use serde::{Deserialize, Serialize};

use chrono::{DateTime, Utc};

use crate::followups::{auto_close_at, next_presumption, presumed_status, Rules};
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
    /// Unpaid orders the platform has not closed yet.
    pub unpaid: i64,
    /// The earliest auto-close of those orders.
    pub next_close_at: Option<DateTime<Utc>>,
    pub last_order_at: Option<DateTime<Utc>>,
    /// When a platform timer next changes this standing by time alone (an unpaid order
    /// closing, a shipped one confirmed): the buyer is looked at again then.
    pub changes_at: Option<DateTime<Utc>>,
}

/// Unpaid buyers come first by time left; then buyers waiting for shipment, longest waiting
/// first (their keys start here, after any close time); every other group newest activity
/// first.
const AFTER_UNPAID: i64 = 1 << 40;

/// Where a buyer stands at `now` with these orders (all of them, as stored after an
/// import). Orders count as the platform's timers have made them by then
/// (`presumed_status`): an unpaid order past its close no longer keeps the buyer in the
/// order group, a shipped one past automatic receipt makes the trade a success.
pub fn standing(orders: &[&Order], rules: &Rules, now: DateTime<Utc>) -> Standing {
    let statuses: Vec<OrderStatus> = orders
        .iter()
        .map(|o| presumed_status(o, rules, now))
        .collect();
    let group = group_of(statuses.iter().copied());
    let live_unpaid = || {
        orders
            .iter()
            .zip(&statuses)
            .filter(|(_, s)| **s == OrderStatus::AwaitingPayment)
            .map(|(o, _)| *o)
    };
    let next_close_at = live_unpaid().filter_map(|o| auto_close_at(o, rules)).min();
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
        returning: statuses.contains(&OrderStatus::TradeSuccess),
        order_count: orders.len() as i64,
        unpaid: live_unpaid().count() as i64,
        next_close_at,
        last_order_at,
        changes_at: orders
            .iter()
            .filter_map(|o| next_presumption(o, rules, now))
            .min(),
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

        let u = standing(&[&unpaid], &rules, now);
        let close = auto_close_at(&unpaid, &rules).unwrap();
        assert_eq!((u.group, u.sort_key), (Group::Order, close.timestamp()));
        assert_eq!((u.unpaid, u.next_close_at), (1, Some(close)));

        let p = standing(&[&paid], &rules, now);
        let waiting = paid.paid_at.unwrap_or(paid.created_at).timestamp();
        assert_eq!(p.sort_key, AFTER_UNPAID + waiting);
        assert!(u.sort_key < p.sort_key, "unpaid before paid");

        let c = standing(&[&done], &rules, now);
        assert_eq!(c.group, Group::Closed);
        assert!(c.returning);
        assert_eq!(c.sort_key, -done.created_at.timestamp());

        // An unpaid order as well as a finished trade: the order group, by close time, and
        // still a returning buyer.
        let both = standing(&[&done, &unpaid], &rules, now);
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

    #[test]
    fn platform_timers_move_the_buyer_at_their_exact_time() {
        use crate::followups::tests::{at, unpaid};
        let rules = Rules::default();
        let o = unpaid("2026-11-20 10:00:00");
        let group_at = |o: &Order, t: &str| standing(&[o], &rules, at(t)).group;
        assert_eq!(group_at(&o, "2026-11-23 09:59:59"), Group::Order);
        let before = standing(&[&o], &rules, at("2026-11-23 09:59:59"));
        assert_eq!(before.changes_at, Some(at("2026-11-23 10:00:00")));
        assert_eq!(
            (before.unpaid, before.next_close_at),
            (1, Some(at("2026-11-23 10:00:00")))
        );
        let after = standing(&[&o], &rules, at("2026-11-23 10:00:00"));
        assert_eq!(
            after.group,
            Group::Inquiry,
            "closed unpaid: back to inquiry"
        );
        assert_eq!(
            (after.unpaid, after.next_close_at, after.changes_at),
            (0, None, None)
        );
        // An export then says it was paid at the last minute: the export wins.
        let paid = o.clone().paid(at("2026-11-23 09:58:00"));
        assert_eq!(group_at(&paid, "2026-11-23 10:00:00"), Group::Order);

        let shipped = o
            .paid(at("2026-11-20 10:05:00"))
            .shipped(at("2026-11-21 16:00:00"));
        assert_eq!(group_at(&shipped, "2026-12-01 15:59:59"), Group::Shipped);
        let s = standing(&[&shipped], &rules, at("2026-12-01 15:59:59"));
        assert_eq!(s.changes_at, Some(at("2026-12-01 16:00:00")));
        let done = standing(&[&shipped], &rules, at("2026-12-01 16:00:00"));
        assert_eq!(
            done.group,
            Group::Closed,
            "receipt confirmed 10 days after shipping"
        );
        assert!(done.returning);
        assert_eq!(done.changes_at, None);
    }

    proptest! {
        /// A buyer's standing holds from `now` until `changes_at` and no longer: the
        /// storage looks at a buyer again exactly then, so this is what keeps stored groups
        /// true over time.
        #[test]
        fn standing_holds_until_changes_at(
            specs in prop::collection::vec((0u8..5, 0i64..(20 * 1440), 0i64..(3 * 1440), 0i64..(12 * 1440)), 1..5),
            now_min in 0i64..(40 * 1440),
            probe in 0.0f64..1.0,
        ) {
            use crate::followups::tests::{at, unpaid};
            use chrono::Duration;
            let base = at("2026-11-01 00:00:00");
            let rules = Rules::default();
            let orders: Vec<Order> = specs.iter().enumerate().map(|(i, (kind, placed, pay, ship))| {
                let mut o = unpaid("2026-11-01 00:00:00");
                o.no = crate::OrderNo::parse(&(1000 + i).to_string()).unwrap();
                o.created_at = base + Duration::minutes(*placed);
                let paid = o.created_at + Duration::minutes(*pay);
                match kind {
                    0 => o,
                    1 => o.paid(paid),
                    2 => o.paid(paid).shipped(paid + Duration::minutes(*ship)),
                    3 => Order { status: TradeSuccess, ..o },
                    _ => Order { status: TradeClosed, ..o },
                }
            }).collect();
            let refs: Vec<&Order> = orders.iter().collect();
            let now = base + Duration::minutes(now_min);
            let s = standing(&refs, &rules, now);
            match s.changes_at {
                Some(t) => {
                    prop_assert!(t > now);
                    let mid = now + Duration::seconds(((t - now).num_seconds() as f64 * probe) as i64);
                    let between = standing(&refs, &rules, mid.min(t - Duration::seconds(1)));
                    prop_assert_eq!(between.group, s.group);
                    prop_assert_eq!(between.unpaid, s.unpaid);
                    prop_assert_eq!(between.changes_at, s.changes_at);
                    prop_assert_ne!(standing(&refs, &rules, t), s, "something changes at changes_at");
                }
                None => {
                    let later = standing(&refs, &rules, now + Duration::days(400));
                    prop_assert_eq!(later.group, s.group, "nothing left to change");
                }
            }
        }

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
