#!/usr/bin/env bash
# Builds the strategy binaries of dispatch-crossover into
# target/release/<name> with the cargo and rustc on PATH. The crate has no
# dependencies, so nothing is fetched (--offline).
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")"

command -v cargo >/dev/null || {
	echo "build.sh: cargo not on PATH; install Rust (setup.sh does)" >&2
	exit 1
}
cargo build --release --offline >&2
for b in direct fn-pointer async-static async-boxed; do
	[[ -x target/release/$b ]] || { echo "build.sh: target/release/$b was not built" >&2; exit 1; }
done
