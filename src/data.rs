//! Data tables from `targets/`, compiled in and parsed once.

use std::sync::OnceLock;

use serde::Deserialize;

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

/// A distribution release, the glibc it ships and the architectures it ships it for.
#[derive(Debug, Clone)]
pub struct Release {
    pub distribution: String,
    pub release: String,
    pub glibc: String,
    /// Architectures, by `Artifact.arch` name, that the release has a glibc build for.
    pub arches: Vec<String>,
}

impl Release {
    pub fn has_arch(&self, arch: &str) -> bool {
        self.arches.iter().any(|a| a == arch)
    }
}

/// `[[arch]]` in `targets/glibc.toml`.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct ArchEntry {
    name: String,
    baseline: String,
}

/// One of `release = [...]` in a `[[distribution]]`.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct ReleaseEntry {
    release: String,
    glibc: String,
    #[serde(default)]
    added: Vec<String>,
    #[serde(default)]
    removed: Vec<String>,
}

/// `[[distribution]]` in `targets/glibc.toml`.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct DistributionEntry {
    name: String,
    /// The architectures of the first release.
    arches: Vec<String>,
    release: Vec<ReleaseEntry>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct GlibcFile {
    arch: Vec<ArchEntry>,
    distribution: Vec<DistributionEntry>,
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
    /// Grouped by distribution in the order the file names them, oldest first.
    pub releases: Vec<(Release, Version)>,
    /// Per architecture, the first glibc with a port to it.
    pub arch_baselines: Vec<(String, Version)>,
    pub system: SystemLibs,
    pub windows_api: Vec<(WindowsApi, Version)>,
}

impl Tables {
    /// The first glibc with a port to `arch`, when the table knows the architecture.
    pub fn glibc_baseline(&self, arch: &str) -> Option<&Version> {
        self.arch_baselines
            .iter()
            .find(|(a, _)| a == arch)
            .map(|(_, v)| v)
    }

    /// Whether `name` (a needed library) is part of the OS `os`.
    pub fn is_system_library(&self, os: &str, name: &str) -> bool {
        match os {
            "macos" | "ios" => self.system.macos.contains(name, false),
            "windows" => self.system.windows.contains(name, true),
            "android" => self.system.android.contains(name, false),
            _ => self.system.linux.contains(name, false),
        }
    }
}

/// The releases and the architectures' baselines, as in [`Tables`].
type GlibcTable = (Vec<(Release, Version)>, Vec<(String, Version)>);

/// Parse `targets/glibc.toml`: each release gets the architectures of the one before it
/// (the distribution's `arches` for the first), plus `added`, minus `removed`.
fn load_glibc(text: &str) -> Result<GlibcTable, String> {
    let g: GlibcFile = toml::from_str(text).map_err(|e| e.to_string())?;
    let mut arch_baselines: Vec<(String, Version)> = Vec::new();
    for a in g.arch {
        let v = Version::parse(&a.baseline)
            .ok_or_else(|| format!("arch {}: bad baseline {:?}", a.name, a.baseline))?;
        if arch_baselines.iter().any(|(n, _)| *n == a.name) {
            return Err(format!("arch {} named twice", a.name));
        }
        arch_baselines.push((a.name, v));
    }
    let known = |a: &str| arch_baselines.iter().any(|(n, _)| n == a);
    let mut releases = Vec::new();
    let mut names: Vec<String> = Vec::new();
    for d in g.distribution {
        if names.contains(&d.name) {
            return Err(format!("distribution {} named twice", d.name));
        }
        names.push(d.name.clone());
        let mut arches: Vec<String> = Vec::new();
        for a in &d.arches {
            if !known(a) {
                return Err(format!("{}: unknown arch {a:?}", d.name));
            }
            if !arches.contains(a) {
                arches.push(a.clone());
            }
        }
        let mut seen: Vec<&str> = Vec::new();
        for r in &d.release {
            let at = format!("{} {}", d.name, r.release);
            if r.release.is_empty() || r.release.ends_with('+') {
                return Err(format!(
                    "{at}: a release name must not be empty or end with '+'"
                ));
            }
            if seen.contains(&r.release.as_str()) {
                return Err(format!("{at}: listed twice"));
            }
            seen.push(&r.release);
            for a in &r.removed {
                let Some(i) = arches.iter().position(|x| x == a) else {
                    return Err(format!(
                        "{at}: removes {a:?}, which the release before lacks"
                    ));
                };
                arches.remove(i);
            }
            for a in &r.added {
                if !known(a) {
                    return Err(format!("{at}: unknown arch {a:?}"));
                }
                if arches.contains(a) {
                    return Err(format!("{at}: adds {a:?}, which the release before has"));
                }
                arches.push(a.clone());
            }
            let v = Version::parse(&r.glibc)
                .ok_or_else(|| format!("{at}: bad glibc version {:?}", r.glibc))?;
            releases.push((
                Release {
                    distribution: d.name.clone(),
                    release: r.release.clone(),
                    glibc: r.glibc.clone(),
                    arches: arches.clone(),
                },
                v,
            ));
        }
    }
    Ok((releases, arch_baselines))
}

fn load() -> Result<Tables, String> {
    let (releases, arch_baselines) =
        load_glibc(GLIBC_TOML).map_err(|e| format!("targets/glibc.toml: {e}"))?;
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
        arch_baselines,
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
        assert!(t.is_system_library("linux", "libc.so.6"));
        assert!(!t.is_system_library("linux", "libssl.so.3"));
        assert!(t.is_system_library("windows", "KERNEL32.dll"));
        assert!(t.is_system_library("windows", "api-ms-win-crt-runtime-l1-1-0.dll"));
        assert!(!t.is_system_library("windows", "libwinpthread-1.dll"));
        assert!(t.is_system_library("macos", "/usr/lib/libSystem.B.dylib"));
        assert!(!t.is_system_library("macos", "/opt/homebrew/lib/libssl.3.dylib"));
        assert!(!t.is_system_library("macos", "@rpath/libfoo.dylib"));
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
