//! Hazards: things that make a binary fail, or behave differently, on another machine.

use super::platform::{libc_of_libraries, libc_of_name};
use crate::inspect::symbols::{DLOPEN_FUNCTIONS, NSS_FUNCTIONS};
use crate::inspect::{FormatFacts, Parsed};
use crate::model::{Hazard, Libc, Library, LibraryClass, Linkage, Severity};

/// Path prefixes that only exist on the machine that built the binary.
const BUILD_MACHINE_PREFIXES: &[&str] = &[
    "/tmp/",
    "/var/tmp/",
    "/home/",
    "/root/",
    "/build/",
    "/builds/",
    "/Users/",
    "/private/",
    "/workspace/",
    "/github/",
    "/opt/homebrew/",
    "/usr/local/Cellar/",
];

fn hazard(
    code: &str,
    severity: Severity,
    message: String,
    hint: &str,
    evidence: Vec<String>,
) -> Hazard {
    Hazard {
        code: code.to_owned(),
        severity,
        message,
        hint: hint.to_owned(),
        evidence,
    }
}

fn is_build_path(path: &str) -> bool {
    let p = if path == "/tmp" { "/tmp/" } else { path };
    BUILD_MACHINE_PREFIXES.iter().any(|b| p.starts_with(b))
        || p.contains("/target/")
        || p.contains("/.cargo/")
}

/// Entries of an RPATH/RUNPATH (or LC_RPATH) that resolve on the build machine only,
/// or against the current directory.
fn bad_search_paths(list: &[String]) -> Vec<String> {
    let mut bad = Vec::new();
    for entry in list.iter().flat_map(|s| s.split(':')) {
        let relative_ok = entry.starts_with("$ORIGIN")
            || entry.starts_with("${ORIGIN}")
            || entry.starts_with('@');
        if entry.is_empty() || (!entry.starts_with('/') && !relative_ok) || is_build_path(entry) {
            bad.push(if entry.is_empty() {
                "(empty entry: the current directory)".to_owned()
            } else {
                entry.to_owned()
            });
        }
    }
    bad
}

pub(crate) fn hazards(
    p: &Parsed,
    linkage: Linkage,
    libc: Libc,
    libraries: &[Library],
) -> Vec<Hazard> {
    let mut out = Vec::new();
    let is_static = linkage != Linkage::Dynamic;

    if let FormatFacts::Elf(e) = &p.facts {
        if is_static && libc == Libc::Glibc {
            let found = |set: &[&str]| -> Vec<String> {
                e.static_symbols
                    .iter()
                    .filter(|s| set.contains(&s.as_str()))
                    .cloned()
                    .collect()
            };
            let nss = found(NSS_FUNCTIONS);
            let dl = found(DLOPEN_FUNCTIONS);
            if !nss.is_empty() || (!e.has_symtab && e.mentions_nss) {
                let evidence = if nss.is_empty() {
                    vec!["libnss_ (string in a stripped binary)".to_owned()]
                } else {
                    nss
                };
                out.push(hazard(
                    "static-glibc-nss",
                    Severity::Error,
                    format!(
                        "statically linked glibc calls {}: the Name Service Switch loads the \
                         same glibc version's libnss_*.so modules at run time, so this \
                         \"static\" binary fails to resolve or crashes where that glibc is absent",
                        evidence.join(", ")
                    ),
                    "build for *-linux-musl, or link glibc dynamically (drop +crt-static); \
                     otherwise avoid these calls (pure-Rust resolver, numeric uids)",
                    evidence,
                ));
            } else if !dl.is_empty() {
                out.push(hazard(
                    "static-glibc-dlopen",
                    Severity::Warning,
                    format!(
                        "statically linked glibc calls {}: it loads shared objects of the same \
                         glibc version at run time (gconv modules, plugins)",
                        dl.join(", ")
                    ),
                    "build for *-linux-musl or link glibc dynamically",
                    dl,
                ));
            }
        }

        // The loader must belong to the C library the binary was linked against.
        if let (Some(interp), Some(by_libs)) = (p.interpreter.as_deref(), libc_of_libraries(p)) {
            if let Some(by_interp) = libc_of_name(interp) {
                if by_interp != by_libs {
                    out.push(hazard(
                        "interpreter-libc-mismatch",
                        Severity::Error,
                        format!(
                            "linked against {by_libs:?} but asks for the loader {interp}, which \
                             belongs to {by_interp:?}: it will not start",
                        )
                        .to_lowercase(),
                        "link with the C library's own driver (musl-gcc, or the target's \
                         self-contained rust-lld) instead of passing --dynamic-linker",
                        vec![interp.to_owned()],
                    ));
                }
            }
        }
        if linkage == Linkage::Dynamic
            && libc == Libc::Musl
            && p.kind != crate::model::Kind::SharedLibrary
        {
            let interp = p.interpreter.clone().unwrap_or_else(|| "(none)".to_owned());
            out.push(hazard(
                "musl-dynamic",
                Severity::Error,
                format!(
                    "dynamically linked against musl: needs the loader {interp} and musl's \
                     libc.so, which glibc distributions (Debian, Ubuntu, RHEL) do not have"
                ),
                "keep musl static (the default, +crt-static)",
                vec![interp],
            ));
        }

        let private: Vec<String> = p
            .imports
            .iter()
            .filter(|i| i.version.as_deref() == Some("GLIBC_PRIVATE"))
            .map(|i| i.name.clone())
            .collect();
        if !private.is_empty() {
            out.push(hazard(
                "glibc-private",
                Severity::Error,
                format!(
                    "imports glibc-internal symbols ({}) that change between glibc builds",
                    private.join(", ")
                ),
                "do not link against GLIBC_PRIVATE interfaces; rebuild against the public API",
                private,
            ));
        }

        match e.gnu_stack_exec {
            Some(true) => out.push(hazard(
                "executable-stack",
                Severity::Error,
                "PT_GNU_STACK asks for an executable stack".to_owned(),
                "find the object without .note.GNU-stack (often hand-written assembly) or link \
                 with -z noexecstack",
                vec!["PT_GNU_STACK RWE".to_owned()],
            )),
            None if p.kind != crate::model::Kind::Other => out.push(hazard(
                "executable-stack",
                Severity::Warning,
                "no PT_GNU_STACK header: the loader maps the stack executable".to_owned(),
                "link with -z noexecstack",
                vec!["no PT_GNU_STACK".to_owned()],
            )),
            _ => {}
        }
        if e.textrel {
            out.push(hazard(
                "text-relocations",
                Severity::Warning,
                "has text relocations (DT_TEXTREL): code pages are written at load time, \
                 which SELinux and hardened kernels refuse"
                    .to_owned(),
                "compile every object with -fPIC",
                vec!["DT_TEXTREL".to_owned()],
            ));
        }
    }

    if let FormatFacts::Macho(m) = &p.facts {
        if m.allow_stack_execution {
            out.push(hazard(
                "executable-stack",
                Severity::Error,
                "MH_ALLOW_STACK_EXECUTION is set".to_owned(),
                "do not link with -allow_stack_execute",
                vec!["MH_ALLOW_STACK_EXECUTION".to_owned()],
            ));
        }
    }
    if let FormatFacts::Pe(pe) = &p.facts {
        if pe.dll_characteristics & 0x0100 == 0 {
            out.push(hazard(
                "no-nx",
                Severity::Warning,
                "NX_COMPAT is not set: data pages may be executable".to_owned(),
                "link with --nxcompat (GNU ld) or /NXCOMPAT",
                vec!["DllCharacteristics".to_owned()],
            ));
        }
    }

    let search = [p.rpath.as_slice(), p.runpath.as_slice()].concat();
    let bad = bad_search_paths(&search);
    if !bad.is_empty() {
        out.push(hazard(
            "rpath-build-path",
            Severity::Error,
            format!(
                "library search path points at the build machine or the current directory: {}",
                bad.join(", ")
            ),
            "use $ORIGIN-relative paths (@loader_path on macOS), or none",
            bad,
        ));
    }
    let abs_libs: Vec<String> = libraries
        .iter()
        .filter(|l| l.class == LibraryClass::External && is_build_path(&l.name))
        .map(|l| l.name.clone())
        .collect();
    if !abs_libs.is_empty() {
        out.push(hazard(
            "library-build-path",
            Severity::Error,
            format!(
                "needs libraries by a path on the build machine: {}",
                abs_libs.join(", ")
            ),
            "link against the library by name (install_name @rpath/..., or its soname)",
            abs_libs,
        ));
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn search_paths() {
        let v = |s: &str| vec![s.to_owned()];
        assert!(bad_search_paths(&v("$ORIGIN/../lib")).is_empty());
        assert!(bad_search_paths(&v("/usr/lib/foo")).is_empty());
        assert_eq!(bad_search_paths(&v("/tmp/build/lib")), ["/tmp/build/lib"]);
        assert_eq!(bad_search_paths(&v("lib")), ["lib"]);
        assert_eq!(bad_search_paths(&v("$ORIGIN:/home/me/x")), ["/home/me/x"]);
        assert!(bad_search_paths(&v("@loader_path/../Frameworks")).is_empty());
    }
}
