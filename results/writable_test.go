package results

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

func TestCheckWritable(t *testing.T) {
	dir := t.TempDir()
	file := filepath.Join(dir, "file")
	if err := os.WriteFile(file, nil, 0o644); err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct {
		why, results, machine, experiment, want string
	}{
		{"a folder not made yet is fine", filepath.Join(dir, "new", "deeper"), "m", "demo", ""},
		{"--results naming a file", file, "m", "demo", "is not a folder"},
		{"a folder under a file", filepath.Join(file, "sub"), "m", "demo", "is not a folder"},
		{"a name too long for the archive", dir, "m", strings.Repeat("a", 201), "not a safe archive name"},
		{"an unsafe machine ID", dir, "../m", "demo", "not a safe archive name"},
	} {
		err := Archive{Dir: tc.results}.CheckWritable(tc.machine, tc.experiment)
		switch {
		case tc.want == "" && err != nil:
			t.Errorf("%s: %v", tc.why, err)
		case tc.want != "" && (err == nil || !strings.Contains(err.Error(), tc.want)):
			t.Errorf("%s: CheckWritable = %v, want an error containing %q", tc.why, err, tc.want)
		}
	}
	if _, err := os.Stat(filepath.Join(dir, "new")); err == nil {
		t.Error("CheckWritable made a folder")
	}
}
