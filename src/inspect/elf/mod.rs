//! ELF: program headers, dynamic section, version needs, dynamic symbols, notes.
//! One submodule per part of the file, as goblin's `elf/` has them.

mod dynamic;
mod notes;
mod symtab;
mod symver;

use goblin::elf::{header, program_header as ph, Elf};

use self::symver::VersionTable;
use super::{malformed, ElfFacts, FormatFacts, InspectError, Parsed};
use crate::model::{Endian, Format, Kind};
use crate::platform::names::{version_mark, VersionMark};

pub(super) fn parse(data: &[u8]) -> Result<Parsed, InspectError> {
    check_header_tables(data)?;
    let elf = Elf::parse(data).map_err(|e| malformed("ELF", e))?;
    check_load_segments(&elf, data.len())?;
    let h = &elf.header;

    let bits = if elf.is_64 { 64 } else { 32 };
    let endian = if elf.little_endian {
        Endian::Little
    } else {
        Endian::Big
    };
    let arch = arch_name(h.e_machine, bits, elf.little_endian);

    let mut facts = ElfFacts {
        et_dyn: h.e_type == header::ET_DYN,
        soname: elf.soname.map(|s| until_nul(s).to_owned()),
        e_osabi: h.e_ident[header::EI_OSABI],
        ..ElfFacts::default()
    };
    dynamic::read_segments(&elf, &mut facts);
    dynamic::read_flags(&elf, &mut facts);
    notes::read_notes(&elf, data, &mut facts);
    facts.comment = notes::comment(&elf, data);

    let versions = VersionTable::new(&elf);
    facts.version_needs = versions.needs.clone();
    let mut hardening_symbols = Vec::new();
    let imports = symtab::imports(&elf, &versions, &mut hardening_symbols);
    let libraries = dynamic::libraries(&elf);
    facts.has_symtab = !elf.syms.is_empty();
    if libraries.is_empty() {
        symtab::read_static(&elf, data, &mut facts, &mut hardening_symbols);
    }
    hardening_symbols.sort();
    hardening_symbols.dedup();
    read_threads_and_allocator(data, &imports, libraries.is_empty(), &mut facts);

    Ok(Parsed {
        format: Format::Elf,
        arch,
        bits,
        endian,
        kind: kind(&elf, &facts),
        slice: None,
        interpreter: elf.interpreter.map(|s| until_nul(s).to_owned()),
        rpath: dynamic::split_paths(&elf.rpaths),
        runpath: dynamic::split_paths(&elf.runpaths),
        libraries,
        imports,
        hardening_symbols,
        crates: dep_v0(&elf, data)?,
        go: if has_go_sections(&elf) {
            super::go_info("ELF", data, go_buildinfo_offset(&elf))?
        } else {
            None
        },
        facts: FormatFacts::Elf(facts),
    })
}

/// Whether the binary starts threads and, for one that does and does not need glibc
/// (musl's allocator is the question), which replacement allocator it carries.
fn read_threads_and_allocator(
    data: &[u8],
    imports: &[crate::model::Import],
    no_libraries: bool,
    facts: &mut ElfFacts,
) {
    let started = |name: &str| {
        super::symbols::THREAD_FUNCTIONS
            .contains(&name)
            .then(|| name.to_owned())
    };
    facts.starts_threads = imports
        .iter()
        .find_map(|i| started(&i.name))
        .or_else(|| facts.static_symbols.iter().find_map(|s| started(s)))
        .or_else(|| {
            // a stripped static binary: the strings its thread code leaves
            (no_libraries && !facts.has_symtab)
                .then(|| {
                    super::symbols::THREAD_STRINGS
                        .iter()
                        .find_map(|(mark, whose)| {
                            memchr::memmem::find(data, mark).map(|_| {
                                format!(
                                    "{} (string in a stripped binary: {whose})",
                                    String::from_utf8_lossy(mark)
                                )
                            })
                        })
                })
                .flatten()
        });
    let glibc = facts
        .version_needs
        .iter()
        .any(|(_, v)| version_mark(v) == Some(VersionMark::Glibc));
    if facts.starts_threads.is_some() && !glibc {
        facts.allocator = super::symbols::allocator_mark(data);
    }
}

/// cargo-auditable's `.dep-v0` section, read.
fn dep_v0(elf: &Elf<'_>, data: &[u8]) -> Result<Option<Vec<crate::model::Crate>>, InspectError> {
    let Some(s) = elf
        .section_headers
        .iter()
        .find(|s| elf.shdr_strtab.get_at(s.sh_name) == Some(super::auditable::SECTION))
    else {
        return Ok(None);
    };
    let bytes = usize::try_from(s.sh_offset)
        .ok()
        .zip(usize::try_from(s.sh_size).ok())
        .and_then(|(o, n)| data.get(o..o.checked_add(n)?))
        .ok_or_else(|| malformed("ELF", "the .dep-v0 section lies outside the file"))?;
    super::auditable::crates("ELF", bytes).map(Some)
}

/// Go's linker leaves its marks in the section names: `.go.buildinfo` (Go 1.18+),
/// `.gopclntab`, `.note.go.buildid`. Only such files are searched for Go's build
/// information, which keeps the search off every other binary.
fn has_go_sections(elf: &Elf<'_>) -> bool {
    elf.section_headers.iter().any(|s| {
        elf.shdr_strtab.get_at(s.sh_name).is_some_and(|n| {
            n.starts_with(".go.") || n.starts_with(".note.go.") || n.ends_with(".gopclntab")
        })
    })
}

/// Where `.go.buildinfo` (Go 1.18+) starts in the file: the header is there.
fn go_buildinfo_offset(elf: &Elf<'_>) -> Option<usize> {
    elf.section_headers
        .iter()
        .find(|s| elf.shdr_strtab.get_at(s.sh_name) == Some(".go.buildinfo"))
        .and_then(|s| usize::try_from(s.sh_offset).ok())
}

/// The program and section header tables lie within the file: checked before goblin
/// parses them, for a message that says "truncated" when it is.
fn check_header_tables(data: &[u8]) -> Result<(), InspectError> {
    let h = Elf::parse_header(data).map_err(|e| malformed("ELF", e))?;
    let (ph_size, sh_size) = (
        u64::from(h.e_phnum) * u64::from(h.e_phentsize),
        u64::from(h.e_shnum) * u64::from(h.e_shentsize),
    );
    super::check_within(
        "ELF",
        "the program header table",
        h.e_phoff,
        ph_size,
        data.len(),
    )?;
    super::check_within(
        "ELF",
        "the section header table",
        h.e_shoff,
        sh_size,
        data.len(),
    )
}

fn check_load_segments(elf: &Elf<'_>, len: usize) -> Result<(), InspectError> {
    for p in elf
        .program_headers
        .iter()
        .filter(|p| p.p_type == ph::PT_LOAD)
    {
        super::check_within("ELF", "a PT_LOAD segment", p.p_offset, p.p_filesz, len)?;
    }
    Ok(())
}

/// ET_DYN is an executable when it says so (DF_1_PIE), asks for a loader without
/// being a library (no soname), or is a static-pie that has an entry point.
fn kind(elf: &Elf<'_>, facts: &ElfFacts) -> Kind {
    match elf.header.e_type {
        header::ET_EXEC => Kind::Executable,
        header::ET_DYN => {
            if facts.flag_pie || (elf.interpreter.is_some() && facts.soname.is_none()) {
                Kind::Executable
            } else if facts.soname.is_none() && elf.entry != 0 && elf.dynamic.is_some() {
                // static-pie executables from linkers that do not set DF_1_PIE
                Kind::Executable
            } else {
                Kind::SharedLibrary
            }
        }
        _ => Kind::Other,
    }
}

/// A string the file holds ends at its first NUL: goblin reads PT_INTERP as its whole
/// `p_filesz` less one byte, and a segment padded with more NULs (the s390x
/// `libc.so.6`: `/lib/ld64.so.1` and two NULs) would keep the rest. String-table
/// strings already end there; cutting them too costs nothing.
pub(super) fn until_nul(s: &str) -> &str {
    s.split('\0').next().unwrap_or(s)
}

fn arch_name(machine: u16, bits: u8, little: bool) -> String {
    use header::*;
    let s = match machine {
        EM_X86_64 => "x86_64",
        EM_386 => "x86",
        EM_AARCH64 => "aarch64",
        EM_ARM => "arm",
        EM_RISCV if bits == 64 => "riscv64",
        EM_RISCV => "riscv32",
        EM_PPC64 if little => "powerpc64le",
        EM_PPC64 => "powerpc64",
        EM_PPC => "powerpc",
        EM_S390 => "s390x",
        EM_MIPS if bits == 64 => "mips64",
        EM_MIPS => "mips",
        EM_SPARCV9 => "sparc64",
        EM_LOONGARCH => "loongarch64",
        EM_BPF => "bpf",
        m => return format!("unknown-{m}"),
    };
    s.to_owned()
}
