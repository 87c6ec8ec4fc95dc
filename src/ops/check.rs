//! `check`: expectations (a policy) applied to binaries and saved reports without
//! building. Pure: the rules come from `matrix::Expect`, the checking is
//! `ops::expect::check` (the same code as a build's `[variant.expect]`); this module
//! shapes the result into a [`CheckReport`]. Reading files is `commands/check.rs`,
//! rendering `render::check`.

use super::expect;
use crate::matrix::{Expect, Rule};
use crate::model::{wire_name, Artifact, ErrorEntry};
use crate::report::check::{CheckReport, CheckSummary, CheckTarget, CheckedInput};
use crate::report::variants::{ExpectResult, Status, VariantReport, Violation};
use crate::report::{Tool, SCHEMA_VERSION};

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
    Rule::ALL.iter().filter_map(|r| r.stated(e)).collect()
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
