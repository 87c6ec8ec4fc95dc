//! Which linker produced the binary, and its hardening flags.

use goblin::mach::load_command::{TOOL_LD, TOOL_LLD};
use object::pe::{IMAGE_DLLCHARACTERISTICS_DYNAMIC_BASE, IMAGE_DLLCHARACTERISTICS_NX_COMPAT};

use crate::inspect::{ElfFacts, FormatFacts, MachoFacts, Parsed, PeFacts};
use crate::model::{Hardening, Kind, LinkerInfo, Relro};

/// The LC_BUILD_VERSION tool number zig's own Mach-O linker records (also under
/// `cargo zigbuild`). Apple defines none for it: zig's `std.macho.TOOL` says 5
/// unofficially, and neither goblin nor object names it.
const TOOL_ZIG: u32 = 5;

fn info(name: &str, version: Option<String>, evidence: String, inferred: bool) -> LinkerInfo {
    LinkerInfo {
        name: name.to_owned(),
        version,
        evidence,
        inferred,
    }
}

pub(crate) fn linker(p: &Parsed) -> LinkerInfo {
    if let Some(go) = super::golang::linker(p) {
        return go;
    }
    match &p.facts {
        FormatFacts::Elf(e) => elf_linker(p.kind, e),
        FormatFacts::Macho(m) => macho_linker(m),
        FormatFacts::Pe(pe) => pe_linker(pe),
        // AIX's ld and GNU ld leave no mark in an XCOFF file
        FormatFacts::Xcoff(_) => info("unknown", None, "XCOFF records no linker".into(), false),
    }
}

/// LLD and mold sign `.comment`, gold leaves a note; GNU ld leaves nothing.
fn elf_linker(kind: Kind, e: &ElfFacts) -> LinkerInfo {
    for c in &e.comment {
        if let Some(rest) = c.strip_prefix("Linker: LLD ") {
            let v = rest.split_whitespace().next().map(str::to_owned);
            return info("lld", v, format!(".comment: {c}"), false);
        }
        if let Some(rest) = c.strip_prefix("mold ") {
            let v = rest.split_whitespace().next().map(str::to_owned);
            return info("mold", v, format!(".comment: {c}"), false);
        }
    }
    if let Some(g) = &e.gold_version {
        let v = g.strip_prefix("gold ").map(str::to_owned);
        return info("gold", v, format!(".note.gnu.gold-version: {g}"), false);
    }
    if kind == Kind::Other {
        return info("unknown", None, "not a linked image".into(), false);
    }
    info(
        "gnu-ld",
        None,
        "no LLD, mold or gold mark in .comment or notes; GNU ld leaves none".into(),
        true,
    )
}

fn macho_linker(m: &MachoFacts) -> LinkerInfo {
    // LC_BUILD_VERSION tools: ld (ld64), lld or zig's linker; clang and swift
    // are compilers
    for (tool, ver) in &m.tools {
        match *tool {
            TOOL_LD => {
                return info(
                    "ld64",
                    Some(ver.clone()),
                    format!("LC_BUILD_VERSION tool ld {ver}"),
                    false,
                )
            }
            TOOL_LLD => {
                return info(
                    "lld",
                    Some(ver.clone()),
                    format!("LC_BUILD_VERSION tool lld {ver}"),
                    false,
                )
            }
            TOOL_ZIG => {
                return info(
                    "zig",
                    Some(ver.clone()),
                    format!("LC_BUILD_VERSION tool 5 (zig's linker) {ver}"),
                    false,
                )
            }
            _ => {}
        }
    }
    info(
        "unknown",
        None,
        "no known linker tool in LC_BUILD_VERSION".into(),
        false,
    )
}

/// MSVC's link.exe leaves a Rich header; GNU ld and lld-link write their own version
/// as the linker version.
fn pe_linker(pe: &PeFacts) -> LinkerInfo {
    let (major, minor) = pe.linker_version;
    let v = Some(format!("{major}.{minor}"));
    if pe.has_rich_header {
        info(
            "msvc-link",
            v,
            format!("Rich header, linker version {major}.{minor}"),
            false,
        )
    } else if major == 2 {
        info(
            "gnu-ld",
            Some(format!("2.{minor}")),
            format!("linker version {major}.{minor} (GNU ld writes the binutils version)"),
            true,
        )
    } else if major == 14 {
        info(
            "lld-link",
            v,
            format!("linker version {major}.{minor} without a Rich header"),
            true,
        )
    } else {
        info(
            "unknown",
            v,
            format!("linker version {major}.{minor}"),
            false,
        )
    }
}

pub(crate) fn hardening(p: &Parsed) -> Hardening {
    let canary = p
        .hardening_symbols
        .iter()
        .any(|s| s.starts_with("__stack_chk_"));
    let fortified: Vec<String> = p
        .hardening_symbols
        .iter()
        .filter(|s| !s.starts_with("__stack_chk_") && s.ends_with("_chk"))
        .cloned()
        .collect();
    let mut h = Hardening {
        stack_canary: canary,
        fortify: !fortified.is_empty(),
        fortified,
        ..Hardening::default()
    };
    match &p.facts {
        FormatFacts::Elf(e) => {
            h.pie = e.et_dyn;
            h.relro = Some(match (e.has_relro, e.bind_now) {
                (false, _) => Relro::None,
                (true, false) => Relro::Partial,
                (true, true) => Relro::Full,
            });
            h.nx = e.gnu_stack_exec == Some(false);
        }
        FormatFacts::Macho(m) => {
            h.pie = m.flag_pie || p.kind != Kind::Executable;
            h.nx = !m.allow_stack_execution;
        }
        FormatFacts::Pe(pe) => {
            h.pie = pe.dll_characteristics & IMAGE_DLLCHARACTERISTICS_DYNAMIC_BASE.0 != 0;
            h.nx = pe.dll_characteristics & IMAGE_DLLCHARACTERISTICS_NX_COMPAT.0 != 0;
        }
        // XCOFF has no flag for either: AIX decides by its own settings
        FormatFacts::Xcoff(_) => {}
    }
    h
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::analysis::testing::{elf, macho, pe};
    use goblin::mach::load_command::TOOL_CLANG;

    fn name_version(l: &LinkerInfo) -> (&str, Option<&str>, bool) {
        (l.name.as_str(), l.version.as_deref(), l.inferred)
    }

    #[test]
    fn elf_linker_from_comment_and_gold_note() {
        let lld = linker(&elf(|e| {
            e.comment = vec![
                "GCC: (Debian 12.2.0-14) 12.2.0".into(),
                "Linker: LLD 19.1.7".into(),
            ]
        }));
        assert_eq!(name_version(&lld), ("lld", Some("19.1.7"), false));
        assert_eq!(lld.evidence, ".comment: Linker: LLD 19.1.7");
        let mold = linker(&elf(|e| {
            e.comment = vec!["mold 2.32.0 (compatible with GNU ld)".into()]
        }));
        assert_eq!(name_version(&mold), ("mold", Some("2.32.0"), false));
        let gold = linker(&elf(|e| e.gold_version = Some("gold 1.16".into())));
        assert_eq!(name_version(&gold), ("gold", Some("1.16"), false));
    }

    #[test]
    fn elf_without_marks_is_gnu_ld_by_inference() {
        let p = elf(|e| e.comment = vec!["GCC: (Debian 12.2.0-14) 12.2.0".into()]);
        assert_eq!(name_version(&linker(&p)), ("gnu-ld", None, true));
        let mut object = elf(|_| {});
        object.kind = Kind::Other;
        assert_eq!(name_version(&linker(&object)), ("unknown", None, false));
    }

    #[test]
    fn macho_linker_from_build_version_tools() {
        let tools = |t: u32| {
            linker(&macho(|m| {
                m.tools = vec![(TOOL_CLANG, "17.0".into()), (t, "1053.12".into())]
            }))
        };
        assert_eq!(
            name_version(&tools(TOOL_LD)),
            ("ld64", Some("1053.12"), false)
        );
        assert_eq!(
            name_version(&tools(TOOL_LLD)),
            ("lld", Some("1053.12"), false)
        );
        assert_eq!(
            name_version(&tools(TOOL_ZIG)),
            ("zig", Some("1053.12"), false)
        );
        let clang_only = linker(&macho(|m| m.tools = vec![(TOOL_CLANG, "17.0".into())]));
        assert_eq!(name_version(&clang_only), ("unknown", None, false));
    }

    #[test]
    fn pe_linker_from_rich_header_and_linker_version() {
        let version = |v: (u8, u8), rich: bool| {
            linker(&pe(|f| {
                f.linker_version = v;
                f.has_rich_header = rich;
            }))
        };
        assert_eq!(
            name_version(&version((14, 38), true)),
            ("msvc-link", Some("14.38"), false)
        );
        assert_eq!(
            name_version(&version((14, 0), false)),
            ("lld-link", Some("14.0"), true)
        );
        assert_eq!(
            name_version(&version((2, 40), false)),
            ("gnu-ld", Some("2.40"), true)
        );
        assert_eq!(
            name_version(&version((6, 0), false)),
            ("unknown", Some("6.0"), false)
        );
    }

    #[test]
    fn elf_hardening() {
        let mut p = elf(|e| {
            e.et_dyn = true;
            e.has_relro = true;
            e.bind_now = true;
            e.gnu_stack_exec = Some(false);
        });
        p.hardening_symbols = vec!["__memcpy_chk".into(), "__stack_chk_fail".into()];
        let h = hardening(&p);
        assert!(h.pie && h.nx && h.stack_canary && h.fortify);
        assert_eq!(h.relro, Some(Relro::Full));
        assert_eq!(h.fortified, ["__memcpy_chk"]);

        let partial = hardening(&elf(|e| e.has_relro = true));
        assert_eq!(partial.relro, Some(Relro::Partial));
        // no PT_GNU_STACK: the stack is executable
        assert!(!partial.pie && !partial.nx && !partial.stack_canary && !partial.fortify);
        assert_eq!(hardening(&elf(|_| {})).relro, Some(Relro::None));
    }

    #[test]
    fn macho_and_pe_hardening() {
        let exe = hardening(&macho(|m| m.flag_pie = true));
        assert!(exe.pie && exe.nx && exe.relro.is_none());
        let mut dylib = macho(|m| m.allow_stack_execution = true);
        dylib.kind = Kind::SharedLibrary;
        let dylib = hardening(&dylib);
        assert!(dylib.pie && !dylib.nx);

        let flags = IMAGE_DLLCHARACTERISTICS_DYNAMIC_BASE.0 | IMAGE_DLLCHARACTERISTICS_NX_COMPAT.0;
        let both = hardening(&pe(|f| f.dll_characteristics = flags));
        assert!(both.pie && both.nx && both.relro.is_none());
        let neither = hardening(&pe(|_| {}));
        assert!(!neither.pie && !neither.nx);
    }
}
