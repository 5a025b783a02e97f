use newscorpus::grpc::pb;
use tonic::Code;

use crate::helpers::*;

#[tokio::test]
async fn lists_the_seed_articles_with_file_names_and_metadata() {
    let mut app = spawn_app().await;
    let articles = all_articles(&mut app.client).await;
    let sources: Vec<&str> = articles.iter().map(|a| a.source.as_str()).collect();
    let mut expected: Vec<String> = std::fs::read_dir(seeds_dir())
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .collect();
    expected.sort();
    assert_eq!(sources, expected);
    for a in &articles {
        assert_eq!(a.id.len(), 16, "content-derived id");
        assert!(!a.body.is_empty());
        assert_eq!(a.body, a.paragraphs.join("\n\n"));
        assert!(!a.entity_ids.is_empty(), "{} has no entities", a.source);
    }
    // Some seeds carry a headline, bylines and a date; they must be found.
    assert!(articles.iter().filter(|a| !a.title.is_empty()).count() >= 3);
    assert!(articles.iter().any(|a| !a.authors.is_empty()));
    assert!(articles.iter().any(|a| a.published.len() == 10));
    // Ids are stable: a second server over the same files agrees.
    let mut again = spawn_app().await;
    let ids: Vec<String> = all_articles(&mut again.client)
        .await
        .into_iter()
        .map(|a| a.id)
        .collect();
    assert_eq!(
        ids,
        articles.iter().map(|a| a.id.clone()).collect::<Vec<_>>()
    );
}

#[tokio::test]
async fn get_article_by_id_and_view() {
    let mut app = spawn_app().await;
    let first = all_articles(&mut app.client).await.remove(0);
    let got = app
        .client
        .get_article(pb::GetArticleRequest {
            id: first.id.clone(),
            view: 0,
        })
        .await
        .unwrap()
        .into_inner();
    assert!(got.cursor.is_empty() && !first.cursor.is_empty());
    assert_eq!(
        got,
        pb::Article {
            cursor: String::new(),
            ..first.clone()
        }
    );
    let basic = app
        .client
        .get_article(pb::GetArticleRequest {
            id: first.id.clone(),
            view: pb::ArticleView::Basic as i32,
        })
        .await
        .unwrap()
        .into_inner();
    assert!(basic.body.is_empty() && basic.paragraphs.is_empty());
    assert_eq!(basic.title, first.title);

    let missing = app
        .client
        .get_article(pb::GetArticleRequest {
            id: "0000000000000000".into(),
            view: 0,
        })
        .await
        .unwrap_err();
    assert_eq!(missing.code(), Code::NotFound);
    let empty = app
        .client
        .get_article(pb::GetArticleRequest::default())
        .await
        .unwrap_err();
    assert_invalid(&empty, "id");
    let long = app
        .client
        .get_article(pb::GetArticleRequest {
            id: "x".repeat(10_000),
            view: 0,
        })
        .await
        .unwrap_err();
    assert_invalid(&long, "id");
    let view = app
        .client
        .get_article(pb::GetArticleRequest {
            id: first.id,
            view: 42,
        })
        .await
        .unwrap_err();
    assert_invalid(&view, "view");
}

#[tokio::test]
async fn limit_and_cursor_resume_exactly_after_an_item() {
    let mut app = spawn_app().await;
    let all = all_articles(&mut app.client).await;
    let first_two = collect(
        app.client
            .list_articles(pb::ListArticlesRequest {
                limit: 2,
                ..Default::default()
            })
            .await
            .unwrap()
            .into_inner(),
    )
    .await
    .unwrap();
    assert_eq!(first_two.len(), 2);
    let rest = collect(
        app.client
            .list_articles(pb::ListArticlesRequest {
                cursor: first_two[1].cursor.clone(),
                ..Default::default()
            })
            .await
            .unwrap()
            .into_inner(),
    )
    .await
    .unwrap();
    let resumed: Vec<String> = first_two
        .iter()
        .chain(&rest)
        .map(|r| r.id.clone())
        .collect();
    assert_eq!(
        resumed,
        all.iter().map(|a| a.id.clone()).collect::<Vec<_>>()
    );
}

#[tokio::test]
async fn filters_by_outlet_author_date_entity_and_speaker() {
    let mut app = spawn_app().await;
    let all = all_articles(&mut app.client).await;
    let base = app.client.clone();
    let list = |filter: pb::ArticleFilter| {
        let mut client = base.clone();
        async move {
            collect(
                client
                    .list_articles(pb::ListArticlesRequest {
                        filter: Some(filter),
                        ..Default::default()
                    })
                    .await
                    .unwrap()
                    .into_inner(),
            )
            .await
            .unwrap()
            .into_iter()
            .map(|r| r.id)
            .collect::<Vec<_>>()
        }
    };
    // Each filter gives exactly the articles a client-side filter gives:
    // no more (the filter is applied), no fewer (it matches case-insensitively).
    let with_author = all
        .iter()
        .find(|a| !a.authors.is_empty())
        .expect("a seed article with an author");
    let author = &with_author.authors[0];
    let mut ids = list(pb::ArticleFilter {
        author: author.to_uppercase(),
        ..Default::default()
    })
    .await;
    ids.sort();
    let mut expected: Vec<String> = all
        .iter()
        .filter(|a| a.authors.iter().any(|x| x.eq_ignore_ascii_case(author)))
        .map(|a| a.id.clone())
        .collect();
    expected.sort();
    assert_eq!(ids, expected);
    assert!(ids.len() < all.len());
    let with_outlet = all
        .iter()
        .find(|a| !a.outlet.is_empty())
        .expect("a seed article with an outlet");
    let mut ids = list(pb::ArticleFilter {
        outlet: with_outlet.outlet.to_lowercase(),
        ..Default::default()
    })
    .await;
    ids.sort();
    let mut expected: Vec<String> = all
        .iter()
        .filter(|a| a.outlet.eq_ignore_ascii_case(&with_outlet.outlet))
        .map(|a| a.id.clone())
        .collect();
    expected.sort();
    assert_eq!(ids, expected);
    assert!(ids.len() < all.len(), "the seeds come from several outlets");
    let dated: Vec<&pb::Article> = all.iter().filter(|a| !a.published.is_empty()).collect();
    {
        let d = dated.first().expect("a dated seed article");
        let ids = list(pb::ArticleFilter {
            published_from: d.published.clone(),
            published_to: d.published.clone(),
            ..Default::default()
        })
        .await;
        assert!(ids.contains(&d.id));
        assert!(ids.iter().all(|id| all
            .iter()
            .any(|a| &a.id == id && a.published == d.published)));
    }
    let entity = &all[0].entity_ids[0];
    let ids = list(pb::ArticleFilter {
        entity_id: entity.clone(),
        ..Default::default()
    })
    .await;
    assert!(ids.contains(&all[0].id));
    for id in &ids {
        let a = all.iter().find(|a| &a.id == id).unwrap();
        assert!(a.entity_ids.contains(entity));
    }
    let quotes = all_quotes(&mut app.client, pb::ListQuotesRequest::default()).await;
    let quote = quotes
        .iter()
        .find(|q| !q.speaker_entity_id.is_empty())
        .expect("a quote with a speaker entity");
    let ids = list(pb::ArticleFilter {
        speaker: quote.speaker_entity_id.clone(),
        ..Default::default()
    })
    .await;
    assert!(ids.contains(&quote.article_id));
    let none = list(pb::ArticleFilter {
        speaker: "Nobody Inparticular".into(),
        ..Default::default()
    })
    .await;
    assert!(none.is_empty());
}

#[tokio::test]
async fn bad_list_requests_are_invalid_arguments_naming_the_field() {
    let app = spawn_app().await;
    let cases = [
        (
            pb::ListArticlesRequest {
                limit: -1,
                ..Default::default()
            },
            "limit",
        ),
        (
            pb::ListArticlesRequest {
                limit: i32::MAX,
                ..Default::default()
            },
            "limit",
        ),
        (
            pb::ListArticlesRequest {
                cursor: "garbage".into(),
                ..Default::default()
            },
            "cursor",
        ),
        (
            pb::ListArticlesRequest {
                view: 9,
                ..Default::default()
            },
            "view",
        ),
        (
            pb::ListArticlesRequest {
                filter: Some(pb::ArticleFilter {
                    published_from: "2022-13-40".into(),
                    ..Default::default()
                }),
                ..Default::default()
            },
            "filter.published_from",
        ),
    ];
    for (request, field) in cases {
        let status = app.client.clone().list_articles(request).await.unwrap_err();
        assert_invalid(&status, field);
    }
    // A cursor from another listing is refused too.
    let mut client = app.client.clone();
    let quote_cursor = collect(
        client
            .list_quotes(pb::ListQuotesRequest {
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
    let status = client
        .list_articles(pb::ListArticlesRequest {
            cursor: quote_cursor,
            ..Default::default()
        })
        .await
        .unwrap_err();
    assert_invalid(&status, "cursor");
}
