//! `--format html`: one self-contained page (inline CSS and JS, no request of any
//! kind) rendered from the same model as the other formats: a grid of the variants
//! against their key properties, a size chart (inline SVG), each variant's details
//! (libraries, imports grouped by library, the symbols forcing the floors, hazards
//! with their fixes, runs_on, smoke), the changes of a `diff`, and a filter box.
//!
//! Every piece of text comes from binaries or reports and goes through [`esc`]. The
//! fields are listed once each, in the column tables ([`GRID`], [`LIBRARY_COLUMNS`],
//! [`IMPORT_COLUMNS`], [`HAZARD_COLUMNS`]): a field added to the model later is one
//! entry there.

use std::collections::BTreeMap;
use std::fmt::Write as _;
use std::io::{self, Write};

use super::escape::{markup, Markup};
use crate::model::{
    wire_name, Artifact, Crate, Hazard, Import, Library, LibraryClass, Linkage, Severity,
};
use crate::report::diff::{ChangeKind, DiffReport};
use crate::report::smoke::SmokeStatus;
use crate::report::variants::{BuildReport, Status, VariantReport};
use crate::report::Report;
use crate::version::Version;

/// Text made safe for HTML element content and quoted attribute values.
pub fn esc(s: &str) -> String {
    markup(s, Markup::Html)
}

/// One row of the grid: a variant of a build, or one binary of `inspect`.
struct Entry<'a> {
    id: String,
    variant: Option<&'a VariantReport>,
    artifacts: Vec<&'a Artifact>,
}

/// How much a row needs beyond itself, the grid's colour.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Needs {
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
struct Cell {
    text: String,
    class: &'static str,
}

fn cell(text: impl Into<String>) -> Cell {
    Cell {
        text: text.into(),
        class: "",
    }
}

fn or_dash(items: Vec<String>) -> String {
    if items.is_empty() {
        "-".into()
    } else {
        items.join(", ")
    }
}

/// The distinct values of `f` over the entry's binaries, in order.
fn distinct(e: &Entry, f: impl Fn(&Artifact) -> String) -> Vec<String> {
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
fn highest(e: &Entry, f: impl Fn(&Artifact) -> Option<String>) -> String {
    e.artifacts
        .iter()
        .filter_map(|a| f(a))
        .max_by_key(|v| Version::parse(v))
        .unwrap_or_else(|| "-".into())
}

fn human_size(bytes: u64) -> String {
    if bytes >= 1 << 20 {
        format!("{:.1} MiB", bytes as f64 / (1 << 20) as f64)
    } else {
        format!("{} KiB", bytes.div_ceil(1024))
    }
}

type GridColumn = (&'static str, fn(&Entry) -> Cell);

/// The grid's columns, left to right (the first, the id, links to the details).
const GRID: &[GridColumn] = &[
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

fn distinct_libraries<'a>(e: &Entry<'a>) -> Vec<&'a Library> {
    let mut out: Vec<&Library> = Vec::new();
    for l in e.artifacts.iter().flat_map(|a| &a.libraries) {
        if !out.iter().any(|x| x.name == l.name) {
            out.push(l);
        }
    }
    out
}

fn distinct_hazards(e: &Entry) -> Vec<String> {
    let mut out: Vec<String> = Vec::new();
    for h in e.artifacts.iter().flat_map(|a| &a.hazards) {
        if !out.contains(&h.code) {
            out.push(h.code.clone());
        }
    }
    out
}

type Column<T> = (&'static str, fn(&T) -> String);

/// The columns of a binary's library table.
const LIBRARY_COLUMNS: &[Column<Library>] = &[
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
const IMPORT_COLUMNS: &[Column<Import>] = &[
    ("symbol", |i| i.name.clone()),
    ("version", |i| i.version.clone().unwrap_or_default()),
    (
        "weak",
        |i| if i.weak { "weak".into() } else { String::new() },
    ),
    ("origin", |i| i.origin.join(", ")),
];

/// The columns of the crates cargo-auditable recorded in a binary.
const CRATE_COLUMNS: &[Column<Crate>] = &[
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

/// The columns of a binary's hazard table.
const HAZARD_COLUMNS: &[Column<Hazard>] = &[
    ("severity", |h| wire_name(&h.severity)),
    ("code", |h| h.code.clone()),
    ("what", |h| h.message.clone()),
    ("fix", |h| h.hint.clone()),
    ("evidence", |h| h.evidence.join(", ")),
    ("origin", |h| h.origin.join(", ")),
];

const CSS: &str = r##"
:root{--static:#1a7f37;--static-bg:#dafbe1;--system:#0969da;--system-bg:#ddf4ff;--external:#bc4c00;--external-bg:#fff1e5;--bad:#cf222e;--bad-bg:#ffebe9;--warn:#9a6700;--warn-bg:#fff8c5;--none:#6e7781;--none-bg:#f6f8fa}
*{box-sizing:border-box}
body{font:14px/1.45 system-ui,-apple-system,"Segoe UI",sans-serif;margin:0;padding:16px 24px;color:#1f2328;background:#fff}
h1{font-size:20px;margin:0 0 4px}h2{font-size:16px;margin:24px 0 8px}h3{font-size:14px;margin:12px 0 4px}
.meta{color:#59636e;margin:0 0 12px}
table{border-collapse:collapse;margin:4px 0 8px}
th,td{border:1px solid #d1d9e0;padding:3px 8px;text-align:left;vertical-align:top}
th{background:#f6f8fa;font-weight:600}
#grid td{white-space:nowrap}#grid td.libs{white-space:normal;min-width:9em}
td.static{background:var(--static-bg);color:var(--static);font-weight:600}
td.system{background:var(--system-bg);color:var(--system);font-weight:600}
td.external{background:var(--external-bg);color:var(--external);font-weight:600}
td.none{background:var(--none-bg);color:var(--none)}
td.good{color:var(--static)}td.bad{background:var(--bad-bg);color:var(--bad);font-weight:600}td.warn{background:var(--warn-bg);color:var(--warn)}
tr.row-static td:first-child{border-left:6px solid var(--static)}
tr.row-system td:first-child{border-left:6px solid var(--system)}
tr.row-external td:first-child{border-left:6px solid var(--external)}
tr.row-none td:first-child{border-left:6px solid var(--none)}
tr.nomatch{opacity:.35}
.legend span{display:inline-block;padding:1px 8px;margin-right:8px;border-radius:3px}
.legend .static{background:var(--static-bg);color:var(--static)}.legend .system{background:var(--system-bg);color:var(--system)}
.legend .external{background:var(--external-bg);color:var(--external)}.legend .none{background:var(--none-bg);color:var(--none)}
.regression{background:var(--bad-bg)}.regression td:first-child{color:var(--bad);font-weight:600}
.improvement{background:var(--static-bg)}.improvement td:first-child{color:var(--static);font-weight:600}
.note td:first-child{color:var(--none)}
.badge{display:inline-block;border-radius:10px;padding:0 7px;margin-left:6px;font-size:12px}
.badge.regression{color:var(--bad)}.badge.improvement{color:var(--static)}
details.variant{border:1px solid #d1d9e0;border-radius:6px;margin:8px 0;padding:4px 10px}
details.variant>summary{cursor:pointer;font-weight:600}
details.variant{content-visibility:auto;contain-intrinsic-size:auto 3em}
.count{color:#59636e;font-weight:400;margin-left:8px}
code,.mono,td.mono{font-family:ui-monospace,SFMono-Regular,Menlo,Consolas,monospace;font-size:12.5px}
pre{background:#f6f8fa;padding:6px;overflow:auto;max-height:16em}
.bar-static{fill:var(--static)}.bar-system{fill:var(--system)}.bar-external{fill:var(--external)}.bar-none{fill:var(--none)}
svg text{font:12px system-ui,sans-serif;fill:#1f2328}
#tools{position:sticky;top:0;background:#fff;padding:6px 0;border-bottom:1px solid #d1d9e0;z-index:1}
#filter{width:28em;padding:4px 6px;font-size:14px}
tbody.group>tr.lib th{background:#eef1f4}
table.imports{table-layout:fixed;width:min(100%,64em)}table.imports th:first-child{width:60%}
table.imports td{overflow:hidden;text-overflow:ellipsis;white-space:nowrap}
"##;

/// The filter: every filterable row carries its lowercased text in `data-k`; a query
/// hides the rows without it, counts the matches per variant and dims the grid rows of
/// variants without any. The time of one filter (layout included) goes to
/// `#filter-ms`. `#filter=TEXT` in the address filters on load.
const JS: &str = r##"
(function(){
  "use strict";
  var box=document.getElementById("filter"),out=document.getElementById("filter-ms");
  var rows=Array.prototype.slice.call(document.querySelectorAll("tr[data-k]"));
  var keys=rows.map(function(r){return r.getAttribute("data-k");});
  var secs=Array.prototype.slice.call(document.querySelectorAll("details.variant"));
  var secOf=new Int32Array(rows.length),groups=[],groupOf=new Int32Array(rows.length);
  var gi=new Map();
  rows.forEach(function(r,i){
    var s=r.closest("details.variant");secOf[i]=secs.indexOf(s);
    var g=r.parentNode;if(!gi.has(g)){gi.set(g,groups.length);groups.push(g);}groupOf[i]=gi.get(g);
  });
  var hidden=new Uint8Array(rows.length);
  function apply(q){
    q=q.trim().toLowerCase();
    var perSec=new Int32Array(secs.length),perGroup=new Int32Array(groups.length),total=0;
    for(var i=0;i<rows.length;i++){
      var m=q===""||keys[i].indexOf(q)>=0;
      if(m){perSec[secOf[i]]++;perGroup[groupOf[i]]++;total++;}
      var h=m?0:1;
      if(hidden[i]!==h){hidden[i]=h;rows[i].hidden=!m;}
    }
    for(var g=0;g<groups.length;g++){var gh=perGroup[g]===0;if(groups[g].hidden!==gh)groups[g].hidden=gh;}
    secs.forEach(function(s,k){
      var c=s.querySelector(".count");
      if(c)c.textContent=q===""?"":perSec[k]+" match"+(perSec[k]===1?"":"es");
      var row=document.getElementById("row-"+s.id.slice(2));
      if(row)row.classList.toggle("nomatch",q!==""&&perSec[k]===0);
    });
    document.getElementById("matches").textContent=q===""?"":total+" of "+rows.length+" rows match";
  }
  function run(){
    var t0=performance.now();
    apply(box.value);
    void document.body.offsetHeight;
    var ms=performance.now()-t0;
    out.textContent=ms.toFixed(1)+" ms";
    out.setAttribute("data-ms",ms.toFixed(3));
  }
  box.addEventListener("input",run);
  document.getElementById("expand").addEventListener("click",function(){secs.forEach(function(s){s.open=true;});});
  document.getElementById("collapse").addEventListener("click",function(){secs.forEach(function(s){s.open=false;});});
  var h=location.hash;
  if(h.indexOf("#filter=")===0){box.value=decodeURIComponent(h.slice(8));run();}
})();
"##;

/// An id for HTML attributes: letters, digits, `-`, `_`, `.`; anything else as `_XX`.
fn anchor(i: usize, id: &str) -> String {
    let mut s = format!("{i}-");
    for c in id.chars() {
        if c.is_ascii_alphanumeric() || matches!(c, '-' | '_' | '.') {
            s.push(c);
        } else {
            let _ = write!(s, "_{:x}", c as u32);
        }
    }
    s
}

fn head(out: &mut String, title: &str) {
    let _ = write!(
        out,
        "<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\">\
         <meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\
         <meta http-equiv=\"Content-Security-Policy\" content=\"default-src 'none'; \
         style-src 'unsafe-inline'; script-src 'unsafe-inline'; img-src data:\">\
         <title>{}</title><style>{CSS}</style></head><body>\n",
        esc(title)
    );
}

fn tail(out: &mut String) {
    let _ = write!(out, "<script>{JS}</script>\n</body></html>\n");
}

fn tools(out: &mut String) {
    out.push_str(
        "<div id=\"tools\"><label>Filter symbols, libraries, hazards: \
         <input id=\"filter\" type=\"search\" placeholder=\"e.g. GLIBC_2.34, getaddrinfo, libssl\" \
         autocomplete=\"off\"></label> <span id=\"matches\"></span> \
         <output id=\"filter-ms\" title=\"time of the last filter\"></output> \
         <button id=\"expand\" type=\"button\">expand all</button> \
         <button id=\"collapse\" type=\"button\">collapse all</button></div>\n",
    );
}

fn legend(out: &mut String) {
    out.push_str(
        "<p class=\"legend\"><span class=\"static\">static</span>\
         <span class=\"system\">dynamic, system libraries only</span>\
         <span class=\"external\">needs external libraries</span>\
         <span class=\"none\">not built</span></p>\n",
    );
}

/// Badges of a variant's diff: regressions and improvements.
struct Badges {
    regressions: usize,
    improvements: usize,
}

/// The grid; `noun` names a row (`variant`, `binary`).
fn grid(out: &mut String, entries: &[Entry], badges: &BTreeMap<String, Badges>, noun: &str) {
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
            if b.regressions > 0 {
                let _ = write!(
                    out,
                    "<span class=\"badge regression\">▲ {} regression{}</span>",
                    b.regressions,
                    if b.regressions == 1 { "" } else { "s" }
                );
            }
            if b.improvements > 0 {
                let _ = write!(
                    out,
                    "<span class=\"badge improvement\">▼ {} improvement{}</span>",
                    b.improvements,
                    if b.improvements == 1 { "" } else { "s" }
                );
            }
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
fn size_chart(out: &mut String, entries: &[Entry]) {
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

/// A table of `items` with `columns`; each row filterable by its text.
fn table<T>(out: &mut String, class: &str, columns: &[Column<T>], items: &[T]) {
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

fn row<T>(out: &mut String, columns: &[Column<T>], it: &T) {
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
fn imports(out: &mut String, a: &Artifact) {
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

fn requires(out: &mut String, a: &Artifact) {
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

fn runs_on(out: &mut String, a: &Artifact) {
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
    out.push('\n');
}

fn artifact(out: &mut String, a: &Artifact) {
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
}

fn variant_facts(out: &mut String, v: &VariantReport) {
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
}

/// The files that could not be read, each with its error.
fn errors(out: &mut String, errors: &[crate::model::ErrorEntry]) {
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

fn details(out: &mut String, entries: &[Entry]) {
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

fn changes(out: &mut String, d: &DiffReport) {
    let _ = write!(
        out,
        "<h2 id=\"changes\">Changes: {}</h2><p class=\"meta\"><code>{}</code> → <code>{}</code>, size growth allowed {}%</p>",
        esc(&super::diff::headline(d)),
        esc(&d.old),
        esc(&d.new),
        d.max_size_growth
    );
    let mut any = false;
    out.push_str(
        "<table id=\"diff\"><thead><tr><th>kind</th><th>variant</th><th>binary</th><th>change</th>\
         <th>old</th><th>new</th></tr></thead><tbody>",
    );
    for v in &d.variants {
        let mut list: Vec<_> = v.changes.iter().collect();
        list.sort_by_key(|c| c.kind);
        for c in list {
            any = true;
            let kind = wire_name(&c.kind);
            let _ = write!(
                out,
                "<tr class=\"{kind}\"><td>{kind}</td><td>{}</td><td>{}</td><td>{}</td><td>{}</td><td>{}</td></tr>",
                esc(&v.id),
                esc(c.artifact.as_deref().unwrap_or("")),
                esc(&c.message),
                esc(c.old.as_deref().unwrap_or("")),
                esc(c.new.as_deref().unwrap_or(""))
            );
        }
    }
    out.push_str("</tbody></table>\n");
    if !any {
        out.push_str("<p>No changes.</p>\n");
    }
}

fn badges(d: Option<&DiffReport>) -> BTreeMap<String, Badges> {
    let mut m = BTreeMap::new();
    for v in d.iter().flat_map(|d| &d.variants) {
        let n = |k: ChangeKind| v.changes.iter().filter(|c| c.kind == k).count();
        m.insert(
            v.id.clone(),
            Badges {
                regressions: n(ChangeKind::Regression),
                improvements: n(ChangeKind::Improvement),
            },
        );
    }
    m
}

fn build_page(r: &BuildReport, d: Option<&DiffReport>) -> String {
    let entries: Vec<Entry> = r
        .variants
        .iter()
        .map(|v| Entry {
            id: v.id.clone(),
            variant: Some(v),
            artifacts: v.artifacts.iter().collect(),
        })
        .collect();
    let mut out = String::with_capacity(64 * 1024);
    let title = match d {
        Some(d) => format!("cargo portable diff: {}", super::diff::headline(d)),
        None => format!("cargo portable: {}", r.matrix),
    };
    head(&mut out, &title);
    let s = &r.summary;
    let _ = write!(
        out,
        "<h1>{}</h1><p class=\"meta\">matrix <code>{}</code>; {} {} on {}; {} variants: {} built, {} failed, \
         {} skipped, {} static; {} expectation violations; {} smoke failures</p>",
        esc(&title),
        esc(&r.matrix),
        esc(&r.tool.name),
        esc(&r.tool.version),
        esc(&r.host.triple),
        s.variants,
        s.built,
        s.failed,
        s.skipped,
        s.static_,
        s.violations,
        s.smoke_failed
    );
    tools(&mut out);
    if let Some(d) = d {
        changes(&mut out, d);
    }
    grid(&mut out, &entries, &badges(d), "variant");
    size_chart(&mut out, &entries);
    errors(&mut out, &r.errors);
    details(&mut out, &entries);
    tail(&mut out);
    out
}

/// The page of a `build` or `merge` report; with `d`, the comparison with a baseline.
pub fn build(r: &BuildReport, d: Option<&DiffReport>, w: &mut dyn Write) -> io::Result<()> {
    w.write_all(build_page(r, d).as_bytes())
}

/// The page of a `diff`: its changes first, then the new report, its variants marked
/// with their regressions and improvements.
pub fn diff(d: &DiffReport, new: &BuildReport, w: &mut dyn Write) -> io::Result<()> {
    build(new, Some(d), w)
}

/// The page of an `inspect` report: one grid row per binary.
pub fn inspect(r: &Report, w: &mut dyn Write) -> io::Result<()> {
    let entries: Vec<Entry> = r
        .artifacts
        .iter()
        .map(|a| Entry {
            id: match &a.slice {
                Some(s) => format!("{} ({}, slice {})", a.path, a.arch, s.index),
                None => a.path.clone(),
            },
            variant: None,
            artifacts: vec![a],
        })
        .collect();
    let mut out = String::with_capacity(64 * 1024);
    let title = format!("cargo portable inspect: {} binaries", r.artifacts.len());
    head(&mut out, &title);
    let s = &r.summary;
    let _ = write!(
        out,
        "<h1>{}</h1><p class=\"meta\">{} {} on {}; {} static, {} dynamic, {} portable, {} with hazards; \
         {} errors; {} other files skipped</p>",
        esc(&title),
        esc(&r.tool.name),
        esc(&r.tool.version),
        esc(&r.host.triple),
        s.static_,
        s.dynamic,
        s.portable,
        s.with_hazards,
        s.errors,
        s.skipped_files
    );
    tools(&mut out);
    grid(&mut out, &entries, &BTreeMap::new(), "binary");
    size_chart(&mut out, &entries);
    errors(&mut out, &r.errors);
    details(&mut out, &entries);
    tail(&mut out);
    w.write_all(out.as_bytes())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::report::testing::{artifact, build_report, variant};

    #[test]
    fn text_from_binaries_is_escaped() {
        assert_eq!(
            esc("<script>alert('x')</script> & \"q\""),
            "&lt;script&gt;alert(&#39;x&#39;)&lt;/script&gt; &amp; &quot;q&quot;"
        );
        let mut a = artifact("/t/<img src=x onerror=alert(1)>", 4096, &[], &[]);
        a.imports.push(crate::model::Import {
            name: "</script><script>alert(1)</script>".into(),
            version: Some("\"><b>".into()),
            library: Some("lib<x>.so".into()),
            weak: false,
            ordinal: None,
            origin: vec!["<evil>@1.0".into()],
        });
        let r = build_report(vec![variant("a\"<b>", vec![a])]);
        let mut out = Vec::new();
        build(&r, None, &mut out).unwrap();
        let html = String::from_utf8(out).unwrap();
        assert!(!html.contains("<img src=x"), "raw markup from a path");
        assert!(
            !html.contains("</script><script>alert"),
            "raw markup from a symbol"
        );
        assert!(!html.contains("<b>\""), "raw markup from a version");
        assert!(html.contains("&lt;/script&gt;&lt;script&gt;alert(1)&lt;/script&gt;"));
        assert!(html.contains("&lt;evil&gt;@1.0"), "the origin, escaped");
        assert!(!html.contains("<evil>"), "raw markup from an origin");
        // the one script element is ours
        assert_eq!(html.matches("<script>").count(), 1);
    }

    #[test]
    fn the_page_references_nothing_outside_itself() {
        let a = artifact(
            "/t/app",
            4096,
            &["libssl.so.3"],
            &[("getaddrinfo", "GLIBC_2.2.5")],
        );
        let r = build_report(vec![variant("gnu", vec![a])]);
        let mut out = Vec::new();
        build(&r, None, &mut out).unwrap();
        let html = String::from_utf8(out).unwrap();
        for bad in [
            " src=", "url(", "@import", "<link", "http://", "https://", "<iframe",
        ] {
            assert!(!html.contains(bad), "the page references {bad}");
        }
        for href in html.split("href=\"").skip(1) {
            assert!(href.starts_with('#'), "a link out of the page: {href:.40}");
        }
    }
}

#[cfg(test)]
mod diff_tests {
    use super::*;
    use crate::ops::diff;
    use crate::report::testing::{artifact, build_report, variant};

    #[test]
    fn a_diff_page_highlights_regressions_and_improvements() {
        let old = build_report(vec![
            variant(
                "a",
                vec![artifact("/t/a", 4096, &[], &[("puts", "GLIBC_2.2.5")])],
            ),
            variant("b", vec![artifact("/t/b", 4096, &["libz.so.1"], &[])]),
        ]);
        let new = build_report(vec![
            variant(
                "a",
                vec![artifact(
                    "/t/a",
                    4096,
                    &["libssl.so.3"],
                    &[("arc4random", "GLIBC_2.36")],
                )],
            ),
            variant("b", vec![artifact("/t/b", 4096, &[], &[])]),
        ]);
        let d = diff::diff(&old, &new, "old.json", "new.json", 10.0);
        assert!(
            d.summary.regressions > 0 && d.summary.improvements > 0,
            "{d:?}"
        );
        let mut out = Vec::new();
        super::diff(&d, &new, &mut out).unwrap();
        let html = String::from_utf8(out).unwrap();
        let rows = |kind: &str| html.matches(&format!("<tr class=\"{kind}\">")).count();
        assert_eq!(rows("regression"), d.summary.regressions);
        assert_eq!(rows("improvement"), d.summary.improvements);
        for v in &d.variants {
            for c in &v.changes {
                assert!(html.contains(&esc(&c.message)), "{}", c.message);
            }
        }
        let a_regressions = d.variants[0].regressions().count();
        let badge = format!(
            "▲ {a_regressions} regression{}",
            if a_regressions == 1 { "" } else { "s" }
        );
        assert!(html.contains(&badge), "{badge}");
    }
}
