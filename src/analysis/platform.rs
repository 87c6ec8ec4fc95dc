//! Which C library and which operating system a binary was built for: the binary's
//! marks (loader, needed libraries, symbol versions, notes, OS/ABI byte, Mach-O
//! platform, Go's GOOS), each asked of [`crate::platform`] for what it means.

use goblin::elf::note::{ELF_NOTE_OS_FREEBSD, ELF_NOTE_OS_LINUX};

use crate::inspect::symbols::{GLIBC_STATIC_MARKS, MUSL_STATIC_MARKS};
use crate::inspect::{FormatFacts, Parsed};
use crate::model::{Format, Libc, Os};
use crate::platform::names::{
    is_aix_libc, is_android_loader, is_libc_so, is_libsystem, is_solaris_loader, libc_of_name,
    os_of_goos, os_of_macho_platform, os_of_note, os_of_osabi, version_mark, windows_crt,
    VersionMark,
};
use crate::platform::os_of_libc;

fn is_android(p: &Parsed) -> bool {
    let by_interp = p.interpreter.as_deref().is_some_and(is_android_loader);
    let by_note = matches!(&p.facts, FormatFacts::Elf(e)
        if e.os_note.as_deref().and_then(os_of_note) == Some(Os::Android));
    by_interp || by_note
}

/// Whether an ELF carries OpenHarmony's `.note.ohos.ident` (name `OHOS`), which
/// OpenHarmony's musl puts in every program and library (crti.o includes its
/// crtbrand.s). Its C library is musl, but its loader and libraries are OpenHarmony's,
/// not a Linux distribution's.
pub(crate) fn is_openharmony(p: &Parsed) -> bool {
    matches!(&p.facts, FormatFacts::Elf(e)
        if e.os_note.as_deref().and_then(os_of_note) == Some(Os::Openharmony))
}

/// Whether an ELF says it is OpenBSD's: its OS/ABI byte or its note.
fn is_openbsd(p: &Parsed) -> bool {
    elf_says(p, Os::Openbsd)
}

/// Whether an ELF's OS/ABI byte or its note names `os`.
fn elf_says(p: &Parsed, os: Os) -> bool {
    matches!(&p.facts, FormatFacts::Elf(e)
        if os_of_osabi(e.e_osabi) == Some(os) || e.os_note.as_deref().and_then(os_of_note) == Some(os))
}

/// The libc implied by the needed libraries (ELF), ignoring the interpreter. In an
/// OpenBSD binary, `libc.so` (zig's stubs name it so, as musl does) is OpenBSD's.
pub(crate) fn libc_of_libraries(p: &Parsed) -> Option<Libc> {
    if is_openbsd(p) && p.libraries.iter().any(|l| is_libc_so(&l.name)) {
        return Some(Libc::OpenbsdLibc);
    }
    // Solaris's libc is `libc.so.1`, and `libc.so` to Go, which is also musl's name
    if solaris(p).is_some() && p.libraries.iter().any(|l| is_libc_so(&l.name)) {
        return Some(Libc::SolarisLibc);
    }
    p.libraries.iter().find_map(|l| libc_of_name(&l.name))
}

/// Solaris or illumos, from what an ELF says: Go's `GOOS`, the `ILLUMOS_*` or
/// `SUNW_*` symbol versions, the OS/ABI byte (which Go and others leave at SYSV) or
/// the loader's path.
fn solaris(p: &Parsed) -> Option<Os> {
    if let Some(goos) = super::golang::goos(p) {
        return os_of_goos(goos).filter(|os| matches!(os, Os::Solaris | Os::Illumos));
    }
    let FormatFacts::Elf(e) = &p.facts else {
        return None;
    };
    if versioned(e, VersionMark::Illumos) {
        Some(Os::Illumos)
    } else if versioned(e, VersionMark::Solaris)
        || os_of_osabi(e.e_osabi) == Some(Os::Solaris)
        || p.interpreter.as_deref().is_some_and(is_solaris_loader)
    {
        Some(Os::Solaris)
    } else {
        None
    }
}

/// Whether a symbol version of a needed library carries `mark`.
fn versioned(e: &crate::inspect::ElfFacts, mark: VersionMark) -> bool {
    e.version_needs
        .iter()
        .any(|(_, v)| version_mark(v) == Some(mark))
}

pub(crate) fn libc(p: &Parsed) -> Libc {
    match &p.facts {
        FormatFacts::Elf(e) => {
            if is_android(p) {
                return Libc::Bionic;
            }
            if solaris(p).is_some() {
                return Libc::SolarisLibc;
            }
            // Go without cgo makes its system calls itself: no C library at all
            if p.go.as_ref().is_some_and(|go| !super::golang::cgo(go))
                && p.libraries.is_empty()
                && p.interpreter.is_none()
            {
                return Libc::None;
            }
            // OpenBSD's libc is `libc.so` to a linker with zig's stubs, which is also
            // musl's name: the OpenBSD note or OS/ABI decides first. Every OpenBSD
            // program, static or dynamic, links OpenBSD's libc
            if is_openbsd(p) {
                return Libc::OpenbsdLibc;
            }
            if let Some(l) = libc_of_libraries(p) {
                return l;
            }
            if versioned(e, VersionMark::Glibc) {
                return Libc::Glibc;
            }
            if versioned(e, VersionMark::Freebsd) {
                return Libc::FreebsdLibc;
            }
            if let Some(l) = p.interpreter.as_deref().and_then(libc_of_name) {
                return l;
            }
            let has = |marks: &[&str]| e.static_symbols.iter().any(|s| marks.contains(&s.as_str()));
            // FreeBSD's crt objects (part of its libc) carry the ABI note; static
            // binaries link the base system's libc.a
            if elf_says(p, Os::Freebsd) {
                Libc::FreebsdLibc
            } else if elf_says(p, Os::Netbsd) {
                Libc::NetbsdLibc
            } else if matches!(e.abi_tag, Some((ELF_NOTE_OS_LINUX, _))) || has(GLIBC_STATIC_MARKS) {
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
            if p.libraries.iter().any(|l| is_libsystem(&l.name)) {
                Libc::Libsystem
            } else if p.libraries.is_empty() {
                Libc::None
            } else {
                Libc::Unknown
            }
        }
        // AIX's libc is the archive `libc.a`; programs import its shared member
        // (`libc.a(shr_64.o)`, `shr.o` in 32-bit ones)
        FormatFacts::Xcoff(_) => {
            if p.libraries.iter().any(|l| is_aix_libc(&l.name)) {
                Libc::AixLibc
            } else if p.libraries.is_empty() {
                Libc::None
            } else {
                Libc::Unknown
            }
        }
        FormatFacts::Pe(_) => {
            let has = |c: Libc| p.libraries.iter().any(|l| windows_crt(&l.name) == Some(c));
            if has(Libc::Ucrt) {
                Libc::Ucrt
            } else if has(Libc::Msvcrt) {
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
    // Go's GOOS, then Solaris's marks, before the ELF's other signs
    if let FormatFacts::Elf(_) = &p.facts {
        let go = super::golang::goos(p).and_then(os_of_goos);
        if let Some(os) = go.or_else(|| solaris(p)) {
            return os;
        }
    }
    match (&p.facts, p.format) {
        (FormatFacts::Elf(e), _) => match os_of_osabi(e.e_osabi) {
            Some(os) => os,
            _ if libc == Libc::Bionic => Os::Android,
            _ if is_openharmony(p) => Os::Openharmony,
            // Android's and OpenHarmony's notes are told above (with bionic's loader,
            // and before musl's Linux)
            _ => match (
                e.os_note.as_deref().and_then(os_of_note),
                e.abi_tag.as_ref().map(|t| t.0),
            ) {
                (Some(Os::Freebsd), _) | (_, Some(ELF_NOTE_OS_FREEBSD)) => Os::Freebsd,
                (Some(os), _) => os,
                (_, Some(ELF_NOTE_OS_LINUX)) => Os::Linux,
                // the OS the C library or loader implies (a BSD's own, where its note
                // is missing)
                _ => os_of_libc(libc).unwrap_or(Os::Unknown),
            },
        },
        (FormatFacts::Macho(m), _) => os_of_macho_platform(m.platform),
        (FormatFacts::Xcoff(_), _) | (_, Format::Xcoff) => Os::Aix,
        (_, Format::Pe) | (FormatFacts::Pe(_), _) => Os::Windows,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::analysis::testing::{elf, macho, needs, pe, xcoff};
    use crate::platform::Triple;
    use goblin::elf::header::{
        ELFOSABI_FREEBSD, ELFOSABI_NETBSD, ELFOSABI_OPENBSD, ELFOSABI_SOLARIS,
    };
    use goblin::mach::load_command::PLATFORM_DRIVERKIT;
    use goblin::mach::load_command::{
        PLATFORM_IOSSIMULATOR, PLATFORM_MACCATALYST, PLATFORM_MACOS, PLATFORM_VISIONOS,
        PLATFORM_WATCHOS,
    };

    #[test]
    fn libc_from_the_needed_libraries() {
        assert_eq!(libc(&needs(elf(|_| {}), &["libc.so.6"])), Libc::Glibc);
        let musl = needs(elf(|_| {}), &["libc.musl-x86_64.so.1"]);
        assert_eq!(libc(&musl), Libc::Musl);
        // the libraries win over a loader of another C library (a hazard says so)
        let mut mixed = needs(elf(|_| {}), &["libc.so.6"]);
        mixed.interpreter = Some("/lib/ld-musl-x86_64.so.1".to_owned());
        assert_eq!(libc(&mixed), Libc::Glibc);
    }

    #[test]
    fn libc_from_version_needs_then_the_interpreter() {
        let p = elf(|e| e.version_needs = vec![("libm.so.6".into(), "GLIBC_2.29".into())]);
        assert_eq!(libc(&p), Libc::Glibc);
        let mut p = elf(|_| {});
        p.interpreter = Some("/lib/ld-musl-aarch64.so.1".to_owned());
        assert_eq!(libc(&p), Libc::Musl);
        p.interpreter = Some("/system/bin/linker64".to_owned());
        assert_eq!(libc(&p), Libc::Bionic);
        let android = elf(|e| e.os_note = Some("Android".into()));
        assert_eq!(libc(&android), Libc::Bionic);
    }

    #[test]
    fn libc_of_a_static_binary_from_its_marks() {
        let glibc = elf(|e| e.static_symbols = vec!["__libc_setup_tls".into()]);
        assert_eq!(libc(&glibc), Libc::Glibc);
        let abi_tag = elf(|e| e.abi_tag = Some((ELF_NOTE_OS_LINUX, "3.2.0".into())));
        assert_eq!(libc(&abi_tag), Libc::Glibc);
        let musl = elf(|e| e.static_symbols = vec!["__init_libc".into()]);
        assert_eq!(libc(&musl), Libc::Musl);
        let stripped_musl = elf(|e| e.mentions_musl = true);
        assert_eq!(libc(&stripped_musl), Libc::Musl);
        // musl's string counts only when there is no symbol table to look in
        let not_musl = elf(|e| {
            e.mentions_musl = true;
            e.has_symtab = true;
        });
        assert_eq!(libc(&not_musl), Libc::None);
        assert_eq!(libc(&elf(|_| {})), Libc::Unknown);
    }

    #[test]
    fn libc_of_macho_and_pe() {
        let m = needs(macho(|_| {}), &["/usr/lib/libSystem.B.dylib"]);
        assert_eq!(libc(&m), Libc::Libsystem);
        assert_eq!(libc(&macho(|_| {})), Libc::None);
        let other = needs(macho(|_| {}), &["@rpath/libfoo.dylib"]);
        assert_eq!(libc(&other), Libc::Unknown);
        let ucrt = needs(
            pe(|_| {}),
            &["KERNEL32.dll", "api-ms-win-crt-runtime-l1-1-0.dll"],
        );
        assert_eq!(libc(&ucrt), Libc::Ucrt);
        assert_eq!(libc(&needs(pe(|_| {}), &["msvcrt.dll"])), Libc::Msvcrt);
        assert_eq!(libc(&needs(pe(|_| {}), &["KERNEL32.dll"])), Libc::None);
    }

    #[test]
    fn os_of_elf_from_osabi_notes_and_libc() {
        let osabi = |b: u8| elf(|e| e.e_osabi = b);
        assert_eq!(os(&osabi(ELFOSABI_FREEBSD), Libc::Unknown), Os::Freebsd);
        assert_eq!(os(&osabi(ELFOSABI_NETBSD), Libc::Unknown), Os::Netbsd);
        assert_eq!(os(&osabi(ELFOSABI_OPENBSD), Libc::Unknown), Os::Openbsd);
        assert_eq!(os(&osabi(ELFOSABI_SOLARIS), Libc::Unknown), Os::Solaris);
        // ELFOSABI_NONE: the notes and the libc decide
        let note = elf(|e| e.os_note = Some("NetBSD".into()));
        assert_eq!(os(&note, Libc::Unknown), Os::Netbsd);
        let tag = elf(|e| e.abi_tag = Some((ELF_NOTE_OS_FREEBSD, "13.0.0".into())));
        assert_eq!(os(&tag, Libc::Unknown), Os::Freebsd);
        let tag = elf(|e| e.abi_tag = Some((ELF_NOTE_OS_LINUX, "3.2.0".into())));
        assert_eq!(os(&tag, Libc::Unknown), Os::Linux);
        assert_eq!(os(&elf(|_| {}), Libc::Musl), Os::Linux);
        assert_eq!(os(&elf(|_| {}), Libc::Bionic), Os::Android);
        assert_eq!(os(&elf(|_| {}), Libc::Unknown), Os::Unknown);
    }

    #[test]
    fn os_of_macho_from_the_platform_and_of_pe() {
        let platform = |p: Option<u32>| os(&macho(|m| m.platform = p), Libc::Libsystem);
        assert_eq!(platform(None), Os::Macos);
        assert_eq!(platform(Some(PLATFORM_MACOS)), Os::Macos);
        assert_eq!(platform(Some(PLATFORM_IOSSIMULATOR)), Os::Ios);
        assert_eq!(platform(Some(PLATFORM_WATCHOS)), Os::Watchos);
        assert_eq!(platform(Some(PLATFORM_MACCATALYST)), Os::Maccatalyst);
        assert_eq!(platform(Some(PLATFORM_VISIONOS)), Os::Visionos);
        assert_eq!(platform(Some(PLATFORM_DRIVERKIT)), Os::Apple);
        assert_eq!(os(&pe(|_| {}), Libc::None), Os::Windows);
    }

    #[test]
    fn freebsd_libc_from_its_library_versions_or_note() {
        let dynamic = needs(elf(|_| {}), &["libthr.so.3", "libc.so.7"]);
        assert_eq!(libc(&dynamic), Libc::FreebsdLibc);
        let versions = elf(|e| e.version_needs = vec![("libc.so.7".into(), "FBSD_1.0".into())]);
        assert_eq!(libc(&versions), Libc::FreebsdLibc);
        // static: the ABI note of FreeBSD's crt objects, or the OS/ABI byte
        let note = elf(|e| {
            e.os_note = Some("FreeBSD".into());
            e.bsd_version = Some(1_400_500);
            e.has_symtab = true;
        });
        assert_eq!(libc(&note), Libc::FreebsdLibc);
        assert_eq!(os(&note, Libc::FreebsdLibc), Os::Freebsd);
        let osabi = elf(|e| e.e_osabi = ELFOSABI_FREEBSD);
        assert_eq!(libc(&osabi), Libc::FreebsdLibc);
        assert_eq!(
            Triple::parse("x86_64-unknown-freebsd").libc(),
            Some(Libc::FreebsdLibc)
        );
        // NetBSD likewise
        let netbsd = needs(elf(|_| {}), &["libc.so.12"]);
        assert_eq!(libc(&netbsd), Libc::NetbsdLibc);
        let note = elf(|e| {
            e.os_note = Some("NetBSD".into());
            e.bsd_version = Some(1_001_000_000);
        });
        assert_eq!(libc(&note), Libc::NetbsdLibc);
        assert_eq!(os(&note, Libc::NetbsdLibc), Os::Netbsd);
    }

    #[test]
    fn openbsd_libc_from_its_note_before_the_name_musl_shares() {
        // zig's stubs: `libc.so`, musl's name, in a binary with OpenBSD's note
        let zig = needs(
            elf(|e| e.os_note = Some("OpenBSD".into())),
            &["libpthread.so", "libc.so"],
        );
        assert_eq!(libc(&zig), Libc::OpenbsdLibc);
        assert_eq!(os(&zig, Libc::OpenbsdLibc), Os::Openbsd);
        // the same names with no OpenBSD mark stay musl's
        assert_eq!(libc(&needs(elf(|_| {}), &["libc.so"])), Libc::Musl);
        // a program linked on OpenBSD: libc.so.<major>.<minor>, which no other libc has
        assert_eq!(
            libc(&needs(elf(|_| {}), &["libc.so.100.3"])),
            Libc::OpenbsdLibc
        );
        assert_eq!(libc_of_name("libc.so.6"), Some(Libc::Glibc));
        assert_eq!(libc_of_name("libc.so.1.x"), None);
        assert_eq!(libc_of_name("/usr/libexec/ld.so"), Some(Libc::OpenbsdLibc));
        assert_eq!(
            libc(&elf(|e| e.e_osabi = ELFOSABI_OPENBSD)),
            Libc::OpenbsdLibc
        );
        assert_eq!(
            Triple::parse("x86_64-unknown-openbsd").libc(),
            Some(Libc::OpenbsdLibc)
        );
    }

    #[test]
    fn aix_from_xcoff_and_its_libc_archive_member() {
        let go = needs(
            xcoff(),
            &["libc.a(shr_64.o)", "libpthread.a(shr_xpg5_64.o)"],
        );
        assert_eq!(libc(&go), Libc::AixLibc);
        assert_eq!(os(&go, Libc::AixLibc), Os::Aix);
        let pathed = needs(xcoff(), &["/usr/lib/libc.a(shr.o)"]);
        assert_eq!(libc(&pathed), Libc::AixLibc);
        assert_eq!(libc(&xcoff()), Libc::None);
        assert_eq!(libc(&needs(xcoff(), &["libfoo.a(shr.o)"])), Libc::Unknown);
        let t =
            |os, name| crate::platform::is_base_library(&crate::data::tables().system, os, name);
        assert!(t(Os::Aix, "/usr/lib/libpthread.a(shr_xpg5_64.o)"));
        assert!(!t(Os::Aix, "libssl.a(libssl.so.3)"));
    }

    #[test]
    fn openharmony_from_its_note_with_musl() {
        // OpenHarmony's musl names its C library `libc.so`, as Alpine's does: the
        // `OHOS` note decides the OS
        let ohos = needs(elf(|e| e.os_note = Some("OHOS".into())), &["libc.so"]);
        assert_eq!(libc(&ohos), Libc::Musl);
        assert_eq!(os(&ohos, Libc::Musl), Os::Openharmony);
        assert!(is_openharmony(&ohos));
        let alpine = needs(elf(|_| {}), &["libc.so"]);
        assert_eq!(os(&alpine, Libc::Musl), Os::Linux);
        assert!(!is_openharmony(&alpine));
        assert_eq!(
            Triple::parse("aarch64-unknown-linux-ohos").libc(),
            Some(Libc::Musl)
        );
    }
}
