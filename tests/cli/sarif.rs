//! `--format sarif`: `inspect` of a binary with a hazard, `check` with a violation,
//! `diff` with a regression and a one-variant `build`, each validated against the SARIF
//! 2.1.0 JSON Schema of Microsoft's sarif-sdk (shipped in the npm package
//! `@microsoft/sarif-multitool-linux`, `.ci/run` installs it) with check-jsonschema, and
//! read back by sarif-tools (`sarif summary`, a consumer we did not write), which must
//! count the results we wrote.

use std::path::{Path, PathBuf};
use std::process::{Command, Output};

use serde_json::Value;

use crate::common::{ci_tools_dir, inspect_json, new_crate, portable, tempdir, tool, write};
use crate::fixtures::{c_program, HELLO_C};

/// The SARIF 2.1.0 schema (draft 2020-12) in sarif-multitool's npm package.
fn schema() -> PathBuf {
    let p = ci_tools_dir().join("node_modules/@microsoft/sarif-multitool-linux/sarif-2.1.0.json");
    assert!(
        p.is_file(),
        "{} not found; run `bash .ci/run` or `npm install --prefix {} @microsoft/sarif-multitool@5.7.0`",
        p.display(),
        ci_tools_dir().display()
    );
    p
}

/// Validate `file` against the schema and count its results with `sarif summary`;
/// returns the document.
pub(crate) fn accepted(file: &Path) -> Value {
    let out = Command::new(tool("check-jsonschema"))
        .arg("--schemafile")
        .arg(schema())
        .arg(file)
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "check-jsonschema rejects {}:\n{}{}",
        file.display(),
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
    let v: Value = serde_json::from_slice(&std::fs::read(file).unwrap()).unwrap();
    let results = v["runs"][0]["results"].as_array().unwrap();
    // sarif summary: one line per level, `error: N`, `warning: N`, `note: N`
    let out = Command::new(tool("sarif"))
        .arg("summary")
        .arg(file)
        .output()
        .unwrap();
    let text = String::from_utf8_lossy(&out.stdout).into_owned();
    assert!(
        out.status.success(),
        "sarif summary: {text}{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let counted: usize = ["error", "warning", "note"]
        .iter()
        .map(|level| count_of(&text, level))
        .sum();
    assert_eq!(counted, results.len(), "sarif summary says:\n{text}");
    for level in ["error", "warning", "note"] {
        let ours = results.iter().filter(|r| r["level"] == level).count();
        assert_eq!(count_of(&text, level), ours, "{level}: {text}");
    }
    // every result points at a rule of the run, and has a location
    let rules = v["runs"][0]["tool"]["driver"]["rules"].as_array().unwrap();
    for r in results {
        let i = r["ruleIndex"].as_u64().unwrap() as usize;
        assert_eq!(rules[i]["id"], r["ruleId"]);
        assert!(!r["locations"].as_array().unwrap().is_empty(), "{r}");
    }
    v
}

/// The number after `level:` at the start of a line of `sarif summary`.
fn count_of(summary: &str, level: &str) -> usize {
    summary
        .lines()
        .find_map(|l| {
            let l = l.trim();
            l.strip_prefix(level)
                .and_then(|rest| rest.strip_prefix(':'))
                .and_then(|n| n.split_whitespace().next()?.parse().ok())
        })
        .unwrap_or(0)
}

fn portable_in(dir: &Path, args: &[&str]) -> Output {
    portable().current_dir(dir).args(args).output().unwrap()
}

fn rule_ids(v: &Value) -> Vec<&str> {
    v["runs"][0]["tool"]["driver"]["rules"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| r["id"].as_str().unwrap())
        .collect()
}

fn uris(v: &Value) -> Vec<String> {
    v["runs"][0]["results"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| {
            r["locations"][0]["physicalLocation"]["artifactLocation"]["uri"]
                .as_str()
                .unwrap()
                .to_owned()
        })
        .collect()
}

/// A directory with a `.git`, so the paths inside are relative to it.
fn repo() -> tempfile::TempDir {
    let dir = tempdir();
    std::fs::create_dir_all(dir.path().join(".git")).unwrap();
    std::fs::create_dir_all(dir.path().join("bin")).unwrap();
    dir
}

fn copy_to(dir: &Path, exe: &Path, name: &str) -> PathBuf {
    let p = dir.join("bin").join(name);
    std::fs::copy(exe, &p).unwrap();
    p
}

#[test]
fn inspect_of_a_binary_with_a_hazard() {
    let dir = repo();
    let exe = c_program("sarif-execstack", "gcc", HELLO_C, &["-z", "execstack"]);
    copy_to(dir.path(), &exe, "app");
    let sub = dir.path().join("bin");
    let out = portable_in(
        &sub,
        &["inspect", "--format", "sarif", "-o", "app.sarif", "app"],
    );
    assert_eq!(out.status.code(), Some(0), "{out:?}");
    let v = accepted(&sub.join("app.sarif"));
    // our JSON report's hazards, one result each
    let (_, report) = inspect_json(&[sub.join("app")]);
    let hazards = report["artifacts"][0]["hazards"].as_array().unwrap();
    let results = v["runs"][0]["results"].as_array().unwrap();
    assert_eq!(results.len(), hazards.len());
    assert!(rule_ids(&v).contains(&"hazard/executable-stack"), "{v}");
    let r = results
        .iter()
        .find(|r| r["ruleId"] == "hazard/executable-stack")
        .unwrap();
    assert_eq!(r["level"], "error");
    assert!(r["message"]["text"]
        .as_str()
        .unwrap()
        .contains("PT_GNU_STACK"));
    // at the binary's path, relative to the repository root
    assert_eq!(
        r["locations"][0]["physicalLocation"]["artifactLocation"],
        serde_json::json!({"uri": "bin/app", "uriBaseId": "%SRCROOT%"})
    );
    let help = v["runs"][0]["tool"]["driver"]["rules"][r["ruleIndex"].as_u64().unwrap() as usize]
        ["help"]["text"]
        .as_str()
        .unwrap();
    assert!(help.contains("noexecstack"), "{help}");
}

#[test]
fn check_with_a_violation() {
    let dir = repo();
    let hello = c_program("sarif-hello", "gcc", HELLO_C, &[]);
    copy_to(dir.path(), &hello, "hello");
    let out = portable_in(
        dir.path(),
        &[
            "check",
            "--linkage",
            "static",
            "--max-glibc",
            "2.0",
            "--format",
            "sarif",
            "-o",
            "check.sarif",
            "bin/hello",
        ],
    );
    assert_eq!(out.status.code(), Some(1), "{out:?}");
    let v = accepted(&dir.path().join("check.sarif"));
    // the JSON document of the same check: one result per violation
    let json = portable_in(
        dir.path(),
        &[
            "check",
            "--linkage",
            "static",
            "--max-glibc",
            "2.0",
            "--format",
            "json",
            "bin/hello",
        ],
    );
    let j: Value = serde_json::from_slice(&json.stdout).unwrap();
    assert_eq!(
        v["runs"][0]["results"].as_array().unwrap().len(),
        j["summary"]["violations"].as_u64().unwrap() as usize
    );
    assert_eq!(rule_ids(&v), ["expect/linkage", "expect/max-glibc"]);
    assert!(uris(&v).iter().all(|u| u == "bin/hello"), "{:?}", uris(&v));
    assert_eq!(v["runs"][0]["invocations"][0]["executionSuccessful"], true);
    // an input that cannot be read: an error notification of the invocation, exit 2
    let out = portable_in(
        dir.path(),
        &[
            "check",
            "--linkage",
            "static",
            "--format",
            "sarif",
            "-o",
            "check2.sarif",
            "bin/hello",
            "missing.json",
        ],
    );
    assert_eq!(out.status.code(), Some(2), "{out:?}");
    let v = accepted(&dir.path().join("check2.sarif"));
    let inv = &v["runs"][0]["invocations"][0];
    assert_eq!(inv["executionSuccessful"], false, "{inv}");
    let n = inv["toolExecutionNotifications"].as_array().unwrap();
    assert_eq!(n.len(), 1, "{inv}");
    assert!(
        n[0]["message"]["text"]
            .as_str()
            .unwrap()
            .starts_with("missing.json: "),
        "{inv}"
    );
    assert_eq!(v["runs"][0]["results"].as_array().unwrap().len(), 1);
}

#[test]
fn diff_with_a_regression() {
    let dir = repo();
    let old = c_program("sarif-old", "gcc", HELLO_C, &[]);
    let new = c_program(
        "sarif-new",
        "gcc",
        "#include <math.h>\n#include <stdio.h>\nint main(int c,char**v){printf(\"%f\\n\",cos((double)c));return 0;}\n",
        &["-z", "execstack", "-Wl,--no-as-needed", "-lm"],
    );
    std::fs::create_dir_all(dir.path().join("old")).unwrap();
    std::fs::copy(&old, dir.path().join("old/app")).unwrap();
    copy_to(dir.path(), &new, "app");
    let save = |args: &[&str], out: &str| {
        let o = portable_in(
            dir.path(),
            &[&["inspect", "--format", "json", "-o", out][..], args].concat(),
        );
        assert!(o.status.success(), "{o:?}");
    };
    save(&["old/app"], "old.json");
    save(&["bin/app"], "new.json");
    let out = portable_in(
        dir.path(),
        &[
            "diff",
            "old.json",
            "new.json",
            "--format",
            "sarif",
            "-o",
            "diff.sarif",
        ],
    );
    assert_eq!(out.status.code(), Some(1), "{out:?}");
    let v = accepted(&dir.path().join("diff.sarif"));
    let json = portable_in(
        dir.path(),
        &["diff", "old.json", "new.json", "--format", "json"],
    );
    let j: Value = serde_json::from_slice(&json.stdout).unwrap();
    let regressions = j["summary"]["regressions"].as_u64().unwrap() as usize;
    assert!(regressions >= 2, "{j}");
    assert_eq!(
        v["runs"][0]["results"].as_array().unwrap().len(),
        regressions
    );
    let ids = rule_ids(&v);
    assert!(ids.contains(&"regression/new-hazard"), "{ids:?}");
    assert!(ids.contains(&"regression/new-library"), "{ids:?}");
    assert!(uris(&v).iter().all(|u| u == "bin/app"), "{:?}", uris(&v));
}

#[test]
fn build_with_a_hazard_and_a_violation() {
    let dir = repo();
    // a C object with an executable stack, linked into a Rust program
    let krate = new_crate(
        dir.path(),
        "sarifexec",
        "fn main() { println!(\"hi\"); }\n",
        None,
    );
    let matrix = write(
        dir.path(),
        "one.toml",
        "[[variant]]\nid = \"gnu\"\ntarget = \"x86_64-unknown-linux-gnu\"\nlinker = \"internal\"\n\
         rustflags = [\"-C\", \"link-arg=-Wl,-z,execstack\"]\n\n[variant.expect]\nlinkage = \"static\"\n",
    );
    let out = portable_in(
        dir.path(),
        &[
            "build",
            "-q",
            "--manifest-path",
            krate.join("Cargo.toml").to_str().unwrap(),
            "--matrix",
            matrix.to_str().unwrap(),
            "--format",
            "sarif",
            "-o",
            "build.sarif",
        ],
    );
    assert_eq!(out.status.code(), Some(1), "{out:?}");
    let v = accepted(&dir.path().join("build.sarif"));
    let ids = rule_ids(&v);
    assert!(ids.contains(&"expect/linkage"), "{ids:?}");
    assert!(ids.contains(&"hazard/executable-stack"), "{ids:?}");
    let results = v["runs"][0]["results"].as_array().unwrap();
    assert!(
        results.iter().all(|r| r["properties"]["variant"] == "gnu"),
        "{v}"
    );
}
