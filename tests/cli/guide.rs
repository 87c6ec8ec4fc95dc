//! docs/guide.md against the program: every `cargo portable …` line of its `sh` blocks
//! parses with the real command line (clap, as `main` parses it), every flag it shows is
//! in its command's `--help`, every command has an example there and a `--help` with
//! examples; the examples that build nothing and need no file are run.

use std::path::Path;

use clap::{CommandFactory, Parser};

use cargo_portable::cli::{normalize_args, Cli};

use crate::common::portable;

/// (line number, command line) of every `cargo portable` line in the guide's `sh` blocks.
fn examples() -> Vec<(usize, String)> {
    let guide = Path::new(env!("CARGO_MANIFEST_DIR")).join("docs/guide.md");
    let text = std::fs::read_to_string(&guide).expect("docs/guide.md");
    let mut out = Vec::new();
    let mut in_sh = false;
    for (i, line) in text.lines().enumerate() {
        let t = line.trim();
        if let Some(lang) = t.strip_prefix("```") {
            in_sh = !in_sh && lang == "sh";
            continue;
        }
        if in_sh && t.starts_with("cargo portable") {
            out.push((i + 1, t.to_owned()));
        }
    }
    out
}

/// Shell words up to a redirection, a pipe or a comment; quotes removed.
fn words(line: &str) -> Vec<String> {
    let mut words = Vec::new();
    let mut cur = String::new();
    let mut quote: Option<char> = None;
    let mut any = false;
    for c in line.chars() {
        match (quote, c) {
            (Some(q), c) if c == q => quote = None,
            (Some(_), c) => cur.push(c),
            (None, '"' | '\'') => {
                quote = Some(c);
                any = true;
            }
            (None, c) if c.is_whitespace() => {
                if any || !cur.is_empty() {
                    words.push(std::mem::take(&mut cur));
                    any = false;
                }
            }
            (None, '>' | '|' | '#') if cur.is_empty() && !any => return words,
            (None, c) => cur.push(c),
        }
    }
    if any || !cur.is_empty() {
        words.push(cur);
    }
    words
}

fn subcommands() -> Vec<String> {
    Cli::command()
        .get_subcommands()
        .map(|c| c.get_name().to_owned())
        .filter(|n| n != "help")
        .collect()
}

/// The command of a guide line (`build` without one) and its flags.
fn command_and_flags(w: &[String]) -> (String, Vec<String>) {
    let subs = subcommands();
    let cmd = w
        .get(2)
        .filter(|s| subs.contains(s))
        .cloned()
        .unwrap_or_else(|| "build".into());
    let flags = w[2..]
        .iter()
        .filter(|x| x.starts_with('-'))
        .map(|x| x.split('=').next().unwrap().to_owned())
        .collect();
    (cmd, flags)
}

fn help(cmd: &str) -> String {
    let out = portable().args([cmd, "--help"]).output().unwrap();
    assert!(out.status.success(), "{cmd} --help");
    String::from_utf8(out.stdout).unwrap()
}

#[test]
fn every_guide_example_parses_and_every_flag_is_in_help() {
    let ex = examples();
    assert!(
        ex.len() >= 40,
        "{} examples: the guide lost its examples",
        ex.len()
    );
    let mut seen = std::collections::BTreeSet::new();
    for (line, cmdline) in &ex {
        let w = words(cmdline);
        assert_eq!(&w[..2], ["cargo", "portable"], "guide.md:{line}");
        // as cargo runs it: `cargo-portable portable ARGS…`
        let argv: Vec<std::ffi::OsString> = ["cargo-portable", "portable"]
            .into_iter()
            .map(String::from)
            .chain(w[2..].iter().cloned())
            .map(Into::into)
            .collect();
        if let Err(e) = Cli::try_parse_from(normalize_args(argv)) {
            panic!("guide.md:{line}: `{cmdline}` does not parse:\n{e}");
        }
        let (cmd, flags) = command_and_flags(&w);
        let h = help(&cmd);
        for f in flags {
            let shown = if f.starts_with("--") {
                h.contains(&format!("{f} "))
                    || h.contains(&format!("{f}\n"))
                    || h.contains(&format!("{f}="))
            } else {
                h.contains(&format!("{f}, "))
            };
            assert!(shown, "guide.md:{line}: {f} is not in `{cmd} --help`");
        }
        seen.insert(cmd);
    }
    for cmd in subcommands() {
        assert!(
            seen.contains(&cmd),
            "docs/guide.md has no example of `{cmd}`"
        );
        let h = help(&cmd);
        assert!(
            h.contains("Examples:\n  cargo portable"),
            "`{cmd} --help` has no examples"
        );
    }
}

#[test]
fn the_guide_examples_that_build_nothing_run() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let mut ran = 0;
    for (line, cmdline) in examples() {
        let w = words(&cmdline);
        let (cmd, _) = command_and_flags(&w);
        // no build, no install, no file to read or write
        let runnable = match cmd.as_str() {
            "targets" => !w.iter().any(|x| x == "--matrix"),
            "setup" => w.iter().any(|x| x == "--dry-run"),
            "ci" => !w.iter().any(|x| x == "-o" || x == "--matrix"),
            _ => false,
        };
        if !runnable {
            continue;
        }
        let out = portable().current_dir(root).args(&w[2..]).output().unwrap();
        assert!(
            out.status.success(),
            "guide.md:{line}: `{cmdline}` exited {:?}: {}",
            out.status.code(),
            String::from_utf8_lossy(&out.stderr)
        );
        assert!(
            !out.stdout.is_empty() || !out.stderr.is_empty(),
            "guide.md:{line}: no output"
        );
        ran += 1;
    }
    assert!(ran >= 5, "{ran} examples run");
}

#[test]
fn shell_words_stop_at_redirections_and_keep_quoted_text() {
    assert_eq!(
        words("cargo portable build --format markdown >> \"$GITHUB_STEP_SUMMARY\""),
        ["cargo", "portable", "build", "--format", "markdown"]
    );
    assert_eq!(
        words("cargo portable setup --dry-run   # the plan"),
        ["cargo", "portable", "setup", "--dry-run"]
    );
    assert_eq!(words("a 'b c' \"\" d"), ["a", "b c", "", "d"]);
}
