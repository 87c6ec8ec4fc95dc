//! The server: accept loop, per-connection sessions, limits and graceful shutdown.
//!
//! Each connection is one task that reads into a bounded buffer, answers every
//! complete line, and writes replies under a deadline. What the seeds got wrong
//! and how it is handled here:
//!
//! * the connection is always closed when the exchange ends (seed 000): legacy
//!   one-shot messages are answered with `OK+ at <RFC 3339>\n` and then the write
//!   side is shut down so a client reading until EOF finishes;
//! * bytes that arrived before an EOF or error are processed first (seed 001);
//! * a peer that disconnects, resets, or never reads only ends its own task, and
//!   every file descriptor is released when the task ends (seed 004);
//! * writes carry a deadline and `write_all` handles partial writes (seed 003).

use std::future::Future;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::Arc;
use std::time::{Duration, Instant, SystemTime};

use serde_json::{json, Value};
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::sync::{mpsc, watch, OwnedSemaphorePermit, Semaphore};
use tokio::time::timeout;
use tracing::{debug, error, info, warn};

use crate::addr::Addr;
use crate::net::{BindOptions, Conn, Listener};
use crate::peer::{self, PeerCred};
use crate::protocol::{self, code, Env, RpcError};

/// The crate version.
pub const VERSION: &str = env!("CARGO_PKG_VERSION");
/// The target triple this binary was built for.
pub const TARGET: &str = env!("IPC_TARGET");

/// Server settings (see `ipc-server --help`).
#[derive(Debug, Clone)]
pub struct Config {
    pub listen: Addr,
    /// Permission bits of the socket file.
    pub mode: u32,
    pub backlog: i32,
    /// If set, only peers with one of these uids are served.
    pub allow_uids: Option<Vec<u32>>,
    /// Longest accepted frame (request line or legacy message), in bytes.
    pub max_frame: usize,
    pub idle_timeout: Duration,
    pub write_timeout: Duration,
    /// A legacy message also ends after this long without new bytes.
    pub legacy_gap: Duration,
    pub max_connections: usize,
    /// How long shutdown waits for in-flight requests.
    pub shutdown_timeout: Duration,
    /// How long a closing connection keeps draining the peer's input so the
    /// final reply is not lost to a reset.
    pub linger: Duration,
}

impl Config {
    /// Defaults for everything but the address.
    pub fn new(listen: Addr) -> Config {
        Config {
            listen,
            mode: 0o600,
            backlog: 1024,
            allow_uids: None,
            max_frame: 1 << 20,
            idle_timeout: Duration::from_secs(60),
            write_timeout: Duration::from_secs(10),
            legacy_gap: Duration::from_millis(100),
            max_connections: 1024,
            shutdown_timeout: Duration::from_secs(10),
            linger: Duration::from_secs(1),
        }
    }
}

struct Shared {
    config: Config,
    local: String,
    started: Instant,
    permits: Arc<Semaphore>,
}

impl Shared {
    fn open_connections(&self) -> usize {
        self.config.max_connections - self.permits.available_permits()
    }
}

/// Binds, serves until `shutdown` completes, then drains and cleans up.
///
/// `on_ready` is called with the actual listen address once the socket accepts
/// connections.
pub async fn run(
    config: Config,
    shutdown: impl Future<Output = ()>,
    on_ready: impl FnOnce(&str),
) -> anyhow::Result<()> {
    let mut listener = Listener::bind(
        &config.listen,
        BindOptions {
            mode: config.mode,
            backlog: config.backlog,
        },
    )
    .await?;
    let shared = Arc::new(Shared {
        local: listener.local.clone(),
        started: Instant::now(),
        permits: Arc::new(Semaphore::new(config.max_connections)),
        config,
    });
    info!(
        addr = %shared.local,
        pid = std::process::id(),
        version = VERSION,
        target = TARGET,
        max_connections = shared.config.max_connections,
        "listening"
    );
    on_ready(&shared.local);

    let (stop_tx, stop_rx) = watch::channel(false);
    let (done_tx, mut done_rx) = mpsc::channel::<()>(1);
    let next_id = AtomicU64::new(1);
    tokio::pin!(shutdown);
    loop {
        let accepted = tokio::select! {
            _ = &mut shutdown => break,
            r = listener.accept() => r,
        };
        match accepted {
            Ok(conn) => {
                let id = next_id.fetch_add(1, Ordering::Relaxed);
                spawn_connection(conn, id, &shared, &stop_rx, &done_tx);
            }
            Err(e) => {
                // Out of descriptors or memory: back off instead of spinning.
                error!(error = %e, "accept failed");
                tokio::time::sleep(Duration::from_millis(50)).await;
            }
        }
    }

    shut_down(&mut listener, &shared, &stop_tx, done_tx, &mut done_rx).await;
    Ok(())
}

/// Starts a session task for `conn`, or answers it busy if the connection limit is reached.
fn spawn_connection(
    conn: Conn,
    id: u64,
    shared: &Arc<Shared>,
    stop_rx: &watch::Receiver<bool>,
    done_tx: &mpsc::Sender<()>,
) {
    match shared.permits.clone().try_acquire_owned() {
        Ok(permit) => {
            let task = Session::new(conn, id, shared.clone(), stop_rx.clone());
            let done = done_tx.clone();
            tokio::spawn(async move {
                task.run(permit).await;
                drop(done);
            });
        }
        Err(_) => spawn_busy_reply(conn, id, shared, done_tx),
    }
}

/// Logs the refusal, then answers `conn` with a BUSY error and closes it in its own task.
fn spawn_busy_reply(conn: Conn, id: u64, shared: &Arc<Shared>, done_tx: &mpsc::Sender<()>) {
    warn!(
        conn = id,
        max_connections = shared.config.max_connections,
        "connection limit reached; answering busy"
    );
    let err = RpcError::new(
        code::BUSY,
        format!(
            "server busy: connection limit of {} reached, try again later",
            shared.config.max_connections
        ),
    );
    let done = done_tx.clone();
    let sh = shared.clone();
    tokio::spawn(async move {
        let mut conn = conn;
        reply_and_close(&mut conn, &protocol::error_line(&err), &sh.config).await;
        drop(done);
    });
}

/// Closes the listener, tells sessions to stop, and waits up to the shutdown timeout for them.
async fn shut_down(
    listener: &mut Listener,
    shared: &Shared,
    stop_tx: &watch::Sender<bool>,
    done_tx: mpsc::Sender<()>,
    done_rx: &mut mpsc::Receiver<()>,
) {
    let removed = listener.close();
    info!(
        open_connections = shared.open_connections(),
        socket_removed = removed,
        "shutting down: no longer accepting"
    );
    let _ = stop_tx.send(true);
    drop(done_tx);
    match timeout(shared.config.shutdown_timeout, done_rx.recv()).await {
        Ok(_) => info!("all connections finished; exiting"),
        Err(_) => warn!(
            open_connections = shared.open_connections(),
            "shutdown timeout: abandoning remaining connections"
        ),
    }
}

/// Writes `line` (bounded by the write deadline) and closes gracefully.
async fn reply_and_close(conn: &mut Conn, line: &[u8], config: &Config) {
    let deadline = config.write_timeout.min(Duration::from_secs(1));
    if let Ok(Ok(())) = timeout(deadline, conn.write_all(line)).await {
        close_gracefully(conn, config).await;
    }
}

/// Shuts down the write side (the peer sees EOF after our last reply), then
/// discards input for a bounded time and amount so that closing with unread
/// data does not turn into a reset that destroys the reply in flight.
async fn close_gracefully(conn: &mut Conn, config: &Config) {
    if timeout(config.write_timeout, conn.shutdown())
        .await
        .is_err()
    {
        return;
    }
    let mut scratch = [0u8; 1024];
    let mut budget: usize = 4 << 20;
    let end = tokio::time::Instant::now() + config.linger;
    while budget > 0 {
        match tokio::time::timeout_at(end, conn.read(&mut scratch)).await {
            Ok(Ok(n)) if n > 0 => budget = budget.saturating_sub(n),
            _ => break,
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Mode {
    Undecided,
    Json,
    Legacy,
}

/// How a session ended (for the log).
#[derive(Debug)]
enum End {
    PeerClosed,
    Legacy,
    Shutdown,
    IdleTimeout,
    FrameTooLarge,
    WriteTimeout,
    Io(std::io::Error),
}

struct Session {
    conn: Conn,
    id: u64,
    shared: Arc<Shared>,
    stop: watch::Receiver<bool>,
    peer: Option<PeerCred>,
    /// `None` until looked up; then the name (or why it is unknown).
    user: Option<Result<Option<String>, String>>,
    buf: Vec<u8>,
    out: Vec<u8>,
    mode: Mode,
}

const READ_CHUNK: usize = 8192;

impl Session {
    fn new(conn: Conn, id: u64, shared: Arc<Shared>, stop: watch::Receiver<bool>) -> Session {
        let peer = conn.peer_cred();
        Session {
            conn,
            id,
            shared,
            stop,
            peer,
            user: None,
            buf: Vec::new(),
            out: Vec::new(),
            mode: Mode::Undecided,
        }
    }

    async fn run(mut self, _permit: OwnedSemaphorePermit) {
        debug!(
            conn = self.id,
            peer = %self.conn.peer_desc(),
            uid = self.peer.map(|p| p.uid),
            pid = self.peer.and_then(|p| p.pid),
            "connection opened"
        );
        if let Some(allowed) = &self.shared.config.allow_uids {
            let uid = self.peer.map(|p| p.uid);
            if !uid.is_some_and(|u| allowed.contains(&u)) {
                warn!(conn = self.id, uid, "access denied");
                let msg = match uid {
                    Some(u) => format!("access denied: uid {u} is not allowed"),
                    None => "access denied: peer credentials are unavailable on this transport"
                        .to_owned(),
                };
                let line = protocol::error_line(&RpcError::new(code::ACCESS_DENIED, msg));
                reply_and_close(&mut self.conn, &line, &self.shared.config).await;
                return;
            }
        }
        let end = self.serve().await;
        match &end {
            End::Io(e) => debug!(conn = self.id, error = %e, "connection ended by I/O error"),
            End::WriteTimeout => warn!(
                conn = self.id,
                "write deadline exceeded (peer not reading); connection dropped"
            ),
            End::FrameTooLarge => warn!(
                conn = self.id,
                max_frame = self.shared.config.max_frame,
                "frame too large; connection closed"
            ),
            other => debug!(conn = self.id, end = ?other, "connection closed"),
        }
    }

    async fn serve(&mut self) -> End {
        let cfg = self.shared.config.clone();
        let mut scanned = 0usize;
        loop {
            self.detect_mode();
            if self.mode == Mode::Legacy {
                if let Some(pos) = memchr(b'\n', &self.buf) {
                    self.buf.truncate(pos);
                    return self.legacy_reply().await;
                }
            } else if let Err(end) = self.answer_lines(&mut scanned).await {
                return end;
            }
            if self.buf.len() > cfg.max_frame {
                return self.reject_oversized(&cfg).await;
            }
            let idle = self.buf.iter().all(u8::is_ascii_whitespace);
            if idle {
                // Hold no buffer while waiting for a request.
                self.buf = Vec::new();
                scanned = 0;
                if *self.stop.borrow() {
                    close_gracefully(&mut self.conn, &cfg).await;
                    return End::Shutdown;
                }
            }
            let wait = if self.mode == Mode::Legacy {
                cfg.legacy_gap
            } else {
                cfg.idle_timeout
            };
            let (conn, buf) = (&mut self.conn, &mut self.buf);
            let read = tokio::select! {
                biased;
                r = self.stop.changed(), if idle => {
                    if r.is_err() {
                        return End::Shutdown;
                    }
                    continue;
                }
                r = timeout(wait, read_some(conn, buf)) => r,
            };
            match read {
                Err(_) if self.mode == Mode::Legacy => return self.legacy_reply().await,
                Err(_) => return self.idle_timeout(&cfg).await,
                Ok(Ok(0)) => return self.on_eof().await,
                Ok(Ok(_)) => {}
                // Everything read before the error has been handled already.
                Ok(Err(e)) => return End::Io(e),
            }
        }
    }

    /// Decides JSON or legacy from the first non-whitespace byte, once one has arrived.
    fn detect_mode(&mut self) {
        if self.mode == Mode::Undecided {
            if let Some(&b) = self.buf.iter().find(|b| !b.is_ascii_whitespace()) {
                self.mode = if b == b'{' || b == b'[' {
                    Mode::Json
                } else {
                    Mode::Legacy
                };
            }
        }
    }

    /// Answers every complete line in the buffer past `scanned`, drops them, then writes once.
    async fn answer_lines(&mut self, scanned: &mut usize) -> Result<(), End> {
        let mut start = 0;
        while let Some(off) = memchr(b'\n', &self.buf[*scanned..]) {
            let end = *scanned + off;
            self.handle_frame(start, end).await;
            start = end + 1;
            *scanned = start;
        }
        if start > 0 {
            self.buf.drain(..start);
        }
        *scanned = self.buf.len();
        self.flush().await
    }

    /// Answers a frame over the size limit with an error and closes the connection.
    async fn reject_oversized(&mut self, cfg: &Config) -> End {
        let err = RpcError::new(
            code::FRAME_TOO_LARGE,
            format!(
                "request too large: frames are limited to {} bytes",
                cfg.max_frame
            ),
        );
        self.buf = Vec::new();
        reply_and_close(&mut self.conn, &protocol::error_line(&err), cfg).await;
        End::FrameTooLarge
    }

    /// Sends a best-effort idle-timeout notice and closes the connection.
    async fn idle_timeout(&mut self, cfg: &Config) -> End {
        let err = RpcError::new(
            code::IDLE_TIMEOUT,
            format!("idle timeout: no request for {:?}", cfg.idle_timeout),
        );
        let _ = self.conn.try_write(&protocol::error_line(&err));
        close_gracefully(&mut self.conn, cfg).await;
        End::IdleTimeout
    }

    /// The peer finished sending: whatever it sent last still gets an answer.
    async fn on_eof(&mut self) -> End {
        if self.buf.iter().all(u8::is_ascii_whitespace) {
            close_gracefully(&mut self.conn, &self.shared.config).await;
            return End::PeerClosed;
        }
        if self.mode == Mode::Legacy {
            return self.legacy_reply().await;
        }
        let len = self.buf.len();
        self.handle_frame(0, len).await;
        self.buf.clear();
        if let Err(end) = self.flush().await {
            return end;
        }
        close_gracefully(&mut self.conn, &self.shared.config).await;
        End::PeerClosed
    }

    async fn legacy_reply(&mut self) -> End {
        let msg = String::from_utf8_lossy(&self.buf);
        let shown: String = msg.trim_end().chars().take(200).collect();
        info!(conn = self.id, bytes = self.buf.len(), message = ?shown, "legacy message");
        let line = format!("OK+ at {}\n", protocol::rfc3339(SystemTime::now()));
        self.buf = Vec::new();
        match timeout(
            self.shared.config.write_timeout,
            self.conn.write_all(line.as_bytes()),
        )
        .await
        {
            Ok(Ok(())) => {
                close_gracefully(&mut self.conn, &self.shared.config).await;
                End::Legacy
            }
            Ok(Err(e)) => End::Io(e),
            Err(_) => End::WriteTimeout,
        }
    }

    async fn handle_frame(&mut self, start: usize, end: usize) {
        let frame = &self.buf[start..end];
        if self.user.is_none() && protocol::mentions_whoami(frame) {
            if let Some(p) = self.peer {
                let uid = p.uid;
                let looked_up = tokio::task::spawn_blocking(move || peer::user_name(uid))
                    .await
                    .map_err(|e| e.to_string())
                    .and_then(|r| r.map_err(|e| e.to_string()));
                if let Err(e) = &looked_up {
                    warn!(conn = self.id, uid, error = %e, "user lookup failed");
                }
                self.user = Some(looked_up);
            }
        }
        let env = ConnEnv {
            shared: &self.shared,
            peer: self.peer,
            user: self.user.as_ref(),
        };
        protocol::handle_frame(&self.buf[start..end], &env, &mut self.out);
    }

    /// Writes pending replies under the write deadline.
    async fn flush(&mut self) -> Result<(), End> {
        if self.out.is_empty() {
            return Ok(());
        }
        let r = timeout(
            self.shared.config.write_timeout,
            self.conn.write_all(&self.out),
        )
        .await;
        self.out.clear();
        if self.out.capacity() > 4096 {
            self.out = Vec::new();
        }
        match r {
            Ok(Ok(())) => Ok(()),
            Ok(Err(e)) => Err(End::Io(e)),
            Err(_) => Err(End::WriteTimeout),
        }
    }
}

struct ConnEnv<'a> {
    shared: &'a Shared,
    peer: Option<PeerCred>,
    user: Option<&'a Result<Option<String>, String>>,
}

impl Env for ConnEnv<'_> {
    fn server_info(&self) -> Value {
        json!({
            "name": "ipc-server",
            "version": VERSION,
            "target": TARGET,
            "pid": std::process::id(),
            "uptime_secs": self.shared.started.elapsed().as_secs_f64(),
            "connections": self.shared.open_connections(),
            "max_connections": self.shared.config.max_connections,
            "listen": self.shared.local,
        })
    }

    fn whoami(&self) -> Result<Value, RpcError> {
        let p = self.peer.ok_or_else(|| {
            RpcError::new(
                code::NO_CREDENTIALS,
                "peer credentials are not available on this transport",
            )
        })?;
        let user = match self.user {
            Some(Ok(name)) => name.clone(),
            _ => None,
        };
        Ok(json!({ "uid": p.uid, "gid": p.gid, "pid": p.pid, "user": user }))
    }
}

/// Reads what is available into `buf`, waiting without holding buffer space:
/// the buffer grows only once the socket reports data (readiness can be a false
/// positive, in which case we wait again).
async fn read_some(conn: &mut Conn, buf: &mut Vec<u8>) -> std::io::Result<usize> {
    use std::pin::Pin;
    use std::task::Poll;
    use tokio::io::{AsyncRead, ReadBuf};
    loop {
        conn.readable().await?;
        let r = std::future::poll_fn(|cx| {
            buf.reserve(READ_CHUNK);
            let len = buf.len();
            let mut rb = ReadBuf::uninit(buf.spare_capacity_mut());
            match Pin::new(&mut *conn).poll_read(cx, &mut rb) {
                Poll::Pending => Poll::Ready(None),
                Poll::Ready(Ok(())) => {
                    let n = rb.filled().len();
                    // SAFETY: ReadBuf guarantees its first `n` bytes, which are
                    // the first `n` spare bytes of `buf`, are initialized.
                    unsafe { buf.set_len(len + n) };
                    Poll::Ready(Some(Ok(n)))
                }
                Poll::Ready(Err(e)) => Poll::Ready(Some(Err(e))),
            }
        })
        .await;
        match r {
            Some(r) => return r,
            None if buf.is_empty() => *buf = Vec::new(),
            None => {}
        }
    }
}

fn memchr(needle: u8, hay: &[u8]) -> Option<usize> {
    hay.iter().position(|&b| b == needle)
}
