//! Pure decisions of a smoke run: which runner executes an artifact on this host,
//! which roots prove its report, which files a minimal root holds, what the smoke of
//! a variant runs. Nothing here touches the file system or spawns a process; the
//! file-system lookups come in as a function.

use std::path::{Path, PathBuf};

use crate::matrix::{ExpectLinkage, Smoke};
use crate::model::{Artifact, Format, Linkage, Os};
use crate::report::smoke::RootKind;

/// What executes a binary on this host.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Runner {
    /// The host runs it itself.
    Native,
    /// `qemu-<arch>-static`; `sysroot` is the `-L` prefix for a dynamic binary.
    Qemu {
        program: String,
        sysroot: Option<PathBuf>,
    },
    /// wine, with the prefix under the target directory.
    Wine,
}

impl Runner {
    /// The name the report gives it.
    pub fn name(&self) -> String {
        match self {
            Runner::Native => "native".into(),
            Runner::Qemu { program, .. } => program.clone(),
            Runner::Wine => "wine".into(),
        }
    }
}

/// A runner, or why this host cannot run the artifact.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum RunnerChoice {
    Run(Runner),
    NotRun(String),
}

/// The Linux host a smoke runs on: its architecture, and whether its kernel executes
/// 32-bit x86 binaries (IA32 emulation; probed by running one, see
/// [`super::probe::kernel_runs_ia32`]).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Host<'a> {
    pub arch: &'a str,
    pub ia32: bool,
}

/// Whether the host runs an ELF of `arch` itself: its own architecture, and 32-bit x86
/// on x86_64, which the kernel runs as it is (IA32 emulation, on in Debian's and every
/// major distribution's kernels), as users run them. qemu-i386 would be a detour, and
/// Debian 12's (7.2) breaks thread-local storage at thread exit: tokio's worker threads
/// panic (`c.runtime.get().is_entered()`) when the IPC server stops under it, while the
/// same binary stops cleanly natively.
pub fn runs_natively(arch: &str, host: Host) -> bool {
    arch == host.arch || (arch == "x86" && host.arch == "x86_64" && host.ia32)
}

/// Which runner executes `a` on `host`.
pub fn runner_for(a: &Artifact, host: Host) -> RunnerChoice {
    match (a.format, a.os) {
        (Format::Macho, _) => RunnerChoice::NotRun(
            "a Mach-O binary does not run on a Linux host: run it on macOS".into(),
        ),
        (Format::Xcoff, _) => RunnerChoice::NotRun(
            "an XCOFF binary does not run on a Linux host: run it on AIX".into(),
        ),
        (Format::Pe, _) if a.arch == "x86_64" => RunnerChoice::Run(Runner::Wine),
        (Format::Pe, _) => RunnerChoice::NotRun(format!(
            "a {} Windows binary: wine64 runs only x86_64 ones (32-bit ones need wine32, \
             from Debian's i386 architecture: dpkg --add-architecture i386)",
            a.arch
        )),
        (Format::Elf, Os::Linux | Os::Unknown) if runs_natively(&a.arch, host) => {
            RunnerChoice::Run(Runner::Native)
        }
        (Format::Elf, Os::Linux | Os::Unknown) if a.arch == "x86" && host.arch == "x86_64" => {
            RunnerChoice::NotRun(
                "this kernel does not execute 32-bit x86 binaries (no IA32 emulation: it needs \
                 CONFIG_IA32_EMULATION, and no ia32_emulation=0 on its command line), and \
                 qemu-i386 7.2 breaks thread-local storage at thread exit"
                    .into(),
            )
        }
        (Format::Elf, Os::Linux | Os::Unknown) => RunnerChoice::Run(Runner::Qemu {
            program: format!("qemu-{}-static", crate::platform::arch::qemu(&a.arch)),
            sysroot: (a.linkage == Linkage::Dynamic)
                .then(|| crate::platform::arch::cross_sysroot(&a.arch)),
        }),
        (Format::Elf, os) => {
            RunnerChoice::NotRun(format!("a {os} binary does not run on a Linux host"))
        }
    }
}

/// The roots a run happens in: always the host; a static artifact (or one the matrix
/// expects static) also in an empty root; a dynamic Linux ELF also in a minimal root.
pub fn roots_for(a: &Artifact, runner: &Runner, expect: Option<ExpectLinkage>) -> Vec<RootKind> {
    let mut roots = vec![RootKind::Host];
    if *runner == Runner::Wine || a.format != Format::Elf {
        return roots;
    }
    let expect_static = matches!(
        expect,
        Some(ExpectLinkage::Static | ExpectLinkage::StaticPie)
    );
    if a.linkage != Linkage::Dynamic || expect_static {
        roots.push(RootKind::Empty);
    }
    if a.linkage == Linkage::Dynamic {
        roots.push(RootKind::Minimal);
    }
    roots
}

/// What the smoke of a variant does.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum SmokeKind {
    /// Every executable's `--version` exits 0.
    Version,
    /// The IPC server's round trip with the host's client.
    Ipc,
    /// Not run.
    None,
    /// A built binary (by file name) with arguments; exits 0.
    Command { binary: String, args: Vec<String> },
}

impl SmokeKind {
    /// `smoke` of the matrix; `version` when it says nothing.
    pub fn from_matrix(s: Option<&Smoke>) -> SmokeKind {
        match s {
            None => SmokeKind::Version,
            Some(Smoke::Named(n)) => match n.as_str() {
                "ipc" => SmokeKind::Ipc,
                "none" => SmokeKind::None,
                _ => SmokeKind::Version,
            },
            Some(Smoke::Command(c)) => match c.split_first() {
                Some((b, args)) => SmokeKind::Command {
                    binary: b.clone(),
                    args: args.to_vec(),
                },
                None => SmokeKind::None,
            },
        }
    }

    pub fn name(&self) -> &'static str {
        match self {
            SmokeKind::Version => "version",
            SmokeKind::Ipc => "ipc",
            SmokeKind::None => "none",
            SmokeKind::Command { .. } => "command",
        }
    }

    /// The file names of the binaries this smoke runs, out of the variant's (without
    /// `.exe`); an error names what is missing.
    pub fn binaries(&self, built: &[String]) -> Result<Vec<String>, String> {
        let want = |name: &str| {
            if built.iter().any(|b| b == name) {
                Ok(vec![name.to_owned()])
            } else {
                Err(format!(
                    "no built binary named {name} (built: {})",
                    built.join(", ")
                ))
            }
        };
        match self {
            SmokeKind::Version => Ok(built.to_vec()),
            SmokeKind::Ipc => want("ipc-server"),
            SmokeKind::None => Ok(Vec::new()),
            SmokeKind::Command { binary, .. } => want(binary),
        }
    }
}

/// A binary's file name without directories and `.exe`.
pub fn binary_name(path: &str) -> String {
    let file = path.rsplit(['/', '\\']).next().unwrap_or(path);
    file.strip_suffix(".exe").unwrap_or(file).to_owned()
}

/// One file of a minimal root: where it goes in the root, and the host file it is a
/// copy of.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RootFile {
    pub in_root: PathBuf,
    pub from: PathBuf,
}

/// What goes into the minimal root of a dynamic ELF besides the binary.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct MinimalRoot {
    pub files: Vec<RootFile>,
    /// Listed libraries (or the interpreter) found nowhere on the host.
    pub unresolved: Vec<String>,
}

/// The directories a library of `arch` is looked up in on a host of `host_arch`
/// (after the binary's RUNPATH/RPATH), with the directory it goes to in the root.
fn library_dirs(arch: &str, host_arch: &str) -> Vec<(PathBuf, PathBuf)> {
    if arch != host_arch {
        let sys = crate::platform::arch::cross_sysroot(arch);
        return ["lib", "lib64", "usr/lib"]
            .iter()
            .map(|d| (sys.join(d), PathBuf::from("/lib")))
            .collect();
    }
    let multiarch = format!("{arch}-linux-gnu");
    let musl = format!("{arch}-linux-musl");
    [
        format!("/lib/{multiarch}"),
        format!("/usr/lib/{multiarch}"),
        "/lib64".into(),
        "/usr/lib64".into(),
        "/lib".into(),
        "/usr/lib".into(),
        format!("/usr/lib/{musl}"),
        "/usr/local/musl/lib".to_owned(),
    ]
    .into_iter()
    .map(|d| (PathBuf::from(&d), PathBuf::from(&d)))
    .collect()
}

/// The interpreter and exactly the libraries the report lists, each resolved on the
/// host (`exists` says whether a host path is a file), placed at the path the loader
/// looks in. A foreign architecture's files come from its cross sysroot.
pub fn minimal_root(a: &Artifact, host_arch: &str, exists: &dyn Fn(&Path) -> bool) -> MinimalRoot {
    let mut root = MinimalRoot::default();
    if let Some(interp) = &a.interpreter {
        let rel = interp.trim_start_matches('/');
        let from = if a.arch == host_arch {
            PathBuf::from(interp)
        } else {
            // Debian's cross C libraries keep every loader in the sysroot's lib/, also
            // the ones asked for in /lib64 (ppc64le's /lib64/ld64.so.2)
            let sys = crate::platform::arch::cross_sysroot(&a.arch);
            let base = Path::new(rel).file_name().map(|b| sys.join("lib").join(b));
            match base {
                Some(b) if !exists(&sys.join(rel)) && exists(&b) => b,
                _ => sys.join(rel),
            }
        };
        if exists(&from) {
            root.files.push(RootFile {
                in_root: PathBuf::from(interp),
                from,
            });
        } else {
            root.unresolved.push(interp.clone());
        }
    }
    let mut dirs: Vec<(PathBuf, PathBuf)> = a
        .runpath
        .iter()
        .chain(&a.rpath)
        .flat_map(|p| p.split(':'))
        .filter(|d| d.starts_with('/'))
        .map(|d| (PathBuf::from(d), PathBuf::from(d)))
        .collect();
    dirs.extend(library_dirs(&a.arch, host_arch));
    for lib in &a.libraries {
        // the interpreter is also listed as a needed library by some linkers
        let found = dirs.iter().find_map(|(host, in_root)| {
            let from = host.join(&lib.name);
            exists(&from).then(|| RootFile {
                in_root: in_root.join(&lib.name),
                from,
            })
        });
        match found {
            Some(f) if !root.files.iter().any(|g| g.in_root == f.in_root) => root.files.push(f),
            Some(_) => {}
            None => root.unresolved.push(lib.name.clone()),
        }
    }
    root
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::{Library, LibraryClass, LibraryLoad};

    fn artifact(format: Format, os: Os, arch: &str, linkage: Linkage) -> Artifact {
        let mut a: Artifact = serde_json::from_value(serde_json::json!({
            "path": "/t/app", "size": 1, "sha256": null, "format": "elf", "arch": "x86_64",
            "bits": 64, "endian": "little", "os": "linux", "kind": "executable",
            "slice": null, "linkage": "dynamic", "libc": "glibc", "interpreter": null,
            "rpath": [], "runpath": [], "libraries": [], "imports": [],
            "requires": {"glibc": null, "glibcxx": null, "cxxabi": null, "gcc": null,
                         "macos": null, "macos_sdk": null, "windows": null,
                         "linux_kernel": null},
            "runs_on": {"summary": "", "any": true, "distributions": []},
            "linker": {"name": "lld", "version": null, "evidence": "", "inferred": false},
            "hardening": {"pie": true, "relro": null, "nx": true, "stack_canary": false,
                          "fortify": false, "fortified": []},
            "hazards": [], "portable": true, "verdict": ""
        }))
        .expect("artifact fixture");
        a.format = format;
        a.os = os;
        a.arch = arch.into();
        a.linkage = linkage;
        a
    }

    const X86_64: Host = Host {
        arch: "x86_64",
        ia32: true,
    };

    #[test]
    fn runners_by_format_and_architecture() {
        let a = artifact(Format::Elf, Os::Linux, "x86_64", Linkage::Dynamic);
        assert_eq!(runner_for(&a, X86_64), RunnerChoice::Run(Runner::Native));
        let a = artifact(Format::Elf, Os::Linux, "aarch64", Linkage::Dynamic);
        assert_eq!(
            runner_for(&a, X86_64),
            RunnerChoice::Run(Runner::Qemu {
                program: "qemu-aarch64-static".into(),
                sysroot: Some("/usr/aarch64-linux-gnu".into())
            })
        );
        // 32-bit x86 runs natively on x86_64 (the kernel's IA32 emulation), also dynamic
        let a = artifact(Format::Elf, Os::Linux, "x86", Linkage::Dynamic);
        assert_eq!(runner_for(&a, X86_64), RunnerChoice::Run(Runner::Native));
        assert!(!runs_natively(
            "x86_64",
            Host {
                arch: "x86",
                ia32: true
            }
        ));
        // a kernel without IA32 emulation: not run, with the reason (not qemu-i386)
        let no_ia32 = Host {
            arch: "x86_64",
            ia32: false,
        };
        assert!(
            matches!(runner_for(&a, no_ia32), RunnerChoice::NotRun(r) if r.contains("IA32 emulation"))
        );
        // every other Linux architecture of the wide matrix: its qemu, Debian's cross sysroot
        for (arch, qemu, sysroot) in [
            ("arm", "qemu-arm-static", "/usr/arm-linux-gnueabihf"),
            ("riscv64", "qemu-riscv64-static", "/usr/riscv64-linux-gnu"),
            (
                "powerpc64le",
                "qemu-ppc64le-static",
                "/usr/powerpc64le-linux-gnu",
            ),
            ("s390x", "qemu-s390x-static", "/usr/s390x-linux-gnu"),
            (
                "loongarch64",
                "qemu-loongarch64-static",
                "/usr/loongarch64-linux-gnu",
            ),
        ] {
            let a = artifact(Format::Elf, Os::Linux, arch, Linkage::Dynamic);
            assert_eq!(
                runner_for(&a, X86_64),
                RunnerChoice::Run(Runner::Qemu {
                    program: qemu.into(),
                    sysroot: Some(sysroot.into())
                }),
                "{arch}"
            );
        }
        // FreeBSD and 32-bit Windows are not run, with the reason
        let a = artifact(Format::Elf, Os::Freebsd, "x86_64", Linkage::Dynamic);
        assert!(
            matches!(runner_for(&a, X86_64), RunnerChoice::NotRun(r) if r.contains("freebsd binary does not run on a Linux host"))
        );
        let a = artifact(Format::Pe, Os::Windows, "x86", Linkage::Dynamic);
        assert!(matches!(runner_for(&a, X86_64), RunnerChoice::NotRun(r) if r.contains("wine32")));
        let a = artifact(Format::Elf, Os::Linux, "aarch64", Linkage::Static);
        assert!(matches!(
            runner_for(&a, X86_64),
            RunnerChoice::Run(Runner::Qemu { sysroot: None, .. })
        ));
        let a = artifact(Format::Pe, Os::Windows, "x86_64", Linkage::Dynamic);
        assert_eq!(runner_for(&a, X86_64), RunnerChoice::Run(Runner::Wine));
        let a = artifact(Format::Macho, Os::Macos, "aarch64", Linkage::Dynamic);
        assert!(matches!(runner_for(&a, X86_64), RunnerChoice::NotRun(r) if r.contains("Mach-O")));
    }

    #[test]
    fn static_runs_in_an_empty_root_dynamic_in_a_minimal_one() {
        let s = artifact(Format::Elf, Os::Linux, "x86_64", Linkage::StaticPie);
        assert_eq!(
            roots_for(&s, &Runner::Native, None),
            [RootKind::Host, RootKind::Empty]
        );
        let d = artifact(Format::Elf, Os::Linux, "x86_64", Linkage::Dynamic);
        assert_eq!(
            roots_for(&d, &Runner::Native, None),
            [RootKind::Host, RootKind::Minimal]
        );
        // the matrix says static: the empty root proves it (or not)
        assert_eq!(
            roots_for(&d, &Runner::Native, Some(ExpectLinkage::Static)),
            [RootKind::Host, RootKind::Empty, RootKind::Minimal]
        );
        let w = artifact(Format::Pe, Os::Windows, "x86_64", Linkage::Dynamic);
        assert_eq!(roots_for(&w, &Runner::Wine, None), [RootKind::Host]);
    }

    fn lib(name: &str) -> Library {
        Library {
            name: name.into(),
            class: LibraryClass::System,
            load: LibraryLoad::Needed,
            compatibility_version: None,
            current_version: None,
            origin: Vec::new(),
        }
    }

    #[test]
    fn minimal_root_resolves_on_the_host_or_the_cross_sysroot() {
        let mut a = artifact(Format::Elf, Os::Linux, "x86_64", Linkage::Dynamic);
        a.interpreter = Some("/lib64/ld-linux-x86-64.so.2".into());
        a.libraries = vec![lib("libc.so.6"), lib("libgone.so.1")];
        let host = |p: &Path| {
            [
                "/lib64/ld-linux-x86-64.so.2",
                "/usr/lib/x86_64-linux-gnu/libc.so.6",
            ]
            .iter()
            .any(|f| Path::new(f) == p)
        };
        let r = minimal_root(&a, "x86_64", &host);
        assert_eq!(
            r.files,
            [
                RootFile {
                    in_root: "/lib64/ld-linux-x86-64.so.2".into(),
                    from: "/lib64/ld-linux-x86-64.so.2".into()
                },
                RootFile {
                    in_root: "/usr/lib/x86_64-linux-gnu/libc.so.6".into(),
                    from: "/usr/lib/x86_64-linux-gnu/libc.so.6".into()
                }
            ]
        );
        assert_eq!(r.unresolved, ["libgone.so.1"]);

        let mut a = artifact(Format::Elf, Os::Linux, "aarch64", Linkage::Dynamic);
        a.interpreter = Some("/lib/ld-linux-aarch64.so.1".into());
        a.libraries = vec![lib("libc.so.6")];
        let cross = |p: &Path| p.starts_with("/usr/aarch64-linux-gnu/lib");
        let r = minimal_root(&a, "x86_64", &cross);
        assert_eq!(
            r.files[0].from,
            Path::new("/usr/aarch64-linux-gnu/lib/ld-linux-aarch64.so.1")
        );
        assert_eq!(r.files[1].in_root, Path::new("/lib/libc.so.6"));
        assert!(r.unresolved.is_empty());
        // ppc64le asks for /lib64/ld64.so.2; Debian's sysroot has it in lib/
        let mut a = artifact(Format::Elf, Os::Linux, "powerpc64le", Linkage::Dynamic);
        a.interpreter = Some("/lib64/ld64.so.2".into());
        let cross = |p: &Path| p == Path::new("/usr/powerpc64le-linux-gnu/lib/ld64.so.2");
        let r = minimal_root(&a, "x86_64", &cross);
        assert_eq!(
            r.files[0],
            RootFile {
                in_root: "/lib64/ld64.so.2".into(),
                from: "/usr/powerpc64le-linux-gnu/lib/ld64.so.2".into()
            }
        );
        assert!(r.unresolved.is_empty());
    }

    #[test]
    fn smoke_kinds_pick_their_binaries() {
        let built = vec!["ipc-client".to_owned(), "ipc-server".to_owned()];
        assert_eq!(SmokeKind::Ipc.binaries(&built).unwrap(), ["ipc-server"]);
        assert_eq!(SmokeKind::Version.binaries(&built).unwrap(), built);
        let c = SmokeKind::from_matrix(Some(&Smoke::Command(vec!["app".into(), "-x".into()])));
        assert!(c
            .binaries(&built)
            .unwrap_err()
            .contains("no built binary named app"));
        assert_eq!(binary_name("C:\\x\\ipc-server.exe"), "ipc-server");
    }
}
