//! Parsing: bytes in, [`Parsed`] facts out. Pure: no file system, no processes.
//!
//! One module per container format fills the same format-neutral [`Parsed`]; the
//! derivations (libc, requirements, hazards, verdict) live in `crate::analysis`.

mod auditable;
mod elf;
pub mod gobuild;
mod macho;
mod pe;
pub(crate) mod symbols;
pub mod xcoff;

use crate::model::{Endian, Format, Import, Kind, LibraryLoad, Slice};

/// Why a file could not be inspected. Carries the evidence for the error entry.
#[derive(Debug, thiserror::Error, PartialEq, Eq)]
pub enum InspectError {
    #[error("not an object file (ELF, Mach-O, PE or XCOFF); starts with {magic}")]
    NotObject { magic: String },
    #[error("empty file")]
    Empty,
    #[error("malformed {format}: {detail}")]
    Malformed {
        format: &'static str,
        detail: String,
    },
    #[error("unsupported {format}: {detail}")]
    Unsupported {
        format: &'static str,
        detail: String,
    },
}

/// A needed library as the file names it, before classification.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RawLibrary {
    pub name: String,
    pub load: LibraryLoad,
    pub compatibility_version: Option<String>,
    pub current_version: Option<String>,
}

impl RawLibrary {
    /// A library named without versions (ELF DT_NEEDED, PE import directories).
    pub fn named(name: impl Into<String>, load: LibraryLoad) -> RawLibrary {
        RawLibrary {
            name: name.into(),
            load,
            compatibility_version: None,
            current_version: None,
        }
    }
}

/// ELF-specific facts the analysis needs.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct ElfFacts {
    /// e_type == ET_DYN.
    pub et_dyn: bool,
    pub soname: Option<String>,
    /// Every (file, version) pair of the version-needed section, in file order.
    pub version_needs: Vec<(String, String)>,
    /// `.note.ABI-tag`: (OS number, kernel version "3.2.0").
    pub abi_tag: Option<(u32, String)>,
    /// Other OS notes seen (`FreeBSD`, `NetBSD`, `OpenBSD`, `Android`, `OHOS`).
    pub os_note: Option<String>,
    /// `.note.android.ident`'s API level (the `__ANDROID_API__` it was built for).
    pub android_api: Option<u32>,
    /// The FreeBSD/NetBSD ABI note's value (`__FreeBSD_version`, e.g. 1400500).
    pub bsd_version: Option<u32>,
    /// `.comment` strings.
    pub comment: Vec<String>,
    /// `.note.gnu.gold-version` content.
    pub gold_version: Option<String>,
    pub has_relro: bool,
    pub bind_now: bool,
    pub flag_pie: bool,
    pub textrel: bool,
    /// PT_GNU_STACK: Some(true) = executable stack, None = no header.
    pub gnu_stack_exec: Option<bool>,
    /// Defined function/object names from `.symtab` (and `.dynsym`) that matter to
    /// the analysis; only collected for binaries without needed libraries, where the
    /// C library is linked in.
    pub static_symbols: Vec<String>,
    /// Whether the file has a `.symtab` at all (false when stripped).
    pub has_symtab: bool,
    /// A binary without needed libraries contains the string `libnss_` (glibc's NSS
    /// module loader): evidence when the symbol table is stripped.
    pub mentions_nss: bool,
    /// A binary without needed libraries contains musl's strerror text "No error
    /// information" (glibc says "Unknown error"): evidence of musl when stripped.
    pub mentions_musl: bool,
    /// What says the binary starts threads: `pthread_create` (imported or linked in),
    /// or in a stripped static binary Rust's `failed to spawn thread` message.
    pub starts_threads: Option<String>,
    /// A replacement allocator's mark (`jemalloc (_rjem_)`), looked for in binaries
    /// that start threads and do not need glibc.
    pub allocator: Option<String>,
    /// EI_OSABI from the ELF identification bytes.
    pub e_osabi: u8,
    /// `.note.gnu.property`'s `GNU_PROPERTY_X86_ISA_1_NEEDED` bits (1 baseline, 2
    /// x86-64-v2, 4 v3, 8 v4), as `-mneeded` or the linker leaves them.
    pub x86_isa_needed: Option<u32>,
}

/// Mach-O-specific facts.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct MachoFacts {
    /// (platform number, minimum OS, SDK) from LC_BUILD_VERSION / LC_VERSION_MIN_*.
    pub platform: Option<u32>,
    pub min_os: Option<String>,
    pub sdk: Option<String>,
    /// LC_BUILD_VERSION tools: (tool number, version).
    pub tools: Vec<(u32, String)>,
    pub flag_pie: bool,
    pub allow_stack_execution: bool,
    pub no_heap_execution: bool,
}

/// PE-specific facts.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct PeFacts {
    pub subsystem: u16,
    pub subsystem_version: (u16, u16),
    pub linker_version: (u8, u8),
    pub dll_characteristics: u16,
    pub has_rich_header: bool,
}

/// XCOFF-specific facts.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct XcoffFacts {
    /// The file header's `f_flags` (`F_EXEC` 0x0002, `F_SHROBJ` 0x2000, ...).
    pub f_flags: u16,
    /// The loader section's `l_version`, when the file has a loader section.
    pub loader_version: Option<u32>,
    /// Import file ID 0: the library search path the linker recorded
    /// (`/usr/lib:/lib`).
    pub default_libpath: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum FormatFacts {
    Elf(ElfFacts),
    Macho(MachoFacts),
    Pe(PeFacts),
    Xcoff(XcoffFacts),
}

/// Everything read from one object (one slice of a universal Mach-O).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Parsed {
    pub format: Format,
    pub arch: String,
    pub bits: u8,
    pub endian: Endian,
    pub kind: Kind,
    pub slice: Option<Slice>,
    pub interpreter: Option<String>,
    pub rpath: Vec<String>,
    pub runpath: Vec<String>,
    pub libraries: Vec<RawLibrary>,
    pub imports: Vec<Import>,
    /// Names of all undefined-or-defined symbols relevant to hardening checks
    /// (`__stack_chk_fail`, `__memcpy_chk`, ...), imports or local.
    pub hardening_symbols: Vec<String>,
    /// cargo-auditable's crate list, when the binary has its section.
    pub crates: Option<Vec<crate::model::Crate>>,
    /// Go's build information, when the file is a Go binary.
    pub go: Option<crate::model::GoBuildInfo>,
    pub facts: FormatFacts,
}

/// Parse an object file. A universal Mach-O yields one [`Parsed`] per slice.
pub fn parse(data: &[u8]) -> Result<Vec<Parsed>, InspectError> {
    if data.is_empty() {
        return Err(InspectError::Empty);
    }
    match sniff(data) {
        Some(Format::Elf) => elf::parse(data).map(|p| vec![p]),
        Some(Format::Macho) => macho::parse(data),
        Some(Format::Pe) => pe::parse(data).map(|p| vec![p]),
        Some(Format::Xcoff) => xcoff::parse(data).map(|p| vec![p]),
        None => Err(InspectError::NotObject {
            magic: describe_magic(data),
        }),
    }
}

/// Recognise the container format from the first bytes (no parsing).
pub fn sniff(data: &[u8]) -> Option<Format> {
    match data {
        [0x7f, b'E', b'L', b'F', ..] => Some(Format::Elf),
        // thin Mach-O, both byte orders, 32 and 64 bits
        [0xfe, 0xed, 0xfa, 0xce | 0xcf, ..] | [0xce | 0xcf, 0xfa, 0xed, 0xfe, ..] => {
            Some(Format::Macho)
        }
        // universal (fat) Mach-O; 0xcafebabe is shared with Java class files, told
        // apart by the architecture count (Java's minor version is never that small)
        [0xca, 0xfe, 0xba, 0xbe | 0xbf, a, b, c, d, ..] => {
            let n = u32::from_be_bytes([*a, *b, *c, *d]);
            (n > 0 && n < 32).then_some(Format::Macho)
        }
        [b'M', b'Z', ..] => Some(Format::Pe),
        // XCOFF's f_magic, big-endian: 0x01f7 (64-bit), 0x01df (32-bit)
        [0x01, 0xf7 | 0xdf, ..] => Some(Format::Xcoff),
        _ => None,
    }
}

fn describe_magic(data: &[u8]) -> String {
    let head = &data[..data.len().min(4)];
    if head.iter().all(|b| b.is_ascii_graphic() || *b == b' ') {
        format!("{:?} (text?)", String::from_utf8_lossy(head))
    } else {
        let hex: Vec<String> = head.iter().map(|b| format!("{b:02x}")).collect();
        format!("bytes {}", hex.join(" "))
    }
}

/// Hardening-relevant symbol names: stack protector and FORTIFY entry points.
pub(crate) fn is_hardening_symbol(name: &str) -> bool {
    name.starts_with("__stack_chk_") || (name.starts_with("__") && name.ends_with("_chk"))
}

/// The file ends before a part its headers describe: `what` ends at `end`.
pub(crate) fn check_within(
    format: &'static str,
    what: &str,
    start: u64,
    size: u64,
    len: usize,
) -> Result<(), InspectError> {
    let end = start.checked_add(size);
    match end {
        Some(end) if end <= len as u64 => Ok(()),
        _ => Err(InspectError::Malformed {
            format,
            detail: format!(
                "truncated: {what} ends at byte {} but the file has {len} bytes",
                end.map_or_else(|| "(overflow)".to_owned(), |e| e.to_string())
            ),
        }),
    }
}

/// Go's build information of `data` (a whole file or one slice), as an inspection
/// error of `format` when it lies.
pub(crate) fn go_info(
    format: &'static str,
    data: &[u8],
    hint: Option<usize>,
) -> Result<Option<crate::model::GoBuildInfo>, InspectError> {
    gobuild::read_with_hint(data, hint).map_err(|e| malformed(format, e))
}

pub(crate) fn malformed(format: &'static str, e: impl std::fmt::Display) -> InspectError {
    InspectError::Malformed {
        format,
        detail: e.to_string(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sniff_tells_formats_apart() {
        assert_eq!(sniff(b"\x7fELF\x02\x01"), Some(Format::Elf));
        assert_eq!(sniff(&[0xcf, 0xfa, 0xed, 0xfe]), Some(Format::Macho));
        assert_eq!(
            sniff(&[0xca, 0xfe, 0xba, 0xbe, 0, 0, 0, 2]),
            Some(Format::Macho)
        );
        // a Java class file: minor/major version 0x0000_0034
        assert_eq!(sniff(&[0xca, 0xfe, 0xba, 0xbe, 0, 0, 0, 0x34]), None);
        assert_eq!(sniff(b"MZ\x90\x00"), Some(Format::Pe));
        assert_eq!(sniff(&[0x01, 0xf7, 0x00, 0x0a]), Some(Format::Xcoff));
        assert_eq!(sniff(&[0x01, 0xdf, 0x00, 0x03]), Some(Format::Xcoff));
        assert_eq!(sniff(b"#!/bin/sh"), None);
    }

    #[test]
    fn empty_and_text_are_errors_naming_the_problem() {
        assert_eq!(parse(b""), Err(InspectError::Empty));
        let e = parse(b"hello world").unwrap_err().to_string();
        assert!(
            e.contains("not an object file") && e.contains("hell"),
            "{e}"
        );
    }
}
