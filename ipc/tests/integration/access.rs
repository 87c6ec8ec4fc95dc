//! `--allow-uid` / `--allow-user` against the peer's credentials.

use std::process::Command;

use serde_json::json;

use crate::common::*;

#[test]
fn other_uid_is_refused_and_disconnected() {
    let other = (my_uid() + 1).to_string();
    let server = Server::start(&["--allow-uid", &other]);
    let mut c = server.connect();
    let r = c.reply();
    assert_eq!(r["error"]["code"], -32003, "{r}");
    assert!(r["error"]["message"].as_str().unwrap().contains("denied"));
    c.assert_closed();
    let out = client(&["--connect", &server.addr, "ping"]);
    assert_eq!(out.status.code(), Some(1), "{out:?}");
    assert!(server.log().contains("access denied"));
}

#[test]
fn own_uid_is_served_and_whoami_tells_who() {
    let me = my_uid().to_string();
    let server = Server::start(&["--allow-uid", "4000000000", "--allow-uid", &me]);
    let mut c = server.connect();
    let r = c.call(r#"{"jsonrpc":"2.0","method":"whoami","id":1}"#);
    let name = ipc::peer::user_name(my_uid()).unwrap();
    assert_eq!(r["result"]["uid"], my_uid());
    assert_eq!(r["result"]["pid"], std::process::id());
    assert_eq!(r["result"]["user"], json!(name));
}

#[test]
fn allow_user_resolves_names() {
    let name = ipc::peer::user_name(my_uid())
        .unwrap()
        .expect("test user has a name");
    let server = Server::start(&["--allow-user", &name]);
    server.assert_serves();

    let out = Command::new(SERVER)
        .args([
            "--listen",
            &format!("unix:{}/x.sock", server.dir.path().display()),
        ])
        .args(["--allow-user", "no-such-user-ipc-test"])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(1));
    assert!(String::from_utf8_lossy(&out.stderr).contains("no such user"));
}

#[test]
fn tcp_peers_have_no_credentials_and_are_refused_when_restricted() {
    let server = Server::start_tcp(&["--allow-uid", &my_uid().to_string()]);
    let mut c = server.connect_tcp();
    let r = c.reply();
    assert_eq!(r["error"]["code"], -32003, "{r}");
    c.assert_closed();
}
