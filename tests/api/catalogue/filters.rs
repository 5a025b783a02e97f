//! Enums, filters and over-long strings: unknown enum numbers, bad dates, long filter
//! values, unknown ids, undecodable requests and unknown fields.

use super::*;

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
