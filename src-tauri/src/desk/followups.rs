//! Follow-ups (待办): the agenda, the scheduler's step, snooze, done and by hand.

use chrono::{DateTime, Utc};
use kefu_core::agenda::{Kind, Snooze};
use kefu_core::phrases::{self, Set};
use kefu_core::ShopTime;
use kefu_core::{BuyerNick, FollowUpNote, OrderNo};
use kefu_db::{Agenda, AgendaCounts, FollowUp};
use serde::Serialize;

use super::{Change, Changed, Desk};
use crate::error::Result;

/// The agenda's counts and the app clock they were read at (the window shows times left
/// against it).
#[derive(Clone, Copy, Debug, Serialize)]
pub struct AgendaCountsAt {
    pub at: DateTime<Utc>,
    pub counts: AgendaCounts,
}

impl Desk {
    /// The agenda (待办) at `now` of the agent signed in here: follow-ups with no owner
    /// are theirs until routing assigns buyers. Nothing is written.
    pub async fn followups(&self, now: DateTime<Utc>) -> Result<Agenda> {
        let agenda = self.db.agenda(now, Some(&self.agent()), 500).await?;
        self.in_shop_words(agenda).await
    }

    /// How many follow-ups each list of this agent's agenda holds at `now`, without the
    /// lists: what the sidebar shows while the agenda itself is not on screen.
    pub async fn followup_counts(&self, now: DateTime<Utc>) -> Result<AgendaCountsAt> {
        Ok(AgendaCountsAt {
            at: now,
            counts: self.db.agenda_counts(now, Some(&self.agent())).await?,
        })
    }

    /// Every agent's agenda at `now`, for support and the supervisor.
    pub async fn everyones_followups(&self, now: DateTime<Utc>) -> Result<Agenda> {
        let agenda = self.db.agenda(now, None, 500).await?;
        self.in_shop_words(agenda).await
    }

    /// The agenda's messages as the shop wrote them: its own 跟进 phrases (the default
    /// library's until the shop edits them).
    async fn in_shop_words(&self, mut agenda: Agenda) -> Result<Agenda> {
        let book = self.db.phrase_book(Set::Shop, "").await?;
        let lists = [&mut agenda.overdue, &mut agenda.due, &mut agenda.upcoming];
        for f in lists.into_iter().flat_map(|l| l.iter_mut()) {
            reword(&book.phrases, f);
        }
        Ok(agenda)
    }

    /// The scheduler's one step: buyers whose standing a platform timer changed by `now`
    /// move group, and what fell due by `now` is claimed (each once, across restarts and
    /// PCs), reported as announced. Returns when the step is due again: the next follow-up
    /// falling due or the next timer passing.
    pub async fn run_due(&self, now: DateTime<Utc>) -> Result<Changed<Option<DateTime<Utc>>>> {
        let moved = self.db.regroup_due(&self.rules, now).await?;
        let (mut fired, next) = self
            .db
            .run_due(now, Some(&self.agent()), &self.rules)
            .await?;
        if !fired.shown.is_empty() {
            // Announced in the shop's own words, as the agenda shows them.
            let book = self.db.phrase_book(Set::Shop, "").await?;
            for f in &mut fired.shown {
                reword(&book.phrases, f);
            }
        }
        let regroup = self.db.next_regroup().await?;
        let next = match (next, regroup) {
            (Some(a), Some(b)) => Some(a.min(b)),
            (a, b) => a.or(b),
        };
        let mut changes = vec![Change::Announced { fired, at: now }];
        if moved > 0 {
            changes.push(Change::Buyers);
        }
        Ok(Changed::new(next, changes))
    }

    /// Open follow-ups due by `now`: the tray's count.
    pub async fn due_count(&self, now: DateTime<Utc>) -> Result<Change> {
        Ok(Change::DueNow(self.db.due_count(now).await?))
    }

    /// Snoozes a follow-up for `choice`: `15m`, `1h` or `tomorrow` (09:00).
    pub async fn snooze(
        &self,
        id: i64,
        choice: &str,
        now: DateTime<Utc>,
    ) -> Result<Changed<FollowUp>> {
        let snooze = Snooze::parse(choice)?;
        let owner = self.check_may_act_on(id, now).await?;
        let f = self.db.snooze(id, snooze, now, owner.as_deref()).await?;
        Ok(Changed::one(f, Change::Agenda))
    }

    pub async fn done(&self, id: i64, now: DateTime<Utc>) -> Result<Changed<FollowUp>> {
        let owner = self.check_may_act_on(id, now).await?;
        let f = self
            .db
            .done(id, &self.agent(), now, owner.as_deref())
            .await?;
        Ok(Changed::one(f, Change::Agenda))
    }

    /// A signed-in agent acts on its own follow-ups and nobody's; a supervisor on anyone's
    /// (the core's rule). A PC without a shop account has one agent, whose agenda is all.
    /// Returns the owner the rule was checked against: the update takes the follow-up only
    /// while that is still its owner.
    async fn check_may_act_on(&self, id: i64, now: DateTime<Utc>) -> Result<Option<String>> {
        let Ok(actor) = self.account() else {
            return Ok(None);
        };
        let f = self.db.follow_up(id, now).await?;
        kefu_core::team::check_followup_action(&actor, &f.owner)?;
        Ok(Some(f.owner))
    }

    /// Adds a follow-up by hand for a buyer: `promised_answer`, `refund_reply`,
    /// `refund_reply_quick` or `return_receipt`, owned by the agent signed in here.
    pub async fn add_followup(
        &self,
        nick: &str,
        kind: &str,
        order: Option<&str>,
        note: &str,
        now: DateTime<Utc>,
    ) -> Result<Changed<FollowUp>> {
        let nick = BuyerNick::parse(nick)?;
        let kind = Kind::parse(kind)?;
        let order = order
            .filter(|o| !o.trim().is_empty())
            .map(OrderNo::parse)
            .transpose()?;
        let note = FollowUpNote::parse(note)?;
        let planned = kefu_core::agenda::by_hand(kind, order, now, &self.rules)?;
        let f = self
            .db
            .add_by_hand(&nick, &planned, note.as_str(), &self.agent(), now)
            .await?;
        Ok(Changed::one(f, Change::Agenda))
    }

    /// The open follow-ups of one buyer, for the buyer panel.
    pub async fn followups_of(&self, nick: &str, now: DateTime<Utc>) -> Result<Vec<FollowUp>> {
        let mut list = self.db.follow_ups_of(&BuyerNick::parse(nick)?, now).await?;
        let book = self.db.phrase_book(Set::Shop, "").await?;
        for f in &mut list {
            reword(&book.phrases, f);
        }
        Ok(list)
    }
}

/// A follow-up's message in the shop's phrase for its kind.
fn reword(shop: &[kefu_core::phrases::Phrase], f: &mut FollowUp) {
    f.text = phrases::follow_up_message(shop, f.kind, &f.nick, f.expires_at, ShopTime::SHANGHAI);
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::settings::Settings;
    use chrono::Duration;
    use kefu_core::{OrderStatus, ShopTime};
    use kefu_db::DbUrl;

    async fn demo_desk(now: DateTime<Utc>) -> (tempfile::TempDir, Desk) {
        let dir = tempfile::tempdir().expect("temp dir");
        let url = DbUrl::from_path(&dir.path().join("desk.db"));
        let desk = Desk::open(&url, &Settings::default()).await.expect("open");
        let _ = desk.load_demo(now).await.expect("demo").value;
        (dir, desk)
    }

    /// While an account is signed in, what this PC writes is written as that account,
    /// whatever name the settings give this PC's agent.
    #[tokio::test]
    async fn records_are_written_as_the_signed_in_account() {
        let now = noon();
        let (_dir, desk) = demo_desk(now).await;
        let _main = desk
            .create_account("云朵旗舰店", "main", "main-pass-1", 8, 1, now)
            .await
            .expect("main account")
            .value;
        desk.authenticate("云朵旗舰店", "main-pass-1", now)
            .await
            .expect("sign in");
        // The settings are saved with another name while signed in.
        desk.set_agent("前台电脑");
        assert_eq!(desk.agent(), "云朵旗舰店");
        let nick = desk.buyers("order", 0, 1).await.expect("a buyer")[0]
            .nick
            .clone();
        let f = desk
            .add_followup(&nick, "promised_answer", None, "问尺码", now)
            .await
            .expect("added")
            .value;
        assert_eq!(f.owner, "云朵旗舰店");
    }

    fn noon() -> DateTime<Utc> {
        ShopTime::SHANGHAI
            .parse_local("2026-11-22 12:00:00")
            .expect("time")
    }

    impl Desk {
        /// The scheduler's step as (announced, next due), the way the assertions read it.
        async fn run_step(
            &self,
            now: DateTime<Utc>,
        ) -> Result<(Vec<FollowUp>, Option<DateTime<Utc>>)> {
            let step = self.run_due(now).await?;
            let fired = step
                .changes
                .into_iter()
                .flat_map(|c| match c {
                    Change::Announced { fired, .. } => fired.shown,
                    _ => Vec::new(),
                })
                .collect();
            Ok((fired, step.value))
        }
    }

    fn chases(list: &[FollowUp]) -> Vec<&FollowUp> {
        list.iter().filter(|f| f.kind == Kind::Chase).collect()
    }

    #[tokio::test]
    async fn a_follow_up_is_announced_exactly_once_across_restarts() {
        let (dir, desk) = demo_desk(noon()).await;
        let (fired, next) = desk.run_step(noon()).await.expect("run");
        assert_eq!(
            chases(&fired).len(),
            12,
            "every unpaid demo buyer's first chase"
        );
        assert!(next.is_some_and(|t| t > noon()));
        assert!(desk.run_step(noon()).await.expect("again").0.is_empty());
        // A second process (or the app after a restart) on the same database.
        let url = DbUrl::from_path(&dir.path().join("desk.db"));
        let again = Desk::open(&url, &Settings::default())
            .await
            .expect("reopen");
        assert!(again
            .run_step(noon() + Duration::minutes(1))
            .await
            .expect("run")
            .0
            .is_empty());
        let c = chases(&fired)[0];
        assert!(
            c.text.contains(&c.nick) && c.text.contains("自动关闭"),
            "{}",
            c.text
        );
        // Announced is not done: the chases stay on the agenda until the agent acts.
        let list = desk.followups(noon()).await.expect("list");
        assert_eq!(chases(&list.due).len(), 12);
        assert!(list.due.iter().all(|f| f.announced));
    }

    #[tokio::test]
    async fn paying_an_order_cancels_its_remaining_chases() {
        let (_dir, desk) = demo_desk(noon()).await;
        desk.run_step(noon()).await.expect("run");
        let list = desk.everyones_followups(noon()).await.expect("list");
        // A buyer with a chase due now and more planned (its final chase).
        let nick = chases(&list.upcoming)
            .iter()
            .find(|c| list.due.iter().any(|d| d.nick == c.nick))
            .map(|c| c.nick.clone());
        // The final chase is 2 h before the close, which may be beyond the next 24 h.
        let nick = match nick {
            Some(n) => n,
            None => chases(&list.due)[0].nick.clone(),
        };
        let mut orders = desk
            .db
            .orders_of(&BuyerNick::parse(&nick).expect("nick"))
            .await
            .expect("orders");
        for o in &mut orders {
            if o.status == OrderStatus::AwaitingPayment {
                o.status = OrderStatus::AwaitingShipment;
                o.paid_at = Some(noon());
            }
        }
        desk.db
            .apply_orders(&orders, &desk.rules, noon())
            .await
            .expect("pay");
        let later = noon() + Duration::hours(80);
        for at in [noon(), later] {
            let list = desk.everyones_followups(at).await.expect("list");
            assert!(
                !list
                    .overdue
                    .iter()
                    .chain(&list.due)
                    .chain(&list.upcoming)
                    .any(|c| c.nick == nick && c.kind == Kind::Chase),
                "no chase of {nick} left at {at}"
            );
        }
        // Not announced later either.
        let (fired, _) = desk.run_step(later).await.expect("run");
        assert!(!fired
            .iter()
            .any(|f| f.nick == nick && f.kind == Kind::Chase));
    }

    #[tokio::test]
    async fn the_agenda_speaks_in_the_shops_own_phrases() {
        use crate::desk::PhraseEdit;
        use kefu_core::phrases::Phrase;
        let (_dir, desk) = demo_desk(noon()).await;
        let book = desk
            .phrase_book(Set::Shop)
            .await
            .expect("the shop's phrases");
        let at = book
            .phrases
            .iter()
            .position(|p| p.code == "跟进催付")
            .expect("the chase's phrase");
        let phrase = Phrase::new("跟进", "跟进催付", "{买家}：请在{关闭时间}前付款");
        let edit = PhraseEdit::Edit { at, phrase };
        let saved = desk
            .edit_phrases(Set::Shop, book.version, edit, noon())
            .await
            .expect("a PC without accounts is the whole shop")
            .value;
        assert_eq!(saved.version, 1);
        let agenda = desk.followups(noon()).await.expect("agenda");
        let chase = agenda
            .overdue
            .iter()
            .chain(&agenda.due)
            .chain(&agenda.upcoming)
            .find(|f| f.kind == Kind::Chase)
            .expect("the demo shop has a chase");
        let expected = format!("{}：请在", chase.nick);
        assert!(chase.text.starts_with(&expected), "{}", chase.text);
        assert!(
            chase.text.ends_with("前付款") && chase.text.contains('月'),
            "{}",
            chase.text
        );
    }

    #[tokio::test]
    async fn snooze_done_and_by_hand() {
        let (_dir, desk) = demo_desk(noon()).await;
        desk.run_step(noon()).await.expect("run");
        let list = desk.followups(noon()).await.expect("list");
        let first = chases(&list.due)[0].clone();

        let s = desk
            .snooze(first.id, "1h", noon())
            .await
            .expect("snooze")
            .value;
        assert_eq!(s.due_at, noon() + Duration::hours(1));
        assert!(!s.announced);
        let list = desk.followups(noon()).await.expect("list");
        assert!(!list.due.iter().any(|f| f.id == first.id));
        assert!(list.upcoming.iter().any(|f| f.id == first.id));
        // Announced again when the snooze ends, once.
        let (fired, _) = desk
            .run_step(noon() + Duration::hours(1))
            .await
            .expect("run");
        assert_eq!(fired.iter().filter(|f| f.id == first.id).count(), 1);

        let _ = desk.done(first.id, noon()).await.expect("done").value;
        assert!(desk.done(first.id, noon()).await.is_err(), "done once");
        let list = desk
            .followups(noon() + Duration::hours(2))
            .await
            .expect("list");
        assert!(!list
            .overdue
            .iter()
            .chain(&list.due)
            .any(|f| f.id == first.id));

        let promised = desk
            .add_followup(&first.nick, "promised_answer", None, "尺码表", noon())
            .await
            .expect("add")
            .value;
        assert_eq!(promised.due_at, noon() + Duration::hours(20));
        assert_eq!(promised.expires_at, Some(noon() + Duration::hours(24)));
        assert_eq!(promised.owner, desk.agent());
        assert!(desk
            .add_followup("不存在的买家", "promised_answer", None, "", noon())
            .await
            .is_err());
        assert!(desk
            .add_followup(&first.nick, "chase", None, "", noon())
            .await
            .is_err());
        // An order number that is not this buyer's is refused by name.
        let err = desk
            .add_followup(&first.nick, "refund_reply", Some("1"), "", noon())
            .await
            .expect_err("not the buyer's order");
        assert_eq!(err.code(), "not_found");
        assert!(err.to_string().contains("order 1 of buyer"), "{err}");
        let long = "字".repeat(501);
        let err = desk
            .add_followup(&first.nick, "promised_answer", None, &long, noon())
            .await
            .expect_err("a note too long");
        assert!(err.to_string().starts_with("note:"), "{err}");
    }
}
