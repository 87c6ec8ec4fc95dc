//! The I/O edge of inspection: expand arguments (files and directories), map each file,
//! hash it, parse and analyze it, in parallel. A bad file is an error entry, never an
//! abort; results keep the order of the arguments.

use std::fs::File;
use std::io::Read;
use std::panic::{catch_unwind, AssertUnwindSafe};
use std::path::{Path, PathBuf};

use rayon::prelude::*;
use sha2::{Digest, Sha256};

use crate::analysis::{analyze, FileId};
use crate::data::tables;
use crate::inspect::{self, InspectError};
use crate::model::{Artifact, ErrorEntry, Kind};

/// What one `inspect` call found.
#[derive(Debug, Default)]
pub struct Scan {
    pub artifacts: Vec<Artifact>,
    pub errors: Vec<ErrorEntry>,
    /// Files inside directories that are not executables or shared libraries.
    pub skipped: usize,
}

/// One file to look at, and whether the user named it (errors) or a directory walk
/// found it (non-objects are skipped quietly).
struct Job {
    path: PathBuf,
    explicit: bool,
}

enum Outcome {
    Artifacts(Vec<Artifact>),
    Error(ErrorEntry),
    Skipped,
}

fn error(path: &Path, msg: impl std::fmt::Display) -> ErrorEntry {
    ErrorEntry {
        path: path.display().to_string(),
        error: msg.to_string(),
    }
}

/// How to scan.
#[derive(Debug, Clone, Copy)]
pub struct ScanOptions {
    /// Compute each file's SHA-256 (the largest single cost on big trees).
    pub hash: bool,
}

impl Default for ScanOptions {
    fn default() -> Self {
        ScanOptions { hash: true }
    }
}

/// Inspect files and directories.
pub fn scan(paths: &[PathBuf], opts: ScanOptions) -> Scan {
    let mut out = Scan::default();
    // Expand arguments in order; directory walks are sorted for stable output.
    let mut plan: Vec<Result<Vec<Job>, ErrorEntry>> = Vec::new();
    for p in paths {
        match std::fs::metadata(p) {
            Err(e) => plan.push(Err(error(p, e))),
            Ok(m) if m.is_dir() => plan.push(Ok(walk(p))),
            Ok(_) => plan.push(Ok(vec![Job {
                path: p.clone(),
                explicit: true,
            }])),
        }
    }
    // All files of all arguments in one parallel pass; results come back in order.
    let all: Vec<(usize, &Job)> = plan
        .iter()
        .enumerate()
        .filter_map(|(i, p)| p.as_ref().ok().map(|jobs| (i, jobs)))
        .flat_map(|(i, jobs)| jobs.iter().map(move |j| (i, j)))
        .collect();
    let mut results: Vec<(usize, Outcome)> = all
        .par_iter()
        .map(|(i, j)| (*i, run_job(j, opts)))
        .collect::<Vec<_>>();
    let mut results = results.drain(..).peekable();
    for (index, (arg, item)) in paths.iter().zip(plan).enumerate() {
        let jobs = match item {
            Err(e) => {
                out.errors.push(e);
                continue;
            }
            Ok(j) => j,
        };
        let was_dir = jobs.first().is_none_or(|j| !j.explicit);
        let before = (out.artifacts.len(), out.errors.len());
        let mut skipped_here = 0;
        while let Some((_, r)) = results.next_if(|(i, _)| *i == index) {
            match r {
                Outcome::Artifacts(a) => out.artifacts.extend(a),
                Outcome::Error(e) => out.errors.push(e),
                Outcome::Skipped => skipped_here += 1,
            }
        }
        out.skipped += skipped_here;
        if was_dir && (out.artifacts.len(), out.errors.len()) == before {
            out.errors.push(error(
                arg,
                format!(
                    "no executables or shared libraries in this directory ({skipped_here} other files skipped)"
                ),
            ));
        }
    }
    out
}

fn walk(dir: &Path) -> Vec<Job> {
    walkdir::WalkDir::new(dir)
        .follow_links(false)
        .sort_by_file_name()
        .into_iter()
        .filter_map(Result::ok)
        .filter(|e| e.file_type().is_file())
        .map(|e| Job {
            path: e.into_path(),
            explicit: false,
        })
        .collect()
}

fn run_job(job: &Job, opts: ScanOptions) -> Outcome {
    // A file found by a walk that has an object's magic but does not parse is an
    // error too: it claims to be a binary.
    match inspect_file(&job.path, job.explicit, opts) {
        Ok(Some(a)) => Outcome::Artifacts(a),
        Ok(None) => Outcome::Skipped,
        Err(e) => Outcome::Error(e),
    }
}

/// Inspect one file. `Ok(None)`: not an executable or library, found by a walk.
fn inspect_file(
    path: &Path,
    explicit: bool,
    opts: ScanOptions,
) -> Result<Option<Vec<Artifact>>, ErrorEntry> {
    let mut file = File::open(path).map_err(|e| error(path, e))?;
    let len = file.metadata().map_err(|e| error(path, e))?.len();
    if !explicit {
        // cheap pre-check: most files in a tree are not objects
        let mut head = [0u8; 8];
        let n = read_head(&mut file, &mut head).map_err(|e| error(path, e))?;
        if inspect::sniff(&head[..n]).is_none() {
            return Ok(None);
        }
    }
    if len == 0 {
        return Err(error(path, InspectError::Empty));
    }
    // SAFETY: the map is read-only and private to this call; a file truncated by
    // another process while mapped can fault, as with any mmap-based reader (nm, lld).
    let map = unsafe { memmap2::Mmap::map(&file) }.map_err(|e| error(path, e))?;
    let data: &[u8] = &map;

    let shown = path.display().to_string();
    let result = catch_unwind(AssertUnwindSafe(
        || -> Result<Vec<Artifact>, InspectError> {
            let parsed = inspect::parse(data)?;
            let id = FileId {
                path: shown.clone(),
                size: len,
                sha256: opts.hash.then(|| hex(&Sha256::digest(data))),
            };
            Ok(parsed
                .into_iter()
                .filter(|p| explicit || p.kind != Kind::Other)
                .map(|p| analyze(&id, p, tables()))
                .collect())
        },
    ));
    match result {
        Ok(Ok(a)) if a.is_empty() => Ok(None),
        Ok(Ok(a)) => Ok(Some(a)),
        Ok(Err(e)) => Err(error(path, e)),
        Err(_) => Err(error(
            path,
            "internal error: the parser panicked on this file (please report it with the file)",
        )),
    }
}

fn read_head(file: &mut File, buf: &mut [u8]) -> std::io::Result<usize> {
    let mut n = 0;
    while n < buf.len() {
        match file.read(&mut buf[n..])? {
            0 => break,
            k => n += k,
        }
    }
    Ok(n)
}

fn hex(bytes: &[u8]) -> String {
    use std::fmt::Write;
    bytes.iter().fold(String::with_capacity(64), |mut s, b| {
        let _ = write!(s, "{b:02x}");
        s
    })
}
