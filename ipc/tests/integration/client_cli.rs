//! The `ipc-client` command line.

use serde_json::Value;

use crate::common::*;

fn text(b: &[u8]) -> String {
    String::from_utf8_lossy(b).into_owned()
}

#[test]
fn calls_print_results_and_errors_go_to_stderr() {
    let server = Server::start(&[]);
    let out = client(&["--connect", &server.addr, "ping"]);
    assert!(out.status.success(), "{out:?}");
    assert_eq!(text(&out.stdout), "\"pong\"\n");

    let out = client(&[
        "--connect",
        &server.addr,
        "arith.divide",
        r#"{"a":17,"b":8}"#,
    ]);
    assert!(out.status.success(), "{out:?}");
    assert_eq!(text(&out.stdout), "{\"quo\":2,\"rem\":1}\n");

    let out = client(&[
        "--connect",
        &server.addr,
        "arith.divide",
        r#"{"a":17,"b":0}"#,
    ]);
    assert_eq!(out.status.code(), Some(1));
    assert!(out.stdout.is_empty());
    assert!(text(&out.stderr).contains("division by zero"), "{out:?}");

    let out = client(&["--connect", &server.addr, "no.such.method"]);
    assert_eq!(out.status.code(), Some(1));
    assert!(text(&out.stderr).contains("-32601"), "{out:?}");

    let out = client(&["--connect", &server.addr, "arith.divide", "{not json"]);
    assert_eq!(out.status.code(), Some(1));
    assert!(text(&out.stderr).contains("PARAMS"), "{out:?}");

    // IPC_ADDR is the default address.
    let out = std::process::Command::new(CLIENT)
        .arg("ping")
        .env("IPC_ADDR", &server.addr)
        .output()
        .unwrap();
    assert_eq!(text(&out.stdout), "\"pong\"\n");
}

#[test]
fn unreachable_server_is_an_error() {
    let dir = tempfile::tempdir().unwrap();
    let out = client(&[
        "--connect",
        &format!("unix:{}/none.sock", dir.path().display()),
        "ping",
    ]);
    assert_eq!(out.status.code(), Some(1));
    assert!(text(&out.stderr).contains("cannot connect"), "{out:?}");
    let out = client(&["--connect", "bogus", "ping"]);
    assert_eq!(out.status.code(), Some(1));
}

#[test]
fn bench_reports_throughput_and_latency() {
    let server = Server::start(&[]);
    let out = client(&[
        "--connect",
        &server.addr,
        "bench",
        "--connections",
        "4",
        "--requests",
        "400",
        "--json",
    ]);
    assert!(out.status.success(), "{out:?}");
    let v: Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(v["requests"], 400);
    assert_eq!(v["errors"], 0);
    assert!(v["requests_per_sec"].as_f64().unwrap() > 0.0);
    assert!(v["p50_us"].as_f64().unwrap() <= v["p99_us"].as_f64().unwrap());
    assert!(v["p99_us"].as_f64().unwrap() <= v["max_us"].as_f64().unwrap());

    let out = client(&["--connect", &server.addr, "bench", "-n", "2", "-r", "10"]);
    let s = text(&out.stdout);
    assert!(s.contains("requests/s") && s.contains("p99"), "{s}");
}

#[test]
fn idle_holds_connections() {
    let server = Server::start(&[]);
    let out = client(&[
        "--connect",
        &server.addr,
        "idle",
        "-n",
        "50",
        "--hold",
        "100ms",
    ]);
    assert!(out.status.success(), "{out:?}");
    assert!(text(&out.stdout).contains("holding 50 connections"));
}

#[test]
fn versions_name_the_target() {
    for bin in [SERVER, CLIENT] {
        let out = std::process::Command::new(bin)
            .arg("--version")
            .output()
            .unwrap();
        assert!(out.status.success());
        let s = text(&out.stdout);
        assert!(
            s.contains(env!("CARGO_PKG_VERSION")) && s.contains(env!("IPC_TARGET")),
            "{s}"
        );
    }
}

#[test]
fn structured_logs_in_text_and_json() {
    for format in ["text", "json"] {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("s.sock");
        let log = dir.path().join("log");
        let mut child = std::process::Command::new(SERVER)
            .args(["--listen", &format!("unix:{}", path.display())])
            .args(["--log-format", format])
            .stderr(std::fs::File::create(&log).unwrap())
            .spawn()
            .unwrap();
        let deadline = std::time::Instant::now() + std::time::Duration::from_secs(10);
        while !path.exists() {
            assert!(std::time::Instant::now() < deadline);
            std::thread::sleep(std::time::Duration::from_millis(10));
        }
        let out = client(&[
            "--connect",
            &format!("unix:{}", path.display()),
            "--raw",
            "hi\n",
        ]);
        assert!(out.status.success());
        // SAFETY: kill has no memory-safety preconditions.
        unsafe { libc::kill(child.id() as i32, libc::SIGTERM) };
        assert!(child.wait().unwrap().success());
        let text = std::fs::read_to_string(&log).unwrap();
        let lines: Vec<&str> = text.lines().collect();
        assert!(lines.len() >= 3, "{text}");
        if format == "json" {
            for l in &lines {
                let v: Value = serde_json::from_str(l).unwrap_or_else(|e| panic!("{e}: {l}"));
                assert!(
                    v["level"].is_string() && v["fields"]["message"].is_string(),
                    "{l}"
                );
            }
            assert!(text.contains("\"signal\":\"SIGTERM\""), "{text}");
        } else {
            assert!(
                lines[0].contains("listening") && lines[0].contains("addr=unix:"),
                "{text}"
            );
            assert!(text.contains("legacy message"), "{text}");
            assert!(text.contains("signal=\"SIGTERM\""), "{text}");
        }
    }
}
