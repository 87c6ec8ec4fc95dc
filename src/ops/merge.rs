//! `merge`: the reports of CI matrix jobs (one or a few variants each, perhaps from
//! different hosts) become one build report. Pure: named reports in, one report or an
//! error naming the files out. Reading the files is `commands/merge.rs`.

use crate::report::variants::{BuildReport, MatrixId};
use crate::report::Host;

/// Why reports cannot be merged; each names the files.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum MergeError {
    #[error("no reports to merge")]
    Empty,
    #[error("{first} has schema_version {first_version} but {second} has {second_version}: merge reports of one cargo-portable schema")]
    SchemaVersion {
        first: String,
        first_version: u64,
        second: String,
        second_version: u64,
    },
    #[error("variant `{id}` is in both {first} and {second}")]
    DuplicateVariant {
        id: String,
        first: String,
        second: String,
    },
    #[error("{first} and {second} come from different matrices: {detail}")]
    Matrix {
        first: String,
        second: String,
        detail: String,
    },
}

/// Every input must have the same `schema_version` (checked before the reports are
/// read into this version's types, which a later version may not fit).
pub fn same_schema_version(versions: &[(String, u64)]) -> Result<(), MergeError> {
    let Some((first, v)) = versions.first() else {
        return Ok(());
    };
    match versions.iter().find(|(_, w)| w != v) {
        Some((second, w)) => Err(MergeError::SchemaVersion {
            first: first.clone(),
            first_version: *v,
            second: second.clone(),
            second_version: *w,
        }),
        None => Ok(()),
    }
}

/// Why two matrix identities are not the same matrix, if they are not. The digest
/// decides where both reports have one; older reports fall back to the variant ids,
/// then to the file name.
fn matrix_differs(a: &MatrixId, b: &MatrixId) -> Option<String> {
    if let (Some(x), Some(y)) = (&a.sha256, &b.sha256) {
        return (x != y).then(|| {
            format!(
                "{} has sha256 {} but {} has sha256 {}",
                a.source,
                &x[..x.len().min(12)],
                b.source,
                &y[..y.len().min(12)]
            )
        });
    }
    if !a.variants.is_empty() && !b.variants.is_empty() {
        return (a.variants != b.variants).then(|| {
            format!(
                "variants [{}] and [{}]",
                a.variants.join(", "),
                b.variants.join(", ")
            )
        });
    }
    let name = |s: &str| s.rsplit(['/', '\\']).next().unwrap_or(s).to_owned();
    (name(&a.source) != name(&b.source)).then(|| format!("{} and {}", a.source, b.source))
}

/// Merge `inputs` (file name, report) into one report made on `host`. Variants keep
/// the host that built them (a variant of an older report without one gets its
/// report's host) and are in matrix order; errors are concatenated; the summary is
/// counted again.
pub fn merge(inputs: Vec<(String, BuildReport)>, host: Host) -> Result<BuildReport, MergeError> {
    let Some((first_name, first)) = inputs.first() else {
        return Err(MergeError::Empty);
    };
    let matrix = first.matrix_id();
    let first_name = first_name.clone();
    let mut owner: std::collections::BTreeMap<String, String> = Default::default();
    let mut variants = Vec::new();
    let mut errors = Vec::new();
    for (name, r) in inputs {
        if let Some(detail) = matrix_differs(&matrix, &r.matrix_id()) {
            return Err(MergeError::Matrix {
                first: first_name,
                second: name,
                detail,
            });
        }
        for mut v in r.variants {
            if let Some(first) = owner.insert(v.id.clone(), name.clone()) {
                return Err(MergeError::DuplicateVariant {
                    id: v.id,
                    first,
                    second: name,
                });
            }
            v.host.get_or_insert_with(|| r.host.clone());
            variants.push(v);
        }
        errors.extend(r.errors);
    }
    // matrix order; ids the matrix list does not know (older reports) after, as read
    let order: std::collections::HashMap<&str, usize> = matrix
        .variants
        .iter()
        .enumerate()
        .map(|(i, id)| (id.as_str(), i))
        .collect();
    variants.sort_by_key(|v| order.get(v.id.as_str()).copied().unwrap_or(usize::MAX));
    Ok(BuildReport::new(host, matrix, variants, errors))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::report::testing::{build_report, host, variant};

    fn named(name: &str, r: BuildReport) -> (String, BuildReport) {
        (name.to_owned(), r)
    }

    #[test]
    fn variants_in_matrix_order_keep_their_hosts() {
        let mut a = build_report(vec![variant("c", vec![])]);
        a.host = host("aarch64-apple-darwin");
        a.variants[0].host = None; // an older report: the variant gets the report's host
        let mut b = build_report(vec![variant("a", vec![])]);
        b.variants[0].host = Some(host("x86_64-pc-windows-msvc"));
        let m = merge(vec![named("c.json", a), named("a.json", b)], host("merger")).unwrap();
        let ids: Vec<&str> = m.variants.iter().map(|v| v.id.as_str()).collect();
        assert_eq!(ids, ["a", "c"]);
        let hosts: Vec<&str> = m
            .variants
            .iter()
            .map(|v| v.host.as_ref().unwrap().triple.as_str())
            .collect();
        assert_eq!(hosts, ["x86_64-pc-windows-msvc", "aarch64-apple-darwin"]);
        assert_eq!(m.host.triple, "merger");
        assert_eq!(m.summary.variants, 2);
        assert_eq!(m.summary.built, 2);
    }

    #[test]
    fn the_same_variant_twice_names_both_files() {
        let a = build_report(vec![variant("a", vec![])]);
        let e = merge(
            vec![named("x.json", a.clone()), named("y.json", a)],
            host("h"),
        )
        .unwrap_err();
        assert_eq!(e.to_string(), "variant `a` is in both x.json and y.json");
    }

    #[test]
    fn different_matrices_are_refused() {
        let a = build_report(vec![variant("a", vec![])]);
        let mut b = build_report(vec![variant("b", vec![])]);
        b.matrix_sha256 = Some("f".repeat(64));
        let e = merge(
            vec![named("x.json", a.clone()), named("y.json", b.clone())],
            host("h"),
        )
        .unwrap_err();
        assert!(
            matches!(&e, MergeError::Matrix { first, second, .. } if first == "x.json" && second == "y.json"),
            "{e}"
        );
        // without digests, the variant lists decide
        let (mut a2, mut b2) = (a.clone(), b.clone());
        a2.matrix_sha256 = None;
        b2.matrix_sha256 = None;
        b2.matrix_variants.push("z".into());
        assert!(merge(vec![named("x", a2.clone()), named("y", b2)], host("h")).is_err());
        let mut b3 = a2.clone();
        b3.variants[0].id = "b".into();
        assert!(merge(vec![named("x", a2), named("y", b3)], host("h")).is_ok());
    }

    #[test]
    fn schema_versions_must_agree() {
        let v = |n: &str, x| (n.to_owned(), x);
        assert!(same_schema_version(&[v("a", 1), v("b", 1)]).is_ok());
        let e = same_schema_version(&[v("a", 1), v("b", 1), v("c", 2)]).unwrap_err();
        assert!(
            e.to_string()
                .starts_with("a has schema_version 1 but c has 2"),
            "{e}"
        );
        assert_eq!(merge(vec![], host("h")).unwrap_err(), MergeError::Empty);
    }
}
