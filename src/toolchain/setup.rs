//! `cargo portable setup`: install what the matrix needs. The plan is pure (variants
//! and the machine's facts in, steps out), read from the one table of needs
//! (`toolchain::needs`); running it is the edge. A step that fails is reported with
//! its own error line and the other steps still run.

use std::collections::BTreeSet;
use std::path::Path;
use std::process::Command;

use super::shell::command_line;
use super::{install_command, needs, BuildTool, Install, Machine, Toolchain};
use crate::matrix::Variant;

/// One installation step.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Step {
    RustupTargets(Vec<String>),
    Apt(Vec<String>),
    /// zig and cargo-zigbuild into cargo-portable's own virtual environment.
    Zig,
    /// Another Debian architecture and its `-dev` packages (`libssl-dev:arm64`): the
    /// system libraries a cross glibc variant links.
    Multiarch {
        arch: String,
        packages: Vec<String>,
    },
    /// Something no package manager here provides.
    Manual(String),
}

impl Step {
    /// The command line, as a user would type it.
    pub fn command(&self, root: bool, zig_home: &Path) -> String {
        match self {
            Step::RustupTargets(t) => format!("rustup target add {}", t.join(" ")),
            Step::Apt(p) => install_command(&Install::Apt(p.clone()), root, zig_home),
            Step::Zig => install_command(&Install::Zig, root, zig_home),
            Step::Multiarch { arch, packages } => {
                let sudo = if root { "" } else { "sudo " };
                format!(
                    "{sudo}dpkg --add-architecture {arch} && {sudo}apt-get update && {}",
                    install_command(&Install::Apt(packages.clone()), root, zig_home)
                )
            }
            Step::Manual(m) => m.clone(),
        }
    }
}

/// What must be installed for `variants` to build on `m`: the standard libraries that
/// are missing, for every variant whose linker is missing or fails its probe,
/// everything its table entry installs (apt-get skips what is already there), and,
/// when the crate compiles C (`c`), the C and C++ compilers its build scripts get; the
/// host programs its build scripts run (`tools`: cmake, perl, make); and for the
/// variants that run their smoke (all with `runs`, else those with `run = true`), the
/// runners: qemu-user-static, wine64; and the multiarch packages (Debian architecture,
/// `package:arch`, or the host's own `package`) of the system libraries glibc variants
/// link (`multiarch`, from the dependency graph); curl, and the runner of a foreign
/// architecture, for the variants that prove.
pub fn plan(
    variants: &[&Variant],
    m: &impl Machine,
    c: bool,
    tools: &[BuildTool],
    runs: bool,
    multiarch: &[(String, String)],
) -> Vec<Step> {
    let mut targets = BTreeSet::new();
    let mut packages = BTreeSet::new();
    let mut zig = false;
    let mut manual = BTreeSet::new();
    for v in variants {
        let n = needs(v, m.host());
        if !m.std_installed(&n.target) {
            targets.insert(n.target.clone());
        }
        let links = n.unavailable.is_none()
            && n.programs.iter().all(|p| m.has_program(p))
            && n.probe.as_ref().is_none_or(|p| m.probe(p).is_ok());
        let mut install: Vec<&Install> = Vec::new();
        if !links {
            install.extend(&n.install);
        }
        let mut c_install = Vec::new();
        if let Some(t) = n.c.as_ref().filter(|_| c) {
            if !t.programs().iter().all(|p| m.has_program(p)) {
                c_install.push(t.install());
            }
            if !t.cxx().iter().all(|p| m.has_program(p)) {
                c_install.extend(t.cxx_install().or_else(|| Some(t.install())));
            }
        }
        install.extend(&c_install);
        // the smoke runs, and the proofs (a `prove` key), which load a foreign
        // architecture's binary under the same qemu
        let runner = crate::toolchain::needs::runner(v.target(), m.host())
            .filter(|(programs, _)| {
                (v.smoke_wanted(runs) || !v.prove().is_empty())
                    && !programs.iter().all(|p| m.has_program(p))
            })
            .map(|(_, i)| i);
        install.extend(&runner);
        for i in install {
            match i {
                Install::Rustup(_) => {}
                Install::Apt(p) => packages.extend(p.iter().cloned()),
                Install::Zig => zig = true,
                Install::Manual(s) => {
                    manual.insert(format!("{}: {s}", v.id()));
                }
            }
        }
    }
    for t in tools {
        // pkg-config: only when a variant's build scripts would run the default one
        // (a variable naming another program decides for its variant; `build` skips
        // the variant when that program is missing, with the fix)
        let wanted = t.program != "pkg-config"
            || variants.iter().any(|v| {
                super::needs::pkg_config_for(v.target(), m.host(), |k| m.env_var(k))
                    == super::needs::PkgConfig::Default
            }) && !m.has_program("pkgconf");
        if wanted && !m.has_program(t.program) {
            packages.insert(t.apt.to_owned());
        }
    }
    // the proofs (a variant's `prove` key) download Debian's Packages index and .debs
    // with curl (src/prove/fetch.rs)
    if variants.iter().any(|v| !v.prove().is_empty()) && !m.has_program("curl") {
        packages.insert("curl".to_owned());
    }
    // the host's own -dev packages (`libssl-dev`, no `:arch`) need no new architecture
    let (native, multiarch): (Vec<_>, Vec<_>) =
        multiarch.iter().partition(|(_, p)| !p.contains(':'));
    packages.extend(native.into_iter().map(|(_, p)| p.clone()));
    let mut steps = Vec::new();
    if !targets.is_empty() {
        steps.push(Step::RustupTargets(targets.into_iter().collect()));
    }
    if !packages.is_empty() {
        steps.push(Step::Apt(packages.into_iter().collect()));
    }
    if zig {
        steps.push(Step::Zig);
    }
    let mut arches: std::collections::BTreeMap<&str, BTreeSet<String>> = Default::default();
    for (arch, package) in multiarch {
        arches
            .entry(arch.as_str())
            .or_default()
            .insert(package.clone());
    }
    for (arch, packages) in arches {
        steps.push(Step::Multiarch {
            arch: arch.to_owned(),
            packages: packages.into_iter().collect(),
        });
    }
    steps.extend(manual.into_iter().map(Step::Manual));
    steps
}

/// A step, or the part of one, that could not be done: the command to run by hand
/// and why (the tool's own error line).
#[derive(Debug, Clone)]
pub struct NotDone {
    pub command: String,
    pub why: String,
}

/// rustup's error for each target whose `rustup target add` could not be done, on one
/// line: the planner's skip reason for that target's variants ("the standard library
/// for T is not installed: `rustup target add T` failed: error: component 'rust-std'
/// for target 'T' is unavailable for download …").
pub fn std_failures(left: &[NotDone]) -> std::collections::BTreeMap<String, String> {
    left.iter()
        .filter_map(|n| {
            let t = n.command.strip_prefix("rustup target add ")?;
            (!t.contains(' ')).then(|| (t.to_owned(), n.why.replace('\n', " ")))
        })
        .collect()
}

/// Run the steps this process can run; return what could not be done.
pub fn run(steps: &[Step], tc: &Toolchain, quiet: bool) -> Vec<NotDone> {
    let root = crate::toolchain::is_root();
    let apt = root && which::which("apt-get").is_ok();
    let mut left = Vec::new();
    let mut not_done = |command: String, why: String| left.push(NotDone { command, why });
    for s in steps {
        let cmd = s.command(root, &tc.zig_home);
        match s {
            Step::RustupTargets(targets) if !tc.rustup => {
                for t in targets {
                    not_done(
                        format!("rustup target add {t}"),
                        "rustup is not installed".into(),
                    );
                }
            }
            Step::RustupTargets(targets) => {
                let add = |t: &[String]| {
                    run_cmd(
                        Command::new("rustup").args(["target", "add"]).args(t),
                        quiet,
                    )
                };
                // one target the registry cannot serve does not leave the others
                // uninstalled
                for (t, why) in each_alone_on_failure(targets, add) {
                    not_done(format!("rustup target add {t}"), why);
                }
            }
            Step::Apt(_) if !apt => {
                not_done(cmd, "not root, or no apt-get: run it yourself".into())
            }
            Step::Apt(packages) => {
                let install = |p: &[String]| {
                    run_cmd(
                        Command::new("apt-get")
                            .args(["install", "-y", "-qq", "--no-install-recommends"])
                            .args(p)
                            .env("DEBIAN_FRONTEND", "noninteractive"),
                        quiet,
                    )
                };
                let updated = run_cmd(Command::new("apt-get").args(["update", "-qq"]), quiet);
                if let Err(why) = updated {
                    eprintln!(
                        "setup: apt-get update failed ({why}); installing from the lists there are"
                    );
                }
                for (p, why) in each_alone_on_failure(packages, install) {
                    let one = Install::Apt(vec![p.clone()]);
                    not_done(install_command(&one, root, &tc.zig_home), why);
                }
            }
            Step::Zig => {
                if let Err(why) = install_zig(&tc.zig_home, apt, quiet) {
                    not_done(cmd, why);
                }
            }
            Step::Multiarch { .. } if !apt => {
                not_done(cmd, "not root, or no apt-get: run it yourself".into())
            }
            Step::Multiarch { arch, packages } => {
                let done = run_cmd(
                    Command::new("dpkg").args(["--add-architecture", arch]),
                    quiet,
                )
                .and_then(|()| run_cmd(Command::new("apt-get").args(["update", "-qq"]), quiet))
                .and_then(|()| {
                    run_cmd(
                        Command::new("apt-get")
                            .args(["install", "-y", "-qq", "--no-install-recommends"])
                            .args(packages)
                            .env("DEBIAN_FRONTEND", "noninteractive"),
                        quiet,
                    )
                });
                if let Err(why) = done {
                    not_done(cmd, why);
                }
            }
            Step::Manual(m) => not_done(m.clone(), "manual step".into()),
        }
    }
    left
}

/// `run` all `items` in one call; when that fails, each item alone, so one that cannot
/// be had does not leave the others uninstalled. The items that failed, with why.
fn each_alone_on_failure(
    items: &[String],
    run: impl Fn(&[String]) -> Result<(), String>,
) -> Vec<(&String, String)> {
    match run(items) {
        Ok(()) => Vec::new(),
        Err(why) if items.len() == 1 => vec![(&items[0], why)],
        Err(_) => items
            .iter()
            .filter_map(|i| run(std::slice::from_ref(i)).err().map(|why| (i, why)))
            .collect(),
    }
}

/// zig (PyPI `ziglang`) and cargo-zigbuild into the virtual environment `home`: the
/// distribution's own Python refuses `pip install` outside one (PEP 668,
/// "externally-managed-environment"). Debian's python3 makes a venv with pip only
/// with `python3-venv`; without it (and not root) the venv is made without pip and
/// the system pip installs into it.
fn install_zig(home: &Path, apt: bool, quiet: bool) -> Result<(), String> {
    let python = home.join("bin/python3");
    let venv = |extra: &[&str]| {
        run_cmd(
            Command::new("python3")
                .args(["-m", "venv"])
                .args(extra)
                .arg(home),
            quiet,
        )
    };
    let mut pip_of_venv = true;
    if !python.is_file()
        || run_cmd(Command::new(&python).args(["-m", "pip", "--version"]), true).is_err()
    {
        let _ = std::fs::remove_dir_all(home);
        if let Some(parent) = home.parent() {
            std::fs::create_dir_all(parent)
                .map_err(|e| format!("creating {}: {e}", parent.display()))?;
        }
        let mut made = venv(&[]);
        if made.is_err() && apt {
            let _ = std::fs::remove_dir_all(home);
            let _ = run_cmd(
                Command::new("apt-get")
                    .args([
                        "install",
                        "-y",
                        "-qq",
                        "--no-install-recommends",
                        "python3-venv",
                    ])
                    .env("DEBIAN_FRONTEND", "noninteractive"),
                quiet,
            );
            made = venv(&[]);
        }
        if made.is_err() {
            let _ = std::fs::remove_dir_all(home);
            venv(&["--without-pip"]).map_err(|e| format!("python3 -m venv: {e}"))?;
            pip_of_venv = false;
        }
    }
    let pip = if pip_of_venv {
        let mut c = Command::new(&python);
        c.args(["-m", "pip"]);
        c
    } else {
        let mut c = Command::new("python3");
        c.args(["-m", "pip", "--python"]).arg(&python);
        c
    };
    let pip_install = |packages: &[&str]| {
        let mut c = Command::new(pip.get_program());
        c.args(pip.get_args())
            .args(["install", "--quiet", "--disable-pip-version-check"])
            .args(packages);
        run_cmd(&mut c, quiet)
    };
    // one call; when it fails, each package alone, so the one PyPI cannot serve is
    // named and the other is still installed
    if pip_install(&["ziglang", "cargo-zigbuild"]).is_err() {
        let failed: Vec<String> = ["ziglang", "cargo-zigbuild"]
            .into_iter()
            .filter_map(|p| {
                pip_install(&[p])
                    .err()
                    .map(|why| format!("pip install {p}: {why}"))
            })
            .collect();
        if !failed.is_empty() {
            return Err(failed.join("\n"));
        }
    }
    let zigbuild = home.join("bin/cargo-zigbuild");
    if !zigbuild.is_file() {
        return Err(format!("pip installed no {}", zigbuild.display()));
    }
    Ok(())
}

fn run_cmd(c: &mut Command, quiet: bool) -> Result<(), String> {
    // show the tool's error, not a Rust backtrace after it
    c.env_remove("RUST_BACKTRACE").env("RUST_BACKTRACE", "0");
    if !quiet {
        // the whole program path: which python3 runs pip matters
        let line = command_line(c);
        let args = line.split_once(' ').map_or("", |(_, a)| a);
        eprintln!("running: {} {args}", c.get_program().to_string_lossy());
    }
    let out = c
        .output()
        .map_err(|e| format!("cannot run {}: {e}", c.get_program().to_string_lossy()))?;
    if out.status.success() {
        Ok(())
    } else {
        Err(error_lines(&String::from_utf8_lossy(&out.stderr))
            .unwrap_or_else(|| format!("exited with {}", out.status)))
    }
}

/// A tool's own error lines (`error: …` of rustup and pip, `E: …` of apt), else its
/// last lines; never the frames of a backtrace.
pub fn error_lines(stderr: &str) -> Option<String> {
    let lines: Vec<&str> = stderr
        .lines()
        .map(str::trim_end)
        .filter(|l| !l.trim().is_empty())
        .take_while(|l| !l.starts_with("stack backtrace:"))
        .collect();
    let errors: Vec<&str> = lines
        .iter()
        .copied()
        .filter(|l| {
            let t = l.trim_start();
            t.starts_with("error") || t.starts_with("E:") || t.starts_with("ERROR")
        })
        .collect();
    let pick = if errors.is_empty() {
        lines[lines.len().saturating_sub(3)..].to_vec()
    } else {
        errors
    };
    (!pick.is_empty()).then(|| pick.join("\n"))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::matrix::{parse, DEFAULT_MATRIX};
    use crate::toolchain::Probe;

    /// rustup's host std, `cc` and a cross gcc without its C library: what a new
    /// machine with the old setup had.
    struct Bare;
    impl Machine for Bare {
        fn host(&self) -> &str {
            "x86_64-unknown-linux-gnu"
        }
        fn std_installed(&self, t: &str) -> bool {
            t == "x86_64-unknown-linux-gnu"
        }
        fn has_program(&self, p: &str) -> bool {
            p == "cc" || p == "aarch64-linux-gnu-gcc"
        }
        fn is_root(&self) -> bool {
            true
        }
        fn probe(&self, p: &Probe) -> Result<(), String> {
            if p.command[0] == "aarch64-linux-gnu-gcc" {
                Err("ld: cannot find Scrt1.o".into())
            } else {
                Ok(())
            }
        }
        fn zig_home(&self) -> &Path {
            Path::new("/c/zig-venv")
        }
    }

    #[test]
    fn runs_install_their_runners() {
        let m = parse(DEFAULT_MATRIX, "default", None).unwrap();
        let vs: Vec<&Variant> = m.variants.iter().collect();
        let apt = |runs| {
            plan(&vs, &Bare, false, &[], runs, &[])
                .into_iter()
                .find_map(|s| match s {
                    Step::Apt(p) => Some(p),
                    _ => None,
                })
                .unwrap_or_default()
        };
        let with = apt(true);
        for p in ["qemu-user-static", "wine64"] {
            assert!(with.contains(&p.to_owned()), "{with:?}");
        }
        // without smoke runs: no wine; qemu still, for linux-aarch64-gnu's proofs
        // (its `prove` key loads the arm64 binary in Debian's roots under qemu)
        let without = apt(false);
        assert!(!without.contains(&"wine64".to_owned()), "{without:?}");
        assert!(
            without.contains(&"qemu-user-static".to_owned()),
            "{without:?}"
        );
        assert_eq!(
            crate::toolchain::needs::runner("x86_64-unknown-linux-gnu", "x86_64-unknown-linux-gnu"),
            None
        );
        assert_eq!(
            crate::toolchain::needs::runner(
                "aarch64-unknown-linux-musl",
                "x86_64-unknown-linux-gnu"
            )
            .map(|r| r.0),
            Some(vec!["qemu-aarch64-static".to_owned()])
        );
        // 32-bit x86 runs natively: a dynamic glibc one needs the 32-bit C library
        // and libgcc_s on the host, a static musl one nothing
        let (files, install) =
            crate::toolchain::needs::runner("i686-unknown-linux-gnu", "x86_64-unknown-linux-gnu")
                .unwrap();
        assert_eq!(files, ["/lib/ld-linux.so.2", "/usr/lib32/libgcc_s.so.1"]);
        assert_eq!(
            install,
            Install::Apt(vec!["libc6-i386".into(), "lib32gcc-s1".into()])
        );
        assert_eq!(
            crate::toolchain::needs::runner("i686-unknown-linux-musl", "x86_64-unknown-linux-gnu"),
            None
        );
    }

    #[test]
    fn default_matrix_on_a_bare_machine() {
        let m = parse(DEFAULT_MATRIX, "default", None).unwrap();
        let vs: Vec<&Variant> = m.variants.iter().collect();
        let steps = plan(&vs, &Bare, false, &[], false, &[]);
        let cmds: Vec<String> = steps
            .iter()
            .map(|s| s.command(true, Path::new("/c/zig-venv")))
            .collect();
        assert_eq!(
            cmds,
            [
                "rustup target add aarch64-apple-darwin aarch64-unknown-linux-gnu aarch64-unknown-linux-musl x86_64-apple-darwin x86_64-pc-windows-gnu x86_64-unknown-linux-musl",
                // the cross gcc is there, but cannot link: its C library comes too
                "apt-get install -y curl gcc-aarch64-linux-gnu gcc-mingw-w64-x86-64 libc6-dev-arm64-cross musl-tools qemu-user-static",
                "python3 -m venv /c/zig-venv && /c/zig-venv/bin/python3 -m pip install ziglang cargo-zigbuild",
            ]
        );
    }

    /// A crate whose build scripts compile C and C++ and run cmake and perl: the C++
    /// compilers of every toolchain come too, zig for musl-gcc's C++, and the tools.
    #[test]
    fn a_crate_that_compiles_c_gets_compilers_and_build_tools() {
        let m = parse(DEFAULT_MATRIX, "default", None).unwrap();
        let vs: Vec<&Variant> = m.variants.iter().collect();
        let tool = |program: &'static str| BuildTool {
            program,
            apt: program,
            required: true,
            by: vec!["openssl-src".into()],
        };
        let steps = plan(
            &vs,
            &Bare,
            true,
            &[tool("perl"), tool("cmake"), tool("cc")],
            false,
            &[],
        );
        let apt = steps
            .iter()
            .find_map(|s| match s {
                Step::Apt(p) => Some(p.join(" ")),
                _ => None,
            })
            .unwrap();
        assert_eq!(
            apt,
            "cmake curl g++ g++-aarch64-linux-gnu g++-mingw-w64-x86-64 gcc gcc-aarch64-linux-gnu \
             gcc-mingw-w64-x86-64 libc6-dev libc6-dev-arm64-cross musl-tools perl qemu-user-static"
        );
        assert!(steps.contains(&Step::Zig));
    }

    #[test]
    fn multiarch_packages_add_their_architecture_first() {
        let m = parse(DEFAULT_MATRIX, "default", None).unwrap();
        let vs: Vec<&Variant> = m.variants.iter().collect();
        let pkgs = [
            ("arm64".to_owned(), "libssl-dev:arm64".to_owned()),
            ("arm64".to_owned(), "libssl-dev:arm64".to_owned()),
            // the host's own: a plain apt install, no new architecture
            ("amd64".to_owned(), "libssl-dev".to_owned()),
        ];
        let steps = plan(&vs, &Bare, false, &[], false, &pkgs);
        let Some(Step::Apt(plain)) = steps.iter().find(|s| matches!(s, Step::Apt(_))) else {
            panic!("{steps:?}");
        };
        assert!(plain.iter().any(|p| p == "libssl-dev"), "{plain:?}");
        assert!(!plain.iter().any(|p| p.contains(':')), "{plain:?}");
        let multi: Vec<&Step> = steps
            .iter()
            .filter(|s| matches!(s, Step::Multiarch { .. }))
            .collect();
        assert_eq!(
            multi,
            [&Step::Multiarch {
                arch: "arm64".into(),
                packages: vec!["libssl-dev:arm64".into()]
            }]
        );
        assert_eq!(
            multi[0].command(false, Path::new("/z")),
            "sudo dpkg --add-architecture arm64 && sudo apt-get update && sudo apt-get install -y libssl-dev:arm64"
        );
    }

    /// pkg-config is installed only for a variant whose build scripts would run the
    /// default one: `PKG_CONFIG` naming another program decides for every variant.
    #[test]
    fn pkg_config_is_not_installed_when_a_variable_names_another_one() {
        struct WithPkgConfig;
        impl Machine for WithPkgConfig {
            fn host(&self) -> &str {
                Bare.host()
            }
            fn std_installed(&self, t: &str) -> bool {
                Bare.std_installed(t)
            }
            fn has_program(&self, p: &str) -> bool {
                Bare.has_program(p) || p == "/opt/pc/bin/pkgconf"
            }
            fn is_root(&self) -> bool {
                true
            }
            fn probe(&self, p: &Probe) -> Result<(), String> {
                Bare.probe(p)
            }
            fn zig_home(&self) -> &Path {
                Path::new("/c/zig-venv")
            }
            fn env_var(&self, name: &str) -> Option<String> {
                (name == "PKG_CONFIG").then(|| "/opt/pc/bin/pkgconf".to_owned())
            }
        }
        let m = parse(DEFAULT_MATRIX, "default", None).unwrap();
        let vs: Vec<&Variant> = m.variants.iter().take(1).collect();
        let tools = [BuildTool {
            program: "pkg-config",
            apt: "pkg-config",
            required: false,
            by: vec!["openssl-sys".into()],
        }];
        let apt = |steps: Vec<Step>| -> Vec<String> {
            steps
                .into_iter()
                .filter_map(|s| match s {
                    Step::Apt(p) => Some(p),
                    _ => None,
                })
                .flatten()
                .collect()
        };
        let bare = apt(plan(&vs, &Bare, false, &tools, false, &[]));
        assert!(bare.iter().any(|p| p == "pkg-config"), "{bare:?}");
        let named = apt(plan(&vs, &WithPkgConfig, false, &tools, false, &[]));
        assert!(!named.iter().any(|p| p == "pkg-config"), "{named:?}");
    }

    #[test]
    fn error_lines_not_backtraces() {
        let rustup = "error: component download failed for rust-std-armv7-unknown-linux-musleabihf: could not download file\nerror: caused by: http status 404\nstack backtrace:\n   0: rustup::main\n   1: std::rt::lang_start\n";
        assert_eq!(
            error_lines(rustup).unwrap(),
            "error: component download failed for rust-std-armv7-unknown-linux-musleabihf: could not download file\nerror: caused by: http status 404"
        );
        assert_eq!(
            error_lines("E: Unable to locate package gcc-nope\n").unwrap(),
            "E: Unable to locate package gcc-nope"
        );
        assert_eq!(error_lines("a\nb\nc\nd\n").unwrap(), "b\nc\nd");
        assert_eq!(error_lines(""), None);
    }
}
