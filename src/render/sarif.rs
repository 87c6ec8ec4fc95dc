//! SARIF 2.1.0, the format GitHub's code scanning reads: one run of cargo-portable,
//! one rule per hazard code, expectation rule and regression kind that has a result,
//! one result per hazard, violation or regression, at the binary's path (relative to
//! the repository root when it is inside it). Pure functions of the documents: where
//! paths are relative to is a [`Locator`] the command makes.

use std::collections::BTreeMap;
use std::io::{self, Write};
use std::path::{Component, Path, PathBuf};

use serde_json::{json, Map, Value};
use sha2::{Digest, Sha256};

use crate::matrix::Rule;
use crate::model::{Artifact, ErrorEntry, HazardCode, Severity};
use crate::report::check::CheckReport;
use crate::report::diff::{ChangeCode, ChangeKind, DiffReport};
use crate::report::variants::{BuildReport, VariantReport};
use crate::report::{Report, Tool};

/// The base of relative paths: `%SRCROOT%` in the document.
const SRCROOT: &str = "%SRCROOT%";

/// Where the paths of a report are: relative ones are relative to `cwd`; a path inside
/// `root` (the repository) is written relative to it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Locator {
    pub cwd: PathBuf,
    pub root: PathBuf,
}

impl Locator {
    /// The current directory, and the repository around it (the nearest directory with
    /// a `.git`), else the current directory itself.
    pub fn here() -> Locator {
        let cwd = std::env::current_dir().unwrap_or_else(|_| PathBuf::from("/"));
        let root = cwd
            .ancestors()
            .find(|d| d.join(".git").exists())
            .unwrap_or(&cwd)
            .to_path_buf();
        Locator { cwd, root }
    }

    /// `path` as an artifactLocation.
    fn artifact_location(&self, path: &str) -> Value {
        let abs = normalize(&self.cwd.join(path));
        match abs.strip_prefix(&self.root) {
            Ok(rel) if !rel.as_os_str().is_empty() => json!({
                "uri": encode_path(&rel.to_string_lossy()),
                "uriBaseId": SRCROOT,
            }),
            _ => json!({ "uri": file_uri(&abs.to_string_lossy()) }),
        }
    }

    fn root_uri(&self) -> String {
        let mut u = file_uri(&self.root.to_string_lossy());
        if !u.ends_with('/') {
            u.push('/');
        }
        u
    }
}

/// `a/./b/../c` as `a/c`, without touching the file system.
fn normalize(p: &Path) -> PathBuf {
    let mut out = PathBuf::new();
    for c in p.components() {
        match c {
            Component::CurDir => {}
            Component::ParentDir => {
                out.pop();
            }
            c => out.push(c),
        }
    }
    out
}

/// Percent-encoding of a path for a URI: everything but unreserved characters and `/`.
fn encode_path(p: &str) -> String {
    let mut s = String::with_capacity(p.len());
    for b in p.bytes() {
        if b.is_ascii_alphanumeric() || b"-._~/".contains(&b) {
            s.push(b as char);
        } else {
            s.push_str(&format!("%{b:02X}"));
        }
    }
    s
}

fn file_uri(abs: &str) -> String {
    let p = abs.replace('\\', "/");
    if p.starts_with('/') {
        format!("file://{}", encode_path(&p))
    } else {
        format!("file:///{}", encode_path(&p))
    }
}

/// A SARIF rule: what the results of one code share.
#[derive(Debug, Clone)]
struct RuleDef {
    id: String,
    about: String,
    help: String,
    level: &'static str,
}

/// One result before it is written.
#[derive(Debug, Clone)]
struct Finding {
    rule: RuleDef,
    level: &'static str,
    message: String,
    /// The binaries it is about (the first is where it shows).
    paths: Vec<String>,
    properties: Map<String, Value>,
}

fn level(s: Severity) -> &'static str {
    match s {
        Severity::Error => "error",
        Severity::Warning => "warning",
        Severity::Info => "note",
    }
}

/// The rule of a hazard code (a code of a later version: its name and this hint).
fn hazard_rule(code: &str, hint: &str, severity: Severity) -> RuleDef {
    let (about, help, level_) = match HazardCode::from_wire(code) {
        Some(c) => {
            let ex = crate::analysis::hazards::example(c);
            (c.about().to_owned(), ex.hint, level(ex.severity))
        }
        None => (code.to_owned(), hint.to_owned(), level(severity)),
    };
    RuleDef {
        id: format!("hazard/{code}"),
        about,
        help: format!("Fix: {help}."),
        level: level_,
    }
}

fn expect_rule(key: &str) -> RuleDef {
    let about = match Rule::ALL.iter().find(|r| r.key() == key) {
        Some(r) => format!("{} ([variant.expect] {key}, check {})", r.about(), r.flag()),
        None if key == "built" => {
            "A variant of a report that has no binaries to check (it was not built)".to_owned()
        }
        None => key.to_owned(),
    };
    RuleDef {
        id: format!("expect/{key}"),
        help: format!(
            "{about}. The result's message has the evidence; fix the binary or change the \
             expectation."
        ),
        about,
        level: "error",
    }
}

fn regression_rule(code: ChangeCode) -> RuleDef {
    let name = code.as_str();
    RuleDef {
        id: format!("regression/{name}"),
        about: code.about().to_owned(),
        help: format!(
            "{}, compared with the baseline report. Fix the change, or accept it by \
             committing the new report as the baseline.",
            code.about()
        ),
        level: "error",
    }
}

fn props(pairs: &[(&str, &str)]) -> Map<String, Value> {
    pairs
        .iter()
        .map(|(k, v)| ((*k).to_owned(), Value::from(*v)))
        .collect()
}

/// The hazards of `artifacts`, one finding each.
fn hazard_findings(artifacts: &[Artifact], variant: Option<&VariantReport>) -> Vec<Finding> {
    let mut out = Vec::new();
    for a in artifacts {
        for h in &a.hazards {
            let mut properties = props(&[("code", &h.code)]);
            if let Some(v) = variant {
                properties.extend(props(&[("variant", &v.id), ("target", &v.target)]));
            }
            if !h.evidence.is_empty() {
                properties.insert("evidence".into(), json!(h.evidence));
            }
            if !h.origin.is_empty() {
                properties.insert("origin".into(), json!(h.origin));
            }
            out.push(Finding {
                rule: hazard_rule(&h.code, &h.hint, h.severity),
                level: level(h.severity),
                message: format!("{}: {}. Fix: {}.", a.path, h.message, h.hint),
                paths: vec![a.path.clone()],
                properties,
            });
        }
    }
    out
}

/// The paths of a variant's binaries, or `fallback` when it has none.
fn variant_paths(v: &VariantReport, fallback: &str) -> Vec<String> {
    if v.artifacts.is_empty() {
        vec![fallback.to_owned()]
    } else {
        v.artifacts.iter().map(|a| a.path.clone()).collect()
    }
}

/// The file a build report's variant-level results point at when a variant has no
/// binaries: the matrix file (a built-in matrix has none: Cargo.toml then).
fn matrix_file(r: &BuildReport) -> String {
    if r.matrix.ends_with(".toml") {
        r.matrix.clone()
    } else {
        "Cargo.toml".to_owned()
    }
}

fn build_findings(r: &BuildReport) -> Vec<Finding> {
    let fallback = matrix_file(r);
    let mut out = Vec::new();
    for v in &r.variants {
        out.extend(hazard_findings(&v.artifacts, Some(v)));
        for x in &v.expect.violations {
            out.push(Finding {
                rule: expect_rule(&x.rule),
                level: "error",
                message: format!("{}: {}", v.id, x.message),
                paths: variant_paths(v, &fallback),
                properties: props(&[("rule", &x.rule), ("variant", &v.id), ("target", &v.target)]),
            });
        }
    }
    out
}

fn diff_findings(d: &DiffReport, new: &BuildReport) -> Vec<Finding> {
    let mut out = Vec::new();
    for v in &d.variants {
        let nv = new.variants.iter().find(|n| n.id == v.id);
        for c in v
            .changes
            .iter()
            .filter(|c| c.kind == ChangeKind::Regression)
        {
            // the binary by its file name in the new report, else the variant's
            // binaries, else the new report itself
            let by_name = c.artifact.as_ref().and_then(|name| {
                nv?.artifacts
                    .iter()
                    .find(|a| {
                        Path::new(&a.path).file_name().and_then(|f| f.to_str())
                            == Some(name.as_str())
                    })
                    .map(|a| vec![a.path.clone()])
            });
            let paths = by_name.unwrap_or_else(|| match nv {
                Some(n) if !n.artifacts.is_empty() => variant_paths(n, &d.new),
                _ => vec![d.new.clone()],
            });
            let code = c.code.as_str();
            let mut properties = props(&[("code", &code), ("variant", &v.id)]);
            for (k, val) in [("old", &c.old), ("new", &c.new)] {
                if let Some(val) = val {
                    properties.insert(k.into(), Value::from(val.as_str()));
                }
            }
            out.push(Finding {
                rule: regression_rule(c.code),
                level: "error",
                message: format!("{}: {}", v.id, c.message),
                paths,
                properties,
            });
        }
    }
    out
}

/// The document of `inspect --format sarif`: the hazards.
pub fn inspect(r: &Report, at: &Locator) -> Value {
    document(&r.tool, hazard_findings(&r.artifacts, None), &r.errors, at)
}

/// The document of `build` (and `merge`) `--format sarif`: the hazards and expectation
/// violations of every variant, and the regressions against the baseline `d`.
pub fn build(r: &BuildReport, d: Option<&DiffReport>, at: &Locator) -> Value {
    let mut f = build_findings(r);
    if let Some(d) = d {
        f.extend(diff_findings(d, r));
    }
    document(&r.tool, f, &r.errors, at)
}

/// The document of `check --format sarif`: the violations.
pub fn check(r: &CheckReport, at: &Locator) -> Value {
    let mut out = Vec::new();
    for input in &r.inputs {
        for t in &input.targets {
            let paths = if t.artifacts.is_empty() {
                vec![input.path.clone()]
            } else {
                t.artifacts.clone()
            };
            for x in &t.violations {
                out.push(Finding {
                    rule: expect_rule(&x.rule),
                    level: "error",
                    message: format!("{}: {}", t.name, x.message),
                    paths: paths.clone(),
                    properties: props(&[("rule", &x.rule), ("checked", &t.name)]),
                });
            }
        }
    }
    document(&r.tool, out, &r.errors, at)
}

/// The document of `diff --format sarif`: the regressions.
pub fn diff(d: &DiffReport, new: &BuildReport, at: &Locator) -> Value {
    document(&d.tool, diff_findings(d, new), &[], at)
}

/// Write a document as pretty JSON.
pub fn write(doc: &Value, w: &mut dyn Write) -> io::Result<()> {
    super::json::write(doc, w)
}

/// A stable identity of a result across runs (GitHub matches alerts by it): the rule,
/// the location and the variant, not the message (it carries versions).
fn fingerprint(f: &Finding, path: &str) -> String {
    let mut h = Sha256::new();
    h.update(f.rule.id.as_bytes());
    h.update([0]);
    h.update(path.as_bytes());
    h.update([0]);
    for k in ["variant", "checked", "code", "rule"] {
        if let Some(v) = f.properties.get(k).and_then(Value::as_str) {
            h.update(v.as_bytes());
        }
        h.update([0]);
    }
    let d = h.finalize();
    d.iter().take(16).map(|b| format!("{b:02x}")).collect()
}

/// `errors`: the inputs that could not be read, as the invocation's notifications.
fn document(tool: &Tool, findings: Vec<Finding>, errors: &[ErrorEntry], at: &Locator) -> Value {
    // one rule per id, sorted: results point at them by index
    let rules: BTreeMap<String, RuleDef> = findings
        .iter()
        .map(|f| (f.rule.id.clone(), f.rule.clone()))
        .collect();
    let index: BTreeMap<&str, usize> = rules
        .keys()
        .enumerate()
        .map(|(i, k)| (k.as_str(), i))
        .collect();
    let rules_json: Vec<Value> = rules
        .values()
        .map(|r| {
            json!({
                "id": r.id,
                "name": rule_name(&r.id),
                "shortDescription": { "text": r.about },
                "fullDescription": { "text": format!("{}.", r.about) },
                "help": { "text": r.help },
                "defaultConfiguration": { "level": r.level },
                "properties": { "tags": ["portability"], "precision": "very-high" },
            })
        })
        .collect();
    let results: Vec<Value> = findings
        .iter()
        .map(|f| {
            let first = f.paths.first().map(String::as_str).unwrap_or(".");
            let locations: Vec<Value> = f
                .paths
                .iter()
                .map(|p| json!({ "physicalLocation": { "artifactLocation": at.artifact_location(p) } }))
                .collect();
            json!({
                "ruleId": f.rule.id,
                "ruleIndex": index[f.rule.id.as_str()],
                "level": f.level,
                "message": { "text": f.message },
                "locations": locations,
                "partialFingerprints": { "primaryLocationLineHash": format!("{}:1", fingerprint(f, first)) },
                "properties": Value::Object(f.properties.clone()),
            })
        })
        .collect();
    let notifications: Vec<Value> = errors
        .iter()
        .map(|e| {
            json!({
                "level": "error",
                "message": { "text": format!("{}: {}", e.path, e.error) },
                "locations": [{ "physicalLocation": { "artifactLocation": at.artifact_location(&e.path) } }],
            })
        })
        .collect();
    json!({
        "$schema": "https://json.schemastore.org/sarif-2.1.0.json",
        "version": "2.1.0",
        "runs": [{
            "tool": { "driver": {
                "name": tool.name,
                "version": tool.version,
                "semanticVersion": tool.version,
                "informationUri": env!("CARGO_PKG_REPOSITORY"),
                "rules": rules_json,
            }},
            "invocations": [{
                "executionSuccessful": errors.is_empty(),
                "toolExecutionNotifications": notifications,
            }],
            "originalUriBaseIds": { SRCROOT: { "uri": at.root_uri() } },
            "results": results,
        }],
    })
}

/// `hazard/static-glibc-nss` as `HazardStaticGlibcNss`: a rule's name.
fn rule_name(id: &str) -> String {
    id.split(['/', '-'])
        .map(|w| {
            let mut c = w.chars();
            match c.next() {
                Some(f) => f.to_uppercase().chain(c).collect::<String>(),
                None => String::new(),
            }
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::report::testing::{artifact, build_report, variant};

    fn at() -> Locator {
        Locator {
            cwd: PathBuf::from("/repo/sub"),
            root: PathBuf::from("/repo"),
        }
    }

    #[test]
    fn every_code_and_rule_has_a_rule_with_a_description_and_help() {
        for c in HazardCode::ALL {
            assert_eq!(HazardCode::from_wire(c.as_str()), Some(*c));
            assert_eq!(crate::analysis::hazards::example(*c).code, c.as_str());
            let r = hazard_rule(c.as_str(), "", Severity::Info);
            assert!(!r.about.is_empty() && r.help.len() > "Fix: .".len(), "{c}");
        }
        for c in ChangeCode::ALL {
            let r = regression_rule(*c);
            assert_eq!(r.id, format!("regression/{}", crate::model::wire_name(c)));
            assert!(!c.about().is_empty());
        }
        for k in Rule::ALL {
            assert!(expect_rule(k.key()).about.starts_with(k.about()));
        }
        // a code of a later version: its name, the hint it came with
        let later = hazard_rule("new-thing", "do this", Severity::Warning);
        assert_eq!(
            (later.about.as_str(), later.level),
            ("new-thing", "warning")
        );
        assert_eq!(later.help, "Fix: do this.");
    }

    #[test]
    fn paths_inside_the_root_are_relative_to_it() {
        let l = at();
        assert_eq!(
            l.artifact_location("target/a b"),
            json!({"uri": "sub/target/a%20b", "uriBaseId": "%SRCROOT%"})
        );
        assert_eq!(
            l.artifact_location("../x/./y"),
            json!({"uri": "x/y", "uriBaseId": "%SRCROOT%"})
        );
        assert_eq!(
            l.artifact_location("/usr/bin/ls"),
            json!({"uri": "file:///usr/bin/ls"})
        );
        assert_eq!(l.root_uri(), "file:///repo/");
    }

    #[test]
    fn one_rule_per_code_and_a_result_per_hazard() {
        let mut a = artifact("/repo/t/app", 10, &[], &[]);
        a.hazards.push(crate::analysis::hazards::example(
            HazardCode::ExecutableStack,
        ));
        a.hazards.push(crate::analysis::hazards::example(
            HazardCode::ExecutableStack,
        ));
        let mut v = variant("gnu", vec![a]);
        v.expect
            .violations
            .push(crate::report::variants::Violation {
                rule: "max-glibc".into(),
                message: "needs glibc 2.34".into(),
            });
        let r = build_report(vec![v]);
        let doc = build(&r, None, &at());
        let run = &doc["runs"][0];
        let rules = run["tool"]["driver"]["rules"].as_array().unwrap();
        let ids: Vec<&str> = rules.iter().map(|r| r["id"].as_str().unwrap()).collect();
        assert_eq!(ids, ["expect/max-glibc", "hazard/executable-stack"]);
        let results = run["results"].as_array().unwrap();
        assert_eq!(results.len(), 3);
        assert_eq!(results[0]["ruleIndex"], 1);
        assert_eq!(results[0]["level"], "error");
        assert_eq!(
            results[0]["locations"][0]["physicalLocation"]["artifactLocation"]["uri"],
            "t/app"
        );
        assert_eq!(results[2]["ruleId"], "expect/max-glibc");
        assert_eq!(rule_name("hazard/no-nx"), "HazardNoNx");
    }
}
