#!/usr/bin/env bash
# What users script today for a crate whose build scripts compile C and C++: the
# default matrix as a loop of `cargo build --release --target T` (or `cargo zigbuild`),
# one variant after another, each with its flags in RUSTFLAGS and its C toolchain set
# by hand in CC_<target>, CXX_<target>, AR_<target> (the same compilers and wrapper
# scripts cargo-portable gives the variant; zig's libc++ archives linked by hand where
# rust-lld or musl-gcc links C++ compiled by zig). Every crate gets RUSTFLAGS, as
# cargo-portable does when the graph compiles C. One target directory per variant
# ($LOOP_DIR/<n>): RUSTFLAGS differ between variants of one target.
#
#   bash benches/c-matrix-loop.sh CRATE_DIR
#
# LOOP_CARGO_ARGS: more arguments for every cargo (`--features openssl/vendored`).
# LOOP_VARIANTS: only these variants (ids of the default matrix, space-separated).
set -euo pipefail
. "$(dirname "$0")/zig-path.sh"
crate=$1
loop=${LOOP_DIR:-/tmp/bench-c-loop}
# zig's static libc++ for a zig target, as `zig c++ -v` names it
libcxx() {
  local d
  d=$(mktemp -d)
  echo 'int main() { return 0; }' >"$d/a.cpp"
  "$zigbuild" zig c++ -- -target "$1" -v -o "$d/a" "$d/a.cpp" 2>&1 |
    tr ' ' '\n' | grep -E '/libc\+\+(abi)?\.a$' | sort -u | sed 's/^/-C link-arg=/' | tr '\n' ' '
  rm -rf "$d"
}
musl_x=$(libcxx x86_64-linux-musl)
musl_a=$(libcxx aarch64-linux-musl)
n=0
run() { # id zig? target rustflags [VAR=value...]
  local id=$1 zig=$2 t=$3 flags=$4
  shift 4
  n=$((n + 1))
  if [ -n "${LOOP_VARIANTS:-}" ] && [[ " $LOOP_VARIANTS " != *" $id "* ]]; then
    return 0
  fi
  local sub=build
  [ -n "$zig" ] && sub=zigbuild
  (cd "$crate" && env "$@" RUSTFLAGS="$flags" CARGO_TARGET_DIR="$loop/$n" \
    cargo "$sub" -q --release --target "$t" ${LOOP_CARGO_ARGS:-})
}
lld="-C linker=rust-lld -C linker-flavor=ld.lld -C link-self-contained=yes"
run linux-x86_64-gnu "" x86_64-unknown-linux-gnu ""
run linux-x86_64-gnu-bfd "" x86_64-unknown-linux-gnu "-C linker-features=-lld"
run linux-x86_64-gnu-static "" x86_64-unknown-linux-gnu "-C target-feature=+crt-static -C linker-features=-lld"
run linux-x86_64-gnu-2.17 zig x86_64-unknown-linux-gnu.2.17 ""
run linux-x86_64-musl "" x86_64-unknown-linux-musl "$lld $musl_x" \
  CC_x86_64_unknown_linux_musl="$(zig_wrap cc x86_64-linux-musl)" \
  CXX_x86_64_unknown_linux_musl="$(zig_wrap c++ x86_64-linux-musl)" \
  AR_x86_64_unknown_linux_musl="$(zig_ar)" CXXSTDLIB_x86_64_unknown_linux_musl=
run linux-x86_64-musl-gcc "" x86_64-unknown-linux-musl "-C linker=musl-gcc -C relocation-model=static $musl_x -C link-arg=-lc" \
  CC_x86_64_unknown_linux_musl=musl-gcc \
  CXX_x86_64_unknown_linux_musl="$(zig_wrap c++ x86_64-linux-musl)" CXXSTDLIB_x86_64_unknown_linux_musl=
run linux-x86_64-musl-zig zig x86_64-unknown-linux-musl "-C target-feature=-crt-static"
run linux-aarch64-gnu "" aarch64-unknown-linux-gnu "-C linker=aarch64-linux-gnu-gcc" \
  CC_aarch64_unknown_linux_gnu=aarch64-linux-gnu-gcc CXX_aarch64_unknown_linux_gnu=aarch64-linux-gnu-g++ \
  AR_aarch64_unknown_linux_gnu=aarch64-linux-gnu-ar
run linux-aarch64-musl "" aarch64-unknown-linux-musl "$lld $musl_a" \
  CC_aarch64_unknown_linux_musl="$(zig_wrap cc aarch64-linux-musl)" \
  CXX_aarch64_unknown_linux_musl="$(zig_wrap c++ aarch64-linux-musl)" \
  AR_aarch64_unknown_linux_musl="$(zig_ar)" CXXSTDLIB_aarch64_unknown_linux_musl=
for t in x86_64-apple-darwin aarch64-apple-darwin; do
  run "macos-${t%%-*}" zig $t "" MACOSX_DEPLOYMENT_TARGET="$(rustc --print deployment-target --target $t | cut -d= -f2)"
done
run windows-x86_64-gnu "" x86_64-pc-windows-gnu "-C linker=x86_64-w64-mingw32-gcc" \
  CC_x86_64_pc_windows_gnu=x86_64-w64-mingw32-gcc CXX_x86_64_pc_windows_gnu=x86_64-w64-mingw32-g++ \
  AR_x86_64_pc_windows_gnu=x86_64-w64-mingw32-ar
