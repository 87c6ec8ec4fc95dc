//! `cargo portable why SYMBOL|LIBRARY|glibc`: which crate (and object file) of a
//! variant's link references an import, asked for a library, or sets the glibc floor.
//!
//! The answer comes from the link itself, so `why` builds the variants asked for
//! (default: the matrix's first) exactly as `build` does: on a warm target directory
//! cargo finds everything fresh and only the inspection runs. The link's inputs are
//! the record `build` keeps beside each executable (`.portable-why/`), their indexes
//! come from the cache (`<cache>/why-index/`, by content hash). `--no-build` skips cargo
//! and answers from the executables and records the last build left.

use std::cell::RefCell;
use std::collections::{BTreeSet, HashMap};
use std::io::Write;
use std::path::{Path, PathBuf};

use anyhow::{bail, Context, Result};
use serde::Serialize;

use super::{load_matrix_checked, Outcome};
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
use crate::report::variants::Status;
use crate::scan::{scan, ScanOptions};
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
    // --no-build needs neither the toolchain's facts nor cargo's full metadata
    let meta = {
        let mut cmd = cargo_metadata::MetadataCommand::new();
        cmd.no_deps();
        if let Some(m) = &args.matrix.manifest_path {
            cmd.manifest_path(m);
        }
        cmd.exec().context("running `cargo metadata`")?
    };
    let root = meta.workspace_root.clone().into_std_path_buf();
    let tc = (!args.no_build).then(Toolchain::detect);
    let known_targets = tc
        .as_ref()
        .filter(|tc| !tc.target_list.is_empty())
        .map(|tc| tc.target_list.as_slice());
    // the variants are checked against the matrix before anything is built
    let all = MatrixArgs {
        variants: Vec::new(),
        ..args.matrix.clone()
    };
    let m = load_matrix_checked(&all, Some(&root), known_targets)?;
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
    // (variant id, its executables) or (variant id, why there are none)
    let mut built: Vec<(String, Vec<Artifact>)> = Vec::new();
    let mut failed = Vec::new();
    match &tc {
        None => {
            let dir = meta
                .target_directory
                .clone()
                .into_std_path_buf()
                .join("portable");
            for id in &variants {
                let exes = recorded_executables(&dir.join(id), &args.bins);
                if exes.is_empty() {
                    failed.push(format!(
                        "{id}: no build of it under {} (run `cargo portable build --variant {id}`, or drop --no-build)",
                        dir.join(id).display()
                    ));
                    continue;
                }
                let found = scan(&exes, ScanOptions { hash: false });
                for e in &found.errors {
                    failed.push(format!("{id}: {}: {}", e.path, e.error));
                }
                built.push((id.clone(), found.artifacts));
            }
        }
        Some(tc) => {
            let opts = BuildOptions {
                manifest_path: args.matrix.manifest_path.clone(),
                cargo: (&args.cargo).into(),
                bins: args.bins.clone(),
                variants,
                jobs: args
                    .jobs
                    .unwrap_or_else(|| std::thread::available_parallelism().map_or(1, |n| n.get())),
                quiet: true,
                attribute: false,
            };
            let ws = engine::resolve_workspace(tc, &opts)?;
            for r in engine::build(tc, &m, &ws, &opts)? {
                if r.status == Status::Built {
                    built.push((r.id, r.artifacts));
                } else {
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
                }
            }
        }
    }
    let mut answers = Vec::new();
    for (id, artifacts) in &built {
        answers.extend(answer_variant(id, artifacts, &args.what));
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
    let mut every_variant_has_it = true;
    for (id, _) in &built {
        if !answers.iter().any(|a| &a.variant == id && a.found) {
            every_variant_has_it = false;
            if !global.quiet {
                eprintln!(
                    "{id}: no executable of this variant {} `{}`",
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

/// The executables a build of a variant left a link record for (under its directory,
/// `<triple>/<profile>/.portable-why/<exe>.json`), only `bins` when given.
fn recorded_executables(dir: &Path, bins: &[String]) -> Vec<PathBuf> {
    let mut out: Vec<PathBuf> = walkdir::WalkDir::new(dir)
        .max_depth(4)
        .into_iter()
        .filter_map(Result::ok)
        .filter(|e| {
            e.file_type().is_file()
                && e.path().parent().and_then(|p| p.file_name()) == Some(".portable-why".as_ref())
        })
        .filter_map(|e| load_record(&exe_of_record(e.path())))
        .map(|r| PathBuf::from(r.executable))
        .filter(|exe| exe.is_file())
        .filter(|exe| {
            let stem = exe.file_stem().and_then(|s| s.to_str()).unwrap_or("");
            bins.is_empty() || bins.iter().any(|b| b == stem)
        })
        .collect();
    out.sort();
    out.dedup();
    out
}

/// `<dir>/.portable-why/<exe>.json` → `<dir>/<exe>`.
fn exe_of_record(record: &Path) -> PathBuf {
    let name = record
        .file_name()
        .and_then(|n| n.to_str())
        .and_then(|n| n.strip_suffix(".json"))
        .unwrap_or("");
    record
        .parent()
        .and_then(Path::parent)
        .unwrap_or(Path::new("."))
        .join(name)
}

fn is_library_query(q: &str) -> bool {
    q.contains(".so")
        || q.contains(".dylib")
        || q.to_ascii_lowercase().ends_with(".dll")
        || q.contains('/')
}

fn answer_variant(id: &str, artifacts: &[Artifact], what: &str) -> Vec<Answer> {
    let mut out = Vec::new();
    for a in artifacts {
        let Some(record) = load_record(Path::new(&a.path)) else {
            out.push(Answer {
                variant: id.to_owned(),
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
            variant: id.to_owned(),
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
