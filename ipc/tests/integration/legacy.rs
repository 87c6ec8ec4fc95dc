//! Legacy one-shot mode (seed 000): a PHP-style client that writes a message and
//! reads lines until EOF must get one `OK+ at <RFC 3339>` line and EOF promptly.

use std::io::{BufRead, BufReader, Write};
use std::os::unix::net::UnixStream;
use std::time::{Duration, Instant};

use crate::common::*;

const MSG: &str = "PHP sent Go a message at 12:00:00";

/// Sends `parts` with `gap` between them, then reads lines until EOF (like
/// `while ($read = socket_read($s, 512, PHP_NORMAL_READ))`), never half-closing.
fn php_client(server: &Server, parts: &[&str], gap: Duration) -> (Vec<String>, Duration) {
    let mut s = connect_unix(&server.path);
    let start = Instant::now();
    for (i, p) in parts.iter().enumerate() {
        if i > 0 {
            std::thread::sleep(gap);
        }
        s.write_all(p.as_bytes()).unwrap();
    }
    let mut r = BufReader::new(s.try_clone().unwrap());
    let mut lines = Vec::new();
    loop {
        let mut line = String::new();
        match r.read_line(&mut line) {
            Ok(0) => break,
            Ok(_) => lines.push(line),
            Err(e) => panic!("read failed after {:?}: {e}", start.elapsed()),
        }
    }
    (lines, start.elapsed())
}

fn assert_ok_reply(lines: &[String], took: Duration) {
    assert_eq!(lines.len(), 1, "{lines:?}");
    let line = &lines[0];
    assert!(line.ends_with('\n'), "{line:?}");
    let t = line
        .trim_end_matches('\n')
        .strip_prefix("OK+ at ")
        .unwrap_or_else(|| panic!("{line:?}"));
    assert!(is_rfc3339(t), "not RFC 3339: {t:?}");
    assert!(took < Duration::from_secs(1), "took {took:?}");
}

#[test]
fn message_without_newline() {
    let server = Server::start(&[]);
    let (lines, took) = php_client(&server, &[MSG], Duration::ZERO);
    assert_ok_reply(&lines, took);
    assert!(server.log().contains(MSG));
}

#[test]
fn message_with_newline() {
    let server = Server::start(&[]);
    let msg = format!("{MSG}\n");
    let (lines, took) = php_client(&server, &[&msg], Duration::ZERO);
    assert_ok_reply(&lines, took);
}

#[test]
fn message_in_three_fragments() {
    let server = Server::start(&[]);
    let (lines, took) = php_client(
        &server,
        &["PHP sent Go ", "a message ", "at 12:00:00"],
        Duration::from_millis(5),
    );
    assert_ok_reply(&lines, took);
    // The three fragments were taken as one message.
    assert!(server.log().contains(MSG), "{}", server.log());
}

#[test]
fn message_then_half_close() {
    let server = Server::start(&[]);
    let mut s: UnixStream = connect_unix(&server.path);
    let start = Instant::now();
    s.write_all(MSG.as_bytes()).unwrap();
    s.shutdown(std::net::Shutdown::Write).unwrap();
    let mut all = String::new();
    std::io::Read::read_to_string(&mut s, &mut all).unwrap();
    assert_ok_reply(&[all], start.elapsed());
}

#[test]
fn client_raw_flag() {
    let server = Server::start(&[]);
    let out = client(&["--connect", &server.addr, "--raw", MSG]);
    assert!(out.status.success(), "{out:?}");
    let s = String::from_utf8(out.stdout).unwrap();
    assert_ok_reply(&[s], Duration::ZERO);
}
