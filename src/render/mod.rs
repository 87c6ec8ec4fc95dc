//! Every output format of every document. Each renderer is a file here and writes to
//! `&mut dyn Write`, so it is testable. `inspect`'s formats are one list
//! (`inspect_formats!` below): a new one is its file and one entry there.

pub mod check;
pub mod cyclonedx;
pub mod diff;
pub mod escape;
pub mod html;
mod human;
pub mod json;
pub mod junit;
mod ldd;
mod nm;
pub mod sarif;
pub mod table;
pub mod targets;
pub mod why;
pub mod wrap;

use std::io::{self, Write};

use crate::model::{Artifact, ErrorEntry};
use crate::report::Report;

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

/// The formats of `inspect`, each with its doc (its `--help` line) and its renderer
/// (`fn(&Report, Style, &mut dyn Write)`): the enum and [`render`] come from it.
macro_rules! inspect_formats {
    ($($(#[doc = $doc:literal])* $format:ident = $name:literal => $render:expr,)*) => {
        /// Output formats of `inspect`.
        #[derive(Debug, Clone, Copy, PartialEq, Eq)]
        pub enum InspectFormat {
            $($(#[doc = $doc])* $format,)*
        }

        impl InspectFormat {
            pub const ALL: &[InspectFormat] = &[$(InspectFormat::$format,)*];

            /// The name on the command line.
            pub fn as_str(self) -> &'static str {
                match self {
                    $(InspectFormat::$format => $name,)*
                }
            }

            /// The format's doc: its line of `--help`.
            pub fn doc(self) -> &'static str {
                match self {
                    $(InspectFormat::$format => concat!($($doc),*),)*
                }
            }
        }

        /// Render `report` in `format`.
        pub fn render(
            report: &Report,
            format: InspectFormat,
            style: Style,
            w: &mut dyn Write,
        ) -> io::Result<()> {
            let renderer: InspectRenderer = match format {
                $(InspectFormat::$format => $render,)*
            };
            renderer(report, style, w)
        }
    };
}

/// A renderer of the inspect report.
type InspectRenderer = fn(&Report, Style, &mut dyn Write) -> io::Result<()>;

inspect_formats! {
    /// A block per binary, for people.
    Human = "human" => human::render,
    /// The JSON report (docs/report.schema.json).
    Json = "json" => |r, _, w| json::write(r, w),
    /// What `ldd` / `otool -L` print: the needed libraries.
    Ldd = "ldd" => |r, _, w| ldd::render(&r.artifacts, w),
    /// What `nm -D --undefined-only` / `nm -u` print: the imported symbols.
    Nm = "nm" => |r, _, w| nm::render(&r.artifacts, w),
    /// One self-contained HTML page (a grid of the binaries, their details, a filter).
    Html = "html" => |r, _, w| html::inspect(r, w),
    /// A CycloneDX 1.6 SBOM (JSON): the binaries, their crates, Go modules and libraries.
    Cyclonedx = "cyclonedx" => |r, _, w| json::write(&cyclonedx::inspect(r, &cyclonedx::RunId::new()), w),
    /// SARIF 2.1.0 (code scanning): a result per hazard, at the binary's path.
    Sarif = "sarif" => |r, _, w| json::write(&sarif::inspect(r, &sarif::Locator::here()), w),
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
