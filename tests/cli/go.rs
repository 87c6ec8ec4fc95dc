//! Go's build information, read by `inspect::gobuild` from Go binaries that Debian's
//! `golang-go` builds in the test, against `go version -m` (Go's own reader) on the
//! same files. The program has a dependency module replaced by a local directory (no
//! module proxy here), so a `dep` line, its `=>` replacement and the build settings
//! are all there. Go's build cache lives under cargo-portable's cache directory, so
//! the standard library of each GOOS/GOARCH is compiled once per machine.

use std::path::{Path, PathBuf};
use std::process::Command;
use std::sync::OnceLock;

use cargo_portable::inspect::gobuild::{self, Found, GoBuildInfo, GoModule};

use crate::common::{
    inspect_one, library_names, readelf_needed, run, stdout, tempdir, tool, write,
};

const MAIN_GO: &str = "package main\n\nimport (\n\t\"fmt\"\n\n\t\"example.com/greet\"\n)\n\n\
                       func main() { fmt.Println(greet.Hello(\"portable\")) }\n";
/// The seed's program: it resolves a name and looks up the user, which cgo sends to
/// glibc's NSS (`getaddrinfo`, `getpwuid_r`) unless the `netgo`/`osusergo` tags or
/// `CGO_ENABLED=0` give Go's own.
const NETUSER_GO: &str = "package main\n\nimport (\n\t\"fmt\"\n\t\"net\"\n\t\"os/user\"\n)\n\n\
                          func main() {\n\tu, _ := user.Current()\n\t\
                          a, _ := net.LookupHost(\"localhost\")\n\tfmt.Println(u, a)\n}\n";
const GREET_GO: &str =
    "package greet\n\nfunc Hello(name string) string { return \"hello, \" + name }\n";
const GO_MOD: &str = "module example.com/hello\n\ngo 1.19\n\nrequire example.com/greet v0.0.0\n\n\
                      replace example.com/greet => ../greet\n";

/// One temporary directory with the two modules, for every build of this file.
fn sources() -> &'static Path {
    static DIR: OnceLock<PathBuf> = OnceLock::new();
    DIR.get_or_init(|| {
        let dir = tempdir().keep();
        let hello = dir.join("hello");
        let greet = dir.join("greet");
        std::fs::create_dir_all(&hello).unwrap();
        std::fs::create_dir_all(&greet).unwrap();
        write(&hello, "main.go", MAIN_GO);
        write(&hello, "go.mod", GO_MOD);
        std::fs::create_dir_all(hello.join("netuser")).unwrap();
        write(&hello.join("netuser"), "main.go", NETUSER_GO);
        write(&greet, "greet.go", GREET_GO);
        write(&greet, "go.mod", "module example.com/greet\n\ngo 1.19\n");
        dir
    })
}

/// `go build` of the program for `goos`/`goarch` with `env` and `flags`, as `name`.
pub(crate) fn go_build(
    name: &str,
    goos: &str,
    goarch: &str,
    env: &[(&str, &str)],
    flags: &[&str],
) -> PathBuf {
    go_build_package(name, ".", goos, goarch, env, flags)
}

/// `go build` of `package` (`.` or `./netuser`); `CGO_ENABLED=0` unless `env` says.
fn go_build_package(
    name: &str,
    package: &str,
    goos: &str,
    goarch: &str,
    env: &[(&str, &str)],
    flags: &[&str],
) -> PathBuf {
    let out = sources().join("bin").join(name);
    let cache = cargo_portable::toolchain::cache_dir().join("go-build");
    run(Command::new(tool("go"))
        .arg("build")
        .args(flags)
        .arg("-o")
        .arg(&out)
        .current_dir(sources().join("hello"))
        .env("GOOS", goos)
        .env("GOARCH", goarch)
        .env("CGO_ENABLED", "0")
        .env("GOCACHE", &cache)
        .env("GOPROXY", "off")
        .env("GOFLAGS", "-mod=mod")
        .env("GOTOOLCHAIN", "local")
        .envs(env.iter().copied())
        .arg(package));
    out
}

/// `go version -m FILE`'s lines after the first, and the version the first names.
pub(crate) fn go_version_m(file: &Path) -> (String, Vec<String>) {
    let text = stdout(Command::new(tool("go")).args(["version", "-m"]).arg(file));
    let mut lines = text.lines();
    let first = lines.next().unwrap();
    let version = first.rsplit(": ").next().unwrap().to_owned();
    (
        version,
        lines
            .map(|l| l.trim_start_matches('\t').to_owned())
            .collect(),
    )
}

/// Our facts written back as `go version -m` writes them (`BuildInfo.String`).
fn as_go_prints(info: &GoBuildInfo) -> Vec<String> {
    let mut out = Vec::new();
    if let Some(p) = &info.path {
        out.push(format!("path\t{p}"));
    }
    let mut module = |word: &str, m: &GoModule| match &m.replace {
        None => out.push(format!(
            "{word}\t{}\t{}\t{}",
            m.path,
            m.version,
            m.sum.as_deref().unwrap_or("")
        )),
        Some(r) => {
            out.push(format!("{word}\t{}\t{}", m.path, m.version));
            out.push(format!(
                "=>\t{}\t{}\t{}",
                r.path,
                r.version,
                r.sum.as_deref().unwrap_or("")
            ));
        }
    };
    if let Some(m) = &info.main {
        module("mod", m);
    }
    for d in &info.deps {
        module("dep", d);
    }
    for s in &info.settings {
        // Go quotes what needs it; the builds here have one such value (-ldflags)
        let v = if s.value.contains(' ') {
            format!("{:?}", s.value)
        } else {
            s.value.clone()
        };
        out.push(format!("build\t{}={v}", s.key));
    }
    out
}

fn read(file: &Path) -> GoBuildInfo {
    let data = std::fs::read(file).unwrap();
    gobuild::read(&data)
        .unwrap_or_else(|e| panic!("{}: {e}", file.display()))
        .unwrap_or_else(|| panic!("{}: no Go build information", file.display()))
}

fn agrees_with_go(file: &Path) -> GoBuildInfo {
    let info = read(file);
    let (version, lines) = go_version_m(file);
    assert_eq!(
        info.version.as_deref(),
        Some(version.as_str()),
        "{}",
        file.display()
    );
    // Go before 1.20 prints an empty line after a replacement (`BuildInfo.String`
    // ends the `=>` line twice); the module text it reads has it too and ignores it
    let trim = |v: Vec<String>| -> Vec<String> {
        v.into_iter()
            .map(|l| l.trim_end().to_owned())
            .filter(|l| !l.is_empty())
            .collect()
    };
    assert_eq!(trim(as_go_prints(&info)), trim(lines), "{}", file.display());
    assert_eq!(info.found, Found::HeaderInline);
    info
}

#[test]
fn every_goos_and_goarch_agrees_with_go_version_m() {
    for (goos, goarch, extra) in [
        ("linux", "amd64", &[("GOAMD64", "v3")][..]),
        ("linux", "arm64", &[]),
        ("linux", "386", &[]),
        ("linux", "s390x", &[]),
        ("windows", "amd64", &[]),
        ("darwin", "arm64", &[]),
        ("freebsd", "amd64", &[]),
        ("solaris", "amd64", &[]),
        ("aix", "ppc64", &[]),
    ] {
        let exe = go_build(&format!("hello-{goos}-{goarch}"), goos, goarch, extra, &[]);
        let info = agrees_with_go(&exe);
        assert_eq!(info.setting("GOOS"), Some(goos));
        assert_eq!(info.setting("GOARCH"), Some(goarch));
        assert_eq!(info.setting("CGO_ENABLED"), Some("0"));
        let dep = &info.deps[0];
        assert_eq!(dep.path, "example.com/greet");
        assert_eq!(dep.replace.as_ref().unwrap().path, "../greet");
    }
}

#[test]
fn trimpath_and_stripped_binaries_agree_with_go_version_m() {
    let exe = go_build(
        "hello-stripped",
        "linux",
        "amd64",
        &[],
        &["-trimpath", "-ldflags=-s -w"],
    );
    let info = agrees_with_go(&exe);
    assert_eq!(info.setting("-trimpath"), Some("true"));
    // Go leaves -ldflags out under -trimpath (it may hold paths: golang/go#52372)
    assert_eq!(info.setting("-ldflags"), None);
    let exe = go_build("hello-s-w", "linux", "amd64", &[], &["-ldflags=-s -w"]);
    let info = agrees_with_go(&exe);
    assert_eq!(info.setting("-ldflags"), Some("-s -w"));
}

/// The header overwritten (as some packers and release tools leave it): `go version
/// -m` finds nothing, we find the same modules through the sentinels, and the version
/// through `runtime.buildVersion` (symbols) or its string (stripped).
#[test]
fn without_the_header_the_modules_and_version_are_still_found() {
    for (name, flags) in [
        ("hello-noheader", &[][..]),
        ("hello-noheader-stripped", &["-ldflags=-s -w"][..]),
    ] {
        let exe = go_build(name, "linux", "amd64", &[], flags);
        let before = agrees_with_go(&exe);
        let mut data = std::fs::read(&exe).unwrap();
        let at = memchr_find(&data, b"\xff Go buildinf:").expect("the header");
        data[at..at + 14].copy_from_slice(b"\0not-a-header!");
        let broken = exe.with_extension("broken");
        std::fs::write(&broken, &data).unwrap();
        let go = Command::new(tool("go"))
            .args(["version", "-m"])
            .arg(&broken)
            .output()
            .unwrap();
        assert!(
            !String::from_utf8_lossy(&go.stdout).contains("path\t"),
            "go version -m still reads it"
        );
        let after = read(&broken);
        assert_eq!(after.found, Found::Sentinels);
        assert_eq!(after.version, before.version, "{name}");
        assert_eq!(
            (after.path, after.main, after.deps, after.settings),
            (before.path, before.main, before.deps, before.settings)
        );
    }
}

fn memchr_find(hay: &[u8], needle: &[u8]) -> Option<usize> {
    hay.windows(needle.len()).position(|w| w == needle)
}

/// Go 1.13 to 1.17 wrote the header with pointers to Go string headers. Debian's Go is
/// newer, so gcc makes one: a non-PIE C program whose `.go.buildinfo` section holds the
/// header with the absolute addresses of two string headers, exactly the layout
/// `debug/buildinfo` reads for `flagsVersionPtr`.
#[test]
fn pointer_format_header_of_go_before_1_18() {
    let dir = tempdir();
    // every byte of the module text as an octal escape: C's \x would run on
    let framed = [
        &b"\x30\x77\xaf\x0c\x92\x74\x08\x02\x41\xe1\xc1\x07\xe6\xd6\x18\xe6"[..],
        b"path\texample.com/old\nmod\texample.com/old\t(devel)\t\n",
        b"\xf9\x32\x43\x31\x86\x18\x20\x72\x00\x82\x42\x10\x41\x16\xd8\xf2",
    ]
    .concat();
    let octal: String = framed.iter().map(|b| format!("\\{b:03o}")).collect();
    let c = format!(
        "struct gostr {{ const char *p; long n; }};\n\
         static const char v[] = \"go1.17.13\";\n\
         static const char m[] = \"{octal}\";\n\
         struct gostr vs = {{ v, sizeof v - 1 }}, ms = {{ m, sizeof m - 1 }};\n\
         struct hdr {{ char magic[14]; unsigned char ptrsize, flags; void *vers, *mod; }};\n\
         __attribute__((section(\".go.buildinfo\"), aligned(16), used))\n\
         struct hdr buildinfo = {{ \"\\377 Go buildinf:\", 8, 0, &vs, &ms }};\n\
         int main(void) {{ return 0; }}\n"
    );
    let src = write(dir.path(), "old.c", &c);
    let exe = crate::common::cc(
        &[tool("gcc").to_str().unwrap()],
        &src,
        &dir.path().join("old"),
        &["-no-pie", "-O0"],
    );
    let info = read(&exe);
    assert_eq!(info.found, Found::HeaderPointers);
    assert_eq!(info.version.as_deref(), Some("go1.17.13"));
    assert_eq!(info.path.as_deref(), Some("example.com/old"));
    // Go's own reader agrees on the version and the module text
    let (version, lines) = go_version_m(&exe);
    assert_eq!(version, "go1.17.13");
    assert_eq!(
        lines.iter().map(|l| l.trim_end()).collect::<Vec<_>>(),
        ["path\texample.com/old", "mod\texample.com/old\t(devel)"]
    );
}

/// `targets/go.toml` (each Go release's minimum Linux kernel, macOS, Windows and
/// FreeBSD, from Go's release notes): Go releases ascending, each row changes at least
/// one system, and a system's minimum never falls.
#[test]
fn go_minimums_table_is_ordered_and_only_rises() {
    let text =
        std::fs::read_to_string(Path::new(env!("CARGO_MANIFEST_DIR")).join("targets/go.toml"))
            .unwrap();
    let table: toml::Table = text.parse().unwrap();
    let num = |s: &str| -> Vec<u32> { s.split('.').map(|p| p.parse().unwrap()).collect() };
    let mut last_go = Vec::new();
    let mut last: std::collections::BTreeMap<String, Vec<u32>> = Default::default();
    for row in table["release"].as_array().unwrap() {
        let row = row.as_table().unwrap();
        let go = num(row["go"].as_str().unwrap());
        assert!(go > last_go, "{go:?} after {last_go:?}");
        last_go = go;
        assert!(row.len() > 1, "{row:?} changes nothing");
        for (system, v) in row.iter().filter(|(k, _)| *k != "go") {
            assert!(
                ["linux", "macos", "windows", "freebsd"].contains(&system.as_str()),
                "{system}"
            );
            let v = num(v.as_str().unwrap());
            if let Some(before) = last.get(system) {
                assert!(v > *before, "{system} {v:?} after {before:?}");
            }
            last.insert(system.clone(), v);
        }
    }
}

/// Environment variables of one build.
type Env<'a> = &'a [(&'a str, &'a str)];

/// A build of the seed's program: name, environment, flags, the linker, whether it
/// is static, whether it has the NSS hazard.
type LinkCase<'a> = (&'a str, Env<'a>, &'a [&'a str], &'a str, bool, bool);

/// Our `go` object, read back into the library's type.
fn go_of(artifact: &serde_json::Value) -> GoBuildInfo {
    serde_json::from_value(artifact["go"].clone())
        .unwrap_or_else(|e| panic!("go object {}: {e}", artifact["go"]))
}

/// `file`'s word for the linkage of an ELF.
fn file_says_static(exe: &Path) -> bool {
    let f = stdout(Command::new("file").arg("-b").arg(exe));
    assert!(
        f.contains("statically linked") || f.contains("dynamically linked"),
        "{f}"
    );
    f.contains("statically linked")
}

/// The report of every GOOS and GOARCH Debian's Go builds without cgo: the `go` object
/// is what `go version -m` prints, the OS is GOOS, the linker is Go's, and the
/// linkage and libraries are what `file` and `readelf` say.
#[test]
fn inspect_reports_go_binaries_as_go_reads_them() {
    let corpus: &[(&str, &str, Env)] = &[
        ("linux", "amd64", &[("GOAMD64", "v1")]),
        ("linux", "amd64", &[("GOAMD64", "v3")]),
        ("linux", "arm64", &[]),
        ("linux", "386", &[]),
        ("linux", "arm", &[("GOARM", "7")]),
        ("linux", "riscv64", &[]),
        ("linux", "ppc64le", &[]),
        ("linux", "s390x", &[]),
        ("linux", "mips64le", &[]),
        ("linux", "loong64", &[]),
        ("freebsd", "amd64", &[]),
        ("netbsd", "amd64", &[]),
        ("openbsd", "amd64", &[]),
        ("solaris", "amd64", &[]),
        ("illumos", "amd64", &[]),
        ("android", "arm64", &[]),
        ("windows", "amd64", &[]),
        ("darwin", "arm64", &[]),
    ];
    let mut failures = Vec::new();
    for (goos, goarch, env) in corpus {
        let level = env.first().map(|(_, v)| *v).unwrap_or("");
        let exe = go_build(
            &format!("corpus-{goos}-{goarch}{level}"),
            goos,
            goarch,
            env,
            &[],
        );
        let a = inspect_one(&exe);
        // the go object is what Go's own reader prints
        let ours = go_of(&a);
        let (version, lines) = go_version_m(&exe);
        let trim = |v: Vec<String>| -> Vec<String> {
            v.into_iter()
                .map(|l| l.trim_end().to_owned())
                .filter(|l| !l.is_empty())
                .collect()
        };
        if ours.version.as_deref() != Some(version.as_str())
            || trim(as_go_prints(&ours)) != trim(lines)
        {
            failures.push(format!(
                "{goos}/{goarch}: go object differs from go version -m"
            ));
        }
        let os = match *goos {
            "darwin" => "macos",
            g => g,
        };
        if a["os"] != os {
            failures.push(format!("{goos}/{goarch}: os {} (GOOS {goos})", a["os"]));
        }
        if a["linker"]["name"] != "go" {
            failures.push(format!("{goos}/{goarch}: linker {}", a["linker"]));
        }
        if a["format"] == "elf" {
            let static_ = a["linkage"] != "dynamic";
            if static_ != file_says_static(&exe) {
                failures.push(format!(
                    "{goos}/{goarch}: linkage {} but file disagrees",
                    a["linkage"]
                ));
            }
            if library_names(&a) != readelf_needed(&exe) {
                failures.push(format!(
                    "{goos}/{goarch}: libraries {:?}, readelf {:?}",
                    library_names(&a),
                    readelf_needed(&exe)
                ));
            }
            // Go without cgo on Linux and FreeBSD makes its own system calls
            if ["linux", "freebsd"].contains(goos) && a["libc"] != "none" {
                failures.push(format!("{goos}/{goarch}: libc {}", a["libc"]));
            }
        }
        // no library a Go program needs is one to ship, and no error
        if a["portable"] != true {
            failures.push(format!("{goos}/{goarch}: not portable: {}", a["verdict"]));
        }
        // the CPU level the settings name
        if level == "v3" && a["requires"]["cpu"]["version"] != "x86-64-v3" {
            failures.push(format!("{goos}/{goarch}: cpu {}", a["requires"]["cpu"]));
        }
    }
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}

/// The seed's experiment on Go itself: cgo with the internal and the external linker
/// (dynamic, glibc), `-extldflags -static` (a "static" binary that still loads NSS
/// modules: the hazard, with Go's fix), and the `netgo,osusergo` tags or
/// `CGO_ENABLED=0` (static, nothing of glibc, no hazard). Linkage and libraries as
/// `file` and `readelf` say.
#[test]
fn cgo_linkmodes_and_the_nss_hazard_as_the_seed_says() {
    let cgo = &[("CGO_ENABLED", "1")][..];
    // (name, env, flags, linker, static, nss hazard)
    let cases: &[LinkCase] = &[
        ("cgo-internal", cgo, &[], "go", false, false),
        (
            "cgo-external",
            cgo,
            &["-ldflags=-linkmode=external"],
            "gnu-ld",
            false,
            false,
        ),
        (
            "cgo-external-static",
            cgo,
            &["-ldflags=-linkmode=external -extldflags=-static"],
            "gnu-ld",
            true,
            true,
        ),
        (
            "cgo-netgo-osusergo",
            cgo,
            &["-tags=netgo,osusergo"],
            "go",
            true,
            false,
        ),
        ("nocgo", &[], &[], "go", true, false),
    ];
    for (name, env, flags, linker, static_, nss) in cases {
        let exe = go_build_package(name, "./netuser", "linux", "amd64", env, flags);
        let a = inspect_one(&exe);
        // the go object is what Go's own reader prints, cgo settings included
        let (version, lines) = go_version_m(&exe);
        let ours = go_of(&a);
        assert_eq!(ours.version.as_deref(), Some(version.as_str()), "{name}");
        let trim = |v: Vec<String>| -> Vec<String> {
            v.into_iter()
                .map(|l| l.trim_end().to_owned())
                .filter(|l| !l.is_empty())
                .collect()
        };
        assert_eq!(trim(as_go_prints(&ours)), trim(lines), "{name}");
        assert_eq!(a["linker"]["name"], *linker, "{name}: {}", a["linker"]);
        assert_eq!(file_says_static(&exe), *static_, "{name}: file");
        assert_eq!(
            a["linkage"] != "dynamic",
            *static_,
            "{name}: {}",
            a["linkage"]
        );
        assert_eq!(library_names(&a), readelf_needed(&exe), "{name}");
        let hazard = a["hazards"]
            .as_array()
            .unwrap()
            .iter()
            .find(|h| h["code"] == "static-glibc-nss");
        assert_eq!(hazard.is_some(), *nss, "{name}: {}", a["hazards"]);
        if let Some(h) = hazard {
            assert!(
                h["hint"].as_str().unwrap().contains("-tags netgo,osusergo"),
                "{name}: {}",
                h["hint"]
            );
        }
        if !static_ {
            assert_eq!(a["libc"], "glibc", "{name}");
            assert!(a["requires"]["glibc"]["version"].is_string(), "{name}");
        }
        // what the binary says of cgo is what was asked
        let cgo_on = env.iter().any(|(k, v)| *k == "CGO_ENABLED" && *v == "1");
        assert_eq!(
            go_of(&a).setting("CGO_ENABLED"),
            Some(if cgo_on { "1" } else { "0" }),
            "{name}"
        );
    }
}

/// The CPU level a C program compiled with `-march=x86-64-v3 -mneeded` (and v2) needs
/// is the highest one `readelf -n` lists as "x86 ISA needed".
#[test]
fn cpu_level_of_c_programs_is_what_readelf_shows() {
    let dir = tempdir();
    let src = write(dir.path(), "main.c", "int main(void) { return 0; }\n");
    for level in ["x86-64-v2", "x86-64-v3"] {
        let exe = crate::common::cc(
            &["gcc"],
            &src,
            &dir.path().join(level),
            &[&format!("-march={level}"), "-mneeded"],
        );
        let notes = stdout(Command::new("readelf").arg("-n").arg(&exe));
        let line = notes
            .lines()
            .find(|l| l.contains("x86 ISA needed:"))
            .unwrap_or_else(|| panic!("readelf -n shows no ISA needed:\n{notes}"));
        let highest = line
            .rsplit(", ")
            .next()
            .unwrap()
            .rsplit(": ")
            .next()
            .unwrap()
            .trim();
        assert_eq!(highest, level, "{line}");
        let a = inspect_one(&exe);
        assert_eq!(a["requires"]["cpu"]["version"], level, "{}", a["requires"]);
    }
}

/// A buildinfo header that lies (its version string claims more bytes than the file
/// has) is an error entry naming the file and what lies, exit 2, and the other files
/// of the same call are still reported.
#[test]
fn a_lying_buildinfo_is_an_error_entry_and_the_rest_is_reported() {
    let exe = go_build("hello-lying", "linux", "amd64", &[], &[]);
    let mut data = std::fs::read(&exe).unwrap();
    let at = memchr_find(&data, b"\xff Go buildinf:").expect("the header");
    // the version's uvarint length, right after the 32-byte header: 2^35 bytes
    data[at + 32..at + 37].copy_from_slice(&[0x80, 0x80, 0x80, 0x80, 0x01]);
    let lying = exe.with_extension("lying");
    std::fs::write(&lying, &data).unwrap();
    let good = go_build("hello-good", "linux", "amd64", &[], &[]);
    let (code, v) = crate::common::inspect_json(&[&lying, &good]);
    assert_eq!(code, 2, "{v}");
    let errors = v["errors"].as_array().unwrap();
    assert_eq!(errors.len(), 1, "{v}");
    assert_eq!(errors[0]["path"], lying.display().to_string());
    let e = errors[0]["error"].as_str().unwrap();
    assert!(
        e.contains("Go build information") && e.contains("claims"),
        "{e}"
    );
    let arts = v["artifacts"].as_array().unwrap();
    assert_eq!(arts.len(), 1);
    assert_eq!(arts[0]["path"], good.display().to_string());
}
