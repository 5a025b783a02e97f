//! Load generator for newscorpus, with a bare tonic echo service as the
//! yardstick.
//!
//! `loadgen run --target ADDR` drives a running newscorpus server with a
//! chosen RPC mix at several concurrencies over one or several HTTP/2
//! connections, and runs the identical load against a bare tonic echo
//! service (started as a child process, same machine, same settings) that
//! answers with payloads of the same size. Every figure is reported as a
//! ratio to the echo figure: absolute numbers on shared machines drift,
//! ratios measured in one run do not. See BENCHMARKS.md.

use std::future::Future;
use std::io::{BufRead, BufReader};
use std::path::PathBuf;
use std::process::{Child, Command, Stdio};
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::Arc;
use std::time::{Duration, Instant};

use clap::{Args, Parser, Subcommand};
use newscorpus::grpc::pb;
use newscorpus::grpc::pb::corpus_service_client::CorpusServiceClient;
use prost::Message;
use serde::Serialize;
use tokio_stream::StreamExt;
use tonic::transport::{Channel, Endpoint, Server};
use tonic::{Request, Response, Status};

#[allow(missing_docs, clippy::all)]
mod echo {
    tonic::include_proto!("newscorpus.bench.v1");
}
use echo::echo_service_client::EchoServiceClient;

#[derive(Parser)]
#[command(about = "Load generator for newscorpus, measured against a bare tonic echo service")]
struct Cli {
    #[command(subcommand)]
    command: Cmd,
}

#[derive(Subcommand)]
enum Cmd {
    /// Serve the bare echo service and print `listening ADDR` on stdout.
    EchoServer {
        /// Address to listen on.
        #[arg(long, default_value = "127.0.0.1:0")]
        addr: std::net::SocketAddr,
    },
    /// Run the load against a newscorpus server and the echo baseline.
    Run(RunArgs),
}

#[derive(Args, Clone)]
struct RunArgs {
    /// newscorpus server address (host:port, plaintext).
    #[arg(long, default_value = "127.0.0.1:50051")]
    target: String,
    /// Echo server address; by default one is started as a child process.
    #[arg(long)]
    echo: Option<String>,
    /// Seconds per unary/search measurement.
    #[arg(long, default_value_t = 5.0)]
    duration_secs: f64,
    /// Concurrency levels (in-flight requests).
    #[arg(long, value_delimiter = ',', default_value = "1,16,64")]
    concurrency: Vec<usize>,
    /// HTTP/2 connection counts.
    #[arg(long, value_delimiter = ',', default_value = "1,4")]
    connections: Vec<usize>,
    /// Scenarios to run: unary, stream, search, ingest.
    #[arg(
        long,
        value_delimiter = ',',
        default_value = "unary,stream,search,ingest"
    )]
    scenarios: Vec<String>,
    /// Concurrency for the search query mix.
    #[arg(long, default_value_t = 16)]
    search_concurrency: usize,
    /// Times each stream is read; the best run counts.
    #[arg(long, default_value_t = 3)]
    stream_repeats: usize,
    /// Articles sent through IngestArticles.
    #[arg(long, default_value_t = 2000)]
    ingest_count: u64,
    /// Parallel IngestArticles streams.
    #[arg(long, default_value_t = 4)]
    ingest_streams: usize,
    /// WatchArticles streams attached during ingest.
    #[arg(long, default_value_t = 2)]
    watchers: usize,
    /// Seed for generated ingest articles (default: from the clock, so a
    /// rerun ingests new articles rather than duplicates).
    #[arg(long)]
    ingest_seed: Option<u64>,
    /// Folder of real articles the ingest articles are recombined from.
    #[arg(long, default_value = "seeds")]
    from: PathBuf,
    /// Also write the results as JSON to this file.
    #[arg(long)]
    json: Option<PathBuf>,
}

/// One measured figure.
#[derive(Debug, Clone, Serialize, Default)]
struct Row {
    scenario: String,
    connections: usize,
    concurrency: usize,
    requests_per_s: f64,
    p50_ms: f64,
    p90_ms: f64,
    p99_ms: f64,
    errors: u64,
    items_per_s: f64,
    mb_per_s: f64,
    echo_requests_per_s: f64,
    echo_p99_ms: f64,
    echo_items_per_s: f64,
    ratio: f64,
    p99_ratio: f64,
    note: String,
}

#[derive(Default)]
struct Measured {
    requests: u64,
    errors: u64,
    elapsed: Duration,
    latencies_us: Vec<u32>,
}

impl Measured {
    fn rps(&self) -> f64 {
        self.requests as f64 / self.elapsed.as_secs_f64().max(1e-9)
    }

    fn percentile_ms(&self, p: f64) -> f64 {
        if self.latencies_us.is_empty() {
            return 0.0;
        }
        let mut sorted = self.latencies_us.clone();
        sorted.sort_unstable();
        let rank = ((p / 100.0) * (sorted.len() - 1) as f64).round() as usize;
        sorted[rank.min(sorted.len() - 1)] as f64 / 1000.0
    }
}

#[derive(Default)]
struct EchoService;

#[tonic::async_trait]
impl echo::echo_service_server::EchoService for EchoService {
    async fn echo(
        &self,
        request: Request<echo::EchoRequest>,
    ) -> Result<Response<echo::EchoResponse>, Status> {
        let size = request.into_inner().response_bytes.min(16 << 20) as usize;
        Ok(Response::new(echo::EchoResponse {
            payload: vec![b'x'; size],
        }))
    }

    type EchoStreamStream =
        tokio_stream::wrappers::ReceiverStream<Result<echo::EchoResponse, Status>>;

    async fn echo_stream(
        &self,
        request: Request<echo::EchoStreamRequest>,
    ) -> Result<Response<Self::EchoStreamStream>, Status> {
        let r = request.into_inner();
        // The same bounded-channel producer newscorpus uses, so the
        // comparison is of the work, not of the streaming plumbing.
        let (tx, rx) = tokio::sync::mpsc::channel(64);
        tokio::spawn(async move {
            let size = r.response_bytes.min(1 << 20) as usize;
            for _ in 0..r.count {
                let item = echo::EchoResponse {
                    payload: vec![b'x'; size],
                };
                if tx.send(Ok(item)).await.is_err() {
                    return;
                }
            }
        });
        Ok(Response::new(tokio_stream::wrappers::ReceiverStream::new(
            rx,
        )))
    }
}

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let cli = Cli::parse();
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()?;
    match cli.command {
        Cmd::EchoServer { addr } => runtime.block_on(echo_server(addr)),
        Cmd::Run(args) => runtime.block_on(run(args)),
    }
}

async fn echo_server(addr: std::net::SocketAddr) -> Result<(), Box<dyn std::error::Error>> {
    let listener = tokio::net::TcpListener::bind(addr).await?;
    println!("listening {}", listener.local_addr()?);
    use std::io::Write;
    std::io::stdout().flush()?;
    Server::builder()
        .tcp_nodelay(true)
        .http2_keepalive_interval(Some(Duration::from_secs(30)))
        .tcp_keepalive(Some(Duration::from_secs(60)))
        .add_service(echo::echo_service_server::EchoServiceServer::new(
            EchoService,
        ))
        .serve_with_incoming_shutdown(
            tokio_stream::wrappers::TcpListenerStream::new(listener),
            async {
                let _ = tokio::signal::ctrl_c().await;
            },
        )
        .await?;
    Ok(())
}

struct EchoChild(Child);

impl Drop for EchoChild {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

fn spawn_echo() -> Result<(EchoChild, String), Box<dyn std::error::Error>> {
    let mut child = Command::new(std::env::current_exe()?)
        .arg("echo-server")
        .stdout(Stdio::piped())
        .stderr(Stdio::inherit())
        .spawn()?;
    let stdout = child.stdout.take().ok_or("no stdout")?;
    let mut line = String::new();
    BufReader::new(stdout).read_line(&mut line)?;
    let addr = line
        .trim()
        .strip_prefix("listening ")
        .ok_or("echo server did not start")?
        .to_owned();
    Ok((EchoChild(child), addr))
}

async fn channels(addr: &str, count: usize) -> Result<Vec<Channel>, Box<dyn std::error::Error>> {
    let mut out = Vec::new();
    for _ in 0..count.max(1) {
        // One Endpoint::connect per channel: each is its own HTTP/2 connection.
        let channel = Endpoint::from_shared(format!("http://{addr}"))?
            .tcp_nodelay(true)
            .connect()
            .await?;
        out.push(channel);
    }
    Ok(out)
}

/// Runs `call` from `concurrency` workers spread over `channels` for
/// `duration`, recording every request's latency.
async fn closed_loop<F, Fut>(
    channels: &[Channel],
    concurrency: usize,
    duration: Duration,
    call: F,
) -> Measured
where
    F: Fn(Channel, u64) -> Fut + Clone + Send + Sync + 'static,
    Fut: Future<Output = Result<(), Status>> + Send,
{
    let started = Instant::now();
    let deadline = started + duration;
    let mut workers = Vec::new();
    for w in 0..concurrency.max(1) {
        let channel = channels[w % channels.len()].clone();
        let call = call.clone();
        workers.push(tokio::spawn(async move {
            let mut m = Measured::default();
            let mut n = w as u64 * 7919;
            while Instant::now() < deadline {
                let t0 = Instant::now();
                let ok = call(channel.clone(), n).await.is_ok();
                m.latencies_us
                    .push(t0.elapsed().as_micros().min(u32::MAX as u128) as u32);
                m.requests += 1;
                if !ok {
                    m.errors += 1;
                }
                n += 1;
            }
            m
        }));
    }
    let mut total = Measured::default();
    for w in workers {
        if let Ok(m) = w.await {
            total.requests += m.requests;
            total.errors += m.errors;
            total.latencies_us.extend(m.latencies_us);
        }
    }
    total.elapsed = started.elapsed();
    total
}

struct Samples {
    article_ids: Vec<String>,
    entity_ids: Vec<String>,
    article_response_bytes: u32,
    entity_response_bytes: u32,
}

async fn samples(channel: Channel) -> Result<Samples, Box<dyn std::error::Error>> {
    let mut client = CorpusServiceClient::new(channel);
    let mut article_ids = Vec::new();
    let mut stream = client
        .list_articles(pb::ListArticlesRequest {
            limit: 10_000,
            view: pb::ArticleView::Basic as i32,
            ..Default::default()
        })
        .await?
        .into_inner();
    while let Some(item) = stream.next().await {
        article_ids.push(item?.id);
    }
    let mut entity_ids = Vec::new();
    let mut stream = client
        .list_entities(pb::ListEntitiesRequest {
            limit: 10_000,
            ..Default::default()
        })
        .await?
        .into_inner();
    while let Some(item) = stream.next().await {
        entity_ids.push(item?.id);
    }
    if article_ids.is_empty() || entity_ids.is_empty() {
        return Err("the target serves no articles or entities".into());
    }
    let mut article_bytes = 0usize;
    for id in article_ids.iter().take(50) {
        let r = client
            .get_article(pb::GetArticleRequest {
                id: id.clone(),
                view: 0,
            })
            .await?
            .into_inner();
        article_bytes += r.encoded_len();
    }
    let mut entity_bytes = 0usize;
    for id in entity_ids.iter().take(50) {
        let r = client
            .get_entity(pb::GetEntityRequest {
                id: id.clone(),
                name: String::new(),
            })
            .await?
            .into_inner();
        entity_bytes += r.encoded_len();
    }
    Ok(Samples {
        article_response_bytes: (article_bytes / article_ids.len().min(50)) as u32,
        entity_response_bytes: (entity_bytes / entity_ids.len().min(50)) as u32,
        article_ids,
        entity_ids,
    })
}

fn row(
    scenario: &str,
    connections: usize,
    concurrency: usize,
    m: &Measured,
    echo: &Measured,
) -> Row {
    let p99 = m.percentile_ms(99.0);
    let echo_p99 = echo.percentile_ms(99.0);
    Row {
        scenario: scenario.into(),
        connections,
        concurrency,
        requests_per_s: m.rps(),
        p50_ms: m.percentile_ms(50.0),
        p90_ms: m.percentile_ms(90.0),
        p99_ms: p99,
        errors: m.errors,
        echo_requests_per_s: echo.rps(),
        echo_p99_ms: echo_p99,
        ratio: m.rps() / echo.rps().max(1e-9),
        p99_ratio: p99 / echo_p99.max(1e-6),
        ..Default::default()
    }
}

async fn unary(
    args: &RunArgs,
    echo_addr: &str,
    samples: &Arc<Samples>,
    rows: &mut Vec<Row>,
) -> Result<(), Box<dyn std::error::Error>> {
    let duration = Duration::from_secs_f64(args.duration_secs);
    for &conns in &args.connections {
        let target = channels(&args.target, conns).await?;
        let echo = channels(echo_addr, conns).await?;
        for &conc in &args.concurrency {
            let s = samples.clone();
            let m = closed_loop(&target, conc, duration, move |ch, n| {
                let id = s.article_ids[n as usize % s.article_ids.len()].clone();
                async move {
                    CorpusServiceClient::new(ch)
                        .get_article(pb::GetArticleRequest { id, view: 0 })
                        .await
                        .map(|_| ())
                }
            })
            .await;
            let size = samples.article_response_bytes;
            let e = closed_loop(&echo, conc, duration, move |ch, _| async move {
                EchoServiceClient::new(ch)
                    .echo(echo::EchoRequest {
                        response_bytes: size,
                        payload: vec![0; 24],
                    })
                    .await
                    .map(|_| ())
            })
            .await;
            print_row(rows, row("GetArticle", conns, conc, &m, &e));

            let s = samples.clone();
            let m = closed_loop(&target, conc, duration, move |ch, n| {
                let id = s.entity_ids[n as usize % s.entity_ids.len()].clone();
                async move {
                    CorpusServiceClient::new(ch)
                        .get_entity(pb::GetEntityRequest {
                            id,
                            name: String::new(),
                        })
                        .await
                        .map(|_| ())
                }
            })
            .await;
            let size = samples.entity_response_bytes;
            let e = closed_loop(&echo, conc, duration, move |ch, _| async move {
                EchoServiceClient::new(ch)
                    .echo(echo::EchoRequest {
                        response_bytes: size,
                        payload: vec![0; 24],
                    })
                    .await
                    .map(|_| ())
            })
            .await;
            print_row(rows, row("GetEntity", conns, conc, &m, &e));
        }
    }
    Ok(())
}

/// Reads a whole stream, returning (items, encoded bytes, elapsed).
async fn read_stream<T: Message>(
    mut stream: tonic::Streaming<T>,
) -> Result<(u64, u64, Duration), Status> {
    let started = Instant::now();
    let (mut items, mut bytes) = (0u64, 0u64);
    while let Some(item) = stream.next().await {
        bytes += item?.encoded_len() as u64;
        items += 1;
    }
    Ok((items, bytes, started.elapsed()))
}

async fn streaming(
    args: &RunArgs,
    echo_addr: &str,
    rows: &mut Vec<Row>,
) -> Result<(), Box<dyn std::error::Error>> {
    let target = channels(&args.target, 1).await?.remove(0);
    let echo = channels(echo_addr, 1).await?.remove(0);
    for rpc in ["ListMentions", "ListQuotes", "ListArticles"] {
        let mut best = (0u64, 0u64, Duration::MAX);
        for _ in 0..args.stream_repeats.max(1) {
            let mut client = CorpusServiceClient::new(target.clone());
            let run = match rpc {
                "ListMentions" => {
                    read_stream(
                        client
                            .list_mentions(pb::ListMentionsRequest::default())
                            .await?
                            .into_inner(),
                    )
                    .await?
                }
                "ListQuotes" => {
                    read_stream(
                        client
                            .list_quotes(pb::ListQuotesRequest::default())
                            .await?
                            .into_inner(),
                    )
                    .await?
                }
                _ => {
                    read_stream(
                        client
                            .list_articles(pb::ListArticlesRequest::default())
                            .await?
                            .into_inner(),
                    )
                    .await?
                }
            };
            if run.2 < best.2 {
                best = run;
            }
        }
        let (items, bytes, elapsed) = best;
        let item_bytes = (bytes / items.max(1)) as u32;
        let mut echo_best = Duration::MAX;
        for _ in 0..args.stream_repeats.max(1) {
            let stream = EchoServiceClient::new(echo.clone())
                .echo_stream(echo::EchoStreamRequest {
                    count: items,
                    response_bytes: item_bytes,
                })
                .await?
                .into_inner();
            echo_best = echo_best.min(read_stream(stream).await?.2);
        }
        let items_per_s = items as f64 / elapsed.as_secs_f64().max(1e-9);
        let echo_items_per_s = items as f64 / echo_best.as_secs_f64().max(1e-9);
        print_row(
            rows,
            Row {
                scenario: format!("{rpc} stream"),
                connections: 1,
                concurrency: 1,
                items_per_s,
                mb_per_s: bytes as f64 / 1e6 / elapsed.as_secs_f64().max(1e-9),
                echo_items_per_s,
                ratio: items_per_s / echo_items_per_s.max(1e-9),
                note: format!("{items} items, {item_bytes} B each"),
                ..Default::default()
            },
        );
    }
    Ok(())
}

/// A fixed query mix: single words, phrases, booleans, field and negation.
const QUERIES: &[&str] = &[
    "cooperation",
    "\"nuclear deal\"",
    "military AND training",
    "sanctions OR drills",
    "minister -defence",
    "title:cooperation",
    "\"strategic partnership\" AND security",
    "trade",
];

async fn search(args: &RunArgs, rows: &mut Vec<Row>) -> Result<(), Box<dyn std::error::Error>> {
    let target = channels(&args.target, 1).await?;
    let duration = Duration::from_secs_f64(args.duration_secs);
    for conc in [1, args.search_concurrency] {
        let m = closed_loop(&target, conc, duration, |ch, n| async move {
            let query = QUERIES[n as usize % QUERIES.len()].to_owned();
            let stream = CorpusServiceClient::new(ch)
                .search_articles(pb::SearchArticlesRequest {
                    query,
                    limit: 10,
                    ..Default::default()
                })
                .await?
                .into_inner();
            read_stream(stream).await.map(|_| ())
        })
        .await;
        let mut r = row(
            "SearchArticles top-10 mix",
            1,
            conc,
            &m,
            &Measured::default(),
        );
        r.ratio = 0.0;
        r.p99_ratio = 0.0;
        print_row(rows, r);
    }
    Ok(())
}

async fn ingest(args: &RunArgs, rows: &mut Vec<Row>) -> Result<(), Box<dyn std::error::Error>> {
    let generator = Arc::new(newscorpus::gen::Generator::from_path(&args.from)?);
    let seed = args.ingest_seed.unwrap_or_else(|| {
        std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .map(|d| d.as_nanos() as u64)
            .unwrap_or(1)
    });
    let target = channels(&args.target, args.ingest_streams.max(1)).await?;
    // Watchers from now on: they must see every ingested article.
    let delivered = Arc::new(AtomicU64::new(0));
    let mut watchers = Vec::new();
    for w in 0..args.watchers {
        let mut client = CorpusServiceClient::new(target[w % target.len()].clone());
        let mut stream = client
            .watch_articles(pb::WatchArticlesRequest {
                view: pb::ArticleView::Basic as i32,
                ..Default::default()
            })
            .await?
            .into_inner();
        let delivered = delivered.clone();
        watchers.push(tokio::spawn(async move {
            while let Some(Ok(_)) = stream.next().await {
                delivered.fetch_add(1, Ordering::Relaxed);
            }
        }));
    }
    let count = args.ingest_count;
    let streams = args.ingest_streams.max(1) as u64;
    // Articles are generated before the clock starts.
    let mut batches: Vec<Vec<pb::IngestArticlesRequest>> =
        (0..streams).map(|_| Vec::new()).collect();
    for n in 0..count {
        let a = generator.article(seed, n);
        batches[(n % streams) as usize].push(pb::IngestArticlesRequest {
            text: a.text,
            title: a.title,
            outlet: a.outlet,
            authors: a.authors,
            published: a.published,
            url: a.url,
            client_ref: n.to_string(),
        });
    }
    let started = Instant::now();
    let mut tasks = Vec::new();
    for (i, batch) in batches.into_iter().enumerate() {
        let mut client = CorpusServiceClient::new(target[i % target.len()].clone());
        tasks.push(tokio::spawn(async move {
            let mut responses = client
                .ingest_articles(tokio_stream::iter(batch))
                .await?
                .into_inner();
            let (mut created, mut failed) = (0u64, 0u64);
            while let Some(r) = responses.next().await {
                let r = r?;
                if r.status == pb::IngestStatus::Created as i32 {
                    created += 1;
                } else if r.status == pb::IngestStatus::Failed as i32 {
                    failed += 1;
                }
            }
            Ok::<_, Status>((created, failed))
        }));
    }
    let (mut created, mut failed) = (0u64, 0u64);
    for t in tasks {
        let (c, f) = t.await??;
        created += c;
        failed += f;
    }
    let elapsed = started.elapsed();
    let expected = created * args.watchers as u64;
    let wait_until = Instant::now() + Duration::from_secs(30);
    while delivered.load(Ordering::Relaxed) < expected && Instant::now() < wait_until {
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
    let delivered_after = started.elapsed();
    for w in watchers {
        w.abort();
    }
    let rate = created as f64 / elapsed.as_secs_f64().max(1e-9);
    print_row(
        rows,
        Row {
            scenario: "IngestArticles".into(),
            connections: target.len(),
            concurrency: streams as usize,
            requests_per_s: rate,
            errors: failed,
            items_per_s: rate,
            note: format!(
                "{created} created of {count}, {} watchers got {}/{} within {:.1}s",
                args.watchers,
                delivered.load(Ordering::Relaxed),
                expected,
                delivered_after.as_secs_f64()
            ),
            ..Default::default()
        },
    );
    Ok(())
}

fn print_row(rows: &mut Vec<Row>, r: Row) {
    if rows.is_empty() {
        println!(
            "{:<28} {:>5} {:>5} {:>10} {:>8} {:>8} {:>8} {:>6} {:>11} {:>11} {:>9} {:>7} {:>7}  note",
            "scenario", "conns", "conc", "req/s", "p50 ms", "p90 ms", "p99 ms", "errors", "items/s", "echo req/s", "echo p99", "ratio", "p99 x"
        );
    }
    println!(
        "{:<28} {:>5} {:>5} {:>10.0} {:>8.2} {:>8.2} {:>8.2} {:>6} {:>11.0} {:>11.0} {:>9.2} {:>7.2} {:>7.2}  {}",
        r.scenario,
        r.connections,
        r.concurrency,
        r.requests_per_s,
        r.p50_ms,
        r.p90_ms,
        r.p99_ms,
        r.errors,
        r.items_per_s,
        if r.echo_items_per_s > 0.0 { r.echo_items_per_s } else { r.echo_requests_per_s },
        r.echo_p99_ms,
        r.ratio,
        r.p99_ratio,
        r.note
    );
    rows.push(r);
}

async fn run(args: RunArgs) -> Result<(), Box<dyn std::error::Error>> {
    let (_child, echo_addr) = match &args.echo {
        Some(addr) => (None, addr.clone()),
        None => {
            let (child, addr) = spawn_echo()?;
            (Some(child), addr)
        }
    };
    let probe = channels(&args.target, 1).await?.remove(0);
    let samples = Arc::new(samples(probe).await?);
    eprintln!(
        "target {} serves >= {} articles, >= {} entities; echo at {echo_addr}",
        args.target,
        samples.article_ids.len(),
        samples.entity_ids.len()
    );
    let mut rows = Vec::new();
    let wants = |s: &str| args.scenarios.iter().any(|x| x == s);
    if wants("unary") {
        unary(&args, &echo_addr, &samples, &mut rows).await?;
    }
    if wants("stream") {
        streaming(&args, &echo_addr, &mut rows).await?;
    }
    if wants("search") {
        search(&args, &mut rows).await?;
    }
    if wants("ingest") {
        ingest(&args, &mut rows).await?;
    }
    if let Some(path) = &args.json {
        std::fs::write(path, serde_json::to_string_pretty(&rows)?)?;
    }
    let errors: u64 = rows.iter().map(|r| r.errors).sum();
    if errors > 0 {
        return Err(format!("{errors} requests failed").into());
    }
    Ok(())
}
