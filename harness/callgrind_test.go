package harness

import (
	"context"
	"errors"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"strings"
	"testing"
)

func TestParseCallgrindLog(t *testing.T) {
	tests := []struct {
		why     string
		file    string // in testdata/counter; empty to use log
		log     string
		want    int64
		wantErr string
	}{
		{why: "valgrind 3.19's own log of /bin/true: the Collected line, not the comma-grouped I refs", file: "callgrind-true.log", want: 126623},
		{why: "two processes' totals in one log (hand-made: 11360365 + 1000) are added", file: "callgrind-fork.log", want: 11361365},
		{why: "the subject's own output around the line does not confuse it",
			log: "hello\nCollected : 5\n==77== Collected : 42\nbye\n", want: 42},
		{why: "a log without the total (the program never started) is an error naming the line",
			log: "==9== error: cannot execute\n", wantErr: `no "Collected :" line`},
		{why: "an empty log is an error", log: "", wantErr: "(no output)"},
	}
	for _, tt := range tests {
		log := []byte(tt.log)
		if tt.file != "" {
			var err error
			if log, err = os.ReadFile(filepath.Join("testdata", "counter", tt.file)); err != nil {
				t.Fatal(err)
			}
		}
		got, err := ParseCallgrindLog(log)
		if !errMatches(err, tt.wantErr) || got != tt.want {
			t.Errorf("%s: got %d, %v; want %d, error containing %q", tt.why, got, err, tt.want, tt.wantErr)
		}
	}
}

func TestParsePerfStat(t *testing.T) {
	tests := []struct {
		why     string
		file    string
		want    int64
		wantErr string
	}{
		{why: "perf 6.1 on this VM: the counter is not exposed, said plainly", file: "perf-not-supported.txt", wantErr: "perf cannot count instructions on this host (<not supported>)"},
		{why: "a counted line gives its first field", file: "perf-counted.txt", want: 1234567},
	}
	for _, tt := range tests {
		out, err := os.ReadFile(filepath.Join("testdata", "counter", tt.file))
		if err != nil {
			t.Fatal(err)
		}
		got, err := ParsePerfStat(out)
		if !errMatches(err, tt.wantErr) || got != tt.want {
			t.Errorf("%s: got %d, %v; want %d, error containing %q", tt.why, got, err, tt.want, tt.wantErr)
		}
	}
}

// TestFindCounter covers the choice of counter without running one: the
// PATH lookup and the tools' output are faked.
func TestFindCounter(t *testing.T) {
	notSupported, err := os.ReadFile(filepath.Join("testdata", "counter", "perf-not-supported.txt"))
	if err != nil {
		t.Fatal(err)
	}
	counted, err := os.ReadFile(filepath.Join("testdata", "counter", "perf-counted.txt"))
	if err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		why      string
		onPath   []string
		perfOut  []byte
		perfErr  error
		wantTool string
		wantErr  string
	}{
		{why: "valgrind is preferred even where perf works", onPath: []string{"valgrind", "perf"}, perfOut: counted,
			wantTool: "valgrind-3.19.0 callgrind"},
		{why: "perf is used when it can count and valgrind is missing", onPath: []string{"perf"}, perfOut: counted,
			wantTool: "perf version 6.1 stat -e instructions:u"},
		{why: "perf present but unsupported (this VM) and no valgrind: say both and what to install", onPath: []string{"perf"}, perfOut: notSupported,
			wantErr: "no instruction counter: valgrind is not installed and `perf stat -e instructions:u true`: perf cannot count instructions on this host (<not supported>)"},
		{why: "perf failing outright", onPath: []string{"perf"}, perfOut: []byte("perf_event_open: Permission denied\n"), perfErr: errors.New("exit status 1"),
			wantErr: "failed: exit status 1: perf_event_open: Permission denied; install valgrind (apt-get install valgrind)"},
		{why: "neither installed", wantErr: "valgrind is not installed and perf is not installed; install valgrind (apt-get install valgrind) and run again"},
	}
	for _, tt := range tests {
		look := func(name string) (string, error) {
			for _, p := range tt.onPath {
				if p == name {
					return "/usr/bin/" + name, nil
				}
			}
			return "", exec.ErrNotFound
		}
		run := func(_ context.Context, path string, args ...string) ([]byte, error) {
			switch {
			case path == "/usr/bin/valgrind":
				return []byte("valgrind-3.19.0\n"), nil
			case args[0] == "--version":
				return []byte("perf version 6.1\n"), nil
			}
			return tt.perfOut, tt.perfErr
		}
		c, err := findCounter(context.Background(), look, run)
		if !errMatches(err, tt.wantErr) {
			t.Errorf("%s: error %v, want one containing %q", tt.why, err, tt.wantErr)
		}
		if tt.wantErr != "" && !errors.Is(err, ErrNoCounter) {
			t.Errorf("%s: error %v does not wrap ErrNoCounter", tt.why, err)
		}
		if tt.wantTool != "" && (c == nil || c.Tool != tt.wantTool) {
			t.Errorf("%s: counter %+v, want tool %q", tt.why, c, tt.wantTool)
		}
	}
}

// TestCountCallgrind counts a real program under callgrind, when valgrind
// is installed: a shell loop of 2,000 turns executes more instructions than
// one of 1,000, and a failing program is an error with its status.
func TestCountCallgrind(t *testing.T) {
	if _, err := exec.LookPath("valgrind"); err != nil {
		t.Fatal("valgrind is not installed (apt-get install valgrind; .ci/run does): callgrind not exercised")
	}
	c, err := FindCounter(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	dir := t.TempDir()
	counts := map[string]int64{}
	for _, n := range []string{"1000", "2000"} {
		script := "#!/bin/sh\ni=0\nwhile [ $i -lt " + n + " ]; do i=$((i+1)); done\n"
		if err := os.WriteFile(filepath.Join(dir, "loop"+n), []byte(script), 0o755); err != nil {
			t.Fatal(err)
		}
		if counts[n], _, err = c.CountProfile(context.Background(), dir, []string{"./loop" + n}); err != nil {
			t.Fatalf("loop %s: %v", n, err)
		}
	}
	if counts["2000"] <= counts["1000"] || counts["1000"] <= 0 {
		t.Errorf("instructions %v: want 0 < 1000 turns < 2000 turns", counts)
	}
	_, _, err = c.CountProfile(context.Background(), dir, []string{"sh", "-c", "echo broken >&2; exit 3"})
	if !errMatches(err, "exit status 3: broken") {
		t.Errorf("failing program: %v, want its status and stderr", err)
	}
	// A program that writes 16 MiB to its standard error: only the tail is
	// kept for the message, not the whole of it in memory.
	var before, after runtime.MemStats
	runtime.ReadMemStats(&before)
	_, _, err = c.CountProfile(context.Background(), dir, []string{"sh", "-c", "head -c 16777216 /dev/zero | tr '\\0' x >&2; echo last words >&2; exit 3"})
	runtime.ReadMemStats(&after)
	if !errMatches(err, "exit status 3") || !errMatches(err, "last words") {
		t.Errorf("failing program with a long standard error: %v, want its status and the end of its stderr", err)
	}
	if grew := after.TotalAlloc - before.TotalAlloc; grew > 8<<20 {
		t.Errorf("counting allocated %d MiB for a program's 16 MiB of standard error: want only its tail kept", grew>>20)
	}
	if len(err.Error()) > 4*stderrTail {
		t.Errorf("error of %d bytes: want the tail of the standard error only", len(err.Error()))
	}
}

func errMatches(err error, want string) bool {
	if want == "" {
		return err == nil
	}
	return err != nil && strings.Contains(err.Error(), want)
}
