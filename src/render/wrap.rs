//! Human output fits a terminal: prose is broken between words into lines of at most
//! [`WIDTH`] columns, each later line indented as its block's text starts. ANSI color
//! sequences take no columns. A single word longer than a line (a long path) stands
//! alone on its line, whole.

/// The widest line human output prints, where words allow.
pub const WIDTH: usize = 100;

/// Columns on screen: characters, without ANSI color sequences.
pub fn visible_len(s: &str) -> usize {
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

/// `lead` then `text`, broken between words into lines of at most `width` columns;
/// the later lines start with `indent` spaces. Spaces inside the text are kept where
/// it is not broken.
pub fn wrap(lead: &str, text: &str, indent: usize, width: usize) -> Vec<String> {
    let pad = " ".repeat(indent);
    let mut lines = vec![lead.to_owned()];
    let mut fresh = true;
    for word in text.split(' ') {
        let last = lines.last_mut().expect("one line");
        let needed = visible_len(last) + usize::from(!fresh) + visible_len(word);
        if !fresh && needed > width && visible_len(last) > indent {
            lines.push(format!("{pad}{word}"));
        } else {
            if !fresh {
                last.push(' ');
            }
            last.push_str(word);
        }
        fresh = false;
    }
    lines
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn lines_fit_and_continue_under_the_text() {
        let text = "statically linked glibc calls getaddrinfo: the Name Service Switch \
                    loads the same glibc version's libnss_*.so modules at run time, so \
                    this \"static\" binary fails to resolve or crashes where that glibc is absent";
        let lines = wrap("  hazard     ", text, 13, WIDTH);
        assert!(lines.len() > 1);
        for l in &lines {
            assert!(visible_len(l) <= WIDTH, "{l:?}");
        }
        for l in &lines[1..] {
            assert!(
                l.starts_with(&" ".repeat(13)) && !l[13..].starts_with(' '),
                "{l:?}"
            );
        }
        let joined: Vec<&str> = lines.iter().flat_map(|l| l.split_whitespace()).collect();
        let want: Vec<&str> = "hazard".split(' ').chain(text.split_whitespace()).collect();
        assert_eq!(joined, want);
    }

    #[test]
    fn colors_take_no_columns_and_long_words_stay_whole() {
        assert_eq!(visible_len("\x1b[31merror\x1b[0m"), 5);
        let long = "/a".repeat(80);
        let lines = wrap("x ", &format!("see {long} here"), 2, 40);
        assert_eq!(
            lines,
            ["x see".to_owned(), format!("  {long}"), "  here".into()]
        );
        // a short text is one line, unchanged
        assert_eq!(wrap("  k ", "a  b", 4, 100), ["  k a  b"]);
    }
}
