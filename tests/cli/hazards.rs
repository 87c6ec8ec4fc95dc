//! Hazards on binaries built here: static glibc with NSS (the Rust twin of Go's cgo
//! `net` story), build-machine RPATH/RUNPATH, a musl binary with glibc's loader, an
//! executable stack; and clean controls that must not be flagged.

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
