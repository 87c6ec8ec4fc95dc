//! Which crate put each import, library and glibc floor into a binary (`cargo portable
//! why`, and the `origin` fields of the report).
//!
//! The evidence is the link's own inputs, as the linker saw them: the final crate's
//! object (`--emit=obj`), the rlibs of its dependencies and the target's std rlibs (in
//! the order of rustc's `--print link-args`), and what each build script asked for
//! (`cargo:rustc-link-lib`, from cargo's build-script-executed messages). A
//! [`LinkRecord`] lists them; [`index`] reads what every member defines and
//! references; [`Linked`] replays the linker's choice of archive members and answers
//! "which loaded members reference this symbol", "which crate asked for this
//! library", and the chain of functions from an import back to the final crate.
//! Everything here is pure except [`store`] (the record and the cache of indexes).

pub mod answer;
pub mod index;
pub mod linkargs;
pub mod store;

use std::collections::{BTreeMap, BTreeSet, HashMap, HashSet, VecDeque};

use serde::{Deserialize, Serialize};

use self::index::{reachers, FileIndex};
use crate::model::{Artifact, Import, SymbolOrigin};
pub use crate::report::why::{ChainStep, LibraryOrigin, LibraryReason};
use crate::version::Version;

/// Where a link input comes from.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum UnitKind {
    /// The final (binary) crate's own object code.
    Final,
    /// A dependency's rlib.
    Dependency,
    /// The target's standard library (the sysroot's rlibs).
    Sysroot,
}

/// One link input.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Unit {
    /// `name@version` of the crate (for the sysroot: the crate's name and rustc's version).
    #[serde(rename = "crate")]
    pub krate: String,
    pub path: String,
    pub kind: UnitKind,
}

/// The libraries one package's build script asked rustc to link.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct BuildScript {
    #[serde(rename = "crate")]
    pub krate: String,
    /// As cargo reports them: `z`, `dylib=ssl`, `static=foo`, `framework=Security`.
    pub libs: Vec<String>,
}

/// What went into one executable's link.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct LinkRecord {
    pub executable: String,
    pub target: String,
    /// The final crate, `name@version`.
    pub final_crate: String,
    /// In link order.
    pub units: Vec<Unit>,
    /// The `-l` libraries of the link line, in order.
    pub link_libs: Vec<String>,
    pub build_scripts: Vec<BuildScript>,
    /// True when the link line was read (the final crate's object is among the
    /// units, and members are loaded as the linker loads them); false when only
    /// cargo's artifacts are known (zig builds): every member then counts.
    pub complete: bool,
}

/// A member of a link input: (unit index, member index).
pub type MemberRef = (usize, usize);

/// A link, replayed: which members the linker loads, and who references what.
#[derive(Debug)]
pub struct Linked<'a> {
    pub record: &'a LinkRecord,
    pub files: &'a [FileIndex],
    loaded: Vec<MemberRef>,
    /// symbol -> loaded members that reference it (strong or weak)
    refs: HashMap<&'a str, Vec<MemberRef>>,
    /// symbol -> the loaded member that defines it (the first in link order)
    defs: HashMap<&'a str, MemberRef>,
}

impl<'a> Linked<'a> {
    /// Replay the link: the final crate's objects are loaded, then every archive
    /// member that defines a (strong) symbol still undefined, as lld and GNU ld do.
    pub fn new(record: &'a LinkRecord, files: &'a [FileIndex]) -> Linked<'a> {
        let mut lazy: HashMap<&str, MemberRef> = HashMap::new();
        let mut loaded: Vec<MemberRef> = Vec::new();
        let mut is_loaded: HashSet<MemberRef> = HashSet::new();
        let mut queue: VecDeque<MemberRef> = VecDeque::new();
        for (u, (unit, file)) in record.units.iter().zip(files).enumerate() {
            for (m, member) in file.members.iter().enumerate() {
                if !record.complete || unit.kind == UnitKind::Final {
                    queue.push_back((u, m));
                    is_loaded.insert((u, m));
                } else {
                    for d in &member.defined {
                        lazy.entry(d.as_str()).or_insert((u, m));
                    }
                }
            }
        }
        let mut defs: HashMap<&str, MemberRef> = HashMap::new();
        while let Some(at) = queue.pop_front() {
            loaded.push(at);
            let member = &files[at.0].members[at.1];
            for d in &member.defined {
                defs.entry(d.as_str()).or_insert(at);
            }
            for u in &member.undefined {
                if defs.contains_key(u.as_str()) {
                    continue;
                }
                if let Some(&m) = lazy.get(u.as_str()) {
                    if is_loaded.insert(m) {
                        queue.push_back(m);
                    }
                }
            }
        }
        loaded.sort();
        let mut refs: HashMap<&str, Vec<MemberRef>> = HashMap::new();
        for &at in &loaded {
            let member = &files[at.0].members[at.1];
            for u in member.undefined.iter().chain(&member.weak_undefined) {
                refs.entry(u.as_str()).or_default().push(at);
            }
        }
        Linked {
            record,
            files,
            loaded,
            refs,
            defs,
        }
    }

    /// How many archive members and objects the link loads.
    pub fn loaded_count(&self) -> usize {
        self.loaded.len()
    }

    /// The members the link loads, in link order.
    pub fn loaded(&self) -> &[MemberRef] {
        &self.loaded
    }

    /// The crate of a member.
    pub fn krate(&self, at: MemberRef) -> &'a str {
        &self.record.units[at.0].krate
    }

    /// `path(member)` as the linker names it.
    pub fn describe(&self, at: MemberRef) -> String {
        let unit = &self.record.units[at.0];
        let name = &self.files[at.0].members[at.1].name;
        if name.is_empty() {
            unit.path.clone()
        } else {
            format!("{}({name})", unit.path)
        }
    }

    /// The loaded members that reference `symbol` (a PE import also as `__imp_NAME`).
    pub fn referencers(&self, symbol: &str) -> Vec<MemberRef> {
        let mut v: Vec<MemberRef> = self.refs.get(symbol).cloned().unwrap_or_default();
        if let Some(more) = self.refs.get(format!("__imp_{symbol}").as_str()) {
            v.extend(more);
        }
        v.sort();
        v.dedup();
        v
    }

    /// The loaded member that defines `symbol`, if a crate does.
    pub fn definer(&self, symbol: &str) -> Option<MemberRef> {
        self.defs.get(symbol).copied()
    }

    /// The crates whose loaded members reference `symbol`, sorted.
    pub fn crates_referencing(&self, symbol: &str) -> Vec<String> {
        let set: BTreeSet<&str> = self
            .referencers(symbol)
            .into_iter()
            .map(|m| self.krate(m))
            .collect();
        set.into_iter().map(str::to_owned).collect()
    }

    /// The chain from `symbol` back to the final crate: each step a loaded member and
    /// the global function in it whose code reaches the previous step's symbol.
    /// Shortest first; `read` gives a member's bytes (the caller's I/O).
    pub fn chain(
        &self,
        symbol: &str,
        read: &dyn Fn(MemberRef) -> Option<Vec<u8>>,
    ) -> Vec<ChainStep> {
        const MAX_DEPTH: usize = 32;
        const MAX_MEMBERS: usize = 1000;
        // BFS over symbols; parent: symbol -> (the symbol it references, step)
        let mut parent: HashMap<String, (String, ChainStep)> = HashMap::new();
        let mut frontier: Vec<String> = vec![symbol.to_owned()];
        let mut seen_syms: HashSet<String> = HashSet::from([symbol.to_owned()]);
        let mut cache: HashMap<MemberRef, Option<Vec<u8>>> = HashMap::new();
        let mut best: Option<String> = None;
        let mut fallback: Option<String> = None;
        for _ in 0..MAX_DEPTH {
            if frontier.is_empty() || best.is_some() || cache.len() > MAX_MEMBERS {
                break;
            }
            // group the frontier's symbols by the members referencing them
            let mut by_member: BTreeMap<MemberRef, BTreeSet<String>> = BTreeMap::new();
            for s in &frontier {
                for m in self.referencers(s) {
                    by_member.entry(m).or_default().insert(s.clone());
                }
            }
            let mut next = Vec::new();
            for (m, targets) in by_member {
                let data = cache.entry(m).or_insert_with(|| read(m));
                let Some(data) = data else { continue };
                let found = reachers(data, &targets);
                let is_final = self.record.units[m.0].kind == UnitKind::Final;
                if found.is_empty() && is_final && best.is_none() {
                    // the final crate's object references it from code we cannot
                    // place (e.g. a data reference): the chain ends there
                    let t = targets.iter().next().cloned().unwrap_or_default();
                    let key = format!("\0{}", self.describe(m));
                    parent.insert(key.clone(), (t.clone(), self.step(m, None, t)));
                    best = Some(key);
                }
                for (g, t) in found {
                    if !seen_syms.insert(g.clone()) {
                        continue;
                    }
                    parent.insert(g.clone(), (t.clone(), self.step(m, Some(g.clone()), t)));
                    if is_final && best.is_none() {
                        best = Some(g.clone());
                    }
                    if fallback.is_none() {
                        fallback = Some(g.clone());
                    }
                    next.push(g);
                }
            }
            // the last crate reached, when none is the final crate
            if let Some(last) = next.last() {
                fallback = Some(last.clone());
            }
            frontier = next;
        }
        match best.or(fallback) {
            Some(at) => walk_back(&parent, at, symbol),
            None => Vec::new(),
        }
    }

    /// The step of a chain through member `m`: `function` in it references `references`.
    fn step(&self, m: MemberRef, function: Option<String>, references: String) -> ChainStep {
        ChainStep {
            krate: self.krate(m).to_owned(),
            object: self.describe(m),
            function,
            references,
        }
    }
}

/// The chain from `at` back to `symbol` through `parent` (symbol -> the symbol it
/// references, and the step), in order from `symbol` outwards.
fn walk_back(
    parent: &HashMap<String, (String, ChainStep)>,
    mut at: String,
    symbol: &str,
) -> Vec<ChainStep> {
    let mut steps = Vec::new();
    while let Some((prev, step)) = parent.get(&at) {
        steps.push(step.clone());
        if prev == symbol {
            break;
        }
        at = prev.clone();
    }
    steps.reverse();
    steps
}

/// The name a `-l`/`cargo:rustc-link-lib` entry links (`dylib=z:+verbatim` → `z`).
pub fn link_name(spec: &str) -> &str {
    let name = spec.split_once('=').map_or(spec, |(_, n)| n);
    let name = name.split_once(':').map_or(name, |(n, _)| n);
    name.split_once('=').map_or(name, |(_, n)| n)
}

pub use crate::platform::names::library_matches;

/// The imports of an artifact that come from `library` (ELF verneed, Mach-O
/// two-level namespace, PE import table).
fn imports_from<'i>(a: &'i Artifact, library: &str) -> impl Iterator<Item = &'i Import> {
    let lib = library.to_owned();
    a.imports
        .iter()
        .filter(move |i| i.library.as_deref() == Some(lib.as_str()))
}

/// Who asked for `library`: build scripts that link it, then the crates that call
/// into it (sorted by crate).
pub fn library_origins(linked: &Linked, a: &Artifact, library: &str) -> Vec<LibraryOrigin> {
    let mut out = Vec::new();
    for b in &linked.record.build_scripts {
        if let Some(lib) = b
            .libs
            .iter()
            .find(|l| library_matches(library, link_name(l)))
        {
            out.push(LibraryOrigin {
                krate: b.krate.clone(),
                reason: LibraryReason::BuildScript { lib: lib.clone() },
            });
        }
    }
    let mut by_crate: BTreeMap<String, BTreeSet<String>> = BTreeMap::new();
    for i in imports_from(a, library) {
        for c in linked.crates_referencing(&i.name) {
            by_crate.entry(c).or_default().insert(i.name.clone());
        }
    }
    for (krate, symbols) in by_crate {
        out.push(LibraryOrigin {
            krate,
            reason: LibraryReason::References {
                symbols: symbols.into_iter().collect(),
            },
        });
    }
    out
}

/// The symbol names an evidence entry of a hazard refers to (a symbol, possibly
/// `name@VERSION`).
fn evidence_symbol(e: &str) -> &str {
    e.split_once('@').map_or(e, |(n, _)| n)
}

/// Fill the `origin` fields of an artifact from its link.
pub fn apply(linked: &Linked, a: &mut Artifact) {
    let mut imports = std::mem::take(&mut a.imports);
    for i in &mut imports {
        i.origin = linked.crates_referencing(&i.name);
    }
    a.imports = imports;
    let mut libraries = std::mem::take(&mut a.libraries);
    for l in &mut libraries {
        let set: BTreeSet<String> = library_origins(linked, a, &l.name)
            .into_iter()
            .map(|o| o.krate)
            .collect();
        l.origin = set.into_iter().collect();
    }
    a.libraries = libraries;
    for h in &mut a.hazards {
        let set: BTreeSet<String> = h
            .evidence
            .iter()
            .flat_map(|e| linked.crates_referencing(evidence_symbol(e)))
            .chain(
                h.evidence
                    .iter()
                    .flat_map(|e| library_origins_by_name(linked, e)),
            )
            .collect();
        h.origin = set.into_iter().collect();
    }
    for req in [
        &mut a.requires.glibc,
        &mut a.requires.glibcxx,
        &mut a.requires.cxxabi,
        &mut a.requires.gcc,
    ]
    .into_iter()
    .flatten()
    {
        req.origin = req
            .forced_by
            .iter()
            .map(|s| SymbolOrigin {
                symbol: s.clone(),
                crates: linked.crates_referencing(s),
            })
            .filter(|o| !o.crates.is_empty())
            .collect();
    }
}

/// Build scripts that link a library named like `evidence` (for hazards whose
/// evidence is a library).
fn library_origins_by_name(linked: &Linked, evidence: &str) -> Vec<String> {
    linked
        .record
        .build_scripts
        .iter()
        .filter(|b| {
            b.libs
                .iter()
                .any(|l| library_matches(evidence, link_name(l)))
        })
        .map(|b| b.krate.clone())
        .collect()
}

/// The glibc floor set by the non-weak imports except `without`: what the
/// requirement would be if those symbols were gone.
pub fn glibc_floor_without(imports: &[Import], without: &BTreeSet<&str>) -> Option<String> {
    imports
        .iter()
        .filter(|i| !i.weak && !without.contains(i.name.as_str()))
        .filter_map(|i| {
            let (pre, v) = Version::from_symbol_version(i.version.as_deref()?)?;
            (pre == "GLIBC").then_some(v)
        })
        .max()
        .map(|v| v.to_string())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::attribution::index::MemberIndex;

    fn member(name: &str, defined: &[&str], undefined: &[&str]) -> MemberIndex {
        MemberIndex {
            name: name.into(),
            defined: defined.iter().map(|s| s.to_string()).collect(),
            undefined: undefined.iter().map(|s| s.to_string()).collect(),
            weak_undefined: Vec::new(),
        }
    }

    fn unit(krate: &str, kind: UnitKind) -> Unit {
        Unit {
            krate: krate.into(),
            path: format!("lib{krate}.rlib"),
            kind,
        }
    }

    #[test]
    fn only_loaded_members_count() {
        let record = LinkRecord {
            executable: "app".into(),
            target: "x86_64-unknown-linux-gnu".into(),
            final_crate: "app@0.1.0".into(),
            units: vec![
                unit("app@0.1.0", UnitKind::Final),
                unit("dep@1.0.0", UnitKind::Dependency),
                unit("std@1.95.0", UnitKind::Sysroot),
            ],
            link_libs: vec![],
            build_scripts: vec![],
            complete: true,
        };
        let files = vec![
            FileIndex {
                format: 1,
                members: vec![member("", &["main"], &["dep_used"])],
            },
            FileIndex {
                format: 1,
                members: vec![
                    member("a.o", &["dep_used"], &["lookup"]),
                    // never loaded: nothing needs what it defines
                    member("b.o", &["dep_unused"], &["getpwnam_r"]),
                ],
            },
            FileIndex {
                format: 1,
                members: vec![member("s.o", &["lookup"], &["getaddrinfo"])],
            },
        ];
        let l = Linked::new(&record, &files);
        assert_eq!(l.loaded_count(), 3);
        assert_eq!(l.crates_referencing("getaddrinfo"), vec!["std@1.95.0"]);
        assert!(l.crates_referencing("getpwnam_r").is_empty());
        assert_eq!(l.definer("lookup"), Some((2, 0)));
    }

    #[test]
    fn library_names_match_their_files() {
        assert!(library_matches("libz.so.1", "z"));
        assert!(library_matches("libm.so.6", "m"));
        assert!(!library_matches("libmd.so.0", "m"));
        assert!(library_matches("libssl.3.dylib", "ssl"));
        assert!(library_matches("/usr/lib/libz.1.dylib", "z"));
        assert!(library_matches(
            "/System/Library/Frameworks/Security.framework/Versions/A/Security",
            "Security"
        ));
        assert!(library_matches("libwinpthread-1.dll", "winpthread"));
        assert!(library_matches("KERNEL32.dll", "kernel32"));
        assert_eq!(link_name("dylib=z"), "z");
        assert_eq!(link_name("static:+whole-archive=foo"), "foo");
        assert_eq!(link_name("z"), "z");
    }

    #[test]
    fn floor_without_a_symbol() {
        let imp = |n: &str, v: &str| Import {
            name: n.into(),
            version: Some(v.into()),
            library: Some("libc.so.6".into()),
            weak: false,
            ordinal: None,
            origin: Vec::new(),
        };
        let imports = vec![
            imp("arc4random", "GLIBC_2.36"),
            imp("__libc_start_main", "GLIBC_2.34"),
            imp("memcpy", "GLIBC_2.14"),
        ];
        assert_eq!(
            glibc_floor_without(&imports, &BTreeSet::new()).as_deref(),
            Some("2.36")
        );
        assert_eq!(
            glibc_floor_without(&imports, &BTreeSet::from(["arc4random"])).as_deref(),
            Some("2.34")
        );
    }
}
