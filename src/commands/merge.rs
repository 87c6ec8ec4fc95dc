//! `cargo portable merge REPORT… -o OUT`: the reports of CI matrix jobs become one.

use anyhow::Result;

use super::reports::{read_json, read_saved, Saved};
use super::{host_without_rustc, style_for, Outcome};
use crate::cli::{GlobalOpts, MergeArgs, MergeFormat};
use crate::ops::merge::{merge, same_schema_version};
use crate::output::write_output;
use crate::render::{cyclonedx, html, json, junit, sarif, table};

pub(super) fn run(args: MergeArgs, global: &GlobalOpts) -> Result<Outcome> {
    let name = |p: &std::path::Path| p.display().to_string();
    let mut docs = Vec::new();
    for p in &args.reports {
        let (doc, version) = read_json(p)?;
        docs.push((p.clone(), doc, version));
    }
    let versions: Vec<(String, u64)> = docs.iter().map(|(p, _, v)| (name(p), *v)).collect();
    same_schema_version(&versions)?;
    let mut inputs = Vec::new();
    for (p, doc, version) in docs {
        match read_saved(&p, doc, version)? {
            Saved::Build(r) => inputs.push((name(&p), *r)),
            Saved::Inspect(_) => anyhow::bail!(
                "{}: an inspect report; merge reads build reports (build --format json -o FILE)",
                p.display()
            ),
        }
    }
    let merged = merge(inputs, host_without_rustc())?;
    // a CI job that wrote no report leaves its variant out: say which
    let missing: Vec<&str> = merged
        .matrix_variants
        .iter()
        .filter(|id| !merged.variants.iter().any(|v| &v.id == *id))
        .map(String::as_str)
        .collect();
    if !missing.is_empty() && !global.quiet {
        eprintln!(
            "merge: no report has variant{} {} of {}",
            if missing.len() == 1 { "" } else { "s" },
            missing.join(", "),
            merged.matrix
        );
    }
    let style = style_for(global.color, args.output.is_some());
    write_output(args.output.as_deref(), |w| match args.format {
        MergeFormat::Human => table::human(&merged, style, w),
        MergeFormat::Markdown => table::markdown(&merged, w),
        MergeFormat::Html => html::build(&merged, None, w),
        MergeFormat::Json => {
            serde_json::to_writer_pretty(&mut *w, &merged)?;
            writeln!(w)
        }
        MergeFormat::Junit => {
            let suite = junit::build_report(&merged, "cargo-portable merge");
            junit::write("cargo-portable", &[suite], w)
        }
        MergeFormat::Cyclonedx => {
            json::write(&cyclonedx::build(&merged, &cyclonedx::RunId::new()), w)
        }
        MergeFormat::Sarif => json::write(&sarif::build(&merged, None, &sarif::Locator::here()), w),
    })?;
    Ok(if merged.success() {
        Outcome::Success
    } else {
        Outcome::Failure
    })
}
