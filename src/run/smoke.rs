//! The smoke kinds, run: `version` and a command line (exits 0), `ipc` (the built
//! server under its runner, a round trip with the host's client, SIGTERM, a clean exit
//! that removed its socket). Every file and process a run makes is gone when it
//! returns: roots and socket directories are temporary directories dropped at the
//! end, process groups are killed on drop.

use std::io::BufReader;
use std::path::{Path, PathBuf};
use std::process::Stdio;
use std::time::{Duration, Instant};

use super::exec::{self, Finished, Spec};
use super::plan::{binary_name, Runner, SmokeKind};
use super::roots::{self, Enter, Root};
use super::{wine, RunOptions, Shared, Task};
use crate::report::smoke::{ExitInfo, RootKind, SmokeRun, SmokeStatus};
use crate::toolchain::Toolchain;

/// The result of a run that did not start.
pub(super) fn not_started(task: &Task, why: &str) -> SmokeRun {
    SmokeRun {
        binary: binary_name(&task.artifact.path),
        root: task.root,
        release: task.release.as_ref().map(|(r, _)| r.clone()),
        runner: task.runner.name(),
        status: SmokeStatus::NotRun,
        seconds: 0.0,
        exit: None,
        message: Some(why.to_owned()),
        output: String::new(),
    }
}

/// How to start the binary with arguments, in its root under its runner.
struct Launch {
    /// The root, when not the host's (removed on drop).
    root: Option<Root>,
    enter: Enter,
    runner: Runner,
    binary: PathBuf,
    /// For wine.
    wine: Option<wine::Wine>,
    /// Listed libraries the minimal root could not get from the host.
    unresolved: Vec<String>,
}

impl Launch {
    fn spec(&self, args: &[String]) -> Spec {
        if let Some(root) = &self.root {
            return root.spec(&self.enter, args);
        }
        match &self.runner {
            Runner::Native => Spec::new(&self.binary).args(args),
            Runner::Qemu { program, sysroot } => {
                let mut s = Spec::new(program);
                if let Some(l) = sysroot {
                    // the cross sysroot's own libraries first: where the host also has
                    // the architecture's multiarch libc (`libc6:arm64`, which a -sys
                    // crate's `libssl-dev:arm64` pulls in), the loader would otherwise
                    // take that libc from /etc/ld.so.cache beside the sysroot's loader,
                    // two builds of glibc in one process (the IPC server hung at start)
                    s = s.arg("-L").arg(l).env("LD_LIBRARY_PATH", l.join("lib"));
                }
                s.arg(&self.binary).args(args)
            }
            Runner::Wine => {
                let w = self.wine.as_ref().expect("wine prepared for a wine launch");
                wine::env(
                    Spec::new(&w.program).arg(&self.binary).args(args),
                    &w.prefix,
                )
            }
        }
    }

    /// The runner as the report names it: the way into the root in front.
    fn runner_name(&self) -> String {
        match &self.root {
            Some(_) => format!("{} {}", self.enter.name(), self.runner.name()),
            None => self.runner.name(),
        }
    }

    /// A host path for a path the binary sees (`/tmp/x` in a root).
    fn host_path(&self, p: &Path) -> PathBuf {
        match &self.root {
            Some(r) => r.host_path(p),
            None => p.to_owned(),
        }
    }
}

fn prepare(cx: &Shared, task: &Task) -> Result<Launch, String> {
    let a = &task.artifact;
    let mut launch = Launch {
        root: None,
        enter: cx.enter.clone(),
        runner: task.runner.clone(),
        binary: PathBuf::from(&a.path),
        wine: None,
        unresolved: Vec::new(),
    };
    if task.runner == Runner::Wine {
        launch.wine = Some(cx.wine()?);
    }
    if task.root != RootKind::Host {
        if let Enter::Unavailable(why) = &cx.enter {
            return Err(why.clone());
        }
        let emulator = match &task.runner {
            Runner::Qemu { program, .. } => {
                Some(which::which(program).map_err(|_| format!("{program} not found"))?)
            }
            _ => None,
        };
        let release = task.release.as_ref().map(|(_, root)| root.as_path());
        let (root, unresolved) =
            roots::make(task.root, a, cx.host_arch, emulator.as_deref(), release).map_err(|e| {
                format!(
                    "making the {} root: {e}",
                    crate::model::wire_name(&task.root)
                )
            })?;
        launch.root = Some(root);
        launch.unresolved = unresolved;
    }
    Ok(launch)
}

/// Run one task.
pub(super) fn run_task(cx: &Shared, task: &Task) -> SmokeRun {
    let mut run = not_started(task, "");
    // the host client and the wine prefix are made once, outside every run's time
    let client = match task.kind {
        SmokeKind::Ipc => match cx.client() {
            Ok(c) => Some(c),
            Err(e) => {
                run.status = SmokeStatus::Failed;
                run.message = Some(format!("no host ipc-client: {e}"));
                return run;
            }
        },
        _ => None,
    };
    let launch = match prepare(cx, task) {
        Ok(l) => l,
        Err(why) => {
            run.message = Some(why);
            // no root on this machine is not a failure of the binary
            if task.root == RootKind::Host {
                run.status = SmokeStatus::Failed;
            }
            return run;
        }
    };
    run.runner = launch.runner_name();
    let limit = cx.opts.timeout;
    let started = Instant::now();
    let outcome = match &task.kind {
        SmokeKind::Version => simple(&launch, &["--version".to_owned()], limit),
        SmokeKind::Command { args, .. } => simple(&launch, args, limit),
        SmokeKind::Ipc => ipc(
            client.as_deref().unwrap_or(Path::new("ipc-client")),
            task.peer_client.as_deref(),
            &launch,
            limit,
        ),
        SmokeKind::None => Outcome::default(),
    };
    run.seconds = (started.elapsed().as_secs_f64() * 100.0).round() / 100.0;
    run.exit = outcome.exit;
    run.output = outcome.output;
    run.status = if outcome.error.is_none() {
        SmokeStatus::Passed
    } else {
        SmokeStatus::Failed
    };
    run.message = match outcome.error {
        Some(e) => Some(explain(e, task, &launch, &run.output)),
        None => outcome.note,
    };
    run
}

/// What a smoke kind found.
#[derive(Default)]
struct Outcome {
    exit: Option<ExitInfo>,
    output: String,
    /// Why it failed.
    error: Option<String>,
    /// What a passed run did.
    note: Option<String>,
}

fn from_finished(f: Finished, what: &str) -> Outcome {
    let error = if f.interrupted {
        Some("interrupted".to_owned())
    } else if f.exit.timed_out {
        Some(format!("{what}: timed out, killed"))
    } else if f.exit.code != Some(0) {
        Some(format!("{what}: {}", f.exit.describe()))
    } else {
        None
    };
    Outcome {
        exit: Some(f.exit),
        output: f.output,
        error,
        note: None,
    }
}

/// Why a process did not start.
fn could_not_start(spec: &exec::Spec, e: &std::io::Error) -> String {
    format!("could not start {}: {e}", spec.display())
}

fn simple(launch: &Launch, args: &[String], limit: Duration) -> Outcome {
    let spec = launch.spec(args);
    match exec::run(&spec, limit) {
        Ok(f) => from_finished(f, &args.join(" ")),
        Err(e) => Outcome {
            error: Some(could_not_start(&spec, &e)),
            ..Outcome::default()
        },
    }
}

/// The failure message, with what the root explains: a dynamic binary in the empty
/// root has no interpreter, a minimal root lacks what could not be resolved, and the
/// loader's own words when it printed any.
fn explain(error: String, task: &Task, launch: &Launch, output: &str) -> String {
    let mut msg = error;
    let loader = output.lines().find(|l| {
        l.contains("error while loading shared libraries")
            || l.contains("Error loading shared library")
            || l.contains("Error relocating")
            || l.contains("cannot open shared object file")
            || l.contains("failed to execute")
    });
    if let Some(l) = loader {
        msg.push_str(&format!(": {}", l.trim()));
    }
    let a = &task.artifact;
    if task.root == RootKind::Empty {
        if let Some(interp) = &a.interpreter {
            msg.push_str(&format!(
                "; the empty root has no {interp}: the binary asks for an interpreter, so it is not static"
            ));
        }
    }
    if !launch.unresolved.is_empty() {
        msg.push_str(&format!(
            "; not found on the host for the minimal root: {}",
            launch.unresolved.join(", ")
        ));
    }
    if task.root != RootKind::Host {
        msg.push_str(&format!(
            " (the {} root holds only what the report lists)",
            crate::model::wire_name(&task.root)
        ));
    }
    msg
}

/// Where the server listens and how the client gets there.
struct Endpoint {
    /// `--listen` as the server sees it.
    listen: String,
    /// `--connect` as the client sees it.
    connect: String,
    /// The socket file on the host, which the server must remove.
    socket: Option<PathBuf>,
    /// The client command without its arguments.
    client: Spec,
    /// The transport, for the report: `socket removed`, `named pipe`, `TCP loopback`.
    how: &'static str,
}

fn failed(error: String) -> Outcome {
    Outcome {
        error: Some(error),
        ..Outcome::default()
    }
}

/// The `ipc` smoke: start the server on a fresh address, ping and divide with the
/// client, stop it (SIGTERM; SIGINT under wine, which has no SIGTERM for Windows), a
/// clean exit that removed its socket. On Linux the host's client connects to a Unix
/// socket; under wine the variant's own `ipc-client.exe` connects through a named pipe,
/// and when that fails the host's client tries again over TCP loopback.
fn ipc(client: &Path, peer: Option<&Path>, launch: &Launch, limit: Duration) -> Outcome {
    if launch.runner != Runner::Wine {
        // a socket directory of its own for a host run; in a root, the root's /tmp
        let sock_dir = match &launch.root {
            Some(_) => None,
            None => match tempfile::Builder::new().prefix("portable-ipc-").tempdir() {
                Ok(d) => Some(d),
                Err(e) => return failed(format!("temporary socket directory: {e}")),
            },
        };
        let seen = match &sock_dir {
            Some(d) => d.path().join("ipc.sock"),
            None => PathBuf::from("/tmp/ipc.sock"),
        };
        let host = launch.host_path(&seen);
        let ep = Endpoint {
            listen: format!("unix:{}", seen.display()),
            connect: format!("unix:{}", host.display()),
            socket: Some(host),
            client: Spec::new(client),
            how: "socket removed",
        };
        return round_trip(launch, &ep, limit);
        // `sock_dir` goes here, after the server
    }
    let wine = launch
        .wine
        .as_ref()
        .expect("wine prepared for a wine launch");
    let mut pipe_error = None;
    if let Some(exe) = peer {
        let name = format!(
            "cargo-portable-smoke-{}-{}",
            std::process::id(),
            PIPES.fetch_add(1, std::sync::atomic::Ordering::Relaxed)
        );
        let ep = Endpoint {
            listen: format!("pipe:{name}"),
            connect: format!("pipe:{name}"),
            socket: None,
            client: wine::env(Spec::new(&wine.program).arg(exe), &wine.prefix),
            how: "named pipe",
        };
        let out = round_trip(launch, &ep, limit);
        match &out.error {
            None => return out,
            Some(e) if e == "interrupted" => return out,
            Some(e) => pipe_error = Some(e.clone()),
        }
    }
    let port = match free_port() {
        Ok(p) => p,
        Err(e) => return failed(format!("no free TCP port: {e}")),
    };
    let a = format!("tcp:127.0.0.1:{port}");
    let ep = Endpoint {
        listen: a.clone(),
        connect: a,
        socket: None,
        client: Spec::new(client),
        how: "TCP loopback",
    };
    let mut out = round_trip(launch, &ep, limit);
    if let Some(e) = pipe_error {
        let note = format!("the named pipe failed ({e}), TCP loopback instead");
        match &mut out.error {
            Some(err) => *err = format!("{err}; {note}"),
            None => out.note = out.note.map(|n| format!("{n}; {note}")),
        }
    }
    out
}

/// Named pipes of this process, for unique names.
static PIPES: std::sync::atomic::AtomicUsize = std::sync::atomic::AtomicUsize::new(0);

/// One server, one endpoint: ready when it answers a ping; `arith.divide`; stop.
fn round_trip(launch: &Launch, ep: &Endpoint, limit: Duration) -> Outcome {
    let spec = launch.spec(&["--listen".to_owned(), ep.listen.clone()]);
    let mut server = match exec::start(&spec) {
        Ok(s) => s,
        Err(e) => return failed(could_not_start(&spec, &e)),
    };
    let fail = |server: exec::Running, error: String| {
        let f = server.finish(Duration::ZERO);
        Outcome {
            exit: Some(f.exit),
            output: f.output,
            error: Some(error),
            note: None,
        }
    };
    let pong = match wait_for_pong(&mut server, ep, limit) {
        Ok(p) => p,
        Err(Some(error)) => return fail(server, error),
        Err(None) => {
            let f = server.finish(Duration::ZERO);
            return Outcome {
                error: Some(format!(
                    "the server exited before it answered: {}",
                    f.exit.describe()
                )),
                exit: Some(f.exit),
                output: f.output,
                note: None,
            };
        }
    };
    if pong != "\"pong\"" {
        return fail(server, format!("ping answered {pong}, not \"pong\""));
    }
    let quotient = match call(ep, "arith.divide", Some(r#"{"a":17,"b":8}"#)) {
        Ok(q) => q,
        Err(e) => return fail(server, e),
    };
    let parsed: Option<serde_json::Value> = serde_json::from_str(&quotient).ok();
    if parsed != Some(serde_json::json!({"quo": 2, "rem": 1})) {
        return fail(
            server,
            format!("arith.divide 17/8 answered {quotient}, not {{\"quo\":2,\"rem\":1}}"),
        );
    }
    // wine has no SIGTERM for a Windows process; it turns SIGINT into CTRL_C_EVENT
    let (sig, sig_name) = if launch.runner == Runner::Wine {
        (libc::SIGINT, "SIGINT (CTRL_C_EVENT under wine)")
    } else {
        (libc::SIGTERM, "SIGTERM")
    };
    server.signal(sig);
    let f = server.finish(Duration::from_secs(10).min(limit));
    let mut out = from_finished(f, &format!("after {sig_name}"));
    if out.error.is_none() {
        if let Some(s) = ep.socket.as_ref().filter(|s| s.exists()) {
            out.error = Some(format!(
                "the server exited 0 but left its socket {}",
                s.display()
            ));
        }
    }
    out.note = Some(format!(
        "ping → \"pong\"; arith.divide 17/8 → {{\"quo\":2,\"rem\":1}}; {sig_name} → exit 0, {}",
        ep.how
    ));
    out
}

/// One call of the client to the server at `ep`: its answer, or why it failed.
fn call(ep: &Endpoint, method: &str, params: Option<&str>) -> Result<String, String> {
    let mut s =
        ep.client
            .clone()
            .args(["--connect", ep.connect.as_str(), "--timeout", "5s", method]);
    if let Some(p) = params {
        s = s.arg(p);
    }
    let f = exec::run(&s, Duration::from_secs(15)).map_err(|e| e.to_string())?;
    if f.exit.code == Some(0) {
        Ok(f.output.trim().to_owned())
    } else {
        Err(format!(
            "{} {}: {}",
            method,
            f.exit.describe(),
            f.output.trim()
        ))
    }
}

/// Wait until the socket exists and the server answers a ping: the answer; `Err(None)`
/// when the server exited first, `Err(Some(why))` when it did not answer in time or
/// the runs were interrupted.
fn wait_for_pong(
    server: &mut exec::Running,
    ep: &Endpoint,
    limit: Duration,
) -> Result<String, Option<String>> {
    let until = Instant::now() + limit;
    let mut last = String::new();
    loop {
        if exec::interrupted() {
            return Err(Some("interrupted".into()));
        }
        if server.try_status().is_some() {
            return Err(None);
        }
        if Instant::now() >= until {
            return Err(Some(format!(
                "the server did not answer a ping on {} within {}s{}",
                ep.connect,
                limit.as_secs(),
                if last.is_empty() {
                    String::new()
                } else {
                    format!(" ({last})")
                }
            )));
        }
        if ep.socket.as_ref().is_none_or(|s| s.exists()) {
            match call(ep, "ping", None) {
                Ok(p) => return Ok(p),
                Err(e) => last = e,
            }
        }
        std::thread::sleep(Duration::from_millis(100));
    }
}

/// A TCP port free on the loopback just now.
fn free_port() -> std::io::Result<u16> {
    Ok(std::net::TcpListener::bind("127.0.0.1:0")?
        .local_addr()?
        .port())
}

/// Build `ipc-client` for the host with cargo, into `<target>/portable/host-client`.
pub(super) fn build_host_client(tc: &Toolchain, opts: &RunOptions) -> Result<PathBuf, String> {
    use cargo_metadata::Message;
    let mut c = std::process::Command::new(&tc.cargo);
    c.args([
        "build",
        "--release",
        "--message-format=json-render-diagnostics",
        "-p",
    ])
    .arg(&opts.package)
    .args(["--bin", "ipc-client", "--target-dir"])
    .arg(opts.dir.join("host-client"))
    .env("PATH", &tc.path)
    .stdout(Stdio::piped())
    .stderr(Stdio::piped());
    if let Some(m) = &opts.manifest_path {
        c.arg("--manifest-path").arg(m);
    }
    let mut child = c
        .spawn()
        .map_err(|e| format!("{}: {e}", tc.cargo.display()))?;
    let stdout = child.stdout.take().expect("piped");
    let mut exe = None;
    for msg in Message::parse_stream(BufReader::new(stdout)).flatten() {
        if let Message::CompilerArtifact(a) = msg {
            if let Some(e) = a.executable {
                exe = Some(e.into_std_path_buf());
            }
        }
    }
    let out = child.wait_with_output().map_err(|e| e.to_string())?;
    match exe {
        Some(e) if out.status.success() => Ok(e),
        _ => Err(format!(
            "building the host's ipc-client failed: {}",
            exec::tail(&String::from_utf8_lossy(&out.stderr), 10)
        )),
    }
}
