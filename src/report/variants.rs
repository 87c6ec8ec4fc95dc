//! The report of a matrix build: one entry per variant (docs/report.md). The engine
//! fills it; nothing here knows how variants are built.

use serde::{Deserialize, Serialize};

use super::smoke::{SmokeReport, SmokeStatus};
use super::{Host, Tool, SCHEMA_VERSION};
use crate::model::{Artifact, ErrorEntry, Linkage};

/// An expectation that did not hold, with the evidence.
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

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Status {
    Built,
    Failed,
    Skipped,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct VariantLinker {
    /// What the matrix asked: `internal`, `external`, `zig` or a program.
    pub requested: String,
    /// The program that links: `rust-lld`, `cc`, `aarch64-linux-gnu-gcc`, `zig`, …
    pub program: String,
    /// What the binaries say linked them (`lld`, `gnu-ld`, `zig`, …); null until built.
    pub detected: Option<String>,
}

/// The C compiler the target's C code was compiled with (build scripts of the crate's
/// dependencies), when any is compiled.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct CCompiler {
    /// `cc`, `aarch64-linux-gnu-gcc`, `zig cc -target aarch64-linux-musl`, `musl-gcc`, …
    pub program: String,
    /// The first line of its `--version`, when it answers.
    pub version: Option<String>,
}

/// Where a new variant directory was copied from.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct SeededFrom {
    /// The variant whose directory was copied.
    pub variant: String,
    /// `dependencies`: everything (same group: only the final crate is built again);
    /// `host`: only build scripts and proc-macros (another group).
    pub kind: SeedKind,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum SeedKind {
    Dependencies,
    Host,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct VariantReport {
    pub id: String,
    pub target: String,
    pub linker: VariantLinker,
    /// The C compiler of the target's build scripts; null when the crate's dependency
    /// graph compiles no C (or the variant was not built).
    pub c_compiler: Option<CCompiler>,
    pub crt_static: Option<bool>,
    /// The glibc pinned through zig, if any.
    pub glibc: Option<String>,
    pub optional: bool,
    pub status: Status,
    /// Why it was skipped or failed (for a failure: the tail of the compiler's output).
    pub reason: Option<String>,
    /// The command that fixes a skip.
    pub hint: Option<String>,
    pub build_seconds: Option<f64>,
    /// The cargo command lines run for the variant, in order (empty when skipped).
    pub commands: Vec<String>,
    /// The directory the variant's target directory started from; null when it
    /// started empty or already existed.
    pub seeded_from: Option<SeededFrom>,
    pub artifacts: Vec<Artifact>,
    pub expect: ExpectResult,
    /// The smoke runs (`build --run` or `run = true`); null when not asked for or the
    /// variant was not built.
    pub smoke: Option<SmokeReport>,
    /// The machine that built the variant (added within schema version 1: a merged
    /// report keeps each variant's own; absent in older reports, read as null).
    #[serde(default)]
    pub host: Option<Host>,
    /// The crates of the graph `cargo metadata --filter-platform <target>` resolves
    /// for the package with the build's features (normal and build dependencies;
    /// `build` for those only build scripts and proc macros use), sorted; the SBOM's
    /// crates of a binary without cargo-auditable data. `None` when not recorded
    /// (formats other than `json` and `cyclonedx`, reports written before it was
    /// added, a target cargo could not resolve).
    #[serde(default)]
    pub crates: Option<Vec<crate::model::Crate>>,
    /// What failed the variant when its input is wrong rather than its build (a
    /// `SDKROOT` that is not a macOS SDK): `build` exits 2 for it. Not in the report:
    /// the report has the failure and its reason.
    #[serde(skip)]
    pub error: Option<VariantError>,
}

/// Why a variant failed before building, when the fix is in the input.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum VariantError {
    /// `SDKROOT` (the environment's or the matrix's `sdkroot`) is not a macOS SDK: the
    /// message names it.
    NotAnSdk(String),
}

impl VariantReport {
    /// A variant's report with nothing known yet but its id, target, linker and status:
    /// no artifacts, no smoke, expectations not checked.
    pub fn new(id: &str, target: &str, linker: VariantLinker, status: Status) -> VariantReport {
        VariantReport {
            id: id.to_owned(),
            target: target.to_owned(),
            linker,
            c_compiler: None,
            crt_static: None,
            glibc: None,
            optional: false,
            status,
            reason: None,
            hint: None,
            build_seconds: None,
            commands: Vec::new(),
            seeded_from: None,
            artifacts: Vec::new(),
            expect: Default::default(),
            smoke: None,
            host: None,
            crates: None,
            error: None,
        }
    }
}

#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct BuildSummary {
    pub variants: usize,
    pub built: usize,
    pub failed: usize,
    pub skipped: usize,
    /// Built variants whose every artifact is static or static-pie.
    #[serde(rename = "static")]
    pub static_: usize,
    /// Expectation violations over all variants.
    pub violations: usize,
    /// Variants whose smoke failed (`build --run`; added within schema version 1,
    /// read as 0 from older reports).
    #[serde(default)]
    pub smoke_failed: usize,
}

/// Which matrix a report's variants come from: its file, the digest of its text and
/// every variant id it defines.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct MatrixId {
    pub source: String,
    pub sha256: Option<String>,
    pub variants: Vec<String>,
}

impl MatrixId {
    /// The identity of a parsed matrix.
    pub fn of(m: &crate::matrix::Matrix) -> MatrixId {
        MatrixId {
            source: m.source.clone(),
            sha256: Some(m.sha256.clone()),
            variants: m.variants.iter().map(|v| v.id().to_owned()).collect(),
        }
    }
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct BuildReport {
    pub schema_version: u32,
    pub tool: Tool,
    pub host: Host,
    /// The matrix file the variants come from.
    pub matrix: String,
    /// SHA-256 of the matrix file's text (added within schema version 1; null in older
    /// reports): reports of one matrix carry the same digest wherever they were made.
    #[serde(default)]
    pub matrix_sha256: Option<String>,
    /// Every variant id of the matrix, in matrix order, selected or not (added within
    /// schema version 1; empty in older reports): `merge` orders by it, `diff` and
    /// `merge` tell a variant left out from one that is missing.
    #[serde(default)]
    pub matrix_variants: Vec<String>,
    pub variants: Vec<VariantReport>,
    pub errors: Vec<ErrorEntry>,
    pub summary: BuildSummary,
}

impl BuildReport {
    pub fn new(
        host: Host,
        matrix: MatrixId,
        variants: Vec<VariantReport>,
        errors: Vec<ErrorEntry>,
    ) -> Self {
        let count = |s: Status| variants.iter().filter(|v| v.status == s).count();
        let summary = BuildSummary {
            variants: variants.len(),
            built: count(Status::Built),
            failed: count(Status::Failed),
            skipped: count(Status::Skipped),
            static_: variants
                .iter()
                .filter(|v| {
                    v.status == Status::Built
                        && !v.artifacts.is_empty()
                        && v.artifacts.iter().all(|a| a.linkage != Linkage::Dynamic)
                })
                .count(),
            violations: variants.iter().map(|v| v.expect.violations.len()).sum(),
            smoke_failed: variants
                .iter()
                .filter(|v| {
                    v.smoke
                        .as_ref()
                        .is_some_and(|s| s.status == SmokeStatus::Failed)
                })
                .count(),
        };
        BuildReport {
            schema_version: SCHEMA_VERSION,
            tool: Tool::this(),
            host,
            matrix: matrix.source,
            matrix_sha256: matrix.sha256,
            matrix_variants: matrix.variants,
            variants,
            errors,
            summary,
        }
    }

    /// The matrix the report's variants come from.
    pub fn matrix_id(&self) -> MatrixId {
        MatrixId {
            source: self.matrix.clone(),
            sha256: self.matrix_sha256.clone(),
            variants: self.matrix_variants.clone(),
        }
    }

    /// Exit status (docs/contract.md#exit-codes): 1 when a non-optional variant failed or was
    /// skipped, an expectation was violated, or a smoke failed.
    pub fn success(&self) -> bool {
        self.errors.is_empty()
            && self.variants.iter().all(|v| {
                (v.status == Status::Built || v.optional)
                    && v.expect.violations.is_empty()
                    && v.smoke
                        .as_ref()
                        .is_none_or(|s| s.status != SmokeStatus::Failed)
            })
    }
}
