//! Minimum versions (glibc and friends, macOS, Windows, kernel) and where that runs.

use std::collections::BTreeSet;

use goblin::elf::note::ELF_NOTE_OS_LINUX;
use object::pe;

use crate::data::{Inventory, Tables, INVENTORY_FAMILIES};
use crate::inspect::{ElfFacts, FormatFacts, Parsed, PeFacts};
use crate::model::{
    Distribution, ExcludedRelease, Libc, Linkage, Os, Requires, RunsOn, VersionRequirement,
    WindowsRequirement,
};
use crate::version::Version;

/// Version needs that no symbol carries but that the loader checks, with the glibc
/// release that introduced them.
const GLIBC_ABI_NEEDS: &[(&str, &str)] = &[("GLIBC_ABI_DT_RELR", "2.36")];

/// The highest `PREFIX_x.y` among non-weak imports, and the imports at that version.
pub(crate) fn max_version(p: &Parsed, prefix: &str) -> Option<VersionRequirement> {
    let mut best: Option<(Version, BTreeSet<String>)> = None;
    let mut consider = |v: &Version, who: &str| match &mut best {
        Some((b, set)) if b == v => {
            set.insert(who.to_owned());
        }
        Some((b, _)) if &*b > v => {}
        _ => best = Some((v.clone(), BTreeSet::from([who.to_owned()]))),
    };
    // each distinct version string of `prefix` is parsed once: a library's imports
    // share a handful of versions, and parsing allocates
    let mut parsed: Vec<(&str, Option<Version>)> = Vec::new();
    for i in p.imports.iter().filter(|i| !i.weak) {
        let Some(ver) = i.version.as_deref() else {
            continue;
        };
        // starts_with first: it rejects most versions without searching for the `_`
        if !(ver.starts_with(prefix) && ver.rsplit_once('_').is_some_and(|(pre, _)| pre == prefix))
        {
            continue;
        }
        let at = match parsed.iter().position(|(s, _)| *s == ver) {
            Some(at) => at,
            None => {
                parsed.push((ver, Version::from_symbol_version(ver).map(|(_, v)| v)));
                parsed.len() - 1
            }
        };
        if let Some(v) = &parsed[at].1 {
            consider(v, &i.name);
        }
    }
    if prefix == "GLIBC" {
        if let FormatFacts::Elf(e) = &p.facts {
            for (_, need) in &e.version_needs {
                if let Some((_, since)) = GLIBC_ABI_NEEDS.iter().find(|(n, _)| n == need) {
                    if let Some(v) = Version::parse(since) {
                        consider(&v, need);
                    }
                }
            }
        }
    }
    best.map(|(v, set)| VersionRequirement {
        // GLIBC_2.0 and GCC_3.0 are "2.0" and "3.0" (Version drops trailing zeros)
        version: match v.parts() {
            [major] => format!("{major}.0"),
            _ => v.to_string(),
        },
        forced_by: set.into_iter().collect(),
        origin: Default::default(),
    })
}

/// The FreeBSD release whose development opened each `FBSD_1.x` symbol version of the
/// base system's libraries (minor number of `FBSD_1.x`, FreeBSD major release).
/// Sources: the comments of FreeBSD's `lib/libc/Versions.def` for 1.0 to 1.6 ("This
/// version was first added to 7.0-current", …, "to 13.0-current"; freebsd-src
/// 023fc80, whose last version, 1.7, has no comment); zig's `src/libs/freebsd.zig`
/// for 1.7 and 1.8 ("FreeBSD 7 == FBSD_1.0, ..., FreeBSD 14 == FBSD_1.7", and it
/// derives `FBSD_1.<major - 7>` for FreeBSD 15); zig 0.17.1's `libc/freebsd/abilists`
/// defines 1.0 to 1.8, no later one. Unlike glibc's, a FreeBSD version names a major
/// release, not the release that added the symbol: a symbol added in 14.1 under
/// `FBSD_1.7` needs 14.1, one merged back to stable/13 runs on that 13.x too. The
/// figure is the `.0` release that opened the version; docs/report.md says so.
pub(crate) const FBSD_VERSIONS: &[(u32, u32)] = &[
    (0, 7),
    (1, 8),
    (2, 9),
    (3, 10),
    (4, 11),
    (5, 12),
    (6, 13),
    (7, 14),
    (8, 15),
];

/// The FreeBSD release (major, minor) of a `__FreeBSD_version` value (`1400500` →
/// 14.0: major times 100000 plus minor times 1000 plus a patch level, sys/param.h).
pub(crate) fn freebsd_release_of_osreldate(v: u32) -> (u32, u32) {
    (v / 100_000, (v / 1000) % 100)
}

/// The minimum FreeBSD: the later of the release the ABI note names and the one
/// the highest `FBSD_1.x` import needs; `forced_by` names what decides it.
pub(crate) fn freebsd_minimum(p: &Parsed, bsd_version: Option<u32>) -> Option<VersionRequirement> {
    let by_note = bsd_version.map(|v| (freebsd_release_of_osreldate(v), v));
    let by_symbols = max_version(p, "FBSD").and_then(|r| {
        let v = Version::parse(&r.version)?;
        let (1, minor) = (v.parts()[0], v.parts().get(1).copied().unwrap_or(0)) else {
            return None;
        };
        let (_, major) = FBSD_VERSIONS.iter().find(|(m, _)| *m == minor)?;
        Some(((*major, 0), r))
    });
    let need = match (&by_note, &by_symbols) {
        (Some((n, _)), Some((s, _))) => *n.max(s),
        (Some((n, _)), None) => *n,
        (None, Some((s, _))) => *s,
        (None, None) => return None,
    };
    let mut forced_by = Vec::new();
    if let Some((s, r)) = &by_symbols {
        if *s == need {
            forced_by.extend(
                r.forced_by
                    .iter()
                    .map(|f| format!("{f}@FBSD_{}", r.version)),
            );
        }
    }
    if let Some((n, v)) = &by_note {
        if *n == need {
            forced_by.push(format!("ABI note: __FreeBSD_version {v}"));
        }
    }
    Some(VersionRequirement {
        version: format!("{}.{}", need.0, need.1),
        forced_by,
        origin: Vec::new(),
    })
}

/// Windows release per PE subsystem version.
fn windows_release(major: u16, minor: u16) -> Option<&'static str> {
    Some(match (major, minor) {
        (3, _) => "Windows NT 3.1",
        (4, _) => "Windows 95 / NT 4.0",
        (5, 0) => "Windows 2000",
        (5, 1) => "Windows XP",
        (5, 2) => "Windows XP x64 / Server 2003",
        (6, 0) => "Windows Vista",
        (6, 1) => "Windows 7",
        (6, 2) => "Windows 8",
        (6, 3) => "Windows 8.1",
        (10, 0) => "Windows 10",
        _ => return None,
    })
}

fn subsystem_name(s: u16) -> String {
    match pe::Subsystem(s) {
        pe::IMAGE_SUBSYSTEM_NATIVE => "native".into(),
        pe::IMAGE_SUBSYSTEM_WINDOWS_GUI => "gui".into(),
        pe::IMAGE_SUBSYSTEM_WINDOWS_CUI => "console".into(),
        pe::IMAGE_SUBSYSTEM_POSIX_CUI => "posix".into(),
        pe::IMAGE_SUBSYSTEM_WINDOWS_CE_GUI => "windows-ce".into(),
        pe::IMAGE_SUBSYSTEM_EFI_APPLICATION => "efi-application".into(),
        pe::IMAGE_SUBSYSTEM_EFI_BOOT_SERVICE_DRIVER => "efi-boot-service-driver".into(),
        pe::IMAGE_SUBSYSTEM_EFI_RUNTIME_DRIVER => "efi-runtime-driver".into(),
        pe::IMAGE_SUBSYSTEM_XBOX => "xbox".into(),
        pe::IMAGE_SUBSYSTEM_WINDOWS_BOOT_APPLICATION => "boot-application".into(),
        n => format!("unknown-{}", n.0),
    }
}

pub(crate) fn requires(p: &Parsed, libc: Libc, os: Os, tables: &Tables) -> Requires {
    let mut r = Requires::default();
    match &p.facts {
        FormatFacts::Elf(e) => {
            r.glibc = max_version(p, "GLIBC");
            r.glibcxx = max_version(p, "GLIBCXX");
            r.cxxabi = max_version(p, "CXXABI");
            r.gcc = max_version(p, "GCC");
            if os == Os::Freebsd {
                r.freebsd = freebsd_minimum(p, e.bsd_version);
            }
            if os == Os::Netbsd {
                // NT_NETBSD_IDENT: __NetBSD_Version__, MMmmrrpp00 (sys/param.h)
                r.netbsd = e.bsd_version.map(|v| VersionRequirement {
                    version: format!("{}.{}", v / 100_000_000, (v / 1_000_000) % 100),
                    forced_by: vec![format!("ABI note: __NetBSD_Version__ {v}")],
                    origin: Vec::new(),
                });
            }
            r.linux_kernel = match &e.abi_tag {
                Some((ELF_NOTE_OS_LINUX, v)) if os == Os::Linux => {
                    Some(format!("{v} (.note.ABI-tag)"))
                }
                _ if os == Os::Linux
                    && e.comment.iter().any(|c| c.starts_with("rustc version")) =>
                {
                    Some(
                        "3.2 (Rust's standard library minimum; no .note.ABI-tag in the binary)"
                            .to_owned(),
                    )
                }
                _ if os == Os::Linux && libc == Libc::Musl => {
                    Some("2.6.39 (musl's documented minimum; no .note.ABI-tag)".to_owned())
                }
                _ => None,
            };
        }
        FormatFacts::Macho(m) => {
            if os == Os::Macos {
                r.macos = m.min_os.clone();
                r.macos_sdk = m.sdk.clone();
            }
        }
        FormatFacts::Pe(pe) => r.windows = Some(windows(p, pe, tables)),
        FormatFacts::Xcoff(_) => {}
    }
    if let FormatFacts::Elf(ElfFacts {
        x86_isa_needed: Some(bits),
        ..
    }) = &p.facts
    {
        r.cpu = super::golang::x86_isa_level(*bits).map(|level| VersionRequirement {
            version: level.to_owned(),
            forced_by: vec![format!(
                ".note.gnu.property: x86 ISA needed {bits:#x} (GNU_PROPERTY_X86_ISA_1_NEEDED)"
            )],
            origin: Vec::new(),
        });
    }
    if let FormatFacts::Elf(ElfFacts {
        android_api: Some(level),
        ..
    }) = &p.facts
    {
        let release = tables
            .android_release(*level)
            .map(|r| format!(" (Android {r})"))
            .unwrap_or_default();
        r.android = Some(VersionRequirement {
            version: level.to_string(),
            forced_by: vec![format!(".note.android.ident: API level {level}{release}")],
            origin: Vec::new(),
        });
    }
    super::golang::raise_minimums(p, os, &mut r, tables);
    r
}

/// A PE binary's Windows requirement: its subsystem version, and the release its
/// imports need when that is later.
fn windows(p: &Parsed, pe: &PeFacts, tables: &Tables) -> WindowsRequirement {
    let (major, minor) = pe.subsystem_version;
    let by_subsystem = Version::parse(&format!("{major}.{minor}"));
    // imports that need a later release than the subsystem version says
    let mut need = by_subsystem.clone();
    let mut forced_by = BTreeSet::new();
    for imp in &p.imports {
        let Some(dll) = imp.library.as_deref() else {
            continue;
        };
        for (api, v) in &tables.windows_api {
            let hit =
                api.dll.eq_ignore_ascii_case(dll) && (api.name.is_empty() || api.name == imp.name);
            if !hit || by_subsystem.as_ref().is_some_and(|s| v <= s) {
                continue;
            }
            if need.as_ref().is_none_or(|n| v > n) {
                need = Some(v.clone());
                forced_by.clear();
            }
            if need.as_ref() == Some(v) {
                forced_by.insert(format!("{dll}!{}", imp.name));
            }
        }
    }
    let minimum = need.as_ref().and_then(|v| {
        let p = v.parts();
        windows_release(*p.first()? as u16, p.get(1).copied().unwrap_or(0) as u16)
    });
    WindowsRequirement {
        subsystem: subsystem_name(pe.subsystem),
        subsystem_version: format!("{major}.{minor}"),
        minimum: minimum.map(str::to_owned),
        forced_by: forced_by.into_iter().collect(),
    }
}

fn kernel_short(r: &Requires) -> Option<String> {
    let k = r.linux_kernel.as_deref()?;
    let v = k.split_whitespace().next()?;
    let v = v.strip_suffix(".0").unwrap_or(v);
    Some(v.to_owned())
}

pub(crate) fn runs_on(
    p: &Parsed,
    linkage: Linkage,
    libc: Libc,
    os: Os,
    r: &Requires,
    tables: &Tables,
) -> RunsOn {
    let arch = &p.arch;
    let any = |summary: String| RunsOn {
        summary,
        any: true,
        distributions: Vec::new(),
        excluded: Vec::new(),
    };
    match os {
        Os::Linux => {
            let kernel = kernel_short(r)
                .map(|k| format!(" ≥ {k}"))
                .unwrap_or_default();
            if linkage != Linkage::Dynamic {
                return any(format!("any {arch} Linux{kernel}"));
            }
            match libc {
                Libc::Musl => RunsOn {
                    summary: format!(
                        "{arch} Linux with musl's loader {} (Alpine and other musl distributions)",
                        p.interpreter.as_deref().unwrap_or("ld-musl")
                    ),
                    any: false,
                    distributions: Vec::new(),
                    excluded: Vec::new(),
                },
                Libc::Glibc => match &r.glibc {
                    Some(g) => glibc_runs_on(arch, &g.version, &versioned_needs(p, r), tables),
                    None => any(format!("any {arch} Linux with glibc{kernel}")),
                },
                _ => RunsOn {
                    summary: format!("{arch} Linux with its libraries"),
                    any: false,
                    distributions: Vec::new(),
                    excluded: Vec::new(),
                },
            }
        }
        Os::Macos => any(match &r.macos {
            Some(v) => format!("{arch} macOS ≥ {v}"),
            None => format!("{arch} macOS"),
        }),
        Os::Windows => any(match r.windows.as_ref().and_then(|w| w.minimum.clone()) {
            Some(m) => format!("{arch} {m} or later"),
            None => format!("{arch} Windows"),
        }),
        Os::Freebsd => any(match &r.freebsd {
            Some(v) => format!("{arch} FreeBSD ≥ {}", v.version),
            None => format!("{arch} FreeBSD"),
        }),
        Os::Android => any(match &r.android {
            Some(api) => match api
                .version
                .parse()
                .ok()
                .and_then(|l| tables.android_release(l))
            {
                Some(release) => format!("{arch} Android {release} (API {}) or later", api.version),
                None => format!("{arch} Android API {} or later", api.version),
            },
            None => format!("{arch} Android"),
        }),
        Os::Netbsd => any(match &r.netbsd {
            Some(v) => format!("{arch} NetBSD ≥ {}", v.version),
            None => format!("{arch} NetBSD"),
        }),
        other => any(format!("{arch} {}", crate::platform::display_name(other))),
    }
}

/// The binary's highest need of each family an inventory measures, as (prefix, version):
/// `("GLIBCXX", "3.4.30")`. GLIBC, GLIBCXX, CXXABI and GCC as `requires` has them, ZLIB
/// from the imports.
pub(crate) fn versioned_needs(p: &Parsed, r: &Requires) -> Vec<(&'static str, String)> {
    let zlib = max_version(p, "ZLIB");
    [
        ("GLIBC", r.glibc.as_ref()),
        ("GLIBCXX", r.glibcxx.as_ref()),
        ("CXXABI", r.cxxabi.as_ref()),
        ("GCC", r.gcc.as_ref()),
        ("ZLIB", zlib.as_ref()),
    ]
    .into_iter()
    .filter_map(|(prefix, v)| Some((prefix, v?.version.clone())))
    .collect()
}

/// The needs of `needs` an inventory can check, parsed once per binary: (the index of
/// the family in [`INVENTORY_FAMILIES`], the version, as written). GLIBC is left to the table's
/// glibc (which src/data.rs checks against the measurement): a release of glibc 2.19
/// exports no GLIBC_2.19, as that glibc defined no such version.
fn checkable<'a>(needs: &'a [(&str, String)]) -> Vec<(usize, Version, &'a str)> {
    needs
        .iter()
        .filter(|(prefix, _)| *prefix != "GLIBC")
        .filter_map(|(prefix, v)| {
            let family = INVENTORY_FAMILIES.iter().position(|(p, _)| p == prefix)?;
            Some((family, Version::parse(v)?, v.as_str()))
        })
        .collect()
}

/// The needs of `checkable` that a measured release does not export, as `libstdc++
/// lacks GLIBCXX_3.4.30`; empty when it exports them all or a family is not measured.
fn missing_exports(inv: &Inventory, checkable: &[(usize, Version, &str)]) -> Vec<String> {
    checkable
        .iter()
        .filter(|(family, v, _)| inv.exports_family(*family, v) == Some(false))
        .map(|(family, _, v)| {
            let (prefix, lib) = INVENTORY_FAMILIES[*family];
            format!("{lib} lacks {prefix}_{v}")
        })
        .collect()
}

/// Where a dynamic glibc binary for `arch` that needs glibc `version` runs: the known
/// releases with that glibc or newer, less those whose measured exports (inventories)
/// lack one of `needs`.
fn glibc_runs_on(arch: &str, version: &str, needs: &[(&str, String)], tables: &Tables) -> RunsOn {
    // a binary for `arch` needs at least the first glibc with that port,
    // and only releases that ship a glibc for `arch` can load it
    let need = Version::parse(version).map(|n| match tables.glibc_baseline(arch) {
        Some(b) if b > &n => b.clone(),
        _ => n,
    });
    let checkable = checkable(needs);
    let mut distributions: Vec<Distribution> = Vec::new();
    let mut excluded: Vec<ExcludedRelease> = Vec::new();
    for &(index, inventory) in tables.releases_on(arch) {
        let (rel, v) = &tables.releases[index];
        if need.as_ref().is_none_or(|n| v < n) {
            continue;
        }
        let missing = inventory
            .map(|i| missing_exports(&tables.inventories[i], &checkable))
            .unwrap_or_default();
        if missing.is_empty() {
            distributions.push(tables.distributions[index].clone());
        } else {
            excluded.push(ExcludedRelease {
                name: rel.distribution.clone(),
                release: rel.release.clone(),
                missing,
            });
        }
    }
    // the oldest satisfying release of each distribution: the table groups a
    // distribution's releases together, oldest first
    let mut summary = format!("{arch} Linux with glibc ≥ {version}: ");
    let mut last: Option<&str> = None;
    for d in &distributions {
        if last != Some(&*d.name) {
            if last.is_some() {
                summary.push_str(", ");
            }
            summary.push_str(&d.name);
            summary.push(' ');
            summary.push_str(&d.release);
            summary.push('+');
            last = Some(&d.name);
        }
    }
    if last.is_none() {
        summary.push_str("none of the known releases");
    }
    RunsOn {
        summary,
        any: false,
        distributions,
        excluded,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::analysis::testing::{elf, import, needs, pe};
    use crate::data::tables;

    fn glibc_imports(imports: &[(&str, &str, bool)]) -> Parsed {
        let mut p = needs(elf(|_| {}), &["libc.so.6"]);
        p.imports = imports
            .iter()
            .map(|(name, v, weak)| import(name, Some(v), "libc.so.6", *weak))
            .collect();
        p
    }

    fn version(r: Option<VersionRequirement>) -> Option<(String, Vec<String>)> {
        r.map(|r| (r.version, r.forced_by))
    }

    #[test]
    fn max_version_is_the_highest_non_weak_import() {
        let p = glibc_imports(&[
            ("memcpy", "GLIBC_2.14", false),
            ("stat", "GLIBC_2.33", false),
            ("fstat", "GLIBC_2.33", false),
            ("__cxa_thread_atexit_impl", "GLIBC_2.18", false),
            // weak: the binary copes without it, so it does not raise the minimum
            ("__libc_single_threaded", "GLIBC_2.35", true),
            ("_ZSt4cout", "GLIBCXX_3.4", false),
        ]);
        assert_eq!(
            version(max_version(&p, "GLIBC")),
            Some(("2.33".into(), vec!["fstat".into(), "stat".into()]))
        );
        assert_eq!(
            version(max_version(&p, "GLIBCXX")),
            Some(("3.4".into(), vec!["_ZSt4cout".into()]))
        );
        assert_eq!(max_version(&p, "CXXABI"), None);
    }

    #[test]
    fn glibc_abi_dt_relr_counts_as_glibc_2_36() {
        let relr = |imports: &[(&str, &str, bool)]| {
            let mut p = glibc_imports(imports);
            if let FormatFacts::Elf(e) = &mut p.facts {
                e.version_needs = vec![
                    ("libc.so.6".into(), "GLIBC_2.34".into()),
                    ("libc.so.6".into(), "GLIBC_ABI_DT_RELR".into()),
                ];
            }
            version(max_version(&p, "GLIBC"))
        };
        assert_eq!(
            relr(&[("pthread_create", "GLIBC_2.34", false)]),
            Some(("2.36".into(), vec!["GLIBC_ABI_DT_RELR".into()]))
        );
        assert_eq!(
            relr(&[("getrandom", "GLIBC_2.36", false)]),
            Some((
                "2.36".into(),
                vec!["GLIBC_ABI_DT_RELR".into(), "getrandom".into()]
            ))
        );
        assert_eq!(
            relr(&[("pidfd_getpid", "GLIBC_2.39", false)]),
            Some(("2.39".into(), vec!["pidfd_getpid".into()]))
        );
    }

    fn windows(p: &Parsed) -> WindowsRequirement {
        requires(p, Libc::Ucrt, Os::Windows, tables())
            .windows
            .expect("a PE has a Windows requirement")
    }

    #[test]
    fn windows_minimum_from_the_subsystem_version() {
        let p = needs(
            pe(|f| {
                f.subsystem = pe::IMAGE_SUBSYSTEM_WINDOWS_CUI.0;
                f.subsystem_version = (6, 0);
            }),
            &["KERNEL32.dll"],
        );
        let w = windows(&p);
        assert_eq!(w.subsystem, "console");
        assert_eq!(w.subsystem_version, "6.0");
        assert_eq!(w.minimum.as_deref(), Some("Windows Vista"));
        assert!(w.forced_by.is_empty());

        let gui = windows(&pe(|f| {
            f.subsystem = pe::IMAGE_SUBSYSTEM_WINDOWS_GUI.0;
            f.subsystem_version = (5, 1);
        }));
        assert_eq!(gui.subsystem, "gui");
        assert_eq!(gui.minimum.as_deref(), Some("Windows XP"));
        let odd = windows(&pe(|f| f.subsystem = 42));
        assert_eq!(odd.subsystem, "unknown-42");
    }

    #[test]
    fn windows_minimum_raised_by_imports() {
        let mut p = needs(
            pe(|f| {
                f.subsystem = pe::IMAGE_SUBSYSTEM_WINDOWS_CUI.0;
                f.subsystem_version = (6, 0);
            }),
            &["KERNEL32.dll"],
        );
        p.imports = vec![
            import("CreateFileW", None, "KERNEL32.dll", false),
            import("WaitOnAddress", None, "KERNEL32.dll", false),
            import(
                "GetSystemTimePreciseAsFileTime",
                None,
                "KERNEL32.dll",
                false,
            ),
        ];
        let w = windows(&p);
        assert_eq!(w.minimum.as_deref(), Some("Windows 8"));
        assert_eq!(
            w.forced_by,
            [
                "KERNEL32.dll!GetSystemTimePreciseAsFileTime",
                "KERNEL32.dll!WaitOnAddress"
            ]
        );
        // a later release wins and replaces the evidence
        p.imports
            .push(import("SetThreadDescription", None, "KERNEL32.dll", false));
        let w = windows(&p);
        assert_eq!(w.minimum.as_deref(), Some("Windows 10"));
        assert_eq!(w.forced_by, ["KERNEL32.dll!SetThreadDescription"]);
        // imports the subsystem version already covers are not evidence
        if let FormatFacts::Pe(pe) = &mut p.facts {
            pe.subsystem_version = (10, 0);
        }
        let w = windows(&p);
        assert_eq!(w.minimum.as_deref(), Some("Windows 10"));
        assert!(w.forced_by.is_empty());
    }

    fn freebsd(bsd_version: Option<u32>, imports: &[(&str, &str)]) -> Parsed {
        let mut p = needs(
            elf(|e| {
                e.os_note = Some("FreeBSD".into());
                e.bsd_version = bsd_version;
            }),
            &["libc.so.7"],
        );
        p.imports = imports
            .iter()
            .map(|(name, v)| import(name, Some(v), "libc.so.7", false))
            .collect();
        p
    }

    #[test]
    fn freebsd_minimum_from_the_abi_note_and_the_fbsd_versions() {
        let min = |p: &Parsed| {
            let r = requires(p, Libc::FreebsdLibc, Os::Freebsd, tables());
            assert_eq!(r.glibc, None);
            version(r.freebsd)
        };
        // the note decides: zig's default target, FreeBSD 14.0 (1400500)
        assert_eq!(
            min(&freebsd(
                Some(1_400_500),
                &[("printf", "FBSD_1.0"), ("pthread_create", "FBSD_1.0")]
            )),
            Some((
                "14.0".into(),
                vec!["ABI note: __FreeBSD_version 1400500".into()]
            ))
        );
        // a symbol version newer than the note: FBSD_1.7 opened with 14.0
        assert_eq!(
            min(&freebsd(
                Some(1_300_139),
                &[("qsort_r", "FBSD_1.7"), ("read", "FBSD_1.0")]
            )),
            Some(("14.0".into(), vec!["qsort_r@FBSD_1.7".into()]))
        );
        // both agree: both are evidence
        assert_eq!(
            min(&freebsd(
                Some(1_302_001),
                &[("copy_file_range", "FBSD_1.6")]
            )),
            Some((
                "13.2".into(),
                vec!["ABI note: __FreeBSD_version 1302001".into()]
            ))
        );
        assert_eq!(
            min(&freebsd(
                Some(1_300_000),
                &[("copy_file_range", "FBSD_1.6")]
            )),
            Some((
                "13.0".into(),
                vec![
                    "copy_file_range@FBSD_1.6".into(),
                    "ABI note: __FreeBSD_version 1300000".into()
                ]
            ))
        );
        assert_eq!(min(&freebsd(None, &[])), None);
        // every FBSD_1.x of the table maps to its release, in order
        assert!(FBSD_VERSIONS.windows(2).all(|w| w[0] < w[1]));
        assert_eq!(freebsd_release_of_osreldate(1_500_000), (15, 0));
        // a Linux binary has no FreeBSD minimum
        let linux = requires(
            &freebsd(Some(1_400_500), &[]),
            Libc::Glibc,
            Os::Linux,
            tables(),
        );
        assert_eq!(linux.freebsd, None);
    }

    #[test]
    fn netbsd_minimum_from_the_ident_note() {
        let p = needs(
            elf(|e| {
                e.os_note = Some("NetBSD".into());
                e.bsd_version = Some(1_001_000_000);
            }),
            &["libc.so.12"],
        );
        let r = requires(&p, Libc::NetbsdLibc, Os::Netbsd, tables());
        assert_eq!(
            version(r.netbsd.clone()),
            Some((
                "10.1".into(),
                vec!["ABI note: __NetBSD_Version__ 1001000000".into()]
            ))
        );
        assert_eq!(r.freebsd, None);
        let on = runs_on(
            &p,
            Linkage::Dynamic,
            Libc::NetbsdLibc,
            Os::Netbsd,
            &r,
            tables(),
        );
        assert_eq!(on.summary, "x86_64 NetBSD ≥ 10.1");
    }

    #[test]
    fn a_freebsd_binary_runs_on_freebsd_not_on_glibc_distributions() {
        let p = freebsd(Some(1_400_500), &[("printf", "FBSD_1.0")]);
        let r = requires(&p, Libc::FreebsdLibc, Os::Freebsd, tables());
        let on = runs_on(
            &p,
            Linkage::Dynamic,
            Libc::FreebsdLibc,
            Os::Freebsd,
            &r,
            tables(),
        );
        assert_eq!(on.summary, "x86_64 FreeBSD ≥ 14.0");
        assert!(on.distributions.is_empty());
    }

    #[test]
    fn linux_kernel_from_the_abi_tag_or_the_libc() {
        let kernel = |p: &Parsed, libc: Libc, os: Os| requires(p, libc, os, tables()).linux_kernel;
        let tagged = elf(|e| e.abi_tag = Some((ELF_NOTE_OS_LINUX, "3.2.0".into())));
        assert_eq!(
            kernel(&tagged, Libc::Glibc, Os::Linux).as_deref(),
            Some("3.2.0 (.note.ABI-tag)")
        );
        let musl = kernel(&elf(|_| {}), Libc::Musl, Os::Linux);
        assert!(musl.is_some_and(|k| k.starts_with("2.6.39 ")));
        assert_eq!(kernel(&tagged, Libc::Unknown, Os::Freebsd), None);
    }
}

/// `runs_on` against the distribution table: per architecture, per glibc.
#[cfg(test)]
mod runs_on_tests {
    use super::*;
    use crate::data::{tables, Release};

    /// An ELF executable for `arch`.
    fn elf(arch: &str) -> Parsed {
        let mut p = crate::analysis::testing::elf(|_| {});
        p.arch = arch.to_owned();
        p
    }

    fn needing(glibc: &str) -> Requires {
        Requires {
            glibc: Some(VersionRequirement {
                version: glibc.to_owned(),
                forced_by: vec!["memcpy".to_owned()],
                origin: Default::default(),
            }),
            ..Requires::default()
        }
    }

    fn glibc_runs_on(arch: &str, glibc: &str, t: &Tables) -> RunsOn {
        runs_on(
            &elf(arch),
            Linkage::Dynamic,
            Libc::Glibc,
            Os::Linux,
            &needing(glibc),
            t,
        )
    }

    fn oldest<'a>(r: &'a RunsOn, distribution: &str) -> Option<&'a str> {
        r.distributions
            .iter()
            .find(|d| &*d.name == distribution)
            .map(|d| &*d.release)
    }

    fn lists(r: &RunsOn, distribution: &str, release: &str) -> bool {
        r.distributions
            .iter()
            .any(|d| &*d.name == distribution && &*d.release == release)
    }

    #[test]
    fn each_arch_runs_only_where_it_shipped_and_glibc_suffices() {
        let t = tables();
        let mut needs: Vec<&str> = vec!["2.0", "2.3", "2.17", "2.27", "2.36", "2.99"];
        needs.extend(t.releases.iter().map(|(r, _)| r.glibc.as_str()));
        for (arch, base) in &t.arch_baselines {
            for need in &needs {
                let r = glibc_runs_on(arch, need, t);
                let floor = Version::parse(need).unwrap().max(base.clone());
                let want: Vec<Distribution> = t
                    .releases
                    .iter()
                    .filter(|(rel, v)| rel.has_arch(arch) && *v >= floor)
                    .map(|(rel, _)| Distribution {
                        name: rel.distribution.as_str().into(),
                        release: rel.release.as_str().into(),
                        glibc: rel.glibc.as_str().into(),
                    })
                    .collect();
                assert_eq!(r.distributions, want, "{arch} needing glibc {need}");
                assert!(!r.any);
                assert!(!r.summary.contains("++"), "{}", r.summary);
                for d in &r.distributions {
                    assert!(
                        r.summary.contains(&format!("{} ", d.name)),
                        "{} not in {}",
                        d.name,
                        r.summary
                    );
                }
            }
        }
    }

    #[test]
    fn riscv64_needing_2_27_is_not_on_rhel_or_debian_10() {
        let r = glibc_runs_on("riscv64", "2.27", tables());
        assert!(r.distributions.iter().all(|d| &*d.name != "RHEL/CentOS"));
        for old in ["10 (buster)", "11 (bullseye)", "12 (bookworm)"] {
            assert!(!lists(&r, "Debian", old), "Debian {old}");
        }
        assert_eq!(oldest(&r, "Debian"), Some("13 (trixie)"));
        assert_eq!(oldest(&r, "Ubuntu"), Some("20.04"));
        assert!(lists(&r, "Ubuntu", "25.10"));
        assert!(
            !lists(&r, "Ubuntu", "18.04"),
            "18.04 has glibc 2.27 but no riscv64"
        );
        assert!(r.summary.starts_with("riscv64 Linux with glibc ≥ 2.27: "));
        assert!(r.summary.contains("Debian 13 (trixie)+"), "{}", r.summary);
        assert!(r.summary.contains("Ubuntu 20.04+"), "{}", r.summary);
        assert!(!r.summary.contains("RHEL"), "{}", r.summary);
    }

    #[test]
    fn x86_64_needing_2_34_starts_at_fedora_35() {
        let r = glibc_runs_on("x86_64", "2.34", tables());
        assert_eq!(oldest(&r, "Fedora"), Some("35"));
        assert_eq!(
            r.summary,
            "x86_64 Linux with glibc ≥ 2.34: RHEL/CentOS 9+, Debian 12 (bookworm)+, \
             Ubuntu 21.10+, Amazon Linux 2023+, SLES 15 SP6+, openSUSE Leap 15.6+, Fedora 35+, \
             Anolis OS 23+, openEuler 24.03+"
        );
        // every listed release, oldest first within a distribution
        assert!(lists(&r, "Ubuntu", "22.10"));
        assert!(lists(&r, "SLES", "15 SP7"));
        assert!(!lists(&r, "SLES", "15 SP5"));
    }

    #[test]
    fn loongarch64_runs_on_the_releases_that_ship_it() {
        let r = glibc_runs_on("loongarch64", "2.36", tables());
        assert_eq!(
            r.summary,
            "loongarch64 Linux with glibc ≥ 2.36: Anolis OS 23+, openEuler 24.03+"
        );
        assert!(!lists(&r, "Debian", "13 (trixie)"), "a port, not released");
        let r = glibc_runs_on("loongarch64", "2.39", tables());
        assert!(r.distributions.is_empty(), "{}", r.summary);
    }

    #[test]
    fn sles_service_packs_render_once_with_one_plus() {
        let r = glibc_runs_on("x86_64", "2.31", tables());
        assert!(r.summary.contains("SLES 15 SP4+,"), "{}", r.summary);
        assert!(!r.summary.contains("++"), "{}", r.summary);
    }

    #[test]
    fn an_architecture_no_release_ships_runs_nowhere() {
        for arch in ["sparc64", "unknown-999"] {
            let r = glibc_runs_on(arch, "2.36", tables());
            assert!(r.distributions.is_empty(), "{arch}");
            assert!(
                r.summary.ends_with(": none of the known releases"),
                "{}",
                r.summary
            );
        }
    }

    #[test]
    fn the_port_baseline_raises_the_need() {
        // a table whose "Old 1" claims riscv64 with a glibc older than the riscv64 port:
        // a riscv64 binary that (oddly) asks only for 2.17 still needs 2.27
        let t = tables();
        let release = |name: &str, glibc: &str| {
            (
                Release {
                    distribution: "Old".to_owned(),
                    release: name.to_owned(),
                    glibc: glibc.to_owned(),
                    arches: vec!["riscv64".to_owned(), "x86_64".to_owned()],
                },
                Version::parse(glibc).unwrap(),
            )
        };
        let synthetic = Tables {
            releases: vec![release("1", "2.20"), release("2", "2.27")],
            arch_baselines: t.arch_baselines.clone(),
            system: t.system.clone(),
            windows_api: Vec::new(),
            go: Vec::new(),
            android: Vec::new(),
            sys_crates: Vec::new(),
            frameworks: Vec::new(),
            inventories: Vec::new(),
            measured: Vec::new(),
            on_arch: Default::default(),
            distributions: Vec::new(),
        }
        .indexed();
        let r = glibc_runs_on("riscv64", "2.17", &synthetic);
        let got: Vec<&str> = r.distributions.iter().map(|d| &*d.release).collect();
        assert_eq!(got, ["2"]);
        let r = glibc_runs_on("x86_64", "2.17", &synthetic);
        assert_eq!(r.distributions.len(), 2);
    }

    fn req(v: &str) -> Option<VersionRequirement> {
        Some(VersionRequirement {
            version: v.to_owned(),
            forced_by: vec!["f".to_owned()],
            origin: Default::default(),
        })
    }

    /// `runs_on` of a dynamic glibc ELF for `arch` with these needs (`ZLIB` through an
    /// import of libz, as the analysis finds it).
    fn runs_on_needing(arch: &str, needs: &[(&str, &str)]) -> RunsOn {
        let mut p = elf(arch);
        let mut r = Requires::default();
        for (prefix, v) in needs {
            match *prefix {
                "GLIBC" => r.glibc = req(v),
                "GLIBCXX" => r.glibcxx = req(v),
                "CXXABI" => r.cxxabi = req(v),
                "GCC" => r.gcc = req(v),
                "ZLIB" => p.imports.push(crate::analysis::testing::import(
                    "crc32_z",
                    Some(&format!("ZLIB_{v}")),
                    "libz.so.1",
                    false,
                )),
                other => panic!("{other}"),
            }
        }
        runs_on(&p, Linkage::Dynamic, Libc::Glibc, Os::Linux, &r, tables())
    }

    #[test]
    fn a_gcc12_libstdcxx_binary_does_not_run_on_rhel9() {
        let r = runs_on_needing(
            "x86_64",
            &[
                ("GLIBC", "2.34"),
                ("GLIBCXX", "3.4.30"),
                ("CXXABI", "1.3.13"),
            ],
        );
        assert!(!lists(&r, "RHEL/CentOS", "9"), "{r:?}");
        assert!(lists(&r, "RHEL/CentOS", "10"));
        assert_eq!(oldest(&r, "RHEL/CentOS"), Some("10"));
        let rhel9 = r
            .excluded
            .iter()
            .find(|e| e.name == "RHEL/CentOS" && e.release == "9")
            .expect("RHEL 9 excluded");
        assert_eq!(rhel9.missing, ["libstdc++ lacks GLIBCXX_3.4.30"]);
        assert!(r.summary.contains("RHEL/CentOS 10+"), "{}", r.summary);
        // a C program with the same glibc still runs there
        let c = runs_on_needing("x86_64", &[("GLIBC", "2.34")]);
        assert!(lists(&c, "RHEL/CentOS", "9"));
        assert!(c.excluded.is_empty());
    }

    #[test]
    fn zlib_and_libgcc_needs_are_checked_too() {
        // zlib 1.2.12's crc32_combine_gen (ZLIB_1.2.12) is not in RHEL 9's 1.2.11-based zlib
        let r = runs_on_needing("x86_64", &[("GLIBC", "2.17"), ("ZLIB", "1.2.12")]);
        let e = r
            .excluded
            .iter()
            .find(|e| e.name == "RHEL/CentOS" && e.release == "9");
        assert_eq!(
            e.map(|e| e.missing.clone()),
            Some(vec!["zlib lacks ZLIB_1.2.12".to_owned()])
        );
        let r = runs_on_needing("aarch64", &[("GLIBC", "2.17"), ("GCC", "12.0")]);
        assert!(!lists(&r, "RHEL/CentOS", "8"));
        assert!(r
            .excluded
            .iter()
            .any(|e| e.missing == ["libgcc_s lacks GCC_12.0"]));
    }

    /// Every release `runs_on` claims, on every architecture the inventories measure,
    /// exports each need of the binary there; every measured release whose glibc is new
    /// enough and that exports them all is claimed; and an excluded release is measured
    /// and really lacks what it names.
    #[test]
    fn every_claim_holds_against_the_inventories() {
        let t = tables();
        let need_sets: &[&[(&str, &str)]] = &[
            &[("GLIBC", "2.17")],
            &[
                ("GLIBC", "2.17"),
                ("GLIBCXX", "3.4.19"),
                ("CXXABI", "1.3.7"),
                ("GCC", "4.2.0"),
            ],
            &[("GLIBC", "2.28"), ("GLIBCXX", "3.4.25"), ("GCC", "7.0")],
            &[
                ("GLIBC", "2.28"),
                ("GLIBCXX", "3.4.26"),
                ("CXXABI", "1.3.11"),
            ],
            &[("GLIBC", "2.31"), ("GLIBCXX", "3.4.29")],
            &[
                ("GLIBC", "2.34"),
                ("GLIBCXX", "3.4.30"),
                ("CXXABI", "1.3.13"),
            ],
            &[("GLIBC", "2.34"), ("GLIBCXX", "3.4.32"), ("GCC", "13.0")],
            &[("GLIBC", "2.35"), ("GCC", "12.0")],
            &[("GLIBC", "2.17"), ("ZLIB", "1.2.9")],
            &[("GLIBC", "2.38"), ("GLIBCXX", "3.4.33"), ("ZLIB", "1.2.12")],
        ];
        let mut arches: Vec<&str> = t.inventories.iter().map(|i| i.arch.as_str()).collect();
        arches.sort_unstable();
        arches.dedup();
        assert!(arches.len() >= 7, "{arches:?}");
        let mut claims = 0;
        for arch in &arches {
            for needs in need_sets {
                let r = runs_on_needing(arch, needs);
                let exports_all = |inv: &crate::data::Inventory| {
                    needs.iter().all(|(p, v)| {
                        let v = Version::parse(v).unwrap();
                        inv.exports(p, &v) == Some(true)
                    })
                };
                for (rel, glibc) in &t.releases {
                    let Some(inv) = t.inventory(rel, arch) else {
                        continue;
                    };
                    let claimed = lists(&r, &rel.distribution, &rel.release);
                    let at = format!("{arch} {needs:?} {} {}", rel.distribution, rel.release);
                    if claimed {
                        claims += 1;
                        assert!(
                            exports_all(inv),
                            "{at}: claimed, but {} lacks a need",
                            inv.pep600
                        );
                    }
                    let glibc_ok = t
                        .glibc_baseline(arch)
                        .into_iter()
                        .chain([&Version::parse(needs[0].1).unwrap()])
                        .all(|n| glibc >= n);
                    if glibc_ok && exports_all(inv) {
                        assert!(claimed, "{at}: exports every need but is not claimed");
                    }
                }
                for e in &r.excluded {
                    let (rel, _) = t
                        .releases
                        .iter()
                        .find(|(x, _)| x.distribution == e.name && x.release == e.release)
                        .unwrap();
                    let inv = t.inventory(rel, arch).expect("excluded only when measured");
                    assert!(!exports_all(inv) && !e.missing.is_empty());
                }
            }
        }
        assert!(claims > 200, "{claims} claims checked");
    }
}
