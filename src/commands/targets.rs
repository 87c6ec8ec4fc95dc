//! `cargo portable targets`: the `go tool dist list` of Rust. Every rustc target with
//! whether its standard library is installed and its C linker found, and, for the
//! matrix, whether each variant is ready to build.

use anyhow::Result;

use super::{load_matrix, workspace_root, Outcome};
use crate::cli::{GlobalOpts, TargetsArgs, TargetsFormat};
use crate::engine::plan::{plan, Plan};
use crate::output::write_output;
use crate::report::targets::{TargetRow, TargetsReport, VariantRow};
use crate::toolchain::needs::c_driver;
use crate::toolchain::{needs, Machine, Toolchain};

pub(super) fn run(args: TargetsArgs, _global: &GlobalOpts) -> Result<Outcome> {
    let tc = Toolchain::detect();
    let root = workspace_root(&tc, args.matrix.manifest_path.as_deref());
    let mut m = load_matrix(&args.matrix, root.as_deref(), &tc)?;
    if !args.matrix.variants.is_empty() {
        m.variants
            .retain(|v| args.matrix.variants.iter().any(|i| i == v.id()));
    }
    tc.prefetch_probes(m.variants.iter().filter_map(|v| needs(v, tc.host()).probe));
    let targets = tc
        .target_list
        .iter()
        .filter(|t| !args.installed || tc.std_installed(t))
        .map(|t| {
            let linker = c_driver(t, &tc.host);
            TargetRow {
                triple: t.clone(),
                std_installed: tc.std_installed(t),
                linker_found: linker.as_deref().is_some_and(|l| tc.find(l).is_some()),
                linker,
            }
        })
        .collect();
    let variants = m
        .variants
        .iter()
        .map(|v| {
            let (ready, reason, fix) = match plan(v, &tc, &[]) {
                Plan::Ready(_) => (true, None, None),
                Plan::Skipped { reason, fix } => (false, Some(reason), Some(fix)),
            };
            VariantRow {
                id: v.id().to_owned(),
                target: v.target().to_owned(),
                ready,
                reason,
                fix,
                c_compiler: needs(v, tc.host()).c.map(|c| c.display()),
            }
        })
        .collect();
    let r = TargetsReport {
        host: tc.host.clone(),
        matrix: m.source.clone(),
        targets,
        variants,
    };
    write_output(None, |w| match args.format {
        TargetsFormat::Human => crate::render::targets::human(&r, w),
        TargetsFormat::Json => {
            serde_json::to_writer_pretty(&mut *w, &r)?;
            writeln!(w)
        }
    })?;
    Ok(Outcome::Success)
}
