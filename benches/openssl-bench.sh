#!/usr/bin/env bash
# The openssl test crate (tests/crates/openssl: `openssl = "0.10"`, Cargo.lock pinned)
# on the default matrix:
#   1. without the vendoring feature: the time from `build` to its first `skipped:`
#      line (the variants with no system OpenSSL are decided before any compiler runs);
#   2. with `--features openssl/vendored`, cold: `cargo portable build` (12 variants)
#      beside the loop of one `cargo build`/`cargo zigbuild` per variant with the same
#      features and the same C toolchain variables (benches/c-matrix-loop.sh). OpenSSL
#      from source takes minutes per target on 2 cores: part 2 is about an hour there.
#
#   bash benches/openssl-bench.sh            (parts 1 and 2)
#   bash benches/openssl-bench.sh first-skip (part 1 only, seconds)
#   BIN=target/debug/cargo-portable bash benches/openssl-bench.sh first-skip
#   VARIANTS="linux-x86_64-gnu-bfd linux-x86_64-musl" bash benches/openssl-bench.sh
#                                            (part 2 on these variants only, both sides)
set -euo pipefail
cd "$(dirname "$0")/.."
# BIN: a cargo-portable already built (default: this checkout's release build)
if [ -z "${BIN:-}" ]; then
  cargo build --release -q
fi
bin=${BIN:-$PWD/target/release/cargo-portable}
crate=${CRATE_DIR:-/tmp/bench-openssl-crate}
rm -rf "$crate"
mkdir -p "$crate"
cp -r tests/crates/openssl/. "$crate/"
(cd "$crate" && cargo fetch -q)
fmt="  %e s wall, %U s user, %S s system"

echo "1. build to the first skip line (openssl without vendored, default matrix)"
for run in 1 2 3; do
  start=$(date +%s.%N)
  first=""
  while IFS= read -r line; do
    if [ -z "$first" ] && [[ $line == *": skipped: "* ]]; then
      first=$(awk -v a="$start" -v b="$(date +%s.%N)" 'BEGIN { printf "%.2f", b - a }')
    fi
  done < <("$bin" portable build --manifest-path "$crate/Cargo.toml" -o /dev/null 2>&1 >/dev/null || true)
  total=$(awk -v a="$start" -v b="$(date +%s.%N)" 'BEGIN { printf "%.1f", b - a }')
  echo "  run $run: first skip line after ${first:-never} s (whole build ${total} s)"
done
[ "${1:-}" = first-skip ] && exit 0

selected=()
for v in ${VARIANTS:-}; do selected+=(--variant "$v"); done
export LOOP_VARIANTS=${VARIANTS:-}
echo "2. cold, cargo portable build --features openssl/vendored (${VARIANTS:-12 variants}, -j default = $(nproc))"
export LOOP_DIR=${LOOP_DIR:-/tmp/bench-openssl-loop}
rm -rf "$crate/target" "$LOOP_DIR"
/usr/bin/time -f "$fmt" "$bin" portable build -q --manifest-path "$crate/Cargo.toml" \
  --features openssl/vendored "${selected[@]}" -o /tmp/bench-openssl-report.txt ||
  echo "  (exit $?: see /tmp/bench-openssl-report.txt)"
grep -E '^[0-9]+ variants' /tmp/bench-openssl-report.txt || tail -3 /tmp/bench-openssl-report.txt
echo "   cold, the loop (one cargo build per variant, one after another, same features, CC_<target> set by hand)"
LOOP_CARGO_ARGS="--features openssl/vendored" /usr/bin/time -f "$fmt" \
  bash -c "exec bash benches/c-matrix-loop.sh '$crate' 2>/tmp/bench-openssl-loop-stderr.txt"
