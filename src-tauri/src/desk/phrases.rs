//! Quick phrases: the shop's set and this agent's own, edited through kefu-core's
//! operations (the role checked there), found as the agent types, filled from the buyer
//! and order selected.

use std::collections::hash_map::Entry;
use std::collections::{BTreeMap, HashMap};
use std::sync::{Arc, Mutex};

use chrono::{DateTime, Utc};
use kefu_core::phrases::{self, fill, Finder, Match, Missing, Phrase, Set, Values};
use kefu_core::team::Role;
use kefu_core::{BuyerNick, ShopTime};
use kefu_db::PhraseBook;
use serde::{Deserialize, Serialize};

use super::{Change, Changed, Desk};
use crate::error::{Error, Result};

/// One operation on a set, as the window and the command line ask for it. Positions are
/// indexes in the set as read at `version`.
#[derive(Clone, Debug, Deserialize)]
#[serde(tag = "op", rename_all = "snake_case")]
pub enum PhraseEdit {
    Add { phrase: Phrase },
    Insert { at: usize, phrase: Phrase },
    Edit { at: usize, phrase: Phrase },
    Delete { at: usize },
    Up { at: usize },
    Down { at: usize },
    ToGroup { at: usize, group: String },
}

/// At most this many phrases chained into one message.
pub const MAX_CHAINED: usize = 20;

/// One phrase of a message being put together: which, and the agent's answers for its
/// prompted blanks (`{?尺码}` → 尺码).
#[derive(Clone, Debug, Deserialize)]
pub struct PhrasePart {
    pub set: Set,
    pub code: String,
    #[serde(default)]
    pub answers: BTreeMap<String, String>,
}

/// Both sets, and whether the account signed in may edit the shop's.
#[derive(Clone, Debug, Serialize)]
pub struct PhraseSets {
    pub shop: PhraseBook,
    pub personal: PhraseBook,
    pub may_edit_shop: bool,
}

/// A phrase found for what the agent typed, filled for the buyer and order selected, or
/// with what is missing named.
#[derive(Clone, Debug, Serialize)]
pub struct PhraseHit {
    pub set: Set,
    pub how: Match,
    pub group: String,
    pub code: String,
    pub text: String,
    /// The text to paste, when nothing is missing.
    pub filled: Option<String>,
    pub missing: Missing,
}

/// A set as read at its version, with its finder (building one computes every phrase's
/// pinyin initials: tens of milliseconds for thousands of phrases).
#[derive(Debug)]
pub struct Prepared {
    pub book: PhraseBook,
    pub finder: Finder,
}

/// A set and its owner (empty for the shop's).
type SetKey = (Set, String);

/// The prepared sets by set and owner, shared by the desk's clones.
#[derive(Clone, Debug, Default)]
pub struct PreparedSets(Arc<Mutex<HashMap<SetKey, Arc<Prepared>>>>);

impl Desk {
    /// `set` as it is now, prepared for finding: the copy read before while its version
    /// is still the set's, else read and prepared again.
    async fn prepared(&self, set: Set) -> Result<Arc<Prepared>> {
        let owner = self.agent();
        let key = (set, owner.clone());
        let version = self.db.phrase_book_version(set, &owner).await?;
        let cached = match self.prepared_phrases.0.lock() {
            Ok(map) => map.get(&key).cloned(),
            Err(poisoned) => poisoned.into_inner().get(&key).cloned(),
        };
        if let Some(p) = cached.filter(|p| p.book.version == version) {
            return Ok(p);
        }
        let book = self.phrase_book(set).await?;
        let finder = Finder::new(&book.phrases);
        let prepared = Arc::new(Prepared { book, finder });
        match self.prepared_phrases.0.lock() {
            Ok(mut map) => map.insert(key, prepared.clone()),
            Err(poisoned) => poisoned.into_inner().insert(key, prepared.clone()),
        };
        Ok(prepared)
    }

    /// The role phrases are edited with: the account signed in; a PC on a database with
    /// no accounts is the whole shop (its main account).
    async fn phrase_role(&self, now: DateTime<Utc>) -> Result<Role> {
        match self.account() {
            Ok(a) => Ok(a.role),
            Err(e) => {
                if self.db.team(now, &self.team_rules).await?.is_empty() {
                    Ok(Role::Main)
                } else {
                    Err(e)
                }
            }
        }
    }

    pub async fn phrase_book(&self, set: Set) -> Result<PhraseBook> {
        Ok(self.db.phrase_book(set, &self.agent()).await?)
    }

    /// Applies one operation to a set read at `version`, if this account may edit it.
    /// Refused whole: a bad phrase, a used code, a set changed meanwhile.
    pub async fn edit_phrases(
        &self,
        set: Set,
        version: i64,
        edit: PhraseEdit,
        now: DateTime<Utc>,
    ) -> Result<Changed<PhraseBook>> {
        phrases::may_edit(self.phrase_role(now).await?, set)?;
        let mut book = self.phrase_book(set).await?;
        if book.version != version {
            return Err(Error::Db(kefu_db::Error::Conflict(
                "these phrases were changed elsewhere since they were read; read them again".into(),
            )));
        }
        let list = &mut book.phrases;
        match edit {
            PhraseEdit::Add { phrase } => phrases::add(list, phrase).map(drop),
            PhraseEdit::Insert { at, phrase } => phrases::insert(list, at, phrase),
            PhraseEdit::Edit { at, phrase } => phrases::edit(list, at, phrase),
            PhraseEdit::Delete { at } => phrases::delete(list, at).map(drop),
            PhraseEdit::Up { at } => phrases::shift(list, at, true).map(drop),
            PhraseEdit::Down { at } => phrases::shift(list, at, false).map(drop),
            PhraseEdit::ToGroup { at, group } => phrases::move_to_group(list, at, &group).map(drop),
        }?;
        book.version = self
            .db
            .save_phrase_book(set, &book.owner, &book.phrases, version)
            .await?;
        Ok(Changed::one(book, Change::Phrases))
    }

    /// The phrases of both sets matching `query`, best first (the shop's before one's own
    /// at the same kind of match), filled for `buyer` and its order `order_no` (or, without
    /// one, its latest order).
    pub async fn find_phrases(
        &self,
        query: &str,
        buyer: Option<&str>,
        order_no: Option<&str>,
        limit: usize,
    ) -> Result<Vec<PhraseHit>> {
        let agent = self.agent();
        let values = self.phrase_values(buyer, order_no).await?;
        let uses: HashMap<(Set, String), u32> = self
            .db
            .phrase_uses(&agent)
            .await?
            .into_iter()
            .map(|(set, code, n)| ((set, code), n.clamp(0, u32::MAX as i64) as u32))
            .collect();
        let mut hits: Vec<(Match, std::cmp::Reverse<u32>, PhraseHit)> = Vec::new();
        for set in [Set::Shop, Set::Personal] {
            let prepared = self.prepared(set).await?;
            let book = &prepared.book;
            let by_index: HashMap<usize, u32> = book
                .phrases
                .iter()
                .enumerate()
                .filter_map(|(i, p)| uses.get(&(set, p.code.clone())).map(|n| (i, *n)))
                .collect();
            for found in prepared.finder.find(query, &by_index, limit) {
                let p = &book.phrases[found.index];
                let (filled, missing) = match fill::fill(&p.text, &values, &BTreeMap::new())? {
                    Ok(text) => (Some(text), Missing::default()),
                    Err(missing) => (None, missing),
                };
                let used = by_index.get(&found.index).copied().unwrap_or(0);
                hits.push((
                    found.how,
                    std::cmp::Reverse(used),
                    PhraseHit {
                        set,
                        how: found.how,
                        group: p.group.clone(),
                        code: p.code.clone(),
                        text: p.text.clone(),
                        filled,
                        missing,
                    },
                ));
            }
        }
        // Stable: the shop's set first among equals.
        hits.sort_by_key(|(how, used, _)| (*how, *used));
        Ok(hits.into_iter().take(limit).map(|(_, _, h)| h).collect())
    }

    /// The text to paste for the phrases `parts`, in order, each filled for `buyer` and
    /// its order with the agent's answers for its prompted blanks, joined into one message
    /// (one line each); counts each use. Refused whole, naming the phrase and what is
    /// missing, rather than pasting a placeholder or a gap.
    pub async fn use_phrases(
        &self,
        parts: &[PhrasePart],
        buyer: Option<&str>,
        order_no: Option<&str>,
    ) -> Result<String> {
        if parts.is_empty() || parts.len() > MAX_CHAINED {
            return Err(Error::Usage(format!(
                "a message is 1 to {MAX_CHAINED} phrases, not {}",
                parts.len()
            )));
        }
        let values = self.phrase_values(buyer, order_no).await?;
        let mut books: HashMap<Set, PhraseBook> = HashMap::new();
        let mut lines = Vec::with_capacity(parts.len());
        for part in parts {
            let book = match books.entry(part.set) {
                Entry::Occupied(e) => e.into_mut(),
                Entry::Vacant(e) => e.insert(self.phrase_book(part.set).await?),
            };
            let phrase = book
                .phrases
                .iter()
                .find(|p| p.code == part.code)
                .ok_or_else(|| {
                    Error::Db(kefu_db::Error::NotFound(format!(
                        "phrase {} of the {} set",
                        part.code,
                        part.set.code()
                    )))
                })?;
            match fill::fill(&phrase.text, &values, &part.answers)? {
                Ok(text) => lines.push(text),
                Err(missing) => {
                    return Err(Error::Usage(format!(
                        "phrase {} needs {}",
                        part.code,
                        missing
                            .vars
                            .iter()
                            .map(|v| format!("{{{v}}}"))
                            .chain(missing.asks.iter().map(|a| format!("{{?{a}}}")))
                            .collect::<Vec<_>>()
                            .join(", ")
                    )))
                }
            }
        }
        let agent = self.agent();
        for part in parts {
            self.db
                .count_phrase_use(&agent, part.set, &part.code)
                .await?;
        }
        Ok(lines.join("\n"))
    }

    /// Both sets as the phrase view shows them, with whether this account may edit the
    /// shop's (its own it always may).
    pub async fn phrase_sets(&self, now: DateTime<Utc>) -> Result<PhraseSets> {
        let role = self.phrase_role(now).await.ok();
        Ok(PhraseSets {
            shop: self.phrase_book(Set::Shop).await?,
            personal: self.phrase_book(Set::Personal).await?,
            may_edit_shop: role.is_some_and(|r| phrases::may_edit(r, Set::Shop).is_ok()),
        })
    }

    /// The values a phrase may name for this buyer and order (the buyer's latest order
    /// when none is named).
    async fn phrase_values(&self, buyer: Option<&str>, order_no: Option<&str>) -> Result<Values> {
        let agent = self.agent();
        let Some(nick) = buyer else {
            let mut v = Values::default();
            v.set(phrases::Var::Agent, agent);
            return Ok(v);
        };
        let detail = self.db.buyer(&BuyerNick::parse(nick)?, &self.rules).await?;
        let order = match order_no {
            Some(no) => Some(
                detail
                    .orders
                    .iter()
                    .find(|o| o.no.as_str() == no)
                    .ok_or_else(|| {
                        Error::Db(kefu_db::Error::NotFound(format!("order {no} of {nick}")))
                    })?,
            ),
            None => detail.orders.iter().max_by_key(|o| o.created_at),
        };
        let closes_at = order.and_then(|o| detail.closes_at.get(o.no.as_str()).copied());
        Ok(Values::of(
            nick,
            &agent,
            order,
            closes_at,
            ShopTime::SHANGHAI,
        ))
    }
}

/// What importing a phrase file did.
#[derive(Clone, Debug, Default, Serialize)]
pub struct PhraseImport {
    pub file: String,
    pub set: Option<Set>,
    pub rows: u64,
    pub added: u64,
    pub replaced: u64,
    pub kept: u64,
    pub rejected: u64,
    /// Whether the set was written: not when a row was refused or a code is the set's
    /// already (without `--merge`), unless the good rows were asked for.
    pub written: bool,
    pub problems: Vec<kefu_import::Problem>,
}

impl Desk {
    /// Imports a phrase file (CSV, .xlsx or JSON) into `set`. All or nothing: a bad row, or
    /// a code the set has already, is reported by file and line and nothing is written,
    /// unless `skip_bad` (the good rows only) or `on_duplicate` (keep or replace) says so.
    pub async fn import_phrases(
        &self,
        set: Set,
        path: &std::path::Path,
        on_duplicate: Option<phrases::OnDuplicate>,
        skip_bad: bool,
        now: DateTime<Utc>,
    ) -> Result<Changed<PhraseImport>> {
        phrases::may_edit(self.phrase_role(now).await?, set)?;
        let name = path.display().to_string();
        let file = kefu_import::phrases::read_phrase_file(path)?;
        let mut report = PhraseImport {
            file: name.clone(),
            set: Some(set),
            rows: file.rows,
            rejected: file.rejected,
            problems: file.problems,
            ..PhraseImport::default()
        };
        if report.rejected > 0 && !skip_bad {
            return Ok(Changed::none(report));
        }
        let mut book = self.phrase_book(set).await?;
        let (lines, incoming): (Vec<u64>, Vec<Phrase>) = file.phrases.into_iter().unzip();
        let merged = match phrases::merge(&mut book.phrases, incoming.clone(), on_duplicate)? {
            Ok(m) => m,
            Err(duplicates) => {
                for i in duplicates {
                    report.rejected += 1;
                    report.problems.push(kefu_import::Problem {
                        file: name.clone(),
                        line: lines[i],
                        column: "快捷编码".into(),
                        value: incoming[i].code.clone(),
                        reason: format!(
                            "the {} set has this code already (import with --merge keep or replace)",
                            set.code()
                        ),
                    });
                }
                return Ok(Changed::none(report));
            }
        };
        self.db
            .save_phrase_book(set, &book.owner, &book.phrases, book.version)
            .await?;
        (report.added, report.replaced, report.kept) = (merged.added, merged.replaced, merged.kept);
        report.written = true;
        Ok(Changed::one(report, Change::Phrases))
    }

    /// Writes `sets` to `path`, as .xlsx, .json or CSV (UTF-8 with BOM) by its extension,
    /// whole or not at all (a temporary file renamed). Returns how many phrases went.
    pub async fn export_phrases(&self, sets: &[Set], path: &std::path::Path) -> Result<usize> {
        let mut all: Vec<(Set, Phrase)> = Vec::new();
        for set in sets {
            let book = self.phrase_book(*set).await?;
            all.extend(book.phrases.into_iter().map(|p| (*set, p)));
        }
        let both = sets.len() > 1;
        let ext = path
            .extension()
            .and_then(|e| e.to_str())
            .unwrap_or_default()
            .to_ascii_lowercase();
        let bytes = match ext.as_str() {
            "xlsx" => kefu_import::phrases::write_xlsx(&all, both)?,
            "json" => kefu_import::phrases::write_json(&all, both)?,
            _ => kefu_import::phrases::write_csv(&all, both)?,
        };
        let io = |e: std::io::Error| Error::Io(format!("{}: {e}", path.display()));
        let tmp = path.with_extension(format!("{ext}.part"));
        std::fs::write(&tmp, &bytes).map_err(io)?;
        std::fs::rename(&tmp, path).map_err(io)?;
        Ok(all.len())
    }
}
