//! Reading saved reports: JSON in, this version's strict types out, every error naming
//! the file. Shared by `merge`, `diff`, `check` and `build --baseline`.

use std::path::Path;

use anyhow::{bail, Context, Result};
use serde::de::IgnoredAny;
use serde::Deserialize;
use serde_json::Value;

use crate::report::variants::{BuildReport, MatrixId, Status, VariantLinker, VariantReport};
use crate::report::Report;

/// A saved report of either shape.
pub(super) enum Saved {
    Build(Box<BuildReport>),
    Inspect(Box<Report>),
}

/// What a first, cheap pass over a document finds: its version and its shape.
#[derive(Deserialize)]
struct Probe {
    schema_version: Option<Value>,
    variants: Option<IgnoredAny>,
    artifacts: Option<IgnoredAny>,
}

/// A JSON document read from a file, with its `schema_version` and shape.
pub(super) struct Doc {
    text: String,
    version: u64,
    build: bool,
    inspect: bool,
}

/// The JSON document of `path`, and its `schema_version`.
pub(super) fn read_json(path: &Path) -> Result<(Doc, u64)> {
    let text =
        std::fs::read_to_string(path).with_context(|| format!("reading {}", path.display()))?;
    let p: Probe = serde_json::from_str(&text)
        .with_context(|| format!("{}: not a JSON report", path.display()))?;
    let Some(version) = p.schema_version.as_ref().and_then(Value::as_u64) else {
        bail!(
            "{}: not a cargo-portable report (no schema_version)",
            path.display()
        );
    };
    let doc = Doc {
        text,
        version,
        build: p.variants.is_some(),
        inspect: p.artifacts.is_some(),
    };
    Ok((doc, version))
}

/// A saved report of this schema version, read strictly.
pub(super) fn read_saved(path: &Path, doc: Doc, version: u64) -> Result<Saved> {
    let this = crate::report::SCHEMA_VERSION as u64;
    debug_assert_eq!(doc.version, version);
    if version != this {
        bail!(
            "{}: schema_version {version}, this cargo-portable reads {this}",
            path.display()
        );
    }
    if doc.build {
        let r = serde_json::from_str(&doc.text)
            .with_context(|| format!("{}: not a valid build report", path.display()))?;
        Ok(Saved::Build(Box::new(r)))
    } else if doc.inspect {
        let r = serde_json::from_str(&doc.text)
            .with_context(|| format!("{}: not a valid inspect report", path.display()))?;
        Ok(Saved::Inspect(Box::new(r)))
    } else {
        bail!(
            "{}: neither a build report (variants) nor an inspect report (artifacts)",
            path.display()
        )
    }
}

/// A build report from `path`; an inspect report becomes one variant, `inspect`, with
/// its artifacts (so that `diff` compares two `inspect` reports too).
pub(super) fn read_build_like(path: &Path) -> Result<BuildReport> {
    let (doc, version) = read_json(path)?;
    Ok(match read_saved(path, doc, version)? {
        Saved::Build(r) => *r,
        Saved::Inspect(r) => inspect_as_build(*r),
    })
}

fn inspect_as_build(r: Report) -> BuildReport {
    let linker = VariantLinker {
        requested: "-".into(),
        program: "-".into(),
        detected: r.artifacts.first().map(|a| a.linker.name.clone()),
    };
    let v = VariantReport {
        artifacts: r.artifacts,
        host: Some(r.host.clone()),
        ..VariantReport::new("inspect", &r.host.triple, linker, Status::Built)
    };
    let m = MatrixId {
        source: "(inspect)".into(),
        sha256: None,
        variants: vec!["inspect".into()],
    };
    BuildReport::new(r.host, m, vec![v], r.errors)
}

/// Whether `path` looks like a JSON document (a file whose first non-blank byte is `{`).
pub(super) fn looks_like_json(path: &Path) -> bool {
    use std::io::Read;
    let Ok(mut f) = std::fs::File::open(path) else {
        return false;
    };
    let mut buf = [0u8; 64];
    let n = f.read(&mut buf).unwrap_or(0);
    buf[..n]
        .iter()
        .find(|b| !b.is_ascii_whitespace())
        .is_some_and(|b| *b == b'{')
}
