//! The embedded in-memory backend: the default, needing no setup.
//!
//! One `RwLock` guards the corpus tables; corpus-wide identity (entity
//! resolution, quote corroboration) runs under the write lock so that two
//! concurrent ingests can never create the same entity twice. Reads take the
//! read lock for one page at a time and clone that page out, so a slow
//! client never holds a lock.

use std::collections::{BTreeSet, HashMap, HashSet};
use std::sync::{Arc, Mutex, RwLock, RwLockReadGuard, RwLockWriteGuard};

use async_trait::async_trait;
use tokio::sync::watch;

use super::search::{IndexFilter, IndexedArticle, SearchIndex};
use super::{
    ArticleDraft, ArticleFilter, EntityFilter, EntityPos, InsertOutcome, ItemPos, MentionFilter,
    QuoteFilter, SearchQuery, Store, StoreStats,
};
use crate::error::{Error, Result};
use crate::model::{Article, Entity, EntityType, Mention, Quote, QuoteKind, SearchHit};
use crate::resolve::{name_key, Corroborator, Resolver};

/// An article with everything extracted from it.
#[derive(Debug, Clone)]
struct StoredArticle {
    article: Article,
    mentions: Vec<Mention>,
    quotes: Vec<Quote>,
    author_keys: Vec<String>,
    outlet_key: String,
    /// Entity ids and name keys of everyone quoted in the article.
    speaker_keys: HashSet<String>,
}

#[derive(Debug, Clone)]
struct EntityRecord {
    entity: Entity,
    aliases: BTreeSet<String>,
    roles: BTreeSet<String>,
    /// Where the entity is mentioned: (article seq, mention index).
    mentions: Vec<ItemPos>,
}

#[derive(Default)]
struct Tables {
    /// Articles by `seq - 1`.
    articles: Vec<StoredArticle>,
    by_id: HashMap<String, usize>,
    entities: HashMap<String, EntityRecord>,
    /// Quote id -> (article index, quote index), for corroboration updates.
    quote_index: HashMap<String, (usize, usize)>,
    resolver: Resolver,
    corroborator: Corroborator,
    duplicates: u64,
    mention_total: u64,
    quote_total: u64,
    /// Bumped on every change; keys the sorted-entity cache.
    generation: u64,
}

type SortedEntities = Arc<Vec<(EntityPos, String)>>;

/// In-memory corpus with a tantivy index beside it.
pub struct MemoryStore {
    tables: RwLock<Tables>,
    index: SearchIndex,
    latest: watch::Sender<u64>,
    /// Entities in API order, rebuilt lazily after changes.
    sorted_entities: Mutex<Option<(u64, SortedEntities)>>,
}

fn poisoned() -> Error {
    Error::Internal("store lock poisoned".into())
}

impl MemoryStore {
    /// An empty store.
    pub fn new() -> Result<Self> {
        Ok(MemoryStore {
            tables: RwLock::new(Tables::default()),
            index: SearchIndex::in_memory()?,
            latest: watch::Sender::new(0),
            sorted_entities: Mutex::new(None),
        })
    }

    /// Number of live change-feed subscribers (open WatchArticles streams).
    pub fn watcher_count(&self) -> usize {
        self.latest.receiver_count()
    }

    fn read(&self) -> Result<RwLockReadGuard<'_, Tables>> {
        self.tables.read().map_err(|_| poisoned())
    }

    fn write(&self) -> Result<RwLockWriteGuard<'_, Tables>> {
        self.tables.write().map_err(|_| poisoned())
    }

    fn sorted_entities(&self, tables: &Tables) -> Result<SortedEntities> {
        let mut cache = self.sorted_entities.lock().map_err(|_| poisoned())?;
        if let Some((generation, sorted)) = cache.as_ref() {
            if *generation == tables.generation {
                return Ok(sorted.clone());
            }
        }
        let mut sorted: Vec<(EntityPos, String)> = tables
            .entities
            .values()
            .map(|r| (EntityPos::of(&r.entity), r.entity.id.clone()))
            .collect();
        sorted.sort();
        let sorted = Arc::new(sorted);
        *cache = Some((tables.generation, sorted.clone()));
        Ok(sorted)
    }
}

impl Tables {
    fn insert(&mut self, draft: ArticleDraft) -> (InsertOutcome, Option<IndexedArticle>) {
        if let Some(&index) = self.by_id.get(&draft.id) {
            self.duplicates += 1;
            let stored = &self.articles[index];
            let outcome = InsertOutcome {
                article_id: stored.article.id.clone(),
                seq: stored.article.seq,
                created: false,
                entity_count: stored.article.entity_ids.len() as u32,
                mention_count: stored.article.mention_count,
                quote_count: stored.article.quote_count,
            };
            return (outcome, None);
        }
        self.generation += 1;
        let seq = self.articles.len() as u64 + 1;
        let article_index = self.articles.len();
        let ArticleDraft {
            id: article_id,
            source,
            url,
            parsed,
            extraction,
        } = draft;
        let resolved = self.resolver.resolve(&extraction);

        // Entities: aliases and roles from the article, then every mention.
        for (local, global) in extraction.entities.iter().zip(&resolved) {
            let record = self
                .entities
                .entry(global.id.clone())
                .or_insert_with(|| EntityRecord {
                    entity: Entity {
                        id: global.id.clone(),
                        name: global.name.clone(),
                        entity_type: global.entity_type,
                        aliases: Vec::new(),
                        mention_count: 0,
                        article_ids: Vec::new(),
                        roles: Vec::new(),
                    },
                    aliases: BTreeSet::new(),
                    roles: BTreeSet::new(),
                    mentions: Vec::new(),
                });
            record.aliases.extend(local.aliases.iter().cloned());
            record.aliases.insert(local.name.clone());
            record.roles.extend(local.roles.iter().cloned());
        }
        let mut mentions = Vec::with_capacity(extraction.mentions.len());
        let mut entity_ids: Vec<String> = Vec::new();
        let mut seen = HashSet::new();
        for (index, mention) in extraction.mentions.iter().enumerate() {
            let Some(global) = resolved.get(mention.entity) else {
                continue;
            };
            if let Some(record) = self.entities.get_mut(&global.id) {
                record.entity.mention_count += 1;
                record.aliases.insert(mention.text.clone());
                record.mentions.push(ItemPos {
                    seq,
                    index: index as u32,
                });
                if record.entity.article_ids.last() != Some(&article_id) {
                    record.entity.article_ids.push(article_id.clone());
                }
            }
            if seen.insert(global.id.clone()) {
                entity_ids.push(global.id.clone());
            }
            mentions.push(Mention {
                entity_id: global.id.clone(),
                article_id: article_id.clone(),
                text: mention.text.clone(),
                span: mention.span,
                entity_type: global.entity_type,
            });
        }
        // Entities found without a mention still belong to the article.
        for global in &resolved {
            if seen.insert(global.id.clone()) {
                entity_ids.push(global.id.clone());
                if let Some(record) = self.entities.get_mut(&global.id) {
                    if record.entity.article_ids.last() != Some(&article_id) {
                        record.entity.article_ids.push(article_id.clone());
                    }
                }
            }
        }
        for global in &resolved {
            if let Some(record) = self.entities.get_mut(&global.id) {
                if let Some(name) = self.resolver.canonical_name(&global.id) {
                    record.entity.name = name.to_owned();
                }
                record.entity.aliases = record.aliases.iter().cloned().collect();
                record.entity.roles = record.roles.iter().cloned().collect();
            }
        }

        // Quotes, and corroboration with quotes already stored.
        let mut quotes = Vec::with_capacity(extraction.quotes.len());
        let mut speaker_keys = HashSet::new();
        let mut corroborations = Vec::new();
        for (index, local) in extraction.quotes.iter().enumerate() {
            let quote_id = format!("{article_id}/q{index}");
            let speaker = local.speaker_entity.and_then(|i| resolved.get(i));
            let speaker_entity_id = speaker.map(|s| s.id.clone()).unwrap_or_default();
            if !speaker_entity_id.is_empty() {
                speaker_keys.insert(speaker_entity_id.clone());
            }
            if !local.speaker_name.is_empty() {
                speaker_keys.insert(name_key(&local.speaker_name));
            }
            let mut corroborating = Vec::new();
            if local.kind != QuoteKind::Scare {
                let matches = self.corroborator.add(
                    &article_id,
                    &quote_id,
                    &local.text,
                    speaker.map(|s| s.id.as_str()),
                );
                for (other_article, other_quote) in matches {
                    if other_article != article_id && !corroborating.contains(&other_article) {
                        corroborating.push(other_article);
                    }
                    corroborations.push(other_quote);
                }
            }
            self.quote_index
                .insert(quote_id.clone(), (article_index, index));
            quotes.push(Quote {
                id: quote_id,
                article_id: article_id.clone(),
                text: local.text.clone(),
                speaker_entity_id,
                speaker_name: local.speaker_name.clone(),
                speaker_role: local.speaker_role.clone(),
                cue: local.cue.clone(),
                kind: local.kind,
                span: local.span,
                corroborating_article_ids: corroborating,
            });
        }
        for other_quote in corroborations {
            if let Some(&(a, q)) = self.quote_index.get(&other_quote) {
                if a == article_index {
                    continue;
                }
                if let Some(quote) = self.articles[a].quotes.get_mut(q) {
                    if !quote.corroborating_article_ids.contains(&article_id) {
                        quote.corroborating_article_ids.push(article_id.clone());
                    }
                }
            }
        }

        let body = parsed.body();
        let outlet_key = name_key(&parsed.outlet);
        let author_keys: Vec<String> = parsed.authors.iter().map(|a| name_key(a)).collect();
        let indexed = IndexedArticle {
            id: article_id.clone(),
            title: parsed.title.clone(),
            body: body.clone(),
            outlet_key: outlet_key.clone(),
            author_keys: author_keys.clone(),
            published: parsed.published.clone(),
            entity_ids: entity_ids.clone(),
            speaker_keys: speaker_keys.iter().cloned().collect(),
        };
        let outcome = InsertOutcome {
            article_id: article_id.clone(),
            seq,
            created: true,
            entity_count: entity_ids.len() as u32,
            mention_count: mentions.len() as u32,
            quote_count: quotes.len() as u32,
        };
        self.mention_total += mentions.len() as u64;
        self.quote_total += quotes.len() as u64;
        let article = Article {
            id: article_id.clone(),
            seq,
            source,
            url,
            title: parsed.title,
            subtitle: parsed.subtitle,
            outlet: parsed.outlet,
            authors: parsed.authors,
            published: parsed.published,
            body,
            paragraphs: parsed.paragraphs,
            removed_lines: parsed.removed_lines,
            entity_ids,
            quote_count: quotes.len() as u32,
            mention_count: mentions.len() as u32,
        };
        self.by_id.insert(article_id, article_index);
        self.articles.push(StoredArticle {
            article,
            mentions,
            quotes,
            author_keys,
            outlet_key,
            speaker_keys,
        });
        (outcome, Some(indexed))
    }

    fn article_by_id(&self, id: &str) -> Option<&StoredArticle> {
        self.by_id.get(id).map(|&i| &self.articles[i])
    }

    /// Entity ids and name keys a speaker filter value stands for.
    fn speaker_keys(&self, speaker: &str) -> Vec<String> {
        if self.entities.contains_key(speaker) {
            return vec![speaker.to_owned()];
        }
        let mut keys = self.resolver.lookup(speaker);
        keys.push(name_key(speaker));
        keys
    }

    fn matches(&self, stored: &StoredArticle, filter: &ResolvedArticleFilter) -> bool {
        let a = &stored.article;
        if let Some(key) = &filter.outlet_key {
            if &stored.outlet_key != key {
                return false;
            }
        }
        if let Some(key) = &filter.author_key {
            if !stored.author_keys.contains(key) {
                return false;
            }
        }
        if filter.published_from.is_some() || filter.published_to.is_some() {
            if a.published.is_empty() {
                return false;
            }
            if let Some(from) = &filter.published_from {
                if a.published.as_str() < from.as_str() {
                    return false;
                }
            }
            if let Some(to) = &filter.published_to {
                if a.published.as_str() > to.as_str() {
                    return false;
                }
            }
        }
        if let Some(id) = &filter.entity_id {
            if !a.entity_ids.contains(id) {
                return false;
            }
        }
        if let Some(keys) = &filter.speaker_keys {
            if !keys.iter().any(|k| stored.speaker_keys.contains(k)) {
                return false;
            }
        }
        true
    }

    fn resolve_filter(&self, filter: &ArticleFilter) -> ResolvedArticleFilter {
        ResolvedArticleFilter {
            outlet_key: filter.outlet.as_deref().map(name_key),
            author_key: filter.author.as_deref().map(name_key),
            published_from: filter.published_from.clone(),
            published_to: filter.published_to.clone(),
            entity_id: filter.entity_id.clone(),
            speaker_keys: filter.speaker.as_deref().map(|s| self.speaker_keys(s)),
        }
    }

    /// A quote as served: the speaker's name follows the entity's current
    /// canonical name, which can improve after the quote was stored.
    fn served_quote(&self, quote: &Quote) -> Quote {
        let mut quote = quote.clone();
        if let Some(record) = self.entities.get(&quote.speaker_entity_id) {
            quote.speaker_name = record.entity.name.clone();
        }
        quote
    }
}

struct ResolvedArticleFilter {
    outlet_key: Option<String>,
    author_key: Option<String>,
    published_from: Option<String>,
    published_to: Option<String>,
    entity_id: Option<String>,
    speaker_keys: Option<Vec<String>>,
}

impl From<ResolvedArticleFilter> for IndexFilter {
    fn from(f: ResolvedArticleFilter) -> Self {
        IndexFilter {
            outlet_key: f.outlet_key,
            author_key: f.author_key,
            published_from: f.published_from,
            published_to: f.published_to,
            entity_id: f.entity_id,
            speaker_keys: f.speaker_keys,
        }
    }
}

#[async_trait]
impl Store for MemoryStore {
    async fn insert(&self, drafts: Vec<ArticleDraft>) -> Result<Vec<InsertOutcome>> {
        let mut outcomes = Vec::with_capacity(drafts.len());
        let mut indexed = Vec::new();
        let latest = {
            let mut tables = self.write()?;
            for draft in drafts {
                let (outcome, doc) = tables.insert(draft);
                outcomes.push(outcome);
                indexed.extend(doc);
            }
            tables.articles.len() as u64
        };
        if !indexed.is_empty() {
            self.index.add(&indexed)?;
        }
        // Announce only once searchable, so a watcher that reacts by searching
        // finds what it was told about.
        self.latest.send_replace(latest);
        Ok(outcomes)
    }

    async fn article(&self, id: &str) -> Result<Option<Article>> {
        Ok(self.read()?.article_by_id(id).map(|s| s.article.clone()))
    }

    async fn articles(
        &self,
        filter: &ArticleFilter,
        after: u64,
        max: usize,
    ) -> Result<Vec<Article>> {
        let tables = self.read()?;
        let filter = tables.resolve_filter(filter);
        let start = (after as usize).min(tables.articles.len());
        Ok(tables.articles[start..]
            .iter()
            .filter(|s| tables.matches(s, &filter))
            .take(max)
            .map(|s| s.article.clone())
            .collect())
    }

    async fn search(
        &self,
        query: &SearchQuery,
        offset: usize,
        max: usize,
    ) -> Result<Vec<SearchHit>> {
        let filter: IndexFilter = self.read()?.resolve_filter(&query.filter).into();
        let ranked = self.index.search(
            &query.text,
            &filter,
            offset,
            max,
            query.max_snippets,
            |id| {
                self.tables
                    .read()
                    .ok()
                    .and_then(|t| t.article_by_id(id).map(|s| s.article.paragraphs.clone()))
                    .unwrap_or_default()
            },
        )?;
        let tables = self.read()?;
        Ok(ranked
            .into_iter()
            .filter_map(|hit| {
                let a = &tables.article_by_id(&hit.article_id)?.article;
                Some(SearchHit {
                    article_id: hit.article_id,
                    title: a.title.clone(),
                    score: hit.score,
                    snippets: hit.snippets,
                    outlet: a.outlet.clone(),
                    published: a.published.clone(),
                    source: a.source.clone(),
                })
            })
            .collect())
    }

    async fn entity(&self, id: &str) -> Result<Option<Entity>> {
        Ok(self.read()?.entities.get(id).map(|r| r.entity.clone()))
    }

    async fn entities_named(&self, name: &str) -> Result<Vec<Entity>> {
        let tables = self.read()?;
        let mut found: Vec<Entity> = tables
            .resolver
            .lookup(name)
            .iter()
            .filter_map(|id| tables.entities.get(id))
            .map(|r| r.entity.clone())
            .collect();
        found.sort_by(|a, b| EntityPos::of(a).cmp(&EntityPos::of(b)));
        found.dedup_by(|a, b| a.id == b.id);
        Ok(found)
    }

    async fn entities(
        &self,
        filter: &EntityFilter,
        after: Option<&EntityPos>,
        max: usize,
    ) -> Result<Vec<Entity>> {
        let tables = self.read()?;
        let sorted = self.sorted_entities(&tables)?;
        let start = match after {
            Some(pos) => sorted.partition_point(|(p, _)| p <= pos),
            None => 0,
        };
        let article_entities: Option<HashSet<&String>> = match &filter.article_id {
            Some(id) => match tables.article_by_id(id) {
                Some(s) => Some(s.article.entity_ids.iter().collect()),
                None => return Ok(Vec::new()),
            },
            None => None,
        };
        let prefix = filter.name_prefix.as_deref().map(name_key);
        let mut page = Vec::new();
        for (_, id) in &sorted[start..] {
            if page.len() >= max {
                break;
            }
            let Some(record) = tables.entities.get(id) else {
                continue;
            };
            let e = &record.entity;
            if filter.entity_type.is_some_and(|t| t != e.entity_type)
                || e.mention_count < filter.min_mentions
                || article_entities
                    .as_ref()
                    .is_some_and(|set| !set.contains(id))
            {
                continue;
            }
            if let Some(prefix) = &prefix {
                let hit = std::iter::once(&e.name)
                    .chain(&e.aliases)
                    .any(|n| name_key(n).starts_with(prefix.as_str()));
                if !hit {
                    continue;
                }
            }
            page.push(e.clone());
        }
        Ok(page)
    }

    async fn mentions(
        &self,
        filter: &MentionFilter,
        after: Option<ItemPos>,
        max: usize,
    ) -> Result<Vec<(ItemPos, Mention)>> {
        let tables = self.read()?;
        let is_after = |pos: &ItemPos| after.is_none_or(|a| *pos > a);
        let at = |pos: ItemPos| -> Option<(ItemPos, Mention)> {
            let stored = tables.articles.get((pos.seq - 1) as usize)?;
            Some((pos, stored.mentions.get(pos.index as usize)?.clone()))
        };
        let page = match (&filter.entity_id, &filter.article_id) {
            (Some(entity_id), article_id) => {
                let Some(record) = tables.entities.get(entity_id) else {
                    return Ok(Vec::new());
                };
                let seq = match article_id {
                    Some(id) => match tables.article_by_id(id) {
                        Some(s) => Some(s.article.seq),
                        None => return Ok(Vec::new()),
                    },
                    None => None,
                };
                let start = record.mentions.partition_point(|p| !is_after(p));
                record.mentions[start..]
                    .iter()
                    .filter(|p| seq.is_none_or(|s| p.seq == s))
                    .take(max)
                    .filter_map(|&p| at(p))
                    .collect()
            }
            (None, Some(article_id)) => {
                let Some(stored) = tables.article_by_id(article_id) else {
                    return Ok(Vec::new());
                };
                let seq = stored.article.seq;
                (0..stored.mentions.len() as u32)
                    .map(|index| ItemPos { seq, index })
                    .filter(|p| is_after(p))
                    .take(max)
                    .filter_map(at)
                    .collect()
            }
            (None, None) => {
                let start = after.map_or(0, |a| (a.seq - 1) as usize);
                let mut page = Vec::new();
                for stored in tables.articles.iter().skip(start) {
                    let seq = stored.article.seq;
                    for (index, m) in stored.mentions.iter().enumerate() {
                        let pos = ItemPos {
                            seq,
                            index: index as u32,
                        };
                        if is_after(&pos) {
                            page.push((pos, m.clone()));
                            if page.len() >= max {
                                return Ok(page);
                            }
                        }
                    }
                }
                page
            }
        };
        Ok(page)
    }

    async fn quotes(
        &self,
        filter: &QuoteFilter,
        after: Option<ItemPos>,
        max: usize,
    ) -> Result<Vec<(ItemPos, Quote)>> {
        let tables = self.read()?;
        let speaker_keys = filter.speaker.as_deref().map(|s| tables.speaker_keys(s));
        let needle = filter.text_contains.as_deref().map(str::to_lowercase);
        let articles: Vec<&StoredArticle> = match &filter.article_id {
            Some(id) => tables.article_by_id(id).into_iter().collect(),
            None => {
                let start = after.map_or(0, |a| (a.seq.saturating_sub(1)) as usize);
                tables.articles.iter().skip(start).collect()
            }
        };
        let mut page = Vec::new();
        for stored in articles {
            if let Some(keys) = &speaker_keys {
                if !keys.iter().any(|k| stored.speaker_keys.contains(k)) {
                    continue;
                }
            }
            let seq = stored.article.seq;
            for (index, quote) in stored.quotes.iter().enumerate() {
                let pos = ItemPos {
                    seq,
                    index: index as u32,
                };
                if after.is_some_and(|a| pos <= a) {
                    continue;
                }
                if filter.kind.is_some_and(|k| k != quote.kind) {
                    continue;
                }
                if let Some(keys) = &speaker_keys {
                    let quote_keys = [
                        quote.speaker_entity_id.clone(),
                        name_key(&quote.speaker_name),
                    ];
                    if !quote_keys.iter().any(|k| !k.is_empty() && keys.contains(k)) {
                        continue;
                    }
                }
                if let Some(needle) = &needle {
                    if !quote.text.to_lowercase().contains(needle.as_str()) {
                        continue;
                    }
                }
                page.push((pos, tables.served_quote(quote)));
                if page.len() >= max {
                    return Ok(page);
                }
            }
        }
        Ok(page)
    }

    async fn stats(&self) -> Result<StoreStats> {
        let tables = self.read()?;
        let mut by_type: HashMap<EntityType, u64> = HashMap::new();
        for record in tables.entities.values() {
            *by_type.entry(record.entity.entity_type).or_default() += 1;
        }
        let entities_by_type = EntityType::ALL
            .iter()
            .filter_map(|t| by_type.get(t).map(|&n| (*t, n)))
            .collect();
        let corroborated_quotes = tables
            .articles
            .iter()
            .flat_map(|a| &a.quotes)
            .filter(|q| !q.corroborating_article_ids.is_empty())
            .count() as u64;
        Ok(StoreStats {
            articles: tables.articles.len() as u64,
            entities_by_type,
            mentions: tables.mention_total,
            quotes: tables.quote_total,
            corroborated_quotes,
            duplicates: tables.duplicates,
        })
    }

    fn latest_seq(&self) -> watch::Receiver<u64> {
        self.latest.subscribe()
    }
}
