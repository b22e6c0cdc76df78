package spawn

import (
	"bufio"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"
	"time"
)

// Per-trial memory cgroups.
//
// ru_maxrss cannot measure a child below the peak of the process that
// started it (see Start). A memory cgroup can: each trial's child is placed
// in a fresh cgroup of its own before it execs, and the cgroup's peak
// (memory.max_usage_in_bytes on cgroup v1, memory.peak on v2) counts only
// the memory charged while the trial ran: its own pages, the page tables
// and kernel memory of its processes (children included), and the page
// cache pages they brought in. Pages already cached by an earlier trial or
// another process (the shared libraries, the program's own file once it has
// run) stay charged where they were first read and are not counted: that
// is the difference from the resident set that wait4 and /usr/bin/time
// report. BenchExec measures the same way.
//
// The placement before exec: on v2, clone3 with CLONE_INTO_CGROUP
// (syscall.SysProcAttr.UseCgroupFD) starts the child in the trial's
// cgroup. On v1 there is no such flag; the thread that forks moves itself
// into the trial's cgroup (its tid to the cgroup's tasks file) and the child
// inherits that thread's cgroup; the thread moves back once the child is
// reaped. The memory of the mm the vfork'd child shares until exec is
// charged to the cgroup of its owner, the launching process's main thread,
// which in the spawner is not the launching one (see serveSpawner), so the
// spawner's own memory never enters a trial's figure.
//
// A fresh cgroup per launch (mkdir before the start, rmdir after the
// reap) rather than one reused: v1's force_empty would reclaim the page
// cache the next trial wants warm, and a reset of the peak of a reused
// cgroup starts from the charges the last trial left in it, another
// strategy's page cache among them.
//
// Within a launch (a primed trial's runs, a block's) the runs are of one
// command, and where the kernel lets the peak be reset (Cgroup.ResetsPeak:
// v1's memory.max_usage_in_bytes, v2's memory.peak per open file since
// Linux 6.12) it is reset before each timed run, so that each run gets
// its own peak: from the charges the earlier runs of the same command left
// in the cgroup (the page cache they read, which the first run's peak
// counts too, and what they wrote and kept), up to the run's highest.
// The reset is one write between
// two runs, on the descriptor the launch keeps open, and the read of the
// last run's peak one read.
//
// The cgroup also ends the trial's process tree: whatever is still in it
// after the child is reaped (a daemon that left the process group) is
// killed, with cgroup.kill on v2 and a SIGKILL to every process listed in
// cgroup.procs on v1, repeated until it is empty. A primed trial's runs
// share the cgroup, which is emptied after the timed run; after each
// priming run its group is killed and, from the spawner, a child
// subreaper, its escaped descendants are swept (see launch).

// Memory methods, as archived in results.Settings.Memory.
const (
	MemoryCgroupV1 = "cgroup-v1" // memory.max_usage_in_bytes of a per-trial cgroup
	MemoryCgroupV2 = "cgroup-v2" // memory.peak of a per-trial cgroup
	MemoryRusage   = "rusage"    // wait4's ru_maxrss, floored at the starter's peak
)

// Cgroup is the memory cgroup of one run, under which each trial gets a
// cgroup of its own.
type Cgroup struct {
	// Dir is the run's cgroup folder.
	Dir string
	// V2 is true on the unified hierarchy.
	V2 bool
	// ResetsPeak is true where the peak can be reset between a launch's
	// runs, so that each gets its own: always on v1, on v2 since Linux
	// 6.12 (memory.peak's reset per open file). Else every run of a
	// launch gets the launch's peak.
	ResetsPeak bool
}

// Method names how Cgroup measures peak memory (MemoryCgroupV1 or V2).
func (c *Cgroup) Method() string {
	if c.V2 {
		return MemoryCgroupV2
	}
	return MemoryCgroupV1
}

// NewCgroup creates a memory cgroup for one run under this process's own
// memory cgroup, on cgroup v2 when it has the memory controller there and
// on v1 otherwise. The error says why neither could be made (no memory
// controller mounted, or no permission to create a child cgroup): trials
// then fall back to ru_maxrss.
func NewCgroup() (*Cgroup, error) {
	mounts, err := os.ReadFile("/proc/self/mountinfo")
	if err != nil {
		return nil, fmt.Errorf("read /proc/self/mountinfo: %w", err)
	}
	own, err := os.ReadFile("/proc/self/cgroup")
	if err != nil {
		return nil, fmt.Errorf("read /proc/self/cgroup: %w", err)
	}
	v1, v2 := cgroupMounts(string(mounts))
	p1, p2 := cgroupPaths(string(own))
	name := fmt.Sprintf("benchlab-%d-%d", os.Getpid(), time.Now().UnixNano())
	var errs []error
	if v2 != "" && p2 != "" {
		removeStale(filepath.Join(v2, p2))
		c, err := newCgroupV2(filepath.Join(v2, p2), name)
		if err == nil {
			c.ResetsPeak = canResetPeak(filepath.Join(c.Dir, peakFileV2))
			return c, nil
		}
		errs = append(errs, fmt.Errorf("cgroup v2: %w", err))
	}
	if v1 != "" && p1 != "" {
		removeStale(filepath.Join(v1, p1))
		dir := filepath.Join(v1, p1, name)
		if err := os.Mkdir(dir, 0o755); err == nil {
			return &Cgroup{Dir: dir, ResetsPeak: canResetPeak(filepath.Join(dir, peakFileV1))}, nil
		} else {
			errs = append(errs, fmt.Errorf("cgroup v1: %w", err))
		}
	}
	if len(errs) == 0 {
		return nil, errors.New("no memory cgroup controller is mounted")
	}
	return nil, errors.Join(errs...)
}

// removeStale removes the run cgroups under parent left by benchlab
// processes that died without removing theirs (kill -9): those whose
// process no longer exists. A cgroup still holding a process is not
// removed (rmdir refuses it).
func removeStale(parent string) {
	dirs, _ := filepath.Glob(filepath.Join(parent, "benchlab-*-*"))
	for _, d := range dirs {
		pid, _, _ := strings.Cut(strings.TrimPrefix(filepath.Base(d), "benchlab-"), "-")
		n, err := strconv.Atoi(pid)
		if err != nil || n <= 0 {
			continue
		}
		if err := syscall.Kill(n, 0); err != syscall.ESRCH {
			continue // alive, or not ours to judge
		}
		syscall.Rmdir(filepath.Join(d, "trial"))
		syscall.Rmdir(d)
	}
}

// The files that hold a cgroup's peak memory.
const (
	peakFileV1 = "memory.max_usage_in_bytes"
	peakFileV2 = "memory.peak"
)

// canResetPeak reports whether the peak file at path (the run's cgroup's,
// holding no process) can be reset: v2's memory.peak is read-only before
// Linux 6.12. The reset of an empty cgroup's peak changes nothing.
func canResetPeak(path string) bool {
	fd, err := syscall.Open(path, syscall.O_RDWR|syscall.O_CLOEXEC, 0)
	if err != nil {
		return false
	}
	defer syscall.Close(fd)
	_, err = syscall.Pwrite(fd, resetPeak, 0)
	return err == nil
}

// resetPeak is what a write to a peak file resets it with: v1 takes "0",
// v2 any non-empty string.
var resetPeak = []byte("0")

// newCgroupV2 creates the run's cgroup under parent with the memory
// controller enabled for its children, the trials.
func newCgroupV2(parent, name string) (*Cgroup, error) {
	ctl, err := os.ReadFile(filepath.Join(parent, "cgroup.subtree_control"))
	if err != nil {
		return nil, err
	}
	if !strings.Contains(" "+strings.TrimSpace(string(ctl))+" ", " memory ") {
		// Possible only where this cgroup holds no process (the root);
		// elsewhere the kernel refuses (EBUSY): delegate a cgroup to benchlab.
		if err := os.WriteFile(filepath.Join(parent, "cgroup.subtree_control"), []byte("+memory"), 0); err != nil {
			return nil, fmt.Errorf("the memory controller is not enabled below %s: %w", parent, err)
		}
	}
	dir := filepath.Join(parent, name)
	if err := os.Mkdir(dir, 0o755); err != nil {
		return nil, err
	}
	if err := os.WriteFile(filepath.Join(dir, "cgroup.subtree_control"), []byte("+memory"), 0); err != nil {
		syscall.Rmdir(dir)
		return nil, err
	}
	return &Cgroup{Dir: dir, V2: true}, nil
}

// cgroupMounts returns where the v1 memory controller and the v2 hierarchy
// are mounted, from /proc/self/mountinfo; "" for none.
func cgroupMounts(mountinfo string) (v1, v2 string) {
	sc := bufio.NewScanner(strings.NewReader(mountinfo))
	for sc.Scan() {
		// 36 25 0:31 / /sys/fs/cgroup/memory rw,relatime shared:14 - cgroup cgroup rw,memory
		pre, post, ok := strings.Cut(sc.Text(), " - ")
		if !ok {
			continue
		}
		f, g := strings.Fields(pre), strings.Fields(post)
		if len(f) < 5 || len(g) < 3 || f[3] != "/" {
			continue
		}
		switch g[0] {
		case "cgroup2":
			if v2 == "" {
				v2 = f[4]
			}
		case "cgroup":
			for _, o := range strings.Split(g[2], ",") {
				if o == "memory" && v1 == "" {
					v1 = f[4]
				}
			}
		}
	}
	return v1, v2
}

// cgroupPaths returns this process's v1 memory cgroup and v2 cgroup, from
// /proc/self/cgroup; "" for none.
func cgroupPaths(cgroup string) (v1, v2 string) {
	for line := range strings.Lines(cgroup) {
		f := strings.SplitN(strings.TrimSpace(line), ":", 3)
		if len(f) != 3 {
			continue
		}
		switch {
		case f[0] == "0" && f[1] == "":
			v2 = f[2]
		case strings.Contains(","+f[1]+",", ",memory,"):
			v1 = f[2]
		}
	}
	return v1, v2
}

// Remove ends whatever still runs in the run's cgroup and its trial's, and
// removes both. Call it after the launcher is closed.
func (c *Cgroup) Remove() error {
	t := newTrialCgroup(c.Dir, c.V2, false)
	t.killAll()
	if err := syscall.Rmdir(t.dir); err != nil && err != syscall.ENOENT {
		return fmt.Errorf("remove the trial cgroup %s: %w", t.dir, err)
	}
	if err := syscall.Rmdir(c.Dir); err != nil && err != syscall.ENOENT {
		return fmt.Errorf("remove the run's cgroup %s: %w", c.Dir, err)
	}
	return nil
}

// trialCgroup is the cgroup a launcher runs each trial in: created before
// the start, removed after the reap. Its paths are built once.
type trialCgroup struct {
	v2    bool
	dir   string // <run>/trial
	home  string // v1: the tasks file of the launching thread's own cgroup
	tasks string // v1: <dir>/tasks
	procs string // <dir>/cgroup.procs
	kill  string // v2: <dir>/cgroup.kill
	peak  string // <dir>/memory.max_usage_in_bytes or memory.peak
	fd    int    // v2: the folder, open during a trial; else -1
	// pfd is the peak file, open from create to leave (v2's per-file reset
	// and its reads must use one descriptor), or -1 and pfdErr why not;
	// resets says it is to be open for writing, to reset it between runs
	// (Cgroup.ResetsPeak).
	pfd    int
	pfdErr error
	resets bool
	tid    []byte // v1: the moved thread's ID, while it is in dir
	tbuf   [20]byte
	buf    [64]byte
}

func newTrialCgroup(run string, v2, resets bool) *trialCgroup {
	t := &trialCgroup{v2: v2, dir: filepath.Join(run, "trial"), fd: -1, pfd: -1, resets: resets}
	t.procs = filepath.Join(t.dir, "cgroup.procs")
	if v2 {
		t.kill = filepath.Join(t.dir, "cgroup.kill")
		t.peak = filepath.Join(t.dir, peakFileV2)
	} else {
		// The launching process lives in the run's parent (the run's
		// cgroup itself holds only the trial's).
		t.home = filepath.Join(filepath.Dir(run), "tasks")
		t.tasks = filepath.Join(t.dir, "tasks")
		t.peak = filepath.Join(t.dir, peakFileV1)
	}
	return t
}

// create creates the trial's cgroup; on v2 it sets attr to start the
// child in it. A leftover of a trial that died with its launcher is
// emptied and removed first.
func (t *trialCgroup) create(attr *syscall.SysProcAttr) error {
	err := syscall.Mkdir(t.dir, 0o755)
	if err == syscall.EEXIST {
		t.killAll()
		syscall.Rmdir(t.dir)
		err = syscall.Mkdir(t.dir, 0o755)
	}
	if err != nil {
		return err
	}
	mode := syscall.O_RDONLY
	if t.resets {
		mode = syscall.O_RDWR
	}
	// A peak file that cannot be opened (no memory.peak before Linux
	// 5.19) costs the launch its peak, not its cgroup, which still ends
	// the trial's process tree: readPeak says why.
	if t.pfd, t.pfdErr = syscall.Open(t.peak, mode|syscall.O_CLOEXEC, 0); t.pfdErr != nil {
		t.pfd = -1
	}
	if t.v2 {
		fd, err := syscall.Open(t.dir, syscall.O_DIRECTORY|syscall.O_RDONLY|syscall.O_CLOEXEC, 0)
		if err != nil {
			t.closePeak()
			syscall.Rmdir(t.dir)
			return err
		}
		t.fd = fd
		attr.UseCgroupFD, attr.CgroupFD = true, fd
	}
	return nil
}

// closePeak closes the peak file; a read or reset after it fails.
func (t *trialCgroup) closePeak() {
	if t.pfd >= 0 {
		syscall.Close(t.pfd)
	}
	t.pfd, t.pfdErr = -1, syscall.EBADF
}

// join readies the start in the cgroup create made: on v1 it moves the
// calling thread, which must be locked to its goroutine until leave, into
// it (the child inherits the forking thread's cgroup); on v2 create has
// done what is needed. Whether it fails or not, remove ends the cgroup.
func (t *trialCgroup) join() error {
	if t.v2 {
		return nil
	}
	t.tid = strconv.AppendInt(t.tbuf[:0], int64(syscall.Gettid()), 10)
	if err := writeFile(t.tasks, t.tid); err != nil {
		t.tid = nil
		return err
	}
	return nil
}

// leave reads the trial's peak memory in KiB and moves the launching
// thread back (v1); remove then ends the cgroup. It returns 0 and why when
// the peak could not be read.
func (t *trialCgroup) leave(attr *syscall.SysProcAttr) (peakKiB int64, err error) {
	peakKiB, err = t.readPeak()
	t.closePeak()
	if t.tid != nil {
		if merr := writeFile(t.home, t.tid); merr != nil && err == nil {
			peakKiB, err = 0, merr
		}
		t.tid = nil
	}
	if t.fd >= 0 {
		syscall.Close(t.fd)
		t.fd = -1
		attr.UseCgroupFD, attr.CgroupFD = false, 0
	}
	return peakKiB, err
}

// remove ends every process left in the trial's cgroup and removes it.
func (t *trialCgroup) remove() error {
	t.killAll()
	return syscall.Rmdir(t.dir)
}

// readPeak reads the cgroup's peak memory in KiB, since create or the
// last resetPeak.
func (t *trialCgroup) readPeak() (int64, error) {
	if t.pfd < 0 {
		return 0, t.pfdErr
	}
	var n int
	var err error
	for {
		n, err = syscall.Pread(t.pfd, t.buf[:], 0)
		if err != syscall.EINTR {
			break
		}
	}
	if err != nil {
		return 0, err
	}
	v, err := strconv.ParseInt(strings.TrimSpace(string(t.buf[:n])), 10, 64)
	if err != nil {
		return 0, err
	}
	return v >> 10, nil
}

// resetPeak resets the cgroup's peak to its current usage, for the next
// run (only where t.resets).
func (t *trialCgroup) resetPeak() error {
	if t.pfd < 0 {
		return t.pfdErr
	}
	for {
		_, err := syscall.Pwrite(t.pfd, resetPeak, 0)
		if err != syscall.EINTR {
			return err
		}
	}
}

// killAll ends every process in the trial's cgroup: cgroup.kill on v2, on
// v1 a SIGKILL to each process cgroup.procs lists, until none is listed
// (a process forking as it is killed shows up on the next pass). It gives
// up after a second.
func (t *trialCgroup) killAll() {
	if t.v2 {
		if writeFile(t.kill, []byte("1")) == nil {
			// cgroup.kill is asynchronous: wait until the cgroup is empty.
			for range 1000 {
				if n, err := readFile(t.procs, t.buf[:]); err != nil || n == 0 {
					return
				}
				time.Sleep(time.Millisecond)
			}
			return
		}
	}
	for range 1000 {
		b, err := os.ReadFile(t.procs)
		if err != nil || len(b) == 0 {
			return
		}
		self := os.Getpid()
		for _, f := range strings.Fields(string(b)) {
			// This process is listed only if a thread of it failed to move
			// back (see leave): it must not kill itself.
			if pid, err := strconv.Atoi(f); err == nil && pid > 0 && pid != self {
				syscall.Kill(pid, syscall.SIGKILL)
			}
		}
		time.Sleep(time.Millisecond)
	}
}

// writeFile writes b to the file at path, a cgroup control file.
func writeFile(path string, b []byte) error {
	fd, err := syscall.Open(path, syscall.O_WRONLY|syscall.O_CLOEXEC, 0)
	if err != nil {
		return err
	}
	_, err = syscall.Write(fd, b)
	if cerr := syscall.Close(fd); err == nil {
		err = cerr
	}
	return err
}

// readFile reads the start of the file at path into buf.
func readFile(path string, buf []byte) (int, error) {
	fd, err := syscall.Open(path, syscall.O_RDONLY|syscall.O_CLOEXEC, 0)
	if err != nil {
		return 0, err
	}
	defer syscall.Close(fd)
	for {
		n, err := syscall.Read(fd, buf)
		if err == syscall.EINTR {
			continue
		}
		return n, err
	}
}
