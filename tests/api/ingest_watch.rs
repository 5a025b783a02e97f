use std::time::Duration;

use newscorpus::corpus::Limits;
use newscorpus::grpc::pb;
use newscorpus::grpc::ServerOptions;
use tokio_stream::StreamExt;
use tonic::Code;

use crate::helpers::*;

const STORY: &str = "Harbour Board Approves New Ferry Terminal

By Alice Moreno

March 3, 2019

The Lisbon harbour board approved a new ferry terminal on Tuesday after a year of debate.

\"This terminal will serve the city for fifty years,\" said Joana Ferreira, the board's chairwoman.

Residents of Almada had opposed the plan. \"Nobody asked us,\" said Rui Costa, a local shop owner.
";

fn item(text: &str, client_ref: &str) -> pb::IngestArticlesRequest {
    pb::IngestArticlesRequest {
        text: text.into(),
        client_ref: client_ref.into(),
        ..Default::default()
    }
}

#[tokio::test]
async fn ingest_reports_each_item_and_goes_on_after_failures() {
    let mut app = spawn_app_with(
        Some(seeds_dir()),
        ServerOptions::default(),
        Limits {
            max_article_bytes: 64 * 1024,
        },
    )
    .await;
    let results = ingest(
        &mut app.client,
        vec![
            item(STORY, "story"),
            item("", "empty"),
            item(&"x".repeat(100 * 1024), "big"),
            item(STORY, "again"),
            item("bad\0bytes in here", "nul"),
            pb::IngestArticlesRequest {
                published: "soon".into(),
                ..item("A short body.", "date")
            },
            item("مرحبا بالعالم. \u{200f}Hello \u{200b}world — שלום.", "rtl"),
        ],
    )
    .await;
    assert_eq!(results.len(), 7);
    let by_ref = |r: &str| results.iter().find(|x| x.client_ref == r).unwrap();
    let created = by_ref("story");
    assert_eq!(created.status, pb::IngestStatus::Created as i32);
    assert_eq!(created.index, 0);
    assert!(created.entity_count > 0 && created.quote_count >= 2);
    assert_eq!(by_ref("empty").status, pb::IngestStatus::Failed as i32);
    assert_eq!(
        by_ref("empty").error.as_ref().unwrap().code,
        Code::InvalidArgument as i32
    );
    assert_eq!(
        by_ref("big").error.as_ref().unwrap().code,
        Code::ResourceExhausted as i32
    );
    let again = by_ref("again");
    assert_eq!(again.status, pb::IngestStatus::Duplicate as i32);
    assert_eq!(again.article_id, created.article_id);
    assert_eq!(
        by_ref("nul").error.as_ref().unwrap().code,
        Code::InvalidArgument as i32
    );
    assert_eq!(by_ref("date").error.as_ref().unwrap().field, "published");
    assert_eq!(by_ref("rtl").status, pb::IngestStatus::Created as i32);

    let articles = all_articles(&mut app.client).await;
    assert_eq!(
        articles.len(),
        7,
        "5 seeds + story + rtl, the duplicate stored once"
    );
    let story = articles
        .iter()
        .find(|a| a.id == created.article_id)
        .unwrap();
    assert_eq!(story.title, "Harbour Board Approves New Ferry Terminal");
    assert_eq!(story.published, "2019-03-03");
    assert_eq!(story.authors, vec!["Alice Moreno".to_string()]);
    let quotes = all_quotes(
        &mut app.client,
        pb::ListQuotesRequest {
            article_id: story.id.clone(),
            ..Default::default()
        },
    )
    .await;
    assert!(
        quotes.iter().any(|q| q.speaker_name.contains("Ferreira")),
        "{quotes:?}"
    );
    let stats = app
        .client
        .get_corpus_stats(pb::GetCorpusStatsRequest {})
        .await
        .unwrap()
        .into_inner();
    assert_eq!(stats.duplicates_ignored, 1);
}

#[tokio::test]
async fn metadata_given_at_ingest_overrides_extraction() {
    let mut app = spawn_app().await;
    let results = ingest(
        &mut app.client,
        vec![pb::IngestArticlesRequest {
            text: STORY.into(),
            title: "Given title".into(),
            outlet: "Given Outlet".into(),
            authors: vec!["A. Writer".into()],
            published: "2020-02-29".into(),
            url: "https://example.org/story".into(),
            client_ref: String::new(),
        }],
    )
    .await;
    let article = app
        .client
        .get_article(pb::GetArticleRequest {
            id: results[0].article_id.clone(),
            view: 0,
        })
        .await
        .unwrap()
        .into_inner();
    assert_eq!(article.title, "Given title");
    assert_eq!(article.outlet, "Given Outlet");
    assert_eq!(article.authors, vec!["A. Writer".to_string()]);
    assert_eq!(article.published, "2020-02-29");
    assert_eq!(article.source, "https://example.org/story");
    assert_eq!(article.url, "https://example.org/story");
}

#[tokio::test]
async fn watch_delivers_live_articles_and_resumes_without_gaps() {
    let mut app = spawn_app().await;
    let mut watch = app
        .client
        .watch_articles(pb::WatchArticlesRequest::default())
        .await
        .unwrap()
        .into_inner();
    let first = ingest(&mut app.client, vec![item(STORY, "one")])
        .await
        .remove(0);
    let got = tokio::time::timeout(Duration::from_secs(10), watch.next())
        .await
        .expect("watch delivered nothing")
        .unwrap()
        .unwrap();
    assert_eq!(got.id, first.article_id);
    assert_eq!(got.cursor, first.cursor);
    drop(watch);

    // Ingested while nobody watched: a reconnect with the cursor replays it.
    let second_text = STORY.replace("Tuesday", "Wednesday");
    let second = ingest(&mut app.client, vec![item(&second_text, "two")])
        .await
        .remove(0);
    let mut resumed = app
        .client
        .watch_articles(pb::WatchArticlesRequest {
            cursor: got.cursor.clone(),
            ..Default::default()
        })
        .await
        .unwrap()
        .into_inner();
    let replayed = tokio::time::timeout(Duration::from_secs(10), resumed.next())
        .await
        .unwrap()
        .unwrap()
        .unwrap();
    assert_eq!(replayed.id, second.article_id);

    // from_start replays the whole corpus in order, with a filter applied.
    let all = all_articles(&mut app.client).await;
    let mut from_start = app
        .client
        .watch_articles(pb::WatchArticlesRequest {
            from_start: true,
            view: pb::ArticleView::Basic as i32,
            ..Default::default()
        })
        .await
        .unwrap()
        .into_inner();
    for expected in &all {
        let r = tokio::time::timeout(Duration::from_secs(10), from_start.next())
            .await
            .unwrap()
            .unwrap()
            .unwrap();
        let a = r;
        assert_eq!(a.id, expected.id);
        assert!(a.body.is_empty());
    }
    let filtered = pb::WatchArticlesRequest {
        from_start: true,
        filter: Some(pb::ArticleFilter {
            published_from: "2019-01-01".into(),
            published_to: "2019-12-31".into(),
            ..Default::default()
        }),
        ..Default::default()
    };
    let mut only_2019 = app
        .client
        .watch_articles(filtered)
        .await
        .unwrap()
        .into_inner();
    let r = tokio::time::timeout(Duration::from_secs(10), only_2019.next())
        .await
        .unwrap()
        .unwrap()
        .unwrap();
    assert_eq!(r.published, "2019-03-03");
}

#[tokio::test]
async fn a_watcher_that_goes_away_stops_the_work_behind_it() {
    let mut app = spawn_app().await;
    let baseline = app.store.watcher_count();
    let watch = app
        .client
        .watch_articles(pb::WatchArticlesRequest::default())
        .await
        .unwrap()
        .into_inner();
    let mut opened = false;
    for _ in 0..200 {
        if app.store.watcher_count() > baseline {
            opened = true;
            break;
        }
        tokio::time::sleep(Duration::from_millis(10)).await;
    }
    assert!(opened);
    drop(watch);
    // The producer notices the closed channel and ends.
    let mut closed = false;
    for _ in 0..500 {
        if app.store.watcher_count() == baseline {
            closed = true;
            break;
        }
        tokio::time::sleep(Duration::from_millis(10)).await;
    }
    assert!(closed, "watch producer still running after the client left");
    // Cancelling a list stream mid-way leaves the server serving.
    let mut stream = app
        .client
        .list_mentions(pb::ListMentionsRequest::default())
        .await
        .unwrap()
        .into_inner();
    let _ = stream.next().await;
    drop(stream);
    assert_eq!(all_articles(&mut app.client).await.len(), 5);
}
