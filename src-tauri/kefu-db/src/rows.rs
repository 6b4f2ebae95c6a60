//! Row types: the database's shape, converted to and from the domain's at the edge.

use chrono::{DateTime, Utc};
use kefu_core::{BuyerNick, CloseReason, Fen, Group, Order, OrderItem, OrderNo, OrderStatus};
use sqlx::{Sqlite, Transaction};
use std::collections::BTreeMap;

use crate::{BuyerDetail, BuyerSummary, Error, Result};

fn time(secs: Option<i64>) -> Option<DateTime<Utc>> {
    secs.and_then(|s| DateTime::from_timestamp(s, 0))
}

fn close_reason_code(r: Option<CloseReason>) -> Option<&'static str> {
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
            no: OrderNo::parse(&r.order_no)?,
            buyer: BuyerNick::parse(&r.buyer_nick)?,
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

pub(crate) async fn upsert_order(
    tx: &mut Transaction<'_, Sqlite>,
    o: &Order,
    stamp: i64,
) -> Result<()> {
    sqlx::query(
        "INSERT INTO orders (order_no, buyer_nick, status, close_reason, total_fen, postage_fen,
            created_at, paid_at, shipped_at, ended_at, terms_changed_at, close_deadline, title,
            buyer_message, seller_remark, receiver, address, phone, tracking_no, shop_name, updated_at)
         VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
         ON CONFLICT (order_no) DO UPDATE SET buyer_nick = excluded.buyer_nick, status = excluded.status,
            close_reason = excluded.close_reason, total_fen = excluded.total_fen,
            postage_fen = excluded.postage_fen, created_at = excluded.created_at,
            paid_at = excluded.paid_at, shipped_at = excluded.shipped_at, ended_at = excluded.ended_at,
            terms_changed_at = excluded.terms_changed_at, close_deadline = excluded.close_deadline,
            title = excluded.title, buyer_message = excluded.buyer_message,
            seller_remark = excluded.seller_remark, receiver = excluded.receiver,
            address = excluded.address, phone = excluded.phone, tracking_no = excluded.tracking_no,
            shop_name = excluded.shop_name, updated_at = excluded.updated_at",
    )
    .bind(o.no.as_str())
    .bind(o.buyer.as_str())
    .bind(o.status.code())
    .bind(close_reason_code(o.close_reason))
    .bind(o.total.0)
    .bind(o.postage.0)
    .bind(o.created_at.timestamp())
    .bind(o.paid_at.map(|t| t.timestamp()))
    .bind(o.shipped_at.map(|t| t.timestamp()))
    .bind(o.ended_at.map(|t| t.timestamp()))
    .bind(o.terms_changed_at.map(|t| t.timestamp()))
    .bind(o.close_deadline.map(|t| t.timestamp()))
    .bind(&o.title)
    .bind(&o.buyer_message)
    .bind(&o.seller_remark)
    .bind(&o.receiver)
    .bind(&o.address)
    .bind(&o.phone)
    .bind(&o.tracking_no)
    .bind(&o.shop_name)
    .bind(stamp)
    .execute(&mut **tx)
    .await?;
    Ok(())
}

#[derive(sqlx::FromRow)]
pub(crate) struct BuyerRowDb {
    nick: String,
    grp: i64,
    is_returning: bool,
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
}

impl TryFrom<BuyerRowDb> for BuyerSummary {
    type Error = Error;
    fn try_from(r: BuyerRowDb) -> Result<BuyerSummary> {
        Ok(BuyerSummary {
            nick: r.nick,
            group: Group::from_code(r.grp)
                .ok_or_else(|| Error::Corrupt(format!("buyers.grp = {}", r.grp)))?,
            returning: r.is_returning,
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
    let (note_by, note_at, tags_by, tags_at) = (
        row.note_by.clone(),
        time(row.note_at),
        row.tags_by.clone(),
        time(row.tags_at),
    );
    Ok(BuyerDetail {
        summary: row.try_into()?,
        note_by,
        note_at,
        tags,
        tags_by,
        tags_at,
        orders: orders
            .into_iter()
            .map(Order::try_from)
            .collect::<Result<_>>()?,
    })
}

/// Stores the items of each order named, replacing what was stored for that order (an
/// items file lists all of an order's lines). Returns (stored, skipped for unknown orders).
pub(crate) async fn replace_items(
    tx: &mut Transaction<'_, Sqlite>,
    items: &[OrderItem],
) -> Result<(u64, u64)> {
    let mut by_order: BTreeMap<&str, Vec<&OrderItem>> = BTreeMap::new();
    for i in items {
        by_order.entry(i.order_no.as_str()).or_default().push(i);
    }
    let (mut stored, mut skipped) = (0, 0);
    for (no, lines) in by_order {
        let known: Option<i64> = sqlx::query_scalar("SELECT 1 FROM orders WHERE order_no = ?")
            .bind(no)
            .fetch_optional(&mut **tx)
            .await?;
        if known.is_none() {
            skipped += lines.len() as u64;
            continue;
        }
        sqlx::query("DELETE FROM order_items WHERE order_no = ?")
            .bind(no)
            .execute(&mut **tx)
            .await?;
        for (line, i) in lines.iter().enumerate() {
            sqlx::query(
                "INSERT INTO order_items (order_no, line, title, price_fen, quantity, attributes) VALUES (?, ?, ?, ?, ?, ?)",
            )
            .bind(no)
            .bind(line as i64)
            .bind(&i.title)
            .bind(i.price.0)
            .bind(i.quantity)
            .bind(&i.attributes)
            .execute(&mut **tx)
            .await?;
            stored += 1;
        }
    }
    Ok((stored, skipped))
}
