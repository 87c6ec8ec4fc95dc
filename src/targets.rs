//! `cargo portable targets`: the `go tool dist list` of Rust. Every rustc target with
//! whether its standard library is installed and its C linker found, and, for the
//! matrix, whether each variant is ready to build.

use std::io::{self, Write};

use serde::{Deserialize, Serialize};

use crate::build::plan::{c_driver, plan, Plan};
use crate::matrix::Matrix;
use crate::toolchain::Toolchain;

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct TargetRow {
    pub triple: String,
    pub std_installed: bool,
    /// The external C driver that links for it from this host, if any.
    pub linker: Option<String>,
    pub linker_found: bool,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct VariantRow {
    pub id: String,
    pub target: String,
    pub ready: bool,
    pub reason: Option<String>,
    pub fix: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct TargetsReport {
    pub host: String,
    pub matrix: String,
    pub targets: Vec<TargetRow>,
    pub variants: Vec<VariantRow>,
}

pub fn report(tc: &Toolchain, matrix: &Matrix, installed_only: bool) -> TargetsReport {
    let targets = tc
        .target_list
        .iter()
        .filter(|t| !installed_only || tc.std_installed(t))
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
    let variants = matrix
        .variants
        .iter()
        .map(|v| match plan(v, tc, false) {
            Plan::Ready(_) => VariantRow {
                id: v.id().to_owned(),
                target: v.target().to_owned(),
                ready: true,
                reason: None,
                fix: None,
            },
            Plan::Skipped { reason, fix } => VariantRow {
                id: v.id().to_owned(),
                target: v.target().to_owned(),
                ready: false,
                reason: Some(reason),
                fix: Some(fix),
            },
        })
        .collect();
    TargetsReport {
        host: tc.host.clone(),
        matrix: matrix.source.clone(),
        targets,
        variants,
    }
}

pub fn human(r: &TargetsReport, w: &mut dyn Write) -> io::Result<()> {
    let width = r.targets.iter().map(|t| t.triple.len()).max().unwrap_or(10);
    writeln!(w, "{:width$}  std  linker", "target")?;
    for t in &r.targets {
        let std = if t.std_installed { "yes" } else { "-" };
        let linker = match (&t.linker, t.linker_found) {
            (Some(l), true) => format!("{l} (found)"),
            (Some(l), false) => format!("{l} (missing)"),
            (None, _) => "- (use zig)".into(),
        };
        writeln!(w, "{:width$}  {std:<3}  {linker}", t.triple)?;
    }
    writeln!(w, "\nvariants of {}:", r.matrix)?;
    let idw = r.variants.iter().map(|v| v.id.len()).max().unwrap_or(8);
    for v in &r.variants {
        if v.ready {
            writeln!(w, "  {:idw$}  ready    {}", v.id, v.target)?;
        } else {
            writeln!(
                w,
                "  {:idw$}  not ready: {}\n  {:idw$}  fix: {}",
                v.id,
                v.reason.as_deref().unwrap_or(""),
                "",
                v.fix.as_deref().unwrap_or("")
            )?;
        }
    }
    Ok(())
}
