//! Corpus storage: what the service needs from a backend, as one trait.
//!
//! The gRPC layer and the corpus service only see [`Store`]; the in-memory
//! backend ([`memory::MemoryStore`]) is the embedded default (durable with a
//! data folder), and the shared PostgreSQL backend ([`postgres::PgStore`])
//! plugs in behind the same trait without touching the API.
//! Listing methods are page-based (`after` + `max`) so callers can stream
//! without ever holding a whole result set.

pub(crate) mod codec;
pub mod journal;
pub mod memory;
pub mod postgres;
pub mod search;

use async_trait::async_trait;
use tokio::sync::watch;

use crate::error::Result;
use crate::model::{
    Aggregation, Article, Entity, EntityRelation, EntityType, Facet, Mention, Quote, SearchHit,
    Story,
};
// Stores take and give the domain's own types; re-exported because every
// backend names them.
pub use crate::model::{ArticleDraft, InsertOutcome};
pub use crate::query::{
    ArticleFilter, EntityFilter, EntityPos, ItemPos, MentionFilter, QuoteFilter, RelationQuery,
    SearchQuery, StoryFilter, StoryPos,
};

/// Corpus-wide counts.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct StoreStats {
    /// Articles.
    pub articles: u64,
    /// Distinct entities per type.
    pub entities_by_type: Vec<(EntityType, u64)>,
    /// Mentions.
    pub mentions: u64,
    /// Quotes.
    pub quotes: u64,
    /// Quotes with at least one corroborating article.
    pub corroborated_quotes: u64,
    /// Inserts that found the article already present.
    pub duplicates: u64,
}

/// What [`Store::recover`] did.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Recovery {
    /// Articles recovered.
    pub articles: u64,
    /// Of those, articles the search index had to (re)index.
    pub reindexed: u64,
    /// Bytes of a torn journal tail that were dropped.
    pub dropped_bytes: u64,
}

/// What the service needs from a corpus backend.
#[async_trait]
pub trait Store: Send + Sync + 'static {
    /// Stores drafts in order; a draft whose id is present is a duplicate.
    /// Small inserts are searchable on return; large (bulk) ones may become
    /// searchable a little later, and at the latest after [`Store::flush`].
    async fn insert(&self, drafts: Vec<ArticleDraft>) -> Result<Vec<InsertOutcome>>;
    /// Brings back what a durable backend stored before a restart; must
    /// finish before the first insert. Memory-only backends have nothing to do.
    async fn recover(&self) -> Result<Recovery> {
        Ok(Recovery::default())
    }
    /// Whether an article id is stored, when the backend can tell at once
    /// (used to skip extraction of articles loaded before); `None` if unknown.
    fn has_article(&self, _id: &str) -> Option<bool> {
        None
    }
    /// A small record kept with the corpus under `key` (durable backends
    /// only; `None` otherwise). The corpus folder's manifest lives here.
    async fn note(&self, _key: &str) -> Result<Option<Vec<u8>>> {
        Ok(None)
    }
    /// Replaces the record under `key`; memory-only backends drop it.
    async fn set_note(&self, _key: &str, _value: &[u8]) -> Result<()> {
        Ok(())
    }
    /// Whether the backend can answer right now, for backends that depend
    /// on another server (a database); `None` if always available. Health
    /// follows it: NOT_SERVING while false.
    fn availability(&self) -> Option<watch::Receiver<bool>> {
        None
    }
    /// Makes everything inserted so far searchable and durable (if the
    /// backend is durable).
    async fn flush(&self) -> Result<()> {
        Ok(())
    }
    /// After a bulk load: reorganises what was loaded for faster queries
    /// (one search segment). Takes seconds at a million articles.
    async fn compact(&self) -> Result<()> {
        Ok(())
    }
    /// One article by id.
    async fn article(&self, id: &str) -> Result<Option<Article>>;
    /// Up to `max` matching articles with `seq > after`, in corpus order.
    async fn articles(
        &self,
        filter: &ArticleFilter,
        after: u64,
        max: usize,
    ) -> Result<Vec<Article>>;
    /// Up to `max` hits starting at rank `offset` (0-based), best first.
    async fn search(
        &self,
        query: &SearchQuery,
        offset: usize,
        max: usize,
    ) -> Result<Vec<SearchHit>>;
    /// Checks a query's syntax without running it (INVALID_ARGUMENT if bad).
    fn validate_query(&self, _text: &str) -> Result<()> {
        Ok(())
    }
    /// One entity by id.
    async fn entity(&self, id: &str) -> Result<Option<Entity>>;
    /// Entities having `name` as a name or alias, most mentioned first.
    async fn entities_named(&self, name: &str) -> Result<Vec<Entity>>;
    /// Up to `max` matching entities after `after`, in entity order.
    async fn entities(
        &self,
        filter: &EntityFilter,
        after: Option<&EntityPos>,
        max: usize,
    ) -> Result<Vec<Entity>>;
    /// Up to `max` matching mentions after `after`, in corpus order.
    async fn mentions(
        &self,
        filter: &MentionFilter,
        after: Option<ItemPos>,
        max: usize,
    ) -> Result<Vec<(ItemPos, Mention)>>;
    /// Up to `max` matching quotes after `after`, in corpus order.
    async fn quotes(
        &self,
        filter: &QuoteFilter,
        after: Option<ItemPos>,
        max: usize,
    ) -> Result<Vec<(ItemPos, Quote)>>;
    /// Corpus counts.
    async fn stats(&self) -> Result<StoreStats>;
    /// One story by id.
    async fn story(&self, id: &str) -> Result<Option<Story>>;
    /// Up to `max` matching stories after `after`, in the filter's order.
    async fn stories(
        &self,
        filter: &StoryFilter,
        after: Option<&StoryPos>,
        max: usize,
    ) -> Result<Vec<(StoryPos, Story)>>;
    /// Up to `max` related entities (or pairs) after position `after` of
    /// the query's order.
    async fn related_entities(
        &self,
        query: &RelationQuery,
        after: usize,
        max: usize,
    ) -> Result<Vec<EntityRelation>>;
    /// Counts over the articles matching `filter` (and the search `query`,
    /// when given), one result per facet.
    async fn aggregate(
        &self,
        query: Option<&str>,
        filter: &ArticleFilter,
        facets: &[Facet],
    ) -> Result<Aggregation>;
    /// The highest article position stored so far; changes on every insert.
    /// Watchers wait on it, then read new articles with [`Store::articles`].
    fn latest_seq(&self) -> watch::Receiver<u64>;
}
