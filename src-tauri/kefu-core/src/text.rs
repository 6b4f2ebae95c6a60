//! What agents type, within the limits the window and the command line promise: a buyer's
//! note, a buyer's tags, a follow-up's note, what a new buyer asked, an account's name.
//! Parsing is the only way in, so a value that reached the database was checked once.

use crate::error::{Error, Result};

/// Counts characters, not bytes: a limit of 500 is 500 汉字 as well as 500 letters.
fn chars(s: &str) -> usize {
    s.chars().count()
}

/// `raw` as a note of at most `max` characters; over it, the refusal says how long it was.
fn note(raw: &str, max: usize) -> Result<String> {
    let n = chars(raw);
    if n > max {
        return Err(Error::limit(
            "note",
            format!("at most {max} characters (got {n})"),
        ));
    }
    Ok(raw.to_owned())
}

macro_rules! text {
    ($(#[$doc:meta])* $name:ident, $max:literal) => {
        $(#[$doc])*
        #[derive(Clone, Debug, PartialEq, Eq)]
        pub struct $name(String);

        impl $name {
            pub const MAX_CHARS: usize = $max;

            pub fn as_str(&self) -> &str {
                &self.0
            }
        }

        impl std::ops::Deref for $name {
            type Target = str;
            fn deref(&self) -> &str {
                &self.0
            }
        }
    };
}

text!(
    /// The note on a buyer (备注), shared by the shop's agents.
    BuyerNote,
    2000
);

impl BuyerNote {
    pub fn parse(raw: &str) -> Result<BuyerNote> {
        if chars(raw) > Self::MAX_CHARS {
            return Err(Error::limit("note", "at most 2000 characters"));
        }
        Ok(BuyerNote(raw.to_owned()))
    }
}

text!(
    /// The note on a follow-up added by hand.
    FollowUpNote,
    500
);

impl FollowUpNote {
    pub fn parse(raw: &str) -> Result<FollowUpNote> {
        note(raw, Self::MAX_CHARS).map(FollowUpNote)
    }
}

text!(
    /// What a new buyer asked, as the chat system reports it.
    Asked,
    500
);

impl Asked {
    pub fn parse(raw: &str) -> Result<Asked> {
        if chars(raw) > Self::MAX_CHARS {
            return Err(Error::limit("asked", "at most 500 characters"));
        }
        Ok(Asked(raw.to_owned()))
    }
}

text!(
    /// What an agent tells the colleague it transfers a buyer to: it goes into the
    /// receiver's window and notification, so it is short.
    TransferNote,
    200
);

impl TransferNote {
    pub fn parse(raw: &str) -> Result<TransferNote> {
        note(raw, Self::MAX_CHARS).map(TransferNote)
    }
}

text!(
    /// A shop account's name, trimmed: it is what teammates pick in a transfer.
    AccountName,
    32
);

impl AccountName {
    pub fn parse(raw: &str) -> Result<AccountName> {
        let name = raw.trim();
        if name.is_empty() || chars(name) > Self::MAX_CHARS {
            return Err(Error::limit("name", "1 to 32 characters"));
        }
        Ok(AccountName(name.to_owned()))
    }
}

/// A buyer's tags (标签): few and short, so they fit on the buyer's row.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Tags(Vec<String>);

impl Tags {
    pub const MAX_TAGS: usize = 20;
    pub const MAX_CHARS: usize = 16;

    pub fn parse(raw: &[String]) -> Result<Tags> {
        if raw.len() > Self::MAX_TAGS || raw.iter().any(|t| chars(t) > Self::MAX_CHARS) {
            return Err(Error::limit(
                "tags",
                "at most 20 tags of at most 16 characters",
            ));
        }
        Ok(Tags(raw.to_vec()))
    }

    pub fn as_slice(&self) -> &[String] {
        &self.0
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn refused<T: std::fmt::Debug>(r: Result<T>) -> String {
        match r {
            Err(e @ Error::Limit { .. }) => e.to_string(),
            other => panic!("expected a refusal over the limit, got {other:?}"),
        }
    }

    #[test]
    fn a_buyer_note_holds_2000_characters_and_no_more() {
        let full = "字".repeat(2000);
        assert_eq!(BuyerNote::parse(&full).expect("2000").as_str(), full);
        assert_eq!(BuyerNote::parse("").expect("empty clears").as_str(), "");
        let over = refused(BuyerNote::parse(&"字".repeat(2001)));
        assert_eq!(over, "note: at most 2000 characters");
    }

    #[test]
    fn tags_are_at_most_20_of_at_most_16_characters() {
        let twenty: Vec<String> = (0..20).map(|i| format!("标签{i}")).collect();
        assert_eq!(Tags::parse(&twenty).expect("20").as_slice(), &twenty[..]);
        let mut many = twenty.clone();
        many.push("再来一个".into());
        assert_eq!(
            refused(Tags::parse(&many)),
            "tags: at most 20 tags of at most 16 characters"
        );
        refused(Tags::parse(&["回".repeat(17)]));
        assert!(Tags::parse(&["回".repeat(16)]).is_ok());
        assert!(Tags::parse(&[]).is_ok(), "no tags clears them");
    }

    #[test]
    fn a_follow_up_note_says_how_long_it_was() {
        assert!(FollowUpNote::parse(&"字".repeat(500)).is_ok());
        let over = refused(FollowUpNote::parse(&"字".repeat(501)));
        assert_eq!(over, "note: at most 500 characters (got 501)");
    }

    #[test]
    fn a_transfer_note_is_at_most_200_characters() {
        assert!(TransferNote::parse(&"转".repeat(200)).is_ok());
        assert_eq!(
            refused(TransferNote::parse(&"转".repeat(201))),
            "note: at most 200 characters (got 201)"
        );
    }

    #[test]
    fn what_a_buyer_asked_is_at_most_500_characters() {
        assert_eq!(Asked::parse("有S码吗").expect("short").as_str(), "有S码吗");
        assert_eq!(
            refused(Asked::parse(&"问".repeat(501))),
            "asked: at most 500 characters"
        );
    }

    #[test]
    fn an_account_name_is_trimmed_and_1_to_32_characters() {
        assert_eq!(
            AccountName::parse("  小美 ").expect("name").as_str(),
            "小美"
        );
        assert!(AccountName::parse(&"美".repeat(32)).is_ok());
        assert_eq!(
            refused(AccountName::parse("   ")),
            "name: 1 to 32 characters"
        );
        refused(AccountName::parse(&"美".repeat(33)));
    }
}
