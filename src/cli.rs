//! The command line: clap definitions and nothing else. `main.rs` parses, the
//! functions in `commands/` run, and `commands::run` turns the outcome into one exit
//! code. Cargo's own flags are declared once here ([`CargoFlags`]) and passed to cargo
//! as they are.

use std::path::PathBuf;

use clap::builder::PossibleValue;
use clap::{Args, Parser, Subcommand, ValueEnum};

use crate::matrix::{ExpectLinkage, Hardening};

pub use crate::render::InspectFormat;

#[derive(Debug, Parser)]
#[command(
    name = "cargo-portable",
    bin_name = "cargo portable",
    version,
    about = "Cross-build a crate for a matrix of targets and report what every binary needs at run time",
    after_help = "Without a command: `build`. Exit codes: 0 everything built and every expectation held; \
                  1 a variant failed or was skipped, an expectation was violated, or diff found a regression; \
                  2 usage or input error.",
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
    #[command(after_help = "Examples:\n  cargo portable build -p ipc\n  \
        cargo portable build --variant linux-x86_64-musl --format json -o report.json\n  \
        cargo portable build --setup --format markdown >> \"$GITHUB_STEP_SUMMARY\"\n  \
        cargo portable build --format html -o report.html\n  \
        cargo portable build --format cyclonedx -o sbom.cdx.json\n  \
        cargo portable build --run --baseline portable-baseline.json")]
    Build(BuildArgs),
    /// Inspect binaries (ELF, Mach-O incl. universal, PE) without running them.
    #[command(
        after_help = "Examples:\n  cargo portable inspect target/release/app\n  \
        cargo portable inspect --format ldd app\n  \
        cargo portable inspect --format json -o report.json /usr/lib/x86_64-linux-gnu\n  \
        cargo portable inspect --format html -o binaries.html target/release/app\n  \
        cargo portable inspect --format cyclonedx -o app.cdx.json target/release/app\n  \
        cargo portable inspect --format sarif -o app.sarif target/release/app"
    )]
    Inspect(InspectArgs),
    /// Every rustc target: std installed, linker found; and whether each variant of the
    /// matrix is ready to build.
    #[command(after_help = "Examples:\n  cargo portable targets --installed\n  \
        cargo portable targets --matrix portable.toml --format json")]
    Targets(TargetsArgs),
    /// Install what the matrix needs: rustup targets, cross linkers with their C
    /// libraries, zig and cargo-zigbuild (in a virtual environment of cargo-portable's).
    #[command(after_help = "Examples:\n  cargo portable setup --dry-run\n  \
        cargo portable setup --variant linux-aarch64-gnu\n  \
        cargo portable setup --features openssl/vendored")]
    Setup(SetupArgs),
    /// Check expectations on binaries or saved reports without building (exit 1 on a
    /// violation, with the evidence).
    #[command(
        after_help = "Examples:\n  cargo portable check --runs-on rhel-7,debian-11 target/release/app\n  \
        cargo portable check --max-glibc 2.17 --linkage static --require pie,nx merged.json\n  \
        cargo portable check --policy policy.toml --format junit -o check.xml merged.json\n\n\
        A policy file has the keys of a variant's [variant.expect]: linkage, max-glibc, runs-on,\n\
        min-macos, libraries, hazards, deny-hazards, require. Flags override its keys."
    )]
    Check(CheckArgs),
    /// Compare two reports: regressions (a new or newly external library, a higher
    /// glibc/macOS/Windows floor, a new hazard, static turned dynamic, a variant that
    /// no longer builds, size growth) exit 1.
    #[command(
        after_help = "Examples:\n  cargo portable diff baseline.json merged.json\n  \
        cargo portable diff baseline.json merged.json --format markdown >> \"$GITHUB_STEP_SUMMARY\"\n  \
        cargo portable diff baseline.json merged.json --format junit -o diff.xml\n  \
        cargo portable diff baseline.json merged.json --format html -o diff.html\n  \
        cargo portable diff baseline.json merged.json --format sarif -o diff.sarif"
    )]
    Diff(DiffArgs),
    /// Combine the reports of CI matrix jobs (one or more variants each, from any
    /// host) into one report.
    #[command(
        after_help = "Examples:\n  cargo portable merge reports/*.json -o merged.json\n  \
        cargo portable merge reports/*.json --format junit -o portable.xml\n  \
        cargo portable merge reports/*.json --format html -o portable.html\n  \
        cargo portable merge reports/*.json --format sarif -o portable.sarif"
    )]
    Merge(MergeArgs),
    /// Print the CI pipeline generated from the matrix: a GitHub Actions workflow or a
    /// GitLab CI file, one job per variant and a last job that merges the reports.
    #[command(after_help = "Examples:\n  \
        cargo portable ci github -o .github/workflows/portable.yml\n  \
        cargo portable ci github -o .github/workflows/portable.yml --check\n  \
        cargo portable ci gitlab --matrix portable.toml -o .gitlab-ci.yml\n  \
        cargo portable ci github --macos-native --matrix-json\n\n\
        --check compares the file of -o (default: .github/workflows/portable.yml or .gitlab-ci.yml \
        at the workspace root) with what the matrix generates: exit 0 when it is up to date, 1 with \
        a unified diff when it is not. See docs/ci.md.")]
    Ci(CiArgs),
    /// Which crate (and object file) of a variant's link references an imported
    /// symbol, asked for a needed library, or sets the glibc floor.
    #[command(after_help = "Examples:\n  \
        cargo portable why getaddrinfo\n  \
        cargo portable why getpwuid_r --variant linux-x86_64-gnu-static\n  \
        cargo portable why libz.so.1 --variant linux-x86_64-gnu\n  \
        cargo portable why glibc --variant linux-x86_64-gnu --format json\n\n\
        `why` builds the variants asked for (default: the matrix's first) as `build` does; on a \
        warm target directory cargo finds everything fresh, and the link inputs' symbol indexes \
        come from the cache. --no-build answers from the last build without running cargo. Exit codes: 0 every variant has it; 1 a variant does not import or \
        need it (or failed to build); 2 usage error (an unknown variant lists the known ids).")]
    Why(WhyArgs),
}

/// `why`'s output formats.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum WhyFormat {
    /// Text for people.
    Human,
    /// JSON: `{query, answers: [{variant, path, found, exact, symbol|library|glibc}]}`.
    Json,
}

#[derive(Debug, Args)]
pub struct WhyArgs {
    /// An imported (or statically linked) symbol (`getaddrinfo`), a needed library
    /// (`libz.so.1`), or `glibc`.
    #[arg(value_name = "SYMBOL|LIBRARY|glibc")]
    pub what: String,
    #[command(flatten)]
    pub matrix: MatrixArgs,
    #[command(flatten)]
    pub cargo: CargoFlags,
    /// Only this binary (repeatable; default: every binary of the package).
    #[arg(long = "bin", value_name = "NAME")]
    pub bins: Vec<String>,
    /// Compiler jobs.
    #[arg(short, long, value_name = "N")]
    pub jobs: Option<usize>,
    /// Output format.
    #[arg(long, value_enum, default_value_t = WhyFormat::Human)]
    pub format: WhyFormat,
    /// Write the answer to FILE (atomically) instead of stdout.
    #[arg(short, long, value_name = "FILE")]
    pub output: Option<PathBuf>,
    /// Answer from the last `build` of the variants (the executables and link records
    /// under <target dir>/portable/<variant>/), without running cargo: faster, but
    /// blind to changes made since.
    #[arg(long)]
    pub no_build: bool,
}

/// Output formats of `diff`: those of `check`, HTML and SARIF.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum DiffFormat {
    /// Text for people.
    Human,
    /// JSON (docs/report.md).
    Json,
    /// A GitHub-flavoured Markdown table (CI summaries).
    Markdown,
    /// JUnit XML (GitLab merge-request widgets, CI test panels).
    Junit,
    /// One self-contained HTML page: the changes, with regressions and improvements
    /// highlighted, and the new report's variants.
    Html,
    /// SARIF 2.1.0 (code scanning): a result per regression, at the binary's path.
    Sarif,
}

/// Output formats of `merge`: those of `check`, HTML, CycloneDX and SARIF.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum MergeFormat {
    /// Text for people.
    Human,
    /// JSON (docs/report.md).
    Json,
    /// A GitHub-flavoured Markdown table (CI summaries).
    Markdown,
    /// JUnit XML (GitLab merge-request widgets, CI test panels).
    Junit,
    /// One self-contained HTML page: the variants' grid, sizes and details.
    Html,
    /// A CycloneDX 1.6 SBOM (JSON): every variant's binaries, their crates
    /// (cargo-auditable, else the variant's resolved cargo metadata graph), Go modules
    /// and libraries.
    Cyclonedx,
    /// SARIF 2.1.0 (code scanning): the hazards and violations, at the binaries' paths.
    Sarif,
}

/// Output formats of `check`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum ReportFormat {
    /// Text for people.
    Human,
    /// JSON (docs/report.md).
    Json,
    /// A GitHub-flavoured Markdown table (CI summaries).
    Markdown,
    /// JUnit XML (GitLab merge-request widgets, CI test panels).
    Junit,
    /// SARIF 2.1.0 (code scanning): a result per violation, at the binary's path.
    Sarif,
}

#[derive(Debug, Args)]
pub struct MergeArgs {
    /// Build reports (`build --format json -o FILE`), one or more variants each.
    #[arg(required = true, value_name = "REPORT")]
    pub reports: Vec<PathBuf>,
    /// Write the merged report to FILE (atomically) instead of stdout.
    #[arg(short, long, value_name = "FILE")]
    pub output: Option<PathBuf>,
    /// Output format.
    #[arg(long, value_enum, default_value_t = MergeFormat::Json)]
    pub format: MergeFormat,
}

#[derive(Debug, Args)]
pub struct DiffArgs {
    /// The earlier report (the baseline).
    #[arg(value_name = "OLD")]
    pub old: PathBuf,
    /// The report to compare with it.
    #[arg(value_name = "NEW")]
    pub new: PathBuf,
    /// Output format.
    #[arg(long, value_enum, default_value_t = DiffFormat::Human)]
    pub format: DiffFormat,
    /// Write the output to FILE (atomically) instead of stdout.
    #[arg(short, long, value_name = "FILE")]
    pub output: Option<PathBuf>,
    #[command(flatten)]
    pub growth: SizeGrowth,
}

/// How much a binary may grow before `diff` calls it a regression.
#[derive(Debug, Clone, Copy, Args)]
pub struct SizeGrowth {
    /// Size growth of a binary, in percent, above which it is a regression.
    #[arg(long, value_name = "PCT", default_value_t = crate::ops::diff::DEFAULT_MAX_SIZE_GROWTH)]
    pub max_size_growth: f64,
}

impl Default for SizeGrowth {
    fn default() -> Self {
        SizeGrowth {
            max_size_growth: crate::ops::diff::DEFAULT_MAX_SIZE_GROWTH,
        }
    }
}

#[derive(Debug, Args)]
pub struct CheckArgs {
    /// Binaries, directories of binaries, or saved JSON reports (build, merge or
    /// inspect).
    #[arg(required = true, value_name = "FILE|REPORT")]
    pub paths: Vec<PathBuf>,
    /// A policy file: the keys of [variant.expect] at the top level.
    #[arg(long, value_name = "FILE")]
    pub policy: Option<PathBuf>,
    /// The newest glibc the binaries may need.
    #[arg(long, value_name = "VERSION")]
    pub max_glibc: Option<String>,
    /// Distribution releases the binaries must run on (targets/glibc.toml):
    /// rhel-7, debian-11, ubuntu-20.04, sles-15-sp6, amazon-linux-2, ...
    #[arg(long, value_name = "RELEASE", value_delimiter = ',')]
    pub runs_on: Vec<String>,
    /// The linkage the binaries must have.
    #[arg(long, value_enum, value_name = "LINKAGE")]
    pub linkage: Option<crate::matrix::ExpectLinkage>,
    /// Allowed needed libraries (repeatable or comma separated); any other is a
    /// violation.
    #[arg(long = "allow-library", value_name = "NAME", value_delimiter = ',')]
    pub allow_library: Vec<String>,
    /// Hazard codes that are violations (repeatable or comma separated); `all`: any
    /// hazard of severity warning or error.
    #[arg(long = "deny-hazard", value_name = "CODE", value_delimiter = ',')]
    pub deny_hazard: Vec<String>,
    /// The oldest macOS the binaries must run on.
    #[arg(long, value_name = "VERSION")]
    pub min_macos: Option<String>,
    /// Hardening every binary must have.
    #[arg(long, value_enum, value_name = "WHAT", value_delimiter = ',')]
    pub require: Vec<crate::matrix::Hardening>,
    /// Output format.
    #[arg(long, value_enum, default_value_t = ReportFormat::Human)]
    pub format: ReportFormat,
    /// Write the output to FILE (atomically) instead of stdout.
    #[arg(short, long, value_name = "FILE")]
    pub output: Option<PathBuf>,
}

/// Where the matrix comes from.
#[derive(Debug, Clone, Default, Args)]
pub struct MatrixArgs {
    /// The matrix file, or a built-in matrix by name: `default`, `wide` (every Linux
    /// architecture, FreeBSD, 32-bit Windows). Default: portable.toml at the
    /// workspace root, else the built-in `default`.
    #[arg(long, value_name = "FILE")]
    pub matrix: Option<PathBuf>,
    /// Path to Cargo.toml.
    #[arg(long, value_name = "PATH")]
    pub manifest_path: Option<PathBuf>,
    /// Only these variants (repeatable).
    #[arg(long = "variant", value_name = "ID")]
    pub variants: Vec<String>,
}

/// Cargo's own flags, passed through to every cargo call of a build.
#[derive(Debug, Clone, Default, Args)]
pub struct CargoFlags {
    /// Package to build.
    #[arg(short, long, value_name = "SPEC")]
    pub package: Option<String>,
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
}

impl From<&CargoFlags> for crate::engine::CargoOptions {
    fn from(f: &CargoFlags) -> Self {
        crate::engine::CargoOptions {
            package: f.package.clone(),
            profile: f.profile.clone(),
            features: f.features.clone(),
            all_features: f.all_features,
            no_default_features: f.no_default_features,
            locked: f.locked,
            offline: f.offline,
        }
    }
}

#[derive(Debug, Clone, Default, Args)]
pub struct BuildArgs {
    #[command(flatten)]
    pub matrix: MatrixArgs,
    #[command(flatten)]
    pub cargo: CargoFlags,
    /// Only this binary (repeatable; default: every binary of the package).
    #[arg(long = "bin", value_name = "NAME")]
    pub bins: Vec<String>,
    /// Compiler jobs for all variants together, through one jobserver shared by every
    /// cargo (default: the number of CPUs); also the most variant groups built at once.
    #[arg(short, long, value_name = "N")]
    pub jobs: Option<usize>,
    /// Run `setup` first.
    #[arg(long)]
    pub setup: bool,
    /// Run every built variant's smoke (natively, under qemu-user or wine; static
    /// binaries also in an empty root, dynamic ones in a minimal root); without it only
    /// variants with `run = true` run.
    #[arg(long)]
    pub run: bool,
    /// The time bound of each smoke process, in seconds.
    #[arg(long, value_name = "SECONDS", default_value_t = 60)]
    pub run_timeout: u64,
    /// Output format.
    #[arg(long, value_enum, default_value_t = BuildFormat::Human)]
    pub format: BuildFormat,
    /// Write the report to FILE (atomically) instead of stdout.
    #[arg(short, long, value_name = "FILE")]
    pub output: Option<PathBuf>,
    /// After building, compare the report with this earlier one (as `diff`):
    /// a regression exits 1.
    #[arg(long, value_name = "FILE")]
    pub baseline: Option<PathBuf>,
    #[command(flatten)]
    pub growth: SizeGrowth,
    /// Prove every built Linux glibc binary in these releases (as `inspect --prove`:
    /// comma-separated names of targets/prove.toml); a proof that disagrees with
    /// runs_on exits 1.
    #[arg(long, value_name = "RELEASES")]
    pub prove: Option<String>,
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
    /// One self-contained HTML page: a grid of the variants, a size chart, every
    /// variant's details, a filter (with --baseline, the changes highlighted).
    Html,
    /// A CycloneDX 1.6 SBOM (JSON): every variant's binaries, their crates
    /// (cargo-auditable, else the variant's resolved cargo metadata graph), Go modules
    /// and libraries.
    Cyclonedx,
    /// SARIF 2.1.0 (code scanning): the hazards and violations (with --baseline, the
    /// regressions), at the binaries' paths.
    Sarif,
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
    /// The package and features `build` would build (`--features openssl/vendored`
    /// needs perl and make; without it, the system OpenSSL's multiarch package).
    #[command(flatten)]
    pub cargo: CargoFlags,
    /// Print the plan, change nothing.
    #[arg(long)]
    pub dry_run: bool,
    /// Also install what runs the smokes (`build --run`): qemu-user-static for
    /// foreign Linux architectures, wine64 for Windows. Variants with `run = true` get
    /// theirs without it.
    #[arg(long)]
    pub run: bool,
}

#[derive(Debug, Args)]
pub struct CiArgs {
    /// The CI system.
    #[arg(value_enum)]
    pub provider: CiProvider,
    #[command(flatten)]
    pub matrix: MatrixArgs,
    /// Write the pipeline to FILE (atomically); with --check, the committed file to
    /// compare.
    #[arg(short, long, value_name = "FILE")]
    pub output: Option<PathBuf>,
    /// Compare the committed file with the generated pipeline: exit 1 with a unified
    /// diff when it is out of date.
    #[arg(long)]
    pub check: bool,
    /// Build macOS variants on macOS runners (default: on Linux runners, linked by zig).
    #[arg(long)]
    pub macos_native: bool,
    /// Build MSVC variants on Windows runners (GitHub only).
    #[arg(long)]
    pub windows_msvc: bool,
    /// GitHub: the reusable workflow (`on: workflow_call`, the matrix file read at run
    /// time), as in ci/github/portable.yml.
    #[arg(long, conflicts_with_all = ["matrix_json", "matrix", "variants"])]
    pub reusable: bool,
    /// GitHub: print only the variant jobs' `strategy.matrix` as one line of JSON (the
    /// reusable workflow's plan job uses it).
    #[arg(long, conflicts_with = "check")]
    pub matrix_json: bool,
    /// The committed baseline report the last job diffs against (skipped when absent).
    #[arg(long, value_name = "FILE", default_value = crate::ci::DEFAULT_BASELINE)]
    pub baseline: String,
    /// Install cargo-portable in the jobs from this git repository.
    #[arg(long, value_name = "URL", default_value = crate::ci::DEFAULT_GIT)]
    pub install_git: String,
    /// Install this cargo-portable version from crates.io instead of git.
    #[arg(long, value_name = "VERSION")]
    pub install_version: Option<String>,
    /// Runner label (GitHub) for Linux jobs.
    #[arg(long, value_name = "LABEL")]
    pub linux_runner: Option<String>,
    /// Runner label (GitHub) for macOS jobs.
    #[arg(long, value_name = "LABEL")]
    pub macos_runner: Option<String>,
    /// Runner label (GitHub) for Windows jobs.
    #[arg(long, value_name = "LABEL")]
    pub windows_runner: Option<String>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum CiProvider {
    /// GitHub Actions
    Github,
    /// GitLab CI
    Gitlab,
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
    /// Compute SHA-256 digests even where the output does not show them (`json`
    /// carries them by default, the other formats do not).
    #[arg(long, conflicts_with = "no_hash")]
    pub hash: bool,
    /// Do not compute SHA-256 digests (`sha256` is null in JSON): faster on large trees.
    #[arg(long)]
    pub no_hash: bool,
    /// Prove each Linux glibc binary in these releases (comma-separated, from
    /// targets/prove.toml: debian-11,debian-12,debian-13, …): their packages are
    /// downloaded from the release's apt archive into the cache and the release's own
    /// loader resolves the binary (`ld.so --list`, under qemu for a foreign
    /// architecture). A proof that disagrees with runs_on exits 1.
    #[arg(long, value_name = "RELEASES")]
    pub prove: Option<String>,
}

/// Arguments as the user typed them, without the `portable` that cargo inserts when it
/// runs `cargo-portable portable …` for `cargo portable …`.
pub fn normalize_args(mut args: Vec<std::ffi::OsString>) -> Vec<std::ffi::OsString> {
    if args.get(1).is_some_and(|a| a == "portable") {
        args.remove(1);
    }
    args
}

// the value enums of lower floors: their names and help are theirs, clap is only here

impl ValueEnum for InspectFormat {
    fn value_variants<'a>() -> &'a [Self] {
        InspectFormat::ALL
    }
    fn to_possible_value(&self) -> Option<PossibleValue> {
        let help = self.doc().trim();
        let help = help.strip_suffix('.').unwrap_or(help);
        Some(PossibleValue::new(self.as_str()).help(help))
    }
}

impl ValueEnum for ExpectLinkage {
    fn value_variants<'a>() -> &'a [Self] {
        &ExpectLinkage::ALL
    }
    fn to_possible_value(&self) -> Option<PossibleValue> {
        let v = PossibleValue::new(self.as_str());
        Some(match self.help() {
            Some(h) => v.help(h),
            None => v,
        })
    }
}

impl ValueEnum for Hardening {
    fn value_variants<'a>() -> &'a [Self] {
        &Hardening::ALL
    }
    fn to_possible_value(&self) -> Option<PossibleValue> {
        Some(PossibleValue::new(self.as_str()).help(self.help()))
    }
}

#[cfg(test)]
mod tests {
    use clap::CommandFactory;

    use super::Cli;
    use crate::matrix::Rule;

    #[test]
    fn check_has_a_flag_for_every_rule() {
        let cli = Cli::command();
        let check = cli.find_subcommand("check").unwrap();
        for r in Rule::ALL {
            let flag = r.flag().trim_start_matches("--");
            assert!(
                check.get_arguments().any(|a| a.get_long() == Some(flag)),
                "{} has no flag {}",
                r.key(),
                r.flag()
            );
            let policy = check.get_after_help().unwrap().to_string();
            assert!(
                policy.contains(r.key()),
                "{policy} does not name {}",
                r.key()
            );
        }
    }
}
