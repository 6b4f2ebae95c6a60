//! The app's one error type. It reaches the window as `{code, message}` so the UI can tell
//! kinds apart, and the command line prints the message and exits non-zero.

use serde::Serialize;
use thiserror::Error;

#[derive(Debug, Error)]
pub enum Error {
    #[error("{0}")]
    Db(#[from] kefu_db::Error),
    #[error("{0}")]
    Invalid(#[from] kefu_core::Error),
    #[error("{0}")]
    Import(#[from] kefu_import::Error),
    #[error("{0}")]
    Usage(String),
    #[error("{0} row(s) rejected")]
    Rejected(u64),
    #[error("{0}")]
    Settings(String),
    #[error("the database is not available: {0}")]
    Unavailable(String),
    /// Deliberately the same for an unknown name and a wrong password.
    #[error("wrong account name or password")]
    SignIn,
    #[error("sign in first: {0}")]
    NotSignedIn(&'static str),
}

impl Error {
    pub fn code(&self) -> &'static str {
        match self {
            Error::Db(kefu_db::Error::NotFound(_)) => "not_found",
            Error::Db(kefu_db::Error::Cancelled) => "cancelled",
            Error::Import(_) => "import",
            Error::Db(kefu_db::Error::BadUrl(..)) => "settings",
            Error::Db(kefu_db::Error::Refused(kefu_core::Error::Forbidden(_))) => "forbidden",
            Error::Db(kefu_db::Error::Refused(_)) => "invalid",
            Error::Db(kefu_db::Error::Unavailable(_)) => "unavailable",
            Error::Db(_) => "db",
            Error::Invalid(kefu_core::Error::Forbidden(_)) => "forbidden",
            Error::Invalid(_) => "invalid",
            Error::Usage(_) => "usage",
            Error::Rejected(_) => "rejected",
            Error::Settings(_) => "settings",
            Error::Unavailable(_) => "unavailable",
            Error::SignIn => "sign_in",
            Error::NotSignedIn(_) => "not_signed_in",
        }
    }
}

impl Serialize for Error {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        use serde::ser::SerializeStruct;
        let mut st = s.serialize_struct("Error", 2)?;
        st.serialize_field("code", self.code())?;
        st.serialize_field("message", &self.to_string())?;
        st.end()
    }
}

pub type Result<T, E = Error> = std::result::Result<T, E>;
