//! What an operation changed, reported to whoever called it. The window turns changes into
//! events, the tray's count and notifications in one place (`crate::events`); the command
//! line has no window to tell and keeps only the value.

use chrono::{DateTime, Utc};
use kefu_db::{Conversation, Fired};

/// One thing that changed. The operations of `Desk` report the first kinds; the shell's
/// loops (the database watch, the chase timer) report the others through the same place.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Change {
    /// Orders were written (the demo, an import): chases may start or stop, every view
    /// reloads.
    Orders,
    /// A buyer appeared or moved group without an order (a new inquiry): every view
    /// reloads.
    Buyers,
    /// A buyer's note or tags: the reply already carries them and nothing else shows them.
    BuyerNote,
    /// Follow-ups were snoozed, done or added: the next due time may move.
    Agenda,
    /// Follow-ups fell due and this PC claimed them (each once, across PCs): announce them,
    /// with times left counted from `at`, the step's own moment.
    Announced { fired: Fired, at: DateTime<Utc> },
    /// Open follow-ups due now: the tray's count.
    DueNow(i64),
    /// The team changed: a state, an assignment, an account, a heartbeat.
    Team,
    /// Buyers waiting too long in the queue, as (nick, seconds), each reported once.
    QueueLate(Vec<(String, i64)>),
    /// Buyers newly routed to the account signed in here and not yet greeted.
    Assigned(Vec<Conversation>),
    /// The database changed from outside this window (a script, another PC).
    External,
    /// The database stopped answering (`ok` false, with why) or answers again.
    Connection { ok: bool, message: String },
    /// Notifications were paused: the chase timer plans again.
    Paused,
    /// The shift schedule changed (a draft edited, a week published).
    Schedule,
    /// A quick phrase set changed (edited here or on another PC of the shop).
    Phrases,
    /// A fact 绩效 counts was recorded (a reported message).
    Kpi,
    /// Shifts of the account signed in here start within the reminder lead (each reported
    /// once).
    ShiftSoon(Vec<kefu_core::shifts::Shift>),
    /// The follow-up loop finished a step: what it has done since launch.
    Stepped(Steps),
}

/// What the follow-up loop has done since the app started. The window keeps the latest, so
/// that "the catch-up is over and it was one notification" is something to wait for.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, serde::Serialize)]
pub struct Steps {
    /// Steps run (a pause is not a step).
    pub steps: u64,
    /// Follow-ups this PC claimed and announced.
    pub announced: u64,
    /// Notifications the desktop accepted, of every kind.
    pub notifications: u64,
}

/// An operation's result with what it changed.
#[must_use = "hand the changes to the window (`events::publish`) or keep only the value"]
#[derive(Clone, Debug)]
pub struct Changed<T> {
    pub value: T,
    pub changes: Vec<Change>,
}

impl<T> Changed<T> {
    pub fn new(value: T, changes: Vec<Change>) -> Changed<T> {
        Changed { value, changes }
    }

    pub fn one(value: T, change: Change) -> Changed<T> {
        Changed::new(value, vec![change])
    }

    pub fn none(value: T) -> Changed<T> {
        Changed::new(value, Vec::new())
    }
}
