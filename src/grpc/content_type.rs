//! Requests that are not gRPC are refused before any handler runs.
//!
//! tonic decodes a body whatever its `content-type`, so a `text/plain` POST
//! to a method path was answered OK. The gRPC over HTTP/2 spec says a server
//! should answer a content type that does not begin with `application/grpc`
//! with HTTP 415; the answer also carries `grpc-status` so gRPC clients that
//! only read trailers see INVALID_ARGUMENT with the reason.

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

impl<S, B> Service<http::Request<B>> for GrpcContentType<S>
where
    S: Service<http::Request<B>, Response = http::Response<Body>>,
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
            futures::future::Either::Left(self.inner.call(request))
        } else {
            futures::future::Either::Right(std::future::ready(Ok(unsupported())))
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

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
