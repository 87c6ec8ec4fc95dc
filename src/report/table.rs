//! The `build` report as a table (human, on a terminal) or GitHub Markdown: one row
//! per variant, then the details that do not fit a row (violations, skips, failures).

use std::collections::BTreeSet;
use std::io::{self, Write};

use super::smoke::{SmokeReport, SmokeStatus};
use super::variants::{BuildReport, Status, VariantReport};
use super::Style;
use crate::model::{wire_name, LibraryClass, Severity};
use crate::version::Version;

/// The cells of one row.
struct Row {
    cells: Vec<String>,
}

const HEADERS: [&str; 12] = [
    "variant",
    "target",
    "libc",
    "linker (asked → found)",
    "linkage",
    "min glibc/macOS",
    "libraries",
    "hazards",
    "size",
    "expect",
    "smoke",
    "status",
];

fn human_size(bytes: u64) -> String {
    if bytes >= 1 << 20 {
        format!("{:.1} MiB", bytes as f64 / (1 << 20) as f64)
    } else {
        format!("{} KiB", bytes.div_ceil(1024))
    }
}

fn joined(set: BTreeSet<String>) -> String {
    if set.is_empty() {
        "-".into()
    } else {
        set.into_iter().collect::<Vec<_>>().join(", ")
    }
}

fn row(v: &VariantReport) -> Row {
    let arts = &v.artifacts;
    let libc = joined(arts.iter().map(|a| wire_name(&a.libc)).collect());
    let linkage = joined(arts.iter().map(|a| wire_name(&a.linkage)).collect());
    let found = v.linker.detected.clone().unwrap_or_else(|| "-".into());
    let linker = format!("{} ({}) → {found}", v.linker.requested, v.linker.program);
    // the highest requirement over the variant's binaries
    let glibc = arts
        .iter()
        .filter_map(|a| a.requires.glibc.as_ref())
        .max_by_key(|g| Version::parse(&g.version))
        .map(|g| format!("glibc {}", g.version));
    let macos = arts
        .iter()
        .filter_map(|a| a.requires.macos.clone())
        .max_by_key(|m| Version::parse(m))
        .map(|m| format!("macOS {m}"));
    let windows = arts
        .iter()
        .filter_map(|a| a.requires.windows.as_ref()?.minimum.clone())
        .next();
    let min = glibc.or(macos).or(windows).unwrap_or_else(|| "-".into());
    let libraries = joined(
        arts.iter()
            .flat_map(|a| &a.libraries)
            .map(|l| match l.class {
                LibraryClass::System => l.name.clone(),
                LibraryClass::External => format!("{} (external)", l.name),
            })
            .collect(),
    );
    let hazards = joined(
        arts.iter()
            .flat_map(|a| &a.hazards)
            .filter(|h| h.severity >= Severity::Warning)
            .map(|h| h.code.clone())
            .collect(),
    );
    let size = if arts.is_empty() {
        "-".into()
    } else {
        human_size(arts.iter().map(|a| a.size).sum())
    };
    let expect = match (v.status, v.expect.passed) {
        (Status::Built, true) => "ok".to_owned(),
        (Status::Built, false) => format!("{} violated", v.expect.violations.len()),
        _ => "-".into(),
    };
    let smoke = match &v.smoke {
        None => "-".to_owned(),
        Some(s) if s.runs.is_empty() => wire_name(&s.status),
        Some(s) => {
            let roots: BTreeSet<_> = s.runs.iter().map(|r| r.root).collect();
            let roots: Vec<String> = roots.iter().map(wire_name).collect();
            format!("{} ({})", wire_name(&s.status), roots.join("+"))
        }
    };
    let status = match (v.status, v.build_seconds) {
        (Status::Built, Some(s)) => format!("built {s:.1}s"),
        (s, _) => wire_name(&s),
    };
    Row {
        cells: vec![
            v.id.clone(),
            v.target.clone(),
            libc,
            linker,
            linkage,
            min,
            libraries,
            hazards,
            size,
            expect,
            smoke,
            status,
        ],
    }
}

fn details(r: &BuildReport, md: bool, style: Style, w: &mut dyn Write) -> io::Result<()> {
    let bullet = if md { "- " } else { "  " };
    let code = |s: &str| if md { format!("`{s}`") } else { s.to_owned() };
    for v in &r.variants {
        let mut lines = Vec::new();
        for viol in &v.expect.violations {
            lines.push(format!("{bullet}expect {}: {}", viol.rule, viol.message));
        }
        match v.status {
            Status::Skipped => {
                lines.push(format!(
                    "{bullet}skipped{}: {}",
                    if v.optional { " (optional)" } else { "" },
                    v.reason.as_deref().unwrap_or("")
                ));
                if let Some(h) = &v.hint {
                    lines.push(format!("{bullet}fix: {}", code(h)));
                }
            }
            Status::Failed => {
                lines.push(format!("{bullet}failed:"));
                let tail = v.reason.as_deref().unwrap_or("");
                if md {
                    lines.push(format!("```\n{tail}\n```"));
                } else {
                    lines.extend(tail.lines().map(|l| format!("    {l}")));
                }
            }
            Status::Built => {}
        }
        if let Some(smoke) = &v.smoke {
            smoke_lines(smoke, md, bullet, &mut lines);
        }
        for a in &v.artifacts {
            for h in a.hazards.iter().filter(|h| h.severity >= Severity::Warning) {
                let name = a.path.rsplit('/').next().unwrap_or(&a.path);
                lines.push(format!(
                    "{bullet}{name}: {} [{}] {}",
                    wire_name(&h.severity),
                    h.code,
                    h.message
                ));
            }
        }
        if lines.is_empty() {
            continue;
        }
        writeln!(w)?;
        if md {
            writeln!(w, "### {}\n", v.id)?;
        } else {
            writeln!(w, "{}", style.bold(&v.id))?;
        }
        for l in lines {
            writeln!(w, "{l}")?;
        }
    }
    if !r.errors.is_empty() {
        writeln!(w)?;
        for e in &r.errors {
            writeln!(w, "{bullet}error: {}: {}", e.path, e.error)?;
        }
    }
    // a merged report: where each variant was built, when that is not one machine
    let hosts: BTreeSet<&str> = r
        .variants
        .iter()
        .filter_map(|v| v.host.as_ref().map(|h| h.triple.as_str()))
        .collect();
    if hosts.len() > 1 {
        writeln!(w)?;
        for h in hosts {
            let ids: Vec<&str> = r
                .variants
                .iter()
                .filter(|v| v.host.as_ref().is_some_and(|x| x.triple == h))
                .map(|v| v.id.as_str())
                .collect();
            writeln!(w, "{bullet}built on {}: {}", code(h), ids.join(", "))?;
        }
    }
    let s = &r.summary;
    writeln!(
        w,
        "\n{} variants: {} built, {} failed, {} skipped, {} static; {} expectation violations{}",
        s.variants,
        s.built,
        s.failed,
        s.skipped,
        s.static_,
        s.violations,
        if r.variants.iter().any(|v| v.smoke.is_some()) {
            format!("; {} smoke failures", s.smoke_failed)
        } else {
            String::new()
        }
    )
}

/// One line per smoke run (root, runner, status, time, exit), the output tail of the
/// failed ones, and why a smoke was not run.
fn smoke_lines(s: &SmokeReport, md: bool, bullet: &str, lines: &mut Vec<String>) {
    if s.runs.is_empty() {
        lines.push(format!(
            "{bullet}smoke {} {}: {}",
            s.kind,
            wire_name(&s.status),
            s.reason.as_deref().unwrap_or("")
        ));
        return;
    }
    for r in &s.runs {
        let exit = r
            .exit
            .as_ref()
            .map(|e| format!(", {}", e.describe()))
            .unwrap_or_default();
        let mut line = format!(
            "{bullet}smoke {} {} in the {} root ({}): {} {:.1}s{exit}",
            s.kind,
            r.binary,
            wire_name(&r.root),
            r.runner,
            wire_name(&r.status),
            r.seconds
        );
        if let Some(m) = &r.message {
            line.push_str(&format!(": {m}"));
        }
        lines.push(line);
        if r.status == SmokeStatus::Failed && !r.output.is_empty() {
            if md {
                lines.push(format!("```\n{}\n```", r.output));
            } else {
                lines.extend(r.output.lines().map(|l| format!("    {l}")));
            }
        }
    }
}

/// Characters on screen: without ANSI color sequences.
fn visible_len(s: &str) -> usize {
    let mut n = 0;
    let mut in_escape = false;
    for c in s.chars() {
        match (in_escape, c) {
            (false, '\x1b') => in_escape = true,
            (true, 'm') => in_escape = false,
            (true, _) => {}
            (false, _) => n += 1,
        }
    }
    n
}

pub fn human(r: &BuildReport, style: Style, w: &mut dyn Write) -> io::Result<()> {
    let rows: Vec<Row> = r.variants.iter().map(row).collect();
    let mut widths: Vec<usize> = HEADERS.iter().map(|h| h.chars().count()).collect();
    for row in &rows {
        for (i, c) in row.cells.iter().enumerate() {
            widths[i] = widths[i].max(c.chars().count());
        }
    }
    let line = |cells: Vec<String>, w: &mut dyn Write| -> io::Result<()> {
        let mut out = String::new();
        for (i, c) in cells.iter().enumerate() {
            let pad = widths[i].saturating_sub(visible_len(c));
            out.push_str(c);
            if i + 1 < cells.len() {
                out.push_str(&" ".repeat(pad + 2));
            }
        }
        writeln!(w, "{}", out.trim_end())
    };
    line(HEADERS.iter().map(|h| style.bold(h)).collect(), w)?;
    for (row, v) in rows.into_iter().zip(&r.variants) {
        let mut cells = row.cells;
        let ok = v.status == Status::Built
            && v.expect.passed
            && v.smoke
                .as_ref()
                .is_none_or(|s| s.status != SmokeStatus::Failed);
        let last = cells.len() - 1;
        cells[last] = if ok {
            style.green(&cells[last])
        } else {
            style.red(&cells[last])
        };
        line(cells, w)?;
    }
    details(r, false, style, w)
}

pub fn markdown(r: &BuildReport, w: &mut dyn Write) -> io::Result<()> {
    writeln!(w, "## cargo portable: {}\n", r.matrix)?;
    writeln!(w, "| {} |", HEADERS.join(" | "))?;
    writeln!(w, "|{}", "---|".repeat(HEADERS.len()))?;
    for v in &r.variants {
        let cells: Vec<String> = row(v)
            .cells
            .into_iter()
            .map(|c| c.replace('|', "\\|"))
            .collect();
        writeln!(w, "| {} |", cells.join(" | "))?;
    }
    details(r, true, Style { color: false }, w)
}
