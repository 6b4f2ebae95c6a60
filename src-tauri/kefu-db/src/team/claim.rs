//! Claims of new buyers: the best-ranked agent, taken in one statement.

use chrono::{DateTime, Utc};
use kefu_core::followups::Rules;
use kefu_core::team::TeamRules;
use kefu_core::BuyerNick;
use sqlx::{AnyConnection, Connection};

use crate::tx::Immediate;
use crate::{Db, Error, Result};

use super::routable::lowest_load;
use super::routing::{route_one, Buyer};
use super::{serving, Routed};

/// How long the claiming connection may rest before it is checked again before use (the
/// server may have gone and come back meanwhile).
const RESTED: std::time::Duration = std::time::Duration::from_secs(1);

/// What the migration's `claim_new_buyer` gives back: all NULL when it did not apply.
#[derive(sqlx::FromRow)]
struct Claimed {
    agent_name: Option<String>,
    agent_load: Option<i64>,
    agent_max_load: Option<i64>,
    conversation_id: Option<i64>,
}

/// On a team database, a buyer no one has seen yet is claimed in one round trip: the
/// migration's `claim_new_buyer` takes the best-ranked agent no other PC is claiming (as
/// `claim_ranked`), stores the buyer, its conversation and its planned follow-ups, commits,
/// and announces the claim after its commit (or leaves that to `announce` in a burst). A
/// busy shop reports new buyers from many PCs at once, and round trips to the shared server
/// are most of a claim's cost. `None` when it did not apply (the buyer is known, or no agent
/// is free this instant): nothing was written and the caller routes the usual way. Claims
/// of one PC take turns on its claiming connection.
async fn claim_new_buyer(
    db: &Db,
    nick: &str,
    asked: &str,
    team_rules: &TeamRules,
    rules: &Rules,
    now: DateTime<Utc>,
) -> Result<Option<Routed>> {
    let t = now.timestamp();
    let plans = crate::agenda::new_buyer_plan_rows(rules, now)?;
    // Claims keep a connection of their own: a pooled one is checked by a round trip each
    // time it goes back to the pool, and a burst of claims rotates through the whole pool,
    // so every PC held several server processes busy for one claim at a time.
    let at_once = db.announcer.at_once(std::time::Instant::now());
    let mut claimer = db.claimer.lock().await;
    let mut kept = claimer.take();
    let took: Claimed = loop {
        let alive = match kept.take() {
            // One that rested may have lost its server meanwhile.
            Some((mut conn, used)) => {
                (used.elapsed() < RESTED || conn.ping().await.is_ok()).then_some(conn)
            }
            None => None,
        };
        let (mut conn, fresh) = match alive {
            Some(conn) => (conn, false),
            None => (AnyConnection::connect(&db.connect).await?, true),
        };
        let claimed = sqlx::query_as("CALL claim_new_buyer($1, $2, $3, $4, $5::json, $6)")
            .bind(nick)
            .bind(asked)
            .bind(t)
            .bind(t - team_rules.heartbeat_timeout_seconds)
            .bind(plans.as_str())
            .bind(at_once)
            .fetch_one(&mut conn)
            .await;
        match claimed.map_err(Error::from) {
            Ok(took) => {
                *claimer = Some((conn, std::time::Instant::now()));
                break took;
            }
            // The kept connection's server went away meanwhile: the claim did not run, or
            // if it did, running it again finds the buyer stored and claims nothing.
            Err(Error::Unavailable(_)) if !fresh => continue,
            Err(e) => return Err(e),
        }
    };
    drop(claimer);
    let (Some(name), Some(load), Some(max_load), Some(conversation)) = (
        took.agent_name,
        took.agent_load,
        took.agent_max_load,
        took.conversation_id,
    ) else {
        return Ok(None);
    };
    if !at_once {
        db.announcer.later(&db.pool, std::time::Instant::now());
    }
    let why = lowest_load(&name, load, max_load)?;
    Ok(Some(Routed {
        nick: nick.to_owned(),
        agent: Some(name),
        conversation: Some(conversation),
        reason: why.to_string(),
        why,
    }))
}

impl Db {
    /// A new buyer asks something (the "new inquiry" action, or a shop's chat system
    /// through the command line): the buyer is created when unknown, then routed. A buyer
    /// already being served stays with its agent.
    pub async fn new_inquiry(
        &self,
        nick: &BuyerNick,
        asked: &str,
        team_rules: &TeamRules,
        rules: &Rules,
        now: DateTime<Utc>,
    ) -> Result<Routed> {
        crate::tx::again_on_deadlock(|| self.new_inquiry_once(nick, asked, team_rules, rules, now))
            .await
    }

    async fn new_inquiry_once(
        &self,
        nick: &BuyerNick,
        asked: &str,
        team_rules: &TeamRules,
        rules: &Rules,
        now: DateTime<Utc>,
    ) -> Result<Routed> {
        if self.backend == crate::Backend::Postgres {
            if let Some(routed) =
                claim_new_buyer(self, nick.as_str(), asked, team_rules, rules, now).await?
            {
                return Ok(routed);
            }
        }
        let mut tx = Immediate::begin_claim(self).await?;
        let t = now.timestamp();
        // A second PC reporting the same new buyer waits here until this one commits, and
        // then finds the buyer known.
        let created = sqlx::query(
            "INSERT INTO buyers (nick, grp, sort_key, first_seen_at) VALUES ($1, 0, $2, $3)
             ON CONFLICT (nick) DO NOTHING",
        )
        .bind(nick.as_str())
        .bind(-t)
        .bind(t)
        .execute(tx.conn())
        .await?
        .rows_affected()
            == 1;
        let routed = if created {
            // A buyer just created has no orders, follow-ups or conversations to read.
            let routed = route_one(
                tx.conn(),
                Buyer::New(nick.as_str()),
                asked,
                None,
                team_rules,
                now,
            )
            .await?;
            let owner = routed.agent.as_deref().unwrap_or_default();
            crate::agenda::plan_new_buyer(tx.conn(), nick.as_str(), owner, rules, now).await?;
            routed
        } else {
            tx.lock_buyer(nick.as_str()).await?;
            match serving(tx.conn(), nick.as_str()).await? {
                Some(open) => open,
                None => {
                    route_one(
                        tx.conn(),
                        Buyer::Known(nick.as_str()),
                        asked,
                        None,
                        team_rules,
                        now,
                    )
                    .await?
                }
            }
        };
        tx.commit().await?;
        Ok(routed)
    }
}
