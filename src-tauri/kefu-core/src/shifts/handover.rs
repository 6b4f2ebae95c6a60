//! The change of shift: the reminder before a shift starts, who takes over from an agent
//! whose shift ends (交接班), and work split evenly among them (the seeds: the day's unpaid
//! orders are split between the day and the night shift).

use chrono::{DateTime, Duration, Utc};

use super::Shift;
use crate::error::{Error, Result};

/// An agent is reminded this long before its shift starts.
pub const REMINDER_LEAD_MINUTES: i64 = 10;

/// A shift can be handed over while it runs and this long after it ended (an agent who
/// stays a little late to finish a buyer).
pub const HANDOVER_GRACE_MINUTES: i64 = 4 * 60;

/// A handover note's longest length, in characters.
pub const HANDOVER_NOTE_LIMIT: usize = 500;

/// The shift an agent hands over at `now`: of its own published shifts, the latest one
/// that has started and ended less than `HANDOVER_GRACE_MINUTES` ago (or not yet).
pub fn leaving_shift(mine: &[Shift], now: DateTime<Utc>) -> Result<&Shift> {
    mine.iter()
        .filter(|s| s.start <= now && now < s.end + Duration::minutes(HANDOVER_GRACE_MINUTES))
        .max_by_key(|s| s.start)
        .ok_or_else(|| {
            Error::invalid(
                "handover",
                &now.to_rfc3339(),
                "no published shift of yours runs now or ended in the last 4 hours",
            )
        })
}

/// The note as stored: trimmed, at most `HANDOVER_NOTE_LIMIT` characters.
pub fn handover_note(raw: &str) -> Result<String> {
    let note = raw.trim();
    if note.chars().count() > HANDOVER_NOTE_LIMIT {
        return Err(Error::limit(
            "note",
            format!("a handover note holds at most {HANDOVER_NOTE_LIMIT} characters"),
        ));
    }
    Ok(note.to_owned())
}

/// Whether `now` is in the reminder window of `shift`: from ten minutes before its start
/// until it starts. A PC that starts within the window still reminds; one that starts later
/// does not (the agent is already late, and the header says so).
pub fn reminder_due(shift: &Shift, now: DateTime<Utc>) -> bool {
    shift.start - Duration::minutes(REMINDER_LEAD_MINUTES) <= now && now < shift.start
}

/// Who takes over from `leaving` when its shift ends: the agents on a published shift at
/// that moment, other than the leaving one, by name. Empty when nobody is: the work then
/// stays where it is (and routing's fallbacks apply to new buyers).
pub fn successors(leaving: &Shift, published: &[Shift]) -> Vec<String> {
    let at = leaving.end;
    let mut names: Vec<String> = published
        .iter()
        .filter(|s| s.agent != leaving.agent && s.start <= at && at < s.end)
        .map(|s| s.agent.clone())
        .collect();
    names.sort();
    names.dedup();
    names
}

/// A handover needs someone to receive it: refused when nobody is on shift as `leaving`
/// ends (the work then stays, and routing's fallbacks serve new buyers).
pub fn check_successors(receivers: &[String]) -> Result<()> {
    if receivers.is_empty() {
        return Err(Error::invalid(
            "handover",
            "",
            "nobody is on a published shift when yours ends to receive the work",
        ));
    }
    Ok(())
}

/// Gives each item, in order, to the receiver with the least work so far (what it already
/// has, `(name, load)`, plus what this split gave it), ties to the earlier receiver. With
/// equal starting loads the counts differ by at most one. No receivers: nothing is given.
pub fn balance<T>(items: Vec<T>, receivers: &[(String, u32)]) -> Vec<(T, String)> {
    if receivers.is_empty() {
        return Vec::new();
    }
    let mut load: Vec<u64> = receivers.iter().map(|(_, l)| u64::from(*l)).collect();
    items
        .into_iter()
        .map(|item| {
            let (i, _) = load
                .iter()
                .enumerate()
                .min_by_key(|(i, l)| (**l, *i))
                .unwrap_or((0, &0));
            load[i] += 1;
            (item, receivers[i].0.clone())
        })
        .collect()
}

/// An item of work handed over: its id and its buyer.
pub type Work = (i64, String);

/// Who receives what at a handover: conversations balanced by the receivers' load
/// (`receivers` as `(name, load)`); a follow-up goes with its buyer's conversation, and the
/// others are balanced by count. Returns (conversation, receiver) and (follow-up, receiver).
#[allow(clippy::type_complexity)]
pub fn hand_out(
    conversations: Vec<Work>,
    followups: Vec<Work>,
    receivers: &[(String, u32)],
) -> (Vec<(Work, String)>, Vec<(Work, String)>) {
    let talks = balance(conversations, receivers);
    let (with_buyer, rest): (Vec<Work>, Vec<Work>) = followups
        .into_iter()
        .partition(|(_, nick)| talks.iter().any(|((_, n), _)| n == nick));
    let mut given: Vec<(Work, String)> = with_buyer
        .into_iter()
        .filter_map(|f| {
            let to = talks.iter().find(|((_, n), _)| *n == f.1)?.1.clone();
            Some((f, to))
        })
        .collect();
    let counts: Vec<(String, u32)> = receivers
        .iter()
        .map(|(r, _)| {
            let n = given.iter().filter(|(_, to)| to == r).count();
            (r.clone(), u32::try_from(n).unwrap_or(u32::MAX))
        })
        .collect();
    given.extend(balance(rest, &counts));
    (talks, given)
}

#[cfg(test)]
mod tests {
    use super::super::tests::{at, d, tpl};
    use super::*;
    use crate::shop::ShopTime;
    use proptest::prelude::*;

    fn shift(agent: &str, date: &str, name: &str, start: &str, end: &str) -> Shift {
        Shift::new(agent, d(date), &tpl(name, start, end), ShopTime::SHANGHAI)
    }

    #[test]
    fn the_reminder_runs_from_ten_minutes_before_until_the_start() {
        let s = shift("小美", "2026-11-24", "早班", "08:00", "16:00");
        assert!(!reminder_due(&s, at("2026-11-24 07:49")));
        assert!(reminder_due(&s, at("2026-11-24 07:50")));
        assert!(reminder_due(&s, at("2026-11-24 07:59")));
        assert!(!reminder_due(&s, at("2026-11-24 08:00")));
    }

    #[test]
    fn the_next_shift_takes_over_at_the_end_of_this_one() {
        let day = shift("小美", "2026-11-24", "早班", "08:00", "16:00");
        let published = [
            day.clone(),
            shift("小王", "2026-11-24", "晚班", "16:00", "24:00"),
            shift("阿杰", "2026-11-24", "中班", "12:00", "20:00"),
            // Ends as 小美's ends: not there to take over.
            shift("小李", "2026-11-24", "早班", "08:00", "16:00"),
            shift("小赵", "2026-11-25", "早班", "08:00", "16:00"),
        ];
        assert_eq!(successors(&day, &published), ["小王", "阿杰"]);
        let night = shift("小王", "2026-11-24", "晚班", "16:00", "24:00");
        assert!(successors(&night, &published).is_empty());
        assert!(check_successors(&successors(&day, &published)).is_ok());
        assert!(check_successors(&successors(&night, &published)).is_err());
    }

    #[test]
    fn the_shift_handed_over_is_the_running_or_just_ended_one() {
        let mine = [
            shift("小美", "2026-11-23", "早班", "08:00", "16:00"),
            shift("小美", "2026-11-24", "早班", "08:00", "16:00"),
        ];
        let at = |t| leaving_shift(&mine, super::super::tests::at(t)).map(|s| s.date);
        assert_eq!(at("2026-11-24 15:55").unwrap(), d("2026-11-24"));
        assert_eq!(at("2026-11-24 19:59").unwrap(), d("2026-11-24"));
        assert!(at("2026-11-24 20:00").is_err());
        assert!(at("2026-11-24 07:59").is_err());
        assert_eq!(handover_note("  客户A 要发票  ").unwrap(), "客户A 要发票");
        assert!(handover_note(&"字".repeat(501)).is_err());
    }

    #[test]
    fn work_goes_to_the_least_loaded_first() {
        let receivers = [("小王".to_owned(), 3), ("阿杰".to_owned(), 0)];
        let given = balance(vec![1, 2, 3, 4, 5], &receivers);
        let to: Vec<&str> = given.iter().map(|(_, a)| a.as_str()).collect();
        assert_eq!(to, ["阿杰", "阿杰", "阿杰", "小王", "阿杰"]);
        assert!(balance(vec![1], &[]).is_empty());
    }

    #[test]
    fn a_buyers_follow_ups_go_with_its_conversation() {
        let w = |id: i64, nick: &str| (id, nick.to_owned());
        let receivers = [("小王".to_owned(), 0), ("阿杰".to_owned(), 0)];
        let (talks, follow) = hand_out(
            vec![w(1, "买家一"), w(2, "买家二")],
            vec![
                w(10, "买家一"),
                w(11, "买家二"),
                w(12, "买家二"),
                w(13, "买家九"),
            ],
            &receivers,
        );
        let to = |list: &[(Work, String)], id: i64| {
            list.iter().find(|(x, _)| x.0 == id).map(|(_, r)| r.clone())
        };
        assert_eq!(to(&talks, 1).as_deref(), Some("小王"));
        assert_eq!(to(&talks, 2).as_deref(), Some("阿杰"));
        assert_eq!(to(&follow, 10).as_deref(), Some("小王"));
        assert_eq!(to(&follow, 11).as_deref(), Some("阿杰"));
        assert_eq!(to(&follow, 12).as_deref(), Some("阿杰"));
        // 买家九 has no conversation: to whoever got fewer follow-ups.
        assert_eq!(to(&follow, 13).as_deref(), Some("小王"));
    }

    proptest! {
        #[test]
        fn a_split_is_even_and_gives_everything(
            n in 0usize..200,
            loads in prop::collection::vec(0u32..20, 1..8),
        ) {
            let receivers: Vec<(String, u32)> =
                loads.iter().enumerate().map(|(i, l)| (format!("a{i}"), *l)).collect();
            let given = balance((0..n).collect(), &receivers);
            prop_assert_eq!(given.len(), n);
            let after: Vec<u64> = receivers
                .iter()
                .map(|(name, l)| u64::from(*l) + given.iter().filter(|(_, a)| a == name).count() as u64)
                .collect();
            // Whoever received anything ends at most one above the least loaded.
            let least = *after.iter().min().unwrap();
            for (i, (name, _)) in receivers.iter().enumerate() {
                if given.iter().any(|(_, a)| a == name) {
                    prop_assert!(after[i] <= least + 1, "{after:?}");
                }
            }
        }
    }
}
