// Package spawn starts, times and reaps the child processes of benchlab's
// trials, from benchlab itself or from the spawner: a small copy of the
// benchlab binary that starts the children so that their peak memory is
// measured from a low floor (see Start).
//
// It holds the timed part of a trial only, the system calls between the
// start and the reap; what to run, the stderr file and the reading of
// results belong to package harness. It is a package of its own, with few
// imports, so that the spawner's init runs before those of the heavy
// packages the benchlab binary links (plotting, fonts): the spawner is
// benchlab stopped as early as possible.
package spawn

import (
	"encoding/binary"
	"errors"
	"io"
	"math/rand/v2"
	"runtime"
	"strings"
	"sync"
	"syscall"
	"time"

	"golang.org/x/sys/unix"
)

// Config is what a Launcher needs to run a trial's commands.
type Config struct {
	Paths []string   // per strategy: the program, absolute
	Argv  [][]string // per strategy: its arguments, argv[0] as written
	Dir   string     // the children's working directory
	Env   []string   // the children's environment
	// Files are the children's standard input, output and error.
	Files [3]uintptr
	// ScratchStderr says Files[2] is a file of the run's own, emptied
	// before each trial: an unmeasured priming run's standard error, and
	// that of a block's earlier run, is emptied from it too, so that a
	// failing trial's error shows its own.
	ScratchStderr bool

	// Pin confines every child to PinSet from its birth.
	Pin    bool
	PinSet unix.CPUSet
	// Others are the allowed CPUs outside the pin; Isolated says every
	// thread of the starting process already has that mask.
	Others   unix.CPUSet
	Isolated bool

	// Timeout bounds each run of a launch (a primed one has PrimeRuns
	// more than its block): past it the child's group is killed.
	Timeout time.Duration

	// Cgroup, when set, is the run's memory cgroup (NewCgroup): each
	// launch runs its child in a fresh cgroup under it and reports the
	// cgroup's peak memory; CgroupV2 says which hierarchy it is on, and
	// CgroupResetsPeak that the peak is reset before each timed run of a
	// launch (Cgroup.ResetsPeak), so that each run gets its own.
	Cgroup           string
	CgroupV2         bool
	CgroupResetsPeak bool
}

// A Launcher runs one trial's child at a time.
type Launcher interface {
	// Launch runs strategy i's command len(res) times back to back (a
	// block; len(res) is 1 to MaxBlock), fills res in order and returns
	// how many ran: a run that does not succeed (see Result.Succeeded)
	// ends the block, and is its last, so that the stderr file holds its
	// error output (the next run would empty it). A launch that
	// fails as a whole (the spawner stopped, died or hung) returns one
	// result saying so, and the block's runs are lost.
	Launch(i int, res []Result) int
	// Prime asks the next Launch to run the same command PrimeRuns times,
	// unmeasured, right before the measured start: the unmeasured children
	// wake the CPU and warm the caches, and only the launch's own
	// bookkeeping (no pipe round trip, no cgroup creation) separates them
	// from the measured one. Their times are dropped; they run in the
	// trial's cgroup, whose peak is reset after them where it can be
	// (see Launch).
	Prime()
	// Interrupt cancels the run: it kills the running child's process
	// group, and any child started later at once; their results say
	// Cancelled. Safe to call from any goroutine.
	Interrupt()
	// FloorKiB returns the peak resident memory so far of the process the
	// children are started from, which Linux counts as the floor of
	// theirs, or 0 if unknown.
	FloorKiB() int64
	// Close releases the launcher.
	Close()
}

// Stage says where a launch failed.
type Stage uint32

const (
	OK           Stage = iota
	StageStart         // ForkExec failed
	StageMask          // reading the thread's CPU mask failed
	StagePin           // setting the pin failed
	StageRestore       // restoring the thread's mask after the reap failed
	StageWait          // waiting for the child failed
	StageSpawner       // the spawner is gone or misbehaved
	// StageStopped: the spawner was stopped (SIGSTOP, by the trial most
	// likely) while the trial ran; benchlab resumed it, but the trial's
	// times are not valid.
	StageStopped
)

// Result is what one launch observed.
type Result struct {
	// WallNS is the monotonic time from just before the start to the moment
	// waitid reports the child exited (before the harness reaps it).
	WallNS, UserNS, SysNS int64
	MaxRSSKiB             int64 // ru_maxrss
	// PeakKiB is the peak memory charged to the launch's own cgroup
	// during the run, with Config.CgroupResetsPeak; without it, over all
	// the launch's runs, priming ones included (see Launch). 0 without a
	// cgroup (Config.Cgroup unset, or CgroupErrno says why it failed).
	PeakKiB     int64
	CgroupErrno syscall.Errno
	Status      syscall.WaitStatus
	Stage       Stage         // OK, or where the launch failed
	Errno       syscall.Errno // why Stage failed
	TimedOut    bool          // killed for its timeout
	Cancelled   bool          // killed by Interrupt
}

// Succeeded reports whether the run exited with status 0 and nothing went
// wrong around it: the runs after it in its block may follow.
func (res *Result) Succeeded() bool {
	return res.Stage == OK && !res.TimedOut && !res.Cancelled && res.Status.Exited() && res.Status.ExitStatus() == 0
}

// MaxBlock is the most runs one Launch may ask for.
const MaxBlock = 256

// resultSize is the encoded size of a Result.
const resultSize = 5*8 + 5*4

// encode writes res into b, which has resultSize bytes.
func (res *Result) encode(b []byte) {
	e := binary.NativeEndian
	e.PutUint64(b[0:], uint64(res.WallNS))
	e.PutUint64(b[8:], uint64(res.UserNS))
	e.PutUint64(b[16:], uint64(res.SysNS))
	e.PutUint64(b[24:], uint64(res.MaxRSSKiB))
	e.PutUint32(b[32:], uint32(res.Status))
	e.PutUint32(b[36:], uint32(res.Stage))
	e.PutUint32(b[40:], uint32(res.Errno))
	var flags uint32
	if res.TimedOut {
		flags |= 1
	}
	if res.Cancelled {
		flags |= 2
	}
	e.PutUint32(b[44:], flags)
	e.PutUint64(b[48:], uint64(res.PeakKiB))
	e.PutUint32(b[56:], uint32(res.CgroupErrno))
}

// decode reads res from b, which has resultSize bytes.
func (res *Result) decode(b []byte) {
	e := binary.NativeEndian
	res.WallNS = int64(e.Uint64(b[0:]))
	res.UserNS = int64(e.Uint64(b[8:]))
	res.SysNS = int64(e.Uint64(b[16:]))
	res.MaxRSSKiB = int64(e.Uint64(b[24:]))
	res.Status = syscall.WaitStatus(e.Uint32(b[32:]))
	res.Stage = Stage(e.Uint32(b[36:]))
	res.Errno = syscall.Errno(e.Uint32(b[40:]))
	flags := e.Uint32(b[44:])
	res.TimedOut, res.Cancelled = flags&1 != 0, flags&2 != 0
	res.PeakKiB = int64(e.Uint64(b[48:]))
	res.CgroupErrno = syscall.Errno(e.Uint32(b[56:]))
}

// launcher launches children from this process.
//
// It starts children with syscall.ForkExec and waits with waitid and wait4
// rather than through os/exec: everything a trial needs is prepared once,
// so nothing is allocated between starting a child and reaping it beyond
// what syscall.ForkExec does itself (copies of the argv, the environment and
// the directory, and a pipe that reports a failed exec; make bench measures
// its cost against a minimal spawn loop), and the child can be left unreaped (a zombie)
// while its group is killed, so that a kill never reaches a recycled
// process ID.
type launcher struct {
	cfg   Config
	attr  syscall.ProcAttr
	saved unix.CPUSet // the launching thread's mask, restored after the reap
	timer *time.Timer
	cg    *trialCgroup // the trials' cgroup, or nil

	stuck  bool   // a restore of the thread's mask failed (StageRestore)
	offset string // OffsetVar=XXX…, maxOffset−1 X: sliced per launch
	prime  bool   // the next Launch runs its command unmeasured first
	unused Result // the last unmeasured launch's result

	// sweep kills and reaps every child left after a trial (see
	// reap.go); only the spawner, a child subreaper that starts nothing
	// else, may: benchlab has children of its own.
	sweep bool

	mu        sync.Mutex
	pid       int       // the running child, or 0
	deadline  time.Time // when the running child times out
	stopping  bool      // the run is cancelled: kill any child at once
	timedOut  bool      // the running child was killed for its timeout
	cancelled bool      // the running child was killed for cancellation
}

// InProcess returns a Launcher that starts the children from this process.
// Their peak memory cannot be measured below this process's own.
func InProcess(cfg *Config) Launcher { return newLauncher(cfg) }

func newLauncher(cfg *Config) *launcher {
	l := &launcher{cfg: *cfg}
	// The environment ends with OffsetVar, its length changed for every
	// launch (see offsetEnv); the rest is cfg.Env.
	env := make([]string, 0, len(cfg.Env)+1)
	for _, kv := range cfg.Env {
		if !strings.HasPrefix(kv, OffsetVar+"=") {
			env = append(env, kv)
		}
	}
	l.offset = OffsetVar + "=" + strings.Repeat("X", maxOffset-1)
	l.attr = syscall.ProcAttr{
		Dir:   cfg.Dir,
		Env:   append(env, ""),
		Files: l.cfg.Files[:],
		Sys: &syscall.SysProcAttr{
			Setpgid: true,
			// Should its parent die, the child dies too.
			Pdeathsig: syscall.SIGKILL,
		},
	}
	l.timer = time.AfterFunc(time.Hour, l.expire)
	l.timer.Stop()
	if cfg.Cgroup != "" {
		l.cg = newTrialCgroup(cfg.Cgroup, cfg.CgroupV2, cfg.CgroupResetsPeak)
	}
	return l
}

// FloorKiB returns this process's peak resident memory.
func (l *launcher) FloorKiB() int64 { return peakRSSKiB("/proc/self/status") }

// Close stops the timer.
func (l *launcher) Close() { l.timer.Stop() }

// errnoOf returns err's errno: EPIPE for a pipe closed early, EINVAL for
// an error that has none.
func errnoOf(err error) syscall.Errno {
	var e syscall.Errno
	switch {
	case errors.As(err, &e):
		return e
	case err == errEOF:
		return syscall.EPIPE
	case err == errSpawnerHung:
		return syscall.ETIMEDOUT
	}
	return syscall.EINVAL
}

// expire kills the running child when its deadline has passed. It runs on
// the timer; the deadline check makes a late call left over from an earlier
// trial harmless.
func (l *launcher) expire() {
	l.mu.Lock()
	defer l.mu.Unlock()
	if l.pid != 0 && !time.Now().Before(l.deadline) {
		syscall.Kill(-l.pid, syscall.SIGKILL)
		l.timedOut = true
	}
}

// killRunning kills the running child's group, if any.
func (l *launcher) killRunning() {
	l.mu.Lock()
	defer l.mu.Unlock()
	if l.pid != 0 {
		syscall.Kill(-l.pid, syscall.SIGKILL)
	}
}

// Interrupt kills the running child, and any child started later.
func (l *launcher) Interrupt() {
	l.mu.Lock()
	defer l.mu.Unlock()
	l.stopping = true
	if l.pid != 0 {
		syscall.Kill(-l.pid, syscall.SIGKILL)
		l.cancelled = true
	}
}

// Prime has the next Launch run its command PrimeRuns times unmeasured
// first.
func (l *launcher) Prime() { l.prime = true }

// PrimeRuns is how many unmeasured runs of a primed trial's command
// precede its measured one. Measured on a 2-vCPU KVM guest against
// hyperfine's back-to-back mean in the same probe (blocks alternating with
// hyperfine's, 2026-12-02):
//   - the static no-op of 0.55 ms between a busy loop and a sleep: 1.020
//     to 1.029 after one priming run, 0.966 to 1.017 after two, 0.988 to
//     1.013 after three (4 blocks of 60 trials);
//   - the same between sleeps of 20 and 80 ms: 1.053 and 1.071 after one,
//     0.995 and 0.997 after two, 0.997 and 1.002 after four;
//   - a busy loop of 1.7 ms between the same sleeps: 1.038 and 1.043 after
//     one, 0.999 and 1.004 after two;
//   - async-func (a Rust strategy of about 20 ms) interleaved with the
//     eight other subjects of make bench, async-boxed-naive's 540 ms of
//     allocations among them: 1.043 to 1.081 after two (four probes of 4
//     blocks of 20 trials), 0.977 to 1.006 after four.
//
// One run of the command does not bring the machine back to where
// back-to-back runs keep it; after light neighbours two do, after heavy
// ones it takes four, and more than that gained nothing measurable. They
// cost a trial under harness.DefaultPrime four times its time again.
const PrimeRuns = 4

// Launch runs strategy i's command len(res) times, back to back, and fills
// res: each run's peak memory is measured in a cgroup of the launch's own
// when the run has one (see cgroup.go), created before the first start
// and removed after the last reap, outside the timed parts.
//
// A block of more than one run is what hyperfine's back-to-back runs are:
// between one run's reap and the next start this thread only empties the
// stderr file and, where the peak is reset, reads and resets it (a read
// and a write on a file it keeps open), with no pipe round trip and no
// cgroup made or removed, so that the pinned CPU does not go idle and the
// caches keep what the command left there. The runs of a block share its
// cgroup. Where its peak can be reset (Config.CgroupResetsPeak) the launch
// reads the last run's peak and resets it before each timed run after the
// first, so that each run's PeakKiB is its own (counted from what the
// earlier runs left charged); else every run's is the launch's.
//
// When primed, PrimeRuns unmeasured runs come first, in the same cgroup,
// and the peak is reset after them; without the reset it covers them all.
// A priming run that times out or is cancelled is the launch's only
// result, with no timed run.
// Between the runs this thread does no more than that: moving it out
// of the cgroup before the timed run (the priming run measuring the peak,
// the timed run in none, as the second pass of issue 12 did) cost the
// static no-op of 0.55 ms 13 to 16 µs (2 to 3%) on a KVM guest, against
// nothing for the timed run sharing the priming run's cgroup (a probe
// alternating the two per trial, 4,000 trials each, 2026-12-02). What a
// run leaves running outside its process group is ended before the next
// run by the spawner's sweep (see reap.go); from benchlab's own process
// (InProcess) it runs on until the launch's cgroup is emptied.
//
// A pinned run moves this thread onto the pinned CPUs after the cgroup is
// made and back before it is left and removed (see pin): the children are
// forked from there and inherit the mask, and the thread waits for them
// there. Joining, leaving, making and removing a memory cgroup are kernel
// work that would otherwise run on the pinned CPU between trials, and
// leave deferred work (RCU callbacks, the cgroup's release) queued where
// it would run during the next trial.
func (l *launcher) Launch(i int, res []Result) int {
	prime := l.prime
	l.prime = false
	for k := range res {
		res[k] = Result{}
	}
	// The thread's mask (pin) and, on v1, its cgroup change for the
	// launch: it must stay this goroutine's until both are restored.
	runtime.LockOSThread()
	var cgErr error
	made := false // the cgroup exists: leave and remove it
	if l.cg != nil {
		cgErr = l.cg.create(l.attr.Sys)
		made = cgErr == nil
	}
	perRun := made && l.cg.resets // each run's peak is its own
	n := 1                        // results filled in: a failed pin fills the first
	stage, err := l.pin()
	if err == nil {
		if made {
			// On v1 this thread moves into the cgroup and forks the child
			// there; on v2 create set the start into it.
			cgErr = l.cg.join()
		}
		stopped := false // a priming run timed out or was cancelled
		if prime {
			for k := range PrimeRuns {
				if k > 0 {
					l.scratchStderr()
				}
				l.launch(i, &l.unused)
				if stopped = l.unused.TimedOut || l.unused.Cancelled; stopped {
					break
				}
			}
		}
		if stopped {
			// The command hung or the run was cancelled: that run is the
			// launch's result, and its error output stays.
			res[0] = l.unused
		} else {
			for n = 0; n < len(res); {
				if prime || n > 0 {
					l.scratchStderr()
					if perRun && cgErr == nil {
						cgErr = l.splitPeak(res[:n])
					}
				}
				l.launch(i, &res[n])
				n++
				if !res[n-1].Succeeded() {
					break
				}
			}
		}
	}
	last := &res[n-1]
	if err == nil {
		if err = l.unpin(); err != nil {
			stage = StageRestore
		} else if l.stuck {
			// Restored at last: the lock kept for the pin goes too.
			l.stuck = false
			runtime.UnlockOSThread()
		}
	}
	if made {
		// Also after a failed join or pin: leave undoes what was done.
		peak, lerr := l.cg.leave(l.attr.Sys)
		if cgErr == nil {
			cgErr = lerr
		}
		if rerr := l.cg.remove(); cgErr == nil {
			cgErr = rerr
		}
		if perRun {
			res[n-1].PeakKiB = peak
		} else {
			for k := range res[:n] {
				res[k].PeakKiB = peak
			}
		}
	}
	if cgErr != nil {
		for k := range res[:n] {
			res[k].PeakKiB, res[k].CgroupErrno = 0, errnoOf(cgErr)
		}
	}
	if err != nil {
		// A thread left on the pinned CPUs outweighs the launch's own
		// failure: it is what the next trials would suffer from. It is
		// the last run's: the others had been reaped before it.
		if last.Stage == OK || stage == StageRestore {
			last.Stage, last.Errno = stage, errnoOf(err)
		}
		if stage == StageRestore {
			// The thread keeps the pin; leaving it locked to this
			// goroutine keeps other goroutines off the pinned CPUs, and
			// the next pin reads no mask from it (see pin).
			l.stuck = true
			return n
		}
	}
	runtime.UnlockOSThread()
	return n
}

// splitPeak, between two runs of a launch that measures each run's peak,
// gives the last of done (none after priming runs) the peak since the
// last reset, and resets it for the next run: a read and a write on the
// open peak file.
func (l *launcher) splitPeak(done []Result) error {
	if len(done) > 0 {
		peak, err := l.cg.readPeak()
		if err != nil {
			return err
		}
		done[len(done)-1].PeakKiB = peak
	}
	return l.cg.resetPeak()
}

// scratchStderr empties the children's stderr file before a run that
// follows another run of the launch (a priming run, or a block's earlier
// run), when it is the run's scratch file, so that a failing run's error
// shows its own only. Best effort: at worst it also shows the others'.
func (l *launcher) scratchStderr() {
	if !l.cfg.ScratchStderr {
		return
	}
	fd := int(l.cfg.Files[2])
	if unix.Ftruncate(fd, 0) == nil {
		unix.Seek(fd, 0, io.SeekStart)
	}
}

// OffsetVar is the environment variable whose length changes from one
// launch to the next, as hyperfine's HYPERFINE_RANDOMIZED_ENVIRONMENT_OFFSET
// does: the environment sits at the top of a new process's stack, so its
// size moves the alignment of everything on the stack, and a program can
// run measurably faster or slower at one alignment than at another
// (Mytkowicz et al., "Producing wrong data without doing anything
// obviously wrong", ASPLOS 2009). A fixed environment would measure one
// alignment only, and which one would depend on the length of the user
// name or of the working directory; varying it spreads every strategy's
// trials over all of them alike. Where the kernel randomizes the stack
// (randomize_va_space 2, the default) it already moves the stack's start
// by up to 8 KiB per process, and padding the environment of an
// async-fn-pointers strategy from 0 to 3840 bytes moved nothing beyond
// noise (make bench's machine, 2026-12-02); under setarch -R, as some
// benchmark setups run, this is what keeps the alignment from being fixed.
const OffsetVar = "BENCHLAB_RANDOMIZED_ENVIRONMENT_OFFSET"

// maxOffset bounds the variable's value: 0 to maxOffset−1 characters,
// uniformly, as hyperfine draws them.
const maxOffset = 4096

// offsetEnv sets the environment's last entry to OffsetVar with a value of
// a random length, without allocating.
func (l *launcher) offsetEnv() {
	n := len(OffsetVar) + 1 + rand.IntN(maxOffset)
	l.attr.Env[len(l.attr.Env)-1] = l.offset[:n]
}

// launch runs strategy i's command once and fills res: from just before the
// start to just after the reap it makes system calls and reads the clock,
// nothing more.
func (l *launcher) launch(i int, res *Result) {
	*res = Result{}
	l.mu.Lock()
	l.timedOut, l.cancelled = false, false
	l.mu.Unlock()
	var (
		info unix.Siginfo
		ws   syscall.WaitStatus
		ru   syscall.Rusage
	)

	l.offsetEnv()
	pid, start, stage, err := l.start(l.cfg.Paths[i], l.cfg.Argv[i])
	if err != nil {
		res.Stage, res.Errno = stage, errnoOf(err)
		return
	}
	l.mu.Lock()
	l.pid = pid
	l.deadline = start.Add(l.cfg.Timeout)
	if l.stopping {
		syscall.Kill(-pid, syscall.SIGKILL)
		l.cancelled = true
	}
	l.mu.Unlock()
	l.timer.Reset(l.cfg.Timeout)

	// Wait for the exit but leave the child a zombie: until it is reaped
	// its process ID, which is also its group's ID, cannot be reused.
	for {
		err = unix.Waitid(unix.P_PID, pid, &info, unix.WEXITED|unix.WNOWAIT, nil)
		if err != unix.EINTR {
			break
		}
	}
	// The child has exited: what follows (stopping the timer, killing
	// leftovers, reaping) is the harness's bookkeeping, not the child's time.
	res.WallNS = time.Since(start).Nanoseconds()
	l.timer.Stop()
	l.mu.Lock()
	l.pid = 0
	res.TimedOut, res.Cancelled = l.timedOut, l.cancelled
	l.mu.Unlock()
	// Leftovers of the trial's group must not run into the next trial.
	syscall.Kill(-pid, syscall.SIGKILL)
	for {
		_, err = syscall.Wait4(pid, &ws, 0, &ru)
		if err != syscall.EINTR {
			break
		}
	}
	if l.sweep {
		// What escaped the group (setsid) ends with the trial too.
		sweepDescendants()
	}
	if err != nil {
		res.Stage, res.Errno = StageWait, errnoOf(err)
		return
	}
	res.UserNS = ru.Utime.Nano()
	res.SysNS = ru.Stime.Nano()
	res.MaxRSSKiB = ru.Maxrss
	res.Status = ws
}

// start starts the child of a trial and returns its process ID and the
// time just before the start, or the stage that failed and why.
func (l *launcher) start(path string, argv []string) (pid int, start time.Time, stage Stage, err error) {
	start = time.Now()
	pid, err = syscall.ForkExec(path, argv, &l.attr)
	return pid, start, StageStart, err
}

// pin moves the calling thread, locked to its goroutine, onto the pinned
// CPUs of a pinned run, remembering its mask for unpin.
//
// Children are pinned from birth: forked from a thread on the pinned CPUs,
// they inherit its mask and never run anywhere else (setting the child's
// mask after the start would race with the child, which may already have
// run, or spawned threads and children). The thread stays there until the
// child is reaped, so that the whole timed part (start, run, exit, the
// parent's wake-up) happens on the pinned CPUs as it does for a harness
// run under taskset. Moving back to the other CPUs right after the start,
// as benchlab once did, put the waiting parent on another CPU: every exit
// then had to wake that CPU, which on a KVM guest cost the static no-op
// about 80 µs (15%) over posix_spawn at the same placement (make bench).
// The thread is blocked while the child runs, so it takes no time from it;
// this process's other threads stay on the other CPUs throughout.
func (l *launcher) pin() (Stage, error) {
	if !l.cfg.Pin {
		return OK, nil
	}
	// An isolated process's threads all have the mask others; no need to
	// read it.
	switch {
	case l.cfg.Isolated:
		l.saved = l.cfg.Others
	case l.stuck:
		// The thread kept the pin after a failed restore: its mask is not
		// the one to go back to; the last one read is.
	default:
		if err := unix.SchedGetaffinity(0, &l.saved); err != nil {
			return StageMask, err
		}
	}
	if err := unix.SchedSetaffinity(0, &l.cfg.PinSet); err != nil {
		return StagePin, err
	}
	return OK, nil
}

// unpin moves the calling thread back to the mask pin saved.
func (l *launcher) unpin() error {
	if !l.cfg.Pin {
		return nil
	}
	return unix.SchedSetaffinity(0, &l.saved)
}
