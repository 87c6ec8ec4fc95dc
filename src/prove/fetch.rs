//! The edge of `--prove`: download a suite's `Packages.gz` and the `.deb`s a binary
//! needs (with `curl`), verify their SHA-256, unpack them (with `dpkg-deb -x`: no
//! maintainer scripts, no root) into a root under the cache directory, and run the
//! release's own loader there (`ld.so --list`, under `qemu-<arch>-static` for a foreign
//! architecture).
//!
//! Cache: `<cache>/prove/debs/<sha256>.deb` (verified again before each use, a corrupt
//! one is deleted and fetched again), `<cache>/prove/<archive>/<suite>/<arch>/` holding
//! `Packages.gz` and one root per set of packages. A root is unpacked into a temporary
//! directory beside it and renamed into place only when complete, so a root that
//! exists is whole: a warm run downloads nothing. `<cache>/prove/proofs/` keeps each
//! loader's answer with the stamp of what decides it (the binary, the root, the host's
//! package database, qemu): a warm run of an unchanged binary runs no loader.

use std::collections::HashMap;
use std::path::{Path, PathBuf};
use std::process::Command;

use sha2::{Digest, Sha256};

use super::{multiarch, parse_loader, parse_packages, plan, proof, PackageFile, Plan, Release};
use crate::model::{Artifact, Proof, ProofResult};
use crate::toolchain::cache::{self, Stamp};

type Index = std::collections::BTreeMap<String, PackageFile>;

/// Proves artifacts in releases, remembering indexes and roots across artifacts.
pub struct Prover {
    dir: PathBuf,
    indexes: HashMap<String, Result<Index, String>>,
    roots: HashMap<PathBuf, Result<(), String>>,
}

impl Default for Prover {
    fn default() -> Self {
        Self::new(crate::toolchain::cache_dir().join("prove"))
    }
}

impl Prover {
    pub fn new(dir: PathBuf) -> Self {
        Prover {
            dir,
            indexes: HashMap::new(),
            roots: HashMap::new(),
        }
    }

    /// Set `proofs` on every artifact: one per release.
    pub fn prove_all(&mut self, artifacts: &mut [Artifact], releases: &[&Release]) {
        for a in artifacts.iter_mut() {
            let proofs = releases.iter().map(|r| self.prove(a, r)).collect();
            a.proofs = Some(proofs);
        }
    }

    pub fn prove(&mut self, a: &Artifact, r: &Release) -> Proof {
        let t = super::table();
        match plan(a, t) {
            Plan::Done(result, arch, message) => proof(a, r, &arch, result, message),
            Plan::Load { arch, packages } => {
                let (result, message) = match self.root(r, arch, &packages) {
                    Err(e) => (ProofResult::NotRun, e),
                    Ok(root) => self.load_kept(a, arch, &root),
                };
                proof(a, r, arch, result, message)
            }
        }
    }

    /// The loader's answer for `a` in `root`: kept from an earlier run when the binary
    /// is the same file, the root the same directory (a root is never changed once
    /// made), the host's package database unchanged (the loader may resolve a library
    /// outside the root) and, for a foreign architecture, qemu the same program; else
    /// run now. A proof that could not be made is not kept.
    fn load_kept(&self, a: &Artifact, arch: &str, root: &Path) -> (ProofResult, String) {
        let mut stamp = Stamp::new()
            .file(Path::new(&a.path))
            .text("arch", arch)
            .file(root)
            .file(Path::new("/var/lib/dpkg/status"));
        if !native(arch) {
            let qemu = format!("qemu-{}-static", crate::platform::arch::qemu(&a.arch));
            stamp = match which::which(&qemu) {
                Ok(q) => stamp.program(&q),
                Err(_) => stamp.text(&qemu, "absent"),
            };
        }
        let file = self.dir.join("proofs").join(format!(
            "{}.json",
            cache::key_name(&format!("{}\0{}", a.path, root.display()))
        ));
        if let Some(answer) = cache::load::<(ProofResult, String)>(&file, &stamp) {
            return answer;
        }
        let answer = match run_loader(a, arch, root) {
            Ok(answer) => answer,
            Err(e) => (ProofResult::NotRun, e),
        };
        if answer.0 != ProofResult::NotRun {
            cache::store(&file, &stamp, &answer);
        }
        answer
    }

    /// The root `a` is proven in for `r` (unpacked if it is not yet), where the proof
    /// loads it with packages: a smoke runs there too (`build --run`).
    pub fn root_for(&mut self, a: &Artifact, r: &Release) -> Option<PathBuf> {
        match plan(a, super::table()) {
            Plan::Load { arch, packages } => self.root(r, arch, &packages).ok(),
            Plan::Done(..) => None,
        }
    }

    /// `<dir>/<archive>/<suite>/<arch>`.
    fn suite_dir(&self, r: &Release, arch: &str) -> PathBuf {
        let archive: String = r
            .archive_for(arch)
            .trim_start_matches("http://")
            .trim_start_matches("https://")
            .chars()
            .map(|c| {
                if c.is_ascii_alphanumeric() || c == '.' {
                    c
                } else {
                    '_'
                }
            })
            .collect();
        self.dir.join(archive).join(&r.suite).join(arch)
    }

    /// The root of `packages` of `r` for `arch`, unpacked if it is not yet.
    fn root(&mut self, r: &Release, arch: &str, packages: &[String]) -> Result<PathBuf, String> {
        let root = self.suite_dir(r, arch).join(packages.join("+"));
        if root.is_dir() {
            return Ok(root);
        }
        if let Some(done) = self.roots.get(&root) {
            return done.clone().map(|()| root);
        }
        let made = self.make_root(r, arch, packages, &root);
        self.roots.insert(root.clone(), made.clone());
        made.map(|()| root)
    }

    fn make_root(
        &mut self,
        r: &Release,
        arch: &str,
        packages: &[String],
        root: &Path,
    ) -> Result<(), String> {
        let mut debs = Vec::new();
        for p in packages {
            let deb = match self.deb(r, arch, p, false) {
                // a failed download may be an index gone stale: fetch it again, once,
                // if it is more than a day old (a warm run downloads nothing)
                Err(e) if !older_than_a_day(&self.suite_dir(r, arch).join("Packages.gz")) => {
                    return Err(e)
                }
                Err(_) => self.deb(r, arch, p, true)?,
                Ok(d) => d,
            };
            debs.push(deb);
        }
        unpack_atomically(root, &debs, dpkg_deb_x)
    }

    /// The verified `.deb` of package `p`.
    fn deb(&mut self, r: &Release, arch: &str, p: &str, refresh: bool) -> Result<PathBuf, String> {
        let index = self.index(r, arch, refresh)?;
        let Some(f) = index.get(p) else {
            return Err(format!(
                "{} {} has no package {p} for {arch}",
                r.archive_for(arch),
                r.suite
            ));
        };
        let debs = self.dir.join("debs");
        let path = debs.join(format!("{}.deb", f.sha256));
        if cached_verified(&path, &f.sha256) {
            return Ok(path);
        }
        let url = format!("{}/{}", r.archive_for(arch), f.filename);
        download_verified(&url, &path, &f.sha256)?;
        Ok(path)
    }

    fn index(&mut self, r: &Release, arch: &str, refresh: bool) -> Result<Index, String> {
        let dir = self.suite_dir(r, arch);
        let key = dir.display().to_string();
        if !refresh {
            if let Some(i) = self.indexes.get(&key) {
                return i.clone();
            }
        }
        let got = fetch_index(r, arch, &dir, refresh);
        self.indexes.insert(key, got.clone());
        got
    }
}

fn fetch_index(r: &Release, arch: &str, dir: &Path, refresh: bool) -> Result<Index, String> {
    let path = dir.join("Packages.gz");
    if refresh || !path.is_file() {
        let url = format!(
            "{}/dists/{}/main/binary-{arch}/Packages.gz",
            r.archive_for(arch),
            r.suite
        );
        std::fs::create_dir_all(dir).map_err(|e| format!("{}: {e}", dir.display()))?;
        let tmp = tempfile::NamedTempFile::new_in(dir).map_err(|e| e.to_string())?;
        curl(&url, tmp.path()).map_err(|e| {
            // curl's exit 22 is an HTTP error: the archive answered, without this index
            if e.contains("curl: (22)") {
                format!(
                    "{} does not serve {} for {arch} ({e})",
                    r.archive_for(arch),
                    r.suite
                )
            } else {
                format!(
                    "the index of {} for {arch} could not be fetched ({e})",
                    r.suite
                )
            }
        })?;
        tmp.persist(&path).map_err(|e| e.to_string())?;
    }
    let gz = std::fs::read(&path).map_err(|e| format!("{}: {e}", path.display()))?;
    let text = match gunzip(&gz) {
        Ok(t) => t,
        Err(e) => {
            // a corrupt index is not reused
            let _ = std::fs::remove_file(&path);
            return Err(format!("{}: {e}", path.display()));
        }
    };
    let wanted: Vec<String> = super::table().packages.values().cloned().collect();
    Ok(parse_packages(&String::from_utf8_lossy(&text), &wanted))
}

fn older_than_a_day(path: &Path) -> bool {
    std::fs::metadata(path)
        .and_then(|m| m.modified())
        .ok()
        .and_then(|t| t.elapsed().ok())
        .is_some_and(|age| age.as_secs() > 24 * 3600)
}

/// The bytes of a gzip member (RFC 1952), at most 1 GiB.
pub fn gunzip(gz: &[u8]) -> Result<Vec<u8>, String> {
    let bad = || "not a gzip file".to_string();
    if gz.len() < 18 || gz[0] != 0x1f || gz[1] != 0x8b || gz[2] != 8 {
        return Err(bad());
    }
    let flags = gz[3];
    let mut at = 10usize;
    if flags & 4 != 0 {
        let n = u16::from_le_bytes([
            *gz.get(at).ok_or_else(bad)?,
            *gz.get(at + 1).ok_or_else(bad)?,
        ]);
        at += 2 + n as usize;
    }
    for bit in [8u8, 16] {
        if flags & bit != 0 {
            let rest = gz.get(at..).ok_or_else(bad)?;
            at += rest.iter().position(|&b| b == 0).ok_or_else(bad)? + 1;
        }
    }
    if flags & 2 != 0 {
        at += 2;
    }
    let body = gz.get(at..).ok_or_else(bad)?;
    miniz_oxide::inflate::decompress_to_vec_with_limit(body, 1 << 30)
        .map_err(|e| format!("corrupt gzip data ({e:?})"))
}

/// Whether `path` exists with SHA-256 `sha`; a file that does not match is deleted.
pub fn cached_verified(path: &Path, sha: &str) -> bool {
    match std::fs::read(path) {
        Ok(bytes) if hex(&Sha256::digest(&bytes)) == sha => true,
        Ok(_) => {
            let _ = std::fs::remove_file(path);
            false
        }
        Err(_) => false,
    }
}

fn hex(b: &[u8]) -> String {
    b.iter().map(|x| format!("{x:02x}")).collect()
}

/// Download `url` to `path` through a temporary file, kept only when its SHA-256 is
/// `sha`.
fn download_verified(url: &str, path: &Path, sha: &str) -> Result<(), String> {
    let dir = path.parent().expect("a file in a directory");
    std::fs::create_dir_all(dir).map_err(|e| format!("{}: {e}", dir.display()))?;
    let tmp = tempfile::NamedTempFile::new_in(dir).map_err(|e| e.to_string())?;
    curl(url, tmp.path())?;
    let bytes = std::fs::read(tmp.path()).map_err(|e| e.to_string())?;
    let got = hex(&Sha256::digest(&bytes));
    if got != sha {
        return Err(format!("{url}: SHA256 {got}, the index says {sha}"));
    }
    tmp.persist(path).map_err(|e| e.to_string())?;
    Ok(())
}

fn curl(url: &str, to: &Path) -> Result<(), String> {
    let out = Command::new("curl")
        .args(["-fsSL", "--retry", "2", "--connect-timeout", "20", "-o"])
        .arg(to)
        .arg(url)
        .output()
        .map_err(|e| {
            format!(
                "curl could not be run ({e}): --prove downloads with curl (apt-get install curl)"
            )
        })?;
    if out.status.success() {
        return Ok(());
    }
    // `--retry` repeats the same line: each once
    let stderr = String::from_utf8_lossy(&out.stderr);
    let mut lines: Vec<&str> = Vec::new();
    for l in stderr.lines().map(str::trim).filter(|l| !l.is_empty()) {
        if !lines.contains(&l) {
            lines.push(l);
        }
    }
    Err(format!("{url}: {}", lines.join("; ")))
}

/// Unpack every `.deb` into a temporary directory beside `root` and rename it to `root`
/// only when all unpacked: a root that exists is complete. On any error nothing is left.
pub fn unpack_atomically(
    root: &Path,
    debs: &[PathBuf],
    unpack: impl Fn(&Path, &Path) -> Result<(), String>,
) -> Result<(), String> {
    let parent = root.parent().expect("a root in a directory");
    std::fs::create_dir_all(parent).map_err(|e| format!("{}: {e}", parent.display()))?;
    let tmp = tempfile::Builder::new()
        .prefix(".unpacking-")
        .tempdir_in(parent)
        .map_err(|e| format!("{}: {e}", parent.display()))?;
    for deb in debs {
        unpack(deb, tmp.path())?;
    }
    let tmp = tmp.keep();
    if let Err(e) = std::fs::rename(&tmp, root) {
        let _ = std::fs::remove_dir_all(&tmp);
        // another process finished the same root first
        if !root.is_dir() {
            return Err(format!("{}: {e}", root.display()));
        }
    }
    Ok(())
}

/// `dpkg-deb -x DEB DIR`: the data members only, no maintainer script.
fn dpkg_deb_x(deb: &Path, dir: &Path) -> Result<(), String> {
    let out = Command::new("dpkg-deb")
        .arg("-x")
        .arg(deb)
        .arg(dir)
        .output()
        .map_err(|e| {
            format!("dpkg-deb could not be run ({e}): --prove unpacks with dpkg-deb (apt-get install dpkg)")
        })?;
    if out.status.success() {
        Ok(())
    } else {
        let _ = std::fs::remove_file(deb);
        Err(format!(
            "{}: dpkg-deb -x: {}",
            deb.display(),
            String::from_utf8_lossy(&out.stderr).trim()
        ))
    }
}

/// Follow `path` inside `root`: an absolute symlink target is taken under `root`, never
/// the host's.
fn resolve_in(root: &Path, path: &Path) -> Option<PathBuf> {
    let mut p = path.to_path_buf();
    for _ in 0..16 {
        let m = std::fs::symlink_metadata(&p).ok()?;
        if m.file_type().is_symlink() {
            let t = std::fs::read_link(&p).ok()?;
            p = match t.strip_prefix("/") {
                Ok(rel) => root.join(rel),
                Err(_) => p.parent()?.join(t),
            };
        } else {
            return m.is_file().then_some(p);
        }
    }
    None
}

/// The release's loader in `root`, by the binary's interpreter's file name.
fn find_loader(root: &Path, ma: &str, interpreter: &str) -> Option<PathBuf> {
    let name = Path::new(interpreter).file_name()?;
    [
        format!("lib/{ma}"),
        format!("usr/lib/{ma}"),
        "lib64".into(),
        "usr/lib64".into(),
        "lib".into(),
        "usr/lib".into(),
    ]
    .iter()
    .find_map(|d| resolve_in(root, &root.join(d).join(name)))
}

/// Whether this host runs binaries of Debian architecture `arch` itself.
fn native(arch: &str) -> bool {
    let host = super::debian_arch(std::env::consts::ARCH, None);
    host == Some(arch) || (host == Some("amd64") && arch == "i386")
}

fn run_loader(a: &Artifact, arch: &str, root: &Path) -> Result<(ProofResult, String), String> {
    let ma = multiarch(arch);
    let interp = a.interpreter.as_deref().unwrap_or("/lib/ld-linux.so.2");
    let loader = find_loader(root, ma, interp)
        .ok_or_else(|| format!("the root has no loader {interp} ({})", root.display()))?;
    let mut cmd = if native(arch) {
        Command::new(&loader)
    } else {
        let qemu = format!("qemu-{}-static", crate::platform::arch::qemu(&a.arch));
        let q = which::which(&qemu).map_err(|_| {
            format!("{qemu} is not installed (`cargo portable setup` installs qemu-user-static)")
        })?;
        let mut c = Command::new(q);
        c.arg(&loader);
        c
    };
    let libpath = format!(
        "{}:{}",
        root.join("lib").join(ma).display(),
        root.join("usr/lib").join(ma).display()
    );
    let bin = std::path::absolute(&a.path).map_err(|e| format!("{}: {e}", a.path))?;
    cmd.args(["--inhibit-cache", "--library-path", &libpath, "--list"])
        .arg(&bin)
        .env_remove("LD_LIBRARY_PATH")
        .env_remove("LD_PRELOAD");
    let out = cmd
        .output()
        .map_err(|e| format!("{}: {e}", loader.display()))?;
    let stdout = String::from_utf8_lossy(&out.stdout);
    let stderr = String::from_utf8_lossy(&out.stderr);
    let root_s = root.display().to_string();
    let provided: Vec<&str> = super::table().packages.keys().map(String::as_str).collect();
    let (result, mut message) =
        parse_loader(out.status.success(), &stdout, &stderr, &root_s, &provided);
    if result == ProofResult::Loads {
        // what the root does not hold, the loader found in the host's own directories
        let outside: Vec<&str> = stdout
            .lines()
            .filter_map(|l| {
                let (name, path) = l.trim().split_once(" => ")?;
                (!path.starts_with(&root_s) && path != "not found").then_some(name)
            })
            .collect();
        if !outside.is_empty() {
            message.push_str(&format!(
                " (not from the release's root, resolved on this host: {})",
                outside.join(", ")
            ));
        }
    }
    Ok((result, message))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_failed_unpack_leaves_no_root() {
        let dir = tempfile::tempdir().unwrap();
        let root = dir.path().join("s/amd64/libc6");
        let debs = [PathBuf::from("a.deb"), PathBuf::from("b.deb")];
        let e = unpack_atomically(&root, &debs, |deb, to| {
            std::fs::write(to.join("half"), b"x").unwrap();
            if deb.ends_with("b.deb") {
                Err("corrupt".into())
            } else {
                Ok(())
            }
        })
        .unwrap_err();
        assert_eq!(e, "corrupt");
        assert!(!root.exists());
        // nothing half-unpacked beside it either
        assert_eq!(
            std::fs::read_dir(root.parent().unwrap()).unwrap().count(),
            0
        );
        unpack_atomically(&root, &debs, |_, to| {
            std::fs::write(to.join("whole"), b"x").map_err(|e| e.to_string())
        })
        .unwrap();
        assert!(root.join("whole").is_file());
        assert!(!root.join("half").exists());
    }

    #[test]
    fn a_corrupt_cached_deb_is_not_reused() {
        let dir = tempfile::tempdir().unwrap();
        let p = dir.path().join("x.deb");
        std::fs::write(&p, b"hello").unwrap();
        let good = hex(&Sha256::digest(b"hello"));
        assert!(cached_verified(&p, &good));
        std::fs::write(&p, b"hellp").unwrap();
        assert!(!cached_verified(&p, &good));
        assert!(!p.exists(), "deleted, to be downloaded again");
        assert!(!cached_verified(&dir.path().join("none"), &good));
    }

    #[test]
    fn gunzip_reads_gzip_and_refuses_the_rest() {
        // `printf 'Package: libc6\n' | gzip -n`
        let gz = [
            0x1f, 0x8b, 8, 0, 0, 0, 0, 0, 0, 3, 0x0b, 0x48, 0x4c, 0xce, 0x4e, 0x4c, 0x4f, 0xb5,
            0x52, 0xc8, 0xc9, 0x4c, 0x4a, 0x36, 0xe3, 0x02, 0x00, 0xa8, 0xfb, 0x27, 0x94, 0x0f, 0,
            0, 0,
        ];
        assert_eq!(gunzip(&gz).unwrap(), b"Package: libc6\n");
        for bad in [
            &[][..],
            &gz[..12],
            &[
                0x1f, 0x8b, 8, 0xff, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0,
            ][..],
        ] {
            assert!(gunzip(bad).is_err());
        }
        let mut flipped = gz;
        flipped[14] ^= 0xff;
        let _ = gunzip(&flipped); // an error or other bytes, never a panic
    }

    #[test]
    fn symlinks_stay_in_the_root() {
        let dir = tempfile::tempdir().unwrap();
        let root = dir.path();
        std::fs::create_dir_all(root.join("lib/x86_64-linux-gnu")).unwrap();
        std::fs::create_dir_all(root.join("lib64")).unwrap();
        std::fs::write(root.join("lib/x86_64-linux-gnu/ld-2.31.so"), b"").unwrap();
        std::os::unix::fs::symlink(
            "/lib/x86_64-linux-gnu/ld-2.31.so",
            root.join("lib64/ld-linux-x86-64.so.2"),
        )
        .unwrap();
        let got = find_loader(root, "aarch64-linux-gnu", "/lib64/ld-linux-x86-64.so.2");
        assert_eq!(got, Some(root.join("lib/x86_64-linux-gnu/ld-2.31.so")));
        assert_eq!(find_loader(root, "x", "/lib/ld-musl-x86_64.so.1"), None);
    }
}
