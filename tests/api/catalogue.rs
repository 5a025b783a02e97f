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

fn ingest_item(text: &str, client_ref: &str) -> pb::IngestArticlesRequest {
    pb::IngestArticlesRequest {
        text: text.into(),
        client_ref: client_ref.into(),
        ..Default::default()
    }
}

async fn ingest(
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

// --- ids ---------------------------------------------------------------------------------

/// 1. An unknown article id is NOT_FOUND and the message names the id.
#[tokio::test]
async fn unknown_article_id_is_not_found() {
    let f = Fixture::new().await;
    for id in ["0000000000000000", "../../etc/passwd", "ид-статьи", "%00"] {
        let status = f
            .client()
            .get_article(pb::GetArticleRequest {
                id: id.into(),
                view: 0,
            })
            .await
            .unwrap_err();
        assert_status(&status, Code::NotFound, &format!("article not found: {id}"));
    }
    f.intact(5).await;
}

/// 2. An empty or whitespace-only id is INVALID_ARGUMENT on `id`.
#[tokio::test]
async fn empty_article_id_is_invalid() {
    let f = Fixture::new().await;
    for id in ["", "   ", "\t\n"] {
        let status = f
            .client()
            .get_article(pb::GetArticleRequest {
                id: id.into(),
                view: 0,
            })
            .await
            .unwrap_err();
        assert_invalid_because(&status, "id", "is required");
    }
    f.intact(5).await;
}

/// 3. An over-long id (10,000 bytes, and 1 MB) is INVALID_ARGUMENT, not a lookup.
#[tokio::test]
async fn over_long_ids_are_invalid() {
    let f = Fixture::new().await;
    for len in [513, 10_000, 1_000_000] {
        let status = f
            .client()
            .get_article(pb::GetArticleRequest {
                id: "x".repeat(len),
                view: 0,
            })
            .await
            .unwrap_err();
        assert_invalid_because(&status, "id", "longer than 512 bytes");
        let status = f
            .client()
            .get_entity(pb::GetEntityRequest {
                selector: Some(pb::get_entity_request::Selector::Id(
                    "person/".to_owned() + &"y".repeat(len),
                )),
            })
            .await
            .unwrap_err();
        assert_invalid_because(&status, "id", "longer than 512 bytes");
        let status = f
            .client()
            .get_entity(pb::GetEntityRequest {
                selector: Some(pb::get_entity_request::Selector::Name("z".repeat(len))),
            })
            .await
            .unwrap_err();
        assert_invalid_because(&status, "name", "longer than 512 bytes");
    }
    f.intact(5).await;
}

/// 4. An unknown entity id or name is NOT_FOUND naming what was asked for.
#[tokio::test]
async fn unknown_entity_is_not_found() {
    let f = Fixture::new().await;
    for (id, name) in [("person/nobody-at-all", ""), ("", "Nobody Atall Ever")] {
        let status = f
            .client()
            .get_entity(entity_request(id, name))
            .await
            .unwrap_err();
        let asked = if id.is_empty() { name } else { id };
        assert_status(
            &status,
            Code::NotFound,
            &format!("entity not found: {asked}"),
        );
    }
    f.intact(5).await;
}

/// 5. GetEntity needs its `id` or its `name` (a oneof): neither, or an
/// empty one, is INVALID_ARGUMENT naming it. Both on the wire (only a raw
/// client can send that; protobuf alone would keep the last) is
/// INVALID_ARGUMENT too, naming `name`.
#[tokio::test]
async fn entity_needs_one_of_id_and_name() {
    use pb::get_entity_request::Selector;
    let f = Fixture::new().await;
    for (selector, field, reason) in [
        (None, "selector", "set `id` or `name`"),
        (Some(Selector::Id("  ".into())), "id", "is required"),
        (Some(Selector::Name(String::new())), "name", "is required"),
    ] {
        let status = f
            .client()
            .get_entity(pb::GetEntityRequest { selector })
            .await
            .unwrap_err();
        assert_invalid_because(&status, field, reason);
        let details = tonic_types::StatusExt::get_error_details(&status);
        let info = details.error_info().expect("ErrorInfo");
        assert_eq!(info.reason, "FIELD_REQUIRED");
        assert_eq!(info.domain, "newscorpus");
    }
    // id = "person/nobody" then name = "Wei Fenghe" on the wire.
    let mut both = prost::Message::encode_to_vec(&entity_request("person/nobody", ""));
    both.extend(prost::Message::encode_to_vec(&entity_request(
        "",
        "Wei Fenghe",
    )));
    let status = raw_unary::<pb::Entity>(&f.app.channel, "GetEntity", both)
        .await
        .unwrap_err();
    assert_invalid_because(&status, "name", "set only one of `id` and `name`");
    let details = tonic_types::StatusExt::get_error_details(&status);
    assert_eq!(details.error_info().unwrap().reason, "INVALID_FIELD");
    f.intact(5).await;
}

/// 6. Requests without their required fields: GetArticle, GetEntity,
/// SearchArticles and an ingest item without text.
#[tokio::test]
async fn requests_without_required_fields_are_invalid() {
    let f = Fixture::new().await;
    let mut client = f.client();
    let status = client
        .get_article(pb::GetArticleRequest::default())
        .await
        .unwrap_err();
    assert_invalid_because(&status, "id", "is required");
    let status = client
        .get_entity(pb::GetEntityRequest::default())
        .await
        .unwrap_err();
    assert_invalid_because(&status, "selector", "set `id` or `name`");
    let status = outcome(client.search_articles(pb::SearchArticlesRequest::default()))
        .await
        .unwrap_err();
    assert_invalid_because(&status, "query", "must not be empty");
    let only_metadata = pb::IngestArticlesRequest {
        title: "A title but no text".into(),
        outlet: "Outlet".into(),
        client_ref: "no-text".into(),
        ..Default::default()
    };
    let results = ingest(&mut client, vec![only_metadata]).await;
    assert_eq!(results[0].client_ref, "no-text");
    assert_failed(&results[0], Code::InvalidArgument, "text", "is required");
    f.intact(5).await;
}

// --- limits ------------------------------------------------------------------------------

/// Every streaming list with `limit` set to `limit`.
async fn list_with_limit(client: &mut Client, limit: i32) -> Vec<Result<usize, Status>> {
    vec![
        outcome(client.list_articles(pb::ListArticlesRequest {
            limit,
            ..Default::default()
        }))
        .await
        .map(|v| v.len()),
        outcome(client.search_articles(pb::SearchArticlesRequest {
            query: "iran".into(),
            limit,
            ..Default::default()
        }))
        .await
        .map(|v| v.len()),
        outcome(client.list_entities(pb::ListEntitiesRequest {
            limit,
            ..Default::default()
        }))
        .await
        .map(|v| v.len()),
        outcome(client.list_mentions(pb::ListMentionsRequest {
            limit,
            ..Default::default()
        }))
        .await
        .map(|v| v.len()),
        outcome(client.list_quotes(pb::ListQuotesRequest {
            limit,
            ..Default::default()
        }))
        .await
        .map(|v| v.len()),
    ]
}

/// 7. A negative limit is INVALID_ARGUMENT on `limit`, on every list.
#[tokio::test]
async fn negative_limits_are_invalid() {
    let f = Fixture::new().await;
    for limit in [-1, -1000, i32::MIN] {
        for result in list_with_limit(&mut f.client(), limit).await {
            let status = result.unwrap_err();
            assert_invalid_because(&status, "limit", "must not be negative");
            assert!(status.message().contains(&limit.to_string()));
        }
    }
    f.intact(5).await;
}

/// 8. A huge limit (over --max-limit) is INVALID_ARGUMENT saying the maximum.
#[tokio::test]
async fn huge_limits_are_invalid() {
    let f = Fixture::new().await;
    for limit in [1_000_001, i32::MAX] {
        for result in list_with_limit(&mut f.client(), limit).await {
            let status = result.unwrap_err();
            assert_invalid_because(&status, "limit", "must be at most 1000000");
        }
    }
    f.intact(5).await;
}

/// 9. Limit zero is not an error: it means "everything"; 1 means one.
#[tokio::test]
async fn zero_limit_streams_everything() {
    let f = Fixture::new().await;
    let everything: Vec<usize> = list_with_limit(&mut f.client(), 0)
        .await
        .into_iter()
        .map(Result::unwrap)
        .collect();
    assert_eq!(everything[0], 5);
    assert!(everything.iter().all(|&n| n >= 1), "{everything:?}");
    let one: Vec<usize> = list_with_limit(&mut f.client(), 1)
        .await
        .into_iter()
        .map(Result::unwrap)
        .collect();
    assert_eq!(one, vec![1; 5]);
    f.intact(5).await;
}

// --- cursors -----------------------------------------------------------------------------

/// Runs every cursor-taking RPC with `cursor`; returns their errors.
async fn with_cursor(client: &mut Client, cursor: &str) -> Vec<(&'static str, Status)> {
    let cursor = cursor.to_owned();
    let mut errors = Vec::new();
    let mut record = |rpc: &'static str, result: Result<usize, Status>| match result {
        Ok(n) => panic!("{rpc} accepted cursor {cursor:?} and sent {n} items"),
        Err(status) => errors.push((rpc, status)),
    };
    record(
        "ListArticles",
        outcome(client.list_articles(pb::ListArticlesRequest {
            cursor: cursor.clone(),
            ..Default::default()
        }))
        .await
        .map(|v| v.len()),
    );
    record(
        "SearchArticles",
        outcome(client.search_articles(pb::SearchArticlesRequest {
            query: "iran".into(),
            cursor: cursor.clone(),
            ..Default::default()
        }))
        .await
        .map(|v| v.len()),
    );
    record(
        "ListEntities",
        outcome(client.list_entities(pb::ListEntitiesRequest {
            cursor: cursor.clone(),
            ..Default::default()
        }))
        .await
        .map(|v| v.len()),
    );
    record(
        "ListMentions",
        outcome(client.list_mentions(pb::ListMentionsRequest {
            cursor: cursor.clone(),
            ..Default::default()
        }))
        .await
        .map(|v| v.len()),
    );
    record(
        "ListQuotes",
        outcome(client.list_quotes(pb::ListQuotesRequest {
            cursor: cursor.clone(),
            ..Default::default()
        }))
        .await
        .map(|v| v.len()),
    );
    // WatchArticles never ends on its own: only its call result counts.
    record(
        "WatchArticles",
        client
            .watch_articles(pb::WatchArticlesRequest {
                cursor: cursor.clone(),
                ..Default::default()
            })
            .await
            .map(|_| 0),
    );
    errors
}

/// 10. Malformed cursors (not base64, not ours, empty payload) are
/// INVALID_ARGUMENT on `cursor` in every RPC that takes one.
#[tokio::test]
async fn malformed_cursors_are_invalid() {
    use base64::Engine;
    let f = Fixture::new().await;
    let b64 = |s: &str| base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(s);
    for cursor in [
        "garbage".to_owned(),
        "not a cursor!".to_owned(),
        "🙂🙂🙂".to_owned(),
        "====".to_owned(),
        b64("article|5"),
        b64("article||"),
        b64("|||"),
        b64("\u{0}\u{1}\u{2}"),
    ] {
        for (rpc, status) in with_cursor(&mut f.client(), &cursor).await {
            assert_invalid(&status, "cursor");
            assert!(
                status.message().contains("malformed cursor"),
                "{rpc}: {status:?}"
            );
        }
    }
    f.intact(5).await;
}

/// 11. A forged cursor (payload edited, checksum kept; or cut short) is
/// INVALID_ARGUMENT, not a silent jump elsewhere.
#[tokio::test]
async fn forged_cursors_are_invalid() {
    use base64::Engine;
    let engine = base64::engine::general_purpose::URL_SAFE_NO_PAD;
    let f = Fixture::new().await;
    let mut client = f.client();
    let first = outcome(client.list_articles(pb::ListArticlesRequest {
        limit: 1,
        ..Default::default()
    }))
    .await
    .unwrap()
    .remove(0);
    let raw = String::from_utf8(engine.decode(&first.cursor).unwrap()).unwrap();
    let (kind_and_seq, sum) = raw.rsplit_once('|').unwrap();
    assert!(kind_and_seq.starts_with("article|"));
    let forged = [
        engine.encode(format!("article|3|{sum}")),
        engine.encode(format!("quote|1.0|{sum}")),
        engine.encode(format!("{kind_and_seq}|000000000000")),
        first.cursor[..first.cursor.len() / 2].to_owned(),
        first.cursor.clone() + "AA",
    ];
    for cursor in &forged {
        let status = client
            .list_articles(pb::ListArticlesRequest {
                cursor: cursor.clone(),
                ..Default::default()
            })
            .await
            .unwrap_err();
        assert_invalid(&status, "cursor");
        assert_status(&status, Code::InvalidArgument, "malformed cursor");
    }
    f.intact(5).await;
}

/// 12. An over-long cursor is refused before any decoding.
#[tokio::test]
async fn over_long_cursors_are_invalid() {
    let f = Fixture::new().await;
    for cursor in ["A".repeat(5_000), "A".repeat(1_000_000)] {
        for (_rpc, status) in with_cursor(&mut f.client(), &cursor).await {
            assert_invalid_because(&status, "cursor", "longer than 1024 bytes");
        }
    }
    f.intact(5).await;
}

/// 13. A genuine cursor from another listing is INVALID_ARGUMENT saying so.
#[tokio::test]
async fn cursors_from_another_listing_are_invalid() {
    let f = Fixture::new().await;
    let mut client = f.client();
    let quote_cursor = outcome(client.list_quotes(pb::ListQuotesRequest {
        limit: 1,
        ..Default::default()
    }))
    .await
    .unwrap()
    .remove(0)
    .cursor;
    let article_cursor = outcome(client.list_articles(pb::ListArticlesRequest {
        limit: 1,
        ..Default::default()
    }))
    .await
    .unwrap()
    .remove(0)
    .cursor;
    let status = client
        .list_articles(pb::ListArticlesRequest {
            cursor: quote_cursor.clone(),
            ..Default::default()
        })
        .await
        .unwrap_err();
    assert_invalid_because(&status, "cursor", "belongs to a different listing");
    for (cursor, wanted) in [(&quote_cursor, "mention"), (&article_cursor, "mention")] {
        let status = client
            .list_mentions(pb::ListMentionsRequest {
                cursor: cursor.clone(),
                ..Default::default()
            })
            .await
            .unwrap_err();
        assert_invalid_because(&status, "cursor", &format!("expected {wanted}"));
    }
    let status = client
        .list_entities(pb::ListEntitiesRequest {
            cursor: article_cursor.clone(),
            ..Default::default()
        })
        .await
        .unwrap_err();
    assert_invalid_because(&status, "cursor", "expected entity");
    let status = client
        .search_articles(pb::SearchArticlesRequest {
            query: "iran".into(),
            cursor: article_cursor,
            ..Default::default()
        })
        .await
        .unwrap_err();
    assert_invalid_because(&status, "cursor", "expected search");
    f.intact(5).await;
}

/// 14. A stale search cursor (the query or the filter changed since) is
/// INVALID_ARGUMENT, not hits from the wrong result list.
#[tokio::test]
async fn stale_search_cursors_are_invalid() {
    let f = Fixture::new().await;
    let mut client = f.client();
    let hit = outcome(client.search_articles(pb::SearchArticlesRequest {
        query: "iran".into(),
        limit: 1,
        ..Default::default()
    }))
    .await
    .unwrap()
    .remove(0);
    for changed in [
        pb::SearchArticlesRequest {
            query: "china".into(),
            cursor: hit.cursor.clone(),
            ..Default::default()
        },
        pb::SearchArticlesRequest {
            query: "iran".into(),
            cursor: hit.cursor.clone(),
            filter: Some(pb::ArticleFilter {
                outlet: "Somewhere Else".into(),
                ..Default::default()
            }),
            ..Default::default()
        },
    ] {
        let status = client.search_articles(changed).await.unwrap_err();
        assert_invalid_because(&status, "cursor", "belongs to a different search");
    }
    // Whitespace around the same query is the same query.
    let same = outcome(client.search_articles(pb::SearchArticlesRequest {
        query: "  iran ".into(),
        cursor: hit.cursor,
        ..Default::default()
    }))
    .await
    .unwrap();
    assert!(!same.is_empty());
    f.intact(5).await;
}

/// 15. A well-formed cursor past the end (from a bigger corpus, or after
/// the last item) resumes with nothing, not an error and not a restart.
#[tokio::test]
async fn cursors_past_the_end_resume_with_nothing() {
    use newscorpus::store::ItemPos;
    let f = Fixture::new().await;
    let mut client = f.client();
    let all = all_articles(&mut client).await;
    for cursor in [all[4].cursor.clone(), cursor::article(1_000_000_000)] {
        let rest = outcome(client.list_articles(pb::ListArticlesRequest {
            cursor,
            ..Default::default()
        }))
        .await
        .unwrap();
        assert!(rest.is_empty());
    }
    let far = ItemPos {
        seq: 1_000_000,
        index: 0,
    };
    let mentions = outcome(client.list_mentions(pb::ListMentionsRequest {
        cursor: cursor::item("mention", far),
        ..Default::default()
    }))
    .await
    .unwrap();
    assert!(mentions.is_empty());
    let hits = outcome(
        client.search_articles(pb::SearchArticlesRequest {
            query: "iran".into(),
            // The fingerprint the server derives from this query and (no) filter.
            cursor: cursor::search(
                &newscorpus::query::SearchQuery {
                    text: "iran".into(),
                    filter: ArticleFilter::try_from(None).unwrap(),
                    max_snippets: 1,
                }
                .fingerprint(),
                1_000_000,
            ),
            ..Default::default()
        }),
    )
    .await
    .unwrap();
    assert!(hits.is_empty());
    f.intact(5).await;
}

// --- search queries ----------------------------------------------------------------------

async fn search_error(client: &mut Client, query: &str) -> Status {
    outcome(client.search_articles(pb::SearchArticlesRequest {
        query: query.into(),
        ..Default::default()
    }))
    .await
    .map(|hits| hits.len())
    .expect_err(query)
}

/// 16. Empty and whitespace-only queries are INVALID_ARGUMENT on `query`.
#[tokio::test]
async fn empty_and_whitespace_queries_are_invalid() {
    let f = Fixture::new().await;
    for q in ["", " ", "\t\n  \r", "\u{a0}\u{3000}"] {
        let status = search_error(&mut f.client(), q).await;
        assert_invalid_because(&status, "query", "must not be empty");
    }
    f.intact(5).await;
}

/// 17. A 10,000-term query is refused by size, before it reaches the index.
#[tokio::test]
async fn ten_thousand_term_queries_are_invalid() {
    let f = Fixture::new().await;
    let started = Instant::now();
    for q in [
        "word ".repeat(10_000),
        "a OR ".repeat(10_000) + "b",
        "\"".repeat(10_000),
        "(".repeat(10_000),
    ] {
        let status = search_error(&mut f.client(), &q).await;
        assert_invalid_because(&status, "query", "longer than 2048 bytes");
    }
    assert!(started.elapsed() < Duration::from_secs(5));
    f.intact(5).await;
}

/// 18. Unbalanced quotes and parentheses are INVALID_ARGUMENT with the
/// parser's complaint.
#[tokio::test]
async fn unbalanced_queries_are_invalid() {
    let f = Fixture::new().await;
    for q in [
        "\"unbalanced",
        "\"",
        "nuclear \"deal",
        "((((nuclear",
        "nuclear)",
        ")",
        "()",
        "title:(",
        "title:",
    ] {
        let status = search_error(&mut f.client(), q).await;
        assert_invalid_because(&status, "query", "cannot parse query");
    }
    f.intact(5).await;
}

/// 19. Queries of operators only are INVALID_ARGUMENT.
#[tokio::test]
async fn operator_only_queries_are_invalid() {
    let f = Fixture::new().await;
    for q in ["AND", "OR", "NOT", "AND OR NOT", "+", "-", "^", "-*"] {
        let status = search_error(&mut f.client(), q).await;
        assert_invalid_because(&status, "query", "cannot parse query");
    }
    f.intact(5).await;
}

/// 20. A query on a field that does not exist names it.
#[tokio::test]
async fn queries_on_unknown_fields_are_invalid() {
    let f = Fixture::new().await;
    for (q, needle) in [
        ("foo:bar", "Field does not exist: 'foo'"),
        ("[a TO z]", "Range query need to target a specific field"),
    ] {
        let status = search_error(&mut f.client(), q).await;
        assert_invalid_because(&status, "query", needle);
    }
    f.intact(5).await;
}

/// 21. Huge wildcards and many short terms (within the size limit) are
/// answered, quickly, without hurting anything.
#[tokio::test]
async fn huge_wildcards_are_answered_quickly() {
    let f = Fixture::new().await;
    // What each query must find, worked out from the articles themselves
    // (the default field holds the headline and the body, lowercased, split
    // at non-alphanumerics).
    let words = |a: &pb::Article| -> Vec<String> {
        format!("{} {}", a.title, a.body)
            .to_lowercase()
            .split(|c: char| !c.is_alphanumeric())
            .filter(|w| !w.is_empty())
            .map(str::to_owned)
            .collect()
    };
    let ids_where = |keep: &dyn Fn(&[String]) -> bool| -> Vec<String> {
        let mut ids: Vec<String> = f
            .seeds
            .iter()
            .filter(|a| keep(&words(a)))
            .map(|a| a.id.clone())
            .collect();
        ids.sort();
        ids
    };
    let everything = ids_where(&|_| true);
    // A word some articles have and others lack, taken from the articles.
    let mut vocabulary: Vec<String> = f.seeds.iter().flat_map(&words).collect();
    vocabulary.sort();
    vocabulary.dedup();
    let word = vocabulary
        .iter()
        .filter(|w| w.len() >= 7 && w.chars().all(|c| c.is_ascii_lowercase()))
        .find(|w| {
            let n = ids_where(&|ws| ws.contains(w)).len();
            n >= 2 && n < everything.len()
        })
        .expect("a word in some articles only")
        .clone();
    let prefix = word[..4].to_owned();
    let nuclear = ids_where(&|w| w.contains(&word));
    let nuc = ids_where(&|w| w.iter().any(|w| w.starts_with(&prefix)));
    let ab_words = ids_where(&|w| w.iter().any(|w| w.starts_with("ab")));
    let not_nuclear: Vec<String> = everything
        .iter()
        .filter(|id| !nuclear.contains(id))
        .cloned()
        .collect();
    enum Want {
        Exactly(Vec<String>),
        AtLeast(Vec<String>),
        Any,
        Invalid(&'static str),
    }
    let started = Instant::now();
    for (q, want) in [
        // Stars only, glued: no word at all, so nothing matches.
        ("*".repeat(2_000), Want::Exactly(Vec::new())),
        (format!("{prefix}*"), Want::Exactly(nuc.clone())),
        (format!("* -{word}"), Want::Exactly(not_nuclear)),
        ("*".to_owned(), Want::Exactly(everything.clone())),
        ("a ".repeat(1_000), Want::Any),
        ("ab* ".repeat(8), Want::Exactly(ab_words)),
        (
            "ab* ".repeat(100),
            Want::Invalid("at most 16 prefix or fuzzy words"),
        ),
        ("a*".to_owned(), Want::Invalid("at least 2 letters")),
        // Fuzzy: at least every article with the word itself.
        (format!("{word}~2"), Want::AtLeast(nuclear.clone())),
        ("\u{0}".to_owned(), Want::Exactly(Vec::new())),
    ] {
        let result = outcome(f.client().search_articles(pb::SearchArticlesRequest {
            query: q.clone(),
            ..Default::default()
        }))
        .await;
        if let Want::Invalid(needle) = want {
            let status = result.expect_err(&q);
            assert_invalid_because(&status, "query", needle);
            continue;
        }
        let hits = result.unwrap_or_else(|e| panic!("{q:?}: {e:?}"));
        let mut ids: Vec<String> = hits.iter().map(|h| h.article_id.clone()).collect();
        ids.sort();
        let mut distinct = ids.clone();
        distinct.dedup();
        assert_eq!(distinct, ids, "{q:.20}: an article twice");
        assert!(
            ids.iter().all(|id| everything.contains(id)),
            "{q:.20}: {ids:?}"
        );
        match want {
            Want::Exactly(expected) => assert_eq!(ids, expected, "{q:.20}"),
            Want::AtLeast(expected) => {
                assert!(expected.iter().all(|id| ids.contains(id)), "{q}: {ids:?}")
            }
            Want::Any | Want::Invalid(_) => {}
        }
    }
    assert!(started.elapsed() < Duration::from_secs(10));
    f.intact(5).await;
}

/// 22. A field-exists wildcard (`title:*`) is the client's mistake, not an
/// internal error.
#[tokio::test]
async fn field_exists_queries_are_invalid() {
    let f = Fixture::new().await;
    for q in ["title:*", "body:*", "+title:* -body:x"] {
        let status = search_error(&mut f.client(), q).await;
        assert_invalid(&status, "query");
    }
    f.intact(5).await;
}

// --- enums, filters, over-long strings ---------------------------------------------------

/// 23. Unknown enum numbers are INVALID_ARGUMENT naming the field and number.
#[tokio::test]
async fn unknown_enum_numbers_are_invalid() {
    let f = Fixture::new().await;
    let mut client = f.client();
    let id = f.seeds[0].id.clone();
    for view in [42, -1, 3] {
        let status = client
            .get_article(pb::GetArticleRequest {
                id: id.clone(),
                view,
            })
            .await
            .unwrap_err();
        assert_invalid_because(&status, "view", &format!("unknown ArticleView {view}"));
        let status = client
            .list_articles(pb::ListArticlesRequest {
                view,
                ..Default::default()
            })
            .await
            .unwrap_err();
        assert_invalid(&status, "view");
        let status = client
            .watch_articles(pb::WatchArticlesRequest {
                view,
                ..Default::default()
            })
            .await
            .unwrap_err();
        assert_invalid(&status, "view");
    }
    for t in [99, -7, i32::MAX] {
        let status = client
            .list_entities(pb::ListEntitiesRequest {
                r#type: t,
                ..Default::default()
            })
            .await
            .unwrap_err();
        assert_invalid_because(&status, "type", &format!("unknown EntityType {t}"));
    }
    for kind in [-3, 4, i32::MIN] {
        let status = client
            .list_quotes(pb::ListQuotesRequest {
                kind,
                ..Default::default()
            })
            .await
            .unwrap_err();
        assert_invalid_because(&status, "kind", &format!("unknown QuoteKind {kind}"));
    }
    f.intact(5).await;
}

/// 24. Bad filter dates: not a date, not a real day, a reversed range.
#[tokio::test]
async fn bad_filter_dates_are_invalid() {
    let f = Fixture::new().await;
    let mut client = f.client();
    let cases = [
        (
            "2022-02-30",
            "",
            "filter.published_from",
            "is not a YYYY-MM-DD date",
        ),
        (
            "yesterday",
            "",
            "filter.published_from",
            "is not a YYYY-MM-DD date",
        ),
        (
            "",
            "2022-13-01",
            "filter.published_to",
            "is not a YYYY-MM-DD date",
        ),
        (
            "2022-03-01",
            "2022-02-01",
            "filter.published_to",
            "is before",
        ),
    ];
    for (from, to, field, reason) in cases {
        let filter = Some(pb::ArticleFilter {
            published_from: from.into(),
            published_to: to.into(),
            ..Default::default()
        });
        let status = client
            .list_articles(pb::ListArticlesRequest {
                filter: filter.clone(),
                ..Default::default()
            })
            .await
            .unwrap_err();
        assert_invalid_because(&status, field, reason);
        let status = client
            .search_articles(pb::SearchArticlesRequest {
                query: "iran".into(),
                filter: filter.clone(),
                ..Default::default()
            })
            .await
            .unwrap_err();
        assert_invalid(&status, field);
        let status = client
            .watch_articles(pb::WatchArticlesRequest {
                filter,
                ..Default::default()
            })
            .await
            .unwrap_err();
        assert_invalid(&status, field);
    }
    f.intact(5).await;
}

/// 25. Over-long filter strings are INVALID_ARGUMENT naming the field.
#[tokio::test]
async fn over_long_filter_strings_are_invalid() {
    let f = Fixture::new().await;
    let mut client = f.client();
    let long = "q".repeat(10_000);
    let filters = [
        (
            pb::ArticleFilter {
                outlet: long.clone(),
                ..Default::default()
            },
            "filter.outlet",
        ),
        (
            pb::ArticleFilter {
                author: long.clone(),
                ..Default::default()
            },
            "filter.author",
        ),
        (
            pb::ArticleFilter {
                entity_id: long.clone(),
                ..Default::default()
            },
            "filter.entity_id",
        ),
        (
            pb::ArticleFilter {
                speaker: long.clone(),
                ..Default::default()
            },
            "filter.speaker",
        ),
    ];
    for (filter, field) in filters {
        let status = client
            .list_articles(pb::ListArticlesRequest {
                filter: Some(filter),
                ..Default::default()
            })
            .await
            .unwrap_err();
        assert_invalid_because(&status, field, "longer than 512 bytes");
    }
    let status = client
        .list_entities(pb::ListEntitiesRequest {
            name_prefix: long.clone(),
            ..Default::default()
        })
        .await
        .unwrap_err();
    assert_invalid_because(&status, "name_prefix", "longer than 512 bytes");
    let status = client
        .list_entities(pb::ListEntitiesRequest {
            article_id: long.clone(),
            ..Default::default()
        })
        .await
        .unwrap_err();
    assert_invalid(&status, "article_id");
    let status = client
        .list_mentions(pb::ListMentionsRequest {
            entity_id: long.clone(),
            ..Default::default()
        })
        .await
        .unwrap_err();
    assert_invalid(&status, "entity_id");
    for (request, field) in [
        (
            pb::ListQuotesRequest {
                speaker: long.clone(),
                ..Default::default()
            },
            "speaker",
        ),
        (
            pb::ListQuotesRequest {
                text_contains: long.clone(),
                ..Default::default()
            },
            "text_contains",
        ),
    ] {
        let status = client.list_quotes(request).await.unwrap_err();
        assert_invalid(&status, field);
    }
    f.intact(5).await;
}

/// 26. Unknown ids in filters are not errors: they match nothing.
#[tokio::test]
async fn unknown_ids_in_filters_match_nothing() {
    let f = Fixture::new().await;
    let mut client = f.client();
    let mentions = outcome(client.list_mentions(pb::ListMentionsRequest {
        entity_id: "person/nobody-at-all".into(),
        ..Default::default()
    }))
    .await
    .unwrap();
    assert!(mentions.is_empty());
    let entities = outcome(client.list_entities(pb::ListEntitiesRequest {
        article_id: "0000000000000000".into(),
        ..Default::default()
    }))
    .await
    .unwrap();
    assert!(entities.is_empty());
    let quotes = outcome(client.list_quotes(pb::ListQuotesRequest {
        speaker: "Nobody Atall".into(),
        ..Default::default()
    }))
    .await
    .unwrap();
    assert!(quotes.is_empty());
    f.intact(5).await;
}

/// 27. Bytes the server cannot decode (a string that is not UTF-8, a
/// truncated message) are the client's fault: INVALID_ARGUMENT.
#[tokio::test]
// gRPC's status-code table (doc/statuscodes.md) answers a request that cannot
// be parsed with INTERNAL, and tonic-prost follows it; the message names the
// decode failure, the stream's earlier items stay stored, and the server
// goes on serving.
async fn undecodable_requests_are_rejected_as_the_grpc_spec_says() {
    let f = Fixture::new().await;
    for bytes in [vec![0x0a, 2, 0xc3, 0x28], vec![0x0a, 200, 1], vec![0xff; 8]] {
        let status = raw_unary::<pb::Article>(&f.app.channel, "GetArticle", bytes)
            .await
            .unwrap_err();
        assert_eq!(status.code(), Code::Internal, "{status:?}");
        assert!(status.message().contains("decode"), "{status:?}");
    }
    let mut grpc = tonic::client::Grpc::new(f.app.channel.clone());
    grpc.ready().await.unwrap();
    let not_utf8 = vec![0x0a, 3, 0xff, 0xfe, 0x41];
    let mut stream = grpc
        .streaming(
            tonic::Request::new(tokio_stream::iter(vec![not_utf8])),
            method("IngestArticles"),
            RawCodec::<pb::IngestArticlesResponse>::new(),
        )
        .await
        .unwrap()
        .into_inner();
    let status = stream.next().await.unwrap().unwrap_err();
    assert_eq!(status.code(), Code::Internal, "{status:?}");
    assert!(status.message().contains("decode"), "{status:?}");
    f.intact(5).await;
}

/// 28. Unknown fields (a newer client) are skipped, as protobuf intends.
#[tokio::test]
async fn unknown_fields_are_ignored() {
    let f = Fixture::new().await;
    let request = pb::GetArticleRequest {
        id: f.seeds[2].id.clone(),
        view: 0,
    };
    // Field 4095 as a varint, then field 4094 as bytes, then the real message.
    let mut bytes = vec![
        0xf8, 0xff, 0x01, 0x05, 0xf2, 0xff, 0x01, 0x03, b'a', b'b', b'c',
    ];
    bytes.extend(prost::Message::encode_to_vec(&request));
    let article = raw_unary::<pb::Article>(&f.app.channel, "GetArticle", bytes)
        .await
        .unwrap();
    assert_eq!(article.id, f.seeds[2].id);
    f.intact(5).await;
}

// --- ingest ------------------------------------------------------------------------------

/// 29. Empty and whitespace-only items fail on `text`; the stream goes on.
#[tokio::test]
async fn empty_ingest_items_fail_and_the_stream_goes_on() {
    let f = Fixture::new().await;
    let results = ingest(
        &mut f.client(),
        vec![
            ingest_item("", "empty"),
            ingest_item(" \n\t\r\n ", "blank"),
            ingest_item("\u{a0}\u{2003}\u{3000}", "unicode-blank"),
            ingest_item(STORY, "after"),
        ],
    )
    .await;
    let refs: Vec<&str> = results.iter().map(|r| r.client_ref.as_str()).collect();
    assert_eq!(refs, ["empty", "blank", "unicode-blank", "after"]);
    for (i, r) in results.iter().enumerate() {
        assert_eq!(r.index, i as u64);
    }
    assert_failed(&results[0], Code::InvalidArgument, "text", "is required");
    assert_failed(&results[1], Code::InvalidArgument, "text", "is required");
    assert_failed(&results[2], Code::InvalidArgument, "text", "is required");
    assert_created(&results[3]);
    f.intact(6).await;
}

/// 30. Binary junk: control characters carry no article body and fail;
/// arbitrary (valid UTF-8) symbol soup is text and is stored as such.
#[tokio::test]
async fn binary_junk_items_are_handled() {
    let f = Fixture::new().await;
    let controls: String = (1u8..32).map(char::from).collect::<String>().repeat(20);
    let soup: String = (0u32..2_000)
        .filter_map(|i| char::from_u32((i * 7_919) % 0xD7FF + 1))
        .collect();
    let lossy = String::from_utf8_lossy(&[0xff, 0xfe, 0x00, 0x80, 0xc3, 0x28, 0xe2, 0x82])
        .replace('\0', "");
    let results = ingest(
        &mut f.client(),
        vec![
            ingest_item(&controls, "controls"),
            ingest_item(&soup, "soup"),
            ingest_item(&lossy, "replacement-chars"),
            ingest_item(STORY, "after"),
        ],
    )
    .await;
    assert_failed(
        &results[0],
        Code::InvalidArgument,
        "text",
        "no article body found",
    );
    assert_created(&results[1]);
    assert_created(&results[2]);
    assert_created(&results[3]);
    let soup_article = f
        .client()
        .get_article(pb::GetArticleRequest {
            id: results[1].article_id.clone(),
            view: 0,
        })
        .await
        .unwrap()
        .into_inner();
    assert!(!soup_article.body.is_empty());
    f.intact(8).await;
}

/// 31. NUL-laden items fail on `text` naming the NULs; the stream goes on.
#[tokio::test]
async fn nul_laden_items_fail() {
    let f = Fixture::new().await;
    let mut with_nul = STORY.to_owned();
    with_nul.insert(40, '\0');
    let results = ingest(
        &mut f.client(),
        vec![
            ingest_item("bad\0bytes in here", "nul"),
            ingest_item(&"\0".repeat(10_000), "all-nul"),
            ingest_item(&with_nul, "story-with-nul"),
            ingest_item(STORY, "after"),
        ],
    )
    .await;
    for r in &results[..3] {
        assert_failed(r, Code::InvalidArgument, "text", "contains NUL characters");
    }
    assert_created(&results[3]);
    f.intact(6).await;
}

/// 32. Bad metadata in an item (date, over-long url) fails naming the field.
#[tokio::test]
async fn bad_ingest_metadata_fails_naming_the_field() {
    let f = Fixture::new().await;
    let results = ingest(
        &mut f.client(),
        vec![
            pb::IngestArticlesRequest {
                published: "soon".into(),
                ..ingest_item(STORY, "date")
            },
            pb::IngestArticlesRequest {
                published: "2023-02-29".into(),
                ..ingest_item(STORY, "not-leap")
            },
            pb::IngestArticlesRequest {
                url: format!("https://example.org/{}", "u".repeat(600)),
                ..ingest_item(STORY, "url")
            },
        ],
    )
    .await;
    assert_failed(&results[0], Code::InvalidArgument, "published", "\"soon\"");
    assert_failed(
        &results[1],
        Code::InvalidArgument,
        "published",
        "2023-02-29",
    );
    assert_failed(&results[2], Code::InvalidArgument, "url", "longer than 512");
    f.intact(5).await;
}

/// 33. An item over the article size limit fails with RESOURCE_EXHAUSTED on
/// `text` (saying the size and the limit) and the stream goes on.
#[tokio::test]
async fn over_size_items_are_resource_exhausted_and_the_stream_goes_on() {
    let app = spawn_app_with(
        Some(seeds_dir()),
        ServerOptions::default(),
        Limits {
            max_article_bytes: 64 * 1024,
        },
    )
    .await;
    let f = Fixture::with(app).await;
    let big = format!("A headline\n\n{}", "Words words words. ".repeat(30_000));
    let results = ingest(
        &mut f.client(),
        vec![
            ingest_item(STORY, "before"),
            ingest_item(&big, "big"),
            ingest_item(OTHER_STORY, "after"),
        ],
    )
    .await;
    assert_created(&results[0]);
    assert_failed(
        &results[1],
        Code::ResourceExhausted,
        "text",
        &format!("text is too large: {} bytes, limit 65536", big.len()),
    );
    assert_created(&results[2]);
    f.intact(7).await;
}

/// 34. A 50 MB item (the message limit raised so it arrives) fails with
/// RESOURCE_EXHAUSTED and the stream goes on.
#[tokio::test]
async fn a_50_mb_item_is_resource_exhausted_and_the_stream_goes_on() {
    let _turn = HEAVY.lock().await;
    let app = spawn_app_with(
        Some(seeds_dir()),
        ServerOptions {
            max_message_bytes: 64 * 1024 * 1024,
            ..Default::default()
        },
        Limits::default(),
    )
    .await;
    let f = Fixture::with(app).await;
    let huge = "x".repeat(50 * 1024 * 1024);
    let started = Instant::now();
    let results = ingest(
        &mut f.client(),
        vec![ingest_item(&huge, "huge"), ingest_item(STORY, "after")],
    )
    .await;
    drop(huge);
    assert_failed(
        &results[0],
        Code::ResourceExhausted,
        "text",
        "text is too large: 52428800 bytes, limit 2097152",
    );
    assert_created(&results[1]);
    assert!(started.elapsed() < Duration::from_secs(20));
    f.intact(6).await;
}

/// 35. A message over the server's decode limit ends the ingest stream with
/// OUT_OF_RANGE (tonic's answer) saying the size and the limit; the items
/// before it are kept, and a new stream works.
#[tokio::test]
async fn an_ingest_message_over_the_decode_limit_ends_the_stream() {
    let app = spawn_app_with(
        Some(seeds_dir()),
        ServerOptions {
            max_message_bytes: 1024 * 1024,
            ..Default::default()
        },
        Limits::default(),
    )
    .await;
    let f = Fixture::with(app).await;
    let mut client = f.client();
    let over = ingest_item(&"y".repeat(2 * 1024 * 1024), "over");
    let over_len = prost::Message::encoded_len(&over);
    let mut stream = client
        .ingest_articles(tokio_stream::iter(vec![
            ingest_item(STORY, "before"),
            over,
            ingest_item(OTHER_STORY, "never-read"),
        ]))
        .await
        .unwrap()
        .into_inner();
    let first = stream.next().await.unwrap().unwrap();
    assert_eq!(first.client_ref, "before");
    assert_created(&first);
    let status = stream.next().await.unwrap().unwrap_err();
    assert_status(
        &status,
        Code::OutOfRange,
        &format!(
            "decoded message length too large: found {over_len} bytes, the limit is: 1048576 bytes"
        ),
    );
    assert!(stream.next().await.is_none(), "the stream ended");
    let results = ingest(&mut client, vec![ingest_item(OTHER_STORY, "new-stream")]).await;
    assert_created(&results[0]);
    f.intact(7).await;
}

/// 36. A unary request over the decode limit is OUT_OF_RANGE too.
#[tokio::test]
async fn a_unary_message_over_the_decode_limit_is_out_of_range() {
    let app = spawn_app_with(
        Some(seeds_dir()),
        ServerOptions {
            max_message_bytes: 1024 * 1024,
            ..Default::default()
        },
        Limits::default(),
    )
    .await;
    let f = Fixture::with(app).await;
    let request = pb::GetArticleRequest {
        id: "x".repeat(2 * 1024 * 1024),
        view: 0,
    };
    let len = prost::Message::encoded_len(&request);
    let status = f.client().get_article(request).await.unwrap_err();
    assert_status(
        &status,
        Code::OutOfRange,
        &format!(
            "decoded message length too large: found {len} bytes, the limit is: 1048576 bytes"
        ),
    );
    f.intact(5).await;
}

/// 37. A valid article sent twice (in one stream, then again in another)
/// is DUPLICATE with the same id and stored once.
#[tokio::test]
async fn a_duplicate_article_is_stored_once() {
    let f = Fixture::new().await;
    let mut client = f.client();
    let results = ingest(
        &mut client,
        vec![ingest_item(STORY, "first"), ingest_item(STORY, "second")],
    )
    .await;
    assert_created(&results[0]);
    assert_eq!(results[1].status, pb::IngestStatus::Duplicate as i32);
    assert_eq!(results[1].article_id, results[0].article_id);
    // Same body, different layout: still the same article. (The same body
    // from another outlet is another article: see
    // reliability::the_same_text_from_another_outlet_is_a_new_article_marked_as_a_copy.)
    let reflowed = ingest_item(&STORY.replace("harbour board", "harbour  board"), "third");
    let again = ingest(&mut client, vec![reflowed]).await;
    assert_eq!(again[0].status, pb::IngestStatus::Duplicate as i32);
    assert_eq!(again[0].article_id, results[0].article_id);
    let stats = client
        .get_corpus_stats(pb::GetCorpusStatsRequest {})
        .await
        .unwrap()
        .into_inner();
    assert_eq!(stats.duplicates_ignored, 2);
    let stored = client
        .get_article(pb::GetArticleRequest {
            id: results[0].article_id.clone(),
            view: 0,
        })
        .await
        .unwrap()
        .into_inner();
    assert!(stored.outlet.is_empty(), "the duplicate did not alter it");
    f.intact(6).await;
}

/// 38. RTL and mixed-script text is stored exactly and is searchable.
#[tokio::test]
async fn rtl_and_mixed_script_text_is_stored_exactly() {
    let f = Fixture::new().await;
    let mut client = f.client();
    let text = "مرحبا بالعالم في المدينة القديمة.\n\n\u{200f}שלום עולם — Hello \u{200b}world, 你好世界, Ελληνικά, кириллица.\n\nالاجتماع انتهى \u{202b}بنجاح\u{202c} said Ahmad Karimi.";
    let results = ingest(&mut client, vec![ingest_item(text, "rtl")]).await;
    assert_created(&results[0]);
    let article = client
        .get_article(pb::GetArticleRequest {
            id: results[0].article_id.clone(),
            view: 0,
        })
        .await
        .unwrap()
        .into_inner();
    let everything = format!("{}\n{}", article.title, article.body);
    for part in [
        "مرحبا بالعالم",
        "\u{200f}שלום עולם",
        "你好世界",
        "Ελληνικά",
        "\u{202b}بنجاح\u{202c}",
    ] {
        assert!(everything.contains(part), "{part:?} not in {everything:?}");
    }
    // Search is near-real-time: an ingest is searchable within the refresh
    // interval (0.5 s), so poll briefly.
    let mut hits = Vec::new();
    for _ in 0..40 {
        hits = outcome(client.search_articles(pb::SearchArticlesRequest {
            query: "بالعالم".into(),
            ..Default::default()
        }))
        .await
        .unwrap();
        if !hits.is_empty() {
            break;
        }
        tokio::time::sleep(std::time::Duration::from_millis(100)).await;
    }
    assert_eq!(hits.len(), 1);
    assert_eq!(hits[0].article_id, results[0].article_id);
    f.intact(6).await;
}

// --- streams, cancellation, deadlines ----------------------------------------------------

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
