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

/// Whether a defined symbol is one the analysis needs.
pub fn of_interest(name: &str) -> bool {
    [
        NSS_FUNCTIONS,
        DLOPEN_FUNCTIONS,
        GLIBC_STATIC_MARKS,
        MUSL_STATIC_MARKS,
    ]
    .iter()
    .any(|set| set.contains(&name))
}
