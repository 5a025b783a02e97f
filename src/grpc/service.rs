//! The `newscorpus.v1.CorpusService` adapter: admit the call (ready,
//! authorised, a stream slot), validate and convert the request, call the
//! corpus, convert the answer. Listings stream through `stream.rs`;
//! IngestArticles lives in `ingest.rs`.

use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Arc;

use tokio::sync::{mpsc, Semaphore};
use tokio_util::sync::CancellationToken;
use tonic::{Request, Response, Status, Streaming};
use tracing::instrument;

use super::auth::{Access, Tokens};
use super::convert::{self, MAX_QUERY_LEN};
use super::cursor;
use super::ingest::ResponseStream;
use super::offsets;
use super::pb;
use super::pb::corpus_service_server::CorpusService;
use super::status::status;
use super::stream::{
    chunked, deadline, offset_paged, paged, pump, ChunkedStream, Pacer, Page, Pumped, StreamScope,
    BUDGET_UNIT, FIRST_PAGE, FIRST_PAGE_OF_COMPUTED, FIRST_PAGE_OF_STORIES,
};
use crate::corpus::Corpus;
use crate::error::{Error, Invalid};
use crate::model::{Article, Mention, Quote, Span};
use crate::query::{
    ArticleFilter, EntityFilter, EntityPos, ItemPos, MentionFilter, QuoteFilter, RelationQuery,
    SearchQuery, StoryFilter, StoryPos,
};

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

/// Default of [`ServiceOptions::max_limit`].
pub const DEFAULT_MAX_LIMIT: usize = 1_000_000;
/// Default of [`ServiceOptions::max_open_streams`].
pub const DEFAULT_MAX_OPEN_STREAMS: usize = 1024;
/// Default of [`ServiceOptions::max_stream_buffer_bytes`]: 1 MiB.
pub const DEFAULT_STREAM_BUFFER_BYTES: usize = 1 << 20;
/// Default of [`ServiceOptions::stream_memory_budget_bytes`]: 1 GiB.
pub const DEFAULT_STREAM_MEMORY_BUDGET_BYTES: usize = 1 << 30;

impl Default for ServiceOptions {
    fn default() -> Self {
        ServiceOptions {
            max_limit: DEFAULT_MAX_LIMIT,
            max_open_streams: DEFAULT_MAX_OPEN_STREAMS,
            auth: None,
            max_stream_buffer_bytes: DEFAULT_STREAM_BUFFER_BYTES,
            stream_memory_budget_bytes: DEFAULT_STREAM_MEMORY_BUDGET_BYTES,
        }
    }
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

    /// Streams located items (ListMentions, ListQuotes) from `fetch` in
    /// corpus order, spans in the requested unit. The request's filter, limit,
    /// cursor and offset encoding are checked in that order.
    fn located_listing<R: LocatedRequest>(
        &self,
        request: Request<R>,
        fetch: impl Fn(Arc<Corpus>, Arc<R::Filter>, Option<ItemPos>, usize) -> Page<ItemPos, R::Item>
            + Send
            + Sync
            + 'static,
    ) -> Result<Response<ChunkedStream<<R::Item as Located>::Response>>, Status> {
        let scope = self.admit_stream(&request, Access::Read)?;
        let r = request.into_inner();
        let filter = Arc::new(R::Filter::try_from(&r)?);
        let (limit, given, encoding) = r.paging();
        let limit = self.limit(limit)?;
        let start = cursor::given(given)?
            .map(|c| cursor::parse_item(R::Item::KIND, c))
            .transpose()?;
        let encoding = offsets::encoding(encoding)?;
        let (corpus, fetch) = (self.corpus.clone(), Arc::new(fetch));
        Ok(Response::new(paged(
            start,
            limit,
            scope,
            FIRST_PAGE,
            move |after, max| {
                let (corpus, filter, fetch) = (corpus.clone(), filter.clone(), fetch.clone());
                Box::pin(async move {
                    let mut page = fetch(corpus.clone(), filter, after, max).await?;
                    in_units(&corpus, &mut page, encoding).await?;
                    Ok(page)
                })
            },
            move |item: R::Item, pos| item.into_response(pos, encoding),
        )))
    }
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
        Ok(Response::new(paged(
            Some(start),
            limit,
            scope,
            Pacer::first_page_of(view),
            article_pages(self.corpus.clone(), Arc::new(filter)),
            move |article, seq| article_response(article, *seq, view),
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
        let query = Arc::new(SearchQuery::try_from(&r)?);
        let limit = self.limit(r.limit)?;
        let encoding = offsets::encoding(r.offset_encoding)?;
        // The cursor is tied to the query and filter it was issued for.
        let fingerprint = query.fingerprint();
        let start = match cursor::given(&r.cursor)? {
            Some(c) => cursor::parse_search(&fingerprint, c)?,
            None => 0,
        };
        let corpus = self.corpus.clone();
        // Surface syntax errors as the call's status rather than mid-stream.
        corpus.validate_query(&query.text)?;
        Ok(Response::new(offset_paged(
            start,
            limit,
            scope,
            FIRST_PAGE,
            move |offset, max| {
                let (corpus, query) = (corpus.clone(), query.clone());
                Box::pin(async move { corpus.search(&query, offset, max).await })
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
                return Err(
                    Error::invalid_as(Invalid::Required, "selector", "set `id` or `name`").into(),
                )
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
        let corpus = self.corpus.clone();
        let start = match cursor::given(&r.cursor)?
            .map(cursor::parse_entity)
            .transpose()?
        {
            Some(mut given) => {
                if given.name_cut {
                    // Put the whole name back; if the entity is gone or
                    // renamed, the cut name still resumes in order (at worst
                    // repeating entities whose names share its start).
                    if let Some(entity) = corpus.find_entity(&given.pos.id).await? {
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
                let (corpus, filter) = (corpus.clone(), filter.clone());
                Box::pin(async move {
                    let page = corpus.entities(&filter, after.as_ref(), max).await?;
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
        self.located_listing(request, |corpus, filter, after, max| {
            Box::pin(async move { corpus.mentions(&filter, after, max).await })
        })
    }

    type ListQuotesStream = ChunkedStream<pb::Quote>;

    #[instrument(skip(self, request))]
    async fn list_quotes(
        &self,
        request: Request<pb::ListQuotesRequest>,
    ) -> Result<Response<Self::ListQuotesStream>, Status> {
        self.located_listing(request, |corpus, filter, after, max| {
            Box::pin(async move { corpus.quotes(&filter, after, max).await })
        })
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
        let mut found = vec![self.corpus.quote(&id).await?];
        in_units(&self.corpus, &mut found, encoding).await?;
        let (pos, quote) = found.remove(0);
        Ok(Response::new(quote.into_response(&pos, encoding)))
    }

    #[instrument(skip(self, request))]
    async fn get_corpus_stats(
        &self,
        request: Request<pb::GetCorpusStatsRequest>,
    ) -> Result<Response<pb::GetCorpusStatsResponse>, Status> {
        self.admit(&request, Access::Read)?;
        let stats = self.corpus.stats().await?;
        Ok(Response::new(convert::corpus_stats(stats)))
    }

    #[instrument(level = "debug", skip(self, request), fields(id = %request.get_ref().id))]
    async fn get_story(
        &self,
        request: Request<pb::GetStoryRequest>,
    ) -> Result<Response<pb::Story>, Status> {
        self.admit(&request, Access::Read)?;
        let id = convert::required("id", &request.get_ref().id)?;
        let story = self.corpus.story(&id).await?;
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
        let filter = Arc::new(StoryFilter::try_from(&r)?);
        let limit = self.limit(r.limit)?;
        let start = cursor::given(&r.cursor)?
            .map(cursor::parse_story)
            .transpose()?;
        let corpus = self.corpus.clone();
        Ok(Response::new(paged(
            start,
            limit,
            scope,
            FIRST_PAGE_OF_STORIES,
            move |after: Option<StoryPos>, max| {
                let (corpus, filter) = (corpus.clone(), filter.clone());
                Box::pin(async move { corpus.stories(&filter, after.as_ref(), max).await })
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
        let fingerprint = query.fingerprint();
        let start = match cursor::given(&r.cursor)? {
            Some(c) => cursor::parse_relation(&fingerprint, c)?,
            None => 0,
        };
        let corpus = self.corpus.clone();
        Ok(Response::new(offset_paged(
            start,
            limit,
            scope,
            FIRST_PAGE_OF_COMPUTED,
            move |offset, max| {
                let (corpus, query) = (corpus.clone(), query.clone());
                Box::pin(async move { corpus.related_entities(&query, offset, max).await })
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
        let query = (!text.is_empty()).then_some(text);
        let aggregation = self.corpus.aggregate(query, &filter, &facets).await?;
        Ok(Response::new(convert::aggregation(aggregation, r.facets)))
    }

    type IngestArticlesStream = ResponseStream<pb::IngestArticlesResponse>;

    #[instrument(skip(self, request))]
    async fn ingest_articles(
        &self,
        request: Request<Streaming<pb::IngestArticlesRequest>>,
    ) -> Result<Response<Self::IngestArticlesStream>, Status> {
        let scope = self.admit_stream(&request, Access::Write)?;
        Ok(Response::new(super::ingest::ingest(
            self.corpus.clone(),
            scope,
            request.into_inner(),
        )))
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
        // Subscribe before reading the current position, so nothing ingested
        // in between is missed.
        let mut latest = self.corpus.latest_seq();
        let start = match cursor::given(&r.cursor)? {
            Some(c) => cursor::parse_article(c)?,
            None if r.from_start => 0,
            None => *latest.borrow_and_update(),
        };
        let fetch = article_pages(self.corpus.clone(), Arc::new(filter));
        let (tx, rx) = mpsc::channel(1);
        tokio::spawn(async move {
            let mut pacer = Pacer::new(scope.budget, Pacer::first_page_of(view));
            let respond = move |article, seq: &u64| article_response(article, *seq, view);
            let mut after = Some(start);
            loop {
                let seen = *latest.borrow_and_update();
                let mut unlimited = usize::MAX;
                let pumped = pump(
                    &tx,
                    &scope,
                    &mut pacer,
                    &mut after,
                    &mut unlimited,
                    &fetch,
                    &respond,
                )
                .await;
                if pumped == Pumped::Stop {
                    return;
                }
                // Everything up to `seen` has been scanned; skip it next time
                // even when the filter matched none of it.
                after = after.max(Some(seen));
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
        Ok(Response::new(chunked(rx)))
    }
}

/// Pages of articles matching `filter`, by corpus position: what
/// ListArticles streams once and WatchArticles again as the corpus grows.
fn article_pages(
    corpus: Arc<Corpus>,
    filter: Arc<ArticleFilter>,
) -> impl Fn(Option<u64>, usize) -> Page<u64, Article> + Send + Sync {
    move |after, max| {
        let (corpus, filter) = (corpus.clone(), filter.clone());
        Box::pin(async move {
            let page = corpus.articles(&filter, after.unwrap_or(0), max).await?;
            Ok(page.into_iter().map(|a| (a.seq, a)).collect())
        })
    }
}

fn article_response(article: Article, seq: u64, view: pb::ArticleView) -> pb::Article {
    pb::Article {
        cursor: cursor::article(seq),
        ..convert::article(article, view)
    }
}

/// A request for a listing of located items: the filter it converts to, the
/// items it lists, and its paging fields (limit, cursor, offset encoding).
trait LocatedRequest: Send + 'static {
    type Filter: for<'r> TryFrom<&'r Self, Error = Error> + Send + Sync + 'static;
    type Item: Located;
    fn paging(&self) -> (i32, &str, i32);
}

impl LocatedRequest for pb::ListMentionsRequest {
    type Filter = MentionFilter;
    type Item = Mention;
    fn paging(&self) -> (i32, &str, i32) {
        (self.limit, &self.cursor, self.offset_encoding)
    }
}

impl LocatedRequest for pb::ListQuotesRequest {
    type Filter = QuoteFilter;
    type Item = Quote;
    fn paging(&self) -> (i32, &str, i32) {
        (self.limit, &self.cursor, self.offset_encoding)
    }
}

/// An item with a span in its article's body (mentions, quotes): listed by
/// corpus position, its span re-encoded in the unit the client asked for.
trait Located: Send + 'static {
    /// The message it is sent as.
    type Response: prost::Message + Send + 'static;
    /// Its listing's name in cursors.
    const KIND: &'static str;
    /// The article its span points into, and the span.
    fn located(&mut self) -> (&str, &mut Span);
    /// Its message, with its cursor and its span in `encoding` units.
    fn into_response(self, pos: &ItemPos, encoding: pb::OffsetEncoding) -> Self::Response;
}

impl Located for Mention {
    type Response = pb::Mention;
    const KIND: &'static str = "mention";
    fn located(&mut self) -> (&str, &mut Span) {
        (&self.article_id, &mut self.span)
    }
    fn into_response(self, pos: &ItemPos, encoding: pb::OffsetEncoding) -> pb::Mention {
        pb::Mention {
            cursor: cursor::item(Self::KIND, *pos),
            span: Some(offsets::to_pb(self.span, encoding)),
            ..self.into()
        }
    }
}

impl Located for Quote {
    type Response = pb::Quote;
    const KIND: &'static str = "quote";
    fn located(&mut self) -> (&str, &mut Span) {
        (&self.article_id, &mut self.span)
    }
    fn into_response(self, pos: &ItemPos, encoding: pb::OffsetEncoding) -> pb::Quote {
        pb::Quote {
            cursor: cursor::item(Self::KIND, *pos),
            span: Some(offsets::to_pb(self.span, encoding)),
            ..self.into()
        }
    }
}

/// Rewrites the spans of a page of items into `encoding` units, fetching
/// the body of each article the page points into once. Nothing to do (and
/// nothing fetched) for code points, the domain's own unit.
async fn in_units<T: Located>(
    corpus: &Corpus,
    page: &mut [(ItemPos, T)],
    encoding: pb::OffsetEncoding,
) -> Result<(), Error> {
    if encoding == pb::OffsetEncoding::CodePoints {
        return Ok(());
    }
    let mut at = 0;
    while at < page.len() {
        let article = page[at].1.located().0.to_owned();
        // Items of one article are adjacent (pages are in corpus order).
        let mut end = at + 1;
        while end < page.len() && page[end].1.located().0 == article {
            end += 1;
        }
        let body = corpus.body(&article).await?.unwrap_or_default();
        let mut spans: Vec<&mut Span> = page[at..end]
            .iter_mut()
            .map(|(_, item)| item.located().1)
            .collect();
        offsets::reencode(&body, &mut spans, encoding);
        at = end;
    }
    Ok(())
}
