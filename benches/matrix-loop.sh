#!/usr/bin/env bash
# The baseline users script today: the default matrix as a loop of
# `cargo build --release --target T` (or `cargo zigbuild`), one variant after another,
# each with its flags in RUSTFLAGS, all in one target directory ($LOOP_DIR).
set -euo pipefail
cd "$(dirname "$0")/.."
. benches/loop-lib.sh
loop=${LOOP_DIR:-/tmp/bench-loop}
# target | RUSTFLAGS (the flags our planner gives the variant) | zig | zig cc target
variants=(
  "x86_64-unknown-linux-gnu||"
  "x86_64-unknown-linux-gnu|-C linker-features=-lld|"
  "x86_64-unknown-linux-gnu|-C target-feature=+crt-static -C linker-features=-lld|"
  "x86_64-unknown-linux-gnu.2.17||zig"
  "x86_64-unknown-linux-musl|-C linker=rust-lld -C linker-flavor=ld.lld -C link-self-contained=yes||x86_64-linux-musl"
  "x86_64-unknown-linux-musl|-C linker=musl-gcc -C relocation-model=static|"
  "x86_64-unknown-linux-musl|-C target-feature=-crt-static|zig"
  "aarch64-unknown-linux-gnu|-C linker=aarch64-linux-gnu-gcc|"
  "aarch64-unknown-linux-musl|-C linker=rust-lld -C linker-flavor=ld.lld -C link-self-contained=yes||aarch64-linux-musl"
  "x86_64-apple-darwin||zig"
  "aarch64-apple-darwin||zig"
  "x86_64-pc-windows-gnu||"
)
build_each "$loop" "${variants[@]}"
