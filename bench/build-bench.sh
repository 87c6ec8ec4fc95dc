#!/usr/bin/env bash
# The full default matrix on the IPC server, cold and warm, beside what users script
# today: a loop of `cargo build --release --target T` (or `cargo zigbuild`) per variant,
# one after another, with that variant's flags in RUSTFLAGS, in one target directory.
# Both start from empty target directories and use the same downloaded crates.
#
#   bash bench/build-bench.sh            (about 30 minutes on 2 cores)
set -euo pipefail
cd "$(dirname "$0")/.."
export PATH="$(python3 -c 'import sysconfig; print(sysconfig.get_path("scripts"))'):$PATH"
cargo build --release -q
bin=$PWD/target/release/cargo-portable
ours=${OURS_DIR:-/tmp/bench-portable}
loop=${LOOP_DIR:-/tmp/bench-loop}
cargo fetch -q

# variant: target, RUSTFLAGS, zig (the flags our planner gives each variant)
variants=(
  "x86_64-unknown-linux-gnu||"
  "x86_64-unknown-linux-gnu|-C linker-features=-lld|"
  "x86_64-unknown-linux-gnu|-C target-feature=+crt-static -C linker-features=-lld|"
  "x86_64-unknown-linux-gnu.2.17||zig"
  "x86_64-unknown-linux-musl|-C linker=rust-lld -C linker-flavor=ld.lld -C link-self-contained=yes|"
  "x86_64-unknown-linux-musl|-C linker=musl-gcc|"
  "x86_64-unknown-linux-musl|-C target-feature=-crt-static|zig"
  "aarch64-unknown-linux-gnu|-C linker=aarch64-linux-gnu-gcc|"
  "aarch64-unknown-linux-musl|-C linker=rust-lld -C linker-flavor=ld.lld -C link-self-contained=yes|"
  "x86_64-apple-darwin||zig"
  "aarch64-apple-darwin||zig"
  "x86_64-pc-windows-gnu||"
)
run_loop() {
  for v in "${variants[@]}"; do
    IFS='|' read -r t flags zig <<<"$v"
    if [ -n "$zig" ]; then
      case "$t" in *apple*) export MACOSX_DEPLOYMENT_TARGET=$(rustc --print deployment-target --target "$t" | cut -d= -f2) ;; esac
      RUSTFLAGS="$flags" CARGO_TARGET_DIR=$loop cargo zigbuild -q --release -p ipc --target "$t"
      unset MACOSX_DEPLOYMENT_TARGET
    else
      RUSTFLAGS="$flags" CARGO_TARGET_DIR=$loop cargo build -q --release -p ipc --target "$t"
    fi
  done
}
export -f run_loop; export loop

rm -rf "$ours" "$loop"
echo "cold, cargo portable build -p ipc (-j default = $(nproc))"
/usr/bin/time -f "  %e s wall, %U s user" env CARGO_TARGET_DIR="$ours" "$bin" build -p ipc -q -o /tmp/bench-report.txt
echo "cold, the loop (12 cargo builds one after another)"
/usr/bin/time -f "  %e s wall, %U s user" bash -c run_loop
echo
echo "warm (nothing changed):"
hyperfine --runs 5 --warmup 1 \
  -n "cargo portable build -p ipc (warm)" "env CARGO_TARGET_DIR=$ours $bin build -p ipc -q -o /dev/null"
echo "the loop, warm (one run: flags that differ between variants of one target may rebuild)"
/usr/bin/time -f "  %e s wall, %U s user" bash -c run_loop
