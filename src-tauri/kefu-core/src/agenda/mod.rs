//! The agent's agenda (待办): every kind of follow-up. Most are planned from a buyer's
//! orders and planned again whenever they change; a few are added by hand (a promised
//! answer, a refund request). `reconcile` merges a new plan with what is stored, so that a
//! follow-up already announced, snoozed or done keeps its state, and one whose reason went
//! away (the order was paid, shipped, closed) disappears.

use std::borrow::Borrow;

use chrono::{DateTime, Duration, Utc};
use serde::{Deserialize, Serialize};

use crate::followups::{plan_chases, ChaseStep, Rules};
use crate::order::{Order, OrderNo, OrderStatus};
use crate::shop::ShopTime;
use crate::{Error, Result};

mod lists;

pub use lists::{
    most_urgent_first, urgency, Snooze, Urgency, OVERDUE_AFTER_MINUTES, UPCOMING_HOURS,
};

#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Kind {
    /// 催付: an unpaid order before it auto-closes.
    Chase,
    /// 发货回访: a shipped order, before receipt is confirmed automatically.
    ShippedCheckIn,
    /// 邀评: a successful trade, while reviews are open.
    ReviewRequest,
    /// 延迟发货: paid and not shipped for too long.
    DelayedShipment,
    /// 咨询未下单: a buyer who asked and did not order.
    InquiryNoOrder,
    /// 承诺答复: a detail question the agent promised to answer (by hand).
    PromisedAnswer,
    /// 退款待处理: a refund request awaiting the seller (by hand).
    RefundReply,
    /// 退款待处理 (2 days): a 7-day-no-reason or unshipped refund request (by hand).
    RefundReplyQuick,
    /// 退货签收: a returned parcel the seller must confirm (by hand).
    ReturnReceipt,
}

pub const KINDS: [Kind; 9] = [
    Kind::Chase,
    Kind::ShippedCheckIn,
    Kind::ReviewRequest,
    Kind::DelayedShipment,
    Kind::InquiryNoOrder,
    Kind::PromisedAnswer,
    Kind::RefundReply,
    Kind::RefundReplyQuick,
    Kind::ReturnReceipt,
];

impl Kind {
    pub fn code(self) -> &'static str {
        match self {
            Kind::Chase => "chase",
            Kind::ShippedCheckIn => "shipped_check_in",
            Kind::ReviewRequest => "review_request",
            Kind::DelayedShipment => "delayed_shipment",
            Kind::InquiryNoOrder => "inquiry_no_order",
            Kind::PromisedAnswer => "promised_answer",
            Kind::RefundReply => "refund_reply",
            Kind::RefundReplyQuick => "refund_reply_quick",
            Kind::ReturnReceipt => "return_receipt",
        }
    }

    pub fn parse(raw: &str) -> Result<Kind> {
        KINDS
            .into_iter()
            .find(|k| k.code() == raw.trim())
            .ok_or_else(|| Error::invalid("kind", raw, "not a follow-up kind"))
    }

    /// What the agenda calls it.
    pub fn label(self) -> &'static str {
        match self {
            Kind::Chase => "催付",
            Kind::ShippedCheckIn => "发货回访",
            Kind::ReviewRequest => "邀请评价",
            Kind::DelayedShipment => "延迟发货",
            Kind::InquiryNoOrder => "咨询未下单",
            Kind::PromisedAnswer => "承诺答复",
            Kind::RefundReply | Kind::RefundReplyQuick => "退款待处理",
            Kind::ReturnReceipt => "退货待签收",
        }
    }

    /// How the form for adding a follow-up by hand offers it, with its deadline (`None`
    /// for kinds planned from the orders).
    pub fn form_label(self) -> Option<&'static str> {
        match self {
            Kind::PromisedAnswer => Some("承诺答复（24 小时内）"),
            Kind::RefundReply => Some("退款申请（5 天内处理）"),
            Kind::RefundReplyQuick => Some("退款申请（2 天内处理）"),
            Kind::ReturnReceipt => Some("退货待签收（10 天内）"),
            _ => None,
        }
    }

    /// Added by an agent rather than planned from the orders; a new plan leaves these alone.
    pub fn is_by_hand(self) -> bool {
        matches!(
            self,
            Kind::PromisedAnswer | Kind::RefundReply | Kind::RefundReplyQuick | Kind::ReturnReceipt
        )
    }
}

/// A follow-up as planned: `key` names it among the buyer's follow-ups, stable across
/// plans, so that its state survives planning again.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Planned {
    pub key: String,
    pub kind: Kind,
    pub step: Option<ChaseStep>,
    pub orders: Vec<OrderNo>,
    pub due_at: DateTime<Utc>,
    /// After this the follow-up is moot (the order auto-closed, reviews closed, receipt was
    /// confirmed automatically, the seller's deadline passed).
    pub expires_at: Option<DateTime<Utc>>,
}

fn minutes(m: i64) -> Duration {
    Duration::minutes(m)
}

/// Every follow-up of one buyer planned from its orders at `now`: payment chases (see
/// `plan_chases`), a check-in on each shipped order, a review request for each recent
/// successful trade, a nudge for each paid order not shipped in time, and, for a buyer
/// without orders, an inquiry follow-up. Follow-ups already moot at `now` are left out.
pub fn plan_buyer<O: Borrow<Order>>(
    orders: &[O],
    returning: bool,
    first_seen: DateTime<Utc>,
    sent: &[DateTime<Utc>],
    rules: &Rules,
    shop: ShopTime,
    now: DateTime<Utc>,
) -> Vec<Planned> {
    let mut out: Vec<Planned> = plan_chases(orders, returning, sent, rules, shop, now)
        .into_iter()
        .map(|c| Planned {
            key: format!("chase:{}", c.due_at.timestamp()),
            kind: Kind::Chase,
            step: Some(c.step),
            orders: c.orders,
            due_at: c.due_at,
            expires_at: Some(c.closes_at),
        })
        .collect();
    for o in orders {
        let o = o.borrow();
        let planned = match o.status {
            OrderStatus::Shipped => o.shipped_at.map(|t| {
                (
                    Kind::ShippedCheckIn,
                    t + minutes(rules.shipped_check_in_minutes),
                    Some(t + minutes(rules.auto_receipt_minutes)),
                )
            }),
            OrderStatus::TradeSuccess => o.ended_at.map(|t| {
                (
                    Kind::ReviewRequest,
                    t + minutes(rules.review_request_minutes),
                    Some(t + minutes(rules.review_window_minutes)),
                )
            }),
            OrderStatus::AwaitingShipment => o.paid_at.map(|t| {
                (
                    Kind::DelayedShipment,
                    t + minutes(rules.delayed_shipment_minutes),
                    None,
                )
            }),
            OrderStatus::AwaitingPayment | OrderStatus::TradeClosed => None,
        };
        if let Some((kind, due_at, expires_at)) = planned {
            out.push(Planned {
                key: format!("{}:{}", kind.code(), o.no),
                kind,
                step: None,
                orders: vec![o.no.clone()],
                due_at,
                expires_at,
            });
        }
    }
    if orders.is_empty() {
        out.push(Planned {
            key: Kind::InquiryNoOrder.code().to_owned(),
            kind: Kind::InquiryNoOrder,
            step: None,
            orders: Vec::new(),
            due_at: first_seen + minutes(rules.inquiry_follow_up_minutes),
            expires_at: None,
        });
    }
    out.retain(|p| p.expires_at.is_none_or(|e| e > now));
    out
}

/// A follow-up added by hand at `from` (the promise, or when the request or parcel came
/// in): due a reminder's distance before the deadline, which is when it expires.
pub fn by_hand(
    kind: Kind,
    order: Option<OrderNo>,
    from: DateTime<Utc>,
    rules: &Rules,
) -> Result<Planned> {
    let (deadline, warning) = match kind {
        Kind::PromisedAnswer => (
            rules.promised_answer_minutes,
            rules.promised_answer_minutes - rules.promised_answer_reminder_minutes,
        ),
        Kind::RefundReply => (rules.refund_reply_minutes, rules.refund_warning_minutes),
        Kind::RefundReplyQuick => (
            rules.refund_reply_quick_minutes,
            rules.refund_warning_minutes,
        ),
        Kind::ReturnReceipt => (rules.return_receipt_minutes, rules.refund_warning_minutes),
        _ => {
            return Err(Error::invalid(
                "kind",
                kind.code(),
                "is planned from the orders, not added by hand",
            ))
        }
    };
    let expires = from + minutes(deadline);
    // A warning longer than the deadline itself is due at once rather than in the past.
    let due = (expires - minutes(warning)).max(from);
    Ok(Planned {
        key: format!(
            "{}:{}:{}",
            kind.code(),
            order.as_ref().map(OrderNo::as_str).unwrap_or(""),
            from.timestamp()
        ),
        kind,
        step: None,
        orders: order.into_iter().collect(),
        due_at: due,
        expires_at: Some(expires),
    })
}

/// A stored follow-up, as much as reconciling needs of it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Stored {
    pub id: i64,
    pub key: String,
    pub kind: Kind,
    pub orders: Vec<OrderNo>,
    pub due_at: DateTime<Utc>,
    pub expires_at: Option<DateTime<Utc>>,
    pub announced: bool,
    pub snoozed: bool,
    pub done: bool,
}

/// What to write so that the stored follow-ups of a buyer match a new plan.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Reconciled {
    pub delete: Vec<i64>,
    pub insert: Vec<Planned>,
    /// Stored follow-ups whose plan moved (a price change moves a chase's close): updated
    /// in place, so that their number stays the same for whoever holds it.
    pub update: Vec<(i64, Planned)>,
}

/// Merges a buyer's new plan with its stored follow-ups. Done ones are history and are
/// never planned again; announced or snoozed ones stay while the plan still has them (a
/// chase announced but since covered by another stays while any of its orders is unpaid:
/// the agent has yet to send it); others still planned keep their number and take the new
/// times; the rest go. Follow-ups added by hand are left alone.
pub fn reconcile(stored: &[Stored], planned: Vec<Planned>, unpaid: &[&OrderNo]) -> Reconciled {
    let mut out = Reconciled::default();
    let mut kept: Vec<&str> = Vec::new();
    for s in stored {
        if s.kind.is_by_hand() || s.done {
            kept.push(&s.key);
            continue;
        }
        let now_planned = planned.iter().find(|p| p.key == s.key);
        let still_owed = s.kind == Kind::Chase && s.orders.iter().any(|o| unpaid.contains(&o));
        if s.announced || s.snoozed {
            if now_planned.is_some() || still_owed {
                kept.push(&s.key);
            } else {
                out.delete.push(s.id);
            }
            continue;
        }
        match now_planned {
            Some(p) => {
                kept.push(&s.key);
                if p.due_at != s.due_at || p.expires_at != s.expires_at || p.orders != s.orders {
                    out.update.push((s.id, p.clone()));
                }
            }
            None => out.delete.push(s.id),
        }
    }
    out.insert = planned
        .into_iter()
        .filter(|p| !kept.contains(&p.key.as_str()))
        .collect();
    out
}

/// The message to copy into the chat: polite, with the buyer's nick and, for a chase, the
/// close time. Follow-ups that are the shop's own work (a refund to handle, a parcel to
/// sign for) have a reminder for the agent instead. The texts are the 跟进 phrases of the
/// default library (`phrases::follow_up_message` renders the shop's own).
pub fn message(
    kind: Kind,
    nick: &str,
    expires_at: Option<DateTime<Utc>>,
    shop: ShopTime,
) -> String {
    crate::phrases::follow_up_message(&[], kind, nick, expires_at, shop)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::followups::tests::{at, unpaid};

    fn plan(orders: &[Order], now: &str) -> Vec<(Kind, String)> {
        plan_buyer(
            orders,
            false,
            at("2026-11-01 09:00:00"),
            &[],
            &Rules::default(),
            ShopTime::SHANGHAI,
            at(now),
        )
        .into_iter()
        .map(|p| {
            (
                p.kind,
                ShopTime::SHANGHAI
                    .local(p.due_at)
                    .format("%m-%d %H:%M")
                    .to_string(),
            )
        })
        .collect()
    }

    #[test]
    fn a_shipped_order_gets_a_check_in_three_days_later_until_receipt() {
        let mut o = unpaid("2026-11-10 10:00:00");
        o.status = OrderStatus::Shipped;
        o.paid_at = Some(at("2026-11-10 10:05:00"));
        o.shipped_at = Some(at("2026-11-11 16:30:00"));
        assert_eq!(
            plan(&[o.clone()], "2026-11-11 17:00:00"),
            vec![(Kind::ShippedCheckIn, "11-14 16:30".into())]
        );
        // Receipt confirms itself 10 days after shipping: no check-in after that.
        assert_eq!(plan(&[o], "2026-11-21 16:30:00"), vec![]);
    }

    #[test]
    fn a_successful_trade_gets_a_review_request_within_fifteen_days() {
        let mut o = unpaid("2026-11-01 10:00:00");
        o.status = OrderStatus::TradeSuccess;
        o.ended_at = Some(at("2026-11-08 12:00:00"));
        assert_eq!(
            plan(&[o.clone()], "2026-11-08 12:00:00"),
            vec![(Kind::ReviewRequest, "11-09 12:00".into())]
        );
        assert_eq!(plan(&[o.clone()], "2026-11-23 11:59:00").len(), 1);
        assert_eq!(plan(&[o], "2026-11-23 12:00:00"), vec![]);
    }

    #[test]
    fn a_paid_order_not_shipped_in_48_hours() {
        let mut o = unpaid("2026-11-10 10:00:00");
        o.status = OrderStatus::AwaitingShipment;
        o.paid_at = Some(at("2026-11-10 10:07:00"));
        assert_eq!(
            plan(&[o], "2026-11-10 11:00:00"),
            vec![(Kind::DelayedShipment, "11-12 10:07".into())]
        );
    }

    #[test]
    fn an_inquiry_without_orders_is_followed_up_after_two_days() {
        assert_eq!(
            plan(&[], "2026-11-01 09:00:00"),
            vec![(Kind::InquiryNoOrder, "11-03 09:00".into())]
        );
        let mut closed = unpaid("2026-11-01 10:00:00");
        closed.status = OrderStatus::TradeClosed;
        assert_eq!(plan(&[closed], "2026-11-01 11:00:00"), vec![]);
    }

    #[test]
    fn unpaid_orders_plan_their_chases_with_the_close_as_expiry() {
        let o = unpaid("2026-11-11 10:00:00");
        let p = plan_buyer(
            &[o],
            false,
            at("2026-11-11 09:00:00"),
            &[],
            &Rules::default(),
            ShopTime::SHANGHAI,
            at("2026-11-11 10:00:00"),
        );
        assert_eq!(p.len(), 3);
        assert!(p.iter().all(|c| c.kind == Kind::Chase));
        assert!(p
            .iter()
            .all(|c| c.expires_at == Some(at("2026-11-14 10:00:00"))));
        assert_eq!(
            p[0].key,
            format!("chase:{}", at("2026-11-11 10:20:00").timestamp())
        );
    }

    #[test]
    fn by_hand_deadlines_and_their_reminders() {
        let r = Rules::default();
        let from = at("2026-11-11 15:00:00");
        let p = by_hand(Kind::PromisedAnswer, None, from, &r).unwrap();
        assert_eq!(
            (p.due_at, p.expires_at),
            (at("2026-11-12 11:00:00"), Some(at("2026-11-12 15:00:00")))
        );
        let p = by_hand(Kind::RefundReply, None, from, &r).unwrap();
        assert_eq!(
            (p.due_at, p.expires_at),
            (at("2026-11-15 15:00:00"), Some(at("2026-11-16 15:00:00")))
        );
        let p = by_hand(Kind::RefundReplyQuick, None, from, &r).unwrap();
        assert_eq!(
            (p.due_at, p.expires_at),
            (at("2026-11-12 15:00:00"), Some(at("2026-11-13 15:00:00")))
        );
        let p = by_hand(Kind::ReturnReceipt, None, from, &r).unwrap();
        assert_eq!(p.due_at, at("2026-11-20 15:00:00"));
        assert!(by_hand(Kind::Chase, None, from, &r).is_err());
    }

    fn stored(
        id: i64,
        key: &str,
        kind: Kind,
        announced: bool,
        snoozed: bool,
        done: bool,
    ) -> Stored {
        Stored {
            id,
            key: key.into(),
            kind,
            orders: vec![OrderNo::parse("1").unwrap()],
            due_at: at("2026-11-11 10:00:00"),
            expires_at: None,
            announced,
            snoozed,
            done,
        }
    }

    fn planned(key: &str, kind: Kind) -> Planned {
        Planned {
            key: key.into(),
            kind,
            step: None,
            orders: vec![OrderNo::parse("1").unwrap()],
            due_at: at("2026-11-11 10:00:00"),
            expires_at: None,
        }
    }

    #[test]
    fn reconcile_keeps_state_and_drops_what_went_away() {
        let one = OrderNo::parse("1").unwrap();
        let s = vec![
            stored(1, "chase:1", Kind::Chase, false, false, false),
            stored(2, "chase:2", Kind::Chase, true, false, false),
            stored(
                3,
                "shipped_check_in:1",
                Kind::ShippedCheckIn,
                false,
                true,
                false,
            ),
            stored(
                4,
                "review_request:1",
                Kind::ReviewRequest,
                false,
                false,
                true,
            ),
            stored(
                5,
                "promised_answer::9",
                Kind::PromisedAnswer,
                false,
                false,
                false,
            ),
            stored(
                6,
                "delayed_shipment:1",
                Kind::DelayedShipment,
                true,
                false,
                false,
            ),
        ];
        let p = vec![
            planned("chase:1", Kind::Chase),
            planned("chase:3", Kind::Chase),
            planned("shipped_check_in:1", Kind::ShippedCheckIn),
            planned("review_request:1", Kind::ReviewRequest),
        ];
        let r = reconcile(&s, p.clone(), &[&one]);
        // 6 (announced, no longer planned: the order shipped) goes; 1 is unchanged and
        // keeps its number; only the new chase is inserted.
        assert_eq!(r.delete, vec![6]);
        assert_eq!(r.update, vec![]);
        let keys: Vec<&str> = r.insert.iter().map(|p| p.key.as_str()).collect();
        assert_eq!(keys, vec!["chase:3"]);
        // A moved plan updates in place.
        let mut moved = p.clone();
        moved[0].due_at = at("2026-11-11 11:00:00");
        let r = reconcile(&s, moved.clone(), &[&one]);
        assert_eq!(r.update, vec![(1, moved[0].clone())]);
        // Once paid, the announced chase goes too; 1 is no longer planned.
        let r = reconcile(&s, p[2..].to_vec(), &[]);
        assert_eq!(r.delete, vec![1, 2, 6]);
    }

    #[test]
    fn chase_text_names_the_buyer_and_the_close_time() {
        let t = message(
            Kind::Chase,
            "云朵希9624",
            Some(at("2026-11-14 23:50:00")),
            ShopTime::SHANGHAI,
        );
        assert!(t.starts_with("亲，云朵希9624，"), "{t}");
        assert!(t.contains("11月14日 23:50 自动关闭"), "{t}");
    }

    #[test]
    fn urgency_and_snooze() {
        let now = at("2026-11-11 21:00:00");
        let grace = Duration::minutes(30);
        assert_eq!(
            urgency(at("2026-11-11 21:01:00"), now, grace),
            Urgency::Upcoming
        );
        assert_eq!(urgency(at("2026-11-11 20:31:00"), now, grace), Urgency::Due);
        assert_eq!(
            urgency(at("2026-11-11 20:30:00"), now, grace),
            Urgency::Overdue
        );
        let s = ShopTime::SHANGHAI;
        assert_eq!(Snooze::Quarter.until(now, s), at("2026-11-11 21:15:00"));
        assert_eq!(Snooze::Hour.until(now, s), at("2026-11-11 22:00:00"));
        assert_eq!(Snooze::Tomorrow.until(now, s), at("2026-11-12 09:00:00"));
        assert_eq!(
            Snooze::Tomorrow.until(at("2026-11-12 00:30:00"), s),
            at("2026-11-13 09:00:00"),
            "after midnight, tomorrow is the next calendar day"
        );
        assert!(Snooze::parse("2h").is_err());
    }

    #[test]
    fn chases_first_then_soonest_to_expire_then_first_due() {
        let due = at("2026-11-11 20:00:00");
        let later = at("2026-11-11 20:10:00");
        let mut list = [
            (Kind::ShippedCheckIn, Some(at("2026-11-11 22:00:00")), due),
            (Kind::Chase, None, later),
            (Kind::Chase, Some(at("2026-11-12 08:00:00")), later),
            (Kind::Chase, Some(at("2026-11-12 08:00:00")), due),
            (Kind::ReviewRequest, None, due),
        ];
        list.sort_by_key(|(k, e, d)| most_urgent_first(*k, *e, *d));
        assert_eq!(
            list.map(|(k, e, d)| (k, e.is_some(), d == due)),
            [
                (Kind::Chase, true, true),
                (Kind::Chase, true, false),
                (Kind::Chase, false, false),
                (Kind::ShippedCheckIn, true, true),
                (Kind::ReviewRequest, false, true),
            ]
        );
    }
}
