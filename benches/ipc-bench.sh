#!/usr/bin/env bash
# Benchmarks ipc-server against a seed-style Go server (benches/go-server), both on
# Unix sockets, with the same client (`ipc-client bench`), then holds many idle
# connections to each and reads their RSS.
#
#   bash benches/ipc-bench.sh            # defaults below
#   ROUNDS=5 REQUESTS=200000 bash benches/ipc-bench.sh
#   RUST_BASE=/path/to/old/ipc-server bash benches/ipc-bench.sh
#
# RUST_BASE: another ipc-server binary (e.g. built from an earlier commit), run as
# server "base" in the same interleaved rounds as the other two, so a change can be
# compared with what it changes under the same load.
#
# SERVER_BINS="name=PATH name=PATH ...": run these ipc-server binaries instead (no Go
# server, no idle-connection part), interleaved the same way, each against the same
# client; the report adds each one's throughput relative to the first. For builds of
# the same source that differ in target or allocator, e.g. (docs/benchmarks.md):
#   SERVER_BINS="glibc=$G musl=$M musl-mimalloc=$MM" METHOD=server.info PARAMS=null \
#   CONNS="16 64" ROUNDS=7 bash benches/ipc-bench.sh
#
# Needs: cargo, go (Debian: golang-go), python3. Prints a Markdown report on
# stdout; raw JSON lines are kept in $OUT (default: a temp dir).
set -euo pipefail

ROOT=$(cd "$(dirname "$0")/.." && pwd)
REQUESTS=${REQUESTS:-100000}
CONNS=${CONNS:-"1 16 64 256"}
ROUNDS=${ROUNDS:-3}
IDLE=${IDLE:-10000}
IDLE_HOLD=${IDLE_HOLD:-8s}
METHOD=${METHOD:-arith.divide}
PARAMS=${PARAMS:-'{"a":17,"b":8}'}
SERVER_THREADS=${SERVER_THREADS:-0}
CLIENT_THREADS=${CLIENT_THREADS:-1}
WORK=$(mktemp -d)
OUT=${OUT:-$WORK}
export CARGO_TARGET_DIR=${CARGO_TARGET_DIR:-$ROOT/target}
R=$CARGO_TARGET_DIR/release

# 10,000 connections need more descriptors than the usual soft limit of 1024.
ulimit -n "$(ulimit -Hn)" 2>/dev/null || true
if [ "$(ulimit -n)" != unlimited ] && [ "$(ulimit -n)" -lt $((IDLE + 100)) ]; then
    echo "warning: open-files limit $(ulimit -n) is below $((IDLE + 100))" >&2
fi

PIDS=()
cleanup() {
    for p in "${PIDS[@]}"; do kill "$p" 2>/dev/null || true; done
    wait 2>/dev/null || true
    [ "$OUT" = "$WORK" ] || rm -rf "$WORK"
}
trap cleanup EXIT

echo "building..." >&2
(cd "$ROOT" && cargo build --release -p ipc --quiet)
[ -n "${SERVER_BINS:-}" ] || (cd "$ROOT/benches/go-server" && go build -o "$WORK/go-ipc-server" .)

wait_sock() {
    for _ in $(seq 1 200); do [ -S "$1" ] && return 0; sleep 0.05; done
    echo "socket $1 did not appear" >&2
    exit 1
}

start_rust() { # sock [extra args]
    local sock=$1
    shift
    "${RUST_BIN:-$R/ipc-server}" --listen "unix:$sock" --log-level warn --threads "$SERVER_THREADS" \
        --max-connections $((IDLE + 1000)) "$@" 2>>"$OUT/rust-server.log" &
    PIDS+=($!)
    LAST=$!
    wait_sock "$sock"
}

start_go() { # sock
    "$WORK/go-ipc-server" -listen "$1" 2>>"$OUT/go-server.log" &
    PIDS+=($!)
    LAST=$!
    wait_sock "$1"
}

ticks() { awk '{print $14 + $15}' "/proc/$1/stat"; }

# --- throughput and latency ---------------------------------------------------
declare -A PID_OF=()
if [ -n "${SERVER_BINS:-}" ]; then
    SERVERS=""
    for nb in $SERVER_BINS; do
        name=${nb%%=*}
        RUST_BIN=${nb#*=} start_rust "$WORK/$name.sock"
        PID_OF[$name]=$LAST
        SERVERS="$SERVERS $name"
    done
else
    start_rust "$WORK/rust.sock"
    PID_OF[rust]=$LAST
    start_go "$WORK/go.sock"
    PID_OF[go]=$LAST
    SERVERS="rust go"
fi
if [ -n "${RUST_BASE:-}" ]; then
    RUST_BIN=$RUST_BASE start_rust "$WORK/base.sock"
    PID_OF[base]=$LAST
    SERVERS="rust base go"
fi
: >"$OUT/bench.jsonl"
for n in $CONNS; do
    for round in $(seq 1 "$ROUNDS"); do
        for s in $SERVERS; do
            pid=${PID_OF[$s]}
            t0=$(ticks "$pid")
            line=$("$R/ipc-client" --connect "unix:$WORK/$s.sock" bench --connections "$n" \
                --requests "$REQUESTS" --method "$METHOD" --params "$PARAMS" \
                --threads "$CLIENT_THREADS" --json)
            t1=$(ticks "$pid")
            echo "{\"server\":\"$s\",\"round\":$round,\"server_cpu_ticks\":$((t1 - t0)),\"report\":$line}" \
                >>"$OUT/bench.jsonl"
            echo "  $s n=$n round $round: $line" >&2
        done
    done
done
kill "${PID_OF[@]}"
wait "${PID_OF[@]}" 2>/dev/null || true

# --- idle connections ---------------------------------------------------------
: >"$OUT/idle.jsonl"
IDLE_SERVERS="rust go"
[ -z "${SERVER_BINS:-}" ] || IDLE_SERVERS=""
for s in $IDLE_SERVERS; do
    sock="$WORK/idle-$s.sock"
    if [ $s = rust ]; then start_rust "$sock"; else start_go "$sock"; fi
    pid=$LAST
    base=$(awk '/^VmRSS/ {print $2}' "/proc/$pid/status")
    "$R/ipc-client" --connect "unix:$sock" idle --connections "$IDLE" \
        --hold "$IDLE_HOLD" >"$WORK/idle-$s.out" 2>&1 &
    cpid=$!
    for _ in $(seq 1 1200); do
        grep -q holding "$WORK/idle-$s.out" && break
        kill -0 $cpid 2>/dev/null || break
        sleep 0.1
    done
    sleep 1
    held=$(grep -o 'holding [0-9]*' "$WORK/idle-$s.out" | awk '{print $2}')
    rss=$(awk '/^VmRSS/ {print $2}' "/proc/$pid/status")
    fds=$(ls "/proc/$pid/fd" | wc -l)
    wait $cpid || { echo "idle client failed: $(cat "$WORK/idle-$s.out")" >&2; }
    echo "{\"server\":\"$s\",\"held\":${held:-0},\"rss_kb\":$rss,\"base_rss_kb\":$base,\"fds\":$fds}" >>"$OUT/idle.jsonl"
    echo "  idle $s: held ${held:-0}, RSS $rss kB (baseline $base kB), $fds fds" >&2
    kill "$pid"
    wait "$pid" 2>/dev/null || true
done

# --- report -------------------------------------------------------------------
python3 - "$OUT" "$REQUESTS" "$ROUNDS" "${SERVER_BINS:-}" <<'EOF'
import json, statistics, sys
out, requests, rounds = sys.argv[1], int(sys.argv[2]), int(sys.argv[3])
bins = [nb.split("=", 1)[0] for nb in sys.argv[4].split()]
rows = [json.loads(l) for l in open(f"{out}/bench.jsonl")]
by = {}
for r in rows:
    by.setdefault((r["report"]["connections"], r["server"]), []).append(r)
med = lambda xs: statistics.median(xs)
print(f"Each cell: median of {rounds} interleaved rounds of {requests} requests.\n")
print("| connections | server | requests/s | p50 µs | p99 µs | max µs | server CPU µs/request |")
print("|---:|---|---:|---:|---:|---:|---:|")
ratios = {}
order = {"rust": 0, "base": 1, "go": 2} if not bins else {b: i for i, b in enumerate(bins)}
for (n, s) in sorted(by, key=lambda k: (k[0], order.get(k[1], 3))):
    rs = by[(n, s)]
    rps = med([r["report"]["requests_per_sec"] for r in rs])
    cpu = med([r["server_cpu_ticks"] * 1e6 / 100 / r["report"]["requests"] for r in rs])
    print(f"| {n} | {s} | {rps:,.0f} | {med([r['report']['p50_us'] for r in rs]):.0f} | "
          f"{med([r['report']['p99_us'] for r in rs]):.0f} | {med([r['report']['max_us'] for r in rs]):.0f} | {cpu:.1f} |")
    ratios.setdefault(n, {})[s] = (rps, med([r["report"]["p99_us"] for r in rs]), cpu)
print()
for n, d in sorted(ratios.items()):
    if "rust" in d and "go" in d:
        print(f"- {n} connections: throughput ratio rust/go = {d['rust'][0] / d['go'][0]:.2f}x, "
              f"p99 rust {d['rust'][1]:.0f} µs vs go {d['go'][1]:.0f} µs")
    if "rust" in d and "base" in d:
        print(f"- {n} connections: rust/base throughput {d['rust'][0] / d['base'][0]:.2f}x, "
              f"CPU µs/request {d['rust'][2]:.1f} vs {d['base'][2]:.1f}")
    for b in bins[1:]:
        if b in d and bins[0] in d:
            print(f"- {n} connections: {b}/{bins[0]} throughput {d[b][0] / d[bins[0]][0]:.2f}x, "
                  f"p99 {d[b][1]:.0f} vs {d[bins[0]][1]:.0f} µs, "
                  f"CPU µs/request {d[b][2]:.1f} vs {d[bins[0]][2]:.1f}")
print()
if bins:
    sys.exit(0)
print("| idle connections held | server | RSS | RSS before |")
print("|---:|---|---:|---:|")
for l in open(f"{out}/idle.jsonl"):
    r = json.loads(l)
    print(f"| {r['held']:,} | {r['server']} | {r['rss_kb'] / 1024:.1f} MiB | {r['base_rss_kb'] / 1024:.1f} MiB |")
EOF
