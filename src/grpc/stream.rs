//! How listings stream: pages fetched from the corpus into a bounded
//! channel, in chunks sized to the stream's byte budget, stopping when the
//! client goes away, the deadline passes or the server shuts down. Every
//! server-streaming RPC goes through [`paged`] (or [`pump`], for the watch
//! that pages again each time the corpus grows).

use std::future::Future;
use std::pin::Pin;
use std::sync::Arc;

use futures::StreamExt;
use tokio::sync::{mpsc, OwnedSemaphorePermit};
use tokio::time::Instant;
use tokio_stream::wrappers::ReceiverStream;
use tokio_util::sync::CancellationToken;
use tonic::Status;

use super::pb;
use super::status::status;
use crate::error::Error;

pub(super) type BoxFuture<T> = Pin<Box<dyn Future<Output = T> + Send>>;
/// One page of a listing: items with their positions.
pub(super) type Page<P, T> = BoxFuture<Result<Vec<(P, T)>, Error>>;

/// Most items fetched from the store per page (pages are also sized to the
/// stream's byte budget, see [`Pacer`]).
pub(super) const PAGE: usize = 512;

/// Items in the first page of a stream, before their size is known: small
/// items (hits, entities, mentions, quotes, BASIC articles) are a few KiB at
/// most, so a first page of them stays far inside any budget.
pub(super) const FIRST_PAGE: usize = 64;
/// The first page of whole articles is one article: an article may be
/// megabytes, and the second page is sized from the first.
pub(super) const FIRST_PAGE_OF_ARTICLES: usize = 1;
/// The first page of a listing the store computes whole for every page
/// (related entities: a few hundred bytes each) is a full page, so a request
/// for up to [`PAGE`] items costs one computation, not two.
pub(super) const FIRST_PAGE_OF_COMPUTED: usize = PAGE;
/// The first page of stories: each is a summary of up to 100 article ids
/// (about 3 KiB), and each page sorts every story, so the usual first 100
/// come in one page while a page stays far inside a stream's share.
pub(super) const FIRST_PAGE_OF_STORIES: usize = 128;

/// A listing stream: items travel from the producer task in chunks, so a
/// client reading millions of items costs one channel hand-off (and task
/// wake-up) per chunk instead of per item.
pub(super) type ChunkedStream<T> = futures::stream::FlatMap<
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
pub(super) struct Pacer {
    share: usize,
    page_items: usize,
}

impl Pacer {
    pub(super) fn new(budget: usize, first_page: usize) -> Self {
        Pacer {
            share: (budget / 3).max(1),
            page_items: first_page.clamp(1, PAGE),
        }
    }

    /// The first page size for articles in `view`.
    pub(super) fn first_page_of(view: pb::ArticleView) -> usize {
        if view == pb::ArticleView::Basic {
            FIRST_PAGE
        } else {
            FIRST_PAGE_OF_ARTICLES
        }
    }

    /// Items to ask for next, at most `remaining`.
    pub(super) fn page(&self, remaining: usize) -> usize {
        self.page_items.min(remaining).max(1)
    }

    /// Learns from a page of `items` that encoded to `bytes`.
    pub(super) fn observe(&mut self, items: usize, bytes: usize) {
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

/// The memory budget is counted in KiB: a semaphore holds at most
/// `u32::MAX` permits per acquisition.
pub(super) const BUDGET_UNIT: usize = 1024;

/// What a streaming call's producer carries: it ends on shutdown or at the
/// client's deadline, and holds one of the open-stream permits while alive.
pub(super) struct StreamScope {
    pub(super) shutdown: CancellationToken,
    pub(super) deadline: Option<Instant>,
    /// Bytes the stream may hold in its queues.
    pub(super) budget: usize,
    pub(super) _permit: OwnedSemaphorePermit,
    pub(super) _memory: OwnedSemaphorePermit,
}

impl StreamScope {
    /// Resolves when the stream must stop, with the status to end it with.
    pub(super) async fn ended(&self) -> Status {
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
pub(super) fn deadline(metadata: &tonic::metadata::MetadataMap) -> Option<Instant> {
    let timeout = super::deadline::parse_timeout(metadata.get("grpc-timeout")?.to_str().ok()?)?;
    Instant::now().checked_add(timeout)
}

/// Streams pages from `fetch` (called with the last position sent and a page
/// size) until it runs dry, `limit` items were sent, the client goes away or
/// the server shuts down; what it holds stays within the scope's budget.
pub(super) fn paged<P, T, R>(
    start: Option<P>,
    limit: Option<usize>,
    scope: StreamScope,
    first_page: usize,
    fetch: impl Fn(Option<P>, usize) -> BoxFuture<Result<Vec<(P, T)>, Error>> + Send + Sync + 'static,
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
        let (mut after, mut remaining) = (start, limit.unwrap_or(usize::MAX));
        pump(
            &tx,
            &scope,
            &mut pacer,
            &mut after,
            &mut remaining,
            &fetch,
            &respond,
        )
        .await;
    });
    chunked(rx)
}

/// How a [`pump`] ended.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum Pumped {
    /// The listing ran dry (a short page), or `remaining` items were sent.
    Dry,
    /// The stream is over: the client went away, or it was ended (and told
    /// why: an error, shutdown, the deadline).
    Stop,
}

/// The paging loop every listing shares: fetches pages after `*after`,
/// sized by the pacer, converts and sends them in chunks, and moves `*after`
/// to the last item sent. A watch calls it again each time the corpus grows.
pub(super) async fn pump<P, T, R>(
    tx: &mpsc::Sender<Result<Vec<R>, Status>>,
    scope: &StreamScope,
    pacer: &mut Pacer,
    after: &mut Option<P>,
    remaining: &mut usize,
    fetch: &(impl Fn(Option<P>, usize) -> BoxFuture<Result<Vec<(P, T)>, Error>> + Send),
    respond: &(impl Fn(T, &P) -> R + Send),
) -> Pumped
where
    P: Clone,
    R: prost::Message,
{
    while *remaining > 0 {
        let want = pacer.page(*remaining);
        let page = tokio::select! {
            page = fetch(after.clone(), want) => page,
            status = scope.ended() => {
                let _ = tx.send(Err(status)).await;
                return Pumped::Stop;
            }
            _ = tx.closed() => return Pumped::Stop,
        };
        let items = match page {
            Ok(items) => items,
            Err(error) => {
                let _ = tx.send(Err(error.into())).await;
                return Pumped::Stop;
            }
        };
        let (count, exhausted) = (items.len(), items.len() < want);
        *remaining = remaining.saturating_sub(count);
        let Some(bytes) = send_chunks(tx, scope, pacer.share, items, after, respond).await else {
            return Pumped::Stop;
        };
        pacer.observe(count, bytes);
        if exhausted {
            return Pumped::Dry;
        }
    }
    Pumped::Dry
}

/// The client's side of a chunked channel.
pub(super) fn chunked<R: Send + 'static>(
    rx: mpsc::Receiver<Result<Vec<R>, Status>>,
) -> ChunkedStream<R> {
    ReceiverStream::new(rx).flat_map(unchunk as fn(_) -> _)
}

/// [`paged`] over a ranked listing read by offset (search hits, related
/// entities): items are numbered so that each response's cursor can name
/// the offset just after it.
pub(super) fn offset_paged<T, R>(
    start: usize,
    limit: Option<usize>,
    scope: StreamScope,
    first_page: usize,
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
        first_page,
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
