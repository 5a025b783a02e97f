//! [`Store`] for [`PgStore`]: writes go to the log, reads to the replica's read model,
//! each behind the availability check.

use super::*;

#[async_trait]
impl Store for PgStore {
    async fn insert(&self, drafts: Vec<ArticleDraft>) -> Result<Vec<InsertOutcome>> {
        if drafts.is_empty() {
            return Ok(Vec::new());
        }
        if !self.ready.load(Ordering::SeqCst) {
            return Err(Error::Unavailable(
                "the corpus is still being loaded from the database".into(),
            ));
        }
        let encoded = drafts
            .iter()
            .map(|d| Ok((d, encode_draft(d)?)))
            .collect::<Result<Vec<_>>>()?;
        let started = std::time::Instant::now();
        let mut attempt = 1;
        let (mut inserted, target) = loop {
            match self.write(&encoded).await {
                Ok(done) => break done,
                // Lost connection: the transaction is retried; ids already
                // committed come back as duplicates, never twice.
                Err(Error::Unavailable(reason)) if attempt < WRITE_ATTEMPTS => {
                    tracing::warn!(%reason, attempt, "article write failed; retrying");
                    tokio::time::sleep(Duration::from_millis(200 * attempt as u64)).await;
                    attempt += 1;
                }
                Err(error) => return Err(error),
            }
        };
        let written = started.elapsed();
        if !inserted.is_empty() {
            // The new rows are these drafts, in this order (write() gave out
            // positions so): apply them without reading them back.
            let mut seen = HashSet::new();
            let own: Vec<ArticleDraft> = drafts
                .iter()
                .filter(|d| inserted.contains(&d.id) && seen.insert(d.id.as_str()))
                .cloned()
                .collect();
            let first = target + 1 - own.len() as u64;
            self.apply_own(first, own).await?;
        }
        if *self.local.latest_seq().borrow() < target {
            while self.catch_up().await? < target {}
        }
        let created: Vec<String> = drafts
            .iter()
            .filter(|d| inserted.contains(&d.id))
            .map(|d| d.id.clone())
            .collect();
        // The articles are stored and served; their SQL projection follows
        // (a full queue, or a failure, is caught up by the sweep).
        let projected = created.len();
        if !created.is_empty() && self.to_project.try_send(created).is_err() {
            tracing::debug!("projector queue full; the sweep will project these articles");
        }
        tracing::debug!(
            drafts = drafts.len(),
            created = projected,
            write_us = written.as_micros() as u64,
            apply_us = (started.elapsed() - written).as_micros() as u64,
            "articles stored"
        );
        drafts
            .iter()
            .map(|d| {
                let created = inserted.remove(&d.id);
                self.local.outcome(&d.id, created)?.ok_or_else(|| {
                    Error::Internal(format!("article {} was stored but not replayed", d.id))
                })
            })
            .collect()
    }

    async fn recover(&self) -> Result<Recovery> {
        let started = std::time::Instant::now();
        let mut backoff = Duration::from_millis(250);
        loop {
            let attempt = async {
                let mut client = self.client().await?;
                for migration in run_migrations(&mut client).await? {
                    tracing::info!(%migration, "database migration applied");
                }
                self.catch_up().await
            }
            .await;
            match attempt {
                Ok(_) => break,
                Err(Error::Unavailable(reason)) => {
                    tracing::warn!(%reason, "waiting for the database");
                    tokio::time::sleep(backoff).await;
                    backoff = (backoff * 2).min(Duration::from_secs(5));
                }
                Err(error) => return Err(error),
            }
        }
        self.ready.store(true, Ordering::SeqCst);
        self.set_up(true);
        // Articles left unprojected (a replica stopped before its projector
        // caught up) are swept by the follower, in the background.
        let articles = *self.local.latest_seq().borrow();
        tracing::info!(
            articles,
            elapsed_ms = started.elapsed().as_millis() as u64,
            "replayed the database's articles log"
        );
        Ok(Recovery {
            articles,
            reindexed: articles,
            dropped_bytes: 0,
        })
    }

    fn has_article(&self, id: &str) -> Option<bool> {
        // Only a yes is certain: another replica may have stored it since.
        self.local.has_article(id).filter(|&known| known)
    }

    async fn note(&self, key: &str) -> Result<Option<Vec<u8>>> {
        Ok(self
            .client()
            .await?
            .query_opt("SELECT value FROM notes WHERE key = $1", &[&key])
            .await
            .map_err(db_error)?
            .map(|row| row.get(0)))
    }

    async fn set_note(&self, key: &str, value: &[u8]) -> Result<()> {
        self.client()
            .await?
            .execute(
                "INSERT INTO notes (key, value) VALUES ($1, $2) \
                 ON CONFLICT (key) DO UPDATE SET value = EXCLUDED.value, updated_at = now()",
                &[&key, &value],
            )
            .await
            .map_err(db_error)?;
        Ok(())
    }

    fn availability(&self) -> Option<watch::Receiver<bool>> {
        Some(self.up.subscribe())
    }

    async fn flush(&self) -> Result<()> {
        self.local.flush().await
    }

    async fn article(&self, id: &str) -> Result<Option<Article>> {
        self.check_up()?;
        if let Some(article) = self.local.article(id).await? {
            return Ok(Some(article));
        }
        // Read-your-writes across replicas: an id just stored through
        // another replica may not have been applied here yet.
        self.catch_up().await?;
        self.local.article(id).await
    }

    async fn articles(
        &self,
        filter: &ArticleFilter,
        after: u64,
        max: usize,
    ) -> Result<Vec<Article>> {
        self.model()?.articles(filter, after, max).await
    }

    async fn search(
        &self,
        query: &SearchQuery,
        offset: usize,
        max: usize,
    ) -> Result<Vec<SearchHit>> {
        self.model()?.search(query, offset, max).await
    }

    fn validate_query(&self, text: &str) -> Result<()> {
        self.local.validate_query(text)
    }

    async fn entity(&self, id: &str) -> Result<Option<Entity>> {
        self.model()?.entity(id).await
    }

    async fn entities_named(&self, name: &str) -> Result<Vec<Entity>> {
        self.model()?.entities_named(name).await
    }

    async fn entities(
        &self,
        filter: &EntityFilter,
        after: Option<&EntityPos>,
        max: usize,
    ) -> Result<Vec<Entity>> {
        self.model()?.entities(filter, after, max).await
    }

    async fn mentions(
        &self,
        filter: &MentionFilter,
        after: Option<ItemPos>,
        max: usize,
    ) -> Result<Vec<(ItemPos, Mention)>> {
        self.model()?.mentions(filter, after, max).await
    }

    async fn quotes(
        &self,
        filter: &QuoteFilter,
        after: Option<ItemPos>,
        max: usize,
    ) -> Result<Vec<(ItemPos, Quote)>> {
        self.model()?.quotes(filter, after, max).await
    }

    async fn stats(&self) -> Result<StoreStats> {
        self.model()?.stats().await
    }

    async fn story(&self, id: &str) -> Result<Option<Story>> {
        self.model()?.story(id).await
    }

    async fn stories(
        &self,
        filter: &StoryFilter,
        after: Option<&StoryPos>,
        max: usize,
    ) -> Result<Vec<(StoryPos, Story)>> {
        self.model()?.stories(filter, after, max).await
    }

    async fn related_entities(
        &self,
        query: &RelationQuery,
        after: usize,
        max: usize,
    ) -> Result<Vec<EntityRelation>> {
        self.model()?.related_entities(query, after, max).await
    }

    async fn aggregate(
        &self,
        query: Option<&str>,
        filter: &ArticleFilter,
        facets: &[Facet],
    ) -> Result<Aggregation> {
        self.model()?.aggregate(query, filter, facets).await
    }

    fn latest_seq(&self) -> watch::Receiver<u64> {
        self.local.latest_seq()
    }
}
