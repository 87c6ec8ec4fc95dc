//! The one home of platform knowledge: what names, paths and marks mean on each
//! operating system and architecture.
//!
//! - [`Triple`]: a Rust target triple parsed once; engines, the toolchain, the matrix,
//!   CI and run ask it instead of testing the string.
//! - `known`: `targets/platforms.toml`, each system's display name, ELF OS/ABI value
//!   and note owners, and the loader and library names that mean its C library.
//! - [`names`]: what a name means: those loaders and C libraries, symbol-version marks,
//!   and the runtime DLLs and allocators a hazard looks for.
//! - [`arch`]: each architecture's names in Debian, its cross toolchain and qemu
//!   (`targets/platforms.toml`'s `[[arch]]`).
//! - [`is_base_library`]: whether a needed library is part of a system, from the lists
//!   of `targets/system-libs.toml` (each with its source there).
//!
//! Detection (`analysis::platform`) reads a binary's marks and asks this module what
//! they mean; nothing else tests a triple or a library name as a string. To add a
//! platform, see `docs/platforms.md`.

pub mod arch;
mod known;
pub mod names;
mod triple;

pub use triple::Triple;

use crate::data::SystemLibs;
use crate::model::{Libc, Os};

/// Whether `name` (a needed library) is part of the OS `os`: its base system, from
/// `s`, the lists of `targets/system-libs.toml` (`crate::data::tables().system`), in
/// the section `targets/platforms.toml` names for `os`.
pub fn is_base_library(s: &SystemLibs, os: Os, name: &str) -> bool {
    let Some(e) = known::known().os(os) else {
        return false;
    };
    let name = if e.archive_members {
        names::aix_archive(name)
    } else {
        name
    };
    s.get(&e.base_libraries)
        .is_some_and(|set| set.contains(name, e.names_ignore_case))
}

/// The OS a C library implies where no note or OS/ABI byte tells (glibc and musl:
/// Linux; a BSD's own libc: that BSD), from `targets/platforms.toml`.
pub fn os_of_libc(libc: Libc) -> Option<Os> {
    known::known()
        .libc
        .iter()
        .find(|e| e.libc == libc)
        .and_then(|e| e.os)
}

/// The name a sentence gives it (`OpenBSD`, `iOS`), from `targets/platforms.toml`.
pub fn display_name(os: Os) -> &'static str {
    known::known()
        .os(os)
        .map_or("unknown OS", |e| e.display.as_str())
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
        // every Apple OS's dyld loads the same /usr/lib and system frameworks
        for apple in [
            Os::Ios,
            Os::Tvos,
            Os::Watchos,
            Os::Visionos,
            Os::Maccatalyst,
            Os::Apple,
        ] {
            assert!(b(apple, "/usr/lib/libSystem.B.dylib"), "{apple}");
            assert!(!b(apple, "libc.so.6"), "{apple}");
        }
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
