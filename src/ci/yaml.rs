//! A small YAML writer for the pipelines: block style only, keys in the order given,
//! strings quoted wherever a YAML 1.1 or 1.2 reader could take them for anything but a
//! string, multi-line strings as literal blocks, and trailing comments (the `# v7.0.1`
//! beside a pinned action). Pure: a [`Node`] tree in, text out. It writes; it never
//! reads: the tests hand its output to real readers (actionlint, zizmor,
//! check-jsonschema, gitlab-ci-local).

use std::fmt::Write;

/// One YAML value.
#[derive(Debug, Clone, PartialEq)]
pub enum Node {
    Str(String),
    Bool(bool),
    Int(i64),
    Seq(Vec<Node>),
    Map(Map),
    /// A scalar with a comment after it on the same line.
    Commented(Box<Node>, String),
}

/// A mapping: keys in insertion order; `spaced` puts a blank line between entries.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Map {
    pub entries: Vec<(String, Node)>,
    pub spaced: bool,
}

impl Map {
    pub fn new() -> Map {
        Map::default()
    }
    /// The same map with a blank line between its entries.
    pub fn spaced(mut self) -> Map {
        self.spaced = true;
        self
    }
    /// Add an entry (builder style).
    pub fn with(mut self, key: &str, value: impl Into<Node>) -> Map {
        self.entries.push((key.to_owned(), value.into()));
        self
    }
    /// Add an entry when `value` is Some.
    pub fn with_opt(self, key: &str, value: Option<impl Into<Node>>) -> Map {
        match value {
            Some(v) => self.with(key, v),
            None => self,
        }
    }
}

impl From<&str> for Node {
    fn from(s: &str) -> Node {
        Node::Str(s.to_owned())
    }
}
impl From<String> for Node {
    fn from(s: String) -> Node {
        Node::Str(s)
    }
}
impl From<bool> for Node {
    fn from(b: bool) -> Node {
        Node::Bool(b)
    }
}
impl From<Map> for Node {
    fn from(m: Map) -> Node {
        Node::Map(m)
    }
}
impl From<Vec<Node>> for Node {
    fn from(v: Vec<Node>) -> Node {
        Node::Seq(v)
    }
}

/// A list of strings.
pub fn strs<S: AsRef<str>>(items: &[S]) -> Node {
    Node::Seq(items.iter().map(|s| Node::from(s.as_ref())).collect())
}

/// A scalar with a trailing comment.
pub fn commented(value: impl Into<Node>, comment: &str) -> Node {
    Node::Commented(Box::new(value.into()), comment.to_owned())
}

/// The document: `header` lines as `#` comments, then the root mapping.
pub fn document(header: &[String], root: &Map) -> String {
    let mut out = String::new();
    for h in header {
        if h.is_empty() {
            out.push_str("#\n");
        } else {
            let _ = writeln!(out, "# {h}");
        }
    }
    write_map(&mut out, root, 0, false);
    out
}

const INDENT: usize = 2;

fn pad(out: &mut String, n: usize) {
    out.extend(std::iter::repeat_n(' ', n));
}

/// Write the entries of `m` at `indent`; `inline_first`: the first key goes on the
/// current line (after a `- `).
fn write_map(out: &mut String, m: &Map, indent: usize, inline_first: bool) {
    for (i, (k, v)) in m.entries.iter().enumerate() {
        if i > 0 && m.spaced {
            out.push('\n');
        }
        if !(i == 0 && inline_first) {
            pad(out, indent);
        }
        out.push_str(&key(k));
        out.push(':');
        write_value(out, v, indent);
    }
}

/// The value after `key:` (which is already written), for a key at `indent`.
fn write_value(out: &mut String, v: &Node, indent: usize) {
    match v {
        Node::Map(m) if m.entries.is_empty() => out.push_str(" {}\n"),
        Node::Seq(s) if s.is_empty() => out.push_str(" []\n"),
        Node::Map(m) => {
            out.push('\n');
            write_map(out, m, indent + INDENT, false);
        }
        Node::Seq(s) => {
            out.push('\n');
            write_seq(out, s, indent + INDENT);
        }
        Node::Str(s) if is_block(s) => write_block(out, s, indent + INDENT),
        scalar => {
            out.push(' ');
            write_scalar(out, scalar);
            out.push('\n');
        }
    }
}

fn write_seq(out: &mut String, items: &[Node], indent: usize) {
    for item in items {
        pad(out, indent);
        out.push('-');
        match item {
            Node::Map(m) if !m.entries.is_empty() => {
                out.push(' ');
                write_map(out, m, indent + INDENT, true);
            }
            Node::Seq(s) if !s.is_empty() => {
                out.push('\n');
                write_seq(out, s, indent + INDENT);
            }
            other => write_value(out, other, indent),
        }
    }
}

/// A scalar on one line.
fn write_scalar(out: &mut String, v: &Node) {
    match v {
        Node::Str(s) => out.push_str(&scalar(s)),
        Node::Bool(b) => out.push_str(if *b { "true" } else { "false" }),
        Node::Int(i) => {
            let _ = write!(out, "{i}");
        }
        Node::Commented(inner, comment) => {
            write_scalar(out, inner);
            let _ = write!(out, " # {comment}");
        }
        Node::Seq(_) | Node::Map(_) => unreachable!("collections are not scalars"),
    }
}

/// Multi-line text becomes a literal block, unless a line starts with a space or tab
/// in a way that needs an indentation indicator, or carries characters a block cannot.
fn is_block(s: &str) -> bool {
    s.contains('\n')
        && !s.starts_with([' ', '\t', '\n'])
        && !s.chars().any(|c| c.is_control() && c != '\n')
        && !s.lines().any(|l| l.ends_with([' ', '\t']))
}

fn write_block(out: &mut String, s: &str, indent: usize) {
    // `|` keeps one final newline, `|-` none; more than one needs `|+`: avoid it
    let body = s.trim_end_matches('\n');
    out.push_str(if s.ends_with('\n') { " |\n" } else { " |-\n" });
    for line in body.split('\n') {
        if !line.is_empty() {
            pad(out, indent);
            out.push_str(line);
        }
        out.push('\n');
    }
}

/// A mapping key: plain when it is a simple name (`on`, `runs-on`, `portable:linux`
/// are plain to every reader that matters), quoted otherwise.
fn key(k: &str) -> String {
    let simple = !k.is_empty()
        && k.starts_with(|c: char| c.is_ascii_alphanumeric() || c == '.' || c == '_')
        && k.chars()
            .all(|c| c.is_ascii_alphanumeric() || "-_.:/".contains(c))
        && !k.ends_with(':');
    if simple {
        k.to_owned()
    } else {
        quote(k)
    }
}

/// A string scalar: plain when no reader could take it for another type or for
/// syntax, double-quoted otherwise.
pub fn scalar(s: &str) -> String {
    if is_plain(s) {
        s.to_owned()
    } else {
        quote(s)
    }
}

fn is_plain(s: &str) -> bool {
    const RESERVED: &[&str] = &[
        "true", "false", "yes", "no", "on", "off", "y", "n", "null", "~",
    ];
    if s.is_empty() || RESERVED.contains(&s.to_ascii_lowercase().as_str()) {
        return false;
    }
    // numbers (ints, floats, octal, hex, sexagesimal, .inf, .nan) and dates
    let numberish = s.starts_with(|c: char| c.is_ascii_digit() || "+-.".contains(c))
        && s.chars()
            .all(|c| c.is_ascii_hexdigit() || "+-._:oxXeE".contains(c) || c == 'i' || c == 'n');
    if numberish || s.parse::<f64>().is_ok() {
        return false;
    }
    let first_ok = s.starts_with(|c: char| c.is_ascii_alphanumeric() || "$./_(".contains(c));
    let chars_ok = s
        .chars()
        .all(|c| c.is_ascii_alphanumeric() || " $./_-(){}:,=+*@'\"<>!|&;^%?[]~\\".contains(c));
    first_ok && chars_ok && !s.ends_with([' ', ':']) && !s.contains(": ") && !s.contains(" #")
}

fn quote(s: &str) -> String {
    let mut q = String::with_capacity(s.len() + 2);
    q.push('"');
    for c in s.chars() {
        match c {
            '"' => q.push_str("\\\""),
            '\\' => q.push_str("\\\\"),
            '\n' => q.push_str("\\n"),
            '\t' => q.push_str("\\t"),
            '\r' => q.push_str("\\r"),
            c if c.is_control() => {
                let _ = write!(q, "\\u{:04x}", c as u32);
            }
            c => q.push(c),
        }
    }
    q.push('"');
    q
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn scalars_that_would_change_type_are_quoted() {
        for s in [
            "", "on", "No", "true", "null", "~", "1", "2.17", "010", "0x1f", "1e3", "12:30",
            ".inf", "-1", "y",
        ] {
            assert!(scalar(s).starts_with('"'), "{s:?} -> {}", scalar(s));
        }
    }

    #[test]
    fn syntax_is_quoted() {
        for s in [
            "a: b",
            "a #b",
            "- x",
            "*ref",
            "&anchor",
            "!tag",
            "[x]",
            "{x}",
            "|",
            ">",
            "@x",
            "`x",
            "%x",
            "a:",
            "trailing ",
            " lead",
            "#c",
            "?x",
            "'x'",
            "\"x\"",
            "tab\tx",
        ] {
            assert!(scalar(s).starts_with('"'), "{s:?} -> {}", scalar(s));
        }
        assert_eq!(scalar("say \"hi\"\\"), "say \"hi\"\\");
        assert_eq!(scalar("\"hi\"\\"), "\"\\\"hi\\\"\\\\\"");
    }

    #[test]
    fn ordinary_strings_stay_plain() {
        for s in [
            "ubuntu-22.04",
            "x86_64-unknown-linux-gnu",
            "${{ matrix.runner }}",
            "${{ !cancelled() }}",
            "cargo portable build --variant \"$PORTABLE_VARIANT\"",
            "actions/checkout@3d3c42e5aac5ba805825da76410c181273ba90b1",
            "portable-${{ runner.os }}-${{ hashFiles('**/Cargo.lock') }}",
            "linux-x86_64-gnu-2.17",
        ] {
            assert_eq!(scalar(s), s);
        }
    }

    #[test]
    fn block_layout() {
        let root = Map::new()
            .with("on", Map::new().with("push", Map::new()))
            .with(
                "steps",
                Node::Seq(vec![
                    Map::new()
                        .with("uses", commented("a/b@0123", "v1.2.3"))
                        .with("with", Map::new().with("persist-credentials", false))
                        .into(),
                    Map::new().with("run", "echo a\necho b\n").into(),
                    Map::new().with("run", "echo c\n\necho d").into(),
                ]),
            )
            .with("list", strs(&["a", "on"]))
            .with("empty", Node::Seq(vec![]));
        let text = document(&["generated".into(), String::new()], &root);
        assert_eq!(
            text,
            "# generated\n#\non:\n  push: {}\nsteps:\n  - uses: a/b@0123 # v1.2.3\n    with:\n      \
             persist-credentials: false\n  - run: |\n      echo a\n      echo b\n  - run: |-\n      \
             echo c\n\n      echo d\nlist:\n  - a\n  - \"on\"\nempty: []\n"
        );
    }

    #[test]
    fn awkward_multiline_strings_are_quoted() {
        let root = Map::new().with("a", " x\ny").with("b", "x \ny");
        assert_eq!(document(&[], &root), "a: \" x\\ny\"\nb: \"x \\ny\"\n");
    }

    #[test]
    fn spaced_maps_and_quoted_keys() {
        let root = Map::new()
            .with("a", Map::new().spaced().with("x", "v").with("y a", "b"))
            .with("portable:linux", Node::Int(3));
        assert_eq!(
            document(&[], &root),
            "a:\n  x: v\n\n  \"y a\": b\nportable:linux: 3\n"
        );
    }
}
