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
//!
//! `loadgen soak --target ADDR` drives a bounded mix of every RPC (with
//! cancelled streams, bad requests and ingest of new, duplicate and bad
//! items) for a fixed time, counts outcomes by gRPC code against what each
//! request should get, reports latency percentiles per RPC, and fails if
//! anything unexpected happened. `scripts/soak.sh` runs it against a fresh
//! server and watches the server's memory.
//!
//! `loadgen analytics --target ADDR` times the corpus-analytics RPCs
//! (aggregations over the whole corpus, an entity and a query; the related
//! entities of the most mentioned entity; the first stories) at each
//! concurrency, with latency percentiles. `scripts/analytics_bench.sh` runs
//! it over a generated corpus.

use std::collections::{BTreeMap, HashMap};
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
    /// Soak a newscorpus server with a mix of every RPC; exit 1 on any
    /// unexpected outcome.
    Soak(SoakArgs),
    /// Time the corpus-analytics RPCs (issue #12's targets): latency
    /// percentiles of each at each concurrency, over one connection.
    Analytics(AnalyticsArgs),
}

#[derive(Args, Clone)]
struct AnalyticsArgs {
    /// newscorpus server address (host:port, plaintext).
    #[arg(long, default_value = "127.0.0.1:50051")]
    target: String,
    /// How long to run each RPC at each concurrency.
    #[arg(long, default_value_t = 5.0)]
    duration_secs: f64,
    /// Concurrent callers.
    #[arg(long, value_delimiter = ',', default_value = "1,16")]
    concurrency: Vec<usize>,
    /// Search query of the "with a query" aggregation.
    #[arg(long, default_value = "cooperation")]
    query: String,
    /// Write the figures as JSON here too.
    #[arg(long)]
    json: Option<PathBuf>,
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
    /// How GetArticle/GetEntity ids are drawn from the whole corpus:
    /// `uniform` (every id alike: mostly cold at scale) or `zipf` (a few
    /// hot ids, a long tail, as real traffic).
    #[arg(long, value_enum, default_value = "uniform")]
    id_distribution: IdDistribution,
    /// Exponent of the Zipf draw (1.0: the 10th id is asked a tenth as
    /// often as the first).
    #[arg(long, default_value_t = 1.0)]
    zipf_exponent: f64,
    /// Distinct search queries, built from the corpus's own titles: words,
    /// phrases, booleans, negations, `title:` and outlet/date filters.
    #[arg(long, default_value_t = 400)]
    search_queries: usize,
}

/// How ids are drawn for the unary load.
#[derive(Clone, Copy, Debug, PartialEq, clap::ValueEnum)]
enum IdDistribution {
    Uniform,
    Zipf,
}

/// Draws positions in `0..len` for request number `n`: uniform, or Zipf
/// over ranks that a fixed permutation spreads over the corpus (so the hot
/// ids are not simply the first ones).
#[derive(Clone, Copy, Debug)]
struct IdDraw {
    distribution: IdDistribution,
    exponent: f64,
}

impl IdDraw {
    fn pick(self, n: u64, len: usize) -> usize {
        if len <= 1 {
            return 0;
        }
        let u = (mix64(n) >> 11) as f64 / (1u64 << 53) as f64;
        let rank = match self.distribution {
            IdDistribution::Uniform => return ((u * len as f64) as usize).min(len - 1),
            IdDistribution::Zipf => zipf_rank(u, len, self.exponent),
        };
        // A fixed permutation of ranks: multiply by a stride coprime to len.
        let mut stride = 0x9E37_79B9_7F4A_7C15u64 % len as u64;
        while gcd(stride, len as u64) != 1 {
            stride += 1;
        }
        ((rank as u64).wrapping_mul(stride) % len as u64) as usize
    }
}

/// SplitMix64: a well-mixed 64-bit value from a counter.
fn mix64(n: u64) -> u64 {
    let mut z = n.wrapping_add(0x9E37_79B9_7F4A_7C15);
    z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
    z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
    z ^ (z >> 31)
}

fn gcd(a: u64, b: u64) -> u64 {
    if b == 0 {
        a
    } else {
        gcd(b, a % b)
    }
}

/// Rank (0-based) of a Zipf draw over `len` items from a uniform `u`, by
/// inverting the continuous power law (exact enough for load shaping).
fn zipf_rank(u: f64, len: usize, s: f64) -> usize {
    let n = len as f64;
    let x = if (s - 1.0).abs() < 1e-9 {
        (u * (n + 1.0).ln()).exp()
    } else {
        let a = 1.0 - s;
        ((u * ((n + 1.0).powf(a) - 1.0)) + 1.0).powf(1.0 / a)
    };
    ((x - 1.0).max(0.0) as usize).min(len - 1)
}

/// One search of the load: a query and, for some, a filter.
#[derive(Clone, Debug)]
struct SearchSpec {
    query: String,
    filter: Option<pb::ArticleFilter>,
}

/// Words too common to make a query worth measuring on their own.
const QUERY_STOPWORDS: &[&str] = &[
    "the", "and", "for", "with", "from", "that", "this", "after", "over", "into", "about", "says",
    "said", "will", "have", "been", "more", "than", "their", "they", "what", "when", "which",
    "amid",
];

/// `count` distinct queries made from the corpus's own titles (never from
/// a fixed list): single words across the frequency range, adjacent-word
/// phrases, AND / OR / negation, `title:`, prefixes, and outlet or date
/// filters taken from real articles. Deterministic for a corpus.
fn corpus_queries(articles: &[ArticleSample], count: usize) -> Vec<SearchSpec> {
    let mut freq: std::collections::HashMap<String, u32> = std::collections::HashMap::new();
    let mut phrases: Vec<String> = Vec::new();
    let titles = || {
        articles
            .iter()
            .map(|a| a.title.as_str())
            .filter(|t| !t.is_empty())
    };
    for title in titles() {
        let words: Vec<String> = title
            .split(|c: char| !c.is_alphanumeric())
            .filter(|w| w.len() >= 4 && w.chars().all(char::is_alphabetic))
            .map(str::to_lowercase)
            .filter(|w| !QUERY_STOPWORDS.contains(&w.as_str()))
            .collect();
        for w in &words {
            *freq.entry(w.clone()).or_default() += 1;
        }
        if phrases.len() < 20_000 {
            phrases.extend(words.windows(2).map(|p| format!("\"{} {}\"", p[0], p[1])));
        }
    }
    let mut words: Vec<(String, u32)> = freq.into_iter().collect();
    // Most frequent first, then by word: a stable order for a stable mix.
    words.sort_by(|a, b| b.1.cmp(&a.1).then_with(|| a.0.cmp(&b.0)));
    phrases.sort();
    phrases.dedup();
    if words.len() < 2 {
        return vec![SearchSpec {
            query: "*".into(),
            filter: None,
        }];
    }
    // Any word of the whole frequency range, common words as often as rare.
    let word = |n: u64| words[(mix64(n) % words.len() as u64) as usize].0.clone();
    let mut out: Vec<SearchSpec> = Vec::with_capacity(count);
    let mut seen = std::collections::HashSet::new();
    let mut n = 0u64;
    while out.len() < count && n < count as u64 * 20 {
        n += 1;
        let a = word(n * 7 + 1);
        let mut b = word(n * 7 + 2);
        let mut k = 0;
        while b == a && k < 8 {
            k += 1;
            b = word(n * 7 + 2 + k * 1_000_003);
        }
        let sample = &articles[(mix64(n * 7 + 3) % articles.len() as u64) as usize];
        let (query, filter) = match n % 10 {
            0..=2 => (a, None),
            3 if !phrases.is_empty() => (
                phrases[(mix64(n * 7 + 4) % phrases.len() as u64) as usize].clone(),
                None,
            ),
            4 => (format!("{a} AND {b}"), None),
            5 => (format!("{a} OR {b}"), None),
            6 => (format!("{a} -{b}"), None),
            7 => (format!("title:{a}"), None),
            8 => (format!("{}*", &a[..a.len().min(5)]), None),
            _ if !sample.outlet.is_empty() && n.is_multiple_of(2) => (
                a,
                Some(pb::ArticleFilter {
                    outlet: sample.outlet.clone(),
                    ..Default::default()
                }),
            ),
            _ if sample.published.len() >= 7 => (
                a,
                Some(pb::ArticleFilter {
                    published_from: format!("{}-01", &sample.published[..7]),
                    published_to: format!("{}-28", &sample.published[..7]),
                    ..Default::default()
                }),
            ),
            _ => (a, None),
        };
        if seen.insert((query.clone(), format!("{filter:?}"))) {
            out.push(SearchSpec { query, filter });
        }
    }
    out
}

/// One article as the load samples it.
struct ArticleSample {
    title: String,
    outlet: String,
    published: String,
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

/// The allocator newscorpus uses, so the echo baseline (and the client
/// decoding both) runs on equal terms.
#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let cli = Cli::parse();
    // Off unless asked for: transport diagnostics (e.g. RUST_LOG=h2=debug)
    // go to stderr so the report on stdout stays parseable.
    if std::env::var_os("RUST_LOG").is_some() {
        tracing_subscriber::fmt()
            .with_env_filter(tracing_subscriber::EnvFilter::from_default_env())
            .with_writer(std::io::stderr)
            .with_ansi(false)
            .init();
    }
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()?;
    match cli.command {
        Cmd::EchoServer { addr } => runtime.block_on(echo_server(addr)),
        Cmd::Run(args) => runtime.block_on(run(args)),
        Cmd::Soak(args) => runtime.block_on(soak(args)),
        Cmd::Analytics(args) => runtime.block_on(analytics(args)),
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
            tonic::transport::server::TcpIncoming::from(listener).with_nodelay(Some(true)),
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
            // h2 remembers only 50 streams this client reset (for 1 s). When
            // more are cancelled than that, DATA the server had already sent
            // for a forgotten one is answered with RST_STREAM(STREAM_CLOSED),
            // which h2 counts against a per-connection lifetime limit (1024)
            // and then kills the whole connection with ENHANCE_YOUR_CALM
            // ("h2 protocol error"). Remembering more cancelled streams keeps
            // late frames harmless; see README "Clients that cancel streams".
            .http2_max_concurrent_reset_streams(4096)
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
    /// Titles, outlets and dates of (up to 50,000 spread) articles, for the
    /// search queries.
    articles: Vec<ArticleSample>,
}

async fn samples(channel: Channel) -> Result<Samples, Box<dyn std::error::Error>> {
    let mut client = CorpusServiceClient::new(channel);
    // Every id of the corpus: the load draws across all of it, not from a
    // hot first slice that stays in cache.
    let mut article_ids = Vec::new();
    let mut all: Vec<ArticleSample> = Vec::new();
    let mut stream = client
        .list_articles(pb::ListArticlesRequest {
            view: pb::ArticleView::Basic as i32,
            ..Default::default()
        })
        .await?
        .into_inner();
    while let Some(item) = stream.next().await {
        let item = item?;
        article_ids.push(item.id);
        all.push(ArticleSample {
            title: item.title,
            outlet: item.outlet,
            published: item.published,
        });
    }
    let step = (all.len() / 50_000).max(1);
    let articles: Vec<ArticleSample> = all.into_iter().step_by(step).collect();
    let mut entity_ids = Vec::new();
    let mut stream = client
        .list_entities(pb::ListEntitiesRequest::default())
        .await?
        .into_inner();
    while let Some(item) = stream.next().await {
        entity_ids.push(item?.id);
    }
    if article_ids.is_empty() || entity_ids.is_empty() {
        return Err("the target serves no articles or entities".into());
    }
    let mut article_bytes = 0usize;
    // Size the echo payloads on the same spread of ids the load will ask
    // for, not on the first (largest) entries of the listings.
    for id in article_ids
        .iter()
        .step_by((article_ids.len() / 50).max(1))
        .take(50)
    {
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
    for id in entity_ids
        .iter()
        .step_by((entity_ids.len() / 50).max(1))
        .take(50)
    {
        let r = client
            .get_entity(pb::GetEntityRequest {
                selector: Some(pb::get_entity_request::Selector::Id(id.clone())),
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
        articles,
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
            let draw = IdDraw {
                distribution: args.id_distribution,
                exponent: args.zipf_exponent,
            };
            let m = closed_loop(&target, conc, duration, move |ch, n| {
                let id = s.article_ids[draw.pick(n, s.article_ids.len())].clone();
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
                let id = s.entity_ids[draw.pick(n ^ 0x5EED, s.entity_ids.len())].clone();
                async move {
                    CorpusServiceClient::new(ch)
                        .get_entity(pb::GetEntityRequest {
                            selector: Some(pb::get_entity_request::Selector::Id(id)),
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

async fn search(
    args: &RunArgs,
    samples: &Samples,
    rows: &mut Vec<Row>,
) -> Result<(), Box<dyn std::error::Error>> {
    let target = channels(&args.target, 1).await?;
    let duration = Duration::from_secs_f64(args.duration_secs);
    let specs = Arc::new(corpus_queries(&samples.articles, args.search_queries));
    eprintln!(
        "search mix: {} distinct queries from the corpus's titles, e.g. {:?}",
        specs.len(),
        specs.iter().take(6).map(|s| &s.query).collect::<Vec<_>>()
    );
    for conc in [1, args.search_concurrency] {
        let specs = specs.clone();
        let m = closed_loop(&target, conc, duration, move |ch, n| {
            let spec = specs[(mix64(n) % specs.len() as u64) as usize].clone();
            async move {
                let stream = CorpusServiceClient::new(ch)
                    .search_articles(pb::SearchArticlesRequest {
                        query: spec.query,
                        filter: spec.filter,
                        limit: 10,
                        ..Default::default()
                    })
                    .await?
                    .into_inner();
                read_stream(stream).await.map(|_| ())
            }
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
        "target {} serves >= {} articles, >= {} entities; echo at {echo_addr}; mean answer {} B (GetArticle), {} B (GetEntity)",
        args.target,
        samples.article_ids.len(),
        samples.entity_ids.len(),
        samples.article_response_bytes,
        samples.entity_response_bytes
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
        search(&args, &samples, &mut rows).await?;
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

// --- soak ----------------------------------------------------------------------------------

#[derive(Args, Clone)]
struct SoakArgs {
    /// newscorpus server address (host:port, plaintext).
    #[arg(long, default_value = "127.0.0.1:50051")]
    target: String,
    /// How long to run.
    #[arg(long, default_value_t = 180.0)]
    duration_secs: f64,
    /// Concurrent workers, each running one operation at a time.
    #[arg(long, default_value_t = 8)]
    concurrency: usize,
    /// HTTP/2 connections the workers share.
    #[arg(long, default_value_t = 2)]
    connections: usize,
    /// Folder of real articles the ingested articles are recombined from.
    #[arg(long, default_value = "seeds")]
    from: PathBuf,
    /// Seed for the generated articles.
    #[arg(long, default_value_t = 1)]
    seed: u64,
    /// Weight of IngestArticles in the mix (out of about 60); 0 soaks the
    /// read paths only.
    #[arg(long, default_value_t = 3)]
    ingest_weight: u64,
    /// Server process to sample the memory of (VmRSS) in progress lines.
    #[arg(long)]
    server_pid: Option<u32>,
    /// Seconds between progress lines.
    #[arg(long, default_value_t = 30.0)]
    report_every_secs: f64,
    /// Also write the summary as JSON to this file.
    #[arg(long)]
    json: Option<PathBuf>,
}

/// One kind of soak operation; the weights say how often each runs.
#[derive(Debug, Clone, Copy)]
enum SoakOp {
    GetArticle,
    GetArticleUnknown,
    ListArticles,
    ListArticlesCancelled,
    Search,
    SearchBadQuery,
    GetEntity,
    ListEntities,
    ListMentions,
    ListMentionsCancelled,
    ListQuotes,
    Stats,
    Ingest,
    WatchDropped,
    NegativeLimit,
}

const SOAK_MIX: &[(SoakOp, u64)] = &[
    (SoakOp::GetArticle, 12),
    (SoakOp::GetArticleUnknown, 2),
    (SoakOp::ListArticles, 4),
    (SoakOp::ListArticlesCancelled, 2),
    (SoakOp::Search, 10),
    (SoakOp::SearchBadQuery, 2),
    (SoakOp::GetEntity, 8),
    (SoakOp::ListEntities, 4),
    (SoakOp::ListMentions, 3),
    (SoakOp::ListMentionsCancelled, 2),
    (SoakOp::ListQuotes, 4),
    (SoakOp::Stats, 3),
    (SoakOp::Ingest, 3),
    (SoakOp::WatchDropped, 2),
    (SoakOp::NegativeLimit, 1),
];

/// Queries that must fail with INVALID_ARGUMENT.
const BAD_QUERIES: &[&str] = &["", "\"unbalanced", "((nuclear", "AND OR NOT", "foo:bar"];

/// The outcome the client saw: "OK", a gRPC code name, "CANCELLED(client)"
/// for a stream the client itself dropped, or an ingest item status.
type Label = String;

const CLIENT_CANCELLED: &str = "CANCELLED(client)";

fn code_name(code: tonic::Code) -> &'static str {
    use tonic::Code::*;
    match code {
        Ok => "OK",
        Cancelled => "CANCELLED",
        Unknown => "UNKNOWN",
        InvalidArgument => "INVALID_ARGUMENT",
        DeadlineExceeded => "DEADLINE_EXCEEDED",
        NotFound => "NOT_FOUND",
        AlreadyExists => "ALREADY_EXISTS",
        PermissionDenied => "PERMISSION_DENIED",
        ResourceExhausted => "RESOURCE_EXHAUSTED",
        FailedPrecondition => "FAILED_PRECONDITION",
        Aborted => "ABORTED",
        OutOfRange => "OUT_OF_RANGE",
        Unimplemented => "UNIMPLEMENTED",
        Internal => "INTERNAL",
        Unavailable => "UNAVAILABLE",
        DataLoss => "DATA_LOSS",
        Unauthenticated => "UNAUTHENTICATED",
    }
}

fn label<T>(result: &Result<T, Status>) -> Label {
    match result {
        Ok(_) => "OK".into(),
        Err(status) => code_name(status.code()).into(),
    }
}

#[derive(Default, Serialize)]
struct SoakTally {
    ops: u64,
    /// Calls per RPC and outcome.
    outcomes: BTreeMap<String, BTreeMap<Label, u64>>,
    /// Outcomes that were not what the request should get.
    unexpected: BTreeMap<String, BTreeMap<Label, u64>>,
    /// The first few unexpected statuses, in full.
    examples: Vec<String>,
    articles_created: u64,
    ingested_bytes: u64,
    #[serde(skip)]
    latencies_us: HashMap<&'static str, Vec<u32>>,
}

impl SoakTally {
    fn record(
        &mut self,
        rpc: &'static str,
        started: Instant,
        got: Label,
        expected: &[&str],
        detail: impl FnOnce() -> String,
    ) {
        self.latencies_us
            .entry(rpc)
            .or_default()
            .push(started.elapsed().as_micros().min(u32::MAX as u128) as u32);
        self.count(rpc, got, expected, detail);
    }

    fn count(&mut self, rpc: &str, got: Label, expected: &[&str], detail: impl FnOnce() -> String) {
        if !expected.contains(&got.as_str()) {
            *self
                .unexpected
                .entry(rpc.into())
                .or_default()
                .entry(got.clone())
                .or_default() += 1;
            if self.examples.len() < 20 {
                self.examples.push(format!(
                    "{rpc}: got {got}, expected {expected:?}: {}",
                    detail()
                ));
            }
        }
        *self
            .outcomes
            .entry(rpc.into())
            .or_default()
            .entry(got)
            .or_default() += 1;
    }

    fn merge(&mut self, other: SoakTally) {
        self.ops += other.ops;
        for (rpc, labels) in other.outcomes {
            let mine = self.outcomes.entry(rpc).or_default();
            for (l, n) in labels {
                *mine.entry(l).or_default() += n;
            }
        }
        for (rpc, labels) in other.unexpected {
            let mine = self.unexpected.entry(rpc).or_default();
            for (l, n) in labels {
                *mine.entry(l).or_default() += n;
            }
        }
        self.examples.extend(other.examples);
        self.examples.truncate(20);
        self.articles_created += other.articles_created;
        self.ingested_bytes += other.ingested_bytes;
        for (rpc, l) in other.latencies_us {
            self.latencies_us.entry(rpc).or_default().extend(l);
        }
    }

    fn unexpected_total(&self) -> u64 {
        self.unexpected.values().flat_map(|l| l.values()).sum()
    }
}

fn status_detail<T>(result: &Result<T, Status>) -> String {
    match result {
        Ok(_) => "ok".into(),
        Err(s) => format!("{:?} {}", s.code(), s.message()),
    }
}

/// Reads a stream to its end.
async fn drain<T>(mut stream: tonic::Streaming<T>) -> Result<u64, Status> {
    let mut items = 0;
    while let Some(item) = stream.next().await {
        item?;
        items += 1;
    }
    Ok(items)
}

/// Reads one item, then drops the stream (the client goes away mid-stream).
async fn read_one_then_drop<T>(stream: tonic::Streaming<T>) -> Result<(), Status> {
    let mut stream = stream;
    match tokio::time::timeout(Duration::from_secs(10), stream.next()).await {
        Ok(Some(Ok(_))) | Ok(None) => Ok(()),
        Ok(Some(Err(status))) => Err(status),
        Err(_) => Err(Status::deadline_exceeded("no first item within 10 s")),
    }
}

struct SoakContext {
    samples: Samples,
    queries: Vec<SearchSpec>,
    generator: newscorpus::gen::Generator,
    seed: u64,
}

/// A bad ingest item and the code its failure must carry.
fn bad_item(n: u64) -> (pb::IngestArticlesRequest, &'static str) {
    let bad = |text: String| pb::IngestArticlesRequest {
        text,
        client_ref: format!("bad-{n}"),
        ..Default::default()
    };
    match n % 10 {
        0 => (
            // Over the default 2 MiB article limit.
            bad("x".repeat(2 * 1024 * 1024 + 1)),
            "FAILED/RESOURCE_EXHAUSTED",
        ),
        1 | 4 | 7 => (bad(String::new()), "FAILED/INVALID_ARGUMENT"),
        2 | 5 | 8 => (
            bad("Some text\0with a NUL in it.".into()),
            "FAILED/INVALID_ARGUMENT",
        ),
        3 => (
            pb::IngestArticlesRequest {
                published: "not-a-date".into(),
                ..bad("A short article body.".into())
            },
            "FAILED/INVALID_ARGUMENT",
        ),
        _ => (
            pb::IngestArticlesRequest {
                url: "u".repeat(600),
                ..bad("A short article body.".into())
            },
            "FAILED/INVALID_ARGUMENT",
        ),
    }
}

fn item_label(r: &pb::IngestArticlesResponse) -> Label {
    match pb::IngestStatus::try_from(r.status) {
        Ok(pb::IngestStatus::Created) => "CREATED".into(),
        Ok(pb::IngestStatus::Duplicate) => "DUPLICATE".into(),
        Ok(pb::IngestStatus::Failed) => format!(
            "FAILED/{}",
            r.error
                .as_ref()
                .map(|e| code_name(tonic::Code::from_i32(e.code)))
                .unwrap_or("?")
        ),
        _ => format!("STATUS/{}", r.status),
    }
}

/// One soak operation; every outcome goes into `tally`.
async fn soak_op(
    op: SoakOp,
    n: u64,
    worker: usize,
    channel: Channel,
    ctx: &SoakContext,
    tally: &mut SoakTally,
) {
    let mut client = CorpusServiceClient::new(channel);
    let s = &ctx.samples;
    let article_id = s.article_ids[n as usize % s.article_ids.len()].clone();
    let entity_id = s.entity_ids[n as usize % s.entity_ids.len()].clone();
    let t0 = Instant::now();
    match op {
        SoakOp::GetArticle => {
            let r = client
                .get_article(pb::GetArticleRequest {
                    id: article_id,
                    view: (n % 3) as i32,
                })
                .await;
            tally.record("GetArticle", t0, label(&r), &["OK"], || status_detail(&r));
        }
        SoakOp::GetArticleUnknown => {
            let r = client
                .get_article(pb::GetArticleRequest {
                    id: format!("{n:016x}"),
                    view: 0,
                })
                .await;
            tally.record("GetArticle(unknown)", t0, label(&r), &["NOT_FOUND"], || {
                status_detail(&r)
            });
        }
        SoakOp::ListArticles => {
            let r = match client
                .list_articles(pb::ListArticlesRequest {
                    limit: 50,
                    view: pb::ArticleView::Basic as i32,
                    ..Default::default()
                })
                .await
            {
                Ok(s) => drain(s.into_inner()).await,
                Err(e) => Err(e),
            };
            tally.record("ListArticles", t0, label(&r), &["OK"], || status_detail(&r));
        }
        SoakOp::ListArticlesCancelled => {
            let r = match client
                .list_articles(pb::ListArticlesRequest::default())
                .await
            {
                Ok(s) => read_one_then_drop(s.into_inner()).await,
                Err(e) => Err(e),
            };
            let got = if r.is_ok() {
                CLIENT_CANCELLED.into()
            } else {
                label(&r)
            };
            tally.record(
                "ListArticles(cancelled)",
                t0,
                got,
                &[CLIENT_CANCELLED],
                || status_detail(&r),
            );
        }
        SoakOp::Search => {
            let r = match client
                .search_articles({
                    let spec = &ctx.queries[n as usize % ctx.queries.len()];
                    pb::SearchArticlesRequest {
                        query: spec.query.clone(),
                        filter: spec.filter.clone(),
                        limit: 10,
                        max_snippets: 2,
                        ..Default::default()
                    }
                })
                .await
            {
                Ok(s) => drain(s.into_inner()).await,
                Err(e) => Err(e),
            };
            tally.record("SearchArticles", t0, label(&r), &["OK"], || {
                status_detail(&r)
            });
        }
        SoakOp::SearchBadQuery => {
            let r = match client
                .search_articles(pb::SearchArticlesRequest {
                    query: BAD_QUERIES[n as usize % BAD_QUERIES.len()].into(),
                    ..Default::default()
                })
                .await
            {
                Ok(s) => drain(s.into_inner()).await,
                Err(e) => Err(e),
            };
            tally.record(
                "SearchArticles(bad query)",
                t0,
                label(&r),
                &["INVALID_ARGUMENT"],
                || status_detail(&r),
            );
        }
        SoakOp::GetEntity => {
            let r = client
                .get_entity(pb::GetEntityRequest {
                    selector: Some(pb::get_entity_request::Selector::Id(entity_id)),
                })
                .await;
            tally.record("GetEntity", t0, label(&r), &["OK"], || status_detail(&r));
        }
        SoakOp::ListEntities => {
            let r = match client
                .list_entities(pb::ListEntitiesRequest {
                    limit: 100,
                    r#type: (n % 4) as i32,
                    ..Default::default()
                })
                .await
            {
                Ok(s) => drain(s.into_inner()).await,
                Err(e) => Err(e),
            };
            tally.record("ListEntities", t0, label(&r), &["OK"], || status_detail(&r));
        }
        SoakOp::ListMentions => {
            let r = match client
                .list_mentions(pb::ListMentionsRequest {
                    entity_id,
                    limit: 200,
                    ..Default::default()
                })
                .await
            {
                Ok(s) => drain(s.into_inner()).await,
                Err(e) => Err(e),
            };
            tally.record("ListMentions", t0, label(&r), &["OK"], || status_detail(&r));
        }
        SoakOp::ListMentionsCancelled => {
            let r = match client
                .list_mentions(pb::ListMentionsRequest::default())
                .await
            {
                Ok(s) => read_one_then_drop(s.into_inner()).await,
                Err(e) => Err(e),
            };
            let got = if r.is_ok() {
                CLIENT_CANCELLED.into()
            } else {
                label(&r)
            };
            tally.record(
                "ListMentions(cancelled)",
                t0,
                got,
                &[CLIENT_CANCELLED],
                || status_detail(&r),
            );
        }
        SoakOp::ListQuotes => {
            let r = match client
                .list_quotes(pb::ListQuotesRequest {
                    limit: 100,
                    kind: (n % 2) as i32,
                    ..Default::default()
                })
                .await
            {
                Ok(s) => drain(s.into_inner()).await,
                Err(e) => Err(e),
            };
            tally.record("ListQuotes", t0, label(&r), &["OK"], || status_detail(&r));
        }
        SoakOp::Stats => {
            let r = client.get_corpus_stats(pb::GetCorpusStatsRequest {}).await;
            tally.record("GetCorpusStats", t0, label(&r), &["OK"], || {
                status_detail(&r)
            });
        }
        SoakOp::NegativeLimit => {
            let r = client
                .list_quotes(pb::ListQuotesRequest {
                    limit: -1,
                    ..Default::default()
                })
                .await
                .map(|_| ());
            tally.record(
                "ListQuotes(negative limit)",
                t0,
                label(&r),
                &["INVALID_ARGUMENT"],
                || status_detail(&r),
            );
        }
        SoakOp::WatchDropped => {
            let r = match client
                .watch_articles(pb::WatchArticlesRequest {
                    from_start: true,
                    view: pb::ArticleView::Basic as i32,
                    ..Default::default()
                })
                .await
            {
                Ok(s) => read_one_then_drop(s.into_inner()).await,
                Err(e) => Err(e),
            };
            let got = if r.is_ok() {
                CLIENT_CANCELLED.into()
            } else {
                label(&r)
            };
            tally.record(
                "WatchArticles(dropped)",
                t0,
                got,
                &[CLIENT_CANCELLED],
                || status_detail(&r),
            );
        }
        SoakOp::Ingest => {
            // A new article, the same again (a duplicate), and a bad item.
            let unique = (worker as u64) << 40 | n;
            let a = ctx.generator.article(ctx.seed, unique);
            let new = pb::IngestArticlesRequest {
                text: a.text,
                title: a.title,
                outlet: a.outlet,
                authors: a.authors,
                published: a.published,
                url: a.url,
                client_ref: format!("new-{unique}"),
            };
            let text_bytes = new.text.len() as u64;
            let duplicate = pb::IngestArticlesRequest {
                client_ref: format!("dup-{unique}"),
                ..new.clone()
            };
            let (bad, bad_expected) = bad_item(n / 7);
            let r = match client
                .ingest_articles(tokio_stream::iter(vec![new, duplicate, bad]))
                .await
            {
                Ok(s) => {
                    let mut stream = s.into_inner();
                    let mut responses = Vec::new();
                    loop {
                        match stream.next().await {
                            Some(Ok(item)) => responses.push(item),
                            Some(Err(status)) => break Err(status),
                            None => break Ok(responses),
                        }
                    }
                }
                Err(e) => Err(e),
            };
            let ok = r.as_ref().map(|v| v.len() == 3).unwrap_or(false);
            let got = if r.is_ok() && !ok {
                "OK(short)".into()
            } else {
                label(&r)
            };
            tally.record("IngestArticles", t0, got, &["OK"], || status_detail(&r));
            if let Ok(responses) = r {
                for item in &responses {
                    let got = item_label(item);
                    let (rpc, expected): (&str, &[&str]) = match item.client_ref.split('-').next() {
                        // A generated article may repeat an earlier one.
                        Some("new") => ("ingest item: new", &["CREATED", "DUPLICATE"]),
                        Some("dup") => ("ingest item: duplicate", &["DUPLICATE"]),
                        _ => ("ingest item: bad", &[bad_expected]),
                    };
                    if rpc == "ingest item: new" && got == "CREATED" {
                        tally.articles_created += 1;
                        tally.ingested_bytes += text_bytes;
                    }
                    tally.count(rpc, got, expected, || format!("{item:?}"));
                }
            }
        }
    }
    tally.ops += 1;
}

fn pick_op(n: u64, ingest_weight: u64) -> SoakOp {
    let weight_of = |op: SoakOp, weight: u64| match op {
        SoakOp::Ingest => ingest_weight,
        _ => weight,
    };
    let total: u64 = SOAK_MIX.iter().map(|&(op, w)| weight_of(op, w)).sum();
    let mut at = n % total;
    for &(op, weight) in SOAK_MIX {
        let weight = weight_of(op, weight);
        if at < weight {
            return op;
        }
        at -= weight;
    }
    SOAK_MIX[0].0
}

fn rss_of(pid: u32) -> Option<u64> {
    let status = std::fs::read_to_string(format!("/proc/{pid}/status")).ok()?;
    status
        .lines()
        .find_map(|l| l.strip_prefix("VmRSS:"))
        .and_then(|v| v.trim().trim_end_matches("kB").trim().parse::<u64>().ok())
        .map(|kb| kb * 1024)
}

fn percentile_ms(sorted: &[u32], p: f64) -> f64 {
    if sorted.is_empty() {
        return 0.0;
    }
    let rank = ((p / 100.0) * (sorted.len() - 1) as f64).round() as usize;
    sorted[rank.min(sorted.len() - 1)] as f64 / 1000.0
}

async fn soak(args: SoakArgs) -> Result<(), Box<dyn std::error::Error>> {
    let target = channels(&args.target, args.connections.max(1)).await?;
    let samples = samples(target[0].clone()).await?;
    let mut client = CorpusServiceClient::new(target[0].clone());
    let start_stats = client
        .get_corpus_stats(pb::GetCorpusStatsRequest {})
        .await?
        .into_inner();
    let ctx = Arc::new(SoakContext {
        queries: corpus_queries(&samples.articles, 200),
        samples,
        generator: newscorpus::gen::Generator::from_path(&args.from)?,
        seed: args.seed,
    });
    let duration = Duration::from_secs_f64(args.duration_secs);
    eprintln!(
        "soak: {} workers over {} connections for {:.0} s against {} ({} articles at start)",
        args.concurrency,
        target.len(),
        duration.as_secs_f64(),
        args.target,
        start_stats.article_count
    );
    let started = Instant::now();
    let deadline = started + duration;
    let ops_done = Arc::new(AtomicU64::new(0));
    let unexpected_so_far = Arc::new(AtomicU64::new(0));
    let mut workers = Vec::new();
    let ingest_weight = args.ingest_weight;
    for w in 0..args.concurrency.max(1) {
        let channel = target[w % target.len()].clone();
        let ctx = ctx.clone();
        let ops_done = ops_done.clone();
        let unexpected_so_far = unexpected_so_far.clone();
        workers.push(tokio::spawn(async move {
            let mut tally = SoakTally::default();
            let mut n = w as u64 * 7_919;
            while Instant::now() < deadline {
                let before = tally.unexpected_total();
                soak_op(
                    pick_op(n, ingest_weight),
                    n,
                    w,
                    channel.clone(),
                    &ctx,
                    &mut tally,
                )
                .await;
                ops_done.fetch_add(1, Ordering::Relaxed);
                unexpected_so_far.fetch_add(tally.unexpected_total() - before, Ordering::Relaxed);
                n += 1;
            }
            tally
        }));
    }
    let progress = {
        let ops_done = ops_done.clone();
        let unexpected_so_far = unexpected_so_far.clone();
        let every = Duration::from_secs_f64(args.report_every_secs.max(1.0));
        let pid = args.server_pid;
        tokio::spawn(async move {
            loop {
                tokio::time::sleep(every).await;
                let rss = pid
                    .and_then(rss_of)
                    .map(|b| format!(", server RSS {:.1} MB", b as f64 / 1e6))
                    .unwrap_or_default();
                eprintln!(
                    "soak: {:>4.0} s, {} ops, {} unexpected{rss}",
                    started.elapsed().as_secs_f64(),
                    ops_done.load(Ordering::Relaxed),
                    unexpected_so_far.load(Ordering::Relaxed)
                );
            }
        })
    };
    let mut tally = SoakTally::default();
    for w in workers {
        tally.merge(w.await?);
    }
    progress.abort();
    let elapsed = started.elapsed();

    // Afterwards: still SERVING, and every created article is stored once.
    let mut health = tonic_health::pb::health_client::HealthClient::new(target[0].clone());
    let serving = health
        .check(tonic_health::pb::HealthCheckRequest {
            service: newscorpus::grpc::SERVICE_NAME.into(),
        })
        .await
        .map(|r| r.into_inner().status);
    let serving_label = match &serving {
        Ok(1) => "SERVING".to_owned(),
        Ok(other) => format!("status {other}"),
        Err(status) => code_name(status.code()).to_owned(),
    };
    tally.count("health after soak", serving_label, &["SERVING"], || {
        format!("{serving:?}")
    });
    let end_stats = client
        .get_corpus_stats(pb::GetCorpusStatsRequest {})
        .await?
        .into_inner();
    let grown = end_stats.article_count - start_stats.article_count;
    let created = tally.articles_created;
    let consistent = if grown == created {
        "EQUAL"
    } else {
        "DIFFERENT"
    };
    tally.count(
        "articles stored vs created",
        consistent.into(),
        &["EQUAL"],
        || {
            format!(
                "{} articles at start, {} at end, {} reported created",
                start_stats.article_count, end_stats.article_count, created
            )
        },
    );

    println!(
        "\nsoak: {} ops in {:.0} s ({:.0} ops/s), {} workers, {} connections",
        tally.ops,
        elapsed.as_secs_f64(),
        tally.ops as f64 / elapsed.as_secs_f64().max(1e-9),
        args.concurrency,
        target.len()
    );
    println!(
        "\n{:<28} {:>8} {:>8} {:>8} {:>8} {:>8}  outcomes",
        "rpc", "calls", "p50 ms", "p90 ms", "p99 ms", "max ms"
    );
    let mut latency_rows = BTreeMap::new();
    for (rpc, labels) in &tally.outcomes {
        let mut sorted = tally
            .latencies_us
            .get(rpc.as_str())
            .cloned()
            .unwrap_or_default();
        sorted.sort_unstable();
        let calls: u64 = labels.values().sum();
        let outcomes = labels
            .iter()
            .map(|(l, n)| format!("{l} {n}"))
            .collect::<Vec<_>>()
            .join(", ");
        let (p50, p90, p99, max) = (
            percentile_ms(&sorted, 50.0),
            percentile_ms(&sorted, 90.0),
            percentile_ms(&sorted, 99.0),
            sorted.last().map_or(0.0, |&m| m as f64 / 1000.0),
        );
        if sorted.is_empty() {
            println!(
                "{rpc:<28} {calls:>8} {:>8} {:>8} {:>8} {:>8}  {outcomes}",
                "", "", "", ""
            );
        } else {
            println!(
                "{rpc:<28} {calls:>8} {p50:>8.2} {p90:>8.2} {p99:>8.2} {max:>8.2}  {outcomes}"
            );
            latency_rows.insert(rpc.clone(), [p50, p90, p99, max]);
        }
    }
    let mut by_code: BTreeMap<&str, u64> = BTreeMap::new();
    for labels in tally.outcomes.values() {
        for (l, n) in labels {
            *by_code.entry(l.as_str()).or_default() += n;
        }
    }
    println!(
        "\noutcomes by code: {}",
        by_code
            .iter()
            .map(|(l, n)| format!("{l} {n}"))
            .collect::<Vec<_>>()
            .join(", ")
    );
    let unexpected = tally.unexpected_total();
    if unexpected > 0 {
        println!("\nUNEXPECTED outcomes ({unexpected}):");
        for (rpc, labels) in &tally.unexpected {
            for (l, n) in labels {
                println!("  {rpc}: {l} x{n}");
            }
        }
        for e in &tally.examples {
            println!("  e.g. {e}");
        }
    }
    // One line for scripts.
    println!(
        "SOAK ops={} unexpected={unexpected} created={} ingested_bytes={} articles_start={} articles_end={}",
        tally.ops,
        tally.articles_created,
        tally.ingested_bytes,
        start_stats.article_count,
        end_stats.article_count
    );
    if let Some(path) = &args.json {
        let mut value = serde_json::to_value(&tally)?;
        value["elapsed_s"] = serde_json::json!(elapsed.as_secs_f64());
        value["latency_ms_p50_p90_p99_max"] = serde_json::to_value(&latency_rows)?;
        std::fs::write(path, serde_json::to_string_pretty(&value)?)?;
    }
    if unexpected > 0 {
        return Err(format!("{unexpected} unexpected outcomes").into());
    }
    Ok(())
}

/// One analytics RPC as the benchmark calls it.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum AnalyticsCall {
    AggregateWhole,
    AggregateEntity,
    AggregateQuery,
    Related,
    Stories,
}

impl AnalyticsCall {
    const ALL: [AnalyticsCall; 5] = [
        AnalyticsCall::AggregateWhole,
        AnalyticsCall::AggregateEntity,
        AnalyticsCall::AggregateQuery,
        AnalyticsCall::Related,
        AnalyticsCall::Stories,
    ];

    fn name(self) -> &'static str {
        match self {
            AnalyticsCall::AggregateWhole => {
                "AggregateArticles, whole corpus (month histogram + top 10 outlets + top 10 entities)"
            }
            AnalyticsCall::AggregateEntity => {
                "AggregateArticles, most mentioned entity (month histogram + top 10 outlets)"
            }
            AnalyticsCall::AggregateQuery => "AggregateArticles, a query (month histogram + top 10 outlets)",
            AnalyticsCall::Related => "ListRelatedEntities, most mentioned entity, first 100",
            AnalyticsCall::Stories => "ListStories, first 100",
        }
    }
}

#[derive(Serialize)]
struct AnalyticsRow {
    rpc: &'static str,
    concurrency: usize,
    requests: u64,
    errors: u64,
    p50_ms: f64,
    p99_ms: f64,
    max_ms: f64,
}

async fn analytics_call(
    channel: Channel,
    call: AnalyticsCall,
    top: &str,
    query: &str,
) -> Result<(), Status> {
    let mut client = CorpusServiceClient::new(channel);
    let facet = |kind: pb::FacetKind| pb::Facet {
        kind: kind as i32,
        interval: if kind == pb::FacetKind::DateHistogram {
            pb::DateInterval::Month as i32
        } else {
            0
        },
        size: 10,
        ..Default::default()
    };
    let histogram_and_outlets = vec![
        facet(pb::FacetKind::DateHistogram),
        facet(pb::FacetKind::Outlet),
    ];
    match call {
        AnalyticsCall::AggregateWhole => {
            let mut facets = histogram_and_outlets;
            facets.push(facet(pb::FacetKind::Entity));
            client
                .aggregate_articles(pb::AggregateArticlesRequest {
                    facets,
                    ..Default::default()
                })
                .await?;
        }
        AnalyticsCall::AggregateEntity => {
            client
                .aggregate_articles(pb::AggregateArticlesRequest {
                    filter: Some(pb::ArticleFilter {
                        entity_id: top.to_owned(),
                        ..Default::default()
                    }),
                    facets: histogram_and_outlets,
                    ..Default::default()
                })
                .await?;
        }
        AnalyticsCall::AggregateQuery => {
            client
                .aggregate_articles(pb::AggregateArticlesRequest {
                    query: query.to_owned(),
                    facets: histogram_and_outlets,
                    ..Default::default()
                })
                .await?;
        }
        AnalyticsCall::Related => {
            let mut stream = client
                .list_related_entities(pb::ListRelatedEntitiesRequest {
                    entity: top.to_owned(),
                    limit: 100,
                    ..Default::default()
                })
                .await?
                .into_inner();
            while stream.next().await.transpose()?.is_some() {}
        }
        AnalyticsCall::Stories => {
            let mut stream = client
                .list_stories(pb::ListStoriesRequest {
                    limit: 100,
                    ..Default::default()
                })
                .await?
                .into_inner();
            while stream.next().await.transpose()?.is_some() {}
        }
    }
    Ok(())
}

async fn analytics(args: AnalyticsArgs) -> Result<(), Box<dyn std::error::Error>> {
    let channel = channels(&args.target, 1).await?;
    let mut client = CorpusServiceClient::new(channel[0].clone());
    // ListEntities lists the most mentioned first.
    let top = client
        .list_entities(pb::ListEntitiesRequest {
            limit: 1,
            ..Default::default()
        })
        .await?
        .into_inner()
        .next()
        .await
        .transpose()?
        .ok_or("the corpus has no entities")?;
    println!(
        "most mentioned entity: {} ({} articles)",
        top.id, top.article_count
    );
    let duration = Duration::from_secs_f64(args.duration_secs);
    let mut rows = Vec::new();
    for call in AnalyticsCall::ALL {
        // One warm-up call: the first may fill caches the rest then use;
        // its time is printed apart.
        let t0 = Instant::now();
        analytics_call(channel[0].clone(), call, &top.id, &args.query).await?;
        println!(
            "{}\n  first call: {:.1} ms",
            call.name(),
            t0.elapsed().as_secs_f64() * 1e3
        );
        for &concurrency in &args.concurrency {
            let (top, query) = (top.id.clone(), args.query.clone());
            let m = closed_loop(&channel, concurrency, duration, move |ch, _| {
                let (top, query) = (top.clone(), query.clone());
                async move { analytics_call(ch, call, &top, &query).await }
            })
            .await;
            let row = AnalyticsRow {
                rpc: call.name(),
                concurrency,
                requests: m.requests,
                errors: m.errors,
                p50_ms: m.percentile_ms(50.0),
                p99_ms: m.percentile_ms(99.0),
                max_ms: m.percentile_ms(100.0),
            };
            println!(
                "  c{:<3} {:>6} calls  p50 {:>8.2} ms  p99 {:>8.2} ms  max {:>8.2} ms  errors {}",
                row.concurrency, row.requests, row.p50_ms, row.p99_ms, row.max_ms, row.errors
            );
            rows.push(row);
        }
    }
    if let Some(path) = &args.json {
        std::fs::write(path, serde_json::to_vec_pretty(&rows)?)?;
    }
    if rows.iter().any(|r| r.errors > 0) {
        return Err("some calls failed".into());
    }
    Ok(())
}
