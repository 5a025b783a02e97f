use newscorpus::grpc::pb;

use crate::helpers::*;

#[tokio::test]
async fn quotes_have_speakers_cues_and_spans_inside_the_body() {
    let mut app = spawn_app().await;
    let articles = all_articles(&mut app.client).await;
    let quotes = all_quotes(&mut app.client, pb::ListQuotesRequest::default()).await;
    assert!(quotes.len() >= 10, "only {} quotes", quotes.len());
    let attributed = quotes.iter().filter(|q| !q.speaker_name.is_empty()).count();
    assert!(
        attributed * 2 > quotes.len(),
        "most quotes should have a speaker"
    );
    assert!(quotes.iter().any(|q| !q.cue.is_empty()));
    assert!(quotes
        .iter()
        .any(|q| q.kind == pb::QuoteKind::Direct as i32));
    for q in &quotes {
        let article = articles.iter().find(|a| a.id == q.article_id).unwrap();
        let span = q.span.as_ref().unwrap();
        assert!(span.end as usize <= article.body.chars().count());
        assert_eq!(slice(&article.body, span), q.text);
        assert!(q.kind != 0);
        assert!(q.id.starts_with(&q.article_id));
    }
    for a in &articles {
        assert_eq!(
            quotes.iter().filter(|q| q.article_id == a.id).count() as u32,
            a.quote_count
        );
    }
}

#[tokio::test]
async fn quotes_by_speaker_name_id_text_and_kind() {
    let mut app = spawn_app().await;
    let quotes = all_quotes(&mut app.client, pb::ListQuotesRequest::default()).await;
    let speaker_id = quotes
        .iter()
        .find(|q| !q.speaker_entity_id.is_empty())
        .map(|q| q.speaker_entity_id.clone())
        .expect("an attributed quote");
    let entity = app
        .client
        .get_entity(pb::GetEntityRequest {
            selector: Some(pb::get_entity_request::Selector::Id(speaker_id.clone())),
        })
        .await
        .unwrap()
        .into_inner();
    let by_id = all_quotes(
        &mut app.client,
        pb::ListQuotesRequest {
            speaker: speaker_id.clone(),
            ..Default::default()
        },
    )
    .await;
    assert_eq!(
        by_id.len(),
        quotes
            .iter()
            .filter(|q| q.speaker_entity_id == speaker_id)
            .count()
    );
    // The same quotes by any alias, in any case.
    for alias in &entity.aliases {
        let by_alias = all_quotes(
            &mut app.client,
            pb::ListQuotesRequest {
                speaker: alias.to_lowercase(),
                ..Default::default()
            },
        )
        .await;
        assert!(by_alias.iter().all(|q| !q.speaker_name.is_empty()));
        for q in &by_id {
            assert!(by_alias.contains(q), "{alias} misses {q:?}");
        }
    }
    let word = by_id[0]
        .text
        .split_whitespace()
        .max_by_key(|w| w.len())
        .unwrap()
        .to_uppercase();
    let containing = all_quotes(
        &mut app.client,
        pb::ListQuotesRequest {
            text_contains: word.clone(),
            ..Default::default()
        },
    )
    .await;
    assert!(!containing.is_empty());
    assert!(containing
        .iter()
        .all(|q| q.text.to_uppercase().contains(&word)));
    let partial = all_quotes(
        &mut app.client,
        pb::ListQuotesRequest {
            kind: pb::QuoteKind::Partial as i32,
            ..Default::default()
        },
    )
    .await;
    assert!(partial
        .iter()
        .all(|q| q.kind == pb::QuoteKind::Partial as i32));
    let limited = all_quotes(
        &mut app.client,
        pb::ListQuotesRequest {
            limit: 2,
            ..Default::default()
        },
    )
    .await;
    assert_eq!(limited, quotes[..2]);
    let status = app
        .client
        .list_quotes(pb::ListQuotesRequest {
            kind: 12,
            ..Default::default()
        })
        .await
        .unwrap_err();
    assert_invalid(&status, "kind");
}

#[tokio::test]
async fn stats_count_what_is_served() {
    let mut app = spawn_app().await;
    let stats = app
        .client
        .get_corpus_stats(pb::GetCorpusStatsRequest {})
        .await
        .unwrap()
        .into_inner();
    let quotes = all_quotes(&mut app.client, pb::ListQuotesRequest::default()).await;
    let entities = all_entities(&mut app.client).await;
    assert_eq!(stats.article_count, 5);
    assert_eq!(stats.files_loaded, 5);
    assert_eq!(stats.files_skipped, 0);
    assert_eq!(stats.quote_count as usize, quotes.len());
    assert_eq!(stats.entity_count as usize, entities.len());
    assert_eq!(
        stats.entities_by_type.iter().map(|t| t.count).sum::<u64>(),
        stats.entity_count
    );
}
