//! The team database going away and coming back, on a PostgreSQL server of the test's own
//! (runs in the PostgreSQL pass of `src-tauri/scripts/test.sh`): while it is down a call
//! fails plainly and writes nothing; when it is back the same `Db` and the same watch work
//! again, without reopening anything.

use std::time::{Duration, Instant};

use chrono::{TimeZone, Utc};
use kefu_core::followups::Rules;
use kefu_core::team::{AgentState, Role, TeamRules};
use kefu_core::BuyerNick;
use kefu_db::{Backend, Db, Error, OwnServer, Scratch};

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_team_database_goes_away_and_comes_back() {
    if !Scratch::runs_on(
        Backend::Postgres,
        "the_team_database_goes_away_and_comes_back",
    ) {
        return;
    }
    let now = Utc
        .with_ymd_and_hms(2026, 11, 23, 4, 0, 0)
        .single()
        .expect("time");
    let server = OwnServer::start("outage");
    let url = server.url.clone();
    let db = Db::open(&url).await.expect("open");
    let rules = TeamRules::default();
    let mei = db
        .add_agent("小美", Role::Agent, "x", 8, 1, now)
        .await
        .expect("agent");
    db.set_agent_state(&mei, "小美", AgentState::Online, &rules, now)
        .await
        .expect("online");
    let mut watch = db.watch().await.expect("watch");
    // A claim before: the connection that claims is kept, and then finds its server gone.
    let before = BuyerNick::parse("买家零").expect("nick");
    db.new_inquiry(&before, "", &rules, &Rules::default(), now)
        .await
        .expect("inquiry before");
    let first = BuyerNick::parse("买家甲").expect("nick");

    server.pause();
    let down = db
        .new_inquiry(&first, "在吗", &rules, &Rules::default(), now)
        .await;
    let plain = matches!(down, Err(Error::Unavailable(_)));
    assert!(plain, "a plain 'does not answer' error: {down:?}");
    // The watch says so too, within seconds.
    let start = Instant::now();
    while watch.next_change(Duration::from_secs(1)).await.is_ok() {
        assert!(
            start.elapsed() < Duration::from_secs(10),
            "the watch never said the database is gone"
        );
    }

    server.resume();
    // The pool makes new connections by itself; the agent's next try goes through.
    let start = Instant::now();
    let routed = loop {
        match db
            .new_inquiry(&first, "在吗", &rules, &Rules::default(), now)
            .await
        {
            Ok(r) => break r,
            Err(e) => {
                assert!(start.elapsed() < Duration::from_secs(20), "never back: {e}");
                tokio::time::sleep(Duration::from_millis(200)).await;
            }
        }
    };
    assert_eq!(routed.agent.as_deref(), Some("小美"));
    // Nothing from the failed try was half-written: one buyer, one conversation.
    assert_eq!(
        db.served_buyers().await.expect("served"),
        vec!["买家甲", "买家零"]
    );
    assert_eq!(db.conversations(None).await.expect("open").len(), 2);

    // The same watch hears another PC's changes again (what was announced while it was
    // reconnecting is lost to it; the window refreshes on reconnecting for that reason).
    let other = Db::open(&url).await.expect("another PC");
    let start = Instant::now();
    for i in 0.. {
        let nick = BuyerNick::parse(&format!("买家乙{i}")).expect("nick");
        other
            .new_inquiry(&nick, "", &rules, &Rules::default(), now)
            .await
            .expect("inquiry");
        if let Ok(true) = watch.next_change(Duration::from_secs(1)).await {
            break;
        }
        assert!(
            start.elapsed() < Duration::from_secs(20),
            "the watch never heard again"
        );
    }
    db.close().await;
    other.close().await;
}
