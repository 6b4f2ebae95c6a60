//! 绩效's history: the service facts (written by the database's triggers as conversations
//! and chases change, and by the chat system's message reports) and the orders, read for a
//! period with the settling window around it.

use chrono::{DateTime, Duration, Utc};
use kefu_core::kpi::{Fact, FactKind, OrderFact};
use kefu_core::{BuyerNick, Fen, OrderStatus};

use crate::{Db, Error, Result};

fn kind_of(code: &str) -> Result<FactKind> {
    serde_json::from_value(serde_json::Value::String(code.to_owned()))
        .map_err(|_| Error::Corrupt(format!("service fact kind {code:?}")))
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

    /// The facts and orders a report of `from`..`to` needs: from `margin` before (who
    /// served a buyer, what it had ordered) to `margin` after (how receptions converted).
    pub async fn kpi_history(
        &self,
        from: DateTime<Utc>,
        to: DateTime<Utc>,
        margin: Duration,
    ) -> Result<(Vec<Fact>, Vec<OrderFact>)> {
        let (a, b) = ((from - margin).timestamp(), (to + margin).timestamp());
        let rows: Vec<(i64, String, String, String, String, String)> = sqlx::query_as(
            "SELECT at, kind, buyer_nick, agent, other, order_no FROM service_facts
             WHERE at >= $1 AND at < $2 ORDER BY at, id",
        )
        .bind(a)
        .bind(b)
        .fetch_all(&self.pool)
        .await?;
        let facts = rows
            .into_iter()
            .map(|(at, kind, buyer, agent, other, order)| {
                Ok(Fact {
                    at: time(at)?,
                    kind: kind_of(&kind)?,
                    buyer,
                    agent,
                    other,
                    order,
                })
            })
            .collect::<Result<Vec<_>>>()?;
        let rows: Vec<(String, String, i64, Option<i64>, i64, i64)> = sqlx::query_as(
            "SELECT order_no, buyer_nick, created_at, paid_at, total_fen, status FROM orders
             WHERE (created_at >= $1 AND created_at < $2) OR (paid_at >= $1 AND paid_at < $2)",
        )
        .bind(a)
        .bind(b)
        .fetch_all(&self.pool)
        .await?;
        let closed = OrderStatus::TradeClosed.code();
        let orders = rows
            .into_iter()
            .map(|(no, buyer, created, paid, fen, status)| {
                Ok(OrderFact {
                    no,
                    buyer,
                    created_at: time(created)?,
                    paid_at: paid.map(time).transpose()?,
                    amount: Fen(fen),
                    refunded: status == closed && paid.is_some(),
                })
            })
            .collect::<Result<Vec<_>>>()?;
        Ok((facts, orders))
    }
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
}
