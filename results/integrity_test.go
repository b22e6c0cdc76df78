package results

import (
	"bytes"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"flag"
	"fmt"
	"io/fs"
	"math/rand/v2"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	"github.com/klauspost/compress/zstd"
)

var update = flag.Bool("update", false, "rewrite the golden files in testdata")

var sampleStart = time.Date(2026, 11, 25, 0, 0, 0, 0, time.UTC)

// goldenFile compares got with testdata/name, or rewrites it with -update.
func goldenFile(t *testing.T, name string, got []byte) {
	t.Helper()
	path := filepath.Join("testdata", name)
	if *update {
		if err := os.WriteFile(path, got, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	want, err := os.ReadFile(path)
	if err != nil {
		t.Fatalf("%v (run go test -update to create it)", err)
	}
	if diff := cmp.Diff(string(want), string(got)); diff != "" {
		t.Errorf("%s differs (-want +got; go test -update rewrites it):\n%s", path, diff)
	}
}

func plainText(t *testing.T, file []byte) []byte {
	t.Helper()
	dec, err := zstd.NewReader(nil)
	if err != nil {
		t.Fatal(err)
	}
	defer dec.Close()
	plain, err := dec.DecodeAll(file, nil)
	if err != nil {
		t.Fatal(err)
	}
	return plain
}

// TestFormatVersions reads a file of every format version ever written
// and checks that the current format's text has not changed by accident.
func TestFormatVersions(t *testing.T) {
	want := sampleRun("20261125T000000Z-00000001", sampleStart)
	// format1.run.zst was written by the format-1 code (commit 9704ae7).
	for _, version := range []int{1, 2} {
		data, err := os.ReadFile(filepath.Join("testdata", fmt.Sprintf("format%d.run.zst", version)))
		if version == FormatVersion && *update {
			data, err = Encode(want)
			os.WriteFile(filepath.Join("testdata", fmt.Sprintf("format%d.run.zst", version)), data, 0o644)
		}
		if err != nil {
			t.Fatal(err)
		}
		got, err := Decode(data)
		if err != nil {
			t.Fatalf("format %d: %v", version, err)
		}
		w := *want
		w.Format = version
		if diff := cmp.Diff(&w, got); diff != "" {
			t.Errorf("format %d file (-want +got):\n%s", version, diff)
		}
	}
	data, err := Encode(want)
	if err != nil {
		t.Fatal(err)
	}
	goldenFile(t, fmt.Sprintf("format%d.txt", FormatVersion), plainText(t, data))
}

// TestDecodeDamageAnywhere truncates a run file at every length and flips
// every byte of it: each damaged file either fails with ErrCorrupt or, when
// the damage hit a part of the zstd frame that does not change what it
// holds, decodes to the very same run. Nothing else, no panic.
func TestDecodeDamageAnywhere(t *testing.T) {
	want := sampleRun("20261125T000000Z-00000001", sampleStart)
	good, err := Encode(want)
	if err != nil {
		t.Fatal(err)
	}
	check := func(what string, data []byte) {
		got, err := Decode(data)
		switch {
		case err == nil && !cmp.Equal(want, got):
			t.Errorf("%s: decoded to a different run without an error", what)
		case err != nil && !errors.Is(err, ErrCorrupt):
			t.Errorf("%s: error %v is not ErrCorrupt", what, err)
		}
	}
	for n := range len(good) {
		check(fmt.Sprintf("truncated to %d of %d bytes", n, len(good)), good[:n])
	}
	for i := range good {
		for _, mask := range []byte{0x01, 0x80, 0xff} {
			bad := bytes.Clone(good)
			bad[i] ^= mask
			check(fmt.Sprintf("byte %d xor %#x", i, mask), bad)
		}
	}
	check("trailing garbage", append(bytes.Clone(good), "junk"...))
}

func TestDecodeRejects(t *testing.T) {
	header := func(v int, body string) []byte {
		return zstdOf(t, fmt.Appendf(nil, "%s %d sha256:%s\n%s", magic, v, sha(body), body))
	}
	unsafe := sampleRun("20261125T000000Z-00000001", sampleStart)
	unsafe.Experiment = "../../etc"
	unsafeFile, err := Encode(unsafe)
	if err != nil {
		t.Fatal(err)
	}
	slashMachine := sampleRun("20261125T000000Z-00000001", sampleStart)
	slashMachine.Machine.ID = "a/b"
	slashFile, err := Encode(slashMachine)
	if err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		why  string
		data []byte
		want string
	}{
		{"a header without a checksum is not a run file", zstdOf(t, []byte(magic+" 2\n{}")), "no sha256"},
		{"a checksum of the wrong length is refused", zstdOf(t, []byte(magic+" 2 sha256:abcd\n{}")), "not 64 hex"},
		{"a version that is not a number is refused", zstdOf(t, []byte(magic+" two sha256:00\n{}")), "no format version"},
		{"format 0 never existed", header(0, "{}"), "no format version"},
		{"a correct checksum over a body that is not JSON", header(2, "not json"), "corrupt"},
		{"format 2 without its trials object", header(2, `{"format": 2, "id": "x", "experiment": "e", "machine": {"id": "m"}}`), "no trials object"},
		{"trial columns of different lengths", header(2, `{"format": 2, "trials": {"n": 2, "strategy": {"scale": 1, "values": [0]}}}`), "trials.strategy has 1 values"},
		{"a zero scale would lose the values", header(2, `{"format": 2, "trials": {"n": 0, "strategy": {"scale": 0, "values": []}}}`), "scale is 0"},
		{"a trial naming no strategy", header(2, `{"format": 2, "trials": {"n": 1, "strategy": {"scale": 1, "values": [3]}, "round": {"scale": 1, "values": [0]}, "warmup": {"scale": 1, "values": [0]}, "wall_ns": {"scale": 1, "values": [0]}, "user_ns": {"scale": 1, "values": [0]}, "sys_ns": {"scale": 1, "values": [0]}, "max_rss_kib": {"scale": 1, "values": [0]}, "exit_code": {"scale": 1, "values": [0]}, "signal": {"scale": 1, "values": [0]}, "timed_out": {"scale": 1, "values": [0]}}}`), "names strategy 3 of 0"},
		{"header and record disagree on the version", header(1, `{"format": 2}`), "header says format 1, record says 2"},
		{"an experiment name that leaves the archive", unsafeFile, `experiment "../../etc" is not a safe archive name`},
		{"a machine ID with a slash", slashFile, `machine ID "a/b" is not a safe archive name`},
	}
	for _, tt := range tests {
		_, err := Decode(tt.data)
		if err == nil || !strings.Contains(err.Error(), tt.want) {
			t.Errorf("%s: error %v, want one containing %q", tt.why, err, tt.want)
		}
	}
}

func sha(s string) string {
	sum := sha256.Sum256([]byte(s))
	return hex.EncodeToString(sum[:])
}

// TestRunsLoadsAroundDamage puts every kind of damaged file beside good
// runs: each bad file is named in an error, every good run still loads.
func TestRunsLoadsAroundDamage(t *testing.T) {
	a := Archive{Dir: t.TempDir()}
	var good []string
	for i := range 5 {
		p, err := a.Write(sampleRun(NewID(sampleStart.Add(time.Duration(i)*time.Hour)), sampleStart.Add(time.Duration(i)*time.Hour)))
		if err != nil {
			t.Fatal(err)
		}
		good = append(good, p)
	}
	data, _ := os.ReadFile(good[0])
	dir := filepath.Dir(good[0])
	flipped := bytes.Clone(data)
	flipped[len(flipped)/3] ^= 0x10
	misnamed := sampleRun("20261125T000000Z-0000abcd", sampleStart)
	misnamedData, _ := Encode(misnamed)
	bad := map[string][]byte{
		"20260101T000000Z-00000001": data[:len(data)-7],          // truncated
		"20260101T000000Z-00000002": flipped,                     // bit flip
		"20260101T000000Z-00000003": []byte("<html>oops</html>"), // foreign
		"20260101T000000Z-00000004": {},                          // empty
		"20260101T000000Z-00000005": misnamedData,                // file name is not its ID
	}
	for id, b := range bad {
		if err := os.WriteFile(filepath.Join(dir, id+Ext), b, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	entries, errs := a.Runs("")
	if len(entries) != len(good) {
		t.Errorf("loaded %d runs, want the %d good ones", len(entries), len(good))
	}
	if len(errs) != len(bad) {
		t.Errorf("%d errors, want one per bad file (%d): %v", len(errs), len(bad), errs)
	}
	for id := range bad {
		found := false
		for _, err := range errs {
			found = found || strings.Contains(err.Error(), id+Ext)
		}
		if !found {
			t.Errorf("no error names %s", id+Ext)
		}
	}
	for _, p := range good {
		if after, _ := os.ReadFile(p); len(after) == 0 {
			t.Errorf("%s was changed", p)
		}
	}
}

func TestRunsRefusesUnsafeExperiment(t *testing.T) {
	for _, name := range []string{"..", "../x", "a/b", "*", "demo?", ".hidden", ""} {
		if name == "" {
			continue // empty means every experiment
		}
		if _, errs := (Archive{Dir: t.TempDir()}).Runs(name); len(errs) != 1 || !strings.Contains(errs[0].Error(), "not a safe archive name") {
			t.Errorf("Runs(%q): errors %v, want one refusing the name", name, errs)
		}
	}
}

// TestConcurrentWriters writes runs started in the same second from many
// goroutines into one archive: every one lands under its own name.
func TestConcurrentWriters(t *testing.T) {
	a := Archive{Dir: t.TempDir()}
	const n = 32
	var wg sync.WaitGroup
	for range n {
		wg.Go(func() {
			if _, err := a.Write(sampleRun(NewID(sampleStart), sampleStart)); err != nil {
				t.Error(err)
			}
		})
	}
	wg.Wait()
	entries, errs := a.Runs("demo")
	if len(entries) != n || len(errs) != 0 {
		t.Fatalf("%d runs and errors %v; want %d and none", len(entries), errs, n)
	}
	v, err := a.Verify(time.Now())
	if err != nil || len(v.Problems) != 0 || len(v.Pending) != 0 {
		t.Fatalf("Verify: %v, problems %v, pending %v", err, v.Problems, v.Pending)
	}
}

// TestMergeArchives merges two archives by copying one's folders into the
// other, as people exchange results: one machine appears in both, one in
// only the second. Run IDs carry random bits, so runs started in the same
// second on either side do not collide; machine.json, the only shared name,
// is identical for the same machine.
func TestMergeArchives(t *testing.T) {
	rng := rand.New(rand.NewPCG(5, 5))
	left, right := Archive{Dir: t.TempDir()}, Archive{Dir: t.TempDir()}
	other := func(r *Run) *Run {
		r.Machine = Machine{ID: "other-cpu-8c-89abcdef", CPUModel: "Other CPU", CPUs: 8, OS: "Fedora", Arch: "arm64"}
		return r
	}
	var want []string
	for i := range 12 {
		start := sampleStart.Add(time.Duration(rng.IntN(3)) * time.Second) // same seconds on both sides
		r := sampleRun(NewID(start), start)
		dst := left
		switch i % 3 {
		case 1:
			dst = right
		case 2:
			dst, r = right, other(r)
		}
		if _, err := dst.Write(r); err != nil {
			t.Fatal(err)
		}
		want = append(want, r.ID)
	}
	before := snapshot(t, left.Dir)
	if err := filepath.WalkDir(right.Dir, func(p string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		rel, _ := filepath.Rel(right.Dir, p)
		dst := filepath.Join(left.Dir, rel)
		data, err := os.ReadFile(p)
		if err != nil {
			return err
		}
		if old, err := os.ReadFile(dst); err == nil {
			if !bytes.Equal(old, data) {
				t.Errorf("merge: %s exists with other content", rel)
			}
			return nil
		}
		os.MkdirAll(filepath.Dir(dst), 0o755)
		return os.WriteFile(dst, data, 0o644)
	}); err != nil {
		t.Fatal(err)
	}
	for p, b := range before {
		if after, err := os.ReadFile(p); err != nil || !bytes.Equal(after, b) {
			t.Errorf("merge changed %s", p)
		}
	}
	entries, errs := left.Runs("")
	if len(errs) != 0 {
		t.Fatalf("merged archive: %v", errs)
	}
	var got []string
	for _, e := range entries {
		got = append(got, e.Run.ID)
	}
	if diff := cmp.Diff(sorted(want), sorted(got)); diff != "" {
		t.Errorf("merged runs (-want +got):\n%s", diff)
	}
	if v, err := left.Verify(time.Now()); err != nil || len(v.Problems) != 0 || v.Machines != 2 {
		t.Errorf("merged archive: Verify %v, %d machines, problems %v", err, v.Machines, v.Problems)
	}
}

func sorted(s []string) []string {
	s = slices.Clone(s)
	slices.Sort(s)
	return s
}

// snapshot maps every file under dir to its bytes.
func snapshot(t *testing.T, dir string) map[string][]byte {
	t.Helper()
	m := map[string][]byte{}
	filepath.WalkDir(dir, func(p string, d fs.DirEntry, err error) error {
		if err == nil && !d.IsDir() {
			m[p], _ = os.ReadFile(p)
		}
		return err
	})
	return m
}
