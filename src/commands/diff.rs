//! `cargo portable diff OLD NEW`: what changed between two reports; a regression
//! exits 1.

use std::io::Write;

use anyhow::Result;

use super::reports::read_build_like;
use super::{style_for, Outcome};
use crate::cli::{DiffArgs, DiffFormat, GlobalOpts};
use crate::ops;
use crate::output::write_output;
use crate::render::{diff, html, json, junit, sarif, Style};
use crate::report::diff::DiffReport;
use crate::report::variants::BuildReport;

pub(super) fn run(args: DiffArgs, global: &GlobalOpts) -> Result<Outcome> {
    let old = read_build_like(&args.old)?;
    let new = read_build_like(&args.new)?;
    let d = ops::diff::diff(
        &old,
        &new,
        &args.old.display().to_string(),
        &args.new.display().to_string(),
        args.growth.max_size_growth,
    );
    let style = style_for(global.color, args.output.is_some());
    write_output(args.output.as_deref(), |w| {
        render(&d, &new, args.format, style, w)
    })?;
    Ok(outcome(&d))
}

pub(super) fn outcome(d: &DiffReport) -> Outcome {
    if d.has_regressions() {
        Outcome::Failure
    } else {
        Outcome::Success
    }
}

pub(super) fn render(
    d: &DiffReport,
    new: &BuildReport,
    format: DiffFormat,
    style: Style,
    w: &mut dyn Write,
) -> std::io::Result<()> {
    match format {
        DiffFormat::Human => diff::human(d, style, w),
        DiffFormat::Markdown => diff::markdown(d, w),
        DiffFormat::Html => html::diff(d, new, w),
        DiffFormat::Json => {
            serde_json::to_writer_pretty(&mut *w, d)?;
            writeln!(w)
        }
        DiffFormat::Junit => junit::write("cargo-portable diff", &diff::junit(d), w),
        DiffFormat::Sarif => json::write(&sarif::diff(d, new, &sarif::Locator::here()), w),
    }
}
