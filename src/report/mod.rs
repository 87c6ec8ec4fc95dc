//! The report document (SPEC section 8) and its renderers. Every format is rendered
//! from the same [`Report`]; renderers write to `&mut impl Write` so they are testable.

mod human;
mod ldd;
mod nm;
pub mod smoke;
pub mod table;
pub mod targets;
pub mod variants;

use std::io::{self, Write};

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

/// Output formats of `inspect`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum InspectFormat {
    /// A block per binary, for people.
    Human,
    /// The JSON report (docs/report.schema.json).
    Json,
    /// What `ldd` / `otool -L` print: the needed libraries.
    Ldd,
    /// What `nm -D --undefined-only` / `nm -u` print: the imported symbols.
    Nm,
}

/// Terminal styling: ANSI colors when enabled.
#[derive(Debug, Clone, Copy)]
pub struct Style {
    pub color: bool,
}

impl Style {
    fn paint(self, code: &str, s: &str) -> String {
        if self.color {
            format!("\x1b[{code}m{s}\x1b[0m")
        } else {
            s.to_owned()
        }
    }
    pub fn bold(self, s: &str) -> String {
        self.paint("1", s)
    }
    pub fn red(self, s: &str) -> String {
        self.paint("31", s)
    }
    pub fn yellow(self, s: &str) -> String {
        self.paint("33", s)
    }
    pub fn green(self, s: &str) -> String {
        self.paint("32", s)
    }
    pub fn dim(self, s: &str) -> String {
        self.paint("2", s)
    }
}

/// Render `report` in `format`.
pub fn render(
    report: &Report,
    format: InspectFormat,
    style: Style,
    w: &mut dyn Write,
) -> io::Result<()> {
    match format {
        InspectFormat::Json => {
            serde_json::to_writer_pretty(&mut *w, report)?;
            writeln!(w)
        }
        InspectFormat::Human => human::render(report, style, w),
        InspectFormat::Ldd => ldd::render(&report.artifacts, w),
        InspectFormat::Nm => nm::render(&report.artifacts, w),
    }
}

/// The errors, one per line, for stderr (when the output format has no room for them).
pub fn render_errors(errors: &[ErrorEntry], style: Style, w: &mut dyn Write) -> io::Result<()> {
    for e in errors {
        writeln!(w, "{}: {}: {}", style.red("error"), e.path, e.error)?;
    }
    Ok(())
}

/// A heading line for a file when several are printed (the way `nm` and `otool` do).
fn heading(a: &Artifact) -> String {
    match &a.slice {
        Some(s) => format!("{} (architecture {}, slice {}):", a.path, a.arch, s.index),
        None => format!("{}:", a.path),
    }
}
