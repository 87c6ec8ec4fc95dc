//! A [`DiffReport`] for people, as GitHub-flavoured Markdown, and as JUnit.

use std::io::{self, Write};

use super::escape::md_cell;
use super::junit::{Case, Failure, Suite};
use super::Style;
use crate::model::wire_name;
use crate::report::diff::{Change, ChangeKind, DiffReport, VariantDiff};

fn kind_label(k: ChangeKind) -> &'static str {
    match k {
        ChangeKind::Regression => "regression",
        ChangeKind::Improvement => "improvement",
        ChangeKind::Note => "note",
    }
}

/// The one-line result, e.g. `2 regressions, 1 improvement, 3 notes over 4 variants`.
pub fn headline(d: &DiffReport) -> String {
    let n = |c: usize, w: &str| format!("{c} {w}{}", if c == 1 { "" } else { "s" });
    format!(
        "{}, {}, {} over {}",
        n(d.summary.regressions, "regression"),
        n(d.summary.improvements, "improvement"),
        n(d.summary.notes, "note"),
        n(d.summary.variants, "variant")
    )
}

/// For people: a block per variant with changes, then the headline.
pub fn human(d: &DiffReport, style: Style, w: &mut dyn Write) -> io::Result<()> {
    writeln!(w, "{} {} → {}", style.bold("diff"), d.old, d.new)?;
    for v in &d.variants {
        if v.changes.is_empty() {
            continue;
        }
        writeln!(w, "{}", style.bold(&v.id))?;
        let mut changes: Vec<&Change> = v.changes.iter().collect();
        changes.sort_by_key(|c| c.kind);
        for c in changes {
            let label = match c.kind {
                ChangeKind::Regression => style.red("regression "),
                ChangeKind::Improvement => style.green("improvement"),
                ChangeKind::Note => style.dim("note       "),
            };
            writeln!(w, "  {label} {}", c.message)?;
        }
    }
    let unchanged = d.variants.iter().filter(|v| v.changes.is_empty()).count();
    if unchanged > 0 {
        let s = if unchanged == 1 { "" } else { "s" };
        writeln!(w, "{unchanged} variant{s} unchanged")?;
    }
    let line = headline(d);
    if d.has_regressions() {
        writeln!(w, "{}", style.red(&line))
    } else {
        writeln!(w, "{}", style.green(&line))
    }
}

/// GitHub-flavoured Markdown: a heading with the headline and one table row per
/// change (regressions first).
pub fn markdown(d: &DiffReport, w: &mut dyn Write) -> io::Result<()> {
    writeln!(w, "### cargo-portable diff: {}", headline(d))?;
    writeln!(w)?;
    writeln!(
        w,
        "`{}` → `{}`, size growth allowed: {}%",
        md_cell(&d.old),
        md_cell(&d.new),
        d.max_size_growth
    )?;
    writeln!(w)?;
    let mut rows: Vec<(&VariantDiff, &Change)> = d
        .variants
        .iter()
        .flat_map(|v| v.changes.iter().map(move |c| (v, c)))
        .collect();
    if rows.is_empty() {
        writeln!(w, "No changes in {} variants.", d.variants.len())?;
        return Ok(());
    }
    rows.sort_by_key(|(_, c)| c.kind);
    writeln!(w, "| | variant | binary | change | old | new | details |")?;
    writeln!(w, "|---|---|---|---|---|---|---|")?;
    for (v, c) in rows {
        let mark = match c.kind {
            ChangeKind::Regression => "❌",
            ChangeKind::Improvement => "✅",
            ChangeKind::Note => "ℹ️",
        };
        writeln!(
            w,
            "| {mark} {} | {} | {} | {} | {} | {} | {} |",
            kind_label(c.kind),
            md_cell(&v.id),
            md_cell(c.artifact.as_deref().unwrap_or("")),
            md_cell(&wire_name(&c.code)),
            md_cell(&short(c.old.as_deref())),
            md_cell(&short(c.new.as_deref())),
            md_cell(&c.message)
        )?;
    }
    Ok(())
}

/// A value for a table cell: long lists (imports) are cut.
fn short(s: Option<&str>) -> String {
    let s = s.unwrap_or("");
    if s.chars().count() > 60 {
        let cut: String = s.chars().take(57).collect();
        format!("{cut}…")
    } else {
        s.to_owned()
    }
}

/// JUnit: one test suite, one test case per variant, failing with its regressions.
pub fn junit(d: &DiffReport) -> Vec<Suite> {
    let cases = d
        .variants
        .iter()
        .map(|v| {
            let regs: Vec<&Change> = v.regressions().collect();
            let others: Vec<String> = v
                .changes
                .iter()
                .filter(|c| c.kind != ChangeKind::Regression)
                .map(|c| format!("{}: {}", kind_label(c.kind), c.message))
                .collect();
            Case {
                classname: "diff".into(),
                name: v.id.clone(),
                failure: (!regs.is_empty()).then(|| Failure {
                    message: format!(
                        "{} regression{}: {}",
                        regs.len(),
                        if regs.len() == 1 { "" } else { "s" },
                        regs[0].message
                    ),
                    text: regs
                        .iter()
                        .map(|c| c.message.clone())
                        .collect::<Vec<_>>()
                        .join("\n"),
                }),
                output: others.join("\n"),
            }
        })
        .collect();
    vec![Suite {
        name: format!("cargo-portable diff {} {}", d.old, d.new),
        cases,
    }]
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::ops::diff::diff;
    use crate::report::testing::{artifact, build_report, variant};

    const START: (&str, &str) = ("__libc_start_main", "GLIBC_2.34");

    #[test]
    fn markdown_is_one_table_with_escaped_cells() {
        let old = build_report(vec![variant(
            "gnu",
            vec![artifact("/a/app", 1000, &[], &[START])],
        )]);
        let new = build_report(vec![variant(
            "gnu",
            vec![artifact("/b/app", 1000, &["lib|pipe.so"], &[START])],
        )]);
        let d = diff(&old, &new, "old.json", "new.json", 10.0);
        let mut out = Vec::new();
        markdown(&d, &mut out).unwrap();
        let text = String::from_utf8(out).unwrap();
        let rows: Vec<&str> = text.lines().filter(|l| l.starts_with('|')).collect();
        assert_eq!(rows.len(), 3, "{text}");
        let cells = |l: &str| l.replace("\\|", "").matches('|').count();
        assert!(rows.iter().all(|r| cells(r) == 8), "{text}");
        assert!(text.contains("lib\\|pipe.so"), "{text}");
    }
}
