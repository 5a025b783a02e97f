//! The server's accept loop: a cap on open connections, a deadline for a new
//! connection to start speaking, and back-off when accepting fails.
//!
//! tonic's own `TcpIncoming` retries a failing `accept` at once, so running
//! out of file descriptors made the server spin on a core and refuse every
//! call without a log line; and a connection that never sends its HTTP/2
//! preface (or stalls in the TLS handshake) stayed open for ever.

use std::future::Future;
use std::io;
use std::pin::Pin;
use std::sync::Arc;
use std::task::{Context, Poll};
use std::time::Duration;

use futures::Stream;
use tokio::io::{AsyncRead, AsyncWrite, ReadBuf};
use tokio::net::{TcpListener, TcpStream};
use tokio::sync::{OwnedSemaphorePermit, Semaphore};
use tokio::time::{Instant, Sleep};
use tonic::transport::server::{Connected, TcpConnectInfo};

/// Default of the `--max-connections` flag.
pub const DEFAULT_MAX_CONNECTIONS: usize = 10_000;

/// Bytes a plaintext client sends before anything else: the HTTP/2 preface.
const PLAINTEXT_PREFACE: u64 = 24;
/// Bytes a TLS client sends before its first request: a ClientHello alone is
/// larger (real ones are 200–600 bytes), then its Finished and the preface.
const TLS_PREFACE: u64 = 128;

/// How the accept loop treats connections.
#[derive(Debug, Clone, Copy)]
pub struct AcceptOptions {
    /// Connections open at once; more are closed as they arrive.
    pub max_connections: usize,
    /// Time a new connection gets to send its preface.
    pub handshake_timeout: Duration,
    /// Whether the connection speaks TLS (its preface is longer).
    pub tls: bool,
}

/// Accepted connections, as tonic's `serve_with_incoming` wants them.
pub fn incoming(
    listener: TcpListener,
    options: AcceptOptions,
) -> impl Stream<Item = io::Result<Connection>> + Send + 'static {
    let slots = Arc::new(Semaphore::new(options.max_connections.max(1)));
    let state = Accept {
        listener,
        slots,
        options,
        backoff: Duration::ZERO,
        last_warning: None,
    };
    futures::stream::unfold(state, |mut state| async move {
        let connection = state.next().await;
        Some((Ok(connection), state))
    })
}

struct Accept {
    listener: TcpListener,
    slots: Arc<Semaphore>,
    options: AcceptOptions,
    backoff: Duration,
    last_warning: Option<Instant>,
}

impl Accept {
    /// Logs at most one warning per second: a flood must not become a log flood.
    fn warn_now(&mut self) -> bool {
        let now = Instant::now();
        if self
            .last_warning
            .is_some_and(|at| now.duration_since(at) < Duration::from_secs(1))
        {
            return false;
        }
        self.last_warning = Some(now);
        true
    }

    async fn next(&mut self) -> Connection {
        loop {
            let (stream, peer) = match self.listener.accept().await {
                Ok(accepted) => {
                    self.backoff = Duration::ZERO;
                    accepted
                }
                Err(error) => {
                    // Out of descriptors or memory: wait for some to be freed
                    // instead of retrying at once (which spins a core).
                    // Per-connection errors (the peer gave up) need no pause.
                    if matches!(
                        error.kind(),
                        io::ErrorKind::ConnectionAborted
                            | io::ErrorKind::ConnectionReset
                            | io::ErrorKind::Interrupted
                    ) {
                        continue;
                    }
                    self.backoff =
                        (self.backoff * 2).clamp(Duration::from_millis(10), Duration::from_secs(1));
                    if self.warn_now() {
                        tracing::warn!(
                            %error,
                            retry_in_ms = self.backoff.as_millis() as u64,
                            "cannot accept connections (out of file descriptors? raise `ulimit -n` above --max-connections)"
                        );
                    }
                    tokio::time::sleep(self.backoff).await;
                    continue;
                }
            };
            let Ok(permit) = self.slots.clone().try_acquire_owned() else {
                if self.warn_now() {
                    tracing::warn!(
                        %peer,
                        max_connections = self.options.max_connections,
                        "connection refused: --max-connections reached"
                    );
                }
                drop(stream);
                continue;
            };
            let _ = stream.set_nodelay(true);
            // Dead peers are found by TCP keepalive too, not only by HTTP/2 pings.
            let keepalive = socket2::TcpKeepalive::new().with_time(Duration::from_secs(60));
            let _ = socket2::SockRef::from(&stream).set_tcp_keepalive(&keepalive);
            let preface = if self.options.tls {
                TLS_PREFACE
            } else {
                PLAINTEXT_PREFACE
            };
            return Connection {
                stream,
                _slot: permit,
                preface_left: preface,
                deadline: Some(Box::pin(tokio::time::sleep(self.options.handshake_timeout))),
            };
        }
    }
}

/// An accepted connection: holds one of the `--max-connections` slots until
/// it closes, and fails its reads if the peer has not sent its preface by the
/// handshake deadline.
pub struct Connection {
    stream: TcpStream,
    _slot: OwnedSemaphorePermit,
    preface_left: u64,
    deadline: Option<Pin<Box<Sleep>>>,
}

impl Connected for Connection {
    type ConnectInfo = TcpConnectInfo;

    fn connect_info(&self) -> Self::ConnectInfo {
        self.stream.connect_info()
    }
}

impl AsyncRead for Connection {
    fn poll_read(
        mut self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        buf: &mut ReadBuf<'_>,
    ) -> Poll<io::Result<()>> {
        let this = &mut *self;
        if let Some(deadline) = this.deadline.as_mut() {
            if deadline.as_mut().poll(cx).is_ready() {
                this.deadline = None;
                tracing::debug!(
                    "connection closed: no protocol preface before the handshake timeout"
                );
                return Poll::Ready(Err(io::Error::new(
                    io::ErrorKind::TimedOut,
                    "no protocol preface before the handshake timeout",
                )));
            }
        }
        let before = buf.filled().len();
        let result = Pin::new(&mut this.stream).poll_read(cx, buf);
        if this.deadline.is_some() {
            let read = (buf.filled().len() - before) as u64;
            this.preface_left = this.preface_left.saturating_sub(read);
            if this.preface_left == 0 {
                this.deadline = None;
            }
        }
        result
    }
}

impl AsyncWrite for Connection {
    fn poll_write(
        mut self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        buf: &[u8],
    ) -> Poll<io::Result<usize>> {
        Pin::new(&mut self.stream).poll_write(cx, buf)
    }

    fn poll_write_vectored(
        mut self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        bufs: &[io::IoSlice<'_>],
    ) -> Poll<io::Result<usize>> {
        Pin::new(&mut self.stream).poll_write_vectored(cx, bufs)
    }

    fn is_write_vectored(&self) -> bool {
        self.stream.is_write_vectored()
    }

    fn poll_flush(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        Pin::new(&mut self.stream).poll_flush(cx)
    }

    fn poll_shutdown(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        Pin::new(&mut self.stream).poll_shutdown(cx)
    }
}
