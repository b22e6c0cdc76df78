package results

import (
	"crypto/rand"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"regexp"
	"runtime"
	"sort"
	"strings"
	"sync"
	"time"
)

// Ext is the file extension of a run file.
const Ext = ".run.zst"

// MachineFile is the machine fingerprint kept once in each machine folder.
const MachineFile = "machine.json"

// Archive is an append-only store of runs rooted at Dir:
// Dir/<machine>/<experiment>/<run id>.run.zst. Files are only ever added.
type Archive struct {
	Dir string
}

var safeName = regexp.MustCompile(`^[A-Za-z0-9][A-Za-z0-9._-]*$`)

// NewID returns a run ID that sorts by start time and cannot collide with a
// concurrent run's: UTC timestamp plus random bits.
func NewID(start time.Time) string {
	var b [4]byte
	if _, err := rand.Read(b[:]); err != nil {
		panic(err) // crypto/rand does not fail on Linux
	}
	return start.UTC().Format("20060102T150405Z") + "-" + hex.EncodeToString(b[:])
}

// Write stores r and returns the file's path. The file is written to a
// temporary name, synced, and linked into place, so a reader sees either
// nothing or the whole run, and an existing run is never replaced.
func (a Archive) Write(r *Run) (string, error) {
	for _, n := range []struct{ what, name string }{{"machine ID", r.Machine.ID}, {"experiment", r.Experiment}, {"run ID", r.ID}} {
		if err := CheckName(n.what, n.name); err != nil {
			return "", fmt.Errorf("archive: %w", err)
		}
	}
	data, err := Encode(r)
	if err != nil {
		return "", err
	}
	machineDir := filepath.Join(a.Dir, r.Machine.ID)
	dir := filepath.Join(machineDir, r.Experiment)
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return "", fmt.Errorf("archive: %w", err)
	}
	if err := a.writeMachine(machineDir, r.Machine); err != nil {
		return "", err
	}
	path := filepath.Join(dir, r.ID+Ext)
	if err := writeNew(path, data); err != nil {
		return "", fmt.Errorf("archive run %s: %w", path, err)
	}
	return path, nil
}

// writeMachine keeps the machine's fingerprint beside its runs, written
// once; each run carries its own copy too, so this file is only an index.
func (a Archive) writeMachine(dir string, m Machine) error {
	path := filepath.Join(dir, MachineFile)
	if _, err := os.Stat(path); err == nil {
		return nil
	}
	data, err := json.MarshalIndent(m, "", "  ")
	if err != nil {
		return fmt.Errorf("archive: %w", err)
	}
	if err := writeNew(path, append(data, '\n')); err != nil && !errors.Is(err, fs.ErrExist) {
		return fmt.Errorf("archive machine %s: %w", path, err)
	}
	return nil
}

// writeNew writes data to path atomically and fails if path exists.
func writeNew(path string, data []byte) (err error) {
	dir := filepath.Dir(path)
	tmp, err := os.CreateTemp(dir, TempPrefix+"*")
	if err != nil {
		return err
	}
	defer func() {
		if err != nil {
			tmp.Close()
			os.Remove(tmp.Name())
		}
	}()
	// Archives are shared reading: CreateTemp's 0600 is too tight.
	if err = tmp.Chmod(0o644); err != nil {
		return err
	}
	if _, err = tmp.Write(data); err != nil {
		return err
	}
	if err = tmp.Sync(); err != nil {
		return err
	}
	if err = tmp.Close(); err != nil {
		return err
	}
	// Link, unlike rename, refuses to replace an existing file.
	if err = os.Link(tmp.Name(), path); err != nil {
		return err
	}
	os.Remove(tmp.Name())
	if d, derr := os.Open(dir); derr == nil {
		err = d.Sync()
		d.Close()
	}
	return err
}

// Load reads and verifies one run file.
func Load(path string) (*Run, error) {
	data, err := os.ReadFile(path)
	if err != nil {
		return nil, fmt.Errorf("read run %s: %w", path, err)
	}
	r, err := Decode(data)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", path, err)
	}
	return r, nil
}

// Entry is a run found in the archive.
type Entry struct {
	Path string
	Run  *Run
}

// CheckName returns an error unless name can be one path element of the
// archive (a machine ID, an experiment name or a run ID): a letter or
// digit, then letters, digits, '.', '_' or '-'. Names that would leave the
// archive ("..", "a/b") or act as glob patterns are refused.
func CheckName(what, name string) error {
	if !safeName.MatchString(name) || len(name) > 200 {
		return fmt.Errorf("%s %q is not a safe archive name: use letters, digits, '.', '_' and '-' only", what, name)
	}
	return nil
}

// Runs loads every run of experiment (every experiment when empty) on every
// machine, oldest first. A file that fails to load, or that is filed under
// a name that does not match its record (machine folder, experiment folder,
// file name = run ID), is reported in the returned errors, naming the
// file, and skipped; the others still load. Files are decoded in parallel.
func (a Archive) Runs(experiment string) ([]Entry, []error) {
	pattern := filepath.Join(a.Dir, "*", "*", "*"+Ext)
	if experiment != "" {
		if err := CheckName("experiment", experiment); err != nil {
			return nil, []error{err}
		}
		pattern = filepath.Join(a.Dir, "*", experiment, "*"+Ext)
	}
	paths, err := filepath.Glob(pattern)
	if err != nil {
		return nil, []error{fmt.Errorf("archive %s: %w", a.Dir, err)}
	}
	type loaded struct {
		run *Run
		err error
	}
	out := make([]loaded, len(paths))
	next := make(chan int)
	var wg sync.WaitGroup
	for range min(runtime.GOMAXPROCS(0), len(paths)) {
		wg.Go(func() {
			for i := range next {
				r, err := Load(paths[i])
				if err == nil {
					err = CheckFiled(paths[i], r)
				}
				out[i] = loaded{r, err}
			}
		})
	}
	for i := range paths {
		next <- i
	}
	close(next)
	wg.Wait()

	var entries []Entry
	var errs []error
	for i, l := range out {
		if l.err != nil {
			errs = append(errs, l.err)
			continue
		}
		entries = append(entries, Entry{Path: paths[i], Run: l.run})
	}
	sort.SliceStable(entries, func(i, j int) bool {
		ri, rj := entries[i].Run, entries[j].Run
		if !ri.Started.Equal(rj.Started) {
			return ri.Started.Before(rj.Started)
		}
		return entries[i].Path < entries[j].Path
	})
	return entries, errs
}

// CheckFiled reports whether the run r loaded from path is filed where the
// archive puts it: <machine ID>/<experiment>/<run ID>.run.zst. A copied or
// renamed file that breaks this is an error naming path.
func CheckFiled(path string, r *Run) error {
	dir := filepath.Dir(path)
	switch {
	case filepath.Base(path) != r.ID+Ext:
		return fmt.Errorf("%s: %w: file name is not its run ID %q; rename it to %s", path, ErrCorrupt, r.ID, r.ID+Ext)
	case filepath.Base(dir) != r.Experiment:
		return fmt.Errorf("%s: %w: run of %q filed under %q; move it to a folder named %s", path, ErrCorrupt, r.Experiment, filepath.Base(dir), r.Experiment)
	case filepath.Base(filepath.Dir(dir)) != r.Machine.ID:
		return fmt.Errorf("%s: %w: run on machine %q filed under %q; move it to the machine folder %s", path, ErrCorrupt, r.Machine.ID, filepath.Base(filepath.Dir(dir)), r.Machine.ID)
	}
	return nil
}

// Latest returns the newest complete timed run of experiment, or the newest
// timed run at all when none is complete (the caller should say so). Runs
// of instruction counts only (`benchlab count`: Counts, no trials) are not
// timed runs and are passed over.
func (a Archive) Latest(experiment string) (Entry, []error, error) {
	if err := CheckName("experiment", experiment); err != nil {
		return Entry{}, nil, err
	}
	all, errs := a.Runs(experiment)
	var entries []Entry
	for _, e := range all {
		if len(e.Run.Counts) == 0 {
			entries = append(entries, e)
		}
	}
	if len(entries) == 0 {
		return Entry{}, errs, fmt.Errorf("no timed runs of %q in %s: run `benchlab run experiments/%s` first", experiment, a.Dir, experiment)
	}
	for i := len(entries) - 1; i >= 0; i-- {
		if entries[i].Run.Complete {
			return entries[i], errs, nil
		}
	}
	return entries[len(entries)-1], errs, nil
}

// Find returns the run whose ID is id or starts with it.
func (a Archive) Find(experiment, id string) (Entry, []error, error) {
	if err := CheckName("experiment", experiment); err != nil {
		return Entry{}, nil, err
	}
	entries, errs := a.Runs(experiment)
	var found []Entry
	for _, e := range entries {
		if strings.HasPrefix(e.Run.ID, id) {
			found = append(found, e)
		}
	}
	switch len(found) {
	case 0:
		return Entry{}, errs, fmt.Errorf("no run %q of %q in %s: `benchlab ls` lists them", id, experiment, a.Dir)
	case 1:
		return found[0], errs, nil
	}
	return Entry{}, errs, fmt.Errorf("run %q of %q is ambiguous (%d match): give more of the ID", id, experiment, len(found))
}
