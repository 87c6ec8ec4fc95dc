#!/usr/bin/env bash
# Fuzz `inspect` for a bounded time: fuzz/run.sh SECONDS (default 60).
#
# Seeds fuzz/corpus/inspect from real binaries (seed.sh), then runs libFuzzer on one
# worker. Exits non-zero when the fuzzer finds a crash (the input is then in
# fuzz/artifacts/inspect/; reproduce with `cargo +nightly fuzz run inspect FILE`).
# Needs the nightly toolchain and cargo-fuzz (`cargo install cargo-fuzz --locked`).
set -euo pipefail

seconds="${1:-60}"
case "$seconds" in '' | *[!0-9]*) echo "usage: $0 SECONDS" >&2; exit 2 ;; esac
here="$(cd "$(dirname "$0")" && pwd)"
cd "$here"

./seed.sh
# -max_len: the seeds are up to ~130 KB; -timeout: a slow input is a bug too
# (a hang on a crafted file); -rss_limit_mb: so is unbounded allocation.
cargo +nightly fuzz run inspect corpus/inspect -- \
    -max_total_time="$seconds" \
    -max_len=262144 \
    -timeout=10 \
    -rss_limit_mb=2048 \
    -print_final_stats=1
