//! The history sorted once for any number of reports. A month at shop scale is millions of
//! facts and orders naming a few hundred thousand buyers: names are turned into numbers
//! once, here, so that a report works on flat arrays (times in microseconds, buyers and
//! agents as indexes) instead of hashing names for every lookup.

use std::collections::HashMap;
use std::hash::{BuildHasherDefault, Hasher};

use chrono::{DateTime, Utc};

use super::{Attribution, Fact, FactKind, KpiRules, OrderFact};
use crate::ShopTime;

/// FNV-1a: the maps here are keyed by buyer and agent names from the shop's own data, a
/// month of which is millions of lookups; SipHash's defence against chosen keys costs more
/// than it buys on them.
#[derive(Default)]
pub(super) struct Fnv(u64);

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

pub(super) type Map<K, V> = HashMap<K, V, BuildHasherDefault<Fnv>>;

/// A time inside the index: microseconds since the epoch.
pub(super) type Micros = i64;

pub(super) const SECOND: Micros = 1_000_000;

pub(super) fn micros(t: DateTime<Utc>) -> Micros {
    t.timestamp_micros()
}

/// A time in shop time, as the figures count it: its shop day (days since 1970-01-01) and
/// the second of that day. Arithmetic on the fixed offset, not a calendar: it runs for
/// every message of a month (tested against `ShopTime::local`).
pub(super) fn shop_clock(shop: ShopTime, t: Micros) -> (i64, i64) {
    let local = t.div_euclid(SECOND) + i64::from(shop.offset().local_minus_utc());
    (local.div_euclid(86_400), local.rem_euclid(86_400))
}

/// Agent 0 is nobody (a buyer's message before anyone served it, a chase announced to
/// whoever was signed in).
pub(super) const NOBODY: u32 = 0;

/// A fact with its names as numbers.
#[derive(Clone, Copy)]
pub(super) struct Event {
    pub at: Micros,
    pub buyer: u32,
    pub agent: u32,
    pub kind: FactKind,
}

#[derive(Clone, Copy)]
pub(super) struct Order {
    pub created: Micros,
    pub paid: Option<Micros>,
    pub amount: i64,
    pub refunded: bool,
    pub buyer: u32,
}

/// A list per buyer, stored flat: buyer `b`'s items are `items[starts[b]..starts[b + 1]]`.
pub(super) struct Lists<T> {
    starts: Vec<u32>,
    items: Vec<T>,
}

impl<T: Copy + Default> Lists<T> {
    /// Groups `(buyer, item)` pairs by buyer, keeping their order within each buyer.
    fn new(buyers: usize, pairs: &[(u32, T)]) -> Lists<T> {
        let mut starts = vec![0u32; buyers + 1];
        for (b, _) in pairs {
            starts[*b as usize + 1] += 1;
        }
        for i in 1..starts.len() {
            starts[i] += starts[i - 1];
        }
        let mut next = starts.clone();
        let mut items = vec![T::default(); pairs.len()];
        for (b, item) in pairs {
            let slot = &mut next[*b as usize];
            items[*slot as usize] = *item;
            *slot += 1;
        }
        Lists { starts, items }
    }

    pub fn of(&self, buyer: u32) -> &[T] {
        let b = buyer as usize;
        &self.items[self.starts[b] as usize..self.starts[b + 1] as usize]
    }
}

/// The history sorted once for any number of reports.
pub struct Index<'a> {
    pub(super) rules: KpiRules,
    /// Agent names by number; 0 is nobody ("").
    pub(super) agents: Vec<&'a str>,
    /// Every fact, in time order (facts at the same instant in the order given).
    pub(super) events: Vec<Event>,
    /// Per buyer: its facts (indexes into `events`) and its receptions (time, agent).
    pub(super) by_buyer: Lists<u32>,
    pub(super) received: Lists<(Micros, u32)>,
    pub(super) orders: Vec<Order>,
    /// Per buyer: its orders (indexes into `orders`) in order of creation.
    pub(super) orders_of: Lists<u32>,
    /// Paid orders (indexes into `orders`) in order of payment.
    pub(super) paid: Vec<u32>,
    /// Each chased order's first chase (time, agent), in time order, with whether it was
    /// paid within 24 h.
    pub(super) chases: Vec<(Micros, u32, bool)>,
}

/// The facts' side of an index: events, and the names they use as numbers.
struct FactSide<'a> {
    agents: Vec<&'a str>,
    agent_ids: Map<&'a str, u32>,
    buyer_ids: Map<&'a str, u32>,
    events: Vec<Event>,
    /// The chase facts (indexes into the facts given), in time order.
    chased: Vec<u32>,
}

fn fact_side(facts: &[Fact]) -> FactSide<'_> {
    let mut agent_ids: Map<&str, u32> = Map::default();
    let mut agents = vec![""];
    agent_ids.insert("", NOBODY);
    let mut buyer_ids: Map<&str, u32> = Map::default();
    buyer_ids.reserve(facts.len() / 4);
    // Facts arrive in time order from the database; sort only when they do not.
    let mut order: Vec<u32> = (0..facts.len() as u32).collect();
    if !facts.is_sorted_by_key(|f| f.at) {
        order.sort_by_key(|&i| facts[i as usize].at);
    }
    let mut chased = Vec::new();
    let mut events = Vec::with_capacity(facts.len());
    for &i in &order {
        let f = &facts[i as usize];
        let next = buyer_ids.len() as u32;
        let buyer = *buyer_ids.entry(&f.buyer).or_insert(next);
        let agent = *agent_ids.entry(&f.agent).or_insert_with(|| {
            agents.push(&f.agent);
            agents.len() as u32 - 1
        });
        if f.kind == FactKind::Chased {
            chased.push(i);
        }
        events.push(Event {
            at: micros(f.at),
            buyer,
            agent,
            kind: f.kind,
        });
    }
    FactSide {
        agents,
        agent_ids,
        buyer_ids,
        events,
        chased,
    }
}

/// The orders' side: the orders with their buyers numbered on their own (`names`), and
/// the paid ones in order of payment.
fn order_side(orders: &[OrderFact]) -> (Vec<Order>, Vec<&str>, Vec<u32>) {
    let mut ids: Map<&str, u32> = Map::default();
    let mut names = Vec::new();
    let list: Vec<Order> = orders
        .iter()
        .map(|o| Order {
            created: micros(o.created_at),
            paid: o.paid_at.map(micros),
            amount: o.amount.0,
            refunded: o.refunded,
            buyer: *ids.entry(&o.buyer).or_insert_with(|| {
                names.push(o.buyer.as_str());
                names.len() as u32 - 1
            }),
        })
        .collect();
    // (time, index) pairs sort as a stable sort by time would.
    let mut paid: Vec<(Micros, u32)> = list
        .iter()
        .enumerate()
        .filter_map(|(i, o)| Some((o.paid?, i as u32)))
        .collect();
    paid.sort_unstable();
    (list, names, paid.into_iter().map(|(_, i)| i).collect())
}

/// Runs `a` here and `b` on a second thread: the index and the reports are independent
/// folds, and a supervisor's PC has at least two cores.
pub(super) fn both<A: Send, B: Send>(
    a: impl FnOnce() -> A + Send,
    b: impl FnOnce() -> B + Send,
) -> (A, B) {
    std::thread::scope(|s| {
        let other = s.spawn(b);
        let first = a();
        let second = other
            .join()
            .unwrap_or_else(|panic| std::panic::resume_unwind(panic));
        (first, second)
    })
}

impl<'a> Index<'a> {
    pub fn new(facts: &'a [Fact], orders: &'a [OrderFact], rules: KpiRules) -> Index<'a> {
        let (side, (mut list, names, paid)) = both(|| fact_side(facts), || order_side(orders));
        let FactSide {
            agents,
            agent_ids,
            mut buyer_ids,
            events,
            chased,
        } = side;
        // The orders' buyers join the facts' numbering.
        let remap: Vec<u32> = names
            .iter()
            .map(|name| {
                let next = buyer_ids.len() as u32;
                *buyer_ids.entry(name).or_insert(next)
            })
            .collect();
        for o in &mut list {
            o.buyer = remap[o.buyer as usize];
        }
        let buyers = buyer_ids.len();

        let ((by_buyer, received), orders_of) = both(
            || {
                let pairs: Vec<(u32, u32)> = (0..events.len() as u32)
                    .map(|i| (events[i as usize].buyer, i))
                    .collect();
                let by_buyer = Lists::new(buyers, &pairs);
                let pairs: Vec<(u32, (Micros, u32))> = events
                    .iter()
                    .filter(|e| e.kind == FactKind::Received)
                    .map(|e| (e.buyer, (e.at, e.agent)))
                    .collect();
                (by_buyer, Lists::new(buyers, &pairs))
            },
            || {
                let pairs: Vec<(u32, u32)> = (0..list.len() as u32)
                    .map(|i| (list[i as usize].buyer, i))
                    .collect();
                let mut orders_of = Lists::new(buyers, &pairs);
                for b in 0..buyers {
                    let (from, to) = (orders_of.starts[b], orders_of.starts[b + 1]);
                    orders_of.items[from as usize..to as usize]
                        .sort_by_key(|&i| list[i as usize].created);
                }
                orders_of
            },
        );

        // A chase may cover several of its buyer's orders (comma-separated); an order
        // counts at its first chase.
        let mut seen: Map<&str, ()> = Map::default();
        let mut chases = Vec::new();
        for &i in &chased {
            let f = &facts[i as usize];
            let b = buyer_ids.get(f.buyer.as_str()).copied().unwrap_or_default();
            let agent = agent_ids.get(f.agent.as_str()).copied().unwrap_or_default();
            let at = micros(f.at);
            for no in f.order.split(',').filter(|n| !n.is_empty()) {
                if seen.insert(no, ()).is_some() {
                    continue;
                }
                let paid = orders_of
                    .of(b)
                    .iter()
                    .find(|&&o| orders[o as usize].no == no)
                    .and_then(|&o| list[o as usize].paid);
                let in_time = paid.is_some_and(|p| p >= at && p - at <= 24 * 3600 * SECOND);
                chases.push((at, agent, in_time));
            }
        }
        Index {
            rules,
            agents,
            events,
            by_buyer,
            received,
            orders: list,
            orders_of,
            paid,
            chases,
        }
    }

    /// The settling window, in microseconds.
    pub(super) fn settle(&self) -> Micros {
        i64::from(self.rules.settle_days) * 86_400 * SECOND
    }

    /// The agent serving `buyer` at `at`: the last to receive it at or before then, within
    /// the settling window.
    pub(super) fn serving(&self, buyer: u32, at: Micros) -> Option<u32> {
        let list = self.received.of(buyer);
        let i = list.partition_point(|(t, _)| *t <= at);
        let (t, agent) = *list.get(i.checked_sub(1)?)?;
        (at - t <= self.settle()).then_some(agent)
    }

    /// Who a paid order's sale is credited to, by the shop's rule.
    pub(super) fn credited(&self, o: &Order) -> Option<u32> {
        let at_order = || self.serving(o.buyer, o.created);
        let at_payment = || o.paid.and_then(|p| self.serving(o.buyer, p));
        match self.rules.attribution {
            Attribution::Order => at_order(),
            Attribution::Payment => at_payment(),
            Attribution::OrderFirst => at_order().or_else(at_payment),
        }
    }
}
