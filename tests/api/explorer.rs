//! The corpus explorer on the gRPC port: its pages over HTTP/1.1 and HTTP/2,
//! 404 for any other GET, `--no-ui`, and the API beside it unharmed. (The
//! explorer itself is tested in Chromium by scripts/clients/browser.sh.)

use newscorpus::grpc::pb;
use newscorpus::grpc::ServerOptions;
use tokio::io::{AsyncReadExt, AsyncWriteExt};

use crate::helpers::{seeds_dir, spawn_app, spawn_app_with};

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

    let stats = app
        .client
        .get_corpus_stats(pb::GetCorpusStatsRequest {})
        .await
        .unwrap()
        .into_inner();
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
    let stats = app
        .client
        .get_corpus_stats(pb::GetCorpusStatsRequest {})
        .await
        .unwrap()
        .into_inner();
    assert_eq!(stats.article_count, 5);
}
