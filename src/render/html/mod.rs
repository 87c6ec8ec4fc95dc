//! `--format html`: one self-contained page (inline CSS and JS, no request of any
//! kind) rendered from the same model as the other formats: a grid of the variants
//! against their key properties, a size chart (inline SVG), each variant's details
//! (libraries, imports grouped by library, the symbols forcing the floors, hazards
//! with their fixes, runs_on, smoke), the changes of a `diff`, and a filter box.
//!
//! Every piece of text comes from binaries or reports and goes through [`esc`]. The
//! fields are listed once each, in the column tables ([`GRID`], [`LIBRARY_COLUMNS`],
//! [`IMPORT_COLUMNS`], [`HAZARD_COLUMNS`]): a field added to the model later is one
//! entry there.

mod changes;
mod details;
mod grid;
mod page;

use std::collections::BTreeMap;
use std::fmt::Write as _;
use std::io::{self, Write};

use self::changes::*;
use self::details::*;
use self::grid::*;
use self::page::*;
use super::escape::{markup, Markup};
use crate::model::{
    wire_name, Artifact, Crate, GoModule, Hazard, Import, Library, LibraryClass, Linkage, Severity,
};
use crate::report::diff::{ChangeKind, DiffReport};
use crate::report::smoke::SmokeStatus;
use crate::report::variants::{BuildReport, Status, VariantReport};
use crate::report::Report;
use crate::version::Version;

/// Text made safe for HTML element content and quoted attribute values.
pub fn esc(s: &str) -> String {
    markup(s, Markup::Html)
}

fn build_page(r: &BuildReport, d: Option<&DiffReport>) -> String {
    let entries: Vec<Entry> = r
        .variants
        .iter()
        .map(|v| Entry {
            id: v.id.clone(),
            variant: Some(v),
            artifacts: v.artifacts.iter().collect(),
        })
        .collect();
    let mut out = String::with_capacity(64 * 1024);
    let title = match d {
        Some(d) => format!("cargo portable diff: {}", super::diff::headline(d)),
        None => format!("cargo portable: {}", r.matrix),
    };
    head(&mut out, &title);
    let s = &r.summary;
    let _ = write!(
        out,
        "<h1>{}</h1><p class=\"meta\">matrix <code>{}</code>; {} {} on {}; {} variants: {} built, {} failed, \
         {} skipped, {} static; {} expectation violations; {} smoke failures</p>",
        esc(&title),
        esc(&r.matrix),
        esc(&r.tool.name),
        esc(&r.tool.version),
        esc(&r.host.triple),
        s.variants,
        s.built,
        s.failed,
        s.skipped,
        s.static_,
        s.violations,
        s.smoke_failed
    );
    tools(&mut out);
    if let Some(d) = d {
        changes(&mut out, d);
    }
    grid(&mut out, &entries, &badges(d), "variant");
    size_chart(&mut out, &entries);
    errors(&mut out, &r.errors);
    details(&mut out, &entries);
    tail(&mut out);
    out
}

/// The page of a `build` or `merge` report; with `d`, the comparison with a baseline.
pub fn build(r: &BuildReport, d: Option<&DiffReport>, w: &mut dyn Write) -> io::Result<()> {
    w.write_all(build_page(r, d).as_bytes())
}

/// The page of a `diff`: its changes first, then the new report, its variants marked
/// with their regressions and improvements.
pub fn diff(d: &DiffReport, new: &BuildReport, w: &mut dyn Write) -> io::Result<()> {
    build(new, Some(d), w)
}

/// The page of an `inspect` report: one grid row per binary.
pub fn inspect(r: &Report, w: &mut dyn Write) -> io::Result<()> {
    let entries: Vec<Entry> = r
        .artifacts
        .iter()
        .map(|a| Entry {
            id: match &a.slice {
                Some(s) => format!("{} ({}, slice {})", a.path, a.arch, s.index),
                None => a.path.clone(),
            },
            variant: None,
            artifacts: vec![a],
        })
        .collect();
    let mut out = String::with_capacity(64 * 1024);
    let title = format!("cargo portable inspect: {} binaries", r.artifacts.len());
    head(&mut out, &title);
    let s = &r.summary;
    let _ = write!(
        out,
        "<h1>{}</h1><p class=\"meta\">{} {} on {}; {} static, {} dynamic, {} portable, {} with hazards; \
         {} errors; {} other files skipped</p>",
        esc(&title),
        esc(&r.tool.name),
        esc(&r.tool.version),
        esc(&r.host.triple),
        s.static_,
        s.dynamic,
        s.portable,
        s.with_hazards,
        s.errors,
        s.skipped_files
    );
    tools(&mut out);
    grid(&mut out, &entries, &BTreeMap::new(), "binary");
    size_chart(&mut out, &entries);
    errors(&mut out, &r.errors);
    details(&mut out, &entries);
    tail(&mut out);
    w.write_all(out.as_bytes())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::report::testing::{artifact, build_report, variant};

    #[test]
    fn text_from_binaries_is_escaped() {
        assert_eq!(
            esc("<script>alert('x')</script> & \"q\""),
            "&lt;script&gt;alert(&#39;x&#39;)&lt;/script&gt; &amp; &quot;q&quot;"
        );
        let mut a = artifact("/t/<img src=x onerror=alert(1)>", 4096, &[], &[]);
        a.imports.push(crate::model::Import {
            name: "</script><script>alert(1)</script>".into(),
            version: Some("\"><b>".into()),
            library: Some("lib<x>.so".into()),
            weak: false,
            ordinal: None,
            origin: vec!["<evil>@1.0".into()],
        });
        let r = build_report(vec![variant("a\"<b>", vec![a])]);
        let mut out = Vec::new();
        build(&r, None, &mut out).unwrap();
        let html = String::from_utf8(out).unwrap();
        assert!(!html.contains("<img src=x"), "raw markup from a path");
        assert!(
            !html.contains("</script><script>alert"),
            "raw markup from a symbol"
        );
        assert!(!html.contains("<b>\""), "raw markup from a version");
        assert!(html.contains("&lt;/script&gt;&lt;script&gt;alert(1)&lt;/script&gt;"));
        assert!(html.contains("&lt;evil&gt;@1.0"), "the origin, escaped");
        assert!(!html.contains("<evil>"), "raw markup from an origin");
        // the one script element is ours
        assert_eq!(html.matches("<script>").count(), 1);
    }

    #[test]
    fn the_page_references_nothing_outside_itself() {
        let a = artifact(
            "/t/app",
            4096,
            &["libssl.so.3"],
            &[("getaddrinfo", "GLIBC_2.2.5")],
        );
        let r = build_report(vec![variant("gnu", vec![a])]);
        let mut out = Vec::new();
        build(&r, None, &mut out).unwrap();
        let html = String::from_utf8(out).unwrap();
        for bad in [
            " src=", "url(", "@import", "<link", "http://", "https://", "<iframe",
        ] {
            assert!(!html.contains(bad), "the page references {bad}");
        }
        for href in html.split("href=\"").skip(1) {
            assert!(href.starts_with('#'), "a link out of the page: {href:.40}");
        }
    }
}

#[cfg(test)]
mod diff_tests {
    use super::*;
    use crate::ops::diff;
    use crate::report::testing::{artifact, build_report, variant};

    #[test]
    fn a_diff_page_highlights_regressions_and_improvements() {
        let old = build_report(vec![
            variant(
                "a",
                vec![artifact("/t/a", 4096, &[], &[("puts", "GLIBC_2.2.5")])],
            ),
            variant("b", vec![artifact("/t/b", 4096, &["libz.so.1"], &[])]),
        ]);
        let new = build_report(vec![
            variant(
                "a",
                vec![artifact(
                    "/t/a",
                    4096,
                    &["libssl.so.3"],
                    &[("arc4random", "GLIBC_2.36")],
                )],
            ),
            variant("b", vec![artifact("/t/b", 4096, &[], &[])]),
        ]);
        let d = diff::diff(&old, &new, "old.json", "new.json", 10.0);
        assert!(
            d.summary.regressions > 0 && d.summary.improvements > 0,
            "{d:?}"
        );
        let mut out = Vec::new();
        super::diff(&d, &new, &mut out).unwrap();
        let html = String::from_utf8(out).unwrap();
        let rows = |kind: &str| html.matches(&format!("<tr class=\"{kind}\">")).count();
        assert_eq!(rows("regression"), d.summary.regressions);
        assert_eq!(rows("improvement"), d.summary.improvements);
        for v in &d.variants {
            for c in &v.changes {
                assert!(html.contains(&esc(&c.message)), "{}", c.message);
            }
        }
        let a_regressions = d.variants[0].regressions().count();
        let badge = format!(
            "▲ {a_regressions} regression{}",
            if a_regressions == 1 { "" } else { "s" }
        );
        assert!(html.contains(&badge), "{badge}");
    }
}
