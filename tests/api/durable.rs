//! The embedded durable mode (`--data-dir`): acknowledged ingests survive a
//! restart and `kill -9`, with the same ids and positions and nothing twice;
//! the corpus folder loaded again adds nothing; a torn journal tail is
//! dropped with a log line instead of failing the start.

use std::path::Path;
use std::process::Command;
use std::sync::Arc;
use std::time::Duration;

use newscorpus::app::{self, AppConfig};
use newscorpus::corpus::Limits;
use newscorpus::grpc::pb;
use newscorpus::grpc::pb::corpus_service_client::CorpusServiceClient;
use newscorpus::grpc::ServerOptions;
use newscorpus::store::memory::MemoryStore;
use tokio::net::TcpListener;
use tonic::transport::Channel;

use crate::helpers::*;

fn story(n: usize) -> String {
    format!(
        "Harbour board vote number {n}\n\nBy Lena Ortiz\n\nThe harbour board of Porto Velho approved plan {n} on Monday after a long debate.\n\n\
         “We have waited {n} years for this,” said Marta Souza, the board's chair.\n"
    )
}

fn item(n: usize) -> pb::IngestArticlesRequest {
    pb::IngestArticlesRequest {
        text: story(n),
        client_ref: format!("story-{n}"),
        ..Default::default()
    }
}

type Started = (
    app::RunningApp,
    CorpusServiceClient<Channel>,
    Arc<MemoryStore>,
);

/// An in-process server over a data folder (and the seeds).
async fn start_in(dir: &Path) -> Started {
    start_over(dir, &seeds_dir()).await
}

/// Opens the data folder, waiting for the previous in-process server to let
/// go of it: its connection tasks (and so its store) can outlive the serve
/// future by a moment, and the folder lock is released only with the store.
async fn open_when_released(dir: &Path) -> MemoryStore {
    let deadline = std::time::Instant::now() + Duration::from_secs(10);
    loop {
        match MemoryStore::open(dir) {
            Ok(store) => return store,
            Err(error)
                if error.to_string().contains("in use") && std::time::Instant::now() < deadline =>
            {
                tokio::time::sleep(Duration::from_millis(20)).await;
            }
            Err(error) => panic!("open data folder: {error}"),
        }
    }
}

/// An in-process server over a data folder and a corpus folder.
async fn start_over(dir: &Path, corpus: &Path) -> Started {
    let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
    let store = Arc::new(open_when_released(dir).await);
    let config = AppConfig {
        database: None,
        corpus: Some(corpus.to_owned()),
        data_dir: Some(dir.to_owned()),
        limits: Limits::default(),
        server: ServerOptions::default(),
    };
    let running = app::start_with_store(config, listener, store.clone())
        .await
        .unwrap();
    let channel = Channel::from_shared(format!("http://{}", running.addr))
        .unwrap()
        .connect()
        .await
        .unwrap();
    let app = TestApp {
        client: CorpusServiceClient::new(channel.clone()),
        channel,
        store: store.clone(),
        running,
    };
    wait_serving(&app).await;
    let TestApp {
        client, running, ..
    } = app;
    (running, client, store)
}

async fn stop(running: app::RunningApp) {
    running.shutdown.cancel();
    tokio::time::timeout(Duration::from_secs(20), running.handle)
        .await
        .expect("stopped in time")
        .unwrap()
        .unwrap();
}

async fn ingest_all(
    client: &mut CorpusServiceClient<Channel>,
    items: Vec<pb::IngestArticlesRequest>,
) -> Vec<pb::IngestArticlesResponse> {
    let responses = client
        .ingest_articles(tokio_stream::iter(items))
        .await
        .unwrap()
        .into_inner();
    collect(responses).await.unwrap()
}

#[tokio::test]
async fn a_restart_keeps_every_ingest_with_its_id_position_and_entities() {
    let dir = tempfile::tempdir().unwrap();
    let (running, mut client, _) = start_in(dir.path()).await;
    let seeds = all_articles(&mut client).await;
    assert_eq!(seeds.len(), 5);
    let acked = ingest_all(&mut client, (0..3).map(item).collect()).await;
    assert!(acked
        .iter()
        .all(|r| r.status == pb::IngestStatus::Created as i32));
    let before = all_articles(&mut client).await;
    let entities_before = all_entities(&mut client).await;
    stop(running).await;

    let (running, mut client, _) = start_in(dir.path()).await;
    let after = all_articles(&mut client).await;
    assert_eq!(
        after.len(),
        8,
        "five seeds and three ingests, nothing twice"
    );
    for (a, b) in before.iter().zip(&after) {
        assert_eq!((&a.id, &a.body, &a.cursor), (&b.id, &b.body, &b.cursor));
    }
    let entities_after = all_entities(&mut client).await;
    let ids = |es: &[pb::Entity]| {
        es.iter()
            .map(|e| (e.id.clone(), e.mention_count))
            .collect::<Vec<_>>()
    };
    assert_eq!(ids(&entities_before), ids(&entities_after));
    // The index came back too: the ingested stories are searchable.
    let hits = collect(
        client
            .search_articles(pb::SearchArticlesRequest {
                query: "\"harbour board\"".into(),
                ..Default::default()
            })
            .await
            .unwrap()
            .into_inner(),
    )
    .await
    .unwrap();
    assert_eq!(hits.len(), 3, "{hits:?}");
    // Sending one again is a duplicate, still.
    let again = ingest_all(&mut client, vec![item(1)]).await;
    assert_eq!(again[0].status, pb::IngestStatus::Duplicate as i32);
    assert_eq!(again[0].article_id, acked[1].article_id);
    stop(running).await;
}

#[tokio::test]
async fn a_torn_journal_tail_is_dropped_and_the_server_starts() {
    let dir = tempfile::tempdir().unwrap();
    let (running, mut client, _) = start_in(dir.path()).await;
    ingest_all(&mut client, vec![item(10), item(11)]).await;
    stop(running).await;
    // A crash in the middle of an append: half a record at the end.
    let journal = dir.path().join("articles.journal");
    let bytes = std::fs::read(&journal).unwrap();
    let mut torn = bytes.clone();
    torn.extend_from_slice(&bytes[bytes.len() - 300..bytes.len() - 100]);
    std::fs::write(&journal, &torn).unwrap();

    let (running, mut client, store) = start_in(dir.path()).await;
    assert_eq!(all_articles(&mut client).await.len(), 7);
    assert_eq!(
        std::fs::metadata(&journal).unwrap().len(),
        bytes.len() as u64,
        "the torn tail was cut off"
    );
    // Appends after the cut are read back on the next start.
    ingest_all(&mut client, vec![item(12)]).await;
    drop(store);
    stop(running).await;
    let (running, mut client, _) = start_in(dir.path()).await;
    assert_eq!(all_articles(&mut client).await.len(), 8);
    stop(running).await;
}

/// Through the binary and its logs: whether the folder was read shows in the
/// `corpus loaded` line (articles created, known ones met again) or in its
/// absence (`corpus folder unchanged`).
#[test]
fn the_corpus_folder_is_read_again_only_when_it_changed() {
    let data = tempfile::tempdir().unwrap();
    let corpus = tempfile::tempdir().unwrap();
    for entry in std::fs::read_dir(seeds_dir()).unwrap() {
        let path = entry.unwrap().path();
        std::fs::copy(&path, corpus.path().join(path.file_name().unwrap())).unwrap();
    }
    // (articles created, articles already stored) of the folder read, or
    // None when it was not read; and the articles served.
    let start = || -> (Option<(u64, u64)>, u64) {
        let mut server = spawn_server(&[
            "--corpus".as_ref(),
            corpus.path().as_os_str(),
            "--data-dir".as_ref(),
            data.path().as_os_str(),
        ]);
        let loaded = server.logged("corpus loaded");
        let unchanged = server
            .logged("corpus folder unchanged since its last load; not read again")
            .len();
        assert_eq!(loaded.len() + unchanged, 1, "{}", server.log_text());
        let read = loaded.first().map(|l| {
            (
                l["articles"].as_u64().unwrap(),
                l["duplicates"].as_u64().unwrap(),
            )
        });
        let served = tokio::runtime::Runtime::new().unwrap().block_on(async {
            let mut client = connect(&server.addr).await;
            all_articles(&mut client).await.len() as u64
        });
        assert!(server.terminate().success());
        (read, served)
    };
    assert_eq!(start(), (Some((5, 0)), 5));
    assert!(data.path().join("corpus.manifest").exists());
    // Unchanged: not read; the articles come from the journal.
    assert_eq!(start(), (None, 5));
    // A new file: read again, the known five met again, the new one added.
    std::fs::write(corpus.path().join("zz-new.txt"), story(99)).unwrap();
    assert_eq!(start(), (Some((1, 5)), 6));
    // Unchanged again: not read.
    assert_eq!(start(), (None, 6));
    // A file changed (same names, another size): read again.
    std::fs::write(corpus.path().join("zz-new.txt"), story(1000)).unwrap();
    assert_eq!(start(), (Some((1, 5)), 7));
    // The journal gone (but the manifest kept): the folder is loaded again.
    std::fs::remove_file(data.path().join("articles.journal")).unwrap();
    std::fs::remove_dir_all(data.path().join("index")).unwrap();
    assert_eq!(start(), (Some((6, 0)), 6));
}

#[test]
fn a_second_process_cannot_open_the_same_data_folder() {
    let dir = tempfile::tempdir().unwrap();
    let _first = MemoryStore::open(dir.path()).unwrap();
    let Err(error) = MemoryStore::open(dir.path()) else {
        panic!("opened twice");
    };
    assert!(error.to_string().contains("in use"), "{error}");
}

/// The real binary over the seeds and a data folder.
fn serve(dir: &Path) -> ServerProcess {
    let seeds = seeds_dir();
    spawn_server(&[
        "--corpus".as_ref(),
        seeds.as_os_str(),
        "--data-dir".as_ref(),
        dir.as_os_str(),
    ])
}

/// `kill -9` while ingest streams are running, three times over: after each
/// restart every acknowledged article is there, under the same id, once, at
/// the position (cursor) its acknowledgement gave, and a listing resumed
/// from an acknowledged cursor goes on exactly where the full listing does.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn acknowledged_ingests_survive_kill_9() {
    let dir = tempfile::tempdir().unwrap();
    let mut acked: Vec<(String, String, String)> = Vec::new(); // (client_ref, id, cursor)
    let mut next = 0usize;
    for round in 0..3 {
        let mut server = serve(dir.path());
        let mut client = connect(&server.addr).await;

        // Everything acknowledged before (seeds included) is there, once.
        let articles = all_articles(&mut client).await;
        let stored: std::collections::HashSet<&str> =
            articles.iter().map(|a| a.id.as_str()).collect();
        assert_eq!(
            stored.len(),
            articles.len(),
            "round {round}: an article stored twice"
        );
        for (client_ref, id, _) in &acked {
            assert!(
                stored.contains(id.as_str()),
                "round {round}: lost {client_ref} ({id})"
            );
        }
        assert!(articles.len() >= 5 + acked.len());
        same_positions(&mut client, &articles, &acked).await;

        // Ingest in a stream, recording acknowledgements as they come, and
        // kill the server in the middle of it.
        let (tx, rx) = tokio::sync::mpsc::channel(8);
        let mut responses = client
            .ingest_articles(tokio_stream::wrappers::ReceiverStream::new(rx))
            .await
            .unwrap()
            .into_inner();
        let feeder = tokio::spawn(async move {
            for n in next..next + 10_000 {
                if tx.send(item(n)).await.is_err() {
                    break;
                }
            }
        });
        let kill_after = 20 + round * 15;
        let mut seen = 0;
        // Ends when the connection dies with the server: whatever was not
        // acknowledged may or may not be stored.
        while let Ok(Some(response)) = responses.message().await {
            assert_eq!(
                response.status,
                pb::IngestStatus::Created as i32,
                "{response:?}"
            );
            acked.push((
                response.client_ref.clone(),
                response.article_id.clone(),
                response.cursor.clone(),
            ));
            seen += 1;
            if seen == kill_after {
                let killed = Command::new("kill")
                    .args(["-KILL", &server.child.id().to_string()])
                    .status()
                    .unwrap();
                assert!(killed.success());
            }
        }
        feeder.abort();
        server.child.wait().unwrap();
        assert!(seen >= kill_after, "round {round}: {seen} acknowledged");
        next += 10_000;
    }
    let mut server = serve(dir.path());
    let mut client = connect(&server.addr).await;
    let articles = all_articles(&mut client).await;
    let stored: std::collections::HashSet<&str> = articles.iter().map(|a| a.id.as_str()).collect();
    assert_eq!(stored.len(), articles.len());
    for (client_ref, id, _) in &acked {
        assert!(stored.contains(id.as_str()), "lost {client_ref} ({id})");
    }
    same_positions(&mut client, &articles, &acked).await;
    let _ = server.child.kill();
    let _ = server.child.wait();
}

/// Each acknowledged article sits at the cursor its acknowledgement gave,
/// and resuming from such a cursor continues as the full listing does.
async fn same_positions(
    client: &mut Client,
    articles: &[pb::Article],
    acked: &[(String, String, String)],
) {
    let cursor_of: std::collections::HashMap<&str, &str> = articles
        .iter()
        .map(|a| (a.id.as_str(), a.cursor.as_str()))
        .collect();
    for (client_ref, id, cursor) in acked {
        assert_eq!(
            cursor_of.get(id.as_str()).copied(),
            Some(cursor.as_str()),
            "{client_ref} ({id}) moved"
        );
    }
    for (_, id, cursor) in acked.iter().step_by(17) {
        let at = articles.iter().position(|a| &a.id == id).unwrap();
        let resumed = collect(
            client
                .list_articles(pb::ListArticlesRequest {
                    cursor: cursor.clone(),
                    limit: 5,
                    ..Default::default()
                })
                .await
                .unwrap()
                .into_inner(),
        )
        .await
        .unwrap();
        let expected: Vec<&str> = articles[at + 1..]
            .iter()
            .take(5)
            .map(|a| a.id.as_str())
            .collect();
        let got: Vec<&str> = resumed.iter().map(|a| a.id.as_str()).collect();
        assert_eq!(got, expected, "resumed after {id}");
    }
}

/// Durability across a power cut, shown by the system calls (`strace`): each
/// acknowledgement of an ingest comes after an `fdatasync`/`fsync` of the
/// journal that finished since the previous one, and the data folder itself is
/// `fsync`ed after the journal file is created in it (so the file's directory
/// entry survives too). A write that only reached the page cache would pass
/// every restart test and still be lost to a power cut; this test would not.
#[test]
fn acknowledgements_come_after_the_journal_is_synced() {
    use std::io::{BufRead, BufReader};
    use std::process::Stdio;
    use std::time::{Instant, SystemTime, UNIX_EPOCH};
    if Command::new("strace").arg("-V").output().is_err() {
        assert!(
            std::env::var_os("CI").is_none(),
            "strace is missing (scripts/test.sh installs it)"
        );
        eprintln!("SKIPPED: strace is not installed");
        return;
    }
    let dir = tempfile::tempdir().unwrap();
    let data = dir.path().join("data");
    let corpus = dir.path().join("corpus");
    std::fs::create_dir_all(&corpus).unwrap();
    let trace = dir.path().join("trace.txt");
    let mut strace = Command::new("strace")
        .args([
            "-f",
            "-ttt",
            "-e",
            "trace=openat,fsync,fdatasync,sync_file_range",
            "-o",
        ])
        .arg(&trace)
        .arg(env!("CARGO_BIN_EXE_newscorpus"))
        .args([
            "serve",
            "--addr",
            "127.0.0.1:0",
            "--log-format",
            "json",
            "--corpus",
        ])
        .arg(&corpus)
        .arg("--data-dir")
        .arg(&data)
        .env("RUST_LOG", "info")
        .stdout(Stdio::null())
        .stderr(Stdio::piped())
        .spawn()
        .expect("run the server under strace");
    let stderr = strace.stderr.take().unwrap();
    let (tx, rx) = std::sync::mpsc::channel();
    std::thread::spawn(move || {
        for line in BufReader::new(stderr).lines().map_while(Result::ok) {
            let _ = tx.send(line);
        }
    });
    let (mut addr, mut ready) = (None, false);
    let until = Instant::now() + Duration::from_secs(60);
    while !(ready && addr.is_some()) && Instant::now() < until {
        if let Ok(line) = rx.recv_timeout(Duration::from_millis(200)) {
            let v: serde_json::Value = serde_json::from_str(&line).unwrap_or_default();
            match v["message"].as_str() {
                Some("listening") => addr = v["addr"].as_str().map(str::to_owned),
                Some("ready") => ready = true,
                _ => {}
            }
        }
    }
    let addr = addr.expect("the server listened");
    let now = || {
        SystemTime::now()
            .duration_since(UNIX_EPOCH)
            .unwrap()
            .as_secs_f64()
    };
    let mut acked = Vec::new();
    tokio::runtime::Runtime::new().unwrap().block_on(async {
        let mut client = connect(&addr).await;
        for n in 0..3 {
            let responses = collect(
                client
                    .ingest_articles(tokio_stream::iter(vec![item(500 + n)]))
                    .await
                    .unwrap()
                    .into_inner(),
            )
            .await
            .unwrap();
            assert_eq!(responses[0].status, pb::IngestStatus::Created as i32);
            acked.push(now());
        }
    });
    let _ = Command::new("pkill")
        .args(["-TERM", "-P", &strace.id().to_string()])
        .status();
    strace.wait().unwrap();

    // `PID SECONDS.MICROS call(args) = ret`, or split by other threads into
    // `call(args <unfinished ...>` … `<... call resumed>) = ret`.
    let text = std::fs::read_to_string(&trace).unwrap();
    let journal = data.join("articles.journal");
    let (journal, data_dir) = (journal.to_string_lossy(), data.to_string_lossy());
    let mut fd_path: std::collections::HashMap<String, String> = Default::default();
    let mut pending: std::collections::HashMap<String, String> = Default::default();
    let mut journal_syncs: Vec<f64> = Vec::new();
    let mut journal_created: Option<f64> = None;
    let mut dir_synced_after_create = false;
    for line in text.lines() {
        // strace pads the pid to a width: split on runs of spaces.
        let mut parts = line.trim_start().splitn(2, char::is_whitespace);
        let (Some(pid), Some(rest)) = (parts.next(), parts.next()) else {
            continue;
        };
        let mut parts = rest.trim_start().splitn(2, char::is_whitespace);
        let (Some(time), Some(call)) = (parts.next(), parts.next()) else {
            continue;
        };
        let Ok(time) = time.parse::<f64>() else {
            continue;
        };
        let call = if let Some(head) = call.strip_suffix(" <unfinished ...>") {
            pending.insert(pid.to_owned(), head.to_owned());
            continue;
        } else if let Some(rest) = call.strip_prefix("<... ") {
            let tail = rest.split_once("resumed>").map_or("", |(_, t)| t);
            format!("{}{tail}", pending.remove(pid).unwrap_or_default())
        } else {
            call.to_owned()
        };
        let Some((head, ret)) = call.rsplit_once(" = ") else {
            continue;
        };
        let ret = ret.split_whitespace().next().unwrap_or_default();
        if head.starts_with("openat(") {
            if let Some(path) = head.split('"').nth(1) {
                fd_path.insert(ret.to_owned(), path.to_owned());
                if path == journal && head.contains("O_CREAT") && journal_created.is_none() {
                    journal_created = Some(time);
                }
            }
        } else if ret == "0" && (head.starts_with("fsync(") || head.starts_with("fdatasync(")) {
            let fd = head.split(['(', ')']).nth(1).unwrap_or_default().to_owned();
            match fd_path.get(&fd).map(String::as_str) {
                Some(p) if p == journal => journal_syncs.push(time),
                Some(p) if p == data_dir && journal_created.is_some_and(|c| c <= time) => {
                    dir_synced_after_create = true
                }
                _ => {}
            }
        }
    }
    assert!(
        journal_created.is_some(),
        "the journal was never created:\n{text}"
    );
    assert!(
        dir_synced_after_create,
        "the data folder was never fsync'd after the journal was created:\n{text}"
    );
    let mut previous = 0.0;
    for (n, &ack) in acked.iter().enumerate() {
        assert!(
            journal_syncs.iter().any(|&s| s > previous && s <= ack),
            "acknowledgement {n} at {ack} without a journal sync since {previous}: syncs at {journal_syncs:?}"
        );
        previous = ack;
    }
}

/// While a restart replays the journal the server already listens, says
/// NOT_SERVING, and answers calls with UNAVAILABLE (reason NOT_READY); once
/// the replay is done it says SERVING with every article back.
#[test]
fn a_replaying_server_is_not_serving_until_it_is_done() {
    use std::io::{BufRead, BufReader};
    use std::process::Stdio;
    use std::time::Instant;
    use tonic_types::StatusExt;
    let dir = tempfile::tempdir().unwrap();
    let corpus = dir.path().join("corpus");
    std::fs::create_dir_all(&corpus).unwrap();
    let generated = Command::new(env!("CARGO_BIN_EXE_newscorpus"))
        .args(["gen-corpus", "--count", "3000", "--from"])
        .arg(seeds_dir())
        .arg("--out")
        .arg(corpus.join("generated.jsonl"))
        .output()
        .unwrap();
    assert!(generated.status.success(), "{generated:?}");
    let data = dir.path().join("data");
    let args = [
        "--corpus".as_ref(),
        corpus.as_os_str(),
        "--data-dir".as_ref(),
        data.as_os_str(),
    ];
    let mut first = spawn_server(&args);
    assert!(first.terminate().success());

    // The restart: watched from its `listening` line on, before it is ready.
    let mut child = Command::new(env!("CARGO_BIN_EXE_newscorpus"))
        .args(["serve", "--addr", "127.0.0.1:0", "--log-format", "json"])
        .args(args)
        .env("RUST_LOG", "info")
        .stdout(Stdio::null())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let mut lines = BufReader::new(child.stderr.take().unwrap()).lines();
    let addr = loop {
        let line = lines.next().expect("a log line").unwrap();
        let v: serde_json::Value = serde_json::from_str(&line).unwrap_or_default();
        if v["message"] == "listening" {
            break v["addr"].as_str().unwrap().to_owned();
        }
    };
    std::thread::spawn(move || for _ in lines {});
    let (not_serving, unavailable, articles) =
        tokio::runtime::Runtime::new().unwrap().block_on(async {
            let channel = tonic::transport::Channel::from_shared(format!("http://{addr}"))
                .unwrap()
                .connect()
                .await
                .unwrap();
            let mut health = tonic_health::pb::health_client::HealthClient::new(channel.clone());
            let mut client = CorpusServiceClient::new(channel);
            let (mut not_serving, mut unavailable) = (0, 0);
            let until = Instant::now() + Duration::from_secs(120);
            loop {
                let status = health
                    .check(tonic_health::pb::HealthCheckRequest {
                        service: "newscorpus.v1.CorpusService".into(),
                    })
                    .await
                    .unwrap()
                    .into_inner()
                    .status;
                if status == 1 {
                    break;
                }
                assert_eq!(status, 2, "NOT_SERVING while replaying");
                not_serving += 1;
                if let Err(e) = client.get_corpus_stats(pb::GetCorpusStatsRequest {}).await {
                    assert_eq!(e.code(), tonic::Code::Unavailable, "{e:?}");
                    assert_eq!(
                        e.get_error_details().error_info().unwrap().reason,
                        "NOT_READY"
                    );
                    unavailable += 1;
                }
                assert!(Instant::now() < until, "never SERVING");
            }
            let articles = client
                .get_corpus_stats(pb::GetCorpusStatsRequest {})
                .await
                .unwrap()
                .into_inner()
                .article_count;
            (not_serving, unavailable, articles)
        });
    let _ = Command::new("kill")
        .args(["-TERM", &child.id().to_string()])
        .status();
    let _ = child.wait();
    assert!(not_serving > 0, "the replay was never observed");
    assert!(unavailable > 0, "no call was refused during the replay");
    assert_eq!(articles, 3000);
}

/// A restart serves the extraction stored in the journal; it does not run
/// extraction again. The journal here is written directly, with one entity
/// renamed to a name extraction could never give this text: served after
/// the restart, that name proves the stored extraction was used.
#[test]
fn restarts_serve_the_stored_extraction_not_a_new_one() {
    use newscorpus::corpus::{prepare, Limits};
    use newscorpus::model::RawArticle;
    use newscorpus::store::journal::Journal;
    let dir = tempfile::tempdir().unwrap();
    let data = dir.path().join("data");
    std::fs::create_dir_all(&data).unwrap();
    let mut draft = prepare(
        RawArticle {
            text: story(7),
            ..Default::default()
        },
        &Limits::default(),
    )
    .unwrap();
    let person = draft
        .extraction
        .entities
        .iter_mut()
        .find(|e| e.name == "Marta Souza")
        .expect("extraction finds the speaker");
    person.name = "Zebulon Quartermaine-Oyelaran".into();
    let (mut journal, _) = Journal::open(&data.join("articles.journal"), |_| Ok(())).unwrap();
    journal.append(&[&draft]).unwrap();
    drop(journal);
    let empty = dir.path().join("corpus");
    std::fs::create_dir_all(&empty).unwrap();
    let mut server = spawn_server(&[
        "--corpus".as_ref(),
        empty.as_os_str(),
        "--data-dir".as_ref(),
        data.as_os_str(),
    ]);
    let names = tokio::runtime::Runtime::new().unwrap().block_on(async {
        let mut client = connect(&server.addr).await;
        all_entities(&mut client)
            .await
            .into_iter()
            .map(|e| e.name)
            .collect::<Vec<_>>()
    });
    assert!(server.terminate().success());
    assert!(
        names.iter().any(|n| n == "Zebulon Quartermaine-Oyelaran"),
        "the restart extracted again: {names:?}"
    );
    assert!(!names.iter().any(|n| n == "Marta Souza"), "{names:?}");
}
