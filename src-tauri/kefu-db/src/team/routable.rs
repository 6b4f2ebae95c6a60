//! The agents a claim may take, as the storage states kefu-core's rule: every claim path
//! selects from the view `routable_agents` (one per backend, in the migrations), through
//! the functions here.

use kefu_core::team::{TeamRules, Why};
use sqlx::AnyConnection;

use crate::{Error, Result};

/// Sets the moment `t` at which the view judges presence (heartbeats after `t` minus the
/// timeout count) and duty (the shifts published for `t`). On SQLite the caller holds the write lock (see `tx`); on a team database
/// the setting is the transaction's own.
async fn at_moment(conn: &mut AnyConnection, rules: &TeamRules, t: i64) -> Result<()> {
    let seen_after = t - rules.heartbeat_timeout_seconds;
    if conn.backend_name() == "PostgreSQL" {
        sqlx::query(
            "SELECT 1 FROM (SELECT set_config('kefu_desk.seen_after', $1, true),
                                   set_config('kefu_desk.at', $2, true)) AS set",
        )
        .bind(seen_after.to_string())
        .bind(t.to_string())
        .execute(&mut *conn)
        .await?;
    } else {
        sqlx::query("UPDATE routing_moment SET seen_after = $1, at = $2 WHERE id = 1")
            .bind(seen_after)
            .bind(t)
            .execute(&mut *conn)
            .await?;
    }
    Ok(())
}

/// The reason of a claim of the best-ranked agent, from its row as claimed.
pub(super) fn lowest_load(name: &str, load: i64, max_load: i64) -> Result<Why> {
    let count = |v: i64, field: &str| {
        u32::try_from(v).map_err(|_| Error::Corrupt(format!("agents.{field}: {v}")))
    };
    Ok(Why::LowestLoad {
        agent: name.to_owned(),
        load: count(load, "load")?,
        max_load: count(max_load, "max_load")?,
    })
}

/// Takes, in one statement, the best-ranked agent that takes new buyers and counts the
/// buyer in its load; on a team database, the best one no other PC is claiming this
/// instant (`best_agent_for_new_buyer`, `FOR UPDATE SKIP LOCKED`; SQLite has one writer at
/// a time). The order is `team::ranked`'s, in SQL. `None`: no one may take the buyer, or
/// every such agent is being claimed.
pub(super) async fn claim_ranked(
    conn: &mut AnyConnection,
    exclude: Option<i64>,
    rules: &TeamRules,
    t: i64,
) -> Result<Option<(i64, String, Why)>> {
    at_moment(conn, rules, t).await?;
    let best = if conn.backend_name() == "PostgreSQL" {
        "SELECT best_agent_for_new_buyer($2)"
    } else {
        "SELECT id FROM routable_agents WHERE takes_new_buyers AND id <> $2
         ORDER BY load_ratio, weight DESC, idle_since, id LIMIT 1"
    };
    let took: Option<(i64, String, i64, i64)> = sqlx::query_as(&format!(
        "UPDATE agents SET load = load + 1, idle_since = $1 WHERE id = ({best})
           AND (role = 'main' OR load < max_load)
         RETURNING id, name, load - 1, max_load"
    ))
    .bind(t)
    .bind(exclude.unwrap_or(-1))
    .fetch_optional(&mut *conn)
    .await?;
    let Some((id, name, load, max_load)) = took else {
        return Ok(None);
    };
    let why = lowest_load(&name, load, max_load)?;
    Ok(Some((id, name, why)))
}

/// Takes `agent_id` for a buyer if it still may: a new buyer (`new_buyer`) or one it
/// served lately. The row is re-read through the view (and on a team database locked, so
/// a claim committed meanwhile is seen) before the buyer is counted in its load.
pub(super) async fn take_if_routable(
    conn: &mut AnyConnection,
    agent_id: i64,
    new_buyer: bool,
    rules: &TeamRules,
    t: i64,
) -> Result<bool> {
    at_moment(conn, rules, t).await?;
    let (only_new, lock) = (
        if new_buyer {
            " AND takes_new_buyers"
        } else {
            ""
        },
        if conn.backend_name() == "PostgreSQL" {
            " FOR UPDATE"
        } else {
            ""
        },
    );
    let still: Option<i64> = sqlx::query_scalar(&format!(
        "SELECT id FROM routable_agents WHERE id = $1{only_new}{lock}"
    ))
    .bind(agent_id)
    .fetch_optional(&mut *conn)
    .await?;
    if still.is_none() {
        return Ok(false);
    }
    // The maximum is checked again in the write: a claim committed since the read may
    // have filled the agent (the database's own check would refuse it as an error).
    let took = sqlx::query(
        "UPDATE agents SET load = load + 1, idle_since = $1
         WHERE id = $2 AND (role = 'main' OR load < max_load)",
    )
    .bind(t)
    .bind(agent_id)
    .execute(&mut *conn)
    .await?;
    Ok(took.rows_affected() == 1)
}
