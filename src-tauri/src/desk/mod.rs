//! The workbench's operations, shared by the window's commands and the command line: one
//! code path for both. Orders and buyers here; imports, follow-ups and the team each in
//! their own module.

mod attendance;
mod change;
mod followups;
mod handover;
mod import;
mod kpi;
mod phrases;
mod schedule;
mod team;

pub use attendance::MyShifts;
pub use change::{Change, Changed, Steps};
pub use followups::AgendaCountsAt;
pub use handover::HandoverPlan;
pub use import::{ImportProgress, ImportReport};
pub use kpi::{KpiDay, KpiView};
pub use phrases::{PhraseEdit, PhraseHit, PhraseImport, PhrasePart, PhraseSets};
pub use schedule::{week_of, Suggested, WeekView};

use chrono::{DateTime, Utc};
use kefu_core::followups::Rules;
use kefu_core::team::{Agent, TeamRules};
use kefu_core::{BuyerNick, BuyerNote, Group, Order, OrderStatus, Tags};
use kefu_db::{Applied, BuyerDetail, BuyerSummary, Db, DbUrl, GroupCounts};
use serde::Serialize;

use crate::error::{Error, Result};
use crate::settings::Settings;

#[derive(Clone, Debug)]
pub struct Desk {
    db: Db,
    rules: Rules,
    /// The agent signed in on this PC; changed from the settings without a restart.
    agent: std::sync::Arc<std::sync::RwLock<String>>,
    /// The shop account signed in on this PC, when the shop has a team.
    account: std::sync::Arc<std::sync::RwLock<Option<Agent>>>,
    team_rules: TeamRules,
    /// The largest export file an import reads (settings).
    import_limit: u64,
    /// How 绩效 is computed, and whether reported messages keep their text (settings;
    /// changed from the settings dialog without a restart).
    kpi: std::sync::Arc<std::sync::RwLock<kpi::KpiSettings>>,
    /// Each phrase set as last read, with its finder, by set and owner (see
    /// `phrases::Prepared`): the phrase box ranks a keystroke without reading the set again.
    prepared_phrases: phrases::PreparedSets,
}

#[derive(Clone, Debug, Serialize)]
pub struct Overview {
    pub counts: GroupCounts,
    pub empty: bool,
    pub agent: String,
    /// Where the data is, as a person may read it: a team database's address without its
    /// password (the window is no place for it).
    pub database: String,
    /// A team database, shared by every PC of the shop: the window offers no demo shop.
    pub team: bool,
    /// The app clock when this was read: the window shows times left against it.
    pub at: DateTime<Utc>,
}

impl Desk {
    pub async fn open(url: &DbUrl, settings: &Settings) -> Result<Desk> {
        let db = Db::open(url).await?;
        keep_time(&db).await?;
        let rules = settings.rules();
        db.plan_if_needed(&rules, crate::clock::now()).await?;
        // Groups as the platform's timers have made them by now, before anything is shown
        // (a database last opened days ago holds orders the platform has closed since).
        db.regroup_due(&rules, crate::clock::now()).await?;
        Ok(Desk {
            db,
            rules,
            agent: std::sync::Arc::new(std::sync::RwLock::new(settings.agent.clone())),
            account: std::sync::Arc::new(std::sync::RwLock::new(None)),
            team_rules: TeamRules::default(),
            import_limit: settings.import_limit(),
            kpi: std::sync::Arc::new(std::sync::RwLock::new(kpi::KpiSettings::of(settings))),
            prepared_phrases: phrases::PreparedSets::default(),
        })
    }

    /// Closes the database's connections (the command line, at its end).
    pub async fn close(&self) {
        self.db.close().await;
    }

    /// On a team database, sets this PC's clock by the database's again (the presence
    /// loop does, so that a PC whose own clock is corrected meanwhile keeps the team's).
    pub async fn keep_time(&self) -> Result<()> {
        keep_time(&self.db).await
    }

    pub async fn overview(&self) -> Result<Overview> {
        Ok(Overview {
            counts: self.db.group_counts().await?,
            empty: self.db.is_empty().await?,
            agent: self.agent(),
            database: self.db.url().shown(),
            team: self.is_team(),
            at: crate::clock::now(),
        })
    }

    /// Whether the database is a team database, shared by the shop's PCs.
    pub fn is_team(&self) -> bool {
        self.db.url().backend() == kefu_db::Backend::Postgres
    }

    /// Who acts on this PC, as notes, tags, follow-ups and "done by" record it: the signed-in
    /// shop account, whatever the settings call this PC's agent; the settings' name only on
    /// a PC without a signed-in account.
    pub fn agent(&self) -> String {
        if let Ok(account) = self.account() {
            return account.name;
        }
        // A poisoned lock still holds the last name written; keep using it.
        match self.agent.read() {
            Ok(name) => name.clone(),
            Err(poisoned) => poisoned.into_inner().clone(),
        }
    }

    pub fn set_agent(&self, name: &str) {
        match self.agent.write() {
            Ok(mut g) => *g = name.to_owned(),
            Err(poisoned) => *poisoned.into_inner() = name.to_owned(),
        }
    }

    /// 绩效's rules and whether message texts are kept, as the settings say now.
    pub fn kpi_settings(&self) -> kpi::KpiSettings {
        match self.kpi.read() {
            Ok(g) => *g,
            Err(poisoned) => *poisoned.into_inner(),
        }
    }

    /// Takes 绩效's settings from newly saved settings.
    pub fn set_kpi(&self, settings: &Settings) {
        let next = kpi::KpiSettings::of(settings);
        match self.kpi.write() {
            Ok(mut g) => *g = next,
            Err(poisoned) => *poisoned.into_inner() = next,
        }
    }

    /// Tells when the database changed, whoever changed it.
    pub async fn watch(&self) -> Result<kefu_db::Watch> {
        Ok(self.db.watch().await?)
    }

    pub async fn group_counts(&self) -> Result<GroupCounts> {
        Ok(self.db.group_counts().await?)
    }

    pub async fn buyers(&self, group: &str, offset: i64, limit: i64) -> Result<Vec<BuyerSummary>> {
        let group = Group::parse(group).ok_or_else(|| {
            Error::Usage(format!(
                "group: {group:?} is not one of inquiry, order, shipped, closed"
            ))
        })?;
        Ok(self.db.buyers_in_group(group, offset, limit).await?)
    }

    pub async fn buyer(&self, nick: &str) -> Result<BuyerDetail> {
        Ok(self.db.buyer(&BuyerNick::parse(nick)?, &self.rules).await?)
    }

    pub async fn search(&self, query: &str) -> Result<Vec<BuyerSummary>> {
        Ok(self.db.search(query, 50).await?)
    }

    pub async fn orders(&self, status: &str, limit: i64) -> Result<Vec<Order>> {
        let status = parse_status(status)?;
        Ok(self.db.orders_with_status(status, limit).await?)
    }

    /// Loads the demo shop, generated relative to `now`. Only into an empty database of this
    /// PC: the demo must never mix with a shop's real orders, and an empty team database is
    /// a shop about to import them, seen by every PC.
    pub async fn load_demo(&self, now: DateTime<Utc>) -> Result<Changed<Applied>> {
        if self.is_team() {
            return Err(Error::Usage(
                "the demo shop loads only into this PC's own database, never into a team database"
                    .to_owned(),
            ));
        }
        if !self.db.is_empty().await? {
            return Err(Error::Usage(
                "the database already holds orders; the demo shop loads only into an empty one"
                    .to_owned(),
            ));
        }
        let applied = self
            .db
            .apply_orders(&kefu_core::demo::demo_orders(now), &self.rules, now)
            .await?;
        Ok(Changed::one(applied, Change::Orders))
    }

    pub async fn is_empty(&self) -> Result<bool> {
        Ok(self.db.is_empty().await?)
    }

    /// Saves a buyer's note and tags in one write. A part left out keeps what is stored.
    /// With `read`, the version of note and tags the agent started from: if someone saved
    /// since, nothing is written and the error is `conflict` (the window then shows both).
    pub async fn save_note(
        &self,
        nick: &str,
        note: Option<&str>,
        tags: Option<&[String]>,
        read: Option<i64>,
        now: DateTime<Utc>,
    ) -> Result<Changed<BuyerDetail>> {
        let nick = BuyerNick::parse(nick)?;
        let note = note.map(BuyerNote::parse).transpose()?;
        let tags = tags.map(Tags::parse).transpose()?;
        let stored = match (&note, &tags) {
            (Some(_), Some(_)) => None,
            _ => Some(self.db.buyer(&nick, &self.rules).await?),
        };
        let note = match (note, &stored) {
            (Some(n), _) => n.as_str().to_owned(),
            (None, Some(d)) => d.summary.note.clone(),
            (None, None) => String::new(),
        };
        let tags = match (tags, &stored) {
            (Some(t), _) => t.as_slice().to_vec(),
            (None, Some(d)) => d.tags.clone(),
            (None, None) => Vec::new(),
        };
        self.db
            .save_note(&nick, &note, &tags, &self.agent(), now, read)
            .await?;
        Ok(Changed::one(
            self.db.buyer(&nick, &self.rules).await?,
            Change::BuyerNote,
        ))
    }
}

fn parse_status(s: &str) -> Result<OrderStatus> {
    let by_name = match s.trim() {
        "unpaid" | "awaiting_payment" => Some(OrderStatus::AwaitingPayment),
        "paid" | "awaiting_shipment" => Some(OrderStatus::AwaitingShipment),
        "shipped" => Some(OrderStatus::Shipped),
        "success" | "trade_success" => Some(OrderStatus::TradeSuccess),
        "closed" | "trade_closed" => Some(OrderStatus::TradeClosed),
        _ => None,
    };
    match by_name {
        Some(st) => Ok(st),
        None => Ok(OrderStatus::parse(s)?.0),
    }
}

/// Every PC of a team keeps the team database's time (`clock::follow_team`).
async fn keep_time(db: &Db) -> Result<()> {
    if let Some((team_now, may_set)) = db.team_clock().await? {
        crate::clock::follow_team(team_now, may_set)?;
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test]
    async fn a_note_or_tags_over_the_limit_are_refused_and_nothing_is_written() {
        let dir = tempfile::tempdir().expect("temp dir");
        let url = DbUrl::from_path(&dir.path().join("desk.db"));
        let desk = Desk::open(&url, &Settings::default()).await.expect("open");
        let now = crate::clock::now();
        let _ = desk.load_demo(now).await.expect("demo").value;
        let nick = desk.buyers("order", 0, 1).await.expect("buyers")[0]
            .nick
            .clone();

        let err = desk
            .save_note(&nick, Some(&"字".repeat(2001)), None, None, now)
            .await
            .expect_err("a note too long");
        assert_eq!(
            (err.code(), err.to_string()),
            ("usage", "note: at most 2000 characters".to_owned())
        );
        let many: Vec<String> = (0..21).map(|i| format!("标签{i}")).collect();
        let err = desk
            .save_note(&nick, None, Some(&many), None, now)
            .await
            .expect_err("too many tags");
        assert_eq!(
            (err.code(), err.to_string()),
            (
                "usage",
                "tags: at most 20 tags of at most 16 characters".to_owned()
            )
        );
        let err = desk
            .save_note(&nick, Some("好"), Some(&["长".repeat(17)]), None, now)
            .await
            .expect_err("a tag too long");
        assert_eq!(err.code(), "usage");
        let d = desk.buyer(&nick).await.expect("buyer");
        assert_eq!(
            (d.note_by, d.tags.len(), d.note_version),
            (None, 0, 0),
            "nothing was written"
        );

        // At the limits, both are kept.
        let twenty: Vec<String> = (0..20).map(|i| format!("标签{i}")).collect();
        let d = desk
            .save_note(&nick, None, Some(&twenty), Some(0), now)
            .await
            .expect("tags")
            .value;
        assert_eq!((d.tags.len(), d.note_by.as_deref()), (20, None));
        let d = desk
            .save_note(&nick, Some(&"字".repeat(2000)), None, Some(1), now)
            .await
            .expect("note")
            .value;
        assert!(d.note_by.is_some());
        assert_eq!(
            (d.tags.len(), d.note_version),
            (20, 2),
            "the tags were kept"
        );
    }
}
