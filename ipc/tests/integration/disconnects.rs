//! Peers that vanish (seed 004): close before reading, reset, or never read.
//! The server stays up, serves others meanwhile, and its descriptors return to
//! the baseline.

use std::io::Write;
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use std::sync::Arc;
use std::thread::JoinHandle;
use std::time::{Duration, Instant};

use serde_json::json;

use crate::common::*;

/// A connection that keeps pinging until stopped; returns how many succeeded.
fn bystander(server: &Server, stop: Arc<AtomicBool>) -> JoinHandle<usize> {
    let mut c = server.connect();
    std::thread::spawn(move || {
        let mut n = 0;
        while !stop.load(Ordering::Relaxed) {
            let r = c.call(&format!(r#"{{"jsonrpc":"2.0","method":"ping","id":{n}}}"#));
            assert_eq!(r["result"], "pong");
            n += 1;
            std::thread::sleep(Duration::from_millis(5));
        }
        n
    })
}

fn baseline(server: &Server) -> usize {
    server.assert_serves();
    std::thread::sleep(Duration::from_millis(100));
    server.fd_count()
}

#[test]
fn hundred_clients_close_before_reading() {
    let server = Server::start(&[]);
    let base = baseline(&server);
    let stop = Arc::new(AtomicBool::new(false));
    let others = bystander(&server, stop.clone());

    let big = "x".repeat(256 * 1024);
    let threads: Vec<_> = (0..100)
        .map(|i| {
            let path = server.path.clone();
            let big = big.clone();
            std::thread::spawn(move || {
                let mut s = connect_unix(&path);
                // Every fourth asks for a large reply, so the server is often
                // still writing when the peer is gone.
                let req = if i % 4 == 0 {
                    json!({"jsonrpc":"2.0","method":"echo","params":[big],"id":i})
                } else {
                    json!({"jsonrpc":"2.0","method":"arith.divide","params":[i, 3],"id":i})
                };
                s.write_all(format!("{req}\n").as_bytes()).unwrap();
                drop(s);
            })
        })
        .collect();
    for t in threads {
        t.join().unwrap();
    }
    std::thread::sleep(Duration::from_millis(200));
    stop.store(true, Ordering::Relaxed);
    assert!(others.join().unwrap() > 0);
    server.assert_serves();
    server.assert_fds_return_to(base);
}

#[test]
fn clients_that_reset_the_connection() {
    let server = Server::start_tcp(&[]);
    {
        let mut c = server.connect_tcp();
        c.call(r#"{"jsonrpc":"2.0","method":"ping","id":1}"#);
    }
    std::thread::sleep(Duration::from_millis(100));
    let base = server.fd_count();
    let mut other = server.connect_tcp();

    let hp = server.addr.strip_prefix("tcp:").unwrap().to_owned();
    let big = "y".repeat(512 * 1024);
    for i in 0..50 {
        let mut s = std::net::TcpStream::connect(&hp).unwrap();
        let req = if i % 2 == 0 {
            json!({"jsonrpc":"2.0","method":"echo","params":[big],"id":i})
        } else {
            json!({"jsonrpc":"2.0","method":"ping","id":i})
        };
        s.write_all(format!("{req}\n").as_bytes()).unwrap();
        if i % 3 == 0 {
            std::thread::sleep(Duration::from_millis(2));
        }
        // SO_LINGER 0: close() sends RST instead of FIN.
        socket2::SockRef::from(&s)
            .set_linger(Some(Duration::ZERO))
            .unwrap();
        drop(s);
        if i % 10 == 0 {
            let r = other.call(&format!(r#"{{"jsonrpc":"2.0","method":"ping","id":{i}}}"#));
            assert_eq!(r["result"], "pong");
        }
    }
    let r = other.call(r#"{"jsonrpc":"2.0","method":"ping","id":"last"}"#);
    assert_eq!(r["result"], "pong");
    drop(other);
    server.assert_fds_return_to(base);
}

#[test]
fn client_that_never_reads() {
    let server = Server::start(&["--write-timeout", "300ms"]);
    let base = baseline(&server);
    let stop = Arc::new(AtomicBool::new(false));
    let others = bystander(&server, stop.clone());

    // Pile up replies: keep sending echo requests, never read.
    let sent = Arc::new(AtomicUsize::new(0));
    let writer = {
        let path = server.path.clone();
        let sent = sent.clone();
        std::thread::spawn(move || {
            let mut s = connect_unix(&path);
            s.set_write_timeout(Some(Duration::from_secs(20))).unwrap();
            let req = format!(
                "{}\n",
                json!({"jsonrpc":"2.0","method":"echo","params":["z".repeat(8192)],"id":1})
            );
            let start = Instant::now();
            loop {
                if let Err(e) = s.write_all(req.as_bytes()) {
                    return (e.kind(), start.elapsed());
                }
                sent.fetch_add(1, Ordering::Relaxed);
                assert!(start.elapsed() < Duration::from_secs(15), "never cut off");
            }
        })
    };
    let (kind, took) = writer.join().unwrap();
    assert!(
        matches!(
            kind,
            std::io::ErrorKind::BrokenPipe | std::io::ErrorKind::ConnectionReset
        ),
        "{kind:?} after {took:?}"
    );
    assert!(sent.load(Ordering::Relaxed) > 10);
    stop.store(true, Ordering::Relaxed);
    assert!(
        others.join().unwrap() > 0,
        "others were not served meanwhile"
    );
    assert!(
        server.log().contains("write deadline exceeded"),
        "{}",
        server.log()
    );
    server.assert_serves();
    server.assert_fds_return_to(base);
}
