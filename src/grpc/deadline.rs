//! Client deadlines (`grpc-timeout`) for every call, including the time
//! before a handler runs.
//!
//! tonic enforces `grpc-timeout` itself, but answers an expired one with
//! CANCELLED ("Timeout expired"). The gRPC spec gives an expired deadline
//! DEADLINE_EXCEEDED, and a client that retries on CANCELLED but not on
//! DEADLINE_EXCEEDED (or the reverse) must be able to tell the two apart. This
//! layer sits just inside tonic's guard and ends the call a moment earlier,
//! with the right code, whether the handler is running or the request body
//! has not even arrived yet. After the response headers are sent, streaming
//! handlers end their own streams at the deadline (see `service::StreamScope`).

use std::future::Future;
use std::pin::Pin;
use std::task::{Context, Poll};
use std::time::{Duration, Instant};

use tonic::body::Body;
use tonic::codegen::http;
use tonic::codegen::Service;
use tower::Layer;

/// How much earlier than tonic's own guard this layer answers. tonic's timer
/// starts a moment before ours and it polls us first, so any positive margin
/// wins the race; one millisecond is one tick of tokio's timer wheel.
const MARGIN: Duration = Duration::from_millis(1);

/// Parses a `grpc-timeout` header value (`<digits><unit>`, e.g. `100m`).
pub fn parse_timeout(value: &str) -> Option<Duration> {
    let (digits, unit) = value.split_at(value.len().checked_sub(1)?);
    // The spec allows at most 8 digits; more is a malformed header.
    if digits.is_empty() || digits.len() > 8 || !digits.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    let amount: u64 = digits.parse().ok()?;
    Some(match unit {
        "H" => Duration::from_secs(amount.saturating_mul(3600)),
        "M" => Duration::from_secs(amount.saturating_mul(60)),
        "S" => Duration::from_secs(amount),
        "m" => Duration::from_millis(amount),
        "u" => Duration::from_micros(amount),
        "n" => Duration::from_nanos(amount),
        _ => return None,
    })
}

/// The instant a call must be finished by, from its `grpc-timeout` header.
pub fn deadline(headers: &http::HeaderMap) -> Option<Instant> {
    let timeout = parse_timeout(headers.get("grpc-timeout")?.to_str().ok()?)?;
    Instant::now().checked_add(timeout)
}

/// Wraps every service so an expired deadline answers DEADLINE_EXCEEDED.
#[derive(Debug, Clone, Copy, Default)]
pub struct DeadlineLayer;

impl<S> Layer<S> for DeadlineLayer {
    type Service = Deadline<S>;

    fn layer(&self, inner: S) -> Self::Service {
        Deadline { inner }
    }
}

/// See [`DeadlineLayer`].
#[derive(Debug, Clone)]
pub struct Deadline<S> {
    inner: S,
}

type BoxFuture<T> = Pin<Box<dyn Future<Output = T> + Send>>;

impl<S, B> Service<http::Request<B>> for Deadline<S>
where
    S: Service<http::Request<B>, Response = http::Response<Body>>,
    S::Future: Send + 'static,
    S::Error: Send + 'static,
{
    type Response = http::Response<Body>;
    type Error = S::Error;
    type Future = BoxFuture<Result<Self::Response, Self::Error>>;

    fn poll_ready(&mut self, cx: &mut Context<'_>) -> Poll<Result<(), Self::Error>> {
        self.inner.poll_ready(cx)
    }

    fn call(&mut self, request: http::Request<B>) -> Self::Future {
        let at = deadline(request.headers()).map(|at| at.checked_sub(MARGIN).unwrap_or(at));
        let exceeded = || {
            Ok(super::status::status(
                tonic::Code::DeadlineExceeded,
                "DEADLINE_EXCEEDED",
                "deadline exceeded before the call completed",
            )
            .into_http())
        };
        // Passed on arrival: refused without running the call. (A timeout
        // alone would still answer a call that is ready on its first poll.)
        if at.is_some_and(|at| at <= std::time::Instant::now()) {
            return Box::pin(async move { exceeded() });
        }
        let response = self.inner.call(request);
        Box::pin(async move {
            let Some(at) = at else {
                return response.await;
            };
            match tokio::time::timeout_at(at.into(), response).await {
                Ok(result) => result,
                Err(_) => exceeded(),
            }
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_every_unit() {
        assert_eq!(parse_timeout("2H"), Some(Duration::from_secs(7200)));
        assert_eq!(parse_timeout("3M"), Some(Duration::from_secs(180)));
        assert_eq!(parse_timeout("4S"), Some(Duration::from_secs(4)));
        assert_eq!(parse_timeout("100m"), Some(Duration::from_millis(100)));
        assert_eq!(parse_timeout("7u"), Some(Duration::from_micros(7)));
        assert_eq!(
            parse_timeout("99999999n"),
            Some(Duration::from_nanos(99_999_999))
        );
    }

    #[test]
    fn rejects_malformed_values() {
        for bad in [
            "",
            "m",
            "10",
            "10x",
            "-1m",
            "+1m",
            "123456789m",
            "1.5S",
            " 1S",
        ] {
            assert_eq!(parse_timeout(bad), None, "{bad:?}");
        }
    }
}
