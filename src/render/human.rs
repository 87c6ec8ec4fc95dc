//! `--format human`: one block per binary, then the errors and a summary line.

use std::io::{self, Write};

use super::{heading, wrap, Style};
use crate::model::{
    wire_name, Artifact, Format, GoBuildInfo, GoFound, GoModule, Hardening, LibraryClass,
    LinkerInfo, Relro, Requires, Severity,
};
use crate::report::Report;

fn hardening_line(h: &Hardening) -> String {
    let mut parts = Vec::new();
    parts.push(if h.pie { "PIE" } else { "no PIE" }.to_owned());
    if let Some(r) = h.relro {
        parts.push(
            match r {
                Relro::None => "no RELRO",
                Relro::Partial => "partial RELRO",
                Relro::Full => "full RELRO",
            }
            .to_owned(),
        );
    }
    parts.push(if h.nx { "NX" } else { "no NX" }.to_owned());
    parts.push(
        if h.stack_canary {
            "canary"
        } else {
            "no canary"
        }
        .to_owned(),
    );
    parts.push(if h.fortify {
        format!("FORTIFY ({})", h.fortified.len())
    } else {
        "no FORTIFY".to_owned()
    });
    parts.join(", ")
}

fn file_line(a: &Artifact) -> String {
    format!(
        "{} {} {}-bit {}-endian, {} for {}, {} bytes{}",
        wire_name(&a.format)
            .to_uppercase()
            .replace("MACHO", "Mach-O"),
        a.arch,
        a.bits,
        wire_name(&a.endian),
        wire_name(&a.kind),
        a.os,
        a.size,
        a.sha256
            .as_ref()
            .map(|h| format!(", sha256 {}…", &h[..h.len().min(16)]))
            .unwrap_or_default()
    )
}

fn linker_line(lk: &LinkerInfo) -> String {
    format!(
        "{}{}{}",
        lk.name,
        lk.version
            .as_ref()
            .map(|v| format!(" {v}"))
            .unwrap_or_default(),
        if lk.inferred { " (inferred)" } else { "" }
    )
}

/// Every minimum: versioned libraries with the symbols that force them, macOS,
/// Windows, the kernel.
fn requires_parts(r: &Requires) -> Vec<String> {
    let mut req = Vec::new();
    for (name, v) in [
        ("glibc", &r.glibc),
        ("GLIBCXX", &r.glibcxx),
        ("CXXABI", &r.cxxabi),
        ("GCC", &r.gcc),
    ] {
        if let Some(v) = v {
            req.push(format!("{name} {} ({})", v.version, v.forced_by.join(", ")));
        }
    }
    if let Some(m) = &r.macos {
        req.push(format!("macOS {m}"));
    }
    if let Some(win) = &r.windows {
        let mut s = format!("{} subsystem {}", win.subsystem, win.subsystem_version);
        if let Some(m) = &win.minimum {
            s.push_str(&format!(", {m}"));
        }
        if !win.forced_by.is_empty() {
            s.push_str(&format!(" ({})", win.forced_by.join(", ")));
        }
        req.push(s);
    }
    if let Some(k) = &r.linux_kernel {
        req.push(format!("Linux {k}"));
    }
    for (name, v) in [
        ("FreeBSD", &r.freebsd),
        ("NetBSD", &r.netbsd),
        ("CPU", &r.cpu),
        ("Android API", &r.android),
    ] {
        if let Some(v) = v {
            req.push(format!("{name} {} ({})", v.version, v.forced_by.join(", ")));
        }
    }
    req
}

fn libraries_line(a: &Artifact, style: Style) -> String {
    if a.libraries.is_empty() {
        return "none".into();
    }
    let libs: Vec<String> = a
        .libraries
        .iter()
        .map(|l| match l.class {
            LibraryClass::System => l.name.clone(),
            LibraryClass::External if l.origin.is_empty() => {
                style.yellow(&format!("{} (external)", l.name))
            }
            LibraryClass::External => style.yellow(&format!(
                "{} (external, for {})",
                l.name,
                l.origin.join(", ")
            )),
        })
        .collect();
    libs.join(", ")
}

/// cargo-auditable's crate list: `name version`, with the source when it is not
/// crates.io and `build` for a build script's or proc macro's crate.
fn crates_line(a: &Artifact) -> String {
    let Some(crates) = &a.crates else {
        return "none (no cargo-auditable .dep-v0 section)".into();
    };
    if crates.is_empty() {
        return "none (an empty cargo-auditable .dep-v0 section)".into();
    }
    let list: Vec<String> = crates
        .iter()
        .map(|c| {
            let mut notes = Vec::new();
            if c.source != "crates.io" {
                notes.push(c.source.as_str());
            }
            if c.build {
                notes.push("build");
            }
            if notes.is_empty() {
                format!("{} {}", c.name, c.version)
            } else {
                format!("{} {} ({})", c.name, c.version, notes.join(", "))
            }
        })
        .collect();
    // a binary can hold hundreds: a line of at most 100 columns each, under the first
    let mut lines = vec![format!("{} (cargo-auditable):", crates.len())];
    for item in list {
        let last = lines.last_mut().expect("one line");
        if last.chars().count() + item.chars().count() + 2 > 100 {
            last.push(',');
            lines.push(item);
        } else {
            if !last.ends_with(':') {
                last.push(',');
            }
            last.push(' ');
            last.push_str(&item);
        }
    }
    lines.join(&format!("\n{}", " ".repeat(CONTINUATION)))
}

/// Go's build information as `go version -m` says it, on one line: the Go version,
/// the main package and module, the dependency modules (with replacements) and the
/// build settings.
fn go_line(go: &GoBuildInfo) -> String {
    let module = |m: &GoModule| {
        let mut s = format!("{} {}", m.path, m.version);
        if let Some(r) = &m.replace {
            s.push_str(format!(" => {} {}", r.path, r.version).trim_end());
        }
        s
    };
    let mut parts = vec![go
        .version
        .clone()
        .unwrap_or_else(|| "version unknown".into())];
    match (&go.path, &go.main) {
        (Some(path), Some(main)) => parts.push(format!("{path} (module {})", module(main))),
        (Some(path), None) => parts.push(path.clone()),
        (None, Some(main)) => parts.push(format!("module {}", module(main))),
        (None, None) => {}
    }
    if !go.deps.is_empty() {
        let deps: Vec<String> = go.deps.iter().map(module).collect();
        parts.push(format!("{} modules: {}", deps.len(), deps.join(", ")));
    }
    if !go.settings.is_empty() {
        let settings: Vec<String> = go
            .settings
            .iter()
            .map(|s| format!("{}={}", s.key, s.value))
            .collect();
        parts.push(format!("build {}", settings.join(" ")));
    }
    if go.found == GoFound::Sentinels {
        parts.push("found by its module text (no buildinfo header)".into());
    }
    parts.join("; ")
}

/// Where a row's value starts (`  {key:<10} `): the indent of its continuation lines.
const CONTINUATION: usize = 13;

fn artifact(a: &Artifact, style: Style, w: &mut dyn Write) -> io::Result<()> {
    // a row's value is wrapped at the terminal's width, its later lines under its start
    let row = |w: &mut dyn Write, k: &str, v: String| {
        let lead = format!("  {:<10} ", style.dim(k));
        let mut lines = Vec::new();
        for (i, part) in v.split('\n').enumerate() {
            if i == 0 {
                lines.extend(wrap::wrap(&lead, part, CONTINUATION, wrap::WIDTH));
            } else {
                // a value already broken into lines (the crate list) keeps its breaks
                lines.push(part.to_owned());
            }
        }
        writeln!(w, "{}", lines.join("\n"))
    };
    writeln!(w, "{}", style.bold(&heading(a)))?;
    row(w, "file", file_line(a))?;
    let mut link = format!("{}, libc {}", wire_name(&a.linkage), wire_name(&a.libc));
    if let Some(i) = &a.interpreter {
        link.push_str(&format!(", interpreter {i}"));
    }
    row(w, "linkage", link)?;
    row(w, "linker", linker_line(&a.linker))?;
    let req = requires_parts(&a.requires);
    if !req.is_empty() {
        row(w, "requires", req.join("; "))?;
    }
    row(w, "runs on", a.runs_on.summary.clone())?;
    if !a.runs_on.excluded.is_empty() {
        row(w, "not on", excluded_line(&a.runs_on.excluded))?;
    }
    for p in a.proofs.iter().flatten() {
        row(w, "proof", proof_line(p))?;
    }
    if !a.rpath.is_empty() {
        row(w, "rpath", a.rpath.join(" "))?;
    }
    if !a.runpath.is_empty() {
        row(w, "runpath", a.runpath.join(" "))?;
    }
    row(w, "libraries", libraries_line(a, style))?;
    let weak = a.imports.iter().filter(|i| i.weak).count();
    row(
        w,
        "imports",
        format!("{} symbols ({weak} weak)", a.imports.len()),
    )?;
    match &a.go {
        Some(go) => {
            row(w, "go", go_line(go))?;
            if a.crates.is_some() {
                row(w, "crates", crates_line(a))?;
            }
        }
        None => row(w, "crates", crates_line(a))?,
    }
    // XCOFF has no flags for these: nothing to say unless something was found
    if !matches!(a.format, Format::Pe | Format::Xcoff) || a.hardening.pie || a.hardening.nx {
        row(w, "hardening", hardening_line(&a.hardening))?;
    }
    if a.hazards.is_empty() {
        row(w, "hazards", style.green("none"))?;
    }
    for h in &a.hazards {
        let sev = match h.severity {
            Severity::Error => style.red("error"),
            Severity::Warning => style.yellow("warning"),
            Severity::Info => "info".to_owned(),
        };
        row(w, "hazard", format!("{sev} [{}] {}", h.code, h.message))?;
        if !h.origin.is_empty() {
            row(w, "", format!("from: {}", h.origin.join(", ")))?;
        }
        row(w, "", format!("fix: {}", h.hint))?;
    }
    let verdict = if a.portable {
        style.green(&a.verdict)
    } else {
        style.yellow(&a.verdict)
    };
    row(w, "verdict", verdict)
}

pub(super) fn render(report: &Report, style: Style, w: &mut dyn Write) -> io::Result<()> {
    for (i, a) in report.artifacts.iter().enumerate() {
        if i > 0 {
            writeln!(w)?;
        }
        artifact(a, style, w)?;
    }
    if !report.errors.is_empty() {
        writeln!(w)?;
        super::render_errors(&report.errors, style, w)?;
    }
    let s = &report.summary;
    writeln!(
        w,
        "\n{} binaries: {} static, {} dynamic, {} portable, {} with hazards; {} errors; {} other files skipped",
        s.artifacts, s.static_, s.dynamic, s.portable, s.with_hazards, s.errors, s.skipped_files
    )
}

/// `RHEL/CentOS 9: libstdc++ lacks GLIBCXX_3.4.30; ...`: the releases whose glibc
/// suffices but whose measured exports lack a need.
pub(crate) fn excluded_line(excluded: &[crate::model::ExcludedRelease]) -> String {
    excluded
        .iter()
        .map(|e| format!("{} {}: {}", e.name, e.release, e.missing.join(", ")))
        .collect::<Vec<_>>()
        .join("; ")
}

/// `debian-11 amd64: refused: version 'GLIBC_2.34' not found (…); agrees with runs_on`
pub(crate) fn proof_line(p: &crate::model::Proof) -> String {
    let agree = match (p.agrees, &p.claim) {
        (Some(true), Some(c)) if p.claimed => format!("agrees: runs_on claims {c}"),
        (Some(true), Some(c)) => format!("agrees: runs_on does not claim {c}"),
        (Some(false), Some(c)) if p.claimed => format!("DISAGREES: runs_on claims {c}"),
        (Some(false), Some(c)) => format!("DISAGREES: runs_on does not claim {c}"),
        (None, Some(_)) => "not checked against runs_on".into(),
        _ => "no runs_on release to check".into(),
    };
    format!(
        "{} {}: {}: {}; {agree}",
        p.release,
        p.arch,
        p.result.as_str(),
        p.message
    )
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::Crate;

    /// Hundreds of crates are lines of at most 100 columns under the row, every crate
    /// in them once.
    #[test]
    fn a_long_crate_list_is_wrapped_under_its_row() {
        let mut a = crate::report::testing::artifact("/t/app", 1, &[], &[]);
        a.crates = Some(
            (0..300)
                .map(|i| Crate {
                    name: format!("crate-number-{i}"),
                    version: "1.0.0".into(),
                    source: "crates.io".into(),
                    build: i % 7 == 0,
                })
                .collect(),
        );
        let text = crates_line(&a);
        let lines: Vec<&str> = text.lines().collect();
        assert!(lines.len() > 40, "{text}");
        assert!(
            lines[0].starts_with(
                "300 (cargo-auditable): crate-number-0 1.0.0 (build), crate-number-1 1.0.0,"
            ) && lines[0].chars().count() <= 100,
            "{text}"
        );
        for l in &lines[1..] {
            assert!(l.starts_with(&" ".repeat(CONTINUATION)), "{l:?}");
            assert!(l.chars().count() <= CONTINUATION + 100, "{l:?}");
        }
        for i in 0..300 {
            let n = format!("crate-number-{i} ");
            assert_eq!(text.matches(&n).count(), 1, "{n}");
        }
        assert!(!text.ends_with(','), "{text}");
    }
}
