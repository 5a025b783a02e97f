//! Clients that push the transport: streams that are never read (memory
//! stays bounded per stream and server-wide) and long ingest streams of
//! small items sent one HTTP/2 DATA frame each, as grpcio and grpc-go send
//! them, while the server lags behind (no GOAWAY, every item acknowledged).
//!
//! These use a raw `h2` client: the generated client cannot close its flow
//! window or choose its DATA framing.

use std::ffi::OsStr;
use std::time::Duration;

use newscorpus::corpus::Limits;
use newscorpus::grpc::{pb, ServerOptions, ServiceOptions};
use prost::bytes::Bytes;
use prost::Message;
use tokio::net::TcpStream;
use tonic::codegen::http;
use tonic::Code;

use crate::helpers::*;

/// Resident memory of a process, in bytes.
fn rss_of(pid: u32) -> u64 {
    let status = std::fs::read_to_string(format!("/proc/{pid}/status")).unwrap_or_default();
    status
        .lines()
        .find_map(|l| l.strip_prefix("VmRSS:"))
        .and_then(|v| v.trim().trim_end_matches("kB").trim().parse::<u64>().ok())
        .map_or(0, |kb| kb * 1024)
}

/// A gRPC message frame: compression flag, length, message.
fn grpc_frame(message: &impl Message) -> Bytes {
    let body = message.encode_to_vec();
    let mut frame = Vec::with_capacity(body.len() + 5);
    frame.push(0);
    frame.extend_from_slice(&(body.len() as u32).to_be_bytes());
    frame.extend_from_slice(&body);
    Bytes::from(frame)
}

fn grpc_request(addr: &str, method: &str) -> http::Request<()> {
    http::Request::builder()
        .method("POST")
        .uri(format!(
            "http://{addr}/newscorpus.v1.CorpusService/{method}"
        ))
        .header("content-type", "application/grpc")
        .header("te", "trailers")
        .body(())
        .expect("request")
}

/// An h2 connection whose stream windows are `window` bytes.
async fn h2_connect(addr: &str, window: u32) -> h2::client::SendRequest<Bytes> {
    let tcp = TcpStream::connect(addr).await.expect("connect");
    let (client, connection) = h2::client::Builder::new()
        .initial_window_size(window)
        .handshake::<_, Bytes>(tcp)
        .await
        .expect("h2 handshake");
    tokio::spawn(async move {
        let _ = connection.await;
    });
    client
}

/// A corpus folder of `count` articles of about `bytes` each, all different.
fn large_articles(dir: &std::path::Path, count: usize, bytes: usize) {
    for n in 0..count {
        let mut text = format!("Port authority report number {n}\n\n");
        let mut p = 0;
        while text.len() < bytes {
            text.push_str(&format!(
                "In paragraph {p} of report {n}, the port authority of Valletta said cargo volumes rose by {} percent while \
                 the harbour master, Elena Borg, counted {} ships at anchor on the morning of the inspection.\n\n",
                (n * 31 + p * 7) % 97,
                (n * 13 + p * 3) % 89
            ));
            p += 1;
        }
        std::fs::write(dir.join(format!("report_{n:03}.txt")), text).expect("write article");
    }
}

/// Defect: streams whose client never reads pinned the whole corpus each (a
/// server with 1 MB articles was OOM-killed). Now a stream holds about its
/// byte budget: 120 never-read ListArticles and WatchArticles streams over
/// 2 MB of articles grow the server's memory by far less than one corpus
/// copy per stream would.
#[tokio::test]
async fn streams_that_are_never_read_pin_a_bounded_amount_of_memory() {
    let corpus = tempfile::tempdir().unwrap();
    large_articles(corpus.path(), 40, 48 * 1024);
    let server = spawn_server(&[
        OsStr::new("--corpus"),
        corpus.path().as_os_str(),
        OsStr::new("--max-stream-buffer-bytes"),
        OsStr::new("262144"),
    ]);
    let pid = server.child.id();
    // Warm up: one full listing read to the end (allocator pools, caches).
    let mut client = connect(&server.addr).await;
    assert_eq!(all_articles(&mut client).await.len(), 40);
    tokio::time::sleep(Duration::from_millis(300)).await;
    let before = rss_of(pid);

    let mut held = Vec::new();
    let mut clients = Vec::new();
    for _connection in 0..4 {
        let mut h2 = h2_connect(&server.addr, 0).await;
        for n in 0..30 {
            let (method, message) = if n % 3 == 0 {
                let request = pb::WatchArticlesRequest {
                    from_start: true,
                    ..Default::default()
                };
                ("WatchArticles", grpc_frame(&request))
            } else {
                (
                    "ListArticles",
                    grpc_frame(&pb::ListArticlesRequest::default()),
                )
            };
            h2 = h2.ready().await.expect("stream slot");
            let (response, mut send) = h2
                .send_request(grpc_request(&server.addr, method), false)
                .expect("send request");
            send.send_data(message, true).expect("send message");
            held.push((response, send));
        }
        clients.push(h2);
    }
    // Give every producer time to fill what it may hold.
    tokio::time::sleep(Duration::from_secs(3)).await;
    let after = rss_of(pid);
    let grown = after.saturating_sub(before);
    eprintln!(
        "120 never-read streams: server RSS {} MiB -> {} MiB",
        before >> 20,
        after >> 20
    );
    // One corpus copy per stream would be ~120 × 2 MB (~4 MB counting both
    // the stored and the encoded form); the budget allows 120 × (256 KiB +
    // about 3 articles) ≈ 50 MB.
    assert!(
        grown < 100 << 20,
        "120 never-read streams grew the server by {} MiB",
        grown >> 20
    );
    // The server still answers others.
    let mut other = connect(&server.addr).await;
    assert_eq!(all_articles(&mut other).await.len(), 40);
    drop(held);
    drop(clients);
    let mut server = server;
    let _ = server.child.kill();
    let _ = server.child.wait();
}

/// The server-wide stream memory budget: each stream reserves its buffer
/// bytes when it opens; past the budget, RESOURCE_EXHAUSTED saying so.
#[tokio::test]
async fn the_stream_memory_budget_is_shared_and_enforced() {
    let app = spawn_app_with(
        Some(seeds_dir()),
        ServerOptions {
            service: ServiceOptions {
                max_stream_buffer_bytes: 1 << 20,
                stream_memory_budget_bytes: 4 << 20,
                ..Default::default()
            },
            ..Default::default()
        },
        Limits::default(),
    )
    .await;
    let mut open = Vec::new();
    for _ in 0..4 {
        let stream = app
            .client
            .clone()
            .watch_articles(pb::WatchArticlesRequest::default())
            .await
            .expect("within the budget")
            .into_inner();
        open.push(stream);
    }
    let status = app
        .client
        .clone()
        .list_articles(pb::ListArticlesRequest::default())
        .await
        .expect_err("past the budget");
    assert_eq!(status.code(), Code::ResourceExhausted, "{status:?}");
    assert!(status.message().contains("memory budget"), "{status:?}");
    // Closing one stream gives its bytes back.
    drop(open.pop());
    let mut accepted = false;
    for _ in 0..50 {
        if let Ok(response) = app
            .client
            .clone()
            .list_articles(pb::ListArticlesRequest::default())
            .await
        {
            assert_eq!(collect(response.into_inner()).await.unwrap().len(), 5);
            accepted = true;
            break;
        }
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
    assert!(accepted, "a closed stream's budget is released");
}

/// Defect: one IngestArticles stream of thousands of ~100-byte items, one
/// DATA frame each, died with GOAWAY ENHANCE_YOUR_CALM "too_many_data_frames"
/// when the server lagged, losing acknowledgements. The client sends as fast
/// as flow control lets it, reading answers as they come; all are answered.
#[tokio::test]
async fn a_long_ingest_stream_of_small_items_finishes() {
    const ITEMS: usize = 20_000;
    let app = spawn_app().await;
    let addr = app.running.addr.to_string();
    let h2 = h2_connect(&addr, 1 << 20).await;
    let mut h2 = h2.ready().await.expect("ready");
    let (response, mut send) = h2
        .send_request(grpc_request(&addr, "IngestArticles"), false)
        .expect("send request");
    let reader = tokio::spawn(async move {
        let response = response.await.expect("response headers");
        let (parts, mut body) = response.into_parts();
        assert_eq!(parts.status, 200);
        let mut buffer = Vec::new();
        let mut answers = Vec::new();
        while let Some(chunk) = body.data().await {
            let chunk = chunk.expect("response body (no GOAWAY)");
            let _ = body.flow_control().release_capacity(chunk.len());
            buffer.extend_from_slice(&chunk);
            while buffer.len() >= 5 {
                let len = u32::from_be_bytes(buffer[1..5].try_into().unwrap()) as usize;
                if buffer.len() < 5 + len {
                    break;
                }
                let answer = pb::IngestArticlesResponse::decode(&buffer[5..5 + len]).unwrap();
                answers.push(answer);
                buffer.drain(..5 + len);
            }
        }
        let trailers = body.trailers().await.expect("trailers").unwrap_or_default();
        let status = trailers
            .get("grpc-status")
            .map(|v| v.to_str().unwrap_or("?").to_owned());
        (answers, status)
    });
    for n in 0..ITEMS {
        let item = pb::IngestArticlesRequest {
            text: format!("Ferry {n} sailed from Split to Hvar on time on Monday morning."),
            client_ref: n.to_string(),
            ..Default::default()
        };
        let frame = grpc_frame(&item);
        send.reserve_capacity(frame.len());
        loop {
            if send.capacity() >= frame.len() {
                break;
            }
            match futures::future::poll_fn(|cx| send.poll_capacity(cx)).await {
                Some(Ok(_)) => {}
                Some(Err(error)) => panic!("send capacity after {n} items: {error}"),
                None => panic!("stream closed after {n} items"),
            }
        }
        send.send_data(frame, n + 1 == ITEMS)
            .unwrap_or_else(|e| panic!("send item {n}: {e}"));
    }
    let (answers, status) = tokio::time::timeout(Duration::from_secs(300), reader)
        .await
        .expect("all answered within 5 minutes")
        .expect("reader");
    assert_eq!(status.as_deref(), Some("0"), "the call ends OK");
    assert_eq!(answers.len(), ITEMS);
    for (n, answer) in answers.iter().enumerate() {
        assert_eq!(answer.index as usize, n);
        assert_eq!(
            answer.status,
            pb::IngestStatus::Created as i32,
            "{answer:?}"
        );
    }
}

/// Reads until the server closes the connection; true if it did within `limit`.
async fn closed_within(stream: &mut TcpStream, limit: Duration) -> bool {
    use tokio::io::AsyncReadExt;
    let mut buf = [0u8; 1024];
    let deadline = tokio::time::Instant::now() + limit;
    loop {
        match tokio::time::timeout_at(deadline, stream.read(&mut buf)).await {
            Err(_) => return false,
            Ok(Ok(0)) | Ok(Err(_)) => return true,
            Ok(Ok(_)) => continue, // the server's SETTINGS
        }
    }
}

/// Defect: connections that never complete the handshake stayed open for
/// ever. Silent ones and ones that stall after a byte are closed at the
/// handshake timeout; a real client is unaffected.
#[tokio::test]
async fn silent_and_stalled_connections_are_closed_at_the_handshake_timeout() {
    let app = spawn_app_with(
        Some(seeds_dir()),
        ServerOptions {
            handshake_timeout: Duration::from_millis(300),
            ..Default::default()
        },
        Limits::default(),
    )
    .await;
    let addr = app.running.addr;
    let mut silent = TcpStream::connect(addr).await.unwrap();
    let mut stalled = TcpStream::connect(addr).await.unwrap();
    {
        use tokio::io::AsyncWriteExt;
        stalled.write_all(b"P").await.unwrap();
    }
    assert!(closed_within(&mut silent, Duration::from_secs(5)).await);
    assert!(closed_within(&mut stalled, Duration::from_secs(5)).await);
    // A client that speaks at once keeps its connection past the timeout.
    let mut client = connect(&addr.to_string()).await;
    tokio::time::sleep(Duration::from_millis(600)).await;
    assert_eq!(all_articles(&mut client).await.len(), 5);
}

/// `--max-connections`: past the cap, new connections are closed at once;
/// when one closes, a new client gets in.
#[tokio::test]
async fn connections_past_the_cap_are_closed() {
    use tokio::io::AsyncWriteExt;
    let app = spawn_app_with(
        Some(seeds_dir()),
        // The test app's own client holds one connection: three more fill it.
        ServerOptions {
            max_connections: 4,
            ..Default::default()
        },
        Limits::default(),
    )
    .await;
    let addr = app.running.addr;
    let mut open = Vec::new();
    for _ in 0..3 {
        let mut stream = TcpStream::connect(addr).await.unwrap();
        stream
            // The client preface: the magic and an empty SETTINGS frame.
            .write_all(b"PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n\0\0\0\x04\0\0\0\0\0")
            .await
            .unwrap();
        open.push(stream);
    }
    tokio::time::sleep(Duration::from_millis(200)).await;
    let mut fourth = TcpStream::connect(addr).await.unwrap();
    assert!(closed_within(&mut fourth, Duration::from_secs(5)).await);
    // The three are still open.
    for stream in &mut open {
        assert!(!closed_within(stream, Duration::from_millis(100)).await);
    }
    open.pop();
    tokio::time::sleep(Duration::from_millis(200)).await;
    let mut client = connect(&addr.to_string()).await;
    assert_eq!(all_articles(&mut client).await.len(), 5);
}

/// CPU time (user + system) a process has used, in clock ticks (1/100 s).
fn cpu_ticks(pid: u32) -> u64 {
    let stat = std::fs::read_to_string(format!("/proc/{pid}/stat")).unwrap_or_default();
    // Fields after the command name (which may hold spaces) start at ')'.
    let rest = stat.rsplit_once(')').map_or("", |(_, r)| r);
    let fields: Vec<&str> = rest.split_whitespace().collect();
    let field = |i: usize| {
        fields
            .get(i)
            .and_then(|v| v.parse::<u64>().ok())
            .unwrap_or(0)
    };
    field(11) + field(12)
}

/// Defect: out of file descriptors, the server spun on a core, refused every
/// call and logged nothing. Now it backs off, logs why, and serves again
/// once descriptors are free.
#[tokio::test]
async fn running_out_of_file_descriptors_backs_off_logs_and_recovers() {
    use std::io::{BufRead, BufReader};
    use std::process::{Command, Stdio};
    let bin = env!("CARGO_BIN_EXE_newscorpus");
    let mut child = Command::new("sh")
        .arg("-c")
        .arg(format!(
            "ulimit -n 64 && exec {bin} serve --addr 127.0.0.1:0 --log-format json \
             --handshake-timeout-secs 60 --corpus {}",
            seeds_dir().display()
        ))
        .env("RUST_LOG", "info")
        .stderr(Stdio::piped())
        .stdout(Stdio::null())
        .spawn()
        .expect("spawn server");
    let pid = child.id();
    let stderr = child.stderr.take().unwrap();
    let (tx, rx) = std::sync::mpsc::channel::<String>();
    std::thread::spawn(move || {
        for line in BufReader::new(stderr).lines().map_while(Result::ok) {
            let _ = tx.send(line);
        }
    });
    let mut addr = None;
    let mut ready = false;
    let deadline = std::time::Instant::now() + Duration::from_secs(60);
    while !(ready && addr.is_some()) && std::time::Instant::now() < deadline {
        if let Ok(line) = rx.recv_timeout(Duration::from_millis(200)) {
            let value: serde_json::Value = serde_json::from_str(&line).unwrap();
            match value["message"].as_str() {
                Some("listening") => addr = value["addr"].as_str().map(str::to_owned),
                Some("ready") => ready = true,
                _ => {}
            }
        }
    }
    let addr = addr.expect("listening");
    // More idle connections than the server has descriptors.
    let mut idle = Vec::new();
    for _ in 0..80 {
        idle.push(TcpStream::connect(&addr).await.unwrap());
    }
    tokio::time::sleep(Duration::from_millis(500)).await;
    let before = cpu_ticks(pid);
    tokio::time::sleep(Duration::from_secs(2)).await;
    let used = cpu_ticks(pid) - before;
    assert!(
        used < 60,
        "the server used {used} ticks of CPU in 2 s while out of descriptors"
    );
    let logged: Vec<String> = rx.try_iter().collect();
    assert!(
        logged
            .iter()
            .any(|l| l.contains("cannot accept connections")),
        "a warning says why: {logged:?}"
    );
    drop(idle);
    tokio::time::sleep(Duration::from_millis(1500)).await;
    let mut client = connect(&addr).await;
    assert_eq!(all_articles(&mut client).await.len(), 5);
    let _ = child.kill();
    let _ = child.wait();
}

/// Defect: a call with `content-type: text/plain` was answered OK. It gets
/// HTTP 415 and INVALID_ARGUMENT; a gRPC content type still works.
#[tokio::test]
async fn non_grpc_content_types_are_refused() {
    let app = spawn_app().await;
    let addr = app.running.addr.to_string();
    for (content_type, expected) in [("text/plain", 415), ("application/grpc", 200)] {
        let mut h2 = h2_connect(&addr, 1 << 20).await.ready().await.unwrap();
        let mut request = grpc_request(&addr, "GetCorpusStats");
        request
            .headers_mut()
            .insert("content-type", http::HeaderValue::from_static(content_type));
        let (response, mut send) = h2.send_request(request, false).unwrap();
        send.send_data(grpc_frame(&pb::GetCorpusStatsRequest::default()), true)
            .unwrap();
        let response = response.await.unwrap();
        assert_eq!(response.status(), expected, "{content_type}");
        if expected == 415 {
            assert_eq!(response.headers()["grpc-status"], "3");
        }
    }
}

/// Defect: a unary call carrying two request messages was answered OK
/// (tonic reads the first and drops the rest). It is INVALID_ARGUMENT; one
/// message still works, and IngestArticles still takes many.
#[tokio::test]
async fn a_second_request_message_on_a_single_message_call_is_invalid() {
    let app = spawn_app().await;
    let addr = app.running.addr.to_string();
    for (messages, expected) in [(2usize, "3"), (1, "0")] {
        let mut h2 = h2_connect(&addr, 1 << 20).await.ready().await.unwrap();
        let (response, mut send) = h2
            .send_request(grpc_request(&addr, "GetCorpusStats"), false)
            .unwrap();
        let mut body = Vec::new();
        for _ in 0..messages {
            body.extend_from_slice(&grpc_frame(&pb::GetCorpusStatsRequest::default()));
        }
        send.send_data(Bytes::from(body), true).unwrap();
        let response = response.await.unwrap();
        let (parts, mut body) = response.into_parts();
        let status = match parts.headers.get("grpc-status") {
            // Trailers-only answer.
            Some(status) => status.to_str().unwrap().to_owned(),
            None => {
                while body.data().await.is_some() {}
                let trailers = body.trailers().await.unwrap().unwrap_or_default();
                trailers["grpc-status"].to_str().unwrap().to_owned()
            }
        };
        assert_eq!(status, expected, "{messages} message(s)");
    }
}
