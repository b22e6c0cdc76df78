#!/usr/bin/env bash
# Builds the subjects of `make bench` into OUT (default /tmp/benchlab-bench):
# the static C programs (noop, busy, sleep, spawnloop) and a copy of the
# async-fn-pointers strategies with ITERATIONS cut to BENCH_ITERATIONS
# (default 50_000_000, a fifth of the experiment's), so that the bench stays
# within a few minutes. The experiment folder itself is not touched: its
# sources are copied, with its target/ as a build cache, and the six
# binaries end up in OUT/strategies.
set -euo pipefail
here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
exp=$(cd "$here/../../experiments/async-fn-pointers" && pwd)
out=${1:-/tmp/benchlab-bench}
iterations=${BENCH_ITERATIONS:-50_000_000}
STRATEGIES="function-pointer boxed-function-pointer async-func async-boxed-naive async-boxed-invert async-enum"
mkdir -p "$out"
for p in noop busy sleep spawnloop; do
	gcc -static -O2 -o "$out/$p" "$here/$p.c"
done
rust=$out/async-fn-pointers
mkdir -p "$rust"
cp "$exp/Cargo.toml" "$exp/build.sh" "$rust/"
[[ -e $exp/build.rs ]] && cp "$exp/build.rs" "$rust/"
# Only the six strategies of the post (and what they share) are copied: the
# experiment may hold others, possibly half-written.
rm -rf "$rust/src" && mkdir -p "$rust/src/bin"
cp "$exp/src/common.rs" "$rust/src/"
for b in $STRATEGIES; do cp "$exp/src/bin/$b.rs" "$rust/src/bin/"; done
if [[ ! -d $rust/target && -d $exp/target ]]; then
	cp -r "$exp/target" "$rust/target"
fi
# The bound is a constant in src/common.rs, or (newer sources) written by
# build.rs from BENCHLAB_PARAM_ITERATIONS: set it both ways.
sed -i -E "s/^pub const ITERATIONS: u64 = [0-9_]+;/pub const ITERATIONS: u64 = $iterations;/" "$rust/src/common.rs"
if ! grep -q "ITERATIONS: u64 = $iterations;" "$rust/src/common.rs" && [[ ! -e $rust/build.rs ]]; then
	echo "build.sh: could not set ITERATIONS in $rust/src/common.rs" >&2
	exit 1
fi
# The experiment's build.sh may insist on strategies not copied here: its
# verdict is not ours; the six binaries are.
BENCHLAB_PARAM_ITERATIONS=${iterations//_/} "$rust/build.sh" || true
mkdir -p "$out/strategies"
for b in $STRATEGIES; do
	bin=$(ls -t "$rust"/target/release/"$b" "$rust"/target/*/release/"$b" 2>/dev/null | head -1)
	[[ -n $bin && $bin -nt $rust/src/common.rs ]] || { echo "build.sh: $b was not built" >&2; exit 1; }
	cp "$bin" "$out/strategies/$b"
done
