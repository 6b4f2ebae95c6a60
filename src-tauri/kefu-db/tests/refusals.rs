//! What the team database refuses, and how it says so: the core's refusals reach the caller
//! as `Refused` naming the field (never as a damaged database), and nothing is written.

use chrono::{DateTime, TimeZone, Utc};
use kefu_core::followups::Rules;
use kefu_core::team::{AgentState, Role, TeamRules, MAX_LOAD_LIMIT};
use kefu_core::BuyerNick;
use kefu_db::{Db, Error, Scratch};

fn now() -> DateTime<Utc> {
    Utc.with_ymd_and_hms(2026, 11, 23, 4, 0, 0)
        .single()
        .expect("time")
}

/// The field a refusal names, or the error itself when it is not a refusal.
fn refused_field(r: Result<impl std::fmt::Debug, Error>) -> &'static str {
    match r {
        Err(Error::Refused(kefu_core::Error::Invalid { field, .. })) => field,
        other => panic!("expected a refusal, got {other:?}"),
    }
}

#[tokio::test]
async fn accounts_a_shop_cannot_have() {
    let scratch = Scratch::new().await.expect("scratch");
    let db = Db::open(&scratch.url).await.expect("open");
    db.add_agent("云朵旗舰店", Role::Main, "x", 100, 1, now())
        .await
        .expect("main");
    db.add_agent("小美", Role::Agent, "x", 8, 1, now())
        .await
        .expect("agent");

    let too_many = db
        .add_agent("小帅", Role::Agent, "x", MAX_LOAD_LIMIT + 1, 1, now())
        .await;
    assert_eq!(refused_field(too_many), "max_load");
    assert_eq!(
        refused_field(db.add_agent("小美", Role::Agent, "x", 8, 1, now()).await),
        "name"
    );
    assert_eq!(
        refused_field(db.add_agent("二号店", Role::Main, "x", 8, 1, now()).await),
        "role"
    );
    let names: Vec<String> = db
        .team(now(), &TeamRules::default())
        .await
        .expect("team")
        .into_iter()
        .map(|m| m.agent.name)
        .collect();
    assert_eq!(names, ["云朵旗舰店", "小美"], "nothing refused was stored");
}

#[tokio::test]
async fn transfers_go_only_to_a_teammate_online_with_room() {
    let scratch = Scratch::new().await.expect("scratch");
    let db = Db::open(&scratch.url).await.expect("open");
    let rules = TeamRules::default();
    let mei = db
        .add_agent("小美", Role::Agent, "x", 8, 1, now())
        .await
        .expect("agent");
    let shuai = db
        .add_agent("小帅", Role::Agent, "x", 1, 1, now())
        .await
        .expect("agent");
    db.set_agent_state(&mei, "小美", AgentState::Online, &rules, now())
        .await
        .expect("online");
    let nick = BuyerNick::parse("买家甲").expect("nick");
    let routed = db
        .new_inquiry(&nick, "在吗", &rules, &Rules::default(), now())
        .await
        .expect("inquiry");
    assert_eq!(routed.agent.as_deref(), Some("小美"));

    // 小帅 is offline.
    let offline = db.transfer(&mei, &nick, "小帅", "", &rules, now()).await;
    assert_eq!(refused_field(offline), "to");

    // Online, but full (his maximum is one buyer, and he has one).
    db.set_agent_state(&shuai, "小帅", AgentState::Online, &rules, now())
        .await
        .expect("online");
    let other = BuyerNick::parse("买家乙").expect("nick");
    db.set_agent_state(&mei, "小美", AgentState::Suspended, &rules, now())
        .await
        .expect("suspended");
    let his = db
        .new_inquiry(&other, "", &rules, &Rules::default(), now())
        .await
        .expect("inquiry");
    assert_eq!(his.agent.as_deref(), Some("小帅"));
    let full = db.transfer(&mei, &nick, "小帅", "", &rules, now()).await;
    assert_eq!(refused_field(full), "to");

    // The buyer stays with 小美, and the team shows who may receive a transfer.
    let open = db.conversations(Some(mei.id)).await.expect("open");
    assert_eq!(open.len(), 1);
    let team = db.team(now(), &rules).await.expect("team");
    let takes: Vec<(&str, bool)> = team
        .iter()
        .map(|m| (m.agent.name.as_str(), m.takes_transfers))
        .collect();
    assert_eq!(takes, [("小美", false), ("小帅", false)]);
}
