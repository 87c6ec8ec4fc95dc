//! The document of `check`: expectations applied to binaries and saved reports.
//! Computed by `ops::check`, rendered by `render::check`.

use serde::{Deserialize, Serialize};

use super::variants::Violation;
use super::Tool;
use crate::model::ErrorEntry;

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
