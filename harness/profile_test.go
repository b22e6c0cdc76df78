package harness

import (
	"bytes"
	"context"
	"encoding/json"
	"flag"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"

	"benchlab/results"
)

var update = flag.Bool("update", false, "rewrite the golden files under testdata/")

// parseProfileFile parses one callgrind profile under testdata/counter.
func parseProfileFile(t *testing.T, name string) *Profile {
	t.Helper()
	f, err := os.Open(filepath.Join("testdata", "counter", name))
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	fns := map[results.FunctionCost]int64{}
	total, err := ParseCallgrindOut(f, name, fns)
	if err != nil {
		t.Fatal(err)
	}
	return newProfile(total, fns)
}

// TestParseCallgrindOutGolden: valgrind 3.19's own profile of /bin/true,
// its top functions against a golden file (-update rewrites it).
func TestParseCallgrindOutGolden(t *testing.T) {
	p := parseProfileFile(t, "callgrind.out.true")
	// The same total as the log of that run: "I refs: 126,637".
	if p.Total != 126637 {
		t.Errorf("total %d, want 126637", p.Total)
	}
	got, err := json.MarshalIndent(struct {
		Total int64                  `json:"total"`
		Top   []results.FunctionCost `json:"top"`
	}{p.Total, p.Top(10)}, "", "  ")
	if err != nil {
		t.Fatal(err)
	}
	golden := filepath.Join("testdata", "counter", "callgrind.out.true.golden")
	if *update {
		if err := os.WriteFile(golden, append(got, '\n'), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	want, err := os.ReadFile(golden)
	if err != nil {
		t.Fatal(err)
	}
	if diff := cmp.Diff(string(want), string(got)+"\n"); diff != "" {
		t.Errorf("profile (-golden +got):\n%s", diff)
	}
}

// annotateLine is a function line of callgrind_annotate's table:
// "21,172 (16.72%)  ./elf/dl-lookup.c:do_lookup_x [/usr/lib/.../ld.so]".
var annotateLine = regexp.MustCompile(`^\s*([\d,]+) \(\s*[\d.]+%\)\s+(\S+?)(?: \[(.*)\])?$`)

// TestParseCallgrindOutAgainstAnnotate checks the parser against valgrind's
// own callgrind_annotate (in the valgrind package): the self cost of each
// of the top 15 functions, summed over the files callgrind_annotate splits
// it into (inlined code), is the same.
func TestParseCallgrindOutAgainstAnnotate(t *testing.T) {
	path := filepath.Join("testdata", "counter", "callgrind.out.true")
	out, err := exec.Command("callgrind_annotate", "--threshold=100", "--auto=no", path).Output()
	if err != nil {
		t.Fatalf("callgrind_annotate (apt-get install valgrind): %v", err)
	}
	byName := map[string]int64{}
	for line := range strings.Lines(string(out)) {
		m := annotateLine.FindStringSubmatch(strings.TrimRight(line, "\n"))
		if m == nil || strings.Contains(line, "PROGRAM TOTALS") {
			continue
		}
		n, _ := strconv.ParseInt(strings.ReplaceAll(m[1], ",", ""), 10, 64)
		fn := m[2][strings.LastIndexByte(m[2], ':')+1:]
		byName[fn] += n
	}
	if len(byName) == 0 {
		t.Fatalf("no function lines in callgrind_annotate's output:\n%s", out)
	}
	p := parseProfileFile(t, "callgrind.out.true")
	mine := map[string]int64{}
	for _, f := range p.Functions {
		mine[f.Function] += f.Instructions
	}
	for _, f := range p.Top(15) {
		if mine[f.Function] != byName[f.Function] {
			t.Errorf("%s: %d instructions, callgrind_annotate says %d", f.Function, mine[f.Function], byName[f.Function])
		}
	}
}

func TestParseCallgrindOutErrors(t *testing.T) {
	for _, tc := range []struct{ why, in, want string }{
		{"a profile cut before its totals", "events: Ir\nfn=(1) main\n0 5\n", "no totals line"},
		{"a name referred to before its definition", "events: Ir\nfn=(7)\n0 5\ntotals: 5\n", "compressed name (7) used before it is defined"},
		{"another event first (--collect-systime, a cache simulation)", "events: sysCount Ir\n", "want Ir first"},
		{"costs that do not add up to the total", "events: Ir\nfn=(1) main\n0 5\ntotals: 6\n", "add up to 5, the file's total is 6"},
		{"a cost that is not a number", "events: Ir\nfn=(1) main\n0 x5\ntotals: 5\n", `t:3: cost "x5"`},
	} {
		_, err := ParseCallgrindOut(strings.NewReader(tc.in), "t", map[results.FunctionCost]int64{})
		if err == nil || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("%s: error %v, want one containing %q", tc.why, err, tc.want)
		}
	}
}

// TestCountProfileCallgrind profiles a real program that forks: the two
// processes' profiles add up to the count, and the shell's own functions
// are in it.
func TestCountProfileCallgrind(t *testing.T) {
	c, err := FindCounter(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	n, p, err := c.CountProfile(context.Background(), t.TempDir(), []string{"sh", "-c", "true; /bin/true"})
	if err != nil {
		t.Fatal(err)
	}
	var sum int64
	for _, f := range p.Functions {
		sum += f.Instructions
	}
	if p == nil || sum != n || p.Total != n || n == 0 {
		t.Fatalf("count %d, profile total %d, functions add up to %d; want all equal and above 0", n, p.Total, sum)
	}
	var objects bytes.Buffer
	for _, f := range p.Top(5) {
		objects.WriteString(f.Object + " ")
	}
	t.Logf("top objects: %s", objects.String())
}
