//! The `ipc-client` command line: calls the server, speaks the legacy mode, and generates load.

use std::io::Write as _;
use std::process::ExitCode;
use std::time::Duration;

use crate::addr::{default_addr, Addr};
use crate::client::{self, BenchOptions, Client};
use crate::parse_duration;
use anyhow::Context as _;
use clap::{Parser, Subcommand};

const LONG_VERSION: &str = concat!(env!("CARGO_PKG_VERSION"), " (", env!("IPC_TARGET"), ")");

/// Client for ipc-server: `ipc-client [--connect ADDR] METHOD [PARAMS]` prints the
/// result as JSON (errors go to stderr, exit status 1).
#[derive(Debug, Parser)]
#[command(
    name = "ipc-client",
    version = LONG_VERSION,
    override_usage = "ipc-client [--connect ADDR] METHOD [PARAMS]\n       \
                      ipc-client [--connect ADDR] --raw MESSAGE\n       \
                      ipc-client [--connect ADDR] bench --connections N --requests M\n       \
                      ipc-client [--connect ADDR] idle --connections N --hold DURATION",
    subcommand_negates_reqs = true
)]
struct Cli {
    /// Server address: unix:PATH, unix:@NAME, tcp:HOST:PORT or pipe:NAME (Windows) (default as for ipc-server).
    #[arg(long, short = 'c', global = true, value_name = "ADDR")]
    connect: Option<String>,

    /// Give up on a METHOD call or --raw exchange after this long.
    #[arg(long, default_value = "10s", value_parser = parse_duration, value_name = "DURATION")]
    timeout: Duration,

    /// Legacy mode: send MESSAGE as is (no newline added) and print every line
    /// the server sends until it closes the connection.
    #[arg(long, value_name = "MESSAGE", conflicts_with_all = ["method", "params"])]
    raw: Option<String>,

    /// Method to call, e.g. ping, arith.divide.
    #[arg(required_unless_present = "raw")]
    method: Option<String>,

    /// Parameters as a JSON object or array, e.g. '{"a":17,"b":8}'.
    params: Option<String>,

    #[command(subcommand)]
    command: Option<Command>,
}

#[derive(Debug, Subcommand)]
enum Command {
    /// Load generator: N connections send M requests in total, each waiting for
    /// its reply; prints requests/s and latency percentiles.
    Bench {
        /// Concurrent connections.
        #[arg(long, short = 'n', default_value_t = 16)]
        connections: usize,
        /// Total requests.
        #[arg(long, short = 'r', default_value_t = 100_000)]
        requests: usize,
        /// Method to call.
        #[arg(long, default_value = "arith.divide")]
        method: String,
        /// Its parameters (JSON; empty for none).
        #[arg(long, default_value = r#"{"a":17,"b":8}"#)]
        params: String,
        /// Print the report as JSON.
        #[arg(long)]
        json: bool,
        /// Client worker threads (0: one per CPU; 1: single-threaded runtime).
        #[arg(long, default_value_t = 1)]
        threads: usize,
    },
    /// Open N connections, ping each once, keep them open for a while, close them.
    Idle {
        #[arg(long, short = 'n', default_value_t = 1000)]
        connections: usize,
        /// How long to keep them open.
        #[arg(long, default_value = "10s", value_parser = parse_duration)]
        hold: Duration,
        /// Do not ping (only connect).
        #[arg(long)]
        no_ping: bool,
    },
}

/// The `ipc-client` command: parse the command line, run, give the exit code.
pub fn main() -> ExitCode {
    let cli = Cli::parse();
    match real_main(cli) {
        Ok(code) => code,
        Err(e) => {
            eprintln!("ipc-client: error: {e:#}");
            ExitCode::from(1)
        }
    }
}

fn real_main(cli: Cli) -> anyhow::Result<ExitCode> {
    let addr: Addr = cli
        .connect
        .clone()
        .unwrap_or_else(default_addr)
        .parse()
        .context("--connect")?;
    let threads = match cli.command {
        Some(Command::Bench { threads, .. }) => threads,
        _ => 1,
    };
    if cli.command.is_some() {
        crate::raise_fd_limit();
    }
    let threads = match threads {
        0 => std::thread::available_parallelism().map_or(1, |n| n.get()),
        n => n,
    };
    let rt = if threads > 1 {
        tokio::runtime::Builder::new_multi_thread()
            .worker_threads(threads)
            .enable_all()
            .build()?
    } else {
        tokio::runtime::Builder::new_current_thread()
            .enable_all()
            .build()?
    };
    rt.block_on(run(cli, addr))
}

async fn run(cli: Cli, addr: Addr) -> anyhow::Result<ExitCode> {
    let limit = cli.timeout;
    match cli.command {
        Some(Command::Bench {
            connections,
            requests,
            method,
            params,
            json,
            threads: _,
        }) => {
            let opts = BenchOptions {
                connections,
                requests,
                method,
                params: client::parse_params(Some(&params))?,
            };
            let report = client::bench(&addr, &opts).await?;
            if json {
                println!("{}", serde_json::to_string(&report)?);
            } else {
                println!("{report}");
            }
            return Ok(if report.errors > 0 {
                ExitCode::from(1)
            } else {
                ExitCode::SUCCESS
            });
        }
        Some(Command::Idle {
            connections,
            hold,
            no_ping,
        }) => {
            let conns = client::open_idle(&addr, connections, !no_ping).await?;
            println!("holding {} connections for {hold:?}", conns.len());
            std::io::stdout().flush()?;
            tokio::time::sleep(hold).await;
            drop(conns);
            println!("closed");
            return Ok(ExitCode::SUCCESS);
        }
        None => {}
    }
    if let Some(msg) = cli.raw {
        let reply = client::raw(&addr, msg.as_bytes(), limit).await?;
        let mut out = std::io::stdout().lock();
        out.write_all(&reply)?;
        out.flush()?;
        return Ok(ExitCode::SUCCESS);
    }
    let method = cli.method.context("METHOD is required")?;
    let params = client::parse_params(cli.params.as_deref())?;
    let result = tokio::time::timeout(limit, async {
        let mut c = Client::connect(&addr)
            .await
            .with_context(|| format!("cannot connect to {addr}"))?;
        c.call(&method, params.as_ref()).await
    })
    .await
    .map_err(|_| anyhow::anyhow!("no reply within {limit:?}"))??;
    match result {
        Ok(v) => {
            println!("{}", serde_json::to_string(&v)?);
            Ok(ExitCode::SUCCESS)
        }
        Err(e) => {
            eprintln!("ipc-client: {e}");
            Ok(ExitCode::from(1))
        }
    }
}
