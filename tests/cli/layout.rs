//! README's `## Layout` block against the tree. The rule is kept simple so that moving
//! code only means updating README lines:
//! - each line that does not start with a space names a path (its first word, a
//!   directory ending in `/`); that path exists;
//! - the `.rs` files and `name/` directories its description names (on that line and
//!   its indented continuation lines) exist directly inside it (inside its parent
//!   directory for a file line);
//! - every room is named on such a line: each directory directly under `src/`, each
//!   `src/*.rs` but `lib.rs` (whose module list is the layout itself), and each
//!   top-level directory of the repository that is neither hidden nor `target`
//!   (named by a line of its own or of a path inside it).

use std::collections::BTreeSet;
use std::fs;
use std::path::Path;

const REPO: &str = env!("CARGO_MANIFEST_DIR");

/// (path, description) for each entry of the fenced block under `## Layout`.
fn layout_entries() -> Vec<(String, String)> {
    let readme = fs::read_to_string(Path::new(REPO).join("README.md")).expect("README.md");
    let after = readme
        .split_once("\n## Layout\n")
        .expect("README.md has a `## Layout` section")
        .1;
    let block = after
        .split_once("```\n")
        .expect("a fenced block under ## Layout")
        .1
        .split_once("\n```")
        .expect("the block is closed")
        .0;
    let mut entries: Vec<(String, String)> = Vec::new();
    for line in block.lines() {
        if line.starts_with(' ') {
            let last = entries.last_mut().expect("a description after a path");
            last.1.push(' ');
            last.1.push_str(line.trim());
        } else if let Some((path, rest)) = line.split_once(' ') {
            entries.push((path.to_owned(), rest.trim().to_owned()));
        } else if !line.is_empty() {
            entries.push((line.to_owned(), String::new()));
        }
    }
    entries
}

/// The `x.rs` and `x/` names in a description.
fn names_in(description: &str) -> Vec<&str> {
    description
        .split(|c: char| c.is_whitespace() || ",;:()`".contains(c))
        .filter(|w| {
            let stem = w.strip_suffix(".rs").or_else(|| w.strip_suffix('/'));
            stem.is_some_and(|s| {
                !s.is_empty() && s.chars().all(|c| c.is_ascii_alphanumeric() || c == '_')
            })
        })
        .collect()
}

fn dir_names(dir: &Path) -> Vec<(String, bool)> {
    fs::read_dir(dir)
        .unwrap_or_else(|e| panic!("{}: {e}", dir.display()))
        .map(|e| {
            let e = e.expect("directory entry");
            let is_dir = e.file_type().expect("file type").is_dir();
            (e.file_name().to_string_lossy().into_owned(), is_dir)
        })
        .collect()
}

#[test]
fn readme_layout_names_every_room_and_only_what_exists() {
    let repo = Path::new(REPO);
    let entries = layout_entries();
    assert!(entries.len() > 5, "the Layout block parsed to {entries:?}");
    let mut wrong = Vec::new();
    for (path, description) in &entries {
        let full = repo.join(path);
        let exists = if path.ends_with('/') {
            full.is_dir()
        } else {
            full.exists()
        };
        if !exists {
            wrong.push(format!("{path}: no such path"));
            continue;
        }
        let room = if path.ends_with('/') {
            full.clone()
        } else {
            full.parent().expect("a parent").to_path_buf()
        };
        for name in names_in(description) {
            if !room.join(name).exists() {
                wrong.push(format!("{path}: names {name}, which is not in it"));
            }
        }
    }
    let named: BTreeSet<&str> = entries.iter().map(|(p, _)| p.as_str()).collect();
    let mut rooms = Vec::new();
    for (name, is_dir) in dir_names(&repo.join("src")) {
        if is_dir {
            rooms.push(format!("src/{name}/"));
        } else if name.ends_with(".rs") && name != "lib.rs" {
            rooms.push(format!("src/{name}"));
        }
    }
    for room in &rooms {
        if !named.contains(room.as_str()) {
            wrong.push(format!("{room}: not named"));
        }
    }
    for (name, is_dir) in dir_names(repo) {
        let prefix = format!("{name}/");
        if is_dir
            && !name.starts_with('.')
            && name != "target"
            && !named.iter().any(|p| p.starts_with(&prefix))
        {
            wrong.push(format!("{prefix}: not named"));
        }
    }
    assert!(
        wrong.is_empty(),
        "README.md's Layout does not match the tree:\n  {}",
        wrong.join("\n  ")
    );
}
