package main

import (
	"context"
	"io"
	"os"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"
)

// TestImportFIFO: import refuses a FIFO (a named pipe) at once, as it
// refuses any file that is not a regular one, rather than waiting for a
// writer that may never come.
func TestImportFIFO(t *testing.T) {
	dir := t.TempDir()
	fifo := filepath.Join(dir, "pipe.json")
	if err := syscall.Mkfifo(fifo, 0o600); err != nil {
		t.Fatal(err)
	}
	done := make(chan string, 1)
	go func() {
		var stderr strings.Builder
		code := run(context.Background(), []string{"import", "--results", filepath.Join(dir, "res"), fifo}, io.Discard, &stderr)
		if code == 0 {
			done <- "exit 0"
			return
		}
		done <- stderr.String()
	}()
	select {
	case msg := <-done:
		if !strings.Contains(msg, "not a regular file") {
			t.Errorf("import of a FIFO: %q, want it refused as not a regular file", msg)
		}
	case <-time.After(10 * time.Second):
		// Release the waiting open by opening the other end.
		if w, err := os.OpenFile(fifo, os.O_WRONLY, 0); err == nil {
			w.Close()
		}
		<-done
		t.Fatal("import of a FIFO waited for a writer")
	}
}
