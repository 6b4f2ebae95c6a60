//! Planning: each buyer's follow-ups from its orders (kefu-core's rules), written as the
//! difference from what is stored.

use std::collections::HashMap;

use chrono::{DateTime, Utc};
use kefu_core::agenda::{self, Kind, Planned, Stored};
use kefu_core::followups::{ChaseStep, Rules};
use kefu_core::{Order, OrderNo, OrderStatus};
use sqlx::AnyConnection;

use super::{ROWS_PER_STATEMENT, SHOP_TIME};
use crate::rows::at as time;
use crate::sql::{Sql, Value};
use crate::{Error, Result};

/// One buyer as planning needs it.
pub(crate) struct ToPlan<'a> {
    pub nick: &'a str,
    pub returning: bool,
    pub first_seen: DateTime<Utc>,
    pub orders: &'a [&'a Order],
}

/// Plans the follow-ups of these buyers again and writes the difference, in the caller's
/// transaction. Used by every import (with the orders as they will be) and after a chase
/// is announced (which covers and limits the buyer's later chases).
pub(crate) async fn replan(
    conn: &mut AnyConnection,
    buyers: &[ToPlan<'_>],
    rules: &Rules,
    now: DateTime<Utc>,
) -> Result<()> {
    let nicks: Vec<&str> = buyers.iter().map(|b| b.nick).collect();
    let known = Known::read(conn, &nicks).await?;
    let plans = plan(buyers, known, rules, now);
    write(conn, &plans).await
}

/// Writes what planning decided: updates, withdrawals and new follow-ups (owned by the
/// agent serving their buyer).
pub(crate) async fn write(conn: &mut AnyConnection, plans: &Plans) -> Result<()> {
    write_changes(conn, plans).await?;
    for chunk in plans.insert.chunks(ROWS_PER_STATEMENT / 2) {
        insert_rows(conn, chunk, "").await?;
    }
    assign_owners_of_new(conn, plans).await
}

/// What planning needs to know of its buyers from the database: the chases already
/// announced to them and their stored follow-ups.
#[derive(Default)]
pub(crate) struct Known {
    sent: HashMap<String, Vec<DateTime<Utc>>>,
    stored: HashMap<String, Vec<Stored>>,
}

impl Known {
    pub(crate) async fn read(conn: &mut AnyConnection, nicks: &[&str]) -> Result<Known> {
        Ok(Known {
            sent: sent_chases(conn, nicks).await?,
            stored: stored_of(conn, nicks).await?,
        })
    }
}

/// The difference between the buyers' plans and what is stored, ready to write.
#[derive(Debug, Default)]
pub(crate) struct Plans {
    pub delete: Vec<i64>,
    /// With the amount of the follow-up's orders.
    pub update: Vec<(i64, Planned, i64)>,
    /// New follow-ups: the buyer, the plan, the amount.
    pub insert: Vec<(String, Planned, i64)>,
}

/// The columns a new follow-up is written with.
pub(crate) const FOLLOWUP_COLUMNS: &str =
    "buyer_nick, key, kind, step, orders, amount_fen, due_at, expires_at, wake_at, owner";

/// A new follow-up's values in `FOLLOWUP_COLUMNS`' order: one of `Plans::insert`, owned by
/// `owner` ("" until its buyer is served). It wakes when it is due.
pub(crate) fn followup_values<'a>(
    (nick, p, amount): &'a (String, Planned, i64),
    owner: &'a str,
) -> [Value<'a>; 10] {
    let orders: Vec<&str> = p.orders.iter().map(OrderNo::as_str).collect();
    let due = p.due_at.timestamp();
    [
        Value::Text(Some(nick)),
        Value::Text(Some(&p.key)),
        Value::Text(Some(p.kind.code())),
        Value::Text(p.step.map(ChaseStep::code)),
        Value::Made(orders.join(",")),
        Value::Int(Some(*amount)),
        Value::Int(Some(due)),
        Value::Int(p.expires_at.map(|t| t.timestamp())),
        Value::Int(Some(due)),
        Value::Text(Some(owner)),
    ]
}

/// Each buyer's plan (kefu-core's rules) reconciled with what is stored. Pure: a big import
/// runs it on a thread of its own.
pub(crate) fn plan(
    buyers: &[ToPlan<'_>],
    mut known: Known,
    rules: &Rules,
    now: DateTime<Utc>,
) -> Plans {
    let mut out = Plans::default();
    for b in buyers {
        let sent = known.sent.remove(b.nick).unwrap_or_default();
        let stored = known.stored.remove(b.nick).unwrap_or_default();
        let planned = agenda::plan_buyer(
            b.orders,
            b.returning,
            b.first_seen,
            &sent,
            rules,
            SHOP_TIME,
            now,
        );
        let unpaid: Vec<&OrderNo> = b
            .orders
            .iter()
            .filter(|o| o.status == OrderStatus::AwaitingPayment)
            .map(|o| &o.no)
            .collect();
        let r = agenda::reconcile(&stored, planned, &unpaid);
        out.delete.extend(r.delete);
        let amount = |p: &Planned| -> i64 {
            b.orders
                .iter()
                .filter(|o| p.orders.contains(&o.no))
                .map(|o| o.total.0)
                .sum()
        };
        for (id, p) in r.update {
            let a = amount(&p);
            out.update.push((id, p, a));
        }
        for p in r.insert {
            let a = amount(&p);
            out.insert.push((b.nick.to_owned(), p, a));
        }
    }
    out
}

/// Writes the plans' updates and withdrawals (the new follow-ups are the caller's: a big
/// import copies them from its staging file).
pub(crate) async fn write_changes(conn: &mut AnyConnection, plans: &Plans) -> Result<()> {
    for (id, p, amount) in &plans.update {
        let orders: Vec<&str> = p.orders.iter().map(OrderNo::as_str).collect();
        sqlx::query(
            "UPDATE followups SET step = $1, orders = $2, amount_fen = $3, due_at = $4, expires_at = $5,
             wake_at = $6 WHERE id = $7",
        )
        .bind(p.step.map(ChaseStep::code))
        .bind(orders.join(","))
        .bind(amount)
        .bind(p.due_at.timestamp())
        .bind(p.expires_at.map(|t| t.timestamp()))
        .bind(p.due_at.timestamp())
        .bind(id)
        .execute(&mut *conn)
        .await?;
    }
    withdraw(conn, &plans.delete).await
}

/// Once the new follow-ups are written: each belongs to the agent serving its buyer.
pub(crate) async fn assign_owners_of_new(conn: &mut AnyConnection, plans: &Plans) -> Result<()> {
    let mut inserted: Vec<&str> = plans.insert.iter().map(|(n, _, _)| n.as_str()).collect();
    inserted.dedup();
    if !inserted.is_empty() && any_rows(conn, "conversations").await? {
        assign_owners(conn, &inserted).await?;
    }
    Ok(())
}

/// Plans a buyer the database has just created: nothing is stored or sent for it yet, so
/// nothing needs reading (a new inquiry on a busy team database runs this per buyer). Its
/// follow-ups belong to `owner`, the agent it was just routed to ("" while it waits).
pub(crate) async fn plan_new_buyer(
    conn: &mut AnyConnection,
    nick: &str,
    owner: &str,
    rules: &Rules,
    now: DateTime<Utc>,
) -> Result<()> {
    let buyer = ToPlan {
        nick,
        returning: false,
        first_seen: now,
        orders: &[],
    };
    let plans = plan(&[buyer], Known::default(), rules, now);
    insert_rows(conn, &plans.insert, owner).await
}

/// The follow-ups of a buyer no one has seen yet (no orders, nothing sent), as JSON rows
/// (the columns of `followups`) for a team database's one-statement claim of a new buyer.
pub(crate) fn new_buyer_plan_rows(rules: &Rules, now: DateTime<Utc>) -> Result<String> {
    let planned = agenda::plan_buyer::<&Order>(&[], false, now, &[], rules, SHOP_TIME, now);
    let rows: Vec<serde_json::Value> = planned
        .iter()
        .map(|p| {
            let orders: Vec<&str> = p.orders.iter().map(OrderNo::as_str).collect();
            serde_json::json!({
                "key": p.key,
                "kind": p.kind.code(),
                "step": p.step.map(ChaseStep::code),
                "orders": orders.join(","),
                "due_at": p.due_at.timestamp(),
                "expires_at": p.expires_at.map(|t| t.timestamp()),
            })
        })
        .collect();
    serde_json::to_string(&rows).map_err(|e| Error::Corrupt(format!("planned follow-ups: {e}")))
}

/// Withdraws follow-ups the plan no longer has. A team database lets a PC's login delete
/// no follow-up, only withdraw these through the migration's `withdraw_followups` (which
/// repeats that one done or added by hand stays: see the test of `reconcile` there).
async fn withdraw(conn: &mut AnyConnection, ids: &[i64]) -> Result<()> {
    let team = conn.backend_name() == "PostgreSQL";
    for chunk in ids.chunks(ROWS_PER_STATEMENT) {
        if team {
            let list: Vec<String> = chunk.iter().map(i64::to_string).collect();
            sqlx::query("SELECT withdraw_followups($1)")
                .bind(list.join(","))
                .execute(&mut *conn)
                .await?;
        } else {
            let mut q = crate::sql::in_list(conn, "DELETE FROM followups WHERE id", chunk);
            q.build()?.execute(&mut *conn).await?;
        }
    }
    Ok(())
}

/// A follow-up belongs to the agent serving (or who last served) its buyer; without one it
/// stays unowned, which means the agent signed in on each PC.
pub(crate) async fn assign_owners(conn: &mut AnyConnection, nicks: &[&str]) -> Result<()> {
    for chunk in nicks.chunks(ROWS_PER_STATEMENT) {
        let mut q = crate::sql::in_list(
            conn,
            "UPDATE followups SET owner = COALESCE((
                 SELECT a.name FROM conversations c JOIN agents a ON a.id = c.agent_id
                 WHERE c.buyer_nick = followups.buyer_nick
                 ORDER BY c.assigned_at DESC, c.id DESC LIMIT 1), owner)
             WHERE done_at IS NULL AND buyer_nick",
            chunk,
        );
        q.build()?.execute(&mut *conn).await?;
    }
    Ok(())
}

async fn insert_rows(
    conn: &mut AnyConnection,
    rows: &[(String, Planned, i64)],
    owner: &str,
) -> Result<()> {
    if rows.is_empty() {
        return Ok(());
    }
    let mut q = Sql::new(conn, format!("INSERT INTO followups ({FOLLOWUP_COLUMNS}) "));
    q.push_values(rows, |mut b, row| {
        b.push_values(followup_values(row, owner));
    });
    q.build()?.execute(&mut *conn).await?;
    Ok(())
}

pub(super) async fn any_rows(conn: &mut AnyConnection, table: &'static str) -> Result<bool> {
    let any: Option<i64> = sqlx::query_scalar(&format!("SELECT 1 FROM {table} LIMIT 1"))
        .fetch_optional(&mut *conn)
        .await?;
    Ok(any.is_some())
}

/// The chases already announced to each of these buyers.
async fn sent_chases(
    conn: &mut AnyConnection,
    nicks: &[&str],
) -> Result<HashMap<String, Vec<DateTime<Utc>>>> {
    let mut out: HashMap<String, Vec<DateTime<Utc>>> = HashMap::new();
    if !any_rows(conn, "chases").await? {
        return Ok(out);
    }
    for chunk in nicks.chunks(ROWS_PER_STATEMENT) {
        let mut q = crate::sql::in_list(
            conn,
            "SELECT buyer_nick, due_at FROM chases WHERE buyer_nick",
            chunk,
        );
        let rows: Vec<(String, i64)> = q.build_query_as()?.fetch_all(&mut *conn).await?;
        for (n, t) in rows {
            out.entry(n).or_default().push(time(t)?);
        }
    }
    Ok(out)
}

async fn stored_of(
    conn: &mut AnyConnection,
    nicks: &[&str],
) -> Result<HashMap<String, Vec<Stored>>> {
    let mut out: HashMap<String, Vec<Stored>> = HashMap::new();
    if !any_rows(conn, "followups").await? {
        return Ok(out);
    }
    type Row = (
        String,
        i64,
        String,
        String,
        String,
        i64,
        Option<i64>,
        i64,
        i64,
        i64,
    );
    for chunk in nicks.chunks(ROWS_PER_STATEMENT) {
        let mut q = crate::sql::in_list(
            conn,
            "SELECT buyer_nick, id, key, kind, orders, due_at, expires_at,
                    -- Integers, not booleans: one shape on both databases.
                    CASE WHEN announced_at IS NULL THEN 0 ELSE 1 END,
                    CASE WHEN snoozed_until IS NULL THEN 0 ELSE 1 END,
                    CASE WHEN done_at IS NULL THEN 0 ELSE 1 END
             FROM followups WHERE buyer_nick",
            chunk,
        );
        let rows: Vec<Row> = q.build_query_as()?.fetch_all(&mut *conn).await?;
        for (nick, id, key, kind, orders, due_at, expires_at, announced, snoozed, done) in rows {
            let kind = Kind::parse(&kind)
                .map_err(|_| Error::Corrupt(format!("followups.kind = {kind}")))?;
            let orders = orders
                .split(',')
                .filter(|s| !s.is_empty())
                .map(OrderNo::parse)
                .collect::<kefu_core::Result<Vec<_>>>()
                .map_err(Error::unreadable)?;
            out.entry(nick).or_default().push(Stored {
                id,
                key,
                kind,
                orders,
                due_at: time(due_at)?,
                expires_at: expires_at.map(time).transpose()?,
                announced: announced != 0,
                snoozed: snoozed != 0,
                done: done != 0,
            });
        }
    }
    Ok(out)
}

/// Plans these buyers again from what is stored.
pub(crate) async fn replan_stored(
    conn: &mut AnyConnection,
    nicks: &[&str],
    rules: &Rules,
    now: DateTime<Utc>,
) -> Result<()> {
    let orders = crate::rows::orders_of_buyers(conn, nicks).await?;
    let mut info: Vec<(String, i64, i64)> = Vec::new();
    for chunk in nicks.chunks(ROWS_PER_STATEMENT) {
        let mut q = crate::sql::in_list(
            conn,
            "SELECT nick, is_returning, first_seen_at FROM buyers WHERE nick",
            chunk,
        );
        info.extend(
            q.build_query_as::<(String, i64, i64)>()?
                .fetch_all(&mut *conn)
                .await?,
        );
    }
    let mut by_buyer: HashMap<&str, Vec<&Order>> = HashMap::new();
    for o in &orders {
        by_buyer.entry(o.buyer.as_str()).or_default().push(o);
    }
    let empty: Vec<&Order> = Vec::new();
    let mut plans = Vec::with_capacity(info.len());
    for (nick, returning, first_seen) in &info {
        plans.push(ToPlan {
            nick,
            returning: *returning != 0,
            first_seen: time(*first_seen)?,
            orders: by_buyer.get(nick.as_str()).unwrap_or(&empty),
        });
    }
    replan(conn, &plans, rules, now).await
}
