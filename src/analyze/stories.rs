//! Online story clustering: each new article joins the story it is most
//! like, or starts a new one.
//!
//! An article is a TF-IDF vector over its headline words (counted twice),
//! the content words of its first paragraphs, and the entities it mentions
//! (resolved corpus-wide, so "Bagheri" and "Baqeri" are one feature) — the
//! combination the online news-clustering literature settles on (Miranda et
//! al., EMNLP 2018; newsLens, Laban & Hearst 2017), with IDF from the
//! articles stored so far. A story is the sum of its articles' vectors (its
//! most weighted features kept). Candidates come from an inverted index of
//! each story's strongest features, never from a scan of all stories, and a
//! story takes an article only within [`WINDOW_DAYS`] of its dates: two
//! storms a month apart are two stories even when they share every word.
//! An article joins the best candidate whose cosine similarity reaches
//! [`JOIN_SIMILARITY`]; a syndicated copy joins its original's story.
//!
//! Stories never merge after the fact (an article that bridges two stories
//! joins the closer one): ids are stable once handed out, which is what a
//! client that stored a story id needs.

use std::collections::HashMap;

use super::features::{content_words, stable_hash};

/// Cosine similarity from which an article joins a story.
pub const JOIN_SIMILARITY: f32 = 0.12;
/// Days between an article and the nearest date of a story it may join.
pub const WINDOW_DAYS: i32 = 10;
/// Features kept per article vector.
const ARTICLE_FEATURES: usize = 60;
/// Features kept per story centroid.
const STORY_FEATURES: usize = 160;
/// An article's strongest features, used to find candidate stories and to
/// index the story it joins.
const LOOKUP_FEATURES: usize = 16;
/// Stories remembered per feature (the most recent ones).
const POSTINGS: usize = 48;
/// Body words read per article: the lead carries the event.
const BODY_WORDS: usize = 400;
/// Documents assumed seen before the first (see `vector`).
const IDF_PRIOR: f32 = 100.0;
/// Weights of the feature kinds.
const TITLE_WEIGHT: f32 = 2.0;
const ENTITY_WEIGHT: f32 = 3.0;

/// What clustering reads of an article.
#[derive(Debug, Clone, Default)]
pub struct StoryInput<'a> {
    /// Headline.
    pub title: &'a str,
    /// Clean body.
    pub body: &'a str,
    /// Corpus-wide entity indices mentioned, with their mention counts.
    pub entities: &'a [(u32, u32)],
    /// Publication day ([`super::day_number`]), if dated.
    pub day: Option<i32>,
    /// The article index this one is a syndicated copy of, if it is one.
    pub copy_of: Option<u32>,
}

#[derive(Debug)]
struct Story {
    /// Index of its first article: the story's identity.
    first_article: u32,
    /// Feature → summed weight, sorted by feature.
    centroid: Vec<(u64, f32)>,
    norm: f32,
    first_day: Option<i32>,
    last_day: Option<i32>,
}

/// The clustering state: grows by one article at a time, in corpus order.
#[derive(Debug, Default)]
pub struct StoryClusterer {
    /// Feature → number of articles having it.
    df: HashMap<u64, u32>,
    /// Story of each article, by article index.
    story_of: Vec<u32>,
    stories: Vec<Story>,
    /// Feature → stories (most recent last) whose strongest features include it.
    postings: HashMap<u64, Vec<u32>>,
}

fn tf_weight(count: f32) -> f32 {
    1.0 + count.ln()
}

impl StoryClusterer {
    /// The TF-IDF vector of an article, strongest features first.
    fn vector(&self, input: &StoryInput<'_>) -> Vec<(u64, f32)> {
        let mut counts: HashMap<u64, f32> = HashMap::new();
        for word in content_words(input.title) {
            *counts
                .entry(stable_hash(&[b"t", word.as_bytes()]))
                .or_default() += TITLE_WEIGHT;
        }
        for word in content_words(input.body).take(BODY_WORDS) {
            *counts
                .entry(stable_hash(&[b"t", word.as_bytes()]))
                .or_default() += 1.0;
        }
        for &(entity, mentions) in input.entities {
            *counts
                .entry(stable_hash(&[b"e", &entity.to_le_bytes()]))
                .or_default() += ENTITY_WEIGHT * mentions.max(1) as f32;
        }
        let docs = self.story_of.len() as f32;
        let mut vector: Vec<(u64, f32)> = counts
            .into_iter()
            .map(|(feature, count)| {
                let df = self.df.get(&feature).copied().unwrap_or(0) as f32;
                // A prior of IDF_PRIOR documents: while the corpus is small,
                // a feature shared by a handful of articles (the story's own
                // names) must not look as common as a stop word.
                let idf = ((docs + IDF_PRIOR) / (df + 1.0)).ln();
                (feature, tf_weight(count) * idf)
            })
            .collect();
        strongest_first(&mut vector);
        vector.truncate(ARTICLE_FEATURES);
        let norm = vector.iter().map(|(_, w)| w * w).sum::<f32>().sqrt();
        if norm > 0.0 {
            for (_, w) in &mut vector {
                *w /= norm;
            }
        }
        vector
    }

    /// Adds the article stored at `index` (the next one, in corpus order)
    /// and returns the index of the story it belongs to.
    pub fn add(&mut self, index: u32, input: &StoryInput<'_>) -> u32 {
        debug_assert_eq!(index as usize, self.story_of.len());
        let vector = self.vector(input);
        let chosen = match input
            .copy_of
            .and_then(|original| self.story_of.get(original as usize).copied())
        {
            Some(story) => Some(story),
            None => self.best_story(&vector, input.day),
        };
        let story = match chosen {
            Some(story) => {
                if input.copy_of.is_none() {
                    self.absorb(story, &vector);
                }
                story
            }
            None => {
                let story = self.stories.len() as u32;
                self.stories.push(Story {
                    first_article: index,
                    centroid: Vec::new(),
                    norm: 0.0,
                    first_day: None,
                    last_day: None,
                });
                self.absorb(story, &vector);
                story
            }
        };
        let s = &mut self.stories[story as usize];
        if let Some(day) = input.day {
            s.first_day = Some(s.first_day.map_or(day, |d| d.min(day)));
            s.last_day = Some(s.last_day.map_or(day, |d| d.max(day)));
        }
        for &(feature, _) in vector.iter().take(LOOKUP_FEATURES) {
            let list = self.postings.entry(feature).or_default();
            if list.last() != Some(&story) {
                list.retain(|&s| s != story);
                list.push(story);
                if list.len() > POSTINGS {
                    list.remove(0);
                }
            }
        }
        for &(feature, _) in &vector {
            *self.df.entry(feature).or_default() += 1;
        }
        self.story_of.push(story);
        story
    }

    /// The candidate story most like `vector`, if one is like enough.
    fn best_story(&self, vector: &[(u64, f32)], day: Option<i32>) -> Option<u32> {
        let mut candidates: Vec<u32> = vector
            .iter()
            .take(LOOKUP_FEATURES)
            .filter_map(|(feature, _)| self.postings.get(feature))
            .flatten()
            .copied()
            .collect();
        candidates.sort_unstable();
        candidates.dedup();
        let mut best: Option<(f32, u32)> = None;
        for story in candidates {
            let s = &self.stories[story as usize];
            if let (Some(day), Some(first), Some(last)) = (day, s.first_day, s.last_day) {
                let gap = (first - day).max(day - last).max(0);
                if gap > WINDOW_DAYS {
                    continue;
                }
            }
            let score = cosine(vector, &s.centroid, s.norm);
            // Ties go to the older story: deterministic whatever the order.
            if score >= JOIN_SIMILARITY && best.is_none_or(|(b, _)| score > b) {
                best = Some((score, story));
            }
        }
        best.map(|(_, story)| story)
    }

    fn absorb(&mut self, story: u32, vector: &[(u64, f32)]) {
        let s = &mut self.stories[story as usize];
        let mut merged: HashMap<u64, f32> = s.centroid.iter().copied().collect();
        for &(feature, weight) in vector {
            *merged.entry(feature).or_default() += weight;
        }
        let mut centroid: Vec<(u64, f32)> = merged.into_iter().collect();
        strongest_first(&mut centroid);
        centroid.truncate(STORY_FEATURES);
        s.norm = centroid.iter().map(|(_, w)| w * w).sum::<f32>().sqrt();
        centroid.sort_unstable_by_key(|&(f, _)| f);
        s.centroid = centroid;
    }

    /// The story of the article at `index`.
    pub fn story_of(&self, index: u32) -> Option<u32> {
        self.story_of.get(index as usize).copied()
    }

    /// The first article of a story (its identity).
    pub fn first_article(&self, story: u32) -> Option<u32> {
        self.stories.get(story as usize).map(|s| s.first_article)
    }
}

/// Sorts by weight, strongest first, ties by feature (deterministic).
fn strongest_first(features: &mut [(u64, f32)]) {
    features.sort_unstable_by(|a, b| b.1.total_cmp(&a.1).then(a.0.cmp(&b.0)));
}

/// Cosine of a unit article vector (any order) and a centroid sorted by feature.
fn cosine(vector: &[(u64, f32)], centroid: &[(u64, f32)], norm: f32) -> f32 {
    if norm <= 0.0 {
        return 0.0;
    }
    let dot: f32 = vector
        .iter()
        .filter_map(|(f, w)| {
            centroid
                .binary_search_by_key(f, |&(g, _)| g)
                .ok()
                .map(|i| w * centroid[i].1)
        })
        .sum();
    dot / norm
}

#[cfg(test)]
mod tests {
    use super::*;

    fn input<'a>(title: &'a str, body: &'a str, day: i32) -> StoryInput<'a> {
        StoryInput {
            title,
            body,
            day: Some(day),
            ..Default::default()
        }
    }

    #[test]
    fn same_event_joins_other_events_and_old_ones_do_not() {
        let mut c = StoryClusterer::default();
        let a = c.add(0, &input("Ferry sinks off Lesbos", "A ferry carrying 300 passengers sank off Lesbos after hitting rocks near Mytilene harbour; coastguard divers searched the wreck.", 100));
        let b = c.add(1, &input("Lesbos ferry: coastguard recovers bodies", "Coastguard divers recovered bodies from the ferry wreck off Lesbos near Mytilene harbour, where the vessel hit rocks.", 101));
        let other = c.add(2, &input("Central bank holds rates", "The central bank kept its main interest rate unchanged, citing inflation and weak wages.", 101));
        let later = c.add(3, &input("Ferry sinks off Lesbos", "A ferry carrying passengers sank off Lesbos after hitting rocks near Mytilene harbour; coastguard divers searched the wreck.", 160));
        assert_eq!(a, b);
        assert_ne!(a, other);
        assert_ne!(a, later, "two months later is another event");
        assert_eq!(c.stories.len(), 3);
        assert_eq!(c.first_article(a), Some(0));
    }

    #[test]
    fn copies_join_their_original_and_results_do_not_depend_on_history_order() {
        let mut c = StoryClusterer::default();
        c.add(
            0,
            &input(
                "Quake hits Chile",
                "An earthquake struck northern Chile near Coquimbo.",
                5,
            ),
        );
        let copy = c.add(
            1,
            &StoryInput {
                copy_of: Some(0),
                ..input("Totally different headline", "Unrelated words entirely.", 5)
            },
        );
        assert_eq!(copy, c.story_of(0).unwrap());
    }
}
