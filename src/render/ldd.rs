//! `--format ldd`: the needed libraries the way `ldd` (ELF) and `otool -L` (Mach-O)
//! list them, without resolving paths on this host (the binary may be for another
//! system). Static binaries print `statically linked`.

use std::io::{self, Write};

use super::heading;
use crate::model::{Artifact, Format, LibraryLoad, Linkage};

pub(super) fn render(artifacts: &[Artifact], w: &mut dyn Write) -> io::Result<()> {
    for a in artifacts {
        writeln!(w, "{}", heading(a))?;
        if a.linkage != Linkage::Dynamic {
            writeln!(w, "\tstatically linked")?;
            continue;
        }
        for l in &a.libraries {
            match (a.format, &l.compatibility_version, &l.current_version) {
                (Format::Macho, Some(c), Some(v)) => {
                    // otool -L / llvm-objdump --dylibs-used mark the load command kind
                    let mark = match l.load {
                        LibraryLoad::Weak => ", weak",
                        LibraryLoad::Reexport => ", reexport",
                        LibraryLoad::Upward => ", upward",
                        LibraryLoad::Lazy => ", lazy",
                        _ => "",
                    };
                    writeln!(
                        w,
                        "\t{} (compatibility version {c}, current version {v}{mark})",
                        l.name
                    )?
                }
                _ => writeln!(w, "\t{}", l.name)?,
            }
        }
        if let (Format::Elf, Some(i)) = (a.format, &a.interpreter) {
            writeln!(w, "\t{i} (interpreter)")?;
        }
    }
    Ok(())
}
