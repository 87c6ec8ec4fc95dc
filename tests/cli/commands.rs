//! The command line itself: cargo's `portable` argument, output to a file, exit codes.

use std::os::unix::fs::PermissionsExt;

use crate::common::{portable, tempdir};

#[test]
fn works_as_cargo_subcommand_and_directly() {
    let direct = portable()
        .args(["inspect", "--format", "ldd", "/bin/ls"])
        .output()
        .unwrap();
    let via_cargo = portable()
        .args(["portable", "inspect", "--format", "ldd", "/bin/ls"])
        .output()
        .unwrap();
    assert!(direct.status.success());
    assert_eq!(direct.stdout, via_cargo.stdout);
    assert_eq!(direct.status.code(), via_cargo.status.code());
}

#[test]
fn output_file_is_written_whole_with_ordinary_permissions() {
    let dir = tempdir();
    let out = dir.path().join("report.json");
    let st = portable()
        .args(["inspect", "--format", "json", "-o"])
        .arg(&out)
        .arg("/bin/ls")
        .status()
        .unwrap();
    assert!(st.success());
    let stdout = portable()
        .args(["inspect", "--format", "json", "/bin/ls"])
        .output()
        .unwrap()
        .stdout;
    let a: serde_json::Value = serde_json::from_slice(&std::fs::read(&out).unwrap()).unwrap();
    let b: serde_json::Value = serde_json::from_slice(&stdout).unwrap();
    assert_eq!(a["artifacts"], b["artifacts"]);
    let mode = std::fs::metadata(&out).unwrap().permissions().mode() & 0o777;
    assert_ne!(
        mode & 0o044,
        0,
        "report readable by others like a redirect, got {mode:o}"
    );
    // no temporary file is left behind
    let names: Vec<_> = std::fs::read_dir(dir.path()).unwrap().collect();
    assert_eq!(names.len(), 1);
}

#[test]
fn usage_errors_exit_2_and_help_exits_0() {
    let bad = portable()
        .args(["inspect", "--format", "xml", "/bin/ls"])
        .output()
        .unwrap();
    assert_eq!(bad.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&bad.stderr).contains("xml"));
    let none = portable().args(["inspect"]).output().unwrap();
    assert_eq!(none.status.code(), Some(2));
    let help = portable().args(["inspect", "--help"]).output().unwrap();
    assert_eq!(help.status.code(), Some(0));
}

#[test]
fn no_hash_leaves_sha256_null_and_changes_nothing_else() {
    let run = |extra: &[&str]| -> serde_json::Value {
        let out = portable()
            .args(["inspect", "--format", "json"])
            .args(extra)
            .arg("/bin/ls")
            .output()
            .unwrap();
        serde_json::from_slice(&out.stdout).unwrap()
    };
    let mut with = run(&[]);
    let without = run(&["--no-hash"]);
    assert_eq!(without["artifacts"][0]["sha256"], serde_json::Value::Null);
    let sha = with["artifacts"][0]["sha256"].as_str().unwrap().to_owned();
    // the oracle: sha256sum
    let sum = crate::common::stdout(std::process::Command::new("sha256sum").arg("/bin/ls"));
    assert!(sum.starts_with(&sha), "{sum} vs {sha}");
    with["artifacts"][0]["sha256"] = serde_json::Value::Null;
    assert_eq!(with["artifacts"], without["artifacts"]);
}

#[test]
fn output_to_dev_null_writes_through_and_leaves_the_device() {
    let st = portable()
        .args(["inspect", "--format", "json", "-o", "/dev/null", "/bin/ls"])
        .status()
        .unwrap();
    assert!(st.success());
    let m = std::fs::metadata("/dev/null").unwrap();
    use std::os::unix::fs::FileTypeExt;
    assert!(
        m.file_type().is_char_device(),
        "/dev/null must stay a device"
    );
}
