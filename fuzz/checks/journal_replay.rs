//! Journal replay on arbitrary file contents (`--data-dir` after a crash, a
//! bad disk or a stray file): `Journal::open` must never panic. It either
//! refuses the file with an error or keeps a prefix of whole records, cuts
//! the rest, and then reads back exactly that prefix again, with appends
//! after it read back too.

use newscorpus::store::journal::Journal;
use newscorpus::store::ArticleDraft;

fn draft() -> ArticleDraft {
    ArticleDraft {
        id: "0123456789abcdef".into(),
        source: "fuzz.txt".into(),
        url: String::new(),
        parsed: Default::default(),
        extraction: Default::default(),
    }
}

/// The file to replay. With the first byte even, the input as is (torn and
/// garbage files). Otherwise the input is split at 0xFF bytes into payloads,
/// each framed as a record with a *valid* checksum, alternately plain JSON
/// and LZ4, so that decompression and decoding of arbitrary payloads are
/// reached too (a mutated record would almost never pass its CRC).
fn file(data: &[u8]) -> Vec<u8> {
    let Some((&mode, rest)) = data.split_first() else {
        return Vec::new();
    };
    if mode % 2 == 0 {
        return rest.to_vec();
    }
    let mut out = Vec::new();
    for (i, payload) in rest.split(|&b| b == 0xFF).enumerate() {
        out.extend_from_slice(if (mode >> 1).wrapping_add(i as u8) % 2 == 0 {
            b"NCa1"
        } else {
            b"NCz1"
        });
        out.extend_from_slice(&(payload.len() as u32).to_le_bytes());
        out.extend_from_slice(&crc32fast::hash(payload).to_le_bytes());
        out.extend_from_slice(payload);
    }
    out
}

/// The check the fuzz target runs on every input (and the corpus replay
/// test on every committed input).
pub fn check(input: &[u8]) {
    let data = file(input);
    let data = data.as_slice();
    let Ok(dir) = tempfile::tempdir() else {
        return;
    };
    let path = dir.path().join("articles.journal");
    if std::fs::write(&path, data).is_err() {
        return;
    }
    let mut first = 0u64;
    let opened = Journal::open(&path, |batch| {
        first += batch.len() as u64;
        Ok(())
    });
    let Ok((mut journal, replay)) = opened else {
        // Refused (a checksum-valid record that does not decode): the file
        // must be left exactly as it was.
        assert_eq!(std::fs::read(&path).unwrap_or_default(), data);
        return;
    };
    assert_eq!(replay.records, first);
    let kept = journal.len();
    assert_eq!(kept + replay.dropped_bytes, data.len() as u64);
    assert_eq!(std::fs::metadata(&path).map(|m| m.len()).ok(), Some(kept));
    assert!(journal.append(&[&draft()]).is_ok());
    drop(journal);
    let mut again = 0u64;
    let (_, replay) = Journal::open(&path, |batch| {
        again += batch.len() as u64;
        Ok(())
    })
    .expect("a journal it wrote itself opens");
    assert_eq!(again, first + 1);
    assert_eq!(replay.dropped_bytes, 0);
}
