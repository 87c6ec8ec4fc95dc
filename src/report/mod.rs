//! The documents: the inspect report (docs/report.md), the build report and its
//! variants, smoke runs, expectation results, and the documents of `diff`, `check` and
//! `targets`, and `why`'s answers. Data only: the operations on them are `ops`, their
//! formats `render`.

pub mod check;
pub mod diff;
pub mod smoke;
pub mod targets;
pub mod variants;
pub mod why;

use serde::{Deserialize, Serialize};

use crate::model::{Artifact, ErrorEntry, Linkage};

pub const SCHEMA_VERSION: u32 = 1;

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Tool {
    pub name: String,
    pub version: String,
}

impl Tool {
    /// This program.
    pub fn this() -> Tool {
        Tool {
            name: env!("CARGO_PKG_NAME").to_owned(),
            version: env!("CARGO_PKG_VERSION").to_owned(),
        }
    }
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Host {
    /// The triple this tool was built for (and runs on).
    pub triple: String,
    /// `rustc -V` of the toolchain in use, when one is found.
    pub rustc: Option<String>,
}

/// Counts over an `inspect` report.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct InspectSummary {
    pub artifacts: usize,
    /// `static` or `static-pie`.
    #[serde(rename = "static")]
    pub static_: usize,
    pub dynamic: usize,
    pub portable: usize,
    /// Artifacts with at least one hazard of severity warning or error.
    pub with_hazards: usize,
    pub errors: usize,
    /// Files inside directories that were not executables or shared libraries.
    pub skipped_files: usize,
}

/// The JSON report of `inspect`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Report {
    pub schema_version: u32,
    pub tool: Tool,
    pub host: Host,
    pub artifacts: Vec<Artifact>,
    pub errors: Vec<ErrorEntry>,
    pub summary: InspectSummary,
}

impl Report {
    pub fn new(
        host: Host,
        artifacts: Vec<Artifact>,
        errors: Vec<ErrorEntry>,
        skipped: usize,
    ) -> Self {
        let summary = InspectSummary {
            artifacts: artifacts.len(),
            static_: artifacts
                .iter()
                .filter(|a| a.linkage != Linkage::Dynamic)
                .count(),
            dynamic: artifacts
                .iter()
                .filter(|a| a.linkage == Linkage::Dynamic)
                .count(),
            portable: artifacts.iter().filter(|a| a.portable).count(),
            with_hazards: artifacts
                .iter()
                .filter(|a| {
                    a.hazards
                        .iter()
                        .any(|h| h.severity >= crate::model::Severity::Warning)
                })
                .count(),
            errors: errors.len(),
            skipped_files: skipped,
        };
        Report {
            schema_version: SCHEMA_VERSION,
            tool: Tool {
                name: env!("CARGO_PKG_NAME").to_owned(),
                version: env!("CARGO_PKG_VERSION").to_owned(),
            },
            host,
            artifacts,
            errors,
            summary,
        }
    }
}

/// Reports built by hand for the unit tests of `merge`, `diff` and `check`.
#[cfg(test)]
pub(crate) mod testing {
    use super::variants::{BuildReport, MatrixId, Status, VariantLinker, VariantReport};
    use super::Host;
    use crate::analysis::testing::{elf, import, needs};
    use crate::analysis::{analyze, FileId};
    use crate::model::Artifact;

    pub(crate) fn host(triple: &str) -> Host {
        Host {
            triple: triple.to_owned(),
            rustc: None,
        }
    }

    /// A dynamic x86_64 glibc executable `path` of `size` bytes needing `libs` (libc.so.6
    /// always), with `imports` as (symbol, GLIBC_x.y version).
    pub(crate) fn artifact(
        path: &str,
        size: u64,
        libs: &[&str],
        imports: &[(&str, &str)],
    ) -> Artifact {
        let mut all = vec!["libc.so.6"];
        all.extend_from_slice(libs);
        let mut p = needs(
            elf(|e| {
                e.et_dyn = true;
                e.flag_pie = true;
                e.gnu_stack_exec = Some(false);
                e.abi_tag = Some((0, "3.2.0".into()));
            }),
            &all,
        );
        p.interpreter = Some("/lib64/ld-linux-x86-64.so.2".into());
        p.imports = imports
            .iter()
            .map(|(n, v)| import(n, Some(v), "libc.so.6", false))
            .collect();
        let id = FileId {
            path: path.to_owned(),
            size,
            sha256: None,
        };
        analyze(&id, p, crate::data::tables())
    }

    /// A built variant of the host target.
    pub(crate) fn variant(id: &str, artifacts: Vec<Artifact>) -> VariantReport {
        let linker = VariantLinker {
            requested: "internal".into(),
            program: "rust-lld".into(),
            detected: Some("lld".into()),
        };
        VariantReport {
            build_seconds: Some(1.0),
            artifacts,
            host: Some(host("x86_64-unknown-linux-gnu")),
            ..VariantReport::new(id, "x86_64-unknown-linux-gnu", linker, Status::Built)
        }
    }

    /// A report of matrix `m.toml` (variants a, b, c, gnu, static, zig).
    pub(crate) fn build_report(variants: Vec<VariantReport>) -> BuildReport {
        let m = MatrixId {
            source: "m.toml".into(),
            sha256: Some("a".repeat(64)),
            variants: ["a", "b", "c", "gnu", "static", "zig"]
                .map(str::to_owned)
                .to_vec(),
        };
        BuildReport::new(host("x86_64-unknown-linux-gnu"), m, variants, Vec::new())
    }
}
