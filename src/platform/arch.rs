//! Each architecture's names outside the report, from `targets/platforms.toml`'s
//! `[[arch]]`: Debian's architecture and multiarch tuple, the GNU triple of Debian's
//! cross toolchain (and its sysroot), and qemu-user's name.

use std::path::PathBuf;

use super::known::{known, ArchEntry};

fn entry(arch: &str, soft_float: bool) -> Option<&'static ArchEntry> {
    let arches = &known().arch;
    arches
        .iter()
        .find(|e| e.arch == arch && e.soft_float == soft_float)
        .or_else(|| arches.iter().find(|e| e.arch == arch))
}

/// Debian's name of an architecture of the report (`x86_64` → `amd64`); 32-bit ARM
/// with the soft-float loader is `armel`.
pub fn debian(arch: &str, soft_float: bool) -> Option<&'static str> {
    entry(arch, soft_float).map(|e| e.debian.as_str())
}

/// The multiarch tuple of a Debian architecture (`i386` → `i386-linux-gnu`).
pub fn multiarch(debian: &str) -> Option<&'static str> {
    known()
        .arch
        .iter()
        .find(|e| e.debian == debian)
        .map(|e| e.multiarch.as_str())
}

/// The Debian architecture of a cross toolchain's GNU triple (`aarch64-linux-gnu` →
/// `arm64`).
pub fn debian_of_cross(cross: &str) -> Option<&'static str> {
    known()
        .arch
        .iter()
        .find(|e| e.cross == cross)
        .map(|e| e.debian.as_str())
}

/// qemu-user's name of an architecture of the report (`qemu-<this>-static`); an
/// architecture the table does not know keeps its own name.
pub fn qemu(arch: &str) -> &str {
    entry(arch, false).map_or(arch, |e| e.qemu.as_str())
}

/// Debian's cross sysroot of an architecture of the report: `/usr/<cross triple>`.
pub fn cross_sysroot(arch: &str) -> PathBuf {
    match entry(arch, false) {
        Some(e) => PathBuf::from(format!("/usr/{}", e.cross)),
        None => PathBuf::from(format!("/usr/{arch}-linux-gnu")),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_of_each_architecture() {
        assert_eq!(debian("x86_64", false), Some("amd64"));
        assert_eq!(debian("arm", false), Some("armhf"));
        assert_eq!(debian("arm", true), Some("armel"));
        assert_eq!(
            debian("x86", true),
            Some("i386"),
            "no soft-float row: the one row"
        );
        assert_eq!(debian("mips64", false), Some("mips64el"));
        assert_eq!(debian("sparc", false), None);
        assert_eq!(multiarch("i386"), Some("i386-linux-gnu"));
        assert_eq!(multiarch("ppc64el"), Some("powerpc64le-linux-gnu"));
        assert_eq!(debian_of_cross("i686-linux-gnu"), Some("i386"));
        assert_eq!(debian_of_cross("arm-linux-gnueabi"), Some("armel"));
        assert_eq!(debian_of_cross("mips64el-linux-gnuabi64"), Some("mips64el"));
        assert_eq!(qemu("x86"), "i386");
        assert_eq!(qemu("powerpc64le"), "ppc64le");
        assert_eq!(qemu("m68k"), "m68k");
        assert_eq!(cross_sysroot("x86"), PathBuf::from("/usr/i686-linux-gnu"));
        assert_eq!(
            cross_sysroot("arm"),
            PathBuf::from("/usr/arm-linux-gnueabihf")
        );
        assert_eq!(
            cross_sysroot("aarch64"),
            PathBuf::from("/usr/aarch64-linux-gnu")
        );
    }
}
