//! Processes of a smoke run: spawn in a process group of its own (optionally inside a
//! root, through chroot), capture stdout and stderr together, wait with a time bound,
//! kill the whole group on timeout or interrupt. SIGINT and SIGTERM to this process
//! during the runs set a flag that every wait checks, so the runs stop, kill their
//! processes and remove their files before the command exits.

use std::ffi::OsString;
use std::io::Read;
use std::os::unix::process::{CommandExt, ExitStatusExt};
use std::path::PathBuf;
use std::process::{Child, Command, ExitStatus, Stdio};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use crate::report::smoke::ExitInfo;

/// How much output is kept per process.
const KEEP_BYTES: usize = 64 * 1024;
/// Lines of output the report keeps.
pub const TAIL_LINES: usize = 15;

static INTERRUPTED: AtomicBool = AtomicBool::new(false);

extern "C" fn on_signal(_: libc::c_int) {
    INTERRUPTED.store(true, Ordering::SeqCst);
}

/// SIGINT or SIGTERM arrived while the handlers were installed.
pub fn interrupted() -> bool {
    INTERRUPTED.load(Ordering::SeqCst)
}

/// While alive, SIGINT and SIGTERM set [`interrupted`] instead of killing this
/// process; dropping it restores the default.
pub struct SignalGuard(());

impl SignalGuard {
    pub fn install() -> SignalGuard {
        for sig in [libc::SIGINT, libc::SIGTERM] {
            // SAFETY: the handler only stores to an atomic, which is async-signal-safe.
            unsafe {
                libc::signal(
                    sig,
                    on_signal as extern "C" fn(libc::c_int) as libc::sighandler_t,
                );
            }
        }
        SignalGuard(())
    }
}

impl Drop for SignalGuard {
    fn drop(&mut self) {
        for sig in [libc::SIGINT, libc::SIGTERM] {
            // SAFETY: restoring the default disposition.
            unsafe {
                libc::signal(sig, libc::SIG_DFL);
            }
        }
    }
}

/// What to start.
#[derive(Debug, Clone, Default)]
pub struct Spec {
    pub program: PathBuf,
    pub args: Vec<OsString>,
    /// Variables to set.
    pub env: Vec<(OsString, OsString)>,
    /// Start from an empty environment (runs in a root see nothing of the host's).
    pub clear_env: bool,
    /// chroot into this directory first (needs root); `program` is then a path in it.
    pub chroot: Option<PathBuf>,
}

impl Spec {
    pub fn new(program: impl Into<PathBuf>) -> Spec {
        Spec {
            program: program.into(),
            ..Spec::default()
        }
    }
    pub fn arg(mut self, a: impl Into<OsString>) -> Spec {
        self.args.push(a.into());
        self
    }
    pub fn args<I: IntoIterator<Item = S>, S: Into<OsString>>(mut self, a: I) -> Spec {
        self.args.extend(a.into_iter().map(Into::into));
        self
    }
    pub fn env(mut self, k: impl Into<OsString>, v: impl Into<OsString>) -> Spec {
        self.env.push((k.into(), v.into()));
        self
    }
    /// The command line, for messages.
    pub fn display(&self) -> String {
        let mut s = self.program.display().to_string();
        for a in &self.args {
            s.push(' ');
            s.push_str(&a.to_string_lossy());
        }
        match &self.chroot {
            Some(r) => format!("chroot {} {s}", r.display()),
            None => s,
        }
    }
}

/// A started process: its group is killed when this is dropped.
pub struct Running {
    child: Child,
    output: Arc<Mutex<Vec<u8>>>,
    readers: Vec<std::thread::JoinHandle<()>>,
    started: Instant,
    status: Option<ExitStatus>,
}

/// How a waited-for process ended.
#[derive(Debug, Clone)]
pub struct Finished {
    pub exit: ExitInfo,
    pub seconds: f64,
    pub output: String,
    /// Interrupted by SIGINT/SIGTERM to this process.
    pub interrupted: bool,
}

fn keep_tail(buf: &mut Vec<u8>) {
    if buf.len() > KEEP_BYTES {
        let cut = buf.len() - KEEP_BYTES;
        buf.drain(..cut);
    }
}

/// Start `spec`, stdin from /dev/null, stdout and stderr captured together.
pub fn start(spec: &Spec) -> std::io::Result<Running> {
    let mut c = Command::new(&spec.program);
    c.args(&spec.args)
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped());
    if spec.clear_env {
        c.env_clear().env("PATH", "/");
    }
    c.envs(spec.env.iter().map(|(k, v)| (k, v)));
    let root = spec
        .chroot
        .as_ref()
        .map(|r| std::ffi::CString::new(r.as_os_str().as_encoded_bytes()))
        .transpose()
        .map_err(std::io::Error::other)?;
    // SAFETY: between fork and exec only async-signal-safe calls (setpgid, chroot,
    // chdir) on memory prepared before the fork.
    unsafe {
        c.pre_exec(move || {
            if libc::setpgid(0, 0) != 0 {
                return Err(std::io::Error::last_os_error());
            }
            if let Some(r) = &root {
                if libc::chroot(r.as_ptr()) != 0 || libc::chdir(c"/".as_ptr()) != 0 {
                    return Err(std::io::Error::last_os_error());
                }
            }
            Ok(())
        });
    }
    // ETXTBSY: a binary just copied into a root (the static qemu, the binary) can
    // still be open for writing in a child another thread forked before its exec
    // closed the descriptor; that passes within moments
    let mut tries = 0;
    let mut child = loop {
        match c.spawn() {
            Err(e) if e.raw_os_error() == Some(libc::ETXTBSY) && tries < 50 => {
                tries += 1;
                std::thread::sleep(Duration::from_millis(20));
            }
            r => break r?,
        }
    };
    let output = Arc::new(Mutex::new(Vec::new()));
    let mut readers = Vec::new();
    let pipes: Vec<Box<dyn Read + Send>> = vec![
        Box::new(child.stdout.take().expect("piped stdout")),
        Box::new(child.stderr.take().expect("piped stderr")),
    ];
    for mut pipe in pipes {
        let out = Arc::clone(&output);
        readers.push(std::thread::spawn(move || {
            let mut chunk = [0u8; 8192];
            while let Ok(n) = pipe.read(&mut chunk) {
                if n == 0 {
                    break;
                }
                let mut b = out.lock().unwrap_or_else(|e| e.into_inner());
                b.extend_from_slice(&chunk[..n]);
                keep_tail(&mut b);
            }
        }));
    }
    Ok(Running {
        child,
        output,
        readers,
        started: Instant::now(),
        status: None,
    })
}

/// A signal's name.
pub fn signal_name(sig: i32) -> String {
    let name = match sig {
        libc::SIGHUP => "SIGHUP",
        libc::SIGINT => "SIGINT",
        libc::SIGQUIT => "SIGQUIT",
        libc::SIGILL => "SIGILL",
        libc::SIGTRAP => "SIGTRAP",
        libc::SIGABRT => "SIGABRT",
        libc::SIGBUS => "SIGBUS",
        libc::SIGFPE => "SIGFPE",
        libc::SIGKILL => "SIGKILL",
        libc::SIGSEGV => "SIGSEGV",
        libc::SIGPIPE => "SIGPIPE",
        libc::SIGALRM => "SIGALRM",
        libc::SIGTERM => "SIGTERM",
        libc::SIGSYS => "SIGSYS",
        _ => return format!("signal {sig}"),
    };
    name.to_owned()
}

fn exit_info(s: ExitStatus, timed_out: bool) -> ExitInfo {
    ExitInfo {
        code: s.code(),
        signal: s.signal().map(signal_name),
        timed_out,
    }
}

impl Running {
    pub fn pid(&self) -> u32 {
        self.child.id()
    }

    /// Send `sig` to the process itself.
    pub fn signal(&self, sig: i32) {
        if self.status.is_none() {
            // SAFETY: plain kill(2) on our own child's pid, which is not reaped yet.
            unsafe {
                libc::kill(self.child.id() as libc::pid_t, sig);
            }
        }
    }

    /// Kill the whole process group (the process and whatever it started).
    pub fn kill_group(&self) {
        // SAFETY: kill(2) on the group our child leads; harmless when it is gone.
        unsafe {
            libc::kill(-(self.child.id() as libc::pid_t), libc::SIGKILL);
        }
    }

    /// The exit status if it has exited (reaping it).
    pub fn try_status(&mut self) -> Option<ExitStatus> {
        if self.status.is_none() {
            self.status = self.child.try_wait().ok().flatten();
        }
        self.status
    }

    /// Wait at most `limit`; `None` when it still runs (or this process was
    /// interrupted).
    pub fn wait_for(&mut self, limit: Duration) -> Option<ExitStatus> {
        let until = Instant::now() + limit;
        loop {
            if let Some(s) = self.try_status() {
                return Some(s);
            }
            if interrupted() || Instant::now() >= until {
                return None;
            }
            std::thread::sleep(Duration::from_millis(20));
        }
    }

    /// The output so far, its last [`TAIL_LINES`] lines.
    pub fn output_tail(&self) -> String {
        let b = self.output.lock().unwrap_or_else(|e| e.into_inner());
        tail(&String::from_utf8_lossy(&b), TAIL_LINES)
    }

    /// Wait at most `limit`, kill the group when it is still running, and collect.
    pub fn finish(mut self, limit: Duration) -> Finished {
        let status = self.wait_for(limit);
        let interrupted = status.is_none() && interrupted();
        let exit = match status {
            Some(s) => exit_info(s, false),
            None => {
                self.kill_group();
                let s = self.child.wait().ok();
                self.status = s;
                ExitInfo {
                    code: None,
                    signal: s.and_then(|s| s.signal()).map(signal_name),
                    timed_out: !interrupted,
                }
            }
        };
        // whatever the process left in its group goes too (a daemon keeping the pipe
        // open would otherwise hold the readers)
        self.kill_group();
        let until = Instant::now() + Duration::from_secs(2);
        for r in std::mem::take(&mut self.readers) {
            while !r.is_finished() && Instant::now() < until {
                std::thread::sleep(Duration::from_millis(10));
            }
        }
        Finished {
            exit,
            seconds: self.started.elapsed().as_secs_f64(),
            output: self.output_tail(),
            interrupted,
        }
    }
}

impl Drop for Running {
    fn drop(&mut self) {
        if self.try_status().is_none() {
            self.kill_group();
            let _ = self.child.wait();
        } else {
            self.kill_group();
        }
    }
}

/// Run `spec` to the end, at most `limit`.
pub fn run(spec: &Spec, limit: Duration) -> std::io::Result<Finished> {
    Ok(start(spec)?.finish(limit))
}

/// The last `n` lines of `s`, trimmed.
pub fn tail(s: &str, n: usize) -> String {
    let lines: Vec<&str> = s.trim_end().lines().collect();
    lines[lines.len().saturating_sub(n)..].join("\n")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn exit_signal_timeout_and_output_tail() {
        let f = run(
            &Spec::new("/bin/sh").args(["-c", "echo one; echo two >&2; exit 3"]),
            Duration::from_secs(10),
        )
        .unwrap();
        assert_eq!((f.exit.code, f.exit.timed_out), (Some(3), false));
        assert!(
            f.output.contains("one") && f.output.contains("two"),
            "{}",
            f.output
        );
        let f = run(
            &Spec::new("/bin/sh").args(["-c", "kill -SEGV $$"]),
            Duration::from_secs(10),
        )
        .unwrap();
        assert_eq!(f.exit.signal.as_deref(), Some("SIGSEGV"));
        // the child's own child goes with the group
        let started = Instant::now();
        let f = run(
            &Spec::new("/bin/sh").args(["-c", "sleep 30 & sleep 30"]),
            Duration::from_millis(300),
        )
        .unwrap();
        assert!(f.exit.timed_out);
        assert!(started.elapsed() < Duration::from_secs(5));
        assert_eq!(tail("a\nb\nc\n", 2), "b\nc");
    }
}
