//! A warm `build` (caches kept by earlier runs: rustc's facts, the probes, `cargo
//! metadata`, each executable's inspection and origins) reports exactly what a cold one
//! does: a small crate built cold, then warm after each change (a source file, a
//! feature, a new path dependency in the manifest; then, in a second crate, a `-sys`
//! library installed, the linker replaced under the same name, the toolchain
//! replaced and the C compiler upgraded), each warm report compared with a cold one (a fresh target directory and
//! cache) field by field, except the timings, how the variant's directory was seeded
//! and the directories themselves.

use std::ffi::OsStr;
use std::path::{Path, PathBuf};

use serde_json::Value;

use crate::common::{build_output, cc, new_crate, portable, script, tempdir, variant};

const MATRIX: &str = "[[variant]]
id = \"linux-x86_64-gnu\"
target = \"x86_64-unknown-linux-gnu\"
linker = \"internal\"

[[variant]]
id = \"linux-x86_64-musl\"
target = \"x86_64-unknown-linux-musl\"
linker = \"internal\"
";

const MAIN: &str = "fn main() {
    println!(\"hello {}\", std::env::args().count());
    #[cfg(feature = \"net\")]
    {
        use std::net::ToSocketAddrs;
        let _ = (\"localhost\", 80).to_socket_addrs();
    }
}
";

/// `build --format json` of `root` into `target` with the cargo-portable cache `cache`
/// and more environment variables `env`.
fn build_env(
    root: &Path,
    target: &Path,
    cache: &Path,
    extra: &[&str],
    env: &[(&str, &OsStr)],
) -> Value {
    let out = portable()
        .envs(env.iter().copied())
        .env("CARGO_TARGET_DIR", target)
        .env("CARGO_PORTABLE_CACHE", cache)
        .args(["build", "--format", "json", "--manifest-path"])
        .arg(root.join("Cargo.toml"))
        .arg("--matrix")
        .arg(root.join("matrix.toml"))
        .args(extra)
        .output()
        .expect("run cargo-portable");
    let (out, v) = build_output(out);
    assert_eq!(
        out.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    v
}

/// The report without what legitimately differs between two runs: the timings, how a
/// new variant directory was seeded, and the target and cache directories in paths
/// and command lines.
fn comparable(mut v: Value, dirs: &[(&Path, &str)]) -> Value {
    fn walk(v: &mut Value, dirs: &[(String, &str)]) {
        match v {
            Value::Object(m) => {
                m.remove("build_seconds");
                m.remove("seeded_from");
                for x in m.values_mut() {
                    walk(x, dirs);
                }
            }
            Value::Array(a) => a.iter_mut().for_each(|x| walk(x, dirs)),
            Value::String(s) => {
                for (d, name) in dirs {
                    *s = s.replace(d.as_str(), name);
                }
            }
            _ => {}
        }
    }
    let dirs: Vec<(String, &str)> = dirs
        .iter()
        .map(|(d, n)| (d.display().to_string(), *n))
        .collect();
    walk(&mut v, &dirs);
    v
}

/// Every field of `warm` equals `cold`'s (the differing paths named).
fn assert_same(warm: &Value, cold: &Value, step: &str) {
    fn diff(a: &Value, b: &Value, at: String, out: &mut Vec<String>) {
        match (a, b) {
            (Value::Object(x), Value::Object(y)) => {
                for k in x.keys().chain(y.keys().filter(|k| !x.contains_key(*k))) {
                    let (p, q) = (&x.get(k), &y.get(k));
                    match (p, q) {
                        (Some(p), Some(q)) => diff(p, q, format!("{at}.{k}"), out),
                        _ => out.push(format!("{at}.{k}: {p:?} / {q:?}")),
                    }
                }
            }
            (Value::Array(x), Value::Array(y)) if x.len() == y.len() => {
                for (i, (p, q)) in x.iter().zip(y).enumerate() {
                    diff(p, q, format!("{at}[{i}]"), out);
                }
            }
            (Value::Array(x), Value::Array(y)) => {
                // of different lengths: what only one side has
                let only = |p: &[Value], q: &[Value]| -> Vec<String> {
                    p.iter()
                        .filter(|e| !q.contains(e))
                        .map(Value::to_string)
                        .collect()
                };
                out.push(format!(
                    "{at}: {} in warm, {} in cold; only warm: {:?}; only cold: {:?}",
                    x.len(),
                    y.len(),
                    only(x, y),
                    only(y, x)
                ));
            }
            _ if a != b => out.push(format!("{at}: warm {a} / cold {b}")),
            _ => {}
        }
    }
    let mut out = Vec::new();
    diff(warm, cold, String::new(), &mut out);
    assert!(
        out.is_empty(),
        "{step}: the warm report differs from the cold one:\n{}",
        out.join("\n")
    );
}

fn import_names(v: &Value, variant: &str) -> Vec<String> {
    let var = v["variants"]
        .as_array()
        .unwrap()
        .iter()
        .find(|x| x["id"] == variant)
        .unwrap();
    var["artifacts"][0]["imports"]
        .as_array()
        .unwrap()
        .iter()
        .map(|i| i["name"].as_str().unwrap().to_owned())
        .collect()
}

#[test]
fn a_warm_build_reports_what_a_cold_one_does_after_each_change() {
    let dir = tempdir();
    let root = new_crate(dir.path(), "warmed", MAIN, None);
    let manifest = root.join("Cargo.toml");
    let toml = std::fs::read_to_string(&manifest).unwrap();
    std::fs::write(
        &manifest,
        toml.replace("[workspace]", "[features]\nnet = []\n\n[workspace]"),
    )
    .unwrap();
    std::fs::write(root.join("matrix.toml"), MATRIX).unwrap();
    let (warm_dir, warm_cache) = (
        dir.path().join("warm-target"),
        dir.path().join("warm-cache"),
    );
    let dirs_of = |cold: &Path, cold_cache: &Path| {
        vec![
            (warm_dir.clone(), "<target>"),
            (warm_cache.clone(), "<cache>"),
            (cold.to_path_buf(), "<target>"),
            (cold_cache.to_path_buf(), "<cache>"),
        ]
    };
    let cargo_log = dir.path().join("cargo.log");
    let real_cargo = std::env::var_os("CARGO").unwrap_or_else(|| "cargo".into());
    let cargo = script(
        &dir.path().join("cargo"),
        &format!(
            "echo \"$*\" >> '{}'\nexec '{}' \"$@\"",
            cargo_log.display(),
            Path::new(&real_cargo).display()
        ),
    );
    let cargo_env = [("CARGO", cargo.as_os_str())];
    let mut cold_n = 0;
    let mut check = |step: &str, extra: &[&str]| -> Value {
        let warm = build_env(&root, &warm_dir, &warm_cache, extra, &cargo_env);
        cold_n += 1;
        let cold_dir = dir.path().join(format!("cold-target-{cold_n}"));
        let cold_cache = dir.path().join(format!("cold-cache-{cold_n}"));
        let cold = build_env(&root, &cold_dir, &cold_cache, extra, &cargo_env);
        let d = dirs_of(&cold_dir, &cold_cache);
        let d: Vec<(&Path, &str)> = d.iter().map(|(p, n)| (p.as_path(), *n)).collect();
        assert_same(&comparable(warm.clone(), &d), &comparable(cold, &d), step);
        warm
    };

    // the first run fills the caches; the second finds them, and runs no `cargo
    // rustc` (the log of a CARGO that passes everything to cargo)
    let first = build_env(&root, &warm_dir, &warm_cache, &[], &cargo_env);
    let again = check("nothing changed", &[]);
    let log = std::fs::read_to_string(&cargo_log).unwrap();
    let builds = |log: &str| log.lines().filter(|l| l.starts_with("rustc ")).count();
    // two variants of one binary: two in the first run, two in the cold one, none in
    // the second warm run
    assert_eq!(builds(&log), 4, "{log}");
    let d = dirs_of(&warm_dir, &warm_cache);
    let d: Vec<(&Path, &str)> = d.iter().map(|(p, n)| (p.as_path(), *n)).collect();
    assert_same(&comparable(again, &d), &comparable(first, &d), "second run");
    for kept in [
        warm_cache.join("warm/rustc.json"),
        warm_dir.join("portable/cache/artifacts"),
        warm_dir.join("portable/cache/origins"),
        warm_cache.join("warm/metadata"),
    ] {
        assert!(kept.exists(), "{} was not kept", kept.display());
    }

    // a source file edited: a new import
    let main = MAIN.replace(
        "println!(\"hello {}\", std::env::args().count());",
        "println!(\"hello {} {:?}\", std::env::args().count(), std::fs::read_dir(\"/\").map(|d| d.count()));",
    );
    std::fs::write(root.join("src/main.rs"), &main).unwrap();
    let edited = check("source edited", &[]);
    assert!(
        import_names(&edited, "linux-x86_64-gnu")
            .iter()
            .any(|i| i.starts_with("opendir")),
        "{:?}",
        import_names(&edited, "linux-x86_64-gnu")
    );

    // a feature turned on: getaddrinfo, and its origin
    let net = check("feature on", &["--features", "net"]);
    assert!(import_names(&net, "linux-x86_64-gnu")
        .iter()
        .any(|i| i.starts_with("getaddrinfo")));

    // a new path dependency in the manifest, called from main
    let helper = new_crate(dir.path(), "helper", "", None);
    std::fs::remove_file(helper.join("src/main.rs")).unwrap();
    std::fs::write(
        helper.join("src/lib.rs"),
        "pub fn here() -> String { format!(\"{:?}\", std::env::current_dir()) }\n",
    )
    .unwrap();
    let toml = std::fs::read_to_string(&manifest).unwrap();
    std::fs::write(
        &manifest,
        toml.replace(
            "[features]",
            "[dependencies]\nhelper = { path = \"../helper\" }\n\n[features]",
        ),
    )
    .unwrap();
    std::fs::write(
        root.join("src/main.rs"),
        main.replace(
            "fn main() {",
            "fn main() {\n    println!(\"{}\", helper::here());",
        ),
    )
    .unwrap();
    let dep = check("dependency added", &["--features", "net"]);
    assert!(import_names(&dep, "linux-x86_64-gnu")
        .iter()
        .any(|i| i.starts_with("getcwd")));
    let crates: Vec<String> = dep["variants"][0]["crates"]
        .as_array()
        .map(|c| {
            c.iter()
                .map(|c| c["name"].as_str().unwrap_or_default().to_owned())
                .collect()
        })
        .unwrap_or_default();
    assert!(crates.iter().any(|c| c == "helper"), "{crates:?}");

    // a CI system's per-run variables are not the build's (cargo's fingerprint leaves
    // them out too): a new GITHUB_RUN_ID runs no cargo
    let count = || builds(&std::fs::read_to_string(&cargo_log).unwrap());
    let net = ["--features", "net"];
    let before = count();
    for run in ["101", "102"] {
        let env = [
            ("CARGO", cargo.as_os_str()),
            ("GITHUB_RUN_ID", OsStr::new(run)),
        ];
        build_env(&root, &warm_dir, &warm_cache, &net, &env);
    }
    assert_eq!(count(), before, "a new GITHUB_RUN_ID ran cargo");
    // unless the program reads one: option_env! puts it in rustc's dep-info, and a
    // new value builds again (two variants: two `cargo rustc`)
    let src = std::fs::read_to_string(root.join("src/main.rs")).unwrap();
    std::fs::write(
        root.join("src/main.rs"),
        src.replace(
            "fn main() {",
            "fn main() {\n    println!(\"{:?}\", option_env!(\"CI_COMMIT_SHA\"));",
        ),
    )
    .unwrap();
    for (sha, more) in [("sha-one", 2), ("sha-one", 0), ("sha-two-is-longer", 2)] {
        let before = count();
        let env = [
            ("CARGO", cargo.as_os_str()),
            ("CI_COMMIT_SHA", OsStr::new(sha)),
        ];
        let v = build_env(&root, &warm_dir, &warm_cache, &net, &env);
        assert_eq!(count() - before, more, "CI_COMMIT_SHA={sha}");
        let exe = v["variants"][0]["artifacts"][0]["path"].as_str().unwrap();
        let bytes = std::fs::read(exe).unwrap();
        assert!(
            bytes.windows(sha.len()).any(|w| w == sha.as_bytes()),
            "{sha} not in {exe}"
        );
    }
}

/// The variant linked by a script around cc beside the internal one (`{wrapper}` is
/// its path): what changes outside the crate.
const WRAPPED_MATRIX: &str = "[[variant]]
id = \"linux-x86_64-gnu\"
target = \"x86_64-unknown-linux-gnu\"
linker = \"internal\"

[[variant]]
id = \"linux-x86_64-wrapped\"
target = \"x86_64-unknown-linux-gnu\"
linker = \"{wrapper}\"
";

/// Make `path` a shell script with `body`, as a package upgrade replaces a program: a
/// new file renamed over the old one.
fn replace_script(path: &Path, body: &str) {
    let new = path.with_extension("new");
    script(&new, body);
    std::fs::rename(&new, path).unwrap();
}

/// A shared library `libwarmsys.so` (soname `libwarmsys.so.<version>`) in `dir`, whose
/// `warm_answer` is `body`.
fn shared_library(dir: &Path, version: u32, body: &str) {
    std::fs::create_dir_all(dir).unwrap();
    let src = dir.join("warmsys.c");
    std::fs::write(&src, format!("int warm_answer(void) {{ {body} }}\n")).unwrap();
    let soname = format!("-Wl,-soname,libwarmsys.so.{version}");
    cc(
        &["cc"],
        &src,
        &dir.join("libwarmsys.so"),
        &["-shared", "-fPIC", &soname],
    );
}

#[test]
fn a_warm_build_reports_what_a_cold_one_does_after_the_linker_toolchain_or_a_library_changes() {
    let dir = tempdir();
    // a -sys crate: its build script links the library a variable points to
    let sys = new_crate(
        dir.path(),
        "warmsys-sys",
        "",
        Some(
            "fn main() {
    println!(\"cargo:rerun-if-env-changed=WARM_SYS_DIR\");
    let dir = std::env::var(\"WARM_SYS_DIR\").expect(\"WARM_SYS_DIR\");
    println!(\"cargo:rustc-link-search=native={dir}\");
    println!(\"cargo:rustc-link-lib=dylib=warmsys\");
}
",
        ),
    );
    std::fs::remove_file(sys.join("src/main.rs")).unwrap();
    std::fs::write(
        sys.join("src/lib.rs"),
        "extern \"C\" {\n    fn warm_answer() -> i32;\n}\n\n\
         pub fn answer() -> i32 {\n    unsafe { warm_answer() }\n}\n",
    )
    .unwrap();
    let toml = std::fs::read_to_string(sys.join("Cargo.toml")).unwrap();
    std::fs::write(
        sys.join("Cargo.toml"),
        toml.replace("edition", "links = \"warmsys\"\nedition"),
    )
    .unwrap();
    let root = new_crate(
        dir.path(),
        "outside",
        "fn main() {\n    println!(\"{}\", warmsys_sys::answer());\n}\n",
        None,
    );
    let manifest = root.join("Cargo.toml");
    let toml = std::fs::read_to_string(&manifest).unwrap();
    std::fs::write(
        &manifest,
        toml.replace(
            "[workspace]",
            "[dependencies]\nwarmsys-sys = { path = \"../warmsys-sys\" }\n\n[workspace]",
        ),
    )
    .unwrap();
    let lib1 = dir.path().join("lib1");
    shared_library(&lib1, 1, "return 1;");

    // the linker: a script around cc, under a name rustc drives as cc
    let wrapper = dir.path().join("wrap-gcc");
    script(&wrapper, "exec cc \"$@\"");
    std::fs::write(
        root.join("matrix.toml"),
        WRAPPED_MATRIX.replace("{wrapper}", &wrapper.display().to_string()),
    )
    .unwrap();

    // the C compiler: a `cc` first on PATH, around the real one, that says its own
    // version (the -sys crate makes the variants report their C compiler)
    let real_cc = which::which("cc").expect("cc on PATH");
    let cc_bin = dir.path().join("cc-bin");
    std::fs::create_dir_all(&cc_bin).unwrap();
    let fake_cc = cc_bin.join("cc");
    let cc_saying = |n: u32| {
        format!(
            "if [ \"$1\" = --version ]; then echo 'cc (warm) {n}'; else exec '{}' \"$@\"; fi",
            real_cc.display()
        )
    };
    script(&fake_cc, &cc_saying(1));
    let path = std::env::join_paths(std::iter::once(cc_bin.clone()).chain(std::env::split_paths(
        &std::env::var_os("PATH").unwrap_or_default(),
    )))
    .unwrap();

    // the toolchain: RUSTC, a script around the real rustc
    let real_rustc = {
        let rustc = std::env::var_os("RUSTC").unwrap_or_else(|| "rustc".into());
        let out = std::process::Command::new(rustc)
            .args(["--print", "sysroot"])
            .output()
            .expect("run rustc");
        PathBuf::from(String::from_utf8_lossy(&out.stdout).trim()).join("bin/rustc")
    };
    std::fs::create_dir_all(dir.path().join("bin")).unwrap();
    let rustc = dir.path().join("bin/rustc");
    script(&rustc, &format!("exec '{}' \"$@\"", real_rustc.display()));

    let (warm_dir, warm_cache) = (
        dir.path().join("warm-target"),
        dir.path().join("warm-cache"),
    );
    let mut cold_n = 0;
    let mut check = |step: &str, lib: &Path| -> Value {
        let env = [
            ("RUSTC", rustc.as_os_str()),
            ("WARM_SYS_DIR", lib.as_os_str()),
            ("PATH", path.as_os_str()),
        ];
        let warm = build_env(&root, &warm_dir, &warm_cache, &[], &env);
        cold_n += 1;
        let cold_dir = dir.path().join(format!("cold-target-{cold_n}"));
        let cold_cache = dir.path().join(format!("cold-cache-{cold_n}"));
        let cold = build_env(&root, &cold_dir, &cold_cache, &[], &env);
        let d = [
            (warm_dir.as_path(), "<target>"),
            (warm_cache.as_path(), "<cache>"),
            (cold_dir.as_path(), "<target>"),
            (cold_cache.as_path(), "<cache>"),
        ];
        assert_same(&comparable(warm.clone(), &d), &comparable(cold, &d), step);
        warm
    };
    let relro = |v: &Value| -> String {
        variant(v, "linux-x86_64-wrapped")["artifacts"][0]["hardening"]["relro"]
            .as_str()
            .unwrap_or_default()
            .to_owned()
    };
    let libraries = |v: &Value| -> Vec<String> {
        variant(v, "linux-x86_64-gnu")["artifacts"][0]["libraries"]
            .as_array()
            .unwrap()
            .iter()
            .map(|l| l["name"].as_str().unwrap_or_default().to_owned())
            .collect()
    };
    let c_line = |v: &Value| -> String {
        variant(v, "linux-x86_64-gnu")["c_compiler"]["version"]
            .as_str()
            .unwrap_or_default()
            .to_owned()
    };
    let rustc_line = |v: &Value| -> String {
        variant(v, "linux-x86_64-gnu")["host"]["rustc"]
            .as_str()
            .unwrap_or_default()
            .to_owned()
    };

    // the first run fills the caches
    let first = check("first", &lib1);
    assert_eq!(relro(&first), "full", "{first}");
    assert_eq!(c_line(&first), "cc (warm) 1", "{first}");
    assert!(
        libraries(&first).iter().any(|l| l == "libwarmsys.so.1"),
        "{:?}",
        libraries(&first)
    );

    // another version of the library installed, and the variable pointing to it
    let lib2 = dir.path().join("lib2");
    shared_library(&lib2, 2, "return 2;");
    let installed = check("library installed", &lib2);
    let libs = libraries(&installed);
    assert!(
        libs.iter().any(|l| l == "libwarmsys.so.2") && !libs.iter().any(|l| l == "libwarmsys.so.1"),
        "{libs:?}"
    );

    // the linker replaced by one that links without RELRO
    replace_script(&wrapper, "exec cc \"$@\" -Wl,-z,norelro");
    let relinked = check("linker replaced", &lib2);
    assert_eq!(relro(&relinked), "none", "{relinked}");

    // the toolchain replaced by one that says another version
    let said = rustc_line(&relinked);
    replace_script(
        &rustc,
        &format!(
            "if [ \"$1\" = -vV ]; then '{0}' -vV | sed '1s/$/ warmed/'; \
             else exec '{0}' \"$@\"; fi",
            real_rustc.display()
        ),
    );
    let other = check("toolchain replaced", &lib2);
    assert_eq!(rustc_line(&other), format!("{said} warmed"));

    // the C compiler upgraded: its `--version` is asked again, not taken from the cache
    replace_script(&fake_cc, &cc_saying(2));
    let upgraded = check("C compiler upgraded", &lib2);
    assert_eq!(c_line(&upgraded), "cc (warm) 2", "{upgraded}");
}
