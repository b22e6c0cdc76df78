package harness

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"strings"
	"syscall"
	"time"
	"unicode/utf8"

	"golang.org/x/sys/unix"

	"benchlab/experiments"
	"benchlab/harness/spawn"
	"benchlab/results"
)

// stderrTail is how much of a failed trial's standard error its Failure
// keeps, in bytes.
const stderrTail = 2048

// procRunner runs trials as child processes, started by the spawner (the
// default) or by benchlab itself when Options.InProcess is set; see package
// spawn.
type procRunner struct {
	paths []string // per strategy: the program, absolute
	dir   string   // the experiment folder, where prepare and cleanup run

	prepares, cleanups []auxCommand // per strategy; zero when it has none
	showOutput         bool
	timeout            time.Duration

	// restore gives benchlab's threads back their CPU masks when the run
	// kept them off the pinned CPUs.
	restore func()
	// warnings are caveats found while preparing, for the Outcome.
	warnings []string

	devNull *os.File
	stderr  *os.File // the children's standard error, reused by each trial

	ctx      context.Context // the run's: cancels a prepare
	launcher spawn.Launcher
	res      []spawn.Result // a block's results
	stopCtx  func() bool    // unregisters the cancellation callback

	// cgroup is the run's memory cgroup, or nil when peak memory comes
	// from ru_maxrss.
	cgroup *spawn.Cgroup
	// cgroupFailed counts the trials whose cgroup failed and why (the
	// last error): their peak memory is recorded as unknown.
	cgroupFailed int
	cgroupErr    syscall.Errno
}

// newProcRunner prepares to run e's strategies: resolves their commands,
// opens the children's files and checks the pin.
func newProcRunner(ctx context.Context, e *experiments.Experiment, opts Options) (_ *procRunner, err error) {
	dir, err := absDir(e)
	if err != nil {
		return nil, err
	}
	r := &procRunner{ctx: ctx, timeout: opts.Timeout, dir: dir, showOutput: opts.ShowOutput}
	l := &spawn.Config{Timeout: opts.Timeout}
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
		l.Paths = append(l.Paths, path)
		l.Argv = append(l.Argv, s.Command)
	}
	r.paths = l.Paths
	if len(opts.Pin) > 0 {
		allowed, err := allowedCPUs()
		if err != nil {
			return nil, err
		}
		if err := checkPin(opts.Pin, allowed); err != nil {
			return nil, fmt.Errorf("%s: trials.pin: %w", expPath(e), err)
		}
		l.Pin = true
		for _, c := range opts.Pin {
			l.PinSet.Set(c)
		}
		l.Others = allowed
		for _, c := range opts.Pin {
			l.Others.Clear(c)
		}
		if l.Others.Count() == 0 {
			r.warnings = append(r.warnings, fmt.Sprintf(
				"trials.pin (%s) covers every CPU benchlab may use: its own threads and the Go runtime share them with the children; leave a CPU out of the pin",
				cpuList(l.PinSet)))
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
	l.Dir, l.Env = dir, os.Environ()
	l.Files = [3]uintptr{r.devNull.Fd(), r.devNull.Fd(), r.stderr.Fd()}
	l.ScratchStderr = true
	if r.showOutput {
		l.Files[1], l.Files[2] = os.Stdout.Fd(), os.Stderr.Fd()
		l.ScratchStderr = false
	}
	if opts.Memory != spawn.MemoryRusage {
		if r.cgroup, err = spawn.NewCgroup(); err != nil {
			r.warnings = append(r.warnings, fmt.Sprintf(
				"no memory cgroup could be made for the trials (%v): peak memory is ru_maxrss, an upper bound floored at the peak of the process that starts them",
				err))
			r.cgroup, err = nil, nil
		} else {
			l.Cgroup, l.CgroupV2, l.CgroupResetsPeak = r.cgroup.Dir, r.cgroup.V2, r.cgroup.ResetsPeak
		}
	}
	if l.Pin && l.Others.Count() > 0 {
		restore, err := isolateProcess(l.Others)
		if err != nil {
			return nil, fmt.Errorf("keep benchlab off the pinned CPUs: %w", err)
		}
		l.Isolated, r.restore = true, restore
	}
	if !opts.InProcess {
		// Started after the isolation: the spawner's threads stay off the
		// pinned CPUs.
		if r.launcher, err = spawn.Start(l); err != nil {
			// Trials can still run, with a higher floor under their peak
			// memory: say so, and go on.
			r.warnings = append(r.warnings, fmt.Sprintf(
				"%v; trials are started from benchlab itself, whose own peak memory is the floor of theirs", err))
			r.launcher, err = nil, nil
		}
	}
	if r.launcher == nil {
		r.launcher = spawn.InProcess(l)
	}
	r.stopCtx = context.AfterFunc(ctx, r.launcher.Interrupt)
	return r, nil
}

// close releases what newProcRunner acquired.
func (r *procRunner) close() {
	if r.stopCtx != nil {
		r.stopCtx()
	}
	if r.launcher != nil {
		r.launcher.Close()
	}
	if r.cgroup != nil {
		// Best effort: a cgroup left behind is empty and harmless.
		r.cgroup.Remove()
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

// memory names how the trials' peak memory is measured (spawn.Memory*).
func (r *procRunner) memory() string {
	if r.cgroup == nil {
		return spawn.MemoryRusage
	}
	return r.cgroup.Method()
}

// memoryWarnings says how many trials have no peak memory because their
// cgroup failed.
func (r *procRunner) memoryWarnings() []string {
	if r.cgroupFailed == 0 {
		return nil
	}
	return []string{fmt.Sprintf("%d trials could not be measured in a cgroup of their own (or of their block's) (last error: %v): their peak memory is unknown, since ru_maxrss, an upper bound, is not the cgroup peak the other trials record",
		r.cgroupFailed, r.cgroupErr)}
}

// floorKiB returns the peak resident memory of the process the children
// are started from, which Linux counts as the floor of theirs, or 0 if
// unknown. Call it before close.
func (r *procRunner) floorKiB() int64 { return r.launcher.FloorKiB() }

// trials runs len(ms) trials of strategy i back to back in one launch (a
// block), primed with spawn.PrimeRuns unmeasured runs first when primed,
// fills ms and returns how many ran.
func (r *procRunner) trials(i int, primed bool, ms []measurement) int {
	if err := r.resetStderr(); err != nil {
		ms[0] = measurement{failure: err.Error()}
		return 1
	}
	if primed {
		r.launcher.Prime()
	}
	if len(r.res) < len(ms) {
		r.res = make([]spawn.Result, len(ms))
	}
	n := r.launcher.Launch(i, r.res[:len(ms)])
	for k := range n {
		ms[k] = r.measure(i, &r.res[k])
	}
	return n
}

// measure makes the measurement of strategy i's trial from its launch's
// result. A failure's standard error is the launcher's stderr file, which
// holds the failed run's own.
func (r *procRunner) measure(i int, res *spawn.Result) measurement {
	if res.Cancelled || (res.Stage != spawn.OK && r.ctx.Err() != nil) {
		// A launch that failed once the run was cancelled (its spawner
		// stopped, say) is not the strategy's failure.
		return measurement{interrupted: true}
	}
	if res.Stage != spawn.OK {
		return measurement{failure: launchFailure(res, r.paths[i])}
	}
	m := measurement{record: true}
	m.trial.WallNS = res.WallNS
	m.trial.UserNS = res.UserNS
	m.trial.SysNS = res.SysNS
	m.trial.MaxRSSKiB = res.MaxRSSKiB
	if r.cgroup != nil {
		if res.CgroupErrno == 0 && res.PeakKiB > 0 {
			m.trial.MaxRSSKiB = res.PeakKiB
		} else {
			// The run records one method for all its trials
			// (Settings.Memory): ru_maxrss, an upper bound some MiB above a
			// cgroup's peak, would pass for one. Not measured, then.
			m.trial.MaxRSSKiB = 0
			m.trial.Unknown |= results.UnknownRSS
			r.cgroupFailed++
			r.cgroupErr = res.CgroupErrno
		}
	}
	m.trial.TimedOut = res.TimedOut
	switch ws := res.Status; {
	case ws.Signaled():
		m.trial.ExitCode = -1
		m.trial.Signal = int(ws.Signal())
	default:
		m.trial.ExitCode = ws.ExitStatus()
	}
	m.failure = r.failure(m)
	return m
}

// launchFailure describes the failed launch of path.
func launchFailure(res *spawn.Result, path string) string {
	err := res.Errno
	switch res.Stage {
	case spawn.StageStart:
		return fmt.Sprintf("could not start %s: %v", path, err)
	case spawn.StageMask:
		return fmt.Sprintf("could not start %s: read the CPU mask: %v", path, err)
	case spawn.StagePin:
		return fmt.Sprintf("could not start %s: pin to trials.pin: %v", path, err)
	case spawn.StageRestore:
		return fmt.Sprintf("%s ran, but restoring the launching thread's CPU mask after it failed, so its times are not counted: %v", path, err)
	case spawn.StageWait:
		return fmt.Sprintf("could not wait for %s: %v", path, err)
	case spawn.StageStopped:
		return fmt.Sprintf("%s: the spawner, which starts the trials and is this trial's parent, was stopped while it ran (did it signal its parent?); benchlab resumed it, but the trial's times are not valid", path)
	case spawn.StageSpawner:
		if err == syscall.ETIMEDOUT {
			return fmt.Sprintf("could not run %s: the spawner, which starts the trials and is this trial's parent, did not answer within the trial timeout (of each of its runs, priming ones and a block's included, plus the time to end what each left running); it was started again for the next trials", path)
		}
		fallthrough
	default:
		return fmt.Sprintf("could not run %s: the spawner, which starts the trials and is this trial's parent, died or stopped answering (did the trial kill its parent?): %v; it was started again for the next trials", path, err)
	}
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
	return formatTail(buf[:n], off > 0)
}

// formatTail makes text of the tail of a child's standard error: cut marks
// that earlier output was dropped; the text then starts at a whole
// character, behind "…".
func formatTail(buf []byte, cut bool) string {
	for len(buf) > 0 && cut && !utf8.RuneStart(buf[0]) {
		buf = buf[1:]
	}
	s := strings.TrimSpace(strings.ToValidUTF8(string(buf), "\uFFFD"))
	if cut && s != "" {
		s = "…" + s
	}
	return s
}
