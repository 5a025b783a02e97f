//! Shared mode (`--database-url`): replicas on one real PostgreSQL server.
//!
//! `scripts/test.sh` starts a throwaway server (scripts/pg.sh) and sets
//! `NEWSCORPUS_TEST_DATABASE_URL`; each test makes its own database in it.
//! Without the variable (when the tests are built) they show as ignored,
//! with the reason, not as passed; under CI they always run and fail without
//! a database: the PostgreSQL tests are never skipped silently.

use std::path::PathBuf;
use std::sync::atomic::{AtomicU32, Ordering};
use std::time::{Duration, Instant};

use newscorpus::app::{self, AppConfig, RunningApp};
use newscorpus::corpus::Limits;
use newscorpus::grpc::pb;
use newscorpus::grpc::ServerOptions;
use newscorpus::store::postgres::PgOptions;
use tokio::net::TcpListener;
use tokio_stream::StreamExt;
use tonic::transport::Channel;
use tonic::Code;
use tonic_health::pb::health_client::HealthClient;
use tonic_health::pb::HealthCheckRequest;

use crate::helpers::*;

fn base_url() -> String {
    match std::env::var("NEWSCORPUS_TEST_DATABASE_URL") {
        Ok(url) if !url.is_empty() => url,
        _ if std::env::var_os("CI").is_some() => panic!(
            "NEWSCORPUS_TEST_DATABASE_URL is not set: scripts/test.sh starts PostgreSQL and sets it; \
             CI must not skip the PostgreSQL tests"
        ),
        _ => panic!(
            "NEWSCORPUS_TEST_DATABASE_URL is not set (it was when the tests were built): \
             set it, or `cargo clean -p newscorpus` to build them as skipped"
        ),
    }
}

fn with_database(url: &str, name: &str) -> String {
    let (server, _) = url.rsplit_once('/').expect("url has a database path");
    format!("{server}/{name}")
}

/// A new, empty database on the server at `base`; returns its URL.
async fn fresh_database(base: &str) -> String {
    static NEXT: AtomicU32 = AtomicU32::new(0);
    let name = format!(
        "nc_test_{}_{}",
        std::process::id(),
        NEXT.fetch_add(1, Ordering::SeqCst)
    );
    let (client, connection) = tokio_postgres::connect(base, tokio_postgres::NoTls)
        .await
        .expect("connect to the test PostgreSQL server");
    tokio::spawn(connection);
    for statement in [
        format!("DROP DATABASE IF EXISTS {name}"),
        format!("CREATE DATABASE {name}"),
    ] {
        client
            .batch_execute(&statement)
            .await
            .expect("create test database");
    }
    with_database(base, &name)
}

async fn sql(url: &str) -> tokio_postgres::Client {
    let (client, connection) = tokio_postgres::connect(url, tokio_postgres::NoTls)
        .await
        .expect("connect");
    tokio::spawn(connection);
    client
}

struct Replica {
    client: Client,
    channel: Channel,
    running: RunningApp,
}

impl Replica {
    /// Shuts the replica down and waits until it has stopped.
    async fn stop(self) {
        self.running.shutdown.cancel();
        let _ = self.running.handle.await;
    }
}

async fn start_replica(url: &str, corpus: Option<PathBuf>) -> Replica {
    let listener = TcpListener::bind("127.0.0.1:0").await.expect("bind");
    let config = AppConfig {
        corpus,
        data_dir: None,
        database: Some(PgOptions {
            url: url.to_owned(),
            pool_size: 4,
            timeout: Duration::from_secs(3),
        }),
        limits: Limits::default(),
        server: ServerOptions::default(),
    };
    let running = app::start(config, listener).await.expect("start replica");
    let channel = Channel::from_shared(format!("http://{}", running.addr))
        .expect("uri")
        .connect()
        .await
        .expect("connect");
    wait_serving_on(&channel, "newscorpus.v1.CorpusService").await;
    Replica {
        client: pb::corpus_service_client::CorpusServiceClient::new(channel.clone()),
        channel,
        running,
    }
}

fn item(text: &str) -> pb::IngestArticlesRequest {
    pb::IngestArticlesRequest {
        text: text.into(),
        ..Default::default()
    }
}

async fn ingest(client: &mut Client, texts: Vec<String>) -> Vec<pb::IngestArticlesResponse> {
    let stream = client
        .ingest_articles(tokio_stream::iter(
            texts.iter().map(|t| item(t)).collect::<Vec<_>>(),
        ))
        .await
        .expect("ingest call")
        .into_inner();
    collect(stream).await.expect("ingest stream")
}

/// A made-up story: names that appear in no seed article.
fn story(n: usize) -> String {
    format!(
        "Harbour works resume in Velmora\n\n\
         Dock {n} of the Velmora harbour reopened on Monday after repairs, officials said.\n\n\
         \"We expect ships back within a week,\" said Ilse Vandermolen, the harbour director. \
         Vandermolen added that crews from the Velmora Port Authority worked through the night on dock {n}.\n"
    )
}

async fn health(channel: &Channel) -> i32 {
    HealthClient::new(channel.clone())
        .check(HealthCheckRequest {
            service: "newscorpus.v1.CorpusService".into(),
        })
        .await
        .map(|r| r.into_inner().status)
        .unwrap_or_default()
}

async fn wait_health(channel: &Channel, want: i32, within: Duration) {
    let until = Instant::now() + within;
    while Instant::now() < until {
        if health(channel).await == want {
            return;
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    panic!("health did not become {want} within {within:?}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
#[cfg_attr(
    not(postgres_tests),
    ignore = "needs PostgreSQL: set NEWSCORPUS_TEST_DATABASE_URL (scripts/test.sh does)"
)]
async fn replicas_share_articles_watches_and_entity_ids() {
    let base = base_url();
    let url = fresh_database(&base).await;
    let mut a = start_replica(&url, Some(seeds_dir())).await;
    let mut b = start_replica(&url, None).await;

    // B loaded no folder, yet serves what A stored, with the same ids.
    let from_a: Vec<String> = all_articles(&mut a.client)
        .await
        .into_iter()
        .map(|x| x.id)
        .collect();
    let from_b: Vec<String> = all_articles(&mut b.client)
        .await
        .into_iter()
        .map(|x| x.id)
        .collect();
    assert_eq!(from_a.len(), 5);
    assert_eq!(from_a, from_b);

    // A watch on B sees an ingest through A, and the cursors agree.
    let mut watch = b
        .client
        .watch_articles(pb::WatchArticlesRequest::default())
        .await
        .unwrap()
        .into_inner();
    let sent = Instant::now();
    let created = ingest(&mut a.client, vec![story(1)]).await.remove(0);
    assert_eq!(
        created.status,
        pb::IngestStatus::Created as i32,
        "{created:?}"
    );
    let seen = tokio::time::timeout(Duration::from_secs(10), watch.next())
        .await
        .expect("the watch on the other replica got nothing")
        .unwrap()
        .unwrap();
    eprintln!("cross-replica watch latency: {:?}", sent.elapsed());
    assert_eq!(seen.id, created.article_id);
    assert_eq!(seen.cursor, created.cursor);
    drop(watch);

    // The same article through B is a duplicate of A's, not a second copy.
    let again = ingest(&mut b.client, vec![story(1)]).await.remove(0);
    assert_eq!(again.status, pb::IngestStatus::Duplicate as i32);
    assert_eq!(again.article_id, created.article_id);

    // Both replicas ingest at once, all mentioning the same new person.
    let (mut ca, mut cb) = (a.client.clone(), b.client.clone());
    let (ra, rb) = tokio::join!(
        ingest(&mut ca, (10..20).map(story).collect()),
        ingest(&mut cb, (20..30).map(story).collect()),
    );
    for r in ra.iter().chain(&rb) {
        assert_eq!(r.status, pb::IngestStatus::Created as i32, "{r:?}");
    }

    // Every replica resolved the same entities, with the same ids and counts.
    let entities = |list: Vec<pb::Entity>| {
        let mut v: Vec<(String, String, u32)> = list
            .into_iter()
            .map(|e| (e.id, e.name, e.mention_count))
            .collect();
        v.sort();
        v
    };
    // A replica follows the other's writes through the log, a moment later
    // (seconds when the machine is saturated: CI's two cores run every
    // integration test at once).
    let until = Instant::now() + Duration::from_secs(30);
    let (ea, eb) = loop {
        let (ea, eb) = (
            entities(all_entities(&mut a.client).await),
            entities(all_entities(&mut b.client).await),
        );
        if ea == eb || Instant::now() > until {
            break (ea, eb);
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    };
    assert_eq!(ea, eb);
    let director: Vec<_> = ea
        .iter()
        .filter(|(_, n, _)| n.contains("Vandermolen"))
        .collect();
    assert_eq!(
        director.len(),
        1,
        "one entity for the director: {director:?}"
    );
    let (director_id, _, mentions) = director[0].clone();

    // The SQL projection (written in the background) agrees with the API.
    let db = sql(&url).await;
    let until = Instant::now() + Duration::from_secs(30);
    loop {
        let pending: i64 = db
            .query_one("SELECT count(*) FROM articles WHERE NOT projected", &[])
            .await
            .unwrap()
            .get(0);
        if pending == 0 {
            break;
        }
        assert!(Instant::now() < until, "{pending} articles never projected");
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    let count = |q: &'static str| {
        let db = &db;
        let id = director_id.clone();
        async move { db.query_one(q, &[&id]).await.unwrap().get::<_, i64>(0) }
    };
    assert_eq!(
        count("SELECT count(*) FROM entities WHERE id = $1").await,
        1
    );
    assert_eq!(
        count("SELECT count(*) FROM mentions WHERE entity_id = $1").await,
        mentions as i64
    );
    assert!(count("SELECT count(*) FROM entity_aliases WHERE entity_id = $1").await >= 2);
    assert!(count("SELECT count(*) FROM quotes WHERE speaker_entity_id = $1").await >= 21);
    let articles: i64 = db
        .query_one("SELECT count(*) FROM articles WHERE projected", &[])
        .await
        .unwrap()
        .get(0);
    assert_eq!(articles, 5 + 1 + 20);
    // The seeds folder's manifest is kept in the database: a replica
    // restarting with the same folder does not read it again.
    let notes: i64 = db
        .query_one(
            "SELECT count(*) FROM notes WHERE key = 'corpus.manifest'",
            &[],
        )
        .await
        .unwrap()
        .get(0);
    assert_eq!(notes, 1);
    // The director's repeated quote is corroborated across the articles.
    let corroborated: i64 = db
        .query_one("SELECT count(DISTINCT article_id) FROM corroborations", &[])
        .await
        .unwrap()
        .get(0);
    assert!(corroborated >= 21, "{corroborated}");
    // Both replicas put every article in the same story, with the same copy
    // links, and the projection says so too.
    let stories = |list: Vec<pb::Article>| {
        list.into_iter()
            .map(|x| (x.id, x.story_id, x.duplicate_of))
            .collect::<Vec<_>>()
    };
    let (sa, sb) = (
        stories(all_articles(&mut a.client).await),
        stories(all_articles(&mut b.client).await),
    );
    assert_eq!(sa, sb);
    for (id, story_id, _) in &sa {
        let row = db
            .query_one(
                "SELECT story_id, (SELECT article_count FROM stories WHERE id = articles.story_id) \
                 FROM articles WHERE id = $1",
                &[id],
            )
            .await
            .unwrap();
        assert_eq!(
            row.get::<_, Option<String>>(0).as_deref(),
            Some(story_id.as_str())
        );
        assert!(row.get::<_, Option<i32>>(1).unwrap_or(0) >= 1);
    }
    let seed_story: i64 = db
        .query_one(
            "SELECT count(DISTINCT story_id) FROM articles WHERE id = ANY($1)",
            &[&from_a],
        )
        .await
        .unwrap()
        .get(0);
    assert_eq!(seed_story, 1, "the seeds are one story in SQL too");

    a.running.shutdown.cancel();
    b.running.shutdown.cancel();
    let _ = a.running.handle.await;
    let _ = b.running.handle.await;
    let _ = (&a.channel, &b.channel);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
#[cfg_attr(
    not(postgres_tests),
    ignore = "needs PostgreSQL: set NEWSCORPUS_TEST_DATABASE_URL (scripts/test.sh does)"
)]
async fn a_database_restart_is_survived() {
    base_url();
    // Its own server: stopping the shared one would break the other tests.
    let dir = PathBuf::from(env!("CARGO_TARGET_TMPDIR"))
        .join(format!("pg-restart-{}", std::process::id()));
    let pg = |args: &[&str]| {
        let out = std::process::Command::new(
            PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("scripts/pg.sh"),
        )
        .args(args)
        .env("PG_FSYNC", "off")
        .output()
        .expect("run scripts/pg.sh");
        assert!(
            out.status.success(),
            "pg.sh {args:?}: {}",
            String::from_utf8_lossy(&out.stderr)
        );
        String::from_utf8_lossy(&out.stdout).trim().to_owned()
    };
    let dir_s = dir.to_str().unwrap().to_owned();
    pg(&["destroy", &dir_s]);
    let url = pg(&["start", &dir_s]);
    let mut r = start_replica(&url, Some(seeds_dir())).await;
    let stored = ingest(&mut r.client, vec![story(1)]).await.remove(0);
    assert_eq!(stored.status, pb::IngestStatus::Created as i32);

    pg(&["stop", &dir_s]);
    wait_health(&r.channel, 2, Duration::from_secs(15)).await; // NOT_SERVING
    let err = r
        .client
        .get_article(pb::GetArticleRequest {
            id: stored.article_id.clone(),
            ..Default::default()
        })
        .await
        .unwrap_err();
    assert_eq!(err.code(), Code::Unavailable, "{err:?}");
    assert!(err.message().contains("database"), "{}", err.message());
    let failed = ingest(&mut r.client, vec![story(2)]).await.remove(0);
    assert_eq!(failed.status, pb::IngestStatus::Failed as i32);
    assert_eq!(failed.error.unwrap().code, Code::Unavailable as i32);

    pg(&["start", &dir_s]);
    wait_health(&r.channel, 1, Duration::from_secs(30)).await; // SERVING
    let article = r
        .client
        .get_article(pb::GetArticleRequest {
            id: stored.article_id.clone(),
            ..Default::default()
        })
        .await
        .expect("served again after the restart")
        .into_inner();
    assert_eq!(article.id, stored.article_id);
    let after = ingest(&mut r.client, vec![story(2)]).await.remove(0);
    assert_eq!(after.status, pb::IngestStatus::Created as i32, "{after:?}");

    r.stop().await;

    // A replica started while the database is down waits for it ("It waits
    // for the database if it is not up yet"): it listens, says NOT_SERVING,
    // and serves once the database is back.
    pg(&["stop", &dir_s]);
    let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
    let config = AppConfig {
        corpus: None,
        data_dir: None,
        database: Some(PgOptions {
            url: url.clone(),
            pool_size: 2,
            timeout: Duration::from_secs(1),
        }),
        limits: Limits::default(),
        server: ServerOptions::default(),
    };
    let waiting = app::start(config, listener)
        .await
        .expect("a replica starts while its database is down");
    let channel = Channel::from_shared(format!("http://{}", waiting.addr))
        .unwrap()
        .connect()
        .await
        .unwrap();
    tokio::time::sleep(Duration::from_secs(2)).await;
    assert_eq!(
        health(&channel).await,
        2,
        "NOT_SERVING while the database is down"
    );
    assert!(!waiting.handle.is_finished(), "the replica gave up");
    pg(&["start", &dir_s]);
    wait_health(&channel, 1, Duration::from_secs(60)).await;
    let mut client = pb::corpus_service_client::CorpusServiceClient::new(channel);
    let article = client
        .get_article(pb::GetArticleRequest {
            id: stored.article_id.clone(),
            ..Default::default()
        })
        .await
        .expect("served once the database is up")
        .into_inner();
    assert_eq!(article.id, stored.article_id);
    waiting.shutdown.cancel();
    let _ = waiting.handle.await;
    pg(&["destroy", &dir_s]);
}

#[tokio::test]
#[cfg_attr(
    not(postgres_tests),
    ignore = "needs PostgreSQL: set NEWSCORPUS_TEST_DATABASE_URL (scripts/test.sh does)"
)]
async fn migrate_subcommand_creates_then_keeps_the_schema() {
    let base = base_url();
    let url = fresh_database(&base).await;
    let run = || {
        std::process::Command::new(env!("CARGO_BIN_EXE_newscorpus"))
            .args(["migrate", "--database-url", &url])
            .output()
            .expect("run migrate")
    };
    let first = run();
    assert!(
        first.status.success(),
        "{}",
        String::from_utf8_lossy(&first.stderr)
    );
    assert!(String::from_utf8_lossy(&first.stdout).contains("applied V1__schema"));
    let second = run();
    assert!(second.status.success());
    assert!(String::from_utf8_lossy(&second.stdout).contains("up to date"));
    // A wrong password or host fails clearly, without echoing the URL.
    let bad = std::process::Command::new(env!("CARGO_BIN_EXE_newscorpus"))
        .args([
            "migrate",
            "--database-url",
            "postgres://nobody:s3cret@127.0.0.1:1/none",
            "--db-timeout-secs",
            "2",
        ])
        .output()
        .unwrap();
    assert!(!bad.status.success());
    let stderr = String::from_utf8_lossy(&bad.stderr);
    assert!(stderr.contains("unreachable"), "{stderr}");
    assert!(!stderr.contains("s3cret"), "{stderr}");
}

/// "The URL is never logged": a replica started with a password in its
/// database URL serves, and neither the password nor the URL appears in its
/// logs, even at debug level; nor in the error of one that cannot connect.
#[test]
#[cfg_attr(
    not(postgres_tests),
    ignore = "needs PostgreSQL: set NEWSCORPUS_TEST_DATABASE_URL (scripts/test.sh does)"
)]
fn the_database_url_is_never_logged() {
    const SECRET: &str = "pw-0f3c9a7e1b";
    let base = base_url();
    let url = tokio::runtime::Runtime::new()
        .unwrap()
        .block_on(fresh_database(&base));
    // The test server trusts local connections, so any password is accepted.
    let with_password = url.replacen("://newscorpus@", &format!("://newscorpus:{SECRET}@"), 1);
    assert!(with_password.contains(SECRET), "{with_password}");
    let seeds = seeds_dir();
    let mut server = spawn_server_env(
        &[
            "--corpus".as_ref(),
            seeds.as_os_str(),
            "--database-url".as_ref(),
            with_password.as_ref(),
        ],
        &[("RUST_LOG", "debug")],
    );
    let articles = tokio::runtime::Runtime::new().unwrap().block_on(async {
        let mut client = connect(&server.addr).await;
        all_articles(&mut client).await.len()
    });
    assert_eq!(articles, 5);
    assert!(server.terminate().success());
    let logs = server.log_text();
    assert!(logs.lines().count() > 5);
    assert!(!logs.contains(SECRET), "password logged:\n{logs}");
    assert!(!logs.contains(&with_password), "URL logged");
    // A database that cannot be reached: the error names the problem, not the URL.
    let down = std::process::Command::new(env!("CARGO_BIN_EXE_newscorpus"))
        .args([
            "migrate",
            "--database-url",
            &format!("postgres://newscorpus:{SECRET}@127.0.0.1:1/none"),
            "--db-timeout-secs",
            "2",
        ])
        .env("RUST_LOG", "debug")
        .output()
        .unwrap();
    assert!(!down.status.success());
    let said =
        String::from_utf8_lossy(&down.stderr).to_string() + &String::from_utf8_lossy(&down.stdout);
    assert!(!said.contains(SECRET), "{said}");
}

/// Replicas started together on an empty database migrate it once: the
/// advisory lock lets one apply each migration and the others find it done
/// (refinery's history has one row per version, no duplicate, no error).
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
#[cfg_attr(
    not(postgres_tests),
    ignore = "needs PostgreSQL: set NEWSCORPUS_TEST_DATABASE_URL (scripts/test.sh does)"
)]
async fn replicas_starting_together_migrate_once() {
    let base = base_url();
    let url = fresh_database(&base).await;
    let replicas = futures::future::join_all((0..4).map(|_| start_replica(&url, None))).await;
    let db = sql(&url).await;
    let rows = db
        .query(
            "SELECT version, count(*) FROM refinery_schema_history GROUP BY version ORDER BY version",
            &[],
        )
        .await
        .unwrap();
    let versions: Vec<(i32, i64)> = rows.iter().map(|r| (r.get(0), r.get(1))).collect();
    let migrations = std::fs::read_dir(concat!(env!("CARGO_MANIFEST_DIR"), "/migrations"))
        .unwrap()
        .count();
    assert_eq!(versions.len(), migrations, "{versions:?}");
    assert!(versions.iter().all(|&(_, n)| n == 1), "{versions:?}");
    for mut replica in replicas {
        let stats = replica
            .client
            .get_corpus_stats(pb::GetCorpusStatsRequest {})
            .await
            .unwrap()
            .into_inner();
        assert_eq!(stats.article_count, 0);
        replica.stop().await;
    }
}

/// Waits until every article in the database at `url` is projected.
async fn wait_projected(db: &tokio_postgres::Client, within: Duration) {
    let until = Instant::now() + within;
    loop {
        let pending: i64 = db
            .query_one("SELECT count(*) FROM articles WHERE NOT projected", &[])
            .await
            .unwrap()
            .get(0);
        if pending == 0 {
            return;
        }
        assert!(
            Instant::now() < until,
            "{pending} articles not projected within {within:?}"
        );
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
}

/// Read-your-writes through a load balancer: GetArticle of an id committed
/// by another writer, which this replica has not been told about (no
/// notification, the next poll up to a second away), catches up first
/// instead of answering NOT_FOUND.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
#[cfg_attr(
    not(postgres_tests),
    ignore = "needs PostgreSQL: set NEWSCORPUS_TEST_DATABASE_URL (scripts/test.sh does)"
)]
async fn get_article_catches_up_on_a_write_it_was_not_told_about() {
    let base = base_url();
    // The writer works on its own database; its log rows are then copied
    // into the reader's with plain SQL, which sends no notification.
    let (written, read) = (fresh_database(&base).await, fresh_database(&base).await);
    let mut writer = start_replica(&written, None).await;
    let mut reader = start_replica(&read, None).await;
    let (from, to) = (sql(&written).await, sql(&read).await);
    for n in 0..3 {
        let created = ingest(&mut writer.client, vec![story(100 + n)])
            .await
            .remove(0);
        assert_eq!(
            created.status,
            pb::IngestStatus::Created as i32,
            "{created:?}"
        );
        let row: String = from
            .query_one(
                "SELECT row_to_json(a)::text FROM articles a WHERE id = $1",
                &[&created.article_id],
            )
            .await
            .unwrap()
            .get(0);
        to.execute(
            "INSERT INTO articles (id, seq, source, url, title, subtitle, outlet, authors, \
             published, body, draft) SELECT id, seq, source, url, title, subtitle, outlet, \
             authors, published, body, draft FROM json_populate_record(NULL::articles, $1::text::json)",
            &[&row],
        )
        .await
        .unwrap();
        // At once, before any poll could have applied it.
        let got = reader
            .client
            .get_article(pb::GetArticleRequest {
                id: created.article_id.clone(),
                ..Default::default()
            })
            .await
            .unwrap_or_else(|s| panic!("article {n} not caught up: {s:?}"))
            .into_inner();
        assert_eq!(got.id, created.article_id);
    }
    for r in [writer, reader] {
        r.stop().await;
    }
}

/// A write whose connection is killed mid-transaction (here while it waits
/// for the writers' lock) is retried on a fresh connection: the client sees
/// CREATED, and the article is stored once.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
#[cfg_attr(
    not(postgres_tests),
    ignore = "needs PostgreSQL: set NEWSCORPUS_TEST_DATABASE_URL (scripts/test.sh does)"
)]
async fn a_write_that_loses_its_connection_is_retried() {
    // The writers' advisory lock ("newscorp"), as in src/store/postgres.rs.
    const WRITE_LOCK: i64 = 0x6e65_7773_636f_7270;
    let base = base_url();
    let url = fresh_database(&base).await;
    let mut replica = start_replica(&url, None).await;
    let db = sql(&url).await;
    db.execute("SELECT pg_advisory_lock($1)", &[&WRITE_LOCK])
        .await
        .unwrap();
    let mut client = replica.client.clone();
    let writing = tokio::spawn(async move { ingest(&mut client, vec![story(200)]).await });
    // Kill the replica's connection once it waits for the lock.
    let until = Instant::now() + Duration::from_secs(10);
    let killed = loop {
        let row = db
            .query_opt(
                "SELECT pg_terminate_backend(pid) FROM pg_locks \
                 WHERE locktype = 'advisory' AND NOT granted LIMIT 1",
                &[],
            )
            .await
            .unwrap();
        if let Some(row) = row {
            break row.get::<_, bool>(0);
        }
        assert!(
            Instant::now() < until,
            "the write never waited for the lock"
        );
        tokio::time::sleep(Duration::from_millis(20)).await;
    };
    assert!(killed, "could not terminate the writer's connection");
    db.execute("SELECT pg_advisory_unlock($1)", &[&WRITE_LOCK])
        .await
        .unwrap();
    let answer = tokio::time::timeout(Duration::from_secs(20), writing)
        .await
        .expect("the retried write never finished")
        .unwrap()
        .remove(0);
    assert_eq!(
        answer.status,
        pb::IngestStatus::Created as i32,
        "{answer:?}"
    );
    let stored: i64 = db
        .query_one("SELECT count(*) FROM articles", &[])
        .await
        .unwrap()
        .get(0);
    assert_eq!(stored, 1);
    let got = replica
        .client
        .get_article(pb::GetArticleRequest {
            id: answer.article_id.clone(),
            ..Default::default()
        })
        .await
        .expect("the retried article is served");
    assert_eq!(got.into_inner().id, answer.article_id);
    replica.stop().await;
}

/// Articles whose writer never projected them (it stopped first) are
/// projected by a replica's sweep, every 10 s: here a projected article is
/// made to look abandoned, and the sweep writes its rows back.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
#[cfg_attr(
    not(postgres_tests),
    ignore = "needs PostgreSQL: set NEWSCORPUS_TEST_DATABASE_URL (scripts/test.sh does)"
)]
async fn the_sweep_projects_what_no_projector_did() {
    let base = base_url();
    let url = fresh_database(&base).await;
    let mut replica = start_replica(&url, None).await;
    let created = ingest(&mut replica.client, vec![story(300)])
        .await
        .remove(0);
    assert_eq!(created.status, pb::IngestStatus::Created as i32);
    let db = sql(&url).await;
    wait_projected(&db, Duration::from_secs(30)).await;
    let rows = |table: &'static str| {
        let db = &db;
        let id = created.article_id.clone();
        async move {
            db.query_one(
                &format!("SELECT count(*) FROM {table} WHERE article_id = $1"),
                &[&id],
            )
            .await
            .unwrap()
            .get::<_, i64>(0)
        }
    };
    let (mentions, quotes) = (rows("mentions").await, rows("quotes").await);
    assert!(
        mentions > 0 && quotes > 0,
        "{mentions} mentions, {quotes} quotes"
    );
    // As if its writer had died before projecting it, a minute ago.
    for statement in [
        "DELETE FROM mentions WHERE article_id = $1",
        "DELETE FROM quotes WHERE article_id = $1",
        "UPDATE articles SET projected = false, ingested_at = now() - interval '1 minute' \
         WHERE id = $1",
    ] {
        db.execute(statement, &[&created.article_id]).await.unwrap();
    }
    let started = Instant::now();
    wait_projected(&db, Duration::from_secs(25)).await;
    eprintln!("swept after {:?}", started.elapsed());
    assert_eq!(rows("mentions").await, mentions);
    assert_eq!(rows("quotes").await, quotes);
    replica.stop().await;
}
