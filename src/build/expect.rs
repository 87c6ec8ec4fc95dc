//! Expectations of a variant checked against its artifacts. Pure; each violation
//! carries the evidence (the version found and its symbols, the libraries, …).

use serde::{Deserialize, Serialize};

use crate::matrix::{Expect, ExpectHazards, ExpectLinkage};
use crate::model::{wire_name, Artifact, Linkage, Severity};
use crate::version::Version;

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Violation {
    /// The expectation key: `linkage`, `max-glibc`, `libraries`, `hazards`.
    pub rule: String,
    pub message: String,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ExpectResult {
    pub passed: bool,
    pub violations: Vec<Violation>,
}

/// Nothing checked, nothing violated (a variant that was not built).
impl Default for ExpectResult {
    fn default() -> Self {
        ExpectResult {
            passed: true,
            violations: Vec::new(),
        }
    }
}

fn file_name(a: &Artifact) -> &str {
    a.path.rsplit('/').next().unwrap_or(&a.path)
}

/// Check `expect` against every artifact of a variant.
pub fn check(expect: &Expect, artifacts: &[Artifact]) -> ExpectResult {
    let mut v = Vec::new();
    let mut push = |rule: &str, message: String| {
        v.push(Violation {
            rule: rule.to_owned(),
            message,
        })
    };
    for a in artifacts {
        let name = file_name(a);
        if let Some(want) = expect.linkage {
            let ok = match want {
                ExpectLinkage::Any => true,
                ExpectLinkage::Static => a.linkage != Linkage::Dynamic,
                ExpectLinkage::StaticPie => a.linkage == Linkage::StaticPie,
                ExpectLinkage::Dynamic => a.linkage == Linkage::Dynamic,
            };
            if !ok {
                let mut why = String::new();
                if let Some(i) = &a.interpreter {
                    why.push_str(&format!("; interpreter {i}"));
                }
                if !a.libraries.is_empty() {
                    let libs: Vec<&str> = a.libraries.iter().map(|l| l.name.as_str()).collect();
                    why.push_str(&format!("; needs {}", libs.join(", ")));
                }
                push(
                    "linkage",
                    format!(
                        "{name} is {} but {} was expected{why}",
                        wire_name(&a.linkage),
                        wire_name(&want)
                    ),
                );
            }
        }
        if let (Some(max), Some(found)) = (&expect.max_glibc, &a.requires.glibc) {
            let (max_v, found_v) = (
                Version::parse(max.get_ref()),
                Version::parse(&found.version),
            );
            if let (Some(m), Some(f)) = (max_v, found_v) {
                if f > m {
                    push(
                        "max-glibc",
                        format!(
                            "{name} needs glibc {} > {} (forced by {})",
                            found.version,
                            max.get_ref(),
                            found.forced_by.join(", ")
                        ),
                    );
                }
            }
        }
        if let Some(allowed) = &expect.libraries {
            let extra: Vec<&str> = a
                .libraries
                .iter()
                .map(|l| l.name.as_str())
                .filter(|n| !allowed.iter().any(|a| a == n))
                .collect();
            if !extra.is_empty() {
                push(
                    "libraries",
                    format!("{name} needs libraries not allowed: {}", extra.join(", ")),
                );
            }
        }
        if expect.hazards == Some(ExpectHazards::None) {
            let hz: Vec<String> = a
                .hazards
                .iter()
                .filter(|h| h.severity >= Severity::Warning)
                .map(|h| format!("{} ({})", h.code, h.evidence.join(", ")))
                .collect();
            if !hz.is_empty() {
                push("hazards", format!("{name} has hazards: {}", hz.join("; ")));
            }
        }
    }
    ExpectResult {
        passed: v.is_empty(),
        violations: v,
    }
}
