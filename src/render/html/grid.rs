//! The grid of the page: a row per variant (or binary) against its key properties,
//! and the size chart.

use super::*;

/// One row of the grid: a variant of a build, or one binary of `inspect`.
pub(super) struct Entry<'a> {
    pub(super) id: String,
    pub(super) variant: Option<&'a VariantReport>,
    pub(super) artifacts: Vec<&'a Artifact>,
}

/// How much a row needs beyond itself, the grid's colour.
#[derive(Clone, Copy, PartialEq, Eq)]
pub(super) enum Needs {
    /// Every binary static or static-pie.
    Static,
    /// Dynamic, with system libraries only.
    System,
    /// Needs at least one library that must be shipped.
    External,
    /// Not built: nothing to say.
    Nothing,
}

impl Needs {
    fn of(e: &Entry) -> Needs {
        if e.artifacts.is_empty() {
            Needs::Nothing
        } else if e.artifacts.iter().all(|a| a.linkage != Linkage::Dynamic) {
            Needs::Static
        } else if e
            .artifacts
            .iter()
            .flat_map(|a| &a.libraries)
            .any(|l| l.class == LibraryClass::External)
        {
            Needs::External
        } else {
            Needs::System
        }
    }
    fn class(self) -> &'static str {
        match self {
            Needs::Static => "static",
            Needs::System => "system",
            Needs::External => "external",
            Needs::Nothing => "none",
        }
    }
}

/// A grid cell: text, and a CSS class for the cells that carry a judgement.
pub(super) struct Cell {
    pub(super) text: String,
    pub(super) class: &'static str,
}

pub(super) fn cell(text: impl Into<String>) -> Cell {
    Cell {
        text: text.into(),
        class: "",
    }
}

pub(super) fn or_dash(items: Vec<String>) -> String {
    if items.is_empty() {
        "-".into()
    } else {
        items.join(", ")
    }
}

/// The distinct values of `f` over the entry's binaries, in order.
pub(super) fn distinct(e: &Entry, f: impl Fn(&Artifact) -> String) -> Vec<String> {
    let mut out: Vec<String> = Vec::new();
    for a in &e.artifacts {
        let v = f(a);
        if !out.contains(&v) {
            out.push(v);
        }
    }
    out
}

/// The highest of the binaries' values of `f` (dotted versions).
pub(super) fn highest(e: &Entry, f: impl Fn(&Artifact) -> Option<String>) -> String {
    e.artifacts
        .iter()
        .filter_map(|a| f(a))
        .max_by_key(|v| Version::parse(v))
        .unwrap_or_else(|| "-".into())
}

pub(super) fn human_size(bytes: u64) -> String {
    if bytes >= 1 << 20 {
        format!("{:.1} MiB", bytes as f64 / (1 << 20) as f64)
    } else {
        format!("{} KiB", bytes.div_ceil(1024))
    }
}

pub(super) type GridColumn = (&'static str, fn(&Entry) -> Cell);

/// The grid's columns, left to right (the first, the id, links to the details).
pub(super) const GRID: &[GridColumn] = &[
    ("target", |e| {
        cell(e.variant.map_or_else(
            || or_dash(distinct(e, |a| format!("{} {}", a.os, a.arch))),
            |v| v.target.clone(),
        ))
    }),
    ("linkage", |e| Cell {
        text: or_dash(distinct(e, |a| wire_name(&a.linkage))),
        class: Needs::of(e).class(),
    }),
    ("libc", |e| {
        cell(or_dash(distinct(e, |a| wire_name(&a.libc))))
    }),
    ("linker asked", |e| {
        cell(e.variant.map_or("-".into(), |v| {
            format!("{} ({})", v.linker.requested, v.linker.program)
        }))
    }),
    ("linker found", |e| {
        cell(or_dash(distinct(e, |a| {
            let mut s = a.linker.name.clone();
            if let Some(v) = &a.linker.version {
                s.push(' ');
                s.push_str(v);
            }
            s
        })))
    }),
    ("min glibc", |e| {
        cell(highest(e, |a| {
            a.requires.glibc.as_ref().map(|g| g.version.clone())
        }))
    }),
    ("min macOS", |e| {
        cell(highest(e, |a| a.requires.macos.clone()))
    }),
    ("min Windows", |e| {
        cell(or_dash(
            e.artifacts
                .iter()
                .filter_map(|a| a.requires.windows.as_ref()?.minimum.clone())
                .collect::<std::collections::BTreeSet<_>>()
                .into_iter()
                .collect(),
        ))
    }),
    ("libraries", |e| {
        let libs = distinct_libraries(e);
        let external = libs
            .iter()
            .filter(|l| l.class == LibraryClass::External)
            .count();
        Cell {
            text: if libs.is_empty() {
                "none".into()
            } else {
                // file names: the paths are in the details
                let names: Vec<&str> = libs
                    .iter()
                    .map(|l| l.name.rsplit('/').next().unwrap_or(&l.name))
                    .collect();
                format!("{}: {}", libs.len(), names.join(", "))
            },
            class: if external > 0 { "external" } else { "" },
        }
    }),
    ("hazards", |e| {
        let codes = distinct_hazards(e);
        let worst = e
            .artifacts
            .iter()
            .flat_map(|a| &a.hazards)
            .map(|h| h.severity)
            .max();
        Cell {
            text: or_dash(codes),
            class: match worst {
                Some(Severity::Error) => "bad",
                Some(Severity::Warning) => "warn",
                _ => "",
            },
        }
    }),
    ("smoke", |e| {
        let Some(s) = e.variant.and_then(|v| v.smoke.as_ref()) else {
            return cell("-");
        };
        Cell {
            text: wire_name(&s.status),
            class: match s.status {
                SmokeStatus::Passed => "good",
                SmokeStatus::Failed => "bad",
                SmokeStatus::NotRun => "",
            },
        }
    }),
    ("size", |e| {
        cell(if e.artifacts.is_empty() {
            "-".into()
        } else {
            human_size(e.artifacts.iter().map(|a| a.size).sum())
        })
    }),
    ("status", |e| match e.variant {
        Some(v) => {
            let ok = v.status == Status::Built && v.expect.passed;
            let mut text = match (v.status, v.build_seconds) {
                (Status::Built, Some(s)) => format!("built {s:.1}s"),
                (s, _) => wire_name(&s),
            };
            if !v.expect.violations.is_empty() {
                text.push_str(&format!(", {} violated", v.expect.violations.len()));
            }
            Cell {
                text,
                class: if ok {
                    "good"
                } else if v.optional {
                    "warn"
                } else {
                    "bad"
                },
            }
        }
        None => Cell {
            text: e
                .artifacts
                .first()
                .map_or("-".into(), |a| a.verdict.clone()),
            class: if e.artifacts.iter().all(|a| a.portable) {
                "good"
            } else {
                "warn"
            },
        },
    }),
];

pub(super) fn distinct_libraries<'a>(e: &Entry<'a>) -> Vec<&'a Library> {
    let mut out: Vec<&Library> = Vec::new();
    for l in e.artifacts.iter().flat_map(|a| &a.libraries) {
        if !out.iter().any(|x| x.name == l.name) {
            out.push(l);
        }
    }
    out
}

pub(super) fn distinct_hazards(e: &Entry) -> Vec<String> {
    let mut out: Vec<String> = Vec::new();
    for h in e.artifacts.iter().flat_map(|a| &a.hazards) {
        if !out.contains(&h.code) {
            out.push(h.code.clone());
        }
    }
    out
}

/// The grid; `noun` names a row (`variant`, `binary`).
pub(super) fn grid(
    out: &mut String,
    entries: &[Entry],
    badges: &BTreeMap<String, Badges>,
    noun: &str,
) {
    let _ = write!(
        out,
        "<h2>{}</h2>",
        if noun == "binary" {
            "Binaries"
        } else {
            "Variants"
        }
    );
    legend(out);
    let _ = write!(out, "<table id=\"grid\"><thead><tr><th>{noun}</th>");
    for (name, _) in GRID {
        let _ = write!(out, "<th>{}</th>", esc(name));
    }
    out.push_str("</tr></thead><tbody>\n");
    for (i, e) in entries.iter().enumerate() {
        let a = anchor(i, &e.id);
        let _ = write!(
            out,
            "<tr id=\"row-{a}\" class=\"row-{}\"><td><a href=\"#v-{a}\">{}</a>",
            Needs::of(e).class(),
            esc(&e.id)
        );
        if let Some(b) = badges.get(&e.id) {
            badge(out, "▲", b.regressions, "regression");
            badge(out, "▼", b.improvements, "improvement");
        }
        out.push_str("</td>");
        for (name, f) in GRID {
            let c = f(e);
            // lists wrap; the other cells stay on one line
            let wrap = if matches!(*name, "libraries" | "hazards" | "linker asked") {
                " libs"
            } else {
                ""
            };
            let class = format!("{}{wrap}", c.class);
            let class = class.trim();
            if class.is_empty() {
                let _ = write!(out, "<td>{}</td>", esc(&c.text));
            } else {
                let _ = write!(out, "<td class=\"{class}\">{}</td>", esc(&c.text));
            }
        }
        out.push_str("</tr>\n");
    }
    out.push_str("</tbody></table>\n");
}

/// Horizontal bars, one per row with binaries, to scale with the largest.
pub(super) fn size_chart(out: &mut String, entries: &[Entry]) {
    let sized: Vec<(&Entry, u64)> = entries
        .iter()
        .map(|e| (e, e.artifacts.iter().map(|a| a.size).sum::<u64>()))
        .collect();
    let max = sized.iter().map(|(_, s)| *s).max().unwrap_or(0).max(1);
    let (label_w, bar_w, row_h) = (260.0, 520.0, 22.0);
    let height = row_h * sized.len() as f64 + 8.0;
    let _ = write!(
        out,
        "<h2>Size</h2>\n<svg id=\"sizes\" width=\"{}\" height=\"{height}\" \
         role=\"img\" aria-label=\"binary size per variant\">",
        label_w + bar_w + 100.0
    );
    for (i, (e, size)) in sized.iter().enumerate() {
        let y = i as f64 * row_h + 4.0;
        let w = if *size == 0 {
            0.0
        } else {
            (*size as f64 / max as f64 * bar_w).max(1.0)
        };
        let _ = write!(
            out,
            "<text x=\"{}\" y=\"{}\" text-anchor=\"end\">{}</text>\
             <rect class=\"bar-{}\" x=\"{label_w}\" y=\"{y}\" width=\"{w:.1}\" height=\"{}\"><title>{}: {} bytes</title></rect>\
             <text x=\"{:.1}\" y=\"{}\">{}</text>",
            label_w - 8.0,
            y + 14.0,
            esc(&e.id),
            Needs::of(e).class(),
            row_h - 6.0,
            esc(&e.id),
            size,
            label_w + w + 6.0,
            y + 14.0,
            if *size == 0 {
                "not built".to_owned()
            } else {
                human_size(*size)
            }
        );
    }
    out.push_str("</svg>\n");
}

/// A badge of `n` changes of kind `kind` (`regression`, `improvement`); none for 0.
fn badge(out: &mut String, arrow: &str, n: usize, kind: &str) {
    if n > 0 {
        let s = if n == 1 { "" } else { "s" };
        let _ = write!(
            out,
            "<span class=\"badge {kind}\">{arrow} {n} {kind}{s}</span>"
        );
    }
}
