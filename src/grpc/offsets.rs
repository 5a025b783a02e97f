//! Spans in the client's own string units (`offset_encoding`).
//!
//! The domain counts text offsets in Unicode code points, as Python slices
//! strings. JavaScript, Java and C# index strings by UTF-16 code units and Go
//! slices bytes, so after an emoji or any astral character a code-point span
//! is off by one per such character in those languages (a highlight read
//! " harbou" for "harbour"). Like Google Cloud Natural Language's
//! `EncodingType`, each request that returns spans names the unit it wants,
//! and each `Span` says which unit it counts; the conversion happens here,
//! at the edge, from the text the spans point into.

use crate::error::{Error, Invalid, Result};
use crate::grpc::pb;
use crate::model::Span;

/// The unit a request asks for: code points when unspecified; a number the
/// API does not define is INVALID_ARGUMENT naming `offset_encoding`.
pub fn encoding(value: i32) -> Result<pb::OffsetEncoding> {
    match pb::OffsetEncoding::try_from(value) {
        Ok(pb::OffsetEncoding::Unspecified) => Ok(pb::OffsetEncoding::CodePoints),
        Ok(encoding) => Ok(encoding),
        Err(_) => Err(Error::invalid_as(
            Invalid::EnumValue,
            "offset_encoding",
            format!("unknown OffsetEncoding {value}"),
        )),
    }
}

/// Rewrites code-point spans into `text` as `encoding` units, in place.
/// One walk over the text for all spans, whatever their order; offsets past
/// the end of the text are clamped to it.
pub fn reencode(text: &str, spans: &mut [&mut Span], encoding: pb::OffsetEncoding) {
    if encoding == pb::OffsetEncoding::CodePoints || spans.is_empty() {
        return;
    }
    // (code point offset, span index, 0 = start / 1 = end), walked in order.
    let mut wanted: Vec<(u32, usize, u8)> = Vec::with_capacity(spans.len() * 2);
    for (i, span) in spans.iter().enumerate() {
        wanted.push((span.start, i, 0));
        wanted.push((span.end, i, 1));
    }
    wanted.sort_unstable();
    let unit_len = |c: char| -> u32 {
        match encoding {
            pb::OffsetEncoding::Utf16 => c.len_utf16() as u32,
            _ => c.len_utf8() as u32,
        }
    };
    let mut chars = text.chars();
    let (mut points, mut units) = (0u32, 0u32);
    for (target, i, which) in wanted {
        while points < target {
            match chars.next() {
                Some(c) => {
                    points += 1;
                    units += unit_len(c);
                }
                None => break,
            }
        }
        if which == 0 {
            spans[i].start = units;
        } else {
            spans[i].end = units;
        }
    }
}

/// A domain span as the API sends it, saying what it counts.
pub fn to_pb(span: Span, encoding: pb::OffsetEncoding) -> pb::Span {
    pb::Span {
        start: span.start,
        end: span.end,
        encoding: encoding as i32,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn slice_utf16(text: &str, span: &Span) -> String {
        let units: Vec<u16> = text.encode_utf16().collect();
        String::from_utf16(&units[span.start as usize..span.end as usize]).unwrap()
    }

    #[test]
    fn each_unit_slices_the_same_text() {
        let text = "🚢 Ships in 𝔊𝔬𝔱𝔥𝔞𝔪 harbour: “Zoë said 👋 hi.”";
        let chars: Vec<char> = text.chars().collect();
        let find = |word: &str| -> Span {
            let at = (0..chars.len())
                .find(|&i| chars[i..].iter().collect::<String>().starts_with(word))
                .unwrap();
            Span {
                start: at as u32,
                end: (at + word.chars().count()) as u32,
            }
        };
        let words = ["harbour", "Zoë", "𝔊𝔬𝔱𝔥𝔞𝔪", "hi", "🚢"];
        for encoding in [
            pb::OffsetEncoding::CodePoints,
            pb::OffsetEncoding::Utf16,
            pb::OffsetEncoding::Utf8,
        ] {
            let mut spans: Vec<Span> = words.iter().map(|w| find(w)).collect();
            // Given out of order on purpose.
            spans.reverse();
            let mut refs: Vec<&mut Span> = spans.iter_mut().collect();
            reencode(text, &mut refs, encoding);
            spans.reverse();
            for (word, span) in words.iter().zip(&spans) {
                let got = match encoding {
                    pb::OffsetEncoding::Utf16 => slice_utf16(text, span),
                    pb::OffsetEncoding::Utf8 => {
                        text[span.start as usize..span.end as usize].to_owned()
                    }
                    _ => chars[span.start as usize..span.end as usize]
                        .iter()
                        .collect(),
                };
                assert_eq!(&got, word, "{encoding:?}");
            }
        }
    }

    #[test]
    fn past_the_end_is_clamped_and_unknown_numbers_refused() {
        let mut span = Span { start: 1, end: 99 };
        reencode("a😀", &mut [&mut span], pb::OffsetEncoding::Utf16);
        assert_eq!((span.start, span.end), (1, 3));
        assert_eq!(encoding(0).unwrap(), pb::OffsetEncoding::CodePoints);
        assert_eq!(encoding(3).unwrap(), pb::OffsetEncoding::Utf8);
        let error = encoding(9).unwrap_err();
        assert!(error.to_string().contains("offset_encoding"), "{error}");
        assert_eq!(error.reason(), "ENUM_VALUE_UNKNOWN");
    }
}
