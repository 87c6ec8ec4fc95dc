//! The empty and minimal roots: a fresh temporary directory holding the binary, an
//! empty `/tmp` and (minimal) the interpreter and the listed libraries copied from the
//! host; entered with chroot as root, else through an unprivileged user namespace.
//! The directory is removed when the [`Root`] is dropped.

use std::path::{Path, PathBuf};

use super::exec::Spec;
use super::plan::{self, MinimalRoot};
use crate::model::Artifact;
use crate::report::smoke::RootKind;

/// How a root is entered on this machine.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Enter {
    /// We are root: chroot(2) before exec.
    Chroot,
    /// `unshare --user --map-root-user --root DIR`.
    Unshare(PathBuf),
    /// Neither: why.
    Unavailable(String),
}

impl Enter {
    /// What this machine allows: chroot as root, else a user namespace if `unshare`
    /// can make one.
    pub fn detect() -> Enter {
        // SAFETY: geteuid has no preconditions.
        if unsafe { libc::geteuid() } == 0 {
            return Enter::Chroot;
        }
        let Ok(unshare) = which::which("unshare") else {
            return Enter::Unavailable(
                "not root (chroot needs it) and no `unshare` for a user namespace".into(),
            );
        };
        let probe = std::process::Command::new(&unshare)
            .args(["--user", "--map-root-user", "true"])
            .stdin(std::process::Stdio::null())
            .output();
        match probe {
            Ok(o) if o.status.success() => Enter::Unshare(unshare),
            Ok(o) => Enter::Unavailable(format!(
                "not root (chroot needs it) and unprivileged user namespaces are refused: {}",
                String::from_utf8_lossy(&o.stderr).trim()
            )),
            Err(e) => Enter::Unavailable(format!("not root and `unshare` failed: {e}")),
        }
    }

    pub fn name(&self) -> &'static str {
        match self {
            Enter::Chroot => "chroot",
            Enter::Unshare(_) => "unshare",
            Enter::Unavailable(_) => "none",
        }
    }
}

/// A root on disk, removed on drop.
pub struct Root {
    dir: tempfile::TempDir,
    /// The binary's path inside the root.
    pub binary: PathBuf,
    /// The emulator's path inside the root, for a foreign architecture.
    pub emulator: Option<PathBuf>,
}

impl Root {
    pub fn path(&self) -> &Path {
        self.dir.path()
    }

    /// The host path of a path inside the root.
    pub fn host_path(&self, in_root: &Path) -> PathBuf {
        self.dir
            .path()
            .join(in_root.strip_prefix("/").unwrap_or(in_root))
    }

    /// `program args…` run inside the root, entered as `enter` says.
    pub fn spec(&self, enter: &Enter, args: &[String]) -> Spec {
        let (program, mut all): (PathBuf, Vec<String>) = match &self.emulator {
            Some(q) => (
                q.clone(),
                std::iter::once(self.binary.display().to_string())
                    .chain(args.iter().cloned())
                    .collect(),
            ),
            None => (self.binary.clone(), args.to_vec()),
        };
        let mut spec = match enter {
            Enter::Unshare(unshare) => {
                let mut pre = vec![
                    "--user".to_owned(),
                    "--map-root-user".to_owned(),
                    "--root".to_owned(),
                    self.path().display().to_string(),
                    "--".to_owned(),
                    program.display().to_string(),
                ];
                pre.append(&mut all);
                Spec::new(unshare).args(pre)
            }
            _ => {
                let mut s = Spec::new(program).args(all);
                s.chroot = Some(self.path().to_owned());
                s
            }
        };
        spec.clear_env = true;
        spec
    }
}

fn copy(from: &Path, to: &Path) -> std::io::Result<()> {
    if let Some(d) = to.parent() {
        std::fs::create_dir_all(d)?;
    }
    // follows symlinks: the root holds the file itself
    std::fs::copy(from, to).map(|_| ())
}

/// Copy the tree `from` into `to`: directories, files, and symlinks as symlinks (an
/// absolute target then points inside the root once entered).
fn copy_tree(from: &Path, to: &Path) -> std::io::Result<()> {
    std::fs::create_dir_all(to)?;
    for e in std::fs::read_dir(from)? {
        let e = e?;
        let (src, dst) = (e.path(), to.join(e.file_name()));
        let t = e.file_type()?;
        if t.is_symlink() {
            std::os::unix::fs::symlink(std::fs::read_link(&src)?, &dst)?;
        } else if t.is_dir() {
            copy_tree(&src, &dst)?;
        } else {
            std::fs::copy(&src, &dst)?;
        }
    }
    Ok(())
}

/// A merged-/usr release (Debian 13) ships its libraries and loader under `/usr` only;
/// `/lib`, `/lib64` … are symlinks into it that its base-files package makes, which
/// `--prove` does not unpack: make them here.
fn merged_usr_links(root: &Path) -> std::io::Result<()> {
    for d in ["lib", "lib64", "lib32", "libx32", "bin", "sbin"] {
        let usr = root.join("usr").join(d);
        let top = root.join(d);
        if usr.is_dir() && std::fs::symlink_metadata(&top).is_err() {
            std::os::unix::fs::symlink(Path::new("usr").join(d), &top)?;
        }
    }
    Ok(())
}

/// Make the `kind` root for `a` in a new temporary directory: the binary (as
/// `/<file name>`), an empty `/tmp`, the emulator for a foreign architecture, for
/// a minimal root the interpreter and the listed libraries, and for a release root a
/// copy of `release` (the packages `--prove` unpacked, symlinks kept). What could not be
/// resolved on the host comes back in `unresolved` (the run then shows what the
/// loader says about it).
pub fn make(
    kind: RootKind,
    a: &Artifact,
    host_arch: &str,
    emulator: Option<&Path>,
    release: Option<&Path>,
) -> std::io::Result<(Root, Vec<String>)> {
    let dir = tempfile::Builder::new()
        .prefix("portable-root-")
        .tempdir()?;
    let name = Path::new(&a.path)
        .file_name()
        .map(PathBuf::from)
        .unwrap_or_else(|| "binary".into());
    let binary = Path::new("/").join(&name);
    let root = Root {
        binary,
        emulator: emulator.map(|q| Path::new("/").join(q.file_name().unwrap_or(q.as_os_str()))),
        dir,
    };
    if let (RootKind::Release, Some(from)) = (kind, release) {
        copy_tree(from, root.path())?;
        merged_usr_links(root.path())?;
    }
    std::fs::create_dir_all(root.host_path(Path::new("/tmp")))?;
    copy(Path::new(&a.path), &root.host_path(&root.binary))?;
    if let (Some(q), Some(in_root)) = (emulator, &root.emulator) {
        copy(q, &root.host_path(in_root))?;
    }
    let mut unresolved = Vec::new();
    if kind == RootKind::Minimal {
        let MinimalRoot {
            files,
            unresolved: missing,
        } = plan::minimal_root(a, host_arch, &|p: &Path| p.is_file());
        for f in files {
            copy(&f.from, &root.host_path(&f.in_root))?;
        }
        unresolved = missing;
    }
    Ok((root, unresolved))
}
