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

mod log;
mod projection;
mod schema;
mod store_impl;

use log::*;
use projection::*;
pub use schema::migrate;
use schema::*;

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
}

struct AbortOnDrop(tokio::task::JoinHandle<()>);

impl Drop for AbortOnDrop {
    fn drop(&mut self) {
        self.0.abort();
    }
}
