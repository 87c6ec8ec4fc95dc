#!/usr/bin/env python3
"""Convert a copy of pep600_compliance's measurements into targets/inventories/inventories.toml.

Usage: python3 targets/inventories/convert.py PEP600_COPY > targets/inventories/inventories.toml

PEP600_COPY is a checkout (or copy) of github.com/mayeut/pep600_compliance holding
cache/<arch>/<distro>-<release>.json. Python 3.11+ standard library only. The output is
deterministic: src/data.rs checks that the committed file equals what this script makes
from the copy at the commit named in COMMIT below (when such a copy is on the machine).

For each release of targets/glibc.toml that pep600 measured, and each architecture that
the release ships (as targets/glibc.toml says), it writes the highest GLIBC_, GLIBCXX_,
CXXABI_, GCC_ and ZLIB_ symbol version the release's image exports ("" when the library
or the version family is absent), and the optional libraries pep600 found in the image.
Everything else is skipped, with the reason, in the output's header.
"""

import json
import pathlib
import sys
import tomllib

COMMIT = "2d70275"
COMMIT_DATE = "2026-08-08"  # of commit 2d70275a, as targets/glibc.toml's [pep600] records
SOURCE = "github.com/mayeut/pep600_compliance"

# pep600 architecture directory -> the name `cargo portable` reports (Artifact.arch)
ARCHES = {
    "x86_64": "x86_64",
    "i686": "x86",
    "aarch64": "aarch64",
    "armv7l": "arm",
    "ppc64le": "powerpc64le",
    "s390x": "s390x",
    "riscv64": "riscv64",
    "loongarch64": "loongarch64",
}

# pep600 distro name -> our distribution name. For RHEL, Red Hat's own UBI image is
# taken first; its binary-compatible rebuilds stand in where UBI was not measured
# (RHEL 6 on any arch, RHEL 7 on aarch64, ...), in this order.
DISTROS = [
    ("rhubi", "RHEL/CentOS"),
    ("almalinux", "RHEL/CentOS"),
    ("rockylinux", "RHEL/CentOS"),
    ("oraclelinux", "RHEL/CentOS"),
    ("debian", "Debian"),
    ("ubuntu", "Ubuntu"),
    ("amazonlinux", "Amazon Linux"),
    ("opensuse", "openSUSE Leap"),
    ("fedora", "Fedora"),
    ("anolisos", "Anolis OS"),
    ("openeuler", "openEuler"),
]

# Families of symbol versions, and the library that exports them.
FAMILIES = [
    ("glibc", "GLIBC"),
    ("glibcxx", "GLIBCXX"),
    ("cxxabi", "CXXABI"),
    ("gcc", "GCC"),
    ("zlib", "ZLIB"),
]


def numeric(v):
    """(2, 3, 4) for "2.3.4"; None for a named version such as TM_1 or LDBL_3.4."""
    parts = v.split(".")
    if not all(p.isdigit() for p in parts):
        return None
    return tuple(int(p) for p in parts)


def highest(versions):
    nums = [(numeric(v), v) for v in versions if numeric(v) is not None]
    return max(nums)[1] if nums else ""


def our_releases(glibc_toml):
    """{(distribution, release number): (release name, [arches])} from targets/glibc.toml."""
    table = tomllib.loads(glibc_toml.read_text())
    out = {}
    for d in table["distribution"]:
        arches = list(dict.fromkeys(d["arches"]))
        for r in d["release"]:
            arches = [a for a in arches if a not in r.get("removed", [])]
            arches += r.get("added", [])
            number = r["release"].split(" ")[0]
            out[(d["name"], number)] = (r["release"], list(arches))
    return out


def main():
    if len(sys.argv) != 2:
        sys.exit(__doc__)
    cache = pathlib.Path(sys.argv[1]) / "cache"
    here = pathlib.Path(__file__).resolve().parent
    ours = our_releases(here.parent / "glibc.toml")
    order = list(ours)

    chosen = {}  # (distribution, number) -> {arch: (pep600 name, data)}
    skipped = []  # (pep600 arch, file stem, reason)
    for arch_dir in sorted(p for p in cache.iterdir() if p.is_dir()):
        arch = ARCHES.get(arch_dir.name)
        for f in sorted(arch_dir.glob("*.json")):
            stem = f.stem
            if arch is None:
                skipped.append((arch_dir.name, stem, "architecture not mapped"))
                continue
            distro, _, number = stem.rpartition("-")
            ours_name = dict(DISTROS).get(distro)
            if ours_name is None:
                skipped.append((arch_dir.name, stem, "distribution not in targets/glibc.toml"))
                continue
            key = (ours_name, number)
            if key not in ours:
                skipped.append((arch_dir.name, stem, "release not in targets/glibc.toml"))
                continue
            if arch not in ours[key][1]:
                skipped.append((arch_dir.name, stem, f"targets/glibc.toml does not ship {arch} there"))
                continue
            rank = [d for d, _ in DISTROS].index(distro)
            have = chosen.setdefault(key, {}).get(arch)
            if have is not None:
                have_rank = [d for d, _ in DISTROS].index(have[0].rpartition("-")[0])
                if have_rank <= rank:
                    skipped.append((arch_dir.name, stem, f"{have[0]} measures it"))
                    continue
                skipped.append((arch_dir.name, have[0], f"{stem} measures it"))
            chosen[key][arch] = (stem, json.loads(f.read_text()))

    arch_order = list(ARCHES.values())
    out = []
    w = out.append
    w("# What each release's base system exports, per architecture: the highest symbol version")
    w("# of each family (GLIBC_ from libc, GLIBCXX_ and CXXABI_ from libstdc++, GCC_ from")
    w("# libgcc_s, ZLIB_ from libz; \"\" when the image has none), and the optional libraries")
    w("# measured in the image (pep600's \"extra\").")
    w("#")
    w("# GENERATED by targets/inventories/convert.py from a copy of pep600_compliance; do not")
    w("# edit by hand (src/data.rs checks the two agree when a copy is on the machine).")
    w(f"# Source: {SOURCE} at commit {COMMIT} ({COMMIT_DATE}), cache/<arch>/<distro>.json")
    w("# (MIT licence: targets/inventories/LICENSE-pep600_compliance). Each entry names its")
    w("# file (`pep600`). Releases of targets/glibc.toml not below keep the glibc-only rule.")
    w("#")
    w("# Skipped files, and why:")
    for a, stem, why in skipped:
        w(f"#   {a}/{stem}: {why}")
    w("")
    w(f'source = "{SOURCE}"')
    w(f'commit = "{COMMIT}"')
    for key in order:
        if key not in chosen:
            continue
        w("")
        w("[[release]]")
        w(f'distribution = "{key[0]}"')
        w(f'release = "{ours[key][0]}"')
        w("measured = [")
        for arch in sorted(chosen[key], key=arch_order.index):
            stem, d = chosen[key][arch]
            syms = d.get("symbols", {})
            fields = [f'arch = "{arch}"', f'pep600 = "{stem}"']
            for name, fam in FAMILIES:
                fields.append(f'{name} = "{highest(syms.get(fam, []))}"')
            libs = ", ".join(f'"{x}"' for x in sorted(d.get("extra", [])))
            fields.append(f"libraries = [{libs}]")
            w("  { " + ", ".join(fields) + " },")
        w("]")
    sys.stdout.write("\n".join(out) + "\n")


if __name__ == "__main__":
    main()
