//! One function per command (`build`, `inspect`, `targets`, `setup`, `check`, `diff`,
//! `merge`, `ci`, `why`): arguments in,
//! an [`Outcome`] out. [`run`] dispatches and is the one place where an outcome or an
//! error becomes an exit code.

mod build;
mod check;
mod ci;
mod diff;
mod inspect;
mod merge;
mod reports;
mod setup;
mod targets;
mod why;

use std::io::IsTerminal;
use std::path::{Path, PathBuf};

use anyhow::{Context, Result};

use crate::cli::{Cli, ColorChoice, Command, MatrixArgs};
use crate::matrix::{self, Matrix, Variant, DEFAULT_MATRIX, DEFAULT_MATRIX_NAME};
use crate::render::Style;
use crate::report::Host;
use crate::toolchain::Toolchain;

/// How a command ended.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Outcome {
    /// Everything built, was inspected, and every expectation held.
    Success,
    /// A variant failed or was skipped (not optional), or an expectation was violated.
    Failure,
    /// Usage or input error: bad flag, unreadable file, not an object file, malformed
    /// matrix.
    InputError,
    /// SIGINT or SIGTERM stopped the smoke runs (128 + SIGINT, as a shell reports it).
    Interrupted,
}

impl Outcome {
    /// The process exit code: 0, 1, 2.
    pub fn code(self) -> u8 {
        match self {
            Outcome::Success => 0,
            Outcome::Failure => 1,
            Outcome::InputError => 2,
            Outcome::Interrupted => 130,
        }
    }
}

/// Run the command line; an error (anyhow, with its context) is printed and is an
/// input error.
pub fn run(cli: Cli) -> Outcome {
    let result = match cli.command {
        None => build::run(cli.build, &cli.global),
        Some(Command::Build(args)) => build::run(args, &cli.global),
        Some(Command::Inspect(args)) => inspect::run(args, &cli.global),
        Some(Command::Targets(args)) => targets::run(args, &cli.global),
        Some(Command::Setup(args)) => setup::run(args, &cli.global),
        Some(Command::Check(args)) => check::run(args, &cli.global),
        Some(Command::Diff(args)) => diff::run(args, &cli.global),
        Some(Command::Merge(args)) => merge::run(args, &cli.global),
        Some(Command::Ci(args)) => ci::run(args, &cli.global),
        Some(Command::Why(args)) => why::run(args, &cli.global),
    };
    result.unwrap_or_else(|e| {
        eprintln!("error: {e:#}");
        Outcome::InputError
    })
}

pub(crate) fn style_for(choice: ColorChoice, to_file: bool) -> Style {
    let color = match choice {
        ColorChoice::Always => true,
        ColorChoice::Never => false,
        ColorChoice::Auto => {
            !to_file && std::io::stdout().is_terminal() && std::env::var_os("NO_COLOR").is_none()
        }
    };
    Style { color }
}

/// This host, for the report: the triple this tool runs on and `rustc -V`.
pub(crate) fn host(tc: Option<&Toolchain>) -> Host {
    let rustc = match tc {
        Some(tc) => tc.rustc_version.clone(),
        None => {
            let rustc = std::env::var_os("RUSTC").unwrap_or_else(|| "rustc".into());
            std::process::Command::new(rustc)
                .arg("-V")
                .output()
                .ok()
                .filter(|o| o.status.success())
                .map(|o| String::from_utf8_lossy(&o.stdout).trim().to_owned())
        }
    };
    Host {
        triple: env!("PORTABLE_HOST_TRIPLE").to_owned(),
        rustc,
    }
}

/// This host without asking rustc, for outputs that do not show `host.rustc`.
pub(crate) fn host_without_rustc() -> Host {
    Host {
        triple: env!("PORTABLE_HOST_TRIPLE").to_owned(),
        rustc: None,
    }
}

/// The workspace root from cargo (None outside a workspace).
fn workspace_root(tc: &Toolchain, manifest: Option<&Path>) -> Option<PathBuf> {
    let mut cmd = cargo_metadata::MetadataCommand::new();
    cmd.cargo_path(&tc.cargo).no_deps();
    if let Some(m) = manifest {
        cmd.manifest_path(m);
    }
    cmd.exec()
        .ok()
        .map(|m| m.workspace_root.into_std_path_buf())
}

/// `--matrix FILE`, else `portable.toml` at the workspace root, else the built-in one;
/// every `--variant` must name one of its variants.
fn load_matrix(args: &MatrixArgs, root: Option<&Path>, tc: &Toolchain) -> Result<Matrix> {
    let known = (!tc.target_list.is_empty()).then_some(tc.target_list.as_slice());
    load_matrix_checked(args, root, known)
}

/// [`load_matrix`], with the targets rustc knows (None: not checked).
fn load_matrix_checked(
    args: &MatrixArgs,
    root: Option<&Path>,
    known: Option<&[String]>,
) -> Result<Matrix> {
    let file = args.matrix.clone().or_else(|| {
        root.map(|r| r.join("portable.toml"))
            .filter(|p| p.is_file())
    });
    // `--matrix wide`: a built-in matrix by name, unless a file of that name exists
    let builtin = file
        .as_ref()
        .filter(|f| !f.exists())
        .and_then(|f| f.to_str())
        .and_then(matrix::builtin);
    let m = match (builtin, file) {
        (Some((text, name)), _) => matrix::parse(text, name, known)?,
        (None, Some(f)) => {
            let text = std::fs::read_to_string(&f)
                .with_context(|| format!("reading the matrix {}", f.display()))?;
            matrix::parse(&text, &f.display().to_string(), known)?
        }
        (None, None) => matrix::parse(DEFAULT_MATRIX, DEFAULT_MATRIX_NAME, known)?,
    };
    for id in &args.variants {
        if !m.variants.iter().any(|v| v.id() == id) {
            anyhow::bail!("{}: no variant with id `{id}`", m.source);
        }
    }
    Ok(m)
}

/// The variants `--variant` selects (all when none is given), in matrix order.
fn selected<'a>(m: &'a Matrix, ids: &[String]) -> Vec<&'a Variant> {
    m.variants
        .iter()
        .filter(|v| ids.is_empty() || ids.iter().any(|i| i == v.id()))
        .collect()
}
