//! `cargo portable build`: plan every variant, build the ready ones (groups in
//! parallel, variants of a group one after another in their own target directories
//! seeded from the group's first), inspect each executable, check expectations.

pub mod cargo;
pub mod expect;
pub mod plan;
mod progress;

use std::collections::{BTreeMap, VecDeque};
use std::path::PathBuf;
use std::sync::Mutex;

use anyhow::{bail, Context, Result};

use self::cargo::{build_variant, copy_host, copy_tree, CargoArgs};
use self::plan::{plan, Invocation, Machine, Plan};
pub use self::progress::Progress;
use crate::matrix::{Matrix, Variant};
use crate::model::Severity;
use crate::report::build::{SeedKind, SeededFrom, Status, VariantLinker, VariantReport};
use crate::scan::{scan, ScanOptions};
use crate::toolchain::Toolchain;

/// Everything `build` needs besides the matrix.
#[derive(Debug, Clone)]
pub struct BuildOptions {
    pub cargo: CargoArgs,
    /// `--bin`: build only these (default: every binary of the package).
    pub bins: Vec<String>,
    /// `--variant`: build only these ids (default: all).
    pub variants: Vec<String>,
    pub jobs: usize,
    pub quiet: bool,
}

impl Machine for Toolchain {
    fn host(&self) -> &str {
        &self.host
    }
    fn std_installed(&self, target: &str) -> bool {
        Toolchain::std_installed(self, target)
    }
    fn has_program(&self, program: &str) -> bool {
        self.find(program).is_some()
    }
    fn is_root(&self) -> bool {
        crate::setup::is_root()
    }
}

/// The package and binaries to build, and the workspace's target directory.
#[derive(Debug)]
pub struct Workspace {
    pub root: PathBuf,
    pub target_dir: PathBuf,
    pub package: String,
    pub bins: Vec<String>,
    /// Packages in the dependency graph that compile C or link native libraries (they
    /// have `links`, or are cc/cmake); empty when none do.
    pub native_deps: Vec<String>,
}

/// Ask cargo which package and binaries `build` means.
pub fn resolve_workspace(tc: &Toolchain, opts: &BuildOptions) -> Result<Workspace> {
    let mut cmd = cargo_metadata::MetadataCommand::new();
    cmd.cargo_path(&tc.cargo)
        .features(cargo_metadata::CargoOpt::AllFeatures);
    if let Some(m) = &opts.cargo.manifest_path {
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
    let meta = cmd.exec().context("running `cargo metadata`")?;
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
    Ok(Workspace {
        native_deps,
        root: meta.workspace_root.clone().into_std_path_buf(),
        target_dir: meta.target_directory.clone().into_std_path_buf(),
        package: package.name.to_string(),
        bins,
    })
}

/// The packages `id` depends on (for any platform, with every feature: a superset)
/// that build C code or link native libraries.
fn native_deps(meta: &cargo_metadata::Metadata, id: &cargo_metadata::PackageId) -> Vec<String> {
    let Some(resolve) = &meta.resolve else {
        return vec!["(no dependency graph)".into()];
    };
    let nodes: BTreeMap<_, _> = resolve.nodes.iter().map(|n| (&n.id, n)).collect();
    let mut seen = std::collections::BTreeSet::new();
    let mut todo = vec![id];
    while let Some(id) = todo.pop() {
        if seen.insert(id) {
            if let Some(n) = nodes.get(id) {
                todo.extend(n.deps.iter().map(|d| &d.pkg));
            }
        }
    }
    let mut found: Vec<String> = meta
        .packages
        .iter()
        .filter(|p| seen.contains(&p.id))
        .filter(|p| p.links.is_some() || ["cc", "cmake"].contains(&p.name.as_str()))
        .map(|p| p.name.to_string())
        .collect();
    found.sort();
    found.dedup();
    found
}

fn report_for(v: &Variant, program: &str) -> VariantReport {
    VariantReport {
        id: v.id().to_owned(),
        target: v.target().to_owned(),
        linker: VariantLinker {
            requested: v.linker().as_str().to_owned(),
            program: program.to_owned(),
            detected: None,
        },
        crt_static: v.crt_static,
        glibc: v.glibc().map(str::to_owned),
        optional: v.optional,
        status: Status::Skipped,
        reason: None,
        hint: None,
        build_seconds: None,
        commands: Vec::new(),
        seeded_from: None,
        artifacts: Vec::new(),
        expect: Default::default(),
        smoke: None,
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
    let progress = Progress::new(selected.len(), opts.quiet);
    let root = ws.target_dir.join("portable");
    let mut reports: Vec<Option<VariantReport>> = vec![None; selected.len()];
    let mut groups: BTreeMap<String, Vec<Job>> = BTreeMap::new();
    for (index, v) in selected.iter().enumerate() {
        match plan(v, tc, !ws.native_deps.is_empty()) {
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
                        invocation,
                    })
            }
        }
    }

    // Longest first: zig variants pay cargo-zigbuild's start-up, big groups link more.
    let mut groups: Vec<Vec<Job>> = groups.into_values().collect();
    groups.sort_by_key(|g| std::cmp::Reverse((g[0].invocation.zig, g.len())));
    let mut seeds: Vec<Seed> = vec![Seed::None; groups.len()];
    // One jobserver for every cargo: `-j` bounds the compiler processes of all groups
    // together, as it would in one cargo. Each running group holds one token for its
    // cargo's own implicit one, so the free tokens go to whichever cargo can use them
    // (the first variant alone gets them all; the last group left inherits them).
    let workers = opts.jobs.max(1);
    let js = jobserver::Client::new(workers).context("creating the jobserver")?;
    let cx = Shared {
        tc,
        ws,
        opts,
        root: root.clone(),
        progress: &progress,
        js,
    };

    // Build scripts and proc-macros are compiled for the host, the same for every
    // group. When groups start in new directories, one group's first variant is built
    // alone first, and the others start from its host artifacts instead of compiling
    // them again.
    let new_dirs = groups
        .iter()
        .filter(|g| !root.join(g[0].variant.id()).exists())
        .count();
    if groups.len() > 1 && new_dirs > 0 {
        let p = groups
            .iter()
            .position(|g| !g[0].invocation.zig)
            .unwrap_or(0);
        let first = groups[p].remove(0);
        let mut seed = Seed::None;
        let r = run_job(&cx, &first, &mut seed);
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

    let queue: Mutex<VecDeque<(Vec<Job>, Seed)>> =
        Mutex::new(groups.into_iter().zip(seeds).collect());
    let done: Mutex<Vec<(usize, VariantReport)>> = Mutex::new(Vec::new());
    std::thread::scope(|s| {
        for _ in 0..workers {
            s.spawn(|| loop {
                let Some((group, mut seed)) =
                    queue.lock().unwrap_or_else(|e| e.into_inner()).pop_front()
                else {
                    break;
                };
                for job in group {
                    let r = run_job(&cx, &job, &mut seed);
                    done.lock()
                        .unwrap_or_else(|e| e.into_inner())
                        .push((job.index, r));
                }
            });
        }
    });
    for (i, r) in done.into_inner().unwrap_or_else(|e| e.into_inner()) {
        reports[i] = Some(r);
    }
    Ok(reports.into_iter().flatten().collect())
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

fn run_job(cx: &Shared, job: &Job, seed: &mut Seed) -> VariantReport {
    let Shared {
        tc,
        ws,
        opts,
        root,
        progress,
        js,
    } = cx;
    // a token for this cargo's implicit one (if the jobserver fails, run anyway)
    let _token = js.acquire().ok();
    let v = &job.variant;
    let mut r = report_for(v, &job.invocation.program);
    let dir = root.join(v.id());
    let running = progress.start(v.id(), "building");
    if !dir.exists() {
        let seeded = match &*seed {
            Seed::None => None,
            Seed::Host(id, src) => Some((
                id,
                SeedKind::Host,
                src,
                copy_host(src, &dir, &opts.cargo.profile),
            )),
            Seed::Group(id, src) => Some((id, SeedKind::Dependencies, src, copy_tree(src, &dir))),
        };
        match seeded {
            Some((_, _, src, Err(e))) => {
                let _ = std::fs::remove_dir_all(&dir);
                eprintln!(
                    "warning: seeding {} from {}: {e}",
                    dir.display(),
                    src.display()
                );
            }
            Some((id, kind, _, Ok(()))) => {
                r.seeded_from = Some(SeededFrom {
                    variant: id.clone(),
                    kind,
                })
            }
            None => {}
        }
    }
    match build_variant(
        tc,
        &opts.cargo,
        &job.invocation,
        &ws.bins,
        &dir,
        js,
        &mut r.commands,
    ) {
        Err(tail) => {
            r.status = Status::Failed;
            r.reason = Some(tail);
            progress.finish(running, "failed");
        }
        Ok(built) => {
            if !matches!(seed, Seed::Group(..)) {
                *seed = Seed::Group(v.id().to_owned(), dir.clone());
            }
            r.status = Status::Built;
            r.build_seconds = Some((built.seconds * 10.0).round() / 10.0);
            let found = scan(&built.executables, ScanOptions::default());
            let mut artifacts = found.artifacts;
            for a in &mut artifacts {
                if let Some(h) = crate::analysis::hazards::target_libc_mismatch(v.target(), a) {
                    a.portable = false;
                    a.verdict.push_str(&format!("; hazards: {}", h.code));
                    a.hazards.push(h);
                }
            }
            r.linker.detected = artifacts.first().map(|a| a.linker.name.clone());
            r.expect = expect::check(&v.expect, &artifacts);
            if !found.errors.is_empty() {
                let msgs: Vec<String> = found
                    .errors
                    .iter()
                    .map(|e| format!("{}: {}", e.path, e.error))
                    .collect();
                r.status = Status::Failed;
                r.reason = Some(format!("built, but could not inspect: {}", msgs.join("; ")));
            }
            let hazards = artifacts
                .iter()
                .flat_map(|a| &a.hazards)
                .filter(|h| h.severity >= Severity::Warning)
                .count();
            r.artifacts = artifacts;
            let mut outcome = format!("built in {:.1}s", built.seconds);
            if hazards > 0 {
                outcome.push_str(&format!(", {hazards} hazards"));
            }
            if !r.expect.passed {
                outcome.push_str(&format!(
                    ", {} expectations violated",
                    r.expect.violations.len()
                ));
            }
            progress.finish(running, &outcome);
        }
    }
    r
}
