#!/usr/bin/env bash
# `merge` and `diff` on N (default 500) single-variant reports derived from a real
# build report, the shape of a CI report job over a wide matrix.
#
#   bash benches/report-bench.sh [REPORT] [N] [RUNS]
#
# REPORT: a real build report (default: the IPC server built for three host variants,
# made once into target/report-bench/source.json). Its variants are cycled through to
# make N reports of one variant each (ids <id>-<n>, one matrix of N ids), as N CI jobs
# would write; NEW is the merged report with every 10th binary 15 % bigger and every
# 25th needing glibc 2.36 (forced by arc4random), so `diff` has regressions to find.
# Timed with hyperfine when installed, else a loop over `date +%s%N`.
set -euo pipefail
cd "$(dirname "$0")/.."
src=${1:-}
n=${2:-500}
runs=${3:-10}
cargo build --release -q
bin=$PWD/target/release/cargo-portable
work=target/report-bench
mkdir -p "$work"
if [ -z "$src" ]; then
    src=$work/source.json
    if [ ! -f "$src" ]; then
        "$bin" build -q -p ipc --variant linux-x86_64-gnu --variant linux-x86_64-gnu-static \
            --variant linux-x86_64-musl --format json -o "$src"
    fi
fi
rm -rf "$work/reports" && mkdir -p "$work/reports"
python3 - "$src" "$n" "$work" <<'PY'
import copy, hashlib, json, sys
src, n, work = sys.argv[1], int(sys.argv[2]), sys.argv[3]
base = json.load(open(src))
built = [v for v in base["variants"] if v["status"] == "built"]
assert built, f"{src}: no built variant"
ids = [f"{built[i % len(built)]['id']}-{i:03d}" for i in range(n)]
digest = hashlib.sha256("\n".join(ids).encode()).hexdigest()
for i, id in enumerate(ids):
    r = copy.deepcopy(base)
    v = copy.deepcopy(built[i % len(built)])
    v["id"] = id
    r["variants"] = [v]
    r["matrix_sha256"] = digest
    r["matrix_variants"] = ids
    json.dump(r, open(f"{work}/reports/report-{id}.json", "w"), indent=2)
PY
"$bin" merge "$work"/reports/*.json -o "$work/old.json" || [ $? -eq 1 ]
python3 - "$work" <<'PY'
import json, sys
work = sys.argv[1]
r = json.load(open(f"{work}/old.json"))
for i, v in enumerate(r["variants"]):
    for a in v["artifacts"]:
        if i % 10 == 0:
            a["size"] = int(a["size"] * 1.15)
        if i % 25 == 0 and a["requires"]["glibc"]:
            a["requires"]["glibc"] = {"version": "2.36", "forced_by": ["arc4random"]}
            a["imports"].append({"name": "arc4random", "version": "GLIBC_2.36", "library": "libc.so.6", "weak": False})
json.dump(r, open(f"{work}/new.json", "w"), indent=2)
PY
files=$(ls "$work"/reports/*.json | wc -l)
echo "$files reports, $(du -cb "$work"/reports/*.json | tail -1 | cut -f1) bytes; merged: $(stat -c %s "$work/old.json") bytes"
"$bin" diff "$work/old.json" "$work/new.json" | tail -1 || true

merge="$bin merge $work/reports/*.json -o $work/merged.json"
diff="$bin diff $work/old.json $work/new.json --format markdown -o $work/diff.md"
both="$merge; $diff"
if command -v hyperfine >/dev/null; then
    # merge and diff exit 1 by design here (a failed variant, regressions): -i
    hyperfine -i --warmup 1 --runs "$runs" --export-markdown "$work/bench.md" \
        -n "merge $files reports" "$merge" \
        -n "diff $files-variant reports (markdown)" "$diff" \
        -n "merge + diff" "$both"
else
    for cmd in "$merge" "$diff" "$both"; do
        best=
        for _ in $(seq "$runs"); do
            t0=$(date +%s%N); sh -c "$cmd" || true; t1=$(date +%s%N)
            ms=$(( (t1 - t0) / 1000000 ))
            if [ -z "$best" ] || [ "$ms" -lt "$best" ]; then best=$ms; fi
        done
        echo "best of $runs: ${best} ms: $cmd"
    done
fi
