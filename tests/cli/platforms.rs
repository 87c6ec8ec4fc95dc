//! Platforms whose binaries say less than a glibc Linux one: a FreeBSD shared object
//! without its note, an Android shared object with the NDK's API-level note, a
//! loongarch64 glibc library that needs its loader. Made in the test with zig (and
//! llvm-objcopy), checked against readelf.

use std::process::Command;

use crate::common::{
    inspect_one, library_names, readelf_needed, stdout, tempdir, tool, write, zig_cc,
};

/// A C library with a thread-local variable (`__tls_get_addr`, which glibc's loader
/// exports) and a call into libc and libpthread.
const LIB_C: &str = "#include <pthread.h>\n#include <stdio.h>\n__thread int counter;\n\
                     int bump(void) { counter++; return printf(\"%d %lu\\n\", counter, (unsigned long)pthread_self()); }\n";

/// The NDK's `.note.android.ident` (bionic's crtbrand.S): name `Android`, type 1, the
/// API level, then the NDK version and build number (64 bytes each).
const ANDROID_NOTE_S: &str = "\t.section .note.android.ident,\"a\",%note\n\t.balign 4\n\
                              \t.long 2f-1f\n\t.long 4f-3f\n\t.long 1\n\
                              1:\t.asciz \"Android\"\n2:\t.balign 4\n\
                              3:\t.long 24\n\t.ascii \"r27\"\n\t.fill 61,1,0\n\t.ascii \"12297006\"\n\t.fill 56,1,0\n\
                              4:\t.balign 4\n";

fn zig(target: &str, dir: &std::path::Path, out: &str, extra: &[&str]) -> std::path::PathBuf {
    let src = write(dir, "lib.c", LIB_C);
    let out = dir.join(out);
    let cc = zig_cc();
    let mut c = Command::new(&cc[0]);
    crate::common::with_tools(&mut c)
        .args(&cc[1..])
        .args(["-target", target, "-shared", "-fPIC", "-o"])
        .arg(&out)
        .arg(&src)
        .args(extra);
    crate::common::run(&mut c);
    out
}

/// `readelf -h`'s OS/ABI line.
fn os_abi(file: &std::path::Path) -> String {
    stdout(Command::new("readelf").arg("-h").arg(file))
        .lines()
        .find(|l| l.contains("OS/ABI:"))
        .unwrap_or_default()
        .to_owned()
}

/// A FreeBSD shared object whose ABI note was removed and whose OS/ABI byte says
/// SYSV (as lld leaves it): FreeBSD's own libc and libthr still say FreeBSD, and they
/// are base-system libraries, not libraries to ship.
#[test]
fn a_freebsd_shared_object_without_its_note_is_freebsd() {
    let dir = tempdir();
    let so = zig("aarch64-freebsd", dir.path(), "libbump.so", &["-lpthread"]);
    let bare = dir.path().join("libbump-bare.so");
    crate::common::run(
        Command::new(tool("llvm-objcopy"))
            .args(["--remove-section", ".note.tag"])
            .arg(&so)
            .arg(&bare),
    );
    let mut data = std::fs::read(&bare).unwrap();
    data[7] = 0; // EI_OSABI: ELFOSABI_NONE (System V)
    std::fs::write(&bare, &data).unwrap();
    let notes = stdout(Command::new("readelf").arg("-n").arg(&bare));
    assert!(
        !notes.contains("FreeBSD"),
        "the note is still there:\n{notes}"
    );
    assert!(os_abi(&bare).contains("System V"), "{}", os_abi(&bare));
    let needed = readelf_needed(&bare);
    assert!(
        needed.iter().any(|n| n.starts_with("libc.so.7")),
        "{needed:?}"
    );
    let a = inspect_one(&bare);
    assert_eq!(a["os"], "freebsd", "{}", a["verdict"]);
    assert_eq!(a["libc"], "freebsd-libc");
    assert_eq!(library_names(&a), needed);
    assert!(
        a["libraries"]
            .as_array()
            .unwrap()
            .iter()
            .all(|l| l["class"] == "system"),
        "{}",
        a["libraries"]
    );
    assert!(a["runs_on"]["summary"]
        .as_str()
        .unwrap()
        .contains("FreeBSD"));
}

/// An Android shared object with the NDK's note: the API level it names is the
/// minimum, and `runs_on` says the Android release (readelf shows the same note).
#[test]
fn an_android_shared_object_says_its_api_level() {
    let dir = tempdir();
    let note = write(dir.path(), "note.S", ANDROID_NOTE_S);
    let so = zig(
        "aarch64-linux-musl",
        dir.path(),
        "libandroid-bump.so",
        &[note.to_str().unwrap()],
    );
    let notes = stdout(Command::new("readelf").arg("-n").arg(&so));
    assert!(notes.contains("Android"), "{notes}");
    let a = inspect_one(&so);
    assert_eq!(a["os"], "android", "{}", a["verdict"]);
    assert_eq!(
        a["requires"]["android"]["version"], "24",
        "{}",
        a["requires"]
    );
    assert_eq!(
        a["runs_on"]["summary"], "aarch64 Android 7.0 (API 24) or later",
        "{}",
        a["runs_on"]
    );
}

/// Every architecture's glibc loader is the system's: a loongarch64 library that
/// needs `ld-linux-loongarch-lp64d.so.1` (for `__tls_get_addr`) ships nothing.
#[test]
fn the_loongarch64_loader_is_a_system_library() {
    let dir = tempdir();
    let so = zig("loongarch64-linux-gnu.2.36", dir.path(), "libbump.so", &[]);
    let needed = readelf_needed(&so);
    assert!(
        needed.iter().any(|n| n == "ld-linux-loongarch-lp64d.so.1"),
        "{needed:?}"
    );
    let a = inspect_one(&so);
    assert_eq!(a["os"], "linux");
    assert_eq!(library_names(&a), needed);
    assert!(
        a["libraries"]
            .as_array()
            .unwrap()
            .iter()
            .all(|l| l["class"] == "system"),
        "{}",
        a["libraries"]
    );
}
