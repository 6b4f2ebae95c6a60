//! Routing steps: a buyer routed by kefu-core's `team::route` and the outcome stored.

use chrono::{DateTime, Utc};
use kefu_core::team::{self, AgentState, Decision, Role, Served, TeamRules, Why};
use sqlx::AnyConnection;

use crate::rows::at as time;
use crate::tx::Immediate;
use crate::{Db, Error, Result};

use super::routable::{claim_ranked, take_if_routable};
use super::{agents_in, serving, why_json, Routed};

/// The buyer being routed, and whether the database has just created it.
#[derive(Clone, Copy)]
pub(super) enum Buyer<'a> {
    New(&'a str),
    Known(&'a str),
}

impl<'a> Buyer<'a> {
    pub(super) fn nick(self) -> &'a str {
        match self {
            Buyer::New(n) | Buyer::Known(n) => n,
        }
    }
}

/// Routes one buyer and records the outcome, in the caller's immediate transaction.
/// `exclude` is an agent that must not get it (the one who let it wait too long).
pub(super) async fn route_one(
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
        let mut agents = agents_in(conn, now).await?;
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
        // row is re-checked (and on a team database locked) before it is taken.
        let took = match why {
            Why::MainAccount { .. } => {
                sqlx::query(
                    "UPDATE agents SET load = load + 1, idle_since = $1
                     WHERE id = $2 AND role = 'main'",
                )
                .bind(t)
                .bind(agent_id)
                .execute(&mut *conn)
                .await?
                .rows_affected()
                    == 1
            }
            Why::Sticky { .. } => take_if_routable(conn, agent_id, false, rules, t).await?,
            _ => take_if_routable(conn, agent_id, true, rules, t).await?,
        };
        if took {
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

/// No one can take the buyer now: it waits in the queue, oldest first.
pub(super) async fn wait(
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
pub(super) async fn end_conversations(
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
pub(super) async fn drain_queue(
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

/// Hands every open buyer of an agent to someone else.
pub(super) async fn self_reroute_agent(
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

impl Db {
    /// The routing housekeeping step: assignments not opened in time go to someone else
    /// (counted against the agent), buyers of agents whose PCs went silent are handed on,
    /// and the queue is served. Returns what moved.
    pub async fn route_due(&self, rules: &TeamRules, now: DateTime<Utc>) -> Result<Vec<Routed>> {
        let mut tx = Immediate::begin(self).await?;
        let t = now.timestamp();
        // Every assignment not yet opened (a handful at any time); the core says which are
        // late.
        let unopened: Vec<(i64, i64, String, String, String, i64)> = sqlx::query_as(
            "SELECT c.id, c.agent_id, c.buyer_nick, c.asked, a.role, c.assigned_at
             FROM conversations c JOIN agents a ON a.id = c.agent_id
             WHERE c.closed_at IS NULL AND c.opened_at IS NULL
             ORDER BY c.assigned_at, c.id",
        )
        .fetch_all(tx.conn())
        .await?;
        let mut late = Vec::new();
        for (id, agent_id, nick, asked, role, assigned_at) in unopened {
            let role =
                Role::parse(&role).map_err(|_| Error::Corrupt(format!("agents.role = {role}")))?;
            if team::greeting_is_late(role, time(assigned_at)?, now, rules) {
                late.push((id, agent_id, nick, asked));
            }
        }
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
        for a in agents_in(tx.conn(), now).await? {
            if a.state != AgentState::Offline && a.presence(now, rules) == AgentState::Offline {
                // The silence the core judged is checked again in the write itself: a
                // heartbeat committed since the read keeps the agent present. The state
                // the agent chose is kept for the PC's return.
                let marked = sqlx::query(
                    "UPDATE agents SET silent_state = state, state = 'offline'
                     WHERE id = $1 AND state <> 'offline'
                       AND (last_seen IS NULL OR last_seen <= $2)",
                )
                .bind(a.id)
                .bind(t - rules.heartbeat_timeout_seconds)
                .execute(tx.conn())
                .await?;
                if marked.rows_affected() == 0 {
                    continue;
                }
                moved.extend(
                    self_reroute_agent(tx.conn(), a.id, "agent_offline", rules, now).await?,
                );
            }
        }
        moved.extend(drain_queue(tx.conn(), rules, now).await?);
        tx.commit().await?;
        Ok(moved)
    }
}
