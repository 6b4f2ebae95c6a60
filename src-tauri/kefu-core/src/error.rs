use thiserror::Error;

/// What the domain rejects. Each variant names the field so that importers and the UI can
/// tell the user exactly what was wrong.
#[derive(Debug, Clone, PartialEq, Eq, Error)]
pub enum Error {
    #[error("{field}: {reason} (got {value:?})")]
    Invalid {
        field: &'static str,
        value: String,
        reason: &'static str,
    },
    #[error("permission denied: {0}")]
    Forbidden(&'static str),
    /// Too many wrong passwords for one account name in a row (`team::sign_in`).
    #[error("too many failed sign-ins for this account: try again in {seconds} s")]
    Throttled { seconds: i64 },
    /// Text over the limit the caller was told (a note, tags, a name): the limit is the
    /// message, since the value itself may be pages long.
    #[error("{field}: {limit}")]
    Limit { field: &'static str, limit: String },
}

impl Error {
    pub(crate) fn limit(field: &'static str, limit: impl Into<String>) -> Self {
        Error::Limit {
            field,
            limit: limit.into(),
        }
    }

    pub(crate) fn invalid(field: &'static str, value: &str, reason: &'static str) -> Self {
        Error::Invalid {
            field,
            value: value.chars().take(80).collect(),
            reason,
        }
    }
}

pub type Result<T, E = Error> = std::result::Result<T, E>;
