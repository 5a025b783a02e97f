//! Quote corroboration: the same words reported by several articles.

use super::keys::name_key;
use std::collections::HashMap;

/// A group of quotes, from one or more articles, that report the same words.
#[derive(Debug, Clone)]
struct Cluster {
    /// Words of the first quote of the cluster: what later quotes are compared to.
    words: Vec<String>,
    speaker: Option<String>,
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
    /// Normalised words joined by spaces → cluster, for exact repeats.
    exact: HashMap<String, usize>,
    /// Word → clusters whose representative contains it.
    by_word: HashMap<String, Vec<usize>>,
}

/// Clusters compared per quote at most: keeps a word shared by very many
/// different quotes from making one add expensive.
const MAX_CANDIDATES: usize = 256;

fn normalise(text: &str) -> Vec<String> {
    name_key(text)
        .split(' ')
        .filter(|w| !w.is_empty() && !matches!(*w, "the" | "a" | "an"))
        .map(str::to_owned)
        .collect()
}

/// Whether `short` occurs as a contiguous run inside `long`.
fn contains_run(long: &[String], short: &[String]) -> bool {
    !short.is_empty() && long.windows(short.len()).any(|w| w == short)
}

fn jaccard(a: &[String], b: &[String]) -> f64 {
    let sa: std::collections::HashSet<&String> = a.iter().collect();
    let sb: std::collections::HashSet<&String> = b.iter().collect();
    let inter = sa.intersection(&sb).count() as f64;
    let union = sa.union(&sb).count() as f64;
    if union == 0.0 {
        0.0
    } else {
        inter / union
    }
}

fn same_quote(
    a: &[String],
    a_speaker: Option<&str>,
    b: &[String],
    b_speaker: Option<&str>,
) -> bool {
    let same_speaker = matches!((a_speaker, b_speaker), (Some(x), Some(y)) if x == y);
    let speakers_differ = matches!((a_speaker, b_speaker), (Some(x), Some(y)) if x != y);
    if speakers_differ {
        return false;
    }
    let (short, long) = if a.len() <= b.len() { (a, b) } else { (b, a) };
    short == long
        || (short.len() >= 4 || same_speaker) && contains_run(long, short)
        || short.len() >= 4 && jaccard(short, long) >= 0.8
}

impl Corroborator {
    /// An empty register.
    pub fn new() -> Self {
        Self::default()
    }

    /// Registers a quote and returns the id of its cluster: quotes with the same
    /// cluster id report the same words. `None` for a quote with no words.
    pub fn add(&mut self, text: &str, speaker_entity_id: Option<&str>) -> Option<usize> {
        let words = normalise(text);
        if words.is_empty() {
            return None;
        }
        let joined = words.join(" ");
        if let Some(&cluster) = self.exact.get(&joined) {
            let c = &self.clusters[cluster];
            if same_quote(&c.words, c.speaker.as_deref(), &words, speaker_entity_id) {
                return Some(cluster);
            }
        }
        // Candidates share the rarest word of this quote.
        let rarest = words
            .iter()
            .min_by_key(|w| self.by_word.get(*w).map_or(0, Vec::len));
        let found = rarest
            .and_then(|w| self.by_word.get(w))
            .and_then(|candidates| {
                candidates
                    .iter()
                    .rev()
                    .take(MAX_CANDIDATES)
                    .copied()
                    .find(|&i| {
                        let c = &self.clusters[i];
                        same_quote(&c.words, c.speaker.as_deref(), &words, speaker_entity_id)
                    })
            });
        let cluster = match found {
            Some(cluster) => cluster,
            None => {
                let cluster = self.clusters.len();
                let mut seen = std::collections::HashSet::new();
                for w in &words {
                    if seen.insert(w.as_str()) {
                        self.by_word.entry(w.clone()).or_default().push(cluster);
                    }
                }
                self.clusters.push(Cluster {
                    words,
                    speaker: speaker_entity_id.map(str::to_owned),
                });
                cluster
            }
        };
        self.exact.entry(joined).or_insert(cluster);
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
