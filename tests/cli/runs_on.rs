//! runs_on is per architecture: for a real binary of each architecture of the wide
//! matrix (linked by `zig cc` against the glibc version given), the report's
//! `runs_on.distributions` are exactly the releases that `targets/glibc.toml` says
//! shipped a glibc for that architecture, at or above what the binary needs (its
//! symbol versions by `objdump -T`, and the architecture's first glibc). The table is
//! read here on its own, by the rules its header states.

use std::path::Path;
use std::process::Command;

use serde_json::Value;

use crate::common::{cc, inspect_one, stdout, tempdir, tool, write, zig_cc};

fn version(s: &str) -> Vec<u32> {
    let mut v: Vec<u32> = s.split('.').map(|p| p.parse().unwrap()).collect();
    while v.len() > 1 && v.last() == Some(&0) {
        v.pop();
    }
    v
}

/// (distribution, release, glibc) of every release that ships `arch`, in file order,
/// and the architecture's baseline glibc.
fn table(arch: &str) -> (Vec<(String, String, String)>, Vec<u32>) {
    let path = Path::new(env!("CARGO_MANIFEST_DIR")).join("targets/glibc.toml");
    let t: toml::Table = std::fs::read_to_string(path).unwrap().parse().unwrap();
    let baseline = t["arch"]
        .as_array()
        .unwrap()
        .iter()
        .find(|a| a["name"].as_str() == Some(arch))
        .map(|a| version(a["baseline"].as_str().unwrap()))
        .unwrap_or_else(|| panic!("no [[arch]] {arch}"));
    let strs = |v: Option<&toml::Value>| -> Vec<String> {
        v.and_then(|v| v.as_array())
            .map(|a| a.iter().map(|s| s.as_str().unwrap().to_owned()).collect())
            .unwrap_or_default()
    };
    let mut out = Vec::new();
    for d in t["distribution"].as_array().unwrap() {
        let name = d["name"].as_str().unwrap();
        let mut arches = strs(d.get("arches"));
        for r in d["release"].as_array().unwrap() {
            arches.extend(strs(r.get("added")));
            let removed = strs(r.get("removed"));
            arches.retain(|a| !removed.contains(a));
            if arches.iter().any(|a| a == arch) {
                out.push((
                    name.to_owned(),
                    r["release"].as_str().unwrap().to_owned(),
                    r["glibc"].as_str().unwrap().to_owned(),
                ));
            }
        }
    }
    (out, baseline)
}

/// The highest GLIBC_x.y `objdump -T` shows on an undefined symbol.
fn objdump_glibc(exe: &Path) -> String {
    stdout(Command::new(tool("objdump")).arg("-T").arg(exe))
        .lines()
        .filter(|l| l.contains("*UND*"))
        .filter_map(|l| {
            let v = l.split("(GLIBC_").nth(1)?.split(')').next()?;
            Some(v.to_owned())
        })
        .max_by_key(|v| version(v))
        .expect("a GLIBC_ version")
}

/// Build hello for zig's `target`, inspect it, check runs_on against the table.
fn check(zig_target: &str, arch: &str) -> Value {
    let dir = tempdir();
    let src = write(
        dir.path(),
        "hello.c",
        "#include <stdio.h>\nint main(void) { puts(\"hi\"); return 0; }\n",
    );
    let zig = zig_cc();
    let mut c: Vec<&str> = zig.iter().map(String::as_str).collect();
    c.extend(["-target", zig_target]);
    let exe = cc(&c, &src, &dir.path().join("hello"), &[]);
    let a = inspect_one(&exe);
    assert_eq!(a["arch"], arch, "{a}");
    let needs = objdump_glibc(&exe);
    let n = version(&needs);
    assert_eq!(
        version(a["requires"]["glibc"]["version"].as_str().unwrap()),
        n
    );
    let (releases, baseline) = table(arch);
    let floor = n.max(baseline);
    let want: Vec<Value> = releases
        .iter()
        .filter(|(_, _, g)| version(g) >= floor)
        .map(|(d, r, g)| serde_json::json!({"name": d, "release": r, "glibc": g}))
        .collect();
    assert_eq!(
        a["runs_on"]["distributions"].as_array().unwrap(),
        &want,
        "{arch}: {}",
        a["runs_on"]["summary"]
    );
    let summary = a["runs_on"]["summary"].as_str().unwrap();
    assert!(!summary.contains("++"), "{summary}");
    assert!(
        summary.starts_with(&format!("{arch} Linux with glibc ≥ ")),
        "{summary}"
    );
    a
}

#[test]
fn x86() {
    let a = check("x86-linux-gnu.2.17", "x86");
    // GLIBC_2.0 is "2.0", not "2"
    assert_eq!(a["requires"]["glibc"]["version"], "2.0");
}

#[test]
fn x86_64() {
    check("x86_64-linux-gnu.2.17", "x86_64");
}

#[test]
fn arm() {
    check("arm-linux-gnueabihf.2.17", "arm");
}

#[test]
fn aarch64() {
    let a = check("aarch64-linux-gnu.2.17", "aarch64");
    // the first aarch64 glibc, whatever the symbols say
    assert!(a["runs_on"]["summary"]
        .as_str()
        .unwrap()
        .contains("RHEL/CentOS 7+"));
}

#[test]
fn powerpc64le() {
    // zig's oldest glibc for powerpc64le is 2.19
    check("powerpc64le-linux-gnu.2.19", "powerpc64le");
}

#[test]
fn s390x() {
    check("s390x-linux-gnu.2.17", "s390x");
}

#[test]
fn loongarch64() {
    let a = check("loongarch64-linux-gnu.2.36", "loongarch64");
    assert!(a["runs_on"]["distributions"].as_array().unwrap().is_empty());
}

/// A riscv64 binary needing glibc 2.27 runs on no RHEL (never shipped riscv64) and
/// on no Debian before 13, nor Ubuntu before 20.04, though their glibc would do.
#[test]
fn riscv64_needing_2_27_is_not_said_to_run_on_rhel_or_debian_10() {
    let a = check("riscv64-linux-gnu.2.27", "riscv64");
    assert_eq!(a["requires"]["glibc"]["version"], "2.27");
    let d = a["runs_on"]["distributions"].as_array().unwrap();
    let of = |name: &str| -> Vec<&str> {
        d.iter()
            .filter(|x| x["name"] == name)
            .map(|x| x["release"].as_str().unwrap())
            .collect()
    };
    assert!(of("RHEL/CentOS").is_empty(), "{d:?}");
    assert_eq!(of("Debian"), ["13 (trixie)"]);
    assert_eq!(of("Ubuntu").first(), Some(&"20.04"));
    assert!(!a["runs_on"]["summary"].as_str().unwrap().contains("buster"));
}
