//! CycloneDX 1.6 JSON: a software bill of materials of the binaries of a report. Each
//! binary is a component (`application`, `library` or `file`, with its SHA-256, path,
//! target and variant as properties); the crates cargo-auditable recorded in it (else,
//! for a build, the crates of the graph `cargo metadata` resolves for the variant's
//! target: the variant's `crates`; the binary's `crates-source` property says which)
//! are components `pkg:cargo/NAME@VERSION`, the modules of a Go binary `pkg:golang/PATH@VERSION`
//! (with go.sum's hash as SHA-256); the dynamic libraries it needs are components,
//! a system one marked `cargo-portable:provided-by=platform`, an external one
//! `cargo-portable:provided-by=bundle` (the user ships it). `dependencies`: binary →
//! crates and modules, and crate → library where the report knows which crate asked
//! for it (`origin`), binary → library always (the binary names it).
//!
//! A pure function of the report and a [`RunId`] (serial number and timestamp, the
//! only values that change from one run to the next); everything else is sorted.

use std::collections::{BTreeMap, BTreeSet};
use std::path::Path;

use serde_json::{json, Value};

use crate::model::{Artifact, Kind, LibraryClass, LibraryLoad};
use crate::report::variants::{BuildReport, VariantReport};
use crate::report::{Report, Tool};

/// What makes one document of a run unique: `serialNumber` and `metadata.timestamp`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RunId {
    /// `urn:uuid:` and a random (version 4) UUID.
    pub serial: String,
    /// RFC 3339, UTC, whole seconds.
    pub timestamp: String,
}

impl RunId {
    /// A new serial number (16 bytes of the system's randomness) and the time now.
    pub fn new() -> RunId {
        let now = std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .unwrap_or_default();
        RunId {
            serial: format!("urn:uuid:{}", uuid_v4(random_16(now.as_nanos()))),
            timestamp: rfc3339(now.as_secs()),
        }
    }
}

impl Default for RunId {
    fn default() -> Self {
        RunId::new()
    }
}

/// 16 random bytes: /dev/urandom, else (no such device) a digest of the time and the
/// process id.
fn random_16(nanos: u128) -> [u8; 16] {
    use std::io::Read;
    let mut b = [0u8; 16];
    let read = std::fs::File::open("/dev/urandom").and_then(|mut f| f.read_exact(&mut b));
    if read.is_err() {
        use sha2::{Digest, Sha256};
        let mut h = Sha256::new();
        h.update(nanos.to_le_bytes());
        h.update(std::process::id().to_le_bytes());
        h.update((&b as *const _ as usize).to_le_bytes());
        b.copy_from_slice(&h.finalize()[..16]);
    }
    b
}

/// The bytes as a version 4 (random) UUID.
fn uuid_v4(mut b: [u8; 16]) -> String {
    b[6] = (b[6] & 0x0f) | 0x40;
    b[8] = (b[8] & 0x3f) | 0x80;
    let hex: String = b.iter().map(|x| format!("{x:02x}")).collect();
    format!(
        "{}-{}-{}-{}-{}",
        &hex[..8],
        &hex[8..12],
        &hex[12..16],
        &hex[16..20],
        &hex[20..]
    )
}

/// Seconds since the epoch as `YYYY-MM-DDTHH:MM:SSZ`.
fn rfc3339(secs: u64) -> String {
    let days = (secs / 86_400) as i64;
    let rem = secs % 86_400;
    // Howard Hinnant's civil_from_days
    let z = days + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z.rem_euclid(146_097);
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let d = doy - (153 * mp + 2) / 5 + 1;
    let m = if mp < 10 { mp + 3 } else { mp - 9 };
    let y = yoe + era * 400 + i64::from(m <= 2);
    format!(
        "{y:04}-{m:02}-{d:02}T{:02}:{:02}:{:02}Z",
        rem / 3600,
        rem / 60 % 60,
        rem % 60
    )
}

/// Percent-encoding for a package URL's parts (`/` kept where `slash`).
fn pct(s: &str, slash: bool) -> String {
    let mut out = String::with_capacity(s.len());
    for b in s.bytes() {
        if b.is_ascii_alphanumeric() || b"-._~".contains(&b) || (slash && b == b'/') {
            out.push(b as char);
        } else {
            out.push_str(&format!("%{b:02X}"));
        }
    }
    out
}

pub fn cargo_purl(name: &str, version: &str) -> String {
    format!("pkg:cargo/{}@{}", pct(name, false), pct(version, false))
}

pub fn golang_purl(path: &str, version: &str) -> String {
    format!("pkg:golang/{}@{}", pct(path, true), pct(version, false))
}

/// go.sum's `h1:` hash (base64 of a SHA-256) as hex; `None` for another form.
fn go_sum_sha256(sum: &str) -> Option<String> {
    let b64 = sum.strip_prefix("h1:")?;
    let bytes = base64_decode(b64)?;
    (bytes.len() == 32).then(|| bytes.iter().map(|b| format!("{b:02x}")).collect())
}

fn base64_decode(s: &str) -> Option<Vec<u8>> {
    let val = |c: u8| -> Option<u32> {
        Some(match c {
            b'A'..=b'Z' => c - b'A',
            b'a'..=b'z' => c - b'a' + 26,
            b'0'..=b'9' => c - b'0' + 52,
            b'+' => 62,
            b'/' => 63,
            _ => return None,
        } as u32)
    };
    let s = s.trim_end_matches('=').as_bytes();
    let mut out = Vec::with_capacity(s.len() * 3 / 4);
    let (mut acc, mut bits) = (0u32, 0u32);
    for &c in s {
        acc = (acc << 6) | val(c)?;
        bits += 6;
        if bits >= 8 {
            bits -= 8;
            out.push((acc >> bits) as u8);
            acc &= (1 << bits) - 1;
        }
    }
    Some(out)
}

fn property(name: &str, value: impl Into<String>) -> Value {
    json!({ "name": format!("cargo-portable:{name}"), "value": value.into() })
}

/// The components and the dependency graph, keyed by bom-ref (so sorted and unique).
#[derive(Default)]
struct Bom {
    components: BTreeMap<String, Value>,
    deps: BTreeMap<String, BTreeSet<String>>,
}

impl Bom {
    fn depend(&mut self, from: &str, to: &str) {
        self.deps
            .entry(from.to_owned())
            .or_default()
            .insert(to.to_owned());
        self.deps.entry(to.to_owned()).or_default();
    }

    fn add(&mut self, bom_ref: &str, component: Value) {
        self.components
            .entry(bom_ref.to_owned())
            .or_insert(component);
        self.deps.entry(bom_ref.to_owned()).or_default();
    }

    /// One binary, its crates, modules and libraries; `variant`: the variant of a build
    /// report it belongs to.
    fn artifact(&mut self, a: &Artifact, variant: Option<&VariantReport>) {
        let mut bin_ref = String::from("binary:");
        if let Some(v) = variant {
            bin_ref.push_str(&v.id);
            bin_ref.push('/');
        }
        bin_ref.push_str(&a.path);
        if a.slice.is_some() {
            bin_ref.push('#');
            bin_ref.push_str(&a.arch);
        }
        let kind = match a.kind {
            Kind::Executable => "application",
            Kind::SharedLibrary => "library",
            Kind::Other => "file",
        };
        let name = Path::new(&a.path)
            .file_name()
            .map(|n| n.to_string_lossy().into_owned())
            .unwrap_or_else(|| a.path.clone());
        let mut props = vec![
            property("path", a.path.as_str()),
            property("format", crate::model::wire_name(&a.format)),
            property("arch", a.arch.as_str()),
            property("os", a.os.as_str()),
            property("linkage", crate::model::wire_name(&a.linkage)),
            property("libc", crate::model::wire_name(&a.libc)),
            property("portable", a.portable.to_string()),
        ];
        if let Some(v) = variant {
            props.push(property("variant", v.id.as_str()));
            props.push(property("target", v.target.as_str()));
        }
        if let Some(glibc) = &a.requires.glibc {
            props.push(property("requires-glibc", glibc.version.as_str()));
        }
        if let Some(go) = a.go.as_ref().and_then(|g| g.version.as_deref()) {
            props.push(property("go-version", go));
        }
        // cargo-auditable's list in the binary, else the variant's resolved graph
        let (crates, source) = match (&a.crates, variant.and_then(|v| v.crates.as_ref())) {
            (Some(c), _) => (Some(c), Some("cargo-auditable")),
            (None, Some(c)) if a.go.is_none() => (Some(c), Some("cargo-metadata")),
            _ => (None, None),
        };
        if let Some(source) = source {
            props.push(property("crates-source", source));
        }
        sort_properties(&mut props);
        let mut c = json!({
            "type": kind,
            "bom-ref": bin_ref,
            "name": name,
            "properties": props,
        });
        if let Some(sha) = &a.sha256 {
            c["hashes"] = json!([{ "alg": "SHA-256", "content": sha }]);
        }
        self.add(&bin_ref, c);

        let mut crate_refs: BTreeMap<String, String> = BTreeMap::new();
        for k in crates.into_iter().flatten() {
            let purl = cargo_purl(&k.name, &k.version);
            crate_refs.insert(format!("{}@{}", k.name, k.version), purl.clone());
            let scope = if k.build { "excluded" } else { "required" };
            let mut props = vec![property("source", k.source.as_str())];
            if k.build {
                props.push(property("build", "true"));
            }
            let entry = self.components.entry(purl.clone()).or_insert_with(|| {
                json!({
                    "type": "library",
                    "bom-ref": purl,
                    "name": k.name,
                    "version": k.version,
                    "scope": scope,
                    "purl": purl,
                    "properties": props,
                })
            });
            // linked into one binary, a build dependency of another: linked
            if !k.build {
                entry["scope"] = json!("required");
                if let Some(p) = entry["properties"].as_array_mut() {
                    p.retain(|x| x["name"] != "cargo-portable:build");
                }
            }
            self.deps.entry(purl.clone()).or_default();
            if !k.build {
                self.depend(&bin_ref, &purl);
            }
        }

        if let Some(go) = &a.go {
            for (m, main) in go
                .main
                .iter()
                .map(|m| (m, true))
                .chain(go.deps.iter().map(|m| (m, false)))
            {
                let purl = golang_purl(&m.path, &m.version);
                let mut c = json!({
                    "type": "library",
                    "bom-ref": purl,
                    "name": m.path,
                    "version": m.version,
                    "scope": "required",
                    "purl": purl,
                });
                let sum = m
                    .sum
                    .as_deref()
                    .or(m.replace.as_ref().and_then(|r| r.sum.as_deref()));
                if let Some(h) = sum.and_then(go_sum_sha256) {
                    c["hashes"] = json!([{ "alg": "SHA-256", "content": h }]);
                }
                let mut props = Vec::new();
                if let Some(s) = &m.sum {
                    props.push(property("go-sum", s.as_str()));
                }
                if let Some(r) = &m.replace {
                    props.push(property("go-replace", format!("{}@{}", r.path, r.version)));
                }
                if main {
                    props.push(property("go-main-module", "true"));
                }
                if !props.is_empty() {
                    sort_properties(&mut props);
                    c["properties"] = json!(props);
                }
                self.add(&purl, c);
                self.depend(&bin_ref, &purl);
            }
        }

        for l in &a.libraries {
            let lib_ref = format!("library:{}/{}", a.os.as_str(), l.name);
            let (scope, provided) = match l.class {
                LibraryClass::System => ("required", "platform"),
                LibraryClass::External => ("required", "bundle"),
            };
            let scope = if l.load == LibraryLoad::Weak {
                "optional"
            } else {
                scope
            };
            let mut props = vec![
                property("provided-by", provided),
                property("class", crate::model::wire_name(&l.class)),
                property("os", a.os.as_str()),
            ];
            if l.load != LibraryLoad::Needed {
                props.push(property("load", crate::model::wire_name(&l.load)));
            }
            sort_properties(&mut props);
            let mut c = json!({
                "type": "library",
                "bom-ref": lib_ref,
                "name": l.name,
                "scope": scope,
                "properties": props,
            });
            if let Some(v) = &l.current_version {
                c["version"] = json!(v);
            }
            self.add(&lib_ref, c);
            self.depend(&bin_ref, &lib_ref);
            for o in &l.origin {
                if let Some(purl) = crate_refs.get(o) {
                    self.depend(purl, &lib_ref);
                }
            }
        }
    }

    fn document(self, tool: &Tool, run: &RunId, notes: Vec<Value>) -> Value {
        let components: Vec<Value> = self.components.into_values().collect();
        let dependencies: Vec<Value> = self
            .deps
            .into_iter()
            .map(|(r, on)| json!({ "ref": r, "dependsOn": on.into_iter().collect::<Vec<_>>() }))
            .collect();
        let mut metadata = json!({
            "timestamp": run.timestamp,
            "tools": { "components": [{
                "type": "application",
                "name": tool.name,
                "version": tool.version,
                "externalReferences": [{ "type": "vcs", "url": env!("CARGO_PKG_REPOSITORY") }],
            }]},
        });
        if !notes.is_empty() {
            metadata["properties"] = json!(notes);
        }
        json!({
            "$schema": "http://cyclonedx.org/schema/bom-1.6.schema.json",
            "bomFormat": "CycloneDX",
            "specVersion": "1.6",
            "serialNumber": run.serial,
            "version": 1,
            "metadata": metadata,
            "components": components,
            "dependencies": dependencies,
        })
    }
}

fn sort_properties(p: &mut [Value]) {
    p.sort_by(|a, b| {
        (a["name"].as_str(), a["value"].as_str()).cmp(&(b["name"].as_str(), b["value"].as_str()))
    });
}

/// Where the crate components come from (each binary's `crates-source` property says
/// which of the two).
fn crates_note() -> Value {
    property(
        "crates-source",
        "cargo-auditable (the .dep-v0 section of binaries built with `cargo auditable`); \
         for a build's binary without it, cargo-metadata (the graph `cargo metadata \
         --filter-platform` resolves for the variant's target with the build's features)",
    )
}

/// The SBOM of an `inspect` report.
pub fn inspect(r: &Report, run: &RunId) -> Value {
    let mut bom = Bom::default();
    for a in &r.artifacts {
        bom.artifact(a, None);
    }
    bom.document(&r.tool, run, vec![crates_note()])
}

/// The SBOM of a build (or merged) report: the binaries of every built variant.
pub fn build(r: &BuildReport, run: &RunId) -> Value {
    let mut bom = Bom::default();
    for v in &r.variants {
        for a in &v.artifacts {
            bom.artifact(a, Some(v));
        }
    }
    let notes = vec![crates_note(), property("matrix", r.matrix.as_str())];
    bom.document(&r.tool, run, notes)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::report::testing::{artifact, build_report, variant};

    fn run() -> RunId {
        RunId {
            serial: "urn:uuid:00000000-0000-4000-8000-000000000000".into(),
            timestamp: "2026-01-01T00:00:00Z".into(),
        }
    }

    #[test]
    fn dates_uuids_and_purls() {
        assert_eq!(rfc3339(0), "1970-01-01T00:00:00Z");
        assert_eq!(rfc3339(1_709_210_096), "2024-02-29T12:34:56Z");
        let u = uuid_v4([0xff; 16]);
        assert_eq!(u, "ffffffff-ffff-4fff-bfff-ffffffffffff");
        assert_ne!(RunId::new().serial, RunId::new().serial);
        assert_eq!(cargo_purl("serde", "1.0.0+x"), "pkg:cargo/serde@1.0.0%2Bx");
        assert_eq!(
            golang_purl("golang.org/x/sys", "(devel)"),
            "pkg:golang/golang.org/x/sys@%28devel%29"
        );
        assert_eq!(
            go_sum_sha256("h1:47DEQpj8HBSa+/TImW+5JCeuQeRkm5NMpJWZG3hSuFU=").as_deref(),
            Some("e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855")
        );
    }

    #[test]
    fn binaries_libraries_and_the_graph() {
        let mut a = artifact("t/app", 10, &["libz.so.1"], &[]);
        a.sha256 = Some("ab".repeat(32));
        a.crates = Some(vec![crate::model::Crate {
            name: "libz-sys".into(),
            version: "1.1.0".into(),
            source: "crates.io".into(),
            build: false,
        }]);
        a.libraries[1].origin = vec!["libz-sys@1.1.0".into()];
        let r = build_report(vec![variant("gnu", vec![a])]);
        let doc = build(&r, &run());
        let refs: Vec<&str> = doc["components"]
            .as_array()
            .unwrap()
            .iter()
            .map(|c| c["bom-ref"].as_str().unwrap())
            .collect();
        assert_eq!(
            refs,
            [
                "binary:gnu/t/app",
                "library:linux/libc.so.6",
                "library:linux/libz.so.1",
                "pkg:cargo/libz-sys@1.1.0"
            ]
        );
        let deps = &doc["dependencies"];
        assert_eq!(deps[0]["ref"], "binary:gnu/t/app");
        assert_eq!(deps[0]["dependsOn"].as_array().unwrap().len(), 3);
        assert_eq!(deps[3]["dependsOn"], json!(["library:linux/libz.so.1"]));
        assert_eq!(doc["components"][0]["hashes"][0]["alg"], "SHA-256");
        let libz = &doc["components"][2]["properties"];
        assert!(libz
            .as_array()
            .unwrap()
            .contains(&json!({"name": "cargo-portable:provided-by", "value": "bundle"})));
    }

    #[test]
    fn a_binary_without_auditable_data_gets_its_variants_graph() {
        let krate = |name: &str, build: bool| crate::model::Crate {
            name: name.into(),
            version: "1.0.0".into(),
            source: "crates.io".into(),
            build,
        };
        let plain = artifact("t/plain", 10, &[], &[]);
        let mut aud = artifact("t/aud", 10, &[], &[]);
        aud.crates = Some(vec![krate("itoa", false)]);
        let mut v = variant("gnu", vec![plain, aud]);
        v.crates = Some(vec![krate("cc", true), krate("libc", false)]);
        let doc = build(&build_report(vec![v]), &run());
        let source_of = |bin: &str| {
            doc["components"]
                .as_array()
                .unwrap()
                .iter()
                .find(|c| c["bom-ref"] == bin)
                .unwrap()["properties"]
                .as_array()
                .unwrap()
                .iter()
                .find(|p| p["name"] == "cargo-portable:crates-source")
                .map(|p| p["value"].clone())
        };
        assert_eq!(
            source_of("binary:gnu/t/plain"),
            Some(json!("cargo-metadata"))
        );
        assert_eq!(
            source_of("binary:gnu/t/aud"),
            Some(json!("cargo-auditable"))
        );
        let on = |r: &str| {
            doc["dependencies"]
                .as_array()
                .unwrap()
                .iter()
                .find(|d| d["ref"] == r)
                .unwrap()["dependsOn"]
                .clone()
        };
        let plain_on = on("binary:gnu/t/plain").to_string();
        assert!(plain_on.contains("pkg:cargo/libc@1.0.0"), "{plain_on}");
        // a build-only crate is listed, out of scope, not a dependency of the binary
        assert!(!plain_on.contains("pkg:cargo/cc@"), "{plain_on}");
        let aud_on = on("binary:gnu/t/aud").to_string();
        assert!(
            aud_on.contains("pkg:cargo/itoa@1.0.0") && !aud_on.contains("pkg:cargo/libc@"),
            "{aud_on}"
        );
        let cc = doc["components"]
            .as_array()
            .unwrap()
            .iter()
            .find(|c| c["bom-ref"] == "pkg:cargo/cc@1.0.0")
            .unwrap();
        assert_eq!(cc["scope"], "excluded");
    }
}
