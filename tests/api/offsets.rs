//! Spans in the client's units (`offset_encoding`), GetQuote, and the
//! error details typed clients rely on (`ErrorInfo` reasons).

use newscorpus::corpus::Limits;
use newscorpus::grpc::pb;
use newscorpus::grpc::ServerOptions;
use tonic::Code;
use tonic_types::StatusExt;

use crate::helpers::*;

/// Emoji and astral letters (Mathematical Fraktur, 4 UTF-8 bytes, 2 UTF-16
/// units each) before the mentions, the quote and the searched word.
const ASTRAL: &str = "🚢🚢 Harbour news from 𝔊𝔬𝔱𝔥𝔞𝔪 🌊\n\n\
    🚢 The harbour board of Porto Velho met on Monday. 👋 Marta Souza chaired it.\n\n\
    “We have waited 𝔱𝔢𝔫 years for this 🎉,” said Marta Souza, the board's chair.\n";

fn slice(text: &str, span: &pb::Span) -> String {
    let (start, end) = (span.start as usize, span.end as usize);
    match pb::OffsetEncoding::try_from(span.encoding).unwrap() {
        pb::OffsetEncoding::Utf16 => {
            let units: Vec<u16> = text.encode_utf16().collect();
            String::from_utf16(&units[start..end]).unwrap()
        }
        pb::OffsetEncoding::Utf8 => text[start..end].to_owned(),
        pb::OffsetEncoding::CodePoints => text.chars().skip(start).take(end - start).collect(),
        pb::OffsetEncoding::Unspecified => panic!("a span that does not say what it counts"),
    }
}

const ENCODINGS: [pb::OffsetEncoding; 4] = [
    pb::OffsetEncoding::Unspecified,
    pb::OffsetEncoding::CodePoints,
    pb::OffsetEncoding::Utf16,
    pb::OffsetEncoding::Utf8,
];

fn answered(asked: pb::OffsetEncoding) -> i32 {
    match asked {
        pb::OffsetEncoding::Unspecified => pb::OffsetEncoding::CodePoints as i32,
        other => other as i32,
    }
}

#[tokio::test]
async fn spans_count_the_units_the_client_asks_for() {
    let mut app = spawn_app_with(None, ServerOptions::default(), Limits::default()).await;
    let acks = collect(
        app.client
            .ingest_articles(tokio_stream::iter(vec![pb::IngestArticlesRequest {
                text: ASTRAL.into(),
                ..Default::default()
            }]))
            .await
            .unwrap()
            .into_inner(),
    )
    .await
    .unwrap();
    let id = acks[0].article_id.clone();
    let article = app
        .client
        .get_article(pb::GetArticleRequest {
            id: id.clone(),
            view: 0,
        })
        .await
        .unwrap()
        .into_inner();
    let body = article.body.clone();
    // Searchable within the index refresh interval.
    let until = std::time::Instant::now() + std::time::Duration::from_secs(5);
    loop {
        let hits = collect(
            app.client
                .search_articles(pb::SearchArticlesRequest {
                    query: "harbour".into(),
                    ..Default::default()
                })
                .await
                .unwrap()
                .into_inner(),
        )
        .await
        .unwrap();
        if !hits.is_empty() {
            break;
        }
        assert!(
            std::time::Instant::now() < until,
            "not searchable after 5 s"
        );
        tokio::time::sleep(std::time::Duration::from_millis(50)).await;
    }
    assert!(
        body.chars().count() < body.encode_utf16().count()
            && body.encode_utf16().count() < body.len()
    );
    for asked in ENCODINGS {
        let mentions = collect(
            app.client
                .list_mentions(pb::ListMentionsRequest {
                    article_id: id.clone(),
                    offset_encoding: asked as i32,
                    ..Default::default()
                })
                .await
                .unwrap()
                .into_inner(),
        )
        .await
        .unwrap();
        assert!(
            mentions.iter().any(|m| m.text == "Marta Souza"),
            "{mentions:?}"
        );
        for m in &mentions {
            let span = m.span.as_ref().unwrap();
            assert_eq!(span.encoding, answered(asked));
            assert_eq!(slice(&body, span), m.text, "{asked:?}");
        }
        let quotes = all_quotes(
            &mut app.client,
            pb::ListQuotesRequest {
                article_id: id.clone(),
                offset_encoding: asked as i32,
                ..Default::default()
            },
        )
        .await;
        assert_eq!(quotes.len(), 1, "{quotes:?}");
        let span = quotes[0].span.as_ref().unwrap();
        assert_eq!(span.encoding, answered(asked));
        assert_eq!(slice(&body, span), quotes[0].text);
        assert!(quotes[0].text.contains("🎉"));
        // GetQuote answers the same quote, in the same units.
        let one = app
            .client
            .get_quote(pb::GetQuoteRequest {
                id: quotes[0].id.clone(),
                offset_encoding: asked as i32,
            })
            .await
            .unwrap()
            .into_inner();
        assert_eq!(one, quotes[0]);
        // Search highlights count into their snippet's text.
        let hits = collect(
            app.client
                .search_articles(pb::SearchArticlesRequest {
                    query: "harbour".into(),
                    offset_encoding: asked as i32,
                    ..Default::default()
                })
                .await
                .unwrap()
                .into_inner(),
        )
        .await
        .unwrap();
        let highlights: Vec<String> = hits
            .iter()
            .flat_map(|h| &h.snippets)
            .flat_map(|s| {
                s.highlights.iter().map(|span| {
                    assert_eq!(span.encoding, answered(asked));
                    slice(&s.text, span)
                })
            })
            .collect();
        assert!(!highlights.is_empty());
        assert!(
            highlights.iter().all(|h| h.eq_ignore_ascii_case("harbour")),
            "{asked:?}: {highlights:?}"
        );
    }
}

#[tokio::test]
async fn get_quote_and_bad_encodings_answer_with_reasons() {
    let mut app = spawn_app().await;
    let quotes = all_quotes(&mut app.client, pb::ListQuotesRequest::default()).await;
    for quote in quotes.iter().step_by(7) {
        let one = app
            .client
            .get_quote(pb::GetQuoteRequest {
                id: quote.id.clone(),
                offset_encoding: 0,
            })
            .await
            .unwrap()
            .into_inner();
        assert_eq!(&one, quote);
        assert_eq!(
            one.corroborating_article_count as usize,
            one.corroborating_article_ids.len()
        );
    }
    let reason = |status: &tonic::Status| {
        status
            .get_error_details()
            .error_info()
            .map(|i| (i.reason.clone(), i.domain.clone()))
            .expect("ErrorInfo")
    };
    let article = &quotes[0].article_id;
    let cases = [
        ("", Code::InvalidArgument, "FIELD_REQUIRED"),
        ("not-a-quote", Code::InvalidArgument, "INVALID_FIELD"),
        ("abc/qx", Code::InvalidArgument, "INVALID_FIELD"),
        ("0000000000000000/q0", Code::NotFound, "QUOTE_NOT_FOUND"),
    ];
    let unknown = format!("{article}/q999");
    for (id, code, why) in
        cases
            .iter()
            .copied()
            .chain([(unknown.as_str(), Code::NotFound, "QUOTE_NOT_FOUND")])
    {
        let status = app
            .client
            .get_quote(pb::GetQuoteRequest {
                id: id.into(),
                offset_encoding: 0,
            })
            .await
            .unwrap_err();
        assert_eq!(status.code(), code, "{id}: {status:?}");
        assert_eq!(
            reason(&status),
            (why.to_owned(), "newscorpus".to_owned()),
            "{id}"
        );
        if code == Code::InvalidArgument {
            assert_invalid(&status, "id");
        }
    }
    // An encoding the API does not define, on every RPC that takes one.
    let checks = [
        app.client
            .get_quote(pb::GetQuoteRequest {
                id: quotes[0].id.clone(),
                offset_encoding: 9,
            })
            .await
            .map(|_| ()),
        app.client
            .list_quotes(pb::ListQuotesRequest {
                offset_encoding: 9,
                ..Default::default()
            })
            .await
            .map(|_| ()),
        app.client
            .list_mentions(pb::ListMentionsRequest {
                offset_encoding: -1,
                ..Default::default()
            })
            .await
            .map(|_| ()),
        app.client
            .search_articles(pb::SearchArticlesRequest {
                query: "harbour".into(),
                offset_encoding: 4,
                ..Default::default()
            })
            .await
            .map(|_| ()),
    ];
    for result in checks {
        let status = result.unwrap_err();
        assert_invalid(&status, "offset_encoding");
        assert_eq!(reason(&status).0, "ENUM_VALUE_UNKNOWN");
    }
    // A cursor of another listing, and a malformed one.
    let mention_cursor = collect(
        app.client
            .list_mentions(pb::ListMentionsRequest {
                limit: 1,
                ..Default::default()
            })
            .await
            .unwrap()
            .into_inner(),
    )
    .await
    .unwrap()[0]
        .cursor
        .clone();
    for (cursor, why) in [
        (mention_cursor, "CURSOR_WRONG_LISTING"),
        ("garbage".to_owned(), "CURSOR_INVALID"),
    ] {
        let status = app
            .client
            .list_quotes(pb::ListQuotesRequest {
                cursor,
                ..Default::default()
            })
            .await
            .unwrap_err();
        assert_eq!(reason(&status).0, why);
    }
    let status = app
        .client
        .get_article(pb::GetArticleRequest {
            id: "0000000000000000".into(),
            view: 0,
        })
        .await
        .unwrap_err();
    assert_eq!(reason(&status).0, "ARTICLE_NOT_FOUND");
    let resource = status.get_error_details();
    assert_eq!(
        resource.resource_info().unwrap().resource_name,
        "0000000000000000"
    );
}
