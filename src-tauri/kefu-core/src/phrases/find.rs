//! Finding a phrase as the agent types: by its code, by the pinyin initials of its text
//! (every reading of a polyphone: 重庆 is both `cq` and `zq`), or by a piece of its text.
//! The index is built once per set; a keystroke is a scan of plain arrays.

use std::collections::HashMap;

use pinyin::ToPinyinMulti;

use super::Phrase;

/// How a phrase matched, best first: the order of the list the agent sees.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, serde::Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Match {
    Code,
    CodePrefix,
    Initials,
    Text,
}

/// One phrase found: its index in the set the finder was built from.
#[derive(Clone, Copy, Debug, PartialEq, Eq, serde::Serialize)]
pub struct Found {
    pub index: usize,
    pub how: Match,
}

/// A set of phrases prepared for finding.
#[derive(Clone, Debug, Default)]
pub struct Finder {
    entries: Vec<Entry>,
}

#[derive(Clone, Debug)]
struct Entry {
    code: String,
    text: String,
    /// Per character of the text that has initials: the letters it may start with, as
    /// bits (a–z, then 0–9). Punctuation and spaces have none and are skipped.
    initials: Vec<u64>,
}

impl Finder {
    pub fn new(phrases: &[Phrase]) -> Finder {
        Finder {
            entries: phrases
                .iter()
                .map(|p| Entry {
                    code: p.code.to_lowercase(),
                    text: p.text.to_lowercase(),
                    initials: p.text.chars().filter_map(initials_of).collect(),
                })
                .collect(),
        }
    }

    /// The phrases matching `query`, best first, at most `limit`: exact code, then code
    /// prefix, then pinyin initials of the text, then text containing the query; within
    /// each, the phrases this agent uses most (`uses`, by index), then the set's order.
    /// An empty query lists nothing (the set's own view shows everything).
    pub fn find(&self, query: &str, uses: &HashMap<usize, u32>, limit: usize) -> Vec<Found> {
        let q = query.trim().to_lowercase();
        if q.is_empty() {
            return Vec::new();
        }
        let letters: Option<Vec<u64>> = q.chars().map(letter_bit).collect();
        let mut found: Vec<(Match, std::cmp::Reverse<u32>, usize)> = Vec::new();
        for (i, e) in self.entries.iter().enumerate() {
            let how = if e.code == q {
                Match::Code
            } else if e.code.starts_with(&q) {
                Match::CodePrefix
            } else if letters
                .as_deref()
                .is_some_and(|l| runs_within(l, &e.initials))
            {
                Match::Initials
            } else if e.text.contains(&q) {
                Match::Text
            } else {
                continue;
            };
            found.push((
                how,
                std::cmp::Reverse(uses.get(&i).copied().unwrap_or(0)),
                i,
            ));
        }
        found.sort_unstable();
        found.truncate(limit);
        found
            .into_iter()
            .map(|(how, _, index)| Found { index, how })
            .collect()
    }
}

/// The bit of an ASCII letter or digit typed in a query; anything else cannot be initials.
fn letter_bit(c: char) -> Option<u64> {
    match c {
        'a'..='z' => Some(1 << (c as u32 - 'a' as u32)),
        '0'..='9' => Some(1 << (26 + c as u32 - '0' as u32)),
        _ => None,
    }
}

/// The initials a character of a phrase's text may be typed as: every reading's first
/// letter for a Chinese character, the character itself for a letter or digit.
fn initials_of(c: char) -> Option<u64> {
    if let Some(bit) = letter_bit(c.to_ascii_lowercase()) {
        return Some(bit);
    }
    let readings = c.to_pinyin_multi()?;
    let mut bits = 0;
    for p in readings {
        if let Some(first) = p.first_letter().chars().next() {
            bits |= letter_bit(first).unwrap_or(0);
        }
    }
    (bits != 0).then_some(bits)
}

/// Whether the typed letters match consecutive characters' initials somewhere in the text.
fn runs_within(letters: &[u64], initials: &[u64]) -> bool {
    if letters.is_empty() || letters.len() > initials.len() {
        return false;
    }
    initials
        .windows(letters.len())
        .any(|w| w.iter().zip(letters).all(|(have, want)| have & want != 0))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn set(rows: &[(&str, &str)]) -> Vec<Phrase> {
        rows.iter()
            .map(|(code, text)| Phrase::new("默认", code, text))
            .collect()
    }

    fn codes(phrases: &[Phrase], found: &[Found]) -> Vec<String> {
        found
            .iter()
            .map(|f| phrases[f.index].code.clone())
            .collect()
    }

    #[test]
    fn code_beats_code_prefix_beats_initials_beats_text() {
        let phrases = set(&[
            ("x1", "亲，这款是实物拍摄，没有色差的哦"),
            ("sc", "亲这个我们都是实物拍摄 是和图片一样的哦"),
            ("sc2", "色差说明"),
            ("色差", "颜色以实物为准"),
        ]);
        let f = Finder::new(&phrases);
        let found = f.find("SC", &HashMap::new(), 10);
        assert_eq!(codes(&phrases, &found), ["sc", "sc2", "x1"]);
        assert_eq!(
            found.iter().map(|f| f.how).collect::<Vec<_>>(),
            [Match::Code, Match::CodePrefix, Match::Initials]
        );
        // Chinese typed: a code (which may be Chinese), then the texts holding it.
        let found = f.find("色差", &HashMap::new(), 10);
        assert_eq!(codes(&phrases, &found), ["色差", "x1", "sc2"]);
        assert_eq!(
            found.iter().map(|f| f.how).collect::<Vec<_>>(),
            [Match::Code, Match::Text, Match::Text]
        );
    }

    #[test]
    fn a_polyphone_matches_every_reading() {
        let phrases = set(&[("a", "重庆仓发货"), ("b", "重新发货")]);
        let f = Finder::new(&phrases);
        assert_eq!(codes(&phrases, &f.find("cq", &HashMap::new(), 10)), ["a"]);
        assert_eq!(codes(&phrases, &f.find("zq", &HashMap::new(), 10)), ["a"]);
        assert_eq!(codes(&phrases, &f.find("cxfh", &HashMap::new(), 10)), ["b"]);
        assert!(f.find("qz", &HashMap::new(), 10).is_empty());
    }

    #[test]
    fn punctuation_is_skipped_between_initials() {
        let phrases = set(&[("q", "亲，发货后请留意物流")]);
        let f = Finder::new(&phrases);
        assert_eq!(f.find("qfh", &HashMap::new(), 10).len(), 1);
    }

    #[test]
    fn use_lifts_a_phrase_within_its_kind_of_match_only() {
        let phrases = set(&[("ka", "甲"), ("kb", "乙"), ("k", "丙")]);
        let f = Finder::new(&phrases);
        let uses = HashMap::from([(1, 5), (0, 2)]);
        assert_eq!(codes(&phrases, &f.find("k", &uses, 10)), ["k", "kb", "ka"]);
        assert_eq!(codes(&phrases, &f.find("k", &uses, 2)), ["k", "kb"]);
    }

    #[test]
    fn an_empty_query_finds_nothing() {
        let f = Finder::new(&set(&[("a", "亲")]));
        assert!(f.find("  ", &HashMap::new(), 10).is_empty());
    }
}
