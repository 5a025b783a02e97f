//! README promises that had no test of their own, each through the real
//! server or binary: the 100-item caps, resuming ListQuotes, the search
//! syntax, flags over environment variables,
//! token files and secrets kept out of logs, TLS from PEM files, the
//! torn-record warning, the per-connection stream limit, the drain timeout
//! and cancelled-stream floods.

use std::ffi::OsStr;
use std::time::{Duration, Instant};

use newscorpus::corpus::Limits;
use newscorpus::grpc::pb;
use newscorpus::grpc::ServerOptions;
use tonic::metadata::MetadataValue;
use tonic::{Code, Request};

use crate::helpers::*;

fn titled(title: &str, text: &str) -> pb::IngestArticlesRequest {
    pb::IngestArticlesRequest {
        title: title.into(),
        text: text.into(),
        ..Default::default()
    }
}

/// "at most 100 `corroborating_article_ids` per quote and 100 `article_ids`
/// per entity (the first 100 in corpus order; `article_count` has the total)".
#[tokio::test]
async fn entity_and_corroboration_lists_stop_at_the_first_100() {
    let mut app = spawn_app_with(None, ServerOptions::default(), Limits::default()).await;
    let items: Vec<pb::IngestArticlesRequest> = (0..105)
        .map(|n| {
            titled(
                &format!("Dock strike, day {n}"),
                &format!(
                    "The dock workers of Valparaiso stayed out on day {n} of the strike over pay.\n\n\
                     “We will not go back until the offer is fair,” said Teodora Vasquez, the union's leader.\n\n\
                     Shipping agents counted {n} vessels waiting at anchor.\n"
                ),
            )
        })
        .collect();
    let acks = ingest(&mut app.client, items).await;
    assert!(
        acks.iter()
            .all(|a| a.status == pb::IngestStatus::Created as i32),
        "{acks:?}"
    );
    let order: Vec<String> = acks.iter().map(|a| a.article_id.clone()).collect();

    let entity = app
        .client
        .get_entity(pb::GetEntityRequest {
            selector: Some(pb::get_entity_request::Selector::Name(
                "Teodora Vasquez".into(),
            )),
        })
        .await
        .unwrap()
        .into_inner();
    assert_eq!(entity.article_count, 105);
    assert_eq!(entity.article_ids, order[..100].to_vec());

    let quotes = all_quotes(
        &mut app.client,
        pb::ListQuotesRequest {
            text_contains: "offer is fair".into(),
            ..Default::default()
        },
    )
    .await;
    assert_eq!(quotes.len(), 105);
    for quote in &quotes {
        let others: Vec<String> = order
            .iter()
            .filter(|id| **id != quote.article_id)
            .cloned()
            .collect();
        assert_eq!(
            quote.corroborating_article_ids,
            others[..100].to_vec(),
            "{}",
            quote.article_id
        );
        // The count has them all; the list stops at 100.
        assert_eq!(quote.corroborating_article_count, 104);
    }
}

/// "ListQuotes … resume with the cursor": from any quote's cursor the
/// listing goes on exactly where the full listing does, filtered or not.
#[tokio::test]
async fn quote_listings_resume_from_any_cursor() {
    let mut app = spawn_app().await;
    for request in [
        pb::ListQuotesRequest::default(),
        pb::ListQuotesRequest {
            kind: pb::QuoteKind::Direct as i32,
            ..Default::default()
        },
    ] {
        let all = all_quotes(&mut app.client, request.clone()).await;
        assert!(all.len() >= 6, "{}", all.len());
        for at in [0, 1, all.len() / 2, all.len() - 2, all.len() - 1] {
            let rest = all_quotes(
                &mut app.client,
                pb::ListQuotesRequest {
                    cursor: all[at].cursor.clone(),
                    ..request.clone()
                },
            )
            .await;
            let want: Vec<&str> = all[at + 1..].iter().map(|q| q.id.as_str()).collect();
            let got: Vec<&str> = rest.iter().map(|q| q.id.as_str()).collect();
            assert_eq!(got, want, "after quote {at}");
        }
    }
}

/// The README's search syntax: `title:` / `body:`, `+must`, `-must_not`,
/// AND / OR, on articles whose words are known.
#[tokio::test]
async fn search_fields_and_operators_do_what_the_readme_says() {
    let mut app = spawn_app_with(None, ServerOptions::default(), Limits::default()).await;
    let acks = ingest(
        &mut app.client,
        vec![
            titled(
                "Harbour strike ends",
                "The dock workers returned to work on Monday morning.",
            ),
            titled(
                "Council vote",
                "The harbour plan passed after a long strike vote in the council.",
            ),
            titled(
                "Weather",
                "Rain fell on the harbour all week and the ferries stayed in port.",
            ),
        ],
    )
    .await;
    let id = |n: usize| acks[n].article_id.clone();
    let search = |query: &'static str| {
        let mut client = app.client.clone();
        async move {
            let hits = collect(
                client
                    .search_articles(pb::SearchArticlesRequest {
                        query: query.into(),
                        ..Default::default()
                    })
                    .await
                    .unwrap_or_else(|e| panic!("{query}: {e:?}"))
                    .into_inner(),
            )
            .await
            .unwrap();
            let mut ids: Vec<String> = hits.into_iter().map(|h| h.article_id).collect();
            ids.sort();
            ids
        }
    };
    let sorted = |mut ids: Vec<String>| {
        ids.sort();
        ids
    };
    // Ingested articles become searchable within the refresh interval
    // (0.5 s), not at once.
    let until = Instant::now() + Duration::from_secs(5);
    while search("harbour").await.len() < 3 {
        assert!(Instant::now() < until, "not searchable after 5 s");
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    assert_eq!(search("title:harbour").await, sorted(vec![id(0)]));
    // `body` holds the headline and the text: unprefixed words search it.
    assert_eq!(
        search("body:harbour").await,
        sorted(vec![id(0), id(1), id(2)])
    );
    assert_eq!(search("harbour").await, sorted(vec![id(0), id(1), id(2)]));
    assert_eq!(search("body:dock").await, sorted(vec![id(0)]));
    assert_eq!(search("+strike +harbour").await, sorted(vec![id(0), id(1)]));
    assert_eq!(search("+rain harbour").await, sorted(vec![id(2)]));
    assert_eq!(search("harbour -strike").await, sorted(vec![id(2)]));
    assert_eq!(search("strike AND vote").await, sorted(vec![id(1)]));
    assert_eq!(
        search("title:strike OR title:weather").await,
        sorted(vec![id(0), id(2)])
    );
    assert_eq!(
        search("harbour NOT title:council").await,
        sorted(vec![id(0), id(2)])
    );
    assert_eq!(search("ferr*").await, sorted(vec![id(2)]));
    assert_eq!(
        search("harbor~1 -weather").await,
        sorted(vec![id(0), id(1)])
    );
    assert_eq!(search("\"strike vote\"").await, sorted(vec![id(1)]));
    assert_eq!(search("\"long vote\"~1").await, sorted(vec![id(1)]));
    assert!(search("\"long vote\"").await.is_empty());
}

/// "Every flag can also be set through its environment variable; flags win."
#[tokio::test]
async fn flags_win_over_environment_variables() {
    let seeds = seeds_dir();
    let limit_of = |server: &ServerProcess| {
        let addr = server.addr.clone();
        async move {
            let mut client = connect(&addr).await;
            client
                .list_articles(pb::ListArticlesRequest {
                    limit: 7,
                    ..Default::default()
                })
                .await
                .map(|_| ())
        }
    };
    // The variable alone applies: a limit of 7 is over 5.
    let env_only = spawn_server_env(
        &["--corpus".as_ref(), seeds.as_os_str()],
        &[("NEWSCORPUS_MAX_LIMIT", "5")],
    );
    let refused = limit_of(&env_only).await.unwrap_err();
    assert_eq!(refused.code(), Code::InvalidArgument, "{refused:?}");
    assert!(refused.message().contains('5'), "{refused:?}");
    // Both set: the flag wins.
    let both = spawn_server_env(
        &[
            "--corpus".as_ref(),
            seeds.as_os_str(),
            "--max-limit".as_ref(),
            "10".as_ref(),
        ],
        &[("NEWSCORPUS_MAX_LIMIT", "5")],
    );
    limit_of(&both).await.unwrap();
}

/// `--auth-token-file` is read from its file; the tokens, right or wrong,
/// never reach the logs, even at debug level.
#[tokio::test]
async fn token_files_are_read_and_tokens_never_logged() {
    const READER: &str = "read-token-5b1c9e7a2d4f8061";
    const WRITER: &str = "write-token-0e9d8c7b6a5f4e3d";
    const WRONG: &str = "wrong-token-77a1b2c3d4e5f607";
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("tokens");
    std::fs::write(&file, format!("# comment\nread:{READER}\nwrite:{WRITER}\n")).unwrap();
    let seeds = seeds_dir();
    let server = spawn_server_env(
        &[
            "--corpus".as_ref(),
            seeds.as_os_str(),
            "--auth-token-file".as_ref(),
            file.as_os_str(),
        ],
        &[("RUST_LOG", "debug")],
    );
    let client = connect(&server.addr).await;
    let with = |token: &str| {
        let mut request = Request::new(pb::GetCorpusStatsRequest {});
        let value: MetadataValue<_> = format!("Bearer {token}").parse().unwrap();
        request.metadata_mut().insert("authorization", value);
        request
    };
    let stats = client.clone().get_corpus_stats(with(READER)).await.unwrap();
    assert_eq!(stats.into_inner().article_count, 5);
    let wrong = client
        .clone()
        .get_corpus_stats(with(WRONG))
        .await
        .unwrap_err();
    assert_eq!(wrong.code(), Code::Unauthenticated);
    let none = client
        .clone()
        .get_corpus_stats(pb::GetCorpusStatsRequest {})
        .await
        .unwrap_err();
    assert_eq!(none.code(), Code::Unauthenticated);
    let mut write = Request::new(tokio_stream::iter(vec![titled(
        "Token test",
        "A short article about tokens and files.",
    )]));
    write
        .metadata_mut()
        .insert("authorization", format!("Bearer {READER}").parse().unwrap());
    let denied = client.clone().ingest_articles(write).await;
    let denied = match denied {
        Err(status) => status,
        Ok(stream) => collect(stream.into_inner()).await.unwrap_err(),
    };
    assert_eq!(denied.code(), Code::PermissionDenied);
    let mut write = Request::new(tokio_stream::iter(vec![titled(
        "Token test",
        "A short article about tokens and files.",
    )]));
    write
        .metadata_mut()
        .insert("authorization", format!("Bearer {WRITER}").parse().unwrap());
    let acks = collect(
        client
            .clone()
            .ingest_articles(write)
            .await
            .unwrap()
            .into_inner(),
    )
    .await
    .unwrap();
    assert_eq!(acks[0].status, pb::IngestStatus::Created as i32);
    tokio::time::sleep(Duration::from_millis(200)).await;
    let logs = server.log_text();
    assert!(logs.lines().count() > 5, "{logs}");
    for secret in [READER, WRITER, WRONG] {
        assert!(!logs.contains(secret), "{secret} logged:\n{logs}");
        // Not even a long piece of it.
        assert!(
            !logs.contains(&secret[secret.len() - 12..]),
            "{secret} logged in part"
        );
    }
}

/// A torn record at the journal's tail is dropped with a WARN naming it.
#[test]
fn a_torn_tail_is_logged_as_a_warning() {
    let dir = tempfile::tempdir().unwrap();
    let seeds = seeds_dir();
    let args: [&OsStr; 4] = [
        "--corpus".as_ref(),
        seeds.as_os_str(),
        "--data-dir".as_ref(),
        dir.path().as_os_str(),
    ];
    let mut first = spawn_server(&args);
    assert!(first.terminate().success());
    assert!(
        first
            .log_lines()
            .iter()
            .all(|l| !l["message"].as_str().unwrap_or_default().contains("torn")),
        "{}",
        first.log_text()
    );
    let journal = dir.path().join("articles.journal");
    let clean_len = std::fs::metadata(&journal).unwrap().len();
    // Half a record: a header that promises more bytes than follow.
    let mut bytes = std::fs::read(&journal).unwrap();
    bytes.extend_from_slice(b"NCz1\xff\x00\x00\x00\x01\x02\x03\x04torn");
    std::fs::write(&journal, &bytes).unwrap();
    let mut second = spawn_server(&args);
    let warnings: Vec<serde_json::Value> = second
        .log_lines()
        .into_iter()
        .filter(|l| {
            l["level"] == "WARN" && l["message"].as_str().unwrap_or_default().contains("torn")
        })
        .collect();
    assert_eq!(warnings.len(), 1, "{}", second.log_text());
    assert!(second.terminate().success());
    assert_eq!(
        std::fs::metadata(&journal).unwrap().len(),
        clean_len,
        "the torn tail is cut"
    );
    // And a clean start says nothing of the kind.
    let mut third = spawn_server(&args);
    assert!(
        third
            .log_lines()
            .iter()
            .all(|l| !l["message"].as_str().unwrap_or_default().contains("torn")),
        "{}",
        third.log_text()
    );
    assert!(third.terminate().success());
}

/// `--max-streams-per-connection`: one more call on a full connection waits
/// for a free stream (HTTP/2 flow, not an error) and runs when one closes.
#[tokio::test]
async fn calls_past_the_stream_limit_wait_for_a_free_stream() {
    let app = spawn_app_with(
        Some(seeds_dir()),
        ServerOptions {
            max_streams_per_connection: 2,
            ..Default::default()
        },
        Limits::default(),
    )
    .await;
    let open = |client: Client| async move {
        let mut client = client;
        // Open once its response headers are in (a watch of new articles
        // sends nothing more until one arrives).
        client
            .watch_articles(pb::WatchArticlesRequest::default())
            .await
            .unwrap()
            .into_inner()
    };
    // The server's limit arrives in its SETTINGS; let the client see them.
    tokio::time::sleep(Duration::from_millis(100)).await;
    let first = open(app.client.clone()).await;
    let second = open(app.client.clone()).await;
    let mut third = app.client.clone();
    let waiting =
        tokio::spawn(async move { third.get_corpus_stats(pb::GetCorpusStatsRequest {}).await });
    tokio::time::sleep(Duration::from_millis(500)).await;
    assert!(
        !waiting.is_finished(),
        "a third stream ran on a connection limited to two"
    );
    drop(first);
    let stats = tokio::time::timeout(Duration::from_secs(5), waiting)
        .await
        .expect("runs once a stream is free")
        .unwrap()
        .unwrap();
    assert_eq!(stats.into_inner().article_count, 5);
    drop(second);
}

/// "how long open streams get to finish before the server exits": a stream
/// whose client never reads does not hold the server past the drain timeout.
#[tokio::test]
async fn the_drain_timeout_cuts_streams_that_do_not_finish() {
    let app = spawn_app_with(
        None,
        ServerOptions {
            drain_timeout: Duration::from_secs(1),
            ..Default::default()
        },
        Limits::default(),
    )
    .await;
    let mut client = app.client.clone();
    let body = "The harbour board met again. ".repeat(2_000);
    let items: Vec<pb::IngestArticlesRequest> = (0..40)
        .map(|n| titled(&format!("Board meeting {n}"), &format!("{n}. {body}")))
        .collect();
    ingest(&mut client, items).await;
    // A raw HTTP/2 client that never opens its flow window past the first
    // bytes: the server's stream stays unfinished.
    let tcp = tokio::net::TcpStream::connect(app.running.addr)
        .await
        .unwrap();
    let (h2, connection) = h2::client::Builder::new()
        .initial_window_size(1)
        .handshake::<_, prost::bytes::Bytes>(tcp)
        .await
        .unwrap();
    tokio::spawn(connection);
    let mut h2 = h2.ready().await.unwrap();
    let request = tonic::codegen::http::Request::builder()
        .method("POST")
        .uri(format!(
            "http://{}/newscorpus.v1.CorpusService/ListArticles",
            app.running.addr
        ))
        .header("content-type", "application/grpc")
        .header("te", "trailers")
        .body(())
        .unwrap();
    let (response, mut send) = h2.send_request(request, false).unwrap();
    send.send_data(prost::bytes::Bytes::from_static(&[0, 0, 0, 0, 0]), true)
        .unwrap();
    let response = tokio::time::timeout(Duration::from_secs(5), response)
        .await
        .unwrap()
        .unwrap();
    assert_eq!(response.status(), 200);
    let started = Instant::now();
    app.running.shutdown.cancel();
    tokio::time::timeout(Duration::from_secs(10), app.running.handle)
        .await
        .expect("the server stopped despite the unfinished stream")
        .unwrap()
        .unwrap();
    let took = started.elapsed();
    assert!(
        took >= Duration::from_millis(900),
        "stopped before the drain timeout: {took:?}"
    );
    assert!(took < Duration::from_secs(5), "{took:?}");
    drop(response);
}

/// Clients that cancel many streams quickly keep their connection: 3,000
/// calls opened and reset at once, then the same connection still answers
/// (hyper's default guard would have closed it after a few dozen).
#[tokio::test]
async fn thousands_of_cancelled_streams_keep_the_connection() {
    let app = spawn_app().await;
    let tcp = tokio::net::TcpStream::connect(app.running.addr)
        .await
        .unwrap();
    let (h2, connection) = h2::client::handshake(tcp).await.unwrap();
    let connection = tokio::spawn(connection);
    let mut h2 = h2.ready().await.unwrap();
    let request = || {
        tonic::codegen::http::Request::builder()
            .method("POST")
            .uri(format!(
                "http://{}/newscorpus.v1.CorpusService/ListArticles",
                app.running.addr
            ))
            .header("content-type", "application/grpc")
            .header("te", "trailers")
            .body(())
            .unwrap()
    };
    // Opened and reset in bursts, without waiting in between, so that the
    // server sees each stream's HEADERS and RST_STREAM before it has
    // accepted the stream: the case h2's reset-flood guard counts.
    let mut sent = 0;
    while sent < 3_000 {
        match h2.send_request(request(), false) {
            Ok((_response, mut send)) => {
                send.send_reset(h2::Reason::CANCEL);
                sent += 1;
            }
            Err(_) => h2 = h2.ready().await.expect("the connection is still open"),
        }
        if sent % 500 == 0 {
            tokio::task::yield_now().await;
        }
    }
    // Streams whose handlers are still winding down count against the
    // per-connection limit for a moment, so the server may refuse a new one
    // (REFUSED_STREAM: not processed, retry); it must not close the connection.
    let until = Instant::now() + Duration::from_secs(10);
    let response = loop {
        h2 = h2.ready().await.expect("the connection is still open");
        let (response, mut send) = h2.send_request(request(), false).unwrap();
        send.send_data(prost::bytes::Bytes::from_static(&[0, 0, 0, 0, 0]), true)
            .unwrap();
        match tokio::time::timeout(Duration::from_secs(10), response)
            .await
            .expect("answered")
        {
            Ok(response) => break response,
            Err(e) if e.reason() == Some(h2::Reason::REFUSED_STREAM) && Instant::now() < until => {
                tokio::time::sleep(Duration::from_millis(50)).await;
            }
            Err(e) => panic!("the connection did not survive the resets: {e:?}"),
        }
    };
    assert_eq!(response.status(), 200);
    let mut body = response.into_body();
    let mut bytes = 0;
    while let Some(chunk) = body.data().await {
        let chunk = chunk.unwrap();
        bytes += chunk.len();
        let _ = body.flow_control().release_capacity(chunk.len());
    }
    assert!(bytes > 1_000, "five articles came back: {bytes} bytes");
    assert!(!connection.is_finished());
}

/// "TCP keepalive (60 s)": the server's side of a client connection has
/// SO_KEEPALIVE on, with its timer running (`ss -o` shows `timer:(keepalive…)`),
/// so a peer that vanished without a FIN is found and closed.
#[tokio::test]
async fn accepted_connections_have_tcp_keepalive() {
    if std::process::Command::new("ss").arg("-V").output().is_err() {
        assert!(
            std::env::var_os("CI").is_none(),
            "ss is missing (scripts/test.sh installs iproute2)"
        );
        eprintln!("SKIPPED: ss is not installed");
        return;
    }
    let app = spawn_app().await;
    let port = app.running.addr.port();
    // The test client's connection is open (spawn_app checked health on it).
    let out = std::process::Command::new("ss")
        .args([
            "-tnoH",
            "state",
            "established",
            &format!("( sport = :{port} )"),
        ])
        .output()
        .unwrap();
    let text = String::from_utf8_lossy(&out.stdout);
    assert!(!text.trim().is_empty(), "no connection on :{port}");
    for line in text.lines() {
        assert!(
            line.contains("timer:(keepalive"),
            "no keepalive timer: {line}"
        );
    }
    drop(app);
}

/// "Dead peers are closed sooner by HTTP/2 keepalive": on an idle
/// connection the server sends a PING after the keepalive interval, and a
/// peer that never answers is disconnected after the keepalive timeout.
/// (Raw frames over TCP: a client library would answer the PING itself.)
#[tokio::test]
async fn idle_connections_are_pinged_and_silent_peers_dropped() {
    use tokio::io::{AsyncReadExt, AsyncWriteExt};
    let app = spawn_app_with(
        Some(seeds_dir()),
        ServerOptions {
            keepalive_interval: Duration::from_millis(300),
            keepalive_timeout: Duration::from_millis(500),
            ..Default::default()
        },
        Limits::default(),
    )
    .await;
    let mut tcp = tokio::net::TcpStream::connect(app.running.addr)
        .await
        .unwrap();
    tcp.write_all(b"PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n")
        .await
        .unwrap();
    // An empty SETTINGS frame, then an ACK of the server's SETTINGS (so the
    // connection is established), and nothing else: never a PING answer.
    tcp.write_all(&[0, 0, 0, 4, 0, 0, 0, 0, 0]).await.unwrap();
    tcp.write_all(&[0, 0, 0, 4, 1, 0, 0, 0, 0]).await.unwrap();
    let started = Instant::now();
    let (mut pinged, mut closed) = (None, None);
    let mut header = [0u8; 9];
    while closed.is_none() && started.elapsed() < Duration::from_secs(10) {
        match tokio::time::timeout(Duration::from_secs(10), tcp.read_exact(&mut header)).await {
            Ok(Ok(_)) => {
                let len = u32::from_be_bytes([0, header[0], header[1], header[2]]) as usize;
                let mut payload = vec![0u8; len];
                if tcp.read_exact(&mut payload).await.is_err() {
                    closed = Some(started.elapsed());
                    continue;
                }
                // Type 6 = PING, flags 0 = a request (1 would be an ACK).
                if header[3] == 6 && header[4] & 1 == 0 && pinged.is_none() {
                    pinged = Some(started.elapsed());
                }
            }
            Ok(Err(_)) | Err(_) => closed = Some(started.elapsed()),
        }
    }
    let pinged = pinged.expect("a PING on the idle connection");
    assert!(
        pinged >= Duration::from_millis(250),
        "pinged at once: {pinged:?}"
    );
    let closed = closed.expect("the silent peer was dropped");
    assert!(closed >= pinged, "{closed:?} {pinged:?}");
    assert!(closed < Duration::from_secs(5), "{closed:?}");
}
