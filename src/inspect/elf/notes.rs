//! Notes (`.note.ABI-tag`, gold's version, BSD, Android and OpenHarmony OS notes) and
//! `.comment`.

use goblin::elf::note::{NT_GNU_ABI_TAG, NT_GNU_GOLD_VERSION};
/// `NT_GNU_PROPERTY_TYPE_0`, `.note.gnu.property` (binutils' `include/elf/common.h`).
const NT_GNU_PROPERTY_TYPE_0: u32 = 5;
/// `GNU_PROPERTY_X86_ISA_1_NEEDED` (the x86-64 psABI): bit 0 baseline, 1 v2, 2 v3,
/// 3 v4.
const GNU_PROPERTY_X86_ISA_1_NEEDED: u32 = 0xc000_8002;
use goblin::elf::{section_header as sh, Elf};

use crate::inspect::ElfFacts;

/// The bytes of the section `name` (none for SHT_NOBITS or out of the file).
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

/// The NUL-separated strings of `.comment` (compilers and linkers sign there).
pub(super) fn comment(elf: &Elf<'_>, data: &[u8]) -> Vec<String> {
    section_bytes(elf, data, ".comment")
        .map(|b| {
            b.split(|c| *c == 0)
                .filter(|s| !s.is_empty())
                .map(|s| String::from_utf8_lossy(s).into_owned())
                .collect()
        })
        .unwrap_or_default()
}

/// `abi_tag`, `gold_version` and `os_note` of `facts`.
pub(super) fn read_notes(elf: &Elf<'_>, data: &[u8], facts: &mut ElfFacts) {
    // Program-header notes survive stripping of section headers; fall back to
    // sections for objects without PT_NOTE.
    let iter = elf
        .iter_note_headers(data)
        .or_else(|| elf.iter_note_sections(data, None));
    let Some(iter) = iter else { return };
    for note in iter.take(64) {
        let Ok(note) = note else { break };
        // OpenHarmony's note counts the name's padding in its namesz (`OHOS` and seven
        // NULs): the name is what comes before the first NUL
        let name = super::until_nul(note.name);
        match (name, note.n_type) {
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
            ("GNU", NT_GNU_PROPERTY_TYPE_0) => {
                facts.x86_isa_needed = x86_isa_needed(note.desc, elf.is_64, elf.little_endian);
            }
            ("GNU", NT_GNU_GOLD_VERSION) => {
                let v = String::from_utf8_lossy(note.desc);
                facts.gold_version = Some(super::until_nul(&v).to_owned());
            }
            // OpenHarmony's `.note.ohos.ident` (its musl's arch/generic/crtbrand.s, linked
            // into every program and library through crti.o): name `OHOS`. Its one
            // word (`ohos_api`) is 1 in every version of that file (2022-2024), not an
            // API level, and the 2022-2023 versions put it unaligned after the name
            // with type 0: the name alone says OpenHarmony
            ("OHOS", _) => {
                facts.os_note.get_or_insert_with(|| name.to_owned());
            }
            ("FreeBSD" | "NetBSD" | "OpenBSD" | "Android", n_type) => {
                facts.os_note.get_or_insert_with(|| name.to_owned());
                // NT_ANDROID_IDENT (1): the API level first (bionic's crtbrand.S), then
                // the NDK's version and build number
                if n_type == 1 && name == "Android" && note.desc.len() >= 4 {
                    let b: [u8; 4] = note.desc[..4].try_into().unwrap_or([0; 4]);
                    facts.android_api.get_or_insert(if elf.little_endian {
                        u32::from_le_bytes(b)
                    } else {
                        u32::from_be_bytes(b)
                    });
                }
                // NT_FREEBSD_ABI_TAG / NT_NETBSD_IDENT (1): one word, the OS version
                if n_type == 1 && name != "Android" && note.desc.len() >= 4 {
                    let b: [u8; 4] = note.desc[..4].try_into().unwrap_or([0; 4]);
                    facts.bsd_version.get_or_insert(if elf.little_endian {
                        u32::from_le_bytes(b)
                    } else {
                        u32::from_be_bytes(b)
                    });
                }
            }
            _ => {}
        }
    }
    // gold also leaves a named section when the note is not in a PT_NOTE segment.
    if facts.gold_version.is_none() {
        if let Some(b) = section_bytes(elf, data, ".note.gnu.gold-version") {
            let text = String::from_utf8_lossy(b);
            if let Some(i) = text.find("gold") {
                facts.gold_version = Some(super::until_nul(&text[i..]).to_owned());
            }
        }
    }
}

/// The `GNU_PROPERTY_X86_ISA_1_NEEDED` bits of a `NT_GNU_PROPERTY_TYPE_0` note: an
/// array of (type, size, data) entries, each padded to 8 bytes (4 in ELF32).
fn x86_isa_needed(desc: &[u8], is_64: bool, little: bool) -> Option<u32> {
    let word = |b: &[u8]| {
        let b: [u8; 4] = b.try_into().ok()?;
        Some(if little {
            u32::from_le_bytes(b)
        } else {
            u32::from_be_bytes(b)
        })
    };
    let align = if is_64 { 8 } else { 4 };
    let mut at = 0usize;
    while at + 8 <= desc.len() {
        let kind = word(&desc[at..at + 4])?;
        let size = word(&desc[at + 4..at + 8])? as usize;
        let data = desc.get(at + 8..(at + 8).checked_add(size)?)?;
        if kind == GNU_PROPERTY_X86_ISA_1_NEEDED && size >= 4 {
            return word(&data[..4]);
        }
        at = (at + 8 + size).checked_add(align - 1)? / align * align;
    }
    None
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn x86_isa_needed_is_found_among_properties() {
        // a feature-1-and property (0xc0000002), then ISA needed = baseline|v2|v3
        let mut desc = Vec::new();
        for w in [
            0xc000_0002u32,
            4,
            3,
            0,
            GNU_PROPERTY_X86_ISA_1_NEEDED,
            4,
            7,
            0,
        ] {
            desc.extend_from_slice(&w.to_le_bytes());
        }
        assert_eq!(x86_isa_needed(&desc, true, true), Some(7));
        assert_eq!(x86_isa_needed(&desc[..20], true, true), None);
        assert_eq!(x86_isa_needed(&[], true, true), None);
    }
}
