//! The expectation rules, written once: each rule's key (in `[variant.expect]`, a
//! policy file and a violation's `rule`), the `check` flag that sets it, and how an
//! [`Expect`] states it. [`Expect::rules`], `check`'s rules, message and JUnit cases,
//! and the evaluation in `ops::expect` all go through [`Rule::ALL`].

use super::{Expect, ExpectHazards};
use crate::model::wire_name;

/// One expectation rule.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Rule {
    Linkage,
    MaxGlibc,
    RunsOn,
    MinMacos,
    Libraries,
    Hazards,
    DenyHazards,
    Require,
}

impl Rule {
    /// Every rule, in the order violations, JUnit cases and `check`'s rules are listed.
    pub const ALL: [Rule; 8] = [
        Rule::Linkage,
        Rule::MaxGlibc,
        Rule::RunsOn,
        Rule::MinMacos,
        Rule::Libraries,
        Rule::Hazards,
        Rule::DenyHazards,
        Rule::Require,
    ];

    /// The key: in `[variant.expect]` and a policy file, and a violation's `rule`.
    pub fn key(self) -> &'static str {
        match self {
            Rule::Linkage => "linkage",
            Rule::MaxGlibc => "max-glibc",
            Rule::RunsOn => "runs-on",
            Rule::MinMacos => "min-macos",
            Rule::Libraries => "libraries",
            Rule::Hazards => "hazards",
            Rule::DenyHazards => "deny-hazards",
            Rule::Require => "require",
        }
    }

    /// The flag of `cargo portable check` that sets the rule (`--deny-hazard all` is
    /// `hazards = "none"`).
    pub fn flag(self) -> &'static str {
        match self {
            Rule::Linkage => "--linkage",
            Rule::MaxGlibc => "--max-glibc",
            Rule::RunsOn => "--runs-on",
            Rule::MinMacos => "--min-macos",
            Rule::Libraries => "--allow-library",
            Rule::Hazards | Rule::DenyHazards => "--deny-hazard",
            Rule::Require => "--require",
        }
    }

    /// One line on what the rule asks (SARIF's rule description).
    pub fn about(self) -> &'static str {
        match self {
            Rule::Linkage => "The binaries have the expected linkage (static, static-pie, dynamic)",
            Rule::MaxGlibc => "The binaries need no newer glibc than the maximum",
            Rule::RunsOn => "The binaries run on the named distribution releases",
            Rule::MinMacos => "The binaries run on the oldest macOS asked for",
            Rule::Libraries => "The binaries need only the allowed libraries",
            Rule::Hazards => "The binaries have no hazard of severity warning or error",
            Rule::DenyHazards => "The binaries have none of the denied hazard codes",
            Rule::Require => "The binaries have the required hardening",
        }
    }

    /// The rule as `e` states it, `key value` (`max-glibc 2.17`); `None`: `e` does not
    /// check it.
    pub fn stated(self, e: &Expect) -> Option<String> {
        let value = match self {
            Rule::Linkage => wire_name(&e.linkage?),
            Rule::MaxGlibc => e.max_glibc.as_ref()?.get_ref().clone(),
            Rule::RunsOn => e.runs_on.as_ref()?.get_ref().join(", "),
            Rule::MinMacos => e.min_macos.as_ref()?.get_ref().clone(),
            Rule::Libraries => e.libraries.as_ref()?.join(", "),
            Rule::Hazards if e.hazards == Some(ExpectHazards::None) => "none".into(),
            Rule::Hazards => return None,
            Rule::DenyHazards => e.deny_hazards.as_ref()?.get_ref().join(", "),
            Rule::Require => {
                let q: Vec<&str> = e.require.as_ref()?.iter().map(|h| h.as_str()).collect();
                q.join(", ")
            }
        };
        Some(format!("{} {value}", self.key()))
    }

    /// The flags of `check`, for its message when none is given.
    pub fn flags_hint() -> String {
        // the order of the message since it was written by hand
        let order = [
            Rule::MaxGlibc,
            Rule::RunsOn,
            Rule::Linkage,
            Rule::Libraries,
            Rule::DenyHazards,
            Rule::MinMacos,
            Rule::Require,
        ];
        let flags: Vec<&str> = order.iter().map(|r| r.flag()).collect();
        flags.join(", ")
    }
}

impl Expect {
    /// The rules this expectation checks, by key, in a fixed order.
    pub fn rules(&self) -> Vec<&'static str> {
        Rule::ALL
            .iter()
            .filter(|r| r.stated(self).is_some())
            .map(|r| r.key())
            .collect()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::matrix::parse_policy;

    #[test]
    fn every_rule_is_a_key_of_a_policy() {
        for r in Rule::ALL {
            let e = parse_policy(&format!("{} = 1\n", r.key()), "p.toml").unwrap_err();
            assert!(!e.to_string().contains("unknown field"), "{}: {e}", r.key());
        }
        assert_eq!(
            Rule::flags_hint(),
            "--max-glibc, --runs-on, --linkage, --allow-library, --deny-hazard, --min-macos, --require"
        );
    }
}
