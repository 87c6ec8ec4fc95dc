//! PE against binutils' and LLVM's readers, on x86_64 Windows executables built here:
//! a C program from `x86_64-w64-mingw32-gcc` that needs the MinGW runtime DLLs
//! (libwinpthread-1.dll, libgcc_s_seh-1.dll), a Rust program built for
//! `x86_64-pc-windows-gnu`, a C program linked by LLVM's lld with a delay-loaded DLL,
//! and a UCRT program from `zig cc -target x86_64-windows-gnu`.
//!
//! Oracles: `x86_64-w64-mingw32-objdump -p` (optional header, data directories, the
//! import tables as "DLL Name:" blocks of hint/name lines), `llvm-readobj
//! --coff-imports` for the delay-import tables (binutils 2.40's `objdump -p` does not
//! print them, only the Delay Import Directory entry), and `x86_64-w64-mingw32-ld
//! --version` for the GNU ld version the linker-version field carries.

use std::path::{Path, PathBuf};
use std::process::Command;
use std::sync::OnceLock;

use serde_json::Value;

use crate::common::zig_cc;
use crate::common::{self, inspect_one, portable, run, stdout, tool};
use crate::macho::llvm_tool;

const MINGW_GCC: &str = "x86_64-w64-mingw32-gcc";
const MINGW_OBJDUMP: &str = "x86_64-w64-mingw32-objdump";

/// Threads from libwinpthread, and the unwinder and 128-bit division from the shared
/// libgcc (`-shared-libgcc`): both runtime DLLs that MinGW programs must ship.
const THREADS_C: &str = r#"
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <unwind.h>
static _Unwind_Reason_Code step(struct _Unwind_Context *ctx, void *n) {
    (void)ctx; ++*(int *)n; return _URC_NO_REASON;
}
static void *work(void *arg) { printf("thread %s\n", (char *)arg); return arg; }
int main(int argc, char **argv) {
    pthread_t t; void *r; int frames = 0;
    if (pthread_create(&t, NULL, work, argc > 1 ? argv[1] : "x")) return 1;
    pthread_join(t, &r);
    _Unwind_Backtrace(step, &frames);
    unsigned __int128 big = (unsigned __int128)strtoull(argc > 2 ? argv[2] : "7", NULL, 10) << 70;
    printf("%s %d %llu\n", (char *)r, frames, (unsigned long long)(big / (unsigned)(argc + 2)));
    return 0;
}
"#;

/// user32 is delay-loaded: its functions are bound on first call.
const DELAY_C: &str = r#"
#include <windows.h>
#include <stdio.h>
int main(int argc, char **argv) {
    (void)argv;
    if (argc > 5) MessageBeep(MB_OK);
    printf("%d\n", GetSystemMetrics(SM_CXSCREEN));
    return 0;
}
"#;

const USER32_DEF: &str = "LIBRARY user32.dll\nEXPORTS\nMessageBeep\nGetSystemMetrics\n";

const HELLO_C: &str = r#"
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
int main(int argc, char **argv) {
    char buf[64];
    snprintf(buf, sizeof buf, "%s:%d", argv[0], argc);
    printf("%s %d\n", buf, (int)strlen(buf) + atoi(argc > 1 ? argv[1] : "2"));
    return 0;
}
"#;

use crate::fixtures::NET_PROGRAM as RUST_MAIN;

fn fixture_root() -> PathBuf {
    let d = Path::new(env!("CARGO_TARGET_TMPDIR")).join("pe-fixtures");
    std::fs::create_dir_all(&d).expect("create fixture dir");
    d
}

/// Each fixture is built once per test process, on first use.
macro_rules! once {
    ($build:expr) => {{
        static P: OnceLock<PathBuf> = OnceLock::new();
        P.get_or_init(|| $build).as_path()
    }};
}

fn c_threads() -> &'static Path {
    once!({
        let dir = fixture_root();
        let src = common::write(&dir, "threads.c", THREADS_C);
        common::cc(
            &[tool(MINGW_GCC).to_str().unwrap()],
            &src,
            &dir.join("threads.exe"),
            &["-O2", "-shared-libgcc", "-pthread"],
        )
    })
}

fn rust_exe() -> &'static Path {
    once!({
        tool(MINGW_GCC); // rustup's x86_64-pc-windows-gnu links with it
        let dir = fixture_root();
        let krate = common::new_crate(&dir, "rustfx", RUST_MAIN, None);
        let target_dir = dir.join("target");
        let target = "x86_64-pc-windows-gnu";
        run(Command::new(env!("CARGO"))
            .args(["build", "--release", "--quiet", "--target", target])
            .current_dir(&krate)
            .env("CARGO_TARGET_DIR", &target_dir)
            .env_remove("RUSTFLAGS")
            .env_remove("CARGO_BUILD_TARGET"));
        target_dir.join(target).join("release").join("rustfx.exe")
    })
}

/// Compiled by MinGW gcc, linked by lld's MinGW driver with `--delayload=user32.dll`
/// against a short-format import library from `llvm-dlltool` (lld delay-loads only
/// from those; MinGW's own libuser32.a is the long format). Linked directly, because
/// Debian's MinGW gcc always runs GNU ld, which cannot make a delay-import directory.
fn c_delay() -> &'static Path {
    once!({
        let dir = fixture_root();
        let gcc = tool(MINGW_GCC);
        let src = common::write(&dir, "delay.c", DELAY_C);
        let obj = dir.join("delay.o");
        run(Command::new(&gcc)
            .args(["-O2", "-c"])
            .arg(&src)
            .arg("-o")
            .arg(&obj));
        let def = common::write(&dir, "user32.def", USER32_DEF);
        let implib = dir.join("libuser32-short.a");
        run(Command::new(llvm_tool("llvm-dlltool"))
            .args(["-m", "i386:x86-64", "-d"])
            .arg(&def)
            .arg("-l")
            .arg(&implib));
        let print =
            |what: &str| PathBuf::from(stdout(Command::new(&gcc).arg(what)).trim().to_owned());
        let crt2 = print("-print-file-name=crt2.o");
        let libgcc = print("-print-libgcc-file-name");
        let gcc_dir = libgcc.parent().unwrap().to_path_buf();
        let exe = dir.join("delay.exe");
        let mut ld = Command::new(llvm_tool("ld.lld"));
        ld.args(["-m", "i386pep", "-Bdynamic", "-o"])
            .arg(&exe)
            .arg(&crt2)
            .arg(gcc_dir.join("crtbegin.o"))
            .arg(format!("-L{}", gcc_dir.display()))
            .arg(format!("-L{}", crt2.parent().unwrap().display()))
            .arg(&obj)
            .arg("--delayload=user32.dll")
            .arg(&implib)
            .args([
                "-ldelayimp",
                "-lmingw32",
                "-lgcc",
                "-lgcc_eh",
                "-lmoldname",
                "-lmingwex",
                "-lmsvcrt",
                "-lkernel32",
                "-lmingw32",
                "-lgcc",
                "-lmingwex",
                "-lmsvcrt",
                "-lkernel32",
            ])
            .arg(gcc_dir.join("crtend.o"));
        run(&mut ld);
        exe
    })
}

/// A DLL of our own (`fake.dll`, import library from GNU dlltool) whose `fake_fn` is
/// exported by ordinal only (NONAME), so it is imported by ordinal 7.
const ORDINAL_C: &str =
    "extern int fake_fn(void);\nextern int fake_named(void);\nint main(void) { return fake_fn() + fake_named(); }\n";
const FAKE_DEF: &str = "LIBRARY fake.dll\nEXPORTS\nfake_fn @7 NONAME\nfake_named @9\n";

fn c_ordinal() -> &'static Path {
    once!({
        let dir = fixture_root();
        let def = common::write(&dir, "fake.def", FAKE_DEF);
        let implib = dir.join("libfake.a");
        run(Command::new(tool("x86_64-w64-mingw32-dlltool"))
            .arg("-d")
            .arg(&def)
            .arg("-l")
            .arg(&implib));
        let src = common::write(&dir, "ordinal.c", ORDINAL_C);
        common::cc(
            &[tool(MINGW_GCC).to_str().unwrap()],
            &src,
            &dir.join("ordinal.exe"),
            &[implib.to_str().unwrap()],
        )
    })
}

/// A MinGW DLL that imports from `VCRUNTIME140.dll` and `MSVCP140.dll` as an MSVC
/// build does (import libraries from GNU dlltool), beside the same DLL without them.
const VCRT_C: &str = "#include <stddef.h>\n\
    extern void *__std_terminate(void);\nextern int _Thrd_id(void);\n\
    __declspec(dllexport) int api(int x) { return x ? _Thrd_id() : (__std_terminate(), 0); }\n";
const PLAIN_DLL_C: &str = "__declspec(dllexport) int api(int x) { return x + 1; }\n";

fn c_vcruntime_dlls() -> &'static (PathBuf, PathBuf) {
    static ONCE: std::sync::OnceLock<(PathBuf, PathBuf)> = std::sync::OnceLock::new();
    ONCE.get_or_init(|| {
        let dir = fixture_root();
        let mut libs = Vec::new();
        for (dll, sym) in [
            ("VCRUNTIME140.dll", "__std_terminate"),
            ("MSVCP140.dll", "_Thrd_id"),
        ] {
            let def = common::write(
                &dir,
                &format!("{dll}.def"),
                &format!("LIBRARY {dll}\nEXPORTS\n{sym}\n"),
            );
            let implib = dir.join(format!("lib{dll}.a"));
            run(Command::new(tool("x86_64-w64-mingw32-dlltool"))
                .arg("-d")
                .arg(&def)
                .arg("-l")
                .arg(&implib));
            libs.push(implib.to_str().unwrap().to_owned());
        }
        let gcc = tool(MINGW_GCC);
        let src = common::write(&dir, "vcrt.c", VCRT_C);
        let mut flags = vec!["-shared"];
        flags.extend(libs.iter().map(String::as_str));
        let with = common::cc(
            &[gcc.to_str().unwrap()],
            &src,
            &dir.join("vcrt.dll"),
            &flags,
        );
        let src = common::write(&dir, "plain-dll.c", PLAIN_DLL_C);
        let without = common::cc(
            &[gcc.to_str().unwrap()],
            &src,
            &dir.join("plain.dll"),
            &["-shared"],
        );
        (with, without)
    })
}

/// zig's MinGW target links the Universal CRT (api-ms-win-crt-*.dll).
fn c_ucrt() -> &'static Path {
    once!({
        let dir = fixture_root();
        let src = common::write(&dir, "hello.c", HELLO_C);
        let zig = zig_cc();
        let zig: Vec<&str> = zig.iter().map(String::as_str).collect();
        common::cc(
            &zig,
            &src,
            &dir.join("hello-ucrt.exe"),
            &["-target", "x86_64-windows-gnu", "-O2"],
        )
    })
}

// ---------------------------------------------------------------------------------
// oracles

#[derive(Debug, Default)]
struct ObjdumpP {
    fields: Vec<(String, String)>,
    /// (DLL, imported names in table order; ordinals as `#N`).
    imports: Vec<(String, Vec<String>)>,
    delay_directory: Option<(u64, u64)>,
}

impl ObjdumpP {
    /// A field's value without objdump's description: `020b` of `020b\t(PE32+)`.
    fn field(&self, name: &str) -> &str {
        self.field_full(name)
            .split_whitespace()
            .next()
            .unwrap_or("")
    }

    fn field_full(&self, name: &str) -> &str {
        self.fields
            .iter()
            .find(|(k, _)| k == name)
            .map(|(_, v)| v.as_str())
            .unwrap_or_else(|| panic!("objdump -p printed no {name}"))
    }
}

fn objdump_p(path: &Path) -> ObjdumpP {
    let text = stdout(Command::new(tool(MINGW_OBJDUMP)).arg("-p").arg(path));
    let mut o = ObjdumpP::default();
    let mut in_dll = false;
    for l in text.lines() {
        if let Some(dll) = l.strip_prefix("\tDLL Name: ") {
            o.imports.push((dll.trim().to_owned(), Vec::new()));
            in_dll = true;
            continue;
        }
        if l.trim().is_empty() {
            in_dll = false;
            continue;
        }
        if in_dll {
            if l.trim_start().starts_with("vma:") {
                continue;
            }
            // "\tVMA\t HINT  NAME" (or "<none>" and the ordinal for by-ordinal)
            let mut parts = l.split_whitespace();
            let (_vma, hint, name) = (parts.next(), parts.next(), parts.next());
            let (Some(hint), Some(name)) = (hint, name) else {
                panic!("unexpected import line {l:?}");
            };
            let name = if name == "<none>" {
                // by ordinal: the hint column holds the ordinal, zero-padded
                format!("#{}", hint.parse::<u32>().expect("ordinal"))
            } else {
                name.to_owned()
            };
            o.imports.last_mut().unwrap().1.push(name);
            continue;
        }
        if let Some(rest) = l.strip_prefix("Entry d ") {
            let mut p = rest.split_whitespace();
            let rva = u64::from_str_radix(p.next().unwrap(), 16).unwrap();
            let size = u64::from_str_radix(p.next().unwrap(), 16).unwrap();
            o.delay_directory = Some((rva, size));
            continue;
        }
        // optional-header fields: "Name\t\tvalue[\t(description)]"
        if !l.starts_with(['\t', ' ']) {
            if let Some((k, v)) = l.split_once('\t') {
                o.fields.push((k.trim().to_owned(), v.trim().to_owned()));
            }
        }
    }
    o
}

/// `llvm-readobj --coff-imports`: (DLL, names) of the import and delay-import tables.
#[allow(clippy::type_complexity)]
fn readobj_imports(path: &Path) -> (Vec<(String, Vec<String>)>, Vec<(String, Vec<String>)>) {
    let text = stdout(
        Command::new(llvm_tool("llvm-readobj"))
            .arg("--coff-imports")
            .arg(path),
    );
    let (mut normal, mut delay) = (Vec::new(), Vec::new());
    let mut current: Option<bool> = None; // Some(true) inside a DelayImport block
    for l in text.lines() {
        match l {
            "Import {" => current = Some(false),
            "DelayImport {" => current = Some(true),
            "}" => current = None,
            _ => {
                let Some(is_delay) = current else { continue };
                let list: &mut Vec<(String, Vec<String>)> =
                    if is_delay { &mut delay } else { &mut normal };
                let t = l.trim();
                if let Some(n) = t.strip_prefix("Name: ") {
                    if l.starts_with("  Name") {
                        list.push((n.to_owned(), Vec::new()));
                    }
                } else if let Some(s) = t.strip_prefix("Symbol: ") {
                    // "NAME (HINT)"; by ordinal: " (ORDINAL)" with no name
                    let (name, num) = s.rsplit_once(" (").expect("symbol line");
                    let num = num.trim_end_matches(')');
                    let name = if name.is_empty() {
                        format!("#{num}")
                    } else {
                        name.to_owned()
                    };
                    list.last_mut().unwrap().1.push(name);
                }
            }
        }
    }
    (normal, delay)
}

// ---------------------------------------------------------------------------------
// comparison

/// Our libraries of one load kind as (DLL, imported names), from the JSON.
fn ours_by_dll(a: &Value, load: &str) -> Vec<(String, Vec<String>)> {
    a["libraries"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|l| l["load"] == load)
        .map(|l| {
            let dll = l["name"].as_str().unwrap().to_owned();
            let names = a["imports"]
                .as_array()
                .unwrap()
                .iter()
                .filter(|i| i["library"].as_str() == Some(dll.as_str()))
                .map(|i| i["name"].as_str().unwrap().to_owned())
                .collect();
            (dll, names)
        })
        .collect()
}

fn class_of(a: &Value, dll: &str) -> String {
    a["libraries"]
        .as_array()
        .unwrap()
        .iter()
        .find(|l| l["name"] == dll)
        .unwrap_or_else(|| panic!("no library {dll}"))["class"]
        .as_str()
        .unwrap()
        .to_owned()
}

/// Everything `objdump -p` (and `llvm-readobj` for delay imports) tells about `path`
/// equals our report.
fn assert_matches_oracles(a: &Value, path: &Path) -> ObjdumpP {
    let what = path.display().to_string();
    let o = objdump_p(path);
    assert_eq!(a["format"], "pe");
    assert_eq!(a["os"], "windows");
    assert_eq!(a["arch"], "x86_64");
    assert_eq!(o.field("Magic"), "020b", "{what}: PE32+");

    // DLLs and imported functions, per DLL, in table order
    assert!(!o.imports.is_empty(), "{what}: objdump found no imports");
    assert_eq!(
        ours_by_dll(a, "needed"),
        o.imports,
        "import table of {what}"
    );
    let (normal, delay) = readobj_imports(path);
    assert_eq!(normal, o.imports, "{what}: objdump and llvm-readobj agree");
    assert_eq!(ours_by_dll(a, "delay"), delay, "delay imports of {what}");
    let (_, delay_size) = o.delay_directory.expect("Delay Import Directory entry");
    assert_eq!(
        delay_size != 0,
        !delay.is_empty(),
        "{what}: delay directory"
    );
    for i in a["imports"].as_array().unwrap() {
        assert_eq!(i["weak"], false);
        assert_eq!(i["version"], Value::Null);
    }

    // subsystem and its version
    let w = &a["requires"]["windows"];
    let subsystem = o.field_full("Subsystem");
    let want = if subsystem.ends_with("(Windows CUI)") {
        "console"
    } else if subsystem.ends_with("(Windows GUI)") {
        "gui"
    } else {
        panic!("{what}: unexpected subsystem {subsystem}")
    };
    assert_eq!(w["subsystem"], want, "{what}");
    assert_eq!(
        w["subsystem_version"],
        format!(
            "{}.{}",
            o.field("MajorSubsystemVersion"),
            o.field("MinorSubsystemVersion")
        ),
        "{what}"
    );

    // DYNAMIC_BASE and NX_COMPAT
    let dll_chars = u16::from_str_radix(o.field("DllCharacteristics"), 16).unwrap();
    assert_eq!(a["hardening"]["pie"], dll_chars & 0x40 != 0, "{what}");
    assert_eq!(a["hardening"]["nx"], dll_chars & 0x100 != 0, "{what}");
    assert_eq!(a["hardening"]["relro"], Value::Null);

    assert_eq!(
        a["linker"]["version"],
        format!(
            "{}.{}",
            o.field("MajorLinkerVersion"),
            o.field("MinorLinkerVersion")
        ),
        "{what}"
    );
    assert_eq!(a["linkage"], "dynamic");
    o
}

/// GNU ld writes the binutils version (`2.40`) as the linker version.
fn assert_gnu_ld(a: &Value) {
    let v = stdout(Command::new(tool("x86_64-w64-mingw32-ld")).arg("--version"));
    let first = v.lines().next().unwrap();
    let version = first.rsplit(' ').next().unwrap();
    let major_minor: Vec<&str> = version.split('.').take(2).collect();
    assert!(first.starts_with("GNU ld"), "{first}");
    assert_eq!(a["linker"]["name"], "gnu-ld", "{}", a["linker"]);
    assert_eq!(a["linker"]["version"], major_minor.join("."));
}

// ---------------------------------------------------------------------------------
// tests

#[test]
fn mingw_c_program_needs_runtime_dlls() {
    let path = c_threads();
    let a = inspect_one(path);
    assert_matches_oracles(&a, path);
    assert_eq!(
        common::library_names(&a),
        [
            "KERNEL32.dll",
            "msvcrt.dll",
            "libwinpthread-1.dll",
            "libgcc_s_seh-1.dll"
        ],
        "{}",
        a["libraries"]
    );
    for (dll, class) in [
        ("KERNEL32.dll", "system"),
        ("msvcrt.dll", "system"),
        ("libwinpthread-1.dll", "external"),
        ("libgcc_s_seh-1.dll", "external"),
    ] {
        assert_eq!(class_of(&a, dll), class, "{dll}");
    }
    assert_eq!(a["libc"], "msvcrt");
    assert_eq!(a["portable"], false);
    let verdict = a["verdict"].as_str().unwrap();
    assert!(
        verdict.contains("libwinpthread-1.dll") && verdict.contains("libgcc_s_seh-1.dll"),
        "{verdict}"
    );
    assert_gnu_ld(&a);
}

#[test]
fn rust_windows_gnu_program_matches_objdump() {
    let path = rust_exe();
    let a = inspect_one(path);
    assert_matches_oracles(&a, path);
    for l in a["libraries"].as_array().unwrap() {
        assert_eq!(l["class"], "system", "{l}");
    }
    let dlls: Vec<String> = common::library_names(&a)
        .iter()
        .map(|d| d.to_ascii_lowercase())
        .collect();
    for want in ["kernel32.dll", "ws2_32.dll", "msvcrt.dll"] {
        assert!(dlls.iter().any(|d| d == want), "{want} in {dlls:?}");
    }
    assert_eq!(a["libc"], "msvcrt");
    assert_eq!(a["portable"], true);
    assert_gnu_ld(&a);
    // std's locks import WaitOnAddress from the Windows 8 API set: the subsystem
    // version (5.2, XP x64) understates the real minimum, which the imports decide.
    let win = &a["requires"]["windows"];
    assert_eq!(win["subsystem_version"], "5.2", "{win}");
    assert_eq!(win["minimum"], "Windows 8", "{win}");
    let forced: Vec<&str> = win["forced_by"]
        .as_array()
        .unwrap()
        .iter()
        .map(|v| v.as_str().unwrap())
        .collect();
    assert_eq!(
        forced,
        [
            "KERNEL32.dll!GetSystemTimePreciseAsFileTime",
            "api-ms-win-core-synch-l1-2-0.dll!WaitOnAddress",
            "api-ms-win-core-synch-l1-2-0.dll!WakeByAddressAll",
            "api-ms-win-core-synch-l1-2-0.dll!WakeByAddressSingle",
        ]
    );
}

#[test]
fn delay_loaded_dll_matches_llvm_readobj() {
    let path = c_delay();
    let a = inspect_one(path);
    let o = assert_matches_oracles(&a, path);
    assert!(o.delay_directory.unwrap().1 > 0, "a delay-import directory");
    assert_eq!(
        ours_by_dll(&a, "delay"),
        [(
            "user32.dll".to_owned(),
            vec!["GetSystemMetrics".to_owned(), "MessageBeep".to_owned()]
        )]
    );
    assert_eq!(class_of(&a, "user32.dll"), "system");
    // lld writes linker version 14.0 (like MSVC 2015+) and no Rich header
    assert_eq!(a["linker"]["name"], "lld-link", "{}", a["linker"]);
    assert_eq!(a["libc"], "msvcrt");
}

/// `msvc-runtime`: a DLL importing the Visual C++ runtime needs the redistributable,
/// which a clean Windows lacks; the same DLL without those imports has no such hazard.
#[test]
fn visual_cpp_runtime_imports_are_a_hazard() {
    let (with, without) = c_vcruntime_dlls();
    let a = inspect_one(with);
    assert_matches_oracles(&a, with);
    let names = common::library_names(&a);
    assert!(names.contains(&"VCRUNTIME140.dll".to_owned()), "{names:?}");
    let h: Vec<&Value> = a["hazards"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|h| h["code"] == "msvc-runtime")
        .collect();
    assert_eq!(h.len(), 1, "{}", a["hazards"]);
    assert_eq!(h[0]["severity"], "warning");
    // the evidence is the runtime's DLLs in import-table order (objdump's, checked above)
    let runtime: Vec<&String> = names
        .iter()
        .filter(|n| ["VCRUNTIME140.dll", "MSVCP140.dll"].contains(&n.as_str()))
        .collect();
    assert_eq!(runtime.len(), 2, "{names:?}");
    assert_eq!(h[0]["evidence"], serde_json::json!(runtime));
    assert!(h[0]["hint"].as_str().unwrap().contains("+crt-static"));
    let b = inspect_one(without);
    assert_matches_oracles(&b, without);
    assert!(
        !b["hazards"]
            .as_array()
            .unwrap()
            .iter()
            .any(|h| h["code"] == "msvc-runtime"),
        "{}",
        b["hazards"]
    );
    // the Universal CRT and msvcrt.dll are Windows' own: no hazard either
    for exe in [c_ucrt(), c_threads()] {
        let c = inspect_one(exe);
        assert!(
            !c["hazards"]
                .as_array()
                .unwrap()
                .iter()
                .any(|h| h["code"] == "msvc-runtime"),
            "{}",
            c["hazards"]
        );
    }
}

#[test]
fn zig_ucrt_program_matches_objdump() {
    let path = c_ucrt();
    let a = inspect_one(path);
    assert_matches_oracles(&a, path);
    assert_eq!(a["libc"], "ucrt");
    let names = common::library_names(&a);
    assert!(
        names.iter().any(|n| n.starts_with("api-ms-win-crt-")),
        "{names:?}"
    );
    for l in a["libraries"].as_array().unwrap() {
        assert_eq!(l["class"], "system", "{l}");
    }
    assert_eq!(a["portable"], true);
}

#[test]
fn import_by_ordinal_matches_objdump() {
    let path = c_ordinal();
    let a = inspect_one(path);
    assert_matches_oracles(&a, path);
    let fake: Vec<&Value> = a["imports"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|i| i["library"] == "fake.dll")
        .collect();
    assert_eq!(fake.len(), 2, "{fake:?}");
    assert_eq!(fake[0]["name"], "#7");
    assert_eq!(fake[0]["ordinal"], 7);
    assert_eq!(fake[1]["name"], "fake_named");
    assert_eq!(fake[1]["ordinal"], Value::Null);
    assert_eq!(class_of(&a, "fake.dll"), "external");
    assert_eq!(a["portable"], false);
}

fn our_format(format: &str, path: &Path) -> String {
    let out = run(portable().args(["inspect", "--format", format]).arg(path));
    String::from_utf8(out.stdout).unwrap()
}

#[test]
fn nm_and_ldd_formats_list_the_import_tables() {
    for path in [c_threads(), c_delay(), c_ordinal()] {
        let o = objdump_p(path);
        let (_, delay) = readobj_imports(path);
        let all: Vec<&(String, Vec<String>)> = o.imports.iter().chain(&delay).collect();
        // nm: "U NAME@DLL" per import, sorted by name like nm
        let mut want: Vec<String> = all
            .iter()
            .flat_map(|(dll, names)| names.iter().map(move |n| format!("U {n}@{dll}")))
            .collect();
        want.sort();
        let mut ours: Vec<String> = our_format("nm", path)
            .lines()
            .map(|l| l.trim().to_owned())
            .collect();
        ours.sort();
        assert_eq!(ours, want, "--format nm of {}", path.display());
        // ldd: the DLLs, imports first, then delay-loaded
        let want: String = std::iter::once(format!("{}:", path.display()))
            .chain(all.iter().map(|(dll, _)| format!("\t{dll}")))
            .map(|l| l + "\n")
            .collect();
        assert_eq!(
            our_format("ldd", path),
            want,
            "--format ldd of {}",
            path.display()
        );
    }
}
