//! Every output format of every document. Each renderer is a file here and writes to
//! `&mut dyn Write`, so it is testable; `inspect`'s formats are the one list
//! [`InspectFormat`].

pub mod check;
pub mod diff;
pub mod escape;
pub mod html;
mod human;
pub mod junit;
mod ldd;
mod nm;
pub mod table;
pub mod targets;
pub mod why;

use std::io::{self, Write};

use crate::model::{Artifact, ErrorEntry};
use crate::report::Report;

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
    /// One self-contained HTML page (a grid of the binaries, their details, a filter).
    Html,
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
        InspectFormat::Html => html::inspect(report, w),
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
