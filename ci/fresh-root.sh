#!/usr/bin/env bash
# ci/fresh-root.sh — run the project's main job on a machine as new as a user's.
#
# A green run on your machine is not a new machine. This machine has cross
# targets, linkers, zig, a wheel cache and a warm cargo registry that a user
# who has just followed the README does not have. This script builds a clean
# Debian root with debootstrap (the suite and mirror this machine's apt sources
# name), puts in it only what the README assumes a user has —
#
#   * gcc, python3, python3-pip, ca-certificates and git, installed by apt in
#     the root (upgraded first, as a new machine is) with default Recommends,
#     as a user would;
#   * rustup and a COPY of this machine's default toolchain with only the
#     host's standard library (no other targets, no other toolchains), so that
#     `rustup target add` in the root really downloads, and nothing the run
#     does can change this machine's toolchain;
#   * the network settings this machine needs to reach the registries: what
#     its CA bundle adds to Debian's (its proxies' CAs), /etc/resolv.conf,
#     /etc/pip.conf, the apt.conf.d files about proxies and validity, and the
#     PIP_* / SSL_* / *_CA_* / *_proxy environment
#     (but NOT PIP_FIND_LINKS: a user has no local wheel directory, and NOT
#     RUSTUP_AUTO_INSTALL: a user runs with rustup's default) —
#
# clones the project (the committed HEAD of a repository) into the root and
# runs the README's main job there as root with a login environment:
#
#   cargo run --release -- portable build -p ipc --setup --run
#
# Everything the job prints is printed, and the script exits with its exit
# code.
#
# The debootstrap result is kept as a read-only tarball (pristine-*.tar) under
# the base directory and unpacked into a fresh work root on every run, so every
# run starts from the same clean state; a root an earlier run used is always
# deleted first, never reused. /proc, /sys, /dev, /dev/pts and /dev/shm are
# mounted for the run and unmounted at the end (also on failure or Ctrl-C).
#
# Usage: see usage() below, or `ci/fresh-root.sh --help`.
set -euo pipefail

usage() {
	cat <<'EOF'
usage: ci/fresh-root.sh [--root DIR] [--repo PATH] [--keep] [--refresh] [-- COMMAND...]

Run COMMAND (default: cargo run --release -- portable build -p ipc --setup --run) in
the committed HEAD of the repository PATH, cloned into a fresh Debian root.
Needs root on a Debian x86_64 machine.

  --root DIR   base directory (default /var/tmp/portable-fresh-root): holds the
               pristine debootstrap tarball, an apt .deb cache and the run's
               work root DIR/root
  --repo PATH  repository to clone (default: the repository this script is in)
  --keep       keep the work root DIR/root after the run, for inspection
               (enter it with: chroot DIR/root bash -l — after mounting /proc
               etc. yourself; the next run deletes it)
  --refresh    rebuild the pristine tarball with debootstrap
  -h, --help   this help

Examples:
  sudo ci/fresh-root.sh 2>&1 | tee fresh-root.log
  sudo ci/fresh-root.sh --repo /work/main --keep
  sudo ci/fresh-root.sh --root /var/tmp/fr -- cargo test --workspace
EOF
}

base=/var/tmp/portable-fresh-root
repo=
keep=0
refresh=0
cmd=()
while (($#)); do
	case $1 in
	--root) base=${2:?--root needs a directory}; shift 2 ;;
	--root=*) base=${1#*=}; shift ;;
	--repo) repo=${2:?--repo needs a path}; shift 2 ;;
	--repo=*) repo=${1#*=}; shift ;;
	--keep) keep=1; shift ;;
	--refresh) refresh=1; shift ;;
	-h | --help) usage; exit 0 ;;
	--) shift; cmd=("$@"); break ;;
	*) echo "fresh-root: unknown argument: $1" >&2; usage >&2; exit 2 ;;
	esac
done
((${#cmd[@]})) || cmd=(cargo run --release -- portable build -p ipc --setup --run)

# The packages the README assumes ("a fresh Debian/Ubuntu machine with rustup,
# gcc and Python"), plus git for the clone.
packages=(gcc python3 python3-pip ca-certificates git)

say() { printf 'fresh-root: %s\n' "$*" >&2; }
die() { say "error: $*"; exit 1; }

# Time per step: `step NAME` ends the previous step and starts NAME.
step_name='' step_start=$SECONDS timings=()
step() {
	if [[ -n $step_name ]]; then timings+=("$(printf '%5ss  %s' $((SECONDS - step_start)) "$step_name")"); fi
	step_name=$1 step_start=$SECONDS
	[[ -z $step_name ]] || say "[$(date -u +%H:%M:%S)] $step_name"
}

[[ $EUID -eq 0 ]] || die "run me as root (debootstrap, chroot and mount need it)"
[[ $(uname -m) == x86_64 ]] || say "warning: written for x86_64, this is $(uname -m)"
grep -qs '^ID=debian' /etc/os-release || say "warning: written for Debian, this is not"

[[ -n $repo ]] || repo=$(dirname "$0")/..
repo=$(git -C "$repo" rev-parse --show-toplevel) || die "not a git repository: $repo"
rev=$(git -C "$repo" rev-parse HEAD)
gitdir=$(git -C "$repo" rev-parse --path-format=absolute --git-common-dir)

mkdir -p "$base"
base=$(cd "$base" && pwd -P)
[[ $base != *[[:space:]]* ]] || die "the base directory must not contain white space: $base"
[[ $base != / ]] || die "refusing / as the base directory"
root=$base/root
arch=$(dpkg --print-architecture)

# One run at a time per base directory.
exec 9>"$base/.lock"
flock -n 9 || die "another run holds $base/.lock"

# ---------------------------------------------------------------- apt sources
# Every "deb" entry of this machine's apt sources as "URI SUITE COMPONENTS...",
# from both the one-line format (sources.list, *.list) and deb822 (*.sources).
apt_entries() {
	local f
	for f in /etc/apt/sources.list /etc/apt/sources.list.d/*.list; do
		[[ -f $f ]] || continue
		awk '$1 == "deb" { sub(/^deb[ \t]+(\[[^]]*\][ \t]+)?/, ""); print }' "$f"
	done
	for f in /etc/apt/sources.list.d/*.sources; do
		[[ -f $f ]] || continue
		awk '
			function flush(   u, s, nu, ns, i, j, U, S) {
				if (types ~ /(^| )deb( |$)/ && enabled != "no") {
					nu = split(uris, U, " "); ns = split(suites, S, " ")
					for (i = 1; i <= nu; i++) for (j = 1; j <= ns; j++) print U[i], S[j], comps
				}
				types = uris = suites = comps = ""; enabled = "yes"
			}
			BEGIN { enabled = "yes" }
			/^[ \t]*#/ { next }
			/^[ \t]*$/ { flush(); next }
			{
				key = tolower($1); sub(/:$/, "", key); $1 = ""; sub(/^[ \t]+/, "")
				if (key == "types") types = $0
				else if (key == "uris") uris = $0
				else if (key == "suites") suites = $0
				else if (key == "components") comps = $0
				else if (key == "enabled") enabled = tolower($0)
			}
			END { flush() }' "$f"
	done
}
mapfile -t entries < <(apt_entries)
((${#entries[@]})) || die "no deb entries in /etc/apt/sources.list{,.d}"
# The base suite is the first suite without a "-" (bookworm, not
# bookworm-updates); the mirror and components are that entry's.
read -r mirror suite components < <(printf '%s\n' "${entries[@]}" | awk '$2 !~ /-/ { print; exit }')
[[ -n ${suite:-} ]] || die "no base suite in the apt sources: ${entries[*]}"
components=${components:-main}
# The root gets the entries of that suite family only (bookworm,
# bookworm-updates, bookworm-security): third-party repositories are not part
# of a fresh machine.
mapfile -t root_entries < <(printf '%s\n' "${entries[@]}" | awk -v s="$suite" '$2 == s || index($2, s "-") == 1')
keyring=/usr/share/keyrings/debian-archive-keyring.gpg

# The apt.conf.d files about how this machine reaches the archive (a proxy,
# validity checks of a snapshot, TLS): carried into the root.
mapfile -t apt_net_conf < <(grep -l -i -E 'Acquire::[a-z:]*(Proxy|Check-Valid-Until|Check-Date|CaInfo|Verify-Peer)' /etc/apt/apt.conf.d/* 2>/dev/null || true)
# debootstrap does not read apt's configuration: give it apt's proxy, if any.
apt_proxy=$(apt-config dump 2>/dev/null | sed -n 's/^Acquire::http::Proxy "\(.*\)";$/\1/p' | head -n1)
if [[ -n $apt_proxy && -z ${http_proxy:-} ]]; then export http_proxy=$apt_proxy; fi

say "repository $repo at $rev"
say "apt: $suite ($components) from $mirror; root sources: $(printf '%s; ' "${root_entries[@]}")"
say "base directory $base"

# ------------------------------------------------------------------ cleanup
mounted_under() { # mount points at or under $1, deepest first
	awk -v p="$1" '$5 == p || index($5, p "/") == 1 { print $5 }' /proc/self/mountinfo | sort -r
}
unmount_all() {
	local m
	while read -r m; do
		[[ -n $m ]] || continue
		umount "$m" 2>/dev/null || umount -l "$m" || say "warning: could not unmount $m"
	done < <(mounted_under "$1")
}
# shellcheck disable=SC2317 # called from the EXIT trap
kill_in_root() { # the processes this run left running inside the root
	local p pids=()
	for p in /proc/[0-9]*; do
		[[ $(readlink "$p/root" 2>/dev/null) == "$root" ]] && pids+=("${p#/proc/}")
	done
	((${#pids[@]})) || return 0
	say "stopping processes left in the root: ${pids[*]}"
	kill -TERM "${pids[@]}" 2>/dev/null || true
	sleep 2
	kill -KILL "${pids[@]}" 2>/dev/null || true
}
remove_root() { # delete a work root, only once nothing is mounted in it
	[[ -e $1 ]] || return 0
	unmount_all "$1"
	if [[ -n $(mounted_under "$1") ]]; then
		say "error: still mounted under $1, not deleting it"
		return 1
	fi
	rm -rf --one-file-system "$1"
}
in_chroot=0
# shellcheck disable=SC2317 # the EXIT trap
cleanup() {
	local rc=$?
	trap - EXIT INT TERM
	unmount_all "$base/pristine.tmp" # an interrupted debootstrap
	if ((in_chroot)); then
		step "unmount$( ((keep)) || echo ' and delete') the work root"
		kill_in_root
		unmount_all "$root"
		if ((keep)); then
			say "kept the work root $root (the next run deletes it)"
		else
			remove_root "$root" || true
		fi
	fi
	step ""
	if ((${#timings[@]})); then
		say "time per step:"
		printf '  %s\n' "${timings[@]}" >&2
	fi
	exit "$rc"
}
trap cleanup EXIT
trap 'say "interrupted"; exit 130' INT
trap 'say "terminated"; exit 143' TERM

# ------------------------------------------------- 1. the pristine tarball
pristine=$base/pristine-$suite-$arch.tar
if ((refresh)) || [[ ! -f $pristine ]]; then
	step "debootstrap $suite from $mirror (once; kept as $pristine)"
	if ! command -v debootstrap >/dev/null; then
		DEBIAN_FRONTEND=noninteractive apt-get install -y debootstrap
	fi
	tmp=$base/pristine.tmp
	remove_root "$tmp"
	debootstrap --arch="$arch" --components="${components// /,}" --keyring="$keyring" \
		"$suite" "$tmp" "$mirror"
	unmount_all "$tmp"
	tar -C "$tmp" --numeric-owner --xattrs --xattrs-include='*' -cpf "$pristine.part" .
	chmod a-w "$pristine.part"
	mv -f "$pristine.part" "$pristine"
	remove_root "$tmp"
fi
say "pristine root: $pristine ($(du -h "$pristine" | cut -f1))"

# ------------------------------------------------------- 2. the work root
step "unpack a fresh work root $root"
remove_root "$root" # an earlier run's root (--keep, or an aborted run) is never reused
mkdir -p "$root"
in_chroot=1
tar -C "$root" --numeric-owner --xattrs --xattrs-include='*' -xpf "$pristine"

step "mount /proc /sys /dev /dev/pts /dev/shm"
mount -t proc proc "$root/proc"
mount -t sysfs sysfs "$root/sys"
mount --bind /dev "$root/dev"
mount --bind /dev/pts "$root/dev/pts"
mount -t tmpfs -o mode=1777,nosuid,nodev shm "$root/dev/shm"
# apt's .deb cache is kept between runs (apt verifies every .deb against the
# fresh index, so this only saves downloads).
mkdir -p "$base/apt-archives/partial"
mount --bind "$base/apt-archives" "$root/var/cache/apt/archives"

# Run a command in the root with a minimal environment (setup steps). It runs
# in the background and is waited for, so that Ctrl-C stops this script at
# once: bash runs a trap only after a foreground command ends, and apt ignores
# SIGINT; the cleanup then stops whatever still runs in the root.
in_root() {
	chroot "$root" /usr/bin/env -i HOME=/root LANG=C.UTF-8 TERM="${TERM:-dumb}" \
		PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin "$@" <&0 &
	wait "$!"
}

step "network settings: resolv.conf, apt sources and apt.conf.d, CA bundle, pip.conf, environment"
cp -L /etc/resolv.conf "$root/etc/resolv.conf"
rm -f "$root/etc/apt/sources.list"
for e in "${root_entries[@]}"; do
	read -r u s c <<<"$e"
	printf 'Types: deb\nURIs: %s\nSuites: %s\nComponents: %s\nSigned-By: %s\n\n' "$u" "$s" "$c" "$keyring"
done >"$root/etc/apt/sources.list.d/debian.sources"
for f in "${apt_net_conf[@]}"; do
	cp "$f" "$root/etc/apt/apt.conf.d/"
	say "apt config carried: $f"
done
[[ ! -f /etc/pip.conf ]] || cp /etc/pip.conf "$root/etc/pip.conf"
# The environment that makes this machine's network work (CA bundles, pip's
# settings, proxies), for every login shell in the root.
carried=()
for k in $(compgen -e); do
	case $k in
	PIP_FIND_LINKS) ;; # a local wheel directory: a user has none; pip goes to PyPI
	PIP_* | SSL_* | *_CA_* | http_proxy | https_proxy | no_proxy | all_proxy | \
		HTTP_PROXY | HTTPS_PROXY | NO_PROXY | ALL_PROXY) carried+=("$k") ;;
	esac
done
{
	echo "# written by ci/fresh-root.sh: this machine's network environment"
	for k in "${carried[@]}"; do printf 'export %s=%q\n' "$k" "${!k}"; done
} >"$root/etc/profile.d/00-fresh-root-network.sh"
say "environment carried: ${carried[*]:-none}"
say "environment not carried: PIP_FIND_LINKS${PIP_FIND_LINKS:+=$PIP_FIND_LINKS} RUSTUP_AUTO_INSTALL${RUSTUP_AUTO_INSTALL:+=$RUSTUP_AUTO_INSTALL} (a user's machine has neither)"

step "apt-get install ${packages[*]} (in the root, default Recommends)"
# No daemons may start from the chroot while apt installs (removed afterwards).
printf '#!/bin/sh\nexit 101\n' >"$root/usr/sbin/policy-rc.d"
chmod +x "$root/usr/sbin/policy-rc.d"
in_root apt-get update
# A user's new machine is up to date (the installer applies the updates).
in_root DEBIAN_FRONTEND=noninteractive apt-get upgrade -y
in_root DEBIAN_FRONTEND=noninteractive apt-get install -y "${packages[@]}"
rm -f "$root/usr/sbin/policy-rc.d"
# This machine's CA bundle: what it adds to Debian's CAs (here: the CAs of the
# proxies the network goes through) goes into the root as local CAs — the
# files of /usr/local/share/ca-certificates, and any certificate of the bundle
# that no CA file holds — so the root's bundle is its own Debian bundle plus
# those, and stays so when apt runs update-ca-certificates again in the job.
mkdir -p "$root/usr/local/share/ca-certificates"
if [[ -d /usr/local/share/ca-certificates ]]; then
	cp -a /usr/local/share/ca-certificates/. "$root/usr/local/share/ca-certificates/"
fi
n_extra=$(awk -v dir="$root/usr/local/share/ca-certificates" '
	/-----BEGIN CERTIFICATE-----/ { body = pem = ""; inside = 1 }
	inside { pem = pem $0 "\n"; line = $0; gsub(/[ \t\r]/, "", line); if (line !~ /-----/) body = body line }
	/-----END CERTIFICATE-----/ {
		inside = 0
		if (NR == FNR) known[body] = 1
		else if (!(body in known)) { n++; f = dir "/fresh-root-host-" n ".crt"; printf "%s", pem > f; close(f) }
	}
	END { print n + 0 }' <(find /usr/share/ca-certificates /usr/local/share/ca-certificates -name '*.crt' -exec cat {} +) \
	/etc/ssl/certs/ca-certificates.crt)
while IFS= read -r -d '' f; do
	say "CA carried: ${f#"$root"} ($(openssl x509 -noout -subject -in "$f" 2>/dev/null))"
done < <(find "$root/usr/local/share/ca-certificates" -name '*.crt' -print0)
in_root update-ca-certificates
say "CA bundle: the root's Debian bundle plus this machine's local CAs ($n_extra more from its bundle that no CA file holds)"

# -------------------------------------------------------- the toolchain
step "copy rustup and the default toolchain (host standard library only)"
host_rustup=${RUSTUP_HOME:-$HOME/.rustup}
host_cargo=${CARGO_HOME:-$HOME/.cargo}
toolchain=$(env -u RUSTUP_TOOLCHAIN rustup default | awk '{ print $1; exit }')
host=$(rustup show | sed -n 's/^Default host: //p')
[[ -n $toolchain && -n $host ]] || die "cannot tell the default toolchain / host from rustup"
src=$(readlink -f "$host_rustup/toolchains/$toolchain")
[[ -d $src/lib/rustlib ]] || die "no toolchain at $src"
others=()
while read -r c; do
	[[ $c == rust-std-* && $c != "rust-std-$host" ]] && others+=("${c#rust-std-}")
done <"$src/lib/rustlib/components"
excludes=()
for t in "${others[@]}"; do
	excludes+=("--exclude=./lib/rustlib/$t" "--exclude=./lib/rustlib/manifest-rust-std-$t")
done
say "toolchain $toolchain ($src, $(du -sh "$src" | cut -f1)); leaving out the targets: ${others[*]:-none}"
dst_rustup=$root/root/.rustup
dst=$dst_rustup/toolchains/$toolchain
mkdir -p "$dst" "$dst_rustup/update-hashes" "$root/root/.cargo"
tar -C "$src" "${excludes[@]}" -cf - . | tar -C "$dst" -xpf -
# rustup's record of the installed components, without the left-out targets,
# so that `rustup target add` there installs them for real.
grep -v -x -F -f <(printf 'rust-std-%s\n' "${others[@]}") \
	"$src/lib/rustlib/components" >"$dst/lib/rustlib/components" || true
awk -v drop=" ${others[*]} " '
	function flush() { if (buf != "" && !(pkg == "rust-std" && index(drop, " " target " "))) printf "%s", buf; buf = pkg = target = "" }
	/^\[\[components\]\]/ { flush() }
	/^pkg = / { pkg = $3; gsub(/"/, "", pkg) }
	/^target = / { target = $3; gsub(/"/, "", target) }
	{ buf = buf $0 "\n" }
	END { flush() }' "$src/lib/rustlib/multirust-config.toml" >"$dst/lib/rustlib/multirust-config.toml"
cp "$host_rustup/settings.toml" "$dst_rustup/"
[[ ! -f $host_rustup/update-hashes/$toolchain ]] || cp "$host_rustup/update-hashes/$toolchain" "$dst_rustup/update-hashes/"
# rustup and its proxies (cargo, rustc, … are symlinks to it), and the env
# script rustup-init writes; not the registry (a user starts without one).
cp -a "$host_cargo/bin" "$host_cargo/env" "$root/root/.cargo/"
for f in config.toml config; do
	[[ ! -f $host_cargo/$f ]] || { cp "$host_cargo/$f" "$root/root/.cargo/"; say "cargo config carried: $host_cargo/$f"; }
done
# What rustup-init does to the shell startup files.
# shellcheck disable=SC2016 # $HOME is for the root's shell
for f in .profile .bashrc; do printf '. "$HOME/.cargo/env"\n' >>"$root/root/$f"; done
say "copied: $(du -sh "$dst_rustup" | cut -f1) of rustup home, $(du -sh "$root/root/.cargo" | cut -f1) of cargo home"

# ----------------------------------------------------------- the clone
step "git clone $repo ($rev) into /root/cargo-portable"
mkdir -p "$root/mnt/origin.git"
mount --bind -o ro "$gitdir" "$root/mnt/origin.git"
mount -o remount,bind,ro "$root/mnt/origin.git"
in_root git clone --quiet --no-local --no-checkout /mnt/origin.git /root/cargo-portable
in_root git -C /root/cargo-portable -c advice.detachedHead=false checkout --quiet --detach "$rev"
umount "$root/mnt/origin.git"
rmdir "$root/mnt/origin.git"

# ----------------------------------------------------------- the run
# A login shell as root: /etc/profile (and profile.d), then ~/.profile, which
# puts ~/.cargo/bin first on PATH as rustup-init arranges.
login() {
	chroot "$root" /usr/bin/env -i HOME=/root USER=root LOGNAME=root SHELL=/bin/bash \
		LANG=C.UTF-8 TERM="${TERM:-dumb}" \
		/bin/bash -l -c 'cd /root/cargo-portable && exec "$@"' fresh-root "$@"
}
step "what the root has"
# shellcheck disable=SC2016 # expanded by the root's shell
login bash -c 'echo "PATH=$PATH"; rustup --version 2>/dev/null; rustc -V; cargo -V
	echo "installed targets: $(rustup target list --installed | tr "\n" " ")"
	echo "toolchains: $(rustup toolchain list | tr "\n" " ")"
	gcc --version | head -n1; python3 --version; python3 -m pip --version
	command -v zig cargo-zigbuild musl-gcc aarch64-linux-gnu-gcc x86_64-w64-mingw32-gcc || true' |
	sed 's/^/fresh-root:   /' >&2

step "run: ${cmd[*]}"
set +e
login "${cmd[@]}"
rc=$?
set -e
say "the command exited with $rc"
exit "$rc"
