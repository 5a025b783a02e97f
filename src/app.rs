//! Wiring: builds the store and corpus, starts the server, loads the corpus
//! folder in the background, and flips health to SERVING when done.

use std::net::SocketAddr;
use std::path::PathBuf;
use std::sync::Arc;

use tokio::net::TcpListener;
use tokio::task::JoinHandle;
use tokio_util::sync::CancellationToken;

use crate::corpus::{Corpus, Limits};
use crate::grpc::{self, ServerOptions};
use crate::store::memory::MemoryStore;
use crate::store::postgres::{PgOptions, PgStore};
use crate::store::Store;

/// Boxed error for start-up failures.
pub type BoxError = Box<dyn std::error::Error + Send + Sync>;

/// What the server is started with.
#[derive(Debug, Clone)]
pub struct AppConfig {
    /// Corpus folder; `None` starts empty.
    pub corpus: Option<PathBuf>,
    /// Data folder of the durable embedded store; `None` keeps everything in
    /// memory (and the search index in a temporary folder).
    pub data_dir: Option<PathBuf>,
    /// Shared PostgreSQL backend; `None` uses the embedded store.
    pub database: Option<PgOptions>,
    /// Corpus limits.
    pub limits: Limits,
    /// Transport options.
    pub server: ServerOptions,
}

/// A running server.
pub struct RunningApp {
    /// Address it listens on.
    pub addr: SocketAddr,
    /// Cancel to shut down gracefully.
    pub shutdown: CancellationToken,
    /// Completes when the server has stopped.
    pub handle: JoinHandle<Result<(), BoxError>>,
}

/// Starts serving on `listener`; the corpus loads in the background.
pub async fn start(config: AppConfig, listener: TcpListener) -> Result<RunningApp, BoxError> {
    let store: Arc<dyn Store> = match (&config.database, &config.data_dir) {
        (Some(database), _) => PgStore::connect(database.clone())?,
        (None, Some(dir)) => Arc::new(MemoryStore::open(dir)?),
        (None, None) => Arc::new(MemoryStore::with_temp_index()?),
    };
    start_with_store(config, listener, store).await
}

/// Like [`start`], over a store the caller built (tests use this to look
/// inside the store while the server runs).
pub async fn start_with_store(
    config: AppConfig,
    listener: TcpListener,
    store: Arc<dyn Store>,
) -> Result<RunningApp, BoxError> {
    let addr = listener.local_addr()?;
    let corpus = Arc::new(Corpus::new(store, config.limits.clone()));
    let shutdown = CancellationToken::new();
    let token = shutdown.clone();
    let loader_corpus = corpus.clone();
    let store = corpus.store().clone();
    // A failure the loader cannot serve through (the data folder cannot be
    // recovered) stops the server and becomes its result.
    let fatal: Arc<std::sync::Mutex<Option<String>>> = Arc::default();
    let loader_fatal = fatal.clone();
    let handle = tokio::spawn(async move {
        let served = grpc::serve(listener, corpus, config.server, token.clone(), move |readiness| {
            tokio::spawn(async move {
                // A durable store first replays what it kept; only then are
                // the folder's articles (known ones skipped) and ingests added.
                if let Err(error) = loader_corpus.store().recover().await {
                    tracing::error!(%error, "cannot recover the data folder; stopping");
                    if let Ok(mut slot) = loader_fatal.lock() {
                        *slot = Some(format!("cannot recover the data folder: {error}"));
                    }
                    token.cancel();
                    return;
                }
                if let Some(dir) = &config.corpus {
                    // Durable stores keep the folder's manifest, so an
                    // unchanged folder is not read again at the next start.
                    let loaded = loader_corpus.load_path_once(dir, "corpus.manifest").await;
                    if let Err(error) = loaded {
                        tracing::error!(%error, dir = %dir.display(), "cannot load corpus; serving an empty one");
                    }
                }
                if token.is_cancelled() {
                    return;
                }
                readiness.set_ready().await;
                tracing::info!("ready");
                // A backend that depends on a database is only as available
                // as the database: health follows it both ways.
                if let Some(mut available) = loader_corpus.store().availability() {
                    loop {
                        let up = *available.borrow_and_update();
                        if token.is_cancelled() {
                            return;
                        }
                        if up {
                            readiness.set_ready().await;
                        } else {
                            readiness.set_degraded().await;
                        }
                        tokio::select! {
                            changed = available.changed() => if changed.is_err() { return },
                            _ = token.cancelled() => return,
                        }
                    }
                }
            });
        })
        .await;
        // Leave a durable store's index complete, so the next start has
        // nothing to re-index.
        if let Err(error) = store.flush().await {
            tracing::warn!(%error, "final flush failed");
        }
        if let Some(message) = fatal.lock().ok().and_then(|mut slot| slot.take()) {
            return Err(message.into());
        }
        served
    });
    Ok(RunningApp {
        addr,
        shutdown,
        handle,
    })
}
