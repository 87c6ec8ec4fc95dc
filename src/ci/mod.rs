//! CI pipelines generated from the matrix (docs/ci.md): one job per variant on the
//! runner that suits it, each writing its JSON report, and a last job that merges them,
//! diffs against the committed baseline and reports where the CI shows it. Pure: a
//! matrix and [`Options`] in, the pipeline's text out; `commands/ci.rs` reads and
//! writes the files.
//!
//! `yaml` writes the text, `github` and `gitlab` build each provider's document,
//! `diff` is the unified diff `ci --check` prints.

pub mod diff;
mod github;
mod gitlab;
pub mod yaml;

use serde::Serialize;

use crate::matrix::Variant;
use crate::platform::Triple;

/// Where `cargo install` finds cargo-portable by default (`CARGO_PORTABLE_GIT` in the
/// pipelines): this package's `repository`.
pub const DEFAULT_GIT: &str = env!("CARGO_PKG_REPOSITORY");

/// The baseline report the last job diffs against, relative to the repository root.
pub const DEFAULT_BASELINE: &str = "portable-baseline.json";

/// A third-party action, pinned by commit with the tag it was at.
#[derive(Debug, Clone, Copy)]
pub struct Action {
    pub name: &'static str,
    pub commit: &'static str,
    pub tag: &'static str,
}

impl Action {
    /// `uses: name@commit # tag`.
    fn uses(&self) -> yaml::Node {
        yaml::commented(format!("{}@{}", self.name, self.commit), self.tag)
    }
}

/// The actions the GitHub workflows use: commits read from each repository's tag.
pub const CHECKOUT: Action = Action {
    name: "actions/checkout",
    commit: "3d3c42e5aac5ba805825da76410c181273ba90b1",
    tag: "v7.0.1",
};
pub const CACHE: Action = Action {
    name: "actions/cache",
    commit: "27d5ce7f107fe9357f9df03efb73ab90386fccae",
    tag: "v5.0.5",
};
pub const UPLOAD_ARTIFACT: Action = Action {
    name: "actions/upload-artifact",
    commit: "bbbca2ddaa5d8feaa63e36b76fdaad77386f024f",
    tag: "v7.0.0",
};
pub const DOWNLOAD_ARTIFACT: Action = Action {
    name: "actions/download-artifact",
    commit: "3e5f45b2cfb9172054b4087a40e8e0b5a5461e7c",
    tag: "v8.0.1",
};
/// GitHub's own upload of SARIF to code scanning.
pub const UPLOAD_SARIF: Action = Action {
    name: "github/codeql-action/upload-sarif",
    commit: "dd903d2e4f5405488e5ef1422510ee31c8b32357",
    tag: "v3.36.2",
};

/// The CI system.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Provider {
    Github,
    Gitlab,
}

/// What kind of machine a variant's job runs on.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum Os {
    Linux,
    Macos,
    Windows,
}

/// The runner labels (GitHub) or images and tags (GitLab) per kind of machine.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Runners {
    pub linux: String,
    pub macos: String,
    pub windows: String,
}

impl Runners {
    /// GitHub's hosted runners. ubuntu-22.04 rather than 24.04: a host-gnu variant
    /// links against the runner's glibc, and the older one gives the lower floor.
    pub fn github() -> Runners {
        Runners {
            linux: "ubuntu-22.04".into(),
            macos: "macos-latest".into(),
            windows: "windows-2022".into(),
        }
    }

    fn label(&self, os: Os) -> &str {
        match os {
            Os::Linux => &self.linux,
            Os::Macos => &self.macos,
            Os::Windows => &self.windows,
        }
    }
}

/// How the pipeline is generated (everything but the matrix).
#[derive(Debug, Clone)]
pub struct Options {
    /// The command that regenerates this pipeline, for its header.
    pub command: String,
    /// Where the matrix came from, for the header.
    pub source: String,
    /// `--matrix` for the jobs' `setup` and `build` (None: they resolve it as build
    /// does, from portable.toml or the built-in matrix).
    pub matrix_arg: Option<String>,
    /// The committed baseline report the last job diffs against (skipped when absent).
    pub baseline: String,
    /// `cargo install --git` URL.
    pub git: String,
    /// `cargo install --version` (None: from git).
    pub version: Option<String>,
    /// macOS variants on macOS runners (default: on Linux, linked by zig).
    pub macos_native: bool,
    /// MSVC variants on Windows runners (they link nowhere else).
    pub windows_msvc: bool,
    pub runners: Runners,
}

impl Options {
    pub fn new(command: &str, source: &str) -> Options {
        Options {
            command: command.to_owned(),
            source: source.to_owned(),
            matrix_arg: None,
            baseline: DEFAULT_BASELINE.to_owned(),
            git: DEFAULT_GIT.to_owned(),
            version: None,
            macos_native: false,
            windows_msvc: false,
            runners: Runners::github(),
        }
    }
}

/// One variant's job: the `strategy.matrix.include` entry.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Job {
    pub id: String,
    pub target: String,
    pub runner: String,
    #[serde(skip)]
    pub os: Os,
}

/// A matrix the pipeline cannot run, naming the variant.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum CiError {
    #[error("variant `{0}` targets MSVC ({1}), which links only on Windows: pass --windows-msvc to build it on a Windows runner")]
    MsvcNeedsWindows(String, String),
    #[error("variant `{0}` needs a Windows runner, and GitLab's hosted Windows runners run PowerShell, not the bash these jobs are written in: build it on GitHub, or drop it from the GitLab matrix")]
    GitlabWindows(String),
    #[error("the matrix selects no variant")]
    Empty,
}

/// Where a variant builds: Linux unless it is macOS and `macos_native`, or MSVC.
pub fn os_for(target: &str, opts: &Options) -> Result<Os, String> {
    let t = Triple::parse(target);
    if t.is_apple() {
        Ok(if opts.macos_native {
            Os::Macos
        } else {
            Os::Linux
        })
    } else if t.is_windows_msvc() {
        if opts.windows_msvc {
            Ok(Os::Windows)
        } else {
            Err(target.to_owned())
        }
    } else {
        // Linux of every architecture (cross gcc, rust-lld, zig) and windows-gnu (MinGW)
        Ok(Os::Linux)
    }
}

/// The jobs of `variants`, in matrix order.
pub fn jobs(variants: &[&Variant], opts: &Options) -> Result<Vec<Job>, CiError> {
    if variants.is_empty() {
        return Err(CiError::Empty);
    }
    variants
        .iter()
        .map(|v| {
            let os = os_for(v.target(), opts)
                .map_err(|t| CiError::MsvcNeedsWindows(v.id().to_owned(), t))?;
            Ok(Job {
                id: v.id().to_owned(),
                target: v.target().to_owned(),
                runner: opts.runners.label(os).to_owned(),
                os,
            })
        })
        .collect()
}

/// The pipeline for `variants`.
pub fn generate(
    provider: Provider,
    variants: &[&Variant],
    opts: &Options,
) -> Result<String, CiError> {
    let jobs = jobs(variants, opts)?;
    match provider {
        Provider::Github => Ok(github::workflow(&jobs, opts)),
        Provider::Gitlab => gitlab::pipeline(&jobs, opts),
    }
}

/// The reusable GitHub workflow (`on: workflow_call`): the same jobs, with the matrix
/// read at run time by `ci github --matrix-json`. Independent of any matrix.
pub fn github_reusable(opts: &Options) -> String {
    github::reusable(opts)
}

/// `{"include": [{id, target, runner}, …]}` on one line: the `strategy.matrix` the
/// reusable workflow's plan job hands to the variant jobs.
pub fn matrix_json(jobs: &[Job]) -> String {
    serde_json::json!({ "include": jobs }).to_string()
}

/// Installs cargo-portable unless it is already on PATH (a runner image or a cache
/// that has it): the version from crates.io when `CARGO_PORTABLE_VERSION` is set,
/// else from `CARGO_PORTABLE_GIT`.
const INSTALL: &str = r#"if command -v cargo-portable >/dev/null 2>&1; then
  echo "using $(command -v cargo-portable)"
elif [ -n "${CARGO_PORTABLE_VERSION:-}" ]; then
  cargo install --locked cargo-portable --version "$CARGO_PORTABLE_VERSION"
else
  cargo install --locked --git "$CARGO_PORTABLE_GIT" cargo-portable
fi
cargo portable --version
"#;

/// `setup` and `build` of the variant in `$PORTABLE_VARIANT`, writing `report_dir`'s
/// `report-ID.json`. `matrix_flag` is how the commands get the matrix.
fn variant_commands(matrix_flag: &str, report: &str) -> (String, String) {
    let m = if matrix_flag.is_empty() {
        String::new()
    } else {
        format!(" {matrix_flag}")
    };
    (
        format!("cargo portable setup{m} --variant \"$PORTABLE_VARIANT\""),
        format!(
            "cargo portable build{m} --variant \"$PORTABLE_VARIANT\" --format json -o \"{report}\""
        ),
    )
}

/// How the jobs pass the matrix: nothing, the fixed path, or the optional one.
fn matrix_flag(opts: &Options) -> &'static str {
    if opts.matrix_arg.is_some() {
        "--matrix \"$PORTABLE_MATRIX\""
    } else {
        ""
    }
}

/// The header every generated pipeline starts with.
fn header(opts: &Options, what: &str) -> Vec<String> {
    vec![
        format!("{what}, generated by `{}`", opts.command),
        format!("from the matrix {}.", opts.source),
        "Do not edit: change the matrix and run the command again (with -o FILE); with".into(),
        "--check it fails when FILE is out of date. See docs/ci.md of cargo-portable.".into(),
    ]
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::matrix;

    pub(super) fn three() -> matrix::Matrix {
        matrix::parse(
            "[[variant]]\nid = \"gnu\"\ntarget = \"x86_64-unknown-linux-gnu\"\nlinker = \"internal\"\n\
             [[variant]]\nid = \"musl\"\ntarget = \"x86_64-unknown-linux-musl\"\nlinker = \"internal\"\n\
             [[variant]]\nid = \"mac\"\ntarget = \"aarch64-apple-darwin\"\nlinker = \"zig\"\n",
            "three.toml",
            None,
        )
        .unwrap()
    }

    pub(super) fn all(m: &matrix::Matrix) -> Vec<&Variant> {
        m.variants.iter().collect()
    }

    #[test]
    fn runners_by_target() {
        let mut o = Options::new("c", "s");
        let os = |t: &str, o: &Options| os_for(t, o);
        assert_eq!(os("x86_64-unknown-linux-gnu", &o), Ok(Os::Linux));
        assert_eq!(os("aarch64-unknown-linux-musl", &o), Ok(Os::Linux));
        assert_eq!(os("x86_64-pc-windows-gnu", &o), Ok(Os::Linux));
        assert_eq!(os("aarch64-apple-darwin", &o), Ok(Os::Linux));
        assert!(os("x86_64-pc-windows-msvc", &o).is_err());
        o.macos_native = true;
        o.windows_msvc = true;
        assert_eq!(os("aarch64-apple-darwin", &o), Ok(Os::Macos));
        assert_eq!(os("x86_64-apple-darwin", &o), Ok(Os::Macos));
        assert_eq!(os("x86_64-pc-windows-msvc", &o), Ok(Os::Windows));
        assert_eq!(os("x86_64-pc-windows-gnu", &o), Ok(Os::Linux));
    }

    #[test]
    fn default_matrix_jobs_all_on_linux() {
        let m = matrix::parse(matrix::DEFAULT_MATRIX, "d", None).unwrap();
        let o = Options::new("c", "s");
        let jobs = jobs(&all(&m), &o).unwrap();
        assert_eq!(jobs.len(), m.variants.len());
        assert!(jobs.iter().all(|j| j.runner == "ubuntu-22.04"));
    }

    #[test]
    fn msvc_without_the_flag_names_the_variant() {
        let m = matrix::parse(
            "[[variant]]\nid = \"win\"\ntarget = \"x86_64-pc-windows-msvc\"\nlinker = \"external\"\n",
            "w.toml",
            None,
        )
        .unwrap();
        let e = generate(Provider::Github, &all(&m), &Options::new("c", "s")).unwrap_err();
        assert!(e.to_string().contains("`win`"), "{e}");
        assert!(e.to_string().contains("--windows-msvc"), "{e}");
    }

    #[test]
    fn matrix_json_is_one_line_of_include_entries() {
        let m = three();
        let mut o = Options::new("c", "s");
        o.macos_native = true;
        let j = matrix_json(&jobs(&all(&m), &o).unwrap());
        assert!(!j.contains('\n'));
        let v: serde_json::Value = serde_json::from_str(&j).unwrap();
        assert_eq!(v["include"][2]["runner"], "macos-latest");
        assert_eq!(v["include"][0]["id"], "gnu");
        assert_eq!(v["include"][1]["target"], "x86_64-unknown-linux-musl");
    }

    #[test]
    fn actions_are_pinned_by_full_commit_with_their_tag() {
        for a in [
            CHECKOUT,
            CACHE,
            UPLOAD_ARTIFACT,
            DOWNLOAD_ARTIFACT,
            UPLOAD_SARIF,
        ] {
            assert_eq!(a.commit.len(), 40, "{}", a.name);
            assert!(a
                .commit
                .bytes()
                .all(|b| b.is_ascii_hexdigit() && !b.is_ascii_uppercase()));
            let v = a.tag.strip_prefix('v').expect("a v tag");
            assert_eq!(v.split('.').count(), 3, "{}: vX.Y.Z", a.name);
            assert!(v.split('.').all(|n| n.parse::<u32>().is_ok()), "{}", a.tag);
        }
    }

    #[test]
    fn the_default_git_is_set() {
        assert!(DEFAULT_GIT.starts_with("https://"), "{DEFAULT_GIT}");
    }
}
