//! Platforms whose binaries say less than a glibc Linux one: a FreeBSD shared object
//! without its note, an Android shared object with the NDK's API-level note, an
//! OpenHarmony one with its musl's `.note.ohos.ident`, a loongarch64 glibc library
//! that needs its loader. Made in the test with zig (and
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

/// OpenHarmony's `.note.ohos.ident`, laid out as its musl's `arch/generic/crtbrand.s`
/// lays it out (openharmony/third_party_musl; every OpenHarmony crti.o includes it):
/// name `OHOS`, type 1, then the descriptor, one word `ohos_api` that is 1 in every
/// version of that file, aligned to 8 since 2024-09 (commit 3fd8fa64b, "8-byte
/// alignment"). The alignment sits between the name's and the descriptor's labels, so
/// namesz counts the padding (12: `OHOS` and seven NULs), the word is at offset 24 and
/// the section is 28 bytes: llvm-readelf reads it, GNU readelf 2.40 rejects it ("note
/// with invalid namesz and/or descsz": the descriptor is not padded to 8).
const OHOS_NOTE_S: &str = "\t.section .note.ohos.ident,\"a\",%note\n\t.balign 8\n\
                           \t.long 2f-1f\n\t.long 3f-2f\n\t.long 1\n\
                           1:\t.asciz \"OHOS\"\n\t.balign 8\n\
                           2:\t.long 1\n3:\n";

/// The same note as the 2022-2023 crtbrand.s wrote it (still in that repository's
/// `porting/linux/user/arch/generic/crtbrand.s`): type 0 and the word right after the
/// name, unaligned; readers take the name, nothing else.
const OHOS_NOTE_2022_S: &str = "\t.section .note.ohos.ident,\"a\",%note\n\t.balign 4\n\
                                \t.long 2f-1f\n\t.long 3f-2f\n\t.long 4f-3f\n\
                                1:\t.asciz \"OHOS\"\n2:\t.long 1\n3:\n4:\n\t.balign 4\n";

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

/// An `aarch64-unknown-linux-ohos` library (musl-based) with OpenHarmony's note, in the
/// layout of today's crtbrand.s and of the 2022 one: OpenHarmony, never "Alpine and
/// other musl distributions" nor Linux; its `libc.so` is the system's. llvm-readelf
/// shows the note, its owner `OHOS` printed with the NULs namesz counts (OpenHarmony's
/// toolchain is LLVM's; GNU readelf rejects today's layout, see [`OHOS_NOTE_S`]).
#[test]
fn an_openharmony_shared_object_is_openharmony_not_alpine() {
    let dir = tempdir();
    for (name, note_s) in [("now", OHOS_NOTE_S), ("2022", OHOS_NOTE_2022_S)] {
        let note = write(dir.path(), &format!("ohos-{name}.S"), note_s);
        let so = zig(
            "aarch64-linux-musl",
            dir.path(),
            &format!("libohos-{name}.so"),
            &[note.to_str().unwrap()],
        );
        let notes = stdout(Command::new(tool("llvm-readelf")).arg("-n").arg(&so));
        assert!(
            notes.lines().any(|l| l.trim_start().starts_with("OHOS")),
            "{name}: {notes}"
        );
        let needed = readelf_needed(&so);
        let a = inspect_one(&so);
        assert_eq!(a["os"], "openharmony", "{name}: {}", a["verdict"]);
        assert_eq!(a["libc"], "musl", "{name}");
        assert_eq!(library_names(&a), needed, "{name}");
        assert!(
            a["libraries"]
                .as_array()
                .unwrap()
                .iter()
                .all(|l| l["class"] == "system"),
            "{name}: {}",
            a["libraries"]
        );
        let summary = a["runs_on"]["summary"].as_str().unwrap();
        assert_eq!(summary, "aarch64 OpenHarmony", "{name}: {}", a["runs_on"]);
        assert!(!summary.contains("Alpine") && !summary.contains("Linux"));
    }
    // without the note, the same library is a musl Linux one
    let plain = zig("aarch64-linux-musl", dir.path(), "libplain.so", &[]);
    let a = inspect_one(&plain);
    assert_eq!(a["os"], "linux");
    assert!(a["runs_on"]["summary"].as_str().unwrap().contains("Alpine"));
}

/// The `//go:cgo_import_dynamic LOCAL REMOTE "LIB/MEMBER"` lines of Go's own AIX
/// sources (every `*aix*.go` file of GOROOT/src but tests: runtime/os2_aix.go,
/// runtime/syscall_aix.go, syscall/zsyscall_aix_ppc64.go, ...): which library each
/// symbol a Go AIX program may import comes from, as `(symbol, "libc.a(shr_64.o)")`.
fn go_aix_imports() -> Vec<(String, String)> {
    let root = stdout(Command::new(tool("go")).args(["env", "GOROOT"]));
    let src = std::path::Path::new(root.trim()).join("src");
    let mut out = Vec::new();
    for entry in walkdir::WalkDir::new(&src)
        .into_iter()
        .filter_map(Result::ok)
    {
        let name = entry.file_name().to_string_lossy();
        if !(name.contains("aix") && name.ends_with(".go") && !name.ends_with("_test.go")) {
            continue;
        }
        let text = std::fs::read_to_string(entry.path()).unwrap_or_default();
        for line in text.lines() {
            let Some(rest) = line.strip_prefix("//go:cgo_import_dynamic ") else {
                continue;
            };
            let words: Vec<&str> = rest.split_whitespace().collect();
            if let [_, remote, lib] = words[..] {
                let lib = lib.trim_matches('"');
                if let Some((archive, member)) = lib.split_once('/') {
                    out.push((remote.to_owned(), format!("{archive}({member})")));
                }
            }
        }
    }
    assert!(
        !out.is_empty(),
        "no cgo_import_dynamic line under {}",
        src.display()
    );
    out
}

/// A Go `GOOS=aix GOARCH=ppc64` executable (XCOFF, magic 0x01f7), built with
/// `CGO_ENABLED=0`. `file` and `llvm-readobj --file-headers --sections` say what it
/// is; `llvm-readobj --needed-libs` (llvm 14 lists the loader section's import files
/// as BASE and MEMBER, but not its symbols) gives the libraries. The imported symbols
/// are checked against Go's own sources: each is a `//go:cgo_import_dynamic` of its
/// AIX files with the same library, and its name is in the file
/// (`strings`).
#[test]
fn an_aix_go_executable_is_xcoff_with_its_import_files() {
    let dir = tempdir();
    write(
        dir.path(),
        "main.go",
        "package main\n\nimport \"fmt\"\n\nfunc main() { fmt.Println(\"hello\") }\n",
    );
    write(dir.path(), "go.mod", "module example.com/aix\n\ngo 1.19\n");
    let exe = dir.path().join("hello-aix");
    crate::common::run(
        Command::new(tool("go"))
            .args(["build", "-o"])
            .arg(&exe)
            .current_dir(dir.path())
            .env("GOOS", "aix")
            .env("GOARCH", "ppc64")
            .env("CGO_ENABLED", "0")
            .env(
                "GOCACHE",
                cargo_portable::toolchain::cache_dir().join("go-build"),
            )
            .env("GOPROXY", "off")
            .env("GOTOOLCHAIN", "local"),
    );
    let file = stdout(Command::new("file").arg(&exe));
    assert!(file.contains("64-bit XCOFF executable"), "{file}");
    let headers = stdout(
        Command::new(tool("llvm-readobj"))
            .args(["--file-headers", "--sections"])
            .arg(&exe),
    );
    for line in [
        "Format: aix5coff64-rs6000",
        "Arch: powerpc64",
        "Magic: 0x1F7",
        "Type: STYP_LOADER (0x1000)",
    ] {
        assert!(headers.contains(line), "no {line:?} in:\n{headers}");
    }
    // BASE and MEMBER columns after the header line, up to the closing `]`
    let needed = stdout(
        Command::new(tool("llvm-readobj"))
            .arg("--needed-libs")
            .arg(&exe),
    );
    let readobj_libs: Vec<String> = needed
        .lines()
        .skip_while(|l| !l.contains("BASE"))
        .skip(1)
        .take_while(|l| l.trim() != "]")
        .filter_map(|l| match l.split_whitespace().collect::<Vec<_>>()[..] {
            [base, member] => Some(format!("{base}({member})")),
            [base] => Some(base.to_owned()),
            _ => None,
        })
        .collect();
    assert!(!readobj_libs.is_empty(), "{needed}");

    let a = inspect_one(&exe);
    assert_eq!(a["format"], "xcoff");
    assert_eq!(a["os"], "aix");
    assert_eq!(a["arch"], "powerpc64");
    assert_eq!(a["bits"], 64);
    assert_eq!(a["endian"], "big");
    assert_eq!(a["kind"], "executable");
    assert_eq!(a["linkage"], "dynamic");
    assert_eq!(a["libc"], "aix-libc");
    assert_eq!(a["linker"]["name"], "go", "{}", a["linker"]);
    assert!(
        a["go"]["settings"]
            .as_array()
            .unwrap()
            .iter()
            .any(|s| s["key"] == "GOOS" && s["value"] == "aix"),
        "{}",
        a["go"]
    );
    assert_eq!(library_names(&a), readobj_libs);
    assert!(
        a["libraries"]
            .as_array()
            .unwrap()
            .iter()
            .all(|l| l["class"] == "system"),
        "{}",
        a["libraries"]
    );
    assert_eq!(a["portable"], true, "{}", a["verdict"]);
    assert_eq!(a["runs_on"]["summary"], "powerpc64 AIX", "{}", a["runs_on"]);

    let declared = go_aix_imports();
    let strings = stdout(Command::new("strings").arg("-a").arg(&exe));
    let strings: std::collections::HashSet<&str> = strings.lines().collect();
    let imports = a["imports"].as_array().unwrap();
    assert!(imports.len() > 10, "{imports:?}");
    for i in imports {
        let (name, lib) = (i["name"].as_str().unwrap(), i["library"].as_str().unwrap());
        assert!(
            declared.iter().any(|(s, l)| s == name && l == lib),
            "{name} from {lib} is not a cgo_import_dynamic of Go's AIX sources"
        );
        assert!(
            strings.contains(name),
            "{name} is not among the file's strings"
        );
    }
    // the whole report is what docs/report.schema.json says (format xcoff, aix-libc)
    let (_, report) = crate::common::inspect_json(&[&exe]);
    let schema = crate::schema::schema();
    let validator = jsonschema::draft202012::new(&schema).unwrap();
    let errors: Vec<String> = validator
        .iter_errors(&report)
        .map(|e| format!("{e} at {}", e.instance_path()))
        .collect();
    assert!(errors.is_empty(), "{}", errors.join("\n"));
    // libpthread is named by its imports, not just listed
    assert!(imports
        .iter()
        .any(|i| i["library"] == "libpthread.a(shr_xpg5_64.o)"));
}
