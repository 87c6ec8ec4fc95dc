//! `why`'s answers for a variant's executables, from the link records `build` keeps
//! beside them.

use std::cell::RefCell;
use std::collections::{BTreeSet, HashMap};
use std::path::{Path, PathBuf};

use super::index::{member_data, FileIndex};
use super::store::{indexes, load_record};
use super::{
    glibc_floor_without, library_matches, library_origins, link_name, LinkRecord, Linked, MemberRef,
};
use crate::model::Artifact;
use crate::report::why::{
    is_library_query, Answer, Forcing, GlibcAnswer, LibraryAnswer, LibraryOrigin, LibraryReason,
    LinkedIn, Reference, SymbolAnswer,
};

/// The executables a build of a variant left a link record for (under its directory,
/// `<triple>/<profile>/.portable-why/<exe>.json`), only `bins` when given.
pub fn recorded_executables(dir: &Path, bins: &[String]) -> Vec<PathBuf> {
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

pub fn answer_variant(id: &str, artifacts: &[Artifact], what: &str) -> Vec<Answer> {
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
                linked_in: None,
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
            linked_in: None,
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
        } else {
            ans.linked_in = linked_in(&linked, &files, what);
        }
        out.push(ans);
    }
    out
}

/// A library the executable does not need that a build script linked in statically
/// (`cargo:rustc-link-lib=static=ssl` for `libssl.so.3`: openssl-sys with
/// `vendored`), with the number of its C objects the link loads from those crates'
/// rlibs, which bundle the static library.
fn linked_in(linked: &Linked, files: &[FileIndex], what: &str) -> Option<LinkedIn> {
    let mut name = None;
    let mut origins = Vec::new();
    for b in &linked.record.build_scripts {
        if let Some(lib) = b.libs.iter().find(|l| {
            let kind = l.split_once('=').map(|(k, _)| k);
            kind.is_some_and(|k| k.split(':').next() == Some("static"))
                && library_matches(what, link_name(l))
        }) {
            name.get_or_insert_with(|| link_name(lib).to_owned());
            origins.push(LibraryOrigin {
                krate: b.krate.clone(),
                reason: LibraryReason::BuildScript { lib: lib.clone() },
            });
        }
    }
    let name = name?;
    let objects = linked
        .loaded()
        .iter()
        .filter(|&&(u, m)| {
            let krate = linked.krate((u, m));
            origins.iter().any(|o| o.krate == krate)
                && files
                    .get(u)
                    .and_then(|f| f.members.get(m))
                    .is_some_and(|mem| {
                        !mem.name.ends_with(".rcgu.o") && !mem.name.ends_with(".rmeta")
                    })
        })
        .count();
    Some(LinkedIn {
        name,
        origins,
        objects,
    })
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
