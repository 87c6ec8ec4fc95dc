//! The report of `cargo portable targets`: every rustc target, and each variant's
//! readiness; rendered for people or as JSON.

use serde::{Deserialize, Serialize};

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct TargetRow {
    pub triple: String,
    pub std_installed: bool,
    /// The external C driver that links for it from this host, if any.
    pub linker: Option<String>,
    pub linker_found: bool,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct VariantRow {
    pub id: String,
    pub target: String,
    pub ready: bool,
    pub reason: Option<String>,
    pub fix: Option<String>,
    /// The C compiler the variant's build scripts get for a crate that compiles C
    /// (`aarch64-linux-gnu-gcc`, `zig cc -target aarch64-linux-musl`, …); null when
    /// none goes with its linker here.
    pub c_compiler: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct TargetsReport {
    pub host: String,
    pub matrix: String,
    pub targets: Vec<TargetRow>,
    pub variants: Vec<VariantRow>,
}
