//! `cargo portable setup`: install what the matrix needs. The plan is pure (variants
//! and the machine's facts in, commands out); running it is the edge.

use std::collections::BTreeSet;
use std::process::Command;

use crate::build::plan::{c_driver, debian_package, Machine};
use crate::matrix::{LinkerSpec, Variant};
use crate::toolchain::Toolchain;

/// One installation step.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Step {
    RustupTargets(Vec<String>),
    Apt(Vec<String>),
    Pip(Vec<String>),
    /// Something no package manager here provides.
    Manual(String),
}

impl Step {
    /// The command line, as a user would type it.
    pub fn command(&self, root: bool) -> String {
        let sudo = if root { "" } else { "sudo " };
        match self {
            Step::RustupTargets(t) => format!("rustup target add {}", t.join(" ")),
            Step::Apt(p) => format!("{sudo}apt-get install -y {}", p.join(" ")),
            Step::Pip(p) => format!("python3 -m pip install {}", p.join(" ")),
            Step::Manual(m) => m.clone(),
        }
    }
}

#[cfg(unix)]
pub fn is_root() -> bool {
    // SAFETY: geteuid has no preconditions and cannot fail.
    unsafe { libc::geteuid() == 0 }
}

#[cfg(not(unix))]
pub fn is_root() -> bool {
    false
}

/// What must be installed for `variants` to build on `m`.
pub fn plan(variants: &[&Variant], m: &impl Machine) -> Vec<Step> {
    let mut targets = BTreeSet::new();
    let mut packages = BTreeSet::new();
    let mut pip = false;
    let mut manual = BTreeSet::new();
    let need_program = |p: &str, packages: &mut BTreeSet<String>, manual: &mut BTreeSet<String>| {
        if !m.has_program(p) {
            match debian_package(p) {
                Some(pkg) => {
                    packages.insert(pkg);
                }
                None => {
                    manual.insert(format!("install `{p}` and put it on PATH"));
                }
            }
        }
    };
    for v in variants {
        let t = v.target();
        if !m.std_installed(t) {
            targets.insert(t.to_owned());
        }
        match v.linker() {
            LinkerSpec::Zig => {
                if !m.has_program("cargo-zigbuild") {
                    pip = true;
                }
            }
            LinkerSpec::Internal => {
                if t == "x86_64-unknown-linux-gnu" {
                    need_program("cc", &mut packages, &mut manual);
                }
            }
            LinkerSpec::External => match c_driver(t, m.host()) {
                Some(d) => need_program(&d, &mut packages, &mut manual),
                None => {
                    manual.insert(format!(
                        "{}: no C driver links for {t} here; use linker = \"zig\"",
                        v.id()
                    ));
                }
            },
            LinkerSpec::Program(p) => need_program(p, &mut packages, &mut manual),
        }
    }
    let mut steps = Vec::new();
    if !targets.is_empty() {
        steps.push(Step::RustupTargets(targets.into_iter().collect()));
    }
    if !packages.is_empty() {
        steps.push(Step::Apt(packages.into_iter().collect()));
    }
    if pip {
        steps.push(Step::Pip(vec!["ziglang".into(), "cargo-zigbuild".into()]));
    }
    steps.extend(manual.into_iter().map(Step::Manual));
    steps
}

/// Run the steps this process can run; return the ones it could not (to print).
pub fn run(steps: &[Step], tc: &Toolchain, quiet: bool) -> Vec<(Step, String)> {
    let root = is_root();
    let mut left = Vec::new();
    for s in steps {
        let cmd = s.command(root);
        let result = match s {
            Step::RustupTargets(t) if tc.rustup => run_cmd(
                Command::new("rustup").args(["target", "add"]).args(t),
                quiet,
            ),
            Step::RustupTargets(_) => Err("rustup is not installed".into()),
            Step::Apt(p) if root && which::which("apt-get").is_ok() => {
                run_cmd(Command::new("apt-get").args(["update", "-qq"]), quiet).and_then(|()| {
                    run_cmd(
                        Command::new("apt-get")
                            .args(["install", "-y", "-qq", "--no-install-recommends"])
                            .args(p)
                            .env("DEBIAN_FRONTEND", "noninteractive"),
                        quiet,
                    )
                })
            }
            Step::Apt(_) => Err("not root, or no apt-get: run it yourself".into()),
            Step::Pip(p) => run_cmd(
                Command::new("python3")
                    .args([
                        "-m",
                        "pip",
                        "install",
                        "--quiet",
                        "--disable-pip-version-check",
                    ])
                    .args(p),
                quiet,
            ),
            Step::Manual(_) => Err("manual step".into()),
        };
        match result {
            Ok(()) => {
                if !quiet {
                    eprintln!("done: {cmd}");
                }
            }
            Err(why) => left.push((s.clone(), why)),
        }
    }
    left
}

fn run_cmd(c: &mut Command, quiet: bool) -> Result<(), String> {
    if !quiet {
        eprintln!("running: {c:?}");
    }
    let out = c.output().map_err(|e| format!("{c:?}: {e}"))?;
    if out.status.success() {
        Ok(())
    } else {
        let err = String::from_utf8_lossy(&out.stderr);
        let tail: Vec<&str> = err.lines().rev().take(5).collect();
        Err(tail.into_iter().rev().collect::<Vec<_>>().join("\n"))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::matrix::{parse, DEFAULT_MATRIX};

    struct Bare;
    impl Machine for Bare {
        fn host(&self) -> &str {
            "x86_64-unknown-linux-gnu"
        }
        fn std_installed(&self, t: &str) -> bool {
            t == "x86_64-unknown-linux-gnu"
        }
        fn has_program(&self, p: &str) -> bool {
            p == "cc"
        }
        fn is_root(&self) -> bool {
            true
        }
    }

    #[test]
    fn default_matrix_on_a_bare_machine() {
        let m = parse(DEFAULT_MATRIX, "default", None).unwrap();
        let vs: Vec<&Variant> = m.variants.iter().collect();
        let steps = plan(&vs, &Bare);
        let cmds: Vec<String> = steps.iter().map(|s| s.command(true)).collect();
        assert_eq!(
            cmds,
            [
                "rustup target add aarch64-apple-darwin aarch64-unknown-linux-gnu aarch64-unknown-linux-musl x86_64-apple-darwin x86_64-pc-windows-gnu x86_64-unknown-linux-musl",
                "apt-get install -y gcc-aarch64-linux-gnu gcc-mingw-w64-x86-64 musl-tools",
                "python3 -m pip install ziglang cargo-zigbuild",
            ]
        );
    }
}
