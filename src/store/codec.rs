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

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::{Extraction, ParsedArticle};

    fn draft() -> ArticleDraft {
        ArticleDraft {
            id: "a1".into(),
            source: "a1.txt".into(),
            url: "https://example.org/a1".into(),
            parsed: ParsedArticle {
                title: "A title".into(),
                paragraphs: vec!["Body “quoted” text, ünïcode 🙂.".into(); 3],
                ..Default::default()
            },
            extraction: Extraction::default(),
        }
    }

    #[test]
    fn a_draft_round_trips_compressed_with_its_size_in_front() {
        let d = draft();
        let bytes = encode_draft(&d).unwrap();
        let json = serde_json::to_vec(&d).unwrap();
        let claimed = u32::from_le_bytes([bytes[0], bytes[1], bytes[2], bytes[3]]) as usize;
        assert_eq!(claimed, json.len(), "the uncompressed size comes first");
        // Three equal paragraphs compress: the bytes are LZ4, not the JSON.
        assert!(
            bytes.len() < json.len(),
            "{} !< {}",
            bytes.len(),
            json.len()
        );
        let back = decode_draft(&bytes).unwrap();
        assert_eq!(back.id, d.id);
        assert_eq!(back.url, d.url);
        assert_eq!(back.parsed, d.parsed);
    }

    fn claiming(size: usize) -> Vec<u8> {
        let mut payload = (size as u32).to_le_bytes().to_vec();
        payload.extend_from_slice(b"\xff\xff not lz4");
        payload
    }

    #[test]
    fn an_implausible_size_is_refused_before_anything_is_allocated() {
        for payload in [
            claiming(MAX_DECODED + 1),
            claiming(u32::MAX as usize),
            vec![1, 2],
        ] {
            let err = decode_draft(&payload).unwrap_err();
            assert!(err.contains("not plausible"), "{err}");
        }
        // The limit itself is plausible: such a record fails later, as
        // damaged data, not on its size.
        for size in [MAX_DECODED, 10] {
            let err = decode_draft(&claiming(size)).unwrap_err();
            assert!(err.contains("does not decompress"), "{size}: {err}");
        }
    }

    #[test]
    fn damaged_json_says_it_does_not_decode() {
        let bytes = lz4_flex::compress_prepend_size(b"{\"id\": 1}");
        let err = decode_draft(&bytes).unwrap_err();
        assert!(err.contains("does not decode"), "{err}");
    }
}
