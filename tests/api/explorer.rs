//! The corpus explorer on the gRPC port: its pages over HTTP/1.1 and HTTP/2,
//! 404 for any other GET, `--no-ui`, and the API beside it unharmed. (The
//! explorer itself is tested in Chromium by scripts/clients/browser.sh.)

use newscorpus::grpc::ServerOptions;
use tokio::io::{AsyncReadExt, AsyncWriteExt};

use crate::helpers::{corpus_stats, seeds_dir, spawn_app, spawn_app_with};

/// One HTTP/1.1 request on a fresh connection: (status, headers in lower case, body).
async fn http1(addr: std::net::SocketAddr, request: &str) -> (u16, String, Vec<u8>) {
    let mut tcp = tokio::net::TcpStream::connect(addr).await.unwrap();
    tcp.write_all(request.as_bytes()).await.unwrap();
    let mut raw = Vec::new();
    tokio::time::timeout(
        std::time::Duration::from_secs(10),
        tcp.read_to_end(&mut raw),
    )
    .await
    .expect("the server closes the connection after answering")
    .unwrap();
    let split = raw
        .windows(4)
        .position(|w| w == b"\r\n\r\n")
        .expect("a header block");
    let head = String::from_utf8_lossy(&raw[..split]).to_lowercase();
    let status = head[9..12].parse().unwrap();
    (status, head, raw[split + 4..].to_vec())
}

fn get(path: &str, method: &str) -> String {
    format!("{method} {path} HTTP/1.1\r\nhost: localhost\r\nconnection: close\r\n\r\n")
}

#[tokio::test]
async fn the_explorer_is_served_at_the_root_and_nothing_else_is() {
    let mut app = spawn_app().await;
    let addr = app.running.addr;

    let (status, head, body) = http1(addr, &get("/", "GET")).await;
    assert_eq!(status, 200, "{head}");
    assert!(
        head.contains("content-type: text/html; charset=utf-8"),
        "{head}"
    );
    assert!(
        head.contains("content-security-policy: default-src 'none'"),
        "{head}"
    );
    assert!(head.contains("connect-src 'self'"), "{head}");
    let page = String::from_utf8(body).unwrap();
    assert!(
        page.contains(r#"<script type="module" src="app.js">"#),
        "{page}"
    );

    let (status, head, script) = http1(addr, &get("/app.js", "GET")).await;
    assert_eq!(status, 200, "{head}");
    assert!(head.contains("content-type: text/javascript"), "{head}");
    // The bundle speaks gRPC-Web to the API.
    assert!(String::from_utf8_lossy(&script).contains("application/grpc-web"));
    let (status, head, _) = http1(addr, &get("/app.css", "GET")).await;
    assert_eq!(status, 200, "{head}");
    assert!(head.contains("content-type: text/css"), "{head}");

    // HEAD: the headers, no body.
    let (status, head, body) = http1(addr, &get("/", "HEAD")).await;
    assert_eq!(status, 200);
    assert!(
        head.contains(&format!("content-length: {}", page.len())),
        "{head}"
    );
    assert!(body.is_empty());

    // Any other path: 404, whatever it looks like.
    for path in [
        "/nope",
        "/app.js/x",
        "/newscorpus.v1.CorpusService/GetCorpusStats",
        "/%ff",
    ] {
        let (status, _, body) = http1(addr, &get(path, "GET")).await;
        assert_eq!(status, 404, "{path}");
        assert!(String::from_utf8_lossy(&body).contains("neither an API method nor a page"));
    }
    // A POST that is not gRPC or gRPC-Web is refused, not answered with a page.
    let post = "POST / HTTP/1.1\r\nhost: localhost\r\nconnection: close\r\ncontent-type: text/plain\r\ncontent-length: 2\r\n\r\nhi";
    let (status, _, _) = http1(addr, post).await;
    assert!((400..500).contains(&status), "{status}");

    // The same page over HTTP/2 (a browser that speaks it), then gRPC on the port.
    let tcp = tokio::net::TcpStream::connect(addr).await.unwrap();
    let (h2, connection) = h2::client::handshake(tcp).await.unwrap();
    tokio::spawn(connection);
    let mut h2 = h2.ready().await.unwrap();
    let request = tonic::codegen::http::Request::get(format!("http://{addr}/"))
        .body(())
        .unwrap();
    let (response, _) = h2.send_request(request, true).unwrap();
    let response = response.await.unwrap();
    assert_eq!(response.status(), 200);
    assert_eq!(
        response.headers()["content-type"],
        "text/html; charset=utf-8"
    );

    let stats = corpus_stats(&mut app.client).await;
    assert_eq!(stats.article_count, 5);
}

#[tokio::test]
async fn no_ui_serves_the_api_only() {
    let options = ServerOptions {
        ui: false,
        ..ServerOptions::default()
    };
    let mut app = spawn_app_with(Some(seeds_dir()), options, Default::default()).await;
    for path in ["/", "/app.js", "/index.html"] {
        let (status, _, _) = http1(app.running.addr, &get(path, "GET")).await;
        assert_eq!(status, 404, "{path}");
    }
    let stats = corpus_stats(&mut app.client).await;
    assert_eq!(stats.article_count, 5);
}

/// A gRPC-Web call over HTTP/1.1 with this raw body: (grpc-status, grpc-message).
async fn grpc_web(
    addr: std::net::SocketAddr,
    method: &str,
    content_type: &str,
    body: &[u8],
) -> (String, String) {
    let mut request = format!(
        "POST /newscorpus.v1.CorpusService/{method} HTTP/1.1\r\nhost: localhost\r\nconnection: close\r\n\
         content-type: {content_type}\r\nx-grpc-web: 1\r\ncontent-length: {}\r\n\r\n",
        body.len()
    )
    .into_bytes();
    request.extend_from_slice(body);
    let mut tcp = tokio::net::TcpStream::connect(addr).await.unwrap();
    // The server may answer (and close) before it has read a large body.
    let _ = tcp.write_all(&request).await;
    let mut raw = Vec::new();
    let _ = tokio::time::timeout(
        std::time::Duration::from_secs(10),
        tcp.read_to_end(&mut raw),
    )
    .await
    .expect("an answer");
    // The status comes as a header (no message) or in the trailer frame (0x80).
    let text = String::from_utf8_lossy(&raw).to_lowercase();
    let field = |name: &str| {
        text.split(&format!("{name}:"))
            .nth(1)
            .map(|rest| {
                rest.split(['\r', '\n'])
                    .next()
                    .unwrap_or("")
                    .trim()
                    .to_owned()
            })
            .unwrap_or_default()
    };
    (field("grpc-status"), field("grpc-message"))
}

#[tokio::test]
async fn malformed_grpc_web_bodies_get_invalid_argument_and_the_server_keeps_serving() {
    let mut app = spawn_app().await;
    let addr = app.running.addr;
    let proto = "application/grpc-web+proto";

    // A length prefix of 1,000 bytes, then 3.
    let (status, message) = grpc_web(addr, "GetCorpusStats", proto, b"\0\0\0\x03\xe8abc").await;
    assert_eq!(status, "3", "{message}");
    assert!(message.contains("ends%20inside%20a%20message"), "{message}");
    // gRPC-Web text whose body is not base64.
    let (status, message) = grpc_web(
        addr,
        "GetCorpusStats",
        "application/grpc-web-text",
        b"!!!not base64",
    )
    .await;
    assert_eq!(status, "3", "{message}");
    assert!(message.contains("cannot%20be%20read"), "{message}");
    // A message over --max-message-bytes (16 MiB by default): OUT_OF_RANGE
    // naming the limit, as over gRPC (tonic's answer; see the catalogue).
    let big = 17 * 1024 * 1024;
    let mut body = vec![0u8];
    body.extend_from_slice(&(big as u32).to_be_bytes());
    body.resize(5 + big, b'x');
    let (status, message) = grpc_web(addr, "GetArticle", proto, &body).await;
    assert_eq!(status, "11", "{message}");
    assert!(message.contains("16777216"), "{message}");
    // Well-formed: OK.
    let (status, message) = grpc_web(addr, "GetCorpusStats", proto, b"\0\0\0\0\0").await;
    assert_eq!(status, "0", "{message}");

    let stats = corpus_stats(&mut app.client).await;
    assert_eq!(stats.article_count, 5);
}
