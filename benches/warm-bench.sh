#!/usr/bin/env bash
# Warm builds (nothing changed since the last run) of the IPC server, ours beside the
# plain cargo loop over the same variants (benches/matrix-loop.sh, benches/wide-loop.sh),
# in one hyperfine run: the default matrix and the `wide` one, RUNS runs each (5) after
# a checked warm-up run of each, which builds whatever the target directory lacks (the
# first time: a cold build, minutes). The load average is printed before and after: on
# a shared machine the figures beside each other in one run are what to compare.
#
#   bash benches/warm-bench.sh                      (both matrices)
#   MATRICES=default bash benches/warm-bench.sh     (the default matrix only)
set -euo pipefail
cd "$(dirname "$0")/.."
. benches/hyperfine.sh
cargo build --release -q
bin=$PWD/target/release/cargo-portable
runs=${RUNS:-5}
matrices=${MATRICES:-default wide}
ours=${OURS_DIR:-/tmp/bench-portable}
loop=${LOOP_DIR:-/tmp/bench-loop}
ours_wide=${OURS_WIDE_DIR:-/tmp/bench-wide-ours}
wide_loop=${WIDE_LOOP_DIR:-/tmp/bench-wide-loop}
commands=()
for m in $matrices; do
  case "$m" in
    default)
      commands+=(-n "default, ours: cargo portable build -p ipc"
        "env CARGO_TARGET_DIR=$ours $bin build -p ipc -q -o /dev/null"
        -n "default, the loop (benches/matrix-loop.sh)"
        "env LOOP_DIR=$loop bash benches/matrix-loop.sh 2>/dev/null") ;;
    wide)
      commands+=(-n "wide, ours: cargo portable build -p ipc --matrix wide"
        "env CARGO_TARGET_DIR=$ours_wide $bin build -p ipc --matrix wide -q -o /dev/null"
        -n "wide, the loop (benches/wide-loop.sh)"
        "env LOOP_DIR=$wide_loop bash benches/wide-loop.sh 2>/dev/null") ;;
    *) echo "unknown matrix: $m" >&2; exit 2 ;;
  esac
done
# The warm-up, before hyperfine: builds what each target directory lacks (the first
# time: a cold build, minutes) and checks every command. A loop that stopped at a
# failing variant, or a matrix with a failed variant, would time less than the whole.
for m in $matrices; do
  case "$m" in
    default) dir=$ours; flags=(); loop_script=matrix-loop.sh; loop_dir=$loop ;;
    wide) dir=$ours_wide; flags=(--matrix wide); loop_script=wide-loop.sh; loop_dir=$wide_loop ;;
  esac
  echo "warm-up, $m: ours, then the loop"
  CARGO_TARGET_DIR=$dir "$bin" build -p ipc "${flags[@]}" -q -o "/tmp/bench-warm-$m.txt" || true
  summary=$(grep -E '^[0-9]+ variants' "/tmp/bench-warm-$m.txt" || echo "no summary line")
  echo "  $summary"
  case "$summary" in
    *" 0 failed"*) ;;
    *) echo "ours failed on the $m matrix: see /tmp/bench-warm-$m.txt" >&2; exit 1 ;;
  esac
  LOOP_DIR=$loop_dir bash "benches/$loop_script" 2>"/tmp/bench-warm-loop-$m.txt" || {
    echo "the loop failed on the $m matrix: see /tmp/bench-warm-loop-$m.txt" >&2
    exit 1
  }
done
echo "load average before: $(cut -d' ' -f1-3 /proc/loadavg)"
# -i: the wide matrix exits 1 (variants whose std rustup does not serve are skipped;
# the warm-up above checked that none failed)
hyperfine -i --runs "$runs" --warmup 1 --export-markdown /tmp/bench-warm.md "${commands[@]}"
echo "load average after: $(cut -d' ' -f1-3 /proc/loadavg)"
