//! Extraction throughput: parse + entities + quotes on a realistic mix, and
//! on long inputs to show time grows in proportion to size.
//!
//! Run: `cargo bench --bench extraction` (criterion prints MB/s).

// A benchmark that cannot set up its input has nothing to measure: stop.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::hint::black_box;
use std::path::Path;

use criterion::{criterion_group, criterion_main, Criterion, Throughput};
use newscorpus::corpus::{prepare, Limits};
use newscorpus::gen::Generator;
use newscorpus::model::RawArticle;

fn generator() -> Generator {
    Generator::from_path(&Path::new(env!("CARGO_MANIFEST_DIR")).join("seeds")).expect("seeds")
}

fn raw(text: &str) -> RawArticle {
    RawArticle {
        text: text.to_owned(),
        ..Default::default()
    }
}

fn extraction(c: &mut Criterion) {
    let generator = generator();
    let limits = Limits {
        max_article_bytes: 64 << 20,
    };
    let mix: Vec<String> = (0..300).map(|n| generator.article(1, n).text).collect();
    let bytes: usize = mix.iter().map(String::len).sum();
    let mut group = c.benchmark_group("extract");
    group.throughput(Throughput::Bytes(bytes as u64));
    group.bench_function("mix_300_articles", |b| {
        b.iter(|| {
            for text in &mix {
                black_box(prepare(raw(text), &limits).expect("a generated article prepares"));
            }
        })
    });
    // Long inputs: the same paragraphs, 4x the size, should take ~4x the time.
    for target in [256 * 1024, 1024 * 1024] {
        let mut long = String::new();
        let mut n = 0;
        while long.len() < target {
            long.push_str(&generator.article(2, n).text);
            long.push_str("\n\n");
            n += 1;
        }
        group.throughput(Throughput::Bytes(long.len() as u64));
        group.sample_size(10);
        group.bench_function(format!("one_article_{}kb", target / 1024), |b| {
            b.iter(|| black_box(prepare(raw(&long), &limits).expect("a long article prepares")))
        });
    }
    let many: String = (0..10_000)
        .map(|i| format!("Paragraph {i} says the minister met officials in the capital."))
        .collect::<Vec<_>>()
        .join("\n\n");
    group.throughput(Throughput::Bytes(many.len() as u64));
    group.bench_function("ten_thousand_paragraphs", |b| {
        b.iter(|| black_box(prepare(raw(&many), &limits).expect("many paragraphs prepare")))
    });
    group.finish();
}

criterion_group!(benches, extraction);
criterion_main!(benches);
