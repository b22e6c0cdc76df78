#!/usr/bin/env bash
# Offline checks of flake.nix / flake.lock: what can be verified with no
# network (no GitHub, no Nix binary cache). Exit 0 only if every check passed.
#
#   nix/check.sh            run the checks (installs Debian's nix-bin when
#                           missing and running as root with apt-get)
#
# What it checks, against a copy of the work tree (tracked + untracked files
# that are not ignored: what a fresh clone has, so uncommitted files count):
#   1. flake.nix and nix/stub/flake.nix parse (nix-instantiate --parse)
#   2. flake.lock is a well-formed version-7 lock pinning github:NixOS/nixpkgs
#      to a 40-hex rev with an SRI sha256 narHash, matching flake.nix's url
#   3. nix flake metadata --offline reads that lock without fetching anything
#   4. nix flake check --no-build --offline against the stub nixpkgs in
#      nix/stub: the whole flake evaluates (every output, every system)
#   5. nix flake show lists packages.default, apps.experiment,
#      devShells.default and checks.test
#   6. the environment the flake exports (BENCHLAB_NIXPKGS_REV,
#      BENCHLAB_NIX_STORE_PATHS) in the devShell and the app, with the stub
#      as a path input (rev -> "dirty:<narHash>"; go.mod's `go 1.26.0` picks
#      go_1_26 over the stub's Go 1.25)
#   7. the same with the stub as a git input (rev -> its commit)
#   8. the app's script as writeShellApplication assembles it: shellcheck
#      (bash -n where shellcheck is missing); it refuses outside a checkout
#   9. experiments/async-fn-pointers/experiment.toml through builtins.fromTOML
#  10. vendorHash in flake.nix equals the hash of `go mod vendor`
#      (nix/vendor-hash.sh --check; skipped, and counted, without go)
# What it cannot check here: that the pinned rev and narHash exist on GitHub,
# and anything that builds (Go, the test suite in the sandbox, the devShell).
set -euo pipefail

cd "$(dirname "${BASH_SOURCE[0]}")/.."
root=$PWD

say() { printf 'nix-check: %s\n' "$*" >&2; }

# --- Nix itself -------------------------------------------------------------
if ! command -v nix >/dev/null; then
	if [[ $(id -u) -eq 0 ]] && command -v apt-get >/dev/null; then
		say "nix not found: apt-get install nix-bin shellcheck"
		aptlog=$(mktemp)
		if [[ -z $(LC_ALL=C apt-cache policy nix-bin 2>/dev/null | awk '$1 == "Candidate:" && $2 != "(none)" { print $2 }') ]]; then
			apt-get update -qq >>"$aptlog" 2>&1 || true
		fi
		DEBIAN_FRONTEND=noninteractive apt-get install -y -qq nix-bin >>"$aptlog" 2>&1 ||
			{ say "apt-get install nix-bin failed:"; tail -n 20 "$aptlog" >&2; }
		DEBIAN_FRONTEND=noninteractive apt-get install -y -qq shellcheck >>"$aptlog" 2>&1 ||
			say "apt-get install shellcheck failed (bash -n instead)"
		rm -f "$aptlog"
		hash -r
	fi
fi
if ! command -v nix >/dev/null; then
	say "SKIPPED: nix is not installed and could not be installed (needs root and apt-get: apt-get install nix-bin)"
	echo "nix-check: 0 passed, 0 failed, 1 skipped"
	exit 0
fi
# No eval cache: Nix 2.8 reads string contexts back from it wrongly ("path
# '/nix/store/...drv !out!/nix/store/...' is not in the Nix store").
NIX=(nix --extra-experimental-features 'nix-command flakes' --option eval-cache false)
if ! out=$("${NIX[@]}" eval --expr '1 + 1' 2>&1) || [[ $out != 2 ]]; then
	say "SKIPPED: nix is installed but cannot evaluate here (no store access?): $out"
	echo "nix-check: 0 passed, 0 failed, 1 skipped"
	exit 0
fi
say "$(nix --version)"

# --- The tree Nix sees --------------------------------------------------------
tmp=$(mktemp -d)
trap 'chmod -R u+w "$tmp" 2>/dev/null || true; rm -rf "$tmp"' EXIT
view=$tmp/tree
mkdir -p "$view"
if git rev-parse --is-inside-work-tree >/dev/null 2>&1; then
	# shellcheck disable=SC2016 # $f and $0 belong to the inner sh
	git ls-files -z --cached --others --exclude-standard |
		xargs -0 -r sh -c 'for f; do [ -e "$f" ] && cp --parents -t "$0" "$f"; done; true' "$view"
else
	tar --exclude=.git -cf - . | tar -C "$view" -xf -
fi
# A flake in a git work tree sees only the files git knows: add them all
# (no commit, so the flake is "dirty", as in a developer's checkout).
git -C "$view" init -q
git -C "$view" add -A

passed=0 failed=0 skipped=0
failures=()
check() {
	local name=$1
	shift
	local log=$tmp/log rc
	# Not inside `if`: there bash would ignore errexit in the check's body.
	set +e
	(
		set -e
		cd "$view"
		"$@"
	) >"$log" 2>&1
	rc=$?
	set -e
	if ((rc == 0)); then
		passed=$((passed + 1))
		say "ok    $name"
	else
		failed=$((failed + 1))
		failures+=("$name")
		say "FAIL  $name"
		sed 's/^/      /' "$log" >&2
	fi
}
skip() {
	skipped=$((skipped + 1))
	say "skip  $1"
}

STUB=(--offline --no-write-lock-file --override-input nixpkgs path:./nix/stub)

# nixeval EXPR: evaluate a Nix expression (paths relative to the cwd), print JSON.
nixeval() { "${NIX[@]}" eval --json --impure --expr "$1"; }

# 1. Parse.
check "parse flake.nix, nix/stub/flake.nix" \
	sh -c 'nix-instantiate --parse flake.nix >/dev/null && nix-instantiate --parse nix/stub/flake.nix >/dev/null'

# 2. The lock file's shape, and that it matches flake.nix's url.
check_lock() {
	# shellcheck disable=SC2016 # Nix's ${...}, not the shell's
	nixeval '
	  let
	    lock = builtins.fromJSON (builtins.readFile ./flake.lock);
	    flake = import ./flake.nix;
	    n = lock.nodes.nixpkgs;
	    l = n.locked;
	    url = flake.inputs.nixpkgs.url;
	    want = "github:${n.original.owner}/${n.original.repo}/${n.original.ref}";
	    is = cond: msg: if cond then true else throw "flake.lock: ${msg}";
	  in
	    is (lock.version == 7) "version ${toString lock.version}, want 7"
	    && is (lock.root == "root" && lock.nodes.root.inputs == { nixpkgs = "nixpkgs"; }) "root must have the one input nixpkgs"
	    && is (l.type == "github" && l.owner == "NixOS" && l.repo == "nixpkgs") "nixpkgs is not github:NixOS/nixpkgs"
	    && is (builtins.match "[0-9a-f]{40}" l.rev != null) "rev ${l.rev} is not 40 hex digits"
	    && is (builtins.match "sha256-[A-Za-z0-9+/]{43}=" l.narHash != null) "narHash ${l.narHash} is not an SRI sha256"
	    && is (builtins.isInt l.lastModified && l.lastModified > 1767225600) "lastModified ${toString l.lastModified} is not a 2026+ timestamp"
	    && is (n.original.type == "github" && url == want) "original ${want} does not match flake.nix url ${url}"
	    && is (builtins.attrNames l == [ "lastModified" "narHash" "owner" "repo" "rev" "type" ]) "unexpected locked keys"
	' | grep -qx true
}
(cd "$view" && cp flake.lock "$tmp/flake.lock.orig")
check "flake.lock is a well-formed github:NixOS/nixpkgs pin matching flake.nix" check_lock

# 3. nix flake metadata reads the lock offline (and leaves it alone).
check_metadata() {
	local rev
	rev=$(nixeval '(builtins.fromJSON (builtins.readFile ./flake.lock)).nodes.nixpkgs.locked.rev' | tr -d '"')
	"${NIX[@]}" flake metadata --offline --no-write-lock-file --json . >"$tmp/metadata.json"
	"${NIX[@]}" flake metadata --offline --no-write-lock-file . | sed 's/\x1b\[[0-9;]*m//g' | tee "$tmp/metadata.txt"
	grep -q "nixpkgs: github:NixOS/nixpkgs/$rev" "$tmp/metadata.txt"
	nixeval "let m = builtins.fromJSON (builtins.readFile $tmp/metadata.json); in m.locks.nodes.nixpkgs.locked.rev == \"$rev\"" | grep -qx true
	cmp flake.lock "$tmp/flake.lock.orig"
}
check "nix flake metadata --offline resolves nixpkgs from flake.lock" check_metadata

# 4. The whole flake, evaluated against the stub nixpkgs.
check "nix flake check --no-build --offline (stub nixpkgs)" \
	"${NIX[@]}" flake check --no-build "${STUB[@]}"

# 5. The outputs a user runs.
check_show() {
	"${NIX[@]}" flake show --json "${STUB[@]}" >"$tmp/show.json"
	nixeval "
	  let
	    s = builtins.fromJSON (builtins.readFile $tmp/show.json);
	    want = sys: [
	      (s.packages.\${sys}.default.type == \"derivation\")
	      (s.apps.\${sys}.experiment.type == \"app\")
	      (s.devShells.\${sys}.default.type == \"derivation\")
	      (s.checks.\${sys}.test.type == \"derivation\")
	      (s.checks.\${sys}.experiment-toml.type == \"derivation\")
	    ];
	  in builtins.all (x: x) (want \"x86_64-linux\" ++ want \"aarch64-linux\")
	" | grep -qx true
}
check "nix flake show lists packages.default, apps.experiment, devShells.default, checks.test" check_show

# 6, 7. The recorded environment.
# attr ARGS... INSTALLABLE: a string attribute, raw.
attr() { "${NIX[@]}" eval --raw "$@"; }
check_env_path() {
	local rev paths
	rev=$(attr "${STUB[@]}" .#devShells.x86_64-linux.default.BENCHLAB_NIXPKGS_REV)
	paths=$(attr "${STUB[@]}" .#devShells.x86_64-linux.default.BENCHLAB_NIX_STORE_PATHS)
	printf 'BENCHLAB_NIXPKGS_REV=%s\nBENCHLAB_NIX_STORE_PATHS=%s\n' "$rev" "$paths"
	[[ $rev =~ ^dirty:sha256-[A-Za-z0-9+/]{43}=$ ]]
	# name=/nix/store/HASH-NAME pairs, sorted by name; the stub's go is 1.25,
	# so go.mod's `go 1.26.0` must have picked go_1_26.
	[[ $paths =~ ^cargo=/nix/store/[a-z0-9]{32}-[^\ ]+\ cc=/nix/store/[^\ ]+\ go=/nix/store/[a-z0-9]{32}-go-1\.26\.[0-9]+\ hyperfine=/nix/store/[^\ ]+\ rustc=/nix/store/[^\ ]+$ ]]
	# The app exports the same values.
	local text
	text=$(attr "${STUB[@]}" .#packages.x86_64-linux.experiment.text)
	grep -qxF "export BENCHLAB_NIXPKGS_REV='$rev'" <<<"$text"
	grep -qxF "export BENCHLAB_NIX_STORE_PATHS='$paths'" <<<"$text"
	[[ $(attr "${STUB[@]}" .#apps.x86_64-linux.experiment.program) == /nix/store/*/bin/benchlab-experiment ]]
}
check "BENCHLAB_NIXPKGS_REV/BENCHLAB_NIX_STORE_PATHS, nixpkgs as a path input" check_env_path

check_env_git() {
	local stubgit=$tmp/stubgit head rev
	cp -r nix/stub "$stubgit"
	git -C "$stubgit" init -q
	git -C "$stubgit" add -A
	git -C "$stubgit" -c user.name=check -c user.email=check@localhost commit -qm stub
	head=$(git -C "$stubgit" rev-parse HEAD)
	rev=$(attr --offline --no-write-lock-file --override-input nixpkgs "git+file://$stubgit" \
		.#devShells.x86_64-linux.default.BENCHLAB_NIXPKGS_REV)
	echo "stub commit $head, BENCHLAB_NIXPKGS_REV=$rev"
	[[ $rev == "$head" ]]
}
check "BENCHLAB_NIXPKGS_REV is the locked commit when nixpkgs is a git revision" check_env_git

# 8. The app's script, as writeShellApplication builds and checks it.
check_app_script() {
	local script=$tmp/benchlab-experiment
	{
		printf '#!/usr/bin/env bash\nset -o errexit\nset -o nounset\nset -o pipefail\n\n'
		# shellcheck disable=SC2016 # written literally, as the real script has it
		printf 'export PATH="/nix/store/x/bin:$PATH"\n\n'
		attr "${STUB[@]}" .#packages.x86_64-linux.experiment.text
	} >"$script"
	bash -n "$script"
	if command -v shellcheck >/dev/null; then
		shellcheck "$script"
		echo "shellcheck: clean"
	else
		echo "shellcheck not installed: bash -n only"
	fi
	# Outside a checkout it refuses, before running anything.
	local out
	if out=$(cd "$tmp" && PATH=/nonexistent:$PATH bash "$script" 2>&1); then
		echo "ran outside a checkout: $out"
		return 1
	fi
	grep -q 'run from the root of a benchlab checkout' <<<"$out"
}
check "apps.experiment script: bash -n, shellcheck, refuses outside a checkout" check_app_script

# 9. The experiment file, read by Nix's own TOML parser.
check "experiments/async-fn-pointers/experiment.toml through builtins.fromTOML" sh -c '
	nix --extra-experimental-features "nix-command flakes" eval --impure --expr "
	  let
	    e = builtins.fromTOML (builtins.readFile ./experiments/async-fn-pointers/experiment.toml);
	    names = map (s: s.name) e.strategy;
	  in
	    e.name == \"async-fn-pointers\"
	    && map (s: s.name) (builtins.filter (s: s ? reference) e.strategy) == [ \"function-pointer\" \"boxed-function-pointer\" \"async-func\" \"async-boxed-naive\" \"async-boxed-invert\" \"async-enum\" ]
	    && builtins.elem e.trials.baseline names
	    && builtins.all (s: builtins.isList s.command) e.strategy
	    && e.build.command == [ \"./build.sh\" ]
	" | grep -qx true'

# 10. vendorHash.
if command -v go >/dev/null; then
	check "flake.nix vendorHash matches go mod vendor (nix/vendor-hash.sh --check)" \
		"$root/nix/vendor-hash.sh" --check
else
	skip "vendorHash (go not on PATH)"
fi

if ((failed > 0)); then
	say "failed: ${failures[*]}"
fi
summary="nix-check: $passed passed, $failed failed"
((skipped == 0)) || summary+=", $skipped skipped"
echo "$summary"
((failed == 0))
