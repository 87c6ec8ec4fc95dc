//! The changes of a `diff`, and the badges they put on the grid.

use super::*;

/// Badges of a variant's diff: regressions and improvements.
pub(super) struct Badges {
    pub(super) regressions: usize,
    pub(super) improvements: usize,
}

pub(super) fn changes(out: &mut String, d: &DiffReport) {
    let _ = write!(
        out,
        "<h2 id=\"changes\">Changes: {}</h2><p class=\"meta\"><code>{}</code> → <code>{}</code>, size growth allowed {}%</p>",
        esc(&crate::render::diff::headline(d)),
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

pub(super) fn badges(d: Option<&DiffReport>) -> BTreeMap<String, Badges> {
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
