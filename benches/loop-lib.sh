# Sourced by the loop baselines (matrix-loop.sh, wide-loop.sh): what users script
# today, one `cargo build --release -p ipc --target T` (or `cargo zigbuild`) per
# variant, one after another, each with its flags in RUSTFLAGS, all in one target
# directory. A target whose standard library is not installed (rustup's channel
# cannot serve some) is left out, as cargo-portable skips it.
#
#   build_each TARGET_DIR "target|RUSTFLAGS|zig|cc" ...
#     zig: non-empty for cargo zigbuild; cc: the zig target whose `zig cc` compiles the
#     variant's C (CC_<target>, AR_<target>), as cargo-portable's planner gives it
#     (the IPC server compiles mimalloc's C on musl)
. benches/zig-path.sh
build_each() {
  local loop=$1 installed v t flags zig cc c_env
  shift
  installed=$(rustup target list --installed)
  for v in "$@"; do
    IFS='|' read -r t flags zig cc <<<"$v"
    if ! grep -qx "${t%%.*}" <<<"$installed"; then
      echo "loop: $t left out: its standard library is not installed" >&2
      continue
    fi
    c_env=()
    if [ -n "$cc" ]; then
      c_env=("CC_${t//-/_}=$(zig_wrap cc "$cc")" "AR_${t//-/_}=$(zig_ar)")
    fi
    if [ -n "$zig" ]; then
      case "$t" in
        *apple*) export MACOSX_DEPLOYMENT_TARGET=$(rustc --print deployment-target --target "$t" | cut -d= -f2) ;;
      esac
      RUSTFLAGS="$flags" CARGO_TARGET_DIR=$loop cargo zigbuild -q --release -p ipc --target "$t"
      unset MACOSX_DEPLOYMENT_TARGET
    else
      env "${c_env[@]}" RUSTFLAGS="$flags" CARGO_TARGET_DIR=$loop cargo build -q --release -p ipc --target "$t"
    fi
  done
}
