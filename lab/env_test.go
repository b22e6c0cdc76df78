package lab

import (
	"testing"

	"github.com/google/go-cmp/cmp"

	"benchlab/results"
)

func TestEnvironment(t *testing.T) {
	tests := []struct {
		why  string
		vars map[string]string
		want results.Environment
	}{
		{"outside Nix the run is not pinned", nil, results.Environment{}},
		{"store paths without a revision do not make a pin",
			map[string]string{"BENCHLAB_NIX_STORE_PATHS": "go=/nix/store/x-go"}, results.Environment{}},
		{"inside the flake's shell: revision and store paths, unknown names kept, junk skipped",
			map[string]string{
				"BENCHLAB_NIXPKGS_REV":     "d3498f786f97ac0bded21b34bae0bf3809b45aa3",
				"BENCHLAB_NIX_STORE_PATHS": "cargo=/nix/store/a-cargo-1.9  go=/nix/store/b-go-1.26 junk =/x zig=/nix/store/c",
			},
			results.Environment{Pinned: true, Nixpkgs: "d3498f786f97ac0bded21b34bae0bf3809b45aa3",
				StorePaths: map[string]string{"cargo": "/nix/store/a-cargo-1.9", "go": "/nix/store/b-go-1.26", "zig": "/nix/store/c"}}},
	}
	for _, tt := range tests {
		got := environment(func(k string) string { return tt.vars[k] })
		if diff := cmp.Diff(tt.want, got); diff != "" {
			t.Errorf("%s (-want +got):\n%s", tt.why, diff)
		}
	}
}
