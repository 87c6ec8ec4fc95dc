//! Go binaries: what Go's build information says about the OS, the C library, the
//! linker, the oldest systems they run on and the CPU level they need.

use crate::data::Tables;
use crate::inspect::{ElfFacts, FormatFacts, Parsed};
use crate::model::{GoBuildInfo, LinkerInfo, Os, Requires, VersionRequirement};
use crate::version::Version;

/// The binary's `GOOS` build setting.
pub(crate) fn goos(p: &Parsed) -> Option<&str> {
    p.go.as_ref()?.setting("GOOS")
}

/// Whether cgo was on (`CGO_ENABLED=1`): then a C library may be linked in.
pub(crate) fn cgo(go: &GoBuildInfo) -> bool {
    go.setting("CGO_ENABLED") == Some("1")
}

/// Whether `-ldflags` asks for the system linker (`-linkmode=external`,
/// `-linkmode external`).
fn linkmode_external(go: &GoBuildInfo) -> bool {
    go.setting("-ldflags").is_some_and(|f| {
        let f = f.replace(['\'', '"'], "");
        f.contains("-linkmode=external") || f.contains("-linkmode external")
    })
}

/// What says that the system's linker linked a Go ELF: `-linkmode=external`, or
/// the C toolchain's marks (a `.comment`, glibc's `.note.ABI-tag` from `crt1.o`, gold's
/// note), which Go's internal linker never writes, even for cgo.
fn elf_external_evidence(go: &GoBuildInfo, e: &ElfFacts) -> Option<&'static str> {
    if linkmode_external(go) {
        Some("-ldflags -linkmode=external")
    } else if !e.comment.is_empty() {
        Some("a C toolchain's .comment")
    } else if e.abi_tag.is_some() {
        Some("the C library's .note.ABI-tag")
    } else if e.gold_version.is_some() {
        Some("gold's note")
    } else {
        None
    }
}

/// Go's internal linker, when it linked the binary; `None` when the system's linker
/// did (the caller then reads that linker's marks).
pub(crate) fn linker(p: &Parsed) -> Option<LinkerInfo> {
    let go = p.go.as_ref()?;
    let internal = match &p.facts {
        FormatFacts::Elf(e) => elf_external_evidence(go, e).is_none(),
        // ld64, lld and zig record themselves as LC_BUILD_VERSION tools; Go records
        // none
        FormatFacts::Macho(m) => !linkmode_external(go) && m.tools.is_empty(),
        // Go's linker writes linker version 3.0; GNU ld its binutils version (2.x),
        // link.exe a Rich header
        FormatFacts::Pe(pe) => {
            !linkmode_external(go) && !pe.has_rich_header && pe.linker_version.0 == 3
        }
        FormatFacts::Xcoff(_) => !linkmode_external(go),
    };
    if !internal {
        return None;
    }
    let version = go.version.clone();
    let evidence = format!(
        "Go build information ({}, {}); none of a system linker's marks",
        version.as_deref().unwrap_or("Go version unknown"),
        match go.setting("CGO_ENABLED") {
            Some("1") => "CGO_ENABLED=1, internal linking",
            Some("0") => "CGO_ENABLED=0",
            _ => "no -linkmode=external",
        }
    );
    Some(LinkerInfo {
        name: "go".to_owned(),
        version,
        evidence,
        inferred: false,
    })
}

/// Raise `r`'s minimum systems to what the Go release that built the binary needs
/// (`targets/go.toml`, from Go's release notes), and set its CPU level from the
/// `GOAMD64`-style settings.
pub(crate) fn raise_minimums(p: &Parsed, os: Os, r: &mut Requires, tables: &Tables) {
    let Some(go) = &p.go else { return };
    if let Some(cpu) = cpu_level(go) {
        r.cpu = Some(cpu);
    }
    let Some(m) = go.version.as_deref().and_then(|v| tables.go_minimums(v)) else {
        return;
    };
    let said = |system: &str, value: &str, release: &str| {
        format!("{value} (Go {release}'s release notes: Go requires {system} {value} or later)")
    };
    match os {
        Os::Linux => {
            if let Some((v, release)) = &m.linux {
                let ours = r
                    .linux_kernel
                    .as_deref()
                    .and_then(|k| k.split_whitespace().next())
                    .and_then(Version::parse);
                if ours.is_none_or(|o| Version::parse(v).is_some_and(|g| g > o)) {
                    r.linux_kernel = Some(said("Linux kernel", v, release));
                }
            }
        }
        Os::Macos => {
            if let Some((v, _)) = &m.macos {
                let ours = r.macos.as_deref().and_then(Version::parse);
                if ours.is_none_or(|o| Version::parse(v).is_some_and(|g| g > o)) {
                    r.macos = Some(v.clone());
                }
            }
        }
        Os::Freebsd => {
            if let Some((v, release)) = &m.freebsd {
                let ours = r.freebsd.as_ref().and_then(|f| Version::parse(&f.version));
                if ours.is_none_or(|o| Version::parse(v).is_some_and(|g| g > o)) {
                    r.freebsd = Some(VersionRequirement {
                        version: v.clone(),
                        forced_by: vec![format!("Go {release}'s release notes")],
                        origin: Vec::new(),
                    });
                }
            }
        }
        Os::Windows => {
            if let (Some((v, release)), Some(w)) = (&m.windows, r.windows.as_mut()) {
                let go_nt = windows_nt(v);
                let ours = w.minimum.as_deref().and_then(nt_of_release);
                if let Some(go_nt) = go_nt.filter(|g| ours.is_none_or(|o| g > &o)) {
                    w.minimum = Some(release_of_nt(&go_nt));
                    w.forced_by = vec![format!(
                        "Go {release}'s release notes (Go {} built it)",
                        go.version.as_deref().unwrap_or("?")
                    )];
                }
            }
        }
        _ => {}
    }
}

/// `go.toml`'s Windows product numbers as NT versions.
fn windows_nt(product: &str) -> Option<Version> {
    Version::parse(match product {
        "7" => "6.1",
        "8" => "6.2",
        "8.1" => "6.3",
        "10" => "10.0",
        _ => return None,
    })
}

/// The NT version of a release name as `requires.windows.minimum` says it.
fn nt_of_release(name: &str) -> Option<Version> {
    let nt = match name {
        "Windows Vista" => "6.0",
        "Windows 7" => "6.1",
        "Windows 8" => "6.2",
        "Windows 8.1" => "6.3",
        n if n.starts_with("Windows 10") => "10.0",
        _ => "5.0",
    };
    Version::parse(nt)
}

fn release_of_nt(nt: &Version) -> String {
    match nt.parts() {
        [6, 1, ..] => "Windows 7".to_owned(),
        [6, 2, ..] => "Windows 8".to_owned(),
        [6, 3, ..] => "Windows 8.1".to_owned(),
        [10, ..] => "Windows 10".to_owned(),
        p => format!("Windows NT {p:?}"),
    }
}

/// The CPU level the Go toolchain compiled for: `GOAMD64=v3` is an x86-64-v3 CPU
/// (AVX2, BMI2, FMA…), `GOARM=7` ARMv7, `GOPPC64=power9`, `GO386=softfloat`.
fn cpu_level(go: &GoBuildInfo) -> Option<VersionRequirement> {
    let (key, value) = [
        "GOAMD64",
        "GOARM",
        "GOARM64",
        "GO386",
        "GOPPC64",
        "GORISCV64",
        "GOMIPS",
        "GOMIPS64",
    ]
    .iter()
    .find_map(|k| go.setting(k).map(|v| (*k, v)))?;
    let level = match key {
        "GOAMD64" => format!("x86-64-{value}"),
        "GOARM" => format!("armv{}", value.split(',').next().unwrap_or(value)),
        "GOARM64" => format!("armv{}", value.split(',').next().unwrap_or(value)),
        _ => value.to_owned(),
    };
    Some(VersionRequirement {
        version: level,
        forced_by: vec![format!("{key}={value}")],
        origin: Vec::new(),
    })
}

/// The x86-64 level a `GNU_PROPERTY_X86_ISA_1_NEEDED` value names: its highest bit.
pub(crate) fn x86_isa_level(bits: u32) -> Option<&'static str> {
    ["x86-64-v4", "x86-64-v3", "x86-64-v2", "x86-64-baseline"]
        .into_iter()
        .zip([8u32, 4, 2, 1])
        .find(|(_, b)| bits & b != 0)
        .map(|(l, _)| l)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::{GoFound, GoSetting};

    fn go(version: &str, settings: &[(&str, &str)]) -> GoBuildInfo {
        GoBuildInfo {
            version: Some(version.to_owned()),
            path: None,
            main: None,
            deps: Vec::new(),
            settings: settings
                .iter()
                .map(|(k, v)| GoSetting {
                    key: (*k).to_owned(),
                    value: (*v).to_owned(),
                })
                .collect(),
            found: GoFound::HeaderInline,
        }
    }

    #[test]
    fn cpu_level_from_the_settings() {
        let c = cpu_level(&go("go1.19", &[("GOAMD64", "v3")])).unwrap();
        assert_eq!(
            (c.version.as_str(), c.forced_by[0].as_str()),
            ("x86-64-v3", "GOAMD64=v3")
        );
        assert_eq!(
            cpu_level(&go("go1.19", &[("GOARM", "7")])).unwrap().version,
            "armv7"
        );
        assert_eq!(cpu_level(&go("go1.19", &[("GOOS", "linux")])), None);
        assert_eq!(x86_isa_level(7), Some("x86-64-v3"));
        assert_eq!(x86_isa_level(1), Some("x86-64-baseline"));
        assert_eq!(x86_isa_level(0), None);
    }

    #[test]
    fn linkmode_in_either_spelling() {
        assert!(linkmode_external(&go(
            "go1.19",
            &[("-ldflags", "\"-linkmode=external -s\"")]
        )));
        assert!(linkmode_external(&go(
            "go1.19",
            &[("-ldflags", "-linkmode external")]
        )));
        assert!(!linkmode_external(&go("go1.19", &[("-ldflags", "-s -w")])));
    }

    #[test]
    fn windows_releases_round_trip() {
        for p in ["7", "8", "8.1", "10"] {
            let nt = windows_nt(p).unwrap();
            assert_eq!(nt_of_release(&release_of_nt(&nt)), Some(nt));
        }
    }
}
