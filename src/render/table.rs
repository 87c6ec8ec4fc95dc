//! The `build` report as a table (human, on a terminal) or GitHub Markdown: one row
//! per variant, then the details that do not fit a row (violations, skips, failures).

use std::collections::BTreeSet;
use std::io::{self, Write};

use super::escape::md_cell;
use super::wrap::{self, visible_len};
use super::Style;
use crate::model::{wire_name, Artifact, LibraryClass, ProofResult, Severity};
use crate::report::smoke::{SmokeReport, SmokeStatus};
use crate::report::variants::{BuildReport, Status, VariantReport};
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

/// The highest requirement over the variant's binaries: glibc, macOS, Windows,
/// FreeBSD, NetBSD (a binary has one of them).
fn minimum(arts: &[Artifact]) -> String {
    let highest = |name: &str, get: &dyn Fn(&Artifact) -> Option<String>| {
        arts.iter()
            .filter_map(get)
            .max_by_key(|v| Version::parse(v))
            .map(|v| format!("{name} {v}"))
    };
    let windows = arts
        .iter()
        .filter_map(|a| a.requires.windows.as_ref()?.minimum.clone())
        .next();
    highest("glibc", &|a| {
        a.requires.glibc.as_ref().map(|g| g.version.clone())
    })
    .or_else(|| highest("macOS", &|a| a.requires.macos.clone()))
    .or(windows)
    .or_else(|| {
        highest("FreeBSD", &|a| {
            a.requires.freebsd.as_ref().map(|v| v.version.clone())
        })
    })
    .or_else(|| {
        highest("NetBSD", &|a| {
            a.requires.netbsd.as_ref().map(|v| v.version.clone())
        })
    })
    .unwrap_or_else(|| "-".into())
}

fn row(v: &VariantReport) -> Row {
    let arts = &v.artifacts;
    let libc = joined(arts.iter().map(|a| wire_name(&a.libc)).collect());
    let linkage = joined(arts.iter().map(|a| wire_name(&a.linkage)).collect());
    let found = v.linker.detected.clone().unwrap_or_else(|| "-".into());
    let linker = format!("{} ({}) → {found}", v.linker.requested, v.linker.program);
    let min = minimum(arts);
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

/// The lines of a variant's details after `lines`: its violations, why it was skipped
/// or failed, its smoke runs, and its binaries' hazards and external libraries.
fn variant_lines(v: &VariantReport, md: bool, mut lines: Vec<String>) -> Vec<String> {
    let bullet = if md { "- " } else { "  " };
    let code = |s: &str| if md { format!("`{s}`") } else { s.to_owned() };
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
    // which crates asked for what is to ship or fix (`origin`, from the link's
    // inputs): where the report knows it
    let from = |origin: &[String]| {
        if origin.is_empty() {
            String::new()
        } else {
            format!(" (from {})", origin.join(", "))
        }
    };
    for a in &v.artifacts {
        let name = a.path.rsplit('/').next().unwrap_or(&a.path);
        for h in a.hazards.iter().filter(|h| h.severity >= Severity::Warning) {
            let line = format!(
                "{name}: {} [{}] {}{}",
                wire_name(&h.severity),
                h.code,
                h.message,
                from(&h.origin)
            );
            if md {
                lines.push(format!("{bullet}{line}"));
            } else {
                // prose: wrapped at the terminal's width, under the hazard's text
                lines.extend(wrap::wrap(bullet, &line, bullet.len() + 2, wrap::WIDTH));
            }
        }
        if let Some(line) = proofs_line(a.proofs.as_deref()) {
            let line = format!("{name}: {line}");
            if md {
                lines.push(format!("{bullet}{line}"));
            } else {
                lines.extend(wrap::wrap(bullet, &line, bullet.len() + 2, wrap::WIDTH));
            }
        }
        for l in &a.libraries {
            if l.class == LibraryClass::External && !l.origin.is_empty() {
                lines.push(format!(
                    "{bullet}{name}: needs {} (external){}",
                    code(&l.name),
                    from(&l.origin)
                ));
            }
        }
    }
    lines
}

/// `proofs: debian-11 refused (version 'GLIBC_2.34' not found), debian-12 loads, …;
/// all agree with runs_on`: one line per artifact; a proof that disagrees or was not
/// run is said whole.
fn proofs_line(proofs: Option<&[crate::model::Proof]>) -> Option<String> {
    let proofs = proofs.filter(|p| !p.is_empty())?;
    let mut short = Vec::new();
    let mut whole = Vec::new();
    for p in proofs {
        match (p.result, p.agrees) {
            (ProofResult::Loads, Some(true)) => short.push(format!("{} loads", p.release)),
            (ProofResult::Refused, Some(true)) => {
                short.push(format!("{} refused ({})", p.release, refusal(&p.message)));
            }
            _ => whole.push(crate::render::human::proof_line(p)),
        }
    }
    let mut line = format!("proofs: {}", short.join(", "));
    if whole.is_empty() {
        line.push_str("; all agree with runs_on");
    } else {
        if short.is_empty() {
            line.truncate("proofs: ".len());
        } else {
            line.push_str(" (agreeing with runs_on); ");
        }
        line.push_str(&whole.join("; "));
    }
    Some(line)
}

/// A loader's refusal in short: the versions it did not find (`GLIBC_2.32, GLIBC_2.34
/// not found`), else its first complaint without the path it names.
fn refusal(message: &str) -> String {
    let mut versions: Vec<&str> = Vec::new();
    for part in message.split("version '").skip(1) {
        if let Some((v, rest)) = part.split_once('\'') {
            if rest.starts_with(" not found") && !versions.contains(&v) {
                versions.push(v);
            }
        }
    }
    if versions.is_empty() {
        let first = message.split("; ").next().unwrap_or_default();
        first
            .split(" (required by")
            .next()
            .unwrap_or(first)
            .to_owned()
    } else {
        versions.sort_by_key(|v| {
            let (lib, n) = v.rsplit_once('_').unwrap_or((v, ""));
            (lib.to_owned(), Version::parse(n))
        });
        format!("{} not found", versions.join(", "))
    }
}

/// The lines below the table, per variant; `extra[i]` first for the i-th variant (what
/// the human table cut).
fn details(
    r: &BuildReport,
    md: bool,
    style: Style,
    extra: &[Vec<String>],
    w: &mut dyn Write,
) -> io::Result<()> {
    let bullet = if md { "- " } else { "  " };
    let code = |s: &str| if md { format!("`{s}`") } else { s.to_owned() };
    for (i, v) in r.variants.iter().enumerate() {
        let lines = variant_lines(v, md, extra.get(i).cloned().unwrap_or_default());
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
            r.root_name(),
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

/// The widest the human table gets: a 120-column terminal.
pub const MAX_WIDTH: usize = 120;

/// The columns of the human table: the Markdown table's, with libc and linkage in
/// one, expect, status and smoke in one (each smoke run has a line below the table),
/// the linker's program left to the lines below when it does not fit.
const HUMAN_HEADERS: [&str; 9] = [
    "variant",
    "target",
    "libc linkage",
    "linker",
    "min",
    "libraries",
    "hazards",
    "size",
    "result",
];
const TARGET: usize = 1;
const LINKER: usize = 3;
const LIBRARIES: usize = 5;
const HAZARDS: usize = 6;

fn human_row(v: &VariantReport) -> Vec<String> {
    let md = row(v).cells;
    let arts = &v.artifacts;
    let libc_linkage = if arts.is_empty() {
        "-".into()
    } else {
        format!("{} {}", md[2], md[4])
    };
    let found = v.linker.detected.as_deref().unwrap_or("-");
    let linker = format!("{}→{found}", v.linker.requested);
    // external libraries first: they are the ones to ship
    let mut libs: Vec<String> = Vec::new();
    for class in [LibraryClass::External, LibraryClass::System] {
        for l in arts.iter().flat_map(|a| &a.libraries) {
            let name = match class {
                LibraryClass::External => format!("{} (external)", l.name),
                LibraryClass::System => l.name.clone(),
            };
            if l.class == class && !libs.contains(&name) {
                libs.push(name);
            }
        }
    }
    let libraries = match (arts.is_empty(), libs.len()) {
        (true, _) => "-".to_owned(),
        (false, 0) => "none".to_owned(),
        (false, n) => format!("{n}: {}", libs.join(", ")),
    };
    let smoke_failed = v
        .smoke
        .as_ref()
        .is_some_and(|s| s.status == SmokeStatus::Failed);
    let result = match (v.status, v.expect.passed, v.build_seconds) {
        (Status::Built, true, _) if smoke_failed => "smoke failed".into(),
        (Status::Built, true, Some(s)) => format!("ok {s:.1}s"),
        (Status::Built, true, None) => "ok".into(),
        (Status::Built, false, _) => format!("{} violated", v.expect.violations.len()),
        (s, _, _) => wire_name(&s),
    };
    vec![
        v.id.clone(),
        v.target.clone(),
        libc_linkage,
        linker,
        md[5].clone(),
        libraries,
        md[7].clone(),
        md[8].clone(),
        result,
    ]
}

/// `s` cut to `width` characters, the last one `…` when cut.
fn cut(s: &str, width: usize) -> String {
    if s.chars().count() <= width {
        return s.to_owned();
    }
    let mut out: String = s.chars().take(width.saturating_sub(1)).collect();
    out.push('…');
    out
}

/// Column widths within `max` (gaps of 2 included) where the table allows: the
/// libraries and hazards are cut first, then the target goes (a zero width: the
/// variant ids name it), then the linker is cut too. `None` for a column left out.
fn fit(natural: &[usize], max: usize) -> Vec<Option<usize>> {
    let mut w: Vec<Option<usize>> = natural.iter().map(|n| Some(*n)).collect();
    let total = |w: &[Option<usize>]| -> usize {
        let shown: Vec<usize> = w.iter().flatten().copied().collect();
        shown.iter().sum::<usize>() + 2 * shown.len().saturating_sub(1)
    };
    // (column, floor) per step; each step cuts the column furthest above its floor
    let steps: [&[(usize, usize)]; 2] = [
        &[(LIBRARIES, 28), (HAZARDS, 18)],
        &[(LIBRARIES, 11), (HAZARDS, 8), (LINKER, 15)],
    ];
    let mut soft = w.clone();
    for (c, floor) in steps[0] {
        soft[*c] = soft[*c].map(|x| x.min(*floor));
    }
    if total(&soft) > max {
        w[TARGET] = None;
    }
    for step in steps {
        while total(&w) > max {
            let Some((col, _)) = step
                .iter()
                .filter_map(|(c, floor)| Some((*c, w[*c]?.checked_sub(*floor)?)))
                .filter(|(_, slack)| *slack > 0)
                .max_by_key(|(_, slack)| *slack)
            else {
                break;
            };
            w[col] = w[col].map(|x| x - 1);
        }
    }
    w
}

/// `text` after `lead`, broken after its commas into lines of at most `max`
/// characters where the words allow, the later lines indented under the first.
fn wrap(lead: &str, text: &str, max: usize) -> Vec<String> {
    let indent = " ".repeat(lead.chars().count());
    let mut lines = vec![lead.to_owned()];
    let mut fresh = true;
    for word in text.split_inclusive(", ") {
        let last = lines.last_mut().expect("one line");
        if !fresh && last.chars().count() + word.trim_end().chars().count() > max {
            lines.push(format!("{indent}{word}"));
        } else {
            last.push_str(word);
        }
        fresh = false;
    }
    lines.iter().map(|l| l.trim_end().to_owned()).collect()
}

pub fn human(r: &BuildReport, style: Style, w: &mut dyn Write) -> io::Result<()> {
    let rows: Vec<Vec<String>> = r.variants.iter().map(human_row).collect();
    let mut natural: Vec<usize> = HUMAN_HEADERS.iter().map(|h| h.chars().count()).collect();
    for row in &rows {
        for (i, c) in row.iter().enumerate() {
            natural[i] = natural[i].max(c.chars().count());
        }
    }
    let widths = fit(&natural, MAX_WIDTH);
    let line = |cells: Vec<String>, w: &mut dyn Write| -> io::Result<()> {
        let mut out = String::new();
        let shown: Vec<(usize, &String)> = cells
            .iter()
            .enumerate()
            .filter_map(|(i, c)| Some((widths[i]?, c)))
            .collect();
        for (k, (width, c)) in shown.iter().enumerate() {
            out.push_str(c);
            if k + 1 < shown.len() {
                out.push_str(&" ".repeat(width.saturating_sub(visible_len(c)) + 2));
            }
        }
        writeln!(w, "{}", out.trim_end())
    };
    let cut_cell = |i: usize, c: &str| widths[i].map_or_else(String::new, |x| cut(c, x));
    line(
        HUMAN_HEADERS
            .iter()
            .enumerate()
            .map(|(i, h)| style.bold(&cut_cell(i, h)))
            .collect(),
        w,
    )?;
    // what a cut cell left out, for the lines below the table
    let mut extra: Vec<Vec<String>> = Vec::new();
    for (row, v) in rows.into_iter().zip(&r.variants) {
        let mut more = Vec::new();
        // (the hazards have a line each below anyway)
        if widths[LIBRARIES].is_some_and(|x| row[LIBRARIES].chars().count() > x) {
            more.extend(wrap("  libraries: ", &row[LIBRARIES], MAX_WIDTH));
        }
        if widths[LINKER].is_some_and(|x| row[LINKER].chars().count() > x) {
            more.push(format!(
                "  linker: {} ({}) → {}",
                v.linker.requested,
                v.linker.program,
                v.linker.detected.as_deref().unwrap_or("-")
            ));
        }
        extra.push(more);
        let mut cells: Vec<String> = row
            .iter()
            .enumerate()
            .map(|(i, c)| cut_cell(i, c))
            .collect();
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
    details(r, false, style, &extra, w)
}

pub fn markdown(r: &BuildReport, w: &mut dyn Write) -> io::Result<()> {
    writeln!(w, "## cargo portable: {}\n", r.matrix)?;
    writeln!(w, "| {} |", HEADERS.join(" | "))?;
    writeln!(w, "|{}", "---|".repeat(HEADERS.len()))?;
    for v in &r.variants {
        let cells: Vec<String> = row(v).cells.into_iter().map(|c| md_cell(&c)).collect();
        writeln!(w, "| {} |", cells.join(" | "))?;
    }
    details(r, true, Style { color: false }, &[], w)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::matrix::{parse, ExpectHazards, ExpectLinkage, DEFAULT_MATRIX, DEFAULT_MATRIX_NAME};
    use crate::model::{Hazard, Libc, Linkage};
    use crate::ops::merge::merge;
    use crate::report::smoke::{RootKind, SmokeRun};
    use crate::report::testing::{artifact, build_report, host, variant};

    /// The default matrix's variants with the libraries and hazards their expectations
    /// name, the longest linker programs, two smoke runs each: the widest rows that
    /// matrix gives.
    fn default_matrix_report() -> BuildReport {
        let m = parse(DEFAULT_MATRIX, DEFAULT_MATRIX_NAME, None).unwrap();
        let mut variants = Vec::new();
        for (i, mv) in m.variants.iter().enumerate() {
            let libs: Vec<&str> = mv
                .expect
                .libraries
                .iter()
                .flatten()
                .map(String::as_str)
                .filter(|l| *l != "libc.so.6")
                .collect();
            let mut a = artifact(
                &format!("target/{}/release/ipc-server", mv.target()),
                32_901_234,
                &libs,
                &[
                    ("getaddrinfo", "GLIBC_2.2.5"),
                    ("__libc_start_main", "GLIBC_2.34"),
                ],
            );
            if mv.expect.linkage == Some(ExpectLinkage::Static) {
                a.linkage = Linkage::StaticPie;
                a.libraries.clear();
            }
            if mv.id().contains("macos") {
                a.requires.glibc = None;
                a.requires.macos = Some("10.12".into());
            }
            a.libc = if mv.id().contains("macos") {
                Libc::Libsystem
            } else if mv.id().contains("musl") {
                Libc::Musl
            } else {
                Libc::Glibc
            };
            if mv.expect.hazards == Some(ExpectHazards::Any) {
                for code in ["static-glibc-nss", "static-glibc-dlopen"] {
                    a.hazards.push(Hazard {
                        code: code.into(),
                        severity: Severity::Warning,
                        message: format!("{code} message"),
                        hint: "a fix".into(),
                        evidence: vec!["getaddrinfo".into()],
                        origin: vec![],
                    });
                }
            }
            let mut v = variant(mv.id(), vec![a]);
            v.target = mv.target().to_owned();
            v.linker.requested = mv.linker().as_str().to_owned();
            v.linker.program = format!("{}-w64-mingw32-gcc", mv.target());
            v.linker.detected = Some("gnu-ld".into());
            v.build_seconds = Some(123.4);
            let run = |root| SmokeRun {
                release: None,
                binary: "ipc-server".into(),
                root,
                runner: "qemu-aarch64-static".into(),
                status: SmokeStatus::Passed,
                seconds: 1.5,
                exit: None,
                message: None,
                output: String::new(),
            };
            v.smoke = Some(SmokeReport::from_runs(
                "ipc",
                vec![run(RootKind::Host), run(RootKind::Empty)],
            ));
            if i == 3 {
                v.expect.passed = false;
                v.expect.violations = (0..12)
                    .map(|_| crate::report::variants::Violation {
                        rule: "libraries".into(),
                        message: "libfoo.so.1 is not allowed".into(),
                    })
                    .collect();
            }
            variants.push(v);
        }
        let mut r = build_report(variants);
        r.matrix = DEFAULT_MATRIX_NAME.into();
        r
    }

    #[test]
    fn the_human_table_of_the_default_matrix_fits_120_columns() {
        let r = default_matrix_report();
        assert_eq!(r.variants.len(), 12);
        for color in [false, true] {
            let mut out = Vec::new();
            human(&r, Style { color }, &mut out).unwrap();
            let text = String::from_utf8(out).unwrap();
            // the table, and the library lists below it (hazard messages are prose)
            let indent = " ".repeat("  libraries: ".len());
            let lines = text.lines().take(13).chain(
                text.lines()
                    .filter(|l| l.starts_with("  libraries: ") || l.starts_with(&indent)),
            );
            for l in lines {
                assert!(
                    visible_len(l) <= MAX_WIDTH,
                    "{} columns: {l}",
                    visible_len(l)
                );
            }
            // every variant has its row, and a library cut from a row is below the table
            let table: Vec<&str> = text.lines().take(13).collect();
            for v in &r.variants {
                assert!(table.iter().any(|l| l.contains(&v.id)), "{}", v.id);
                for l in v.artifacts.iter().flat_map(|a| &a.libraries) {
                    assert!(
                        text.contains(&l.name),
                        "{} of {} missing: {text}",
                        l.name,
                        v.id
                    );
                }
            }
        }
    }

    /// The min column: a BSD binary's minimum release, where a Linux one has glibc's.
    #[test]
    fn the_min_column_has_the_bsd_minimums() {
        let mut r = default_matrix_report();
        for (i, (field, version)) in [("freebsd", "14.0"), ("netbsd", "10.1")].iter().enumerate() {
            let a = &mut r.variants[i].artifacts[0];
            a.requires.glibc = None;
            let req = Some(crate::model::VersionRequirement {
                version: (*version).into(),
                forced_by: vec![],
                origin: vec![],
            });
            if *field == "freebsd" {
                a.requires.freebsd = req;
            } else {
                a.requires.netbsd = req;
            }
        }
        assert_eq!(row(&r.variants[0]).cells[5], "FreeBSD 14.0");
        assert_eq!(row(&r.variants[1]).cells[5], "NetBSD 10.1");
        assert_eq!(row(&r.variants[2]).cells[5], "glibc 2.34");
    }

    /// Below the table: which crates an external library and a hazard come from,
    /// where the report knows (`origin`), in the human and the Markdown report.
    /// Below the table, a hazard's prose is wrapped at 100 columns under its text (the
    /// Markdown keeps each on one line: the page wraps it).
    #[test]
    fn the_details_wrap_a_long_hazard_at_100_columns() {
        let mut r = default_matrix_report();
        let v = r
            .variants
            .iter_mut()
            .find(|v| v.artifacts.iter().any(|a| !a.hazards.is_empty()))
            .expect("a variant with hazards");
        let long =
            "the Name Service Switch loads the same glibc version's libnss modules at run time "
                .repeat(4);
        v.artifacts[0].hazards[0].message = long.trim_end().to_owned();
        let mut out = Vec::new();
        human(&r, Style { color: true }, &mut out).unwrap();
        let text = String::from_utf8(out).unwrap();
        let details = text.split("\n\n").skip(1).collect::<Vec<_>>().join("\n\n");
        let start = details.find("the Name Service").expect("the hazard");
        let lines: Vec<&str> = details[start..].lines().take(4).collect();
        for l in details.lines() {
            assert!(visible_len(l) <= 100, "{l:?}");
        }
        assert!(
            lines[1].starts_with("    the") || lines[1].starts_with("    "),
            "{lines:?}"
        );
        let mut md = Vec::new();
        markdown(&r, &mut md).unwrap();
        assert!(String::from_utf8(md).unwrap().contains(long.trim_end()));
    }

    #[test]
    fn the_details_name_the_crates_behind_a_library_and_a_hazard() {
        let mut r = default_matrix_report();
        let static_id = r
            .variants
            .iter()
            .position(|v| v.artifacts.iter().any(|a| !a.hazards.is_empty()))
            .expect("a variant with hazards");
        let a = &mut r.variants[static_id].artifacts[0];
        a.hazards[0].origin = vec!["std@1.95.0".into(), "ipc@0.1.0".into()];
        let a = &mut r.variants[0].artifacts[0];
        let mut lib = a.libraries[0].clone();
        lib.name = "libz.so.1".into();
        lib.class = LibraryClass::External;
        lib.origin = vec!["libz-sys@1.1.20".into()];
        a.libraries.push(lib);
        let mut human_out = Vec::new();
        human(&r, Style { color: false }, &mut human_out).unwrap();
        let mut md_out = Vec::new();
        markdown(&r, &mut md_out).unwrap();
        let (h, m) = (
            String::from_utf8(human_out).unwrap(),
            String::from_utf8(md_out).unwrap(),
        );
        for text in [&h, &m] {
            assert!(
                text.contains(
                    "[static-glibc-nss] static-glibc-nss message (from std@1.95.0, ipc@0.1.0)"
                ),
                "{text}"
            );
            assert!(
                text.contains("libz.so.1") && text.contains("(external) (from libz-sys@1.1.20)"),
                "{text}"
            );
        }
        assert!(m.contains("needs `libz.so.1` (external)"), "{m}");
        // a hazard without an origin says nothing of one
        assert!(
            h.contains("[static-glibc-dlopen] static-glibc-dlopen message\n"),
            "{h}"
        );
    }

    #[test]
    fn the_markdown_table_stays_complete() {
        let r = default_matrix_report();
        let mut out = Vec::new();
        markdown(&r, &mut out).unwrap();
        let md = String::from_utf8(out).unwrap();
        for v in &r.variants {
            let row = md
                .lines()
                .find(|l| l.starts_with(&format!("| {} |", v.id)))
                .unwrap_or_else(|| panic!("no row for {}", v.id));
            for needle in [&v.target, &v.linker.program] {
                assert!(row.contains(needle.as_str()), "{needle} in {row}");
            }
            for l in v.artifacts.iter().flat_map(|a| &a.libraries) {
                assert!(row.contains(&l.name), "{} in {row}", l.name);
            }
            for h in v.artifacts.iter().flat_map(|a| &a.hazards) {
                assert!(row.contains(&h.code), "{} in {row}", h.code);
            }
        }
    }

    #[test]
    fn the_table_of_a_merged_report_says_where_each_variant_was_built() {
        let mut a = build_report(vec![variant("a", vec![])]);
        a.variants[0].host = Some(host("aarch64-apple-darwin"));
        let b = build_report(vec![variant("b", vec![]), variant("c", vec![])]);
        let named = |n: &str, r| (n.to_owned(), r);
        let m = merge(vec![named("a.json", a), named("b.json", b)], host("m")).unwrap();
        let mut out = Vec::new();
        markdown(&m, &mut out).unwrap();
        let text = String::from_utf8(out).unwrap();
        assert!(
            text.contains("- built on `aarch64-apple-darwin`: a\n"),
            "{text}"
        );
        assert!(
            text.contains("- built on `x86_64-unknown-linux-gnu`: b, c\n"),
            "{text}"
        );
    }

    #[test]
    fn a_proofs_line_says_the_refused_versions_and_whole_disagreements() {
        use crate::model::Proof;
        let proof = |release: &str, result, message: &str, agrees| Proof {
            release: release.into(),
            arch: "amd64".into(),
            result,
            message: message.into(),
            claim: Some(format!("Debian {release}")),
            claimed: result == ProofResult::Loads,
            agrees,
        };
        assert_eq!(proofs_line(None), None);
        let mut proofs = vec![
            proof(
                "debian-11",
                ProofResult::Refused,
                "version 'GLIBC_2.34' not found (required by /a); version 'GLIBC_2.32' not found (required by /a); version 'GLIBC_2.34' not found (required by <root>/lib/libgcc_s.so.1)",
                Some(true),
            ),
            proof("debian-12", ProofResult::Loads, "the loader resolved every library and version", Some(true)),
        ];
        assert_eq!(
            proofs_line(Some(&proofs)).unwrap(),
            "proofs: debian-11 refused (GLIBC_2.32, GLIBC_2.34 not found), debian-12 loads; all agree with runs_on"
        );
        proofs[1].agrees = Some(false);
        let line = proofs_line(Some(&proofs)).unwrap();
        assert!(line.starts_with("proofs: debian-11 refused (GLIBC_2.32, GLIBC_2.34 not found) (agreeing with runs_on); debian-12 amd64: loads:"), "{line}");
        assert!(line.contains("DISAGREES"), "{line}");
    }
}
