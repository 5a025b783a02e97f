//! Cursors: malformed, forged, over-long, from another listing, stale, and past the end.

use super::*;

/// Runs every cursor-taking RPC with `cursor`; returns their errors.
async fn with_cursor(client: &mut Client, cursor: &str) -> Vec<(&'static str, Status)> {
    let cursor = cursor.to_owned();
    let mut errors = Vec::new();
    let mut record = |rpc: &'static str, result: Result<usize, Status>| match result {
        Ok(n) => panic!("{rpc} accepted cursor {cursor:?} and sent {n} items"),
        Err(status) => errors.push((rpc, status)),
    };
    record(
        "ListArticles",
        outcome(client.list_articles(pb::ListArticlesRequest {
            cursor: cursor.clone(),
            ..Default::default()
        }))
        .await
        .map(|v| v.len()),
    );
    record(
        "SearchArticles",
        outcome(client.search_articles(pb::SearchArticlesRequest {
            query: "iran".into(),
            cursor: cursor.clone(),
            ..Default::default()
        }))
        .await
        .map(|v| v.len()),
    );
    record(
        "ListEntities",
        outcome(client.list_entities(pb::ListEntitiesRequest {
            cursor: cursor.clone(),
            ..Default::default()
        }))
        .await
        .map(|v| v.len()),
    );
    record(
        "ListMentions",
        outcome(client.list_mentions(pb::ListMentionsRequest {
            cursor: cursor.clone(),
            ..Default::default()
        }))
        .await
        .map(|v| v.len()),
    );
    record(
        "ListQuotes",
        outcome(client.list_quotes(pb::ListQuotesRequest {
            cursor: cursor.clone(),
            ..Default::default()
        }))
        .await
        .map(|v| v.len()),
    );
    // WatchArticles never ends on its own: only its call result counts.
    record(
        "WatchArticles",
        client
            .watch_articles(pb::WatchArticlesRequest {
                cursor: cursor.clone(),
                ..Default::default()
            })
            .await
            .map(|_| 0),
    );
    errors
}

/// 10. Malformed cursors (not base64, not ours, empty payload) are
/// INVALID_ARGUMENT on `cursor` in every RPC that takes one.
#[tokio::test]
async fn malformed_cursors_are_invalid() {
    use base64::Engine;
    let f = Fixture::new().await;
    let b64 = |s: &str| base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(s);
    for cursor in [
        "garbage".to_owned(),
        "not a cursor!".to_owned(),
        "🙂🙂🙂".to_owned(),
        "====".to_owned(),
        b64("article|5"),
        b64("article||"),
        b64("|||"),
        b64("\u{0}\u{1}\u{2}"),
    ] {
        for (rpc, status) in with_cursor(&mut f.client(), &cursor).await {
            assert_invalid(&status, "cursor");
            assert!(
                status.message().contains("malformed cursor"),
                "{rpc}: {status:?}"
            );
        }
    }
    f.intact(5).await;
}

/// 11. A forged cursor (payload edited, checksum kept; or cut short) is
/// INVALID_ARGUMENT, not a silent jump elsewhere.
#[tokio::test]
async fn forged_cursors_are_invalid() {
    use base64::Engine;
    let engine = base64::engine::general_purpose::URL_SAFE_NO_PAD;
    let f = Fixture::new().await;
    let mut client = f.client();
    let first = outcome(client.list_articles(pb::ListArticlesRequest {
        limit: 1,
        ..Default::default()
    }))
    .await
    .unwrap()
    .remove(0);
    let raw = String::from_utf8(engine.decode(&first.cursor).unwrap()).unwrap();
    let (kind_and_seq, sum) = raw.rsplit_once('|').unwrap();
    assert!(kind_and_seq.starts_with("article|"));
    let forged = [
        engine.encode(format!("article|3|{sum}")),
        engine.encode(format!("quote|1.0|{sum}")),
        engine.encode(format!("{kind_and_seq}|000000000000")),
        first.cursor[..first.cursor.len() / 2].to_owned(),
        first.cursor.clone() + "AA",
    ];
    for cursor in &forged {
        let status = client
            .list_articles(pb::ListArticlesRequest {
                cursor: cursor.clone(),
                ..Default::default()
            })
            .await
            .unwrap_err();
        assert_invalid(&status, "cursor");
        assert_status(&status, Code::InvalidArgument, "malformed cursor");
    }
    f.intact(5).await;
}

/// 12. An over-long cursor is refused before any decoding.
#[tokio::test]
async fn over_long_cursors_are_invalid() {
    let f = Fixture::new().await;
    for cursor in ["A".repeat(5_000), "A".repeat(1_000_000)] {
        for (_rpc, status) in with_cursor(&mut f.client(), &cursor).await {
            assert_invalid_because(&status, "cursor", "longer than 1024 bytes");
        }
    }
    f.intact(5).await;
}

/// 13. A genuine cursor from another listing is INVALID_ARGUMENT saying so.
#[tokio::test]
async fn cursors_from_another_listing_are_invalid() {
    let f = Fixture::new().await;
    let mut client = f.client();
    let quote_cursor = outcome(client.list_quotes(pb::ListQuotesRequest {
        limit: 1,
        ..Default::default()
    }))
    .await
    .unwrap()
    .remove(0)
    .cursor;
    let article_cursor = outcome(client.list_articles(pb::ListArticlesRequest {
        limit: 1,
        ..Default::default()
    }))
    .await
    .unwrap()
    .remove(0)
    .cursor;
    let status = client
        .list_articles(pb::ListArticlesRequest {
            cursor: quote_cursor.clone(),
            ..Default::default()
        })
        .await
        .unwrap_err();
    assert_invalid_because(&status, "cursor", "belongs to a different listing");
    for (cursor, wanted) in [(&quote_cursor, "mention"), (&article_cursor, "mention")] {
        let status = client
            .list_mentions(pb::ListMentionsRequest {
                cursor: cursor.clone(),
                ..Default::default()
            })
            .await
            .unwrap_err();
        assert_invalid_because(&status, "cursor", &format!("expected {wanted}"));
    }
    let status = client
        .list_entities(pb::ListEntitiesRequest {
            cursor: article_cursor.clone(),
            ..Default::default()
        })
        .await
        .unwrap_err();
    assert_invalid_because(&status, "cursor", "expected entity");
    let status = client
        .search_articles(pb::SearchArticlesRequest {
            query: "iran".into(),
            cursor: article_cursor,
            ..Default::default()
        })
        .await
        .unwrap_err();
    assert_invalid_because(&status, "cursor", "expected search");
    f.intact(5).await;
}

/// 14. A stale search cursor (the query or the filter changed since) is
/// INVALID_ARGUMENT, not hits from the wrong result list.
#[tokio::test]
async fn stale_search_cursors_are_invalid() {
    let f = Fixture::new().await;
    let mut client = f.client();
    let hit = outcome(client.search_articles(pb::SearchArticlesRequest {
        query: "iran".into(),
        limit: 1,
        ..Default::default()
    }))
    .await
    .unwrap()
    .remove(0);
    for changed in [
        pb::SearchArticlesRequest {
            query: "china".into(),
            cursor: hit.cursor.clone(),
            ..Default::default()
        },
        pb::SearchArticlesRequest {
            query: "iran".into(),
            cursor: hit.cursor.clone(),
            filter: Some(pb::ArticleFilter {
                outlet: "Somewhere Else".into(),
                ..Default::default()
            }),
            ..Default::default()
        },
    ] {
        let status = client.search_articles(changed).await.unwrap_err();
        assert_invalid_because(&status, "cursor", "belongs to a different search");
    }
    // Whitespace around the same query is the same query.
    let same = outcome(client.search_articles(pb::SearchArticlesRequest {
        query: "  iran ".into(),
        cursor: hit.cursor,
        ..Default::default()
    }))
    .await
    .unwrap();
    assert!(!same.is_empty());
    f.intact(5).await;
}

/// 15. A well-formed cursor past the end (from a bigger corpus, or after
/// the last item) resumes with nothing, not an error and not a restart.
#[tokio::test]
async fn cursors_past_the_end_resume_with_nothing() {
    use newscorpus::store::ItemPos;
    let f = Fixture::new().await;
    let mut client = f.client();
    let all = all_articles(&mut client).await;
    for cursor in [all[4].cursor.clone(), cursor::article(1_000_000_000)] {
        let rest = outcome(client.list_articles(pb::ListArticlesRequest {
            cursor,
            ..Default::default()
        }))
        .await
        .unwrap();
        assert!(rest.is_empty());
    }
    let far = ItemPos {
        seq: 1_000_000,
        index: 0,
    };
    let mentions = outcome(client.list_mentions(pb::ListMentionsRequest {
        cursor: cursor::item("mention", far),
        ..Default::default()
    }))
    .await
    .unwrap();
    assert!(mentions.is_empty());
    let hits = outcome(
        client.search_articles(pb::SearchArticlesRequest {
            query: "iran".into(),
            // The fingerprint the server derives from this query and (no) filter.
            cursor: cursor::search(
                &newscorpus::query::SearchQuery {
                    text: "iran".into(),
                    filter: ArticleFilter::try_from(None).unwrap(),
                    max_snippets: 1,
                }
                .fingerprint(),
                1_000_000,
            ),
            ..Default::default()
        }),
    )
    .await
    .unwrap();
    assert!(hits.is_empty());
    f.intact(5).await;
}
