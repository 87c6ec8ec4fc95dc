//! Transports: one connection type over Unix sockets, TCP and (on Windows) named
//! pipes, the listener with the socket-file safety rules, and connecting.

use std::io;
use std::pin::Pin;
use std::task::{Context, Poll};

use tokio::io::{AsyncRead, AsyncWrite, ReadBuf};
#[cfg(windows)]
use tokio::net::windows::named_pipe::{NamedPipeClient, NamedPipeServer, ServerOptions};
use tokio::net::{TcpListener, TcpStream};
#[cfg(unix)]
use tokio::net::{UnixListener, UnixStream};

use crate::addr::Addr;
use crate::peer::PeerCred;

mod connect;
pub use connect::connect;

/// Why the server could not start listening. All of these end the server with
/// exit status 1.
#[derive(Debug, thiserror::Error)]
pub enum BindError {
    #[error("{path}: a server is already listening on this socket; refusing to take it over")]
    InUse { path: String },
    #[error("{path}: exists and is not a socket; refusing to remove it")]
    NotASocket { path: String },
    #[error("{path}: cannot check the existing socket: {source}")]
    Probe { path: String, source: io::Error },
    #[error("{path}: cannot remove the stale socket: {source}")]
    RemoveStale { path: String, source: io::Error },
    #[error("{addr}: {source}")]
    Io { addr: String, source: io::Error },
    #[error("{addr}: cannot resolve host: {source}")]
    Resolve { addr: String, source: io::Error },
    #[error("{addr}: unsupported on this platform: {what}")]
    Unsupported { addr: String, what: &'static str },
    #[error("invalid socket mode {0:o}: only permission bits (0..=0777) are allowed")]
    BadMode(u32),
}

/// One accepted or connected stream.
#[derive(Debug)]
pub enum Conn {
    #[cfg(unix)]
    Unix(UnixStream),
    Tcp(TcpStream),
    /// The server's end of a named pipe.
    #[cfg(windows)]
    PipeServer(NamedPipeServer),
    /// The client's end of a named pipe.
    #[cfg(windows)]
    PipeClient(NamedPipeClient),
}

impl Conn {
    /// Waits until the stream is readable without holding a buffer.
    pub async fn readable(&self) -> io::Result<()> {
        match self {
            #[cfg(unix)]
            Conn::Unix(s) => s.readable().await,
            Conn::Tcp(s) => s.readable().await,
            #[cfg(windows)]
            Conn::PipeServer(s) => s.readable().await,
            #[cfg(windows)]
            Conn::PipeClient(s) => s.readable().await,
        }
    }

    /// Writes what it can without waiting; used for best-effort notices.
    pub fn try_write(&self, buf: &[u8]) -> io::Result<usize> {
        match self {
            #[cfg(unix)]
            Conn::Unix(s) => s.try_write(buf),
            Conn::Tcp(s) => s.try_write(buf),
            #[cfg(windows)]
            Conn::PipeServer(s) => s.try_write(buf),
            #[cfg(windows)]
            Conn::PipeClient(s) => s.try_write(buf),
        }
    }

    /// The peer's credentials; `None` over TCP or where the OS has none.
    pub fn peer_cred(&self) -> Option<PeerCred> {
        match self {
            #[cfg(unix)]
            Conn::Unix(s) => s.peer_cred().ok().map(|c| PeerCred {
                uid: c.uid(),
                gid: c.gid(),
                pid: c.pid(),
            }),
            Conn::Tcp(_) => None,
            #[cfg(windows)]
            Conn::PipeServer(_) | Conn::PipeClient(_) => None,
        }
    }

    /// A short description of the peer for logs.
    pub fn peer_desc(&self) -> String {
        match self {
            #[cfg(unix)]
            Conn::Unix(_) => "unix".to_owned(),
            Conn::Tcp(s) => s
                .peer_addr()
                .map(|a| a.to_string())
                .unwrap_or_else(|_| "tcp".to_owned()),
            #[cfg(windows)]
            Conn::PipeServer(_) | Conn::PipeClient(_) => "pipe".to_owned(),
        }
    }
}

impl AsyncRead for Conn {
    fn poll_read(
        self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        buf: &mut ReadBuf<'_>,
    ) -> Poll<io::Result<()>> {
        match self.get_mut() {
            #[cfg(unix)]
            Conn::Unix(s) => Pin::new(s).poll_read(cx, buf),
            Conn::Tcp(s) => Pin::new(s).poll_read(cx, buf),
            #[cfg(windows)]
            Conn::PipeServer(s) => Pin::new(s).poll_read(cx, buf),
            #[cfg(windows)]
            Conn::PipeClient(s) => Pin::new(s).poll_read(cx, buf),
        }
    }
}

impl AsyncWrite for Conn {
    fn poll_write(
        self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        buf: &[u8],
    ) -> Poll<io::Result<usize>> {
        match self.get_mut() {
            #[cfg(unix)]
            Conn::Unix(s) => Pin::new(s).poll_write(cx, buf),
            Conn::Tcp(s) => Pin::new(s).poll_write(cx, buf),
            #[cfg(windows)]
            Conn::PipeServer(s) => Pin::new(s).poll_write(cx, buf),
            #[cfg(windows)]
            Conn::PipeClient(s) => Pin::new(s).poll_write(cx, buf),
        }
    }

    fn poll_flush(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        match self.get_mut() {
            #[cfg(unix)]
            Conn::Unix(s) => Pin::new(s).poll_flush(cx),
            Conn::Tcp(s) => Pin::new(s).poll_flush(cx),
            #[cfg(windows)]
            Conn::PipeServer(s) => Pin::new(s).poll_flush(cx),
            #[cfg(windows)]
            Conn::PipeClient(s) => Pin::new(s).poll_flush(cx),
        }
    }

    fn poll_shutdown(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        match self.get_mut() {
            #[cfg(unix)]
            Conn::Unix(s) => Pin::new(s).poll_shutdown(cx),
            Conn::Tcp(s) => Pin::new(s).poll_shutdown(cx),
            #[cfg(windows)]
            Conn::PipeServer(s) => Pin::new(s).poll_shutdown(cx),
            #[cfg(windows)]
            Conn::PipeClient(s) => Pin::new(s).poll_shutdown(cx),
        }
    }
}

/// Identity of the socket file we created, so shutdown removes it only if it is
/// still ours.
#[cfg(unix)]
#[derive(Debug)]
struct SocketFile {
    path: std::path::PathBuf,
    dev: u64,
    ino: u64,
}

#[derive(Debug)]
enum Inner {
    #[cfg(unix)]
    Unix(UnixListener),
    Tcp(TcpListener),
    /// A named pipe: the instance waiting for the next client (a new one is created
    /// as soon as one connects, so a client never finds no instance).
    #[cfg(windows)]
    Pipe {
        path: String,
        next: std::sync::Mutex<Option<NamedPipeServer>>,
    },
}

/// A bound, listening socket.
#[derive(Debug)]
pub struct Listener {
    inner: Option<Inner>,
    /// The address actually listened on (with the real port for `tcp:…:0`).
    pub local: String,
    #[cfg(unix)]
    socket_file: Option<SocketFile>,
}

/// Listening options.
#[derive(Debug, Clone, Copy)]
pub struct BindOptions {
    /// Permission bits of the socket file (`unix:PATH` only).
    pub mode: u32,
    pub backlog: i32,
}

impl Listener {
    /// Binds and listens on `addr`.
    ///
    /// For `unix:PATH`: a stale socket at PATH (connect refused) is removed; a
    /// live one is an error; anything that is not a socket is an error and is
    /// never removed. The socket is created while the process umask is
    /// `0777 & !mode`, so it never exists with wider permissions (the umask is
    /// process-wide: bind before starting other threads that create files).
    pub async fn bind(addr: &Addr, opts: BindOptions) -> Result<Listener, BindError> {
        if opts.mode & !0o777 != 0 {
            return Err(BindError::BadMode(opts.mode));
        }
        match addr {
            Addr::Tcp { host, port } => bind_tcp(addr, host, *port, opts).await,
            #[cfg(unix)]
            Addr::Unix(path) => bind_unix_path(addr, path, opts),
            #[cfg(any(target_os = "linux", target_os = "android"))]
            Addr::Abstract(name) => bind_abstract(addr, name, opts),
            #[cfg(not(any(target_os = "linux", target_os = "android")))]
            Addr::Abstract(_) => Err(BindError::Unsupported {
                addr: addr.to_string(),
                what: "abstract Unix sockets exist only on Linux",
            }),
            #[cfg(not(unix))]
            Addr::Unix(_) => Err(BindError::Unsupported {
                addr: addr.to_string(),
                what: "Unix sockets are not supported here; use tcp:HOST:PORT or pipe:NAME",
            }),
            #[cfg(windows)]
            Addr::Pipe(name) => bind_pipe(addr, name),
            #[cfg(not(windows))]
            Addr::Pipe(_) => Err(BindError::Unsupported {
                addr: addr.to_string(),
                what: "named pipes exist only on Windows; use unix:PATH",
            }),
        }
    }

    /// Accepts one connection (TCP connections get `TCP_NODELAY`).
    pub async fn accept(&self) -> io::Result<Conn> {
        match &self.inner {
            #[cfg(unix)]
            Some(Inner::Unix(l)) => l.accept().await.map(|(s, _)| Conn::Unix(s)),
            Some(Inner::Tcp(l)) => {
                let (s, _) = l.accept().await?;
                let _ = s.set_nodelay(true);
                Ok(Conn::Tcp(s))
            }
            #[cfg(windows)]
            Some(Inner::Pipe { path, next }) => {
                let waiting = next.lock().unwrap_or_else(|e| e.into_inner()).take();
                let server = match waiting {
                    Some(s) => s,
                    None => ServerOptions::new().create(path)?,
                };
                server.connect().await?;
                // the next instance, before this one is handed out
                let again = ServerOptions::new().create(path)?;
                *next.lock().unwrap_or_else(|e| e.into_inner()) = Some(again);
                Ok(Conn::PipeServer(server))
            }
            None => std::future::pending().await,
        }
    }

    /// Stops listening and removes the socket file if it is still the one we
    /// created. Returns whether a file was removed.
    pub fn close(&mut self) -> bool {
        self.inner = None;
        #[cfg(unix)]
        if let Some(sf) = self.socket_file.take() {
            use std::os::unix::fs::MetadataExt;
            match std::fs::symlink_metadata(&sf.path) {
                Ok(md) if md.dev() == sf.dev && md.ino() == sf.ino => {
                    return std::fs::remove_file(&sf.path).is_ok();
                }
                _ => return false,
            }
        }
        false
    }
}

impl Drop for Listener {
    fn drop(&mut self) {
        self.close();
    }
}

/// What an I/O error while binding `addr` becomes.
fn io_error(addr: &Addr) -> impl Fn(io::Error) -> BindError + Copy + '_ {
    move |source| BindError::Io {
        addr: addr.to_string(),
        source,
    }
}

/// Binds `tcp:HOST:PORT`: tries each resolved address in turn, returning the first that listens.
async fn bind_tcp(
    addr: &Addr,
    host: &str,
    port: u16,
    opts: BindOptions,
) -> Result<Listener, BindError> {
    let io_err = io_error(addr);
    let addrs: Vec<std::net::SocketAddr> = tokio::net::lookup_host((host, port))
        .await
        .map_err(|source| BindError::Resolve {
            addr: addr.to_string(),
            source,
        })?
        .collect();
    let mut last = io::Error::new(io::ErrorKind::NotFound, "no addresses");
    for sa in addrs {
        let sock = if sa.is_ipv4() {
            tokio::net::TcpSocket::new_v4()
        } else {
            tokio::net::TcpSocket::new_v6()
        };
        let res = sock.and_then(|s| {
            #[cfg(unix)]
            s.set_reuseaddr(true)?;
            s.bind(sa)?;
            s.listen(opts.backlog.max(1) as u32)
        });
        match res {
            Ok(l) => {
                let local = l
                    .local_addr()
                    .map(|a| Addr::Tcp {
                        host: a.ip().to_string(),
                        port: a.port(),
                    })
                    .map_err(io_err)?;
                return Ok(Listener {
                    inner: Some(Inner::Tcp(l)),
                    local: local.to_string(),
                    #[cfg(unix)]
                    socket_file: None,
                });
            }
            Err(e) => last = e,
        }
    }
    Err(io_err(last))
}

/// Binds `unix:@NAME`, a Linux abstract socket (no file to create or clean up).
#[cfg(any(target_os = "linux", target_os = "android"))]
fn bind_abstract(addr: &Addr, name: &str, opts: BindOptions) -> Result<Listener, BindError> {
    let io_err = io_error(addr);
    let sa = abstract_addr(name).map_err(io_err)?;
    let l = listen_unix(&sa, opts.backlog).map_err(io_err)?;
    Ok(Listener {
        inner: Some(Inner::Unix(l)),
        local: addr.to_string(),
        socket_file: None,
    })
}

/// Binds `pipe:NAME` by creating the first instance; a name owned by another server is `InUse`.
#[cfg(windows)]
fn bind_pipe(addr: &Addr, name: &str) -> Result<Listener, BindError> {
    let io_err = io_error(addr);
    let path = Addr::pipe_path(name);
    let first = ServerOptions::new()
        .first_pipe_instance(true)
        .create(&path)
        .map_err(|source| {
            if source.raw_os_error() == Some(5) {
                // ERROR_ACCESS_DENIED: another server owns the name
                BindError::InUse { path: path.clone() }
            } else {
                io_err(source)
            }
        })?;
    Ok(Listener {
        inner: Some(Inner::Pipe {
            path,
            next: std::sync::Mutex::new(Some(first)),
        }),
        local: addr.to_string(),
    })
}

#[cfg(any(target_os = "linux", target_os = "android"))]
fn abstract_addr(name: &str) -> io::Result<socket2::SockAddr> {
    use std::os::unix::ffi::OsStrExt;
    let mut bytes = vec![0u8];
    bytes.extend_from_slice(name.as_bytes());
    socket2::SockAddr::unix(std::ffi::OsStr::from_bytes(&bytes))
}

#[cfg(unix)]
fn bind_unix_path(
    addr: &Addr,
    path: &std::path::Path,
    opts: BindOptions,
) -> Result<Listener, BindError> {
    use std::os::unix::fs::{MetadataExt, PermissionsExt};
    let shown = path.display().to_string();
    clear_stale_socket(path, &shown)?;
    let io_err = io_error(addr);
    let sa = socket2::SockAddr::unix(path).map_err(io_err)?;
    let sock =
        socket2::Socket::new(socket2::Domain::UNIX, socket2::Type::STREAM, None).map_err(io_err)?;
    let bound = bind_with_umask(&sock, &sa, opts.mode);
    if let Err(e) = bound {
        return Err(if e.kind() == io::ErrorKind::AddrInUse {
            BindError::InUse { path: shown }
        } else {
            io_err(e)
        });
    }
    let md = std::fs::symlink_metadata(path).map_err(io_err)?;
    let socket_file = SocketFile {
        path: path.to_owned(),
        dev: md.dev(),
        ino: md.ino(),
    };
    // Make the mode exact (the umask can only remove bits).
    if md.permissions().mode() & 0o777 != opts.mode {
        std::fs::set_permissions(path, std::fs::Permissions::from_mode(opts.mode))
            .map_err(io_err)?;
    }
    let listener = (|| {
        sock.listen(opts.backlog)?;
        sock.set_nonblocking(true)?;
        UnixListener::from_std(std::os::unix::net::UnixListener::from(sock))
    })();
    let mut l = Listener {
        inner: None,
        local: addr.to_string(),
        socket_file: Some(socket_file),
    };
    match listener {
        Ok(ul) => {
            l.inner = Some(Inner::Unix(ul));
            Ok(l)
        }
        Err(e) => Err(io_err(e)), // dropping `l` removes the file
    }
}

/// Checks PATH before binding: absent is fine, a stale socket is removed, all else is an error.
#[cfg(unix)]
fn clear_stale_socket(path: &std::path::Path, shown: &str) -> Result<(), BindError> {
    use std::os::unix::fs::FileTypeExt;
    match std::fs::symlink_metadata(path) {
        Err(e) if e.kind() == io::ErrorKind::NotFound => {}
        Err(source) => {
            return Err(BindError::Probe {
                path: shown.to_owned(),
                source,
            })
        }
        Ok(md) if !md.file_type().is_socket() => {
            return Err(BindError::NotASocket {
                path: shown.to_owned(),
            })
        }
        Ok(_) => match std::os::unix::net::UnixStream::connect(path) {
            Ok(_) => {
                return Err(BindError::InUse {
                    path: shown.to_owned(),
                })
            }
            Err(e) if e.kind() == io::ErrorKind::ConnectionRefused => {
                match std::fs::remove_file(path) {
                    Ok(()) => tracing::info!(path = %shown, "removed stale socket"),
                    Err(e) if e.kind() == io::ErrorKind::NotFound => {}
                    Err(source) => {
                        return Err(BindError::RemoveStale {
                            path: shown.to_owned(),
                            source,
                        })
                    }
                }
            }
            Err(source) => {
                return Err(BindError::Probe {
                    path: shown.to_owned(),
                    source,
                })
            }
        },
    }
    Ok(())
}

/// Binds `sock` to `sa` with the process umask narrowed to `0777 & !mode` for just that call.
#[cfg(unix)]
fn bind_with_umask(sock: &socket2::Socket, sa: &socket2::SockAddr, mode: u32) -> io::Result<()> {
    // The socket file is created by bind() with mode 0777 & !umask: narrow the
    // umask for exactly that call so the file is never wider than `mode`.
    let _guard = UMASK_LOCK.lock().unwrap_or_else(|e| e.into_inner());
    // SAFETY: umask has no preconditions.
    let old = unsafe { libc::umask((0o777 & !mode) as libc::mode_t) };
    let r = sock.bind(sa);
    // SAFETY: as above.
    unsafe { libc::umask(old) };
    r
}

#[cfg(unix)]
static UMASK_LOCK: std::sync::Mutex<()> = std::sync::Mutex::new(());

#[cfg(any(target_os = "linux", target_os = "android"))]
fn listen_unix(sa: &socket2::SockAddr, backlog: i32) -> io::Result<UnixListener> {
    let sock = socket2::Socket::new(socket2::Domain::UNIX, socket2::Type::STREAM, None)?;
    sock.bind(sa)?;
    sock.listen(backlog)?;
    sock.set_nonblocking(true)?;
    UnixListener::from_std(std::os::unix::net::UnixListener::from(sock))
}
