#!/usr/bin/env bash
# The wide built-in matrix (`--matrix wide`, 19 variants) on the IPC server, cold, beside
# the loop users script today (benches/wide-loop.sh: one `cargo build` or
# `cargo zigbuild` per variant, one after another, one target directory), in one run.
# Both start from empty target directories, with the same downloaded crates and the
# same warm zig cache, after `setup --matrix wide`. Then both warm.
#
#   bash benches/wide-bench.sh        (about 25 minutes on 2 quiet cores)
set -euo pipefail
cd "$(dirname "$0")/.."
. benches/hyperfine.sh
cargo build --release -q
bin=$PWD/target/release/cargo-portable
ours=${OURS_DIR:-/tmp/bench-wide-ours}
export LOOP_DIR=${LOOP_DIR:-/tmp/bench-wide-loop}
cargo fetch -q
"$bin" setup --matrix wide -q || true # a target rustup cannot serve is reported, not fatal
fmt="  %e s wall, %U s user, %S s system"
load() { echo "  load average: $(cut -d' ' -f1-3 /proc/loadavg)"; }
rm -rf "$ours" "$LOOP_DIR"
echo "cold, cargo portable build -p ipc --matrix wide (-j default = $(nproc))"
load
/usr/bin/time -f "$fmt" env CARGO_TARGET_DIR="$ours" "$bin" build -p ipc --matrix wide -q \
  -o /tmp/bench-wide-report.txt || echo "  (exit $?: see /tmp/bench-wide-report.txt)"
tail -n 1 /tmp/bench-wide-report.txt
load
echo "cold, the loop (one cargo build per variant, one after another)"
/usr/bin/time -f "$fmt" bash -c 'exec bash benches/wide-loop.sh 2>/tmp/bench-wide-loop-stderr.txt'
grep '^loop:' /tmp/bench-wide-loop-stderr.txt || true
load
echo
echo "warm (nothing changed):"
hyperfine -i --runs 3 --warmup 1 \
  -n "cargo portable build -p ipc --matrix wide (warm)" \
  "env CARGO_TARGET_DIR=$ours $bin build -p ipc --matrix wide -q -o /dev/null"
echo "the loop, warm"
/usr/bin/time -f "$fmt" bash -c 'exec bash benches/wide-loop.sh 2>/dev/null'
