//! The format-neutral model of one inspected binary (docs/report.md#artifact).
//!
//! The parsers in `inspect/` fill a [`Parsed`] from the bytes; `analysis/` derives the
//! rest (requirements, hazards, verdict) and produces an [`Artifact`]; `report/`
//! renders artifacts. Field order here is the field order of the JSON report, so it is
//! part of the API: add fields, never reorder or rename them within a schema version.
//! Every struct denies unknown fields, so reading a report back is a strict check
//! (tests/cli/schema.rs); docs/report.schema.json describes the same shape.

use serde::{Deserialize, Serialize};

/// The name a value has in the JSON report (`static-pie`, `glibc`, …), for text output.
pub fn wire_name<T: Serialize>(v: &T) -> String {
    serde_json::to_value(v)
        .ok()
        .and_then(|v| v.as_str().map(str::to_owned))
        .unwrap_or_default()
}

/// Container format of the file.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Format {
    Elf,
    Macho,
    Pe,
    /// AIX's XCOFF (32- and 64-bit).
    Xcoff,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Endian {
    Little,
    Big,
}

/// The operating system a binary is for.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Os {
    Linux,
    Freebsd,
    Netbsd,
    Openbsd,
    Solaris,
    Illumos,
    Aix,
    Android,
    /// OpenHarmony (and HarmonyOS NEXT): musl-based, told by its `.note.ohos.ident`.
    Openharmony,
    Macos,
    Ios,
    Tvos,
    Watchos,
    Maccatalyst,
    Visionos,
    /// Another Apple platform (bridgeOS, DriverKit, …).
    Apple,
    Windows,
    Unknown,
}

impl Os {
    pub const ALL: &'static [Os] = &[
        Os::Linux,
        Os::Freebsd,
        Os::Netbsd,
        Os::Openbsd,
        Os::Solaris,
        Os::Illumos,
        Os::Aix,
        Os::Android,
        Os::Openharmony,
        Os::Macos,
        Os::Ios,
        Os::Tvos,
        Os::Watchos,
        Os::Maccatalyst,
        Os::Visionos,
        Os::Apple,
        Os::Windows,
        Os::Unknown,
    ];

    /// The wire name, as in the JSON report.
    pub fn as_str(self) -> &'static str {
        match self {
            Os::Linux => "linux",
            Os::Freebsd => "freebsd",
            Os::Netbsd => "netbsd",
            Os::Openbsd => "openbsd",
            Os::Solaris => "solaris",
            Os::Illumos => "illumos",
            Os::Aix => "aix",
            Os::Android => "android",
            Os::Openharmony => "openharmony",
            Os::Macos => "macos",
            Os::Ios => "ios",
            Os::Tvos => "tvos",
            Os::Watchos => "watchos",
            Os::Maccatalyst => "maccatalyst",
            Os::Visionos => "visionos",
            Os::Apple => "apple",
            Os::Windows => "windows",
            Os::Unknown => "unknown",
        }
    }
}

impl std::fmt::Display for Os {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.pad(self.as_str())
    }
}

/// What kind of object the file is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum Kind {
    Executable,
    SharedLibrary,
    /// Relocatable objects, core dumps, Mach-O bundles and anything else.
    Other,
}

/// How the binary gets its code at run time.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum Linkage {
    /// No interpreter and no needed libraries, fixed load address.
    Static,
    /// No interpreter and no needed libraries, position independent (relocates itself).
    StaticPie,
    /// Needs a loader and/or shared libraries.
    Dynamic,
}

/// The C library the binary was built against.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Libc {
    Glibc,
    Musl,
    Bionic,
    Libsystem,
    Msvcrt,
    Ucrt,
    /// FreeBSD's own C library (`libc.so.7`, base system).
    #[serde(rename = "freebsd-libc")]
    FreebsdLibc,
    /// NetBSD's own C library (`libc.so.12`, base system).
    #[serde(rename = "netbsd-libc")]
    NetbsdLibc,
    /// OpenBSD's own C library (`libc.so.<major>.<minor>`, base system).
    #[serde(rename = "openbsd-libc")]
    OpenbsdLibc,
    /// The C library of Solaris and illumos (`libc.so.1`, system).
    #[serde(rename = "solaris-libc")]
    SolarisLibc,
    /// AIX's C library (`libc.a`, its `shr.o`/`shr_64.o` member, system).
    #[serde(rename = "aix-libc")]
    AixLibc,
    None,
    Unknown,
}

/// Whether a needed library can be assumed on the target OS.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum LibraryClass {
    /// Always present on that OS (glibc family, libSystem, Windows' own DLLs, ...).
    System,
    /// Must be shipped or installed with the binary.
    External,
}

/// How a library is referenced.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum LibraryLoad {
    /// ELF DT_NEEDED, Mach-O LC_LOAD_DYLIB, PE import directory, XCOFF import file ID.
    Needed,
    /// Mach-O LC_LOAD_WEAK_DYLIB: missing at run time is tolerated.
    Weak,
    /// Mach-O LC_REEXPORT_DYLIB.
    Reexport,
    /// Mach-O LC_LAZY_LOAD_DYLIB.
    Lazy,
    /// Mach-O LC_LOAD_UPWARD_DYLIB.
    Upward,
    /// PE delay-import directory: loaded on first call.
    Delay,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Library {
    pub name: String,
    pub class: LibraryClass,
    pub load: LibraryLoad,
    /// Mach-O only: `compatibility version` as otool prints it.
    #[serde(skip_serializing_if = "Option::is_none", default)]
    pub compatibility_version: Option<String>,
    /// Mach-O only: `current version` as otool prints it.
    #[serde(skip_serializing_if = "Option::is_none", default)]
    pub current_version: Option<String>,
    /// The crates (`name@version`) that asked for it (a build script's `cargo:rustc-link-lib`, or code
    /// of theirs calling into it), from the link's inputs (`cargo
    /// portable build`, `why`); omitted when unknown (a binary built elsewhere).
    #[serde(skip_serializing_if = "Vec::is_empty", default)]
    pub origin: Vec<String>,
}

/// A symbol resolved at load time.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Import {
    pub name: String,
    /// ELF symbol version (`GLIBC_2.34`); `None` when unversioned.
    pub version: Option<String>,
    /// The library expected to provide it: ELF verneed file, Mach-O two-level
    /// namespace dylib, PE DLL. `None` when the format does not say (flat lookup).
    pub library: Option<String>,
    pub weak: bool,
    /// PE imports by ordinal have no name; `name` is then `#<ordinal>`.
    #[serde(skip_serializing_if = "Option::is_none", default)]
    pub ordinal: Option<u32>,
    /// The crates (`name@version`) whose objects in the link reference it, from the link's inputs (`cargo
    /// portable build`, `why`); omitted when unknown (a binary built elsewhere).
    #[serde(skip_serializing_if = "Vec::is_empty", default)]
    pub origin: Vec<String>,
}

/// A minimum version of a versioned library, with the evidence.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct VersionRequirement {
    /// Dotted number, e.g. `2.34`.
    pub version: String,
    /// The non-weak imports at exactly that version (sorted, unique). Version needs
    /// that no symbol carries (e.g. `GLIBC_ABI_DT_RELR`) are listed by their name.
    pub forced_by: Vec<String>,
    /// Per forcing symbol (in the order of `forced_by`), the crates (`name@version`)
    /// whose objects in the link reference it; omitted when unknown.
    #[serde(skip_serializing_if = "Vec::is_empty", default)]
    pub origin: Vec<SymbolOrigin>,
}

/// The crates behind one symbol.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct SymbolOrigin {
    pub symbol: String,
    /// `name@version`, sorted.
    pub crates: Vec<String>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct WindowsRequirement {
    /// `console`, `gui`, ...
    pub subsystem: String,
    /// Minimum subsystem version from the optional header, e.g. `6.0`.
    pub subsystem_version: String,
    /// The oldest Windows release the binary can run on: the later of what the
    /// subsystem version allows and what the imports need.
    pub minimum: Option<String>,
    /// Imports that need a later release than the subsystem version
    /// (`DLL!function`, from `targets/windows-api.toml`).
    pub forced_by: Vec<String>,
}

#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Requires {
    pub glibc: Option<VersionRequirement>,
    pub glibcxx: Option<VersionRequirement>,
    pub cxxabi: Option<VersionRequirement>,
    pub gcc: Option<VersionRequirement>,
    /// Minimum macOS from LC_BUILD_VERSION / LC_VERSION_MIN_MACOSX.
    pub macos: Option<String>,
    /// Mach-O SDK the binary was built with.
    pub macos_sdk: Option<String>,
    pub windows: Option<WindowsRequirement>,
    /// Minimum Linux kernel: from `.note.ABI-tag` where present (glibc), otherwise
    /// a note on where the figure comes from.
    pub linux_kernel: Option<String>,
    /// Minimum FreeBSD release: the later of the ABI note's `__FreeBSD_version` and
    /// what the `FBSD_1.x` symbol versions need.
    pub freebsd: Option<VersionRequirement>,
    /// Minimum NetBSD release: the ABI note's `__NetBSD_Version__`.
    pub netbsd: Option<VersionRequirement>,
    /// The CPU level the code needs beyond the architecture's baseline: `x86-64-v3`
    /// from `GOAMD64=v3` or `.note.gnu.property`'s x86 ISA needed bits, `armv7` from
    /// `GOARM=7`.
    #[serde(default)]
    pub cpu: Option<VersionRequirement>,
    /// Minimum Android API level: `.note.android.ident`'s (`24`; `forced_by` names the
    /// note and the Android release, from `targets/android.toml`).
    #[serde(default)]
    pub android: Option<VersionRequirement>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Distribution {
    // shared with the table every report's runs_on copies them from (src/data.rs)
    pub name: std::sync::Arc<str>,
    pub release: std::sync::Arc<str>,
    pub glibc: std::sync::Arc<str>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RunsOn {
    /// One line for people, e.g. `any x86_64 Linux ≥ 3.2` or `glibc ≥ 2.28: RHEL 8+, …`.
    pub summary: String,
    /// True when no distribution constraint applies (static, or no glibc requirement).
    pub any: bool,
    /// The releases from `targets/glibc.toml` whose glibc satisfies the requirement and,
    /// where the release's exports are measured (`targets/inventories/`), that export
    /// every GLIBC_, GLIBCXX_, CXXABI_, GCC_ and ZLIB_ version the binary needs.
    pub distributions: Vec<Distribution>,
    /// The releases whose glibc is new enough but whose measured exports lack a version
    /// the binary needs (RHEL 9: libstdc++ lacks GLIBCXX_3.4.30); omitted when none.
    #[serde(skip_serializing_if = "Vec::is_empty", default)]
    pub excluded: Vec<ExcludedRelease>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ExcludedRelease {
    pub name: String,
    pub release: String,
    /// Each missing need, as `library lacks VERSION` (`libstdc++ lacks GLIBCXX_3.4.30`).
    pub missing: Vec<String>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct LinkerInfo {
    /// `lld`, `gnu-ld`, `gold`, `mold`, `ld64`, `zig`, `lld-link`, `msvc-link`, `unknown`.
    pub name: String,
    pub version: Option<String>,
    /// What in the binary says so (e.g. `.comment: Linker: LLD 19.1.7`).
    pub evidence: String,
    /// True when the name is deduced from the absence of other linkers' marks.
    pub inferred: bool,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Relro {
    None,
    Partial,
    Full,
}

#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Hardening {
    /// ELF PIE / Mach-O MH_PIE / PE DYNAMIC_BASE.
    pub pie: bool,
    /// ELF only.
    pub relro: Option<Relro>,
    /// Non-executable stack and data (ELF PT_GNU_STACK, PE NX_COMPAT, Mach-O default).
    pub nx: bool,
    /// References `__stack_chk_fail` / `__stack_chk_guard`.
    pub stack_canary: bool,
    /// Uses `_FORTIFY_SOURCE` checked functions (`__memcpy_chk`, ...).
    pub fortify: bool,
    /// The fortified functions found, sorted.
    pub fortified: Vec<String>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Severity {
    Info,
    Warning,
    Error,
}

/// Every hazard code the analysis reports. The wire name (`static-glibc-nss`, …) is
/// stable: it is what [`Hazard::code`] holds, what `expect` matches and what people
/// grep for. Severity, message and fix of each code are in `analysis::hazards`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum HazardCode {
    /// Static glibc that calls into the Name Service Switch.
    StaticGlibcNss,
    /// Static glibc that loads shared objects at run time.
    StaticGlibcDlopen,
    /// The requested loader belongs to another C library than the needed ones.
    InterpreterLibcMismatch,
    /// An executable linked dynamically against musl.
    MuslDynamic,
    /// Imports of `GLIBC_PRIVATE` symbols.
    GlibcPrivate,
    /// The stack is (or defaults to) executable.
    ExecutableStack,
    /// ELF DT_TEXTREL.
    TextRelocations,
    /// PE without NX_COMPAT.
    NoNx,
    /// RPATH/RUNPATH/LC_RPATH entries that only resolve on the build machine.
    RpathBuildPath,
    /// Needed libraries named by a path on the build machine.
    LibraryBuildPath,
    /// Linked against another C library than the target triple says.
    TargetLibcMismatch,
    /// A PE that needs the Visual C++ runtime, which Windows does not include.
    MsvcRuntime,
    /// A musl binary that starts threads with musl's own allocator.
    MuslMalloc,
}

impl HazardCode {
    pub const ALL: &'static [HazardCode] = &[
        HazardCode::StaticGlibcNss,
        HazardCode::StaticGlibcDlopen,
        HazardCode::InterpreterLibcMismatch,
        HazardCode::MuslDynamic,
        HazardCode::GlibcPrivate,
        HazardCode::ExecutableStack,
        HazardCode::TextRelocations,
        HazardCode::NoNx,
        HazardCode::RpathBuildPath,
        HazardCode::LibraryBuildPath,
        HazardCode::TargetLibcMismatch,
        HazardCode::MsvcRuntime,
        HazardCode::MuslMalloc,
    ];

    /// The wire name, as in the JSON report.
    pub fn as_str(self) -> &'static str {
        match self {
            HazardCode::StaticGlibcNss => "static-glibc-nss",
            HazardCode::StaticGlibcDlopen => "static-glibc-dlopen",
            HazardCode::InterpreterLibcMismatch => "interpreter-libc-mismatch",
            HazardCode::MuslDynamic => "musl-dynamic",
            HazardCode::GlibcPrivate => "glibc-private",
            HazardCode::ExecutableStack => "executable-stack",
            HazardCode::TextRelocations => "text-relocations",
            HazardCode::NoNx => "no-nx",
            HazardCode::RpathBuildPath => "rpath-build-path",
            HazardCode::LibraryBuildPath => "library-build-path",
            HazardCode::TargetLibcMismatch => "target-libc-mismatch",
            HazardCode::MsvcRuntime => "msvc-runtime",
            HazardCode::MuslMalloc => "musl-malloc",
        }
    }
}

impl HazardCode {
    /// The code by its wire name; `None` for a code this version does not know.
    pub fn from_wire(code: &str) -> Option<HazardCode> {
        HazardCode::ALL.iter().copied().find(|c| c.as_str() == code)
    }

    /// One line on what the code means (SARIF's rule description, `--help`-style).
    pub fn about(self) -> &'static str {
        match self {
            HazardCode::StaticGlibcNss => {
                "A static glibc binary that calls into the Name Service Switch, which loads shared modules at run time"
            }
            HazardCode::StaticGlibcDlopen => {
                "A static glibc binary that loads shared objects at run time (dlopen, iconv)"
            }
            HazardCode::InterpreterLibcMismatch => {
                "The requested loader belongs to another C library than the needed ones"
            }
            HazardCode::MuslDynamic => "An executable linked dynamically against musl",
            HazardCode::GlibcPrivate => "Imports of glibc-internal GLIBC_PRIVATE symbols",
            HazardCode::ExecutableStack => "The stack is (or defaults to) executable",
            HazardCode::TextRelocations => "Text relocations (DT_TEXTREL)",
            HazardCode::NoNx => "A PE without NX_COMPAT",
            HazardCode::RpathBuildPath => {
                "Library search paths that only resolve on the build machine"
            }
            HazardCode::LibraryBuildPath => "Needed libraries named by a path on the build machine",
            HazardCode::TargetLibcMismatch => {
                "Linked against another C library than the target triple says"
            }
            HazardCode::MsvcRuntime => {
                "A PE that needs the Visual C++ runtime, which Windows does not include"
            }
            HazardCode::MuslMalloc => {
                "A threaded musl binary that allocates with musl's own malloc, slow under concurrency"
            }
        }
    }
}

impl std::fmt::Display for HazardCode {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.pad(self.as_str())
    }
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Hazard {
    /// Stable kebab-case code, e.g. `static-glibc-nss`: a [`HazardCode`]'s wire name
    /// (kept a string so that a report read back may carry codes of a later version).
    pub code: String,
    pub severity: Severity,
    pub message: String,
    pub hint: String,
    /// The symbols, libraries or paths that triggered it.
    pub evidence: Vec<String>,
    /// The crates (`name@version`) behind its evidence, from the link's inputs (`cargo
    /// portable build`, `why`); omitted when unknown (a binary built elsewhere).
    #[serde(skip_serializing_if = "Vec::is_empty", default)]
    pub origin: Vec<String>,
}

/// A crate cargo-auditable recorded in the binary (its `.dep-v0` section).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Crate {
    pub name: String,
    pub version: String,
    /// As cargo-auditable writes it: `crates.io`, `local`, `git`, `registry`, or
    /// another registry's name.
    pub source: String,
    /// Compiled for a build script or proc macro (cargo-auditable's `kind: build`),
    /// not linked into the binary.
    pub build: bool,
}

/// What a Go binary says about how it was built: `go version -m`, read by
/// `inspect::gobuild`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct GoBuildInfo {
    /// The Go toolchain that built it (`go1.19.8`); `None` when the header was gone
    /// and no version string was found.
    pub version: Option<String>,
    /// The main package's import path (`example.com/tool/cmd/tool`).
    pub path: Option<String>,
    /// The module that holds the main package.
    pub main: Option<GoModule>,
    /// Every dependency module, in the binary's order.
    pub deps: Vec<GoModule>,
    /// The build settings, in the binary's order (`-compiler`, `CGO_ENABLED`,
    /// `GOARCH`, `GOOS`, `GOAMD64`, `vcs.revision`, …).
    pub settings: Vec<GoSetting>,
    /// How it was found.
    pub found: GoFound,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct GoModule {
    pub path: String,
    pub version: String,
    /// The `go.sum` hash (`h1:…`); `None` for the main module built from a checkout
    /// and for a replaced module.
    pub sum: Option<String>,
    /// The module that replaced it (a `replace` directive).
    pub replace: Option<Box<GoModule>>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct GoSetting {
    pub key: String,
    pub value: String,
}

/// Where the build information came from.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum GoFound {
    /// The `\xff Go buildinf:` header, strings inline (Go 1.18 and later).
    HeaderInline,
    /// The header, strings through pointers (Go 1.13 to 1.17).
    HeaderPointers,
    /// No header: the module text's sentinels and the version string.
    Sentinels,
}

impl GoBuildInfo {
    /// A build setting's value (`GOOS`, `CGO_ENABLED`, `-ldflags`, …).
    pub fn setting(&self, key: &str) -> Option<&str> {
        self.settings
            .iter()
            .find(|s| s.key == key)
            .map(|s| s.value.as_str())
    }
}

/// Where a universal (fat) Mach-O slice sits in its file.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Slice {
    pub index: usize,
    pub offset: u64,
    pub size: u64,
}

/// One inspected executable or library (one entry per slice of a universal Mach-O).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Artifact {
    pub path: String,
    /// Size of the whole file in bytes.
    pub size: u64,
    /// SHA-256 of the whole file, lowercase hex; `None` with `inspect --no-hash`.
    pub sha256: Option<String>,
    pub format: Format,
    /// Rust-style architecture name: `x86_64`, `aarch64`, `x86`, `arm`, `riscv64`, ...
    pub arch: String,
    pub bits: u8,
    pub endian: Endian,
    /// `linux`, `macos`, `windows`, `freebsd`, `android`, ... or `unknown`.
    pub os: Os,
    pub kind: Kind,
    /// Present for a slice of a universal Mach-O.
    pub slice: Option<Slice>,
    pub linkage: Linkage,
    pub libc: Libc,
    pub interpreter: Option<String>,
    pub rpath: Vec<String>,
    pub runpath: Vec<String>,
    pub libraries: Vec<Library>,
    pub imports: Vec<Import>,
    /// The crates cargo-auditable recorded in the binary; `None` when it carries no
    /// `.dep-v0` section (built without `cargo auditable`).
    #[serde(default)]
    pub crates: Option<Vec<Crate>>,
    /// Go's build information (Go version, modules, build settings); `None` for a
    /// binary that is not Go's.
    #[serde(default)]
    pub go: Option<GoBuildInfo>,
    pub requires: Requires,
    pub runs_on: RunsOn,
    pub linker: LinkerInfo,
    pub hardening: Hardening,
    pub hazards: Vec<Hazard>,
    pub portable: bool,
    pub verdict: String,
    /// `--prove RELEASES`: the binary loaded by each release's own loader in a root of
    /// its packages; omitted without `--prove`.
    #[serde(skip_serializing_if = "Option::is_none", default)]
    pub proofs: Option<Vec<Proof>>,
}

/// What a proof found: the release's loader resolved every library and version, it
/// refused one, or the proof could not be made.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum ProofResult {
    Loads,
    Refused,
    NotRun,
}

impl ProofResult {
    pub fn as_str(self) -> &'static str {
        match self {
            ProofResult::Loads => "loads",
            ProofResult::Refused => "refused",
            ProofResult::NotRun => "not-run",
        }
    }
}

/// One `--prove` release for one artifact.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Proof {
    /// The release as given to `--prove` (`debian-11`).
    pub release: String,
    /// The archive's architecture name (`amd64`, `arm64`, `armhf`).
    pub arch: String,
    pub result: ProofResult,
    /// The loader's own message (`version 'GLIBC_2.34' not found (required by …)`), a
    /// note (a static binary: nothing was resolved), or why the proof was not run.
    pub message: String,
    /// The runs_on release the proof checks (`Debian 11 (bullseye)`); `None` when the
    /// release has no row in targets/glibc.toml.
    pub claim: Option<String>,
    /// Whether runs_on claims `claim`.
    pub claimed: bool,
    /// Whether the proof agrees with runs_on: loads where claimed, refused where not;
    /// `None` when not run or there is no claim to check.
    pub agrees: Option<bool>,
}

/// A file that could not be inspected.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ErrorEntry {
    pub path: String,
    pub error: String,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn os_names_print_as_they_serialize() {
        for os in Os::ALL {
            assert_eq!(os.as_str(), wire_name(os));
            assert_eq!(os.to_string(), wire_name(os));
        }
    }

    #[test]
    fn hazard_codes_print_as_they_serialize() {
        for c in HazardCode::ALL {
            assert_eq!(c.as_str(), wire_name(c));
            assert_eq!(c.to_string(), wire_name(c));
        }
    }
}
