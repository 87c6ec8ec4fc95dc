//! cargo-portable: cross-build a crate for a matrix of targets and report what every
//! binary needs at run time.
//!
//! Layout: `inspect` parses bytes into format-neutral facts, `analysis` derives the
//! report fields from them (pure) into `model`, `scan` is the file-system edge.
//! `report` holds the documents (inspect report, build report and its variants, smoke,
//! diff, check, targets, why), `ops` the pure operations on them (expectations, check,
//! diff, merge), `render` every output format (one escaping function per language in
//! `render::escape`) and `output` writes it (atomically to a file). `matrix` parses the
//! matrix file and lists the expectation rules once (`matrix::Rule`). `cli` defines the
//! command line and `commands` runs it; `engine` builds a matrix, `run` smoke-runs what
//! it built, `ci` generates the pipelines that fan it out, `toolchain` knows the
//! machine, what a variant needs from it and how to install that (`toolchain::setup`).
//! `attribution` reads a link's inputs to tell which crate put each import, library and
//! glibc floor into a binary (`why`, the report's `origin`). `data` holds the tables of
//! `targets/` compiled in, `version` compares dotted versions. `layering` lists these
//! modules' floors: every `crate::` reference points down. README.md's Layout names the
//! files of each.

pub mod analysis;
pub mod attribution;
pub mod ci;
pub mod cli;
pub mod commands;
pub mod data;
pub mod engine;
pub mod inspect;
pub mod layering;
pub mod matrix;
pub mod model;
pub mod ops;
pub mod output;
pub mod platform;
pub mod prove;
pub mod render;
pub mod report;
pub mod run;
pub mod scan;
pub mod toolchain;
pub mod version;
