package cluster

import (
	"flag"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"benchlab/experiments"
	"benchlab/results"

	"github.com/google/go-cmp/cmp"
)

var update = flag.Bool("update", false, "rewrite testdata/*.golden from the current output")

func golden(t *testing.T, name string, got string) {
	t.Helper()
	path := filepath.Join("testdata", name)
	if *update {
		if err := os.WriteFile(path, []byte(got), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	want, err := os.ReadFile(path)
	if err != nil {
		t.Fatalf("%v (run with -update to write it)", err)
	}
	if diff := cmp.Diff(string(want), got); diff != "" {
		t.Errorf("%s (-want +got):\n%s", name, diff)
	}
}

func request(t *testing.T) Request {
	t.Helper()
	e, err := experiments.Parse("experiment.toml", []byte(`name = "demo"
[host]
min_cpus = 4
tools = ["hyperfine"]
[trials]
runs = 3
[[strategy]]
name = "a"
command = ["true"]
`))
	if err != nil {
		t.Fatal(err)
	}
	e.Dir = "/shared/lab/experiments/demo"
	return Request{
		Experiment: e, Benchlab: "/shared/lab/bin/benchlab", Results: "/shared/lab/results",
		Flake: "/shared/lab", Partition: "bench", Constraint: "avx512", Time: "30:00",
		RunArgs: []string{"--runs", "auto"},
	}
}

// The script is the whole contract with sbatch: options as #SBATCH lines,
// then benchlab run under nix develop when nix is on the node.
func TestScript(t *testing.T) {
	q := request(t)
	golden(t, "script-nix.golden", q.Script("node-7"))
	q.Flake, q.Partition, q.Constraint, q.Time, q.RunArgs = "", "", "", "", nil
	q.Results = "/shared/it's"
	golden(t, "script-plain.golden", q.Script(""))
	if err := q.Check(); err != nil {
		t.Errorf("Check: %v", err)
	}
	q.Results = "/shared/with space"
	if err := q.Check(); err == nil || !strings.Contains(err.Error(), "the results folder") {
		t.Errorf("Check of a path with a space: %v, want an error naming the results folder", err)
	}
}

func TestSelectNodes(t *testing.T) {
	nodes := []Node{
		{Name: "a1", CPUs: 8, MemoryMiB: 16000, Features: []string{"avx512", "intel"}, State: "idle"},
		{Name: "a2", CPUs: 8, MemoryMiB: 16000, Features: []string{"avx512", "intel"}, State: "idle"},
		{Name: "b1", CPUs: 64, MemoryMiB: 256000, Features: []string{"amd"}, State: "mixed"},
		{Name: "c1", CPUs: 2, MemoryMiB: 4000, State: "down*"},
		{Name: "d1", CPUs: 4, MemoryMiB: 8000, State: "idle"},
	}
	tests := []struct {
		why        string
		list       []string
		n          int
		constraint string
		minCPUs    int
		want       []string
		err        string
	}{
		{why: "by default one node of each machine type, down ones left out", want: []string{"a1", "b1", "d1"}},
		{why: "--nodes takes the first usable ones", n: 2, want: []string{"a1", "a2"}},
		{why: "a feature narrows the choice", constraint: "avx512", want: []string{"a1"}},
		{why: "features joined by & must all be there", n: 2, constraint: "avx512&intel", want: []string{"a1", "a2"}},
		{why: "features joined by | need one", constraint: "amd|avx512", want: []string{"a1", "b1"}},
		{why: "min_cpus leaves small nodes out", minCPUs: 16, want: []string{"b1"}},
		{why: "a node list is taken as given", list: []string{"d1", "c1"}, want: []string{"d1", "c1"}},
		{why: "an unknown node is an error", list: []string{"zz"}, err: `node "zz" is not in the partition`},
		{why: "asking for more nodes than match is an error", n: 3, constraint: "avx512", err: "--nodes 3: only 2 usable nodes"},
		{why: "nothing matching is an error", constraint: "gpu", err: `no usable node has at least 1 CPUs and the features "gpu"`},
		{why: "a constraint too rich to match here asks for --nodelist", constraint: "[a*2&b*2]", err: "name the nodes with --nodelist"},
	}
	for _, tt := range tests {
		got, err := SelectNodes(nodes, tt.list, tt.n, tt.constraint, tt.minCPUs)
		if tt.err != "" {
			if err == nil || !strings.Contains(err.Error(), tt.err) {
				t.Errorf("%s: error %v, want one containing %q", tt.why, err, tt.err)
			}
			continue
		}
		if err != nil {
			t.Errorf("%s: %v", tt.why, err)
		} else if diff := cmp.Diff(tt.want, got); diff != "" {
			t.Errorf("%s (-want +got):\n%s", tt.why, diff)
		}
	}
}

func TestParseNodes(t *testing.T) {
	// As Slurm 22.05's sinfo prints them; a node in two partitions twice.
	out := "vm|2|24105|(null)|idle\nbig|64+|256000|avx512,amd|mixed\nvm|2|24105|(null)|idle\n"
	got, err := ParseNodes([]byte(out))
	if err != nil {
		t.Fatal(err)
	}
	want := []Node{
		{Name: "vm", CPUs: 2, MemoryMiB: 24105, State: "idle"},
		{Name: "big", CPUs: 64, MemoryMiB: 256000, Features: []string{"avx512", "amd"}, State: "mixed"},
	}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("(-want +got):\n%s", diff)
	}
	if _, err := ParseNodes([]byte("vm|two|1|x|idle")); err == nil || !strings.Contains(err.Error(), "sinfo line 1") {
		t.Errorf("a bad CPU count: error %v, want one naming the line", err)
	}
}

// testdata/jobcomp-sacct.txt is what `sacct --completion` printed on the
// one-node cluster of .ci/slurm.sh for a job that exited 3 and one that
// ran past its --time (Slurm rounds that up to a minute and checks it
// every 30 s, which is why the live test in cmd/benchlab does not wait for
// one).
func TestParseAccounting(t *testing.T) {
	data, err := os.ReadFile("testdata/jobcomp-sacct.txt")
	if err != nil {
		t.Fatal(err)
	}
	got := ParseAccounting(append(data, "2.batch|CANCELLED by 0|0:15|vm\n"...))
	want := map[string]State{
		"1": {ID: "1", State: "FAILED", ExitCode: "3:0", Node: "vm"},
		"2": {ID: "2", State: "TIMEOUT", ExitCode: "0:0", Node: "vm"},
	}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("(-want +got):\n%s", diff)
	}
}

func TestJudge(t *testing.T) {
	dir := t.TempDir()
	archive := results.Archive{Dir: filepath.Join(dir, "res")}
	write := func(complete bool, failure string) string {
		r := &results.Run{
			Format: results.FormatVersion, ID: results.NewID(time.Unix(1, 0)), Experiment: "demo",
			Started: time.Unix(1, 0).UTC(), Finished: time.Unix(2, 0).UTC(), Complete: complete,
			Machine:    results.Machine{ID: "m-1c-00000000", CPUs: 1},
			Strategies: []results.Strategy{{Name: "a", Command: []string{"true"}}, {Name: "b", Command: []string{"false"}, Failure: failure}},
			Trials:     []results.Trial{{Strategy: 0}, {Strategy: 1, ExitCode: 1}},
		}
		path, err := archive.Write(r)
		if err != nil {
			t.Fatal(err)
		}
		return path
	}
	logf := func(name, content string) string {
		p := filepath.Join(dir, name)
		if err := os.WriteFile(p, []byte(content), 0o644); err != nil {
			t.Fatal(err)
		}
		return p
	}
	good, failed, partial := write(true, ""), write(true, "exit status 1: nope\nmore"), write(false, "")
	tests := []struct {
		why   string
		state State
		log   string
		ok    bool
		want  string
	}{
		{"a completed job that archived a clean run is ok", State{State: "COMPLETED"}, logf("1", "summary\narchived "+good+"\n"), true, "archived " + good},
		{"a failed strategy is read from the archived run", State{State: "COMPLETED"}, logf("2", "archived "+failed+"\n"), false, "strategy b failed: exit status 1: nope more (archived " + failed + ")"},
		{"an interrupted run is not a success", State{State: "COMPLETED"}, logf("3", "archived "+partial+"\n"), false, "archived an incomplete run " + partial},
		{"completing without a run is a failure", State{State: "COMPLETED"}, logf("4", "nothing\n"), false, "completed but archived no run"},
		{"a time limit says so, and where the trials went", State{State: "TIMEOUT"}, logf("5", "archived "+partial+"\n"), false, "time limit reached; the trials done are archived as an incomplete run " + partial},
		{"a node failure names the node", State{State: "NODE_FAIL", Node: "n3"}, "", false, "node failure on n3"},
		{"a failed benchlab run gives its error", State{State: "FAILED", ExitCode: "1:0"}, logf("6", "benchlab job 1 on n\nbenchlab run: x.toml:3: host.tools: \"t\" is not on PATH\n"), false, "benchlab run failed (exit code 1:0): x.toml:3: host.tools: \"t\" is not on PATH"},
		{"a failed job without a log points at it", State{State: "FAILED"}, filepath.Join(dir, "none"), false, "benchlab run failed (see " + filepath.Join(dir, "none") + ")"},
		{"a cancelled job says so", State{State: "CANCELLED", Reason: "None"}, "", false, "cancelled"},
	}
	for _, tt := range tests {
		got := Judge(tt.state, tt.log)
		if got.OK != tt.ok || !strings.HasPrefix(got.Why, tt.want) {
			t.Errorf("%s: Judge = %v %q, want %v %q", tt.why, got.OK, got.Why, tt.ok, tt.want)
		}
	}
}
