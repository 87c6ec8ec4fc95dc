//! `check`: expectations (a policy) applied to binaries and saved reports without
//! building. Pure: the rules come from `matrix::Expect`, the checking is
//! `report::expect::check` (the same code as a build's `[variant.expect]`); this module
//! shapes the result and renders it. Reading files is `commands/check.rs`.

use std::io::{self, Write};

use serde::{Deserialize, Serialize};

use super::diff::md_cell;
use super::expect;
use super::junit::{Case, Failure, Suite};
use super::variants::{ExpectResult, Status, VariantReport, Violation};
use super::{Style, Tool, SCHEMA_VERSION};
use crate::matrix::{Expect, ExpectHazards};
use crate::model::{wire_name, Artifact, ErrorEntry};

/// What an input file was.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum InputKind {
    /// An object file (or a directory of them), inspected.
    Binary,
    /// A saved `build` or `merge` report: its variants are checked.
    BuildReport,
    /// A saved `inspect` report: its artifacts are checked.
    InspectReport,
}

/// One thing checked: a variant of a report, or one binary.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct CheckTarget {
    /// The variant id, or the binary's path (with the architecture for a slice).
    pub name: String,
    /// The binaries checked.
    pub artifacts: Vec<String>,
    pub passed: bool,
    /// Each broken rule, with the evidence (`rule` is the expectation key, or `built`
    /// for a variant of a report that has no binaries to check).
    pub violations: Vec<Violation>,
    /// Why nothing was checked (an optional variant that was not built).
    pub note: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct CheckedInput {
    pub path: String,
    pub kind: InputKind,
    pub targets: Vec<CheckTarget>,
}

#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct CheckSummary {
    pub inputs: usize,
    pub checked: usize,
    pub passed: usize,
    pub failed: usize,
    pub violations: usize,
    pub errors: usize,
}

/// The JSON document of `check`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct CheckReport {
    pub schema_version: u32,
    pub tool: Tool,
    /// The rules applied, as `key value` (`max-glibc 2.17`, `runs-on rhel-7`).
    pub rules: Vec<String>,
    pub inputs: Vec<CheckedInput>,
    /// Inputs that could not be read or inspected: named, the others still checked.
    pub errors: Vec<ErrorEntry>,
    pub summary: CheckSummary,
}

impl CheckReport {
    pub fn new(expect: &Expect, inputs: Vec<CheckedInput>, errors: Vec<ErrorEntry>) -> Self {
        let targets = || inputs.iter().flat_map(|i| &i.targets);
        let summary = CheckSummary {
            inputs: inputs.len() + errors.len(),
            checked: targets().count(),
            passed: targets().filter(|t| t.passed).count(),
            failed: targets().filter(|t| !t.passed).count(),
            violations: targets().map(|t| t.violations.len()).sum(),
            errors: errors.len(),
        };
        CheckReport {
            schema_version: SCHEMA_VERSION,
            tool: Tool::this(),
            rules: describe(expect),
            inputs,
            errors,
            summary,
        }
    }

    pub fn passed(&self) -> bool {
        self.summary.failed == 0
    }
}

/// The rules of `expect`, as `key value`.
pub fn describe(e: &Expect) -> Vec<String> {
    let mut r = Vec::new();
    if let Some(l) = e.linkage {
        r.push(format!("linkage {}", wire_name(&l)));
    }
    if let Some(m) = &e.max_glibc {
        r.push(format!("max-glibc {}", m.get_ref()));
    }
    if let Some(o) = &e.runs_on {
        r.push(format!("runs-on {}", o.get_ref().join(", ")));
    }
    if let Some(m) = &e.min_macos {
        r.push(format!("min-macos {}", m.get_ref()));
    }
    if let Some(l) = &e.libraries {
        r.push(format!("libraries {}", l.join(", ")));
    }
    if e.hazards == Some(ExpectHazards::None) {
        r.push("hazards none".into());
    }
    if let Some(d) = &e.deny_hazards {
        r.push(format!("deny-hazards {}", d.get_ref().join(", ")));
    }
    if let Some(q) = &e.require {
        let q: Vec<&str> = q.iter().map(|h| h.as_str()).collect();
        r.push(format!("require {}", q.join(", ")));
    }
    r
}

fn target(name: String, artifacts: &[Artifact], result: ExpectResult) -> CheckTarget {
    CheckTarget {
        name,
        artifacts: artifacts.iter().map(|a| a.path.clone()).collect(),
        passed: result.passed,
        violations: result.violations,
        note: None,
    }
}

/// Check one binary.
pub fn check_artifact(e: &Expect, a: &Artifact) -> CheckTarget {
    let name = match &a.slice {
        Some(_) => format!("{} ({})", a.path, a.arch),
        None => a.path.clone(),
    };
    target(
        name,
        std::slice::from_ref(a),
        expect::check(e, std::slice::from_ref(a)),
    )
}

/// Check a variant of a saved report: its binaries; a variant that was not built has
/// none, which fails unless it is optional.
pub fn check_variant(e: &Expect, v: &VariantReport) -> CheckTarget {
    if v.status != Status::Built {
        let why = format!(
            "variant {}{}: no binaries to check",
            wire_name(&v.status),
            v.reason
                .as_deref()
                .and_then(|r| r.lines().find(|l| !l.trim().is_empty()))
                .map(|l| format!(" ({})", l.trim()))
                .unwrap_or_default()
        );
        return CheckTarget {
            name: v.id.clone(),
            artifacts: Vec::new(),
            passed: v.optional,
            violations: if v.optional {
                Vec::new()
            } else {
                vec![Violation {
                    rule: "built".into(),
                    message: why.clone(),
                }]
            },
            note: v.optional.then_some(why),
        };
    }
    target(v.id.clone(), &v.artifacts, expect::check(e, &v.artifacts))
}

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
    use crate::report::testing::{artifact, variant};

    #[test]
    fn runs_on_names_the_symbols_and_passes_an_old_floor() {
        let e = parse_policy("runs-on = [\"rhel-7\", \"debian-11\"]\n", "p.toml").unwrap();
        let new = artifact(
            "/t/app",
            1,
            &[],
            &[
                ("__libc_start_main", "GLIBC_2.34"),
                ("memcpy", "GLIBC_2.14"),
            ],
        );
        let t = check_artifact(&e, &new);
        assert!(!t.passed);
        assert_eq!(t.violations.len(), 1);
        let m = &t.violations[0].message;
        assert!(
            m.contains("RHEL/CentOS 7 (glibc 2.17 < 2.34, forced by __libc_start_main)"),
            "{m}"
        );
        assert!(m.contains("Debian 11 (bullseye) (glibc 2.31 < 2.34"), "{m}");
        let old = artifact("/t/app", 1, &[], &[("memcpy", "GLIBC_2.14")]);
        assert!(check_artifact(&e, &old).passed);
    }

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

    #[test]
    fn a_variant_not_built_fails_unless_optional() {
        let e = parse_policy("linkage = \"static\"\n", "p.toml").unwrap();
        let mut v = variant("gnu", vec![]);
        v.status = Status::Skipped;
        v.reason = Some("no linker".into());
        let t = check_variant(&e, &v);
        assert_eq!((t.passed, t.violations[0].rule.as_str()), (false, "built"));
        v.optional = true;
        let t = check_variant(&e, &v);
        assert!(t.passed && t.note.as_deref().unwrap().contains("no linker"));
    }
}
