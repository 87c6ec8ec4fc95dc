//! The catalogue of hazards: for each [`HazardCode`], its severity, message and fix,
//! one function per case. Detection (when a hazard applies and its evidence) is in
//! the parent module.

use crate::model::{wire_name, Hazard, HazardCode, Libc, Severity};

fn hazard(
    code: HazardCode,
    severity: Severity,
    message: String,
    hint: &str,
    evidence: Vec<String>,
) -> Hazard {
    Hazard {
        code: code.as_str().to_owned(),
        severity,
        message,
        hint: hint.to_owned(),
        evidence,
        origin: Vec::new(),
    }
}

/// `calls`: the NSS functions found, or a note on the string found in a stripped binary.
/// `go`: a Go program (cgo linked with `-extldflags -static`), whose fix is Go's.
pub(super) fn static_glibc_nss(calls: Vec<String>, go: bool) -> Hazard {
    hazard(
        HazardCode::StaticGlibcNss,
        Severity::Error,
        format!(
            "statically linked glibc calls {}: the Name Service Switch loads the \
             same glibc version's libnss_*.so modules at run time, so this \
             \"static\" binary fails to resolve or crashes where that glibc is absent",
            calls.join(", ")
        ),
        if go {
            "build with -tags netgo,osusergo (Go's own resolver and user lookup) or \
             CGO_ENABLED=0; or link glibc dynamically (drop -extldflags -static)"
        } else {
            "build for *-linux-musl, or link glibc dynamically (drop +crt-static); \
             otherwise avoid these calls (pure-Rust resolver, numeric uids)"
        },
        calls,
    )
}

pub(super) fn static_glibc_dlopen(calls: Vec<String>) -> Hazard {
    hazard(
        HazardCode::StaticGlibcDlopen,
        Severity::Warning,
        format!(
            "statically linked glibc calls {}: it loads shared objects of the same \
             glibc version at run time (gconv modules, plugins)",
            calls.join(", ")
        ),
        "build for *-linux-musl or link glibc dynamically",
        calls,
    )
}

pub(super) fn interpreter_libc_mismatch(by_libs: Libc, interp: &str, by_interp: Libc) -> Hazard {
    hazard(
        HazardCode::InterpreterLibcMismatch,
        Severity::Error,
        format!(
            "linked against {} but asks for the loader {interp}, which belongs to {}: \
             it will not start",
            crate::model::wire_name(&by_libs),
            crate::model::wire_name(&by_interp),
        ),
        "link with the C library's own driver (musl-gcc, or the target's \
         self-contained rust-lld) instead of passing --dynamic-linker",
        vec![interp.to_owned()],
    )
}

/// `interp`: the loader asked for, or `(none)`.
pub(super) fn musl_dynamic(interp: String) -> Hazard {
    hazard(
        HazardCode::MuslDynamic,
        Severity::Error,
        format!(
            "dynamically linked against musl: needs the loader {interp} and musl's \
             libc.so, which glibc distributions (Debian, Ubuntu, RHEL) do not have"
        ),
        "keep musl static (the default, +crt-static)",
        vec![interp],
    )
}

pub(super) fn glibc_private(symbols: Vec<String>) -> Hazard {
    hazard(
        HazardCode::GlibcPrivate,
        Severity::Error,
        format!(
            "imports glibc-internal symbols ({}) that change between glibc builds",
            symbols.join(", ")
        ),
        "do not link against GLIBC_PRIVATE interfaces; rebuild against the public API",
        symbols,
    )
}

/// Why the stack is executable.
pub(super) enum ExecutableStack {
    /// ELF PT_GNU_STACK with PF_X.
    ElfRequested,
    /// ELF without PT_GNU_STACK: the loader's default is an executable stack.
    ElfNoHeader,
    /// Mach-O MH_ALLOW_STACK_EXECUTION.
    MachoAllowed,
}

pub(super) fn executable_stack(why: ExecutableStack) -> Hazard {
    let (severity, message, hint, evidence) = match why {
        ExecutableStack::ElfRequested => (
            Severity::Error,
            "PT_GNU_STACK asks for an executable stack",
            "find the object without .note.GNU-stack (often hand-written assembly) or link \
             with -z noexecstack",
            "PT_GNU_STACK RWE",
        ),
        ExecutableStack::ElfNoHeader => (
            Severity::Warning,
            "no PT_GNU_STACK header: the loader maps the stack executable",
            "link with -z noexecstack",
            "no PT_GNU_STACK",
        ),
        ExecutableStack::MachoAllowed => (
            Severity::Error,
            "MH_ALLOW_STACK_EXECUTION is set",
            "do not link with -allow_stack_execute",
            "MH_ALLOW_STACK_EXECUTION",
        ),
    };
    hazard(
        HazardCode::ExecutableStack,
        severity,
        message.to_owned(),
        hint,
        vec![evidence.to_owned()],
    )
}

pub(super) fn text_relocations() -> Hazard {
    hazard(
        HazardCode::TextRelocations,
        Severity::Warning,
        "has text relocations (DT_TEXTREL): code pages are written at load time, \
         which SELinux and hardened kernels refuse"
            .to_owned(),
        "compile every object with -fPIC",
        vec!["DT_TEXTREL".to_owned()],
    )
}

pub(super) fn no_nx() -> Hazard {
    hazard(
        HazardCode::NoNx,
        Severity::Warning,
        "NX_COMPAT is not set: data pages may be executable".to_owned(),
        "link with --nxcompat (GNU ld) or /NXCOMPAT",
        vec!["DllCharacteristics".to_owned()],
    )
}

/// `dlls`: the Visual C++ runtime DLLs the PE imports.
pub(super) fn msvc_runtime(dlls: Vec<String>) -> Hazard {
    hazard(
        HazardCode::MsvcRuntime,
        Severity::Warning,
        format!(
            "imports {}: the Visual C++ runtime, which Windows does not include; a \
             machine without the Visual C++ Redistributable refuses to start it \
             (\"{} was not found\"), while build machines and CI runners have it",
            dlls.join(", "),
            dlls[0]
        ),
        "link the C runtime statically (-C target-feature=+crt-static for \
         *-windows-msvc), or ship the Visual C++ Redistributable with the program",
        dlls,
    )
}

/// `evidence`: what starts threads (`pthread_create`).
pub(super) fn musl_malloc(evidence: Vec<String>) -> Hazard {
    hazard(
        HazardCode::MuslMalloc,
        Severity::Warning,
        format!(
            "starts threads ({}) and allocates with musl's own malloc (no jemalloc, \
             mimalloc or snmalloc in it), which serialises allocation across threads: \
             allocation-heavy concurrent work runs many times slower than with glibc",
            evidence.join(", ")
        ),
        "set a global allocator for musl targets: the mimalloc crate \
         (#[global_allocator] static GLOBAL: mimalloc::MiMalloc = mimalloc::MiMalloc;) \
         or tikv-jemallocator, under cfg(target_env = \"musl\")",
        evidence,
    )
}

pub(super) fn rpath_build_path(entries: Vec<String>) -> Hazard {
    hazard(
        HazardCode::RpathBuildPath,
        Severity::Error,
        format!(
            "library search path points at the build machine or the current directory: {}",
            entries.join(", ")
        ),
        "use $ORIGIN-relative paths (@loader_path on macOS), or none",
        entries,
    )
}

pub(super) fn library_build_path(libraries: Vec<String>) -> Hazard {
    hazard(
        HazardCode::LibraryBuildPath,
        Severity::Error,
        format!(
            "needs libraries by a path on the build machine: {}",
            libraries.join(", ")
        ),
        "link against the library by name (install_name @rpath/..., or its soname)",
        libraries,
    )
}

/// `evidence`: the needed libraries and the interpreter.
pub(super) fn target_libc_mismatch(
    target: &str,
    want: Libc,
    got: Libc,
    evidence: Vec<String>,
) -> Hazard {
    hazard(
        HazardCode::TargetLibcMismatch,
        Severity::Error,
        format!(
            "built for {target} ({}) but linked against {}: the standard library was compiled \
             for one C library and calls the other",
            wire_name(&want),
            wire_name(&got)
        ),
        "link with the target's own C library (its self-contained crt, musl-gcc), or keep \
         musl static",
        evidence,
    )
}

/// A hazard of `code` with placeholder evidence: its severity and fix as the catalogue
/// states them (for documents that list every code once, as SARIF's rules do).
pub(crate) fn example(code: HazardCode) -> Hazard {
    let some = || vec!["…".to_owned()];
    match code {
        HazardCode::StaticGlibcNss => static_glibc_nss(some(), false),
        HazardCode::StaticGlibcDlopen => static_glibc_dlopen(some()),
        HazardCode::InterpreterLibcMismatch => {
            interpreter_libc_mismatch(Libc::Musl, "…", Libc::Glibc)
        }
        HazardCode::MuslDynamic => musl_dynamic("…".to_owned()),
        HazardCode::GlibcPrivate => glibc_private(some()),
        HazardCode::ExecutableStack => executable_stack(ExecutableStack::ElfRequested),
        HazardCode::TextRelocations => text_relocations(),
        HazardCode::NoNx => no_nx(),
        HazardCode::RpathBuildPath => rpath_build_path(some()),
        HazardCode::LibraryBuildPath => library_build_path(some()),
        HazardCode::TargetLibcMismatch => {
            target_libc_mismatch("…", Libc::Musl, Libc::Glibc, some())
        }
        HazardCode::MsvcRuntime => msvc_runtime(some()),
        HazardCode::MuslMalloc => musl_malloc(some()),
    }
}
