//! Accounts: adding them, signing in, states and heartbeats.

use chrono::{DateTime, Utc};
use kefu_core::team::{self, Agent, AgentState, Role, TeamRules};

use crate::tx::Immediate;
use crate::{Db, Error, Result};

use super::routing::{drain_queue, self_reroute_agent};
use super::{agent_named, agents_in, Routed, TeamMember};

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
        let max_load = team::check_max_load(max_load).map_err(Error::Refused)?;
        let mut tx = Immediate::begin(self).await?;
        let taken: Option<i64> = sqlx::query_scalar("SELECT 1 FROM agents WHERE name = $1")
            .bind(name)
            .fetch_optional(tx.conn())
            .await?;
        let main: Option<i64> = sqlx::query_scalar("SELECT 1 FROM agents WHERE role = 'main'")
            .fetch_optional(tx.conn())
            .await?;
        team::check_new_account(name, role, taken.is_some(), main.is_some())
            .map_err(Error::Refused)?;
        // On a team database a PC's login adds an account only through the migration's
        // `add_agent`, which checks the session's role itself.
        let insert = match self.backend {
            crate::Backend::Postgres => {
                "SELECT 1 FROM add_agent($1, $2, $3, $4, $5, $6, $7) AS added"
            }
            crate::Backend::Sqlite => {
                "INSERT INTO agents (name, role, password_hash, in_routing, max_load, weight,
                                     idle_since)
                 VALUES ($1, $2, $3, $4, $5, $6, $7)"
            }
        };
        sqlx::query(insert)
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

    pub async fn agent(&self, name: &str) -> Result<Agent> {
        let mut conn = self.pool.acquire().await?;
        agent_named(&mut conn, name).await
    }

    /// The team at `now`, with each agent's presence.
    pub async fn team(&self, now: DateTime<Utc>, rules: &TeamRules) -> Result<Vec<TeamMember>> {
        let mut conn = self.pool.acquire().await?;
        Ok(agents_in(&mut conn, now)
            .await?
            .into_iter()
            .map(|a| TeamMember {
                presence: a.presence(now, rules),
                takes_transfers: a.takes_transfers(now, rules),
                agent: a,
            })
            .collect())
    }

    /// The PC of `agent` is alive. If the routing step had marked the agent offline while
    /// the PC was silent (an outage, a sleeping laptop), the state the agent had chosen
    /// comes back with the PC: returns whether it did.
    pub async fn heartbeat(
        &self,
        agent: i64,
        now: DateTime<Utc>,
        rules: &TeamRules,
    ) -> Result<bool> {
        let mut conn = self.pool.acquire().await?;
        let t = now.timestamp();
        let restored = sqlx::query(
            "UPDATE agents SET last_seen = $1, state = silent_state, silent_state = NULL
             WHERE id = $2 AND silent_state IS NOT NULL AND state = 'offline'",
        )
        .bind(t)
        .bind(agent)
        .execute(&mut *conn)
        .await?
        .rows_affected()
            > 0;
        if !restored {
            sqlx::query("UPDATE agents SET last_seen = $1 WHERE id = $2")
                .bind(t)
                .bind(agent)
                .execute(&mut *conn)
                .await?;
        }
        // Present (see kefu-core's `shifts::adherence`): extend the latest span if this beat
        // follows it in time, else start one. One PC beats for an agent, so no race.
        let present = "EXISTS (SELECT 1 FROM agents WHERE id = $2 AND state <> 'offline')";
        let extended = sqlx::query(&format!(
            "UPDATE online_spans SET last_at = $1
             WHERE agent_id = $2 AND last_at >= $3 AND last_at <= $1 AND {present}"
        ))
        .bind(t)
        .bind(agent)
        .bind(t - rules.heartbeat_timeout_seconds)
        .execute(&mut *conn)
        .await?;
        if extended.rows_affected() == 0 {
            sqlx::query(&format!(
                "INSERT INTO online_spans (agent_id, started_at, last_at)
                 SELECT $2, $1, $1 WHERE {present} ON CONFLICT DO NOTHING"
            ))
            .bind(t)
            .bind(agent)
            .execute(&mut *conn)
            .await?;
        }
        Ok(restored)
    }

    /// Every agent's present spans that end at or after `from`, as (name, start, last beat).
    pub async fn online_spans(
        &self,
        from: DateTime<Utc>,
    ) -> Result<Vec<(String, DateTime<Utc>, DateTime<Utc>)>> {
        let rows: Vec<(String, i64, i64)> = sqlx::query_as(
            "SELECT a.name, o.started_at, o.last_at FROM online_spans o
             JOIN agents a ON a.id = o.agent_id WHERE o.last_at >= $1
             ORDER BY a.name, o.started_at",
        )
        .bind(from.timestamp())
        .fetch_all(&self.pool)
        .await?;
        rows.into_iter()
            .map(|(n, a, b)| Ok((n, crate::rows::at(a)?, crate::rows::at(b)?)))
            .collect()
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
        crate::tx::again_on_deadlock(|| self.set_agent_state_once(actor, target, to, rules, now))
            .await
    }

    async fn set_agent_state_once(
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
        let idle_since = team::idle_since_after_state_change(target.state, target.idle_since, now);
        // One's own state change is a sign of life; a supervisor's is not the agent's.
        let last_seen = if actor.id == target.id {
            Some(t)
        } else {
            target.last_seen.map(|s| s.timestamp())
        };
        // A state set by a person replaces whatever a silent PC had left to restore.
        sqlx::query(
            "UPDATE agents SET state = $1, last_seen = $2, idle_since = $3, silent_state = NULL
             WHERE id = $4",
        )
        .bind(to.code())
        .bind(last_seen)
        .bind(idle_since.timestamp())
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
}
