//! Hazards: things that make a binary fail, or behave differently, on another machine.
//! Every hazard is produced here: this module decides when one applies and with what
//! evidence (one function per concept); `catalogue` says what each code means, how
//! severe it is and how to fix it.

mod catalogue;

pub(crate) use self::catalogue::example;

use object::pe::IMAGE_DLLCHARACTERISTICS_NX_COMPAT;

use self::catalogue::ExecutableStack;
use super::platform::{is_openharmony, libc_of_libraries};
use crate::inspect::symbols::{DLOPEN_FUNCTIONS, NSS_FUNCTIONS};
use crate::inspect::{ElfFacts, FormatFacts, Parsed};
use crate::model::{Artifact, Hazard, Kind, Libc, Library, LibraryClass, Linkage};
use crate::platform::names::{is_allocator_library, is_vc_runtime, libc_of_name};
use crate::platform::Triple;

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

/// Every hazard of one binary, in a fixed order: the ELF ones (static glibc, loader
/// and libc, glibc-private, stack, text relocations), the Mach-O and PE ones, then
/// the search paths and library paths of any format.
pub(crate) fn hazards(
    p: &Parsed,
    linkage: Linkage,
    libc: Libc,
    libraries: &[Library],
) -> Vec<Hazard> {
    let mut out = Vec::new();
    match &p.facts {
        FormatFacts::Elf(e) => {
            out.extend(static_glibc(e, linkage, libc, p.go.is_some()));
            out.extend(interpreter_libc_mismatch(p));
            out.extend(musl_dynamic(p, linkage, libc));
            out.extend(musl_malloc(p, e, libc, libraries));
            out.extend(glibc_private(p));
            // Solaris and illumos map stacks non-executable without PT_GNU_STACK, a
            // GNU extension they do not read
            if libc != Libc::SolarisLibc {
                out.extend(elf_executable_stack(p.kind, e));
            }
            out.extend(e.textrel.then(catalogue::text_relocations));
        }
        FormatFacts::Macho(m) => {
            out.extend(
                m.allow_stack_execution
                    .then(|| catalogue::executable_stack(ExecutableStack::MachoAllowed)),
            );
        }
        FormatFacts::Pe(pe) => {
            let nx = pe.dll_characteristics & IMAGE_DLLCHARACTERISTICS_NX_COMPAT.0 != 0;
            out.extend((!nx).then(catalogue::no_nx));
            out.extend(msvc_runtime(libraries));
        }
        FormatFacts::Xcoff(_) => {}
    }
    out.extend(rpath_build_path(p));
    out.extend(library_build_path(libraries));
    out
}

/// A static binary with glibc inside still loads glibc's own shared objects for some
/// calls: NSS (an error) or dlopen/iconv (a warning).
fn static_glibc(e: &ElfFacts, linkage: Linkage, libc: Libc, go: bool) -> Option<Hazard> {
    if linkage == Linkage::Dynamic || libc != Libc::Glibc {
        return None;
    }
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
        Some(catalogue::static_glibc_nss(evidence, go))
    } else if !dl.is_empty() {
        Some(catalogue::static_glibc_dlopen(dl))
    } else {
        None
    }
}

/// The loader must belong to the C library the binary was linked against.
fn interpreter_libc_mismatch(p: &Parsed) -> Option<Hazard> {
    let interp = p.interpreter.as_deref()?;
    let by_libs = libc_of_libraries(p)?;
    let by_interp = libc_of_name(interp)?;
    (by_interp != by_libs).then(|| catalogue::interpreter_libc_mismatch(by_libs, interp, by_interp))
}

/// A musl executable that needs musl's loader, which glibc systems do not have. Not on
/// OpenHarmony, whose own C library is musl and whose loader is musl's.
fn musl_dynamic(p: &Parsed, linkage: Linkage, libc: Libc) -> Option<Hazard> {
    if linkage != Linkage::Dynamic
        || libc != Libc::Musl
        || p.kind == Kind::SharedLibrary
        || is_openharmony(p)
    {
        return None;
    }
    let interp = p.interpreter.clone().unwrap_or_else(|| "(none)".to_owned());
    Some(catalogue::musl_dynamic(interp))
}

/// A musl binary that starts threads and allocates with musl's malloc: no
/// replacement allocator linked in (its symbols or strings) nor needed as a library.
/// Not on OpenHarmony, whose musl has its own allocator.
fn musl_malloc(p: &Parsed, e: &ElfFacts, libc: Libc, libraries: &[Library]) -> Option<Hazard> {
    if libc != Libc::Musl || e.allocator.is_some() || is_openharmony(p) {
        return None;
    }
    let by_library = libraries.iter().any(|l| is_allocator_library(&l.name));
    if by_library {
        return None;
    }
    let threads = e.starts_threads.clone()?;
    Some(catalogue::musl_malloc(vec![threads]))
}

fn glibc_private(p: &Parsed) -> Option<Hazard> {
    let private: Vec<String> = p
        .imports
        .iter()
        .filter(|i| i.version.as_deref() == Some("GLIBC_PRIVATE"))
        .map(|i| i.name.clone())
        .collect();
    (!private.is_empty()).then(|| catalogue::glibc_private(private))
}

/// PT_GNU_STACK with PF_X, or no PT_GNU_STACK in a linked image.
fn elf_executable_stack(kind: Kind, e: &ElfFacts) -> Option<Hazard> {
    let why = match e.gnu_stack_exec {
        Some(true) => ExecutableStack::ElfRequested,
        None if kind != Kind::Other => ExecutableStack::ElfNoHeader,
        _ => return None,
    };
    Some(catalogue::executable_stack(why))
}

fn msvc_runtime(libraries: &[Library]) -> Option<Hazard> {
    let dlls: Vec<String> = libraries
        .iter()
        .filter(|l| is_vc_runtime(&l.name))
        .map(|l| l.name.clone())
        .collect();
    (!dlls.is_empty()).then(|| catalogue::msvc_runtime(dlls))
}

fn rpath_build_path(p: &Parsed) -> Option<Hazard> {
    let search = [p.rpath.as_slice(), p.runpath.as_slice()].concat();
    let bad = bad_search_paths(&search);
    (!bad.is_empty()).then(|| catalogue::rpath_build_path(bad))
}

fn library_build_path(libraries: &[Library]) -> Option<Hazard> {
    let abs_libs: Vec<String> = libraries
        .iter()
        .filter(|l| l.class == LibraryClass::External && is_build_path(&l.name))
        .map(|l| l.name.clone())
        .collect();
    (!abs_libs.is_empty()).then(|| catalogue::library_build_path(abs_libs))
}

/// A hazard when the binary is linked against another C library than its target
/// says (a `*-linux-musl` build that the C driver linked against glibc): Rust's std
/// was compiled for one libc's ABI and calls the other. Checked after a build, where
/// the target is known.
pub fn target_libc_mismatch(target: &str, a: &Artifact) -> Option<Hazard> {
    let want = Triple::parse(target).libc()?;
    let got = a.libc;
    if got == want || matches!(got, Libc::Unknown | Libc::None) {
        return None;
    }
    let evidence = a
        .libraries
        .iter()
        .map(|l| l.name.clone())
        .chain(a.interpreter.clone())
        .collect();
    Some(catalogue::target_libc_mismatch(target, want, got, evidence))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::analysis::testing::{elf, macho, needs, pe};
    use crate::model::{HazardCode, Severity};

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

    fn codes(p: &Parsed, linkage: Linkage, libc: Libc) -> Vec<(String, Severity)> {
        hazards(p, linkage, libc, &[])
            .into_iter()
            .map(|h| (h.code, h.severity))
            .collect()
    }

    #[test]
    fn executable_stack_by_format() {
        let stack = |exec: Option<bool>| elf(|e| e.gnu_stack_exec = exec);
        let code = HazardCode::ExecutableStack.to_string();
        assert_eq!(
            codes(&stack(Some(true)), Linkage::Dynamic, Libc::Glibc),
            [(code.clone(), Severity::Error)]
        );
        assert_eq!(
            codes(&stack(None), Linkage::Dynamic, Libc::Glibc),
            [(code.clone(), Severity::Warning)]
        );
        assert!(codes(&stack(Some(false)), Linkage::Dynamic, Libc::Glibc).is_empty());
        let mut object = stack(None);
        object.kind = Kind::Other;
        assert!(codes(&object, Linkage::Static, Libc::Unknown).is_empty());
        let m = macho(|m| m.allow_stack_execution = true);
        assert_eq!(
            codes(&m, Linkage::Dynamic, Libc::Libsystem),
            [(code, Severity::Error)]
        );
        assert_eq!(
            codes(&pe(|_| {}), Linkage::Dynamic, Libc::None),
            [("no-nx".to_owned(), Severity::Warning)]
        );
    }

    #[test]
    fn visual_cpp_runtime_dlls_and_not_windows_own() {
        for dll in [
            "VCRUNTIME140.dll",
            "vcruntime140_1.dll",
            "MSVCP140.dll",
            "msvcp140_atomic_wait.dll",
            "MSVCR120.dll",
            "msvcr100.dll",
            "CONCRT140.dll",
            "VCOMP140.DLL",
        ] {
            assert!(is_vc_runtime(dll), "{dll}");
        }
        for dll in [
            "msvcrt.dll",
            "ucrtbase.dll",
            "api-ms-win-crt-runtime-l1-1-0.dll",
            "msvcp_win.dll",
            "KERNEL32.dll",
            "vcruntime140",
        ] {
            assert!(!is_vc_runtime(dll), "{dll}");
        }
    }

    #[test]
    fn target_libc_mismatch_after_a_build() {
        let mut p = needs(elf(|e| e.gnu_stack_exec = Some(false)), &["libc.so.6"]);
        p.interpreter = Some("/lib64/ld-linux-x86-64.so.2".to_owned());
        let id = crate::analysis::FileId {
            path: "target/x86_64-unknown-linux-musl/release/hello".to_owned(),
            size: 0,
            sha256: None,
        };
        let a = crate::analysis::analyze(&id, p, crate::data::tables());
        assert_eq!(target_libc_mismatch("x86_64-unknown-linux-gnu", &a), None);
        assert_eq!(target_libc_mismatch("x86_64-pc-windows-gnu", &a), None);
        let h = target_libc_mismatch("x86_64-unknown-linux-musl", &a).expect("a mismatch");
        assert_eq!(h.code, "target-libc-mismatch");
        assert_eq!(h.severity, Severity::Error);
        assert!(
            h.message.contains("(musl) but linked against glibc"),
            "{}",
            h.message
        );
        assert_eq!(h.evidence, ["libc.so.6", "/lib64/ld-linux-x86-64.so.2"]);
    }
}
