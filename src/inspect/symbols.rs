//! Symbol names the analysis looks for in binaries that link their C library in.
//! The ELF parser keeps exactly these from the symbol table of a static binary.

/// glibc functions that go through the Name Service Switch, which `dlopen`s
/// `libnss_*.so` modules of the *same* glibc version at run time, even in a static
/// binary.
pub const NSS_FUNCTIONS: &[&str] = &[
    "getaddrinfo",
    "gethostbyname",
    "gethostbyname2",
    "gethostbyname_r",
    "gethostbyname2_r",
    "gethostbyaddr",
    "gethostbyaddr_r",
    "getnameinfo",
    "getpwnam",
    "getpwnam_r",
    "getpwuid",
    "getpwuid_r",
    "getpwent",
    "getgrnam",
    "getgrnam_r",
    "getgrgid",
    "getgrgid_r",
    "getgrouplist",
    "initgroups",
    "getservbyname",
    "getservbyname_r",
    "getservbyport",
    "getprotobyname",
    "getspnam",
];

/// Functions that load shared objects at run time (gconv modules, plugins).
pub const DLOPEN_FUNCTIONS: &[&str] = &["dlopen", "__libc_dlopen_mode", "iconv_open"];

/// Symbols only glibc's static startup code defines.
pub const GLIBC_STATIC_MARKS: &[&str] = &[
    "__libc_setup_tls",
    "_dl_relocate_static_pie",
    "_IO_stdin_used",
    "__libc_start_call_main",
];

/// Symbols only musl defines.
pub const MUSL_STATIC_MARKS: &[&str] = &["__init_libc", "__libc_start_init", "__dls2"];

/// Functions that start a thread.
pub const THREAD_FUNCTIONS: &[&str] = &["pthread_create"];

/// What a stripped program that starts threads still carries as strings, (the bytes,
/// whose they are): Rust's `std::thread::spawn` panics with "failed to spawn thread"
/// (library/std/src/thread); tokio starts its threads through `std::thread::Builder`,
/// which has no such message, and its blocking pool, which every runtime has, panics
/// with "OS can't spawn worker thread: " (tokio/src/runtime/blocking/pool.rs, tokio 1.x).
/// Its thread name "tokio-rt-worker" is no sign: the compiler builds it from immediates.
pub const THREAD_STRINGS: &[(&[u8], &str)] = &[
    (b"failed to spawn thread", "Rust's std::thread::spawn"),
    (b"OS can't spawn worker thread", "tokio's thread pool"),
];

/// What a replacement allocator leaves in a binary, as symbols or as strings (which
/// survive stripping): (the bytes, the allocator). jemalloc's `je_` prefix and
/// tikv-jemallocator's `_rjem_`, its `<jemalloc>:` messages; mimalloc's `mi_malloc` and
/// its name in its option messages; snmalloc's namespace in every symbol.
pub const ALLOCATOR_MARKS: &[(&[u8], &str)] = &[
    (b"_rjem_", "jemalloc"),
    (b"je_malloc", "jemalloc"),
    (b"<jemalloc>", "jemalloc"),
    (b"mi_malloc", "mimalloc"),
    (b"mimalloc", "mimalloc"),
    (b"snmalloc", "snmalloc"),
];

/// The first allocator mark in `data`, as `mimalloc (mi_malloc)`.
pub fn allocator_mark(data: &[u8]) -> Option<String> {
    ALLOCATOR_MARKS.iter().find_map(|(mark, name)| {
        memchr::memmem::find(data, mark)
            .map(|_| format!("{name} ({})", String::from_utf8_lossy(mark)))
    })
}

/// Whether a defined symbol is one the analysis needs.
pub fn of_interest(name: &str) -> bool {
    [
        NSS_FUNCTIONS,
        DLOPEN_FUNCTIONS,
        GLIBC_STATIC_MARKS,
        MUSL_STATIC_MARKS,
        THREAD_FUNCTIONS,
    ]
    .iter()
    .any(|set| set.contains(&name))
}
