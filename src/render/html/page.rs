//! The frame of the page: its head with the inline CSS, the tools, the legend, and
//! its tail with the inline filter script.

use super::*;

pub(super) const CSS: &str = r##"
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
pub(super) const JS: &str = r##"
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
pub(super) fn anchor(i: usize, id: &str) -> String {
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

pub(super) fn head(out: &mut String, title: &str) {
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

pub(super) fn tail(out: &mut String) {
    let _ = write!(out, "<script>{JS}</script>\n</body></html>\n");
}

pub(super) fn tools(out: &mut String) {
    out.push_str(
        "<div id=\"tools\"><label>Filter symbols, libraries, hazards: \
         <input id=\"filter\" type=\"search\" placeholder=\"e.g. GLIBC_2.34, getaddrinfo, libssl\" \
         autocomplete=\"off\"></label> <span id=\"matches\"></span> \
         <output id=\"filter-ms\" title=\"time of the last filter\"></output> \
         <button id=\"expand\" type=\"button\">expand all</button> \
         <button id=\"collapse\" type=\"button\">collapse all</button></div>\n",
    );
}

pub(super) fn legend(out: &mut String) {
    out.push_str(
        "<p class=\"legend\"><span class=\"static\">static</span>\
         <span class=\"system\">dynamic, system libraries only</span>\
         <span class=\"external\">needs external libraries</span>\
         <span class=\"none\">not built</span></p>\n",
    );
}
