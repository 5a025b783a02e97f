//! Domain model: plain Rust types for articles, entities, mentions and quotes.
//!
//! Nothing here knows about gRPC or protobuf; `grpc::convert` maps these types
//! to and from the generated ones. Offsets are in Unicode code points (not
//! bytes) into the clean article body, because that is what clients in other
//! languages (Python `str` slicing) index by.

use serde::{Deserialize, Serialize};

/// Half-open range `[start, end)` of code points into an article body.
#[derive(
    Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize, Default,
)]
pub struct Span {
    /// First code point (inclusive).
    pub start: u32,
    /// One past the last code point (exclusive).
    pub end: u32,
}

impl Span {
    /// Builds a span; `end` must not be before `start`.
    pub fn new(start: u32, end: u32) -> Self {
        debug_assert!(start <= end);
        Span { start, end }
    }
}

/// OntoNotes entity types, as exposed by the API.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "SCREAMING_SNAKE_CASE")]
pub enum EntityType {
    /// People.
    Person,
    /// Organisations.
    Org,
    /// Countries, cities, states.
    Gpe,
    /// Non-GPE locations.
    Loc,
    /// Nationalities, religious and political groups.
    Norp,
    /// Named events.
    Event,
    /// Laws, treaties, agreements.
    Law,
    /// Titles of works.
    WorkOfArt,
    /// Anything else.
    Other,
}

impl EntityType {
    /// Every type, in API order.
    pub const ALL: [EntityType; 9] = [
        EntityType::Person,
        EntityType::Org,
        EntityType::Gpe,
        EntityType::Loc,
        EntityType::Norp,
        EntityType::Event,
        EntityType::Law,
        EntityType::WorkOfArt,
        EntityType::Other,
    ];

    /// Lowercase slug used as the first part of entity ids (`person/...`).
    pub fn slug(self) -> &'static str {
        match self {
            EntityType::Person => "person",
            EntityType::Org => "org",
            EntityType::Gpe => "gpe",
            EntityType::Loc => "loc",
            EntityType::Norp => "norp",
            EntityType::Event => "event",
            EntityType::Law => "law",
            EntityType::WorkOfArt => "work",
            EntityType::Other => "other",
        }
    }
}

/// How a quoted span is used.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "SCREAMING_SNAKE_CASE")]
pub enum QuoteKind {
    /// A full quoted statement.
    Direct,
    /// A quoted fragment inside the reporter's sentence.
    Partial,
    /// Distancing quote marks; no speaker.
    Scare,
}

/// What `parse::parse` makes of raw text: metadata and a clean body.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct ParsedArticle {
    /// Headline; empty when none is found.
    pub title: String,
    /// Standfirst / subtitle; empty when none.
    pub subtitle: String,
    /// Outlet name; empty when unknown.
    pub outlet: String,
    /// Byline authors.
    pub authors: Vec<String>,
    /// `YYYY-MM-DD` or empty.
    pub published: String,
    /// Clean paragraphs, in order, repeats removed.
    pub paragraphs: Vec<String>,
    /// Lines dropped as furniture (for display/debugging).
    pub removed_lines: Vec<String>,
}

impl ParsedArticle {
    /// The clean body: paragraphs joined by a blank line. Spans index into this.
    pub fn body(&self) -> String {
        self.paragraphs.join("\n\n")
    }
}

/// An entity as found inside one article, before corpus-wide resolution.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct LocalEntity {
    /// Fullest name seen in the article (canonical within the article).
    pub name: String,
    /// Type.
    pub entity_type: EntityType,
    /// Distinct surface forms seen in the article.
    pub aliases: Vec<String>,
    /// Titles/roles given to the entity in the article, as written.
    pub roles: Vec<String>,
}

/// A mention inside one article; `entity` indexes `Extraction::entities`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct LocalMention {
    /// Index into `Extraction::entities`.
    pub entity: usize,
    /// Surface form as written.
    pub text: String,
    /// Position in the body.
    pub span: Span,
}

/// A quote inside one article.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct LocalQuote {
    /// Quoted words without the marks.
    pub text: String,
    /// Position of `text` in the body.
    pub span: Span,
    /// Kind.
    pub kind: QuoteKind,
    /// Index into `Extraction::entities` of the speaker, when it is an entity.
    pub speaker_entity: Option<usize>,
    /// Speaker's name or description as resolved; empty when unknown.
    pub speaker_name: String,
    /// Speaker's role/title as written; empty when none.
    pub speaker_role: String,
    /// Attribution cue as written; empty when none.
    pub cue: String,
}

/// Everything extraction finds in one article body.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct Extraction {
    /// Distinct entities in the article.
    pub entities: Vec<LocalEntity>,
    /// Every mention, ordered by span start.
    pub mentions: Vec<LocalMention>,
    /// Every quote, ordered by span start.
    pub quotes: Vec<LocalQuote>,
}

/// A stored article with its corpus-wide identity.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Article {
    /// Stable id derived from content.
    pub id: String,
    /// Monotonic position in the corpus (ingest order), starting at 1.
    pub seq: u64,
    /// File name or URL.
    pub source: String,
    /// URL given at ingest, if any.
    pub url: String,
    /// Headline.
    pub title: String,
    /// Subtitle / standfirst.
    pub subtitle: String,
    /// Outlet.
    pub outlet: String,
    /// Authors.
    pub authors: Vec<String>,
    /// `YYYY-MM-DD` or empty.
    pub published: String,
    /// Clean body.
    pub body: String,
    /// Body paragraphs.
    pub paragraphs: Vec<String>,
    /// Lines removed as furniture.
    pub removed_lines: Vec<String>,
    /// Entity ids by first mention.
    pub entity_ids: Vec<String>,
    /// Quote count.
    pub quote_count: u32,
    /// Mention count.
    pub mention_count: u32,
    /// The story the article belongs to (`story/<id of its first article>`).
    pub story_id: String,
    /// The earliest article this one is a syndicated copy of; empty if none.
    pub duplicate_of: String,
}

/// Articles about the same event, across outlets and days.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct Story {
    /// `story/<id of its first article>`.
    pub id: String,
    /// Headline of its most central article.
    pub title: String,
    /// Number of articles.
    pub article_count: u32,
    /// The first 100 article ids, in corpus order.
    pub article_ids: Vec<String>,
    /// Outlets that carried it, in order of first appearance.
    pub outlets: Vec<String>,
    /// Earliest publication date (`YYYY-MM-DD`), or empty.
    pub first_published: String,
    /// Latest publication date, or empty.
    pub last_published: String,
    /// The most mentioned entities, at most 10.
    pub top_entity_ids: Vec<String>,
    /// Quotes in its articles.
    pub quote_count: u32,
    /// Of those, quotes reported by more than one article.
    pub corroborated_quote_count: u32,
}

/// How to order stories.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum StoryOrder {
    /// Most articles first.
    #[default]
    Size,
    /// Latest article (by publication date, then corpus position) first.
    Recent,
}

/// An entity seen with another one.
#[derive(Debug, Clone, PartialEq)]
pub struct EntityRelation {
    /// The first entity (the one asked about, or the smaller id of a pair).
    pub source_id: String,
    /// The related entity.
    pub entity_id: String,
    /// Its canonical name.
    pub name: String,
    /// Its type.
    pub entity_type: EntityType,
    /// Articles mentioning both.
    pub article_count: u32,
    /// Paragraphs mentioning both.
    pub paragraph_count: u32,
    /// Normalised pointwise mutual information over articles, in [-1, 1].
    pub score: f32,
    /// Up to 5 articles mentioning both, in corpus order.
    pub sample_article_ids: Vec<String>,
}

/// How to order related entities.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum RelationOrder {
    /// Highest association (NPMI) first.
    #[default]
    Score,
    /// Most shared articles first.
    Count,
}

/// A facet asked of AggregateArticles. `size` is the number of buckets
/// returned by a top-N facet.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Facet {
    /// Articles per day, week (Monday), month or year.
    DateHistogram(DateInterval),
    /// Top outlets.
    Outlet {
        /// Buckets returned.
        size: usize,
    },
    /// Top authors.
    Author {
        /// Buckets returned.
        size: usize,
    },
    /// Top entities (by articles mentioning them).
    Entity {
        /// Buckets returned.
        size: usize,
        /// Only entities of this type.
        entity_type: Option<EntityType>,
    },
    /// Top speakers of the matching articles' quotes (by quotes).
    Speaker {
        /// Buckets returned.
        size: usize,
    },
    /// Largest stories among the matching articles.
    Story {
        /// Buckets returned.
        size: usize,
    },
}

/// Histogram bucket width.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum DateInterval {
    /// Calendar days.
    Day,
    /// ISO weeks, starting on Monday.
    Week,
    /// Calendar months.
    Month,
    /// Calendar years.
    Year,
}

/// One bucket of a facet.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Bucket {
    /// The bucket's key: a date (`YYYY-MM-DD`, the bucket's first day), an
    /// entity or story id, or an outlet or author name.
    pub key: String,
    /// Human-readable label (entity name, story title, the outlet as written).
    pub label: String,
    /// Matching articles in it (quotes, for speakers).
    pub count: u64,
}

/// The answer for one facet.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct FacetResult {
    /// Buckets: by date for histograms, largest first otherwise.
    pub buckets: Vec<Bucket>,
    /// Matching articles with no date (histograms only).
    pub undated_count: u64,
    /// Matching items not in the returned buckets (top-N facets only).
    pub other_count: u64,
}

/// What AggregateArticles answers.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct Aggregation {
    /// Matching articles.
    pub article_count: u64,
    /// One result per requested facet, in request order.
    pub facets: Vec<FacetResult>,
}

/// A corpus-wide entity.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Entity {
    /// `type/slug` id.
    pub id: String,
    /// Canonical name.
    pub name: String,
    /// Type.
    pub entity_type: EntityType,
    /// Every surface form seen, sorted.
    pub aliases: Vec<String>,
    /// Mentions across the corpus.
    pub mention_count: u32,
    /// Articles that mention it, in corpus order (possibly capped).
    pub article_ids: Vec<String>,
    /// Number of articles that mention it.
    pub article_count: u32,
    /// Roles/titles seen.
    pub roles: Vec<String>,
}

/// A stored mention.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Mention {
    /// Entity id.
    pub entity_id: String,
    /// Article id.
    pub article_id: String,
    /// Surface form.
    pub text: String,
    /// Position in the body.
    pub span: Span,
    /// Entity type.
    pub entity_type: EntityType,
}

/// A stored quote.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Quote {
    /// `<article id>/q<index>`.
    pub id: String,
    /// Article id.
    pub article_id: String,
    /// Quoted words.
    pub text: String,
    /// Speaker entity id or empty.
    pub speaker_entity_id: String,
    /// Speaker name or empty.
    pub speaker_name: String,
    /// Speaker role or empty.
    pub speaker_role: String,
    /// Cue as written.
    pub cue: String,
    /// Kind.
    pub kind: QuoteKind,
    /// Position in the body.
    pub span: Span,
    /// Other articles reporting the same quote: the first 100.
    pub corroborating_article_ids: Vec<String>,
    /// How many other articles report the same quote.
    pub corroborating_article_count: u32,
}

/// A search result, best first.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct SearchHit {
    /// Matching article.
    pub article_id: String,
    /// Its headline.
    pub title: String,
    /// BM25 score.
    pub score: f32,
    /// Highlighted fragments.
    pub snippets: Vec<Snippet>,
    /// Its outlet.
    pub outlet: String,
    /// Its date.
    pub published: String,
    /// Its source.
    pub source: String,
}

/// A body fragment around search matches.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Snippet {
    /// Fragment text.
    pub text: String,
    /// Matches as code point ranges into `text`.
    pub highlights: Vec<Span>,
    /// Fragment with `<b>` markup, HTML-escaped.
    pub html: String,
}

/// An article ready to store: parsed, extracted, with its id decided.
/// Serializable: durable stores journal it as is, so that a restart needs no
/// extraction.
#[derive(Debug, Clone, serde::Serialize, serde::Deserialize)]
pub struct ArticleDraft {
    /// Content-derived id.
    pub id: String,
    /// File name or URL.
    pub source: String,
    /// URL, if given at ingest.
    pub url: String,
    /// Metadata and clean paragraphs.
    pub parsed: ParsedArticle,
    /// Entities, mentions and quotes of the body.
    pub extraction: Extraction,
}

/// Result of storing one draft.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct InsertOutcome {
    /// Id of the stored (or already present) article.
    pub article_id: String,
    /// Corpus position of the article.
    pub seq: u64,
    /// False when an article with the same id was already stored.
    pub created: bool,
    /// Distinct entities in the article.
    pub entity_count: u32,
    /// Mentions in the article.
    pub mention_count: u32,
    /// Quotes in the article.
    pub quote_count: u32,
}

/// A raw article handed in for ingest, with optional metadata overrides.
#[derive(Debug, Clone, Default)]
pub struct RawArticle {
    /// The raw text.
    pub text: String,
    /// Where it came from (file name or URL); defaults to the URL.
    pub source: String,
    /// URL, if known.
    pub url: String,
    /// Headline override.
    pub title: Option<String>,
    /// Outlet override.
    pub outlet: Option<String>,
    /// Authors override.
    pub authors: Option<Vec<String>>,
    /// Date override (`YYYY-MM-DD`).
    pub published: Option<String>,
}

/// A corpus file that could not be loaded.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct SkippedFile {
    /// File name.
    pub source: String,
    /// Why.
    pub reason: String,
}

/// Checks a `YYYY-MM-DD` date (a real calendar date).
pub fn valid_date(date: &str) -> bool {
    let b = date.as_bytes();
    if b.len() != 10 || b[4] != b'-' || b[7] != b'-' {
        return false;
    }
    let num = |r: std::ops::Range<usize>| date.get(r).and_then(|s| s.parse::<u32>().ok());
    let (Some(y), Some(m), Some(d)) = (num(0..4), num(5..7), num(8..10)) else {
        return false;
    };
    let leap = (y % 4 == 0 && y % 100 != 0) || y % 400 == 0;
    let days = match m {
        1 | 3 | 5 | 7 | 8 | 10 | 12 => 31,
        4 | 6 | 9 | 11 => 30,
        2 if leap => 29,
        2 => 28,
        _ => return false,
    };
    d >= 1 && d <= days
}
