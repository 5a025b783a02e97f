//! The service's error type and its one mapping to gRPC status codes.
//!
//! Domain code (corpus, store) returns [`Error`]; only `From<Error> for Status`
//! below decides which gRPC code a client sees, so the mapping stays
//! consistent across every RPC. Internal causes are logged with their chain
//! here and replaced by a short message for the client.

use tonic::{Code, Status};
use tonic_types::{ErrorDetails, StatusExt};

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
    /// Shorthand for [`Error::InvalidArgument`].
    pub fn invalid(field: impl Into<String>, reason: impl Into<String>) -> Self {
        Error::InvalidArgument {
            field: field.into(),
            reason: reason.into(),
        }
    }

    /// The same error again (`Error` is not `Clone`: internal causes may
    /// carry sources that are not). Used to fail every item of a batch.
    pub fn same(&self) -> Error {
        match self {
            Error::InvalidArgument { field, reason } => {
                Error::invalid(field.clone(), reason.clone())
            }
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
        match &error {
            Error::InvalidArgument { field, reason } => {
                let mut details = ErrorDetails::new();
                details.add_bad_request_violation(field.clone(), reason.clone());
                Status::with_error_details(Code::InvalidArgument, error.to_string(), details)
            }
            Error::TooLarge { what, .. } => {
                let mut details = ErrorDetails::new();
                details.add_bad_request_violation(what.clone(), error.to_string());
                Status::with_error_details(Code::ResourceExhausted, error.to_string(), details)
            }
            Error::Internal(cause) => {
                tracing::error!(error = %cause, "internal error");
                Status::internal("internal error; see server logs")
            }
            _ => Status::new(error.code(), error.to_string()),
        }
    }
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
