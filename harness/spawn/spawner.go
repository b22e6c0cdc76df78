package spawn

import (
	"bufio"
	"bytes"
	"encoding/binary"
	"errors"
	"os"
	"os/signal"
	"runtime"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"time"
	"unsafe"

	"golang.org/x/sys/unix"
)

// The spawner's file descriptors, besides its standard input (requests),
// output (results) and error (benchlab's):
const (
	spawnerCtlFD  = 3 // cancellation requests
	spawnerKidsFD = 4 // 4, 5, 6: the children's standard input, output, error
)

// spawnerEnv marks a process as the spawner.
const spawnerEnv = "BENCHLAB_SPAWNER"

// primeBit, set in a launch request, asks for the command to be run
// unmeasured first (Launcher.Prime).
const primeBit = 1 << 31

// spawnerReady is the spawner's answer once it has read its settings.
const spawnerReady = "rdy\n"

func init() {
	switch v, _ := syscall.Getenv(spawnerEnv); v {
	case "1":
		os.Exit(serveSpawner())
	case "exit": // the spawner's warm-up launch (see serveSpawner)
		os.Exit(0)
	}
}

// serveSpawner is the spawner's main function; it returns its exit status.
func serveSpawner() int {
	fail := func(what string, err error) int {
		os.Stderr.WriteString("benchlab spawner: " + what + ": " + err.Error() + "\n")
		return 1
	}
	for fd := spawnerCtlFD; fd < spawnerKidsFD+3; fd++ {
		syscall.CloseOnExec(fd)
	}
	var n [4]byte
	if err := readFull(0, n[:]); err != nil {
		return fail("read the settings", err)
	}
	blob := make([]byte, binary.NativeEndian.Uint32(n[:]))
	if err := readFull(0, blob); err != nil {
		return fail("read the settings", err)
	}
	cfg, err := decodeConfig(blob)
	if err != nil {
		return fail("settings", err)
	}
	cfg.Files = [3]uintptr{spawnerKidsFD, spawnerKidsFD + 1, spawnerKidsFD + 2}
	if err := becomeSubreaper(); err != nil {
		return fail("become a child subreaper (PR_SET_CHILD_SUBREAPER)", err)
	}
	// Signals meant for a whole job (Slurm's SIGTERM at a time limit or a
	// scancel, SIGHUP from a closed terminal) reach the spawner too. Only
	// benchlab decides what ends a run, and tells the spawner through the
	// control pipe, so the spawner outlives them: otherwise the trial in
	// flight is archived as failed instead of interrupted. Caught, not
	// ignored: an ignored signal would stay ignored in subjects after exec.
	sigs := make(chan os.Signal, 1)
	signal.Notify(sigs, syscall.SIGTERM, syscall.SIGINT, syscall.SIGHUP)
	go func() {
		for range sigs {
		}
	}()
	// The spawner starts on the CPUs outside the pin; with only one of
	// them it would get a single P, which the launching thread gives up in
	// every waitid: a probe alternating trials (4,000 each, 2026-12-02) found
	// such a spawner 15 µs slower on the static no-op (median) than the same
	// launch from benchlab's process, and one with two Ps as fast.
	if runtime.GOMAXPROCS(0) < 2 {
		runtime.GOMAXPROCS(2)
	}
	// Best effort: the handler costs about 2 µs a trial, worth removing,
	// not worth refusing to run.
	defaultSIGCHLD()
	// The trials are launched from a thread of their own, not from this
	// one, the process's main thread, which owns the process's memory for
	// cgroup v1: so it stays charged to the spawner's own cgroup while the
	// launching thread is in a trial's (see cgroup.go).
	status := make(chan int)
	go func() {
		runtime.LockOSThread()
		status <- serveTrials(cfg, fail)
	}()
	return <-status
}

// defaultSIGCHLD sets SIGCHLD's action back to the default, which Linux
// carries out by discarding the signal when it is sent. Every Go program
// handles SIGCHLD, and Linux delivers it to the thread that forked the
// child first: the launching thread, woken by the exit, ran the runtime's
// handler (a signal frame, the handler, sigreturn) before its waitid
// returned, inside the timed part, for about 2 µs per trial (median of
// 7,800 no-op runs alternating with and without the handler, 2026-12-02).
// The spawner has no use for the signal: it waits for its children with
// waitid and wait4, which the default action leaves as they are (only
// SIG_IGN would reap the children unasked). No Go API resets a signal the
// runtime handles (os/signal.Reset keeps the runtime's handler), hence
// the system call; an all-zero struct sigaction is SIG_DFL with no flags
// on every architecture (the size of the mask, 8, is not on mips, where
// the call fails and the handler stays).
func defaultSIGCHLD() {
	var act [4]uint64 // handler, flags, restorer, mask: all zero
	unix.RawSyscall6(unix.SYS_RT_SIGACTION, uintptr(syscall.SIGCHLD), uintptr(unsafe.Pointer(&act)), 0, 8, 0, 0)
}

// serveTrials is the spawner's loop, on a thread of its own (see
// serveSpawner): it answers that it is ready, then runs the trials
// benchlab asks for until its requests end.
func serveTrials(cfg *Config, fail func(string, error) int) int {
	l := newLauncher(cfg)
	l.sweep = true
	trimRSS()
	// One launch before the first trial brings back what launching needs,
	// so that the first trial has the same floor as the others.
	warm := *cfg
	warm.Paths, warm.Argv = []string{"/proc/self/exe"}, [][]string{{"benchlab-spawner"}}
	warm.Env = []string{spawnerEnv + "=exit"}
	wl := newLauncher(&warm)
	var warmed [1]Result
	wl.Launch(0, warmed[:])
	wl.Close()
	if err := writeFull(1, []byte(spawnerReady)); err != nil {
		return fail("answer", err)
	}
	go func() {
		var b [1]byte
		for {
			n, err := syscall.Read(spawnerCtlFD, b[:])
			if err == syscall.EINTR {
				continue
			}
			if n == 1 {
				l.Interrupt()
				continue
			}
			// benchlab closed it, or died (even by SIGKILL, its files
			// close): the spawner ends, and the trial's processes with it.
			l.killRunning()
			killDescendants()
			os.Exit(0)
		}
	}()
	var (
		req [8]byte // strategy index (with primeBit), block length
		// A block's results and their answer (a count, then the
		// results), grown to the largest block asked for: the pages
		// touched count in the spawner's peak, the floor of its
		// children's ru_maxrss.
		res = make([]Result, 1)
		buf = make([]byte, 4+resultSize)
	)
	for {
		if err := readFull(0, req[:]); err != nil {
			killDescendants() // none between trials, but be sure
			if err == errEOF {
				return 0
			}
			return fail("read a request", err)
		}
		i := int(binary.NativeEndian.Uint32(req[:]) &^ primeBit)
		n := 1
		block := int(binary.NativeEndian.Uint32(req[4:]))
		if i >= len(cfg.Paths) || block < 1 || block > MaxBlock {
			res[0] = Result{Stage: StageSpawner, Errno: syscall.EINVAL}
		} else {
			if len(res) < block {
				res, buf = make([]Result, block), make([]byte, 4+block*resultSize)
			}
			if binary.NativeEndian.Uint32(req[:])&primeBit != 0 {
				l.Prime()
			}
			n = l.Launch(i, res[:block])
		}
		binary.NativeEndian.PutUint32(buf[:], uint32(n))
		for k := range n {
			res[k].encode(buf[4+k*resultSize:])
		}
		if err := writeFull(1, buf[:4+n*resultSize]); err != nil {
			return fail("answer", err)
		}
	}
}

// trimRSS lowers this process's resident memory, and the high-water mark
// its children inherit, to what the spawner's loop needs.
//
// Most of a fresh Go process's memory is pages of its executable that the
// runtime's start and the package inits touched (the kernel maps them in
// 64 KiB batches around each fault): read-only file pages, the same as the
// file's. MADV_DONTNEED drops them from this process's page tables (they
// stay in the page cache; what the loop needs faults back in); writing 5 to
// /proc/self/clear_refs then resets the high-water mark to the resident
// memory left. Only mappings of the executable that are not writable and
// hold no anonymous (copied-on-write) pages are dropped: a dynamically
// linked binary's relocated read-only data (RELRO) holds such pages, and
// dropping them would undo the relocations. Both steps are best efforts:
// where they fail the floor is just higher, and FloorKiB still reports it.
func trimRSS() {
	exe, err := os.Readlink("/proc/self/exe")
	if err != nil {
		return
	}
	// Read line by line, allocating next to nothing: garbage would grow
	// the heap, and a collection would touch much of the runtime's code,
	// both resident memory this is meant to trim.
	smaps, err := os.Open("/proc/self/smaps")
	if err != nil {
		return
	}
	var ranges [][2]uintptr // to drop
	var cur [2]uintptr      // the current mapping, if it may be dropped
	sc := bufio.NewScanner(smaps)
	for sc.Scan() {
		line := sc.Bytes()
		if rest, ok := bytes.CutPrefix(line, []byte("Anonymous:")); ok {
			if string(bytes.TrimSpace(rest)) != "0 kB" {
				cur = [2]uintptr{} // copied-on-write pages: keep it
			}
			continue
		}
		// A mapping's first line: 00400000-006f0000 r-xp 00000000 fe:00 1001   /path
		var f [5][]byte
		rest := line
		for k := range f {
			rest = bytes.TrimLeft(rest, " ")
			end := bytes.IndexByte(rest, ' ')
			if end < 0 {
				end = len(rest)
			}
			f[k], rest = rest[:end], rest[end:]
		}
		lo, hi, ok := bytes.Cut(f[0], []byte("-"))
		if !ok || bytes.HasSuffix(f[0], []byte(":")) {
			continue // a field line
		}
		if cur[1] > cur[0] {
			ranges = append(ranges, cur)
		}
		cur = [2]uintptr{}
		perm := f[1]
		if len(perm) != 4 || perm[1] == 'w' || perm[3] != 'p' || string(bytes.TrimSpace(rest)) != exe {
			continue
		}
		a, err1 := strconv.ParseUint(string(lo), 16, 64)
		b, err2 := strconv.ParseUint(string(hi), 16, 64)
		if err1 == nil && err2 == nil {
			cur = [2]uintptr{uintptr(a), uintptr(b)}
		}
	}
	smaps.Close()
	if sc.Err() != nil {
		return
	}
	if cur[1] > cur[0] {
		ranges = append(ranges, cur)
	}
	for _, r := range ranges {
		syscall.Syscall(syscall.SYS_MADVISE, r[0], r[1]-r[0], syscall.MADV_DONTNEED)
	}
	if fd, err := syscall.Open("/proc/self/clear_refs", syscall.O_WRONLY|syscall.O_CLOEXEC, 0); err == nil {
		syscall.Write(fd, []byte("5"))
		syscall.Close(fd)
	}
}

// spawner is benchlab's end of a running spawner.
type spawner struct {
	cfg      Config // to start it again
	pid      int
	req, res int // file descriptors: requests, results; -1 once closed
	reqBuf   [8]byte
	resBuf   [4 + MaxBlock*resultSize]byte
	broken   error // why the spawner can no longer be used
	prime    bool  // the next request asks for priming runs
	stopped  bool  // the spawner was found stopped during this launch
	restarts int
	poll     [1]unix.PollFd
	// fallback starts the trials from benchlab itself once the spawner
	// has failed more than maxRestarts times.
	fallback *launcher

	mu          sync.Mutex // guards ctl, interrupted: Interrupt may come at any time
	ctl         int        // file descriptor: cancellation; -1 once closed
	interrupted bool
}

// The watchdog: while a trial runs benchlab looks at the spawner every
// watchInterval. A stopped spawner (a subject may `kill -STOP $PPID`) is
// resumed; one that has not answered spawnerGrace past the trial timeout
// and the sweep's bound (reapBound) of each run of the launch (a primed
// launch has PrimeRuns more), or has
// died, is killed and started again, and that trial fails. After
// maxRestarts restarts the trials are started from benchlab itself.
const (
	watchInterval = 250 * time.Millisecond
	spawnerGrace  = 5 * time.Second
	maxRestarts   = 3
)

// errSpawnerHung is a spawner that did not answer within the trial timeout
// of each run of the launch and spawnerGrace.
var errSpawnerHung = errors.New("no answer within the trial timeout")

// Start starts the spawner and returns a Launcher that has it start the
// children. Call it with the CPU mask benchlab's threads keep during the
// run: the spawner's threads inherit it.
//
// Why: Go's ForkExec starts a child with clone(CLONE_VM|CLONE_VFORK), so the
// child runs in its parent's memory until it execs, and on exec Linux
// records the high-water mark of the memory it leaves (its parent's) as the
// child's own peak, which wait4 reports as ru_maxrss. A child of benchlab
// (8 to 10 MiB) could never report less than that; a child of the spawner
// reports no less than the spawner's peak (see FloorKiB), about 2.7 MiB
// once it has trimmed its memory (see trimRSS).
//
// How: Start executes /proc/self/exe with BENCHLAB_SPAWNER=1 in its
// environment; this package's init sees it and serves trials instead of
// returning, before the inits of the packages that do not come before it
// (benchlab's plotting and fonts among them) have run. The spawner reads
// the Config from its standard input, answers, then loops: it reads a
// strategy index and a block length (4 bytes each), launches that
// command as InProcess's Launcher would (timed, timed out, pinned, reaped
// in the spawner) and writes how many ran (4 bytes) and their Results
// (resultSize bytes each) to its standard output, where benchlab waits for
// them with a blocking read; a request with primeBit set is Prime, then
// Launch. A byte on its file descriptor 3 is Interrupt. It runs in a process group of its own, out of the reach of
// the terminal's Ctrl-C (which benchlab turns into Interrupt), and dies
// with benchlab (SIGKILL as parent-death signal).
func Start(cfg *Config) (_ Launcher, err error) {
	// Three pipes: requests, results, cancellation; as read end, write end.
	fds := make([]int, 0, 6)
	for range 3 {
		var p [2]int
		if err := syscall.Pipe2(p[:], syscall.O_CLOEXEC); err != nil {
			for _, fd := range fds {
				syscall.Close(fd)
			}
			return nil, wrap("start the spawner: pipe", err)
		}
		fds = append(fds, p[0], p[1])
	}
	s := &spawner{cfg: *cfg, req: fds[1], res: fds[2], ctl: fds[5]}
	reqR, resW, ctlR := fds[0], fds[3], fds[4]
	defer func() {
		// The spawner has its own copies of its ends, or failed.
		syscall.Close(reqR)
		syscall.Close(resW)
		syscall.Close(ctlR)
		if err != nil {
			s.Close()
		}
	}()
	attr := &syscall.ProcAttr{
		Env: append(os.Environ(), spawnerEnv+"=1"),
		Files: []uintptr{uintptr(reqR), uintptr(resW), os.Stderr.Fd(), uintptr(ctlR),
			cfg.Files[0], cfg.Files[1], cfg.Files[2]},
		Sys: &syscall.SysProcAttr{
			// Out of the terminal's process group: Ctrl-C reaches
			// benchlab, which cancels the run through the spawner.
			Setpgid: true,
			// Should benchlab die, even by SIGKILL, its end of the
			// cancellation pipe closes and the spawner kills the trial's
			// processes and exits; SIGCONT wakes it for that should a
			// trial have stopped it. (SIGKILL here would kill the
			// spawner before it could end the trial's processes.)
			Pdeathsig: syscall.SIGCONT,
		},
	}
	s.pid, err = syscall.ForkExec("/proc/self/exe", []string{"benchlab-spawner"}, attr)
	if err != nil {
		s.pid = 0
		return nil, wrap("start the spawner (/proc/self/exe)", err)
	}
	blob := cfg.encode()
	msg := binary.NativeEndian.AppendUint32(nil, uint32(len(blob)))
	if err := writeFull(s.req, append(msg, blob...)); err != nil {
		return nil, wrap("start the spawner: send the settings", err)
	}
	var ready [len(spawnerReady)]byte
	if err := readFull(s.res, ready[:]); err != nil || string(ready[:]) != spawnerReady {
		if err == nil {
			err = errors.New("bad answer " + strconv.Quote(string(ready[:])))
		}
		return nil, wrap("start the spawner: no answer (see any message of it above)", err)
	}
	return s, nil
}

// Prime has the spawner run the next launch's command unmeasured first
// (PrimeRuns times).
func (s *spawner) Prime() {
	if s.fallback != nil {
		s.fallback.Prime()
		return
	}
	s.prime = true
}

// Launch has the spawner launch strategy i's block and waits for its
// results, watching the spawner meanwhile (see watchInterval). A launch
// during which the spawner was stopped, died or hung fails (StageStopped,
// StageSpawner) as a whole, and the spawner is started again for the next
// one.
func (s *spawner) Launch(i int, res []Result) int {
	if s.fallback != nil {
		return s.fallback.Launch(i, res)
	}
	s.stopped = false
	req := uint32(i)
	runs := len(res) // each bounded by the timeout
	if s.prime {
		req |= primeBit
		s.prime = false
		runs += PrimeRuns
	}
	binary.NativeEndian.PutUint32(s.reqBuf[:], req)
	binary.NativeEndian.PutUint32(s.reqBuf[4:], uint32(len(res)))
	n := 0
	if err := writeFull(s.req, s.reqBuf[:]); err != nil {
		s.broken = err
	} else if n, err = s.await(runs, len(res)); err != nil {
		s.broken = err
	}
	switch {
	case s.broken != nil:
		res[0] = Result{Stage: StageSpawner, Errno: errnoOf(s.broken)}
		s.restart()
		return 1
	case s.stopped:
		res[0] = Result{Stage: StageStopped}
		return 1
	}
	for k := range n {
		res[k].decode(s.resBuf[4+k*resultSize:])
	}
	return n
}

// await reads the spawner's answer to a launch of runs runs, at most block
// of them timed, and returns how many results it holds, resuming the
// spawner whenever it is found stopped; it gives up when the spawner has
// died or not answered within the trial timeout of each run and
// spawnerGrace.
func (s *spawner) await(runs, block int) (int, error) {
	// Each run may take its timeout, and the sweep after it (reap.go)
	// up to reapBound.
	deadline := time.Now().Add(time.Duration(runs)*(s.cfg.Timeout+reapBound) + spawnerGrace)
	s.poll[0] = unix.PollFd{Fd: int32(s.res), Events: unix.POLLIN}
	for {
		n, err := unix.Poll(s.poll[:], int(watchInterval/time.Millisecond))
		switch {
		case err == unix.EINTR:
			continue
		case err != nil:
			return 0, err
		case n > 0: // an answer, or the spawner's end closed
			if err := readFull(s.res, s.resBuf[:4]); err != nil {
				return 0, err
			}
			got := int(binary.NativeEndian.Uint32(s.resBuf[:]))
			if got < 1 || got > block {
				return 0, errors.New("the spawner answered " + strconv.Itoa(got) + " results to a launch of " + strconv.Itoa(block))
			}
			return got, readFull(s.res, s.resBuf[4:4+got*resultSize])
		}
		if _, state, ok := procStat(s.pid); ok && (state == 'T' || state == 't') {
			// Resumed, it answers; the trial's times include the
			// stop and are dropped.
			s.stopped = true
			syscall.Kill(s.pid, syscall.SIGCONT)
		}
		if time.Now().After(deadline) {
			return 0, errSpawnerHung
		}
	}
}

// restart replaces a failed spawner with a new one, or with launching from
// benchlab itself after maxRestarts or when a new one cannot start.
func (s *spawner) restart() {
	s.stop()
	s.restarts++
	if s.restarts <= maxRestarts {
		if l, err := Start(&s.cfg); err == nil {
			n := l.(*spawner)
			s.mu.Lock()
			s.pid, s.req, s.res, s.ctl = n.pid, n.req, n.res, n.ctl
			interrupted := s.interrupted
			s.mu.Unlock()
			s.broken = nil
			if interrupted {
				s.Interrupt()
			}
			return
		}
	}
	fb := newLauncher(&s.cfg)
	s.mu.Lock()
	s.fallback = fb // read by Interrupt
	interrupted := s.interrupted
	s.mu.Unlock()
	if interrupted {
		fb.Interrupt()
	}
}

// Interrupt cancels the run in the spawner.
func (s *spawner) Interrupt() {
	s.mu.Lock()
	s.interrupted = true
	if s.ctl >= 0 {
		writeFull(s.ctl, []byte{1})
	}
	fb := s.fallback
	s.mu.Unlock()
	if fb != nil {
		fb.Interrupt()
	}
}

// FloorKiB returns the spawner's peak resident memory so far (VmHWM).
func (s *spawner) FloorKiB() int64 {
	if s.fallback != nil {
		return s.fallback.FloorKiB()
	}
	return peakRSSKiB("/proc/" + strconv.Itoa(s.pid) + "/status")
}

// Close stops the spawner and reaps it.
func (s *spawner) Close() {
	s.stop()
	if s.fallback != nil {
		s.fallback.Close()
	}
}

// stop closes the pipes to the spawner, kills it and reaps it.
func (s *spawner) stop() {
	s.mu.Lock()
	for _, fd := range []*int{&s.req, &s.res, &s.ctl} {
		if *fd >= 0 {
			syscall.Close(*fd)
			*fd = -1
		}
	}
	s.mu.Unlock()
	if s.pid > 0 {
		// Its trials are over: every child of it has been killed and
		// reaped after its trial (see reap.go).
		syscall.Kill(s.pid, syscall.SIGKILL)
		var ws syscall.WaitStatus
		for {
			if _, err := syscall.Wait4(s.pid, &ws, 0, nil); err != syscall.EINTR {
				break
			}
		}
		s.pid = 0
	}
}

// peakRSSKiB returns the VmHWM of a /proc/PID/status file, or 0 if it
// cannot be read.
func peakRSSKiB(statusPath string) int64 {
	b, err := os.ReadFile(statusPath)
	if err != nil {
		return 0
	}
	for line := range strings.Lines(string(b)) {
		if v, ok := strings.CutPrefix(line, "VmHWM:"); ok {
			n, err := strconv.ParseInt(strings.TrimSpace(strings.TrimSuffix(strings.TrimSpace(v), "kB")), 10, 64)
			if err != nil {
				return 0
			}
			return n
		}
	}
	return 0
}

// errEOF is a pipe closed before a whole message arrived.
var errEOF = errors.New("end of file")

// readFull reads len(b) bytes from fd, a blocking pipe.
func readFull(fd int, b []byte) error {
	for len(b) > 0 {
		n, err := syscall.Read(fd, b)
		switch {
		case err == syscall.EINTR:
			continue
		case err != nil:
			return err
		case n == 0:
			return errEOF
		}
		b = b[n:]
	}
	return nil
}

// writeFull writes b to fd, a blocking pipe.
func writeFull(fd int, b []byte) error {
	for len(b) > 0 {
		n, err := syscall.Write(fd, b)
		if err == syscall.EINTR {
			continue
		}
		if err != nil {
			return err
		}
		b = b[n:]
	}
	return nil
}

// encode serialises cfg for the spawner, but for the files: the spawner
// has its own.
func (cfg *Config) encode() []byte {
	var b []byte
	str := func(s string) {
		b = binary.AppendUvarint(b, uint64(len(s)))
		b = append(b, s...)
	}
	strs := func(ss []string) {
		b = binary.AppendUvarint(b, uint64(len(ss)))
		for _, s := range ss {
			str(s)
		}
	}
	set := func(c *unix.CPUSet) { // as the list of its CPUs
		b = binary.AppendUvarint(b, uint64(c.Count()))
		for cpu := range len(c) * 64 {
			if c.IsSet(cpu) {
				b = binary.AppendUvarint(b, uint64(cpu))
			}
		}
	}
	b = binary.AppendVarint(b, int64(cfg.Timeout))
	b = append(b, boolByte(cfg.Pin), boolByte(cfg.Isolated), boolByte(cfg.CgroupV2), boolByte(cfg.ScratchStderr), boolByte(cfg.CgroupResetsPeak))
	str(cfg.Cgroup)
	set(&cfg.PinSet)
	set(&cfg.Others)
	str(cfg.Dir)
	strs(cfg.Env)
	b = binary.AppendUvarint(b, uint64(len(cfg.Paths)))
	for i := range cfg.Paths {
		str(cfg.Paths[i])
		strs(cfg.Argv[i])
	}
	return b
}

func boolByte(v bool) byte {
	if v {
		return 1
	}
	return 0
}

// decodeConfig reads what Config.encode wrote, in the spawner.
func decodeConfig(b []byte) (*Config, error) {
	bad := errors.New("truncated or corrupt")
	uv := func() uint64 {
		v, n := binary.Uvarint(b)
		if n <= 0 {
			panic(bad)
		}
		b = b[n:]
		return v
	}
	str := func() string {
		n := uv()
		if n > uint64(len(b)) {
			panic(bad)
		}
		s := string(b[:n])
		b = b[n:]
		return s
	}
	strs := func() []string {
		n := uv()
		if n > uint64(len(b)) {
			panic(bad)
		}
		ss := make([]string, n)
		for i := range ss {
			ss[i] = str()
		}
		return ss
	}
	set := func(c *unix.CPUSet) {
		for range uv() {
			c.Set(int(uv()))
		}
	}
	cfg := &Config{}
	err := func() (err error) {
		defer func() {
			if r := recover(); r != nil {
				err = bad
			}
		}()
		t, n := binary.Varint(b)
		if n <= 0 || len(b) < n+5 {
			return bad
		}
		cfg.Timeout = time.Duration(t)
		cfg.Pin, cfg.Isolated, cfg.CgroupV2, cfg.ScratchStderr = b[n] == 1, b[n+1] == 1, b[n+2] == 1, b[n+3] == 1
		cfg.CgroupResetsPeak = b[n+4] == 1
		b = b[n+5:]
		cfg.Cgroup = str()
		set(&cfg.PinSet)
		set(&cfg.Others)
		cfg.Dir = str()
		cfg.Env = strs()
		count := uv()
		if count > uint64(len(b)) {
			return bad
		}
		cfg.Paths = make([]string, count)
		cfg.Argv = make([][]string, count)
		for i := range cfg.Paths {
			cfg.Paths[i] = str()
			cfg.Argv[i] = strs()
		}
		if len(b) != 0 {
			return bad
		}
		return nil
	}()
	if err != nil {
		return nil, err
	}
	return cfg, nil
}

// wrapError is an error with what failed in front.
type wrapError struct {
	what string
	err  error
}

func wrap(what string, err error) error { return &wrapError{what, err} }

func (e *wrapError) Error() string { return e.what + ": " + e.err.Error() }
func (e *wrapError) Unwrap() error { return e.err }
