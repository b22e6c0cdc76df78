package reports

import (
	"bytes"
	"errors"
	"image/png"
	"math/rand/v2"
	"os"
	"strings"
	"testing"
	"time"

	"benchlab/analysis"
	"benchlab/results"

	"github.com/google/go-cmp/cmp"
	"github.com/google/go-cmp/cmp/cmpopts"
)

// otherMachineRuns are the seed experiment's runs on other machines: a
// laptop (older, then newer, whose ratios differ from the reference
// machine's), a run at another nixpkgs pin and an imported run, which
// are not comparable, and one more run on the reference machine, which
// belongs to its history, not here.
func otherMachineRuns(t *testing.T) []*results.Run {
	at := func(k int, machine results.Machine, meansMS []float64) *results.Run {
		run := asyncRun(t)
		run.Machine = machine
		run.ID = "2026010" + string(rune('3'+k)) + "T030405Z-0000000" + string(rune('0'+k))
		run.Started = started.Add(time.Duration(k+1) * 24 * time.Hour)
		run.Trials = trials(rand.New(rand.NewPCG(11, uint64(k))), 2, 10, meansMS, []float64{4, 4, 4, 30, 2, 2})
		return run
	}
	laptop := results.Machine{ID: "apple-m2-8c-5e6f7a8b", CPUModel: "Apple M2", CPUs: 8, MemoryKiB: 16_777_216,
		Kernel: "6.12.48-1", OS: "Debian GNU/Linux 13 (trixie)", Arch: "arm64"}
	xeon := results.Machine{ID: "intel-xeon-e5-2690-v4-28c-9a8b7c6d", CPUModel: "Intel Xeon E5-2690 v4", CPUs: 28, MemoryKiB: 131_072_000,
		Kernel: "6.1.0-26", OS: "Debian GNU/Linux 12 (bookworm)", Arch: "amd64"}
	old := at(0, laptop, []float64{300, 390, 280, 2900, 230, 380})
	newer := at(1, laptop, []float64{310, 400, 290, 3100, 240, 390})
	pinned := at(2, xeon, []float64{600, 700, 580, 9000, 450, 700})
	pinned.Environment.Nixpkgs = "0000000000000000000000000000000000000000"
	same := at(3, asyncRun(t).Machine, []float64{431, 541, 409, 5610, 319, 528})
	imported := importedRun(t)
	imported.Experiment = "async-fn-pointers"
	return []*results.Run{newer, imported, pinned, old, same}
}

// TestMachinesSection renders the report of the seed run with the other
// machines' runs attached: the section sets the newest comparable laptop
// run beside it and names the two machines left out, and why.
func TestMachinesSection(t *testing.T) {
	rep, err := Build(asyncRun(t))
	if err != nil {
		t.Fatal(err)
	}
	rep.AddMachines(otherMachineRuns(t))
	if rep.Machines == nil || len(rep.Machines.Runs) != 2 {
		t.Fatalf("Machines = %+v, want this run and the laptop's newest", rep.Machines)
	}
	if got := rep.Machines.Runs[1].Run.ID; got != "20260104T030405Z-00000001" {
		t.Errorf("the laptop's run is %s, want its newest comparable one", got)
	}
	md := string(rep.Markdown(MachinesName))
	start := strings.Index(md, "## Other machines")
	if start < 0 {
		t.Fatal("no section titled Other machines")
	}
	end := strings.Index(md[start+3:], "\n## ")
	golden(t, "testdata/machines.section.golden.md", []byte(md[start:start+3+end+1]))

	chart, err := MachinesChart(rep)
	if err != nil {
		t.Fatal(err)
	}
	img, err := png.Decode(bytes.NewReader(chart))
	if err != nil {
		t.Fatalf("chart is not a PNG: %v", err)
	}
	if got := img.Bounds().Size(); got.X != 768 || got.Y != 432 {
		t.Errorf("chart is %v pixels, want 768x432", got)
	}
	again, _ := MachinesChart(rep)
	if !bytes.Equal(chart, again) {
		t.Error("rendering twice gave different bytes")
	}
	if *update {
		if err := os.WriteFile("testdata/machines.chart.png", chart, 0o644); err != nil {
			t.Fatal(err)
		}
	}
}

// TestMachinesAgreeWithCompare: the section and `benchlab compare` of the
// same two runs give each strategy the same ratio and interval, since both
// take RatioOf against the same baseline.
func TestMachinesAgreeWithCompare(t *testing.T) {
	run := asyncRun(t)
	rep, err := Build(run)
	if err != nil {
		t.Fatal(err)
	}
	others := otherMachineRuns(t)
	rep.AddMachines(others)
	laptop := mustBuild(analysis.Describe(others[0]))
	for _, s := range rep.Machines.Strategies {
		want := laptop.row(s)
		got, ok := rep.Machines.Runs[1].Ratios[s]
		if !ok || want == nil || !want.HasRatio {
			t.Fatalf("%s: no ratio (section %v, compare %v)", s, ok, want)
		}
		if diff := cmp.Diff(want.Ratio, got, cmpopts.EquateApprox(0, 1e-12)); diff != "" {
			t.Errorf("%s: the section's ratio differs from compare's (-compare +section):\n%s", s, diff)
		}
	}
	text := CompareText(run, others[0])
	if !strings.Contains(text, ratioWithCI(rep.Machines.Runs[1].Ratios["async-boxed-naive"])) {
		t.Errorf("compare does not print the section's ratio of async-boxed-naive:\n%s", text)
	}
}

// TestNoMachinesSection: without another machine's comparable run there
// is no section, no chart, and no other machine in the report.
func TestNoMachinesSection(t *testing.T) {
	rep, err := Build(asyncRun(t))
	if err != nil {
		t.Fatal(err)
	}
	others := otherMachineRuns(t)
	rep.AddMachines(others[1:3]) // the imported run and another pin only
	if rep.Machines != nil {
		t.Fatalf("Machines = %+v, want nil", rep.Machines)
	}
	md := string(rep.Markdown(ChartNames...))
	for _, bad := range []string{"Other machines", "intel-xeon-e5", "imported-", MachinesName} {
		if strings.Contains(md, bad) {
			t.Errorf("report mentions %q without a comparable other machine", bad)
		}
	}
	if _, err := MachinesChart(rep); !errors.Is(err, ErrNothingToPlot) {
		t.Errorf("MachinesChart without other machines: %v, want ErrNothingToPlot", err)
	}
}
