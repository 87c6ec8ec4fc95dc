//! The BSDs as real systems: a binary the tool builds for x86_64-unknown-freebsd
//! (zig's FreeBSD libc, the built-in `wide` matrix's variant), and C programs zig
//! links for every other architecture of FreeBSD, NetBSD and OpenBSD it has a libc
//! for, inspected and checked against readelf, llvm-nm and file.

use std::collections::BTreeSet;
use std::process::Command;

use serde_json::Value;

use crate::common::{new_crate, portable, readelf_needed, stdout, tempdir, tool};

/// A crate with threads, time and a float: libthr, libm and libc symbols.
const MAIN: &str = "fn main() {\n    let t = std::thread::spawn(|| (std::time::Instant::now(), 2.0f64.sqrt()));\n    let (i, r) = t.join().unwrap();\n    println!(\"{:?} {r}\", i.elapsed() < std::time::Duration::from_secs(60));\n}\n";

/// `llvm-nm -D -u`: the undefined dynamic symbols, as `name@VERSION`.
fn nm_undefined(exe: &std::path::Path) -> BTreeSet<String> {
    stdout(Command::new(tool("llvm-nm")).args(["-D", "-u"]).arg(exe))
        .lines()
        .filter_map(|l| l.split_whitespace().last().map(str::to_owned))
        .collect()
}

/// The report's imports as llvm-nm prints them: `name@VERSION`, or `name`.
fn versioned_imports(a: &Value) -> BTreeSet<String> {
    a["imports"]
        .as_array()
        .unwrap()
        .iter()
        .map(|i| match i["version"].as_str() {
            Some(ver) => format!("{}@{ver}", i["name"].as_str().unwrap()),
            None => i["name"].as_str().unwrap().to_owned(),
        })
        .collect()
}

/// A C program with threads, math and stdio: libpthread (libthr), libm and libc.
const HELLO_C: &str = "#include <math.h>\n#include <pthread.h>\n#include <stdio.h>\nstatic void *run(void *a) { return a; }\nint main(int c, char **v) { pthread_t t; pthread_create(&t, 0, run, 0); pthread_join(t, 0); printf(\"%f\\n\", sqrt(c)); return 0; }\n";

/// `file`'s "for FreeBSD 14.0 (1400500)": the release and the note's value.
fn file_says(exe: &std::path::Path) -> (String, String) {
    let out = stdout(Command::new(tool("file")).arg("-b").arg(exe));
    let rest = out
        .split("for FreeBSD ")
        .nth(1)
        .unwrap_or_else(|| panic!("file does not name FreeBSD: {out}"));
    let release = rest.split_whitespace().next().unwrap().to_owned();
    let value = rest
        .split(['(', ')'])
        .nth(1)
        .unwrap_or_else(|| panic!("no note value in {out}"))
        .to_owned();
    (release, value)
}

#[test]
fn a_freebsd_binary_built_with_zig_is_reported_as_freebsd() {
    let dir = tempdir();
    let root = new_crate(dir.path(), "bsdhello", MAIN, None);
    let out = portable()
        .args(["build", "--format", "json", "--manifest-path"])
        .arg(root.join("Cargo.toml"))
        .args(["--matrix", "wide", "--variant", "freebsd-x86_64"])
        .output()
        .unwrap();
    let r: Value = serde_json::from_slice(&out.stdout)
        .unwrap_or_else(|e| panic!("not JSON ({e}): {}", String::from_utf8_lossy(&out.stderr)));
    assert_eq!(r["matrix"], "targets/wide.toml (built in)");
    let v = &r["variants"][0];
    assert_eq!(
        v["status"],
        "built",
        "{v:#}\n{}",
        String::from_utf8_lossy(&out.stderr)
    );
    // the wide matrix's expectations hold: dynamic, base-system libraries only
    assert_eq!(v["expect"]["passed"], true, "{:#}", v["expect"]);
    let a = &v["artifacts"][0];
    let exe = std::path::PathBuf::from(a["path"].as_str().unwrap());
    assert_eq!(a["os"], "freebsd");
    assert_eq!(a["libc"], "freebsd-libc");
    assert_eq!(a["interpreter"], "/libexec/ld-elf.so.1");

    // the needed libraries: readelf's, in order, and all of FreeBSD's base system
    let names = crate::common::library_names(a);
    let readelf = readelf_needed(&exe);
    assert_eq!(names, readelf);
    assert!(readelf.iter().any(|l| l == "libc.so.7"), "{readelf:?}");
    for l in a["libraries"].as_array().unwrap() {
        assert_eq!(l["class"], "system", "{l}");
    }

    // the imports with their FBSD_1.x versions: llvm-nm's
    let nm = nm_undefined(&exe);
    assert_eq!(versioned_imports(a), nm);
    let fbsd: BTreeSet<&str> = nm
        .iter()
        .filter_map(|s| s.split_once("@FBSD_").map(|(_, v)| v))
        .collect();
    assert!(!fbsd.is_empty(), "no FBSD_1.x versions in {nm:?}");

    // the minimum FreeBSD: at least what file reads from the ABI note, and the note
    // is cited where it decides
    let (release, value) = file_says(&exe);
    let min = &a["requires"]["freebsd"];
    let version = min["version"].as_str().unwrap();
    let num = |s: &str| -> Vec<u32> { s.split('.').map(|p| p.parse().unwrap()).collect() };
    assert!(num(version) >= num(&release), "{min} vs file's {release}");
    let forced: Vec<&str> = min["forced_by"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| f.as_str().unwrap())
        .collect();
    if version == release {
        assert!(
            forced.contains(&format!("ABI note: __FreeBSD_version {value}").as_str()),
            "{forced:?}"
        );
    }
    // every import it names is one of llvm-nm's at the highest FBSD_1.x
    let top = fbsd.iter().max_by_key(|v| num(v)).unwrap();
    for f in forced.iter().filter(|f| !f.starts_with("ABI note")) {
        assert!(
            nm.contains(*f) && f.ends_with(&format!("@FBSD_{top}")),
            "{f}"
        );
    }

    // no glibc, no Linux distributions
    assert!(a["requires"]["glibc"].is_null());
    assert!(a["requires"]["linux_kernel"].is_null());
    assert_eq!(a["runs_on"]["distributions"], serde_json::json!([]));
    assert_eq!(
        a["runs_on"]["summary"],
        format!("x86_64 FreeBSD ≥ {version}")
    );
}

#[test]
fn targets_lists_the_wide_matrix() {
    let out = portable()
        .args(["targets", "--format", "json", "--matrix", "wide"])
        .output()
        .unwrap();
    assert!(out.status.code().is_some(), "{out:?}");
    let v: Value = serde_json::from_slice(&out.stdout)
        .unwrap_or_else(|e| panic!("not JSON ({e}): {}", String::from_utf8_lossy(&out.stderr)));
    assert_eq!(v["matrix"], "targets/wide.toml (built in)");
    let ids: Vec<&str> = v["variants"]
        .as_array()
        .unwrap()
        .iter()
        .map(|v| v["id"].as_str().unwrap())
        .collect();
    for id in [
        "linux-i686-gnu",
        "linux-i686-musl",
        "linux-armv7-gnueabihf",
        "linux-armv7-musleabihf",
        "linux-riscv64-gnu",
        "linux-powerpc64le-gnu",
        "linux-s390x-gnu",
        "linux-loongarch64-gnu",
        "freebsd-x86_64",
        "netbsd-x86_64",
        "windows-i686-gnu",
        "macos-aarch64",
    ] {
        assert!(ids.contains(&id), "{id} not listed: {ids:?}");
    }
}

/// NetBSD through zig's NetBSD libc: a C program, inspected against readelf and file.
#[test]
fn a_netbsd_binary_built_with_zig_is_reported_as_netbsd() {
    let dir = tempdir();
    let src = crate::common::write(dir.path(), "hello.c", HELLO_C);
    let mut zig = crate::common::zig_cc();
    zig.extend(["-target".into(), "x86_64-netbsd".into()]);
    let zig: Vec<&str> = zig.iter().map(String::as_str).collect();
    let exe = crate::common::cc(&zig, &src, &dir.path().join("hello"), &["-lm", "-lpthread"]);
    let a = crate::common::inspect_one(&exe);
    assert_eq!(a["os"], "netbsd");
    assert_eq!(a["libc"], "netbsd-libc");
    assert_eq!(a["interpreter"], "/libexec/ld.elf_so");
    let names: Vec<String> = crate::common::library_names(&a);
    assert_eq!(names, readelf_needed(&exe));
    assert!(names.iter().any(|l| l == "libc.so.12"), "{names:?}");
    for l in a["libraries"].as_array().unwrap() {
        assert_eq!(l["class"], "system", "{l}");
    }
    // file: "for NetBSD 10.1"
    let out = stdout(Command::new(tool("file")).arg("-b").arg(&exe));
    let release = out
        .split("for NetBSD ")
        .nth(1)
        .and_then(|r| r.split([',', ' ']).next())
        .unwrap_or_else(|| panic!("file does not name NetBSD: {out}"));
    assert_eq!(a["requires"]["netbsd"]["version"], release, "{out}");
    assert!(a["requires"]["freebsd"].is_null());
    assert_eq!(
        a["runs_on"]["summary"],
        format!("x86_64 NetBSD ≥ {release}")
    );
    assert_eq!(a["runs_on"]["distributions"], serde_json::json!([]));
}

/// One C program (threads, math, stdio) for each BSD and architecture zig ships a libc
/// for, beyond x86_64 FreeBSD and NetBSD above: the OS, its own libc, base-system
/// libraries and the minimum release where the binary names one, against readelf,
/// llvm-nm and file. OpenBSD's libc is `libc.so` to zig's stubs, musl's name: it is
/// still OpenBSD's, with no musl hazard.
#[test]
fn every_bsd_architecture_zig_targets_is_reported_as_its_own_system() {
    let dir = tempdir();
    let src = crate::common::write(dir.path(), "hello.c", HELLO_C);
    // zig target, os, the report's arch, the OS's name in runs_on, file's word for it
    let cases = [
        ("x86-freebsd", "freebsd", "x86", "FreeBSD"),
        ("aarch64-freebsd", "freebsd", "aarch64", "FreeBSD"),
        ("arm-freebsd-eabihf", "freebsd", "arm", "FreeBSD"),
        ("powerpc64le-freebsd", "freebsd", "powerpc64le", "FreeBSD"),
        ("riscv64-freebsd", "freebsd", "riscv64", "FreeBSD"),
        ("x86-netbsd", "netbsd", "x86", "NetBSD"),
        ("aarch64-netbsd", "netbsd", "aarch64", "NetBSD"),
        ("x86_64-openbsd", "openbsd", "x86_64", "OpenBSD"),
        ("aarch64-openbsd", "openbsd", "aarch64", "OpenBSD"),
    ];
    let zig = crate::common::zig_cc();
    for (target, os, arch, name) in cases {
        let mut cc = zig.clone();
        cc.extend(["-target".into(), target.into()]);
        let cc: Vec<&str> = cc.iter().map(String::as_str).collect();
        let exe = crate::common::cc(&cc, &src, &dir.path().join(target), &["-lm", "-lpthread"]);
        let a = crate::common::inspect_one(&exe);
        assert_eq!(a["os"], os, "{target}");
        assert_eq!(a["arch"], arch, "{target}");
        assert_eq!(a["libc"], format!("{os}-libc"), "{target}");
        // the interpreter and the needed libraries: readelf's, all of the base system
        let rd = stdout(Command::new(tool("readelf")).arg("-lW").arg(&exe));
        let interp = rd
            .split("[Requesting program interpreter: ")
            .nth(1)
            .and_then(|r| r.split(']').next())
            .unwrap_or_else(|| panic!("{target}: no interpreter in readelf -l"));
        assert_eq!(a["interpreter"], interp, "{target}");
        let names = crate::common::library_names(&a);
        assert_eq!(names, readelf_needed(&exe), "{target}");
        assert!(
            names.iter().any(|l| l.starts_with("libc.so")),
            "{target}: {names:?}"
        );
        for l in a["libraries"].as_array().unwrap() {
            assert_eq!(l["class"], "system", "{target}: {l}");
        }
        // the imports, with their versions where the OS has them: llvm-nm's
        assert_eq!(versioned_imports(&a), nm_undefined(&exe), "{target}");
        // a C program of the base system's libraries only: nothing to warn of (no
        // musl hazard, no loader said to be another libc's)
        assert_eq!(a["hazards"], serde_json::json!([]), "{target}");
        assert!(a["requires"]["glibc"].is_null(), "{target}");
        assert_eq!(
            a["runs_on"]["distributions"],
            serde_json::json!([]),
            "{target}"
        );
        // the minimum release: file's, from the note, where the OS writes one there
        let described = stdout(Command::new(tool("file")).arg("-b").arg(&exe));
        assert!(
            described.contains(&format!("for {name}")),
            "{target}: {described}"
        );
        let summary = a["runs_on"]["summary"].as_str().unwrap();
        match os {
            "freebsd" => {
                let (release, _) = file_says(&exe);
                let v = a["requires"]["freebsd"]["version"].as_str().unwrap();
                let num =
                    |s: &str| -> Vec<u32> { s.split('.').map(|p| p.parse().unwrap()).collect() };
                assert!(num(v) >= num(&release), "{target}: {v} vs file's {release}");
                assert_eq!(summary, format!("{arch} FreeBSD ≥ {v}"));
            }
            "netbsd" => {
                let release = described
                    .split("for NetBSD ")
                    .nth(1)
                    .and_then(|r| r.split([',', ' ']).next())
                    .unwrap();
                assert_eq!(a["requires"]["netbsd"]["version"], release, "{target}");
                assert_eq!(summary, format!("{arch} NetBSD ≥ {release}"));
            }
            _ => {
                // OpenBSD's note holds no release (file prints none either)
                assert!(!described.contains("for OpenBSD "), "{described}");
                assert_eq!(summary, format!("{arch} OpenBSD"));
                assert!(a["requires"]["freebsd"].is_null() && a["requires"]["netbsd"].is_null());
            }
        }
    }
}
