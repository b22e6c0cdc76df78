package main

import (
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
