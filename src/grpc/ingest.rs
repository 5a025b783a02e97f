//! IngestArticles: a client stream of raw articles in, one response per
//! item out, in order. Extraction of the next few items overlaps storing
//! the earlier ones, items ready together are stored together (one journal
//! sync), and a bad item fails alone: the stream goes on.

use std::sync::Arc;

use futures::StreamExt;
use tokio::sync::mpsc;
use tokio_stream::wrappers::ReceiverStream;
use tonic::{Status, Streaming};

use super::stream::StreamScope;
use super::{convert, cursor, pb, status};
use crate::corpus::Corpus;
use crate::error::Error;
use crate::model::{ArticleDraft, RawArticle};

/// The response side of an ingest call.
pub(super) type ResponseStream<T> = ReceiverStream<Result<T, Status>>;

/// Ingest responses buffered per stream before the producer waits for the
/// client (each is a few hundred bytes).
const STREAM_BUFFER: usize = 64;
/// Ingest items of one stream extracted concurrently.
const INGEST_PIPELINE: usize = 8;
/// Most ingest items stored in one insert. Below the store's bulk size, so
/// API ingests stay searchable within the refresh interval.
const INGEST_BATCH: usize = 32;

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
            code: status::code(&error) as i32,
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
    match corpus.insert(drafts).await {
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
            .map(|(index, client_ref)| failed_response(index, client_ref, error.clone()))
            .collect(),
    }
}

/// Runs one ingest call: reads items until the client closes its side, and
/// answers each; stops when the client goes away or the stream's scope ends.
pub(super) fn ingest(
    corpus: Arc<Corpus>,
    scope: StreamScope,
    inbound: Streaming<pb::IngestArticlesRequest>,
) -> ResponseStream<pb::IngestArticlesResponse> {
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
    ReceiverStream::new(rx)
}
