package experiments

import (
	"os"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
)

const good = `name = "demo"
title = "A demo"
source = "https://example.com/post"

[build]
command = ["make"]
record = ["Cargo.lock"]

[host]
min_cpus = 2
tools = ["cargo"]

[trials]
warmup = 2
runs = 10
pin = [1]
timeout = "90s"
baseline = "a"

[reference]
machine = "laptop"
runs = 10
unit = "ms"

[[strategy]]
name = "a"
command = ["bin/a", "--fast"]
description = "the first"
reference = { mean = 429.1, stddev = 7.0, min = 418.9, max = 436.7 }

[[strategy]]
name = "b-2"
command = ["bin/b"]
[strategy.reference]
mean = 4.985
stddev = 0.09
unit = "s"
`

func TestParseGood(t *testing.T) {
	got, err := Parse("experiment.toml", []byte(good))
	if err != nil {
		t.Fatal(err)
	}
	want := &Experiment{
		Name: "demo", Title: "A demo", Source: "https://example.com/post",
		Build:     &Build{Command: []string{"make"}, Record: []string{"Cargo.lock"}, Timeout: Duration{DefaultBuildTimeout}},
		Host:      Host{MinCPUs: 2, Tools: []string{"cargo"}},
		Trials:    Trials{Warmup: 2, Runs: 10, Pin: []int{1}, Timeout: Duration{90 * time.Second}, Baseline: "a"},
		Reference: Reference{Machine: "laptop", Runs: 10, Unit: "ms"},
		Strategies: []Strategy{
			{Name: "a", Command: []string{"bin/a", "--fast"}, Description: "the first",
				Reference: &Figure{Mean: 429.1, Stddev: 7, Min: 418.9, Max: 436.7, Runs: 10, Unit: "ms", Machine: "laptop"}},
			{Name: "b-2", Command: []string{"bin/b"},
				Reference: &Figure{Mean: 4.985, Stddev: 0.09, Runs: 10, Unit: "s", Machine: "laptop"}},
		},
		Path: "experiment.toml",
		Raw:  []byte(good),
	}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("Parse (-want +got):\n%s", diff)
	}
	if s := got.Strategies[1].Reference.Seconds(4.985); s != 4.985 {
		t.Errorf("Seconds in s = %v", s)
	}
}

// The noise gate's limits: defaults when absent, the file's when set (an
// integer load is a number too).
func TestNoiseLimits(t *testing.T) {
	for _, tt := range []struct {
		why            string
		host           string
		wantLoad, busy float64
	}{
		{"absent: the defaults", "", DefaultMaxLoad, DefaultMaxBusy},
		{"both set", "[host]\nmax_load = 0.5\nmax_busy = 0.05\n", 0.5, 0.05},
		{"an integer load", "[host]\nmax_load = 2\n", 2, DefaultMaxBusy},
	} {
		e, err := Parse("e.toml", []byte("name = \"x\"\n"+tt.host+"[trials]\nruns = 1\n[[strategy]]\nname = \"a\"\ncommand = [\"true\"]\n"))
		if err != nil {
			t.Fatalf("%s: %v", tt.why, err)
		}
		if load, busy := e.Host.NoiseLimits(); load != tt.wantLoad || busy != tt.busy {
			t.Errorf("%s: limits %g, %g; want %g, %g", tt.why, load, busy, tt.wantLoad, tt.busy)
		}
	}
}

func TestParseDefaults(t *testing.T) {
	e, err := Parse("e.toml", []byte("name = \"x\"\n[trials]\nruns = 1\n[[strategy]]\nname = \"a\"\ncommand = [\"true\"]\n"))
	if err != nil {
		t.Fatal(err)
	}
	if e.Trials.Timeout.Duration != DefaultTimeout || e.Build != nil || e.Trials.Baseline != "" {
		t.Errorf("defaults: timeout %v, build %v, baseline %q", e.Trials.Timeout, e.Build, e.Trials.Baseline)
	}
}

// Each bad file must fail with exactly these messages, naming file, line and key.
func TestParseErrors(t *testing.T) {
	const strat = "\n[[strategy]]\nname = \"a\"\ncommand = [\"a\"]\n"
	tests := []struct {
		why  string
		toml string
		want string
	}{
		{"a misspelt key is not ignored",
			"name = \"x\"\n[trials]\nruns = 3\nwarmpu = 1\n" + strat,
			"e.toml:4: trials.warmpu: unknown key; see experiments/README.md for the schema"},
		{"an unknown key inside a strategy points at its line",
			"name = \"x\"\n[trials]\nruns = 3\n" + strat + "colour = \"red\"\n",
			"e.toml:8: strategy.colour: unknown key; see experiments/README.md for the schema"},
		{"an unknown table is reported by its keys",
			"name = \"x\"\n[trials]\nruns = 3\n" + strat + "[extra]\nk = 1\n",
			"e.toml:9: extra.k: unknown key; see experiments/README.md for the schema"},
		{"a wrong type names the key and both types",
			"name = \"x\"\n[trials]\nruns = 3\nwarmup = \"ten\"\n" + strat,
			"e.toml:4: trials.warmup: wrong type: the value is string; want integer"},
		{"a bad duration says what a good one looks like",
			"name = \"x\"\n[trials]\nruns = 3\ntimeout = \"forever\"\n" + strat,
			"e.toml:4: trials.timeout: want a duration such as \"120s\" or \"2m\": time: invalid duration \"forever\""},
		{"a syntax error gives its line",
			"name = \"x\"\n[trials\n",
			"e.toml:3: expected '.' or ']' to end table name, but got '\\n' instead"},
		{"a key defined twice",
			"name = \"x\"\nname = \"y\"\n",
			"e.toml:2: name: key 'name' has already been defined."},
		{"the name is required",
			"[trials]\nruns = 3\n" + strat,
			"e.toml: name: required: lower-case words joined by '-', such as \"async-fn-pointers\""},
		{"the name must be a safe folder name",
			"name = \"Has Spaces\"\n[trials]\nruns = 3\n" + strat,
			"e.toml:1: name: \"Has Spaces\" is not lower-case words joined by '-'"},
		{"a negative load limit",
			"name = \"x\"\n[host]\nmax_load = -1\n[trials]\nruns = 3\n" + strat,
			"e.toml:3: host.max_load: must be a load average per CPU above 0, such as 1.5 (0 or absent: the default 1.5)"},
		{"a busy limit is a fraction, not a percentage",
			"name = \"x\"\n[host]\nmax_busy = 20\n[trials]\nruns = 3\n" + strat,
			"e.toml:3: host.max_busy: must be a fraction between 0 and 1, such as 0.2 (0 or absent: the default 0.2)"},
		{"at least one run",
			"name = \"x\"\n[trials]\nruns = 0\n" + strat,
			"e.toml:3: trials.runs: must be at least 1"},
		{"missing [trials] means zero runs",
			"name = \"x\"\n" + strat,
			"e.toml: trials.runs: must be at least 1"},
		{"a strategy is required",
			"name = \"x\"\n[trials]\nruns = 3\n",
			"e.toml: strategy: at least one [[strategy]] is required"},
		{"duplicate strategies",
			"name = \"x\"\n[trials]\nruns = 3\n" + strat + strat,
			"e.toml:10: strategy.name: duplicate strategy \"a\""},
		{"an empty command",
			"name = \"x\"\n[trials]\nruns = 3\n[[strategy]]\nname = \"a\"\ncommand = []\n",
			"e.toml:6: strategy.command: strategy \"a\" needs a command (argv list, no shell)"},
		{"a strategy compared with one that does not exist",
			"name = \"x\"\n[trials]\nruns = 3\n" + strat + "compare_with = \"zz\"\n",
			"e.toml:8: strategy.compare_with: strategy \"a\": \"zz\" names no strategy"},
		{"a strategy compared with itself",
			"name = \"x\"\n[trials]\nruns = 3\n" + strat + "compare_with = \"a\"\n",
			"e.toml:8: strategy.compare_with: strategy \"a\" is compared with itself; name another strategy"},
		{"a baseline that names no strategy",
			"name = \"x\"\n[trials]\nruns = 3\nbaseline = \"zz\"\n" + strat,
			"e.toml:4: trials.baseline: \"zz\" names no strategy"},
		{"pinned CPUs are distinct and in range",
			"name = \"x\"\n[trials]\nruns = 3\npin = [1, 1, -2]\n" + strat,
			"e.toml:4: trials.pin: CPU 1 is listed twice\ne.toml:4: trials.pin: CPU -2 is out of range 0..1023"},
		{"a reference needs a known unit",
			"name = \"x\"\n[trials]\nruns = 3\n" + strat + "reference = { mean = 1.0 }\n",
			"e.toml:8: strategy.reference.unit: strategy \"a\": unknown or missing unit \"\"; use ns, us, ms or s"},
		{"an empty build command",
			"name = \"x\"\n[build]\ncommand = []\n[trials]\nruns = 3\n" + strat,
			"e.toml:3: build.command: must name a program to run; remove [build] if nothing is built"},
		{"recorded files stay inside the experiment",
			"name = \"x\"\n[build]\ncommand = [\"make\"]\nrecord = [\"../secret\"]\n[trials]\nruns = 3\n" + strat,
			"e.toml:4: build.record: \"../secret\" must be a path inside the experiment folder"},
		{"a name too long for the archive's folder (it used to fail only when archiving, after every trial)",
			"name = \"" + strings.Repeat("a", 201) + "\"\n[trials]\nruns = 3\n" + strat,
			"e.toml:1: name: 201 bytes is over the limit of 200: it names the archive's folder"},
		{"a zero timeout is a mistake, not the default",
			"name = \"x\"\n[trials]\nruns = 3\ntimeout = \"0s\"\n" + strat,
			"e.toml:4: trials.timeout: 0s: must be positive, such as \"10m\"; remove the key for the default"},
		{"a timeout over the limit",
			"name = \"x\"\n[trials]\nruns = 3\ntimeout = \"100000h\"\n" + strat,
			"e.toml:4: trials.timeout: 100000h0m0s is over the limit of 24h0m0s"},
		{"a max_time over the limit",
			"name = \"x\"\n[trials]\nruns = \"auto\"\nmax_time = \"25h\"\n" + strat,
			"e.toml:4: trials.max_time: 25h0m0s is over the limit of 24h0m0s"},
		{"a negative build timeout",
			"name = \"x\"\n[build]\ncommand = [\"make\"]\ntimeout = \"-1s\"\n[trials]\nruns = 3\n" + strat,
			"e.toml:4: build.timeout: -1s: must be positive, such as \"10m\"; remove the key for the default"},
		{"runs over the limit (makeslice panic before the limit)",
			"name = \"x\"\n[trials]\nruns = 2000000000\n" + strat,
			"e.toml:3: trials.runs: 2000000000 is over the limit of 100000 runs per strategy; use fewer, or runs = \"auto\""},
		{"warm-ups over the limit",
			"name = \"x\"\n[trials]\nruns = 3\nwarmup = 9223372036854775807\n" + strat,
			"e.toml:4: trials.warmup: 9223372036854775807 is over the limit of 10000 warm-up rounds"},
		{"max_runs over the limit",
			"name = \"x\"\n[trials]\nruns = \"auto\"\nmax_runs = 100001\n" + strat,
			"e.toml:4: trials.max_runs: 100001 is over the limit of 100000 runs per strategy"},
		{"a block over the limit",
			"name = \"x\"\n[trials]\nruns = \"auto\"\nblock = 257\n" + strat,
			"e.toml:4: trials.block: 257: want 1 to 256 trials run back to back (1: one per round)"},
		{"a negative block",
			"name = \"x\"\n[trials]\nruns = \"auto\"\nblock = -2\n" + strat,
			"e.toml:4: trials.block: -2: want 1 to 256 trials run back to back (1: one per round)"},
		{"a block with a fixed count",
			"name = \"x\"\n[trials]\nruns = 3\nblock = 4\n" + strat,
			"e.toml:4: trials.block: applies only with runs = \"auto\"; remove it or set runs = \"auto\""},
		{"too many trials in all",
			"name = \"x\"\n[trials]\nruns = 100000\nwarmup = 10000\n[[strategy]]\nname = \"a\"\ncommand = [\"a\", \"{n}\"]\nparams = { n = [1, 2, 3, 4, 5, 6, 7, 8, 9, 10] }\n",
			"e.toml:3: trials.runs: 10 strategies × (10000 warm-up + 100000 runs) is 1100000 trials, over the limit of 1000000 per run; use fewer runs or strategies"},
		{"a NaN published mean",
			"name = \"x\"\n[trials]\nruns = 3\n" + strat + "reference = { mean = nan, unit = \"ms\" }\n",
			"e.toml:8: strategy.reference.mean: strategy \"a\": published mean NaN must be a finite number of at least 0"},
		{"infinite and negative published figures",
			"name = \"x\"\n[trials]\nruns = 3\n" + strat + "reference = { mean = inf, stddev = -1.0, unit = \"ms\" }\n",
			"e.toml:8: strategy.reference.mean: strategy \"a\": published mean +Inf must be a finite number of at least 0\ne.toml:8: strategy.reference.stddev: strategy \"a\": published stddev -1 must be a finite number of at least 0"},
		{"parameters that expand past the limit are counted, not made (10^6 strategies took 43 s and 940 MB)",
			"name = \"x\"\n[trials]\nruns = 3\n[[strategy]]\nname = \"a\"\ncommand = [\"a\", \"{p}{q}{r}{s}{t}{u}{v}{w}{x}\"]\nparams = { " +
				"p = [0,1,2,3,4,5,6,7,8,9], q = [0,1,2,3,4,5,6,7,8,9], r = [0,1,2,3,4,5,6,7,8,9], s = [0,1,2,3,4,5,6,7,8,9], t = [0,1,2,3,4,5,6,7,8,9], " +
				"u = [0,1,2,3,4,5,6,7,8,9], v = [0,1,2,3,4,5,6,7,8,9], w = [0,1,2,3,4,5,6,7,8,9], x = [0,1,2,3,4,5,6,7,8,9] }\n",
			"e.toml:7: strategy.params: the strategies expand to 1000000000 strategies, over the limit of 1000; list fewer parameter values"},
		{"all problems are reported at once",
			"name = \"x\"\n[trials]\nruns = 0\nbaseline = \"zz\"\n" + strat,
			"e.toml:3: trials.runs: must be at least 1\ne.toml:4: trials.baseline: \"zz\" names no strategy"},
	}
	for _, tt := range tests {
		_, err := Parse("e.toml", []byte(tt.toml))
		if err == nil {
			t.Errorf("%s: no error; want %q", tt.why, tt.want)
			continue
		}
		if got := err.Error(); got != tt.want {
			t.Errorf("%s:\n got %q\nwant %q", tt.why, got, tt.want)
		}
	}
}

func TestLoadDirAndFile(t *testing.T) {
	dir := t.TempDir()
	if err := os.WriteFile(filepath.Join(dir, FileName), []byte(good), 0o644); err != nil {
		t.Fatal(err)
	}
	for _, arg := range []string{dir, filepath.Join(dir, FileName)} {
		e, err := Load(arg)
		if err != nil {
			t.Fatalf("Load(%s): %v", arg, err)
		}
		if e.Dir != dir || e.Path != filepath.Join(dir, FileName) {
			t.Errorf("Load(%s): Dir %q Path %q", arg, e.Dir, e.Path)
		}
	}
	if _, err := Load(filepath.Join(dir, "missing")); err == nil {
		t.Error("Load of a missing folder succeeded")
	}
}

// The experiments committed to the repository must load.
func TestCommittedExperiments(t *testing.T) {
	paths, _ := filepath.Glob(filepath.Join("*", FileName))
	for _, p := range paths {
		e, err := Load(filepath.Dir(p))
		if err != nil {
			t.Errorf("%v", err)
			continue
		}
		if e.Name != filepath.Base(filepath.Dir(p)) {
			t.Errorf("%s: name %q differs from its folder", p, e.Name)
		}
	}
}

func FuzzParse(f *testing.F) {
	f.Add([]byte(good))
	f.Add([]byte("name = \"x\"\n[trials\n"))
	f.Fuzz(func(t *testing.T, data []byte) {
		e, err := Parse("f.toml", data)
		if err != nil {
			_ = err.Error()
			return
		}
		// A file that loads has what the harness relies on.
		if e.Trials.Runs < 1 || len(e.Strategies) == 0 || e.Trials.Timeout.Duration <= 0 {
			t.Fatalf("accepted an unusable experiment: %+v", e)
		}
	})
}

// A strategy with run-time params is replaced by its expansions: the
// baseline, compare_with and open questions must name those.
func TestNamesAfterExpansion(t *testing.T) {
	const base = "name = \"x\"\n[trials]\nruns = 1\n[[strategy]]\nname = \"sum\"\ncommand = [\"sum\", \"{n}\"]\nparams = { n = [1, 2] }\n[[strategy]]\nname = \"b\"\ncommand = [\"b\"]\n"
	withBaseline := func(b string) string {
		return strings.Replace(base, "runs = 1\n", "runs = 1\nbaseline = \""+b+"\"\n", 1)
	}
	question := "[[open_question]]\ntext = \"why?\"\nstrategies = "
	tests := []struct {
		why, file, want string
	}{
		{"a baseline naming an expansion is valid", withBaseline("sum-n-1"), ""},
		{"the unexpanded name is no strategy", withBaseline("sum"), `trials.baseline: "sum" names no strategy`},
		{"compare_with may name an expansion", base + "compare_with = \"sum-n-2\"\n", ""},
		{"an open question may name an expansion", base + question + "[\"sum-n-1\", \"b\"]\n", ""},
		{"an open question naming the unexpanded name fails", base + question + "[\"sum\", \"b\"]\n", `open question 1: "sum" names no strategy`},
	}
	for _, tt := range tests {
		_, err := Parse("e.toml", []byte(tt.file))
		switch {
		case tt.want == "" && err != nil:
			t.Errorf("%s: %v", tt.why, err)
		case tt.want != "" && (err == nil || !strings.Contains(err.Error(), tt.want)):
			t.Errorf("%s: error %v, want one containing %q", tt.why, err, tt.want)
		}
	}
}

// An experiment file that is a FIFO or a link to a device is refused at
// once: reading it would block forever or never end.
func TestLoadSpecialFiles(t *testing.T) {
	dir := t.TempDir()
	fifo := filepath.Join(dir, "fifo.toml")
	if err := syscall.Mkfifo(fifo, 0o644); err != nil {
		t.Fatal(err)
	}
	zero := filepath.Join(dir, "zero.toml")
	if err := os.Symlink("/dev/zero", zero); err != nil {
		t.Fatal(err)
	}
	big := filepath.Join(dir, "big.toml")
	if err := os.WriteFile(big, make([]byte, MaxFileSize+1), 0o644); err != nil {
		t.Fatal(err)
	}
	for _, tt := range []struct{ why, path, want string }{
		{"a FIFO would block until a writer came", fifo, "is not a regular file"},
		{"/dev/zero would be read until memory ran out", zero, "is not a regular file"},
		{"a huge file is refused by its size", big, "is over the limit of 1048576 bytes"},
	} {
		_, err := Load(tt.path)
		if err == nil || !strings.Contains(err.Error(), tt.want) {
			t.Errorf("%s: Load(%s) = %v, want an error containing %q", tt.why, tt.path, err, tt.want)
		}
	}
}
