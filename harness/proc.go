package harness

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"runtime"
	"strings"
	"sync"
	"syscall"
	"time"
	"unicode/utf8"

	"golang.org/x/sys/unix"

	"benchlab/experiments"
)

// stderrTail is how much of a failed trial's standard error its Failure
// keeps, in bytes.
const stderrTail = 2048

// procRunner runs trials as child processes.
//
// It starts children with syscall.ForkExec and waits with waitid and wait4
// rather than through os/exec: everything a trial needs is prepared once,
// so nothing is allocated between starting a child and reaping it, and the
// child can be left unreaped (a zombie) while its group is killed, so that a
// kill never reaches a recycled process ID.
type procRunner struct {
	paths []string   // per strategy: the program, absolute
	argv  [][]string // per strategy: its arguments, argv[0] as written
	attr  syscall.ProcAttr
	dir   string // the experiment folder, where prepare and cleanup run

	prepares, cleanups []auxCommand // per strategy; zero when it has none
	showOutput         bool

	// isolated is true when benchlab's own threads are kept on others, the
	// allowed CPUs outside the pin, for the whole run; restore undoes it.
	isolated bool
	others   unix.CPUSet
	restore  func()
	// warnings are caveats found while preparing, for the Outcome.
	warnings []string

	devNull *os.File
	stderr  *os.File // the children's standard error, reused by each trial

	pin     bool
	pinSet  unix.CPUSet
	saved   unix.CPUSet // the spawning thread's mask, restored after a start
	timeout time.Duration
	timer   *time.Timer
	stopCtx func() bool // unregisters the cancellation callback

	mu        sync.Mutex
	pid       int       // the running child, or 0
	deadline  time.Time // when the running child times out
	stopping  bool      // ctx is cancelled: kill any child at once
	timedOut  bool      // the running child was killed for its timeout
	cancelled bool      // the running child was killed for cancellation
}

// newProcRunner prepares to run e's strategies: resolves their commands,
// opens the children's files and checks the pin.
func newProcRunner(ctx context.Context, e *experiments.Experiment, opts Options) (_ *procRunner, err error) {
	dir, err := absDir(e)
	if err != nil {
		return nil, err
	}
	r := &procRunner{timeout: opts.Timeout, dir: dir, showOutput: opts.ShowOutput}
	for i, s := range e.Strategies {
		prep, err := newAuxCommand(e, dir, "strategy.prepare", s.Name, s.Prepare)
		if err != nil {
			return nil, err
		}
		clean, err := newAuxCommand(e, dir, "strategy.cleanup", s.Name, s.Cleanup)
		if err != nil {
			return nil, err
		}
		r.prepares = append(r.prepares, prep)
		r.cleanups = append(r.cleanups, clean)
		if len(s.Command) == 0 {
			return nil, &experiments.Error{Path: expPath(e), Key: "strategy.command",
				Msg: fmt.Sprintf("strategy %d (%q) has no command", i+1, s.Name)}
		}
		path, err := resolveCommand(dir, s.Command[0])
		if err != nil {
			return nil, &experiments.Error{Path: expPath(e), Key: "strategy.command",
				Msg: fmt.Sprintf("strategy %q: %v", s.Name, err)}
		}
		r.paths = append(r.paths, path)
		r.argv = append(r.argv, s.Command)
	}
	if len(opts.Pin) > 0 {
		allowed, err := allowedCPUs()
		if err != nil {
			return nil, err
		}
		if err := checkPin(opts.Pin, allowed); err != nil {
			return nil, fmt.Errorf("%s: trials.pin: %w", expPath(e), err)
		}
		r.pin = true
		for _, c := range opts.Pin {
			r.pinSet.Set(c)
		}
		r.others = allowed
		for _, c := range opts.Pin {
			r.others.Clear(c)
		}
		if r.others.Count() == 0 {
			r.warnings = append(r.warnings, fmt.Sprintf(
				"trials.pin (%s) covers every CPU benchlab may use: its own threads and the Go runtime share them with the children; leave a CPU out of the pin",
				cpuList(r.pinSet)))
		}
	}

	defer func() {
		if err != nil {
			r.close()
		}
	}()
	if r.devNull, err = os.OpenFile(os.DevNull, os.O_RDWR, 0); err != nil {
		return nil, fmt.Errorf("open %s for the children: %w", os.DevNull, err)
	}
	if r.stderr, err = os.CreateTemp("", "benchlab-stderr-*"); err != nil {
		return nil, fmt.Errorf("create a file for the children's standard error: %w; check TMPDIR", err)
	}
	// Unlinked at once: the open file lives as long as the run, never longer.
	if err := os.Remove(r.stderr.Name()); err != nil {
		return nil, fmt.Errorf("remove %s: %w", r.stderr.Name(), err)
	}
	r.attr = syscall.ProcAttr{
		Dir:   dir,
		Env:   os.Environ(),
		Files: []uintptr{r.devNull.Fd(), r.devNull.Fd(), r.stderr.Fd()},
		Sys: &syscall.SysProcAttr{
			Setpgid: true,
			// Should benchlab die, its child dies too.
			Pdeathsig: syscall.SIGKILL,
		},
	}
	if r.showOutput {
		r.attr.Files[1], r.attr.Files[2] = os.Stdout.Fd(), os.Stderr.Fd()
	}
	if r.pin && r.others.Count() > 0 {
		restore, err := isolateProcess(r.others)
		if err != nil {
			return nil, fmt.Errorf("keep benchlab off the pinned CPUs: %w", err)
		}
		r.isolated, r.restore = true, restore
	}
	r.timer = time.AfterFunc(time.Hour, r.expire)
	r.timer.Stop()
	r.stopCtx = context.AfterFunc(ctx, r.interrupt)
	return r, nil
}

// close releases what newProcRunner acquired.
func (r *procRunner) close() {
	if r.stopCtx != nil {
		r.stopCtx()
	}
	if r.timer != nil {
		r.timer.Stop()
	}
	if r.devNull != nil {
		r.devNull.Close()
	}
	if r.stderr != nil {
		r.stderr.Close()
	}
	if r.restore != nil {
		r.restore()
	}
}

// expire kills the running child when its deadline has passed. It runs on
// the timer; the deadline check makes a late call left over from an earlier
// trial harmless.
func (r *procRunner) expire() {
	r.mu.Lock()
	defer r.mu.Unlock()
	if r.pid != 0 && !time.Now().Before(r.deadline) {
		syscall.Kill(-r.pid, syscall.SIGKILL)
		r.timedOut = true
	}
}

// interrupt kills the running child, and any child started later, once ctx
// is cancelled.
func (r *procRunner) interrupt() {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.stopping = true
	if r.pid != 0 {
		syscall.Kill(-r.pid, syscall.SIGKILL)
		r.cancelled = true
	}
}

// trial runs strategy i once.
func (r *procRunner) trial(i int) measurement {
	// Everything is prepared before the start: from there to the reap this
	// function makes system calls and reads the clock, nothing more.
	if err := r.resetStderr(); err != nil {
		return measurement{failure: err.Error()}
	}
	r.mu.Lock()
	r.timedOut, r.cancelled = false, false
	r.mu.Unlock()
	path, argv := r.paths[i], r.argv[i]
	var (
		info unix.Siginfo
		ws   syscall.WaitStatus
		ru   syscall.Rusage
	)

	pid, start, err := r.start(path, argv)
	if err != nil {
		return measurement{failure: fmt.Sprintf("could not start %s: %v", path, err)}
	}
	r.mu.Lock()
	r.pid = pid
	r.deadline = start.Add(r.timeout)
	if r.stopping {
		syscall.Kill(-pid, syscall.SIGKILL)
		r.cancelled = true
	}
	r.mu.Unlock()
	r.timer.Reset(r.timeout)

	// Wait for the exit but leave the child a zombie: until it is reaped
	// its process ID, which is also its group's ID, cannot be reused.
	for {
		err = unix.Waitid(unix.P_PID, pid, &info, unix.WEXITED|unix.WNOWAIT, nil)
		if err != unix.EINTR {
			break
		}
	}
	r.timer.Stop()
	r.mu.Lock()
	r.pid = 0
	timedOut, cancelled := r.timedOut, r.cancelled
	r.mu.Unlock()
	// Leftovers of the trial's group must not run into the next trial.
	syscall.Kill(-pid, syscall.SIGKILL)
	for {
		_, err = syscall.Wait4(pid, &ws, 0, &ru)
		if err != syscall.EINTR {
			break
		}
	}
	wallNS := time.Since(start).Nanoseconds()

	if err != nil {
		return measurement{failure: fmt.Sprintf("could not wait for %s: %v", path, err)}
	}
	if cancelled {
		return measurement{interrupted: true}
	}
	m := measurement{record: true}
	m.trial.WallNS = wallNS
	m.trial.UserNS = ru.Utime.Nano()
	m.trial.SysNS = ru.Stime.Nano()
	m.trial.MaxRSSKiB = ru.Maxrss
	m.trial.TimedOut = timedOut
	switch {
	case ws.Signaled():
		m.trial.ExitCode = -1
		m.trial.Signal = int(ws.Signal())
	default:
		m.trial.ExitCode = ws.ExitStatus()
	}
	m.failure = r.failure(m)
	return m
}

// start starts the child of a trial, pinned from birth when the run is
// pinned, and returns its process ID and the time just before the start.
//
// Pinning sets the CPU mask of this OS thread around the fork: the child is
// forked from the calling thread and inherits its mask, so it never runs
// anywhere else. The thread then goes back to the CPUs outside the pin,
// where all of benchlab's threads stay while the child runs. Setting the child's mask after the start would race with
// the child (which may already have run, or spawned threads and children).
func (r *procRunner) start(path string, argv []string) (pid int, start time.Time, err error) {
	if !r.pin {
		start = time.Now()
		pid, err = syscall.ForkExec(path, argv, &r.attr)
		return pid, start, err
	}
	runtime.LockOSThread()
	// An isolated process's threads all have the mask others; no need to
	// read it.
	if r.isolated {
		r.saved = r.others
	} else if err := unix.SchedGetaffinity(0, &r.saved); err != nil {
		runtime.UnlockOSThread()
		return 0, start, fmt.Errorf("read the CPU mask: %w", err)
	}
	if err := unix.SchedSetaffinity(0, &r.pinSet); err != nil {
		runtime.UnlockOSThread()
		return 0, start, fmt.Errorf("pin to trials.pin: %w", err)
	}
	start = time.Now()
	pid, err = syscall.ForkExec(path, argv, &r.attr)
	if rerr := unix.SchedSetaffinity(0, &r.saved); rerr != nil {
		// The thread keeps the pin; leaving it locked to this goroutine
		// keeps other goroutines off it. The run stops here.
		if err == nil {
			syscall.Kill(-pid, syscall.SIGKILL)
			var ws syscall.WaitStatus
			syscall.Wait4(pid, &ws, 0, nil)
		}
		return 0, start, fmt.Errorf("restore the CPU mask after pinning: %w", rerr)
	}
	runtime.UnlockOSThread()
	return pid, start, err
}

// resetStderr empties the children's standard error file for a new trial.
// The child shares its offset, so it is rewound as well as truncated.
func (r *procRunner) resetStderr() error {
	if err := r.stderr.Truncate(0); err != nil {
		return fmt.Errorf("truncate the children's standard error file: %w", err)
	}
	if _, err := r.stderr.Seek(0, io.SeekStart); err != nil {
		return fmt.Errorf("rewind the children's standard error file: %w", err)
	}
	return nil
}

// failure describes a failed trial with the tail of its standard error, or
// returns "" when it succeeded.
func (r *procRunner) failure(m measurement) string {
	t := m.trial
	var what string
	switch {
	case t.TimedOut:
		what = fmt.Sprintf("timed out after %v", r.timeout)
	case t.Signal != 0:
		what = fmt.Sprintf("killed by signal %d (%s)", t.Signal, unix.SignalName(syscall.Signal(t.Signal)))
	case t.ExitCode != 0:
		what = fmt.Sprintf("exit status %d", t.ExitCode)
	default:
		return ""
	}
	if tail := r.stderrTail(); tail != "" {
		what += ": " + tail
	}
	return what
}

// stderrTail returns the last stderrTail bytes the trial wrote to its
// standard error, trimmed, starting at a whole character.
func (r *procRunner) stderrTail() string {
	fi, err := r.stderr.Stat()
	if err != nil {
		return ""
	}
	size := fi.Size()
	off := max(size-stderrTail, 0)
	buf := make([]byte, size-off)
	n, err := r.stderr.ReadAt(buf, off)
	if err != nil && !errors.Is(err, io.EOF) {
		return ""
	}
	buf = buf[:n]
	cut := off > 0
	for len(buf) > 0 && cut && !utf8.RuneStart(buf[0]) {
		buf = buf[1:]
	}
	s := strings.TrimSpace(strings.ToValidUTF8(string(buf), "\uFFFD"))
	if cut && s != "" {
		s = "…" + s
	}
	return s
}
