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
    match &p.facts {
        FormatFacts::Elf(e) => elf_linker(p.kind, e),
        FormatFacts::Macho(m) => macho_linker(m),
        FormatFacts::Pe(pe) => pe_linker(pe),
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
    }
    h
}
