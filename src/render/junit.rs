//! JUnit XML, the format GitLab's merge-request widget and most CI test panels read:
//! `<testsuites>` of `<testsuite>`s of `<testcase>`s, a `<failure>` for each violation
//! or regression. Commands map their reports to [`Suite`]s; this writes them.

use std::io::{self, Write};

use super::escape::{markup, Markup};

/// One test suite: a report (a checked file, a merged report, a diff).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Suite {
    pub name: String,
    pub cases: Vec<Case>,
}

/// One test case: a variant, or a variant and a rule.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Case {
    pub classname: String,
    pub name: String,
    pub failure: Option<Failure>,
    /// Shown as `<system-out>` when not empty (notes, improvements, the verdict).
    pub output: String,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Failure {
    /// One line (the `message` attribute).
    pub message: String,
    /// The evidence, one finding a line.
    pub text: String,
}

/// Text for XML 1.0 character data and attributes.
pub fn escape(s: &str) -> String {
    markup(s, Markup::Xml)
}

/// An attribute value: newlines kept as character references so they survive
/// attribute-value normalisation.
fn attr(s: &str) -> String {
    escape(s)
        .replace('\n', "&#10;")
        .replace('\r', "&#13;")
        .replace('\t', "&#9;")
}

/// Write `suites` as one `<testsuites>` document named `name`.
pub fn write(name: &str, suites: &[Suite], w: &mut dyn Write) -> io::Result<()> {
    let tests: usize = suites.iter().map(|s| s.cases.len()).sum();
    let failures: usize = suites
        .iter()
        .flat_map(|s| &s.cases)
        .filter(|c| c.failure.is_some())
        .count();
    writeln!(w, r#"<?xml version="1.0" encoding="UTF-8"?>"#)?;
    writeln!(
        w,
        r#"<testsuites name="{}" tests="{tests}" failures="{failures}" errors="0">"#,
        attr(name)
    )?;
    for s in suites {
        let f = s.cases.iter().filter(|c| c.failure.is_some()).count();
        writeln!(
            w,
            r#"  <testsuite name="{}" tests="{}" failures="{f}" errors="0" skipped="0">"#,
            attr(&s.name),
            s.cases.len()
        )?;
        for c in &s.cases {
            write!(
                w,
                r#"    <testcase classname="{}" name="{}""#,
                attr(&c.classname),
                attr(&c.name)
            )?;
            if c.failure.is_none() && c.output.is_empty() {
                writeln!(w, "/>")?;
                continue;
            }
            writeln!(w, ">")?;
            if let Some(f) = &c.failure {
                writeln!(
                    w,
                    r#"      <failure message="{}" type="failure">{}</failure>"#,
                    attr(&f.message),
                    escape(&f.text)
                )?;
            }
            if !c.output.is_empty() {
                writeln!(w, "      <system-out>{}</system-out>", escape(&c.output))?;
            }
            writeln!(w, "    </testcase>")?;
        }
        writeln!(w, "  </testsuite>")?;
    }
    writeln!(w, "</testsuites>")
}

/// A build (or merged) report: one suite, a case per variant, failing when the
/// variant failed or was skipped (unless optional) or broke an expectation.
pub fn build_report(r: &crate::report::variants::BuildReport, name: &str) -> Suite {
    use crate::report::variants::Status;
    let cases = r
        .variants
        .iter()
        .map(|v| {
            let mut problems: Vec<String> = Vec::new();
            if v.status != Status::Built && !v.optional {
                let reason = v.reason.as_deref().unwrap_or("").trim();
                problems.push(format!(
                    "{}: {}",
                    crate::model::wire_name(&v.status),
                    reason.lines().next().unwrap_or("")
                ));
            }
            problems.extend(
                v.expect
                    .violations
                    .iter()
                    .map(|x| format!("{}: {}", x.rule, x.message)),
            );
            let output = match (&v.host, v.artifacts.first()) {
                (Some(h), Some(a)) => format!("built on {}: {}", h.triple, a.verdict),
                (_, Some(a)) => a.verdict.clone(),
                _ => v.reason.clone().unwrap_or_default(),
            };
            Case {
                classname: v.target.clone(),
                name: v.id.clone(),
                failure: problems.first().map(|first| Failure {
                    message: first.clone(),
                    text: problems.join("\n"),
                }),
                output,
            }
        })
        .collect();
    Suite {
        name: name.to_owned(),
        cases,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn escapes_markup_and_drops_what_xml_cannot_hold() {
        assert_eq!(escape("a<b>&\"c'"), "a&lt;b&gt;&amp;&quot;c&apos;");
        assert_eq!(escape("x\u{1}y\u{1b}[0mz\n"), "xy[0mz\n");
        assert_eq!(attr("two\nlines"), "two&#10;lines");
    }

    #[test]
    fn counts_tests_and_failures() {
        let case = |name: &str, fail: bool| Case {
            classname: "check".into(),
            name: name.into(),
            failure: fail.then(|| Failure {
                message: "m <1>".into(),
                text: "t & u".into(),
            }),
            output: String::new(),
        };
        let s = Suite {
            name: "r.json".into(),
            cases: vec![case("a", true), case("b", false)],
        };
        let mut out = Vec::new();
        write("all", &[s], &mut out).unwrap();
        let x = String::from_utf8(out).unwrap();
        assert!(
            x.contains(r#"<testsuites name="all" tests="2" failures="1" errors="0">"#),
            "{x}"
        );
        assert!(
            x.contains(r#"<failure message="m &lt;1&gt;" type="failure">t &amp; u</failure>"#),
            "{x}"
        );
        assert!(
            x.contains(r#"<testcase classname="check" name="b"/>"#),
            "{x}"
        );
    }
}
