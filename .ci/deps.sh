#!/usr/bin/env bash
# Installs, from Debian's packages, the real tools the tests run (never
# mocked, never skipped): `make test` and .ci/run call it; it does nothing
# when all are present.
#   valgrind        `benchlab count` (callgrind instruction counts and profiles)
#   slurm-wlm munge `benchlab submit`'s test starts its own one-node cluster (.ci/slurm.sh)
#   python3-scipy   the live oracle of the significance tests (analysis/significance_test.go)
#   hyperfine       exchange round trips against hyperfine's own exports
set -euo pipefail
need=()
for pkg in valgrind slurm-wlm munge python3-scipy hyperfine; do
	dpkg -s "$pkg" >/dev/null 2>&1 || need+=("$pkg")
done
((${#need[@]})) || exit 0
if [[ $(id -u) -ne 0 ]] || ! command -v apt-get >/dev/null; then
	echo "deps: the tests need ${need[*]}: install them (apt-get install ${need[*]}) and run again" >&2
	exit 1
fi
echo "deps: installing ${need[*]}" >&2
apt-get update -qq
DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "${need[@]}" >/dev/null
