//! The stored agenda: planning follow-ups from the orders, announcing each once, snooze and
//! done. The rules are kefu-core's; this is where they meet the rows.

use std::collections::HashMap;

use chrono::{DateTime, Duration, Utc};
use kefu_core::agenda::{self, Kind, Planned, Snooze, Stored, Urgency};
use kefu_core::followups::{ChaseStep, Rules};
use kefu_core::{BuyerNick, Fen, Order, OrderNo, OrderStatus, ShopTime};
use serde::Serialize;
use sqlx::AnyConnection;

use crate::sql::Sql;

use crate::rows::at as time;
use crate::{Db, Error, Result};

/// Shop time of the rules (quiet hours, "tomorrow 09:00"): Taobao shops keep Beijing time.
pub const SHOP_TIME: ShopTime = ShopTime::SHANGHAI;

const ROWS_PER_STATEMENT: usize = 2_000;

/// A follow-up on the agenda.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct FollowUp {
    pub id: i64,
    pub kind: Kind,
    /// What the agenda calls the kind (催付, 发货回访, …).
    pub label: &'static str,
    pub step: Option<ChaseStep>,
    pub nick: String,
    pub orders: Vec<String>,
    pub amount: Fen,
    /// When it needs the agent: the due time, or the end of a snooze.
    pub due_at: DateTime<Utc>,
    pub expires_at: Option<DateTime<Utc>>,
    pub owner: String,
    pub note: String,
    pub announced: bool,
    pub snoozed_until: Option<DateTime<Utc>>,
    pub urgency: Urgency,
    /// Ready to copy into the chat.
    pub text: String,
}

/// The agenda at a moment: overdue and due most urgent first, upcoming soonest first.
#[derive(Clone, Debug, Default, Serialize)]
pub struct Agenda {
    pub at: Option<DateTime<Utc>>,
    pub overdue: Vec<FollowUp>,
    pub due: Vec<FollowUp>,
    pub upcoming: Vec<FollowUp>,
}

/// A due follow-up counts as overdue after this long.
pub const OVERDUE_AFTER_MINUTES: i64 = 30;
/// The upcoming list looks this far ahead.
pub const UPCOMING_HOURS: i64 = 24;

#[derive(sqlx::FromRow)]
struct FollowUpRow {
    id: i64,
    buyer_nick: String,
    kind: String,
    step: Option<String>,
    orders: String,
    amount_fen: i64,
    wake_at: i64,
    expires_at: Option<i64>,
    owner: String,
    note: String,
    announced_at: Option<i64>,
    snoozed_until: Option<i64>,
}

impl FollowUpRow {
    fn into_follow_up(self, now: DateTime<Utc>) -> Result<FollowUp> {
        let kind = Kind::parse(&self.kind)
            .map_err(|_| Error::Corrupt(format!("followups.kind = {}", self.kind)))?;
        let due_at = time(self.wake_at)?;
        let expires_at = self.expires_at.map(time).transpose()?;
        Ok(FollowUp {
            id: self.id,
            kind,
            label: kind.label(),
            step: self
                .step
                .as_deref()
                .map(|raw| {
                    ChaseStep::parse(raw)
                        .map_err(|_| Error::Corrupt(format!("followups.step = {raw}")))
                })
                .transpose()?,
            text: agenda::message(kind, &self.buyer_nick, expires_at, SHOP_TIME),
            nick: self.buyer_nick,
            orders: self
                .orders
                .split(',')
                .filter(|s| !s.is_empty())
                .map(str::to_owned)
                .collect(),
            amount: Fen(self.amount_fen),
            due_at,
            expires_at,
            owner: self.owner,
            note: self.note,
            announced: self.announced_at.is_some(),
            snoozed_until: self.snoozed_until.map(time).transpose()?,
            urgency: agenda::urgency(due_at, now, Duration::minutes(OVERDUE_AFTER_MINUTES)),
        })
    }
}

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
    let mut sent = sent_chases(conn, &nicks).await?;
    let mut stored = stored_of(conn, &nicks).await?;
    let inserted = write_plans(conn, buyers, &mut sent, &mut stored, "", rules, now).await?;
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
    write_plans(
        conn,
        &[buyer],
        &mut HashMap::new(),
        &mut HashMap::new(),
        owner,
        rules,
        now,
    )
    .await?;
    Ok(())
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

/// Writes the difference between each buyer's plan and what is stored; returns the buyers
/// that got new follow-ups.
async fn write_plans<'b>(
    conn: &mut AnyConnection,
    buyers: &[ToPlan<'b>],
    sent: &mut HashMap<String, Vec<DateTime<Utc>>>,
    stored: &mut HashMap<String, Vec<Stored>>,
    owner: &str,
    rules: &Rules,
    now: DateTime<Utc>,
) -> Result<Vec<&'b str>> {
    let mut delete: Vec<i64> = Vec::new();
    let mut insert: Vec<(&'b str, Planned, i64)> = Vec::new();
    let mut update: Vec<(i64, Planned, i64)> = Vec::new();
    for b in buyers {
        let sent = sent.remove(b.nick).unwrap_or_default();
        let stored = stored.remove(b.nick).unwrap_or_default();
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
        delete.extend(r.delete);
        let amount = |p: &Planned| -> i64 {
            b.orders
                .iter()
                .filter(|o| p.orders.contains(&o.no))
                .map(|o| o.total.0)
                .sum()
        };
        for (id, p) in r.update {
            let a = amount(&p);
            update.push((id, p, a));
        }
        for p in r.insert {
            let a = amount(&p);
            insert.push((b.nick, p, a));
        }
    }
    for (id, p, amount) in &update {
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
    for chunk in delete.chunks(ROWS_PER_STATEMENT) {
        let mut q = crate::sql::in_list(conn, "DELETE FROM followups WHERE id", chunk);
        q.build()?.execute(&mut *conn).await?;
    }
    for chunk in insert.chunks(ROWS_PER_STATEMENT / 2) {
        insert_rows(conn, chunk, owner).await?;
    }
    let mut inserted: Vec<&'b str> = insert.iter().map(|(n, _, _)| *n).collect();
    inserted.dedup();
    Ok(inserted)
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
    rows: &[(&str, Planned, i64)],
    owner: &str,
) -> Result<()> {
    let mut q = Sql::new(
        conn,
        "INSERT INTO followups (buyer_nick, key, kind, step, orders, amount_fen, due_at, expires_at, wake_at, owner) ",
    );
    q.push_values(rows, |mut b, (nick, p, amount)| {
        let orders: Vec<&str> = p.orders.iter().map(OrderNo::as_str).collect();
        b.push_bind(*nick)
            .push_bind(p.key.as_str())
            .push_bind(p.kind.code())
            .push_bind(p.step.map(ChaseStep::code))
            .push_bind(orders.join(","))
            .push_bind(*amount)
            .push_bind(p.due_at.timestamp())
            .push_bind(p.expires_at.map(|t| t.timestamp()))
            .push_bind(p.due_at.timestamp())
            .push_bind(owner);
    });
    q.build()?.execute(&mut *conn).await?;
    Ok(())
}

async fn any_rows(conn: &mut AnyConnection, table: &'static str) -> Result<bool> {
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
                .collect::<kefu_core::Result<Vec<_>>>()?;
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

impl Db {
    /// Plans every buyer's agenda once, for a database that had orders before the agenda
    /// existed.
    pub async fn plan_if_needed(&self, rules: &Rules, now: DateTime<Utc>) -> Result<()> {
        let mut tx = self.pool.begin().await?;
        if !any_rows(&mut tx, "agenda_plan_needed").await? {
            return Ok(());
        }
        let nicks: Vec<String> = sqlx::query_scalar("SELECT nick FROM buyers")
            .fetch_all(&mut *tx)
            .await?;
        let nicks: Vec<&str> = nicks.iter().map(String::as_str).collect();
        replan_stored(&mut tx, &nicks, rules, now).await?;
        sqlx::query("DELETE FROM agenda_plan_needed")
            .execute(&mut *tx)
            .await?;
        tx.commit().await?;
        Ok(())
    }

    /// The agenda at `now` of `owner` (follow-ups without an owner belong to whoever is
    /// signed in); `None` lists everyone's. Each list holds at most `limit`.
    pub async fn agenda(
        &self,
        now: DateTime<Utc>,
        owner: Option<&str>,
        limit: i64,
    ) -> Result<Agenda> {
        let t = now.timestamp();
        let limit = limit.clamp(1, 10_000);
        let grace = OVERDUE_AFTER_MINUTES * 60;
        let overdue = self.woken(now, owner, i64::MIN, t - grace, limit).await?;
        let due = self.woken(now, owner, t - grace, t, limit).await?;
        let upcoming = self
            .woken(now, owner, t, t + UPCOMING_HOURS * 3600, limit)
            .await?;
        let convert = |rows: Vec<FollowUpRow>| -> Result<Vec<FollowUp>> {
            rows.into_iter().map(|r| r.into_follow_up(now)).collect()
        };
        let mut a = Agenda {
            at: Some(now),
            overdue: convert(overdue)?,
            due: convert(due)?,
            upcoming: convert(upcoming)?,
        };
        // Most urgent first: payment chases (an unpaid order is lost at its close), then
        // what expires soonest.
        let urgent = |f: &FollowUp| {
            (
                f.kind != Kind::Chase,
                f.expires_at.unwrap_or(DateTime::<Utc>::MAX_UTC),
                f.due_at,
            )
        };
        a.overdue.sort_by_key(urgent);
        a.due.sort_by_key(urgent);
        Ok(a)
    }

    /// Live follow-ups of `owner` (and unowned ones) that need the agent in (`after`,
    /// `until`], soonest first.
    async fn woken(
        &self,
        now: DateTime<Utc>,
        owner: Option<&str>,
        after: i64,
        until: i64,
        limit: i64,
    ) -> Result<Vec<FollowUpRow>> {
        Ok(sqlx::query_as(
            "SELECT * FROM followups
             WHERE done_at IS NULL AND (expires_at IS NULL OR expires_at > $1)
             AND ($2 IS NULL OR owner = '' OR owner = $2)
             AND wake_at > $3 AND wake_at <= $4
             ORDER BY wake_at LIMIT $5",
        )
        .bind(now.timestamp())
        .bind(owner)
        .bind(after)
        .bind(until)
        .bind(limit)
        .fetch_all(&self.pool)
        .await?)
    }

    /// Open follow-ups due by `now`, of everyone: for the tray's count.
    pub async fn due_count(&self, now: DateTime<Utc>) -> Result<i64> {
        let n: i64 = sqlx::query_scalar(
            "SELECT COUNT(*) FROM followups WHERE done_at IS NULL AND wake_at <= $1
             AND (expires_at IS NULL OR expires_at > $1)",
        )
        .bind(now.timestamp())
        .fetch_one(&self.pool)
        .await?;
        Ok(n)
    }

    /// When the next follow-up not yet announced falls due.
    pub async fn next_wake(&self) -> Result<Option<DateTime<Utc>>> {
        let t: Option<i64> = sqlx::query_scalar(
            "SELECT wake_at FROM followups WHERE done_at IS NULL AND announced_at IS NULL
             ORDER BY wake_at LIMIT 1",
        )
        .fetch_optional(&self.pool)
        .await?;
        t.map(time).transpose()
    }

    /// The scheduler's step: claims and returns what fell due by `now` and was not yet
    /// announced, and when the next one falls due. Each follow-up is claimed in its own
    /// transaction before it is returned, so it is announced once, across restarts and
    /// across PCs sharing the database; a crash after the claim loses only the
    /// notification, never the follow-up, which stays on the agenda.
    pub async fn run_due(
        &self,
        now: DateTime<Utc>,
        rules: &Rules,
    ) -> Result<(Vec<FollowUp>, Option<DateTime<Utc>>)> {
        let t = now.timestamp();
        let rows: Vec<FollowUpRow> = sqlx::query_as(
            "SELECT * FROM followups WHERE done_at IS NULL AND announced_at IS NULL AND wake_at <= $1
             ORDER BY wake_at LIMIT 500",
        )
        .bind(t)
        .fetch_all(&self.pool)
        .await?;
        let mut fired = Vec::new();
        for row in rows {
            let mut tx = self.pool.begin().await?;
            // Expired before it could be announced (the app was off): nothing to say, but
            // it is marked so that the step does not look at it again.
            let expired = row.expires_at.is_some_and(|e| e <= t);
            let claimed = sqlx::query(
                "UPDATE followups SET announced_at = $1 WHERE id = $2 AND announced_at IS NULL",
            )
            .bind(t)
            .bind(row.id)
            .execute(&mut *tx)
            .await?
            .rows_affected()
                == 1;
            if !claimed || expired {
                tx.commit().await?;
                continue;
            }
            let f = row.into_follow_up(now)?;
            if f.kind == Kind::Chase {
                sqlx::query(
                    "INSERT INTO chases (buyer_nick, due_at, step, orders, announced_at)
                     VALUES ($1, $2, $3, $4, $5) ON CONFLICT (buyer_nick, due_at) DO NOTHING",
                )
                .bind(&f.nick)
                // The chase counts as sent now, when the agent is tapped: it covers the
                // steps that fell due while the app was closed.
                .bind(t)
                .bind(f.step.map_or("first", ChaseStep::code))
                .bind(f.orders.join(","))
                .bind(t)
                .execute(&mut *tx)
                .await?;
                // The chase covers the buyer's other steps near it and counts towards the
                // daily limit: plan the buyer's chases again.
                replan_stored(&mut tx, &[f.nick.as_str()], rules, now).await?;
            }
            tx.commit().await?;
            fired.push(f);
        }
        Ok((fired, self.next_wake().await?))
    }

    /// Snoozes a follow-up: it leaves the due lists and is announced again at the end.
    pub async fn snooze(&self, id: i64, snooze: Snooze, now: DateTime<Utc>) -> Result<FollowUp> {
        let until = snooze.until(now, SHOP_TIME).timestamp();
        let done = sqlx::query(
            "UPDATE followups SET snoozed_until = $1, wake_at = $1, announced_at = NULL
             WHERE id = $2 AND done_at IS NULL",
        )
        .bind(until)
        .bind(id)
        .execute(&self.pool)
        .await?;
        if done.rows_affected() == 0 {
            return Err(Error::NotFound(format!("open follow-up {id}")));
        }
        self.follow_up(id, now).await
    }

    /// Marks a follow-up done; it stays as history and is never planned again.
    pub async fn done(&self, id: i64, by: &str, now: DateTime<Utc>) -> Result<FollowUp> {
        let done = sqlx::query(
            "UPDATE followups SET done_at = $1, done_by = $2 WHERE id = $3 AND done_at IS NULL",
        )
        .bind(now.timestamp())
        .bind(by)
        .bind(id)
        .execute(&self.pool)
        .await?;
        if done.rows_affected() == 0 {
            return Err(Error::NotFound(format!("open follow-up {id}")));
        }
        self.follow_up(id, now).await
    }

    /// Adds a follow-up made by hand (`agenda::by_hand`: a promised answer, a refund
    /// request, a returned parcel) for a known buyer.
    pub async fn add_by_hand(
        &self,
        nick: &BuyerNick,
        planned: &Planned,
        note: &str,
        owner: &str,
        now: DateTime<Utc>,
    ) -> Result<FollowUp> {
        let kind = planned.kind;
        let known: Option<i64> = sqlx::query_scalar("SELECT 1 FROM buyers WHERE nick = $1")
            .bind(nick.as_str())
            .fetch_optional(&self.pool)
            .await?;
        if known.is_none() {
            return Err(Error::NotFound(format!("buyer {nick}")));
        }
        for no in &planned.orders {
            let theirs: Option<i64> =
                sqlx::query_scalar("SELECT 1 FROM orders WHERE order_no = $1 AND buyer_nick = $2")
                    .bind(no.as_str())
                    .bind(nick.as_str())
                    .fetch_optional(&self.pool)
                    .await?;
            if theirs.is_none() {
                return Err(Error::NotFound(format!("order {no} of buyer {nick}")));
            }
        }
        let orders: Vec<&str> = planned.orders.iter().map(OrderNo::as_str).collect();
        let id: i64 = sqlx::query_scalar(
            "INSERT INTO followups (buyer_nick, key, kind, orders, due_at, expires_at, wake_at, owner, note)
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9) RETURNING id",
        )
        .bind(nick.as_str())
        .bind(&planned.key)
        .bind(kind.code())
        .bind(orders.join(","))
        .bind(planned.due_at.timestamp())
        .bind(planned.expires_at.map(|t| t.timestamp()))
        .bind(planned.due_at.timestamp())
        .bind(owner)
        .bind(note)
        .fetch_one(&self.pool)
        .await?;
        self.follow_up(id, now).await
    }

    pub async fn follow_up(&self, id: i64, now: DateTime<Utc>) -> Result<FollowUp> {
        let row: Option<FollowUpRow> = sqlx::query_as("SELECT * FROM followups WHERE id = $1")
            .bind(id)
            .fetch_optional(&self.pool)
            .await?;
        row.ok_or_else(|| Error::NotFound(format!("follow-up {id}")))?
            .into_follow_up(now)
    }

    /// The open follow-ups of one buyer, soonest first: for the buyer panel.
    pub async fn follow_ups_of(
        &self,
        nick: &BuyerNick,
        now: DateTime<Utc>,
    ) -> Result<Vec<FollowUp>> {
        let rows: Vec<FollowUpRow> = sqlx::query_as(
            "SELECT * FROM followups WHERE buyer_nick = $1 AND done_at IS NULL
             AND (expires_at IS NULL OR expires_at > $2) ORDER BY wake_at",
        )
        .bind(nick.as_str())
        .bind(now.timestamp())
        .fetch_all(&self.pool)
        .await?;
        rows.into_iter().map(|r| r.into_follow_up(now)).collect()
    }
}
