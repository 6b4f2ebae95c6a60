//! Row types: the database's shape, converted to and from the domain's at the edge.

use chrono::{DateTime, Utc};
use kefu_core::{
    BuyerNick, CloseReason, Fen, Group, Order, OrderItem, OrderNo, OrderStatus, Standing,
};
use sqlx::{Any, AnyConnection, Transaction};

use crate::sql::{Sql, Value};
use std::collections::{BTreeMap, BTreeSet};

use crate::{BuyerDetail, BuyerSummary, Error, Result};

/// A stored unix time; one that cannot be a time means the row is damaged.
pub(crate) fn at(secs: i64) -> Result<DateTime<Utc>> {
    DateTime::from_timestamp(secs, 0).ok_or_else(|| Error::Corrupt(format!("time {secs}")))
}

fn time(secs: Option<i64>) -> Option<DateTime<Utc>> {
    secs.and_then(|s| DateTime::from_timestamp(s, 0))
}

pub(crate) fn close_reason_code(r: Option<CloseReason>) -> Option<&'static str> {
    r.map(|r| match r {
        CloseReason::Unpaid => "unpaid",
        CloseReason::Refunded => "refunded",
    })
}

#[derive(sqlx::FromRow)]
pub(crate) struct OrderRowDb {
    order_no: String,
    buyer_nick: String,
    status: i64,
    close_reason: Option<String>,
    total_fen: i64,
    postage_fen: i64,
    created_at: i64,
    paid_at: Option<i64>,
    shipped_at: Option<i64>,
    ended_at: Option<i64>,
    terms_changed_at: Option<i64>,
    close_deadline: Option<i64>,
    title: String,
    buyer_message: String,
    seller_remark: String,
    receiver: String,
    address: String,
    phone: String,
    tracking_no: String,
    shop_name: String,
}

impl TryFrom<OrderRowDb> for Order {
    type Error = Error;
    fn try_from(r: OrderRowDb) -> Result<Order> {
        Ok(Order {
            no: OrderNo::parse(&r.order_no).map_err(Error::unreadable)?,
            buyer: BuyerNick::parse(&r.buyer_nick).map_err(Error::unreadable)?,
            status: OrderStatus::from_code(r.status)
                .ok_or_else(|| Error::Corrupt(format!("orders.status = {}", r.status)))?,
            close_reason: match r.close_reason.as_deref() {
                None => None,
                Some("unpaid") => Some(CloseReason::Unpaid),
                Some("refunded") => Some(CloseReason::Refunded),
                Some(other) => {
                    return Err(Error::Corrupt(format!("orders.close_reason = {other}")))
                }
            },
            total: Fen(r.total_fen),
            postage: Fen(r.postage_fen),
            created_at: time(Some(r.created_at))
                .ok_or_else(|| Error::Corrupt(format!("orders.created_at = {}", r.created_at)))?,
            paid_at: time(r.paid_at),
            shipped_at: time(r.shipped_at),
            ended_at: time(r.ended_at),
            terms_changed_at: time(r.terms_changed_at),
            close_deadline: time(r.close_deadline),
            title: r.title,
            buyer_message: r.buyer_message,
            seller_remark: r.seller_remark,
            receiver: r.receiver,
            address: r.address,
            phone: r.phone,
            tracking_no: r.tracking_no,
            shop_name: r.shop_name,
        })
    }
}

/// SQLite takes at most 32,766 bound values in one statement; orders bind 21 each.
pub(crate) const ORDERS_PER_STATEMENT: usize = 1_500;
const KEYS_PER_STATEMENT: usize = 10_000;
const BUYERS_PER_STATEMENT: usize = 3_000;
const ITEMS_PER_STATEMENT: usize = 5_000;

/// The stored orders with these numbers.
pub(crate) async fn orders_by_no(conn: &mut AnyConnection, numbers: &[&str]) -> Result<Vec<Order>> {
    orders_where(conn, "order_no", numbers).await
}

/// Every stored order of these buyers.
pub(crate) async fn orders_of_buyers(
    conn: &mut AnyConnection,
    nicks: &[&str],
) -> Result<Vec<Order>> {
    orders_where(conn, "buyer_nick", nicks).await
}

async fn orders_where(
    conn: &mut AnyConnection,
    column: &'static str,
    keys: &[&str],
) -> Result<Vec<Order>> {
    // Nothing stored yet (a first import): skip thousands of lookups that find nothing.
    let any: Option<i64> = sqlx::query_scalar("SELECT 1 FROM orders LIMIT 1")
        .fetch_optional(&mut *conn)
        .await?;
    if any.is_none() {
        return Ok(Vec::new());
    }
    let mut found = Vec::new();
    for chunk in keys.chunks(KEYS_PER_STATEMENT) {
        let mut q =
            crate::sql::in_list(conn, format!("SELECT * FROM orders WHERE {column}"), chunk);
        let rows: Vec<OrderRowDb> = q.build_query_as()?.fetch_all(&mut *conn).await?;
        for r in rows {
            found.push(Order::try_from(r)?);
        }
    }
    Ok(found)
}

/// Drops the secondary indexes of `table` and returns the statements that create them
/// again, as the schema itself has them (so they cannot drift from the migrations).
pub(crate) async fn drop_secondary_indexes(
    tx: &mut Transaction<'_, Any>,
    table: &str,
) -> Result<Vec<String>> {
    let indexes: Vec<(String, String)> = sqlx::query_as(
        "SELECT name, sql FROM sqlite_master
         WHERE type = 'index' AND tbl_name = $1 AND sql IS NOT NULL",
    )
    .bind(table)
    .fetch_all(&mut **tx)
    .await?;
    let mut create = Vec::with_capacity(indexes.len());
    for (name, sql) in indexes {
        sqlx::query(&format!("DROP INDEX \"{}\"", name.replace('"', "\"\"")))
            .execute(&mut **tx)
            .await?;
        create.push(sql);
    }
    Ok(create)
}

/// The columns an order is stored with.
pub(crate) const ORDER_COLUMNS: &str = "order_no, buyer_nick, status, close_reason, total_fen,
    postage_fen, created_at, paid_at, shipped_at, ended_at, terms_changed_at, close_deadline,
    title, buyer_message, seller_remark, receiver, address, phone, tracking_no, shop_name,
    updated_at";

/// How an order already stored takes the merged one: every column but its first sighting.
pub(crate) const ORDER_ON_CONFLICT: &str = " ON CONFLICT (order_no) DO UPDATE SET
    buyer_nick = excluded.buyer_nick, status = excluded.status,
    close_reason = excluded.close_reason, total_fen = excluded.total_fen,
    postage_fen = excluded.postage_fen, created_at = excluded.created_at,
    paid_at = excluded.paid_at, shipped_at = excluded.shipped_at, ended_at = excluded.ended_at,
    terms_changed_at = excluded.terms_changed_at, close_deadline = excluded.close_deadline,
    title = excluded.title, buyer_message = excluded.buyer_message,
    seller_remark = excluded.seller_remark, receiver = excluded.receiver,
    address = excluded.address, phone = excluded.phone, tracking_no = excluded.tracking_no,
    shop_name = excluded.shop_name, updated_at = excluded.updated_at";

/// An order's values in `ORDER_COLUMNS`' order, stamped `stamp`.
pub(crate) fn order_values(o: &Order, stamp: i64) -> [Value<'_>; 21] {
    let time = |t: Option<DateTime<Utc>>| Value::Int(t.map(|t| t.timestamp()));
    fn text(t: &str) -> Value<'_> {
        Value::Text(Some(t))
    }
    [
        text(o.no.as_str()),
        text(o.buyer.as_str()),
        Value::Int(Some(o.status.code())),
        Value::Text(close_reason_code(o.close_reason)),
        Value::Int(Some(o.total.0)),
        Value::Int(Some(o.postage.0)),
        time(Some(o.created_at)),
        time(o.paid_at),
        time(o.shipped_at),
        time(o.ended_at),
        time(o.terms_changed_at),
        time(o.close_deadline),
        text(&o.title),
        text(&o.buyer_message),
        text(&o.seller_remark),
        text(&o.receiver),
        text(&o.address),
        text(&o.phone),
        text(&o.tracking_no),
        text(&o.shop_name),
        Value::Int(Some(stamp)),
    ]
}

/// Inserts or replaces orders, many to a statement: one statement a row is what makes a
/// large import slow.
pub(crate) async fn upsert_orders(
    tx: &mut Transaction<'_, Any>,
    orders: &[Order],
    stamp: i64,
) -> Result<()> {
    for chunk in orders.chunks(ORDERS_PER_STATEMENT) {
        let mut q = Sql::new(tx, format!("INSERT INTO orders ({ORDER_COLUMNS}) "));
        q.push_values(chunk, |mut b, o| {
            b.push_values(order_values(o, stamp));
        });
        q.push(ORDER_ON_CONFLICT);
        q.build()?.execute(&mut **tx).await?;
    }
    Ok(())
}

/// The columns a buyer's standing is stored with.
pub(crate) const BUYER_COLUMNS: &str = "nick, grp, sort_key, is_returning, order_count,
    unpaid_count, next_close_at, last_order_at, regroup_at, first_seen_at";

/// How a known buyer takes its new standing: its shared note, tags and first-seen time
/// are kept.
pub(crate) const BUYER_ON_CONFLICT: &str = " ON CONFLICT (nick) DO UPDATE SET
    grp = excluded.grp, sort_key = excluded.sort_key, is_returning = excluded.is_returning,
    order_count = excluded.order_count, unpaid_count = excluded.unpaid_count,
    next_close_at = excluded.next_close_at, last_order_at = excluded.last_order_at,
    regroup_at = excluded.regroup_at";

/// A buyer's standing in `BUYER_COLUMNS`' order, first seen `stamp` if new.
pub(crate) fn buyer_values<'a>(nick: &'a str, s: &Standing, stamp: i64) -> [Value<'a>; 10] {
    let time = |t: Option<DateTime<Utc>>| Value::Int(t.map(|t| t.timestamp()));
    [
        Value::Text(Some(nick)),
        Value::Int(Some(s.group.code())),
        Value::Int(Some(s.sort_key)),
        Value::Int(Some(i64::from(s.returning))),
        Value::Int(Some(s.order_count)),
        Value::Int(Some(s.unpaid)),
        time(s.next_close_at),
        time(s.last_order_at),
        time(s.changes_at),
        Value::Int(Some(stamp)),
    ]
}

/// Inserts new buyers and stores where every given buyer now stands (see
/// `BUYER_ON_CONFLICT`).
pub(crate) async fn upsert_buyers<S: AsRef<str>>(
    tx: &mut Transaction<'_, Any>,
    standings: &[(S, Standing)],
    stamp: i64,
) -> Result<()> {
    for chunk in standings.chunks(BUYERS_PER_STATEMENT) {
        let mut q = Sql::new(tx, format!("INSERT INTO buyers ({BUYER_COLUMNS}) "));
        q.push_values(chunk, |mut b, (nick, s)| {
            b.push_values(buyer_values(nick.as_ref(), s, stamp));
        });
        q.push(BUYER_ON_CONFLICT);
        q.build()?.execute(&mut **tx).await?;
    }
    Ok(())
}

#[derive(sqlx::FromRow)]
pub(crate) struct BuyerRowDb {
    nick: String,
    grp: i64,
    is_returning: i64,
    order_count: i64,
    unpaid_count: i64,
    next_close_at: Option<i64>,
    last_order_at: Option<i64>,
    note: String,
    note_by: Option<String>,
    note_at: Option<i64>,
    tags: String,
    tags_by: Option<String>,
    tags_at: Option<i64>,
    note_version: i64,
}

impl TryFrom<BuyerRowDb> for BuyerSummary {
    type Error = Error;
    fn try_from(r: BuyerRowDb) -> Result<BuyerSummary> {
        Ok(BuyerSummary {
            nick: r.nick,
            group: Group::from_code(r.grp)
                .ok_or_else(|| Error::Corrupt(format!("buyers.grp = {}", r.grp)))?,
            returning: r.is_returning != 0,
            order_count: r.order_count,
            unpaid_count: r.unpaid_count,
            next_close_at: time(r.next_close_at),
            last_order_at: time(r.last_order_at),
            note: r.note,
        })
    }
}

pub(crate) fn buyer_detail(row: BuyerRowDb, orders: Vec<OrderRowDb>) -> Result<BuyerDetail> {
    let tags: Vec<String> =
        serde_json::from_str(&row.tags).map_err(|e| Error::Corrupt(format!("buyers.tags: {e}")))?;
    let (note_by, note_at, tags_by, tags_at, note_version) = (
        row.note_by.clone(),
        time(row.note_at),
        row.tags_by.clone(),
        time(row.tags_at),
        row.note_version,
    );
    Ok(BuyerDetail {
        summary: row.try_into()?,
        note_by,
        note_at,
        tags,
        tags_by,
        tags_at,
        note_version,
        orders: orders
            .into_iter()
            .map(Order::try_from)
            .collect::<Result<_>>()?,
        closes_at: Default::default(),
    })
}

/// Stores the items of each order named, replacing what was stored for that order (an
/// items file lists all of an order's lines). Returns (stored, skipped for unknown orders).
pub(crate) async fn replace_items(
    tx: &mut Transaction<'_, Any>,
    items: &[OrderItem],
) -> Result<(u64, u64)> {
    let mut by_order: BTreeMap<&str, Vec<&OrderItem>> = BTreeMap::new();
    for i in items {
        by_order.entry(i.order_no.as_str()).or_default().push(i);
    }
    let numbers: Vec<&str> = by_order.keys().copied().collect();
    let known: BTreeSet<String> = orders_by_no(tx, &numbers)
        .await?
        .into_iter()
        .map(|o| o.no.as_str().to_owned())
        .collect();
    let (mut stored, mut skipped) = (0, 0);
    let mut replaced: Vec<&str> = Vec::new();
    let mut rows: Vec<(&str, i64, &OrderItem)> = Vec::new();
    for (no, lines) in by_order {
        if !known.contains(no) {
            skipped += lines.len() as u64;
            continue;
        }
        replaced.push(no);
        rows.extend(
            lines
                .iter()
                .enumerate()
                .map(|(line, i)| (no, line as i64, *i)),
        );
    }
    for chunk in replaced.chunks(KEYS_PER_STATEMENT) {
        let mut q = crate::sql::in_list(tx, "DELETE FROM order_items WHERE order_no", chunk);
        q.build()?.execute(&mut **tx).await?;
    }
    for chunk in rows.chunks(ITEMS_PER_STATEMENT) {
        let mut q = Sql::new(
            tx,
            "INSERT INTO order_items (order_no, line, title, price_fen, quantity, attributes) ",
        );
        q.push_values(chunk, |mut b, (no, line, i)| {
            b.push_bind(*no)
                .push_bind(*line)
                .push_bind(i.title.as_str())
                .push_bind(i.price.0)
                .push_bind(i.quantity)
                .push_bind(i.attributes.as_str());
        });
        q.build()?.execute(&mut **tx).await?;
        stored += chunk.len() as u64;
    }
    Ok((stored, skipped))
}
