//! The GitHub Actions workflow: a `variant` job per matrix entry, then `report`.
//! Values reach the scripts through `env:`, never through `${{ }}` inside `run:`
//! (template injection); checkouts keep no credentials; third-party actions are
//! pinned by commit.

use super::yaml::{self, strs, Map, Node};
use super::{
    header, matrix_flag, variant_commands, Job, Options, CACHE, CHECKOUT, DOWNLOAD_ARTIFACT,
    INSTALL, UPLOAD_ARTIFACT, UPLOAD_SARIF,
};

/// Annotations for what the merged report found: failed variants and every
/// violation as errors, skipped variants as warnings. Messages are escaped the way
/// workflow commands want (`%`, CR, LF; in properties also `:` and `,`).
const ANNOTATE_REPORT: &str = r#"jq -r '
  def esc: tostring | gsub("%"; "%25") | gsub("\r"; "%0D") | gsub("\n"; "%0A");
  def prop: esc | gsub(":"; "%3A") | gsub(","; "%2C");
  .variants[]
  | (select(.status == "failed") | "::error title=\("\(.id) failed" | prop)::\(.reason // "failed" | esc)"),
    (select(.status == "skipped") | "::warning title=\("\(.id) skipped" | prop)::\(.reason // "skipped" | esc)"),
    (.id as $id | (.expect.violations // [])[] | "::error title=\("\($id) \(.rule)" | prop)::\(.message | esc)")
' merged.json
"#;

/// The diff against the baseline: Markdown to the job summary, one annotation per
/// regression, and the diff's exit status (1 on a regression) as the step's.
const DIFF: &str = r#"if [ ! -f "$PORTABLE_BASELINE" ]; then
  echo "No baseline report at \`$PORTABLE_BASELINE\`: the diff is skipped." >> "$GITHUB_STEP_SUMMARY"
  exit 0
fi
status=0
cargo portable diff "$PORTABLE_BASELINE" merged.json --format markdown > diff.md || status=$?
cat diff.md >> "$GITHUB_STEP_SUMMARY"
if cargo portable diff "$PORTABLE_BASELINE" merged.json --format json -o diff.json || [ "$?" -eq 1 ]; then
  jq -r '
    def esc: tostring | gsub("%"; "%25") | gsub("\r"; "%0D") | gsub("\n"; "%0A");
    def prop: esc | gsub(":"; "%3A") | gsub(","; "%2C");
    .variants[] | .id as $id | .changes[] | select(.kind == "regression")
    | "::error title=\("\($id) \(.code)" | prop)::\(.message | esc)"
  ' diff.json
fi
exit "$status"
"#;

/// `merge` exits 1 when a variant failed or violated an expectation: that variant's
/// own job fails for it, and here it becomes annotations; 2 (bad input) fails.
const MERGE: &str = r#"cargo portable merge reports/*.json -o merged.json || [ "$?" -eq 1 ]
cargo portable merge reports/*.json --format markdown >> "$GITHUB_STEP_SUMMARY" || [ "$?" -eq 1 ]
"#;

/// The merged report's hazards and violations as SARIF, for code scanning.
const SARIF: &str = r#"cargo portable merge reports/*.json --format sarif -o portable.sarif || [ "$?" -eq 1 ]
"#;

/// The code-scanning job's condition: not cancelled, and not a pull request from a
/// fork (its token cannot write security events).
const CODE_SCANNING_IF: &str = "${{ !cancelled() && (github.event_name != 'pull_request' || \
github.event.pull_request.head.repo.full_name == github.repository) }}";

fn step(name: &str) -> Map {
    Map::new().with("name", name)
}

fn checkout() -> Node {
    step("Check out")
        .with("uses", CHECKOUT.uses())
        .with("with", Map::new().with("persist-credentials", false))
        .into()
}

fn install() -> Node {
    step("Install cargo-portable").with("run", INSTALL).into()
}

fn cache() -> Node {
    step("Cache cargo's registry and target directory")
        .with("uses", CACHE.uses())
        .with(
            "with",
            Map::new()
                .with(
                    "path",
                    "~/.cargo/registry/index\n~/.cargo/registry/cache\n~/.cargo/git/db\ntarget\n",
                )
                .with(
                    "key",
                    "portable-${{ runner.os }}-${{ matrix.id }}-${{ hashFiles('**/Cargo.lock') }}",
                )
                .with(
                    "restore-keys",
                    "portable-${{ runner.os }}-${{ matrix.id }}-\n",
                ),
        )
        .into()
}

/// The workflow-level `env`: what the scripts read.
fn env(opts: &Options, reusable: bool) -> Map {
    if reusable {
        return Map::new()
            .with("CARGO_PORTABLE_GIT", "${{ inputs.git }}")
            .with("CARGO_PORTABLE_VERSION", "${{ inputs.version }}")
            .with("PORTABLE_MATRIX", "${{ inputs.matrix }}")
            .with("PORTABLE_BASELINE", "${{ inputs.baseline }}")
            .with("CARGO_TERM_COLOR", "always");
    }
    Map::new()
        .with("CARGO_PORTABLE_GIT", opts.git.as_str())
        .with(
            "CARGO_PORTABLE_VERSION",
            opts.version.clone().unwrap_or_default(),
        )
        .with_opt("PORTABLE_MATRIX", opts.matrix_arg.clone())
        .with("PORTABLE_BASELINE", opts.baseline.as_str())
        .with("CARGO_TERM_COLOR", "always")
}

/// The variant job; `matrix`: its `strategy.matrix`.
fn variant_job(matrix: Node, matrix_flag: &str, needs: Option<&str>) -> Map {
    let report = "report-$PORTABLE_VARIANT.json";
    let (setup, build) = variant_commands(matrix_flag, report);
    Map::new()
        .with("name", "${{ matrix.id }}")
        .with_opt("needs", needs)
        .with("runs-on", "${{ matrix.runner }}")
        .with(
            "strategy",
            Map::new().with("fail-fast", false).with("matrix", matrix),
        )
        .with(
            "env",
            Map::new().with("PORTABLE_VARIANT", "${{ matrix.id }}"),
        )
        .with(
            "steps",
            vec![
                checkout(),
                cache(),
                install(),
                step("Set up the variant").with("run", setup).into(),
                step("Build and inspect").with("run", build).into(),
                step("Upload the report")
                    .with("if", "always()")
                    .with("uses", UPLOAD_ARTIFACT.uses())
                    .with(
                        "with",
                        Map::new()
                            .with("name", "portable-report-${{ matrix.id }}")
                            .with("path", "report-${{ matrix.id }}.json")
                            .with("if-no-files-found", "error"),
                    )
                    .into(),
            ],
        )
}

/// `sarif`: also write the merged report as SARIF and upload it as the artifact
/// `portable-sarif` (for the code-scanning job).
fn report_job(runner: &str, sarif: bool) -> Map {
    let mut steps = vec![
        checkout(),
        install(),
        step("Download the reports")
            .with("uses", DOWNLOAD_ARTIFACT.uses())
            .with(
                "with",
                Map::new()
                    .with("pattern", "portable-report-*")
                    .with("path", "reports")
                    .with("merge-multiple", true),
            )
            .into(),
        step("Merge the reports").with("run", MERGE).into(),
        step("Annotate violations")
            .with("run", ANNOTATE_REPORT)
            .into(),
        step("Upload the merged report")
            .with("if", "always()")
            .with("uses", UPLOAD_ARTIFACT.uses())
            .with(
                "with",
                Map::new()
                    .with("name", "portable-report")
                    .with("path", "merged.json")
                    .with("if-no-files-found", "error"),
            )
            .into(),
    ];
    if sarif {
        steps.push(
            step("Write SARIF for code scanning")
                .with("run", SARIF)
                .into(),
        );
        steps.push(
            step("Upload the SARIF")
                .with("uses", UPLOAD_ARTIFACT.uses())
                .with(
                    "with",
                    Map::new()
                        .with("name", "portable-sarif")
                        .with("path", "portable.sarif")
                        .with("if-no-files-found", "error"),
                )
                .into(),
        );
    }
    steps.push(step("Diff against the baseline").with("run", DIFF).into());
    Map::new()
        .with("name", "report")
        .with("needs", "variant")
        .with("if", "${{ !cancelled() }}")
        .with("runs-on", runner)
        .with("steps", steps)
}

/// Upload the report job's SARIF to code scanning: the only job that may write
/// security events.
fn code_scanning_job(runner: &str) -> Map {
    Map::new()
        .with("name", "code scanning")
        .with("needs", "report")
        .with("if", CODE_SCANNING_IF)
        .with("runs-on", runner)
        .with(
            "permissions",
            Map::new()
                .with("actions", "read")
                .with("contents", "read")
                .with("security-events", "write"),
        )
        .with(
            "steps",
            vec![
                checkout(),
                step("Download the SARIF")
                    .with("uses", DOWNLOAD_ARTIFACT.uses())
                    .with("with", Map::new().with("name", "portable-sarif"))
                    .into(),
                step("Upload to code scanning")
                    .with("uses", UPLOAD_SARIF.uses())
                    .with(
                        "with",
                        Map::new()
                            .with("sarif_file", "portable.sarif")
                            .with("category", "cargo-portable"),
                    )
                    .into(),
            ],
        )
}

fn base(name: &str, on: Map, concurrency: Option<Map>, env: Map, jobs: Map) -> Map {
    Map::new()
        .spaced()
        .with("name", name)
        .with("on", on)
        .with("permissions", Map::new().with("contents", "read"))
        .with_opt("concurrency", concurrency)
        .with("env", env)
        .with(
            "defaults",
            Map::new().with("run", Map::new().with("shell", "bash")),
        )
        .with("jobs", jobs)
}

/// The workflow for these jobs.
pub fn workflow(jobs: &[Job], opts: &Options) -> String {
    let include: Vec<Node> = jobs
        .iter()
        .map(|j| {
            Map::new()
                .with("id", j.id.as_str())
                .with("target", j.target.as_str())
                .with("runner", j.runner.as_str())
                .into()
        })
        .collect();
    let on = Map::new()
        .with("push", Map::new().with("branches", strs(&["main"])))
        .with("pull_request", Map::new())
        .with("workflow_dispatch", Map::new());
    // a new push to the same branch or pull request cancels the run it makes stale
    let concurrency = Map::new()
        .with("group", "portable-${{ github.workflow }}-${{ github.ref }}")
        .with("cancel-in-progress", true);
    let jobs_map = Map::new()
        .spaced()
        .with(
            "variant",
            variant_job(
                Map::new().with("include", include).into(),
                matrix_flag(opts),
                None,
            ),
        )
        .with("report", report_job(&opts.runners.linux, true))
        .with("code-scanning", code_scanning_job(&opts.runners.linux));
    yaml::document(
        &header(opts, "GitHub Actions workflow"),
        &base(
            "portable",
            on,
            Some(concurrency),
            env(opts, false),
            jobs_map,
        ),
    )
}

fn input(description: &str, kind: &str, default: Node) -> Node {
    Map::new()
        .with("description", description)
        .with("type", kind)
        .with("required", false)
        .with("default", default)
        .into()
}

/// The reusable workflow: a `plan` job turns the caller's matrix file into the
/// variant jobs' `strategy.matrix` (`ci github --matrix-json`).
pub fn reusable(opts: &Options) -> String {
    let inputs = reusable_inputs(opts);
    let on = Map::new().with("workflow_call", Map::new().with("inputs", inputs));
    let plan = Map::new()
        .with("name", "plan")
        .with("runs-on", opts.runners.linux.as_str())
        .with(
            "outputs",
            Map::new().with("matrix", "${{ steps.plan.outputs.matrix }}"),
        )
        .with(
            "steps",
            vec![
                checkout(),
                install(),
                step("Plan the variant jobs")
                    .with("id", "plan")
                    .with(
                        "env",
                        Map::new()
                            .with("PORTABLE_MACOS_NATIVE", "${{ inputs.macos-native }}")
                            .with("PORTABLE_WINDOWS_MSVC", "${{ inputs.windows-msvc }}"),
                    )
                    .with("run", PLAN)
                    .into(),
            ],
        );
    let jobs_map = Map::new()
        .spaced()
        .with("plan", plan)
        .with(
            "variant",
            variant_job(
                "${{ fromJSON(needs.plan.outputs.matrix) }}".into(),
                "${PORTABLE_MATRIX:+--matrix \"$PORTABLE_MATRIX\"}",
                Some("plan"),
            ),
        )
        // no code scanning: a called workflow's job cannot have more permissions than
        // the caller grants, and callers grant no security-events
        .with("report", report_job(&opts.runners.linux, false));
    yaml::document(
        &header(opts, "Reusable GitHub Actions workflow"),
        &base("portable", on, None, env(opts, true), jobs_map),
    )
}

/// The inputs of the reusable workflow.
fn reusable_inputs(opts: &Options) -> Map {
    Map::new()
        .with(
            "matrix",
            input(
                "The matrix file (empty: portable.toml at the workspace root, else the built-in matrix).",
                "string",
                "".into(),
            ),
        )
        .with(
            "baseline",
            input(
                "The committed baseline report to diff against (the diff is skipped when the file is absent).",
                "string",
                opts.baseline.as_str().into(),
            ),
        )
        .with(
            "version",
            input(
                "cargo-portable from crates.io at this version (empty: from `git`).",
                "string",
                "".into(),
            ),
        )
        .with(
            "git",
            input(
                "The git repository cargo-portable is installed from when `version` is empty.",
                "string",
                opts.git.as_str().into(),
            ),
        )
        .with(
            "macos-native",
            input(
                "Build macOS variants on macOS runners (default: on Linux, linked by zig).",
                "boolean",
                false.into(),
            ),
        )
        .with(
            "windows-msvc",
            input(
                "Build MSVC variants on Windows runners.",
                "boolean",
                false.into(),
            ),
        )
}

const PLAN: &str = r#"args=()
if [ -n "$PORTABLE_MATRIX" ]; then args+=(--matrix "$PORTABLE_MATRIX"); fi
if [ "$PORTABLE_MACOS_NATIVE" = true ]; then args+=(--macos-native); fi
if [ "$PORTABLE_WINDOWS_MSVC" = true ]; then args+=(--windows-msvc); fi
matrix=$(cargo portable ci github --matrix-json "${args[@]}")
echo "$matrix"
echo "matrix=$matrix" >> "$GITHUB_OUTPUT"
"#;

#[cfg(test)]
mod tests {
    use super::super::tests::{all, three};
    use super::super::{generate, github_reusable, Options, Provider};

    #[test]
    fn one_include_entry_per_variant_and_a_report_job() {
        let m = three();
        let w = generate(
            Provider::Github,
            &all(&m),
            &Options::new("cmd", "three.toml"),
        )
        .unwrap();
        assert!(
            w.starts_with("# GitHub Actions workflow, generated by `cmd`\n"),
            "{w}"
        );
        assert_eq!(w.matches("          - id: ").count(), 3, "{w}");
        assert!(w.contains("            runner: ubuntu-22.04\n"), "{w}");
        assert!(w.contains("      fail-fast: false\n"), "{w}");
        assert!(w.contains("\npermissions:\n  contents: read\n"), "{w}");
        assert!(
            w.contains("  report:\n    name: report\n    needs: variant\n"),
            "{w}"
        );
        assert!(
            w.contains("uses: actions/checkout@3d3c42e5aac5ba805825da76410c181273ba90b1 # v7.0.1")
        );
        assert!(w.contains("persist-credentials: false"));
        // no matrix file given: the jobs resolve it as build does
        assert!(!w.contains("--matrix"), "{w}");
        assert!(w.contains("cargo portable build --variant \"$PORTABLE_VARIANT\" --format json -o \"report-$PORTABLE_VARIANT.json\""), "{w}");
    }

    #[test]
    fn code_scanning_job_alone_may_write_security_events() {
        let m = three();
        let w = generate(Provider::Github, &all(&m), &Options::new("c", "s")).unwrap();
        assert!(
            w.contains("  code-scanning:\n    name: code scanning\n    needs: report\n"),
            "{w}"
        );
        assert_eq!(w.matches("security-events: write").count(), 1, "{w}");
        assert!(w.contains("github/codeql-action/upload-sarif@"), "{w}");
        let r = github_reusable(&Options::new("c", "s"));
        assert!(!r.contains("security-events"), "{r}");
    }

    #[test]
    fn no_expression_inside_a_run_script() {
        let m = three();
        let w = generate(Provider::Github, &all(&m), &Options::new("c", "s")).unwrap();
        let r = github_reusable(&Options::new("c", "s"));
        for text in [w, r] {
            let mut in_run = false;
            for line in text.lines() {
                let trimmed = line.trim_start();
                if trimmed.starts_with("run: |") || trimmed.starts_with("- run: |") {
                    in_run = true;
                    continue;
                }
                if in_run && !line.starts_with("          ") {
                    in_run = false;
                }
                if in_run || trimmed.starts_with("run: ") {
                    assert!(!line.contains("${{"), "expression in a script: {line}");
                }
            }
        }
    }

    #[test]
    fn matrix_file_and_native_macos() {
        let m = three();
        let mut o = Options::new("c", "s");
        o.matrix_arg = Some("ci/three.toml".into());
        o.macos_native = true;
        let w = generate(Provider::Github, &all(&m), &o).unwrap();
        assert!(w.contains("  PORTABLE_MATRIX: ci/three.toml\n"), "{w}");
        assert!(
            w.contains("cargo portable setup --matrix \"$PORTABLE_MATRIX\" --variant"),
            "{w}"
        );
        assert!(w.contains("            runner: macos-latest\n"), "{w}");
    }

    #[test]
    fn reusable_reads_the_matrix_at_run_time() {
        let r = github_reusable(&Options::new("c", "s"));
        assert!(
            r.contains("  workflow_call:\n    inputs:\n      matrix:\n"),
            "{r}"
        );
        assert!(
            r.contains("matrix: ${{ fromJSON(needs.plan.outputs.matrix) }}"),
            "{r}"
        );
        assert!(r.contains("cargo portable ci github --matrix-json"), "{r}");
        assert!(
            r.contains("${PORTABLE_MATRIX:+--matrix \"$PORTABLE_MATRIX\"}"),
            "{r}"
        );
    }
}
