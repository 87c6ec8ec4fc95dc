//! The link probe (the process edge): compile and link a one-line C program with a
//! variant's linker for its target, in a temporary directory, before any Rust is
//! compiled. A linker that cannot link says so here, in its own words.

use std::process::{Command, Stdio};

use super::{Probe, Toolchain};

const HELLO: &str = "int main(void) { return 0; }\n";

/// Run `p`; on failure, the linker's first error line.
pub(super) fn run(tc: &Toolchain, p: &Probe) -> Result<(), String> {
    let dir = tempfile::Builder::new()
        .prefix("portable-probe-")
        .tempdir()
        .map_err(|e| format!("creating a temporary directory: {e}"))?;
    let src = dir.path().join("hello.c");
    std::fs::write(&src, HELLO).map_err(|e| format!("writing {}: {e}", src.display()))?;
    let Some((program, args)) = p.command.split_first() else {
        return Err("empty probe command".into());
    };
    let exe = tc
        .find(program)
        .ok_or_else(|| format!("`{program}` is not on PATH"))?;
    let out = Command::new(exe)
        .args(args)
        .arg(&src)
        .arg("-o")
        .arg(dir.path().join(format!("hello{}", p.exe_suffix)))
        .args(&p.flags)
        .current_dir(dir.path())
        .env("PATH", &tc.path)
        .envs(tc.zig_env())
        .env_remove("RUST_BACKTRACE")
        .stdin(Stdio::null())
        .output()
        .map_err(|e| format!("cannot run `{program}`: {e}"))?;
    if out.status.success() {
        return Ok(());
    }
    let text = String::from_utf8_lossy(&out.stderr);
    Err(first_error(&text)
        .unwrap_or_else(|| format!("`{}` exited with {}", p.display(), out.status)))
}

/// The first line that reports the problem: the linker's `cannot find …` comes before
/// the driver's `collect2: error: ld returned 1 exit status`.
pub(crate) fn first_error(stderr: &str) -> Option<String> {
    let lines: Vec<&str> = stderr
        .lines()
        .map(str::trim)
        .filter(|l| !l.is_empty())
        .collect();
    let hit = |l: &&&str| {
        let low = l.to_ascii_lowercase();
        [
            "cannot find",
            "error",
            "undefined reference",
            "not found",
            "unable to",
        ]
        .iter()
        .any(|k| low.contains(k))
    };
    lines
        .iter()
        .find(hit)
        .or(lines.first())
        .map(|l| (*l).to_owned())
}

#[cfg(test)]
mod tests {
    use super::first_error;

    #[test]
    fn the_linker_line_before_the_driver_line() {
        let gcc = "/usr/lib/gcc-cross/aarch64-linux-gnu/12/../../../../aarch64-linux-gnu/bin/ld: cannot find Scrt1.o: No such file or directory\n\
                   /usr/bin/aarch64-linux-gnu-ld: cannot find crti.o: No such file or directory\n\
                   collect2: error: ld returned 1 exit status\n";
        assert!(first_error(gcc)
            .unwrap()
            .ends_with("cannot find Scrt1.o: No such file or directory"));
        assert_eq!(
            first_error("\n  warning: x\n").as_deref(),
            Some("warning: x")
        );
        assert_eq!(first_error(""), None);
    }
}
