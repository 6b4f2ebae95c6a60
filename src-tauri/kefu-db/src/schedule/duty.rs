//! Where the published schedule puts each agent at a moment, for routing in Rust (the view
//! `routable_agents` states the same for SQL).

use chrono::{DateTime, Utc};
use kefu_core::shifts::{self, Shift};
use kefu_core::team::Agent;
use sqlx::AnyConnection;

use super::ShiftRow;
use crate::rows::at as time;
use crate::Result;

/// Sets each agent's duty at `at` from what was published (kefu-core's `shifts::duty`;
/// the view `routable_agents` states the same for SQL).
pub(crate) async fn set_duties(
    conn: &mut AnyConnection,
    agents: &mut [Agent],
    at: DateTime<Utc>,
) -> Result<()> {
    let t = at.timestamp();
    let weeks: Vec<(i64, i64)> = sqlx::query_as(
        "SELECT starts_at, ends_at FROM schedule_weeks
         WHERE published_version IS NOT NULL AND starts_at <= $1 AND $1 < ends_at",
    )
    .bind(t)
    .fetch_all(&mut *conn)
    .await?;
    let weeks = weeks
        .into_iter()
        .map(|(a, b)| Ok((time(a)?, time(b)?)))
        .collect::<Result<Vec<_>>>()?;
    let published: Vec<ShiftRow> = sqlx::query_as(
        "SELECT a.name AS agent, p.date, p.template, p.starts_at, p.ends_at
         FROM published_shifts p JOIN agents a ON a.id = p.agent_id
         WHERE p.starts_at <= $1 AND $1 < p.ends_at",
    )
    .bind(t)
    .fetch_all(&mut *conn)
    .await?;
    let published = published
        .into_iter()
        .map(Shift::try_from)
        .collect::<Result<Vec<_>>>()?;
    for a in agents {
        a.duty = shifts::duty(&a.name, at, &weeks, &published);
    }
    Ok(())
}

impl crate::Db {
    /// Everyone's published shifts that end after `from` and start before `to`, by agent
    /// and start: the agent's own schedule, the shift reminder, handovers and adherence
    /// read them.
    pub async fn published_shifts_between(
        &self,
        from: DateTime<Utc>,
        to: DateTime<Utc>,
    ) -> Result<Vec<Shift>> {
        let rows: Vec<ShiftRow> = sqlx::query_as(
            "SELECT a.name AS agent, p.date, p.template, p.starts_at, p.ends_at
             FROM published_shifts p JOIN agents a ON a.id = p.agent_id
             WHERE p.ends_at > $1 AND p.starts_at < $2 ORDER BY a.name, p.starts_at",
        )
        .bind(from.timestamp())
        .bind(to.timestamp())
        .fetch_all(&self.pool)
        .await?;
        rows.into_iter().map(Shift::try_from).collect()
    }
}
