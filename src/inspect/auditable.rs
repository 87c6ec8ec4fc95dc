//! cargo-auditable's dependency list: a `.dep-v0` section (ELF section, Mach-O
//! `__DATA,.dep-v0`, PE section `.dep-v0`) holding zlib-compressed JSON,
//! `{"packages": [{"name", "version", "source", "kind"?, "dependencies"?, "root"?}]}`
//! (the format of the `auditable-serde` crate, rust-secure-code/cargo-auditable).

use serde::Deserialize;

use super::InspectError;
use crate::model::Crate;

/// The name of the section, in every format.
pub(super) const SECTION: &str = ".dep-v0";

/// The most the JSON may inflate to: cargo-auditable's own reader's default limit.
const MAX_JSON: usize = 8 * 1024 * 1024;

#[derive(Deserialize)]
struct VersionInfo {
    packages: Vec<Package>,
}

#[derive(Deserialize)]
struct Package {
    name: String,
    version: String,
    source: String,
    #[serde(default)]
    kind: Option<String>,
}

/// The crates `bytes` (a `.dep-v0` section's contents) lists, in the section's order.
pub(super) fn crates(format: &'static str, bytes: &[u8]) -> Result<Vec<Crate>, InspectError> {
    let bad = |detail: String| InspectError::Malformed {
        format,
        detail: format!("cargo-auditable section {SECTION}: {detail}"),
    };
    let json =
        miniz_oxide::inflate::decompress_to_vec_zlib_with_limit(bytes, MAX_JSON).map_err(|e| {
            bad(format!(
                "not zlib data within {MAX_JSON} bytes ({:?})",
                e.status
            ))
        })?;
    let info: VersionInfo = serde_json::from_slice(&json).map_err(|e| bad(format!("JSON: {e}")))?;
    Ok(info
        .packages
        .into_iter()
        .map(|p| Crate {
            name: p.name,
            version: p.version,
            source: p.source,
            build: p.kind.as_deref() == Some("build"),
        })
        .collect())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn zlib(s: &str) -> Vec<u8> {
        miniz_oxide::deflate::compress_to_vec_zlib(s.as_bytes(), 6)
    }

    #[test]
    fn reads_the_packages() {
        let j = r#"{"packages":[{"name":"hello","version":"0.1.0","source":"local","dependencies":[1],"root":true},{"name":"cc","version":"1.2.0","source":"crates.io","kind":"build"}]}"#;
        let c = crates("ELF", &zlib(j)).unwrap();
        assert_eq!(c.len(), 2);
        assert_eq!(
            (
                c[0].name.as_str(),
                c[0].version.as_str(),
                c[0].source.as_str(),
                c[0].build
            ),
            ("hello", "0.1.0", "local", false)
        );
        assert!(c[1].build);
    }

    #[test]
    fn bad_data_is_an_error_naming_the_section() {
        let e = crates("PE", b"not zlib").unwrap_err().to_string();
        assert!(
            e.starts_with("malformed PE: cargo-auditable section .dep-v0: not zlib"),
            "{e}"
        );
        let e = crates("ELF", &zlib("{\"packages\": 3}"))
            .unwrap_err()
            .to_string();
        assert!(e.contains("JSON"), "{e}");
    }
}
