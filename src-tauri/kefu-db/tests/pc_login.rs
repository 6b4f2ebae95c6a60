//! On a team database the database itself enforces what the core's roles say: a PC's login
//! (README, "Team database") reading the address out of a PC's settings, whether through
//! the app or `psql`, cannot read a password hash, raise a role, change a password, add an
//! account, delete a follow-up or write the schedule, unless signed in as an account whose
//! role may; and sign-in waits after failures on the database's own count. PostgreSQL only.

use chrono::{DateTime, TimeZone, Utc};
use kefu_core::agenda::KINDS;
use kefu_core::shifts::ShiftTemplate;
use kefu_core::team::sign_in::wait_after;
use kefu_core::team::Role;
use kefu_db::scratch::pc_login;
use kefu_db::{Backend, Db, Error, Scratch, SignedIn};
use sqlx::{AnyConnection, Connection, Executor, Row};

fn now() -> DateTime<Utc> {
    Utc.with_ymd_and_hms(2026, 11, 23, 4, 0, 0)
        .single()
        .expect("time")
}

/// A PHC string as the app stores one: the salt `salt`, an output of `out`.
fn hash(salt: &str, out: char) -> String {
    format!(
        "$argon2id$v=19$m=19456,t=2,p=1${salt}${}",
        out.to_string().repeat(43)
    )
}

const ACCOUNTS: [(&str, Role, &str); 4] = [
    ("云朵旗舰店", Role::Main, "bWFpbnNhbHRtYWluc2FsdA"),
    ("主管", Role::Supervisor, "c3VwZXJ2aXNvcnNhbHQxMg"),
    ("小美", Role::Agent, "eGlhb21laXNhbHR4aWFvbQ"),
    ("小帅", Role::Agent, "eGlhb3NodWFpc2FsdHhpYQ"),
];

fn hash_of(name: &str) -> String {
    let (_, _, salt) = ACCOUNTS
        .iter()
        .find(|(n, _, _)| *n == name)
        .expect("an account of the test");
    hash(salt, 'Q')
}

/// The SQLSTATE a statement failed with, or "ok".
async fn outcome(conn: &mut AnyConnection, sql: &str) -> String {
    match conn.execute(sql).await {
        Ok(_) => "ok".into(),
        Err(sqlx::Error::Database(e)) => e.code().map(|c| c.into_owned()).unwrap_or_default(),
        Err(e) => panic!("{sql}: {e}"),
    }
}

/// Signs `conn` in as `name` the way the app does, by the database's `sign_in`.
async fn sign_in(conn: &mut AnyConnection, name: &str, hash: &str) -> (Option<String>, i64) {
    let row = sqlx::query("SELECT token, wait_seconds FROM sign_in($1, $2)")
        .bind(name)
        .bind(hash)
        .fetch_one(&mut *conn)
        .await
        .expect("sign_in runs");
    (row.get(0), row.get(1))
}

async fn use_session(conn: &mut AnyConnection, token: &str) {
    sqlx::query("SELECT set_config('kefu.session', $1, false)")
        .bind(token)
        .execute(&mut *conn)
        .await
        .expect("set the session");
}

#[tokio::test]
async fn a_pcs_login_does_only_what_its_signed_in_role_may() {
    if !Scratch::runs_on(
        Backend::Postgres,
        "a_pcs_login_does_only_what_its_signed_in_role_may",
    ) {
        return;
    }
    let scratch = Scratch::new().await.expect("scratch");
    let owner = Db::open(&scratch.url).await.expect("the owner migrates");
    for (name, role, _) in ACCOUNTS {
        owner
            .add_agent(name, role, &hash_of(name), 8, 1, now())
            .await
            .expect("the owner sets the shop up");
    }
    let mut by_owner = AnyConnection::connect(scratch.url.as_str())
        .await
        .expect("owner");
    by_owner
        .execute("INSERT INTO buyers (nick, grp, sort_key, first_seen_at) VALUES ('买家', 0, 0, 0)")
        .await
        .expect("a buyer");
    for kind in KINDS {
        for done in ["NULL", "1"] {
            by_owner
                .execute(
                    format!(
                        "INSERT INTO followups (buyer_nick, key, kind, due_at, wake_at, done_at)
                         VALUES ('买家', '{}-{done}', '{}', 0, 0, {done})",
                        kind.code(),
                        kind.code()
                    )
                    .as_str(),
                )
                .await
                .expect("a follow-up");
        }
    }

    let pc_url = pc_login(&scratch.url).await.expect("a PC's login");
    let mut pc = AnyConnection::connect(pc_url.as_str())
        .await
        .expect("a PC connects");

    // Not signed in, with psql: none of this.
    for sql in [
        "SELECT password_hash FROM agents",
        "SELECT * FROM agents",
        "SELECT * FROM sessions",
        "SELECT * FROM sign_in_failures",
        "SELECT * FROM secrets",
        "UPDATE agents SET role = 'supervisor' WHERE name = '小美'",
        "UPDATE agents SET password_hash = 'x' WHERE name = '主管'",
        "UPDATE agents SET name = '主管2' WHERE name = '主管'",
        "INSERT INTO agents (name, role, password_hash, idle_since)
         VALUES ('黑客', 'supervisor', 'x', 0)",
        "DELETE FROM followups",
        "DELETE FROM sign_in_failures",
        "SELECT 1 FROM add_agent('黑客', 'supervisor', 'x', 1, 8, 1, 0) AS added",
        "INSERT INTO shift_templates (name, start_minute, end_minute) VALUES ('夜班', 0, 480)",
        "INSERT INTO phrases (set_kind, owner, position, grp, code, text) VALUES ('shop', '', 0, '问候', 'x', '亲')",
        "INSERT INTO phrase_uses (agent, set_kind, code, uses) VALUES ('小美', 'shop', 'sc', 1)",
    ] {
        assert_eq!(outcome(&mut pc, sql).await, "42501", "{sql}");
    }
    // What every PC does for everyone: presence, and reading the team and the schedule.
    for sql in [
        "UPDATE agents SET state = 'online', last_seen = 1 WHERE name = '小美'",
        "SELECT id, name, role, load FROM agents",
        "SELECT * FROM shift_templates",
        // Row-level security hides every row from these: they run and change nothing.
        "UPDATE shift_templates SET end_minute = 1000",
        "DELETE FROM shift_templates",
    ] {
        assert_eq!(outcome(&mut pc, sql).await, "ok", "{sql}");
    }
    let templates: Vec<(String, i64)> =
        sqlx::query_as("SELECT name, end_minute FROM shift_templates ORDER BY name")
            .fetch_all(&mut pc)
            .await
            .expect("templates");
    assert_eq!(
        templates,
        [("早班".to_owned(), 960), ("晚班".to_owned(), 1440)],
        "the templates are as the migration made them"
    );

    // A plan withdraws its own reminders: never one done, never one added by hand.
    let ids: Vec<(i64, String, Option<i64>)> =
        sqlx::query_as("SELECT id, kind, done_at FROM followups ORDER BY id")
            .fetch_all(&mut pc)
            .await
            .expect("follow-ups");
    let all: Vec<String> = ids.iter().map(|(id, _, _)| id.to_string()).collect();
    let gone: i64 = sqlx::query_scalar("SELECT withdraw_followups($1)")
        .bind(all.join(","))
        .fetch_one(&mut pc)
        .await
        .expect("withdraw");
    let left: Vec<(String, Option<i64>)> =
        sqlx::query_as("SELECT kind, done_at FROM followups ORDER BY id")
            .fetch_all(&mut pc)
            .await
            .expect("follow-ups");
    let withdrawable = |kind: &str, done: Option<i64>| {
        done.is_none() && KINDS.iter().any(|k| k.code() == kind && !k.is_by_hand())
    };
    let expected: Vec<(String, Option<i64>)> = ids
        .iter()
        .filter(|(_, kind, done)| !withdrawable(kind, *done))
        .map(|(_, kind, done)| (kind.clone(), *done))
        .collect();
    assert_eq!(left, expected);
    assert_eq!(gone as usize, ids.len() - expected.len());

    // Signed in as an agent: still none of the supervisor's work.
    let (token, _) = sign_in(&mut pc, "小美", &hash_of("小美")).await;
    use_session(&mut pc, &token.expect("the right hash signs in")).await;
    for sql in [
        "UPDATE agents SET role = 'supervisor' WHERE name = '小美'",
        "SELECT 1 FROM add_agent('黑客', 'supervisor', 'x', 1, 8, 1, 0) AS added",
        "INSERT INTO shift_templates (name, start_minute, end_minute) VALUES ('夜班', 0, 480)",
        // The shop's phrases are a supervisor's; another agent's are theirs.
        "INSERT INTO phrases (set_kind, owner, position, grp, code, text) VALUES ('shop', '', 0, '问候', 'x', '亲')",
        "INSERT INTO phrases (set_kind, owner, position, grp, code, text)
         VALUES ('personal', '小帅', 0, '问候', 'x', '亲')",
        "INSERT INTO phrase_sets (set_kind, owner, version) VALUES ('shop', '', 7)",
        "INSERT INTO phrase_uses (agent, set_kind, code, uses) VALUES ('小帅', 'shop', 'sc', 1)",
        // 绩效's facts: receptions and greetings are the database's to write, messages one's
        // own, and nothing recorded changes.
        "INSERT INTO service_facts (at, kind, buyer_nick, agent) VALUES (1, 'received', '买家', '小美')",
        "INSERT INTO service_facts (at, kind, buyer_nick, agent) VALUES (1, 'agent_message', '买家', '小帅')",
        "UPDATE service_facts SET agent = '小美'",
        "DELETE FROM service_facts",
    ] {
        assert_eq!(outcome(&mut pc, sql).await, "42501", "{sql}");
    }
    // One's own phrases, uses and messages are one's own.
    for sql in [
        "INSERT INTO phrases (set_kind, owner, position, grp, code, text)
         VALUES ('personal', '小美', 0, '问候', 'x', '亲')",
        "INSERT INTO phrase_uses (agent, set_kind, code, uses) VALUES ('小美', 'shop', 'sc', 1)",
        "INSERT INTO service_facts (at, kind, buyer_nick, agent) VALUES (1, 'agent_message', '买家', '小美')",
        "INSERT INTO service_facts (at, kind, buyer_nick) VALUES (1, 'buyer_message', '买家')",
    ] {
        assert_eq!(outcome(&mut pc, sql).await, "ok", "{sql}");
    }
    // A made-up token is nobody.
    let mut forger = AnyConnection::connect(pc_url.as_str()).await.expect("pc");
    use_session(&mut forger, "0123456789abcdef0123456789abcdef").await;
    assert_eq!(
        outcome(
            &mut forger,
            "INSERT INTO shift_templates (name, start_minute, end_minute) VALUES ('夜班', 0, 480)"
        )
        .await,
        "42501"
    );
    // A supervisor's session plans the week and adds accounts; it writes roles and hashes
    // through no other door.
    let mut supervisor = AnyConnection::connect(pc_url.as_str()).await.expect("pc");
    let (token, _) = sign_in(&mut supervisor, "主管", &hash_of("主管")).await;
    use_session(&mut supervisor, &token.expect("signed in")).await;
    for (sql, expected) in [
        (
            "INSERT INTO shift_templates (name, start_minute, end_minute) VALUES ('夜班', 0, 480)",
            "ok",
        ),
        (
            "SELECT 1 FROM add_agent('小新', 'agent', 'x', 1, 8, 1, 0) AS added",
            "ok",
        ),
        ("INSERT INTO phrases (set_kind, owner, position, grp, code, text) VALUES ('shop', '', 0, '问候', 'x', '亲')", "ok"),
        (
            "UPDATE agents SET role = 'main' WHERE name = '主管'",
            "42501",
        ),
        ("SELECT password_hash FROM agents", "42501"),
    ] {
        assert_eq!(outcome(&mut supervisor, sql).await, expected, "{sql}");
    }
}

#[tokio::test]
async fn the_database_counts_failed_sign_ins_and_gives_every_name_a_salt() {
    if !Scratch::runs_on(
        Backend::Postgres,
        "the_database_counts_failed_sign_ins_and_gives_every_name_a_salt",
    ) {
        return;
    }
    let scratch = Scratch::new().await.expect("scratch");
    let owner = Db::open(&scratch.url).await.expect("the owner migrates");
    for (name, role, _) in ACCOUNTS {
        owner
            .add_agent(name, role, &hash_of(name), 8, 1, now())
            .await
            .expect("set up");
    }
    let pc_url = pc_login(&scratch.url).await.expect("a PC's login");
    let mut pc = AnyConnection::connect(pc_url.as_str()).await.expect("pc");

    // The waits are kefu-core's.
    for n in (0..=40).chain([1_000, 1_000_000]) {
        let wait: i64 = sqlx::query_scalar("SELECT sign_in_wait($1)")
            .bind(n)
            .fetch_one(&mut pc)
            .await
            .expect("sign_in_wait");
        assert_eq!(wait, wait_after(n as u32).num_seconds(), "{n} failures");
    }

    // A salt for every name: an account's own; for a name without one, the main account's
    // parameters and a salt of the name's own, the same each time.
    let salt = |name: &'static str| {
        let url = pc_url.clone();
        async move {
            let mut c = AnyConnection::connect(url.as_str()).await.expect("pc");
            let s: Option<String> = sqlx::query_scalar("SELECT password_salt($1)")
                .bind(name)
                .fetch_one(&mut c)
                .await
                .expect("password_salt");
            s.expect("a salt")
        }
    };
    assert_eq!(
        salt("小美").await,
        hash_of("小美").rsplit_once('$').expect("phc").0
    );
    let (a, b) = (salt("没有这个人").await, salt("也没有").await);
    assert_eq!(a, salt("没有这个人").await);
    assert_ne!(a, b);
    let params = |s: &str| s.split('$').take(4).collect::<Vec<_>>().join("$");
    assert_eq!(params(&a), params(&hash_of("云朵旗舰店")));
    assert_eq!(a.split('$').nth(4).map(str::len), Some(22), "{a}");

    // Five wrong hashes are free, for a name with an account or without; then it waits, the
    // right hash too.
    for name in ["小帅", "没有这个人"] {
        for _ in 0..5 {
            assert_eq!(
                sign_in(&mut pc, name, &hash("d3Jvbmc", 'Q')).await,
                (None, 0)
            );
        }
        let (token, wait) = sign_in(&mut pc, name, &hash_of("小帅")).await;
        assert_eq!(token, None, "{name}");
        assert!((29..=30).contains(&wait), "{name} waits {wait}");
    }
    // Others do not wait for them.
    assert!(sign_in(&mut pc, "小美", &hash_of("小美")).await.0.is_some());

    // The app signs in the same way, and its pool then carries the session.
    let db = Db::open(&pc_url)
        .await
        .expect("a PC opens without migrating");
    assert!(matches!(
        db.sign_in("小帅", &hash_of("小帅"), now())
            .await
            .expect("runs"),
        SignedIn::Wait(_)
    ));
    let template = ShiftTemplate::new("夜班", "00:00", "08:00").expect("a template");
    assert!(matches!(
        db.sign_in("小美", &hash_of("小美"), now()).await.expect("runs"),
        SignedIn::As(a) if a.name == "小美"
    ));
    assert!(matches!(
        db.save_shift_template(&template).await,
        Err(Error::Denied(_))
    ));
    assert!(matches!(
        db.add_agent("黑客", Role::Supervisor, "x", 8, 1, now())
            .await,
        Err(Error::Denied(_))
    ));
    assert!(matches!(
        db.sign_in("主管", &hash_of("主管"), now())
            .await
            .expect("runs"),
        SignedIn::As(_)
    ));
    db.save_shift_template(&template)
        .await
        .expect("a supervisor's session writes the schedule");
    db.add_agent("小新", Role::Agent, "x", 8, 1, now())
        .await
        .expect("and adds accounts");

    // An agent's PC imports: orders and follow-ups planned, then a later export where the
    // unpaid orders were paid withdraws their chases.
    assert!(matches!(
        db.sign_in("小美", &hash_of("小美"), now())
            .await
            .expect("runs"),
        SignedIn::As(_)
    ));
    let rules = kefu_core::followups::Rules::default();
    let mut orders = kefu_core::demo::demo_orders(now());
    let applied = db
        .apply_orders(&orders, &rules, now())
        .await
        .expect("a PC's login imports");
    assert!(applied.new > 0, "{applied:?}");
    let chases = |db: &Db| {
        let db = db.clone();
        async move {
            let mut c = AnyConnection::connect(db.url().as_str()).await.expect("pc");
            let n: i64 = sqlx::query_scalar("SELECT COUNT(*) FROM followups WHERE kind = 'chase'")
                .fetch_one(&mut c)
                .await
                .expect("count");
            n
        }
    };
    assert!(chases(&db).await > 0, "the unpaid orders are chased");
    for o in orders
        .iter_mut()
        .filter(|o| o.status == kefu_core::OrderStatus::AwaitingPayment)
    {
        o.status = kefu_core::OrderStatus::AwaitingShipment;
        o.paid_at = Some(now());
    }
    db.apply_orders(&orders, &rules, now())
        .await
        .expect("a later export");
    assert_eq!(chases(&db).await, 0, "paid: the chases are withdrawn");
    db.group_counts().await.expect("counts");

    // A database the owner has not brought up to date is refused, saying who can.
    by_owner_forget_latest(&scratch).await;
    match Db::open(&pc_url).await {
        Err(Error::Migrate(m)) => assert!(m.contains("owner's address"), "{m}"),
        other => panic!("{other:?}"),
    }
}

async fn by_owner_forget_latest(scratch: &Scratch) {
    let mut c = AnyConnection::connect(scratch.url.as_str())
        .await
        .expect("owner");
    c.execute(
        "DELETE FROM _sqlx_migrations WHERE version = (SELECT MAX(version) FROM _sqlx_migrations)",
    )
    .await
    .expect("forget");
}

/// Every table a later migration adds must say what a PC's login may do with it: one it
/// cannot read at all is either meant to be hidden (listed here) or forgotten.
#[tokio::test]
async fn every_table_is_granted_to_pcs_or_meant_to_be_hidden() {
    if !Scratch::runs_on(
        Backend::Postgres,
        "every_table_is_granted_to_pcs_or_meant_to_be_hidden",
    ) {
        return;
    }
    let scratch = Scratch::new().await.expect("scratch");
    Db::open(&scratch.url).await.expect("the owner migrates");
    let mut owner = AnyConnection::connect(scratch.url.as_str())
        .await
        .expect("owner");
    let unreadable: Vec<String> = sqlx::query_scalar(
        "SELECT c.relname::TEXT FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
         WHERE n.nspname = 'public' AND c.relkind IN ('r', 'v')
           AND NOT has_table_privilege('kefu_pc', c.oid, 'SELECT')
           AND NOT has_any_column_privilege('kefu_pc', c.oid, 'SELECT')
         ORDER BY 1",
    )
    .fetch_all(&mut owner)
    .await
    .expect("tables");
    assert_eq!(
        unreadable,
        ["secrets", "sessions", "sign_in_failures"],
        "a new table needs its GRANT to kefu_pc in its migration"
    );
}
