//! `targets/platforms.toml`, compiled in and parsed once: each system's display name,
//! ELF OS/ABI value and note owners, and the loader and library names that say which
//! C library a binary needs. Each value's source is beside it in the file.

use std::sync::OnceLock;

use serde::Deserialize;

use crate::data::SystemLibs;
use crate::model::{Libc, Os};

const PLATFORMS_TOML: &str = include_str!("../../targets/platforms.toml");

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct File {
    os: Vec<OsEntry>,
    libc: Vec<LibcEntry>,
    arch: Vec<ArchEntry>,
}

/// One `[[arch]]`: an architecture's names in Debian, its cross toolchain and qemu.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub(super) struct ArchEntry {
    pub arch: String,
    #[serde(default)]
    pub soft_float: bool,
    pub debian: String,
    pub multiarch: String,
    pub cross: String,
    pub qemu: String,
}

/// One `[[os]]`.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub(super) struct OsEntry {
    pub os: Os,
    pub display: String,
    /// `e_ident[EI_OSABI]` when the system has its own.
    #[serde(default)]
    pub osabi: Option<u8>,
    /// The owner names of its identifying ELF notes.
    #[serde(default)]
    pub notes: Vec<String>,
    /// The `GOOS` values that name it.
    #[serde(default)]
    pub goos: Vec<String>,
    /// Its section of `targets/system-libs.toml`.
    #[serde(default = "linux")]
    pub base_libraries: String,
    /// Windows: library names compare without case.
    #[serde(default)]
    pub names_ignore_case: bool,
    /// AIX: an import names a member of an archive; the archive is compared.
    #[serde(default)]
    pub archive_members: bool,
}

fn linux() -> String {
    "linux".to_owned()
}

/// One `[[libc]]`: the names that mean this C library by themselves.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub(super) struct LibcEntry {
    pub libc: Libc,
    /// The OS this C library implies where no note or OS/ABI byte tells.
    #[serde(default)]
    pub os: Option<Os>,
    /// Full loader paths, compared exactly.
    #[serde(default)]
    pub loaders: Vec<String>,
    /// Last path components, compared exactly.
    #[serde(default)]
    pub names: Vec<String>,
    /// Starts of the last path component.
    #[serde(default)]
    pub prefixes: Vec<String>,
    /// A stem followed by `<major>.<minor>` (`libc.so.` of `libc.so.100.3`).
    #[serde(default)]
    pub major_minor: Option<String>,
}

impl LibcEntry {
    /// Whether `name` (a path or a soname) with last component `base` is one of this
    /// entry's names.
    pub fn matches(&self, name: &str, base: &str) -> bool {
        self.loaders.iter().any(|l| l == name)
            || self.names.iter().any(|n| n == base)
            || self.prefixes.iter().any(|p| base.starts_with(p.as_str()))
            || self
                .major_minor
                .as_deref()
                .is_some_and(|stem| is_major_minor(base, stem))
    }
}

/// `stem` then two dot-separated numbers: `libc.so.100.3`.
fn is_major_minor(base: &str, stem: &str) -> bool {
    base.strip_prefix(stem)
        .and_then(|v| v.split_once('.'))
        .is_some_and(|(major, minor)| {
            [major, minor]
                .iter()
                .all(|n| !n.is_empty() && n.bytes().all(|b| b.is_ascii_digit()))
        })
}

/// The parsed file.
#[derive(Debug)]
pub(super) struct Known {
    pub os: Vec<OsEntry>,
    /// In the file's order: the first that matches wins.
    pub libc: Vec<LibcEntry>,
    pub arch: Vec<ArchEntry>,
}

impl Known {
    pub fn os(&self, os: Os) -> Option<&OsEntry> {
        self.os.iter().find(|e| e.os == os)
    }
}

fn load(text: &str, system: &SystemLibs) -> Result<Known, String> {
    let f: File = toml::from_str(text).map_err(|e| e.to_string())?;
    for os in Os::ALL {
        let n = f.os.iter().filter(|e| e.os == *os).count();
        if n != 1 {
            return Err(format!("{n} [[os]] entries for {os}, want one"));
        }
    }
    for e in &f.os {
        if !system.contains_key(&e.base_libraries) {
            return Err(format!(
                "{}: no [{}] in targets/system-libs.toml",
                e.os, e.base_libraries
            ));
        }
    }
    for (i, a) in f.arch.iter().enumerate() {
        if f.arch[..i]
            .iter()
            .any(|b| (b.arch == a.arch && b.soft_float == a.soft_float) || b.debian == a.debian)
        {
            return Err(format!("[[arch]] {} ({}) twice", a.arch, a.debian));
        }
    }
    Ok(Known {
        os: f.os,
        libc: f.libc,
        arch: f.arch,
    })
}

/// The compiled-in `targets/platforms.toml`.
pub(super) fn known() -> &'static Known {
    static KNOWN: OnceLock<Known> = OnceLock::new();
    KNOWN.get_or_init(|| {
        load(PLATFORMS_TOML, &crate::data::tables().system)
            .unwrap_or_else(|e| panic!("built-in data table: targets/platforms.toml: {e}"))
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_file_parses_with_one_entry_per_os() {
        let system = &crate::data::tables().system;
        let k = load(PLATFORMS_TOML, system).unwrap();
        // every section of targets/system-libs.toml is some OS's
        for section in system.keys() {
            assert!(
                k.os.iter().any(|e| &e.base_libraries == section),
                "{section}"
            );
        }
        assert_eq!(k.os.len(), Os::ALL.len());
        assert!(k.libc.iter().any(|e| e.libc == Libc::Glibc));
        let twice = "[[os]]\nos = \"linux\"\ndisplay = \"Linux\"\n[[os]]\nos = \"linux\"\n\
                     display = \"Linux\"\nlibc = []\n";
        assert!(load(twice, system).is_err());
        let missing = PLATFORMS_TOML.replace("base_libraries = \"aix\"", "base_libraries = \"x\"");
        assert!(load(&missing, system).is_err());
    }

    #[test]
    fn major_minor() {
        assert!(is_major_minor("libc.so.100.3", "libc.so."));
        assert!(!is_major_minor("libc.so.7", "libc.so."));
        assert!(!is_major_minor("libc.so.1.x", "libc.so."));
    }
}
