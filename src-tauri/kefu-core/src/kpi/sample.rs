//! A shop's history at scale for the 绩效 benches, the same in the core's bench and in the
//! database's: 1,000,000 orders over 60 days from 2026-10-01 (shop time) by 400,000 buyers,
//! and 300,000 conversations with 12 agents (received, greeted, two buyer and two agent
//! messages each, a tenth transferred), chases for a fifth of the unpaid orders. Facts come
//! in time order, as the database gives them. Built only with the `sample` feature.

use chrono::{DateTime, Duration, Utc};

use super::{Fact, FactKind, OrderFact};
use crate::Fen;

pub struct Sample {
    pub start: DateTime<Utc>,
    pub facts: Vec<Fact>,
    pub orders: Vec<OrderFact>,
}

pub fn history() -> Sample {
    let mut x: u64 = 0x9E37_79B9_7F4A_7C15;
    let mut next = move |n: u64| {
        x ^= x << 13;
        x ^= x >> 7;
        x ^= x << 17;
        x % n
    };
    let start: DateTime<Utc> = DateTime::parse_from_rfc3339("2026-10-01T00:00:00+08:00")
        .map(|t| t.with_timezone(&Utc))
        .unwrap_or_default();
    let span = 60 * 86_400;
    let agents: Vec<String> = (0..12).map(|i| format!("客服{i}")).collect();
    let buyers = 400_000u64;
    let nick = |b: u64| format!("买家{b:06}");
    let mut facts = Vec::with_capacity(2_000_000);
    let fact = |at: DateTime<Utc>, kind, buyer: u64, agent: &str| Fact {
        at,
        kind,
        buyer: nick(buyer),
        agent: agent.to_owned(),
        other: String::new(),
        order: String::new(),
    };
    for _ in 0..300_000 {
        let buyer = next(buyers);
        let at = start + Duration::seconds(next(span) as i64);
        let agent = &agents[next(12) as usize];
        facts.push(fact(at, FactKind::Received, buyer, agent));
        facts.push(fact(
            at + Duration::seconds(20),
            FactKind::Greeted,
            buyer,
            agent,
        ));
        for k in 0..2 {
            let t = at + Duration::seconds(60 + 240 * k);
            facts.push(fact(t, FactKind::BuyerMessage, buyer, agent));
            facts.push(fact(
                t + Duration::seconds(next(300) as i64),
                FactKind::AgentMessage,
                buyer,
                agent,
            ));
        }
        if next(10) == 0 {
            let to = &agents[next(12) as usize];
            let t = at + Duration::seconds(900);
            facts.push(fact(t, FactKind::Transferred, buyer, agent));
            facts.push(Fact {
                other: agent.clone(),
                ..fact(t, FactKind::Received, buyer, to)
            });
        }
    }
    let mut orders = Vec::with_capacity(1_000_000);
    for i in 0..1_000_000u64 {
        let buyer = next(buyers);
        let created = start + Duration::seconds(next(span) as i64);
        let paid = (next(4) != 0).then(|| created + Duration::seconds(next(2 * 86_400) as i64));
        let no = (40_000_000_000_000_000u64 + i).to_string();
        if paid.is_none() && next(5) == 0 {
            facts.push(Fact {
                order: no.clone(),
                ..fact(
                    created + Duration::hours(1),
                    FactKind::Chased,
                    buyer,
                    &agents[next(12) as usize],
                )
            });
        }
        orders.push(OrderFact {
            no,
            buyer: nick(buyer),
            created_at: created,
            paid_at: paid,
            amount: Fen(1_000 + next(50_000) as i64),
            refunded: paid.is_some() && next(20) == 0,
        });
    }
    facts.sort_by_key(|f| f.at);
    Sample {
        start,
        facts,
        orders,
    }
}
