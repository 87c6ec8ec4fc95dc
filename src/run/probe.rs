//! What the host's kernel executes, found by executing it: a 32-bit x86 program of 96
//! bytes that exits with 42. A kernel without IA32 emulation (built without
//! CONFIG_IA32_EMULATION, or booted with `ia32_emulation=0`) refuses it, and glibc's
//! exec then hands the file to /bin/sh, which cannot exit with 42 either.

use std::io::Write;
use std::os::unix::fs::PermissionsExt;
use std::sync::OnceLock;

/// The exit code of the probe program.
const EXIT: u8 = 42;

/// A static 32-bit x86 ELF executable for machine `e_machine` (EM_386 = 3): one
/// PT_LOAD segment, code `mov eax, 1; mov ebx, 42; int 0x80` (the exit system call).
fn program(e_machine: u16) -> Vec<u8> {
    const BASE: u32 = 0x0804_8000;
    const HEADERS: u32 = 52 + 32;
    let code: [u8; 12] = [
        0xb8, 0x01, 0x00, 0x00, 0x00, // mov eax, 1 (exit)
        0xbb, EXIT, 0x00, 0x00, 0x00, // mov ebx, 42
        0xcd, 0x80, // int 0x80
    ];
    let size = HEADERS + code.len() as u32;
    let mut b = Vec::with_capacity(size as usize);
    // e_ident: ELFCLASS32, ELFDATA2LSB, EV_CURRENT, ELFOSABI_SYSV
    b.extend_from_slice(&[0x7f, b'E', b'L', b'F', 1, 1, 1, 0]);
    b.extend_from_slice(&[0; 8]);
    b.extend_from_slice(&2u16.to_le_bytes()); // e_type: ET_EXEC
    b.extend_from_slice(&e_machine.to_le_bytes());
    b.extend_from_slice(&1u32.to_le_bytes()); // e_version
    b.extend_from_slice(&(BASE + HEADERS).to_le_bytes()); // e_entry
    b.extend_from_slice(&52u32.to_le_bytes()); // e_phoff
    b.extend_from_slice(&0u32.to_le_bytes()); // e_shoff
    b.extend_from_slice(&0u32.to_le_bytes()); // e_flags
    for half in [52u16, 32, 1, 0, 0, 0] {
        // e_ehsize, e_phentsize, e_phnum, e_shentsize, e_shnum, e_shstrndx
        b.extend_from_slice(&half.to_le_bytes());
    }
    // the program header: PT_LOAD of the whole file, R+X
    for word in [1u32, 0, BASE, BASE, size, size, 5, 0x1000] {
        b.extend_from_slice(&word.to_le_bytes());
    }
    b.extend_from_slice(&code);
    b
}

/// Whether the kernel runs the probe program for `e_machine` and it exits with 42.
fn runs(e_machine: u16) -> bool {
    let attempt = || -> std::io::Result<bool> {
        let dir = tempfile::tempdir()?;
        let path = dir.path().join("probe");
        {
            let mut f = std::fs::File::create(&path)?;
            f.write_all(&program(e_machine))?;
            f.set_permissions(std::fs::Permissions::from_mode(0o755))?;
        }
        let spec = super::exec::Spec::new(&path);
        let finished = super::exec::run(&spec, std::time::Duration::from_secs(10))?;
        Ok(finished.exit.code == Some(i32::from(EXIT)))
    };
    attempt().unwrap_or(false)
}

/// Whether this kernel executes 32-bit x86 binaries (asked once per process).
pub fn kernel_runs_ia32() -> bool {
    static RUNS: OnceLock<bool> = OnceLock::new();
    *RUNS.get_or_init(|| runs(3))
}

#[cfg(test)]
mod tests {
    use super::*;

    /// readelf reads the probe as the 32-bit x86 executable it is meant to be.
    #[test]
    fn the_probe_is_an_i386_executable() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("probe");
        std::fs::write(&path, program(3)).unwrap();
        let out = std::process::Command::new("readelf")
            .arg("-hlW")
            .arg(&path)
            .output()
            .expect("readelf (binutils)");
        let text = String::from_utf8_lossy(&out.stdout);
        for want in ["ELF32", "Intel 80386", "EXEC (Executable file)", "LOAD"] {
            assert!(text.contains(want), "{want}: {text}");
        }
    }

    /// A program for a machine no kernel knows (e_machine 0xfffe) never runs, so the
    /// probe can say no. Where an i686 glibc loader is installed (Debian's
    /// libc6-i386-cross; `.ci/run` sets up the i686 variant), the probe agrees with
    /// the kernel running that loader (`ld-linux.so.2 --version`), a 32-bit program we
    /// did not write.
    #[test]
    fn the_probe_agrees_with_running_a_32_bit_loader() {
        assert!(!runs(0xfffe));
        let loader = std::path::Path::new("/usr/i686-linux-gnu/lib/ld-linux.so.2");
        if cfg!(all(target_os = "linux", target_arch = "x86_64")) && loader.is_file() {
            let theirs = std::process::Command::new(loader)
                .arg("--version")
                .output()
                .is_ok_and(|o| o.status.success());
            assert_eq!(runs(3), theirs);
        }
    }
}
