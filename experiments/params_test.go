package experiments

import (
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
)

const withParams = `name = "demo"
[build]
command = ["./build.sh", "--iterations={iterations}", "{other}"]
[build.parameters]
iterations = ["0", "1000", "250000000"]
[build.defaults]
iterations = "250000000"
[trials]
runs = 1
[[strategy]]
name = "a"
command = ["true"]
`

func TestParamsDecode(t *testing.T) {
	e, err := Parse("experiment.toml", []byte(withParams))
	if err != nil {
		t.Fatal(err)
	}
	want := &Build{
		Command:    []string{"./build.sh", "--iterations={iterations}", "{other}"},
		Parameters: map[string][]string{"iterations": {"0", "1000", "250000000"}},
		Defaults:   map[string]string{"iterations": "250000000"},
		Timeout:    Duration{DefaultBuildTimeout},
	}
	if diff := cmp.Diff(want, e.Build); diff != "" {
		t.Errorf("build (-want +got):\n%s", diff)
	}
	if got := e.ParamValues("iterations"); !cmp.Equal(got, []string{"0", "1000", "250000000"}) {
		t.Errorf("ParamValues kept file order? got %v", got)
	}
}

func TestParamsInvalid(t *testing.T) {
	base := "name = \"x\"\n[trials]\nruns = 1\n[[strategy]]\nname = \"a\"\ncommand = [\"true\"]\n[build]\ncommand = [\"make\"]\n"
	tests := []struct {
		why  string
		toml string
		want []string // substrings of the joined error, in any order
	}{
		{"a default must name a declared parameter",
			"[build.parameters]\nn = [\"1\"]\n[build.defaults]\nn = \"1\"\nm = \"2\"\n",
			[]string{`experiment.toml:13: build.defaults.m: "m" names no parameter`}},
		{"every parameter needs a default, and the message proposes one",
			"[build.parameters]\nn = [\"1\", \"2\"]\n",
			[]string{`build.defaults: parameter "n" has no default; add n = "1"`}},
		{"a parameter lists at least one value",
			"[build.parameters]\nn = []\n[build.defaults]\nn = \"1\"\n",
			[]string{"build.parameters.n: list at least one value"}},
		{"values are distinct and non-empty",
			"[build.parameters]\nn = [\"1\", \"1\", \" \"]\n[build.defaults]\nn = \"1\"\n",
			[]string{`value "1" is listed twice`, "build.parameters.n: empty value"}},
		{"names become environment variables, so they are identifiers",
			"[build.parameters]\nN-x = [\"1\"]\n[build.defaults]\nN-x = \"1\"\n",
			[]string{`"N-x" is not a lower-case identifier`}},
		{"values are strings, not numbers",
			"[build.parameters]\nn = [1]\n[build.defaults]\nn = \"1\"\n",
			[]string{"build.parameters.n", "wrong type"}},
	}
	for _, tt := range tests {
		_, err := Parse("experiment.toml", []byte(base+tt.toml))
		if err == nil {
			t.Errorf("%s: no error", tt.why)
			continue
		}
		for _, w := range tt.want {
			if !strings.Contains(err.Error(), w) {
				t.Errorf("%s: error %q does not contain %q", tt.why, err, w)
			}
		}
	}
}

func TestResolveParams(t *testing.T) {
	e, err := Parse("experiment.toml", []byte(withParams))
	if err != nil {
		t.Fatal(err)
	}
	none, err := Parse("e.toml", []byte("name = \"x\"\n[trials]\nruns = 1\n[[strategy]]\nname = \"a\"\ncommand = [\"true\"]\n"))
	if err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		why       string
		e         *Experiment
		overrides map[string]string
		want      map[string]string
		wantErr   string
	}{
		{"no overrides: the defaults", e, nil, map[string]string{"iterations": "250000000"}, ""},
		{"an override replaces its default", e, map[string]string{"iterations": "1000"}, map[string]string{"iterations": "1000"}, ""},
		{"an override need not be a declared value", e, map[string]string{"iterations": "7"}, map[string]string{"iterations": "7"}, ""},
		{"an unknown name is an error listing the known ones", e, map[string]string{"iters": "1"}, nil, `parameter "iters": demo declares no such parameter (it has iterations)`},
		{"an empty value is an error", e, map[string]string{"iterations": ""}, nil, `parameter "iterations": empty value`},
		{"no parameters: nil", none, nil, nil, ""},
		{"no parameters: any override is an error", none, map[string]string{"n": "1"}, nil, "x declares no build parameters"},
	}
	for _, tt := range tests {
		got, err := tt.e.ResolveParams(tt.overrides)
		if tt.wantErr != "" {
			if err == nil || !strings.Contains(err.Error(), tt.wantErr) {
				t.Errorf("%s: error %v, want %q", tt.why, err, tt.wantErr)
			}
			continue
		}
		if err != nil {
			t.Errorf("%s: %v", tt.why, err)
			continue
		}
		if diff := cmp.Diff(tt.want, got); diff != "" {
			t.Errorf("%s (-want +got):\n%s", tt.why, diff)
		}
		if !tt.e.IsDefault(got) && tt.overrides == nil {
			t.Errorf("%s: resolved defaults are not IsDefault", tt.why)
		}
	}
	if e.IsDefault(map[string]string{"iterations": "0"}) {
		t.Error("iterations=0 reported as the default")
	}
}

func TestParamEnvAndSubstitution(t *testing.T) {
	values := map[string]string{"iterations": "1000", "opt_level": "3"}
	if diff := cmp.Diff([]string{"BENCHLAB_PARAM_ITERATIONS=1000", "BENCHLAB_PARAM_OPT_LEVEL=3"}, ParamEnv(values)); diff != "" {
		t.Errorf("ParamEnv: upper-cased names, sorted (-want +got):\n%s", diff)
	}
	argv := []string{"./build.sh", "--n={iterations}", "{opt_level}{opt_level}", "{unknown}", "{"}
	want := []string{"./build.sh", "--n=1000", "33", "{unknown}", "{"}
	if diff := cmp.Diff(want, SubstituteParams(argv, values)); diff != "" {
		t.Errorf("SubstituteParams: every occurrence, unknown names kept (-want +got):\n%s", diff)
	}
	if got := FormatParams(values); got != "iterations=1000 opt_level=3" {
		t.Errorf("FormatParams = %q", got)
	}
	for _, tt := range []struct {
		in, name, value string
		ok              bool
	}{
		{"iterations=10", "iterations", "10", true},
		{"a=b=c", "a", "b=c", true},
		{"a=", "a", "", true},
		{"=1", "", "", false},
		{"novalue", "", "", false},
	} {
		n, v, err := ParseParam(tt.in)
		if (err == nil) != tt.ok || n != tt.name || v != tt.value {
			t.Errorf("ParseParam(%q) = %q, %q, %v", tt.in, n, v, err)
		}
	}
}

func TestOpenQuestions(t *testing.T) {
	base := "name = \"x\"\n[trials]\nruns = 1\n[[strategy]]\nname = \"a\"\ncommand = [\"true\"]\n[[strategy]]\nname = \"b\"\ncommand = [\"true\"]\n"
	tests := []struct {
		why, toml, want string
	}{
		{"two strategies of the file: valid", "[[open_question]]\ntext = \"why?\"\nstrategies = [\"a\", \"b\"]\n", ""},
		{"a strategy must exist", "[[open_question]]\ntext = \"why?\"\nstrategies = [\"a\", \"c\"]\n", `experiment.toml:12: open_question.strategies: open question 1: "c" names no strategy`},
		{"two different strategies", "[[open_question]]\ntext = \"why?\"\nstrategies = [\"a\", \"a\"]\n", "name two different strategies"},
		{"text is required", "[[open_question]]\nstrategies = [\"a\", \"b\"]\n", "open question 1 has no text"},
	}
	for _, tt := range tests {
		_, err := Parse("experiment.toml", []byte(base+tt.toml))
		switch {
		case tt.want == "" && err != nil:
			t.Errorf("%s: %v", tt.why, err)
		case tt.want != "" && (err == nil || !strings.Contains(err.Error(), tt.want)):
			t.Errorf("%s: error %v, want %q", tt.why, err, tt.want)
		}
	}
}
