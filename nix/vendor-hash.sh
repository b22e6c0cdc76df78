#!/usr/bin/env bash
# Computes flake.nix's vendorHash offline, the way buildGoModule does.
#
#   nix/vendor-hash.sh           print the hash (sha256-..., SRI)
#   nix/vendor-hash.sh --check   exit 1 unless flake.nix has that hash
#   nix/vendor-hash.sh --write   put it into flake.nix
#
# buildGoModule's goModules derivation runs `go mod vendor` in the source and
# its output is that `vendor` directory, hashed recursively (NAR, sha256): the
# vendorHash. This does the same in a temporary copy of the work tree, with the
# local Go and its module cache (modules missing there come from GOPROXY), and
# hashes the result with `nix hash path`. The vendor tree depends only on
# go.mod, go.sum and the imports of the module's packages and tests, not on
# the Go patch release, so the local Go 1.26 gives the hash Nix's Go 1.26 gets.
# Rerun it after any change to go.mod/go.sum or to the set of imported packages.
set -euo pipefail

cd "$(dirname "${BASH_SOURCE[0]}")/.."
root=$PWD

mode=print
case "${1:-}" in
"") ;;
--check) mode="check" ;;
--write) mode="write" ;;
*)
	echo "usage: nix/vendor-hash.sh [--check|--write]" >&2
	exit 2
	;;
esac

log() { printf 'vendor-hash: %s\n' "$*" >&2; }

command -v go >/dev/null || { log "go not found"; exit 1; }
if command -v nix >/dev/null; then
	nar_hash() { nix --extra-experimental-features nix-command hash path --type sha256 --sri "$1"; }
else
	log "nix not found (apt-get install nix-bin, or run inside nix develop)"
	exit 1
fi

tmp=$(mktemp -d)
trap 'chmod -R u+w "$tmp" 2>/dev/null || true; rm -rf "$tmp"' EXIT

# The files Nix would see: tracked plus untracked-but-not-ignored (in a fresh
# clone, the committed ones). Outside git, everything but .git and vendor.
if git -C "$root" rev-parse --is-inside-work-tree >/dev/null 2>&1; then
	# (A file deleted but still in the index is skipped.)
	# shellcheck disable=SC2016
	git -C "$root" ls-files -z --cached --others --exclude-standard |
		(cd "$root" && xargs -0 -r sh -c 'for f; do [ -e "$f" ] && cp --parents -t "$0" "$f"; done; true' "$tmp")
else
	tar -C "$root" --exclude=.git --exclude=./vendor -cf - . | tar -C "$tmp" -xf -
fi
[[ -f $tmp/go.mod ]] || { log "go.mod not copied"; exit 1; }
rm -rf "$tmp/vendor"

(
	cd "$tmp"
	# As buildGoModule: modules mode, local toolchain, no -mod=vendor.
	GOFLAGS='' GOWORK=off GO111MODULE=on GOTOOLCHAIN=local go mod vendor
	mkdir -p vendor
)
hash=$(nar_hash "$tmp/vendor")

current=$(sed -n 's/^[[:space:]]*vendorHash = "\(sha256-[^"]*\)";.*/\1/p' flake.nix)
case $mode in
print)
	echo "$hash"
	;;
check)
	if [[ $current == "$hash" ]]; then
		log "flake.nix vendorHash is current: $hash"
	else
		log "flake.nix vendorHash is ${current:-missing}, the vendor tree hashes to $hash"
		log "run nix/vendor-hash.sh --write"
		exit 1
	fi
	;;
write)
	[[ -n $current ]] || { log "no vendorHash line in flake.nix"; exit 1; }
	sed -i "s|vendorHash = \"$current\";|vendorHash = \"$hash\";|" flake.nix
	log "flake.nix vendorHash: $hash"
	;;
esac
