// Package harness runs experiments: it checks that the host can run one,
// builds its subjects, times its strategies and fingerprints the machine.
//
// The harness measures and records; it computes no statistics and writes no
// archive. Run returns raw trials (results.Trial) for the caller to archive
// and for analysis to summarise. Its timing follows hyperfine's model: each
// trial is one fresh child process, timed from just before its start to just
// after it exits (waitid), with user and system time and peak memory taken from
// the kernel's accounting (wait4). Strategies are interleaved round by round
// so that slow drifts of the machine (heat, background load) spread over all
// of them instead of biasing whichever ran last.
//
// Progress is reported as Events (Options.Events) between trials; drawing
// them is the caller's business, so the harness writes nothing to a
// terminal. Package lab wires a run from host check to archive.
//
// The harness is Linux-only: it relies on sched_setaffinity, process groups
// and /proc.
package harness

import (
	"bufio"
	"bytes"
	"context"
	"errors"
	"fmt"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"time"

	"golang.org/x/sys/unix"

	"benchlab/experiments"
)

// Host is what CheckHost found out about the machine.
type Host struct {
	// Tools maps each tool of host.tools to the first non-empty line of its
	// version output, to be archived with the run.
	Tools map[string]string
}

// versionTimeout bounds each tool's version query.
const versionTimeout = 10 * time.Second

// versionArgs are the arguments that print a tool's version, for the few
// tools that do not answer --version.
var versionArgs = map[string][]string{
	"go": {"version"},
}

// CheckHost checks that this machine meets the experiment's host.min_cpus,
// host.tools and trials.pin, and reads the tools' versions. Every problem is
// reported, each naming the experiment file and key.
func CheckHost(e *experiments.Experiment) (*Host, error) {
	allowed, err := allowedCPUs()
	if err != nil {
		return nil, err
	}
	var errs []error
	if n := allowed.Count(); e.Host.MinCPUs > n {
		errs = append(errs, keyError(e, "host.min_cpus",
			"needs %d CPUs, this machine has %d available to benchlab; run it on a larger machine",
			e.Host.MinCPUs, n))
	}
	host := &Host{Tools: map[string]string{}}
	for _, tool := range e.Host.Tools {
		path, err := exec.LookPath(tool)
		if err != nil {
			errs = append(errs, keyError(e, "host.tools",
				"%q is not on PATH; install it (or add its folder to PATH) and try again", tool))
			continue
		}
		host.Tools[tool] = toolVersion(tool, path)
	}
	if err := checkPin(e.Trials.Pin, allowed); err != nil {
		errs = append(errs, keyError(e, "trials.pin", "%v", err))
	}
	if len(errs) > 0 {
		return nil, errors.Join(errs...)
	}
	return host, nil
}

// allowedCPUs returns the CPUs this process may run on.
func allowedCPUs() (unix.CPUSet, error) {
	var set unix.CPUSet
	if err := unix.SchedGetaffinity(0, &set); err != nil {
		return set, fmt.Errorf("read this process's CPU affinity: %w", err)
	}
	return set, nil
}

// checkPin checks that every CPU of pin is one this process may run on.
func checkPin(pin []int, allowed unix.CPUSet) error {
	var bad []string
	for _, c := range pin {
		if c < 0 || c >= len(allowed)*64 || !allowed.IsSet(c) {
			bad = append(bad, strconv.Itoa(c))
		}
	}
	if len(bad) == 0 {
		return nil
	}
	return fmt.Errorf("CPU %s not available to this process (allowed: %s); pin to allowed CPUs or widen benchlab's affinity (taskset)",
		strings.Join(bad, ", "), cpuList(allowed))
}

// cpuList writes set as a list of CPU numbers and ranges: "0-3,6".
func cpuList(set unix.CPUSet) string {
	var parts []string
	n := len(set) * 64
	for c := 0; c < n; c++ {
		if !set.IsSet(c) {
			continue
		}
		end := c
		for end+1 < n && set.IsSet(end+1) {
			end++
		}
		if end == c {
			parts = append(parts, strconv.Itoa(c))
		} else {
			parts = append(parts, fmt.Sprintf("%d-%d", c, end))
		}
		c = end
	}
	if len(parts) == 0 {
		return "none"
	}
	return strings.Join(parts, ",")
}

// toolVersion returns the first non-empty line that tool prints for its
// version, or a note saying why there is none.
func toolVersion(tool, path string) string {
	args, ok := versionArgs[tool]
	if !ok {
		args = []string{"--version"}
	}
	ctx, cancel := context.WithTimeout(context.Background(), versionTimeout)
	defer cancel()
	cmd := exec.CommandContext(ctx, path, args...)
	cmd.WaitDelay = time.Second
	out, err := cmd.CombinedOutput()
	for line := range strings.SplitSeq(string(out), "\n") {
		if line = strings.TrimSpace(line); line != "" {
			return line
		}
	}
	if err != nil {
		return fmt.Sprintf("unknown (%s %s: %v)", tool, strings.Join(args, " "), err)
	}
	return "unknown (no version output)"
}

// keyError is a problem with key of the experiment file, located by line
// where the key can be found.
func keyError(e *experiments.Experiment, key, format string, args ...any) error {
	return &experiments.Error{Path: expPath(e), Line: keyLine(e.Raw, key), Key: key, Msg: fmt.Sprintf(format, args...)}
}

// expPath names the experiment file in messages.
func expPath(e *experiments.Experiment) string {
	if e.Path != "" {
		return e.Path
	}
	return filepath.Join(e.Dir, experiments.FileName)
}

// keyLine finds the line defining a dotted key such as "host.min_cpus",
// written under a [host] header or as a dotted key; 0 if not found.
func keyLine(raw []byte, key string) int {
	table, name := "", key
	if i := strings.LastIndex(key, "."); i >= 0 {
		table, name = key[:i], key[i+1:]
	}
	current := ""
	sc := bufio.NewScanner(bytes.NewReader(raw))
	for n := 1; sc.Scan(); n++ {
		line := strings.TrimSpace(sc.Text())
		if strings.HasPrefix(line, "[") {
			h := strings.Trim(line, "[")
			if i := strings.Index(h, "]"); i >= 0 {
				h = h[:i]
			}
			current = strings.TrimSpace(h)
			continue
		}
		k, _, ok := strings.Cut(line, "=")
		if !ok {
			continue
		}
		k = strings.TrimSpace(k)
		if (current == table && k == name) || (current == "" && k == key) {
			return n
		}
	}
	return 0
}
