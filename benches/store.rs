//! Hot in-process store paths over a generated corpus: full-text search,
//! entity lookup by id and by alias, and a page of a listing.
//!
//! Run: `cargo bench --bench store` (BENCH_ARTICLES=N to change the corpus
//! size; default 5000).

// A benchmark that cannot set up its corpus has nothing to measure: stop.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::hint::black_box;
use std::path::Path;
use std::sync::Arc;

use criterion::{criterion_group, criterion_main, Criterion};
use newscorpus::corpus::{prepare, Limits};
use newscorpus::gen::Generator;
use newscorpus::model::RawArticle;
use newscorpus::store::memory::MemoryStore;
use newscorpus::store::{ArticleFilter, EntityFilter, SearchQuery, Store};

const QUERIES: &[&str] = &[
    "cooperation",
    "\"nuclear deal\"",
    "military AND training",
    "sanctions OR drills",
    "minister -defence",
    "title:cooperation",
];

fn store(c: &mut Criterion) {
    let articles: u64 = std::env::var("BENCH_ARTICLES")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(5000);
    let runtime = tokio::runtime::Runtime::new().expect("runtime");
    let generator =
        Generator::from_path(&Path::new(env!("CARGO_MANIFEST_DIR")).join("seeds")).expect("seeds");
    let limits = Limits::default();
    let store = Arc::new(MemoryStore::new().expect("store"));
    let drafts: Vec<_> = (0..articles)
        .map(|n| {
            let a = generator.article(3, n);
            prepare(
                RawArticle {
                    text: a.text,
                    title: Some(a.title),
                    outlet: Some(a.outlet),
                    authors: Some(a.authors),
                    published: Some(a.published),
                    ..Default::default()
                },
                &limits,
            )
            .expect("a generated article prepares")
        })
        .collect();
    runtime.block_on(store.insert(drafts)).expect("insert");
    let entities = runtime
        .block_on(store.entities(&EntityFilter::default(), None, 1000))
        .expect("entities");
    let mut group = c.benchmark_group(format!("store_{articles}"));
    group.bench_function("search_top10_query_mix", |b| {
        let mut n = 0;
        b.iter(|| {
            let query = SearchQuery {
                text: QUERIES[n % QUERIES.len()].into(),
                filter: ArticleFilter::default(),
                max_snippets: 1,
            };
            n += 1;
            black_box(
                runtime
                    .block_on(store.search(&query, 0, 10))
                    .expect("search"),
            )
        })
    });
    group.bench_function("entity_by_id", |b| {
        let mut n = 0;
        b.iter(|| {
            let id = &entities[n % entities.len()].id;
            n += 1;
            black_box(runtime.block_on(store.entity(id)).expect("entity"))
        })
    });
    group.bench_function("entity_by_alias", |b| {
        let mut n = 0;
        b.iter(|| {
            let e = &entities[n % entities.len()];
            let alias = &e.aliases[n % e.aliases.len().max(1)];
            n += 1;
            black_box(
                runtime
                    .block_on(store.entities_named(alias))
                    .expect("lookup"),
            )
        })
    });
    group.bench_function("list_entities_page_128", |b| {
        b.iter(|| {
            black_box(
                runtime
                    .block_on(store.entities(&EntityFilter::default(), None, 128))
                    .expect("page"),
            )
        })
    });
    group.finish();
}

criterion_group!(benches, store);
criterion_main!(benches);
