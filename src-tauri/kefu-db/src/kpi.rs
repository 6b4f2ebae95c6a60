//! 绩效's history: the service facts (written by the database's triggers as conversations
//! and chases change, and by the chat system's message reports) and the orders, read for a
//! period with the settling window around it.

use chrono::{DateTime, Duration, Utc};
use kefu_core::kpi::{Fact, FactKind, OrderFact};
use kefu_core::{BuyerNick, Fen, OrderStatus};

use crate::{Db, Error, Result};

fn kind_of(code: &str) -> Result<FactKind> {
    FactKind::from_code(code).ok_or_else(|| Error::Corrupt(format!("service fact kind {code:?}")))
}

fn time(t: i64) -> Result<DateTime<Utc>> {
    DateTime::from_timestamp(t, 0).ok_or_else(|| Error::Corrupt(format!("time {t}")))
}

impl Db {
    /// Records a message the shop's chat system reports: the buyer's (`agent` None: it is
    /// credited to whoever serves the buyer then) or an agent's. The text is kept only when
    /// given (the shop's setting decides, above this).
    pub async fn report_message(
        &self,
        buyer: &BuyerNick,
        agent: Option<&str>,
        at: DateTime<Utc>,
        text: Option<&str>,
    ) -> Result<()> {
        let text = text
            .map(kefu_core::kpi::checked_message)
            .transpose()
            .map_err(Error::Refused)?;
        let (kind, who) = match agent {
            Some(a) => ("agent_message", a.to_owned()),
            None => {
                let serving: Option<String> = sqlx::query_scalar(
                    "SELECT a.name FROM conversations c JOIN agents a ON a.id = c.agent_id
                     WHERE c.buyer_nick = $1 AND c.closed_at IS NULL",
                )
                .bind(buyer.as_str())
                .fetch_optional(&self.pool)
                .await?;
                ("buyer_message", serving.unwrap_or_default())
            }
        };
        sqlx::query(
            "INSERT INTO service_facts (at, kind, buyer_nick, agent, text) VALUES ($1, $2, $3, $4, $5)",
        )
        .bind(at.timestamp())
        .bind(kind)
        .bind(buyer.as_str())
        .bind(who)
        .bind(text)
        .execute(&self.pool)
        .await?;
        Ok(())
    }

    /// The facts and orders a report of `from`..`to` needs: every fact inside, and from
    /// `margin` before the receptions and chases (who served a buyer, whether an order was
    /// chased before); the orders from `margin` before (what a buyer had ordered) to
    /// `margin` after (how receptions converted).
    ///
    /// A month at shop scale is over a million facts, and the driver costs several
    /// microseconds a row: rows come packed, one text per shop day (`string_agg`, in both
    /// backends), and are split here.
    pub async fn kpi_history(
        &self,
        from: DateTime<Utc>,
        to: DateTime<Utc>,
        margin: Duration,
    ) -> Result<(Vec<Fact>, Vec<OrderFact>)> {
        let (before, start, end, after) = (
            (from - margin).timestamp(),
            from.timestamp(),
            to.timestamp(),
            (to + margin).timestamp(),
        );
        let packs: Vec<(Option<String>,)> = sqlx::query_as(
            "SELECT string_agg(CAST(at AS TEXT) || $5 || kind || $5 || buyer_nick || $5 || agent
                               || $5 || other || $5 || order_no, $6 ORDER BY at, id)
             FROM service_facts
             WHERE (at >= $2 AND at < $3)
                OR (at >= $1 AND at < $2 AND kind IN ('received', 'chased'))
             GROUP BY at / 86400 ORDER BY at / 86400",
        )
        .bind(before)
        .bind(start)
        .bind(end)
        .bind(after)
        .bind(FIELD)
        .bind(ROW)
        .fetch_all(&self.pool)
        .await?;
        let mut facts = Vec::new();
        for pack in packs.iter().filter_map(|(p,)| p.as_deref()) {
            for row in pack.split(ROW) {
                let [at, kind, buyer, agent, other, order] = fields(row)?;
                facts.push(Fact {
                    at: time(number(at)?)?,
                    kind: kind_of(kind)?,
                    buyer: buyer.to_owned(),
                    agent: agent.to_owned(),
                    other: other.to_owned(),
                    order: order.to_owned(),
                });
            }
        }
        let packs: Vec<(Option<String>,)> = sqlx::query_as(
            "SELECT string_agg(order_no || $3 || buyer_nick || $3 || CAST(created_at AS TEXT)
                               || $3 || COALESCE(CAST(paid_at AS TEXT), '') || $3
                               || CAST(total_fen AS TEXT) || $3 || CAST(status AS TEXT), $4)
             FROM orders
             WHERE (created_at >= $1 AND created_at < $2) OR (paid_at >= $1 AND paid_at < $2)
             GROUP BY created_at / 86400",
        )
        .bind(before)
        .bind(after)
        .bind(FIELD)
        .bind(ROW)
        .fetch_all(&self.pool)
        .await?;
        let closed = OrderStatus::TradeClosed.code();
        let mut orders = Vec::new();
        for pack in packs.iter().filter_map(|(p,)| p.as_deref()) {
            for row in pack.split(ROW) {
                let [no, buyer, created, paid, fen, status] = fields(row)?;
                let paid = (!paid.is_empty()).then(|| number(paid)).transpose()?;
                orders.push(OrderFact {
                    no: no.to_owned(),
                    buyer: buyer.to_owned(),
                    created_at: time(number(created)?)?,
                    paid_at: paid.map(time).transpose()?,
                    amount: Fen(number(fen)?),
                    refunded: number(status)? == closed && paid.is_some(),
                });
            }
        }
        Ok((facts, orders))
    }
}

/// Separators of the packed rows: ASCII's unit and record separators, control characters
/// that no nick, agent name or order number may hold.
const FIELD: &str = "\u{1f}";
const ROW: &str = "\u{1e}";

fn fields(row: &str) -> Result<[&str; 6]> {
    let mut parts = row.split(FIELD);
    let mut out = [""; 6];
    for slot in &mut out {
        *slot = parts
            .next()
            .ok_or_else(|| Error::Corrupt(format!("kpi history row {row:?}")))?;
    }
    if parts.next().is_some() {
        return Err(Error::Corrupt(format!("kpi history row {row:?}")));
    }
    Ok(out)
}

fn number(raw: &str) -> Result<i64> {
    raw.parse()
        .map_err(|_| Error::Corrupt(format!("kpi history number {raw:?}")))
}

#[cfg(test)]
mod tests {
    use chrono::Duration;
    use kefu_core::followups::Rules;
    use kefu_core::kpi::FactKind::*;
    use kefu_core::team::{AgentState, Role, TeamRules};
    use kefu_core::BuyerNick;

    use crate::testing::{fresh, now};

    #[tokio::test]
    async fn conversations_and_chases_write_their_facts_and_facts_never_change() {
        let (_scratch, db) = fresh().await;
        let rules = TeamRules::default();
        // Steps of 10 s: every PC stays within its heartbeat window.
        let t = |s: i64| now() + Duration::seconds(10 * s);
        let mei = db
            .add_agent("小美", Role::Agent, "x", 8, 1, t(0))
            .await
            .unwrap();
        let shuai = db
            .add_agent("小帅", Role::Agent, "x", 8, 1, t(0))
            .await
            .unwrap();
        db.set_agent_state(&mei, "小美", AgentState::Online, &rules, t(0))
            .await
            .unwrap();
        let nick = BuyerNick::parse("买家甲").unwrap();
        let routed = db
            .new_inquiry(&nick, "在吗", &rules, &Rules::default(), t(1))
            .await
            .unwrap();
        db.open_conversation(&mei, routed.conversation.unwrap(), t(2))
            .await
            .unwrap();
        db.report_message(&nick, None, t(3), Some("<b>有S码吗</b>"))
            .await
            .unwrap();
        db.report_message(&nick, Some("小美"), t(4), None)
            .await
            .unwrap();
        db.set_agent_state(&shuai, "小帅", AgentState::Online, &rules, t(5))
            .await
            .unwrap();
        db.transfer(&mei, &nick, "小帅", "尺码问题", &rules, t(6))
            .await
            .unwrap();
        db.report_message(&nick, None, t(7), None).await.unwrap();
        db.close_conversation(&shuai, &nick, &rules, t(8))
            .await
            .unwrap();
        sqlx::query(
            "INSERT INTO followups (buyer_nick, key, kind, orders, due_at, wake_at, owner)
             VALUES ($1, 'chase:1', 'chase', 'A1,A2', $2, $2, '小帅')",
        )
        .bind(nick.as_str())
        .bind(t(9).timestamp())
        .execute(&db.pool)
        .await
        .unwrap();
        sqlx::query("UPDATE followups SET announced_at = $1 WHERE kind = 'chase'")
            .bind(t(9).timestamp())
            .execute(&db.pool)
            .await
            .unwrap();

        let (facts, _) = db
            .kpi_history(t(0), t(10), Duration::days(4))
            .await
            .unwrap();
        let seen: Vec<_> = facts
            .iter()
            .map(|f| (f.kind, f.agent.as_str(), f.other.as_str(), f.order.as_str()))
            .collect();
        assert_eq!(
            seen,
            [
                (Received, "小美", "", ""),
                (Greeted, "小美", "", ""),
                (BuyerMessage, "小美", "", ""),
                (AgentMessage, "小美", "", ""),
                (Transferred, "小美", "", ""),
                (Received, "小帅", "小美", ""),
                (BuyerMessage, "小帅", "", ""),
                (Closed, "小帅", "", ""),
                (Chased, "小帅", "", "A1,A2"),
            ]
        );
        assert_eq!(facts[5].at, t(6));

        for change in [
            "UPDATE service_facts SET agent = '小帅'",
            "DELETE FROM service_facts",
        ] {
            let err = sqlx::query(change).execute(&db.pool).await;
            assert!(
                format!("{err:?}").contains("append-only"),
                "{change}: {err:?}"
            );
        }
        let long = "好".repeat(kefu_core::kpi::MAX_MESSAGE_CHARS + 1);
        assert!(db
            .report_message(&nick, None, t(9), Some(&long))
            .await
            .is_err());
        let (after, _) = db
            .kpi_history(t(0), t(10), Duration::days(4))
            .await
            .unwrap();
        assert_eq!(after.len(), facts.len(), "nothing changed or was added");
    }

    #[tokio::test]
    async fn the_history_holds_the_orders_around_the_period_with_refunds_marked() {
        use kefu_core::{Fen, Order, OrderNo, OrderStatus};
        let (_scratch, db) = fresh().await;
        let day = Duration::days(1);
        let order =
            |no: &str, created, paid: Option<chrono::DateTime<chrono::Utc>>, status| Order {
                status,
                paid_at: paid,
                ..Order::placed(
                    OrderNo::parse(no).unwrap(),
                    BuyerNick::parse("买家乙").unwrap(),
                    Fen(12_345),
                    created,
                )
            };
        db.apply_orders(
            &[
                // Placed before the reach but paid inside it: read.
                order(
                    "1",
                    now() - day * 10,
                    Some(now() - day),
                    OrderStatus::TradeSuccess,
                ),
                // Paid, then refunded.
                order("2", now(), Some(now() + day), OrderStatus::TradeClosed),
                // Unpaid and closed: not a refund.
                order("3", now(), None, OrderStatus::TradeClosed),
                // Beyond the reach on both sides.
                order("4", now() - day * 9, None, OrderStatus::TradeClosed),
                order("5", now() + day * 6, None, OrderStatus::AwaitingPayment),
            ],
            &Rules::default(),
            now() + day * 7,
        )
        .await
        .unwrap();
        let (_, orders) = db
            .kpi_history(now(), now() + day, Duration::days(4))
            .await
            .unwrap();
        let mut seen: Vec<_> = orders
            .iter()
            .map(|o| {
                (
                    o.no.as_str(),
                    o.buyer.as_str(),
                    o.paid_at,
                    o.amount.0,
                    o.refunded,
                )
            })
            .collect();
        seen.sort();
        assert_eq!(
            seen,
            [
                ("1", "买家乙", Some(now() - day), 12_345, false),
                ("2", "买家乙", Some(now() + day), 12_345, true),
                ("3", "买家乙", None, 12_345, false),
            ]
        );
    }
}
