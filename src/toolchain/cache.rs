//! The warm caches (the file-system edge): a value computed by an earlier run, kept in
//! a file beside the [`Stamp`] of what decides it (files' identity and modification
//! time, environment variables, arguments, and this cargo-portable binary itself). A
//! stamp that differs, a file that is missing, unreadable or malformed, is a miss:
//! the caller computes the value as a cold run does, and it is stored again. Storing
//! is best effort and atomic (a reader never sees half a file).

use std::path::{Path, PathBuf};

use serde::de::DeserializeOwned;
use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};

/// Bumped when the layout of an entry changes.
const FORMAT: u32 = 1;

/// Entries not written for this long are removed when another entry of their
/// directory is written (temporary crates' entries do not pile up).
const MAX_AGE: std::time::Duration = std::time::Duration::from_secs(14 * 24 * 3600);

/// What decides a cached value: `(what, its state)` pairs, compared as a whole.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Stamp(Vec<(String, String)>);

impl Stamp {
    /// A stamp that starts with this cargo-portable binary (a rebuilt or upgraded
    /// cargo-portable computes everything again).
    pub fn new() -> Stamp {
        static EXE: std::sync::OnceLock<String> = std::sync::OnceLock::new();
        let exe = EXE.get_or_init(|| {
            std::env::current_exe()
                .map(|e| file_state(&e))
                .unwrap_or_default()
        });
        Stamp(vec![("cargo-portable".to_owned(), exe.clone())])
    }

    /// A value given as it is (an argument, a probe's command line).
    pub fn text(mut self, what: &str, value: impl std::fmt::Display) -> Stamp {
        self.0.push((what.to_owned(), value.to_string()));
        self
    }

    /// An environment variable (unset and empty differ).
    pub fn env(self, var: &str) -> Stamp {
        let value = match std::env::var_os(var) {
            Some(v) => format!("={}", v.to_string_lossy()),
            None => "unset".to_owned(),
        };
        self.text(&format!("${var}"), value)
    }

    /// A file or directory: its identity, size and times ([`file_state`]).
    pub fn file(self, path: &Path) -> Stamp {
        let state = file_state(path);
        self.text(&path.display().to_string(), state)
    }

    /// A program: where it is, and the state of the file it finally is (through
    /// symbolic links: `aarch64-linux-gnu-gcc` → `aarch64-linux-gnu-gcc-12`).
    pub fn program(self, path: &Path) -> Stamp {
        let real = std::fs::canonicalize(path).unwrap_or_else(|_| path.to_path_buf());
        let s = self.file(path);
        if real != path {
            s.file(&real)
        } else {
            s
        }
    }

    /// Every `name` in `dir` and each of its ancestors (a `rust-toolchain.toml`, a
    /// `.cargo/config.toml`): one that appears, changes or goes is a change.
    pub fn up_from(mut self, dir: &Path, names: &[&str]) -> Stamp {
        for d in dir.ancestors() {
            for n in names {
                self = self.file(&d.join(n));
            }
        }
        self
    }
}

/// A short, file-name-safe digest of `key`.
pub fn key_name(key: &str) -> String {
    hex16(&Sha256::digest(key.as_bytes()))
}

fn hex16(bytes: &[u8]) -> String {
    bytes.iter().take(8).map(|b| format!("{b:02x}")).collect()
}

/// A file's state as a stamp sees it: `absent`, else its kind, size, modification
/// time (nanoseconds) and, on Unix, device and inode: a file replaced by another (a
/// copy that kept the modification time) is a change even with the same size and time.
/// Not the change time: cargo links a fresh executable into place again on every run,
/// which changes it without changing the file.
pub fn file_state(path: &Path) -> String {
    let Ok(m) = std::fs::metadata(path) else {
        return "absent".to_owned();
    };
    let nanos = |t: std::io::Result<std::time::SystemTime>| {
        t.ok()
            .and_then(|t| t.duration_since(std::time::UNIX_EPOCH).ok())
            .map_or(0, |d| d.as_nanos())
    };
    let kind = if m.is_dir() { "dir" } else { "file" };
    #[cfg(unix)]
    let extra = {
        use std::os::unix::fs::MetadataExt;
        format!(" dev {} ino {}", m.dev(), m.ino())
    };
    #[cfg(not(unix))]
    let extra = String::new();
    format!(
        "{kind} {} bytes mtime {}{extra}",
        m.len(),
        nanos(m.modified())
    )
}

#[derive(Serialize, Deserialize)]
struct Entry<T> {
    format: u32,
    stamp: Stamp,
    value: T,
}

/// The value stored at `path` for `stamp`; `None` (a cold run) when there is none,
/// it is for another stamp, or it cannot be read.
pub fn load<T: DeserializeOwned>(path: &Path, stamp: &Stamp) -> Option<T> {
    let bytes = std::fs::read(path).ok()?;
    let e: Entry<T> = serde_json::from_slice(&bytes).ok()?;
    (e.format == FORMAT && e.stamp == *stamp).then_some(e.value)
}

/// The stamp and value stored at `path`, whatever the stamp (for a caller that undoes
/// what the value names when the stamp changed); `None` when there is none or it
/// cannot be read.
pub fn load_entry<T: DeserializeOwned>(path: &Path) -> Option<(Stamp, T)> {
    let bytes = std::fs::read(path).ok()?;
    let e: Entry<T> = serde_json::from_slice(&bytes).ok()?;
    (e.format == FORMAT).then_some((e.stamp, e.value))
}

/// Keep `value` at `path` for `stamp` (atomically; a failure only costs the next run
/// the cold path). Old entries of the same directory are removed.
pub fn store<T: Serialize>(path: &Path, stamp: &Stamp, value: &T) {
    let entry = Entry {
        format: FORMAT,
        stamp: stamp.clone(),
        value,
    };
    let Ok(bytes) = serde_json::to_vec(&entry) else {
        return;
    };
    let dir = path.parent().unwrap_or(Path::new("."));
    let write = || -> std::io::Result<()> {
        std::fs::create_dir_all(dir)?;
        let mut tmp = tempfile::NamedTempFile::new_in(dir)?;
        std::io::Write::write_all(&mut tmp, &bytes)?;
        tmp.persist(path).map_err(|e| e.error)?;
        Ok(())
    };
    if write().is_ok() {
        prune(dir);
    }
}

/// Remove the entries of `dir` not written for [`MAX_AGE`].
fn prune(dir: &Path) {
    let Ok(entries) = std::fs::read_dir(dir) else {
        return;
    };
    for e in entries.flatten() {
        let old = e
            .metadata()
            .and_then(|m| m.modified())
            .ok()
            .and_then(|t| t.elapsed().ok())
            .is_some_and(|age| age > MAX_AGE);
        if old && e.path().extension().is_some_and(|x| x == "json") {
            let _ = std::fs::remove_file(e.path());
        }
    }
}

/// Where the caches of this machine's facts live: `<cache>/warm` (see
/// [`super::cache_dir`]).
pub fn machine_dir() -> PathBuf {
    super::cache_dir().join("warm")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_value_comes_back_only_for_its_stamp() {
        let dir = tempfile::tempdir().unwrap();
        let f = dir.path().join("watched");
        std::fs::write(&f, "a").unwrap();
        let path = dir.path().join("c/entry.json");
        let stamp = Stamp::new().text("args", "--x").file(&f);
        assert_eq!(load::<String>(&path, &stamp), None);
        store(&path, &stamp, &"value".to_owned());
        assert_eq!(load::<String>(&path, &stamp).as_deref(), Some("value"));
        // another argument, a changed file: a miss
        let other = Stamp::new().text("args", "--y").file(&f);
        assert_eq!(load::<String>(&path, &other), None);
        std::fs::write(&f, "bb").unwrap();
        let changed = Stamp::new().text("args", "--x").file(&f);
        assert_ne!(changed, stamp);
        assert_eq!(load::<String>(&path, &changed), None);
        // whatever the stamp, the entry is there for who undoes what it names
        assert_eq!(
            load_entry::<String>(&path),
            Some((stamp.clone(), "value".to_owned()))
        );
        // a malformed entry is a miss, not an error
        std::fs::write(&path, "{not json").unwrap();
        assert_eq!(load::<String>(&path, &stamp), None);
        assert_eq!(load_entry::<String>(&path), None);
    }

    #[test]
    fn a_replaced_file_is_a_change_even_with_the_same_size_and_time() {
        let dir = tempfile::tempdir().unwrap();
        let (a, b) = (dir.path().join("a"), dir.path().join("b"));
        std::fs::write(&a, "one").unwrap();
        std::fs::write(&b, "two").unwrap();
        let t = std::fs::metadata(&a).unwrap().modified().unwrap();
        std::fs::File::options()
            .write(true)
            .open(&b)
            .unwrap()
            .set_modified(t)
            .unwrap();
        let before = file_state(&a);
        std::fs::rename(&b, &a).unwrap();
        assert_ne!(file_state(&a), before);
        assert_eq!(file_state(&dir.path().join("none")), "absent");
    }
}
