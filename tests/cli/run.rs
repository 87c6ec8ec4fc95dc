//! `build --run`: smoke runs of real binaries built at test time, on the host and in
//! the empty and minimal roots; what a crash, an exit code and a hang report; that
//! nothing is left behind, also on SIGINT; and the default matrix's IPC smoke.

use std::path::{Path, PathBuf};
use std::process::Output;
use std::time::{Duration, Instant};

use serde_json::Value;

use crate::common::{new_crate, portable, tempdir};

/// A binary whose first argument says how it behaves.
const APP: &str = r#"use std::io::Write;
fn main() {
    let args: Vec<String> = std::env::args().collect();
    match args.get(1).map(String::as_str) {
        Some("crash") => {
            println!("about to crash");
            std::io::stdout().flush().unwrap();
            std::process::abort();
        }
        Some("exit") => {
            eprintln!("giving up with 3");
            std::process::exit(3);
        }
        Some("hang") => {
            println!("hanging, with a child");
            std::io::stdout().flush().unwrap();
            let _child = std::process::Command::new(&args[0]).arg("sleep").spawn();
            loop { std::thread::sleep(std::time::Duration::from_secs(1)); }
        }
        Some("sleep") => loop { std::thread::sleep(std::time::Duration::from_secs(1)); },
        _ => println!("app 1.0"),
    }
}
"#;

fn variant_toml(id: &str, target: &str, extra: &str) -> String {
    format!("[[variant]]\nid = \"{id}\"\ntarget = \"{target}\"\nlinker = \"internal\"\n{extra}\n")
}

const GNU: &str = "x86_64-unknown-linux-gnu";
const MUSL: &str = "x86_64-unknown-linux-musl";

/// `build --run --format json` with TMPDIR in `tmp` (where roots and sockets go).
fn build_run(
    root: &Path,
    matrix: &str,
    tmp: &Path,
    extra: &[&str],
    env: &[(&str, &Path)],
) -> (Output, Value) {
    std::fs::create_dir_all(tmp).unwrap();
    let mut env: Vec<(&str, &std::ffi::OsStr)> =
        env.iter().map(|(k, v)| (*k, v.as_os_str())).collect();
    env.push(("TMPDIR", tmp.as_os_str()));
    let mut args = vec!["--run"];
    args.extend_from_slice(extra);
    crate::common::build_json_with(root, matrix, &args, &env)
}

fn smoke<'a>(report: &'a Value, id: &str) -> &'a Value {
    let v = crate::common::variant(report, id);
    assert_eq!(v["status"], "built", "{id}: {}", v["reason"]);
    &v["smoke"]
}

fn run_in<'a>(smoke: &'a Value, root: &str) -> &'a Value {
    smoke["runs"]
        .as_array()
        .unwrap()
        .iter()
        .find(|r| r["root"] == root)
        .unwrap_or_else(|| panic!("no {root} run in {smoke:#}"))
}

/// Nothing of ours is left in `tmp`, and no process runs a binary from `dirs`.
fn assert_nothing_left(tmp: &Path, dirs: &[&Path]) {
    let left: Vec<_> = std::fs::read_dir(tmp)
        .unwrap()
        .map(|e| e.unwrap().file_name())
        .collect();
    assert!(left.is_empty(), "left in {}: {left:?}", tmp.display());
    let procs = processes_under(dirs);
    assert!(procs.is_empty(), "processes left: {procs:?}");
}

/// Live (not zombie) processes whose executable or first argument is under `dirs`.
fn processes_under(dirs: &[&Path]) -> Vec<String> {
    let mut found = Vec::new();
    for e in std::fs::read_dir("/proc").unwrap().flatten() {
        let p = e.path();
        if !e
            .file_name()
            .to_string_lossy()
            .bytes()
            .all(|b| b.is_ascii_digit())
        {
            continue;
        }
        let stat = std::fs::read_to_string(p.join("stat")).unwrap_or_default();
        let state = stat.rsplit(')').next().unwrap_or("").trim_start();
        if state.starts_with('Z') || stat.is_empty() {
            continue;
        }
        let exe = std::fs::read_link(p.join("exe")).unwrap_or_default();
        let cmdline = std::fs::read(p.join("cmdline")).unwrap_or_default();
        let argv0 = PathBuf::from(
            String::from_utf8_lossy(cmdline.split(|b| *b == 0).next().unwrap_or(&[])).into_owned(),
        );
        if dirs
            .iter()
            .any(|d| exe.starts_with(d) || argv0.starts_with(d))
        {
            found.push(format!(
                "{}: {} {}",
                e.file_name().to_string_lossy(),
                exe.display(),
                argv0.display()
            ));
        }
    }
    found
}

/// The report validates against docs/report.schema.json and reads back into the
/// strict types unchanged.
fn schema_valid_and_strict(r: &Value) {
    let schema = crate::schema::schema();
    let v = jsonschema::draft202012::new(&schema).expect("the schema compiles");
    let errs: Vec<String> = v
        .iter_errors(r)
        .map(|e| format!("{e} at {}", e.instance_path()))
        .collect();
    assert!(errs.is_empty(), "{}", errs.join("\n"));
    let back: cargo_portable::report::variants::BuildReport =
        serde_json::from_value(r.clone()).expect("reads back into BuildReport");
    assert_eq!(&serde_json::to_value(&back).unwrap(), r);
}

#[test]
fn a_dynamic_binary_the_matrix_calls_static_fails_in_the_empty_root() {
    let dir = tempdir();
    let root = new_crate(dir.path(), "app", APP, None);
    let tmp = dir.path().join("tmp");
    let matrix = variant_toml("gnu", GNU, "[variant.expect]\nlinkage = \"static\"")
        + &variant_toml("musl", MUSL, "");
    let (out, r) = build_run(&root, &matrix, &tmp, &[], &[]);
    assert_eq!(out.status.code(), Some(1));
    // the real static binary runs in the empty root
    let musl = smoke(&r, "musl");
    assert_eq!(musl["status"], "passed", "{musl:#}");
    assert_eq!(run_in(musl, "empty")["status"], "passed", "{musl:#}");
    // the dynamic one runs on the host and with its libraries, not in the empty root
    let gnu = smoke(&r, "gnu");
    assert_eq!(gnu["status"], "failed", "{gnu:#}");
    assert_eq!(run_in(gnu, "host")["status"], "passed", "{gnu:#}");
    assert_eq!(run_in(gnu, "minimal")["status"], "passed", "{gnu:#}");
    let empty = run_in(gnu, "empty");
    assert_eq!(empty["status"], "failed");
    let msg = empty["message"].as_str().unwrap();
    assert!(msg.contains("/lib64/ld-linux-x86-64.so.2"), "{msg}");
    assert!(
        gnu["reason"].as_str().unwrap().contains("empty root"),
        "{}",
        gnu["reason"]
    );
    assert_nothing_left(&tmp, &[dir.path()]);
}

#[test]
fn a_library_the_minimal_root_cannot_get_fails_there_naming_it() {
    let dir = tempdir();
    let lib = dir.path().join("lib");
    let build_rs = r#"fn main() {
    let dir = std::env::var("FOO_LIB_DIR").unwrap();
    std::fs::create_dir_all(&dir).unwrap();
    let src = format!("{dir}/foo.c");
    std::fs::write(&src, "int foo(void) { return 42; }\n").unwrap();
    let ok = std::process::Command::new("cc")
        .args(["-shared", "-fPIC", "-o"])
        .arg(format!("{dir}/libfoo.so"))
        .arg(&src)
        .status()
        .unwrap()
        .success();
    assert!(ok, "cc -shared failed");
    println!("cargo:rerun-if-env-changed=FOO_LIB_DIR");
    println!("cargo:rustc-link-search=native={dir}");
    println!("cargo:rustc-link-lib=dylib=foo");
}
"#;
    let main = "extern \"C\" { fn foo() -> i32; }\nfn main() { println!(\"foo {}\", unsafe { foo() }); }\n";
    let root = new_crate(dir.path(), "usesfoo", main, Some(build_rs));
    let tmp = dir.path().join("tmp");
    // the host finds libfoo.so through LD_LIBRARY_PATH only: the report lists it, but
    // nothing on the host's library path has it, so the minimal root does not either
    let (out, r) = build_run(
        &root,
        &variant_toml("gnu", GNU, ""),
        &tmp,
        &[],
        &[("FOO_LIB_DIR", &lib), ("LD_LIBRARY_PATH", &lib)],
    );
    assert_eq!(
        out.status.code(),
        Some(1),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let s = smoke(&r, "gnu");
    assert_eq!(run_in(s, "host")["status"], "passed", "{s:#}");
    let minimal = run_in(s, "minimal");
    assert_eq!(minimal["status"], "failed", "{s:#}");
    let msg = minimal["message"].as_str().unwrap();
    assert!(
        msg.contains("error while loading shared libraries: libfoo.so"),
        "the loader's message: {msg}"
    );
    assert!(
        msg.contains("not found on the host for the minimal root: libfoo.so"),
        "{msg}"
    );
    assert_nothing_left(&tmp, &[dir.path()]);
}

#[test]
fn a_crash_an_exit_code_and_a_hang_fail_their_smoke_and_the_rest_still_runs() {
    let dir = tempdir();
    let root = new_crate(dir.path(), "app", APP, None);
    let tmp = dir.path().join("tmp");
    let matrix = variant_toml("crash", GNU, "smoke = [\"app\", \"crash\"]")
        + &variant_toml("exit", GNU, "smoke = [\"app\", \"exit\"]")
        + &variant_toml("hang", GNU, "smoke = [\"app\", \"hang\"]")
        + &variant_toml("fine", MUSL, "smoke = \"version\"");
    let started = Instant::now();
    let (out, r) = build_run(&root, &matrix, &tmp, &["--run-timeout", "3"], &[]);
    assert_eq!(out.status.code(), Some(1));

    let crash = run_in(smoke(&r, "crash"), "host");
    assert_eq!(crash["status"], "failed");
    assert_eq!(crash["exit"]["signal"], "SIGABRT", "{crash:#}");
    assert!(crash["output"].as_str().unwrap().contains("about to crash"));

    let exit = run_in(smoke(&r, "exit"), "host");
    assert_eq!(exit["exit"]["code"], 3, "{exit:#}");
    assert!(exit["output"]
        .as_str()
        .unwrap()
        .contains("giving up with 3"));

    let hang = smoke(&r, "hang");
    for root in ["host", "minimal"] {
        let h = run_in(hang, root);
        assert_eq!(h["status"], "failed", "{h:#}");
        assert_eq!(h["exit"]["timed_out"], true, "{h:#}");
        assert!(h["seconds"].as_f64().unwrap() < 10.0, "{h:#}");
        assert!(
            h["message"].as_str().unwrap().contains("timed out"),
            "{h:#}"
        );
    }
    assert!(
        hang["runs"][0]["output"]
            .as_str()
            .unwrap()
            .contains("hanging"),
        "{hang:#}"
    );

    let fine = smoke(&r, "fine");
    assert_eq!(fine["status"], "passed", "{fine:#}");
    assert_eq!(r["summary"]["smoke_failed"], 3);
    schema_valid_and_strict(&r);
    // the hang's own child went with it
    assert_nothing_left(&tmp, &[dir.path()]);
    assert!(started.elapsed() < Duration::from_secs(600));
}

#[test]
fn sigint_during_the_runs_stops_them_and_leaves_nothing_behind() {
    let dir = tempdir();
    let root = new_crate(dir.path(), "app", APP, None);
    let tmp = dir.path().join("tmp");
    std::fs::create_dir_all(&tmp).unwrap();
    let m = root.join("matrix.toml");
    std::fs::write(&m, variant_toml("hang", GNU, "smoke = [\"app\", \"hang\"]")).unwrap();
    let mut child = std::process::Command::new(env!("CARGO_BIN_EXE_cargo-portable"))
        .env("TMPDIR", &tmp)
        .args([
            "build",
            "--run",
            "--run-timeout",
            "300",
            "--format",
            "json",
            "--manifest-path",
        ])
        .arg(root.join("Cargo.toml"))
        .arg("--matrix")
        .arg(&m)
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::piped())
        .spawn()
        .unwrap();
    // wait for the smoke: the host run, its child, and the root made for the other run
    let until = Instant::now() + Duration::from_secs(600);
    loop {
        let running = processes_under(&[dir.path()]).len();
        let roots = std::fs::read_dir(&tmp).unwrap().count();
        if running >= 2 && roots >= 1 {
            break;
        }
        assert!(Instant::now() < until, "the smoke never started");
        assert!(
            child.try_wait().unwrap().is_none(),
            "build ended before its smoke ran"
        );
        std::thread::sleep(Duration::from_millis(100));
    }
    std::thread::sleep(Duration::from_millis(500));
    // SAFETY: kill(2) on our own child.
    unsafe {
        libc::kill(child.id() as libc::pid_t, libc::SIGINT);
    }
    let sent = Instant::now();
    let out = child.wait_with_output().unwrap();
    assert!(sent.elapsed() < Duration::from_secs(20));
    assert_eq!(
        out.status.code(),
        Some(130),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(String::from_utf8_lossy(&out.stderr).contains("interrupted"));
    let r: Value = serde_json::from_slice(&out.stdout).unwrap();
    let s = smoke(&r, "hang");
    assert_eq!(s["status"], "failed", "{s:#}");
    assert_eq!(run_in(s, "host")["message"], "interrupted");
    assert_nothing_left(&tmp, &[dir.path()]);
}

#[test]
fn default_matrix_runs_the_ipc_server_everywhere_this_host_can() {
    let manifest = Path::new(env!("CARGO_MANIFEST_DIR")).join("Cargo.toml");
    let dir = tempdir();
    let out = portable()
        .env("TMPDIR", dir.path())
        .args([
            "build",
            "-p",
            "ipc",
            "--run",
            "--format",
            "json",
            "--manifest-path",
        ])
        .arg(&manifest)
        .output()
        .unwrap();
    let r: Value = serde_json::from_slice(&out.stdout).unwrap();
    let mut bad = Vec::new();
    for v in r["variants"].as_array().unwrap() {
        let id = v["id"].as_str().unwrap();
        let s = &v["smoke"];
        let want = if id.starts_with("macos-") {
            "not-run"
        } else {
            "passed"
        };
        if s["status"] != want {
            bad.push(format!("{id}: {} {}", s["status"], s["reason"]));
        }
        if id.starts_with("linux-") {
            let roots: Vec<String> = s["runs"]
                .as_array()
                .unwrap()
                .iter()
                .map(|r| match r["release"].as_str() {
                    Some(rel) => rel.to_owned(),
                    None => r["root"].as_str().unwrap().to_owned(),
                })
                .collect();
            // the host, an empty or minimal root, and for a dynamic glibc variant (its
            // `prove` key) each Debian release whose loader loads it: all but 11 for
            // those needing glibc 2.34, all three for the 2.17 pin
            let releases: &[&str] = match id {
                "linux-x86_64-gnu-2.17" => &["debian-11", "debian-12", "debian-13"],
                "linux-x86_64-gnu" | "linux-x86_64-gnu-bfd" | "linux-aarch64-gnu" => {
                    &["debian-12", "debian-13"]
                }
                _ => &[],
            };
            if roots.len() != 2 + releases.len() || roots[0] != "host" || roots[2..] != *releases {
                bad.push(format!("{id}: roots {roots:?}"));
            }
        }
        // wine carries named pipes: the round trip goes through one, not TCP
        if id.starts_with("windows-")
            && !s["runs"][0]["message"]
                .as_str()
                .unwrap_or("")
                .ends_with("named pipe")
        {
            bad.push(format!("{id}: {}", s["runs"][0]["message"]));
        }
        if id.starts_with("macos-") && !s["reason"].as_str().unwrap_or("").contains("Mach-O") {
            bad.push(format!("{id}: {}", s["reason"]));
        }
    }
    assert!(bad.is_empty(), "{}", bad.join("\n"));
    assert_eq!(out.status.code(), Some(0));
    schema_valid_and_strict(&r);
    assert_nothing_left(dir.path(), &[]);
}
