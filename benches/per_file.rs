//! Per-binary inspection time: parse + analyze (and, separately, SHA-256) of every
//! ELF file under the given directories (default: /usr/bin and
//! /usr/lib/x86_64-linux-gnu), each file already in memory, best of 5 runs per file.
//! Prints the files' median size, then the median, p90, p99 and max of parse and
//! analyze, of parse alone,
//! of analyze alone, and of SHA-256.
//!
//!     cargo bench --bench per_file [-- DIR...]

use std::time::{Duration, Instant};

use cargo_portable::analysis::{analyze, FileId};
use cargo_portable::data::tables;
use cargo_portable::inspect::{parse, sniff};
use sha2::{Digest, Sha256};

fn percentile(sorted: &[Duration], p: f64) -> Duration {
    sorted[((sorted.len() - 1) as f64 * p).round() as usize]
}

fn main() {
    let mut dirs: Vec<String> = std::env::args()
        .skip(1)
        .filter(|a| !a.starts_with('-'))
        .collect();
    if dirs.is_empty() {
        dirs = vec!["/usr/bin".into(), "/usr/lib/x86_64-linux-gnu".into()];
    }
    let mut files = Vec::new();
    for d in &dirs {
        for e in walkdir::WalkDir::new(d)
            .follow_links(false)
            .into_iter()
            .flatten()
        {
            if !e.file_type().is_file() {
                continue;
            }
            let Ok(data) = std::fs::read(e.path()) else {
                continue;
            };
            if sniff(&data).is_some() {
                files.push((e.path().display().to_string(), data));
            }
        }
    }
    let mut inspect_times = Vec::new();
    let mut parse_times = Vec::new();
    let mut analyze_times = Vec::new();
    let mut hash_times = Vec::new();
    for (path, data) in &files {
        let mut best = Duration::MAX;
        let mut best_parse = Duration::MAX;
        let mut best_analyze = Duration::MAX;
        let mut best_hash = Duration::MAX;
        for _ in 0..5 {
            let t = Instant::now();
            let parsed = parse(data);
            best_parse = best_parse.min(t.elapsed());
            let a = Instant::now();
            if let Ok(parsed) = parsed {
                let id = FileId {
                    path: path.clone(),
                    size: data.len() as u64,
                    sha256: None,
                };
                for p in parsed {
                    std::hint::black_box(analyze(&id, p, tables()));
                }
            }
            best_analyze = best_analyze.min(a.elapsed());
            best = best.min(t.elapsed());
            let t = Instant::now();
            std::hint::black_box(Sha256::digest(data));
            best_hash = best_hash.min(t.elapsed());
        }
        inspect_times.push(best);
        parse_times.push(best_parse);
        analyze_times.push(best_analyze);
        hash_times.push(best_hash);
    }
    // sizes, to compare runs over different file sets
    let mut sizes: Vec<u64> = files.iter().map(|(_, d)| d.len() as u64).collect();
    sizes.sort();
    println!(
        "{:>14}: {} files, median {} KiB, total {} MiB",
        "size",
        sizes.len(),
        sizes[sizes.len() / 2] / 1024,
        sizes.iter().sum::<u64>() >> 20
    );
    for (name, mut v) in [
        ("parse+analyze", inspect_times),
        ("parse", parse_times),
        ("analyze", analyze_times),
        ("sha256", hash_times),
    ] {
        v.sort();
        let total: Duration = v.iter().sum();
        println!(
            "{name:>14}: {} files, median {:?}, p90 {:?}, p99 {:?}, max {:?}, sum {:?}",
            v.len(),
            percentile(&v, 0.5),
            percentile(&v, 0.9),
            percentile(&v, 0.99),
            v[v.len() - 1],
            total
        );
    }
}
