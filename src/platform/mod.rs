//! The one home of platform knowledge: what names, paths and marks mean on each
//! operating system and architecture.
//!
//! - [`Triple`]: a Rust target triple parsed once; engines, the toolchain, the matrix,
//!   CI and run ask it instead of testing the string.
//! - [`names`]: the loaders, C libraries, symbol versions, notes and ELF OS/ABI values
//!   that identify a system, and the runtime DLLs and allocators a hazard looks for.
//! - [`is_base_library`]: whether a needed library is part of a system, from the lists
//!   of `targets/system-libs.toml` (each with its source there).
//!
//! Detection (`analysis::platform`) reads a binary's marks and asks this module what
//! they mean; nothing else tests a triple or a library name as a string. To add a
//! platform, see "Where platform knowledge lives" in `docs/contract.md`.

pub mod names;
mod triple;

pub use triple::Triple;

use crate::data::SystemLibs;
use crate::model::Os;

/// Whether `name` (a needed library) is part of the OS `os`: its base system, from
/// `s`, the lists of `targets/system-libs.toml` (`crate::data::tables().system`).
pub fn is_base_library(s: &SystemLibs, os: Os, name: &str) -> bool {
    match os {
        Os::Macos | Os::Ios => s.macos.contains(name, false),
        Os::Windows => s.windows.contains(name, true),
        Os::Android => s.android.contains(name, false),
        Os::Openharmony => s.openharmony.contains(name, false),
        Os::Freebsd => s.freebsd.contains(name, false),
        Os::Netbsd => s.netbsd.contains(name, false),
        Os::Openbsd => s.openbsd.contains(name, false),
        Os::Solaris | Os::Illumos => s.solaris.contains(name, false),
        Os::Aix => s.aix.contains(names::aix_archive(name), false),
        _ => s.linux.contains(name, false),
    }
}

/// The name a sentence gives it (`OpenBSD`, `iOS`).
pub fn display_name(os: Os) -> &'static str {
    match os {
        Os::Linux => "Linux",
        Os::Freebsd => "FreeBSD",
        Os::Netbsd => "NetBSD",
        Os::Openbsd => "OpenBSD",
        Os::Solaris => "Solaris",
        Os::Illumos => "illumos",
        Os::Aix => "AIX",
        Os::Android => "Android",
        Os::Openharmony => "OpenHarmony",
        Os::Macos => "macOS",
        Os::Ios => "iOS",
        Os::Tvos => "tvOS",
        Os::Watchos => "watchOS",
        Os::Maccatalyst => "Mac Catalyst",
        Os::Visionos => "visionOS",
        Os::Apple => "an Apple OS",
        Os::Windows => "Windows",
        Os::Unknown => "unknown OS",
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_os_has_a_display_name() {
        for os in Os::ALL {
            assert!(!display_name(*os).is_empty(), "{os}");
        }
        assert_eq!(display_name(Os::Maccatalyst), "Mac Catalyst");
    }

    #[test]
    fn base_libraries_per_os() {
        let b = |os, name| is_base_library(&crate::data::tables().system, os, name);
        assert!(b(Os::Linux, "libc.so.6"));
        assert!(!b(Os::Linux, "libssl.so.3"));
        assert!(b(Os::Windows, "KERNEL32.dll"));
        assert!(b(Os::Windows, "api-ms-win-crt-runtime-l1-1-0.dll"));
        assert!(!b(Os::Windows, "libwinpthread-1.dll"));
        assert!(b(Os::Macos, "/usr/lib/libSystem.B.dylib"));
        assert!(!b(Os::Macos, "/opt/homebrew/lib/libssl.3.dylib"));
        assert!(!b(Os::Macos, "@rpath/libfoo.dylib"));
        assert!(b(Os::Freebsd, "libc.so.7"));
        assert!(b(Os::Freebsd, "libthr.so.3"));
        assert!(!b(Os::Freebsd, "libc.so.6"));
        assert!(!b(Os::Linux, "libthr.so.3"));
        assert!(b(Os::Netbsd, "libc.so.12"));
        assert!(!b(Os::Netbsd, "libc.so.7"));
        assert!(b(Os::Openbsd, "libc.so.100.3"));
        assert!(b(Os::Openbsd, "libc.so"));
        assert!(!b(Os::Openbsd, "libcurl.so.26.0"));
        assert!(b(Os::Aix, "/usr/lib/libpthread.a(shr_xpg5_64.o)"));
        assert!(!b(Os::Aix, "libssl.a(libssl.so.3)"));
    }
}
