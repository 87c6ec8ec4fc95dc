//! Fuzz the whole pure pipeline of `inspect`: bytes → `inspect::parse` → `analyze`
//! (with the compiled-in tables) → every renderer; and `--prove`'s parsers (gzip,
//! apt `Packages`, the loader's answer). Any panic is a bug: a bad file must
//! become an error entry (docs/contract.md#bad-input-is-data).
//!
//! Run: `fuzz/run.sh 600` (seeds the corpus from real binaries, then fuzzes).

#![no_main]

use cargo_portable::analysis::{analyze, FileId};
use cargo_portable::data::tables;
use cargo_portable::inspect;
use cargo_portable::model::ErrorEntry;
use cargo_portable::render::{render, InspectFormat, Style};
use cargo_portable::report::{Host, Report};
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    // `--prove`'s parsers of what an archive and a loader answer: errors, never panics
    let _ = cargo_portable::prove::fetch::gunzip(data);
    let text = String::from_utf8_lossy(data);
    let wanted = ["libc6".to_owned(), "libstdc++6".to_owned()];
    let _ = cargo_portable::prove::parse_packages(&text, &wanted);
    let _ = cargo_portable::prove::parse_loader(false, &text, &text, "/r", &["libc.so.6"]);
    // Go's build information: a lying header or module text is an error, never a panic
    if let Ok(Some(go)) = inspect::gobuild::read(data) {
        let _ = go.setting("GOOS");
    }
    let id = FileId {
        path: "fuzz-input".to_owned(),
        size: data.len() as u64,
        sha256: Some("0".repeat(64)),
    };
    let (artifacts, errors) = match inspect::parse(data) {
        Ok(parsed) => (
            parsed
                .into_iter()
                .map(|p| analyze(&id, p, tables()))
                .collect(),
            Vec::new(),
        ),
        Err(e) => {
            // the error message is what the user sees: it must render too
            let error = e.to_string();
            assert!(!error.is_empty());
            (
                Vec::new(),
                vec![ErrorEntry {
                    path: id.path.clone(),
                    error,
                }],
            )
        }
    };
    let host = Host {
        triple: "fuzz".to_owned(),
        rustc: None,
    };
    let report = Report::new(host, artifacts, errors, 0);
    for format in [
        InspectFormat::Json,
        InspectFormat::Human,
        InspectFormat::Ldd,
        InspectFormat::Nm,
    ] {
        render(&report, format, Style { color: true }, &mut std::io::sink())
            .expect("rendering to a sink cannot fail");
    }
});
