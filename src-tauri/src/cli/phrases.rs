//! Quick phrases (快捷短语): list, find, use, and edit a set.

use std::collections::BTreeMap;

use chrono::{DateTime, Utc};
use clap::Subcommand;
use kefu_core::phrases::{OnDuplicate, Phrase, Set};

use super::Out;
use crate::desk::{Desk, PhraseEdit, PhrasePart};
use crate::error::{Error, Result};

#[derive(Debug, Subcommand)]
pub(super) enum Phrases {
    /// A set in its order, with its version
    List {
        /// shop or personal
        #[arg(long, default_value = "shop", value_parser = set)]
        set: Set,
    },
    /// Phrases for what the agent typed (code, pinyin initials or text), best first, filled
    /// for a buyer and its order
    Find {
        query: String,
        #[arg(long, value_name = "NICK")]
        buyer: Option<String>,
        /// The buyer's order (default: its latest)
        #[arg(long, value_name = "NO")]
        order: Option<String>,
        #[arg(long, default_value_t = 10)]
        limit: usize,
    },
    /// The text to paste for one phrase or several chained into one message (a line
    /// each), filled; exits 2 naming what is missing. Counts each use
    Use {
        #[arg(required = true, value_name = "CODE")]
        codes: Vec<String>,
        #[arg(long, default_value = "shop", value_parser = set)]
        set: Set,
        #[arg(long, value_name = "NICK")]
        buyer: Option<String>,
        #[arg(long, value_name = "NO")]
        order: Option<String>,
        /// A prompted blank's value, as 尺码=L (repeatable)
        #[arg(long = "ask", value_name = "NAME=VALUE")]
        answers: Vec<String>,
    },
    /// Add a phrase at the end of its group
    Add {
        #[arg(long, default_value = "shop", value_parser = set)]
        set: Set,
        #[arg(long, default_value = "")]
        group: String,
        #[arg(long)]
        code: String,
        text: String,
        /// The set's version as `list` printed it (refused if it changed since)
        #[arg(long, value_name = "N")]
        version: i64,
    },
    /// Insert a phrase at a position (as `list` numbers them, from 0)
    Insert {
        #[arg(long, default_value = "shop", value_parser = set)]
        set: Set,
        at: usize,
        #[arg(long, default_value = "")]
        group: String,
        #[arg(long)]
        code: String,
        text: String,
        #[arg(long, value_name = "N")]
        version: i64,
    },
    /// Replace the phrase at a position (its group, code and text)
    Edit {
        #[arg(long, default_value = "shop", value_parser = set)]
        set: Set,
        at: usize,
        #[arg(long, default_value = "")]
        group: String,
        #[arg(long)]
        code: String,
        text: String,
        #[arg(long, value_name = "N")]
        version: i64,
    },
    /// Move the phrase at a position to the end of another group
    ToGroup {
        #[arg(long, default_value = "shop", value_parser = set)]
        set: Set,
        at: usize,
        group: String,
        #[arg(long, value_name = "N")]
        version: i64,
    },
    /// Delete the phrase at a position (as `list` numbers them, from 0)
    Delete {
        #[arg(long, default_value = "shop", value_parser = set)]
        set: Set,
        at: usize,
        #[arg(long, value_name = "N")]
        version: i64,
    },
    /// Import a phrase file (CSV in GB18030 or UTF-8, .xlsx with 分组/快捷编码/短语内容, or
    /// JSON): all or nothing; exits 1 listing every bad row and known code
    Import {
        file: std::path::PathBuf,
        #[arg(long, default_value = "shop", value_parser = set)]
        set: Set,
        /// For a code the set has already: keep (skip the file's) or replace
        #[arg(long, value_parser = on_duplicate)]
        merge: Option<OnDuplicate>,
        /// Import the good rows and list the rejected ones
        #[arg(long)]
        skip_bad: bool,
    },
    /// Export to FILE (.xlsx, .json or .csv by its extension)
    Export {
        file: std::path::PathBuf,
        /// shop, personal or both
        #[arg(long, default_value = "shop")]
        set: String,
    },
    /// Move the phrase at a position up or down within its group
    Move {
        #[arg(long, default_value = "shop", value_parser = set)]
        set: Set,
        at: usize,
        /// up or down
        direction: String,
        #[arg(long, value_name = "N")]
        version: i64,
    },
}

fn on_duplicate(raw: &str) -> std::result::Result<OnDuplicate, String> {
    match raw {
        "keep" => Ok(OnDuplicate::Keep),
        "replace" => Ok(OnDuplicate::Replace),
        _ => Err(format!("{raw:?}: use keep or replace")),
    }
}

fn set(raw: &str) -> std::result::Result<Set, String> {
    Set::from_code(raw).ok_or_else(|| format!("{raw:?}: use shop or personal"))
}

pub(super) async fn phrases(
    desk: &Desk,
    out: &mut Out,
    action: Phrases,
    now: DateTime<Utc>,
) -> Result<()> {
    match action {
        Phrases::List { set } => {
            let book = desk.phrase_book(set).await?;
            out.emit(&book, |w| {
                writeln!(w, "{} set, version {}", set.code(), book.version)?;
                for (i, p) in book.phrases.iter().enumerate() {
                    writeln!(w, "{i:>4}  [{}] {}  {}", p.group, p.code, p.text)?;
                }
                Ok(())
            })
        }
        Phrases::Find {
            query,
            buyer,
            order,
            limit,
        } => {
            let hits = desk
                .find_phrases(&query, buyer.as_deref(), order.as_deref(), limit)
                .await?;
            out.emit(&hits, |w| {
                for h in &hits {
                    match &h.filled {
                        Some(text) => writeln!(w, "{}  {}", h.code, text)?,
                        None => writeln!(
                            w,
                            "{}  {}  (needs {})",
                            h.code,
                            h.text,
                            h.missing
                                .vars
                                .iter()
                                .chain(&h.missing.asks)
                                .cloned()
                                .collect::<Vec<_>>()
                                .join(", ")
                        )?,
                    }
                }
                Ok(())
            })
        }
        Phrases::Use {
            codes,
            set,
            buyer,
            order,
            answers,
        } => {
            let mut asked = BTreeMap::new();
            for a in answers {
                let (name, value) = a
                    .split_once('=')
                    .ok_or_else(|| Error::Usage(format!("--ask {a:?}: write NAME=VALUE")))?;
                asked.insert(name.to_owned(), value.to_owned());
            }
            let parts: Vec<PhrasePart> = codes
                .into_iter()
                .map(|code| PhrasePart {
                    set,
                    code,
                    answers: asked.clone(),
                })
                .collect();
            let text = desk
                .use_phrases(&parts, buyer.as_deref(), order.as_deref())
                .await?;
            out.emit(&serde_json::json!({ "text": text }), |w| {
                writeln!(w, "{text}")
            })
        }
        Phrases::Add {
            set,
            group,
            code,
            text,
            version,
        } => {
            let phrase = Phrase { group, code, text };
            let edit = PhraseEdit::Add { phrase };
            edited(desk, out, set, version, edit, now).await
        }
        Phrases::Import {
            file,
            set,
            merge,
            skip_bad,
        } => {
            let report = desk
                .import_phrases(set, &file, merge, skip_bad, now)
                .await?
                .value;
            out.emit(&report, |w| {
                for p in &report.problems {
                    writeln!(w, "{p}")?;
                }
                writeln!(
                    w,
                    "{} row(s): {} added, {} replaced, {} kept, {} rejected{}",
                    report.rows,
                    report.added,
                    report.replaced,
                    report.kept,
                    report.rejected,
                    if report.written {
                        ""
                    } else {
                        "; nothing was imported"
                    }
                )
            })?;
            if report.written {
                Ok(())
            } else {
                Err(Error::Rejected(report.rejected))
            }
        }
        Phrases::Export { file, set } => {
            let sets = match set.as_str() {
                "shop" => vec![Set::Shop],
                "personal" => vec![Set::Personal],
                "both" => vec![Set::Shop, Set::Personal],
                other => {
                    return Err(Error::Usage(format!(
                        "--set {other:?}: use shop, personal or both"
                    )))
                }
            };
            let n = desk.export_phrases(&sets, &file).await?;
            let shown = file.display().to_string();
            out.emit(&serde_json::json!({ "file": shown, "phrases": n }), |w| {
                writeln!(w, "{n} phrase(s) written to {shown}")
            })
        }
        Phrases::Insert {
            set,
            at,
            group,
            code,
            text,
            version,
        } => {
            let phrase = Phrase { group, code, text };
            edited(
                desk,
                out,
                set,
                version,
                PhraseEdit::Insert { at, phrase },
                now,
            )
            .await
        }
        Phrases::Edit {
            set,
            at,
            group,
            code,
            text,
            version,
        } => {
            let phrase = Phrase { group, code, text };
            edited(
                desk,
                out,
                set,
                version,
                PhraseEdit::Edit { at, phrase },
                now,
            )
            .await
        }
        Phrases::ToGroup {
            set,
            at,
            group,
            version,
        } => {
            edited(
                desk,
                out,
                set,
                version,
                PhraseEdit::ToGroup { at, group },
                now,
            )
            .await
        }
        Phrases::Delete { set, at, version } => {
            edited(desk, out, set, version, PhraseEdit::Delete { at }, now).await
        }
        Phrases::Move {
            set,
            at,
            direction,
            version,
        } => {
            let edit = match direction.as_str() {
                "up" => PhraseEdit::Up { at },
                "down" => PhraseEdit::Down { at },
                other => return Err(Error::Usage(format!("{other:?}: use up or down"))),
            };
            edited(desk, out, set, version, edit, now).await
        }
    }
}

async fn edited(
    desk: &Desk,
    out: &mut Out,
    set: Set,
    version: i64,
    edit: PhraseEdit,
    now: DateTime<Utc>,
) -> Result<()> {
    let book = desk.edit_phrases(set, version, edit, now).await?.value;
    out.emit(&book, |w| {
        writeln!(w, "saved: {} set, version {}", set.code(), book.version)
    })
}
