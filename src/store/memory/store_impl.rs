//! [`Store`] for [`MemoryStore`]: inserts (journal first, then the tables and the index),
//! recovery, notes, and every query, each reading one page under the read lock.

use super::*;

#[async_trait]
impl Store for MemoryStore {
    async fn insert(&self, drafts: Vec<ArticleDraft>) -> Result<Vec<InsertOutcome>> {
        let (outcomes, latest) = blocking(|| -> Result<_> {
            // Durable: nothing is applied (or acknowledged) before it is in
            // the journal on disk.
            let journal = match &self.durable {
                Some(durable) => {
                    let mut guard = durable.journal.lock().map_err(|_| poisoned())?;
                    let journal = guard.as_mut().ok_or_else(|| {
                        Error::Unavailable("the data folder is still being recovered".into())
                    })?;
                    self.journal(journal, &drafts)?;
                    Some(guard)
                }
                None => None,
            };
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
                // Committing costs a segment flush and a reader reload: do it
                // for every small (API) insert, but only now and then during
                // a bulk load, which flushes at its end.
                let mut last = self.last_commit.lock().map_err(|_| poisoned())?;
                let since = last.elapsed();
                let commit = if indexed.len() < BULK_INSERT {
                    since >= REFRESH_EVERY
                } else {
                    since >= BULK_COMMIT_EVERY
                };
                // The articles are stored (journalled, in the tables) by now:
                // an index that cannot be written (a full disk) must not turn
                // them into failures for the client, who would then re-send
                // and be told DUPLICATE. They are acknowledged, listed and
                // served; search catches up at the next commit that works,
                // or at the next start, which reindexes from the journal
                // whatever the committed index lacks.
                match self.index.add(&indexed, commit) {
                    Ok(()) if commit => {
                        *last = Instant::now();
                        self.uncommitted.store(0, Ordering::SeqCst);
                    }
                    Ok(()) => {
                        self.uncommitted.fetch_add(indexed.len(), Ordering::SeqCst);
                    }
                    Err(error) => {
                        self.uncommitted.fetch_add(indexed.len(), Ordering::SeqCst);
                        tracing::error!(
                            %error,
                            articles = indexed.len(),
                            "search index write failed after the articles were stored; they are \
                             acknowledged and served, and become searchable once the index can be \
                             written (at the latest after a restart)"
                        );
                    }
                }
            }
            // Held until the index add above: one order for journal and index.
            drop(journal);
            Ok((outcomes, latest))
        })?;
        self.latest.send_replace(latest);
        Ok(outcomes)
    }

    async fn recover(&self) -> Result<Recovery> {
        let Some(durable) = &self.durable else {
            return Ok(Recovery::default());
        };
        let started = Instant::now();
        let (recovery, latest) = blocking(|| -> Result<_> {
            let recovery = self.replay(durable)?;
            Ok((recovery, self.read()?.articles.len() as u64))
        })?;
        self.latest.send_replace(latest);
        tracing::info!(
            dir = %durable.dir.display(),
            articles = recovery.articles,
            reindexed = recovery.reindexed,
            dropped_bytes = recovery.dropped_bytes,
            elapsed_ms = started.elapsed().as_millis() as u64,
            "data folder recovered"
        );
        Ok(recovery)
    }

    fn has_article(&self, id: &str) -> Option<bool> {
        self.read().ok().map(|t| t.by_id.contains_key(id))
    }

    async fn note(&self, key: &str) -> Result<Option<Vec<u8>>> {
        let Some(durable) = &self.durable else {
            return Ok(None);
        };
        match std::fs::read(durable.dir.join(note_file(key)?)) {
            Ok(bytes) => Ok(Some(bytes)),
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(None),
            Err(e) => Err(Error::Internal(format!("cannot read {key}: {e}"))),
        }
    }

    async fn set_note(&self, key: &str, value: &[u8]) -> Result<()> {
        let Some(durable) = &self.durable else {
            return Ok(());
        };
        // Written whole or not at all: write aside, then rename over.
        let path = durable.dir.join(note_file(key)?);
        let tmp = path.with_extension("tmp");
        std::fs::write(&tmp, value)
            .and_then(|_| std::fs::rename(&tmp, &path))
            .map_err(|e| Error::Internal(format!("cannot write {}: {e}", path.display())))
    }

    async fn article(&self, id: &str) -> Result<Option<Article>> {
        let tables = self.read()?;
        Ok(tables.article_by_id(id).map(|s| tables.article(s)))
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
            .map(|s| tables.article(s))
            .collect())
    }

    async fn search(
        &self,
        query: &SearchQuery,
        offset: usize,
        max: usize,
    ) -> Result<Vec<SearchHit>> {
        let filter: IndexFilter = self.read()?.resolve_filter(&query.filter).into();
        let _slot = self
            .search_slots
            .acquire()
            .await
            .map_err(|_| Error::Internal("search slots closed".into()))?;
        let ranked = blocking(|| {
            self.index.search(
                &query.text,
                &filter,
                offset,
                max,
                query.max_snippets,
                |id| {
                    self.tables
                        .read()
                        .ok()
                        .and_then(|t| {
                            t.article_by_id(id).map(|s| {
                                s.paragraphs
                                    .iter()
                                    .map(|&r| s.slice(r).to_owned())
                                    .collect()
                            })
                        })
                        .unwrap_or_default()
                },
            )
        })?;
        let tables = self.read()?;
        Ok(ranked
            .into_iter()
            .filter_map(|hit| {
                let a = tables.article_by_id(&hit.article_id)?;
                Some(SearchHit {
                    title: a.title.to_string(),
                    outlet: a.outlet.to_string(),
                    published: a.published.to_string(),
                    source: a.source.to_string(),
                    article_id: hit.article_id,
                    score: hit.score,
                    snippets: hit.snippets,
                })
            })
            .collect())
    }

    fn validate_query(&self, text: &str) -> Result<()> {
        self.index.validate(text)
    }

    async fn entity(&self, id: &str) -> Result<Option<Entity>> {
        let tables = self.read()?;
        Ok(tables.entity_index.get(id).and_then(|&i| tables.entity(i)))
    }

    async fn entities_named(&self, name: &str) -> Result<Vec<Entity>> {
        let tables = self.read()?;
        // Entities known by this exact name or alias come before those that
        // only spell alike ("Raisi" is not "Russia", however often Russia is
        // mentioned); within each group, the most mentioned first.
        let key = name_key(name);
        let mut found: Vec<(bool, EntityPos, u32)> = tables
            .resolver
            .lookup(name)
            .iter()
            .filter_map(|id| tables.entity_index.get(id.as_str()))
            .map(|&i| {
                let record = &tables.entities[i as usize];
                let exact = name_key(&record.name) == key
                    || record.aliases.iter().any(|a| name_key(a) == key);
                (!exact, tables.entity_pos(record), i)
            })
            .collect();
        found.sort();
        found.dedup_by_key(|(_, _, i)| *i);
        let found: Vec<(EntityPos, u32)> = found.into_iter().map(|(_, p, i)| (p, i)).collect();
        Ok(found
            .into_iter()
            .filter_map(|(_, i)| tables.entity(i))
            .collect())
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
        let in_article: Option<&[u32]> = match &filter.article_id {
            Some(id) => match tables.article_by_id(id) {
                Some(s) => Some(&s.entities),
                None => return Ok(Vec::new()),
            },
            None => None,
        };
        let prefix = filter.name_prefix.as_deref().map(name_key);
        // Entities of the matching articles, when articles are filtered.
        let in_articles: Option<Vec<bool>> = (!filter.articles.is_empty()).then(|| {
            let resolved = tables.resolve_filter(&filter.articles);
            let mut seen = vec![false; tables.entities.len()];
            for a in tables
                .articles
                .iter()
                .filter(|a| tables.matches(a, &resolved))
            {
                for &e in a.entities.iter() {
                    if let Some(slot) = seen.get_mut(e as usize) {
                        *slot = true;
                    }
                }
            }
            seen
        });
        let mut page = Vec::new();
        for &(_, index) in &sorted[start..] {
            if page.len() >= max {
                break;
            }
            let Some(r) = tables.entities.get(index as usize) else {
                continue;
            };
            if filter.entity_type.is_some_and(|t| t != r.entity_type)
                || r.mention_count < filter.min_mentions
                || in_article.is_some_and(|set| !set.contains(&index))
                || in_articles
                    .as_ref()
                    .is_some_and(|seen| !seen.get(index as usize).copied().unwrap_or(false))
            {
                continue;
            }
            if let Some(prefix) = &prefix {
                let hit = std::iter::once(&r.name)
                    .chain(&r.aliases)
                    .any(|n| name_key(n).starts_with(prefix.as_str()));
                if !hit {
                    continue;
                }
            }
            page.extend(tables.entity(index));
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
        let entity = match &filter.entity_id {
            Some(id) => match tables.entity_index.get(id.as_str()) {
                Some(&i) => Some(i),
                None => return Ok(Vec::new()),
            },
            None => None,
        };
        // Which articles to scan, in corpus order.
        let candidates: Box<dyn Iterator<Item = u32> + '_> = match (&filter.article_id, entity) {
            (Some(id), _) => match tables.by_id.get(id.as_str()) {
                Some(&a) => Box::new(std::iter::once(a)),
                None => return Ok(Vec::new()),
            },
            (None, Some(e)) => {
                let articles = &tables.entities[e as usize].articles;
                let from = after.map_or(0, |p| p.seq.saturating_sub(1) as u32);
                let start = articles.partition_point(|&a| a < from);
                Box::new(articles[start..].iter().copied())
            }
            (None, None) => {
                let from = after.map_or(0, |p| p.seq.saturating_sub(1) as u32);
                Box::new(from..tables.articles.len() as u32)
            }
        };
        let articles =
            (!filter.articles.is_empty()).then(|| tables.resolve_filter(&filter.articles));
        let mut page = Vec::new();
        for a in candidates {
            let Some(stored) = tables.articles.get(a as usize) else {
                continue;
            };
            if articles
                .as_ref()
                .is_some_and(|f| !tables.matches(stored, f))
            {
                continue;
            }
            for (index, m) in stored.mentions.iter().enumerate() {
                let pos = ItemPos {
                    seq: stored.seq,
                    index: index as u32,
                };
                if after.is_some_and(|p| pos <= p) || entity.is_some_and(|e| e != m.entity) {
                    continue;
                }
                page.push((pos, tables.mention(stored, m)));
                if page.len() >= max {
                    return Ok(page);
                }
            }
        }
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
        let candidates: Box<dyn Iterator<Item = &StoredArticle> + '_> = match &filter.article_id {
            Some(id) => Box::new(tables.article_by_id(id).into_iter()),
            None => {
                let start = after.map_or(0, |a| a.seq.saturating_sub(1) as usize);
                Box::new(tables.articles.iter().skip(start))
            }
        };
        let articles =
            (!filter.articles.is_empty()).then(|| tables.resolve_filter(&filter.articles));
        let mut page = Vec::new();
        for stored in candidates {
            if articles
                .as_ref()
                .is_some_and(|f| !tables.matches(stored, f))
            {
                continue;
            }
            if let Some(keys) = &speaker_keys {
                if !keys
                    .iter()
                    .any(|k| stored.speaker_keys.iter().any(|s| **s == **k))
                {
                    continue;
                }
            }
            for (index, q) in stored.quotes.iter().enumerate() {
                let pos = ItemPos {
                    seq: stored.seq,
                    index: index as u32,
                };
                if after.is_some_and(|a| pos <= a) || filter.kind.is_some_and(|k| k != q.kind) {
                    continue;
                }
                if let Some(keys) = &speaker_keys {
                    let id = q.speaker.map(|s| tables.entity_id(s)).unwrap_or_default();
                    let name = name_key(&q.speaker_name);
                    let hit = keys
                        .iter()
                        .any(|k| (!id.is_empty() && k == id) || (!name.is_empty() && *k == name));
                    if !hit {
                        continue;
                    }
                }
                if let Some(needle) = &needle {
                    if !stored
                        .slice(q.bytes)
                        .to_lowercase()
                        .contains(needle.as_str())
                    {
                        continue;
                    }
                }
                page.push((pos, tables.quote(stored, index, q)));
                if page.len() >= max {
                    return Ok(page);
                }
            }
        }
        Ok(page)
    }

    async fn story(&self, id: &str) -> Result<Option<Story>> {
        let tables = self.read()?;
        match id.strip_prefix(STORY_PREFIX).and(tables.story_index(id)) {
            Some(story) => Ok(Some(self.story_summary(&tables, story)?)),
            None => Ok(None),
        }
    }

    async fn stories(
        &self,
        filter: &StoryFilter,
        after: Option<&StoryPos>,
        max: usize,
    ) -> Result<Vec<(StoryPos, Story)>> {
        blocking(|| {
            let tables = self.read()?;
            if filter.articles.is_empty() {
                let sorted = self.sorted_stories(&tables, filter.order)?;
                let start = after.map_or(0, |a| sorted.partition_point(|p| p <= a));
                return sorted[start..]
                    .iter()
                    .filter(|p| tables.story_size(p.story) >= filter.min_articles.max(1))
                    .take(max)
                    .map(|p| Ok((*p, self.story_summary(&tables, p.story)?)))
                    .collect();
            }
            let resolved = tables.resolve_filter(&filter.articles);
            tables
                .stories_page(filter, &resolved, after, max)
                .into_iter()
                .map(|p| Ok((p, self.story_summary(&tables, p.story)?)))
                .collect()
        })
    }

    async fn related_entities(
        &self,
        query: &RelationQuery,
        after: usize,
        max: usize,
    ) -> Result<Vec<EntityRelation>> {
        blocking(|| {
            let tables = self.read()?;
            let entity = match &query.entity {
                Some(id) => match tables.entity_index.get(id.as_str()) {
                    Some(&i) => Some(i),
                    None => return Err(Error::not_found("entity", id.clone())),
                },
                None => None,
            };
            let resolved =
                (!query.articles.is_empty()).then(|| tables.resolve_filter(&query.articles));
            Ok(tables.related(query, resolved.as_ref(), entity, after, max))
        })
    }

    async fn aggregate(
        &self,
        query: Option<&str>,
        filter: &ArticleFilter,
        facets: &[Facet],
    ) -> Result<Aggregation> {
        let matching: Option<Vec<u32>> = match query {
            Some(text) => {
                let index_filter: IndexFilter = self.read()?.resolve_filter(filter).into();
                let _slot = self
                    .search_slots
                    .acquire()
                    .await
                    .map_err(|_| Error::Internal("search slots closed".into()))?;
                let ids = blocking(|| self.index.matching_ids(text, &index_filter))?;
                let tables = self.read()?;
                let mut indices: Vec<u32> = ids
                    .iter()
                    .filter_map(|id| tables.by_id.get(id.as_str()).copied())
                    .collect();
                indices.sort_unstable();
                Some(indices)
            }
            // The whole corpus: counts kept at insert, no list of matches.
            None if *filter == ArticleFilter::default() => None,
            None => Some(blocking(|| {
                let tables = self.read()?;
                let resolved = tables.resolve_filter(filter);
                Ok(tables.filtered(&resolved))
            })?),
        };
        blocking(|| Ok(self.read()?.aggregate(matching.as_deref(), facets)))
    }

    async fn stats(&self) -> Result<StoreStats> {
        let tables = self.read()?;
        let mut by_type: HashMap<EntityType, u64> = HashMap::new();
        for record in &tables.entities {
            *by_type.entry(record.entity_type).or_default() += 1;
        }
        let entities_by_type = EntityType::ALL
            .iter()
            .filter_map(|t| by_type.get(t).map(|&n| (*t, n)))
            .collect();
        let corroborated_quotes = tables
            .articles
            .iter()
            .flat_map(|a| a.quotes.iter().map(move |q| (a, q)))
            .filter(|(a, q)| tables.corroborating(a, q).next().is_some())
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

    async fn flush(&self) -> Result<()> {
        self.uncommitted.store(0, Ordering::SeqCst);
        blocking(|| self.index.commit())?;
        if let Ok(mut last) = self.last_commit.lock() {
            *last = Instant::now();
        }
        Ok(())
    }

    async fn compact(&self) -> Result<()> {
        blocking(|| {
            self.index.merge_all()?;
            // Growth headroom of lists that will now grow slowly, if at all.
            let mut tables = self.write()?;
            for entity in &mut tables.entities {
                entity.articles.shrink_to_fit();
            }
            for members in &mut tables.clusters {
                members.shrink_to_fit();
            }
            tables.corroborator.shrink_to_fit();
            Ok(())
        })
    }

    fn latest_seq(&self) -> watch::Receiver<u64> {
        self.latest.subscribe()
    }
}
