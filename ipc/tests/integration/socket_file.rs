//! Socket-file safety: stale sockets are replaced, live ones never stolen,
//! non-sockets never deleted, mode 0600 from the start, removed on SIGTERM.

use std::os::unix::fs::PermissionsExt;
use std::process::Command;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Arc;
use std::time::{Duration, Instant};

use crate::common::*;

fn run_second(listen: &str) -> std::process::Output {
    let out = Command::new(SERVER)
        .args(["--listen", listen])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(1), "{out:?}");
    out
}

#[test]
fn stale_socket_is_replaced() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("s.sock");
    drop(std::os::unix::net::UnixListener::bind(&path).unwrap());
    assert!(path.exists(), "a closed listener leaves its file behind");
    let listen = format!("unix:{}", path.display());
    let server = Server::start_listen(dir, path, &listen, &[]);
    server.assert_serves();
    assert!(server.log().contains("removed stale socket"));
}

#[test]
fn live_socket_is_never_stolen() {
    let first = Server::start(&[]);
    let out = run_second(&first.addr);
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(err.contains("already listening"), "{err}");
    // The first server keeps its socket and keeps serving.
    first.assert_serves();
    first.assert_serves();
}

#[test]
fn regular_file_is_never_deleted() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("s.sock");
    std::fs::write(&path, b"precious").unwrap();
    let out = run_second(&format!("unix:{}", path.display()));
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(err.contains("not a socket"), "{err}");
    assert_eq!(std::fs::read(&path).unwrap(), b"precious");

    // Nor is a symlink (even one pointing at a socket), nor a directory.
    let target = dir.path().join("real.sock");
    drop(std::os::unix::net::UnixListener::bind(&target).unwrap());
    let link = dir.path().join("link.sock");
    std::os::unix::fs::symlink(&target, &link).unwrap();
    run_second(&format!("unix:{}", link.display()));
    assert!(link.symlink_metadata().unwrap().file_type().is_symlink());
    let sub = dir.path().join("d.sock");
    std::fs::create_dir(&sub).unwrap();
    run_second(&format!("unix:{}", sub.display()));
    assert!(sub.is_dir());
}

#[test]
fn socket_is_0600_from_the_first_moment() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("s.sock");
    // Watch the path as fast as we can while the server starts.
    let stop = Arc::new(AtomicBool::new(false));
    let watcher = {
        let (path, stop) = (path.clone(), stop.clone());
        std::thread::spawn(move || {
            let mut modes = std::collections::BTreeSet::new();
            let mut seen = 0u64;
            while !stop.load(Ordering::Relaxed) {
                if let Ok(md) = std::fs::symlink_metadata(&path) {
                    modes.insert(md.permissions().mode() & 0o7777);
                    seen += 1;
                }
            }
            (modes, seen)
        })
    };
    let listen = format!("unix:{}", path.display());
    let server = Server::start_listen(dir, path.clone(), &listen, &[]);
    std::thread::sleep(Duration::from_millis(50));
    stop.store(true, Ordering::Relaxed);
    let (modes, seen) = watcher.join().unwrap();
    assert!(seen > 0);
    assert_eq!(modes.into_iter().collect::<Vec<_>>(), vec![0o600]);
    server.assert_serves();
}

#[test]
fn mode_is_configurable() {
    let server = Server::start(&["--mode", "660"]);
    let mode = std::fs::metadata(&server.path)
        .unwrap()
        .permissions()
        .mode()
        & 0o777;
    assert_eq!(mode, 0o660);
}

#[test]
fn sigterm_finishes_in_flight_then_removes_socket_and_exits_0() {
    let mut server = Server::start(&[]);
    let mut idle = server.connect();
    idle.call(r#"{"jsonrpc":"2.0","method":"ping","id":1}"#);
    // A request that has started arriving is in flight.
    let mut busy = server.connect();
    busy.send(br#"{"jsonrpc":"2.0","method":"arith.divide","#);
    std::thread::sleep(Duration::from_millis(50));
    server.signal(libc::SIGTERM);

    // The idle connection is closed, the socket file removed, but the server
    // waits for the in-flight request.
    idle.assert_closed();
    let deadline = Instant::now() + Duration::from_secs(5);
    while server.path.exists() {
        assert!(Instant::now() < deadline, "socket file not removed");
        std::thread::sleep(Duration::from_millis(10));
    }
    assert!(
        server.exited().is_none(),
        "exited before the in-flight request finished"
    );

    busy.send(b"\"params\":{\"a\":17,\"b\":8},\"id\":2}\n");
    let r = busy.reply();
    assert_eq!(r["result"]["quo"], 2, "{r}");
    busy.assert_closed();
    let st = server.wait_exit(Duration::from_secs(5));
    assert_eq!(st.code(), Some(0), "{}", server.log());
    assert!(!server.path.exists());
}

#[test]
fn sigint_also_shuts_down_cleanly() {
    let mut server = Server::start(&[]);
    server.assert_serves();
    server.signal(libc::SIGINT);
    assert_eq!(server.wait_exit(Duration::from_secs(5)).code(), Some(0));
    assert!(!server.path.exists());
}
