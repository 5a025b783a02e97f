//! The fuzz targets' committed corpora (`fuzz/corpora/<target>/`), replayed
//! as ordinary tests through the very checks the fuzz targets run
//! (`fuzz/checks/`): every input that once reached new code keeps passing,
//! in every `cargo test`, without a fuzzing toolchain. `scripts/fuzz.sh`
//! grows the corpora; `scripts/fuzz.sh --commit` minimises them into
//! `fuzz/corpora/`.

use std::path::{Path, PathBuf};

#[path = "../../fuzz/checks/journal_replay.rs"]
mod journal_replay;
#[path = "../../fuzz/checks/parse_extract.rs"]
mod parse_extract;
#[path = "../../fuzz/checks/request_decode.rs"]
mod request_decode;

fn root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

/// Every file of a target's committed corpus; the corpus must not be empty,
/// or this test would pass without checking anything.
fn corpus(target: &str) -> Vec<(PathBuf, Vec<u8>)> {
    let dir = root().join("fuzz/corpora").join(target);
    let mut files: Vec<(PathBuf, Vec<u8>)> = std::fs::read_dir(&dir)
        .unwrap_or_else(|e| panic!("{}: {e}", dir.display()))
        .map(|entry| {
            let path = entry.unwrap().path();
            let bytes = std::fs::read(&path).unwrap();
            (path, bytes)
        })
        .collect();
    files.sort();
    assert!(
        files.len() >= 10,
        "{}: only {} inputs",
        dir.display(),
        files.len()
    );
    files
}

fn replay(target: &str, inputs: &[(PathBuf, Vec<u8>)], check: fn(&[u8])) {
    for (path, bytes) in inputs {
        // Name the input that fails: a panic alone would not say which.
        if std::panic::catch_unwind(|| check(bytes)).is_err() {
            panic!("{target}: {} fails its check", path.display());
        }
    }
}

fn articles(folder: &Path) -> Vec<(PathBuf, Vec<u8>)> {
    let mut out = Vec::new();
    for entry in std::fs::read_dir(folder).unwrap() {
        let path = entry.unwrap().path();
        if path.extension().is_some_and(|e| e == "txt") {
            let text = std::fs::read(&path).unwrap();
            // Plain, and with every metadata override taken from line one.
            for flags in [0u8, 31] {
                let mut input = vec![flags];
                input.extend_from_slice(&text);
                out.push((path.clone(), input));
            }
        }
    }
    out
}

#[test]
fn parse_extract_corpus_replays() {
    replay(
        "parse_extract",
        &corpus("parse_extract"),
        parse_extract::check,
    );
    // The real articles too: the seeds and the fixtures.
    let mut real = articles(&root().join("seeds"));
    real.extend(articles(&root().join("tests/fixtures/articles")));
    assert!(real.len() > 100);
    replay("parse_extract", &real, parse_extract::check);
}

#[test]
fn request_decode_corpus_replays() {
    replay(
        "request_decode",
        &corpus("request_decode"),
        request_decode::check,
    );
}

#[test]
fn journal_replay_corpus_replays() {
    replay(
        "journal_replay",
        &corpus("journal_replay"),
        journal_replay::check,
    );
}
