# Sourced by the loop baselines (loop-lib.sh, c-matrix-loop.sh): puts the zig and
# cargo-zigbuild that `cargo portable setup` installs (its own virtual environment,
# `<cache>/zig-venv`) first on PATH, as cargo-portable itself finds them, and writes
# zig's C compiler wrappers. Without cargo-zigbuild a loop would stop at its first zig
# variant, after timing only the ones before it, so that is an error here.
portable_cache="${CARGO_PORTABLE_CACHE:-${XDG_CACHE_HOME:-$HOME/.cache}/cargo-portable}"
zig_venv="$portable_cache/zig-venv"
if [ -x "$zig_venv/bin/cargo-zigbuild" ]; then
    export PATH="$zig_venv/bin:$PATH"
fi
if ! command -v cargo-zigbuild >/dev/null; then
    echo "loop: cargo-zigbuild not found in $zig_venv/bin or on PATH (cargo portable setup installs it)" >&2
    exit 2
fi
zigbuild=$(command -v cargo-zigbuild)
# The C compiler wrappers `zig cc -target T` that cargo-portable gives a variant whose
# C it compiles with zig (it writes the same ones; written here so the loops stand
# alone): `zig_wrap cc|c++ ZIG_TARGET` prints the script's path, `zig_ar` zig's ar.
zig_wrappers="$portable_cache/wrappers"
# A wrapper is written only when its text changes: cargo-portable writes the same ones
# to the same place, and a rewritten file would look like a new compiler to its stamps.
zig_script() { # path text
  if [ "$(cat "$1" 2>/dev/null)" != "$2" ]; then
    mkdir -p "$zig_wrappers"
    printf '%s\n' "$2" >"$1"
    chmod +x "$1"
  fi
  echo "$1"
}
zig_wrap() {
  zig_script "$zig_wrappers/zig-$1-$2.sh" \
    "$(printf '#!/bin/sh\nexec '"'%s'"' zig %s -- -target %s -fno-sanitize=all "$@"' "$zigbuild" "$1" "$2")"
}
zig_ar() {
  zig_script "$zig_wrappers/zig-ar.sh" "$(printf '#!/bin/sh\nexec '"'%s'"' zig ar -- "$@"' "$zigbuild")"
}
