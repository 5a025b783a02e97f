//! The `newscorpus.v1.CorpusService` adapter: validate and convert the
//! request, call the corpus, convert the answer. Streams are produced page by
//! page into a bounded channel, so a slow client applies backpressure and a
//! client that goes away (or a server shutdown) stops the work behind it.

use std::future::Future;
use std::pin::Pin;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Arc;

use futures::StreamExt;
use tokio::sync::{mpsc, OwnedSemaphorePermit, Semaphore};
use tokio::time::Instant;
use tokio_stream::wrappers::ReceiverStream;
use tokio_util::sync::CancellationToken;
use tonic::{Request, Response, Status, Streaming};
use tracing::instrument;

use super::auth::{Access, Tokens};
use super::convert::{self, MAX_QUERY_LEN};
use super::cursor;
use super::offsets;
use super::pb;
use super::pb::corpus_service_server::CorpusService;
use crate::corpus::{Corpus, RawArticle};
use crate::error::{status, Error};
use crate::store::{
    ArticleDraft, ArticleFilter, EntityFilter, EntityPos, ItemPos, RelationQuery, SearchQuery,
    StoryFilter, StoryPos,
};

/// Most items fetched from the store per page (pages are also sized to the
/// stream's byte budget, see [`Pacer`]).
const PAGE: usize = 512;
/// Ingest responses buffered per stream before the producer waits for the
/// client (each is a few hundred bytes).
const STREAM_BUFFER: usize = 64;
/// Ingest items of one stream extracted concurrently.
const INGEST_PIPELINE: usize = 8;
/// Most ingest items stored in one insert. Below the store's bulk size, so
/// API ingests stay searchable within the refresh interval.
const INGEST_BATCH: usize = 32;
/// Items in the first page of a stream, before their size is known: small
/// items (hits, entities, mentions, quotes, BASIC articles) are a few KiB at
/// most, so a first page of them stays far inside any budget.
const FIRST_PAGE: usize = 64;
/// The first page of whole articles is one article: an article may be
/// megabytes, and the second page is sized from the first.
const FIRST_PAGE_OF_ARTICLES: usize = 1;

type BoxFuture<T> = Pin<Box<dyn Future<Output = T> + Send>>;
type ResponseStream<T> = ReceiverStream<Result<T, Status>>;
/// A listing stream: items travel from the producer task in chunks, so a
/// client reading millions of items costs one channel hand-off (and task
/// wake-up) per chunk instead of per item.
type ChunkedStream<T> = futures::stream::FlatMap<
    ReceiverStream<Result<Vec<T>, Status>>,
    futures::stream::Iter<std::vec::IntoIter<Result<T, Status>>>,
    fn(Result<Vec<T>, Status>) -> futures::stream::Iter<std::vec::IntoIter<Result<T, Status>>>,
>;

/// Most items per chunk of a listing stream (chunks are also cut at the
/// stream's byte share, see [`Pacer`]).
const CHUNK: usize = 256;

fn unchunk<T>(
    chunk: Result<Vec<T>, Status>,
) -> futures::stream::Iter<std::vec::IntoIter<Result<T, Status>>> {
    let items: Vec<Result<T, Status>> = match chunk {
        Ok(items) => items.into_iter().map(Ok).collect(),
        Err(status) => vec![Err(status)],
    };
    futures::stream::iter(items)
}

/// Keeps what one response stream holds in memory under its byte budget.
///
/// A stream's items sit in three places: the page being converted by the
/// producer, one chunk in the channel, and the chunk the transport is
/// draining. Each gets a third of the budget: chunks are cut when their
/// encoded size reaches it, and pages are sized from the average item size
/// seen so far. So a client that never reads pins about the budget plus one
/// item per place, whatever the articles' size (plus what the HTTP/2 layer
/// buffers, at most its send buffer of 400 KiB, and nothing when the client's
/// window is closed).
struct Pacer {
    share: usize,
    page_items: usize,
}

impl Pacer {
    fn new(budget: usize, first_page: usize) -> Self {
        Pacer {
            share: (budget / 3).max(1),
            page_items: first_page.clamp(1, PAGE),
        }
    }

    /// The first page size for articles in `view`.
    fn first_page_of(view: pb::ArticleView) -> usize {
        if view == pb::ArticleView::Basic {
            FIRST_PAGE
        } else {
            FIRST_PAGE_OF_ARTICLES
        }
    }

    /// Items to ask for next, at most `remaining`.
    fn page(&self, remaining: usize) -> usize {
        self.page_items.min(remaining).max(1)
    }

    /// Learns from a page of `items` that encoded to `bytes`.
    fn observe(&mut self, items: usize, bytes: usize) {
        if let Some(average) = bytes.checked_div(items) {
            self.page_items = (self.share / average.max(1)).clamp(1, PAGE);
        }
    }
}

/// Converts `items` with `respond` and sends them in chunks cut at the
/// pacer's share; false when the stream must stop (client gone, shutdown,
/// deadline). Returns the encoded bytes sent.
async fn send_chunks<P, T, R>(
    tx: &mpsc::Sender<Result<Vec<R>, Status>>,
    scope: &StreamScope,
    share: usize,
    items: Vec<(P, T)>,
    after: &mut Option<P>,
    respond: &(impl Fn(T, &P) -> R + Send),
) -> Option<usize>
where
    R: prost::Message,
{
    let mut total = 0;
    let mut chunk = Vec::new();
    let mut bytes = 0;
    let mut items = items.into_iter().peekable();
    while let Some((pos, item)) = items.next() {
        let response = respond(item, &pos);
        *after = Some(pos);
        bytes += response.encoded_len();
        chunk.push(response);
        if bytes >= share || chunk.len() >= CHUNK || items.peek().is_none() {
            total += bytes;
            bytes = 0;
            let full = std::mem::take(&mut chunk);
            let sent = tokio::select! {
                sent = tx.send(Ok(full)) => sent.is_ok(),
                status = scope.ended() => {
                    let _ = tx.try_send(Err(status));
                    false
                }
            };
            if !sent {
                return None;
            }
        }
    }
    Some(total)
}

/// Serving options the adapter enforces.
#[derive(Debug, Clone)]
pub struct ServiceOptions {
    /// Largest `limit` a request may ask for.
    pub max_limit: usize,
    /// Most response streams open at once, server-wide; more get
    /// RESOURCE_EXHAUSTED instead of queueing.
    pub max_open_streams: usize,
    /// Accepted bearer tokens; `None` lets everyone in.
    pub auth: Option<Arc<Tokens>>,
    /// Bytes of responses one stream may hold in the server's queues (plus
    /// about one item per stage), so a client that stops reading pins a
    /// bounded amount of memory.
    pub max_stream_buffer_bytes: usize,
    /// Bytes all open streams may hold together: each stream reserves its
    /// `max_stream_buffer_bytes` from it when it opens, and a stream that
    /// would go past it gets RESOURCE_EXHAUSTED.
    pub stream_memory_budget_bytes: usize,
}

/// Default of [`ServiceOptions::max_stream_buffer_bytes`]: 1 MiB.
pub const DEFAULT_STREAM_BUFFER_BYTES: usize = 1 << 20;
/// Default of [`ServiceOptions::stream_memory_budget_bytes`]: 1 GiB.
pub const DEFAULT_STREAM_MEMORY_BUDGET_BYTES: usize = 1 << 30;

impl Default for ServiceOptions {
    fn default() -> Self {
        ServiceOptions {
            max_limit: 1_000_000,
            max_open_streams: 1024,
            auth: None,
            max_stream_buffer_bytes: DEFAULT_STREAM_BUFFER_BYTES,
            stream_memory_budget_bytes: DEFAULT_STREAM_MEMORY_BUDGET_BYTES,
        }
    }
}

/// The memory budget is counted in KiB: a semaphore holds at most
/// `u32::MAX` permits per acquisition.
const BUDGET_UNIT: usize = 1024;

/// What a streaming call's producer carries: it ends on shutdown or at the
/// client's deadline, and holds one of the open-stream permits while alive.
struct StreamScope {
    shutdown: CancellationToken,
    deadline: Option<Instant>,
    /// Bytes the stream may hold in its queues.
    budget: usize,
    _permit: OwnedSemaphorePermit,
    _memory: OwnedSemaphorePermit,
}

impl StreamScope {
    /// Resolves when the stream must stop, with the status to end it with.
    async fn ended(&self) -> Status {
        let deadline = async {
            match self.deadline {
                Some(at) => tokio::time::sleep_until(at).await,
                None => std::future::pending().await,
            }
        };
        tokio::select! {
            _ = self.shutdown.cancelled() => status(tonic::Code::Unavailable, "SHUTTING_DOWN", "server is shutting down; resume with the last cursor"),
            _ = deadline => status(tonic::Code::DeadlineExceeded, "DEADLINE_EXCEEDED", "deadline exceeded; resume with the last cursor"),
        }
    }
}

/// The client's deadline, from the `grpc-timeout` header.
fn deadline(metadata: &tonic::metadata::MetadataMap) -> Option<Instant> {
    let timeout = super::deadline::parse_timeout(metadata.get("grpc-timeout")?.to_str().ok()?)?;
    Instant::now().checked_add(timeout)
}

/// The CorpusService implementation.
pub struct CorpusApi {
    corpus: Arc<Corpus>,
    options: ServiceOptions,
    ready: Arc<AtomicBool>,
    shutdown: CancellationToken,
    streams: Arc<Semaphore>,
    /// The streams' memory budget, in KiB.
    memory: Arc<Semaphore>,
}

impl CorpusApi {
    /// An adapter over a corpus. Calls fail with UNAVAILABLE until `ready` is
    /// set; streams end with UNAVAILABLE when `shutdown` is cancelled.
    pub fn new(
        corpus: Arc<Corpus>,
        options: ServiceOptions,
        ready: Arc<AtomicBool>,
        shutdown: CancellationToken,
    ) -> Self {
        let streams = Arc::new(Semaphore::new(options.max_open_streams.max(1)));
        let memory = Arc::new(Semaphore::new(
            (options.stream_memory_budget_bytes / BUDGET_UNIT).clamp(1, Semaphore::MAX_PERMITS),
        ));
        CorpusApi {
            corpus,
            options,
            ready,
            shutdown,
            streams,
            memory,
        }
    }

    /// Common admission for every call: ready, authorised.
    fn admit<T>(&self, request: &Request<T>, access: Access) -> Result<(), Status> {
        self.check_ready()?;
        if let Some(tokens) = &self.options.auth {
            tokens.authorize(request.metadata(), access)?;
        }
        Ok(())
    }

    /// Admission for a streaming call: also takes an open-stream permit.
    fn admit_stream<T>(&self, request: &Request<T>, access: Access) -> Result<StreamScope, Status> {
        self.admit(request, access)?;
        let permit = self.streams.clone().try_acquire_owned().map_err(|_| {
            Error::Exhausted(format!(
                "too many open streams (limit {}); retry later",
                self.options.max_open_streams
            ))
        })?;
        let budget = self.options.max_stream_buffer_bytes.max(BUDGET_UNIT);
        let units = u32::try_from(budget.div_ceil(BUDGET_UNIT)).unwrap_or(u32::MAX);
        let memory = self
            .memory
            .clone()
            .try_acquire_many_owned(units)
            .map_err(|_| {
                Error::Exhausted(format!(
                "the open streams hold their memory budget ({} bytes, {} per stream); retry later",
                self.options.stream_memory_budget_bytes, self.options.max_stream_buffer_bytes
            ))
            })?;
        Ok(StreamScope {
            shutdown: self.shutdown.clone(),
            deadline: deadline(request.metadata()),
            budget,
            _permit: permit,
            _memory: memory,
        })
    }

    fn check_ready(&self) -> Result<(), Status> {
        if self.shutdown.is_cancelled() {
            return Err(status(
                tonic::Code::Unavailable,
                "SHUTTING_DOWN",
                "server is shutting down",
            ));
        }
        if !self.ready.load(Ordering::Acquire) {
            return Err(status(
                tonic::Code::Unavailable,
                "NOT_READY",
                "corpus is still loading; retry shortly",
            ));
        }
        Ok(())
    }

    fn limit(&self, value: i32) -> Result<Option<usize>, Status> {
        Ok(convert::limit(value, self.options.max_limit)?)
    }
}

/// Streams pages from `fetch` (called with the last position sent and a page
/// size) until it runs dry, `limit` items were sent, the client goes away or
/// the server shuts down; what it holds stays within the scope's budget.
fn paged<P, T, R>(
    start: Option<P>,
    limit: Option<usize>,
    scope: StreamScope,
    first_page: usize,
    fetch: impl Fn(Option<P>, usize) -> BoxFuture<Result<Vec<(P, T)>, Error>> + Send + 'static,
    respond: impl Fn(T, &P) -> R + Send + Sync + 'static,
) -> ChunkedStream<R>
where
    P: Clone + Send + Sync + 'static,
    T: Send + 'static,
    R: prost::Message + Send + 'static,
{
    let (tx, rx) = mpsc::channel::<Result<Vec<R>, Status>>(1);
    tokio::spawn(async move {
        let mut pacer = Pacer::new(scope.budget, first_page);
        let mut after = start;
        let mut remaining = limit.unwrap_or(usize::MAX);
        while remaining > 0 {
            let want = pacer.page(remaining);
            let page = tokio::select! {
                page = fetch(after.clone(), want) => page,
                status = scope.ended() => {
                    let _ = tx.send(Err(status)).await;
                    return;
                }
                _ = tx.closed() => return,
            };
            let items = match page {
                Ok(items) => items,
                Err(error) => {
                    let _ = tx.send(Err(error.into())).await;
                    return;
                }
            };
            let (count, exhausted) = (items.len(), items.len() < want);
            remaining -= count;
            let Some(bytes) =
                send_chunks(&tx, &scope, pacer.share, items, &mut after, &respond).await
            else {
                return;
            };
            pacer.observe(count, bytes);
            if exhausted {
                return;
            }
        }
    });
    ReceiverStream::new(rx).flat_map(unchunk as fn(_) -> _)
}

/// [`paged`] over a ranked listing read by offset (search hits, related
/// entities): items are numbered so that each response's cursor can name
/// the offset just after it.
fn offset_paged<T, R>(
    start: usize,
    limit: Option<usize>,
    scope: StreamScope,
    fetch: impl Fn(usize, usize) -> BoxFuture<Result<Vec<T>, Error>> + Send + Sync + 'static,
    respond: impl Fn(T, &usize) -> R + Send + Sync + 'static,
) -> ChunkedStream<R>
where
    T: Send + 'static,
    R: prost::Message + Send + 'static,
{
    let fetch = Arc::new(fetch);
    paged(
        Some(start),
        limit,
        scope,
        FIRST_PAGE,
        move |after: Option<usize>, max| {
            let fetch = fetch.clone();
            Box::pin(async move {
                let offset = after.unwrap_or(0);
                let page = fetch(offset, max).await?;
                Ok(page
                    .into_iter()
                    .enumerate()
                    .map(|(i, item)| (offset + i + 1, item))
                    .collect())
            })
        },
        respond,
    )
}

#[tonic::async_trait]
impl CorpusService for CorpusApi {
    // Debug level: a span per call costs more than the look-up itself.
    #[instrument(level = "debug", skip(self, request), fields(id = %request.get_ref().id))]
    async fn get_article(
        &self,
        request: Request<pb::GetArticleRequest>,
    ) -> Result<Response<pb::Article>, Status> {
        self.admit(&request, Access::Read)?;
        let r = request.into_inner();
        let id = convert::required("id", &r.id)?;
        let view = convert::view(r.view)?;
        let article = self.corpus.article(&id).await?;
        Ok(Response::new(convert::article(article, view)))
    }

    type ListArticlesStream = ChunkedStream<pb::Article>;

    #[instrument(skip(self, request))]
    async fn list_articles(
        &self,
        request: Request<pb::ListArticlesRequest>,
    ) -> Result<Response<Self::ListArticlesStream>, Status> {
        let scope = self.admit_stream(&request, Access::Read)?;
        let r = request.into_inner();
        let filter = ArticleFilter::try_from(r.filter)?;
        let limit = self.limit(r.limit)?;
        let view = convert::view(r.view)?;
        let start = match cursor::given(&r.cursor)? {
            Some(c) => cursor::parse_article(c)?,
            None => 0,
        };
        let store = self.corpus.store().clone();
        let filter = Arc::new(filter);
        Ok(Response::new(paged(
            Some(start),
            limit,
            scope,
            Pacer::first_page_of(view),
            move |after, max| {
                let (store, filter) = (store.clone(), filter.clone());
                Box::pin(async move {
                    let page = store.articles(&filter, after.unwrap_or(0), max).await?;
                    Ok(page.into_iter().map(|a| (a.seq, a)).collect())
                })
            },
            move |a, seq| pb::Article {
                cursor: cursor::article(*seq),
                ..convert::article(a, view)
            },
        )))
    }

    type SearchArticlesStream = ChunkedStream<pb::SearchHit>;

    #[instrument(skip(self, request), fields(query = %request.get_ref().query))]
    async fn search_articles(
        &self,
        request: Request<pb::SearchArticlesRequest>,
    ) -> Result<Response<Self::SearchArticlesStream>, Status> {
        let scope = self.admit_stream(&request, Access::Read)?;
        let r = request.into_inner();
        let text = r.query.trim().to_owned();
        if text.is_empty() {
            return Err(Error::invalid_as(
                crate::error::Invalid::Required,
                "query",
                "must not be empty",
            )
            .into());
        }
        if text.len() > MAX_QUERY_LEN {
            return Err(
                Error::invalid("query", format!("longer than {MAX_QUERY_LEN} bytes")).into(),
            );
        }
        let filter = ArticleFilter::try_from(r.filter)?;
        let limit = self.limit(r.limit)?;
        let encoding = offsets::encoding(r.offset_encoding)?;
        // The cursor is tied to the query and filter it was issued for.
        let fingerprint = format!("{text}\u{1f}{filter:?}");
        let start = match cursor::given(&r.cursor)? {
            Some(c) => cursor::parse_search(&fingerprint, c)?,
            None => 0,
        };
        let query = Arc::new(SearchQuery {
            text,
            filter,
            max_snippets: r.max_snippets.clamp(1, 10) as usize,
        });
        let store = self.corpus.store().clone();
        // Surface syntax errors as the call's status rather than mid-stream.
        store.validate_query(&query.text)?;
        Ok(Response::new(offset_paged(
            start,
            limit,
            scope,
            move |offset, max| {
                let (store, query) = (store.clone(), query.clone());
                Box::pin(async move { store.search(&query, offset, max).await })
            },
            move |mut hit, next| {
                for snippet in &mut hit.snippets {
                    let mut spans: Vec<&mut crate::model::Span> =
                        snippet.highlights.iter_mut().collect();
                    offsets::reencode(&snippet.text, &mut spans, encoding);
                }
                let mut hit: pb::SearchHit = hit.into();
                for snippet in &mut hit.snippets {
                    for span in &mut snippet.highlights {
                        span.encoding = encoding as i32;
                    }
                }
                pb::SearchHit {
                    cursor: cursor::search(&fingerprint, *next),
                    ..hit
                }
            },
        )))
    }

    #[instrument(level = "debug", skip(self, request))]
    async fn get_entity(
        &self,
        request: Request<pb::GetEntityRequest>,
    ) -> Result<Response<pb::Entity>, Status> {
        self.admit(&request, Access::Read)?;
        use pb::get_entity_request::Selector;
        let (id, name) = match request.into_inner().selector {
            Some(Selector::Id(id)) => (convert::required("id", &id)?, String::new()),
            Some(Selector::Name(name)) => (String::new(), convert::required("name", &name)?),
            None => {
                return Err(Error::invalid_as(
                    crate::error::Invalid::Required,
                    "selector",
                    "set `id` or `name`",
                )
                .into())
            }
        };
        let entity = self.corpus.entity(&id, &name).await?;
        Ok(Response::new(entity.into()))
    }

    type ListEntitiesStream = ChunkedStream<pb::Entity>;

    #[instrument(skip(self, request))]
    async fn list_entities(
        &self,
        request: Request<pb::ListEntitiesRequest>,
    ) -> Result<Response<Self::ListEntitiesStream>, Status> {
        let scope = self.admit_stream(&request, Access::Read)?;
        let r = request.into_inner();
        let filter = Arc::new(EntityFilter::try_from(&r)?);
        let limit = self.limit(r.limit)?;
        let store = self.corpus.store().clone();
        let start = match cursor::given(&r.cursor)?
            .map(cursor::parse_entity)
            .transpose()?
        {
            Some(mut given) => {
                if given.name_cut {
                    // Put the whole name back; if the entity is gone or
                    // renamed, the cut name still resumes in order (at worst
                    // repeating entities whose names share its start).
                    if let Some(entity) = store.entity(&given.pos.id).await? {
                        if entity.name.starts_with(&given.pos.name) {
                            given.pos.name = entity.name;
                        }
                    }
                }
                Some(given.pos)
            }
            None => None,
        };
        Ok(Response::new(paged(
            start,
            limit,
            scope,
            FIRST_PAGE,
            move |after: Option<EntityPos>, max| {
                let (store, filter) = (store.clone(), filter.clone());
                Box::pin(async move {
                    let page = store.entities(&filter, after.as_ref(), max).await?;
                    Ok(page.into_iter().map(|e| (EntityPos::of(&e), e)).collect())
                })
            },
            |e, pos| pb::Entity {
                cursor: cursor::entity(pos),
                ..e.into()
            },
        )))
    }

    type ListMentionsStream = ChunkedStream<pb::Mention>;

    #[instrument(skip(self, request))]
    async fn list_mentions(
        &self,
        request: Request<pb::ListMentionsRequest>,
    ) -> Result<Response<Self::ListMentionsStream>, Status> {
        let scope = self.admit_stream(&request, Access::Read)?;
        let r = request.into_inner();
        let filter = Arc::new(crate::store::MentionFilter::try_from(&r)?);
        let limit = self.limit(r.limit)?;
        let start = cursor::given(&r.cursor)?
            .map(|c| cursor::parse_item("mention", c))
            .transpose()?;
        let encoding = offsets::encoding(r.offset_encoding)?;
        let store = self.corpus.store().clone();
        Ok(Response::new(paged(
            start,
            limit,
            scope,
            FIRST_PAGE,
            move |after: Option<ItemPos>, max| {
                let (store, filter) = (store.clone(), filter.clone());
                Box::pin(async move {
                    let mut page = store.mentions(&filter, after, max).await?;
                    in_units(&*store, &mut page, encoding, |m| {
                        (&m.article_id, &mut m.span)
                    })
                    .await?;
                    Ok(page)
                })
            },
            move |m, pos| pb::Mention {
                cursor: cursor::item("mention", *pos),
                span: Some(offsets::to_pb(m.span, encoding)),
                ..m.into()
            },
        )))
    }

    type ListQuotesStream = ChunkedStream<pb::Quote>;

    #[instrument(skip(self, request))]
    async fn list_quotes(
        &self,
        request: Request<pb::ListQuotesRequest>,
    ) -> Result<Response<Self::ListQuotesStream>, Status> {
        let scope = self.admit_stream(&request, Access::Read)?;
        let r = request.into_inner();
        let filter = Arc::new(crate::store::QuoteFilter::try_from(&r)?);
        let limit = self.limit(r.limit)?;
        let start = cursor::given(&r.cursor)?
            .map(|c| cursor::parse_item("quote", c))
            .transpose()?;
        let encoding = offsets::encoding(r.offset_encoding)?;
        let store = self.corpus.store().clone();
        Ok(Response::new(paged(
            start,
            limit,
            scope,
            FIRST_PAGE,
            move |after: Option<ItemPos>, max| {
                let (store, filter) = (store.clone(), filter.clone());
                Box::pin(async move {
                    let mut page = store.quotes(&filter, after, max).await?;
                    in_units(&*store, &mut page, encoding, |q| {
                        (&q.article_id, &mut q.span)
                    })
                    .await?;
                    Ok(page)
                })
            },
            move |q, pos| pb::Quote {
                cursor: cursor::item("quote", *pos),
                span: Some(offsets::to_pb(q.span, encoding)),
                ..q.into()
            },
        )))
    }

    #[instrument(level = "debug", skip(self, request))]
    async fn get_quote(
        &self,
        request: Request<pb::GetQuoteRequest>,
    ) -> Result<Response<pb::Quote>, Status> {
        self.admit(&request, Access::Read)?;
        let r = request.into_inner();
        let id = convert::required("id", &r.id)?;
        let encoding = offsets::encoding(r.offset_encoding)?;
        // `<article id>/q<n>`: the article's quotes hold it, if anything does.
        let article_id = id
            .rsplit_once("/q")
            .filter(|(article, n)| {
                !article.is_empty() && !n.is_empty() && n.bytes().all(|b| b.is_ascii_digit())
            })
            .map(|(article, _)| article.to_owned())
            .ok_or_else(|| {
                Error::invalid(
                    "id",
                    format!("{id:?} is not a quote id (`<article id>/q<n>`)"),
                )
            })?;
        let filter = crate::store::QuoteFilter {
            article_id: Some(article_id),
            ..Default::default()
        };
        let store = self.corpus.store();
        let mut quotes = store.quotes(&filter, None, usize::MAX).await?;
        quotes.retain(|(_, q)| q.id == id);
        in_units(&**store, &mut quotes, encoding, |q| {
            (&q.article_id, &mut q.span)
        })
        .await?;
        let (pos, quote) = quotes.pop().ok_or_else(|| Error::not_found("quote", id))?;
        Ok(Response::new(pb::Quote {
            cursor: cursor::item("quote", pos),
            span: Some(offsets::to_pb(quote.span, encoding)),
            ..quote.into()
        }))
    }

    #[instrument(skip(self, request))]
    async fn get_corpus_stats(
        &self,
        request: Request<pb::GetCorpusStatsRequest>,
    ) -> Result<Response<pb::GetCorpusStatsResponse>, Status> {
        self.admit(&request, Access::Read)?;
        let stats = self.corpus.store().stats().await?;
        let report = self.corpus.load_report();
        Ok(Response::new(pb::GetCorpusStatsResponse {
            article_count: stats.articles,
            entity_count: stats.entities_by_type.iter().map(|(_, n)| n).sum(),
            entities_by_type: stats
                .entities_by_type
                .iter()
                .map(|&(t, count)| pb::EntityTypeCount {
                    r#type: convert::entity_type_to_pb(t) as i32,
                    count,
                })
                .collect(),
            mention_count: stats.mentions,
            quote_count: stats.quotes,
            files_loaded: report.loaded,
            files_skipped: report.skipped.len() as u64,
            skipped_files: report
                .skipped
                .into_iter()
                .map(|s| pb::SkippedFile {
                    source: s.source,
                    reason: s.reason,
                })
                .collect(),
            duplicates_ignored: stats.duplicates,
            corroborated_quote_count: stats.corroborated_quotes,
        }))
    }

    #[instrument(level = "debug", skip(self, request), fields(id = %request.get_ref().id))]
    async fn get_story(
        &self,
        request: Request<pb::GetStoryRequest>,
    ) -> Result<Response<pb::Story>, Status> {
        self.admit(&request, Access::Read)?;
        let id = convert::required("id", &request.get_ref().id)?;
        let story = self
            .corpus
            .store()
            .story(&id)
            .await?
            .ok_or_else(|| Error::not_found("story", id))?;
        Ok(Response::new(story.into()))
    }

    type ListStoriesStream = ChunkedStream<pb::Story>;

    #[instrument(skip(self, request))]
    async fn list_stories(
        &self,
        request: Request<pb::ListStoriesRequest>,
    ) -> Result<Response<Self::ListStoriesStream>, Status> {
        let scope = self.admit_stream(&request, Access::Read)?;
        let r = request.into_inner();
        let filter = Arc::new(StoryFilter {
            articles: convert::article_filter("filter", r.filter.as_ref())?,
            min_articles: r.min_articles,
            order: convert::story_order(r.order)?,
        });
        let limit = self.limit(r.limit)?;
        let start = cursor::given(&r.cursor)?
            .map(cursor::parse_story)
            .transpose()?;
        let store = self.corpus.store().clone();
        Ok(Response::new(paged(
            start,
            limit,
            scope,
            FIRST_PAGE,
            move |after: Option<StoryPos>, max| {
                let (store, filter) = (store.clone(), filter.clone());
                Box::pin(async move { store.stories(&filter, after.as_ref(), max).await })
            },
            |story, pos| pb::Story {
                cursor: cursor::story(pos),
                ..story.into()
            },
        )))
    }

    type ListRelatedEntitiesStream = ChunkedStream<pb::EntityRelation>;

    #[instrument(skip(self, request), fields(entity = %request.get_ref().entity))]
    async fn list_related_entities(
        &self,
        request: Request<pb::ListRelatedEntitiesRequest>,
    ) -> Result<Response<Self::ListRelatedEntitiesStream>, Status> {
        let scope = self.admit_stream(&request, Access::Read)?;
        let r = request.into_inner();
        let entity = match convert::optional("entity", &r.entity)? {
            Some(wanted) => Some(self.corpus.entity(&wanted, "").await?.id),
            None => None,
        };
        let query = Arc::new(RelationQuery {
            entity,
            articles: convert::article_filter("filter", r.filter.as_ref())?,
            entity_type: convert::entity_type_filter(r.r#type)?,
            min_articles: r.min_articles,
            order: convert::relation_order(r.order)?,
        });
        let limit = self.limit(r.limit)?;
        // The cursor is tied to the listing it was issued for.
        let fingerprint = format!("{query:?}");
        let start = match cursor::given(&r.cursor)? {
            Some(c) => cursor::parse_relation(&fingerprint, c)?,
            None => 0,
        };
        let store = self.corpus.store().clone();
        Ok(Response::new(offset_paged(
            start,
            limit,
            scope,
            move |offset, max| {
                let (store, query) = (store.clone(), query.clone());
                Box::pin(async move { store.related_entities(&query, offset, max).await })
            },
            move |relation, next| pb::EntityRelation {
                cursor: cursor::relation(&fingerprint, *next),
                ..relation.into()
            },
        )))
    }

    #[instrument(skip(self, request), fields(query = %request.get_ref().query))]
    async fn aggregate_articles(
        &self,
        request: Request<pb::AggregateArticlesRequest>,
    ) -> Result<Response<pb::AggregateArticlesResponse>, Status> {
        self.admit(&request, Access::Read)?;
        let r = request.into_inner();
        let facets = convert::facets(&r.facets)?;
        let filter = convert::article_filter("filter", r.filter.as_ref())?;
        let text = r.query.trim();
        if text.len() > MAX_QUERY_LEN {
            return Err(
                Error::invalid("query", format!("longer than {MAX_QUERY_LEN} bytes")).into(),
            );
        }
        let store = self.corpus.store();
        let query = (!text.is_empty()).then_some(text);
        if let Some(text) = query {
            store.validate_query(text)?;
        }
        let aggregation = store.aggregate(query, &filter, &facets).await?;
        Ok(Response::new(convert::aggregation(aggregation, r.facets)))
    }

    type IngestArticlesStream = ResponseStream<pb::IngestArticlesResponse>;

    #[instrument(skip(self, request))]
    async fn ingest_articles(
        &self,
        request: Request<Streaming<pb::IngestArticlesRequest>>,
    ) -> Result<Response<Self::IngestArticlesStream>, Status> {
        let scope = self.admit_stream(&request, Access::Write)?;
        let inbound = request.into_inner();
        let corpus = self.corpus.clone();
        let (tx, rx) = mpsc::channel(STREAM_BUFFER);
        tokio::spawn(async move {
            // Extraction of the next few items runs in parallel while earlier
            // ones are stored; `buffered` keeps responses in request order.
            let prepared = inbound
                .enumerate()
                .map(|(index, item)| {
                    let corpus = corpus.clone();
                    async move {
                        let item = item?;
                        Ok::<_, Status>(prepare_one(&corpus, index as u64, item).await)
                    }
                })
                .buffered(INGEST_PIPELINE);
            // Items that are ready together are stored together: one lock
            // acquisition and, with a data folder, one fsync for the batch
            // (group commit). Responses still go out one per item, in order.
            let mut prepared = prepared.ready_chunks(INGEST_BATCH);
            loop {
                let chunk = tokio::select! {
                    chunk = prepared.next() => chunk,
                    status = scope.ended() => {
                        let _ = tx.send(Err(status)).await;
                        return;
                    }
                };
                let Some(chunk) = chunk else {
                    return;
                };
                let mut batch = Vec::new();
                for next in chunk {
                    let failed = match next {
                        Ok(Ok(item)) => {
                            batch.push(item);
                            continue;
                        }
                        Ok(Err(failed)) => Ok(failed),
                        Err(status) => Err(status),
                    };
                    // Keep request order: what is batched goes out first.
                    for response in store_batch(&corpus, std::mem::take(&mut batch)).await {
                        if tx.send(Ok(response)).await.is_err() {
                            return;
                        }
                    }
                    match failed {
                        Ok(response) => {
                            if tx.send(Ok(response)).await.is_err() {
                                return;
                            }
                        }
                        Err(status) => {
                            tracing::debug!(%status, "ingest stream ended by an error");
                            let _ = tx.send(Err(status)).await;
                            return;
                        }
                    }
                }
                for response in store_batch(&corpus, batch).await {
                    if tx.send(Ok(response)).await.is_err() {
                        return;
                    }
                }
            }
        });
        Ok(Response::new(ReceiverStream::new(rx)))
    }

    type WatchArticlesStream = ChunkedStream<pb::Article>;

    #[instrument(skip(self, request))]
    async fn watch_articles(
        &self,
        request: Request<pb::WatchArticlesRequest>,
    ) -> Result<Response<Self::WatchArticlesStream>, Status> {
        let scope = self.admit_stream(&request, Access::Read)?;
        let r = request.into_inner();
        let filter = ArticleFilter::try_from(r.filter)?;
        let view = convert::view(r.view)?;
        let store = self.corpus.store().clone();
        // Subscribe before reading the current position, so nothing ingested
        // in between is missed.
        let mut latest = store.latest_seq();
        let mut after = match cursor::given(&r.cursor)? {
            Some(c) => cursor::parse_article(c)?,
            None if r.from_start => 0,
            None => *latest.borrow_and_update(),
        };
        let (tx, rx) = mpsc::channel(1);
        tokio::spawn(async move {
            let mut pacer = Pacer::new(scope.budget, Pacer::first_page_of(view));
            let respond = move |article: crate::model::Article, seq: &u64| pb::Article {
                cursor: cursor::article(*seq),
                ..convert::article(article, view)
            };
            loop {
                let seen = *latest.borrow_and_update();
                loop {
                    let want = pacer.page(usize::MAX);
                    let page = match store.articles(&filter, after, want).await {
                        Ok(page) => page,
                        Err(error) => {
                            let _ = tx.send(Err(error.into())).await;
                            return;
                        }
                    };
                    let (count, exhausted) = (page.len(), page.len() < want);
                    let items = page.into_iter().map(|a| (a.seq, a)).collect();
                    let mut last = None;
                    let Some(bytes) =
                        send_chunks(&tx, &scope, pacer.share, items, &mut last, &respond).await
                    else {
                        return;
                    };
                    after = last.unwrap_or(after);
                    pacer.observe(count, bytes);
                    if exhausted {
                        break;
                    }
                }
                // Everything up to `seen` has been scanned; skip it next time
                // even when the filter matched none of it.
                after = after.max(seen);
                tokio::select! {
                    changed = latest.changed() => if changed.is_err() { return },
                    status = scope.ended() => {
                        let _ = tx.send(Err(status)).await;
                        return;
                    }
                    _ = tx.closed() => return,
                }
            }
        });
        Ok(Response::new(
            ReceiverStream::new(rx).flat_map(unchunk as fn(_) -> _),
        ))
    }
}

/// An ingest item ready to store, with what its response needs.
struct PreparedItem {
    index: u64,
    client_ref: String,
    draft: ArticleDraft,
}

fn failed_response(index: u64, client_ref: String, error: Error) -> pb::IngestArticlesResponse {
    let field = match &error {
        Error::InvalidArgument { field, .. } => field.clone(),
        Error::TooLarge { what, .. } => what.clone(),
        _ => String::new(),
    };
    tracing::debug!(index, %error, "ingest item rejected");
    let message = match &error {
        // Internal causes may name files: logged, not sent.
        Error::Internal(cause) => {
            tracing::error!(index, error = %cause, "ingest item failed");
            "internal error; see server logs".to_owned()
        }
        _ => error.to_string(),
    };
    pb::IngestArticlesResponse {
        index,
        client_ref,
        status: pb::IngestStatus::Failed as i32,
        error: Some(pb::IngestError {
            code: error.code() as i32,
            message,
            field,
        }),
        ..Default::default()
    }
}

/// Validates and extracts one item (off the async runtime).
async fn prepare_one(
    corpus: &Corpus,
    index: u64,
    item: pb::IngestArticlesRequest,
) -> Result<PreparedItem, pb::IngestArticlesResponse> {
    // An over-long reference is refused below; it is not echoed back (the
    // index still says which item failed).
    let client_ref = if item.client_ref.len() > convert::MAX_ID_LEN {
        String::new()
    } else {
        item.client_ref.clone()
    };
    let raw =
        RawArticle::try_from(item).map_err(|e| failed_response(index, client_ref.clone(), e))?;
    match corpus.prepare(raw).await {
        Ok(draft) => Ok(PreparedItem {
            index,
            client_ref,
            draft,
        }),
        Err(error) => Err(failed_response(index, client_ref, error)),
    }
}

/// Stores prepared items in one insert and says how each went.
async fn store_batch(corpus: &Corpus, items: Vec<PreparedItem>) -> Vec<pb::IngestArticlesResponse> {
    if items.is_empty() {
        return Vec::new();
    }
    let (heads, drafts): (Vec<(u64, String)>, Vec<ArticleDraft>) = items
        .into_iter()
        .map(|item| ((item.index, item.client_ref), item.draft))
        .unzip();
    match corpus.store().insert(drafts).await {
        Ok(outcomes) => heads
            .into_iter()
            .zip(outcomes)
            .map(
                |((index, client_ref), outcome)| pb::IngestArticlesResponse {
                    index,
                    client_ref,
                    status: if outcome.created {
                        pb::IngestStatus::Created
                    } else {
                        pb::IngestStatus::Duplicate
                    } as i32,
                    article_id: outcome.article_id,
                    entity_count: outcome.entity_count,
                    mention_count: outcome.mention_count,
                    quote_count: outcome.quote_count,
                    error: None,
                    cursor: cursor::article(outcome.seq),
                },
            )
            .collect(),
        // Nothing of the batch was stored (a durable store appends all of it
        // to its journal, or none): every item fails with the same error.
        Err(error) => heads
            .into_iter()
            .map(|(index, client_ref)| failed_response(index, client_ref, error.same()))
            .collect(),
    }
}

/// Rewrites the spans of a page of items into `encoding` units, fetching
/// the body of each article the page points into once. Nothing to do (and
/// nothing fetched) for code points, the domain's own unit.
async fn in_units<P, T>(
    store: &dyn crate::store::Store,
    page: &mut [(P, T)],
    encoding: pb::OffsetEncoding,
    parts: impl Fn(&mut T) -> (&String, &mut crate::model::Span),
) -> Result<(), Error> {
    if encoding == pb::OffsetEncoding::CodePoints {
        return Ok(());
    }
    let mut at = 0;
    while at < page.len() {
        let article = parts(&mut page[at].1).0.clone();
        // Items of one article are adjacent (pages are in corpus order).
        let mut end = at + 1;
        while end < page.len() && *parts(&mut page[end].1).0 == article {
            end += 1;
        }
        let body = store
            .article(&article)
            .await?
            .map(|a| a.body)
            .unwrap_or_default();
        let mut spans: Vec<&mut crate::model::Span> = page[at..end]
            .iter_mut()
            .map(|(_, item)| parts(item).1)
            .collect();
        offsets::reencode(&body, &mut spans, encoding);
        at = end;
    }
    Ok(())
}
