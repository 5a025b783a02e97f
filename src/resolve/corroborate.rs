//! Quote corroboration: the same words reported by several articles.

use super::keys::name_key;
use std::collections::HashMap;

/// Interned word (or speaker id): quotes are compared as integer sequences,
/// so the thousands of comparisons a popular wording attracts cost no string
/// compares or allocations, and each word is stored once.
type Sym = u32;

/// A group of quotes, from one or more articles, that report the same words.
#[derive(Debug, Clone)]
struct Cluster {
    /// Words of the first quote of the cluster: what later quotes are compared to.
    words: Box<[Sym]>,
    /// The same words, sorted and deduplicated (for the overlap measure).
    set: Box<[Sym]>,
    speaker: Option<Sym>,
}

/// Groups quotes of different articles that report the same words. Small
/// differences are allowed: punctuation, casing, articles, and one quote being a
/// stretch of the other (a short stretch only when the speaker is the same).
///
/// Quotes are compared with cluster representatives, not with every quote seen,
/// and an exact repeat is a hash look-up: a quote reported by thousands of
/// articles costs the same to add as a new one, so ingest stays linear.
#[derive(Debug, Clone, Default)]
pub struct Corroborator {
    clusters: Vec<Cluster>,
    /// Hash of a normalised word sequence → the cluster it first joined.
    /// A hash, not the sequence, because millions of quotes are kept; a hit
    /// is still compared with the cluster, so a collision only costs the
    /// slower search.
    exact: HashMap<u64, u32>,
    /// Word → clusters whose representative contains it, oldest first.
    by_word: Vec<Vec<u32>>,
    /// Words and speaker ids, interned.
    symbols: HashMap<Box<str>, Sym>,
}

/// How many candidate clusters (sharing the quote's rarest word) are compared,
/// newest first. Bounds the cost of a quote made only of very common words.
const MAX_CANDIDATES: usize = 256;

/// Words of a quote as compared: the name-key normalisation (case, accents,
/// punctuation), without articles ("the", "a", "an").
fn normalise(text: &str) -> Vec<String> {
    name_key(text)
        .split(' ')
        .filter(|w| !w.is_empty() && !matches!(*w, "the" | "a" | "an"))
        .map(str::to_owned)
        .collect()
}

fn contains_run(long: &[Sym], short: &[Sym]) -> bool {
    !short.is_empty() && long.windows(short.len()).any(|w| w == short)
}

/// Jaccard overlap of two sorted, deduplicated symbol sets.
fn jaccard(a: &[Sym], b: &[Sym]) -> f64 {
    let (mut i, mut j, mut inter) = (0, 0, 0usize);
    while i < a.len() && j < b.len() {
        match a[i].cmp(&b[j]) {
            std::cmp::Ordering::Less => i += 1,
            std::cmp::Ordering::Greater => j += 1,
            std::cmp::Ordering::Equal => {
                inter += 1;
                i += 1;
                j += 1;
            }
        }
    }
    let union = a.len() + b.len() - inter;
    if union == 0 {
        0.0
    } else {
        inter as f64 / union as f64
    }
}

fn sorted_set(words: &[Sym]) -> Vec<Sym> {
    let mut set = words.to_vec();
    set.sort_unstable();
    set.dedup();
    set
}

/// Whether two normalised quotes report the same words.
fn same_quote(
    a: &[Sym],
    a_set: &[Sym],
    a_speaker: Option<Sym>,
    b: &[Sym],
    b_set: &[Sym],
    b_speaker: Option<Sym>,
) -> bool {
    let same_speaker = matches!((a_speaker, b_speaker), (Some(x), Some(y)) if x == y);
    let speakers_differ = matches!((a_speaker, b_speaker), (Some(x), Some(y)) if x != y);
    if speakers_differ {
        return false;
    }
    let (short, long, short_set, long_set) = if a.len() <= b.len() {
        (a, b, a_set, b_set)
    } else {
        (b, a, b_set, a_set)
    };
    short == long
        || (short.len() >= 4 || same_speaker) && contains_run(long, short)
        || short.len() >= 4 && jaccard(short_set, long_set) >= 0.8
}

impl Corroborator {
    /// An empty corroborator.
    pub fn new() -> Self {
        Self::default()
    }

    fn intern(&mut self, word: &str) -> Sym {
        if let Some(&sym) = self.symbols.get(word) {
            return sym;
        }
        let sym = self.symbols.len() as Sym;
        self.symbols.insert(word.into(), sym);
        sym
    }

    /// Drops the growth headroom of the per-word cluster lists (after a
    /// bulk load).
    pub fn shrink_to_fit(&mut self) {
        for clusters in &mut self.by_word {
            clusters.shrink_to_fit();
        }
        self.by_word.shrink_to_fit();
        self.clusters.shrink_to_fit();
    }

    /// Adds a quote (its text and, if known, its speaker's entity id) and
    /// returns its cluster; `None` for a quote with no words.
    pub fn add(&mut self, text: &str, speaker_entity_id: Option<&str>) -> Option<usize> {
        let words: Vec<Sym> = normalise(text).iter().map(|w| self.intern(w)).collect();
        if words.is_empty() {
            return None;
        }
        let speaker = speaker_entity_id.map(|s| self.intern(s));
        let set = sorted_set(&words);
        let hash = super::hash64(words.as_slice());
        if let Some(&cluster) = self.exact.get(&hash) {
            let c = &self.clusters[cluster as usize];
            if same_quote(&c.words, &c.set, c.speaker, &words, &set, speaker) {
                return Some(cluster as usize);
            }
        }
        let rarest = words
            .iter()
            .min_by_key(|&&w| self.by_word.get(w as usize).map_or(0, Vec::len));
        let found = rarest
            .and_then(|&w| self.by_word.get(w as usize))
            .and_then(|candidates| {
                candidates
                    .iter()
                    .rev()
                    .take(MAX_CANDIDATES)
                    .map(|&i| i as usize)
                    .find(|&i| {
                        let c = &self.clusters[i];
                        same_quote(&c.words, &c.set, c.speaker, &words, &set, speaker)
                    })
            });
        let cluster = match found {
            Some(cluster) => cluster,
            None => {
                let cluster = self.clusters.len();
                for &w in &set {
                    let w = w as usize;
                    if self.by_word.len() <= w {
                        self.by_word.resize_with(w + 1, Vec::new);
                    }
                    self.by_word[w].push(cluster as u32);
                }
                self.clusters.push(Cluster {
                    words: words.into_boxed_slice(),
                    set: set.into_boxed_slice(),
                    speaker,
                });
                cluster
            }
        };
        self.exact.entry(hash).or_insert(cluster as u32);
        Some(cluster)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn links_small_variants() {
        let mut c = Corroborator::new();
        let a = c.add("The trip reflects the importance of ties,", Some("p/x"));
        let b = c.add("trip reflects the importance of ties", Some("p/x"));
        assert!(a.is_some());
        assert_eq!(a, b);
        let d = c.add("improving strategic defense cooperation", None);
        let e = c.add("improving the strategic defense cooperation", None);
        assert_eq!(d, e);
        assert_ne!(a, d);
    }

    #[test]
    fn short_quotes_need_the_same_speaker() {
        let mut c = Corroborator::new();
        let a = c.add("strategic and important", Some("person/x"));
        assert_eq!(c.add("strategic.", Some("person/x")), a);
        assert_ne!(c.add("strategic", Some("person/y")), a);
        assert_ne!(c.add("important", None), a);
        assert_eq!(c.add("...", None), None);
    }

    #[test]
    fn many_repeats_stay_cheap_and_in_one_cluster() {
        let mut c = Corroborator::new();
        let first = c.add("We will rebuild the bridge before winter comes", None);
        for _ in 0..100_000 {
            assert_eq!(
                c.add("we will rebuild the bridge before winter comes.", None),
                first
            );
        }
        assert_eq!(c.clusters.len(), 1);
    }
}
