package experiments

import (
	"path/filepath"
	"testing"

	"github.com/google/go-cmp/cmp"
	"github.com/google/go-cmp/cmp/cmpopts"
)

// TestMarshalRoundTrip: what Marshal writes, Parse reads back to the same
// definition (Path and Raw aside, which say where it was read from).
func TestMarshalRoundTrip(t *testing.T) {
	parse := func(t *testing.T, raw string) *Experiment {
		e, err := Parse("in-memory.toml", []byte(raw))
		if err != nil {
			t.Fatal(err)
		}
		return e
	}
	tests := []struct {
		why string
		e   func(t *testing.T) *Experiment
	}{
		{"a file with every section", func(t *testing.T) *Experiment { return parse(t, good) }},
		{"runs = auto, its defaulted bounds and run-time params, expanded", func(t *testing.T) *Experiment {
			return parse(t, `name = "p"
[trials]
runs = "auto"
[[strategy]]
name = "nap"
command = ["sleep", "{d}"]
params = { d = [1, "two"] }
`)
		}},
		{"built in memory, as an ad-hoc run: no build, no file", func(t *testing.T) *Experiment {
			return &Experiment{
				Name:   "adhoc",
				Trials: Trials{Warmup: 1, Runs: 3, Timeout: Duration{DefaultTimeout}},
				Strategies: []Strategy{
					{Name: "true", Command: []string{"true"}},
					{Name: "sh", Command: []string{"sh", "-c", "exit 0"}},
				},
			}
		}},
	}
	paths, _ := filepath.Glob(filepath.Join("*", FileName))
	for _, p := range paths {
		tests = append(tests, struct {
			why string
			e   func(t *testing.T) *Experiment
		}{"committed " + p, func(t *testing.T) *Experiment {
			e, err := Load(filepath.Dir(p))
			if err != nil {
				t.Fatal(err)
			}
			return e
		}})
	}
	for _, tt := range tests {
		t.Run(tt.why, func(t *testing.T) {
			want := tt.e(t)
			raw, err := Marshal(want)
			if err != nil {
				t.Fatal(err)
			}
			got, err := Parse("marshalled.toml", raw)
			if err != nil {
				t.Fatalf("Parse(Marshal(e)): %v\n%s", err, raw)
			}
			ignore := cmpopts.IgnoreFields(Experiment{}, "Path", "Raw", "Dir")
			// An expanded strategy's run-time parameter Values come from
			// expansion, not from TOML: Marshal writes the expanded
			// strategies, whose values are in their names and commands.
			values := cmpopts.IgnoreFields(Strategy{}, "Values")
			if diff := cmp.Diff(want, got, ignore, values, cmpopts.EquateEmpty()); diff != "" {
				t.Errorf("round trip (-want +got):\n%s\n%s", diff, raw)
			}
		})
	}
}
