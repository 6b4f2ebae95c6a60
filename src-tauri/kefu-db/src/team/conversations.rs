//! Conversations: greeting, closing and transferring a buyer, and the lists.

use chrono::{DateTime, Utc};
use kefu_core::team::{self, Agent, TeamRules, Why};
use kefu_core::BuyerNick;

use crate::tx::Immediate;
use crate::{Db, Error, Result};

use super::routing::{drain_queue, end_conversations};
use super::{agent_at, why_json, Conversation, Routed};

impl Db {
    /// The agent opened the conversation (greeted the buyer).
    pub async fn open_conversation(
        &self,
        actor: &Agent,
        id: i64,
        now: DateTime<Utc>,
    ) -> Result<()> {
        let done = sqlx::query(
            "UPDATE conversations SET opened_at = COALESCE(opened_at, $1)
             WHERE id = $2 AND agent_id = $3 AND closed_at IS NULL",
        )
        .bind(now.timestamp())
        .bind(id)
        .bind(actor.id)
        .execute(&self.pool)
        .await?;
        if done.rows_affected() == 0 {
            return Err(Error::NotFound(format!(
                "open conversation {id} of {}",
                actor.name
            )));
        }
        Ok(())
    }

    /// Closes the actor's conversation with a buyer (ESC), freeing the load; a waiting
    /// buyer may take the place.
    pub async fn close_conversation(
        &self,
        actor: &Agent,
        nick: &BuyerNick,
        rules: &TeamRules,
        now: DateTime<Utc>,
    ) -> Result<Vec<Routed>> {
        let mut tx = Immediate::begin(self).await?;
        let open: Option<(i64, i64)> = sqlx::query_as(
            "SELECT id, agent_id FROM conversations
             WHERE buyer_nick = $1 AND agent_id = $2 AND closed_at IS NULL",
        )
        .bind(nick.as_str())
        .bind(actor.id)
        .fetch_optional(tx.conn())
        .await?;
        let open = open.ok_or_else(|| {
            Error::NotFound(format!("open conversation of {} with {nick}", actor.name))
        })?;
        end_conversations(tx.conn(), &[open], "closed", now.timestamp()).await?;
        let moved = drain_queue(tx.conn(), rules, now).await?;
        tx.commit().await?;
        Ok(moved)
    }

    /// Passes the actor's buyer to an online teammate with room, with a note.
    pub async fn transfer(
        &self,
        actor: &Agent,
        nick: &BuyerNick,
        to: &str,
        note: &str,
        rules: &TeamRules,
        now: DateTime<Utc>,
    ) -> Result<Routed> {
        let mut tx = Immediate::begin(self).await?;
        let target = agent_at(tx.conn(), to, now).await?;
        team::check_transfer_target(&target, now, rules).map_err(Error::Refused)?;
        let open: Option<(i64, i64, String)> = sqlx::query_as(
            "SELECT id, agent_id, asked FROM conversations
             WHERE buyer_nick = $1 AND agent_id = $2 AND closed_at IS NULL",
        )
        .bind(nick.as_str())
        .bind(actor.id)
        .fetch_optional(tx.conn())
        .await?;
        let (id, from, asked) = open.ok_or_else(|| {
            Error::NotFound(format!("open conversation of {} with {nick}", actor.name))
        })?;
        let t = now.timestamp();
        end_conversations(tx.conn(), &[(id, from)], "transferred", t).await?;
        let why = Why::Transfer {
            from: actor.name.clone(),
            agent: target.name.clone(),
            note: note.to_owned(),
        };
        // A new inquiry on a team database claims without the routing lock, so the receiver
        // may have filled up since it was read: then the transfer is refused, not forced.
        let took = sqlx::query(
            "UPDATE agents SET load = load + 1, idle_since = $1 WHERE id = $2 AND load < max_load",
        )
        .bind(t)
        .bind(target.id)
        .execute(tx.conn())
        .await?;
        if took.rows_affected() == 0 {
            return Err(Error::Refused(team::cannot_take_transfer(&target.name)));
        }
        let cid: i64 = sqlx::query_scalar(
            "INSERT INTO conversations (buyer_nick, agent_id, asked, why, assigned_at)
             VALUES ($1, $2, $3, $4, $5) RETURNING id",
        )
        .bind(nick.as_str())
        .bind(target.id)
        .bind(asked)
        .bind(why_json(&why)?)
        .bind(t)
        .fetch_one(tx.conn())
        .await?;
        crate::agenda::assign_owners(tx.conn(), &[nick.as_str()]).await?;
        tx.commit().await?;
        Ok(Routed {
            nick: nick.to_string(),
            agent: Some(target.name),
            conversation: Some(cid),
            reason: why.to_string(),
            why,
        })
    }

    /// Open conversations of one agent (all agents with `None`), oldest first.
    pub async fn conversations(&self, agent: Option<i64>) -> Result<Vec<Conversation>> {
        let rows: Vec<Conversation> = sqlx::query_as(
            "SELECT c.id, c.buyer_nick, c.agent_id, a.name AS agent, c.asked, c.why AS reason,
                    c.assigned_at, c.opened_at
             FROM conversations c JOIN agents a ON a.id = c.agent_id
             WHERE c.closed_at IS NULL AND ($1 IS NULL OR c.agent_id = $1)
             ORDER BY c.assigned_at, c.id",
        )
        .bind(agent)
        .fetch_all(&self.pool)
        .await?;
        rows.into_iter()
            .map(|mut c| {
                let why: Why = serde_json::from_str(&c.reason)
                    .map_err(|e| Error::Corrupt(format!("conversations.why: {e}")))?;
                c.reason = why.to_string();
                Ok(c)
            })
            .collect()
    }

    /// Buyers waiting longer than the setting and not yet reported: each is returned once
    /// (marked in the same statement), for the supervisor's notification.
    pub async fn waiting_too_long(
        &self,
        rules: &TeamRules,
        now: DateTime<Utc>,
    ) -> Result<Vec<(String, i64)>> {
        let t = now.timestamp();
        Ok(sqlx::query_as(
            "UPDATE waiting SET alerted_at = $1
             WHERE alerted_at IS NULL AND since <= $1 - $2
             RETURNING buyer_nick, $1 - since",
        )
        .bind(t)
        .bind(rules.queue_alert_seconds)
        .fetch_all(&self.pool)
        .await?)
    }

    /// Every buyer that has ever had a conversation.
    pub async fn served_buyers(&self) -> Result<Vec<String>> {
        Ok(
            sqlx::query_scalar("SELECT DISTINCT buyer_nick FROM conversations ORDER BY buyer_nick")
                .fetch_all(&self.pool)
                .await?,
        )
    }

    /// Buyers waiting for someone, oldest first: (nick, since, asked).
    pub async fn waiting(&self) -> Result<Vec<(String, i64, String)>> {
        Ok(sqlx::query_as(
            "SELECT buyer_nick, since, asked FROM waiting ORDER BY since, buyer_nick",
        )
        .fetch_all(&self.pool)
        .await?)
    }
}
