//! Smoke runs (`build --run`, docs/contract.md#smoke-runs-prove-the-report): every built
//! artifact is executed where this host can (natively, under qemu-user, under wine), in
//! parallel with a time bound each, on the host and in the root that proves its report
//! (empty for a static binary, minimal for a dynamic one). The decisions are in
//! [`plan`], the processes in [`exec`], the roots in [`roots`], the wine prefix in
//! [`wine`], the smoke kinds in [`smoke`].

pub mod exec;
pub mod plan;
mod probe;
pub mod roots;
mod smoke;
pub mod wine;

use std::path::PathBuf;
use std::sync::Mutex;
use std::time::Duration;

use self::plan::{binary_name, roots_for, runner_for, Runner, RunnerChoice, SmokeKind};
use self::roots::Enter;
use crate::matrix::{Matrix, Variant};
use crate::model::{Artifact, Kind};
use crate::report::smoke::{RootKind, SmokeReport, SmokeRun, SmokeStatus};
use crate::report::variants::{Status, VariantReport};
use crate::toolchain::Toolchain;

/// How the runs go.
#[derive(Debug, Clone)]
pub struct RunOptions {
    /// `--run`: every variant (otherwise only those with `run = true`).
    pub all: bool,
    /// The time bound of each process.
    pub timeout: Duration,
    /// Runs at once.
    pub jobs: usize,
    /// `<target dir>/portable`: the wine prefix and the host client live here.
    pub dir: PathBuf,
    /// The package whose `ipc-client` the `ipc` smoke uses when no host variant
    /// built one.
    pub package: String,
    pub manifest_path: Option<PathBuf>,
    pub quiet: bool,
    /// Per artifact path, the releases whose root (unpacked by `--prove`) it loads in:
    /// its smoke also runs there, on that release's own C library.
    pub release_roots: std::collections::BTreeMap<String, Vec<(String, PathBuf)>>,
}

/// Whether any variant of the matrix runs its smoke (what `setup` installs runners
/// for).
pub fn any_wanted<'a>(variants: impl IntoIterator<Item = &'a Variant>, all: bool) -> bool {
    variants.into_iter().any(|v| v.smoke_wanted(all))
}

/// One run to do: one binary of one variant in one root.
struct Task {
    variant: usize,
    artifact: Artifact,
    runner: Runner,
    root: RootKind,
    /// For a release root: the release and the root `--prove` unpacked.
    release: Option<(String, PathBuf)>,
    kind: SmokeKind,
    /// The variant's own `ipc-client` (under wine it reaches a named pipe, which the
    /// host's client cannot).
    peer_client: Option<PathBuf>,
}

/// What every run shares.
struct Shared<'a> {
    opts: &'a RunOptions,
    host_arch: &'static str,
    enter: Enter,
    /// The host's ipc-client, found or built when the first ipc smoke needs it.
    client: Mutex<Option<Result<PathBuf, String>>>,
    /// The wine prefix, made when the first Windows run needs it.
    wine: Mutex<Option<Result<wine::Wine, String>>>,
    tc: &'a Toolchain,
    reports: &'a [VariantReport],
}

/// Run the smokes of the built variants that want one and put the results in their
/// reports. Returns false when SIGINT or SIGTERM interrupted the runs (everything
/// they started is stopped and removed by then).
pub fn run_smokes(
    tc: &Toolchain,
    matrix: &Matrix,
    opts: &RunOptions,
    reports: &mut [VariantReport],
) -> bool {
    let _signals = exec::SignalGuard::install();
    let mut tasks = Vec::new();
    let mut kinds: Vec<Option<SmokeKind>> = vec![None; reports.len()];
    let mut decided: Vec<Option<SmokeReport>> = vec![None; reports.len()];
    let enter = Enter::detect();
    for (i, r) in reports.iter().enumerate() {
        let Some(v) = matrix.variants.iter().find(|v| v.id() == r.id) else {
            continue;
        };
        if !v.smoke_wanted(opts.all) || r.status != Status::Built {
            continue;
        }
        let kind = SmokeKind::from_matrix(v.smoke.as_ref());
        match plan_variant(i, v, r, &kind, &opts.release_roots) {
            Ok(t) if t.is_empty() => {
                decided[i] = Some(SmokeReport::not_run(kind.name(), "nothing to run"))
            }
            Ok(t) => tasks.extend(t),
            Err(s) => decided[i] = Some(s),
        }
        kinds[i] = Some(kind);
    }
    let cx = Shared {
        opts,
        host_arch: std::env::consts::ARCH,
        enter,
        client: Mutex::new(None),
        wine: Mutex::new(None),
        tc,
        reports,
    };
    // the slow runners first, so the quick native runs fill in beside them
    tasks.sort_by_key(|t| match t.runner {
        Runner::Wine => 0,
        Runner::Qemu { .. } => 1,
        Runner::Native => 2,
    });
    let runs = run_all(&cx, tasks);
    let wine_used = cx
        .wine
        .lock()
        .unwrap_or_else(|e| e.into_inner())
        .as_ref()
        .and_then(|w| w.as_ref().ok().cloned());
    if let Some(w) = wine_used {
        wine::stop_server(&w.prefix);
    }
    let mut by_variant: Vec<Vec<SmokeRun>> = vec![Vec::new(); reports.len()];
    for (i, run) in runs {
        by_variant[i].push(run);
    }
    for (i, r) in reports.iter_mut().enumerate() {
        let Some(kind) = &kinds[i] else { continue };
        let mut runs = std::mem::take(&mut by_variant[i]);
        runs.sort_by(|a, b| (&a.binary, a.root, &a.release).cmp(&(&b.binary, b.root, &b.release)));
        let s = decided[i]
            .take()
            .unwrap_or_else(|| SmokeReport::from_runs(kind.name(), runs));
        if !opts.quiet {
            eprintln!("{}", progress_line(&r.id, &s));
        }
        r.smoke = Some(s);
    }
    !exec::interrupted()
}

/// `smoke linux-x86_64-gnu: passed (host 0.3s, minimal 0.3s)`
fn progress_line(id: &str, s: &SmokeReport) -> String {
    let runs: Vec<String> = s
        .runs
        .iter()
        .map(|r| {
            format!(
                "{} {} {:.1}s",
                r.root_name(),
                crate::model::wire_name(&r.status),
                r.seconds
            )
        })
        .collect();
    let mut line = format!("smoke {id}: {}", crate::model::wire_name(&s.status));
    if !runs.is_empty() {
        line.push_str(&format!(" ({})", runs.join(", ")));
    }
    if let Some(reason) = &s.reason {
        line.push_str(&format!(": {reason}"));
    }
    line
}

/// The runs of one variant, or its smoke report when nothing runs.
fn plan_variant(
    index: usize,
    v: &Variant,
    r: &VariantReport,
    kind: &SmokeKind,
    release_roots: &std::collections::BTreeMap<String, Vec<(String, PathBuf)>>,
) -> Result<Vec<Task>, SmokeReport> {
    let executables: Vec<&Artifact> = r
        .artifacts
        .iter()
        .filter(|a| a.kind == Kind::Executable)
        .collect();
    // the host decides first: a Mach-O is not run whatever the smoke says
    let arch = std::env::consts::ARCH;
    // the kernel is asked only when a 32-bit x86 binary would run on x86_64
    let ia32 = arch == "x86_64"
        && executables.first().is_some_and(|a| a.arch == "x86")
        && probe::kernel_runs_ia32();
    let host = plan::Host { arch, ia32 };
    let runner = match executables.first().map(|a| runner_for(a, host)) {
        None => return Err(SmokeReport::not_run(kind.name(), "no executable was built")),
        Some(RunnerChoice::NotRun(why)) => return Err(SmokeReport::not_run(kind.name(), why)),
        Some(RunnerChoice::Run(runner)) => runner,
    };
    if *kind == SmokeKind::None {
        return Err(SmokeReport::not_run(
            kind.name(),
            "smoke = \"none\" in the matrix",
        ));
    }
    if let Runner::Qemu { program, .. } = &runner {
        if which::which(program).is_err() {
            return Err(SmokeReport::not_run(
                kind.name(),
                format!(
                    "{program} is not installed (`cargo portable setup` installs qemu-user-static)"
                ),
            ));
        }
    }
    let names: Vec<String> = executables.iter().map(|a| binary_name(&a.path)).collect();
    let wanted = kind.binaries(&names).map_err(|e| SmokeReport {
        status: SmokeStatus::Failed,
        kind: kind.name().to_owned(),
        reason: Some(e),
        runs: Vec::new(),
    })?;
    let peer_client = executables
        .iter()
        .find(|a| binary_name(&a.path) == "ipc-client")
        .map(|a| PathBuf::from(&a.path));
    let mut tasks = Vec::new();
    for a in executables {
        if !wanted.contains(&binary_name(&a.path)) {
            continue;
        }
        let releases = release_roots.get(&a.path).into_iter().flatten();
        let roots = roots_for(a, &runner, v.expect.linkage)
            .into_iter()
            .map(|root| (root, None))
            .chain(releases.map(|r| (RootKind::Release, Some(r.clone()))));
        for (root, release) in roots {
            tasks.push(Task {
                variant: index,
                artifact: a.clone(),
                runner: runner.clone(),
                root,
                release,
                kind: kind.clone(),
                peer_client: peer_client.clone(),
            });
        }
    }
    Ok(tasks)
}

/// Every task, at most `jobs` at once; the runs with their variant's index.
fn run_all(cx: &Shared, tasks: Vec<Task>) -> Vec<(usize, SmokeRun)> {
    let queue = Mutex::new(std::collections::VecDeque::from(tasks));
    let done = Mutex::new(Vec::new());
    std::thread::scope(|s| {
        for _ in 0..cx.opts.jobs.max(1) {
            s.spawn(|| loop {
                let Some(task) = queue.lock().unwrap_or_else(|e| e.into_inner()).pop_front() else {
                    break;
                };
                let run = if exec::interrupted() {
                    smoke::not_started(&task, "interrupted before it started")
                } else {
                    smoke::run_task(cx, &task)
                };
                done.lock()
                    .unwrap_or_else(|e| e.into_inner())
                    .push((task.variant, run));
            });
        }
    });
    done.into_inner().unwrap_or_else(|e| e.into_inner())
}

impl Shared<'_> {
    /// The host's `ipc-client`: one a host variant built, else built now for the host.
    fn client(&self) -> Result<PathBuf, String> {
        let mut c = self.client.lock().unwrap_or_else(|e| e.into_inner());
        c.get_or_insert_with(|| self.find_or_build_client()).clone()
    }

    fn find_or_build_client(&self) -> Result<PathBuf, String> {
        let built = self
            .reports
            .iter()
            .filter(|r| r.target == self.tc.host && r.status == Status::Built)
            .flat_map(|r| &r.artifacts)
            .find(|a| binary_name(&a.path) == "ipc-client");
        if let Some(a) = built {
            return Ok(PathBuf::from(&a.path));
        }
        smoke::build_host_client(self.tc, self.opts)
    }

    /// The wine prefix, created on first use.
    fn wine(&self) -> Result<wine::Wine, String> {
        let mut w = self.wine.lock().unwrap_or_else(|e| e.into_inner());
        w.get_or_insert_with(|| {
            let made = wine::prepare(&self.opts.dir.join("wine"), Duration::from_secs(300));
            if let Ok(w) = &made {
                if w.created_seconds > 0.0 && !self.opts.quiet {
                    eprintln!(
                        "smoke: created the wine prefix {} in {:.1}s",
                        w.prefix.display(),
                        w.created_seconds
                    );
                }
            }
            made
        })
        .clone()
    }
}
