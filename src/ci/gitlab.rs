//! The GitLab CI pipeline: one `parallel: matrix:` job per kind of runner (Linux in
//! the default image, macOS on GitLab's hosted macOS runners), each variant writing
//! `reports/report-ID.json` as an artifact, then `portable:report` (needs: all of
//! them) merging the reports into `merged.json` and a JUnit report for the merge
//! request widget, and diffing against the baseline.

use super::yaml::{self, strs, Map, Node};
use super::{header, matrix_flag, variant_commands, CiError, Job, Options, Os, INSTALL};

/// The default image of the Linux jobs: Debian with rustup and cargo.
pub const IMAGE: &str = "rust:1-bookworm";
/// GitLab's hosted macOS runners: their tag and image.
pub const MACOS_TAG: &str = "saas-macos-medium-m1";
pub const MACOS_IMAGE: &str = "macos-15-xcode-16";

/// `merge` exits 1 when a variant failed or violated an expectation (that variant's
/// job fails for it; here it goes into the JUnit report); 2 (bad input) fails.
const REPORT: &str = r#"cargo portable merge reports/*.json -o merged.json || [ "$?" -eq 1 ]
cargo portable merge reports/*.json --format junit -o junit.xml || [ "$?" -eq 1 ]
cargo portable merge reports/*.json --format markdown || [ "$?" -eq 1 ]
"#;

const DIFF: &str = r#"if [ ! -f "$PORTABLE_BASELINE" ]; then
  echo "no baseline report at $PORTABLE_BASELINE: the diff is skipped"
  exit 0
fi
status=0
cargo portable diff "$PORTABLE_BASELINE" merged.json --format markdown > diff.md || status=$?
cat diff.md
exit "$status"
"#;

pub fn pipeline(jobs: &[Job], opts: &Options) -> Result<String, CiError> {
    if let Some(j) = jobs.iter().find(|j| j.os == Os::Windows) {
        return Err(CiError::GitlabWindows(j.id.clone()));
    }
    let report_path = "reports/report-$PORTABLE_VARIANT.json";
    let (setup, build) = variant_commands(matrix_flag(opts), report_path);
    let variables = Map::new()
        .with("CARGO_HOME", "$CI_PROJECT_DIR/.cargo")
        .with("CARGO_PORTABLE_GIT", opts.git.as_str())
        .with(
            "CARGO_PORTABLE_VERSION",
            opts.version.clone().unwrap_or_default(),
        )
        .with_opt("PORTABLE_MATRIX", opts.matrix_arg.clone())
        .with("PORTABLE_BASELINE", opts.baseline.as_str());
    let template = Map::new()
        .with(
            "before_script",
            vec![
                Node::from("export PATH=\"$CARGO_HOME/bin:$PATH\""),
                Node::from(INSTALL),
            ],
        )
        .with(
            "cache",
            Map::new().with("key", "portable-$CI_JOB_NAME_SLUG").with(
                "paths",
                strs(&[
                    ".cargo/registry/index",
                    ".cargo/registry/cache",
                    ".cargo/git/db",
                    "target/",
                ]),
            ),
        );
    let mut root = Map::new()
        .spaced()
        .with("stages", strs(&["build", "report"]))
        .with("variables", variables)
        .with("default", Map::new().with("image", IMAGE))
        .with(".portable", template);
    let mut names = Vec::new();
    for (os, name) in [(Os::Linux, "portable:linux"), (Os::Macos, "portable:macos")] {
        let ids: Vec<&str> = jobs
            .iter()
            .filter(|j| j.os == os)
            .map(|j| j.id.as_str())
            .collect();
        if ids.is_empty() {
            continue;
        }
        root = root.with(name, build_job(os, &ids, &setup, &build));
        names.push(name);
    }
    let report = Map::new()
        .with("extends", ".portable")
        .with("stage", "report")
        .with("needs", strs(&names))
        .with("when", "always")
        .with("script", vec![Node::from(REPORT), Node::from(DIFF)])
        .with(
            "artifacts",
            Map::new()
                .with("when", "always")
                .with("paths", strs(&["merged.json", "junit.xml", "diff.md"]))
                .with("reports", Map::new().with("junit", "junit.xml")),
        );
    root = root.with("portable:report", report);
    Ok(yaml::document(&header(opts, "GitLab CI pipeline"), &root))
}

/// The build job of the variants `ids` of `os`, one parallel job per variant.
fn build_job(os: Os, ids: &[&str], setup: &str, build: &str) -> Map {
    let mut job = Map::new()
        .with("extends", ".portable")
        .with("stage", "build");
    if os == Os::Macos {
        job = job
            .with("image", MACOS_IMAGE)
            .with("tags", strs(&[MACOS_TAG]));
    }
    job = job
        .with(
            "parallel",
            Map::new().with(
                "matrix",
                vec![Node::from(Map::new().with("PORTABLE_VARIANT", strs(ids)))],
            ),
        )
        .with(
            "script",
            vec![
                Node::from(setup),
                Node::from("mkdir -p reports"),
                Node::from(build),
            ],
        )
        .with(
            "artifacts",
            Map::new()
                .with("when", "always")
                .with("paths", strs(&["reports/"])),
        );
    job
}

#[cfg(test)]
mod tests {
    use super::super::tests::{all, three};
    use super::super::{generate, Options, Provider};

    #[test]
    fn parallel_matrix_per_runner_and_a_report_stage() {
        let m = three();
        let mut o = Options::new("cmd", "three.toml");
        let p = generate(Provider::Gitlab, &all(&m), &o).unwrap();
        assert!(p.contains("  parallel:\n    matrix:\n      - PORTABLE_VARIANT:\n          - gnu\n          - musl\n          - mac\n"), "{p}");
        assert!(p.contains("  needs:\n    - portable:linux\n"), "{p}");
        assert!(p.contains("    reports:\n      junit: junit.xml\n"), "{p}");
        assert!(!p.contains("portable:macos"), "{p}");
        o.macos_native = true;
        let p = generate(Provider::Gitlab, &all(&m), &o).unwrap();
        assert!(p.contains("portable:macos:\n"), "{p}");
        assert!(
            p.contains("  needs:\n    - portable:linux\n    - portable:macos\n"),
            "{p}"
        );
    }

    #[test]
    fn windows_runners_are_refused_with_the_variant() {
        let m = crate::matrix::parse(
            "[[variant]]\nid = \"win\"\ntarget = \"x86_64-pc-windows-msvc\"\nlinker = \"external\"\n",
            "w.toml",
            None,
        )
        .unwrap();
        let mut o = Options::new("c", "s");
        o.windows_msvc = true;
        let e = generate(Provider::Gitlab, &all(&m), &o).unwrap_err();
        assert!(e.to_string().contains("`win`"), "{e}");
    }
}
