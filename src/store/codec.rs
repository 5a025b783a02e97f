//! How a prepared article is stored as bytes: JSON, LZ4-compressed with
//! its size in front. The embedded journal's records and the PostgreSQL
//! log's `articles.draft` hold the same bytes, so either can be replayed
//! without running extraction again.

use crate::error::{Error, Result};
use crate::model::ArticleDraft;

/// Larger decoded sizes are corruption, not articles: articles are capped
/// far below this by `--max-article-bytes`.
const MAX_DECODED: usize = 1 << 30;

/// A draft as stored: JSON, LZ4-compressed with its size in front. The
/// PostgreSQL store keeps the same bytes in `articles.draft`.
pub fn encode_draft(draft: &ArticleDraft) -> Result<Vec<u8>> {
    let json = serde_json::to_vec(draft)
        .map_err(|e| Error::Internal(format!("cannot encode an article record: {e}")))?;
    Ok(lz4_flex::compress_prepend_size(&json))
}

/// Reads what [`encode_draft`] wrote; the error says why it cannot.
pub fn decode_draft(payload: &[u8]) -> std::result::Result<ArticleDraft, String> {
    // The size the payload claims is checked before anything is allocated
    // for it: a damaged record must not ask for gigabytes.
    let claimed = payload
        .get(..4)
        .map(|b| u32::from_le_bytes([b[0], b[1], b[2], b[3]]) as usize);
    if claimed.is_none_or(|n| n > MAX_DECODED) {
        return Err("its uncompressed size is not plausible".into());
    }
    let json = lz4_flex::decompress_size_prepended(payload)
        .map_err(|e| format!("it does not decompress: {e}"))?;
    serde_json::from_slice::<ArticleDraft>(&json).map_err(|e| format!("it does not decode: {e}"))
}
