//! Dotted version numbers (`2.2.5`, `3.4.21`) compared numerically.

use std::fmt;

#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Version(Vec<u32>);

impl Version {
    /// Parse `2.34`, `2.2.5`; `None` for anything that is not dot-separated numbers.
    pub fn parse(s: &str) -> Option<Version> {
        let parts: Option<Vec<u32>> = s.split('.').map(|p| p.parse().ok()).collect();
        let mut parts = parts.filter(|p| !p.is_empty())?;
        // 2.17 == 2.17.0
        while parts.len() > 1 && parts.last() == Some(&0) {
            parts.pop();
        }
        Some(Version(parts))
    }

    /// The numbers, most significant first.
    pub fn parts(&self) -> &[u32] {
        &self.0
    }

    /// Split a symbol version like `GLIBC_2.34` into (`GLIBC`, 2.34).
    pub fn from_symbol_version(v: &str) -> Option<(&str, Version)> {
        let (prefix, num) = v.rsplit_once('_')?;
        Some((prefix, Version::parse(num)?))
    }
}

impl fmt::Display for Version {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let s: Vec<String> = self.0.iter().map(u32::to_string).collect();
        f.write_str(&s.join("."))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn compares_numerically() {
        let v = |s| Version::parse(s).unwrap();
        assert!(v("2.2.5") < v("2.3"));
        assert!(v("2.17") < v("2.34"));
        assert!(v("2.9") < v("2.10"));
        assert_eq!(v("2.17.0"), v("2.17"));
        assert_eq!(v("2.17").to_string(), "2.17");
        assert_eq!(Version::parse("PRIVATE"), None);
        assert_eq!(
            Version::from_symbol_version("GLIBCXX_3.4.21"),
            Some(("GLIBCXX", v("3.4.21")))
        );
        assert_eq!(Version::from_symbol_version("GLIBC_PRIVATE"), None);
        assert_eq!(Version::from_symbol_version("GLIBC_ABI_DT_RELR"), None);
    }
}
