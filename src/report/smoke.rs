//! The smoke result of one variant (docs/report.md#smoke-build---run): what ran, under
//! which runner, in which root, and how it ended. The run module fills it; the
//! renderers read it.

use serde::{Deserialize, Serialize};

/// How a smoke (or one run of it) ended.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum SmokeStatus {
    Passed,
    Failed,
    /// This host cannot run it (a Mach-O on Linux, no runner installed, `smoke =
    /// "none"`): `reason` says why.
    NotRun,
}

/// Where a run happened: the host's file system, an empty root (a static binary
/// proves it needs nothing), a minimal root (a dynamic binary with exactly the
/// libraries its report lists) or a release's root (the packages `--prove` unpacked
/// from a release, where the binary loads: it runs on that release's C library).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum RootKind {
    Host,
    Empty,
    Minimal,
    Release,
}

/// How a process ended.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ExitInfo {
    /// The exit code, when it exited.
    pub code: Option<i32>,
    /// The signal that ended it (`SIGSEGV`, `SIGKILL`, …), when one did.
    pub signal: Option<String>,
    /// It was still running at the time bound and was killed.
    pub timed_out: bool,
}

/// One execution of the smoke: one binary, one root.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct SmokeRun {
    /// The file name of the binary run (`ipc-server`).
    pub binary: String,
    pub root: RootKind,
    /// The release of a `release` root (`debian-12`); omitted for the others.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub release: Option<String>,
    /// `native`, `qemu-aarch64-static`, `wine`, …; with `chroot` or `unshare` in front
    /// for the empty and minimal roots.
    pub runner: String,
    pub status: SmokeStatus,
    pub seconds: f64,
    /// Null when it never started (or was not run).
    pub exit: Option<ExitInfo>,
    /// What went wrong, or for a passed `ipc` smoke the round trip done; null when
    /// there is nothing to say.
    pub message: Option<String>,
    /// The last lines of its stdout and stderr together.
    pub output: String,
}

impl SmokeRun {
    /// `host`, `empty`, `minimal`, or the release of a release root (`debian-12`).
    pub fn root_name(&self) -> String {
        match (&self.root, &self.release) {
            (RootKind::Release, Some(r)) => r.clone(),
            (root, _) => crate::model::wire_name(root),
        }
    }
}

/// The smoke of one variant.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct SmokeReport {
    /// `passed` when every run passed; `failed` when one failed; `not-run` when
    /// nothing ran.
    pub status: SmokeStatus,
    /// `version`, `ipc`, `none` or `command`.
    pub kind: String,
    /// Why it was not run, or which run failed first.
    pub reason: Option<String>,
    /// Every run, host root first.
    pub runs: Vec<SmokeRun>,
}

impl SmokeReport {
    /// A smoke this host does not run, with the reason.
    pub fn not_run(kind: &str, reason: impl Into<String>) -> SmokeReport {
        SmokeReport {
            status: SmokeStatus::NotRun,
            kind: kind.to_owned(),
            reason: Some(reason.into()),
            runs: Vec::new(),
        }
    }

    /// The overall status and reason from the runs.
    pub fn from_runs(kind: &str, runs: Vec<SmokeRun>) -> SmokeReport {
        let failed = runs.iter().find(|r| r.status == SmokeStatus::Failed);
        let (status, reason) = match failed {
            Some(r) => (
                SmokeStatus::Failed,
                Some(format!(
                    "{} in the {} root ({}): {}",
                    r.binary,
                    crate::model::wire_name(&r.root),
                    r.runner,
                    r.message.as_deref().unwrap_or("failed")
                )),
            ),
            None if runs.iter().any(|r| r.status == SmokeStatus::Passed) => {
                (SmokeStatus::Passed, None)
            }
            None => (
                SmokeStatus::NotRun,
                runs.iter().find_map(|r| r.message.clone()),
            ),
        };
        SmokeReport {
            status,
            kind: kind.to_owned(),
            reason,
            runs,
        }
    }
}

impl ExitInfo {
    /// `exit 0`, `SIGSEGV`, `timed out`.
    pub fn describe(&self) -> String {
        if self.timed_out {
            return "timed out".into();
        }
        match (&self.signal, self.code) {
            (Some(s), _) => s.clone(),
            (None, Some(c)) => format!("exit {c}"),
            (None, None) => "?".into(),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn run(root: RootKind, status: SmokeStatus) -> SmokeRun {
        SmokeRun {
            release: None,
            binary: "app".into(),
            root,
            runner: "native".into(),
            status,
            seconds: 0.1,
            exit: None,
            message: Some("boom".into()),
            output: String::new(),
        }
    }

    #[test]
    fn one_failed_run_fails_the_smoke_and_names_its_root() {
        let s = SmokeReport::from_runs(
            "version",
            vec![
                run(RootKind::Host, SmokeStatus::Passed),
                run(RootKind::Empty, SmokeStatus::Failed),
            ],
        );
        assert_eq!(s.status, SmokeStatus::Failed);
        assert_eq!(
            s.reason.as_deref(),
            Some("app in the empty root (native): boom")
        );
        let s = SmokeReport::from_runs("version", vec![run(RootKind::Host, SmokeStatus::Passed)]);
        assert_eq!((s.status, s.reason), (SmokeStatus::Passed, None));
    }
}
