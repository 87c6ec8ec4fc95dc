//! Command line: argument definitions and dispatch. Exit codes: 0 all good, 1 a
//! variant/expectation failed, 2 usage or input error.

use std::io::IsTerminal;
use std::path::PathBuf;
use std::process::ExitCode;

use clap::{Args, Parser, Subcommand, ValueEnum};

use crate::output::write_output;
use crate::report::{self, Host, InspectFormat, Report, Style};
use crate::scan::{scan, ScanOptions};

#[derive(Debug, Parser)]
#[command(
    name = "cargo-portable",
    bin_name = "cargo portable",
    version,
    about = "Cross-build a crate for a matrix of targets and report what every binary needs at run time",
    propagate_version = true,
    args_conflicts_with_subcommands = true
)]
pub struct Cli {
    /// Without a command: `build`.
    #[command(subcommand)]
    pub command: Option<Command>,
    #[command(flatten)]
    pub build: BuildArgs,
    #[command(flatten)]
    pub global: GlobalOpts,
}

#[derive(Debug, Args)]
pub struct GlobalOpts {
    /// When to use colors.
    #[arg(long, value_enum, default_value_t = ColorChoice::Auto, global = true)]
    pub color: ColorChoice,
    /// Print less (only errors and the result).
    #[arg(short, long, global = true)]
    pub quiet: bool,
    /// Print more detail.
    #[arg(short, long, global = true, conflicts_with = "quiet")]
    pub verbose: bool,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum ColorChoice {
    Auto,
    Always,
    Never,
}

#[derive(Debug, Subcommand)]
pub enum Command {
    /// Build every variant of the matrix, inspect each executable, check expectations
    /// (the default command).
    Build(BuildArgs),
    /// Inspect binaries (ELF, Mach-O incl. universal, PE) without running them.
    Inspect(InspectArgs),
    /// Every rustc target: std installed, linker found; and whether each variant of the
    /// matrix is ready to build.
    Targets(TargetsArgs),
    /// Install what the matrix needs: rustup targets, cross linkers, zig.
    Setup(SetupArgs),
}

/// Where the matrix comes from.
#[derive(Debug, Clone, Default, Args)]
pub struct MatrixArgs {
    /// The matrix file (default: portable.toml at the workspace root, else the
    /// built-in matrix).
    #[arg(long, value_name = "FILE")]
    pub matrix: Option<PathBuf>,
    /// Path to Cargo.toml.
    #[arg(long, value_name = "PATH")]
    pub manifest_path: Option<PathBuf>,
    /// Only these variants (repeatable).
    #[arg(long = "variant", value_name = "ID")]
    pub variants: Vec<String>,
}

#[derive(Debug, Clone, Default, Args)]
pub struct BuildArgs {
    #[command(flatten)]
    pub matrix: MatrixArgs,
    /// Package to build.
    #[arg(short, long, value_name = "SPEC")]
    pub package: Option<String>,
    /// Only this binary (repeatable; default: every binary of the package).
    #[arg(long = "bin", value_name = "NAME")]
    pub bins: Vec<String>,
    /// Build profile.
    #[arg(long, default_value = "release", value_name = "NAME")]
    pub profile: String,
    /// Space or comma separated features to activate.
    #[arg(short = 'F', long, value_name = "FEATURES")]
    pub features: Vec<String>,
    /// Activate all features.
    #[arg(long)]
    pub all_features: bool,
    /// Do not activate the `default` feature.
    #[arg(long)]
    pub no_default_features: bool,
    /// Assert that Cargo.lock will remain unchanged.
    #[arg(long)]
    pub locked: bool,
    /// Run without accessing the network.
    #[arg(long)]
    pub offline: bool,
    /// Compiler jobs for all variants together, through one jobserver shared by every
    /// cargo (default: the number of CPUs); also the most variant groups built at once.
    #[arg(short, long, value_name = "N")]
    pub jobs: Option<usize>,
    /// Run `setup` first.
    #[arg(long)]
    pub setup: bool,
    /// Output format.
    #[arg(long, value_enum, default_value_t = BuildFormat::Human)]
    pub format: BuildFormat,
    /// Write the report to FILE (atomically) instead of stdout.
    #[arg(short, long, value_name = "FILE")]
    pub output: Option<PathBuf>,
}

#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, ValueEnum)]
pub enum BuildFormat {
    /// A table, one row per variant.
    #[default]
    Human,
    /// The JSON report (docs/report.schema.json).
    Json,
    /// A GitHub-flavoured Markdown table (for CI summaries).
    Markdown,
}

#[derive(Debug, Args)]
pub struct TargetsArgs {
    #[command(flatten)]
    pub matrix: MatrixArgs,
    /// Only targets whose standard library is installed.
    #[arg(long)]
    pub installed: bool,
    /// Output format.
    #[arg(long, value_enum, default_value_t = TargetsFormat::Human)]
    pub format: TargetsFormat,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum TargetsFormat {
    Human,
    Json,
}

#[derive(Debug, Args)]
pub struct SetupArgs {
    #[command(flatten)]
    pub matrix: MatrixArgs,
    /// Print the plan, change nothing.
    #[arg(long)]
    pub dry_run: bool,
}

#[derive(Debug, Args)]
pub struct InspectArgs {
    /// Files or directories (walked for executables and shared libraries).
    #[arg(required = true, value_name = "FILE")]
    pub paths: Vec<PathBuf>,
    /// Output format.
    #[arg(long, value_enum, default_value_t = InspectFormat::Human)]
    pub format: InspectFormat,
    /// Write the output to FILE (atomically) instead of stdout.
    #[arg(short, long, value_name = "FILE")]
    pub output: Option<PathBuf>,
    /// Do not compute SHA-256 digests (`sha256` is null): faster on large trees.
    #[arg(long)]
    pub no_hash: bool,
}

/// Arguments as the user typed them, without the `portable` that cargo inserts when it
/// runs `cargo-portable portable …` for `cargo portable …`.
pub fn normalize_args(mut args: Vec<std::ffi::OsString>) -> Vec<std::ffi::OsString> {
    if args.get(1).is_some_and(|a| a == "portable") {
        args.remove(1);
    }
    args
}

pub fn style_for(choice: ColorChoice, to_file: bool) -> Style {
    let color = match choice {
        ColorChoice::Always => true,
        ColorChoice::Never => false,
        ColorChoice::Auto => {
            !to_file && std::io::stdout().is_terminal() && std::env::var_os("NO_COLOR").is_none()
        }
    };
    Style { color }
}

/// `rustc -V` of the toolchain cargo would use, if any.
pub fn host_rustc() -> Option<String> {
    let rustc = std::env::var_os("RUSTC").unwrap_or_else(|| "rustc".into());
    let out = std::process::Command::new(rustc).arg("-V").output().ok()?;
    out.status
        .success()
        .then(|| String::from_utf8_lossy(&out.stdout).trim().to_owned())
}

pub fn host() -> Host {
    Host {
        triple: env!("PORTABLE_HOST_TRIPLE").to_owned(),
        rustc: host_rustc(),
    }
}

pub fn run(cli: Cli) -> anyhow::Result<ExitCode> {
    match cli.command {
        None => crate::commands::build(cli.build, &cli.global),
        Some(Command::Build(args)) => crate::commands::build(args, &cli.global),
        Some(Command::Inspect(args)) => inspect(args, &cli.global),
        Some(Command::Targets(args)) => crate::commands::targets(args, &cli.global),
        Some(Command::Setup(args)) => crate::commands::setup(args, &cli.global),
    }
}

fn inspect(args: InspectArgs, global: &GlobalOpts) -> anyhow::Result<ExitCode> {
    let found = scan(
        &args.paths,
        ScanOptions {
            hash: !args.no_hash,
        },
    );
    let report = Report::new(host(), found.artifacts, found.errors, found.skipped);
    let style = style_for(global.color, args.output.is_some());
    write_output(args.output.as_deref(), |w| {
        report::render(&report, args.format, style, w)
    })?;
    // Formats without room for errors (and any output to a file) report them on stderr.
    let errors_shown = args.format == InspectFormat::Human && args.output.is_none();
    if !errors_shown {
        let err_style = style_for(global.color, !std::io::stderr().is_terminal());
        let _ = report::render_errors(&report.errors, err_style, &mut std::io::stderr());
    }
    Ok(if report.errors.is_empty() {
        ExitCode::SUCCESS
    } else {
        ExitCode::from(2)
    })
}
