//! Frame limit, idle timeout, connection limit.

use std::io::Write;
use std::time::{Duration, Instant};

use crate::common::*;

#[test]
fn two_mib_line_gets_an_error_and_a_close_with_bounded_memory() {
    let server = Server::start(&[]);
    let rss_before = server.status_kb("VmRSS");
    let mut c = server.connect();
    let mut w = c.w.try_clone().unwrap();
    let writer = std::thread::spawn(move || {
        let mut line = br#"{"jsonrpc":"2.0","method":"echo","params":[""#.to_vec();
        line.resize(2 << 20, b'a');
        line.extend_from_slice(b"\"],\"id\":1}\n");
        // The server may close before everything is sent.
        let _ = w.write_all(&line);
    });
    let r = c.reply();
    assert_eq!(r["error"]["code"], -32004, "{r}");
    assert!(r["error"]["message"]
        .as_str()
        .unwrap()
        .contains("too large"));
    c.assert_closed();
    writer.join().unwrap();
    // Peak memory stays far below what buffering such lines unboundedly takes.
    let hwm = server.status_kb("VmHWM");
    assert!(
        hwm < rss_before + 16 * 1024,
        "peak RSS {hwm} kB (was {rss_before} kB)"
    );
    server.assert_serves();
}

#[test]
fn frame_limit_is_configurable() {
    let server = Server::start(&["--max-frame", "1KiB"]);
    let mut c = server.connect();
    let r = c.call(&format!(
        r#"{{"jsonrpc":"2.0","method":"echo","params":["{}"],"id":1}}"#,
        "b".repeat(900)
    ));
    assert_eq!(r["result"][0].as_str().unwrap().len(), 900);
    c.send(&vec![b'{'; 1500]);
    let r = c.reply();
    assert_eq!(r["error"]["code"], -32004, "{r}");
    c.assert_closed();
}

#[test]
fn idle_connection_is_closed_after_the_idle_timeout() {
    let server = Server::start(&["--idle-timeout", "400ms"]);
    let mut active = server.connect();
    let mut idle = server.connect();
    let start = Instant::now();
    // The active one keeps talking past the timeout and stays open.
    for i in 0..8 {
        std::thread::sleep(Duration::from_millis(100));
        let r = active.call(&format!(r#"{{"jsonrpc":"2.0","method":"ping","id":{i}}}"#));
        assert_eq!(r["result"], "pong");
    }
    let r = idle.reply();
    let took = start.elapsed();
    assert_eq!(r["error"]["code"], -32006, "{r}");
    idle.assert_closed();
    assert!(took >= Duration::from_millis(350), "{took:?}");
    let r = active.call(r#"{"jsonrpc":"2.0","method":"ping","id":"still"}"#);
    assert_eq!(r["result"], "pong");
}

#[test]
fn beyond_the_connection_limit_clients_get_busy() {
    let server = Server::start(&["--max-connections", "2"]);
    let mut a = server.connect();
    let mut b = server.connect();
    a.call(r#"{"jsonrpc":"2.0","method":"ping","id":1}"#);
    b.call(r#"{"jsonrpc":"2.0","method":"ping","id":1}"#);
    let mut c = server.connect();
    let r = c.reply();
    assert_eq!(r["error"]["code"], -32002, "{r}");
    assert!(r["error"]["message"].as_str().unwrap().contains("busy"));
    c.assert_closed();
    // The admitted ones are unaffected; a slot freed is usable again.
    let r = a.call(r#"{"jsonrpc":"2.0","method":"server.info","id":2}"#);
    assert_eq!(r["result"]["connections"], 2);
    drop(b);
    let deadline = Instant::now() + Duration::from_secs(5);
    loop {
        let mut d = server.connect();
        d.send(b"{\"jsonrpc\":\"2.0\",\"method\":\"ping\",\"id\":3}\n");
        let r = d.reply();
        if r["result"] == "pong" {
            break;
        }
        assert!(Instant::now() < deadline, "slot never freed: {r}");
        std::thread::sleep(Duration::from_millis(20));
    }
}
