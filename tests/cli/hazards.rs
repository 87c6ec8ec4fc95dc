//! Hazards on binaries built here: static glibc with NSS (the Rust twin of Go's cgo
//! `net` story), build-machine RPATH/RUNPATH, a musl binary with glibc's loader, an
//! executable stack, musl's malloc under threads; and clean controls that must not be
//! flagged.

use std::process::Command;

use serde_json::Value;

use crate::common::{inspect_one, stdout, tool};
use crate::fixtures::{c_program, rust_resolver, HELLO_C};

fn codes(a: &Value) -> Vec<String> {
    a["hazards"]
        .as_array()
        .unwrap()
        .iter()
        .map(|h| h["code"].as_str().unwrap().to_owned())
        .collect()
}

fn hazard<'a>(a: &'a Value, code: &str) -> &'a Value {
    a["hazards"]
        .as_array()
        .unwrap()
        .iter()
        .find(|h| h["code"] == code)
        .unwrap_or_else(|| panic!("no {code} hazard in {}", a["hazards"]))
}

#[test]
fn static_glibc_resolver_has_the_nss_hazard() {
    let exe = rust_resolver("x86_64-unknown-linux-gnu", "-C target-feature=+crt-static");
    let a = inspect_one(&exe);
    let h = hazard(&a, "static-glibc-nss");
    assert_eq!(h["severity"], "error");
    let ev: Vec<&str> = h["evidence"]
        .as_array()
        .unwrap()
        .iter()
        .map(|v| v.as_str().unwrap())
        .collect();
    assert!(ev.contains(&"getaddrinfo"), "{ev:?}");
    assert!(ev.contains(&"getpwuid_r"), "{ev:?}");
    assert!(h["message"].as_str().unwrap().contains("getaddrinfo"));
    assert_eq!(a["portable"], false);
    // The oracle: the symbol table really defines getaddrinfo (linked in from libc.a).
    let nm = stdout(Command::new(tool("nm")).arg(&exe));
    // (a local `t` in a static link: libc.a's getaddrinfo is not exported)
    let defined = |name: &str| {
        nm.lines().any(|l| {
            let f: Vec<&str> = l.split_whitespace().collect();
            f.len() == 3 && f[2] == name && "TtWw".contains(f[1])
        })
    };
    assert!(
        defined("getaddrinfo") && defined("getpwuid_r"),
        "nm disagrees"
    );
}

#[test]
fn static_musl_resolver_has_no_hazard() {
    let exe = rust_resolver("x86_64-unknown-linux-musl", "");
    let a = inspect_one(&exe);
    assert!(codes(&a).is_empty(), "{}", a["hazards"]);
    assert_eq!(a["portable"], true);
}

#[test]
fn rpath_and_runpath_under_tmp_are_flagged() {
    let rpath = c_program(
        "rpath-tmp",
        "gcc",
        HELLO_C,
        &["-Wl,--disable-new-dtags,-rpath,/tmp/build-1234/lib"],
    );
    let a = inspect_one(&rpath);
    assert_eq!(a["rpath"], serde_json::json!(["/tmp/build-1234/lib"]));
    assert_eq!(
        hazard(&a, "rpath-build-path")["evidence"],
        serde_json::json!(["/tmp/build-1234/lib"])
    );
    // readelf is the oracle for where the path sits
    let rd = stdout(Command::new(tool("readelf")).arg("-d").arg(&rpath));
    assert!(rd.contains("(RPATH)") && rd.contains("/tmp/build-1234/lib"));

    let runpath = c_program(
        "runpath-home",
        "gcc",
        HELLO_C,
        &["-Wl,--enable-new-dtags,-rpath,$ORIGIN/../lib:/home/ci/project/target/release"],
    );
    let a = inspect_one(&runpath);
    assert!(a["rpath"].as_array().unwrap().is_empty());
    assert_eq!(
        hazard(&a, "rpath-build-path")["evidence"],
        serde_json::json!(["/home/ci/project/target/release"]),
        "only the build path is flagged, not $ORIGIN"
    );

    let origin = c_program(
        "runpath-origin",
        "gcc",
        HELLO_C,
        &["-Wl,-rpath,$ORIGIN/../lib"],
    );
    assert!(codes(&inspect_one(&origin)).is_empty());
}

#[test]
fn musl_binary_with_glibc_loader_is_flagged() {
    let exe = c_program(
        "musl-glibc-interp",
        "musl-gcc",
        HELLO_C,
        &["-Wl,--dynamic-linker=/lib64/ld-linux-x86-64.so.2"],
    );
    let a = inspect_one(&exe);
    assert_eq!(a["interpreter"], "/lib64/ld-linux-x86-64.so.2");
    let h = hazard(&a, "interpreter-libc-mismatch");
    assert_eq!(h["severity"], "error");
    // the C libraries by their report names, the path as it is
    assert!(
        h["message"].as_str().unwrap().starts_with(
            "linked against musl but asks for the loader /lib64/ld-linux-x86-64.so.2, which belongs to glibc"
        ),
        "{h}"
    );
    assert_eq!(a["portable"], false);

    // the same program with musl's own loader: a dynamic musl binary, which glibc
    // distributions cannot start
    let own = c_program("musl-dynamic", "musl-gcc", HELLO_C, &[]);
    let a = inspect_one(&own);
    assert!(!codes(&a).contains(&"interpreter-libc-mismatch".to_owned()));
    assert_eq!(a["libc"], "musl");
    hazard(&a, "musl-dynamic");
}

#[test]
fn executable_stack_is_flagged() {
    let exe = c_program("execstack", "gcc", HELLO_C, &["-z", "execstack"]);
    let a = inspect_one(&exe);
    let rl = stdout(Command::new(tool("readelf")).arg("-lW").arg(&exe));
    assert!(rl
        .lines()
        .any(|l| l.contains("GNU_STACK") && l.contains("RWE")));
    assert_eq!(hazard(&a, "executable-stack")["severity"], "error");
    assert_eq!(a["hardening"]["nx"], false);
}

#[test]
fn plain_gcc_binary_is_clean_and_hardened() {
    let exe = c_program(
        "hardened",
        "gcc",
        "#include <stdio.h>\n#include <string.h>\nint main(int c,char**v){char b[16];strcpy(b,v[0]);puts(b);return 0;}\n",
        &["-O2", "-D_FORTIFY_SOURCE=2", "-fstack-protector-strong", "-Wl,-z,relro,-z,now"],
    );
    let a = inspect_one(&exe);
    assert!(codes(&a).is_empty(), "{}", a["hazards"]);
    let h = &a["hardening"];
    assert_eq!(h["pie"], true);
    assert_eq!(h["relro"], "full");
    assert_eq!(h["nx"], true);
    assert_eq!(h["stack_canary"], true);
    assert_eq!(h["fortify"], true);
    assert_eq!(a["linker"]["name"], "gnu-ld");
}

/// A C program that starts a thread that allocates.
const THREADS_C: &str = "#include <pthread.h>\n#include <stdio.h>\n#include <stdlib.h>\n\
                         static void *work(void *a) { void *p = malloc(64); free(p); return a; }\n\
                         int main(void) { pthread_t t; pthread_create(&t, 0, work, 0); \
                         pthread_join(t, 0); puts(\"ok\"); return 0; }\n";

/// `nm`'s defined symbol names of `exe` (empty for a stripped one).
fn nm_defined(exe: &std::path::Path) -> Vec<String> {
    let out = Command::new(tool("nm")).arg(exe).output().unwrap();
    String::from_utf8_lossy(&out.stdout)
        .lines()
        .filter_map(|l| match l.split_whitespace().collect::<Vec<_>>()[..] {
            [_, kind, name] if kind != "U" => Some(name.to_owned()),
            _ => None,
        })
        .collect()
}

/// `musl-malloc`: a static musl program that starts threads allocates with musl's
/// malloc (nm: `pthread_create` defined, no allocator's symbol); with mimalloc's entry
/// point `mi_malloc` linked in (a stub of that name here, which is what the hazard
/// reads) there is none; a stripped Rust musl program that spawns a thread is told by
/// std's "failed to spawn thread" (`strings`), a Rust program without threads has no
/// such string and no hazard; a glibc program with threads has none.
#[test]
fn musl_threads_with_musl_malloc_have_the_allocator_warning() {
    let exe = c_program("musl-threads", "musl-gcc", THREADS_C, &["-static", "-O1"]);
    let nm = nm_defined(&exe);
    assert!(nm.iter().any(|s| s == "pthread_create"), "{nm:?}");
    assert!(!nm.iter().any(|s| s.starts_with("mi_") || s.contains("je_")));
    let a = inspect_one(&exe);
    assert_eq!(a["libc"], "musl");
    let h = hazard(&a, "musl-malloc");
    assert_eq!(h["severity"], "warning");
    assert_eq!(h["evidence"], serde_json::json!(["pthread_create"]));
    assert!(h["hint"].as_str().unwrap().contains("mimalloc"), "{h}");
    assert_eq!(a["portable"], true, "a warning only");

    let stub = format!("{THREADS_C}void *mi_malloc(size_t n) {{ return malloc(n); }}\n");
    let mi = c_program("musl-threads-mi", "musl-gcc", &stub, &["-static", "-O1"]);
    assert!(nm_defined(&mi).iter().any(|s| s == "mi_malloc"));
    let a = inspect_one(&mi);
    assert!(
        !codes(&a).contains(&"musl-malloc".to_owned()),
        "{}",
        a["hazards"]
    );

    let glibc = c_program("glibc-threads", "gcc", THREADS_C, &["-O1", "-pthread"]);
    let a = inspect_one(&glibc);
    assert_eq!(a["libc"], "glibc");
    assert!(codes(&a).is_empty(), "{}", a["hazards"]);

    let dir = crate::common::tempdir();
    let rust = |name: &str, src: &str| {
        let rs = crate::common::write(dir.path(), &format!("{name}.rs"), src);
        let out = dir.path().join(name);
        crate::common::run(
            Command::new(tool("rustc"))
                .args(["-O", "--target", "x86_64-unknown-linux-musl"])
                .args(["-C", "strip=symbols", "-o"])
                .arg(&out)
                .arg(&rs),
        );
        out
    };
    let spawns = rust(
        "spawns",
        "fn main() { let h = std::thread::spawn(|| vec![1u8; 64].len()); \
         println!(\"{}\", h.join().unwrap()); }\n",
    );
    assert!(nm_defined(&spawns).is_empty(), "stripped");
    let strings = stdout(Command::new("strings").arg("-a").arg(&spawns));
    assert!(strings.contains("failed to spawn thread"));
    let a = inspect_one(&spawns);
    let h = hazard(&a, "musl-malloc");
    assert!(
        h["evidence"][0]
            .as_str()
            .unwrap()
            .starts_with("failed to spawn thread"),
        "{h}"
    );
    let single = rust(
        "single",
        "fn main() { println!(\"{}\", vec![1u8; 64].len()); }\n",
    );
    let strings = stdout(Command::new("strings").arg("-a").arg(&single));
    assert!(!strings.contains("failed to spawn thread"));
    let a = inspect_one(&single);
    assert_eq!(a["libc"], "musl");
    assert!(codes(&a).is_empty(), "{}", a["hazards"]);
}

/// `musl-malloc` on a stripped tokio server: tokio starts its threads through
/// `std::thread::Builder`, so std's "failed to spawn thread" is not in the binary
/// (`strings`), and a stripped one has no `pthread_create` symbol (`nm`). Its blocking
/// pool's panic message "OS can't spawn worker thread: " tells it (its threads' name
/// "tokio-rt-worker" is not a string of the file: the compiler stores it as immediates).
/// Needs crates.io (tokio, pinned to the workspace's version).
#[test]
fn a_stripped_musl_tokio_server_has_the_allocator_warning() {
    let dir = std::path::Path::new(env!("CARGO_TARGET_TMPDIR")).join("hazards-tokio");
    let root = crate::common::new_crate(
        &dir,
        "server",
        "fn main() {\n    let rt = tokio::runtime::Builder::new_multi_thread()\n        \
         .worker_threads(2)\n        .build()\n        .unwrap();\n    \
         let n = rt.block_on(async { tokio::spawn(async { vec![1u8; 64].len() }).await });\n    \
         println!(\"{}\", n.unwrap());\n}\n",
        None,
    );
    let manifest = root.join("Cargo.toml");
    let text = std::fs::read_to_string(&manifest).unwrap();
    if !text.contains("tokio") {
        std::fs::write(
            &manifest,
            format!(
                "{text}\n[dependencies]\ntokio = {{ version = \"=1.54.1\", \
                 default-features = false, features = [\"rt-multi-thread\"] }}\n"
            ),
        )
        .unwrap();
    }
    crate::common::run(
        Command::new(tool("cargo"))
            .args([
                "build",
                "-q",
                "--release",
                "--target",
                "x86_64-unknown-linux-musl",
            ])
            .env("CARGO_PROFILE_RELEASE_STRIP", "symbols")
            .current_dir(&root),
    );
    let exe = root.join("target/x86_64-unknown-linux-musl/release/server");
    assert!(nm_defined(&exe).is_empty(), "stripped");
    let strings = stdout(Command::new("strings").arg("-a").arg(&exe));
    assert!(strings.contains("OS can't spawn worker thread"));
    assert!(!strings.contains("tokio-rt-worker"));
    assert!(
        !strings.contains("failed to spawn thread"),
        "std's sign is absent"
    );
    let a = inspect_one(&exe);
    assert_eq!(a["libc"], "musl");
    let h = hazard(&a, "musl-malloc");
    assert_eq!(
        h["evidence"],
        serde_json::json!([
            "OS can't spawn worker thread (string in a stripped binary: tokio's thread pool)"
        ]),
        "{h}"
    );
}
