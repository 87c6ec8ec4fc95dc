//! `merge`, `diff`, `check` and `build --baseline` on reports of real builds: the
//! fan-out of CI matrix jobs without a runner, every regression class on pairs built
//! from one small crate, and `check --runs-on` against the zig 2.17 pin. JUnit output is
//! read with a real XML parser (Python's xml.etree), Markdown rendered with GitHub's
//! own cmark-gfm (Python `cmarkgfm`).

use std::path::{Path, PathBuf};
use std::process::{Command, Output};
use std::sync::OnceLock;

use serde_json::Value;

use crate::common::{new_crate, portable, stdout, tempdir};

fn json(path: &Path) -> Value {
    let text = std::fs::read_to_string(path).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
    serde_json::from_str(&text).unwrap_or_else(|e| panic!("{}: {e}", path.display()))
}

fn text(o: &Output) -> String {
    format!(
        "{}\n{}",
        String::from_utf8_lossy(&o.stdout),
        String::from_utf8_lossy(&o.stderr)
    )
}

/// `build --format json -o OUT` of `root` with `matrix` and `extra` arguments.
fn build_to(root: &Path, matrix: &Path, out: &Path, extra: &[&str]) -> Output {
    portable()
        .args(["build", "-q", "--format", "json", "--manifest-path"])
        .arg(root.join("Cargo.toml"))
        .arg("--matrix")
        .arg(matrix)
        .arg("-o")
        .arg(out)
        .args(extra)
        .output()
        .unwrap()
}

/// Run Python on `script` with `input` on stdin; its stdout as JSON.
fn python(script: &str, input: &str) -> Value {
    use std::io::Write;
    let mut child = Command::new(crate::common::test_python())
        .arg("-c")
        .arg(script)
        .stdin(std::process::Stdio::piped())
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::piped())
        .spawn()
        .unwrap();
    child
        .stdin
        .take()
        .unwrap()
        .write_all(input.as_bytes())
        .unwrap();
    let out = child.wait_with_output().unwrap();
    assert!(
        out.status.success(),
        "python failed: {}\n{input}",
        text(&out)
    );
    serde_json::from_slice(&out.stdout).unwrap()
}

/// A JUnit document read by xml.etree: `{suites: [{name, tests, failures, cases:
/// [{classname, name, failure}]}]}`, with the counts the root claims.
fn junit(xml: &str) -> Value {
    python(
        r#"
import json, sys, xml.etree.ElementTree as ET
root = ET.fromstring(sys.stdin.read())
assert root.tag == "testsuites", root.tag
suites = []
for s in root.findall("testsuite"):
    cases = []
    for c in s.findall("testcase"):
        f = c.find("failure")
        cases.append({"classname": c.get("classname"), "name": c.get("name"),
                      "failure": None if f is None else (f.get("message") + "\n" + (f.text or ""))})
    assert int(s.get("tests")) == len(cases)
    assert int(s.get("failures")) == sum(1 for c in cases if c["failure"] is not None)
    suites.append({"name": s.get("name"), "cases": cases})
assert int(root.get("tests")) == sum(len(s["cases"]) for s in suites)
print(json.dumps({"suites": suites}))
"#,
        xml,
    )
}

/// The tables of a Markdown document as GitHub renders it (cmark-gfm): a list of
/// tables, each a list of rows of cell texts (header first).
fn gfm_tables(md: &str) -> Value {
    python(
        r#"
import json, sys, cmarkgfm, xml.etree.ElementTree as ET
html = cmarkgfm.github_flavored_markdown_to_html(sys.stdin.read())
root = ET.fromstring("<root>" + html + "</root>")
tables = []
for t in root.iter("table"):
    rows = [["".join(c.itertext()) for c in tr if c.tag in ("th", "td")] for tr in t.iter("tr")]
    tables.append(rows)
print(json.dumps(tables))
"#,
        md,
    )
}

/// Everything but timings, paths and hosts: what a merge must keep equal to one build.
fn comparable(mut v: Value) -> Value {
    fn strip(v: &mut Value) {
        match v {
            Value::Object(m) => {
                for k in ["build_seconds", "host", "path"] {
                    m.remove(k);
                }
                m.values_mut().for_each(strip);
            }
            Value::Array(a) => a.iter_mut().for_each(strip),
            _ => {}
        }
    }
    strip(&mut v);
    v
}

fn schema_errors(doc: &Value) -> Vec<String> {
    let schema = crate::schema::schema();
    let v = jsonschema::draft202012::new(&schema).expect("the schema compiles");
    v.iter_errors(doc)
        .map(|e| format!("{} at {}", e, e.instance_path()))
        .collect()
}

const HELLO: &str = "fn main() { println!(\"hello {}\", std::env::args().count()); }\n";

const THREE: &str = "[[variant]]
id = \"gnu\"
target = \"x86_64-unknown-linux-gnu\"
linker = \"internal\"

[[variant]]
id = \"gnu-static\"
target = \"x86_64-unknown-linux-gnu\"
linker = \"internal\"
crt-static = true

[[variant]]
id = \"gnu-ext\"
target = \"x86_64-unknown-linux-gnu\"
linker = \"external\"
";

#[test]
fn merge_of_three_single_variant_builds_equals_one_build() {
    let dir = tempdir();
    let root = new_crate(dir.path(), "fanout", HELLO, None);
    let m = root.join("portable.toml");
    std::fs::write(&m, THREE).unwrap();
    let reports = dir.path().join("reports");
    std::fs::create_dir(&reports).unwrap();
    // one CI job per variant, each writing its own report
    for id in ["gnu", "gnu-static", "gnu-ext"] {
        let out = build_to(
            &root,
            &m,
            &reports.join(format!("report-{id}.json")),
            &["--variant", id],
        );
        assert_eq!(out.status.code(), Some(0), "{id}: {}", text(&out));
        let r = json(&reports.join(format!("report-{id}.json")));
        assert_eq!(r["variants"].as_array().unwrap().len(), 1);
        assert_eq!(
            r["variants"][0]["host"]["triple"],
            "x86_64-unknown-linux-gnu"
        );
    }
    // the report job: the files in glob order, not matrix order
    let merged = dir.path().join("merged.json");
    let mut files: Vec<PathBuf> = std::fs::read_dir(&reports)
        .unwrap()
        .map(|e| e.unwrap().path())
        .collect();
    files.sort();
    let out = portable()
        .arg("merge")
        .args(&files)
        .arg("-o")
        .arg(&merged)
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(0), "{}", text(&out));
    // one build of the same three variants
    let all = dir.path().join("all.json");
    let out = build_to(&root, &m, &all, &[]);
    assert_eq!(out.status.code(), Some(0), "{}", text(&out));
    let (merged_v, all_v) = (json(&merged), json(&all));
    let ids: Vec<&str> = merged_v["variants"]
        .as_array()
        .unwrap()
        .iter()
        .map(|v| v["id"].as_str().unwrap())
        .collect();
    assert_eq!(ids, ["gnu", "gnu-static", "gnu-ext"]);
    assert_eq!(comparable(merged_v.clone()), comparable(all_v.clone()));
    for (what, doc) in [("merged", &merged_v), ("one build", &all_v)] {
        let errs = schema_errors(doc);
        assert!(errs.is_empty(), "{what} violates the schema: {errs:#?}");
    }
    for v in merged_v["variants"].as_array().unwrap() {
        assert_eq!(
            v["host"]["triple"], "x86_64-unknown-linux-gnu",
            "{}",
            v["id"]
        );
    }

    // JUnit: one suite, a case per variant, none failing
    let out = portable()
        .arg("merge")
        .args(&files)
        .args(["--format", "junit"])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(0), "{}", text(&out));
    let x = junit(&String::from_utf8_lossy(&out.stdout));
    let cases = x["suites"][0]["cases"].as_array().unwrap();
    let names: Vec<&str> = cases.iter().map(|c| c["name"].as_str().unwrap()).collect();
    assert_eq!(names, ["gnu", "gnu-static", "gnu-ext"]);
    assert!(cases.iter().all(|c| c["failure"].is_null()), "{x:#}");

    // what cannot be merged is an input error naming the files
    let gnu = reports.join("report-gnu.json");
    let again = dir.path().join("again-gnu.json");
    std::fs::copy(&gnu, &again).unwrap();
    let mut v2 = json(&gnu);
    v2["schema_version"] = 2.into();
    let later = dir.path().join("later.json");
    std::fs::write(&later, v2.to_string()).unwrap();
    let mut other = json(&reports.join("report-gnu-ext.json"));
    other["matrix_sha256"] = "0".repeat(64).into();
    let other_m = dir.path().join("other-matrix.json");
    std::fs::write(&other_m, other.to_string()).unwrap();
    let not_json = dir.path().join("notes.txt");
    std::fs::write(&not_json, "not a report").unwrap();
    for (inputs, says) in [
        (vec![&gnu, &again], "variant `gnu` is in both"),
        (vec![&gnu, &later], "has schema_version 1 but"),
        (vec![&gnu, &other_m], "come from different matrices"),
        (vec![&gnu, &not_json], "not a JSON report"),
    ] {
        let out = portable()
            .arg("merge")
            .args(&inputs)
            .arg("-o")
            .arg(dir.path().join("x.json"))
            .output()
            .unwrap();
        let t = text(&out);
        assert_eq!(out.status.code(), Some(2), "{t}");
        assert!(t.contains(says), "{says}: {t}");
        for i in &inputs[1..] {
            assert!(
                t.contains(&i.display().to_string()),
                "names {}: {t}",
                i.display()
            );
        }
        assert!(!dir.path().join("x.json").exists());
    }
}

/// One crate, two matrices with the same variant ids: OLD, and NEW where each variant
/// changes in a way a user would regret. Built once per test run, shared by the tests.
const CRATE: &str = r#"#[cfg(use_z)]
#[link(name = "z")]
extern "C" {
    fn zlibVersion() -> *const std::os::raw::c_char;
}
#[cfg(use_arc4random)]
extern "C" {
    fn arc4random() -> u32;
}
#[cfg(big)]
static BIG: [u8; 400_000] = [7; 400_000];

fn main() {
    #[allow(unused_mut)]
    let mut n = std::env::args().count() as u64;
    #[cfg(use_z)]
    {
        n += unsafe { *zlibVersion() } as u64;
    }
    #[cfg(use_arc4random)]
    {
        n += (unsafe { arc4random() } % 2) as u64;
    }
    #[cfg(big)]
    {
        n += BIG[std::hint::black_box(n as usize) % BIG.len()] as u64;
    }
    println!("hello {n}");
}
"#;

const OLD: &str = "[[variant]]
id = \"gnu\"
target = \"x86_64-unknown-linux-gnu\"
linker = \"internal\"

[[variant]]
id = \"static\"
target = \"x86_64-unknown-linux-gnu\"
linker = \"internal\"
crt-static = true

[[variant]]
id = \"zig\"
target = \"x86_64-unknown-linux-gnu\"
linker = \"zig\"
glibc = \"2.17\"

[[variant]]
id = \"gone\"
target = \"x86_64-unknown-linux-gnu\"
linker = \"internal\"
";

/// gnu: links libz, calls arc4random (glibc 2.36), a 400 kB table, an executable
/// stack; static: crt-static off; zig: arc4random against the 2.17 pin (cannot link);
/// gone: no longer in the matrix.
const NEW: &str = "[[variant]]
id = \"gnu\"
target = \"x86_64-unknown-linux-gnu\"
linker = \"internal\"
rustflags = [\"--cfg\", \"use_z\", \"--cfg\", \"use_arc4random\", \"--cfg\", \"big\", \"-C\", \"link-arg=-Wl,-z,execstack\"]

[[variant]]
id = \"static\"
target = \"x86_64-unknown-linux-gnu\"
linker = \"internal\"

[[variant]]
id = \"zig\"
target = \"x86_64-unknown-linux-gnu\"
linker = \"zig\"
glibc = \"2.17\"
rustflags = [\"--cfg\", \"use_arc4random\"]
";

struct Pair {
    dir: PathBuf,
    /// OLD, built twice (r1, r2), then NEW with `--baseline r1` (r3).
    r1: PathBuf,
    r2: PathBuf,
    r3: PathBuf,
    /// The output of the NEW build (`--baseline r1.json`).
    baseline_run: Output,
    /// Copies of OLD's gnu and zig binaries.
    gnu_bin: PathBuf,
    zig_bin: PathBuf,
}

fn pair() -> &'static Pair {
    static PAIR: OnceLock<Pair> = OnceLock::new();
    PAIR.get_or_init(|| {
        // under target/tmp: kept between runs, so a second run builds little
        let dir = Path::new(env!("CARGO_TARGET_TMPDIR")).join("report-pair");
        let _ = std::fs::remove_dir_all(dir.join("out"));
        std::fs::create_dir_all(dir.join("out")).unwrap();
        let root = new_crate(&dir, "pair", CRATE, None);
        let (old_m, new_m) = (dir.join("old.toml"), dir.join("new.toml"));
        std::fs::write(&old_m, OLD).unwrap();
        std::fs::write(&new_m, NEW).unwrap();
        let out = |n: &str| dir.join("out").join(n);
        for r in ["r1.json", "r2.json"] {
            let o = build_to(&root, &old_m, &out(r), &["-j", "2"]);
            assert_eq!(o.status.code(), Some(0), "OLD: {}", text(&o));
        }
        let r1 = json(&out("r1.json"));
        let bin = |id: &str| {
            let v = crate::common::variant(&r1, id);
            PathBuf::from(v["artifacts"][0]["path"].as_str().unwrap())
        };
        let (gnu_bin, zig_bin) = (out("pair-gnu"), out("pair-zig-2.17"));
        std::fs::copy(bin("gnu"), &gnu_bin).unwrap();
        std::fs::copy(bin("zig"), &zig_bin).unwrap();
        let baseline_run = build_to(
            &root,
            &new_m,
            &out("r3.json"),
            &["-j", "2", "--baseline", out("r1.json").to_str().unwrap()],
        );
        Pair {
            r1: out("r1.json"),
            r2: out("r2.json"),
            r3: out("r3.json"),
            baseline_run,
            gnu_bin,
            zig_bin,
            dir,
        }
    })
}

fn diff(p: &Pair, old: &Path, new: &Path, extra: &[&str]) -> Output {
    portable()
        .current_dir(&p.dir)
        .arg("diff")
        .arg(old)
        .arg(new)
        .args(extra)
        .output()
        .unwrap()
}

/// (variant, code, kind) of every change in a JSON diff.
fn changes(d: &Value) -> Vec<(String, String, String)> {
    d["variants"]
        .as_array()
        .unwrap()
        .iter()
        .flat_map(|v| {
            v["changes"].as_array().unwrap().iter().map(move |c| {
                (
                    v["id"].as_str().unwrap().to_owned(),
                    c["code"].as_str().unwrap().to_owned(),
                    c["kind"].as_str().unwrap().to_owned(),
                )
            })
        })
        .collect()
}

#[test]
fn diff_finds_every_regression_of_a_real_pair() {
    let p = pair();
    // the NEW build itself, with --baseline: built, then compared, exit 1
    let t = text(&p.baseline_run);
    assert_eq!(p.baseline_run.status.code(), Some(1), "{t}");
    for says in [
        "regression",
        "libz.so.1",
        "glibc 2.36",
        "arc4random",
        "static-pie",
        "missing",
    ] {
        assert!(t.contains(says), "build --baseline says {says}: {t}");
    }
    let r3 = json(&p.r3);
    let zig = r3["variants"]
        .as_array()
        .unwrap()
        .iter()
        .find(|v| v["id"] == "zig")
        .unwrap();
    assert_eq!(
        zig["status"], "failed",
        "arc4random cannot link against glibc 2.17"
    );

    let out = diff(p, &p.r1, &p.r3, &["--format", "json"]);
    assert_eq!(out.status.code(), Some(1), "{}", text(&out));
    let d: Value = serde_json::from_slice(&out.stdout).unwrap();
    let errs = schema_errors(&d);
    assert!(errs.is_empty(), "the diff violates the schema: {errs:#?}");
    let all = changes(&d);
    let has = |id: &str, code: &str, kind: &str| {
        assert!(
            all.iter()
                .any(|(i, c, k)| i == id && c == code && k == kind),
            "{kind} {code} of {id} in {all:#?}"
        )
    };
    has("gnu", "new-library", "regression");
    has("gnu", "glibc-raised", "regression");
    has("gnu", "new-hazard", "regression");
    has("gnu", "size-growth", "regression");
    has("gnu", "new-imports", "note");
    has("static", "static-to-dynamic", "regression");
    has("zig", "variant-failed", "regression");
    has("gone", "variant-missing", "regression");
    // the evidence: what readelf and objdump say of the same binaries
    let gnu = d["variants"]
        .as_array()
        .unwrap()
        .iter()
        .find(|v| v["id"] == "gnu")
        .unwrap();
    let find = |code: &str| {
        gnu["changes"]
            .as_array()
            .unwrap()
            .iter()
            .find(|c| c["code"] == code)
            .unwrap()
            .clone()
    };
    assert_eq!(find("new-library")["new"], "libz.so.1");
    let new_gnu = r3["variants"][0]["artifacts"][0]["path"]
        .as_str()
        .unwrap()
        .to_owned();
    let dynsym = stdout(Command::new("objdump").arg("-T").arg(&new_gnu));
    assert!(
        dynsym
            .lines()
            .any(|l| l.contains("GLIBC_2.36") && l.ends_with(" arc4random")),
        "{dynsym}"
    );
    let g = find("glibc-raised");
    assert_eq!(g["new"], "2.36", "{g}");
    assert!(
        g["message"]
            .as_str()
            .unwrap()
            .contains("forced by arc4random"),
        "{g}"
    );
    let h = find("new-hazard");
    assert_eq!(h["new"], "executable-stack", "{h}");
    let phdrs = stdout(Command::new("readelf").arg("-lW").arg(&new_gnu));
    assert!(
        phdrs
            .lines()
            .any(|l| l.contains("GNU_STACK") && l.contains("RWE")),
        "{phdrs}"
    );
    let imports = find("new-imports")["new"].as_str().unwrap().to_owned();
    assert!(
        imports.contains("arc4random@GLIBC_2.36") && imports.contains("zlibVersion"),
        "{imports}"
    );
    let s = find("size-growth");
    let (old_size, new_size): (f64, f64) = (
        s["old"].as_str().unwrap().parse().unwrap(),
        s["new"].as_str().unwrap().parse().unwrap(),
    );
    assert_eq!(new_size as u64, std::fs::metadata(&new_gnu).unwrap().len());
    let growth = (new_size - old_size) * 100.0 / old_size;
    assert!(growth > 10.0, "{growth}");

    // a threshold above the growth: that regression goes, the others stay
    let pct = format!("{}", growth.ceil() + 1.0);
    let out = diff(
        p,
        &p.r1,
        &p.r3,
        &["--format", "json", "--max-size-growth", &pct],
    );
    assert_eq!(out.status.code(), Some(1));
    let loose = changes(&serde_json::from_slice(&out.stdout).unwrap());
    assert!(
        !loose
            .iter()
            .any(|(_, c, k)| c == "size-growth" && k == "regression"),
        "{loose:?}"
    );
    assert!(loose.iter().any(|(_, c, _)| c == "glibc-raised"));

    // the reverse direction: improvements
    let out = diff(p, &p.r3, &p.r1, &["--format", "json"]);
    let back = changes(&serde_json::from_slice(&out.stdout).unwrap());
    for (id, code) in [
        ("gnu", "library-removed"),
        ("gnu", "glibc-lowered"),
        ("gnu", "hazard-gone"),
        ("static", "dynamic-to-static"),
        ("zig", "variant-built"),
    ] {
        assert!(
            back.iter()
                .any(|(i, c, k)| i == id && c == code && k == "improvement"),
            "{code}: {back:#?}"
        );
    }
    // back to static-pie is not free: glibc linked in brings its dlopen (a hazard)
    // and the size
    let regressions: Vec<(&str, &str)> = back
        .iter()
        .filter(|c| c.2 == "regression")
        .map(|c| (c.0.as_str(), c.1.as_str()))
        .collect();
    assert_eq!(
        regressions,
        [("static", "new-hazard"), ("static", "size-growth")]
    );
    assert_eq!(out.status.code(), Some(1));
}

#[test]
fn diff_of_an_unchanged_pair_exits_0() {
    let p = pair();
    let out = diff(p, &p.r1, &p.r2, &[]);
    let t = text(&out);
    assert_eq!(out.status.code(), Some(0), "{t}");
    assert!(
        t.contains("0 regressions, 0 improvements, 0 notes over 4 variants"),
        "{t}"
    );
    let out = diff(p, &p.r1, &p.r2, &["--format", "markdown"]);
    assert_eq!(out.status.code(), Some(0));
    assert!(String::from_utf8_lossy(&out.stdout).contains("No changes in 4 variants."));
}

#[test]
fn diff_markdown_is_a_table_github_renders_and_junit_parses() {
    let p = pair();
    let out = diff(p, &p.r1, &p.r3, &["--format", "markdown"]);
    assert_eq!(out.status.code(), Some(1));
    let md = String::from_utf8_lossy(&out.stdout).into_owned();
    let tables = gfm_tables(&md);
    assert_eq!(tables.as_array().unwrap().len(), 1, "{md}");
    let rows = tables[0].as_array().unwrap();
    assert_eq!(
        rows[0],
        serde_json::json!(["", "variant", "binary", "change", "old", "new", "details"]),
        "{md}"
    );
    let body = &rows[1..];
    assert_eq!(
        body.len(),
        md.lines().filter(|l| l.starts_with("| ")).count() - 1
    );
    assert!(
        body.iter().all(|r| r.as_array().unwrap().len() == 7),
        "{md}"
    );
    let row = |code: &str| {
        body.iter()
            .find(|r| r[3] == code)
            .unwrap_or_else(|| panic!("no {code} row in {md}"))
    };
    assert_eq!(row("glibc-raised")[4], "2.34", "{md}");
    assert_eq!(row("glibc-raised")[5], "2.36", "{md}");
    assert!(row("static-to-dynamic")[0]
        .as_str()
        .unwrap()
        .contains("regression"));

    let out = diff(p, &p.r1, &p.r3, &["--format", "junit"]);
    assert_eq!(out.status.code(), Some(1));
    let x = junit(&String::from_utf8_lossy(&out.stdout));
    let cases = x["suites"][0]["cases"].as_array().unwrap();
    let failed: Vec<&str> = cases
        .iter()
        .filter(|c| !c["failure"].is_null())
        .map(|c| c["name"].as_str().unwrap())
        .collect();
    assert_eq!(failed, ["gnu", "static", "zig", "gone"], "{x:#}");
    let gnu = cases[0]["failure"].as_str().unwrap();
    assert!(
        gnu.contains("libz.so.1") && gnu.contains("arc4random"),
        "{gnu}"
    );
}

#[test]
fn check_runs_on_rhel_7_passes_the_zig_pin_and_names_what_forces_the_host_glibc() {
    let p = pair();
    let check = |args: &[&str], files: &[&Path]| {
        portable()
            .arg("check")
            .args(args)
            .args(files)
            .output()
            .unwrap()
    };
    let out = check(&["--runs-on", "rhel-7"], &[&p.zig_bin]);
    assert_eq!(out.status.code(), Some(0), "{}", text(&out));
    // the host build: glibc 2.34 on this machine's Rust, forced by the symbols objdump
    // shows at the highest version
    let out = check(&["--runs-on", "rhel-7"], &[&p.gnu_bin]);
    let t = text(&out);
    assert_eq!(out.status.code(), Some(1), "{t}");
    let dynsym = stdout(Command::new("objdump").arg("-T").arg(&p.gnu_bin));
    let mut top: Vec<(Vec<u32>, String)> = dynsym
        .lines()
        // weak imports do not raise the floor
        .filter(|l| l.split_whitespace().nth(1) != Some("w"))
        .filter_map(|l| {
            let v = l
                .split_whitespace()
                .find_map(|w| w.trim_start_matches('(').strip_prefix("GLIBC_"))?;
            let v: Vec<u32> = v
                .trim_end_matches(')')
                .split('.')
                .map(|n| n.parse().ok())
                .collect::<Option<_>>()?;
            Some((v, l.split_whitespace().last()?.to_owned()))
        })
        .collect();
    top.sort();
    let max = top.last().unwrap().0.clone();
    let forcing: Vec<&String> = top
        .iter()
        .filter(|(v, _)| *v == max)
        .map(|(_, s)| s)
        .collect();
    assert!(max > vec![2, 17]);
    assert!(t.contains("RHEL/CentOS 7 (glibc 2.17 <"), "{t}");
    for s in forcing {
        assert!(t.contains(s.as_str()), "names {s}: {t}");
    }

    // the report: a test case per variant and rule in JUnit, one failing; a bad input
    // is exit 2, named, and the others are still checked
    let bad = p.dir.join("out/not-a-binary.txt");
    std::fs::write(&bad, "hello").unwrap();
    let out = check(
        &[
            "--runs-on",
            "rhel-7",
            "--require",
            "nx",
            "--format",
            "junit",
        ],
        &[&p.r1, &bad],
    );
    assert_eq!(out.status.code(), Some(2), "{}", text(&out));
    assert!(String::from_utf8_lossy(&out.stderr).contains("not-a-binary.txt"));
    let x = junit(&String::from_utf8_lossy(&out.stdout));
    let suites = x["suites"].as_array().unwrap();
    assert_eq!(suites.len(), 2, "{x:#}");
    let cases: Vec<(String, String, bool)> = suites[0]["cases"]
        .as_array()
        .unwrap()
        .iter()
        .map(|c| {
            (
                c["classname"].as_str().unwrap().to_owned(),
                c["name"].as_str().unwrap().to_owned(),
                !c["failure"].is_null(),
            )
        })
        .collect();
    let failing: Vec<(&str, &str)> = cases
        .iter()
        .filter(|c| c.2)
        .map(|c| (c.0.as_str(), c.1.as_str()))
        .collect();
    assert_eq!(cases.len(), 8, "{cases:?}");
    assert_eq!(
        failing,
        [("gnu", "runs-on"), ("gone", "runs-on")],
        "{cases:?}"
    );
    assert_eq!(suites[1]["cases"][0]["name"], "input");

    // Markdown: one table GitHub renders, a row per passing target and per violation
    let out = check(&["--runs-on", "rhel-7", "--format", "markdown"], &[&p.r1]);
    assert_eq!(out.status.code(), Some(1));
    let md = String::from_utf8_lossy(&out.stdout).into_owned();
    let tables = gfm_tables(&md);
    let rows = tables[0].as_array().unwrap();
    assert_eq!(
        rows[0],
        serde_json::json!(["", "input", "checked", "rule", "evidence"]),
        "{md}"
    );
    let checked: Vec<(&str, &str)> = rows[1..]
        .iter()
        .map(|r| (r[2].as_str().unwrap(), r[3].as_str().unwrap()))
        .collect();
    assert_eq!(
        checked,
        [
            ("gnu", "runs-on"),
            ("static", "-"),
            ("zig", "-"),
            ("gone", "runs-on")
        ],
        "{md}"
    );

    // a policy file with the keys of [variant.expect], JSON output
    let policy = p.dir.join("out/policy.toml");
    std::fs::write(&policy, "runs-on = [\"rhel-7\"]\nlinkage = \"dynamic\"\n").unwrap();
    let out = portable()
        .arg("check")
        .arg("--policy")
        .arg(&policy)
        .args(["--format", "json"])
        .arg(&p.zig_bin)
        .arg(&p.gnu_bin)
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(1), "{}", text(&out));
    let r: Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(
        r["rules"],
        serde_json::json!(["linkage dynamic", "runs-on rhel-7"])
    );
    let passed: Vec<bool> = r["inputs"]
        .as_array()
        .unwrap()
        .iter()
        .map(|i| i["targets"][0]["passed"].as_bool().unwrap())
        .collect();
    assert_eq!(passed, [true, false]);
}

#[test]
fn a_baseline_that_cannot_be_read_stops_build_before_anything_is_built() {
    let dir = tempdir();
    let root = new_crate(dir.path(), "nobase", HELLO, None);
    let m = root.join("portable.toml");
    std::fs::write(&m, THREE).unwrap();
    let missing = dir.path().join("no-such-baseline.json");
    let out = build_to(
        &root,
        &m,
        &dir.path().join("r.json"),
        &["--baseline", missing.to_str().unwrap()],
    );
    let t = text(&out);
    assert_eq!(out.status.code(), Some(2), "{t}");
    assert!(t.contains("no-such-baseline.json"), "{t}");
    assert!(!root.join("target").exists(), "nothing was built");
}
