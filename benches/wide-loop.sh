#!/usr/bin/env bash
# The baseline users script today for the wide matrix (targets/wide.toml): a loop of
# `cargo build --release --target T` (or `cargo zigbuild`), one variant after another,
# each with the linker our planner gives the variant in RUSTFLAGS, all in one target
# directory ($LOOP_DIR). A target whose standard library is not installed (rustup's
# channel cannot serve some) is left out, as cargo-portable skips it.
set -euo pipefail
cd "$(dirname "$0")/.."
. benches/loop-lib.sh
loop=${LOOP_DIR:-/tmp/bench-wide-loop}
lld="-C linker=rust-lld -C linker-flavor=ld.lld -C link-self-contained=yes"
# target | RUSTFLAGS | zig | zig cc target
variants=(
  "x86_64-unknown-linux-gnu||"
  "x86_64-unknown-linux-musl|$lld||x86_64-linux-musl"
  "i686-unknown-linux-gnu|-C linker=i686-linux-gnu-gcc|"
  "i686-unknown-linux-musl|$lld||x86-linux-musl"
  "aarch64-unknown-linux-gnu|-C linker=aarch64-linux-gnu-gcc|"
  "aarch64-unknown-linux-musl|$lld||aarch64-linux-musl"
  "armv7-unknown-linux-gnueabihf|-C linker=arm-linux-gnueabihf-gcc|"
  "armv7-unknown-linux-musleabihf|$lld||arm-linux-musleabihf"
  "riscv64gc-unknown-linux-gnu|-C linker=riscv64-linux-gnu-gcc|"
  "riscv64gc-unknown-linux-musl|$lld||riscv64-linux-musl"
  "powerpc64le-unknown-linux-gnu|-C linker=powerpc64le-linux-gnu-gcc|"
  "s390x-unknown-linux-gnu|-C linker=s390x-linux-gnu-gcc|"
  "loongarch64-unknown-linux-gnu||zig"
  "x86_64-unknown-freebsd||zig"
  "x86_64-unknown-netbsd||zig"
  "x86_64-pc-windows-gnu|-C linker=x86_64-w64-mingw32-gcc|"
  "i686-pc-windows-gnu|-C linker=i686-w64-mingw32-gcc|"
  "x86_64-apple-darwin||zig"
  "aarch64-apple-darwin||zig"
)
build_each "$loop" "${variants[@]}"
