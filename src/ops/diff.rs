//! `diff OLD NEW` (and `build --baseline`): what changed between two build reports,
//! variant by variant and binary by binary. Pure: two reports in, a [`DiffReport`] out;
//! rendered (`render::diff`) as text, JSON, Markdown or JUnit like every other report.
//!
//! Regressions: a new library, a library that became external, a higher minimum glibc
//! (libstdc++, libgcc_s), macOS or Windows, a new hazard, static turned dynamic, a
//! variant that built and now fails or is missing, a binary that is gone, and size
//! growth above the threshold. Improvements are the reverse; new and removed imports
//! and other changes are notes.

use crate::model::{
    wire_name, Artifact, LibraryClass, Linkage, Requires, Severity, VersionRequirement,
};
use crate::report::diff::{Change, ChangeCode, ChangeKind, DiffReport, DiffSummary, VariantDiff};
use crate::report::variants::{BuildReport, Status, VariantReport};
use crate::report::{Tool, SCHEMA_VERSION};
use crate::version::Version;
use std::collections::{BTreeMap, BTreeSet};

/// The default of `--max-size-growth`, in percent.
pub const DEFAULT_MAX_SIZE_GROWTH: f64 = 10.0;

fn change(kind: ChangeKind, code: ChangeCode, artifact: Option<&str>, message: String) -> Change {
    Change {
        kind,
        code,
        artifact: artifact.map(str::to_owned),
        message,
        old: None,
        new: None,
    }
}

impl Change {
    fn values(mut self, old: impl Into<Option<String>>, new: impl Into<Option<String>>) -> Self {
        self.old = old.into();
        self.new = new.into();
        self
    }
}

/// Compare `old` with `new` (named `old_name`, `new_name` in the output).
pub fn diff(
    old: &BuildReport,
    new: &BuildReport,
    old_name: &str,
    new_name: &str,
    max_size_growth: f64,
) -> DiffReport {
    let mut ids: Vec<&str> = old.variants.iter().map(|v| v.id.as_str()).collect();
    let mut seen: std::collections::HashSet<&str> = ids.iter().copied().collect();
    for v in &new.variants {
        if seen.insert(&v.id) {
            ids.push(&v.id);
        }
    }
    let by_id = |r: &'_ BuildReport| -> std::collections::HashMap<String, usize> {
        r.variants
            .iter()
            .enumerate()
            .map(|(i, v)| (v.id.clone(), i))
            .collect()
    };
    let (old_at, new_at) = (by_id(old), by_id(new));
    let variants: Vec<VariantDiff> = ids
        .iter()
        .map(|id| {
            let o = old_at.get(*id).map(|i| &old.variants[*i]);
            let n = new_at.get(*id).map(|i| &new.variants[*i]);
            VariantDiff {
                id: id.to_string(),
                old_status: o.map(|v| v.status),
                new_status: n.map(|v| v.status),
                changes: variant_changes(o, n, max_size_growth),
            }
        })
        .collect();
    let count = |k: ChangeKind| {
        variants
            .iter()
            .flat_map(|v| &v.changes)
            .filter(|c| c.kind == k)
            .count()
    };
    let summary = DiffSummary {
        variants: variants.len(),
        regressions: count(ChangeKind::Regression),
        improvements: count(ChangeKind::Improvement),
        notes: count(ChangeKind::Note),
    };
    DiffReport {
        schema_version: SCHEMA_VERSION,
        tool: Tool::this(),
        old: old_name.to_owned(),
        new: new_name.to_owned(),
        max_size_growth,
        variants,
        summary,
    }
}

/// The line of a failure's reason that says most: the linker's `undefined symbol`
/// when there is one (rustc's first line only says that linking failed), else the
/// first line.
fn first_line(s: Option<&str>) -> String {
    let Some(s) = s else {
        return String::new();
    };
    let lines = || s.lines().map(str::trim).filter(|l| !l.is_empty());
    let telling =
        lines().find(|l| l.contains("undefined symbol") || l.contains("undefined reference"));
    telling
        .or_else(|| lines().next())
        .map(|l| format!(": {}", l.trim_start_matches("= note:").trim()))
        .unwrap_or_default()
}

fn variant_changes(
    old: Option<&VariantReport>,
    new: Option<&VariantReport>,
    max_growth: f64,
) -> Vec<Change> {
    use ChangeCode::*;
    use ChangeKind::*;
    let built = |v: &VariantReport| v.status == Status::Built;
    match (old, new) {
        (None, None) => Vec::new(),
        (Some(o), None) if built(o) => vec![change(
            Regression,
            VariantMissing,
            None,
            "built before, missing from the new report".into(),
        )],
        (Some(o), None) => vec![change(
            Note,
            VariantMissing,
            None,
            format!(
                "{} before, missing from the new report",
                wire_name(&o.status)
            ),
        )],
        (None, Some(n)) => vec![change(
            Note,
            VariantNew,
            None,
            format!("new variant ({})", wire_name(&n.status)),
        )
        .values(None, wire_name(&n.status))],
        // an optional variant may come and go (docs/contract.md#one-variant-never-stops-the-others)
        (Some(o), Some(n)) if built(o) && !built(n) => vec![change(
            if n.optional { Note } else { Regression },
            VariantFailed,
            None,
            format!(
                "built before, {} now{}{}",
                wire_name(&n.status),
                if n.optional { " (optional)" } else { "" },
                first_line(n.reason.as_deref())
            ),
        )
        .values(wire_name(&o.status), wire_name(&n.status))],
        (Some(o), Some(n)) if !built(o) && built(n) => vec![change(
            Improvement,
            VariantBuilt,
            None,
            format!("{} before, built now", wire_name(&o.status)),
        )
        .values(wire_name(&o.status), wire_name(&n.status))],
        (Some(o), Some(n)) if !built(o) => vec![change(
            Note,
            VariantNotBuilt,
            None,
            format!(
                "not built in either report ({} → {}{})",
                wire_name(&o.status),
                wire_name(&n.status),
                first_line(n.reason.as_deref())
            ),
        )],
        (Some(o), Some(n)) => artifacts_changes(&o.artifacts, &n.artifacts, max_growth),
    }
}

/// How binaries are matched across reports: the file name (paths differ between
/// hosts and checkouts), with the architecture for a slice of a universal Mach-O.
fn key(a: &Artifact) -> String {
    let name = a.path.rsplit(['/', '\\']).next().unwrap_or(&a.path);
    match &a.slice {
        Some(_) => format!("{name} ({})", a.arch),
        None => name.to_owned(),
    }
}

fn artifacts_changes(old: &[Artifact], new: &[Artifact], max_growth: f64) -> Vec<Change> {
    let old_by: BTreeMap<String, &Artifact> = old.iter().map(|a| (key(a), a)).collect();
    let new_by: BTreeMap<String, &Artifact> = new.iter().map(|a| (key(a), a)).collect();
    let mut out = Vec::new();
    for a in old {
        let k = key(a);
        match new_by.get(&k) {
            Some(b) => out.extend(artifact_changes(&k, a, b, max_growth)),
            None => out.push(change(
                ChangeKind::Regression,
                ChangeCode::ArtifactMissing,
                Some(&k),
                format!("{k} is no longer built"),
            )),
        }
    }
    for b in new {
        let k = key(b);
        if !old_by.contains_key(&k) {
            out.push(change(
                ChangeKind::Note,
                ChangeCode::ArtifactNew,
                Some(&k),
                format!("{k} is new ({})", b.verdict),
            ));
        }
    }
    out
}

fn artifact_changes(k: &str, a: &Artifact, b: &Artifact, max_growth: f64) -> Vec<Change> {
    let mut out = Vec::new();
    libraries(k, a, b, &mut out);
    requirements(k, a, b, &mut out);
    hazards(k, a, b, &mut out);
    linkage(k, a, b, &mut out);
    size(k, a, b, max_growth, &mut out);
    imports(k, a, b, &mut out);
    go(k, a, b, &mut out);
    out
}

fn class(c: LibraryClass) -> &'static str {
    match c {
        LibraryClass::System => "system",
        LibraryClass::External => "external",
    }
}

fn libraries(k: &str, a: &Artifact, b: &Artifact, out: &mut Vec<Change>) {
    use ChangeCode::*;
    use ChangeKind::*;
    for l in &b.libraries {
        match a.libraries.iter().find(|x| x.name == l.name) {
            None => out.push(
                change(
                    Regression,
                    NewLibrary,
                    Some(k),
                    format!("{k} needs a new library: {} ({})", l.name, class(l.class)),
                )
                .values(None, l.name.clone()),
            ),
            Some(x) if x.class != l.class => {
                let (kind, code) = match l.class {
                    LibraryClass::External => (Regression, LibraryExternal),
                    LibraryClass::System => (Improvement, LibrarySystem),
                };
                out.push(
                    change(
                        kind,
                        code,
                        Some(k),
                        format!(
                            "{k}: {} became {} (was {})",
                            l.name,
                            class(l.class),
                            class(x.class)
                        ),
                    )
                    .values(class(x.class).to_owned(), class(l.class).to_owned()),
                )
            }
            Some(_) => {}
        }
    }
    for x in &a.libraries {
        if !b.libraries.iter().any(|l| l.name == x.name) {
            out.push(
                change(
                    Improvement,
                    LibraryRemoved,
                    Some(k),
                    format!("{k} no longer needs {}", x.name),
                )
                .values(x.name.clone(), None),
            );
        }
    }
}

/// A raised or lowered minimum version, with the symbols that force the new one.
fn version_change(
    k: &str,
    what: &str,
    codes: (ChangeCode, ChangeCode),
    old: Option<(&str, &[String])>,
    new: Option<(&str, &[String])>,
    out: &mut Vec<Change>,
) {
    let ver = |x: Option<(&str, &[String])>| x.and_then(|(v, _)| Version::parse(v));
    let (o, n) = (ver(old), ver(new));
    let by = |x: Option<(&str, &[String])>| match x {
        Some((_, f)) if !f.is_empty() => format!(" (forced by {})", f.join(", ")),
        _ => String::new(),
    };
    let show = |x: Option<(&str, &[String])>| x.map(|(v, _)| v.to_owned());
    // compared as versions, said as the reports write them (`14.0`, not `14`)
    let (os, ns) = (old.map_or("", |x| x.0), new.map_or("", |x| x.0));
    let (kind, code, message) = match (&o, &n) {
        (Some(o), Some(n)) if n > o => (
            ChangeKind::Regression,
            codes.0,
            format!("{k} needs {what} {ns} (was {os}){}", by(new)),
        ),
        (None, Some(_)) => (
            ChangeKind::Regression,
            codes.0,
            format!("{k} now needs {what} {ns}{}", by(new)),
        ),
        (Some(o), Some(n)) if n < o => (
            ChangeKind::Improvement,
            codes.1,
            format!("{k} needs {what} {ns} (was {os})"),
        ),
        (Some(_), None) => (
            ChangeKind::Improvement,
            codes.1,
            format!("{k} no longer needs {what} (was {os})"),
        ),
        _ => return,
    };
    out.push(change(kind, code, Some(k), message).values(show(old), show(new)));
}

fn requirements(k: &str, a: &Artifact, b: &Artifact, out: &mut Vec<Change>) {
    use ChangeCode::*;
    // each minimum as (version, what forces it), in the old and the new artifact
    type Get = fn(&Requires) -> Option<(String, Vec<String>)>;
    fn req(r: &Option<VersionRequirement>) -> Option<(String, Vec<String>)> {
        r.as_ref().map(|r| (r.version.clone(), r.forced_by.clone()))
    }
    let minimums: [(&str, (ChangeCode, ChangeCode), Get); 6] = [
        ("glibc", (GlibcRaised, GlibcLowered), |r| req(&r.glibc)),
        (
            "libstdc++ (GLIBCXX)",
            (GlibcxxRaised, GlibcxxLowered),
            |r| req(&r.glibcxx),
        ),
        ("libgcc_s (GCC)", (GccRaised, GccLowered), |r| req(&r.gcc)),
        ("macOS", (MacosRaised, MacosLowered), |r| {
            r.macos.clone().map(|m| (m, Vec::new()))
        }),
        ("FreeBSD", (FreebsdRaised, FreebsdLowered), |r| {
            req(&r.freebsd)
        }),
        ("NetBSD", (NetbsdRaised, NetbsdLowered), |r| req(&r.netbsd)),
    ];
    let pairs =
        minimums.map(|(what, codes, get)| (what, codes, get(&a.requires), get(&b.requires)));
    for (what, codes, o, n) in &pairs {
        version_change(k, what, *codes, view(o), view(n), out);
    }
    windows(k, a, b, out);
}

fn view(x: &Option<(String, Vec<String>)>) -> Option<(&str, &[String])> {
    x.as_ref().map(|(v, f)| (v.as_str(), f.as_slice()))
}

/// Windows: the subsystem version, and imports that need a later release.
fn windows(k: &str, a: &Artifact, b: &Artifact, out: &mut Vec<Change>) {
    let (Some(o), Some(n)) = (&a.requires.windows, &b.requires.windows) else {
        return;
    };
    let (ov, nv) = (
        Version::parse(&o.subsystem_version),
        Version::parse(&n.subsystem_version),
    );
    let added: Vec<&String> = n
        .forced_by
        .iter()
        .filter(|f| !o.forced_by.contains(f))
        .collect();
    let name = |w: &crate::model::WindowsRequirement| {
        w.minimum
            .clone()
            .unwrap_or_else(|| format!("subsystem {}", w.subsystem_version))
    };
    let (kind, code, message) = if nv > ov || !added.is_empty() {
        let by = if added.is_empty() {
            String::new()
        } else {
            let a: Vec<&str> = added.iter().map(|s| s.as_str()).collect();
            format!(" (forced by {})", a.join(", "))
        };
        (
            ChangeKind::Regression,
            ChangeCode::WindowsRaised,
            format!("{k} needs {} (was {}){by}", name(n), name(o)),
        )
    } else if nv < ov || n.forced_by.len() < o.forced_by.len() {
        (
            ChangeKind::Improvement,
            ChangeCode::WindowsLowered,
            format!("{k} needs {} (was {})", name(n), name(o)),
        )
    } else {
        return;
    };
    out.push(change(kind, code, Some(k), message).values(name(o), name(n)));
}

fn hazards(k: &str, a: &Artifact, b: &Artifact, out: &mut Vec<Change>) {
    for h in &b.hazards {
        if !a.hazards.iter().any(|x| x.code == h.code) {
            let kind = if h.severity >= Severity::Warning {
                ChangeKind::Regression
            } else {
                ChangeKind::Note
            };
            out.push(
                change(
                    kind,
                    ChangeCode::NewHazard,
                    Some(k),
                    format!(
                        "{k} has a new hazard: {} ({})",
                        h.code,
                        h.evidence.join(", ")
                    ),
                )
                .values(None, h.code.clone()),
            );
        }
    }
    for x in &a.hazards {
        if !b.hazards.iter().any(|h| h.code == x.code) {
            out.push(
                change(
                    ChangeKind::Improvement,
                    ChangeCode::HazardGone,
                    Some(k),
                    format!("{k} no longer has hazard {}", x.code),
                )
                .values(x.code.clone(), None),
            );
        }
    }
}

fn linkage(k: &str, a: &Artifact, b: &Artifact, out: &mut Vec<Change>) {
    if a.linkage == b.linkage {
        return;
    }
    let (kind, code) = match (a.linkage, b.linkage) {
        (_, Linkage::Dynamic) => (ChangeKind::Regression, ChangeCode::StaticToDynamic),
        (Linkage::Dynamic, _) => (ChangeKind::Improvement, ChangeCode::DynamicToStatic),
        _ => (ChangeKind::Note, ChangeCode::LinkageChanged),
    };
    let mut why = String::new();
    if b.linkage == Linkage::Dynamic {
        let libs: Vec<&str> = b.libraries.iter().map(|l| l.name.as_str()).collect();
        why = format!(" (needs {})", libs.join(", "));
    }
    out.push(
        change(
            kind,
            code,
            Some(k),
            format!(
                "{k} is {} (was {}){why}",
                wire_name(&b.linkage),
                wire_name(&a.linkage)
            ),
        )
        .values(wire_name(&a.linkage), wire_name(&b.linkage)),
    );
}

fn size(k: &str, a: &Artifact, b: &Artifact, max_growth: f64, out: &mut Vec<Change>) {
    if a.size == b.size || a.size == 0 {
        return;
    }
    let pct = (b.size as f64 - a.size as f64) * 100.0 / a.size as f64;
    let (kind, code) = if pct > max_growth {
        (ChangeKind::Regression, ChangeCode::SizeGrowth)
    } else if -pct > max_growth {
        (ChangeKind::Improvement, ChangeCode::SizeShrink)
    } else if pct.abs() >= 1.0 {
        (ChangeKind::Note, ChangeCode::SizeChanged)
    } else {
        return;
    };
    let limit = if kind == ChangeKind::Regression {
        format!(", above the {max_growth}% allowed")
    } else {
        String::new()
    };
    out.push(
        change(
            kind,
            code,
            Some(k),
            format!(
                "{k} size {:+.1}% ({} → {} bytes{limit})",
                pct, a.size, b.size
            ),
        )
        .values(a.size.to_string(), b.size.to_string()),
    );
}

fn imports(k: &str, a: &Artifact, b: &Artifact, out: &mut Vec<Change>) {
    let names = |x: &Artifact| -> BTreeSet<String> {
        x.imports
            .iter()
            .map(|i| match &i.version {
                Some(v) => format!("{}@{v}", i.name),
                None => i.name.clone(),
            })
            .collect()
    };
    let (o, n) = (names(a), names(b));
    let list = |s: Vec<&String>| {
        let shown: Vec<&str> = s.iter().take(20).map(|x| x.as_str()).collect();
        let more = s.len().saturating_sub(20);
        let mut t = shown.join(", ");
        if more > 0 {
            t.push_str(&format!(" and {more} more"));
        }
        t
    };
    // (the imports, its code, the message, whether they are the new side's)
    let sides = [
        (
            n.difference(&o).collect::<Vec<_>>(),
            ChangeCode::NewImports,
            true,
        ),
        (
            o.difference(&n).collect(),
            ChangeCode::RemovedImports,
            false,
        ),
    ];
    for (s, code, new_side) in sides {
        if s.is_empty() {
            continue;
        }
        let all = s.iter().map(|x| x.as_str()).collect::<Vec<_>>().join(", ");
        let message = if new_side {
            format!("{k} imports {} new: {}", s.len(), list(s))
        } else {
            format!("{k} no longer imports {}: {}", s.len(), list(s))
        };
        let c = change(ChangeKind::Note, code, Some(k), message);
        out.push(if new_side {
            c.values(None, all)
        } else {
            c.values(all, None)
        });
    }
}

/// A Go binary's modules and toolchain, compared like its imports: each module that
/// appears, disappears or changes version (or replacement) is a note, and so is
/// another Go version.
fn go(k: &str, a: &Artifact, b: &Artifact, out: &mut Vec<Change>) {
    use ChangeCode::*;
    let modules = |x: &Artifact| -> BTreeMap<String, String> {
        x.go.iter()
            .flat_map(|g| &g.deps)
            .map(|m| {
                let mut v = m.version.clone();
                if let Some(r) = &m.replace {
                    v.push_str(&format!(" => {} {}", r.path, r.version));
                }
                (m.path.clone(), v.trim_end().to_owned())
            })
            .collect()
    };
    let (o, n) = (modules(a), modules(b));
    let note = |code, message: String, old: Option<String>, new: Option<String>| {
        change(ChangeKind::Note, code, Some(k), message).values(old, new)
    };
    for (path, v) in &n {
        match o.get(path) {
            None => out.push(note(
                GoModuleNew,
                format!("{k} has a new Go module: {path} {v}"),
                None,
                Some(format!("{path}@{v}")),
            )),
            Some(old) if old != v => out.push(note(
                GoModuleChanged,
                format!("{k}: Go module {path} {old} → {v}"),
                Some(format!("{path}@{old}")),
                Some(format!("{path}@{v}")),
            )),
            Some(_) => {}
        }
    }
    for (path, v) in o.iter().filter(|(p, _)| !n.contains_key(*p)) {
        out.push(note(
            GoModuleRemoved,
            format!("{k} no longer has the Go module {path} {v}"),
            Some(format!("{path}@{v}")),
            None,
        ));
    }
    let version = |x: &Artifact| x.go.as_ref().and_then(|g| g.version.clone());
    let (ov, nv) = (version(a), version(b));
    if ov.is_some() && nv.is_some() && ov != nv {
        out.push(note(
            GoVersionChanged,
            format!(
                "{k} was built by {} (was {})",
                nv.as_deref().unwrap_or("?"),
                ov.as_deref().unwrap_or("?")
            ),
            ov,
            nv,
        ));
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::{Hazard, LibraryClass};
    use crate::report::testing::{artifact, build_report, variant};

    fn codes(d: &DiffReport, kind: ChangeKind) -> Vec<ChangeCode> {
        d.variants
            .iter()
            .flat_map(|v| &v.changes)
            .filter(|c| c.kind == kind)
            .map(|c| c.code)
            .collect()
    }

    const START: (&str, &str) = ("__libc_start_main", "GLIBC_2.34");

    /// A FreeBSD or NetBSD floor that rises is a regression, as glibc's is.
    #[test]
    fn a_higher_bsd_minimum_is_a_regression() {
        let bsd = |freebsd: &str, netbsd: &str, by: &str| {
            let mut a = artifact("/t/app", 1000, &[], &[]);
            a.requires.glibc = None;
            let req = |v: &str| {
                Some(VersionRequirement {
                    version: v.into(),
                    forced_by: vec![by.into()],
                    origin: vec![],
                })
            };
            a.requires.freebsd = req(freebsd);
            a.requires.netbsd = req(netbsd);
            a
        };
        let old = build_report(vec![variant(
            "a",
            vec![bsd("13.0", "9.0", "read@FBSD_1.0")],
        )]);
        let new = build_report(vec![variant(
            "a",
            vec![bsd("14.0", "10.1", "qsort_r@FBSD_1.7")],
        )]);
        let d = diff(&old, &new, "old.json", "new.json", 10.0);
        let regs = codes(&d, ChangeKind::Regression);
        assert!(regs.contains(&ChangeCode::FreebsdRaised), "{regs:?}");
        assert!(regs.contains(&ChangeCode::NetbsdRaised), "{regs:?}");
        let c = d.variants[0]
            .changes
            .iter()
            .find(|c| c.code == ChangeCode::FreebsdRaised)
            .unwrap();
        assert_eq!(
            c.message,
            "app needs FreeBSD 14.0 (was 13.0) (forced by qsort_r@FBSD_1.7)"
        );
        let back = diff(&new, &old, "new.json", "old.json", 10.0);
        let imps = codes(&back, ChangeKind::Improvement);
        assert!(imps.contains(&ChangeCode::FreebsdLowered), "{imps:?}");
        assert!(imps.contains(&ChangeCode::NetbsdLowered), "{imps:?}");
    }

    #[test]
    fn the_schema_lists_every_change_code() {
        let schema: serde_json::Value =
            serde_json::from_str(include_str!("../../docs/report.schema.json")).unwrap();
        let listed = &schema["$defs"]["change"]["properties"]["code"]["enum"];
        let ours: Vec<String> = ChangeCode::ALL.iter().map(wire_name).collect();
        assert_eq!(*listed, serde_json::json!(ours));
    }

    #[test]
    fn go_modules_and_version_changes_are_notes() {
        use crate::model::{GoBuildInfo, GoFound, GoModule};
        let module = |path: &str, version: &str| GoModule {
            path: path.into(),
            version: version.into(),
            sum: None,
            replace: None,
        };
        let go = |version: &str, deps: Vec<GoModule>| GoBuildInfo {
            version: Some(version.into()),
            path: Some("example.com/app".into()),
            main: None,
            deps,
            settings: Vec::new(),
            found: GoFound::HeaderInline,
        };
        let mut old = artifact("/a/app", 1000, &[], &[START]);
        old.go = Some(go(
            "go1.19.8",
            vec![
                module("golang.org/x/sys", "v0.1.0"),
                module("example.com/gone", "v1.0.0"),
            ],
        ));
        let mut new = old.clone();
        new.go = Some(go(
            "go1.21.0",
            vec![
                module("golang.org/x/sys", "v0.2.0"),
                module("example.com/new", "v2.0.0"),
            ],
        ));
        let d = diff(
            &build_report(vec![variant("gnu", vec![old])]),
            &build_report(vec![variant("gnu", vec![new])]),
            "old",
            "new",
            DEFAULT_MAX_SIZE_GROWTH,
        );
        let changes = &d.variants[0].changes;
        let find = |code: ChangeCode| {
            changes
                .iter()
                .find(|c| c.code == code)
                .unwrap_or_else(|| panic!("{code:?} in {changes:?}"))
        };
        let changed = find(ChangeCode::GoModuleChanged);
        assert_eq!(changed.old.as_deref(), Some("golang.org/x/sys@v0.1.0"));
        assert_eq!(changed.new.as_deref(), Some("golang.org/x/sys@v0.2.0"));
        assert_eq!(
            find(ChangeCode::GoModuleNew).new.as_deref(),
            Some("example.com/new@v2.0.0")
        );
        assert_eq!(
            find(ChangeCode::GoModuleRemoved).old.as_deref(),
            Some("example.com/gone@v1.0.0")
        );
        assert_eq!(
            find(ChangeCode::GoVersionChanged).new.as_deref(),
            Some("go1.21.0")
        );
        assert!(
            changes.iter().all(|c| c.kind == ChangeKind::Note),
            "{changes:?}"
        );
    }

    #[test]
    fn identical_reports_have_no_changes() {
        let r = build_report(vec![variant(
            "gnu",
            vec![artifact("/a/app", 1000, &[], &[START])],
        )]);
        let d = diff(&r, &r, "old", "new", DEFAULT_MAX_SIZE_GROWTH);
        assert_eq!(
            d.summary,
            DiffSummary {
                variants: 1,
                ..Default::default()
            }
        );
        assert!(!d.has_regressions());
    }

    #[test]
    fn every_regression_class_and_its_reverse() {
        let old_app = artifact("/old/target/app", 1000, &[], &[START]);
        let mut static_app = artifact("/old/target/app", 1000, &[], &[]);
        static_app.linkage = Linkage::StaticPie;
        static_app.libraries.clear();
        let mut new_app = artifact(
            "/new/target/app",
            1200,
            &["libz.so.1", "libgcc_s.so.1"],
            &[START, ("arc4random", "GLIBC_2.36")],
        );
        new_app.hazards.push(Hazard {
            code: "executable-stack".into(),
            severity: Severity::Warning,
            message: String::new(),
            hint: String::new(),
            evidence: vec!["PT_GNU_STACK RWX".into()],
            origin: Vec::new(),
        });
        let mut old_gcc = artifact("/old/target/app", 1000, &["libgcc_s.so.1"], &[START]);
        old_gcc.libraries[1].class = LibraryClass::System;
        let mut new_gcc = old_gcc.clone();
        new_gcc.libraries[1].class = LibraryClass::External;
        let mut failed = variant("zig", vec![]);
        failed.status = Status::Failed;
        failed.reason = Some("\nerror: undefined symbol: arc4random\n".into());
        let old = build_report(vec![
            variant("gnu", vec![old_app.clone()]),
            variant("static", vec![static_app]),
            variant("zig", vec![old_app.clone()]),
            variant("a", vec![old_app.clone()]),
            variant("b", vec![old_gcc]),
        ]);
        let new = build_report(vec![
            variant("gnu", vec![new_app.clone()]),
            variant("static", vec![old_app.clone()]),
            failed,
            variant("b", vec![new_gcc]),
        ]);
        let d = diff(&old, &new, "old.json", "new.json", 10.0);
        use ChangeCode::*;
        let regs = codes(&d, ChangeKind::Regression);
        for c in [
            NewLibrary,
            GlibcRaised,
            NewHazard,
            SizeGrowth,
            StaticToDynamic,
            VariantFailed,
            VariantMissing,
            LibraryExternal,
        ] {
            assert!(regs.contains(&c), "{c:?} in {regs:?}");
        }
        assert!(codes(&d, ChangeKind::Note).contains(&NewImports));
        let glibc = d.variants[0]
            .changes
            .iter()
            .find(|c| c.code == GlibcRaised)
            .unwrap();
        assert_eq!(
            glibc.message,
            "app needs glibc 2.36 (was 2.34) (forced by arc4random)"
        );
        assert_eq!(
            (glibc.old.as_deref(), glibc.new.as_deref()),
            (Some("2.34"), Some("2.36"))
        );
        let failed = d.variants.iter().find(|v| v.id == "zig").unwrap();
        assert!(failed.changes[0]
            .message
            .contains("undefined symbol: arc4random"));
        // the reverse is improvements, and a threshold above the growth is no regression
        let back = diff(&new, &old, "new.json", "old.json", 25.0);
        let imps = codes(&back, ChangeKind::Improvement);
        for c in [
            LibraryRemoved,
            GlibcLowered,
            HazardGone,
            DynamicToStatic,
            VariantBuilt,
            LibrarySystem,
        ] {
            assert!(imps.contains(&c), "{c:?} in {imps:?}");
        }
        let mut optional = new.clone();
        optional.variants[2].optional = true;
        let d = diff(&old, &optional, "o", "n", 10.0);
        let zig = d.variants.iter().find(|v| v.id == "zig").unwrap();
        assert_eq!(zig.changes[0].kind, ChangeKind::Note, "{zig:?}");
        let d25 = diff(&old, &new, "o", "n", 25.0);
        assert!(!codes(&d25, ChangeKind::Regression).contains(&SizeGrowth));
    }
}
