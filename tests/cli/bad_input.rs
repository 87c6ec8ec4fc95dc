//! Bad input is data, never a crash (docs/contract.md#bad-input-is-data): an empty file, random bytes,
//! truncated ELF/Mach-O/PE files cut at hundreds of points, text, a missing path, a
//! directory without binaries. Each bad file is exactly one error entry naming the file
//! and the problem; every good file in the same call is still reported; the exit code
//! is 2; nothing panics (the panic hook's "panicked" never reaches stderr, and no entry
//! is the "internal error" that a caught panic becomes). Inputs the fuzzer
//! (`fuzz/run.sh`) found are kept here as regression tests.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::process::Output;

use serde_json::Value;

use crate::common::{self, portable};
use crate::schema::build_fixtures;

/// A deterministic byte stream (xorshift64*), so failures reproduce.
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 ^= self.0 >> 12;
        self.0 ^= self.0 << 25;
        self.0 ^= self.0 >> 27;
        self.0.wrapping_mul(0x2545_f491_4f6c_dd1d)
    }
    fn bytes(&mut self, n: usize) -> Vec<u8> {
        (0..n).map(|_| self.next() as u8).collect()
    }
}

fn inspect(format: &str, paths: &[PathBuf]) -> Output {
    portable()
        .args(["inspect", "--format", format])
        .args(paths)
        .output()
        .expect("run cargo-portable")
}

fn assert_no_panic(what: &str, out: &Output) {
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(
        !stderr.contains("panicked"),
        "{what}: a panic (caught or not):\n{stderr}"
    );
    assert!(
        out.status.code().is_some(),
        "{what}: killed by a signal: {:?}\n{stderr}",
        out.status
    );
}

/// What a JSON report says about each path: artifacts and error messages.
#[derive(Default, Debug)]
struct Entries {
    artifacts: usize,
    errors: Vec<String>,
}

fn by_path(report: &Value) -> BTreeMap<String, Entries> {
    let mut m: BTreeMap<String, Entries> = BTreeMap::new();
    for a in report["artifacts"].as_array().expect("artifacts") {
        m.entry(a["path"].as_str().unwrap().to_owned())
            .or_default()
            .artifacts += 1;
    }
    for e in report["errors"].as_array().expect("errors") {
        let error = e["error"].as_str().unwrap().to_owned();
        assert!(!error.is_empty(), "an empty error message: {e}");
        assert!(
            !error.contains("internal error"),
            "a caught panic: {e} (minimize the file and fix the cause)"
        );
        m.entry(e["path"].as_str().unwrap().to_owned())
            .or_default()
            .errors
            .push(error);
    }
    m
}

/// `inspect --format json` on `paths`; asserts no panic, exit code `code`, and that
/// every path has exactly one outcome: artifacts, or one error entry. Returns them.
fn inspect_each(what: &str, paths: &[PathBuf], code: i32) -> BTreeMap<String, Entries> {
    let out = inspect("json", paths);
    assert_no_panic(what, &out);
    let report: Value = serde_json::from_slice(&out.stdout).unwrap_or_else(|e| {
        panic!(
            "{what}: output is not JSON ({e}); stderr: {}",
            String::from_utf8_lossy(&out.stderr)
        )
    });
    assert_eq!(out.status.code(), Some(code), "{what}: exit code");
    let m = by_path(&report);
    for p in paths {
        let key = p.display().to_string();
        // a directory is reported through the files in it; it has an entry of its
        // own only when nothing in it is a binary, good or bad
        let within = |k: &String| Path::new(k).starts_with(p) && Path::new(k) != p.as_path();
        if p.is_dir() && !m.contains_key(&key) && m.keys().any(within) {
            continue;
        }
        let e = m
            .get(&key)
            .unwrap_or_else(|| panic!("{what}: no entry for {key}"));
        assert!(
            (e.artifacts > 0) != (e.errors.len() == 1) && e.errors.len() <= 1,
            "{what}: {key} must be artifacts or one error entry, got {e:?}"
        );
    }
    for key in m.keys() {
        let ours = paths
            .iter()
            .any(|p| Path::new(key) == p || (p.is_dir() && Path::new(key).starts_with(p)));
        assert!(ours, "{what}: an entry for {key}, which was not asked for");
    }
    m
}

fn error_of<'a>(m: &'a BTreeMap<String, Entries>, p: &Path) -> &'a str {
    let e = &m[&p.display().to_string()];
    assert_eq!(
        e.artifacts,
        0,
        "{} was reported as an artifact",
        p.display()
    );
    &e.errors[0]
}

/// Bad files of every kind, mixed with good ones, in one call.
#[test]
fn each_bad_file_is_one_error_entry_and_good_files_are_still_reported() {
    let fx = build_fixtures();
    let d = fx.dir.path();
    let mut rng = Rng(0x5eed_0fba_5eed);
    let empty = common::write(d, "empty", "");
    let text = common::write(d, "README.txt", "This is not a binary.\n");
    let script = common::write(d, "script.sh", "#!/bin/sh\necho hi\n");
    let missing = d.join("no-such-file");
    let empty_dir = d.join("empty-dir");
    std::fs::create_dir(&empty_dir).unwrap();
    let text_dir = d.join("text-dir");
    std::fs::create_dir(&text_dir).unwrap();
    common::write(&text_dir, "a.txt", "a\n");
    common::write(&text_dir, "b.json", "{}\n");
    // A directory with a binary that claims to be one (ELF magic) but is cut short:
    // found by a walk, it is an error entry too.
    let broken_dir = d.join("broken-dir");
    std::fs::create_dir(&broken_dir).unwrap();
    let ls = std::fs::read("/usr/bin/ls").unwrap();
    let broken_ls = broken_dir.join("ls-cut");
    std::fs::write(&broken_ls, &ls[..200]).unwrap();
    common::write(&broken_dir, "notes.txt", "x\n");

    let mut random = Vec::new();
    for (i, n) in [1usize, 3, 4, 7, 64, 4096, 65536].into_iter().enumerate() {
        let p = d.join(format!("random-{i}-{n}"));
        std::fs::write(&p, rng.bytes(n)).unwrap();
        random.push(p);
    }
    // Random bytes behind each format's magic reach the parsers themselves.
    let magics: [&[u8]; 7] = [
        b"\x7fELF\x02\x01\x01",
        b"\x7fELF\x01\x02\x01",
        b"\xcf\xfa\xed\xfe",
        b"\xfe\xed\xfa\xce",
        b"\xca\xfe\xba\xbe\x00\x00\x00\x02",
        b"MZ",
        b"MZ\x90\x00\x03\x00\x00\x00\x04\x00\x00\x00\xff\xff",
    ];
    let mut magic_random = Vec::new();
    for (i, magic) in magics.iter().enumerate() {
        for n in [0usize, 8, 100, 1000, 5000] {
            let p = d.join(format!("magic-{i}-random-{n}"));
            let mut bytes = magic.to_vec();
            bytes.extend(rng.bytes(n));
            std::fs::write(&p, bytes).unwrap();
            magic_random.push(p);
        }
    }

    let good = vec![
        PathBuf::from("/usr/bin/ls"),
        fx.elf_static.clone(),
        fx.pe.clone(),
        fx.macho_fat.clone(),
    ];
    let mut all = vec![
        good[0].clone(),
        empty.clone(),
        text.clone(),
        missing.clone(),
    ];
    all.extend([good[1].clone(), script.clone(), empty_dir.clone()]);
    all.extend(random.iter().cloned());
    all.push(good[2].clone());
    all.extend(magic_random.iter().cloned());
    all.extend([text_dir.clone(), broken_dir.clone(), good[3].clone()]);

    let m = inspect_each("mixed", &all, 2);
    for g in &good {
        let e = &m[&g.display().to_string()];
        assert!(
            e.artifacts > 0 && e.errors.is_empty(),
            "{}: {e:?}",
            g.display()
        );
    }
    assert_eq!(m[&fx.macho_fat.display().to_string()].artifacts, 2);

    assert_eq!(error_of(&m, &empty), "empty file");
    for p in [&text, &script] {
        let e = error_of(&m, p);
        assert!(e.contains("not an object file"), "{}: {e}", p.display());
    }
    assert!(
        error_of(&m, &script).contains("\"#!/b\" (text?)"),
        "shows the magic"
    );
    let e = error_of(&m, &missing);
    assert!(e.contains("No such file"), "{e}");
    for dir in [&empty_dir, &text_dir] {
        let e = error_of(&m, dir);
        assert!(e.contains("no executables"), "{}: {e}", dir.display());
    }
    // The walked directory: the cut binary is an error, the text file is skipped.
    let e = error_of(&m, &broken_ls);
    assert!(e.starts_with("malformed ELF"), "{e}");
    for p in random.iter().chain(&magic_random) {
        // a random file may by chance look like an object; it must still be one
        // outcome, which inspect_each checked; most are errors naming the problem
        if let Some(err) = m[&p.display().to_string()].errors.first() {
            let known = [
                "not an object file",
                "malformed",
                "unsupported",
                "empty file",
            ];
            assert!(
                known.iter().any(|k| err.contains(k)),
                "{}: {err}",
                p.display()
            );
        }
    }
    for p in &magic_random[..5] {
        assert!(error_of(&m, p).starts_with("malformed ELF"));
    }

    // The other formats: exit 2, each bad file named on stdout or stderr, no panic.
    for format in ["human", "nm", "ldd"] {
        let out = inspect(format, &all);
        let what = format!("--format {format}");
        assert_no_panic(&what, &out);
        assert_eq!(out.status.code(), Some(2), "{what}: exit code");
        let text = String::from_utf8_lossy(&out.stdout).into_owned()
            + &String::from_utf8_lossy(&out.stderr);
        for p in [&empty, &text_dir, &missing, &broken_ls] {
            let name = p.display().to_string();
            assert!(
                text.lines()
                    .any(|l| l.starts_with("error: ") && l.contains(&name)),
                "{what}: {name} not reported:\n{text}"
            );
        }
        assert!(text.contains("empty file"), "{what}: the problem is named");
        // human shows the errors in its report; the others have no room for them
        let stderr = String::from_utf8_lossy(&out.stderr);
        assert_eq!(
            stderr.contains("error: "),
            format != "human",
            "{what}: errors on stderr"
        );
    }
}

/// Offsets to cut a file of `len` bytes at: every 8 bytes through the headers, every
/// 64 through the first 8 KiB, then 60 points spread over the rest, and the last bytes.
fn cut_points(len: usize) -> Vec<usize> {
    let mut cuts: Vec<usize> = (1..512).step_by(8).collect();
    cuts.extend((512..8192).step_by(64));
    if len > 8192 {
        let step = (len - 8192) / 60;
        cuts.extend((0..60).map(|i| 8192 + i * step.max(1)));
    }
    cuts.extend([len.saturating_sub(16), len.saturating_sub(1)]);
    cuts.retain(|&c| c > 0 && c < len);
    cuts.sort_unstable();
    cuts.dedup();
    cuts
}

/// Truncated copies of real binaries, one call per original: never a crash, never a
/// missing entry, and every cut is an error naming the format (the parsers check that
/// each segment, section and table the headers describe lies within the file).
#[test]
fn truncated_binaries_are_reported_or_rejected_never_a_crash() {
    let fx = build_fixtures();
    let d = fx.dir.path();
    let originals: Vec<(&str, PathBuf, &str)> = vec![
        ("ls", PathBuf::from("/usr/bin/ls"), "ELF"),
        ("static", fx.elf_static.clone(), "ELF"),
        ("static-pie", fx.elf_static_pie.clone(), "ELF"),
        ("pe", fx.pe.clone(), "PE"),
        ("macho", fx.macho.clone(), "Mach-O"),
        ("macho-arm", fx.macho_arm.clone(), "Mach-O"),
        ("universal", fx.macho_fat.clone(), "Mach-O"),
    ];
    let mut total = 0;
    let mut parsed = 0;
    for (name, original, format) in &originals {
        let bytes = std::fs::read(original).unwrap();
        let dir = d.join(format!("cut-{name}"));
        std::fs::create_dir(&dir).unwrap();
        let cuts = cut_points(bytes.len());
        assert!(cuts.len() >= 100, "{name}: only {} cut points", cuts.len());
        let paths: Vec<PathBuf> = cuts
            .iter()
            .map(|&c| {
                let p = dir.join(format!("{name}.{c:07}"));
                std::fs::write(&p, &bytes[..c]).unwrap();
                p
            })
            .collect();
        // The original last: still reported after hundreds of bad files.
        let mut args = paths.clone();
        args.push(original.clone());
        let m = inspect_each(&format!("truncated {name}"), &args, 2);
        assert!(m[&original.display().to_string()].artifacts > 0);
        for (c, p) in cuts.iter().zip(&paths) {
            let e = &m[&p.display().to_string()];
            if e.artifacts > 0 {
                parsed += 1;
                eprintln!("{name} cut at {c} of {} still parses", bytes.len());
                continue;
            }
            let err = &e.errors[0];
            // Mach-O and PE headers start with 4 and 2 magic bytes; a shorter cut is
            // not recognised as an object at all.
            let named = err.contains(format) || (*c < 4 && err.contains("not an object"));
            assert!(named, "{name} cut at {c}: {err}");
        }
        total += cuts.len();
    }
    assert!(total > 700, "{total} truncated files");
    assert_eq!(
        parsed, 0,
        "{parsed} of {total} truncated files were reported as complete"
    );
}

fn unhex(s: &str) -> Vec<u8> {
    let s: String = s.split_whitespace().collect();
    (0..s.len())
        .step_by(2)
        .map(|i| u8::from_str_radix(&s[i..i + 2], 16).unwrap())
        .collect()
}

/// Found by `fuzz/run.sh` (1.7 M executions in): goblin 0.10 computes the `LC_MAIN`
/// entry address as `__TEXT.vmaddr - __TEXT.fileoff + entryoff` unchecked, and panics
/// on overflow in debug builds. Reduced by hand to a 128-byte x86_64 Mach-O: header,
/// `LC_SEGMENT_64 __TEXT` (vmaddr, fileoff) and `LC_MAIN` (entryoff).
#[test]
fn fuzz_regression_lc_main_entry_overflow() {
    let header = "cffaedfe 07000001 03000000 02000000 02000000 60000000 85002000 00000000";
    let segment = |vmaddr: &str, fileoff: &str| {
        format!(
            "19000000 48000000 5f5f5445 58540000 00000000 00000000 {vmaddr} 00100000 \
             00000000 {fileoff} 00000000 00000000 05000000 05000000 00000000 00000000"
        )
    };
    let main = |entryoff: &str| format!("28000080 18000000 {entryoff} 0000000000000000");
    let d = common::tempdir();
    let overflow = unhex(&format!(
        "{header} {} {}",
        segment("0000000001000000", "0000000000000000"),
        main("f0ffffffffffffff")
    ));
    let underflow = unhex(&format!(
        "{header} {} {}",
        segment("0000000000000000", "0020000000000000"),
        main("0000000000000000")
    ));
    assert_eq!(overflow.len(), 128);
    let files = [
        ("lc-main-overflow", overflow.clone()),
        ("lc-main-underflow", underflow),
        (
            "lc-main-overflow-universal",
            crate::schema::universal(&[(0x0100_0007, 3, &overflow)]),
        ),
    ];
    let mut paths = Vec::new();
    for (name, bytes) in &files {
        let p = d.path().join(name);
        std::fs::write(&p, bytes).unwrap();
        paths.push(p);
    }
    paths.push(PathBuf::from("/usr/bin/ls"));
    let m = inspect_each("LC_MAIN overflow", &paths, 2);
    for p in &paths[..3] {
        let e = error_of(&m, p);
        assert!(
            e.contains("Mach-O") && e.contains("LC_MAIN entry offset"),
            "{e}"
        );
    }
    assert!(m["/usr/bin/ls"].artifacts == 1);
}

/// A `.dep-v0` section that is not cargo-auditable's zlib JSON (added with objcopy):
/// one error entry naming the section, exit 2; one whose JSON is wrong too; the good
/// binary beside them is still reported, with no crates.
#[test]
fn a_broken_cargo_auditable_section_is_an_error_naming_it() {
    let dir = common::tempdir();
    let src = common::write(dir.path(), "hello.c", "int main(void) { return 0; }\n");
    let good = common::cc(&["gcc"], &src, &dir.path().join("good"), &[]);
    let add = |name: &str, content: &[u8]| {
        let data = common::write(dir.path(), &format!("{name}.section"), "");
        std::fs::write(&data, content).unwrap();
        let out = dir.path().join(name);
        common::run(
            std::process::Command::new(common::tool("objcopy"))
                .arg("--add-section")
                .arg(format!(".dep-v0={}", data.display()))
                .arg(&good)
                .arg(&out),
        );
        out
    };
    let garbage = add("garbage", b"this is not zlib");
    // zlib (no compression, stored block) of `{"packages":3}`, by hand: header 78 01,
    // a final stored block of 14 bytes, the Adler-32
    let json = b"{\"packages\":3}";
    let mut z = vec![0x78, 0x01, 0x01, 14, 0, !14u8, 0xff];
    z.extend_from_slice(json);
    let (mut a, mut b) = (1u32, 0u32);
    for &c in json {
        a = (a + u32::from(c)) % 65521;
        b = (b + a) % 65521;
    }
    z.extend_from_slice(&((b << 16) | a).to_be_bytes());
    let bad_json = add("bad-json", &z);
    let paths = [good.clone(), garbage.clone(), bad_json.clone()];
    let m = inspect_each("broken .dep-v0", &paths, 2);
    let e = error_of(&m, &garbage);
    assert!(
        e.contains("cargo-auditable section .dep-v0: not zlib data"),
        "{e}"
    );
    let e = error_of(&m, &bad_json);
    assert!(e.contains("cargo-auditable section .dep-v0: JSON"), "{e}");
    let a = common::inspect_one(&good);
    assert_eq!(a["crates"], Value::Null);
}
