#!/usr/bin/env bash
# Builds the strategy binaries into target/release/<name>.
#
# The compiler is chosen here too, per build (BENCHLAB_PARAM_TOOLCHAIN, the
# build-time parameter `toolchain`, or BENCHLAB_TOOLCHAIN; default path):
#   path      the cargo and rustc found on PATH
#   debian    Debian's own packages `cargo` and `rustc` in /usr/bin (1.63 on
#             bookworm), installed with apt-get when missing
# Each toolchain builds into its own target/<toolchain>/ and the binaries are
# copied to target/release/<name>, where the strategies' commands point.
# target/toolchain.txt (archived with the run) names the rustc and cargo
# that built them, which can differ from the rustc on PATH that the host
# check records.
#
# The crate source (for tokio and what it needs) is chosen here, per build:
#   debian    Debian's packaged crates (librust-tokio-dev) under
#             /usr/share/cargo/registry, as a cargo directory source, --offline
#   registry  the normal crates.io registry
# BENCHLAB_CRATES=debian|registry forces one; otherwise debian when crates.io
# does not answer, registry when it does. The replacement is passed with
# `cargo --config`, never written to a config file, so nobody who has the
# registry is moved off it.
#
# Missing tools are installed with apt-get: Debian's cargo and rustc (the newer
# cargo-web/rustc-web where the release has them) when cargo is not on PATH,
# librust-tokio-dev when the Debian crates are needed and absent.
#
# Cargo.lock is generated, not committed: it differs by crate source. A lock
# left by a build from the other source is removed first.
#
# Run from anywhere; it works in its own folder. One line on stderr says which
# source it used. `build.sh --setup-toolchain` installs cargo and rustc if
# missing and stops; `build.sh --setup` installs what is missing and stops before
# building (setup.sh; benchlab checks for cargo before it builds).
set -euo pipefail

setup_only=false
toolchain_only=false
[[ ${1:-} == --setup ]] && setup_only=true
[[ ${1:-} == --setup-toolchain ]] && toolchain_only=true

cd "$(dirname "${BASH_SOURCE[0]}")"

readonly DEBIAN_REGISTRY=/usr/share/cargo/registry
readonly REGISTRY_PROBE=https://index.crates.io/config.json
readonly BINARIES=(
	function-pointer
	boxed-function-pointer
	async-func
	async-boxed-naive
	async-boxed-invert
	async-enum
	reset-future
	async-boxed-closure
	async-boxed-spawn
	async-stack-future
)

log() { printf 'build.sh: %s\n' "$*" >&2; }
die() { log "$*"; exit 1; }

# as_root runs a command as root: directly, or through sudo where that works
# without a password.
as_root() {
	if [[ $(id -u) -eq 0 ]]; then
		"$@"
	elif command -v sudo >/dev/null && sudo -n true 2>/dev/null; then
		sudo -n "$@"
	else
		die "need root to run: $* (run it yourself, then build.sh again)"
	fi
}

apt_updated=false
# apt_candidate PKG prints PKG's installable version, or nothing.
apt_candidate() {
	command -v apt-cache >/dev/null || return 0
	LC_ALL=C apt-cache policy "$1" 2>/dev/null |
		awk '$1 == "Candidate:" && $2 != "(none)" { print $2 }'
}
# apt_install PKG... installs packages, running apt-get update once first
# when one of them has no candidate yet.
apt_install() {
	command -v apt-get >/dev/null || die "apt-get not found; install by hand: $*"
	local p
	if ! $apt_updated; then
		for p in "$@"; do
			if [[ -z $(apt_candidate "$p") ]]; then
				log "apt-get update"
				as_root apt-get update -qq >&2
				apt_updated=true
				break
			fi
		done
	fi
	log "apt-get install -y $*"
	as_root env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "$@" >&2
}

have_debian_tokio() {
	compgen -G "$DEBIAN_REGISTRY/tokio-[0-9]*/Cargo.toml" >/dev/null &&
		compgen -G "$DEBIAN_REGISTRY/tokio-macros-[0-9]*/Cargo.toml" >/dev/null
}

# registry_answers succeeds when the crates.io index answers within 5 s.
registry_answers() {
	if command -v curl >/dev/null; then
		curl -sf -m 5 -o /dev/null "$REGISTRY_PROBE"
	else
		# No curl: try a TCP connection to the index host instead.
		timeout 5 bash -c 'exec 3<>/dev/tcp/index.crates.io/443' 2>/dev/null
	fi
}

# 1. A Rust toolchain.
if ! command -v cargo >/dev/null; then
	command -v apt-get >/dev/null || die "cargo not found and no apt-get to install it; install Rust (cargo, rustc)"
	if [[ -z $(apt_candidate cargo-web) && -z $(apt_candidate cargo) ]]; then
		log "apt-get update"
		as_root apt-get update -qq >&2
		apt_updated=true
	fi
	# bookworm has cargo/rustc 1.63 and, in its security and point-release
	# updates, the newer cargo-web/rustc-web: take the newer one.
	if [[ -n $(apt_candidate cargo-web) ]]; then
		apt_install cargo-web rustc-web
	else
		apt_install cargo rustc
	fi
	hash -r
	command -v cargo >/dev/null || die "cargo still not on PATH after apt-get install"
fi

$toolchain_only && exit 0

# 2. The crate source.
case "${BENCHLAB_CRATES:-}" in
debian)
	source=debian
	why="BENCHLAB_CRATES=debian"
	;;
registry)
	source=registry
	why="BENCHLAB_CRATES=registry"
	;;
"")
	if registry_answers; then
		source=registry
		why="crates.io answers"
	else
		source=debian
		why="crates.io unreachable"
	fi
	;;
*)
	die "BENCHLAB_CRATES=${BENCHLAB_CRATES}: want debian or registry"
	;;
esac

cargo_args=(build --release)
if [[ $source == debian ]]; then
	if ! have_debian_tokio; then
		apt_install librust-tokio-dev
		have_debian_tokio || die "no tokio under $DEBIAN_REGISTRY after installing librust-tokio-dev"
	fi
	cargo_args+=(
		--offline
		--config 'source.crates-io.replace-with="debian"'
		--config "source.debian.directory=\"$DEBIAN_REGISTRY\""
	)
	printf 'crates: debian directory source %s (%s)\n' "$DEBIAN_REGISTRY" "$why" >&2
else
	printf 'crates: crates.io registry (%s)\n' "$why" >&2
fi

# 3. The compiler.
toolchain=${BENCHLAB_PARAM_TOOLCHAIN:-${BENCHLAB_TOOLCHAIN:-path}}
case $toolchain in
path)
	cargo_bin=$(command -v cargo)
	rustc_bin=$(command -v rustc) || die "rustc not on PATH"
	;;
debian)
	cargo_bin=/usr/bin/cargo
	rustc_bin=/usr/bin/rustc
	if [[ ! -x $cargo_bin || ! -x $rustc_bin ]]; then
		apt_install cargo rustc
	fi
	[[ -x $cargo_bin && -x $rustc_bin ]] || die "no $cargo_bin and $rustc_bin after apt-get install cargo rustc"
	;;
*)
	die "toolchain ${toolchain}: want path or debian"
	;;
esac
printf 'toolchain: %s: %s\n' "$toolchain" "$("$rustc_bin" --version)" >&2

$setup_only && exit 0

# A lock resolved against the other source names other checksums (or none)
# and would make cargo refuse; the source of the last lock is kept in target/.
marker=target/.benchlab-crates-source
# An older cargo cannot read the lock format of a newer one, so the lock is
# also regenerated when the toolchain changes.
if [[ -e Cargo.lock && "$(cat "$marker" 2>/dev/null || true)" != "$source $toolchain" ]]; then
	log "removing Cargo.lock left by another crate source or toolchain"
	rm -f Cargo.lock
fi

RUSTC=$rustc_bin "$cargo_bin" "${cargo_args[@]}" --target-dir "target/$toolchain" >&2
mkdir -p target/release
printf '%s %s\n' "$source" "$toolchain" >"$marker"

for b in "${BINARIES[@]}"; do
	[[ -x target/$toolchain/release/$b ]] || die "target/$toolchain/release/$b was not built"
	cp -f "target/$toolchain/release/$b" "target/release/$b"
done
{
	printf 'toolchain: %s\n' "$toolchain"
	"$rustc_bin" -vV
	"$cargo_bin" -V
} >target/toolchain.txt
