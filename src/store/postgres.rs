//! Shared storage on PostgreSQL (`--database-url`): several stateless
//! replicas behind a load balancer, one database.
//!
//! The `articles` table is the corpus log. A writer takes a transaction-level
//! advisory lock, gives each new article `seq = max(seq) + 1` and commits, so
//! positions are gapless and become visible in order; `pg_notify` tells every
//! replica. Each replica replays the log, in `seq` order, into its own
//! [`MemoryStore`] (tables plus tantivy index), the same replay path the
//! embedded journal uses. Corpus-wide resolution (entity merging, quote
//! clusters) is a deterministic function of that order, so every replica
//! computes the same entity ids without coordinating, however many of them
//! ingest at once, and queries are answered from memory at embedded speed.
//!
//! The relational tables (`entities`, `entity_aliases`, `mentions`,
//! `quotes`, `corroborations`) are a projection of what the replicas
//! computed, written by the replica that stored the article (and swept up by
//! any replica if that one died first), for users who want SQL.
//!
//! While the database cannot be reached, reads and writes answer UNAVAILABLE
//! (a replica cut off from the log may be stale) and the availability signal
//! turns health NOT_SERVING; both recover on their own once it is back.

use std::collections::{HashMap, HashSet};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Weak};
use std::time::Duration;

use async_trait::async_trait;
use deadpool_postgres::{GenericClient, Manager, ManagerConfig, Pool, RecyclingMethod, Runtime};
use futures::StreamExt;
use tokio::sync::{mpsc, watch, Mutex as AsyncMutex};
use tokio_postgres::error::SqlState;
use tokio_postgres::types::ToSql;
use tokio_postgres::{AsyncMessage, NoTls};

use super::codec::{decode_draft, encode_draft};
use super::memory::MemoryStore;
use super::{
    ArticleDraft, ArticleFilter, EntityFilter, EntityPos, InsertOutcome, ItemPos, MentionFilter,
    QuoteFilter, Recovery, RelationQuery, SearchQuery, Store, StoreStats, StoryFilter, StoryPos,
};
use crate::error::{Error, Result};
use crate::model::{
    Aggregation, Article, Entity, EntityRelation, Facet, Mention, Quote, SearchHit, Story,
};

mod embedded {
    refinery::embed_migrations!("migrations");
}

/// Channel every replica listens on; the payload is the newest `seq`.
const CHANNEL: &str = "newscorpus_articles";
/// Advisory lock writers hold while assigning positions ("newscorp").
const WRITE_LOCK: i64 = 0x6e65_7773_636f_7270;
/// Advisory lock around migrations, so replicas starting together do not
/// race to create the schema.
const MIGRATE_LOCK: i64 = WRITE_LOCK + 1;
/// Advisory lock around projection writes: one projector at a time keeps
/// entity upserts from deadlocking across replicas.
const PROJECT_LOCK: i64 = WRITE_LOCK + 2;
/// Log rows fetched per replay round trip.
const CATCH_UP_BATCH: i64 = 512;
/// Without a notification, a replica still polls the log this often (and so
/// notices a database that went away within this plus the timeout).
const POLL_EVERY: Duration = Duration::from_millis(1000);
/// Articles left unprojected this long (their writer died) are projected by
/// whichever replica sweeps first.
const SWEEP_AFTER_SECS: f64 = 5.0;
/// How often each replica sweeps.
const SWEEP_EVERY: Duration = Duration::from_secs(10);
/// Ingest batches waiting for the projector; when it is this far behind,
/// further batches are left to the sweep.
const PROJECT_QUEUE: usize = 1024;
/// Most articles the projector writes in one transaction.
const PROJECT_BATCH: usize = 512;
/// Attempts for a write that lost its connection.
const WRITE_ATTEMPTS: u32 = 3;

/// How to reach the database.
#[derive(Clone)]
pub struct PgOptions {
    /// `postgres://user:password@host:port/db` (or key=value form).
    pub url: String,
    /// Pooled connections per replica.
    pub pool_size: usize,
    /// Connect, pool-wait and statement timeout.
    pub timeout: Duration,
}

impl std::fmt::Debug for PgOptions {
    // The URL may carry a password: never print it.
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("PgOptions")
            .field("pool_size", &self.pool_size)
            .field("timeout", &self.timeout)
            .finish_non_exhaustive()
    }
}

/// The PostgreSQL-backed store; see the module docs.
pub struct PgStore {
    local: Arc<MemoryStore>,
    pool: Pool,
    /// Whether the database answers; false until recovery is done.
    up: watch::Sender<bool>,
    /// Set once migrations ran and the log was replayed.
    ready: AtomicBool,
    /// Serializes replay, so the log is applied once and in order.
    apply: AsyncMutex<()>,
    /// Ids this replica stored, for the background projector.
    to_project: mpsc::Sender<Vec<String>>,
    /// Alias count of each entity as last projected by this replica: an
    /// entity whose aliases did not change is not sent again.
    projected_aliases: std::sync::Mutex<HashMap<String, usize>>,
}

/// Maps a database error to the service's error: connection trouble is
/// UNAVAILABLE (retry), anything the server rejected is a bug (INTERNAL).
fn db_error(error: tokio_postgres::Error) -> Error {
    match error.as_db_error() {
        Some(db) => {
            let code = db.code();
            if *code == SqlState::ADMIN_SHUTDOWN
                || *code == SqlState::CRASH_SHUTDOWN
                || *code == SqlState::CANNOT_CONNECT_NOW
                || *code == SqlState::QUERY_CANCELED
                || *code == SqlState::TOO_MANY_CONNECTIONS
            {
                Error::Unavailable(format!("database: {}", db.message()))
            } else {
                Error::Internal(format!("database: {db}"))
            }
        }
        None => Error::Unavailable(format!("database unreachable: {error}")),
    }
}

fn pool_error(error: deadpool_postgres::PoolError) -> Error {
    match error {
        deadpool_postgres::PoolError::Backend(e) => db_error(e),
        other => Error::Unavailable(format!("database unreachable: {other}")),
    }
}

fn label<T: serde::Serialize>(value: T) -> String {
    serde_json::to_value(value)
        .ok()
        .and_then(|v| v.as_str().map(str::to_owned))
        .unwrap_or_default()
}

/// Parses the URL and applies the timeouts. The error never echoes the URL.
fn pg_config(options: &PgOptions) -> Result<tokio_postgres::Config> {
    let mut config: tokio_postgres::Config = options.url.parse().map_err(|e| {
        Error::invalid(
            "database_url",
            format!("not a PostgreSQL connection string: {e}"),
        )
    })?;
    let millis = options.timeout.as_millis().max(1);
    let mut server_options = config.get_options().unwrap_or_default().to_owned();
    server_options.push_str(&format!(" -c statement_timeout={millis}"));
    config
        .options(server_options.trim())
        .connect_timeout(options.timeout)
        .application_name("newscorpus");
    Ok(config)
}

/// Runs the embedded migrations on `client`, under an advisory lock so that
/// replicas starting together apply them once; returns the versions applied.
async fn run_migrations(client: &mut tokio_postgres::Client) -> Result<Vec<String>> {
    client
        .execute("SELECT pg_advisory_lock($1)", &[&MIGRATE_LOCK])
        .await
        .map_err(db_error)?;
    let report = embedded::migrations::runner()
        .run_async(client)
        .await
        .map_err(|e| Error::Internal(format!("database migration failed: {e}")));
    let _ = client
        .execute("SELECT pg_advisory_unlock($1)", &[&MIGRATE_LOCK])
        .await;
    Ok(report?
        .applied_migrations()
        .iter()
        .map(|m| m.to_string())
        .collect())
}

/// `newscorpus migrate`: brings the schema up to date and returns the
/// versions applied now (serving replicas also do this at start).
pub async fn migrate(options: &PgOptions) -> Result<Vec<String>> {
    let config = pg_config(options)?;
    let (mut client, connection) = config.connect(NoTls).await.map_err(db_error)?;
    let driver = tokio::spawn(connection);
    let result = run_migrations(&mut client).await;
    drop(client);
    let _ = driver.await;
    result
}

impl PgStore {
    /// A store on the database at `options.url`. Nothing is contacted yet:
    /// [`Store::recover`] migrates and replays, waiting for the database if
    /// it is not up. A follower task keeps the replica in step afterwards.
    pub fn connect(options: PgOptions) -> Result<Arc<Self>> {
        let config = pg_config(&options)?;
        let manager = Manager::from_config(
            config.clone(),
            NoTls,
            ManagerConfig {
                // A pooled connection is checked before use, so one killed
                // by a database restart is replaced instead of failing a call.
                recycling_method: RecyclingMethod::Verified,
            },
        );
        let pool = Pool::builder(manager)
            .max_size(options.pool_size.max(1))
            .runtime(Runtime::Tokio1)
            .wait_timeout(Some(options.timeout))
            .create_timeout(Some(options.timeout))
            .recycle_timeout(Some(options.timeout))
            .build()
            .map_err(|e| Error::Internal(format!("cannot build the database pool: {e}")))?;
        let local = Arc::new(MemoryStore::with_temp_index()?);
        let (to_project, queue) = mpsc::channel(PROJECT_QUEUE);
        let store = Arc::new_cyclic(|weak: &Weak<PgStore>| {
            tokio::spawn(follow(weak.clone(), config.clone()));
            tokio::spawn(projector(weak.clone(), queue));
            tokio::spawn(sweeper(weak.clone()));
            PgStore {
                local,
                pool,
                up: watch::Sender::new(false),
                ready: AtomicBool::new(false),
                apply: AsyncMutex::new(()),
                to_project,
                projected_aliases: Default::default(),
            }
        });
        Ok(store)
    }

    fn set_up(&self, up: bool) {
        self.up.send_if_modified(|current| {
            if *current == up {
                return false;
            }
            *current = up;
            if up {
                tracing::info!("database reachable; serving");
            } else {
                tracing::warn!("database unreachable; answering UNAVAILABLE until it is back");
            }
            true
        });
    }

    /// The read model, when it may be read: every query goes through here,
    /// so none answers from a model that is still loading or has lost the
    /// database (it could be stale without knowing).
    fn model(&self) -> Result<&MemoryStore> {
        self.check_up()?;
        Ok(&self.local)
    }

    fn check_up(&self) -> Result<()> {
        if *self.up.borrow() {
            Ok(())
        } else if !self.ready.load(Ordering::SeqCst) {
            Err(Error::Unavailable(
                "the corpus is still being loaded from the database".into(),
            ))
        } else {
            Err(Error::Unavailable("the database is unreachable".into()))
        }
    }

    async fn client(&self) -> Result<deadpool_postgres::Object> {
        self.pool.get().await.map_err(pool_error)
    }

    /// Applies every log entry this replica has not applied yet; returns the
    /// position reached.
    async fn catch_up(&self) -> Result<u64> {
        let _guard = self.apply.lock().await;
        let client = self.client().await?;
        let statement = client
            .prepare_cached("SELECT seq, draft FROM articles WHERE seq > $1 ORDER BY seq LIMIT $2")
            .await
            .map_err(db_error)?;
        loop {
            let from = *self.local.latest_seq().borrow();
            let rows = client
                .query(&statement, &[&(from as i64), &CATCH_UP_BATCH])
                .await
                .map_err(db_error)?;
            if rows.is_empty() {
                return Ok(from);
            }
            let mut drafts = Vec::with_capacity(rows.len());
            for (i, row) in rows.iter().enumerate() {
                let seq: i64 = row.get(0);
                if seq as u64 != from + 1 + i as u64 {
                    return Err(Error::Internal(format!(
                        "articles log has a gap: expected seq {}, found {seq}",
                        from + 1 + i as u64
                    )));
                }
                let bytes: &[u8] = row.get(1);
                drafts.push(decode_draft(bytes).map_err(|reason| {
                    Error::Internal(format!("article at seq {seq} cannot be read: {reason}"))
                })?);
            }
            let outcomes = self.local.insert(drafts).await?;
            if outcomes.iter().any(|o| !o.created) {
                return Err(Error::Internal(
                    "articles log holds an id twice; the read model is inconsistent".into(),
                ));
            }
        }
    }

    /// Applies articles this replica just committed at positions
    /// `first..`, if they are next in the log here; otherwise leaves them
    /// to [`PgStore::catch_up`], which applies everything in order.
    async fn apply_own(&self, first: u64, drafts: Vec<ArticleDraft>) -> Result<()> {
        let _guard = self.apply.lock().await;
        if *self.local.latest_seq().borrow() + 1 != first {
            return Ok(());
        }
        let last = first + drafts.len() as u64 - 1;
        let outcomes = self.local.insert(drafts).await?;
        if outcomes.iter().any(|o| !o.created) || outcomes.last().map(|o| o.seq) != Some(last) {
            return Err(Error::Internal(
                "the read model is out of step with the articles log".into(),
            ));
        }
        Ok(())
    }

    /// Stores the new drafts in one transaction; returns the ids inserted
    /// and the newest position at commit.
    async fn write(&self, drafts: &[(&ArticleDraft, Vec<u8>)]) -> Result<(HashSet<String>, u64)> {
        let mut client = self.client().await?;
        let txn = client.transaction().await.map_err(db_error)?;
        txn.execute("SELECT pg_advisory_xact_lock($1)", &[&WRITE_LOCK])
            .await
            .map_err(db_error)?;
        let mut seq: i64 = txn
            .query_one("SELECT coalesce(max(seq), 0) FROM articles", &[])
            .await
            .map_err(db_error)?
            .get(0);
        // Under the lock nobody else inserts: the ids found now are all the
        // duplicates, so positions can be given out before inserting.
        let ids: Vec<&str> = drafts.iter().map(|(d, _)| d.id.as_str()).collect();
        let mut present: HashSet<String> = txn
            .query("SELECT id FROM articles WHERE id = ANY($1)", &[&ids])
            .await
            .map_err(db_error)?
            .iter()
            .map(|r| r.get(0))
            .collect();
        let insert = txn
            .prepare_cached(
                "INSERT INTO articles (id, seq, source, url, title, subtitle, outlet, authors, \
                 published, body, draft) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11)",
            )
            .await
            .map_err(db_error)?;
        let mut rows = Vec::new();
        for (draft, bytes) in drafts {
            if present.insert(draft.id.clone()) {
                seq += 1;
                rows.push((*draft, bytes, seq, draft.parsed.body()));
            }
        }
        // Sent back to back on the one connection (tokio-postgres pipelines
        // concurrent queries), not one round trip each.
        futures::future::try_join_all(rows.iter().map(|(draft, bytes, seq, body)| {
            let p = &draft.parsed;
            let params: [&(dyn ToSql + Sync); 11] = [
                &draft.id,
                seq,
                &draft.source,
                &draft.url,
                &p.title,
                &p.subtitle,
                &p.outlet,
                &p.authors,
                &p.published,
                body,
                bytes,
            ];
            txn.execute_raw(&insert, params)
        }))
        .await
        .map_err(db_error)?;
        let inserted: HashSet<String> = rows.iter().map(|(d, ..)| d.id.clone()).collect();
        if !inserted.is_empty() {
            txn.execute("SELECT pg_notify($1, $2)", &[&CHANNEL, &seq.to_string()])
                .await
                .map_err(db_error)?;
        }
        txn.commit().await.map_err(db_error)?;
        Ok((inserted, seq as u64))
    }

    /// Writes the relational projection of stored articles and marks them
    /// projected: six statements per batch, whatever its size (rows go as
    /// arrays through `unnest`). Safe to repeat: every insert is idempotent.
    async fn project(&self, ids: &[String], alias_hints: bool) -> Result<()> {
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
    async fn sweep(&self, older_than_secs: f64) -> Result<usize> {
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
async fn projector(store: Weak<PgStore>, mut queue: mpsc::Receiver<Vec<String>>) {
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
async fn sweeper(store: Weak<PgStore>) {
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

/// Follows the log for the life of the store: LISTENs on its own connection,
/// replays on every notification and at least every [`POLL_EVERY`], and
/// turns availability off while the database is gone, reconnecting with
/// backoff.
async fn follow(store: Weak<PgStore>, config: tokio_postgres::Config) {
    let mut backoff = Duration::from_millis(250);
    loop {
        match follow_session(&store, &config).await {
            Ok(()) => return, // the store was dropped
            Err(error) => {
                let Some(s) = store.upgrade() else { return };
                if s.ready.load(Ordering::SeqCst) {
                    tracing::debug!(%error, "log follower lost the database");
                }
                s.set_up(false);
            }
        }
        tokio::time::sleep(backoff).await;
        backoff = (backoff * 2).min(Duration::from_secs(2));
    }
}

async fn follow_session(store: &Weak<PgStore>, config: &tokio_postgres::Config) -> Result<()> {
    let (client, mut connection) = config.connect(NoTls).await.map_err(db_error)?;
    let (tx, mut notified) = mpsc::channel::<()>(1);
    let driver = tokio::spawn(async move {
        let mut messages = futures::stream::poll_fn(move |cx| connection.poll_message(cx));
        while let Some(message) = messages.next().await {
            match message {
                Ok(AsyncMessage::Notification(_)) => {
                    let _ = tx.try_send(());
                }
                Ok(_) => {}
                Err(_) => break,
            }
        }
        // Dropping `tx` ends the session below.
    });
    let _abort = AbortOnDrop(driver);
    client
        .batch_execute(&format!("LISTEN {CHANNEL}"))
        .await
        .map_err(db_error)?;
    loop {
        {
            let Some(s) = store.upgrade() else {
                return Ok(());
            };
            if s.ready.load(Ordering::SeqCst) {
                s.catch_up().await?;
                s.set_up(true);
            }
        }
        tokio::select! {
            got = notified.recv() => {
                if got.is_none() {
                    return Err(Error::Unavailable("database connection closed".into()));
                }
            }
            _ = tokio::time::sleep(POLL_EVERY) => {
                client.simple_query("SELECT 1").await.map_err(db_error)?;
            }
        }
    }
}

struct AbortOnDrop(tokio::task::JoinHandle<()>);

impl Drop for AbortOnDrop {
    fn drop(&mut self) {
        self.0.abort();
    }
}

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
