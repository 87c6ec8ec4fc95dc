//! The client side: one-off calls, the legacy raw mode, the `bench` load
//! generator and the `idle` connection holder.

use std::io;
use std::sync::Arc;
use std::time::{Duration, Instant};

use anyhow::{anyhow, bail, Context as _};
use serde::Serialize;
use serde_json::Value;
use tokio::io::{AsyncBufReadExt, AsyncReadExt, AsyncWriteExt, BufReader};
use tokio::time::timeout;

use crate::addr::Addr;
use crate::net::{self, Conn};
use crate::protocol::{Response, RpcError};

/// How long connecting retries a Unix socket whose accept queue is full.
const CONNECT_PATIENCE: Duration = Duration::from_secs(10);
/// Replies longer than this are refused by the client.
const MAX_REPLY: usize = 64 << 20;

/// One connection speaking JSON-RPC.
pub struct Client {
    io: BufReader<Conn>,
    next_id: u64,
    line: Vec<u8>,
}

impl Client {
    pub async fn connect(addr: &Addr) -> io::Result<Client> {
        let conn = net::connect(addr, CONNECT_PATIENCE).await?;
        Ok(Client {
            io: BufReader::new(conn),
            next_id: 1,
            line: Vec::new(),
        })
    }

    /// Calls `method`; the outer error is transport/protocol failure, the inner
    /// one the server's JSON-RPC error.
    pub async fn call(
        &mut self,
        method: &str,
        params: Option<&Value>,
    ) -> anyhow::Result<Result<Value, RpcError>> {
        let id = self.next_id;
        self.next_id += 1;
        let mut req = serde_json::json!({ "jsonrpc": "2.0", "method": method, "id": id });
        if let Some(p) = params {
            req["params"] = p.clone();
        }
        let mut bytes = serde_json::to_vec(&req)?;
        bytes.push(b'\n');
        self.io.get_mut().write_all(&bytes).await?;
        let resp = self.read_response().await?;
        match (resp.result, resp.error) {
            (_, Some(e)) => Ok(Err(e)),
            (Some(v), None) => Ok(Ok(v)),
            (None, None) => Ok(Ok(Value::Null)),
        }
    }

    /// Reads one response line.
    pub async fn read_response(&mut self) -> anyhow::Result<Response> {
        self.line.clear();
        let n = (&mut self.io)
            .take(MAX_REPLY as u64)
            .read_until(b'\n', &mut self.line)
            .await?;
        if n == 0 {
            bail!("server closed the connection without replying");
        }
        serde_json::from_slice(&self.line).with_context(|| {
            format!(
                "invalid reply from server: {:?}",
                String::from_utf8_lossy(&self.line)
            )
        })
    }
}

/// Parses PARAMS given on the command line: JSON, or empty for none.
pub fn parse_params(s: Option<&str>) -> anyhow::Result<Option<Value>> {
    match s {
        None => Ok(None),
        Some(s) if s.trim().is_empty() => Ok(None),
        Some(s) => {
            let v: Value =
                serde_json::from_str(s).with_context(|| format!("PARAMS is not JSON: {s}"))?;
            if !(v.is_object() || v.is_array()) {
                bail!("PARAMS must be a JSON object or array, got {s}");
            }
            Ok(Some(v))
        }
    }
}

/// Legacy mode: sends `message` as is and returns everything the server sends
/// until it closes the connection.
pub async fn raw(addr: &Addr, message: &[u8], limit: Duration) -> anyhow::Result<Vec<u8>> {
    let work = async {
        let mut conn = net::connect(addr, CONNECT_PATIENCE).await?;
        conn.write_all(message).await?;
        let mut reply = Vec::new();
        conn.read_to_end(&mut reply).await?;
        Ok::<_, io::Error>(reply)
    };
    timeout(limit, work)
        .await
        .map_err(|_| anyhow!("no end of reply within {limit:?}"))?
        .map_err(Into::into)
}

/// Load-generator settings.
#[derive(Debug, Clone)]
pub struct BenchOptions {
    pub connections: usize,
    /// Total requests over all connections.
    pub requests: usize,
    pub method: String,
    pub params: Option<Value>,
}

/// Load-generator results.
#[derive(Debug, Clone, Serialize)]
pub struct BenchReport {
    pub addr: String,
    pub connections: usize,
    pub requests: usize,
    pub errors: usize,
    pub method: String,
    pub elapsed_secs: f64,
    pub requests_per_sec: f64,
    pub p50_us: f64,
    pub p99_us: f64,
    pub max_us: f64,
}

impl std::fmt::Display for BenchReport {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        writeln!(
            f,
            "{} connections, {} requests ({} errors) of {} to {} in {:.3} s",
            self.connections, self.requests, self.errors, self.method, self.addr, self.elapsed_secs
        )?;
        writeln!(f, "requests/s: {:.0}", self.requests_per_sec)?;
        write!(
            f,
            "latency: p50 {:.1} us, p99 {:.1} us, max {:.1} us",
            self.p50_us, self.p99_us, self.max_us
        )
    }
}

/// Opens `connections` connections, then (all starting together) sends
/// `requests` requests in total, each connection waiting for every reply before
/// sending its next request.
pub async fn bench(addr: &Addr, opts: &BenchOptions) -> anyhow::Result<BenchReport> {
    if opts.connections == 0 || opts.requests == 0 {
        bail!("--connections and --requests must be at least 1");
    }
    let mut prefix =
        serde_json::to_vec(&serde_json::json!({"jsonrpc": "2.0", "method": opts.method}))?;
    prefix.pop(); // the closing brace
    if let Some(p) = &opts.params {
        prefix.extend_from_slice(b",\"params\":");
        serde_json::to_writer(&mut prefix, p)?;
    }
    prefix.extend_from_slice(b",\"id\":");
    let prefix = Arc::new(prefix);

    let mut conns = Vec::with_capacity(opts.connections);
    for _ in 0..opts.connections {
        let c = net::connect(addr, CONNECT_PATIENCE)
            .await
            .with_context(|| format!("connecting to {addr}"))?;
        conns.push(c);
    }
    let barrier = Arc::new(tokio::sync::Barrier::new(opts.connections + 1));
    let mut tasks = Vec::with_capacity(opts.connections);
    for (i, conn) in conns.into_iter().enumerate() {
        let n =
            opts.requests / opts.connections + usize::from(i < opts.requests % opts.connections);
        let prefix = prefix.clone();
        let barrier = barrier.clone();
        tasks.push(tokio::spawn(async move {
            barrier.wait().await;
            bench_conn(conn, n, &prefix).await
        }));
    }
    barrier.wait().await;
    let start = Instant::now();
    let mut lat: Vec<u64> = Vec::with_capacity(opts.requests);
    let mut errors = 0;
    for t in tasks {
        let (l, e) = t.await.context("bench task panicked")??;
        lat.extend_from_slice(&l);
        errors += e;
    }
    let elapsed = start.elapsed().as_secs_f64();
    lat.sort_unstable();
    let pct = |p: f64| -> f64 {
        if lat.is_empty() {
            return 0.0;
        }
        let idx = ((p * lat.len() as f64).ceil() as usize).clamp(1, lat.len()) - 1;
        lat[idx] as f64 / 1e3
    };
    Ok(BenchReport {
        addr: addr.to_string(),
        connections: opts.connections,
        requests: lat.len(),
        errors,
        method: opts.method.clone(),
        elapsed_secs: elapsed,
        requests_per_sec: lat.len() as f64 / elapsed,
        p50_us: pct(0.50),
        p99_us: pct(0.99),
        max_us: lat.last().map_or(0.0, |&v| v as f64 / 1e3),
    })
}

async fn bench_conn(conn: Conn, n: usize, prefix: &[u8]) -> anyhow::Result<(Vec<u64>, usize)> {
    let mut io = BufReader::with_capacity(4096, conn);
    let mut lat = Vec::with_capacity(n);
    let mut errors = 0;
    let mut req = Vec::with_capacity(prefix.len() + 24);
    let mut line = Vec::with_capacity(256);
    for id in 1..=n {
        req.clear();
        req.extend_from_slice(prefix);
        req.extend_from_slice(id.to_string().as_bytes());
        req.extend_from_slice(b"}\n");
        let t0 = Instant::now();
        io.get_mut().write_all(&req).await?;
        line.clear();
        let got = io.read_until(b'\n', &mut line).await?;
        lat.push(t0.elapsed().as_nanos() as u64);
        if got == 0 {
            bail!("server closed a connection during the benchmark");
        }
        if !contains(&line, b"\"result\"") {
            errors += 1;
        }
    }
    Ok((lat, errors))
}

fn contains(hay: &[u8], needle: &[u8]) -> bool {
    hay.windows(needle.len()).any(|w| w == needle)
}

/// Opens `connections` idle connections (optionally pinging each once so the
/// server has certainly accepted it) and returns them; dropping closes them.
pub async fn open_idle(addr: &Addr, connections: usize, ping: bool) -> anyhow::Result<Vec<Conn>> {
    let mut conns = Vec::with_capacity(connections);
    let mut line = Vec::new();
    for i in 0..connections {
        let mut c = net::connect(addr, CONNECT_PATIENCE)
            .await
            .with_context(|| format!("connection {} of {connections}", i + 1))?;
        if ping {
            c.write_all(b"{\"jsonrpc\":\"2.0\",\"method\":\"ping\",\"id\":1}\n")
                .await?;
            let mut r = BufReader::new(&mut c);
            line.clear();
            r.read_until(b'\n', &mut line).await?;
            if !contains(&line, b"\"pong\"") {
                bail!(
                    "connection {}: unexpected reply {:?}",
                    i + 1,
                    String::from_utf8_lossy(&line)
                );
            }
        }
        conns.push(c);
    }
    Ok(conns)
}
