package main

import (
	"benchlab/analysis"
	"benchlab/results"
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// TestReportOtherMachines: `benchlab report` on a merged archive (runs of
// machine-a and machine-b, as fixedArchive writes them) gains the section
// on other machines, with its chart, and machine-b's run appears in it.
func TestReportOtherMachines(t *testing.T) {
	dir := fixedArchive(t)
	out := t.TempDir()
	var stderr strings.Builder
	if code := run(context.Background(), []string{"report", "--results", dir, "--out", out, "demo"}, devNull(t), &stderr); code != 0 {
		t.Fatalf("benchlab report exited %d: %s", code, stderr.String())
	}
	md, err := os.ReadFile(filepath.Join(out, "demo", "README.md"))
	if err != nil {
		t.Fatal(err)
	}
	i := strings.Index(string(md), "## Other machines")
	if i < 0 {
		t.Fatalf("no section titled Other machines:\n%s", md)
	}
	section := string(md)[i:]
	for _, want := range []string{"## Other machines", "`machine-a` (this run)", "`machine-b`", "(machines.png)"} {
		if !strings.Contains(section, want) {
			t.Errorf("the section lacks %q:\n%s", want, section)
		}
	}
	if _, err := os.Stat(filepath.Join(out, "demo", "machines.png")); err != nil {
		t.Errorf("no chart: %v", err)
	}
}

// amdMachine is the committed AMD archive's machine folder.
const amdMachine = "amd-epyc-family-25-model-17-2c-d4294c06"

// TestReportCitesOtherMachinesOnlyInTheirSection: a run of
// async-fn-pointers on an Intel machine, reported from an archive that
// also holds the committed AMD runs (main runs, an iteration sweep,
// callgrind counts, some of them comparable with the Intel run), cites no
// AMD run, sweep or machine outside the section whose heading says it is
// about other machines (issue #10's "done when").
func TestReportCitesOtherMachinesOnlyInTheirSection(t *testing.T) {
	dir := t.TempDir()
	src := filepath.Join("..", "..", "results", amdMachine)
	if err := os.CopyFS(filepath.Join(dir, amdMachine), os.DirFS(src)); err != nil {
		t.Fatal(err)
	}
	entries, errs := (results.Archive{Dir: dir}).Runs("async-fn-pointers")
	if len(errs) > 0 || len(entries) == 0 {
		t.Fatalf("the AMD archive: %d runs, %v", len(entries), errs)
	}
	// Every name of the AMD archive a report could cite.
	cited := []string{amdMachine}
	for _, e := range entries {
		cited = append(cited, e.Run.ID)
		if e.Run.Sweep != "" {
			cited = append(cited, e.Run.Sweep)
		}
	}
	// The Intel run: the AMD main run's measurement made again on another
	// machine, so that the AMD run is comparable with it across machines.
	amd := analysis.SelectMain(analysis.DescribeAll(func() []*results.Run {
		var rs []*results.Run
		for _, e := range entries {
			rs = append(rs, e.Run)
		}
		return rs
	}()))
	if amd == nil {
		t.Fatal("no main run in the AMD archive")
	}
	intel := *amd.Run
	intel.ID = "20261201T000000Z-1e7e1000"
	intel.Sweep = ""
	intel.Machine = results.Machine{ID: "intel-xeon-platinum-8375c-2c-0e1e2e3e", CPUModel: "Intel(R) Xeon(R) Platinum 8375C CPU @ 2.90GHz",
		CPUs: 2, MemoryKiB: 8 << 20, Kernel: amd.Run.Machine.Kernel, OS: amd.Run.Machine.OS, Arch: amd.Run.Machine.Arch}
	if _, err := (results.Archive{Dir: dir}).Write(&intel); err != nil {
		t.Fatal(err)
	}
	out := t.TempDir()
	benchlab(t, "report", "--results", dir, "--out", out, "--run", intel.ID, "async-fn-pointers")
	md, err := os.ReadFile(filepath.Join(out, "async-fn-pointers", "README.md"))
	if err != nil {
		t.Fatal(err)
	}
	// Split the report at the section on other machines, up to the next
	// section of the same level.
	text := string(md)
	start := strings.Index(text, "\n## Other machines\n")
	if start < 0 {
		t.Fatalf("no section headed Other machines, though the AMD main run is comparable:\n%s", md)
	}
	end := len(text)
	if i := strings.Index(text[start+1:], "\n## "); i >= 0 {
		end = start + 1 + i
	}
	section, outside := text[start:end], text[:start]+text[end:]
	if !strings.Contains(section, "`"+amdMachine+"`") || !strings.Contains(section, "other machine") {
		t.Errorf("the section neither names the AMD machine nor says it is another machine:\n%s", section)
	}
	for _, name := range cited {
		if strings.Contains(outside, name) {
			t.Errorf("%s cited outside the section on other machines:\n%s", name, outside)
		}
	}
}
