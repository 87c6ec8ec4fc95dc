//! What a crate's dependency graph asks of the machine: the packages whose build
//! scripts compile C (so every variant needs a C compiler for its target), and the
//! host programs those build scripts run (cmake, perl, make), and the `rust-version`
//! the installed rustc does not meet. Pure over cargo's metadata.

use std::collections::{BTreeMap, BTreeSet};

use cargo_metadata::{DependencyKind, Metadata, Package, PackageId};

use crate::data::{FrameworkCrate, SysCrate, SystemUse};
use crate::version::Version;

/// Build-dependencies that compile C or find a native library for a build script.
const NATIVE_BUILD_DEPS: &[&str] = &["cc", "cmake", "autotools", "pkg-config", "vcpkg", "bindgen"];

pub use crate::toolchain::BuildTool;

/// The host programs the graph's build scripts run: cmake for a build-dependency on
/// the `cmake` crate; make for `autotools` and the jemalloc build scripts (configure,
/// then make); perl and make for OpenSSL's sources (`openssl-src`: Configure is Perl);
/// nasm for aws-lc-sys (its Windows assembly).
///
/// And pkg-config for a crate of `rows` (`targets/sys-crates.toml`) that finds its
/// system library only through it (`needs-pkg-config`); not required: a variant that
/// builds the library from source does not need it, and the plan decides per variant
/// ([`crate::engine::plan::system_libs`]).
pub fn build_tools(meta: &Metadata, id: &PackageId, rows: &[SysCrate]) -> Vec<BuildTool> {
    let mut tools: BTreeMap<&'static str, BuildTool> = BTreeMap::new();
    let mut add = |program: &'static str, apt: &'static str, required: bool, by: &str| {
        let t = tools.entry(program).or_insert_with(|| BuildTool {
            program,
            apt,
            required,
            by: Vec::new(),
        });
        t.required |= required;
        if !t.by.iter().any(|b| b == by) {
            t.by.push(by.to_owned());
        }
    };
    for p in reachable(meta, id) {
        let name = p.name.as_str();
        if builds_with(p, "cmake") {
            add("cmake", "cmake", false, name);
        }
        if builds_with(p, "autotools") || name.ends_with("jemalloc-sys") {
            add("make", "make", true, name);
        }
        if name == "aws-lc-sys" || name == "aws-lc-fips-sys" {
            // its assembly for Windows targets is NASM's (not needed elsewhere)
            add("nasm", "nasm", false, name);
        }
        if name == "openssl-src" {
            add("perl", "perl", true, name);
            add("make", "make", true, name);
        }
        if rows
            .iter()
            .any(|r| r.name == name && r.needs_pkg_config.is_some())
        {
            add("pkg-config", "pkg-config", false, name);
        }
    }
    tools.into_values().collect()
}

/// The packages `id` depends on (for any platform, with every feature: a superset)
/// whose build scripts compile C or link native libraries: a build-dependency on one of
/// [`NATIVE_BUILD_DEPS`], or a `-sys` package with `links`.
pub fn native_deps(meta: &Metadata, id: &PackageId) -> Vec<String> {
    if meta.resolve.is_none() {
        return vec!["(no dependency graph)".into()];
    }
    let mut found: Vec<String> = reachable(meta, id)
        .into_iter()
        .filter(|p| {
            // `links` alone is also a lock against two versions (rayon-core,
            // wasm-bindgen-shared): it counts on a -sys package
            NATIVE_BUILD_DEPS.iter().any(|d| builds_with(p, d))
                || (p.links.is_some() && p.name.ends_with("-sys"))
        })
        .map(|p| p.name.to_string())
        .collect();
    found.sort();
    found.dedup();
    found
}

/// The package of `id`'s graph whose `rust-version` is the highest above `installed`
/// (rustc's version, without its pre-release part, as cargo compares them): the
/// package's name and the version it asks for. `None` when the installed rustc meets
/// every one.
pub fn rust_version_above(
    meta: &Metadata,
    id: &PackageId,
    installed: &Version,
) -> Option<(String, Version)> {
    reachable(meta, id)
        .into_iter()
        .filter_map(|p| {
            let v = p.rust_version.as_ref()?;
            let v = Version::parse(&format!("{}.{}.{}", v.major, v.minor, v.patch))?;
            (v > *installed).then(|| (p.name.to_string(), v))
        })
        .max_by(|a, b| a.1.cmp(&b.1).then_with(|| b.0.cmp(&a.0)))
}

/// A package of the graph that links a system C library the build does not build from
/// source: a row of `targets/sys-crates.toml` that is `required` with none of its
/// vendoring features on, or `opt-in` with its system feature on.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SystemLib {
    /// The `-sys` crate (`openssl-sys`).
    pub krate: String,
    /// The library it links (`ssl`).
    pub library: String,
    /// The Debian -dev package with it (`libssl-dev`).
    pub debian: String,
    /// Its build script finds it only through pkg-config: why (`needs-pkg-config`).
    pub needs_pkg_config: Option<String>,
    /// The environment variables its build script reads to find the library
    /// (`OPENSSL_DIR`, …): one that is set points it somewhere of the user's choosing.
    pub env: Vec<String>,
    /// What builds it from source instead: `--features openssl/vendored` when the
    /// package depends on the crate that spells it, else the line to add to
    /// Cargo.toml; then the alternative, if any.
    pub fix: String,
}

/// The system libraries `id`'s graph (as resolved, with its features) links, from the
/// table `rows` (the only place that knows the crates by name).
pub fn system_libs(meta: &Metadata, id: &PackageId, rows: &[SysCrate]) -> Vec<SystemLib> {
    let Some(resolve) = &meta.resolve else {
        return Vec::new();
    };
    let node = |id: &PackageId| resolve.nodes.iter().find(|n| &n.id == id);
    let name_of = |id: &PackageId| {
        meta.packages
            .iter()
            .find(|p| &p.id == id)
            .map(|p| p.name.to_string())
    };
    let direct: Vec<String> = node(id)
        .map(|n| n.deps.iter().filter_map(|d| name_of(&d.pkg)).collect())
        .unwrap_or_default();
    let mut found = Vec::new();
    for p in reachable(meta, id) {
        let Some(row) = rows.iter().find(|r| r.name == p.name.as_str()) else {
            continue;
        };
        let on: Vec<&str> = node(&p.id)
            .map(|n| n.features.iter().map(|f| f.as_str()).collect())
            .unwrap_or_default();
        let system = match row.system {
            SystemUse::Required => !row.vendored.iter().any(|f| on.contains(&f.as_str())),
            SystemUse::OptIn => row
                .system_feature
                .as_deref()
                .is_some_and(|f| on.contains(&f)),
            SystemUse::Preferred => false,
        };
        if !system {
            continue;
        }
        let mut fix = vendoring_fix(row, &p.version, &direct);
        if let Some(alt) = &row.alternative {
            fix.push_str(&format!(", or {alt}"));
        }
        found.push(SystemLib {
            krate: row.name.clone(),
            library: row.libraries[0].clone(),
            debian: row.debian.clone(),
            needs_pkg_config: row.needs_pkg_config.clone(),
            env: row.env.clone(),
            fix,
        });
    }
    found.sort_by(|a, b| a.krate.cmp(&b.krate));
    found.dedup_by(|a, b| a.krate == b.krate);
    found
}

/// A macOS framework `id`'s graph links (from `targets/frameworks.toml`): the crate
/// that asks for it and the framework.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord)]
pub struct FrameworkUse {
    /// The crate (`security-framework-sys`).
    pub krate: String,
    /// The framework (`Security`).
    pub framework: String,
}

/// The macOS frameworks the packages of `id`'s graph link, from the table `rows` (the
/// only place that knows the crates by name); resolve the graph for an apple target
/// (`--filter-platform`) for what that target links.
pub fn frameworks(meta: &Metadata, id: &PackageId, rows: &[FrameworkCrate]) -> Vec<FrameworkUse> {
    let mut found: Vec<FrameworkUse> = reachable(meta, id)
        .into_iter()
        .filter_map(|p| rows.iter().find(|r| r.name == p.name.as_str()))
        .flat_map(|r| {
            r.frameworks.iter().map(|f| FrameworkUse {
                krate: r.name.clone(),
                framework: f.clone(),
            })
        })
        .collect();
    found.sort();
    found.dedup();
    found
}

/// How to build `row`'s library from source: `--features <crate>/<feature>` with the
/// crate the package depends on directly (the `-sys` crate or a crate that forwards
/// the feature), else the dependency line that turns the feature on (cargo unifies a
/// package's features).
fn vendoring_fix(
    row: &SysCrate,
    version: &cargo_metadata::semver::Version,
    direct: &[String],
) -> String {
    let Some(feature) = row.vendored.first() else {
        return match &row.system_feature {
            Some(f) => format!(
                "turn off the `{f}` feature of {} (it then builds its own copy)",
                row.name
            ),
            None => format!("build {} from its own sources", row.name),
        };
    };
    // the same feature for the variants that need it only: the matrix's key
    let flag = |f: &str| {
        format!(
            "--features {f} (for this variant only: features = [\"{f}\"] on it in portable.toml)"
        )
    };
    if direct.contains(&row.name) {
        return flag(&format!("{}/{feature}", row.name));
    }
    for via in &row.vendored_via {
        if let Some((krate, _)) = via.split_once('/') {
            if direct.iter().any(|d| d == krate) {
                return flag(via);
            }
        }
    }
    let req = if version.major == 0 {
        format!("0.{}", version.minor)
    } else {
        version.major.to_string()
    };
    format!(
        "add `{} = {{ version = \"{req}\", features = [\"{feature}\"] }}` to [dependencies] in Cargo.toml",
        row.name
    )
}

/// The crates of `id`'s graph as `cargo build` builds it (normal and build
/// dependencies, not dev, as `meta` resolves them: with `--filter-platform`, for one
/// target), sorted by name and version: the package itself, and `build` for those
/// only build scripts and proc macros use (reached only through a build-dependency or
/// a proc macro). The source in cargo-auditable's words (`local`, `crates.io`, `git`,
/// `registry`).
pub fn resolved_crates(meta: &Metadata, id: &PackageId) -> Vec<crate::model::Crate> {
    let Some(resolve) = &meta.resolve else {
        return Vec::new();
    };
    let packages: BTreeMap<_, _> = meta.packages.iter().map(|p| (&p.id, p)).collect();
    let proc_macro = |id: &PackageId| {
        packages
            .get(id)
            .is_some_and(|p| p.targets.iter().any(|t| t.is_proc_macro()))
    };
    // linked: reached from the package through normal dependencies, no proc macro
    let nodes: BTreeMap<_, _> = resolve.nodes.iter().map(|n| (&n.id, n)).collect();
    let mut linked = BTreeSet::new();
    let mut todo = vec![id];
    while let Some(at) = todo.pop() {
        if (at != id && proc_macro(at)) || !linked.insert(at) {
            continue;
        }
        if let Some(n) = nodes.get(at) {
            todo.extend(
                n.deps
                    .iter()
                    .filter(|d| {
                        d.dep_kinds.is_empty()
                            || d.dep_kinds.iter().any(|k| k.kind == DependencyKind::Normal)
                    })
                    .map(|d| &d.pkg),
            );
        }
    }
    let mut out: Vec<crate::model::Crate> = reachable(meta, id)
        .into_iter()
        .map(|p| crate::model::Crate {
            name: p.name.to_string(),
            version: p.version.to_string(),
            source: source_name(p.source.as_ref().map(|s| s.repr.as_str())),
            build: !linked.contains(&p.id),
        })
        .collect();
    out.sort_by(|a, b| (&a.name, &a.version).cmp(&(&b.name, &b.version)));
    out
}

/// A package's source as cargo-auditable writes it.
fn source_name(repr: Option<&str>) -> String {
    match repr {
        None => "local",
        Some("registry+https://github.com/rust-lang/crates.io-index")
        | Some("sparse+https://index.crates.io/") => "crates.io",
        Some(s) if s.starts_with("git+") => "git",
        Some(_) => "registry",
    }
    .to_owned()
}

fn builds_with(p: &Package, build_dep: &str) -> bool {
    p.dependencies
        .iter()
        .any(|d| d.kind == DependencyKind::Build && d.name == build_dep)
}

/// The packages `cargo build` of `id` builds: normal and build dependencies, not dev.
fn reachable<'m>(meta: &'m Metadata, id: &PackageId) -> Vec<&'m Package> {
    let Some(resolve) = &meta.resolve else {
        return Vec::new();
    };
    let nodes: BTreeMap<_, _> = resolve.nodes.iter().map(|n| (&n.id, n)).collect();
    let mut seen = BTreeSet::new();
    let mut todo = vec![id];
    while let Some(id) = todo.pop() {
        if seen.insert(id) {
            if let Some(n) = nodes.get(id) {
                todo.extend(
                    n.deps
                        .iter()
                        .filter(|d| {
                            d.dep_kinds.is_empty()
                                || d.dep_kinds
                                    .iter()
                                    .any(|k| k.kind != DependencyKind::Development)
                        })
                        .map(|d| &d.pkg),
                );
            }
        }
    }
    meta.packages
        .iter()
        .filter(|p| seen.contains(&p.id))
        .collect()
}
