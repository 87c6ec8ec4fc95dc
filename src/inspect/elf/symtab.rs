//! Symbols: imports from `.dynsym` with their versions, and the defined symbols of a
//! binary that links its C library in.

use goblin::elf::{section_header as sh, sym, Elf, Symtab};
use goblin::strtab::Strtab;

use super::symver::VersionTable;
use crate::inspect::{is_hardening_symbol, symbols, ElfFacts};
use crate::model::Import;

/// The undefined dynamic symbols, with version and library from the version table;
/// the hardening symbols among them go to `hardening`.
pub(super) fn imports(
    elf: &Elf<'_>,
    versions: &VersionTable,
    hardening: &mut Vec<String>,
) -> Vec<Import> {
    let mut imports = Vec::new();
    for (i, s) in elf.dynsyms.iter().enumerate().skip(1) {
        // defined symbols (a library's exports, most of its table) need no name
        if s.st_shndx != sh::SHN_UNDEF as usize {
            continue;
        }
        let Some(name) = elf.dynstrtab.get_at(s.st_name) else {
            continue;
        };
        if name.is_empty() {
            continue;
        }
        let (version, library) = versions.of_symbol(i);
        if is_hardening_symbol(name) {
            hardening.push(name.to_owned());
        }
        imports.push(Import {
            name: name.to_owned(),
            version,
            library,
            weak: sym::st_bind(s.st_info) == sym::STB_WEAK,
            ordinal: None,
            origin: Vec::new(),
        });
    }
    imports
}

/// For a binary without needed libraries: the C library, if any, is linked in. Keep
/// the defined symbols that tell which one it is and what it will try to load at run
/// time, and, when stripped, the strings that tell the same.
pub(super) fn read_static(
    elf: &Elf<'_>,
    data: &[u8],
    facts: &mut ElfFacts,
    hardening: &mut Vec<String>,
) {
    collect_static_symbols(&elf.syms, &elf.strtab, facts, hardening);
    collect_static_symbols(&elf.dynsyms, &elf.dynstrtab, facts, hardening);
    facts.static_symbols.sort();
    facts.static_symbols.dedup();
    if !facts.has_symtab {
        facts.mentions_nss = memchr::memmem::find(data, b"libnss_").is_some();
        facts.mentions_musl = memchr::memmem::find(data, b"No error information").is_some();
    }
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
        if symbols::of_interest(base) {
            facts.static_symbols.push(base.to_owned());
        }
        if is_hardening_symbol(base) {
            hardening.push(base.to_owned());
        }
    }
}
