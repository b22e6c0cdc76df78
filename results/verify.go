package results

import (
	"encoding/json"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"time"

	"benchlab/internal/safefile"
)

// TempPrefix begins the name of a file being written into the archive; it
// is linked to its final name once complete and synced.
const TempPrefix = safefile.TempPrefix

// MaxMachineFileSize bounds machine.json: a fingerprint is a few hundred
// bytes.
const MaxMachineFileSize = 1 << 20

// StaleTemp is how old a temporary file must be before Verify calls it
// stray. A writer keeps its temporary file only for the milliseconds
// between writing and linking it, so an older one was left by a process
// that died (kill -9, power loss). Verify reports it and never deletes it.
const StaleTemp = time.Minute

// Problem is one thing wrong in an archive, with the path it concerns.
type Problem struct {
	Path string
	Err  error
}

func (p Problem) String() string { return p.Path + ": " + p.Err.Error() }

// Verification is what Verify found.
type Verification struct {
	Machines, Experiments, Runs int
	// Pending are temporary files too young to be called stray: a run may
	// be writing them right now.
	Pending []string
	// Problems are sorted by path.
	Problems []Problem
}

// Verify checks the whole archive without changing it: every run file
// decodes and its checksum matches, it is filed as
// <machine ID>/<experiment>/<run ID>.run.zst, each machine folder has a
// machine.json naming that machine with the fingerprint its runs carry, no
// run ID appears twice, and no stray temporary file (older than StaleTemp
// at now) is left. Folders at the top of the archive that hold neither a
// machine.json nor run files (such as the Go package's testdata) are not
// part of it and are skipped. An error is returned only when the archive
// cannot be read at all.
func (a Archive) Verify(now time.Time) (*Verification, error) {
	top, err := os.ReadDir(a.Dir)
	if err != nil {
		return nil, fmt.Errorf("archive %s: %w", a.Dir, err)
	}
	v := &Verification{}
	seen := map[string]string{} // run ID → path
	problem := func(path string, format string, args ...any) {
		v.Problems = append(v.Problems, Problem{path, fmt.Errorf(format, args...)})
	}
	for _, d := range top {
		mdir := filepath.Join(a.Dir, d.Name())
		if d.Type()&fs.ModeSymlink != 0 {
			// Not followed: it would take verify, and runs, outside the
			// archive. A link to a file is not part of the archive.
			if fi, err := os.Stat(mdir); err == nil && fi.IsDir() {
				problem(mdir, "symbolic link to a folder: an archive holds only real folders, and runs are neither read through it nor written through it; replace it with the folder it points to")
			}
			continue
		}
		if !d.IsDir() {
			continue // the package's Go files and README.md
		}
		runs, _ := filepath.Glob(filepath.Join(mdir, "*", "*"+Ext))
		if _, err := os.Lstat(filepath.Join(mdir, MachineFile)); err != nil && len(runs) == 0 {
			continue
		}
		v.Machines++
		v.verifyMachine(mdir, now, seen, problem)
	}
	sort.SliceStable(v.Problems, func(i, j int) bool { return v.Problems[i].Path < v.Problems[j].Path })
	sort.Strings(v.Pending)
	return v, nil
}

func (v *Verification) verifyMachine(mdir string, now time.Time, seen map[string]string, problem func(string, string, ...any)) {
	id := filepath.Base(mdir)
	if err := CheckName("machine ID", id); err != nil {
		problem(mdir, "%v", err)
	}
	mpath := filepath.Join(mdir, MachineFile)
	var machine *Machine
	if data, err := safefile.ReadNoFollow(mpath, MaxMachineFileSize); errors.Is(err, fs.ErrNotExist) {
		problem(mpath, "missing: %v (copy it from the machine's own archive; each run also carries the fingerprint)", errors.Unwrap(err))
	} else if pe := (*fs.PathError)(nil); errors.As(err, &pe) {
		problem(mpath, "%v", pe.Err)
	} else if err != nil {
		problem(mpath, "%v", err)
	} else {
		m := new(Machine)
		if err := json.Unmarshal(data, m); err != nil {
			problem(mpath, "not a machine fingerprint: %v", err)
		} else if m.ID != id {
			problem(mpath, "names machine %q but its folder is %q", m.ID, id)
		} else {
			machine = m
		}
	}
	entries, err := os.ReadDir(mdir)
	if err != nil {
		problem(mdir, "%v", err)
		return
	}
	for _, e := range entries {
		p := filepath.Join(mdir, e.Name())
		switch {
		case e.Name() == MachineFile:
			if !e.Type().IsRegular() {
				problem(p, "not a regular file")
			}
		case strings.HasPrefix(e.Name(), TempPrefix):
			v.checkTemp(p, now, problem)
		case e.Type()&fs.ModeSymlink != 0:
			problem(p, "symbolic link: an archive holds only regular files and folders; replace it with what it points to")
		case e.IsDir():
			v.Experiments++
			v.verifyExperiment(p, machine, now, seen, problem)
		default:
			problem(p, "unexpected file in a machine folder (it holds %s and experiment folders only)", MachineFile)
		}
	}
}

func (v *Verification) verifyExperiment(dir string, machine *Machine, now time.Time, seen map[string]string, problem func(string, string, ...any)) {
	if err := CheckName("experiment", filepath.Base(dir)); err != nil {
		problem(dir, "%v", err)
	}
	entries, err := os.ReadDir(dir)
	if err != nil {
		problem(dir, "%v", err)
		return
	}
	for _, e := range entries {
		p := filepath.Join(dir, e.Name())
		switch {
		case strings.HasPrefix(e.Name(), TempPrefix):
			v.checkTemp(p, now, problem)
		case !e.Type().IsRegular():
			problem(p, "not a regular file: an experiment folder holds only run files")
		case !strings.HasSuffix(e.Name(), Ext):
			problem(p, "unexpected file: an experiment folder holds only *%s run files", Ext)
		default:
			v.verifyRun(p, machine, seen, problem)
		}
	}
}

func (v *Verification) verifyRun(path string, machine *Machine, seen map[string]string, problem func(string, string, ...any)) {
	r, err := loadArchived(path)
	if err != nil {
		// loadArchived names the path itself.
		problem(path, "%s", strings.TrimPrefix(err.Error(), path+": "))
		return
	}
	v.Runs++
	if err := CheckFiled(path, r); err != nil {
		// CheckFiled names the path itself.
		problem(path, "%s", strings.TrimPrefix(err.Error(), path+": "))
	}
	if other, ok := seen[r.ID]; ok {
		problem(path, "run ID %s is also %s: the same run is archived twice", r.ID, other)
	} else {
		seen[r.ID] = path
	}
	if machine != nil {
		if diff := machineDiff(*machine, r.Machine); diff != "" {
			problem(path, "its machine differs from %s: %s", MachineFile, diff)
		}
	}
}

// machineDiff compares the facts a machine ID is derived from; hostname,
// kernel and the exact memory size may change without changing the machine.
func machineDiff(want, got Machine) string {
	var d []string
	if want.ID != got.ID {
		d = append(d, fmt.Sprintf("id %q, not %q", got.ID, want.ID))
	}
	if want.CPUModel != got.CPUModel {
		d = append(d, fmt.Sprintf("cpu_model %q, not %q", got.CPUModel, want.CPUModel))
	}
	if want.CPUs != got.CPUs {
		d = append(d, fmt.Sprintf("cpus %d, not %d", got.CPUs, want.CPUs))
	}
	if want.OS != got.OS {
		d = append(d, fmt.Sprintf("os %q, not %q", got.OS, want.OS))
	}
	if want.Arch != got.Arch {
		d = append(d, fmt.Sprintf("arch %q, not %q", got.Arch, want.Arch))
	}
	return strings.Join(d, "; ")
}

func (v *Verification) checkTemp(path string, now time.Time, problem func(string, string, ...any)) {
	fi, err := os.Lstat(path)
	if err != nil {
		problem(path, "%v", err)
		return
	}
	if age := now.Sub(fi.ModTime()); age >= StaleTemp {
		problem(path, "stray temporary file, last written %s ago: a write was interrupted; the run it held was not archived (inspect it, then remove it by hand)", age.Round(time.Second))
		return
	}
	v.Pending = append(v.Pending, path)
}
