//! `setup` survives one missing piece: a fake `rustup` on PATH (a shell script that
//! records its calls) serves one target and fails for another with rustup's own words
//! and a backtrace after them (RUST_BACKTRACE is often set). The real registry is
//! never asked.

use std::path::Path;

use serde_json::Value;

use crate::common::{new_crate, path_with, portable, rustc_without_stds, script, tempdir};

const SERVED: &str = "aarch64-unknown-linux-musl";
const UNSERVED: &str = "riscv64gc-unknown-linux-musl";
const RUSTUP_SAYS: &str = "error: component 'rust-std' for target 'riscv64gc-unknown-linux-musl' is unavailable for download for channel 'stable'";

/// A `rustup` that logs every call to `dir/rustup.log`, refuses any call naming
/// [`UNSERVED`] (its error, then a backtrace), and installs the other targets into
/// the fake sysroot of [`rustc_without_stds`] (an empty `lib/` is what the toolchain
/// looks for).
fn fake_rustup(dir: &Path) -> std::ffi::OsString {
    let bin = dir.join("bin");
    std::fs::create_dir_all(&bin).unwrap();
    let sysroot = dir.join("fake-sysroot/lib/rustlib");
    script(
        &bin.join("rustup"),
        &format!(
            r#"echo "$*" >> '{log}'
case "$*" in
  *{UNSERVED}*)
    echo 'info: downloading component '"'"'rust-std'"'"' for '"'"'{UNSERVED}'"'"'' >&2
    echo "{RUSTUP_SAYS}" >&2
    echo 'stack backtrace:' >&2
    echo '   0: rustup::dist::manifestation::Manifestation::update' >&2
    echo '   1: std::rt::lang_start_internal' >&2
    exit 1;;
esac
[ "$1 $2" = "target add" ] || exit 0
shift 2
for t in "$@"; do mkdir -p '{sysroot}'/"$t"/lib; done"#,
            log = dir.join("rustup.log").display(),
            sysroot = sysroot.display(),
        ),
    );
    path_with(&bin)
}

/// `setup` of `root`'s crate with matrix file `m`, the fake toolchain's `rustc` and
/// `PATH`, and RUST_BACKTRACE set: it exits 1 (a step could not be done); its stderr.
fn setup_fails(root: &Path, rustc: &Path, path: &std::ffi::OsStr, m: &Path) -> String {
    let out = portable()
        .env("RUSTC", rustc)
        .env("PATH", path)
        .env("RUST_BACKTRACE", "1")
        .args(["setup", "--manifest-path"])
        .arg(root.join("Cargo.toml"))
        .arg("--matrix")
        .arg(m)
        .output()
        .unwrap();
    let err = String::from_utf8_lossy(&out.stderr).into_owned();
    assert_eq!(out.status.code(), Some(1), "{err}");
    err
}

/// A matrix of one external-linker variant per (target, gcc prefix), and in `bin` a
/// `<prefix>-gcc` for each that cannot link, as one installed without its C library.
fn external_variants(bin: &Path, targets: &[(&str, &str)]) -> String {
    let mut m = String::new();
    for (t, prefix) in targets {
        m.push_str(&format!(
            "[[variant]]\nid = \"{t}\"\ntarget = \"{t}\"\nlinker = \"external\"\n\n"
        ));
        script(
            &bin.join(format!("{prefix}-gcc")),
            "echo 'ld: cannot find crt1.o: No such file or directory' >&2; exit 1",
        );
    }
    m
}

fn matrix(extra: &str) -> String {
    format!(
        "{extra}[[variant]]\nid = \"served\"\ntarget = \"{SERVED}\"\nlinker = \"internal\"\n\n\
         [[variant]]\nid = \"unserved\"\ntarget = \"{UNSERVED}\"\nlinker = \"internal\"\n"
    )
}

#[test]
fn one_target_rustup_cannot_serve_leaves_the_other_installed() {
    let dir = tempdir();
    let root = new_crate(dir.path(), "hello", "fn main() {}\n", None);
    let m = root.join("m.toml");
    std::fs::write(&m, matrix("")).unwrap();
    let rustc = rustc_without_stds(dir.path(), &[SERVED, UNSERVED]);
    let path = fake_rustup(dir.path());
    let err = setup_fails(&root, &rustc, &path, &m);
    let log = std::fs::read_to_string(dir.path().join("rustup.log")).unwrap();
    // the served target was added on its own after the call with both failed
    assert!(
        log.lines().any(|l| l == format!("target add {SERVED}")),
        "{log}"
    );
    assert!(
        dir.path()
            .join(format!("fake-sysroot/lib/rustlib/{SERVED}/lib"))
            .is_dir(),
        "{log}"
    );
    // the failure names the target and says rustup's message, no backtrace
    let line = format!("setup: not done: rustup target add {UNSERVED}");
    let at = err.find(&line).unwrap_or_else(|| panic!("{err}"));
    assert!(err[at..].contains(RUSTUP_SAYS), "{err}");
    assert!(
        !err.contains("stack backtrace") && !err.contains("lang_start"),
        "{err}"
    );
    // the other target is not said to be missing; the unserved one is not ready
    assert!(
        !err.contains(&format!("not done: rustup target add {SERVED}")),
        "{err}"
    );
    assert!(err.contains("setup: unserved is still not ready"), "{err}");
    assert!(!err.contains("setup: served is still not ready"), "{err}");
    // and the last line says what the exit code 1 is about
    assert_eq!(
        err.lines().last(),
        Some("setup: 1 step could not be done (above)"),
        "{err}"
    );
}

/// `build --setup`: the variant whose standard library rustup could not serve is
/// skipped with rustup's reason; the host's variant builds.
#[test]
fn build_setup_skips_the_unserved_target_with_rustups_reason() {
    let dir = tempdir();
    let root = new_crate(dir.path(), "hello", "fn main() {}\n", None);
    let m = root.join("m.toml");
    let host = "[[variant]]\nid = \"gnu\"\ntarget = \"x86_64-unknown-linux-gnu\"\nlinker = \"internal\"\n\n";
    std::fs::write(&m, matrix(host)).unwrap();
    let rustc = rustc_without_stds(dir.path(), &[SERVED, UNSERVED]);
    let path = fake_rustup(dir.path());
    let out = portable()
        .env("RUSTC", &rustc)
        .env("PATH", &path)
        .env("RUST_BACKTRACE", "1")
        .args([
            "build",
            "--setup",
            "--format",
            "json",
            "--variant",
            "gnu",
            "--variant",
            "unserved",
            "--manifest-path",
        ])
        .arg(root.join("Cargo.toml"))
        .arg("--matrix")
        .arg(&m)
        .output()
        .unwrap();
    let err = String::from_utf8_lossy(&out.stderr);
    let r: Value = serde_json::from_slice(&out.stdout).unwrap_or_else(|e| panic!("{e}: {err}"));
    let v = |id: &str| crate::common::variant(&r, id).clone();
    assert_eq!(v("gnu")["status"], "built", "{err}");
    let u = v("unserved");
    assert_eq!(u["status"], "skipped", "{u}");
    let reason = u["reason"].as_str().unwrap();
    assert!(reason.contains(RUSTUP_SAYS), "{reason}");
    assert!(!reason.contains("backtrace"), "{reason}");
    assert_eq!(out.status.code(), Some(1), "{err}");
}

/// Every cross gcc setup installs comes with its target C library: `setup --dry-run`
/// for external-linker variants of the architectures of the wide matrix, each with a
/// cross gcc on PATH that cannot link (as one installed without its C library), plans
/// `gcc-<prefix>` with the C library Debian's own metadata names for it (a cross gcc
/// only *recommends* it: `apt-cache depends`, the oracle).
#[test]
fn every_cross_gcc_comes_with_the_c_library_debian_recommends_for_it() {
    let dir = tempdir();
    let root = new_crate(dir.path(), "hello", "fn main() {}\n", None);
    let bin = dir.path().join("bin");
    std::fs::create_dir_all(&bin).unwrap();
    let targets = [
        ("armv7-unknown-linux-gnueabihf", "arm-linux-gnueabihf"),
        ("i686-unknown-linux-gnu", "i686-linux-gnu"),
        ("powerpc64le-unknown-linux-gnu", "powerpc64le-linux-gnu"),
        ("s390x-unknown-linux-gnu", "s390x-linux-gnu"),
        ("riscv64gc-unknown-linux-gnu", "riscv64-linux-gnu"),
        ("aarch64-unknown-linux-gnu", "aarch64-linux-gnu"),
    ];
    let m = external_variants(&bin, &targets);
    let mf = root.join("m.toml");
    std::fs::write(&mf, m).unwrap();
    let out = portable()
        .env("PATH", path_with(&bin))
        .args(["setup", "--dry-run", "--manifest-path"])
        .arg(root.join("Cargo.toml"))
        .arg("--matrix")
        .arg(&mf)
        .output()
        .unwrap();
    let plan = String::from_utf8_lossy(&out.stdout);
    assert_eq!(out.status.code(), Some(0), "{plan}");
    let apt: Vec<&str> = plan
        .lines()
        .find(|l| l.contains("apt-get install"))
        .unwrap_or_else(|| panic!("{plan}"))
        .split_whitespace()
        .collect();
    for (_, prefix) in targets {
        let gcc = format!("gcc-{prefix}");
        assert!(apt.contains(&gcc.as_str()), "{gcc}: {plan}");
        let deps =
            crate::common::stdout(std::process::Command::new("apt-cache").args(["depends", &gcc]));
        let libc: Vec<&str> = deps
            .lines()
            .filter_map(|l| {
                l.trim_start_matches([' ', '|'])
                    .strip_prefix("Recommends: ")
            })
            .filter(|p| p.starts_with("libc6-dev-") && p.ends_with("-cross"))
            .collect();
        assert_eq!(libc.len(), 1, "apt-cache depends {gcc}:\n{deps}");
        assert!(apt.contains(&libc[0]), "{gcc} without {}: {plan}", libc[0]);
    }
}

/// One apt package that cannot be had leaves the others installed: a fake `apt-get`
/// on PATH (it logs its calls) refuses any install naming the ppc64le cross gcc with
/// apt's own words and a backtrace after them. setup's one call fails, then each
/// package is installed alone; the failure names the package and apt's `E:` line.
/// Without root, setup does not call apt-get and says so.
#[test]
fn one_apt_package_that_cannot_be_had_leaves_the_others_installed() {
    const REFUSED: &str = "gcc-powerpc64le-linux-gnu";
    const APT_SAYS: &str = "E: Unable to locate package gcc-powerpc64le-linux-gnu";
    let dir = tempdir();
    let root = new_crate(dir.path(), "hello", "fn main() {}\n", None);
    let targets = [
        ("s390x-unknown-linux-gnu", "s390x-linux-gnu"),
        ("powerpc64le-unknown-linux-gnu", "powerpc64le-linux-gnu"),
    ];
    let rustc = rustc_without_stds(dir.path(), &targets.map(|(t, _)| t));
    let path = fake_rustup(dir.path());
    let bin = dir.path().join("bin");
    let m = external_variants(&bin, &targets);
    let log = dir.path().join("apt.log");
    script(
        &bin.join("apt-get"),
        &format!(
            r#"echo "$*" >> '{log}'
case "$*" in
  install*{REFUSED}*)
    echo "{APT_SAYS}" >&2
    echo 'stack backtrace:' >&2
    echo '   0: std::rt::lang_start_internal' >&2
    exit 100;;
esac
exit 0"#,
            log = log.display()
        ),
    );
    let mf = root.join("m.toml");
    std::fs::write(&mf, m).unwrap();
    let err = setup_fails(&root, &rustc, &path, &mf);
    let root_user = unsafe { libc::geteuid() } == 0;
    if !root_user {
        assert!(!log.exists(), "apt-get was called without root");
        assert!(
            err.contains("not root, or no apt-get: run it yourself"),
            "{err}"
        );
        return;
    }
    let calls = std::fs::read_to_string(&log).unwrap();
    let installs: Vec<Vec<&str>> = calls
        .lines()
        .filter(|l| l.starts_with("install "))
        .map(|l| {
            l.split_whitespace()
                .filter(|w| !w.starts_with('-'))
                .skip(1)
                .collect()
        })
        .collect();
    // one call with every package, then each package alone
    let wanted = [
        "gcc-s390x-linux-gnu",
        "libc6-dev-s390x-cross",
        REFUSED,
        "libc6-dev-ppc64el-cross",
    ];
    let first = &installs[0];
    for p in wanted {
        assert!(first.contains(&p), "{p} not in the first install: {calls}");
        assert!(
            installs[1..].contains(&vec![p]),
            "{p} not installed alone: {calls}"
        );
    }
    // the failure names the package and says apt's words, no backtrace; only once
    let line = format!("setup: not done: apt-get install -y {REFUSED}");
    let at = err.find(&line).unwrap_or_else(|| panic!("{err}"));
    assert!(err[at..].contains(APT_SAYS), "{err}");
    assert_eq!(err.matches("setup: not done:").count(), 1, "{err}");
    assert!(
        !err.contains("stack backtrace") && !err.contains("lang_start"),
        "{err}"
    );
}
