package harness

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"os/exec"
	"syscall"
	"time"

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
func (r *procRunner) prepare(i int) string { return r.runAux(r.prepares[i]) }

// cleanup runs strategy i's cleanup command, if any; see trialRunner.
func (r *procRunner) cleanup(i int) string { return r.runAux(r.cleanups[i]) }

// runAux runs c in the experiment folder, bounded by the trial timeout and
// killed with its process group past it, and describes its failure (exit
// status and the tail of its standard error), or returns "".
func (r *procRunner) runAux(c auxCommand) string {
	if c.path == "" {
		return ""
	}
	ctx, cancel := context.WithTimeout(context.Background(), r.timeout)
	defer cancel()
	cmd := exec.CommandContext(ctx, c.path, c.argv[1:]...)
	cmd.Args[0] = c.argv[0]
	cmd.Dir = r.dir
	var stderr bytes.Buffer
	cmd.Stdout, cmd.Stderr = io.Discard, &stderr
	if r.showOutput {
		cmd.Stdout, cmd.Stderr = os.Stdout, io.MultiWriter(os.Stderr, &stderr)
	}
	cmd.SysProcAttr = &syscall.SysProcAttr{Setpgid: true, Pdeathsig: syscall.SIGKILL}
	cmd.Cancel = func() error { return syscall.Kill(-cmd.Process.Pid, syscall.SIGKILL) }
	cmd.WaitDelay = time.Second
	err := cmd.Run()
	if err == nil {
		return ""
	}
	what := fmt.Sprintf("%q: %v", c.argv, err)
	if errors.Is(ctx.Err(), context.DeadlineExceeded) {
		what = fmt.Sprintf("%q: timed out after %v", c.argv, r.timeout)
	}
	tail := stderr.Bytes()
	cut := len(tail) > stderrTail
	if cut {
		tail = tail[len(tail)-stderrTail:]
	}
	if t := formatTail(tail, cut); t != "" {
		what += ": " + t
	}
	return what
}
