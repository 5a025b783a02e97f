//! The service's error type: what went wrong, in domain terms.
//!
//! Domain code (corpus, store, extraction) returns [`Error`]; it knows
//! nothing of transports. The gRPC layer maps it to a status code and
//! details in one place (`grpc::status`), so the mapping stays consistent
//! across every RPC; each kind's stable [`Error::reason`] is what clients
//! may act on.

/// The kinds of invalid request, each a stable `google.rpc.ErrorInfo`
/// reason that clients may act on (the README's status table lists them).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Invalid {
    /// A value the field does not accept (the general case).
    Value,
    /// A required field left empty.
    Required,
    /// A string over its length limit.
    TooLong,
    /// A `limit` that is negative or over the server's maximum.
    Limit,
    /// A cursor that is not one of ours, or damaged.
    Cursor,
    /// A cursor of ours, issued for another listing or query.
    CursorWrongListing,
    /// A search query that does not parse or cannot run.
    Query,
    /// A date that is not `YYYY-MM-DD`.
    Date,
    /// An enum number the API does not define.
    EnumValue,
}

impl Invalid {
    /// The `ErrorInfo.reason`.
    pub fn reason(self) -> &'static str {
        match self {
            Invalid::Value => "INVALID_FIELD",
            Invalid::Required => "FIELD_REQUIRED",
            Invalid::TooLong => "FIELD_TOO_LONG",
            Invalid::Limit => "LIMIT_INVALID",
            Invalid::Cursor => "CURSOR_INVALID",
            Invalid::CursorWrongListing => "CURSOR_WRONG_LISTING",
            Invalid::Query => "QUERY_INVALID",
            Invalid::Date => "DATE_INVALID",
            Invalid::EnumValue => "ENUM_VALUE_UNKNOWN",
        }
    }

    /// The kind a field's mistakes are unless a validator says otherwise:
    /// the fields that have one meaning wherever they appear.
    fn of_field(field: &str) -> Invalid {
        let last = field.rsplit('.').next().unwrap_or(field);
        match last {
            "limit" => Invalid::Limit,
            "cursor" => Invalid::Cursor,
            "query" => Invalid::Query,
            "published" | "published_from" | "published_to" => Invalid::Date,
            _ => Invalid::Value,
        }
    }
}

/// Everything that can go wrong while serving a request.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum Error {
    /// A request field is invalid; the client should fix the request.
    #[error("invalid {field}: {reason}")]
    InvalidArgument {
        /// Request field at fault (proto name, dotted for nested fields).
        field: String,
        /// What is wrong with it.
        reason: String,
        /// Which kind of mistake, for clients that act on it.
        kind: Invalid,
    },
    /// The addressed object does not exist.
    #[error("{kind} not found: {id}")]
    NotFound {
        /// What was looked for ("article", "entity").
        kind: &'static str,
        /// The id or name asked for.
        id: String,
    },
    /// The request is over a configured size limit.
    #[error("{what} is too large: {size} bytes, limit {limit}")]
    TooLarge {
        /// What was too large.
        what: String,
        /// Its size.
        size: usize,
        /// The limit it broke.
        limit: usize,
    },
    /// No valid credentials were presented.
    #[error("unauthenticated: {0}")]
    Unauthenticated(String),
    /// The credentials do not allow this call.
    #[error("permission denied: {0}")]
    PermissionDenied(String),
    /// A server-side limit (open streams, load) is reached; retry later.
    #[error("resource exhausted: {0}")]
    Exhausted(String),
    /// The service is not able to answer right now (shutting down, backend down).
    #[error("service unavailable: {0}")]
    Unavailable(String),
    /// A bug or an unexpected failure of a dependency.
    #[error("internal error: {0}")]
    Internal(String),
}

impl Error {
    /// Shorthand for [`Error::InvalidArgument`], of the kind the field's
    /// name implies (`limit`, `cursor`, `query`, dates; else a bad value).
    pub fn invalid(field: impl Into<String>, reason: impl Into<String>) -> Self {
        let field = field.into();
        let kind = Invalid::of_field(&field);
        Error::InvalidArgument {
            field,
            reason: reason.into(),
            kind,
        }
    }

    /// [`Error::InvalidArgument`] of a given kind.
    pub fn invalid_as(kind: Invalid, field: impl Into<String>, reason: impl Into<String>) -> Self {
        Error::InvalidArgument {
            field: field.into(),
            reason: reason.into(),
            kind,
        }
    }

    /// The stable `google.rpc.ErrorInfo` reason of this error.
    pub fn reason(&self) -> String {
        match self {
            Error::InvalidArgument { kind, .. } => kind.reason().to_owned(),
            Error::NotFound { kind, .. } => format!("{}_NOT_FOUND", kind.to_ascii_uppercase()),
            Error::TooLarge { .. } => "TOO_LARGE".to_owned(),
            Error::Unauthenticated(_) => "TOKEN_MISSING_OR_UNKNOWN".to_owned(),
            Error::PermissionDenied(_) => "TOKEN_NOT_ALLOWED".to_owned(),
            Error::Exhausted(_) => "SERVER_BUSY".to_owned(),
            Error::Unavailable(_) => "UNAVAILABLE".to_owned(),
            Error::Internal(_) => "INTERNAL".to_owned(),
        }
    }

    /// Shorthand for [`Error::NotFound`].
    pub fn not_found(kind: &'static str, id: impl Into<String>) -> Self {
        Error::NotFound {
            kind,
            id: id.into(),
        }
    }
}

/// Result alias for domain operations.
pub type Result<T, E = Error> = std::result::Result<T, E>;

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn field_names_imply_their_kind() {
        let kind = |e: Error| match e {
            Error::InvalidArgument { kind, .. } => kind,
            other => panic!("{other:?}"),
        };
        assert_eq!(kind(Error::invalid("limit", "x")), Invalid::Limit);
        assert_eq!(
            kind(Error::invalid("filter.published_to", "x")),
            Invalid::Date
        );
        assert_eq!(kind(Error::invalid("cursor", "x")), Invalid::Cursor);
        assert_eq!(kind(Error::invalid("query", "x")), Invalid::Query);
        assert_eq!(kind(Error::invalid("outlet", "x")), Invalid::Value);
        assert_eq!(
            kind(Error::invalid_as(Invalid::EnumValue, "view", "x")),
            Invalid::EnumValue
        );
    }
}
