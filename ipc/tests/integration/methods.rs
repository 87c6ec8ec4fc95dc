//! Every method, including the error cases, over a real Unix socket.

use std::io::Write;

use serde_json::{json, Value};

use crate::common::*;

fn req(method: &str, params: Value, id: i64) -> String {
    json!({"jsonrpc": "2.0", "method": method, "params": params, "id": id}).to_string()
}

#[test]
fn every_method_and_its_errors() {
    let server = Server::start(&[]);
    let mut c = server.connect();

    let r = c.call(r#"{"jsonrpc":"2.0","method":"ping","id":1}"#);
    assert_eq!(r, json!({"jsonrpc": "2.0", "result": "pong", "id": 1}));

    let r = c.call(&req(
        "echo",
        json!({"x": [1, "two", null], "y": {"z": true}}),
        2,
    ));
    assert_eq!(
        r["result"],
        json!({"x": [1, "two", null], "y": {"z": true}})
    );
    assert_eq!(r["id"], 2);

    let r = c.call(r#"{"jsonrpc":"2.0","method":"time","id":"t"}"#);
    assert_eq!(r["id"], "t");
    assert!(is_rfc3339(r["result"]["rfc3339"].as_str().unwrap()), "{r}");
    let now_ms = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .unwrap()
        .as_millis() as i64;
    assert!((r["result"]["unix_ms"].as_i64().unwrap() - now_ms).abs() < 10_000);

    let r = c.call(&req("arith.multiply", json!({"a": 6, "b": -7}), 3));
    assert_eq!(r["result"], -42);
    let r = c.call(&req("arith.multiply", json!({"a": i64::MAX, "b": 2}), 4));
    assert_eq!(r["error"]["code"], -32001, "{r}");
    assert!(r["error"]["message"].as_str().unwrap().contains("overflow"));
    assert_eq!(r["id"], 4);

    let r = c.call(&req("arith.divide", json!({"a": 17, "b": 8}), 5));
    assert_eq!(r["result"], json!({"quo": 2, "rem": 1}));
    let r = c.call(&req("arith.divide", json!({"a": 17, "b": 0}), 6));
    assert_eq!(r["error"]["code"], -32000, "{r}");
    assert_eq!(r["error"]["message"], "division by zero");
    assert_eq!(r["id"], 6);
    assert!(r.get("result").is_none());
    let r = c.call(&req("arith.divide", json!({"a": i64::MIN, "b": -1}), 7));
    assert_eq!(r["error"]["code"], -32001, "{r}");
    assert!(r["error"]["message"].as_str().unwrap().contains("overflow"));
    let r = c.call(&req("arith.divide", json!({"a": "x"}), 8));
    assert_eq!(r["error"]["code"], -32602, "{r}");

    let r = c.call(r#"{"jsonrpc":"2.0","method":"server.info","id":9}"#);
    let info = &r["result"];
    assert_eq!(info["target"], env!("IPC_TARGET"));
    assert_eq!(info["version"], env!("CARGO_PKG_VERSION"));
    assert_eq!(info["pid"], server.pid());
    assert!(info["uptime_secs"].as_f64().unwrap() >= 0.0);
    assert_eq!(info["connections"], 1);

    let r = c.call(r#"{"jsonrpc":"2.0","method":"whoami","id":10}"#);
    let me = &r["result"];
    assert_eq!(me["uid"], my_uid());
    assert_eq!(me["pid"], std::process::id());
    let name = ipc::peer::user_name(my_uid()).unwrap();
    assert_eq!(me["user"], json!(name));
    assert!(me["gid"].is_u64());

    let r = c.call(r#"{"jsonrpc":"2.0","method":"no.such","id":11}"#);
    assert_eq!(r["error"]["code"], -32601, "{r}");
    assert_eq!(r["id"], 11);

    // Invalid JSON: a parse error, and the connection stays usable.
    let r = c.call(r#"{"jsonrpc":"2.0","method":"ping","id":12"#);
    assert_eq!(r["error"]["code"], -32700, "{r}");
    assert_eq!(r["id"], Value::Null);
    let r = c.call("{not json at all}");
    assert_eq!(r["error"]["code"], -32700, "{r}");
    let r = c.call(r#"{"jsonrpc":"2.0","method":"ping","id":13}"#);
    assert_eq!(r["result"], "pong");

    // Not a request object.
    let r = c.call(r#"{"jsonrpc":"2.0","id":14}"#);
    assert_eq!(r["error"]["code"], -32600, "{r}");
    assert_eq!(r["id"], 14);

    // A notification gets no reply: the next reply is for the next request.
    c.send(b"{\"jsonrpc\":\"2.0\",\"method\":\"ping\"}\n");
    let r = c.call(r#"{"jsonrpc":"2.0","method":"ping","id":15}"#);
    assert_eq!(r["id"], 15);

    // A batch.
    let r = c.call(
        r#"[{"jsonrpc":"2.0","method":"ping","id":16},{"jsonrpc":"2.0","method":"arith.divide","params":[1,0],"id":17}]"#,
    );
    assert_eq!(r[0]["result"], "pong");
    assert_eq!(r[1]["error"]["code"], -32000);
}

#[test]
fn pipelined_requests_are_answered_in_order() {
    let server = Server::start(&[]);
    let mut c = server.connect();
    let mut all = Vec::new();
    for i in 0..200 {
        all.extend_from_slice(req("arith.multiply", json!([i, 2]), i).as_bytes());
        all.push(b'\n');
    }
    c.w.write_all(&all).unwrap();
    for i in 0..200 {
        let r = c.reply();
        assert_eq!(r["id"], i);
        assert_eq!(r["result"], i * 2);
    }
}

#[test]
fn last_request_without_newline_is_answered_at_eof() {
    let server = Server::start(&[]);
    let mut c = server.connect();
    c.send(br#"{"jsonrpc":"2.0","method":"ping","id":1}"#);
    c.w.shutdown(std::net::Shutdown::Write).unwrap();
    let r = c.reply();
    assert_eq!(r["result"], "pong");
    c.assert_closed();
}

#[test]
fn tcp_transport() {
    let server = Server::start_tcp(&[]);
    assert!(server.addr.starts_with("tcp:127.0.0.1:"), "{}", server.addr);
    let mut c = server.connect_tcp();
    let r = c.call(r#"{"jsonrpc":"2.0","method":"arith.divide","params":{"a":17,"b":8},"id":1}"#);
    assert_eq!(r["result"], json!({"quo": 2, "rem": 1}));
    // No peer credentials over TCP.
    let r = c.call(r#"{"jsonrpc":"2.0","method":"whoami","id":2}"#);
    assert_eq!(r["error"]["code"], -32005, "{r}");
    // The host is resolved by name too.
    let port = server.addr.rsplit(':').next().unwrap();
    let out = client(&["--connect", &format!("tcp:localhost:{port}"), "ping"]);
    assert!(out.status.success(), "{out:?}");
}

#[cfg(target_os = "linux")]
#[test]
fn abstract_socket() {
    let dir = tempfile::tempdir().unwrap();
    let name = format!("ipc-test-{}-{}", std::process::id(), dir.path().display());
    let name = name.replace('/', "_");
    let server = Server::start_listen(
        dir,
        std::path::PathBuf::new(),
        &format!("unix:@{name}"),
        &[],
    );
    let out = client(&["--connect", &server.addr, "whoami"]);
    assert!(out.status.success(), "{out:?}");
    let v: Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(v["uid"], my_uid());
}
