//! Escaping, one function per output language: a Markdown table cell, HTML and XML
//! text, a POSIX shell word. Every renderer escapes through here.

/// A table cell of GitHub-flavoured Markdown: pipes escaped, one line.
pub fn md_cell(s: &str) -> String {
    let s = s.replace('\\', "\\\\").replace('|', "\\|");
    let s = s.replace(['\r', '\n'], " ");
    if s.trim().is_empty() {
        "-".into()
    } else {
        s
    }
}

/// Which markup [`markup`] escapes for.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Markup {
    /// HTML element content and quoted attribute values: `'` as `&#39;`, controls other
    /// than tab and newline (not valid HTML text) as U+FFFD.
    Html,
    /// XML 1.0 character data and attributes: `'` as `&apos;`, characters XML cannot
    /// carry (C0 controls other than tab, newline, carriage return; U+FFFE, U+FFFF)
    /// dropped.
    Xml,
}

/// Text made safe for HTML or XML: `&`, `<`, `>`, `"` and `'` escaped, characters the
/// language cannot carry replaced or dropped.
pub fn markup(s: &str, to: Markup) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        match (c, to) {
            ('&', _) => out.push_str("&amp;"),
            ('<', _) => out.push_str("&lt;"),
            ('>', _) => out.push_str("&gt;"),
            ('"', _) => out.push_str("&quot;"),
            ('\'', Markup::Html) => out.push_str("&#39;"),
            ('\'', Markup::Xml) => out.push_str("&apos;"),
            ('\n' | '\t', _) => out.push(c),
            (c, Markup::Html) if c.is_control() => out.push('\u{FFFD}'),
            ('\r', Markup::Xml) => out.push(c),
            (c, Markup::Xml) if (c as u32) < 0x20 || c == '\u{FFFE}' || c == '\u{FFFF}' => {}
            (c, _) => out.push(c),
        }
    }
    out
}

/// A word as a POSIX shell reads it back: as it is when every character is plain,
/// else in single quotes.
pub fn shell_word(w: &str) -> String {
    let plain = !w.is_empty()
        && w.chars()
            .all(|ch| ch.is_ascii_alphanumeric() || "-_=.,/:+@%".contains(ch));
    if plain {
        w.to_owned()
    } else {
        format!("'{}'", w.replace('\'', "'\\''"))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn one_escape_per_language() {
        let cases: [(String, &str); 7] = [
            (md_cell("a|b\\c\nd"), "a\\|b\\\\c d"),
            (md_cell(" "), "-"),
            (markup("'\u{1}\r", Markup::Html), "&#39;\u{FFFD}\u{FFFD}"),
            (markup("'\u{1}\r", Markup::Xml), "&apos;\r"),
            (shell_word("50%"), "50%"),
            (shell_word("it's"), "'it'\\''s'"),
            (shell_word(""), "''"),
        ];
        for (got, want) in cases {
            assert_eq!(got, want);
        }
    }
}
