#!/usr/bin/env bash
# `inspect --format cyclonedx /usr/bin` beside `--format json` over the same files, in
# one hyperfine run: the SBOM must not cost more than the report (both compute the
# SHA-256 of every file; the SBOM is a second walk over the same model).
#
#   bash benches/sbom-bench.sh [RUNS] [DIR]
set -euo pipefail
cd "$(dirname "$0")/.."
runs=${1:-10}
dir=${2:-/usr/bin}
. benches/hyperfine.sh
cargo build --release -q
bin=$PWD/target/release/cargo-portable
echo "$dir: $(find "$dir" -maxdepth 1 -type f | wc -l) files, $(du -sb "$dir" | cut -f1) bytes"
hyperfine --warmup 2 --runs "$runs" --export-markdown /tmp/sbom-bench.md \
    -n "cargo-portable inspect --format json -o /dev/null $dir" \
        "$bin inspect --format json -o /dev/null $dir" \
    -n "cargo-portable inspect --format cyclonedx -o /dev/null $dir" \
        "$bin inspect --format cyclonedx -o /dev/null $dir"
# the sizes of the two documents
"$bin" inspect --format json "$dir" 2>/dev/null | wc -c | sed 's/^/json bytes: /' || true
"$bin" inspect --format cyclonedx "$dir" 2>/dev/null | wc -c | sed 's/^/cyclonedx bytes: /' || true
