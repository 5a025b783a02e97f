//! Word lists as data: every list the parser and the extractors consult is
//! a file under `data/words/` (one entry per line, `#` starts a comment; see
//! `data/README.md`), compiled into the binary with `include_str!` and parsed
//! on first use into a hash set. A rule names its list with [`word_list!`];
//! changing what a rule knows is editing a data file, not code.

use std::collections::{HashMap, HashSet};
use std::hash::{BuildHasherDefault, Hasher};
use std::sync::OnceLock;

/// A fast non-cryptographic hasher (the Fx hash of rustc) for the read-only word
/// tables, which are looked up for nearly every token.
#[derive(Default, Clone, Copy)]
pub(crate) struct FxHasher {
    hash: u64,
}

impl Hasher for FxHasher {
    fn write(&mut self, bytes: &[u8]) {
        const K: u64 = 0x51_7c_c1_b7_27_22_0a_95;
        let mut chunks = bytes.chunks_exact(8);
        for c in &mut chunks {
            let mut b = [0u8; 8];
            b.copy_from_slice(c);
            self.hash = (self.hash.rotate_left(5) ^ u64::from_le_bytes(b)).wrapping_mul(K);
        }
        for &b in chunks.remainder() {
            self.hash = (self.hash.rotate_left(5) ^ u64::from(b)).wrapping_mul(K);
        }
    }

    fn finish(&self) -> u64 {
        self.hash
    }
}

/// Builder for [`FxHasher`] maps and sets.
pub(crate) type FxBuild = BuildHasherDefault<FxHasher>;
/// A map with the fast hasher.
pub(crate) type FxMap<K, V> = HashMap<K, V, FxBuild>;
/// A set with the fast hasher.
pub(crate) type FxSet<K> = HashSet<K, FxBuild>;

/// One word list: the file's entries in order, and a set to look them up.
pub(crate) struct WordList {
    text: &'static str,
    parsed: OnceLock<(Vec<&'static str>, FxSet<&'static str>)>,
}

impl WordList {
    /// A list over a data file's text (parsed on first use).
    pub(crate) const fn new(text: &'static str) -> Self {
        WordList {
            text,
            parsed: OnceLock::new(),
        }
    }

    fn parsed(&self) -> &(Vec<&'static str>, FxSet<&'static str>) {
        self.parsed.get_or_init(|| {
            let order: Vec<&'static str> = entries(self.text).collect();
            let set = order.iter().copied().collect();
            (order, set)
        })
    }

    /// True when `word` is an entry (exactly, case included).
    pub(crate) fn contains(&self, word: &str) -> bool {
        self.parsed().1.contains(word)
    }

    /// The entries, in the file's order.
    pub(crate) fn iter(&self) -> impl Iterator<Item = &'static str> + '_ {
        self.parsed().0.iter().copied()
    }
}

/// The entries of a data file: its lines, without comments and blank lines.
pub(crate) fn entries(text: &'static str) -> impl Iterator<Item = &'static str> {
    text.lines()
        .map(|line| line.trim_end_matches('\r'))
        .filter(|line| !line.is_empty() && !line.starts_with('#'))
}

/// Declares a `static` [`WordList`] over `data/words/FILE`.
macro_rules! word_list {
    ($(#[$doc:meta])* $vis:vis $name:ident = $file:literal) => {
        $(#[$doc])*
        $vis static $name: $crate::words::WordList = $crate::words::WordList::new(include_str!(
            concat!(env!("CARGO_MANIFEST_DIR"), "/data/words/", $file)
        ));
    };
}
pub(crate) use word_list;

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn entries_skip_comments_and_blank_lines_and_keep_order() {
        static LIST: WordList = WordList::new("# a comment\nMr\n\nDr\r\nthe end\n");
        assert_eq!(LIST.iter().collect::<Vec<_>>(), ["Mr", "Dr", "the end"]);
        assert!(LIST.contains("Dr") && LIST.contains("the end"));
        assert!(!LIST.contains("dr") && !LIST.contains("# a comment") && !LIST.contains(""));
    }

    #[test]
    fn every_data_file_is_well_formed() {
        let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("data/words");
        for file in std::fs::read_dir(dir).expect("data/words") {
            let path = file.expect("entry").path();
            let text = std::fs::read_to_string(&path).expect("utf-8");
            let mut seen = HashSet::new();
            for line in text
                .lines()
                .filter(|l| !l.is_empty() && !l.starts_with('#'))
            {
                assert_eq!(
                    line,
                    line.trim(),
                    "{}: stray space in {line:?}",
                    path.display()
                );
                assert!(seen.insert(line), "{}: {line:?} twice", path.display());
            }
        }
    }
}
