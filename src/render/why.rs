//! `why`'s answers for people.

use std::io::Write;

use crate::report::why::{
    is_library_query, Answer, ChainStep, GlibcAnswer, LibraryAnswer, LibraryReason, LinkedIn,
    SymbolAnswer,
};

/// A symbol as people read it: demangled Rust names without their hash.
pub fn demangle(name: &str) -> String {
    let plain = name
        .strip_prefix('_')
        .filter(|n| n.starts_with("_ZN") || n.starts_with("_R"));
    match rustc_demangle::try_demangle(plain.unwrap_or(name)) {
        Ok(d) => format!("{d:#}"),
        Err(_) => name.to_owned(),
    }
}

fn chain_lines(chain: &[ChainStep], w: &mut dyn Write) -> std::io::Result<()> {
    for s in chain {
        let f = s
            .function
            .as_deref()
            .map(demangle)
            .unwrap_or_else(|| "(data or unplaced code)".to_owned());
        writeln!(w, "      ← {}  {f}", s.krate)?;
        writeln!(w, "          in {}", short(&s.object))?;
    }
    Ok(())
}

/// An object path without the directories (`libstd-….rlib(std-….o)`).
fn short(object: &str) -> &str {
    let cut = match object.find('(') {
        Some(p) => object[..p].rfind('/').map_or(0, |i| i + 1),
        None => object.rfind('/').map_or(0, |i| i + 1),
    };
    &object[cut..]
}

pub fn human(what: &str, answers: &[Answer], w: &mut dyn Write) -> std::io::Result<()> {
    for a in answers {
        writeln!(w, "{}  {}", a.variant, a.path)?;
        if !a.found {
            let verb = if what == "glibc" {
                "needs no glibc version".to_owned()
            } else if is_library_query(what) {
                format!("does not need {what}")
            } else {
                format!("does not import or link {what}")
            };
            writeln!(w, "  {verb}")?;
            if let Some(l) = &a.linked_in {
                linked_in(l, a.exact, w)?;
            }
            continue;
        }
        if !a.exact {
            writeln!(
                w,
                "  (approximate: the link line was not seen, every member of every input counts)"
            )?;
        }
        if let Some(s) = &a.symbol {
            symbol(s, w)?;
        }
        if let Some(l) = &a.library {
            library(l, w)?;
        }
        if let Some(g) = &a.glibc {
            glibc(g, w)?;
        }
    }
    Ok(())
}

/// What imports or links a symbol, and the chain to it.
fn symbol(s: &SymbolAnswer, w: &mut dyn Write) -> std::io::Result<()> {
    match &s.import {
        Some(i) => {
            let v = i
                .version
                .as_deref()
                .map(|v| format!("@{v}"))
                .unwrap_or_default();
            let lib = i
                .library
                .as_deref()
                .map(|l| format!(" from {l}"))
                .unwrap_or_default();
            let weak = if i.weak { " (weak)" } else { "" };
            writeln!(w, "  {}{v}{lib}{weak} is imported for:", i.name)?;
        }
        None => writeln!(w, "  {} is linked in (not imported), for:", s.name)?,
    }
    if s.crates.is_empty() {
        writeln!(
            w,
            "    no crate's object references it: the C runtime or the linker's defaults bring it"
        )?;
    }
    for r in &s.references {
        writeln!(w, "    {}  {}", r.krate, short(&r.object))?;
    }
    if !s.chain.is_empty() {
        writeln!(w, "  chain:")?;
        writeln!(w, "      {}", s.name)?;
        chain_lines(&s.chain, w)?;
    }
    Ok(())
}

/// The crates behind a library.
fn library(l: &LibraryAnswer, w: &mut dyn Write) -> std::io::Result<()> {
    writeln!(w, "  {} is needed because of:", l.name)?;
    if l.origins.is_empty() {
        writeln!(
            w,
            "    no crate asks for it: the target's defaults (linker, C runtime)"
        )?;
    }
    for o in &l.origins {
        match &o.reason {
            LibraryReason::BuildScript { lib } => writeln!(
                w,
                "    {}  its build script: cargo:rustc-link-lib={lib}",
                o.krate
            )?,
            LibraryReason::References { symbols } => writeln!(
                w,
                "    {}  calls {} (a #[link] or extern block of its own{})",
                o.krate,
                symbols.join(", "),
                if o.krate.starts_with("std@") || o.krate.starts_with("libc@") {
                    ", or std's defaults"
                } else {
                    ""
                }
            )?,
        }
    }
    if !l.link_args.is_empty() {
        writeln!(w, "    link line: {}", l.link_args.join(" "))?;
    }
    Ok(())
}

/// A library asked about that is linked in statically instead of needed.
fn linked_in(l: &LinkedIn, exact: bool, w: &mut dyn Write) -> std::io::Result<()> {
    writeln!(
        w,
        "  {} is linked in statically: its code is in the executable, because of:",
        l.name
    )?;
    for o in &l.origins {
        if let LibraryReason::BuildScript { lib } = &o.reason {
            writeln!(
                w,
                "    {}  its build script: cargo:rustc-link-lib={lib}",
                o.krate
            )?;
        }
    }
    writeln!(
        w,
        "    {} C objects of the rlib of {} (which bundles it) {}",
        l.objects,
        l.origins
            .iter()
            .map(|o| o.krate.as_str())
            .collect::<Vec<_>>()
            .join(", "),
        if exact {
            "are loaded"
        } else {
            "(all of them: the link line was not seen, every member counts)"
        }
    )?;
    Ok(())
}

/// The symbols that set the glibc floor, and the floor without each.
fn glibc(g: &GlibcAnswer, w: &mut dyn Write) -> std::io::Result<()> {
    writeln!(w, "  needs glibc {} because of:", g.version)?;
    for f in &g.forced_by {
        let v = f
            .version
            .as_deref()
            .map(|v| format!("@{v}"))
            .unwrap_or_default();
        let crates = if f.crates.is_empty() {
            "no crate (the C runtime or the linker)".to_owned()
        } else {
            f.crates.join(", ")
        };
        writeln!(w, "    {}{v}  ← {crates}", f.symbol)?;
        chain_lines(&f.chain, w)?;
        match &f.floor_without {
            Some(v) if *v == g.version => writeln!(
                w,
                "      without it: still glibc {v} (other symbols need it)"
            )?,
            Some(v) => writeln!(w, "      without it: glibc {v}")?,
            None => writeln!(w, "      without it: no glibc version needed")?,
        }
    }
    if g.forced_by.len() > 1 {
        match &g.floor_without_all {
            Some(v) => writeln!(w, "  without all of them: glibc {v}")?,
            None => writeln!(w, "  without all of them: no glibc version needed")?,
        }
    }
    Ok(())
}
