//! The corpus explorer: a browser UI served by the gRPC port itself, at `/`.
//!
//! Its assets (`ui/dist/`, built from `ui/src/` by `scripts/clients/browser.sh`
//! and committed, so `cargo build` needs no Node) are compiled into the binary:
//! nothing is read or fetched at run time. The page then calls the public API
//! over gRPC-Web on the same origin, so it needs no CORS grant and sees exactly
//! what any other client sees.
//!
//! This layer answers the requests that are not gRPC: a GET or HEAD of an
//! asset gets it, any other GET or HEAD gets 404 (with `--no-ui`, every one
//! does), and anything else goes on to the gRPC layers, which refuse a
//! non-gRPC POST with 415.

use std::task::{Context, Poll};

use http_body_util::Full;
use tonic::body::Body;
use tonic::codegen::{http, Bytes, Service};
use tower::Layer;

use super::content_type::is_grpc;

/// One file of the explorer.
struct Asset {
    path: &'static str,
    content_type: &'static str,
    body: &'static [u8],
}

macro_rules! asset {
    ($path:literal, $file:literal, $type:literal) => {
        Asset {
            path: $path,
            content_type: $type,
            body: include_bytes!(concat!(env!("CARGO_MANIFEST_DIR"), "/ui/dist/", $file)),
        }
    };
}

const ASSETS: [Asset; 5] = [
    asset!("/", "index.html", "text/html; charset=utf-8"),
    asset!("/index.html", "index.html", "text/html; charset=utf-8"),
    asset!("/app.js", "app.js", "text/javascript; charset=utf-8"),
    asset!("/app.css", "app.css", "text/css; charset=utf-8"),
    asset!("/favicon.svg", "favicon.svg", "image/svg+xml"),
];

/// The page may run only its own script and style and call only its own
/// origin: corpus text shown on it can never load or run anything.
const CSP: &str = "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self' data:; \
                   connect-src 'self'; base-uri 'none'; form-action 'self'; frame-ancestors 'none'";

/// Serves the explorer's assets (when `enabled`) in front of the gRPC services.
#[derive(Debug, Clone, Copy)]
pub struct ExplorerLayer {
    enabled: bool,
}

impl ExplorerLayer {
    /// `enabled: false` (`--no-ui`) answers every GET with 404.
    pub fn new(enabled: bool) -> Self {
        ExplorerLayer { enabled }
    }
}

impl<S> Layer<S> for ExplorerLayer {
    type Service = Explorer<S>;

    fn layer(&self, inner: S) -> Self::Service {
        Explorer {
            inner,
            enabled: self.enabled,
        }
    }
}

/// See [`ExplorerLayer`].
#[derive(Debug, Clone)]
pub struct Explorer<S> {
    inner: S,
    enabled: bool,
}

/// A strong validator for an asset: its bytes' FNV-1a hash, so a browser
/// revalidates (`no-cache`) and gets 304 until the binary changes.
fn etag(body: &[u8]) -> String {
    let hash = body.iter().fold(0xcbf2_9ce4_8422_2325_u64, |h, b| {
        (h ^ u64::from(*b)).wrapping_mul(0x0100_0000_01b3)
    });
    format!("\"{hash:016x}\"")
}

fn text(status: http::StatusCode, message: &'static str) -> http::Response<Body> {
    let mut response =
        http::Response::new(Body::new(Full::new(Bytes::from_static(message.as_bytes()))));
    *response.status_mut() = status;
    response.headers_mut().insert(
        http::header::CONTENT_TYPE,
        http::HeaderValue::from_static("text/plain; charset=utf-8"),
    );
    response
}

/// The answer to a non-gRPC GET or HEAD.
fn answer<B>(request: &http::Request<B>, enabled: bool) -> http::Response<Body> {
    let path = request.uri().path();
    let Some(asset) = ASSETS.iter().find(|a| enabled && a.path == path) else {
        return text(
            http::StatusCode::NOT_FOUND,
            "404 not found: neither an API method nor a page of the explorer\n",
        );
    };
    let tag = etag(asset.body);
    let fresh = request
        .headers()
        .get_all(http::header::IF_NONE_MATCH)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .flat_map(|v| v.split(','))
        .any(|v| v.trim() == tag || v.trim() == "*");
    let (status, body) = if fresh {
        (http::StatusCode::NOT_MODIFIED, Bytes::new())
    } else if request.method() == http::Method::HEAD {
        (http::StatusCode::OK, Bytes::new())
    } else {
        (http::StatusCode::OK, Bytes::from_static(asset.body))
    };
    let mut response = http::Response::new(Body::new(Full::new(body)));
    *response.status_mut() = status;
    let headers = response.headers_mut();
    let value = http::HeaderValue::from_static;
    headers.insert(http::header::CONTENT_TYPE, value(asset.content_type));
    if status == http::StatusCode::OK {
        headers.insert(http::header::CONTENT_LENGTH, asset.body.len().into());
    }
    headers.insert(http::header::CACHE_CONTROL, value("no-cache"));
    if let Ok(tag) = http::HeaderValue::from_str(&tag) {
        headers.insert(http::header::ETAG, tag);
    }
    headers.insert(http::header::CONTENT_SECURITY_POLICY, value(CSP));
    headers.insert(http::header::X_CONTENT_TYPE_OPTIONS, value("nosniff"));
    headers.insert(http::header::REFERRER_POLICY, value("no-referrer"));
    response
}

impl<S, B> Service<http::Request<B>> for Explorer<S>
where
    S: Service<http::Request<B>, Response = http::Response<Body>>,
    S::Future: Send + 'static,
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
        let page = matches!(*request.method(), http::Method::GET | http::Method::HEAD)
            && !is_grpc(request.headers().get(http::header::CONTENT_TYPE));
        if page {
            futures::future::Either::Right(std::future::ready(Ok(answer(&request, self.enabled))))
        } else {
            futures::future::Either::Left(self.inner.call(request))
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn get(path: &str) -> http::Request<()> {
        http::Request::get(path).body(()).unwrap()
    }

    #[test]
    fn assets_are_served_with_their_type_and_policy() {
        let page = answer(&get("/"), true);
        assert_eq!(page.status(), http::StatusCode::OK);
        assert_eq!(page.headers()["content-type"], "text/html; charset=utf-8");
        assert_eq!(page.headers()["content-security-policy"], CSP);
        assert_eq!(
            page.headers()["content-length"],
            ASSETS[0].body.len().to_string().as_str()
        );
        let script = answer(&get("/app.js"), true);
        assert_eq!(
            script.headers()["content-type"],
            "text/javascript; charset=utf-8"
        );
        // Every page of the explorer is one document: the rest is a hash route.
        assert!(String::from_utf8_lossy(ASSETS[0].body).contains("app.js"));
    }

    #[test]
    fn unknown_paths_and_a_disabled_ui_get_404() {
        assert_eq!(
            answer(&get("/nope"), true).status(),
            http::StatusCode::NOT_FOUND
        );
        assert_eq!(
            answer(&get("/app.js/x"), true).status(),
            http::StatusCode::NOT_FOUND
        );
        assert_eq!(
            answer(&get("/"), false).status(),
            http::StatusCode::NOT_FOUND
        );
    }

    #[test]
    fn a_matching_etag_gets_304_and_head_no_body() {
        let tag = etag(ASSETS[2].body);
        let request = http::Request::get("/app.js")
            .header("if-none-match", format!("\"other\", {tag}"))
            .body(())
            .unwrap();
        assert_eq!(
            answer(&request, true).status(),
            http::StatusCode::NOT_MODIFIED
        );
        let stale = http::Request::get("/app.js")
            .header("if-none-match", "\"other\"")
            .body(())
            .unwrap();
        assert_eq!(answer(&stale, true).status(), http::StatusCode::OK);
        let head = http::Request::head("/app.js").body(()).unwrap();
        let response = answer(&head, true);
        assert_eq!(response.status(), http::StatusCode::OK);
        assert_eq!(
            http_body::Body::size_hint(response.body()).exact(),
            Some(0),
            "HEAD has no body"
        );
        assert_ne!(etag(b"a"), etag(b"b"));
    }
}
