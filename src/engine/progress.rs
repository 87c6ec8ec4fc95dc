//! Progress of a matrix build: a live display (state and elapsed time per variant) on a
//! terminal, plain lines otherwise, nothing with `--quiet`.

use std::io::IsTerminal;
use std::sync::Mutex;
use std::time::Duration;

use indicatif::{MultiProgress, ProgressBar, ProgressStyle};

pub enum Progress {
    Quiet,
    Lines {
        total: usize,
        done: Mutex<usize>,
    },
    Bars {
        multi: MultiProgress,
        total: usize,
        done: Mutex<usize>,
    },
}

pub struct Running {
    bar: Option<ProgressBar>,
    id: String,
}

impl Progress {
    pub fn new(total: usize, quiet: bool) -> Progress {
        if quiet {
            Progress::Quiet
        } else if std::io::stderr().is_terminal() {
            Progress::Bars {
                multi: MultiProgress::new(),
                total,
                done: Mutex::new(0),
            }
        } else {
            Progress::Lines {
                total,
                done: Mutex::new(0),
            }
        }
    }

    pub fn start(&self, id: &str, what: &str) -> Running {
        let bar = match self {
            Progress::Bars { multi, .. } => {
                let b = multi.add(ProgressBar::new_spinner());
                b.set_style(
                    ProgressStyle::with_template("{spinner} {prefix:<28} {msg} ({elapsed})")
                        .unwrap_or_else(|_| ProgressStyle::default_spinner()),
                );
                b.set_prefix(id.to_owned());
                b.set_message(what.to_owned());
                b.enable_steady_tick(Duration::from_millis(120));
                Some(b)
            }
            _ => None,
        };
        Running {
            bar,
            id: id.to_owned(),
        }
    }

    /// A variant reached its final state (`built 12.3s`, `failed`, `skipped: …`).
    pub fn finish(&self, running: Running, outcome: &str) {
        match self {
            Progress::Quiet => {}
            Progress::Lines { total, done } => {
                let mut d = done.lock().unwrap_or_else(|e| e.into_inner());
                *d += 1;
                eprintln!("[{:>2}/{total}] {}: {outcome}", *d, running.id);
            }
            Progress::Bars { total, done, .. } => {
                let mut d = done.lock().unwrap_or_else(|e| e.into_inner());
                *d += 1;
                if let Some(b) = running.bar {
                    b.set_style(
                        ProgressStyle::with_template("  {prefix:<28} {msg}")
                            .unwrap_or_else(|_| ProgressStyle::default_spinner()),
                    );
                    b.finish_with_message(format!("{outcome}   [{}/{total}]", *d));
                }
            }
        }
    }
}
