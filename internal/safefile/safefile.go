// Package safefile reads and writes files the way benchlab's archive and
// reports need: reads take regular files only, up to a size limit, and
// never block on a FIFO or read a device without end; writes are atomic,
// through a uniquely named temporary file in the target's own folder, so
// that a reader sees the old file or the new one and a failed write leaves
// nothing behind. It knows nothing of what the files hold.
package safefile

import (
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"syscall"
)

// TempPrefix begins the name of every temporary file Write makes; it is
// linked or renamed to its final name once complete and synced.
const TempPrefix = ".tmp-"

// ErrTooLarge marks a file refused for its size.
var ErrTooLarge = errors.New("file too large")

// ErrNotRegular marks a FIFO, device, socket or folder where a regular file
// was expected.
var ErrNotRegular = errors.New("not a regular file")

// ReadFile reads the regular file at path, refusing anything else (a FIFO,
// a device such as /dev/zero, a socket or a folder) without reading from
// it, and any file larger than limit bytes. A symbolic link to a regular
// file is followed. The FileInfo is the open file's.
func ReadFile(path string, limit int64) ([]byte, fs.FileInfo, error) {
	// O_NONBLOCK: opening a FIFO with no writer would otherwise block
	// before Stat could refuse it. It changes nothing for regular files.
	f, err := os.OpenFile(path, os.O_RDONLY|syscall.O_NONBLOCK, 0)
	if err != nil {
		return nil, nil, err
	}
	defer f.Close()
	return readOpen(f, path, limit)
}

// ReadFileIn reads the regular file name inside the folder dir, like
// ReadFile, but refuses a name that leads out of dir, by "..", an absolute
// path or a symbolic link anywhere on the way (os.Root).
func ReadFileIn(dir, name string, limit int64) ([]byte, error) {
	root, err := os.OpenRoot(dir)
	if err != nil {
		return nil, err
	}
	defer root.Close()
	f, err := root.OpenFile(name, os.O_RDONLY|syscall.O_NONBLOCK, 0)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	data, _, err := readOpen(f, filepath.Join(dir, name), limit)
	return data, err
}

// ReadNoFollow reads the regular file at path like ReadFile, but refuses
// a symbolic link as the last element of path instead of following it.
func ReadNoFollow(path string, limit int64) ([]byte, error) {
	f, err := os.OpenFile(path, os.O_RDONLY|syscall.O_NONBLOCK|syscall.O_NOFOLLOW, 0)
	if err != nil {
		if errors.Is(err, syscall.ELOOP) {
			return nil, &fs.PathError{Op: "open", Path: path, Err: fmt.Errorf("%w: a symbolic link", ErrNotRegular)}
		}
		return nil, err
	}
	defer f.Close()
	data, _, err := readOpen(f, path, limit)
	return data, err
}

func readOpen(f *os.File, path string, limit int64) ([]byte, fs.FileInfo, error) {
	fi, err := f.Stat()
	if err != nil {
		return nil, nil, err
	}
	if !fi.Mode().IsRegular() {
		return nil, nil, &fs.PathError{Op: "read", Path: path, Err: fmt.Errorf("%w (%s)", ErrNotRegular, Kind(fi.Mode()))}
	}
	if fi.Size() > limit {
		return nil, nil, &fs.PathError{Op: "read", Path: path, Err: fmt.Errorf("%w: %d bytes, the limit is %d", ErrTooLarge, fi.Size(), limit)}
	}
	// The file may grow while it is read: read at most one byte past the
	// limit to tell.
	data := make([]byte, 0, fi.Size()+1)
	for {
		n, err := f.Read(data[len(data):cap(data)])
		data = data[:len(data)+n]
		if int64(len(data)) > limit {
			return nil, nil, &fs.PathError{Op: "read", Path: path, Err: fmt.Errorf("%w: more than %d bytes", ErrTooLarge, limit)}
		}
		if err == io.EOF {
			return data, fi, nil
		}
		if err != nil {
			return nil, nil, &fs.PathError{Op: "read", Path: path, Err: err}
		}
		if len(data) == cap(data) {
			data = append(data, 0)[:len(data)]
		}
	}
}

// Kind names a file type for an error message: "a FIFO", "a folder".
func Kind(m fs.FileMode) string {
	switch {
	case m.IsDir():
		return "a folder"
	case m&fs.ModeNamedPipe != 0:
		return "a FIFO"
	case m&fs.ModeCharDevice != 0:
		return "a character device"
	case m&fs.ModeDevice != 0:
		return "a device"
	case m&fs.ModeSocket != 0:
		return "a socket"
	case m&fs.ModeSymlink != 0:
		return "a symbolic link"
	}
	if m.IsRegular() {
		return "a regular file"
	}
	return "mode " + m.String()
}

// File is one file of a group written by WriteAll.
type File struct {
	Name string // relative to the folder
	Data []byte
}

// Write writes data to path atomically: to a new temporary file in path's
// folder, synced, then renamed over path (replace) or hard-linked to it,
// which fails with fs.ErrExist rather than replace an existing file
// (!replace). The folder is synced afterwards. On any failure the
// temporary file is removed and path is untouched.
func Write(path string, data []byte, replace bool) error {
	tmp, err := writeTemp(filepath.Dir(path), data)
	if err != nil {
		return err
	}
	if err := commit(tmp, path, replace); err != nil {
		return err
	}
	return syncDir(filepath.Dir(path))
}

// WriteAll writes files into dir, each replacing its previous version,
// as one step as far as a file system allows: every file is first written
// to a temporary file and synced, and only when all are written are they
// renamed into place, in order (put the file that refers to the others
// last). When a write fails, no file has been replaced and no temporary
// file is left.
func WriteAll(dir string, files []File) error {
	tmps := make([]string, 0, len(files))
	cleanup := func() {
		for _, t := range tmps {
			os.Remove(t)
		}
	}
	for _, f := range files {
		tmp, err := writeTemp(dir, f.Data)
		if err != nil {
			cleanup()
			return fmt.Errorf("%s: %w", filepath.Join(dir, f.Name), err)
		}
		tmps = append(tmps, tmp)
	}
	for i, f := range files {
		if err := os.Rename(tmps[i], filepath.Join(dir, f.Name)); err != nil {
			cleanup()
			return err
		}
	}
	return syncDir(dir)
}

// writeTemp writes data to a new temporary file in dir and returns its
// name; nothing is left behind when it fails.
func writeTemp(dir string, data []byte) (name string, err error) {
	tmp, err := os.CreateTemp(dir, TempPrefix+"*")
	if err != nil {
		return "", err
	}
	defer func() {
		if err != nil {
			tmp.Close()
			os.Remove(tmp.Name())
		}
	}()
	// Archives and reports are shared reading: CreateTemp's 0600 is too
	// tight.
	if err = tmp.Chmod(0o644); err != nil {
		return "", err
	}
	if _, err = tmp.Write(data); err != nil {
		return "", err
	}
	if err = tmp.Sync(); err != nil {
		return "", err
	}
	if err = tmp.Close(); err != nil {
		return "", err
	}
	return tmp.Name(), nil
}

// commit moves the temporary file tmp to path, removing tmp on failure.
func commit(tmp, path string, replace bool) error {
	if replace {
		if err := os.Rename(tmp, path); err != nil {
			os.Remove(tmp)
			return err
		}
		return nil
	}
	// Link, unlike rename, refuses to replace an existing file.
	err := os.Link(tmp, path)
	os.Remove(tmp)
	return err
}

func syncDir(dir string) error {
	d, err := os.Open(dir)
	if err != nil {
		return nil // the file is in place; a folder we cannot open cannot be synced
	}
	defer d.Close()
	return d.Sync()
}
