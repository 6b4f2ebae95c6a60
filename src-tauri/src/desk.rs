//! The workbench's operations, shared by the window's commands and the command line: one
//! code path for both.

use chrono::{DateTime, Utc};
use kefu_core::followups::Rules;
use std::path::PathBuf;

use kefu_core::followups::{plan_chases, ChaseStep};
use kefu_core::{BuyerNick, Group, Order, OrderNo, OrderStatus, ShopTime};
use kefu_db::{Applied, BuyerDetail, BuyerSummary, Db, DbUrl, GroupCounts};
use kefu_import::Problem;
use serde::Serialize;

use crate::error::{Error, Result};
use crate::settings::Settings;

#[derive(Clone, Debug)]
pub struct Desk {
    db: Db,
    rules: Rules,
    /// The agent signed in on this PC; changed from the settings without a restart.
    agent: std::sync::Arc<std::sync::RwLock<String>>,
}

#[derive(Clone, Debug, Serialize)]
pub struct Overview {
    pub counts: GroupCounts,
    pub empty: bool,
    pub agent: String,
    pub database: String,
}

impl Desk {
    pub async fn open(url: &DbUrl, settings: &Settings) -> Result<Desk> {
        Ok(Desk {
            db: Db::open(url).await?,
            rules: settings.rules(),
            agent: std::sync::Arc::new(std::sync::RwLock::new(settings.agent.clone())),
        })
    }

    pub async fn overview(&self) -> Result<Overview> {
        Ok(Overview {
            counts: self.db.group_counts().await?,
            empty: self.db.is_empty().await?,
            agent: self.agent(),
            database: self.db.url().as_str().to_owned(),
        })
    }

    pub fn agent(&self) -> String {
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
        Ok(self.db.buyer(&BuyerNick::parse(nick)?).await?)
    }

    pub async fn search(&self, query: &str) -> Result<Vec<BuyerSummary>> {
        Ok(self.db.search(query, 50).await?)
    }

    pub async fn orders(&self, status: &str, limit: i64) -> Result<Vec<Order>> {
        let status = parse_status(status)?;
        Ok(self.db.orders_with_status(status, limit).await?)
    }

    /// Loads the demo shop, generated relative to `now`. Only into an empty database: the
    /// demo must never mix with a shop's real orders.
    pub async fn load_demo(&self, now: DateTime<Utc>) -> Result<Applied> {
        if !self.db.is_empty().await? {
            return Err(Error::Usage(
                "the database already holds orders; the demo shop loads only into an empty one"
                    .to_owned(),
            ));
        }
        Ok(self
            .db
            .apply_orders(&kefu_core::demo::demo_orders(now), &self.rules, now)
            .await?)
    }

    pub async fn is_empty(&self) -> Result<bool> {
        Ok(self.db.is_empty().await?)
    }

    pub async fn set_note(
        &self,
        nick: &str,
        note: &str,
        now: DateTime<Utc>,
    ) -> Result<BuyerDetail> {
        if note.chars().count() > 2000 {
            return Err(Error::Usage("note: at most 2000 characters".to_owned()));
        }
        let nick = BuyerNick::parse(nick)?;
        self.db.set_note(&nick, note, &self.agent(), now).await?;
        Ok(self.db.buyer(&nick).await?)
    }

    pub async fn set_tags(
        &self,
        nick: &str,
        tags: &[String],
        now: DateTime<Utc>,
    ) -> Result<BuyerDetail> {
        if tags.len() > 20 || tags.iter().any(|t| t.chars().count() > 16) {
            return Err(Error::Usage(
                "tags: at most 20 tags of at most 16 characters".to_owned(),
            ));
        }
        let nick = BuyerNick::parse(nick)?;
        self.db.set_tags(&nick, tags, &self.agent(), now).await?;
        Ok(self.db.buyer(&nick).await?)
    }
}

/// What an import did, for the summary in the window and on the command line.
#[derive(Clone, Debug, Default, Serialize)]
pub struct ImportReport {
    pub files: Vec<String>,
    /// Data rows read from the files, good and bad.
    pub rows: u64,
    pub new: u64,
    pub updated: u64,
    pub unchanged: u64,
    pub rejected: u64,
    pub items: u64,
    pub items_skipped: u64,
    /// Whether anything was written: false when rows were rejected and the user did not
    /// ask to import the good ones.
    pub written: bool,
    pub problems: Vec<Problem>,
}

/// How far an import is, for the progress bar.
#[derive(Clone, Copy, Debug, Serialize)]
pub struct ImportProgress {
    pub stage: &'static str,
    pub done: u64,
    pub total: u64,
}

impl Desk {
    /// Imports order exports. All or nothing by default: if any row is rejected, nothing
    /// is written and every problem is reported; with `skip_bad` the good rows are
    /// written and the rejected ones listed. `keep_going` is asked between steps; when it
    /// says no, the import stops and nothing is written.
    pub async fn import(
        &self,
        paths: &[PathBuf],
        skip_bad: bool,
        now: DateTime<Utc>,
        mut on_progress: impl FnMut(ImportProgress) -> bool,
    ) -> Result<ImportReport> {
        if paths.is_empty() {
            return Err(Error::Usage("import: no file given".to_owned()));
        }
        let mut report = ImportReport::default();
        let mut orders = Vec::new();
        let mut items = Vec::new();
        let total = paths.len() as u64;
        for (done, path) in paths.iter().enumerate() {
            if !on_progress(ImportProgress {
                stage: "read",
                done: done as u64,
                total,
            }) {
                return Err(Error::Db(kefu_db::Error::Cancelled));
            }
            let path = path.clone();
            // Parsing a large export takes seconds: keep it off the async workers.
            let parsed = tokio::task::spawn_blocking(move || {
                kefu_import::read_file(&path, ShopTime::SHANGHAI)
            })
            .await
            .map_err(|e| Error::Unavailable(e.to_string()))??;
            report.files.push(path_name(&paths[done]));
            report.rows += parsed.rows;
            report.rejected += parsed.problems.len() as u64;
            report.problems.extend(parsed.problems);
            orders.extend(parsed.orders);
            items.extend(parsed.items);
        }
        if report.rejected > 0 && !skip_bad {
            return Ok(report);
        }
        let applied = self
            .db
            .apply(&orders, &items, &self.rules, now, |done, total| {
                on_progress(ImportProgress {
                    stage: "write",
                    done,
                    total,
                })
            })
            .await?;
        report.new = applied.new;
        report.updated = applied.updated;
        report.unchanged = applied.unchanged;
        report.items = applied.items;
        report.items_skipped = applied.items_skipped;
        report.written = true;
        Ok(report)
    }
}

/// A payment chase for the agent: the buyer, what is unpaid, and when it closes.
#[derive(Clone, Debug, Serialize)]
pub struct DueChase {
    pub nick: String,
    pub due_at: DateTime<Utc>,
    pub step: ChaseStep,
    pub orders: Vec<String>,
    pub amount: kefu_core::Fen,
    pub closes_at: DateTime<Utc>,
    /// Ready to copy into the chat: polite, with the nick and the close time.
    pub text: String,
}

/// What `followups` reports: chases due now (overdue included) and the ones coming.
#[derive(Clone, Debug, Default, Serialize)]
pub struct FollowupList {
    pub at: Option<DateTime<Utc>>,
    pub due: Vec<DueChase>,
    pub upcoming: Vec<DueChase>,
}

impl Desk {
    /// Plans every unpaid buyer's chases at `now` from the orders and the chases already
    /// announced; nothing is written.
    pub async fn followups(&self, now: DateTime<Utc>) -> Result<FollowupList> {
        let mut list = FollowupList {
            at: Some(now),
            ..Default::default()
        };
        for (nick, returning) in self.db.unpaid_buyers().await? {
            let orders = self.db.orders_of(&nick).await?;
            let sent = self.db.announced_chases(&nick).await?;
            for chase in plan_chases(
                &orders,
                returning,
                &sent,
                &self.rules,
                ShopTime::SHANGHAI,
                now,
            ) {
                let due = due_chase(&nick, &orders, chase);
                if due.due_at <= now {
                    list.due.push(due);
                } else {
                    list.upcoming.push(due);
                }
            }
        }
        list.due.sort_by_key(|c| c.closes_at);
        list.upcoming.sort_by_key(|c| c.due_at);
        Ok(list)
    }

    /// The scheduler's one step: records and returns the chases due at `now`. A chase is
    /// returned once, even across restarts or two processes on one database, because it is
    /// recorded before it is announced.
    pub async fn run_due(
        &self,
        now: DateTime<Utc>,
    ) -> Result<(Vec<DueChase>, Option<DateTime<Utc>>)> {
        let list = self.followups(now).await?;
        let mut fired = Vec::new();
        for c in list.due {
            let nick = BuyerNick::parse(&c.nick)?;
            let chase = kefu_core::followups::Chase {
                due_at: c.due_at,
                step: c.step,
                orders: c
                    .orders
                    .iter()
                    .map(|o| OrderNo::parse(o))
                    .collect::<kefu_core::Result<_>>()?,
                closes_at: c.closes_at,
            };
            if self.db.record_chase(&nick, &chase, now).await? {
                fired.push(c);
            }
        }
        Ok((fired, list.upcoming.first().map(|c| c.due_at)))
    }
}

fn due_chase(nick: &BuyerNick, orders: &[Order], chase: kefu_core::followups::Chase) -> DueChase {
    let amount = kefu_core::Fen(
        orders
            .iter()
            .filter(|o| chase.orders.contains(&o.no))
            .map(|o| o.total.0)
            .sum(),
    );
    let close_local = ShopTime::SHANGHAI
        .local(chase.closes_at)
        .format("%m月%d日 %H:%M");
    DueChase {
        nick: nick.to_string(),
        due_at: chase.due_at,
        step: chase.step,
        orders: chase.orders.iter().map(ToString::to_string).collect(),
        amount,
        closes_at: chase.closes_at,
        text: format!(
            "亲，{nick}，您拍下的宝贝还没有付款哦～订单将在 {close_local} 自动关闭，库存有限，付款后我们会尽快为您发货。如果付款遇到问题，随时告诉我们哦！"
        ),
    }
}

fn path_name(p: &std::path::Path) -> String {
    p.display().to_string()
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

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::Duration;

    async fn demo_desk(now: DateTime<Utc>) -> (tempfile::TempDir, Desk) {
        let dir = tempfile::tempdir().expect("temp dir");
        let url = DbUrl::from_path(&dir.path().join("desk.db"));
        let desk = Desk::open(&url, &Settings::default()).await.expect("open");
        desk.load_demo(now).await.expect("demo");
        (dir, desk)
    }

    fn noon() -> DateTime<Utc> {
        ShopTime::SHANGHAI
            .parse_local("2026-11-22 12:00:00")
            .expect("time")
    }

    #[tokio::test]
    async fn a_chase_is_announced_exactly_once_across_restarts() {
        let (dir, desk) = demo_desk(noon()).await;
        let (fired, next) = desk.run_due(noon()).await.expect("run");
        assert_eq!(fired.len(), 12);
        assert!(next.is_some_and(|t| t > noon()));
        assert!(desk.run_due(noon()).await.expect("again").0.is_empty());
        // A second process (or the app after a restart) on the same database.
        let url = DbUrl::from_path(&dir.path().join("desk.db"));
        let again = Desk::open(&url, &Settings::default())
            .await
            .expect("reopen");
        assert!(again
            .run_due(noon() + Duration::minutes(1))
            .await
            .expect("run")
            .0
            .is_empty());
        let text = &fired[0].text;
        assert!(
            text.contains(&fired[0].nick) && text.contains("自动关闭"),
            "{text}"
        );
    }

    #[tokio::test]
    async fn paying_an_order_cancels_its_remaining_chases() {
        let (_dir, desk) = demo_desk(noon()).await;
        let list = desk.followups(noon()).await.expect("list");
        // A buyer with a chase due now and more planned (its final chase).
        let nick = list
            .upcoming
            .iter()
            .find(|c| list.due.iter().any(|d| d.nick == c.nick))
            .map(|c| c.nick.clone())
            .expect("a buyer with more chases planned");
        let mut orders = desk
            .db
            .orders_of(&BuyerNick::parse(&nick).expect("nick"))
            .await
            .expect("orders");
        for o in &mut orders {
            o.status = OrderStatus::AwaitingShipment;
            o.paid_at = Some(noon());
        }
        desk.db
            .apply_orders(&orders, &desk.rules, noon())
            .await
            .expect("pay");
        let list = desk.followups(noon()).await.expect("list");
        assert!(!list
            .due
            .iter()
            .chain(&list.upcoming)
            .any(|c| c.nick == nick));
    }
}
