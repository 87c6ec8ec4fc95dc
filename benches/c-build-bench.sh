#!/usr/bin/env bash
# The cold default matrix of a crate that compiles C and C++ (the test suite's crate:
# ring, zstd, and a build script compiling one C and one C++ file with cc-rs), beside
# the loop of one `cargo build`/`cargo zigbuild` per variant with the same C toolchain
# variables set by hand (benches/c-matrix-loop.sh), in one run. Both start from empty
# target directories, with the same downloaded crates and the same warm zig cache.
#
#   bash benches/c-build-bench.sh     (about 30 minutes on 2 cores)
set -euo pipefail
cd "$(dirname "$0")/.."
cargo build --release -q
bin=$PWD/target/release/cargo-portable
crate=${CRATE_DIR:-/tmp/bench-c-crate}
rm -rf "$crate"
mkdir -p "$crate/src" "$crate/c"
cat >"$crate/Cargo.toml" <<'TOML'
[package]
name = "cdeps"
version = "0.1.0"
edition = "2021"

[dependencies]
ring = "0.17"
zstd = "0.13"

[build-dependencies]
cc = "1"

[workspace]

[profile.release]
debug = false
TOML
cat >"$crate/build.rs" <<'RS'
fn main() {
    cc::Build::new().file("c/add.c").compile("add");
    cc::Build::new().cpp(true).file("c/sum.cpp").compile("sum");
    println!("cargo:rerun-if-changed=c");
}
RS
cat >"$crate/src/main.rs" <<'RS'
extern "C" {
    fn portable_add(a: i32, b: i32) -> i32;
    fn portable_sum(n: i32, x: i32) -> i32;
}
fn main() {
    let (a, s) = unsafe { (portable_add(2, 3), portable_sum(4, 5)) };
    let packed = zstd::encode_all(&b"portable portable portable"[..], 3).unwrap();
    let digest = ring::digest::digest(&ring::digest::SHA256, &packed);
    println!("{a} {s} {:02x?}", &digest.as_ref()[..4]);
}
RS
echo 'int portable_add(int a, int b) { return a + b; }' >"$crate/c/add.c"
cat >"$crate/c/sum.cpp" <<'CPP'
#include <numeric>
#include <vector>
extern "C" int portable_sum(int n, int x) {
    std::vector<int> v(n, x);
    return std::accumulate(v.begin(), v.end(), 0);
}
CPP
(cd "$crate" && cargo fetch -q)
fmt="  %e s wall, %U s user, %S s system"
export LOOP_DIR=${LOOP_DIR:-/tmp/bench-c-loop}
rm -rf "$crate/target" "$LOOP_DIR"
echo "cold, cargo portable build (12 variants, -j default = $(nproc))"
/usr/bin/time -f "$fmt" "$bin" portable build -q --manifest-path "$crate/Cargo.toml" -o /tmp/bench-c-report.txt ||
  echo "  (exit $?: see /tmp/bench-c-report.txt)"
grep -E '^[0-9]+ variants' /tmp/bench-c-report.txt || tail -3 /tmp/bench-c-report.txt
echo "cold, the loop (12 cargo builds one after another, CC_<target> set by hand)"
/usr/bin/time -f "$fmt" bash -c "exec bash benches/c-matrix-loop.sh '$crate' 2>/tmp/bench-c-loop-stderr.txt"
