//! What the dependency graph decides before anything compiles: a `rust-version` the
//! installed rustc does not meet skips every variant at once; a `-sys` crate of
//! `targets/sys-crates.toml` linking a system library skips the variants that cannot
//! have it, with the fix.

use std::path::Path;
use std::process::Output;

use serde_json::Value;

use crate::common::{
    build_output, new_crate, portable, rustc_without_std, tempdir, variant, which,
};

const HELLO: &str = "fn main() { println!(\"hello\"); }\n";

/// `build --format json` of the crate at `root` with the built-in default matrix.
fn build_default(root: &Path, extra: &[&str]) -> (Output, Value) {
    let out = portable()
        .args(["build", "--format", "json", "--manifest-path"])
        .arg(root.join("Cargo.toml"))
        .args(extra)
        .output()
        .unwrap();
    crate::common::build_output(out)
}

/// `build --format json --matrix MATRIX` of `root`'s crate, with `cmd`'s environment.
fn build_matrix(cmd: &mut std::process::Command, matrix: &Path, root: &Path) -> Output {
    cmd.args(["build", "--format", "json", "--matrix"])
        .arg(matrix)
        .arg("--manifest-path")
        .arg(root.join("Cargo.toml"))
        .output()
        .unwrap()
}

/// Add `lines` to the `[package]` table of `root`'s Cargo.toml.
fn package_lines(root: &Path, lines: &str) {
    let p = root.join("Cargo.toml");
    let s = std::fs::read_to_string(&p).unwrap();
    std::fs::write(
        &p,
        s.replacen("[package]\n", &format!("[package]\n{lines}\n"), 1),
    )
    .unwrap();
}

/// Append `text` to `root`'s Cargo.toml.
fn append(root: &Path, text: &str) {
    let p = root.join("Cargo.toml");
    let s = std::fs::read_to_string(&p).unwrap();
    std::fs::write(&p, format!("{s}\n{text}\n")).unwrap();
}

#[test]
fn a_rust_version_above_rustc_skips_every_variant_before_compiling() {
    let dir = tempdir();
    let root = new_crate(dir.path(), "hello", HELLO, None);
    package_lines(&root, "rust-version = \"1.999\"");
    let (out, r) = build_default(&root, &[]);
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(1), "{stderr}");
    let variants = r["variants"].as_array().unwrap();
    assert_eq!(variants.len(), 12, "the default matrix");
    let fix = if which("rustup").is_some() {
        "rustup update"
    } else {
        "install rustc 1.999 or newer"
    };
    for v in variants {
        assert_eq!(v["status"], "skipped", "{v}");
        let reason = v["reason"].as_str().unwrap();
        assert!(
            reason.starts_with("hello needs rustc 1.999 or newer (its rust-version), and rustc "),
            "{reason}"
        );
        assert!(reason.ends_with(" is installed"), "{reason}");
        assert_eq!(v["hint"], fix, "{v}");
    }
    // one line per variant on stderr, each naming it
    let lines: Vec<&str> = stderr.lines().filter(|l| l.contains("skipped: ")).collect();
    assert_eq!(lines.len(), 12, "{stderr}");
    assert!(
        lines.iter().all(|l| l.contains("needs rustc 1.999")),
        "{stderr}"
    );
    // nothing compiled: cargo never made a target directory
    assert!(!root.join("target").exists(), "{stderr}");
}

#[test]
fn a_dependencys_rust_version_counts_and_a_feature_left_out_does_not() {
    let dir = tempdir();
    let dep = new_crate(dir.path(), "newdep", "", None);
    std::fs::rename(dep.join("src/main.rs"), dep.join("src/lib.rs")).unwrap();
    package_lines(&dep, "rust-version = \"1.999.1\"");
    let root = new_crate(dir.path(), "hello", HELLO, None);
    append(
        &root,
        "[dependencies]\nnewdep = { path = \"../newdep\", optional = true }\n\n\
         [features]\nnew = [\"dep:newdep\"]",
    );
    // the feature on: the dependency's rust-version skips the variant
    let (out, r) = build_default(
        &root,
        &["--variant", "linux-x86_64-gnu", "--features", "new"],
    );
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(1), "{stderr}");
    let v = variant(&r, "linux-x86_64-gnu");
    assert_eq!(v["status"], "skipped", "{v}");
    assert!(
        v["reason"]
            .as_str()
            .unwrap()
            .starts_with("newdep needs rustc 1.999.1 or newer"),
        "{v}"
    );
    assert!(!root.join("target").exists(), "{stderr}");
    // the feature off: the optional dependency is not built, and neither is its
    // rust-version asked for
    let (out, r) = build_default(&root, &["--variant", "linux-x86_64-gnu"]);
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert_eq!(
        variant(&r, "linux-x86_64-gnu")["status"],
        "built",
        "{stderr}"
    );
}

const OPENSSL_MAIN: &str = "fn main() { println!(\"{}\", openssl::version::version()); }\n";

/// Needs crates.io (openssl 0.10) and the host's `libssl-dev` (.ci/run installs it).
#[test]
fn openssl_without_vendored_skips_what_has_no_system_libssl_before_compiling() {
    let dir = tempdir();
    let root = new_crate(dir.path(), "tls", OPENSSL_MAIN, None);
    append(&root, "[dependencies]\nopenssl = \"0.10\"");
    let skipped = [
        "linux-x86_64-musl",
        "macos-aarch64",
        "windows-x86_64-gnu",
        "linux-x86_64-gnu-2.17",
    ];
    // (linux-aarch64-gnu, which links the arm64 multiarch OpenSSL: its own test below)
    let mut args: Vec<&str> = vec!["--variant", "linux-x86_64-gnu"];
    for v in skipped {
        args.extend(["--variant", v]);
    }
    let (out, r) = build_default(&root, &args);
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(1), "{stderr}");
    let fix =
        "--features openssl/vendored (for this variant only: features = [\"openssl/vendored\"] \
               on it in portable.toml), or rustls instead of OpenSSL";
    for id in skipped {
        let v = variant(&r, id);
        assert_eq!(v["status"], "skipped", "{v}");
        let reason = v["reason"].as_str().unwrap();
        assert!(
            reason.starts_with(
                "openssl-sys links the system library libssl (its vendoring feature is off), and "
            ),
            "{reason}"
        );
        assert!(v["hint"].as_str().unwrap().starts_with(fix), "{v}");
        // before compiling: its directory was never made
        assert!(!root.join("target/portable").join(id).exists(), "{id}");
    }
    assert!(variant(&r, "linux-x86_64-musl")["reason"]
        .as_str()
        .unwrap()
        .ends_with("and x86_64-unknown-linux-musl has no system package with it"));
    assert!(variant(&r, "linux-x86_64-gnu-2.17")["reason"]
        .as_str()
        .unwrap()
        .contains("the variant's glibc is pinned to 2.17"));
    // the host's own glibc target links the host's OpenSSL, as before
    let gnu = variant(&r, "linux-x86_64-gnu");
    assert_eq!(gnu["status"], "built", "{stderr}");
    let libs: Vec<&str> = gnu["artifacts"][0]["libraries"]
        .as_array()
        .unwrap()
        .iter()
        .map(|l| l["name"].as_str().unwrap())
        .collect();
    // (the program calls libcrypto only: the linker keeps no libssl it does not use)
    assert!(libs.contains(&"libcrypto.so.3"), "{libs:?}");
}

/// With `openssl/vendored` on, OpenSSL is built from source: nothing is skipped for it
/// (here the musl variant is skipped for its missing standard library instead, so
/// nothing compiles).
#[test]
fn openssl_vendored_is_not_skipped_for_libssl() {
    let dir = tempdir();
    let root = new_crate(dir.path(), "tls", OPENSSL_MAIN, None);
    append(&root, "[dependencies]\nopenssl = \"0.10\"");
    let rustc = rustc_without_std(dir.path(), "x86_64-unknown-linux-musl");
    let out = portable()
        .env("RUSTC", &rustc)
        .args(["build", "--format", "json", "--manifest-path"])
        .arg(root.join("Cargo.toml"))
        .args([
            "--variant",
            "linux-x86_64-musl",
            "--features",
            "openssl/vendored",
        ])
        .output()
        .unwrap();
    let r: Value = serde_json::from_slice(&out.stdout).unwrap();
    let v = variant(&r, "linux-x86_64-musl");
    assert_eq!(v["status"], "skipped", "{v}");
    assert!(
        v["reason"]
            .as_str()
            .unwrap()
            .starts_with("the standard library for x86_64-unknown-linux-musl is not installed"),
        "{v}"
    );
}

/// A transitive openssl: the fix is the line that turns the feature on in Cargo.toml.
#[test]
fn a_transitive_openssl_names_the_cargo_toml_line() {
    let dir = tempdir();
    let lib = new_crate(dir.path(), "tlslib", "", None);
    std::fs::rename(lib.join("src/main.rs"), lib.join("src/lib.rs")).unwrap();
    append(&lib, "[dependencies]\nopenssl = \"0.10\"");
    let root = new_crate(dir.path(), "app", HELLO, None);
    append(&root, "[dependencies]\ntlslib = { path = \"../tlslib\" }");
    let (out, r) = build_default(&root, &["--variant", "linux-x86_64-musl"]);
    let stderr = String::from_utf8_lossy(&out.stderr);
    let v = variant(&r, "linux-x86_64-musl");
    assert_eq!(v["status"], "skipped", "{stderr}");
    assert!(
        v["hint"].as_str().unwrap().starts_with(
            "add `openssl-sys = { version = \"0.9\", features = [\"vendored\"] }` to [dependencies] in Cargo.toml"
        ),
        "{v}"
    );
    assert!(
        stderr.contains("linux-x86_64-musl: skipped: openssl-sys links"),
        "{stderr}"
    );
    assert!(!root.join("target/portable").exists(), "{stderr}");
}

/// `setup` installs the multiarch package a cross glibc variant's system library
/// needs (planning it is unit-tested in `toolchain::setup` and `engine::plan`): .ci/run
/// ran it on the openssl test crate for linux-aarch64-gnu, so the library is there and
/// a second `setup` plans nothing for it, and nothing for musl, which no package helps.
#[test]
fn setup_has_installed_the_multiarch_package_and_plans_it_no_more() {
    assert!(
        Path::new("/usr/lib/aarch64-linux-gnu/libssl.so").exists(),
        "libssl-dev:arm64 is not installed: run .ci/run's setup step \
         (cargo portable setup --manifest-path tests/crates/openssl/Cargo.toml --variant linux-aarch64-gnu)"
    );
    let dir = tempdir();
    let root = openssl_crate(dir.path());
    let out = portable()
        .args(["setup", "--dry-run", "--manifest-path"])
        .arg(root.join("Cargo.toml"))
        .args([
            "--variant",
            "linux-aarch64-gnu",
            "--variant",
            "linux-x86_64-musl",
        ])
        .output()
        .unwrap();
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert_eq!(out.status.code(), Some(0), "{stdout}");
    assert!(!stdout.contains("libssl-dev"), "{stdout}");
    assert!(!stdout.contains("add-architecture"), "{stdout}");
    assert!(!stdout.contains("musl"), "{stdout}");
    assert!(!root.join("target").exists());
}

/// Two more rows: rusqlite without `bundled` (libsqlite3-sys, `required`) is skipped on
/// musl with `--features rusqlite/bundled`; libz-sys (`preferred`: it builds its own
/// zlib where there is none) is not skipped for zlib (the variant is skipped for its
/// missing standard library instead, so nothing compiles).
#[test]
fn sqlite_without_bundled_is_skipped_and_zlib_is_not() {
    let dir = tempdir();
    let root = new_crate(dir.path(), "db", HELLO, None);
    append(
        &root,
        "[dependencies]\nrusqlite = \"0.37\"\nlibz-sys = \"1\"",
    );
    let rustc = rustc_without_std(dir.path(), "x86_64-unknown-linux-musl");
    let out = portable()
        .env("RUSTC", &rustc)
        .args(["build", "--format", "json", "--manifest-path"])
        .arg(root.join("Cargo.toml"))
        .args(["--variant", "linux-x86_64-musl"])
        .output()
        .unwrap();
    let r: Value = serde_json::from_slice(&out.stdout).unwrap();
    let v = variant(&r, "linux-x86_64-musl");
    assert_eq!(
        v["reason"],
        "libsqlite3-sys links the system library libsqlite3 (its vendoring feature is off), \
         and x86_64-unknown-linux-musl has no system package with it",
        "{v}"
    );
    assert_eq!(
        v["hint"],
        "--features rusqlite/bundled (for this variant only: features = [\"rusqlite/bundled\"] \
         on it in portable.toml)",
        "{v}"
    );
    // bundled: the next reason is the standard library, not zlib
    let out = portable()
        .env("RUSTC", &rustc)
        .args(["build", "--format", "json", "--manifest-path"])
        .arg(root.join("Cargo.toml"))
        .args([
            "--variant",
            "linux-x86_64-musl",
            "--features",
            "rusqlite/bundled",
        ])
        .output()
        .unwrap();
    let r: Value = serde_json::from_slice(&out.stdout).unwrap();
    let v = variant(&r, "linux-x86_64-musl");
    assert!(
        v["reason"]
            .as_str()
            .unwrap()
            .starts_with("the standard library for x86_64-unknown-linux-musl is not installed"),
        "{v}"
    );
    assert!(!root.join("target").exists());
}

const NATIVE_TLS_MAIN: &str = "fn main() { let _ = native_tls::TlsConnector::new(); }\n";

/// native-tls links Security and CoreFoundation on macOS: without a macOS SDK
/// (`SDKROOT`) both macOS variants are skipped before compiling, naming the frameworks
/// and the crates; with SDKROOT that is not an SDK they fail naming it (exit 2), and
/// the other variants are still planned (windows-gnu: skipped for its missing standard
/// library, so nothing compiles).
#[test]
fn native_tls_on_macos_needs_an_sdk() {
    let dir = tempdir();
    let root = new_crate(dir.path(), "tls", NATIVE_TLS_MAIN, None);
    append(&root, "[dependencies]\nnative-tls = \"0.2\"");
    let rustc = rustc_without_std(dir.path(), "x86_64-pc-windows-gnu");
    let run = |sdkroot: Option<&Path>| {
        let mut c = portable();
        c.env("RUSTC", &rustc).env_remove("SDKROOT");
        if let Some(s) = sdkroot {
            c.env("SDKROOT", s);
        }
        let out = c
            .args(["build", "--format", "json", "--manifest-path"])
            .arg(root.join("Cargo.toml"))
            .args(["--variant", "macos-x86_64", "--variant", "macos-aarch64"])
            .args(["--variant", "windows-x86_64-gnu"])
            .output()
            .unwrap();
        let r: Value = serde_json::from_slice(&out.stdout).unwrap();
        (out, r)
    };
    let (out, r) = run(None);
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(1), "{stderr}");
    for id in ["macos-x86_64", "macos-aarch64"] {
        let v = variant(&r, id);
        assert_eq!(v["status"], "skipped", "{v}");
        assert_eq!(
            v["reason"],
            "the graph links the macOS frameworks CoreFoundation (core-foundation-sys), \
             Security (security-framework-sys): linking them needs a macOS SDK, which zig \
             does not ship, and SDKROOT is not set",
            "{v}"
        );
        let hint = v["hint"].as_str().unwrap();
        assert!(hint.starts_with("SDKROOT=<a macOS SDK directory"), "{hint}");
        assert!(hint.contains("rustls instead of native-tls"), "{hint}");
        assert!(
            hint.contains("cargo portable ci github --macos-native"),
            "{hint}"
        );
    }
    // windows: native-tls uses SChannel there, no framework
    let w = variant(&r, "windows-x86_64-gnu");
    assert!(
        w["reason"]
            .as_str()
            .unwrap()
            .starts_with("the standard library for x86_64-pc-windows-gnu is not installed"),
        "{w}"
    );
    // SDKROOT that is not an SDK: an error naming it
    let fake = dir.path().join("not-an-sdk");
    std::fs::create_dir_all(&fake).unwrap();
    let (out, r) = run(Some(&fake));
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(2), "{stderr}");
    let named = format!("SDKROOT={} is not a macOS SDK", fake.display());
    for id in ["macos-x86_64", "macos-aarch64"] {
        let v = variant(&r, id);
        assert_eq!(v["status"], "failed", "{v}");
        assert!(v["reason"].as_str().unwrap().starts_with(&named), "{v}");
    }
    assert!(stderr.contains(&format!("error: {named}")), "{stderr}");
    assert_eq!(variant(&r, "windows-x86_64-gnu")["status"], "skipped");
    assert!(!root.join("target").exists(), "{stderr}");
    // the same through the matrix's `sdkroot` key, with SDKROOT unset
    let m = dir.path().join("m.toml");
    std::fs::write(
        &m,
        format!(
            "sdkroot = \"{}\"\n[[variant]]\nid = \"macos-aarch64\"\n\
             target = \"aarch64-apple-darwin\"\nlinker = \"zig\"\n",
            fake.display()
        ),
    )
    .unwrap();
    let out = build_matrix(
        portable().env("RUSTC", &rustc).env_remove("SDKROOT"),
        &m,
        &root,
    );
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(2), "{stderr}");
    assert!(stderr.contains(&format!("error: {named}")), "{stderr}");
    assert!(!root.join("target").exists(), "{stderr}");
}

/// A variant's own `features` key: the musl variant vendors OpenSSL
/// (`features = ["openssl/vendored"]`), so it is not skipped for libssl (it is skipped
/// for its missing standard library instead, so nothing compiles), while the macOS
/// variant, without it, still is.
#[test]
fn a_variants_features_key_is_seen_by_the_skip() {
    let dir = tempdir();
    let root = new_crate(dir.path(), "tls", OPENSSL_MAIN, None);
    append(&root, "[dependencies]\nopenssl = \"0.10\"");
    let matrix = root.join("portable.toml");
    std::fs::write(
        &matrix,
        "[[variant]]\nid = \"musl\"\ntarget = \"x86_64-unknown-linux-musl\"\n\
         linker = \"internal\"\nfeatures = [\"openssl/vendored\"]\n\n\
         [[variant]]\nid = \"mac\"\ntarget = \"aarch64-apple-darwin\"\nlinker = \"zig\"\n",
    )
    .unwrap();
    let rustc = rustc_without_std(dir.path(), "x86_64-unknown-linux-musl");
    let (out, r) = build_output(build_matrix(
        portable().env("RUSTC", &rustc),
        &matrix,
        &root,
    ));
    let stderr = String::from_utf8_lossy(&out.stderr);
    let musl = variant(&r, "musl");
    assert_eq!(musl["status"], "skipped", "{musl}");
    assert!(
        musl["reason"]
            .as_str()
            .unwrap()
            .starts_with("the standard library for x86_64-unknown-linux-musl is not installed"),
        "{musl}"
    );
    let mac = variant(&r, "mac");
    assert_eq!(mac["status"], "skipped", "{mac}");
    assert!(
        mac["reason"]
            .as_str()
            .unwrap()
            .starts_with("openssl-sys links the system library libssl"),
        "{mac}"
    );
    assert!(
        mac["hint"].as_str().unwrap().starts_with(
            "--features openssl/vendored (for this variant only: features = [\"openssl/vendored\"]"
        ),
        "{mac}"
    );
    assert!(!root.join("target").exists(), "{stderr}");
}

/// A PATH with cargo and rustc alone (no perl, make, pkg-config or C compiler) and an
/// empty cargo-portable cache (no zig): the environment of a machine without them.
fn bare_env(dir: &Path) -> Vec<(&'static str, std::ffi::OsString)> {
    let bin = dir.join("bare-bin");
    std::fs::create_dir_all(&bin).unwrap();
    for p in ["cargo", "rustc"] {
        #[cfg(unix)]
        std::os::unix::fs::symlink(crate::common::tool(p), bin.join(p)).unwrap();
    }
    vec![
        ("PATH", bin.into_os_string()),
        (
            "CARGO_PORTABLE_CACHE",
            dir.join("empty-cache").into_os_string(),
        ),
    ]
}

/// perl and make (OpenSSL's sources need them) are asked of the variants that vendor
/// OpenSSL, seen as the skip sees them: a variant's own `features` key and the
/// matrix-wide `features`. On a machine without them, the variant with
/// `features = ["openssl/vendored"]` is skipped before compiling, naming openssl-src
/// and the program; the one without it links the system OpenSSL and is skipped for
/// pkg-config instead, not for perl; and `setup` plans perl and make for the
/// matrix-wide `features`.
#[test]
fn a_variants_features_key_is_seen_by_the_perl_and_make_check() {
    let dir = tempdir();
    let root = new_crate(dir.path(), "tls", OPENSSL_MAIN, None);
    append(&root, "[dependencies]\nopenssl = \"0.10\"");
    let env = bare_env(dir.path());
    let matrix = dir.path().join("own.toml");
    std::fs::write(
        &matrix,
        "[[variant]]\nid = \"vendored\"\ntarget = \"x86_64-unknown-linux-musl\"\n\
         linker = \"internal\"\nfeatures = [\"openssl/vendored\"]\n\n\
         [[variant]]\nid = \"system\"\ntarget = \"x86_64-unknown-linux-gnu\"\n\
         linker = \"internal\"\n",
    )
    .unwrap();
    let (out, r) = build_output(build_matrix(
        portable().envs(env.clone()).env_remove("PKG_CONFIG"),
        &matrix,
        &root,
    ));
    let stderr = String::from_utf8_lossy(&out.stderr);
    let vendored = variant(&r, "vendored");
    assert_eq!(vendored["status"], "skipped", "{vendored}");
    // make and perl are both missing: the first by name is said
    assert_eq!(
        vendored["reason"],
        "openssl-src run `make` in their build scripts, and `make` is not installed",
        "{vendored}"
    );
    assert!(
        vendored["hint"]
            .as_str()
            .unwrap()
            .contains("apt-get install -y make"),
        "{vendored}"
    );
    let system = variant(&r, "system");
    assert_eq!(system["status"], "skipped", "{system}");
    let reason = system["reason"].as_str().unwrap();
    assert!(
        reason.starts_with("openssl-sys links the system library libssl")
            && reason.contains("pkg-config, which is not installed"),
        "{system}"
    );
    assert!(!root.join("target").exists(), "{stderr}");
    // setup: the matrix-wide features add perl and make to what it installs
    let wide = dir.path().join("wide.toml");
    std::fs::write(
        &wide,
        "features = [\"openssl/vendored\"]\n[[variant]]\nid = \"gnu\"\n\
         target = \"x86_64-unknown-linux-gnu\"\nlinker = \"internal\"\n",
    )
    .unwrap();
    let plan = |matrix: &Path, extra: &[&str]| {
        let out = portable()
            .envs(env.clone())
            .args(["setup", "--dry-run", "--matrix"])
            .arg(matrix)
            .arg("--manifest-path")
            .arg(root.join("Cargo.toml"))
            .args(extra)
            .output()
            .unwrap();
        let stdout = String::from_utf8_lossy(&out.stdout).into_owned();
        assert_eq!(out.status.code(), Some(0), "{stdout}");
        let apt: Vec<String> = stdout
            .lines()
            .filter(|l| l.contains("apt-get install"))
            .flat_map(|l| l.split_whitespace().map(str::to_owned))
            .collect();
        (stdout, apt)
    };
    let (stdout, apt) = plan(&wide, &[]);
    for p in ["perl", "make"] {
        assert!(apt.iter().any(|w| w == p), "{p}: {stdout}");
    }
    // without them: neither (the system OpenSSL needs pkg-config, not perl)
    let plain = dir.path().join("plain.toml");
    std::fs::write(
        &plain,
        "[[variant]]\nid = \"gnu\"\ntarget = \"x86_64-unknown-linux-gnu\"\n\
         linker = \"internal\"\n",
    )
    .unwrap();
    let (stdout, apt) = plan(&plain, &[]);
    assert!(!apt.iter().any(|w| w == "perl"), "{stdout}");
    assert!(apt.iter().any(|w| w == "pkg-config"), "{stdout}");
    // setup takes build's cargo flags: `--features openssl/vendored` plans what
    // `build --features openssl/vendored` needs
    let (stdout, apt) = plan(&plain, &["--features", "openssl/vendored"]);
    for p in ["perl", "make"] {
        assert!(apt.iter().any(|w| w == p), "{p}: {stdout}");
    }
    assert!(!root.join("target").exists());
}

/// A dependency only Windows uses: its rust-version skips the Windows variant only,
/// from the graph resolved for each variant's target.
#[test]
fn a_rust_version_counts_only_on_the_platforms_that_use_the_dependency() {
    let dir = tempdir();
    let dep = new_crate(dir.path(), "windep", "", None);
    std::fs::rename(dep.join("src/main.rs"), dep.join("src/lib.rs")).unwrap();
    package_lines(&dep, "rust-version = \"1.999.2\"");
    let root = new_crate(dir.path(), "hello", HELLO, None);
    append(
        &root,
        "[target.'cfg(windows)'.dependencies]\nwindep = { path = \"../windep\" }",
    );
    let (out, r) = build_default(
        &root,
        &[
            "--variant",
            "linux-x86_64-gnu",
            "--variant",
            "windows-x86_64-gnu",
        ],
    );
    let stderr = String::from_utf8_lossy(&out.stderr);
    let w = variant(&r, "windows-x86_64-gnu");
    assert_eq!(w["status"], "skipped", "{w}");
    assert!(
        w["reason"]
            .as_str()
            .unwrap()
            .starts_with("windep needs rustc 1.999.2 or newer"),
        "{w}"
    );
    assert!(!root.join("target/portable/windows-x86_64-gnu").exists());
    assert_eq!(
        variant(&r, "linux-x86_64-gnu")["status"],
        "built",
        "{stderr}"
    );
}

/// A copy of the openssl test crate (tests/crates/openssl, with its Cargo.lock) at
/// `dir/tls`.
fn openssl_crate(dir: &Path) -> std::path::PathBuf {
    let from = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/crates/openssl");
    let root = dir.join("tls");
    std::fs::create_dir_all(root.join("src")).unwrap();
    for f in ["Cargo.toml", "Cargo.lock", "src/main.rs"] {
        let text = std::fs::read(from.join(f)).unwrap();
        // unchanged files keep their mtime: a warm build stays fresh
        if std::fs::read(root.join(f)).ok().as_deref() != Some(text.as_slice()) {
            std::fs::write(root.join(f), text).unwrap();
        }
    }
    root
}

/// OpenSSL from source (`--features openssl/vendored`) with each C compiler family
/// of the default matrix, in one build: zig (musl), MinGW-w64 (Windows), the cross
/// gcc (aarch64 glibc). Each builds, needs no libssl or libcrypto, and `why
/// libssl.so.3` says OpenSSL is linked in statically, naming openssl-sys's build
/// script. OpenSSL takes minutes per target, so the crate (and with it its target
/// directory) lives in cargo-portable's cache directory, `<cache>/tests/vendored-openssl`
/// (`$CARGO_PORTABLE_CACHE`, else `$XDG_CACHE_HOME/cargo-portable`, where the
/// `--prove` roots are kept): a fresh clone on a machine that ran it before finds it
/// fresh, in seconds. Cold, on a new machine, it is the longest test of the suite:
/// about 17 minutes of 2 quiet cores (docs/benchmarks.md, "The vendored OpenSSL test in
/// CI"). Needs crates.io, and what `setup --features openssl/vendored` installs for
/// these variants (zig, MinGW, the aarch64 gcc, perl, make; .ci/run runs it).
#[test]
fn vendored_openssl_builds_with_zig_mingw_and_the_cross_gcc_and_links_it_in() {
    let dir = cargo_portable::toolchain::cache_dir().join("tests/vendored-openssl");
    let root = openssl_crate(&dir);
    let ids = [
        "linux-x86_64-musl-zig",
        "windows-x86_64-gnu",
        "linux-aarch64-gnu",
    ];
    let mut args = vec!["--features", "openssl/vendored"];
    for id in ids {
        args.extend(["--variant", id]);
    }
    let (out, r) = build_default(&root, &args);
    let stderr = String::from_utf8_lossy(&out.stderr);
    for id in ids {
        let v = variant(&r, id);
        assert_eq!(v["status"], "built", "{id}: {v}\n{stderr}");
        let libs = crate::common::libs(v);
        assert!(
            !libs.iter().any(|l| {
                let l = l.to_ascii_lowercase();
                l.contains("libssl") || l.contains("libcrypto")
            }),
            "{id}: {libs:?}"
        );
    }
    // why libssl.so.3: not needed, linked in, from openssl-sys's build script
    let out = portable()
        .args(["why", "libssl.so.3", "--no-build", "--format", "json"])
        .arg("--manifest-path")
        .arg(root.join("Cargo.toml"))
        .args(ids.iter().flat_map(|id| ["--variant", id]))
        .output()
        .unwrap();
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(1), "not needed: {stderr}");
    let doc: Value = serde_json::from_slice(&out.stdout).unwrap();
    let answers = doc["answers"].as_array().unwrap();
    for id in ids {
        let a = answers
            .iter()
            .find(|a| a["variant"] == id)
            .unwrap_or_else(|| panic!("no answer for {id}: {doc}"));
        assert_eq!(a["found"], false, "{a}");
        let l = &a["linked_in"];
        assert_eq!(l["name"], "ssl", "{a}");
        assert!(
            l["origins"][0]["crate"]
                .as_str()
                .unwrap()
                .starts_with("openssl-sys@"),
            "{a}"
        );
        assert_eq!(l["origins"][0]["lib"], "static=ssl", "{a}");
        assert!(l["objects"].as_u64().unwrap() > 0, "{a}");
        assert!(
            stderr.contains(&format!(
                "{id}: no executable of this variant needs `libssl.so.3`: it links ssl in statically"
            )),
            "{stderr}"
        );
    }
    // and for people
    let out = portable()
        .args(["why", "libssl.so.3", "--no-build", "--manifest-path"])
        .arg(root.join("Cargo.toml"))
        .args(["--variant", "linux-aarch64-gnu"])
        .output()
        .unwrap();
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert!(stdout.contains("  does not need libssl.so.3\n"), "{stdout}");
    assert!(
        stdout.contains("  ssl is linked in statically: its code is in the executable"),
        "{stdout}"
    );
    assert!(
        stdout.contains("its build script: cargo:rustc-link-lib=static=ssl"),
        "{stdout}"
    );
}

/// The aarch64 glibc variant links Debian's arm64 OpenSSL (`libssl-dev:arm64`, which
/// .ci/run installs through `cargo portable setup --manifest-path
/// tests/crates/openssl/Cargo.toml --variant linux-aarch64-gnu`), found by pkg-config
/// through the target's own variables; the host's variant, built in the same
/// invocation, gets none of them and links the host's OpenSSL.
#[test]
fn aarch64_gnu_links_the_arm64_system_openssl_and_its_pkg_config_stays_with_it() {
    let dir = Path::new(env!("CARGO_TARGET_TMPDIR")).join("sys-system");
    let root = openssl_crate(&dir);
    let (out, r) = build_default(
        &root,
        &[
            "--variant",
            "linux-aarch64-gnu",
            "--variant",
            "linux-x86_64-gnu",
        ],
    );
    let stderr = String::from_utf8_lossy(&out.stderr);
    let arm = variant(&r, "linux-aarch64-gnu");
    assert_eq!(arm["status"], "built", "{arm}\n{stderr}");
    assert_eq!(arm["artifacts"][0]["arch"], "aarch64", "{arm}");
    let libs = crate::common::libs(arm);
    for l in ["libssl.so.3", "libcrypto.so.3"] {
        assert!(libs.iter().any(|x| x == l), "{l}: {libs:?}");
    }
    // pkg-config pointed at the arm64 library, for this variant's cargo only
    let commands = arm["commands"].to_string();
    assert!(
        commands.contains("PKG_CONFIG_LIBDIR_aarch64_unknown_linux_gnu=/usr/lib/aarch64-linux-gnu/pkgconfig:/usr/share/pkgconfig")
            && commands.contains("PKG_CONFIG_ALLOW_CROSS_aarch64_unknown_linux_gnu=1"),
        "{commands}"
    );
    let host = variant(&r, "linux-x86_64-gnu");
    assert_eq!(host["status"], "built", "{host}\n{stderr}");
    assert!(
        crate::common::libs(host).iter().any(|x| x == "libssl.so.3"),
        "{host}"
    );
    let commands = host["commands"].to_string();
    assert!(!commands.contains("PKG_CONFIG"), "{commands}");
    // why: openssl-sys's build script asked for ssl, and the linker took the arm64
    // libssl.so (the only one for aarch64 here)
    let out = portable()
        .args(["why", "libssl.so.3", "--no-build", "--format", "json"])
        .arg("--manifest-path")
        .arg(root.join("Cargo.toml"))
        .args(["--variant", "linux-aarch64-gnu"])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(0));
    let doc: Value = serde_json::from_slice(&out.stdout).unwrap();
    let a = &doc["answers"][0];
    assert_eq!(a["found"], true, "{a}");
    let origin = &a["library"]["origins"][0];
    assert!(
        origin["crate"]
            .as_str()
            .unwrap()
            .starts_with("openssl-sys@")
            && origin["lib"] == "ssl",
        "{a}"
    );
}
