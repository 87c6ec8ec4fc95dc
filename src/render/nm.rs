//! `--format nm`: the imported symbols the way `nm -D --undefined-only` (ELF) and
//! `nm -u` (Mach-O) print them; for PE, the import table as `U name@DLL`.

use std::io::{self, Write};

use super::heading;
use crate::model::{Artifact, Format};

pub(super) fn render(artifacts: &[Artifact], w: &mut dyn Write) -> io::Result<()> {
    let many = artifacts.len() > 1;
    for (i, a) in artifacts.iter().enumerate() {
        if many {
            if i > 0 {
                writeln!(w)?;
            }
            writeln!(w, "{}", heading(a))?;
        }
        let pad = if a.bits == 64 { 16 } else { 8 };
        // nm sorts by name (with the version suffix), in byte order
        let mut imports: Vec<_> = a.imports.iter().collect();
        imports.sort_by(|x, y| (&x.name, &x.version).cmp(&(&y.name, &y.version)));
        for imp in imports {
            let t = if imp.weak { 'w' } else { 'U' };
            match a.format {
                Format::Elf => match &imp.version {
                    Some(v) => writeln!(w, "{:pad$} {t} {}@{v}", "", imp.name)?,
                    None => writeln!(w, "{:pad$} {t} {}", "", imp.name)?,
                },
                Format::Macho => writeln!(w, "{}", imp.name)?,
                Format::Pe | Format::Xcoff => writeln!(
                    w,
                    "{:pad$} {t} {}@{}",
                    "",
                    imp.name,
                    imp.library.as_deref().unwrap_or("?")
                )?,
            }
        }
    }
    Ok(())
}
