//! What the loader reads: program headers (RELRO, stack), the dynamic section's
//! flags, needed libraries and search paths.

use goblin::elf::{dynamic, program_header as ph, Elf};

use crate::inspect::{ElfFacts, RawLibrary};
use crate::model::LibraryLoad;

/// PT_GNU_RELRO and PT_GNU_STACK.
pub(super) fn read_segments(elf: &Elf<'_>, facts: &mut ElfFacts) {
    for p in &elf.program_headers {
        match p.p_type {
            ph::PT_GNU_RELRO => facts.has_relro = true,
            ph::PT_GNU_STACK => facts.gnu_stack_exec = Some(p.p_flags & ph::PF_X != 0),
            _ => {}
        }
    }
}

/// DF_1_PIE, BIND_NOW (any of its three spellings) and TEXTREL.
pub(super) fn read_flags(elf: &Elf<'_>, facts: &mut ElfFacts) {
    if let Some(d) = &elf.dynamic {
        let info = &d.info;
        facts.flag_pie = info.flags_1 & dynamic::DF_1_PIE != 0;
        facts.bind_now = info.flags & dynamic::DF_BIND_NOW != 0
            || info.flags_1 & dynamic::DF_1_NOW != 0
            || d.dyns.iter().any(|x| x.d_tag == dynamic::DT_BIND_NOW);
        facts.textrel = info.textrel || info.flags & dynamic::DF_TEXTREL != 0;
    }
}

/// DT_NEEDED, in file order.
pub(super) fn libraries(elf: &Elf<'_>) -> Vec<RawLibrary> {
    elf.libraries
        .iter()
        .map(|n| RawLibrary::named(super::until_nul(n), LibraryLoad::Needed))
        .collect()
}

/// DT_RPATH / DT_RUNPATH strings as the file holds them (colon-separated lists are
/// kept whole, as `readelf -d` prints them).
pub(super) fn split_paths(v: &[&str]) -> Vec<String> {
    v.iter().map(|s| super::until_nul(s).to_owned()).collect()
}
