//! Expectations of a variant checked against its artifacts. Pure; each violation
//! carries the evidence (the version found and its symbols, the libraries, …).

use crate::matrix::{Expect, ExpectHazards, ExpectLinkage};
use crate::model::{wire_name, Artifact, Linkage, Severity};
pub use crate::report::variants::{ExpectResult, Violation};
use crate::version::Version;

fn file_name(a: &Artifact) -> &str {
    a.path.rsplit('/').next().unwrap_or(&a.path)
}

/// Check `expect` against every artifact of a variant.
pub fn check(expect: &Expect, artifacts: &[Artifact]) -> ExpectResult {
    let mut v = Vec::new();
    for a in artifacts {
        let rules = [
            ("linkage", expect.linkage.and_then(|want| linkage(want, a))),
            (
                "max-glibc",
                expect
                    .max_glibc
                    .as_ref()
                    .and_then(|m| max_glibc(m.get_ref(), a)),
            ),
            (
                "libraries",
                expect.libraries.as_ref().and_then(|l| libraries(l, a)),
            ),
            (
                "hazards",
                (expect.hazards == Some(ExpectHazards::None))
                    .then(|| hazards(a))
                    .flatten(),
            ),
        ];
        for (rule, message) in rules {
            if let Some(message) = message {
                v.push(Violation {
                    rule: rule.to_owned(),
                    message,
                });
            }
        }
    }
    ExpectResult {
        passed: v.is_empty(),
        violations: v,
    }
}

fn linkage(want: ExpectLinkage, a: &Artifact) -> Option<String> {
    let ok = match want {
        ExpectLinkage::Any => true,
        ExpectLinkage::Static => a.linkage != Linkage::Dynamic,
        ExpectLinkage::StaticPie => a.linkage == Linkage::StaticPie,
        ExpectLinkage::Dynamic => a.linkage == Linkage::Dynamic,
    };
    if ok {
        return None;
    }
    let mut why = String::new();
    if let Some(i) = &a.interpreter {
        why.push_str(&format!("; interpreter {i}"));
    }
    if !a.libraries.is_empty() {
        let libs: Vec<&str> = a.libraries.iter().map(|l| l.name.as_str()).collect();
        why.push_str(&format!("; needs {}", libs.join(", ")));
    }
    Some(format!(
        "{} is {} but {} was expected{why}",
        file_name(a),
        wire_name(&a.linkage),
        wire_name(&want)
    ))
}

fn max_glibc(max: &str, a: &Artifact) -> Option<String> {
    let found = a.requires.glibc.as_ref()?;
    let (m, f) = (Version::parse(max)?, Version::parse(&found.version)?);
    (f > m).then(|| {
        format!(
            "{} needs glibc {} > {max} (forced by {})",
            file_name(a),
            found.version,
            found.forced_by.join(", ")
        )
    })
}

fn libraries(allowed: &[String], a: &Artifact) -> Option<String> {
    let extra: Vec<&str> = a
        .libraries
        .iter()
        .map(|l| l.name.as_str())
        .filter(|n| !allowed.iter().any(|a| a == n))
        .collect();
    (!extra.is_empty()).then(|| {
        format!(
            "{} needs libraries not allowed: {}",
            file_name(a),
            extra.join(", ")
        )
    })
}

fn hazards(a: &Artifact) -> Option<String> {
    let hz: Vec<String> = a
        .hazards
        .iter()
        .filter(|h| h.severity >= Severity::Warning)
        .map(|h| format!("{} ({})", h.code, h.evidence.join(", ")))
        .collect();
    (!hz.is_empty()).then(|| format!("{} has hazards: {}", file_name(a), hz.join("; ")))
}
