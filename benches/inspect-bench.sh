#!/usr/bin/env bash
# Inspect every ELF file under /usr/bin and /usr/lib/x86_64-linux-gnu in one call,
# beside what users script today, in the same hyperfine run:
#   (a) readelf -d + nm -D --undefined-only, once per file
#   (b) lddtree (the Rust crate: cargo install lddtree), once per file
# then the per-binary figures (cargo bench --bench per_file) and peak memory.
#
#   bash benches/inspect-bench.sh [RUNS]
#   DIRS=/usr/bin NO_LDDTREE=1 bash benches/inspect-bench.sh 5
set -euo pipefail
cd "$(dirname "$0")/.."
runs=${1:-5}
read -r -a dirs <<< "${DIRS:-/usr/bin /usr/lib/x86_64-linux-gnu}"

. benches/hyperfine.sh
lddtree=${LDDTREE:-$HOME/.cargo/bin/lddtree}
[ -n "${NO_LDDTREE:-}" ] || [ -x "$lddtree" ] || cargo install lddtree --locked
cargo build --release -q
bin=$PWD/target/release/cargo-portable

list=$(mktemp)
trap 'rm -f "$list"' EXIT
find "${dirs[@]}" -type f -exec sh -c 'for f; do head -c4 "$f" | grep -q "^.ELF" && echo "$f"; done' _ {} + > "$list"
echo "ELF files: $(wc -l < "$list"), $(cat "$list" | xargs du -cb | tail -1 | cut -f1) bytes"

peers=(-n "(a) readelf -d + nm -D -u per file"
       "while read -r f; do readelf -d \"\$f\"; nm -D --undefined-only \"\$f\"; done < $list > /dev/null 2>&1")
[ -n "${NO_LDDTREE:-}" ] || peers+=(-n "(b) lddtree per file"
       "while read -r f; do $lddtree \"\$f\"; done < $list > /dev/null 2>&1")
# the default (human) and ldd formats show no digest, so compute none
hyperfine --warmup 1 --runs "$runs" --export-markdown /tmp/inspect-bench.md \
    -n "cargo-portable inspect (human, the default)" \
        "$bin inspect ${dirs[*]} > /dev/null" \
    -n "cargo-portable inspect --format ldd" \
        "$bin inspect --format ldd ${dirs[*]} > /dev/null" \
    -n "cargo-portable inspect (json, sha256)" \
        "$bin inspect --format json -o /dev/null ${dirs[*]}" \
    -n "cargo-portable inspect (json, --no-hash)" \
        "$bin inspect --no-hash --format json -o /dev/null ${dirs[*]}" \
    "${peers[@]}"

echo; echo "peak RSS (one call):"
/usr/bin/time -f "  with sha256: %e s, %M KB max RSS" "$bin" inspect --format json -o /dev/null "${dirs[@]}"
/usr/bin/time -f "  --no-hash:   %e s, %M KB max RSS" "$bin" inspect --no-hash --format json -o /dev/null "${dirs[@]}"

echo; echo "per binary (in memory, best of 5):"
cargo bench -q --bench per_file 2>/dev/null
