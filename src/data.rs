//! Data tables from `targets/`, compiled in and parsed once.

use std::collections::BTreeMap;
use std::sync::OnceLock;

use serde::Deserialize;

use crate::version::Version;

const GLIBC_TOML: &str = include_str!("../targets/glibc.toml");
const SYSTEM_LIBS_TOML: &str = include_str!("../targets/system-libs.toml");
const WINDOWS_API_TOML: &str = include_str!("../targets/windows-api.toml");
const GO_TOML: &str = include_str!("../targets/go.toml");
const ANDROID_TOML: &str = include_str!("../targets/android.toml");
const SYS_CRATES_TOML: &str = include_str!("../targets/sys-crates.toml");
const FRAMEWORKS_TOML: &str = include_str!("../targets/frameworks.toml");

/// A row of `targets/frameworks.toml`: a crate that links macOS frameworks on apple
/// targets (which need a macOS SDK to link).
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct FrameworkCrate {
    /// The crate's name on crates.io (`security-framework-sys`).
    #[serde(rename = "crate")]
    pub name: String,
    /// The frameworks it links (`Security`).
    pub frameworks: Vec<String>,
    /// Where the row comes from: the crate's file (version) and the date it was read.
    pub source: String,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct FrameworksFile {
    #[serde(rename = "crate")]
    crates: Vec<FrameworkCrate>,
}

/// Parse `targets/frameworks.toml`: every row has a source and a framework, and is
/// listed once.
fn load_frameworks(text: &str) -> Result<Vec<FrameworkCrate>, String> {
    let f: FrameworksFile = toml::from_str(text).map_err(|e| e.to_string())?;
    for c in &f.crates {
        if c.source.trim().is_empty() {
            return Err(format!("{}: no source", c.name));
        }
        if c.frameworks.is_empty() {
            return Err(format!("{}: no framework", c.name));
        }
        if f.crates.iter().filter(|o| o.name == c.name).count() > 1 {
            return Err(format!("{}: listed twice", c.name));
        }
    }
    Ok(f.crates)
}

/// What a `-sys` crate's build script does about its system library.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum SystemUse {
    /// Links the system library unless its vendoring feature is on; fails when the
    /// library is not found.
    Required,
    /// Looks for the system library and builds its bundled copy when it is not found.
    Preferred,
    /// Builds its bundled copy unless `system-feature` is on; then as `Required`.
    OptIn,
}

/// A row of `targets/sys-crates.toml`: a `-sys` crate that links a system C library.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields, rename_all = "kebab-case")]
pub struct SysCrate {
    /// The crate's name on crates.io (`openssl-sys`).
    #[serde(rename = "crate")]
    pub name: String,
    /// The libraries it links (`-l` names: `ssl`, `crypto`).
    pub libraries: Vec<String>,
    /// The pkg-config module its build script asks for.
    pub pkg_config: Option<String>,
    /// The Debian `-dev` package with the library (`libssl-dev`; for another
    /// architecture `libssl-dev:arm64`).
    pub debian: String,
    pub system: SystemUse,
    /// The features of this crate that build the library from source (or link another
    /// one built from source); the first is the one a fix names.
    #[serde(default)]
    pub vendored: Vec<String>,
    /// The same feature as the crates that forward it spell it (`openssl/vendored`).
    #[serde(default)]
    pub vendored_via: Vec<String>,
    /// For `system = "opt-in"`: the feature that makes it link the system library
    /// (`None`: only an environment variable does).
    pub system_feature: Option<String>,
    /// Another way round the system library (`rustls` for OpenSSL).
    pub alternative: Option<String>,
    /// The environment variables its build script reads.
    pub env: Vec<String>,
    /// Set when its build script finds the system library only through pkg-config
    /// (with no working fallback on Debian): why, with the source line. `setup`
    /// installs pkg-config for it, and `build` skips a glibc variant that would link the
    /// system library when pkg-config is not there.
    pub needs_pkg_config: Option<String>,
    /// Where the row comes from: the crate's build script (version) or docs, and the
    /// date it was read.
    pub source: String,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct SysCratesFile {
    #[serde(rename = "crate")]
    crates: Vec<SysCrate>,
}

/// Parse `targets/sys-crates.toml`: every row has a source and a library, a vendoring
/// feature when it is `required`, and is listed once.
fn load_sys_crates(text: &str) -> Result<Vec<SysCrate>, String> {
    let f: SysCratesFile = toml::from_str(text).map_err(|e| e.to_string())?;
    for c in &f.crates {
        if c.source.trim().is_empty() {
            return Err(format!("{}: no source", c.name));
        }
        if c.libraries.is_empty() {
            return Err(format!("{}: no library", c.name));
        }
        if c.system == SystemUse::Required && c.vendored.is_empty() {
            return Err(format!("{}: required without a vendoring feature", c.name));
        }
        if f.crates.iter().filter(|o| o.name == c.name).count() > 1 {
            return Err(format!("{}: listed twice", c.name));
        }
    }
    Ok(f.crates)
}

/// `[[api]]` of `targets/android.toml`: an API level and its Android release.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct AndroidApi {
    pub level: u32,
    pub release: String,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct AndroidFile {
    api: Vec<AndroidApi>,
}

/// A row of `targets/go.toml`: the systems whose minimum a Go release changed.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct GoRelease {
    /// `1.21`
    pub go: String,
    /// Linux kernel, macOS, Windows product (`7`, `10`) and FreeBSD release.
    pub linux: Option<String>,
    pub macos: Option<String>,
    pub windows: Option<String>,
    pub freebsd: Option<String>,
}

const INVENTORIES_TOML: &str = include_str!("../targets/inventories/inventories.toml");

/// The symbol-version families an inventory measures: the prefix of the version
/// (`GLIBCXX_3.4.30`) and the library that exports it.
pub const INVENTORY_FAMILIES: &[(&str, &str)] = &[
    ("GLIBC", "glibc"),
    ("GLIBCXX", "libstdc++"),
    ("CXXABI", "libstdc++"),
    ("GCC", "libgcc_s"),
    ("ZLIB", "zlib"),
];

/// What one release's base system exports on one architecture, measured in its image
/// (`targets/inventories/inventories.toml`, from pep600_compliance).
#[derive(Debug, Clone)]
pub struct Inventory {
    pub distribution: String,
    pub release: String,
    pub arch: String,
    /// The pep600_compliance file measured (`rhubi-9`).
    pub pep600: String,
    /// Per family of [`INVENTORY_FAMILIES`] (same order), the highest version exported;
    /// `None` when the image has no such version (the library is absent).
    pub highest: Vec<Option<Version>>,
}

impl Inventory {
    /// Whether the release exports `PREFIX_version` of a measured family: `None` when
    /// the family is not measured (then nothing is known), else whether the highest
    /// exported version of the family reaches `version`.
    pub fn exports(&self, prefix: &str, version: &Version) -> Option<bool> {
        let i = INVENTORY_FAMILIES.iter().position(|(p, _)| *p == prefix)?;
        self.exports_family(i, version)
    }

    /// [`Inventory::exports`] of the family at index `family` of [`INVENTORY_FAMILIES`].
    pub fn exports_family(&self, family: usize, version: &Version) -> Option<bool> {
        Some(
            self.highest
                .get(family)?
                .as_ref()
                .is_some_and(|h| h >= version),
        )
    }
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct MeasuredEntry {
    arch: String,
    pep600: String,
    glibc: String,
    glibcxx: String,
    cxxabi: String,
    gcc: String,
    zlib: String,
    #[allow(dead_code)]
    libraries: Vec<String>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct GoFile {
    release: Vec<GoRelease>,
}

/// The oldest system a Go release's binaries run on, with the Go release whose notes
/// set it: (`2.6.32`, `1.18`).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct GoMinimums {
    pub linux: Option<(String, String)>,
    pub macos: Option<(String, String)>,
    pub windows: Option<(String, String)>,
    pub freebsd: Option<(String, String)>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct InventoryRelease {
    distribution: String,
    release: String,
    measured: Vec<MeasuredEntry>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct InventoriesFile {
    #[allow(dead_code)]
    source: String,
    #[allow(dead_code)]
    commit: String,
    release: Vec<InventoryRelease>,
}

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
    /// Whether the set names `name` exactly or by one of its prefixes (the set's own
    /// data decides; `crate::platform::is_base_library` picks the set).
    pub fn contains(&self, name: &str, ignore_case: bool) -> bool {
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

/// `targets/system-libs.toml`: the base-system libraries per section (`linux`,
/// `freebsd`, …); `targets/platforms.toml` says which section each OS reads.
pub type SystemLibs = std::collections::BTreeMap<String, LibSet>;

/// The compiled-in tables.
#[derive(Debug)]
pub struct Tables {
    /// Grouped by distribution in the order the file names them, oldest first.
    pub releases: Vec<(Release, Version)>,
    /// Per architecture, the first glibc with a port to it.
    pub arch_baselines: Vec<(String, Version)>,
    pub system: SystemLibs,
    pub windows_api: Vec<(WindowsApi, Version)>,
    /// `targets/go.toml`, Go releases ascending.
    pub go: Vec<(GoRelease, Version)>,
    /// `targets/android.toml`, API levels ascending.
    pub android: Vec<AndroidApi>,
    /// `targets/sys-crates.toml`: the `-sys` crates that link a system C library.
    pub sys_crates: Vec<SysCrate>,
    /// `targets/frameworks.toml`: the crates that link macOS frameworks.
    pub frameworks: Vec<FrameworkCrate>,
    /// Measured exports per release and architecture; releases and architectures not
    /// here keep the glibc-only rule.
    pub inventories: Vec<Inventory>,
    /// Per release (index into `releases`), the indices of its `inventories`: runs_on
    /// looks a release's up for every glibc binary, so without a scan.
    pub(crate) measured: Vec<Vec<usize>>,
    /// Per architecture, the releases that ship a glibc for it (index into `releases`)
    /// and their inventory on it (index into `inventories`): runs_on walks these for
    /// every glibc binary.
    pub(crate) on_arch: BTreeMap<String, Vec<(usize, Option<usize>)>>,
    /// Each release as a report names it (`releases[i]` as `distributions[i]`), so a
    /// report shares the strings.
    pub(crate) distributions: Vec<crate::model::Distribution>,
}

impl Tables {
    /// The row of `targets/sys-crates.toml` for the crate `name`.
    pub fn sys_crate(&self, name: &str) -> Option<&SysCrate> {
        self.sys_crates.iter().find(|c| c.name == name)
    }

    /// The first glibc with a port to `arch`, when the table knows the architecture.
    pub fn glibc_baseline(&self, arch: &str) -> Option<&Version> {
        self.arch_baselines
            .iter()
            .find(|(a, _)| a == arch)
            .map(|(_, v)| v)
    }

    /// A distribution release by a short name: `rhel-7`, `centos-7`, `debian-11`,
    /// `debian-bullseye`, `ubuntu-20.04`, `sles-15-sp6`, `opensuse-leap-15.6`,
    /// `amazon-linux-2`, `fedora-35` (case and separators are free).
    pub fn find_release(&self, name: &str) -> Option<&(Release, Version)> {
        let want = squash(name);
        self.releases
            .iter()
            .find(|(r, _)| release_names(r).contains(&want))
    }

    /// The minimums of the Go release `version` (`go1.19.8`, `1.21`): each system's
    /// from the last row at or before it. `None` for a version that is not Go's.
    pub fn go_minimums(&self, version: &str) -> Option<GoMinimums> {
        let v = version.strip_prefix("go").unwrap_or(version);
        // `1.21rc2`, `1.22.0-devel`: the release number only
        let end = v
            .find(|c: char| !(c.is_ascii_digit() || c == '.'))
            .unwrap_or(v.len());
        let parts = Version::parse(v[..end].trim_end_matches('.'))?;
        let minor = Version::parse(
            &parts
                .parts()
                .iter()
                .take(2)
                .map(u32::to_string)
                .collect::<Vec<_>>()
                .join("."),
        )?;
        let mut m = GoMinimums::default();
        for (row, _) in self.go.iter().filter(|(_, go)| *go <= minor) {
            let set = |slot: &mut Option<(String, String)>, value: &Option<String>| {
                if let Some(value) = value {
                    *slot = Some((value.clone(), row.go.clone()));
                }
            };
            set(&mut m.linux, &row.linux);
            set(&mut m.macos, &row.macos);
            set(&mut m.windows, &row.windows);
            set(&mut m.freebsd, &row.freebsd);
        }
        Some(m)
    }

    /// The Android release of an API level (`24` → `7.0`).
    pub fn android_release(&self, level: u32) -> Option<&str> {
        self.android
            .iter()
            .find(|a| a.level == level)
            .map(|a| a.release.as_str())
    }

    /// The measured exports of a release of `targets/glibc.toml` on `arch`, if measured.
    pub fn inventory(&self, r: &Release, arch: &str) -> Option<&Inventory> {
        let i = self
            .releases
            .iter()
            .position(|(x, _)| x.distribution == r.distribution && x.release == r.release)?;
        self.inventory_at(i, arch)
    }

    /// The tables with `measured`, `on_arch` and `distributions` made from `releases`
    /// and `inventories`.
    pub(crate) fn indexed(mut self) -> Tables {
        let (releases, inventories) = (&self.releases, &self.inventories);
        self.measured = releases
            .iter()
            .map(|(r, _)| {
                (0..inventories.len())
                    .filter(|&i| {
                        let inv = &inventories[i];
                        inv.distribution == r.distribution && inv.release == r.release
                    })
                    .collect()
            })
            .collect();
        self.on_arch = BTreeMap::new();
        for (index, (r, _)) in releases.iter().enumerate() {
            for a in &r.arches {
                let inventory = self.measured[index]
                    .iter()
                    .copied()
                    .find(|&i| inventories[i].arch == *a);
                self.on_arch
                    .entry(a.clone())
                    .or_default()
                    .push((index, inventory));
            }
        }
        self.distributions = releases
            .iter()
            .map(|(r, _)| crate::model::Distribution {
                name: r.distribution.as_str().into(),
                release: r.release.as_str().into(),
                glibc: r.glibc.as_str().into(),
            })
            .collect();
        self
    }

    /// The releases that ship a glibc for `arch`, oldest first per distribution, as
    /// (index into `releases`, index into `inventories` of its measurement on `arch`).
    pub(crate) fn releases_on(&self, arch: &str) -> &[(usize, Option<usize>)] {
        self.on_arch.get(arch).map_or(&[], Vec::as_slice)
    }

    /// [`Tables::inventory`] of `releases[index]`.
    pub fn inventory_at(&self, index: usize, arch: &str) -> Option<&Inventory> {
        self.measured
            .get(index)?
            .iter()
            .map(|&i| &self.inventories[i])
            .find(|inv| inv.arch == arch)
    }
}

/// Lowercase letters, digits and dots only: `Ubuntu 20.04` and `ubuntu-20.04` agree.
fn squash(s: &str) -> String {
    s.chars()
        .filter(|c| c.is_ascii_alphanumeric() || *c == '.')
        .map(|c| c.to_ascii_lowercase())
        .collect()
}

/// The short names a release answers to, squashed: every name of the distribution
/// (`RHEL/CentOS`: rhel, centos, rhelcentos; `Amazon Linux`: amazonlinux, amazon) with
/// the release number or its code name (`11 (bullseye)`: 11, bullseye).
fn release_names(r: &Release) -> Vec<String> {
    let mut dists = vec![squash(&r.distribution)];
    dists.extend(r.distribution.split('/').map(squash));
    dists.extend(r.distribution.split_whitespace().next().map(squash));
    let mut rels = vec![squash(&r.release)];
    if let Some((num, rest)) = r.release.split_once(' ') {
        rels.push(squash(num));
        rels.push(squash(rest));
    }
    let mut names = Vec::new();
    for d in &dists {
        for rel in &rels {
            names.push(format!("{d}{rel}"));
        }
    }
    names
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

/// Parse `targets/inventories/inventories.toml`; every entry must name a release of
/// `releases` that ships its architecture, once.
fn load_inventories(text: &str, releases: &[(Release, Version)]) -> Result<Vec<Inventory>, String> {
    let f: InventoriesFile = toml::from_str(text).map_err(|e| e.to_string())?;
    let mut out: Vec<Inventory> = Vec::new();
    for r in f.release {
        let Some((rel, _)) = releases
            .iter()
            .find(|(x, _)| x.distribution == r.distribution && x.release == r.release)
        else {
            return Err(format!(
                "{} {}: not a release of targets/glibc.toml",
                r.distribution, r.release
            ));
        };
        for m in r.measured {
            let at = format!("{} {} {}", r.distribution, r.release, m.arch);
            if !rel.has_arch(&m.arch) {
                return Err(format!(
                    "{at}: targets/glibc.toml does not ship that arch there"
                ));
            }
            if out.iter().any(|i| {
                i.distribution == r.distribution && i.release == r.release && i.arch == m.arch
            }) {
                return Err(format!("{at}: measured twice"));
            }
            let mut highest = Vec::new();
            for v in [&m.glibc, &m.glibcxx, &m.cxxabi, &m.gcc, &m.zlib] {
                highest.push(match v.as_str() {
                    "" => None,
                    v => Some(Version::parse(v).ok_or_else(|| format!("{at}: bad version {v:?}"))?),
                });
            }
            out.push(Inventory {
                distribution: r.distribution.clone(),
                release: r.release.clone(),
                arch: m.arch,
                pep600: m.pep600,
                highest,
            });
        }
    }
    Ok(out)
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
    let g: GoFile = toml::from_str(GO_TOML).map_err(|e| format!("targets/go.toml: {e}"))?;
    let mut go = Vec::new();
    for r in g.release {
        let v = Version::parse(&r.go)
            .ok_or_else(|| format!("targets/go.toml: bad Go release {:?}", r.go))?;
        go.push((r, v));
    }
    let a: AndroidFile =
        toml::from_str(ANDROID_TOML).map_err(|e| format!("targets/android.toml: {e}"))?;
    if !a.api.windows(2).all(|w| w[0].level < w[1].level) {
        return Err("targets/android.toml: API levels not ascending".into());
    }
    let sys_crates =
        load_sys_crates(SYS_CRATES_TOML).map_err(|e| format!("targets/sys-crates.toml: {e}"))?;
    let frameworks =
        load_frameworks(FRAMEWORKS_TOML).map_err(|e| format!("targets/frameworks.toml: {e}"))?;
    let inventories = load_inventories(INVENTORIES_TOML, &releases)
        .map_err(|e| format!("targets/inventories/inventories.toml: {e}"))?;
    Ok(Tables {
        releases,
        arch_baselines,
        system,
        windows_api,
        go,
        android: a.api,
        sys_crates,
        frameworks,
        inventories,
        measured: Vec::new(),
        on_arch: BTreeMap::new(),
        distributions: Vec::new(),
    }
    .indexed())
}

/// The tables, parsed on first use. The files are part of the build and tested, so a
/// parse failure is a bug in this program.
pub fn tables() -> &'static Tables {
    static TABLES: OnceLock<Tables> = OnceLock::new();
    TABLES.get_or_init(|| load().unwrap_or_else(|e| panic!("built-in data table: {e}")))
}

// --- targets/prove.toml: the releases `--prove` and the matrix's `prove` key name ---

const PROVE_TOML: &str = include_str!("../targets/prove.toml");

/// A `[[release]]` of `targets/prove.toml`: the apt archive and suite `--prove` loads
/// binaries in (src/prove).
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ProveRelease {
    pub name: String,
    pub archive: String,
    #[serde(default)]
    pub ports: Option<String>,
    #[serde(default)]
    pub archive_arches: Vec<String>,
    pub suite: String,
    #[serde(default)]
    pub distribution: Option<String>,
    #[serde(default)]
    pub release: Option<String>,
}

impl ProveRelease {
    /// The archive root serving `arch` (Ubuntu's ports for the other architectures).
    pub fn archive_for(&self, arch: &str) -> &str {
        match &self.ports {
            Some(p) if !self.archive_arches.iter().any(|a| a == arch) => p,
            _ => &self.archive,
        }
    }

    /// The runs_on release this one proves (`Debian 11 (bullseye)`).
    pub fn claim(&self) -> Option<String> {
        Some(format!(
            "{} {}",
            self.distribution.as_ref()?,
            self.release.as_ref()?
        ))
    }
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ProveTable {
    /// Library soname → package name.
    pub packages: BTreeMap<String, String>,
    pub release: Vec<ProveRelease>,
}

pub fn prove_table() -> &'static ProveTable {
    static T: OnceLock<ProveTable> = OnceLock::new();
    T.get_or_init(|| toml::from_str(PROVE_TOML).expect("targets/prove.toml parses"))
}

/// The releases named by `--prove a,b,c`, or an error naming the flag and the unknown
/// name with the known ones.
pub fn parse_prove_releases(spec: &str) -> Result<Vec<&'static ProveRelease>, String> {
    let t = prove_table();
    let mut out: Vec<&ProveRelease> = Vec::new();
    for name in spec.split(',').map(str::trim) {
        if name.is_empty() {
            return Err("--prove: an empty release name".into());
        }
        let Some(r) = t.release.iter().find(|r| r.name == name) else {
            let known: Vec<&str> = t.release.iter().map(|r| r.name.as_str()).collect();
            return Err(format!(
                "--prove: unknown release `{name}` (targets/prove.toml has {})",
                known.join(", ")
            ));
        };
        if !out.iter().any(|o| o.name == r.name) {
            out.push(r);
        }
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn go_minimums_hold_from_their_release_on() {
        let t = tables();
        let m = t.go_minimums("go1.19.8").unwrap();
        assert_eq!(m.linux, Some(("2.6.32".into(), "1.18".into())));
        assert_eq!(m.macos, Some(("10.13".into(), "1.17".into())));
        assert_eq!(m.windows, Some(("7".into(), "1.13".into())));
        assert_eq!(m.freebsd, Some(("12.2".into(), "1.19".into())));
        let m = t.go_minimums("go1.21rc2").unwrap();
        assert_eq!(m.windows, Some(("10".into(), "1.21".into())));
        let old = t.go_minimums("go1.12").unwrap();
        assert_eq!(old, GoMinimums::default());
        assert_eq!(t.go_minimums("devel +abc"), None);
    }

    #[test]
    fn android_api_levels_name_their_release() {
        let t = tables();
        assert_eq!(t.android_release(24), Some("7.0"));
        assert_eq!(t.android_release(21), Some("5.0"));
        assert_eq!(t.android_release(9999), None);
    }

    #[test]
    fn releases_by_short_name() {
        let t = tables();
        let find = |n: &str| {
            t.find_release(n)
                .map(|(r, _)| format!("{} {} {}", r.distribution, r.release, r.glibc))
        };
        assert_eq!(find("rhel-7").as_deref(), Some("RHEL/CentOS 7 2.17"));
        assert_eq!(find("CentOS 7").as_deref(), Some("RHEL/CentOS 7 2.17"));
        assert_eq!(
            find("debian-11").as_deref(),
            Some("Debian 11 (bullseye) 2.31")
        );
        assert_eq!(
            find("debian-bullseye").as_deref(),
            Some("Debian 11 (bullseye) 2.31")
        );
        assert_eq!(find("ubuntu-20.04").as_deref(), Some("Ubuntu 20.04 2.31"));
        assert!(find("sles-15-sp6").is_some());
        assert!(find("opensuse-leap-15.6").is_some());
        assert!(find("fedora-35").is_some());
        // a number is not a prefix of another
        assert_eq!(find("rhel-1"), None);
        assert_eq!(find("ubuntu-20.0"), None);
        assert_eq!(find("debian"), None);
    }

    #[test]
    fn sys_crates_parse_and_every_row_has_a_source() {
        let t = load().expect("tables parse");
        assert!(t.sys_crates.len() >= 10);
        for c in &t.sys_crates {
            assert!(c.source.contains("2026-12-07"), "{}: {}", c.name, c.source);
            assert!(c.name.ends_with("-sys"), "{}", c.name);
            assert!(c.debian.ends_with("-dev"), "{}", c.name);
            if c.system == SystemUse::Required {
                assert!(!c.vendored.is_empty(), "{}", c.name);
            }
        }
        let o = t.sys_crate("openssl-sys").expect("openssl-sys");
        assert_eq!(o.vendored[0], "vendored");
        assert_eq!(o.vendored_via, ["openssl/vendored"]);
        assert_eq!(o.debian, "libssl-dev");
        assert!(o.env.iter().any(|e| e == "OPENSSL_DIR"));
        assert!(t.sys_crate("serde").is_none());
        // a row without a source is refused
        let bad = "[[crate]]\ncrate = \"x-sys\"\nlibraries = [\"x\"]\ndebian = \"libx-dev\"\n\
                   system = \"preferred\"\nenv = []\nsource = \" \"\n";
        assert!(load_sys_crates(bad).unwrap_err().contains("no source"));
    }

    #[test]
    fn frameworks_parse_and_every_row_has_a_source() {
        let t = load().expect("tables parse");
        assert!(t.frameworks.len() >= 4);
        for c in &t.frameworks {
            assert!(c.source.contains("2026-12-07"), "{}: {}", c.name, c.source);
            assert!(c.source.starts_with(&c.name), "{}", c.source);
        }
        let s = t
            .frameworks
            .iter()
            .find(|c| c.name == "security-framework-sys");
        assert_eq!(s.expect("security-framework-sys").frameworks, ["Security"]);
        let bad = "[[crate]]\ncrate = \"x-sys\"\nframeworks = []\nsource = \"x 1\"\n";
        assert!(load_frameworks(bad).unwrap_err().contains("no framework"));
    }

    #[test]
    fn tables_parse() {
        let t = load().expect("tables parse");
        assert!(t.releases.len() > 20);
        assert!(t.system["linux"].contains("libc.so.6", false));
    }

    /// One run of a distribution's release numbers.
    enum Run {
        /// Consecutive integers, first to last.
        Major(u32, u32),
        /// Exactly these, in this order.
        Listed(&'static [&'static str]),
        /// `YY.04` and `YY.10`, every half year, from (YY, MM) to (YY, MM).
        HalfYear((u32, u32), (u32, u32)),
        /// `N GA`, `N SP1`, `N SP2`, ... up to the last service pack.
        ServicePacks { major: u32, last: u32 },
        /// `N.first` to `N.last`, consecutive minor versions.
        Minor { major: u32, first: u32, last: u32 },
    }

    /// Each distribution's numbering rule and the range the table covers. A distribution
    /// added to the table must say here how it numbers its releases.
    fn numbering(distribution: &str) -> Option<Vec<Run>> {
        use Run::*;
        Some(match distribution {
            "RHEL/CentOS" => vec![Major(6, 10)],
            "Debian" => vec![Major(7, 13)],
            "Ubuntu" => vec![HalfYear((14, 4), (26, 4))],
            // the year-named 2023 follows 2
            "Amazon Linux" => vec![Listed(&["1", "2", "2023"])],
            "SLES" => vec![
                ServicePacks { major: 12, last: 5 },
                ServicePacks { major: 15, last: 7 },
                Minor {
                    major: 16,
                    first: 0,
                    last: 0,
                },
            ],
            "openSUSE Leap" => vec![
                Minor {
                    major: 42,
                    first: 1,
                    last: 3,
                },
                Minor {
                    major: 15,
                    first: 0,
                    last: 6,
                },
                Minor {
                    major: 16,
                    first: 0,
                    last: 0,
                },
            ],
            "Fedora" => vec![Major(35, 44)],
            "Anolis OS" => vec![Listed(&["8", "23"])],
            // the LTS releases from the first one measured
            "openEuler" => vec![Listed(&["24.03"])],
            _ => return None,
        })
    }

    fn expected_releases(runs: &[Run]) -> Vec<String> {
        let mut out = Vec::new();
        for run in runs {
            match run {
                Run::Major(a, b) => out.extend((*a..=*b).map(|n| n.to_string())),
                Run::Listed(l) => out.extend(l.iter().map(|s| s.to_string())),
                Run::HalfYear((y, m), (last_y, last_m)) => {
                    let (mut y, mut m) = (*y, *m);
                    while (y, m) <= (*last_y, *last_m) {
                        out.push(format!("{y}.{m:02}"));
                        (y, m) = if m == 4 { (y, 10) } else { (y + 1, 4) };
                    }
                }
                Run::ServicePacks { major, last } => {
                    out.push(format!("{major} GA"));
                    out.extend((1..=*last).map(|sp| format!("{major} SP{sp}")));
                }
                Run::Minor { major, first, last } => {
                    out.extend((*first..=*last).map(|n| format!("{major}.{n}")));
                }
            }
        }
        out
    }

    /// The release's number without its code name: `12 (bookworm)` is `12`.
    fn number(release: &str) -> &str {
        release.split(" (").next().unwrap_or(release)
    }

    fn distributions(t: &Tables) -> Vec<&str> {
        let mut order: Vec<&str> = Vec::new();
        for (r, _) in &t.releases {
            if order.last() != Some(&r.distribution.as_str()) {
                order.push(&r.distribution);
            }
        }
        order
    }

    fn releases_of<'a>(t: &'a Tables, d: &str) -> Vec<&'a (Release, Version)> {
        t.releases
            .iter()
            .filter(|(r, _)| r.distribution == d)
            .collect()
    }

    #[test]
    fn no_distribution_has_a_gap() {
        let t = load().unwrap();
        for d in distributions(&t) {
            let runs = numbering(d).unwrap_or_else(|| panic!("{d}: no numbering rule in the test"));
            let have: Vec<&str> = releases_of(&t, d)
                .iter()
                .map(|(r, _)| number(&r.release))
                .collect();
            let want = expected_releases(&runs);
            let missing: Vec<&String> = want
                .iter()
                .filter(|w| !have.contains(&w.as_str()))
                .collect();
            let extra: Vec<&&str> = have
                .iter()
                .filter(|h| !want.iter().any(|w| w == **h))
                .collect();
            assert_eq!(
                have, want,
                "{d}: releases missing {missing:?}, not in its numbering {extra:?}"
            );
        }
    }

    #[test]
    fn distributions_in_file_order_each_once() {
        let t = load().unwrap();
        assert_eq!(
            distributions(&t),
            [
                "RHEL/CentOS",
                "Debian",
                "Ubuntu",
                "Amazon Linux",
                "SLES",
                "openSUSE Leap",
                "Fedora",
                "Anolis OS",
                "openEuler"
            ]
        );
    }

    #[test]
    fn glibc_never_decreases_along_a_distribution() {
        let t = load().unwrap();
        for d in distributions(&t) {
            for w in releases_of(&t, d).windows(2) {
                assert!(
                    w[0].1 <= w[1].1,
                    "{d}: {} has glibc {} after {} with {}",
                    w[1].0.release,
                    w[1].0.glibc,
                    w[0].0.release,
                    w[0].0.glibc
                );
            }
        }
    }

    #[test]
    fn no_release_name_ends_with_plus() {
        // the summary appends "+" to the oldest release that satisfies the need
        let t = load().unwrap();
        for (r, _) in &t.releases {
            assert!(
                !r.release.ends_with('+'),
                "{} {}",
                r.distribution,
                r.release
            );
        }
    }

    #[test]
    fn no_release_ships_an_arch_older_than_its_port() {
        let t = load().unwrap();
        for (r, v) in &t.releases {
            assert!(!r.arches.is_empty(), "{} {}", r.distribution, r.release);
            for a in &r.arches {
                let base = t.glibc_baseline(a).expect("known arch");
                assert!(
                    base <= v,
                    "{} {} ships glibc {} for {a}, whose port is from {base}",
                    r.distribution,
                    r.release,
                    r.glibc
                );
            }
        }
    }

    fn arches_of<'a>(t: &'a Tables, d: &str, release: &str) -> &'a [String] {
        &t.releases
            .iter()
            .find(|(r, _)| r.distribution == d && r.release == release)
            .unwrap_or_else(|| panic!("{d} {release} in the table"))
            .0
            .arches
    }

    #[test]
    fn architectures_carry_over_with_their_changes() {
        let t = load().unwrap();
        let has = |d: &str, r: &str, a: &str| arches_of(&t, d, r).iter().any(|x| x == a);
        assert!(!has("Debian", "12 (bookworm)", "riscv64"));
        assert!(has("Debian", "13 (trixie)", "riscv64"));
        assert!(has("Debian", "12 (bookworm)", "mips64"));
        assert!(!has("Debian", "13 (trixie)", "mips64"));
        assert!(!has("Debian", "7 (wheezy)", "aarch64"));
        assert!(has("Debian", "10 (buster)", "aarch64"));
        assert!(!has("Ubuntu", "19.10", "riscv64"));
        assert!(has("Ubuntu", "20.04", "riscv64"));
        assert!(has("Ubuntu", "25.10", "riscv64"));
        assert!(has("Amazon Linux", "2023", "aarch64"));
        assert!(!has("Amazon Linux", "1 (2018.03)", "aarch64"));
        assert!(has("Fedora", "36", "arm"));
        assert!(!has("Fedora", "37", "arm"));
        for (r, _) in releases_of(&t, "RHEL/CentOS") {
            assert!(!r.has_arch("riscv64"), "RHEL {}", r.release);
        }
        // loongarch64: the two releases that ship it, no other (Debian's is a port)
        let loong: Vec<String> = t
            .releases
            .iter()
            .filter(|(r, _)| r.has_arch("loongarch64"))
            .map(|(r, _)| format!("{} {}", r.distribution, r.release))
            .collect();
        assert_eq!(loong, ["Anolis OS 23", "openEuler 24.03"]);
    }

    #[test]
    fn known_glibc_values() {
        let t = load().unwrap();
        let glibc = |d: &str, r: &str| {
            t.releases
                .iter()
                .find(|(x, _)| x.distribution == d && x.release == r)
                .map(|(x, _)| x.glibc.as_str())
        };
        for (d, r, g) in [
            ("Fedora", "35", "2.34"),
            ("Fedora", "43", "2.42"),
            ("Ubuntu", "21.10", "2.34"),
            ("Ubuntu", "25.10", "2.42"),
            ("Debian", "13 (trixie)", "2.41"),
            ("SLES", "15 SP3", "2.26"),
            ("SLES", "15 SP4", "2.31"),
            ("SLES", "15 SP6", "2.38"),
            ("openSUSE Leap", "16.0", "2.40"),
            ("Amazon Linux", "2", "2.26"),
        ] {
            assert_eq!(glibc(d, r), Some(g), "{d} {r}");
        }
    }

    #[test]
    fn glibc_table_rejects_bad_entries() {
        let file = |releases: &str| {
            format!(
                "[[arch]]\nname = \"x86_64\"\nbaseline = \"2.2.5\"\n\
                 [[distribution]]\nname = \"D\"\narches = [\"x86_64\"]\nrelease = [{releases}]\n"
            )
        };
        assert!(load_glibc(&file(r#"{ release = "1", glibc = "2.17" }"#)).is_ok());
        for bad in [
            r#"{ release = "1+", glibc = "2.17" }"#,
            r#"{ release = "1", glibc = "2.17" }, { release = "1", glibc = "2.17" }"#,
            r#"{ release = "1", glibc = "x" }"#,
            r#"{ release = "1", glibc = "2.17", added = ["riscv64"] }"#,
            r#"{ release = "1", glibc = "2.17", added = ["x86_64"] }"#,
            r#"{ release = "1", glibc = "2.17", removed = ["aarch64"] }"#,
            r#"{ release = "1", glibc = "2.17", arches = ["x86_64"] }"#,
        ] {
            assert!(load_glibc(&file(bad)).is_err(), "accepted {bad}");
        }
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

    /// The committed inventories are what `targets/inventories/convert.py` makes from a
    /// copy of pep600_compliance at the commit they name. The copy is looked for in
    /// `$CARGO_PORTABLE_PEP600` or `../shared/data/pep600`; without one (CI), skipped.
    #[test]
    fn inventories_are_what_the_converter_makes() {
        let root = std::path::Path::new(env!("CARGO_MANIFEST_DIR"));
        let copy = std::env::var_os("CARGO_PORTABLE_PEP600")
            .map(std::path::PathBuf::from)
            .unwrap_or_else(|| root.join("../shared/data/pep600"));
        if !copy.join("cache").is_dir() {
            eprintln!(
                "skipped: no pep600_compliance copy at {} (set CARGO_PORTABLE_PEP600)",
                copy.display()
            );
            return;
        }
        let out = match std::process::Command::new("python3")
            .arg(root.join("targets/inventories/convert.py"))
            .arg(&copy)
            .output()
        {
            Ok(o) => o,
            Err(e) => {
                eprintln!("skipped: python3: {e}");
                return;
            }
        };
        assert!(
            out.status.success(),
            "convert.py: {}",
            String::from_utf8_lossy(&out.stderr)
        );
        let made = String::from_utf8(out.stdout).unwrap();
        assert!(
            made == INVENTORIES_TOML,
            "targets/inventories/inventories.toml differs from convert.py's output: run \
             python3 targets/inventories/convert.py {} > targets/inventories/inventories.toml",
            copy.display()
        );
    }

    #[test]
    fn inventories_parse_and_cover_the_new_releases() {
        let t = load().unwrap();
        assert!(t.inventories.len() > 100);
        let inv = |d: &str, rel: &str, arch: &str| {
            let (r, _) = t
                .releases
                .iter()
                .find(|(r, _)| r.distribution == d && r.release == rel)
                .unwrap();
            t.inventory(r, arch)
        };
        let rhel9 = inv("RHEL/CentOS", "9", "x86_64").expect("RHEL 9 x86_64 measured");
        assert_eq!(rhel9.pep600, "rhubi-9");
        let v = |s: &str| Version::parse(s).unwrap();
        assert_eq!(rhel9.exports("GLIBCXX", &v("3.4.29")), Some(true));
        assert_eq!(rhel9.exports("GLIBCXX", &v("3.4.30")), Some(false));
        assert_eq!(rhel9.exports("GLIBC", &v("2.34")), Some(true));
        assert_eq!(rhel9.exports("FBSD", &v("1.0")), None);
        for arch in ["x86_64", "aarch64", "riscv64"] {
            assert!(
                inv("Ubuntu", "26.04", arch).is_some(),
                "Ubuntu 26.04 {arch}"
            );
        }
        assert!(inv("Fedora", "44", "x86_64").is_some());
        // every measured glibc reaches the table's release glibc, but 2.19, which
        // defined no GLIBC_2.19 (Debian 8 exports up to GLIBC_2.18)
        for i in &t.inventories {
            let (_, glibc) = t
                .releases
                .iter()
                .find(|(r, _)| r.distribution == i.distribution && r.release == i.release)
                .unwrap();
            assert!(
                *glibc == v("2.19") || i.highest[0].as_ref().is_some_and(|h| h >= glibc),
                "{} {} {}: measured GLIBC below the table's {glibc}",
                i.distribution,
                i.release,
                i.arch
            );
        }
    }

    #[test]
    fn inventories_reject_an_unknown_release_or_arch() {
        let (releases, _) = load_glibc(GLIBC_TOML).unwrap();
        let entry = |d: &str, r: &str, a: &str| {
            format!(
                "source = \"s\"\ncommit = \"c\"\n[[release]]\ndistribution = \"{d}\"\nrelease = \"{r}\"\n\
                 measured = [{{ arch = \"{a}\", pep600 = \"x\", glibc = \"2.34\", glibcxx = \"\", \
                 cxxabi = \"\", gcc = \"\", zlib = \"\", libraries = [] }}]\n"
            )
        };
        assert!(load_inventories(&entry("RHEL/CentOS", "9", "x86_64"), &releases).is_ok());
        assert!(load_inventories(&entry("RHEL/CentOS", "99", "x86_64"), &releases).is_err());
        assert!(load_inventories(&entry("RHEL/CentOS", "9", "riscv64"), &releases).is_err());
    }
}
