package spawn

import (
	"os"
	"strconv"
	"strings"
	"syscall"
	"time"

	"golang.org/x/sys/unix"
)

// A trial's processes end with it. Killing the trial's process group
// misses whatever left the group (setsid, setpgid) or was started by an
// escaped process; the spawner therefore makes itself a child subreaper
// (PR_SET_CHILD_SUBREAPER), so that every orphan of a trial becomes its
// child instead of init's, and after each trial kills and reaps every child
// it still has. It starts nothing but trials, so any child left once the
// trial is reaped is a leftover of that trial.
//
// A per-trial cgroup kills a tree exactly; this is the fallback that needs
// no privileges.

// becomeSubreaper makes this process the reaper of its descendants'
// orphans.
func becomeSubreaper() error {
	return unix.Prctl(unix.PR_SET_CHILD_SUBREAPER, 1, 0, 0, 0)
}

// reapBound bounds how long killDescendants waits for killed processes to
// exit (one stuck in the kernel, say); it then gives up on them.
const reapBound = 5 * time.Second

// sweepDescendants kills and reaps every child of this process, and the
// children they leave to it, when there is any: one wait4 when there is
// none, the common case.
func sweepDescendants() {
	var ws syscall.WaitStatus
	for {
		pid, err := syscall.Wait4(-1, &ws, syscall.WNOHANG, nil)
		switch {
		case err == syscall.EINTR:
			continue
		case err != nil: // ECHILD: nothing left
			return
		case pid == 0: // a child still runs
			killDescendants()
			return
		}
		// A leftover that had already exited is reaped; look again.
	}
}

// killDescendants kills every child of this process with SIGKILL and reaps
// it, over and over: as a subreaper, the children of a killed child become
// its own, and are killed in the next pass. It returns once wait4 says no
// child is left, or after reapBound.
func killDescendants() {
	deadline := time.Now().Add(reapBound)
	var ws syscall.WaitStatus
	for time.Now().Before(deadline) {
		for _, pid := range children() {
			syscall.Kill(pid, syscall.SIGKILL)
		}
		pid, err := syscall.Wait4(-1, &ws, syscall.WNOHANG, nil)
		switch {
		case err == syscall.EINTR:
		case err != nil: // ECHILD: done
			return
		case pid == 0: // killed, not yet exited
			time.Sleep(time.Millisecond)
		}
	}
}

// children returns the process IDs of this process's children, from
// /proc/self/task/*/children, or by scanning every /proc/PID/stat for its
// parent where the kernel does not provide that file.
func children() []int {
	tasks, err := os.ReadDir("/proc/self/task")
	if err == nil {
		var kids []int
		found := false
		for _, t := range tasks {
			b, err := os.ReadFile("/proc/self/task/" + t.Name() + "/children")
			if err != nil {
				continue
			}
			found = true
			for _, f := range strings.Fields(string(b)) {
				if pid, err := strconv.Atoi(f); err == nil {
					kids = append(kids, pid)
				}
			}
		}
		if found {
			return kids
		}
	}
	self := os.Getpid()
	procs, err := os.ReadDir("/proc")
	if err != nil {
		return nil
	}
	var kids []int
	for _, p := range procs {
		pid, err := strconv.Atoi(p.Name())
		if err != nil {
			continue
		}
		if ppid, _, ok := procStat(pid); ok && ppid == self {
			kids = append(kids, pid)
		}
	}
	return kids
}

// procStat returns the parent and the state ('R', 'S', 'T', 'Z', ...) of
// process pid from /proc/PID/stat; ok is false when it is gone.
func procStat(pid int) (ppid int, state byte, ok bool) {
	b, err := os.ReadFile("/proc/" + strconv.Itoa(pid) + "/stat")
	if err != nil {
		return 0, 0, false
	}
	// "pid (comm) S ppid ...": comm may hold spaces and parentheses, so
	// the fields start after the last ')'.
	s := string(b)
	i := strings.LastIndexByte(s, ')')
	if i < 0 {
		return 0, 0, false
	}
	f := strings.Fields(s[i+1:])
	if len(f) < 2 || len(f[0]) != 1 {
		return 0, 0, false
	}
	ppid, err = strconv.Atoi(f[1])
	if err != nil {
		return 0, 0, false
	}
	return ppid, f[0][0], true
}
