package harness

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"syscall"
	"time"

	"benchlab/experiments"
	"benchlab/results"
)

// Instruction counting (`benchlab count`).
//
// A strategy's instruction count is deterministic where its time is not, so
// two builds at different iteration counts separate the instructions of one
// call from those of start-up exactly. Two counters are known:
//
//   - valgrind's callgrind, preferred: it counts every instruction the
//     program executes in user space (all its threads), exactly and
//     repeatably, at the price of running it some 50 times slower. Child
//     processes are traced and counted too. Each process's log goes to a
//     file of its own (--log-file) so that the subject's standard error
//     cannot be mistaken for it, and so does its profile
//     (callgrind.out.PID), read for where the instructions went (Profile).
//   - `perf stat -e instructions:u`, when the kernel exposes the hardware
//     counter (many virtual machines do not: perf then prints "<not
//     supported>" and exits 0). Near native speed, but the count varies by
//     a few hundred instructions between runs.

// Counter counts the instructions one execution of a program retires.
type Counter struct {
	// Tool names the counter and its version as archived with each count,
	// e.g. "valgrind-3.19.0 callgrind".
	Tool string
	kind counterKind
	path string
}

type counterKind int

const (
	callgrind counterKind = iota + 1
	perfStat
)

// ErrNoCounter is returned by FindCounter when this host has no way to
// count instructions.
var ErrNoCounter = errors.New("no instruction counter")

// FindCounter returns the counter to use on this host: callgrind when
// valgrind is installed, else perf when it can count instructions here. The
// error, wrapping ErrNoCounter, says why neither works and how to fix it.
func FindCounter(ctx context.Context) (*Counter, error) {
	return findCounter(ctx, exec.LookPath, runTool)
}

// runTool runs a tool briefly and returns its combined output.
func runTool(ctx context.Context, path string, args ...string) ([]byte, error) {
	ctx, cancel := context.WithTimeout(ctx, versionTimeout)
	defer cancel()
	cmd := exec.CommandContext(ctx, path, args...)
	cmd.WaitDelay = time.Second
	return cmd.CombinedOutput()
}

// findCounter is FindCounter with the PATH lookup and the running of tools
// replaceable, for tests.
func findCounter(ctx context.Context, lookPath func(string) (string, error),
	run func(ctx context.Context, path string, args ...string) ([]byte, error)) (*Counter, error) {
	if path, err := lookPath("valgrind"); err == nil {
		out, err := run(ctx, path, "--version")
		version := strings.TrimSpace(string(out))
		if err != nil || version == "" {
			version = "valgrind"
		}
		return &Counter{Tool: version + " callgrind", kind: callgrind, path: path}, nil
	}
	var why string
	if path, err := lookPath("perf"); err != nil {
		why = "perf is not installed"
	} else {
		out, err := run(ctx, path, "stat", "-x,", "-e", "instructions:u", "--", "true")
		switch _, perr := ParsePerfStat(out); {
		case err != nil:
			why = fmt.Sprintf("`perf stat -e instructions:u true` failed: %v: %s", err, lastLine(out))
		case perr != nil:
			why = fmt.Sprintf("`perf stat -e instructions:u true`: %v", perr)
		default:
			version := "perf"
			if v, err := run(ctx, path, "--version"); err == nil && len(bytes.TrimSpace(v)) > 0 {
				version = strings.TrimSpace(string(v))
			}
			return &Counter{Tool: version + " stat -e instructions:u", kind: perfStat, path: path}, nil
		}
	}
	return nil, fmt.Errorf("%w: valgrind is not installed and %s; install valgrind (apt-get install valgrind) and run again", ErrNoCounter, why)
}

// CountProfile runs argv (argv[0] resolved as a strategy's command is: a
// path with a slash relative to dir, a bare name on PATH) in dir under the
// counter and returns the instructions it executed, with where they went:
// the profile of every function, from callgrind; nil from perf stat, which
// has none. A failing program is an error carrying its exit status and the
// tail of its standard error.
func (c *Counter) CountProfile(ctx context.Context, dir string, argv []string) (int64, *Profile, error) {
	if len(argv) == 0 {
		return 0, nil, errors.New("empty command")
	}
	prog, err := resolveCommand(dir, argv[0])
	if err != nil {
		return 0, nil, err
	}
	tmp, err := os.MkdirTemp("", "benchlab-count-")
	if err != nil {
		return 0, nil, fmt.Errorf("temporary folder for the counter's log: %w", err)
	}
	defer os.RemoveAll(tmp)
	log := filepath.Join(tmp, "counter.log")

	var args []string
	switch c.kind {
	case callgrind:
		// Children are traced too, each process logging to its own file,
		// so that a command such as `sh -c "./a; ./b"` is counted whole.
		args = []string{"--tool=callgrind", "--trace-children=yes",
			"--callgrind-out-file=" + filepath.Join(tmp, "callgrind.out.%p"),
			"--log-file=" + filepath.Join(tmp, "callgrind.%p.log"), prog}
	case perfStat:
		args = []string{"stat", "-x,", "-e", "instructions:u", "-o", log, "--", prog}
	default:
		return 0, nil, errors.New("counter not set up; use FindCounter")
	}
	args = append(args, argv[1:]...)
	cmd := exec.CommandContext(ctx, c.path, args...)
	cmd.Dir = dir
	// Only the tail is kept for the error: a counted program may write
	// gigabytes to its standard error.
	stderr := &tailWriter{buf: make([]byte, stderrTail)}
	cmd.Stderr = stderr
	cmd.SysProcAttr = &syscall.SysProcAttr{Setpgid: true}
	cmd.Cancel = func() error { return syscall.Kill(-cmd.Process.Pid, syscall.SIGKILL) }
	cmd.WaitDelay = time.Second
	if err := cmd.Run(); err != nil {
		if ctx.Err() != nil {
			return 0, nil, fmt.Errorf("interrupted: %w", ctx.Err())
		}
		return 0, nil, fmt.Errorf("%v under %s: %w%s", argv, c.Tool, err, tail(stderr.tail()))
	}
	if c.kind == perfStat {
		out, err := os.ReadFile(log)
		if err != nil {
			return 0, nil, fmt.Errorf("%s wrote no output: %w%s", c.Tool, err, tail(stderr.tail()))
		}
		n, err := ParsePerfStat(out)
		return n, nil, err
	}
	logs, _ := filepath.Glob(filepath.Join(tmp, "callgrind.*.log"))
	if len(logs) == 0 {
		return 0, nil, fmt.Errorf("%s wrote no log%s", c.Tool, tail(stderr.tail()))
	}
	var total int64
	for _, l := range logs {
		out, err := os.ReadFile(l)
		if err != nil {
			return 0, nil, fmt.Errorf("%s log: %w", c.Tool, err)
		}
		n, err := ParseCallgrindLog(out)
		if err != nil {
			return 0, nil, fmt.Errorf("%s: %w", filepath.Base(l), err)
		}
		total += n
	}
	// The profiles, one per process, add up to the logs' total.
	outs, _ := filepath.Glob(filepath.Join(tmp, "callgrind.out.*"))
	fns := map[results.FunctionCost]int64{}
	var profiled int64
	for _, o := range outs {
		f, err := os.Open(o)
		if err != nil {
			return 0, nil, fmt.Errorf("%s profile: %w", c.Tool, err)
		}
		n, err := ParseCallgrindOut(f, filepath.Base(o), fns)
		f.Close()
		if err != nil {
			return 0, nil, fmt.Errorf("%s profile: %w", c.Tool, err)
		}
		profiled += n
	}
	if profiled != total {
		return 0, nil, fmt.Errorf("%s: the profiles hold %d instructions, the logs %d", c.Tool, profiled, total)
	}
	return total, newProfile(total, fns), nil
}

// collectedLine matches callgrind's total in its log or standard error:
// "==1234== Collected : 126623". With --dump-instr or several events the
// line lists one number per event; Ir, the instructions, comes first.
var collectedLine = regexp.MustCompile(`(?m)^==\d+==\s+Collected\s*:\s*(\d+)`)

// ParseCallgrindLog returns the instructions callgrind collected, from its
// log (--log-file) or its standard error. When the text holds several
// processes' totals (the standard error of a traced command that forks)
// they are added up.
func ParseCallgrindLog(log []byte) (int64, error) {
	m := collectedLine.FindAllSubmatch(log, -1)
	if len(m) == 0 {
		return 0, fmt.Errorf("callgrind log has no \"Collected :\" line (did the program run?): %s", lastLine(log))
	}
	var total int64
	for _, sub := range m {
		n, err := strconv.ParseInt(string(sub[1]), 10, 64)
		if err != nil {
			return 0, fmt.Errorf("callgrind log: instruction count %q: %w", sub[1], err)
		}
		total += n
	}
	return total, nil
}

// ParsePerfStat returns the instructions counted by `perf stat -x, -e
// instructions:u`, from its CSV output: "1234567,,instructions:u,…". A
// counter perf cannot read here ("<not supported>", "<not counted>") is an
// error saying so.
func ParsePerfStat(out []byte) (int64, error) {
	for line := range strings.SplitSeq(string(out), "\n") {
		fields := strings.Split(strings.TrimSpace(line), ",")
		if len(fields) < 3 || !strings.HasPrefix(fields[2], "instructions") {
			continue
		}
		v := fields[0]
		if strings.HasPrefix(v, "<") {
			return 0, fmt.Errorf("perf cannot count instructions on this host (%s): the hardware counter is not exposed (a virtual machine, or kernel.perf_event_paranoid)", v)
		}
		n, err := strconv.ParseInt(v, 10, 64)
		if err != nil {
			return 0, fmt.Errorf("perf stat: instruction count %q: %w", v, err)
		}
		return n, nil
	}
	return 0, fmt.Errorf("perf stat printed no instructions line: %s", lastLine(out))
}

// CountStrategy counts one strategy of e, its command run in the
// experiment folder under c, and returns its instructions and the
// results.ProfileFunctions functions that executed most of them (none
// from perf stat).
func (c *Counter) CountStrategy(ctx context.Context, e *experiments.Experiment, s experiments.Strategy) (int64, []results.FunctionCost, error) {
	dir, err := absDir(e)
	if err != nil {
		return 0, nil, err
	}
	n, p, err := c.CountProfile(ctx, dir, s.Command)
	if err != nil || p == nil {
		return n, nil, err
	}
	return n, p.Top(results.ProfileFunctions), nil
}

// tail formats the last lines of a program's standard error for an error
// message: "" when there are none.
func tail(stderr []byte) string {
	s := strings.TrimSpace(string(stderr))
	if s == "" {
		return ""
	}
	lines := strings.Split(s, "\n")
	if len(lines) > 5 {
		lines = lines[len(lines)-5:]
	}
	return ": " + strings.Join(lines, "\n")
}

// lastLine is the last non-empty line of out, or "(no output)".
func lastLine(out []byte) string {
	lines := strings.Split(strings.TrimSpace(string(out)), "\n")
	if l := strings.TrimSpace(lines[len(lines)-1]); l != "" {
		return l
	}
	return "(no output)"
}
