//! The JSON report is an API: real `inspect --format json` output validates against
//! `docs/report.schema.json`, reads back into the strict Rust types (every struct
//! denies unknown fields) and serializes back to the same bytes; the schema rejects
//! unknown, renamed and missing fields.
//!
//! Fixtures are real binaries of the host (`/usr/bin/ls`, `/bin/sh`, a directory of
//! shared libraries) and ones built here from C: static ELF (gcc), PE (mingw-w64),
//! thin Mach-O (zig cc) and a universal Mach-O assembled from two thin ones.

use std::path::{Path, PathBuf};

use cargo_portable::model::{Slice, VersionRequirement, WindowsRequirement};
use cargo_portable::report::Report;
use serde_json::{json, Value};

use crate::common::{self, portable};

const HELLO_C: &str = "#include <stdio.h>\n#include <netdb.h>\n\
int main(int argc, char **argv) {\n\
    if (argc > 5) { struct addrinfo *r; return getaddrinfo(argv[1], 0, 0, &r); }\n\
    puts(\"hello\");\n    return 0;\n}\n";

const HELLO_PORTABLE_C: &str =
    "#include <stdio.h>\nint main(void) {\n    puts(\"hello\");\n    return 0;\n}\n";

/// Binaries built from C for the schema and bad-input tests.
pub struct Fixtures {
    pub dir: tempfile::TempDir,
    /// `gcc -static` (calls getaddrinfo: the static-glibc-nss hazard).
    pub elf_static: PathBuf,
    /// `gcc -static-pie`.
    pub elf_static_pie: PathBuf,
    /// `x86_64-w64-mingw32-gcc`.
    pub pe: PathBuf,
    /// `zig cc -target x86_64-macos`.
    pub macho: PathBuf,
    /// `zig cc -target aarch64-macos`.
    pub macho_arm: PathBuf,
    /// A universal Mach-O holding `macho` and `macho_arm`.
    pub macho_fat: PathBuf,
}

use crate::common::zig_cc;

pub fn build_fixtures() -> Fixtures {
    let dir = common::tempdir();
    let d = dir.path();
    let src = common::write(d, "hello.c", HELLO_C);
    let src_portable = common::write(d, "hello_portable.c", HELLO_PORTABLE_C);
    let gcc = common::tool("gcc");
    let gcc = gcc.to_str().unwrap();
    let elf_static = common::cc(&[gcc], &src, &d.join("hello-static"), &["-static"]);
    let elf_static_pie = common::cc(
        &[gcc],
        &src_portable,
        &d.join("hello-static-pie"),
        &["-static-pie"],
    );
    let mingw = common::tool("x86_64-w64-mingw32-gcc");
    let pe = common::cc(
        &[mingw.to_str().unwrap()],
        &src_portable,
        &d.join("hello.exe"),
        &[],
    );
    let zig = zig_cc();
    let zig: Vec<&str> = zig.iter().map(String::as_str).collect();
    let mut x86 = zig.clone();
    x86.extend(["-target", "x86_64-macos"]);
    let macho = common::cc(&x86, &src_portable, &d.join("hello-macos-x86_64"), &[]);
    let mut arm = zig.clone();
    arm.extend(["-target", "aarch64-macos"]);
    let macho_arm = common::cc(&arm, &src_portable, &d.join("hello-macos-aarch64"), &[]);
    let macho_fat = d.join("hello-macos-universal");
    std::fs::write(
        &macho_fat,
        universal(&[
            (0x0100_0007, 3, &std::fs::read(&macho).unwrap()),
            (0x0100_000c, 0, &std::fs::read(&macho_arm).unwrap()),
        ]),
    )
    .unwrap();
    Fixtures {
        dir,
        elf_static,
        elf_static_pie,
        pe,
        macho,
        macho_arm,
        macho_fat,
    }
}

/// A universal (fat) Mach-O: `(cputype, cpusubtype, thin file)` slices, 16 KiB aligned,
/// as `lipo -create` writes them.
pub fn universal(slices: &[(u32, u32, &[u8])]) -> Vec<u8> {
    const ALIGN: u32 = 14;
    let mut out = Vec::new();
    out.extend(0xcafe_babe_u32.to_be_bytes());
    out.extend((slices.len() as u32).to_be_bytes());
    let mut offset = 1u32 << ALIGN;
    let mut placed = Vec::new();
    for (cpu, sub, data) in slices {
        for v in [*cpu, *sub, offset, data.len() as u32, ALIGN] {
            out.extend(v.to_be_bytes());
        }
        placed.push((offset, *data));
        offset = (offset + data.len() as u32).next_multiple_of(1 << ALIGN);
    }
    for (off, data) in placed {
        out.resize(off as usize, 0);
        out.extend_from_slice(data);
    }
    out
}

pub fn schema() -> Value {
    let path = Path::new(env!("CARGO_MANIFEST_DIR")).join("docs/report.schema.json");
    let text = std::fs::read_to_string(&path).expect("read docs/report.schema.json");
    serde_json::from_str(&text).expect("docs/report.schema.json is JSON")
}

fn validator() -> jsonschema::Validator {
    let schema = schema();
    jsonschema::draft202012::new(&schema).expect("the schema compiles")
}

/// The validation errors of `doc`, one per line (empty when valid).
fn violations(v: &jsonschema::Validator, doc: &Value) -> String {
    v.iter_errors(doc)
        .map(|e| format!("{} at {}\n", e, e.instance_path()))
        .collect()
}

/// Run `inspect --format json` on `paths`: (exit code, raw stdout, stderr).
fn inspect_raw(paths: &[&Path]) -> (i32, String, String) {
    let out = portable()
        .args(["inspect", "--format", "json"])
        .args(paths)
        .output()
        .expect("run cargo-portable");
    (
        out.status.code().unwrap_or(-1),
        String::from_utf8(out.stdout).expect("JSON output is UTF-8"),
        String::from_utf8_lossy(&out.stderr).into_owned(),
    )
}

/// Everything the schema and the types promise about one real report.
fn check_report(v: &jsonschema::Validator, what: &str, text: &str) -> Report {
    let doc: Value = serde_json::from_str(text)
        .unwrap_or_else(|e| panic!("{what}: output is not JSON: {e}\n{text}"));
    let errs = violations(v, &doc);
    assert!(
        errs.is_empty(),
        "{what}: report violates the schema:\n{errs}"
    );
    let report: Report = serde_json::from_value(doc.clone())
        .unwrap_or_else(|e| panic!("{what}: report does not read back into Report: {e}"));
    assert_eq!(
        serde_json::to_value(&report).unwrap(),
        doc,
        "{what}: round trip through Report changes the document"
    );
    // Same bytes, so also the same field order (the order is part of the API).
    let mut again = serde_json::to_string_pretty(&report).unwrap();
    again.push('\n');
    assert!(
        again == text,
        "{what}: re-serialized report differs from the output"
    );
    let s = &report.summary;
    assert_eq!(s.artifacts, report.artifacts.len(), "{what}: summary");
    assert_eq!(s.errors, report.errors.len(), "{what}: summary");
    assert_eq!(s.static_ + s.dynamic, s.artifacts, "{what}: summary");
    report
}

/// A directory of shared libraries that every Debian/Ubuntu x86_64 host has.
fn library_dir() -> PathBuf {
    [
        "/usr/lib/x86_64-linux-gnu/gconv",
        "/usr/lib/x86_64-linux-gnu/security",
    ]
    .iter()
    .map(PathBuf::from)
    .find(|p| p.is_dir())
    .expect("a directory of shared libraries (/usr/lib/x86_64-linux-gnu/gconv)")
}

#[test]
fn the_schema_is_valid_draft_2020_12_and_documents_every_field() {
    let s = schema();
    if let Err(e) = jsonschema::meta::validate(&s) {
        panic!("docs/report.schema.json is not a valid JSON Schema: {e}");
    }
    assert_eq!(
        s["$schema"], "https://json-schema.org/draft/2020-12/schema",
        "draft 2020-12"
    );
    // Every object is closed and lists its required fields; every property and
    // every definition says what it means.
    let mut objects = 0;
    walk(&s, "#", &mut |at, node| {
        let Some(o) = node.as_object() else { return };
        if o.get("type") == Some(&json!("object")) {
            objects += 1;
            assert_eq!(
                o.get("additionalProperties"),
                Some(&json!(false)),
                "{at}: objects must set additionalProperties: false"
            );
            let props = o["properties"].as_object().expect("properties");
            let required = o["required"].as_array().expect("required");
            for r in required {
                assert!(props.contains_key(r.as_str().unwrap()), "{at}: {r}");
            }
            for (k, p) in props {
                assert!(
                    p.get("description").is_some_and(Value::is_string),
                    "{at}/properties/{k}: no description"
                );
            }
            assert!(o.contains_key("description"), "{at}: no description");
        }
    });
    assert!(objects >= 15, "only {objects} objects in the schema");
    // The artifact is a definition of its own, for the build report to share.
    assert_eq!(s["$defs"]["artifact"]["type"], "object");
    assert!(s["oneOf"].is_array(), "the top level is a list of shapes");
}

fn walk(node: &Value, at: &str, f: &mut dyn FnMut(&str, &Value)) {
    f(at, node);
    match node {
        Value::Object(o) => {
            for (k, v) in o {
                walk(v, &format!("{at}/{k}"), f);
            }
        }
        Value::Array(a) => {
            for (i, v) in a.iter().enumerate() {
                walk(v, &format!("{at}/{i}"), f);
            }
        }
        _ => {}
    }
}

#[test]
fn real_reports_validate_and_read_back_into_the_strict_types() {
    let v = validator();
    let fx = build_fixtures();
    let text = common::write(fx.dir.path(), "notes.txt", "just text\n");
    let missing = fx.dir.path().join("does-not-exist");
    let libs = library_dir();
    let cases: Vec<(&str, Vec<&Path>, i32)> = vec![
        ("ls", vec![Path::new("/usr/bin/ls")], 0),
        ("sh", vec![Path::new("/bin/sh")], 0),
        ("library directory", vec![&libs], 0),
        ("gcc -static", vec![&fx.elf_static], 0),
        ("gcc -static-pie", vec![&fx.elf_static_pie], 0),
        ("mingw PE", vec![&fx.pe], 0),
        ("zig Mach-O", vec![&fx.macho, &fx.macho_arm], 0),
        ("universal Mach-O", vec![&fx.macho_fat], 0),
        ("text file", vec![&text], 2),
        ("missing file", vec![&missing], 2),
        (
            "everything at once",
            vec![
                Path::new("/usr/bin/ls"),
                &missing,
                &fx.elf_static,
                &text,
                &fx.pe,
                &fx.macho_fat,
            ],
            2,
        ),
    ];
    let mut artifacts = 0;
    for (what, paths, want) in cases {
        let (code, out, err) = inspect_raw(&paths);
        assert_eq!(code, want, "{what}: exit code; stderr: {err}");
        let report = check_report(&v, what, &out);
        assert_eq!(report.errors.is_empty(), want == 0, "{what}");
        artifacts += report.artifacts.len();
    }
    assert!(artifacts > 20, "only {artifacts} artifacts checked");

    // --no-hash leaves sha256 null
    let out = portable()
        .args(["inspect", "--format", "json", "--no-hash", "/usr/bin/ls"])
        .output()
        .expect("run cargo-portable");
    assert!(out.status.success());
    let report = check_report(&v, "--no-hash", &String::from_utf8(out.stdout).unwrap());
    assert_eq!(report.artifacts[0].sha256, None);

    // The optional fields that only some files have are present somewhere.
    let (_, out, _) = inspect_raw(&[&fx.pe, &fx.macho_fat, &fx.elf_static]);
    let r = check_report(&v, "coverage", &out);
    let a = |f: cargo_portable::model::Format| r.artifacts.iter().filter(move |a| a.format == f);
    use cargo_portable::model::Format;
    assert!(a(Format::Macho).any(|a| a.slice.is_some()), "a slice");
    assert!(
        a(Format::Macho).any(|a| a
            .libraries
            .iter()
            .any(|l| l.compatibility_version.is_some() && l.current_version.is_some())),
        "Mach-O library versions"
    );
    assert!(a(Format::Macho).any(|a| a.requires.macos.is_some()));
    assert!(a(Format::Pe).any(|a| a.requires.windows.is_some()));
    assert!(a(Format::Elf).any(|a| !a.hazards.is_empty()), "a hazard");
}

/// A report with every optional field filled in (some only occur in binaries this
/// host cannot easily make, like PE imports by ordinal) still validates: the schema
/// names every field the types can write.
#[test]
fn every_optional_field_the_types_can_write_is_in_the_schema() {
    let v = validator();
    let (_, out, _) = inspect_raw(&[Path::new("/usr/bin/ls")]);
    let mut r: Report = serde_json::from_str(&out).unwrap();
    let a = &mut r.artifacts[0];
    let req = || {
        Some(VersionRequirement {
            version: "3.4.21".into(),
            forced_by: vec!["_ZSt4cout".into()],
            origin: vec![cargo_portable::model::SymbolOrigin {
                symbol: "_ZSt4cout".into(),
                crates: vec!["cxx@1.0.0".into()],
            }],
        })
    };
    a.slice = Some(Slice {
        index: 1,
        offset: 16384,
        size: 4096,
    });
    a.rpath = vec!["$ORIGIN/../lib".into()];
    a.runpath = vec!["/opt/x/lib".into()];
    a.libraries[0].compatibility_version = Some("1.0.0".into());
    a.libraries[0].current_version = Some("1351.0.0".into());
    a.imports[0].ordinal = Some(17);
    a.imports[0].origin = vec!["std@1.95.0".into(), "ipc@0.1.0".into()];
    a.libraries[0].origin = vec!["libz-sys@1.1.20".into()];
    a.requires.glibcxx = req();
    a.requires.cxxabi = req();
    a.requires.gcc = req();
    a.requires.macos = Some("11.0".into());
    a.requires.macos_sdk = Some("14.0".into());
    a.requires.windows = Some(WindowsRequirement {
        subsystem: "console".into(),
        subsystem_version: "6.0".into(),
        minimum: Some("Windows Vista".into()),
        forced_by: vec!["kernel32.dll!GetSystemTimePreciseAsFileTime".into()],
    });
    a.hazards.push(cargo_portable::model::Hazard {
        code: "static-glibc-nss".into(),
        severity: cargo_portable::model::Severity::Warning,
        message: "m".into(),
        hint: "h".into(),
        evidence: vec!["getaddrinfo".into()],
        origin: vec!["std@1.95.0".into()],
    });
    a.proofs = Some(vec![cargo_portable::model::Proof {
        release: "debian-11".into(),
        arch: "amd64".into(),
        result: cargo_portable::model::ProofResult::Refused,
        message: "version 'GLIBC_2.34' not found (required by ./a)".into(),
        claim: Some("Debian 11 (bullseye)".into()),
        claimed: false,
        agrees: Some(true),
    }]);
    a.runs_on.excluded = vec![cargo_portable::model::ExcludedRelease {
        name: "RHEL/CentOS".into(),
        release: "9".into(),
        missing: vec!["libstdc++ lacks GLIBCXX_3.4.30".into()],
    }];
    a.requires.cpu = Some(cargo_portable::model::VersionRequirement {
        version: "x86-64-v3".into(),
        forced_by: vec!["GOAMD64=v3".into()],
        origin: Vec::new(),
    });
    a.requires.android = Some(cargo_portable::model::VersionRequirement {
        version: "24".into(),
        forced_by: vec![".note.android.ident: API level 24 (Android 7.0)".into()],
        origin: Vec::new(),
    });
    let module = |path: &str, sum: Option<&str>| cargo_portable::model::GoModule {
        path: path.into(),
        version: "v1.2.3".into(),
        sum: sum.map(str::to_owned),
        replace: None,
    };
    let mut replaced = module("example.com/dep", None);
    replaced.replace = Some(Box::new(module("../dep", None)));
    a.go = Some(cargo_portable::model::GoBuildInfo {
        version: Some("go1.19.8".into()),
        path: Some("example.com/app".into()),
        main: Some(module("example.com/app", Some("h1:abc="))),
        deps: vec![replaced, module("golang.org/x/sys", Some("h1:def="))],
        settings: vec![cargo_portable::model::GoSetting {
            key: "GOOS".into(),
            value: "linux".into(),
        }],
        found: cargo_portable::model::GoFound::Sentinels,
    });
    a.linker.version = Some("2.42".into());
    a.hardening.relro = Some(cargo_portable::model::Relro::Full);
    let doc = serde_json::to_value(&r).unwrap();
    let errs = violations(&v, &doc);
    assert!(errs.is_empty(), "{errs}");
    let back: Report = serde_json::from_value(doc).unwrap();
    assert_eq!(back, r);
}

/// A build report whose variant has the optional fields of a variant filled in
/// (`c_compiler`, `seeded_from`, `host`, `crates` with a linked and a build-only crate)
/// validates and reads back into the strict types; one without `crates` (a report
/// written before it was added) still reads.
#[test]
fn every_optional_variant_field_is_in_the_schema() {
    use cargo_portable::report::variants::{
        BuildReport, CCompiler, MatrixId, SeedKind, SeededFrom, Status, VariantLinker,
        VariantReport,
    };
    let v = validator();
    let host = cargo_portable::report::Host {
        triple: "x86_64-unknown-linux-gnu".into(),
        rustc: Some("rustc 1.95.0".into()),
    };
    let linker = VariantLinker {
        requested: "internal".into(),
        program: "rust-lld".into(),
        detected: Some("lld".into()),
    };
    let mut var = VariantReport::new("gnu", &host.triple, linker, Status::Built);
    var.c_compiler = Some(CCompiler {
        program: "cc".into(),
        version: Some("cc 13".into()),
    });
    var.crt_static = Some(false);
    var.glibc = Some("2.17".into());
    var.reason = Some("r".into());
    var.hint = Some("h".into());
    var.build_seconds = Some(1.5);
    var.commands = vec!["cargo build".into()];
    var.seeded_from = Some(SeededFrom {
        variant: "musl".into(),
        kind: SeedKind::Host,
    });
    var.host = Some(host.clone());
    let krate = |name: &str, build: bool| cargo_portable::model::Crate {
        name: name.into(),
        version: "1.0.0".into(),
        source: "crates.io".into(),
        build,
    };
    var.crates = Some(vec![krate("cc", true), krate("libc", false)]);
    let m = MatrixId {
        source: "m.toml".into(),
        sha256: Some("a".repeat(64)),
        variants: vec!["gnu".into()],
    };
    let r = BuildReport::new(host, m, vec![var], Vec::new());
    let mut doc = serde_json::to_value(&r).unwrap();
    let errs = violations(&v, &doc);
    assert!(errs.is_empty(), "{errs}");
    let back: BuildReport = serde_json::from_value(doc.clone()).unwrap();
    assert_eq!(back, r);
    // written before `crates` was added
    doc["variants"][0].as_object_mut().unwrap().remove("crates");
    assert!(violations(&v, &doc).is_empty());
    let old: BuildReport = serde_json::from_value(doc).unwrap();
    assert_eq!(old.variants[0].crates, None);
}

/// The schema (and the types) reject what a renamed, added or dropped field looks
/// like, so a change of the report shape cannot pass unnoticed.
#[test]
fn the_schema_rejects_unknown_renamed_and_missing_fields() {
    let v = validator();
    let (_, out, _) = inspect_raw(&[Path::new("/usr/bin/ls"), Path::new("/nonexistent")]);
    let good: Value = serde_json::from_str(&out).unwrap();
    assert!(violations(&v, &good).is_empty());

    type Edit = fn(&mut Value);
    let edits: &[(&str, Edit)] = &[
        ("unknown top-level field", |d| {
            d["extra"] = json!(1);
        }),
        ("unknown artifact field", |d| {
            d["artifacts"][0]["extra"] = json!("x");
        }),
        ("renamed artifact field", |d| {
            let a = d["artifacts"][0].as_object_mut().unwrap();
            let sha = a.remove("sha256").unwrap();
            a.insert("sha_256".into(), sha);
        }),
        ("missing artifact field", |d| {
            d["artifacts"][0].as_object_mut().unwrap().remove("verdict");
        }),
        ("unknown import field", |d| {
            d["artifacts"][0]["imports"][0]["extra"] = json!(true);
        }),
        ("unknown requires field", |d| {
            d["artifacts"][0]["requires"]["musl"] = json!(null);
        }),
        ("unknown error field", |d| {
            d["errors"][0]["code"] = json!(2);
        }),
        ("unknown summary field", |d| {
            d["summary"]["total"] = json!(1);
        }),
        ("unknown enum value", |d| {
            d["artifacts"][0]["linkage"] = json!("semi-static");
        }),
        ("wrong type", |d| {
            d["artifacts"][0]["size"] = json!("151344");
        }),
        ("other schema version", |d| {
            d["schema_version"] = json!(2);
        }),
        ("build-report field in an inspect report", |d| {
            d["variants"] = json!([]);
        }),
    ];
    for (what, edit) in edits {
        let mut bad = good.clone();
        edit(&mut bad);
        assert!(
            !v.is_valid(&bad),
            "the schema accepts a document with {what}"
        );
        // The strict types agree, except on values that serde reads loosely.
        if *what != "other schema version" {
            assert!(
                serde_json::from_value::<Report>(bad).is_err(),
                "Report reads a document with {what}"
            );
        }
    }
}
