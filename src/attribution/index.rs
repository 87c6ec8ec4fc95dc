//! What one link input defines and references (pure: bytes in, index out).
//!
//! A link input is an archive (an rlib, a C `.a`) or a single relocatable object (the
//! final crate's own object, `--emit=obj`). Each object member gets the global symbols
//! it defines and the symbols it leaves undefined, as `nm` would list them (`T`/`W`/…
//! and `U`); members that are not objects (`lib.rmeta`, the archive's symbol table)
//! are skipped. [`reachers`] goes one level deeper for one member, through its
//! relocations, to tell which of its functions reference a given symbol: the step a
//! chain is made of.

use std::collections::{BTreeMap, BTreeSet, HashMap, VecDeque};

use object::read::archive::ArchiveFile;
use object::{Object, ObjectSection, ObjectSymbol, RelocationTarget, SectionIndex};
use serde::{Deserialize, Serialize};

/// The version of the index format (part of the cache key).
pub const INDEX_FORMAT: u32 = 1;

/// One object: what it defines (globally) and what it needs from elsewhere.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct MemberIndex {
    /// The archive member's name (`std-<hash>.std.<id>-cgu.0.rcgu.o`); empty for a
    /// file that is itself an object.
    pub name: String,
    /// Global and weak definitions, sorted.
    pub defined: Vec<String>,
    /// Undefined symbols that are not weak, sorted: what makes a linker load
    /// the archive member defining them.
    pub undefined: Vec<String>,
    /// Weak undefined symbols, sorted (referenced, but never a reason to load a member).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub weak_undefined: Vec<String>,
}

/// One link input.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct FileIndex {
    pub format: u32,
    pub members: Vec<MemberIndex>,
}

#[derive(Debug, thiserror::Error)]
pub enum IndexError {
    #[error("not an archive or object file: {0}")]
    NotObject(String),
    #[error("malformed archive: {0}")]
    Archive(String),
}

/// Index a file: an archive (every object member) or one object.
pub fn index_file(data: &[u8]) -> Result<FileIndex, IndexError> {
    let mut members = Vec::new();
    if data.starts_with(b"!<arch>\n") || data.starts_with(b"!<thin>\n") {
        let ar = ArchiveFile::parse(data).map_err(|e| IndexError::Archive(e.to_string()))?;
        for m in ar.members() {
            let m = m.map_err(|e| IndexError::Archive(e.to_string()))?;
            let name = String::from_utf8_lossy(m.name()).into_owned();
            if name == "lib.rmeta" || name.ends_with(".rmeta") {
                continue;
            }
            let Ok(bytes) = m.data(data) else { continue };
            // a member that is not an object (a bitcode file, a text file) is not
            // something the linker resolves symbols from
            if let Ok(mut idx) = index_object(bytes) {
                idx.name = name;
                members.push(idx);
            }
        }
    } else {
        members.push(index_object(data)?);
    }
    Ok(FileIndex {
        format: INDEX_FORMAT,
        members,
    })
}

/// Index one object file.
pub fn index_object(data: &[u8]) -> Result<MemberIndex, IndexError> {
    let file = object::File::parse(data).map_err(|e| IndexError::NotObject(e.to_string()))?;
    let mut defined = BTreeSet::new();
    let mut undefined = BTreeSet::new();
    let mut weak_undefined = BTreeSet::new();
    for s in file.symbols() {
        let Ok(name) = s.name() else { continue };
        if name.is_empty() || s.kind() == object::SymbolKind::Section {
            continue;
        }
        if s.is_undefined() {
            if s.is_weak() {
                weak_undefined.insert(name.to_owned());
            } else {
                undefined.insert(name.to_owned());
            }
        } else if s.is_global() && (s.is_definition() || s.is_common()) {
            defined.insert(name.to_owned());
        }
    }
    // a symbol both defined and referenced (COFF, Mach-O) is a definition
    for d in &defined {
        undefined.remove(d);
        weak_undefined.remove(d);
    }
    Ok(MemberIndex {
        name: String::new(),
        defined: defined.into_iter().collect(),
        undefined: undefined.into_iter().collect(),
        weak_undefined: weak_undefined.into_iter().collect(),
    })
}

/// The bytes of member `name` of an archive (or the file itself for an empty name).
pub fn member_data<'d>(data: &'d [u8], name: &str) -> Option<&'d [u8]> {
    if name.is_empty() {
        return Some(data);
    }
    let ar = ArchiveFile::parse(data).ok()?;
    ar.members()
        .filter_map(Result::ok)
        .find(|m| m.name() == name.as_bytes())
        .and_then(|m| m.data(data).ok())
}

/// At most this many symbols are followed inside one object.
const MAX_NODES: usize = 20_000;

/// The global definitions of one object whose code reaches one of `targets` (by name)
/// through its relocations, directly or through local functions of the same object:
/// each with the target it reaches. Sorted by name.
pub fn reachers(data: &[u8], targets: &BTreeSet<String>) -> BTreeMap<String, String> {
    let mut out = BTreeMap::new();
    let Ok(file) = object::File::parse(data) else {
        return out;
    };
    let (syms, by_section) = symbols(&file);
    let rev = reverse_edges(&file, &syms, &by_section);
    let mut queue: VecDeque<(usize, String)> = syms
        .iter()
        .filter(|(_, s)| targets.contains(&s.name))
        .map(|(i, s)| (*i, s.name.clone()))
        .collect();
    let mut seen: BTreeSet<usize> = queue.iter().map(|(i, _)| *i).collect();
    while let Some((i, target)) = queue.pop_front() {
        if seen.len() > MAX_NODES {
            break;
        }
        for &from in rev.get(&i).into_iter().flatten() {
            if !seen.insert(from) {
                continue;
            }
            if let Some(s) = syms.get(&from) {
                if s.global && !targets.contains(&s.name) {
                    out.entry(s.name.clone()).or_insert_with(|| target.clone());
                }
            }
            queue.push_back((from, target.clone()));
        }
    }
    out
}

/// A symbol of an object: its name, and whether it is a global definition.
struct Sym {
    name: String,
    global: bool,
}

/// Per section, its defined symbols by address (what a relocation at an offset is in).
type BySection = HashMap<SectionIndex, Vec<(u64, usize)>>;

/// The object's symbols by index, and each section's defined symbols sorted by address.
fn symbols(file: &object::File) -> (HashMap<usize, Sym>, BySection) {
    let mut syms: HashMap<usize, Sym> = HashMap::new();
    // per section, its defined symbols by address: what a relocation at an offset is in
    let mut by_section: BySection = HashMap::new();
    for s in file.symbols() {
        let Ok(name) = s.name() else { continue };
        if s.kind() == object::SymbolKind::Section || s.kind() == object::SymbolKind::File {
            continue;
        }
        syms.insert(
            s.index().0,
            Sym {
                name: name.to_owned(),
                global: s.is_global() && s.is_definition(),
            },
        );
        if let Some(sec) = s.section_index() {
            if s.is_definition() {
                by_section
                    .entry(sec)
                    .or_default()
                    .push((s.address(), s.index().0));
            }
        }
    }
    for v in by_section.values_mut() {
        v.sort();
    }
    (syms, by_section)
}

/// The reverse edges of the object's relocations: referenced symbol -> the symbols
/// whose code references it.
fn reverse_edges(
    file: &object::File,
    syms: &HashMap<usize, Sym>,
    by_section: &BySection,
) -> HashMap<usize, Vec<usize>> {
    let mut rev: HashMap<usize, Vec<usize>> = HashMap::new();
    for sec in file.sections() {
        let Some(in_sec) = by_section.get(&sec.index()) else {
            continue;
        };
        let base = sec.address();
        for (offset, r) in sec.relocations() {
            let at = base + offset;
            let from = match in_sec.partition_point(|(a, _)| *a <= at) {
                0 => in_sec[0].1,
                i => in_sec[i - 1].1,
            };
            let section_of = |sec: SectionIndex| -> Vec<usize> {
                let Some(v) = by_section.get(&sec) else {
                    return Vec::new();
                };
                if v.len() == 1 {
                    // a function section: its one symbol
                    return vec![v[0].1];
                }
                if r.has_implicit_addend() {
                    // the offset is in the instruction bytes: rather no edge than a
                    // guess
                    return Vec::new();
                }
                // the symbol at the addend (PC-relative x86 calls are addend + 4)
                let base = file.section_by_index(sec).map(|s| s.address()).unwrap_or(0);
                let at = base.wrapping_add_signed(r.addend());
                v.iter()
                    .find(|(a, _)| *a == at || *a == at.wrapping_add(4))
                    .map(|(_, i)| vec![*i])
                    .unwrap_or_default()
            };
            let to: Vec<usize> = match r.target() {
                RelocationTarget::Symbol(i) => match syms.get(&i.0) {
                    Some(_) => vec![i.0],
                    // a section symbol: the function it points into
                    None => file
                        .symbol_by_index(i)
                        .ok()
                        .and_then(|s| s.section_index())
                        .map(section_of)
                        .unwrap_or_default(),
                },
                RelocationTarget::Section(s) => section_of(s),
                _ => Vec::new(),
            };
            for t in to {
                if t != from {
                    rev.entry(t).or_default().push(from);
                }
            }
        }
    }
    rev
}
