//! Streams, cancellation and deadlines: unread streams, clients that cancel mid-stream,
//! short and expired deadlines.

use super::*;

/// 39. One client opens 1,000 streams (over 10 connections: HTTP/2 allows
/// 200 per connection) and never reads them. Other clients are still
/// answered promptly, ingest still completes with watchers not reading,
/// memory stays bounded, and closing them releases the work behind them.
#[tokio::test]
async fn a_thousand_unread_streams_do_not_starve_other_clients() {
    let _turn = HEAVY.lock().await;
    let f = Fixture::new().await;
    let baseline_watchers = f.app.store.watcher_count();
    let rss_before = rss_bytes();
    let addr = f.app.running.addr;
    let mut opening = Vec::new();
    for connection in 0..10 {
        opening.push(tokio::spawn(async move {
            let channel = Channel::from_shared(format!("http://{addr}"))
                .unwrap()
                .connect()
                .await
                .unwrap();
            let mut client = Client::new(channel);
            let mut held: Vec<Box<dyn std::any::Any + Send>> = Vec::new();
            let mut refused = Vec::new();
            for i in 0..100 {
                let result = match (connection + i) % 3 {
                    0 => client
                        .list_articles(pb::ListArticlesRequest::default())
                        .await
                        .map(|r| Box::new(r.into_inner()) as Box<dyn std::any::Any + Send>),
                    1 => client
                        .list_mentions(pb::ListMentionsRequest::default())
                        .await
                        .map(|r| Box::new(r.into_inner()) as Box<dyn std::any::Any + Send>),
                    _ => client
                        .watch_articles(pb::WatchArticlesRequest {
                            from_start: true,
                            ..Default::default()
                        })
                        .await
                        .map(|r| Box::new(r.into_inner()) as Box<dyn std::any::Any + Send>),
                };
                match result {
                    Ok(stream) => held.push(stream),
                    Err(status) => refused.push(status),
                }
            }
            (held, refused)
        }));
    }
    let mut held = Vec::new();
    for task in opening {
        let (streams, refused) = tokio::time::timeout(Duration::from_secs(20), task)
            .await
            .expect("1,000 streams opened (or refused) in time")
            .unwrap();
        // A concurrent-stream limit may refuse some; nothing else may fail.
        for status in &refused {
            assert_eq!(status.code(), Code::ResourceExhausted, "{status:?}");
        }
        held.extend(streams);
    }
    assert!(!held.is_empty());
    eprintln!("1,000 unread streams: {} open", held.len());

    // Everyone else is still served, promptly.
    let other = Channel::from_shared(format!("http://{addr}"))
        .unwrap()
        .connect()
        .await
        .unwrap();
    let mut client = Client::new(other);
    let prompt = Duration::from_secs(5);
    let stats = tokio::time::timeout(
        prompt,
        client.get_corpus_stats(pb::GetCorpusStatsRequest {}),
    )
    .await
    .expect("stats answered while 1,000 streams are unread")
    .unwrap()
    .into_inner();
    assert_eq!(stats.article_count, 5);
    let hits = tokio::time::timeout(
        prompt,
        outcome(client.search_articles(pb::SearchArticlesRequest {
            query: "nuclear".into(),
            ..Default::default()
        })),
    )
    .await
    .expect("search answered")
    .unwrap();
    assert!(!hits.is_empty());
    let ingested = tokio::time::timeout(
        prompt,
        ingest(&mut client, vec![ingest_item(STORY, "while-unread")]),
    )
    .await
    .expect("ingest completed although watchers do not read");
    assert_created(&ingested[0]);
    let rss_open = rss_bytes();
    let grown_mb = rss_open.saturating_sub(rss_before) / (1024 * 1024);
    eprintln!(
        "RSS (client and server in this process): {} MB before, {} MB with 1,000 unread streams",
        rss_before / (1024 * 1024),
        rss_open / (1024 * 1024)
    );
    // RSS is the whole test process: tests in other modules run beside this
    // one and can add ~200 MB of their own. Alone it grows by ~90 MB; the
    // bound catches per-stream buffering that is not bounded, not noise.
    assert!(grown_mb < 512, "memory grew by {grown_mb} MB");

    // Closing them stops the producers behind them.
    drop(held);
    let deadline = Instant::now() + Duration::from_secs(10);
    while f.app.store.watcher_count() > baseline_watchers {
        assert!(
            Instant::now() < deadline,
            "{} watchers still running after their clients left",
            f.app.store.watcher_count() - baseline_watchers
        );
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
    f.intact(6).await;
}

/// 40. Clients that cancel mid-stream (lists, search, watch, ingest) leave
/// the server serving and the store consistent.
#[tokio::test]
async fn clients_that_cancel_mid_stream_leave_everything_intact() {
    let f = Fixture::new().await;
    let mut client = f.client();
    let baseline_watchers = f.app.store.watcher_count();
    for _ in 0..20 {
        let mut articles = client
            .list_articles(pb::ListArticlesRequest::default())
            .await
            .unwrap()
            .into_inner();
        assert!(articles.next().await.unwrap().is_ok());
        drop(articles);
        let mut mentions = client
            .list_mentions(pb::ListMentionsRequest::default())
            .await
            .unwrap()
            .into_inner();
        assert!(mentions.next().await.unwrap().is_ok());
        drop(mentions);
        let hits = client
            .search_articles(pb::SearchArticlesRequest {
                query: "iran".into(),
                ..Default::default()
            })
            .await
            .unwrap();
        drop(hits);
        let watch = client
            .watch_articles(pb::WatchArticlesRequest {
                from_start: true,
                ..Default::default()
            })
            .await
            .unwrap();
        drop(watch);
    }
    // Ingest: one item answered, then the client goes away mid-stream.
    let (tx, rx) = tokio::sync::mpsc::channel(4);
    let mut responses = client
        .ingest_articles(tokio_stream::wrappers::ReceiverStream::new(rx))
        .await
        .unwrap()
        .into_inner();
    tx.send(ingest_item(STORY, "answered")).await.unwrap();
    let first = responses.next().await.unwrap().unwrap();
    assert_created(&first);
    drop(responses);
    drop(tx);
    // A future the client drops (a cancelled unary call).
    let _ = tokio::time::timeout(
        Duration::from_micros(1),
        client.get_corpus_stats(pb::GetCorpusStatsRequest {}),
    )
    .await;
    let deadline = Instant::now() + Duration::from_secs(10);
    while f.app.store.watcher_count() > baseline_watchers {
        assert!(
            Instant::now() < deadline,
            "watch producers outlived their clients"
        );
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
    f.intact(6).await;
}

/// 41. A 1 ms deadline on every RPC: each call either completes correctly
/// or ends with the deadline status; nothing else, nothing half-done.
#[tokio::test]
async fn a_one_millisecond_deadline_is_honoured() {
    let f = Fixture::new().await;
    let mut client = f.client();
    fn timed<T>(message: T) -> tonic::Request<T> {
        let mut request = tonic::Request::new(message);
        request.set_timeout(Duration::from_millis(1));
        request
    }
    // A call that beats its deadline must be complete and right: an answer
    // cut short by the deadline must not pass for a whole one.
    fn check<T>(rpc: &str, result: Result<T, Status>, right: impl FnOnce(T)) -> bool {
        match result {
            Ok(answer) => {
                right(answer);
                false
            }
            Err(status) => {
                assert!(is_deadline(&status), "{rpc}: {status:?}");
                true
            }
        }
    }
    let all_mentions = outcome(client.list_mentions(pb::ListMentionsRequest::default()))
        .await
        .unwrap()
        .len();
    let nuclear = outcome(client.search_articles(pb::SearchArticlesRequest {
        query: "nuclear".into(),
        ..Default::default()
    }))
    .await
    .unwrap()
    .len();
    assert!(nuclear > 0);
    let mut expired = 0;
    for _ in 0..10 {
        let id = f.seeds[0].id.clone();
        expired += check(
            "GetArticle",
            client
                .get_article(timed(pb::GetArticleRequest {
                    id: id.clone(),
                    view: 0,
                }))
                .await,
            |a| assert_eq!(a.into_inner().id, id),
        ) as u32;
        expired += check(
            "GetCorpusStats",
            client
                .get_corpus_stats(timed(pb::GetCorpusStatsRequest {}))
                .await,
            |s| assert!((5..=6).contains(&s.into_inner().article_count)),
        ) as u32;
        expired += check(
            "GetEntity",
            client
                .get_entity(timed(pb::GetEntityRequest {
                    selector: Some(pb::get_entity_request::Selector::Name("Wei".into())),
                }))
                .await,
            |e| assert!(e.into_inner().name.contains("Wei")),
        ) as u32;
        expired += check(
            "SearchArticles",
            outcome(client.search_articles(timed(pb::SearchArticlesRequest {
                query: "nuclear".into(),
                ..Default::default()
            })))
            .await,
            |hits| assert!(hits.len() >= nuclear, "{} < {nuclear}", hits.len()),
        ) as u32;
        expired += check(
            "ListMentions",
            outcome(client.list_mentions(timed(pb::ListMentionsRequest::default()))).await,
            |m| assert!(m.len() >= all_mentions, "{} < {all_mentions}", m.len()),
        ) as u32;
        expired += check(
            "ListArticles",
            outcome(client.list_articles(timed(pb::ListArticlesRequest::default()))).await,
            |a| assert!(a.len() >= 5, "{}", a.len()),
        ) as u32;
        let results = client
            .ingest_articles(timed(tokio_stream::iter(vec![ingest_item(
                OTHER_STORY,
                "deadline",
            )])))
            .await;
        if let Ok(stream) = results {
            // Stored or not, but never a half item: check below.
            let _ = collect(stream.into_inner()).await;
        } else {
            expired += check("IngestArticles", results, |_| ()) as u32;
        }
    }
    eprintln!("1 ms deadline: {expired} of 70 calls expired");
    // A client whose request arrives after its 1 ms deadline: always expired.
    let mut grpc = tonic::client::Grpc::new(f.app.channel.clone());
    grpc.ready().await.unwrap();
    let body = prost::Message::encode_to_vec(&pb::GetCorpusStatsRequest {});
    let late = tokio_stream::iter(vec![body]).throttle(Duration::from_millis(100));
    let started = Instant::now();
    let status = grpc
        .client_streaming::<_, _, pb::GetCorpusStatsResponse, _>(
            timed(late),
            method("GetCorpusStats"),
            RawCodec::<pb::GetCorpusStatsResponse>::new(),
        )
        .await
        .unwrap_err();
    assert!(is_deadline(&status), "{status:?}");
    assert!(started.elapsed() < Duration::from_millis(100));
    // The ingested story is there once at most; nothing else changed.
    let stored = all_articles(&mut client).await.len();
    assert!(stored == 5 || stored == 6, "{stored}");
    f.intact(stored).await;
}

/// 42. The deadline status is DEADLINE_EXCEEDED, as the gRPC spec says, even
/// when the request body has not arrived by then (no handler has run yet).
///
/// Sent over raw HTTP/2: a tonic (or grpcio) client runs its own timer for
/// the `grpc-timeout` it sends and reports its own status first, so only a
/// client that leaves the deadline to the server (a proxy, h2load) sees what
/// the server answers.
#[tokio::test]
async fn an_expired_deadline_is_deadline_exceeded() {
    use tonic::codegen::http;
    let f = Fixture::new().await;
    let tcp = tokio::net::TcpStream::connect(f.app.running.addr)
        .await
        .unwrap();
    let (h2, connection) = h2::client::handshake(tcp).await.unwrap();
    tokio::spawn(connection);
    let mut h2 = h2.ready().await.unwrap();
    let request = http::Request::builder()
        .method("POST")
        .uri(format!(
            "http://{}/newscorpus.v1.CorpusService/GetCorpusStats",
            f.app.running.addr
        ))
        .header("content-type", "application/grpc")
        .header("te", "trailers")
        .header("grpc-timeout", "20m")
        .body(())
        .unwrap();
    let started = Instant::now();
    // The body is held back past the deadline.
    let (response, mut body) = h2.send_request(request, false).unwrap();
    let response = tokio::time::timeout(Duration::from_secs(5), response)
        .await
        .expect("answered at the deadline, not when the body came")
        .unwrap();
    assert!(started.elapsed() < Duration::from_secs(1));
    // A trailers-only response: the status is in the headers.
    let headers = response.headers();
    assert_eq!(
        headers.get("grpc-status").map(|v| v.to_str().unwrap()),
        Some("4"),
        "{headers:?}"
    );
    let message = headers
        .get("grpc-message")
        .map(|v| v.to_str().unwrap().to_owned())
        .unwrap_or_default();
    assert!(message.contains("deadline"), "{message}");
    let late = prost::Message::encode_to_vec(&pb::GetCorpusStatsRequest {});
    let mut frame = vec![0u8];
    frame.extend_from_slice(&(late.len() as u32).to_be_bytes());
    frame.extend_from_slice(&late);
    // Whether the late body is accepted or refused does not matter.
    let _ = body.send_data(frame.into(), true);
    f.intact(5).await;
}
