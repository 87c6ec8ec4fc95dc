//! A unified diff of two texts (what `diff -u` prints), for `ci --check`. Pipelines are
//! a few hundred lines: a plain longest-common-subsequence table is fast enough.

use std::fmt::Write;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Op {
    Same,
    Del,
    Add,
}

/// `None` when the texts are equal; otherwise the diff from `old` to `new` with three
/// lines of context, under `--- old_name` / `+++ new_name`.
pub fn unified(old: &str, new: &str, old_name: &str, new_name: &str) -> Option<String> {
    if old == new {
        return None;
    }
    let a: Vec<&str> = old.lines().collect();
    let b: Vec<&str> = new.lines().collect();
    let ops = edit_script(&a, &b);
    let mut out = format!("--- {old_name}\n+++ {new_name}\n");
    const CONTEXT: usize = 3;
    // positions (index into ops) of changes, grouped into hunks
    let changed: Vec<usize> = (0..ops.len()).filter(|&i| ops[i].0 != Op::Same).collect();
    if changed.is_empty() {
        // only the final newline differs
        out.push_str("@@ end of file @@\n\\ the texts differ only in their final newline\n");
        return Some(out);
    }
    let mut hunks: Vec<(usize, usize)> = Vec::new();
    for &c in &changed {
        let start = c.saturating_sub(CONTEXT);
        let end = (c + CONTEXT + 1).min(ops.len());
        match hunks.last_mut() {
            Some(h) if start <= h.1 => h.1 = end,
            _ => hunks.push((start, end)),
        }
    }
    for (start, end) in hunks {
        let (mut ai, mut bi) = (ops[start].1, ops[start].2);
        let a_len = ops[start..end].iter().filter(|o| o.0 != Op::Add).count();
        let b_len = ops[start..end].iter().filter(|o| o.0 != Op::Del).count();
        let _ = writeln!(
            out,
            "@@ -{},{a_len} +{},{b_len} @@",
            ai + usize::from(a_len > 0),
            bi + usize::from(b_len > 0)
        );
        for &(op, _, _) in &ops[start..end] {
            match op {
                Op::Same => {
                    let _ = writeln!(out, " {}", a[ai]);
                    ai += 1;
                    bi += 1;
                }
                Op::Del => {
                    let _ = writeln!(out, "-{}", a[ai]);
                    ai += 1;
                }
                Op::Add => {
                    let _ = writeln!(out, "+{}", b[bi]);
                    bi += 1;
                }
            }
        }
    }
    Some(out)
}

/// The edit script: each op with the line indexes in `a` and `b` before it.
fn edit_script(a: &[&str], b: &[&str]) -> Vec<(Op, usize, usize)> {
    let (n, m) = (a.len(), b.len());
    // lcs[i][j]: length of the LCS of a[i..] and b[j..]
    let mut lcs = vec![vec![0u32; m + 1]; n + 1];
    for i in (0..n).rev() {
        for j in (0..m).rev() {
            lcs[i][j] = if a[i] == b[j] {
                lcs[i + 1][j + 1] + 1
            } else {
                lcs[i + 1][j].max(lcs[i][j + 1])
            };
        }
    }
    let (mut i, mut j) = (0, 0);
    let mut ops = Vec::with_capacity(n + m);
    while i < n || j < m {
        if i < n && j < m && a[i] == b[j] {
            ops.push((Op::Same, i, j));
            i += 1;
            j += 1;
        } else if i < n && (j == m || lcs[i + 1][j] >= lcs[i][j + 1]) {
            // deletions first, as diff -u prints them
            ops.push((Op::Del, i, j));
            i += 1;
        } else {
            ops.push((Op::Add, i, j));
            j += 1;
        }
    }
    ops
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn equal_texts_have_no_diff() {
        assert_eq!(unified("a\nb\n", "a\nb\n", "x", "y"), None);
    }

    #[test]
    fn one_changed_line_with_context() {
        let old = "1\n2\n3\n4\n5\n6\n7\n8\n9\n";
        let new = "1\n2\n3\n4\nfive\n6\n7\n8\n9\n";
        assert_eq!(
            unified(old, new, "committed", "generated").unwrap(),
            "--- committed\n+++ generated\n@@ -2,7 +2,7 @@\n 2\n 3\n 4\n-5\n+five\n 6\n 7\n 8\n"
        );
    }

    #[test]
    fn additions_at_the_end_and_far_apart_changes_make_two_hunks() {
        let old = "a\nb\nc\nd\ne\nf\ng\nh\ni\nj\n";
        let new = "A\nb\nc\nd\ne\nf\ng\nh\ni\nj\nk\n";
        let d = unified(old, new, "o", "n").unwrap();
        assert_eq!(d.matches("@@ -").count(), 2, "{d}");
        assert!(d.contains("-a\n+A\n"), "{d}");
        assert!(d.ends_with(" j\n+k\n"), "{d}");
        assert!(d.contains("@@ -8,3 +8,4 @@"), "{d}");
    }

    #[test]
    fn from_empty() {
        assert_eq!(
            unified("", "x\n", "o", "n").unwrap(),
            "--- o\n+++ n\n@@ -0,0 +1,1 @@\n+x\n"
        );
    }

    #[test]
    fn final_newline_only() {
        assert!(unified("x", "x\n", "o", "n")
            .unwrap()
            .contains("final newline"));
    }
}
