//! The matrix engine behind `cargo portable build`: plan every variant, build the ready ones (groups in
//! parallel, variants of a group one after another in their own target directories
//! seeded from the group's first), inspect each executable, check expectations.

pub mod cargo;
pub mod graph;
pub mod plan;
mod progress;

use std::collections::{BTreeMap, VecDeque};
use std::path::{Path, PathBuf};
use std::sync::Mutex;

use anyhow::{bail, Context, Result};

use self::cargo::{build_variant, copy_host, copy_tree, Built};
use self::graph::{
    build_tools, frameworks, native_deps, resolved_crates, rust_version_above, system_libs,
    BuildTool, FrameworkUse, SystemLib,
};
use self::plan::{
    plan, unmet_rust_version, unmet_tools, FrameworkPlan, Invocation, Plan, RustVersionGap, SdkRoot,
};
pub use self::progress::Progress;
use self::progress::Running;
use crate::matrix::{Matrix, Variant};
use crate::model::Severity;
use crate::platform::Triple;
use crate::report::variants::{
    CCompiler, SeedKind, SeededFrom, Status, VariantError, VariantLinker, VariantReport,
};
use crate::scan::{scan, Scan, ScanOptions};
use crate::toolchain::cache::{self, Stamp};
use crate::toolchain::{needs, Machine, Toolchain};

/// Everything `build` needs besides the matrix.
#[derive(Debug, Clone)]
pub struct BuildOptions {
    /// `--manifest-path`
    pub manifest_path: Option<PathBuf>,
    /// Cargo's flags, passed through.
    pub cargo: CargoOptions,
    /// `--bin`: build only these (default: every binary of the package).
    pub bins: Vec<String>,
    /// `--variant`: build only these ids (default: all).
    pub variants: Vec<String>,
    pub jobs: usize,
    pub quiet: bool,
    /// Fill the artifacts' `origin` fields from their links (`why` reads the links
    /// itself and skips it).
    pub attribute: bool,
    /// Record every variant's resolved crate graph (`crates`: `cargo metadata
    /// --filter-platform` of its target, the build's features), for the SBOM: asked
    /// by the formats that carry it (`json`, `cyclonedx`).
    pub graph: bool,
}

/// Cargo's own flags, passed through to every cargo call of a build.
#[derive(Debug, Clone, Default)]
pub struct CargoOptions {
    /// `--package`
    pub package: Option<String>,
    /// `--profile`
    pub profile: String,
    /// `--features`, as given (space or comma separated, repeatable).
    pub features: Vec<String>,
    pub all_features: bool,
    pub no_default_features: bool,
    pub locked: bool,
    pub offline: bool,
}

/// The package and binaries to build, and the workspace's target directory.
#[derive(Debug)]
pub struct Workspace {
    pub root: PathBuf,
    pub target_dir: PathBuf,
    pub package: String,
    pub bins: Vec<String>,
    /// Packages in the dependency graph whose build scripts compile C or link native
    /// libraries (a build-dependency on cc, cmake, autotools, pkg-config, vcpkg or
    /// bindgen, or a `-sys` package with `links`); empty when none do.
    pub native_deps: Vec<String>,
    /// The host programs those build scripts run (cmake, perl, make), in the graph of
    /// every feature of the package: for a variant whose own graph was not resolved
    /// (see `needs_links_check`; when it was, that graph decides).
    pub build_tools: Vec<BuildTool>,
    /// The package of the graph the build resolves (its own features, every
    /// platform) whose `rust-version` the installed rustc does not meet, the highest:
    /// then each variant's own target decides (a dependency only another platform uses
    /// does not count), and a variant whose graph has one is skipped for it, before
    /// anything is compiled.
    pub rust_version: Option<RustVersionGap>,
    /// cargo's id of the package.
    pub package_id: cargo_metadata::PackageId,
    /// The macOS frameworks the graph of every feature links on some platform
    /// (`targets/frameworks.toml`): an apple variant's own graph decides.
    pub frameworks: Vec<FrameworkUse>,
}

/// Ask cargo which package and binaries `build` means.
pub fn resolve_workspace(tc: &Toolchain, opts: &BuildOptions) -> Result<Workspace> {
    let mut cmd = cargo_metadata::MetadataCommand::new();
    cmd.cargo_path(&tc.cargo)
        .features(cargo_metadata::CargoOpt::AllFeatures);
    if let Some(m) = &opts.manifest_path {
        cmd.manifest_path(m);
    }
    let mut other = Vec::new();
    if opts.cargo.locked {
        other.push("--locked".to_owned());
    }
    if opts.cargo.offline {
        other.push("--offline".to_owned());
    }
    cmd.other_options(other);
    let meta = cargo::metadata(tc, &cmd).context("running `cargo metadata`")?;
    let package = match &opts.cargo.package {
        Some(name) => meta
            .workspace_packages()
            .into_iter()
            .find(|p| p.name.as_str() == name)
            .with_context(|| format!("package `{name}` is not in the workspace"))?,
        None => match meta.root_package() {
            Some(p) => p,
            None => bail!("the workspace has no root package: choose one with -p/--package"),
        },
    };
    let all: Vec<String> = package
        .targets
        .iter()
        .filter(|t| t.is_bin())
        .map(|t| t.name.clone())
        .collect();
    let bins = if opts.bins.is_empty() {
        all
    } else {
        for b in &opts.bins {
            if !all.contains(b) {
                bail!(
                    "package `{}` has no binary `{b}` (it has: {})",
                    package.name,
                    all.join(", ")
                );
            }
        }
        opts.bins.clone()
    };
    if bins.is_empty() {
        bail!("package `{}` has no binary to build", package.name);
    }
    let native_deps = native_deps(&meta, &package.id);
    let frameworks = frameworks(&meta, &package.id, &crate::data::tables().frameworks);
    let rust_version = rust_version_gap(tc, opts, &meta, &package.id);
    Ok(Workspace {
        rust_version,
        frameworks,
        package_id: package.id.clone(),
        native_deps,
        build_tools: build_tools(&meta, &package.id, &crate::data::tables().sys_crates),
        root: meta.workspace_root.clone().into_std_path_buf(),
        target_dir: meta.target_directory.clone().into_std_path_buf(),
        package: package.name.to_string(),
        bins,
    })
}

/// The `rust-version` of `id`'s graph the installed rustc does not meet. The graph of
/// every feature (`meta`) is a superset of the build's: only when it has one is cargo
/// asked again for the graph of the build's own features, which decides (an optional
/// dependency the build leaves out does not count). `None` also when rustc's version
/// is unknown or cargo cannot resolve the build's graph (the build then says why).
fn rust_version_gap(
    tc: &Toolchain,
    opts: &BuildOptions,
    meta: &cargo_metadata::Metadata,
    id: &cargo_metadata::PackageId,
) -> Option<RustVersionGap> {
    let installed = tc.rustc_release()?;
    rust_version_above(meta, id, &installed)?;
    let built = build_graph(tc, opts, None, &[]).ok()?;
    let (package, needed) = rust_version_above(&built, id, &installed)?;
    Some(RustVersionGap {
        package,
        needed,
        installed,
    })
}

/// The graph the build resolves for one target and one variant's features.
struct TargetGraph {
    target: String,
    meta: cargo_metadata::Metadata,
}

/// `cargo metadata --filter-platform` of the graph the build resolves, per distinct
/// target and variant features of `selected` (one call each, all at once), by
/// [`links_key`]; a target cargo cannot resolve is missing (the build then says why).
fn target_graphs(
    tc: &Toolchain,
    opts: &BuildOptions,
    selected: &[&Variant],
) -> BTreeMap<String, TargetGraph> {
    let mut keys: Vec<(&str, &[String])> = selected
        .iter()
        .map(|v| (v.target(), v.features.as_slice()))
        .collect();
    keys.sort();
    keys.dedup();
    std::thread::scope(|s| {
        let calls: Vec<_> = keys
            .iter()
            .map(|&(t, f)| {
                (
                    t,
                    f,
                    s.spawn(move || build_graph(tc, opts, Some(t), f).ok()),
                )
            })
            .collect();
        calls
            .into_iter()
            .filter_map(|(t, f, h)| {
                let meta = h.join().ok().flatten()?;
                Some((
                    links_key(t, f),
                    TargetGraph {
                        target: t.to_owned(),
                        meta,
                    },
                ))
            })
            .collect()
    })
}

/// Per selected variant (by id), the `rust-version` the installed rustc does not meet
/// in the graph the build resolves for the variant's target and features
/// ([`target_graphs`]): a dependency only another platform uses does not count. Asked
/// only when the graph of every platform has one ([`Workspace::rust_version`]); a
/// target cargo cannot resolve keeps that one (the build then says why).
fn target_rust_versions(
    tc: &Toolchain,
    opts: &BuildOptions,
    ws: &Workspace,
    selected: &[&Variant],
) -> BTreeMap<String, RustVersionGap> {
    let (Some(gap), Some(installed)) = (&ws.rust_version, tc.rustc_release()) else {
        return BTreeMap::new();
    };
    let graphs = target_graphs(tc, opts, selected);
    selected
        .iter()
        .filter_map(|v| {
            let gap = match graphs.get(&links_key(v.target(), &v.features)) {
                Some(g) => rust_version_above(&g.meta, &ws.package_id, &installed).map(
                    |(package, needed)| RustVersionGap {
                        package,
                        needed,
                        installed: installed.clone(),
                    },
                ),
                None => Some(gap.clone()),
            }?;
            Some((v.id().to_owned(), gap))
        })
        .collect()
}

/// Whether the graphs per target are needed for what the build links and runs: the
/// graph of every feature has a crate of `targets/sys-crates.toml`, or an apple target
/// is selected and that graph has a crate of `targets/frameworks.toml`, or the build
/// or a variant turns on a dependency's feature (`openssl/vendored`), which the graph
/// of every feature of the package does not have (the host programs its build scripts
/// run, [`build_tools`], come from the variant's own graph), or that graph compiles C
/// (which packages do, for the variant's target, is [`TargetLinks::native`]).
fn needs_links_check(ws: &Workspace, opts: &BuildOptions, selected: &[&Variant]) -> bool {
    let apple = !ws.frameworks.is_empty() && selected.iter().any(|v| v.triple().is_apple());
    let dependency_feature = selected
        .iter()
        .flat_map(|v| build_features(&opts.cargo, &v.features))
        .any(|f| f.contains('/'));
    apple || dependency_feature || !ws.native_deps.is_empty()
}

/// Per graph ([`target_graphs`]), the system libraries it links without building them
/// ([`system_libs`], from `targets/sys-crates.toml`), for an apple target the macOS
/// frameworks it links (`targets/frameworks.toml`), and the host programs its build
/// scripts run ([`build_tools`]).
fn links_of(
    ws: &Workspace,
    graphs: &BTreeMap<String, TargetGraph>,
) -> BTreeMap<String, TargetLinks> {
    let tables = crate::data::tables();
    graphs
        .iter()
        .map(|(key, g)| {
            let frameworks = if Triple::parse(&g.target).is_apple() {
                frameworks(&g.meta, &ws.package_id, &tables.frameworks)
            } else {
                Vec::new()
            };
            let libs = system_libs(&g.meta, &ws.package_id, &tables.sys_crates);
            let tools = build_tools(&g.meta, &ws.package_id, &tables.sys_crates);
            let native = native_deps(&g.meta, &ws.package_id);
            (
                key.clone(),
                TargetLinks {
                    libs,
                    frameworks,
                    tools,
                    native,
                },
            )
        })
        .collect()
}

/// Per target and features of `selected`, what its graph links that the machine must
/// have ([`links_of`]); cargo is asked only when [`needs_links_check`] says so.
fn target_system_libs(
    tc: &Toolchain,
    opts: &BuildOptions,
    ws: &Workspace,
    selected: &[&Variant],
) -> BTreeMap<String, TargetLinks> {
    if !needs_links_check(ws, opts, selected) {
        return BTreeMap::new();
    }
    links_of(ws, &target_graphs(tc, opts, selected))
}

/// The key of [`target_graphs`]'s map: the target and the variant's features.
fn links_key(target: &str, features: &[String]) -> String {
    format!("{target} {}", features.join(","))
}

/// What a target's resolved graph links that the machine must have: system libraries
/// and macOS frameworks; and the host programs its build scripts run.
#[derive(Debug, Clone, Default)]
struct TargetLinks {
    libs: Vec<SystemLib>,
    frameworks: Vec<FrameworkUse>,
    tools: Vec<BuildTool>,
    /// The packages of this graph whose build scripts compile C or link native
    /// libraries ([`native_deps`]): a dependency only another platform has (mimalloc
    /// on musl) does not give this target's variants a C toolchain and flags for every
    /// crate, which would keep them from sharing their dependency builds.
    native: Vec<String>,
}

/// The entry of [`links_of`]'s map for `v`: its graph, resolved for its target with the
/// features it builds with ([`build_features`]). `None` when it was not asked for
/// ([`needs_links_check`]) or cargo could not resolve it.
fn links_for<'a>(sys: &'a BTreeMap<String, TargetLinks>, v: &Variant) -> Option<&'a TargetLinks> {
    sys.get(&links_key(v.target(), &v.features))
}

/// What the graphs of `variants` (each resolved for its target with the features it
/// builds with) ask `setup` for: the multiarch `-dev` packages (Debian architecture,
/// `package:arch`) the cross glibc variants lack for the system libraries they link
/// ([`plan::missing_multiarch`]), and the host programs their build scripts run
/// ([`build_tools`]: perl and make for a variant that vendors OpenSSL), to add to
/// those of the graph of every feature.
pub fn graph_needs(
    tc: &Toolchain,
    opts: &BuildOptions,
    ws: &Workspace,
    variants: &[&Variant],
) -> (Vec<(String, String)>, Vec<BuildTool>) {
    let sys = target_system_libs(tc, opts, ws, variants);
    let mut multiarch: Vec<(String, String)> = variants
        .iter()
        .filter_map(|v| Some(plan::missing_multiarch(v, &links_for(&sys, v)?.libs, tc)))
        .flatten()
        .collect();
    multiarch.sort();
    multiarch.dedup();
    let mut tools = Vec::new();
    for links in sys.values() {
        merge_tools(&mut tools, links.tools.iter().cloned());
    }
    (multiarch, tools)
}

/// Add `more` to `tools`, one entry per program (required if any says so, with every
/// package that runs it).
pub fn merge_tools(tools: &mut Vec<BuildTool>, more: impl IntoIterator<Item = BuildTool>) {
    for t in more {
        match tools.iter_mut().find(|have| have.program == t.program) {
            Some(have) => {
                have.required |= t.required;
                have.by.extend(t.by);
                have.by.sort();
                have.by.dedup();
            }
            None => tools.push(t),
        }
    }
}

/// The features a variant builds with: the build's `--features` (space or comma
/// separated) and the variant's own `features` key (the matrix-wide `features` are
/// already in it, [`crate::matrix`]). The graphs that decide skips, system libraries
/// and host programs are resolved with these ([`build_graph`]).
fn build_features(c: &CargoOptions, variant_features: &[String]) -> Vec<String> {
    c.features
        .iter()
        .flat_map(|f| f.split([' ', ',']))
        .filter(|f| !f.is_empty())
        .map(str::to_owned)
        .chain(variant_features.iter().cloned())
        .collect()
}

/// `cargo metadata` of the graph the build resolves: the build's own features (not
/// every feature) with a variant's own `variant_features` added, and only
/// `platform`'s dependencies when one is given.
fn build_graph(
    tc: &Toolchain,
    opts: &BuildOptions,
    platform: Option<&str>,
    variant_features: &[String],
) -> Result<cargo_metadata::Metadata, cargo_metadata::Error> {
    use cargo_metadata::CargoOpt;
    let mut cmd = cargo_metadata::MetadataCommand::new();
    cmd.cargo_path(&tc.cargo);
    if let Some(m) = &opts.manifest_path {
        cmd.manifest_path(m);
    }
    let c = &opts.cargo;
    let features = build_features(c, variant_features);
    if !features.is_empty() {
        cmd.features(CargoOpt::SomeFeatures(features));
    }
    if c.all_features {
        cmd.features(CargoOpt::AllFeatures);
    }
    if c.no_default_features {
        cmd.features(CargoOpt::NoDefaultFeatures);
    }
    let mut other = Vec::new();
    if c.locked {
        other.push("--locked".to_owned());
    }
    if c.offline {
        other.push("--offline".to_owned());
    }
    if let Some(p) = platform {
        other.extend(["--filter-platform".to_owned(), p.to_owned()]);
    }
    cmd.other_options(other);
    cargo::metadata(tc, &cmd)
}

/// What every workspace member's graph asks of the machine (see [`native_deps`] and
/// [`build_tools`]): what `setup` installs C compilers and build tools for.
pub fn workspace_needs(
    tc: &Toolchain,
    manifest_path: Option<&std::path::Path>,
) -> (Vec<String>, Vec<BuildTool>) {
    let mut cmd = cargo_metadata::MetadataCommand::new();
    cmd.cargo_path(&tc.cargo)
        .features(cargo_metadata::CargoOpt::AllFeatures);
    if let Some(m) = manifest_path {
        cmd.manifest_path(m);
    }
    let Ok(meta) = cmd.exec() else {
        return (Vec::new(), Vec::new());
    };
    let mut native: Vec<String> = Vec::new();
    let mut tools: Vec<BuildTool> = Vec::new();
    for id in &meta.workspace_members {
        native.extend(native_deps(&meta, id));
        merge_tools(
            &mut tools,
            build_tools(&meta, id, &crate::data::tables().sys_crates),
        );
    }
    native.sort();
    native.dedup();
    (native, tools)
}

fn report_for(v: &Variant, program: &str) -> VariantReport {
    let linker = VariantLinker {
        requested: v.linker().as_str().to_owned(),
        program: program.to_owned(),
        detected: None,
    };
    VariantReport {
        crt_static: v.crt_static,
        glibc: v.glibc().map(str::to_owned),
        optional: v.optional,
        ..VariantReport::new(v.id(), v.target(), linker, Status::Skipped)
    }
}

struct Job {
    index: usize,
    variant: Variant,
    invocation: Invocation,
}

/// Build the matrix. The result has one report per selected variant, in matrix order.
pub fn build(
    tc: &Toolchain,
    matrix: &Matrix,
    ws: &Workspace,
    opts: &BuildOptions,
) -> Result<Vec<VariantReport>> {
    let selected: Vec<&Variant> = matrix
        .variants
        .iter()
        .filter(|v| opts.variants.is_empty() || opts.variants.iter().any(|id| id == v.id()))
        .collect();
    for id in &opts.variants {
        if !matrix.variants.iter().any(|v| v.id() == id) {
            bail!("{}: no variant with id `{id}`", matrix.source);
        }
    }
    let rust = target_rust_versions(tc, opts, ws, &selected);
    let all_skipped = selected.iter().all(|v| rust.contains_key(v.id()));
    // the graphs per target and features: before planning when what the build links
    // needs them, else (only for the formats that record the crates) beside the build
    let early = !all_skipped && needs_links_check(ws, opts, &selected);
    let mut graphs = if early {
        target_graphs(tc, opts, &selected)
    } else {
        BTreeMap::new()
    };
    let sys = if early {
        links_of(ws, &graphs)
    } else {
        BTreeMap::new()
    };
    let progress = Progress::new(selected.len(), opts.quiet);
    let mut reports: Vec<Option<VariantReport>> = vec![None; selected.len()];
    let groups = plan_groups(
        tc,
        ws,
        &sys,
        &rust,
        (&selected, matrix.sdkroot.as_deref()),
        &progress,
        &mut reports,
    );
    // One jobserver for every cargo: `-j` bounds the compiler processes of all groups
    // together, as it would in one cargo. Each running group holds one token for its
    // cargo's own implicit one, so the free tokens go to whichever cargo can use them
    // (the first variant alone gets them all; the last group left inherits them).
    let workers = opts.jobs.max(1);
    let cx = Shared {
        tc,
        ws,
        opts,
        root: ws.target_dir.join("portable"),
        progress: &progress,
        js: jobserver::Client::new(workers).context("creating the jobserver")?,
    };
    let late = opts.graph && !early && !all_skipped;
    std::thread::scope(|s| {
        let pending = late.then(|| s.spawn(|| target_graphs(tc, opts, &selected)));
        let queue = prime_host(&cx, groups, &mut reports);
        for (i, r) in run_queue(&cx, queue, workers) {
            reports[i] = Some(r);
        }
        if let Some(h) = pending {
            graphs = h.join().unwrap_or_default();
        }
    });
    if opts.graph {
        let crates: BTreeMap<&String, Vec<crate::model::Crate>> = graphs
            .iter()
            .map(|(key, g)| (key, resolved_crates(&g.meta, &ws.package_id)))
            .collect();
        // `reports` is in the order of `selected`
        for (v, r) in selected.iter().zip(reports.iter_mut()) {
            if let Some(r) = r {
                r.crates = crates.get(&links_key(v.target(), &v.features)).cloned();
            }
        }
    }
    Ok(reports.into_iter().flatten().collect())
}

/// Plan every selected variant: the skipped ones get their report now, the ready ones
/// are grouped (variants of a group share their dependency builds), longest first:
/// zig variants pay cargo-zigbuild's start-up, big groups link more.
fn plan_groups(
    tc: &Toolchain,
    ws: &Workspace,
    sys: &BTreeMap<String, TargetLinks>,
    rust: &BTreeMap<String, RustVersionGap>,
    (selected, sdkroot): (&[&Variant], Option<&str>),
    progress: &Progress,
    reports: &mut [Option<VariantReport>],
) -> Vec<Vec<Job>> {
    // a rust-version above the installed rustc in the variant's graph: it does not
    // compile, and is not probed
    let no_rust: Vec<Option<(String, String)>> = selected
        .iter()
        .map(|v| {
            rust.get(v.id())
                .map(|gap| unmet_rust_version(gap, tc.rustup))
        })
        .collect();
    // the system libraries: what each variant does about them (no probe for a skip)
    // and the macOS frameworks: SDKROOT when it is an SDK, else a skip or an error
    let sdk = SdkRoot::with_matrix(sdkroot);
    let mut errors: Vec<Option<String>> = vec![None; selected.len()];
    let sys_env: Vec<plan::SystemLibPlan> = selected
        .iter()
        .zip(errors.iter_mut())
        .map(|(v, error)| {
            let Some(links) = links_for(sys, v) else {
                return Ok(Vec::new());
            };
            let mut env = plan::system_libs(v, &links.libs, tc)?;
            match plan::frameworks(v, &links.frameworks, &sdk, tc.host()) {
                FrameworkPlan::None => {}
                FrameworkPlan::Sdk(p) => env.push(("SDKROOT".to_owned(), p)),
                FrameworkPlan::Skip(reason, fix) => return Err((reason, fix)),
                FrameworkPlan::Error(e) => {
                    *error = Some(e.clone());
                    return Err((e, String::new()));
                }
            }
            Ok(env)
        })
        .collect();
    // every linker proves it links, all at once, before anything is compiled
    tc.prefetch_probes(
        selected
            .iter()
            .zip(&sys_env)
            .zip(&no_rust)
            .filter(|((_, e), r)| e.is_ok() && r.is_none())
            .filter_map(|((v, _), _)| needs(v, tc.host()).probe),
    );
    let mut groups: BTreeMap<String, Vec<Job>> = BTreeMap::new();
    for (index, v) in selected.iter().enumerate() {
        // the host programs of the variant's own graph (its target, its features),
        // else of the graph of every feature
        let tools = links_for(sys, v).map_or(ws.build_tools.as_slice(), |l| l.tools.as_slice());
        let no_tool = no_rust[index].clone().or_else(|| unmet_tools(tools, tc));
        let planned = match (&no_tool, &sys_env[index]) {
            (Some((reason, fix)), _) | (None, Err((reason, fix))) => Plan::Skipped {
                reason: reason.clone(),
                fix: fix.clone(),
            },
            (None, Ok(env)) => match plan(
                v,
                tc,
                links_for(sys, v).map_or(ws.native_deps.as_slice(), |l| l.native.as_slice()),
            ) {
                Plan::Ready(mut i) => {
                    i.env = env.clone();
                    Plan::Ready(i)
                }
                skipped => skipped,
            },
        };
        match planned {
            Plan::Skipped { reason, .. } if no_tool.is_none() && errors[index].is_some() => {
                // SDKROOT is not an SDK: a failure of this variant, before compiling
                let mut r = report_for(v, v.linker().as_str());
                r.status = Status::Failed;
                r.reason = Some(reason.clone());
                r.hint = Some("SDKROOT=<a macOS SDK directory (MacOSX.sdk)>".to_owned());
                if let SdkRoot::NotSdk(p) = &sdk {
                    r.error = Some(VariantError::NotAnSdk(format!(
                        "SDKROOT={} is not a macOS SDK",
                        p.display()
                    )));
                }
                progress.finish(progress.start(v.id(), ""), &format!("failed: {reason}"));
                reports[index] = Some(r);
            }
            Plan::Skipped { reason, fix } => {
                let mut r = report_for(v, v.linker().as_str());
                r.reason = Some(reason.clone());
                r.hint = Some(fix);
                progress.finish(progress.start(v.id(), ""), &format!("skipped: {reason}"));
                reports[index] = Some(r);
            }
            Plan::Ready(invocation) => {
                groups
                    .entry(invocation.group.clone())
                    .or_default()
                    .push(Job {
                        index,
                        variant: (*v).clone(),
                        invocation: *invocation,
                    })
            }
        }
    }
    let mut groups: Vec<Vec<Job>> = groups.into_values().collect();
    groups.sort_by_key(|g| std::cmp::Reverse((g[0].invocation.zig, g.len())));
    groups
}

/// Build scripts and proc-macros are compiled for the host, the same for every group.
/// When groups start in new directories, one group's first variant is built alone
/// first, and the others start from its host artifacts instead of compiling them
/// again. Returns the groups to build, each with what its directory starts from.
fn prime_host(
    cx: &Shared,
    mut groups: Vec<Vec<Job>>,
    reports: &mut [Option<VariantReport>],
) -> VecDeque<(Vec<Job>, Seed)> {
    let mut seeds: Vec<Seed> = vec![Seed::None; groups.len()];
    let new_dirs = groups
        .iter()
        .filter(|g| !cx.root.join(g[0].variant.id()).exists())
        .count();
    if groups.len() > 1 && new_dirs > 0 {
        let p = groups
            .iter()
            .position(|g| !g[0].invocation.zig)
            .unwrap_or(0);
        let first = groups[p].remove(0);
        let mut seed = Seed::None;
        let r = run_job(cx, &first, &mut seed);
        reports[first.index] = Some(r);
        if let Seed::Group(id, dir) = &seed {
            for s in seeds.iter_mut() {
                *s = Seed::Host(id.clone(), dir.clone());
            }
        }
        // the rest of its group only relinks: queue it last, to fill the tail
        let rest = groups.remove(p);
        seeds.remove(p);
        if !rest.is_empty() {
            groups.push(rest);
            seeds.push(seed);
        }
    }
    groups.into_iter().zip(seeds).collect()
}

/// Groups in parallel (at most `workers` at once), the variants of a group one after
/// another; the reports with their matrix index.
fn run_queue(
    cx: &Shared,
    queue: VecDeque<(Vec<Job>, Seed)>,
    workers: usize,
) -> Vec<(usize, VariantReport)> {
    let queue = Mutex::new(queue);
    let reports: Mutex<Vec<(usize, VariantReport)>> = Mutex::new(Vec::new());
    let done = &reports;
    std::thread::scope(|s| {
        for _ in 0..workers {
            s.spawn(|| loop {
                let Some((group, mut seed)) =
                    queue.lock().unwrap_or_else(|e| e.into_inner()).pop_front()
                else {
                    break;
                };
                for job in group {
                    let cargo_done = build_job(cx, &job, &mut seed);
                    // inspection and attribution overlap the next variant's cargo
                    s.spawn(move || {
                        let r = finish_job(cx, &job, cargo_done);
                        done.lock()
                            .unwrap_or_else(|e| e.into_inner())
                            .push((job.index, r));
                    });
                }
            });
        }
    });
    reports.into_inner().unwrap_or_else(|e| e.into_inner())
}

/// What a new variant directory starts from.
#[derive(Debug, Clone)]
enum Seed {
    None,
    /// Another group's first variant (id, directory): only its host artifacts are
    /// copied.
    Host(String, PathBuf),
    /// The group's first built variant (id, directory): everything is copied, only
    /// the final crate is compiled and linked again.
    Group(String, PathBuf),
}

/// What every job of one `build` shares.
struct Shared<'a> {
    tc: &'a Toolchain,
    ws: &'a Workspace,
    opts: &'a BuildOptions,
    /// `<target dir>/portable`
    root: PathBuf,
    progress: &'a Progress,
    js: jobserver::Client,
}

/// Build one variant and inspect what it built.
fn run_job(cx: &Shared, job: &Job, seed: &mut Seed) -> VariantReport {
    let cargo_done = build_job(cx, job, seed);
    finish_job(cx, job, cargo_done)
}

/// A variant whose cargo has finished: its report so far, its progress line, and what
/// cargo built (`None`: the report already says why not).
struct CargoDone {
    r: VariantReport,
    running: Running,
    built: Option<Built>,
}

/// The cargo half of a job, holding a jobserver token for cargo's implicit one.
fn build_job(cx: &Shared, job: &Job, seed: &mut Seed) -> CargoDone {
    // a token for this cargo's implicit one (if the jobserver fails, run anyway); it
    // is given back before the inspection, which is not a compiler process
    let _token = cx.js.acquire().ok();
    let v = &job.variant;
    let mut r = report_for(v, &job.invocation.program);
    let dir = cx.root.join(v.id());
    let running = cx.progress.start(v.id(), "building");
    if !dir.exists() {
        r.seeded_from = seed_dir(seed, &dir, &cx.opts.cargo.profile);
    }
    let built = build_variant(
        cx.tc,
        cx.opts,
        &job.invocation,
        &cx.ws.bins,
        &dir,
        &cx.js,
        &mut r.commands,
    );
    let built = match built {
        Err(tail) => {
            r.status = Status::Failed;
            r.reason = Some(tail);
            None
        }
        Ok(built) => {
            if !matches!(seed, Seed::Group(..)) {
                *seed = Seed::Group(v.id().to_owned(), dir.clone());
            }
            Some(built)
        }
    };
    CargoDone { r, running, built }
}

/// The inspection half of a job: what cargo built, inspected and attributed, into the
/// variant's report.
fn finish_job(cx: &Shared, job: &Job, cargo: CargoDone) -> VariantReport {
    let CargoDone {
        mut r,
        running,
        built,
    } = cargo;
    let v = &job.variant;
    match built {
        None => cx.progress.finish(running, "failed"),
        Some(built) => {
            r.status = Status::Built;
            r.build_seconds = Some((built.seconds * 10.0).round() / 10.0);
            r.c_compiler = job.invocation.c_compiler.as_ref().map(|c| CCompiler {
                program: c.display(),
                version: cx.tc.c_version(c),
            });
            let kept = cx.root.join("cache");
            inspect_built(v, &built.executables, &kept, &mut r);
            if cx.opts.attribute {
                attribute(&built.links, &kept, &mut r);
            }
            cx.progress.finish(running, &outcome(&r, built.seconds));
        }
    }
    r
}

/// Start a new variant directory from `seed`; what it was seeded from, if anything.
/// A copy that fails is removed (the variant then builds from nothing).
fn seed_dir(seed: &Seed, dir: &std::path::Path, profile: &str) -> Option<SeededFrom> {
    let (id, kind, src, copied) = match seed {
        Seed::None => return None,
        Seed::Host(id, src) => (id, SeedKind::Host, src, copy_host(src, dir, profile)),
        Seed::Group(id, src) => (id, SeedKind::Dependencies, src, copy_tree(src, dir)),
    };
    match copied {
        Ok(()) => Some(SeededFrom {
            variant: id.clone(),
            kind,
        }),
        Err(e) => {
            let _ = std::fs::remove_dir_all(dir);
            eprintln!(
                "warning: seeding {} from {}: {e}",
                dir.display(),
                src.display()
            );
            None
        }
    }
}

/// Inspect a built variant's executables into its report (what depends on their
/// bytes alone is reused from `kept`, see [`scan_kept`]), and check its expectations.
fn inspect_built(v: &Variant, executables: &[PathBuf], kept: &Path, r: &mut VariantReport) {
    let found = scan_kept(executables, kept);
    let mut artifacts = found.artifacts;
    for a in &mut artifacts {
        if let Some(h) = crate::analysis::hazards::target_libc_mismatch(v.target(), a) {
            a.portable = false;
            a.verdict.push_str(&format!("; hazards: {}", h.code));
            a.hazards.push(h);
        }
    }
    r.linker.detected = artifacts.first().map(|a| a.linker.name.clone());
    r.expect = crate::ops::expect::check(&v.expect, &artifacts);
    if !found.errors.is_empty() {
        let msgs: Vec<String> = found
            .errors
            .iter()
            .map(|e| format!("{}: {}", e.path, e.error))
            .collect();
        r.status = Status::Failed;
        r.reason = Some(format!("built, but could not inspect: {}", msgs.join("; ")));
    }
    r.artifacts = artifacts;
}

/// What `scan` finds in each executable: what depends on the file's bytes alone. A
/// file that is the same file as when it was last scanned (path, size, modification
/// time, inode: [`Stamp::file`], and this cargo-portable) is not read again: its
/// artifacts come from `kept/artifacts`. What the variant decides (the target's
/// hazards, the expectations) is computed on top by the caller, every time; the
/// origins have their own entry ([`attribute`]).
fn scan_kept(executables: &[PathBuf], kept: &Path) -> Scan {
    let entry = |exe: &Path| {
        kept.join("artifacts").join(format!(
            "{}.json",
            cache::key_name(&exe.display().to_string())
        ))
    };
    // stamped before reading: a file that changes meanwhile is read again next time
    let stamps: Vec<Stamp> = executables.iter().map(|e| Stamp::new().file(e)).collect();
    let reused: Vec<Option<Vec<crate::model::Artifact>>> = executables
        .iter()
        .zip(&stamps)
        .map(|(e, st)| cache::load(&entry(e), st))
        .collect();
    let misses: Vec<PathBuf> = executables
        .iter()
        .zip(&reused)
        .filter(|(_, r)| r.is_none())
        .map(|(e, _)| e.clone())
        .collect();
    if misses.is_empty() {
        return Scan {
            artifacts: reused.into_iter().flatten().flatten().collect(),
            ..Scan::default()
        };
    }
    let found = scan(&misses, ScanOptions::default());
    let mut fresh = found.artifacts;
    let mut artifacts = Vec::new();
    for ((exe, st), r) in executables.iter().zip(&stamps).zip(reused) {
        if let Some(a) = r {
            artifacts.extend(a);
            continue;
        }
        let shown = exe.display().to_string();
        let (mine, rest): (Vec<_>, Vec<_>) = fresh.into_iter().partition(|a| a.path == shown);
        fresh = rest;
        if !mine.is_empty() && !found.errors.iter().any(|e| e.path == shown) {
            cache::store(&entry(exe), st, &mine);
        }
        artifacts.extend(mine);
    }
    artifacts.extend(fresh);
    Scan {
        artifacts,
        errors: found.errors,
        skipped: found.skipped,
    }
}

/// Fill the `origin` fields of the artifacts from their links' inputs. The answer is a
/// function of the artifact, its link record and the link inputs' contents: it is
/// reused from `kept/origins` when the artifact and the record are the same and no
/// input changed (each input's [`Stamp::file`]), else computed (indexing every input)
/// and kept.
fn attribute(links: &[crate::attribution::LinkRecord], kept: &Path, r: &mut VariantReport) {
    for a in &mut r.artifacts {
        let Some(record) = links.iter().find(|l| {
            l.executable == a.path
                || std::path::Path::new(&l.executable).file_name()
                    == std::path::Path::new(&a.path).file_name()
        }) else {
            continue;
        };
        let (Ok(before), Ok(rec)) = (serde_json::to_string(&*a), serde_json::to_string(record))
        else {
            attribute_one(record, a);
            continue;
        };
        let mut stamp = Stamp::new()
            .text("artifact", cache::key_name(&before))
            .text("record", cache::key_name(&rec));
        for u in &record.units {
            stamp = stamp.file(Path::new(&u.path));
        }
        let entry = kept
            .join("origins")
            .join(format!("{}.json", cache::key_name(&a.path)));
        if let Some(done) = cache::load::<crate::model::Artifact>(&entry, &stamp) {
            *a = done;
            continue;
        }
        attribute_one(record, a);
        cache::store(&entry, &stamp, &*a);
    }
}

/// Fill one artifact's `origin` fields from its link's inputs.
fn attribute_one(record: &crate::attribution::LinkRecord, a: &mut crate::model::Artifact) {
    let (files, _unreadable) = crate::attribution::store::indexes(record);
    let linked = crate::attribution::Linked::new(record, &files);
    crate::attribution::apply(&linked, a);
}

/// The progress line of a built variant.
fn outcome(r: &VariantReport, seconds: f64) -> String {
    let hazards = r
        .artifacts
        .iter()
        .flat_map(|a| &a.hazards)
        .filter(|h| h.severity >= Severity::Warning)
        .count();
    let mut outcome = format!("built in {seconds:.1}s");
    if hazards > 0 {
        outcome.push_str(&format!(", {hazards} hazards"));
    }
    if !r.expect.passed {
        outcome.push_str(&format!(
            ", {} expectations violated",
            r.expect.violations.len()
        ));
    }
    outcome
}
