//! The formulas: each figure is a fold over the facts and orders of a period, written
//! here once. `Index` sorts the history once; a report per day or per range reads only the
//! receptions, messages, payments and chases inside it.

use std::collections::{BTreeMap, HashMap, HashSet};
use std::hash::{BuildHasherDefault, Hasher};

use chrono::{DateTime, Datelike, Duration, Timelike, Utc};
use serde::Serialize;

use super::{Attribution, Fact, FactKind, KpiRules, OrderFact, Period};
use crate::Fen;

/// One agent's figures (or the team's) for a period: the counts, and the rates made of
/// them (`None` where the denominator is 0).
#[derive(Clone, Debug, Default, PartialEq, Serialize)]
pub struct Figures {
    /// 接待人数: buyers received.
    pub received: u64,
    /// 询单人数: received buyers without an order in the settling window before.
    pub inquired: u64,
    /// Of those, buyers who ordered (paid) on the day received, by the next day, within
    /// the settling window (最终).
    pub ordered: [u64; 3],
    pub paid: [u64; 3],
    /// 客服销售额: paid orders credited here, in fen; their buyers and orders.
    pub sales: Fen,
    pub paying_buyers: u64,
    pub orders: u64,
    pub refunded: u64,
    /// 落实: the credited orders not refunded.
    pub kept_sales: Fen,
    pub kept_buyers: u64,
    /// Receptions answered (a message, or the window's greeting), and the time it took.
    pub replied: u64,
    pub first_response_secs: i64,
    /// Response rounds counted, and their time (each capped).
    pub rounds: u64,
    pub round_secs: i64,
    pub buyer_messages: u64,
    pub agent_messages: u64,
    /// Chased unpaid orders (first chase in the period) and those paid within 24 h of it.
    pub chased: u64,
    pub chases_paid: u64,
    pub rates: Rates,
}

/// The rates, as fractions (0.45 is 45 %), and averages.
#[derive(Clone, Debug, Default, PartialEq, Serialize)]
pub struct Rates {
    /// 询单→下单 and 询单→付款: 当日, 次日, 最终.
    pub order_conversion: [Option<f64>; 3],
    pub pay_conversion: [Option<f64>; 3],
    /// 客单价 and 落实客单价, in fen.
    pub per_buyer: Option<i64>,
    pub kept_per_buyer: Option<i64>,
    pub first_response_secs: Option<f64>,
    pub response_secs: Option<f64>,
    /// 回复率, 答问比, 退款率, 催付成功率.
    pub reply_rate: Option<f64>,
    pub answer_ratio: Option<f64>,
    pub refund_rate: Option<f64>,
    pub chase_success: Option<f64>,
}

fn ratio(n: u64, d: u64) -> Option<f64> {
    (d > 0).then(|| n as f64 / d as f64)
}

impl Figures {
    fn finish(mut self) -> Figures {
        let avg = |total: i64, n: u64| (n > 0).then(|| total as f64 / n as f64);
        self.rates = Rates {
            order_conversion: self.ordered.map(|n| ratio(n, self.inquired)),
            pay_conversion: self.paid.map(|n| ratio(n, self.inquired)),
            per_buyer: (self.paying_buyers > 0).then(|| self.sales.0 / self.paying_buyers as i64),
            kept_per_buyer: (self.kept_buyers > 0)
                .then(|| self.kept_sales.0 / self.kept_buyers as i64),
            first_response_secs: avg(self.first_response_secs, self.replied),
            response_secs: avg(self.round_secs, self.rounds),
            reply_rate: ratio(self.replied, self.received),
            answer_ratio: ratio(self.agent_messages, self.buyer_messages),
            refund_rate: ratio(self.refunded, self.orders),
            chase_success: ratio(self.chases_paid, self.chased),
        };
        self
    }
}

/// The figures of a period: per agent, the team's, and the sales nobody served (静默).
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct Report {
    pub period: Period,
    pub attribution: Attribution,
    /// Conversions of receptions whose settling window is still open at `now` may rise.
    pub provisional: bool,
    pub settles_at: DateTime<Utc>,
    pub agents: BTreeMap<String, Figures>,
    /// The team's and the shop's figures; `None` for a reader who sees only its own.
    pub team: Option<Figures>,
    pub silent_sales: Option<Fen>,
    pub shop_sales: Option<Fen>,
    /// Receptions per hour of the week in shop time, Monday 0:00 first (168 counts): the
    /// team's buyers, or the reader's own receptions.
    pub received_by_hour: Vec<u64>,
}

/// FNV-1a: the maps here are keyed by buyer and agent names from the shop's own data, a
/// month of which is millions of lookups; SipHash's defence against chosen keys costs more
/// than it buys on them.
#[derive(Default)]
struct Fnv(u64);

impl Hasher for Fnv {
    fn finish(&self) -> u64 {
        self.0
    }
    fn write(&mut self, bytes: &[u8]) {
        let mut h = if self.0 == 0 {
            0xcbf2_9ce4_8422_2325
        } else {
            self.0
        };
        for b in bytes {
            h = (h ^ u64::from(*b)).wrapping_mul(0x0100_0000_01b3);
        }
        self.0 = h;
    }
}

type Map<K, V> = HashMap<K, V, BuildHasherDefault<Fnv>>;
type Set<K> = HashSet<K, BuildHasherDefault<Fnv>>;

/// The history sorted once for any number of reports.
pub struct Index<'a> {
    rules: KpiRules,
    facts: Vec<&'a Fact>,
    by_buyer: Map<&'a str, Vec<&'a Fact>>,
    /// Per buyer: its receptions (time, agent) and its orders, in time order.
    received: Map<&'a str, Vec<(DateTime<Utc>, &'a str)>>,
    orders: Map<&'a str, Vec<&'a OrderFact>>,
    paid: Vec<&'a OrderFact>,
    /// Each chased order's first chase (time, order, agent), in time order, with whether it
    /// was paid within 24 h.
    chases: Vec<(DateTime<Utc>, &'a str, &'a str, bool)>,
}

impl<'a> Index<'a> {
    pub fn new(facts: &'a [Fact], orders: &'a [OrderFact], rules: KpiRules) -> Index<'a> {
        let mut sorted: Vec<&Fact> = facts.iter().collect();
        sorted.sort_by_key(|f| f.at);
        let mut by_buyer: Map<&str, Vec<&Fact>> = Map::default();
        for f in &sorted {
            by_buyer.entry(&f.buyer).or_default().push(f);
        }
        let mut received: Map<&str, Vec<(DateTime<Utc>, &str)>> = Map::default();
        for f in sorted.iter().filter(|f| f.kind == FactKind::Received) {
            received.entry(&f.buyer).or_default().push((f.at, &f.agent));
        }
        let mut orders_of: Map<&str, Vec<&OrderFact>> = Map::default();
        for o in orders {
            orders_of.entry(&o.buyer).or_default().push(o);
        }
        for list in orders_of.values_mut() {
            list.sort_by_key(|o| o.created_at);
        }
        let mut paid: Vec<&OrderFact> = orders.iter().filter(|o| o.paid_at.is_some()).collect();
        paid.sort_by_key(|o| o.paid_at);
        // A chase may cover several orders of the buyer (comma-separated).
        let by_no: Map<&str, &OrderFact> = orders.iter().map(|o| (o.no.as_str(), o)).collect();
        let mut seen: Set<&str> = Set::default();
        let mut chases = Vec::new();
        for f in sorted.iter().filter(|f| f.kind == FactKind::Chased) {
            for no in f.order.split(',').filter(|n| !n.is_empty()) {
                if seen.insert(no) {
                    let paid = by_no.get(no).and_then(|o| o.paid_at);
                    let in_time =
                        paid.is_some_and(|p| p >= f.at && p - f.at <= Duration::hours(24));
                    chases.push((f.at, no, f.agent.as_str(), in_time));
                }
            }
        }
        Index {
            rules,
            facts: sorted,
            by_buyer,
            received,
            orders: orders_of,
            paid,
            chases,
        }
    }

    /// The agent serving `buyer` at `at`: the last to receive it at or before then, within
    /// the settling window.
    pub fn serving(&self, buyer: &str, at: DateTime<Utc>) -> Option<&'a str> {
        let list = self.received.get(buyer)?;
        let i = list.partition_point(|(t, _)| *t <= at);
        let (t, agent) = *list.get(i.checked_sub(1)?)?;
        (at - t <= self.rules.settle()).then_some(agent)
    }

    fn credited(&self, o: &OrderFact) -> Option<&'a str> {
        let at_order = || self.serving(&o.buyer, o.created_at);
        let at_payment = || o.paid_at.and_then(|p| self.serving(&o.buyer, p));
        match self.rules.attribution {
            Attribution::Order => at_order(),
            Attribution::Payment => at_payment(),
            Attribution::OrderFirst => at_order().or_else(at_payment),
        }
    }

    /// The figures of `period` at `now`; `only` limits them to one agent's.
    pub fn report(&self, period: Period, now: DateTime<Utc>, only: Option<&str>) -> Report {
        let rules = &self.rules;
        let (start, end) = period.bounds(rules.shop_time);
        let inside = |t: DateTime<Utc>| t >= start && t < end;
        let mut agents: Map<&str, Figures> = Map::default();
        let mut team = Figures::default();
        let facts = &self.facts[self.facts.partition_point(|f| f.at < start)
            ..self.facts.partition_point(|f| f.at < end)];

        // Receptions: each buyer's first in the period, per agent and for the team.
        let mut first: Map<(&str, &str), DateTime<Utc>> = Map::default();
        let mut team_first: Map<&str, DateTime<Utc>> = Map::default();
        for f in facts.iter().filter(|f| f.kind == FactKind::Received) {
            first.entry((&f.agent, &f.buyer)).or_insert(f.at);
            team_first.entry(&f.buyer).or_insert(f.at);
        }
        for (&(agent, buyer), &at) in &first {
            let fig = agents.entry(agent).or_default();
            self.reception(fig, buyer, at, now);
            self.first_answer(fig, Some(agent), buyer, at, end);
        }
        let mut received_by_hour = vec![0u64; 7 * 24];
        let times: Vec<DateTime<Utc>> = match only {
            None => team_first.values().copied().collect(),
            Some(me) => first
                .iter()
                .filter(|((a, _), _)| *a == me)
                .map(|(_, t)| *t)
                .collect(),
        };
        for at in times {
            let local = rules.shop_time.local(at);
            let slot = local.weekday().num_days_from_monday() as usize * 24 + local.hour() as usize;
            received_by_hour[slot] += 1;
        }
        for (&buyer, &at) in &team_first {
            self.reception(&mut team, buyer, at, now);
            self.first_answer(&mut team, None, buyer, at, end);
        }

        self.messages(facts, &mut agents, &mut team, now, inside);

        // Sales: orders paid in the period, credited by the shop's rule.
        let mut buyers: Map<&str, Set<&str>> = Map::default();
        let mut kept: Map<&str, Set<&str>> = Map::default();
        let mut silent = Fen(0);
        let mut shop = Fen(0);
        let from = self.paid.partition_point(|o| o.paid_at < Some(start));
        let to = self.paid.partition_point(|o| o.paid_at < Some(end));
        for o in &self.paid[from..to] {
            shop.0 += o.amount.0;
            let Some(agent) = self.credited(o) else {
                silent.0 += o.amount.0;
                continue;
            };
            for fig in [agents.entry(agent).or_default(), &mut team] {
                fig.sales.0 += o.amount.0;
                fig.orders += 1;
                fig.refunded += u64::from(o.refunded);
                if !o.refunded {
                    fig.kept_sales.0 += o.amount.0;
                }
            }
            // "" is the team.
            for key in [agent, ""] {
                buyers.entry(key).or_default().insert(&o.buyer);
                if !o.refunded {
                    kept.entry(key).or_default().insert(&o.buyer);
                }
            }
        }
        for (agent, set) in &buyers {
            let n = set.len() as u64;
            match *agent {
                "" => team.paying_buyers = n,
                a => agents.entry(a).or_default().paying_buyers = n,
            }
        }
        for (agent, set) in &kept {
            let n = set.len() as u64;
            match *agent {
                "" => team.kept_buyers = n,
                a => agents.entry(a).or_default().kept_buyers = n,
            }
        }

        // Chases: an order's first chase, when it falls in the period; one announced to
        // whoever is signed in on each PC (no owner) counts for the team only.
        let chases = &self.chases[self.chases.partition_point(|c| c.0 < start)
            ..self.chases.partition_point(|c| c.0 < end)];
        for &(_, _, agent, in_time) in chases {
            team.chased += 1;
            team.chases_paid += u64::from(in_time);
            if !agent.is_empty() {
                let fig = agents.entry(agent).or_default();
                fig.chased += 1;
                fig.chases_paid += u64::from(in_time);
            }
        }

        let settles_at = end + rules.settle();
        if let Some(me) = only {
            agents.retain(|a, _| *a == me);
            agents.entry(me).or_default();
        }
        Report {
            period,
            attribution: rules.attribution,
            provisional: now < settles_at,
            settles_at,
            agents: agents
                .into_iter()
                .map(|(a, f)| (a.to_owned(), f.finish()))
                .collect::<BTreeMap<_, _>>(),
            team: only.is_none().then(|| team.finish()),
            silent_sales: only.is_none().then_some(silent),
            shop_sales: only.is_none().then_some(shop),
            received_by_hour,
        }
    }

    /// A reception's share: received, and whether the inquiry turned into an order and a
    /// payment on the day, by the next day, within the settling window (as of `now`).
    fn reception(&self, fig: &mut Figures, buyer: &str, at: DateTime<Utc>, now: DateTime<Utc>) {
        fig.received += 1;
        let settle = self.rules.settle();
        let orders = self
            .orders
            .get(buyer)
            .map(Vec::as_slice)
            .unwrap_or_default();
        if orders
            .iter()
            .any(|o| o.created_at < at && at - o.created_at <= settle)
        {
            return;
        }
        fig.inquired += 1;
        let shop = self.rules.shop_time;
        let day = shop.local(at).date_naive();
        let marks = |t: DateTime<Utc>| {
            let d = shop.local(t).date_naive();
            let known = t <= now;
            [
                known && d == day,
                known && d <= day + Duration::days(1),
                known && t - at <= settle,
            ]
        };
        let mut ordered = [false; 3];
        let mut paid = [false; 3];
        for o in orders.iter().filter(|o| o.created_at >= at) {
            for (k, hit) in marks(o.created_at).into_iter().enumerate() {
                ordered[k] |= hit && o.created_at - at <= settle;
            }
            if let Some(p) = o.paid_at {
                for (k, hit) in marks(p).into_iter().enumerate() {
                    paid[k] |= hit && p - at <= settle;
                }
            }
        }
        for k in 0..3 {
            fig.ordered[k] += u64::from(ordered[k]);
            fig.paid[k] += u64::from(paid[k]);
        }
    }

    /// The first answer to a reception (by `agent`, or by anyone for the team): the first
    /// message to the buyer after it, or where no messages are reported, the greeting.
    fn first_answer(
        &self,
        fig: &mut Figures,
        agent: Option<&str>,
        buyer: &str,
        at: DateTime<Utc>,
        end: DateTime<Utc>,
    ) {
        let facts = self
            .by_buyer
            .get(buyer)
            .map(Vec::as_slice)
            .unwrap_or_default();
        let after =
            &facts[facts.partition_point(|f| f.at < at)..facts.partition_point(|f| f.at < end)];
        let first = |k: FactKind| {
            after
                .iter()
                .find(|f| f.kind == k && agent.is_none_or(|a| f.agent == a))
                .map(|f| f.at)
        };
        if let Some(answer) = first(FactKind::AgentMessage).or_else(|| first(FactKind::Greeted)) {
            fig.replied += 1;
            fig.first_response_secs += (answer - at).num_seconds();
        }
    }

    /// Messages and response rounds. A round starts with a buyer's message that follows an
    /// answer (or none) and ends with the next agent message; it counts when the buyer
    /// wrote inside the counted hours, capped; a round still unanswered counts the cap
    /// once the cap has passed.
    fn messages(
        &self,
        facts: &[&'a Fact],
        agents: &mut Map<&'a str, Figures>,
        team: &mut Figures,
        now: DateTime<Utc>,
        inside: impl Fn(DateTime<Utc>) -> bool,
    ) {
        let cap = Duration::minutes(i64::from(self.rules.round_cap_minutes));
        let (from_h, to_h) = self.rules.counted_hours;
        let mut open: Map<&str, (DateTime<Utc>, Option<&'a str>)> = Map::default();
        let close = |agents: &mut Map<&'a str, Figures>,
                     team: &mut Figures,
                     agent: Option<&'a str>,
                     secs: i64| {
            team.rounds += 1;
            team.round_secs += secs;
            if let Some(a) = agent {
                let fig = agents.entry(a).or_default();
                fig.rounds += 1;
                fig.round_secs += secs;
            }
        };
        for f in facts.iter().filter(|f| inside(f.at)) {
            match f.kind {
                FactKind::BuyerMessage => {
                    team.buyer_messages += 1;
                    let serving = self.serving(&f.buyer, f.at);
                    if let Some(a) = serving {
                        agents.entry(a).or_default().buyer_messages += 1;
                    }
                    let hour = self.rules.shop_time.local(f.at).hour();
                    if hour >= from_h && hour < to_h {
                        open.entry(&f.buyer).or_insert((f.at, serving));
                    }
                }
                FactKind::AgentMessage => {
                    team.agent_messages += 1;
                    let agent = (!f.agent.is_empty()).then_some(f.agent.as_str());
                    if let Some(a) = agent {
                        agents.entry(a).or_default().agent_messages += 1;
                    }
                    if let Some((started, _)) = open.remove(f.buyer.as_str()) {
                        let secs = (f.at - started).min(cap).num_seconds();
                        close(agents, team, agent, secs);
                    }
                }
                _ => {}
            }
        }
        for (started, serving) in open.into_values() {
            if now - started >= cap {
                close(agents, team, serving, cap.num_seconds());
            }
        }
    }
}

/// The figures of one period (see `Index::report`).
pub fn report(
    facts: &[Fact],
    orders: &[OrderFact],
    rules: KpiRules,
    period: Period,
    now: DateTime<Utc>,
    only: Option<&str>,
) -> Report {
    Index::new(facts, orders, rules).report(period, now, only)
}
