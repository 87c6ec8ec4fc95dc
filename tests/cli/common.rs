//! Helpers shared by the integration tests: run our binary, run oracle tools, build
//! fixtures from source in a temporary directory.

#![allow(dead_code)]

use std::path::{Path, PathBuf};
use std::process::{Command, Output};

use serde_json::Value;

/// Our binary, built by cargo for this test run.
pub fn portable() -> Command {
    Command::new(env!("CARGO_BIN_EXE_cargo-portable"))
}

/// Run `cargo-portable inspect --format json ARGS…`; returns (exit code, parsed JSON).
pub fn inspect_json<P: AsRef<Path>>(paths: &[P]) -> (i32, Value) {
    let mut c = portable();
    c.args(["inspect", "--format", "json"]);
    for p in paths {
        c.arg(p.as_ref());
    }
    let out = c.output().expect("run cargo-portable");
    let v: Value = serde_json::from_slice(&out.stdout).unwrap_or_else(|e| {
        panic!(
            "inspect output is not JSON ({e}); stderr: {}",
            String::from_utf8_lossy(&out.stderr)
        )
    });
    (out.status.code().unwrap_or(-1), v)
}

/// The single artifact of one file (panics with the errors otherwise).
pub fn inspect_one(path: &Path) -> Value {
    let (code, v) = inspect_json(&[path]);
    assert_eq!(
        code,
        0,
        "inspect {} failed: {}",
        path.display(),
        v["errors"]
    );
    let arts = v["artifacts"].as_array().expect("artifacts");
    assert_eq!(arts.len(), 1, "one artifact for {}", path.display());
    arts[0].clone()
}

/// Find a tool on PATH, or fail the test with the command that installs it: these
/// tests must not pass by skipping. `.ci/run` installs every tool named here.
pub fn tool(name: &str) -> PathBuf {
    which(name).unwrap_or_else(|| {
        panic!(
            "test tool `{name}` not found on PATH; run `bash .ci/run` or install it (see .ci/run)"
        )
    })
}

pub fn which(name: &str) -> Option<PathBuf> {
    let path = std::env::var_os("PATH")?;
    std::env::split_paths(&path)
        .map(|d| d.join(name))
        .find(|p| p.is_file())
}

/// Run a command, panic with its output when it fails.
pub fn run(cmd: &mut Command) -> Output {
    let out = cmd
        .output()
        .unwrap_or_else(|e| panic!("spawn {cmd:?}: {e}"));
    assert!(
        out.status.success(),
        "{cmd:?} failed: {}\n{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
    out
}

pub fn stdout(cmd: &mut Command) -> String {
    String::from_utf8_lossy(&run(cmd).stdout).into_owned()
}

/// A fresh temporary directory that lives as long as the returned guard.
pub fn tempdir() -> tempfile::TempDir {
    tempfile::Builder::new()
        .prefix("portable-test-")
        .tempdir()
        .expect("tempdir")
}

/// Write `src` to `dir/name` and return the path.
pub fn write(dir: &Path, name: &str, src: &str) -> PathBuf {
    let p = dir.join(name);
    std::fs::write(&p, src).expect("write fixture source");
    p
}

/// Compile a C file with `cc` (gcc, musl-gcc, x86_64-w64-mingw32-gcc, `zig cc`, ...).
pub fn cc(compiler: &[&str], src: &Path, out: &Path, flags: &[&str]) -> PathBuf {
    let mut c = Command::new(compiler[0]);
    c.args(&compiler[1..])
        .arg(src)
        .arg("-o")
        .arg(out)
        .args(flags);
    run(&mut c);
    out.to_path_buf()
}

/// Names (with `@VERSION`/weak) of a JSON artifact's imports, in order.
pub fn import_names(a: &Value) -> Vec<String> {
    a["imports"]
        .as_array()
        .unwrap()
        .iter()
        .map(|i| i["name"].as_str().unwrap().to_owned())
        .collect()
}

pub fn library_names(a: &Value) -> Vec<String> {
    a["libraries"]
        .as_array()
        .unwrap()
        .iter()
        .map(|l| l["name"].as_str().unwrap().to_owned())
        .collect()
}

/// A fresh binary crate `dir/name` (its own workspace) with `main` as src/main.rs and
/// an optional build.rs; returns its root.
pub fn new_crate(dir: &Path, name: &str, main: &str, build_rs: Option<&str>) -> PathBuf {
    let root = dir.join(name);
    std::fs::create_dir_all(root.join("src")).expect("create crate");
    std::fs::write(
        root.join("Cargo.toml"),
        format!(
            "[package]\nname = \"{name}\"\nversion = \"0.1.0\"\nedition = \"2021\"\n\n\
             [workspace]\n\n[profile.release]\ndebug = false\n"
        ),
    )
    .expect("write Cargo.toml");
    std::fs::write(root.join("src/main.rs"), main).expect("write main.rs");
    if let Some(b) = build_rs {
        std::fs::write(root.join("build.rs"), b).expect("write build.rs");
    }
    root
}

/// Make `path` an executable shell script with `body`.
pub fn script(path: &Path, body: &str) -> PathBuf {
    std::fs::write(path, format!("#!/bin/sh\n{body}\n")).expect("write script");
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        std::fs::set_permissions(path, std::fs::Permissions::from_mode(0o755)).expect("chmod");
    }
    path.to_path_buf()
}

/// A `rustc` (for `RUSTC=`) that reports a sysroot without the standard library of
/// `missing` and passes everything else to the real rustc: for tests that need a
/// target whose std is not installed, whatever this machine has installed.
pub fn rustc_without_std(dir: &Path, missing: &str) -> PathBuf {
    rustc_without_stds(dir, &[missing])
}

/// [`rustc_without_std`] for several targets; the fake sysroot is `dir/fake-sysroot`.
pub fn rustc_without_stds(dir: &Path, missing: &[&str]) -> PathBuf {
    let real = stdout(Command::new("rustc").args(["--print", "sysroot"]));
    let real = Path::new(real.trim());
    let fake = dir.join("fake-sysroot");
    let rustlib = fake.join("lib/rustlib");
    std::fs::create_dir_all(&rustlib).expect("fake sysroot");
    for e in std::fs::read_dir(real.join("lib/rustlib")).expect("read sysroot") {
        let e = e.expect("sysroot entry");
        if !missing.iter().any(|m| e.file_name() == *m) {
            #[cfg(unix)]
            std::os::unix::fs::symlink(e.path(), rustlib.join(e.file_name())).expect("symlink");
        }
    }
    let rustc = real.join("bin/rustc");
    script(
        &dir.join("rustc-without-std"),
        &format!(
            "if [ \"$#\" -eq 2 ] && [ \"$1\" = --print ] && [ \"$2\" = sysroot ]; then\n  echo '{}'\n  exit 0\nfi\nexec '{}' \"$@\"",
            fake.display(),
            rustc.display()
        ),
    )
}

/// PATH with `dir` first.
pub fn path_with(dir: &Path) -> std::ffi::OsString {
    let mut dirs = vec![dir.to_path_buf()];
    if let Some(p) = std::env::var_os("PATH") {
        dirs.extend(std::env::split_paths(&p));
    }
    std::env::join_paths(dirs).expect("PATH")
}

/// The needed libraries `readelf -dW` lists for `exe`, in order.
pub fn readelf_needed(exe: &Path) -> Vec<String> {
    stdout(Command::new("readelf").arg("-dW").arg(exe))
        .lines()
        .filter(|l| l.contains("(NEEDED)"))
        .map(|l| {
            l.rsplit('[')
                .next()
                .unwrap_or("")
                .trim_end_matches(']')
                .to_owned()
        })
        .collect()
}

/// `zig cc`: a `zig` on PATH, else the `ziglang` pip package of the system's python3,
/// else the one `cargo portable setup` installed in its own virtual environment.
/// Fails the test (never skips) when none exists.
pub fn zig_cc() -> Vec<String> {
    if let Some(z) = which("zig") {
        return vec![z.display().to_string(), "cc".into()];
    }
    let cache = std::env::var_os("CARGO_PORTABLE_CACHE")
        .map(PathBuf::from)
        .or_else(|| {
            std::env::var_os("XDG_CACHE_HOME").map(|d| PathBuf::from(d).join("cargo-portable"))
        })
        .or_else(|| {
            std::env::var_os("HOME").map(|h| PathBuf::from(h).join(".cache/cargo-portable"))
        });
    let pythons = which("python3")
        .into_iter()
        .chain(cache.map(|c| c.join("zig-venv/bin/python3")));
    for python in pythons {
        let ok = Command::new(&python)
            .args(["-c", "import ziglang"])
            .status()
            .is_ok_and(|s| s.success());
        if ok {
            return vec![
                python.display().to_string(),
                "-m".into(),
                "ziglang".into(),
                "cc".into(),
            ];
        }
    }
    panic!(
        "zig not found: no `zig` on PATH and no `ziglang` Python package \
         (`cargo portable setup` or `pip install ziglang cargo-zigbuild`; see .ci/run)"
    )
}

/// `build --format json` of `root`'s crate with the matrix `matrix` (written to
/// `root/matrix.toml`), `extra` arguments and environment variables: its output and
/// its report.
pub fn build_json_with(
    root: &Path,
    matrix: &str,
    extra: &[&str],
    env: &[(&str, &std::ffi::OsStr)],
) -> (Output, Value) {
    let m = root.join("matrix.toml");
    std::fs::write(&m, matrix).unwrap();
    let out = portable()
        .envs(env.iter().copied())
        .args(["build", "--format", "json", "--manifest-path"])
        .arg(root.join("Cargo.toml"))
        .arg("--matrix")
        .arg(&m)
        .args(extra)
        .output()
        .unwrap();
    let v = serde_json::from_slice(&out.stdout).unwrap_or_else(|e| {
        panic!(
            "build output is not JSON ({e}): {}\n{}",
            String::from_utf8_lossy(&out.stdout),
            String::from_utf8_lossy(&out.stderr)
        )
    });
    (out, v)
}

/// The variant `id` of a build report (JSON); it must be there.
pub fn variant<'a>(report: &'a Value, id: &str) -> &'a Value {
    report["variants"]
        .as_array()
        .unwrap()
        .iter()
        .find(|v| v["id"] == id)
        .unwrap_or_else(|| panic!("no variant {id}"))
}
