use newscorpus::grpc::pb;

use crate::helpers::*;

async fn search(
    client: &mut Client,
    request: pb::SearchArticlesRequest,
) -> Result<Vec<pb::SearchHit>, tonic::Status> {
    collect(client.search_articles(request).await?.into_inner()).await
}

fn query(q: &str) -> pb::SearchArticlesRequest {
    pb::SearchArticlesRequest {
        query: q.into(),
        ..Default::default()
    }
}

#[tokio::test]
async fn ranks_hits_with_highlighted_snippets() {
    let mut app = spawn_app().await;
    let hits = search(&mut app.client, query("nuclear")).await.unwrap();
    assert!(hits.len() >= 3);
    let scores: Vec<f32> = hits.iter().map(|h| h.score).collect();
    assert!(scores.windows(2).all(|w| w[0] >= w[1]), "{scores:?}");
    for r in &hits {
        let hit = r;
        assert!(!hit.source.is_empty());
        let snippet = &hit.snippets[0];
        let h = &snippet.highlights[0];
        assert_eq!(slice(&snippet.text, h).to_lowercase(), "nuclear");
        assert!(snippet.html.contains("<b>"));
    }
}

#[tokio::test]
async fn phrases_booleans_filters_and_paging() {
    let mut app = spawn_app().await;
    let ids = |hits: &[pb::SearchHit]| -> Vec<String> {
        hits.iter().map(|h| h.article_id.clone()).collect()
    };
    let articles = all_articles(&mut app.client).await;
    let containing = |phrase: &str| -> Vec<String> {
        articles
            .iter()
            .filter(|a| {
                a.body.to_lowercase().contains(phrase) || a.title.to_lowercase().contains(phrase)
            })
            .map(|a| a.id.clone())
            .collect()
    };
    let mut phrase = ids(&search(
        &mut app.client,
        query("\"joint comprehensive plan of action\""),
    )
    .await
    .unwrap());
    phrase.sort();
    let mut expected = containing("joint comprehensive plan of action");
    expected.sort();
    assert_eq!(phrase, expected);

    let both = ids(&search(&mut app.client, query("nuclear AND sanctions"))
        .await
        .unwrap());
    let either = ids(&search(&mut app.client, query("nuclear OR sanctions"))
        .await
        .unwrap());
    let without = ids(&search(&mut app.client, query("nuclear -sanctions"))
        .await
        .unwrap());
    assert!(both.len() <= either.len());
    assert!(without.iter().all(|id| !both.contains(id)));

    let all = search(&mut app.client, query("iran")).await.unwrap();
    let first = search(
        &mut app.client,
        pb::SearchArticlesRequest {
            limit: 2,
            ..query("iran")
        },
    )
    .await
    .unwrap();
    let rest = search(
        &mut app.client,
        pb::SearchArticlesRequest {
            cursor: first[1].cursor.clone(),
            ..query("iran")
        },
    )
    .await
    .unwrap();
    assert_eq!(
        ids(&first)
            .into_iter()
            .chain(ids(&rest))
            .collect::<Vec<_>>(),
        ids(&all)
    );

    let dated = articles.iter().find(|a| !a.published.is_empty()).unwrap();
    let filtered = search(
        &mut app.client,
        pb::SearchArticlesRequest {
            filter: Some(pb::ArticleFilter {
                published_from: dated.published.clone(),
                published_to: dated.published.clone(),
                ..Default::default()
            }),
            ..query("iran")
        },
    )
    .await
    .unwrap();
    assert!(!filtered.is_empty());
    assert!(filtered.iter().all(|h| h.published == dated.published));
}

#[tokio::test]
async fn bad_queries_are_invalid_arguments() {
    let mut app = spawn_app().await;
    for q in ["", "   ", "title:(", "\"unbalanced"] {
        let status = search(&mut app.client, query(q)).await.unwrap_err();
        assert_invalid(&status, "query");
    }
    let huge = "word ".repeat(10_000);
    assert_invalid(
        &search(&mut app.client, query(&huge)).await.unwrap_err(),
        "query",
    );
    let first = search(
        &mut app.client,
        pb::SearchArticlesRequest {
            limit: 1,
            ..query("iran")
        },
    )
    .await
    .unwrap();
    let other = search(
        &mut app.client,
        pb::SearchArticlesRequest {
            cursor: first[0].cursor.clone(),
            ..query("china")
        },
    )
    .await
    .unwrap_err();
    assert_invalid(&other, "cursor");
    // The server keeps serving.
    assert!(!search(&mut app.client, query("china"))
        .await
        .unwrap()
        .is_empty());
}
