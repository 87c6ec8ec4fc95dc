//! Each variant's details: its binaries' libraries, imports, requirements, hazards,
//! runs_on and smoke, in tables whose columns are listed once.

use super::*;

pub(super) type Column<T> = (&'static str, fn(&T) -> String);

/// The columns of a binary's library table.
pub(super) const LIBRARY_COLUMNS: &[Column<Library>] = &[
    ("library", |l| l.name.clone()),
    ("class", |l| wire_name(&l.class)),
    ("load", |l| wire_name(&l.load)),
    ("version", |l| {
        match (&l.current_version, &l.compatibility_version) {
            (Some(c), Some(k)) => format!("{c} (compatible {k})"),
            (Some(c), None) => c.clone(),
            (None, Some(k)) => format!("compatible {k}"),
            (None, None) => String::new(),
        }
    }),
    ("asked for by", |l| l.origin.join(", ")),
];

/// The columns of a binary's import table (grouped by library).
pub(super) const IMPORT_COLUMNS: &[Column<Import>] = &[
    ("symbol", |i| i.name.clone()),
    ("version", |i| i.version.clone().unwrap_or_default()),
    (
        "weak",
        |i| if i.weak { "weak".into() } else { String::new() },
    ),
    ("origin", |i| i.origin.join(", ")),
];

/// The columns of the crates cargo-auditable recorded in a binary.
pub(super) const CRATE_COLUMNS: &[Column<Crate>] = &[
    ("crate", |c| c.name.clone()),
    ("version", |c| c.version.clone()),
    ("source", |c| c.source.clone()),
    ("kind", |c| {
        if c.build {
            "build".into()
        } else {
            "runtime".into()
        }
    }),
];

/// The columns of a Go binary's modules (the main module first).
pub(super) const GO_MODULE_COLUMNS: &[Column<GoModule>] = &[
    ("module", |m| m.path.clone()),
    ("version", |m| m.version.clone()),
    ("sum", |m| m.sum.clone().unwrap_or_default()),
    ("replaced by", |m| {
        m.replace
            .as_ref()
            .map(|r| format!("{} {}", r.path, r.version).trim_end().to_owned())
            .unwrap_or_default()
    }),
];

/// The columns of a binary's hazard table.
pub(super) const HAZARD_COLUMNS: &[Column<Hazard>] = &[
    ("severity", |h| wire_name(&h.severity)),
    ("code", |h| h.code.clone()),
    ("what", |h| h.message.clone()),
    ("fix", |h| h.hint.clone()),
    ("evidence", |h| h.evidence.join(", ")),
    ("origin", |h| h.origin.join(", ")),
];

/// A table of `items` with `columns`; each row filterable by its text.
pub(super) fn table<T>(out: &mut String, class: &str, columns: &[Column<T>], items: &[T]) {
    if items.is_empty() {
        return;
    }
    let _ = write!(out, "<table class=\"{class}\"><thead><tr>");
    for (name, _) in columns {
        let _ = write!(out, "<th>{}</th>", esc(name));
    }
    out.push_str("</tr></thead><tbody>");
    for it in items {
        row(out, columns, it);
    }
    out.push_str("</tbody></table>\n");
}

pub(super) fn row<T>(out: &mut String, columns: &[Column<T>], it: &T) {
    let cells: Vec<String> = columns.iter().map(|(_, f)| f(it)).collect();
    let _ = write!(
        out,
        "<tr data-k=\"{}\">",
        esc(&cells.join(" ").to_lowercase())
    );
    for c in &cells {
        let _ = write!(out, "<td>{}</td>", esc(c));
    }
    out.push_str("</tr>");
}

/// Imports grouped by the library that provides them, with a count per group.
pub(super) fn imports(out: &mut String, a: &Artifact) {
    if a.imports.is_empty() {
        out.push_str("<p>no imports</p>\n");
        return;
    }
    let mut groups: BTreeMap<&str, Vec<&Import>> = BTreeMap::new();
    for i in &a.imports {
        groups
            .entry(i.library.as_deref().unwrap_or("(any library)"))
            .or_default()
            .push(i);
    }
    let _ = write!(
        out,
        "<h3>Imports ({}, {} weak)</h3><table class=\"imports mono\"><thead><tr>",
        a.imports.len(),
        a.imports.iter().filter(|i| i.weak).count()
    );
    for (name, _) in IMPORT_COLUMNS {
        let _ = write!(out, "<th>{}</th>", esc(name));
    }
    out.push_str("</tr></thead>");
    for (lib, list) in groups {
        let _ = write!(
            out,
            "<tbody class=\"group\"><tr class=\"lib\"><th colspan=\"{}\">{} ({})</th></tr>",
            IMPORT_COLUMNS.len(),
            esc(lib),
            list.len()
        );
        for i in list {
            row(out, IMPORT_COLUMNS, i);
        }
        out.push_str("</tbody>");
    }
    out.push_str("</table>\n");
}

pub(super) fn requires(out: &mut String, a: &Artifact) {
    let r = &a.requires;
    let mut items: Vec<String> = Vec::new();
    for (name, v) in [
        ("glibc", &r.glibc),
        ("GLIBCXX", &r.glibcxx),
        ("CXXABI", &r.cxxabi),
        ("GCC", &r.gcc),
        ("FreeBSD", &r.freebsd),
        ("NetBSD", &r.netbsd),
    ] {
        if let Some(v) = v {
            // each forcing symbol with the crates behind it, where the link told us
            let forced: Vec<String> = v
                .forced_by
                .iter()
                .map(|sym| match v.origin.iter().find(|o| &o.symbol == sym) {
                    Some(o) if !o.crates.is_empty() => {
                        format!("<code>{}</code> ({})", esc(sym), esc(&o.crates.join(", ")))
                    }
                    _ => format!("<code>{}</code>", esc(sym)),
                })
                .collect();
            items.push(format!(
                "<b>{name} {}</b>, forced by {}",
                esc(&v.version),
                forced.join(", ")
            ));
        }
    }
    if let Some(m) = &r.macos {
        let sdk = r
            .macos_sdk
            .as_ref()
            .map(|s| format!(" (SDK {})", esc(s)))
            .unwrap_or_default();
        items.push(format!("<b>macOS {}</b>{sdk}", esc(m)));
    }
    if let Some(win) = &r.windows {
        let mut s = format!(
            "<b>Windows {}</b>, {} subsystem {}",
            esc(win.minimum.as_deref().unwrap_or("?")),
            esc(&win.subsystem),
            esc(&win.subsystem_version)
        );
        if !win.forced_by.is_empty() {
            let _ = write!(
                s,
                ", forced by <code>{}</code>",
                esc(&win.forced_by.join(", "))
            );
        }
        items.push(s);
    }
    if let Some(k) = &r.linux_kernel {
        items.push(format!("Linux {}", esc(k)));
    }
    if items.is_empty() {
        return;
    }
    out.push_str("<h3>Requires</h3><ul>");
    for i in items {
        let _ = write!(out, "<li>{i}</li>");
    }
    out.push_str("</ul>\n");
}

pub(super) fn runs_on(out: &mut String, a: &Artifact) {
    let _ = write!(out, "<h3>Runs on</h3><p>{}</p>", esc(&a.runs_on.summary));
    if !a.runs_on.distributions.is_empty() {
        let names: Vec<String> = a
            .runs_on
            .distributions
            .iter()
            .map(|d| format!("{} {} (glibc {})", d.name, d.release, d.glibc))
            .collect();
        let _ = write!(
            out,
            "<details><summary>{} distribution releases</summary><p>{}</p></details>",
            names.len(),
            esc(&names.join(", "))
        );
    }
    if !a.runs_on.excluded.is_empty() {
        let _ = write!(
            out,
            "<p>Not on: {}</p>",
            esc(&crate::render::human::excluded_line(&a.runs_on.excluded))
        );
    }
    if let Some(proofs) = &a.proofs {
        out.push_str("<p>Proofs (each release's own loader):</p><ul>");
        for p in proofs {
            let _ = write!(
                out,
                "<li class=\"mono\">{}</li>",
                esc(&crate::render::human::proof_line(p))
            );
        }
        out.push_str("</ul>");
    }
    out.push('\n');
}

pub(super) fn artifact(out: &mut String, a: &Artifact) {
    let _ = write!(
        out,
        "<h3 class=\"mono\">{}</h3><p>{} {} {}-bit, {} for {}, {} bytes{}; <b>{}</b>, libc {}{}; linked by {}{} ({})</p>",
        esc(&a.path),
        esc(&wire_name(&a.format)),
        esc(&a.arch),
        a.bits,
        esc(&wire_name(&a.kind)),
        a.os,
        a.size,
        a.sha256
            .as_ref()
            .map(|h| format!(", sha256 <code>{}</code>", esc(h)))
            .unwrap_or_default(),
        esc(&wire_name(&a.linkage)),
        esc(&wire_name(&a.libc)),
        a.interpreter
            .as_ref()
            .map(|i| format!(", interpreter <code>{}</code>", esc(i)))
            .unwrap_or_default(),
        esc(&a.linker.name),
        a.linker
            .version
            .as_ref()
            .map(|v| format!(" {}", esc(v)))
            .unwrap_or_default(),
        esc(&a.linker.evidence),
    );
    let _ = write!(out, "<p>verdict: {}</p>", esc(&a.verdict));
    for (name, paths) in [("rpath", &a.rpath), ("runpath", &a.runpath)] {
        if !paths.is_empty() {
            let _ = write!(out, "<p>{name}: <code>{}</code></p>", esc(&paths.join(":")));
        }
    }
    requires(out, a);
    runs_on(out, a);
    out.push_str("<h3>Hazards</h3>");
    if a.hazards.is_empty() {
        out.push_str("<p>none</p>\n");
    }
    table(out, "hazards", HAZARD_COLUMNS, &a.hazards);
    let _ = write!(out, "<h3>Libraries ({})</h3>", a.libraries.len());
    if a.libraries.is_empty() {
        out.push_str("<p>none</p>\n");
    }
    table(out, "libraries", LIBRARY_COLUMNS, &a.libraries);
    imports(out, a);
    // cargo-auditable's record of the crates inside, for binaries built elsewhere
    if let Some(crates) = &a.crates {
        let _ = write!(out, "<h3>Crates ({})</h3>", crates.len());
        if crates.is_empty() {
            out.push_str("<p>none</p>\n");
        }
        table(out, "crates", CRATE_COLUMNS, crates);
    }
    // Go's build information: the toolchain, the settings, the modules
    if let Some(go) = &a.go {
        let _ = write!(
            out,
            "<h3>Go modules ({})</h3><p>built by <code>{}</code>{}</p>",
            go.deps.len() + usize::from(go.main.is_some()),
            esc(go.version.as_deref().unwrap_or("an unknown Go version")),
            go.path
                .as_deref()
                .map(|p| format!(", main package <code>{}</code>", esc(p)))
                .unwrap_or_default()
        );
        let settings: Vec<String> = go
            .settings
            .iter()
            .map(|s| format!("<code>{}={}</code>", esc(&s.key), esc(&s.value)))
            .collect();
        if !settings.is_empty() {
            let _ = write!(out, "<p>build settings: {}</p>", settings.join(" "));
        }
        let modules: Vec<GoModule> = go.main.iter().chain(&go.deps).cloned().collect();
        table(out, "go-modules", GO_MODULE_COLUMNS, &modules);
    }
}

pub(super) fn variant_facts(out: &mut String, v: &VariantReport) {
    let mut facts = vec![
        format!("target <code>{}</code>", esc(&v.target)),
        format!(
            "linker asked {} (<code>{}</code>), found {}",
            esc(&v.linker.requested),
            esc(&v.linker.program),
            esc(v.linker.detected.as_deref().unwrap_or("-"))
        ),
        format!("status {}", esc(&wire_name(&v.status))),
    ];
    if let Some(c) = &v.c_compiler {
        facts.push(format!(
            "C compiler <code>{}</code>{}",
            esc(&c.program),
            c.version
                .as_ref()
                .map(|x| format!(" ({})", esc(x)))
                .unwrap_or_default()
        ));
    }
    if let Some(g) = &v.glibc {
        facts.push(format!("glibc pinned to {}", esc(g)));
    }
    if let Some(h) = &v.host {
        facts.push(format!("built on {}", esc(&h.triple)));
    }
    let _ = write!(out, "<p>{}</p>", facts.join("; "));
    if let Some(r) = &v.reason {
        let _ = write!(out, "<p>reason:</p><pre>{}</pre>", esc(r));
    }
    if let Some(h) = &v.hint {
        let _ = write!(out, "<p>fix: <code>{}</code></p>", esc(h));
    }
    if !v.expect.violations.is_empty() {
        out.push_str("<h3>Expectations violated</h3><ul>");
        for x in &v.expect.violations {
            let _ = write!(out, "<li><b>{}</b>: {}</li>", esc(&x.rule), esc(&x.message));
        }
        out.push_str("</ul>");
    }
    if let Some(s) = &v.smoke {
        smoke(out, s);
    }
}

/// The files that could not be read, each with its error.
pub(super) fn errors(out: &mut String, errors: &[crate::model::ErrorEntry]) {
    if errors.is_empty() {
        return;
    }
    out.push_str("<h2>Errors</h2><ul>");
    for e in errors {
        let _ = write!(
            out,
            "<li><code>{}</code>: {}</li>",
            esc(&e.path),
            esc(&e.error)
        );
    }
    out.push_str("</ul>\n");
}

pub(super) fn details(out: &mut String, entries: &[Entry]) {
    out.push_str("<h2>Details</h2>\n");
    for (i, e) in entries.iter().enumerate() {
        let imports: usize = e.artifacts.iter().map(|a| a.imports.len()).sum();
        let _ = write!(
            out,
            "<details class=\"variant\" id=\"v-{}\"><summary>{} <span class=\"count\"></span>\
             <span class=\"meta\">{} binar{}, {} imports</span></summary>",
            anchor(i, &e.id),
            esc(&e.id),
            e.artifacts.len(),
            if e.artifacts.len() == 1 { "y" } else { "ies" },
            imports
        );
        if let Some(v) = e.variant {
            variant_facts(out, v);
        }
        for a in &e.artifacts {
            artifact(out, a);
        }
        out.push_str("</details>\n");
    }
}

/// A variant's smoke runs: a heading with the status and a row per run.
pub(super) fn smoke(out: &mut String, s: &crate::report::smoke::SmokeReport) {
    let _ = write!(
        out,
        "<h3>Smoke ({}): {}</h3>",
        esc(&s.kind),
        esc(&wire_name(&s.status))
    );
    if let Some(r) = &s.reason {
        let _ = write!(out, "<p>{}</p>", esc(r));
    }
    if !s.runs.is_empty() {
        out.push_str(
            "<table class=\"smoke\"><thead><tr><th>binary</th><th>root</th><th>runner</th>\
                 <th>status</th><th>time</th><th>exit</th><th>message</th></tr></thead><tbody>",
        );
        for r in &s.runs {
            let _ = write!(
                out,
                "<tr><td>{}</td><td>{}</td><td>{}</td><td class=\"{}\">{}</td><td>{:.1}s</td><td>{}</td><td>{}</td></tr>",
                esc(&r.binary),
                esc(&wire_name(&r.root)),
                esc(&r.runner),
                match r.status {
                    SmokeStatus::Passed => "good",
                    SmokeStatus::Failed => "bad",
                    SmokeStatus::NotRun => "",
                },
                esc(&wire_name(&r.status)),
                r.seconds,
                esc(&r.exit.as_ref().map(|e| e.describe()).unwrap_or_default()),
                esc(r.message.as_deref().unwrap_or(""))
            );
            if r.status == SmokeStatus::Failed && !r.output.is_empty() {
                let _ = write!(
                    out,
                    "<tr><td colspan=\"7\"><pre>{}</pre></td></tr>",
                    esc(&r.output)
                );
            }
        }
        out.push_str("</tbody></table>\n");
    }
}
