package results

import (
	"bytes"
	"errors"
	"io"
	"os"
	"path/filepath"
	"runtime"
	"runtime/metrics"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/klauspost/compress/zstd"
)

// withDecodeLimit lowers the reader's and writer's size limit for the
// test, so that the limits are tested with kilobytes, not gigabytes.
func withDecodeLimit(t *testing.T, limit int) {
	t.Helper()
	restore, err := setDecodeLimit(limit)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(restore)
}

// TestWriteRefusesWhatCannotBeRead is #14 case 1: a run whose file would
// decode to more than the reader accepts is refused by the writer, and
// nothing is archived; CheckFits refuses it before any trial.
func TestWriteRefusesWhatCannotBeRead(t *testing.T) {
	withDecodeLimit(t, 64<<10)
	a := Archive{Dir: t.TempDir()}
	start := time.Date(2026, 11, 25, 0, 0, 0, 0, time.UTC)

	big := SyntheticRun(1, 10, 200, start) // 2,010 trials: about 100 KB decoded
	if _, err := a.Write(big); !errors.Is(err, ErrTooLarge) {
		t.Fatalf("writing a run larger than the reader's limit: err = %v, want ErrTooLarge", err)
	}
	if entries, errs := a.Runs(""); len(entries) != 0 || len(errs) != 0 {
		t.Errorf("after a refused write the archive holds %d runs (errors %v), want none", len(entries), errs)
	}

	small := SyntheticRun(2, 2, 3, start)
	if _, err := a.Write(small); err != nil {
		t.Fatalf("a small run is refused: %v", err)
	}

	// Before the trials: a recorded file too large for the record.
	huge := SyntheticRun(3, 2, 0, start)
	huge.Trials = nil
	huge.Recorded = []RecordedFile{{Path: "big.lock", Content: strings.Repeat("x", 70<<10)}}
	if err := CheckFits(huge, 10); !errors.Is(err, ErrTooLarge) {
		t.Errorf("CheckFits of a record with a 70 KiB file under a 64 KiB limit: %v, want ErrTooLarge", err)
	}
	// Or too many planned trials.
	if err := CheckFits(small, 1000); !errors.Is(err, ErrTooLarge) {
		t.Errorf("CheckFits of 1000 planned trials under a 64 KiB limit: %v, want ErrTooLarge", err)
	}
	if err := CheckFits(small, 10); err != nil {
		t.Errorf("CheckFits of 10 planned trials: %v, want none", err)
	}
	// The bound holds: a run CheckFits accepts can be written.
	worst := SyntheticRun(4, 1, 0, start)
	worst.Trials = nil
	for i := 0; CheckFits(worst, 1) == nil; i++ {
		worst.Trials = append(worst.Trials, Trial{Round: -1 << 31, WallNS: -1 << 63, UserNS: -1<<63 + 1, SysNS: -1<<63 + 3, MaxRSSKiB: -1<<63 + 7, ExitCode: -1 << 31, Signal: -1 << 31, TimedOut: true, Warmup: true})
	}
	if _, err := Encode(worst); err != nil {
		t.Errorf("a run of %d worst-case trials passed CheckFits but cannot be encoded: %v", len(worst.Trials), err)
	}
}

// TestCheckWritableRefusesLinks is #14 case 2's archive side, with case
// 3: what would make Write fail, or write through a link out of the
// archive, is found before anything is measured, and nothing is written.
func TestCheckWritableRefusesLinks(t *testing.T) {
	tmp := t.TempDir()
	file := filepath.Join(tmp, "a-file")
	os.WriteFile(file, []byte("x"), 0o644)
	outside := t.TempDir()
	linked := filepath.Join(tmp, "linked")
	os.MkdirAll(filepath.Join(linked, "m1"), 0o755)
	os.Symlink(outside, filepath.Join(linked, "m2"))
	os.Symlink(outside, filepath.Join(linked, "m1", "exp"))
	type row struct {
		why                  string
		dir, machine, expmnt string
		want                 string // in the error; "" for none
	}
	tests := []row{
		{"a new archive can be written", filepath.Join(tmp, "new"), "m", "exp", ""},
		{"a name over 200 bytes is refused", filepath.Join(tmp, "new"), "m", strings.Repeat("e", 201), "not a safe archive name"},
		{"--results naming a file is refused", file, "m", "exp", "not a folder"},
		{"a machine folder linked elsewhere is refused", linked, "m2", "exp", "symbolic link"},
		{"an experiment folder linked elsewhere is refused", linked, "m1", "exp", "symbolic link"},
	}
	if os.Geteuid() != 0 { // permissions do not stop root
		ro := t.TempDir()
		os.Chmod(ro, 0o555)
		t.Cleanup(func() { os.Chmod(ro, 0o755) })
		tests = append(tests, row{"a read-only archive is refused", ro, "m", "exp", "fix its permissions"})
	}
	for _, tt := range tests {
		err := Archive{Dir: tt.dir}.CheckWritable(tt.machine, tt.expmnt)
		switch {
		case tt.want == "" && err != nil:
			t.Errorf("%s: %v", tt.why, err)
		case tt.want != "" && (err == nil || !strings.Contains(err.Error(), tt.want)):
			t.Errorf("%s: err = %v, want one saying %q", tt.why, err, tt.want)
		}
	}
	if left, _ := os.ReadDir(outside); len(left) != 0 {
		t.Errorf("CheckWritable wrote outside the archive: %v", left)
	}
	// Write refuses the same links.
	r := SyntheticRun(1, 1, 1, time.Date(2026, 11, 25, 0, 0, 0, 0, time.UTC))
	r.Machine.ID = "m2"
	if _, err := (Archive{Dir: linked}).Write(r); err == nil || !strings.Contains(err.Error(), "symbolic link") {
		t.Errorf("Write through a linked machine folder: %v, want a refusal", err)
	}
	if left, _ := os.ReadDir(outside); len(left) != 0 {
		t.Errorf("Write wrote outside the archive: %v", left)
	}
}

// TestReadsFollowNoLinksOut is #14 case 3: runs reached through a symbolic
// link are neither loaded nor verified as if they were the archive's, and
// verify names the link.
func TestReadsFollowNoLinksOut(t *testing.T) {
	start := time.Date(2026, 11, 25, 0, 0, 0, 0, time.UTC)
	elsewhere := Archive{Dir: t.TempDir()}
	r := SyntheticRun(1, 2, 2, start)
	path, err := elsewhere.Write(r)
	if err != nil {
		t.Fatal(err)
	}
	a := Archive{Dir: t.TempDir()}
	own := SyntheticRun(2, 2, 2, start)
	own.Machine.ID = "own-machine"
	if _, err := a.Write(own); err != nil {
		t.Fatal(err)
	}
	os.Symlink(filepath.Join(elsewhere.Dir, r.Machine.ID), filepath.Join(a.Dir, r.Machine.ID))
	os.Symlink(filepath.Dir(path), filepath.Join(a.Dir, "own-machine", "linked-exp"))
	os.Symlink(path, filepath.Join(a.Dir, "own-machine", "synthetic", r.ID+Ext))

	entries, errs := a.Runs("")
	if len(entries) != 1 || entries[0].Run.ID != own.ID {
		t.Errorf("Runs loaded %d runs, want only the archive's own", len(entries))
	}
	if len(errs) != 3 {
		t.Errorf("Runs reported %d problems, want 3 (two linked folders, one linked file): %v", len(errs), errs)
	}
	for _, err := range errs {
		if !strings.Contains(err.Error(), "symbolic link") && !strings.Contains(err.Error(), "not a regular file") {
			t.Errorf("Runs: %v, want it to name the link", err)
		}
	}
	v, err := a.Verify(time.Now())
	if err != nil {
		t.Fatal(err)
	}
	var linked int
	for _, p := range v.Problems {
		if strings.Contains(p.Err.Error(), "symbolic link") || strings.Contains(p.Err.Error(), "not a regular file") {
			linked++
		}
	}
	if linked != 3 || v.Runs != 1 {
		t.Errorf("Verify found %d runs and %d link problems, want 1 and 3: %v", v.Runs, linked, v.Problems)
	}
}

// TestSpecialFilesAreNotRead is #14 case 4: a FIFO or a link to /dev/zero
// as a run file or machine.json is named and refused, without blocking or
// reading without end.
func TestSpecialFilesAreNotRead(t *testing.T) {
	start := time.Date(2026, 11, 25, 0, 0, 0, 0, time.UTC)
	a := Archive{Dir: t.TempDir()}
	r := SyntheticRun(1, 2, 2, start)
	path, err := a.Write(r)
	if err != nil {
		t.Fatal(err)
	}
	dir := filepath.Dir(path)
	if err := syscall.Mkfifo(filepath.Join(dir, "20261125T000000Z-0000fifo"+Ext), 0o644); err != nil {
		t.Fatal(err)
	}
	machine := filepath.Join(a.Dir, r.Machine.ID, MachineFile)
	os.Remove(machine)
	if err := syscall.Mkfifo(machine, 0o644); err != nil {
		t.Fatal(err)
	}
	b := Archive{Dir: t.TempDir()}
	rb := SyntheticRun(2, 2, 2, start)
	pb, err := b.Write(rb)
	if err != nil {
		t.Fatal(err)
	}
	os.Symlink("/dev/zero", filepath.Join(filepath.Dir(pb), "20261125T000000Z-0000zero"+Ext))
	os.Remove(filepath.Join(b.Dir, rb.Machine.ID, MachineFile))
	os.Symlink("/dev/zero", filepath.Join(b.Dir, rb.Machine.ID, MachineFile))

	done := make(chan struct{})
	go func() {
		defer close(done)
		for _, arch := range []Archive{a, b} {
			entries, errs := arch.Runs("")
			if len(entries) != 1 || len(errs) != 1 || !strings.Contains(errs[0].Error(), "not a regular file") {
				t.Errorf("%s: Runs loaded %d runs with errors %v; want 1 and one naming the special file", arch.Dir, len(entries), errs)
			}
			v, err := arch.Verify(time.Now())
			if err != nil {
				t.Error(err)
				continue
			}
			var special int
			for _, p := range v.Problems {
				if strings.Contains(p.Err.Error(), "not a regular file") || strings.Contains(p.Err.Error(), "symbolic link") {
					special++
				}
			}
			if special < 2 {
				t.Errorf("%s: Verify problems %v; want the run file and machine.json named", arch.Dir, v.Problems)
			}
		}
		if _, err := Load(filepath.Join(dir, "20261125T000000Z-0000fifo"+Ext)); err == nil || !strings.Contains(err.Error(), "FIFO") {
			t.Errorf("Load of a FIFO: %v, want a refusal naming it", err)
		}
	}()
	select {
	case <-done:
	case <-time.After(20 * time.Second):
		t.Fatal("reading an archive with a FIFO and /dev/zero did not return")
	}
}

// zstdBomb is a zstd frame of n zero bytes without a content size, a few
// kilobytes long.
func zstdBomb(t *testing.T, n int64) []byte {
	var buf bytes.Buffer
	w, err := zstd.NewWriter(&buf, zstd.WithEncoderLevel(zstd.SpeedFastest), zstd.WithEncoderConcurrency(1))
	if err != nil {
		t.Fatal(err)
	}
	if _, err := io.CopyN(w, zeros{}, n); err != nil {
		t.Fatal(err)
	}
	if err := w.Close(); err != nil {
		t.Fatal(err)
	}
	return buf.Bytes()
}

type zeros struct{}

func (zeros) Read(p []byte) (int, error) { clear(p); return len(p), nil }

// peakHeap runs f and returns the most heap memory live in objects while
// it ran, above what was live before, sampled every 100 µs.
func peakHeap(f func()) uint64 {
	runtime.GC()
	sample := []metrics.Sample{{Name: "/memory/classes/heap/objects:bytes"}}
	metrics.Read(sample)
	base := sample[0].Value.Uint64()
	var peak uint64
	stop := make(chan struct{})
	var wg sync.WaitGroup
	wg.Go(func() {
		s := []metrics.Sample{{Name: "/memory/classes/heap/objects:bytes"}}
		for {
			metrics.Read(s)
			peak = max(peak, s[0].Value.Uint64())
			select {
			case <-stop:
				return
			case <-time.After(100 * time.Microsecond):
			}
		}
	})
	f()
	close(stop)
	wg.Wait()
	if peak < base {
		return 0
	}
	return peak - base
}

// TestReadingBombsIsBounded is #14 case 8: eight zstd bombs read at once
// hold about one bounded buffer, not one per CPU and not what they expand
// to; a sparse file of gigabytes is refused by its size, unread.
func TestReadingBombsIsBounded(t *testing.T) {
	const limit = 4 << 20
	withDecodeLimit(t, limit)
	a := Archive{Dir: t.TempDir()}
	dir := filepath.Join(a.Dir, "m", "exp")
	os.MkdirAll(dir, 0o755)
	bomb := zstdBomb(t, 64<<20) // expands to 16 × the limit
	for i := range 8 {
		name := filepath.Join(dir, "20261125T000000Z-0000000"+string(rune('0'+i))+Ext)
		if err := os.WriteFile(name, bomb, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	sparse := filepath.Join(dir, "20261125T000000Z-00sparse"+Ext)
	if err := os.WriteFile(sparse, bomb, 0o644); err != nil {
		t.Fatal(err)
	}
	if err := os.Truncate(sparse, 8<<30); err != nil {
		t.Fatal(err)
	}
	old := runtime.GOMAXPROCS(8)
	defer runtime.GOMAXPROCS(old)
	var errs []error
	peak := peakHeap(func() { _, errs = a.Runs("") })
	if len(errs) != 9 {
		t.Fatalf("Runs: %d errors, want 9 (eight bombs, one sparse file): %v", len(errs), errs)
	}
	for _, err := range errs {
		if !strings.Contains(err.Error(), "more than") && !strings.Contains(err.Error(), "too large") {
			t.Errorf("Runs: %v, want a size refusal", err)
		}
	}
	// One decoder's window at a time; no output buffer is allocated for a
	// frame too large. Decoding them in parallel, or into a growing
	// buffer, took 20 to 60 MiB here.
	if peak > 2*limit {
		t.Errorf("reading eight bombs with a %d MiB limit peaked at %d MiB of heap, want at most %d", limit>>20, peak>>20, 2*limit>>20)
	}
	t.Logf("peak heap reading eight bombs and an 8 GiB sparse file: %.1f MiB (limit %d MiB)", float64(peak)/(1<<20), limit>>20)
}
