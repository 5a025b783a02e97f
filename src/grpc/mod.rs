//! gRPC transport: generated types, the CorpusService adapter, and the
//! server (reflection, health, compression, graceful shutdown).
//!
//! This is the only module that touches generated protobuf code.

pub mod auth;
pub(crate) mod codec;
pub(crate) mod content_type;
pub mod convert;
pub mod cursor;
pub(crate) mod deadline;
pub(crate) mod explorer;
pub(crate) mod incoming;
mod ingest;
pub(crate) mod offsets;
pub(crate) mod service;
pub(crate) mod status;
mod stream;
pub mod web;

use std::net::SocketAddr;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Arc;
use std::time::Duration;

use tokio::net::TcpListener;
use tokio_util::sync::CancellationToken;
use tonic::codec::CompressionEncoding;
use tonic::service::interceptor::InterceptedService;
use tonic::transport::{Certificate, Identity, Server, ServerTlsConfig};

use crate::corpus::Corpus;
pub use incoming::DEFAULT_MAX_CONNECTIONS;
pub use service::{CorpusApi, ServiceOptions};

/// Code generated from `proto/newscorpus/v1`.
#[allow(missing_docs, clippy::all, clippy::pedantic)]
pub mod pb {
    tonic::include_proto!("newscorpus.v1");

    /// Encoded `FileDescriptorSet` of the API, served by reflection.
    pub const FILE_DESCRIPTOR_SET: &[u8] =
        include_bytes!(concat!(env!("OUT_DIR"), "/newscorpus_descriptor.bin"));
}

/// Bytes a client may send on one stream before the server reads them.
const STREAM_WINDOW: u32 = 128 * 1024;
/// Bytes a client may send on one connection before the server reads them
/// (h2 allows half of it in small-frame overhead).
const CONNECTION_WINDOW: u32 = 4 * 1024 * 1024;

/// Fully qualified service name, as used by health checks.
pub const SERVICE_NAME: &str = "newscorpus.v1.CorpusService";

/// Transport settings.
#[derive(Debug, Clone)]
pub struct ServerOptions {
    /// Adapter limits.
    pub service: ServiceOptions,
    /// Largest request message accepted, in bytes.
    pub max_message_bytes: usize,
    /// How long open streams get to finish after shutdown starts.
    pub drain_timeout: Duration,
    /// HTTP/2 concurrent streams allowed per connection.
    pub max_streams_per_connection: u32,
    /// Calls handled at once per connection, more being shed; `None`: no limit.
    pub max_in_flight_per_connection: Option<usize>,
    /// Connections older than this are asked to go away (GOAWAY), so clients
    /// reconnect and load balancers can rebalance; `None`: no limit.
    pub max_connection_age: Option<Duration>,
    /// After `max_connection_age`, how long its calls get to finish before
    /// the connection is closed.
    pub max_connection_age_grace: Duration,
    /// Require a token for health and reflection too (when auth is on).
    pub protect_health: bool,
    /// Browser origins allowed to call over gRPC-Web (CORS); empty: none.
    pub cors_origins: web::Origins,
    /// Serve the corpus explorer (a browser UI) at `/` on the same port.
    pub ui: bool,
    /// Serve TLS with these PEM files.
    pub tls: Option<TlsFiles>,
    /// Client connections open at once; more are closed as they arrive.
    pub max_connections: usize,
    /// Time a new connection gets to send its preface (and TLS handshake).
    pub handshake_timeout: Duration,
    /// HTTP/2 keepalive: a PING after this much idle time, and the
    /// connection closed when its answer does not come within
    /// `keepalive_timeout` (a peer that vanished without a FIN).
    pub keepalive_interval: Duration,
    /// See `keepalive_interval`.
    pub keepalive_timeout: Duration,
}

/// PEM material for TLS.
#[derive(Clone)]
pub struct TlsFiles {
    /// Certificate chain.
    pub cert: Vec<u8>,
    /// Private key.
    pub key: Vec<u8>,
    /// CA that client certificates must chain to (mutual TLS).
    pub client_ca: Option<Vec<u8>>,
    /// Where the certificate and key were read from, for error messages.
    pub paths: Option<(std::path::PathBuf, std::path::PathBuf)>,
}

/// An error and every cause under it, `: `-separated: tonic's transport
/// errors say only "transport error" at the top.
fn error_chain(error: &dyn std::error::Error) -> String {
    let mut text = error.to_string();
    let mut source = error.source();
    while let Some(cause) = source {
        text.push_str(": ");
        text.push_str(&cause.to_string());
        source = cause.source();
    }
    text
}

impl std::fmt::Debug for TlsFiles {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        // Never print key material.
        f.debug_struct("TlsFiles")
            .field("mutual", &self.client_ca.is_some())
            .finish()
    }
}

/// Default of [`ServerOptions::max_message_bytes`] (`--max-message-bytes`).
pub const DEFAULT_MAX_MESSAGE_BYTES: usize = 16 * 1024 * 1024;
/// Default of [`ServerOptions::drain_timeout`] (`--drain-timeout-secs`).
pub const DEFAULT_DRAIN_TIMEOUT: Duration = Duration::from_secs(10);
/// Default of [`ServerOptions::max_streams_per_connection`].
pub const DEFAULT_MAX_STREAMS_PER_CONNECTION: u32 = 256;
/// Default of [`ServerOptions::max_in_flight_per_connection`].
pub const DEFAULT_MAX_IN_FLIGHT_PER_CONNECTION: usize = 256;
/// Default of [`ServerOptions::max_connection_age`]: 30 minutes.
pub const DEFAULT_MAX_CONNECTION_AGE: Duration = Duration::from_secs(30 * 60);
/// Default of [`ServerOptions::max_connection_age_grace`].
pub const DEFAULT_MAX_CONNECTION_AGE_GRACE: Duration = Duration::from_secs(30);
/// Default of [`ServerOptions::handshake_timeout`].
pub const DEFAULT_HANDSHAKE_TIMEOUT: Duration = Duration::from_secs(10);

impl Default for ServerOptions {
    fn default() -> Self {
        ServerOptions {
            service: ServiceOptions::default(),
            max_message_bytes: DEFAULT_MAX_MESSAGE_BYTES,
            drain_timeout: DEFAULT_DRAIN_TIMEOUT,
            max_streams_per_connection: DEFAULT_MAX_STREAMS_PER_CONNECTION,
            max_in_flight_per_connection: Some(DEFAULT_MAX_IN_FLIGHT_PER_CONNECTION),
            max_connection_age: Some(DEFAULT_MAX_CONNECTION_AGE),
            max_connection_age_grace: DEFAULT_MAX_CONNECTION_AGE_GRACE,
            protect_health: false,
            cors_origins: web::Origins::None,
            ui: true,
            tls: None,
            max_connections: DEFAULT_MAX_CONNECTIONS,
            handshake_timeout: DEFAULT_HANDSHAKE_TIMEOUT,
            keepalive_interval: KEEPALIVE_INTERVAL,
            keepalive_timeout: KEEPALIVE_TIMEOUT,
        }
    }
}

/// HTTP/2 keepalive PING interval (README: "a PING every 30 s").
pub const KEEPALIVE_INTERVAL: Duration = Duration::from_secs(30);
/// Time a PING's answer gets before the connection is closed.
pub const KEEPALIVE_TIMEOUT: Duration = Duration::from_secs(10);

/// Handle for marking the service ready once the corpus is loaded.
#[derive(Clone)]
pub struct Readiness {
    ready: Arc<AtomicBool>,
    health: tonic_health::server::HealthReporter,
}

impl Readiness {
    /// Marks the service SERVING.
    pub async fn set_ready(&self) {
        self.ready.store(true, Ordering::Release);
        self.health
            .set_service_status("", tonic_health::ServingStatus::Serving)
            .await;
        self.health
            .set_service_status(SERVICE_NAME, tonic_health::ServingStatus::Serving)
            .await;
    }

    /// Marks health NOT_SERVING (load balancers route elsewhere) while calls
    /// still reach the store, so that they fail with its own reason, such as
    /// "the database is unreachable", instead of "still loading".
    pub async fn set_degraded(&self) {
        self.health
            .set_service_status("", tonic_health::ServingStatus::NotServing)
            .await;
        self.health
            .set_service_status(SERVICE_NAME, tonic_health::ServingStatus::NotServing)
            .await;
    }

    /// Marks the service NOT_SERVING.
    pub async fn set_not_serving(&self) {
        self.ready.store(false, Ordering::Release);
        self.health
            .set_service_status("", tonic_health::ServingStatus::NotServing)
            .await;
        self.health
            .set_service_status(SERVICE_NAME, tonic_health::ServingStatus::NotServing)
            .await;
    }
}

/// Serves the API on `listener` until `shutdown` is cancelled, then drains
/// open calls for at most `drain_timeout`. Health reports NOT_SERVING until
/// [`Readiness::set_ready`] is called on the handle passed to `on_start`.
pub async fn serve(
    listener: TcpListener,
    corpus: Arc<Corpus>,
    options: ServerOptions,
    shutdown: CancellationToken,
    on_start: impl FnOnce(Readiness),
) -> Result<(), Box<dyn std::error::Error + Send + Sync>> {
    let addr: SocketAddr = listener.local_addr()?;
    let (health, health_service) = tonic_health::server::health_reporter();
    let ready = Arc::new(AtomicBool::new(false));
    let readiness = Readiness {
        ready: ready.clone(),
        health,
    };
    readiness.set_not_serving().await;

    // Each reflection version lists every service, both reflection versions
    // included, so `grpcurl list` shows the same answer whichever it speaks.
    let reflection = || {
        tonic_reflection::server::Builder::configure()
            .include_reflection_service(false)
            .register_encoded_file_descriptor_set(pb::FILE_DESCRIPTOR_SET)
            .register_encoded_file_descriptor_set(tonic_health::pb::FILE_DESCRIPTOR_SET)
            // google.rpc error details, so clients can decode BadRequest.
            .register_encoded_file_descriptor_set(tonic_types::pb::FILE_DESCRIPTOR_SET)
            .register_encoded_file_descriptor_set(tonic_reflection::pb::v1::FILE_DESCRIPTOR_SET)
            .register_encoded_file_descriptor_set(
                tonic_reflection::pb::v1alpha::FILE_DESCRIPTOR_SET,
            )
    };
    let reflection_v1 = reflection().build_v1()?;
    let reflection_v1alpha = reflection().build_v1alpha()?;

    // Health and reflection stay open unless asked otherwise: load balancers
    // and grpcurl users should not need a token to see that it is up.
    let gate_tokens = options
        .service
        .auth
        .clone()
        .filter(|_| options.protect_health);
    let gate = move |request: tonic::Request<()>| match &gate_tokens {
        Some(tokens) => tokens
            .authorize(request.metadata(), auth::Access::Read)
            .map(|_| request)
            .map_err(tonic::Status::from),
        None => Ok(request),
    };
    let health_service = InterceptedService::new(health_service, gate.clone());
    let reflection_v1 = InterceptedService::new(reflection_v1, gate.clone());
    let reflection_v1alpha = InterceptedService::new(reflection_v1alpha, gate);

    let api = CorpusApi::new(corpus, options.service.clone(), ready, shutdown.clone());
    let api = pb::corpus_service_server::CorpusServiceServer::new(api)
        .accept_compressed(CompressionEncoding::Gzip)
        .send_compressed(CompressionEncoding::Gzip)
        .max_decoding_message_size(options.max_message_bytes);

    // On shutdown, tell load balancers first, before the listener closes.
    let on_shutdown = readiness.clone();
    let token = shutdown.clone();
    tokio::spawn(async move {
        token.cancelled().await;
        on_shutdown.set_not_serving().await;
    });

    let mut builder = Server::builder();
    // Calls being handled per connection beyond the limit are shed at once
    // with RESOURCE_EXHAUSTED rather than queued without bound.
    if let Some(limit) = options.max_in_flight_per_connection {
        builder = builder
            .concurrency_limit_per_connection(limit)
            .load_shed(true);
    }
    if let Some(age) = options.max_connection_age {
        builder = builder
            .max_connection_age(age)
            .max_connection_age_grace(options.max_connection_age_grace);
    }
    if let Some(tls) = &options.tls {
        let mut config = ServerTlsConfig::new().identity(Identity::from_pem(&tls.cert, &tls.key));
        if let Some(ca) = &tls.client_ca {
            config = config.client_ca_root(Certificate::from_pem(ca));
        }
        builder = builder.tls_config(config).map_err(|error| {
            let files = match &tls.paths {
                Some((cert, key)) => format!(
                    "the certificate {} and the key {}",
                    cert.display(),
                    key.display()
                ),
                None => "the TLS certificate and key".to_owned(),
            };
            format!(
                "TLS: cannot serve with {files}: {} (is the key the one the certificate was issued for, and are both PEM?)",
                error_chain(&error)
            )
        })?;
    }
    // Only now, with TLS checked, is the server sure to come up.
    tracing::info!(%addr, tls = options.tls.is_some(), auth = options.service.auth.is_some(), "listening");
    on_start(readiness);
    let server = builder
        // gRPC-Web (browsers) on the same port, over HTTP/1.1 or HTTP/2:
        // CORS answers preflights first, then the call is translated to
        // gRPC, so every layer below sees plain gRPC.
        .accept_http1(true)
        .layer(web::cors(&options.cors_origins))
        // The explorer's pages: GET and HEAD requests that are not gRPC
        // (before tonic-web, which refuses any HTTP/1.1 request but its own).
        .layer(explorer::ExplorerLayer::new(options.ui))
        .layer(tonic_web::GrpcWebLayer::new())
        .layer(content_type::GrpcContentTypeLayer)
        .layer(deadline::DeadlineLayer)
        .max_concurrent_streams(options.max_streams_per_connection)
        // Clients that cancel many streams quickly (a legitimate pattern for
        // paging UIs) must not trip h2's reset-flood guard and lose the
        // connection; the open-stream cap still bounds the work.
        .http2_max_pending_accept_reset_streams(Some(4096))
        .http2_max_local_error_reset_streams(Some(4096))
        // Flow-control windows for what clients send. h2 closes a connection
        // (GOAWAY ENHANCE_YOUR_CALM "too_many_data_frames") when the small DATA
        // frames it holds unread cost more framing overhead than half the
        // connection window. A long ingest stream of small items sent while
        // the server is busy fills its stream window with such frames: with
        // hyper's defaults (1 MiB stream and connection windows) 100-byte
        // items tripped the guard after a few hundred. A stream window far
        // below half the connection window keeps one stalled stream (even
        // several) inside the budget, while a flood of tiny frames still trips it.
        .initial_stream_window_size(Some(STREAM_WINDOW))
        .initial_connection_window_size(Some(CONNECTION_WINDOW))
        .http2_keepalive_interval(Some(options.keepalive_interval))
        .http2_keepalive_timeout(Some(options.keepalive_timeout))
        .add_service(health_service)
        .add_service(reflection_v1)
        .add_service(reflection_v1alpha)
        .add_service(api)
        .serve_with_incoming_shutdown(
            // Our own accept loop: connection cap, handshake deadline,
            // back-off on EMFILE, NODELAY (without it small responses wait
            // ~40 ms on Nagle + delayed ACK) and TCP keepalive.
            incoming::incoming(
                listener,
                incoming::AcceptOptions {
                    max_connections: options.max_connections,
                    handshake_timeout: options.handshake_timeout,
                    tls: options.tls.is_some(),
                },
            ),
            shutdown.clone().cancelled_owned(),
        );
    tokio::pin!(server);
    tokio::select! {
        result = &mut server => result?,
        _ = async {
            shutdown.cancelled().await;
            tokio::time::sleep(options.drain_timeout).await;
        } => {
            tracing::warn!(drain_timeout_s = options.drain_timeout.as_secs_f64(), "drain timeout reached; closing remaining calls");
        }
    }
    tracing::info!("server stopped");
    Ok(())
}
