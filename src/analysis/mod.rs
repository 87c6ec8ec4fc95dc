//! Analysis: [`Parsed`] facts in, a complete [`Artifact`] out. Pure functions over the
//! model and the compiled-in tables.

mod golang;
pub mod hazards;
mod linker;
mod platform;
mod requires;

use crate::data::Tables;
use crate::inspect::{FormatFacts, Parsed};
use crate::model::{
    Artifact, Format, Hazard, Kind, Library, LibraryClass, Linkage, Os, RunsOn, Severity,
};

/// Identity of the file the facts were read from (computed at the I/O edge).
#[derive(Debug, Clone)]
pub struct FileId {
    pub path: String,
    pub size: u64,
    pub sha256: Option<String>,
}

/// Derive everything section 5 of the spec asks for from the parsed facts.
pub fn analyze(id: &FileId, p: Parsed, tables: &Tables) -> Artifact {
    let linkage = linkage(&p);
    let libc = platform::libc(&p);
    let os = platform::os(&p, libc);
    let libraries: Vec<Library> = p
        .libraries
        .iter()
        .map(|l| Library {
            class: if crate::platform::is_base_library(&tables.system, os, &l.name) {
                LibraryClass::System
            } else {
                LibraryClass::External
            },
            name: l.name.clone(),
            load: l.load,
            compatibility_version: l.compatibility_version.clone(),
            current_version: l.current_version.clone(),
            origin: Vec::new(),
        })
        .collect();
    let requires = requires::requires(&p, libc, os, tables);
    let runs_on = requires::runs_on(&p, linkage, libc, os, &requires, tables);
    let linker = linker::linker(&p);
    let hardening = linker::hardening(&p);
    let hazards = hazards::hazards(&p, linkage, libc, &libraries);
    let portable = is_portable(&libraries, &hazards);
    let verdict = verdict(&p, linkage, os, &libraries, &requires, &runs_on, &hazards);

    Artifact {
        path: id.path.clone(),
        size: id.size,
        sha256: id.sha256.clone(),
        format: p.format,
        arch: p.arch,
        bits: p.bits,
        endian: p.endian,
        os,
        kind: p.kind,
        slice: p.slice,
        linkage,
        libc,
        interpreter: p.interpreter,
        rpath: p.rpath,
        runpath: p.runpath,
        libraries,
        imports: p.imports,
        crates: p.crates,
        go: p.go,
        requires,
        runs_on,
        linker,
        hardening,
        hazards,
        portable,
        verdict,
        proofs: None,
    }
}

/// Static means: nothing for a loader to do. ELF: no PT_INTERP and no DT_NEEDED;
/// position independent (ET_DYN) makes it static-pie, as `file` says. A shared library
/// is dynamic even without needed libraries: it only runs when a loader maps it.
fn linkage(p: &Parsed) -> Linkage {
    if p.interpreter.is_some() || !p.libraries.is_empty() || p.kind == Kind::SharedLibrary {
        return Linkage::Dynamic;
    }
    match &p.facts {
        FormatFacts::Elf(e) if e.et_dyn => Linkage::StaticPie,
        _ => Linkage::Static,
    }
}

/// Portable: needs nothing beyond the OS's own libraries and has no error-level hazard.
fn is_portable(libraries: &[Library], hazards: &[Hazard]) -> bool {
    libraries.iter().all(|l| l.class == LibraryClass::System)
        && hazards.iter().all(|h| h.severity < Severity::Error)
}

fn verdict(
    p: &Parsed,
    linkage: Linkage,
    os: Os,
    libraries: &[Library],
    requires: &crate::model::Requires,
    runs_on: &RunsOn,
    hazards: &[Hazard],
) -> String {
    let mut parts = Vec::new();
    let link = match linkage {
        Linkage::Static => "static",
        Linkage::StaticPie => "static-pie",
        Linkage::Dynamic => "dynamic",
    };
    match p.format {
        Format::Elf => {
            if let Some(g) = &requires.glibc {
                let by: Vec<&str> = g.forced_by.iter().take(3).map(String::as_str).collect();
                let more = if g.forced_by.len() > 3 { ", …" } else { "" };
                parts.push(format!(
                    "{link}; needs glibc ≥ {} ({}{more})",
                    g.version,
                    by.join(", ")
                ));
            } else {
                parts.push(link.to_owned());
            }
        }
        Format::Macho => parts.push(format!("Mach-O {link}")),
        Format::Pe => parts.push(format!("PE {link}")),
        Format::Xcoff => parts.push(format!("XCOFF {link}")),
    }
    // the glibc requirement is already said: keep only the list of releases
    let runs = match (&requires.glibc, runs_on.summary.split_once(": ")) {
        (Some(_), Some((_, list))) => list,
        _ => runs_on.summary.as_str(),
    };
    parts.push(format!("runs on {runs}"));
    let external: Vec<&str> = libraries
        .iter()
        .filter(|l| l.class == LibraryClass::External)
        .map(|l| l.name.as_str())
        .collect();
    if !external.is_empty() {
        parts.push(format!("ships or installs {}", external.join(", ")));
    } else if linkage == Linkage::Dynamic {
        parts.push(format!(
            "{} system libraries only",
            crate::platform::display_name(os)
        ));
    }
    let bad: Vec<&str> = hazards
        .iter()
        .filter(|h| h.severity >= Severity::Warning)
        .map(|h| h.code.as_str())
        .collect();
    if !bad.is_empty() {
        parts.push(format!("hazards: {}", bad.join(", ")));
    }
    parts.join("; ")
}

/// Hand-built [`Parsed`] values for the unit tests of the analysis: a minimal binary
/// of each format, to which a test adds the facts it is about.
#[cfg(test)]
pub(crate) mod testing {
    use crate::inspect::{
        ElfFacts, FormatFacts, MachoFacts, Parsed, PeFacts, RawLibrary, XcoffFacts,
    };
    use crate::model::{Endian, Format, Import, Kind, LibraryLoad};

    fn parsed(format: Format, facts: FormatFacts) -> Parsed {
        Parsed {
            format,
            arch: "x86_64".to_owned(),
            bits: 64,
            endian: Endian::Little,
            kind: Kind::Executable,
            slice: None,
            interpreter: None,
            rpath: Vec::new(),
            runpath: Vec::new(),
            libraries: Vec::new(),
            imports: Vec::new(),
            hardening_symbols: Vec::new(),
            crates: None,
            go: None,
            facts,
        }
    }

    /// An ELF executable with nothing in it; `with` fills in the ELF facts.
    pub(crate) fn elf(with: impl FnOnce(&mut ElfFacts)) -> Parsed {
        let mut e = ElfFacts::default();
        with(&mut e);
        parsed(Format::Elf, FormatFacts::Elf(e))
    }

    pub(crate) fn macho(with: impl FnOnce(&mut MachoFacts)) -> Parsed {
        let mut m = MachoFacts::default();
        with(&mut m);
        parsed(Format::Macho, FormatFacts::Macho(m))
    }

    pub(crate) fn pe(with: impl FnOnce(&mut PeFacts)) -> Parsed {
        let mut pe = PeFacts::default();
        with(&mut pe);
        parsed(Format::Pe, FormatFacts::Pe(pe))
    }

    /// A 64-bit XCOFF executable with nothing in it.
    pub(crate) fn xcoff() -> Parsed {
        let mut p = parsed(Format::Xcoff, FormatFacts::Xcoff(XcoffFacts::default()));
        p.arch = "powerpc64".to_owned();
        p.endian = Endian::Big;
        p
    }

    /// Needed libraries, by name.
    pub(crate) fn needs(mut p: Parsed, names: &[&str]) -> Parsed {
        p.libraries = names
            .iter()
            .map(|n| RawLibrary::named(*n, LibraryLoad::Needed))
            .collect();
        p
    }

    /// An import of `name` at `version` (`None`: unversioned) from `library`.
    pub(crate) fn import(name: &str, version: Option<&str>, library: &str, weak: bool) -> Import {
        Import {
            name: name.to_owned(),
            version: version.map(str::to_owned),
            library: Some(library.to_owned()),
            weak,
            ordinal: None,
            origin: Vec::new(),
        }
    }
}
