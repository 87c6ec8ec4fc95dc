//! `inspect --prove`: each binary loaded by a Debian release's own loader in a root of
//! that release's packages (downloaded once into the cargo-portable cache: a second
//! run downloads nothing), and the answer checked against runs_on.

use std::path::Path;

use serde_json::Value;

use crate::common::{cc, gcc12_cxx_program, portable, tempdir, tool, write};

/// `inspect --format json --prove RELEASES FILE`: (exit code, the one artifact, stderr).
fn prove(releases: &str, exe: &Path) -> (i32, Value, String) {
    let out = portable()
        .args(["inspect", "--format", "json", "--prove", releases])
        .arg(exe)
        .output()
        .expect("run cargo-portable");
    let stderr = String::from_utf8_lossy(&out.stderr).into_owned();
    let v: Value = serde_json::from_slice(&out.stdout)
        .unwrap_or_else(|e| panic!("not JSON ({e}); stderr: {stderr}"));
    (
        out.status.code().unwrap_or(-1),
        v["artifacts"][0].clone(),
        stderr,
    )
}

fn proof<'a>(a: &'a Value, release: &str) -> &'a Value {
    a["proofs"]
        .as_array()
        .expect("proofs")
        .iter()
        .find(|p| p["release"] == release)
        .unwrap_or_else(|| panic!("no proof in {release}: {}", a["proofs"]))
}

/// A C program needing GLIBC_2.34 (`thrd_create`, glibc 2.34's libc), built by `cc`.
fn c_234(compiler: &str, dir: &Path) -> std::path::PathBuf {
    let src = write(
        dir,
        "t.c",
        "#include <stdio.h>\n#include <threads.h>\n\
         static int f(void *p) { (void)p; return 0; }\n\
         int main(void) { thrd_t t; thrd_create(&t, f, 0); puts(\"hi\"); return 0; }\n",
    );
    let cc_path = tool(compiler);
    cc(&[cc_path.to_str().unwrap()], &src, &dir.join("t"), &[])
}

/// The C++ program of issue 26 (as in runs_on.rs: GCC 12, `_GLIBCXX_ASSERTIONS`, needs
/// GLIBC_2.34 and GLIBCXX_3.4.30): Debian 11's loader refuses it, 12's and 13's load
/// it, and runs_on says the same.
#[test]
fn the_cxx_program_is_refused_by_debian_11_and_loads_in_12_and_13() {
    let dir = tempdir();
    let exe = gcc12_cxx_program(dir.path(), "g++", false);
    let (code, a, stderr) = prove("debian-11,debian-12,debian-13", &exe);
    assert_eq!(code, 0, "{stderr}\n{}", a["proofs"]);
    let p11 = proof(&a, "debian-11");
    assert_eq!(p11["result"], "refused", "{p11}");
    assert_eq!(p11["arch"], "amd64");
    let m = p11["message"].as_str().unwrap();
    assert!(
        m.contains("version 'GLIBC_2.34' not found") || m.contains("GLIBCXX_3.4.30"),
        "{m}"
    );
    assert_eq!(p11["claim"], "Debian 11 (bullseye)");
    assert_eq!(p11["claimed"], false);
    for r in ["debian-12", "debian-13"] {
        let p = proof(&a, r);
        assert_eq!(p["result"], "loads", "{p}");
        assert_eq!(p["claimed"], true, "{p}");
    }
    for p in a["proofs"].as_array().unwrap() {
        assert_eq!(p["agrees"], true, "{p}");
    }
    // the human report has a line per proof
    let out = portable()
        .args(["inspect", "--prove", "debian-11,debian-13"])
        .arg(&exe)
        .output()
        .unwrap();
    let text = String::from_utf8_lossy(&out.stdout);
    assert!(
        text.contains("proof      debian-11 amd64: refused: version 'GLIB"),
        "{text}"
    );
    assert!(text.contains("proof      debian-13 amd64: loads"), "{text}");
    // and the HTML page a list item per proof (from the cache: no download)
    let out = portable()
        .args(["inspect", "--format", "html", "--prove", "debian-11"])
        .arg(&exe)
        .output()
        .unwrap();
    let html = String::from_utf8_lossy(&out.stdout);
    assert!(
        html.contains("<li class=\"mono\">debian-11 amd64: refused: version &#39;GLIB")
            || html.contains("<li class=\"mono\">debian-11 amd64: refused: version &#x27;GLIB")
            || html.contains("<li class=\"mono\">debian-11 amd64: refused: version 'GLIB"),
        "{}",
        html.lines()
            .filter(|l| l.contains("debian-11"))
            .collect::<Vec<_>>()
            .join("\n")
    );
}

/// An aarch64 binary needing GLIBC_2.34: Debian 11's arm64 loader (under
/// qemu-aarch64-static) refuses it naming the version, Debian 13's loads it.
#[test]
fn an_aarch64_binary_is_proven_under_qemu() {
    let dir = tempdir();
    let exe = c_234("aarch64-linux-gnu-gcc", dir.path());
    let (code, a, stderr) = prove("debian-11,debian-13", &exe);
    assert_eq!(code, 0, "{stderr}\n{}", a["proofs"]);
    let p11 = proof(&a, "debian-11");
    assert_eq!(p11["arch"], "arm64");
    assert_eq!(p11["result"], "refused", "{p11}");
    assert!(
        p11["message"]
            .as_str()
            .unwrap()
            .contains("version 'GLIBC_2.34' not found"),
        "{p11}"
    );
    let p13 = proof(&a, "debian-13");
    assert_eq!(p13["result"], "loads", "{p13}");
    assert_eq!(
        (&p11["agrees"], &p13["agrees"]),
        (&Value::Bool(true), &Value::Bool(true))
    );
}

/// Debian 11 does not serve riscv64: that proof is not-run with the reason, and the
/// other (Debian 13, riscv64 under qemu) still runs.
#[test]
fn an_architecture_the_archive_does_not_serve_is_not_run() {
    let dir = tempdir();
    let exe = c_234("riscv64-linux-gnu-gcc", dir.path());
    let (code, a, stderr) = prove("debian-11,debian-13", &exe);
    assert_eq!(code, 0, "{stderr}\n{}", a["proofs"]);
    let p11 = proof(&a, "debian-11");
    assert_eq!(p11["result"], "not-run", "{p11}");
    assert_eq!(p11["agrees"], Value::Null);
    let m = p11["message"].as_str().unwrap();
    assert!(m.contains("does not serve bullseye for riscv64"), "{m}");
    assert_eq!(proof(&a, "debian-13")["result"], "loads", "{a}");
}

/// An unknown release is a usage error (exit 2) naming the flag and the known names.
#[test]
fn an_unknown_release_is_exit_2_naming_the_flag() {
    let out = portable()
        .args(["inspect", "--prove", "debian-11,debian-99"])
        .arg(env!("CARGO_BIN_EXE_cargo-portable"))
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2));
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(
        err.contains("--prove: unknown release `debian-99`") && err.contains("debian-12"),
        "{err}"
    );
}

/// A static binary needs no loader: it loads, with the note that nothing was resolved,
/// and no download is made for it.
#[test]
fn a_static_binary_loads_with_nothing_resolved() {
    let dir = tempdir();
    let src = write(dir.path(), "s.c", "int main(void) { return 0; }\n");
    let gcc = tool("gcc");
    let exe = cc(
        &[gcc.to_str().unwrap()],
        &src,
        &dir.path().join("s"),
        &["-static"],
    );
    let (code, a, stderr) = prove("debian-11", &exe);
    assert_eq!(code, 0, "{stderr}");
    let p = proof(&a, "debian-11");
    assert_eq!(p["result"], "loads");
    assert!(
        p["message"]
            .as_str()
            .unwrap()
            .contains("nothing was resolved"),
        "{p}"
    );
}

/// `build --prove` (and the matrix's `prove` key): the built binary of each variant
/// carries its proofs in the report, and they agree with runs_on; with `--run` its
/// smoke also runs in each release root it loads in (aarch64 under qemu), on that
/// release's own C library, and not where the loader refused it.
#[test]
fn build_proves_every_variant_and_runs_the_smoke_in_each_release_that_loads_it() {
    let dir = tempdir();
    let root = crate::common::new_crate(
        dir.path(),
        "hello",
        "fn main() { println!(\"hello\"); }\n",
        None,
    );
    let matrix = "[[variant]]\nid = \"gnu\"\ntarget = \"x86_64-unknown-linux-gnu\"\n\
                  linker = \"internal\"\n\n\
                  [[variant]]\nid = \"arm\"\ntarget = \"aarch64-unknown-linux-gnu\"\n\
                  linker = \"external\"\nprove = [\"debian-12\"]\n";
    let (out, v) = crate::common::build_json_with(
        &root,
        matrix,
        &["--run", "--prove", "debian-11,debian-13"],
        &[],
    );
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(0), "{stderr}");
    for (id, arch, releases) in [
        ("gnu", "amd64", &["debian-11", "debian-13"][..]),
        // the flag's, then the key's
        ("arm", "arm64", &["debian-11", "debian-13", "debian-12"][..]),
    ] {
        let variant = crate::common::variant(&v, id);
        let a = &variant["artifacts"][0];
        let proofs = a["proofs"].as_array().expect("proofs");
        let names: Vec<&str> = proofs
            .iter()
            .map(|p| p["release"].as_str().unwrap())
            .collect();
        assert_eq!(names, releases, "{id}");
        for p in proofs {
            assert_eq!(p["arch"], arch);
            assert_ne!(p["result"], "not-run", "{p}");
            assert_eq!(p["agrees"], true, "{p}");
        }
        assert_eq!(proof(a, "debian-11")["result"], "refused", "{id}");
        assert_eq!(proof(a, "debian-13")["result"], "loads", "{id}");
        // the smoke: host, minimal, and one run per release that loads it
        let runs = variant["smoke"]["runs"].as_array().expect("smoke runs");
        let in_releases: Vec<(&str, &str)> = runs
            .iter()
            .filter(|r| r["root"] == "release")
            .map(|r| {
                (
                    r["release"].as_str().unwrap(),
                    r["status"].as_str().unwrap(),
                )
            })
            .collect();
        let mut want: Vec<(&str, &str)> = releases
            .iter()
            .filter(|r| **r != "debian-11")
            .map(|r| (*r, "passed"))
            .collect();
        want.sort();
        assert_eq!(in_releases, want, "{id}: {runs:#?}");
        for r in runs.iter().filter(|r| r["root"] == "release") {
            if id == "arm" {
                assert!(
                    r["runner"]
                        .as_str()
                        .unwrap()
                        .ends_with("qemu-aarch64-static"),
                    "{r}"
                );
            }
            assert_eq!(r["output"].as_str().unwrap().trim(), "hello", "{r}");
        }
        assert!(
            runs.iter().all(|r| r["status"] == "passed"),
            "{id}: {runs:#?}"
        );
    }
}

/// A binary needing GLIBC_2.34 for every architecture setup installs a cross gcc for:
/// refused in Debian 11's root where the archive serves the architecture (naming
/// GLIBC_2.34), not run where it does not, and loaded in Debian 12's and 13's (riscv64:
/// 13's only, the first release with it); each
/// agrees with runs_on. This machine's archive answers 404 for trixie's ppc64el and
/// s390x libc6 (its index names them): that proof is `not-run` with the failed
/// download, and the others still run.
#[test]
fn every_setup_architecture_is_proven_in_debian_11_12_and_13() {
    for (gcc, arch, in_11, in_12) in [
        ("arm-linux-gnueabihf-gcc", "armhf", true, true),
        ("i686-linux-gnu-gcc", "i386", true, true),
        ("powerpc64le-linux-gnu-gcc", "ppc64el", false, true),
        ("s390x-linux-gnu-gcc", "s390x", false, true),
        // Debian 13 is the first release with riscv64
        ("riscv64-linux-gnu-gcc", "riscv64", false, false),
    ] {
        let dir = tempdir();
        let exe = c_234(gcc, dir.path());
        let (code, a, stderr) = prove("debian-11,debian-12,debian-13", &exe);
        assert_eq!(code, 0, "{gcc}: {stderr}\n{}", a["proofs"]);
        let p11 = proof(&a, "debian-11");
        assert_eq!(p11["arch"], arch, "{p11}");
        if in_11 {
            assert_eq!(p11["result"], "refused", "{gcc}: {p11}");
            assert!(
                p11["message"]
                    .as_str()
                    .unwrap()
                    .contains("'GLIBC_2.34' not found"),
                "{p11}"
            );
            assert_eq!(p11["agrees"], true, "{p11}");
        } else {
            assert_eq!(p11["result"], "not-run", "{gcc}: {p11}");
            assert!(
                p11["message"]
                    .as_str()
                    .unwrap()
                    .contains(&format!("does not serve bullseye for {arch}")),
                "{p11}"
            );
        }
        let p12 = proof(&a, "debian-12");
        if in_12 {
            assert_eq!(p12["result"], "loads", "{gcc}: {p12}");
            assert_eq!(p12["agrees"], true, "{gcc}: {p12}");
        } else {
            assert_eq!(p12["result"], "not-run", "{gcc}: {p12}");
            let m = p12["message"].as_str().unwrap();
            assert!(
                m.contains(&format!("does not serve bookworm for {arch}")),
                "{p12}"
            );
        }
        let p13 = proof(&a, "debian-13");
        if p13["result"] == "not-run" && !in_11 {
            let m = p13["message"].as_str().unwrap();
            assert!(m.contains(".deb: curl: (22)"), "{gcc}: {p13}");
            assert_eq!(p13["agrees"], Value::Null);
        } else {
            assert_eq!(p13["result"], "loads", "{gcc}: {p13}");
            assert_eq!(p13["agrees"], true, "{gcc}: {p13}");
        }
    }
}
