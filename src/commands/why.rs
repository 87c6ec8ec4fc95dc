//! `cargo portable why SYMBOL|LIBRARY|glibc`: which crate (and object file) of a
//! variant's link references an import, asked for a library, or sets the glibc floor.
//!
//! The answer comes from the link itself, so `why` builds the variants asked for
//! (default: the matrix's first) exactly as `build` does: on a warm target directory
//! cargo finds everything fresh and only the inspection runs. The link's inputs are
//! the record `build` keeps beside each executable (`.portable-why/`), their indexes
//! come from the cache (`<cache>/why-index/`, by content hash).

use std::cell::RefCell;
use std::collections::{BTreeSet, HashMap};
use std::io::Write;
use std::path::Path;

use anyhow::{bail, Result};
use serde::Serialize;

use super::{load_matrix, Outcome};
use crate::attribution::index::{demangle, member_data, FileIndex};
use crate::attribution::store::{indexes, load_record};
use crate::attribution::{
    glibc_floor_without, library_matches, library_origins, link_name, ChainStep, LibraryOrigin,
    LinkRecord, Linked, MemberRef,
};
use crate::cli::{GlobalOpts, MatrixArgs, WhyArgs, WhyFormat};
use crate::engine::{self, BuildOptions};
use crate::model::{Artifact, Import};
use crate::output::write_output;
use crate::report::variants::{Status, VariantReport};
use crate::toolchain::Toolchain;

/// The answer for one executable.
#[derive(Debug, Serialize)]
struct Answer {
    variant: String,
    path: String,
    /// False when the executable does not import (or link) what was asked.
    found: bool,
    /// False when the link line was not seen (zig builds): every member of every
    /// input counted, not only those the linker loaded.
    exact: bool,
    #[serde(skip_serializing_if = "Option::is_none")]
    symbol: Option<SymbolAnswer>,
    #[serde(skip_serializing_if = "Option::is_none")]
    library: Option<LibraryAnswer>,
    #[serde(skip_serializing_if = "Option::is_none")]
    glibc: Option<GlibcAnswer>,
}

#[derive(Debug, Serialize)]
struct Reference {
    #[serde(rename = "crate")]
    krate: String,
    object: String,
}

#[derive(Debug, Serialize)]
struct SymbolAnswer {
    name: String,
    /// The import, when the binary imports it (a static binary links it in).
    import: Option<Import>,
    /// The crates whose loaded objects reference it.
    crates: Vec<String>,
    references: Vec<Reference>,
    /// From the symbol back to the final crate.
    chain: Vec<ChainStep>,
}

#[derive(Debug, Serialize)]
struct LibraryAnswer {
    name: String,
    origins: Vec<LibraryOrigin>,
    /// The `-l` of the link line that gives it.
    link_args: Vec<String>,
}

#[derive(Debug, Serialize)]
struct Forcing {
    symbol: String,
    version: Option<String>,
    crates: Vec<String>,
    chain: Vec<ChainStep>,
    /// The floor if this symbol were gone.
    floor_without: Option<String>,
}

#[derive(Debug, Serialize)]
struct GlibcAnswer {
    version: String,
    forced_by: Vec<Forcing>,
    /// The floor without every symbol of `forced_by`.
    floor_without_all: Option<String>,
}

#[derive(Debug, Serialize)]
struct WhyDoc<'a> {
    query: &'a str,
    answers: &'a [Answer],
}

pub(super) fn run(args: WhyArgs, global: &GlobalOpts) -> Result<Outcome> {
    let tc = Toolchain::detect();
    // the variants are checked against the matrix before anything is built
    let all = MatrixArgs {
        variants: Vec::new(),
        ..args.matrix.clone()
    };
    let root = super::workspace_root(&tc, args.matrix.manifest_path.as_deref());
    let m = load_matrix(&all, root.as_deref(), &tc)?;
    let known: Vec<&str> = m.variants.iter().map(|v| v.id()).collect();
    for id in &args.matrix.variants {
        if !known.contains(&id.as_str()) {
            bail!(
                "{}: no variant with id `{id}`; the known ids: {}",
                m.source,
                known.join(", ")
            );
        }
    }
    let variants = if args.matrix.variants.is_empty() {
        match known.first() {
            Some(first) => vec![first.to_string()],
            None => bail!("{}: the matrix has no variant", m.source),
        }
    } else {
        args.matrix.variants.clone()
    };
    let opts = BuildOptions {
        manifest_path: args.matrix.manifest_path.clone(),
        cargo: args.cargo.clone(),
        bins: args.bins.clone(),
        variants,
        jobs: args
            .jobs
            .unwrap_or_else(|| std::thread::available_parallelism().map_or(1, |n| n.get())),
        quiet: true,
    };
    let ws = engine::resolve_workspace(&tc, &opts)?;
    let reports = engine::build(&tc, &m, &ws, &opts)?;
    let mut answers = Vec::new();
    let mut failed = Vec::new();
    for r in &reports {
        if r.status != Status::Built {
            failed.push(format!(
                "{}: {}: {}",
                r.id,
                if r.status == Status::Failed {
                    "failed"
                } else {
                    "skipped"
                },
                r.reason.as_deref().unwrap_or("")
            ));
            continue;
        }
        answers.extend(answer_variant(r, &args.what));
    }
    for f in &failed {
        eprintln!("error: {f}");
    }
    write_output(args.output.as_deref(), |w| match args.format {
        WhyFormat::Json => {
            serde_json::to_writer_pretty(
                &mut *w,
                &WhyDoc {
                    query: &args.what,
                    answers: &answers,
                },
            )?;
            writeln!(w)
        }
        WhyFormat::Human => human(&args.what, &answers, w),
    })?;
    let every_variant_has_it = reports
        .iter()
        .filter(|r| r.status == Status::Built)
        .all(|r| answers.iter().any(|a| a.variant == r.id && a.found));
    if !global.quiet {
        for r in reports.iter().filter(|r| r.status == Status::Built) {
            if !answers.iter().any(|a| a.variant == r.id && a.found) {
                eprintln!(
                    "{}: no executable of this variant {} `{}`",
                    r.id,
                    if is_library_query(&args.what) {
                        "needs"
                    } else {
                        "imports or links"
                    },
                    args.what
                );
            }
        }
    }
    Ok(if failed.is_empty() && every_variant_has_it {
        Outcome::Success
    } else {
        Outcome::Failure
    })
}

fn is_library_query(q: &str) -> bool {
    q.contains(".so")
        || q.contains(".dylib")
        || q.to_ascii_lowercase().ends_with(".dll")
        || q.contains('/')
}

fn answer_variant(r: &VariantReport, what: &str) -> Vec<Answer> {
    let mut out = Vec::new();
    for a in &r.artifacts {
        let Some(record) = load_record(Path::new(&a.path)) else {
            out.push(Answer {
                variant: r.id.clone(),
                path: a.path.clone(),
                found: false,
                exact: false,
                symbol: None,
                library: None,
                glibc: None,
            });
            continue;
        };
        let (files, _) = indexes(&record);
        let linked = Linked::new(&record, &files);
        let reader = Reader::new(&record, &files);
        let read = |m: MemberRef| reader.read(m);
        let mut ans = Answer {
            variant: r.id.clone(),
            path: a.path.clone(),
            found: false,
            exact: record.complete,
            symbol: None,
            library: None,
            glibc: None,
        };
        if what == "glibc" {
            ans.glibc = glibc_answer(a, &linked, &read);
            ans.found = ans.glibc.is_some();
        } else if let Some(lib) = find_library(a, what) {
            let origins = library_origins(&linked, a, &lib);
            let link_args = record
                .link_libs
                .iter()
                .filter(|l| library_matches(&lib, link_name(l)))
                .map(|l| format!("-l{l}"))
                .collect();
            ans.found = true;
            ans.library = Some(LibraryAnswer {
                name: lib,
                origins,
                link_args,
            });
        } else if !is_library_query(what) {
            ans.symbol = symbol_answer(a, &linked, what, &read);
            ans.found = ans.symbol.is_some();
        }
        out.push(ans);
    }
    out
}

/// The bytes of link inputs, each file read once.
struct Reader<'a> {
    record: &'a LinkRecord,
    files: &'a [FileIndex],
    cache: RefCell<HashMap<usize, Option<Vec<u8>>>>,
}

impl<'a> Reader<'a> {
    fn new(record: &'a LinkRecord, files: &'a [FileIndex]) -> Self {
        Reader {
            record,
            files,
            cache: RefCell::new(HashMap::new()),
        }
    }
    fn read(&self, m: MemberRef) -> Option<Vec<u8>> {
        let mut cache = self.cache.borrow_mut();
        let data = cache
            .entry(m.0)
            .or_insert_with(|| std::fs::read(&self.record.units.get(m.0)?.path).ok())
            .as_deref()?;
        let name = &self.files.get(m.0)?.members.get(m.1)?.name;
        member_data(data, name).map(<[u8]>::to_vec)
    }
}

/// The needed library `what` names: its file name, or the name it is linked by.
fn find_library(a: &Artifact, what: &str) -> Option<String> {
    a.libraries
        .iter()
        .find(|l| l.name == what || l.name.rsplit('/').next() == Some(what))
        .or_else(|| {
            a.libraries
                .iter()
                .find(|l| is_library_query(what) && library_matches(&l.name, what))
        })
        .map(|l| l.name.clone())
}

fn symbol_answer(
    a: &Artifact,
    linked: &Linked,
    what: &str,
    read: &dyn Fn(MemberRef) -> Option<Vec<u8>>,
) -> Option<SymbolAnswer> {
    // `getaddrinfo@GLIBC_2.2.5` as nm prints it asks for `getaddrinfo`
    let name = what.split_once('@').map_or(what, |(n, _)| n);
    let import = a
        .imports
        .iter()
        .find(|i| i.name == name || i.name.strip_prefix('_') == Some(name))
        .cloned();
    let sym = import.as_ref().map_or(name.to_owned(), |i| i.name.clone());
    let refs = linked.referencers(&sym);
    // not imported: a static binary links it in from the C library (a crate
    // references it and none defines it, or a hazard names it); otherwise it is
    // not there
    let in_hazard = a
        .hazards
        .iter()
        .any(|h| h.evidence.iter().any(|e| e == &sym));
    if import.is_none() && !in_hazard && (refs.is_empty() || linked.definer(&sym).is_some()) {
        return None;
    }
    Some(SymbolAnswer {
        crates: linked.crates_referencing(&sym),
        references: refs
            .iter()
            .map(|&m| Reference {
                krate: linked.krate(m).to_owned(),
                object: linked.describe(m),
            })
            .collect(),
        chain: linked.chain(&sym, read),
        name: sym,
        import,
    })
}

fn glibc_answer(
    a: &Artifact,
    linked: &Linked,
    read: &dyn Fn(MemberRef) -> Option<Vec<u8>>,
) -> Option<GlibcAnswer> {
    let req = a.requires.glibc.as_ref()?;
    let forced_by = req
        .forced_by
        .iter()
        .map(|s| Forcing {
            symbol: s.clone(),
            version: a
                .imports
                .iter()
                .find(|i| &i.name == s && !i.weak)
                .and_then(|i| i.version.clone()),
            crates: linked.crates_referencing(s),
            chain: linked.chain(s, read),
            floor_without: glibc_floor_without(&a.imports, &BTreeSet::from([s.as_str()])),
        })
        .collect();
    let all: BTreeSet<&str> = req.forced_by.iter().map(String::as_str).collect();
    Some(GlibcAnswer {
        version: req.version.clone(),
        forced_by,
        floor_without_all: glibc_floor_without(&a.imports, &all),
    })
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

fn human(what: &str, answers: &[Answer], w: &mut dyn Write) -> std::io::Result<()> {
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
            continue;
        }
        if !a.exact {
            writeln!(
                w,
                "  (approximate: the link line was not seen, every member of every input counts)"
            )?;
        }
        if let Some(s) = &a.symbol {
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
        }
        if let Some(l) = &a.library {
            writeln!(w, "  {} is needed because of:", l.name)?;
            if l.origins.is_empty() {
                writeln!(
                    w,
                    "    no crate asks for it: the target's defaults (linker, C runtime)"
                )?;
            }
            for o in &l.origins {
                match &o.reason {
                    crate::attribution::LibraryReason::BuildScript { lib } => writeln!(
                        w,
                        "    {}  its build script: cargo:rustc-link-lib={lib}",
                        o.krate
                    )?,
                    crate::attribution::LibraryReason::References { symbols } => writeln!(
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
        }
        if let Some(g) = &a.glibc {
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
        }
    }
    Ok(())
}
