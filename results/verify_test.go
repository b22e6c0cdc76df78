package results

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

// TestVerify damages a fresh two-run archive in one way per row and checks
// that Verify reports exactly that, by path, and changes nothing.
func TestVerify(t *testing.T) {
	now := time.Now()
	tests := []struct {
		why      string
		damage   func(t *testing.T, dir, run1, run2 string) // run1, run2: paths of the two runs
		wantPath string                                     // relative to the archive; "" for no problem
		want     string
		pending  int
	}{
		{"a fresh archive has no problems", func(*testing.T, string, string, string) {}, "", "", 0},
		{"a truncated run is corrupt", func(t *testing.T, dir, run1, _ string) { truncate(t, run1) },
			"m-1/demo/RUN1", "corrupt run file", 0},
		{"a flipped byte is corrupt", func(t *testing.T, dir, run1, _ string) { flip(t, run1) },
			"m-1/demo/RUN1", "corrupt run file", 0},
		{"a foreign file under a run name is corrupt", func(t *testing.T, dir, _, _ string) {
			write(t, filepath.Join(dir, "m-1/demo/20260101T000000Z-00000000.run.zst"), "hello")
		}, "m-1/demo/20260101T000000Z-00000000.run.zst", "corrupt run file", 0},
		{"a renamed run no longer matches its ID", func(t *testing.T, dir, run1, _ string) {
			mv(t, run1, filepath.Join(filepath.Dir(run1), "20260101T000000Z-ffffffff.run.zst"))
		}, "m-1/demo/20260101T000000Z-ffffffff.run.zst", "file name is not its run ID", 0},
		{"a run moved to another experiment folder", func(t *testing.T, dir, run1, _ string) {
			os.MkdirAll(filepath.Join(dir, "m-1/other"), 0o755)
			mv(t, run1, filepath.Join(dir, "m-1/other", filepath.Base(run1)))
		}, "m-1/other/RUN1", `run of "demo" filed under "other"`, 0},
		{"a run moved to another machine's folder", func(t *testing.T, dir, run1, _ string) {
			os.MkdirAll(filepath.Join(dir, "m-2/demo"), 0o755)
			write(t, filepath.Join(dir, "m-2/machine.json"), `{"id": "m-2", "cpu_model": "Test CPU", "cpus": 2, "os": "Debian", "arch": "amd64"}`)
			mv(t, run1, filepath.Join(dir, "m-2/demo", filepath.Base(run1)))
		}, "m-2/demo/RUN1", `run on machine "m-1" filed under "m-2"`, 0},
		{"the same run copied to a second experiment folder", func(t *testing.T, dir, run1, _ string) {
			os.MkdirAll(filepath.Join(dir, "m-1/copy"), 0o755)
			cp(t, run1, filepath.Join(dir, "m-1/copy", filepath.Base(run1)))
		}, "m-1/demo/RUN1", "the same run is archived twice", 0},
		{"machine.json missing", func(t *testing.T, dir, _, _ string) { os.Remove(filepath.Join(dir, "m-1/machine.json")) },
			"m-1/machine.json", "missing", 0},
		{"machine.json naming another machine", func(t *testing.T, dir, _, _ string) {
			rewrite(t, filepath.Join(dir, "m-1/machine.json"), `{"id": "m-9"}`)
		}, "m-1/machine.json", `names machine "m-9" but its folder is "m-1"`, 0},
		{"machine.json with another CPU than the runs", func(t *testing.T, dir, _, _ string) {
			rewrite(t, filepath.Join(dir, "m-1/machine.json"), `{"id": "m-1", "cpu_model": "Other", "cpus": 2, "os": "Debian", "arch": "amd64"}`)
		}, "m-1/demo/RUN1", `cpu_model "Test CPU", not "Other"`, 0},
		{"machine.json that is not JSON", func(t *testing.T, dir, _, _ string) {
			rewrite(t, filepath.Join(dir, "m-1/machine.json"), `{`)
		}, "m-1/machine.json", "not a machine fingerprint", 0},
		{"a temporary file older than StaleTemp is stray", func(t *testing.T, dir, _, _ string) {
			p := filepath.Join(dir, "m-1/demo/"+TempPrefix+"123")
			write(t, p, "partial")
			os.Chtimes(p, now.Add(-2*StaleTemp), now.Add(-2*StaleTemp))
		}, "m-1/demo/" + TempPrefix + "123", "stray temporary file", 0},
		{"a fresh temporary file may be a write in progress", func(t *testing.T, dir, _, _ string) {
			write(t, filepath.Join(dir, "m-1/demo/"+TempPrefix+"456"), "partial")
		}, "", "", 1},
		{"an unexpected file in an experiment folder", func(t *testing.T, dir, _, _ string) {
			write(t, filepath.Join(dir, "m-1/demo/notes.txt"), "hi")
		}, "m-1/demo/notes.txt", "unexpected file", 0},
		{"a symbolic link in a machine folder", func(t *testing.T, dir, _, _ string) {
			if err := os.Symlink("/etc", filepath.Join(dir, "m-1/etc")); err != nil {
				t.Fatal(err)
			}
		}, "m-1/etc", "symbolic link", 0},
		{"a folder of other things at the top is not part of the archive", func(t *testing.T, dir, _, _ string) {
			write(t, filepath.Join(dir, "testdata/x/y.txt"), "fixture")
			write(t, filepath.Join(dir, "archive.go"), "package results")
		}, "", "", 0},
	}
	for _, tt := range tests {
		t.Run(tt.why, func(t *testing.T) {
			dir := t.TempDir()
			a := Archive{Dir: dir}
			var paths []string
			for i, id := range []string{"20261125T000000Z-00000001", "20261125T010000Z-00000002"} {
				r := sampleRun(id, sampleStart.Add(time.Duration(i)*time.Hour))
				r.Machine.ID = "m-1"
				p, err := a.Write(r)
				if err != nil {
					t.Fatal(err)
				}
				paths = append(paths, p)
			}
			tt.damage(t, dir, paths[0], paths[1])
			before := snapshot(t, dir)
			v, err := a.Verify(now)
			if err != nil {
				t.Fatal(err)
			}
			if len(v.Pending) != tt.pending {
				t.Errorf("pending %v, want %d", v.Pending, tt.pending)
			}
			if tt.want == "" {
				if len(v.Problems) != 0 {
					t.Errorf("problems %v, want none", v.Problems)
				}
			} else {
				wantPath := filepath.Join(dir, strings.ReplaceAll(tt.wantPath, "RUN1", filepath.Base(paths[0])))
				found := false
				for _, p := range v.Problems {
					found = found || p.Path == wantPath && strings.Contains(p.Err.Error(), tt.want)
				}
				if !found {
					t.Errorf("problems %v; want one for %s containing %q", v.Problems, wantPath, tt.want)
				}
			}
			after := snapshot(t, dir)
			if len(after) != len(before) {
				t.Errorf("Verify changed the archive: %d files before, %d after", len(before), len(after))
			}
		})
	}
}

func write(t *testing.T, path, s string) {
	t.Helper()
	if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(path, []byte(s), 0o644); err != nil {
		t.Fatal(err)
	}
}

func rewrite(t *testing.T, path, s string) { t.Helper(); write(t, path, s) }

func truncate(t *testing.T, path string) {
	t.Helper()
	fi, err := os.Stat(path)
	if err != nil {
		t.Fatal(err)
	}
	if err := os.Truncate(path, fi.Size()/2); err != nil {
		t.Fatal(err)
	}
}

func flip(t *testing.T, path string) {
	t.Helper()
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	b[len(b)/2] ^= 0x04
	if err := os.WriteFile(path, b, 0o644); err != nil {
		t.Fatal(err)
	}
}

func mv(t *testing.T, from, to string) {
	t.Helper()
	if err := os.Rename(from, to); err != nil {
		t.Fatal(err)
	}
}

func cp(t *testing.T, from, to string) {
	t.Helper()
	b, err := os.ReadFile(from)
	if err != nil {
		t.Fatal(err)
	}
	write(t, to, string(b))
}
