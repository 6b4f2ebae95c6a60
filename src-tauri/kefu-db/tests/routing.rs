//! Many PCs on one database at once (an SQLite file, or the team's PostgreSQL): 16 clients report new buyers while agents flip
//! between online, suspended and offline. Every buyer ends up served by exactly one agent
//! or waiting in the queue — none lost, none served twice — and no load passes its maximum.

use std::collections::HashSet;

use chrono::{DateTime, Duration, TimeZone, Utc};
use kefu_core::followups::Rules;
use kefu_core::team::{AgentState, Role, TeamRules};
use kefu_core::BuyerNick;
use kefu_db::{Backend, Db, Scratch};

fn now() -> DateTime<Utc> {
    Utc.with_ymd_and_hms(2026, 11, 23, 4, 0, 0)
        .single()
        .expect("time")
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn concurrent_inquiries_and_state_flips_assign_each_buyer_once() {
    let scratch = Scratch::new().await.expect("scratch");
    let url = scratch.url.clone();
    let setup = Db::open(&url).await.expect("open");
    let _main = setup
        .add_agent("云朵旗舰店", Role::Main, "x", 1_000, 1, now())
        .await
        .expect("main");
    let mut agents = Vec::new();
    for i in 0..6 {
        let a = setup
            .add_agent(&format!("客服{i}"), Role::Agent, "x", 3, 1 + i % 2, now())
            .await
            .expect("agent");
        setup
            .set_agent_state(
                &a,
                &a.name,
                AgentState::Online,
                &TeamRules::default(),
                now(),
            )
            .await
            .expect("online");
        agents.push(a);
    }
    // On the team database as the issue of many PCs demands: 32 clients, 3,200 buyers.
    let (clients, per_client) = match Scratch::backend() {
        Backend::Sqlite => (16, 40),
        Backend::Postgres => (32, 100),
    };
    let mut tasks = Vec::new();
    for c in 0..clients {
        let url = url.clone();
        let agents = agents.clone();
        tasks.push(tokio::spawn(async move {
            let db = Db::open(&url).await.expect("open");
            let rules = TeamRules::default();
            for k in 0..per_client {
                let t = now() + Duration::milliseconds((k * 10) as i64);
                let nick = BuyerNick::parse(&format!("买家{c:02}-{k:03}")).expect("nick");
                db.new_inquiry(&nick, "在吗", &rules, &Rules::default(), t)
                    .await
                    .expect("inquiry");
                // Some clients are agents' PCs flipping state, or closing a conversation.
                let a = &agents[(c + k) % agents.len()];
                match (c + k) % 7 {
                    0 => {
                        let to = [
                            AgentState::Online,
                            AgentState::Suspended,
                            AgentState::Offline,
                        ][(k / 7) % 3];
                        db.set_agent_state(a, &a.name, to, &rules, t)
                            .await
                            .expect("state");
                    }
                    3 => {
                        let open = db.conversations(Some(a.id)).await.expect("open");
                        if let Some(conv) = open.first() {
                            let nick = BuyerNick::parse(&conv.buyer_nick).expect("nick");
                            // Another PC may have handed it on meanwhile: then it is
                            // no longer this agent's to close, and says so.
                            match db.close_conversation(a, &nick, &rules, t).await {
                                Ok(_) | Err(kefu_db::Error::NotFound(_)) => {}
                                Err(e) => panic!("close: {e:?}"),
                            }
                        }
                    }
                    _ => {}
                }
            }
        }));
    }
    for t in tasks {
        t.await.expect("client");
    }
    let open = setup.conversations(None).await.expect("open");
    let waiting = setup.waiting().await.expect("waiting");
    let served: Vec<&str> = open.iter().map(|c| c.buyer_nick.as_str()).collect();
    let unique: HashSet<&str> = served.iter().copied().collect();
    assert_eq!(unique.len(), served.len(), "a buyer served twice at once");
    let queued: HashSet<&str> = waiting.iter().map(|w| w.0.as_str()).collect();
    assert!(
        unique.is_disjoint(&queued),
        "a buyer both served and waiting"
    );
    // Every buyer was served at some point (an open or closed conversation) or is waiting.
    let ever: Vec<String> = sqlx_count_ever(&setup).await;
    for c in 0..clients {
        for k in 0..per_client {
            let nick = format!("买家{c:02}-{k:03}");
            assert!(
                ever.contains(&nick) || queued.contains(nick.as_str()),
                "{nick} was lost"
            );
        }
    }
    for m in setup
        .team(now(), &TeamRules::default())
        .await
        .expect("team")
    {
        let open_of = open.iter().filter(|c| c.agent_id == m.agent.id).count() as u32;
        assert_eq!(
            m.agent.load, open_of,
            "{}'s load matches its open conversations",
            m.agent.name
        );
        if m.agent.role != Role::Main {
            assert!(
                m.agent.load <= m.agent.max_load,
                "{} over its maximum",
                m.agent.name
            );
        }
    }
}

/// Buyers that ever had a conversation: the buyers with any conversation row.
async fn sqlx_count_ever(db: &Db) -> Vec<String> {
    db.served_buyers().await.expect("served")
}

#[tokio::test]
async fn a_buyer_waiting_past_the_setting_is_reported_once() {
    let scratch = Scratch::new().await.expect("scratch");
    let db = Db::open(&scratch.url).await.expect("open");
    let rules = TeamRules::default();
    let a = db
        .add_agent("小美", Role::Agent, "x", 3, 1, now())
        .await
        .expect("agent");
    db.set_agent_state(&a, "小美", AgentState::Suspended, &rules, now())
        .await
        .expect("suspend");
    let nick = BuyerNick::parse("买家甲").expect("nick");
    let r = db
        .new_inquiry(&nick, "在吗", &rules, &Rules::default(), now())
        .await
        .expect("inquiry");
    assert_eq!(r.agent, None, "{r:?}");
    let at = |s: i64| now() + Duration::seconds(s);
    assert!(db
        .waiting_too_long(&rules, at(59))
        .await
        .expect("check")
        .is_empty());
    assert_eq!(
        db.waiting_too_long(&rules, at(60)).await.expect("check"),
        vec![("买家甲".to_owned(), 60)]
    );
    assert!(db
        .waiting_too_long(&rules, at(120))
        .await
        .expect("again")
        .is_empty());
    // She comes back online: the waiting buyer is hers.
    let moved = db
        .set_agent_state(&a, "小美", AgentState::Online, &rules, at(121))
        .await
        .expect("online");
    assert_eq!(moved[0].agent.as_deref(), Some("小美"));
    assert!(db.waiting().await.expect("queue").is_empty());
}

#[tokio::test]
async fn late_greetings_and_silent_pcs_hand_buyers_on() {
    let scratch = Scratch::new().await.expect("scratch");
    let db = Db::open(&scratch.url).await.expect("open");
    let rules = TeamRules::default();
    let at = |s: i64| now() + Duration::seconds(s);
    let mei = db
        .add_agent("小美", Role::Agent, "x", 3, 1, now())
        .await
        .expect("agent");
    let shuai = db
        .add_agent("小帅", Role::Agent, "x", 3, 1, now())
        .await
        .expect("agent");
    for a in [&mei, &shuai] {
        db.set_agent_state(a, &a.name, AgentState::Online, &rules, now())
            .await
            .expect("online");
    }
    let one = BuyerNick::parse("买家一").expect("nick");
    let two = BuyerNick::parse("买家二").expect("nick");
    let r1 = db
        .new_inquiry(&one, "", &rules, &Rules::default(), at(1))
        .await
        .expect("one");
    let r2 = db
        .new_inquiry(&two, "", &rules, &Rules::default(), at(1))
        .await
        .expect("two");
    let (first, second) = (
        r1.agent.clone().expect("served"),
        r2.agent.clone().expect("served"),
    );
    assert_ne!(first, second, "one each");
    // The agent of 买家二 greets; the other does not.
    let greeter = db.agent(&second).await.expect("agent");
    db.open_conversation(&greeter, r2.conversation.expect("conversation"), at(10))
        .await
        .expect("greet");
    for a in [&mei, &shuai] {
        db.heartbeat(a.id, at(25), &rules).await.expect("beat");
    }
    assert!(
        db.route_due(&rules, at(30)).await.expect("step").is_empty(),
        "30 s not yet passed"
    );
    let moved = db.route_due(&rules, at(31)).await.expect("step");
    assert_eq!(moved.len(), 1, "{moved:?}");
    assert_eq!(moved[0].nick, "买家一");
    assert_eq!(
        moved[0].agent.as_deref(),
        Some(second.as_str()),
        "handed to the other agent"
    );
    let team = db.team(at(31), &rules).await.expect("team");
    let late = team
        .iter()
        .find(|m| m.agent.name == first)
        .expect("late agent");
    assert_eq!(late.agent.load, 0);

    // The greeter's PC goes silent: 60 s after its last beat it counts as offline and its
    // buyers go to the one still beating.
    let quiet = db.agent(&first).await.expect("agent");
    db.heartbeat(quiet.id, at(80), &rules).await.expect("beat");
    let conv = db.conversations(Some(greeter.id)).await.expect("open");
    for c in &conv {
        db.open_conversation(&greeter, c.id, at(32))
            .await
            .expect("greet");
    }
    assert!(
        db.route_due(&rules, at(84)).await.expect("step").is_empty(),
        "59 s since the beat"
    );
    let moved = db.route_due(&rules, at(86)).await.expect("step");
    let nicks: Vec<&str> = moved.iter().map(|r| r.nick.as_str()).collect();
    assert_eq!(nicks.len(), 2, "{moved:?}");
    assert!(
        moved
            .iter()
            .all(|r| r.agent.as_deref() == Some(first.as_str())),
        "{moved:?}"
    );
    let team = db.team(at(86), &rules).await.expect("team");
    let gone = team
        .iter()
        .find(|m| m.agent.name == second)
        .expect("silent agent");
    assert_eq!(
        (gone.agent.state, gone.agent.load),
        (AgentState::Offline, 0)
    );
}

/// Beats make spans of presence: one that follows within the heartbeat timeout extends the
/// span, a later one starts another, and beats while offline make none.
#[tokio::test]
async fn beats_record_when_an_agent_was_present() {
    let scratch = Scratch::new().await.expect("scratch");
    let db = Db::open(&scratch.url).await.expect("open");
    let rules = TeamRules::default();
    let at = |s: i64| now() + Duration::seconds(s);
    let mei = db
        .add_agent("小美", Role::Agent, "x", 8, 1, now())
        .await
        .expect("agent");
    // A new account is offline: its beats are not presence.
    db.heartbeat(mei.id, at(0), &rules).await.expect("beat");
    assert!(db.online_spans(now()).await.expect("spans").is_empty());
    db.set_agent_state(&mei, "小美", AgentState::Online, &rules, at(1))
        .await
        .expect("online");
    for s in [15, 30, 45, 105] {
        db.heartbeat(mei.id, at(s), &rules).await.expect("beat");
    }
    // 105 s follows 45 s within the 60 s timeout; then a gap of 65 s.
    db.heartbeat(mei.id, at(170), &rules).await.expect("beat");
    let spans: Vec<(i64, i64)> = db
        .online_spans(now())
        .await
        .expect("spans")
        .into_iter()
        .map(|(n, a, b)| {
            assert_eq!(n, "小美");
            ((a - now()).num_seconds(), (b - now()).num_seconds())
        })
        .collect();
    assert_eq!(spans, [(15, 105), (170, 170)]);
}

/// A PC silent past the timeout (an outage, a sleeping laptop) is marked offline by the
/// routing step; its next beat brings back the state its agent had chosen. An offline set
/// by a person stays.
#[tokio::test]
async fn a_returning_pc_brings_back_the_state_its_agent_chose() {
    let scratch = Scratch::new().await.expect("scratch");
    let db = Db::open(&scratch.url).await.expect("open");
    let rules = TeamRules::default();
    let at = |s: i64| now() + Duration::seconds(s);
    let mei = db
        .add_agent("小美", Role::Agent, "x", 8, 1, now())
        .await
        .expect("agent");
    db.set_agent_state(&mei, "小美", AgentState::Suspended, &rules, at(0))
        .await
        .expect("suspended");
    let state = |db: &Db| {
        let db = db.clone();
        async move { db.agent("小美").await.expect("agent").state }
    };
    db.route_due(&rules, at(59)).await.expect("step");
    assert_eq!(state(&db).await, AgentState::Suspended, "59 s of silence");
    db.route_due(&rules, at(60)).await.expect("step");
    assert_eq!(state(&db).await, AgentState::Offline, "60 s of silence");
    assert!(db.heartbeat(mei.id, at(200), &rules).await.expect("beat"));
    assert_eq!(state(&db).await, AgentState::Suspended, "back as she left");
    assert!(!db.heartbeat(mei.id, at(215), &rules).await.expect("beat"));
    assert_eq!(state(&db).await, AgentState::Suspended);

    // Offline by her own choice, a silence, then a beat: she stays offline.
    db.set_agent_state(&mei, "小美", AgentState::Offline, &rules, at(220))
        .await
        .expect("offline");
    db.route_due(&rules, at(300)).await.expect("step");
    assert!(!db.heartbeat(mei.id, at(310), &rules).await.expect("beat"));
    assert_eq!(state(&db).await, AgentState::Offline, "chosen by a person");
}
