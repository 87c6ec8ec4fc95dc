//! `cargo portable build` on real crates: the default matrix on the IPC server, and
//! small matrices on fresh crates for skips, failures, expectations, a -sys style
//! build script and malformed matrix files.

use std::path::Path;
use std::process::{Command, Output};

use serde_json::Value;

use crate::common::{
    libs, new_crate, path_with, portable, readelf_needed, run, rustc_without_std, script, stdout,
    tempdir, tool, variant, with_tools,
};

const HELLO: &str = "fn main() { println!(\"hello {}\", std::env::args().count()); }\n";

fn build(root: &Path, matrix: &str, extra: &[&str]) -> (Output, Value) {
    build_with(root, matrix, extra, &[])
}

/// `build` with environment variables set (RUSTC, PATH, …).
fn build_with(
    root: &Path,
    matrix: &str,
    extra: &[&str],
    env: &[(&str, &std::ffi::OsStr)],
) -> (Output, Value) {
    crate::common::build_json_with(root, matrix, extra, env)
}

/// A recorded command without the variables in front of it (`RUSTFLAGS=… CC_…=…`).
fn cargo_words(c: &str) -> &str {
    &c[c.find("cargo ")
        .unwrap_or_else(|| panic!("no cargo in {c}"))..]
}

const GNU: &str =
    "[[variant]]\nid = \"gnu\"\ntarget = \"x86_64-unknown-linux-gnu\"\nlinker = \"internal\"\n";

#[test]
fn missing_prerequisites_are_skipped_with_the_fix_and_the_rest_builds() {
    let dir = tempdir();
    let root = new_crate(dir.path(), "hello", HELLO, None);
    let matrix = format!(
        "{GNU}
[[variant]]
id = \"no-linker\"
target = \"x86_64-unknown-linux-gnu\"
linker = \"no-such-linker-portable\"

[[variant]]
id = \"no-std\"
target = \"powerpc64le-unknown-linux-gnu\"
linker = \"external\"
"
    );
    // whatever this machine has installed, the powerpc64le std is missing here
    let rustc = rustc_without_std(dir.path(), "powerpc64le-unknown-linux-gnu");
    let env = [("RUSTC", rustc.as_os_str())];
    let (out, r) = build_with(&root, &matrix, &[], &env);
    assert_eq!(
        out.status.code(),
        Some(1),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert_eq!(variant(&r, "gnu")["status"], "built");
    let nl = variant(&r, "no-linker");
    assert_eq!(nl["status"], "skipped");
    assert!(
        nl["reason"]
            .as_str()
            .unwrap()
            .contains("no-such-linker-portable"),
        "{nl}"
    );
    assert!(!nl["hint"].as_str().unwrap().is_empty());
    let ns = variant(&r, "no-std");
    assert_eq!(ns["status"], "skipped");
    assert_eq!(
        ns["hint"].as_str().unwrap().split("   ").next().unwrap(),
        "rustup target add powerpc64le-unknown-linux-gnu"
    );
    assert_eq!(r["summary"]["skipped"], 2);

    // the same skips on optional variants do not fail the run
    let optional = matrix
        .replace("linker = \"no-such", "optional = true\nlinker = \"no-such")
        .replace(
            "target = \"powerpc64le",
            "optional = true\ntarget = \"powerpc64le",
        );
    let (out, _) = build_with(&root, &optional, &[], &env);
    assert_eq!(
        out.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
}

#[test]
fn a_failing_variant_reports_the_compiler_message_and_the_rest_builds() {
    let dir = tempdir();
    let root = new_crate(dir.path(), "hello", HELLO, None);
    let matrix = format!(
        "{GNU}
[[variant]]
id = \"bogus\"
target = \"x86_64-unknown-linux-gnu\"
linker = \"internal\"
rustflags = [\"-C\", \"no-such-codegen-option=1\"]
"
    );
    let (out, r) = build(&root, &matrix, &[]);
    assert_eq!(out.status.code(), Some(1));
    assert_eq!(variant(&r, "gnu")["status"], "built");
    let b = variant(&r, "bogus");
    assert_eq!(b["status"], "failed");
    let reason = b["reason"].as_str().unwrap();
    assert!(reason.contains("no-such-codegen-option"), "{reason}");
    assert_eq!(r["summary"]["failed"], 1);
}

#[test]
fn expectations_name_the_evidence() {
    let dir = tempdir();
    let root = new_crate(dir.path(), "hello", HELLO, None);
    let matrix = format!(
        "{GNU}[variant.expect]\nmax-glibc = \"2.17\"\nlibraries = []\nlinkage = \"static\"\n"
    );
    let (out, r) = build(&root, &matrix, &[]);
    assert_eq!(out.status.code(), Some(1));
    let v = variant(&r, "gnu");
    assert_eq!(v["status"], "built");
    let found = &v["artifacts"][0]["requires"]["glibc"];
    let msgs: Vec<(String, String)> = v["expect"]["violations"]
        .as_array()
        .unwrap()
        .iter()
        .map(|x| {
            (
                x["rule"].as_str().unwrap().to_owned(),
                x["message"].as_str().unwrap().to_owned(),
            )
        })
        .collect();
    let msg = |rule: &str| {
        msgs.iter()
            .find(|(r, _)| r == rule)
            .unwrap_or_else(|| panic!("no {rule} violation in {msgs:?}"))
            .1
            .clone()
    };
    let g = msg("max-glibc");
    assert!(g.contains(found["version"].as_str().unwrap()), "{g}");
    for s in found["forced_by"].as_array().unwrap() {
        assert!(g.contains(s.as_str().unwrap()), "{g} names {s}");
    }
    let l = msg("libraries");
    for lib in libs(v) {
        assert!(l.contains(&lib), "{l} names {lib}");
    }
    assert!(msg("linkage").contains("dynamic"));
    assert_eq!(v["expect"]["passed"], false);
}

#[test]
fn a_build_script_library_shows_as_external() {
    let dir = tempdir();
    let main = r#"
use std::ffi::CStr;
use std::os::raw::c_char;
extern "C" {
    fn zlibVersion() -> *const c_char;
}
fn main() {
    let v = unsafe { CStr::from_ptr(zlibVersion()) };
    println!("zlib {}", v.to_string_lossy());
}
"#;
    let script = "fn main() { println!(\"cargo:rustc-link-lib=z\"); }\n";
    let root = new_crate(dir.path(), "usesz", main, Some(script));
    let matrix = format!(
        "{GNU}
[[variant]]
id = \"gnu-bfd\"
target = \"x86_64-unknown-linux-gnu\"
linker = \"external\"
"
    );
    let (out, r) = build(&root, &matrix, &[]);
    assert_eq!(
        out.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    for id in ["gnu", "gnu-bfd"] {
        let v = variant(&r, id);
        let z = v["artifacts"][0]["libraries"]
            .as_array()
            .unwrap()
            .iter()
            .find(|l| l["name"] == "libz.so.1")
            .unwrap_or_else(|| panic!("{id}: libz.so.1 in {:?}", libs(v)));
        assert_eq!(z["class"], "external");
        assert_eq!(v["artifacts"][0]["portable"], false);
    }
    // the internal linker is LLD, the external one GNU ld, read from the binaries
    assert_eq!(variant(&r, "gnu")["linker"]["detected"], "lld");
    assert_eq!(variant(&r, "gnu-bfd")["linker"]["detected"], "gnu-ld");
}

/// A crate with a proc-macro and a library dependency (path crates, no network).
fn crate_with_deps(dir: &Path, name: &str, sys_dep: bool) -> std::path::PathBuf {
    let main =
        "helper::answer!();\nfn main() { println!(\"{} {}\", answer(), util::twice(21)); }\n";
    let root = new_crate(dir, name, main, None);
    let mut manifest = std::fs::read_to_string(root.join("Cargo.toml")).unwrap();
    // a -sys style package (links) is `util-sys`, its library still `util`
    let util = if sys_dep {
        "util = { path = \"util\", package = \"util-sys\" }"
    } else {
        "util = { path = \"util\" }"
    };
    manifest = manifest.replace(
        "[workspace]",
        &format!("[dependencies]\nhelper = {{ path = \"helper\" }}\n{util}\n\n[workspace]"),
    );
    std::fs::write(root.join("Cargo.toml"), manifest).unwrap();
    let lib = |dir: &str, name: &str, extra: &str, src: &str| {
        let d = root.join(dir);
        std::fs::create_dir_all(d.join("src")).unwrap();
        std::fs::write(
            d.join("Cargo.toml"),
            format!(
                "[package]\nname = \"{name}\"\nversion = \"0.1.0\"\nedition = \"2021\"\n{extra}"
            ),
        )
        .unwrap();
        std::fs::write(d.join("src/lib.rs"), src).unwrap();
    };
    lib(
        "helper",
        "helper",
        "[lib]\nproc-macro = true\n",
        "use proc_macro::TokenStream;\n#[proc_macro]\npub fn answer(_: TokenStream) -> TokenStream {\n    \"fn answer() -> u32 { 42 }\".parse().unwrap()\n}\n",
    );
    if sys_dep {
        // a -sys style package: `links` says it builds or links native code
        lib(
            "util",
            "util-sys",
            "links = \"util\"\nbuild = \"build.rs\"\n[lib]\nname = \"util\"\n",
            "pub fn twice(x: u32) -> u32 { x * 2 }\n",
        );
        std::fs::write(root.join("util/build.rs"), "fn main() {}\n").unwrap();
    } else {
        lib(
            "util",
            "util",
            "",
            "pub fn twice(x: u32) -> u32 { x * 2 }\n",
        );
    }
    root
}

/// The files of `dir` whose name starts with `prefix`, with their modification times.
fn stamped(dir: &Path, prefix: &str) -> Vec<(String, std::time::SystemTime)> {
    let mut v: Vec<_> = std::fs::read_dir(dir)
        .unwrap_or_else(|e| panic!("{}: {e}", dir.display()))
        .map(|e| e.unwrap())
        .filter(|e| e.file_name().to_string_lossy().starts_with(prefix))
        .map(|e| {
            (
                e.file_name().to_string_lossy().into_owned(),
                e.metadata().unwrap().modified().unwrap(),
            )
        })
        .collect();
    v.sort();
    assert!(!v.is_empty(), "no {prefix}* in {}", dir.display());
    v
}

const SHARING: &str = "[[variant]]
id = \"gnu\"
target = \"x86_64-unknown-linux-gnu\"
linker = \"internal\"

[[variant]]
id = \"gnu-2.17\"
target = \"x86_64-unknown-linux-gnu\"
linker = \"zig\"
glibc = \"2.17\"
[variant.expect]
max-glibc = \"2.17\"

[[variant]]
id = \"musl\"
target = \"x86_64-unknown-linux-musl\"
linker = \"internal\"
";

/// Build SHARING on a fresh `crate_with_deps`, which must succeed.
fn build_sharing(name: &str, sys_dep: bool) -> (tempfile::TempDir, std::path::PathBuf, Value) {
    let dir = tempdir();
    let root = crate_with_deps(dir.path(), name, sys_dep);
    let (out, r) = build(&root, SHARING, &["-j", "1"]);
    assert_eq!(
        out.status.code(),
        Some(0),
        "{}\n{r:#}",
        String::from_utf8_lossy(&out.stderr)
    );
    (dir, root, r)
}

#[test]
fn variants_share_dependencies_and_host_artifacts() {
    let (dir, root, r) = build_sharing("shares", false);
    // the first group's first variant is built alone, from nothing
    assert!(variant(&r, "gnu")["seeded_from"].is_null());
    // zig links the final crate only, in the gnu group
    let z = variant(&r, "gnu-2.17");
    assert_eq!(
        z["seeded_from"],
        serde_json::json!({"variant": "gnu", "kind": "dependencies"})
    );
    for c in z["commands"].as_array().unwrap() {
        let c = cargo_words(c.as_str().unwrap());
        assert!(
            c.starts_with("cargo rustc --target x86_64-unknown-linux-gnu ")
                && c.contains(" -- ")
                && c.contains(" -C linker=")
                && c.ends_with("/zigcc-x86_64-linux-gnu.2.17.sh"),
            "{c}"
        );
    }
    assert_eq!(z["expect"]["passed"], true, "{z:#}");
    // the other group starts from the host artifacts
    assert_eq!(
        variant(&r, "musl")["seeded_from"],
        serde_json::json!({"variant": "gnu", "kind": "host"})
    );

    // and cargo really reused them: same files, same modification times
    let p = root.join("target/portable");
    let host = |id: &str| stamped(&p.join(id).join("release/deps"), "libhelper-");
    assert_eq!(host("gnu"), host("musl"));
    let deps = |id: &str| {
        stamped(
            &p.join(id).join("x86_64-unknown-linux-gnu/release/deps"),
            "libutil-",
        )
    };
    assert_eq!(deps("gnu"), deps("gnu-2.17"));

    // the relink gives what a whole `cargo zigbuild` gives, by readelf and objdump
    let zb = dir.path().join("zigbuild");
    run(with_tools(&mut Command::new(tool("cargo-zigbuild")))
        .args([
            "zigbuild",
            "--release",
            "--target",
            "x86_64-unknown-linux-gnu.2.17",
        ])
        .arg("--manifest-path")
        .arg(root.join("Cargo.toml"))
        .env("CARGO_TARGET_DIR", &zb));
    let facts = |exe: &Path| {
        let needed = readelf_needed(exe);
        let mut glibc: Vec<Vec<u32>> = stdout(Command::new("objdump").arg("-T").arg(exe))
            .split_whitespace()
            .filter_map(|w| {
                w.trim_matches(|c| c == '(' || c == ')')
                    .strip_prefix("GLIBC_")
            })
            .filter_map(|v| v.split('.').map(|p| p.parse().ok()).collect())
            .collect();
        glibc.sort();
        (needed, glibc.pop())
    };
    let ours = facts(&p.join("gnu-2.17/x86_64-unknown-linux-gnu/release/shares"));
    let theirs = facts(&zb.join("x86_64-unknown-linux-gnu/release/shares"));
    assert!(ours.0.contains(&"libc.so.6".to_owned()), "{ours:?}");
    assert_eq!(ours, theirs);
    assert!(ours.1.as_ref().unwrap() <= &vec![2, 17], "{ours:?}");
}

#[test]
fn zig_builds_everything_when_a_dependency_has_native_code() {
    let (_dir, _root, r) = build_sharing("nativedep", true);
    let z = variant(&r, "gnu-2.17");
    // its own group: zig compiles the whole graph, C included, for glibc 2.17
    assert!(
        z["seeded_from"].is_null() || z["seeded_from"]["kind"] == "host",
        "{z:#}"
    );
    for c in z["commands"].as_array().unwrap() {
        let c = cargo_words(c.as_str().unwrap());
        assert!(
            c.starts_with("cargo zigbuild --target x86_64-unknown-linux-gnu.2.17 "),
            "{c}"
        );
    }
    assert_eq!(z["expect"]["passed"], true, "{z:#}");
}

#[test]
fn malformed_matrices_exit_2_naming_file_line_and_key() {
    let dir = tempdir();
    let root = new_crate(dir.path(), "hello", HELLO, None);
    let cases = [
        (
            format!("{GNU}smoke = \"none\"\nlinkr = \"x\"\n"),
            6,
            "linkr",
        ),
        (format!("{GNU}\n{GNU}"), 7, "id"),
        (
            GNU.replace("x86_64-unknown-linux-gnu", "x86_64-unknown-linux-gnux"),
            3,
            "target",
        ),
        (format!("{GNU}glibc = \"2.17\"\n"), 5, "glibc"),
        (
            format!("{GNU}prove = [\"debian-11\", \"debian-99\"]\n"),
            5,
            "prove",
        ),
    ];
    for (text, line, key) in cases {
        let m = root.join("bad.toml");
        std::fs::write(&m, &text).unwrap();
        let out = portable()
            .args(["build", "--manifest-path"])
            .arg(root.join("Cargo.toml"))
            .arg("--matrix")
            .arg(&m)
            .output()
            .unwrap();
        let err = String::from_utf8_lossy(&out.stderr);
        assert_eq!(out.status.code(), Some(2), "{err}");
        let want = format!("{}:{line}: key `{key}`", m.display());
        assert!(err.contains(&want), "expected {want:?} in {err}");
    }
}

/// The whole default matrix on the IPC server: every variant built, and the facts
/// the issue names. Warm when `.ci/run` has run the main job before the tests.
#[test]
fn default_matrix_builds_the_ipc_server() {
    let manifest = Path::new(env!("CARGO_MANIFEST_DIR")).join("Cargo.toml");
    let out = portable()
        .args(["build", "-p", "ipc", "--format", "json", "--manifest-path"])
        .arg(&manifest)
        .output()
        .unwrap();
    let r: Value = serde_json::from_slice(&out.stdout).unwrap();
    let bad: Vec<String> = r["variants"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|v| v["status"] != "built" || v["expect"]["passed"] != true)
        .map(|v| {
            format!(
                "{}: {} {} {}",
                v["id"], v["status"], v["reason"], v["expect"]["violations"]
            )
        })
        .collect();
    assert!(bad.is_empty(), "{}", bad.join("\n"));
    assert_eq!(out.status.code(), Some(0));
    assert!(r["summary"]["variants"].as_u64().unwrap() >= 12);
    // the same report as a CycloneDX SBOM and as SARIF (the static glibc variant's NSS
    // hazard is a result), both checked by readers we did not write
    let dir = tempdir();
    let saved = dir.path().join("default.json");
    std::fs::write(&saved, &out.stdout).unwrap();
    crate::sbom::merged_sbom_and_sarif_of(&saved);

    // the server: it resolves addresses and looks users up
    let art = |id: &str| {
        variant(&r, id)["artifacts"]
            .as_array()
            .unwrap()
            .iter()
            .find(|a| {
                let p = a["path"].as_str().unwrap();
                p.ends_with("/ipc-server") || p.ends_with("/ipc-server.exe")
            })
            .unwrap_or_else(|| panic!("{id}: no ipc-server artifact"))
            .clone()
    };
    for id in ["linux-x86_64-musl", "linux-aarch64-musl"] {
        assert!(art(id)["libraries"].as_array().unwrap().is_empty(), "{id}");
        assert_eq!(art(id)["libc"], "musl", "{id}");
    }
    for id in ["linux-x86_64-gnu", "linux-x86_64-gnu-bfd"] {
        let a = art(id);
        assert!(libs(variant(&r, id)).contains(&"libc.so.6".to_owned()));
        assert!(!a["requires"]["glibc"]["forced_by"]
            .as_array()
            .unwrap()
            .is_empty());
    }
    let st = art("linux-x86_64-gnu-static");
    let nss = st["hazards"]
        .as_array()
        .unwrap()
        .iter()
        .find(|h| h["code"] == "static-glibc-nss")
        .expect("static glibc NSS hazard");
    let ev = nss["evidence"].to_string();
    assert!(
        ev.contains("getaddrinfo") && ev.contains("getpwuid_r"),
        "{ev}"
    );
    let old = art("linux-x86_64-gnu-2.17")["requires"]["glibc"]["version"]
        .as_str()
        .unwrap()
        .to_owned();
    let parts: Vec<u32> = old.split('.').map(|p| p.parse().unwrap()).collect();
    assert!(parts <= vec![2, 17], "glibc {old}");
    for id in ["macos-x86_64", "macos-aarch64"] {
        let a = art(id);
        assert_eq!(a["format"], "macho");
        assert!(a["requires"]["macos"].is_string());
        for l in a["libraries"].as_array().unwrap() {
            assert_eq!(l["class"], "system", "{id}: {l}");
        }
    }
    let w = art("windows-x86_64-gnu");
    assert_eq!(w["format"], "pe");
    assert!(w["libraries"]
        .as_array()
        .unwrap()
        .iter()
        .all(|l| l["class"].is_string()));
    for id in [
        "linux-x86_64-gnu",
        "linux-x86_64-musl",
        "linux-aarch64-musl",
    ] {
        assert_eq!(variant(&r, id)["linker"]["detected"], "lld", "{id}");
    }
    for id in [
        "linux-x86_64-gnu-bfd",
        "linux-x86_64-gnu-static",
        "linux-aarch64-gnu",
        "windows-x86_64-gnu",
    ] {
        assert_eq!(variant(&r, id)["linker"]["detected"], "gnu-ld", "{id}");
    }

    // the glibc variants, proven by the matrix's `prove` key in Debian 11, 12 and 13
    // (aarch64 under qemu): the 2.17 pin loads in all; the others need a newer glibc
    // than Debian 11's 2.31, and its own loader refuses them naming the version the
    // report says forces the floor
    for id in [
        "linux-x86_64-gnu",
        "linux-x86_64-gnu-bfd",
        "linux-x86_64-gnu-static",
        "linux-x86_64-gnu-2.17",
        "linux-aarch64-gnu",
    ] {
        let a = art(id);
        let proofs = a["proofs"]
            .as_array()
            .unwrap_or_else(|| panic!("{id}: no proofs"));
        let by = |rel: &str| {
            proofs
                .iter()
                .find(|p| p["release"] == rel)
                .unwrap_or_else(|| panic!("{id}: no {rel} proof in {proofs:?}"))
        };
        for p in proofs {
            assert_eq!(p["agrees"], true, "{id}: {p}");
        }
        let arch = if id.contains("aarch64") {
            "arm64"
        } else {
            "amd64"
        };
        assert_eq!(by("debian-11")["arch"], arch, "{id}");
        for rel in ["debian-12", "debian-13"] {
            assert_eq!(by(rel)["result"], "loads", "{id}: {}", by(rel));
        }
        let p11 = by("debian-11");
        match id {
            "linux-x86_64-gnu-2.17" => assert_eq!(p11["result"], "loads", "{p11}"),
            "linux-x86_64-gnu-static" => {
                assert_eq!(p11["result"], "loads", "{p11}");
                assert!(p11["message"]
                    .as_str()
                    .unwrap()
                    .contains("nothing was resolved"));
            }
            _ => {
                assert_eq!(p11["result"], "refused", "{id}: {p11}");
                let glibc = &a["requires"]["glibc"];
                let floor = format!("'GLIBC_{}' not found", glibc["version"].as_str().unwrap());
                assert!(
                    p11["message"].as_str().unwrap().contains(&floor),
                    "{id}: {floor} in {p11}"
                );
                assert!(!glibc["forced_by"].as_array().unwrap().is_empty(), "{id}");
            }
        }
    }
}

#[test]
fn setup_dry_run_prints_the_plan_and_targets_lists_readiness() {
    let dir = tempdir();
    let root = new_crate(dir.path(), "hello", HELLO, None);
    let m = root.join("m.toml");
    std::fs::write(
        &m,
        format!("{GNU}\n[[variant]]\nid = \"ppc\"\ntarget = \"powerpc64le-unknown-linux-gnu\"\nlinker = \"external\"\n"),
    )
    .unwrap();
    // whatever this machine has: no powerpc64le std, and a cross gcc that cannot link
    let rustc = rustc_without_std(dir.path(), "powerpc64le-unknown-linux-gnu");
    let bin = dir.path().join("bin");
    std::fs::create_dir_all(&bin).unwrap();
    script(
        &bin.join("powerpc64le-linux-gnu-gcc"),
        "echo 'ld: cannot find crt1.o: No such file or directory' >&2; exit 1",
    );
    let path = path_with(&bin);
    // in the crate: setup reads the workspace of the current directory, and this
    // repository's compiles C (mimalloc on musl), which would add the C++ compilers
    let out = portable()
        .current_dir(&root)
        .env("RUSTC", &rustc)
        .env("PATH", &path)
        .args(["setup", "--dry-run", "--matrix"])
        .arg(&m)
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(0));
    let plan = String::from_utf8_lossy(&out.stdout);
    assert!(
        plan.lines()
            .any(|l| l == "rustup target add powerpc64le-unknown-linux-gnu"),
        "{plan}"
    );
    assert!(
        plan.lines()
            .any(|l| l
                .ends_with("apt-get install -y gcc-powerpc64le-linux-gnu libc6-dev-ppc64el-cross")),
        "{plan}"
    );

    let out = portable()
        .env("RUSTC", &rustc)
        .env("PATH", &path)
        .args(["targets", "--format", "json", "--matrix"])
        .arg(&m)
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(0));
    let r: Value = serde_json::from_slice(&out.stdout).unwrap();
    // the oracle for the list: rustc itself
    let list =
        crate::common::stdout(std::process::Command::new("rustc").args(["--print", "target-list"]));
    assert_eq!(r["targets"].as_array().unwrap().len(), list.lines().count());
    let host = r["targets"]
        .as_array()
        .unwrap()
        .iter()
        .find(|t| t["triple"] == "x86_64-unknown-linux-gnu")
        .unwrap();
    assert_eq!(host["std_installed"], true);
    assert_eq!(host["linker_found"], true);
    let ready: Vec<(String, bool)> = r["variants"]
        .as_array()
        .unwrap()
        .iter()
        .map(|v| {
            (
                v["id"].as_str().unwrap().to_owned(),
                v["ready"].as_bool().unwrap(),
            )
        })
        .collect();
    assert_eq!(ready, [("gnu".to_owned(), true), ("ppc".to_owned(), false)]);
}

/// A cross gcc that cannot find its target libraries is found by the probe: the
/// variant is skipped before anything is compiled, with the linker's own message and
/// the packages that fix it, and the other variant still builds. The wrapper gives the
/// real cross gcc a specs file that empties its library search path (`--sysroot` would
/// not do: Debian's cross gcc finds its libraries relative to itself).
#[test]
fn a_linker_that_cannot_link_is_skipped_before_compiling() {
    let dir = tempdir();
    let root = new_crate(dir.path(), "hello", HELLO, None);
    let bin = dir.path().join("bin");
    std::fs::create_dir_all(&bin).unwrap();
    let specs = dir.path().join("no-libraries.specs");
    std::fs::write(&specs, "*link_libgcc:\n\n\n").unwrap();
    let real = tool("aarch64-linux-gnu-gcc");
    script(
        &bin.join("aarch64-linux-gnu-gcc"),
        &format!(
            "exec '{}' -specs='{}' \"$@\"",
            real.display(),
            specs.display()
        ),
    );
    let matrix = format!(
        "{GNU}\n[[variant]]\nid = \"arm\"\ntarget = \"aarch64-unknown-linux-gnu\"\nlinker = \"external\"\n"
    );
    let path = path_with(&bin);
    let (out, r) = build_with(&root, &matrix, &[], &[("PATH", path.as_os_str())]);
    assert_eq!(out.status.code(), Some(1));
    assert_eq!(variant(&r, "gnu")["status"], "built");
    let arm = variant(&r, "arm");
    assert_eq!(arm["status"], "skipped", "{arm:#}");
    let reason = arm["reason"].as_str().unwrap();
    assert!(
        reason.starts_with(
            "`aarch64-linux-gnu-gcc` cannot link a C program for aarch64-unknown-linux-gnu: "
        ) && reason.contains("cannot find"),
        "{reason}"
    );
    let hint = arm["hint"].as_str().unwrap();
    assert!(
        hint.contains("apt-get install -y gcc-aarch64-linux-gnu libc6-dev-arm64-cross"),
        "{hint}"
    );
    // skipped before compiling: no cargo command was run for it
    assert_eq!(arm["commands"], serde_json::json!([]));
}

/// A crate whose own build script compiles one C and one C++ file with cc-rs; with
/// `real`, it also depends on `ring` and `zstd` (C and assembly built by cc-rs in
/// their build scripts, as most crates that ship binaries pull in one of the two).
fn c_and_cpp_crate(dir: &Path, name: &str, real: bool) -> std::path::PathBuf {
    let externs = "extern \"C\" {\n    fn portable_add(a: i32, b: i32) -> i32;\n    fn portable_sum(n: i32, x: i32) -> i32;\n}\n";
    let body = if real {
        "    let packed = zstd::encode_all(&b\"portable portable portable\"[..], 3).unwrap();\n    \
         let digest = ring::digest::digest(&ring::digest::SHA256, &packed);\n    \
         println!(\"{a} {s} {:02x?}\", &digest.as_ref()[..4]);\n"
    } else {
        "    println!(\"{a} {s}\");\n"
    };
    let main = format!(
        "{externs}fn main() {{\n    let (a, s) = unsafe {{ (portable_add(2, 3), portable_sum(4, 5)) }};\n{body}}}\n"
    );
    let build_rs = "fn main() {\n    cc::Build::new().file(\"c/add.c\").compile(\"add\");\n    \
                    cc::Build::new().cpp(true).file(\"c/sum.cpp\").compile(\"sum\");\n    \
                    println!(\"cargo:rerun-if-changed=c\");\n}\n";
    let root = new_crate(dir, name, &main, Some(build_rs));
    let deps = if real {
        "[dependencies]\nring = \"0.17\"\nzstd = \"0.13\"\n\n"
    } else {
        ""
    };
    let manifest = std::fs::read_to_string(root.join("Cargo.toml")).unwrap();
    std::fs::write(
        root.join("Cargo.toml"),
        manifest.replace(
            "[workspace]",
            &format!("{deps}[build-dependencies]\ncc = \"1\"\n\n[workspace]"),
        ),
    )
    .unwrap();
    std::fs::create_dir_all(root.join("c")).unwrap();
    std::fs::write(
        root.join("c/add.c"),
        "int portable_add(int a, int b) { return a + b; }\n",
    )
    .unwrap();
    std::fs::write(
        root.join("c/sum.cpp"),
        "#include <numeric>\n#include <vector>\nextern \"C\" int portable_sum(int n, int x) {\n    \
         std::vector<int> v(n, x);\n    return std::accumulate(v.begin(), v.end(), 0);\n}\n",
    )
    .unwrap();
    root
}

/// The default matrix on a crate that compiles C and C++ in its build script: every
/// variant's build scripts get the C toolchain of its linker (`setup` installs the
/// C++ compilers), and each report says what came out, C++ runtime included.
#[test]
fn build_scripts_compile_c_and_cpp_for_every_default_variant() {
    let dir = tempdir();
    let root = c_and_cpp_crate(dir.path(), "cdeps", true);
    let out = portable()
        .args([
            "build",
            "--setup",
            "-q",
            "--format",
            "json",
            "--manifest-path",
        ])
        .arg(root.join("Cargo.toml"))
        .output()
        .unwrap();
    let r: Value = serde_json::from_slice(&out.stdout)
        .unwrap_or_else(|e| panic!("not JSON ({e}): {}", String::from_utf8_lossy(&out.stderr)));
    let art = |id: &str| {
        let v = variant(&r, id);
        assert_eq!(v["status"], "built", "{id}: {}", v["reason"]);
        v["artifacts"][0].clone()
    };
    let compiler = |id: &str| variant(&r, id)["c_compiler"]["program"].clone();
    // musl static with C++ inside: zig compiled it, rust-lld linked zig's libc++ in
    for id in [
        "linux-x86_64-musl",
        "linux-aarch64-musl",
        "linux-x86_64-musl-zig",
    ] {
        let a = art(id);
        assert_ne!(a["linkage"], "dynamic", "{id}");
        assert_eq!(a["libraries"], serde_json::json!([]), "{id}");
        assert_eq!(a["libc"], "musl", "{id}");
    }
    assert_eq!(
        compiler("linux-aarch64-musl"),
        "zig cc -target aarch64-linux-musl"
    );
    assert_eq!(
        compiler("linux-x86_64-musl"),
        "zig cc -target x86_64-linux-musl"
    );
    assert_eq!(art("linux-aarch64-musl")["arch"], "aarch64");
    // glibc dynamic: libstdc++ with its GLIBCXX floor, as readelf and objdump say
    for (id, cc) in [
        ("linux-x86_64-gnu", "cc"),
        ("linux-x86_64-gnu-bfd", "cc"),
        ("linux-aarch64-gnu", "aarch64-linux-gnu-gcc"),
    ] {
        let a = art(id);
        assert_eq!(compiler(id), cc, "{id}");
        let exe = a["path"].as_str().unwrap();
        let needed = readelf_needed(Path::new(exe));
        assert!(
            needed.contains(&"libstdc++.so.6".to_owned()),
            "{id}: {needed:?}"
        );
        assert_eq!(libs(variant(&r, id)), needed, "{id}");
        let g = &a["requires"]["glibcxx"];
        assert!(!g["forced_by"].as_array().unwrap().is_empty(), "{id}: {g}");
        let objdump = stdout(Command::new("objdump").args(["-T", exe]));
        assert!(
            objdump.contains(&format!("GLIBCXX_{}", g["version"].as_str().unwrap())),
            "{id}"
        );
    }
    assert_eq!(art("linux-aarch64-gnu")["arch"], "aarch64");
    // glibc static: libstdc++ linked in too
    let st = art("linux-x86_64-gnu-static");
    assert_ne!(st["linkage"], "dynamic");
    assert_eq!(st["libraries"], serde_json::json!([]));
    // the glibc pin holds for the C and C++ objects: zig compiled them for 2.17
    let old = art("linux-x86_64-gnu-2.17");
    let v: Vec<u32> = old["requires"]["glibc"]["version"]
        .as_str()
        .unwrap()
        .split('.')
        .map(|p| p.parse().unwrap())
        .collect();
    assert!(v <= vec![2, 17], "{v:?}");
    assert_eq!(compiler("linux-x86_64-gnu-2.17"), "zig cc (cargo-zigbuild)");
    for id in ["macos-x86_64", "macos-aarch64"] {
        assert_eq!(art(id)["format"], "macho", "{id}");
    }
    let w = art("windows-x86_64-gnu");
    assert_eq!(compiler("windows-x86_64-gnu"), "x86_64-w64-mingw32-gcc");
    assert!(libs(variant(&r, "windows-x86_64-gnu")).contains(&"libstdc++-6.dll".to_owned()));
    assert_eq!(w["format"], "pe");
    // Debian's musl-gcc has no C++: zig compiled it, and its libc++ is linked in
    let mg = art("linux-x86_64-musl-gcc");
    assert_eq!(compiler("linux-x86_64-musl-gcc"), "musl-gcc");
    assert_eq!(mg["libc"], "musl");
    assert_eq!(mg["libraries"], serde_json::json!([]));
    // the C and C++ code is in every binary. The x86_64 Linux ones run here and print
    // what C, C++, zstd and ring computed (the same for all); in the others llvm-nm
    // finds the build script's functions and ring's and zstd's C (zig strips its links)
    let host_out = stdout(&mut Command::new(
        art("linux-x86_64-gnu")["path"].as_str().unwrap(),
    ));
    assert!(host_out.starts_with("5 20 ["), "{host_out}");
    for v in r["variants"].as_array().unwrap() {
        let id = v["id"].as_str().unwrap();
        let a = art(id);
        let exe = a["path"].as_str().unwrap().to_owned();
        if a["format"] == "elf" && a["arch"] == "x86_64" {
            assert_eq!(stdout(&mut Command::new(&exe)), host_out, "{id}: {exe}");
            continue;
        }
        let nm = stdout(Command::new("llvm-nm").args(["--defined-only", &exe]));
        for f in [
            "portable_add",
            "portable_sum",
            "ZSTD_compress",
            "ring_core_",
        ] {
            assert!(nm.contains(f), "{id}: {f} is not in {exe}");
        }
    }
}

/// Without zig, a musl target linked by rust-lld has no C compiler: a crate that
/// compiles C skips that variant before compiling, naming itself; so does the IPC
/// server, whose mimalloc (its allocator on musl) is C, while its gnu variant, whose
/// graph has no mimalloc, builds with no C compiler; a crate that compiles no C still
/// builds the same variants on the same PATH.
#[test]
fn no_c_compiler_skips_only_crates_that_compile_c() {
    let dir = tempdir();
    let root = c_and_cpp_crate(dir.path(), "needsc", false);
    // a PATH with cargo, rustc and the system's programs, but no zig anywhere
    let bin = dir.path().join("bin");
    std::fs::create_dir_all(&bin).unwrap();
    for p in ["cargo", "rustc"] {
        #[cfg(unix)]
        std::os::unix::fs::symlink(tool(p), bin.join(p)).unwrap();
    }
    let path = std::ffi::OsString::from(format!("{}:/usr/bin:/bin", bin.display()));
    let cache = dir.path().join("empty-cache");
    let env = [
        ("PATH", path.as_os_str()),
        ("CARGO_PORTABLE_CACHE", cache.as_os_str()),
    ];
    let out = Command::new("sh")
        .args(["-c", "command -v cargo-zigbuild"])
        .env("PATH", &path)
        .output()
        .unwrap();
    assert!(
        !out.status.success(),
        "cargo-zigbuild is on the test's PATH"
    );
    let matrix = "[[variant]]\nid = \"arm-musl\"\ntarget = \"aarch64-unknown-linux-musl\"\nlinker = \"internal\"\n";
    let (_, r) = build_with(&root, matrix, &[], &env);
    let v = variant(&r, "arm-musl");
    assert_eq!(v["status"], "skipped", "{v:#}");
    let reason = v["reason"].as_str().unwrap();
    assert!(
        reason.starts_with("needsc compile C for aarch64-unknown-linux-musl")
            && reason.contains("cargo-zigbuild"),
        "{reason}"
    );
    assert_eq!(v["commands"], serde_json::json!([]));
    let manifest = Path::new(env!("CARGO_MANIFEST_DIR")).join("Cargo.toml");
    let musl = ["linux-x86_64-musl", "linux-aarch64-musl"];
    let run = |manifest: &Path, more: &[&str]| -> Value {
        let out = portable()
            .envs(env)
            .args(["build", "-p", "ipc", "--format", "json"])
            .args(["--variant", musl[0], "--variant", musl[1]])
            .args(more)
            .arg("--manifest-path")
            .arg(manifest)
            .output()
            .unwrap();
        serde_json::from_slice(&out.stdout).unwrap()
    };
    let ipc = run(&manifest, &["--variant", "linux-x86_64-gnu"]);
    // mimalloc is a dependency on musl only: the gnu variant's graph compiles no C, so
    // it gets no C compiler (nor RUSTFLAGS for every crate, which would keep it from
    // sharing its dependency builds with the other x86_64 gnu variants)
    let gnu = variant(&ipc, "linux-x86_64-gnu");
    assert_eq!(gnu["status"], "built", "{gnu:#}");
    assert!(gnu["c_compiler"].is_null(), "{gnu:#}");
    for id in musl {
        let v = variant(&ipc, id);
        assert_eq!(v["status"], "skipped", "{id}: {v:#}");
        let reason = v["reason"].as_str().unwrap();
        assert!(
            reason.starts_with("libmimalloc-sys compile C for ")
                && reason.contains("cargo-zigbuild"),
            "{id}: {reason}"
        );
    }
    // the same variants of the default matrix for a crate without C, renamed ipc so
    // that -p ipc picks it
    let pure = new_crate(
        dir.path(),
        "ipc",
        "fn main() { println!(\"{}\", std::thread::spawn(|| 6 * 7).join().unwrap()); }\n",
        None,
    );
    let r = run(&pure.join("Cargo.toml"), &[]);
    for id in musl {
        assert_eq!(
            variant(&r, id)["status"],
            "built",
            "{id}: {}",
            variant(&r, id)["reason"]
        );
        assert!(variant(&r, id)["c_compiler"].is_null());
    }
}
