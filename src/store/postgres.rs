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

use std::collections::{BTreeSet, HashSet};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Weak};
use std::time::Duration;

use async_trait::async_trait;
use deadpool_postgres::{GenericClient, Manager, ManagerConfig, Pool, RecyclingMethod, Runtime};
use futures::StreamExt;
use tokio::sync::{mpsc, watch, Mutex as AsyncMutex};
use tokio_postgres::error::SqlState;
use tokio_postgres::{AsyncMessage, NoTls};

use super::journal::{decode_draft, encode_draft};
use super::memory::MemoryStore;
use super::{
    ArticleDraft, ArticleFilter, EntityFilter, EntityPos, InsertOutcome, ItemPos, MentionFilter,
    QuoteFilter, Recovery, SearchQuery, Store, StoreStats,
};
use crate::error::{Error, Result};
use crate::model::{Article, Entity, Mention, Quote, SearchHit};

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
        let store = Arc::new_cyclic(|weak: &Weak<PgStore>| {
            tokio::spawn(follow(weak.clone(), config.clone()));
            PgStore {
                local,
                pool,
                up: watch::Sender::new(false),
                ready: AtomicBool::new(false),
                apply: AsyncMutex::new(()),
            }
        });
        Ok(store)
    }

    /// The in-memory read model (tests look inside it).
    pub fn local(&self) -> &Arc<MemoryStore> {
        &self.local
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
        let insert = txn
            .prepare_cached(
                "INSERT INTO articles (id, seq, source, url, title, subtitle, outlet, authors, \
                 published, body, draft) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11) \
                 ON CONFLICT (id) DO NOTHING",
            )
            .await
            .map_err(db_error)?;
        let mut inserted = HashSet::new();
        for (draft, bytes) in drafts {
            let p = &draft.parsed;
            let next = seq + 1;
            let n = txn
                .execute(
                    &insert,
                    &[
                        &draft.id,
                        &next,
                        &draft.source,
                        &draft.url,
                        &p.title,
                        &p.subtitle,
                        &p.outlet,
                        &p.authors,
                        &p.published,
                        &p.body(),
                        bytes,
                    ],
                )
                .await
                .map_err(db_error)?;
            if n == 1 {
                seq = next;
                inserted.insert(draft.id.clone());
            }
        }
        if !inserted.is_empty() {
            txn.execute("SELECT pg_notify($1, $2)", &[&CHANNEL, &seq.to_string()])
                .await
                .map_err(db_error)?;
        }
        txn.commit().await.map_err(db_error)?;
        Ok((inserted, seq as u64))
    }

    /// Writes the relational projection of stored articles; marks them
    /// projected. Safe to repeat (every insert is idempotent).
    async fn project(&self, ids: &[String]) -> Result<()> {
        if ids.is_empty() {
            return Ok(());
        }
        let mut client = self.client().await?;
        let txn = client.transaction().await.map_err(db_error)?;
        txn.execute("SELECT pg_advisory_xact_lock($1)", &[&PROJECT_LOCK])
            .await
            .map_err(db_error)?;
        let mut articles = Vec::new();
        let mut entity_ids = BTreeSet::new();
        for id in ids {
            if let Some(article) = self.local.article(id).await? {
                entity_ids.extend(article.entity_ids.iter().cloned());
                articles.push(article);
            }
        }
        // Sorted upserts: a fixed lock order for the entity rows.
        for id in &entity_ids {
            let Some(e) = self.local.entity(id).await? else {
                continue;
            };
            txn.execute(
                "INSERT INTO entities (id, type, name, mention_count) VALUES ($1, $2, $3, $4) \
                 ON CONFLICT (id) DO UPDATE SET name = EXCLUDED.name, \
                 mention_count = EXCLUDED.mention_count",
                &[
                    &e.id,
                    &label(e.entity_type),
                    &e.name,
                    &(e.mention_count as i32),
                ],
            )
            .await
            .map_err(db_error)?;
            txn.execute(
                "INSERT INTO entity_aliases (entity_id, alias) SELECT $1, unnest($2::text[]) \
                 ON CONFLICT DO NOTHING",
                &[&e.id, &e.aliases],
            )
            .await
            .map_err(db_error)?;
        }
        for article in &articles {
            self.project_article(&txn, article).await?;
        }
        txn.commit().await.map_err(db_error)
    }

    async fn project_article(
        &self,
        txn: &deadpool_postgres::Transaction<'_>,
        article: &Article,
    ) -> Result<()> {
        let id = &article.id;
        let mentions = self
            .local
            .mentions(
                &MentionFilter {
                    article_id: Some(id.clone()),
                    entity_id: None,
                },
                None,
                usize::MAX,
            )
            .await?;
        let (mut idx, mut entity, mut start, mut end, mut text) =
            (vec![], vec![], vec![], vec![], vec![]);
        for (pos, m) in mentions {
            idx.push(pos.index as i32);
            entity.push(m.entity_id);
            start.push(m.span.start as i32);
            end.push(m.span.end as i32);
            text.push(m.text);
        }
        txn.execute(
            "INSERT INTO mentions (article_id, idx, entity_id, start_char, end_char, text) \
             SELECT $1, * FROM unnest($2::int4[], $3::text[], $4::int4[], $5::int4[], $6::text[]) \
             ON CONFLICT DO NOTHING",
            &[id, &idx, &entity, &start, &end, &text],
        )
        .await
        .map_err(db_error)?;

        let quotes = self.local.quotes(&by_article(id), None, usize::MAX).await?;
        let mut pairs: Vec<(String, i32, String)> = Vec::new();
        let mut others = BTreeSet::new();
        for (pos, q) in &quotes {
            txn.execute(
                "INSERT INTO quotes (article_id, idx, text, speaker_entity_id, speaker_name, \
                 speaker_role, cue, kind, start_char, end_char) \
                 VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10) ON CONFLICT DO NOTHING",
                &[
                    id,
                    &(pos.index as i32),
                    &q.text,
                    &q.speaker_entity_id,
                    &q.speaker_name,
                    &q.speaker_role,
                    &q.cue,
                    &label(q.kind),
                    &(q.span.start as i32),
                    &(q.span.end as i32),
                ],
            )
            .await
            .map_err(db_error)?;
            for other in &q.corroborating_article_ids {
                pairs.push((id.clone(), pos.index as i32, other.clone()));
                others.insert(other.clone());
            }
        }
        // The earlier reports of the same words are corroborated by this one.
        for other in &others {
            for (pos, q) in self
                .local
                .quotes(&by_article(other), None, usize::MAX)
                .await?
            {
                if q.corroborating_article_ids.contains(id) {
                    pairs.push((other.clone(), pos.index as i32, id.clone()));
                }
            }
        }
        if !pairs.is_empty() {
            let (a, q, c): (Vec<String>, Vec<i32>, Vec<String>) = pairs.into_iter().fold(
                (vec![], vec![], vec![]),
                |(mut a, mut q, mut c), (x, y, z)| {
                    a.push(x);
                    q.push(y);
                    c.push(z);
                    (a, q, c)
                },
            );
            txn.execute(
                "INSERT INTO corroborations (article_id, quote_idx, corroborating_article_id) \
                 SELECT * FROM unnest($1::text[], $2::int4[], $3::text[]) ON CONFLICT DO NOTHING",
                &[&a, &q, &c],
            )
            .await
            .map_err(db_error)?;
        }
        txn.execute("UPDATE articles SET projected = true WHERE id = $1", &[id])
            .await
            .map_err(db_error)?;
        Ok(())
    }

    /// Projects articles whose writer did not (it died, or its projection
    /// failed), up to this replica's position.
    async fn sweep(&self, older_than_secs: f64) -> Result<usize> {
        let applied = *self.local.latest_seq().borrow() as i64;
        let ids: Vec<String> = self
            .client()
            .await?
            .query(
                "SELECT id FROM articles WHERE NOT projected AND seq <= $1 \
                 AND ingested_at < now() - make_interval(secs => $2) ORDER BY seq LIMIT 256",
                &[&applied, &older_than_secs],
            )
            .await
            .map_err(db_error)?
            .iter()
            .map(|r| r.get(0))
            .collect();
        self.project(&ids).await?;
        Ok(ids.len())
    }
}

fn by_article(id: &str) -> QuoteFilter {
    QuoteFilter {
        article_id: Some(id.to_owned()),
        ..Default::default()
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
    let mut since_sweep = Duration::ZERO;
    loop {
        {
            let Some(s) = store.upgrade() else {
                return Ok(());
            };
            if s.ready.load(Ordering::SeqCst) {
                s.catch_up().await?;
                s.set_up(true);
                if since_sweep >= Duration::from_secs(10) {
                    since_sweep = Duration::ZERO;
                    if let Err(error) = s.sweep(SWEEP_AFTER_SECS).await {
                        tracing::warn!(%error, "projection sweep failed; will retry");
                    }
                }
            }
        }
        tokio::select! {
            got = notified.recv() => {
                if got.is_none() {
                    return Err(Error::Unavailable("database connection closed".into()));
                }
            }
            _ = tokio::time::sleep(POLL_EVERY) => {
                since_sweep += POLL_EVERY;
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
        while self.catch_up().await? < target {}
        let created: Vec<String> = drafts
            .iter()
            .filter(|d| inserted.contains(&d.id))
            .map(|d| d.id.clone())
            .collect();
        // The articles are stored; a failed projection is redone by a sweep.
        if let Err(error) = self.project(&created).await {
            tracing::warn!(%error, articles = created.len(), "projection failed; a sweep will redo it");
        }
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
        let swept = self.sweep(0.0).await.unwrap_or_else(|error| {
            tracing::warn!(%error, "projection sweep failed; will retry");
            0
        });
        let articles = *self.local.latest_seq().borrow();
        tracing::info!(
            articles,
            projected_now = swept,
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
        self.check_up()?;
        self.local.articles(filter, after, max).await
    }

    async fn search(
        &self,
        query: &SearchQuery,
        offset: usize,
        max: usize,
    ) -> Result<Vec<SearchHit>> {
        self.check_up()?;
        self.local.search(query, offset, max).await
    }

    fn validate_query(&self, text: &str) -> Result<()> {
        self.local.validate_query(text)
    }

    async fn entity(&self, id: &str) -> Result<Option<Entity>> {
        self.check_up()?;
        self.local.entity(id).await
    }

    async fn entities_named(&self, name: &str) -> Result<Vec<Entity>> {
        self.check_up()?;
        self.local.entities_named(name).await
    }

    async fn entities(
        &self,
        filter: &EntityFilter,
        after: Option<&EntityPos>,
        max: usize,
    ) -> Result<Vec<Entity>> {
        self.check_up()?;
        self.local.entities(filter, after, max).await
    }

    async fn mentions(
        &self,
        filter: &MentionFilter,
        after: Option<ItemPos>,
        max: usize,
    ) -> Result<Vec<(ItemPos, Mention)>> {
        self.check_up()?;
        self.local.mentions(filter, after, max).await
    }

    async fn quotes(
        &self,
        filter: &QuoteFilter,
        after: Option<ItemPos>,
        max: usize,
    ) -> Result<Vec<(ItemPos, Quote)>> {
        self.check_up()?;
        self.local.quotes(filter, after, max).await
    }

    async fn stats(&self) -> Result<StoreStats> {
        self.check_up()?;
        self.local.stats().await
    }

    fn latest_seq(&self) -> watch::Receiver<u64> {
        self.local.latest_seq()
    }
}
