//! The corpus tables and what reads them: entity and article records, resolution of
//! a filter's names to ids, and the conversions from stored rows to domain types. Inserting
//! an article (resolution, corroboration, stories) runs here under the write lock.

use super::*;
use crate::model::{Extraction, ParsedArticle};

impl Tables {
    pub(super) fn entity_pos(&self, record: &EntityRecord) -> EntityPos {
        EntityPos {
            inverted_count: u32::MAX - record.mention_count,
            name: record.name.to_string(),
            id: record.id.to_string(),
        }
    }

    pub(super) fn entity(&self, index: u32) -> Option<Entity> {
        let r = self.entities.get(index as usize)?;
        Some(Entity {
            id: r.id.to_string(),
            name: r.name.to_string(),
            entity_type: r.entity_type,
            aliases: r.aliases.iter().map(|a| a.to_string()).collect(),
            mention_count: r.mention_count,
            article_ids: match &self.article_keys {
                Some(keys) => r
                    .articles
                    .iter()
                    .take(MAX_ENTITY_ARTICLE_IDS)
                    .filter_map(|&a| keys.get(a as usize))
                    .map(|&key| hex_id(key))
                    .collect(),
                None => r
                    .articles
                    .iter()
                    .take(MAX_ENTITY_ARTICLE_IDS)
                    .filter_map(|&a| self.articles.get(a as usize))
                    .map(|a| a.id.to_string())
                    .collect(),
            },
            roles: r.roles.iter().map(|a| a.to_string()).collect(),
            article_count: r.articles.len() as u32,
        })
    }

    pub(super) fn entity_id(&self, index: u32) -> &str {
        self.entities
            .get(index as usize)
            .map(|e| &*e.id)
            .unwrap_or_default()
    }

    pub(super) fn article(&self, stored: &StoredArticle) -> Article {
        Article {
            id: stored.id.to_string(),
            seq: stored.seq,
            source: stored.source.to_string(),
            url: stored.url.to_string(),
            title: stored.title.to_string(),
            subtitle: stored.subtitle.to_string(),
            outlet: stored.outlet.to_string(),
            authors: stored.authors.iter().map(|a| a.to_string()).collect(),
            published: stored.published.to_string(),
            body: stored.body.to_string(),
            paragraphs: stored
                .paragraphs
                .iter()
                .map(|&r| stored.slice(r).to_owned())
                .collect(),
            removed_lines: stored.removed_lines.iter().map(|l| l.to_string()).collect(),
            entity_ids: stored
                .entities
                .iter()
                .map(|&e| self.entity_id(e).to_owned())
                .collect(),
            quote_count: stored.quotes.len() as u32,
            mention_count: stored.mentions.len() as u32,
            story_id: self.story_id(stored.story),
            duplicate_of: stored
                .duplicate_of
                .and_then(|i| self.articles.get(i as usize))
                .map(|a| a.id.to_string())
                .unwrap_or_default(),
        }
    }

    /// The public id of a story: `story/` and the id of its first article.
    pub(super) fn story_id(&self, story: u32) -> String {
        self.stories
            .first_article(story)
            .and_then(|i| self.articles.get(i as usize))
            .map(|a| format!("{STORY_PREFIX}{}", a.id))
            .unwrap_or_default()
    }

    /// The story index a public story id names, if any.
    pub(super) fn story_index(&self, id: &str) -> Option<u32> {
        let article = id.strip_prefix(STORY_PREFIX)?;
        let &index = self.by_id.get(article)?;
        let story = self.stories.story_of(index)?;
        (self.stories.first_article(story) == Some(index)).then_some(story)
    }

    pub(super) fn mention(&self, stored: &StoredArticle, m: &StoredMention) -> Mention {
        let entity = self.entities.get(m.entity as usize);
        Mention {
            entity_id: self.entity_id(m.entity).to_owned(),
            article_id: stored.id.to_string(),
            text: stored.slice(m.bytes()).to_owned(),
            span: m.span(),
            entity_type: entity.map_or(EntityType::Other, |e| e.entity_type),
        }
    }

    /// A quote as served: the speaker's name follows the entity's current
    /// canonical name, which can improve after the quote was stored.
    pub(super) fn quote(&self, stored: &StoredArticle, index: usize, q: &StoredQuote) -> Quote {
        let mut quote = self.quote_alone(stored, index, q);
        quote.corroborating_article_ids = self
            .corroborating(stored, q)
            .map(|a| a.id.to_string())
            .collect();
        quote.corroborating_article_count = self.corroborating_count(stored, q);
        quote
    }

    /// A quote without its corroborating article ids.
    pub(super) fn quote_alone(
        &self,
        stored: &StoredArticle,
        index: usize,
        q: &StoredQuote,
    ) -> Quote {
        let speaker = q.speaker.and_then(|s| self.entities.get(s as usize));
        Quote {
            id: format!("{}/q{index}", stored.id),
            article_id: stored.id.to_string(),
            text: stored.slice(q.bytes).to_owned(),
            speaker_entity_id: speaker.map(|e| e.id.to_string()).unwrap_or_default(),
            speaker_name: speaker
                .map(|e| e.name.to_string())
                .unwrap_or_else(|| q.speaker_name.to_string()),
            speaker_role: self.vocabulary.get(q.speaker_role).to_owned(),
            cue: self.vocabulary.get(q.cue).to_owned(),
            kind: q.kind,
            span: q.span,
            corroborating_article_ids: Vec::new(),
            corroborating_article_count: 0,
        }
    }

    /// How many other articles report the same quote (no cap). Members are
    /// distinct article indices in corpus order, so the article itself is
    /// found by binary search: a quote syndicated to thousands of articles
    /// costs a few comparisons, not a walk of its cluster per quote served.
    pub(super) fn corroborating_count(&self, stored: &StoredArticle, quote: &StoredQuote) -> u32 {
        let members = quote
            .cluster
            .and_then(|c| self.clusters.get(c as usize))
            .map(Ids::as_slice)
            .unwrap_or_default();
        let own = members
            .binary_search_by_key(&stored.seq, |&a| {
                self.articles.get(a as usize).map_or(u64::MAX, |x| x.seq)
            })
            .is_ok();
        (members.len() - usize::from(own)) as u32
    }

    /// Other articles that report the same quote, in corpus order, at most
    /// [`MAX_CORROBORATING`] of them.
    pub(super) fn corroborating<'a>(
        &'a self,
        stored: &'a StoredArticle,
        quote: &StoredQuote,
    ) -> impl Iterator<Item = &'a StoredArticle> + 'a {
        let members = quote
            .cluster
            .and_then(|c| self.clusters.get(c as usize))
            .map(Ids::as_slice)
            .unwrap_or_default();
        members
            .iter()
            .filter_map(|&a| self.articles.get(a as usize))
            .filter(move |a| a.seq != stored.seq)
            .take(MAX_CORROBORATING)
    }

    pub(super) fn outcome(stored: &StoredArticle, created: bool) -> InsertOutcome {
        InsertOutcome {
            article_id: stored.id.to_string(),
            seq: stored.seq,
            created,
            entity_count: stored.entities.len() as u32,
            mention_count: stored.mentions.len() as u32,
            quote_count: stored.quotes.len() as u32,
        }
    }

    pub(super) fn insert(
        &mut self,
        draft: ArticleDraft,
    ) -> (InsertOutcome, Option<IndexedArticle>) {
        if let Some(&index) = self.by_id.get(draft.id.as_str()) {
            self.duplicates += 1;
            return (Self::outcome(&self.articles[index as usize], false), None);
        }
        self.generation += 1;
        let article_index = self.articles.len() as u32;
        let ArticleDraft {
            id: article_id,
            source,
            url,
            parsed,
            extraction,
        } = draft;
        let (body, paragraphs) = join_paragraphs(&parsed.paragraphs);
        let offsets = char_to_byte(&body);
        let global = self.resolve_entities(&extraction);
        let (mentions, entities) =
            self.add_mentions(&extraction, &global, &body, &offsets, article_index);
        let (quotes, speaker_keys) =
            self.add_quotes(&extraction, &global, &body, &offsets, article_index);
        let (story, duplicate_of) =
            self.place_in_story(article_index, &parsed, &body, &entities, &mentions);

        let outlet_key = name_key(&parsed.outlet);
        let outlet_id = if parsed.outlet.is_empty() {
            u32::MAX
        } else {
            self.outlet_id(&outlet_key, &parsed.outlet)
        };
        let day = analyze::day_number(&parsed.published).unwrap_or(i32::MIN);
        let author_keys: Vec<String> = parsed.authors.iter().map(|a| name_key(a)).collect();
        self.mention_total += mentions.len() as u64;
        self.quote_total += quotes.len() as u64;
        let stored = StoredArticle {
            id: article_id.as_str().into(),
            seq: article_index as u64 + 1,
            source: source.into(),
            url: url.into(),
            title: parsed.title.into(),
            subtitle: parsed.subtitle.into(),
            outlet: parsed.outlet.into(),
            authors: boxed(&parsed.authors),
            published: parsed.published.into(),
            body: body.into(),
            paragraphs: paragraphs.into(),
            removed_lines: boxed(&parsed.removed_lines),
            entities: entities.into(),
            mentions: mentions.into(),
            quotes,
            author_keys: boxed(&author_keys),
            outlet_key: outlet_key.into(),
            speaker_keys: speaker_keys.into_iter().collect(),
            story,
            duplicate_of,
            day,
            outlet_id,
        };
        let outcome = Self::outcome(&stored, true);
        let indexed = self.indexed(&stored);
        self.by_id.insert(article_id.into(), article_index);
        if let Some(keys) = &mut self.article_keys {
            match hex_key(&stored.id) {
                Some(key) => keys.push(key),
                None => self.article_keys = None,
            }
        }
        self.totals.add(&stored);
        self.articles.push(stored);
        (outcome, Some(indexed))
    }

    /// The number of the outlet `key`, numbering it (named `label`) if new.
    fn outlet_id(&mut self, key: &str, label: &str) -> u32 {
        if let Some(&id) = self.outlet_ids.get(key) {
            return id;
        }
        let id = self.outlets.len() as u32;
        self.outlets.push((key.into(), label.into()));
        self.outlet_ids.insert(key.into(), id);
        id
    }

    /// Insert step 1: the article's entities resolved corpus-wide, creating
    /// records for new ones and adding the forms and roles seen here; returns
    /// the global index of each local entity.
    fn resolve_entities(&mut self, extraction: &Extraction) -> Vec<u32> {
        let resolved = self.resolver.resolve(extraction);
        let mut global = Vec::with_capacity(resolved.len());
        for (local, r) in extraction.entities.iter().zip(&resolved) {
            let index = match self.entity_index.get(r.id.as_str()) {
                Some(&i) => i,
                None => {
                    let i = self.entities.len() as u32;
                    self.entities.push(EntityRecord {
                        id: r.id.as_str().into(),
                        name: r.name.as_str().into(),
                        entity_type: r.entity_type,
                        aliases: Vec::new(),
                        roles: Vec::new(),
                        mention_count: 0,
                        articles: Vec::new(),
                    });
                    self.entity_index.insert(r.id.as_str().into(), i);
                    i
                }
            };
            let record = &mut self.entities[index as usize];
            // Look before inserting: most forms are already known, and an
            // insert would allocate a new box for each.
            for alias in std::iter::once(&local.name).chain(&local.aliases) {
                insert_sorted(&mut record.aliases, alias);
            }
            for role in &local.roles {
                insert_sorted(&mut record.roles, role);
            }
            if let Some(name) = self.resolver.canonical_name(&r.id) {
                if *record.name != *name {
                    record.name = name.into();
                }
            }
            global.push(index);
        }
        global
    }

    /// Insert step 2: the mentions, counted on their entities; returns them
    /// and the article's entities (mentioned or not), each entity record
    /// now listing the article.
    fn add_mentions(
        &mut self,
        extraction: &Extraction,
        global: &[u32],
        body: &str,
        offsets: &[u32],
        article_index: u32,
    ) -> (Vec<StoredMention>, Vec<u32>) {
        let mut mentions = Vec::with_capacity(extraction.mentions.len());
        let mut entities: Vec<u32> = Vec::new();
        for m in &extraction.mentions {
            let (Some(&entity), Some(bytes)) = (global.get(m.entity), bytes_of(offsets, m.span))
            else {
                continue;
            };
            let Some(stored) = StoredMention::new(entity, m.span, bytes) else {
                continue;
            };
            let record = &mut self.entities[entity as usize];
            record.mention_count += 1;
            if let Some(text) = body.get(bytes.0 as usize..bytes.1 as usize) {
                insert_sorted(&mut record.aliases, text);
            }
            if !entities.contains(&entity) {
                entities.push(entity);
            }
            mentions.push(stored);
        }
        // Entities found without a mention still belong to the article.
        for &entity in global {
            if !entities.contains(&entity) {
                entities.push(entity);
            }
        }
        for &entity in &entities {
            let record = &mut self.entities[entity as usize];
            if record.articles.last() != Some(&article_index) {
                record.articles.push(article_index);
            }
        }
        (mentions, entities)
    }

    /// Insert step 3: the quotes, each joined to the cluster of quotes
    /// reporting the same words; returns them and the speaker keys the
    /// article's speaker filter matches.
    fn add_quotes(
        &mut self,
        extraction: &Extraction,
        global: &[u32],
        body: &str,
        offsets: &[u32],
        article_index: u32,
    ) -> (Vec<StoredQuote>, BTreeSet<Box<str>>) {
        let mut quotes = Vec::with_capacity(extraction.quotes.len());
        let mut speaker_keys: BTreeSet<Box<str>> = BTreeSet::new();
        for local in &extraction.quotes {
            let Some(bytes) = bytes_of(offsets, local.span) else {
                continue;
            };
            let speaker = local.speaker_entity.and_then(|i| global.get(i).copied());
            let speaker_id = speaker.map(|s| self.entity_id(s).to_owned());
            if let Some(id) = &speaker_id {
                speaker_keys.insert(id.as_str().into());
            }
            if !local.speaker_name.is_empty() {
                speaker_keys.insert(name_key(&local.speaker_name).into());
            }
            let mut cluster = None;
            if local.kind != QuoteKind::Scare {
                let text = body
                    .get(bytes.0 as usize..bytes.1 as usize)
                    .unwrap_or_default();
                if let Some(c) = self.corroborator.add(text, speaker_id.as_deref()) {
                    if self.clusters.len() <= c {
                        self.clusters.resize_with(c + 1, Ids::default);
                    }
                    let members = &mut self.clusters[c];
                    if members.as_slice().last() != Some(&article_index) {
                        members.push(article_index);
                    }
                    cluster = Some(c as u32);
                }
            }
            quotes.push(StoredQuote {
                bytes,
                span: local.span,
                kind: local.kind,
                speaker,
                speaker_name: local.speaker_name.as_str().into(),
                speaker_role: self.vocabulary.id(&local.speaker_role),
                cue: self.vocabulary.id(&local.cue),
                cluster,
            });
        }
        (quotes, speaker_keys)
    }

    /// Insert step 4, corpus analytics in corpus order: copies first (a copy
    /// joins its original's story), then the story; returns the story and
    /// the original this article copies, if any.
    fn place_in_story(
        &mut self,
        article_index: u32,
        parsed: &ParsedArticle,
        body: &str,
        entities: &[u32],
        mentions: &[StoredMention],
    ) -> (u32, Option<u32>) {
        let duplicate_of = self.copies.add(article_index, body);
        let mut entity_mentions: Vec<(u32, u32)> = entities.iter().map(|&e| (e, 0)).collect();
        for m in mentions {
            if let Some(slot) = entity_mentions.iter_mut().find(|(e, _)| *e == m.entity) {
                slot.1 += 1;
            }
        }
        let story = self.stories.add(
            article_index,
            &StoryInput {
                title: &parsed.title,
                body,
                entities: &entity_mentions,
                day: analyze::day_number(&parsed.published),
                copy_of: duplicate_of,
            },
        );
        if self.story_articles.len() <= story as usize {
            self.story_articles
                .resize_with(story as usize + 1, Ids::default);
        }
        self.story_articles[story as usize].push(article_index);
        if self.story_latest_day.len() <= story as usize {
            self.story_latest_day.resize(story as usize + 1, i32::MIN);
        }
        if let Some(day) = analyze::day_number(&parsed.published) {
            let latest = &mut self.story_latest_day[story as usize];
            *latest = (*latest).max(day);
        }
        (story, duplicate_of)
    }

    /// What the search index holds for an article.
    pub(super) fn indexed(&self, stored: &StoredArticle) -> IndexedArticle {
        IndexedArticle {
            story_id: self.story_id(stored.story),
            is_copy: stored.duplicate_of.is_some(),
            id: stored.id.to_string(),
            title: stored.title.to_string(),
            body: stored.body.to_string(),
            outlet_key: stored.outlet_key.to_string(),
            author_keys: stored.author_keys.iter().map(|k| k.to_string()).collect(),
            published: stored.published.to_string(),
            entity_ids: stored
                .entities
                .iter()
                .map(|&e| self.entity_id(e).to_owned())
                .collect(),
            speaker_keys: stored.speaker_keys.iter().map(|k| k.to_string()).collect(),
        }
    }

    pub(super) fn article_by_id(&self, id: &str) -> Option<&StoredArticle> {
        self.by_id.get(id).map(|&i| &self.articles[i as usize])
    }

    /// Entity ids and name keys a speaker filter value stands for.
    pub(super) fn speaker_keys(&self, speaker: &str) -> Vec<String> {
        if self.entity_index.contains_key(speaker) {
            return vec![speaker.to_owned()];
        }
        let mut keys = self.resolver.lookup(speaker);
        keys.push(name_key(speaker));
        keys
    }

    /// The indices of the articles matching `filter`, in corpus order. An
    /// entity or story in the filter narrows the candidates to its own
    /// article list first, instead of testing every article.
    pub(super) fn filtered(&self, filter: &ResolvedArticleFilter) -> Vec<u32> {
        let candidates: Option<&[u32]> = match (filter.entity, filter.story) {
            (Some(None), _) | (_, Some(None)) => return Vec::new(),
            (Some(Some(e)), _) => self.entities.get(e as usize).map(|r| &r.articles[..]),
            (_, Some(Some(s))) => self
                .story_articles
                .get(s as usize)
                .map(|ids| ids.as_slice()),
            (None, None) => None,
        };
        let keep = |&i: &u32| {
            self.articles
                .get(i as usize)
                .is_some_and(|a| self.matches(a, filter))
        };
        match candidates {
            Some(list) => {
                // Corpus order, each once, whatever the list's history
                // (facets name a bucket by the first label seen).
                let mut found: Vec<u32> = list.iter().copied().filter(keep).collect();
                found.sort_unstable();
                found.dedup();
                found
            }
            None => (0..self.articles.len() as u32).filter(keep).collect(),
        }
    }

    pub(super) fn matches(&self, stored: &StoredArticle, filter: &ResolvedArticleFilter) -> bool {
        if let Some(key) = &filter.outlet_key {
            if *stored.outlet_key != **key {
                return false;
            }
        }
        if let Some(key) = &filter.author_key {
            if !stored.author_keys.iter().any(|k| **k == **key) {
                return false;
            }
        }
        if filter.published_from.is_some() || filter.published_to.is_some() {
            let published = &*stored.published;
            if published.is_empty() {
                return false;
            }
            if filter
                .published_from
                .as_deref()
                .is_some_and(|from| published < from)
            {
                return false;
            }
            if filter
                .published_to
                .as_deref()
                .is_some_and(|to| published > to)
            {
                return false;
            }
        }
        if let Some(entity) = filter.entity {
            match entity {
                Some(index) if stored.entities.contains(&index) => {}
                _ => return false,
            }
        }
        if let Some(story) = filter.story {
            if story != Some(stored.story) {
                return false;
            }
        }
        if filter.exclude_duplicates && stored.duplicate_of.is_some() {
            return false;
        }
        if let Some(keys) = &filter.speaker_keys {
            if !keys
                .iter()
                .any(|k| stored.speaker_keys.iter().any(|s| **s == **k))
            {
                return false;
            }
        }
        true
    }

    pub(super) fn resolve_filter(&self, filter: &ArticleFilter) -> ResolvedArticleFilter {
        ResolvedArticleFilter {
            outlet_key: filter.outlet.as_deref().map(name_key),
            author_key: filter.author.as_deref().map(name_key),
            published_from: filter.published_from.clone(),
            published_to: filter.published_to.clone(),
            entity_id: filter.entity_id.clone(),
            entity: filter
                .entity_id
                .as_deref()
                .map(|id| self.entity_index.get(id).copied()),
            speaker_keys: filter.speaker.as_deref().map(|s| self.speaker_keys(s)),
            story_id: filter.story_id.clone(),
            story: filter.story_id.as_deref().map(|id| self.story_index(id)),
            exclude_duplicates: filter.exclude_duplicates,
        }
    }
}

impl From<ResolvedArticleFilter> for IndexFilter {
    fn from(f: ResolvedArticleFilter) -> Self {
        IndexFilter {
            story_id: f.story_id,
            exclude_duplicates: f.exclude_duplicates,
            outlet_key: f.outlet_key,
            author_key: f.author_key,
            published_from: f.published_from,
            published_to: f.published_to,
            entity_id: f.entity_id,
            speaker_keys: f.speaker_keys,
        }
    }
}

/// The body as stored: paragraphs joined by blank lines, with each
/// paragraph's byte range.
fn join_paragraphs(paragraphs: &[String]) -> (String, Vec<(u32, u32)>) {
    let mut body = String::with_capacity(paragraphs.iter().map(|p| p.len() + 2).sum());
    let mut ranges = Vec::with_capacity(paragraphs.len());
    for (i, p) in paragraphs.iter().enumerate() {
        if i > 0 {
            body.push_str("\n\n");
        }
        let start = body.len() as u32;
        body.push_str(p);
        ranges.push((start, body.len() as u32));
    }
    (body, ranges)
}

/// A code-point span's byte range, given the body's code-point offsets.
fn bytes_of(offsets: &[u32], span: Span) -> Option<(u32, u32)> {
    let start = *offsets.get(span.start as usize)?;
    let end = *offsets.get(span.end as usize)?;
    (start <= end).then_some((start, end))
}
