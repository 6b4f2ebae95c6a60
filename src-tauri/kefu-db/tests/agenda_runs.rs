//! The agenda's scheduler step against a real SQLite file, under random histories: orders
//! placed and paid at random times, the clock moving forward, jumping back, and the app
//! restarting in between. Each follow-up is announced exactly once, no chase is announced
//! for an order already paid, and nothing due is left unannounced.

use std::collections::{HashMap, HashSet};

use chrono::{DateTime, Duration, Utc};
use kefu_core::agenda::Kind;
use kefu_core::followups::Rules;
use kefu_core::{BuyerNick, Fen, Order, OrderNo, OrderStatus, ShopTime};
use kefu_db::{Db, DbUrl, Scratch};
use proptest::prelude::*;

fn base() -> DateTime<Utc> {
    ShopTime::SHANGHAI
        .parse_local("2026-11-11 07:00:00")
        .expect("time")
}

fn order(i: usize, buyer: usize, minute: i64) -> Order {
    Order::placed(
        OrderNo::parse(&format!("{}", 7_000_000 + i)).expect("digits"),
        BuyerNick::parse(&format!("买家{buyer}")).expect("nick"),
        Fen(10_000),
        base() + Duration::minutes(minute),
    )
}

#[derive(Clone, Debug)]
struct Step {
    /// Minutes the clock moves; negative is a jump back.
    minutes: i64,
    restart: bool,
    /// Pay this order (by index), if it exists and is placed.
    pay: Option<usize>,
}

fn step() -> impl Strategy<Value = Step> {
    (
        prop_oneof![8 => 0i64..240, 1 => 240i64..3000, 1 => -120i64..0],
        prop::bool::weighted(0.25),
        prop::option::weighted(0.2, 0usize..6),
    )
        .prop_map(|(minutes, restart, pay)| Step {
            minutes,
            restart,
            pay,
        })
}

async fn open(url: &DbUrl) -> Db {
    Db::open(url).await.expect("open")
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 32, ..ProptestConfig::default() })]
    #[test]
    fn announced_exactly_once_across_restarts_and_clock_jumps(
        placed in prop::collection::vec((0usize..3, 0i64..1440), 1..6),
        steps in prop::collection::vec(step(), 1..30),
    ) {
        let rt = tokio::runtime::Builder::new_current_thread().enable_all().build().expect("runtime");
        rt.block_on(async {
            let rules = Rules::default();
            let scratch = Scratch::new().await.expect("scratch");
            let mut db = open(&scratch.url).await;
            let mut orders: Vec<Order> = placed.iter().enumerate().map(|(i, (b, m))| order(i, *b, *m)).collect();
            let mut now = base();
            // Orders reach the database as the shop's exports do: once placed.
            let mut imported: HashSet<usize> = HashSet::new();
            let mut paid_at: HashMap<String, DateTime<Utc>> = HashMap::new();
            let mut fired: HashMap<i64, usize> = HashMap::new();
            for s in &steps {
                now += Duration::minutes(s.minutes);
                if s.restart {
                    db.close().await;
                    db = open(&scratch.url).await;
                }
                let new: Vec<Order> = orders.iter().enumerate()
                    .filter(|(i, o)| !imported.contains(i) && o.created_at <= now)
                    .map(|(_, o)| o.clone()).collect();
                for (i, o) in orders.iter().enumerate() {
                    if o.created_at <= now { imported.insert(i); }
                }
                if !new.is_empty() {
                    db.apply_orders(&new, &rules, now).await.expect("import");
                }
                if let Some(k) = s.pay {
                    if let Some(o) = orders.get_mut(k) {
                        if imported.contains(&k) && o.status == OrderStatus::AwaitingPayment && o.created_at <= now {
                            o.status = OrderStatus::AwaitingShipment;
                            o.paid_at = Some(now);
                            paid_at.insert(o.no.to_string(), now);
                            db.apply_orders(std::slice::from_ref(o), &rules, now).await.expect("pay");
                        }
                    }
                }
                let (out, _) = db.run_due(now, None, &rules).await.expect("run");
                // Every chase claimed is shown (each is its own notification when few).
                let chases_shown = out.shown.iter().filter(|f| f.kind == Kind::Chase).count() as u64;
                prop_assert_eq!(out.by_kind.get(&Kind::Chase).copied().unwrap_or(0), chases_shown);
                for f in out.shown {
                    *fired.entry(f.id).or_default() += 1;
                    prop_assert!(f.due_at <= now, "announced before it was due");
                    if f.kind == Kind::Chase {
                        for no in &f.orders {
                            prop_assert!(!paid_at.contains_key(no), "chase of paid order {}", no);
                        }
                    }
                }
            }
            for (id, n) in &fired {
                prop_assert_eq!(*n, 1, "follow-up {} announced {} times", id, n);
            }
            // Whatever is due by the clock's last reading and still live was announced.
            let at = now;
            let mut left = db.agenda(at, None, 10_000).await.expect("agenda");
            left.overdue.append(&mut left.due);
            for f in &left.overdue {
                prop_assert!(f.announced, "{:?} due at {} not announced by {}", f.kind, f.due_at, at);
            }
            Ok(())
        })?;
    }
}
