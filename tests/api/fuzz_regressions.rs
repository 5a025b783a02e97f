//! Inputs the fuzzers (`fuzz/`, `scripts/fuzz.sh`) found crashing, kept as
//! the exact bytes, fed the way the fuzz target fed them and through the
//! real server.

use newscorpus::error::Error;
use newscorpus::grpc::pb;
use newscorpus::store::search::{IndexFilter, SearchIndex};
use prost::Message;

use crate::helpers::*;

/// request_decode crash inputs: the first byte picks the message (2 =
/// SearchArticlesRequest), the rest is the encoded request. Each is a query
/// `<not a field>:*`, which the query parser accepts (an exists query) and
/// tantivy refuses only when it runs: "The field does not exist: '...'".
const SEARCH_FIELD_EXISTS: &[&[u8]] = &[
    // crash-ff8841345f75f6516fda260ffda60941f51177bf
    b"\x72\x0a\x0a\x25\x70\x0a\x04\x3a\x2a\x0a\x04\x3a\x2a\xa5\x0a\x41\x70\x70\x70\x70\x70\xa5\x0a\x41\x70\x70\x70\x70\x70\x70\x70",
    // crash-020f7443be9a3a4a4b0cf4e60539575dd6eef8c7
    b"\xd2\x28\xf5\x0a\x0a\x33\x31\x33\x33\x33\x33\x2b\x33\x33\x00\x00\x00\x00\x00\x36\x73\x7a\x32\x36\x00\x36\x3b\x36\x36\x33\x00\x32\x36\x00\x67\x0a\x73\x33\x33\x00\x00\x20\x74\x6f\x70\x32\x0a\xe2\x80\x99\x33\x32\x3a\x0a\x2a\x0a\x39\x30\x74",
    // crash-056e17d00c85f1ac88ee4413c0f4bbbe34ad55c1
    b"\xc2\x28\xf5\x0a\x0a\x31\x39\x33\x00\x31\x00\x00\x32\x40\x30\x40\x33\x37\x37\x41\x33\x00\x00\x0a\x30\x31\x39\x2e\x74\x00\x33\x33\x33\x0a\x4a\x3a\x20\x2a\x0a\x41\x33\x33\x00\x0a\x0a\x00\x3d\x00\x30\x46\x0d\x2b\x00\x01\x34\x38\x30",
];

fn search_request(input: &[u8]) -> pb::SearchArticlesRequest {
    assert_eq!(input[0] % 16, 2, "selector for SearchArticlesRequest");
    pb::SearchArticlesRequest::decode(&input[1..]).expect("decodes")
}

/// As the fuzz target checks it: a query the parser accepts must not fail
/// as an internal error when it runs.
#[test]
fn field_exists_queries_are_not_internal_errors_in_the_index() {
    let index = SearchIndex::in_memory().unwrap();
    for input in SEARCH_FIELD_EXISTS {
        let query = search_request(input).query.trim().to_owned();
        if index.validate(&query).is_err() {
            continue;
        }
        match index.search(&query, &IndexFilter::default(), 0, 10, 2, |_| Vec::new()) {
            Ok(_) | Err(Error::InvalidArgument { .. }) => {}
            Err(other) => panic!("{query:?}: {other:?}"),
        }
    }
}

/// Through the server: INVALID_ARGUMENT on `query`, not INTERNAL.
#[tokio::test]
async fn field_exists_queries_are_invalid_arguments() {
    let app = spawn_app().await;
    let mut queries: Vec<String> = SEARCH_FIELD_EXISTS
        .iter()
        .map(|input| search_request(input).query)
        .collect();
    queries.push("nosuchfield:*".into());
    for query in queries {
        let result = async {
            let stream = app
                .client
                .clone()
                .search_articles(pb::SearchArticlesRequest {
                    query: query.clone(),
                    ..Default::default()
                })
                .await?
                .into_inner();
            collect(stream).await
        }
        .await;
        match result {
            Ok(_) => {}
            Err(status) => assert_invalid(&status, "query"),
        }
    }
    assert_eq!(all_articles(&mut app.client.clone()).await.len(), 5);
}
