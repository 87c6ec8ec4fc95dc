// Record the triple this tool is built for: the report's `host.triple`.
fn main() {
    let target = std::env::var("TARGET").unwrap_or_else(|_| "unknown".to_owned());
    println!("cargo:rustc-env=PORTABLE_HOST_TRIPLE={target}");
    println!("cargo:rerun-if-changed=build.rs");
}
