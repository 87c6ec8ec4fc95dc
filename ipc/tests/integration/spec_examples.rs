//! The "Examples" section of the JSON-RPC 2.0 specification
//! (<https://www.jsonrpc.org/specification#examples>), request by request over a real
//! Unix socket, and the cases around them.
//!
//! Requests and responses are written as the specification writes them, one frame per
//! line. Where it calls methods this server does not have, the request uses one of
//! ours with the same kind of params, and the expected result is ours: `arith.divide`
//! for `subtract` (`[42, 23]` gives `{"quo": 1, "rem": 19}`; named params
//! `{"a": 42, "b": 23}` in both orders), `arith.multiply [2,4]` for `sum [1,2,4]` (ours
//! takes two numbers), `echo` for `update`, `notify_hello` and `get_data` (echoing
//! `["hello", 5]` gives the specification's result), `arith.multiply` for
//! `notify_sum`. Methods the specification uses because they do *not* exist
//! (`foobar`, `foo.get`) are kept.
//!
//! A response matches the specification's when it has the same members with the same
//! values, except that an error's `message` only has to begin with the
//! specification's message (ignoring case: ours add the detail, e.g. `method not
//! found: foobar`) and an error may carry `data`.

use serde_json::{json, Value};

use crate::common::*;

/// Whether `got` is the specification's `want` (see the module comment).
fn matches_spec(got: &Value, want: &Value) -> bool {
    match (got, want) {
        (Value::Array(g), Value::Array(w)) => {
            g.len() == w.len() && g.iter().zip(w).all(|(g, w)| matches_spec(g, w))
        }
        (Value::Object(g), Value::Object(w)) if w.contains_key("error") => {
            let (ge, we) = (&g["error"], &w["error"]);
            let message = ge["message"].as_str().unwrap_or_default().to_lowercase();
            g.len() == w.len()
                && g["jsonrpc"] == w["jsonrpc"]
                && g.get("id") == w.get("id")
                && ge["code"] == we["code"]
                && message.starts_with(&we["message"].as_str().unwrap().to_lowercase())
                && ge
                    .as_object()
                    .unwrap()
                    .keys()
                    .all(|k| matches!(k.as_str(), "code" | "message" | "data"))
        }
        _ => got == want,
    }
}

/// Sends `request` (one frame) and checks the reply against `response`; `None`
/// means the specification expects no reply at all, which is checked by sending a
/// ping right after and getting the ping's reply as the next line.
fn check(c: &mut Line<std::os::unix::net::UnixStream>, request: &str, response: Option<&str>) {
    c.send(format!("{request}\n").as_bytes());
    match response {
        Some(want) => {
            let want: Value = serde_json::from_str(want).unwrap();
            let line = c
                .read_line()
                .ok()
                .flatten()
                .unwrap_or_else(|| panic!("request {request}\n no reply\n expected {want}"));
            let got: Value = serde_json::from_str(&line).unwrap();
            assert!(
                matches_spec(&got, &want),
                "request {request}\n got      {got}\n expected {want}"
            );
        }
        None => {
            let got = c.call(r#"{"jsonrpc":"2.0","method":"ping","id":"after"}"#);
            assert_eq!(
                got,
                json!({"jsonrpc": "2.0", "result": "pong", "id": "after"}),
                "request {request} was answered, but the specification answers nothing"
            );
        }
    }
}

/// Each example of the specification, in its order, on one connection (each one
/// also shows the connection stays usable after the one before).
#[test]
fn the_specifications_examples() {
    let examples: &[(&str, &str, Option<&str>)] = &[
        (
            "rpc call with positional parameters",
            r#"{"jsonrpc": "2.0", "method": "arith.divide", "params": [42, 23], "id": 1}"#,
            Some(r#"{"jsonrpc": "2.0", "result": {"quo": 1, "rem": 19}, "id": 1}"#),
        ),
        (
            "rpc call with positional parameters (swapped)",
            r#"{"jsonrpc": "2.0", "method": "arith.divide", "params": [23, 42], "id": 2}"#,
            Some(r#"{"jsonrpc": "2.0", "result": {"quo": 0, "rem": 23}, "id": 2}"#),
        ),
        (
            "rpc call with named parameters",
            r#"{"jsonrpc": "2.0", "method": "arith.divide", "params": {"b": 23, "a": 42}, "id": 3}"#,
            Some(r#"{"jsonrpc": "2.0", "result": {"quo": 1, "rem": 19}, "id": 3}"#),
        ),
        (
            "rpc call with named parameters (other order)",
            r#"{"jsonrpc": "2.0", "method": "arith.divide", "params": {"a": 42, "b": 23}, "id": 4}"#,
            Some(r#"{"jsonrpc": "2.0", "result": {"quo": 1, "rem": 19}, "id": 4}"#),
        ),
        (
            "a Notification",
            r#"{"jsonrpc": "2.0", "method": "echo", "params": [1,2,3,4,5]}"#,
            None,
        ),
        (
            "a Notification of a method that does not exist",
            r#"{"jsonrpc": "2.0", "method": "foobar"}"#,
            None,
        ),
        (
            "rpc call of non-existent method",
            r#"{"jsonrpc": "2.0", "method": "foobar", "id": "1"}"#,
            Some(
                r#"{"jsonrpc": "2.0", "error": {"code": -32601, "message": "Method not found"}, "id": "1"}"#,
            ),
        ),
        (
            "rpc call with invalid JSON",
            r#"{"jsonrpc": "2.0", "method": "foobar, "params": "bar", "baz]"#,
            Some(
                r#"{"jsonrpc": "2.0", "error": {"code": -32700, "message": "Parse error"}, "id": null}"#,
            ),
        ),
        (
            "rpc call with invalid Request object",
            r#"{"jsonrpc": "2.0", "method": 1, "params": "bar"}"#,
            Some(
                r#"{"jsonrpc": "2.0", "error": {"code": -32600, "message": "Invalid Request"}, "id": null}"#,
            ),
        ),
        (
            "rpc call Batch, invalid JSON",
            // One line here: the protocol is one frame per line.
            r#"[{"jsonrpc": "2.0", "method": "arith.multiply", "params": [2,4], "id": "1"}, {"jsonrpc": "2.0", "method"]"#,
            Some(
                r#"{"jsonrpc": "2.0", "error": {"code": -32700, "message": "Parse error"}, "id": null}"#,
            ),
        ),
        (
            "rpc call with an empty Array",
            "[]",
            Some(
                r#"{"jsonrpc": "2.0", "error": {"code": -32600, "message": "Invalid Request"}, "id": null}"#,
            ),
        ),
        (
            "rpc call with an invalid Batch (but not empty)",
            "[1]",
            Some(
                r#"[{"jsonrpc": "2.0", "error": {"code": -32600, "message": "Invalid Request"}, "id": null}]"#,
            ),
        ),
        (
            "rpc call with invalid Batch",
            "[1,2,3]",
            Some(
                r#"[
                    {"jsonrpc": "2.0", "error": {"code": -32600, "message": "Invalid Request"}, "id": null},
                    {"jsonrpc": "2.0", "error": {"code": -32600, "message": "Invalid Request"}, "id": null},
                    {"jsonrpc": "2.0", "error": {"code": -32600, "message": "Invalid Request"}, "id": null}
                ]"#,
            ),
        ),
        (
            "rpc call Batch",
            r#"[{"jsonrpc": "2.0", "method": "arith.multiply", "params": [2,4], "id": "1"}, {"jsonrpc": "2.0", "method": "echo", "params": [7]}, {"jsonrpc": "2.0", "method": "arith.divide", "params": [42,23], "id": "2"}, {"foo": "boo"}, {"jsonrpc": "2.0", "method": "foo.get", "params": {"name": "myself"}, "id": "5"}, {"jsonrpc": "2.0", "method": "echo", "params": ["hello", 5], "id": "9"}]"#,
            Some(
                r#"[
                    {"jsonrpc": "2.0", "result": 8, "id": "1"},
                    {"jsonrpc": "2.0", "result": {"quo": 1, "rem": 19}, "id": "2"},
                    {"jsonrpc": "2.0", "error": {"code": -32600, "message": "Invalid Request"}, "id": null},
                    {"jsonrpc": "2.0", "error": {"code": -32601, "message": "Method not found"}, "id": "5"},
                    {"jsonrpc": "2.0", "result": ["hello", 5], "id": "9"}
                ]"#,
            ),
        ),
        (
            "rpc call Batch (all notifications)",
            r#"[{"jsonrpc": "2.0", "method": "arith.multiply", "params": [2,4]}, {"jsonrpc": "2.0", "method": "echo", "params": [7]}]"#,
            None,
        ),
    ];
    let server = Server::start(&[]);
    let mut c = server.connect();
    for (name, request, response) in examples {
        eprintln!("{name}");
        check(&mut c, request, *response);
    }
}

const INVALID: &str =
    r#"{"jsonrpc": "2.0", "error": {"code": -32600, "message": "Invalid Request"}, "id": null}"#;

/// The rules around the examples: what makes a Request object invalid (answered with
/// -32600, with its id when the id itself is valid, else null; alone or in a batch),
/// and what is still a notification.
#[test]
fn invalid_request_objects_and_notifications() {
    // Not a valid Request object and no valid id to answer with: -32600, id null.
    let null_id = [
        // jsonrpc other than "2.0", or missing
        r#"{"jsonrpc": "1.0", "method": "ping"}"#,
        r#"{"method": "ping"}"#,
        // method not a string
        r#"{"jsonrpc": "2.0", "method": null}"#,
        // params neither array nor object
        r#"{"jsonrpc": "2.0", "method": "echo", "params": 3}"#,
        r#"{"jsonrpc": "2.0", "method": "echo", "params": null}"#,
        // an id that is an object, an array or a boolean
        r#"{"jsonrpc": "2.0", "method": "ping", "id": {"a": 1}}"#,
        r#"{"jsonrpc": "2.0", "method": "ping", "id": [1]}"#,
        r#"{"jsonrpc": "2.0", "method": "ping", "id": true}"#,
        // not an object at all, or an empty one
        r#""ping""#,
        "null",
        "{}",
    ];
    // Not a valid Request object, but its id is valid: -32600 with that id.
    let with_id = [
        (r#"{"jsonrpc": "1.0", "method": "ping", "id": 7}"#, "7"),
        (r#"{"jsonrpc": 2.0, "method": "ping", "id": "x"}"#, r#""x""#),
        (r#"{"jsonrpc": "2.0", "id": 1}"#, "1"),
        (
            r#"{"jsonrpc": "2.0", "method": "echo", "params": "bar", "id": 2}"#,
            "2",
        ),
    ];
    // Valid Request objects: an explicit null id is a request, not a notification; a
    // notification is never answered, even when it fails.
    //
    // Methods named `rpc.` + anything are reserved for the protocol's own extensions,
    // and this server has none: such a request is a valid Request object (its method
    // is a String) naming a method that does not exist, so -32601. -32600 would say
    // the object is malformed, which it is not, and would make a valid notification
    // to `rpc.x` answered.
    let valid = [
        (
            r#"{"jsonrpc": "2.0", "method": "ping", "id": null}"#,
            Some(r#"{"jsonrpc": "2.0", "result": "pong", "id": null}"#),
        ),
        (
            r#"{"jsonrpc": "2.0", "method": "arith.divide", "params": {"a": 1}}"#,
            None,
        ),
        (
            r#"{"jsonrpc": "2.0", "method": "arith.divide", "params": [1, 0]}"#,
            None,
        ),
        (
            r#"{"jsonrpc": "2.0", "method": "rpc.discover", "id": 11}"#,
            Some(
                r#"{"jsonrpc": "2.0", "error": {"code": -32601, "message": "Method not found"}, "id": 11}"#,
            ),
        ),
        (r#"{"jsonrpc": "2.0", "method": "rpc.discover"}"#, None),
    ];
    let server = Server::start(&[]);
    let mut c = server.connect();
    for request in null_id {
        check(&mut c, request, Some(INVALID));
    }
    for (request, id) in with_id {
        check(
            &mut c,
            request,
            Some(&INVALID.replace("null}", &format!("{id}}}"))),
        );
    }
    for (request, response) in valid {
        check(&mut c, request, response);
    }
    // The same rules inside a batch: one entry per invalid object, none for the
    // notification.
    let batch = format!(
        r#"[{}, {{"jsonrpc": "2.0", "method": "ping"}}]"#,
        null_id.join(", ")
    );
    let answer = format!("[{}]", vec![INVALID; null_id.len()].join(", "));
    check(&mut c, &batch, Some(&answer));
}
