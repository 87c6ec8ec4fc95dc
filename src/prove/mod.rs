//! `--prove RELEASES`: load each Linux glibc binary with a release's own loader, in a
//! root unpacked from that release's packages (`targets/prove.toml` names the archive
//! and suite), and check the answer against `runs_on`.
//!
//! This file is pure: the table, the choice of packages, the parsers of `Packages` and
//! of the loader's answer, and whether a proof agrees with runs_on. `fetch` is the edge
//! (downloads, unpacking, running the loader).

pub mod fetch;

use crate::model::{Artifact, Libc, Linkage, Os, Proof, ProofResult, RunsOn};
use std::collections::BTreeMap;

// the table is data (targets/prove.toml, read in `data`): the matrix's `prove` key
// checks its names too
pub use crate::data::{parse_prove_releases as parse_releases, prove_table as table};
pub use crate::data::{ProveRelease as Release, ProveTable as Table};

/// Debian's name of an architecture of the report; `arm` is `armel` when the loader is
/// the soft-float one (`ld-linux.so.3`). The names are `targets/platforms.toml`'s.
pub fn debian_arch(arch: &str, interpreter: Option<&str>) -> Option<&'static str> {
    let soft_float = interpreter.is_some_and(crate::platform::names::is_glibc_armel_loader);
    crate::platform::arch::debian(arch, soft_float)
}

/// The multiarch directory name of a Debian architecture (`lib/<this>`).
pub fn multiarch(debian_arch: &str) -> &'static str {
    crate::platform::arch::multiarch(debian_arch).unwrap_or("unknown-linux-gnu")
}

/// The packages a root needs for `libraries` (the binary's DT_NEEDED): libc6 always,
/// libstdc++6 (and libgcc-s1, which it needs) for libstdc++.so.6, and so on. Sorted.
pub fn packages_for(libraries: &[&str], t: &Table) -> Vec<String> {
    let mut out = vec![t.packages["libc.so.6"].clone()];
    for l in libraries {
        if let Some(p) = t.packages.get(*l) {
            out.push(p.clone());
        }
        if *l == "libstdc++.so.6" {
            out.push(t.packages["libgcc_s.so.1"].clone());
        }
    }
    out.sort();
    out.dedup();
    out
}

/// `Filename` and `SHA256` of a package in an apt `Packages` index.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PackageFile {
    pub filename: String,
    pub sha256: String,
}

/// The stanzas of an apt `Packages` index whose `Package` is in `wanted`, by name (the
/// first stanza of each name). A stanza without `Filename` or `SHA256` is skipped.
pub fn parse_packages(text: &str, wanted: &[String]) -> BTreeMap<String, PackageFile> {
    let mut out = BTreeMap::new();
    for stanza in text.split("\n\n") {
        let (mut name, mut file, mut sha) = (None, None, None);
        for line in stanza.lines() {
            // continuation lines start with a space; fields are `Name: value`
            if line.starts_with([' ', '\t']) {
                continue;
            }
            let Some((k, v)) = line.split_once(':') else {
                continue;
            };
            let v = v.trim();
            match k {
                "Package" => name = Some(v),
                "Filename" => file = Some(v),
                "SHA256" => sha = Some(v),
                _ => {}
            }
        }
        let (Some(n), Some(f), Some(s)) = (name, file, sha) else {
            continue;
        };
        let valid = s.len() == 64 && s.bytes().all(|b| b.is_ascii_hexdigit());
        let safe = !f.split('/').any(|c| c == ".." || c.is_empty()) && !f.starts_with('/');
        if valid && safe && wanted.iter().any(|w| w == n) && !out.contains_key(n) {
            out.insert(
                n.to_owned(),
                PackageFile {
                    filename: f.to_owned(),
                    sha256: s.to_ascii_lowercase(),
                },
            );
        }
    }
    out
}

/// The loader's answer to `--list`: `Loads` when it exited 0 and named nothing missing,
/// else `Refused` with its complaint lines (`version 'GLIBC_2.34' not found (required
/// by …)`, `libfoo.so.1 => not found`), deduplicated, paths under `root` shortened.
/// A library not found that is not in `provided` (the table's sonames) is not a
/// refusal: it is the application's to ship, named in a note.
pub fn parse_loader(
    ok: bool,
    stdout: &str,
    stderr: &str,
    root: &str,
    provided: &[&str],
) -> (ProofResult, String) {
    let mut complaints: Vec<String> = Vec::new();
    let mut unchecked: Vec<&str> = Vec::new();
    for line in stdout.lines().chain(stderr.lines()) {
        let l = line.trim();
        if l.is_empty() || !(l.contains("not found") || l.contains("error") || !ok) {
            continue;
        }
        if let Some(lib) = l.strip_suffix(" => not found") {
            if !provided.contains(&lib) {
                unchecked.push(lib);
                continue;
            }
        }
        // `./a: /root/lib/x/libc.so.6: version `GLIBC_2.34' not found (...)`: keep from
        // `version`, the loader's own words
        let l = match l.find("version `") {
            Some(at) => &l[at..],
            None => l,
        };
        let l = l.replace(root, "<root>").replace('`', "'");
        if !complaints.contains(&l) {
            complaints.push(l);
        }
    }
    let note = if unchecked.is_empty() {
        String::new()
    } else {
        format!(
            " (not in the release's packages, not found, not checked: {})",
            unchecked.join(", ")
        )
    };
    if ok && complaints.is_empty() {
        (
            ProofResult::Loads,
            format!("the loader resolved every library and version{note}"),
        )
    } else {
        if complaints.is_empty() {
            complaints.push("the loader failed without a message".into());
        }
        (
            ProofResult::Refused,
            format!("{}{note}", complaints.join("; ")),
        )
    }
}

/// Whether runs_on claims the release `claim` (`Debian 11 (bullseye)`).
pub fn claimed(runs_on: &RunsOn, claim: &str) -> bool {
    runs_on.any
        || runs_on
            .distributions
            .iter()
            .any(|d| format!("{} {}", d.name, d.release) == claim)
}

/// Whether a proof agrees with runs_on: it loads where runs_on claims the release and
/// is refused where it does not; `None` when not run or there is no claim.
pub fn agrees(result: ProofResult, claim: Option<&str>, claimed: bool) -> Option<bool> {
    claim?;
    match result {
        ProofResult::NotRun => None,
        ProofResult::Loads => Some(claimed),
        ProofResult::Refused => Some(!claimed),
    }
}

/// What a proof of `a` in `r` needs, or the proof that it cannot be made (not a Linux
/// glibc ELF), or that needs no loader (static).
pub enum Plan {
    /// Prove in the root of these packages, for this Debian architecture.
    Load {
        arch: &'static str,
        packages: Vec<String>,
    },
    Done(ProofResult, String, String),
}

pub fn plan(a: &Artifact, t: &Table) -> Plan {
    let arch = debian_arch(&a.arch, a.interpreter.as_deref());
    let name = arch.unwrap_or(&a.arch).to_owned();
    if a.os != Os::Linux {
        return Plan::Done(
            ProofResult::NotRun,
            name,
            format!("not a Linux binary ({})", a.os),
        );
    }
    if matches!(a.linkage, Linkage::Static | Linkage::StaticPie) {
        return Plan::Done(
            ProofResult::Loads,
            name,
            "static: no loader and no library, nothing was resolved".into(),
        );
    }
    if a.libc != Libc::Glibc {
        return Plan::Done(
            ProofResult::NotRun,
            name,
            "not a glibc binary: a Debian root proves glibc binaries only".into(),
        );
    }
    let Some(arch) = arch else {
        return Plan::Done(
            ProofResult::NotRun,
            name,
            format!("no Debian architecture for {}", a.arch),
        );
    };
    let libs: Vec<&str> = a.libraries.iter().map(|l| l.name.as_str()).collect();
    Plan::Load {
        arch,
        packages: packages_for(&libs, t),
    }
}

/// The proof record of `result` for `a` in `r`.
pub fn proof(a: &Artifact, r: &Release, arch: &str, result: ProofResult, message: String) -> Proof {
    let claim = r.claim();
    let claimed = claim.as_deref().is_some_and(|c| claimed(&a.runs_on, c));
    Proof {
        release: r.name.clone(),
        arch: arch.to_owned(),
        result,
        message,
        agrees: agrees(result, claim.as_deref(), claimed),
        claim,
        claimed,
    }
}

/// The disagreements of a report's proofs, one line each naming both sides.
pub fn disagreements(artifacts: &[Artifact]) -> Vec<String> {
    let mut out = Vec::new();
    for a in artifacts {
        for p in a.proofs.iter().flatten() {
            if p.agrees == Some(false) {
                let claim = p.claim.as_deref().unwrap_or(&p.release);
                let side = if p.claimed {
                    format!("runs_on claims {claim}")
                } else {
                    format!("runs_on does not claim {claim}")
                };
                out.push(format!(
                    "{}: {side}, but the proof in {} ({}) {}: {}",
                    a.path,
                    p.release,
                    p.arch,
                    p.result.as_str(),
                    p.message
                ));
            }
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_table_parses_and_names_glibc_toml_releases() {
        let t = table();
        let r = parse_releases("debian-11,debian-12,debian-13").unwrap();
        assert_eq!(r[0].suite, "bullseye");
        assert_eq!(r[0].claim().as_deref(), Some("Debian 11 (bullseye)"));
        assert_eq!(r[2].suite, "trixie");
        let u = t.release.iter().find(|r| r.name == "ubuntu-24.04").unwrap();
        assert_eq!(u.archive_for("amd64"), "http://archive.ubuntu.com/ubuntu");
        assert_eq!(
            u.archive_for("arm64"),
            "http://ports.ubuntu.com/ubuntu-ports"
        );
        assert_eq!(r[1].archive_for("arm64"), "http://deb.debian.org/debian");
        // every claim is a release of targets/glibc.toml
        for r in &t.release {
            if let (Some(d), Some(rel)) = (&r.distribution, &r.release) {
                let rels = &crate::data::tables().releases;
                assert!(
                    rels.iter()
                        .any(|(x, _)| &x.distribution == d && &x.release == rel),
                    "{d} {rel}"
                );
            }
        }
    }

    #[test]
    fn bad_release_names_name_the_flag() {
        let e = parse_releases("debian-11,debian-99").unwrap_err();
        assert!(e.starts_with("--prove: unknown release `debian-99`"), "{e}");
        assert!(e.contains("debian-12"), "{e}");
        assert!(parse_releases("debian-11,").is_err());
    }

    #[test]
    fn packages_follow_the_needs() {
        let t = table();
        assert_eq!(packages_for(&["libc.so.6", "libm.so.6"], t), ["libc6"]);
        assert_eq!(
            packages_for(&["libstdc++.so.6", "libc.so.6"], t),
            ["libc6", "libgcc-s1", "libstdc++6"]
        );
        assert_eq!(packages_for(&["libz.so.1"], t), ["libc6", "zlib1g"]);
    }

    #[test]
    fn debian_arch_names() {
        assert_eq!(debian_arch("x86_64", None), Some("amd64"));
        assert_eq!(
            debian_arch("arm", Some("/lib/ld-linux-armhf.so.3")),
            Some("armhf")
        );
        assert_eq!(
            debian_arch("arm", Some("/lib/ld-linux.so.3")),
            Some("armel")
        );
        assert_eq!(debian_arch("mips64", None), Some("mips64el"));
        // a Debian port: the release archive answers that it does not serve it
        assert_eq!(debian_arch("sparc64", None), Some("sparc64"));
        assert_eq!(debian_arch("m68k", None), None);
        assert_eq!(multiarch("ppc64el"), "powerpc64le-linux-gnu");
    }

    const SHA: &str = "05f7264da867b37f4c5ce49266b558ea1e81e05a9464f623152fca70f3550282";

    #[test]
    fn packages_parser() {
        let text = format!(
            "Package: libc6-dev\nFilename: pool/main/g/glibc/libc6-dev.deb\nSHA256: {SHA}\n\n\
             Package: libc6\nVersion: 2.31-13\nDescription: GNU C Library\n multi line\n \
             Filename: not/this\nFilename: pool/main/g/glibc/libc6_2.31_amd64.deb\n\
             SHA256: {}\n\n\
             Package: zlib1g\nFilename: pool/z.deb\n\n\
             Package: libgcc-s1\nFilename: ../../etc/passwd\nSHA256: {SHA}\n\n\
             Package: libstdc++6\nFilename: pool/s.deb\nSHA256: xyz\n",
            SHA.to_uppercase()
        );
        let want: Vec<String> = ["libc6", "zlib1g", "libgcc-s1", "libstdc++6"]
            .map(String::from)
            .to_vec();
        let got = parse_packages(&text, &want);
        assert_eq!(got.len(), 1, "{got:?}");
        assert_eq!(
            got["libc6"],
            PackageFile {
                filename: "pool/main/g/glibc/libc6_2.31_amd64.deb".into(),
                sha256: SHA.into()
            }
        );
        // malformed input: no panic, nothing found
        for bad in [
            "",
            ":",
            "Package",
            "\n\n\n",
            "Package: libc6\nSHA256:",
            "\u{0}\u{ff}",
        ] {
            assert!(parse_packages(bad, &want).is_empty());
        }
    }

    const P: &[&str] = &["libc.so.6", "libz.so.1"];

    #[test]
    fn loader_answers() {
        let root = "/c/prove/root";
        let (r, m) = parse_loader(
            true,
            "\tlibc.so.6 => /c/prove/root/lib/x86_64-linux-gnu/libc.so.6 (0x1)\n",
            "./a: /c/prove/root/lib/x86_64-linux-gnu/libc.so.6: version `GLIBC_2.34' not found (required by ./a)\n\
             ./a: /c/prove/root/lib/x86_64-linux-gnu/libc.so.6: version `GLIBC_2.34' not found (required by ./a)\n",
            root,
            P,
        );
        assert_eq!(r, ProofResult::Refused);
        assert_eq!(m, "version 'GLIBC_2.34' not found (required by ./a)");
        let (r, m) = parse_loader(true, "\tlibz.so.1 => not found\n", "", root, P);
        assert_eq!(
            (r, m.as_str()),
            (ProofResult::Refused, "libz.so.1 => not found")
        );
        let (r, m) = parse_loader(true, "\tlibfoo.so.1 => not found\n", "", root, P);
        assert_eq!(r, ProofResult::Loads);
        assert!(m.ends_with("not checked: libfoo.so.1)"), "{m}");
        let (r, _) = parse_loader(
            true,
            "\tlibc.so.6 => /c/prove/root/libc.so.6 (0x1)\n",
            "",
            root,
            P,
        );
        assert_eq!(r, ProofResult::Loads);
        let (r, m) = parse_loader(false, "", "", root, P);
        assert_eq!(r, ProofResult::Refused);
        assert!(m.contains("without a message"));
    }

    #[test]
    fn agreement() {
        let c = Some("Debian 11 (bullseye)");
        assert_eq!(agrees(ProofResult::Loads, c, true), Some(true));
        assert_eq!(agrees(ProofResult::Loads, c, false), Some(false));
        assert_eq!(agrees(ProofResult::Refused, c, false), Some(true));
        assert_eq!(agrees(ProofResult::Refused, c, true), Some(false));
        assert_eq!(agrees(ProofResult::NotRun, c, true), None);
        assert_eq!(agrees(ProofResult::Loads, None, false), None);
    }

    #[test]
    fn a_disagreement_names_both_sides() {
        let mut a: Artifact = serde_json::from_value(serde_json::json!({
            "path": "/t/app", "size": 1, "sha256": null, "format": "elf", "arch": "x86_64",
            "bits": 64, "endian": "little", "os": "linux", "kind": "executable",
            "slice": null, "linkage": "dynamic", "libc": "glibc", "interpreter": null,
            "rpath": [], "runpath": [], "libraries": [], "imports": [],
            "requires": {"glibc": null, "glibcxx": null, "cxxabi": null, "gcc": null,
                         "macos": null, "macos_sdk": null, "windows": null,
                         "linux_kernel": null},
            "runs_on": {"summary": "", "any": false, "distributions": [
                {"name": "Debian", "release": "11 (bullseye)", "glibc": "2.31"}]},
            "linker": {"name": "lld", "version": null, "evidence": "", "inferred": false},
            "hardening": {"pie": true, "relro": null, "nx": true, "stack_canary": false,
                          "fortify": false, "fortified": []},
            "hazards": [], "portable": true, "verdict": ""
        }))
        .unwrap();
        let r = &parse_releases("debian-11,debian-12").unwrap();
        let refused = "version 'GLIBC_2.32' not found".to_string();
        let p11 = proof(&a, r[0], "amd64", ProofResult::Refused, refused);
        assert_eq!((p11.claimed, p11.agrees), (true, Some(false)));
        let p12 = proof(&a, r[1], "amd64", ProofResult::Refused, "x".into());
        assert_eq!((p12.claimed, p12.agrees), (false, Some(true)));
        a.proofs = Some(vec![p11, p12]);
        assert_eq!(
            disagreements(&[a]),
            [
                "/t/app: runs_on claims Debian 11 (bullseye), but the proof in debian-11 \
              (amd64) refused: version 'GLIBC_2.32' not found"
            ]
        );
    }
}
