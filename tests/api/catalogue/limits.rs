//! Limits: negative, huge and zero `limit`s on every listing.

use super::*;

/// Every streaming list with `limit` set to `limit`.
async fn list_with_limit(client: &mut Client, limit: i32) -> Vec<Result<usize, Status>> {
    vec![
        outcome(client.list_articles(pb::ListArticlesRequest {
            limit,
            ..Default::default()
        }))
        .await
        .map(|v| v.len()),
        outcome(client.search_articles(pb::SearchArticlesRequest {
            query: "iran".into(),
            limit,
            ..Default::default()
        }))
        .await
        .map(|v| v.len()),
        outcome(client.list_entities(pb::ListEntitiesRequest {
            limit,
            ..Default::default()
        }))
        .await
        .map(|v| v.len()),
        outcome(client.list_mentions(pb::ListMentionsRequest {
            limit,
            ..Default::default()
        }))
        .await
        .map(|v| v.len()),
        outcome(client.list_quotes(pb::ListQuotesRequest {
            limit,
            ..Default::default()
        }))
        .await
        .map(|v| v.len()),
    ]
}

/// 7. A negative limit is INVALID_ARGUMENT on `limit`, on every list.
#[tokio::test]
async fn negative_limits_are_invalid() {
    let f = Fixture::new().await;
    for limit in [-1, -1000, i32::MIN] {
        for result in list_with_limit(&mut f.client(), limit).await {
            let status = result.unwrap_err();
            assert_invalid_because(&status, "limit", "must not be negative");
            assert!(status.message().contains(&limit.to_string()));
        }
    }
    f.intact(5).await;
}

/// 8. A huge limit (over --max-limit) is INVALID_ARGUMENT saying the maximum.
#[tokio::test]
async fn huge_limits_are_invalid() {
    let f = Fixture::new().await;
    for limit in [1_000_001, i32::MAX] {
        for result in list_with_limit(&mut f.client(), limit).await {
            let status = result.unwrap_err();
            assert_invalid_because(&status, "limit", "must be at most 1000000");
        }
    }
    f.intact(5).await;
}

/// 9. Limit zero is not an error: it means "everything"; 1 means one.
#[tokio::test]
async fn zero_limit_streams_everything() {
    let f = Fixture::new().await;
    let everything: Vec<usize> = list_with_limit(&mut f.client(), 0)
        .await
        .into_iter()
        .map(Result::unwrap)
        .collect();
    assert_eq!(everything[0], 5);
    assert!(everything.iter().all(|&n| n >= 1), "{everything:?}");
    let one: Vec<usize> = list_with_limit(&mut f.client(), 1)
        .await
        .into_iter()
        .map(Result::unwrap)
        .collect();
    assert_eq!(one, vec![1; 5]);
    f.intact(5).await;
}
