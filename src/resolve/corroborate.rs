//! Quote corroboration: the same words reported by several articles.

use super::keys::name_key;
use std::collections::HashMap;

#[derive(Debug, Clone)]
struct Registered {
    article_id: String,
    quote_id: String,
    words: Vec<String>,
    speaker: Option<String>,
}

/// Links quotes of different articles that report the same words. Small differences
/// are allowed: punctuation, casing, articles, and one quote being a stretch of the
/// other (a short stretch only when the speaker is the same).
#[derive(Debug, Clone, Default)]
pub struct Corroborator {
    quotes: Vec<Registered>,
    /// Word → registered quotes containing it.
    by_word: HashMap<String, Vec<usize>>,
}

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

impl Corroborator {
    /// An empty register.
    pub fn new() -> Self {
        Self::default()
    }

    /// Registers quote `quote_id` of `article_id`; returns `(article_id, quote_id)` of
    /// quotes of other articles already registered that report the same words.
    pub fn add(
        &mut self,
        article_id: &str,
        quote_id: &str,
        text: &str,
        speaker_entity_id: Option<&str>,
    ) -> Vec<(String, String)> {
        let words = normalise(text);
        let mut out = Vec::new();
        if !words.is_empty() {
            // Candidates share the rarest word of this quote.
            let rarest = words
                .iter()
                .min_by_key(|w| self.by_word.get(*w).map_or(0, Vec::len));
            let candidates: Vec<usize> = rarest
                .and_then(|w| self.by_word.get(w))
                .cloned()
                .unwrap_or_default();
            for i in candidates {
                let r = &self.quotes[i];
                if r.article_id == article_id {
                    continue;
                }
                let same_speaker = matches!((speaker_entity_id, r.speaker.as_deref()), (Some(a), Some(b)) if a == b);
                let speakers_differ = matches!((speaker_entity_id, r.speaker.as_deref()), (Some(a), Some(b)) if a != b);
                if speakers_differ {
                    continue;
                }
                let (short, long) = if words.len() <= r.words.len() {
                    (&words, &r.words)
                } else {
                    (&r.words, &words)
                };
                let same = *short == *long
                    || (short.len() >= 4 || same_speaker) && contains_run(long, short)
                    || short.len() >= 4 && jaccard(short, long) >= 0.8;
                if same {
                    out.push((r.article_id.clone(), r.quote_id.clone()));
                }
            }
        }
        let idx = self.quotes.len();
        let mut seen = std::collections::HashSet::new();
        for w in &words {
            if seen.insert(w.clone()) {
                self.by_word.entry(w.clone()).or_default().push(idx);
            }
        }
        self.quotes.push(Registered {
            article_id: article_id.to_owned(),
            quote_id: quote_id.to_owned(),
            words,
            speaker: speaker_entity_id.map(str::to_owned),
        });
        out
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn links_small_variants_across_articles() {
        let mut c = Corroborator::new();
        assert!(c
            .add(
                "a1",
                "a1/q0",
                "The trip reflects the importance of ties,",
                Some("p/x")
            )
            .is_empty());
        let hits = c.add(
            "a2",
            "a2/q0",
            "trip reflects the importance of ties",
            Some("p/x"),
        );
        assert_eq!(hits, vec![("a1".to_owned(), "a1/q0".to_owned())]);
        // Same article never corroborates itself.
        assert!(
            c.add("a2", "a2/q1", "trip reflects the importance of ties", None)
                .len()
                == 1
        );
    }

    #[test]
    fn short_quotes_need_the_same_speaker() {
        let mut c = Corroborator::new();
        c.add("a1", "q1", "strategic and important", Some("person/x"));
        assert_eq!(c.add("a2", "q2", "strategic.", Some("person/x")).len(), 1);
        assert!(c.add("a3", "q3", "strategic", Some("person/y")).is_empty());
        assert!(c.add("a4", "q4", "important", None).is_empty());
    }
}
