//! What a reader asks the corpus for: filters, queries and the positions
//! listings resume from. Domain types, shared by the corpus service, the
//! stores that answer them and the transports that build them from requests
//! (which is why they live neither in `store` nor in `grpc`).

use crate::model::{Entity, EntityType, QuoteKind, RelationOrder, StoryOrder};

/// Which articles a listing, search or watch returns. `None` matches all.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct ArticleFilter {
    /// Outlet, compared by name key.
    pub outlet: Option<String>,
    /// One author, compared by name key.
    pub author: Option<String>,
    /// Inclusive lower date bound, `YYYY-MM-DD`.
    pub published_from: Option<String>,
    /// Inclusive upper date bound, `YYYY-MM-DD`.
    pub published_to: Option<String>,
    /// Mentions this entity.
    pub entity_id: Option<String>,
    /// Has a quote by this speaker (entity id, or name/alias).
    pub speaker: Option<String>,
    /// Belongs to this story.
    pub story_id: Option<String>,
    /// Leaves out syndicated copies (articles with a `duplicate_of`).
    pub exclude_duplicates: bool,
}

impl ArticleFilter {
    /// True when the filter restricts nothing.
    pub fn is_empty(&self) -> bool {
        *self == ArticleFilter::default()
    }

    /// Every field, named, in one string: what ties a search or relation
    /// cursor to the listing it was issued for. Written out field by field
    /// (not `Debug`), so that a field added here is a decision, and so that
    /// renaming a Rust field does not silently invalidate cursors.
    pub fn fingerprint(&self) -> String {
        format!(
            "outlet={:?};author={:?};from={:?};to={:?};entity={:?};speaker={:?};story={:?};no_dups={}",
            self.outlet,
            self.author,
            self.published_from,
            self.published_to,
            self.entity_id,
            self.speaker,
            self.story_id,
            self.exclude_duplicates,
        )
    }
}

/// Which stories a listing returns.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct StoryFilter {
    /// Stories having at least one matching article.
    pub articles: ArticleFilter,
    /// Stories with at least this many articles.
    pub min_articles: u32,
    /// Listing order.
    pub order: StoryOrder,
}

/// Position of a story in a listing's order: a sort key (ascending), then
/// the story's own number. Stories grow, so a resumed listing follows the
/// order as it is when it resumes.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub struct StoryPos {
    /// Sort key, ascending (sizes and dates stored inverted).
    pub key: u64,
    /// The story's number, for ties.
    pub story: u32,
}

/// Which related entities a listing returns.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct RelationQuery {
    /// The entity id; `None` lists every pair.
    pub entity: Option<String>,
    /// Only co-occurrences in matching articles.
    pub articles: ArticleFilter,
    /// Only related entities of this type.
    pub entity_type: Option<EntityType>,
    /// Pairs in at least this many articles (at least 1).
    pub min_articles: u32,
    /// Listing order.
    pub order: RelationOrder,
}

impl RelationQuery {
    /// Every field, named: ties a relation cursor to its listing (see
    /// [`ArticleFilter::fingerprint`]).
    pub fn fingerprint(&self) -> String {
        format!(
            "entity={:?};type={:?};min={};order={:?};{}",
            self.entity,
            self.entity_type,
            self.min_articles,
            self.order,
            self.articles.fingerprint()
        )
    }
}

/// Which entities a listing returns.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct EntityFilter {
    /// Only entities mentioned in articles matching this filter.
    pub articles: ArticleFilter,
    /// Only this type.
    pub entity_type: Option<EntityType>,
    /// Only entities mentioned in this article.
    pub article_id: Option<String>,
    /// Only entities with a name/alias whose key starts with this prefix key.
    pub name_prefix: Option<String>,
    /// Minimum corpus mention count.
    pub min_mentions: u32,
}

/// Which mentions a listing returns.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct MentionFilter {
    /// Only in articles matching this filter.
    pub articles: ArticleFilter,
    /// Only in this article.
    pub article_id: Option<String>,
    /// Only of this entity.
    pub entity_id: Option<String>,
}

/// Which quotes a listing returns.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct QuoteFilter {
    /// Only in articles matching this filter.
    pub articles: ArticleFilter,
    /// Speaker entity id, or name/alias.
    pub speaker: Option<String>,
    /// Only in this article.
    pub article_id: Option<String>,
    /// Case-insensitive substring of the quote text.
    pub text_contains: Option<String>,
    /// Only this kind.
    pub kind: Option<QuoteKind>,
}

/// A full-text search.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct SearchQuery {
    /// Query text in the query language (phrases, boolean operators).
    pub text: String,
    /// Restricts hits.
    pub filter: ArticleFilter,
    /// Snippets per hit (at least 1).
    pub max_snippets: usize,
}

impl SearchQuery {
    /// The query text and filter, for tying a cursor to the search it was
    /// issued for (how many snippets a hit shows does not change the hits).
    pub fn fingerprint(&self) -> String {
        format!("{}\u{1f}{}", self.text, self.filter.fingerprint())
    }
}

/// Position in entity order (mention count descending, then name, then id).
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord)]
pub struct EntityPos {
    /// Mention count, stored inverted so that ascending order is the API order.
    pub inverted_count: u32,
    /// Canonical name.
    pub name: String,
    /// Id.
    pub id: String,
}

impl EntityPos {
    /// Position of an entity.
    pub fn of(entity: &Entity) -> Self {
        EntityPos {
            inverted_count: u32::MAX - entity.mention_count,
            name: entity.name.clone(),
            id: entity.id.clone(),
        }
    }
}

/// Position of an item inside the corpus: article position, then index in it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct ItemPos {
    /// Article position (`Article::seq`).
    pub seq: u64,
    /// Index of the item within the article.
    pub index: u32,
}
