//! The `build`, `targets` and `setup` commands: wiring between the command line, the
//! toolchain facts, the matrix, the engine and the report.

use std::path::{Path, PathBuf};
use std::process::ExitCode;

use anyhow::{Context, Result};

use crate::build::{self, cargo::CargoArgs, BuildOptions};
use crate::cli::{
    host, style_for, BuildArgs, BuildFormat, GlobalOpts, MatrixArgs, SetupArgs, TargetsArgs,
    TargetsFormat,
};
use crate::matrix::{self, Matrix, Variant, DEFAULT_MATRIX, DEFAULT_MATRIX_NAME};
use crate::output::write_output;
use crate::report::build::BuildReport;
use crate::report::table;
use crate::toolchain::Toolchain;

/// The workspace root from cargo (None outside a workspace).
fn workspace_root(tc: &Toolchain, manifest: Option<&Path>) -> Option<PathBuf> {
    let mut cmd = cargo_metadata::MetadataCommand::new();
    cmd.cargo_path(&tc.cargo).no_deps();
    if let Some(m) = manifest {
        cmd.manifest_path(m);
    }
    cmd.exec()
        .ok()
        .map(|m| m.workspace_root.into_std_path_buf())
}

/// `--matrix FILE`, else `portable.toml` at the workspace root, else the built-in one.
pub fn load_matrix(args: &MatrixArgs, root: Option<&Path>, tc: &Toolchain) -> Result<Matrix> {
    let known = (!tc.target_list.is_empty()).then_some(tc.target_list.as_slice());
    let file = args.matrix.clone().or_else(|| {
        root.map(|r| r.join("portable.toml"))
            .filter(|p| p.is_file())
    });
    let m = match file {
        Some(f) => {
            let text = std::fs::read_to_string(&f)
                .with_context(|| format!("reading the matrix {}", f.display()))?;
            matrix::parse(&text, &f.display().to_string(), known)?
        }
        None => matrix::parse(DEFAULT_MATRIX, DEFAULT_MATRIX_NAME, known)?,
    };
    for id in &args.variants {
        if !m.variants.iter().any(|v| v.id() == id) {
            anyhow::bail!("{}: no variant with id `{id}`", m.source);
        }
    }
    Ok(m)
}

fn selected<'a>(m: &'a Matrix, ids: &[String]) -> Vec<&'a Variant> {
    m.variants
        .iter()
        .filter(|v| ids.is_empty() || ids.iter().any(|i| i == v.id()))
        .collect()
}

/// Run the setup plan; returns whether everything needed is now there.
fn do_setup(tc: &Toolchain, variants: &[&Variant], dry_run: bool, quiet: bool) -> bool {
    let steps = crate::setup::plan(variants, tc);
    let root = crate::setup::is_root();
    if steps.is_empty() {
        if !quiet {
            eprintln!("setup: nothing to install");
        }
        return true;
    }
    if dry_run {
        for s in &steps {
            println!("{}", s.command(root));
        }
        return true;
    }
    let left = crate::setup::run(&steps, tc, quiet);
    for (s, why) in &left {
        eprintln!("setup: not done ({why}); run:\n    {}", s.command(root));
    }
    left.is_empty()
}

pub fn setup(args: SetupArgs, global: &GlobalOpts) -> Result<ExitCode> {
    let tc = Toolchain::detect();
    let root = workspace_root(&tc, args.matrix.manifest_path.as_deref());
    let m = load_matrix(&args.matrix, root.as_deref(), &tc)?;
    let ok = do_setup(
        &tc,
        &selected(&m, &args.matrix.variants),
        args.dry_run,
        global.quiet,
    );
    Ok(if ok {
        ExitCode::SUCCESS
    } else {
        ExitCode::from(1)
    })
}

pub fn targets(args: TargetsArgs, _global: &GlobalOpts) -> Result<ExitCode> {
    let tc = Toolchain::detect();
    let root = workspace_root(&tc, args.matrix.manifest_path.as_deref());
    let mut m = load_matrix(&args.matrix, root.as_deref(), &tc)?;
    if !args.matrix.variants.is_empty() {
        m.variants
            .retain(|v| args.matrix.variants.iter().any(|i| i == v.id()));
    }
    let r = crate::targets::report(&tc, &m, args.installed);
    write_output(None, |w| match args.format {
        TargetsFormat::Human => crate::targets::human(&r, w),
        TargetsFormat::Json => {
            serde_json::to_writer_pretty(&mut *w, &r)?;
            writeln!(w)
        }
    })?;
    Ok(ExitCode::SUCCESS)
}

pub fn build(args: BuildArgs, global: &GlobalOpts) -> Result<ExitCode> {
    let tc = Toolchain::detect();
    let opts = BuildOptions {
        cargo: CargoArgs {
            manifest_path: args.matrix.manifest_path.clone(),
            package: args.package.clone(),
            profile: args.profile.clone(),
            features: args.features.clone(),
            all_features: args.all_features,
            no_default_features: args.no_default_features,
            locked: args.locked,
            offline: args.offline,
        },
        bins: args.bins.clone(),
        variants: args.matrix.variants.clone(),
        jobs: args
            .jobs
            .unwrap_or_else(|| std::thread::available_parallelism().map_or(1, |n| n.get())),
        quiet: global.quiet,
    };
    let ws = build::resolve_workspace(&tc, &opts)?;
    let m = load_matrix(&args.matrix, Some(&ws.root), &tc)?;
    if args.setup {
        do_setup(&tc, &selected(&m, &opts.variants), false, global.quiet);
    }
    // setup may have installed what the toolchain facts said was missing
    let tc = if args.setup { Toolchain::detect() } else { tc };
    let variants = build::build(&tc, &m, &ws, &opts)?;
    let report = BuildReport::new(host(), m.source.clone(), variants, Vec::new());
    let style = style_for(global.color, args.output.is_some());
    write_output(args.output.as_deref(), |w| match args.format {
        BuildFormat::Human => table::human(&report, style, w),
        BuildFormat::Markdown => table::markdown(&report, w),
        BuildFormat::Json => {
            serde_json::to_writer_pretty(&mut *w, &report)?;
            writeln!(w)
        }
    })?;
    Ok(if report.success() {
        ExitCode::SUCCESS
    } else {
        ExitCode::from(1)
    })
}
