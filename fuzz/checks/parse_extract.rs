//! Article parsing and extraction on arbitrary text: `corpus::prepare`
//! (the ingest path: size and NUL checks, metadata overrides, parse,
//! extract, id) and corpus-wide resolution must never panic, and every
//! span must slice the clean body to exactly the text it claims.

use newscorpus::corpus::{prepare, Limits};
use newscorpus::model::Extraction;
use newscorpus::model::RawArticle;
use newscorpus::resolve::Resolver;

/// The check the fuzz target runs on every input (and the corpus replay
/// test on every committed input).
pub fn check(data: &[u8]) {
    // The first byte chooses which metadata overrides the rest carries, so
    // the override paths are fuzzed too; the text is the rest, lossily UTF-8
    // as a gRPC string field always is.
    let (flags, rest) = data.split_first().map_or((0, data), |(f, r)| (*f, r));
    let text = String::from_utf8_lossy(rest).into_owned();
    let line = text.lines().next().unwrap_or_default().to_owned();
    let raw = RawArticle {
        title: (flags & 1 != 0).then(|| line.clone()),
        outlet: (flags & 2 != 0).then(|| line.clone()),
        authors: (flags & 4 != 0).then(|| vec![line.clone()]),
        published: (flags & 8 != 0).then(|| line.chars().take(10).collect()),
        url: if flags & 16 != 0 {
            line.clone()
        } else {
            String::new()
        },
        text,
        ..Default::default()
    };
    let limits = Limits {
        max_article_bytes: 64 * 1024,
    };
    let Ok(draft) = prepare(raw, &limits) else {
        return;
    };
    assert_eq!(draft.id.len(), 16);
    let body = draft.parsed.body();
    check_spans(&body, &draft.extraction);
    let mut resolver = Resolver::new();
    let resolved = resolver.resolve(&draft.extraction);
    assert_eq!(resolved.len(), draft.extraction.entities.len());
}

fn check_spans(body: &str, extraction: &Extraction) {
    let chars: Vec<char> = body.chars().collect();
    let n = chars.len() as u32;
    let slice = |start: u32, end: u32| -> String {
        assert!(
            start <= end && end <= n,
            "span {start}..{end} outside a body of {n}"
        );
        chars[start as usize..end as usize].iter().collect()
    };
    for m in &extraction.mentions {
        assert_eq!(slice(m.span.start, m.span.end), m.text, "{m:?}");
        assert!(m.entity < extraction.entities.len());
    }
    for q in &extraction.quotes {
        assert_eq!(slice(q.span.start, q.span.end), q.text, "{q:?}");
        if let Some(e) = q.speaker_entity {
            assert!(e < extraction.entities.len());
        }
    }
}
