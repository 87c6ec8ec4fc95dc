//! `--format cyclonedx`: the SBOM of a Go binary, of a cargo-auditable binary, of
//! `inspect /usr/bin` and of a one-variant build (and its `merge`), each validated by
//! cyclonedx-python-lib's strict CycloneDX 1.6 JSON validator (a reader we did not
//! write), its modules compared with `go version -m`, its crates with what the binary
//! embeds (the crates `cargo metadata` resolves), its libraries with `readelf -d`; two
//! renders of the same input differ only in serial number and timestamp.

use std::collections::BTreeSet;
use std::path::Path;
use std::process::Command;

use serde_json::Value;

use crate::common::{new_crate, portable, readelf_needed, run, tempdir, test_python, write};

/// cyclonedx-python-lib's strict validator on `doc`: panics with its error.
fn validate(doc: &str) {
    const SCRIPT: &str = "import sys\n\
        from cyclonedx.validation.json import JsonStrictValidator\n\
        from cyclonedx.schema import SchemaVersion\n\
        err = JsonStrictValidator(SchemaVersion.V1_6).validate_str(sys.stdin.read())\n\
        print('valid' if err is None else 'INVALID: %r' % (err,))\n";
    use std::io::Write;
    let mut child = Command::new(test_python())
        .args(["-c", SCRIPT])
        .stdin(std::process::Stdio::piped())
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::piped())
        .spawn()
        .expect("run the test python");
    child
        .stdin
        .take()
        .unwrap()
        .write_all(doc.as_bytes())
        .unwrap();
    let out = child.wait_with_output().unwrap();
    let text = String::from_utf8_lossy(&out.stdout);
    assert!(
        out.status.success() && text.trim() == "valid",
        "the CycloneDX validator says: {text}{}",
        String::from_utf8_lossy(&out.stderr)
    );
}

/// `cargo-portable ARGS` that must exit 0; its stdout.
fn sbom(args: &[&str], paths: &[&Path]) -> String {
    let out = run(portable().args(args).args(paths));
    String::from_utf8(out.stdout).unwrap()
}

fn inspect_sbom(paths: &[&Path]) -> (String, Value) {
    let text = sbom(&["inspect", "--format", "cyclonedx"], paths);
    let v: Value = serde_json::from_str(&text).unwrap();
    (text, v)
}

/// The document without what changes from run to run.
fn stable(mut v: Value) -> Value {
    let serial = v.as_object_mut().unwrap().remove("serialNumber");
    assert!(
        serial
            .as_ref()
            .and_then(Value::as_str)
            .is_some_and(|s| s.starts_with("urn:uuid:") && s.len() == 45),
        "{serial:?}"
    );
    let ts = v["metadata"].as_object_mut().unwrap().remove("timestamp");
    assert!(ts.is_some(), "no metadata.timestamp");
    v
}

fn components(v: &Value) -> &Vec<Value> {
    v["components"].as_array().unwrap()
}

/// The components whose bom-ref starts with `prefix`, as (name, version).
fn named(v: &Value, prefix: &str) -> BTreeSet<(String, String)> {
    components(v)
        .iter()
        .filter(|c| c["bom-ref"].as_str().unwrap().starts_with(prefix))
        .map(|c| {
            (
                c["name"].as_str().unwrap().to_owned(),
                c["version"].as_str().unwrap_or("").to_owned(),
            )
        })
        .collect()
}

/// What the binary component `bin_ref` depends on, by bom-ref.
fn depends_on<'a>(v: &'a Value, bin_ref: &str) -> Vec<&'a str> {
    let d = v["dependencies"]
        .as_array()
        .unwrap()
        .iter()
        .find(|d| d["ref"] == bin_ref)
        .unwrap_or_else(|| panic!("no dependencies of {bin_ref}"));
    d["dependsOn"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| r.as_str().unwrap())
        .collect()
}

fn name_of<'a>(v: &'a Value, bom_ref: &str) -> &'a str {
    components(v)
        .iter()
        .find(|c| c["bom-ref"] == bom_ref)
        .unwrap_or_else(|| panic!("no component {bom_ref}"))["name"]
        .as_str()
        .unwrap()
}

/// Every ref in `dependencies` is a component, and every component has an entry.
fn graph_is_closed(v: &Value) {
    let refs: BTreeSet<&str> = components(v)
        .iter()
        .map(|c| c["bom-ref"].as_str().unwrap())
        .collect();
    let mut entries = BTreeSet::new();
    for d in v["dependencies"].as_array().unwrap() {
        let r = d["ref"].as_str().unwrap();
        assert!(refs.contains(r), "{r} is not a component");
        entries.insert(r);
        for on in d["dependsOn"].as_array().unwrap() {
            assert!(
                refs.contains(on.as_str().unwrap()),
                "{on} is not a component"
            );
        }
    }
    assert_eq!(entries, refs);
}

#[test]
fn go_binary_sbom_lists_the_modules_go_version_m_lists() {
    let exe = crate::go::go_build("sbom-hello", "linux", "amd64", &[], &[]);
    let (text, v) = inspect_sbom(&[&exe]);
    validate(&text);
    graph_is_closed(&v);
    // the oracle: go version -m's `mod` and `dep` lines (a `=>` line is a replacement)
    let (_, lines) = crate::go::go_version_m(&exe);
    let want: BTreeSet<(String, String)> = lines
        .iter()
        .filter_map(|l| {
            let f: Vec<&str> = l.split('\t').collect();
            (f[0] == "mod" || f[0] == "dep").then(|| (f[1].to_owned(), f[2].to_owned()))
        })
        .collect();
    assert!(want.len() >= 2, "{lines:?}");
    assert_eq!(named(&v, "pkg:golang/"), want);
    for c in components(&v)
        .iter()
        .filter(|c| c["bom-ref"].as_str().unwrap().starts_with("pkg:golang/"))
    {
        let path = c["name"].as_str().unwrap();
        assert!(
            c["purl"]
                .as_str()
                .unwrap()
                .starts_with(&format!("pkg:golang/{path}@")),
            "{c}"
        );
    }
    // the replaced dependency says by what
    let replaced = lines
        .iter()
        .find(|l| l.starts_with("=>"))
        .expect("a replacement");
    let by = replaced.split('\t').nth(1).unwrap();
    assert!(text.contains(&format!("\"value\": \"{by}@")), "{text}");
    // the binary: an application with its SHA-256
    let bin = components(&v)
        .iter()
        .find(|c| c["bom-ref"].as_str().unwrap().starts_with("binary:"))
        .unwrap();
    assert_eq!(bin["type"], "application");
    assert_eq!(bin["hashes"][0]["alg"], "SHA-256");
    assert_eq!(bin["hashes"][0]["content"].as_str().unwrap().len(), 64);
    // twice: the same but for serial number and timestamp
    let (_, again) = inspect_sbom(&[&exe]);
    assert_ne!(v["serialNumber"], again["serialNumber"]);
    assert_eq!(stable(v), stable(again));
}

#[test]
fn auditable_binary_sbom_lists_the_crates_it_embeds() {
    let dir = tempdir();
    let root = crate::auditable::two_deps_crate(dir.path());
    let target = "x86_64-unknown-linux-gnu";
    let exe = crate::auditable::build(&root, true, "build", target, "aud");
    let (text, v) = inspect_sbom(&[&exe]);
    validate(&text);
    graph_is_closed(&v);
    // the oracle: what cargo metadata resolves is what the binary embeds
    let want: BTreeSet<(String, String)> = crate::auditable::metadata_crates(&root, target)
        .into_iter()
        .map(|(n, ver, _)| (n, ver))
        .collect();
    assert_eq!(want.len(), 3, "{want:?}");
    assert_eq!(named(&v, "pkg:cargo/"), want);
    for (n, ver) in &want {
        let purl = format!("pkg:cargo/{n}@{ver}");
        assert!(
            components(&v).iter().any(|c| c["purl"] == purl.as_str()),
            "{purl}"
        );
    }
    let bin = format!("binary:{}", exe.display());
    let on = depends_on(&v, &bin);
    assert_eq!(
        on.iter().filter(|r| r.starts_with("pkg:cargo/")).count(),
        3,
        "{on:?}"
    );
    // its libraries are readelf's NEEDED, provided by the platform
    let libs: BTreeSet<&str> = on
        .iter()
        .filter(|r| r.starts_with("library:"))
        .map(|r| name_of(&v, r))
        .collect();
    let needed = readelf_needed(&exe);
    assert_eq!(libs, needed.iter().map(String::as_str).collect());
    assert!(text.contains("\"value\": \"platform\""), "{text}");
    let (_, again) = inspect_sbom(&[&exe]);
    assert_eq!(stable(v), stable(again));
}

#[test]
fn usr_bin_sbom_validates_and_its_libraries_are_readelfs() {
    let usr_bin = Path::new("/usr/bin");
    let (text, v) = inspect_sbom(&[usr_bin]);
    validate(&text);
    graph_is_closed(&v);
    let bins: Vec<&Value> = components(&v)
        .iter()
        .filter(|c| c["bom-ref"].as_str().unwrap().starts_with("binary:"))
        .collect();
    assert!(bins.len() > 20, "{} binaries", bins.len());
    // a sample of the ELF files: every 10th binary
    let mut checked = 0;
    for c in bins.iter().step_by(10) {
        let r = c["bom-ref"].as_str().unwrap();
        let path = r.strip_prefix("binary:").unwrap();
        if r.contains('#') || !c.to_string().contains("\"elf\"") {
            continue;
        }
        let libs: BTreeSet<&str> = depends_on(&v, r)
            .into_iter()
            .filter(|d| d.starts_with("library:"))
            .map(|d| name_of(&v, d))
            .collect();
        let needed = readelf_needed(Path::new(path));
        assert_eq!(libs, needed.iter().map(String::as_str).collect(), "{path}");
        checked += 1;
    }
    assert!(checked >= 3, "{checked} files compared");
}

/// Path dependencies of every kind: what the build links (`linked`, and `featured`
/// through the default feature), what only its build script uses (`buildonly`), and
/// what it does not build for Linux (`winonly`), for tests (`devonly`) or without the
/// feature (`unused`).
fn graph_crate(dir: &Path) -> std::path::PathBuf {
    let krate = new_crate(
        dir,
        "sbomhello",
        "fn main() { println!(\"hi {}\", linked::x()); }\n",
        Some("fn main() {}\n"),
    );
    for dep in [
        "linked",
        "featured",
        "buildonly",
        "winonly",
        "devonly",
        "unused",
    ] {
        let d = dir.join(dep);
        std::fs::create_dir_all(d.join("src")).unwrap();
        std::fs::write(
            d.join("Cargo.toml"),
            format!("[package]\nname = \"{dep}\"\nversion = \"0.2.0\"\nedition = \"2021\"\n"),
        )
        .unwrap();
        std::fs::write(d.join("src/lib.rs"), "pub fn x() -> u8 { 1 }\n").unwrap();
    }
    let manifest = krate.join("Cargo.toml");
    let mut text = std::fs::read_to_string(&manifest).unwrap();
    text.push_str(
        "\n[features]\ndefault = [\"extra\"]\nextra = [\"dep:featured\"]\nnot-on = [\"dep:unused\"]\n\n\
         [dependencies]\nlinked = { path = \"../linked\" }\n\
         featured = { path = \"../featured\", optional = true }\n\
         unused = { path = \"../unused\", optional = true }\n\n\
         [build-dependencies]\nbuildonly = { path = \"../buildonly\" }\n\n\
         [dev-dependencies]\ndevonly = { path = \"../devonly\" }\n\n\
         [target.'cfg(windows)'.dependencies]\nwinonly = { path = \"../winonly\" }\n",
    );
    std::fs::write(&manifest, text).unwrap();
    krate
}

/// The oracle: (name, version) of every package `cargo metadata --filter-platform
/// TRIPLE` resolves for the root package, walking `resolve` from its root through
/// normal and build dependencies (not dev), only the dep_kinds cargo kept for the
/// platform; each with whether a normal path reaches it.
fn metadata_graph(manifest: &Path, triple: &str) -> BTreeSet<(String, String, bool)> {
    let out = run(Command::new("cargo")
        .args([
            "metadata",
            "--format-version",
            "1",
            "--filter-platform",
            triple,
        ])
        .arg("--manifest-path")
        .arg(manifest));
    let m: Value = serde_json::from_slice(&out.stdout).unwrap();
    let root = m["resolve"]["root"].as_str().unwrap().to_owned();
    let nodes: std::collections::BTreeMap<&str, &Value> = m["resolve"]["nodes"]
        .as_array()
        .unwrap()
        .iter()
        .map(|n| (n["id"].as_str().unwrap(), n))
        .collect();
    let walk = |kinds: &[Option<&str>]| {
        let mut seen = BTreeSet::new();
        let mut todo = vec![root.as_str()];
        while let Some(id) = todo.pop() {
            if !seen.insert(id) {
                continue;
            }
            for d in nodes[id]["deps"].as_array().unwrap() {
                let ok = d["dep_kinds"]
                    .as_array()
                    .unwrap()
                    .iter()
                    .any(|k| kinds.contains(&k["kind"].as_str()));
                if ok {
                    todo.push(d["pkg"].as_str().unwrap());
                }
            }
        }
        seen
    };
    let all = walk(&[None, Some("normal"), Some("build")]);
    let linked = walk(&[None, Some("normal")]);
    m["packages"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|p| all.contains(p["id"].as_str().unwrap()))
        .map(|p| {
            (
                p["name"].as_str().unwrap().to_owned(),
                p["version"].as_str().unwrap().to_owned(),
                linked.contains(p["id"].as_str().unwrap()),
            )
        })
        .collect()
}

#[test]
fn build_and_merge_sboms_validate() {
    let dir = tempdir();
    let krate = graph_crate(dir.path());
    let matrix = write(
        dir.path(),
        "one.toml",
        "[[variant]]\nid = \"gnu\"\ntarget = \"x86_64-unknown-linux-gnu\"\nlinker = \"internal\"\n",
    );
    let manifest = krate.join("Cargo.toml");
    let base = [
        "build",
        "-q",
        "--manifest-path",
        manifest.to_str().unwrap(),
        "--matrix",
        matrix.to_str().unwrap(),
    ];
    let text = sbom(&[&base[..], &["--format", "cyclonedx"]].concat(), &[]);
    validate(&text);
    let v: Value = serde_json::from_str(&text).unwrap();
    graph_is_closed(&v);
    let bin = components(&v)
        .iter()
        .find(|c| c["bom-ref"].as_str().unwrap().starts_with("binary:gnu/"))
        .unwrap_or_else(|| panic!("{text}"));
    let props = bin["properties"].to_string();
    assert!(
        props.contains(r#"{"name":"cargo-portable:target","value":"x86_64-unknown-linux-gnu"}"#),
        "{props}"
    );
    assert!(
        props.contains(r#"{"name":"cargo-portable:variant","value":"gnu"}"#),
        "{props}"
    );
    // where the crates come from is said in the metadata, and per binary: no
    // cargo-auditable data, so the variant's resolved graph
    assert!(v["metadata"]["properties"]
        .to_string()
        .contains("cargo-portable:crates-source"));
    assert!(
        props.contains(r#"{"name":"cargo-portable:crates-source","value":"cargo-metadata"}"#),
        "{props}"
    );
    // the crates: what cargo metadata resolves for the target (an oracle of our own
    // walk of its output), the build-only ones out of the binary's scope
    let want = metadata_graph(&manifest, "x86_64-unknown-linux-gnu");
    let names: BTreeSet<&str> = want.iter().map(|(n, _, _)| n.as_str()).collect();
    assert_eq!(
        names,
        BTreeSet::from(["buildonly", "featured", "linked", "sbomhello"]),
        "the oracle: {want:?}"
    );
    let pairs: BTreeSet<(String, String)> = want
        .iter()
        .map(|(n, ver, _)| (n.clone(), ver.clone()))
        .collect();
    assert_eq!(named(&v, "pkg:cargo/"), pairs);
    let bin_ref = bin["bom-ref"].as_str().unwrap();
    let on = depends_on(&v, bin_ref);
    for (n, ver, linked) in &want {
        let purl = format!("pkg:cargo/{n}@{ver}");
        let c = components(&v)
            .iter()
            .find(|c| c["purl"] == purl.as_str())
            .unwrap_or_else(|| panic!("{purl}"));
        let scope = if *linked { "required" } else { "excluded" };
        assert_eq!(c["scope"], scope, "{purl}");
        assert_eq!(on.contains(&purl.as_str()), *linked, "{purl}: {on:?}");
    }
    // merge of the saved report: the same SBOM
    let report = dir.path().join("r.json");
    run(portable()
        .args([&base[..], &["--format", "json", "-o"]].concat())
        .arg(&report));
    let m = merged_sbom_and_sarif_of(&report);
    assert_eq!(m["components"], v["components"]);
    assert_eq!(m["dependencies"], v["dependencies"]);
}

/// `merge REPORT --format cyclonedx` and `--format sarif` of a saved build report: the
/// SBOM validates, its ELF binaries' libraries are readelf's NEEDED; the SARIF passes
/// the schema and sarif-tools with a result per hazard and violation of the report.
/// Returns the SBOM. (Also run on the default matrix's report, tests/cli/build.rs.)
pub(crate) fn merged_sbom_and_sarif_of(report: &Path) -> Value {
    let text = sbom(&["merge", "--format", "cyclonedx"], &[report]);
    validate(&text);
    let v: Value = serde_json::from_str(&text).unwrap();
    graph_is_closed(&v);
    let r: Value = serde_json::from_slice(&std::fs::read(report).unwrap()).unwrap();
    let mut elf = 0;
    let mut findings = 0;
    for var in r["variants"].as_array().unwrap() {
        findings += var["expect"]["violations"].as_array().unwrap().len();
        for a in var["artifacts"].as_array().unwrap() {
            findings += a["hazards"].as_array().unwrap().len();
            let path = a["path"].as_str().unwrap();
            let bin_ref = format!("binary:{}/{path}", var["id"].as_str().unwrap());
            let libs: BTreeSet<&str> = depends_on(&v, &bin_ref)
                .into_iter()
                .filter(|d| d.starts_with("library:"))
                .map(|d| name_of(&v, d))
                .collect();
            let report_libs: BTreeSet<&str> = a["libraries"]
                .as_array()
                .unwrap()
                .iter()
                .map(|l| l["name"].as_str().unwrap())
                .collect();
            assert_eq!(libs, report_libs, "{bin_ref}");
            if a["format"] == "elf" && Path::new(path).is_file() {
                let needed = readelf_needed(Path::new(path));
                assert_eq!(libs, needed.iter().map(String::as_str).collect(), "{path}");
                elf += 1;
            }
        }
    }
    assert!(elf > 0, "no ELF binary of {} compared", report.display());
    let dir = tempdir();
    let sarif = dir.path().join("merged.sarif");
    let out = portable()
        .args(["merge", "--format", "sarif", "-o"])
        .arg(&sarif)
        .arg(report)
        .output()
        .unwrap();
    assert!(matches!(out.status.code(), Some(0 | 1)), "{out:?}");
    let s = crate::sarif::accepted(&sarif);
    assert_eq!(s["runs"][0]["results"].as_array().unwrap().len(), findings);
    v
}

#[test]
fn merge_of_reports_of_two_schema_versions_is_an_input_error() {
    let dir = tempdir();
    let doc = |v: u32| {
        format!(
            r#"{{"schema_version": {v}, "tool": {{"name": "cargo-portable", "version": "0"}},
            "host": {{"triple": "x86_64-unknown-linux-gnu", "rustc": null}}, "matrix": "m.toml",
            "variants": [], "errors": [],
            "summary": {{"variants": 0, "built": 0, "failed": 0, "skipped": 0, "static": 0, "violations": 0}}}}"#
        )
    };
    let a = write(dir.path(), "a.json", &doc(1));
    let b = write(dir.path(), "b.json", &doc(2));
    let out = |format: &str| {
        portable()
            .args(["merge", "--format", format])
            .arg(&a)
            .arg(&b)
            .output()
            .unwrap()
    };
    let (json, sbom) = (out("json"), out("cyclonedx"));
    assert_eq!(json.status.code(), Some(2));
    assert_eq!(sbom.status.code(), Some(2));
    assert!(sbom.stdout.is_empty());
    assert_eq!(sbom.stderr, json.stderr);
}
