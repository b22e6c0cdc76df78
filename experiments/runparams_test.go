package experiments

import (
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
)

// TestRunParamValues: values safe in a name are taken as they are written
// and substituted verbatim; the strategy name takes them in lower case with
// other characters made '-'; each expansion keeps its values.
func TestRunParamValues(t *testing.T) {
	const head = "name = \"x\"\n[trials]\nruns = 1\n[[strategy]]\nname = \"cc\"\ncommand = [\"cc\", \"{opt}\", \"{d}\"]\n"
	type got struct {
		Name    string
		Command []string
		Values  map[string]string
	}
	tests := []struct {
		why    string
		params string
		want   []got
		err    string
	}{
		{"a TOML float is written as Go writes it shortest", `params = { d = [0.001, 2.50], opt = ["O2"] }`, []got{
			{"cc-d-0-001-opt-o2", []string{"cc", "O2", "0.001"}, map[string]string{"d": "0.001", "opt": "O2"}},
			{"cc-d-2-5-opt-o2", []string{"cc", "O2", "2.5"}, map[string]string{"d": "2.5", "opt": "O2"}},
		}, ""},
		{"decimals as strings, upper case and a leading '-' are values", `params = { d = ["0.001"], opt = ["O2", "-O3"] }`, []got{
			{"cc-d-0-001-opt-o2", []string{"cc", "O2", "0.001"}, map[string]string{"d": "0.001", "opt": "O2"}},
			{"cc-d-0-001-opt-o3", []string{"cc", "-O3", "0.001"}, map[string]string{"d": "0.001", "opt": "-O3"}},
		}, ""},
		{"negative whole numbers are values too", `params = { d = [-1, 2], opt = ["x"] }`, []got{
			{"cc-d-1-opt-x", []string{"cc", "x", "-1"}, map[string]string{"d": "-1", "opt": "x"}},
			{"cc-d-2-opt-x", []string{"cc", "x", "2"}, map[string]string{"d": "2", "opt": "x"}},
		}, ""},
		{"values that make one name clash", `params = { d = ["1"], opt = ["O2", "o2"] }`, nil,
			`expands to "cc-d-1-opt-o2", which strategy 1 also names`},
		{"a space cannot go into a name", `params = { d = ["1"], opt = ["a b"] }`, nil,
			`value "a b": want letters, digits, '.', '_', '+' or '-'`},
		{"a slash cannot go into a name", `params = { d = ["1"], opt = ["/tmp"] }`, nil, `value "/tmp"`},
		{"punctuation alone names nothing", `params = { d = ["1"], opt = ["--"] }`, nil, `value "--"`},
	}
	for _, tt := range tests {
		e, err := Parse("e.toml", []byte(head+tt.params+"\n"))
		if tt.err != "" {
			if err == nil || !strings.Contains(err.Error(), tt.err) {
				t.Errorf("%s: error %v, want one containing %q", tt.why, err, tt.err)
			}
			continue
		}
		if err != nil {
			t.Errorf("%s: %v", tt.why, err)
			continue
		}
		var have []got
		for _, s := range e.Strategies {
			have = append(have, got{s.Name, s.Command, s.Values})
		}
		if diff := cmp.Diff(tt.want, have); diff != "" {
			t.Errorf("%s (-want +got):\n%s", tt.why, diff)
		}
	}
}

func TestParamName(t *testing.T) {
	for v, want := range map[string]string{
		"0.001": "0-001", "O2": "o2", "-O3": "o3", "x86_64": "x86-64", "1e-3": "1e-3", "a..b": "a-b", "7": "7",
	} {
		if got := Slug(v); got != want {
			t.Errorf("Slug(%q) = %q, want %q", v, got, want)
		}
	}
}
