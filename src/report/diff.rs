//! The document of `diff OLD NEW`: the changes between two build reports, variant by
//! variant. Computed by `ops::diff`, rendered by `render::diff`.

use serde::{Deserialize, Serialize};

use super::variants::Status;
use super::Tool;

#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum ChangeKind {
    Regression,
    Improvement,
    Note,
}

/// What changed. The wire name (`glibc-raised`, …) is stable.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum ChangeCode {
    /// Built before, missing from the new report.
    VariantMissing,
    /// Built before, failed or skipped now.
    VariantFailed,
    /// Not built before (or absent), built now.
    VariantBuilt,
    /// In the new report only.
    VariantNew,
    /// Not built in either report (still failing or skipped).
    VariantNotBuilt,
    ArtifactMissing,
    ArtifactNew,
    NewLibrary,
    LibraryRemoved,
    LibraryExternal,
    LibrarySystem,
    GlibcRaised,
    GlibcLowered,
    GlibcxxRaised,
    GlibcxxLowered,
    GccRaised,
    GccLowered,
    MacosRaised,
    MacosLowered,
    WindowsRaised,
    WindowsLowered,
    FreebsdRaised,
    FreebsdLowered,
    NetbsdRaised,
    NetbsdLowered,
    NewHazard,
    HazardGone,
    StaticToDynamic,
    DynamicToStatic,
    LinkageChanged,
    SizeGrowth,
    SizeShrink,
    SizeChanged,
    NewImports,
    RemovedImports,
    /// A Go module (`path@version`) in the new binary only.
    GoModuleNew,
    /// A Go module in the old binary only.
    GoModuleRemoved,
    /// A Go module at another version (or replacement).
    GoModuleChanged,
    /// Another Go toolchain built it.
    GoVersionChanged,
}

impl ChangeCode {
    pub const ALL: &'static [ChangeCode] = &[
        ChangeCode::VariantMissing,
        ChangeCode::VariantFailed,
        ChangeCode::VariantBuilt,
        ChangeCode::VariantNew,
        ChangeCode::VariantNotBuilt,
        ChangeCode::ArtifactMissing,
        ChangeCode::ArtifactNew,
        ChangeCode::NewLibrary,
        ChangeCode::LibraryRemoved,
        ChangeCode::LibraryExternal,
        ChangeCode::LibrarySystem,
        ChangeCode::GlibcRaised,
        ChangeCode::GlibcLowered,
        ChangeCode::GlibcxxRaised,
        ChangeCode::GlibcxxLowered,
        ChangeCode::GccRaised,
        ChangeCode::GccLowered,
        ChangeCode::MacosRaised,
        ChangeCode::MacosLowered,
        ChangeCode::WindowsRaised,
        ChangeCode::WindowsLowered,
        ChangeCode::FreebsdRaised,
        ChangeCode::FreebsdLowered,
        ChangeCode::NetbsdRaised,
        ChangeCode::NetbsdLowered,
        ChangeCode::NewHazard,
        ChangeCode::HazardGone,
        ChangeCode::StaticToDynamic,
        ChangeCode::DynamicToStatic,
        ChangeCode::LinkageChanged,
        ChangeCode::SizeGrowth,
        ChangeCode::SizeShrink,
        ChangeCode::SizeChanged,
        ChangeCode::NewImports,
        ChangeCode::RemovedImports,
        ChangeCode::GoModuleNew,
        ChangeCode::GoModuleRemoved,
        ChangeCode::GoModuleChanged,
        ChangeCode::GoVersionChanged,
    ];
}

impl ChangeCode {
    /// The wire name (`glibc-raised`).
    pub fn as_str(self) -> String {
        crate::model::wire_name(&self)
    }

    /// One line on what the change is (SARIF's rule description).
    pub fn about(self) -> &'static str {
        use ChangeCode::*;
        match self {
            VariantMissing => "A variant built before is missing from the new report",
            VariantFailed => "A variant built before failed or was skipped now",
            VariantBuilt => "A variant not built before is built now",
            VariantNew => "A variant in the new report only",
            VariantNotBuilt => "A variant not built in either report",
            ArtifactMissing => "A binary of the old report is missing from the new one",
            ArtifactNew => "A binary in the new report only",
            NewLibrary => "A binary needs a library it did not need before",
            LibraryRemoved => "A binary no longer needs a library",
            LibraryExternal => "A needed library is no longer provided by the system",
            LibrarySystem => "A needed library is now provided by the system",
            GlibcRaised => "The minimum glibc went up",
            GlibcLowered => "The minimum glibc went down",
            GlibcxxRaised => "The minimum libstdc++ (GLIBCXX) went up",
            GlibcxxLowered => "The minimum libstdc++ (GLIBCXX) went down",
            GccRaised => "The minimum libgcc_s (GCC) went up",
            GccLowered => "The minimum libgcc_s (GCC) went down",
            MacosRaised => "The minimum macOS went up",
            MacosLowered => "The minimum macOS went down",
            WindowsRaised => "The minimum Windows went up",
            WindowsLowered => "The minimum Windows went down",
            FreebsdRaised => "The minimum FreeBSD went up",
            FreebsdLowered => "The minimum FreeBSD went down",
            NetbsdRaised => "The minimum NetBSD went up",
            NetbsdLowered => "The minimum NetBSD went down",
            NewHazard => "A binary has a hazard it did not have before",
            HazardGone => "A hazard of the old binary is gone",
            StaticToDynamic => "A static binary became dynamic",
            DynamicToStatic => "A dynamic binary became static",
            LinkageChanged => "The linkage changed (static and static-pie)",
            SizeGrowth => "A binary grew beyond --max-size-growth",
            SizeShrink => "A binary shrank",
            SizeChanged => "A binary's size changed within the limits",
            NewImports => "A binary imports symbols it did not import before",
            RemovedImports => "A binary no longer imports some symbols",
            GoModuleNew => "A Go module in the new binary only",
            GoModuleRemoved => "A Go module in the old binary only",
            GoModuleChanged => "A Go module at another version or replacement",
            GoVersionChanged => "Another Go toolchain built the binary",
        }
    }
}

/// One change, with the evidence.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Change {
    pub kind: ChangeKind,
    pub code: ChangeCode,
    /// The binary (file name) it is about; null for a change of the whole variant.
    pub artifact: Option<String>,
    pub message: String,
    /// The value before and after, where one applies (a version, a size, a linkage).
    pub old: Option<String>,
    pub new: Option<String>,
}

/// The changes of one variant id.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct VariantDiff {
    pub id: String,
    /// Its status in the old report; null when absent there.
    pub old_status: Option<Status>,
    /// Its status in the new report; null when absent there.
    pub new_status: Option<Status>,
    pub changes: Vec<Change>,
}

impl VariantDiff {
    pub fn regressions(&self) -> impl Iterator<Item = &Change> {
        self.changes
            .iter()
            .filter(|c| c.kind == ChangeKind::Regression)
    }
}

#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct DiffSummary {
    pub variants: usize,
    pub regressions: usize,
    pub improvements: usize,
    pub notes: usize,
}

/// The JSON document of `diff`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct DiffReport {
    pub schema_version: u32,
    pub tool: Tool,
    /// The old and new reports, as named on the command line.
    pub old: String,
    pub new: String,
    /// `--max-size-growth`, in percent.
    pub max_size_growth: f64,
    /// Every variant id of either report: the old report's order, then the new ids.
    pub variants: Vec<VariantDiff>,
    pub summary: DiffSummary,
}

impl DiffReport {
    pub fn has_regressions(&self) -> bool {
        self.summary.regressions > 0
    }
}
