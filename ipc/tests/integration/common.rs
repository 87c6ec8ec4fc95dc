//! Helpers: start a server process on a private socket, talk to it line by line,
//! look at its descriptors and memory.

#![allow(dead_code)]

use std::fs::File;
use std::io::{self, BufRead, BufReader, Read, Write};
use std::net::TcpStream;
use std::os::unix::net::UnixStream;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, ExitStatus, Stdio};
use std::time::{Duration, Instant};

use serde_json::Value;
use tempfile::TempDir;

pub const SERVER: &str = env!("CARGO_BIN_EXE_ipc-server");
pub const CLIENT: &str = env!("CARGO_BIN_EXE_ipc-client");
pub const IO_TIMEOUT: Duration = Duration::from_secs(5);

pub struct Server {
    child: Option<Child>,
    pub dir: TempDir,
    /// The socket path (unix servers).
    pub path: PathBuf,
    /// The address clients use, e.g. `unix:/tmp/x/s.sock` or `tcp:127.0.0.1:4711`.
    pub addr: String,
    pub log_path: PathBuf,
}

impl Server {
    /// A server on `unix:<tempdir>/s.sock` with `extra` arguments.
    pub fn start(extra: &[&str]) -> Server {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("s.sock");
        let listen = format!("unix:{}", path.display());
        Server::start_listen(dir, path, &listen, extra)
    }

    /// A server on `tcp:127.0.0.1:0` (the real port is read from its log).
    pub fn start_tcp(extra: &[&str]) -> Server {
        let dir = tempfile::tempdir().unwrap();
        Server::start_listen(dir, PathBuf::new(), "tcp:127.0.0.1:0", extra)
    }

    /// A server on an existing temp dir and socket path.
    pub fn start_listen(dir: TempDir, path: PathBuf, listen: &str, extra: &[&str]) -> Server {
        let log_path = dir.path().join("server.log");
        let child = spawn_server(listen, extra, &log_path);
        let mut s = Server {
            child: Some(child),
            dir,
            path,
            addr: String::new(),
            log_path,
        };
        s.addr = s.wait_ready();
        s
    }

    fn wait_ready(&mut self) -> String {
        let deadline = Instant::now() + Duration::from_secs(20);
        loop {
            for line in self.log().lines() {
                if let Ok(v) = serde_json::from_str::<Value>(line) {
                    if v["fields"]["message"] == "listening" {
                        return v["fields"]["addr"].as_str().unwrap().to_owned();
                    }
                }
            }
            if let Some(st) = self.child.as_mut().unwrap().try_wait().unwrap() {
                panic!("server exited early with {st}: {}", self.log());
            }
            assert!(
                Instant::now() < deadline,
                "server not ready: {}",
                self.log()
            );
            std::thread::sleep(Duration::from_millis(10));
        }
    }

    pub fn pid(&self) -> i32 {
        self.child.as_ref().unwrap().id() as i32
    }

    pub fn log(&self) -> String {
        std::fs::read_to_string(&self.log_path).unwrap_or_default()
    }

    pub fn signal(&self, sig: i32) {
        // SAFETY: kill has no memory-safety preconditions.
        assert_eq!(unsafe { libc::kill(self.pid(), sig) }, 0);
    }

    /// Whether the process has exited (reaping it if so).
    pub fn exited(&mut self) -> Option<ExitStatus> {
        self.child.as_mut().unwrap().try_wait().unwrap()
    }

    pub fn wait_exit(&mut self, limit: Duration) -> ExitStatus {
        let deadline = Instant::now() + limit;
        loop {
            if let Some(st) = self.exited() {
                return st;
            }
            assert!(
                Instant::now() < deadline,
                "server did not exit within {limit:?}: {}",
                self.log()
            );
            std::thread::sleep(Duration::from_millis(10));
        }
    }

    /// Number of open descriptors of the server (Linux).
    pub fn fd_count(&self) -> usize {
        std::fs::read_dir(format!("/proc/{}/fd", self.pid()))
            .unwrap()
            .count()
    }

    /// Waits until the descriptor count is back to `baseline`.
    pub fn assert_fds_return_to(&self, baseline: usize) {
        let deadline = Instant::now() + Duration::from_secs(10);
        loop {
            let n = self.fd_count();
            if n <= baseline {
                return;
            }
            assert!(
                Instant::now() < deadline,
                "server holds {n} descriptors, baseline {baseline}"
            );
            std::thread::sleep(Duration::from_millis(25));
        }
    }

    /// A `/proc/<pid>/status` value in kB, e.g. "VmRSS" or "VmHWM".
    pub fn status_kb(&self, key: &str) -> u64 {
        let s = std::fs::read_to_string(format!("/proc/{}/status", self.pid())).unwrap();
        s.lines()
            .find_map(|l| l.strip_prefix(key)?.strip_prefix(':'))
            .and_then(|v| v.split_whitespace().next()?.parse().ok())
            .unwrap()
    }

    pub fn connect(&self) -> Line<UnixStream> {
        Line::new(connect_unix(&self.path))
    }

    pub fn connect_tcp(&self) -> Line<TcpStream> {
        let hp = self.addr.strip_prefix("tcp:").unwrap();
        let s = TcpStream::connect(hp).unwrap();
        s.set_read_timeout(Some(IO_TIMEOUT)).unwrap();
        s.set_write_timeout(Some(IO_TIMEOUT)).unwrap();
        Line::new(s)
    }

    /// Ping on a fresh connection; panics unless the answer is "pong".
    pub fn assert_serves(&self) {
        let mut c = self.connect();
        let r = c.call(r#"{"jsonrpc":"2.0","method":"ping","id":1}"#);
        assert_eq!(r["result"], "pong", "{r}");
    }
}

impl Drop for Server {
    fn drop(&mut self) {
        if let Some(mut c) = self.child.take() {
            if c.try_wait().ok().flatten().is_none() {
                let _ = c.kill();
                let _ = c.wait();
            }
        }
    }
}

pub fn spawn_server(listen: &str, extra: &[&str], log_path: &Path) -> Child {
    Command::new(SERVER)
        .args([
            "--listen",
            listen,
            "--log-format",
            "json",
            "--log-level",
            "debug",
        ])
        .args(extra)
        .stdin(Stdio::null())
        .stdout(Stdio::null())
        .stderr(File::create(log_path).unwrap())
        .spawn()
        .unwrap()
}

pub fn connect_unix(path: &Path) -> UnixStream {
    let s = UnixStream::connect(path).unwrap();
    s.set_read_timeout(Some(IO_TIMEOUT)).unwrap();
    s.set_write_timeout(Some(IO_TIMEOUT)).unwrap();
    s
}

pub trait Stream: Read + Write + Sized {
    fn try_clone_stream(&self) -> io::Result<Self>;
    fn shutdown_write(&self) -> io::Result<()>;
}

impl Stream for UnixStream {
    fn try_clone_stream(&self) -> io::Result<Self> {
        self.try_clone()
    }
    fn shutdown_write(&self) -> io::Result<()> {
        self.shutdown(std::net::Shutdown::Write)
    }
}

impl Stream for TcpStream {
    fn try_clone_stream(&self) -> io::Result<Self> {
        self.try_clone()
    }
    fn shutdown_write(&self) -> io::Result<()> {
        self.shutdown(std::net::Shutdown::Write)
    }
}

/// A connection read line by line.
pub struct Line<S: Stream> {
    pub r: BufReader<S>,
    pub w: S,
}

impl<S: Stream> Line<S> {
    pub fn new(s: S) -> Line<S> {
        let w = s.try_clone_stream().unwrap();
        Line {
            r: BufReader::new(s),
            w,
        }
    }

    pub fn send(&mut self, bytes: &[u8]) {
        self.w.write_all(bytes).unwrap();
    }

    /// One line including its newline; `None` at EOF.
    pub fn read_line(&mut self) -> io::Result<Option<String>> {
        let mut s = String::new();
        match self.r.read_line(&mut s)? {
            0 => Ok(None),
            _ => Ok(Some(s)),
        }
    }

    /// Sends `req` plus newline and parses the one reply line.
    pub fn call(&mut self, req: &str) -> Value {
        self.send(format!("{req}\n").as_bytes());
        self.reply()
    }

    pub fn reply(&mut self) -> Value {
        let line = self
            .read_line()
            .unwrap()
            .expect("connection closed instead of a reply");
        assert!(line.ends_with('\n'), "{line:?}");
        serde_json::from_str(&line).unwrap_or_else(|e| panic!("{e}: {line:?}"))
    }

    /// Asserts the server closes: EOF (or a reset) within the read timeout.
    pub fn assert_closed(&mut self) {
        let mut rest = Vec::new();
        match self.r.read_to_end(&mut rest) {
            Ok(_) => assert!(
                rest.is_empty(),
                "unexpected bytes {:?}",
                String::from_utf8_lossy(&rest)
            ),
            Err(e) => assert!(
                matches!(
                    e.kind(),
                    io::ErrorKind::ConnectionReset | io::ErrorKind::BrokenPipe
                ),
                "expected EOF, got {e}"
            ),
        }
    }
}

/// `YYYY-MM-DDTHH:MM:SS[.frac](Z|±HH:MM)`.
pub fn is_rfc3339(s: &str) -> bool {
    let b = s.as_bytes();
    let digits =
        |r: std::ops::Range<usize>| r.clone().all(|i| b.get(i).is_some_and(u8::is_ascii_digit));
    if b.len() < 20
        || !digits(0..4)
        || b[4] != b'-'
        || !digits(5..7)
        || b[7] != b'-'
        || !digits(8..10)
        || !(b[10] == b'T' || b[10] == b't')
        || !digits(11..13)
        || b[13] != b':'
        || !digits(14..16)
        || b[16] != b':'
        || !digits(17..19)
    {
        return false;
    }
    let mut i = 19;
    if b[i] == b'.' {
        i += 1;
        let start = i;
        while i < b.len() && b[i].is_ascii_digit() {
            i += 1;
        }
        if i == start {
            return false;
        }
    }
    match &b[i..] {
        [b'Z' | b'z'] => true,
        [b'+' | b'-', h1, h2, b':', m1, m2] => [h1, h2, m1, m2].iter().all(|c| c.is_ascii_digit()),
        _ => false,
    }
}

pub fn my_uid() -> u32 {
    // SAFETY: getuid cannot fail.
    unsafe { libc::getuid() }
}

/// Runs the client binary.
pub fn client(args: &[&str]) -> std::process::Output {
    Command::new(CLIENT)
        .args(args)
        .stdin(Stdio::null())
        .output()
        .unwrap()
}
