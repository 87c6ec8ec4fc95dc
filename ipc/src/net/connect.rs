//! Connecting: to a TCP address, a Unix socket (retrying a full accept queue) or a
//! named pipe (retrying while every instance is busy).

use std::io;
use std::time::Duration;

#[cfg(windows)]
use tokio::net::windows::named_pipe::ClientOptions;
use tokio::net::TcpStream;
#[cfg(unix)]
use tokio::net::UnixStream;

#[cfg(any(target_os = "linux", target_os = "android"))]
use super::abstract_addr;
use super::Conn;
use crate::addr::Addr;

/// Connects to `addr`. A Unix socket whose accept queue is full answers
/// `EAGAIN`; that is retried for up to `patience`.
pub async fn connect(addr: &Addr, patience: Duration) -> io::Result<Conn> {
    #[cfg(not(unix))]
    let _ = patience;
    match addr {
        Addr::Tcp { host, port } => {
            let s = TcpStream::connect((host.as_str(), *port)).await?;
            s.set_nodelay(true)?;
            Ok(Conn::Tcp(s))
        }
        #[cfg(unix)]
        Addr::Unix(path) => {
            let sa = socket2::SockAddr::unix(path)?;
            connect_unix(&sa, patience).await
        }
        #[cfg(any(target_os = "linux", target_os = "android"))]
        Addr::Abstract(name) => connect_unix(&abstract_addr(name)?, patience).await,
        #[cfg(not(any(target_os = "linux", target_os = "android")))]
        Addr::Abstract(_) => Err(io::Error::new(
            io::ErrorKind::Unsupported,
            "abstract Unix sockets exist only on Linux",
        )),
        #[cfg(not(unix))]
        Addr::Unix(_) => Err(io::Error::new(
            io::ErrorKind::Unsupported,
            "Unix sockets are not supported here; use tcp:HOST:PORT or pipe:NAME",
        )),
        #[cfg(windows)]
        Addr::Pipe(name) => connect_pipe(&Addr::pipe_path(name), patience).await,
        #[cfg(not(windows))]
        Addr::Pipe(_) => Err(io::Error::new(
            io::ErrorKind::Unsupported,
            "named pipes exist only on Windows",
        )),
    }
}

/// Opens a named pipe; all instances busy (`ERROR_PIPE_BUSY`) is retried for up to
/// `patience`.
#[cfg(windows)]
async fn connect_pipe(path: &str, patience: Duration) -> io::Result<Conn> {
    const ERROR_PIPE_BUSY: i32 = 231;
    let start = std::time::Instant::now();
    loop {
        match ClientOptions::new().open(path) {
            Ok(c) => return Ok(Conn::PipeClient(c)),
            Err(e) if e.raw_os_error() == Some(ERROR_PIPE_BUSY) && start.elapsed() < patience => {
                tokio::time::sleep(Duration::from_millis(10)).await;
            }
            Err(e) => return Err(e),
        }
    }
}

#[cfg(unix)]
async fn connect_unix(sa: &socket2::SockAddr, patience: Duration) -> io::Result<Conn> {
    let start = std::time::Instant::now();
    let mut delay = Duration::from_millis(1);
    loop {
        let sock = socket2::Socket::new(socket2::Domain::UNIX, socket2::Type::STREAM, None)?;
        sock.set_nonblocking(true)?;
        match sock.connect(sa) {
            Ok(()) => {
                let std = std::os::unix::net::UnixStream::from(sock);
                return UnixStream::from_std(std).map(Conn::Unix);
            }
            Err(e) if e.kind() == io::ErrorKind::WouldBlock && start.elapsed() < patience => {
                tokio::time::sleep(delay).await;
                delay = (delay * 2).min(Duration::from_millis(50));
            }
            Err(e) => return Err(e),
        }
    }
}
