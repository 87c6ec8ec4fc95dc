//! The one table of what a variant needs from the machine: the rustup target, how the
//! final crate is linked, the programs that must be on PATH, the Debian packages that
//! give those programs everything they need to link (the cross gcc *and* its target C
//! library), zig, and the probe that proves the linker links. Pure: a variant and the
//! host triple in, [`Needs`] out. `plan`, `setup` and `targets` all read it.

use crate::matrix::{LinkerSpec, Variant};
use crate::platform::Triple;

/// How the final crate is linked.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Link {
    /// The toolchain's `rust-lld`; `self_contained` adds the target's own crt objects
    /// (musl targets: no C toolchain at all).
    RustLld { self_contained: bool },
    /// The toolchain's default on `x86_64-unknown-linux-gnu`: `cc` driving the
    /// self-contained rust-lld. No flags.
    ToolchainDefault,
    /// A C compiler driver with its own default linker; `opt_out_lld` on targets whose
    /// toolchain default is lld (`-C linker-features=-lld`).
    Driver { program: String, opt_out_lld: bool },
    /// zig's C driver through cargo-zigbuild.
    Zig,
    /// A program the matrix names: `-C linker=<it>`.
    Program(String),
}

/// One thing to install.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord)]
pub enum Install {
    /// `rustup target add T`
    Rustup(String),
    /// Debian/Ubuntu packages.
    Apt(Vec<String>),
    /// zig and cargo-zigbuild (PyPI's `ziglang` and `cargo-zigbuild`) in the virtual
    /// environment cargo-portable owns (see `Toolchain::zig_home`).
    Zig,
    /// Nothing installs it here: what to do by hand.
    Manual(String),
}

/// A C link test: `program args… hello.c -o hello<suffix> flags…` must succeed.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct Probe {
    /// The driver and its leading arguments (`cargo-zigbuild zig cc -- -target …`).
    pub command: Vec<String>,
    /// Flags after the source: what the variant's link needs from the C library.
    pub flags: Vec<String>,
    /// `.exe` for Windows targets.
    pub exe_suffix: &'static str,
}

impl Probe {
    /// The command line as a user would type it.
    pub fn display(&self) -> String {
        let mut w = self.command.clone();
        w.push("hello.c".into());
        w.push("-o".into());
        w.push(format!("hello{}", self.exe_suffix));
        w.extend(self.flags.iter().cloned());
        w.join(" ")
    }
}

/// What one variant needs.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Needs {
    /// The rustup target whose standard library must be installed.
    pub target: String,
    /// How the final crate is linked; `None` when nothing on this host can.
    pub link: Option<Link>,
    /// The program that links, for the report (`rust-lld`, `cc`, `zig`, …).
    pub program: String,
    /// Programs that must be found on PATH.
    pub programs: Vec<String>,
    /// What installs the programs with everything they need to link.
    pub install: Vec<Install>,
    /// The link test that proves the linker links; `None` for rust-lld on its own.
    pub probe: Option<Probe>,
    /// Why nothing links this target here, when `link` is `None`.
    pub unavailable: Option<String>,
    /// The C and C++ compilers build scripts get for the target, consistent with the
    /// linker; `None` when none can be had for it here.
    pub c: Option<CTools>,
}

/// The C and C++ toolchain the build scripts of a variant compile the target's C code
/// with (cc-rs, cmake-rs and autotools scripts read `CC_<target>`, `CXX_<target>`,
/// `AR_<target>`, `RANLIB_<target>`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum CTools {
    /// The host's own `cc`, `c++`, `ar` for a target of the host: cc-rs finds them
    /// itself, nothing is set.
    Host,
    /// A GNU toolchain by its prefix: `<p>-gcc`, `<p>-g++`, `<p>-ar`, `<p>-ranlib`.
    Gnu { prefix: String },
    /// zig's clang for `-target <zig target>`, through wrapper scripts (a target with no
    /// gcc of its own, linked by rust-lld).
    ZigWrappers { zig_target: String },
    /// cargo-zigbuild sets them itself: the whole build is `cargo zigbuild`.
    ZigBuild,
    /// Debian's musl-gcc for C; Debian has no C++ for musl, so zig's clang compiles
    /// C++ (through cargo-zigbuild) and its static libc++ is linked in.
    MuslGcc,
}

impl CTools {
    /// The C compiler as the report names it.
    pub fn display(&self) -> String {
        match self {
            CTools::Host => "cc".into(),
            CTools::Gnu { prefix } => format!("{prefix}-gcc"),
            CTools::ZigWrappers { zig_target } => format!("zig cc -target {zig_target}"),
            CTools::ZigBuild => "zig cc (cargo-zigbuild)".into(),
            CTools::MuslGcc => "musl-gcc".into(),
        }
    }

    /// The programs that must be on PATH.
    pub fn programs(&self) -> Vec<String> {
        match self {
            CTools::Host => vec!["cc".into()],
            CTools::Gnu { prefix } => vec![format!("{prefix}-gcc"), format!("{prefix}-ar")],
            CTools::ZigWrappers { .. } | CTools::ZigBuild => vec!["cargo-zigbuild".into()],
            CTools::MuslGcc => vec!["musl-gcc".into()],
        }
    }

    /// The C++ driver, where the toolchain has one on PATH.
    pub fn cxx(&self) -> Option<String> {
        match self {
            CTools::Host => Some("c++".into()),
            CTools::Gnu { prefix } => Some(format!("{prefix}-g++")),
            CTools::MuslGcc => Some("cargo-zigbuild".into()),
            _ => None,
        }
    }

    /// What installs the C++ compiler, where another step than the C compiler's.
    pub fn cxx_install(&self) -> Option<Install> {
        matches!(self, CTools::MuslGcc).then_some(Install::Zig)
    }

    /// What installs the C compiler (and the C++ one, where the same packages do).
    pub fn install(&self) -> Install {
        let apt = |p: &[&str]| Install::Apt(p.iter().map(|s| (*s).to_owned()).collect());
        match self {
            CTools::Host => apt(&["gcc", "g++", "libc6-dev"]),
            CTools::Gnu { prefix } if prefix == "x86_64-w64-mingw32" => {
                apt(&["gcc-mingw-w64-x86-64", "g++-mingw-w64-x86-64"])
            }
            CTools::Gnu { prefix } if prefix == "i686-w64-mingw32" => {
                apt(&["gcc-mingw-w64-i686", "g++-mingw-w64-i686"])
            }
            CTools::Gnu { prefix } => {
                let mut p = debian_packages(&format!("{prefix}-gcc")).unwrap_or_default();
                p.push(format!("g++-{prefix}"));
                Install::Apt(p)
            }
            CTools::ZigWrappers { .. } | CTools::ZigBuild => Install::Zig,
            CTools::MuslGcc => apt(&["musl-tools"]),
        }
    }
}

/// The C toolchain that goes with a variant's linker: the cross gcc or MinGW with
/// theirs, the host's cc on the host's own targets, zig where zig links or where the
/// target has no gcc of its own (musl cross targets linked by rust-lld).
fn c_tools(target: &str, host: &str, link: &Link, glibc: Option<&str>) -> Option<CTools> {
    let host_target = target == host;
    let zig_wrappers =
        || zig_target(target, glibc, None).map(|zig_target| CTools::ZigWrappers { zig_target });
    match link {
        Link::Zig => Some(CTools::ZigBuild),
        Link::ToolchainDefault => Some(CTools::Host),
        Link::Driver { program, .. } if program == "cc" => {
            if host_target {
                Some(CTools::Host)
            } else {
                // cc links musl on the host's architecture with rustc's crt objects, but
                // compiles against glibc's headers: zig compiles C for musl
                zig_wrappers()
            }
        }
        Link::Driver { program, .. } => program.strip_suffix("-gcc").map(|prefix| CTools::Gnu {
            prefix: prefix.to_owned(),
        }),
        Link::Program(p) if p.rsplit('/').next() == Some("musl-gcc") => Some(CTools::MuslGcc),
        Link::Program(_) if host_target => Some(CTools::Host),
        Link::Program(_) => zig_wrappers(),
        Link::RustLld { .. } if host_target => Some(CTools::Host),
        Link::RustLld { .. } => match c_driver(target, host) {
            Some(d) if d != "cc" && !Triple::parse(target).is_musl() => {
                d.strip_suffix("-gcc").map(|prefix| CTools::Gnu {
                    prefix: prefix.to_owned(),
                })
            }
            _ => zig_wrappers(),
        },
    }
}

/// The GNU triple prefix of a cross gcc for a Rust target (`aarch64-linux-gnu`,
/// `arm-linux-gnueabihf`, `x86_64-w64-mingw32`).
pub fn gcc_prefix(target: &str) -> Option<String> {
    let t = Triple::parse(target);
    let arch = t.gnu_arch();
    if t.is_windows_gnu() {
        return Some(format!("{arch}-w64-mingw32"));
    }
    if !t.is_linux() || t.env.is_empty() {
        return None;
    }
    Some(format!("{arch}-linux-{}", t.env))
}

/// The Debian packages that make `program` link for its target: the driver and the C
/// library it links against. Checked against `apt-cache depends`: a cross gcc only
/// *recommends* its target C library (`gcc-aarch64-linux-gnu` → `libc6-dev-arm64-cross`)
/// and `gcc` only recommends `libc6-dev`, so both are named; MinGW's runtime
/// (`mingw-w64-x86-64-dev`) and musl-tools' `musl-dev` are hard dependencies.
pub fn debian_packages(program: &str) -> Option<Vec<String>> {
    let v = |p: &[&str]| Some(p.iter().map(|s| (*s).to_owned()).collect());
    match program {
        "cc" | "gcc" => v(&["gcc", "libc6-dev"]),
        "musl-gcc" => v(&["musl-tools"]),
        "clang" => v(&["clang", "libc6-dev"]),
        "x86_64-w64-mingw32-gcc" => v(&["gcc-mingw-w64-x86-64"]),
        "i686-w64-mingw32-gcc" => v(&["gcc-mingw-w64-i686"]),
        p => {
            let prefix = p.strip_suffix("-gcc")?;
            let arch = crate::platform::arch::debian_of_cross(prefix)?;
            Some(vec![
                format!("gcc-{prefix}"),
                format!("libc6-dev-{arch}-cross"),
            ])
        }
    }
}

/// How `program` gets installed.
fn install_program(program: &str) -> Install {
    match debian_packages(program) {
        Some(p) => Install::Apt(p),
        None => Install::Manual(format!("install `{program}` and put it on PATH")),
    }
}

/// The system C compiler driver that links for `target` on this host.
pub fn c_driver(target: &str, host: &str) -> Option<String> {
    let (t, h) = (Triple::parse(target), Triple::parse(host));
    if target == host || (t.arch == h.arch && t.is_linux() && h.is_linux()) {
        // rustc's own default for Linux targets of the host's architecture (musl
        // included: it adds its self-contained crt objects)
        return Some("cc".into());
    }
    if t.is_apple() {
        return h.is_apple().then(|| "cc".into());
    }
    gcc_prefix(target).map(|p| format!("{p}-gcc"))
}

/// zig's `-target` for a Rust target, as cargo-zigbuild's own linker wrapper gives it
/// (`x86_64-linux-gnu.2.17`, `aarch64-macos.11.0-none`, `x86_64-windows-gnu`), or
/// `None` for targets whose name this mapping does not know (they use zigbuild).
pub fn zig_target(target: &str, glibc: Option<&str>, macos_min: Option<&str>) -> Option<String> {
    let t = Triple::parse(target);
    let arch = match t.arch {
        "x86_64" | "aarch64" | "powerpc64le" | "s390x" | "loongarch64" => t.arch,
        "riscv64gc" => "riscv64",
        "i686" => "x86",
        _ => return None,
    };
    let with = |v: Option<&str>| v.map(|v| format!(".{v}")).unwrap_or_default();
    Some(match (t.vendor, t.os, t.env) {
        ("unknown", "linux", "gnu") => format!("{arch}-linux-gnu{}", with(glibc)),
        ("unknown", "linux", "musl") => format!("{arch}-linux-musl"),
        ("apple", "darwin", "") => format!("{arch}-macos{}-none", with(macos_min)),
        ("pc", "windows", "gnu") => format!("{arch}-windows-gnu"),
        // zig's FreeBSD libc stubs and crt objects (zig 0.14 and later)
        ("unknown", "freebsd", "") => format!("{arch}-freebsd"),
        ("unknown", "netbsd", "") => format!("{arch}-netbsd"),
        _ => return None,
    })
}

/// A program name that is a C compiler driver (a probe can link with it).
fn is_c_driver(program: &str) -> bool {
    let base = program.rsplit('/').next().unwrap_or(program);
    ["gcc", "cc", "clang", "g++", "c++", "clang++"]
        .iter()
        .any(|d| base == *d || base.ends_with(&format!("-{d}")))
}

/// The flags a Rust link for `target` asks of the C library, so the probe fails where
/// the link would: the shared libgcc_s of a dynamic glibc link (a cross gcc without
/// its libgcc), the static C library of a `+crt-static` one.
fn probe_flags(target: &str, crt_static: Option<bool>) -> Vec<String> {
    let gnu = Triple::parse(target).is_linux_gnu();
    match (gnu, crt_static) {
        (true, Some(true)) => vec!["-static".into()],
        (true, _) => vec!["-lgcc_s".into()],
        _ => Vec::new(),
    }
}

fn exe_suffix(target: &str) -> &'static str {
    if Triple::parse(target).is_windows() {
        ".exe"
    } else {
        ""
    }
}

/// What runs a target's binaries for `build --run` on a Linux host: its programs and
/// the packages that install them. `None` when the host runs them itself (its own
/// architecture) or nothing here can (Mach-O). The wine smoke also compiles a DLL wine
/// lacks with MinGW, which the Windows variant's linker already needs.
pub fn runner(target: &str, host: &str) -> Option<(Vec<String>, Install)> {
    let apt = |p: &str| Install::Apt(vec![p.to_owned()]);
    let t = Triple::parse(target);
    let arch = t.arch;
    let host_arch = Triple::parse(host).arch;
    if t.is_windows() {
        return (arch == "x86_64").then(|| {
            (
                vec![
                    "/usr/lib/wine/wine64".to_owned(),
                    "x86_64-w64-mingw32-gcc".to_owned(),
                ],
                Install::Apt(vec!["wine64".into(), "gcc-mingw-w64-x86-64".into()]),
            )
        });
    }
    if !t.is_linux() || arch == host_arch {
        return None;
    }
    if matches!(arch, "i686" | "i586") && host_arch == "x86_64" {
        // the kernel runs it natively (see run::plan::runs_natively); a dynamic glibc
        // one on the host needs the 32-bit loader, C library and the libgcc_s that
        // Rust's std links (Debian: libc6-i386, /lib/ld-linux.so.2 -> /lib32;
        // lib32gcc-s1); its minimal root takes them from the cross sysroot instead
        return t.env_is_gnu().then(|| {
            (
                vec![
                    "/lib/ld-linux.so.2".to_owned(),
                    "/usr/lib32/libgcc_s.so.1".to_owned(),
                ],
                Install::Apt(vec!["libc6-i386".into(), "lib32gcc-s1".into()]),
            )
        });
    }
    let qemu = t.qemu_arch();
    Some((vec![format!("qemu-{qemu}-static")], apt("qemu-user-static")))
}

/// What `v` needs on a machine whose host triple is `host`.
pub fn needs(v: &Variant, host: &str) -> Needs {
    let target = v.target();
    let mut n = Needs {
        target: target.to_owned(),
        link: None,
        program: v.linker().as_str().to_owned(),
        programs: Vec::new(),
        install: vec![Install::Rustup(target.to_owned())],
        probe: None,
        unavailable: None,
        c: None,
    };
    let driver_probe = |program: &str| Probe {
        command: vec![program.to_owned()],
        flags: probe_flags(target, v.crt_static),
        exe_suffix: exe_suffix(target),
    };
    match v.linker() {
        LinkerSpec::Internal if target == "x86_64-unknown-linux-gnu" => {
            n.link = Some(Link::ToolchainDefault);
            n.program = "rust-lld".into();
            n.programs.push("cc".into());
            n.install.push(install_program("cc"));
            n.probe = Some(driver_probe("cc"));
        }
        LinkerSpec::Internal => {
            n.link = Some(Link::RustLld {
                self_contained: v.triple().is_musl(),
            });
            n.program = "rust-lld".into();
        }
        LinkerSpec::External => match c_driver(target, host) {
            Some(driver) => {
                n.link = Some(Link::Driver {
                    program: driver.clone(),
                    opt_out_lld: target == "x86_64-unknown-linux-gnu",
                });
                n.install.push(install_program(&driver));
                n.probe = Some(driver_probe(&driver));
                n.programs.push(driver.clone());
                n.program = driver;
            }
            None => {
                n.unavailable = Some(format!(
                    "no C compiler driver links for {target} on a {host} host"
                ));
                n.install.push(Install::Manual(
                    "use linker = \"zig\" for this target".into(),
                ));
            }
        },
        LinkerSpec::Zig => {
            n.link = Some(Link::Zig);
            n.program = "zig".into();
            n.programs.push("cargo-zigbuild".into());
            n.install.push(Install::Zig);
            n.probe = zig_target(target, v.glibc(), None).map(|zt| Probe {
                command: ["cargo-zigbuild", "zig", "cc", "--", "-target", &zt]
                    .map(String::from)
                    .to_vec(),
                flags: Vec::new(),
                exe_suffix: exe_suffix(target),
            });
        }
        LinkerSpec::Program(p) => {
            n.link = Some(Link::Program(p.clone()));
            n.programs.push(p.clone());
            n.install.push(install_program(p));
            n.probe = is_c_driver(p).then(|| driver_probe(p));
        }
    }
    n.c = n
        .link
        .as_ref()
        .and_then(|l| c_tools(target, host, l, v.glibc()));
    n
}

/// The command that installs what `i` names, as a user would type it.
pub fn install_command(i: &Install, root: bool, zig_home: &std::path::Path) -> String {
    let sudo = if root { "" } else { "sudo " };
    match i {
        Install::Rustup(t) => format!("rustup target add {t}"),
        Install::Apt(p) => format!("{sudo}apt-get install -y {}", p.join(" ")),
        Install::Zig => {
            let d = zig_home.display();
            format!("python3 -m venv {d} && {d}/bin/python3 -m pip install ziglang cargo-zigbuild")
        }
        Install::Manual(m) => m.clone(),
    }
}

/// Which pkg-config a build script runs ([`pkg_config_for`]).
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum PkgConfig {
    /// A variable names the program (a path, or a name looked up on PATH).
    Set { var: String, program: String },
    /// None is set: `pkg-config` on PATH, else `pkgconf`.
    Default,
}

/// The pkg-config a build script for `target` runs, as pkg-config-rs picks it
/// (`Config::run` in pkg-config 0.3.34): the first of `PKG_CONFIG_<target>`,
/// `PKG_CONFIG_<target with underscores>`, `HOST_PKG_CONFIG` (when `target` is the
/// host) or `TARGET_PKG_CONFIG`, and `PKG_CONFIG` that is set; else `pkg-config`, then
/// `pkgconf`. `var` reads the environment the build scripts inherit (passed in, so it
/// stays pure).
pub fn pkg_config_for(target: &str, host: &str, var: impl Fn(&str) -> Option<String>) -> PkgConfig {
    let kind = if target == host { "HOST" } else { "TARGET" };
    [
        format!("PKG_CONFIG_{target}"),
        format!("PKG_CONFIG_{}", target.replace('-', "_")),
        format!("{kind}_PKG_CONFIG"),
        "PKG_CONFIG".to_owned(),
    ]
    .into_iter()
    .find_map(|k| var(&k).map(|program| PkgConfig::Set { var: k, program }))
    .unwrap_or(PkgConfig::Default)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::matrix::{parse, DEFAULT_MATRIX};

    const HOST: &str = "x86_64-unknown-linux-gnu";

    fn apt(n: &Needs) -> Vec<String> {
        n.install
            .iter()
            .flat_map(|i| match i {
                Install::Apt(p) => p.clone(),
                _ => Vec::new(),
            })
            .collect()
    }

    #[test]
    fn every_default_variant_that_links_with_c_installs_its_c_library() {
        let m = parse(DEFAULT_MATRIX, "default", None).unwrap();
        for v in &m.variants {
            let n = needs(v, HOST);
            let pkgs = apt(&n);
            let want: &[&str] = match (v.target(), v.linker()) {
                ("aarch64-unknown-linux-gnu", _) => {
                    &["gcc-aarch64-linux-gnu", "libc6-dev-arm64-cross"]
                }
                ("x86_64-unknown-linux-gnu", LinkerSpec::Internal | LinkerSpec::External) => {
                    &["gcc", "libc6-dev"]
                }
                ("x86_64-unknown-linux-musl", LinkerSpec::Program(_)) => &["musl-tools"],
                ("x86_64-pc-windows-gnu", _) => &["gcc-mingw-w64-x86-64"],
                _ => &[],
            };
            assert_eq!(pkgs, want, "{}", v.id());
            assert_eq!(n.install[0], Install::Rustup(v.target().to_owned()));
            // every C linker has a probe, rust-lld on its own has none
            let c_linker = !matches!(n.link, Some(Link::RustLld { .. }));
            assert_eq!(n.probe.is_some(), c_linker, "{}", v.id());
        }
    }

    #[test]
    fn every_wide_variant_that_links_with_a_cross_gcc_installs_its_c_library() {
        let (text, name) = crate::matrix::builtin("wide").unwrap();
        let m = parse(text, name, None).unwrap();
        for v in &m.variants {
            let n = needs(v, HOST);
            let want: &[&str] = match v.target() {
                "i686-unknown-linux-gnu" => &["gcc-i686-linux-gnu", "libc6-dev-i386-cross"],
                "armv7-unknown-linux-gnueabihf" => {
                    &["gcc-arm-linux-gnueabihf", "libc6-dev-armhf-cross"]
                }
                "aarch64-unknown-linux-gnu" => &["gcc-aarch64-linux-gnu", "libc6-dev-arm64-cross"],
                "riscv64gc-unknown-linux-gnu" => {
                    &["gcc-riscv64-linux-gnu", "libc6-dev-riscv64-cross"]
                }
                "powerpc64le-unknown-linux-gnu" => {
                    &["gcc-powerpc64le-linux-gnu", "libc6-dev-ppc64el-cross"]
                }
                "s390x-unknown-linux-gnu" => &["gcc-s390x-linux-gnu", "libc6-dev-s390x-cross"],
                "i686-pc-windows-gnu" => &["gcc-mingw-w64-i686"],
                "x86_64-pc-windows-gnu" => &["gcc-mingw-w64-x86-64"],
                "x86_64-unknown-linux-gnu" => &["gcc", "libc6-dev"],
                _ => &[],
            };
            assert_eq!(apt(&n), want, "{}", v.id());
            let c_linker = !matches!(n.link, Some(Link::RustLld { .. }));
            assert!(n.unavailable.is_none(), "{}", v.id());
            // every C linker is probed, zig too (loongarch64, FreeBSD included)
            assert_eq!(n.probe.is_some(), c_linker, "{}", v.id());
            if let Some(Link::Driver { program, .. }) = &n.link {
                assert_eq!(
                    n.probe.as_ref().unwrap().flags.is_empty(),
                    v.triple().is_windows()
                );
                assert!(program.ends_with("-gcc"), "{}: {program}", v.id());
            }
        }
    }

    #[test]
    fn cross_gcc_packages_name_the_target_c_library() {
        for (gcc, lib) in [
            ("aarch64-linux-gnu-gcc", "libc6-dev-arm64-cross"),
            ("arm-linux-gnueabihf-gcc", "libc6-dev-armhf-cross"),
            ("i686-linux-gnu-gcc", "libc6-dev-i386-cross"),
            ("powerpc64le-linux-gnu-gcc", "libc6-dev-ppc64el-cross"),
            ("s390x-linux-gnu-gcc", "libc6-dev-s390x-cross"),
            ("riscv64-linux-gnu-gcc", "libc6-dev-riscv64-cross"),
        ] {
            let p = debian_packages(gcc).unwrap();
            assert_eq!(
                p,
                [format!("gcc-{}", &gcc[..gcc.len() - 4]), lib.to_owned()]
            );
        }
        assert_eq!(debian_packages("mold"), None);
    }

    #[test]
    fn probes_ask_what_the_link_asks() {
        let v = |body: &str| {
            let t = format!("[[variant]]\nid = \"v\"\n{body}");
            parse(&t, "t.toml", None).unwrap().variants.remove(0)
        };
        let aarch64 = needs(
            &v("target = \"aarch64-unknown-linux-gnu\"\nlinker = \"external\""),
            HOST,
        );
        assert_eq!(
            aarch64.probe.unwrap().display(),
            "aarch64-linux-gnu-gcc hello.c -o hello -lgcc_s"
        );
        let st = needs(
            &v("target = \"x86_64-unknown-linux-gnu\"\nlinker = \"external\"\ncrt-static = true"),
            HOST,
        );
        assert_eq!(st.probe.unwrap().display(), "cc hello.c -o hello -static");
        let z = needs(
            &v("target = \"x86_64-unknown-linux-gnu\"\nlinker = \"zig\"\nglibc = \"2.17\""),
            HOST,
        );
        assert_eq!(
            z.probe.unwrap().display(),
            "cargo-zigbuild zig cc -- -target x86_64-linux-gnu.2.17 hello.c -o hello"
        );
        let w = needs(
            &v("target = \"x86_64-pc-windows-gnu\"\nlinker = \"external\""),
            HOST,
        );
        assert_eq!(
            w.probe.unwrap().display(),
            "x86_64-w64-mingw32-gcc hello.c -o hello.exe"
        );
        // a linker program that is not a C driver is not probed
        let mold = needs(
            &v("target = \"x86_64-unknown-linux-gnu\"\nlinker = \"mold\""),
            HOST,
        );
        assert!(mold.probe.is_none());
        assert!(matches!(mold.install[1], Install::Manual(_)));
        // no C driver links for macOS from Linux
        let mac = needs(
            &v("target = \"x86_64-apple-darwin\"\nlinker = \"external\""),
            HOST,
        );
        assert!(mac.link.is_none() && mac.unavailable.is_some());
    }

    #[test]
    fn build_scripts_get_the_c_compiler_of_their_linker() {
        let m = parse(DEFAULT_MATRIX, "default", None).unwrap();
        let c: Vec<(String, Option<String>)> = m
            .variants
            .iter()
            .map(|v| (v.id().to_owned(), needs(v, HOST).c.map(|c| c.display())))
            .collect();
        let want = |id: &str| c.iter().find(|(i, _)| i == id).unwrap().1.clone();
        assert_eq!(want("linux-x86_64-gnu").as_deref(), Some("cc"));
        assert_eq!(want("linux-x86_64-gnu-static").as_deref(), Some("cc"));
        assert_eq!(
            want("linux-aarch64-gnu").as_deref(),
            Some("aarch64-linux-gnu-gcc")
        );
        assert_eq!(
            want("linux-aarch64-musl").as_deref(),
            Some("zig cc -target aarch64-linux-musl")
        );
        assert_eq!(
            want("linux-x86_64-musl").as_deref(),
            Some("zig cc -target x86_64-linux-musl")
        );
        assert_eq!(want("linux-x86_64-musl-gcc").as_deref(), Some("musl-gcc"));
        assert_eq!(
            want("windows-x86_64-gnu").as_deref(),
            Some("x86_64-w64-mingw32-gcc")
        );
        assert_eq!(
            want("macos-aarch64").as_deref(),
            Some("zig cc (cargo-zigbuild)")
        );
        let gnu = CTools::Gnu {
            prefix: "aarch64-linux-gnu".into(),
        };
        assert_eq!(
            gnu.install(),
            Install::Apt(vec![
                "gcc-aarch64-linux-gnu".into(),
                "libc6-dev-arm64-cross".into(),
                "g++-aarch64-linux-gnu".into()
            ])
        );
    }

    #[test]
    fn zig_target_names() {
        assert_eq!(
            zig_target("x86_64-unknown-linux-gnu", Some("2.17"), None).as_deref(),
            Some("x86_64-linux-gnu.2.17")
        );
        assert_eq!(
            zig_target("aarch64-apple-darwin", None, Some("11.0")).as_deref(),
            Some("aarch64-macos.11.0-none")
        );
        assert_eq!(
            zig_target("x86_64-unknown-linux-musl", None, None).as_deref(),
            Some("x86_64-linux-musl")
        );
        assert_eq!(
            zig_target("x86_64-pc-windows-gnu", None, None).as_deref(),
            Some("x86_64-windows-gnu")
        );
        assert_eq!(
            zig_target("armv7-unknown-linux-gnueabihf", None, None),
            None
        );
        assert_eq!(
            zig_target("x86_64-unknown-freebsd", None, None).as_deref(),
            Some("x86_64-freebsd")
        );
        assert_eq!(
            zig_target("loongarch64-unknown-linux-gnu", None, None).as_deref(),
            Some("loongarch64-linux-gnu")
        );
    }

    #[test]
    fn c_driver_per_host() {
        assert_eq!(
            c_driver("aarch64-unknown-linux-gnu", HOST).as_deref(),
            Some("aarch64-linux-gnu-gcc")
        );
        assert_eq!(
            c_driver("x86_64-unknown-linux-musl", HOST).as_deref(),
            Some("cc")
        );
        assert_eq!(
            c_driver("armv7-unknown-linux-gnueabihf", HOST).as_deref(),
            Some("arm-linux-gnueabihf-gcc")
        );
        assert_eq!(c_driver("x86_64-apple-darwin", HOST), None);
    }
}
