#!/usr/bin/env bash
# Instructions per request of ipc-server builds, counted by valgrind's callgrind: a
# figure that, unlike CPU time on a shared machine, does not move with other load.
# Each server runs under callgrind on a Unix socket, `ipc-client bench` sends it
# REQUESTS arith.divide requests on CONNECTIONS connections, then SIGTERM ends it
# (callgrind writes its counts at exit). User-space instructions only: the kernel's
# share (syscalls, scheduling) is not counted.
#
#   bash benches/ipc-callgrind.sh target/release/ipc-server /tmp/old/ipc-server
#
# Needs: valgrind (callgrind_annotate). Prints a Markdown table; the callgrind files
# are kept in $OUT (default: a temp dir).
set -euo pipefail

ROOT=$(cd "$(dirname "$0")/.." && pwd)
REQUESTS=${REQUESTS:-20000}
CONNECTIONS=${CONNECTIONS:-4}
OUT=${OUT:-$(mktemp -d)}
CLIENT=${CLIENT:-${CARGO_TARGET_DIR:-$ROOT/target}/release/ipc-client}
[ $# -ge 1 ] || { echo "usage: $0 IPC_SERVER..." >&2; exit 2; }

echo "| server | requests | instructions/request, whole process | in protocol::handle_frame |"
echo "|---|---:|---:|---:|"
i=0
for bin in "$@"; do
    i=$((i + 1))
    dir=$(mktemp -d)
    cg="$OUT/callgrind.$i.out"
    valgrind --tool=callgrind --callgrind-out-file="$cg" "$bin" --listen "unix:$dir/s.sock" \
        --log-level warn 2>"$OUT/valgrind.$i.log" &
    pid=$!
    for _ in $(seq 1 400); do [ -S "$dir/s.sock" ] && break; sleep 0.05; done
    "$CLIENT" --connect "unix:$dir/s.sock" bench --connections "$CONNECTIONS" \
        --requests "$REQUESTS" --method arith.divide --params '{"a":17,"b":8}' --json >/dev/null
    kill -TERM "$pid"
    wait "$pid" || true
    rm -rf "$dir"
    total=$(awk '/^summary:/ {print $2}' "$cg")
    frame=$(callgrind_annotate --inclusive=yes "$cg" 2>/dev/null \
        | awk '!f && /ipc::protocol::handle_frame / {gsub(",", "", $1); print $1; f = 1}')
    echo "| \`$bin\` | $REQUESTS | $((total / REQUESTS)) | $((${frame:-0} / REQUESTS)) |"
done
