//! Platform timers and follow-up rules. Every function takes `now` (or the times it needs)
//! as an argument; nothing here reads the clock.

use std::borrow::Borrow;

use chrono::{DateTime, Duration, NaiveTime, Utc};
use serde::{Deserialize, Serialize};

use crate::order::{Order, OrderNo, OrderStatus};
use crate::shop::ShopTime;

/// Every timer rule's number, each a setting with the platform's default.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default)]
pub struct Rules {
    /// Unpaid orders close this long after they were placed or their terms last changed.
    pub auto_close_minutes: i64,
    pub first_chase_minutes: i64,
    pub second_chase_minutes: i64,
    /// The final chase comes this long before the order auto-closes.
    pub final_chase_before_close_minutes: i64,
    pub max_chases_per_day: usize,
    /// A chase covers every step of the buyer's orders falling due within this long after
    /// it, so a buyer with several unpaid orders hears from the shop once.
    pub chase_cover_minutes: i64,
    /// No chase is due from `quiet_from` until `quiet_until` (shop time).
    pub quiet_from: NaiveTime,
    pub quiet_until: NaiveTime,
    /// Check in on a shipped order this long after shipping, until receipt is confirmed
    /// automatically (`auto_receipt_minutes` after shipping, express).
    pub shipped_check_in_minutes: i64,
    pub auto_receipt_minutes: i64,
    /// Ask for a review this long after the trade succeeded, while reviews are open.
    pub review_request_minutes: i64,
    pub review_window_minutes: i64,
    /// A paid order not shipped this long after payment.
    pub delayed_shipment_minutes: i64,
    /// A buyer who asked but did not order within this long.
    pub inquiry_follow_up_minutes: i64,
    /// A promised detail answer is due this long after the promise; the reminder comes at
    /// `promised_answer_reminder_minutes`.
    pub promised_answer_minutes: i64,
    pub promised_answer_reminder_minutes: i64,
    /// Seller deadlines for a refund request (2 days for 7-day-no-reason and unshipped
    /// orders) and for confirming a returned parcel (express), with the reminder this long
    /// before each.
    pub refund_reply_minutes: i64,
    pub refund_reply_quick_minutes: i64,
    pub return_receipt_minutes: i64,
    pub refund_warning_minutes: i64,
}

const DAY: i64 = 24 * 60;

impl Default for Rules {
    fn default() -> Self {
        Rules {
            auto_close_minutes: 72 * 60,
            first_chase_minutes: 20,
            second_chase_minutes: 3 * 60,
            final_chase_before_close_minutes: 2 * 60,
            max_chases_per_day: 3,
            chase_cover_minutes: 60,
            quiet_from: NaiveTime::from_hms_opt(22, 0, 0).unwrap_or_default(),
            quiet_until: NaiveTime::from_hms_opt(8, 0, 0).unwrap_or_default(),
            shipped_check_in_minutes: 3 * DAY,
            auto_receipt_minutes: 10 * DAY,
            review_request_minutes: DAY,
            review_window_minutes: 15 * DAY,
            delayed_shipment_minutes: 2 * DAY,
            inquiry_follow_up_minutes: 2 * DAY,
            promised_answer_minutes: 24 * 60,
            promised_answer_reminder_minutes: 20 * 60,
            refund_reply_minutes: 5 * DAY,
            refund_reply_quick_minutes: 2 * DAY,
            return_receipt_minutes: 10 * DAY,
            refund_warning_minutes: DAY,
        }
    }
}

/// Which chase of an order's cadence.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ChaseStep {
    First,
    Second,
    Final,
}

impl ChaseStep {
    pub fn code(self) -> &'static str {
        match self {
            ChaseStep::First => "first",
            ChaseStep::Second => "second",
            ChaseStep::Final => "final",
        }
    }

    pub fn parse(raw: &str) -> crate::Result<ChaseStep> {
        match raw.trim() {
            "first" => Ok(ChaseStep::First),
            "second" => Ok(ChaseStep::Second),
            "final" => Ok(ChaseStep::Final),
            _ => Err(crate::Error::invalid(
                "step",
                raw,
                "expected first, second or final",
            )),
        }
    }
}

/// One planned payment chase of a buyer, covering one or more of its unpaid orders.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Chase {
    pub due_at: DateTime<Utc>,
    pub step: ChaseStep,
    pub orders: Vec<OrderNo>,
    /// The earliest auto-close among the orders covered, for the notification text.
    pub closes_at: DateTime<Utc>,
}

fn in_quiet(rules: &Rules, t: NaiveTime) -> bool {
    if rules.quiet_from <= rules.quiet_until {
        t >= rules.quiet_from && t < rules.quiet_until
    } else {
        t >= rules.quiet_from || t < rules.quiet_until
    }
}

/// Moves a chase out of the quiet hours: to the end of the quiet hours, unless the order
/// would close before then, in which case to one minute before they start the evening
/// before (or `now`, if that has passed). `None` when the order closes before anything can
/// be sent.
pub fn sending_time(
    raw: DateTime<Utc>,
    closes_at: DateTime<Utc>,
    rules: &Rules,
    shop: ShopTime,
    now: DateTime<Utc>,
) -> Option<DateTime<Utc>> {
    if closes_at <= now {
        return None;
    }
    let local = shop.local(raw);
    if !in_quiet(rules, local.time()) {
        return Some(raw);
    }
    let mut morning_day = local.date_naive();
    if local.time() >= rules.quiet_until {
        morning_day = morning_day.succ_opt()?;
    }
    let morning = shop.from_local(morning_day.and_time(rules.quiet_until))?;
    if morning < closes_at {
        return Some(morning);
    }
    let evening_day = if rules.quiet_from > rules.quiet_until {
        morning_day.pred_opt()?
    } else {
        morning_day
    };
    let evening = shop.from_local(evening_day.and_time(rules.quiet_from))? - Duration::minutes(1);
    Some(evening.max(now)).filter(|t| *t < closes_at)
}

/// Plans the payment chases of one buyer from its orders. `returning` buyers get only the
/// first chase; `sent` are the chases already sent to this buyer (they count towards the
/// daily limit and cover steps that were due by then). Paid or closed orders are never
/// chased.
pub fn plan_chases<O: Borrow<Order>>(
    orders: &[O],
    returning: bool,
    sent: &[DateTime<Utc>],
    rules: &Rules,
    shop: ShopTime,
    now: DateTime<Utc>,
) -> Vec<Chase> {
    let cover = Duration::minutes(rules.chase_cover_minutes);
    let mut candidates = Vec::new();
    for o in orders {
        let o = o.borrow();
        let Some(closes_at) = auto_close_at(o, rules) else {
            continue;
        };
        let mut steps = vec![(
            ChaseStep::First,
            o.created_at + Duration::minutes(rules.first_chase_minutes),
        )];
        if !returning {
            steps.push((
                ChaseStep::Second,
                o.created_at + Duration::minutes(rules.second_chase_minutes),
            ));
            steps.push((
                ChaseStep::Final,
                closes_at - Duration::minutes(rules.final_chase_before_close_minutes),
            ));
        }
        for (step, raw) in steps {
            if raw >= closes_at {
                continue;
            }
            // A step missed while the app was closed is due now, not in the past, so that
            // catching up sends one chase rather than one per missed step.
            // The step's own time, for coverage: its raw time, or earlier when the quiet
            // hours pull it to the evening before.
            let own =
                sending_time(raw, closes_at, rules, shop, o.created_at).map_or(raw, |t| t.min(raw));
            if let Some(due) = sending_time(raw.max(now), closes_at, rules, shop, now) {
                candidates.push((due, step, o.no.clone(), closes_at, own));
            }
        }
    }
    candidates.sort();
    let mut planned: Vec<Chase> = Vec::new();
    for (due, step, no, closes_at, own) in candidates {
        // Already covered by a chase sent after (or shortly before) this step fell due.
        // Compared with the step's own time, not the time it would be sent now: a step
        // sent hours ago must not come back as "missed" when the plan is made again.
        if sent.iter().any(|s| *s + cover > own) {
            continue;
        }
        if let Some(k) = planned
            .iter_mut()
            .find(|k| k.due_at <= due && due < k.due_at + cover)
        {
            if !k.orders.contains(&no) {
                k.orders.push(no);
            }
            k.closes_at = k.closes_at.min(closes_at);
            continue;
        }
        let day_start = due - Duration::hours(24);
        let in_day = sent
            .iter()
            .filter(|s| **s > day_start && **s <= due)
            .count()
            + planned
                .iter()
                .filter(|k| k.due_at > day_start && k.due_at <= due)
                .count();
        if in_day >= rules.max_chases_per_day {
            continue;
        }
        planned.push(Chase {
            due_at: due,
            step,
            orders: vec![no],
            closes_at,
        });
    }
    planned
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

/// When receipt of a shipped order is confirmed automatically (`auto_receipt_minutes`
/// after shipping, express). `None` for an order that is not shipped or has no shipping
/// time.
pub fn auto_receipt_at(order: &Order, rules: &Rules) -> Option<DateTime<Utc>> {
    if order.status != OrderStatus::Shipped {
        return None;
    }
    Some(order.shipped_at? + Duration::minutes(rules.auto_receipt_minutes))
}

/// The status the platform has given an order by `now`, as far as its timers tell: an
/// unpaid order past its close is closed, a shipped one past automatic receipt is a
/// success. A presumption, never stored: an export saying otherwise (paid at the last
/// minute, terms changed) is what the order then is.
pub fn presumed_status(order: &Order, rules: &Rules, now: DateTime<Utc>) -> OrderStatus {
    let passed = |t: Option<DateTime<Utc>>| t.is_some_and(|t| t <= now);
    match order.status {
        OrderStatus::AwaitingPayment if passed(auto_close_at(order, rules)) => {
            OrderStatus::TradeClosed
        }
        OrderStatus::Shipped if passed(auto_receipt_at(order, rules)) => OrderStatus::TradeSuccess,
        s => s,
    }
}

/// The next moment after `now` at which a platform timer changes what an order is
/// presumed to be.
pub fn next_presumption(order: &Order, rules: &Rules, now: DateTime<Utc>) -> Option<DateTime<Utc>> {
    auto_close_at(order, rules)
        .or_else(|| auto_receipt_at(order, rules))
        .filter(|t| *t > now)
}

#[cfg(test)]
pub(crate) mod tests {
    use super::*;
    use crate::{BuyerNick, Fen, OrderNo, ShopTime};

    pub fn at(local: &str) -> DateTime<Utc> {
        ShopTime::SHANGHAI.parse_local(local).unwrap()
    }

    pub fn unpaid(created: &str) -> Order {
        Order::placed(
            OrderNo::parse("4012345678901235164").unwrap(),
            BuyerNick::parse("云朵希9624").unwrap(),
            Fen(38700),
            at(created),
        )
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
            ..Rules::default()
        };
        assert_eq!(auto_close_at(&o, &rules), Some(at("2026-11-12 10:00:00")));
    }

    fn plan(
        orders: &[Order],
        returning: bool,
        sent: &[DateTime<Utc>],
        now: &str,
    ) -> Vec<(String, ChaseStep, usize)> {
        plan_chases(
            orders,
            returning,
            sent,
            &Rules::default(),
            ShopTime::SHANGHAI,
            at(now),
        )
        .into_iter()
        .map(|c| {
            (
                ShopTime::SHANGHAI
                    .local(c.due_at)
                    .format("%m-%d %H:%M")
                    .to_string(),
                c.step,
                c.orders.len(),
            )
        })
        .collect()
    }

    #[test]
    fn the_chase_cadence_of_a_new_buyer() {
        let o = unpaid("2026-11-11 10:00:00");
        assert_eq!(
            plan(&[o], false, &[], "2026-11-11 10:00:00"),
            vec![
                ("11-11 10:20".into(), ChaseStep::First, 1),
                ("11-11 13:00".into(), ChaseStep::Second, 1),
                ("11-14 08:00".into(), ChaseStep::Final, 1),
            ]
        );
    }

    #[test]
    fn returning_buyers_get_only_the_first_chase() {
        let o = unpaid("2026-11-11 10:00:00");
        assert_eq!(
            plan(&[o], true, &[], "2026-11-11 10:00:00"),
            vec![("11-11 10:20".into(), ChaseStep::First, 1)]
        );
    }

    #[test]
    fn a_chase_in_the_quiet_hours_moves_to_eight() {
        // Placed 22:50: the first chase would be 23:10 and moves to 08:00.
        let o = unpaid("2026-11-11 22:50:00");
        let p = plan(&[o], false, &[], "2026-11-11 22:50:00");
        assert_eq!(
            p[0],
            ("11-12 08:00".into(), ChaseStep::First, 1),
            "the second chase (01:50) moves to 08:00 too and is covered by the first"
        );
        assert_eq!(p[1], ("11-14 20:50".into(), ChaseStep::Final, 1));
    }

    #[test]
    fn an_order_closing_before_eight_is_chased_the_evening_before() {
        let mut o = unpaid("2026-11-11 23:00:00");
        o.close_deadline = Some(at("2026-11-12 07:00:00"));
        // At 20:00 the evening before is still ahead: due at 21:59.
        let t = sending_time(
            at("2026-11-11 23:20:00"),
            at("2026-11-12 07:00:00"),
            &Rules::default(),
            ShopTime::SHANGHAI,
            at("2026-11-11 20:00:00"),
        );
        assert_eq!(t, Some(at("2026-11-11 21:59:00")));
        // At 23:00 it has passed: due now.
        assert_eq!(
            plan(&[o.clone()], false, &[], "2026-11-11 23:00:00")[0],
            ("11-11 23:00".into(), ChaseStep::First, 1)
        );
        // Once the order has closed, nothing.
        assert_eq!(plan(&[o], false, &[], "2026-11-12 07:00:00"), vec![]);
    }

    #[test]
    fn one_chase_covers_all_of_a_buyers_orders() {
        let mut a = unpaid("2026-11-11 10:00:00");
        let mut b = unpaid("2026-11-11 10:05:00");
        a.no = OrderNo::parse("1").unwrap();
        b.no = OrderNo::parse("2").unwrap();
        let p = plan(&[a, b], false, &[], "2026-11-11 10:00:00");
        assert_eq!(p[0], ("11-11 10:20".into(), ChaseStep::First, 2));
        assert_eq!(p[1], ("11-11 13:00".into(), ChaseStep::Second, 2));
    }

    #[test]
    fn paid_orders_are_never_chased_and_sent_chases_are_not_repeated() {
        let mut o = unpaid("2026-11-11 10:00:00");
        let sent = [at("2026-11-11 10:21:00")];
        assert_eq!(
            plan(&[o.clone()], false, &sent, "2026-11-11 10:30:00")[0].1,
            ChaseStep::Second
        );
        o.status = OrderStatus::AwaitingShipment;
        assert_eq!(plan(&[o], false, &[], "2026-11-11 10:00:00"), vec![]);
    }

    #[test]
    fn a_sent_step_does_not_come_back_when_planned_again_later() {
        // Placed 19:00: first chase 19:20 sent; the second (22:00) moved to 08:00 and sent.
        let o = unpaid("2026-11-11 19:00:00");
        let sent = [at("2026-11-11 19:20:00"), at("2026-11-12 08:00:00")];
        let p = plan(&[o], false, &sent, "2026-11-12 09:00:00");
        assert_eq!(p, vec![("11-14 17:00".into(), ChaseStep::Final, 1)]);
    }

    #[test]
    fn a_final_chase_pulled_to_the_evening_is_not_repeated_at_ten() {
        // Closes 00:59: the final chase (22:59) is pulled to 21:59 and sent then.
        let o = unpaid("2026-11-12 00:59:00");
        let sent = [at("2026-11-13 12:54:00"), at("2026-11-14 21:59:00")];
        assert_eq!(plan(&[o], false, &sent, "2026-11-14 22:00:00"), vec![]);
    }

    #[test]
    fn chase_steps_read_back_their_codes() {
        for s in [ChaseStep::First, ChaseStep::Second, ChaseStep::Final] {
            assert_eq!(ChaseStep::parse(s.code()), Ok(s));
        }
        assert!(ChaseStep::parse("third").is_err());
    }

    #[test]
    fn at_most_three_chases_a_day() {
        // Four orders placed hours apart: four first chases, but only three in 24 hours.
        let orders: Vec<Order> = ["09:00", "11:00", "13:00", "15:00"]
            .iter()
            .enumerate()
            .map(|(i, t)| {
                let mut o = unpaid(&format!("2026-11-11 {t}:00"));
                o.no = OrderNo::parse(&format!("{}", i + 1)).unwrap();
                o
            })
            .collect();
        let p = plan(&orders, true, &[], "2026-11-11 09:00:00");
        assert_eq!(
            p.iter().map(|c| c.0.as_str()).collect::<Vec<_>>(),
            vec!["11-11 09:20", "11-11 11:20", "11-11 13:20"]
        );
    }

    mod properties {
        use super::*;
        use proptest::prelude::*;

        fn order(minute: i64, status_paid: bool, n: usize) -> Order {
            let mut o = unpaid("2026-11-01 00:00:00");
            o.created_at += Duration::minutes(minute);
            o.no = OrderNo::parse(&n.to_string()).unwrap();
            if status_paid {
                o.status = OrderStatus::AwaitingShipment;
            }
            o
        }

        proptest! {
            #[test]
            fn chase_invariants(
                placed in prop::collection::vec((0i64..14 * 1440, any::<bool>()), 1..8),
                returning in any::<bool>(),
                now_offset in 0i64..16 * 1440,
                sent_offsets in prop::collection::vec(0i64..16 * 1440, 0..4),
            ) {
                let rules = Rules::default();
                let shop = ShopTime::SHANGHAI;
                let base = at("2026-11-01 00:00:00");
                let now = base + Duration::minutes(now_offset);
                let mut sent: Vec<_> = sent_offsets.iter().map(|m| base + Duration::minutes(*m)).filter(|t| *t <= now).collect();
                sent.sort();
                let orders: Vec<Order> = placed.iter().enumerate().map(|(i, (m, paid))| order(*m, *paid, i + 1)).collect();
                let plan = plan_chases(&orders, returning, &sent, &rules, shop, now);
                let cover = Duration::minutes(rules.chase_cover_minutes);
                for (i, c) in plan.iter().enumerate() {
                    // Never a chase for a paid order.
                    for no in &c.orders {
                        let o = orders.iter().find(|o| &o.no == no).unwrap();
                        prop_assert_eq!(o.status, OrderStatus::AwaitingPayment);
                        prop_assert!(c.due_at < auto_close_at(o, &rules).unwrap());
                    }
                    // None inside the quiet hours, except "now" for an order closing before morning.
                    if in_quiet(&rules, shop.local(c.due_at).time()) {
                        prop_assert_eq!(c.due_at, now);
                    }
                    // One chase per buyer at a time: planned chases are at least `cover` apart.
                    if i > 0 { prop_assert!(c.due_at >= plan[i - 1].due_at + cover); }
                    // At most three in any 24 hours, counting those already sent.
                    let window = |t: DateTime<Utc>| t > c.due_at - Duration::hours(24) && t <= c.due_at;
                    let n = sent.iter().filter(|s| window(**s)).count() + plan.iter().filter(|k| window(k.due_at)).count();
                    prop_assert!(n <= rules.max_chases_per_day, "{} chases in 24 h before {}", n, c.due_at);
                    if returning { prop_assert_eq!(c.step, ChaseStep::First); }
                }
            }
        }
    }
}
