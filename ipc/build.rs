//! Records the target triple the binaries are built for, so `server.info` and
//! `--version` can report it.
fn main() {
    let target = std::env::var("TARGET").unwrap_or_else(|_| "unknown".to_owned());
    println!("cargo:rustc-env=IPC_TARGET={target}");
    println!("cargo:rerun-if-changed=build.rs");
}
