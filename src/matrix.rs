//! The matrix file (docs/matrix.md#the-file): parsing and validation. Pure: text in, matrix or
//! an error naming the file, the line and the key out.

mod rules;

use std::collections::BTreeMap;
use std::fmt;

use serde::{Deserialize, Serialize};
use toml::Spanned;

pub use self::rules::Rule;
use crate::platform::Triple;
use crate::version::Version;

/// The built-in matrix, compiled in.
pub const DEFAULT_MATRIX: &str = include_str!("../targets/default.toml");
pub const DEFAULT_MATRIX_NAME: &str = "targets/default.toml (built in)";
/// The wide built-in matrix (`--matrix wide`): every Linux architecture, FreeBSD,
/// 32-bit Windows.
pub const WIDE_MATRIX: &str = include_str!("../targets/wide.toml");
pub const WIDE_MATRIX_NAME: &str = "targets/wide.toml (built in)";

/// The built-in matrices by the name `--matrix` takes: the text and the source name.
pub const BUILTIN: &[(&str, &str, &str)] = &[
    ("default", DEFAULT_MATRIX, DEFAULT_MATRIX_NAME),
    ("wide", WIDE_MATRIX, WIDE_MATRIX_NAME),
];

/// The built-in matrix `--matrix NAME` names (`default`, `wide`): its text and source
/// name. A file of that name, where one exists, wins (the caller checks).
pub fn builtin(name: &str) -> Option<(&'static str, &'static str)> {
    BUILTIN
        .iter()
        .find(|(n, _, _)| *n == name)
        .map(|(_, text, source)| (*text, *source))
}

/// What links a variant.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum LinkerSpec {
    /// The toolchain's rust-lld, self-contained where the target allows.
    Internal,
    /// The system C compiler driver for the target, with its default linker.
    External,
    /// `cargo zigbuild`.
    Zig,
    /// A named linker program.
    Program(String),
}

impl LinkerSpec {
    pub fn as_str(&self) -> &str {
        match self {
            LinkerSpec::Internal => "internal",
            LinkerSpec::External => "external",
            LinkerSpec::Zig => "zig",
            LinkerSpec::Program(p) => p,
        }
    }
}

impl<'de> Deserialize<'de> for LinkerSpec {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let s = String::deserialize(d)?;
        Ok(match s.as_str() {
            "internal" => LinkerSpec::Internal,
            "external" => LinkerSpec::External,
            "zig" => LinkerSpec::Zig,
            "" => return Err(serde::de::Error::custom("linker must not be empty")),
            _ => LinkerSpec::Program(s),
        })
    }
}

/// Expected linkage.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum ExpectLinkage {
    /// static or static-pie
    Static,
    StaticPie,
    Dynamic,
    Any,
}

impl ExpectLinkage {
    pub const ALL: [ExpectLinkage; 4] = [
        ExpectLinkage::Static,
        ExpectLinkage::StaticPie,
        ExpectLinkage::Dynamic,
        ExpectLinkage::Any,
    ];

    /// The name, as in a matrix and on the command line.
    pub fn as_str(self) -> &'static str {
        match self {
            ExpectLinkage::Static => "static",
            ExpectLinkage::StaticPie => "static-pie",
            ExpectLinkage::Dynamic => "dynamic",
            ExpectLinkage::Any => "any",
        }
    }

    /// What the name means, where it says more than the name.
    pub fn help(self) -> Option<&'static str> {
        (self == ExpectLinkage::Static).then_some("static or static-pie")
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum ExpectHazards {
    None,
    Any,
}

/// What a smoke run does (docs/report.md#smoke-build---run).
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
#[serde(untagged)]
pub enum Smoke {
    /// `version`, `ipc` or `none`
    Named(String),
    /// a command line: program and arguments
    Command(Vec<String>),
}

/// A hardening property `require` asks for; [`Hardening::help`] says what each is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum Hardening {
    Pie,
    Relro,
    FullRelro,
    Nx,
    Canary,
    Fortify,
}

impl Hardening {
    pub const ALL: [Hardening; 6] = [
        Hardening::Pie,
        Hardening::Relro,
        Hardening::FullRelro,
        Hardening::Nx,
        Hardening::Canary,
        Hardening::Fortify,
    ];

    /// What the property is.
    pub fn help(self) -> &'static str {
        match self {
            Hardening::Pie => {
                "Position independent (ELF ET_DYN executable, Mach-O MH_PIE, PE DYNAMIC_BASE)"
            }
            Hardening::Relro => {
                "Partial or full RELRO (ELF only; other formats have no RELRO to ask for)"
            }
            Hardening::FullRelro => "Full RELRO (RELRO and BIND_NOW; ELF only)",
            Hardening::Nx => "Non-executable stack and data",
            Hardening::Canary => "Stack protector references",
            Hardening::Fortify => "`_FORTIFY_SOURCE` checked functions",
        }
    }

    pub fn as_str(self) -> &'static str {
        match self {
            Hardening::Pie => "pie",
            Hardening::Relro => "relro",
            Hardening::FullRelro => "full-relro",
            Hardening::Nx => "nx",
            Hardening::Canary => "canary",
            Hardening::Fortify => "fortify",
        }
    }
}

/// What a variant's binaries must satisfy: `[variant.expect]` in a matrix, a `check
/// --policy` file, or `check`'s flags. Every key is optional; an absent key checks
/// nothing.
#[derive(Debug, Clone, Default, PartialEq, Eq, Deserialize)]
#[serde(deny_unknown_fields, rename_all = "kebab-case")]
pub struct Expect {
    pub linkage: Option<ExpectLinkage>,
    pub max_glibc: Option<Spanned<String>>,
    pub libraries: Option<Vec<String>>,
    pub hazards: Option<ExpectHazards>,
    /// Distribution releases the binaries must run on (`rhel-7`, `debian-11`,
    /// `ubuntu-20.04`), resolved from `targets/glibc.toml`.
    pub runs_on: Option<Spanned<Vec<String>>>,
    /// Hazard codes that are violations whatever their severity.
    pub deny_hazards: Option<Spanned<Vec<String>>>,
    /// The oldest macOS the binaries must run on: a higher minimum is a violation.
    pub min_macos: Option<Spanned<String>>,
    /// Hardening properties every binary must have.
    pub require: Option<Vec<Hardening>>,
}

/// A problem with one value of an expectation: the key and the message.
pub fn validate_expect(e: &Expect) -> Result<(), (std::ops::Range<usize>, &'static str, String)> {
    for (key, v) in [
        (Rule::MaxGlibc.key(), &e.max_glibc),
        (Rule::MinMacos.key(), &e.min_macos),
    ] {
        if let Some(m) = v {
            if Version::parse(m.get_ref()).is_none() {
                return Err((
                    m.span(),
                    key,
                    format!("{:?} is not a version like \"2.17\"", m.get_ref()),
                ));
            }
        }
    }
    if let Some(names) = &e.runs_on {
        for n in names.get_ref() {
            if crate::data::tables().find_release(n).is_none() {
                return Err((
                    names.span(),
                    Rule::RunsOn.key(),
                    format!(
                        "{n:?} is not a distribution release of targets/glibc.toml \
                         (names like rhel-7, debian-11, ubuntu-20.04, sles-15-sp6, amazon-linux-2)"
                    ),
                ));
            }
        }
    }
    if let Some(codes) = &e.deny_hazards {
        for c in codes.get_ref() {
            if !crate::model::HazardCode::ALL
                .iter()
                .any(|k| k.as_str() == c)
            {
                let all: Vec<&str> = crate::model::HazardCode::ALL
                    .iter()
                    .map(|k| k.as_str())
                    .collect();
                return Err((
                    codes.span(),
                    Rule::DenyHazards.key(),
                    format!("{c:?} is not a hazard code (one of {})", all.join(", ")),
                ));
            }
        }
    }
    Ok(())
}

/// Parse a `check --policy` file: the keys of `[variant.expect]` at the top level.
pub fn parse_policy(text: &str, file: &str) -> Result<Expect, MatrixError> {
    let e: Expect = toml::from_str(text).map_err(|e| toml_error(&e, text, file))?;
    validate_expect(&e).map_err(|(span, key, message)| MatrixError {
        file: file.to_owned(),
        line: Some(line_of(text, span.start)),
        key: Some(key.to_owned()),
        message,
    })?;
    Ok(e)
}

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields, rename_all = "kebab-case")]
pub struct Variant {
    pub id: Spanned<String>,
    pub target: Spanned<String>,
    pub linker: Spanned<LinkerSpec>,
    pub crt_static: Option<bool>,
    pub glibc: Option<Spanned<String>>,
    #[serde(default)]
    pub rustflags: Vec<String>,
    /// Cargo features for this variant only, added to `--features`
    /// (`["openssl/vendored"]`: vendor where there is no system library).
    #[serde(default)]
    pub features: Vec<String>,
    /// Releases of targets/prove.toml this variant's Linux glibc binaries are proven
    /// in after building, as `build --prove` does for every variant
    /// (`["debian-11", "debian-12"]`).
    pub prove: Option<Spanned<Vec<String>>>,
    #[serde(default)]
    pub optional: bool,
    pub smoke: Option<Smoke>,
    /// Run the smoke after building, as `build --run` does for every variant.
    #[serde(default)]
    pub run: bool,
    #[serde(default)]
    pub expect: Expect,
}

impl Variant {
    /// Whether the variant's smoke runs (`all`: `--run`, every variant's).
    pub fn smoke_wanted(&self, all: bool) -> bool {
        all || self.run
    }

    pub fn id(&self) -> &str {
        self.id.get_ref()
    }
    pub fn target(&self) -> &str {
        self.target.get_ref()
    }
    /// The target, parsed.
    pub fn triple(&self) -> Triple<'_> {
        Triple::parse(self.target())
    }
    pub fn linker(&self) -> &LinkerSpec {
        self.linker.get_ref()
    }
    /// The `prove` key's releases (validated when the matrix was parsed).
    pub fn prove(&self) -> &[String] {
        self.prove.as_ref().map_or(&[], |p| p.get_ref().as_slice())
    }
    pub fn glibc(&self) -> Option<&str> {
        self.glibc.as_ref().map(|g| g.get_ref().as_str())
    }
}

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
struct MatrixFile {
    /// Cargo features for every variant, before each variant's own.
    #[serde(default)]
    features: Vec<String>,
    /// The macOS SDK the apple variants link frameworks against (`SDKROOT` in the
    /// environment comes first).
    sdkroot: Option<String>,
    #[serde(default)]
    variant: Vec<Variant>,
}

/// A parsed, validated matrix.
#[derive(Debug, Clone)]
pub struct Matrix {
    /// Where it came from, for messages.
    pub source: String,
    /// SHA-256 of the text, lowercase hex: the same matrix wherever it is read.
    pub sha256: String,
    pub variants: Vec<Variant>,
    /// Its `sdkroot` key: the macOS SDK for frameworks, when `SDKROOT` is not set.
    pub sdkroot: Option<String>,
}

/// A problem with a matrix file, naming the file, the line and the key.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub struct MatrixError {
    pub file: String,
    pub line: Option<usize>,
    pub key: Option<String>,
    pub message: String,
}

impl fmt::Display for MatrixError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}", self.file)?;
        if let Some(l) = self.line {
            write!(f, ":{l}")?;
        }
        if let Some(k) = &self.key {
            write!(f, ": key `{k}`")?;
        }
        write!(f, ": {}", self.message)
    }
}

fn line_of(text: &str, offset: usize) -> usize {
    text[..offset.min(text.len())]
        .bytes()
        .filter(|b| *b == b'\n')
        .count()
        + 1
}

/// Parse and validate a matrix. `known_triples`, when given, is the list from
/// `rustc --print target-list`; `target` must be one of them.
pub fn parse(
    text: &str,
    file: &str,
    known_triples: Option<&[String]>,
) -> Result<Matrix, MatrixError> {
    let parsed: MatrixFile = toml::from_str(text).map_err(|e| toml_error(&e, text, file))?;
    if parsed.variant.is_empty() {
        return Err(MatrixError {
            file: file.to_owned(),
            line: None,
            key: Some("variant".into()),
            message: "no [[variant]] in the matrix".into(),
        });
    }
    let err = |span: std::ops::Range<usize>, key: &str, message: String| MatrixError {
        file: file.to_owned(),
        line: Some(line_of(text, span.start)),
        key: Some(key.to_owned()),
        message,
    };
    let mut seen: BTreeMap<String, usize> = BTreeMap::new();
    for v in &parsed.variant {
        validate_id(v, &mut seen, text).map_err(|m| err(v.id.span(), "id", m))?;
        if let Some(known) = known_triples {
            if !known.iter().any(|k| k == v.target()) {
                return Err(err(
                    v.target.span(),
                    "target",
                    format!(
                        "unknown target triple {:?} (see `rustc --print target-list` or `cargo portable targets`)",
                        v.target()
                    ),
                ));
            }
        }
        if let Some(g) = &v.glibc {
            validate_glibc(v, g.get_ref()).map_err(|m| err(g.span(), "glibc", m))?;
        }
        validate_expect(&v.expect).map_err(|(span, key, m)| err(span, key, m))?;
        if let Some(p) = v.prove.as_ref().filter(|p| !p.get_ref().is_empty()) {
            crate::data::parse_prove_releases(&p.get_ref().join(","))
                .map_err(|m| err(p.span(), "prove", m.replace("--prove: ", "")))?;
        }
        if let Some(Smoke::Named(s)) = &v.smoke {
            if !matches!(s.as_str(), "version" | "ipc" | "none") {
                return Err(err(
                    v.id.span(),
                    "smoke",
                    format!("{s:?}: expected version, ipc, none or a command array"),
                ));
            }
        }
    }
    let mut variants = parsed.variant;
    if !parsed.features.is_empty() {
        for v in &mut variants {
            let own = std::mem::take(&mut v.features);
            v.features = parsed.features.clone();
            v.features
                .extend(own.into_iter().filter(|f| !parsed.features.contains(f)));
        }
    }
    Ok(Matrix {
        source: file.to_owned(),
        sha256: sha256_hex(text.as_bytes()),
        variants,
        sdkroot: parsed.sdkroot.filter(|s| !s.is_empty()),
    })
}

fn sha256_hex(bytes: &[u8]) -> String {
    use sha2::Digest;
    sha2::Sha256::digest(bytes)
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect()
}

/// A TOML or serde error, with the line and the key serde names.
fn toml_error(e: &toml::de::Error, text: &str, file: &str) -> MatrixError {
    let line = e.span().map(|s| line_of(text, s.start));
    let msg = e.message().to_owned();
    // serde names the offending key in backticks: "unknown field `foo`, expected …"
    let key = msg
        .split('`')
        .nth(1)
        .filter(|_| msg.contains("field"))
        .map(str::to_owned);
    MatrixError {
        file: file.to_owned(),
        line,
        key,
        message: msg,
    }
}

/// Ids are unique and made of `[a-z0-9._-]`. `seen`: the ids so far, with their line.
fn validate_id(v: &Variant, seen: &mut BTreeMap<String, usize>, text: &str) -> Result<(), String> {
    let id = v.id();
    // docs/matrix.md#the-file: the built-in ids (linux-x86_64-gnu-2.17) need `_` and `.`
    let id_char = |b: u8| b.is_ascii_lowercase() || b.is_ascii_digit() || b"-_.".contains(&b);
    if id.is_empty() || !id.bytes().all(id_char) {
        return Err(format!("{id:?} must match [a-z0-9._-]+"));
    }
    if let Some(first) = seen.insert(id.to_owned(), line_of(text, v.id.span().start)) {
        return Err(format!(
            "duplicate variant id {id:?} (first defined on line {first})"
        ));
    }
    Ok(())
}

/// `glibc` pins the version through zig, on glibc targets, and is a version.
fn validate_glibc(v: &Variant, g: &str) -> Result<(), String> {
    if *v.linker() != LinkerSpec::Zig {
        return Err("`glibc` pins the glibc version through zig: it needs linker = \"zig\"".into());
    }
    if !v.triple().is_linux_gnu() {
        return Err(format!(
            "`glibc` only applies to *-linux-gnu targets, not {}",
            v.target()
        ));
    }
    if Version::parse(g).is_none() {
        return Err(format!("{g:?} is not a version like \"2.17\""));
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn matrix_wide_features_and_sdkroot() {
        let m = parse(
            "features = [\"openssl/vendored\"]\nsdkroot = \"/opt/MacOSX.sdk\"\n\
             [[variant]]\nid = \"a\"\ntarget = \"x86_64-unknown-linux-musl\"\nlinker = \"internal\"\n\
             [[variant]]\nid = \"b\"\ntarget = \"x86_64-unknown-linux-gnu\"\nlinker = \"internal\"\n\
             features = [\"serde\", \"openssl/vendored\"]\n",
            "m.toml",
            None,
        )
        .unwrap();
        assert_eq!(m.variants[0].features, ["openssl/vendored"]);
        assert_eq!(m.variants[1].features, ["openssl/vendored", "serde"]);
        assert_eq!(m.sdkroot.as_deref(), Some("/opt/MacOSX.sdk"));
        let bad = parse(
            "sdk = \"x\"\n[[variant]]\nid = \"a\"\ntarget = \"x86_64-unknown-linux-musl\"\nlinker = \"internal\"\n",
            "m.toml",
            None,
        );
        assert!(bad.is_err());
    }

    #[test]
    fn default_matrix_parses() {
        let m = parse(DEFAULT_MATRIX, DEFAULT_MATRIX_NAME, None).unwrap();
        assert!(m.variants.len() >= 12);
    }

    /// The built-in matrices' musl variants build the IPC server, whose tokio threads
    /// allocate. On musl it takes mimalloc as its allocator (ipc/Cargo.toml;
    /// docs/benchmarks.md has what musl's malloc cost it), so the default matrix's
    /// musl variants expect no hazard at all. The wide matrix's (i686, armv7, riscv64
    /// too) still allow `musl-malloc` as a warning and deny every other hazard code.
    #[test]
    fn builtin_musl_variants_expect_no_hazard_or_only_musl_malloc() {
        use crate::model::HazardCode;
        for (name, text, source) in BUILTIN {
            let m = parse(text, source, None).unwrap();
            let musl: Vec<_> = m.variants.iter().filter(|v| v.triple().is_musl()).collect();
            assert!(!musl.is_empty(), "{name}");
            for v in musl {
                let e = &v.expect;
                let denied = e.deny_hazards.as_ref().map(|d| d.get_ref().clone());
                if *name == "default" {
                    assert_eq!(e.hazards, Some(ExpectHazards::None), "{name}: {}", v.id());
                    assert_eq!(denied, None, "{name}: {}", v.id());
                    continue;
                }
                assert_eq!(e.hazards, Some(ExpectHazards::Any), "{name}: {}", v.id());
                let want: Vec<String> = HazardCode::ALL
                    .iter()
                    .filter(|c| **c != HazardCode::MuslMalloc)
                    .map(|c| c.as_str().to_owned())
                    .collect();
                assert_eq!(denied, Some(want), "{name}: {}", v.id());
            }
        }
    }

    #[test]
    fn the_wide_matrix_parses_and_covers_every_architecture() {
        let (text, name) = builtin("wide").unwrap();
        let m = parse(text, name, None).unwrap();
        let targets: Vec<&str> = m.variants.iter().map(|v| v.target()).collect();
        for t in [
            "i686-unknown-linux-gnu",
            "i686-unknown-linux-musl",
            "armv7-unknown-linux-gnueabihf",
            "armv7-unknown-linux-musleabihf",
            "aarch64-unknown-linux-gnu",
            "aarch64-unknown-linux-musl",
            "x86_64-unknown-linux-gnu",
            "x86_64-unknown-linux-musl",
            "riscv64gc-unknown-linux-gnu",
            "powerpc64le-unknown-linux-gnu",
            "s390x-unknown-linux-gnu",
            "loongarch64-unknown-linux-gnu",
            "x86_64-unknown-freebsd",
            "x86_64-unknown-netbsd",
            "i686-pc-windows-gnu",
            "x86_64-pc-windows-gnu",
            "x86_64-apple-darwin",
            "aarch64-apple-darwin",
        ] {
            assert!(targets.contains(&t), "{t} is not in the wide matrix");
        }
        assert!(m.variants.iter().all(|v| !v.run));
        assert_eq!(builtin("default").unwrap().0, DEFAULT_MATRIX);
        assert!(builtin("narrow").is_none());
    }

    #[test]
    fn unknown_key_names_key_and_line() {
        let t = "[[variant]]\nid = \"a\"\ntarget = \"x86_64-unknown-linux-gnu\"\nlinker = \"internal\"\nlinkr = 1\n";
        let e = parse(t, "m.toml", None).unwrap_err();
        assert_eq!(e.line, Some(5), "{e}");
        assert_eq!(e.key.as_deref(), Some("linkr"), "{e}");
        assert!(e.to_string().starts_with("m.toml:5: key `linkr`"), "{e}");
    }

    #[test]
    fn duplicate_id_and_glibc_without_zig() {
        let v = |id: &str, extra: &str| {
            format!("[[variant]]\nid = \"{id}\"\ntarget = \"x86_64-unknown-linux-gnu\"\nlinker = \"internal\"\n{extra}")
        };
        let e = parse(&(v("a", "") + &v("a", "")), "m.toml", None).unwrap_err();
        assert_eq!((e.line, e.key.as_deref()), (Some(6), Some("id")), "{e}");
        let e = parse(&v("a", "glibc = \"2.17\"\n"), "m.toml", None).unwrap_err();
        assert_eq!((e.line, e.key.as_deref()), (Some(5), Some("glibc")), "{e}");
    }

    #[test]
    fn run_and_smoke_per_variant() {
        let t = "[[variant]]\nid = \"a\"\ntarget = \"x86_64-unknown-linux-gnu\"\nlinker = \"internal\"\nrun = true\nsmoke = [\"app\", \"--check\"]\n";
        let m = parse(t, "m.toml", None).unwrap();
        assert!(m.variants[0].run);
        assert_eq!(
            m.variants[0].smoke,
            Some(Smoke::Command(vec!["app".into(), "--check".into()]))
        );
        let d = parse(DEFAULT_MATRIX, DEFAULT_MATRIX_NAME, None).unwrap();
        assert!(
            d.variants.iter().all(|v| !v.run),
            "the default matrix runs only with --run"
        );
    }

    #[test]
    fn expect_keys_are_validated_naming_key_and_line() {
        let v = "[[variant]]\nid = \"a\"\ntarget = \"x86_64-unknown-linux-gnu\"\nlinker = \"internal\"\n[variant.expect]\n";
        for (extra, key) in [
            ("runs-on = [\"debian-11\", \"rhel-77\"]\n", "runs-on"),
            ("deny-hazards = [\"no-such-hazard\"]\n", "deny-hazards"),
            ("min-macos = \"eleven\"\n", "min-macos"),
            // serde names the value, not the key, of an unknown enum variant
            ("require = [\"pie\", \"aslr\"]\n", "aslr"),
        ] {
            let e = parse(&format!("{v}{extra}"), "m.toml", None).unwrap_err();
            assert_eq!(e.line, Some(6), "{e}");
            assert!(e.to_string().contains(key), "{e}");
        }
        let ok = "runs-on = [\"rhel-7\"]\ndeny-hazards = [\"static-glibc-nss\"]\nmin-macos = \"11.0\"\nrequire = [\"pie\", \"nx\", \"full-relro\"]\n";
        let m = parse(&format!("{v}{ok}"), "m.toml", None).unwrap();
        assert_eq!(
            m.variants[0].expect.rules(),
            ["runs-on", "min-macos", "deny-hazards", "require"]
        );
    }

    #[test]
    fn a_policy_has_the_expect_keys_at_the_top_level() {
        let p = parse_policy("max-glibc = \"2.17\"\nlinkage = \"static\"\n", "p.toml").unwrap();
        assert_eq!(p.rules(), ["linkage", "max-glibc"]);
        let e = parse_policy("max-glibc = \"2.17\"\nmax-glbc = 1\n", "p.toml").unwrap_err();
        assert_eq!(
            (e.line, e.key.as_deref()),
            (Some(2), Some("max-glbc")),
            "{e}"
        );
    }

    #[test]
    fn unknown_triple() {
        let t = "[[variant]]\nid = \"a\"\ntarget = \"x86_64-unknown-linux-gnux\"\nlinker = \"internal\"\n";
        let known = vec!["x86_64-unknown-linux-gnu".to_owned()];
        let e = parse(t, "m.toml", Some(&known)).unwrap_err();
        assert_eq!((e.line, e.key.as_deref()), (Some(3), Some("target")), "{e}");
    }
}
