//! A shop team on one database, as separate processes would use it from several PCs: each
//! command is its own process signed in as an account. New buyers go to the right agent for
//! the right reason; a suspended agent gets none but its returning buyers; a full team
//! queues; every routing sub-account offline falls back to the main account; an agent cannot
//! do a supervisor's work.

use std::process::Command;

use kefu_tests::{app_binary, scratch_db, CLOCK_START};
use serde_json::Value;

struct Shop {
    dir: tempfile::TempDir,
    db: String,
}

const PASSWORD: &str = "kefu-2026-pass";

impl Shop {
    fn new() -> Shop {
        let dir = tempfile::tempdir().expect("temp dir");
        Shop {
            db: scratch_db(dir.path()),
            dir,
        }
    }

    /// Runs a command signed in `as_` (or as nobody), returning the exit code and JSON.
    fn run(&self, as_: Option<&str>, args: &[&str]) -> (i32, Value) {
        self.run_with(CLOCK_START, PASSWORD, as_, args)
    }

    /// `run` with the app clock starting at `clock` and `password` for the account.
    fn run_with(
        &self,
        clock: &str,
        password: &str,
        as_: Option<&str>,
        args: &[&str],
    ) -> (i32, Value) {
        let mut cmd = Command::new(app_binary());
        cmd.args(args)
            .arg("--json")
            .env("HOME", self.dir.path())
            .env("XDG_DATA_HOME", self.dir.path().join("data"))
            .env("KEFU_DB", &self.db)
            .env("KEFU_CLOCK_START", clock)
            .env("KEFU_PASSWORD", password)
            .env("KEFU_NEW_PASSWORD", PASSWORD);
        if let Some(name) = as_ {
            cmd.args(["--as", name]);
        }
        let out = cmd.output().expect("the app binary runs");
        let json = serde_json::from_slice(&out.stdout).unwrap_or(Value::Null);
        (out.status.code().unwrap_or(-1), json)
    }

    /// A shop with its main account, the supervisor 主管 and these agents.
    fn with_supervisor(agents: &[&str]) -> Shop {
        let shop = Shop::new();
        shop.ok(None, &["account", "add", "云朵旗舰店", "--role", "main"]);
        shop.ok(
            Some("云朵旗舰店"),
            &["account", "add", "主管", "--role", "supervisor"],
        );
        for name in agents {
            shop.ok(
                Some("云朵旗舰店"),
                &["account", "add", name, "--role", "agent"],
            );
        }
        shop
    }

    fn ok(&self, as_: Option<&str>, args: &[&str]) -> Value {
        let (code, json) = self.run(as_, args);
        assert_eq!(code, 0, "{args:?} as {as_:?}: {json}");
        json
    }

    /// A new buyer asks; returns (agent or null, reason).
    fn inquiry(&self, nick: &str) -> (Value, String) {
        let r = self.ok(Some("云朵旗舰店"), &["inquiry", nick, "--asked", "有S码吗"]);
        (
            r["agent"].clone(),
            r["reason"].as_str().unwrap_or_default().to_owned(),
        )
    }
}

/// The demo shop is made-up orders for trying the app on one PC; on a team database every
/// PC would see them among the shop's own.
#[test]
fn the_demo_shop_never_enters_a_team_database() {
    let shop = Shop::new();
    let (code, e) = shop.run(None, &["demo"]);
    match kefu_db::Scratch::backend() {
        kefu_db::Backend::Postgres => {
            assert_eq!(code, 2, "{e}");
            assert_eq!(e["error"]["code"], "usage", "{e}");
            let message = e["error"]["message"].as_str().unwrap_or_default();
            assert!(message.contains("team database"), "{message}");
            let groups = shop.ok(None, &["groups"]);
            assert_eq!(groups["order"], 0, "nothing was written: {groups}");
        }
        kefu_db::Backend::Sqlite => {
            assert_eq!(code, 0, "this PC's own database takes the demo: {e}");
            assert_eq!(e["new"], 52, "{e}");
        }
    }
}

/// Every PC of a team keeps the team database's time: a PC replaying another day
/// (`KEFU_CLOCK_START`) would shift presence and follow-ups for everyone, so only a
/// practice database (the tests' are) takes it. A PC's own database always does.
#[test]
fn a_clock_of_its_own_is_refused_on_a_team_database_that_is_not_for_practice() {
    let shop = Shop::new();
    shop.ok(None, &["groups"]);
    if kefu_db::Scratch::backend() != kefu_db::Backend::Postgres {
        return;
    }
    kefu_db::Scratch::run_as_owner(&shop.db, "UPDATE team_clock SET pcs_may_set_clock = false")
        .expect("the shop's real database");
    let (code, e) = shop.run(None, &["groups"]);
    assert_eq!(
        (code, e["error"]["code"].clone()),
        (2, "usage".into()),
        "{e}"
    );
    let message = e["error"]["message"].as_str().unwrap_or_default();
    assert!(message.contains("KEFU_CLOCK_START"), "{message}");
    let out = Command::new(app_binary())
        .args(["groups", "--json"])
        .env("HOME", shop.dir.path())
        .env("XDG_DATA_HOME", shop.dir.path().join("data"))
        .env("KEFU_DB", &shop.db)
        .env_remove("KEFU_CLOCK_START")
        .output()
        .expect("the app binary runs");
    assert!(
        out.status.success(),
        "on the database's time: {}",
        String::from_utf8_lossy(&out.stdout)
    );
}

/// Guessing passwords: five wrong ones cost nothing, then the name waits (on every PC,
/// whether it exists or not), and the right password waits too until the wait is over.
#[test]
fn sign_in_waits_after_five_wrong_passwords() {
    let shop = Shop::with_supervisor(&["小美"]);
    for name in ["小美", "没有这个人"] {
        for _ in 0..5 {
            let (code, e) = shop.run_with(CLOCK_START, "guess-1234", Some(name), &["team"]);
            assert_eq!(
                (code, e["error"]["code"].clone()),
                (1, "sign_in".into()),
                "{e}"
            );
        }
        let (code, e) = shop.run(Some(name), &["team"]);
        assert_eq!(
            (code, e["error"]["code"].clone()),
            (1, "throttled".into()),
            "{e}"
        );
        let message = e["error"]["message"].as_str().unwrap_or_default();
        match kefu_db::Scratch::backend() {
            kefu_db::Backend::Sqlite => {
                assert!(message.contains("try again in 30 s"), "{message}")
            }
            // The team database counts on its own clock in whole seconds: the try may
            // fall in the second after the fifth failure's.
            kefu_db::Backend::Postgres => assert!(
                message.contains("try again in 30 s") || message.contains("try again in 29 s"),
                "{message}"
            ),
        }
    }
    // Half a minute later (the wait after the fifth), the right password signs in and
    // the count starts again. A team database's own clock is moved by moving the failures
    // back.
    let later = "2026-11-23T12:00:31+08:00";
    if kefu_db::Scratch::backend() == kefu_db::Backend::Postgres {
        kefu_db::Scratch::run_as_owner(
            &shop.db,
            "UPDATE sign_in_failures SET last_failed_at = last_failed_at - 31",
        )
        .expect("half a minute passes");
    }
    let (code, e) = shop.run_with(later, PASSWORD, Some("小美"), &["team"]);
    assert_eq!(code, 0, "{e}");
    let (code, e) = shop.run_with(later, "guess-1234", Some("小美"), &["team"]);
    assert_eq!(
        (code, e["error"]["code"].clone()),
        (1, "sign_in".into()),
        "{e}"
    );
}

/// An agent's chases are its own: a colleague cannot mark them done or put them off; the
/// supervisor can (an agent off sick leaves chases behind).
#[test]
fn an_agent_acts_only_on_its_own_follow_ups() {
    let shop = Shop::with_supervisor(&["小美", "小王"]);
    shop.inquiry("买家甲");
    let f = shop.ok(
        Some("小王"),
        &[
            "followup",
            "add",
            "买家甲",
            "--kind",
            "promised_answer",
            "--note",
            "问尺码",
        ],
    );
    assert_eq!(f["owner"], "小王", "{f}");
    let id = f["id"].as_i64().expect("an id").to_string();
    for args in [
        vec!["followup", "done", &id],
        vec!["followup", "snooze", &id, "1h"],
    ] {
        let (code, e) = shop.run(Some("小美"), &args);
        assert_eq!(
            (code, e["error"]["code"].clone()),
            (1, "forbidden".into()),
            "{args:?}: {e}"
        );
    }
    shop.ok(Some("小王"), &["followup", "snooze", &id, "1h"]);
    shop.ok(Some("主管"), &["followup", "done", &id]);
    let (code, e) = shop.run(Some("小王"), &["followup", "done", &id]);
    assert_eq!(
        (code, e["error"]["code"].clone()),
        (1, "not_found".into()),
        "done once: {e}"
    );
}

#[test]
fn routing_between_agents_on_one_database() {
    let shop = Shop::new();
    // The shop's setup: the first account is the main account.
    let (code, e) = shop.run(None, &["account", "add", "小美", "--role", "agent"]);
    assert_eq!(code, 2, "the first account must be the main account: {e}");
    shop.ok(None, &["account", "add", "云朵旗舰店", "--role", "main"]);
    shop.ok(
        Some("云朵旗舰店"),
        &["account", "add", "主管", "--role", "supervisor"],
    );
    shop.ok(
        Some("主管"),
        &[
            "account",
            "add",
            "小美",
            "--role",
            "agent",
            "--max-load",
            "2",
        ],
    );
    shop.ok(
        Some("主管"),
        &[
            "account",
            "add",
            "小帅",
            "--role",
            "agent",
            "--max-load",
            "2",
        ],
    );

    // Role checks are in the core: an agent cannot add accounts or change a teammate.
    let (code, e) = shop.run(Some("小美"), &["account", "add", "小新", "--role", "agent"]);
    assert_eq!(
        (code, e["error"]["code"].as_str()),
        (1, Some("forbidden")),
        "{e}"
    );
    let (code, e) = shop.run(Some("小美"), &["state", "offline", "--agent", "小帅"]);
    assert_eq!(
        (code, e["error"]["code"].as_str()),
        (1, Some("forbidden")),
        "{e}"
    );
    // Bad input is refused with the field named, and nothing is added.
    let (code, e) = shop.run(Some("主管"), &["account", "add", " ", "--role", "agent"]);
    assert_eq!(code, 2, "{e}");
    assert!(
        e["error"]["message"]
            .as_str()
            .unwrap_or_default()
            .starts_with("name:"),
        "{e}"
    );
    let (code, e) = shop.run(Some("主管"), &["account", "add", "小新", "--role", "boss"]);
    assert_eq!(
        (code, e["error"]["code"].as_str()),
        (1, Some("invalid")),
        "{e}"
    );
    let (code, e) = shop.run(
        Some("云朵旗舰店"),
        &["inquiry", "买家己", "--asked", &"问".repeat(501)],
    );
    assert_eq!(code, 2, "{e}");
    assert_eq!(
        shop.ok(Some("主管"), &["team"]).as_array().map(Vec::len),
        Some(4)
    );
    // A wrong password is refused like an unknown name.
    let (code, e) = shop.run(Some("无名"), &["team"]);
    assert_eq!(
        (code, e["error"]["code"].as_str()),
        (1, Some("sign_in")),
        "{e}"
    );
    // The main account cannot suspend.
    let (code, e) = shop.run(Some("云朵旗舰店"), &["state", "suspended"]);
    assert_eq!(code, 1, "{e}");

    // Everyone offline: the main account takes the buyer.
    let (agent, why) = shop.inquiry("买家甲");
    assert_eq!(agent, Value::from("云朵旗舰店"));
    assert_eq!(why, "子账号全部离线 → 主账号 云朵旗舰店");
    shop.ok(Some("云朵旗舰店"), &["close", "买家甲"]);

    shop.ok(Some("小美"), &["state", "online"]);
    shop.ok(Some("小帅"), &["state", "online"]);
    let (agent, why) = shop.inquiry("买家乙");
    assert_eq!(agent, Value::from("小美"));
    assert_eq!(why, "小美 负载最低 0/2");
    let (agent, why) = shop.inquiry("买家丙");
    assert_eq!(agent, Value::from("小帅"), "{why}");
    // Asking again does not make a second conversation.
    assert_eq!(shop.inquiry("买家丙").0, Value::from("小帅"));

    // Suspend 小美: new buyers go to 小帅 only, then wait when 小帅 is full.
    shop.ok(Some("小美"), &["state", "suspended"]);
    assert_eq!(shop.inquiry("买家丁").0, Value::from("小帅"));
    let (agent, why) = shop.inquiry("买家戊");
    assert_eq!(agent, Value::Null, "everyone online is suspended or full");
    assert_eq!(why, "在线客服全部挂起或满载，排队等待");
    let q = shop.ok(Some("主管"), &["conversations", "--all"]);
    assert_eq!(q["waiting"][0]["nick"], Value::from("买家戊"));

    // 小帅 closes a conversation (Esc): the waiting buyer takes the place.
    let moved = shop.ok(Some("小帅"), &["close", "买家丙"]);
    assert_eq!(moved[0]["nick"], Value::from("买家戊"));
    assert_eq!(moved[0]["agent"], Value::from("小帅"));

    // A returning buyer goes back to 小美 although she is suspended.
    shop.ok(Some("小美"), &["close", "买家乙"]);
    let (agent, why) = shop.inquiry("买家乙");
    assert_eq!(agent, Value::from("小美"));
    assert_eq!(why, "今天由 小美 接待过，回到 小美");

    // Transfer to a teammate with room, with a note.
    shop.ok(Some("小美"), &["state", "online"]);
    let t = shop.ok(
        Some("小帅"),
        &["transfer", "买家丁", "--to", "小美", "--note", "她熟悉这款"],
    );
    assert_eq!(t["agent"], Value::from("小美"));
    assert_eq!(t["reason"], Value::from("小帅 转交给 小美：她熟悉这款"));

    // The team panel: loads never above the maximum.
    let team = shop.ok(Some("主管"), &["team"]);
    for m in team.as_array().expect("team") {
        if m["role"] != "main" {
            assert!(m["load"].as_u64() <= m["max_load"].as_u64(), "{m}");
        }
    }
    let by_name = |n: &str| {
        team.as_array()
            .unwrap()
            .iter()
            .find(|m| m["name"] == n)
            .cloned()
            .unwrap()
    };
    assert_eq!(by_name("小美")["load"], Value::from(2));
    assert_eq!(by_name("小帅")["load"], Value::from(1));

    // The supervisor sends 小帅 offline: his buyer is handed on (小美 is full: it waits).
    let moved = shop.ok(Some("主管"), &["state", "offline", "--agent", "小帅"]);
    assert_eq!(moved[0]["nick"], Value::from("买家戊"));
    assert_eq!(moved[0]["agent"], Value::Null);
    let open = shop.ok(Some("主管"), &["conversations", "--all"]);
    let nicks: Vec<&str> = open["open"]
        .as_array()
        .unwrap()
        .iter()
        .filter_map(|c| c["buyer_nick"].as_str())
        .collect();
    assert_eq!(nicks.iter().filter(|n| **n == "买家戊").count(), 0);
    assert_eq!(open["waiting"][0]["nick"], Value::from("买家戊"));

    // Follow-ups belong to the agent serving (or who last served) the buyer: two days on,
    // each inquiry that did not order is on its agent's agenda.
    let at = ["--at", "2026-11-25 12:00:00"];
    let all = shop.ok(Some("主管"), &["followups", "--all", at[0], at[1]]);
    let owner_of = |list: &Value, nick: &str| -> Option<Value> {
        list["due"]
            .as_array()?
            .iter()
            .find(|f| f["nick"] == nick && f["kind"] == "inquiry_no_order")
            .map(|f| f["owner"].clone())
    };
    for (nick, owner) in [
        ("买家甲", "云朵旗舰店"),
        ("买家乙", "小美"),
        ("买家丙", "小帅"),
        ("买家丁", "小美"),
    ] {
        assert_eq!(
            owner_of(&all, nick),
            Some(Value::from(owner)),
            "{nick}: {all}"
        );
    }
    let hers = shop.ok(Some("小美"), &["followups", at[0], at[1]]);
    let nicks: Vec<&str> = hers["due"]
        .as_array()
        .expect("due")
        .iter()
        .filter_map(|f| f["nick"].as_str())
        .collect();
    assert_eq!(nicks.len(), 2, "{hers}");
    assert!(
        nicks.contains(&"买家乙") && nicks.contains(&"买家丁"),
        "{nicks:?}"
    );
}

/// The supervisor plans a week from the command line: shifts land in the shop's time, the
/// rule checker names what breaks a rule, a change made on an old version is refused, an
/// agent may look but not plan, and a week that warns is published only once fixed.
#[test]
fn the_supervisor_plans_and_publishes_a_week() {
    let shop = Shop::with_supervisor(&["小美", "小王"]);
    let boss = Some("主管");
    // The clock starts on Monday 2026-11-23.
    let week = shop.ok(boss, &["schedule", "week"]);
    assert_eq!(
        (&week["monday"], &week["version"], &week["published"]),
        (
            &Value::from("2026-11-23"),
            &Value::from(0),
            &Value::from(false)
        ),
        "{week}"
    );
    let assign = |agent: &str, date: &str, template: &str, version: &str| {
        shop.run(
            boss,
            &[
                "schedule",
                "assign",
                agent,
                date,
                template,
                "--version",
                version,
            ],
        )
    };
    let (code, week) = assign("小美", "2026-11-24", "晚班", "0");
    assert_eq!(code, 0, "{week}");
    // 晚班 16:00–24:00 shop time is 08:00–16:00 UTC.
    assert_eq!(week["shifts"][0]["start"], "2026-11-24T08:00:00Z", "{week}");
    assert_eq!(week["shifts"][0]["end"], "2026-11-24T16:00:00Z", "{week}");
    let (_, week) = assign("小美", "2026-11-25", "早班", "1");
    assert_eq!(
        week["warnings"][0]["message"], "小美 11/24 晚班 → 11/25 早班：休息 8 小时 < 10",
        "{week}"
    );
    // Another supervisor's change on version 1 would overwrite this one: refused.
    let (code, e) = assign("小王", "2026-11-24", "早班", "1");
    assert_eq!(
        (code, e["error"]["code"].as_str()),
        (1, Some("conflict")),
        "{e}"
    );
    // An agent sees the week and cannot change it.
    let seen = shop.ok(Some("小美"), &["schedule", "week"]);
    assert_eq!(seen["version"], 2);
    let (code, e) = shop.run(
        Some("小美"),
        &["schedule", "assign", "小美", "2026-11-26", "早班"],
    );
    assert_eq!(
        (code, e["error"]["code"].as_str()),
        (1, Some("forbidden")),
        "{e}"
    );
    // A week that breaks a rule is not published until it is fixed.
    let (code, e) = shop.run(boss, &["schedule", "publish", "--version", "2"]);
    assert_eq!(
        (code, e["error"]["code"].as_str()),
        (1, Some("invalid")),
        "{e}"
    );
    let fixed = shop.ok(
        boss,
        &[
            "schedule",
            "clear",
            "小美",
            "2026-11-25",
            "早班",
            "--version",
            "2",
        ],
    );
    assert_eq!(fixed["warnings"], Value::Array(vec![]), "{fixed}");
    // A day off: a shift on it warns, and it is taken back by the same command.
    let off = shop.ok(boss, &["schedule", "time-off", "小王", "2026-11-27"]);
    assert_eq!(off["time_off"][0]["agent"], "小王", "{off}");
    let on_day_off = shop.ok(boss, &["schedule", "assign", "小王", "2026-11-27", "早班"]);
    assert_eq!(
        on_day_off["warnings"][0]["message"], "小王 11/27 早班 占用请假日 11/27",
        "{on_day_off}"
    );
    shop.ok(boss, &["schedule", "clear", "小王", "2026-11-27", "早班"]);
    let back = shop.ok(
        boss,
        &["schedule", "time-off", "小王", "2026-11-27", "--undo"],
    );
    assert_eq!(back["time_off"], Value::Array(vec![]), "{back}");
    let (code, e) = shop.run(
        Some("小美"),
        &["schedule", "time-off", "小美", "2026-11-27"],
    );
    assert_eq!(
        (code, e["error"]["code"].as_str()),
        (1, Some("forbidden")),
        "{e}"
    );
    // A night template for the hours nobody covers yet.
    let t = shop.ok(boss, &["schedule", "template", "夜班", "00:00", "08:00"]);
    assert_eq!(t[0]["name"], "夜班", "{t}");
    let published = shop.ok(boss, &["schedule", "publish"]);
    assert_eq!(
        (&published["published"], &published["published_by"]),
        (&Value::from(true), &Value::from("主管")),
        "{published}"
    );
}

/// 交接班 and the split of unserved follow-ups, on the command line: the early shift's agent
/// hands her buyers and follow-ups to the late shift, who sees the note; follow-ups nobody
/// owns go to whoever is on shift.
#[test]
fn the_early_shift_hands_its_work_to_the_late_shift() {
    let shop = Shop::with_supervisor(&["小美", "小王", "阿杰"]);
    let boss = Some("主管");
    // Monday 2026-11-23, 12:00 now: 小美 on 早班 until 16:00, 小王 and 阿杰 take over at 16:00.
    for (agent, template) in [("小美", "早班"), ("小王", "晚班"), ("阿杰", "晚班")] {
        shop.ok(boss, &["schedule", "assign", agent, "2026-11-23", template]);
    }
    shop.ok(boss, &["schedule", "publish"]);
    for name in ["小美", "小王", "阿杰"] {
        shop.ok(Some(name), &["state", "online"]);
    }
    // Only 小美 is on shift: every new buyer goes to her.
    for nick in ["买家一", "买家二", "买家三"] {
        let (agent, why) = shop.inquiry(nick);
        assert_eq!(agent, Value::from("小美"), "{nick}: {why}");
    }
    shop.ok(
        Some("小美"),
        &["followup", "add", "买家一", "--kind", "promised_answer"],
    );
    // The late shift has nothing to hand over at 12:00: its shift has not started.
    let (code, e) = shop.run(Some("小王"), &["schedule", "handover"]);
    assert_eq!(
        (code, e["error"]["code"].as_str()),
        (1, Some("invalid")),
        "{e}"
    );

    let plan = shop.ok(Some("小美"), &["schedule", "handover", "--dry-run"]);
    assert_eq!(
        plan["receivers"],
        serde_json::json!(["小王", "阿杰"]),
        "{plan}"
    );
    let done = shop.ok(
        Some("小美"),
        &["schedule", "handover", "--note", "买家一要开发票"],
    );
    let items = done["items"].as_array().expect("items");
    // Three buyers and four follow-ups: one for each new buyer, and the promised answer.
    assert_eq!(items.len(), 7, "{done}");
    let to = |kind: &str, who: &str| {
        items
            .iter()
            .filter(|i| i["kind"] == kind && i["to"] == who)
            .count()
    };
    // Three buyers split 2 + 1 (both had load 0); a buyer's follow-ups go with it.
    assert_eq!(to("conversation", "小王") + to("conversation", "阿杰"), 3);
    assert_eq!(
        (to("conversation", "小王") as i64 - to("conversation", "阿杰") as i64).abs(),
        1,
        "{done}"
    );
    for f in items.iter().filter(|i| i["kind"] == "followup") {
        let with = items
            .iter()
            .find(|c| c["kind"] == "conversation" && c["buyer_nick"] == f["buyer_nick"])
            .expect("each follow-up's buyer was handed over");
        assert_eq!(f["to"], with["to"], "{done}");
    }
    let open = shop.ok(Some("云朵旗舰店"), &["conversations", "--all"]);
    let open = open["open"].as_array().expect("open");
    assert_eq!(open.len(), 3, "{open:?}");
    for c in open {
        assert_ne!(c["agent"], "小美", "{c}");
        let reason = c["reason"].as_str().unwrap_or_default();
        assert!(
            reason.starts_with("交接班：小美 交给 ") && reason.ends_with("：买家一要开发票"),
            "{reason}"
        );
        // Handed over, not new: nobody waits 30 s for a greeting again.
        assert!(c["opened_at"].is_i64(), "{c}");
    }
    let team = shop.ok(Some("云朵旗舰店"), &["team"]);
    let load = |n: &str| {
        team.as_array()
            .expect("team")
            .iter()
            .find(|m| m["name"] == n)
            .map(|m| m["load"].clone())
    };
    assert_eq!(load("小美"), Some(Value::from(0)));
    let got = shop.ok(Some("小王"), &["schedule", "handovers"]);
    assert_eq!(got[0]["from"], "小美", "{got}");
    assert_eq!(got[0]["note"], "买家一要开发票", "{got}");
    // Nothing of hers is left to hand over a second time.
    let again = shop.ok(Some("小美"), &["schedule", "handover"]);
    assert_eq!(again["items"], Value::Array(vec![]), "{again}");

    // A follow-up nobody owns (the buyer has no agent) goes to whoever is on shift.
    let export = shop.dir.path().join("ExportOrderList-unpaid.csv");
    kefu_tests::export::unpaid_order(&export, 1, "买家四", "2026-11-23 11:30:00").expect("export");
    shop.ok(None, &["import", export.to_str().expect("utf-8 path")]);
    let split = shop.ok(Some("小美"), &["schedule", "split-followups"]);
    assert!(split["given"].as_u64().unwrap_or(0) >= 1, "{split}");
    let mine = shop.ok(Some("小美"), &["followups"]);
    let text = mine.to_string();
    assert!(text.contains("买家四"), "{text}");
}

/// Quick phrases on a team: the shop's set is the supervisor's to edit and every agent's to
/// use; an agent's own set is its own. A phrase is filled for the buyer, or refused naming
/// what this buyer lacks.
#[test]
fn the_shops_phrases_are_the_supervisors_to_edit_and_an_agents_own_are_its_own() {
    let shop = Shop::with_supervisor(&["小美", "小帅"]);
    let (code, e) = shop.run(
        Some("小美"),
        &[
            "phrases",
            "add",
            "--code",
            "dq",
            "亲，{买家}，到货了",
            "--version",
            "0",
        ],
    );
    assert_eq!((code, &e["error"]["code"]), (1, &"forbidden".into()), "{e}");

    let saved = shop.ok(
        Some("主管"),
        &[
            "phrases",
            "add",
            "--group",
            "问候",
            "--code",
            "dq",
            "亲，{买家}，到货了",
            "--version",
            "0",
        ],
    );
    assert_eq!(saved["version"], 1, "{saved}");
    let mine = shop.ok(
        Some("小美"),
        &[
            "phrases",
            "add",
            "--set",
            "personal",
            "--code",
            "wd",
            "我的：{订单号}",
            "--version",
            "0",
        ],
    );
    assert_eq!(mine["owner"], "小美", "{mine}");
    let theirs = shop.ok(Some("小帅"), &["phrases", "list", "--set", "personal"]);
    assert_eq!(theirs["phrases"], serde_json::json!([]), "{theirs}");

    // Found by its code's prefix and by pinyin, filled with the buyer's nick.
    shop.inquiry("买家甲");
    let found = shop.ok(Some("小美"), &["phrases", "find", "d", "--buyer", "买家甲"]);
    assert_eq!(found[0]["code"], "dq", "{found}");
    assert_eq!(found[0]["filled"], "亲，买家甲，到货了", "{found}");
    let found = shop.ok(
        Some("小美"),
        &["phrases", "find", "qmj", "--buyer", "买家甲"],
    );
    assert_eq!(found[0]["code"], "dq", "亲，买家甲 … by initials: {found}");
    // A buyer without orders has no order number: named, nothing pasted.
    let (code, e) = shop.run(
        Some("小美"),
        &[
            "phrases",
            "use",
            "wd",
            "--set",
            "personal",
            "--buyer",
            "买家甲",
        ],
    );
    assert_eq!(code, 2, "{e}");
    let message = e["error"]["message"].as_str().unwrap_or_default();
    assert!(message.contains("{订单号}"), "{message}");
    let used = shop.ok(Some("小美"), &["phrases", "use", "dq", "--buyer", "买家甲"]);
    assert_eq!(used["text"], "亲，买家甲，到货了");
}
