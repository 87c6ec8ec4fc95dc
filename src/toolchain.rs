//! Facts about this machine's toolchain, gathered once at the edge: rustc, its
//! targets, installed standard libraries, and where programs are.

use std::ffi::OsString;
use std::path::{Path, PathBuf};
use std::process::Command;

/// What the build and `targets`/`setup` need to know about the machine.
#[derive(Debug, Clone)]
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
    /// PATH as used to find programs and to run cargo: the caller's PATH plus Python's
    /// scripts directory (where `pip install` puts cargo-zigbuild).
    pub path: OsString,
}

fn output(cmd: &mut Command) -> Option<String> {
    let out = cmd.output().ok()?;
    out.status
        .success()
        .then(|| String::from_utf8_lossy(&out.stdout).into_owned())
}

fn python_scripts_dir() -> Option<PathBuf> {
    let s = output(Command::new("python3").args([
        "-c",
        "import sysconfig; print(sysconfig.get_path('scripts'))",
    ]))?;
    let p = PathBuf::from(s.trim());
    p.is_dir().then_some(p)
}

impl Toolchain {
    pub fn detect() -> Toolchain {
        let cargo = std::env::var_os("CARGO")
            .map(PathBuf::from)
            .unwrap_or_else(|| "cargo".into());
        let rustc = std::env::var_os("RUSTC")
            .map(PathBuf::from)
            .unwrap_or_else(|| "rustc".into());
        let vv = output(Command::new(&rustc).arg("-vV")).unwrap_or_default();
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
        let sysroot = output(Command::new(&rustc).args(["--print", "sysroot"]))
            .map(|s| PathBuf::from(s.trim()));
        let target_list = output(Command::new(&rustc).args(["--print", "target-list"]))
            .map(|s| s.lines().map(str::to_owned).collect())
            .unwrap_or_default();
        let rustup = which::which("rustup").is_ok();
        let mut dirs: Vec<PathBuf> = std::env::var_os("PATH")
            .map(|p| std::env::split_paths(&p).collect())
            .unwrap_or_default();
        if let Some(s) = python_scripts_dir() {
            if !dirs.contains(&s) {
                dirs.push(s);
            }
        }
        let path = std::env::join_paths(dirs).unwrap_or_default();
        Toolchain {
            cargo,
            rustc,
            rustc_version,
            host,
            sysroot,
            target_list,
            rustup,
            path,
        }
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

    /// The `cargo` subcommand `cargo-NAME` is available.
    pub fn has_cargo_subcommand(&self, name: &str) -> bool {
        self.find(&format!("cargo-{name}")).is_some()
    }

    /// `rustc --print deployment-target --target T` for Apple targets, e.g. `11.0`.
    pub fn deployment_target(&self, target: &str) -> Option<String> {
        let s = output(Command::new(&self.rustc).args([
            "--print",
            "deployment-target",
            "--target",
            target,
        ]))?;
        s.trim().split_once('=').map(|(_, v)| v.trim().to_owned())
    }
}
