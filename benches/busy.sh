#!/usr/bin/env bash
# Samples the machine once a second while COMMAND runs: the share of CPU time busy
# (from /proc/stat, all CPUs) and how many rustc, linker (ld, lld, zig) and cargo
# processes are running. Prints one line per second to BUSY_OUT (default
# /tmp/busy.tsv): seconds since the start, busy %, rustc, linkers, cargo; then the
# command's exit code. For seeing where a build leaves cores idle.
#
#   bash benches/busy.sh COMMAND [ARGS...]
set -uo pipefail
out=${BUSY_OUT:-/tmp/busy.tsv}
"$@" &
pid=$!
start=$(date +%s)
read -r _ u n s i w q sq st _ </proc/stat
prev_busy=$((u + n + s + q + sq + st)) prev_all=$((u + n + s + i + w + q + sq + st))
printf 't\tbusy%%\trustc\tlinkers\tcargo\n' >"$out"
while kill -0 "$pid" 2>/dev/null; do
  sleep 1
  read -r _ u n s i w q sq st _ </proc/stat
  busy=$((u + n + s + q + sq + st)) all=$((u + n + s + i + w + q + sq + st))
  pct=$(( (busy - prev_busy) * 100 / ((all - prev_all) > 0 ? (all - prev_all) : 1) ))
  prev_busy=$busy prev_all=$all
  names=$(ps -eo comm= 2>/dev/null)
  rustc=$(grep -cx 'rustc' <<<"$names")
  linkers=$(grep -cE '^(ld|ld\.lld|lld|rust-lld|zig|collect2|.*-ld)$' <<<"$names")
  cargo=$(grep -cE '^cargo' <<<"$names")
  printf '%s\t%s\t%s\t%s\t%s\n' "$(( $(date +%s) - start ))" "$pct" "$rustc" "$linkers" "$cargo" >>"$out"
done
wait "$pid"
