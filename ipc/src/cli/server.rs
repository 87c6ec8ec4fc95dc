//! The `ipc-server` command line: the JSON-RPC server (ipc/README.md).

use std::process::ExitCode;
use std::time::Duration;

use crate::addr::{default_addr, Addr};
use crate::server::{self, Config};
use crate::{parse_duration, parse_size, LogFormat};
use anyhow::{bail, Context as _};
use clap::Parser;

const LONG_VERSION: &str = concat!(env!("CARGO_PKG_VERSION"), " (", env!("IPC_TARGET"), ")");

/// Newline-delimited JSON-RPC 2.0 server over Unix sockets or TCP.
///
/// Methods: ping, echo, time, arith.multiply {a,b}, arith.divide {a,b},
/// server.info, whoami. A first message that does not start with `{` or `[` is a
/// legacy one-shot message: it is answered with `OK+ at <RFC 3339 time>` and the
/// connection is closed.
#[derive(Debug, Parser)]
#[command(name = "ipc-server", version = LONG_VERSION)]
struct Cli {
    /// Address to listen on: unix:PATH, unix:@NAME (Linux abstract), tcp:HOST:PORT or
    /// pipe:NAME (a Windows named pipe, \\.\pipe\NAME).
    /// Default: $IPC_ADDR, else unix:$XDG_RUNTIME_DIR/ipc-server.sock, else unix:/tmp/ipc-server.sock.
    #[arg(long, short = 'l', value_name = "ADDR")]
    listen: Option<String>,

    /// Permission bits of the socket file, in octal.
    #[arg(long, default_value = "600", value_parser = parse_mode)]
    mode: u32,

    /// Serve only peers with this uid (repeatable; Unix sockets only).
    #[arg(long = "allow-uid", value_name = "UID")]
    allow_uid: Vec<u32>,

    /// Serve only peers running as this user, looked up in the system user
    /// database at startup (repeatable; Unix sockets only).
    #[arg(long = "allow-user", value_name = "NAME")]
    allow_user: Vec<String>,

    /// Longest request line or legacy message, e.g. 1MiB.
    #[arg(long, default_value = "1MiB", value_parser = parse_size, value_name = "SIZE")]
    max_frame: usize,

    /// Close connections that send nothing for this long.
    #[arg(long, default_value = "60s", value_parser = parse_duration, value_name = "DURATION")]
    idle_timeout: Duration,

    /// Drop connections whose reply cannot be written within this long.
    #[arg(long, default_value = "10s", value_parser = parse_duration, value_name = "DURATION")]
    write_timeout: Duration,

    /// A legacy message without newline ends after this long without new bytes.
    #[arg(long, default_value = "100ms", value_parser = parse_duration, value_name = "DURATION")]
    legacy_gap: Duration,

    /// Maximum simultaneous connections; more get a "busy" error and are closed.
    #[arg(long, default_value_t = 1024)]
    max_connections: usize,

    /// On SIGINT/SIGTERM, wait at most this long for in-flight requests.
    #[arg(long, default_value = "10s", value_parser = parse_duration, value_name = "DURATION")]
    shutdown_timeout: Duration,

    /// Listen backlog.
    #[arg(long, default_value_t = 1024)]
    backlog: i32,

    /// Worker threads (0: one per CPU; 1: single-threaded runtime).
    #[arg(long, default_value_t = 0)]
    threads: usize,

    /// Log format on stderr.
    #[arg(long, value_enum, default_value = "text")]
    log_format: LogFormat,

    /// Log level: error, warn, info, debug or trace.
    #[arg(long, default_value = "info")]
    log_level: tracing::Level,
}

fn parse_mode(s: &str) -> Result<u32, String> {
    let digits = s.trim_start_matches("0o");
    let m = u32::from_str_radix(digits, 8).map_err(|_| format!("invalid octal mode {s:?}"))?;
    if m > 0o777 {
        return Err(format!("mode {s} has bits beyond 0777"));
    }
    Ok(m)
}

/// The `ipc-server` command: parse the command line, run, give the exit code.
pub fn main() -> ExitCode {
    let cli = Cli::parse();
    crate::init_logging(cli.log_format, cli.log_level);
    let json = cli.log_format == LogFormat::Json;
    match real_main(cli) {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            if json {
                tracing::error!(error = %format!("{e:#}"), "fatal");
            } else {
                eprintln!("ipc-server: error: {e:#}");
            }
            ExitCode::from(1)
        }
    }
}

fn real_main(cli: Cli) -> anyhow::Result<()> {
    let listen: Addr = cli
        .listen
        .unwrap_or_else(default_addr)
        .parse()
        .context("--listen")?;
    let mut config = Config::new(listen);
    config.mode = cli.mode;
    config.backlog = cli.backlog;
    config.max_frame = cli.max_frame;
    config.idle_timeout = cli.idle_timeout;
    config.write_timeout = cli.write_timeout;
    config.legacy_gap = cli.legacy_gap;
    config.shutdown_timeout = cli.shutdown_timeout;
    if cli.max_connections == 0 {
        bail!("--max-connections must be at least 1");
    }
    config.max_connections = cli.max_connections;
    if !cli.allow_uid.is_empty() || !cli.allow_user.is_empty() {
        let mut uids = cli.allow_uid.clone();
        for name in &cli.allow_user {
            match crate::peer::user_uid(name) {
                Ok(Some(uid)) => uids.push(uid),
                Ok(None) => bail!("--allow-user {name}: no such user in the user database"),
                Err(e) => bail!("--allow-user {name}: user lookup failed: {e}"),
            }
        }
        config.allow_uids = Some(uids);
    }
    if let Some(n) = crate::raise_fd_limit() {
        tracing::debug!(limit = n, "open files limit");
    }

    let threads = match cli.threads {
        0 => std::thread::available_parallelism().map_or(1, |n| n.get()),
        n => n,
    };
    let rt = if threads == 1 {
        tokio::runtime::Builder::new_current_thread()
            .enable_all()
            .build()?
    } else {
        tokio::runtime::Builder::new_multi_thread()
            .worker_threads(threads)
            .enable_all()
            .build()?
    };
    rt.block_on(async {
        // Install the handlers before the socket exists, so a signal that
        // arrives right after startup still shuts down cleanly.
        let stop = shutdown_signal()?;
        server::run(config, stop, |_| {}).await
    })?;
    // Do not wait for abandoned connections' tasks.
    rt.shutdown_timeout(Duration::from_millis(100));
    Ok(())
}

#[cfg(unix)]
fn shutdown_signal() -> anyhow::Result<impl std::future::Future<Output = ()>> {
    use tokio::signal::unix::{signal, SignalKind};
    let mut term = signal(SignalKind::terminate()).context("installing SIGTERM handler")?;
    let mut int = signal(SignalKind::interrupt()).context("installing SIGINT handler")?;
    Ok(async move {
        let name = tokio::select! {
            _ = term.recv() => "SIGTERM",
            _ = int.recv() => "SIGINT",
        };
        tracing::info!(signal = name, "shutdown requested");
    })
}

#[cfg(not(unix))]
fn shutdown_signal() -> anyhow::Result<impl std::future::Future<Output = ()>> {
    Ok(async {
        let _ = tokio::signal::ctrl_c().await;
        tracing::info!(signal = "ctrl-c", "shutdown requested");
    })
}
