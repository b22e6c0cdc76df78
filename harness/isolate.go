package harness

import (
	"fmt"
	"os"
	"strconv"

	"golang.org/x/sys/unix"
)

// isolateProcess moves every thread of this process to the CPUs of mask,
// so that while a pinned child runs, nothing of benchlab (its goroutines,
// the Go runtime's garbage collector and monitor) runs on the child's CPUs.
// Threads created later inherit the mask of the thread that creates them,
// so one sweep covers them; a second sweep catches threads started during
// the first. It returns a function that gives every thread its old mask.
func isolateProcess(mask unix.CPUSet) (restore func(), err error) {
	old := map[int]unix.CPUSet{}
	for range 2 {
		tids, err := threadIDs()
		if err != nil {
			restoreMasks(old)
			return nil, err
		}
		for _, tid := range tids {
			if _, done := old[tid]; done {
				continue
			}
			var set unix.CPUSet
			if err := unix.SchedGetaffinity(tid, &set); err != nil {
				continue // the thread has exited
			}
			if err := unix.SchedSetaffinity(tid, &mask); err != nil {
				if err == unix.ESRCH {
					continue
				}
				restoreMasks(old)
				return nil, fmt.Errorf("set the CPU mask of thread %d: %w", tid, err)
			}
			old[tid] = set
		}
	}
	return func() { restoreMasks(old) }, nil
}

// restoreMasks gives each thread in old its old mask, and threads started
// since the mask of the process's main thread.
func restoreMasks(old map[int]unix.CPUSet) {
	main, ok := old[os.Getpid()]
	tids, _ := threadIDs()
	for _, tid := range tids {
		set, known := old[tid]
		if !known {
			if !ok {
				continue
			}
			set = main
		}
		unix.SchedSetaffinity(tid, &set)
	}
}

// threadIDs lists the threads of this process.
func threadIDs() ([]int, error) {
	entries, err := os.ReadDir("/proc/self/task")
	if err != nil {
		return nil, fmt.Errorf("list this process's threads: %w", err)
	}
	tids := make([]int, 0, len(entries))
	for _, e := range entries {
		if tid, err := strconv.Atoi(e.Name()); err == nil {
			tids = append(tids, tid)
		}
	}
	return tids, nil
}
