//! The formulas: each figure is a fold over the facts and orders of a period, written
//! here once. `Index` (index.rs) sorts the history once; a report per day or per range
//! reads only the receptions, messages, payments and chases inside it.

use std::collections::BTreeMap;
use std::sync::atomic::{AtomicUsize, Ordering};

use chrono::{DateTime, Utc};
use serde::Serialize;

use super::index::{both, micros, shop_clock, Index, Map, Micros, NOBODY, SECOND};
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

impl Index<'_> {
    /// The figures of `period` at `now`; `only` limits them to one agent's.
    pub fn report(&self, period: Period, now: DateTime<Utc>, only: Option<&str>) -> Report {
        let rules = &self.rules;
        let (start_t, end_t) = period.bounds(rules.shop_time);
        let (start, end, now_us) = (micros(start_t), micros(end_t), micros(now));
        let mut agents = Agents::new(self.agents.len());
        let mut team = Figures::default();
        let events = &self.events[self.events.partition_point(|e| e.at < start)
            ..self.events.partition_point(|e| e.at < end)];

        // Receptions: each buyer's first in the period, per agent and for the team.
        let mut first: Map<u64, Micros> = Map::default();
        let mut team_first: Map<u32, Micros> = Map::default();
        for e in events.iter().filter(|e| e.kind == FactKind::Received) {
            first.entry(pair(e.agent, e.buyer)).or_insert(e.at);
            team_first.entry(e.buyer).or_insert(e.at);
        }
        for (&key, &at) in &first {
            let (agent, buyer) = ((key >> 32) as u32, key as u32);
            let fig = agents.get(agent);
            self.reception(fig, buyer, at, now_us);
            self.first_answer(fig, Some(agent), buyer, at, end);
        }
        let me = only.map(|name| self.agents.iter().position(|a| *a == name));
        let mut received_by_hour = vec![0u64; 7 * 24];
        let mut count = |at: Micros| {
            let (day, second) = shop_clock(rules.shop_time, at);
            // 1970-01-01 was a Thursday: day 0 is 3 days after a Monday.
            let weekday = (day + 3).rem_euclid(7);
            received_by_hour[(weekday * 24 + second / 3_600) as usize] += 1;
        };
        match me {
            None => team_first.values().for_each(|&at| count(at)),
            Some(me) => first
                .iter()
                .filter(|(&key, _)| Some((key >> 32) as usize) == me)
                .for_each(|(_, &at)| count(at)),
        }
        for (&buyer, &at) in &team_first {
            self.reception(&mut team, buyer, at, now_us);
            self.first_answer(&mut team, None, buyer, at, end);
        }

        self.messages(events, &mut agents, &mut team, now_us);

        // Sales: orders paid in the period, credited by the shop's rule.
        let mut buyers: Map<u64, ()> = Map::default();
        let mut kept: Map<u64, ()> = Map::default();
        let mut silent = Fen(0);
        let mut shop = Fen(0);
        let paid_at = |i: &u32| self.orders[*i as usize].paid;
        let from = self.paid.partition_point(|i| paid_at(i) < Some(start));
        let to = self.paid.partition_point(|i| paid_at(i) < Some(end));
        for &i in &self.paid[from..to] {
            let o = &self.orders[i as usize];
            shop.0 += o.amount;
            let Some(agent) = self.credited(o) else {
                silent.0 += o.amount;
                continue;
            };
            // The team counts as agent u32::MAX among the distinct buyers.
            for (key, fig) in [(agent, agents.get(agent)), (u32::MAX, &mut team)] {
                fig.sales.0 += o.amount;
                fig.orders += 1;
                fig.refunded += u64::from(o.refunded);
                if !o.refunded {
                    fig.kept_sales.0 += o.amount;
                }
                if buyers.insert(pair(key, o.buyer), ()).is_none() {
                    fig.paying_buyers += 1;
                }
                if !o.refunded && kept.insert(pair(key, o.buyer), ()).is_none() {
                    fig.kept_buyers += 1;
                }
            }
        }

        // Chases: an order's first chase, when it falls in the period; one announced to
        // whoever is signed in on each PC (no owner) counts for the team only.
        let chases = &self.chases[self.chases.partition_point(|c| c.0 < start)
            ..self.chases.partition_point(|c| c.0 < end)];
        for &(_, agent, in_time) in chases {
            team.chased += 1;
            team.chases_paid += u64::from(in_time);
            if agent != NOBODY {
                let fig = agents.get(agent);
                fig.chased += 1;
                fig.chases_paid += u64::from(in_time);
            }
        }

        let settles_at = end_t + rules.settle();
        let mut agents: BTreeMap<String, Figures> = agents
            .0
            .into_iter()
            .enumerate()
            .filter(|(a, _)| me.is_none_or(|me| me == Some(*a)))
            .filter_map(|(a, f)| Some((self.agents[a].to_owned(), f?.finish())))
            .collect();
        if let Some(me) = only {
            agents
                .entry(me.to_owned())
                .or_insert_with(|| Figures::default().finish());
        }
        Report {
            period,
            attribution: rules.attribution,
            provisional: now < settles_at,
            settles_at,
            agents,
            team: only.is_none().then(|| team.finish()),
            silent_sales: only.is_none().then_some(silent),
            shop_sales: only.is_none().then_some(shop),
            received_by_hour,
        }
    }

    /// A reception's share: received, and whether the inquiry turned into an order and a
    /// payment on the day, by the next day, within the settling window (as of `now`).
    fn reception(&self, fig: &mut Figures, buyer: u32, at: Micros, now: Micros) {
        fig.received += 1;
        let settle = self.settle();
        let orders = self.orders_of.of(buyer);
        let order = |i: &u32| &self.orders[*i as usize];
        if orders
            .iter()
            .map(order)
            .any(|o| o.created < at && at - o.created <= settle)
        {
            return;
        }
        fig.inquired += 1;
        let day_of = |t: Micros| shop_clock(self.rules.shop_time, t).0;
        let day = day_of(at);
        let marks = |t: Micros| {
            let d = day_of(t);
            let known = t <= now;
            [
                known && d == day,
                known && d <= day + 1,
                known && t - at <= settle,
            ]
        };
        let mut ordered = [false; 3];
        let mut paid = [false; 3];
        for o in orders.iter().map(order).filter(|o| o.created >= at) {
            for (k, hit) in marks(o.created).into_iter().enumerate() {
                ordered[k] |= hit && o.created - at <= settle;
            }
            if let Some(p) = o.paid {
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
        agent: Option<u32>,
        buyer: u32,
        at: Micros,
        end: Micros,
    ) {
        let facts = self.by_buyer.of(buyer);
        let time = |i: &u32| self.events[*i as usize].at;
        let after = &facts
            [facts.partition_point(|i| time(i) < at)..facts.partition_point(|i| time(i) < end)];
        let first = |k: FactKind| {
            after
                .iter()
                .map(|i| &self.events[*i as usize])
                .find(|e| e.kind == k && agent.is_none_or(|a| e.agent == a))
                .map(|e| e.at)
        };
        if let Some(answer) = first(FactKind::AgentMessage).or_else(|| first(FactKind::Greeted)) {
            fig.replied += 1;
            fig.first_response_secs += (answer - at) / SECOND;
        }
    }

    /// Messages and response rounds. A round starts with a buyer's message that follows an
    /// answer (or none) and ends with the next agent message; it counts when the buyer
    /// wrote inside the counted hours, capped; a round still unanswered counts the cap
    /// once the cap has passed.
    fn messages(
        &self,
        events: &[super::index::Event],
        agents: &mut Agents,
        team: &mut Figures,
        now: Micros,
    ) {
        let cap = i64::from(self.rules.round_cap_minutes) * 60 * SECOND;
        let (from_h, to_h) = self.rules.counted_hours;
        let (from_h, to_h) = (i64::from(from_h), i64::from(to_h));
        let mut open: Map<u32, (Micros, Option<u32>)> = Map::default();
        let close = |agents: &mut Agents, team: &mut Figures, agent: Option<u32>, secs: i64| {
            team.rounds += 1;
            team.round_secs += secs;
            if let Some(a) = agent {
                let fig = agents.get(a);
                fig.rounds += 1;
                fig.round_secs += secs;
            }
        };
        for e in events {
            match e.kind {
                FactKind::BuyerMessage => {
                    team.buyer_messages += 1;
                    let serving = self.serving(e.buyer, e.at);
                    if let Some(a) = serving {
                        agents.get(a).buyer_messages += 1;
                    }
                    let hour = shop_clock(self.rules.shop_time, e.at).1 / 3_600;
                    if hour >= from_h && hour < to_h {
                        open.entry(e.buyer).or_insert((e.at, serving));
                    }
                }
                FactKind::AgentMessage => {
                    team.agent_messages += 1;
                    let agent = (e.agent != NOBODY).then_some(e.agent);
                    if let Some(a) = agent {
                        agents.get(a).agent_messages += 1;
                    }
                    if let Some((started, _)) = open.remove(&e.buyer) {
                        let secs = (e.at - started).min(cap) / SECOND;
                        close(agents, team, agent, secs);
                    }
                }
                _ => {}
            }
        }
        for (started, serving) in open.into_values() {
            if now - started >= cap {
                close(agents, team, serving, cap / SECOND);
            }
        }
    }

    /// The figures of several periods (a month and each of its days, as the 绩效 view asks
    /// for them), shared out over two threads, in the order given.
    pub fn reports(
        &self,
        periods: &[Period],
        now: DateTime<Utc>,
        only: Option<&str>,
    ) -> Vec<Report> {
        let next = AtomicUsize::new(0);
        let work = || {
            let mut done = Vec::new();
            loop {
                let i = next.fetch_add(1, Ordering::Relaxed);
                let Some(period) = periods.get(i) else {
                    return done;
                };
                done.push((i, self.report(*period, now, only)));
            }
        };
        let (mut a, b) = both(work, work);
        a.extend(b);
        a.sort_by_key(|(i, _)| *i);
        a.into_iter().map(|(_, r)| r).collect()
    }

    /// The figures of `period` and, with `by_day`, of each of its days, computed together.
    pub fn report_by_day(
        &self,
        period: Period,
        by_day: bool,
        now: DateTime<Utc>,
        only: Option<&str>,
    ) -> (Report, Vec<Report>) {
        let periods: Vec<Period> = std::iter::once(period)
            .chain(period.days().map(Period::day).filter(|_| by_day))
            .collect();
        let mut reports = self.reports(&periods, now, only);
        let days = reports.split_off(1.min(reports.len()));
        let whole = reports
            .pop()
            .unwrap_or_else(|| self.report(period, now, only));
        (whole, days)
    }
}

/// Agent and buyer as one key.
fn pair(agent: u32, buyer: u32) -> u64 {
    (u64::from(agent) << 32) | u64::from(buyer)
}

/// Figures by agent number; an agent has figures once anything counted for it.
struct Agents(Vec<Option<Figures>>);

impl Agents {
    fn new(n: usize) -> Agents {
        Agents(vec![None; n])
    }

    fn get(&mut self, agent: u32) -> &mut Figures {
        self.0[agent as usize].get_or_insert_with(Figures::default)
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
