//! Corpus analytics through the real server: stories scored against the
//! hand-labelled set in `tests/fixtures/stories/` (written blind to the
//! clusterer), syndicated copies, GetStory / ListStories, related entities
//! and facets checked against counts made by hand or by brute force.

use std::collections::{BTreeMap, HashMap, HashSet};
use std::path::PathBuf;

use newscorpus::corpus::Limits;
use newscorpus::grpc::{pb, ServerOptions};
use tonic::Code;

use crate::helpers::*;

fn fixture(name: &str) -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("tests/fixtures/stories")
        .join(name)
}

/// A server whose corpus folder holds one JSON Lines file of the set.
async fn serve_set(file: &str) -> (TestApp, tempfile::TempDir) {
    let dir = tempfile::tempdir().unwrap();
    std::fs::copy(fixture(file), dir.path().join(file)).unwrap();
    let app = spawn_app_with(
        Some(dir.path().to_owned()),
        ServerOptions::default(),
        Limits::default(),
    )
    .await;
    (app, dir)
}

/// Precision, recall and F1.
#[derive(Debug, Clone, Copy)]
struct Prf {
    p: f64,
    r: f64,
    f: f64,
}

fn prf(p: f64, r: f64) -> Prf {
    let f = if p + r > 0.0 {
        2.0 * p * r / (p + r)
    } else {
        0.0
    };
    Prf { p, r, f }
}

/// B-cubed and pairwise scores of a clustering against gold labels.
fn score(predicted: &HashMap<String, String>, gold: &HashMap<String, String>) -> (Prf, Prf) {
    let items: Vec<&String> = gold.keys().collect();
    let cluster = |labels: &HashMap<String, String>| {
        let mut members: HashMap<String, HashSet<&String>> = HashMap::new();
        for item in &items {
            members
                .entry(labels[*item].clone())
                .or_default()
                .insert(*item);
        }
        members
    };
    let (pred, truth) = (cluster(predicted), cluster(gold));
    let (mut bp, mut br) = (0.0, 0.0);
    let (mut tp, mut pred_pairs, mut gold_pairs) = (0.0, 0.0, 0.0);
    for item in &items {
        let p = &pred[&predicted[*item]];
        let g = &truth[&gold[*item]];
        let both = p.intersection(g).count() as f64;
        bp += both / p.len() as f64;
        br += both / g.len() as f64;
        tp += both - 1.0;
        pred_pairs += p.len() as f64 - 1.0;
        gold_pairs += g.len() as f64 - 1.0;
    }
    let n = items.len() as f64;
    let pairwise = prf(
        if pred_pairs > 0.0 {
            tp / pred_pairs
        } else {
            1.0
        },
        if gold_pairs > 0.0 {
            tp / gold_pairs
        } else {
            1.0
        },
    );
    (prf(bp / n, br / n), pairwise)
}

fn gold() -> serde_json::Value {
    serde_json::from_str(&std::fs::read_to_string(fixture("gold.json")).unwrap()).unwrap()
}

async fn stories_of(app: &TestApp) -> (HashMap<String, String>, HashMap<String, pb::Article>) {
    let articles = collect(
        app.client
            .clone()
            .list_articles(pb::ListArticlesRequest {
                view: pb::ArticleView::Basic as i32,
                ..Default::default()
            })
            .await
            .unwrap()
            .into_inner(),
    )
    .await
    .unwrap();
    let by_url: HashMap<String, pb::Article> =
        articles.into_iter().map(|a| (a.url.clone(), a)).collect();
    let stories = by_url
        .iter()
        .map(|(url, a)| (url.clone(), a.story_id.clone()))
        .collect();
    (stories, by_url)
}

/// Scores one file of the set; prints the figures the README reports.
async fn scored(file: &str, split: &str) -> (Prf, Prf, HashMap<String, pb::Article>) {
    let (app, _dir) = serve_set(file).await;
    let (predicted, articles) = stories_of(&app).await;
    let gold: HashMap<String, String> = gold()[split]
        .as_object()
        .unwrap()
        .iter()
        .map(|(url, label)| (url.clone(), label.as_str().unwrap().to_owned()))
        .collect();
    assert_eq!(
        predicted.len(),
        gold.len(),
        "every article of {file} is loaded"
    );
    let (bcubed, pairwise) = score(&predicted, &gold);
    eprintln!(
        "stories {split}: {} articles, {} gold stories, {} predicted; B-cubed P {:.3} R {:.3} F1 {:.3}; pairwise P {:.3} R {:.3} F1 {:.3}",
        gold.len(),
        gold.values().collect::<HashSet<_>>().len(),
        predicted.values().collect::<HashSet<_>>().len(),
        bcubed.p, bcubed.r, bcubed.f, pairwise.p, pairwise.r, pairwise.f
    );
    (bcubed, pairwise, articles)
}

/// Story quality on the development half of the set (thresholds just under
/// the measured figures, so a regression fails).
#[tokio::test]
async fn stories_on_the_development_set() {
    let (bcubed, pairwise, _) = scored("dev.jsonl", "dev").await;
    // Measured: B-cubed F1 0.932, pairwise F1 0.879.
    assert!(bcubed.f >= 0.91, "B-cubed F1 {:.3}", bcubed.f);
    assert!(pairwise.f >= 0.85, "pairwise F1 {:.3}", pairwise.f);
}

/// Story quality on the held-out half, never used for tuning.
#[tokio::test]
async fn stories_on_the_held_out_set() {
    let (bcubed, pairwise, _) = scored("heldout.jsonl", "heldout").await;
    // Measured: B-cubed F1 0.853, pairwise F1 0.760 (the target is 0.90:
    // see the README for what it misses).
    assert!(bcubed.f >= 0.83, "B-cubed F1 {:.3}", bcubed.f);
    assert!(pairwise.f >= 0.73, "pairwise F1 {:.3}", pairwise.f);
}

/// Every labelled syndicated copy points at its original (or the original's
/// earliest copy source), and articles that are not copies point nowhere.
#[tokio::test]
async fn syndicated_copies_in_the_set_are_found() {
    let gold = gold();
    let copies = gold["copies"].as_object().unwrap();
    for (file, _split) in [("dev.jsonl", "dev"), ("heldout.jsonl", "heldout")] {
        let (app, _dir) = serve_set(file).await;
        let (_, articles) = stories_of(&app).await;
        let id_of: HashMap<&str, &str> = articles
            .iter()
            .map(|(url, a)| (url.as_str(), a.id.as_str()))
            .collect();
        let mut found = 0;
        for (url, article) in &articles {
            match copies.get(url).and_then(|o| o.as_str()) {
                Some(original) => {
                    assert_eq!(
                        article.duplicate_of, id_of[original],
                        "{url} copies {original}"
                    );
                    let original_story = &articles[original].story_id;
                    assert_eq!(
                        &article.story_id, original_story,
                        "a copy joins its original's story"
                    );
                    found += 1;
                }
                None => assert!(article.duplicate_of.is_empty(), "{url} is no copy"),
            }
        }
        assert!(found >= 2, "{file}: {found} copies");
    }
}

/// The seed articles (five outlets on one meeting) form one story; GetStory
/// and ListStories describe it.
#[tokio::test]
async fn the_seeds_are_one_story() {
    let app = spawn_app().await;
    let mut client = app.client.clone();
    let articles = all_articles(&mut client).await;
    let ids: HashSet<&str> = articles.iter().map(|a| a.story_id.as_str()).collect();
    assert_eq!(ids.len(), 1, "{ids:?}");
    let id = articles[0].story_id.clone();
    assert_eq!(id, format!("story/{}", articles[0].id));
    let story = client
        .get_story(pb::GetStoryRequest { id: id.clone() })
        .await
        .unwrap()
        .into_inner();
    assert_eq!(story.article_count, 5);
    assert_eq!(story.article_ids.len(), 5);
    assert!(!story.title.is_empty());
    assert!(
        story
            .top_entity_ids
            .iter()
            .any(|e| e.starts_with("person/")),
        "{story:?}"
    );
    assert!(story.quote_count > 0);
    let listed = collect(
        client
            .list_stories(pb::ListStoriesRequest::default())
            .await
            .unwrap()
            .into_inner(),
    )
    .await
    .unwrap();
    assert_eq!(listed.len(), 1);
    assert_eq!(listed[0].id, id);
    // The story filter matches its articles.
    let in_story = collect(
        client
            .list_articles(pb::ListArticlesRequest {
                filter: Some(pb::ArticleFilter {
                    story_id: id.clone(),
                    ..Default::default()
                }),
                ..Default::default()
            })
            .await
            .unwrap()
            .into_inner(),
    )
    .await
    .unwrap();
    assert_eq!(in_story.len(), 5);
    // Unknown story: NOT_FOUND from GetStory, nothing from a filter.
    let status = client
        .get_story(pb::GetStoryRequest {
            id: "story/0000000000000000".into(),
        })
        .await
        .unwrap_err();
    assert_eq!(status.code(), Code::NotFound);
    assert!(status.message().contains("story/0000000000000000"));
    let status = client
        .get_story(pb::GetStoryRequest { id: String::new() })
        .await
        .unwrap_err();
    assert_invalid(&status, "id");
}

/// A hand-made syndicated copy of a seed (another headline and outlet, the
/// ending trimmed, a few words edited) is stored, marked, joins the seeds'
/// story, and `exclude_duplicates` leaves it out.
#[tokio::test]
async fn a_syndicated_copy_of_a_seed_is_marked_and_can_be_left_out() {
    let app = spawn_app().await;
    let mut client = app.client.clone();
    let seeds = all_articles(&mut client).await;
    let original = seeds.iter().max_by_key(|a| a.body.len()).unwrap();
    let mut paragraphs: Vec<String> = original.paragraphs.clone();
    paragraphs.truncate(paragraphs.len() * 3 / 4);
    let body = paragraphs.join("\n\n").replacen("said", "stated", 2);
    let results = collect(
        client
            .ingest_articles(tokio_stream::iter(vec![pb::IngestArticlesRequest {
                text: body,
                title: "A wire story, as another paper ran it".into(),
                outlet: "The Copy Desk Gazette".into(),
                ..Default::default()
            }]))
            .await
            .unwrap()
            .into_inner(),
    )
    .await
    .unwrap();
    assert_eq!(results[0].status, pb::IngestStatus::Created as i32);
    let copy = client
        .get_article(pb::GetArticleRequest {
            id: results[0].article_id.clone(),
            ..Default::default()
        })
        .await
        .unwrap()
        .into_inner();
    assert_eq!(copy.duplicate_of, original.id);
    assert_eq!(copy.story_id, original.story_id);
    let without = collect(
        client
            .list_articles(pb::ListArticlesRequest {
                filter: Some(pb::ArticleFilter {
                    exclude_duplicates: true,
                    ..Default::default()
                }),
                ..Default::default()
            })
            .await
            .unwrap()
            .into_inner(),
    )
    .await
    .unwrap();
    assert_eq!(without.len(), 5);
    let hits = collect(
        client
            .search_articles(pb::SearchArticlesRequest {
                query: "Iran".into(),
                filter: Some(pb::ArticleFilter {
                    exclude_duplicates: true,
                    ..Default::default()
                }),
                ..Default::default()
            })
            .await
            .unwrap()
            .into_inner(),
    )
    .await
    .unwrap();
    assert!(hits.iter().all(|h| h.article_id != copy.id));
}

/// Co-occurrence counts on the seeds match a count made from their
/// listings: for the most mentioned person, every related entity's
/// `article_count` is the number of articles listing both.
#[tokio::test]
async fn related_entities_match_a_count_by_hand() {
    let app = spawn_app().await;
    let mut client = app.client.clone();
    let articles = all_articles(&mut client).await;
    let people = collect(
        client
            .list_entities(pb::ListEntitiesRequest {
                r#type: pb::EntityType::Person as i32,
                limit: 1,
                ..Default::default()
            })
            .await
            .unwrap()
            .into_inner(),
    )
    .await
    .unwrap();
    let person = &people[0];
    let relations = collect(
        client
            .list_related_entities(pb::ListRelatedEntitiesRequest {
                entity: person.name.clone(),
                order: pb::RelationOrder::Count as i32,
                ..Default::default()
            })
            .await
            .unwrap()
            .into_inner(),
    )
    .await
    .unwrap();
    assert!(!relations.is_empty());
    let mut expected: BTreeMap<String, u32> = BTreeMap::new();
    for a in &articles {
        if a.entity_ids.contains(&person.id) {
            for e in &a.entity_ids {
                if *e != person.id {
                    *expected.entry(e.clone()).or_default() += 1;
                }
            }
        }
    }
    let got: BTreeMap<String, u32> = relations
        .iter()
        .map(|r| (r.entity_id.clone(), r.article_count))
        .collect();
    assert_eq!(got, expected);
    for pair in relations.windows(2) {
        assert!(
            pair[0].article_count >= pair[1].article_count,
            "ordered by count"
        );
    }
    // Paragraph counts by hand: each mention's paragraph from its span.
    let mut expected_paragraphs: BTreeMap<String, u32> = BTreeMap::new();
    for a in articles
        .iter()
        .filter(|a| a.entity_ids.contains(&person.id))
    {
        let mentions = collect(
            client
                .list_mentions(pb::ListMentionsRequest {
                    article_id: a.id.clone(),
                    ..Default::default()
                })
                .await
                .unwrap()
                .into_inner(),
        )
        .await
        .unwrap();
        // Paragraph i covers code points [start_i, start_i + len_i); "\n\n" between.
        let mut starts = Vec::new();
        let mut at = 0u32;
        for p in &a.paragraphs {
            starts.push(at);
            at += p.chars().count() as u32 + 2;
        }
        let paragraph = |start: u32| starts.partition_point(|&s| s <= start) - 1;
        let with_person: HashSet<usize> = mentions
            .iter()
            .filter(|m| m.entity_id == person.id)
            .map(|m| paragraph(m.span.as_ref().unwrap().start))
            .collect();
        let shared: HashSet<(String, usize)> = mentions
            .iter()
            .filter(|m| m.entity_id != person.id)
            .map(|m| {
                (
                    m.entity_id.clone(),
                    paragraph(m.span.as_ref().unwrap().start),
                )
            })
            .filter(|(_, p)| with_person.contains(p))
            .collect();
        for (entity, _) in shared {
            *expected_paragraphs.entry(entity).or_default() += 1;
        }
    }
    let got_paragraphs: BTreeMap<String, u32> = relations
        .iter()
        .filter(|r| r.paragraph_count > 0)
        .map(|r| (r.entity_id.clone(), r.paragraph_count))
        .collect();
    assert_eq!(got_paragraphs, expected_paragraphs);
    assert!(!expected_paragraphs.is_empty());
    for r in &relations {
        assert_eq!(r.source_entity_id, person.id);
        assert!((-1.0..=1.0).contains(&r.score));
        assert!(!r.sample_article_ids.is_empty() && r.sample_article_ids.len() <= 5);
    }
    // Resuming from a cursor continues the same listing.
    let first = collect(
        client
            .list_related_entities(pb::ListRelatedEntitiesRequest {
                entity: person.id.clone(),
                limit: 2,
                ..Default::default()
            })
            .await
            .unwrap()
            .into_inner(),
    )
    .await
    .unwrap();
    let rest = collect(
        client
            .list_related_entities(pb::ListRelatedEntitiesRequest {
                entity: person.id.clone(),
                cursor: first[1].cursor.clone(),
                ..Default::default()
            })
            .await
            .unwrap()
            .into_inner(),
    )
    .await
    .unwrap();
    assert_eq!(first.len() + rest.len(), relations.len());
    // Pages of 3, each chosen from the whole list, follow the full listing
    // exactly (ties included).
    let list = |limit: i32, cursor: String| {
        let mut client = client.clone();
        let entity = person.id.clone();
        async move {
            collect(
                client
                    .list_related_entities(pb::ListRelatedEntitiesRequest {
                        entity,
                        limit,
                        cursor,
                        ..Default::default()
                    })
                    .await
                    .unwrap()
                    .into_inner(),
            )
            .await
            .unwrap()
        }
    };
    let full: Vec<String> = list(0, String::new())
        .await
        .into_iter()
        .map(|r| r.entity_id)
        .collect();
    let (mut paged, mut cursor) = (Vec::new(), String::new());
    loop {
        let page = list(3, cursor).await;
        paged.extend(page.iter().map(|r| r.entity_id.clone()));
        match page.last() {
            Some(last) if page.len() == 3 => cursor = last.cursor.clone(),
            _ => break,
        }
    }
    assert_eq!(paged, full);
    assert_eq!(first[0].entity_id, full[0]);
    assert_eq!(rest[0].entity_id, full[2]);
    // Every pair: an edge list where each pair appears once.
    let edges = collect(
        client
            .list_related_entities(pb::ListRelatedEntitiesRequest::default())
            .await
            .unwrap()
            .into_inner(),
    )
    .await
    .unwrap();
    let pairs: HashSet<(String, String)> = edges
        .iter()
        .map(|e| (e.source_entity_id.clone(), e.entity_id.clone()))
        .collect();
    assert_eq!(pairs.len(), edges.len());
    assert!(edges.iter().all(|e| e.article_count >= 2));
    // An unknown entity is NOT_FOUND.
    let status = client
        .list_related_entities(pb::ListRelatedEntitiesRequest {
            entity: "nobody-at-all-here".into(),
            ..Default::default()
        })
        .await
        .unwrap_err();
    assert_eq!(status.code(), Code::NotFound);
}

/// Brute-force counts from ListArticles equal the facet counts, for several
/// filters.
#[tokio::test]
async fn facet_counts_equal_brute_force_counts() {
    let (app, _dir) = serve_set("dev.jsonl").await;
    let mut client = app.client.clone();
    let articles = all_articles(&mut client).await;
    let facets = vec![
        pb::Facet {
            kind: pb::FacetKind::DateHistogram as i32,
            interval: pb::DateInterval::Month as i32,
            ..Default::default()
        },
        pb::Facet {
            kind: pb::FacetKind::Outlet as i32,
            size: 1000,
            ..Default::default()
        },
        pb::Facet {
            kind: pb::FacetKind::Story as i32,
            size: 5,
            ..Default::default()
        },
        pb::Facet {
            kind: pb::FacetKind::Entity as i32,
            size: 1000,
            ..Default::default()
        },
    ];
    // An entity and a story with several articles: their filters start from
    // their own article lists.
    let mut mentioned: BTreeMap<&str, usize> = BTreeMap::new();
    for a in &articles {
        for e in &a.entity_ids {
            *mentioned.entry(e).or_default() += 1;
        }
    }
    let entity = mentioned
        .iter()
        .filter(|(_, &n)| n > 2 && n < articles.len())
        .map(|(e, _)| e.to_string())
        .next()
        .expect("an entity in a few articles");
    let mut dates: Vec<&str> = articles
        .iter()
        .filter(|a| a.entity_ids.contains(&entity) && !a.published.is_empty())
        .map(|a| a.published.as_str())
        .collect();
    dates.sort_unstable();
    assert!(
        dates.len() > 1 && dates[0] < dates[dates.len() - 1],
        "{dates:?}"
    );
    let first_date = dates[0].to_owned();
    let story = articles
        .iter()
        .map(|a| &a.story_id)
        .find(|s| articles.iter().filter(|a| &a.story_id == *s).count() > 2)
        .expect("a story of several articles")
        .clone();
    let filters = [
        pb::ArticleFilter::default(),
        pb::ArticleFilter {
            published_from: "2025-03-01".into(),
            published_to: "2025-04-30".into(),
            ..Default::default()
        },
        pb::ArticleFilter {
            exclude_duplicates: true,
            ..Default::default()
        },
        pb::ArticleFilter {
            entity_id: entity.clone(),
            ..Default::default()
        },
        pb::ArticleFilter {
            story_id: story.clone(),
            exclude_duplicates: true,
            ..Default::default()
        },
        // The entity's list narrowed further by date: every condition still
        // applies to the candidates.
        pb::ArticleFilter {
            entity_id: entity.clone(),
            published_to: first_date.clone(),
            ..Default::default()
        },
    ];
    for filter in filters {
        let answer = client
            .aggregate_articles(pb::AggregateArticlesRequest {
                filter: Some(filter.clone()),
                facets: facets.clone(),
                ..Default::default()
            })
            .await
            .unwrap()
            .into_inner();
        let matching: Vec<&pb::Article> = articles
            .iter()
            .filter(|a| {
                (filter.published_from.is_empty()
                    || (!a.published.is_empty() && a.published >= filter.published_from))
                    && (filter.published_to.is_empty()
                        || (!a.published.is_empty() && a.published <= filter.published_to))
                    && (!filter.exclude_duplicates || a.duplicate_of.is_empty())
                    && (filter.entity_id.is_empty() || a.entity_ids.contains(&filter.entity_id))
                    && (filter.story_id.is_empty() || a.story_id == filter.story_id)
            })
            .collect();
        assert_eq!(answer.article_count, matching.len() as u64, "{filter:?}");
        // Months.
        let mut months: BTreeMap<String, u64> = BTreeMap::new();
        let mut undated = 0;
        for a in &matching {
            if a.published.is_empty() {
                undated += 1;
            } else {
                *months
                    .entry(format!("{}-01", &a.published[..7]))
                    .or_default() += 1;
            }
        }
        let histogram = &answer.results[0];
        let got: BTreeMap<String, u64> = histogram
            .buckets
            .iter()
            .map(|b| (b.key.clone(), b.count))
            .collect();
        assert_eq!(got, months);
        assert_eq!(histogram.undated_count, undated);
        // Outlets (all of them: size 1000).
        let outlets = &answer.results[1];
        let total: u64 = outlets.buckets.iter().map(|b| b.count).sum();
        assert_eq!(
            total,
            matching.iter().filter(|a| !a.outlet.is_empty()).count() as u64
        );
        assert_eq!(outlets.other_count, 0);
        for bucket in &outlets.buckets {
            let n = matching.iter().filter(|a| a.outlet == bucket.label).count() as u64;
            assert!(
                bucket.count >= n && n > 0,
                "{}: {} vs {n}",
                bucket.label,
                bucket.count
            );
        }
        // Stories: the largest five, counts as the listing says.
        let stories = &answer.results[2];
        assert!(stories.buckets.len() <= 5);
        for bucket in &stories.buckets {
            let n = matching.iter().filter(|a| a.story_id == bucket.key).count() as u64;
            assert_eq!(bucket.count, n, "{}", bucket.key);
        }
        // Entities: articles mentioning each.
        for bucket in &answer.results[3].buckets {
            let n = matching
                .iter()
                .filter(|a| a.entity_ids.contains(&bucket.key))
                .count() as u64;
            assert_eq!(bucket.count, n, "{}", bucket.key);
        }
    }
}

/// Bad facet requests are INVALID_ARGUMENT naming the field.
#[tokio::test]
async fn bad_aggregations_are_invalid() {
    let app = spawn_app().await;
    let mut client = app.client.clone();
    let cases: Vec<(Vec<pb::Facet>, &str)> = vec![
        (vec![], "facets"),
        (
            vec![pb::Facet {
                kind: pb::FacetKind::DateHistogram as i32,
                ..Default::default()
            }],
            "facets[0].interval",
        ),
        (
            vec![pb::Facet {
                kind: pb::FacetKind::DateHistogram as i32,
                interval: 99,
                ..Default::default()
            }],
            "facets[0].interval",
        ),
        (
            vec![pb::Facet {
                kind: pb::FacetKind::Outlet as i32,
                size: 5000,
                ..Default::default()
            }],
            "facets[0].size",
        ),
        (vec![pb::Facet::default()], "facets[0].kind"),
    ];
    for (facets, field) in cases {
        let status = client
            .aggregate_articles(pb::AggregateArticlesRequest {
                facets,
                ..Default::default()
            })
            .await
            .unwrap_err();
        assert_invalid(&status, field);
    }
    // A query narrows the count.
    let answer = client
        .aggregate_articles(pb::AggregateArticlesRequest {
            query: "\"nuclear deal\"".into(),
            facets: vec![pb::Facet {
                kind: pb::FacetKind::Outlet as i32,
                ..Default::default()
            }],
            ..Default::default()
        })
        .await
        .unwrap()
        .into_inner();
    assert!(
        answer.article_count >= 1 && answer.article_count < 5,
        "{answer:?}"
    );
    // Exactly the articles the same search finds.
    let hits = collect(
        client
            .search_articles(pb::SearchArticlesRequest {
                query: "\"nuclear deal\"".into(),
                ..Default::default()
            })
            .await
            .unwrap()
            .into_inner(),
    )
    .await
    .unwrap();
    assert_eq!(answer.article_count, hits.len() as u64);
}

/// ListStories: largest first (or latest first), resumable from any cursor,
/// `min_articles` and an article filter respected.
#[tokio::test]
async fn story_listings_are_ordered_filtered_and_resumable() {
    let (app, _dir) = serve_set("dev.jsonl").await;
    let mut client = app.client.clone();
    let lister = app.client.clone();
    let list = |request: pb::ListStoriesRequest| {
        let mut client = lister.clone();
        async move {
            collect(client.list_stories(request).await.unwrap().into_inner())
                .await
                .unwrap()
        }
    };
    let all = list(pb::ListStoriesRequest::default()).await;
    assert!(all.len() > 10);
    for pair in all.windows(2) {
        assert!(
            pair[0].article_count >= pair[1].article_count,
            "largest first"
        );
    }
    let total: u32 = all.iter().map(|s| s.article_count).sum();
    assert_eq!(total as usize, all_articles(&mut client).await.len());
    // Resuming after every third story gives the same listing.
    let mut resumed = Vec::new();
    let mut cursor = String::new();
    loop {
        let page = list(pb::ListStoriesRequest {
            limit: 3,
            cursor: cursor.clone(),
            ..Default::default()
        })
        .await;
        let Some(last) = page.last() else { break };
        cursor = last.cursor.clone();
        resumed.extend(page.into_iter().map(|s| s.id));
    }
    assert_eq!(
        resumed,
        all.iter().map(|s| s.id.clone()).collect::<Vec<_>>()
    );
    let big = list(pb::ListStoriesRequest {
        min_articles: 3,
        ..Default::default()
    })
    .await;
    assert!(!big.is_empty() && big.iter().all(|s| s.article_count >= 3));
    assert_eq!(
        big.len(),
        all.iter().filter(|s| s.article_count >= 3).count()
    );
    let recent = list(pb::ListStoriesRequest {
        order: pb::StoryOrder::Recent as i32,
        ..Default::default()
    })
    .await;
    assert_eq!(recent.len(), all.len());
    let dated: Vec<&str> = recent
        .iter()
        .filter(|s| !s.last_published.is_empty())
        .map(|s| s.last_published.as_str())
        .collect();
    assert!(dated.windows(2).all(|w| w[0] >= w[1]), "latest first");
    // An article filter keeps the stories having a matching article.
    let april = list(pb::ListStoriesRequest {
        filter: Some(pb::ArticleFilter {
            published_from: "2025-04-01".into(),
            published_to: "2025-04-30".into(),
            ..Default::default()
        }),
        ..Default::default()
    })
    .await;
    assert!(!april.is_empty() && april.len() < all.len());
    assert!(april
        .iter()
        .all(|s| s.first_published.as_str() <= "2025-04-30"
            && s.last_published.as_str() >= "2025-04-01"));
    let status = client
        .list_stories(pb::ListStoriesRequest {
            order: 7,
            ..Default::default()
        })
        .await
        .unwrap_err();
    assert_invalid(&status, "order");
}

/// Story ids and copy links depend only on the order of the articles, not on
/// how they were batched: a bulk folder load and one-at-a-time ingests over
/// the API agree on every article.
#[tokio::test]
async fn stories_do_not_depend_on_batch_sizes() {
    let (bulk, _dir) = serve_set("dev.jsonl").await;
    let (from_bulk, articles) = stories_of(&bulk).await;
    let empty = tempfile::tempdir().unwrap();
    let one_by_one = spawn_app_with(
        Some(empty.path().to_owned()),
        ServerOptions::default(),
        Limits::default(),
    )
    .await;
    let mut client = one_by_one.client.clone();
    let text = std::fs::read_to_string(fixture("dev.jsonl")).unwrap();
    for line in text.lines() {
        let v: serde_json::Value = serde_json::from_str(line).unwrap();
        let s = |k: &str| v[k].as_str().unwrap_or_default().to_owned();
        let item = pb::IngestArticlesRequest {
            text: s("text"),
            title: s("title"),
            outlet: s("outlet"),
            published: s("published"),
            url: s("url"),
            authors: v["authors"]
                .as_array()
                .map(|a| {
                    a.iter()
                        .filter_map(|x| x.as_str().map(str::to_owned))
                        .collect()
                })
                .unwrap_or_default(),
            ..Default::default()
        };
        let result = collect(
            client
                .ingest_articles(tokio_stream::iter(vec![item]))
                .await
                .unwrap()
                .into_inner(),
        )
        .await
        .unwrap();
        assert_eq!(
            result[0].status,
            pb::IngestStatus::Created as i32,
            "{result:?}"
        );
    }
    let (from_api, api_articles) = stories_of(&one_by_one).await;
    assert_eq!(from_bulk, from_api);
    for (url, article) in &articles {
        assert_eq!(
            article.duplicate_of, api_articles[url].duplicate_of,
            "{url}"
        );
    }
}
