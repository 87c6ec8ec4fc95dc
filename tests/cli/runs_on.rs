//! runs_on is per architecture: for a real binary of each architecture of the wide
//! matrix (linked by `zig cc` against the glibc version given), the report's
//! `runs_on.distributions` are exactly the releases that `targets/glibc.toml` says
//! shipped a glibc for that architecture, at or above what the binary needs (its
//! symbol versions by `objdump -T`, and the architecture's first glibc). The table is
//! read here on its own, by the rules its header states.

use std::path::Path;
use std::process::Command;

use serde_json::Value;

use crate::common::{cc, gcc12_cxx_program, inspect_one, stdout, tempdir, tool, write, zig_cc};

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
    // and against what each measured release of the architecture exports
    let measured = inventories(arch).len();
    assert_eq!(claims_hold_against_inventories(&exe, &a, arch), measured);
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
    assert_eq!(
        a["runs_on"]["summary"],
        "loongarch64 Linux with glibc ≥ 2.36: Anolis OS 23+, openEuler 24.03+"
    );
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

/// The highest version of each family an inventory measures, per measured release of
/// `arch`, read from `targets/inventories/inventories.toml` on its own:
/// (distribution, release, [glibc, glibcxx, cxxabi, gcc, zlib]).
fn inventories(arch: &str) -> Vec<(String, String, Vec<String>)> {
    let path = Path::new(env!("CARGO_MANIFEST_DIR")).join("targets/inventories/inventories.toml");
    let t: toml::Table = std::fs::read_to_string(path).unwrap().parse().unwrap();
    let mut out = Vec::new();
    for r in t["release"].as_array().unwrap() {
        for m in r["measured"].as_array().unwrap() {
            if m["arch"].as_str() != Some(arch) {
                continue;
            }
            let v = ["glibc", "glibcxx", "cxxabi", "gcc", "zlib"]
                .iter()
                .map(|k| m[*k].as_str().unwrap().to_owned())
                .collect();
            out.push((
                r["distribution"].as_str().unwrap().to_owned(),
                r["release"].as_str().unwrap().to_owned(),
                v,
            ));
        }
    }
    out
}

/// The highest `PREFIX_x.y` on an undefined symbol, by `readelf --dyn-syms`.
fn readelf_highest(exe: &Path, prefix: &str) -> Option<String> {
    stdout(
        Command::new(tool("readelf"))
            .args(["-W", "--dyn-syms"])
            .arg(exe),
    )
    .lines()
    .filter(|l| l.contains(" UND "))
    .filter_map(|l| {
        let v = l
            .split(&format!("@{prefix}_"))
            .nth(1)?
            .split_whitespace()
            .next()?;
        let v = v.split(" (").next()?;
        v.chars()
            .all(|c| c.is_ascii_digit() || c == '.')
            .then(|| v.to_owned())
    })
    .max_by_key(|v| version(v))
}

/// Every release runs_on claims for `exe` (of `arch`) that the inventories measure
/// exports each of its needs (readelf's highest GLIBC_, GLIBCXX_, CXXABI_, GCC_ and
/// ZLIB_), and every measured release that exports them all and whose glibc
/// (targets/glibc.toml) suffices is claimed. Returns how many releases were checked.
fn claims_hold_against_inventories(exe: &Path, a: &Value, arch: &str) -> usize {
    let needs: Vec<Option<String>> = ["GLIBC", "GLIBCXX", "CXXABI", "GCC", "ZLIB"]
        .iter()
        .map(|p| readelf_highest(exe, p))
        .collect();
    let glibc = needs[0].clone().expect("a GLIBC_ need");
    let (releases, baseline) = table(arch);
    let floor = version(&glibc).max(baseline);
    let claimed = |d: &str, r: &str| {
        a["runs_on"]["distributions"]
            .as_array()
            .unwrap()
            .iter()
            .any(|x| x["name"] == d && x["release"] == r)
    };
    let mut checked = 0;
    for (d, r, have) in inventories(arch) {
        let exports_all = needs.iter().zip(&have).all(|(need, have)| match need {
            None => true,
            Some(n) => !have.is_empty() && version(have) >= version(n),
        });
        let table_glibc = &releases
            .iter()
            .find(|(x, y, _)| *x == d && *y == r)
            .unwrap_or_else(|| panic!("{d} {r}: measured for {arch}, not in glibc.toml"))
            .2;
        let glibc_ok = version(table_glibc) >= floor;
        assert_eq!(
            claimed(&d, &r),
            glibc_ok && exports_all,
            "{arch}: {d} {r}: measured {have:?}, needs {needs:?}; runs_on {}",
            a["runs_on"]["summary"]
        );
        checked += 1;
    }
    checked
}

/// A C++ program built here (Debian 12, GCC 12) with `_GLIBCXX_ASSERTIONS` calls
/// `std::__glibcxx_assert_fail@GLIBCXX_3.4.30` and needs GLIBC_2.34: RHEL 9's glibc
/// would do, its libstdc++ (GCC 11, up to GLIBCXX_3.4.29) does not. runs_on leaves
/// RHEL 9 out and names the missing version; every release it claims on x86_64 that the
/// inventories measure exports each need (readelf's), and every measured release that
/// exports them all and whose glibc suffices is claimed; `check --runs-on` agrees.
#[test]
fn a_gcc12_cxx_program_does_not_run_on_rhel_9() {
    let dir = tempdir();
    let exe = gcc12_cxx_program(dir.path(), "g++", false);
    let glibcxx = readelf_highest(&exe, "GLIBCXX").expect("a GLIBCXX_ need");
    assert_eq!(glibcxx, "3.4.30", "built with GCC 12's libstdc++");
    let glibc = readelf_highest(&exe, "GLIBC").expect("a GLIBC_ need");
    assert_eq!(glibc, "2.34");
    let a = inspect_one(&exe);
    assert_eq!(
        a["requires"]["glibcxx"]["version"], "3.4.30",
        "{}",
        a["requires"]
    );
    let on = &a["runs_on"];
    let claimed = |d: &str, r: &str| {
        on["distributions"]
            .as_array()
            .unwrap()
            .iter()
            .any(|x| x["name"] == d && x["release"] == r)
    };
    assert!(!claimed("RHEL/CentOS", "9"), "{on}");
    assert!(claimed("RHEL/CentOS", "10"), "{on}");
    assert!(
        on["summary"].as_str().unwrap().contains("RHEL/CentOS 10+"),
        "{}",
        on["summary"]
    );
    assert!(
        on["excluded"]
            .as_array()
            .unwrap()
            .contains(&serde_json::json!({
                "name": "RHEL/CentOS",
                "release": "9",
                "missing": ["libstdc++ lacks GLIBCXX_3.4.30"]
            })),
        "{on}"
    );
    // every claim on a measured release holds, and no measured release that exports
    // every need is left out
    let checked = claims_hold_against_inventories(&exe, &a, "x86_64");
    assert!(checked > 30, "{checked}");
    // the human report says so
    let human = stdout(crate::common::portable().arg("inspect").arg(&exe));
    assert!(
        human.contains("RHEL/CentOS 9: libstdc++ lacks GLIBCXX_3.4.30"),
        "{human}"
    );
    // check --runs-on: the same rule
    let check = |release: &str| {
        crate::common::portable()
            .args(["check", "--runs-on", release])
            .arg(&exe)
            .output()
            .unwrap()
    };
    let out = check("rhel-9");
    let text =
        String::from_utf8_lossy(&out.stdout).to_string() + &String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(1), "{text}");
    assert!(
        text.contains("RHEL/CentOS 9 (libstdc++ lacks GLIBCXX_3.4.30)"),
        "{text}"
    );
    let out = check("rhel-10");
    assert_eq!(
        out.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&out.stdout)
    );
}

/// The same rule on aarch64, for a C++ program of the cross g++ (GCC 12) that throws:
/// it needs GLIBCXX_3.4.30 and libgcc_s's GCC_ versions (the unwinder) besides glibc,
/// and every claim holds against the aarch64 inventories.
#[test]
fn an_aarch64_cxx_program_is_claimed_only_where_its_libstdcxx_and_libgcc_are() {
    let dir = tempdir();
    let exe = gcc12_cxx_program(dir.path(), "aarch64-linux-gnu-g++", true);
    assert_eq!(readelf_highest(&exe, "GLIBCXX").as_deref(), Some("3.4.30"));
    assert!(readelf_highest(&exe, "GCC").is_some(), "an unwinder need");
    let a = inspect_one(&exe);
    assert_eq!(a["arch"], "aarch64");
    let checked = claims_hold_against_inventories(&exe, &a, "aarch64");
    assert!(checked > 20, "{checked}");
    assert!(
        !a["runs_on"]["excluded"].as_array().unwrap().is_empty(),
        "glibc alone would claim more: {}",
        a["runs_on"]
    );
}
