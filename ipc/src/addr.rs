//! Listen/connect addresses: `unix:PATH`, `unix:@NAME` (Linux abstract namespace),
//! `tcp:HOST:PORT` (HOST resolved with the system resolver) and `pipe:NAME` (a Windows
//! named pipe, `\\.\pipe\NAME`).

use std::fmt;
use std::path::PathBuf;
use std::str::FromStr;

/// Where a server listens or a client connects.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Addr {
    /// A Unix domain socket bound to a path in the file system.
    Unix(PathBuf),
    /// A Linux abstract-namespace Unix socket (`unix:@NAME`); no file exists.
    Abstract(String),
    /// A TCP socket; `host` is a name or an IP literal (IPv6 without brackets).
    Tcp { host: String, port: u16 },
    /// A Windows named pipe `\\.\pipe\NAME` (`pipe:NAME`); Windows only.
    Pipe(String),
}

impl Addr {
    /// The full name of a named pipe: `\\.\pipe\NAME`.
    pub fn pipe_path(name: &str) -> String {
        format!(r"\\.\pipe\{name}")
    }
}

/// Why an address string was rejected.
#[derive(Debug, thiserror::Error, PartialEq, Eq)]
pub enum AddrError {
    #[error("address {0:?} has no scheme: use unix:PATH, unix:@NAME, tcp:HOST:PORT or pipe:NAME")]
    NoScheme(String),
    #[error("address {0:?} has an unknown scheme: use unix:PATH, unix:@NAME, tcp:HOST:PORT or pipe:NAME")]
    UnknownScheme(String),
    #[error("address {0:?}: empty socket path")]
    EmptyPath(String),
    #[error("address {0:?}: empty socket or pipe name")]
    EmptyName(String),
    #[error("address {0:?}: expected tcp:HOST:PORT")]
    MissingPort(String),
    #[error("address {0:?}: invalid port {1:?}")]
    BadPort(String, String),
    #[error("address {0:?}: empty host")]
    EmptyHost(String),
    #[error("address {0:?}: socket path contains a NUL byte")]
    Nul(String),
}

impl FromStr for Addr {
    type Err = AddrError;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        let (scheme, rest) = s
            .split_once(':')
            .ok_or_else(|| AddrError::NoScheme(s.to_owned()))?;
        match scheme {
            "unix" => {
                if rest.contains('\0') {
                    return Err(AddrError::Nul(s.to_owned()));
                }
                if let Some(name) = rest.strip_prefix('@') {
                    if name.is_empty() {
                        return Err(AddrError::EmptyName(s.to_owned()));
                    }
                    Ok(Addr::Abstract(name.to_owned()))
                } else if rest.is_empty() {
                    Err(AddrError::EmptyPath(s.to_owned()))
                } else {
                    Ok(Addr::Unix(PathBuf::from(rest)))
                }
            }
            "tcp" => {
                let (host, port) = rest
                    .rsplit_once(':')
                    .ok_or_else(|| AddrError::MissingPort(s.to_owned()))?;
                let port: u16 = port
                    .parse()
                    .map_err(|_| AddrError::BadPort(s.to_owned(), port.to_owned()))?;
                let host = host
                    .strip_prefix('[')
                    .and_then(|h| h.strip_suffix(']'))
                    .unwrap_or(host);
                if host.is_empty() {
                    return Err(AddrError::EmptyHost(s.to_owned()));
                }
                Ok(Addr::Tcp {
                    host: host.to_owned(),
                    port,
                })
            }
            "pipe" => {
                let name = rest.strip_prefix(r"\\.\pipe\").unwrap_or(rest);
                if name.is_empty() {
                    return Err(AddrError::EmptyName(s.to_owned()));
                }
                Ok(Addr::Pipe(name.to_owned()))
            }
            _ => Err(AddrError::UnknownScheme(s.to_owned())),
        }
    }
}

impl fmt::Display for Addr {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Addr::Unix(p) => write!(f, "unix:{}", p.display()),
            Addr::Abstract(n) => write!(f, "unix:@{n}"),
            Addr::Tcp { host, port } if host.contains(':') => write!(f, "tcp:[{host}]:{port}"),
            Addr::Tcp { host, port } => write!(f, "tcp:{host}:{port}"),
            Addr::Pipe(n) => write!(f, "pipe:{n}"),
        }
    }
}

/// The address used when none is given: `$IPC_ADDR`, else
/// `unix:$XDG_RUNTIME_DIR/ipc-server.sock`, else `unix:/tmp/ipc-server.sock`
/// (on Windows `tcp:127.0.0.1:7878`).
pub fn default_addr() -> String {
    if let Ok(a) = std::env::var("IPC_ADDR") {
        if !a.is_empty() {
            return a;
        }
    }
    if cfg!(windows) {
        return "tcp:127.0.0.1:7878".to_owned();
    }
    match std::env::var_os("XDG_RUNTIME_DIR") {
        Some(dir) if !dir.is_empty() => {
            format!(
                "unix:{}",
                PathBuf::from(dir).join("ipc-server.sock").display()
            )
        }
        _ => "unix:/tmp/ipc-server.sock".to_owned(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn named_pipes() {
        assert_eq!("pipe:ipc".parse::<Addr>(), Ok(Addr::Pipe("ipc".into())));
        assert_eq!(
            r"pipe:\\.\pipe\ipc".parse::<Addr>(),
            Ok(Addr::Pipe("ipc".into()))
        );
        assert_eq!(Addr::Pipe("ipc".into()).to_string(), "pipe:ipc");
        assert_eq!(Addr::pipe_path("ipc"), r"\\.\pipe\ipc");
        assert!(matches!(
            "pipe:".parse::<Addr>(),
            Err(AddrError::EmptyName(_))
        ));
    }

    #[test]
    fn parses_all_forms() {
        assert_eq!(
            "unix:/tmp/x.sock".parse::<Addr>().unwrap(),
            Addr::Unix("/tmp/x.sock".into())
        );
        assert_eq!(
            "unix:rel/x.sock".parse::<Addr>().unwrap(),
            Addr::Unix("rel/x.sock".into())
        );
        assert_eq!(
            "unix:@name".parse::<Addr>().unwrap(),
            Addr::Abstract("name".into())
        );
        assert_eq!(
            "tcp:localhost:80".parse::<Addr>().unwrap(),
            Addr::Tcp {
                host: "localhost".into(),
                port: 80
            }
        );
        assert_eq!(
            "tcp:[::1]:0".parse::<Addr>().unwrap(),
            Addr::Tcp {
                host: "::1".into(),
                port: 0
            }
        );
    }

    #[test]
    fn rejects_bad_forms() {
        assert!(matches!(
            "/tmp/x".parse::<Addr>(),
            Err(AddrError::NoScheme(_))
        ));
        assert!(matches!(
            "udp:x:1".parse::<Addr>(),
            Err(AddrError::UnknownScheme(_))
        ));
        assert!(matches!(
            "unix:".parse::<Addr>(),
            Err(AddrError::EmptyPath(_))
        ));
        assert!(matches!(
            "unix:@".parse::<Addr>(),
            Err(AddrError::EmptyName(_))
        ));
        assert!(matches!(
            "tcp:host".parse::<Addr>(),
            Err(AddrError::MissingPort(_))
        ));
        assert!(matches!(
            "tcp:host:99999".parse::<Addr>(),
            Err(AddrError::BadPort(..))
        ));
        assert!(matches!(
            "tcp::80".parse::<Addr>(),
            Err(AddrError::EmptyHost(_))
        ));
    }

    #[test]
    fn display_round_trips() {
        for s in ["unix:/a/b", "unix:@n", "tcp:127.0.0.1:9", "tcp:[::1]:9"] {
            assert_eq!(s.parse::<Addr>().unwrap().to_string(), s);
        }
    }
}
