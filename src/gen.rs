//! Synthetic corpora for scale tests: N realistic articles made by
//! recombining the paragraphs of real articles, with people renamed,
//! outlets and dates varied — deterministically from a seed number, so a
//! benchmark can be rerun on exactly the same data.
//!
//! People are found by our own extractor and replaced by names drawn from a
//! pool of generated people (consistently within each generated article),
//! with skewed popularity, so the synthetic corpus has many distinct people
//! that recur across articles as in real news — not the seeds' five.

use std::io::Write;
use std::path::Path;

use serde::Serialize;

use crate::corpus::{prepare, Limits};
use crate::error::{Error, Result};
use crate::loader::{corpus_files, SourceReader};
use crate::model::EntityType;

/// SplitMix64: tiny, fast, and reproducible across platforms.
#[derive(Debug, Clone)]
pub struct Rng(u64);

impl Rng {
    /// A generator from a seed.
    pub fn new(seed: u64) -> Self {
        Rng(seed)
    }

    /// Next 64 random bits.
    pub fn next_u64(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    }

    /// Uniform in `0..n` (`n > 0`).
    pub fn below(&mut self, n: usize) -> usize {
        (self.next_u64() % n.max(1) as u64) as usize
    }

    /// One element of a non-empty slice.
    pub fn pick<'a, T>(&mut self, items: &'a [T]) -> &'a T {
        &items[self.below(items.len())]
    }
}

const SYLLABLES: &[&str] = &[
    "ka", "lo", "mi", "ren", "ta", "vo", "shi", "an", "el", "dor", "bel", "ri", "sa", "no", "gu",
    "mar", "tin", "os", "ev", "ul", "ba", "ne", "ko", "li", "zu", "ham", "per", "di", "ya", "fen",
];
const OUTLET_NOUNS: &[&str] = &[
    "Herald",
    "Times",
    "Post",
    "Gazette",
    "Chronicle",
    "Observer",
    "Tribune",
    "Courier",
    "Daily",
    "Review",
];

fn word(rng: &mut Rng, syllables: usize) -> String {
    let mut w: String = (0..syllables).map(|_| *rng.pick(SYLLABLES)).collect();
    if let Some(first) = w.get(..1) {
        let upper = first.to_uppercase();
        w.replace_range(..1, &upper);
    }
    w
}

/// A generated "Firstname Surname".
pub fn person_name(rng: &mut Rng) -> (String, String) {
    let first = word(rng, 2);
    let syllables = 2 + rng.below(2);
    let last = word(rng, syllables);
    (first, last)
}

/// A piece of a paragraph template.
#[derive(Debug, Clone)]
enum Segment {
    Text(String),
    /// A person mention: which person of the source article, and whether
    /// the text used the full name or only the surname.
    Person {
        person: usize,
        surname_only: bool,
    },
}

#[derive(Debug, Clone)]
struct Template {
    segments: Vec<Segment>,
}

/// Paragraph templates drawn from real articles.
pub struct Generator {
    templates: Vec<Template>,
    outlets: Vec<String>,
    people: usize,
}

/// One generated article, in the JSON Lines corpus format.
#[derive(Debug, Clone, Serialize, PartialEq)]
pub struct GeneratedArticle {
    /// Raw text (paragraphs separated by blank lines).
    pub text: String,
    /// Headline.
    pub title: String,
    /// Outlet.
    pub outlet: String,
    /// Authors.
    pub authors: Vec<String>,
    /// `YYYY-MM-DD`.
    pub published: String,
    /// Made-up URL, unique per article.
    pub url: String,
}

impl Generator {
    /// Learns paragraph templates from the articles under `path`.
    pub fn from_path(path: &Path) -> Result<Self> {
        let limits = Limits::default();
        let mut templates = Vec::new();
        for raw in SourceReader::new(corpus_files(path)?, limits.max_article_bytes).flatten() {
            let Ok(draft) = prepare(raw, &limits) else {
                continue;
            };
            let body: Vec<char> = draft.parsed.body().chars().collect();
            let people: Vec<usize> = draft
                .extraction
                .entities
                .iter()
                .enumerate()
                .filter(|(_, e)| e.entity_type == EntityType::Person)
                .map(|(i, _)| i)
                .collect();
            let mut mentions: Vec<_> = draft
                .extraction
                .mentions
                .iter()
                .filter(|m| people.contains(&m.entity))
                .collect();
            mentions.sort_by_key(|m| m.span.start);
            // Walk the body once, cutting it into paragraphs and person slots.
            let mut segments = Vec::new();
            let mut text = String::new();
            let mut next = mentions.into_iter().peekable();
            let mut i = 0usize;
            while i < body.len() {
                if let Some(m) = next.next_if(|m| m.span.start as usize == i) {
                    if !text.is_empty() {
                        segments.push(Segment::Text(std::mem::take(&mut text)));
                    }
                    segments.push(Segment::Person {
                        person: m.entity,
                        surname_only: !m.text.contains(' '),
                    });
                    i = (m.span.end as usize).max(i + 1);
                    continue;
                }
                if body[i] == '\n' && body.get(i + 1) == Some(&'\n') {
                    if !text.is_empty() {
                        segments.push(Segment::Text(std::mem::take(&mut text)));
                    }
                    if !segments.is_empty() {
                        templates.push(Template {
                            segments: std::mem::take(&mut segments),
                        });
                    }
                    i += 2;
                    continue;
                }
                text.push(body[i]);
                i += 1;
            }
            if !text.is_empty() {
                segments.push(Segment::Text(text));
            }
            if !segments.is_empty() {
                templates.push(Template { segments });
            }
        }
        if templates.is_empty() {
            return Err(Error::invalid(
                "from",
                format!("no usable articles under {}", path.display()),
            ));
        }
        let mut rng = Rng::new(0x5eed);
        let outlets = (0..64)
            .map(|_| {
                let syllables = 2 + rng.below(2);
                let town = word(&mut rng, syllables);
                format!("The {town} {}", rng.pick(OUTLET_NOUNS))
            })
            .collect();
        Ok(Generator {
            templates,
            outlets,
            people: 20_000,
        })
    }

    /// Sets how many distinct people the corpus draws from (default 20,000).
    pub fn with_people(mut self, people: usize) -> Self {
        self.people = people.max(1);
        self
    }

    /// A person from the corpus's pool. Popularity is skewed, as in real news:
    /// a few people appear in very many articles, most in a few.
    fn pooled_name(&self, seed: u64, rng: &mut Rng) -> (String, String) {
        let u = (rng.next_u64() >> 11) as f64 / (1u64 << 53) as f64;
        let k = ((u * u) * self.people as f64) as u64;
        person_name(&mut Rng::new(
            seed ^ k.wrapping_mul(0xD6E8_FEB8_6659_FD93) ^ 0x9e37,
        ))
    }

    /// Number of paragraph templates learnt.
    pub fn template_count(&self) -> usize {
        self.templates.len()
    }

    /// Article number `n` of the corpus for `seed`: the same pair always
    /// gives the same article.
    pub fn article(&self, seed: u64, n: u64) -> GeneratedArticle {
        let mut rng = Rng::new(seed ^ n.wrapping_mul(0xA24B_AED4_963E_E407));
        let paragraphs = 4 + rng.below(12);
        let mut names: std::collections::HashMap<(usize, usize), (String, String)> =
            Default::default();
        let mut text = String::new();
        for p in 0..paragraphs {
            let template_index = rng.below(self.templates.len());
            let template = &self.templates[template_index];
            if p > 0 {
                text.push_str("\n\n");
            }
            for segment in &template.segments {
                match segment {
                    Segment::Text(t) => text.push_str(t),
                    Segment::Person {
                        person,
                        surname_only,
                    } => {
                        // Names are per (template, person) so that a person
                        // keeps one name wherever their paragraph is reused
                        // within this article.
                        let (first, last) = names
                            .entry((template_index, *person))
                            .or_insert_with(|| self.pooled_name(seed, &mut rng));
                        if *surname_only {
                            text.push_str(last);
                        } else {
                            text.push_str(first);
                            text.push(' ');
                            text.push_str(last);
                        }
                    }
                }
            }
        }
        let title: String = text
            .split(['.', '\n'])
            .next()
            .unwrap_or_default()
            .split_whitespace()
            .take(10)
            .collect::<Vec<_>>()
            .join(" ");
        let (first, last) = person_name(&mut rng);
        let day = rng.below(365 * 25);
        let published = date_from_days(day);
        GeneratedArticle {
            text,
            title,
            outlet: rng.pick(&self.outlets).clone(),
            authors: vec![format!("{first} {last}")],
            published,
            url: format!("https://news.example/{seed}/{n}"),
        }
    }

    /// Writes `count` articles as JSON Lines.
    pub fn write_jsonl(&self, seed: u64, count: u64, out: &mut impl Write) -> Result<u64> {
        let mut bytes = 0u64;
        for n in 0..count {
            let line = serde_json::to_string(&self.article(seed, n))
                .map_err(|e| Error::Internal(format!("cannot encode article: {e}")))?;
            out.write_all(line.as_bytes())
                .and_then(|_| out.write_all(b"\n"))
                .map_err(|e| Error::Internal(format!("cannot write corpus: {e}")))?;
            bytes += line.len() as u64 + 1;
        }
        out.flush()
            .map_err(|e| Error::Internal(format!("cannot write corpus: {e}")))?;
        Ok(bytes)
    }
}

/// Day number since 2000-01-01 to `YYYY-MM-DD`.
fn date_from_days(mut day: usize) -> String {
    let mut year = 2000;
    loop {
        let leap = (year % 4 == 0 && year % 100 != 0) || year % 400 == 0;
        let len = if leap { 366 } else { 365 };
        if day < len {
            let months = [
                31,
                if leap { 29 } else { 28 },
                31,
                30,
                31,
                30,
                31,
                31,
                30,
                31,
                30,
                31,
            ];
            let mut month = 0;
            while day >= months[month] {
                day -= months[month];
                month += 1;
            }
            return format!("{year:04}-{:02}-{:02}", month + 1, day + 1);
        }
        day -= len;
        year += 1;
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::valid_date;

    #[test]
    fn dates_are_valid_and_cover_leap_days() {
        assert_eq!(date_from_days(0), "2000-01-01");
        assert_eq!(date_from_days(59), "2000-02-29");
        assert_eq!(date_from_days(366), "2001-01-01");
        for d in (0..9000).step_by(37) {
            assert!(valid_date(&date_from_days(d)));
        }
    }

    #[test]
    fn generation_is_deterministic_and_varied() {
        let seeds = Path::new(env!("CARGO_MANIFEST_DIR")).join("seeds");
        let generator = Generator::from_path(&seeds).expect("templates");
        assert!(generator.template_count() > 20);
        let a = generator.article(7, 1);
        assert_eq!(a, generator.article(7, 1));
        assert_ne!(a.text, generator.article(7, 2).text);
        assert_ne!(a.text, generator.article(8, 1).text);
        assert!(valid_date(&a.published));
        let mut out = Vec::new();
        let bytes = generator.write_jsonl(7, 3, &mut out).unwrap();
        assert_eq!(bytes as usize, out.len());
        assert_eq!(out.iter().filter(|&&b| b == b'\n').count(), 3);
    }
}
