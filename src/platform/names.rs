//! What a name in a binary means: loaders, C libraries, symbol versions, notes and
//! runtime DLLs, per system. The same name can mean different things on different
//! systems (`libc.so` is musl's, OpenBSD's to zig, Solaris's to Go; `/lib/ld.so.1` is
//! glibc's on 32-bit powerpc and mips, `/usr/lib/ld.so.1` Solaris's), so detection asks
//! with the system's other marks in hand.

use goblin::mach::load_command::{
    PLATFORM_IOS, PLATFORM_IOSSIMULATOR, PLATFORM_MACCATALYST, PLATFORM_MACOS, PLATFORM_TVOS,
    PLATFORM_TVOSSIMULATOR, PLATFORM_VISIONOS, PLATFORM_VISIONOSSIMULATOR, PLATFORM_WATCHOS,
    PLATFORM_WATCHOSSIMULATOR,
};

use super::known::known;
use crate::model::{Libc, Os};

/// The last path component of a library or loader name.
fn base(name: &str) -> &str {
    name.rsplit('/').next().unwrap_or(name)
}

/// The libc a needed library or loader name implies, by itself: the first
/// `[[libc]]` of `targets/platforms.toml` that names it.
pub fn libc_of_name(name: &str) -> Option<Libc> {
    let base = base(name);
    known()
        .libc
        .iter()
        .find(|e| e.matches(name, base))
        .map(|e| e.libc)
}

/// A C library named `libc.so` with or without a version (`libc.so`, `libc.so.1`,
/// `libc.so.100.3`): what the system's other marks decide between (OpenBSD, Solaris).
pub fn is_libc_so(name: &str) -> bool {
    name.starts_with("libc.so")
}

/// Whether `path` is Solaris's or illumos's loader.
pub fn is_solaris_loader(path: &str) -> bool {
    known()
        .libc
        .iter()
        .any(|e| e.libc == Libc::SolarisLibc && e.loaders.iter().any(|l| l == path))
}

/// Android's loader: `/system/bin/linker` and `/system/bin/linker64`.
pub fn is_android_loader(path: &str) -> bool {
    path.starts_with("/system/bin/linker")
}

/// The system a symbol version of a needed library names: `GLIBC_2.17` glibc's,
/// `FBSD_1.0` FreeBSD's libc, `SUNW_1.1` Solaris's, `ILLUMOS_0.1` illumos's.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum VersionMark {
    Glibc,
    Freebsd,
    Solaris,
    Illumos,
}

/// The [`VersionMark`] of a symbol version, if it is one.
pub fn version_mark(version: &str) -> Option<VersionMark> {
    [
        ("GLIBC_", VersionMark::Glibc),
        ("FBSD_", VersionMark::Freebsd),
        ("SUNW_", VersionMark::Solaris),
        ("ILLUMOS_", VersionMark::Illumos),
    ]
    .into_iter()
    .find(|(prefix, _)| version.starts_with(prefix))
    .map(|(_, m)| m)
}

/// The OS an ELF OS/ABI byte (`e_ident[EI_OSABI]`) names, where it names one (SYSV,
/// 0, names none: Linux and most others leave it there).
pub fn os_of_osabi(osabi: u8) -> Option<Os> {
    known()
        .os
        .iter()
        .find(|e| e.osabi == Some(osabi))
        .map(|e| e.os)
}

/// The OS an ELF note's owner names (`.note.tag`, `.note.android.ident`,
/// `.note.ohos.ident`, `.note.openbsd.ident`, `.note.netbsd.ident`).
pub fn os_of_note(owner: &str) -> Option<Os> {
    known()
        .os
        .iter()
        .find(|e| e.notes.iter().any(|n| n == owner))
        .map(|e| e.os)
}

/// The OS a Go `GOOS` names (`go tool dist list`); `None` for one we have no name for.
pub fn os_of_goos(goos: &str) -> Option<Os> {
    known()
        .os
        .iter()
        .find(|e| e.goos.iter().any(|g| g == goos))
        .map(|e| e.os)
}

/// The Apple OS a Mach-O's `LC_BUILD_VERSION` platform names (the simulators are
/// their OS's; none, as in old binaries, is macOS).
pub fn os_of_macho_platform(platform: Option<u32>) -> Os {
    match platform {
        Some(PLATFORM_MACOS) | None => Os::Macos,
        Some(PLATFORM_IOS | PLATFORM_IOSSIMULATOR) => Os::Ios,
        Some(PLATFORM_TVOS | PLATFORM_TVOSSIMULATOR) => Os::Tvos,
        Some(PLATFORM_WATCHOS | PLATFORM_WATCHOSSIMULATOR) => Os::Watchos,
        Some(PLATFORM_MACCATALYST) => Os::Maccatalyst,
        Some(PLATFORM_VISIONOS | PLATFORM_VISIONOSSIMULATOR) => Os::Visionos,
        Some(_) => Os::Apple,
    }
}

/// macOS's and iOS's C library, `libSystem.B.dylib` (in `/usr/lib`).
pub fn is_libsystem(name: &str) -> bool {
    name.contains("libSystem")
}

/// The C runtime a DLL import names: the Universal CRT (`ucrtbase.dll`,
/// `api-ms-win-crt-*`, with `vcruntime140.dll`) or the old `msvcrt.dll` family.
pub fn windows_crt(dll: &str) -> Option<Libc> {
    let n = dll.to_ascii_lowercase();
    if n == "ucrtbase.dll" || n.starts_with("api-ms-win-crt-") || n == "vcruntime140.dll" {
        Some(Libc::Ucrt)
    } else if n.starts_with("msvcr") || n == "crtdll.dll" {
        Some(Libc::Msvcrt)
    } else {
        None
    }
}

/// The Visual C++ runtime's DLLs (Visual Studio 2015 and later: `VCRUNTIME140.dll`,
/// `VCRUNTIME140_1.dll`, `MSVCP140*.dll`, `CONCRT140.dll`, `VCCORLIB140.dll`, `VCOMP140.dll`,
/// `VCAMP140.dll`; earlier: `MSVCR1x0.dll`, `MSVCP1x0.dll`), which the Visual C++
/// Redistributable installs. Not the Universal CRT (`ucrtbase.dll`, `api-ms-win-crt-*`:
/// part of Windows 10) nor `msvcrt.dll` (part of every Windows) nor `msvcp_win.dll`.
pub fn is_vc_runtime(dll: &str) -> bool {
    let d = dll.to_ascii_lowercase();
    let Some(stem) = d.strip_suffix(".dll") else {
        return false;
    };
    let versioned = |prefix: &str| {
        stem.strip_prefix(prefix).is_some_and(|v| {
            let digits = v.split('_').next().unwrap_or("");
            digits.len() >= 2 && digits.len() <= 3 && digits.bytes().all(|b| b.is_ascii_digit())
        })
    };
    [
        "vcruntime",
        "msvcp",
        "msvcr",
        "concrt",
        "vccorlib",
        "vcomp",
        "vcamp",
    ]
    .iter()
    .any(|p| versioned(p))
}

/// A needed library that is a replacement allocator (jemalloc, mimalloc, snmalloc,
/// tcmalloc), which takes malloc from the C library.
pub fn is_allocator_library(name: &str) -> bool {
    ["jemalloc", "mimalloc", "snmalloc", "tcmalloc"]
        .iter()
        .any(|a| name.contains(a))
}

/// The archive an XCOFF import file ID names: `libc.a` of `/usr/lib/libc.a(shr_64.o)`
/// (AIX's shared libraries are members of archives).
pub fn aix_archive(name: &str) -> &str {
    let no_member = name.split('(').next().unwrap_or(name);
    base(no_member)
}

/// AIX's C library: the archive `libc.a`, whose shared member programs import
/// (`libc.a(shr_64.o)`, `shr.o` in 32-bit ones).
pub fn is_aix_libc(name: &str) -> bool {
    aix_archive(name) == "libc.a"
}

/// Whether the needed library `file` (`libz.so.1`, `libssl.3.dylib`,
/// `Security.framework/…`, `zlib1.dll`) is what linking `name` (`z`) gives.
pub fn library_matches(file: &str, name: &str) -> bool {
    let base = file.rsplit('/').next().unwrap_or(file);
    let lower = base.to_ascii_lowercase();
    let name_l = name.to_ascii_lowercase();
    if file.contains(&format!("{name}.framework/")) || base == name {
        return true;
    }
    for prefix in ["lib", ""] {
        let stem = format!("{prefix}{name_l}");
        if let Some(rest) = lower.strip_prefix(&stem) {
            // libz.so.1, libz.1.dylib, libz.dll, z.dll, libfoo-1.dll, zlib1.dll
            if rest.starts_with(".so")
                || rest.starts_with(".dylib")
                || rest.starts_with(".dll")
                || (rest.starts_with('.') && rest.ends_with(".dylib"))
                || (rest.starts_with('-') && rest.ends_with(".dll"))
            {
                return true;
            }
        }
    }
    false
}

/// Whether `why`'s query names a library (`libz.so.1`, `zlib1.dll`, a path) rather than a
/// symbol.
pub fn is_library_query(q: &str) -> bool {
    q.contains(".so")
        || q.contains(".dylib")
        || q.to_ascii_lowercase().ends_with(".dll")
        || q.contains('/')
}

/// Whether a glibc loader is the 32-bit arm soft-float one (`ld-linux.so.3`, Debian's
/// `armel`; the hard-float one is `ld-linux-armhf.so.3`).
pub fn is_glibc_armel_loader(path: &str) -> bool {
    path.ends_with("/ld-linux.so.3")
}

#[cfg(test)]
mod tests {
    use super::*;
    use goblin::elf::header::{
        ELFOSABI_FREEBSD, ELFOSABI_NETBSD, ELFOSABI_OPENBSD, ELFOSABI_SOLARIS,
    };

    #[test]
    fn libc_names() {
        assert_eq!(libc_of_name("libc.so.6"), Some(Libc::Glibc));
        assert_eq!(
            libc_of_name("/lib/ld-linux-loongarch-lp64d.so.1"),
            Some(Libc::Glibc)
        );
        assert_eq!(libc_of_name("libc.so.1.x"), None);
        assert_eq!(libc_of_name("/usr/libexec/ld.so"), Some(Libc::OpenbsdLibc));
        assert_eq!(libc_of_name("libc.so.100.3"), Some(Libc::OpenbsdLibc));
        assert_eq!(libc_of_name("/lib/amd64/ld.so.1"), Some(Libc::SolarisLibc));
        assert_eq!(libc_of_name("/lib/ld.so.1"), Some(Libc::Glibc));
        assert_eq!(libc_of_name("/system/bin/linker64"), Some(Libc::Bionic));
        assert!(is_android_loader("/system/bin/linker"));
    }

    #[test]
    fn marks() {
        assert_eq!(version_mark("GLIBC_2.17"), Some(VersionMark::Glibc));
        assert_eq!(version_mark("ILLUMOS_0.1"), Some(VersionMark::Illumos));
        assert_eq!(version_mark("V1"), None);
        assert_eq!(os_of_osabi(ELFOSABI_SOLARIS), Some(Os::Solaris));
        assert_eq!(os_of_osabi(ELFOSABI_FREEBSD), Some(Os::Freebsd));
        assert_eq!(os_of_osabi(ELFOSABI_NETBSD), Some(Os::Netbsd));
        assert_eq!(os_of_osabi(ELFOSABI_OPENBSD), Some(Os::Openbsd));
        assert_eq!(os_of_osabi(0), None);
        assert_eq!(os_of_note("OHOS"), Some(Os::Openharmony));
        assert_eq!(os_of_goos("illumos"), Some(Os::Illumos));
        assert_eq!(os_of_goos("darwin"), Some(Os::Macos));
        assert_eq!(os_of_goos("plan9"), None);
    }

    #[test]
    fn windows_runtimes() {
        assert_eq!(
            windows_crt("api-ms-win-crt-runtime-l1-1-0.dll"),
            Some(Libc::Ucrt)
        );
        assert_eq!(windows_crt("MSVCRT.dll"), Some(Libc::Msvcrt));
        assert_eq!(windows_crt("KERNEL32.dll"), None);
        assert!(is_vc_runtime("VCRUNTIME140_1.dll"));
        assert!(!is_vc_runtime("msvcrt.dll"));
        assert!(!is_vc_runtime("msvcp_win.dll"));
        assert!(is_aix_libc("/usr/lib/libc.a(shr.o)"));
    }
}
