#!/usr/bin/env bash
# `cargo portable why` on the IPC server: the cold build of one variant with its cold
# index, then `why` with a cold index cache (the build warm), then `why` warm, beside
# the hand-made peer: `llvm-objdump -t` over every input of the same link, grepped for
# the symbol (what people run today to find who references getaddrinfo; GNU nm and
# llvm-nm 14 cannot read the Windows std objects). SKIP_COLD=1 keeps the variant's
# build (for a second run).
#
#   bash benches/why-bench.sh [VARIANT] [SYMBOL]    (default: windows-x86_64-gnu, the
#   default matrix's largest ipc-server; and getaddrinfo)
set -euo pipefail
cd "$(dirname "$0")/.."
. benches/hyperfine.sh
V=${1:-windows-x86_64-gnu}
SYM=${2:-getaddrinfo}
cargo build --release -q
BIN=$PWD/target/release/cargo-portable
CACHE=${XDG_CACHE_HOME:-$HOME/.cache}/cargo-portable/why-index
OUT=$(mktemp -d)
trap 'rm -rf "$OUT"' EXIT

if [ -z "${SKIP_COLD:-}" ]; then
  echo "== cold build of $V (empty variant directory, empty index cache)"
  rm -rf "target/portable/$V" "$CACHE"
fi
/usr/bin/time -f "%e s wall, %U s user" "$BIN" build -p ipc --bin ipc-server --variant "$V" \
  -q --format json -o "$OUT/report.json"
python3 - "$OUT/report.json" <<'EOF'
import json, sys
r = json.load(open(sys.argv[1]))
v = r["variants"][0]
a = v["artifacts"][0]
print(f'{v["id"]}: {v["status"]}, build_seconds {v["build_seconds"]}, {a["size"]} bytes, '
      f'{len(a["imports"])} imports, {sum(1 for i in a["imports"] if i.get("origin"))} with an origin')
EOF
REC=$(dirname "$(python3 -c 'import json,sys; print(json.load(open(sys.argv[1]))["variants"][0]["artifacts"][0]["path"])' "$OUT/report.json")")/.portable-why/$(basename "$(python3 -c 'import json,sys; print(json.load(open(sys.argv[1]))["variants"][0]["artifacts"][0]["path"])' "$OUT/report.json")").json
python3 -c 'import json,sys; r=json.load(open(sys.argv[1])); print("\n".join(u["path"] for u in r["units"]))' "$REC" > "$OUT/inputs"
echo "link inputs: $(wc -l < "$OUT/inputs") files, $(xargs du -cb < "$OUT/inputs" | tail -1 | cut -f1) bytes"

WHY="$BIN why $SYM -p ipc --bin ipc-server --variant $V"
hyperfine --style basic --runs 3 --prepare "rm -rf '$CACHE'" \
  -n "why $SYM, cold index cache (build warm)" "$WHY >/dev/null" \
  -n "why $SYM --no-build, cold index cache" "$WHY --no-build >/dev/null"
hyperfine --style basic --runs 5 --warmup 1 \
  -n "why $SYM, warm" "$WHY >/dev/null" \
  -n "why $SYM --no-build, warm" "$WHY --no-build >/dev/null" \
  -n "peer: llvm-objdump -t over the link inputs | grep" \
  "xargs llvm-objdump -t < '$OUT/inputs' 2>/dev/null | grep -w '$SYM' >/dev/null"
