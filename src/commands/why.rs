//! `cargo portable why SYMBOL|LIBRARY|glibc`: which crate (and object file) of a
//! variant's link references an import, asked for a library, or sets the glibc floor.
//!
//! The answer comes from the link itself, so `why` builds the variants asked for
//! (default: the matrix's first) exactly as `build` does: on a warm target directory
//! cargo finds everything fresh and only the inspection runs. The link's inputs are
//! the record `build` keeps beside each executable (`.portable-why/`), their indexes
//! come from the cache (`<cache>/why-index/`, by content hash). `--no-build` skips cargo
//! and answers from the executables and records the last build left.

use std::path::{Path, PathBuf};

use anyhow::{bail, Context, Result};

use super::{load_matrix_checked, Outcome};
use crate::attribution::answer::{answer_variant, recorded_executables};
use crate::cli::{GlobalOpts, MatrixArgs, WhyArgs, WhyFormat};
use crate::engine::{self, BuildOptions};
use crate::matrix::Matrix;
use crate::model::Artifact;
use crate::output::write_output;
use crate::render::why::human;
use crate::report::variants::Status;
use crate::report::why::{is_library_query, WhyDoc};
use crate::scan::{scan, ScanOptions};
use crate::toolchain::Toolchain;

/// Each variant's executables, and why a variant has none.
type Built = (Vec<(String, Vec<Artifact>)>, Vec<String>);

pub(super) fn run(args: WhyArgs, global: &GlobalOpts) -> Result<Outcome> {
    // --no-build needs neither the toolchain's facts nor cargo's full metadata
    let meta = {
        let mut cmd = cargo_metadata::MetadataCommand::new();
        cmd.no_deps();
        if let Some(m) = &args.matrix.manifest_path {
            cmd.manifest_path(m);
        }
        cmd.exec().context("running `cargo metadata`")?
    };
    let root = meta.workspace_root.clone().into_std_path_buf();
    let tc = (!args.no_build).then(Toolchain::detect);
    let known_targets = tc
        .as_ref()
        .filter(|tc| !tc.target_list.is_empty())
        .map(|tc| tc.target_list.as_slice());
    // the variants are checked against the matrix before anything is built
    let all = MatrixArgs {
        variants: Vec::new(),
        ..args.matrix.clone()
    };
    let m = load_matrix_checked(&all, Some(&root), known_targets)?;
    let variants = asked_variants(&m, &args.matrix.variants)?;
    let (built, failed) = match &tc {
        None => {
            let dir = meta
                .target_directory
                .clone()
                .into_std_path_buf()
                .join("portable");
            from_records(&dir, &variants, &args.bins)
        }
        Some(tc) => from_build(tc, &m, variants, &args)?,
    };
    let mut answers = Vec::new();
    for (id, artifacts) in &built {
        answers.extend(answer_variant(id, artifacts, &args.what));
    }
    for f in &failed {
        eprintln!("error: {f}");
    }
    write_output(args.output.as_deref(), |w| match args.format {
        WhyFormat::Json => {
            serde_json::to_writer_pretty(
                &mut *w,
                &WhyDoc {
                    query: &args.what,
                    answers: &answers,
                },
            )?;
            writeln!(w)
        }
        WhyFormat::Human => human(&args.what, &answers, w),
    })?;
    let mut every_variant_has_it = true;
    for (id, _) in &built {
        if !answers.iter().any(|a| &a.variant == id && a.found) {
            every_variant_has_it = false;
            if !global.quiet {
                let static_libs: Vec<&str> = answers
                    .iter()
                    .filter(|a| &a.variant == id)
                    .filter_map(|a| a.linked_in.as_ref())
                    .map(|l| l.name.as_str())
                    .collect();
                eprintln!(
                    "{id}: no executable of this variant {} `{}`{}",
                    if is_library_query(&args.what) {
                        "needs"
                    } else {
                        "imports or links"
                    },
                    args.what,
                    match static_libs.first() {
                        Some(l) => format!(": it links {l} in statically"),
                        None => String::new(),
                    }
                );
            }
        }
    }
    Ok(if failed.is_empty() && every_variant_has_it {
        Outcome::Success
    } else {
        Outcome::Failure
    })
}

/// The variants asked for, each a variant of `m`; none asked: the matrix's first.
fn asked_variants(m: &Matrix, asked: &[String]) -> Result<Vec<String>> {
    let known: Vec<&str> = m.variants.iter().map(|v| v.id()).collect();
    for id in asked {
        if !known.contains(&id.as_str()) {
            bail!(
                "{}: no variant with id `{id}`; the known ids: {}",
                m.source,
                known.join(", ")
            );
        }
    }
    Ok(if asked.is_empty() {
        match known.first() {
            Some(first) => vec![first.to_string()],
            None => bail!("{}: the matrix has no variant", m.source),
        }
    } else {
        asked.to_vec()
    })
}

/// `--no-build`: the executables the last build of each variant left under `dir`.
fn from_records(dir: &Path, variants: &[String], bins: &[String]) -> Built {
    let mut built = Vec::new();
    let mut failed = Vec::new();
    for id in variants {
        let exes: Vec<PathBuf> = recorded_executables(&dir.join(id), bins);
        if exes.is_empty() {
            failed.push(format!(
                "{id}: no build of it under {} (run `cargo portable build --variant {id}`, or drop --no-build)",
                dir.join(id).display()
            ));
            continue;
        }
        let found = scan(&exes, ScanOptions { hash: false });
        for e in &found.errors {
            failed.push(format!("{id}: {}: {}", e.path, e.error));
        }
        built.push((id.clone(), found.artifacts));
    }
    (built, failed)
}

/// Build the variants as `build` does, for their executables and link records.
fn from_build(tc: &Toolchain, m: &Matrix, variants: Vec<String>, args: &WhyArgs) -> Result<Built> {
    let opts = BuildOptions {
        manifest_path: args.matrix.manifest_path.clone(),
        cargo: (&args.cargo).into(),
        bins: args.bins.clone(),
        variants,
        jobs: args
            .jobs
            .unwrap_or_else(|| std::thread::available_parallelism().map_or(1, |n| n.get())),
        quiet: true,
        attribute: false,
        graph: false,
    };
    let ws = engine::resolve_workspace(tc, &opts)?;
    let mut built = Vec::new();
    let mut failed = Vec::new();
    for r in engine::build(tc, m, &ws, &opts)? {
        if r.status == Status::Built {
            built.push((r.id, r.artifacts));
        } else {
            failed.push(format!(
                "{}: {}: {}",
                r.id,
                if r.status == Status::Failed {
                    "failed"
                } else {
                    "skipped"
                },
                r.reason.as_deref().unwrap_or("")
            ));
        }
    }
    Ok((built, failed))
}
