//! Test harness: a real server on 127.0.0.1:0 over the seed corpus, and a
//! generated client connected to it. `TEST_LOG=1` shows the server's logs.

use std::path::PathBuf;
use std::sync::Arc;
use std::time::Duration;

use newscorpus::app::{self, AppConfig, RunningApp};
use newscorpus::corpus::Limits;
use newscorpus::grpc::pb;
use newscorpus::grpc::pb::corpus_service_client::CorpusServiceClient;
use newscorpus::grpc::ServerOptions;
use newscorpus::store::memory::MemoryStore;
use tokio::net::TcpListener;
use tokio_stream::StreamExt;
use tonic::transport::Channel;
use tonic_health::pb::health_client::HealthClient;
use tonic_health::pb::HealthCheckRequest;

pub type Client = CorpusServiceClient<Channel>;

/// The real `newscorpus` binary, serving with JSON logs on a free port.
pub struct ServerProcess {
    pub child: std::process::Child,
    /// The address it logged on its `listening` line.
    pub addr: String,
    /// Every line it has written to stderr so far (JSON log lines).
    pub logs: Arc<std::sync::Mutex<Vec<String>>>,
}

impl ServerProcess {
    /// The log lines so far, parsed.
    pub fn log_lines(&self) -> Vec<serde_json::Value> {
        self.logs
            .lock()
            .unwrap()
            .iter()
            .filter_map(|l| serde_json::from_str(l).ok())
            .collect()
    }

    /// The log lines so far whose message is `message`.
    pub fn logged(&self, message: &str) -> Vec<serde_json::Value> {
        self.log_lines()
            .into_iter()
            .filter(|l| l["message"] == message)
            .collect()
    }

    /// Everything written to stderr so far, as one text.
    pub fn log_text(&self) -> String {
        self.logs.lock().unwrap().join("\n")
    }

    /// SIGTERM, then waits for the exit; the exit status.
    pub fn terminate(&mut self) -> std::process::ExitStatus {
        let _ = std::process::Command::new("kill")
            .args(["-TERM", &self.child.id().to_string()])
            .status();
        self.child.wait().expect("wait for the server")
    }
}

/// A server left running by a failing test would outlive the test run.
impl Drop for ServerProcess {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// Starts `newscorpus serve --addr 127.0.0.1:0 --log-format json ARGS…` and
/// waits (up to 60 s) until it has logged both `listening` and `ready`.
pub fn spawn_server(args: &[&std::ffi::OsStr]) -> ServerProcess {
    spawn_server_env(args, &[])
}

/// [`spawn_server`] with extra environment variables.
pub fn spawn_server_env(args: &[&std::ffi::OsStr], env: &[(&str, &str)]) -> ServerProcess {
    use std::io::{BufRead, BufReader};
    use std::process::{Command, Stdio};
    use std::time::Instant;
    let mut child = Command::new(env!("CARGO_BIN_EXE_newscorpus"))
        .args(["serve", "--addr", "127.0.0.1:0", "--log-format", "json"])
        .args(args)
        .env("RUST_LOG", "info")
        .envs(env.iter().copied())
        .stderr(Stdio::piped())
        .stdout(Stdio::null())
        .spawn()
        .expect("spawn server");
    let stderr = child.stderr.take().expect("stderr");
    let (tx, rx) = std::sync::mpsc::channel();
    let logs = Arc::new(std::sync::Mutex::new(Vec::new()));
    let kept = logs.clone();
    std::thread::spawn(move || {
        for line in BufReader::new(stderr).lines().map_while(Result::ok) {
            kept.lock().unwrap().push(line.clone());
            let _ = tx.send(line);
        }
    });
    let (mut addr, mut ready) = (None, false);
    let deadline = Instant::now() + Duration::from_secs(60);
    while Instant::now() < deadline && !(addr.is_some() && ready) {
        let Ok(line) = rx.recv_timeout(Duration::from_millis(200)) else {
            if let Ok(Some(status)) = child.try_wait() {
                panic!(
                    "server exited with {status}: {}",
                    logs.lock().unwrap().join("\n")
                );
            }
            continue;
        };
        let value: serde_json::Value = serde_json::from_str(&line).expect("json log line");
        match value["message"].as_str() {
            Some("listening") => addr = value["addr"].as_str().map(str::to_owned),
            Some("ready") => ready = true,
            _ => {}
        }
    }
    assert!(ready, "server logged ready");
    ServerProcess {
        child,
        addr: addr.expect("listening line with addr"),
        logs,
    }
}

/// A generated client on a new connection to `addr`.
pub async fn connect(addr: &str) -> Client {
    let channel = Channel::from_shared(format!("http://{addr}"))
        .expect("uri")
        .connect()
        .await
        .expect("connect");
    CorpusServiceClient::new(channel)
}

pub fn seeds_dir() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("seeds")
}

pub struct TestApp {
    pub client: Client,
    pub channel: Channel,
    pub store: Arc<MemoryStore>,
    pub running: RunningApp,
}

impl TestApp {
    pub fn health(&self) -> HealthClient<Channel> {
        HealthClient::new(self.channel.clone())
    }
}

fn init_logs() {
    if std::env::var_os("TEST_LOG").is_some() {
        newscorpus::telemetry::init(newscorpus::telemetry::LogFormat::Text);
    }
}

/// Starts a server over the seeds and waits until it is SERVING.
pub async fn spawn_app() -> TestApp {
    spawn_app_with(
        Some(seeds_dir()),
        ServerOptions::default(),
        Limits::default(),
    )
    .await
}

pub async fn spawn_app_with(
    corpus: Option<PathBuf>,
    server: ServerOptions,
    limits: Limits,
) -> TestApp {
    init_logs();
    let listener = TcpListener::bind("127.0.0.1:0").await.expect("bind");
    let store = Arc::new(MemoryStore::new().expect("store"));
    let config = AppConfig {
        database: None,
        data_dir: None,
        corpus,
        limits,
        server,
    };
    let running = app::start_with_store(config, listener, store.clone())
        .await
        .expect("start");
    let channel = Channel::from_shared(format!("http://{}", running.addr))
        .expect("uri")
        .connect()
        .await
        .expect("connect");
    let app = TestApp {
        client: CorpusServiceClient::new(channel.clone()),
        channel,
        store,
        running,
    };
    wait_serving(&app).await;
    app
}

pub async fn wait_serving(app: &TestApp) {
    wait_serving_on(&app.channel, "newscorpus.v1.CorpusService").await;
}

/// Polls health for `service` ("" for the whole server) over `channel`
/// until it reports SERVING.
pub async fn wait_serving_on(channel: &Channel, service: &str) {
    let mut health = HealthClient::new(channel.clone());
    for _ in 0..200 {
        let status = health
            .check(HealthCheckRequest {
                service: service.into(),
            })
            .await
            .map(|r| r.into_inner().status)
            .unwrap_or_default();
        if status == 1 {
            return;
        }
        tokio::time::sleep(Duration::from_millis(25)).await;
    }
    panic!("server never became SERVING");
}

/// Drains a server stream into a vector (bounded by a timeout).
pub async fn collect<T>(stream: tonic::Streaming<T>) -> Result<Vec<T>, tonic::Status> {
    tokio::time::timeout(Duration::from_secs(20), async move {
        let mut stream = stream;
        let mut items = Vec::new();
        while let Some(item) = stream.next().await {
            items.push(item?);
        }
        Ok(items)
    })
    .await
    .expect("stream did not finish in time")
}

/// GetCorpusStats, which must succeed (also: the server still serves).
pub async fn corpus_stats(client: &mut Client) -> pb::GetCorpusStatsResponse {
    client
        .get_corpus_stats(pb::GetCorpusStatsRequest {})
        .await
        .unwrap()
        .into_inner()
}

pub async fn all_articles(client: &mut Client) -> Vec<pb::Article> {
    let stream = client
        .list_articles(pb::ListArticlesRequest::default())
        .await
        .expect("list")
        .into_inner();
    collect(stream).await.expect("stream").into_iter().collect()
}

pub async fn all_entities(client: &mut Client) -> Vec<pb::Entity> {
    let stream = client
        .list_entities(pb::ListEntitiesRequest::default())
        .await
        .expect("list")
        .into_inner();
    collect(stream).await.expect("stream").into_iter().collect()
}

pub async fn all_quotes(client: &mut Client, request: pb::ListQuotesRequest) -> Vec<pb::Quote> {
    let stream = client
        .list_quotes(request)
        .await
        .expect("list")
        .into_inner();
    collect(stream).await.expect("stream").into_iter().collect()
}

/// Asserts an INVALID_ARGUMENT that names `field` in its BadRequest details.
pub fn assert_invalid(status: &tonic::Status, field: &str) {
    use tonic_types::StatusExt;
    assert_eq!(status.code(), tonic::Code::InvalidArgument, "{status:?}");
    let details = status.get_error_details();
    let bad = details.bad_request().expect("BadRequest details");
    assert!(
        bad.field_violations.iter().any(|v| v.field == field),
        "expected a violation on {field}, got {:?}",
        bad.field_violations
    );
}

/// `text[span]` in code points, as a Python client would slice.
pub fn slice(text: &str, span: &pb::Span) -> String {
    text.chars()
        .skip(span.start as usize)
        .take((span.end - span.start) as usize)
        .collect()
}

/// The deadline status as a tonic client sees it: DEADLINE_EXCEEDED from the
/// server, or tonic's own timer's CANCELLED "Timeout expired" when it fired first.
pub fn is_deadline(status: &tonic::Status) -> bool {
    status.code() == tonic::Code::DeadlineExceeded
        || (status.code() == tonic::Code::Cancelled && status.message() == "Timeout expired")
}

/// A GetEntity request by `id` when it is not empty, else by `name` when
/// that is not empty, else with neither.
pub fn entity_request(id: &str, name: &str) -> pb::GetEntityRequest {
    use pb::get_entity_request::Selector;
    pb::GetEntityRequest {
        selector: if !id.is_empty() {
            Some(Selector::Id(id.into()))
        } else if !name.is_empty() {
            Some(Selector::Name(name.into()))
        } else {
            None
        },
    }
}

/// One ingest item: text and a client reference.
pub fn ingest_item(text: &str, client_ref: &str) -> pb::IngestArticlesRequest {
    pb::IngestArticlesRequest {
        text: text.into(),
        client_ref: client_ref.into(),
        ..Default::default()
    }
}

/// Sends `items` in one IngestArticles stream and collects every answer.
pub async fn ingest(
    client: &mut Client,
    items: Vec<pb::IngestArticlesRequest>,
) -> Vec<pb::IngestArticlesResponse> {
    let stream = client
        .ingest_articles(tokio_stream::iter(items))
        .await
        .expect("ingest call")
        .into_inner();
    collect(stream).await.expect("ingest stream")
}
