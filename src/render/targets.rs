//! A [`TargetsReport`] for people.

use std::io::{self, Write};

use crate::report::targets::TargetsReport;

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
