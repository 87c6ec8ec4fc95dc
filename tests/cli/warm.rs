//! A warm `build` (caches kept by earlier runs: rustc's facts, the probes, `cargo
//! metadata`, each executable's inspection and origins) reports exactly what a cold one
//! does: a small crate built cold, then warm after each change (a source file, a
//! feature, a new path dependency in the manifest), each warm report compared with a
//! cold one (a fresh target directory and cache) field by field, except the timings,
//! how the variant's directory was seeded and the directories themselves.

use std::path::Path;

use serde_json::Value;

use crate::common::{build_output, new_crate, portable, tempdir};

const MATRIX: &str = "[[variant]]
id = \"linux-x86_64-gnu\"
target = \"x86_64-unknown-linux-gnu\"
linker = \"internal\"

[[variant]]
id = \"linux-x86_64-musl\"
target = \"x86_64-unknown-linux-musl\"
linker = \"internal\"
";

const MAIN: &str = "fn main() {
    println!(\"hello {}\", std::env::args().count());
    #[cfg(feature = \"net\")]
    {
        use std::net::ToSocketAddrs;
        let _ = (\"localhost\", 80).to_socket_addrs();
    }
}
";

/// `build --format json` of `root` into `target` with the cargo-portable cache `cache`.
fn build_in(root: &Path, target: &Path, cache: &Path, extra: &[&str]) -> Value {
    let out = portable()
        .env("CARGO_TARGET_DIR", target)
        .env("CARGO_PORTABLE_CACHE", cache)
        .args(["build", "--format", "json", "--manifest-path"])
        .arg(root.join("Cargo.toml"))
        .arg("--matrix")
        .arg(root.join("matrix.toml"))
        .args(extra)
        .output()
        .expect("run cargo-portable");
    let (out, v) = build_output(out);
    assert_eq!(
        out.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    v
}

/// The report without what legitimately differs between two runs: the timings, how a
/// new variant directory was seeded, and the target and cache directories in paths
/// and command lines.
fn comparable(mut v: Value, dirs: &[(&Path, &str)]) -> Value {
    fn walk(v: &mut Value, dirs: &[(String, &str)]) {
        match v {
            Value::Object(m) => {
                m.remove("build_seconds");
                m.remove("seeded_from");
                for x in m.values_mut() {
                    walk(x, dirs);
                }
            }
            Value::Array(a) => a.iter_mut().for_each(|x| walk(x, dirs)),
            Value::String(s) => {
                for (d, name) in dirs {
                    *s = s.replace(d.as_str(), name);
                }
            }
            _ => {}
        }
    }
    let dirs: Vec<(String, &str)> = dirs
        .iter()
        .map(|(d, n)| (d.display().to_string(), *n))
        .collect();
    walk(&mut v, &dirs);
    v
}

/// Every field of `warm` equals `cold`'s (the differing paths named).
fn assert_same(warm: &Value, cold: &Value, step: &str) {
    fn diff(a: &Value, b: &Value, at: String, out: &mut Vec<String>) {
        match (a, b) {
            (Value::Object(x), Value::Object(y)) => {
                for k in x.keys().chain(y.keys().filter(|k| !x.contains_key(*k))) {
                    let (p, q) = (&x.get(k), &y.get(k));
                    match (p, q) {
                        (Some(p), Some(q)) => diff(p, q, format!("{at}.{k}"), out),
                        _ => out.push(format!("{at}.{k}: {p:?} / {q:?}")),
                    }
                }
            }
            (Value::Array(x), Value::Array(y)) if x.len() == y.len() => {
                for (i, (p, q)) in x.iter().zip(y).enumerate() {
                    diff(p, q, format!("{at}[{i}]"), out);
                }
            }
            (Value::Array(x), Value::Array(y)) => {
                // of different lengths: what only one side has
                let only = |p: &[Value], q: &[Value]| -> Vec<String> {
                    p.iter()
                        .filter(|e| !q.contains(e))
                        .map(Value::to_string)
                        .collect()
                };
                out.push(format!(
                    "{at}: {} in warm, {} in cold; only warm: {:?}; only cold: {:?}",
                    x.len(),
                    y.len(),
                    only(x, y),
                    only(y, x)
                ));
            }
            _ if a != b => out.push(format!("{at}: warm {a} / cold {b}")),
            _ => {}
        }
    }
    let mut out = Vec::new();
    diff(warm, cold, String::new(), &mut out);
    assert!(
        out.is_empty(),
        "{step}: the warm report differs from the cold one:\n{}",
        out.join("\n")
    );
}

fn import_names(v: &Value, variant: &str) -> Vec<String> {
    let var = v["variants"]
        .as_array()
        .unwrap()
        .iter()
        .find(|x| x["id"] == variant)
        .unwrap();
    var["artifacts"][0]["imports"]
        .as_array()
        .unwrap()
        .iter()
        .map(|i| i["name"].as_str().unwrap().to_owned())
        .collect()
}

#[test]
fn a_warm_build_reports_what_a_cold_one_does_after_each_change() {
    let dir = tempdir();
    let root = new_crate(dir.path(), "warmed", MAIN, None);
    let manifest = root.join("Cargo.toml");
    let toml = std::fs::read_to_string(&manifest).unwrap();
    std::fs::write(
        &manifest,
        toml.replace("[workspace]", "[features]\nnet = []\n\n[workspace]"),
    )
    .unwrap();
    std::fs::write(root.join("matrix.toml"), MATRIX).unwrap();
    let (warm_dir, warm_cache) = (
        dir.path().join("warm-target"),
        dir.path().join("warm-cache"),
    );
    let dirs_of = |cold: &Path, cold_cache: &Path| {
        vec![
            (warm_dir.clone(), "<target>"),
            (warm_cache.clone(), "<cache>"),
            (cold.to_path_buf(), "<target>"),
            (cold_cache.to_path_buf(), "<cache>"),
        ]
    };
    let mut cold_n = 0;
    let mut check = |step: &str, extra: &[&str]| -> Value {
        let warm = build_in(&root, &warm_dir, &warm_cache, extra);
        cold_n += 1;
        let cold_dir = dir.path().join(format!("cold-target-{cold_n}"));
        let cold_cache = dir.path().join(format!("cold-cache-{cold_n}"));
        let cold = build_in(&root, &cold_dir, &cold_cache, extra);
        let d = dirs_of(&cold_dir, &cold_cache);
        let d: Vec<(&Path, &str)> = d.iter().map(|(p, n)| (p.as_path(), *n)).collect();
        assert_same(&comparable(warm.clone(), &d), &comparable(cold, &d), step);
        warm
    };

    // the first run fills the caches; the second finds them
    let first = build_in(&root, &warm_dir, &warm_cache, &[]);
    let again = check("nothing changed", &[]);
    let d = dirs_of(&warm_dir, &warm_cache);
    let d: Vec<(&Path, &str)> = d.iter().map(|(p, n)| (p.as_path(), *n)).collect();
    assert_same(&comparable(again, &d), &comparable(first, &d), "second run");
    for kept in [
        warm_cache.join("warm/rustc.json"),
        warm_dir.join("portable/cache/artifacts"),
        warm_dir.join("portable/cache/origins"),
        warm_cache.join("warm/metadata"),
    ] {
        assert!(kept.exists(), "{} was not kept", kept.display());
    }

    // a source file edited: a new import
    let main = MAIN.replace(
        "println!(\"hello {}\", std::env::args().count());",
        "println!(\"hello {} {:?}\", std::env::args().count(), std::fs::read_dir(\"/\").map(|d| d.count()));",
    );
    std::fs::write(root.join("src/main.rs"), &main).unwrap();
    let edited = check("source edited", &[]);
    assert!(
        import_names(&edited, "linux-x86_64-gnu")
            .iter()
            .any(|i| i.starts_with("opendir")),
        "{:?}",
        import_names(&edited, "linux-x86_64-gnu")
    );

    // a feature turned on: getaddrinfo, and its origin
    let net = check("feature on", &["--features", "net"]);
    assert!(import_names(&net, "linux-x86_64-gnu")
        .iter()
        .any(|i| i.starts_with("getaddrinfo")));

    // a new path dependency in the manifest, called from main
    let helper = new_crate(dir.path(), "helper", "", None);
    std::fs::remove_file(helper.join("src/main.rs")).unwrap();
    std::fs::write(
        helper.join("src/lib.rs"),
        "pub fn here() -> String { format!(\"{:?}\", std::env::current_dir()) }\n",
    )
    .unwrap();
    let toml = std::fs::read_to_string(&manifest).unwrap();
    std::fs::write(
        &manifest,
        toml.replace(
            "[features]",
            "[dependencies]\nhelper = { path = \"../helper\" }\n\n[features]",
        ),
    )
    .unwrap();
    std::fs::write(
        root.join("src/main.rs"),
        main.replace(
            "fn main() {",
            "fn main() {\n    println!(\"{}\", helper::here());",
        ),
    )
    .unwrap();
    let dep = check("dependency added", &["--features", "net"]);
    assert!(import_names(&dep, "linux-x86_64-gnu")
        .iter()
        .any(|i| i.starts_with("getcwd")));
    let crates: Vec<String> = dep["variants"][0]["crates"]
        .as_array()
        .map(|c| {
            c.iter()
                .map(|c| c["name"].as_str().unwrap_or_default().to_owned())
                .collect()
        })
        .unwrap_or_default();
    assert!(crates.iter().any(|c| c == "helper"), "{crates:?}");
}
