//! Words as features: lowercase, ASCII-folded content words without the
//! stop words of `data/story_stopwords.txt`, hashed to stable 64-bit keys.

use std::collections::HashSet;
use std::sync::OnceLock;

use unicode_normalization::UnicodeNormalization;

const STOPWORDS: &str = include_str!("../../data/story_stopwords.txt");

fn stopwords() -> &'static HashSet<&'static str> {
    static SET: OnceLock<HashSet<&'static str>> = OnceLock::new();
    SET.get_or_init(|| {
        STOPWORDS
            .lines()
            .map(str::trim)
            .filter(|l| !l.is_empty() && !l.starts_with('#'))
            .collect()
    })
}

/// FNV-1a: stable across processes and versions (the std hasher is not
/// promised to be), so features hash the same on every replica.
pub fn stable_hash(parts: &[&[u8]]) -> u64 {
    let mut hash: u64 = 0xcbf2_9ce4_8422_2325;
    for part in parts {
        for &byte in *part {
            hash ^= u64::from(byte);
            hash = hash.wrapping_mul(0x0100_0000_01b3);
        }
        hash ^= 0xff;
        hash = hash.wrapping_mul(0x0100_0000_01b3);
    }
    hash
}

/// Every word of `text`, lowercase and ASCII-folded ("Çatalhöyük" →
/// "catalhoyuk"), in order; apostrophes are dropped ("Iran's" → "irans").
pub fn words(text: &str) -> Vec<String> {
    let mut out = Vec::new();
    let mut current = String::new();
    for c in text.nfkd() {
        if c.is_ascii_alphanumeric() {
            current.push(c.to_ascii_lowercase());
        } else if c == '\''
            || c == '\u{2019}'
            || (!c.is_ascii() && !c.is_alphanumeric() && !c.is_whitespace() && !is_separator(c))
        {
            // Apostrophes and combining marks (accents after NFKD) join.
        } else if !c.is_ascii() && c.is_alphanumeric() {
            // Letters with no ASCII form are skipped within the word.
        } else if !current.is_empty() {
            out.push(std::mem::take(&mut current));
        }
    }
    if !current.is_empty() {
        out.push(current);
    }
    out
}

/// Non-ASCII punctuation that separates words (dashes, quotes, spaces).
fn is_separator(c: char) -> bool {
    matches!(
        c,
        '\u{2010}'..='\u{2015}' | '\u{2018}' | '\u{201c}' | '\u{201d}' | '\u{2026}' | '\u{00a0}'
    )
}

/// The content words of `text`: at least three letters, not a stop word,
/// not a number, a plural `s` taken off ("floods" → "flood").
pub fn content_words(text: &str) -> impl Iterator<Item = String> {
    let stop = stopwords();
    words(text).into_iter().filter_map(move |mut w| {
        if w.len() < 3 || w.bytes().all(|b| b.is_ascii_digit()) || stop.contains(w.as_str()) {
            return None;
        }
        if w.len() > 4 && w.ends_with('s') && !w.ends_with("ss") && !w.ends_with("us") {
            w.pop();
        }
        Some(w)
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn words_fold_and_split() {
        let got = words("Çatalhöyük's floods, in 2024—again!");
        assert_eq!(got, ["catalhoyuks", "floods", "in", "2024", "again"]);
        let content: Vec<String> =
            content_words("The floods said on Monday in 2024 hit Porto").collect();
        assert_eq!(content, ["flood", "hit", "porto"]);
    }

    #[test]
    fn hashes_are_stable() {
        assert_eq!(
            stable_hash(&[b"t", b"flood"]),
            stable_hash(&[b"t", b"flood"])
        );
        assert_ne!(
            stable_hash(&[b"t", b"flood"]),
            stable_hash(&[b"e", b"flood"])
        );
        assert_ne!(stable_hash(&[b"ab", b"c"]), stable_hash(&[b"a", b"bc"]));
    }
}
