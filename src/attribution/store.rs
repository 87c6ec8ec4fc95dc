//! The file-system edge of attribution: the [`LinkRecord`] collected from cargo's
//! messages during a build and kept beside the executable (so that `why` and a
//! rebuild whose final crate is fresh still have it), and the index of every link
//! input, cached by the input's content hash under the cargo-portable cache dir.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use rayon::prelude::*;
use sha2::{Digest, Sha256};

use super::index::{index_file, FileIndex, INDEX_FORMAT};
use super::linkargs::{self, final_object, rlib_crate, LinkLine};
use super::{BuildScript, LinkRecord, Unit, UnitKind};

/// `name@version` from a cargo package id (`registry+…#tokio@1.47.1`,
/// `path+file:///w/ipc#0.1.0`, or the old `tokio 1.47.1 (registry+…)`).
pub fn package_label(repr: &str) -> String {
    if let Some((url, frag)) = repr.rsplit_once('#') {
        if frag.contains('@') {
            return frag.to_owned();
        }
        let name = url.trim_end_matches('/').rsplit('/').next().unwrap_or(url);
        return format!("{name}@{frag}");
    }
    let mut w = repr.split_whitespace();
    match (w.next(), w.next()) {
        (Some(n), Some(v)) => format!("{n}@{v}"),
        _ => repr.to_owned(),
    }
}

/// What one cargo run said about the link inputs of its binaries.
#[derive(Debug, Default)]
pub struct Collector {
    /// rlib path -> package label
    rlibs: BTreeMap<PathBuf, String>,
    /// in the order cargo reported them
    rlib_order: Vec<PathBuf>,
    build_scripts: BTreeMap<String, Vec<String>>,
    /// bin package label, and the link line rustc printed (when it linked)
    bins: Vec<(PathBuf, String)>,
    link_line: Option<String>,
}

impl Collector {
    /// A compiler-artifact message.
    pub fn artifact(
        &mut self,
        package_id: &str,
        is_bin: bool,
        filenames: &[PathBuf],
        executable: Option<&Path>,
    ) {
        let label = package_label(package_id);
        for f in filenames {
            if f.extension().is_some_and(|e| e == "rlib") && !self.rlibs.contains_key(f) {
                self.rlibs.insert(f.clone(), label.clone());
                self.rlib_order.push(f.clone());
            }
        }
        if is_bin {
            if let Some(exe) = executable {
                self.bins.push((exe.to_path_buf(), label));
            }
        }
    }

    /// A build-script-executed message.
    pub fn build_script(&mut self, package_id: &str, linked_libs: &[String]) {
        if !linked_libs.is_empty() {
            self.build_scripts
                .insert(package_label(package_id), linked_libs.to_vec());
        }
    }

    /// A line of rustc's output that is not a JSON message.
    pub fn text(&mut self, line: &str) {
        if linkargs::is_link_line(line) {
            self.link_line = Some(line.to_owned());
        }
    }

    /// The records of the executables this run produced. `sysroot_lib` is the
    /// target's `lib/rustlib/<target>/lib`, `rust_version` rustc's version (the
    /// version of the sysroot's crates). A record whose link line was not printed
    /// (the final crate was fresh) is the one saved by the run that linked it.
    pub fn finish(
        self,
        target: &str,
        sysroot_lib: Option<&Path>,
        rust_version: &str,
    ) -> Vec<LinkRecord> {
        let mut out = Vec::new();
        for (exe, label) in &self.bins {
            let build_scripts = self
                .build_scripts
                .iter()
                .map(|(k, libs)| BuildScript {
                    krate: k.clone(),
                    libs: libs.clone(),
                })
                .collect();
            let line = self.link_line.as_deref().map(linkargs::parse);
            let record = match line {
                Some(l) if self.bins.len() == 1 => {
                    let units = self.line_units(&l, label, rust_version);
                    LinkRecord {
                        executable: exe.display().to_string(),
                        target: target.to_owned(),
                        final_crate: label.clone(),
                        complete: l.output.is_some(),
                        units,
                        link_libs: l.libs,
                        build_scripts,
                    }
                }
                _ => {
                    if let Some(saved) = load_record(exe) {
                        if saved.complete && saved.units.iter().all(|u| Path::new(&u.path).exists())
                        {
                            out.push(saved);
                            continue;
                        }
                    }
                    // no link line: every rlib cargo built, and the sysroot's
                    let mut units: Vec<Unit> = self
                        .rlib_order
                        .iter()
                        .map(|r| Unit {
                            krate: self.rlibs[r].clone(),
                            path: r.display().to_string(),
                            kind: UnitKind::Dependency,
                        })
                        .collect();
                    units.extend(sysroot_rlibs(sysroot_lib).into_iter().map(|r| Unit {
                        krate: sysroot_label(&r, rust_version),
                        path: r.display().to_string(),
                        kind: UnitKind::Sysroot,
                    }));
                    LinkRecord {
                        executable: exe.display().to_string(),
                        target: target.to_owned(),
                        final_crate: label.clone(),
                        complete: false,
                        units,
                        link_libs: Vec::new(),
                        build_scripts,
                    }
                }
            };
            out.push(record);
        }
        out
    }

    /// The link inputs of a link line: its output (the final crate), then its rlibs,
    /// the ones cargo built under their crate and the others as the sysroot's.
    fn line_units(&self, l: &LinkLine, label: &str, rust_version: &str) -> Vec<Unit> {
        let mut units = Vec::new();
        if let Some(o) = &l.output {
            units.push(Unit {
                krate: label.to_owned(),
                path: final_object(o).display().to_string(),
                kind: UnitKind::Final,
            });
        }
        for r in &l.rlibs {
            let (krate, kind) = match self.rlibs.get(r) {
                Some(k) => (k.clone(), UnitKind::Dependency),
                None => (sysroot_label(r, rust_version), UnitKind::Sysroot),
            };
            units.push(Unit {
                krate,
                path: r.display().to_string(),
                kind,
            });
        }
        units
    }
}

/// The sysroot crates an executable links (not the compiler's own: test, proc_macro).
fn sysroot_rlibs(dir: Option<&Path>) -> Vec<PathBuf> {
    const NOT_LINKED: &[&str] = &["test", "proc_macro", "getopts", "rustc_std_workspace_std"];
    let Some(dir) = dir else { return Vec::new() };
    let mut v: Vec<PathBuf> = std::fs::read_dir(dir)
        .into_iter()
        .flatten()
        .filter_map(Result::ok)
        .map(|e| e.path())
        .filter(|p| rlib_crate(p).is_some_and(|c| !NOT_LINKED.contains(&c)))
        .collect();
    v.sort();
    v
}

/// Where the record of `exe` is kept: `<dir>/.portable-why/<file name>.json`.
pub fn record_path(exe: &Path) -> PathBuf {
    let dir = exe.parent().unwrap_or(Path::new("."));
    let name = exe
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_default();
    dir.join(".portable-why").join(format!("{name}.json"))
}

/// Save the record beside its executable (atomically).
pub fn save_record(r: &LinkRecord) -> std::io::Result<()> {
    let path = record_path(Path::new(&r.executable));
    let dir = path.parent().unwrap_or(Path::new("."));
    std::fs::create_dir_all(dir)?;
    let mut tmp = tempfile::NamedTempFile::new_in(dir)?;
    serde_json::to_writer(&mut tmp, r)?;
    tmp.persist(&path).map_err(|e| e.error)?;
    Ok(())
}

/// The saved record of `exe`, if there is one that can be read.
pub fn load_record(exe: &Path) -> Option<LinkRecord> {
    let text = std::fs::read(record_path(exe)).ok()?;
    serde_json::from_slice(&text).ok()
}

/// The cache of indexes.
fn index_dir() -> PathBuf {
    crate::toolchain::cache_dir().join("why-index")
}

/// The index of every unit of `r` (in order): from the cache when an input with the
/// same content was indexed before, otherwise read now and cached. An input that
/// cannot be read or parsed indexes as empty and is named in the second value.
pub fn indexes(r: &LinkRecord) -> (Vec<FileIndex>, Vec<String>) {
    let dir = index_dir();
    let results: Vec<Result<FileIndex, String>> = r
        .units
        .par_iter()
        .map(|u| index_cached(Path::new(&u.path), &dir))
        .collect();
    let mut files = Vec::new();
    let mut errors = Vec::new();
    for (u, res) in r.units.iter().zip(results) {
        match res {
            Ok(f) => files.push(f),
            Err(e) => {
                errors.push(format!("{}: {e}", u.path));
                files.push(FileIndex::default());
            }
        }
    }
    (files, errors)
}

fn index_cached(path: &Path, dir: &Path) -> Result<FileIndex, String> {
    let data = std::fs::read(path).map_err(|e| e.to_string())?;
    let hash = Sha256::digest(&data);
    let hex: String = hash.iter().map(|b| format!("{b:02x}")).collect();
    let cached = dir.join(format!("{hex}-v{INDEX_FORMAT}.json"));
    if let Ok(bytes) = std::fs::read(&cached) {
        if let Ok(f) = serde_json::from_slice::<FileIndex>(&bytes) {
            if f.format == INDEX_FORMAT {
                return Ok(f);
            }
        }
    }
    let f = index_file(&data).map_err(|e| e.to_string())?;
    // the cache is an optimisation: a failure to write it is not an error
    let _ = write_atomic(&cached, &serde_json::to_vec(&f).unwrap_or_default());
    Ok(f)
}

fn write_atomic(path: &Path, bytes: &[u8]) -> std::io::Result<()> {
    let dir = path.parent().unwrap_or(Path::new("."));
    std::fs::create_dir_all(dir)?;
    let mut tmp = tempfile::NamedTempFile::new_in(dir)?;
    std::io::Write::write_all(&mut tmp, bytes)?;
    tmp.persist(path).map_err(|e| e.error)?;
    Ok(())
}

/// A sysroot rlib's crate, at the toolchain's version (`std@1.85.0`).
fn sysroot_label(p: &Path, rust_version: &str) -> String {
    format!("{}@{rust_version}", rlib_crate(p).unwrap_or("std"))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn package_labels() {
        assert_eq!(
            package_label("registry+https://github.com/rust-lang/crates.io-index#tokio@1.47.1"),
            "tokio@1.47.1"
        );
        assert_eq!(package_label("path+file:///work/ipc#0.1.0"), "ipc@0.1.0");
        assert_eq!(package_label("path+file:///work/x#ipc@0.1.0"), "ipc@0.1.0");
        assert_eq!(
            package_label("tokio 1.47.1 (registry+https://github.com/rust-lang/crates.io-index)"),
            "tokio@1.47.1"
        );
    }
}
