#!/usr/bin/env bash
# Fuzz `inspect` for a bounded time: fuzz/run.sh SECONDS [TARGET] (default 60 and
# `inspect`; `xcoff_loader` fuzzes the XCOFF loader-section reader alone).
#
# Seeds fuzz/corpus/TARGET from real binaries (seed.sh), then runs libFuzzer on one
# worker. Exits non-zero when the fuzzer finds a crash (the input is then in
# fuzz/artifacts/TARGET/; reproduce with `cargo +nightly fuzz run TARGET FILE`).
# Needs the nightly toolchain and cargo-fuzz (`cargo install cargo-fuzz --locked`).
set -euo pipefail

seconds="${1:-60}"
target="${2:-inspect}"
case "$target" in inspect | xcoff_loader) ;; *) echo "usage: $0 SECONDS [inspect|xcoff_loader]" >&2; exit 2 ;; esac
case "$seconds" in '' | *[!0-9]*) echo "usage: $0 SECONDS" >&2; exit 2 ;; esac
here="$(cd "$(dirname "$0")" && pwd)"
cd "$here"

./seed.sh
# -max_len: the seeds are up to ~130 KB; -timeout: a slow input is a bug too
# (a hang on a crafted file); -rss_limit_mb: so is unbounded allocation.
cargo +nightly fuzz run "$target" "corpus/$target" -- \
    -max_total_time="$seconds" \
    -max_len=262144 \
    -timeout=10 \
    -rss_limit_mb=2048 \
    -print_final_stats=1
