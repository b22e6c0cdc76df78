package harness

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"os/exec"
	"syscall"
	"time"

	"golang.org/x/sys/unix"

	"benchlab/experiments"
)

// auxCommand is a strategy's prepare or cleanup command: run untimed,
// through os/exec, outside the timed loop.
type auxCommand struct {
	path string   // absolute; "" when the strategy has none
	argv []string // as written
}

// newAuxCommand resolves a prepare or cleanup argv (key names which) of
// strategy name; an empty argv is no command.
func newAuxCommand(e *experiments.Experiment, dir, key, name string, argv []string) (auxCommand, error) {
	if len(argv) == 0 {
		return auxCommand{}, nil
	}
	path, err := resolveCommand(dir, argv[0])
	if err != nil {
		return auxCommand{}, &experiments.Error{Path: expPath(e), Key: key,
			Msg: fmt.Sprintf("strategy %q: %v", name, err)}
	}
	return auxCommand{path: path, argv: argv}, nil
}

// prepare runs strategy i's prepare command, if any; see trialRunner.
// A prepare is killed by cancellation, and its failure then not reported:
// the trial after it is cancelled at once.
func (r *procRunner) prepare(i int) string {
	f := r.runAux(r.ctx, r.prepares[i])
	if r.ctx.Err() != nil {
		return ""
	}
	return f
}

// cleanup runs strategy i's cleanup command, if any; see trialRunner.
// It runs after cancellation too, as it restores what the strategy
// changed; a second Ctrl-C ends benchlab if it takes too long.
func (r *procRunner) cleanup(i int) string { return r.runAux(context.Background(), r.cleanups[i]) }

// runAux runs c in the experiment folder, bounded by the trial timeout and
// killed with its process group past it, and describes its failure (exit
// status and the tail of its standard error), or returns "".
func (r *procRunner) runAux(ctx context.Context, c auxCommand) string {
	if c.path == "" {
		return ""
	}
	ctx, cancel := context.WithTimeout(ctx, r.timeout)
	defer cancel()
	cmd := exec.CommandContext(ctx, c.path, c.argv[1:]...)
	cmd.Args[0] = c.argv[0]
	cmd.Dir = r.dir
	// Only the tail is kept: a command may write gigabytes.
	stderr := &tailWriter{buf: make([]byte, stderrTail)}
	cmd.Stdout, cmd.Stderr = io.Discard, stderr
	if r.showOutput {
		cmd.Stdout, cmd.Stderr = os.Stdout, io.MultiWriter(os.Stderr, stderr)
	}
	cmd.SysProcAttr = &syscall.SysProcAttr{Setpgid: true, Pdeathsig: syscall.SIGKILL}
	cmd.Cancel = func() error { return syscall.Kill(-cmd.Process.Pid, syscall.SIGKILL) }
	cmd.WaitDelay = time.Second
	err := runGroup(cmd)
	if err == nil {
		return ""
	}
	what := fmt.Sprintf("%q: %v", c.argv, err)
	if errors.Is(ctx.Err(), context.DeadlineExceeded) {
		what = fmt.Sprintf("%q: timed out after %v", c.argv, r.timeout)
	}
	if t := formatTail(stderr.tail(), stderr.cut()); t != "" {
		what += ": " + t
	}
	return what
}

// tailWriter keeps the last len(buf) bytes written to it, in a ring: its
// memory is fixed however much is written.
type tailWriter struct {
	buf     []byte
	next    int   // where the next byte goes
	written int64 // bytes written in all
}

func (w *tailWriter) Write(p []byte) (int, error) {
	n := len(p)
	w.written += int64(n)
	if len(p) > len(w.buf) {
		p = p[len(p)-len(w.buf):]
	}
	for len(p) > 0 {
		c := copy(w.buf[w.next:], p)
		p = p[c:]
		w.next = (w.next + c) % len(w.buf)
	}
	return n, nil
}

// cut reports whether earlier output was dropped.
func (w *tailWriter) cut() bool { return w.written > int64(len(w.buf)) }

// tail returns the bytes kept, oldest first.
func (w *tailWriter) tail() []byte {
	if !w.cut() {
		return w.buf[:w.written]
	}
	return append(append([]byte(nil), w.buf[w.next:]...), w.buf[:w.next]...)
}

// runGroup runs cmd, which starts in a process group of its own, and kills
// what is left of the group when it exits, so that nothing it started in
// the background runs on into the trials. The group is killed before cmd
// is reaped: until then its process ID, the group's ID, cannot be reused.
func runGroup(cmd *exec.Cmd) error {
	if err := cmd.Start(); err != nil {
		return err
	}
	var info unix.Siginfo
	for {
		err := unix.Waitid(unix.P_PID, cmd.Process.Pid, &info, unix.WEXITED|unix.WNOWAIT, nil)
		if err != unix.EINTR {
			break
		}
	}
	syscall.Kill(-cmd.Process.Pid, syscall.SIGKILL)
	return cmd.Wait()
}
