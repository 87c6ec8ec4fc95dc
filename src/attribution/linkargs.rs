//! rustc's `--print link-args` line, read back (pure): the linker invocation as rustc
//! prints it (`LC_ALL="C" PATH="…" "cc" "-m64" "…/app-…-cgu.0.rcgu.o" "…/libtokio-….rlib"
//! … "-lc" … "-o" "…/deps/app-…"`), each word Rust-`Debug`-quoted.

use std::path::{Path, PathBuf};

/// What a link line says.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct LinkLine {
    /// The rlibs, in link order.
    pub rlibs: Vec<PathBuf>,
    /// The `-l` libraries, in order (`c`, `gcc_s`, `:libfoo.a`).
    pub libs: Vec<String>,
    /// The output (`-o`, or `/OUT:` for link.exe-style linkers).
    pub output: Option<PathBuf>,
}

/// Split a printed command into its words (quotes removed, `\"` and `\\` unescaped).
pub fn words(line: &str) -> Vec<String> {
    let mut out = Vec::new();
    let mut cur = String::new();
    let mut in_quote = false;
    let mut any = false;
    let mut chars = line.chars();
    while let Some(c) = chars.next() {
        match c {
            '"' => {
                in_quote = !in_quote;
                any = true;
            }
            '\\' if in_quote => {
                if let Some(n) = chars.next() {
                    cur.push(n);
                }
            }
            ' ' if !in_quote => {
                if any || !cur.is_empty() {
                    out.push(std::mem::take(&mut cur));
                }
                any = false;
            }
            c => cur.push(c),
        }
    }
    if any || !cur.is_empty() {
        out.push(cur);
    }
    out
}

/// Whether a line of rustc's output is its `--print link-args`.
pub fn is_link_line(line: &str) -> bool {
    line.starts_with("LC_ALL=") || (line.contains("\"-o\"") && line.contains(".rlib\""))
}

/// Read a link line.
pub fn parse(line: &str) -> LinkLine {
    let w = words(line);
    let mut out = LinkLine::default();
    let mut i = 0;
    while i < w.len() {
        let a = &w[i];
        if a == "-o" {
            out.output = w.get(i + 1).map(PathBuf::from);
            i += 2;
            continue;
        }
        if let Some(o) = a.strip_prefix("/OUT:") {
            out.output = Some(PathBuf::from(o));
        } else if a == "-l" {
            if let Some(n) = w.get(i + 1) {
                out.libs.push(n.clone());
            }
            i += 2;
            continue;
        } else if let Some(n) = a.strip_prefix("-l") {
            out.libs.push(n.to_owned());
        } else if a.ends_with(".rlib") {
            out.rlibs.push(PathBuf::from(a));
        }
        i += 1;
    }
    out
}

/// The object `--emit=obj` wrote beside the output `deps/app-<hash>[.exe]`:
/// `deps/app-<hash>.o`.
pub fn final_object(output: &Path) -> PathBuf {
    let stem = match output.extension().and_then(|e| e.to_str()) {
        Some("exe") => output.with_extension(""),
        _ => output.to_path_buf(),
    };
    let mut s = stem.into_os_string();
    s.push(".o");
    PathBuf::from(s)
}

/// The crate name of an rlib's file (`libtokio-0123abcd.rlib` → `tokio`).
pub fn rlib_crate(path: &Path) -> Option<&str> {
    let f = path.file_name()?.to_str()?;
    let f = f.strip_suffix(".rlib")?.strip_prefix("lib")?;
    Some(f.rsplit_once('-').map_or(f, |(n, _)| n))
}

#[cfg(test)]
mod tests {
    use super::*;

    const LINE: &str = r#"LC_ALL="C" PATH="/a/bin:/usr/bin" VSLANG="1033" "cc" "-m64" "/t/deps/rustcWD0pPW/symbols.o" "/t/deps/app-40bc.app.7948-cgu.0.rcgu.o" "-Wl,--as-needed" "-Wl,-Bstatic" "/t/deps/libm-620e.rlib" "/r/lib/rustlib/x86_64-unknown-linux-gnu/lib/libstd-d123.rlib" "-Wl,-Bdynamic" "-lm" "-lgcc_s" "-lc" "-L" "/t/deps/rustcWD0pPW/raw-dylibs" "-o" "/t/deps/app-40bc" "-nodefaultlibs""#;

    #[test]
    fn reads_rustc_link_args() {
        assert!(is_link_line(LINE));
        let l = parse(LINE);
        assert_eq!(
            l.rlibs,
            vec![
                PathBuf::from("/t/deps/libm-620e.rlib"),
                PathBuf::from("/r/lib/rustlib/x86_64-unknown-linux-gnu/lib/libstd-d123.rlib")
            ]
        );
        assert_eq!(l.libs, vec!["m", "gcc_s", "c"]);
        assert_eq!(l.output, Some(PathBuf::from("/t/deps/app-40bc")));
        assert_eq!(
            final_object(l.output.as_deref().unwrap()),
            PathBuf::from("/t/deps/app-40bc.o")
        );
        assert_eq!(
            final_object(Path::new("/t/deps/app-40bc.exe")),
            PathBuf::from("/t/deps/app-40bc.o")
        );
        assert_eq!(rlib_crate(&l.rlibs[1]), Some("std"));
        assert_eq!(
            rlib_crate(Path::new("librustc_demangle-146c.rlib")),
            Some("rustc_demangle")
        );
    }

    #[test]
    fn unescapes_quotes() {
        assert_eq!(words(r#""a b" "c\"d" e"#), vec!["a b", "c\"d", "e"]);
    }
}
