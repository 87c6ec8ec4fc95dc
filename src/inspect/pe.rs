//! PE: import and delay-import directories, optional header (subsystem, linker
//! version, DLL characteristics). Read with `object`, whose PE reader covers the
//! delay-load directory that goblin does not parse.

use object::pe;
use object::read::pe::{ImageNtHeaders, ImageOptionalHeader, Import as PeImport, PeFile};
use object::LittleEndian as LE;

use super::{
    is_hardening_symbol, malformed, FormatFacts, InspectError, Parsed, PeFacts, RawLibrary,
};
use crate::model::{Endian, Format, Import, Kind, LibraryLoad};

pub(super) fn parse(data: &[u8]) -> Result<Parsed, InspectError> {
    let magic = object::read::pe::optional_header_magic(data).map_err(|e| malformed("PE", e))?;
    match magic {
        pe::IMAGE_NT_OPTIONAL_HDR64_MAGIC => parse_as::<pe::ImageNtHeaders64>(data),
        pe::IMAGE_NT_OPTIONAL_HDR32_MAGIC => parse_as::<pe::ImageNtHeaders32>(data),
        m => Err(InspectError::Unsupported {
            format: "PE",
            detail: format!("optional header magic {m:#x} (ROM image?)"),
        }),
    }
}

fn text(b: &[u8]) -> String {
    String::from_utf8_lossy(b).into_owned()
}

fn to_import(imp: PeImport<'_>, dll: &str) -> Import {
    match imp {
        PeImport::Name(_hint, name) => Import {
            name: text(name),
            version: None,
            library: Some(dll.to_owned()),
            weak: false,
            ordinal: None,
            origin: Vec::new(),
        },
        PeImport::Ordinal(n) => Import {
            name: format!("#{n}"),
            version: None,
            library: Some(dll.to_owned()),
            weak: false,
            ordinal: Some(u32::from(n)),
            origin: Vec::new(),
        },
    }
}

fn parse_as<Pe: ImageNtHeaders>(data: &[u8]) -> Result<Parsed, InspectError> {
    let file = PeFile::<Pe>::parse(data).map_err(|e| malformed("PE", e))?;
    check_layout(&file, data)?;
    let fh = file.nt_headers().file_header();
    let oh = file.nt_headers().optional_header();
    let (arch, bits) = match fh.machine.get(LE) {
        pe::IMAGE_FILE_MACHINE_AMD64 => ("x86_64", 64),
        pe::IMAGE_FILE_MACHINE_I386 => ("x86", 32),
        pe::IMAGE_FILE_MACHINE_ARM64 => ("aarch64", 64),
        pe::IMAGE_FILE_MACHINE_ARMNT => ("arm", 32),
        m => {
            return Err(InspectError::Unsupported {
                format: "PE",
                detail: format!("machine {:#06x}", m.0),
            })
        }
    };
    let characteristics = fh.characteristics.get(LE).0;
    let kind = if characteristics & pe::IMAGE_FILE_DLL.0 != 0 {
        Kind::SharedLibrary
    } else if characteristics & pe::IMAGE_FILE_EXECUTABLE_IMAGE.0 != 0 {
        Kind::Executable
    } else {
        Kind::Other
    };

    let mut libraries = Vec::new();
    let mut imports = Vec::new();
    read_imports(&file, &mut libraries, &mut imports)?;
    read_delay_imports(&file, &mut libraries, &mut imports)?;
    let mut hardening_symbols: Vec<String> = imports
        .iter()
        .filter(|i| is_hardening_symbol(&i.name))
        .map(|i| i.name.clone())
        .collect();
    hardening_symbols.sort();
    hardening_symbols.dedup();

    let facts = PeFacts {
        subsystem: oh.subsystem().0,
        subsystem_version: (oh.major_subsystem_version(), oh.minor_subsystem_version()),
        linker_version: (oh.major_linker_version(), oh.minor_linker_version()),
        dll_characteristics: oh.dll_characteristics().0,
        has_rich_header: file.rich_header_info().is_some(),
    };

    Ok(Parsed {
        format: Format::Pe,
        arch: arch.to_owned(),
        bits,
        endian: Endian::Little,
        kind,
        slice: None,
        interpreter: None,
        rpath: Vec::new(),
        runpath: Vec::new(),
        libraries,
        imports,
        hardening_symbols,
        crates: dep_v0(&file)?,
        // Go's PE files name no section of their own: the whole file is searched
        go: super::go_info("PE", data, None)?,
        facts: FormatFacts::Pe(facts),
    })
}

/// cargo-auditable's `.dep-v0` section, read.
fn dep_v0<Pe: ImageNtHeaders>(
    file: &PeFile<'_, Pe>,
) -> Result<Option<Vec<crate::model::Crate>>, InspectError> {
    use object::{Object, ObjectSection};
    let Some(s) = file.section_by_name(super::auditable::SECTION) else {
        return Ok(None);
    };
    let bytes = s.data().map_err(|e| malformed("PE", e))?;
    super::auditable::crates("PE", bytes).map(Some)
}

/// Every section, and the COFF symbol and string tables (MinGW keeps them; they close
/// the file), lie within the file.
fn check_layout<Pe: ImageNtHeaders>(
    file: &PeFile<'_, Pe>,
    data: &[u8],
) -> Result<(), InspectError> {
    for s in file.section_table().iter() {
        let (offset, size) = s.pe_file_range();
        if size > 0 {
            let name = String::from_utf8_lossy(&s.name)
                .trim_end_matches('\0')
                .to_owned();
            super::check_within(
                "PE",
                &format!("section {name}"),
                offset.into(),
                size.into(),
                data.len(),
            )?;
        }
    }
    let fh = file.nt_headers().file_header();
    let symtab = u64::from(fh.pointer_to_symbol_table.get(LE));
    if symtab != 0 {
        let syms = u64::from(fh.number_of_symbols.get(LE)) * pe::IMAGE_SIZEOF_SYMBOL as u64;
        super::check_within("PE", "the COFF symbol table", symtab, syms + 4, data.len())?;
        let strtab = (symtab + syms) as usize;
        let strtab_len = data
            .get(strtab..strtab + 4)
            .map_or(0, |b| u32::from_le_bytes([b[0], b[1], b[2], b[3]]));
        super::check_within(
            "PE",
            "the COFF string table",
            strtab as u64,
            strtab_len.into(),
            data.len(),
        )?;
    }
    Ok(())
}

fn bad_imports(e: object::read::Error) -> InspectError {
    malformed("PE import table", e)
}

/// The import directory: one library per descriptor, its imports in thunk order.
fn read_imports<Pe: ImageNtHeaders>(
    file: &PeFile<'_, Pe>,
    libraries: &mut Vec<RawLibrary>,
    imports: &mut Vec<Import>,
) -> Result<(), InspectError> {
    let bad = bad_imports;
    let Some(table) = file.import_table().map_err(bad)? else {
        return Ok(());
    };
    let mut descs = table.descriptors().map_err(bad)?;
    while let Some(d) = descs.next().map_err(bad)? {
        let dll = text(table.name(d.name.get(LE)).map_err(bad)?);
        // The lookup table may be absent (old binders); the IAT then holds it.
        let first = match d.original_first_thunk.get(LE) {
            0 => d.first_thunk.get(LE),
            a => a,
        };
        let mut thunks = table.thunks(first).map_err(bad)?;
        while let Some(t) = thunks.next::<Pe>().map_err(bad)? {
            let imp = table.import::<Pe>(t).map_err(bad)?;
            imports.push(to_import(imp, &dll));
        }
        libraries.push(RawLibrary::named(dll, LibraryLoad::Needed));
    }
    Ok(())
}

/// The delay-load import directory: DLLs loaded on first call.
fn read_delay_imports<Pe: ImageNtHeaders>(
    file: &PeFile<'_, Pe>,
    libraries: &mut Vec<RawLibrary>,
    imports: &mut Vec<Import>,
) -> Result<(), InspectError> {
    let bad = bad_imports;
    let Some(table) = file.delay_load_import_table().map_err(bad)? else {
        return Ok(());
    };
    let mut descs = table.descriptors().map_err(bad)?;
    while let Some(d) = descs.next().map_err(bad)? {
        let dll = text(table.name(d.dll_name_rva.get(LE)).map_err(bad)?);
        let mut thunks = table.thunks(d.import_name_table_rva.get(LE)).map_err(bad)?;
        while let Some(t) = thunks.next::<Pe>().map_err(bad)? {
            let imp = table.import::<Pe>(t).map_err(bad)?;
            imports.push(to_import(imp, &dll));
        }
        libraries.push(RawLibrary::named(dll, LibraryLoad::Delay));
    }
    Ok(())
}
