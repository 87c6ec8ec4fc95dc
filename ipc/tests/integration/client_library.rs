//! A JSON-RPC 2.0 client nobody here wrote against the running server: the npm
//! package `json-rpc-2.0` (its `JSONRPCClient`), driven by `jsonrpc_client.js` over a
//! Node `net` socket, on a Unix socket and on TCP (127.0.0.1).
//!
//! `.ci/run` installs the package into the CI tools directory; this test fails (it
//! never skips) with the install command when it is missing.

use std::path::{Path, PathBuf};
use std::process::Command;

use crate::common::*;

/// The pinned version `.ci/run` installs.
const PACKAGE: &str = "json-rpc-2.0@1.8.1";

/// The directory whose `node_modules` holds the package: `PORTABLE_ACTIONLINT_DIR`
/// (the CI tools directory the workspace's own tests use, `tests/cli/common.rs`),
/// else `<cache>/ci-lint` where the cache is `$CARGO_PORTABLE_CACHE`, else
/// `$XDG_CACHE_HOME/cargo-portable`, else `~/.cache/cargo-portable`.
fn ci_tools_dir() -> PathBuf {
    let var = |k: &str| std::env::var_os(k).filter(|v| !v.is_empty());
    if let Some(d) = var("PORTABLE_ACTIONLINT_DIR") {
        return d.into();
    }
    let cache = var("CARGO_PORTABLE_CACHE")
        .map(PathBuf::from)
        .unwrap_or_else(|| {
            var("XDG_CACHE_HOME")
                .map(PathBuf::from)
                .or_else(|| var("HOME").map(|h| Path::new(&h).join(".cache")))
                .expect("neither CARGO_PORTABLE_CACHE, XDG_CACHE_HOME nor HOME is set")
                .join("cargo-portable")
        });
    cache.join("ci-lint")
}

fn node_modules() -> PathBuf {
    let dir = ci_tools_dir();
    let modules = dir.join("node_modules");
    assert!(
        modules.join("json-rpc-2.0/package.json").is_file(),
        "the npm package json-rpc-2.0 is not in {}; install it with\n  \
         npm install --prefix '{}' --no-audit --no-fund {PACKAGE}\n(`bash .ci/run` does)",
        modules.display(),
        dir.display(),
    );
    modules
}

/// Runs the Node script against `addr` and asserts it passed every check.
fn run_client(addr: &str) {
    let script = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/integration/jsonrpc_client.js");
    let out = Command::new("node")
        .arg(&script)
        .arg(addr)
        .env("NODE_PATH", node_modules())
        .output()
        .unwrap_or_else(|e| panic!("node (Node.js) could not be run: {e}"));
    let stdout = String::from_utf8_lossy(&out.stdout);
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(
        out.status.success() && stdout.starts_with("ok "),
        "json-rpc-2.0 client against {addr}: {}\nstdout: {stdout}\nstderr: {stderr}",
        out.status
    );
}

#[test]
fn json_rpc_2_0_client_over_unix_socket() {
    let server = Server::start(&[]);
    run_client(&server.addr);
}

#[test]
fn json_rpc_2_0_client_over_tcp() {
    let server = Server::start_tcp(&[]);
    assert!(server.addr.starts_with("tcp:127.0.0.1:"), "{}", server.addr);
    run_client(&server.addr);
}
