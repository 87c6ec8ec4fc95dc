//! The wide matrix's Linux architectures, proved by running: a small crate built with
//! the linkers `targets/wide.toml` gives each cross variant, run under
//! `qemu-<arch>-static` (32-bit x86 natively) on the host (with `-L` to Debian's cross sysroot) and in a
//! minimal root holding only what the report lists.

use serde_json::Value;

use crate::common::{new_crate, portable, tempdir};

const WIDE: &str = include_str!("../../targets/wide.toml");

const HELLO: &str = "fn main() {\n    let t = std::thread::spawn(|| 6 * 7);\n    println!(\"hello {}\", t.join().unwrap());\n}\n";

/// The `[[variant]]` blocks of the wide matrix with these ids, their smoke the
/// `version` one (the crate is not the IPC server).
fn wide_variants(ids: &[&str]) -> String {
    let blocks: Vec<String> = WIDE
        .split("[[variant]]")
        .skip(1)
        .filter(|b| ids.iter().any(|id| b.contains(&format!("id = \"{id}\"\n"))))
        .map(|b| {
            format!(
                "[[variant]]{}",
                b.replace("smoke = \"ipc\"", "smoke = \"version\"")
            )
        })
        .collect();
    assert_eq!(blocks.len(), ids.len(), "{ids:?} in targets/wide.toml");
    blocks.concat()
}

#[test]
fn every_cross_linux_architecture_of_the_wide_matrix_runs_under_qemu() {
    let cases = [
        // 32-bit x86 runs natively on this x86_64 host (run::plan::runs_natively)
        ("linux-i686-gnu", "native", true),
        ("linux-i686-musl", "native", false),
        ("linux-armv7-gnueabihf", "qemu-arm-static", true),
        ("linux-riscv64-gnu", "qemu-riscv64-static", true),
        ("linux-powerpc64le-gnu", "qemu-ppc64le-static", true),
        ("linux-s390x-gnu", "qemu-s390x-static", true),
    ];
    let ids: Vec<&str> = cases.iter().map(|c| c.0).collect();
    let dir = tempdir();
    let root = new_crate(dir.path(), "widehello", HELLO, None);
    let m = root.join("matrix.toml");
    std::fs::write(&m, wide_variants(&ids)).unwrap();
    let tmp = dir.path().join("tmp");
    std::fs::create_dir_all(&tmp).unwrap();
    let out = portable()
        .env("TMPDIR", &tmp)
        .args(["build", "--run", "--format", "json", "--manifest-path"])
        .arg(root.join("Cargo.toml"))
        .arg("--matrix")
        .arg(&m)
        .output()
        .unwrap();
    let r: Value = serde_json::from_slice(&out.stdout)
        .unwrap_or_else(|e| panic!("not JSON ({e}): {}", String::from_utf8_lossy(&out.stderr)));
    for (id, qemu, dynamic) in cases {
        let v = crate::common::variant(&r, id);
        assert_eq!(v["status"], "built", "{id}: {}", v["reason"]);
        assert_eq!(v["expect"]["passed"], true, "{id}: {:#}", v["expect"]);
        let a = &v["artifacts"][0];
        assert_eq!(a["os"], "linux", "{id}");
        assert_eq!(a["linkage"] == "dynamic", dynamic, "{id}: {}", a["linkage"]);
        let smoke = &v["smoke"];
        assert_eq!(smoke["status"], "passed", "{id}: {smoke:#}");
        let runs = smoke["runs"].as_array().unwrap();
        // the host run under qemu, and a minimal (dynamic) or empty (static) root
        let want_root = if dynamic { "minimal" } else { "empty" };
        for root_kind in ["host", want_root] {
            let run = runs
                .iter()
                .find(|x| x["root"] == root_kind)
                .unwrap_or_else(|| panic!("{id}: no {root_kind} run in {smoke:#}"));
            assert!(
                run["runner"].as_str().unwrap().ends_with(qemu),
                "{id}: {run}"
            );
            assert_eq!(run["status"], "passed", "{id}: {run}");
        }
    }
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
}
