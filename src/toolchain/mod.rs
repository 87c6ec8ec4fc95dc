//! Facts about this machine's toolchain, gathered at the edge: rustc, its targets,
//! installed standard libraries, where programs are, whether a linker links (the
//! probe), and where cargo-portable keeps zig. [`needs`] is the one table of what a
//! variant needs from it; [`Machine`] is how the pure planners ask.

pub mod cache;
pub mod needs;
mod probe;
pub mod setup;
pub mod shell;

use std::collections::HashMap;
use std::ffi::OsString;
use std::path::{Path, PathBuf};
use std::process::Command;
use std::sync::Mutex;

pub use self::needs::{install_command, needs, CTools, Install, Link, Needs, Probe};

/// A program a build script runs on the host, with the Debian package that has it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct BuildTool {
    pub program: &'static str,
    pub apt: &'static str,
    /// Whether the build script cannot do without it. cmake is listed by crates that
    /// use it only for some targets (aws-lc-sys builds with cc-rs where it can), so a
    /// missing cmake is installed by `setup` but does not skip a variant.
    pub required: bool,
    /// The packages whose build scripts run it.
    pub by: Vec<String>,
}

/// What the planners (build, setup, targets) need to know about the machine.
pub trait Machine {
    fn host(&self) -> &str;
    fn std_installed(&self, target: &str) -> bool;
    /// rustup's error when this run's setup could not install the target's std.
    fn std_failure(&self, _target: &str) -> Option<&str> {
        None
    }
    fn has_program(&self, program: &str) -> bool;
    fn is_root(&self) -> bool;
    /// Whether the probe links: `Err` carries the linker's first error line.
    fn probe(&self, p: &Probe) -> Result<(), String>;
    /// The virtual environment that holds zig and cargo-zigbuild (created by setup).
    fn zig_home(&self) -> &Path;
    /// Whether Debian's multiarch directory for `multiarch` (`aarch64-linux-gnu`) has
    /// the library `name` (`/usr/lib/aarch64-linux-gnu/libssl.so`, or `.a`).
    fn has_multiarch_library(&self, _multiarch: &str, _name: &str) -> bool {
        false
    }
    /// Whether the host's own `lib<name>` is installed for linking (its `.so` or `.a`,
    /// which a `-dev` package brings) where the host's linker looks by default.
    fn has_host_library(&self, _name: &str) -> bool {
        true
    }
    /// The environment variable `name` as cargo-portable was started with it (what the
    /// build scripts it runs inherit, as `PKG_CONFIG`); `None` when unset.
    fn env_var(&self, _name: &str) -> Option<String> {
        None
    }
}

/// What the build and `targets`/`setup` need to know about the machine.
#[derive(Debug)]
pub struct Toolchain {
    /// cargo to call back (`$CARGO` when run by cargo).
    pub cargo: PathBuf,
    pub rustc: PathBuf,
    /// `rustc -V`
    pub rustc_version: Option<String>,
    pub host: String,
    pub sysroot: Option<PathBuf>,
    /// `rustc --print target-list`
    pub target_list: Vec<String>,
    /// Whether rustup manages the toolchain (then `rustup target add` installs std).
    pub rustup: bool,
    /// PATH as used to find programs and to run cargo: the caller's PATH, then
    /// cargo-portable's zig environment and Python's scripts directory.
    pub path: OsString,
    /// `<cache>/zig-venv`: the virtual environment setup installs zig into.
    pub zig_home: PathBuf,
    /// rustup's first error line for each target this run's setup could not add
    /// (`error: component download failed for rust-std-…: … 404`).
    pub std_failures: std::collections::BTreeMap<String, String>,
    /// Probe results of this run, by probe.
    probes: Mutex<HashMap<Probe, Result<(), String>>>,
    /// What decided rustc's facts (the stamp of [`rustc_facts`]), for what else rustc
    /// says and is cached with them; `None`: nothing rustc says is cached.
    rustc_stamp: Option<cache::Stamp>,
    /// `deployment_target` answers of this run, by target.
    deployment: Mutex<HashMap<String, Option<String>>>,
}

fn output(cmd: &mut Command) -> Option<String> {
    let out = cmd.output().ok()?;
    out.status
        .success()
        .then(|| String::from_utf8_lossy(&out.stdout).into_owned())
}

/// Python's scripts directory (asked once per process; its stderr is not shown).
/// Python takes a noticeable time to start (more through pyenv's shims): the answer is
/// cached by which python3 PATH finds and what selects its version.
fn python_scripts_dir() -> Option<PathBuf> {
    static DIR: std::sync::OnceLock<Option<PathBuf>> = std::sync::OnceLock::new();
    DIR.get_or_init(|| {
        let stamp = python_stamp();
        let file = cache::machine_dir().join("python-scripts.json");
        let p = match stamp
            .as_ref()
            .and_then(|st| cache::load::<PathBuf>(&file, st))
        {
            Some(p) => p,
            None => {
                let s = output(Command::new("python3").args([
                    "-c",
                    "import sysconfig; print(sysconfig.get_path('scripts'))",
                ]))?;
                let p = PathBuf::from(s.trim());
                if let Some(st) = &stamp {
                    cache::store(&file, st, &p);
                }
                p
            }
        };
        p.is_dir().then_some(p)
    })
    .clone()
}

/// What decides Python's scripts directory: the python3 on PATH, and what pyenv or a
/// virtual environment choose it by. `None` when there is no python3 to stamp.
fn python_stamp() -> Option<cache::Stamp> {
    let python = which::which("python3").ok()?;
    let cwd = std::env::current_dir().ok()?;
    let pyenv_root = std::env::var_os("PYENV_ROOT")
        .map(PathBuf::from)
        .or_else(|| std::env::var_os("HOME").map(|h| Path::new(&h).join(".pyenv")));
    let mut st = cache::Stamp::new()
        .env("PATH")
        .program(&python)
        .env("PYENV_VERSION")
        .env("VIRTUAL_ENV")
        .up_from(&cwd, &[".python-version"]);
    if let Some(root) = pyenv_root {
        st = st.file(&root.join("version"));
    }
    Some(st)
}

/// What `rustc` says about itself (`-vV`, `--print sysroot`, `--print target-list`),
/// as [`Toolchain::detect`] caches it.
#[derive(Debug, serde::Serialize, serde::Deserialize)]
struct RustcFacts {
    vv: String,
    sysroot: PathBuf,
    target_list: Vec<String>,
    /// The state of `<sysroot>/bin/rustc` when asked: `rustup update` replaces it
    /// without touching what selects the toolchain.
    real_rustc: String,
}

/// What decides which rustc `rustc` is: the program PATH finds (rustup's proxy, or a
/// rustc of its own), and what rustup selects the toolchain by (its environment, its
/// settings, a `rust-toolchain` file in the current directory or above).
fn rustc_stamp(rustc: &Path) -> Option<cache::Stamp> {
    let found = which::which(rustc).ok()?;
    let cwd = std::env::current_dir().ok()?;
    let rustup_home = std::env::var_os("RUSTUP_HOME")
        .map(PathBuf::from)
        .or_else(|| std::env::var_os("HOME").map(|h| Path::new(&h).join(".rustup")))?;
    Some(
        cache::Stamp::new()
            .text("rustc", rustc.display())
            .program(&found)
            .env("RUSTUP_TOOLCHAIN")
            .env("RUSTUP_HOME")
            .file(&rustup_home.join("settings.toml"))
            .up_from(&cwd, &["rust-toolchain", "rust-toolchain.toml"]),
    )
}

/// `rustc -vV`, the sysroot, the target list, and the stamp that decided them with the
/// rustc they came from (`None` when they cannot be cached).
type Facts = (String, Option<PathBuf>, Vec<String>, Option<cache::Stamp>);

/// rustc's facts: from the cache when nothing that decides them changed, else asked.
fn rustc_facts(rustc: &Path) -> Facts {
    let stamp = rustc_stamp(rustc);
    let file = cache::machine_dir().join("rustc.json");
    if let Some(st) = &stamp {
        if let Some(f) = cache::load::<RustcFacts>(&file, st) {
            let real = cache::file_state(&f.sysroot.join("bin/rustc"));
            if real == f.real_rustc {
                let st = st.clone().text("real rustc", real);
                return (f.vv, Some(f.sysroot), f.target_list, Some(st));
            }
        }
    }
    let vv = output(Command::new(rustc).arg("-vV")).unwrap_or_default();
    let sysroot =
        output(Command::new(rustc).args(["--print", "sysroot"])).map(|s| PathBuf::from(s.trim()));
    let target_list: Vec<String> = output(Command::new(rustc).args(["--print", "target-list"]))
        .map(|s| s.lines().map(str::to_owned).collect())
        .unwrap_or_default();
    let mut kept = None;
    if let (Some(st), Some(sysroot), false, false) =
        (&stamp, &sysroot, vv.is_empty(), target_list.is_empty())
    {
        let facts = RustcFacts {
            vv: vv.clone(),
            sysroot: sysroot.clone(),
            target_list: target_list.clone(),
            real_rustc: cache::file_state(&sysroot.join("bin/rustc")),
        };
        cache::store(&file, st, &facts);
        kept = Some(st.clone().text("real rustc", facts.real_rustc));
    }
    (vv, sysroot, target_list, kept)
}

/// cargo-portable's cache directory: `$CARGO_PORTABLE_CACHE`, else
/// `$XDG_CACHE_HOME/cargo-portable`, else `~/.cache/cargo-portable`.
pub fn cache_dir() -> PathBuf {
    let var = |k: &str| std::env::var_os(k).filter(|v| !v.is_empty());
    if let Some(d) = var("CARGO_PORTABLE_CACHE") {
        return d.into();
    }
    let base = var("XDG_CACHE_HOME")
        .map(PathBuf::from)
        .or_else(|| var("HOME").map(|h| Path::new(&h).join(".cache")))
        .unwrap_or_else(std::env::temp_dir);
    base.join("cargo-portable")
}

/// `<cache>/zig-venv`: the virtual environment `setup` installs zig and
/// cargo-zigbuild into (PyPI's `ziglang` and `cargo-zigbuild`).
pub fn zig_home() -> PathBuf {
    cache_dir().join("zig-venv")
}

/// The PATH every tool cargo-portable runs is looked up in and runs with: the
/// caller's PATH, then the zig environment's `bin` and Python's scripts directory
/// (where a `pip install --user cargo-zigbuild` puts it). The tests use it too, so
/// they find cargo-zigbuild exactly where the product does.
pub fn tool_path() -> OsString {
    let mut dirs: Vec<PathBuf> = std::env::var_os("PATH")
        .map(|p| std::env::split_paths(&p).collect())
        .unwrap_or_default();
    for extra in [Some(zig_home().join("bin")), python_scripts_dir()]
        .into_iter()
        .flatten()
    {
        if !dirs.contains(&extra) {
            dirs.push(extra);
        }
    }
    std::env::join_paths(dirs).unwrap_or_default()
}

/// Environment for every process that may run zig. cargo-zigbuild looks for `zig`
/// on PATH, else runs `python3 -m ziglang` with the first `python3` on PATH — the
/// system's, which has no `ziglang` on a new machine. `CARGO_ZIGBUILD_PYTHON_PATH`
/// points it at the python of `zig_home`, which has it. Nothing when the user chose
/// their own (`CARGO_ZIGBUILD_ZIG_PATH` or `CARGO_ZIGBUILD_PYTHON_PATH` set) or
/// `setup` has not made the environment yet.
pub fn zig_env(zig_home: &Path) -> Vec<(&'static str, OsString)> {
    let python = zig_home.join("bin/python3");
    let user_set = ["CARGO_ZIGBUILD_ZIG_PATH", "CARGO_ZIGBUILD_PYTHON_PATH"]
        .iter()
        .any(|k| std::env::var_os(k).is_some());
    if user_set || !python.is_file() {
        return Vec::new();
    }
    vec![("CARGO_ZIGBUILD_PYTHON_PATH", python.into_os_string())]
}

/// The `zig` that cargo-zigbuild runs under [`with_tool_env`]:
/// `$CARGO_ZIGBUILD_ZIG_PATH`, else a `zig` on [`tool_path`], else
/// `python3 -m ziglang` with the python [`zig_env`] names. `None` when there is none.
pub fn zig_program() -> Option<Vec<OsString>> {
    if let Some(z) = std::env::var_os("CARGO_ZIGBUILD_ZIG_PATH") {
        return Some(vec![z]);
    }
    let cwd = std::env::current_dir().ok()?;
    if let Ok(z) = which::which_in("zig", Some(tool_path()), &cwd) {
        return Some(vec![z.into_os_string()]);
    }
    let python = std::env::var_os("CARGO_ZIGBUILD_PYTHON_PATH")
        .or_else(|| zig_env(&zig_home()).into_iter().map(|(_, v)| v).next())?;
    Some(vec![python, "-m".into(), "ziglang".into()])
}

/// `command` set up to run a tool the way cargo-portable runs it: on [`tool_path`],
/// with [`zig_env`]. One lookup for the product and the tests.
pub fn with_tool_env(command: &mut Command) -> &mut Command {
    command.env("PATH", tool_path()).envs(zig_env(&zig_home()))
}

/// The release in `rustc -V`'s line: `rustc 1.96.0-nightly (…)` → 1.96.
fn release_of(rustc_v: &str) -> Option<crate::version::Version> {
    let v = rustc_v.split_whitespace().nth(1)?;
    crate::version::Version::parse(v.split(['-', '+']).next()?)
}

#[cfg(unix)]
pub fn is_root() -> bool {
    // SAFETY: geteuid has no preconditions and cannot fail.
    unsafe { libc::geteuid() == 0 }
}

#[cfg(not(unix))]
pub fn is_root() -> bool {
    false
}

impl Toolchain {
    pub fn detect() -> Toolchain {
        let cargo = std::env::var_os("CARGO")
            .map(PathBuf::from)
            .unwrap_or_else(|| "cargo".into());
        let rustc = std::env::var_os("RUSTC")
            .map(PathBuf::from)
            .unwrap_or_else(|| "rustc".into());
        let (vv, sysroot, target_list, rustc_stamp) = rustc_facts(&rustc);
        let rustc_version = vv
            .lines()
            .next()
            .map(str::to_owned)
            .filter(|s| !s.is_empty());
        let host = vv
            .lines()
            .find_map(|l| l.strip_prefix("host: "))
            .unwrap_or(env!("PORTABLE_HOST_TRIPLE"))
            .to_owned();
        let rustup = which::which("rustup").is_ok();
        let zig_home = zig_home();
        let path = tool_path();
        Toolchain {
            cargo,
            rustc,
            rustc_version,
            host,
            sysroot,
            target_list,
            rustup,
            path,
            zig_home,
            std_failures: Default::default(),
            probes: Mutex::new(HashMap::new()),
            rustc_stamp,
            deployment: Mutex::new(HashMap::new()),
        }
    }

    /// rustc's version without its pre-release part (`rustc 1.96.0-nightly (…)` →
    /// 1.96), as cargo compares it with a `rust-version`.
    pub fn rustc_release(&self) -> Option<crate::version::Version> {
        release_of(self.rustc_version.as_deref()?)
    }

    /// Whether the standard library for `target` is installed.
    pub fn std_installed(&self, target: &str) -> bool {
        // rustc knows the host's std even when the sysroot cannot be read
        self.sysroot
            .as_deref()
            .map(|s| s.join("lib/rustlib").join(target).join("lib").is_dir())
            .unwrap_or(target == self.host)
    }

    /// Where `program` is (a path or a name looked up on our PATH).
    pub fn find(&self, program: &str) -> Option<PathBuf> {
        if program.contains('/') {
            let p = Path::new(program);
            return p.is_file().then(|| p.to_path_buf());
        }
        let cwd = std::env::current_dir().ok()?;
        which::which_in(program, Some(&self.path), cwd).ok()
    }

    /// Environment for every process that may run zig (see [`zig_env`]).
    pub fn zig_env(&self) -> Vec<(&'static str, OsString)> {
        zig_env(&self.zig_home)
    }

    /// Run every probe not yet run, in parallel, and keep the results for this run.
    pub fn prefetch_probes(&self, probes: impl IntoIterator<Item = Probe>) {
        let mut todo: Vec<Probe> = probes.into_iter().collect();
        todo.sort();
        todo.dedup();
        {
            let done = self.probes.lock().unwrap_or_else(|e| e.into_inner());
            todo.retain(|p| !done.contains_key(p));
        }
        std::thread::scope(|s| {
            for p in &todo {
                s.spawn(move || {
                    let _ = Machine::probe(self, p);
                });
            }
        });
    }

    /// A probe's result: a success kept by an earlier run when nothing that decides it
    /// changed (the program and the file it finally is, PATH, zig's environment, the
    /// Debian package database: a C library or a linker installed or removed), else
    /// run now. Only successes are kept: a failing probe runs every time, so that the
    /// package that fixes it is seen at once.
    fn probe_cached(&self, p: &Probe) -> Result<(), String> {
        let stamp = p
            .command
            .first()
            .and_then(|c| self.find(c))
            .map(|exe| self.tool_stamp("probe", &p.display(), &exe));
        let file = cache::machine_dir()
            .join("probes")
            .join(format!("{}.json", cache::key_name(&p.display())));
        if let Some(st) = &stamp {
            if cache::load::<()>(&file, st).is_some() {
                return Ok(());
            }
        }
        let r = probe::run(self, p);
        if let (Some(st), Ok(())) = (&stamp, &r) {
            cache::store(&file, st, &());
        }
        r
    }

    /// What decides the result of running a tool found as `exe` (a probe, a
    /// `--version`): the question, the program and the file it finally is, PATH, zig's
    /// environment and the Debian package database (a C library, a linker or a
    /// compiler installed, removed or upgraded).
    fn tool_stamp(&self, question: &str, asked: &str, exe: &Path) -> cache::Stamp {
        let mut st = cache::Stamp::new()
            .text(question, asked)
            .program(exe)
            .env("PATH")
            .text("tool PATH", self.path.to_string_lossy())
            .file(Path::new("/var/lib/dpkg/status"))
            .file(&self.zig_home.join("bin"));
        for (k, v) in self.zig_env() {
            st = st.text(k, v.to_string_lossy());
        }
        st
    }

    /// The first line of a C toolchain's `--version`, kept in `<cache>/warm/c-versions`
    /// while its [`Self::tool_stamp`] holds (a warm run asks each compiler nothing;
    /// `cargo-zigbuild zig cc` alone starts Python, rustc and zig).
    pub fn c_version(&self, c: &CTools) -> Option<String> {
        let cmd: Vec<String> = match c {
            CTools::Host => vec!["cc".into()],
            CTools::Gnu { prefix } => vec![format!("{prefix}-gcc")],
            CTools::MuslGcc => vec!["musl-gcc".into()],
            CTools::ZigWrappers { .. } | CTools::ZigBuild => ["cargo-zigbuild", "zig", "cc", "--"]
                .map(String::from)
                .to_vec(),
        };
        let exe = self.find(&cmd[0])?;
        let asked = cmd.join(" ");
        let stamp = self.tool_stamp("--version", &asked, &exe);
        let file = cache::machine_dir()
            .join("c-versions")
            .join(format!("{}.json", cache::key_name(&asked)));
        if let Some(v) = cache::load::<String>(&file, &stamp) {
            return Some(v);
        }
        let out = output(
            Command::new(exe)
                .args(&cmd[1..])
                .arg("--version")
                .env("PATH", &self.path)
                .envs(self.zig_env()),
        )?;
        let v = out.lines().next().map(str::to_owned)?;
        cache::store(&file, &stamp, &v);
        Some(v)
    }

    /// `rustc --print deployment-target --target T` for Apple targets, e.g. `11.0`:
    /// asked once per run, and kept with rustc's facts.
    pub fn deployment_target(&self, target: &str) -> Option<String> {
        if let Some(v) = self
            .deployment
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .get(target)
        {
            return v.clone();
        }
        let stamp = self
            .rustc_stamp
            .as_ref()
            .map(|st| st.clone().text("deployment-target", target));
        let file = cache::machine_dir()
            .join("deployment-target")
            .join(format!("{}.json", cache::key_name(target)));
        let v = match stamp
            .as_ref()
            .and_then(|st| cache::load::<Option<String>>(&file, st))
        {
            Some(v) => v,
            None => {
                let v = output(Command::new(&self.rustc).args([
                    "--print",
                    "deployment-target",
                    "--target",
                    target,
                ]))
                .and_then(|s| s.trim().split_once('=').map(|(_, v)| v.trim().to_owned()));
                if let (Some(st), Some(_)) = (&stamp, &v) {
                    cache::store(&file, st, &v);
                }
                v
            }
        };
        self.deployment
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .insert(target.to_owned(), v.clone());
        v
    }
}

impl Machine for Toolchain {
    fn host(&self) -> &str {
        &self.host
    }
    fn std_installed(&self, target: &str) -> bool {
        Toolchain::std_installed(self, target)
    }
    fn std_failure(&self, target: &str) -> Option<&str> {
        self.std_failures.get(target).map(String::as_str)
    }
    fn has_program(&self, program: &str) -> bool {
        self.find(program).is_some()
    }
    fn is_root(&self) -> bool {
        is_root()
    }
    fn probe(&self, p: &Probe) -> Result<(), String> {
        if let Some(r) = self.probes.lock().unwrap_or_else(|e| e.into_inner()).get(p) {
            return r.clone();
        }
        let r = self.probe_cached(p);
        self.probes
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .insert(p.clone(), r.clone());
        r
    }
    fn zig_home(&self) -> &Path {
        &self.zig_home
    }
    fn has_multiarch_library(&self, multiarch: &str, name: &str) -> bool {
        let dir = Path::new("/usr/lib").join(multiarch);
        ["so", "a"]
            .iter()
            .any(|ext| dir.join(format!("lib{name}.{ext}")).exists())
    }
    fn env_var(&self, name: &str) -> Option<String> {
        std::env::var_os(name).map(|v| v.to_string_lossy().into_owned())
    }
    fn has_host_library(&self, name: &str) -> bool {
        // Debian's multiarch directory, then the other distributions' (Fedora's lib64)
        let multiarch = needs::gcc_prefix(&self.host).map(|m| format!("/usr/lib/{m}"));
        let found = multiarch
            .iter()
            .map(String::as_str)
            .chain(["/usr/lib64", "/usr/lib", "/usr/local/lib"])
            .any(|dir| {
                ["so", "a"]
                    .iter()
                    .any(|ext| Path::new(dir).join(format!("lib{name}.{ext}")).exists())
            });
        found
    }
}

#[cfg(test)]
mod tests {
    use super::release_of;
    use crate::version::Version;

    #[test]
    fn rustc_release_drops_the_pre_release() {
        let v = |s| Version::parse(s).unwrap();
        assert_eq!(
            release_of("rustc 1.95.0 (59807616e 2026-04-14)"),
            Some(v("1.95"))
        );
        assert_eq!(
            release_of("rustc 1.96.0-nightly (0123456 2026-04-20)"),
            Some(v("1.96"))
        );
        assert_eq!(release_of("rustc"), None);
    }
}
