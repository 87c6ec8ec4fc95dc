//! The document of `why`: for each executable asked about, whether it imports or
//! links the symbol, library or glibc version asked for, and which crates (and object
//! files) of its link put it there. Found by `attribution::answer`, rendered by
//! `render::why`.

use serde::Serialize;

use crate::model::Import;

/// One step of a chain: `function` in `object` (of `krate`) references `references`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct ChainStep {
    #[serde(rename = "crate")]
    pub krate: String,
    pub object: String,
    /// The global symbol whose code makes the reference; `None` when it could not
    /// be placed in a function.
    pub function: Option<String>,
    pub references: String,
}

/// How a crate came to ask for a library.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "kebab-case", tag = "how")]
pub enum LibraryReason {
    /// Its build script printed `cargo:rustc-link-lib=<lib>`.
    BuildScript { lib: String },
    /// Its code calls into the library (a `#[link]` attribute or an `extern` block of
    /// its own, or std's defaults for the sysroot crates).
    References { symbols: Vec<String> },
}

/// One crate behind a library.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct LibraryOrigin {
    #[serde(rename = "crate")]
    pub krate: String,
    #[serde(flatten)]
    pub reason: LibraryReason,
}

/// The answer for one executable.
#[derive(Debug, Serialize)]
pub struct Answer {
    pub variant: String,
    pub path: String,
    /// False when the executable does not import (or link) what was asked.
    pub found: bool,
    /// False when the link line was not seen (zig builds): every member of every
    /// input counted, not only those the linker loaded.
    pub exact: bool,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub symbol: Option<SymbolAnswer>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub library: Option<LibraryAnswer>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub glibc: Option<GlibcAnswer>,
    /// A library asked about that the executable does not need because it has the
    /// library's code in it: a build script linked it statically (`vendored`).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub linked_in: Option<LinkedIn>,
}

#[derive(Debug, Serialize)]
pub struct Reference {
    #[serde(rename = "crate")]
    pub krate: String,
    pub object: String,
}

#[derive(Debug, Serialize)]
pub struct SymbolAnswer {
    pub name: String,
    /// The import, when the binary imports it (a static binary links it in).
    pub import: Option<Import>,
    /// The crates whose loaded objects reference it.
    pub crates: Vec<String>,
    pub references: Vec<Reference>,
    /// From the symbol back to the final crate.
    pub chain: Vec<ChainStep>,
}

#[derive(Debug, Serialize)]
pub struct LibraryAnswer {
    pub name: String,
    pub origins: Vec<LibraryOrigin>,
    /// The `-l` of the link line that gives it.
    pub link_args: Vec<String>,
}

/// A library linked in statically instead of needed at run time: `why libssl.so.3` on a
/// build with `openssl/vendored`.
#[derive(Debug, Serialize)]
pub struct LinkedIn {
    /// The library as linked (`ssl`).
    pub name: String,
    /// The crates whose build scripts link it statically
    /// (`cargo:rustc-link-lib=static=ssl`).
    pub origins: Vec<LibraryOrigin>,
    /// The C objects of those crates (their rlibs bundle the static library) that
    /// the link loads: the library's code in the executable.
    pub objects: usize,
}

#[derive(Debug, Serialize)]
pub struct Forcing {
    pub symbol: String,
    pub version: Option<String>,
    pub crates: Vec<String>,
    pub chain: Vec<ChainStep>,
    /// The floor if this symbol were gone.
    pub floor_without: Option<String>,
}

#[derive(Debug, Serialize)]
pub struct GlibcAnswer {
    pub version: String,
    pub forced_by: Vec<Forcing>,
    /// The floor without every symbol of `forced_by`.
    pub floor_without_all: Option<String>,
}

#[derive(Debug, Serialize)]
pub struct WhyDoc<'a> {
    pub query: &'a str,
    pub answers: &'a [Answer],
}

pub use crate::platform::names::is_library_query;
