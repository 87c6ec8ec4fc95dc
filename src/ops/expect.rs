//! Expectations of a variant checked against its artifacts. Pure; each violation
//! carries the evidence (the version found and its symbols, the libraries, …).

use crate::matrix::{Expect, ExpectHazards, ExpectLinkage, Hardening, Rule};
use crate::model::{wire_name, Artifact, Libc, Linkage, Os, Relro, Severity};
use crate::report::variants::{ExpectResult, Violation};
use crate::version::Version;

fn file_name(a: &Artifact) -> &str {
    a.path.rsplit('/').next().unwrap_or(&a.path)
}

/// Check `expect` against every artifact of a variant.
pub fn check(expect: &Expect, artifacts: &[Artifact]) -> ExpectResult {
    let mut v = Vec::new();
    for a in artifacts {
        for rule in Rule::ALL {
            if let Some(message) = violation(rule, expect, a) {
                v.push(Violation {
                    rule: rule.key().to_owned(),
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

/// The violation of `rule` by `a`, if any.
fn violation(rule: Rule, e: &Expect, a: &Artifact) -> Option<String> {
    match rule {
        Rule::Linkage => e.linkage.and_then(|want| linkage(want, a)),
        Rule::MaxGlibc => e.max_glibc.as_ref().and_then(|m| max_glibc(m.get_ref(), a)),
        Rule::RunsOn => e.runs_on.as_ref().and_then(|r| runs_on(r.get_ref(), a)),
        Rule::MinMacos => e.min_macos.as_ref().and_then(|m| min_macos(m.get_ref(), a)),
        Rule::Libraries => e.libraries.as_ref().and_then(|l| libraries(l, a)),
        Rule::Hazards => (e.hazards == Some(ExpectHazards::None))
            .then(|| hazards(a))
            .flatten(),
        Rule::DenyHazards => e
            .deny_hazards
            .as_ref()
            .and_then(|d| deny_hazards(d.get_ref(), a)),
        Rule::Require => e.require.as_ref().and_then(|r| require(r, a)),
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

/// Each named release must run the binary: a Linux binary for an architecture the
/// release ships, static or with a glibc no newer than the release's and, where the
/// release's exports are measured, none of its needs missing there (`runs_on.excluded`).
fn runs_on(names: &[String], a: &Artifact) -> Option<String> {
    let t = crate::data::tables();
    let mut why = Vec::new();
    for n in names {
        let Some((r, have)) = t.find_release(n) else {
            why.push(format!("{n}: not a release of targets/glibc.toml"));
            continue;
        };
        let rel = format!("{} {}", r.distribution, r.release);
        if a.os != Os::Linux && !(a.os == Os::Unknown && a.format == crate::model::Format::Elf) {
            why.push(format!("{rel} (it is a {} binary)", a.os));
        } else if !r.has_arch(&a.arch) {
            why.push(format!("{rel} (no {} build)", a.arch));
        } else if a.libc == Libc::Musl && a.linkage == Linkage::Dynamic {
            why.push(format!(
                "{rel} (linked dynamically against musl: {})",
                a.interpreter.as_deref().unwrap_or("no interpreter")
            ));
        } else if let Some(g) = &a.requires.glibc {
            if Version::parse(&g.version).is_some_and(|need| need > *have) {
                why.push(format!(
                    "{rel} (glibc {} < {}, forced by {})",
                    r.glibc,
                    g.version,
                    g.forced_by.join(", ")
                ));
            } else if let Some(e) = a
                .runs_on
                .excluded
                .iter()
                .find(|e| e.name == r.distribution && e.release == r.release)
            {
                // the release's measured exports lack a need (runs_on's rule)
                why.push(format!("{rel} ({})", e.missing.join(", ")));
            }
        }
    }
    (!why.is_empty()).then(|| format!("{} does not run on {}", file_name(a), why.join("; ")))
}

fn min_macos(oldest: &str, a: &Artifact) -> Option<String> {
    let found = a.requires.macos.as_ref()?;
    let (o, f) = (Version::parse(oldest)?, Version::parse(found)?);
    (f > o).then(|| {
        format!(
            "{} needs macOS {found} > {oldest} (LC_BUILD_VERSION / LC_VERSION_MIN_MACOSX)",
            file_name(a)
        )
    })
}

fn deny_hazards(codes: &[String], a: &Artifact) -> Option<String> {
    let hz: Vec<String> = a
        .hazards
        .iter()
        .filter(|h| codes.contains(&h.code))
        .map(|h| format!("{} ({})", h.code, h.evidence.join(", ")))
        .collect();
    (!hz.is_empty()).then(|| format!("{} has denied hazards: {}", file_name(a), hz.join("; ")))
}

fn require(wanted: &[Hardening], a: &Artifact) -> Option<String> {
    let h = &a.hardening;
    let missing: Vec<String> = wanted
        .iter()
        .filter(|w| match w {
            Hardening::Pie => !h.pie,
            // RELRO is an ELF notion: other formats have nothing to ask for
            Hardening::Relro => h.relro.is_some_and(|r| r == Relro::None),
            Hardening::FullRelro => h.relro.is_some_and(|r| r != Relro::Full),
            Hardening::Nx => !h.nx,
            Hardening::Canary => !h.stack_canary,
            Hardening::Fortify => !h.fortify,
        })
        .map(|w| match (w, h.relro) {
            (Hardening::FullRelro, Some(r)) => format!("full-relro (has {})", wire_name(&r)),
            _ => w.as_str().to_owned(),
        })
        .collect();
    (!missing.is_empty()).then(|| format!("{} lacks {}", file_name(a), missing.join(", ")))
}
