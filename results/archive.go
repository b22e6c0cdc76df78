package results

import (
	"crypto/rand"
	"crypto/sha256"
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

	"benchlab/internal/safefile"
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

// ImportedRunID is the run ID of a file imported into experiment: the
// file's modification time and 32 bits of the SHA-256 of its content hash
// and the experiment, so that the same file imported into the same
// experiment twice, even at the same moment, gets the same ID, and the
// second write is refused (Write never replaces a run).
func ImportedRunID(modified time.Time, fileSHA256, experiment string) string {
	sum := sha256.Sum256([]byte(fileSHA256 + "\x00" + experiment))
	return modified.UTC().Format("20060102T150405Z") + "-" + hex.EncodeToString(sum[:4])
}

// Write stores r and returns the file's path. The file is written to a
// temporary name, synced, and linked into place, so a reader sees either
// nothing or the whole run, and an existing run is never replaced (the
// error then wraps fs.ErrExist). A run a reader could not load back
// (ErrTooLarge), or a machine or experiment folder that is a symbolic link
// out of the archive, is refused and nothing is written.
func (a Archive) Write(r *Run) (string, error) {
	if err := CheckName("run ID", r.ID); err != nil {
		return "", fmt.Errorf("archive: %w", err)
	}
	for _, n := range []struct{ what, name string }{{"machine ID", r.Machine.ID}, {"experiment", r.Experiment}} {
		if err := CheckName(n.what, n.name); err != nil {
			return "", fmt.Errorf("archive: %w", err)
		}
	}
	data, err := Encode(r)
	if err != nil {
		return "", err
	}
	if err := a.mkdirs(r.Machine.ID, r.Experiment); err != nil {
		return "", err
	}
	machineDir := filepath.Join(a.Dir, r.Machine.ID)
	if err := a.writeMachine(machineDir, r.Machine); err != nil {
		return "", err
	}
	path := filepath.Join(machineDir, r.Experiment, r.ID+Ext)
	if err := safefile.Write(path, data, false); err != nil {
		return "", fmt.Errorf("archive run %s: %w", path, err)
	}
	return path, nil
}

// mkdirs makes Dir/machine/experiment, refusing a path element that exists
// but is not a real folder: a symbolic link would let a run escape the
// archive, and a file in the way cannot hold runs.
func (a Archive) mkdirs(machine, experiment string) error {
	if fi, err := os.Stat(a.Dir); err == nil && !fi.IsDir() {
		return fmt.Errorf("archive %s: not a folder (--results names the archive folder)", a.Dir)
	}
	if err := os.MkdirAll(a.Dir, 0o755); err != nil {
		return fmt.Errorf("archive %s: %w (fix its permissions, or choose another --results)", a.Dir, err)
	}
	p := a.Dir
	for _, name := range []string{machine, experiment} {
		p = filepath.Join(p, name)
		err := os.Mkdir(p, 0o755)
		if err != nil && !errors.Is(err, fs.ErrExist) {
			return fmt.Errorf("archive %s: %w (fix its permissions, or choose another --results)", p, err)
		}
		fi, err := os.Lstat(p)
		switch {
		case err != nil:
			return fmt.Errorf("archive %s: %w", p, err)
		case fi.Mode()&fs.ModeSymlink != 0:
			return fmt.Errorf("archive %s: a symbolic link; runs are written only into real folders inside the archive (replace the link with the folder it points to)", p)
		case !fi.IsDir():
			return fmt.Errorf("archive %s: not a folder; move the file away", p)
		}
	}
	return nil
}

// CheckFits reports whether r, with up to trials more trials than it
// holds, can be archived and read back: its record without the trials,
// plus MaxTrialBytes per trial, must stay within the reader's limit
// (MaxDecodedSize). A pipeline calls it before the first trial, with the
// most trials the run can take, so that an oversized record (a huge
// recorded file) is refused before anything is measured.
func CheckFits(r *Run, trials int) error {
	_, dec, err := codecs()
	if err != nil {
		return err
	}
	probe := *r
	probe.Trials = nil
	probe.Format = FormatVersion
	body, err := json.Marshal((*runAlias)(&probe))
	if err != nil {
		return fmt.Errorf("archive: %w", err)
	}
	// Encode indents the record: a byte or two per value on top of the
	// compact size, bounded by half of it again.
	size := int64(len(body))*3/2 + int64(len(r.Trials)+trials)*MaxTrialBytes + 1024
	if size > int64(dec.limit) {
		return fmt.Errorf("archive: %w: the record of this run could reach %d bytes (%d trials at most), more than the %d a reader accepts; record fewer or smaller files, or plan fewer trials",
			ErrTooLarge, size, len(r.Trials)+trials, dec.limit)
	}
	return nil
}

// MaxRecordedSize bounds one file an experiment records (build.record,
// such as Cargo.lock) into its runs.
const MaxRecordedSize = 16 << 20

// MaxTrialBytes bounds what one trial adds to a decoded run file: ten
// columns of at most 20 characters and a comma each.
const MaxTrialBytes = 10 * 21

// writeMachine keeps the machine's fingerprint beside its runs, written
// once; each run carries its own copy too, so this file is only an index.
func (a Archive) writeMachine(dir string, m Machine) error {
	path := filepath.Join(dir, MachineFile)
	if _, err := os.Lstat(path); err == nil {
		return nil
	}
	data, err := json.MarshalIndent(m, "", "  ")
	if err != nil {
		return fmt.Errorf("archive: %w", err)
	}
	if err := safefile.Write(path, append(data, '\n'), false); err != nil && !errors.Is(err, fs.ErrExist) {
		return fmt.Errorf("archive machine %s: %w", path, err)
	}
	return nil
}

// Load reads and verifies one run file. Only a regular file of at most
// MaxFileSize bytes is read: a FIFO or a device is refused without
// reading from it.
func Load(path string) (*Run, error) {
	data, _, err := safefile.ReadFile(path, MaxFileSize)
	return decodeFile(path, data, err)
}

// loadArchived is Load for a file found in the archive: a symbolic link is
// refused rather than followed.
func loadArchived(path string) (*Run, error) {
	data, err := safefile.ReadNoFollow(path, MaxFileSize)
	return decodeFile(path, data, err)
}

func decodeFile(path string, data []byte, err error) (*Run, error) {
	if pe := (*fs.PathError)(nil); errors.As(err, &pe) && pe.Path == path {
		err = pe.Err // the path is named once, below
	}
	if err != nil {
		return nil, fmt.Errorf("%s: cannot read run: %w", path, err)
	}
	r, err := Decode(data)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", path, err)
	}
	return r, nil
}

// CheckReadable returns an error unless Dir is a folder that can be
// listed: an archive that is not there is not an empty one.
func (a Archive) CheckReadable() error {
	if _, err := os.ReadDir(a.Dir); err != nil {
		return fmt.Errorf("archive %s: %w (is --results the archive folder?)", a.Dir, err)
	}
	return nil
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
	if experiment != "" {
		if err := CheckName("experiment", experiment); err != nil {
			return nil, []error{err}
		}
	}
	paths, errs := a.runFiles(experiment)
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
				r, err := loadArchived(paths[i])
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

// runFiles lists the run files of experiment (every experiment when
// empty) without following a symbolic link anywhere: a machine folder,
// experiment folder or run file that is one, or a run file that is not a
// regular file, is an error naming it, and is not read. A missing archive
// holds no runs.
func (a Archive) runFiles(experiment string) (paths []string, errs []error) {
	top, err := os.ReadDir(a.Dir)
	if err != nil {
		if !errors.Is(err, fs.ErrNotExist) {
			errs = append(errs, fmt.Errorf("archive %s: %w", a.Dir, err))
		}
		return nil, errs
	}
	for _, m := range top {
		mdir := filepath.Join(a.Dir, m.Name())
		if m.Type()&fs.ModeSymlink != 0 {
			if err := linkedFolder(mdir); err != nil {
				errs = append(errs, err)
			}
			continue
		}
		if !m.IsDir() {
			continue
		}
		exps, err := os.ReadDir(mdir)
		if err != nil {
			errs = append(errs, fmt.Errorf("archive %s: %w", mdir, err))
			continue
		}
		for _, e := range exps {
			if experiment != "" && e.Name() != experiment {
				continue
			}
			edir := filepath.Join(mdir, e.Name())
			if e.Type()&fs.ModeSymlink != 0 {
				if err := linkedFolder(edir); err != nil {
					errs = append(errs, err)
				}
				continue
			}
			if !e.IsDir() {
				continue
			}
			files, err := os.ReadDir(edir)
			if err != nil {
				errs = append(errs, fmt.Errorf("archive %s: %w", edir, err))
				continue
			}
			for _, f := range files {
				if !strings.HasSuffix(f.Name(), Ext) || strings.HasPrefix(f.Name(), TempPrefix) {
					continue
				}
				p := filepath.Join(edir, f.Name())
				if !f.Type().IsRegular() {
					errs = append(errs, fmt.Errorf("%s: %w: not a regular file (%s); not read", p, ErrCorrupt, safefile.Kind(f.Type())))
					continue
				}
				paths = append(paths, p)
			}
		}
	}
	return paths, errs
}

// linkedFolder is the error for a symbolic link found where the archive
// keeps a machine or experiment folder, when it points to a folder: its
// runs are not read. A link to anything else holds no runs (verify names
// it) and is nil.
func linkedFolder(path string) error {
	if fi, err := os.Stat(path); err != nil || !fi.IsDir() {
		return nil
	}
	return fmt.Errorf("%s: symbolic link to a folder: not read, since a run must not come from outside the archive (replace the link with the folder it points to)", path)
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
	e, err := a.LatestOf(experiment, all)
	return e, errs, err
}

// LatestOf is Latest over entries already loaded by Runs(experiment), so
// a caller that needs all of them too reads the archive once.
func (a Archive) LatestOf(experiment string, all []Entry) (Entry, error) {
	var entries []Entry
	for _, e := range all {
		if len(e.Run.Counts) == 0 {
			entries = append(entries, e)
		}
	}
	if len(entries) == 0 {
		return Entry{}, fmt.Errorf("no timed runs of %q in %s: run `benchlab run experiments/%s` first", experiment, a.Dir, experiment)
	}
	for i := len(entries) - 1; i >= 0; i-- {
		if entries[i].Run.Complete {
			return entries[i], nil
		}
	}
	return entries[len(entries)-1], nil
}

// FindIn returns the run among entries (loaded by Runs(experiment)) whose
// ID is id or starts with it. It takes the entries rather than loading
// them so that a caller needing all of them too reads the archive once.
func (a Archive) FindIn(experiment, id string, entries []Entry) (Entry, error) {
	var found []Entry
	for _, e := range entries {
		if strings.HasPrefix(e.Run.ID, id) {
			found = append(found, e)
		}
	}
	switch len(found) {
	case 0:
		return Entry{}, fmt.Errorf("no run %q of %q in %s: `benchlab ls` lists them", id, experiment, a.Dir)
	case 1:
		return found[0], nil
	}
	return Entry{}, fmt.Errorf("run %q of %q is ambiguous (%d match): give more of the ID", id, experiment, len(found))
}
