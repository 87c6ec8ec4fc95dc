//! The floors of the crate, and a test that every `crate::` reference points down.
//!
//! A top-level module may use a module of its own floor or of a lower one, never a
//! higher one, and no two modules may reach each other through any chain. A new
//! top-level module gets its floor here.

/// Lowest first. Documents (`report`) sit under the pure operations on them (`ops`),
/// which sit under the renderers (`render`); `toolchain` knows the machine, what a
/// variant needs and how to get it (`setup`); the engines use all of that; `cli` only
/// defines the command line, and `commands` turns it into engine calls.
pub const FLOORS: &[&[&str]] = &[
    &["version", "output"],
    &["model"],
    &["data"],
    &["platform"],
    &["matrix"],
    &["inspect"],
    &["analysis"],
    &["scan"],
    &["report"],
    &["ops"],
    &["render"],
    &["toolchain"],
    &["attribution", "run", "ci", "prove"],
    &["engine"],
    &["cli"],
    &["commands"],
];

#[cfg(test)]
mod tests {
    use std::collections::{BTreeMap, BTreeSet};
    use std::path::{Path, PathBuf};

    use super::FLOORS;

    fn floor(m: &str) -> Option<usize> {
        FLOORS.iter().position(|f| f.contains(&m))
    }

    fn rust_files(dir: &Path, out: &mut Vec<PathBuf>) {
        for e in std::fs::read_dir(dir).unwrap() {
            let p = e.unwrap().path();
            if p.is_dir() {
                rust_files(&p, out);
            } else if p.extension().is_some_and(|x| x == "rs") {
                out.push(p);
            }
        }
    }

    /// The top-level modules named after `crate::` in `code`, `crate::{a, b::c}` too.
    fn references(code: &str) -> BTreeSet<String> {
        let ident = |s: &str| -> String {
            s.chars()
                .take_while(|c| c.is_ascii_alphanumeric() || *c == '_')
                .collect()
        };
        let mut found = BTreeSet::new();
        for (at, _) in code.match_indices("crate::") {
            let rest = &code[at + "crate::".len()..];
            if let Some(group) = rest.strip_prefix('{') {
                let mut depth = 0;
                let mut start = true;
                for (i, c) in group.char_indices() {
                    match c {
                        '{' => depth += 1,
                        '}' if depth == 0 => break,
                        '}' => depth -= 1,
                        ',' if depth == 0 => start = true,
                        c if c.is_whitespace() => {}
                        _ if start => {
                            found.insert(ident(&group[i..]));
                            start = false;
                        }
                        _ => {}
                    }
                }
            } else {
                found.insert(ident(rest));
            }
        }
        found.retain(|m| !m.is_empty());
        found
    }

    /// Every arrow between top-level modules, with one file that draws it.
    fn graph() -> BTreeMap<(String, String), PathBuf> {
        let src = Path::new(env!("CARGO_MANIFEST_DIR")).join("src");
        let mut files = Vec::new();
        rust_files(&src, &mut files);
        let mut arrows = BTreeMap::new();
        for f in files {
            let rel = f.strip_prefix(&src).unwrap();
            let first = rel
                .components()
                .next()
                .unwrap()
                .as_os_str()
                .to_string_lossy();
            let from = first.trim_end_matches(".rs").to_owned();
            if from == "lib" || from == "main" || from == "layering" {
                continue;
            }
            let text = std::fs::read_to_string(&f).unwrap();
            let code: String = text
                .lines()
                .filter(|l| !l.trim_start().starts_with("//"))
                .collect::<Vec<_>>()
                .join("\n");
            for to in references(&code) {
                if to != from {
                    arrows
                        .entry((from.clone(), to))
                        .or_insert_with(|| rel.to_owned());
                }
            }
        }
        arrows
    }

    #[test]
    fn every_module_has_a_floor() {
        let lib = include_str!("lib.rs");
        for l in lib.lines() {
            if let Some(m) = l.strip_prefix("pub mod ").or(l.strip_prefix("mod ")) {
                let m = m.trim_end_matches(';');
                assert!(m == "layering" || floor(m).is_some(), "{m} has no floor");
            }
        }
    }

    #[test]
    fn arrows_point_down() {
        let mut up = Vec::new();
        for ((from, to), file) in graph() {
            let (Some(a), Some(b)) = (floor(&from), floor(&to)) else {
                up.push(format!("{from} -> {to} ({}): no floor", file.display()));
                continue;
            };
            if b > a {
                up.push(format!("{from} -> {to} ({})", file.display()));
            }
        }
        assert!(
            up.is_empty(),
            "references up the floors:\n{}",
            up.join("\n")
        );
    }

    #[test]
    fn no_cycles() {
        let mut next: BTreeMap<String, BTreeSet<String>> = BTreeMap::new();
        for (from, to) in graph().into_keys() {
            next.entry(from).or_default().insert(to);
        }
        // a module reaches itself through some chain: a cycle
        for start in next.keys() {
            let mut seen = BTreeSet::new();
            let mut todo: Vec<&String> = next[start].iter().collect();
            while let Some(m) = todo.pop() {
                assert!(m != start, "{start} reaches itself: {next:?}");
                if seen.insert(m) {
                    todo.extend(next.get(m).into_iter().flatten());
                }
            }
        }
    }

    #[test]
    fn only_the_command_line_knows_clap() {
        let src = Path::new(env!("CARGO_MANIFEST_DIR")).join("src");
        let mut files = Vec::new();
        rust_files(&src, &mut files);
        let clap: Vec<String> = files
            .iter()
            .filter(|f| !f.ends_with("cli.rs") && !f.ends_with("main.rs"))
            .filter(|f| !f.ends_with("layering.rs"))
            .filter(|f| std::fs::read_to_string(f).unwrap().contains("clap::"))
            .map(|f| f.display().to_string())
            .collect();
        assert!(clap.is_empty(), "clap outside cli.rs: {clap:?}");
    }

    #[test]
    fn reads_grouped_paths() {
        let r = references("use crate::{a::{b, c}, d};\nlet x = crate::e::f();");
        assert_eq!(r, ["a", "d", "e"].map(String::from).into_iter().collect());
    }
}
