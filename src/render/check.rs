//! A [`CheckReport`] for people, as GitHub-flavoured Markdown, and as JUnit.

use std::io::{self, Write};

use super::escape::md_cell;
use super::junit::{Case, Failure, Suite};
use super::Style;
use crate::model::wire_name;
use crate::report::check::CheckReport;
use crate::report::variants::Violation;

/// For people: the rules, then a line per target (and its violations), then errors.
pub fn human(r: &CheckReport, style: Style, w: &mut dyn Write) -> io::Result<()> {
    writeln!(w, "{} {}", style.bold("check"), r.rules.join("; "))?;
    for i in &r.inputs {
        let kind = wire_name(&i.kind);
        writeln!(w, "{} ({kind})", style.bold(&i.path))?;
        for t in &i.targets {
            let mark = if t.passed {
                style.green("pass")
            } else {
                style.red("FAIL")
            };
            let note = t
                .note
                .as_deref()
                .map(|n| format!(" ({n})"))
                .unwrap_or_default();
            writeln!(w, "  {mark} {}{note}", t.name)?;
            for v in &t.violations {
                writeln!(w, "       {}: {}", v.rule, v.message)?;
            }
        }
    }
    for e in &r.errors {
        writeln!(w, "{}: {}: {}", style.red("error"), e.path, e.error)?;
    }
    let s = &r.summary;
    let line = format!(
        "{} checked: {} passed, {} failed ({} violations); {} input errors",
        s.checked, s.passed, s.failed, s.violations, s.errors
    );
    if r.passed() && s.errors == 0 {
        writeln!(w, "{}", style.green(&line))
    } else {
        writeln!(w, "{}", style.red(&line))
    }
}

/// GitHub-flavoured Markdown: one table row per target and broken rule.
pub fn markdown(r: &CheckReport, w: &mut dyn Write) -> io::Result<()> {
    let s = &r.summary;
    writeln!(
        w,
        "### cargo-portable check: {} passed, {} failed",
        s.passed, s.failed
    )?;
    writeln!(w)?;
    writeln!(w, "Rules: {}", md_cell(&r.rules.join("; ")))?;
    writeln!(w)?;
    writeln!(w, "| | input | checked | rule | evidence |")?;
    writeln!(w, "|---|---|---|---|---|")?;
    for i in &r.inputs {
        for t in &i.targets {
            if t.violations.is_empty() {
                writeln!(
                    w,
                    "| ✅ | {} | {} | - | {} |",
                    md_cell(&i.path),
                    md_cell(&t.name),
                    md_cell(t.note.as_deref().unwrap_or("every rule holds"))
                )?;
            }
            for v in &t.violations {
                writeln!(
                    w,
                    "| ❌ | {} | {} | {} | {} |",
                    md_cell(&i.path),
                    md_cell(&t.name),
                    md_cell(&v.rule),
                    md_cell(&v.message)
                )?;
            }
        }
    }
    for e in &r.errors {
        writeln!(
            w,
            "| ⚠️ | {} | - | input error | {} |",
            md_cell(&e.path),
            md_cell(&e.error)
        )?;
    }
    Ok(())
}

/// JUnit: a test suite per input, a test case per target and rule; an input error is
/// a suite with one failing case.
pub fn junit(r: &CheckReport, rules: &[&str]) -> Vec<Suite> {
    let mut suites: Vec<Suite> = r
        .inputs
        .iter()
        .map(|i| {
            let mut cases = Vec::new();
            for t in &i.targets {
                let mut keys: Vec<&str> = rules.to_vec();
                for v in &t.violations {
                    if !keys.contains(&v.rule.as_str()) {
                        keys.insert(0, &v.rule);
                    }
                }
                for key in keys {
                    let broken: Vec<&Violation> =
                        t.violations.iter().filter(|v| v.rule == key).collect();
                    cases.push(Case {
                        classname: t.name.clone(),
                        name: key.to_owned(),
                        failure: broken.first().map(|first| Failure {
                            message: first.message.clone(),
                            text: broken
                                .iter()
                                .map(|v| v.message.clone())
                                .collect::<Vec<_>>()
                                .join("\n"),
                        }),
                        output: t.note.clone().unwrap_or_default(),
                    });
                }
            }
            Suite {
                name: i.path.clone(),
                cases,
            }
        })
        .collect();
    for e in &r.errors {
        suites.push(Suite {
            name: e.path.clone(),
            cases: vec![Case {
                classname: e.path.clone(),
                name: "input".into(),
                failure: Some(Failure {
                    message: e.error.clone(),
                    text: e.error.clone(),
                }),
                output: String::new(),
            }],
        });
    }
    suites
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::matrix::parse_policy;
    use crate::ops::check::check_artifact;
    use crate::report::check::{CheckedInput, InputKind};
    use crate::report::testing::artifact;

    #[test]
    fn rules_of_flags_and_policy_alike() {
        let e = parse_policy(
            "max-glibc = \"2.17\"\nrequire = [\"pie\", \"full-relro\"]\ndeny-hazards = [\"executable-stack\"]\nlibraries = [\"libc.so.6\"]\n",
            "p.toml",
        )
        .unwrap();
        let a = artifact("/t/app", 1, &["libz.so.1"], &[("arc4random", "GLIBC_2.36")]);
        let t = check_artifact(&e, &a);
        let rules: Vec<&str> = t.violations.iter().map(|v| v.rule.as_str()).collect();
        assert_eq!(rules, ["max-glibc", "libraries", "require"], "{t:?}");
        assert!(
            t.violations[2].message.contains("full-relro (has none)"),
            "{t:?}"
        );
        let r = CheckReport::new(
            &e,
            vec![CheckedInput {
                path: "app".into(),
                kind: InputKind::Binary,
                targets: vec![t],
            }],
            vec![],
        );
        let suites = junit(&r, &e.rules());
        let failed: Vec<&str> = suites[0]
            .cases
            .iter()
            .filter(|c| c.failure.is_some())
            .map(|c| c.name.as_str())
            .collect();
        assert_eq!(suites[0].cases.len(), 4);
        assert_eq!(failed, ["max-glibc", "libraries", "require"]);
    }
}
