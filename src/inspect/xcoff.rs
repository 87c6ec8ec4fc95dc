//! XCOFF (AIX): the file header, the sections and the loader section. `object` reads
//! the headers and the section table; the loader section's import file IDs and its
//! imported symbols, which `object` does not list, are read here.
//!
//! The loader section, as IBM's "XCOFF Object File Format" (AIX 7.3 documentation,
//! "Loader Section") and LLVM's `XCOFFObjectFile.h` (`LoaderSectionHeader32/64`,
//! `LoaderSectionSymbolEntry32/64`) lay it out, big-endian:
//!
//! - header, 32-bit (32 bytes): `l_version`, `l_nsyms`, `l_nreloc`, `l_istlen`,
//!   `l_nimpid`, `l_impoff`, `l_stlen`, `l_stoff`, each 4 bytes; the symbol table
//!   follows the header;
//! - header, 64-bit (56 bytes): `l_version`, `l_nsyms`, `l_nreloc`, `l_istlen`,
//!   `l_nimpid`, `l_stlen` (4 bytes each), then `l_impoff`, `l_stoff`, `l_symoff`,
//!   `l_rldoff` (8 bytes each);
//! - symbols, 24 bytes each: 32-bit: the name (8 bytes inline, or 4 zero bytes and a
//!   4-byte string-table offset), `l_value` (4), `l_scnum` (2), `l_smtype` (1),
//!   `l_smclas` (1), `l_ifile` (4), `l_parm` (4); 64-bit: `l_value` (8), the
//!   string-table offset (4), then the same fields;
//! - import file IDs at `l_impoff`, `l_istlen` bytes: `l_nimpid` entries of three
//!   NUL-terminated strings (path, base, member); entry 0 is the default library
//!   search path, the others are what the file imports from (`libc.a`, `shr_64.o`);
//!   a symbol's `l_ifile` indexes them;
//! - strings at `l_stoff` (offsets relative to the loader section), each after a
//!   2-byte length and ending with a NUL.
//!
//! Every offset and count is checked against the section: a lying loader section is
//! an error naming the field, never a panic.

use object::read::xcoff::{FileHeader, SectionHeader, XcoffFile};
use object::xcoff;

use super::{is_hardening_symbol, FormatFacts, InspectError, Parsed, RawLibrary, XcoffFacts};
use crate::model::{Endian, Format, Import, Kind, LibraryLoad};

/// `l_smtype`: the symbol is imported.
const L_IMPORT: u8 = 0x40;
/// `l_smtype`: the symbol is weak.
const L_WEAK: u8 = 0x08;

fn malformed(detail: impl Into<String>) -> InspectError {
    InspectError::Malformed {
        format: "XCOFF",
        detail: detail.into(),
    }
}

pub(super) fn parse(data: &[u8]) -> Result<Parsed, InspectError> {
    match data {
        [0x01, 0xf7, ..] => parse_as::<xcoff::FileHeader64>(data),
        [0x01, 0xdf, ..] => parse_as::<xcoff::FileHeader32>(data),
        _ => Err(InspectError::Unsupported {
            format: "XCOFF",
            detail: "magic is neither 0x01f7 (64-bit) nor 0x01df (32-bit)".to_owned(),
        }),
    }
}

fn parse_as<X: FileHeader>(data: &[u8]) -> Result<Parsed, InspectError> {
    let file = XcoffFile::<X>::parse(data).map_err(|e| malformed(e.to_string()))?;
    let header = file.xcoff_header();
    let is_64 = header.is_type_64();
    let flags = header.f_flags().0;
    let kind = if flags & xcoff::F_SHROBJ.0 != 0 {
        Kind::SharedLibrary
    } else if flags & xcoff::F_EXEC.0 != 0 {
        Kind::Executable
    } else {
        Kind::Other
    };
    let mut loader = None;
    for s in file.xcoff_section_table().iter() {
        if s.s_flags().typ() != xcoff::STYP_LOADER {
            continue;
        }
        let (start, size): (u64, u64) = (s.s_scnptr().into(), s.s_size().into());
        super::check_within("XCOFF", "the loader section", start, size, data.len())?;
        // within the file, so within usize
        let bytes = &data[start as usize..(start + size) as usize];
        loader = Some(read_loader(bytes, is_64)?);
        break;
    }
    let loader = loader.unwrap_or_default();
    let libraries: Vec<RawLibrary> = loader
        .import_files
        .iter()
        .skip(1)
        .map(|f| RawLibrary::named(f.display(), LibraryLoad::Needed))
        .collect();
    let imports: Vec<Import> = loader
        .imports
        .iter()
        .map(|s| Import {
            name: s.name.clone(),
            version: None,
            library: (s.file > 0)
                .then(|| loader.import_files.get(s.file as usize))
                .flatten()
                .map(ImportFile::display),
            weak: s.weak,
            ordinal: None,
            origin: Vec::new(),
        })
        .collect();
    let mut hardening_symbols: Vec<String> = imports
        .iter()
        .filter(|i| is_hardening_symbol(&i.name))
        .map(|i| i.name.clone())
        .collect();
    hardening_symbols.sort();
    hardening_symbols.dedup();
    Ok(Parsed {
        format: Format::Xcoff,
        arch: if is_64 { "powerpc64" } else { "powerpc" }.to_owned(),
        bits: if is_64 { 64 } else { 32 },
        endian: Endian::Big,
        kind,
        slice: None,
        interpreter: None,
        rpath: Vec::new(),
        runpath: Vec::new(),
        libraries,
        imports,
        hardening_symbols,
        crates: None,
        // Go's XCOFF files have no section of their own for it: the whole file is
        // searched, as for PE
        go: super::go_info("XCOFF", data, None)?,
        facts: FormatFacts::Xcoff(XcoffFacts {
            f_flags: flags,
            loader_version: loader.version,
            default_libpath: loader
                .import_files
                .first()
                .map(|f| f.path.clone())
                .filter(|p| !p.is_empty()),
        }),
    })
}

/// One import file ID: `/usr/lib`, `libc.a`, `shr_64.o`.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct ImportFile {
    pub path: String,
    pub base: String,
    pub member: String,
}

impl ImportFile {
    /// As AIX's `dump -H` and the linker say it: `libc.a(shr_64.o)`, with the path
    /// in front when the file names one.
    pub fn display(&self) -> String {
        let mut s = if self.path.is_empty() {
            self.base.clone()
        } else if self.base.is_empty() {
            // entry 0: the search path alone
            self.path.clone()
        } else {
            format!("{}/{}", self.path.trim_end_matches('/'), self.base)
        };
        if !self.member.is_empty() {
            s.push('(');
            s.push_str(&self.member);
            s.push(')');
        }
        s
    }
}

/// An imported symbol of the loader section and the index of its import file.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LoaderImport {
    pub name: String,
    pub file: u32,
    pub weak: bool,
}

/// What the loader section says the file needs.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Loader {
    /// `l_version` (1 or 2).
    pub version: Option<u32>,
    /// The import file IDs, entry 0 (the default search path) first.
    pub import_files: Vec<ImportFile>,
    pub imports: Vec<LoaderImport>,
}

fn u16_at(b: &[u8], at: usize, field: &str) -> Result<u16, InspectError> {
    b.get(at..at.wrapping_add(2))
        .and_then(|s| s.try_into().ok())
        .map(u16::from_be_bytes)
        .ok_or_else(|| malformed(format!("loader section: {field} lies outside the section")))
}

fn u32_at(b: &[u8], at: usize, field: &str) -> Result<u32, InspectError> {
    b.get(at..at.wrapping_add(4))
        .and_then(|s| s.try_into().ok())
        .map(u32::from_be_bytes)
        .ok_or_else(|| malformed(format!("loader section: {field} lies outside the section")))
}

fn u64_at(b: &[u8], at: usize, field: &str) -> Result<u64, InspectError> {
    b.get(at..at.wrapping_add(8))
        .and_then(|s| s.try_into().ok())
        .map(u64::from_be_bytes)
        .ok_or_else(|| malformed(format!("loader section: {field} lies outside the section")))
}

/// `len` bytes at `offset` of the section, or an error naming the field that says so.
fn region<'a>(b: &'a [u8], offset: u64, len: u64, field: &str) -> Result<&'a [u8], InspectError> {
    offset
        .checked_add(len)
        .filter(|end| *end <= b.len() as u64)
        .map(|end| &b[offset as usize..end as usize])
        .ok_or_else(|| {
            malformed(format!(
                "loader section: {field} ({len} bytes at offset {offset}) ends past the section's {} bytes",
                b.len()
            ))
        })
}

fn text(b: &[u8]) -> String {
    let end = b.iter().position(|c| *c == 0).unwrap_or(b.len());
    String::from_utf8_lossy(&b[..end]).into_owned()
}

/// Read a loader section (`section`: its bytes, `is_64`: the file's class).
pub fn read_loader(section: &[u8], is_64: bool) -> Result<Loader, InspectError> {
    let version = u32_at(section, 0, "l_version")?;
    let nsyms = u32_at(section, 4, "l_nsyms")?;
    let istlen = u32_at(section, 12, "l_istlen")?;
    let nimpid = u32_at(section, 16, "l_nimpid")?;
    let (impoff, stlen, stoff, symoff) = if is_64 {
        (
            u64_at(section, 24, "l_impoff")?,
            u32_at(section, 20, "l_stlen")?,
            u64_at(section, 32, "l_stoff")?,
            u64_at(section, 40, "l_symoff")?,
        )
    } else {
        (
            u64::from(u32_at(section, 20, "l_impoff")?),
            u32_at(section, 24, "l_stlen")?,
            u64::from(u32_at(section, 28, "l_stoff")?),
            32,
        )
    };
    let ids = region(section, impoff, u64::from(istlen), "l_impoff/l_istlen")?;
    let strings = if stlen == 0 {
        &[][..]
    } else {
        region(section, stoff, u64::from(stlen), "l_stoff/l_stlen")?
    };
    let symbols = region(section, symoff, u64::from(nsyms) * 24, "l_nsyms")?;

    let mut import_files = Vec::new();
    let mut parts = ids.split(|c| *c == 0);
    for i in 0..nimpid {
        let mut next = || parts.next().map(text);
        match (next(), next(), next()) {
            (Some(path), Some(base), Some(member)) => {
                import_files.push(ImportFile { path, base, member })
            }
            _ => {
                return Err(malformed(format!(
                    "loader section: l_nimpid says {nimpid} import files, l_istlen's {istlen} bytes hold {i}"
                )))
            }
        }
    }

    let mut imports = Vec::new();
    for (i, entry) in symbols.chunks_exact(24).enumerate() {
        // the name (8 bytes) or l_value (8) comes first, then l_scnum (2) at 12
        let name_at = if is_64 {
            Some(u32_at(entry, 8, "l_offset")?)
        } else if u32_at(entry, 0, "l_zeroes")? == 0 {
            Some(u32_at(entry, 4, "l_offset")?)
        } else {
            None
        };
        let smtype = entry[14];
        if smtype & L_IMPORT == 0 {
            continue;
        }
        let file = u32_at(entry, 16, "l_ifile")?;
        let name = match name_at {
            None => text(&entry[..8]),
            Some(at) => {
                let at = at as usize;
                if at < 2 || at >= strings.len() {
                    return Err(malformed(format!(
                        "loader section: symbol {i}'s name offset {at} is outside the string table (l_stlen {stlen})"
                    )));
                }
                let len = usize::from(u16_at(strings, at - 2, "a string's length")?);
                text(&strings[at..strings.len().min(at + len)])
            }
        };
        if file >= nimpid.max(1) {
            return Err(malformed(format!(
                "loader section: symbol {name:?} names import file {file} of {nimpid} (l_ifile)"
            )));
        }
        imports.push(LoaderImport {
            name,
            file,
            weak: smtype & L_WEAK != 0,
        });
    }
    Ok(Loader {
        version: Some(version),
        import_files,
        imports,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A 64-bit loader section: header, then import IDs, symbols, strings.
    fn loader64(ids: &[u8], nimpid: u32, symbols: &[(u32, u8, u32)], strings: &[u8]) -> Vec<u8> {
        let impoff = 56u64;
        let symoff = impoff + ids.len() as u64;
        let stoff = symoff + 24 * symbols.len() as u64;
        let mut b = Vec::new();
        for w in [2u32, symbols.len() as u32, 0, ids.len() as u32, nimpid] {
            b.extend_from_slice(&w.to_be_bytes());
        }
        b.extend_from_slice(&(strings.len() as u32).to_be_bytes());
        for w in [impoff, stoff, symoff, 0] {
            b.extend_from_slice(&w.to_be_bytes());
        }
        b.extend_from_slice(ids);
        for (offset, smtype, ifile) in symbols {
            b.extend_from_slice(&0u64.to_be_bytes());
            b.extend_from_slice(&offset.to_be_bytes());
            b.extend_from_slice(&[0, 0, *smtype, 10]);
            b.extend_from_slice(&ifile.to_be_bytes());
            b.extend_from_slice(&0u32.to_be_bytes());
        }
        b.extend_from_slice(strings);
        b
    }

    const IDS: &[u8] = b"/usr/lib:/lib\0\0\0\0libc.a\0shr_64.o\0\0libpthread.a\0shr_xpg5_64.o\0";

    #[test]
    fn import_files_and_imported_symbols_of_a_64_bit_loader_section() {
        // strings: each after a 2-byte length that counts the NUL
        let strings = b"\0\x07_Errno\0\0\x0d__n_pthreads\0\0\x0f_rt0_ppc64_aix\0";
        let section = loader64(
            IDS,
            3,
            &[(2, 0x40, 1), (11, 0x48, 2), (26, 0x21, 0)],
            strings,
        );
        let l = read_loader(&section, true).unwrap();
        assert_eq!(l.version, Some(2));
        let names: Vec<String> = l.import_files.iter().map(ImportFile::display).collect();
        assert_eq!(
            names,
            [
                "/usr/lib:/lib",
                "libc.a(shr_64.o)",
                "libpthread.a(shr_xpg5_64.o)"
            ]
        );
        assert_eq!(
            l.imports,
            [
                LoaderImport {
                    name: "_Errno".into(),
                    file: 1,
                    weak: false
                },
                LoaderImport {
                    name: "__n_pthreads".into(),
                    file: 2,
                    weak: true
                },
            ]
        );
    }

    #[test]
    fn a_32_bit_loader_section_with_inline_and_table_names() {
        let strings = b"\0\x0f_a_long_symbol\0";
        let stoff = 32 + 48;
        let impoff = stoff + strings.len() as u32;
        let mut b = Vec::new();
        for w in [
            1u32,
            2,
            0,
            IDS.len() as u32,
            3,
            impoff,
            strings.len() as u32,
            stoff,
        ] {
            b.extend_from_slice(&w.to_be_bytes());
        }
        // inline name, then a string-table one
        b.extend_from_slice(b"exit\0\0\0\0");
        b.extend_from_slice(&[0, 0, 0, 0, 0, 0, 0x40, 10, 0, 0, 0, 1, 0, 0, 0, 0]);
        b.extend_from_slice(&[0, 0, 0, 0, 0, 0, 0, 2]);
        b.extend_from_slice(&[0, 0, 0, 0, 0, 0, 0x40, 10, 0, 0, 0, 2, 0, 0, 0, 0]);
        b.extend_from_slice(strings);
        b.extend_from_slice(IDS);
        let l = read_loader(&b, false).unwrap();
        let got: Vec<(&str, u32)> = l
            .imports
            .iter()
            .map(|i| (i.name.as_str(), i.file))
            .collect();
        assert_eq!(got, [("exit", 1), ("_a_long_symbol", 2)]);
        assert_eq!(l.import_files.len(), 3);
    }

    #[test]
    fn a_lying_loader_section_is_an_error_naming_the_field() {
        let strings = b"\0\x07_Errno\0";
        let good = loader64(IDS, 3, &[(2, 0x40, 1)], strings);
        let err = |b: &[u8]| read_loader(b, true).unwrap_err().to_string();
        // every truncation: an error, never a panic
        for n in 0..good.len() {
            let _ = read_loader(&good[..n], true);
            let _ = read_loader(&good[..n], false);
        }
        assert!(
            err(&good[..10]).contains("l_istlen"),
            "{}",
            err(&good[..10])
        );
        let mut b = good.clone();
        b[16..20].copy_from_slice(&9u32.to_be_bytes()); // l_nimpid 9
        assert!(err(&b).contains("l_nimpid says 9"), "{}", err(&b));
        let mut b = good.clone();
        b[4..8].copy_from_slice(&u32::MAX.to_be_bytes()); // l_nsyms
        assert!(err(&b).contains("l_nsyms"), "{}", err(&b));
        let mut b = good.clone();
        b[24..32].copy_from_slice(&u64::MAX.to_be_bytes()); // l_impoff
        assert!(err(&b).contains("l_impoff"), "{}", err(&b));
        let mut b = good.clone();
        let ifile_at = 56 + IDS.len() + 16;
        b[ifile_at..ifile_at + 4].copy_from_slice(&7u32.to_be_bytes());
        assert!(err(&b).contains("l_ifile"), "{}", err(&b));
        let mut b = good;
        let name_at = 56 + IDS.len() + 8;
        b[name_at..name_at + 4].copy_from_slice(&999u32.to_be_bytes());
        assert!(err(&b).contains("string table"), "{}", err(&b));
    }
}
