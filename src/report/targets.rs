//! The report of `cargo portable targets`: every rustc target, and each variant's
//! readiness; rendered for people or as JSON.

use std::io::{self, Write};

use serde::{Deserialize, Serialize};

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
    /// The C compiler the variant's build scripts get for a crate that compiles C
    /// (`aarch64-linux-gnu-gcc`, `zig cc -target aarch64-linux-musl`, …); null when
    /// none goes with its linker here.
    pub c_compiler: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct TargetsReport {
    pub host: String,
    pub matrix: String,
    pub targets: Vec<TargetRow>,
    pub variants: Vec<VariantRow>,
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
    let tw = r.variants.iter().map(|v| v.target.len()).max().unwrap_or(8);
    for v in &r.variants {
        let c = v.c_compiler.as_deref().unwrap_or("none");
        if v.ready {
            writeln!(
                w,
                "  {:idw$}  ready    {:tw$}  C for build scripts: {c}",
                v.id, v.target
            )?;
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
