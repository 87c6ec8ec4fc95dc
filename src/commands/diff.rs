//! `cargo portable diff OLD NEW`: what changed between two reports; a regression
//! exits 1.

use std::io::Write;

use anyhow::Result;

use super::reports::read_build_like;
use super::{style_for, Outcome};
use crate::cli::{DiffArgs, GlobalOpts, ReportFormat};
use crate::output::write_output;
use crate::report::diff::{self, DiffReport};
use crate::report::{junit, Style};

pub(super) fn run(args: DiffArgs, global: &GlobalOpts) -> Result<Outcome> {
    let old = read_build_like(&args.old)?;
    let new = read_build_like(&args.new)?;
    let d = diff::diff(
        &old,
        &new,
        &args.old.display().to_string(),
        &args.new.display().to_string(),
        args.growth.max_size_growth,
    );
    let style = style_for(global.color, args.output.is_some());
    write_output(args.output.as_deref(), |w| {
        render(&d, args.format, style, w)
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
    format: ReportFormat,
    style: Style,
    w: &mut dyn Write,
) -> std::io::Result<()> {
    match format {
        ReportFormat::Human => diff::human(d, style, w),
        ReportFormat::Markdown => diff::markdown(d, w),
        ReportFormat::Json => {
            serde_json::to_writer_pretty(&mut *w, d)?;
            writeln!(w)
        }
        ReportFormat::Junit => junit::write("cargo-portable diff", &diff::junit(d), w),
    }
}
