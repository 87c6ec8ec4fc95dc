//! Mach-O: thin and universal files, dylib load commands, the two-level namespace,
//! LC_BUILD_VERSION / LC_VERSION_MIN_*.

use std::mem::{offset_of, size_of};

use goblin::mach::header::{
    self as mh, Header32, MH_ALLOW_STACK_EXECUTION, MH_NO_HEAP_EXECUTION, MH_PIE, MH_TWOLEVEL,
    SIZEOF_HEADER_32, SIZEOF_HEADER_64,
};
use goblin::mach::load_command::{
    BuildToolVersion, BuildVersionCommand, CommandVariant as Lc, EntryPointCommand,
    SegmentCommand32, SegmentCommand64, LC_MAIN, LC_SEGMENT, LC_SEGMENT_64, PLATFORM_IOS,
    PLATFORM_MACOS, SIZEOF_LOAD_COMMAND,
};
use goblin::mach::symbols::{N_EXT, N_STAB, N_TYPE, N_UNDF, N_WEAK_REF};
use goblin::mach::{constants::cputype as cpu, Mach, MachO};

use super::{
    is_hardening_symbol, malformed, FormatFacts, InspectError, MachoFacts, Parsed, RawLibrary,
};
use crate::model::{Endian, Format, Import, Kind, LibraryLoad, Slice};

/// The highest library ordinal of a two-level namespace symbol (`<mach-o/nlist.h>`
/// MAX_LIBRARY_ORDINAL; goblin does not name it). 0 is the image itself; 0xfe and 0xff
/// are the executable and the flat (dynamic) lookup.
const MAX_LIBRARY_ORDINAL: u16 = 0xfd;

/// The library ordinal of an undefined symbol (`<mach-o/nlist.h>` GET_LIBRARY_ORDINAL).
fn library_ordinal(n_desc: u16) -> u16 {
    (n_desc >> 8) & 0xff
}

pub(super) fn parse(data: &[u8]) -> Result<Vec<Parsed>, InspectError> {
    check_entry_point(data).map_err(|e| malformed("Mach-O", e))?;
    match Mach::parse(data).map_err(|e| malformed("Mach-O", e))? {
        Mach::Binary(m) => Ok(vec![parse_one(&m, data, None)?]),
        Mach::Fat(fat) => {
            let arches = fat.arches().map_err(|e| malformed("universal Mach-O", e))?;
            let mut out = Vec::with_capacity(arches.len());
            for (index, a) in arches.iter().enumerate() {
                let (offset, size) = (a.offset as usize, a.size as usize);
                let bytes = offset
                    .checked_add(size)
                    .and_then(|end| data.get(offset..end))
                    .ok_or_else(|| {
                        malformed(
                            "universal Mach-O",
                            format!(
                                "slice {index} ({offset}+{size}) lies beyond the end of the file"
                            ),
                        )
                    })?;
                let m = check_entry_point(bytes)
                    .and_then(|()| MachO::parse(bytes, 0).map_err(|e| e.to_string()))
                    .map_err(|e| malformed("universal Mach-O", format!("slice {index}: {e}")))?;
                let slice = Slice {
                    index,
                    offset: offset as u64,
                    size: size as u64,
                };
                out.push(parse_one(&m, bytes, Some(slice))?);
            }
            Ok(out)
        }
    }
}

/// goblin 0.10 computes the `LC_MAIN` entry address as `__TEXT.vmaddr -
/// __TEXT.fileoff + entryoff` unchecked, which panics on overflow in debug builds
/// (found by `fuzz/`). Refuse such a file before goblin parses it. Anything else that
/// is wrong with the load commands is left for goblin to report.
fn check_entry_point(data: &[u8]) -> Result<(), String> {
    // the magic read big-endian: MH_CIGAM* when the file is little-endian
    let (little, is_64) = match read_u32(data, 0, false) {
        Some(mh::MH_CIGAM) => (true, false),
        Some(mh::MH_CIGAM_64) => (true, true),
        Some(mh::MH_MAGIC) => (false, false),
        Some(mh::MH_MAGIC_64) => (false, true),
        _ => return Ok(()), // universal: each slice is checked on its own
    };
    let u32_at = |at: usize| read_u32(data, at, little);
    let u64_at = |at: usize| {
        let (lo, hi) = (u32_at(at)?, u32_at(at.checked_add(4)?)?);
        Some(if little {
            u64::from(hi) << 32 | u64::from(lo)
        } else {
            u64::from(lo) << 32 | u64::from(hi)
        })
    };
    // ncmds is at the same offset in the 32- and 64-bit headers
    let Some(ncmds) = u32_at(offset_of!(Header32, ncmds)) else {
        return Ok(());
    };
    let mut at: usize = if is_64 {
        SIZEOF_HEADER_64
    } else {
        SIZEOF_HEADER_32
    };
    let (mut text, mut entry) = (None, None);
    for _ in 0..ncmds {
        let (Some(cmd), Some(size)) = (u32_at(at), u32_at(at + 4)) else {
            break;
        };
        // segname is at the same offset in both segment commands
        let name = at + offset_of!(SegmentCommand64, segname);
        let is_text = || data.get(name..name + 7) == Some(b"__TEXT\0".as_slice());
        match cmd {
            LC_SEGMENT_64 if text.is_none() && is_text() => {
                text = u64_at(at + offset_of!(SegmentCommand64, vmaddr))
                    .zip(u64_at(at + offset_of!(SegmentCommand64, fileoff)));
            }
            LC_SEGMENT if text.is_none() && is_text() => {
                text = u32_at(at + offset_of!(SegmentCommand32, vmaddr))
                    .zip(u32_at(at + offset_of!(SegmentCommand32, fileoff)))
                    .map(|(v, f)| (u64::from(v), u64::from(f)));
            }
            LC_MAIN if entry.is_none() => {
                entry = u64_at(at + offset_of!(EntryPointCommand, entryoff));
            }
            _ => {}
        }
        if (size as usize) < SIZEOF_LOAD_COMMAND {
            break;
        }
        at += size as usize;
    }
    match (text, entry) {
        (Some((vmaddr, fileoff)), Some(entryoff))
            if vmaddr
                .checked_sub(fileoff)
                .and_then(|base| base.checked_add(entryoff))
                .is_none() =>
        {
            Err(format!(
                "LC_MAIN entry offset {entryoff:#x} does not fit __TEXT \
                 (vmaddr {vmaddr:#x}, fileoff {fileoff:#x})"
            ))
        }
        _ => Ok(()),
    }
}

/// Read an `lc_str` (offset from the start of the load command) as a string.
fn lc_str(data: &[u8], cmd_offset: usize, str_offset: u32) -> Option<String> {
    let start = cmd_offset.checked_add(str_offset as usize)?;
    let bytes = data.get(start..)?;
    let end = bytes.iter().position(|b| *b == 0)?;
    Some(String::from_utf8_lossy(&bytes[..end]).into_owned())
}

fn read_u32(data: &[u8], at: usize, little: bool) -> Option<u32> {
    let b: [u8; 4] = data.get(at..at.checked_add(4)?)?.try_into().ok()?;
    Some(if little {
        u32::from_le_bytes(b)
    } else {
        u32::from_be_bytes(b)
    })
}

/// `xxxx.yy.zz` nibble-encoded version, printed as otool does.
pub(crate) fn packed_version(v: u32) -> String {
    format!("{}.{}.{}", v >> 16, (v >> 8) & 0xff, v & 0xff)
}

/// A minimum-OS, SDK or build-tool version, as otool prints them: `14.0`, `10.12`,
/// `10.12.1`.
fn os_version(v: u32) -> String {
    let (major, minor, patch) = (v >> 16, (v >> 8) & 0xff, v & 0xff);
    if patch == 0 {
        format!("{major}.{minor}")
    } else {
        format!("{major}.{minor}.{patch}")
    }
}

/// cargo-auditable's `__DATA,.dep-v0` section, read.
fn dep_v0(m: &MachO<'_>) -> Result<Option<Vec<crate::model::Crate>>, InspectError> {
    for seg in m
        .segments
        .iter()
        .filter(|s| s.name().ok() == Some("__DATA"))
    {
        let sections = seg.sections().map_err(|e| malformed("Mach-O", e))?;
        for (s, bytes) in sections {
            if s.name().ok() == Some(super::auditable::SECTION) {
                return super::auditable::crates("Mach-O", bytes).map(Some);
            }
        }
    }
    Ok(None)
}

/// Go's linker names its sections `__go_buildinfo` and `__gopclntab`.
fn has_go_sections(m: &MachO<'_>) -> bool {
    m.segments.iter().any(|seg| {
        seg.sections().is_ok_and(|sections| {
            sections.iter().any(|(s, _)| {
                s.name()
                    .is_ok_and(|n| n == "__go_buildinfo" || n == "__gopclntab")
            })
        })
    })
}

fn parse_one(m: &MachO<'_>, data: &[u8], slice: Option<Slice>) -> Result<Parsed, InspectError> {
    for seg in m.segments.iter() {
        let name = seg.name().unwrap_or("?");
        super::check_within(
            "Mach-O",
            &format!("segment {name}"),
            seg.fileoff,
            seg.filesize,
            data.len(),
        )?;
    }
    let h = &m.header;
    let kind = match h.filetype {
        mh::MH_EXECUTE => Kind::Executable,
        mh::MH_DYLIB | mh::MH_BUNDLE | mh::MH_DYLINKER => Kind::SharedLibrary,
        _ => Kind::Other,
    };
    let mut facts = MachoFacts {
        flag_pie: h.flags & MH_PIE != 0,
        allow_stack_execution: h.flags & MH_ALLOW_STACK_EXECUTION != 0,
        no_heap_execution: h.flags & MH_NO_HEAP_EXECUTION != 0,
        ..MachoFacts::default()
    };
    let commands = read_load_commands(m, data, &mut facts);
    let (imports, hardening_symbols) = imports(m, &commands.libraries);

    Ok(Parsed {
        format: Format::Macho,
        arch: arch_name(h.cputype),
        bits: if m.is_64 { 64 } else { 32 },
        endian: if m.little_endian {
            Endian::Little
        } else {
            Endian::Big
        },
        kind,
        slice,
        interpreter: commands.interpreter,
        rpath: m.rpaths.iter().map(|s| (*s).to_owned()).collect(),
        runpath: Vec::new(),
        libraries: commands.libraries,
        imports,
        hardening_symbols,
        crates: dep_v0(m)?,
        go: if has_go_sections(m) {
            super::go_info("Mach-O", data, None)?
        } else {
            None
        },
        facts: FormatFacts::Macho(facts),
    })
}

fn arch_name(cputype: u32) -> String {
    match cputype {
        cpu::CPU_TYPE_X86_64 => "x86_64".to_owned(),
        cpu::CPU_TYPE_X86 => "x86".to_owned(),
        cpu::CPU_TYPE_ARM64 => "aarch64".to_owned(),
        cpu::CPU_TYPE_ARM64_32 => "arm64_32".to_owned(),
        cpu::CPU_TYPE_ARM => "arm".to_owned(),
        cpu::CPU_TYPE_POWERPC => "powerpc".to_owned(),
        cpu::CPU_TYPE_POWERPC64 => "powerpc64".to_owned(),
        c => format!("unknown-{c:#x}"),
    }
}

/// What the load commands say besides the platform facts.
struct LoadCommands {
    /// LC_LOAD_DYLINKER.
    interpreter: Option<String>,
    /// The dylib load commands, in order: two-level namespace ordinals index them.
    libraries: Vec<RawLibrary>,
}

/// Dylibs and the dylinker; platform, minimum OS, SDK and tools go to `facts`.
fn read_load_commands(m: &MachO<'_>, data: &[u8], facts: &mut MachoFacts) -> LoadCommands {
    let mut interpreter = None;
    let mut libraries = Vec::new();
    for lc in &m.load_commands {
        let dylib = |c: &goblin::mach::load_command::DylibCommand, load| RawLibrary {
            name: lc_str(data, lc.offset, c.dylib.name).unwrap_or_default(),
            load,
            compatibility_version: Some(packed_version(c.dylib.compatibility_version)),
            current_version: Some(packed_version(c.dylib.current_version)),
        };
        match &lc.command {
            Lc::LoadDylib(c) => libraries.push(dylib(c, LibraryLoad::Needed)),
            Lc::LoadWeakDylib(c) => libraries.push(dylib(c, LibraryLoad::Weak)),
            Lc::ReexportDylib(c) => libraries.push(dylib(c, LibraryLoad::Reexport)),
            Lc::LazyLoadDylib(c) => libraries.push(dylib(c, LibraryLoad::Lazy)),
            Lc::LoadUpwardDylib(c) => libraries.push(dylib(c, LibraryLoad::Upward)),
            Lc::LoadDylinker(c) => interpreter = lc_str(data, lc.offset, c.name),
            Lc::BuildVersion(c) => {
                facts.platform = Some(c.platform);
                facts.min_os = Some(os_version(c.minos));
                facts.sdk = Some(os_version(c.sdk));
                facts
                    .tools
                    .extend(build_tools(data, lc.offset, c, m.little_endian));
            }
            Lc::VersionMinMacosx(c) => {
                facts.platform.get_or_insert(PLATFORM_MACOS);
                facts.min_os.get_or_insert_with(|| os_version(c.version));
                facts.sdk.get_or_insert_with(|| os_version(c.sdk));
            }
            Lc::VersionMinIphoneos(c) => {
                facts.platform.get_or_insert(PLATFORM_IOS);
                facts.min_os.get_or_insert_with(|| os_version(c.version));
                facts.sdk.get_or_insert_with(|| os_version(c.sdk));
            }
            _ => {}
        }
    }
    LoadCommands {
        interpreter,
        libraries,
    }
}

/// The (tool, version) records that follow an LC_BUILD_VERSION (at most 16), which
/// goblin does not read.
fn build_tools(
    data: &[u8],
    cmd_offset: usize,
    c: &BuildVersionCommand,
    little: bool,
) -> Vec<(u32, String)> {
    let mut tools = Vec::new();
    for t in 0..c.ntools.min(16) as usize {
        let at = cmd_offset + size_of::<BuildVersionCommand>() + t * size_of::<BuildToolVersion>();
        if let (Some(tool), Some(ver)) =
            (read_u32(data, at, little), read_u32(data, at + 4, little))
        {
            tools.push((tool, os_version(ver)));
        }
    }
    tools
}

/// The external undefined symbols, each with its dylib in a two-level namespace
/// image; and the hardening symbols among them (without the leading `_`), sorted.
fn imports(m: &MachO<'_>, libraries: &[RawLibrary]) -> (Vec<Import>, Vec<String>) {
    let two_level = m.header.flags & MH_TWOLEVEL != 0;
    let mut imports = Vec::new();
    let mut hardening_symbols = Vec::new();
    for sym in m.symbols() {
        let Ok((name, nl)) = sym else { break };
        if nl.n_type & N_STAB != 0
            || nl.n_type & N_TYPE != N_UNDF
            || nl.n_type & N_EXT == 0
            || nl.n_value != 0
            || name.is_empty()
        {
            continue;
        }
        let ordinal = library_ordinal(nl.n_desc);
        let library = if two_level && (1..=MAX_LIBRARY_ORDINAL).contains(&ordinal) {
            libraries
                .get(usize::from(ordinal) - 1)
                .map(|l| l.name.clone())
        } else {
            None
        };
        let c_name = name.strip_prefix('_').unwrap_or(name);
        if is_hardening_symbol(c_name) {
            hardening_symbols.push(c_name.to_owned());
        }
        imports.push(Import {
            name: name.to_owned(),
            version: None,
            library,
            weak: nl.n_desc & N_WEAK_REF != 0,
            ordinal: None,
            origin: Vec::new(),
        });
    }
    hardening_symbols.sort();
    hardening_symbols.dedup();
    (imports, hardening_symbols)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn versions_print_like_otool() {
        assert_eq!(packed_version(0x0547_0000), "1351.0.0");
        assert_eq!(packed_version(0x0001_0000), "1.0.0");
        assert_eq!(os_version(0x000b_0000), "11.0");
        assert_eq!(os_version(0x000a_0c01), "10.12.1");
    }
}
