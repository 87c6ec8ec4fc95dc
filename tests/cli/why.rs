//! `why` and the report's `origin` fields, against oracles we did not write: the
//! linker's own `--trace-symbol` output on a relink of the IPC server, `nm -D` for the
//! glibc floor, `llvm-objdump -t` over the rlibs of a Windows and a macOS build.

use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};
use std::process::{Command, Output};

use serde_json::Value;

use crate::common::*;

fn workspace_manifest() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("Cargo.toml")
}

/// `cargo portable why WHAT --format json` with `args`; (exit code, JSON, stderr).
fn why(manifest: &Path, what: &str, args: &[&str]) -> (i32, Value, String) {
    let out = portable()
        .args(["why", what, "--format", "json", "--manifest-path"])
        .arg(manifest)
        .args(args)
        .output()
        .unwrap();
    let err = String::from_utf8_lossy(&out.stderr).into_owned();
    let v = serde_json::from_slice(&out.stdout).unwrap_or(Value::Null);
    (out.status.code().unwrap_or(-1), v, err)
}

fn build_json(manifest: &Path, args: &[&str]) -> Value {
    let out = portable()
        .args(["build", "--format", "json", "--manifest-path"])
        .arg(manifest)
        .args(args)
        .output()
        .unwrap();
    serde_json::from_slice(&out.stdout).unwrap_or_else(|e| {
        panic!(
            "build output is not JSON ({e}): {}",
            String::from_utf8_lossy(&out.stderr)
        )
    })
}

fn strs(v: &Value) -> Vec<String> {
    v.as_array()
        .map(|a| {
            a.iter()
                .filter_map(|s| s.as_str().map(str::to_owned))
                .collect()
        })
        .unwrap_or_default()
}

/// The crate name of `name@version`, as rustc spells it (`-` → `_`).
fn crate_name(label: &str) -> String {
    label.split('@').next().unwrap().replace('-', "_")
}

/// The crate of a file the linker names: `…/libtokio-<hash>.rlib(member)` → tokio,
/// `…/deps/ipc_server-<hash>.<cgu>.rcgu.o` → ipc_server; None for what is not a
/// crate's (crt1.o, libc.a members, shared libraries, rustc's symbols.o).
fn linker_file_crate(file: &str) -> Option<String> {
    let path = file.split('(').next().unwrap();
    let name = Path::new(path).file_name()?.to_str()?;
    if let Some(rlib) = name.strip_suffix(".rlib") {
        let n = rlib.strip_prefix("lib")?;
        return Some(n.rsplit_once('-').map_or(n, |(c, _)| c).to_owned());
    }
    if name.ends_with(".rcgu.o") && path.contains("/deps/") {
        return Some(name.split_once('-')?.0.to_owned());
    }
    None
}

/// Relink `bin` of a built variant as its report's last cargo command did, with the
/// linker tracing `symbols`; per symbol, the crates of the files the linker says
/// reference it.
fn linker_trace(
    variant: &Value,
    dir: &Path,
    symbols: &[String],
) -> BTreeMap<String, BTreeSet<String>> {
    let cmd = strs(&variant["commands"])
        .into_iter()
        .rfind(|c| c.contains("--bin ipc-server"))
        .expect("the variant's cargo command");
    let mut extra = String::from(" -W linker-messages");
    for s in symbols {
        extra.push_str(&format!(" -C link-arg=-Wl,--trace-symbol={s}"));
    }
    let out: Output = Command::new("sh")
        .arg("-c")
        .arg(format!("{cmd}{extra}"))
        .env("CARGO_TARGET_DIR", dir)
        .output()
        .unwrap();
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(out.status.success(), "relink failed: {err}");
    let mut found: BTreeMap<String, BTreeSet<String>> = BTreeMap::new();
    for line in err.lines() {
        let line = line.trim().trim_start_matches("warning: linker stdout: ");
        let Some((file, sym)) = line.rsplit_once(": reference to ") else {
            continue;
        };
        let entry = found.entry(sym.trim().to_owned()).or_default();
        if let Some(c) = linker_file_crate(file.trim()) {
            entry.insert(c);
        }
    }
    found
}

fn server(variant: &Value) -> &Value {
    variant["artifacts"]
        .as_array()
        .unwrap()
        .iter()
        .find(|a| a["path"].as_str().unwrap().ends_with("/ipc-server"))
        .expect("ipc-server artifact")
}

/// The issue's oracle: for every import of the dynamic server (and every symbol behind
/// a hazard of the static one), the crates `origin` names are exactly the crates of the
/// files the linker names as referencing it.
#[test]
fn origins_are_the_crates_the_linker_names() {
    let manifest = workspace_manifest();
    let target_dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("target/portable");
    for id in ["linux-x86_64-gnu", "linux-x86_64-gnu-static"] {
        let r = build_json(
            &manifest,
            &["-p", "ipc", "--bin", "ipc-server", "--variant", id],
        );
        let v = &r["variants"][0];
        assert_eq!(v["status"], "built", "{id}: {}", v["reason"]);
        let a = server(v);
        // symbol -> crates, from the report
        let mut ours: BTreeMap<String, BTreeSet<String>> = BTreeMap::new();
        for i in a["imports"].as_array().unwrap() {
            ours.insert(
                i["name"].as_str().unwrap().to_owned(),
                strs(&i["origin"]).iter().map(|c| crate_name(c)).collect(),
            );
        }
        for h in a["hazards"].as_array().unwrap() {
            for e in strs(&h["evidence"]) {
                if e.chars().all(|c| c.is_ascii_alphanumeric() || c == '_') {
                    ours.entry(e).or_default();
                }
            }
        }
        if id.ends_with("-static") {
            assert!(
                ours.contains_key("getaddrinfo"),
                "{id}: the NSS hazard names getaddrinfo"
            );
            let h = &a["hazards"].as_array().unwrap()[0];
            assert!(
                !strs(&h["origin"]).is_empty(),
                "{id}: the hazard has an origin"
            );
            for s in ours.clone().keys() {
                // the static binary has no imports: ask why for each hazard symbol
                let (code, w, err) = why(
                    &manifest,
                    s,
                    &["-p", "ipc", "--bin", "ipc-server", "--variant", id],
                );
                assert_eq!(code, 0, "{id}: why {s}: {err}");
                let crates: BTreeSet<String> = strs(&w["answers"][0]["symbol"]["crates"])
                    .iter()
                    .map(|c| crate_name(c))
                    .collect();
                ours.insert(s.clone(), crates);
            }
        }
        assert!(
            ours.len() > 5 || id.ends_with("-static"),
            "{id}: imports {ours:?}"
        );
        let symbols: Vec<String> = ours.keys().cloned().collect();
        let theirs = linker_trace(v, &target_dir.join(id), &symbols);
        let mut wrong = Vec::new();
        for (s, crates) in &ours {
            let linker = theirs.get(s).cloned().unwrap_or_default();
            if *crates != linker {
                wrong.push(format!("{s}: origin {crates:?}, linker {linker:?}"));
            }
        }
        assert!(wrong.is_empty(), "{id}:\n{}", wrong.join("\n"));
        // the facts the issue names
        assert!(
            ours["getaddrinfo"].contains("std"),
            "{id}: {:?}",
            ours["getaddrinfo"]
        );
        if let Some(c) = ours.get("getpwuid_r") {
            assert!(c.contains("ipc"), "{id}: getpwuid_r from {c:?}");
        }
    }
    // and `why` tells the chain back to the server's own code
    let (code, w, err) = why(
        &manifest,
        "getaddrinfo",
        &[
            "-p",
            "ipc",
            "--bin",
            "ipc-server",
            "--variant",
            "linux-x86_64-gnu",
        ],
    );
    assert_eq!(code, 0, "{err}");
    let chain = w["answers"][0]["symbol"]["chain"].as_array().unwrap();
    let crates: Vec<String> = chain
        .iter()
        .map(|s| crate_name(s["crate"].as_str().unwrap()))
        .collect();
    assert_eq!(crates.first().map(String::as_str), Some("std"), "{chain:?}");
    assert!(
        crates.iter().any(|c| c == "ipc" || c == "ipc_server"),
        "{crates:?}"
    );
}

// fegetround: in libm.so.6, and not among the math functions compiler_builtins defines
const MLINK: &str =
    "#[link(name = \"m\")]\nunsafe extern \"C\" {\n    fn fegetround() -> i32;\n}\n\
    pub fn rounding() -> i32 {\n    unsafe { fegetround() }\n}\n";

const WHYFIX: &str = r#"
use std::ffi::CStr;
use std::os::raw::c_char;
unsafe extern "C" {
    fn zlibVersion() -> *const c_char;
    fn arc4random() -> u32;
}
fn main() {
    let v = unsafe { CStr::from_ptr(zlibVersion()) };
    let r = unsafe { arc4random() };
    println!("zlib {} {} {}", v.to_string_lossy(), r % 2, mlink::rounding());
}
"#;

const GNU_MATRIX: &str =
    "[[variant]]\nid = \"gnu\"\ntarget = \"x86_64-unknown-linux-gnu\"\nlinker = \"internal\"\n\n\
    [[variant]]\nid = \"windows\"\ntarget = \"x86_64-pc-windows-gnu\"\nlinker = \"external\"\n";

/// A crate whose build script links `z`, with a dependency that has `#[link(name =
/// "m")]`, calling `arc4random` (glibc 2.36).
fn whyfix(dir: &Path) -> PathBuf {
    let root = new_crate(
        dir,
        "whyfix",
        WHYFIX,
        Some("fn main() { println!(\"cargo:rustc-link-lib=z\"); }\n"),
    );
    let toml = std::fs::read_to_string(root.join("Cargo.toml")).unwrap();
    std::fs::write(
        root.join("Cargo.toml"),
        toml.replace(
            "[workspace]",
            "[dependencies]\nmlink = { path = \"mlink\" }\n\n[workspace]",
        ),
    )
    .unwrap();
    std::fs::create_dir_all(root.join("mlink/src")).unwrap();
    std::fs::write(
        root.join("mlink/Cargo.toml"),
        "[package]\nname = \"mlink\"\nversion = \"0.2.0\"\nedition = \"2021\"\n",
    )
    .unwrap();
    std::fs::write(root.join("mlink/src/lib.rs"), MLINK).unwrap();
    std::fs::write(root.join("matrix.toml"), GNU_MATRIX).unwrap();
    root
}

/// Libraries, the glibc floor and the exit codes, on one fresh crate.
#[test]
fn why_names_build_scripts_link_attributes_and_the_glibc_floor() {
    let dir = tempdir();
    let root = whyfix(dir.path());
    let manifest = root.join("Cargo.toml");
    let m = root.join("matrix.toml");
    let m = m.to_str().unwrap();
    let gnu = ["--matrix", m, "--variant", "gnu"];

    // libz.so.1: the build script
    let (code, w, err) = why(&manifest, "libz.so.1", &gnu);
    assert_eq!(code, 0, "{err}");
    let origins = w["answers"][0]["library"]["origins"]
        .as_array()
        .unwrap()
        .clone();
    assert!(
        origins
            .iter()
            .any(|o| o["crate"] == "whyfix@0.1.0" && o["how"] == "build-script" && o["lib"] == "z"),
        "{origins:?}"
    );
    // libm.so.6: the crate with #[link(name = "m")], for the symbol it calls
    let (code, w, err) = why(&manifest, "libm.so.6", &gnu);
    assert_eq!(code, 0, "{err}");
    let origins = w["answers"][0]["library"]["origins"]
        .as_array()
        .unwrap()
        .clone();
    let mlink = origins
        .iter()
        .find(|o| o["crate"] == "mlink@0.2.0")
        .unwrap_or_else(|| panic!("{origins:?}"));
    assert_eq!(mlink["how"], "references");
    assert_eq!(strs(&mlink["symbols"]), vec!["fegetround"]);

    // glibc: the floor, the symbol, the crate and the floor without it, beside nm -D
    let exe = w["answers"][0]["path"].as_str().unwrap().to_owned();
    let nm = stdout(
        Command::new(tool("nm"))
            .args(["-D", "--undefined-only"])
            .arg(&exe),
    );
    let floor = |skip: &str| {
        nm.lines()
            .filter(|l| l.trim_start().starts_with("U "))
            .filter_map(|l| l.split_whitespace().nth(1))
            .filter_map(|s| s.split_once("@GLIBC_"))
            .filter(|(n, _)| *n != skip)
            .map(|(_, v)| {
                v.split('.')
                    .map(|p| p.parse().unwrap())
                    .collect::<Vec<u32>>()
            })
            .max()
            .map(|p| p.iter().map(u32::to_string).collect::<Vec<_>>().join("."))
            .unwrap()
    };
    assert_eq!(floor(""), "2.36", "{nm}");
    let (code, w, err) = why(&manifest, "glibc", &gnu);
    assert_eq!(code, 0, "{err}");
    let g = &w["answers"][0]["glibc"];
    assert_eq!(g["version"], "2.36");
    let f = g["forced_by"]
        .as_array()
        .unwrap()
        .iter()
        .find(|f| f["symbol"] == "arc4random")
        .unwrap_or_else(|| panic!("{g}"));
    assert_eq!(strs(&f["crates"]), vec!["whyfix@0.1.0"]);
    assert_eq!(f["floor_without"].as_str().unwrap(), floor("arc4random"));
    // the human form says the same
    let out = portable()
        .args(["why", "glibc", "--manifest-path"])
        .arg(&manifest)
        .args(gnu)
        .output()
        .unwrap();
    let text = String::from_utf8_lossy(&out.stdout);
    assert!(text.contains("needs glibc 2.36"), "{text}");
    assert!(
        text.contains("arc4random@GLIBC_2.36  ← whyfix@0.1.0"),
        "{text}"
    );
    assert!(
        text.contains(&format!("without it: glibc {}", floor("arc4random"))),
        "{text}"
    );

    // the report carries the same origins, valid by the schema and the strict types
    let r = build_json(&manifest, &gnu);
    let schema = crate::schema::schema();
    let validator = jsonschema::draft202012::new(&schema).unwrap();
    let errs: Vec<String> = validator
        .iter_errors(&r)
        .map(|e| format!("{e} at {}", e.instance_path()))
        .collect();
    assert!(errs.is_empty(), "{errs:?}");
    let back: cargo_portable::report::variants::BuildReport =
        serde_json::from_value(r.clone()).unwrap();
    assert_eq!(serde_json::to_value(&back).unwrap(), r);
    let a = &r["variants"][0]["artifacts"][0];
    let import = a["imports"]
        .as_array()
        .unwrap()
        .iter()
        .find(|i| i["name"] == "arc4random")
        .unwrap();
    assert_eq!(strs(&import["origin"]), vec!["whyfix@0.1.0"]);
    let z = a["libraries"]
        .as_array()
        .unwrap()
        .iter()
        .find(|l| l["name"] == "libz.so.1")
        .unwrap();
    assert_eq!(strs(&z["origin"]), vec!["whyfix@0.1.0"]);
    assert!(
        a["requires"]["glibc"]["origin"]
            .as_array()
            .unwrap()
            .contains(&serde_json::json!({"symbol": "arc4random", "crates": ["whyfix@0.1.0"]})),
        "{}",
        a["requires"]["glibc"]
    );

    // what the binary does not import: exit 1, and says so
    let (code, _, err) = why(&manifest, "no_such_symbol_anywhere", &gnu);
    assert_eq!(code, 1, "{err}");
    assert!(
        err.contains("no executable of this variant imports or links `no_such_symbol_anywhere`"),
        "{err}"
    );
    let (code, _, err) = why(&manifest, "libssl.so.3", &gnu);
    assert_eq!(code, 1, "{err}");
    // --no-build answers from the last build, the same; a variant never built: exit 1
    let (code, w2, err) = why(&manifest, "glibc", &[&gnu[..], &["--no-build"]].concat());
    assert_eq!(code, 0, "{err}");
    assert_eq!(w2["answers"][0]["glibc"], w["answers"][0]["glibc"]);
    let (code, _, err) = why(
        &manifest,
        "glibc",
        &["--matrix", m, "--variant", "windows", "--no-build"],
    );
    assert_eq!(code, 1, "{err}");
    assert!(err.contains("windows: no build of it under"), "{err}");
    // an unknown variant: exit 2 with the known ids
    let (code, _, err) = why(&manifest, "glibc", &["--matrix", m, "--variant", "nope"]);
    assert_eq!(code, 2, "{err}");
    assert!(
        err.contains("no variant with id `nope`") && err.contains("gnu, windows"),
        "{err}"
    );
}

/// PE and Mach-O: every crate `origin` names for an import really references it, by
/// `llvm-objdump -t` over that crate's rlib (as `NAME` or `__imp_NAME`).
#[test]
fn pe_and_macho_import_origins_agree_with_llvm_objdump() {
    let dir = tempdir();
    let root = new_crate(
        dir.path(),
        "pefix",
        "fn main() { println!(\"{:?}\", std::env::current_dir()); }\n",
        None,
    );
    let matrix = format!(
        "{GNU_MATRIX}\n[[variant]]\nid = \"macos\"\ntarget = \"x86_64-apple-darwin\"\nlinker = \"zig\"\n"
    );
    std::fs::write(root.join("matrix.toml"), matrix).unwrap();
    let m = root.join("matrix.toml");
    let r = build_json(
        &root.join("Cargo.toml"),
        &[
            "--matrix",
            m.to_str().unwrap(),
            "--variant",
            "windows",
            "--variant",
            "macos",
        ],
    );
    let sysroot = stdout(Command::new("rustc").args(["--print", "sysroot"]));
    for (v, target, format, probe) in [
        (
            &r["variants"][0],
            "x86_64-pc-windows-gnu",
            "pe",
            "GetCurrentDirectoryW",
        ),
        (&r["variants"][1], "x86_64-apple-darwin", "macho", "_getcwd"),
    ] {
        assert_eq!(v["status"], "built", "{}", v["reason"]);
        let a = &v["artifacts"][0];
        assert_eq!(a["format"], format);
        let exe = Path::new(a["path"].as_str().unwrap());
        let lib = Path::new(sysroot.trim()).join(format!("lib/rustlib/{target}/lib"));
        let mut cache: BTreeMap<String, BTreeSet<String>> = BTreeMap::new();
        let mut checked = 0;
        for i in a["imports"].as_array().unwrap() {
            let name = i["name"].as_str().unwrap();
            for c in strs(&i["origin"]) {
                if c.starts_with("pefix@") {
                    continue;
                }
                let u = cache
                    .entry(c.clone())
                    .or_insert_with(|| undefined_in(&lib, exe, &c));
                assert!(
                    u.contains(name) || u.contains(&format!("__imp_{name}")),
                    "{format}: {name}: {c} does not reference it per llvm-objdump"
                );
                checked += 1;
            }
        }
        assert!(
            checked > 10,
            "{format}: only {checked} imports had an origin: {a}"
        );
        let probe = a["imports"]
            .as_array()
            .unwrap()
            .iter()
            .find(|i| i["name"] == probe)
            .unwrap_or_else(|| panic!("{format}: no {probe} import"));
        assert_eq!(
            strs(&probe["origin"])
                .iter()
                .map(|c| crate_name(c))
                .collect::<Vec<_>>(),
            vec!["std"],
            "{format}"
        );
    }
}

/// The undefined symbols of a crate's rlib (the sysroot's, else the deps directory's
/// beside `exe`), by `llvm-objdump -t`: COFF lists them in section 0, ELF and Mach-O
/// as `*UND*`. It complains about lib.rmeta (not an object), so its status says
/// nothing here; llvm-nm 14 gives up on the Windows objects (they embed LLVM 22
/// bitcode it cannot read).
fn undefined_in(lib: &Path, exe: &Path, krate: &str) -> BTreeSet<String> {
    let name = crate_name(krate);
    let rlib = std::fs::read_dir(lib)
        .unwrap()
        .filter_map(Result::ok)
        .map(|e| e.path())
        .find(|p| {
            p.file_name()
                .and_then(|f| f.to_str())
                .is_some_and(|f| f.starts_with(&format!("lib{name}-")) && f.ends_with(".rlib"))
        })
        .unwrap_or_else(|| {
            exe.parent()
                .unwrap()
                .join("deps")
                .join(format!("lib{name}.rlib"))
        });
    let out = Command::new(tool("llvm-objdump"))
        .arg("-t")
        .arg(&rlib)
        .output()
        .unwrap();
    let text = String::from_utf8_lossy(&out.stdout).into_owned();
    let set: BTreeSet<String> = text
        .lines()
        .filter(|l| l.contains("(sec  0)") || l.contains("*UND*"))
        .filter_map(|l| l.split_whitespace().last())
        .map(str::to_owned)
        .collect();
    assert!(
        !set.is_empty(),
        "llvm-objdump -t {}: {}",
        rlib.display(),
        String::from_utf8_lossy(&out.stderr)
    );
    set
}
