//! `cargo portable build`: plan every variant, build the ready ones (groups in
//! parallel, variants of a group one after another in their own target directories
//! seeded from the group's first), inspect each executable, check expectations.

pub mod cargo;
pub mod expect;
pub mod plan;
mod progress;

use std::collections::{BTreeMap, VecDeque};
use std::path::{Path, PathBuf};
use std::sync::Mutex;

use anyhow::{bail, Context, Result};

use self::cargo::{build_variant, copy_tree, CargoArgs};
use self::plan::{plan, Invocation, Machine, Plan};
pub use self::progress::Progress;
use crate::matrix::{Matrix, Variant};
use crate::model::Severity;
use crate::report::build::{Status, VariantLinker, VariantReport};
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
}

/// Ask cargo which package and binaries `build` means.
pub fn resolve_workspace(tc: &Toolchain, opts: &BuildOptions) -> Result<Workspace> {
    let mut cmd = cargo_metadata::MetadataCommand::new();
    cmd.cargo_path(&tc.cargo).no_deps();
    if let Some(m) = &opts.cargo.manifest_path {
        cmd.manifest_path(m);
    }
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
    Ok(Workspace {
        root: meta.workspace_root.clone().into_std_path_buf(),
        target_dir: meta.target_directory.clone().into_std_path_buf(),
        package: package.name.to_string(),
        bins,
    })
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
        match plan(v, tc) {
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
    let queue: Mutex<VecDeque<Vec<Job>>> = Mutex::new(groups.into());
    let done: Mutex<Vec<(usize, VariantReport)>> = Mutex::new(Vec::new());
    let workers = opts.jobs.max(1);
    std::thread::scope(|s| {
        for _ in 0..workers {
            s.spawn(|| loop {
                let Some(group) = queue.lock().unwrap_or_else(|e| e.into_inner()).pop_front()
                else {
                    break;
                };
                let mut seed: Option<PathBuf> = None;
                for job in group {
                    let r = run_job(tc, ws, opts, &root, &job, &mut seed, &progress);
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

fn run_job(
    tc: &Toolchain,
    ws: &Workspace,
    opts: &BuildOptions,
    root: &Path,
    job: &Job,
    seed: &mut Option<PathBuf>,
    progress: &Progress,
) -> VariantReport {
    let v = &job.variant;
    let mut r = report_for(v, &job.invocation.program);
    let dir = root.join(v.id());
    let running = progress.start(v.id(), "building");
    // A new variant directory starts as a copy of its group's first one: the
    // dependencies are already built there, only the final crate is linked anew.
    if !dir.exists() {
        if let Some(src) = seed.as_ref() {
            if let Err(e) = copy_tree(src, &dir) {
                let _ = std::fs::remove_dir_all(&dir);
                eprintln!(
                    "warning: seeding {} from {}: {e}",
                    dir.display(),
                    src.display()
                );
            }
        }
    }
    match build_variant(tc, &opts.cargo, &job.invocation, &ws.bins, &dir) {
        Err(tail) => {
            r.status = Status::Failed;
            r.reason = Some(tail);
            progress.finish(running, "failed");
        }
        Ok(built) => {
            seed.get_or_insert(dir.clone());
            r.status = Status::Built;
            r.build_seconds = Some((built.seconds * 10.0).round() / 10.0);
            let found = scan(&built.executables, ScanOptions::default());
            let mut artifacts = found.artifacts;
            for a in &mut artifacts {
                if let Some(h) = expect::target_libc_hazard(v.target(), a) {
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
