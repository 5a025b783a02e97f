//! The service's error type and its one mapping to gRPC status codes.
//!
//! Domain code (corpus, store) returns [`Error`]; only `From<Error> for Status`
//! below decides which gRPC code a client sees, so the mapping stays
//! consistent across every RPC. Internal causes are logged with their chain
//! here and replaced by a short message for the client.

use tonic::{Code, Status};
use tonic_types::{ErrorDetails, StatusExt};

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

/// The `ErrorInfo.domain` of every error.
pub const ERROR_DOMAIN: &str = "newscorpus";
/// What UNAVAILABLE and RESOURCE_EXHAUSTED answers suggest as a retry delay
/// (`google.rpc.RetryInfo`): long enough not to hammer a loading or busy
/// server, short enough not to stall a client.
pub const RETRY_DELAY: std::time::Duration = std::time::Duration::from_secs(1);

/// Everything that can go wrong while serving a request.
#[derive(Debug, thiserror::Error)]
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

    /// The same error again (`Error` is not `Clone`: internal causes may
    /// carry sources that are not). Used to fail every item of a batch.
    pub fn same(&self) -> Error {
        match self {
            Error::InvalidArgument {
                field,
                reason,
                kind,
            } => Error::invalid_as(*kind, field.clone(), reason.clone()),
            Error::NotFound { kind, id } => Error::not_found(kind, id.clone()),
            Error::TooLarge { what, size, limit } => Error::TooLarge {
                what: what.clone(),
                size: *size,
                limit: *limit,
            },
            Error::Unauthenticated(m) => Error::Unauthenticated(m.clone()),
            Error::PermissionDenied(m) => Error::PermissionDenied(m.clone()),
            Error::Exhausted(m) => Error::Exhausted(m.clone()),
            Error::Unavailable(m) => Error::Unavailable(m.clone()),
            Error::Internal(m) => Error::Internal(m.clone()),
        }
    }

    /// Shorthand for [`Error::NotFound`].
    pub fn not_found(kind: &'static str, id: impl Into<String>) -> Self {
        Error::NotFound {
            kind,
            id: id.into(),
        }
    }

    /// The gRPC code this error maps to.
    pub fn code(&self) -> Code {
        match self {
            Error::InvalidArgument { .. } => Code::InvalidArgument,
            Error::NotFound { .. } => Code::NotFound,
            Error::TooLarge { .. } => Code::ResourceExhausted,
            Error::Unauthenticated(_) => Code::Unauthenticated,
            Error::PermissionDenied(_) => Code::PermissionDenied,
            Error::Exhausted(_) => Code::ResourceExhausted,
            Error::Unavailable(_) => Code::Unavailable,
            Error::Internal(_) => Code::Internal,
        }
    }
}

/// Result alias for domain operations.
pub type Result<T, E = Error> = std::result::Result<T, E>;

impl From<Error> for Status {
    fn from(error: Error) -> Self {
        let reason = error.reason();
        let mut details = ErrorDetails::new();
        let mut metadata = std::collections::HashMap::new();
        match &error {
            Error::InvalidArgument { field, reason, .. } => {
                details.add_bad_request_violation(field.clone(), reason.clone());
                metadata.insert("field".to_owned(), field.clone());
            }
            Error::TooLarge { what, limit, .. } => {
                details.add_bad_request_violation(what.clone(), error.to_string());
                metadata.insert("field".to_owned(), what.clone());
                metadata.insert("limit".to_owned(), limit.to_string());
            }
            Error::NotFound { kind, id } => {
                details.set_resource_info(*kind, id.clone(), "", error.to_string());
            }
            _ => {}
        }
        details.set_error_info(reason, ERROR_DOMAIN, metadata);
        let message = match &error {
            Error::Internal(cause) => {
                tracing::error!(error = %cause, "internal error");
                "internal error; see server logs".to_owned()
            }
            _ => error.to_string(),
        };
        if matches!(error.code(), Code::Unavailable | Code::ResourceExhausted)
            && !matches!(error, Error::TooLarge { .. })
        {
            details.set_retry_info(Some(RETRY_DELAY));
        }
        Status::with_error_details(error.code(), message, details)
    }
}

/// A status made outside the domain (the transport's own conditions:
/// shutting down, a deadline) with the same details as a domain error's:
/// `ErrorInfo` with `reason`, and `RetryInfo` when retrying may help.
pub fn status(code: Code, reason: &str, message: impl Into<String>) -> Status {
    let mut details = ErrorDetails::new();
    details.set_error_info(reason, ERROR_DOMAIN, std::collections::HashMap::new());
    if matches!(code, Code::Unavailable | Code::ResourceExhausted) {
        details.set_retry_info(Some(RETRY_DELAY));
    }
    Status::with_error_details(code, message, details)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn invalid_argument_carries_bad_request_details() {
        let status: Status = Error::invalid("limit", "must not be negative").into();
        assert_eq!(status.code(), Code::InvalidArgument);
        assert!(status.message().contains("limit"));
        let details = status.get_error_details();
        let bad = details.bad_request().expect("bad request details");
        assert_eq!(bad.field_violations[0].field, "limit");
    }

    #[test]
    fn every_error_carries_a_stable_reason() {
        let cases: Vec<(Error, &str, bool)> = vec![
            (Error::invalid("limit", "negative"), "LIMIT_INVALID", false),
            (
                Error::invalid("filter.published_from", "bad"),
                "DATE_INVALID",
                false,
            ),
            (
                Error::invalid("cursor", "not ours"),
                "CURSOR_INVALID",
                false,
            ),
            (
                Error::invalid("query", "cannot parse"),
                "QUERY_INVALID",
                false,
            ),
            (
                Error::invalid("filter.published", "bad"),
                "DATE_INVALID",
                false,
            ),
            (Error::invalid("published_to", "bad"), "DATE_INVALID", false),
            (
                Error::invalid_as(Invalid::CursorWrongListing, "cursor", "other query"),
                "CURSOR_WRONG_LISTING",
                false,
            ),
            (Error::invalid("outlet", "odd"), "INVALID_FIELD", false),
            (Error::not_found("article", "x"), "ARTICLE_NOT_FOUND", false),
            (Error::Unavailable("loading".into()), "UNAVAILABLE", true),
            (Error::Exhausted("streams".into()), "SERVER_BUSY", true),
            (
                Error::TooLarge {
                    what: "text".into(),
                    size: 10,
                    limit: 5,
                },
                "TOO_LARGE",
                false,
            ),
            (Error::Internal("bug".into()), "INTERNAL", false),
        ];
        for (error, reason, retry) in cases {
            let status: Status = error.into();
            let details = status.get_error_details();
            let info = details.error_info().expect("ErrorInfo");
            assert_eq!(info.reason, reason);
            assert_eq!(info.domain, "newscorpus");
            assert_eq!(details.retry_info().is_some(), retry, "{reason}");
        }
        let status: Status = Error::TooLarge {
            what: "text".into(),
            size: 10,
            limit: 5,
        }
        .into();
        let details = status.get_error_details();
        assert_eq!(
            details.bad_request().unwrap().field_violations[0].field,
            "text"
        );
        assert_eq!(
            details
                .error_info()
                .unwrap()
                .metadata
                .get("limit")
                .map(String::as_str),
            Some("5")
        );
        let status: Status = Error::not_found("story", "story/x").into();
        let details = status.get_error_details();
        assert_eq!(details.resource_info().unwrap().resource_name, "story/x");
    }

    #[test]
    fn internal_errors_hide_their_cause() {
        let status: Status = Error::Internal("disk on fire at /secret".into()).into();
        assert_eq!(status.code(), Code::Internal);
        assert!(!status.message().contains("secret"));
    }

    #[test]
    fn not_found_and_too_large_codes() {
        let s: Status = Error::not_found("article", "x").into();
        assert_eq!(s.code(), Code::NotFound);
        let s: Status = Error::TooLarge {
            what: "text".into(),
            size: 10,
            limit: 5,
        }
        .into();
        assert_eq!(s.code(), Code::ResourceExhausted);
    }
}
