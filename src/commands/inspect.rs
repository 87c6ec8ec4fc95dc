//! `cargo portable inspect FILE…`: inspect any binaries, render the report.

use std::io::IsTerminal;

use anyhow::Result;

use super::{host, host_without_rustc, style_for, Outcome};
use crate::cli::{GlobalOpts, InspectArgs, InspectFormat};
use crate::output::write_output;
use crate::render;
use crate::report::Report;
use crate::scan::{scan, ScanOptions};

pub(super) fn run(args: InspectArgs, global: &GlobalOpts) -> Result<Outcome> {
    // the digest is most of the time on big trees: compute it where the output shows it
    // (the JSON report, the SBOM's hashes)
    let hash = args.hash
        || (matches!(args.format, InspectFormat::Json | InspectFormat::Cyclonedx) && !args.no_hash);
    let releases = match args.prove.as_deref() {
        Some(spec) => crate::prove::parse_releases(spec).map_err(anyhow::Error::msg)?,
        None => Vec::new(),
    };
    let mut found = scan(&args.paths, ScanOptions { hash });
    if !releases.is_empty() {
        crate::prove::fetch::Prover::default().prove_all(&mut found.artifacts, &releases);
    }
    // `rustc -V` (a process, through rustup's proxy) only where the output has `host`
    let host = if args.format == InspectFormat::Json {
        host(None)
    } else {
        host_without_rustc()
    };
    let report = Report::new(host, found.artifacts, found.errors, found.skipped);
    let style = style_for(global.color, args.output.is_some());
    write_output(args.output.as_deref(), |w| {
        render::render(&report, args.format, style, w)
    })?;
    // Formats without room for errors (and any output to a file) report them on stderr.
    let errors_shown = args.format == InspectFormat::Human && args.output.is_none();
    if !errors_shown {
        let err_style = style_for(global.color, !std::io::stderr().is_terminal());
        let _ = render::render_errors(&report.errors, err_style, &mut std::io::stderr());
    }
    let disagreements = crate::prove::disagreements(&report.artifacts);
    for d in &disagreements {
        eprintln!("error: --prove disagrees with runs_on: {d}");
    }
    Ok(if !report.errors.is_empty() {
        Outcome::InputError
    } else if !disagreements.is_empty() {
        Outcome::Failure
    } else {
        Outcome::Success
    })
}
