//! Binaries built from source at test time, once per test process, cached under
//! cargo's per-test temporary directory so a re-run rebuilds nothing.

use std::collections::HashMap;
use std::path::{Path, PathBuf};
use std::process::Command;
use std::sync::Mutex;

use crate::common::{run, tool};

/// A Rust program that resolves a host name (getaddrinfo through std's
/// `ToSocketAddrs`) and looks up the home directory in the user database
/// (getpwuid_r in `std::env::home_dir` when HOME is unset): the Go `net` / `os/user`
/// story in Rust.
const RESOLVER_MAIN: &str = r#"
use std::net::ToSocketAddrs;

fn main() {
    let host = std::env::args().nth(1).unwrap_or_else(|| "localhost:80".to_owned());
    match host.to_socket_addrs() {
        Ok(a) => println!("{} addresses", a.count()),
        Err(e) => println!("resolve: {e}"),
    }
    #[allow(deprecated)]
    let home = std::env::home_dir();
    println!("{home:?}");
}
"#;

fn root() -> PathBuf {
    let d = Path::new(env!("CARGO_TARGET_TMPDIR")).join("fixtures");
    std::fs::create_dir_all(&d).unwrap();
    d
}

static BUILT: Mutex<Option<HashMap<String, PathBuf>>> = Mutex::new(None);

/// Build the resolver crate for `target` with extra RUSTFLAGS; returns the executable.
pub fn rust_resolver(target: &str, rustflags: &str) -> PathBuf {
    let key = format!("{target} {rustflags}");
    let mut guard = BUILT.lock().unwrap_or_else(|e| e.into_inner());
    let map = guard.get_or_insert_with(HashMap::new);
    if let Some(p) = map.get(&key) {
        return p.clone();
    }
    let krate = crate::common::new_crate(&root(), "resolver", RESOLVER_MAIN, None);
    // one target dir per flag set, so variants do not rebuild each other
    let tag: String = rustflags
        .chars()
        .map(|c| if c.is_ascii_alphanumeric() { c } else { '_' })
        .collect();
    let target_dir = root().join(format!("target-{tag}"));
    let mut c = Command::new(env!("CARGO"));
    c.current_dir(&krate)
        .args(["build", "--release", "--quiet", "--target", target])
        .env("CARGO_TARGET_DIR", &target_dir)
        .env("RUSTFLAGS", rustflags)
        .env_remove("CARGO_ENCODED_RUSTFLAGS");
    run(&mut c);
    let exe = target_dir
        .join(target)
        .join("release")
        .join(if target.contains("windows") {
            "resolver.exe"
        } else {
            "resolver"
        });
    assert!(exe.is_file(), "{} not built", exe.display());
    map.insert(key, exe.clone());
    exe
}

/// Compile C source with `compiler` into the fixture directory (cached by name).
pub fn c_program(name: &str, compiler: &str, src: &str, flags: &[&str]) -> PathBuf {
    let dir = root().join("c");
    std::fs::create_dir_all(&dir).unwrap();
    let c = dir.join(format!("{name}.c"));
    std::fs::write(&c, src).unwrap();
    let out = dir.join(name);
    let mut cmd = Command::new(tool(compiler));
    cmd.arg(&c).arg("-o").arg(&out).args(flags);
    run(&mut cmd);
    out
}

pub const HELLO_C: &str = "#include <stdio.h>\nint main(void){puts(\"hello\");return 0;}\n";

/// A Rust program using std's networking, threads and environment (the Mach-O and PE
/// fixtures).
pub const NET_PROGRAM: &str = r#"
use std::io::{Read, Write};
use std::net::{TcpListener, TcpStream};

fn main() {
    let listener = TcpListener::bind("127.0.0.1:0").expect("bind");
    let addr = listener.local_addr().expect("addr");
    let t = std::thread::spawn(move || {
        let (mut s, _) = listener.accept().expect("accept");
        let mut buf = String::new();
        s.read_to_string(&mut buf).expect("read");
        buf
    });
    let mut c = TcpStream::connect(addr).expect("connect");
    c.write_all(b"hello").expect("write");
    drop(c);
    let got = t.join().expect("join");
    println!("{got} from {addr} ({} args, {:?})", std::env::args().count(), std::env::var("HOME").ok());
}
"#;
