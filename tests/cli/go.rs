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

use crate::common::{run, stdout, tempdir, tool, write};

const MAIN_GO: &str = "package main\n\nimport (\n\t\"fmt\"\n\n\t\"example.com/greet\"\n)\n\n\
                       func main() { fmt.Println(greet.Hello(\"portable\")) }\n";
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
        write(&greet, "greet.go", GREET_GO);
        write(&greet, "go.mod", "module example.com/greet\n\ngo 1.19\n");
        dir
    })
}

/// `go build` of the program for `goos`/`goarch` with `env` and `flags`, as `name`.
fn go_build(name: &str, goos: &str, goarch: &str, env: &[(&str, &str)], flags: &[&str]) -> PathBuf {
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
        .envs(env.iter().copied()));
    out
}

/// `go version -m FILE`'s lines after the first, and the version the first names.
fn go_version_m(file: &Path) -> (String, Vec<String>) {
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
