package results

import (
	"bytes"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	"github.com/klauspost/compress/zstd"
)

func sampleRun(id string, start time.Time) *Run {
	return &Run{
		Format: FormatVersion, ID: id, Experiment: "demo", Title: "Demo",
		ExperimentFile: "name = \"demo\"\n",
		Started:        start, Finished: start.Add(3 * time.Second), Complete: true,
		Machine:      Machine{ID: "test-cpu-2c-0123abcd", Hostname: "h", CPUModel: "Test CPU", CPUs: 2, MemoryKiB: 1 << 20, Kernel: "6.1", OS: "Debian", Arch: "amd64"},
		Lab:          Lab{Version: "dev", Commit: "abc", GoVersion: "go1.26"},
		Settings:     Settings{Warmup: 1, Runs: 2, Pin: []int{1}, TimeoutNS: 1e9, Baseline: "a"},
		Toolchains:   map[string]string{"cargo": "cargo 1.95.0"},
		Dependencies: map[string]string{"tokio": "1.24.2"},
		Artifacts:    []Artifact{{Path: "bin/a", Size: 10, SHA256: "ff"}},
		Recorded:     []RecordedFile{{Path: "Cargo.lock", Content: "x"}},
		Strategies:   []Strategy{{Name: "a", Command: []string{"./a"}}, {Name: "b", Command: []string{"./b"}, Failure: "exit status 1: boom"}},
		Trials: []Trial{
			{Strategy: 0, Round: 0, Warmup: true, WallNS: 100, UserNS: 90, SysNS: 5, MaxRSSKiB: 1000},
			{Strategy: 1, Round: 0, Warmup: true, WallNS: 5, ExitCode: 1},
			{Strategy: 0, Round: 1, WallNS: 101, UserNS: 91, SysNS: 6, MaxRSSKiB: 1001},
			{Strategy: 0, Round: 2, WallNS: 99, UserNS: 89, SysNS: 4, MaxRSSKiB: 999, Signal: 9, ExitCode: -1, TimedOut: true},
		},
		Warnings: []string{"load average 1.5"},
	}
}

func TestRoundTrip(t *testing.T) {
	want := sampleRun("20261125T000000Z-00000001", time.Date(2026, 11, 25, 0, 0, 0, 0, time.UTC))
	data, err := Encode(want)
	if err != nil {
		t.Fatal(err)
	}
	got, err := Decode(data)
	if err != nil {
		t.Fatal(err)
	}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("round trip (-want +got):\n%s", diff)
	}
}

// TestRoundTripMeasurementMethods: how peak memory was measured, the trial
// order and a count run's per-function profiles survive the archive.
func TestRoundTripMeasurementMethods(t *testing.T) {
	want := sampleRun("20261125T000000Z-00000003", time.Date(2026, 11, 25, 0, 0, 0, 0, time.UTC))
	want.Settings.Memory = MemoryCgroupV1
	want.Settings.Order = &Order{Policy: OrderRoundRobin, PrimeBelowNS: 50e6, Primed: 3}
	want.Counts = []InstructionCount{{Strategy: "a", Parameters: map[string]string{"iterations": "1000"}, Tool: "valgrind-3.19.0 callgrind",
		Instructions: 1234, Profile: []FunctionCost{{Function: "malloc", Object: "libc.so.6", Instructions: 700}, {Function: "0x1ab70", Instructions: 2}}}}
	data, err := Encode(want)
	if err != nil {
		t.Fatal(err)
	}
	got, err := Decode(data)
	if err != nil {
		t.Fatal(err)
	}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("round trip (-want +got):\n%s", diff)
	}
}

func TestArchiveWriteLoad(t *testing.T) {
	a := Archive{Dir: t.TempDir()}
	start := time.Date(2026, 11, 25, 0, 0, 0, 0, time.UTC)
	older := sampleRun("20261125T000000Z-00000001", start)
	newer := sampleRun("20261125T010000Z-00000002", start.Add(time.Hour))
	newer.Complete = false
	for _, r := range []*Run{newer, older} {
		if _, err := a.Write(r); err != nil {
			t.Fatal(err)
		}
	}
	entries, errs := a.Runs("demo")
	if len(errs) != 0 || len(entries) != 2 {
		t.Fatalf("Runs: %d entries, errors %v; want 2, none", len(entries), errs)
	}
	if entries[0].Run.ID != older.ID {
		t.Errorf("Runs not oldest first: %s", entries[0].Run.ID)
	}
	latest, _, err := a.Latest("demo")
	if err != nil || latest.Run.ID != older.ID {
		t.Errorf("Latest = %v, %v; want the newest complete run %s", latest.Run, err, older.ID)
	}
	if _, err := os.Stat(filepath.Join(a.Dir, older.Machine.ID, MachineFile)); err != nil {
		t.Errorf("machine file not written: %v", err)
	}
	// No temporary files are left behind.
	left, _ := filepath.Glob(filepath.Join(a.Dir, "*", "*", ".tmp-*"))
	if len(left) != 0 {
		t.Errorf("temporary files left: %v", left)
	}
}

func TestArchiveNeverOverwrites(t *testing.T) {
	a := Archive{Dir: t.TempDir()}
	r := sampleRun("20261125T000000Z-00000001", time.Now())
	path, err := a.Write(r)
	if err != nil {
		t.Fatal(err)
	}
	before, _ := os.ReadFile(path)
	r.Warnings = []string{"changed"}
	if _, err := a.Write(r); err == nil {
		t.Fatal("second write of the same run ID succeeded; want an error")
	}
	after, _ := os.ReadFile(path)
	if !bytes.Equal(before, after) {
		t.Error("existing run file changed")
	}
}

func TestArchiveRejectsUnsafeNames(t *testing.T) {
	a := Archive{Dir: t.TempDir()}
	r := sampleRun("../escape", time.Now())
	if _, err := a.Write(r); err == nil {
		t.Fatal("run ID with a path separator was written")
	}
}

func zstdOf(t *testing.T, b []byte) []byte {
	enc, err := zstd.NewWriter(nil)
	if err != nil {
		t.Fatal(err)
	}
	return enc.EncodeAll(b, nil)
}

func TestDecodeCorrupt(t *testing.T) {
	good, err := Encode(sampleRun("20261125T000000Z-00000001", time.Now()))
	if err != nil {
		t.Fatal(err)
	}
	flipped := bytes.Clone(good)
	flipped[len(flipped)/2] ^= 0x40
	tests := []struct {
		name string
		data []byte
		want string
	}{
		{"truncated file fails the zstd frame", good[:len(good)/2], "corrupt"},
		{"flipped byte fails a checksum", flipped, "corrupt"},
		{"empty file", nil, "corrupt"},
		{"foreign file is not zstd", []byte("hello world\n"), "corrupt"},
		{"wrong magic inside a valid frame", zstdOf(t, []byte("other-format 1 sha256:00\n{}")), "not a benchlab run"},
		{"body edited without fixing the checksum", zstdOf(t, []byte(magic+" 1 sha256:"+strings.Repeat("0", 64)+"\n{}")), "checksum mismatch"},
		{"newer format asks for an upgrade", zstdOf(t, []byte(magic+" 99 sha256:00\n{}")), "upgrade benchlab"},
	}
	for _, tt := range tests {
		_, err := Decode(tt.data)
		if err == nil || !strings.Contains(err.Error(), tt.want) {
			t.Errorf("%s: error %v, want one containing %q", tt.name, err, tt.want)
		}
	}
}

func TestDecodeBoundsSize(t *testing.T) {
	// 300 MiB of zeros compresses to a few KiB: a zstd bomb.
	enc, _ := zstd.NewWriter(nil)
	var buf bytes.Buffer
	w := enc
	w.Reset(&buf)
	zero := make([]byte, 1<<20)
	for range 300 {
		w.Write(zero)
	}
	w.Close()
	_, err := Decode(buf.Bytes())
	if !errors.Is(err, ErrCorrupt) {
		t.Fatalf("Decode of a zstd bomb: %v, want ErrCorrupt", err)
	}
}

func TestRunsSkipsCorruptFiles(t *testing.T) {
	a := Archive{Dir: t.TempDir()}
	r := sampleRun("20261125T000000Z-00000001", time.Now())
	if _, err := a.Write(r); err != nil {
		t.Fatal(err)
	}
	bad := filepath.Join(a.Dir, r.Machine.ID, "demo", "20261125T000001Z-deadbeef"+Ext)
	if err := os.WriteFile(bad, []byte("garbage"), 0o644); err != nil {
		t.Fatal(err)
	}
	entries, errs := a.Runs("demo")
	if len(entries) != 1 || len(errs) != 1 {
		t.Fatalf("got %d entries and errors %v; want 1 and 1", len(entries), errs)
	}
	if !strings.Contains(errs[0].Error(), bad) {
		t.Errorf("error %q does not name the file %s", errs[0], bad)
	}
}

func TestDependencies(t *testing.T) {
	lock := `version = 3
[[package]]
name = "demo"
version = "0.1.0"

[[package]]
name = "tokio"
version = "1.24.2"
source = "registry+https://github.com/rust-lang/crates.io-index"
`
	got := Dependencies([]RecordedFile{{Path: "Cargo.lock", Content: lock}, {Path: "other.txt", Content: "x"}})
	want := map[string]string{"tokio": "1.24.2"}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("Dependencies (-want +got):\n%s", diff)
	}
}

// A run of instruction counts (benchlab count) has no trials: Latest, which
// export and report use, passes over it to the newest timed run.
func TestLatestSkipsCountRuns(t *testing.T) {
	a := Archive{Dir: t.TempDir()}
	start := time.Date(2026, 11, 25, 0, 0, 0, 0, time.UTC)
	timed := sampleRun("20261125T000000Z-00000001", start)
	counts := sampleRun("20261125T010000Z-00000002", start.Add(time.Hour))
	counts.Trials = nil
	counts.Counts = []InstructionCount{{Strategy: "a", Instructions: 12}}
	for _, r := range []*Run{timed, counts} {
		if _, err := a.Write(r); err != nil {
			t.Fatal(err)
		}
	}
	got, _, err := a.Latest("demo")
	if err != nil || got.Run.ID != timed.ID {
		t.Errorf("Latest = %v, %v; want the timed run %s", got.Run, err, timed.ID)
	}
}
