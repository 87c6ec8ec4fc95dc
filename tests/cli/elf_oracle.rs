//! ELF agreement with binutils on every executable and shared library of this system:
//! needed libraries = `readelf -d` NEEDED (in order), interpreter = `readelf -l`,
//! imports = `nm -D --undefined-only` (name, version, weak); and the minimum glibc
//! against `objdump -T` on binaries built here.

use std::collections::BTreeSet;
use std::path::{Path, PathBuf};
use std::process::Command;
use std::sync::Mutex;

use serde_json::Value;

use crate::common::{cc, inspect_json, inspect_one, stdout, tempdir, tool, write};

const SYSTEM_DIRS: &[&str] = &["/usr/bin", "/usr/lib/x86_64-linux-gnu"];

/// What binutils says about one file.
#[derive(Debug, PartialEq)]
struct Binutils {
    needed: Vec<String>,
    interpreter: Option<String>,
    /// (name, version, weak), sorted: nm sorts by name, we keep symbol-table order.
    imports: Vec<(String, Option<String>, bool)>,
}

fn binutils(path: &Path) -> Binutils {
    let rd = stdout(Command::new(tool("readelf")).arg("-dlW").arg(path));
    let needed = rd
        .lines()
        .filter(|l| l.contains("(NEEDED)"))
        .filter_map(|l| {
            Some(
                l.split_once("Shared library: [")?
                    .1
                    .trim_end_matches(']')
                    .to_owned(),
            )
        })
        .collect();
    let interpreter = rd.lines().find_map(|l| {
        let rest = l.split_once("[Requesting program interpreter: ")?.1;
        Some(rest.trim_end_matches(']').to_owned())
    });
    let nm = stdout(
        Command::new(tool("nm"))
            .args(["-D", "--undefined-only"])
            .arg(path),
    );
    let mut imports: Vec<_> = nm
        .lines()
        .filter_map(|l| {
            let mut parts = l.split_whitespace();
            let t = parts.next()?;
            let sym = parts.next()?;
            // `w` weak function, `v` weak object: both are weak references.
            let weak = matches!(t, "w" | "v");
            let (name, ver) = match sym.split_once('@') {
                Some((n, v)) => (n.to_owned(), Some(v.trim_start_matches('@').to_owned())),
                None => (sym.to_owned(), None),
            };
            Some((name, ver, weak))
        })
        .collect();
    imports.sort();
    Binutils {
        needed,
        interpreter,
        imports,
    }
}

fn ours(a: &Value) -> Binutils {
    let mut imports: Vec<_> = a["imports"]
        .as_array()
        .unwrap()
        .iter()
        .map(|i| {
            (
                i["name"].as_str().unwrap().to_owned(),
                i["version"].as_str().map(str::to_owned),
                i["weak"].as_bool().unwrap(),
            )
        })
        .collect();
    imports.sort();
    Binutils {
        needed: crate::common::library_names(a),
        interpreter: a["interpreter"].as_str().map(str::to_owned),
        imports,
    }
}

/// Regular ELF files under the system directories (symbolic links are not followed,
/// as our directory walk does not follow them).
fn system_elf_files() -> Vec<PathBuf> {
    let mut out = Vec::new();
    for d in SYSTEM_DIRS {
        for e in walkdir::WalkDir::new(d).follow_links(false) {
            let Ok(e) = e else { continue };
            if !e.file_type().is_file() {
                continue;
            }
            let mut head = [0u8; 4];
            let is_elf = std::fs::File::open(e.path())
                .and_then(|mut f| std::io::Read::read_exact(&mut f, &mut head))
                .is_ok()
                && head == *b"\x7fELF";
            if is_elf {
                out.push(e.into_path());
            }
        }
    }
    out
}

#[test]
fn system_binaries_agree_with_readelf_and_nm() {
    let dirs: Vec<&str> = SYSTEM_DIRS.to_vec();
    // the files before the report: a package installed while the test runs (other
    // work on this machine) adds files the report cannot have seen
    let files = system_elf_files();
    let (code, report) = inspect_json(&dirs);
    assert_eq!(code, 0, "errors: {}", report["errors"]);
    let artifacts: Vec<Value> = report["artifacts"].as_array().unwrap().clone();
    let by_path: std::collections::HashMap<String, &Value> = artifacts
        .iter()
        .map(|a| (a["path"].as_str().unwrap().to_owned(), a))
        .collect();

    assert!(
        files.len() > 200,
        "expected a real system, found {} ELF files",
        files.len()
    );

    let mismatches = Mutex::new(Vec::new());
    let checked = Mutex::new(0usize);
    let next = Mutex::new(files.iter());
    std::thread::scope(|s| {
        for _ in 0..4 {
            s.spawn(|| loop {
                let Some(path) = next.lock().unwrap().next() else { break };
                if !path.exists() {
                    // removed by a package install while the test ran
                    continue;
                }
                let p = path.display().to_string();
                let Some(a) = by_path.get(&p) else {
                    // Relocatable objects (.o) are not executables or libraries: the
                    // walk skips them. Anything else must be reported.
                    let kind = stdout(Command::new(tool("readelf")).arg("-hW").arg(path));
                    if !kind.contains("REL (Relocatable file)") {
                        mismatches.lock().unwrap().push(format!("{p}: not reported"));
                    }
                    continue;
                };
                let want = binutils(path);
                let got = ours(a);
                if want != got {
                    let w: BTreeSet<_> = want.imports.iter().collect();
                    let g: BTreeSet<_> = got.imports.iter().collect();
                    mismatches.lock().unwrap().push(format!(
                        "{p}:\n  needed  binutils {:?}\n          ours     {:?}\n  interp  binutils {:?} ours {:?}\n  imports only binutils {:?}\n          only ours {:?}",
                        want.needed,
                        got.needed,
                        want.interpreter,
                        got.interpreter,
                        w.difference(&g).take(5).collect::<Vec<_>>(),
                        g.difference(&w).take(5).collect::<Vec<_>>(),
                    ));
                }
                *checked.lock().unwrap() += 1;
            });
        }
    });
    let mismatches = mismatches.into_inner().unwrap();
    assert!(
        mismatches.is_empty(),
        "{} of {} files disagree with binutils:\n{}",
        mismatches.len(),
        checked.into_inner().unwrap(),
        mismatches.join("\n")
    );
}

/// `objdump -T`: the highest GLIBC_x.y among non-weak undefined symbols, and the
/// symbols at that version.
fn objdump_min_glibc(path: &Path) -> (String, Vec<String>) {
    let out = stdout(Command::new(tool("objdump")).arg("-T").arg(path));
    let mut best: Option<(Vec<u32>, String, BTreeSet<String>)> = None;
    for line in out.lines().filter(|l| l.contains("*UND*")) {
        // 0000000000000000  w   D  *UND*  0000000000000000  Base  __gmon_start__
        // 0000000000000000      DF *UND*  0000000000000000 (GLIBC_2.34) __libc_start_main
        let flags = &line[16..line.find("*UND*").unwrap()];
        if flags.contains('w') {
            continue;
        }
        let Some(open) = line.find("(GLIBC_") else {
            continue;
        };
        let close = open + line[open..].find(')').unwrap();
        let ver = &line[open + 7..close];
        let Some(num) = ver
            .split('.')
            .map(|p| p.parse::<u32>().ok())
            .collect::<Option<Vec<u32>>>()
        else {
            continue; // GLIBC_PRIVATE
        };
        let name = line[close + 1..].trim().to_owned();
        match &mut best {
            Some((b, _, set)) if *b == num => {
                set.insert(name);
            }
            Some((b, _, _)) if *b > num => {}
            _ => best = Some((num, ver.to_owned(), BTreeSet::from([name]))),
        }
    }
    let (_, v, set) = best.expect("a GLIBC version");
    (v, set.into_iter().collect())
}

#[test]
fn minimum_glibc_equals_objdump_on_built_binaries() {
    let gcc = tool("gcc");
    let gcc = gcc.to_str().unwrap();
    let dir = tempdir();
    // Each program pulls a different newest symbol: arc4random (2.36), the 2.34
    // __libc_start_main, and memcpy@2.14 with a weak reference to a 2.x symbol.
    let sources = [
        (
            "arc4",
            "#include <stdlib.h>\n#include <stdio.h>\nint main(void){printf(\"%u\\n\", arc4random()); return 0;}\n",
        ),
        (
            "plain",
            "#include <stdio.h>\nint main(void){puts(\"hi\"); return 0;}\n",
        ),
        (
            "weak",
            "#include <string.h>\n#include <stdio.h>\n\
             extern int pthread_getattr_np() __attribute__((weak));\n\
             int main(int c, char **v){char b[64]; memcpy(b, v[0], 8); b[8]=0; puts(b);\n\
             return pthread_getattr_np ? 1 : 0;}\n",
        ),
    ];
    for (name, src) in sources {
        let c = write(dir.path(), &format!("{name}.c"), src);
        let bin = cc(&[gcc], &c, &dir.path().join(name), &["-O1"]);
        let a = inspect_one(&bin);
        let (want_v, want_syms) = objdump_min_glibc(&bin);
        let req = &a["requires"]["glibc"];
        assert_eq!(req["version"].as_str().unwrap(), want_v.as_str(), "{name}");
        let got: Vec<String> = req["forced_by"]
            .as_array()
            .unwrap()
            .iter()
            .map(|s| s.as_str().unwrap().to_owned())
            .collect();
        assert_eq!(got, want_syms, "{name}: forced_by");
    }
    // Sanity of the fixtures themselves: arc4random is glibc 2.36.
    let a = inspect_one(&dir.path().join("arc4"));
    assert_eq!(a["requires"]["glibc"]["version"], "2.36");
    assert_eq!(
        a["requires"]["glibc"]["forced_by"],
        serde_json::json!(["arc4random"])
    );
}

#[test]
fn nm_format_prints_what_nm_prints() {
    let bin = Path::new("/usr/bin/ls");
    let ours = stdout(
        crate::common::portable()
            .args(["inspect", "--format", "nm"])
            .arg(bin),
    );
    let theirs = stdout(
        Command::new(tool("nm"))
            .args(["-D", "--undefined-only"])
            .arg(bin),
    );
    // nm prints `v` for weak objects where we print `w` (the report does not keep the
    // symbol type); /usr/bin/ls has only weak functions, so the outputs are equal.
    assert_eq!(ours, theirs);
}

#[test]
fn ldd_format_lists_needed_then_interpreter() {
    let out = stdout(crate::common::portable().args(["inspect", "--format", "ldd", "/usr/bin/ls"]));
    let want = binutils(Path::new("/usr/bin/ls"));
    let mut expect = String::from("/usr/bin/ls:\n");
    for n in &want.needed {
        expect.push_str(&format!("\t{n}\n"));
    }
    expect.push_str(&format!("\t{} (interpreter)\n", want.interpreter.unwrap()));
    assert_eq!(out, expect);
}

/// An executable whose PT_INTERP segment holds `/lib/ld64.so.1` and three NULs, as the
/// s390x `libc.so.6` pads its own: linked by gcc with a longer interpreter whose last
/// bytes are then overwritten with NULs. Needs nothing but gcc.
#[test]
fn a_padded_interpreter_ends_at_its_first_nul() {
    let dir = tempdir();
    let src = write(dir.path(), "hello.c", "int main(void) { return 0; }\n");
    let exe = cc(
        &["gcc"],
        &src,
        &dir.path().join("padded"),
        &["-Wl,--dynamic-linker=/lib/ld64.so.1zz"],
    );
    let mut bytes = std::fs::read(&exe).unwrap();
    let want: &[u8] = b"/lib/ld64.so.1zz\0";
    let at = bytes
        .windows(want.len())
        .position(|w| w == want)
        .expect("the interpreter string in the file");
    bytes[at + 14..at + 16].copy_from_slice(b"\0\0");
    std::fs::write(&exe, &bytes).unwrap();
    // the oracle: readelf, which prints the segment as a C string; and its size says
    // the padding is there
    let rd = stdout(Command::new(tool("readelf")).arg("-lW").arg(&exe));
    let interp = rd
        .lines()
        .find(|l| l.trim_start().starts_with("INTERP"))
        .unwrap();
    assert_eq!(interp.split_whitespace().nth(4), Some("0x000011"), "{rd}");
    let theirs = binutils(&exe);
    assert_eq!(theirs.interpreter.as_deref(), Some("/lib/ld64.so.1"));
    let a = inspect_one(&exe);
    assert_eq!(a["interpreter"], "/lib/ld64.so.1", "{a}");
    assert_eq!(ours(&a), theirs);
}

/// Every shared object of a cross sysroot agrees with readelf and nm, and no string
/// the report holds has a NUL in it. The sysroots are the C libraries of the cross
/// gcc `setup` installs (`.ci/run` sets up those variants of the wide matrix) and
/// `libc6-s390x-cross`, which `.ci/run` installs on its own line.
fn sysroot_agrees_with_readelf_and_nm(triple: &str, package: &str, arch: &str, interpreter: &str) {
    let lib = PathBuf::from(format!("/usr/{triple}/lib"));
    assert!(
        lib.join("libc.so.6").is_file(),
        "{}/libc.so.6 is missing: apt-get install {package}",
        lib.display()
    );
    let libc = inspect_one(&lib.join("libc.so.6"));
    assert_eq!(libc["interpreter"], interpreter, "{triple}");
    assert_eq!(libc["arch"], arch, "{triple}");
    let mut files: Vec<PathBuf> = std::fs::read_dir(&lib)
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| p.is_file() && !p.is_symlink())
        .filter(|p| std::fs::read(p).is_ok_and(|b| b.starts_with(b"\x7fELF")))
        .collect();
    files.sort();
    assert!(files.len() >= 10, "{files:?}");
    let (code, report) = inspect_json(&files);
    assert_eq!(code, 0, "{triple}: {}", report["errors"]);
    let text = report.to_string();
    assert!(!text.contains("\\u0000"), "{triple}: a NUL in the report");
    for a in report["artifacts"].as_array().unwrap() {
        let path = Path::new(a["path"].as_str().unwrap());
        assert_eq!(ours(a), binutils(path), "{}", path.display());
    }
}

/// s390x: its `libc.so.6` pads PT_INTERP with two NULs.
#[test]
fn the_s390x_sysroot_agrees_with_readelf_and_nm() {
    sysroot_agrees_with_readelf_and_nm(
        "s390x-linux-gnu",
        "libc6-s390x-cross",
        "s390x",
        "/lib/ld64.so.1",
    );
}

#[test]
fn the_aarch64_sysroot_agrees_with_readelf_and_nm() {
    sysroot_agrees_with_readelf_and_nm(
        "aarch64-linux-gnu",
        "libc6-arm64-cross",
        "aarch64",
        "/lib/ld-linux-aarch64.so.1",
    );
}

#[test]
fn the_armhf_sysroot_agrees_with_readelf_and_nm() {
    sysroot_agrees_with_readelf_and_nm(
        "arm-linux-gnueabihf",
        "libc6-armhf-cross",
        "arm",
        "/lib/ld-linux-armhf.so.3",
    );
}

#[test]
fn the_ppc64le_sysroot_agrees_with_readelf_and_nm() {
    sysroot_agrees_with_readelf_and_nm(
        "powerpc64le-linux-gnu",
        "libc6-ppc64el-cross",
        "powerpc64le",
        "/lib64/ld64.so.2",
    );
}

#[test]
fn the_i686_sysroot_agrees_with_readelf_and_nm() {
    sysroot_agrees_with_readelf_and_nm(
        "i686-linux-gnu",
        "libc6-i386-cross",
        "x86",
        "/lib/ld-linux.so.2",
    );
}

#[test]
fn the_riscv64_sysroot_agrees_with_readelf_and_nm() {
    sysroot_agrees_with_readelf_and_nm(
        "riscv64-linux-gnu",
        "libc6-riscv64-cross",
        "riscv64",
        "/lib/ld-linux-riscv64-lp64d.so.1",
    );
}
