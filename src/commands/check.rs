//! `cargo portable check FILE|REPORT…`: expectations on binaries and saved reports,
//! without building. Exit 1 on a violation, 2 when an input could not be read (the
//! others are still checked and reported).

use std::io::IsTerminal;

use anyhow::{bail, Context, Result};
use toml::Spanned;

use super::reports::{looks_like_json, read_json, read_saved, Saved};
use super::{style_for, Outcome};
use crate::cli::{CheckArgs, GlobalOpts, ReportFormat};
use crate::matrix::{parse_policy, validate_expect, Expect, ExpectHazards, Rule};
use crate::model::ErrorEntry;
use crate::ops::check::{check_artifact, check_variant};
use crate::output::write_output;
use crate::render::{check, json, junit, render_errors, sarif};
use crate::report::check::{CheckReport, CheckedInput, InputKind};
use crate::scan::{scan, ScanOptions};

/// The policy file, with the flags on top (a flag replaces the file's key).
fn expectation(args: &CheckArgs) -> Result<Expect> {
    let mut e = match &args.policy {
        Some(p) => {
            let text = std::fs::read_to_string(p)
                .with_context(|| format!("reading the policy {}", p.display()))?;
            parse_policy(&text, &p.display().to_string())?
        }
        None => Expect::default(),
    };
    let flag = |s: &str| Spanned::new(0..0, s.to_owned());
    if let Some(m) = &args.max_glibc {
        e.max_glibc = Some(flag(m));
    }
    if let Some(m) = &args.min_macos {
        e.min_macos = Some(flag(m));
    }
    if !args.runs_on.is_empty() {
        e.runs_on = Some(Spanned::new(0..0, args.runs_on.clone()));
    }
    if let Some(l) = args.linkage {
        e.linkage = Some(l);
    }
    if !args.allow_library.is_empty() {
        e.libraries = Some(args.allow_library.clone());
    }
    let (all, codes): (Vec<&String>, Vec<&String>) =
        args.deny_hazard.iter().partition(|c| *c == "all");
    if !all.is_empty() {
        e.hazards = Some(ExpectHazards::None);
    }
    if !codes.is_empty() {
        e.deny_hazards = Some(Spanned::new(0..0, codes.into_iter().cloned().collect()));
    }
    if !args.require.is_empty() {
        e.require = Some(args.require.clone());
    }
    if let Err((_, key, message)) = validate_expect(&e) {
        bail!("--{key}: {message}");
    }
    if e.rules().is_empty() {
        bail!(
            "nothing to check: give {} or --policy FILE",
            Rule::flags_hint()
        );
    }
    Ok(e)
}

pub(super) fn run(args: CheckArgs, global: &GlobalOpts) -> Result<Outcome> {
    let e = expectation(&args)?;
    let mut inputs = Vec::new();
    let mut errors = Vec::new();
    for p in &args.paths {
        let path = p.display().to_string();
        if looks_like_json(p) {
            let saved = read_json(p).and_then(|(doc, v)| read_saved(p, doc, v));
            match saved {
                Ok(Saved::Build(r)) => inputs.push(CheckedInput {
                    path,
                    kind: InputKind::BuildReport,
                    targets: r.variants.iter().map(|v| check_variant(&e, v)).collect(),
                }),
                Ok(Saved::Inspect(r)) => inputs.push(CheckedInput {
                    path,
                    kind: InputKind::InspectReport,
                    targets: r.artifacts.iter().map(|a| check_artifact(&e, a)).collect(),
                }),
                Err(err) => errors.push(ErrorEntry {
                    path,
                    error: format!("{err:#}"),
                }),
            }
            continue;
        }
        let found = scan(std::slice::from_ref(p), ScanOptions { hash: false });
        errors.extend(found.errors);
        if !found.artifacts.is_empty() {
            inputs.push(CheckedInput {
                path,
                kind: InputKind::Binary,
                targets: found
                    .artifacts
                    .iter()
                    .map(|a| check_artifact(&e, a))
                    .collect(),
            });
        }
    }
    let r = CheckReport::new(&e, inputs, errors);
    let style = style_for(global.color, args.output.is_some());
    write_output(args.output.as_deref(), |w| match args.format {
        ReportFormat::Human => check::human(&r, style, w),
        ReportFormat::Markdown => check::markdown(&r, w),
        ReportFormat::Json => {
            serde_json::to_writer_pretty(&mut *w, &r)?;
            writeln!(w)
        }
        ReportFormat::Junit => {
            junit::write("cargo-portable check", &check::junit(&r, &e.rules()), w)
        }
        ReportFormat::Sarif => json::write(&sarif::check(&r, &sarif::Locator::here()), w),
    })?;
    // errors are in the human output; elsewhere they also go to stderr
    if args.format != ReportFormat::Human || args.output.is_some() {
        let err_style = style_for(global.color, !std::io::stderr().is_terminal());
        let _ = render_errors(&r.errors, err_style, &mut std::io::stderr());
    }
    Ok(if !r.errors.is_empty() {
        Outcome::InputError
    } else if r.passed() {
        Outcome::Success
    } else {
        Outcome::Failure
    })
}
