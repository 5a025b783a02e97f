//! Requests that are not well-formed gRPC calls are refused before any
//! handler runs.
//!
//! tonic decodes a body whatever its `content-type`, so a `text/plain` POST
//! to a method path was answered OK. The gRPC over HTTP/2 spec says a server
//! should answer a content type that does not begin with `application/grpc`
//! with HTTP 415; the answer also carries `grpc-status` so gRPC clients that
//! only read trailers see INVALID_ARGUMENT with the reason.
//!
//! tonic also reads the first message of a unary or server-streaming call
//! and silently drops any more; such a call is malformed (a client bug that
//! would otherwise go unnoticed), so its body is watched and a second
//! message fails the call with INVALID_ARGUMENT.
//!
//! The same watch sees a body that ends inside a message (its length prefix
//! promised more bytes than came) or that cannot be read at all (gRPC-Web
//! text that is not base64): tonic answers those INTERNAL, as if the server
//! had failed; they are the client's, so they fail with INVALID_ARGUMENT.

use std::task::{Context, Poll};

use tonic::body::Body;
use tonic::codegen::http;
use tonic::codegen::Service;
use tower::Layer;

/// Wraps every service so non-gRPC requests get HTTP 415.
#[derive(Debug, Clone, Copy, Default)]
pub struct GrpcContentTypeLayer;

impl<S> Layer<S> for GrpcContentTypeLayer {
    type Service = GrpcContentType<S>;

    fn layer(&self, inner: S) -> Self::Service {
        GrpcContentType { inner }
    }
}

/// See [`GrpcContentTypeLayer`].
#[derive(Debug, Clone)]
pub struct GrpcContentType<S> {
    inner: S,
}

/// Whether a `content-type` value is a gRPC one (`application/grpc`,
/// `application/grpc+proto`, `application/grpc-web…`).
pub fn is_grpc(content_type: Option<&http::HeaderValue>) -> bool {
    content_type.and_then(|v| v.to_str().ok()).is_some_and(|v| {
        v.trim()
            .to_ascii_lowercase()
            .starts_with("application/grpc")
    })
}

fn unsupported() -> http::Response<Body> {
    let mut response = http::Response::new(Body::empty());
    *response.status_mut() = http::StatusCode::UNSUPPORTED_MEDIA_TYPE;
    let headers = response.headers_mut();
    headers.insert(
        "content-type",
        http::HeaderValue::from_static("application/grpc"),
    );
    headers.insert("grpc-status", http::HeaderValue::from_static("3"));
    headers.insert(
        "grpc-message",
        http::HeaderValue::from_static("content-type%20must%20be%20application/grpc"),
    );
    response
}

/// Methods whose call carries exactly one request message: every method
/// but the client- and bidirectional-streaming ones.
fn takes_one_message(path: &str) -> bool {
    !(path.ends_with("/IngestArticles") || path.starts_with("/grpc.reflection."))
}

/// A request body that fails once a second gRPC message starts, for calls
/// that take one.
pub struct OneMessage<B> {
    inner: B,
    watch: bool,
    header: usize,
    body_left: usize,
    messages: u32,
    len: [u8; 4],
}

impl<B> OneMessage<B> {
    /// Whether the body so far ends between messages, not inside one.
    fn at_boundary(&self) -> bool {
        self.header == 0 && self.body_left == 0
    }

    /// Follows the message framing through `data`; false once a second
    /// message starts on a call that takes one.
    fn feed(&mut self, data: &[u8]) -> bool {
        let mut i = 0;
        while i < data.len() {
            if self.body_left > 0 {
                let take = self.body_left.min(data.len() - i);
                self.body_left -= take;
                i += take;
                continue;
            }
            if self.header == 0 {
                self.messages = self.messages.saturating_add(1);
                if self.watch && self.messages > 1 {
                    return false;
                }
            }
            // Header: a compression flag, then the length (big-endian u32).
            if self.header >= 1 {
                self.len[self.header - 1] = data[i];
            }
            self.header += 1;
            i += 1;
            if self.header == 5 {
                self.header = 0;
                self.body_left = u32::from_be_bytes(self.len) as usize;
            }
        }
        true
    }
}

impl<B> tonic::codegen::Body for OneMessage<B>
where
    B: tonic::codegen::Body<Data = tonic::codegen::Bytes> + Unpin,
    B::Error: Into<tonic::codegen::StdError>,
{
    type Data = tonic::codegen::Bytes;
    type Error = tonic::codegen::StdError;

    fn poll_frame(
        mut self: std::pin::Pin<&mut Self>,
        cx: &mut Context<'_>,
    ) -> Poll<Option<Result<http_body::Frame<Self::Data>, Self::Error>>> {
        let invalid = |reason: &str, message: String| -> Poll<Option<Result<_, Self::Error>>> {
            Poll::Ready(Some(Err(Box::new(super::status::status(
                tonic::Code::InvalidArgument,
                reason,
                message,
            )))))
        };
        let frame = match std::pin::Pin::new(&mut self.inner).poll_frame(cx) {
            Poll::Ready(Some(Ok(frame))) => frame,
            Poll::Ready(Some(Err(error))) => {
                let error: tonic::codegen::StdError = error.into();
                // tonic-web reports a body it cannot decode as INTERNAL;
                // any other status (ours) stands.
                let reason = match error.downcast_ref::<tonic::Status>() {
                    Some(status) if status.code() != tonic::Code::Internal => {
                        return Poll::Ready(Some(Err(error)));
                    }
                    Some(status) => status.message().to_owned(),
                    None => error.to_string(),
                };
                return invalid(
                    "MALFORMED_BODY",
                    format!("the request body cannot be read: {reason}"),
                );
            }
            Poll::Ready(None) if !self.at_boundary() => {
                return invalid(
                    "TRUNCATED_MESSAGE",
                    "the request body ends inside a message: its length prefix promised more bytes than were sent".into(),
                );
            }
            Poll::Ready(None) => return Poll::Ready(None),
            Poll::Pending => return Poll::Pending,
        };
        if let Some(data) = frame.data_ref() {
            let data = data.clone();
            if !self.feed(&data) {
                return invalid(
                    "TOO_MANY_MESSAGES",
                    "more than one request message for a method that takes one".into(),
                );
            }
        }
        Poll::Ready(Some(Ok(frame)))
    }

    fn is_end_stream(&self) -> bool {
        self.inner.is_end_stream()
    }

    fn size_hint(&self) -> http_body::SizeHint {
        self.inner.size_hint()
    }
}

impl<S, B> Service<http::Request<B>> for GrpcContentType<S>
where
    S: Service<http::Request<OneMessage<B>>, Response = http::Response<Body>>,
    S::Future: Send + 'static,
    S::Error: Send + 'static,
{
    type Response = http::Response<Body>;
    type Error = S::Error;
    type Future = futures::future::Either<
        S::Future,
        std::future::Ready<Result<http::Response<Body>, S::Error>>,
    >;

    fn poll_ready(&mut self, cx: &mut Context<'_>) -> Poll<Result<(), Self::Error>> {
        self.inner.poll_ready(cx)
    }

    fn call(&mut self, request: http::Request<B>) -> Self::Future {
        if is_grpc(request.headers().get(http::header::CONTENT_TYPE)) {
            let watch = takes_one_message(request.uri().path());
            let request = request.map(|inner| OneMessage {
                inner,
                watch,
                header: 0,
                body_left: 0,
                messages: 0,
                len: [0; 4],
            });
            futures::future::Either::Left(self.inner.call(request))
        } else {
            futures::future::Either::Right(std::future::ready(Ok(unsupported())))
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn counter() -> OneMessage<()> {
        OneMessage {
            inner: (),
            watch: true,
            header: 0,
            body_left: 0,
            messages: 0,
            len: [0; 4],
        }
    }

    #[test]
    fn a_second_message_is_seen_however_the_bytes_are_cut() {
        // Two messages: 3 bytes, then 0 bytes.
        let two = [0u8, 0, 0, 0, 3, 7, 7, 7, 0, 0, 0, 0, 0];
        for cut in 0..two.len() {
            let mut c = counter();
            let first = c.feed(&two[..cut]);
            let second = c.feed(&two[cut..]);
            assert!(!(first && second), "cut at {cut}");
        }
        let mut one = counter();
        assert!(one.feed(&two[..4]) && one.feed(&two[4..8]));
        let mut empty = counter();
        assert!(empty.feed(&[0, 0, 0, 0, 0]));
        assert!(!empty.feed(&[0]));
    }

    #[test]
    fn a_body_cut_inside_a_message_is_seen() {
        let message = [0u8, 0, 0, 0, 3, 7, 7, 7];
        for cut in 0..=message.len() {
            let mut c = counter();
            assert!(c.feed(&message[..cut]));
            let whole = cut == 0 || cut == message.len();
            assert_eq!(c.at_boundary(), whole, "cut at {cut}");
        }
        // An empty message (length 0) ends right after its prefix.
        let mut empty = counter();
        assert!(empty.feed(&[0, 0, 0, 0]));
        assert!(!empty.at_boundary());
        assert!(empty.feed(&[0]));
        assert!(empty.at_boundary());
    }

    #[test]
    fn streaming_calls_may_send_many_messages() {
        let mut stream = OneMessage {
            watch: false,
            ..counter()
        };
        for _ in 0..3 {
            assert!(stream.feed(&[0, 0, 0, 0, 2, 1, 1]));
            assert!(stream.at_boundary());
        }
        assert_eq!(stream.messages, 3);
    }

    #[test]
    fn grpc_content_types_are_told_apart() {
        let value = |s: &'static str| http::HeaderValue::from_static(s);
        for good in [
            "application/grpc",
            "application/grpc+proto",
            "Application/GRPC-web+proto",
        ] {
            assert!(is_grpc(Some(&value(good))), "{good}");
        }
        for bad in ["text/plain", "application/json", "application/gr"] {
            assert!(!is_grpc(Some(&value(bad))), "{bad}");
        }
        assert!(!is_grpc(None));
    }
}
