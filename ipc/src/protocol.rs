//! Newline-delimited JSON-RPC 2.0: request parsing, method dispatch and response
//! encoding, as pure functions over one frame (one line without its `\n`).
//!
//! Nothing here touches a socket; the server feeds complete frames in and writes
//! whatever bytes come out.

use std::borrow::Cow;
use std::time::{SystemTime, UNIX_EPOCH};

use serde::{Deserialize, Deserializer, Serialize};
use serde_json::value::RawValue;
use serde_json::{json, Value};

/// JSON-RPC error codes used by this server.
pub mod code {
    /// Invalid JSON was received.
    pub const PARSE_ERROR: i64 = -32700;
    /// The JSON sent is not a valid request object.
    pub const INVALID_REQUEST: i64 = -32600;
    /// The method does not exist.
    pub const METHOD_NOT_FOUND: i64 = -32601;
    /// Invalid method parameters.
    pub const INVALID_PARAMS: i64 = -32602;
    /// Internal error.
    pub const INTERNAL_ERROR: i64 = -32603;
    /// `arith.divide` with `b == 0`.
    pub const DIVISION_BY_ZERO: i64 = -32000;
    /// The result does not fit in a signed 64-bit integer.
    pub const OVERFLOW: i64 = -32001;
    /// The connection limit is reached; the connection is closed.
    pub const BUSY: i64 = -32002;
    /// The peer is not allowed by `--allow-uid`/`--allow-user`; the connection is closed.
    pub const ACCESS_DENIED: i64 = -32003;
    /// A frame exceeded the frame limit; the connection is closed.
    pub const FRAME_TOO_LARGE: i64 = -32004;
    /// Peer credentials are not available on this transport or platform.
    pub const NO_CREDENTIALS: i64 = -32005;
    /// The connection was idle for longer than the idle timeout; it is closed.
    pub const IDLE_TIMEOUT: i64 = -32006;
}

/// A JSON-RPC error object.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct RpcError {
    pub code: i64,
    pub message: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub data: Option<Value>,
}

impl RpcError {
    pub fn new(code: i64, message: impl Into<String>) -> Self {
        RpcError {
            code,
            message: message.into(),
            data: None,
        }
    }

    pub fn with_data(mut self, data: Value) -> Self {
        self.data = Some(data);
        self
    }
}

impl std::fmt::Display for RpcError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "error {}: {}", self.code, self.message)?;
        if let Some(d) = &self.data {
            write!(f, " ({d})")?;
        }
        Ok(())
    }
}

impl std::error::Error for RpcError {}

/// What the methods need from the server around them.
pub trait Env {
    /// The `server.info` result.
    fn server_info(&self) -> Value;
    /// The `whoami` result: the peer's uid, gid, pid and user name.
    fn whoami(&self) -> Result<Value, RpcError>;
}

/// The request object, with every member kept raw so that a wrongly typed member
/// still lets us answer with the request's id.
#[derive(Deserialize)]
struct RawRequest<'a> {
    #[serde(default, borrow, deserialize_with = "present")]
    jsonrpc: Option<&'a RawValue>,
    #[serde(default, borrow, deserialize_with = "present")]
    method: Option<&'a RawValue>,
    #[serde(default, borrow, deserialize_with = "present")]
    params: Option<&'a RawValue>,
    #[serde(default, borrow, deserialize_with = "present")]
    id: Option<&'a RawValue>,
}

/// `Some(raw)` whenever the member is present, including an explicit `null`.
fn present<'de, D: Deserializer<'de>>(d: D) -> Result<Option<&'de RawValue>, D::Error> {
    <&'de RawValue>::deserialize(d).map(Some)
}

const NULL_ID: &str = "null";

/// Handles one frame (a line without its terminating newline) and appends the
/// response line(s), each ending in `\n`, to `out`. Appends nothing for a blank
/// line, a notification, or a batch made only of notifications.
pub fn handle_frame(frame: &[u8], env: &dyn Env, out: &mut Vec<u8>) {
    let trimmed = trim_ascii(frame);
    if trimmed.is_empty() {
        return;
    }
    if trimmed[0] == b'[' {
        let items: Vec<&RawValue> = match serde_json::from_slice(trimmed) {
            Ok(items) => items,
            Err(e) => {
                write_error(out, NULL_ID, &parse_failure(&e));
                out.push(b'\n');
                return;
            }
        };
        if items.is_empty() {
            write_error(
                out,
                NULL_ID,
                &RpcError::new(code::INVALID_REQUEST, "invalid request: empty batch"),
            );
            out.push(b'\n');
            return;
        }
        let start = out.len();
        out.push(b'[');
        let mut any = false;
        for item in items {
            let before = out.len();
            if any {
                out.push(b',');
            }
            if handle_single(item.get().as_bytes(), env, out) {
                any = true;
            } else {
                out.truncate(before);
            }
        }
        if any {
            out.extend_from_slice(b"]\n");
        } else {
            out.truncate(start);
        }
    } else if handle_single(trimmed, env, out) {
        out.push(b'\n');
    }
}

/// Handles one request object; returns whether a response was written.
fn handle_single(bytes: &[u8], env: &dyn Env, out: &mut Vec<u8>) -> bool {
    let req: RawRequest<'_> = match serde_json::from_slice(bytes) {
        Ok(r) => r,
        Err(e) => {
            write_error(out, NULL_ID, &parse_failure(&e));
            return true;
        }
    };
    // The id, if it is a valid one, is echoed even when the rest is invalid.
    let id = match req.id {
        None => None,
        Some(raw) => match raw.get().as_bytes().first() {
            Some(b'"' | b'-' | b'0'..=b'9' | b'n') => Some(raw.get()),
            _ => {
                write_error(
                    out,
                    NULL_ID,
                    &RpcError::new(
                        code::INVALID_REQUEST,
                        "invalid request: id must be a string, a number or null",
                    ),
                );
                return true;
            }
        },
    };
    // Only a valid Request object without an id is a notification; anything else
    // is answered, with a null id when it has none.
    let (method, params) = match validate(&req) {
        Ok(valid) => valid,
        Err(e) => {
            write_error(out, id.unwrap_or(NULL_ID), &e);
            return true;
        }
    };
    let start = out.len();
    let Some(id) = id else {
        // A notification: run, but never answered, not even with an error.
        let _ = dispatch_into(&method, params, env, out);
        out.truncate(start);
        return false;
    };
    out.extend_from_slice(b"{\"jsonrpc\":\"2.0\",\"result\":");
    match dispatch_into(&method, params, env, out) {
        Ok(()) => {
            out.extend_from_slice(b",\"id\":");
            out.extend_from_slice(id.as_bytes());
            out.push(b'}');
        }
        Err(e) => {
            out.truncate(start);
            write_error(out, id, &e);
        }
    }
    true
}

fn validate<'a>(req: &RawRequest<'a>) -> Result<(Cow<'a, str>, Option<&'a RawValue>), RpcError> {
    let version_ok = req
        .jsonrpc
        .and_then(|raw| serde_json::from_str::<Cow<'_, str>>(raw.get()).ok())
        .is_some_and(|v| v == "2.0");
    if !version_ok {
        return Err(RpcError::new(
            code::INVALID_REQUEST,
            "invalid request: \"jsonrpc\" must be \"2.0\"",
        ));
    }
    let method = req
        .method
        .and_then(|raw| serde_json::from_str::<Cow<'a, str>>(raw.get()).ok())
        .ok_or_else(|| {
            RpcError::new(
                code::INVALID_REQUEST,
                "invalid request: \"method\" must be a string",
            )
        })?;
    if let Some(p) = req.params {
        if !matches!(p.get().as_bytes().first(), Some(b'{' | b'[')) {
            return Err(RpcError::new(
                code::INVALID_REQUEST,
                "invalid request: \"params\" must be an object or an array",
            ));
        }
    }
    Ok((method, req.params))
}

fn parse_failure(e: &serde_json::Error) -> RpcError {
    use serde_json::error::Category;
    match e.classify() {
        Category::Syntax | Category::Eof | Category::Io => {
            RpcError::new(code::PARSE_ERROR, format!("parse error: {e}"))
        }
        Category::Data => RpcError::new(code::INVALID_REQUEST, format!("invalid request: {e}")),
    }
}

/// Runs one method and returns its result. Public so it can be used without
/// framing.
pub fn dispatch(method: &str, params: Option<&RawValue>, env: &dyn Env) -> Result<Value, RpcError> {
    let mut out = Vec::new();
    dispatch_into(method, params, env, &mut out)?;
    serde_json::from_slice(&out).map_err(|e| RpcError::new(code::INTERNAL_ERROR, e.to_string()))
}

/// Runs one method, appending its result as JSON text to `out` on success
/// (`out` may hold partial output on error; the caller truncates).
fn dispatch_into(
    method: &str,
    params: Option<&RawValue>,
    env: &dyn Env,
    out: &mut Vec<u8>,
) -> Result<(), RpcError> {
    use std::io::Write as _;
    match method {
        "ping" => out.extend_from_slice(b"\"pong\""),
        // The params are valid JSON already: echo their text.
        "echo" => out.extend_from_slice(params.map_or("null", |p| p.get()).as_bytes()),
        "time" => {
            let now = SystemTime::now();
            let unix_ms = now
                .duration_since(UNIX_EPOCH)
                .map(|d| d.as_millis() as u64)
                .unwrap_or(0);
            let _ = write!(
                out,
                "{{\"rfc3339\":\"{}\",\"unix_ms\":{unix_ms}}}",
                rfc3339(now)
            );
        }
        "arith.multiply" => {
            let (a, b) = arith_params(params)?;
            let v = a.checked_mul(b).ok_or_else(|| overflow("multiply", a, b))?;
            let _ = write!(out, "{v}");
        }
        "arith.divide" => {
            let (a, b) = arith_params(params)?;
            if b == 0 {
                return Err(RpcError::new(code::DIVISION_BY_ZERO, "division by zero")
                    .with_data(json!({ "a": a, "b": b })));
            }
            match (a.checked_div(b), a.checked_rem(b)) {
                (Some(quo), Some(rem)) => {
                    let _ = write!(out, "{{\"quo\":{quo},\"rem\":{rem}}}");
                }
                _ => return Err(overflow("divide", a, b)),
            }
        }
        "server.info" => write_value(out, &env.server_info()),
        "whoami" => write_value(out, &env.whoami()?),
        other => {
            return Err(
                RpcError::new(code::METHOD_NOT_FOUND, format!("method not found: {other}"))
                    .with_data(json!({ "method": other })),
            )
        }
    }
    Ok(())
}

fn write_value(out: &mut Vec<u8>, v: &Value) {
    // Writing a Value into a Vec cannot fail.
    let _ = serde_json::to_writer(out, v);
}

fn overflow(op: &str, a: i64, b: i64) -> RpcError {
    RpcError::new(
        code::OVERFLOW,
        format!("integer overflow: {op} {a} by {b} does not fit in a signed 64-bit integer"),
    )
    .with_data(json!({ "a": a, "b": b, "op": op }))
}

#[derive(Deserialize)]
struct ArithArgs {
    a: i64,
    b: i64,
}

/// `{"a": i64, "b": i64}` or `[a, b]`.
fn arith_params(params: Option<&RawValue>) -> Result<(i64, i64), RpcError> {
    let bad = || {
        RpcError::new(
            code::INVALID_PARAMS,
            "invalid params: expected {\"a\": integer, \"b\": integer} with signed 64-bit integers",
        )
    };
    let p = params.ok_or_else(bad)?.get();
    if p.starts_with('[') {
        serde_json::from_str::<(i64, i64)>(p).map_err(|_| bad())
    } else {
        serde_json::from_str::<ArithArgs>(p)
            .map(|x| (x.a, x.b))
            .map_err(|_| bad())
    }
}

/// Appends an error response (without newline) for `id` (raw JSON text).
pub fn write_error(out: &mut Vec<u8>, id: &str, err: &RpcError) {
    out.extend_from_slice(b"{\"jsonrpc\":\"2.0\",\"error\":");
    let _ = serde_json::to_writer(&mut *out, err);
    out.extend_from_slice(b",\"id\":");
    out.extend_from_slice(id.as_bytes());
    out.push(b'}');
}

/// A complete error line with a null id, for replies sent outside any request
/// (busy, access denied, frame too large, idle timeout).
pub fn error_line(err: &RpcError) -> Vec<u8> {
    let mut out = Vec::with_capacity(128);
    write_error(&mut out, NULL_ID, err);
    out.push(b'\n');
    out
}

/// Whether a frame might call `whoami` (cheap over-approximation, so the server
/// can look the user name up off the async workers before dispatching).
pub fn mentions_whoami(frame: &[u8]) -> bool {
    let mut rest = frame;
    while let Some(p) = rest.iter().position(|&b| b == b'w') {
        if rest[p..].starts_with(b"whoami") {
            return true;
        }
        rest = &rest[p + 1..];
    }
    false
}

fn trim_ascii(mut b: &[u8]) -> &[u8] {
    while let [first, rest @ ..] = b {
        if first.is_ascii_whitespace() {
            b = rest;
        } else {
            break;
        }
    }
    while let [rest @ .., last] = b {
        if last.is_ascii_whitespace() {
            b = rest;
        } else {
            break;
        }
    }
    b
}

/// A response as a client sees it.
#[derive(Debug, Deserialize)]
pub struct Response {
    #[serde(default)]
    pub result: Option<Value>,
    #[serde(default)]
    pub error: Option<RpcError>,
    #[serde(default)]
    pub id: Value,
}

/// Formats a time as RFC 3339 in UTC with microseconds, e.g.
/// `2026-04-20T12:00:00.123456Z`.
pub fn rfc3339(t: SystemTime) -> String {
    let (secs, micros) = match t.duration_since(UNIX_EPOCH) {
        Ok(d) => (d.as_secs() as i64, d.subsec_micros()),
        Err(e) => {
            // Before 1970: round down to the previous whole second.
            let d = e.duration();
            let mut s = -(d.as_secs() as i64);
            let mut us = d.subsec_micros();
            if us > 0 {
                s -= 1;
                us = 1_000_000 - us;
            }
            (s, us)
        }
    };
    let days = secs.div_euclid(86_400);
    let sod = secs.rem_euclid(86_400);
    let (y, m, d) = civil_from_days(days);
    format!(
        "{y:04}-{m:02}-{d:02}T{:02}:{:02}:{:02}.{micros:06}Z",
        sod / 3600,
        sod % 3600 / 60,
        sod % 60
    )
}

/// Days since 1970-01-01 to (year, month, day) in the proleptic Gregorian calendar
/// (H. Hinnant's algorithm).
fn civil_from_days(z: i64) -> (i64, u32, u32) {
    let z = z + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z.rem_euclid(146_097);
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let d = (doy - (153 * mp + 2) / 5 + 1) as u32;
    let m = if mp < 10 { mp + 3 } else { mp - 9 } as u32;
    let y = yoe + era * 400 + i64::from(m <= 2);
    (y, m, d)
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::time::Duration;

    struct TestEnv;
    impl Env for TestEnv {
        fn server_info(&self) -> Value {
            json!({"version": "t"})
        }
        fn whoami(&self) -> Result<Value, RpcError> {
            Ok(json!({"uid": 1}))
        }
    }

    fn call(line: &str) -> Vec<Value> {
        let mut out = Vec::new();
        handle_frame(line.as_bytes(), &TestEnv, &mut out);
        let s = String::from_utf8(out).unwrap();
        assert!(s.is_empty() || s.ends_with('\n'), "{s:?}");
        s.lines()
            .map(|l| serde_json::from_str(l).unwrap())
            .collect()
    }

    fn one(line: &str) -> Value {
        let mut v = call(line);
        assert_eq!(v.len(), 1, "{v:?}");
        v.remove(0)
    }

    #[test]
    fn methods() {
        assert_eq!(
            one(r#"{"jsonrpc":"2.0","method":"ping","id":1}"#),
            json!({"jsonrpc":"2.0","result":"pong","id":1})
        );
        assert_eq!(
            one(r#"{"jsonrpc":"2.0","method":"echo","params":{"x":[1,"a"]},"id":"s"}"#)["result"],
            json!({"x":[1,"a"]})
        );
        assert_eq!(
            one(r#"{"jsonrpc":"2.0","method":"arith.multiply","params":{"a":6,"b":-7},"id":1}"#)
                ["result"],
            json!(-42)
        );
        assert_eq!(
            one(r#"{"jsonrpc":"2.0","method":"arith.divide","params":[17,8],"id":1}"#)["result"],
            json!({"quo":2,"rem":1})
        );
        assert_eq!(
            one(r#"{"jsonrpc":"2.0","method":"arith.divide","params":{"a":-17,"b":8},"id":1}"#)
                ["result"],
            json!({"quo":-2,"rem":-1})
        );
        let t = one(r#"{"jsonrpc":"2.0","method":"time","id":1}"#);
        assert!(t["result"]["rfc3339"].as_str().unwrap().ends_with('Z'));
        assert_eq!(
            one(r#"{"jsonrpc":"2.0","method":"whoami","id":null}"#),
            json!({"jsonrpc":"2.0","result":{"uid":1},"id":null})
        );
    }

    #[test]
    fn arithmetic_errors() {
        let e = one(r#"{"jsonrpc":"2.0","method":"arith.divide","params":{"a":1,"b":0},"id":1}"#);
        assert_eq!(e["error"]["code"], json!(code::DIVISION_BY_ZERO));
        assert_eq!(e["id"], json!(1));
        let e = one(&format!(
            r#"{{"jsonrpc":"2.0","method":"arith.divide","params":{{"a":{},"b":-1}},"id":2}}"#,
            i64::MIN
        ));
        assert_eq!(e["error"]["code"], json!(code::OVERFLOW));
        let e = one(&format!(
            r#"{{"jsonrpc":"2.0","method":"arith.multiply","params":{{"a":{},"b":2}},"id":2}}"#,
            i64::MAX
        ));
        assert_eq!(e["error"]["code"], json!(code::OVERFLOW));
        for bad in [
            r#"{"a":1}"#,
            r#"{"a":1.5,"b":2}"#,
            r#"{"a":"1","b":2}"#,
            r#"[1]"#,
            r#"{"a":18446744073709551615,"b":1}"#,
        ] {
            let e = one(&format!(
                r#"{{"jsonrpc":"2.0","method":"arith.divide","params":{bad},"id":3}}"#
            ));
            assert_eq!(e["error"]["code"], json!(code::INVALID_PARAMS), "{bad}");
        }
    }

    #[test]
    fn protocol_errors() {
        let e = one(r#"{"jsonrpc":"2.0","method":"nope","id":1}"#);
        assert_eq!(e["error"]["code"], json!(code::METHOD_NOT_FOUND));
        let e = one(r#"{"jsonrpc":"2.0","method":"ping","id":1"#);
        assert_eq!(e["error"]["code"], json!(code::PARSE_ERROR));
        assert_eq!(e["id"], Value::Null);
        let e = one("not json");
        assert_eq!(e["error"]["code"], json!(code::PARSE_ERROR));
        let e = one("42");
        assert_eq!(e["error"]["code"], json!(code::INVALID_REQUEST));
        let e = one(r#"{"jsonrpc":"1.0","method":"ping","id":7}"#);
        assert_eq!(e["error"]["code"], json!(code::INVALID_REQUEST));
        assert_eq!(e["id"], json!(7));
        let e = one(r#"{"jsonrpc":"2.0","method":5,"id":7}"#);
        assert_eq!(e["error"]["code"], json!(code::INVALID_REQUEST));
        let e = one(r#"{"jsonrpc":"2.0","method":"ping","id":{}}"#);
        assert_eq!(e["error"]["code"], json!(code::INVALID_REQUEST));
        assert_eq!(e["id"], Value::Null);
        let e = one(r#"{"jsonrpc":"2.0","method":"ping","params":3,"id":1}"#);
        assert_eq!(e["error"]["code"], json!(code::INVALID_REQUEST));
        let e = one("[]");
        assert_eq!(e["error"]["code"], json!(code::INVALID_REQUEST));
    }

    #[test]
    fn notifications_and_batches() {
        assert!(call(r#"{"jsonrpc":"2.0","method":"ping"}"#).is_empty());
        assert!(call(r#"{"jsonrpc":"2.0","method":"nope"}"#).is_empty());
        assert!(call("   \r").is_empty());
        let b = one(
            r#"[{"jsonrpc":"2.0","method":"ping","id":1},{"jsonrpc":"2.0","method":"ping"},1,{"jsonrpc":"2.0","method":"nope","id":2}]"#,
        );
        let arr = b.as_array().unwrap();
        assert_eq!(arr.len(), 3);
        assert_eq!(arr[0]["result"], json!("pong"));
        assert_eq!(arr[1]["error"]["code"], json!(code::INVALID_REQUEST));
        assert_eq!(arr[2]["error"]["code"], json!(code::METHOD_NOT_FOUND));
        assert!(call(r#"[{"jsonrpc":"2.0","method":"ping"}]"#).is_empty());
    }

    #[test]
    fn invalid_objects_without_id_are_answered() {
        // Only a valid Request object without an id is a notification.
        for bad in [
            r#"{"jsonrpc":"2.0","method":1,"params":"bar"}"#,
            r#"{"jsonrpc":"1.0","method":"ping"}"#,
            r#"{"jsonrpc":"2.0","method":"echo","params":3}"#,
            r#"{"foo":"boo"}"#,
        ] {
            let e = one(bad);
            assert_eq!(e["error"]["code"], json!(code::INVALID_REQUEST), "{bad}");
            assert_eq!(e["id"], Value::Null);
            let b = one(&format!(r#"[{bad},{{"jsonrpc":"2.0","method":"ping"}}]"#));
            assert_eq!(b.as_array().unwrap().len(), 1, "{b}");
            assert_eq!(b[0]["error"]["code"], json!(code::INVALID_REQUEST), "{bad}");
            assert_eq!(b[0]["id"], Value::Null);
        }
        // A valid notification that fails is still not answered.
        assert!(call(r#"{"jsonrpc":"2.0","method":"arith.divide","params":[1,0]}"#).is_empty());
    }

    #[test]
    fn rfc3339_format() {
        assert_eq!(rfc3339(UNIX_EPOCH), "1970-01-01T00:00:00.000000Z");
        assert_eq!(
            rfc3339(UNIX_EPOCH + Duration::from_secs(951_782_400)),
            "2000-02-29T00:00:00.000000Z"
        );
        assert_eq!(
            rfc3339(UNIX_EPOCH + Duration::new(1_700_000_000, 123_456_789)),
            "2023-11-14T22:13:20.123456Z"
        );
        assert_eq!(
            rfc3339(UNIX_EPOCH - Duration::from_millis(500)),
            "1969-12-31T23:59:59.500000Z"
        );
    }
}
