//! cargo-auditable's `.dep-v0` section: `inspect` lists the crates a binary built
//! with `cargo auditable` carries, and they are the crates `cargo metadata` resolves
//! for that build (the oracle); a plain build lists none. ELF (the host), PE (MinGW)
//! and Mach-O (cargo-zigbuild).

use std::collections::BTreeSet;
use std::path::Path;
use std::process::Command;

use serde_json::Value;

use crate::common::{inspect_json, inspect_one, portable, run, stdout, tempdir, tool, with_tools};

const MAIN: &str = "fn main() {\n    let mut b = itoa::Buffer::new();\n    \
                    println!(\"{} {:?}\", b.format(7), memchr::memchr(b'x', b\"axb\"));\n}\n";

/// A crate with two dependencies from crates.io.
pub(crate) fn two_deps_crate(dir: &Path) -> std::path::PathBuf {
    let root = dir.join("aud");
    std::fs::create_dir_all(root.join("src")).unwrap();
    std::fs::write(
        root.join("Cargo.toml"),
        "[package]\nname = \"aud\"\nversion = \"0.1.0\"\nedition = \"2021\"\n\n\
         [dependencies]\nitoa = \"1\"\nmemchr = \"2\"\n\n[workspace]\n",
    )
    .unwrap();
    std::fs::write(root.join("src/main.rs"), MAIN).unwrap();
    root
}

/// (name, version, source) of every package `cargo metadata` resolves for `target`,
/// the source in cargo-auditable's words.
pub(crate) fn metadata_crates(root: &Path, target: &str) -> BTreeSet<(String, String, String)> {
    let out = stdout(
        Command::new("cargo")
            .args([
                "metadata",
                "--format-version",
                "1",
                "--filter-platform",
                target,
            ])
            .current_dir(root),
    );
    let m: Value = serde_json::from_str(&out).unwrap();
    let ids: BTreeSet<&str> = m["resolve"]["nodes"]
        .as_array()
        .unwrap()
        .iter()
        .map(|n| n["id"].as_str().unwrap())
        .collect();
    m["packages"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|p| ids.contains(p["id"].as_str().unwrap()))
        .map(|p| {
            let source = match p["source"].as_str() {
                None => "local",
                Some("registry+https://github.com/rust-lang/crates.io-index") => "crates.io",
                Some(s) if s.starts_with("git+") => "git",
                Some(_) => "registry",
            };
            (
                p["name"].as_str().unwrap().to_owned(),
                p["version"].as_str().unwrap().to_owned(),
                source.to_owned(),
            )
        })
        .collect()
}

fn listed(a: &Value) -> BTreeSet<(String, String, String)> {
    a["crates"]
        .as_array()
        .unwrap_or_else(|| panic!("no crates: {a}"))
        .iter()
        .map(|c| {
            assert_eq!(c["build"], false, "{c}");
            (
                c["name"].as_str().unwrap().to_owned(),
                c["version"].as_str().unwrap().to_owned(),
                c["source"].as_str().unwrap().to_owned(),
            )
        })
        .collect()
}

/// `cargo auditable <sub> --target <target>` (or a plain `cargo <sub>`), the binary.
pub(crate) fn build(
    root: &Path,
    auditable: bool,
    sub: &str,
    target: &str,
    exe: &str,
) -> std::path::PathBuf {
    let target_dir = root.join(if auditable { "t-aud" } else { "t-plain" });
    let mut c = if auditable {
        let mut c = Command::new(tool("cargo-auditable"));
        c.arg("auditable");
        c
    } else {
        Command::new("cargo")
    };
    // `cargo auditable zigbuild` runs cargo-zigbuild, which runs zig
    with_tools(&mut c);
    c.args([sub, "-q", "--target", target, "--target-dir"])
        .arg(&target_dir)
        .current_dir(root);
    run(&mut c);
    target_dir.join(target).join("debug").join(exe)
}

fn check(sub: &str, target: &str, exe: &str, format: &str) {
    let dir = tempdir();
    let root = two_deps_crate(dir.path());
    let bin = build(&root, true, sub, target, exe);
    let a = inspect_one(&bin);
    assert_eq!(a["format"], format);
    let want = metadata_crates(&root, target);
    assert_eq!(want.len(), 3, "{want:?}");
    assert_eq!(listed(&a), want);
    // the report with them validates against docs/report.schema.json
    let (code, report) = inspect_json(&[&bin]);
    assert_eq!(code, 0);
    let schema = crate::schema::schema();
    let v = jsonschema::draft202012::new(&schema).unwrap();
    let errors: Vec<String> = v.iter_errors(&report).map(|e| e.to_string()).collect();
    assert!(errors.is_empty(), "{errors:?}");
    // the human report lists them
    let human = stdout(portable().args(["inspect", "--color", "never"]).arg(&bin));
    let line = human
        .lines()
        .find(|l| l.trim_start().starts_with("crates"))
        .unwrap_or_else(|| panic!("{human}"));
    for (name, version, _) in &want {
        assert!(line.contains(&format!("{name} {version}")), "{line}");
    }
    // built without cargo-auditable: none, and the report says so
    let plain = build(&root, false, sub, target, exe);
    let a = inspect_one(&plain);
    assert_eq!(a["crates"], Value::Null, "{}", a["crates"]);
    let human = stdout(portable().args(["inspect", "--color", "never"]).arg(&plain));
    assert!(
        human.lines().any(|l| l.trim_start().starts_with("crates")
            && l.contains("none (no cargo-auditable .dep-v0 section)")),
        "{human}"
    );
}

#[test]
fn elf_lists_the_crates_cargo_metadata_resolves() {
    check("build", "x86_64-unknown-linux-gnu", "aud", "elf");
}

#[test]
fn pe_lists_the_crates_cargo_metadata_resolves() {
    check("build", "x86_64-pc-windows-gnu", "aud.exe", "pe");
}

#[test]
fn macho_lists_the_crates_cargo_metadata_resolves() {
    // cargo-zigbuild must be found by cargo (`cargo zigbuild`)
    tool("cargo-zigbuild");
    check("zigbuild", "aarch64-apple-darwin", "aud", "macho");
}
