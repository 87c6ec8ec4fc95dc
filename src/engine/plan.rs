//! From a matrix variant and the machine's facts to a cargo invocation, or to
//! "skipped" with the reason and the exact command that fixes it. Pure: what a
//! variant needs comes from the one table in `toolchain::needs`.

use crate::engine::graph::{FrameworkUse, SystemLib};
use crate::matrix::Variant;
use crate::platform::Triple;
use crate::toolchain::needs::{pkg_config_for, PkgConfig};
use crate::toolchain::{install_command, needs, CTools, Install, Link, Machine, Needs};
use crate::version::Version;

pub use crate::toolchain::needs::zig_target;

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
    /// The C toolchain given to the target's build scripts (`CC_<target>`, …), when
    /// the crate's dependencies compile C; `None` otherwise, and under zigbuild.
    pub c: Option<CTools>,
    /// The C compiler that compiles the target's C code, for the report.
    pub c_compiler: Option<CTools>,
    /// Environment for this variant's cargo only (pkg-config pointed at a cross
    /// target's multiarch library, see [`system_libs`]).
    pub env: Vec<(String, String)>,
    /// The variant's own cargo features (its `features` key), added to `--features`.
    pub features: Vec<String>,
}

/// How zig links a final crate that shares its group's dependencies.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ZigLink {
    pub glibc: Option<String>,
}

/// A variant's plan.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Plan {
    Ready(Box<Invocation>),
    Skipped { reason: String, fix: String },
}

/// The fix for an unmet need: the install step of the need that is not there, and
/// `cargo portable setup` where setup can do it.
fn fix(m: &impl Machine, i: &Install) -> String {
    let cmd = install_command(i, m.is_root(), m.zig_home());
    match i {
        Install::Manual(_) => cmd,
        _ => format!("{cmd}   (or: cargo portable setup)"),
    }
}

/// The first need of `n` the machine does not meet: the standard library, a program,
/// then the probe. `None`: the variant is ready.
pub fn unmet(n: &Needs, m: &impl Machine) -> Option<(String, String)> {
    let target = &n.target;
    let tool_install = || {
        n.install
            .iter()
            .find(|i| !matches!(i, Install::Rustup(_)))
            .cloned()
            .unwrap_or_else(|| Install::Manual("install the linker".into()))
    };
    if !m.std_installed(target) {
        let why = m
            .std_failure(target)
            .map(|e| format!(": `rustup target add {target}` failed: {e}"))
            .unwrap_or_default();
        return Some((
            format!("the standard library for {target} is not installed{why}"),
            fix(m, &Install::Rustup(target.clone())),
        ));
    }
    if let Some(why) = &n.unavailable {
        return Some((why.clone(), fix(m, &tool_install())));
    }
    for p in &n.programs {
        if !m.has_program(p) {
            let reason = match n.link {
                Some(Link::Zig) => {
                    "linker = \"zig\" needs cargo-zigbuild and zig, which are not installed"
                        .to_owned()
                }
                Some(Link::ToolchainDefault) => format!(
                    "the internal linker on {target} is driven by `{p}`, which is not installed"
                ),
                _ => format!("the linker `{p}` for {target} is not installed"),
            };
            return Some((reason, fix(m, &tool_install())));
        }
    }
    if let Some(p) = &n.probe {
        if let Err(first) = m.probe(p) {
            let reason = format!(
                "`{}` cannot link a C program for {target}: {first}",
                p.command.join(" ")
            );
            let install = tool_install();
            let fix = match &install {
                Install::Manual(_) => format!(
                    "make `{}` link for {target} (the probe: `{}`)",
                    p.command.join(" "),
                    p.display()
                ),
                _ => fix(m, &install),
            };
            return Some((reason, fix));
        }
    }
    None
}

/// Whether the C toolchain for build scripts is there, when the crate needs one: the
/// crates whose build scripts compile C are named in the reason.
fn unmet_c(n: &Needs, m: &impl Machine, native: &[String]) -> Option<(String, String)> {
    let who = native.join(", ");
    let target = &n.target;
    let Some(c) = &n.c else {
        return Some((
            format!("{who} compile C for {target} in their build scripts, and no C compiler for {target} goes with this linker here"),
            "use linker = \"zig\" for this target".into(),
        ));
    };
    let missing = c.programs().into_iter().find(|p| !m.has_program(p))?;
    Some((
        format!("{who} compile C for {target} in their build scripts, with `{}`: `{missing}` is not installed", c.display()),
        fix(m, &c.install()),
    ))
}

/// Whether a musl-gcc link needs `-C relocation-model=static`. rustc links a static
/// musl binary as `-static-pie` with its own self-relocating `rcrt1.o`; Debian's
/// musl-gcc specs add musl's loader to it anyway (they know only `-static`), and the
/// binary that comes out crashes at start, relocated twice. A static relocation model
/// makes rustc ask for `-static`: a static executable that runs. Not when the variant
/// asks for dynamic musl or sets its own relocation model.
fn musl_gcc_static_pie(program: &str, v: &Variant) -> bool {
    program.rsplit('/').next() == Some("musl-gcc")
        && v.crt_static != Some(false)
        && !v.rustflags.iter().any(|f| f.contains("relocation-model"))
}

/// The first program a build script cannot do without that is not installed (see
/// [`crate::engine::graph::build_tools`]): every variant is skipped for it, before
/// compiling, with the install command.
pub fn unmet_tools(
    tools: &[crate::toolchain::BuildTool],
    m: &impl Machine,
) -> Option<(String, String)> {
    let t = tools
        .iter()
        .find(|t| t.required && !m.has_program(t.program))?;
    Some((
        format!(
            "{} run `{}` in their build scripts, and `{}` is not installed",
            t.by.join(", "),
            t.program,
            t.program
        ),
        fix(m, &Install::Apt(vec![t.apt.to_owned()])),
    ))
}

/// A package of the graph whose `rust-version` the installed rustc does not meet.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RustVersionGap {
    pub package: String,
    /// Its `rust-version`.
    pub needed: Version,
    /// rustc's version, without its pre-release part.
    pub installed: Version,
}

/// The skip every variant gets for a `rust-version` the installed rustc does not meet:
/// the reason, naming the package and both versions, and the fix (`rustup update`
/// when rustup manages the toolchain).
pub fn unmet_rust_version(gap: &RustVersionGap, rustup: bool) -> (String, String) {
    let RustVersionGap {
        package,
        needed,
        installed,
    } = gap;
    (
        format!(
            "{package} needs rustc {needed} or newer (its rust-version), and rustc {installed} is installed"
        ),
        if rustup {
            "rustup update".to_owned()
        } else {
            format!("install rustc {needed} or newer")
        },
    )
}

/// Debian's multiarch triple and architecture of a glibc target (`aarch64-linux-gnu`,
/// `arm64`): `/usr/lib/<triple>` holds the `<package>:<arch>` libraries.
fn cross_multiarch(target: &str) -> Option<(String, &'static str)> {
    let multiarch = crate::toolchain::needs::gcc_prefix(target)?;
    let arch = crate::platform::arch::debian_of_cross(&multiarch)?;
    Some((multiarch, arch))
}

/// Whether the host's own `l` is there for its build script: installed where the
/// host's linker looks, or one of the variables the build script reads is set (the
/// user points it at a library of their own).
fn host_library_found(l: &SystemLib, m: &impl Machine) -> bool {
    m.has_host_library(&l.library) || l.env.iter().any(|k| m.env_var(k).is_some())
}

/// The Debian packages a glibc variant lacks for `libs` (what `setup` installs):
/// (Debian architecture, `libssl-dev:arm64`) for a cross target's multiarch library,
/// (the host's architecture, `libssl-dev`) for the host's own. None for a pinned glibc
/// or another system: no package helps those.
pub fn missing_multiarch(
    v: &Variant,
    libs: &[SystemLib],
    m: &impl Machine,
) -> Vec<(String, String)> {
    let target = v.target();
    if !v.triple().is_linux_gnu() || v.glibc().is_some() {
        return Vec::new();
    }
    if target == m.host() {
        let Some((_, arch)) = cross_multiarch(target) else {
            return Vec::new();
        };
        return libs
            .iter()
            .filter(|l| !host_library_found(l, m))
            .map(|l| (arch.to_owned(), l.debian.clone()))
            .collect();
    }
    let Some((multiarch, arch)) = cross_multiarch(target) else {
        return Vec::new();
    };
    libs.iter()
        .filter(|l| !m.has_multiarch_library(&multiarch, &l.library))
        .map(|l| (arch.to_owned(), format!("{}:{arch}", l.debian)))
        .collect()
}

/// A variant's environment for its system libraries, or its skip (reason, fix).
pub type SystemLibPlan = Result<Vec<(String, String)>, (String, String)>;

/// What a variant does about the system libraries its graph links for its target
/// (`libs`, see [`crate::engine::graph::system_libs`]). `Ok`: build, with the
/// environment for this variant's cargo only — nothing on the host's own target (the
/// build script finds the host's library as it always does); for a cross glibc target
/// whose Debian multiarch library is installed, pkg-config pointed at it through the
/// target's own variables (`PKG_CONFIG_LIBDIR_<target>`, which host build scripts do
/// not read). `Err`: skipped before compiling, (reason, fix) — a target with no system
/// package for it (musl, macOS, Windows, …), a glibc pinned below the host's (the
/// host's library needs its newer glibc), a cross target without the multiarch
/// library (the fix installs it, or builds it from source).
pub fn system_libs(v: &Variant, libs: &[SystemLib], m: &impl Machine) -> SystemLibPlan {
    let target = v.target();
    let mut env: Vec<(String, String)> = Vec::new();
    for l in libs {
        let who = format!(
            "{} links the system library lib{} (its vendoring feature is off)",
            l.krate, l.library
        );
        let skip = |why: String, fix: String| Err((format!("{who}, {why}"), fix));
        if !v.triple().is_linux_gnu() {
            return skip(
                format!("and {target} has no system package with it"),
                l.fix.clone(),
            );
        }
        if let Some(g) = v.glibc() {
            return skip(
                format!("and the variant's glibc is pinned to {g}: this machine's lib{} needs its own, newer glibc", l.library),
                l.fix.clone(),
            );
        }
        if l.needs_pkg_config.is_some() {
            let chosen = pkg_config_for(target, m.host(), |k| m.env_var(k));
            if let Some((why, fix)) = unmet_pkg_config(&chosen, m) {
                return skip(why, format!("{fix}; or {}", l.fix));
            }
        }
        if target == m.host() {
            // the build script finds the host's library as it always does; missing
            // (no -dev package), it would fail after compiling
            if !host_library_found(l, m) {
                let sudo = if m.is_root() { "" } else { "sudo " };
                return skip(
                    format!(
                        "and lib{}'s development files (the {} package) are not installed",
                        l.library, l.debian
                    ),
                    format!(
                        "{sudo}apt-get install -y {} (or: cargo portable setup); or {}",
                        l.debian, l.fix
                    ),
                );
            }
            continue;
        }
        let Some((multiarch, arch)) = cross_multiarch(target) else {
            return skip(
                format!("and Debian has no multiarch package of it for {target}"),
                l.fix.clone(),
            );
        };
        if !m.has_multiarch_library(&multiarch, &l.library) {
            let sudo = if m.is_root() { "" } else { "sudo " };
            return skip(
                format!("and /usr/lib/{multiarch}/lib{}.so (the {arch} package) is not installed", l.library),
                format!(
                    "{sudo}dpkg --add-architecture {arch} && {sudo}apt-get update && {sudo}apt-get install -y {}:{arch}; or {}",
                    l.debian, l.fix
                ),
            );
        }
        let under = target.replace('-', "_");
        for (k, val) in [
            (format!("PKG_CONFIG_ALLOW_CROSS_{under}"), "1".to_owned()),
            (
                format!("PKG_CONFIG_LIBDIR_{under}"),
                format!("/usr/lib/{multiarch}/pkgconfig:/usr/share/pkgconfig"),
            ),
        ] {
            if !env.iter().any(|(have, _)| *have == k) {
                env.push((k, val));
            }
        }
    }
    Ok(env)
}

/// Whether the pkg-config `chosen` is there: `None` when it is, else the end of the
/// skip's reason and the fix (the variable that names a missing program, or the
/// package).
fn unmet_pkg_config(chosen: &PkgConfig, m: &impl Machine) -> Option<(String, String)> {
    let sudo = if m.is_root() { "" } else { "sudo " };
    match chosen {
        PkgConfig::Set { var, program } if !m.has_program(program) => Some((
            format!(
                "and finds it only through pkg-config, and {var}={program} names a program that is not installed"
            ),
            format!(
                "point {var} at an installed pkg-config, or unset it and {sudo}apt-get install -y pkg-config"
            ),
        )),
        PkgConfig::Default if !m.has_program("pkg-config") && !m.has_program("pkgconf") => Some((
            "and finds it only through pkg-config, which is not installed (without it, it looks under /usr and misses Debian's multiarch headers)".to_owned(),
            format!("{sudo}apt-get install -y pkg-config   (or: cargo portable setup)"),
        )),
        _ => None,
    }
}

/// `SDKROOT` as this machine has it: unset, a macOS SDK directory (it has
/// `SDKSettings.json` or `SDKSettings.plist`, and `System/Library/Frameworks`), or a
/// path that is not one.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum SdkRoot {
    Unset,
    Sdk(std::path::PathBuf),
    NotSdk(std::path::PathBuf),
}

impl SdkRoot {
    /// `SDKROOT` from the environment (empty is unset), else the matrix's `sdkroot`
    /// key.
    pub fn with_matrix(key: Option<&str>) -> SdkRoot {
        match std::env::var_os("SDKROOT") {
            Some(p) if !p.is_empty() => SdkRoot::of(std::path::PathBuf::from(p)),
            _ => match key {
                Some(k) => SdkRoot::of(std::path::PathBuf::from(k)),
                None => SdkRoot::Unset,
            },
        }
    }

    /// What the directory `p` is.
    pub fn of(p: std::path::PathBuf) -> SdkRoot {
        let settings =
            p.join("SDKSettings.json").is_file() || p.join("SDKSettings.plist").is_file();
        if settings && p.join("System/Library/Frameworks").is_dir() {
            SdkRoot::Sdk(p)
        } else {
            SdkRoot::NotSdk(p)
        }
    }
}

/// What an apple variant does about the macOS frameworks its graph links.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum FrameworkPlan {
    /// Nothing to do (no framework, not an apple target, or a macOS host whose own
    /// SDK links them).
    None,
    /// Link against the SDK: `SDKROOT` for this variant's cargo (cargo-zigbuild reads it).
    Sdk(String),
    /// Skipped before compiling: (reason, fix).
    Skip(String, String),
    /// `SDKROOT` is not an SDK: the variant fails before compiling, with this reason.
    Error(String),
}

/// The frameworks of `fws` and the crates asking for them, for a message:
/// `Security (security-framework-sys), CoreFoundation (core-foundation-sys)`.
fn name_frameworks(fws: &[FrameworkUse]) -> String {
    fws.iter()
        .map(|f| format!("{} ({})", f.framework, f.krate))
        .collect::<Vec<_>>()
        .join(", ")
}

/// What variant `v` does about the macOS frameworks `fws` its graph links for its
/// target: off a macOS host an apple target needs a macOS SDK to link them, which zig
/// does not ship — `SDKROOT` when it is one, else skipped (unset) or an error naming
/// it (not an SDK).
pub fn frameworks(v: &Variant, fws: &[FrameworkUse], sdk: &SdkRoot, host: &str) -> FrameworkPlan {
    if fws.is_empty() || !v.triple().is_apple() || Triple::parse(host).is_apple() {
        return FrameworkPlan::None;
    }
    let names = name_frameworks(fws);
    match sdk {
        SdkRoot::Sdk(p) => FrameworkPlan::Sdk(p.display().to_string()),
        SdkRoot::NotSdk(p) => FrameworkPlan::Error(format!(
            "SDKROOT={} is not a macOS SDK (no SDKSettings.json or SDKSettings.plist, or no System/Library/Frameworks), and the graph links the macOS frameworks {names}",
            p.display()
        )),
        SdkRoot::Unset => FrameworkPlan::Skip(
            format!(
                "the graph links the macOS frameworks {names}: linking them needs a macOS SDK, which zig does not ship, and SDKROOT is not set"
            ),
            "SDKROOT=<a macOS SDK directory (MacOSX.sdk)>; or rustls instead of native-tls (for reqwest: default-features = false, features = [\"rustls-tls\"]); or build it on a macOS runner: cargo portable ci github --macos-native".to_owned(),
        ),
    }
}

/// Plan one variant. `native`: the packages of the crate's dependency graph whose
/// build scripts compile C or link native libraries (a package with `links`, or a
/// build-dependency on cc/cmake). When there are any: the target's build scripts get
/// a C toolchain that goes with the linker (or the variant is skipped, naming them),
/// `crt-static` reaches every crate (a build script reads it), and a zig variant is
/// built entirely with `cargo zigbuild`, whose C compiler is zig's for the variant's
/// target, instead of sharing dependencies compiled for another linker.
pub fn plan(v: &Variant, m: &impl Machine, native: &[String]) -> Plan {
    let n = needs(v, m.host());
    if let Some((reason, fix)) = unmet(&n, m) {
        return Plan::Skipped { reason, fix };
    }
    let native_deps = !native.is_empty();
    if native_deps {
        if let Some((reason, fix)) = unmet_c(&n, m, native) {
            return Plan::Skipped { reason, fix };
        }
    }
    let target = v.target();
    let crt: Vec<String> = match v.crt_static {
        Some(true) => vec!["-C".into(), "target-feature=+crt-static".into()],
        Some(false) => vec!["-C".into(), "target-feature=-crt-static".into()],
        None => Vec::new(),
    };
    // A build script sees the variant's crt-static (CARGO_CFG_TARGET_FEATURE) only when
    // every crate is compiled with it: with native dependencies it goes to every crate
    // (the variant is then a group of its own), otherwise to the final crate only.
    let (mut final_flags, crt_all) = if native_deps {
        (Vec::new(), crt)
    } else {
        (crt, Vec::new())
    };
    let link = n.link.clone().expect("a met need has a link");
    let zig = link == Link::Zig;
    final_flags.extend(linker_flags(&link, v));
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
    rustflags.extend(crt_all);
    if zig {
        // one variant per zig group: its flags may go to every crate
        rustflags.append(&mut final_flags);
    }
    // other features build other dependencies: a group of their own
    let group = format!(
        "{}{cargo_target} {}{}",
        if zig { "zig:" } else { "" },
        rustflags.join(" "),
        if v.features.is_empty() {
            String::new()
        } else {
            format!(" features={}", v.features.join(","))
        }
    );
    Plan::Ready(Box::new(Invocation {
        group,
        zig,
        zig_link,
        cargo_target,
        final_flags,
        rustflags,
        program: n.program,
        c: if native_deps && !zig {
            n.c.clone()
        } else {
            None
        },
        c_compiler: if native_deps { n.c } else { None },
        env: Vec::new(),
        features: v.features.clone(),
    }))
}

/// The flags that pick the linker `link` names.
fn linker_flags(link: &Link, v: &Variant) -> Vec<String> {
    let mut flags = Vec::new();
    match link {
        Link::ToolchainDefault | Link::Zig => {}
        Link::RustLld { self_contained } => {
            flags.extend(["-C", "linker=rust-lld", "-C", "linker-flavor=ld.lld"].map(String::from));
            if *self_contained {
                flags.extend(["-C", "link-self-contained=yes"].map(String::from));
            }
        }
        Link::Driver {
            opt_out_lld: true, ..
        } => {
            // opt out of the toolchain's default lld: cc with its own (GNU) ld
            flags.extend(["-C", "linker-features=-lld"].map(String::from));
        }
        Link::Driver { program, .. } | Link::Program(program) => {
            flags.push("-C".into());
            flags.push(format!("linker={program}"));
            if musl_gcc_static_pie(program, v) {
                flags.extend(["-C", "relocation-model=static"].map(String::from));
            }
        }
    }
    flags
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::matrix::parse;
    use crate::toolchain::Probe;

    /// A crate without native dependencies.
    fn plan(v: &Variant, m: &impl Machine) -> Plan {
        super::plan(v, m, &[])
    }

    struct Fake {
        std: Vec<&'static str>,
        programs: Vec<&'static str>,
        /// probes (by their command line) that fail, with the error line
        broken: Vec<(&'static str, &'static str)>,
        /// the host's libraries that are not installed (`ssl`), and the variables set
        lacks: Vec<&'static str>,
        env: Vec<(&'static str, &'static str)>,
        root: bool,
    }
    impl Machine for Fake {
        fn has_host_library(&self, name: &str) -> bool {
            !self.lacks.contains(&name)
        }
        fn env_var(&self, name: &str) -> Option<String> {
            self.env
                .iter()
                .find(|(k, _)| *k == name)
                .map(|(_, v)| (*v).to_owned())
        }
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
            self.root
        }
        fn probe(&self, p: &Probe) -> Result<(), String> {
            match self.broken.iter().find(|(c, _)| *c == p.display()) {
                Some((_, e)) => Err((*e).to_owned()),
                None => Ok(()),
            }
        }
        fn zig_home(&self) -> &std::path::Path {
            std::path::Path::new("/cache/zig-venv")
        }
        fn std_failure(&self, t: &str) -> Option<&str> {
            (t == "riscv64gc-unknown-linux-musl").then_some(
                "error: component download failed for rust-std-riscv64gc-unknown-linux-musl: … 404",
            )
        }
    }

    #[test]
    fn a_std_rustup_could_not_install_is_skipped_with_rustups_error() {
        let m = Fake {
            std: vec!["x86_64-unknown-linux-gnu"],
            programs: vec![],
            broken: vec![],
            lacks: Vec::new(),
            env: Vec::new(),
            root: true,
        };
        let n = needs(
            &variant("target = \"riscv64gc-unknown-linux-musl\"\nlinker = \"internal\""),
            m.host(),
        );
        let (reason, fix) = unmet(&n, &m).unwrap();
        assert_eq!(
            reason,
            "the standard library for riscv64gc-unknown-linux-musl is not installed: \
             `rustup target add riscv64gc-unknown-linux-musl` failed: error: component \
             download failed for rust-std-riscv64gc-unknown-linux-musl: … 404"
        );
        assert!(
            fix.starts_with("rustup target add riscv64gc-unknown-linux-musl"),
            "{fix}"
        );
        // without a failure of this run: the plain reason
        let n = needs(
            &variant("target = \"armv7-unknown-linux-musleabihf\"\nlinker = \"internal\""),
            m.host(),
        );
        assert_eq!(
            unmet(&n, &m).unwrap().0,
            "the standard library for armv7-unknown-linux-musleabihf is not installed"
        );
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
            broken: Vec::new(),
            lacks: Vec::new(),
            env: Vec::new(),
            root: true,
        }
    }

    fn ready(p: Plan) -> Invocation {
        match p {
            Plan::Ready(i) => *i,
            s => panic!("{s:?}"),
        }
    }

    /// `all()`, with the arm64 multiarch libssl installed.
    struct WithArmSsl(Fake);
    impl Machine for WithArmSsl {
        fn host(&self) -> &str {
            self.0.host()
        }
        fn std_installed(&self, t: &str) -> bool {
            self.0.std_installed(t)
        }
        fn has_program(&self, p: &str) -> bool {
            self.0.has_program(p)
        }
        fn is_root(&self) -> bool {
            true
        }
        fn probe(&self, p: &Probe) -> Result<(), String> {
            self.0.probe(p)
        }
        fn zig_home(&self) -> &std::path::Path {
            self.0.zig_home()
        }
        fn has_multiarch_library(&self, multiarch: &str, name: &str) -> bool {
            (multiarch, name) == ("aarch64-linux-gnu", "ssl")
        }
    }

    #[test]
    fn system_libraries_decide_per_variant() {
        let ssl = [SystemLib {
            krate: "openssl-sys".into(),
            library: "ssl".into(),
            debian: "libssl-dev".into(),
            needs_pkg_config: Some("find_normal.rs:92".into()),
            env: vec!["OPENSSL_DIR".into()],
            fix: "--features openssl/vendored".into(),
        }];
        let v =
            |t: &str, extra: &str| variant(&format!("target = \"{t}\"\nlinker = \"zig\"\n{extra}"));
        // without pkg-config, which openssl-sys finds it with: the glibc variants that
        // would link it are skipped, naming it; the others keep their own reason
        let gnu = v("x86_64-unknown-linux-gnu", "");
        let (reason, fix) = system_libs(&gnu, &ssl, &all()).unwrap_err();
        assert!(
            reason.ends_with("and finds it only through pkg-config, which is not installed (without it, it looks under /usr and misses Debian's multiarch headers)"),
            "{reason}"
        );
        assert_eq!(
            fix,
            "apt-get install -y pkg-config   (or: cargo portable setup); or --features openssl/vendored"
        );
        assert!(system_libs(
            &v("aarch64-unknown-linux-gnu", ""),
            &ssl,
            &WithArmSsl(all())
        )
        .unwrap_err()
        .0
        .contains("pkg-config"));
        let (reason, _) =
            system_libs(&v("x86_64-unknown-linux-musl", ""), &ssl, &all()).unwrap_err();
        assert!(
            reason.ends_with("has no system package with it"),
            "{reason}"
        );
        // a crate with a fallback does not need it
        let mut fallback = ssl.clone();
        fallback[0].needs_pkg_config = None;
        assert_eq!(system_libs(&gnu, &fallback, &all()), Ok(Vec::new()));
        let all = || {
            let mut m = all();
            m.programs.push("pkg-config");
            m
        };
        // the host's own glibc target: as before, nothing set
        let host = v("x86_64-unknown-linux-gnu", "");
        assert_eq!(system_libs(&host, &ssl, &all()), Ok(Vec::new()));
        assert!(missing_multiarch(&host, &ssl, &all()).is_empty());
        // without the host's -dev package: skipped before compiling, and setup installs
        // it (no new architecture); a variable the build script reads is the user's way
        let bare = Fake {
            lacks: vec!["ssl"],
            ..all()
        };
        let (reason, fix) = system_libs(&host, &ssl, &bare).unwrap_err();
        assert!(
            reason.ends_with(
                "and libssl's development files (the libssl-dev package) are not installed"
            ),
            "{reason}"
        );
        assert_eq!(
            fix,
            "apt-get install -y libssl-dev (or: cargo portable setup); or --features openssl/vendored"
        );
        assert_eq!(
            missing_multiarch(&host, &ssl, &bare),
            [("amd64".to_owned(), "libssl-dev".to_owned())]
        );
        let pointed = Fake {
            lacks: vec!["ssl"],
            env: vec![("OPENSSL_DIR", "/opt/ssl")],
            ..all()
        };
        assert_eq!(system_libs(&host, &ssl, &pointed), Ok(Vec::new()));
        assert!(missing_multiarch(&host, &ssl, &pointed).is_empty());
        // no system package, or a glibc pinned below the host's: skipped with the fix
        for (t, extra) in [
            ("x86_64-unknown-linux-musl", ""),
            ("aarch64-apple-darwin", ""),
            ("x86_64-pc-windows-gnu", ""),
            ("x86_64-unknown-linux-gnu", "glibc = \"2.17\""),
        ] {
            let (reason, fix) = system_libs(&v(t, extra), &ssl, &all()).unwrap_err();
            assert!(
                reason.starts_with("openssl-sys links the system library libssl"),
                "{reason}"
            );
            assert_eq!(fix, "--features openssl/vendored");
        }
        // a cross glibc target: the multiarch package, or the command that installs it
        let arm = v("aarch64-unknown-linux-gnu", "");
        let (_, fix) = system_libs(&arm, &ssl, &all()).unwrap_err();
        assert_eq!(
            fix,
            "dpkg --add-architecture arm64 && apt-get update && apt-get install -y libssl-dev:arm64; or --features openssl/vendored"
        );
        assert_eq!(
            system_libs(&arm, &ssl, &WithArmSsl(all())),
            Ok(vec![
                (
                    "PKG_CONFIG_ALLOW_CROSS_aarch64_unknown_linux_gnu".into(),
                    "1".into()
                ),
                (
                    "PKG_CONFIG_LIBDIR_aarch64_unknown_linux_gnu".into(),
                    "/usr/lib/aarch64-linux-gnu/pkgconfig:/usr/share/pkgconfig".into()
                ),
            ])
        );
        // what setup installs: the cross glibc variant's multiarch package only
        assert_eq!(
            missing_multiarch(&arm, &ssl, &all()),
            [("arm64".to_owned(), "libssl-dev:arm64".to_owned())]
        );
        assert!(missing_multiarch(&arm, &ssl, &WithArmSsl(all())).is_empty());
        for (t, extra) in [
            ("x86_64-unknown-linux-gnu", ""),
            ("x86_64-unknown-linux-gnu", "glibc = \"2.17\""),
            ("x86_64-unknown-linux-musl", ""),
        ] {
            assert!(missing_multiarch(&v(t, extra), &ssl, &all()).is_empty());
        }
        // no system library: nothing to decide
        assert_eq!(
            system_libs(&v("x86_64-unknown-linux-musl", ""), &[], &all()),
            Ok(Vec::new())
        );
    }

    /// `PKG_CONFIG` (and its per-target forms, as pkg-config-rs reads them) names the
    /// pkg-config the build script runs: that program decides the skip, not a
    /// `pkg-config` on PATH.
    #[test]
    fn pkg_config_is_the_program_its_variables_name() {
        let host = "x86_64-unknown-linux-gnu";
        let arm = "aarch64-unknown-linux-gnu";
        let env = |pairs: &'static [(&'static str, &'static str)]| {
            move |k: &str| {
                pairs
                    .iter()
                    .find(|(n, _)| *n == k)
                    .map(|(_, v)| v.to_string())
            }
        };
        let set = |var: &str, program: &str| PkgConfig::Set {
            var: var.into(),
            program: program.into(),
        };
        assert_eq!(pkg_config_for(host, host, |_| None), PkgConfig::Default);
        assert_eq!(
            pkg_config_for(host, host, env(&[("PKG_CONFIG", "/opt/pc")])),
            set("PKG_CONFIG", "/opt/pc")
        );
        // the target's own variables first, then HOST_/TARGET_, then PKG_CONFIG
        let all_set: &[(&str, &str)] = &[
            ("PKG_CONFIG", "plain"),
            ("HOST_PKG_CONFIG", "host"),
            ("TARGET_PKG_CONFIG", "cross"),
            ("PKG_CONFIG_aarch64_unknown_linux_gnu", "arm-underscores"),
        ];
        assert_eq!(
            pkg_config_for(arm, host, env(all_set)),
            set("PKG_CONFIG_aarch64_unknown_linux_gnu", "arm-underscores")
        );
        assert_eq!(
            pkg_config_for(host, host, env(all_set)),
            set("HOST_PKG_CONFIG", "host")
        );
        assert_eq!(
            pkg_config_for(
                arm,
                host,
                env(&[
                    ("PKG_CONFIG_aarch64-unknown-linux-gnu", "arm-dashes"),
                    ("PKG_CONFIG_aarch64_unknown_linux_gnu", "arm-underscores"),
                ])
            ),
            set("PKG_CONFIG_aarch64-unknown-linux-gnu", "arm-dashes")
        );
        assert_eq!(
            pkg_config_for(arm, host, env(&[("TARGET_PKG_CONFIG", "cross")])),
            set("TARGET_PKG_CONFIG", "cross")
        );

        let ssl = [SystemLib {
            krate: "openssl-sys".into(),
            library: "ssl".into(),
            debian: "libssl-dev".into(),
            needs_pkg_config: Some("find_normal.rs:92".into()),
            env: vec!["OPENSSL_DIR".into()],
            fix: "--features openssl/vendored".into(),
        }];
        let gnu = variant(&format!("target = \"{host}\"\nlinker = \"internal\""));
        let with = |programs: &[&'static str], vars: Vec<(&'static str, &'static str)>| {
            let mut m = all();
            m.programs.extend(programs);
            // not root: the fixes say sudo
            Fake {
                env: vars,
                root: false,
                ..m
            }
        };
        // PKG_CONFIG names a missing program: skipped with pkg-config on PATH, and the
        // fix names the variable
        let (reason, fix) = system_libs(
            &gnu,
            &ssl,
            &with(
                &["pkg-config"],
                vec![("PKG_CONFIG", "/opt/cross/bin/pkg-config")],
            ),
        )
        .unwrap_err();
        assert_eq!(
            reason,
            "openssl-sys links the system library libssl (its vendoring feature is off), \
             and finds it only through pkg-config, and PKG_CONFIG=/opt/cross/bin/pkg-config \
             names a program that is not installed"
        );
        assert_eq!(
            fix,
            "point PKG_CONFIG at an installed pkg-config, or unset it and sudo apt-get \
             install -y pkg-config; or --features openssl/vendored"
        );
        // it names one that is there: built, without a pkg-config on PATH
        assert_eq!(
            system_libs(
                &gnu,
                &ssl,
                &with(
                    &["/opt/cross/bin/pkg-config"],
                    vec![("PKG_CONFIG", "/opt/cross/bin/pkg-config")]
                )
            ),
            Ok(Vec::new())
        );
        assert_eq!(
            system_libs(
                &gnu,
                &ssl,
                &with(&["pkgconf"], vec![("PKG_CONFIG", "pkgconf")])
            ),
            Ok(Vec::new())
        );
        // nothing set: pkg-config, else pkgconf (pkg-config-rs's fallback), on PATH
        assert_eq!(
            system_libs(&gnu, &ssl, &with(&["pkgconf"], vec![])),
            Ok(Vec::new())
        );
        assert!(system_libs(&gnu, &ssl, &with(&[], vec![])).is_err());
    }

    #[test]
    fn macos_frameworks_need_an_sdk() {
        let mac = variant("target = \"aarch64-apple-darwin\"\nlinker = \"zig\"");
        let linux = variant("target = \"x86_64-unknown-linux-musl\"\nlinker = \"internal\"");
        let fws = [FrameworkUse {
            krate: "security-framework-sys".into(),
            framework: "Security".into(),
        }];
        let host = "x86_64-unknown-linux-gnu";
        let dir = std::env::temp_dir().join(format!("portable-sdk-{}", std::process::id()));
        std::fs::create_dir_all(dir.join("System/Library/Frameworks")).unwrap();
        // not an SDK until it has its settings
        let not = SdkRoot::of(dir.clone());
        assert_eq!(not, SdkRoot::NotSdk(dir.clone()));
        let FrameworkPlan::Error(e) = frameworks(&mac, &fws, &not, host) else {
            panic!("an error");
        };
        assert!(
            e.starts_with(&format!("SDKROOT={} is not a macOS SDK", dir.display())),
            "{e}"
        );
        std::fs::write(dir.join("SDKSettings.json"), "{}").unwrap();
        let sdk = SdkRoot::of(dir.clone());
        assert_eq!(
            frameworks(&mac, &fws, &sdk, host),
            FrameworkPlan::Sdk(dir.display().to_string())
        );
        let FrameworkPlan::Skip(reason, fix) = frameworks(&mac, &fws, &SdkRoot::Unset, host) else {
            panic!("a skip");
        };
        assert!(
            reason.contains("Security (security-framework-sys)"),
            "{reason}"
        );
        assert!(
            fix.starts_with("SDKROOT=") && fix.contains("--macos-native"),
            "{fix}"
        );
        // not an apple target, no framework, or a macOS host: nothing to do
        assert_eq!(
            frameworks(&linux, &fws, &SdkRoot::Unset, host),
            FrameworkPlan::None
        );
        assert_eq!(
            frameworks(&mac, &[], &SdkRoot::Unset, host),
            FrameworkPlan::None
        );
        assert_eq!(
            frameworks(&mac, &fws, &SdkRoot::Unset, "aarch64-apple-darwin"),
            FrameworkPlan::None
        );
        std::fs::remove_dir_all(&dir).unwrap();
    }

    #[test]
    fn a_rust_version_above_rustc_names_both_and_the_update() {
        let gap = RustVersionGap {
            package: "hello".into(),
            needed: Version::parse("1.999").unwrap(),
            installed: Version::parse("1.95.0").unwrap(),
        };
        assert_eq!(
            unmet_rust_version(&gap, true),
            (
                "hello needs rustc 1.999 or newer (its rust-version), and rustc 1.95 is installed"
                    .to_owned(),
                "rustup update".to_owned()
            )
        );
        assert_eq!(
            unmet_rust_version(&gap, false).1,
            "install rustc 1.999 or newer"
        );
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
        // a variant's own features: other dependencies, a group of its own
        let f = ready(plan(
            &variant(
                "target = \"x86_64-unknown-linux-gnu\"\nlinker = \"internal\"\n\
                 features = [\"openssl/vendored\"]",
            ),
            &all(),
        ));
        assert_eq!(f.features, ["openssl/vendored"]);
        assert!(a.features.is_empty());
        assert_ne!(a.group, f.group);
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
        let z = ready(super::plan(&v, &all(), &["zstd-sys".to_owned()]));
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
    fn missing_prerequisites_skip_with_the_fix() {
        let none = Fake {
            std: vec!["x86_64-unknown-linux-gnu"],
            programs: vec![],
            broken: Vec::new(),
            lacks: Vec::new(),
            env: Vec::new(),
            root: true,
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
                fix.starts_with("apt-get install -y gcc-aarch64-linux-gnu libc6-dev-arm64-cross"),
                "{fix}"
            ),
            p => panic!("{p:?}"),
        }
    }

    #[test]
    fn a_linker_that_cannot_link_is_skipped_with_its_error_and_the_packages() {
        let mut m = all();
        m.broken.push((
            "aarch64-linux-gnu-gcc hello.c -o hello -lgcc_s",
            "/usr/bin/aarch64-linux-gnu-ld: cannot find Scrt1.o: No such file or directory",
        ));
        match plan(
            &variant("target = \"aarch64-unknown-linux-gnu\"\nlinker = \"external\""),
            &m,
        ) {
            Plan::Skipped { reason, fix } => {
                assert!(reason.contains("cannot find Scrt1.o"), "{reason}");
                assert!(
                    reason.starts_with("`aarch64-linux-gnu-gcc` cannot link"),
                    "{reason}"
                );
                assert_eq!(
                    fix,
                    "apt-get install -y gcc-aarch64-linux-gnu libc6-dev-arm64-cross   (or: cargo portable setup)"
                );
            }
            p => panic!("{p:?}"),
        }
        // zig without its python: the venv that setup makes
        m.programs.retain(|p| *p != "cargo-zigbuild");
        match plan(
            &variant("target = \"x86_64-apple-darwin\"\nlinker = \"zig\""),
            &Fake {
                std: vec!["x86_64-apple-darwin"],
                ..m
            },
        ) {
            Plan::Skipped { fix, .. } => assert_eq!(
                fix,
                "python3 -m venv /cache/zig-venv && /cache/zig-venv/bin/python3 -m pip install ziglang cargo-zigbuild   (or: cargo portable setup)"
            ),
            p => panic!("{p:?}"),
        }
    }
}
