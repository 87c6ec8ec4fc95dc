//! Data tables from `targets/`, compiled in and parsed once.

use std::sync::OnceLock;

use serde::Deserialize;

use crate::model::Os;
use crate::version::Version;

const GLIBC_TOML: &str = include_str!("../targets/glibc.toml");
const SYSTEM_LIBS_TOML: &str = include_str!("../targets/system-libs.toml");
const WINDOWS_API_TOML: &str = include_str!("../targets/windows-api.toml");

/// An import that exists only from a Windows release on.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct WindowsApi {
    pub dll: String,
    /// Empty: any import from `dll`.
    pub name: String,
    /// NT version, e.g. `6.2` (Windows 8).
    pub nt: String,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct WindowsApiFile {
    import: Vec<WindowsApi>,
}

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Release {
    pub distribution: String,
    pub release: String,
    pub glibc: String,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct GlibcFile {
    release: Vec<Release>,
}

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct LibSet {
    pub names: Vec<String>,
    pub prefixes: Vec<String>,
}

impl LibSet {
    fn contains(&self, name: &str, ignore_case: bool) -> bool {
        if ignore_case {
            let lower = name.to_ascii_lowercase();
            self.names.iter().any(|n| n.eq_ignore_ascii_case(name))
                || self.prefixes.iter().any(|p| lower.starts_with(p.as_str()))
        } else {
            self.names.iter().any(|n| n == name)
                || self.prefixes.iter().any(|p| name.starts_with(p.as_str()))
        }
    }
}

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct SystemLibs {
    pub linux: LibSet,
    pub android: LibSet,
    pub macos: LibSet,
    pub windows: LibSet,
}

/// The compiled-in tables.
#[derive(Debug)]
pub struct Tables {
    /// Grouped by distribution in the order the file first names them, oldest first.
    pub releases: Vec<(Release, Version)>,
    pub system: SystemLibs,
    pub windows_api: Vec<(WindowsApi, Version)>,
}

impl Tables {
    /// Whether `name` (a needed library) is part of the OS `os`.
    pub fn is_system_library(&self, os: Os, name: &str) -> bool {
        match os {
            Os::Macos | Os::Ios => self.system.macos.contains(name, false),
            Os::Windows => self.system.windows.contains(name, true),
            Os::Android => self.system.android.contains(name, false),
            _ => self.system.linux.contains(name, false),
        }
    }
}

fn load() -> Result<Tables, String> {
    let g: GlibcFile =
        toml::from_str(GLIBC_TOML).map_err(|e| format!("targets/glibc.toml: {e}"))?;
    let mut releases = Vec::new();
    for r in g.release {
        let v = Version::parse(&r.glibc)
            .ok_or_else(|| format!("targets/glibc.toml: bad glibc version {:?}", r.glibc))?;
        releases.push((r, v));
    }
    let mut order: Vec<String> = Vec::new();
    for (r, _) in &releases {
        if !order.contains(&r.distribution) {
            order.push(r.distribution.clone());
        }
    }
    let rank = |d: &str| order.iter().position(|o| o == d).unwrap_or(usize::MAX);
    releases.sort_by(|a, b| (rank(&a.0.distribution), &a.1).cmp(&(rank(&b.0.distribution), &b.1)));
    let system: SystemLibs =
        toml::from_str(SYSTEM_LIBS_TOML).map_err(|e| format!("targets/system-libs.toml: {e}"))?;
    let w: WindowsApiFile =
        toml::from_str(WINDOWS_API_TOML).map_err(|e| format!("targets/windows-api.toml: {e}"))?;
    let mut windows_api = Vec::new();
    for a in w.import {
        let v = Version::parse(&a.nt)
            .ok_or_else(|| format!("targets/windows-api.toml: bad NT version {:?}", a.nt))?;
        windows_api.push((a, v));
    }
    Ok(Tables {
        releases,
        system,
        windows_api,
    })
}

/// The tables, parsed on first use. The files are part of the build and tested, so a
/// parse failure is a bug in this program.
pub fn tables() -> &'static Tables {
    static TABLES: OnceLock<Tables> = OnceLock::new();
    TABLES.get_or_init(|| load().unwrap_or_else(|e| panic!("built-in data table: {e}")))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tables_parse() {
        let t = load().expect("tables parse");
        assert!(t.releases.len() > 20);
        assert!(t.is_system_library(Os::Linux, "libc.so.6"));
        assert!(!t.is_system_library(Os::Linux, "libssl.so.3"));
        assert!(t.is_system_library(Os::Windows, "KERNEL32.dll"));
        assert!(t.is_system_library(Os::Windows, "api-ms-win-crt-runtime-l1-1-0.dll"));
        assert!(!t.is_system_library(Os::Windows, "libwinpthread-1.dll"));
        assert!(t.is_system_library(Os::Macos, "/usr/lib/libSystem.B.dylib"));
        assert!(!t.is_system_library(Os::Macos, "/opt/homebrew/lib/libssl.3.dylib"));
        assert!(!t.is_system_library(Os::Macos, "@rpath/libfoo.dylib"));
    }

    #[test]
    fn rhel7_is_glibc_2_17() {
        let t = load().unwrap();
        let r = t
            .releases
            .iter()
            .find(|(r, _)| r.distribution == "RHEL/CentOS" && r.release == "7")
            .unwrap();
        assert_eq!(r.1, Version::parse("2.17").unwrap());
    }
}
