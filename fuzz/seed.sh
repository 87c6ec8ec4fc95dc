#!/usr/bin/env bash
# Seed the fuzz corpus (fuzz/corpus/inspect, gitignored) with small real binaries:
# ELF (gcc, musl-gcc, zig: x86_64/aarch64, static/dynamic/PIE, objects, a few small
# host binaries), PE (mingw-w64, zig), thin and universal Mach-O (zig cc), XCOFF (Go's
# AIX port, when Go is installed). Built from
# a C file at run time, so nothing opaque is committed. Tools that are missing are
# skipped with a note; at least one binary of each format must result.
set -euo pipefail

here="$(cd "$(dirname "$0")" && pwd)"
corpus="$here/corpus/inspect"
mkdir -p "$corpus"
work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT

cat > "$work/hello.c" <<'C'
#include <stdio.h>
#include <string.h>
#include <netdb.h>
int main(int argc, char **argv) {
    char buf[16];
    if (argc > 3) { struct addrinfo *r; return getaddrinfo(argv[1], 0, 0, &r); }
    if (argc > 2) strcpy(buf, argv[1]);
    puts(argc > 2 ? buf : "hello");
    return 0;
}
C
cat > "$work/plain.c" <<'C'
#include <stdio.h>
int greet(void) { return puts("hello"); }
int main(void) { return greet() < 0; }
C

# zig: on PATH, else the one `cargo portable setup` installed in its own virtual
# environment (where the product and the tests find it too: toolchain::zig_program)
zig=()
zig_python="${CARGO_PORTABLE_CACHE:-${XDG_CACHE_HOME:-$HOME/.cache}/cargo-portable}/zig-venv/bin/python3"
if command -v zig >/dev/null; then
    zig=(zig)
elif [ -x "$zig_python" ] && "$zig_python" -m ziglang version >/dev/null 2>&1; then
    zig=("$zig_python" -m ziglang)
fi

n=0
build() { # name, then the compiler command line (output goes to $work/name)
    local name="$1"; shift
    if "$@" -o "$work/$name" 2>"$work/$name.log"; then
        cp "$work/$name" "$corpus/$name"; n=$((n + 1))
    else
        echo "seed: skipped $name ($(head -c 200 "$work/$name.log" | tr '\n' ' '))" >&2
    fi
}

# ELF
build gcc-dyn gcc -O1 "$work/hello.c"
build gcc-dyn-fortify gcc -O2 -D_FORTIFY_SOURCE=2 -fstack-protector-strong -Wl,-z,relro,-z,now "$work/hello.c"
build gcc-nopie gcc -no-pie -Wl,-z,execstack "$work/plain.c"
build gcc-rpath gcc "$work/plain.c" -Wl,-rpath,/home/build/lib -Wl,--disable-new-dtags
build gcc-runpath gcc "$work/plain.c" -Wl,-rpath,'$ORIGIN/../lib'
build gcc-shared gcc -shared -fPIC "$work/plain.c"
build gcc-obj gcc -c "$work/plain.c"
build gcc-m32 gcc -m32 "$work/plain.c"
build musl-static musl-gcc -static -Os -s "$work/hello.c"
build musl-dyn musl-gcc -Os "$work/plain.c"
build musl-static-pie musl-gcc -static-pie -Os "$work/plain.c"
if [ ${#zig[@]} -gt 0 ]; then
    build zig-aarch64-musl "${zig[@]}" cc -target aarch64-linux-musl -Os -s "$work/plain.c"
    build zig-aarch64-gnu "${zig[@]}" cc -target aarch64-linux-gnu.2.17 "$work/plain.c"
    build zig-x86_64-gnu-2.17 "${zig[@]}" cc -target x86_64-linux-gnu.2.17 -Os -s "$work/hello.c"
    build zig-riscv64-musl "${zig[@]}" cc -target riscv64-linux-musl -Os -s "$work/plain.c"
    build zig-arm-musl "${zig[@]}" cc -target arm-linux-musleabihf -Os -s "$work/plain.c"
    # Mach-O
    build zig-macos-x86_64 "${zig[@]}" cc -target x86_64-macos "$work/plain.c"
    build zig-macos-aarch64 "${zig[@]}" cc -target aarch64-macos "$work/plain.c"
    build zig-macos-dylib "${zig[@]}" cc -target aarch64-macos -shared "$work/plain.c"
    # PE
    build zig-windows-x86_64.exe "${zig[@]}" cc -target x86_64-windows-gnu -Os "$work/plain.c"
    build zig-windows-aarch64.exe "${zig[@]}" cc -target aarch64-windows-gnu -Os "$work/plain.c"
fi
build mingw.exe x86_64-w64-mingw32-gcc -Os -s "$work/plain.c"
build mingw.dll x86_64-w64-mingw32-gcc -Os -s -shared "$work/plain.c"
build mingw32.exe i686-w64-mingw32-gcc -Os -s "$work/plain.c"

# A universal Mach-O from the two thin ones (the layout `lipo -create` writes).
if [ -f "$work/zig-macos-x86_64" ] && [ -f "$work/zig-macos-aarch64" ]; then
    python3 - "$work/zig-macos-x86_64" "$work/zig-macos-aarch64" "$corpus/zig-macos-universal" <<'PY'
import struct, sys
slices = [(0x01000007, 3, open(sys.argv[1], "rb").read()), (0x0100000C, 0, open(sys.argv[2], "rb").read())]
align = 1 << 14
out = bytearray(struct.pack(">II", 0xCAFEBABE, len(slices)))
off, placed = align, []
for cpu, sub, data in slices:
    out += struct.pack(">IIIII", cpu, sub, off, len(data), 14)
    placed.append((off, data))
    off = (off + len(data) + align - 1) // align * align
for off, data in placed:
    out += bytes(off - len(out)) + data
open(sys.argv[3], "wb").write(out)
PY
    n=$((n + 1))
fi

# A few small binaries of the host.
for f in /usr/bin/true /usr/bin/env /bin/sh /usr/lib/x86_64-linux-gnu/gconv/IBM037.so; do
    if [ -f "$f" ] && [ "$(stat -Lc %s "$f")" -le 200000 ]; then
        cp -L "$f" "$corpus/host-$(basename "$f")"; n=$((n + 1))
    fi
done

# Go's build information (inspect::gobuild): a small ELF with a Go 1.18+ header and
# its inline strings appended at a 16-byte boundary, and the framed module text alone
# (the no-header path). Go binaries themselves are megabytes, past -max_len.
if [ -f "$corpus/host-true" ]; then
    python3 - "$corpus/host-true" "$corpus/go-inline" "$corpus/go-sentinels" <<'PY'
import sys
elf = open(sys.argv[1], "rb").read()
start = b"\x30\x77\xaf\x0c\x92\x74\x08\x02\x41\xe1\xc1\x07\xe6\xd6\x18\xe6"
end = b"\xf9\x32\x43\x31\x86\x18\x20\x72\x00\x82\x42\x10\x41\x16\xd8\xf2"
text = (b"path\texample.com/hello\nmod\texample.com/hello\t(devel)\t\n"
        b"dep\texample.com/greet\tv0.0.0\n=>\t../greet\t(devel)\t\n"
        b"build\t-ldflags=\"-s -w\"\nbuild\tGOOS=linux\n")
mod = start + text + end
def s(b):
    return bytes([len(b)]) + b if len(b) < 128 else bytes([len(b) & 0x7f | 0x80, len(b) >> 7]) + b
blob = b"\xff Go buildinf:" + bytes([8, 2]) + bytes(16) + s(b"go1.19.8") + s(mod)
pad = bytes(-len(elf) % 16)
open(sys.argv[2], "wb").write(elf + pad + blob)
open(sys.argv[3], "wb").write(elf + b"go1.21.5" + mod)
PY
    n=$((n + 2))
fi

# XCOFF (AIX): Go builds it without a C toolchain. The loader section of a Go AIX
# executable seeds the loader-section reader (corpus/xcoff_loader); for `inspect`, a
# small XCOFF file of a file header, one STYP_LOADER section header and that section
# (the executable itself is megabytes, past -max_len).
if command -v go >/dev/null; then
    mkdir -p "$work/aix" "$here/corpus/xcoff_loader"
    printf 'package main\n\nimport "fmt"\n\nfunc main() { fmt.Println("hi") }\n' > "$work/aix/main.go"
    printf 'module example.com/aix\n\ngo 1.19\n' > "$work/aix/go.mod"
    if (cd "$work/aix" && GOOS=aix GOARCH=ppc64 CGO_ENABLED=0 GOPROXY=off GOTOOLCHAIN=local \
        GOCACHE="$work/aix/cache" go build -o "$work/aix/hello" . 2>"$work/aix.log"); then
        python3 - "$work/aix/hello" "$here/corpus/xcoff_loader/go-aix-loader" "$corpus/go-aix-mini" <<'PY'
import struct, sys
d = open(sys.argv[1], "rb").read()
nscns, opthdr = struct.unpack_from(">H", d, 2)[0], struct.unpack_from(">H", d, 16)[0]
for i in range(nscns):
    at = 24 + opthdr + 72 * i
    size, scnptr = struct.unpack_from(">QQ", d, at + 24)
    if struct.unpack_from(">I", d, at + 64)[0] & 0xffff == 0x1000:  # STYP_LOADER
        loader = d[scnptr:scnptr + size]
open(sys.argv[2], "wb").write(loader)
# f_magic, f_nscns, f_timdat, f_symptr, f_opthdr, f_flags (F_EXEC), f_nsyms
head = struct.pack(">HHIQHHI", 0x01F7, 1, 0, 0, 0, 0x0002, 0)
scn = b".loader\0" + struct.pack(">QQQQQQIIII", 0, 0, len(loader), 24 + 72, 0, 0, 0, 0, 0x1000, 0)
open(sys.argv[3], "wb").write(head + scn + loader)
PY
        n=$((n + 1))
    else
        echo "seed: skipped go-aix ($(head -c 200 "$work/aix.log" | tr '\n' ' '))" >&2
    fi
fi

heads="$(for f in "$corpus"/*; do od -An -tx1 -N4 "$f" | tr -d ' \n'; echo; done)"
for magic in 7f454c46 cffaedfe cafebabe 4d5a; do
    if ! grep -q "^$magic" <<<"$heads"; then
        echo "seed: no seed with magic $magic in $corpus" >&2
        exit 1
    fi
done
echo "seed: $n binaries in $corpus ($(ls "$corpus" | wc -l) files with earlier finds)"
