# Sourced by the loop baselines (loop-lib.sh, c-matrix-loop.sh): puts the zig and
# cargo-zigbuild that `cargo portable setup` installs (its own virtual environment,
# `<cache>/zig-venv`) first on PATH, as cargo-portable itself finds them. Without
# cargo-zigbuild a loop would stop at its first zig variant, after timing only the
# ones before it, so that is an error here.
zig_venv="${CARGO_PORTABLE_CACHE:-${XDG_CACHE_HOME:-$HOME/.cache}/cargo-portable}/zig-venv"
if [ -x "$zig_venv/bin/cargo-zigbuild" ]; then
    export PATH="$zig_venv/bin:$PATH"
fi
if ! command -v cargo-zigbuild >/dev/null; then
    echo "loop: cargo-zigbuild not found in $zig_venv/bin or on PATH (cargo portable setup installs it)" >&2
    exit 2
fi
