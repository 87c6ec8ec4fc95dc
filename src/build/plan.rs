//! From a matrix variant and the machine's facts to a cargo invocation, or to
//! "skipped" with the reason and the exact command that fixes it. Pure.

use crate::matrix::{LinkerSpec, Variant};

/// What the machine offers, as the planner needs it.
pub trait Machine {
    fn host(&self) -> &str;
    fn std_installed(&self, target: &str) -> bool;
    fn has_program(&self, program: &str) -> bool;
    fn is_root(&self) -> bool;
}

/// How to build one variant.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Invocation {
    /// Variants with the same group share their dependency builds: they differ only in
    /// flags given to the final crate.
    pub group: String,
    /// `cargo zigbuild` for every crate, instead of `cargo rustc`.
    pub zig: bool,
    /// zig links the final crate only (`cargo rustc -- -C linker=<zig cc wrapper>`),
    /// with this glibc version pinned, if any: the variant joins its target's group.
    pub zig_link: Option<ZigLink>,
    /// The `--target` given to cargo (with `.2.17` for a pinned glibc under zigbuild).
    pub cargo_target: String,
    /// rustc flags for the final crate only (`cargo rustc -- …`).
    pub final_flags: Vec<String>,
    /// Flags for every crate (`CARGO_ENCODED_RUSTFLAGS`).
    pub rustflags: Vec<String>,
    /// The linker program, for the report.
    pub program: String,
}

/// How zig links a final crate that shares its group's dependencies.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ZigLink {
    pub glibc: Option<String>,
}

/// zig's `-target` for a Rust target, as cargo-zigbuild's own linker wrapper gives it
/// (`x86_64-linux-gnu.2.17`, `aarch64-macos.11.0-none`, `x86_64-windows-gnu`), or
/// `None` for targets whose name this mapping does not know (they use zigbuild).
pub fn zig_target(target: &str, glibc: Option<&str>, macos_min: Option<&str>) -> Option<String> {
    let (arch, rest) = target.split_once('-')?;
    let arch = match arch {
        "x86_64" | "aarch64" | "powerpc64le" | "s390x" => arch,
        "riscv64gc" => "riscv64",
        "i686" => "x86",
        _ => return None,
    };
    let with = |v: Option<&str>| v.map(|v| format!(".{v}")).unwrap_or_default();
    Some(match rest {
        "unknown-linux-gnu" => format!("{arch}-linux-gnu{}", with(glibc)),
        "unknown-linux-musl" => format!("{arch}-linux-musl"),
        "apple-darwin" => format!("{arch}-macos{}-none", with(macos_min)),
        "pc-windows-gnu" => format!("{arch}-windows-gnu"),
        _ => return None,
    })
}

/// A variant's plan.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Plan {
    Ready(Invocation),
    Skipped { reason: String, fix: String },
}

/// The GNU triple prefix of a cross gcc for a Rust target, e.g. `aarch64-linux-gnu`.
fn gcc_prefix(target: &str) -> Option<String> {
    let parts: Vec<&str> = target.split('-').collect();
    let arch = match parts.first()? {
        a if a.starts_with("armv7") => "arm",
        a if a.starts_with("riscv64") => "riscv64",
        a => a,
    };
    if target.ends_with("-windows-gnu") {
        return Some(format!("{arch}-w64-mingw32"));
    }
    let os_env = target.split_once("-linux-")?.1;
    Some(format!("{arch}-linux-{os_env}"))
}

/// The system C compiler driver that links for `target` on this host.
pub fn c_driver(target: &str, host: &str) -> Option<String> {
    let same_arch = target.split('-').next() == host.split('-').next();
    if target == host || (same_arch && target.contains("-linux-") && host.contains("-linux-")) {
        // rustc's own default for Linux targets of the host's architecture (musl
        // included: it adds its self-contained crt objects)
        return Some("cc".into());
    }
    if target.contains("-apple-") {
        return host.contains("-apple-").then(|| "cc".into());
    }
    gcc_prefix(target).map(|p| format!("{p}-gcc"))
}

/// The Debian package that provides `program`.
pub fn debian_package(program: &str) -> Option<String> {
    Some(match program {
        "cc" | "gcc" => "gcc".into(),
        "musl-gcc" => "musl-tools".into(),
        "clang" => "clang".into(),
        "x86_64-w64-mingw32-gcc" => "gcc-mingw-w64-x86-64".into(),
        "i686-w64-mingw32-gcc" => "gcc-mingw-w64-i686".into(),
        p => {
            let prefix = p.strip_suffix("-gcc")?;
            if prefix.contains("-linux-") {
                format!("gcc-{prefix}")
            } else {
                return None;
            }
        }
    })
}

/// The command that installs `program`, for a "skipped" hint.
pub fn install_hint(program: &str, root: bool) -> String {
    let sudo = if root { "" } else { "sudo " };
    match program {
        "zig" | "cargo-zigbuild" => "pip install ziglang cargo-zigbuild".into(),
        p => match debian_package(p) {
            Some(pkg) => format!("{sudo}apt-get install -y {pkg}   (or: cargo portable setup)"),
            None => format!("install `{p}` and put it on PATH"),
        },
    }
}

/// Plan one variant. `native_deps`: the crate's dependency graph compiles C or links
/// native libraries (a package with `links`, or cc/cmake): then a zig variant is built
/// entirely with `cargo zigbuild`, whose C compiler is zig's for the variant's target,
/// instead of sharing dependencies compiled for another linker.
pub fn plan(v: &Variant, m: &impl Machine, native_deps: bool) -> Plan {
    let target = v.target();
    let skip = |reason: String, fix: String| Plan::Skipped { reason, fix };
    if !m.std_installed(target) {
        return skip(
            format!("the standard library for {target} is not installed"),
            format!("rustup target add {target}   (or: cargo portable setup)"),
        );
    }
    let mut final_flags: Vec<String> = Vec::new();
    match v.crt_static {
        Some(true) => final_flags.extend(["-C".into(), "target-feature=+crt-static".into()]),
        Some(false) => final_flags.extend(["-C".into(), "target-feature=-crt-static".into()]),
        None => {}
    }
    let (program, zig) = match v.linker() {
        LinkerSpec::Zig => {
            if !m.has_program("cargo-zigbuild") {
                return skip(
                    "linker = \"zig\" needs cargo-zigbuild and zig, which are not installed".into(),
                    install_hint("cargo-zigbuild", m.is_root()),
                );
            }
            ("zig".to_owned(), true)
        }
        LinkerSpec::Internal => {
            if target == "x86_64-unknown-linux-gnu" {
                // the toolchain's default: cc driving its self-contained rust-lld
                if !m.has_program("cc") {
                    return skip(
                        "the internal linker on this target is driven by `cc`, which is not installed".into(),
                        install_hint("cc", m.is_root()),
                    );
                }
            } else {
                final_flags.extend(
                    ["-C", "linker=rust-lld", "-C", "linker-flavor=ld.lld"].map(String::from),
                );
                if target.contains("-linux-musl") {
                    final_flags.extend(["-C", "link-self-contained=yes"].map(String::from));
                }
            }
            ("rust-lld".to_owned(), false)
        }
        LinkerSpec::External => {
            let Some(driver) = c_driver(target, m.host()) else {
                return skip(
                    format!(
                        "no C compiler driver links for {target} on a {} host",
                        m.host()
                    ),
                    "use linker = \"zig\" for this target".into(),
                );
            };
            if !m.has_program(&driver) {
                return skip(
                    format!("the linker `{driver}` for {target} is not installed"),
                    install_hint(&driver, m.is_root()),
                );
            }
            if target == "x86_64-unknown-linux-gnu" {
                // opt out of the toolchain's default lld: cc with its own (GNU) ld
                final_flags.extend(["-C", "linker-features=-lld"].map(String::from));
            } else {
                final_flags.push("-C".into());
                final_flags.push(format!("linker={driver}"));
            }
            (driver, false)
        }
        LinkerSpec::Program(p) => {
            if !m.has_program(p) {
                return skip(
                    format!("the linker `{p}` is not installed"),
                    install_hint(p, m.is_root()),
                );
            }
            final_flags.push("-C".into());
            final_flags.push(format!("linker={p}"));
            (p.clone(), false)
        }
    };
    let zig_link =
        (zig && !native_deps && zig_target(target, v.glibc(), None).is_some()).then(|| ZigLink {
            glibc: v.glibc().map(str::to_owned),
        });
    let zig = zig && zig_link.is_none();
    let cargo_target = match v.glibc() {
        Some(g) if zig => format!("{target}.{g}"),
        _ => target.to_owned(),
    };
    let mut rustflags = v.rustflags.clone();
    if zig {
        // one variant per zig group: its flags may go to every crate
        rustflags.append(&mut final_flags);
    }
    let group = format!(
        "{}{cargo_target} {}",
        if zig { "zig:" } else { "" },
        rustflags.join(" ")
    );
    Plan::Ready(Invocation {
        group,
        zig,
        zig_link,
        cargo_target,
        final_flags,
        rustflags,
        program,
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::matrix::parse;

    /// A crate without native dependencies.
    fn plan(v: &Variant, m: &impl Machine) -> Plan {
        super::plan(v, m, false)
    }

    struct Fake {
        std: Vec<&'static str>,
        programs: Vec<&'static str>,
    }
    impl Machine for Fake {
        fn host(&self) -> &str {
            "x86_64-unknown-linux-gnu"
        }
        fn std_installed(&self, t: &str) -> bool {
            self.std.contains(&t)
        }
        fn has_program(&self, p: &str) -> bool {
            self.programs.contains(&p)
        }
        fn is_root(&self) -> bool {
            true
        }
    }

    fn variant(body: &str) -> Variant {
        let t = format!("[[variant]]\nid = \"v\"\n{body}");
        parse(&t, "t.toml", None).unwrap().variants.remove(0)
    }

    fn all() -> Fake {
        Fake {
            std: vec![
                "x86_64-unknown-linux-gnu",
                "x86_64-unknown-linux-musl",
                "aarch64-unknown-linux-gnu",
                "x86_64-pc-windows-gnu",
            ],
            programs: vec![
                "cc",
                "musl-gcc",
                "aarch64-linux-gnu-gcc",
                "x86_64-w64-mingw32-gcc",
                "cargo-zigbuild",
            ],
        }
    }

    fn ready(p: Plan) -> Invocation {
        match p {
            Plan::Ready(i) => i,
            s => panic!("{s:?}"),
        }
    }

    #[test]
    fn linker_flags_go_to_the_final_crate_and_share_the_group() {
        let a = ready(plan(
            &variant("target = \"x86_64-unknown-linux-gnu\"\nlinker = \"internal\""),
            &all(),
        ));
        let b = ready(plan(
            &variant(
                "target = \"x86_64-unknown-linux-gnu\"\nlinker = \"external\"\ncrt-static = true",
            ),
            &all(),
        ));
        assert!(a.final_flags.is_empty());
        assert_eq!(
            b.final_flags,
            [
                "-C",
                "target-feature=+crt-static",
                "-C",
                "linker-features=-lld"
            ]
        );
        assert_eq!(a.group, b.group);
        assert!(a.rustflags.is_empty() && b.rustflags.is_empty());
    }

    #[test]
    fn musl_internal_is_self_contained_rust_lld() {
        let i = ready(plan(
            &variant("target = \"x86_64-unknown-linux-musl\"\nlinker = \"internal\""),
            &all(),
        ));
        assert_eq!(
            i.final_flags,
            [
                "-C",
                "linker=rust-lld",
                "-C",
                "linker-flavor=ld.lld",
                "-C",
                "link-self-contained=yes"
            ]
        );
        assert_eq!(i.program, "rust-lld");
    }

    #[test]
    fn cross_gcc_and_zig_glibc() {
        let i = ready(plan(
            &variant("target = \"aarch64-unknown-linux-gnu\"\nlinker = \"external\""),
            &all(),
        ));
        assert_eq!(i.final_flags, ["-C", "linker=aarch64-linux-gnu-gcc"]);
        let z = ready(plan(
            &variant("target = \"x86_64-unknown-linux-gnu\"\nlinker = \"zig\"\nglibc = \"2.17\""),
            &all(),
        ));
        // zig links the final crate only: the variant shares the gnu group
        assert!(!z.zig);
        assert_eq!(
            z.zig_link,
            Some(ZigLink {
                glibc: Some("2.17".into())
            })
        );
        assert_eq!(z.cargo_target, "x86_64-unknown-linux-gnu");
        let gnu = ready(plan(
            &variant("target = \"x86_64-unknown-linux-gnu\"\nlinker = \"internal\""),
            &all(),
        ));
        assert_eq!(z.group, gnu.group);
    }

    #[test]
    fn zig_builds_everything_when_dependencies_compile_c() {
        let v =
            variant("target = \"x86_64-unknown-linux-gnu\"\nlinker = \"zig\"\nglibc = \"2.17\"");
        let z = ready(super::plan(&v, &all(), true));
        assert!(z.zig && z.zig_link.is_none());
        assert_eq!(z.cargo_target, "x86_64-unknown-linux-gnu.2.17");
        assert!(z.group.starts_with("zig:"));
        // a target zig's name mapping does not know also uses zigbuild
        let mut m = all();
        m.std.push("armv7-unknown-linux-gnueabihf");
        let arm = variant("target = \"armv7-unknown-linux-gnueabihf\"\nlinker = \"zig\"");
        assert!(ready(plan(&arm, &m)).zig);
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
    }

    #[test]
    fn missing_prerequisites_skip_with_the_fix() {
        let none = Fake {
            std: vec!["x86_64-unknown-linux-gnu"],
            programs: vec![],
        };
        match plan(
            &variant("target = \"aarch64-unknown-linux-gnu\"\nlinker = \"external\""),
            &none,
        ) {
            Plan::Skipped { fix, .. } => assert!(
                fix.starts_with("rustup target add aarch64-unknown-linux-gnu"),
                "{fix}"
            ),
            p => panic!("{p:?}"),
        }
        match plan(
            &variant("target = \"x86_64-unknown-linux-gnu\"\nlinker = \"no-such-ld\""),
            &none,
        ) {
            Plan::Skipped { reason, .. } => assert!(reason.contains("no-such-ld"), "{reason}"),
            p => panic!("{p:?}"),
        }
        let mut m = all();
        m.programs.retain(|p| *p != "aarch64-linux-gnu-gcc");
        match plan(
            &variant("target = \"aarch64-unknown-linux-gnu\"\nlinker = \"external\""),
            &m,
        ) {
            Plan::Skipped { fix, .. } => assert!(
                fix.starts_with("apt-get install -y gcc-aarch64-linux-gnu"),
                "{fix}"
            ),
            p => panic!("{p:?}"),
        }
    }

    #[test]
    fn packages() {
        assert_eq!(
            debian_package("aarch64-linux-gnu-gcc").as_deref(),
            Some("gcc-aarch64-linux-gnu")
        );
        assert_eq!(
            debian_package("x86_64-w64-mingw32-gcc").as_deref(),
            Some("gcc-mingw-w64-x86-64")
        );
        assert_eq!(
            c_driver("x86_64-pc-windows-gnu", "x86_64-unknown-linux-gnu").as_deref(),
            Some("x86_64-w64-mingw32-gcc")
        );
        assert_eq!(
            c_driver("x86_64-unknown-linux-musl", "x86_64-unknown-linux-gnu").as_deref(),
            Some("cc")
        );
        assert_eq!(
            c_driver("x86_64-apple-darwin", "x86_64-unknown-linux-gnu"),
            None
        );
    }
}
