//! Which C library and which operating system a binary was built for.

use goblin::elf::header::{ELFOSABI_FREEBSD, ELFOSABI_NETBSD, ELFOSABI_OPENBSD, ELFOSABI_SOLARIS};
use goblin::elf::note::{ELF_NOTE_OS_FREEBSD, ELF_NOTE_OS_LINUX};
use goblin::mach::load_command::{
    PLATFORM_IOS, PLATFORM_IOSSIMULATOR, PLATFORM_MACCATALYST, PLATFORM_MACOS, PLATFORM_TVOS,
    PLATFORM_TVOSSIMULATOR, PLATFORM_VISIONOS, PLATFORM_VISIONOSSIMULATOR, PLATFORM_WATCHOS,
    PLATFORM_WATCHOSSIMULATOR,
};

use crate::inspect::symbols::{GLIBC_STATIC_MARKS, MUSL_STATIC_MARKS};
use crate::inspect::{FormatFacts, Parsed};
use crate::model::{Format, Libc, Os};

/// The libc a needed library or loader name implies.
pub(crate) fn libc_of_name(name: &str) -> Option<Libc> {
    let base = name.rsplit('/').next().unwrap_or(name);
    if base == "libc.so.6"
        || base.starts_with("ld-linux")
        || base.starts_with("ld64.so")
        || base == "ld.so.1"
    {
        Some(Libc::Glibc)
    } else if base.starts_with("libc.musl-") || base.starts_with("ld-musl-") || base == "libc.so" {
        Some(Libc::Musl)
    } else if base == "linker" || base == "linker64" {
        Some(Libc::Bionic)
    } else {
        None
    }
}

/// The libc a target triple promises.
pub(crate) fn libc_of_target(target: &str) -> Option<Libc> {
    if target.contains("-linux-musl") {
        Some(Libc::Musl)
    } else if target.contains("-linux-gnu") {
        Some(Libc::Glibc)
    } else if target.contains("-apple-") {
        Some(Libc::Libsystem)
    } else {
        None
    }
}

fn is_android(p: &Parsed) -> bool {
    let by_interp = p
        .interpreter
        .as_deref()
        .is_some_and(|i| i.starts_with("/system/bin/linker"));
    let by_note =
        matches!(&p.facts, FormatFacts::Elf(e) if e.os_note.as_deref() == Some("Android"));
    by_interp || by_note
}

/// The libc implied by the needed libraries (ELF), ignoring the interpreter.
pub(crate) fn libc_of_libraries(p: &Parsed) -> Option<Libc> {
    p.libraries.iter().find_map(|l| libc_of_name(&l.name))
}

pub(crate) fn libc(p: &Parsed) -> Libc {
    match &p.facts {
        FormatFacts::Elf(e) => {
            if is_android(p) {
                return Libc::Bionic;
            }
            if let Some(l) = libc_of_libraries(p) {
                return l;
            }
            if e.version_needs.iter().any(|(_, v)| v.starts_with("GLIBC_")) {
                return Libc::Glibc;
            }
            if let Some(l) = p.interpreter.as_deref().and_then(libc_of_name) {
                return l;
            }
            let has = |marks: &[&str]| e.static_symbols.iter().any(|s| marks.contains(&s.as_str()));
            if matches!(e.abi_tag, Some((ELF_NOTE_OS_LINUX, _))) || has(GLIBC_STATIC_MARKS) {
                Libc::Glibc
            } else if has(MUSL_STATIC_MARKS) || (!e.has_symtab && e.mentions_musl) {
                Libc::Musl
            } else if p.libraries.is_empty() && e.has_symtab && p.imports.is_empty() {
                // a symbol table and none of any libc's startup symbols: freestanding
                Libc::None
            } else {
                Libc::Unknown
            }
        }
        FormatFacts::Macho(_) => {
            if p.libraries.iter().any(|l| l.name.contains("libSystem")) {
                Libc::Libsystem
            } else if p.libraries.is_empty() {
                Libc::None
            } else {
                Libc::Unknown
            }
        }
        FormatFacts::Pe(_) => {
            let has = |f: &dyn Fn(&str) -> bool| {
                p.libraries.iter().any(|l| f(&l.name.to_ascii_lowercase()))
            };
            if has(&|n| {
                n == "ucrtbase.dll" || n.starts_with("api-ms-win-crt-") || n == "vcruntime140.dll"
            }) {
                Libc::Ucrt
            } else if has(&|n| n.starts_with("msvcr") || n == "crtdll.dll") {
                Libc::Msvcrt
            } else {
                Libc::None
            }
        }
    }
}

/// The OS the binary targets: from the ELF OS/ABI byte and notes, the libc, the
/// Mach-O platform, or PE itself.
pub(crate) fn os(p: &Parsed, libc: Libc) -> Os {
    match (&p.facts, p.format) {
        (FormatFacts::Elf(e), _) => match e.e_osabi {
            ELFOSABI_FREEBSD => Os::Freebsd,
            ELFOSABI_NETBSD => Os::Netbsd,
            ELFOSABI_OPENBSD => Os::Openbsd,
            ELFOSABI_SOLARIS => Os::Solaris,
            _ if libc == Libc::Bionic => Os::Android,
            _ => match (e.os_note.as_deref(), e.abi_tag.as_ref().map(|t| t.0)) {
                (Some("FreeBSD"), _) | (_, Some(ELF_NOTE_OS_FREEBSD)) => Os::Freebsd,
                (Some("NetBSD"), _) => Os::Netbsd,
                (Some("OpenBSD"), _) => Os::Openbsd,
                (_, Some(ELF_NOTE_OS_LINUX)) => Os::Linux,
                _ if matches!(libc, Libc::Glibc | Libc::Musl) => Os::Linux,
                _ => Os::Unknown,
            },
        },
        (FormatFacts::Macho(m), _) => match m.platform {
            Some(PLATFORM_MACOS) | None => Os::Macos,
            Some(PLATFORM_IOS | PLATFORM_IOSSIMULATOR) => Os::Ios,
            Some(PLATFORM_TVOS | PLATFORM_TVOSSIMULATOR) => Os::Tvos,
            Some(PLATFORM_WATCHOS | PLATFORM_WATCHOSSIMULATOR) => Os::Watchos,
            Some(PLATFORM_MACCATALYST) => Os::Maccatalyst,
            Some(PLATFORM_VISIONOS | PLATFORM_VISIONOSSIMULATOR) => Os::Visionos,
            Some(_) => Os::Apple,
        },
        (_, Format::Pe) | (FormatFacts::Pe(_), _) => Os::Windows,
    }
}
