//! The stored team: agents, who serves which buyer, and the queue. Routing decisions are
//! kefu-core's `team::route`; this module makes them stick, one writer at a time (each
//! routing step runs in an immediate transaction, so two PCs on one database never assign
//! the same buyer twice or push an agent past its maximum load; the schema refuses both as
//! well).

use chrono::{DateTime, Utc};
use kefu_core::followups::Rules;
use kefu_core::team::{self, Agent, AgentState, Decision, Role, Served, TeamRules, Why};
use kefu_core::BuyerNick;
use serde::Serialize;
use sqlx::pool::PoolConnection;
use sqlx::{Any, AnyConnection, Connection};

use crate::rows::at as time;
use crate::{Db, Error, Result};

#[derive(sqlx::FromRow)]
struct AgentRow {
    id: i64,
    name: String,
    role: String,
    state: String,
    in_routing: i64,
    max_load: i64,
    weight: i64,
    load: i64,
    idle_since: i64,
    last_seen: Option<i64>,
}

impl TryFrom<AgentRow> for Agent {
    type Error = Error;
    fn try_from(r: AgentRow) -> Result<Agent> {
        Ok(Agent {
            id: r.id,
            role: Role::parse(&r.role)?,
            state: AgentState::parse(&r.state)?,
            name: r.name,
            in_routing: r.in_routing != 0,
            max_load: u32::try_from(r.max_load).map_err(|_| Error::Corrupt("max_load".into()))?,
            weight: u32::try_from(r.weight).map_err(|_| Error::Corrupt("weight".into()))?,
            load: u32::try_from(r.load).map_err(|_| Error::Corrupt("load".into()))?,
            idle_since: time(r.idle_since)?,
            last_seen: r.last_seen.map(time).transpose()?,
        })
    }
}

/// An agent for the team panel: routing's view plus what counts at `now`.
#[derive(Clone, Debug, Serialize)]
pub struct TeamMember {
    #[serde(flatten)]
    pub agent: Agent,
    pub presence: AgentState,
}

/// Where a new buyer went.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct Routed {
    pub nick: String,
    /// The agent now serving the buyer; `None` while it waits in the queue.
    pub agent: Option<String>,
    pub conversation: Option<i64>,
    pub why: Why,
    /// Shown in the buyer panel: "2 天前由 小美 接待过，回到 小美".
    pub reason: String,
}

/// An open conversation, for the agent's list and the buyer panel.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, sqlx::FromRow)]
pub struct Conversation {
    pub id: i64,
    pub buyer_nick: String,
    pub agent_id: i64,
    pub agent: String,
    pub asked: String,
    pub reason: String,
    pub assigned_at: i64,
    pub opened_at: Option<i64>,
}

/// One writer at a time: on SQLite `BEGIN IMMEDIATE` takes the write lock before anything
/// is read; on a team database every PC's routing step takes one transaction-scoped
/// advisory lock first. Either way a decision is never made on data another PC is changing.
struct Immediate {
    conn: PoolConnection<Any>,
    done: bool,
}

/// The advisory lock key of routing steps on a team database (any fixed number: it only
/// has to be the same on every PC).
const ROUTING_LOCK: i64 = 0x6b65_6675;
/// How long the claiming connection may rest before it is checked again before use (the
/// server may have gone and come back meanwhile).
const RESTED: std::time::Duration = std::time::Duration::from_secs(1);
/// The key space of per-buyer advisory locks (two-number keys never meet one-number ones).
const BUYER_LOCKS: i32 = 0x6b65;

impl Immediate {
    async fn begin(db: &Db) -> Result<Immediate> {
        let conn = db.pool.acquire().await?;
        if db.backend == crate::Backend::Postgres {
            let mut tx = Immediate { conn, done: false };
            sqlx::query("BEGIN").execute(tx.conn()).await?;
            sqlx::query("SELECT 1 FROM (SELECT pg_advisory_xact_lock($1)) AS locked")
                .bind(ROUTING_LOCK)
                .execute(tx.conn())
                .await?;
            return Ok(tx);
        }
        // Each wait is the connection's busy timeout; under a burst of writers a waiter
        // can lose the race for the lock several times in a row, so it tries again
        // rather than failing the agent's action.
        let mut conn = conn;
        let mut attempts = 0;
        loop {
            match sqlx::query("BEGIN IMMEDIATE").execute(&mut *conn).await {
                Ok(_) => return Ok(Immediate { conn, done: false }),
                Err(sqlx::Error::Database(e))
                    if e.code().as_deref() == Some("5") && attempts < 5 =>
                {
                    attempts += 1;
                }
                Err(e) => return Err(e.into()),
            }
        }
    }

    /// For a new inquiry. On a team database it takes no lock, so many PCs claim different
    /// buyers at once: the claim itself re-checks the agent's room and state in the row
    /// (see `route_one`), and the schema refuses a second open conversation. On SQLite,
    /// as `begin`.
    async fn begin_claim(db: &Db) -> Result<Immediate> {
        if db.backend != crate::Backend::Postgres {
            return Immediate::begin(db).await;
        }
        let conn = db.pool.acquire().await?;
        let mut tx = Immediate { conn, done: false };
        sqlx::query("BEGIN").execute(tx.conn()).await?;
        Ok(tx)
    }

    /// On a team database, one PC at a time routes a known buyer (so two reports of one
    /// returning buyer do not both claim an agent); SQLite holds the write lock already.
    async fn lock_buyer(&mut self, nick: &str) -> Result<()> {
        if self.conn.backend_name() != "PostgreSQL" {
            return Ok(());
        }
        sqlx::query("SELECT 1 FROM (SELECT pg_advisory_xact_lock($1, hashtext($2))) AS locked")
            .bind(BUYER_LOCKS)
            .bind(nick)
            .execute(self.conn())
            .await?;
        Ok(())
    }

    fn conn(&mut self) -> &mut AnyConnection {
        &mut self.conn
    }

    async fn commit(mut self) -> Result<()> {
        sqlx::query("COMMIT").execute(&mut *self.conn).await?;
        self.done = true;
        Ok(())
    }
}

impl Drop for Immediate {
    fn drop(&mut self) {
        if !self.done {
            // An error or a cancel left the transaction open: close the connection rather
            // than return it to the pool mid-transaction; SQLite rolls back.
            self.conn.close_on_drop();
        }
    }
}

const WHY_JSON: &str = "why";

fn why_json(why: &Why) -> Result<String> {
    serde_json::to_string(why).map_err(|e| Error::Corrupt(format!("{WHY_JSON}: {e}")))
}

async fn agents_in(conn: &mut AnyConnection) -> Result<Vec<Agent>> {
    let rows: Vec<AgentRow> = sqlx::query_as("SELECT * FROM agents ORDER BY id")
        .fetch_all(conn)
        .await?;
    rows.into_iter().map(Agent::try_from).collect()
}

async fn agent_named(conn: &mut AnyConnection, name: &str) -> Result<Agent> {
    let row: Option<AgentRow> = sqlx::query_as("SELECT * FROM agents WHERE name = $1")
        .bind(name)
        .fetch_optional(conn)
        .await?;
    row.ok_or_else(|| Error::NotFound(format!("agent {name}")))?
        .try_into()
}

/// The buyer being routed, and whether the database has just created it.
#[derive(Clone, Copy)]
enum Buyer<'a> {
    New(&'a str),
    Known(&'a str),
}

impl<'a> Buyer<'a> {
    fn nick(self) -> &'a str {
        match self {
            Buyer::New(n) | Buyer::Known(n) => n,
        }
    }
}

/// Routes one buyer and records the outcome, in the caller's immediate transaction.
/// `exclude` is an agent that must not get it (the one who let it wait too long).
async fn route_one(
    conn: &mut AnyConnection,
    buyer: Buyer<'_>,
    asked: &str,
    exclude: Option<i64>,
    rules: &TeamRules,
    now: DateTime<Utc>,
) -> Result<Routed> {
    let t = now.timestamp();
    let nick = buyer.nick();
    let last: Option<(i64, i64)> = match buyer {
        // Just created: never served, never queued.
        Buyer::New(_) => None,
        Buyer::Known(_) => {
            sqlx::query_as(
                "SELECT agent_id, assigned_at FROM conversations WHERE buyer_nick = $1
                 ORDER BY assigned_at DESC, id DESC LIMIT 1",
            )
            .bind(nick)
            .fetch_optional(&mut *conn)
            .await?
        }
    };
    let served = match last {
        Some((agent_id, at)) => Some(Served {
            agent_id,
            at: time(at)?,
        }),
        None => None,
    };
    // Under the routing lock the decision is made on current data and the claim below
    // always holds. A new inquiry on a team database decides without that lock, so the
    // claim checks again, in the row, what the decision assumed; when another PC got there
    // first it decides again on what is now stored.
    //
    // On a team database many PCs claim at once and would all pick the same least-loaded
    // agent, then queue behind its row. So a claim takes, in one statement, the best-ranked
    // agent that no other PC is claiming this instant (`claim_ranked`). Only when every
    // eligible agent is being claimed does it wait for the best one.
    let mut wait_for_best = false;
    let mut attempts = 0;
    let (agent_id, name, why) = loop {
        attempts += 1;
        if attempts > 20 {
            return Err(Error::Corrupt(format!(
                "routing {nick} kept losing its agent to other PCs"
            )));
        }
        // A buyer no one has served goes to the best-ranked agent whatever else the team
        // looks like, so the claim needs no read of the team first (most of a busy day's
        // buyers are new).
        if !wait_for_best && served.is_none() {
            match claim_ranked(conn, exclude, rules, t).await? {
                Some(took) => break took,
                None => {
                    wait_for_best = true;
                    continue;
                }
            }
        }
        let mut agents = agents_in(conn).await?;
        agents.retain(|a| Some(a.id) != exclude);
        let (agent_id, why) = match team::route(served.as_ref(), &agents, now, rules) {
            Decision::Assign { agent_id, why } => (agent_id, why),
            Decision::Wait { why } => return wait(conn, nick, asked, why, t).await,
        };
        if !wait_for_best && matches!(why, Why::LowestLoad { .. }) {
            match claim_ranked(conn, exclude, rules, t).await? {
                Some(took) => break took,
                None => {
                    wait_for_best = true;
                    continue;
                }
            }
        }
        // The returning buyer's agent, the last resort, or the best one waited for: the
        // row is re-checked (and on a team database locked) by the update itself.
        let still = match why {
            Why::MainAccount { .. } => "role = 'main'",
            Why::Sticky { .. } => "state IN ('online', 'suspended') AND load < max_load",
            _ => "state = 'online' AND in_routing = 1 AND load < max_load",
        };
        let took = sqlx::query(&format!(
            "UPDATE agents SET load = load + 1, idle_since = $1 WHERE id = $2 AND {still}"
        ))
        .bind(t)
        .bind(agent_id)
        .execute(&mut *conn)
        .await?;
        if took.rows_affected() == 1 {
            let name = agents
                .iter()
                .find(|a| a.id == agent_id)
                .map(|a| a.name.clone())
                .ok_or_else(|| Error::Corrupt(format!("agent {agent_id} vanished")))?;
            break (agent_id, name, why);
        }
    };
    // Another PC may have assigned this buyer meanwhile (a new inquiry claims without the
    // routing lock): then the schema's one-open-conversation index turns this insert into
    // nothing, the load taken above is given back, and that assignment stands.
    let id: Option<i64> = sqlx::query_scalar(
        "INSERT INTO conversations (buyer_nick, agent_id, asked, why, assigned_at)
         VALUES ($1, $2, $3, $4, $5)
         ON CONFLICT (buyer_nick) WHERE closed_at IS NULL DO NOTHING RETURNING id",
    )
    .bind(nick)
    .bind(agent_id)
    .bind(asked)
    .bind(why_json(&why)?)
    .bind(t)
    .fetch_optional(&mut *conn)
    .await?;
    let Some(id) = id else {
        sqlx::query("UPDATE agents SET load = load - 1 WHERE id = $1")
            .bind(agent_id)
            .execute(&mut *conn)
            .await?;
        return serving(conn, nick)
            .await?
            .ok_or_else(|| Error::Corrupt(format!("open conversation of {nick} vanished")));
    };
    // A known buyer may have waited, and its open follow-ups go with it to its agent (a
    // new one has neither: its follow-ups are planned with their owner after this).
    if let Buyer::Known(_) = buyer {
        sqlx::query("DELETE FROM waiting WHERE buyer_nick = $1")
            .bind(nick)
            .execute(&mut *conn)
            .await?;
        sqlx::query("UPDATE followups SET owner = $1 WHERE buyer_nick = $2 AND done_at IS NULL")
            .bind(&name)
            .bind(nick)
            .execute(&mut *conn)
            .await?;
    }
    Ok(Routed {
        nick: nick.to_owned(),
        agent: Some(name),
        conversation: Some(id),
        reason: why.to_string(),
        why,
    })
}

/// The reason of a claim of the best-ranked agent, from its row as claimed.
fn lowest_load(name: &str, load: i64, max_load: i64) -> Result<Why> {
    let count = |v: i64, field: &str| {
        u32::try_from(v).map_err(|_| Error::Corrupt(format!("agents.{field}: {v}")))
    };
    Ok(Why::LowestLoad {
        agent: name.to_owned(),
        load: count(load, "load")?,
        max_load: count(max_load, "max_load")?,
    })
}

/// Takes, in one statement, the best-ranked agent a new buyer may go to and counts the
/// buyer in its load; on a team database, the best one no other PC is claiming this
/// instant (`FOR UPDATE SKIP LOCKED`; SQLite has one writer at a time). The filter is
/// `team::ranked`'s and so is the order, in SQL: the load ratio is exact as a float because
/// `team::MAX_LOAD_LIMIT` bounds it, and the test `claims_follow_the_cores_ranking` holds
/// the two together. `None`: no one eligible, or every eligible agent is being claimed.
async fn claim_ranked(
    conn: &mut AnyConnection,
    exclude: Option<i64>,
    rules: &TeamRules,
    t: i64,
) -> Result<Option<(i64, String, Why)>> {
    let skip_claimed = if conn.backend_name() == "PostgreSQL" {
        "FOR UPDATE SKIP LOCKED"
    } else {
        ""
    };
    let took: Option<(i64, String, i64, i64)> = sqlx::query_as(&format!(
        "UPDATE agents SET load = load + 1, idle_since = $1
         WHERE id = (
             SELECT id FROM agents
             WHERE role <> 'main' AND in_routing = 1 AND state = 'online'
               AND load < max_load AND last_seen > $2 AND id <> $3
             ORDER BY CAST(load AS DOUBLE PRECISION) / max_load, weight DESC, idle_since, id
             LIMIT 1 {skip_claimed})
         RETURNING id, name, load - 1, max_load"
    ))
    .bind(t)
    .bind(t - rules.heartbeat_timeout_seconds)
    .bind(exclude.unwrap_or(-1))
    .fetch_optional(&mut *conn)
    .await?;
    let Some((id, name, load, max_load)) = took else {
        return Ok(None);
    };
    let why = lowest_load(&name, load, max_load)?;
    Ok(Some((id, name, why)))
}

/// What the migration's `claim_new_buyer` gives back: all NULL when it did not apply.
#[derive(sqlx::FromRow)]
struct Claimed {
    agent_name: Option<String>,
    agent_load: Option<i64>,
    agent_max_load: Option<i64>,
    conversation_id: Option<i64>,
}

/// On a team database, a buyer no one has seen yet is claimed in one round trip: the
/// migration's `claim_new_buyer` takes the best-ranked agent no other PC is claiming (as
/// `claim_ranked`), stores the buyer, its conversation and its planned follow-ups, commits,
/// and announces the claim after its commit (or leaves that to `announce` in a burst). A
/// busy shop reports new buyers from many PCs at once, and round trips to the shared server
/// are most of a claim's cost. `None` when it did not apply (the buyer is known, or no agent
/// is free this instant): nothing was written and the caller routes the usual way. Claims
/// of one PC take turns on its claiming connection.
async fn claim_new_buyer(
    db: &Db,
    nick: &str,
    asked: &str,
    team_rules: &TeamRules,
    rules: &Rules,
    now: DateTime<Utc>,
) -> Result<Option<Routed>> {
    let t = now.timestamp();
    let plans = crate::agenda::new_buyer_plan_rows(rules, now)?;
    // Claims keep a connection of their own: a pooled one is checked by a round trip each
    // time it goes back to the pool, and a burst of claims rotates through the whole pool,
    // so every PC held several server processes busy for one claim at a time.
    let at_once = db.announcer.at_once();
    let mut claimer = db.claimer.lock().await;
    let mut kept = claimer.take();
    let took: Claimed = loop {
        let alive = match kept.take() {
            // One that rested may have lost its server meanwhile.
            Some((mut conn, used)) => {
                (used.elapsed() < RESTED || conn.ping().await.is_ok()).then_some(conn)
            }
            None => None,
        };
        let (mut conn, fresh) = match alive {
            Some(conn) => (conn, false),
            None => (AnyConnection::connect(&db.connect).await?, true),
        };
        let claimed = sqlx::query_as("CALL claim_new_buyer($1, $2, $3, $4, $5::json, $6)")
            .bind(nick)
            .bind(asked)
            .bind(t)
            .bind(t - team_rules.heartbeat_timeout_seconds)
            .bind(plans.as_str())
            .bind(at_once)
            .fetch_one(&mut conn)
            .await;
        match claimed.map_err(Error::from) {
            Ok(took) => {
                *claimer = Some((conn, std::time::Instant::now()));
                break took;
            }
            // The kept connection's server went away meanwhile: the claim did not run, or
            // if it did, running it again finds the buyer stored and claims nothing.
            Err(Error::Unavailable(_)) if !fresh => continue,
            Err(e) => return Err(e),
        }
    };
    drop(claimer);
    let (Some(name), Some(load), Some(max_load), Some(conversation)) = (
        took.agent_name,
        took.agent_load,
        took.agent_max_load,
        took.conversation_id,
    ) else {
        return Ok(None);
    };
    if !at_once {
        db.announcer.later(&db.pool);
    }
    let why = lowest_load(&name, load, max_load)?;
    Ok(Some(Routed {
        nick: nick.to_owned(),
        agent: Some(name),
        conversation: Some(conversation),
        reason: why.to_string(),
        why,
    }))
}

/// The buyer's open conversation, as a routing outcome.
async fn serving(conn: &mut AnyConnection, nick: &str) -> Result<Option<Routed>> {
    let open: Option<Conversation> = sqlx::query_as(
        "SELECT c.id, c.buyer_nick, c.agent_id, a.name AS agent, c.asked, c.why AS reason,
                c.assigned_at, c.opened_at
         FROM conversations c JOIN agents a ON a.id = c.agent_id
         WHERE c.buyer_nick = $1 AND c.closed_at IS NULL",
    )
    .bind(nick)
    .fetch_optional(conn)
    .await?;
    let Some(c) = open else { return Ok(None) };
    let why: Why = serde_json::from_str(&c.reason)
        .map_err(|e| Error::Corrupt(format!("conversations.why: {e}")))?;
    Ok(Some(Routed {
        nick: c.buyer_nick,
        agent: Some(c.agent),
        conversation: Some(c.id),
        reason: why.to_string(),
        why,
    }))
}

/// No one can take the buyer now: it waits in the queue, oldest first.
async fn wait(
    conn: &mut AnyConnection,
    nick: &str,
    asked: &str,
    why: Why,
    t: i64,
) -> Result<Routed> {
    sqlx::query(
        "INSERT INTO waiting (buyer_nick, asked, since, why) VALUES ($1, $2, $3, $4)
         ON CONFLICT (buyer_nick) DO UPDATE SET why = excluded.why",
    )
    .bind(nick)
    .bind(asked)
    .bind(t)
    .bind(why_json(&why)?)
    .execute(&mut *conn)
    .await?;
    Ok(Routed {
        nick: nick.to_owned(),
        agent: None,
        conversation: None,
        reason: why.to_string(),
        why,
    })
}

/// Closes open conversations and frees their agents' load.
async fn end_conversations(
    conn: &mut AnyConnection,
    ids: &[(i64, i64)],
    ended: &str,
    t: i64,
) -> Result<()> {
    for (id, agent_id) in ids {
        sqlx::query(
            "UPDATE conversations SET closed_at = $1, ended = $2 WHERE id = $3 AND closed_at IS NULL",
        )
        .bind(t)
        .bind(ended)
        .bind(id)
        .execute(&mut *conn)
        .await?;
        sqlx::query(
            "UPDATE agents SET load = CASE WHEN load > 0 THEN load - 1 ELSE 0 END WHERE id = $1",
        )
        .bind(agent_id)
        .execute(&mut *conn)
        .await?;
    }
    Ok(())
}

/// Assigns waiting buyers, oldest first, while someone can take them.
async fn drain_queue(
    conn: &mut AnyConnection,
    rules: &TeamRules,
    now: DateTime<Utc>,
) -> Result<Vec<Routed>> {
    let waiting: Vec<(String, String)> =
        sqlx::query_as("SELECT buyer_nick, asked FROM waiting ORDER BY since, buyer_nick")
            .fetch_all(&mut *conn)
            .await?;
    let mut out = Vec::new();
    for (nick, asked) in waiting {
        let r = route_one(conn, Buyer::Known(&nick), &asked, None, rules, now).await?;
        let assigned = r.agent.is_some();
        out.push(r);
        if !assigned {
            break;
        }
    }
    Ok(out)
}

impl Db {
    /// Adds an account. `password_hash` is a PHC string (argon2id) made by the caller.
    pub async fn add_agent(
        &self,
        name: &str,
        role: Role,
        password_hash: &str,
        max_load: u32,
        weight: u32,
        now: DateTime<Utc>,
    ) -> Result<Agent> {
        let max_load = team::check_max_load(max_load)?;
        let mut tx = Immediate::begin(self).await?;
        let exists: Option<i64> = sqlx::query_scalar("SELECT 1 FROM agents WHERE name = $1")
            .bind(name)
            .fetch_optional(tx.conn())
            .await?;
        if exists.is_some() {
            return Err(Error::Refused(kefu_core::Error::Invalid {
                field: "name",
                value: name.to_owned(),
                reason: "an account with this name exists",
            }));
        }
        if role == Role::Main {
            let main: Option<i64> = sqlx::query_scalar("SELECT 1 FROM agents WHERE role = 'main'")
                .fetch_optional(tx.conn())
                .await?;
            if main.is_some() {
                return Err(Error::Refused(kefu_core::Error::Invalid {
                    field: "role",
                    value: "main".into(),
                    reason: "the shop has a main account already",
                }));
            }
        }
        sqlx::query(
            "INSERT INTO agents (name, role, password_hash, in_routing, max_load, weight, idle_since)
             VALUES ($1, $2, $3, $4, $5, $6, $7)",
        )
        .bind(name)
        .bind(role.code())
        .bind(password_hash)
        .bind(i64::from(role != Role::Main))
        .bind(i64::from(max_load))
        .bind(i64::from(weight))
        .bind(now.timestamp())
        .execute(tx.conn())
        .await?;
        let agent = agent_named(tx.conn(), name).await?;
        tx.commit().await?;
        Ok(agent)
    }

    /// An account and its password hash, for signing in.
    pub async fn agent_credentials(&self, name: &str) -> Result<(Agent, String)> {
        let mut conn = self.pool.acquire().await?;
        let agent = agent_named(&mut conn, name).await?;
        let hash: String = sqlx::query_scalar("SELECT password_hash FROM agents WHERE id = $1")
            .bind(agent.id)
            .fetch_one(&mut *conn)
            .await?;
        Ok((agent, hash))
    }

    pub async fn agent(&self, name: &str) -> Result<Agent> {
        let mut conn = self.pool.acquire().await?;
        agent_named(&mut conn, name).await
    }

    /// The team at `now`, with each agent's presence.
    pub async fn team(&self, now: DateTime<Utc>, rules: &TeamRules) -> Result<Vec<TeamMember>> {
        let mut conn = self.pool.acquire().await?;
        Ok(agents_in(&mut conn)
            .await?
            .into_iter()
            .map(|a| TeamMember {
                presence: a.presence(now, rules),
                agent: a,
            })
            .collect())
    }

    /// The PC of `agent` is alive.
    pub async fn heartbeat(&self, agent: i64, now: DateTime<Utc>) -> Result<()> {
        sqlx::query("UPDATE agents SET last_seen = $1 WHERE id = $2")
            .bind(now.timestamp())
            .bind(agent)
            .execute(&self.pool)
            .await?;
        Ok(())
    }

    /// `actor` sets `target`'s state (checked by the core's rules). Going offline hands the
    /// agent's open buyers to others; coming online takes waiting buyers.
    pub async fn set_agent_state(
        &self,
        actor: &Agent,
        target: &str,
        to: AgentState,
        rules: &TeamRules,
        now: DateTime<Utc>,
    ) -> Result<Vec<Routed>> {
        let mut tx = Immediate::begin(self).await?;
        let target = agent_named(tx.conn(), target).await?;
        team::check_state_change(actor, &target, to).map_err(Error::Refused)?;
        let t = now.timestamp();
        sqlx::query("UPDATE agents SET state = $1, last_seen = $2, idle_since = CASE WHEN state = 'online' THEN idle_since ELSE $3 END WHERE id = $4")
            .bind(to.code())
            .bind(if actor.id == target.id { Some(t) } else { target.last_seen.map(|s| s.timestamp()) })
            .bind(t)
            .bind(target.id)
            .execute(tx.conn())
            .await?;
        let mut moved = Vec::new();
        if to == AgentState::Offline {
            moved.extend(
                self_reroute_agent(tx.conn(), target.id, "agent_offline", rules, now).await?,
            );
        }
        moved.extend(drain_queue(tx.conn(), rules, now).await?);
        tx.commit().await?;
        Ok(moved)
    }

    /// A new buyer asks something (the "new inquiry" action, or a shop's chat system
    /// through the command line): the buyer is created when unknown, then routed. A buyer
    /// already being served stays with its agent.
    pub async fn new_inquiry(
        &self,
        nick: &BuyerNick,
        asked: &str,
        team_rules: &TeamRules,
        rules: &Rules,
        now: DateTime<Utc>,
    ) -> Result<Routed> {
        let mut attempts = 0;
        loop {
            match self
                .new_inquiry_once(nick, asked, team_rules, rules, now)
                .await
            {
                // Two PCs each waiting for a row the other holds: the database gave up one
                // transaction, which simply runs again.
                Err(Error::Sql(sqlx::Error::Database(e)))
                    if matches!(e.code().as_deref(), Some("40P01" | "40001")) && attempts < 10 =>
                {
                    attempts += 1;
                }
                done => return done,
            }
        }
    }

    async fn new_inquiry_once(
        &self,
        nick: &BuyerNick,
        asked: &str,
        team_rules: &TeamRules,
        rules: &Rules,
        now: DateTime<Utc>,
    ) -> Result<Routed> {
        if self.backend == crate::Backend::Postgres {
            if let Some(routed) =
                claim_new_buyer(self, nick.as_str(), asked, team_rules, rules, now).await?
            {
                return Ok(routed);
            }
        }
        let mut tx = Immediate::begin_claim(self).await?;
        let t = now.timestamp();
        // A second PC reporting the same new buyer waits here until this one commits, and
        // then finds the buyer known.
        let created = sqlx::query(
            "INSERT INTO buyers (nick, grp, sort_key, first_seen_at) VALUES ($1, 0, $2, $3)
             ON CONFLICT (nick) DO NOTHING",
        )
        .bind(nick.as_str())
        .bind(-t)
        .bind(t)
        .execute(tx.conn())
        .await?
        .rows_affected()
            == 1;
        let routed = if created {
            // A buyer just created has no orders, follow-ups or conversations to read.
            let routed = route_one(
                tx.conn(),
                Buyer::New(nick.as_str()),
                asked,
                None,
                team_rules,
                now,
            )
            .await?;
            let owner = routed.agent.as_deref().unwrap_or_default();
            crate::agenda::plan_new_buyer(tx.conn(), nick.as_str(), owner, rules, now).await?;
            routed
        } else {
            tx.lock_buyer(nick.as_str()).await?;
            match serving(tx.conn(), nick.as_str()).await? {
                Some(open) => open,
                None => {
                    route_one(
                        tx.conn(),
                        Buyer::Known(nick.as_str()),
                        asked,
                        None,
                        team_rules,
                        now,
                    )
                    .await?
                }
            }
        };
        tx.commit().await?;
        Ok(routed)
    }

    /// The agent opened the conversation (greeted the buyer).
    pub async fn open_conversation(
        &self,
        actor: &Agent,
        id: i64,
        now: DateTime<Utc>,
    ) -> Result<()> {
        let done = sqlx::query(
            "UPDATE conversations SET opened_at = COALESCE(opened_at, $1)
             WHERE id = $2 AND agent_id = $3 AND closed_at IS NULL",
        )
        .bind(now.timestamp())
        .bind(id)
        .bind(actor.id)
        .execute(&self.pool)
        .await?;
        if done.rows_affected() == 0 {
            return Err(Error::NotFound(format!(
                "open conversation {id} of {}",
                actor.name
            )));
        }
        Ok(())
    }

    /// Closes the actor's conversation with a buyer (ESC), freeing the load; a waiting
    /// buyer may take the place.
    pub async fn close_conversation(
        &self,
        actor: &Agent,
        nick: &BuyerNick,
        rules: &TeamRules,
        now: DateTime<Utc>,
    ) -> Result<Vec<Routed>> {
        let mut tx = Immediate::begin(self).await?;
        let open: Option<(i64, i64)> = sqlx::query_as(
            "SELECT id, agent_id FROM conversations
             WHERE buyer_nick = $1 AND agent_id = $2 AND closed_at IS NULL",
        )
        .bind(nick.as_str())
        .bind(actor.id)
        .fetch_optional(tx.conn())
        .await?;
        let open = open.ok_or_else(|| {
            Error::NotFound(format!("open conversation of {} with {nick}", actor.name))
        })?;
        end_conversations(tx.conn(), &[open], "closed", now.timestamp()).await?;
        let moved = drain_queue(tx.conn(), rules, now).await?;
        tx.commit().await?;
        Ok(moved)
    }

    /// Passes the actor's buyer to an online teammate with room, with a note.
    pub async fn transfer(
        &self,
        actor: &Agent,
        nick: &BuyerNick,
        to: &str,
        note: &str,
        rules: &TeamRules,
        now: DateTime<Utc>,
    ) -> Result<Routed> {
        let mut tx = Immediate::begin(self).await?;
        let target = agent_named(tx.conn(), to).await?;
        if target.presence(now, rules) != AgentState::Online || target.load >= target.max_load {
            return Err(Error::Refused(kefu_core::Error::Invalid {
                field: "to",
                value: to.to_owned(),
                reason: "can take buyers only when online and below the maximum load",
            }));
        }
        let open: Option<(i64, i64, String)> = sqlx::query_as(
            "SELECT id, agent_id, asked FROM conversations
             WHERE buyer_nick = $1 AND agent_id = $2 AND closed_at IS NULL",
        )
        .bind(nick.as_str())
        .bind(actor.id)
        .fetch_optional(tx.conn())
        .await?;
        let (id, from, asked) = open.ok_or_else(|| {
            Error::NotFound(format!("open conversation of {} with {nick}", actor.name))
        })?;
        let t = now.timestamp();
        end_conversations(tx.conn(), &[(id, from)], "transferred", t).await?;
        let why = Why::Transfer {
            from: actor.name.clone(),
            agent: target.name.clone(),
            note: note.to_owned(),
        };
        sqlx::query(
            "UPDATE agents SET load = load + 1, idle_since = $1 WHERE id = $2 AND load < max_load",
        )
        .bind(t)
        .bind(target.id)
        .execute(tx.conn())
        .await?;
        let cid: i64 = sqlx::query_scalar(
            "INSERT INTO conversations (buyer_nick, agent_id, asked, why, assigned_at)
             VALUES ($1, $2, $3, $4, $5) RETURNING id",
        )
        .bind(nick.as_str())
        .bind(target.id)
        .bind(asked)
        .bind(why_json(&why)?)
        .bind(t)
        .fetch_one(tx.conn())
        .await?;
        crate::agenda::assign_owners(tx.conn(), &[nick.as_str()]).await?;
        tx.commit().await?;
        Ok(Routed {
            nick: nick.to_string(),
            agent: Some(target.name),
            conversation: Some(cid),
            reason: why.to_string(),
            why,
        })
    }

    /// The routing housekeeping step: assignments not opened in time go to someone else
    /// (counted against the agent), buyers of agents whose PCs went silent are handed on,
    /// and the queue is served. Returns what moved.
    pub async fn route_due(&self, rules: &TeamRules, now: DateTime<Utc>) -> Result<Vec<Routed>> {
        let mut tx = Immediate::begin(self).await?;
        let t = now.timestamp();
        let late: Vec<(i64, i64, String, String)> = sqlx::query_as(
            "SELECT c.id, c.agent_id, c.buyer_nick, c.asked FROM conversations c
             JOIN agents a ON a.id = c.agent_id
             WHERE c.closed_at IS NULL AND c.opened_at IS NULL AND c.assigned_at <= $1
             AND a.role != 'main'",
        )
        .bind(t - rules.greet_within_seconds)
        .fetch_all(tx.conn())
        .await?;
        let mut moved = Vec::new();
        for (id, agent_id, nick, asked) in late {
            end_conversations(tx.conn(), &[(id, agent_id)], "rerouted", t).await?;
            sqlx::query("UPDATE agents SET missed = missed + 1 WHERE id = $1")
                .bind(agent_id)
                .execute(tx.conn())
                .await?;
            moved.push(
                route_one(
                    tx.conn(),
                    Buyer::Known(&nick),
                    &asked,
                    Some(agent_id),
                    rules,
                    now,
                )
                .await?,
            );
        }
        for a in agents_in(tx.conn()).await? {
            if a.state != AgentState::Offline && a.presence(now, rules) == AgentState::Offline {
                sqlx::query("UPDATE agents SET state = 'offline' WHERE id = $1")
                    .bind(a.id)
                    .execute(tx.conn())
                    .await?;
                moved.extend(
                    self_reroute_agent(tx.conn(), a.id, "agent_offline", rules, now).await?,
                );
            }
        }
        moved.extend(drain_queue(tx.conn(), rules, now).await?);
        tx.commit().await?;
        Ok(moved)
    }

    /// Open conversations of one agent (all agents with `None`), oldest first.
    pub async fn conversations(&self, agent: Option<i64>) -> Result<Vec<Conversation>> {
        let rows: Vec<Conversation> = sqlx::query_as(
            "SELECT c.id, c.buyer_nick, c.agent_id, a.name AS agent, c.asked, c.why AS reason,
                    c.assigned_at, c.opened_at
             FROM conversations c JOIN agents a ON a.id = c.agent_id
             WHERE c.closed_at IS NULL AND ($1 IS NULL OR c.agent_id = $1)
             ORDER BY c.assigned_at, c.id",
        )
        .bind(agent)
        .fetch_all(&self.pool)
        .await?;
        rows.into_iter()
            .map(|mut c| {
                let why: Why = serde_json::from_str(&c.reason)
                    .map_err(|e| Error::Corrupt(format!("conversations.why: {e}")))?;
                c.reason = why.to_string();
                Ok(c)
            })
            .collect()
    }

    /// Buyers waiting longer than the setting and not yet reported: each is returned once
    /// (marked in the same statement), for the supervisor's notification.
    pub async fn waiting_too_long(
        &self,
        rules: &TeamRules,
        now: DateTime<Utc>,
    ) -> Result<Vec<(String, i64)>> {
        let t = now.timestamp();
        Ok(sqlx::query_as(
            "UPDATE waiting SET alerted_at = $1
             WHERE alerted_at IS NULL AND since <= $1 - $2
             RETURNING buyer_nick, $1 - since",
        )
        .bind(t)
        .bind(rules.queue_alert_seconds)
        .fetch_all(&self.pool)
        .await?)
    }

    /// Every buyer that has ever had a conversation.
    pub async fn served_buyers(&self) -> Result<Vec<String>> {
        Ok(
            sqlx::query_scalar("SELECT DISTINCT buyer_nick FROM conversations ORDER BY buyer_nick")
                .fetch_all(&self.pool)
                .await?,
        )
    }

    /// Buyers waiting for someone, oldest first: (nick, since, asked).
    pub async fn waiting(&self) -> Result<Vec<(String, i64, String)>> {
        Ok(sqlx::query_as(
            "SELECT buyer_nick, since, asked FROM waiting ORDER BY since, buyer_nick",
        )
        .fetch_all(&self.pool)
        .await?)
    }
}

/// Hands every open buyer of an agent to someone else.
async fn self_reroute_agent(
    conn: &mut AnyConnection,
    agent_id: i64,
    ended: &str,
    rules: &TeamRules,
    now: DateTime<Utc>,
) -> Result<Vec<Routed>> {
    let open: Vec<(i64, String, String)> = sqlx::query_as(
        "SELECT id, buyer_nick, asked FROM conversations WHERE agent_id = $1 AND closed_at IS NULL",
    )
    .bind(agent_id)
    .fetch_all(&mut *conn)
    .await?;
    let mut moved = Vec::new();
    for (id, nick, asked) in open {
        end_conversations(conn, &[(id, agent_id)], ended, now.timestamp()).await?;
        moved.push(
            route_one(
                conn,
                Buyer::Known(&nick),
                &asked,
                Some(agent_id),
                rules,
                now,
            )
            .await?,
        );
    }
    Ok(moved)
}

#[cfg(test)]
mod tests {
    use chrono::TimeZone;
    use kefu_core::team::{Role, MAX_LOAD_LIMIT};
    use proptest::prelude::*;

    use super::*;
    use crate::Scratch;

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
        )
            .prop_map(
                |(role, state, in_routing, max_load, load, weight, idle, seen)| Stored {
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
                },
            )
    }

    fn now() -> DateTime<Utc> {
        Utc.with_ymd_and_hms(2026, 11, 23, 4, 0, 0)
            .single()
            .expect("time")
    }

    /// Stores `team` as the whole team, reports the new buyer `nick`, and returns where
    /// the database sent it and where `team::route` sends it, for the team as stored.
    async fn routed_both_ways(db: &Db, team: &[Stored], nick: &str) -> Result<(Routed, Routed)> {
        let t = now().timestamp();
        let rules = TeamRules::default();
        let mut conn = db.pool.acquire().await?;
        for table in ["followups", "conversations", "waiting", "agents"] {
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
        let agents = agents_in(&mut conn).await?;
        drop(conn);
        let nick = BuyerNick::parse(nick).map_err(Error::Refused)?;
        let stored = db
            .new_inquiry(&nick, "", &rules, &Rules::default(), now())
            .await?;
        let (agent, why) = match team::route(None, &agents, now(), &rules) {
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
        assert!(!owners.is_empty(), "a new buyer gets a follow-up");
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
            cases: 128,
            ..ProptestConfig::default()
        };
        proptest!(config, |(team in prop::collection::vec(stored(), 1..10))| {
            let round = round.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
            let (stored, core) = rt
                .block_on(routed_both_ways(&db, &team, &format!("买家{round}")))
                .expect("stored and routed");
            prop_assert_eq!(stored, core);
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
        };
        let team = [agent(9_998, 9_999, 3), agent(9_997, 9_998, 1)];
        let (stored, core) = rt
            .block_on(routed_both_ways(&db, &team, "买家"))
            .expect("stored and routed");
        assert_eq!(stored.agent.as_deref(), Some("客服1"));
        assert_eq!(stored, core);
    }
}
