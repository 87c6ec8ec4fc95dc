//! ELF: program headers, dynamic section, version needs, dynamic symbols, notes.

use goblin::elf::note::{NT_GNU_ABI_TAG, NT_GNU_GOLD_VERSION};
use goblin::elf::symver::{VERSYM_VERSION, VER_NDX_GLOBAL};
use goblin::elf::{dynamic, header, program_header as ph, section_header as sh, sym, Elf, Symtab};
use goblin::strtab::Strtab;

use super::{
    is_hardening_symbol, malformed, ElfFacts, FormatFacts, InspectError, Parsed, RawLibrary,
};
use crate::model::{Endian, Format, Import, Kind, LibraryLoad};

pub(super) fn parse(data: &[u8]) -> Result<Parsed, InspectError> {
    // The header tables first, for a message that says "truncated" when it is.
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
    )?;
    let elf = Elf::parse(data).map_err(|e| malformed("ELF", e))?;
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
        soname: elf.soname.map(str::to_owned),
        e_osabi: h.e_ident[header::EI_OSABI],
        ..ElfFacts::default()
    };

    for p in &elf.program_headers {
        if p.p_type == ph::PT_LOAD {
            super::check_within(
                "ELF",
                "a PT_LOAD segment",
                p.p_offset,
                p.p_filesz,
                data.len(),
            )?;
        }
        match p.p_type {
            ph::PT_GNU_RELRO => facts.has_relro = true,
            ph::PT_GNU_STACK => facts.gnu_stack_exec = Some(p.p_flags & ph::PF_X != 0),
            _ => {}
        }
    }
    if let Some(d) = &elf.dynamic {
        let info = &d.info;
        facts.flag_pie = info.flags_1 & dynamic::DF_1_PIE != 0;
        facts.bind_now = info.flags & dynamic::DF_BIND_NOW != 0
            || info.flags_1 & dynamic::DF_1_NOW != 0
            || d.dyns.iter().any(|x| x.d_tag == dynamic::DT_BIND_NOW);
        facts.textrel = info.textrel || info.flags & dynamic::DF_TEXTREL != 0;
    }

    read_notes(&elf, data, &mut facts);
    facts.comment = section_bytes(&elf, data, ".comment")
        .map(|b| {
            b.split(|c| *c == 0)
                .filter(|s| !s.is_empty())
                .map(|s| String::from_utf8_lossy(s).into_owned())
                .collect()
        })
        .unwrap_or_default();

    let versions = VersionTable::new(&elf);
    facts.version_needs = versions.needs.clone();

    let mut imports = Vec::new();
    let mut hardening_symbols = Vec::new();
    for (i, s) in elf.dynsyms.iter().enumerate().skip(1) {
        let Some(name) = elf.dynstrtab.get_at(s.st_name) else {
            continue;
        };
        if name.is_empty() {
            continue;
        }
        if s.st_shndx == sh::SHN_UNDEF as usize {
            let (version, library) = versions.of_symbol(i);
            if is_hardening_symbol(name) {
                hardening_symbols.push(name.to_owned());
            }
            imports.push(Import {
                name: name.to_owned(),
                version,
                library,
                weak: sym::st_bind(s.st_info) == sym::STB_WEAK,
                ordinal: None,
            });
        }
    }

    let libraries: Vec<RawLibrary> = elf
        .libraries
        .iter()
        .map(|n| RawLibrary {
            name: (*n).to_owned(),
            load: LibraryLoad::Needed,
            compatibility_version: None,
            current_version: None,
        })
        .collect();

    facts.has_symtab = !elf.syms.is_empty();
    if libraries.is_empty() {
        // The C library, if any, is linked in: keep the defined symbols that tell which
        // one it is and what it will try to load at run time.
        collect_static_symbols(&elf.syms, &elf.strtab, &mut facts, &mut hardening_symbols);
        collect_static_symbols(
            &elf.dynsyms,
            &elf.dynstrtab,
            &mut facts,
            &mut hardening_symbols,
        );
        facts.static_symbols.sort();
        facts.static_symbols.dedup();
        if !facts.has_symtab {
            facts.mentions_nss = memchr::memmem::find(data, b"libnss_").is_some();
            facts.mentions_musl = memchr::memmem::find(data, b"No error information").is_some();
        }
    }
    hardening_symbols.sort();
    hardening_symbols.dedup();

    let kind = match h.e_type {
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
    };

    Ok(Parsed {
        format: Format::Elf,
        arch,
        bits,
        endian,
        kind,
        slice: None,
        interpreter: elf.interpreter.map(str::to_owned),
        rpath: split_paths(&elf.rpaths),
        runpath: split_paths(&elf.runpaths),
        libraries,
        imports,
        hardening_symbols,
        facts: FormatFacts::Elf(facts),
    })
}

fn collect_static_symbols(
    syms: &Symtab<'_>,
    strtab: &Strtab<'_>,
    facts: &mut ElfFacts,
    hardening: &mut Vec<String>,
) {
    for s in syms.iter() {
        if s.st_shndx == sh::SHN_UNDEF as usize {
            continue;
        }
        let Some(name) = strtab.get_at(s.st_name) else {
            continue;
        };
        // glibc's versioned static aliases look like `getaddrinfo@@GLIBC_2.2.5` only in
        // shared objects; in archives they are plain names.
        let base = name.split('@').next().unwrap_or(name);
        if super::symbols::of_interest(base) {
            facts.static_symbols.push(base.to_owned());
        }
        if is_hardening_symbol(base) {
            hardening.push(base.to_owned());
        }
    }
}

/// DT_RPATH / DT_RUNPATH strings as the file holds them (colon-separated lists are
/// kept whole, as `readelf -d` prints them).
fn split_paths(v: &[&str]) -> Vec<String> {
    v.iter().map(|s| (*s).to_owned()).collect()
}

fn section_bytes<'a>(elf: &Elf<'_>, data: &'a [u8], name: &str) -> Option<&'a [u8]> {
    let s = elf
        .section_headers
        .iter()
        .find(|s| elf.shdr_strtab.get_at(s.sh_name) == Some(name))?;
    if s.sh_type == sh::SHT_NOBITS {
        return None;
    }
    let start = usize::try_from(s.sh_offset).ok()?;
    let len = usize::try_from(s.sh_size).ok()?;
    data.get(start..start.checked_add(len)?)
}

fn read_notes(elf: &Elf<'_>, data: &[u8], facts: &mut ElfFacts) {
    // Program-header notes survive stripping of section headers; fall back to
    // sections for objects without PT_NOTE.
    let iter = elf
        .iter_note_headers(data)
        .or_else(|| elf.iter_note_sections(data, None));
    let Some(iter) = iter else { return };
    for note in iter.take(64) {
        let Ok(note) = note else { break };
        match (note.name, note.n_type) {
            ("GNU", NT_GNU_ABI_TAG) if note.desc.len() >= 16 => {
                let w = |i: usize| {
                    let b: [u8; 4] = note.desc[i * 4..i * 4 + 4].try_into().unwrap_or([0; 4]);
                    if elf.little_endian {
                        u32::from_le_bytes(b)
                    } else {
                        u32::from_be_bytes(b)
                    }
                };
                facts.abi_tag = Some((w(0), format!("{}.{}.{}", w(1), w(2), w(3))));
            }
            ("GNU", NT_GNU_GOLD_VERSION) => {
                let v = String::from_utf8_lossy(note.desc);
                facts.gold_version = Some(v.trim_end_matches('\0').to_owned());
            }
            ("FreeBSD" | "NetBSD" | "OpenBSD" | "Android", _) => {
                facts.os_note.get_or_insert_with(|| note.name.to_owned());
            }
            _ => {}
        }
    }
    // gold also leaves a named section when the note is not in a PT_NOTE segment.
    if facts.gold_version.is_none() {
        if let Some(b) = section_bytes(elf, data, ".note.gnu.gold-version") {
            let text = String::from_utf8_lossy(b);
            if let Some(i) = text.find("gold") {
                facts.gold_version = Some(text[i..].trim_end_matches('\0').to_owned());
            }
        }
    }
}

/// Symbol version lookup: versym index → (version name, needed file).
struct VersionTable {
    /// `vna_other` index → (version, file)
    by_index: Vec<Option<(String, String)>>,
    versym: Vec<u16>,
    needs: Vec<(String, String)>,
}

impl VersionTable {
    fn new(elf: &Elf<'_>) -> Self {
        let mut by_index: Vec<Option<(String, String)>> = Vec::new();
        let mut needs = Vec::new();
        if let Some(vn) = &elf.verneed {
            for need in vn.iter() {
                let file = elf.dynstrtab.get_at(need.vn_file).unwrap_or("").to_owned();
                for aux in need.iter() {
                    let name = elf.dynstrtab.get_at(aux.vna_name).unwrap_or("").to_owned();
                    let idx = usize::from(aux.vna_other & VERSYM_VERSION);
                    if idx >= by_index.len() {
                        by_index.resize(idx + 1, None);
                    }
                    by_index[idx] = Some((name.clone(), file.clone()));
                    needs.push((file.clone(), name));
                }
            }
        }
        let versym = elf
            .versym
            .as_ref()
            .map(|v| v.iter().map(|x| x.vs_val).collect())
            .unwrap_or_default();
        VersionTable {
            by_index,
            versym,
            needs,
        }
    }

    fn of_symbol(&self, sym_index: usize) -> (Option<String>, Option<String>) {
        let Some(v) = self.versym.get(sym_index) else {
            return (None, None);
        };
        let idx = usize::from(v & VERSYM_VERSION);
        // VER_NDX_LOCAL or VER_NDX_GLOBAL: unversioned
        if idx <= usize::from(VER_NDX_GLOBAL) {
            return (None, None);
        }
        match self.by_index.get(idx) {
            Some(Some((name, file))) => (Some(name.clone()), Some(file.clone())),
            _ => (None, None),
        }
    }
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
