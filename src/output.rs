//! Writing results: stdout, or a file replaced atomically (a reader never sees half of
//! it: the content goes to a temporary file in the same directory, then is renamed).

use std::io::{self, Write};
use std::path::Path;

use anyhow::{Context, Result};

/// Write what `produce` writes to `path` atomically, or to stdout when `path` is None.
pub fn write_output(
    path: Option<&Path>,
    produce: impl FnOnce(&mut dyn Write) -> io::Result<()>,
) -> Result<()> {
    match path {
        None => {
            let stdout = io::stdout();
            let mut lock = io::BufWriter::new(stdout.lock());
            match produce(&mut lock).and_then(|()| lock.flush()) {
                // a closed pipe (`| head`) is not an error worth a message
                Err(e) if e.kind() == io::ErrorKind::BrokenPipe => Ok(()),
                r => r.context("writing to stdout"),
            }
        }
        Some(path) if is_special(path) => {
            // /dev/null, a FIFO, a terminal: renaming over it would replace the node
            let f = std::fs::OpenOptions::new()
                .write(true)
                .open(path)
                .with_context(|| format!("opening {}", path.display()))?;
            let mut w = io::BufWriter::new(f);
            produce(&mut w)
                .and_then(|()| w.flush())
                .with_context(|| format!("writing {}", path.display()))
        }
        Some(path) => {
            let dir = match path.parent() {
                Some(d) if !d.as_os_str().is_empty() => d,
                _ => Path::new("."),
            };
            let mut builder = tempfile::Builder::new();
            builder.prefix(".portable-").suffix(".tmp");
            // a report is an ordinary file: 0666 less the umask, like any shell redirect
            // (tempfile's default of 0600 would survive the rename)
            #[cfg(unix)]
            {
                use std::os::unix::fs::PermissionsExt;
                builder.permissions(std::fs::Permissions::from_mode(0o666));
            }
            let mut tmp = builder
                .tempfile_in(dir)
                .with_context(|| format!("creating a temporary file in {}", dir.display()))?;
            {
                let mut w = io::BufWriter::new(tmp.as_file_mut());
                produce(&mut w)
                    .and_then(|()| w.flush())
                    .with_context(|| format!("writing {}", path.display()))?;
            }
            tmp.as_file()
                .sync_all()
                .with_context(|| format!("syncing {}", path.display()))?;
            tmp.persist(path)
                .with_context(|| format!("replacing {}", path.display()))?;
            Ok(())
        }
    }
}

/// An existing path that is not a regular file (device, FIFO, socket).
fn is_special(path: &Path) -> bool {
    std::fs::metadata(path).is_ok_and(|m| !m.is_file() && !m.is_dir())
}
