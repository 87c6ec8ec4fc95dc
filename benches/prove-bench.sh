#!/usr/bin/env bash
# `inspect --prove debian-11,debian-12,debian-13` on ten binaries: the default matrix's
# glibc builds of the IPC server (ipc-server and ipc-client of linux-x86_64-gnu, -bfd,
# -static, -2.17 and linux-aarch64-gnu, the last under qemu), cold (an empty cache: the
# three Packages indexes per architecture and the .debs are downloaded from
# deb.debian.org and unpacked) and warm (every root in the cache), beside plain
# `inspect` of the same files, in one hyperfine run.
#
#   bash benches/prove-bench.sh [RUNS]
#
# Needs the main job's build first (`cargo run --release -- portable build -p ipc`).
set -euo pipefail
cd "$(dirname "$0")/.."
runs=${1:-5}
. benches/hyperfine.sh
cargo build --release -q
bin=$PWD/target/release/cargo-portable
files=()
for v in linux-x86_64-gnu linux-x86_64-gnu-bfd linux-x86_64-gnu-static linux-x86_64-gnu-2.17 \
         linux-aarch64-gnu; do
    for b in ipc-server ipc-client; do
        f=$(ls target/portable/$v/*/release/$b)
        files+=("$f")
    done
done
echo "${#files[@]} binaries"
cold=$(mktemp -d)
warm=$(mktemp -d)
trap 'rm -rf "$cold" "$warm"' EXIT
rel=debian-11,debian-12,debian-13
# fill the warm cache once
CARGO_PORTABLE_CACHE=$warm "$bin" inspect --prove $rel -o /dev/null "${files[@]}"
hyperfine --runs "$runs" --export-markdown /tmp/prove-bench.md \
    -n "inspect (no proof)" "$bin inspect -o /dev/null ${files[*]}" \
    -n "inspect --prove $rel, warm" \
        "CARGO_PORTABLE_CACHE=$warm $bin inspect --prove $rel -o /dev/null ${files[*]}" \
    -n "inspect --prove $rel, cold" \
        --prepare "rm -rf $cold && mkdir -p $cold" \
        "CARGO_PORTABLE_CACHE=$cold $bin inspect --prove $rel -o /dev/null ${files[*]}"
du -sh "$warm/prove" | sed 's/^/cache: /'
