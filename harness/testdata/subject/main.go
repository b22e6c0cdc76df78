// Command subject is the program the harness tests time. Its arguments are
// actions done in order:
//
//	exit=N           exit with status N
//	sleep=D          sleep for duration D
//	spin=D           burn D of CPU time
//	alloc=N          allocate N MiB and touch every page
//	affinity=FILE    write this process's CPU mask ("0,1") to FILE
//	parentmask=FILE  write the CPU mask and state (R, S, ...) of each of the
//	                 parent's threads, one a line: "0-1 S"
//	grandparentmask=FILE  the same for the parent's parent
//	stderr=TEXT      write TEXT and a newline to standard error
//	grandchild=FILE  start a copy of itself sleeping 30s, write its pid to FILE
//	daemon=FILE      the same in a session of its own, out of the trial's process group
//	signal=N         send itself signal N
//	--version        print a version banner, as a tool would
package main

import (
	"bytes"
	"fmt"
	"os"
	"os/exec"
	"strconv"
	"strings"
	"syscall"
	"time"

	"golang.org/x/sys/unix"
)

var sink []byte

func main() {
	for _, arg := range os.Args[1:] {
		if arg == "--version" {
			fmt.Println("\n  subject 1.2.3  \nsecond line")
			continue
		}
		key, val, _ := strings.Cut(arg, "=")
		var err error
		switch key {
		case "exit":
			n, _ := strconv.Atoi(val)
			os.Exit(n)
		case "sleep":
			var d time.Duration
			if d, err = time.ParseDuration(val); err == nil {
				time.Sleep(d)
			}
		case "spin":
			var d time.Duration
			if d, err = time.ParseDuration(val); err == nil {
				spin(d)
			}
		case "alloc":
			var n int
			if n, err = strconv.Atoi(val); err == nil {
				sink = make([]byte, n<<20)
				for i := 0; i < len(sink); i += 4096 {
					sink[i] = 1
				}
			}
		case "affinity":
			err = writeAffinity(val)
		case "parentmask":
			err = writeMasks(val, os.Getppid())
		case "grandparentmask":
			var ppid int
			if ppid, err = parentOf(os.Getppid()); err == nil {
				err = writeMasks(val, ppid)
			}
		case "stderr":
			fmt.Fprintln(os.Stderr, val)
		case "grandchild":
			cmd := exec.Command(os.Args[0], "sleep=30s")
			if err = cmd.Start(); err == nil {
				err = os.WriteFile(val, []byte(strconv.Itoa(cmd.Process.Pid)), 0o644)
			}
		case "daemon":
			cmd := exec.Command(os.Args[0], "sleep=30s")
			cmd.SysProcAttr = &syscall.SysProcAttr{Setsid: true}
			if err = cmd.Start(); err == nil {
				err = os.WriteFile(val, []byte(strconv.Itoa(cmd.Process.Pid)), 0o644)
			}
		case "signal":
			var n int
			if n, err = strconv.Atoi(val); err == nil {
				err = syscall.Kill(os.Getpid(), syscall.Signal(n))
				time.Sleep(time.Second)
			}
		default:
			err = fmt.Errorf("unknown action %q", arg)
		}
		if err != nil {
			fmt.Fprintln(os.Stderr, "subject:", err)
			os.Exit(100)
		}
	}
}

// spin burns d of this process's CPU time.
func spin(d time.Duration) {
	x := 0
	for {
		for i := 0; i < 1e5; i++ {
			x += i
		}
		var ts unix.Timespec
		if unix.ClockGettime(unix.CLOCK_PROCESS_CPUTIME_ID, &ts) == nil && time.Duration(ts.Nano()) >= d {
			break
		}
	}
	sink = []byte{byte(x)}
}

// writeAffinity writes the CPUs this process may run on to path.
func writeAffinity(path string) error {
	var set unix.CPUSet
	if err := unix.SchedGetaffinity(0, &set); err != nil {
		return err
	}
	var cpus []string
	for c := 0; c < len(set)*64; c++ {
		if set.IsSet(c) {
			cpus = append(cpus, strconv.Itoa(c))
		}
	}
	return os.WriteFile(path, []byte(strings.Join(cpus, ",")), 0o644)
}

// parentOf returns the parent process ID of process pid.
func parentOf(pid int) (int, error) {
	b, err := os.ReadFile(fmt.Sprintf("/proc/%d/stat", pid))
	if err != nil {
		return 0, err
	}
	// pid (comm) state ppid ...; comm may hold spaces and parentheses.
	_, rest, _ := strings.Cut(string(b[bytes.LastIndexByte(b, ')')+1:]), " ")
	f := strings.Fields(rest)
	if len(f) < 2 {
		return 0, fmt.Errorf("/proc/%d/stat: no parent in %q", pid, b)
	}
	return strconv.Atoi(f[1])
}

// writeMasks writes the Cpus_allowed_list of each thread of process pid to
// path, one line per thread.
func writeMasks(path string, pid int) error {
	dir := fmt.Sprintf("/proc/%d/task", pid)
	entries, err := os.ReadDir(dir)
	if err != nil {
		return err
	}
	var lines []string
	for _, e := range entries {
		b, err := os.ReadFile(dir + "/" + e.Name() + "/status")
		if err != nil {
			continue
		}
		var mask, state string
		for _, l := range strings.Split(string(b), "\n") {
			if v, ok := strings.CutPrefix(l, "Cpus_allowed_list:"); ok {
				mask = strings.TrimSpace(v)
			}
			if v, ok := strings.CutPrefix(l, "State:"); ok {
				state, _, _ = strings.Cut(strings.TrimSpace(v), " ")
			}
		}
		lines = append(lines, mask+" "+state)
	}
	return os.WriteFile(path, []byte(strings.Join(lines, "\n")), 0o644)
}
