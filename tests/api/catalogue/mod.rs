//! The bad-input catalogue: every case goes through the real server and
//! asserts the exact gRPC code and that the message (or the BadRequest
//! field violation) names the problem; then [`Fixture::intact`] checks the
//! server is still SERVING and that nothing already stored was lost or
//! altered (the five seed articles, by id, source, metadata and body, and
//! the expected article count).
//!
//! Cases that need work not done yet are `#[ignore = "needs ..."]`, written
//! with the answer they should get, so removing the `ignore` is the test
//! for the fix.

use std::future::Future;
use std::time::{Duration, Instant};

use newscorpus::corpus::Limits;
use newscorpus::grpc::pb;
use newscorpus::grpc::{cursor, ServerOptions};
use newscorpus::store::ArticleFilter;
use tokio_stream::StreamExt;
use tonic::codec::{BufferSettings, Codec, EncodeBuf, Encoder};
use tonic::codegen::http::uri::PathAndQuery;
use tonic::transport::Channel;
use tonic::{Code, Status};
use tonic_health::pb::HealthCheckRequest;

use crate::helpers::*;

/// Tests that hold a lot of memory (or measure it) take turns, so that the
/// RSS bound of one is not blown by another running at the same time.
static HEAVY: tokio::sync::Mutex<()> = tokio::sync::Mutex::const_new(());

const STORY: &str = "Harbour Board Approves New Ferry Terminal

By Alice Moreno

March 3, 2019

The Lisbon harbour board approved a new ferry terminal on Tuesday after a year of debate.

\"This terminal will serve the city for fifty years,\" said Joana Ferreira, the board's chairwoman.
";

const OTHER_STORY: &str = "Ferry strike ends after two days

Ferry crews returned to work on Friday after union leader Tomas Reyes said \"the deal is fair to everyone.\"
";

/// A server over the seeds plus what was stored before the bad input.
struct Fixture {
    app: TestApp,
    seeds: Vec<pb::Article>,
}

impl Fixture {
    async fn new() -> Self {
        Self::with(spawn_app().await).await
    }

    async fn with(mut app: TestApp) -> Self {
        let seeds = all_articles(&mut app.client).await;
        assert_eq!(seeds.len(), 5, "the seed corpus has five articles");
        Fixture { app, seeds }
    }

    fn client(&self) -> Client {
        self.app.client.clone()
    }

    /// Still SERVING, still answering, the seeds unchanged and exactly
    /// `articles` articles stored (5 seeds + what the case ingested).
    async fn intact(&self, articles: usize) {
        let mut health = self.app.health();
        for service in ["", "newscorpus.v1.CorpusService"] {
            let status = tokio::time::timeout(
                Duration::from_secs(5),
                health.check(HealthCheckRequest {
                    service: service.into(),
                }),
            )
            .await
            .expect("health check answered in time")
            .expect("health check")
            .into_inner()
            .status;
            assert_eq!(status, 1, "health of {service:?} is SERVING");
        }
        let mut client = self.client();
        let now = all_articles(&mut client).await;
        assert_eq!(now.len(), articles, "stored article count");
        for seed in &self.seeds {
            let listed = now
                .iter()
                .find(|a| a.id == seed.id)
                .unwrap_or_else(|| panic!("seed {} was lost", seed.source));
            let got = client
                .get_article(pb::GetArticleRequest {
                    id: seed.id.clone(),
                    view: 0,
                })
                .await
                .expect("get a seed")
                .into_inner();
            for a in [listed, &got] {
                assert_eq!(
                    (&a.source, &a.title, &a.outlet, &a.authors, &a.published),
                    (
                        &seed.source,
                        &seed.title,
                        &seed.outlet,
                        &seed.authors,
                        &seed.published
                    ),
                    "seed {} metadata altered",
                    seed.source
                );
                assert_eq!(a.body, seed.body, "seed {} body altered", seed.source);
                assert_eq!(a.paragraphs, seed.paragraphs);
            }
        }
        let stats = client
            .get_corpus_stats(pb::GetCorpusStatsRequest {})
            .await
            .expect("stats")
            .into_inner();
        assert_eq!(stats.article_count, articles as u64);
    }
}

/// Asserts `code` and a message containing `needle` (case-insensitively).
fn assert_status(status: &Status, code: Code, needle: &str) {
    assert_eq!(status.code(), code, "{status:?}");
    assert!(
        status
            .message()
            .to_lowercase()
            .contains(&needle.to_lowercase()),
        "message {:?} should mention {needle:?}",
        status.message()
    );
}

/// INVALID_ARGUMENT naming `field` in BadRequest and `reason` in the message.
fn assert_invalid_because(status: &Status, field: &str, reason: &str) {
    assert_invalid(status, field);
    assert_status(status, Code::InvalidArgument, reason);
    assert!(status.message().contains(field), "{status:?}");
}

/// The error a call or its stream ended with (`None` if it succeeded).
async fn outcome<T>(
    call: impl Future<Output = Result<tonic::Response<tonic::Streaming<T>>, Status>>,
) -> Result<Vec<T>, Status> {
    collect(call.await?.into_inner()).await
}

fn assert_failed(response: &pb::IngestArticlesResponse, code: Code, field: &str, reason: &str) {
    assert_eq!(
        response.status,
        pb::IngestStatus::Failed as i32,
        "{response:?}"
    );
    let error = response.error.as_ref().expect("an error");
    assert_eq!(error.code, code as i32, "{error:?}");
    assert_eq!(error.field, field, "{error:?}");
    assert!(
        error
            .message
            .to_lowercase()
            .contains(&reason.to_lowercase()),
        "{error:?} should mention {reason:?}"
    );
    assert!(response.article_id.is_empty());
}

fn assert_created(response: &pb::IngestArticlesResponse) {
    assert_eq!(
        response.status,
        pb::IngestStatus::Created as i32,
        "{response:?}"
    );
    assert!(response.error.is_none() && response.article_id.len() == 16);
}

/// A deadline that passed: DEADLINE_EXCEEDED, or what tonic's built-in
/// `grpc-timeout` handling answers today (CANCELLED "Timeout expired").
fn rss_bytes() -> u64 {
    let status = std::fs::read_to_string("/proc/self/status").unwrap_or_default();
    status
        .lines()
        .find_map(|l| l.strip_prefix("VmRSS:"))
        .and_then(|v| v.trim().trim_end_matches("kB").trim().parse::<u64>().ok())
        .map_or(0, |kb| kb * 1024)
}

// --- a raw client, for bytes the generated client cannot produce -------------------------

/// Sends pre-encoded request bytes as they are; decodes responses as `U`.
struct RawCodec<U>(std::marker::PhantomData<U>);

impl<U> RawCodec<U> {
    fn new() -> Self {
        RawCodec(std::marker::PhantomData)
    }
}

struct RawEncoder;

impl Encoder for RawEncoder {
    type Item = Vec<u8>;
    type Error = Status;

    fn encode(&mut self, item: Vec<u8>, dst: &mut EncodeBuf<'_>) -> Result<(), Status> {
        use prost::bytes::BufMut;
        dst.put_slice(&item);
        Ok(())
    }
}

impl<U: prost::Message + Default + Send + 'static> Codec for RawCodec<U> {
    type Encode = Vec<u8>;
    type Decode = U;
    type Encoder = RawEncoder;
    type Decoder = tonic_prost::ProstDecoder<U>;

    fn encoder(&mut self) -> RawEncoder {
        RawEncoder
    }

    fn decoder(&mut self) -> Self::Decoder {
        tonic_prost::ProstDecoder::new(BufferSettings::default())
    }
}

fn method(name: &'static str) -> PathAndQuery {
    PathAndQuery::from_maybe_shared(format!("/newscorpus.v1.CorpusService/{name}")).expect("path")
}

async fn raw_unary<U: prost::Message + Default + Send + Sync + 'static>(
    channel: &Channel,
    name: &'static str,
    bytes: Vec<u8>,
) -> Result<U, Status> {
    let mut grpc = tonic::client::Grpc::new(channel.clone());
    grpc.ready().await.expect("ready");
    grpc.unary(
        tonic::Request::new(bytes),
        method(name),
        RawCodec::<U>::new(),
    )
    .await
    .map(tonic::Response::into_inner)
}

mod cursors;
mod filters;
mod ids;
mod ingest;
mod limits;
mod queries;
mod streams;
