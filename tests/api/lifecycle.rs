use std::process::Command;
use std::sync::Arc;
use std::time::{Duration, Instant};

use newscorpus::corpus::{Corpus, Limits};
use newscorpus::grpc::pb;
use newscorpus::grpc::pb::corpus_service_client::CorpusServiceClient;
use newscorpus::grpc::ServerOptions;
use newscorpus::store::memory::MemoryStore;
use tokio::net::TcpListener;
use tokio_stream::StreamExt;
use tokio_util::sync::CancellationToken;
use tonic::codec::CompressionEncoding;
use tonic::transport::Channel;
use tonic::Code;
use tonic_health::pb::health_client::HealthClient;
use tonic_health::pb::HealthCheckRequest;

use crate::helpers::*;

fn health_request() -> HealthCheckRequest {
    HealthCheckRequest {
        service: "newscorpus.v1.CorpusService".into(),
    }
}

#[tokio::test]
async fn health_is_not_serving_until_ready_and_calls_are_unavailable() {
    let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    let corpus = Arc::new(Corpus::new(
        Arc::new(MemoryStore::new().unwrap()),
        Limits::default(),
    ));
    let shutdown = CancellationToken::new();
    let (tx, rx) = tokio::sync::oneshot::channel();
    let server = tokio::spawn(newscorpus::grpc::serve(
        listener,
        corpus,
        ServerOptions::default(),
        shutdown.clone(),
        move |readiness| {
            let _ = tx.send(readiness);
        },
    ));
    let readiness = rx.await.unwrap();
    let channel = Channel::from_shared(format!("http://{addr}"))
        .unwrap()
        .connect()
        .await
        .unwrap();
    let mut health = HealthClient::new(channel.clone());
    let status = health
        .check(health_request())
        .await
        .unwrap()
        .into_inner()
        .status;
    assert_eq!(status, 2, "NOT_SERVING while loading");
    let mut client = CorpusServiceClient::new(channel);
    let err = client
        .get_corpus_stats(pb::GetCorpusStatsRequest {})
        .await
        .unwrap_err();
    assert_eq!(err.code(), Code::Unavailable);
    // The container probe fails while the server is up but not serving, and
    // passes once it is.
    let probe = |addr: std::net::SocketAddr| {
        tokio::task::spawn_blocking(move || {
            std::process::Command::new(env!("CARGO_BIN_EXE_newscorpus"))
                .args([
                    "healthcheck",
                    "--addr",
                    &addr.to_string(),
                    "--timeout-secs",
                    "5",
                ])
                .output()
                .expect("run healthcheck")
        })
    };
    let loading = probe(addr).await.unwrap();
    assert!(!loading.status.success(), "{loading:?}");
    assert!(
        String::from_utf8_lossy(&loading.stderr).contains("NOT_SERVING"),
        "{loading:?}"
    );

    readiness.set_ready().await;
    let ready = probe(addr).await.unwrap();
    assert!(ready.status.success(), "{ready:?}");
    assert_eq!(
        health
            .check(health_request())
            .await
            .unwrap()
            .into_inner()
            .status,
        1
    );
    assert!(client
        .get_corpus_stats(pb::GetCorpusStatsRequest {})
        .await
        .is_ok());
    shutdown.cancel();
    tokio::time::timeout(Duration::from_secs(15), server)
        .await
        .unwrap()
        .unwrap()
        .unwrap();
}

#[tokio::test]
async fn shutdown_turns_health_off_and_ends_open_streams() {
    let app = spawn_app_with(
        Some(seeds_dir()),
        ServerOptions {
            drain_timeout: Duration::from_secs(5),
            ..Default::default()
        },
        Limits::default(),
    )
    .await;
    let mut health_watch = app
        .health()
        .watch(health_request())
        .await
        .unwrap()
        .into_inner();
    assert_eq!(health_watch.next().await.unwrap().unwrap().status, 1);
    let mut watch = app
        .client
        .clone()
        .watch_articles(pb::WatchArticlesRequest::default())
        .await
        .unwrap()
        .into_inner();

    let started = Instant::now();
    app.running.shutdown.cancel();
    let status = tokio::time::timeout(Duration::from_secs(5), health_watch.next())
        .await
        .expect("health update")
        .expect("an update")
        .expect("ok");
    assert_eq!(status.status, 2, "NOT_SERVING on shutdown");
    let end = tokio::time::timeout(Duration::from_secs(5), watch.next())
        .await
        .expect("watch ended");
    // The README's promise: the watch ends with UNAVAILABLE (resume with the
    // last cursor), not with a clean end a client would take for "no more".
    match end {
        Some(Err(status)) => {
            assert_eq!(status.code(), Code::Unavailable, "{status:?}");
            assert!(status.message().contains("shutting down"), "{status:?}");
        }
        other => panic!("the watch must end with UNAVAILABLE, got {other:?}"),
    }
    drop(watch);
    drop(health_watch);
    tokio::time::timeout(Duration::from_secs(10), app.running.handle)
        .await
        .expect("server stopped within the drain time")
        .unwrap()
        .unwrap();
    assert!(started.elapsed() < Duration::from_secs(10));
}

#[tokio::test]
async fn gzip_is_offered_and_accepted() {
    let app = spawn_app().await;
    let mut client = CorpusServiceClient::new(app.channel.clone())
        .send_compressed(CompressionEncoding::Gzip)
        .accept_compressed(CompressionEncoding::Gzip);
    let response = client
        .list_articles(pb::ListArticlesRequest::default())
        .await
        .unwrap();
    // The answer itself came compressed, not only the request accepted.
    assert_eq!(
        response
            .metadata()
            .get("grpc-encoding")
            .and_then(|v| v.to_str().ok()),
        Some("gzip")
    );
    let articles = collect(response.into_inner()).await.unwrap();
    assert_eq!(articles.len(), 5);
    let stats = client
        .get_corpus_stats(pb::GetCorpusStatsRequest {})
        .await
        .unwrap();
    assert_eq!(
        stats
            .metadata()
            .get("grpc-encoding")
            .and_then(|v| v.to_str().ok()),
        Some("gzip")
    );
    assert_eq!(stats.into_inner().article_count, 5);
    // A client that does not accept gzip gets plain answers.
    let plain = CorpusServiceClient::new(app.channel.clone())
        .get_corpus_stats(pb::GetCorpusStatsRequest {})
        .await
        .unwrap();
    assert_eq!(plain.metadata().get("grpc-encoding"), None);
}

#[test]
fn the_binary_serves_then_exits_zero_on_sigterm() {
    let bin = env!("CARGO_BIN_EXE_newscorpus");
    let seeds = seeds_dir();
    let mut server = spawn_server(&["--corpus".as_ref(), seeds.as_os_str()]);
    let addr = server.addr.clone();
    let child = &mut server.child;
    let check = Command::new(bin)
        .args(["healthcheck", "--addr", &addr])
        .output()
        .unwrap();
    assert!(check.status.success(), "{check:?}");

    let kill = Command::new("kill")
        .args(["-TERM", &child.id().to_string()])
        .status()
        .unwrap();
    assert!(kill.success());
    let deadline = Instant::now() + Duration::from_secs(20);
    loop {
        if let Some(status) = child.try_wait().unwrap() {
            assert!(status.success(), "exit status {status:?}");
            break;
        }
        assert!(
            Instant::now() < deadline,
            "server did not exit after SIGTERM"
        );
        std::thread::sleep(Duration::from_millis(50));
    }
    let check = Command::new(bin)
        .args(["healthcheck", "--addr", &addr, "--timeout-secs", "1"])
        .output()
        .unwrap();
    assert!(!check.status.success());
}

#[test]
fn inspect_prints_extraction_as_json() {
    let bin = env!("CARGO_BIN_EXE_newscorpus");
    let file = seeds_dir().join("002_7d839a67d7f86eaf.txt");
    let out = Command::new(bin)
        .arg("inspect")
        .arg(&file)
        .output()
        .unwrap();
    assert!(out.status.success(), "{out:?}");
    let value: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    let article = &value[0];
    assert_eq!(article["source"], "002_7d839a67d7f86eaf.txt");
    assert!(article["entities"].as_array().unwrap().len() > 3);
    assert!(!article["quotes"].as_array().unwrap().is_empty());
    let missing = Command::new(bin)
        .args(["inspect", "/nonexistent/file.txt"])
        .output()
        .unwrap();
    assert!(!missing.status.success());
}

/// A connection past `max_connection_age` is asked to go away; its calls get
/// the grace period, then it closes. The client's channel reconnects, so
/// later calls work.
#[tokio::test]
async fn old_connections_go_away_and_clients_reconnect() {
    let app = spawn_app_with(
        Some(seeds_dir()),
        ServerOptions {
            max_connection_age: Some(Duration::from_millis(1000)),
            max_connection_age_grace: Duration::from_millis(1500),
            ..Default::default()
        },
        Limits::default(),
    )
    .await;
    let mut client = app.client.clone();
    let mut watch = client
        .watch_articles(pb::WatchArticlesRequest::default())
        .await
        .unwrap()
        .into_inner();
    let started = Instant::now();
    let ended = tokio::time::timeout(Duration::from_secs(20), async {
        loop {
            match watch.message().await {
                Ok(Some(_)) => continue,
                other => return other,
            }
        }
    })
    .await
    .expect("the watch on the old connection ended");
    assert!(ended.is_err() || matches!(ended, Ok(None)), "{ended:?}");
    // Not before the age and its grace (the stream may finish its work in
    // the grace), and not long after.
    assert!(
        started.elapsed() >= Duration::from_millis(2000),
        "cut before the grace ran out: {:?}",
        started.elapsed()
    );
    assert!(started.elapsed() < Duration::from_secs(15));
    let stats = client
        .get_corpus_stats(pb::GetCorpusStatsRequest {})
        .await
        .expect("the channel reconnected")
        .into_inner();
    assert_eq!(stats.article_count, 5);
}
