//! A Rust target triple, parsed once: `arch-vendor-os[-env]`.
//!
//! Rust's triples are not all four words: `aarch64-apple-darwin` has no environment,
//! Android's (`aarch64-linux-android`) no vendor, `wasm32-wasip1` neither. The parse
//! keeps each word as written; the questions below are what the rest of the crate
//! asks of a target, so that nothing else tests a triple as a string.

use std::fmt;

use crate::model::Libc;

/// A target triple's words. `vendor` and `env` are empty where the triple has none.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Triple<'a> {
    text: &'a str,
    pub arch: &'a str,
    pub vendor: &'a str,
    pub os: &'a str,
    pub env: &'a str,
}

impl<'a> Triple<'a> {
    /// Parse `text`; every string is some triple (unknown words stay as written).
    pub fn parse(text: &'a str) -> Triple<'a> {
        let mut words = text.splitn(4, '-');
        let arch = words.next().unwrap_or("");
        let second = words.next().unwrap_or("");
        let third = words.next();
        let fourth = words.next();
        let (vendor, os, env) = match (third, fourth) {
            (Some(os), Some(env)) => (second, os, env),
            // `aarch64-linux-android`, `arm-linux-androideabi`: no vendor
            (Some(env), None) if second == "linux" => ("", second, env),
            (Some(os), None) => (second, os, ""),
            // `wasm32-wasip1`
            (None, _) => ("", second, ""),
        };
        Triple {
            text,
            arch,
            vendor,
            os,
            env,
        }
    }

    /// The triple as written.
    pub fn as_str(&self) -> &'a str {
        self.text
    }

    pub fn is_linux(&self) -> bool {
        self.os == "linux"
    }

    /// Linux with glibc: `*-linux-gnu`, `-gnueabihf`, `-gnux32`, `-gnuabi64`.
    pub fn is_linux_gnu(&self) -> bool {
        self.is_linux() && self.env.starts_with("gnu")
    }

    /// Linux with musl: `*-linux-musl`, `-musleabihf`.
    pub fn is_musl(&self) -> bool {
        self.is_linux() && self.env.starts_with("musl")
    }

    /// OpenHarmony (`*-linux-ohos`), whose C library is musl.
    pub fn is_ohos(&self) -> bool {
        self.is_linux() && self.env == "ohos"
    }

    /// Apple's (`*-apple-darwin`, `-ios`, …).
    pub fn is_apple(&self) -> bool {
        self.vendor == "apple"
    }

    pub fn is_windows(&self) -> bool {
        self.os == "windows"
    }

    /// `*-windows-gnu` (MinGW), not `-gnullvm`.
    pub fn is_windows_gnu(&self) -> bool {
        self.is_windows() && self.env == "gnu"
    }

    /// `*-windows-msvc`.
    pub fn is_windows_msvc(&self) -> bool {
        self.is_windows() && self.env == "msvc"
    }

    /// The environment is exactly `gnu` (`*-linux-gnu`, `*-windows-gnu`).
    pub fn env_is_gnu(&self) -> bool {
        self.env == "gnu"
    }

    /// The C library the triple promises, where it names one.
    pub fn libc(&self) -> Option<Libc> {
        if self.is_musl() || self.is_ohos() {
            Some(Libc::Musl)
        } else if self.is_linux_gnu() {
            Some(Libc::Glibc)
        } else if self.is_apple() {
            Some(Libc::Libsystem)
        } else if self.os.starts_with("freebsd") {
            Some(Libc::FreebsdLibc)
        } else if self.os.starts_with("netbsd") {
            Some(Libc::NetbsdLibc)
        } else if self.os.starts_with("openbsd") {
            Some(Libc::OpenbsdLibc)
        } else {
            None
        }
    }

    /// The architecture word of GNU's triples (cross gcc prefixes, Debian multiarch):
    /// `armv7` → `arm`, `riscv64gc` → `riscv64`.
    pub fn gnu_arch(&self) -> &'a str {
        match self.arch {
            a if a.starts_with("armv7") || a == "arm" => "arm",
            a if a.starts_with("riscv64") => "riscv64",
            a => a,
        }
    }

    /// The name of qemu's user-mode emulator for the architecture (`qemu-<this>-static`).
    pub fn qemu_arch(&self) -> &'a str {
        match self.arch {
            "i686" | "i586" => "i386",
            a if a.starts_with("arm") => "arm",
            a if a.starts_with("riscv64") => "riscv64",
            "powerpc64le" => "ppc64le",
            "powerpc64" => "ppc64",
            a => a,
        }
    }
}

impl fmt::Display for Triple<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.text)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn words_of_every_shape() {
        let t = Triple::parse("x86_64-unknown-linux-gnu");
        assert_eq!(
            (t.arch, t.vendor, t.os, t.env),
            ("x86_64", "unknown", "linux", "gnu")
        );
        let t = Triple::parse("aarch64-apple-darwin");
        assert_eq!(
            (t.arch, t.vendor, t.os, t.env),
            ("aarch64", "apple", "darwin", "")
        );
        let t = Triple::parse("aarch64-linux-android");
        assert_eq!(
            (t.arch, t.vendor, t.os, t.env),
            ("aarch64", "", "linux", "android")
        );
        let t = Triple::parse("wasm32-wasip1");
        assert_eq!(
            (t.arch, t.vendor, t.os, t.env),
            ("wasm32", "", "wasip1", "")
        );
        let t = Triple::parse("armv7-unknown-linux-gnueabihf");
        assert!(t.is_linux_gnu() && !t.env_is_gnu());
        assert_eq!(t.gnu_arch(), "arm");
        assert_eq!(t.qemu_arch(), "arm");
        assert_eq!(t.to_string(), "armv7-unknown-linux-gnueabihf");
    }

    #[test]
    fn questions() {
        let p = Triple::parse;
        assert!(p("x86_64-unknown-linux-musl").is_musl());
        assert!(p("armv7-unknown-linux-musleabihf").is_musl());
        assert!(!p("x86_64-unknown-linux-gnu").is_musl());
        assert!(p("x86_64-pc-windows-gnu").is_windows_gnu());
        assert!(!p("x86_64-pc-windows-gnullvm").is_windows_gnu());
        assert!(p("aarch64-pc-windows-msvc").is_windows_msvc());
        assert!(p("aarch64-apple-ios").is_apple());
        assert_eq!(p("riscv64gc-unknown-linux-gnu").gnu_arch(), "riscv64");
        assert_eq!(p("armv5te-unknown-linux-gnueabi").gnu_arch(), "armv5te");
        assert_eq!(p("i686-unknown-linux-gnu").qemu_arch(), "i386");
    }

    #[test]
    fn libc_of_a_target_triple() {
        let l = |t: &str| Triple::parse(t).libc();
        assert_eq!(l("x86_64-unknown-linux-musl"), Some(Libc::Musl));
        assert_eq!(l("aarch64-unknown-linux-ohos"), Some(Libc::Musl));
        assert_eq!(l("aarch64-unknown-linux-gnu"), Some(Libc::Glibc));
        assert_eq!(l("aarch64-apple-darwin"), Some(Libc::Libsystem));
        assert_eq!(l("x86_64-unknown-freebsd"), Some(Libc::FreebsdLibc));
        assert_eq!(l("x86_64-unknown-netbsd"), Some(Libc::NetbsdLibc));
        assert_eq!(l("x86_64-unknown-openbsd"), Some(Libc::OpenbsdLibc));
        assert_eq!(l("x86_64-pc-windows-gnu"), None);
        assert_eq!(l("aarch64-linux-android"), None);
    }
}
