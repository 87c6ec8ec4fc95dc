#!/usr/bin/env bash
# Does a refactor change any JSON the tool writes? Builds cargo-portable at two git
# revisions and runs both on the same inputs, then compares their outputs byte for byte.
#
#   bash benches/json-identical.sh [BASE [NEW]]
#
# BASE: default the merge base of HEAD and `main` (HEAD~1 without a `main`); NEW:
# default HEAD. Revisions are committed trees: uncommitted changes are not compared.
# Each revision is checked out in a temporary worktree and built with
# `cargo build --release --locked --bin cargo-portable`, in the target directory
# $JSON_IDENTICAL_TARGET_DIR (default: this repository's target/, so the dependencies
# are not built again; its release/cargo-portable is left as NEW's build).
#
# What is compared (every output as written with -o):
#   inspect-a, inspect-b  `inspect --format json` over two overlapping sets of real
#                         binaries: some of /usr/bin and /usr/lib/x86_64-linux-gnu, the
#                         cross C libraries and MinGW DLLs when installed, a directory
#   build-<variant>       `build --format json --variant V` of a tiny crate (std::net, so
#                         the static glibc variant has its NSS hazard) for three host
#                         variants of a matrix file of our own (not the built-in one:
#                         its ids and digest are what a refactor may legitimately change)
#   merge                 `merge` of the build reports
#   diff-inspect, diff-build
#                         `diff --format json` inspect-a → inspect-b, and first variant →
#                         merged
#   check-reports, check-files
#                         `check --format json` with rules, on saved reports and on files
# merge, diff and check read the same inputs under both revisions: BASE's reports.
#
# Normalised before comparing, and only there: the build reports' timing fields
# (every key ending in `seconds`: `build_seconds`, smoke `seconds`) are set to 0. The
# tiny crate is built at the same path by both revisions (its target directory removed
# in between), so no temporary path needs rewriting; the raw difference, if any, is
# still reported. Everything else must be equal byte for byte.
#
# Needs git, cargo, python3; jq (optional) shows a difference sorted and indented.
# Prints one line per output and a summary; exit 1 when any output differs, 2 when a
# revision does not build or a command fails unexpectedly. JSON_IDENTICAL_KEEP=1 keeps
# the temporary directory (its path is printed) with every output; `git worktree
# prune` forgets its two worktrees once it is deleted.
set -euo pipefail
repo=$(git -C "$(dirname "$0")/.." rev-parse --show-toplevel)
cd "$repo"
base=${1:-$(git merge-base HEAD main 2>/dev/null || git rev-parse HEAD~1)}
new=${2:-HEAD}
base_sha=$(git rev-parse --verify "$base^{commit}")
new_sha=$(git rev-parse --verify "$new^{commit}")
target_dir=${JSON_IDENTICAL_TARGET_DIR:-$repo/target}

work=$(mktemp -d "${TMPDIR:-/tmp}/json-identical.XXXXXX")
cleanup() {
    if [ -n "${JSON_IDENTICAL_KEEP:-}" ]; then
        echo "json-identical: outputs kept in $work" >&2
        return
    fi
    for rev in base new; do
        if [ -d "$work/src-$rev" ]; then
            git worktree remove --force "$work/src-$rev" >/dev/null 2>&1 || true
        fi
    done
    rm -rf "$work"
}
trap cleanup EXIT

# --- the binaries (fixed candidates; those this machine has) --------------------------
candidates=(
    /usr/bin/ls /usr/bin/bash /usr/bin/git /usr/bin/ssh /usr/bin/curl /usr/bin/gdb
    /usr/lib/x86_64-linux-gnu/libc.so.6 /usr/lib/x86_64-linux-gnu/libm.so.6
    /usr/lib/x86_64-linux-gnu/libstdc++.so.6 /usr/lib/x86_64-linux-gnu/libz.so.1
    /usr/lib/x86_64-linux-gnu/libssl.so.3 /usr/lib64/ld-linux-x86-64.so.2
    /usr/aarch64-linux-gnu/lib/libc.so.6 /usr/riscv64-linux-gnu/lib/libc.so.6
    /usr/i686-linux-gnu/lib/libc.so.6 /usr/lib/musl/lib/libc.so
    /usr/x86_64-w64-mingw32/lib/libwinpthread-1.dll /usr/x86_64-w64-mingw32/lib/zlib1.dll
)
inputs=()
for f in "${candidates[@]}"; do
    [ -f "$f" ] && inputs+=("$(readlink -f "$f")")
done
[ -d /usr/x86_64-w64-mingw32/lib ] && inputs+=(/usr/x86_64-w64-mingw32/lib)
if [ "${#inputs[@]}" -lt 4 ]; then
    echo "json-identical: too few of the candidate binaries exist here" >&2
    exit 2
fi
half=$(((${#inputs[@]} + 1) / 2))
set_a=("${inputs[@]:0:$((half + 1))}")
set_b=("${inputs[@]:$((half - 1))}")

# --- the tiny crate and its matrix ----------------------------------------------------
crate=$work/crate
mkdir -p "$crate/src"
cat >"$crate/Cargo.toml" <<'EOF'
[package]
name = "tiny"
version = "0.1.0"
edition = "2021"

[workspace]
EOF
cat >"$crate/src/main.rs" <<'EOF'
use std::net::ToSocketAddrs;
fn main() {
    let host = std::env::args().nth(1).unwrap_or_else(|| "localhost:1".to_owned());
    println!("{}", host.to_socket_addrs().map(|a| a.count()).unwrap_or(0));
}
EOF
cat >"$crate/portable.toml" <<'EOF'
[[variant]]
id = "host-gnu"
target = "x86_64-unknown-linux-gnu"
linker = "internal"

[[variant]]
id = "host-gnu-static"
target = "x86_64-unknown-linux-gnu"
linker = "external"
crt-static = true

[[variant]]
id = "host-musl"
target = "x86_64-unknown-linux-musl"
linker = "internal"
EOF
variants=(host-gnu host-gnu-static host-musl)

# --- build each revision ----------------------------------------------------------------
build_rev() { # NAME SHA
    git worktree add --detach --quiet "$work/src-$1" "$2"
    echo "building $1 ($(git rev-parse --short "$2")) in $target_dir" >&2
    if ! cargo build --release --locked --quiet --bin cargo-portable \
        --manifest-path "$work/src-$1/Cargo.toml" --target-dir "$target_dir"; then
        echo "json-identical: $1 ($2) does not build" >&2
        exit 2
    fi
    cp "$target_dir/release/cargo-portable" "$work/bin-$1"
}
build_rev base "$base_sha"
build_rev new "$new_sha"

# --- run --------------------------------------------------------------------------------
# `run NAME OUT ARGS…`: exit 0 and 1 are outcomes (a violation, a regression); 2 and
# above are failures of the run itself.
run() {
    local bin=$work/bin-$1 out=$2 code=0
    shift 2
    "$bin" "$@" -o "$out" 2>>"$work/stderr-${out##*/}" || code=$?
    if [ "$code" -gt 1 ]; then
        echo "json-identical: \`$*\` exited $code:" >&2
        cat "$work/stderr-${out##*/}" >&2
        exit 2
    fi
}
for rev in base new; do
    out=$work/out-$rev
    mkdir -p "$out"
    run $rev "$out/inspect-a.json" inspect --format json "${set_a[@]}"
    run $rev "$out/inspect-b.json" inspect --format json "${set_b[@]}"
    rm -rf "$crate/target"
    for v in "${variants[@]}"; do
        CARGO_PORTABLE_CACHE=$work/cache-$rev run $rev "$out/build-$v.json" \
            build --manifest-path "$crate/Cargo.toml" --matrix "$crate/portable.toml" \
            --variant "$v" --format json
    done
    # the report readers get BASE's reports under both revisions
    ins=$work/out-base
    builds=()
    for v in "${variants[@]}"; do builds+=("$ins/build-$v.json"); done
    run $rev "$out/merge.json" merge "${builds[@]}"
    run $rev "$out/diff-inspect.json" diff --format json "$ins/inspect-a.json" "$ins/inspect-b.json"
    run $rev "$out/diff-build.json" diff --format json "${builds[0]}" "$work/out-base/merge.json"
    run $rev "$out/check-reports.json" check --format json --max-glibc 2.17 \
        --runs-on debian-11 --require pie,nx "$ins/inspect-a.json" "$work/out-base/merge.json"
    run $rev "$out/check-files.json" check --format json --linkage static \
        --deny-hazard all "${set_b[@]}"
done

# --- compare ----------------------------------------------------------------------------
normalise() { # the timing fields of a build report, nothing else
    python3 - "$1" <<'PY'
import json, sys
def walk(v):
    if isinstance(v, dict):
        return {k: (0 if k.endswith("seconds") else walk(x)) for k, x in v.items()}
    if isinstance(v, list):
        return [walk(x) for x in v]
    return v
print(json.dumps(walk(json.load(open(sys.argv[1]))), indent=1))
PY
}
same=0
differ=0
echo "json-identical: $(git rev-parse --short "$base_sha") → $(git rev-parse --short "$new_sha"), ${#inputs[@]} inputs"
for rev in base new; do # what the builds gave: the comparison means little if they failed
    printf '  builds (%s):' "$rev"
    for v in "${variants[@]}"; do
        printf ' %s %s' "$v" "$(python3 -c 'import json, sys
print(json.load(open(sys.argv[1]))["variants"][0]["status"])' "$work/out-$rev/build-$v.json")"
    done
    echo
done
for a in "$work"/out-base/*.json; do
    name=${a##*/}
    b=$work/out-new/$name
    size=$(wc -c <"$a")
    if cmp -s "$a" "$b"; then
        printf '  %-26s identical (%s bytes)\n' "$name" "$size"
        same=$((same + 1))
    elif [[ $name == build-* ]] && cmp -s <(normalise "$a") <(normalise "$b"); then
        printf '  %-26s identical but for timings (%s bytes)\n' "$name" "$size"
        same=$((same + 1))
    else
        printf '  %-26s DIFFERENT\n' "$name"
        if [[ $name == build-* ]]; then # the difference without the timings
            diff <(normalise "$a") <(normalise "$b") | head -20 | sed "s/^/      /" || true
        else
            diff <(jq -S . "$a" 2>/dev/null || cat "$a") <(jq -S . "$b" 2>/dev/null || cat "$b") |
                head -20 | sed "s/^/      /" || true
        fi
        differ=$((differ + 1))
    fi
done
echo "json-identical: $same identical, $differ different"
[ "$differ" -eq 0 ]
