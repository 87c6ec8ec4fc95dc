//! Mach-O against LLVM's own readers: x86_64 and arm64 executables linked by zig
//! (C with `zig cc`, Rust with `cargo zigbuild`) and a universal binary made with
//! `llvm-lipo -create`. The oracles: `llvm-objdump --macho --dylibs-used` (libraries,
//! as `otool -L` prints them), `llvm-nm -u` / `llvm-nm -m -u` (imports and their
//! two-level-namespace dylib), `llvm-objdump --macho --private-headers`
//! (LC_BUILD_VERSION, LC_RPATH, header flags) and `--universal-headers` (slices).

use std::path::{Path, PathBuf};
use std::process::Command;
use std::sync::OnceLock;

use serde_json::Value;

use crate::common::{self, inspect_json, inspect_one, portable, stdout, tool, which, zig_cc};

// ---------------------------------------------------------------------------------
// tools

/// An LLVM tool under its plain name or Debian's versioned names (`llvm-nm-19`,
/// `/usr/lib/llvm-19/bin/llvm-nm`). Fails the test (never skips) when none exists.
pub(crate) fn llvm_tool(name: &str) -> PathBuf {
    let mut names = vec![name.to_owned()];
    names.extend((11..=22).rev().map(|v| format!("{name}-{v}")));
    if let Some(p) = names.iter().find_map(|n| which(n)) {
        return p;
    }
    for v in (11..=22).rev() {
        let p = PathBuf::from(format!("/usr/lib/llvm-{v}/bin/{name}"));
        if p.is_file() {
            return p;
        }
    }
    // panics with the install hint
    tool(name)
}

fn cmd(program: &Path, args: &[&str]) -> String {
    stdout(Command::new(program).args(args))
}

// ---------------------------------------------------------------------------------
// fixtures, built once per test process

/// The C program: libSystem plus our own `@rpath/libfoo.dylib`, one weak import
/// (`weak_import`) and an LC_RPATH.
const MAIN_C: &str = r#"
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
extern int foo_add(int, int);
extern int foo_weak_thing(void) __attribute__((weak_import));
int main(int argc, char **argv) {
    char buf[64];
    snprintf(buf, sizeof buf, "%s:%d", argv[0], argc);
    int w = foo_weak_thing ? foo_weak_thing() : -1;
    printf("%s %d %d\n", buf, foo_add((int)strlen(buf), atoi(argc > 1 ? argv[1] : "2")), w);
    return 0;
}
"#;

const FOO_C: &str = "int foo_add(int a, int b) { return a + b; }\n\
                     int foo_weak_thing(void) { return 7; }\n";

const BAR_C: &str = "int bar_mul(int a, int b) { return a * b; }\n";

/// Three dylibs: libSystem, a weakly linked one (LC_LOAD_WEAK_DYLIB) with its own
/// versions, and libfoo; plus a symbol left to flat lookup (`-undefined
/// dynamic_lookup`), which has no dylib in the two-level namespace.
const MAIN3_C: &str = r#"
#include <stdio.h>
extern int foo_add(int, int);
extern int bar_mul(int, int);
extern int dyn_lookup(int);
int main(int argc, char **argv) {
    (void)argv;
    printf("%d %d %d\n", foo_add(argc, 1), bar_mul(argc, 3), argc > 9 ? dyn_lookup(argc) : 0);
    return 0;
}
"#;

use crate::fixtures::NET_PROGRAM as RUST_MAIN;

struct Fixtures {
    /// C program with libfoo, per arch: (x86_64, arm64).
    c_x86_64: PathBuf,
    c_arm64: PathBuf,
    /// arm64 C program with a weak dylib and a flat-lookup symbol.
    c_weak: PathBuf,
    rust_x86_64: PathBuf,
    rust_arm64: PathBuf,
    /// `llvm-lipo -create` of the two Rust builds.
    universal: PathBuf,
}

fn fixture_root() -> PathBuf {
    let d = Path::new(env!("CARGO_TARGET_TMPDIR")).join("macho-fixtures");
    std::fs::create_dir_all(&d).expect("create fixture dir");
    d
}

fn fixtures() -> &'static Fixtures {
    static F: OnceLock<Fixtures> = OnceLock::new();
    F.get_or_init(build_fixtures)
}

fn build_fixtures() -> Fixtures {
    let dir = fixture_root();
    let zig = zig_cc();
    let zig: Vec<&str> = zig.iter().map(String::as_str).collect();
    let main_c = common::write(&dir, "main.c", MAIN_C);
    let foo_c = common::write(&dir, "foo.c", FOO_C);
    let bar_c = common::write(&dir, "bar.c", BAR_C);
    let main3_c = common::write(&dir, "main3.c", MAIN3_C);
    let lib_dir = dir.to_str().unwrap().to_owned();

    let mut c_out = Vec::new();
    for (arch, tag) in [("x86_64", "x86_64"), ("aarch64", "arm64")] {
        let target = format!("{arch}-macos.11.0");
        let lib = dir.join(format!("libfoo-{tag}.dylib"));
        common::cc(
            &zig,
            &foo_c,
            &lib,
            &[
                "-target",
                &target,
                "-shared",
                "-Wl,-install_name,@rpath/libfoo.dylib",
            ],
        );
        let exe = dir.join(format!("c-{tag}"));
        common::cc(
            &zig,
            &main_c,
            &exe,
            &[
                "-target",
                &target,
                "-O2",
                "-L",
                &lib_dir,
                &format!("-lfoo-{tag}"),
                "-Wl,-rpath,@executable_path/../lib",
            ],
        );
        c_out.push(exe);
    }
    common::cc(
        &zig,
        &bar_c,
        &dir.join("libbar.dylib"),
        &[
            "-target",
            "aarch64-macos.11.0",
            "-shared",
            "-Wl,-install_name,/opt/bar/lib/libbar.1.dylib,-current_version,2.3.4,-compatibility_version,2.0.0",
        ],
    );
    let c_weak = common::cc(
        &zig,
        &main3_c,
        &dir.join("c-weak"),
        &[
            "-target",
            "aarch64-macos.11.0",
            "-O2",
            "-L",
            &lib_dir,
            "-lfoo-arm64",
            "-Wl,-weak-lbar",
            "-Wl,-undefined,dynamic_lookup",
        ],
    );

    let rust_x86_64 = zigbuild(&dir, "x86_64-apple-darwin");
    let rust_arm64 = zigbuild(&dir, "aarch64-apple-darwin");
    let universal = dir.join("rust-universal");
    let _ = std::fs::remove_file(&universal);
    common::run(
        Command::new(llvm_tool("llvm-lipo"))
            .arg("-create")
            .arg(&rust_x86_64)
            .arg(&rust_arm64)
            .arg("-output")
            .arg(&universal),
    );
    let mut c_out = c_out.into_iter();
    Fixtures {
        c_x86_64: c_out.next().unwrap(),
        c_arm64: c_out.next().unwrap(),
        c_weak,
        rust_x86_64,
        rust_arm64,
        universal,
    }
}

/// Build the Rust fixture crate with `cargo zigbuild --release --target TARGET`.
fn zigbuild(dir: &Path, target: &str) -> PathBuf {
    tool("cargo-zigbuild");
    let krate = common::new_crate(dir, "rustfx", RUST_MAIN, None);
    let target_dir = dir.join("target");
    // zig picks the deployment target from MACOSX_DEPLOYMENT_TARGET
    common::run(
        common::with_tools(&mut Command::new(env!("CARGO")))
            .args(["zigbuild", "--release", "--quiet", "--target", target])
            .current_dir(&krate)
            .env("CARGO_TARGET_DIR", &target_dir)
            .env("MACOSX_DEPLOYMENT_TARGET", "11.0")
            .env_remove("RUSTFLAGS")
            .env_remove("CARGO_BUILD_TARGET"),
    );
    target_dir.join(target).join("release").join("rustfx")
}

// ---------------------------------------------------------------------------------
// oracle parsing

#[derive(Debug, Clone, PartialEq, Eq)]
struct OracleDylib {
    name: String,
    compatibility: String,
    current: String,
    /// `weak`, `reexport`, `lazy`, `upward` or empty.
    flag: String,
}

fn arch_args(arch: Option<&str>) -> Vec<String> {
    arch.map(|a| vec!["--arch".to_owned(), a.to_owned()])
        .unwrap_or_default()
}

/// The raw text of `llvm-objdump --macho --dylibs-used [--arch A] FILE`.
fn dylibs_used_text(path: &Path, arch: Option<&str>) -> String {
    let mut c = Command::new(llvm_tool("llvm-objdump"));
    c.args(["--macho", "--dylibs-used"])
        .args(arch_args(arch))
        .arg(path);
    stdout(&mut c)
}

/// `\tNAME (compatibility version X, current version Y[, weak])` lines.
fn dylibs_used(path: &Path, arch: Option<&str>) -> Vec<OracleDylib> {
    dylibs_used_text(path, arch)
        .lines()
        .filter_map(|l| l.strip_prefix('\t'))
        .map(|l| {
            let (name, rest) = l
                .rsplit_once(" (compatibility version ")
                .unwrap_or_else(|| panic!("unexpected --dylibs-used line {l:?}"));
            let rest = rest.strip_suffix(')').expect("closing parenthesis");
            let mut parts = rest.split(", ");
            let compatibility = parts.next().unwrap().to_owned();
            let current = parts
                .next()
                .and_then(|p| p.strip_prefix("current version "))
                .expect("current version")
                .to_owned();
            OracleDylib {
                name: name.to_owned(),
                compatibility,
                current,
                flag: parts.next().unwrap_or("").to_owned(),
            }
        })
        .collect()
}

/// One undefined symbol as `llvm-nm -m -u -p` describes it.
#[derive(Debug, Clone, PartialEq, Eq)]
struct OracleImport {
    name: String,
    weak: bool,
    /// The dylib's short name (`libSystem`), `None` for flat lookup.
    from: Option<String>,
}

/// `llvm-nm -m -u -p`: symbol-table order (`-p`), with weak marks and the dylib.
fn nm_m_u(path: &Path, arch: Option<&str>) -> Vec<OracleImport> {
    let mut c = Command::new(llvm_tool("llvm-nm"));
    c.args(["-m", "-u", "-p"]).args(arch_args(arch)).arg(path);
    stdout(&mut c)
        .lines()
        .filter(|l| !l.trim().is_empty())
        .map(|l| {
            let rest = l
                .trim()
                .strip_prefix("(undefined) ")
                .unwrap_or_else(|| panic!("unexpected nm -m line {l:?}"));
            let (weak, rest) = match rest.strip_prefix("weak ") {
                Some(r) => (true, r),
                None => (false, rest),
            };
            let rest = rest.strip_prefix("external ").expect("external");
            let (name, from) = match rest.split_once(" (") {
                Some((n, tail)) => (
                    n,
                    tail.strip_prefix("from ")
                        .and_then(|t| t.strip_suffix(')'))
                        .map(str::to_owned),
                ),
                None => (rest, None),
            };
            OracleImport {
                name: name.to_owned(),
                weak,
                from,
            }
        })
        .collect()
}

/// `llvm-nm -u [-p] [--arch A]`: one name per line.
fn nm_u(path: &Path, arch: Option<&str>, unsorted: bool) -> Vec<String> {
    let mut c = Command::new(llvm_tool("llvm-nm"));
    c.arg("-u");
    if unsorted {
        c.arg("-p");
    }
    c.args(arch_args(arch)).arg(path);
    stdout(&mut c)
        .lines()
        .filter(|l| !l.trim().is_empty())
        .map(|l| l.trim().to_owned())
        .collect()
}

/// The short name nm uses for a dylib in "(from ...)": the framework name, or the
/// file name up to its first dot (`/usr/lib/libSystem.B.dylib` -> `libSystem`).
fn short_name(install_name: &str) -> String {
    let base = install_name.rsplit('/').next().unwrap_or(install_name);
    if let Some((_, fw)) = install_name.split_once(".framework/") {
        let _ = fw;
        return base.to_owned();
    }
    base.split('.').next().unwrap_or(base).to_owned()
}

/// The facts of `llvm-objdump --macho --private-headers` we compare.
#[derive(Debug, Default)]
struct PrivateHeaders {
    minos: Option<String>,
    sdk: Option<String>,
    tools: Vec<(String, String)>,
    rpaths: Vec<String>,
    flags: Vec<String>,
}

fn private_headers(path: &Path, arch: Option<&str>) -> PrivateHeaders {
    let mut c = Command::new(llvm_tool("llvm-objdump"));
    c.args(["--macho", "--private-headers"])
        .args(arch_args(arch))
        .arg(path);
    let text = stdout(&mut c);
    let mut h = PrivateHeaders::default();
    let mut lines = text.lines().peekable();
    while let Some(l) = lines.next() {
        let t = l.trim();
        if t.starts_with("MH_MAGIC") {
            // magic cputype cpusubtype caps filetype ncmds sizeofcmds flags...
            h.flags = t.split_whitespace().skip(7).map(str::to_owned).collect();
        } else if let Some(v) = t.strip_prefix("minos ") {
            h.minos = Some(v.trim().to_owned());
        } else if let Some(v) = t.strip_prefix("sdk ") {
            h.sdk = Some(v.trim().to_owned());
        } else if let Some(v) = t.strip_prefix("tool ") {
            let ver = lines
                .next()
                .and_then(|n| n.trim().strip_prefix("version "))
                .expect("tool version line")
                .trim()
                .to_owned();
            h.tools.push((v.trim().to_owned(), ver));
        } else if let Some(v) = t.strip_prefix("path ") {
            let p = v.rsplit_once(" (offset ").map_or(v, |(p, _)| p);
            h.rpaths.push(p.to_owned());
        }
    }
    h
}

// ---------------------------------------------------------------------------------
// comparison

fn strs(v: &Value) -> Vec<String> {
    v.as_array()
        .unwrap()
        .iter()
        .map(|s| s.as_str().unwrap().to_owned())
        .collect()
}

/// Compare one artifact (a thin file or one slice) with the oracles run on `path`
/// (with `--arch` for a slice).
fn assert_matches_oracles(a: &Value, path: &Path, arch: Option<&str>) {
    let what = format!("{} {}", path.display(), arch.unwrap_or(""));
    assert_eq!(a["format"], "macho", "{what}");
    assert_eq!(a["os"], "macos", "{what}");

    // libraries: names, versions and load kind, in load-command order
    let oracle = dylibs_used(path, arch);
    let ours: Vec<OracleDylib> = a["libraries"]
        .as_array()
        .unwrap()
        .iter()
        .map(|l| OracleDylib {
            name: l["name"].as_str().unwrap().to_owned(),
            compatibility: l["compatibility_version"].as_str().unwrap().to_owned(),
            current: l["current_version"].as_str().unwrap().to_owned(),
            flag: match l["load"].as_str().unwrap() {
                "needed" => String::new(),
                other => other.to_owned(),
            },
        })
        .collect();
    assert_eq!(ours, oracle, "libraries of {what}");
    assert!(
        !oracle.is_empty(),
        "{what}: a dynamic executable has dylibs"
    );
    for l in a["libraries"].as_array().unwrap() {
        let name = l["name"].as_str().unwrap();
        let want = if name.starts_with("/usr/lib/") || name.starts_with("/System/Library/") {
            "system"
        } else {
            "external"
        };
        assert_eq!(l["class"], want, "{what}: class of {name}");
    }

    // imports: exactly `nm -u`, in symbol-table order (`-p`); the JSON keeps the
    // file's order, nm sorts by default
    let names = common::import_names(a);
    assert_eq!(names, nm_u(path, arch, true), "imports of {what}");
    let mut sorted = names.clone();
    sorted.sort();
    assert_eq!(sorted, nm_u(path, arch, false), "sorted imports of {what}");

    // each import's dylib and weak mark, as `nm -m` shows them
    let oracle = nm_m_u(path, arch);
    let ours: Vec<OracleImport> = a["imports"]
        .as_array()
        .unwrap()
        .iter()
        .map(|i| OracleImport {
            name: i["name"].as_str().unwrap().to_owned(),
            weak: i["weak"].as_bool().unwrap(),
            from: i["library"].as_str().map(short_name),
        })
        .collect();
    assert_eq!(ours, oracle, "imports with dylibs of {what}");

    // minimum macOS, SDK, rpaths, PIE, linker from the load commands
    let h = private_headers(path, arch);
    assert!(h.minos.is_some(), "{what}: LC_BUILD_VERSION expected");
    assert_eq!(
        a["requires"]["macos"].as_str(),
        h.minos.as_deref(),
        "{what}"
    );
    assert_eq!(
        a["requires"]["macos_sdk"].as_str(),
        h.sdk.as_deref(),
        "{what}"
    );
    assert_eq!(strs(&a["rpath"]), h.rpaths, "rpath of {what}");
    assert_eq!(
        a["hardening"]["pie"].as_bool().unwrap(),
        h.flags.iter().any(|f| f == "PIE"),
        "{what}: PIE flag {:?}",
        h.flags
    );
    // zig's linker records itself as tool 5 (Zig's unofficial number; LLVM 14's
    // objdump prints it in hex)
    assert_eq!(
        h.tools.iter().map(|(t, _)| t.as_str()).collect::<Vec<_>>(),
        ["0x000005"],
        "{what}: linker tools"
    );
    assert_eq!(a["linker"]["name"], "zig", "{what}: {}", a["linker"]);
    assert_eq!(a["linker"]["version"].as_str(), Some(h.tools[0].1.as_str()));

    assert_eq!(a["linkage"], "dynamic", "{what}");
    assert_eq!(a["libc"], "libsystem", "{what}");
    assert_eq!(a["interpreter"], "/usr/lib/dyld", "{what}");
}

// ---------------------------------------------------------------------------------
// tests

#[test]
fn c_x86_64_and_arm64_match_llvm() {
    let f = fixtures();
    for (path, arch, bits) in [(&f.c_x86_64, "x86_64", 64), (&f.c_arm64, "aarch64", 64)] {
        let a = inspect_one(path);
        assert_matches_oracles(&a, path, None);
        assert_eq!(a["arch"], arch);
        assert_eq!(a["bits"], bits);
        assert_eq!(a["slice"], Value::Null);
        assert_eq!(
            a["requires"]["macos"], "11.0",
            "built with -target *-macos.11.0"
        );
        assert_eq!(
            common::library_names(&a),
            ["/usr/lib/libSystem.B.dylib", "@rpath/libfoo.dylib"]
        );
        assert_eq!(a["portable"], false, "needs @rpath/libfoo.dylib");
        // the weak_import declaration is a weak reference
        let weak: Vec<&str> = a["imports"]
            .as_array()
            .unwrap()
            .iter()
            .filter(|i| i["weak"] == true)
            .map(|i| i["name"].as_str().unwrap())
            .collect();
        assert_eq!(weak, ["_foo_weak_thing"], "{}", path.display());
    }
}

#[test]
fn weak_dylib_and_flat_lookup_match_llvm() {
    let f = fixtures();
    let a = inspect_one(&f.c_weak);
    assert_matches_oracles(&a, &f.c_weak, None);
    let bar = &a["libraries"][1];
    assert_eq!(bar["name"], "/opt/bar/lib/libbar.1.dylib");
    assert_eq!(bar["load"], "weak");
    assert_eq!(bar["class"], "external");
    let dyn_lookup = a["imports"]
        .as_array()
        .unwrap()
        .iter()
        .find(|i| i["name"] == "_dyn_lookup")
        .expect("_dyn_lookup import");
    assert_eq!(
        dyn_lookup["library"],
        Value::Null,
        "flat lookup names no dylib"
    );
}

#[test]
fn rust_x86_64_and_arm64_match_llvm() {
    let f = fixtures();
    for (path, arch) in [(&f.rust_x86_64, "x86_64"), (&f.rust_arm64, "aarch64")] {
        let a = inspect_one(path);
        assert_matches_oracles(&a, path, None);
        assert_eq!(a["arch"], arch);
        assert_eq!(a["portable"], true, "{}: libSystem only", path.display());
        let names = common::import_names(&a);
        for want in ["_socket", "_pthread_create", "_write"] {
            assert!(names.iter().any(|n| n == want), "{want} in {names:?}");
        }
    }
}

/// `llvm-objdump --macho --universal-headers`: (arch, offset, size) per slice.
fn universal_headers(path: &Path) -> Vec<(String, u64, u64)> {
    let text = cmd(
        &llvm_tool("llvm-objdump"),
        &["--macho", "--universal-headers", path.to_str().unwrap()],
    );
    let mut out: Vec<(String, u64, u64)> = Vec::new();
    for l in text.lines().map(str::trim) {
        if let Some(a) = l.strip_prefix("architecture ") {
            out.push((a.to_owned(), 0, 0));
        } else if let (Some(v), Some(last)) = (l.strip_prefix("offset "), out.last_mut()) {
            last.1 = v.parse().unwrap();
        } else if let (Some(v), Some(last)) = (l.strip_prefix("size "), out.last_mut()) {
            last.2 = v.parse().unwrap();
        }
    }
    out
}

#[test]
fn universal_binary_has_one_artifact_per_slice() {
    let f = fixtures();
    let (code, v) = inspect_json(&[&f.universal]);
    assert_eq!(code, 0, "{}", v["errors"]);
    let arts = v["artifacts"].as_array().unwrap();
    let headers = universal_headers(&f.universal);
    assert_eq!(
        headers.iter().map(|h| h.0.as_str()).collect::<Vec<_>>(),
        ["x86_64", "arm64"],
        "lipo keeps the order of its inputs"
    );
    assert_eq!(arts.len(), headers.len());
    let size = std::fs::metadata(&f.universal).unwrap().len();
    for (i, (a, (arch, offset, slice_size))) in arts.iter().zip(&headers).enumerate() {
        assert_eq!(a["slice"]["index"], i);
        assert_eq!(a["slice"]["offset"], *offset, "slice {i}");
        assert_eq!(a["slice"]["size"], *slice_size, "slice {i}");
        // size and hash are the whole file's
        assert_eq!(a["size"], size);
        assert_eq!(
            a["arch"],
            if arch == "arm64" { "aarch64" } else { "x86_64" }
        );
        assert_matches_oracles(a, &f.universal, Some(arch));
    }
    assert_eq!(arts[0]["sha256"], arts[1]["sha256"]);
    // each slice reports what the thin build it came from reports
    for (a, thin) in arts.iter().zip([&f.rust_x86_64, &f.rust_arm64]) {
        let t = inspect_one(thin);
        for k in ["libraries", "imports", "requires", "linker", "hardening"] {
            assert_eq!(a[k], t[k], "{k} of slice vs {}", thin.display());
        }
    }
}

fn our_format(format: &str, path: &Path) -> String {
    let out = common::run(portable().args(["inspect", "--format", format]).arg(path));
    String::from_utf8(out.stdout).unwrap()
}

/// Split our multi-file output into blocks, one per heading line (no leading tab).
fn blocks(text: &str) -> Vec<(String, Vec<String>)> {
    let mut out: Vec<(String, Vec<String>)> = Vec::new();
    for l in text.lines() {
        if l.is_empty() {
            continue;
        }
        if !l.starts_with('\t') && l.ends_with(':') && !l.starts_with(' ') && l.contains('/') {
            out.push((l.to_owned(), Vec::new()));
        } else {
            out.last_mut()
                .expect("a heading before the first line")
                .1
                .push(l.to_owned());
        }
    }
    out
}

#[test]
fn ldd_format_is_otool_l() {
    let f = fixtures();
    for path in [&f.c_x86_64, &f.rust_arm64] {
        assert_eq!(
            our_format("ldd", path),
            dylibs_used_text(path, None),
            "--format ldd of {}",
            path.display()
        );
    }
    // LC_LOAD_WEAK_DYLIB: otool -L and llvm-objdump end the line with ", weak)".
    assert_eq!(
        our_format("ldd", &f.c_weak),
        dylibs_used_text(&f.c_weak, None),
        "--format ldd of {}",
        f.c_weak.display()
    );
    // universal: our heading names each slice ("PATH (architecture x86_64, slice 0):")
    // where llvm-objdump, run once per --arch, prints "PATH:"; the lines are equal
    let ours = blocks(&our_format("ldd", &f.universal));
    let path = f.universal.display().to_string();
    assert_eq!(ours.len(), 2);
    for (i, ((heading, lines), arch)) in ours.iter().zip(["x86_64", "arm64"]).enumerate() {
        let arch_name = if arch == "arm64" { "aarch64" } else { arch };
        assert_eq!(
            heading,
            &format!("{path} (architecture {arch_name}, slice {i}):")
        );
        let oracle = dylibs_used_text(&f.universal, Some(arch));
        let mut o = oracle.lines();
        assert_eq!(o.next(), Some(format!("{path}:").as_str()));
        assert_eq!(
            lines,
            &o.map(str::to_owned).collect::<Vec<_>>(),
            "slice {arch}"
        );
    }
}

#[test]
fn nm_format_is_nm_u() {
    let f = fixtures();
    for path in [&f.c_weak, &f.c_x86_64, &f.rust_x86_64] {
        let ours: Vec<String> = our_format("nm", path).lines().map(str::to_owned).collect();
        assert_eq!(
            ours,
            nm_u(path, None, false),
            "--format nm of {}",
            path.display()
        );
    }
    // universal: one block per slice under our heading; each equals `nm -u --arch`
    let ours = blocks(&our_format("nm", &f.universal));
    assert_eq!(ours.len(), 2);
    for ((_, lines), arch) in ours.iter().zip(["x86_64", "arm64"]) {
        assert_eq!(
            lines,
            &nm_u(&f.universal, Some(arch), false),
            "slice {arch}"
        );
    }
}
