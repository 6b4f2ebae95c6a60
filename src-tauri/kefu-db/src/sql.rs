//! Statements built at run time (lists of keys, many rows to one statement), with each
//! backend's placeholders: `$1, $2, …` for PostgreSQL (sqlx's own `QueryBuilder` writes `?`
//! for the `Any` driver, which PostgreSQL refuses), plain `?` for SQLite, where numbered
//! ones cost quadratic time to bind in a statement of thousands of values (SQLite looks
//! each name up in a list).

use std::fmt::Write as _;

use sqlx::any::{AnyArguments, AnyRow};
use sqlx::query::{Query, QueryAs};
use sqlx::{Any, AnyConnection, Arguments, Encode, FromRow, Type};

use crate::{Error, Result};

pub(crate) struct Sql<'a> {
    numbered: bool,
    text: String,
    args: AnyArguments<'a>,
    count: usize,
    /// A value that could not be encoded; reported when the statement is built, so that
    /// binding stays chainable.
    failed: Option<String>,
}

impl<'a> Sql<'a> {
    /// A statement for `conn`'s backend.
    pub(crate) fn new(conn: &AnyConnection, text: impl Into<String>) -> Sql<'a> {
        Sql {
            numbered: conn.backend_name() != "SQLite",
            text: text.into(),
            args: AnyArguments::default(),
            count: 0,
            failed: None,
        }
    }

    pub(crate) fn push(&mut self, text: &str) -> &mut Self {
        self.text.push_str(text);
        self
    }

    pub(crate) fn push_bind<T>(&mut self, value: T) -> &mut Self
    where
        T: 'a + Encode<'a, Any> + Type<Any>,
    {
        if let Err(e) = self.args.add(value) {
            self.failed.get_or_insert(e.to_string());
        }
        self.count += 1;
        if self.numbered {
            // Writing to a String cannot fail.
            let _ = write!(self.text, "${}", self.count);
        } else {
            self.text.push('?');
        }
        self
    }

    /// ` VALUES (…), (…)`: one parenthesised tuple per row, filled by `row`.
    pub(crate) fn push_values<T>(
        &mut self,
        rows: impl IntoIterator<Item = T>,
        mut row: impl FnMut(Tuple<'_, 'a>, T),
    ) -> &mut Self {
        self.text.push_str(" VALUES ");
        for (i, r) in rows.into_iter().enumerate() {
            if i > 0 {
                self.text.push_str(", ");
            }
            self.text.push('(');
            row(
                Tuple {
                    sql: self,
                    first: true,
                },
                r,
            );
            self.text.push(')');
        }
        self
    }

    fn take(&mut self) -> Result<(&str, AnyArguments<'a>)> {
        if let Some(e) = self.failed.take() {
            return Err(Error::Corrupt(format!("a value could not be stored: {e}")));
        }
        Ok((&self.text, std::mem::take(&mut self.args)))
    }

    pub(crate) fn build(&mut self) -> Result<Query<'_, Any, AnyArguments<'_>>> {
        let (text, args) = self.take()?;
        Ok(sqlx::query_with(text, args))
    }

    pub(crate) fn build_query_as<R>(&mut self) -> Result<QueryAs<'_, Any, R, AnyArguments<'_>>>
    where
        R: for<'r> FromRow<'r, AnyRow>,
    {
        let (text, args) = self.take()?;
        Ok(sqlx::query_as_with(text, args))
    }
}

/// One stored column's value, as every writer of a table binds it: the statements built
/// here and a big import's rows written through SQLite's C interface (`orders::native`). The `…_values` functions
/// beside each table's column list say which value goes to which column, once.
pub(crate) enum Value<'a> {
    /// Text that lives as long as the rows being written.
    Text(Option<&'a str>),
    /// Text made for this row.
    Made(String),
    Int(Option<i64>),
}

/// One row of `push_values`: binds separated by commas.
pub(crate) struct Tuple<'s, 'a> {
    sql: &'s mut Sql<'a>,
    first: bool,
}

impl<'a> Tuple<'_, 'a> {
    /// Binds a row's values, in their columns' order.
    pub(crate) fn push_values<const N: usize>(&mut self, values: [Value<'a>; N]) -> &mut Self {
        for v in values {
            match v {
                Value::Text(t) => self.push_bind(t),
                Value::Made(t) => self.push_bind(t),
                Value::Int(n) => self.push_bind(n),
            };
        }
        self
    }

    pub(crate) fn push_bind<T>(&mut self, value: T) -> &mut Self
    where
        T: 'a + Encode<'a, Any> + Type<Any>,
    {
        if !self.first {
            self.sql.text.push_str(", ");
        }
        self.first = false;
        self.sql.push_bind(value);
        self
    }
}

/// `prefix` followed by ` IN ($1, $2, …)` binding `keys`: the list of a chunked statement.
pub(crate) fn in_list<'a, T>(
    conn: &AnyConnection,
    prefix: impl Into<String>,
    keys: &'a [T],
) -> Sql<'a>
where
    T: 'a + Encode<'a, Any> + Type<Any> + Copy,
{
    let mut q = Sql::new(conn, prefix);
    q.push(" IN (");
    for (i, k) in keys.iter().enumerate() {
        if i > 0 {
            q.push(", ");
        }
        q.push_bind(*k);
    }
    q.push(")");
    q
}

#[cfg(test)]
mod tests {
    use super::*;

    fn numbered<'a>(text: &str) -> Sql<'a> {
        Sql {
            numbered: true,
            text: text.into(),
            args: AnyArguments::default(),
            count: 0,
            failed: None,
        }
    }

    #[test]
    fn placeholders_are_numbered_in_order() {
        let mut q = numbered("SELECT 1 FROM t WHERE k IN (");
        q.push_bind("a").push(", ").push_bind("b").push(")");
        assert_eq!(q.text, "SELECT 1 FROM t WHERE k IN ($1, $2)");
        let rows = [(1i64, "x"), (2, "y")];
        let mut q = numbered("INSERT INTO t (a, b)");
        q.push_values(rows, |mut b, (n, s)| {
            b.push_bind(n).push_bind(s);
        });
        q.push(" ON CONFLICT DO NOTHING");
        assert_eq!(
            q.text,
            "INSERT INTO t (a, b) VALUES ($1, $2), ($3, $4) ON CONFLICT DO NOTHING"
        );
        assert_eq!(q.count, 4);
    }
}
