//! Quick phrases (快捷短语): canned replies in groups, each with a code the agent types.
//! Two sets as in Qianniu: the shop's, shared by the team and edited by a supervisor or the
//! main account, and each agent's own. A set is an ordered list; the operations an agent
//! knows (add, insert, edit, delete, move up and down, move to another group) are pure
//! functions on it that keep its rules: codes unique in the set, every text a valid
//! template (`fill`).

pub mod fill;
pub mod find;
mod library;

use serde::{Deserialize, Serialize};

use crate::team::{allowed, Action, Role};
use crate::{Error, Result};

pub use fill::{Missing, Values, Var};
pub use find::{Finder, Found, Match};
pub use library::{default_library, follow_up_code};

/// Which set a phrase belongs to.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Set {
    /// 店铺: every agent sees them; a supervisor or the main account edits them.
    Shop,
    /// 个人: one agent's own.
    Personal,
}

impl Set {
    pub fn code(self) -> &'static str {
        match self {
            Set::Shop => "shop",
            Set::Personal => "personal",
        }
    }

    pub fn from_code(code: &str) -> Option<Set> {
        match code {
            "shop" => Some(Set::Shop),
            "personal" => Some(Set::Personal),
            _ => None,
        }
    }
}

/// Whether an account with `role` may change `set`: the shop's set is a supervisor's or
/// the main account's; one's own set is one's own.
pub fn may_edit(role: Role, set: Set) -> Result<()> {
    match set {
        Set::Shop => allowed(role, Action::EditShopPhrases),
        Set::Personal => Ok(()),
    }
}

pub const MAX_GROUP_CHARS: usize = 20;
pub const MAX_CODE_CHARS: usize = 32;
pub const MAX_TEXT_CHARS: usize = 2000;
/// The group of a phrase saved without one.
pub const DEFAULT_GROUP: &str = "默认";

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Phrase {
    /// 分组
    pub group: String,
    /// 快捷编码: free text (may be Chinese), unique within its set.
    pub code: String,
    /// 快捷短语: a template (`fill`).
    pub text: String,
}

impl Phrase {
    pub fn new(group: &str, code: &str, text: &str) -> Phrase {
        Phrase {
            group: group.to_owned(),
            code: code.to_owned(),
            text: text.to_owned(),
        }
    }

    /// The phrase as it is stored: trimmed, the default group for none, and checked.
    pub fn checked(self) -> Result<Phrase> {
        let group = match self.group.trim() {
            "" => DEFAULT_GROUP.to_owned(),
            g => g.to_owned(),
        };
        let code = self.code.trim().to_owned();
        let text = self.text.trim().to_owned();
        if group.chars().count() > MAX_GROUP_CHARS {
            return Err(Error::invalid("group", &group, "at most 20 characters"));
        }
        if code.is_empty() {
            return Err(Error::invalid("code", &code, "a phrase needs a code"));
        }
        if code.chars().count() > MAX_CODE_CHARS || code.chars().any(char::is_control) {
            return Err(Error::invalid(
                "code",
                &code,
                "at most 32 characters, no line breaks",
            ));
        }
        if text.is_empty() {
            return Err(Error::invalid("text", &text, "a phrase needs a text"));
        }
        if text.chars().count() > MAX_TEXT_CHARS {
            return Err(Error::limit("text", "at most 2,000 characters"));
        }
        fill::parse(&text)?;
        Ok(Phrase { group, code, text })
    }
}

/// Codes are compared as agents type them: case and surrounding spaces do not count.
fn same_code(a: &str, b: &str) -> bool {
    a.trim().to_lowercase() == b.trim().to_lowercase()
}

/// Checks that `phrase` (at `index` in `set`, or new) does not reuse another's code.
fn check_code_free(set: &[Phrase], phrase: &Phrase, index: Option<usize>) -> Result<()> {
    let taken = set
        .iter()
        .enumerate()
        .any(|(i, p)| Some(i) != index && same_code(&p.code, &phrase.code));
    if taken {
        return Err(Error::invalid(
            "code",
            &phrase.code,
            "already used by another phrase of this set",
        ));
    }
    Ok(())
}

fn check_index(set: &[Phrase], index: usize) -> Result<()> {
    if index >= set.len() {
        return Err(Error::invalid(
            "position",
            &index.to_string(),
            "no phrase there",
        ));
    }
    Ok(())
}

/// Adds a phrase at the end of its group (a new group goes at the end); returns its index.
pub fn add(set: &mut Vec<Phrase>, phrase: Phrase) -> Result<usize> {
    let phrase = phrase.checked()?;
    check_code_free(set, &phrase, None)?;
    let at = set
        .iter()
        .rposition(|p| p.group == phrase.group)
        .map_or(set.len(), |i| i + 1);
    set.insert(at, phrase);
    Ok(at)
}

/// Inserts a phrase at `index` (0 ..= len), before the phrase that was there.
pub fn insert(set: &mut Vec<Phrase>, index: usize, phrase: Phrase) -> Result<()> {
    let phrase = phrase.checked()?;
    check_code_free(set, &phrase, None)?;
    if index > set.len() {
        return Err(Error::invalid(
            "position",
            &index.to_string(),
            "past the end of the set",
        ));
    }
    set.insert(index, phrase);
    Ok(())
}

/// Replaces the phrase at `index`, keeping its place (its group may change).
pub fn edit(set: &mut [Phrase], index: usize, phrase: Phrase) -> Result<()> {
    check_index(set, index)?;
    let phrase = phrase.checked()?;
    check_code_free(set, &phrase, Some(index))?;
    set[index] = phrase;
    Ok(())
}

pub fn delete(set: &mut Vec<Phrase>, index: usize) -> Result<Phrase> {
    check_index(set, index)?;
    Ok(set.remove(index))
}

/// Moves the phrase at `index` one place up (`up`) or down within its group; returns its
/// new index. At the edge of its group it stays.
pub fn shift(set: &mut [Phrase], index: usize, up: bool) -> Result<usize> {
    check_index(set, index)?;
    let group = set[index].group.clone();
    let neighbour = if up {
        set[..index].iter().rposition(|p| p.group == group)
    } else {
        set[index + 1..]
            .iter()
            .position(|p| p.group == group)
            .map(|i| index + 1 + i)
    };
    Ok(match neighbour {
        Some(n) => {
            set.swap(index, n);
            n
        }
        None => index,
    })
}

/// Moves the phrase at `index` to the end of `group`; returns its new index.
pub fn move_to_group(set: &mut Vec<Phrase>, index: usize, group: &str) -> Result<usize> {
    check_index(set, index)?;
    let phrase = set.remove(index);
    let moved = Phrase {
        group: group.to_owned(),
        ..phrase.clone()
    };
    add(set, moved).inspect_err(|_| {
        // A group name that is refused leaves the set as it was.
        set.insert(index, phrase);
    })
}

/// What an import does with a phrase whose code the set already has.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum OnDuplicate {
    /// The set's phrase stays; the file's is skipped.
    Keep,
    /// The file's phrase takes the set's one's place.
    Replace,
}

/// What a merge did.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize)]
pub struct Merged {
    pub added: u64,
    pub replaced: u64,
    pub kept: u64,
}

/// Merges phrases read from a file into a set, all or nothing: each new one goes to the
/// end of its group. Without `on_duplicate`, a code the set already has refuses the whole
/// merge: the indexes (into `incoming`) of every such phrase come back, and the set is
/// unchanged; so does the first phrase the set's rules refuse.
pub fn merge(
    set: &mut Vec<Phrase>,
    incoming: Vec<Phrase>,
    on_duplicate: Option<OnDuplicate>,
) -> Result<std::result::Result<Merged, Vec<usize>>> {
    let mut out = set.clone();
    let mut merged = Merged::default();
    let mut duplicates = Vec::new();
    for (i, phrase) in incoming.into_iter().enumerate() {
        let phrase = phrase.checked()?;
        match out.iter().position(|p| same_code(&p.code, &phrase.code)) {
            None => {
                add(&mut out, phrase)?;
                merged.added += 1;
            }
            Some(at) => match on_duplicate {
                None => duplicates.push(i),
                Some(OnDuplicate::Keep) => merged.kept += 1,
                Some(OnDuplicate::Replace) => {
                    edit(&mut out, at, phrase)?;
                    merged.replaced += 1;
                }
            },
        }
    }
    if !duplicates.is_empty() {
        return Ok(Err(duplicates));
    }
    *set = out;
    Ok(Ok(merged))
}

/// The message of a follow-up of `kind`: the phrase of the shop's set with the kind's code
/// (the default library's when the shop has removed it), filled with the buyer and the
/// deadline in shop time. A deadline the follow-up lacks is written as unknown, never left
/// as a gap.
pub fn follow_up_message(
    set: &[Phrase],
    kind: crate::agenda::Kind,
    nick: &str,
    deadline: Option<chrono::DateTime<chrono::Utc>>,
    shop: crate::ShopTime,
) -> String {
    let code = follow_up_code(kind);
    let text = match set.iter().find(|p| p.code == code) {
        Some(p) => p.text.as_str(),
        None => library::default_text(code).unwrap_or_default(),
    };
    render_follow_up(text, nick, deadline, shop)
}

fn render_follow_up(
    text: &str,
    nick: &str,
    deadline: Option<chrono::DateTime<chrono::Utc>>,
    shop: crate::ShopTime,
) -> String {
    let mut values = Values::of(nick, "", None, deadline, shop);
    if deadline.is_none() {
        values.set(Var::CloseAt, "（时间未知）");
    }
    let answers = Default::default();
    match fill::fill(text, &values, &answers) {
        Ok(Ok(filled)) => filled,
        // A stored phrase always parses (it was checked when saved); one naming what a
        // follow-up has no value for shows the text as written, never a silent gap.
        _ => text.to_owned(),
    }
}

/// The groups of a set in the order they first appear.
pub fn groups(set: &[Phrase]) -> Vec<&str> {
    let mut out: Vec<&str> = Vec::new();
    for p in set {
        if !out.contains(&p.group.as_str()) {
            out.push(&p.group);
        }
    }
    out
}

#[cfg(test)]
mod tests;
