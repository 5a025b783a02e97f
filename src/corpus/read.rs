//! The corpus's read side: every query a transport may ask, answered from
//! the store. Lookups turn "absent" into NOT_FOUND here, once, and the few
//! rules that belong to the domain rather than to a backend live here too
//! (a quote id names its article; entities are found by id, then by name).

use tokio::sync::watch;

use super::{Corpus, LoadReport};
use crate::error::{Error, Result};
use crate::model::{
    Aggregation, Article, ArticleDraft, Entity, EntityRelation, Facet, InsertOutcome, Mention,
    Quote, SearchHit, Story,
};
use crate::query::{
    ArticleFilter, EntityFilter, EntityPos, ItemPos, MentionFilter, QuoteFilter, RelationQuery,
    SearchQuery, StoryFilter, StoryPos,
};
use crate::store::StoreStats;

/// Corpus-wide counts and what the start-up load did.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct CorpusStats {
    /// Articles, entities, mentions, quotes.
    pub counts: StoreStats,
    /// Files loaded and skipped at start.
    pub load: LoadReport,
}

impl Corpus {
    /// One article by id.
    pub async fn article(&self, id: &str) -> Result<Article> {
        self.store
            .article(id)
            .await?
            .ok_or_else(|| Error::not_found("article", id))
    }

    /// An article's clean body, if it is stored (spans point into it).
    pub async fn body(&self, id: &str) -> Result<Option<String>> {
        Ok(self.store.article(id).await?.map(|a| a.body))
    }

    /// Articles matching `filter` after position `after`, in corpus order.
    pub async fn articles(
        &self,
        filter: &ArticleFilter,
        after: u64,
        max: usize,
    ) -> Result<Vec<Article>> {
        self.store.articles(filter, after, max).await
    }

    /// The newest corpus position, updated as articles are stored.
    pub fn latest_seq(&self) -> watch::Receiver<u64> {
        self.store.latest_seq()
    }

    /// Checks that a search query parses, before a stream starts.
    pub fn validate_query(&self, text: &str) -> Result<()> {
        self.store.validate_query(text)
    }

    /// Ranked search hits `offset..offset + max`.
    pub async fn search(
        &self,
        query: &SearchQuery,
        offset: usize,
        max: usize,
    ) -> Result<Vec<SearchHit>> {
        self.store.search(query, offset, max).await
    }

    /// One entity by id, falling back to name/alias lookup.
    pub async fn entity(&self, id: &str, name: &str) -> Result<Entity> {
        if !id.is_empty() {
            if let Some(entity) = self.store.entity(id).await? {
                return Ok(entity);
            }
        }
        let wanted = if name.is_empty() { id } else { name };
        self.store
            .entities_named(wanted)
            .await?
            .into_iter()
            .next()
            .ok_or_else(|| Error::not_found("entity", wanted))
    }

    /// One entity by id only; `None` when there is none.
    pub async fn find_entity(&self, id: &str) -> Result<Option<Entity>> {
        self.store.entity(id).await
    }

    /// Entities matching `filter` after `after`, in entity order.
    pub async fn entities(
        &self,
        filter: &EntityFilter,
        after: Option<&EntityPos>,
        max: usize,
    ) -> Result<Vec<Entity>> {
        self.store.entities(filter, after, max).await
    }

    /// Mentions matching `filter` after `after`, in corpus order.
    pub async fn mentions(
        &self,
        filter: &MentionFilter,
        after: Option<ItemPos>,
        max: usize,
    ) -> Result<Vec<(ItemPos, Mention)>> {
        self.store.mentions(filter, after, max).await
    }

    /// Quotes matching `filter` after `after`, in corpus order.
    pub async fn quotes(
        &self,
        filter: &QuoteFilter,
        after: Option<ItemPos>,
        max: usize,
    ) -> Result<Vec<(ItemPos, Quote)>> {
        self.store.quotes(filter, after, max).await
    }

    /// One quote by id (`<article id>/q<n>`), with its position.
    pub async fn quote(&self, id: &str) -> Result<(ItemPos, Quote)> {
        // The article's quotes hold it, if anything does.
        let article_id = id
            .rsplit_once("/q")
            .filter(|(article, n)| {
                !article.is_empty() && !n.is_empty() && n.bytes().all(|b| b.is_ascii_digit())
            })
            .map(|(article, _)| article.to_owned())
            .ok_or_else(|| {
                Error::invalid(
                    "id",
                    format!("{id:?} is not a quote id (`<article id>/q<n>`)"),
                )
            })?;
        let filter = QuoteFilter {
            article_id: Some(article_id),
            ..Default::default()
        };
        let mut quotes = self.store.quotes(&filter, None, usize::MAX).await?;
        quotes.retain(|(_, q)| q.id == id);
        quotes.pop().ok_or_else(|| Error::not_found("quote", id))
    }

    /// Counts, and what the start-up load did.
    pub async fn stats(&self) -> Result<CorpusStats> {
        Ok(CorpusStats {
            counts: self.store.stats().await?,
            load: self.load_report(),
        })
    }

    /// One story by id.
    pub async fn story(&self, id: &str) -> Result<Story> {
        self.store
            .story(id)
            .await?
            .ok_or_else(|| Error::not_found("story", id))
    }

    /// Stories matching `filter` after `after`, in the filter's order.
    pub async fn stories(
        &self,
        filter: &StoryFilter,
        after: Option<&StoryPos>,
        max: usize,
    ) -> Result<Vec<(StoryPos, Story)>> {
        self.store.stories(filter, after, max).await
    }

    /// Entity pairs `offset..offset + max` in the query's order.
    pub async fn related_entities(
        &self,
        query: &RelationQuery,
        offset: usize,
        max: usize,
    ) -> Result<Vec<EntityRelation>> {
        self.store.related_entities(query, offset, max).await
    }

    /// Facet counts over the articles matching `query` (if any) and `filter`.
    pub async fn aggregate(
        &self,
        query: Option<&str>,
        filter: &ArticleFilter,
        facets: &[Facet],
    ) -> Result<Aggregation> {
        if let Some(text) = query {
            self.store.validate_query(text)?;
        }
        self.store.aggregate(query, filter, facets).await
    }

    /// Stores prepared articles together (one journal sync, one lock); the
    /// outcomes are in the drafts' order. On error nothing was stored.
    pub async fn insert(&self, drafts: Vec<ArticleDraft>) -> Result<Vec<InsertOutcome>> {
        self.store.insert(drafts).await
    }
}
