use chrono::{DateTime, TimeZone, Utc};
use kefu_core::followups::Rules;
use kefu_core::team::{self, AgentState, Decision, Role, Served, TeamRules, MAX_LOAD_LIMIT};
use kefu_core::BuyerNick;
use proptest::prelude::*;

use super::*;
use crate::rows::at as time;
use crate::{Db, Error, Result, Scratch};

/// One agent as the test stores it: every field routing reads.
#[derive(Clone, Debug)]
struct Stored {
    role: Role,
    state: AgentState,
    in_routing: bool,
    max_load: u32,
    load: u32,
    weight: u32,
    idle_since: i64,
    last_seen: Option<i64>,
    /// A published shift, as (start, end) in minutes from the routing moment.
    shift: Option<(i64, i64)>,
}

/// What is published around the routing moment.
#[derive(Clone, Copy, Debug)]
enum Published {
    /// Nothing: routing as without a schedule.
    Nothing,
    /// A week covering the moment, with the agents' shifts.
    ThisWeek,
    /// Only last week, whose shifts may run into the moment (a Sunday night).
    LastWeek,
}

fn stored() -> impl Strategy<Value = Stored> {
    // Mostly agents who may take the buyer, so that the order among them is what is
    // tested; small loads make equal ratios (1/3 and 2/6) and ties common, large ones
    // test the ratio's precision near the limit.
    let max_load = prop_oneof![
        6 => 0u32..=6,
        1 => (MAX_LOAD_LIMIT - 3)..=MAX_LOAD_LIMIT,
        1 => 1..=MAX_LOAD_LIMIT,
    ];
    (
        prop_oneof![6 => Just(Role::Agent), 2 => Just(Role::Supervisor), 1 => Just(Role::Main)],
        prop_oneof![
            6 => Just(AgentState::Online),
            1 => Just(AgentState::Suspended),
            1 => Just(AgentState::Offline)
        ],
        prop::bool::weighted(0.9),
        max_load,
        any::<u32>(),
        1u32..=3,
        0i64..4,
        prop::option::weighted(0.95, 0i64..70),
        // Covering the moment, starting or ending exactly at it, over, or to come.
        prop::option::of(prop_oneof![
            Just((-60, 60)),
            Just((0, 60)),
            Just((-60, 0)),
            Just((-120, -60)),
            Just((60, 120)),
        ]),
    )
        .prop_map(
            |(role, state, in_routing, max_load, load, weight, idle, seen, shift)| Stored {
                role,
                state,
                in_routing,
                max_load,
                load: if max_load == 0 {
                    0
                } else {
                    load % (max_load + 1)
                },
                weight,
                idle_since: idle,
                last_seen: seen,
                shift,
            },
        )
}

fn published() -> impl Strategy<Value = Published> {
    prop_oneof![
        1 => Just(Published::Nothing),
        2 => Just(Published::ThisWeek),
        1 => Just(Published::LastWeek),
    ]
}

fn now() -> DateTime<Utc> {
    Utc.with_ymd_and_hms(2026, 11, 23, 4, 0, 0)
        .single()
        .expect("time")
}

/// The buyer reported, as each claim path sees it.
#[derive(Clone, Debug)]
enum Asking {
    /// Never seen: on a team database the one-round-trip claim (`claim_new_buyer`), on
    /// SQLite `claim_ranked`.
    New,
    /// Known from an import, never served: `claim_ranked` on both backends.
    Known,
    /// Served before by the agent at this index, this many minutes ago, conversation
    /// closed: back to that agent when it may take it (`take_if_routable`), else ranked.
    Served(usize, i64),
}

fn asking() -> impl Strategy<Value = Asking> {
    prop_oneof![
        2 => Just(Asking::New),
        1 => Just(Asking::Known),
        // Mostly within the three sticky days.
        2 => (0usize..10, 0i64..(5 * 1440)).prop_map(|(i, ago)| Asking::Served(i, ago)),
    ]
}

/// Stores `team` as the whole team, reports the buyer `nick` as `asking` says, and returns
/// where the database sent it and where `team::route` sends it, for the team as stored.
async fn routed_both_ways(
    db: &Db,
    team: &[Stored],
    published: Published,
    nick: &str,
    asking: &Asking,
) -> Result<(Routed, Routed)> {
    let t = now().timestamp();
    let rules = TeamRules::default();
    let mut conn = db.pool.acquire().await?;
    for table in [
        "followups",
        "conversations",
        "waiting",
        "published_shifts",
        "schedule_weeks",
        "agents",
    ] {
        sqlx::query(&format!("DELETE FROM {table}"))
            .execute(&mut *conn)
            .await?;
    }
    let mut has_main = false;
    for (i, a) in team.iter().enumerate() {
        // One main account at most, as the schema allows.
        let role = if a.role == Role::Main && has_main {
            Role::Agent
        } else {
            a.role
        };
        has_main |= role == Role::Main;
        sqlx::query(
            "INSERT INTO agents (name, role, password_hash, state, in_routing, max_load,
                 weight, load, idle_since, last_seen)
             VALUES ($1, $2, 'x', $3, $4, $5, $6, $7, $8, $9)",
        )
        .bind(format!("客服{i}"))
        .bind(role.code())
        .bind(a.state.code())
        .bind(i64::from(a.in_routing))
        .bind(i64::from(a.max_load))
        .bind(i64::from(a.weight))
        .bind(i64::from(a.load))
        .bind(t - 600 + a.idle_since)
        .bind(a.last_seen.map(|s| t - s))
        .execute(&mut *conn)
        .await?;
    }
    let day = 86_400;
    let week = match published {
        Published::Nothing => None,
        Published::ThisWeek => Some(("2026-11-23", t - 2 * day)),
        Published::LastWeek => Some(("2026-11-16", t - 9 * day)),
    };
    if let Some((monday, starts_at)) = week {
        sqlx::query(
            "INSERT INTO schedule_weeks (monday, starts_at, ends_at, version, published_version)
             VALUES ($1, $2, $3, 1, 1)",
        )
        .bind(monday)
        .bind(starts_at)
        .bind(starts_at + 7 * day)
        .execute(&mut *conn)
        .await?;
        for (i, a) in team.iter().enumerate() {
            let Some((from, to)) = a.shift else { continue };
            sqlx::query(
                "INSERT INTO published_shifts (week, agent_id, date, template, starts_at, ends_at)
                 SELECT $1, id, $2, '班', $3, $4 FROM agents WHERE name = $5",
            )
            .bind(monday)
            .bind(monday)
            .bind(t + from * 60)
            .bind(t + to * 60)
            .bind(format!("客服{i}"))
            .execute(&mut *conn)
            .await?;
        }
    }
    let agents = agents_in(&mut conn, now()).await?;
    let mut served = None;
    if !matches!(asking, Asking::New) {
        sqlx::query(
            "INSERT INTO buyers (nick, grp, sort_key, first_seen_at) VALUES ($1, 0, 0, $2)",
        )
        .bind(nick)
        .bind(t - 86_400 * 7)
        .execute(&mut *conn)
        .await?;
    }
    if let Asking::Served(i, ago) = asking {
        if let Some(a) = agents.get(*i) {
            let at = t - ago * 60;
            sqlx::query(
                "INSERT INTO conversations (buyer_nick, agent_id, asked, why, assigned_at,
                     opened_at, closed_at, ended)
                 VALUES ($1, $2, '', '{\"rule\":\"no_one\"}', $3, $3, $3, 'closed')",
            )
            .bind(nick)
            .bind(a.id)
            .bind(at)
            .execute(&mut *conn)
            .await?;
            served = Some(Served {
                agent_id: a.id,
                at: time(at)?,
            });
        }
    }
    drop(conn);
    let nick = BuyerNick::parse(nick).map_err(Error::Refused)?;
    let stored = db
        .new_inquiry(&nick, "", &rules, &Rules::default(), now())
        .await?;
    let (agent, why) = match team::route(served.as_ref(), &agents, now(), &rules) {
        Decision::Assign { agent_id, why } => (
            agents
                .iter()
                .find(|a| a.id == agent_id)
                .map(|a| a.name.clone()),
            why,
        ),
        Decision::Wait { why } => (None, why),
    };
    let core = Routed {
        nick: stored.nick.clone(),
        agent,
        conversation: stored.conversation,
        reason: why.to_string(),
        why,
    };
    // What the buyer panel reads back later, and who owns the buyer's follow-ups.
    let mut conn = db.pool.acquire().await?;
    if let Some(open) = serving(&mut conn, nick.as_str()).await? {
        assert_eq!(open, stored, "the stored conversation");
    }
    let owners: Vec<String> =
        sqlx::query_scalar("SELECT owner FROM followups WHERE buyer_nick = $1")
            .bind(nick.as_str())
            .fetch_all(&mut *conn)
            .await?;
    // Only a buyer the database creates gets its follow-ups planned here.
    assert_eq!(
        owners.is_empty(),
        !matches!(asking, Asking::New),
        "a new buyer gets a follow-up"
    );
    for owner in owners {
        assert_eq!(
            Some(owner.as_str()),
            Some(stored.agent.as_deref().unwrap_or(""))
        );
    }
    Ok((stored, core))
}

fn scratch_db(rt: &tokio::runtime::Runtime) -> (Scratch, Db) {
    let scratch = rt.block_on(Scratch::new()).expect("scratch");
    let db = rt.block_on(Db::open(&scratch.url)).expect("open");
    (scratch, db)
}

/// The claim a new buyer gets from the database (in SQL, skipping what other PCs
/// claim) is the agent and the reason `team::route` gives for the same team.
#[test]
fn claims_follow_the_cores_ranking() {
    let rt = tokio::runtime::Runtime::new().expect("runtime");
    let (_scratch, db) = scratch_db(&rt);
    let round = std::sync::atomic::AtomicU32::new(0);
    let config = ProptestConfig {
        cases: 256,
        ..ProptestConfig::default()
    };
    proptest!(config, |(
        team in prop::collection::vec(stored(), 1..10),
        published in published(),
        asking in asking(),
    )| {
        let round = round.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
        let (stored, core) = rt
            .block_on(routed_both_ways(&db, &team, published, &format!("买家{round}"), &asking))
            .expect("stored and routed");
        prop_assert_eq!(stored, core, "{:?}", asking);
    });
}

/// Load ratios a hair apart at the limit (9997/9998 < 9998/9999, by 1e-8) still rank
/// in order, even when weight would say otherwise.
#[test]
fn ratios_a_hair_apart_rank_exactly() {
    let rt = tokio::runtime::Runtime::new().expect("runtime");
    let (_scratch, db) = scratch_db(&rt);
    let agent = |load, max_load, weight| Stored {
        role: Role::Agent,
        state: AgentState::Online,
        in_routing: true,
        max_load,
        load,
        weight,
        idle_since: 0,
        last_seen: Some(1),
        shift: None,
    };
    let team = [agent(9_998, 9_999, 3), agent(9_997, 9_998, 1)];
    let (stored, core) = rt
        .block_on(routed_both_ways(
            &db,
            &team,
            Published::Nothing,
            "买家",
            &Asking::New,
        ))
        .expect("stored and routed");
    assert_eq!(stored.agent.as_deref(), Some("客服1"));
    assert_eq!(stored, core);
}
