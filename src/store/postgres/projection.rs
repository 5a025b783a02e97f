//! The relational projection for SQL users: entities, aliases, mentions, quotes and
//! stories written from the read model off the ingest path, and the sweep that projects
//! what a stopped replica left unprojected.

use super::*;

impl PgStore {
    /// Writes the relational projection of stored articles and marks them
    /// projected: six statements per batch, whatever its size (rows go as
    /// arrays through `unnest`). Safe to repeat: every insert is idempotent.
    pub(super) async fn project(&self, ids: &[String], alias_hints: bool) -> Result<()> {
        if ids.is_empty() {
            return Ok(());
        }
        let rows = self.projection_rows(ids, alias_hints).await?;
        let written = self.write_projection(ids, &rows).await;
        if written.is_err() {
            // The hints may name aliases that were never committed.
            if let Ok(mut known) = self.projected_aliases.lock() {
                known.clear();
            }
        }
        written
    }

    async fn write_projection(&self, ids: &[String], rows: &ProjectionRows) -> Result<()> {
        let mut client = self.client().await?;
        let txn = client.transaction().await.map_err(db_error)?;
        txn.execute("SELECT pg_advisory_xact_lock($1)", &[&PROJECT_LOCK])
            .await
            .map_err(db_error)?;
        let e = &rows.entities;
        txn.execute(
            "INSERT INTO entities (id, type, name, mention_count) \
             SELECT * FROM unnest($1::text[], $2::text[], $3::text[], $4::int4[]) \
             ON CONFLICT (id) DO UPDATE SET name = EXCLUDED.name, \
             mention_count = EXCLUDED.mention_count",
            &[&e.0, &e.1, &e.2, &e.3],
        )
        .await
        .map_err(db_error)?;
        let a = &rows.aliases;
        txn.execute(
            "INSERT INTO entity_aliases (entity_id, alias) \
             SELECT * FROM unnest($1::text[], $2::text[]) ON CONFLICT DO NOTHING",
            &[&a.0, &a.1],
        )
        .await
        .map_err(db_error)?;
        let m = &rows.mentions;
        txn.execute(
            "INSERT INTO mentions (article_id, idx, entity_id, start_char, end_char, text) \
             SELECT * FROM unnest($1::text[], $2::int4[], $3::text[], $4::int4[], $5::int4[], \
             $6::text[]) ON CONFLICT DO NOTHING",
            &[&m.0, &m.1, &m.2, &m.3, &m.4, &m.5],
        )
        .await
        .map_err(db_error)?;
        let q = &rows.quotes;
        txn.execute(
            "INSERT INTO quotes (article_id, idx, text, speaker_entity_id, speaker_name, \
             speaker_role, cue, kind, start_char, end_char, cluster) \
             SELECT * FROM unnest($1::text[], $2::int4[], $3::text[], $4::text[], $5::text[], \
             $6::text[], $7::text[], $8::text[], $9::int4[], $10::int4[], $11::int4[]) \
             ON CONFLICT DO NOTHING",
            &[
                &q.article,
                &q.idx,
                &q.text,
                &q.speaker_id,
                &q.speaker_name,
                &q.role,
                &q.cue,
                &q.kind,
                &q.start,
                &q.end,
                &q.cluster,
            ],
        )
        .await
        .map_err(db_error)?;
        let st = &rows.stories;
        txn.execute(
            "INSERT INTO stories (id, title, article_count, first_published, last_published, \
             outlets, top_entity_ids) \
             SELECT id, title, article_count, first_published, last_published, \
             string_to_array(outlets, E'\\x1f'), string_to_array(top_entity_ids, E'\\x1f') \
             FROM unnest($1::text[], $2::text[], $3::int4[], $4::text[], $5::text[], $6::text[], \
             $7::text[]) AS s(id, title, article_count, first_published, last_published, outlets, \
             top_entity_ids) \
             ON CONFLICT (id) DO UPDATE SET title = EXCLUDED.title, \
             article_count = EXCLUDED.article_count, first_published = EXCLUDED.first_published, \
             last_published = EXCLUDED.last_published, outlets = EXCLUDED.outlets, \
             top_entity_ids = EXCLUDED.top_entity_ids",
            &[&st.0, &st.1, &st.2, &st.3, &st.4, &st.5, &st.6],
        )
        .await
        .map_err(db_error)?;
        let links = &rows.article_links;
        txn.execute(
            "UPDATE articles SET projected = true, story_id = x.story_id, \
             duplicate_of = NULLIF(x.duplicate_of, '') \
             FROM unnest($1::text[], $2::text[], $3::text[]) AS x(id, story_id, duplicate_of) \
             WHERE articles.id = x.id",
            &[&links.0, &links.1, &links.2],
        )
        .await
        .map_err(db_error)?;
        txn.execute(
            "UPDATE articles SET projected = true WHERE id = ANY($1)",
            &[&ids],
        )
        .await
        .map_err(db_error)?;
        txn.commit().await.map_err(db_error)
    }

    /// Reads what [`PgStore::project`] writes from the read model.
    async fn projection_rows(&self, ids: &[String], alias_hints: bool) -> Result<ProjectionRows> {
        let mut unique: Vec<String> = ids.to_vec();
        unique.sort();
        unique.dedup();
        let export = self.local.export(&unique)?;
        let mut rows = ProjectionRows::default();
        let mut stories_seen = HashSet::new();
        for article in export.articles {
            let id = article.id;
            rows.article_links.0.push(id.clone());
            rows.article_links.1.push(article.story.id.clone());
            rows.article_links.2.push(article.duplicate_of);
            if stories_seen.insert(article.story.id.clone()) {
                let story = article.story;
                let st = &mut rows.stories;
                st.0.push(story.id);
                st.1.push(story.title);
                st.2.push(story.article_count as i32);
                st.3.push(story.first_published);
                st.4.push(story.last_published);
                st.5.push(story.outlets.join("\u{1f}"));
                st.6.push(story.top_entity_ids.join("\u{1f}"));
            }
            let m = &mut rows.mentions;
            for (index, mention) in article.mentions.into_iter().enumerate() {
                m.0.push(id.clone());
                m.1.push(index as i32);
                m.2.push(mention.entity_id);
                m.3.push(mention.span.start as i32);
                m.4.push(mention.span.end as i32);
                m.5.push(mention.text);
            }
            let q = &mut rows.quotes;
            for (index, (quote, cluster)) in article.quotes.into_iter().enumerate() {
                q.article.push(id.clone());
                q.idx.push(index as i32);
                q.text.push(quote.text);
                q.speaker_id.push(quote.speaker_entity_id);
                q.speaker_name.push(quote.speaker_name);
                q.role.push(quote.speaker_role);
                q.cue.push(quote.cue);
                q.kind.push(label(quote.kind));
                q.start.push(quote.span.start as i32);
                q.end.push(quote.span.end as i32);
                q.cluster.push(cluster.map(|c| c as i32));
            }
        }
        let mut known = self
            .projected_aliases
            .lock()
            .map_err(|_| Error::Internal("projection alias cache lock poisoned".into()))?;
        for entity in export.entities {
            let e = &mut rows.entities;
            e.0.push(entity.id.clone());
            e.1.push(label(entity.entity_type));
            e.2.push(entity.name);
            e.3.push(entity.mention_count as i32);
            // Aliases only grow: the same count means the same set. (Only a
            // hint: if this batch fails, the sweep re-sends everything.)
            if alias_hints && known.get(&entity.id) == Some(&entity.aliases.len()) {
                continue;
            }
            known.insert(entity.id.clone(), entity.aliases.len());
            for alias in entity.aliases {
                rows.aliases.0.push(entity.id.clone());
                rows.aliases.1.push(alias);
            }
        }
        Ok(rows)
    }

    /// Projects articles whose writer did not (it died, or its projection
    /// failed), up to this replica's position.
    pub(super) async fn sweep(&self, older_than_secs: f64) -> Result<usize> {
        let mut total = 0;
        loop {
            let applied = *self.local.latest_seq().borrow() as i64;
            let ids: Vec<String> = self
                .client()
                .await?
                .query(
                    "SELECT id FROM articles WHERE NOT projected AND seq <= $1 \
                     AND ingested_at < now() - make_interval(secs => $2) ORDER BY seq LIMIT $3",
                    &[&applied, &older_than_secs, &(PROJECT_BATCH as i64)],
                )
                .await
                .map_err(db_error)?
                .iter()
                .map(|r| r.get(0))
                .collect();
            self.project(&ids, false).await?;
            total += ids.len();
            if ids.len() < PROJECT_BATCH {
                return Ok(total);
            }
        }
    }
}

/// Columns of the projection tables, one vector per column.
#[derive(Default)]
struct ProjectionRows {
    entities: (Vec<String>, Vec<String>, Vec<String>, Vec<i32>),
    aliases: (Vec<String>, Vec<String>),
    #[allow(clippy::type_complexity)]
    mentions: (
        Vec<String>,
        Vec<i32>,
        Vec<String>,
        Vec<i32>,
        Vec<i32>,
        Vec<String>,
    ),
    quotes: QuoteRows,
    /// Article id, story id, duplicate_of.
    article_links: (Vec<String>, Vec<String>, Vec<String>),
    stories: StoryRows,
}

/// Story id, title, article count, first and last date, outlets and top
/// entities (both joined by U+001F).
type StoryRows = (
    Vec<String>,
    Vec<String>,
    Vec<i32>,
    Vec<String>,
    Vec<String>,
    Vec<String>,
    Vec<String>,
);

#[derive(Default)]
struct QuoteRows {
    article: Vec<String>,
    idx: Vec<i32>,
    text: Vec<String>,
    speaker_id: Vec<String>,
    speaker_name: Vec<String>,
    role: Vec<String>,
    cue: Vec<String>,
    kind: Vec<String>,
    start: Vec<i32>,
    end: Vec<i32>,
    cluster: Vec<Option<i32>>,
}

/// Writes the relational projection of what this replica stored, off the
/// ingest path, in batches of whatever has queued up meanwhile. A failed
/// batch is left to the sweep.
pub(super) async fn projector(store: Weak<PgStore>, mut queue: mpsc::Receiver<Vec<String>>) {
    while let Some(mut ids) = queue.recv().await {
        while ids.len() < PROJECT_BATCH {
            match queue.try_recv() {
                Ok(more) => ids.extend(more),
                Err(_) => break,
            }
        }
        let Some(store) = store.upgrade() else { return };
        if let Err(error) = store.project(&ids, true).await {
            tracing::warn!(%error, articles = ids.len(), "projection failed; a sweep will redo it");
        }
    }
}

/// Projects what no projector did (its replica stopped first): once the
/// replica is ready, then every [`SWEEP_EVERY`], beside the follower so that
/// a long sweep never delays following the log.
pub(super) async fn sweeper(store: Weak<PgStore>) {
    let mut first = true;
    loop {
        let wait = if first { POLL_EVERY } else { SWEEP_EVERY };
        tokio::time::sleep(wait).await;
        let Some(s) = store.upgrade() else { return };
        if !s.ready.load(Ordering::SeqCst) || !*s.up.borrow() {
            continue;
        }
        first = false;
        match s.sweep(SWEEP_AFTER_SECS).await {
            Ok(0) => {}
            Ok(n) => tracing::info!(articles = n, "projected articles left unprojected"),
            Err(error) => tracing::warn!(%error, "projection sweep failed; will retry"),
        }
    }
}
