//! The one mapping from the domain's [`Error`] to a gRPC [`Status`]: the
//! code, the message a client sees (internal causes are logged here and
//! replaced), and the `google.rpc` details — `ErrorInfo` with the error's
//! stable reason, `BadRequest` for the field at fault, `ResourceInfo` for
//! what was not found, `RetryInfo` when retrying may help.

use tonic::{Code, Status};
use tonic_types::{ErrorDetails, StatusExt};

use crate::error::Error;

/// The `ErrorInfo.domain` of every error.
pub const ERROR_DOMAIN: &str = "newscorpus";
/// What UNAVAILABLE and RESOURCE_EXHAUSTED answers suggest as a retry delay
/// (`google.rpc.RetryInfo`): long enough not to hammer a loading or busy
/// server, short enough not to stall a client.
pub const RETRY_DELAY: std::time::Duration = std::time::Duration::from_secs(1);

/// The gRPC code an error maps to.
pub fn code(error: &Error) -> Code {
    match error {
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
        if matches!(code(&error), Code::Unavailable | Code::ResourceExhausted)
            && !matches!(error, Error::TooLarge { .. })
        {
            details.set_retry_info(Some(RETRY_DELAY));
        }
        Status::with_error_details(code(&error), message, details)
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
    use crate::error::Invalid;

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
