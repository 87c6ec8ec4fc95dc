//! What the dependency graph decides before anything compiles: a `rust-version` the
//! installed rustc does not meet skips every variant at once.

use std::path::Path;
use std::process::Output;

use serde_json::Value;

use crate::common::{new_crate, portable, tempdir, variant, which};

const HELLO: &str = "fn main() { println!(\"hello\"); }\n";

/// `build --format json` of the crate at `root` with the built-in default matrix.
fn build_default(root: &Path, extra: &[&str]) -> (Output, Value) {
    let out = portable()
        .args(["build", "--format", "json", "--manifest-path"])
        .arg(root.join("Cargo.toml"))
        .args(extra)
        .output()
        .unwrap();
    let v = serde_json::from_slice(&out.stdout).unwrap_or_else(|e| {
        panic!(
            "build output is not JSON ({e}): {}\n{}",
            String::from_utf8_lossy(&out.stdout),
            String::from_utf8_lossy(&out.stderr)
        )
    });
    (out, v)
}

/// Add `lines` to the `[package]` table of `root`'s Cargo.toml.
fn package_lines(root: &Path, lines: &str) {
    let p = root.join("Cargo.toml");
    let s = std::fs::read_to_string(&p).unwrap();
    std::fs::write(
        &p,
        s.replacen("[package]\n", &format!("[package]\n{lines}\n"), 1),
    )
    .unwrap();
}

/// Append `text` to `root`'s Cargo.toml.
fn append(root: &Path, text: &str) {
    let p = root.join("Cargo.toml");
    let s = std::fs::read_to_string(&p).unwrap();
    std::fs::write(&p, format!("{s}\n{text}\n")).unwrap();
}

#[test]
fn a_rust_version_above_rustc_skips_every_variant_before_compiling() {
    let dir = tempdir();
    let root = new_crate(dir.path(), "hello", HELLO, None);
    package_lines(&root, "rust-version = \"1.999\"");
    let (out, r) = build_default(&root, &[]);
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(1), "{stderr}");
    let variants = r["variants"].as_array().unwrap();
    assert_eq!(variants.len(), 12, "the default matrix");
    let fix = if which("rustup").is_some() {
        "rustup update"
    } else {
        "install rustc 1.999 or newer"
    };
    for v in variants {
        assert_eq!(v["status"], "skipped", "{v}");
        let reason = v["reason"].as_str().unwrap();
        assert!(
            reason.starts_with("hello needs rustc 1.999 or newer (its rust-version), and rustc "),
            "{reason}"
        );
        assert!(reason.ends_with(" is installed"), "{reason}");
        assert_eq!(v["hint"], fix, "{v}");
    }
    // one line per variant on stderr, each naming it
    let lines: Vec<&str> = stderr.lines().filter(|l| l.contains("skipped: ")).collect();
    assert_eq!(lines.len(), 12, "{stderr}");
    assert!(
        lines.iter().all(|l| l.contains("needs rustc 1.999")),
        "{stderr}"
    );
    // nothing compiled: cargo never made a target directory
    assert!(!root.join("target").exists(), "{stderr}");
}

#[test]
fn a_dependencys_rust_version_counts_and_a_feature_left_out_does_not() {
    let dir = tempdir();
    let dep = new_crate(dir.path(), "newdep", "", None);
    std::fs::rename(dep.join("src/main.rs"), dep.join("src/lib.rs")).unwrap();
    package_lines(&dep, "rust-version = \"1.999.1\"");
    let root = new_crate(dir.path(), "hello", HELLO, None);
    append(
        &root,
        "[dependencies]\nnewdep = { path = \"../newdep\", optional = true }\n\n\
         [features]\nnew = [\"dep:newdep\"]",
    );
    // the feature on: the dependency's rust-version skips the variant
    let (out, r) = build_default(
        &root,
        &["--variant", "linux-x86_64-gnu", "--features", "new"],
    );
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(1), "{stderr}");
    let v = variant(&r, "linux-x86_64-gnu");
    assert_eq!(v["status"], "skipped", "{v}");
    assert!(
        v["reason"]
            .as_str()
            .unwrap()
            .starts_with("newdep needs rustc 1.999.1 or newer"),
        "{v}"
    );
    assert!(!root.join("target").exists(), "{stderr}");
    // the feature off: the optional dependency is not built, and neither is its
    // rust-version asked for
    let (out, r) = build_default(&root, &["--variant", "linux-x86_64-gnu"]);
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert_eq!(
        variant(&r, "linux-x86_64-gnu")["status"],
        "built",
        "{stderr}"
    );
}
