//! Command line and environment configuration (clap). Every flag can also be
//! set through a `NEWSCORPUS_*` environment variable.

use std::net::SocketAddr;
use std::path::PathBuf;
use std::time::Duration;

use clap::{Args, Parser, Subcommand};

use crate::corpus::Limits;
use crate::telemetry::LogFormat;
use std::sync::Arc;

use crate::grpc::auth::Tokens;
use crate::grpc::{ServerOptions, ServiceOptions, TlsFiles};
use crate::store::postgres::PgOptions;

/// newscorpus: serves a news corpus (articles, entities, quotes) over gRPC.
#[derive(Debug, Parser)]
#[command(version, about, args_conflicts_with_subcommands = true)]
pub struct Cli {
    /// What to do; `serve` when omitted.
    #[command(subcommand)]
    pub command: Option<Command>,
    /// Options for `serve` when no subcommand is given.
    #[command(flatten)]
    pub serve: ServeArgs,
}

/// Subcommands.
#[derive(Debug, Subcommand)]
pub enum Command {
    /// Load the corpus folder and serve the gRPC API (the default).
    Serve(Box<ServeArgs>),
    /// Print what extraction makes of article files, as JSON, without a server.
    Inspect(InspectArgs),
    /// Check a running server's gRPC health; exit 0 only when it is SERVING.
    Healthcheck(HealthcheckArgs),
    /// Write a synthetic JSON Lines corpus recombined from real articles.
    GenCorpus(GenCorpusArgs),
    /// Create or update the PostgreSQL schema, then exit (`serve` also does
    /// this at start).
    Migrate(MigrateArgs),
    /// Salvage a data folder whose journal is damaged in the middle: keep
    /// every readable record, move the damaged bytes aside to a file, report
    /// what was lost. Run it with no server using the folder.
    RepairJournal(RepairJournalArgs),
}

/// Options of `repair-journal`.
#[derive(Debug, Args)]
pub struct RepairJournalArgs {
    /// The data folder (as given to `serve --data-dir`).
    #[arg(long, env = "NEWSCORPUS_DATA_DIR")]
    pub data_dir: PathBuf,
}

/// A positive, finite number of seconds.
pub fn timeout_secs(secs: f64, flag: &str) -> Result<Duration, String> {
    if secs.is_finite() && secs > 0.0 && secs < 86_400.0 {
        Ok(Duration::from_secs_f64(secs))
    } else {
        Err(format!(
            "{flag} must be a number of seconds above 0, got {secs}"
        ))
    }
}

/// Options of `migrate`.
#[derive(Debug, Args)]
pub struct MigrateArgs {
    /// PostgreSQL connection string.
    #[arg(long, env = "NEWSCORPUS_DATABASE_URL", hide_env_values = true)]
    pub database_url: String,
    /// Connect and statement timeout, in seconds.
    #[arg(long, env = "NEWSCORPUS_DB_TIMEOUT_SECS", default_value_t = 30.0)]
    pub db_timeout_secs: f64,
}

/// Options of `gen-corpus`.
#[derive(Debug, Args)]
pub struct GenCorpusArgs {
    /// Folder (or file) of real articles to recombine.
    #[arg(long, default_value = "seeds")]
    pub from: PathBuf,
    /// Number of articles to write.
    #[arg(long, default_value_t = 1000)]
    pub count: u64,
    /// Seed number: the same seed writes the same corpus.
    #[arg(long, default_value_t = 42)]
    pub seed: u64,
    /// Output file; `-` writes to stdout.
    #[arg(long, default_value = "-")]
    pub out: PathBuf,
    /// Distinct people the articles draw their names from.
    #[arg(long, default_value_t = 20_000)]
    pub people: usize,
}

/// Options of `serve`.
#[derive(Debug, Clone, Args)]
pub struct ServeArgs {
    /// Corpus loaded at start: a folder of `.txt` articles and `.jsonl` files
    /// (one article per line), or a single such file.
    #[arg(long, env = "NEWSCORPUS_CORPUS", default_value = "seeds")]
    pub corpus: PathBuf,
    /// Keep the corpus in this folder across restarts: every accepted
    /// article is journaled and fsync'd before it is acknowledged, and the
    /// search index lives here too. Without it the corpus is in memory only.
    #[arg(long, env = "NEWSCORPUS_DATA_DIR", conflicts_with = "database_url")]
    pub data_dir: Option<PathBuf>,
    /// Share one PostgreSQL database with other replicas
    /// (`postgres://user:password@host:port/db`): articles are stored there,
    /// and every replica follows them. The schema is migrated at start.
    #[arg(long, env = "NEWSCORPUS_DATABASE_URL", hide_env_values = true)]
    pub database_url: Option<String>,
    /// Pooled database connections per replica.
    #[arg(long, env = "NEWSCORPUS_DB_POOL_SIZE", default_value_t = 8)]
    pub db_pool_size: usize,
    /// Database connect, pool-wait and statement timeout, in seconds.
    #[arg(long, env = "NEWSCORPUS_DB_TIMEOUT_SECS", default_value_t = 5.0)]
    pub db_timeout_secs: f64,
    /// Address to listen on (port 0 picks a free port).
    #[arg(long, env = "NEWSCORPUS_ADDR", default_value = "127.0.0.1:50051")]
    pub addr: SocketAddr,
    /// Log format.
    #[arg(
        long,
        env = "NEWSCORPUS_LOG_FORMAT",
        value_enum,
        default_value = "text"
    )]
    pub log_format: LogFormat,
    /// Largest `limit` a request may ask for (0 always means "no limit").
    #[arg(long, env = "NEWSCORPUS_MAX_LIMIT", default_value_t = crate::grpc::service::DEFAULT_MAX_LIMIT)]
    pub max_limit: usize,
    /// Largest article accepted (corpus file or ingest item), in bytes.
    #[arg(long, env = "NEWSCORPUS_MAX_ARTICLE_BYTES", default_value_t = crate::corpus::DEFAULT_MAX_ARTICLE_BYTES)]
    pub max_article_bytes: usize,
    /// Largest request message accepted, in bytes.
    #[arg(long, env = "NEWSCORPUS_MAX_MESSAGE_BYTES", default_value_t = crate::grpc::DEFAULT_MAX_MESSAGE_BYTES)]
    pub max_message_bytes: usize,
    /// Seconds open streams get to finish after SIGTERM/SIGINT.
    #[arg(long, env = "NEWSCORPUS_DRAIN_TIMEOUT_SECS", default_value_t = crate::grpc::DEFAULT_DRAIN_TIMEOUT.as_secs_f64())]
    pub drain_timeout_secs: f64,
    /// Most response streams open at once, server-wide (more get RESOURCE_EXHAUSTED).
    #[arg(long, env = "NEWSCORPUS_MAX_OPEN_STREAMS", default_value_t = crate::grpc::service::DEFAULT_MAX_OPEN_STREAMS)]
    pub max_open_streams: usize,
    /// Bytes of responses one stream may hold in the server's queues (about
    /// one item more per stage), so a client that stops reading pins little.
    #[arg(
        long,
        env = "NEWSCORPUS_MAX_STREAM_BUFFER_BYTES",
        default_value_t = crate::grpc::service::DEFAULT_STREAM_BUFFER_BYTES
    )]
    pub max_stream_buffer_bytes: usize,
    /// Bytes all open streams may hold together; each reserves its
    /// --max-stream-buffer-bytes when it opens, past it: RESOURCE_EXHAUSTED.
    #[arg(
        long,
        env = "NEWSCORPUS_STREAM_MEMORY_BUDGET_BYTES",
        default_value_t = crate::grpc::service::DEFAULT_STREAM_MEMORY_BUDGET_BYTES
    )]
    pub stream_memory_budget_bytes: usize,
    /// Most client connections open at once; more are closed as they come
    /// (set the file-descriptor limit, `ulimit -n`, above this).
    #[arg(
        long,
        env = "NEWSCORPUS_MAX_CONNECTIONS",
        default_value_t = crate::grpc::DEFAULT_MAX_CONNECTIONS
    )]
    pub max_connections: usize,
    /// Seconds a new connection gets to send its protocol preface (and TLS
    /// handshake); connections that stay silent are closed.
    #[arg(
        long,
        env = "NEWSCORPUS_HANDSHAKE_TIMEOUT_SECS",
        default_value_t = crate::grpc::DEFAULT_HANDSHAKE_TIMEOUT.as_secs_f64()
    )]
    pub handshake_timeout_secs: f64,
    /// Most concurrent HTTP/2 streams (calls) per client connection.
    #[arg(
        long,
        env = "NEWSCORPUS_MAX_STREAMS_PER_CONNECTION",
        default_value_t = crate::grpc::DEFAULT_MAX_STREAMS_PER_CONNECTION
    )]
    pub max_streams_per_connection: u32,
    /// Seconds after which a client connection is asked to go away (GOAWAY) and
    /// reconnect, so load balancers can rebalance; 0: no limit.
    #[arg(
        long,
        env = "NEWSCORPUS_MAX_CONNECTION_AGE_SECS",
        default_value_t = crate::grpc::DEFAULT_MAX_CONNECTION_AGE.as_secs_f64()
    )]
    pub max_connection_age_secs: f64,
    /// Seconds the calls of a connection past its age get to finish before it
    /// is closed (streams then end with UNAVAILABLE; resume with the cursor).
    #[arg(
        long,
        env = "NEWSCORPUS_MAX_CONNECTION_AGE_GRACE_SECS",
        default_value_t = crate::grpc::DEFAULT_MAX_CONNECTION_AGE_GRACE.as_secs_f64()
    )]
    pub max_connection_age_grace_secs: f64,
    /// Calls handled at once per connection; more get RESOURCE_EXHAUSTED at once.
    #[arg(
        long,
        env = "NEWSCORPUS_MAX_IN_FLIGHT_PER_CONNECTION",
        default_value_t = crate::grpc::DEFAULT_MAX_IN_FLIGHT_PER_CONNECTION
    )]
    pub max_in_flight_per_connection: usize,
    /// File of bearer tokens (one per line; `read:TOKEN` may only query,
    /// `write:TOKEN` or a bare token may also ingest). Unset: no auth.
    #[arg(long, env = "NEWSCORPUS_AUTH_TOKEN_FILE")]
    pub auth_token_file: Option<PathBuf>,
    /// Also require a token for health checks and reflection (open by default).
    #[arg(long, env = "NEWSCORPUS_AUTH_PROTECT_HEALTH")]
    pub auth_protect_health: bool,
    /// PEM certificate chain: serve TLS (needs --tls-key).
    #[arg(long, env = "NEWSCORPUS_TLS_CERT", requires = "tls_key")]
    pub tls_cert: Option<PathBuf>,
    /// PEM private key for --tls-cert.
    #[arg(long, env = "NEWSCORPUS_TLS_KEY", requires = "tls_cert")]
    pub tls_key: Option<PathBuf>,
    /// PEM CA bundle: require client certificates signed by it (mutual TLS).
    #[arg(long, env = "NEWSCORPUS_TLS_CLIENT_CA", requires = "tls_cert")]
    pub tls_client_ca: Option<PathBuf>,
    /// Let browser pages from this origin (`https://app.example.org`) call
    /// the API over gRPC-Web (CORS). Repeatable; `*` allows any origin. Unset:
    /// no CORS headers, so only pages served from this server's own origin
    /// can call it. Env: comma-separated.
    #[arg(
        long = "cors-origin",
        env = "NEWSCORPUS_CORS_ORIGIN",
        value_delimiter = ','
    )]
    pub cors_origins: Vec<String>,
    /// Do not serve the corpus explorer (the browser UI at `/`): every GET
    /// then gets 404, and the port serves the API only.
    #[arg(long, env = "NEWSCORPUS_NO_UI")]
    pub no_ui: bool,
}

impl ServeArgs {
    /// Database options, when `--database-url` is given.
    pub fn database(&self) -> Result<Option<PgOptions>, String> {
        let Some(url) = &self.database_url else {
            return Ok(None);
        };
        Ok(Some(PgOptions {
            url: url.clone(),
            pool_size: self.db_pool_size,
            timeout: timeout_secs(self.db_timeout_secs, "--db-timeout-secs")?,
        }))
    }

    /// Corpus limits from the flags.
    pub fn limits(&self) -> Limits {
        Limits {
            max_article_bytes: self.max_article_bytes,
        }
    }

    /// Server options from the flags; reads the token and TLS files.
    pub fn server_options(&self) -> Result<ServerOptions, String> {
        let auth = self
            .auth_token_file
            .as_deref()
            .map(Tokens::from_file)
            .transpose()?
            .map(Arc::new);
        let read = |path: &PathBuf| {
            std::fs::read(path).map_err(|e| format!("cannot read {}: {e}", path.display()))
        };
        let tls = match (&self.tls_cert, &self.tls_key) {
            (Some(cert), Some(key)) => Some(TlsFiles {
                cert: read(cert)?,
                key: read(key)?,
                client_ca: self.tls_client_ca.as_ref().map(read).transpose()?,
                paths: Some((cert.clone(), key.clone())),
            }),
            _ => None,
        };
        Ok(ServerOptions {
            service: ServiceOptions {
                max_limit: self.max_limit,
                max_open_streams: self.max_open_streams,
                auth,
                max_stream_buffer_bytes: self.max_stream_buffer_bytes,
                stream_memory_budget_bytes: self.stream_memory_budget_bytes,
            },
            max_connections: self.max_connections.max(1),
            handshake_timeout: timeout_secs(
                self.handshake_timeout_secs,
                "--handshake-timeout-secs",
            )?,
            max_message_bytes: self.max_message_bytes,
            drain_timeout: Duration::from_secs_f64(self.drain_timeout_secs.max(0.0)),
            max_streams_per_connection: self.max_streams_per_connection,
            max_in_flight_per_connection: (self.max_in_flight_per_connection > 0)
                .then_some(self.max_in_flight_per_connection),
            max_connection_age: (self.max_connection_age_secs > 0.0)
                .then(|| Duration::from_secs_f64(self.max_connection_age_secs)),
            max_connection_age_grace: Duration::from_secs_f64(
                self.max_connection_age_grace_secs.max(0.0),
            ),
            protect_health: self.auth_protect_health,
            cors_origins: crate::grpc::web::origins(&self.cors_origins)?,
            ui: !self.no_ui,
            keepalive_interval: crate::grpc::KEEPALIVE_INTERVAL,
            keepalive_timeout: crate::grpc::KEEPALIVE_TIMEOUT,
            tls,
        })
    }
}

/// Options of `inspect`.
#[derive(Debug, Args)]
pub struct InspectArgs {
    /// Article files to inspect.
    #[arg(required = true)]
    pub files: Vec<PathBuf>,
}

/// Options of `healthcheck`.
#[derive(Debug, Args)]
pub struct HealthcheckArgs {
    /// Server address.
    #[arg(long, env = "NEWSCORPUS_ADDR", default_value = "127.0.0.1:50051")]
    pub addr: String,
    /// Seconds to wait for an answer.
    #[arg(long, default_value_t = 3.0)]
    pub timeout_secs: f64,
    /// Bearer token to send, for servers run with `--auth-protect-health`.
    #[arg(long, env = "NEWSCORPUS_HEALTHCHECK_TOKEN", hide_env_values = true)]
    pub token: Option<String>,
}

#[cfg(test)]
mod tests {
    use super::*;
    use clap::CommandFactory;

    #[test]
    fn cli_is_consistent() {
        Cli::command().debug_assert();
    }

    #[test]
    fn serve_is_the_default() {
        let cli = Cli::try_parse_from(["newscorpus", "--corpus", "x", "--addr", "127.0.0.1:0"])
            .expect("parse");
        assert!(cli.command.is_none());
        assert_eq!(cli.serve.corpus, PathBuf::from("x"));
    }
}
