//! Running cargo for one variant (the process edge): `cargo rustc` per binary with
//! the variant's link flags on the final crate only, or `cargo zigbuild`; executables
//! are taken from cargo's JSON artifact messages.

use std::collections::VecDeque;
use std::ffi::OsString;
use std::io::{BufRead, BufReader};
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::time::Instant;

use cargo_metadata::{Message, TargetKind};

use super::plan::{zig_target, Invocation};
use super::{BuildOptions, CargoOptions};
use crate::attribution::store::{save_record, Collector};
use crate::attribution::LinkRecord;
use crate::platform::Triple;
use crate::toolchain::cache::{self, Stamp};
use crate::toolchain::shell::command_line;
use crate::toolchain::{cache_dir, CTools, Toolchain};

/// Pass the user's cargo flags through, as they typed them.
fn apply(flags: &CargoOptions, manifest_path: Option<&Path>, c: &mut Command) {
    if let Some(m) = manifest_path {
        c.arg("--manifest-path").arg(m);
    }
    if let Some(p) = &flags.package {
        c.args(["--package", p]);
    }
    c.args(["--profile", &flags.profile]);
    if !flags.features.is_empty() {
        c.args(["--features", &flags.features.join(",")]);
    }
    if flags.all_features {
        c.arg("--all-features");
    }
    if flags.no_default_features {
        c.arg("--no-default-features");
    }
    if flags.locked {
        c.arg("--locked");
    }
    if flags.offline {
        c.arg("--offline");
    }
}

/// What a successful build produced.
#[derive(Debug)]
pub struct Built {
    pub executables: Vec<PathBuf>,
    pub seconds: f64,
    /// What went into each executable's link (for the report's `origin` fields).
    pub links: Vec<LinkRecord>,
}

/// The flags that make rustc tell what went into the final link: the link line
/// (`--print link-args`) and the final crate's own object (`--emit=obj`).
pub const ATTRIBUTION_FLAGS: [&str; 2] = ["--print=link-args", "--emit=obj,link"];

const TAIL_LINES: usize = 25;

/// RUSTFLAGS for every crate: the caller's, then the variant's (appended).
fn encoded_rustflags(inv: &Invocation) -> OsString {
    let mut flags: Vec<String> = match std::env::var("CARGO_ENCODED_RUSTFLAGS") {
        Ok(s) if !s.is_empty() => s.split('\x1f').map(str::to_owned).collect(),
        _ => std::env::var("RUSTFLAGS")
            .unwrap_or_default()
            .split_whitespace()
            .map(str::to_owned)
            .collect(),
    };
    flags.extend(inv.rustflags.iter().cloned());
    flags.join("\x1f").into()
}

fn command(
    tc: &Toolchain,
    opts: &BuildOptions,
    inv: &Invocation,
    bins: &[String],
    dir: &Path,
    final_flags: &[String],
) -> Command {
    let mut c = Command::new(&tc.cargo);
    if inv.zig {
        c.arg("zigbuild");
    } else {
        c.arg("rustc");
    }
    c.args(["--target", &inv.cargo_target]);
    for b in bins {
        c.args(["--bin", b]);
    }
    c.arg("--message-format=json-render-diagnostics");
    apply(&opts.cargo, opts.manifest_path.as_deref(), &mut c);
    if !inv.features.is_empty() {
        c.args(["--features", &inv.features.join(",")]);
    }
    if !inv.zig && !final_flags.is_empty() {
        c.arg("--").args(final_flags);
    }
    c.env("CARGO_TARGET_DIR", dir)
        .env("PATH", &tc.path)
        .env("CARGO_ENCODED_RUSTFLAGS", encoded_rustflags(inv))
        .env_remove("RUSTFLAGS")
        .env("CARGO_TERM_COLOR", "never")
        .envs(tc.zig_env());
    if let Some(v) = macos_min(tc, inv) {
        c.env("MACOSX_DEPLOYMENT_TARGET", v);
    }
    c.stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped());
    c
}

/// The macOS version an Apple target is built for: the caller's
/// MACOSX_DEPLOYMENT_TARGET, else rustc's minimum for the target (zig would otherwise
/// default to the newest macOS).
fn macos_min(tc: &Toolchain, inv: &Invocation) -> Option<String> {
    let base = inv
        .cargo_target
        .split('.')
        .next()
        .unwrap_or(&inv.cargo_target);
    if !Triple::parse(base).is_apple() {
        return None;
    }
    match std::env::var("MACOSX_DEPLOYMENT_TARGET") {
        Ok(v) if !v.is_empty() => Some(v),
        _ => tc.deployment_target(base),
    }
}

/// For a variant that zig links (final crate only): write the linker wrapper, the same
/// `cargo-zigbuild zig cc -- -target …` call cargo-zigbuild's own wrapper makes, and
/// return `-C linker=<it>`.
fn zig_linker(tc: &Toolchain, inv: &Invocation, root: &Path) -> Result<Vec<String>, String> {
    let Some(link) = &inv.zig_link else {
        return Ok(Vec::new());
    };
    let zigbuild = tc
        .find("cargo-zigbuild")
        .ok_or("cargo-zigbuild is not on PATH")?;
    let min = macos_min(tc, inv);
    let target = zig_target(&inv.cargo_target, link.glibc.as_deref(), min.as_deref())
        .ok_or_else(|| format!("zig has no target name for {}", inv.cargo_target))?;
    let script = format!(
        "#!/bin/sh\nexec '{}' zig cc -- -g -fno-sanitize=all -target {target} \"$@\"\n",
        zigbuild.display().to_string().replace('\'', "'\\''")
    );
    let path = root.join(".zig").join(format!("zigcc-{target}.sh"));
    write_script(&path, &script)?;
    Ok(vec!["-C".into(), format!("linker={}", path.display())])
}

/// Write an executable script, atomically and only when its content changed (its
/// modification time stays, so nothing that names it looks stale).
fn write_script(path: &Path, script: &str) -> Result<(), String> {
    if std::fs::read_to_string(path).ok().as_deref() == Some(script) {
        return Ok(());
    }
    let dir = path.parent().unwrap_or(Path::new("."));
    let write = || -> std::io::Result<()> {
        std::fs::create_dir_all(dir)?;
        let mut tmp = tempfile::NamedTempFile::new_in(dir)?;
        std::io::Write::write_all(&mut tmp, script.as_bytes())?;
        #[cfg(unix)]
        {
            use std::os::unix::fs::PermissionsExt;
            tmp.as_file()
                .set_permissions(std::fs::Permissions::from_mode(0o755))?;
        }
        tmp.persist(path).map_err(|e| e.error)?;
        Ok(())
    };
    write().map_err(|e| format!("writing {}: {e}", path.display()))
}

/// The static C++ runtime zig links for `zig_target` (`libc++.a`, `libc++abi.a`), as
/// `-C link-arg=` flags for a final link by rust-lld: what zig's own link of a C++
/// program uses, read from its `-v` output (zig builds them into its cache once).
fn zig_cxx_runtime(tc: &Toolchain, zig_target: &str) -> Result<Vec<String>, String> {
    let zigbuild = tc
        .find("cargo-zigbuild")
        .ok_or("cargo-zigbuild is not on PATH")?;
    let dir = tempfile::Builder::new()
        .prefix("portable-cxx-")
        .tempdir()
        .map_err(|e| e.to_string())?;
    let src = dir.path().join("hello.cpp");
    std::fs::write(
        &src,
        "#include <string>\nint main() { return std::string(\"x\").size() - 1; }\n",
    )
    .map_err(|e| e.to_string())?;
    let out = Command::new(zigbuild)
        .args(["zig", "c++", "--", "-target", zig_target, "-v", "-o"])
        .arg(dir.path().join("hello"))
        .arg(&src)
        .env("PATH", &tc.path)
        .envs(tc.zig_env())
        .output()
        .map_err(|e| format!("running zig c++: {e}"))?;
    let text = String::from_utf8_lossy(&out.stderr);
    if !out.status.success() {
        return Err(format!(
            "zig c++ cannot link C++ for {zig_target}: {}",
            crate::toolchain::setup::error_lines(&text).unwrap_or_default()
        ));
    }
    let mut args: Vec<String> = text
        .split_whitespace()
        .filter(|w| w.ends_with("/libc++.a") || w.ends_with("/libc++abi.a"))
        .map(|w| format!("link-arg={}", w.trim_matches('"')))
        .collect();
    args.dedup();
    if args.is_empty() {
        return Err(format!(
            "zig c++ -v named no libc++ archive for {zig_target}"
        ));
    }
    Ok(args
        .into_iter()
        .flat_map(|a| ["-C".to_owned(), a])
        .collect())
}

/// The zig target whose C++ goes with Debian's musl-gcc (x86_64 only).
const MUSL_GCC_ZIG_TARGET: &str = "x86_64-linux-musl";

/// A wrapper script in the cache running `zig <tool>` through cargo-zigbuild (which
/// knows where its zig is), with `-target <zig_target>` for the compilers.
fn zig_wrapper(zigbuild: &Path, tool: &str, zig_target: Option<&str>) -> Result<PathBuf, String> {
    let quoted = zigbuild.display().to_string().replace('\'', "'\\''");
    let (name, args) = match zig_target {
        Some(t) => (
            format!("zig-{tool}-{t}.sh"),
            format!("-target {t} -fno-sanitize=all "),
        ),
        None => (format!("zig-{tool}.sh"), String::new()),
    };
    let path = cache_dir().join("wrappers").join(name);
    write_script(
        &path,
        &format!("#!/bin/sh\nexec '{quoted}' zig {tool} -- {args}\"$@\"\n"),
    )?;
    Ok(path)
}

/// The variables that give the target's build scripts their C toolchain:
/// `CC_<target>`, `CXX_<target>`, `AR_<target>`, `RANLIB_<target>` (cc-rs, cmake-rs
/// and the autotools scripts that ask cc-rs read them), for the target only, so host
/// build scripts keep the host's compiler. A variable the caller set is kept.
fn c_env(tc: &Toolchain, inv: &Invocation) -> Result<Vec<(String, OsString)>, String> {
    let Some(c) = &inv.c else {
        return Ok(Vec::new());
    };
    let target = inv.cargo_target.as_str();
    let tools: Vec<(&str, OsString)> = match c {
        CTools::Host | CTools::ZigBuild => Vec::new(),
        CTools::Gnu { prefix } => ["gcc", "g++", "ar", "ranlib"]
            .iter()
            .zip(["CC", "CXX", "AR", "RANLIB"])
            .map(|(tool, var)| (var, format!("{prefix}-{tool}").into()))
            .collect(),
        CTools::MuslGcc => {
            // Debian has no C++ for musl: zig's clang compiles it, against zig's musl
            // headers, and its libc++ is linked in (`zig_cxx_runtime`)
            let cxx = match tc.find("cargo-zigbuild") {
                Some(zigbuild) => zig_wrapper(&zigbuild, "c++", Some(MUSL_GCC_ZIG_TARGET))?,
                None => {
                    let path = cache_dir().join("wrappers").join("musl-gcc-no-c++.sh");
                    write_script(
                        &path,
                        "#!/bin/sh\necho 'musl-gcc has no C++ compiler (Debian ships no C++ library for musl), \
                         and zig, which compiles C++ for it, is not installed: run cargo portable setup' >&2\nexit 1\n",
                    )?;
                    path
                }
            };
            vec![
                ("CC", "musl-gcc".into()),
                ("CXX", cxx.into_os_string()),
                ("CXXSTDLIB", OsString::new()),
            ]
        }
        CTools::ZigWrappers { zig_target } => {
            let zigbuild = tc
                .find("cargo-zigbuild")
                .ok_or("cargo-zigbuild is not on PATH")?;
            let mut v = Vec::new();
            for (var, tool, target) in [
                ("CC", "cc", Some(zig_target.as_str())),
                ("CXX", "c++", Some(zig_target.as_str())),
                ("AR", "ar", None),
                ("RANLIB", "ranlib", None),
            ] {
                v.push((var, zig_wrapper(&zigbuild, tool, target)?.into_os_string()));
            }
            // zig's C++ is libc++, which rust-lld links from zig's own archives (see
            // `zig_cxx_runtime`): cc-rs must not ask for a libc++ it cannot find
            v.push(("CXXSTDLIB", OsString::new()));
            v
        }
    };
    let under = target.replace('-', "_");
    Ok(tools
        .into_iter()
        .filter(|(var, _)| {
            std::env::var_os(format!("{var}_{target}")).is_none()
                && std::env::var_os(format!("{var}_{under}")).is_none()
        })
        .map(|(var, value)| (format!("{var}_{under}"), value))
        .collect())
}

/// Build `bins` for one variant in `dir`. On failure: the tail of the compiler's output.
pub fn build_variant(
    tc: &Toolchain,
    opts: &BuildOptions,
    inv: &Invocation,
    bins: &[String],
    dir: &Path,
    js: &jobserver::Client,
    commands: &mut Vec<String>,
) -> Result<Built, String> {
    let start = Instant::now();
    let mut executables = Vec::new();
    let root = dir.parent().unwrap_or(dir);
    let mut final_flags = inv.final_flags.clone();
    if !inv.zig {
        final_flags.extend(ATTRIBUTION_FLAGS.iter().map(|s| s.to_string()));
    }
    final_flags.extend(zig_linker(tc, inv, root)?);
    let mut links = Vec::new();
    let linked = dir.join(LINKED);
    let link_stamp = link_stamp(tc, inv, &final_flags);
    // nothing changed since the last successful build: its outcome, without cargo
    let c_env = c_env(tc, inv)?;
    let planned: Vec<String> = batches_of(inv, bins)
        .into_iter()
        .map(|batch| {
            let mut c = command(tc, opts, inv, batch, dir, &final_flags);
            c.envs(c_env.iter().map(|(k, v)| (k, v)));
            c.envs(inv.env.iter().map(|(k, v)| (k, v)));
            format!("{c:?}")
        })
        .collect();
    let outcome_file = dir.join(OUTCOME);
    let fixed = fixed_stamp(tc, opts, dir, &planned, &link_stamp);
    if let Some(k) = unchanged(&outcome_file, &fixed) {
        commands.extend(k.commands);
        return Ok(Built {
            executables: k.executables,
            seconds: start.elapsed().as_secs_f64(),
            links: k.links,
        });
    }
    if let Some((was, exes)) = cache::load_entry::<Vec<PathBuf>>(&linked) {
        if was != link_stamp {
            unlink_finals(dir, &exes);
        }
    }
    let (base_target, sysroot_lib, rust_version) = link_facts(tc, inv);
    match &inv.c {
        Some(CTools::ZigWrappers { zig_target }) => {
            final_flags.extend(zig_cxx_runtime(tc, zig_target)?);
        }
        Some(CTools::MuslGcc) if tc.find("cargo-zigbuild").is_some() => {
            // the archives come after rustc's -lc: they need musl's libc once more
            final_flags.extend(zig_cxx_runtime(tc, MUSL_GCC_ZIG_TARGET)?);
            final_flags.extend(["-C".to_owned(), "link-arg=-lc".to_owned()]);
        }
        _ => {}
    }
    // `cargo rustc` takes extra flags for one target at a time; zigbuild builds all
    // binaries in one call (its start-up is the cost of a warm run)
    let first_command = commands.len();
    let began = std::time::SystemTime::now();
    for batch in batches_of(inv, bins) {
        let mut retried = false;
        let collect = loop {
            let mut c = command(tc, opts, inv, batch, dir, &final_flags);
            c.envs(c_env.iter().map(|(k, v)| (k, v)));
            c.envs(inv.env.iter().map(|(k, v)| (k, v)));
            js.configure(&mut c);
            if !retried {
                commands.push(command_line(&c));
            }
            let mut child = c
                .spawn()
                .map_err(|e| format!("cannot run {}: {e}", tc.cargo.display()))?;
            let stderr = child.stderr.take().expect("piped");
            let tail = std::thread::spawn(move || last_lines(stderr));
            let stdout = child.stdout.take().expect("piped");
            let mut collect = Collector::default();
            read_messages(stdout, &mut collect, &mut executables);
            let status = child.wait().map_err(|e| e.to_string())?;
            let lines = tail.join().unwrap_or_default();
            if status.success() {
                break collect;
            }
            // cargo-zigbuild sets up its shared cache on first use; two zig variants
            // starting at once on a new machine can race there (`Error: File exists
            // (os error 17)`, seen once for macos-x86_64 beside macos-aarch64 in a
            // clean root): the second run finds it made
            if inv.zig && !retried && lines.iter().any(|l| l.contains("(os error 17)")) {
                retried = true;
                continue;
            }
            return Err(failure_tail(&lines));
        };
        for r in collect.finish(&base_target, sysroot_lib.as_deref(), &rust_version) {
            // the record is what a later, fresh build reads back: failing to keep it
            // only makes that one less precise
            let _ = save_record(&r);
            links.push(r);
        }
    }
    executables.sort();
    executables.dedup();
    if executables.is_empty() {
        return Err("cargo reported no executable".into());
    }
    let inside: Vec<PathBuf> = executables
        .iter()
        .filter_map(|e| e.strip_prefix(dir).ok().map(Path::to_path_buf))
        .collect();
    cache::store(&linked, &link_stamp, &inside);
    keep_outcome(
        &outcome_file,
        fixed,
        dir,
        began,
        Kept {
            files: Vec::new(),
            executables: executables.clone(),
            links: links.clone(),
            commands: commands[first_command..].to_vec(),
            vars: Vec::new(),
        },
    );
    Ok(Built {
        executables,
        seconds: start.elapsed().as_secs_f64(),
        links,
    })
}

/// `cargo rustc` takes extra flags for one target at a time; zigbuild builds all
/// binaries in one call (its start-up is the cost of a warm run).
fn batches_of<'a>(inv: &Invocation, bins: &'a [String]) -> Vec<&'a [String]> {
    if inv.zig {
        vec![bins]
    } else {
        bins.chunks(1).collect()
    }
}

/// The file in a variant's directory that keeps its last successful outcome
/// ([`unchanged`]).
const OUTCOME: &str = "portable-linked/outcome.json";

/// A variant's last successful build: what it produced, and the files whose state
/// the stamp holds besides its fixed part ([`fixed_stamp`]).
#[derive(serde::Serialize, serde::Deserialize)]
struct Kept {
    files: Vec<PathBuf>,
    executables: Vec<PathBuf>,
    links: Vec<LinkRecord>,
    commands: Vec<String>,
    /// The [`volatile`] variables the build read after all (a `# env-dep:` line of
    /// rustc's dep-info, a build script's `rerun-if-env-changed`): stamped by value.
    #[serde(default)]
    vars: Vec<String>,
}

/// What decides a variant's outcome besides its files: this cargo-portable, the
/// variant's cargo commands (arguments and environment), the whole environment (any
/// change is the slow path; not the jobserver's variables), the toolchain (rustc and
/// cargo as PATH or RUSTC/CARGO find them, the sysroot's, rustup's settings and
/// toolchain files), cargo's configuration files, the linker ([`link_stamp`]) and the
/// tool PATH. The environment is all of it but the [`volatile`] variables.
fn fixed_stamp(
    tc: &Toolchain,
    opts: &BuildOptions,
    dir: &Path,
    planned: &[String],
    link_stamp: &Stamp,
) -> Stamp {
    let mut st = Stamp::new()
        .text("dir", dir.display())
        .text(
            "options",
            format!("{:?} {:?}", opts.manifest_path, opts.cargo),
        )
        .text("linked", format!("{link_stamp:?}"))
        .text("tool PATH", tc.path.to_string_lossy())
        .text("rustc -V", format!("{:?}", tc.rustc_version));
    for (i, c) in planned.iter().enumerate() {
        st = st.text(&format!("command {i}"), c);
    }
    let mut vars: Vec<(String, String)> = std::env::vars_os()
        .map(|(k, v)| {
            (
                k.to_string_lossy().into_owned(),
                v.to_string_lossy().into_owned(),
            )
        })
        .filter(|(k, _)| !volatile(k))
        .collect();
    vars.sort();
    for (k, v) in vars {
        st = st.text(&format!("${k}"), v);
    }
    for p in [&tc.rustc, &tc.cargo] {
        st = match tc.find(&p.to_string_lossy()) {
            Some(exe) => st.program(&exe),
            None => st.text("program", p.display()),
        };
    }
    if let Some(s) = &tc.sysroot {
        st = st.file(&s.join("bin/rustc")).file(&s.join("bin/cargo"));
    }
    let home = |var: &str, dot: &str| {
        std::env::var_os(var)
            .map(PathBuf::from)
            .or_else(|| std::env::var_os("HOME").map(|h| Path::new(&h).join(dot)))
    };
    if let Some(h) = home("RUSTUP_HOME", ".rustup") {
        st = st.file(&h.join("settings.toml"));
    }
    if let Some(h) = home("CARGO_HOME", ".cargo") {
        st = st.file(&h.join("config.toml")).file(&h.join("config"));
    }
    let names = [
        ".cargo/config.toml",
        ".cargo/config",
        "rust-toolchain",
        "rust-toolchain.toml",
    ];
    if let Ok(cwd) = std::env::current_dir() {
        st = st.up_from(&cwd, &names);
    }
    if let Some(m) = &opts.manifest_path {
        if let Some(d) = std::path::absolute(m)
            .ok()
            .as_deref()
            .and_then(Path::parent)
        {
            st = st.up_from(d, &names);
        }
    }
    st
}

/// Variables left out of a variant's stamp unless the build read them (a `# env-dep:`
/// line of rustc's dep-info, a build script's `rerun-if-env-changed`; [`Kept::vars`]),
/// as cargo's own fingerprint leaves them out: the jobserver's, which differ from run
/// to run; the one hyperfine sets to a new random value for each run (to vary the
/// stack's alignment); the shell's own (`OLDPWD`, `SHLVL`, `_`); and the per-run
/// variables of the CI systems (GitHub Actions `GITHUB_*`, `RUNNER_*`, `ACTIONS_*`;
/// GitLab `CI_*`, `GITLAB_*`; Jenkins and Azure Pipelines `BUILD_*`, `JENKINS_*`,
/// `SYSTEM_*`, `AGENT_*`; Buildkite, CircleCI, Travis CI), which would otherwise keep
/// every CI run on a restored cache on the slow path.
fn volatile(name: &str) -> bool {
    const NAMES: [&str; 7] = [
        "CARGO_MAKEFLAGS",
        "MAKEFLAGS",
        "MFLAGS",
        "HYPERFINE_RANDOMIZED_ENVIRONMENT_OFFSET",
        "OLDPWD",
        "SHLVL",
        "_",
    ];
    const PREFIXES: [&str; 13] = [
        "GITHUB_",
        "RUNNER_",
        "ACTIONS_",
        "CI_",
        "GITLAB_",
        "BUILD_",
        "JENKINS_",
        "SYSTEM_",
        "AGENT_",
        "BUILDKITE_",
        "CIRCLE_",
        "TRAVIS_",
        "HYPERFINE_",
    ];
    NAMES.contains(&name) || PREFIXES.iter().any(|p| name.starts_with(p))
}

/// The stamp of `fixed`, the state of each of `files` and the value of each of `vars`.
fn full_stamp(fixed: &Stamp, files: &[PathBuf], vars: &[String]) -> Stamp {
    let st = files.iter().fold(fixed.clone(), |st, f| st.file(f));
    vars.iter().fold(st, |st, v| st.env(v))
}

/// The kept outcome when its stamp holds: the fixed part the same, and every file it
/// names in the same state. `None`: cargo runs.
fn unchanged(file: &Path, fixed: &Stamp) -> Option<Kept> {
    let (was, k) = cache::load_entry::<Kept>(file)?;
    (was == full_stamp(fixed, &k.files, &k.vars) && k.executables.iter().all(|e| e.is_file()))
        .then_some(k)
}

/// Keep a successful outcome with the state of everything it came from (see
/// [`outcome_inputs`]); nothing is kept when that list cannot be made whole, or when
/// a file outside the variant's directory changed since cargo `began` (cargo may
/// have read it before the change).
fn keep_outcome(file: &Path, fixed: Stamp, dir: &Path, began: std::time::SystemTime, mut k: Kept) {
    let _ = std::fs::remove_file(file);
    let Some((files, vars)) = outcome_inputs(dir, &k.executables) else {
        return;
    };
    let changed = |f: &PathBuf| {
        !f.starts_with(dir)
            && std::fs::metadata(f)
                .and_then(|m| m.modified())
                .is_ok_and(|t| t >= began)
    };
    if files.iter().any(changed) {
        return;
    }
    k.files = files;
    k.vars = vars;
    let st = full_stamp(&fixed, &k.files, &k.vars);
    cache::store(file, &st, &k);
}

/// Most files a walk of local packages stamps: beyond, the fast path is not taken.
const MAX_FILES: usize = 50_000;

/// The files a variant's outcome depends on: each executable and every file its
/// dep-info (`<profile>/<bin>.d`: every source of every crate, build scripts'
/// `rerun-if-changed`) names, the `deps/` files beside it, every build script's
/// `output` and what its `rerun-if-changed` names (a directory walked), and every
/// file and directory of each local package (any package directory a source is in
/// that is not under cargo's home or the sysroot; `target` and `.git` left out) with
/// every `Cargo.toml` and `Cargo.lock` from there up; and the [`volatile`] variables
/// the build read (the `# env-dep:` lines of the `deps/` dep-info files, the build
/// scripts' `rerun-if-env-changed`). `None` when uncertain.
fn outcome_inputs(dir: &Path, executables: &[PathBuf]) -> Option<(Vec<PathBuf>, Vec<String>)> {
    let mut files: Vec<PathBuf> = Vec::new();
    let mut vars: Vec<String> = Vec::new();
    let mut read_var = |name: &str| {
        if volatile(name) {
            vars.push(name.to_owned());
        }
    };
    let mut sources: Vec<PathBuf> = Vec::new();
    let mut profiles: Vec<PathBuf> = Vec::new();
    for exe in executables {
        files.push(exe.clone());
        let d = exe.with_extension("d");
        let text = std::fs::read_to_string(&d).ok()?;
        files.push(d);
        sources.extend(dep_info_paths(&text));
        let profile = exe.parent()?.to_path_buf();
        for e in std::fs::read_dir(profile.join("deps")).ok()?.flatten() {
            let p = e.path();
            if p.extension().is_some_and(|x| x == "d") {
                let text = std::fs::read_to_string(&p).ok()?;
                for l in text.lines() {
                    if let Some(v) = l.strip_prefix("# env-dep:") {
                        read_var(v.split('=').next().unwrap_or(v));
                    }
                }
            }
            files.push(p);
        }
        profiles.push(profile);
    }
    profiles.sort();
    profiles.dedup();
    for p in &profiles {
        let Ok(entries) = std::fs::read_dir(p.join("build")) else {
            continue;
        };
        for e in entries.flatten() {
            let out = e.path().join("output");
            if let Ok(text) = std::fs::read_to_string(&out) {
                for l in text.lines() {
                    let l = l.trim_start_matches("cargo::").trim_start_matches("cargo:");
                    if let Some(f) = l.strip_prefix("rerun-if-changed=") {
                        sources.push(PathBuf::from(f));
                    } else if let Some(v) = l.strip_prefix("rerun-if-env-changed=") {
                        read_var(v);
                    }
                }
            }
            files.push(out);
        }
    }
    let home = std::env::var_os("CARGO_HOME")
        .map(PathBuf::from)
        .or_else(|| std::env::var_os("HOME").map(|h| Path::new(&h).join(".cargo")));
    let mut packages: Vec<PathBuf> = Vec::new();
    for s in &sources {
        if s.is_dir() {
            walk(s, dir, &mut files)?;
        } else {
            files.push(s.clone());
        }
        let registry = home.as_ref().is_some_and(|h| s.starts_with(h));
        if registry || s.components().any(|c| c.as_os_str() == "rustlib") {
            continue;
        }
        if let Some(pkg) = s
            .ancestors()
            .skip(1)
            .find(|a| a.join("Cargo.toml").is_file())
        {
            packages.push(pkg.to_path_buf());
        }
    }
    packages.sort();
    packages.dedup();
    for p in &packages {
        walk(p, dir, &mut files)?;
        for a in p.ancestors() {
            files.push(a.join("Cargo.toml"));
            files.push(a.join("Cargo.lock"));
        }
    }
    files.sort();
    files.dedup();
    vars.sort();
    vars.dedup();
    (files.len() <= MAX_FILES).then_some((files, vars))
}

/// `top` and everything under it, but `target` and `.git` directories and `skip`.
fn walk(top: &Path, skip: &Path, files: &mut Vec<PathBuf>) -> Option<()> {
    let mut todo = vec![top.to_path_buf()];
    while let Some(d) = todo.pop() {
        files.push(d.clone());
        if files.len() > MAX_FILES {
            return None;
        }
        let Ok(entries) = std::fs::read_dir(&d) else {
            continue;
        };
        for e in entries.flatten() {
            let p = e.path();
            let name = e.file_name();
            if p == skip || p.starts_with(skip) || name == "target" || name == ".git" {
                continue;
            }
            if e.file_type().ok()?.is_dir() {
                todo.push(p);
            } else {
                files.push(p);
            }
        }
    }
    Some(())
}

/// The paths a Makefile-style dep-info names after each `target:` (spaces escaped
/// with a backslash).
fn dep_info_paths(text: &str) -> Vec<PathBuf> {
    let mut out = Vec::new();
    for line in text.lines() {
        let Some((_, deps)) = line.split_once(": ") else {
            continue;
        };
        let mut cur = String::new();
        let mut chars = deps.chars().peekable();
        while let Some(c) = chars.next() {
            match c {
                '\\' if chars.peek() == Some(&' ') => {
                    cur.push(' ');
                    chars.next();
                }
                ' ' => {
                    if !cur.is_empty() {
                        out.push(PathBuf::from(std::mem::take(&mut cur)));
                    }
                }
                _ => cur.push(c),
            }
        }
        if !cur.is_empty() {
            out.push(PathBuf::from(cur));
        }
    }
    out
}

/// The file in a variant's directory that keeps what linked its executables (the
/// [`link_stamp`]) and where they are (relative to the directory).
const LINKED: &str = "portable-linked/entry.json";

/// What links a variant's final crate that cargo does not see: cargo relinks when the
/// linker's name changes, not when the program is replaced (a wrapper script edited,
/// the C compiler upgraded) or a system library is installed. The stamp: the variant's
/// linker and every `-C linker=` program (through symbolic links), and Debian's
/// package database. Not [`Stamp::new`]: a new cargo-portable links the same way.
fn link_stamp(tc: &Toolchain, inv: &Invocation, final_flags: &[String]) -> Stamp {
    let mut st = Stamp::default().text("linker", &inv.program);
    let named = final_flags.iter().filter_map(|f| f.strip_prefix("linker="));
    for p in std::iter::once(inv.program.as_str()).chain(named) {
        st = match tc.find(p) {
            Some(exe) => st.program(&exe),
            None => st.text("program", p),
        };
    }
    st.file(Path::new("/var/lib/dpkg/status"))
}

/// Make cargo link the final crates of `dir` again: remove its executables `exes`
/// (relative to `dir`) and their unhashed names' `deps/<crate>-<hash>` files (what
/// cargo's fingerprint checks), so that a linker replaced under the same name links
/// them as a cold build would. Best effort: what cannot be removed stays.
fn unlink_finals(dir: &Path, exes: &[PathBuf]) {
    for rel in exes {
        if rel.is_absolute() || rel.components().any(|c| c.as_os_str() == "..") {
            continue;
        }
        let exe = dir.join(rel);
        let _ = std::fs::remove_file(&exe);
        let (Some(parent), Some(stem)) = (exe.parent(), exe.file_stem()) else {
            continue;
        };
        let prefix = format!("{}-", stem.to_string_lossy().replace('-', "_"));
        let Ok(entries) = std::fs::read_dir(parent.join("deps")) else {
            continue;
        };
        for e in entries.flatten() {
            if e.file_name().to_string_lossy().starts_with(&prefix) {
                let _ = std::fs::remove_file(e.path());
            }
        }
    }
}

/// What the link records need besides the link: the target without its glibc
/// suffix, its standard library's directory, and rustc's version.
fn link_facts(tc: &Toolchain, inv: &Invocation) -> (String, Option<PathBuf>, String) {
    let base_target = inv
        .cargo_target
        .split('.')
        .next()
        .unwrap_or(&inv.cargo_target)
        .to_owned();
    let sysroot_lib = tc
        .sysroot
        .as_ref()
        .map(|s| s.join("lib").join("rustlib").join(&base_target).join("lib"));
    let rust_version = tc
        .rustc_version
        .as_deref()
        .and_then(|v| v.split_whitespace().nth(1))
        .unwrap_or("unknown")
        .to_owned();
    (base_target, sysroot_lib, rust_version)
}

/// The last lines of cargo's stderr (what a failure shows).
fn last_lines(stderr: impl std::io::Read) -> VecDeque<String> {
    let mut lines: VecDeque<String> = VecDeque::new();
    for line in BufReader::new(stderr).lines().map_while(Result::ok) {
        if lines.len() == TAIL_LINES * 8 {
            lines.pop_front();
        }
        lines.push_back(line);
    }
    lines
}

/// Cargo's JSON messages: the link inputs go to `collect`, the executables built to
/// `executables`.
fn read_messages(
    stdout: impl std::io::Read,
    collect: &mut Collector,
    executables: &mut Vec<PathBuf>,
) {
    for msg in Message::parse_stream(BufReader::new(stdout)) {
        let Ok(msg) = msg else { continue };
        match msg {
            Message::CompilerArtifact(a) => {
                let is_bin = a.target.kind.contains(&TargetKind::Bin);
                let files: Vec<PathBuf> = a
                    .filenames
                    .iter()
                    .map(|f| f.clone().into_std_path_buf())
                    .collect();
                collect.artifact(
                    &a.package_id.repr,
                    is_bin,
                    &files,
                    a.executable.as_ref().map(|e| e.as_std_path()),
                );
                if is_bin {
                    if let Some(exe) = a.executable {
                        executables.push(exe.into_std_path_buf());
                    }
                }
            }
            Message::BuildScriptExecuted(b) => {
                let libs: Vec<String> = b.linked_libs.iter().map(|l| l.to_string()).collect();
                collect.build_script(&b.package_id.repr, &libs);
            }
            Message::TextLine(l) => collect.text(&l),
            _ => {}
        }
    }
}

/// The compiler's message: from the first `error` line on, else the last lines. A
/// build script's failure is its first line and what the script printed to stderr
/// (cc-rs says there which tool failed), not the `cargo:` lines of its stdout.
fn failure_tail(lines: &VecDeque<String>) -> String {
    let start = lines
        .iter()
        .position(|l| l.starts_with("error"))
        .unwrap_or(lines.len().saturating_sub(TAIL_LINES));
    let script_stderr = lines
        .iter()
        .skip(start)
        .position(|l| l.trim() == "--- stderr")
        .map(|i| start + i);
    let mut kept: Vec<&str> = Vec::new();
    match script_stderr {
        Some(at) if lines[start].contains("custom build command") => {
            kept.push(&lines[start]);
            // the compiler's own messages, which cc-rs relays as warnings
            kept.extend(
                lines
                    .iter()
                    .skip(start)
                    .take(at - start)
                    .filter_map(|l| l.trim().strip_prefix("cargo:warning="))
                    .take(8),
            );
            kept.extend(
                lines
                    .iter()
                    .skip(at)
                    .take(TAIL_LINES - 1)
                    .map(String::as_str),
            );
        }
        _ => kept.extend(
            lines
                .iter()
                .skip(start)
                .take(TAIL_LINES)
                .map(String::as_str),
        ),
    }
    kept.join("\n")
}

/// What `cargo metadata` answered, with the state of every file the answer depends on.
#[derive(serde::Serialize, serde::Deserialize)]
struct CachedMetadata {
    files: Vec<(PathBuf, String)>,
    metadata: cargo_metadata::Metadata,
}

/// `cmd` run: from the cache when the same command was answered before, from the same
/// directory, with the same cargo, environment and cargo configuration, and none of the
/// files the answer depends on changed (`Cargo.lock`, every local package's manifest
/// and directories, where a new target or workspace member would appear); else run now
/// and kept. Its errors are cargo's, as `cmd.exec()` gives them.
pub fn metadata(
    tc: &Toolchain,
    cmd: &cargo_metadata::MetadataCommand,
) -> Result<cargo_metadata::Metadata, cargo_metadata::Error> {
    let Some((file, stamp)) = metadata_stamp(tc, cmd) else {
        return cmd.exec();
    };
    if let Some(c) = cache::load::<CachedMetadata>(&file, &stamp) {
        if c.files
            .iter()
            .all(|(f, state)| cache::file_state(f) == *state)
        {
            return Ok(c.metadata);
        }
    }
    let meta = cmd.exec()?;
    let files = metadata_inputs(&meta)
        .into_iter()
        .map(|f| {
            let state = cache::file_state(&f);
            (f, state)
        })
        .collect();
    let cached = CachedMetadata {
        files,
        metadata: meta,
    };
    cache::store(&file, &stamp, &cached);
    Ok(cached.metadata)
}

/// Where the answer to `cmd` is kept, and what decides it besides the workspace's files.
fn metadata_stamp(
    tc: &Toolchain,
    cmd: &cargo_metadata::MetadataCommand,
) -> Option<(PathBuf, Stamp)> {
    let c = cmd.cargo_command();
    let mut line = c.get_program().to_string_lossy().into_owned();
    for a in c.get_args() {
        line.push(' ');
        line.push_str(&a.to_string_lossy());
    }
    let cwd = std::env::current_dir().ok()?;
    let cargo = tc.find(&c.get_program().to_string_lossy())?;
    let mut stamp = Stamp::new()
        .text("command", &line)
        .text("cwd", cwd.display())
        .program(&cargo);
    if let Some(s) = &tc.sysroot {
        stamp = stamp.file(&s.join("bin/cargo"));
    }
    // cargo's own variables (CARGO_HOME, CARGO_TARGET_DIR, CARGO_NET_OFFLINE, …) and
    // rustup's; not the jobserver's, which differs from run to run
    let mut vars: Vec<String> = std::env::vars_os()
        .map(|(k, _)| k.to_string_lossy().into_owned())
        .filter(|k| {
            (k.starts_with("CARGO") || k.starts_with("RUSTUP") || k.starts_with("__CARGO"))
                && k != "CARGO_MAKEFLAGS"
        })
        .collect();
    vars.sort();
    for v in ["HOME"].iter().map(|s| s.to_string()).chain(vars) {
        stamp = stamp.env(&v);
    }
    // cargo's configuration: the current directory and up, and cargo's home
    let home = std::env::var_os("CARGO_HOME")
        .map(PathBuf::from)
        .or_else(|| std::env::var_os("HOME").map(|h| Path::new(&h).join(".cargo")));
    stamp = stamp.up_from(&cwd, &[".cargo/config.toml", ".cargo/config"]);
    if let Some(h) = home {
        stamp = stamp.file(&h.join("config.toml")).file(&h.join("config"));
    }
    let file = cache::machine_dir().join("metadata").join(format!(
        "{}.json",
        cache::key_name(&format!("{line}\0{}", cwd.display()))
    ));
    Some((file, stamp))
}

/// The files a `cargo metadata` answer depends on besides the command and the
/// configuration: the workspace's `Cargo.lock` and `Cargo.toml`, and for every local
/// package (a workspace member or a path dependency) its manifest, its directory and
/// `src/` and `src/bin/` (a new build script, binary or member appears there), and the
/// directory above it (a new member matched by a glob).
fn metadata_inputs(meta: &cargo_metadata::Metadata) -> Vec<PathBuf> {
    let root = meta.workspace_root.as_std_path();
    let mut files = vec![root.join("Cargo.lock"), root.join("Cargo.toml")];
    for p in meta.packages.iter().filter(|p| p.source.is_none()) {
        let manifest = p.manifest_path.as_std_path();
        files.push(manifest.to_path_buf());
        if let Some(dir) = manifest.parent() {
            files.push(dir.to_path_buf());
            files.push(dir.join("src"));
            files.push(dir.join("src/bin"));
            if let Some(up) = dir.parent() {
                files.push(up.to_path_buf());
            }
        }
    }
    files.sort();
    files.dedup();
    files
}

/// The directory cargo puts a profile's host artifacts in (`release`, `debug`, …).
pub fn profile_dir(profile: &str) -> &str {
    match profile {
        "dev" | "test" => "debug",
        "bench" => "release",
        p => p,
    }
}

/// Seed `dst` with what every target shares in `src`: the host artifacts (build
/// scripts and proc-macros, under the profile directory) and cargo's top-level files,
/// not the per-target directories. Cargo's fingerprints decide what is still fresh.
pub fn copy_host(src: &Path, dst: &Path, profile: &str) -> std::io::Result<()> {
    std::fs::create_dir_all(dst)?;
    for e in std::fs::read_dir(src)? {
        let e = e?;
        let ft = e.file_type()?;
        if ft.is_file() && e.file_name() != ".cargo-lock" {
            std::fs::copy(e.path(), dst.join(e.file_name()))?;
        }
    }
    let host = src.join(profile_dir(profile));
    if host.is_dir() {
        copy_tree(&host, &dst.join(profile_dir(profile)))?;
    }
    Ok(())
}

/// Copy a target directory (files and their modification times, so cargo sees the
/// copy as fresh). Used to seed a variant's directory from a sibling of its group.
pub fn copy_tree(src: &Path, dst: &Path) -> std::io::Result<()> {
    for e in walkdir::WalkDir::new(src).follow_links(false) {
        let e = e.map_err(std::io::Error::other)?;
        let rel = e.path().strip_prefix(src).map_err(std::io::Error::other)?;
        let to = dst.join(rel);
        let ft = e.file_type();
        if ft.is_dir() {
            std::fs::create_dir_all(&to)?;
        } else if ft.is_file() {
            if e.file_name() == ".cargo-lock" {
                continue;
            }
            std::fs::copy(e.path(), &to)?;
            let mtime = e.metadata().map_err(std::io::Error::other)?.modified()?;
            std::fs::File::options()
                .write(true)
                .open(&to)?
                .set_modified(mtime)?;
        } else if ft.is_symlink() {
            #[cfg(unix)]
            std::os::unix::fs::symlink(std::fs::read_link(e.path())?, &to)?;
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_build_script_failure_shows_its_stderr() {
        let lines: VecDeque<String> = [
            "error: failed to run custom build command for `zstd-sys v2.0.16`",
            "  --- stdout",
            "  cargo:rerun-if-env-changed=CC_FORCE_DISABLE",
            "  CC_x86_64_pc_windows_gnu = Some(x86_64-w64-mingw32-gcc)",
            "  cargo:warning=zstd/lib/common/debug.c:1: error: no C++ here",
            "  --- stderr",
            "  error occurred in cc-rs: failed to find tool \"x86_64-w64-mingw32-g++\"",
        ]
        .into_iter()
        .map(String::from)
        .collect();
        assert_eq!(
            failure_tail(&lines),
            "error: failed to run custom build command for `zstd-sys v2.0.16`\nzstd/lib/common/debug.c:1: error: no C++ here\n  --- stderr\n  error occurred in cc-rs: failed to find tool \"x86_64-w64-mingw32-g++\""
        );
    }

    #[test]
    fn tail_starts_at_the_first_error() {
        let lines: VecDeque<String> = [
            "   Compiling x",
            "warning: unused",
            "error[E0425]: cannot find",
            "  --> src/main.rs:1:1",
            "error: aborting",
        ]
        .into_iter()
        .map(String::from)
        .collect();
        assert_eq!(
            failure_tail(&lines),
            "error[E0425]: cannot find\n  --> src/main.rs:1:1\nerror: aborting"
        );
    }
}
