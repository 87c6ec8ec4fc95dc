#!/usr/bin/env bash
# The full default matrix on the IPC server, cold and warm, beside what users script
# today: a loop of `cargo build --release --target T` (or `cargo zigbuild`) per variant,
# one after another, with that variant's flags in RUSTFLAGS, in one target directory
# (benches/matrix-loop.sh). Both start from empty target directories and use the same
# downloaded crates and the same warm zig cache.
#
# Cold runs alternate, ours then the loop, ROUNDS times (the machine's speed drifts;
# alternating keeps each pair comparable), then warm runs of both.
#
#   bash benches/build-bench.sh            (ROUNDS=2: about 35 minutes on 2 cores)
set -euo pipefail
cd "$(dirname "$0")/.."
. benches/hyperfine.sh
cargo build --release -q
bin=$PWD/target/release/cargo-portable
ours=${OURS_DIR:-/tmp/bench-portable}
export LOOP_DIR=${LOOP_DIR:-/tmp/bench-loop}
loop=$LOOP_DIR
rounds=${ROUNDS:-2}
cargo fetch -q
fmt="  %e s wall, %U s user, %S s system"
# the loop's stderr (rustc's warnings about the missing macOS SDK) goes to a file,
# not the time report
loop_timed() {
  /usr/bin/time -f "$fmt" bash -c 'exec bash benches/matrix-loop.sh 2>/tmp/bench-loop-stderr.txt'
}

for r in $(seq "$rounds"); do
  rm -rf "$ours" "$loop"
  echo "round $r: cold, cargo portable build -p ipc (-j default = $(nproc))"
  /usr/bin/time -f "$fmt" env CARGO_TARGET_DIR="$ours" "$bin" build -p ipc -q -o /tmp/bench-report.txt
  echo "round $r: cold, the loop (12 cargo builds one after another)"
  loop_timed
done
echo
echo "warm (nothing changed):"
hyperfine --runs 5 --warmup 1 \
  -n "cargo portable build -p ipc (warm)" "env CARGO_TARGET_DIR=$ours $bin build -p ipc -q -o /dev/null"
echo "the loop, warm (one run: flags that differ between variants of one target rebuild)"
loop_timed
