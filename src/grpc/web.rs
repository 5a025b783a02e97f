//! gRPC-Web for browsers, on the gRPC port: tonic-web translates the calls,
//! and CORS (off unless `--cors-origin` is given) lets pages of other origins
//! make them. Client streaming (IngestArticles) cannot be called from a
//! browser: the gRPC-Web protocol has no client streams.

use std::time::Duration;

use tonic::codegen::http::{HeaderName, HeaderValue, Method};
use tower_http::cors::{AllowOrigin, CorsLayer};

/// Which browser origins may call.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub enum Origins {
    /// No CORS headers: only the server's own origin (browsers enforce it).
    #[default]
    None,
    /// Any origin (`--cors-origin '*'`).
    Any,
    /// These origins, exactly.
    List(Vec<HeaderValue>),
}

/// The `--cors-origin` values checked: each an origin (`scheme://host[:port]`,
/// no path) or `*` alone.
pub fn origins(given: &[String]) -> Result<Origins, String> {
    let given: Vec<&str> = given
        .iter()
        .map(|o| o.trim())
        .filter(|o| !o.is_empty())
        .collect();
    if given.is_empty() {
        return Ok(Origins::None);
    }
    if given.contains(&"*") {
        if given.len() > 1 {
            return Err("--cors-origin: `*` allows every origin; give it alone".into());
        }
        return Ok(Origins::Any);
    }
    let mut list = Vec::with_capacity(given.len());
    for origin in given {
        let (scheme, rest) = origin.split_once("://").unwrap_or(("", origin));
        let valid = matches!(scheme, "http" | "https")
            && !rest.is_empty()
            && !rest.contains(['/', '?', '#', ' '])
            && !origin.ends_with('/');
        if !valid {
            return Err(format!(
                "--cors-origin {origin:?}: an origin is `http(s)://host[:port]`, without a path (or `*`)"
            ));
        }
        let value = HeaderValue::from_str(origin)
            .map_err(|_| format!("--cors-origin {origin:?}: not a valid header value"))?;
        list.push(value);
    }
    Ok(Origins::List(list))
}

/// Response headers a gRPC-Web client must read: the status and its details
/// come as headers when a call fails before any message.
const EXPOSED: [&str; 4] = [
    "grpc-status",
    "grpc-message",
    "grpc-status-details-bin",
    "grpc-encoding",
];
/// Request headers gRPC-Web clients send.
const ALLOWED: [&str; 8] = [
    "content-type",
    "x-grpc-web",
    "x-user-agent",
    "grpc-timeout",
    "grpc-accept-encoding",
    "grpc-encoding",
    "authorization",
    "connect-protocol-version",
];
/// How long a browser may cache a preflight's answer.
const PREFLIGHT_MAX_AGE: Duration = Duration::from_secs(24 * 60 * 60);

/// The CORS layer for `origins`; with none, it adds no header.
pub fn cors(origins: &Origins) -> CorsLayer {
    let allow = match origins {
        Origins::None => return CorsLayer::new(),
        Origins::Any => AllowOrigin::any(),
        Origins::List(list) => AllowOrigin::list(list.iter().cloned()),
    };
    CorsLayer::new()
        .allow_origin(allow)
        .allow_methods([Method::POST, Method::OPTIONS])
        .allow_headers(ALLOWED.map(HeaderName::from_static))
        .expose_headers(EXPOSED.map(HeaderName::from_static))
        .max_age(PREFLIGHT_MAX_AGE)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn strings(v: &[&str]) -> Vec<String> {
        v.iter().map(|s| s.to_string()).collect()
    }

    #[test]
    fn origins_are_checked() {
        assert_eq!(origins(&[]), Ok(Origins::None));
        assert_eq!(origins(&strings(&["", " "])), Ok(Origins::None));
        assert_eq!(origins(&strings(&["*"])), Ok(Origins::Any));
        assert_eq!(
            origins(&strings(&[
                "https://app.example.org",
                "http://localhost:5173"
            ])),
            Ok(Origins::List(vec![
                HeaderValue::from_static("https://app.example.org"),
                HeaderValue::from_static("http://localhost:5173"),
            ]))
        );
        for bad in [
            "app.example.org",
            "https://app.example.org/",
            "https://app.example.org/path",
            "ftp://x",
            "https://",
        ] {
            let err = origins(&strings(&[bad])).unwrap_err();
            assert!(err.contains("--cors-origin"), "{bad}: {err}");
        }
        assert!(origins(&strings(&["*", "https://a.example"])).is_err());
    }
}
