//! temporary probe
use crate::helpers::*;
use newscorpus::grpc::pb;

#[tokio::test]
async fn probe() {
    let mut app = spawn_app().await;
    for q in [
        "title:*",
        "body:*",
        "title:nuc*",
        "-*",
        "* -nuclear",
        "title:\"\"",
        "\"\"",
        "()",
        "title:()",
        "+title:* -body:x",
        "title:a*",
        "*:*",
        "title:[a TO b]",
        "title:{a TO b}",
        "title:>a",
        "nuclear^-1",
        "title:IN [a b]",
    ] {
        let r = app
            .client
            .search_articles(pb::SearchArticlesRequest {
                query: q.into(),
                ..Default::default()
            })
            .await;
        let r = match r {
            Ok(s) => collect(s.into_inner()).await.map(|v| v.len()),
            Err(e) => Err(e),
        };
        println!(
            "Q2 {q:?} {:?}",
            r.map_err(|e| (e.code(), e.message().to_owned()))
        );
    }
}
