package safefile

import (
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"
)

// TestReadRefusesSpecialFiles: a FIFO (no writer), /dev/zero through a
// link, a folder and a file over the limit are each refused at once,
// naming the file; a regular file within the limit is read.
func TestReadRefusesSpecialFiles(t *testing.T) {
	dir := t.TempDir()
	fifo := filepath.Join(dir, "fifo")
	if err := syscall.Mkfifo(fifo, 0o644); err != nil {
		t.Fatal(err)
	}
	zero := filepath.Join(dir, "zero")
	os.Symlink("/dev/zero", zero)
	big := filepath.Join(dir, "big")
	os.WriteFile(big, make([]byte, 101), 0o644)
	ok := filepath.Join(dir, "ok")
	os.WriteFile(ok, []byte("hello"), 0o644)
	tests := []struct {
		why  string
		path string
		want error
	}{
		{"a FIFO is refused without waiting for a writer", fifo, ErrNotRegular},
		{"/dev/zero through a link is refused, not read without end", zero, ErrNotRegular},
		{"a folder is refused", dir, ErrNotRegular},
		{"a file over the limit is refused", big, ErrTooLarge},
		{"a regular file within the limit is read", ok, nil},
	}
	for _, tt := range tests {
		done := make(chan error, 1)
		go func() {
			_, _, err := ReadFile(tt.path, 100)
			done <- err
		}()
		select {
		case err := <-done:
			if !errors.Is(err, tt.want) || (err != nil && !strings.Contains(err.Error(), tt.path)) {
				t.Errorf("%s: ReadFile(%s) = %v, want %v naming the file", tt.why, tt.path, err, tt.want)
			}
		case <-time.After(10 * time.Second):
			t.Fatalf("%s: ReadFile(%s) did not return", tt.why, tt.path)
		}
	}
	if _, err := ReadNoFollow(zero, 100); !errors.Is(err, ErrNotRegular) {
		t.Errorf("ReadNoFollow of a link: %v, want ErrNotRegular", err)
	}
	if data, err := ReadFileIn(dir, "ok", 100); err != nil || string(data) != "hello" {
		t.Errorf("ReadFileIn of a file inside: %q, %v", data, err)
	}
}

// TestReadFileInStaysInside: names that lead out of the folder, by ".."
// or by a link, are refused.
func TestReadFileInStaysInside(t *testing.T) {
	outside := t.TempDir()
	secret := filepath.Join(outside, "secret")
	os.WriteFile(secret, []byte("secret"), 0o644)
	dir := t.TempDir()
	os.Symlink(secret, filepath.Join(dir, "link"))
	os.Symlink(outside, filepath.Join(dir, "linkdir"))
	rel, _ := filepath.Rel(dir, secret)
	for _, name := range []string{"link", "linkdir/secret", rel, secret} {
		if data, err := ReadFileIn(dir, name, 100); err == nil {
			t.Errorf("ReadFileIn(%s) read %q from outside the folder", name, data)
		}
	}
}

// TestConcurrentWritesOfOneFile is #14 case 12: a hundred writers of one
// file all succeed (each temporary file has its own name), the file is one
// writer's whole content, and no temporary file is left.
func TestConcurrentWritesOfOneFile(t *testing.T) {
	dir := t.TempDir()
	path := filepath.Join(dir, "README.md")
	var wg sync.WaitGroup
	errs := make(chan error, 100)
	for i := range 100 {
		wg.Go(func() {
			if err := Write(path, []byte(fmt.Sprintf("report %03d\n", i)), true); err != nil {
				errs <- err
			}
		})
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		t.Errorf("concurrent write: %v", err)
	}
	data, _ := os.ReadFile(path)
	if len(data) != len("report 000\n") || !strings.HasPrefix(string(data), "report ") {
		t.Errorf("content %q is not one writer's", data)
	}
	assertNoTemp(t, dir)
}

// TestFailedWritesLeaveNoTemp: a write that cannot complete leaves no
// temporary file, and a refused link keeps the existing file.
func TestFailedWritesLeaveNoTemp(t *testing.T) {
	dir := t.TempDir()
	os.Mkdir(filepath.Join(dir, "chart.png"), 0o755)
	os.WriteFile(filepath.Join(dir, "chart.png", "x"), nil, 0o644)
	err := WriteAll(dir, []File{{"chart.png", []byte("png")}, {"README.md", []byte("readme")}})
	if err == nil {
		t.Fatal("WriteAll over a non-empty folder succeeded")
	}
	if _, err := os.Stat(filepath.Join(dir, "README.md")); !errors.Is(err, fs.ErrNotExist) {
		t.Errorf("README.md was written although the chart before it failed: %v", err)
	}
	os.WriteFile(filepath.Join(dir, "run"), []byte("old"), 0o644)
	if err := Write(filepath.Join(dir, "run"), []byte("new"), false); !errors.Is(err, fs.ErrExist) {
		t.Errorf("Write without replace over an existing file: %v, want fs.ErrExist", err)
	}
	if data, _ := os.ReadFile(filepath.Join(dir, "run")); string(data) != "old" {
		t.Errorf("the existing file was replaced: %q", data)
	}
	if err := Write(filepath.Join(dir, "missing", "f"), nil, true); err == nil {
		t.Error("Write into a missing folder succeeded")
	}
	assertNoTemp(t, dir)
}

func assertNoTemp(t *testing.T, dir string) {
	t.Helper()
	entries, _ := os.ReadDir(dir)
	for _, e := range entries {
		if strings.HasPrefix(e.Name(), TempPrefix) || strings.HasSuffix(e.Name(), ".tmp") {
			t.Errorf("temporary file %s left behind", e.Name())
		}
	}
}
