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
export LOOP_DIR=${LOOP_DIR:-/tmp/bench-loop}
loop=$LOOP_DIR
cargo fetch -q

rm -rf "$ours" "$loop"
echo "cold, cargo portable build -p ipc (-j default = $(nproc))"
/usr/bin/time -f "  %e s wall, %U s user" env CARGO_TARGET_DIR="$ours" "$bin" build -p ipc -q -o /tmp/bench-report.txt
echo "cold, the loop (12 cargo builds one after another)"
/usr/bin/time -f "  %e s wall, %U s user" bash bench/matrix-loop.sh
echo
echo "warm (nothing changed):"
hyperfine --runs 5 --warmup 1 \
  -n "cargo portable build -p ipc (warm)" "env CARGO_TARGET_DIR=$ours $bin build -p ipc -q -o /dev/null"
echo "the loop, warm (one run: flags that differ between variants of one target may rebuild)"
/usr/bin/time -f "  %e s wall, %U s user" bash bench/matrix-loop.sh
