//! The stored team: agents, who serves which buyer, and the queue. Routing decisions are
//! kefu-core's `team::route`; this module makes them stick, one writer at a time (each
//! routing step runs in an immediate transaction, so two PCs on one database never assign
//! the same buyer twice or push an agent past its maximum load; the schema refuses both as
//! well).

mod accounts;
mod claim;
mod conversations;
mod routable;
mod routing;
mod sign_in;
#[cfg(test)]
mod tests;

pub use sign_in::{SignInFailures, SignedIn};

use chrono::{DateTime, Utc};
use kefu_core::team::{Agent, AgentState, Duty, Role, Why};
use serde::Serialize;
use sqlx::AnyConnection;

use crate::rows::at as time;
use crate::{Error, Result};

/// What `AgentRow` reads: named, since a PC's login may not read the password hash.
const AGENT_COLUMNS: &str =
    "id, name, role, state, in_routing, max_load, weight, load, idle_since, last_seen";

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
            role: Role::parse(&r.role).map_err(Error::unreadable)?,
            state: AgentState::parse(&r.state).map_err(Error::unreadable)?,
            name: r.name,
            in_routing: r.in_routing != 0,
            max_load: u32::try_from(r.max_load).map_err(|_| Error::Corrupt("max_load".into()))?,
            weight: u32::try_from(r.weight).map_err(|_| Error::Corrupt("weight".into()))?,
            load: u32::try_from(r.load).map_err(|_| Error::Corrupt("load".into()))?,
            idle_since: time(r.idle_since)?,
            last_seen: r.last_seen.map(time).transpose()?,
            // Read at a moment by `agents_in` and `agent_at`.
            duty: Duty::Unscheduled,
        })
    }
}

/// An agent for the team panel: routing's view plus what counts at `now`.
#[derive(Clone, Debug, Serialize)]
pub struct TeamMember {
    #[serde(flatten)]
    pub agent: Agent,
    pub presence: AgentState,
    /// Whether a teammate can transfer a buyer to this agent now (the core's rule), for the
    /// window's transfer list.
    pub takes_transfers: bool,
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

const WHY_JSON: &str = "why";

pub(crate) fn why_json(why: &Why) -> Result<String> {
    serde_json::to_string(why).map_err(|e| Error::Corrupt(format!("{WHY_JSON}: {e}")))
}

/// The team as routing sees it at `at` (presence is judged by the caller, duty here).
async fn agents_in(conn: &mut AnyConnection, at: DateTime<Utc>) -> Result<Vec<Agent>> {
    let rows: Vec<AgentRow> =
        sqlx::query_as(&format!("SELECT {AGENT_COLUMNS} FROM agents ORDER BY id"))
            .fetch_all(&mut *conn)
            .await?;
    let mut agents = rows
        .into_iter()
        .map(Agent::try_from)
        .collect::<Result<Vec<_>>>()?;
    crate::schedule::set_duties(conn, &mut agents, at).await?;
    Ok(agents)
}

/// One agent as routing sees it at `at`.
async fn agent_at(conn: &mut AnyConnection, name: &str, at: DateTime<Utc>) -> Result<Agent> {
    let mut agent = [agent_named(&mut *conn, name).await?];
    crate::schedule::set_duties(conn, &mut agent, at).await?;
    let [agent] = agent;
    Ok(agent)
}

async fn agent_named(conn: &mut AnyConnection, name: &str) -> Result<Agent> {
    let row: Option<AgentRow> = sqlx::query_as(&format!(
        "SELECT {AGENT_COLUMNS} FROM agents WHERE name = $1"
    ))
    .bind(name)
    .fetch_optional(conn)
    .await?;
    row.ok_or_else(|| Error::NotFound(format!("agent {name}")))?
        .try_into()
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
