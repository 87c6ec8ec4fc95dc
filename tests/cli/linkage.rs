//! Linkage (static / static-pie / dynamic) agrees with `file` on the system's binaries
//! and on binaries built here by gcc, musl-gcc and rustc.

use std::path::Path;
use std::process::Command;

use serde_json::Value;

use crate::common::{inspect_json, inspect_one, stdout, tool};
use crate::fixtures::{c_program, rust_resolver, HELLO_C};

/// What `file -b` says about linking: `static`, `static-pie` or `dynamic`.
fn file_linkage(path: &Path) -> String {
    let out = stdout(Command::new(tool("file")).arg("-b").arg(path));
    if out.contains("static-pie linked") {
        "static-pie".into()
    } else if out.contains("statically linked") {
        "static".into()
    } else if out.contains("dynamically linked") {
        "dynamic".into()
    } else {
        panic!(
            "file(1) says nothing about linking for {}: {out}",
            path.display()
        )
    }
}

fn linkage(a: &Value) -> String {
    a["linkage"].as_str().unwrap().to_owned()
}

#[test]
fn system_binaries_agree_with_file() {
    let (code, report) = inspect_json(&["/usr/bin", "/usr/lib/x86_64-linux-gnu"]);
    assert_eq!(code, 0);
    let mut bad = Vec::new();
    let arts = report["artifacts"].as_array().unwrap();
    assert!(arts.len() > 200);
    for a in arts {
        let path = Path::new(a["path"].as_str().unwrap());
        if !path.exists() {
            // removed by a package install while the test ran
            continue;
        }
        // file(1) speaks of linking for ELF only. What else the directories hold (the
        // PE DLLs and EXEs a wine install puts under /usr/lib/x86_64-linux-gnu/wine)
        // is checked for what file(1) does say: the format, the machine, DLL or not
        if a["format"] != "elf" {
            if let Some(why) = non_elf_disagrees(path, a) {
                bad.push(why);
            }
            continue;
        }
        let theirs = file_linkage(path);
        let ours = linkage(a);
        if theirs == ours {
            continue;
        }
        // libmagic calls an ET_DYN object with no PT_INTERP and no DT_NEEDED
        // "static-pie linked" whenever it has a DT_FLAGS_1 entry (any flag: its pie
        // test is the presence of the tag), even a shared library with a SONAME
        // such as libabsl_city.so (FLAGS_1 = NOW). A shared library only runs when a
        // loader maps it, so we report it dynamic. Exactly that case is accepted.
        let shared_without_deps = a["kind"] == "shared-library"
            && a["libraries"].as_array().unwrap().is_empty()
            && a["interpreter"].is_null();
        if theirs == "static-pie" && ours == "dynamic" && shared_without_deps {
            continue;
        }
        bad.push(format!(
            "{}: file says {theirs}, we say {ours}",
            path.display()
        ));
    }
    assert!(bad.is_empty(), "{}", bad.join("\n"));
}

/// A PE file on which `file -b` and the report disagree: `PE32+` is 64-bit, `PE32`
/// 32-bit; `x86-64` / `Intel 80386` / `Aarch64` the machine; `(DLL)` a shared
/// library. Any other format is a disagreement (file(1) found ELF or PE here).
fn non_elf_disagrees(path: &Path, a: &Value) -> Option<String> {
    let out = stdout(Command::new(tool("file")).arg("-b").arg(path));
    let out = out.trim();
    let ours = format!("{} {} {} {}", a["format"], a["bits"], a["arch"], a["kind"]);
    let fine = a["format"] == "pe"
        && out.starts_with(if a["bits"] == 64 { "PE32+ " } else { "PE32 " })
        && match a["arch"].as_str().unwrap() {
            "x86_64" => out.contains("x86-64"),
            "x86" => out.contains("Intel 80386") || out.contains("Intel i386"),
            "aarch64" => out.contains("Aarch64"),
            _ => false,
        }
        && out.contains("(DLL)") == (a["kind"] == "shared-library");
    (!fine).then(|| format!("{}: file says {out}, we say {ours}", path.display()))
}

fn check(path: &Path, expect: &str) -> Value {
    let a = inspect_one(path);
    assert_eq!(
        linkage(&a),
        file_linkage(path),
        "{} disagrees with file",
        path.display()
    );
    assert_eq!(linkage(&a), expect, "{}", path.display());
    a
}

#[test]
fn gcc_dynamic_static_and_static_pie() {
    let dynamic = c_program("hello-dyn", "gcc", HELLO_C, &[]);
    let a = check(&dynamic, "dynamic");
    assert_eq!(a["libc"], "glibc");
    assert_eq!(a["portable"], true);

    let st = c_program("hello-static", "gcc", HELLO_C, &["-static"]);
    let a = check(&st, "static");
    assert_eq!(
        a["libc"], "glibc",
        "static glibc is recognised by its startup code"
    );
    assert!(a["libraries"].as_array().unwrap().is_empty());
    assert!(a["imports"].as_array().unwrap().is_empty());
    assert!(a["runs_on"]["any"].as_bool().unwrap());

    let spie = c_program("hello-static-pie", "gcc", HELLO_C, &["-static-pie"]);
    let a = check(&spie, "static-pie");
    assert_eq!(a["kind"], "executable");
    assert_eq!(a["hardening"]["pie"], true);
}

#[test]
fn musl_gcc_static() {
    let st = c_program("hello-musl-static", "musl-gcc", HELLO_C, &["-static"]);
    let a = inspect_one(&st);
    assert_eq!(linkage(&a), file_linkage(&st));
    assert_ne!(linkage(&a), "dynamic");
    assert_eq!(a["libc"], "musl");
    assert_eq!(a["os"], "linux");
    assert!(
        a["hazards"].as_array().unwrap().is_empty(),
        "{}",
        a["hazards"]
    );

    // Stripped, with no symbol table left, musl is still recognised by its strerror
    // text ("No error information"; glibc says "Unknown error") in a program that
    // links strerror (as Rust's std does). A stripped hello world without it carries
    // no musl mark at all and stays `unknown`.
    let src = "#include <stdio.h>\n#include <string.h>\nint main(int c, char **v){puts(strerror(c + 1000)); return 0;}\n";
    let st = c_program("strerror-musl-static", "musl-gcc", src, &["-static", "-s"]);
    let a = inspect_one(&st);
    assert_eq!(a["libc"], "musl");
    assert_eq!(a["os"], "linux");
    assert_eq!(linkage(&a), file_linkage(&st));
    let hello = c_program(
        "hello-musl-static-s",
        "musl-gcc",
        HELLO_C,
        &["-static", "-s"],
    );
    assert_eq!(inspect_one(&hello)["libc"], "unknown");
}

#[test]
fn rust_musl_is_static_pie() {
    let exe = rust_resolver("x86_64-unknown-linux-musl", "");
    let a = check(&exe, "static-pie");
    assert_eq!(a["libc"], "musl");
    assert_eq!(a["portable"], true);
    assert!(
        a["verdict"].as_str().unwrap().starts_with("static-pie"),
        "{}",
        a["verdict"]
    );
}

#[test]
fn rust_gnu_crt_static_is_static_pie_glibc() {
    let exe = rust_resolver("x86_64-unknown-linux-gnu", "-C target-feature=+crt-static");
    let a = check(&exe, "static-pie");
    assert_eq!(a["libc"], "glibc");
}

#[test]
fn rust_gnu_default_is_dynamic() {
    let exe = rust_resolver("x86_64-unknown-linux-gnu", "");
    let a = check(&exe, "dynamic");
    let libs = crate::common::library_names(&a);
    assert!(libs.contains(&"libc.so.6".to_owned()), "{libs:?}");
    for l in a["libraries"].as_array().unwrap() {
        assert_eq!(l["class"], "system", "{l}");
    }
}
