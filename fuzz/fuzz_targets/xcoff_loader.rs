//! Fuzz the XCOFF loader-section reader (`inspect::xcoff::read_loader`) on its own:
//! the part of the XCOFF reader that `object` does not cover (import file IDs,
//! imported symbols, the string table), with every offset and count taken from the
//! input. Any panic is a bug: a lying section must be an error naming the field.
//!
//! Run: `fuzz/run.sh 600 xcoff_loader` (seeds the corpus with the loader section of a
//! Go AIX executable when Go is installed, then fuzzes).

#![no_main]

use cargo_portable::inspect::xcoff;
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    for is_64 in [false, true] {
        match xcoff::read_loader(data, is_64) {
            Ok(loader) => {
                for file in &loader.import_files {
                    let _ = file.display();
                }
                for import in &loader.imports {
                    // every symbol names an import file the section has
                    assert!(
                        import.file == 0 || (import.file as usize) < loader.import_files.len()
                    );
                }
            }
            Err(e) => assert!(!e.to_string().is_empty()),
        }
    }
});
