package lab

import (
	"strings"

	"benchlab/results"
)

// environment reads what flake.nix exports inside its shell and app: the
// nixpkgs revision and the toolchains' store paths. Outside Nix neither is
// set and the run is recorded as not pinned.
func environment(getenv func(string) string) results.Environment {
	rev := getenv("BENCHLAB_NIXPKGS_REV")
	if rev == "" {
		return results.Environment{}
	}
	env := results.Environment{Pinned: true, Nixpkgs: rev}
	for _, f := range strings.Fields(getenv("BENCHLAB_NIX_STORE_PATHS")) {
		if name, path, ok := strings.Cut(f, "="); ok && name != "" {
			if env.StorePaths == nil {
				env.StorePaths = map[string]string{}
			}
			env.StorePaths[name] = path
		}
	}
	return env
}
