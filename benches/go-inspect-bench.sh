#!/usr/bin/env bash
# Inspect a directory of Go binaries beside `go version -m` over the same files, in
# one hyperfine run. The binaries are built here with the installed Go (Debian's
# golang-go), CGO_ENABLED=0, for every GOOS/GOARCH that has a reader of ours, with
# a local `replace` module as a dependency; each is built twice (plain, and
# `-trimpath -ldflags=-s -w`).
#
#   bash benches/go-inspect-bench.sh [RUNS]
set -euo pipefail
cd "$(dirname "$0")/.."
runs=${1:-5}
. benches/hyperfine.sh
command -v go >/dev/null || { echo "needs go (apt-get install golang-go)"; exit 2; }
cargo build --release -q
bin=$PWD/target/release/cargo-portable

work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
mkdir -p "$work/hello" "$work/greet" "$work/bin"
printf 'package main\n\nimport (\n\t"fmt"\n\n\t"example.com/greet"\n)\n\nfunc main() { fmt.Println(greet.Hello("portable")) }\n' > "$work/hello/main.go"
printf 'module example.com/hello\n\ngo 1.19\n\nrequire example.com/greet v0.0.0\n\nreplace example.com/greet => ../greet\n' > "$work/hello/go.mod"
printf 'package greet\n\nfunc Hello(name string) string { return "hello, " + name }\n' > "$work/greet/greet.go"
printf 'module example.com/greet\n\ngo 1.19\n' > "$work/greet/go.mod"
export GOCACHE=${GOCACHE:-$HOME/.cache/cargo-portable/go-build} GOPROXY=off GOFLAGS=-mod=mod CGO_ENABLED=0
for t in linux/amd64 linux/arm64 linux/386 linux/arm linux/riscv64 linux/ppc64le linux/s390x \
         linux/mips64le linux/loong64 freebsd/amd64 netbsd/amd64 openbsd/amd64 solaris/amd64 \
         illumos/amd64 android/arm64 windows/amd64 windows/386 darwin/arm64 darwin/amd64; do
    os=${t%/*} arch=${t#*/}
    (cd "$work/hello" && GOOS=$os GOARCH=$arch go build -o "$work/bin/$os-$arch" . \
        && GOOS=$os GOARCH=$arch go build -trimpath -ldflags='-s -w' -o "$work/bin/$os-$arch-stripped" .)
done
n=$(ls "$work/bin" | wc -l)
echo "Go binaries: $n, $(du -cb "$work"/bin/* | tail -1 | cut -f1) bytes ($(go version))"
hyperfine --warmup 1 --runs "$runs" --export-markdown /tmp/go-inspect-bench.md \
    -n "cargo-portable inspect --format json (sha256)" \
        "$bin inspect --format json -o /dev/null $work/bin" \
    -n "cargo-portable inspect --no-hash --format json" \
        "$bin inspect --no-hash --format json -o /dev/null $work/bin" \
    -n "go version -m DIR" \
        "go version -m $work/bin > /dev/null"
