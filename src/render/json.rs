//! JSON: a document pretty-printed, with a final newline.

use std::io::{self, Write};

use serde::Serialize;

/// Write `doc` as pretty JSON and a newline.
pub fn write<T: Serialize + ?Sized>(doc: &T, w: &mut dyn Write) -> io::Result<()> {
    serde_json::to_writer_pretty(&mut *w, doc)?;
    writeln!(w)
}
