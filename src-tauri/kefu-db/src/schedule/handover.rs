//! 交接班: the leaving agent's open conversations and follow-ups pass to the agents of the
//! next shift, in one transaction, each with a record of who handed what to whom, and the
//! note the receivers read. Who receives what is the caller's (kefu-core's `balance`).

use chrono::{DateTime, Utc};
use kefu_core::team::{Agent, Why};
use serde::{Deserialize, Serialize};

use crate::rows::at as time;
use crate::team::why_json;
use crate::tx::Immediate;
use crate::{Db, Error, Result};

#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Handed {
    Conversation,
    Followup,
}

impl Handed {
    fn code(self) -> &'static str {
        match self {
            Handed::Conversation => "conversation",
            Handed::Followup => "followup",
        }
    }

    fn parse(raw: &str) -> Result<Handed> {
        match raw {
            "conversation" => Ok(Handed::Conversation),
            "followup" => Ok(Handed::Followup),
            other => Err(Error::Corrupt(format!("handover item kind {other}"))),
        }
    }
}

/// One thing handed over: a conversation (its id while the leaving agent held it) or a
/// follow-up, the buyer, and who received it.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct HandedItem {
    pub kind: Handed,
    pub id: i64,
    pub buyer_nick: String,
    pub to: String,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct Handover {
    pub id: i64,
    pub from: String,
    pub note: String,
    pub at: DateTime<Utc>,
    pub items: Vec<HandedItem>,
}

/// What an agent holds at the end of its shift: its open conversations and the open
/// follow-ups it owns, as (id, buyer), oldest first.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize)]
pub struct Holding {
    pub conversations: Vec<(i64, String)>,
    pub followups: Vec<(i64, String)>,
}

impl Db {
    pub async fn holding(&self, agent: &str) -> Result<Holding> {
        let mut conn = self.pool.acquire().await?;
        let conversations = sqlx::query_as(
            "SELECT c.id, c.buyer_nick FROM conversations c JOIN agents a ON a.id = c.agent_id
             WHERE a.name = $1 AND c.closed_at IS NULL ORDER BY c.assigned_at, c.id",
        )
        .bind(agent)
        .fetch_all(&mut *conn)
        .await?;
        let followups = sqlx::query_as(
            "SELECT id, buyer_nick FROM followups
             WHERE owner = $1 AND done_at IS NULL ORDER BY wake_at, id",
        )
        .bind(agent)
        .fetch_all(&mut *conn)
        .await?;
        Ok(Holding {
            conversations,
            followups,
        })
    }

    /// Hands `items` from `from` over, all or nothing: an item that is no longer `from`'s
    /// (closed, done or moved meanwhile) refuses the whole handover as a conflict. A
    /// conversation handed over counts as greeted (the buyer was served already), and the
    /// receiver takes it even when full: the work must not stay with someone gone.
    pub async fn hand_over(
        &self,
        from: &Agent,
        note: &str,
        items: &[HandedItem],
        now: DateTime<Utc>,
    ) -> Result<Handover> {
        let t = now.timestamp();
        let mut tx = Immediate::begin(self).await?;
        let id: i64 = sqlx::query_scalar(
            "INSERT INTO handovers (from_agent_id, note, at) VALUES ($1, $2, $3) RETURNING id",
        )
        .bind(from.id)
        .bind(note)
        .bind(t)
        .fetch_one(tx.conn())
        .await?;
        for item in items {
            let to: i64 = sqlx::query_scalar("SELECT id FROM agents WHERE name = $1")
                .bind(&item.to)
                .fetch_optional(tx.conn())
                .await?
                .ok_or_else(|| Error::NotFound(format!("account {}", item.to)))?;
            let moved = match item.kind {
                Handed::Conversation => {
                    let asked: Option<String> = sqlx::query_scalar(
                        "UPDATE conversations SET closed_at = $1, ended = 'handed_over'
                         WHERE id = $2 AND agent_id = $3 AND closed_at IS NULL RETURNING asked",
                    )
                    .bind(t)
                    .bind(item.id)
                    .bind(from.id)
                    .fetch_optional(tx.conn())
                    .await?;
                    if let Some(asked) = asked {
                        let why = Why::Handover {
                            from: from.name.clone(),
                            agent: item.to.clone(),
                            note: note.to_owned(),
                        };
                        sqlx::query(
                            "INSERT INTO conversations (buyer_nick, agent_id, asked, why, assigned_at, opened_at)
                             VALUES ($1, $2, $3, $4, $5, $5)",
                        )
                        .bind(&item.buyer_nick)
                        .bind(to)
                        .bind(asked)
                        .bind(why_json(&why)?)
                        .bind(t)
                        .execute(tx.conn())
                        .await?;
                        sqlx::query(
                            "UPDATE agents SET load = CASE WHEN id = $1 THEN load + 1
                                 WHEN load > 0 THEN load - 1 ELSE 0 END
                             WHERE id IN ($1, $2)",
                        )
                        .bind(to)
                        .bind(from.id)
                        .execute(tx.conn())
                        .await?;
                        true
                    } else {
                        false
                    }
                }
                Handed::Followup => {
                    sqlx::query(
                        "UPDATE followups SET owner = $1
                         WHERE id = $2 AND owner = $3 AND done_at IS NULL",
                    )
                    .bind(&item.to)
                    .bind(item.id)
                    .bind(&from.name)
                    .execute(tx.conn())
                    .await?
                    .rows_affected()
                        == 1
                }
            };
            if !moved {
                return Err(Error::Conflict(format!(
                    "{} {} of {} is no longer {}'s to hand over",
                    item.kind.code(),
                    item.id,
                    item.buyer_nick,
                    from.name
                )));
            }
            sqlx::query(
                "INSERT INTO handover_items (handover_id, kind, item_id, buyer_nick, to_agent_id)
                 VALUES ($1, $2, $3, $4, $5)",
            )
            .bind(id)
            .bind(item.kind.code())
            .bind(item.id)
            .bind(&item.buyer_nick)
            .bind(to)
            .execute(tx.conn())
            .await?;
        }
        tx.commit().await?;
        Ok(Handover {
            id,
            from: from.name.clone(),
            note: note.to_owned(),
            at: time(t)?,
            items: items.to_vec(),
        })
    }

    /// Handovers since `since` that gave `agent` something, with only what it received;
    /// newest first.
    pub async fn handovers_to(&self, agent: &str, since: DateTime<Utc>) -> Result<Vec<Handover>> {
        let rows: Vec<(i64, String, String, i64, String, i64, String)> = sqlx::query_as(
            "SELECT h.id, f.name, h.note, h.at, i.kind, i.item_id, i.buyer_nick
             FROM handovers h
             JOIN agents f ON f.id = h.from_agent_id
             JOIN handover_items i ON i.handover_id = h.id
             JOIN agents r ON r.id = i.to_agent_id
             WHERE r.name = $1 AND h.at >= $2
             ORDER BY h.at DESC, h.id DESC, i.kind, i.item_id",
        )
        .bind(agent)
        .bind(since.timestamp())
        .fetch_all(&self.pool)
        .await?;
        let mut out: Vec<Handover> = Vec::new();
        for (id, from, note, at, kind, item, nick) in rows {
            if out.last().is_none_or(|h| h.id != id) {
                out.push(Handover {
                    id,
                    from,
                    note,
                    at: time(at)?,
                    items: Vec::new(),
                });
            }
            if let Some(h) = out.last_mut() {
                h.items.push(HandedItem {
                    kind: Handed::parse(&kind)?,
                    id: item,
                    buyer_nick: nick,
                    to: agent.to_owned(),
                });
            }
        }
        Ok(out)
    }
}

impl Db {
    /// Open follow-ups nobody owns (their buyers have no agent), oldest first, at most
    /// `limit`.
    pub async fn unowned_followups(&self, limit: i64) -> Result<Vec<(i64, String)>> {
        Ok(sqlx::query_as(
            "SELECT id, buyer_nick FROM followups WHERE owner = '' AND done_at IS NULL
             ORDER BY wake_at, id LIMIT $1",
        )
        .bind(limit)
        .fetch_all(&self.pool)
        .await?)
    }

    /// Open follow-ups owned, per owner.
    pub async fn open_followups_by_owner(&self) -> Result<Vec<(String, i64)>> {
        Ok(sqlx::query_as(
            "SELECT owner, COUNT(*) FROM followups WHERE owner <> '' AND done_at IS NULL
             GROUP BY owner",
        )
        .fetch_all(&self.pool)
        .await?)
    }

    /// Gives unowned follow-ups to agents, as `(id, agent)`; one another PC gave first
    /// stays with whom it gave it to. Returns how many were given here.
    pub async fn give_unowned_followups(&self, given: &[(i64, String)]) -> Result<u64> {
        let mut tx = Immediate::begin(self).await?;
        let mut n = 0;
        for (id, to) in given {
            n += sqlx::query("UPDATE followups SET owner = $1 WHERE id = $2 AND owner = ''")
                .bind(to)
                .bind(id)
                .execute(tx.conn())
                .await?
                .rows_affected();
        }
        tx.commit().await?;
        Ok(n)
    }
}
