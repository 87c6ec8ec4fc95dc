//! `cargo portable build`: the matrix, built, inspected, checked and reported.

use std::io::IsTerminal;
use std::time::Duration;

use anyhow::Result;

use super::{host, load_matrix, selected, style_for, Outcome};
use crate::cli::{BuildArgs, BuildFormat, GlobalOpts};
use crate::engine::{self, BuildOptions, Workspace};
use crate::matrix::Variant;
use crate::ops;
use crate::output::write_output;
use crate::render::{cyclonedx, diff, html, json, sarif, table};
use crate::report::diff::DiffReport;
use crate::report::variants::{BuildReport, MatrixId};
use crate::run::{self, RunOptions};
use crate::toolchain::Toolchain;

pub(super) fn run(args: BuildArgs, global: &GlobalOpts) -> Result<Outcome> {
    // a baseline that cannot be read is an input error before anything is built
    let baseline = match &args.baseline {
        Some(p) => Some((p.display().to_string(), super::reports::read_build_like(p)?)),
        None => None,
    };
    // so is an unknown `--prove` release
    let releases = match args.prove.as_deref() {
        Some(spec) => crate::prove::parse_releases(spec).map_err(anyhow::Error::msg)?,
        None => Vec::new(),
    };
    let tc = Toolchain::detect();
    let opts = BuildOptions {
        manifest_path: args.matrix.manifest_path.clone(),
        cargo: (&args.cargo).into(),
        bins: args.bins.clone(),
        variants: args.matrix.variants.clone(),
        jobs: args
            .jobs
            .unwrap_or_else(|| std::thread::available_parallelism().map_or(1, |n| n.get())),
        quiet: global.quiet,
        attribute: true,
        graph: matches!(args.format, BuildFormat::Json | BuildFormat::Cyclonedx),
    };
    let ws = engine::resolve_workspace(&tc, &opts)?;
    let m = load_matrix(&args.matrix, Some(&ws.root), &tc)?;
    let tc = if args.setup {
        set_up(
            &tc,
            &args,
            global,
            &opts,
            &ws,
            &selected(&m, &opts.variants),
        )
    } else {
        tc
    };
    let host = host(Some(&tc));
    let mut variants = engine::build(&tc, &m, &ws, &opts)?;
    // the proofs first: a binary's smoke also runs in each release root it loads in
    let mut prover = crate::prove::fetch::Prover::default();
    let mut disagreements = Vec::new();
    let mut release_roots = std::collections::BTreeMap::new();
    for v in &mut variants {
        let mv = m.variants.iter().find(|mv| mv.id() == v.id);
        let releases = variant_releases(&releases, mv);
        if releases.is_empty() {
            continue;
        }
        prover.prove_all(&mut v.artifacts, &releases);
        disagreements.extend(
            crate::prove::disagreements(&v.artifacts)
                .into_iter()
                .map(|d| format!("{}: {d}", v.id)),
        );
        if mv.is_some_and(|mv| mv.smoke_wanted(args.run)) {
            for a in &v.artifacts {
                let roots = loading_roots(&mut prover, a, &releases);
                if !roots.is_empty() {
                    release_roots.insert(a.path.clone(), roots);
                }
            }
        }
    }
    let mut interrupted = false;
    if run::any_wanted(selected(&m, &opts.variants), args.run) {
        let run_opts = RunOptions {
            all: args.run,
            timeout: Duration::from_secs(args.run_timeout.max(1)),
            // the runs mostly wait: twice the CPUs, bounded
            jobs: (opts.jobs * 2).clamp(2, 8),
            dir: ws.target_dir.join("portable"),
            package: ws.package.clone(),
            manifest_path: opts.manifest_path.clone(),
            quiet: global.quiet,
            release_roots,
        };
        interrupted = !run::run_smokes(&tc, &m, &run_opts, &mut variants);
    }
    for v in &mut variants {
        v.host = Some(host.clone());
    }
    let report = BuildReport::new(host, MatrixId::of(&m), variants, Vec::new());
    let d = baseline.map(|(name, old)| {
        ops::diff::diff(
            &old,
            &report,
            &name,
            "this build",
            args.growth.max_size_growth,
        )
    });
    write(&args, &report, d.as_ref(), global)?;
    if interrupted {
        eprintln!("interrupted: the smoke runs were stopped and their files removed");
        return Ok(Outcome::Interrupted);
    }
    for d in &disagreements {
        eprintln!("error: --prove disagrees with runs_on: {d}");
    }
    let regressed = d.as_ref().is_some_and(|d| d.has_regressions());
    // a variant failed by its input (SDKROOT that is not an SDK) is an input error;
    // the other variants still built
    if let Some(crate::report::variants::VariantError::NotAnSdk(named)) =
        report.variants.iter().find_map(|v| v.error.as_ref())
    {
        eprintln!("error: {named}");
        return Ok(Outcome::InputError);
    }
    Ok(
        if report.success() && !regressed && disagreements.is_empty() {
            Outcome::Success
        } else {
            Outcome::Failure
        },
    )
}

/// `--prove`'s releases, then those of the variant's `prove` key not among them.
fn variant_releases(
    flag: &[&'static crate::prove::Release],
    v: Option<&Variant>,
) -> Vec<&'static crate::prove::Release> {
    let mut out = flag.to_vec();
    let key = match v {
        // validated when the matrix was read
        Some(v) if !v.prove().is_empty() => {
            crate::prove::parse_releases(&v.prove().join(",")).unwrap_or_default()
        }
        _ => Vec::new(),
    };
    for r in key {
        if !out.iter().any(|o| o.name == r.name) {
            out.push(r);
        }
    }
    out
}

/// The release roots a dynamic binary loads in (its proofs say `loads`): its smoke runs
/// there on the release's own C library. A static binary already runs in an empty root.
fn loading_roots(
    prover: &mut crate::prove::fetch::Prover,
    a: &crate::model::Artifact,
    releases: &[&'static crate::prove::Release],
) -> Vec<(String, std::path::PathBuf)> {
    if a.linkage != crate::model::Linkage::Dynamic {
        return Vec::new();
    }
    let mut out = Vec::new();
    for p in a.proofs.iter().flatten() {
        if p.result != crate::model::ProofResult::Loads {
            continue;
        }
        let Some(r) = releases.iter().find(|r| r.name == p.release) else {
            continue;
        };
        if let Some(root) = prover.root_for(a, r) {
            out.push((p.release.clone(), root));
        }
    }
    out
}

/// `--setup`: install what the variants need, then the toolchain facts again.
fn set_up(
    tc: &Toolchain,
    args: &BuildArgs,
    global: &GlobalOpts,
    opts: &BuildOptions,
    ws: &Workspace,
    variants: &[&Variant],
) -> Toolchain {
    let c = !ws.native_deps.is_empty();
    // the variants' own graphs: their multiarch packages, and the programs their
    // features add (perl and make for a variant that vendors OpenSSL)
    let (multiarch, graph_tools) = engine::graph_needs(tc, opts, ws, variants);
    let mut tools = ws.build_tools.clone();
    engine::merge_tools(&mut tools, graph_tools);
    let (_, not_installed) = super::setup::install(
        tc,
        variants,
        super::setup::GraphNeeds {
            c,
            tools: &tools,
            multiarch: &multiarch,
        },
        args.run,
        false,
        global.quiet,
    );
    // setup may have installed what the toolchain facts said was missing; the
    // standard libraries rustup could not install keep rustup's error
    let mut tc = Toolchain::detect();
    tc.std_failures = crate::toolchain::setup::std_failures(&not_installed);
    tc
}

/// The report in its format, and the comparison with the baseline `d` after it (in
/// text formats), in it (HTML) or on stderr (JSON).
fn write(
    args: &BuildArgs,
    report: &BuildReport,
    d: Option<&DiffReport>,
    global: &GlobalOpts,
) -> Result<()> {
    let style = style_for(global.color, args.output.is_some());
    write_output(args.output.as_deref(), |w| {
        match args.format {
            BuildFormat::Human => table::human(report, style, w)?,
            BuildFormat::Markdown => table::markdown(report, w)?,
            // one page: the comparison is in it
            BuildFormat::Html => return html::build(report, d, w),
            // one document: the regressions are results in it
            BuildFormat::Sarif => {
                return json::write(&sarif::build(report, d, &sarif::Locator::here()), w)
            }
            BuildFormat::Cyclonedx => {
                json::write(&cyclonedx::build(report, &cyclonedx::RunId::new()), w)?
            }
            BuildFormat::Json => {
                serde_json::to_writer_pretty(&mut *w, report)?;
                writeln!(w)?;
            }
        }
        // the comparison follows the report in text formats
        match (d, args.format) {
            (Some(d), BuildFormat::Human) => {
                writeln!(w)?;
                diff::human(d, style, w)
            }
            (Some(d), BuildFormat::Markdown) => {
                writeln!(w)?;
                diff::markdown(d, w)
            }
            _ => Ok(()),
        }
    })?;
    // JSON and the SBOM are one document: the comparison goes to stderr
    if let (Some(d), BuildFormat::Json | BuildFormat::Cyclonedx) = (d, args.format) {
        let err_style = style_for(global.color, !std::io::stderr().is_terminal());
        diff::human(d, err_style, &mut std::io::stderr())?;
    }
    Ok(())
}
