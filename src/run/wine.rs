//! The wine prefix of the smoke runs: created once under the target directory
//! (`<target>/portable/wine`) and reused. Debian 12's wine 8.0 has no
//! `bcryptprimitives.dll`, whose `ProcessPrng` Rust's std imports: every Rust `.exe`
//! exits 53 without it. At creation a one-function DLL (ProcessPrng calling
//! advapi32's RtlGenRandom, alias SystemFunction036) is compiled with MinGW into the
//! prefix's system32.

use std::path::{Path, PathBuf};
use std::time::Duration;

use super::exec::{self, Spec};

/// The ProcessPrng shim.
const PRNG_SHIM: &str = r#"#include <windows.h>
BOOLEAN WINAPI SystemFunction036(PVOID buffer, ULONG length);
__declspec(dllexport) BOOL WINAPI ProcessPrng(PBYTE data, SIZE_T len) {
    while (len > 0) {
        ULONG n = len > 0x10000000 ? 0x10000000 : (ULONG)len;
        if (!SystemFunction036(data, n)) return FALSE;
        data += n;
        len -= n;
    }
    return TRUE;
}
"#;

/// Written last at creation: a prefix without it is incomplete and made again.
const STAMP: &str = ".portable-ready";

/// A usable prefix.
#[derive(Debug, Clone)]
pub struct Wine {
    pub program: PathBuf,
    pub prefix: PathBuf,
    /// Seconds spent creating the prefix; 0 when it was reused.
    pub created_seconds: f64,
}

/// wine's loader: `/usr/lib/wine/wine64` on Debian 12, else `wine64` or `wine` on PATH.
pub fn find_program() -> Option<PathBuf> {
    let debian = Path::new("/usr/lib/wine/wine64");
    if debian.is_file() {
        return Some(debian.to_owned());
    }
    which::which("wine64")
        .or_else(|_| which::which("wine"))
        .ok()
}

/// The environment every wine process gets: the prefix, no debug output, no
/// installer dialogs, and a TMPDIR inside the prefix (wine leaves its `wine-*`
/// directories there, not in the system's temporary directory).
pub fn env(spec: Spec, prefix: &Path) -> Spec {
    spec.env("WINEPREFIX", prefix)
        .env("TMPDIR", prefix.join("tmp"))
        .env("WINEDEBUG", "-all")
        // no Mono or Gecko installer dialogs
        .env("WINEDLLOVERRIDES", "mscoree,mshtml=")
        .env("DISPLAY", "")
}

/// The prefix at `prefix`, created (with the shim) when it is not complete yet.
pub fn prepare(prefix: &Path, limit: Duration) -> Result<Wine, String> {
    let program = find_program().ok_or_else(|| {
        "wine is not installed (`cargo portable setup` installs wine64)".to_owned()
    })?;
    if prefix.join(STAMP).is_file() {
        let _ = std::fs::create_dir_all(prefix.join("tmp"));
        return Ok(Wine {
            program,
            prefix: prefix.to_owned(),
            created_seconds: 0.0,
        });
    }
    let _ = std::fs::remove_dir_all(prefix);
    std::fs::create_dir_all(prefix.join("tmp"))
        .map_err(|e| format!("{}: {e}", prefix.display()))?;
    let started = std::time::Instant::now();
    let boot = env(Spec::new(&program).args(["wineboot", "--init"]), prefix);
    let f = exec::run(&boot, limit).map_err(|e| format!("{}: {e}", boot.display()))?;
    // the wineserver writes the registry when it exits, a few seconds after wineboot
    server(prefix, "-w");
    if f.interrupted {
        let _ = std::fs::remove_dir_all(prefix);
        return Err("interrupted while creating the wine prefix".into());
    }
    let system32 = prefix.join("drive_c/windows/system32");
    if f.exit.code != Some(0) || !system32.is_dir() {
        return Err(format!(
            "creating the wine prefix ({}) ended with {}: {}",
            boot.display(),
            f.exit.describe(),
            f.output
        ));
    }
    build_shim(&system32.join("bcryptprimitives.dll"))?;
    std::fs::write(prefix.join(STAMP), "").map_err(|e| format!("{}: {e}", prefix.display()))?;
    Ok(Wine {
        program,
        prefix: prefix.to_owned(),
        created_seconds: started.elapsed().as_secs_f64(),
    })
}

/// Compile the ProcessPrng shim to `out` with MinGW.
fn build_shim(out: &Path) -> Result<(), String> {
    let gcc = which::which("x86_64-w64-mingw32-gcc").map_err(|_| {
        "x86_64-w64-mingw32-gcc not found: it builds the bcryptprimitives.dll wine lacks \
         (`cargo portable setup` installs it)"
            .to_owned()
    })?;
    let dir = tempfile::tempdir().map_err(|e| e.to_string())?;
    let src = dir.path().join("bcryptprimitives.c");
    std::fs::write(&src, PRNG_SHIM).map_err(|e| e.to_string())?;
    let spec = Spec::new(gcc)
        .args(["-shared", "-O2", "-s", "-o"])
        .arg(out)
        .arg(&src)
        .arg("-ladvapi32");
    let f = exec::run(&spec, Duration::from_secs(120)).map_err(|e| e.to_string())?;
    if f.exit.code != Some(0) {
        return Err(format!("{}: {}", spec.display(), f.output));
    }
    Ok(())
}

/// Stop the prefix's wineserver (it outlives the processes by a few seconds).
pub fn stop_server(prefix: &Path) {
    server(prefix, "-k");
}

/// `wineserver FLAG` on the prefix (`-k` kill, `-w` wait for it to exit).
fn server(prefix: &Path, flag: &str) {
    let server = ["/usr/lib/wine/wineserver64", "/usr/lib/wine/wineserver"]
        .iter()
        .map(PathBuf::from)
        .find(|p| p.is_file())
        .or_else(|| which::which("wineserver").ok());
    if let Some(s) = server {
        let _ = exec::run(
            &env(Spec::new(s).arg(flag), prefix),
            Duration::from_secs(60),
        );
    }
}
