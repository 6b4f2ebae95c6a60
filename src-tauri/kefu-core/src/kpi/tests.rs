//! The fixture day (2026-11-20, shop time), with every answer computed by hand in the
//! comments, and the property that agents' sales and silent sales make the shop's.

use chrono::{DateTime, NaiveDate, Utc};
use proptest::prelude::*;

use super::*;

fn t(local: &str) -> DateTime<Utc> {
    ShopTime::SHANGHAI.parse_local(local).expect("a time")
}

fn fact(at: &str, kind: FactKind, buyer: &str, agent: &str) -> Fact {
    Fact {
        at: t(at),
        kind,
        buyer: buyer.into(),
        agent: agent.into(),
        other: String::new(),
        order: String::new(),
    }
}

fn chase(at: &str, buyer: &str, agent: &str, order: &str) -> Fact {
    Fact {
        order: order.into(),
        ..fact(at, FactKind::Chased, buyer, agent)
    }
}

fn order(
    no: &str,
    buyer: &str,
    created: &str,
    paid: Option<&str>,
    yuan: i64,
    refunded: bool,
) -> OrderFact {
    OrderFact {
        no: no.into(),
        buyer: buyer.into(),
        created_at: t(created),
        paid_at: paid.map(t),
        amount: Fen(yuan * 100),
        refunded,
    }
}

const MEI: &str = "小美";
const SHUAI: &str = "小帅";

fn fixture() -> (Vec<Fact>, Vec<OrderFact>) {
    use FactKind::*;
    let facts = vec![
        // 甲: greeted after 20 s, orders and pays the same morning.
        fact("2026-11-20 10:00:00", Received, "甲", MEI),
        fact("2026-11-20 10:00:20", Greeted, "甲", MEI),
        // 乙: two rounds with 小美 (30 s, and 15 min capped at 10), handed to 小帅, who
        // greets after 60 s; orders at noon, pays the next morning.
        fact("2026-11-20 11:00:00", Received, "乙", MEI),
        fact("2026-11-20 11:00:10", BuyerMessage, "乙", MEI),
        fact("2026-11-20 11:00:40", AgentMessage, "乙", MEI),
        fact("2026-11-20 11:05:00", BuyerMessage, "乙", MEI),
        fact("2026-11-20 11:20:00", AgentMessage, "乙", MEI),
        Fact {
            other: SHUAI.into(),
            ..fact("2026-11-20 11:30:00", Transferred, "乙", MEI)
        },
        fact("2026-11-20 11:30:00", Received, "乙", SHUAI),
        fact("2026-11-20 11:31:00", Greeted, "乙", SHUAI),
        // 丙: 小帅 serves the order, a chase is paid within 24 h while 小美 serves it.
        fact("2026-11-20 14:00:00", Received, "丙", SHUAI),
        fact("2026-11-20 14:00:10", Greeted, "丙", SHUAI),
        chase("2026-11-20 15:00:00", "丙", SHUAI, "C1"),
        fact("2026-11-21 10:00:00", Received, "丙", MEI),
        // 丁: chased, paid 26 h 20 min later.
        fact("2026-11-20 09:00:00", Received, "丁", MEI),
        fact("2026-11-20 09:00:30", Greeted, "丁", MEI),
        chase("2026-11-20 09:40:00", "丁", MEI, "D1"),
        // 戊: paid and refunded.
        fact("2026-11-20 16:00:00", Received, "戊", SHUAI),
        fact("2026-11-20 16:00:05", Greeted, "戊", SHUAI),
        // 庚: asks about the order of yesterday (after-sales, not an inquiry); no answer.
        fact("2026-11-20 13:00:00", Received, "庚", MEI),
        // 辛: writes at 23:20, outside the counted hours; answered at 23:25.
        fact("2026-11-20 23:10:00", Received, "辛", SHUAI),
        fact("2026-11-20 23:20:00", BuyerMessage, "辛", SHUAI),
        fact("2026-11-20 23:25:00", AgentMessage, "辛", SHUAI),
        // 壬: ordered before anyone served it, paid while 小美 serves it.
        fact("2026-11-20 08:30:00", Received, "壬", MEI),
    ];
    let orders = vec![
        order(
            "A1",
            "甲",
            "2026-11-20 10:30:00",
            Some("2026-11-20 10:35:00"),
            100,
            false,
        ),
        order(
            "B1",
            "乙",
            "2026-11-20 12:00:00",
            Some("2026-11-21 09:00:00"),
            200,
            false,
        ),
        order(
            "C1",
            "丙",
            "2026-11-20 14:30:00",
            Some("2026-11-21 10:30:00"),
            100,
            false,
        ),
        order(
            "D1",
            "丁",
            "2026-11-20 09:10:00",
            Some("2026-11-21 12:00:00"),
            50,
            false,
        ),
        order(
            "E1",
            "戊",
            "2026-11-20 16:10:00",
            Some("2026-11-20 16:12:00"),
            80,
            true,
        ),
        // 己 never chatted.
        order(
            "F1",
            "己",
            "2026-11-20 20:00:00",
            Some("2026-11-20 20:01:00"),
            60,
            false,
        ),
        order(
            "G1",
            "庚",
            "2026-11-19 10:00:00",
            Some("2026-11-19 10:05:00"),
            30,
            false,
        ),
        order(
            "I1",
            "壬",
            "2026-11-20 08:00:00",
            Some("2026-11-20 08:40:00"),
            40,
            false,
        ),
    ];
    (facts, orders)
}

fn day() -> Period {
    Period::day(NaiveDate::from_ymd_opt(2026, 11, 20).expect("a date"))
}

fn week() -> Period {
    Period::new(
        NaiveDate::from_ymd_opt(2026, 11, 16).expect("a date"),
        NaiveDate::from_ymd_opt(2026, 11, 22).expect("a date"),
    )
    .expect("a week")
}

fn run(rules: KpiRules, period: Period, now: &str) -> Report {
    let (facts, orders) = fixture();
    report(&facts, &orders, rules, period, t(now), None)
}

#[test]
fn the_fixture_day_by_hand() {
    let r = run(KpiRules::default(), day(), "2026-11-30 00:00:00");
    assert!(!r.provisional);
    let mei = &r.agents[MEI];
    let shuai = &r.agents[SHUAI];
    let team = r.team.as_ref().expect("the team");
    // 接待: 小美 甲乙丁庚壬, 小帅 乙丙戊辛; the team counts 乙 once.
    assert_eq!((mei.received, shuai.received, team.received), (5, 4, 8));
    // 询单: not 庚 (an order the day before) nor 壬 (ordered before it was received).
    assert_eq!((mei.inquired, shuai.inquired, team.inquired), (3, 4, 6));
    assert_eq!(mei.ordered, [3, 3, 3]);
    assert_eq!(mei.paid, [1, 3, 3], "乙 and 丁 paid the next day");
    assert_eq!(shuai.ordered, [3, 3, 3], "辛 never ordered");
    assert_eq!(shuai.paid, [1, 3, 3]);
    assert_eq!((team.ordered, team.paid), ([5, 5, 5], [2, 5, 5]));
    assert_eq!(shuai.rates.order_conversion, [Some(0.75); 3]);
    assert_eq!(
        mei.rates.pay_conversion,
        [Some(1.0 / 3.0), Some(1.0), Some(1.0)]
    );
    // Sales paid on the day, 下单判定: 甲 (小美), 戊 (小帅, refunded); 己 and 壬 silent.
    assert_eq!(
        (mei.sales, mei.paying_buyers, mei.rates.per_buyer),
        (Fen(10000), 1, Some(10000))
    );
    assert_eq!(
        (shuai.sales, shuai.refunded, shuai.rates.refund_rate),
        (Fen(8000), 1, Some(1.0))
    );
    assert_eq!(
        (shuai.kept_sales, shuai.rates.kept_per_buyer),
        (Fen(0), None)
    );
    assert_eq!(
        (team.sales, r.silent_sales, r.shop_sales),
        (Fen(18000), Some(Fen(10000)), Some(Fen(28000)))
    );
    // First answers: 小美 20 + 40 + 30 s over 3 of 5; 小帅 60 + 10 + 5 + 900 s over 4.
    assert_eq!(
        (mei.replied, mei.first_response_secs, mei.rates.reply_rate),
        (3, 90, Some(0.6))
    );
    assert_eq!(
        (shuai.replied, shuai.rates.first_response_secs),
        (4, Some(243.75))
    );
    assert_eq!((team.replied, team.first_response_secs), (6, 1005));
    // Rounds: 乙's 30 s and 600 s (capped); 辛 wrote after 23:00.
    assert_eq!(
        (mei.rounds, mei.round_secs, mei.rates.response_secs),
        (2, 630, Some(315.0))
    );
    assert_eq!((shuai.rounds, shuai.rates.response_secs), (0, None));
    assert_eq!(
        (mei.rates.answer_ratio, shuai.rates.answer_ratio),
        (Some(1.0), Some(1.0))
    );
    assert_eq!((team.buyer_messages, team.agent_messages), (3, 3));
    // Chases: 丙 paid within 24 h of 小帅's chase, 丁 after 26 h.
    assert_eq!(
        (mei.chased, mei.chases_paid, shuai.chased, shuai.chases_paid),
        (1, 0, 1, 1)
    );
    assert_eq!(team.rates.chase_success, Some(0.5));
    // 2026-11-20 is a Friday: the team's first receptions by hour (08:30 壬, 09:00 丁, …).
    let friday = |h: usize| r.received_by_hour[4 * 24 + h];
    assert_eq!(
        (0..24).map(friday).collect::<Vec<_>>(),
        [0, 0, 0, 0, 0, 0, 0, 0, 1, 1, 1, 1, 0, 1, 1, 0, 1, 0, 0, 0, 0, 0, 0, 1]
    );
    assert_eq!(r.received_by_hour.iter().sum::<u64>(), 8);
}

#[test]
fn inside_the_settling_window_the_figures_are_provisional() {
    let r = run(KpiRules::default(), day(), "2026-11-21 09:30:00");
    assert!(r.provisional);
    assert_eq!(r.settles_at, t("2026-11-25 00:00:00"));
    // 乙 has paid by 09:30 the next morning, 丁 not yet.
    assert_eq!(r.agents[MEI].paid, [1, 2, 2]);
}

#[test]
fn each_attribution_rule_credits_the_agent_it_names() {
    let sales = |attribution| {
        let r = run(
            KpiRules {
                attribution,
                ..KpiRules::default()
            },
            week(),
            "2026-12-01 00:00:00",
        );
        (
            r.agents[MEI].sales,
            r.agents[SHUAI].sales,
            r.silent_sales.expect("silent"),
        )
    };
    // 下单判定: 乙 ordered after the transfer (小帅), 丙 while 小帅 served it; 己, 庚, 壬 silent.
    assert_eq!(
        sales(Attribution::Order),
        (Fen(15000), Fen(38000), Fen(13000))
    );
    // 付款判定: 丙 paid while 小美 served it, and so did 壬.
    assert_eq!(
        sales(Attribution::Payment),
        (Fen(29000), Fen(28000), Fen(9000))
    );
    // 下单优先: 壬 had nobody at its order, so its payment counts.
    assert_eq!(
        sales(Attribution::OrderFirst),
        (Fen(19000), Fen(38000), Fen(9000))
    );
}

#[test]
fn an_agent_reads_its_own_figures_only() {
    let (facts, orders) = fixture();
    assert_eq!(
        visible_to(MEI, crate::team::Role::Agent),
        Some(MEI.to_owned())
    );
    assert_eq!(visible_to("主管", crate::team::Role::Supervisor), None);
    let r = report(
        &facts,
        &orders,
        KpiRules::default(),
        day(),
        t("2026-11-30 00:00:00"),
        Some(MEI),
    );
    assert_eq!(r.agents.keys().collect::<Vec<_>>(), [MEI]);
    assert_eq!((r.team, r.silent_sales, r.shop_sales), (None, None, None));
}

#[test]
fn a_period_is_whole_days_in_order() {
    let d = |n| NaiveDate::from_ymd_opt(2026, 11, n).expect("a date");
    assert!(Period::new(d(20), d(19)).is_err());
    assert_eq!(week().days().count(), 7);
    assert_eq!(
        day().bounds(ShopTime::SHANGHAI),
        (t("2026-11-20 00:00:00"), t("2026-11-21 00:00:00"))
    );
}

#[test]
fn a_fact_kind_is_stored_as_serde_names_it() {
    for kind in FactKind::ALL {
        let named = serde_json::to_value(kind).unwrap();
        assert_eq!(named.as_str(), Some(kind.code()));
        assert_eq!(FactKind::from_code(kind.code()), Some(kind));
    }
    assert_eq!(FactKind::from_code("Received"), None);
}

#[test]
fn facts_given_in_time_order_or_not_give_the_same_figures() {
    let (facts, orders) = fixture();
    // The database gives facts in time order and the index then skips its sort; the
    // fixture is written by buyer, so the index sorts it.
    let mut sorted = facts.clone();
    sorted.sort_by_key(|f| f.at);
    assert_ne!(sorted, facts, "the fixture is out of time order");
    let rules = KpiRules::default();
    let now = t("2026-11-30 12:00:00");
    assert_eq!(
        report(&sorted, &orders, rules, week(), now, None),
        report(&facts, &orders, rules, week(), now, None)
    );
}

#[test]
fn a_period_and_its_days_together_are_each_one_alone() {
    let (facts, orders) = fixture();
    let index = Index::new(&facts, &orders, KpiRules::default());
    let now = t("2026-11-30 12:00:00");
    let (whole, days) = index.report_by_day(week(), true, now, Some(MEI));
    assert_eq!(whole, index.report(week(), now, Some(MEI)));
    assert_eq!(days.len(), week().days().count());
    for (day, r) in week().days().zip(&days) {
        assert_eq!(*r, index.report(Period::day(day), now, Some(MEI)), "{day}");
    }
    let (_, none) = index.report_by_day(week(), false, now, None);
    assert!(none.is_empty());
}

proptest! {
    #[test]
    fn the_shop_clock_is_chronos(secs in -4_000_000_000i64..8_000_000_000, offset in -14 * 60..14 * 60i32) {
        let shop = ShopTime::from_offset_minutes(offset).unwrap();
        let at = DateTime::from_timestamp(secs, 0).unwrap();
        let (day, second) = super::index::shop_clock(shop, at.timestamp_micros());
        let local = shop.local(at);
        let epoch = NaiveDate::from_ymd_opt(1970, 1, 1).unwrap();
        prop_assert_eq!(day, (local.date_naive() - epoch).num_days());
        prop_assert_eq!(second, i64::from(chrono::Timelike::num_seconds_from_midnight(&local)));
        prop_assert_eq!((day + 3).rem_euclid(7), i64::from(chrono::Datelike::weekday(&local).num_days_from_monday()));
    }
}

proptest! {
    /// Whatever happened, every paid order is the agents' or silent, once.
    #[test]
    fn agents_and_silent_sales_make_the_shops(
        receptions in prop::collection::vec((0..6usize, 0..3usize, 0..14 * 24 * 60i64), 0..40),
        orders in prop::collection::vec((0..6usize, 0..14 * 24 * 60i64, prop::option::of(0..3 * 24 * 60i64), 1..100_000i64, any::<bool>()), 0..40),
        rule in 0..3usize,
    ) {
        let base = t("2026-11-10 00:00:00");
        let minutes = chrono::Duration::minutes;
        let facts: Vec<Fact> = receptions.iter().map(|&(b, a, m)| Fact {
            at: base + minutes(m), kind: FactKind::Received, buyer: format!("b{b}"),
            agent: ["甲", "乙", "丙"][a].into(), other: String::new(), order: String::new(),
        }).collect();
        let orders: Vec<OrderFact> = orders.iter().enumerate().map(|(i, &(b, m, paid, fen, refunded))| OrderFact {
            no: format!("o{i}"), buyer: format!("b{b}"), created_at: base + minutes(m),
            paid_at: paid.map(|p| base + minutes(m + p)), amount: Fen(fen), refunded,
        }).collect();
        let attribution = [Attribution::Order, Attribution::Payment, Attribution::OrderFirst][rule];
        let rules = KpiRules { attribution, ..KpiRules::default() };
        let period = Period::new(NaiveDate::from_ymd_opt(2026, 11, 12).expect("a date"), NaiveDate::from_ymd_opt(2026, 11, 20).expect("a date")).expect("a period");
        let r = report(&facts, &orders, rules, period, base + minutes(40 * 24 * 60), None);
        let agents: i64 = r.agents.values().map(|f| f.sales.0).sum();
        let team = r.team.expect("the team");
        prop_assert_eq!(team.sales.0, agents);
        prop_assert_eq!(agents + r.silent_sales.expect("silent").0, r.shop_sales.expect("shop").0);
        let (start, end) = period.bounds(ShopTime::SHANGHAI);
        let paid: i64 = orders.iter().filter(|o| o.paid_at.is_some_and(|p| p >= start && p < end)).map(|o| o.amount.0).sum();
        prop_assert_eq!(r.shop_sales.expect("shop").0, paid);
    }
}
