package results

import (
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"

	"golang.org/x/sys/unix"
)

// CheckWritable reports whether Write could store a run of experiment on
// machine, without writing anything: both names are safe archive names,
// the machine and experiment folders, where they exist, are real folders
// and not symbolic links (Write refuses to write through one, since it
// would lead out of the archive), and the nearest existing folder on the
// way to <Dir>/<machine>/<experiment> is a folder this process may write
// in. Run it before measuring, so that a run is not measured only to be
// lost.
func (a Archive) CheckWritable(machine, experiment string) error {
	for _, n := range []struct{ what, name string }{{"machine ID", machine}, {"experiment", experiment}} {
		if err := CheckName(n.what, n.name); err != nil {
			return fmt.Errorf("archive: %w", err)
		}
	}
	for _, p := range []string{filepath.Join(a.Dir, machine), filepath.Join(a.Dir, machine, experiment)} {
		if fi, err := os.Lstat(p); err == nil && fi.Mode()&fs.ModeSymlink != 0 {
			return fmt.Errorf("archive %s: a symbolic link; runs are written only into real folders inside the archive (replace the link with the folder it points to)", p)
		}
	}
	dir := filepath.Join(a.Dir, machine, experiment)
	for p := dir; ; p = filepath.Dir(p) {
		fi, err := os.Stat(p)
		switch {
		case (errors.Is(err, fs.ErrNotExist) || errors.Is(err, unix.ENOTDIR)) && filepath.Dir(p) != p:
			continue // made by Write, or a file on the way, found above
		case err != nil:
			return fmt.Errorf("archive %s: %w", a.Dir, err)
		case !fi.IsDir():
			return fmt.Errorf("archive %s: %s is not a folder; name a folder with --results", a.Dir, p)
		}
		if err := unix.Access(p, unix.W_OK|unix.X_OK); err != nil {
			return fmt.Errorf("archive %s: cannot write in %s: %w; fix its permissions or name another folder with --results", a.Dir, p, err)
		}
		return nil
	}
}
