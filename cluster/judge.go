package cluster

import (
	"bufio"
	"bytes"
	"fmt"
	"io"
	"os"
	"strings"

	"benchlab/results"
)

// Result is what became of one job.
type Result struct {
	State State
	// OK is true when the job archived a complete run in which no
	// strategy failed.
	OK bool
	// Why says what happened, in a phrase: the archived run, or the
	// failure (node failure, time limit, a failed strategy, a failed
	// `benchlab run`).
	Why string
	// Run is the archived run's path, when the job archived one.
	Run string
}

// logTail is how much of a job's log Judge reads: the end, where `benchlab
// run` prints the archived path and its error.
const logTail = 64 << 10

// Judge says what became of a job that ended in st, from its state and
// its log (LogPath). A job that completed is OK only if its log names the
// run it archived and that run, read back from the archive, is complete
// and has no failed strategy: `benchlab run` records a failing strategy and
// still succeeds, so the archive, not the exit status, tells.
func Judge(st State, logPath string) Result {
	res := Result{State: st}
	tail := readTail(logPath)
	res.Run = archivedPath(tail)
	switch st.State {
	case "COMPLETED":
		if res.Run == "" {
			res.Why = fmt.Sprintf("completed but archived no run (see %s)", logPath)
			return res
		}
		r, err := results.Load(res.Run)
		if err != nil {
			res.Why = fmt.Sprintf("archived %s, which does not read back: %v", res.Run, err)
			return res
		}
		var failed []string
		for _, s := range r.Strategies {
			if s.Failure != "" {
				failed = append(failed, fmt.Sprintf("strategy %s failed: %s", s.Name, oneLine(s.Failure)))
			}
		}
		switch {
		case len(failed) > 0:
			res.Why = strings.Join(failed, "; ") + " (archived " + res.Run + ")"
		case !r.Complete:
			res.Why = "archived an incomplete run " + res.Run
		default:
			res.OK, res.Why = true, "archived "+res.Run
		}
	case "TIMEOUT":
		res.Why = "time limit reached"
		if res.Run != "" {
			res.Why += "; the trials done are archived as an incomplete run " + res.Run
		}
	case "NODE_FAIL":
		res.Why = "node failure on " + nodeOrAny(st.Node)
	case "FAILED":
		res.Why = "benchlab run failed"
		if st.ExitCode != "" {
			res.Why += " (exit code " + st.ExitCode + ")"
		}
		if msg := lastError(tail); msg != "" {
			res.Why += ": " + msg
		} else {
			res.Why += fmt.Sprintf(" (see %s)", logPath)
		}
	case "OUT_OF_MEMORY":
		res.Why = "out of memory"
	case "UNKNOWN":
		res.Why = "unknown: " + st.Reason + fmt.Sprintf(" (see %s)", logPath)
	default:
		res.Why = strings.ToLower(st.State)
		if st.Reason != "" && st.Reason != "None" {
			res.Why += " (" + st.Reason + ")"
		}
	}
	return res
}

// readTail returns at most the last logTail bytes of path; nothing when it
// cannot be read (the verdict then says to look at it).
func readTail(path string) []byte {
	f, err := os.Open(path)
	if err != nil {
		return nil
	}
	defer f.Close()
	if fi, err := f.Stat(); err == nil && fi.Size() > logTail {
		f.Seek(fi.Size()-logTail, io.SeekStart)
	}
	data, _ := io.ReadAll(io.LimitReader(f, logTail))
	return data
}

// archivedPath returns the path of the last "archived PATH" line that
// `benchlab run` prints.
func archivedPath(log []byte) string {
	path := ""
	sc := bufio.NewScanner(bytes.NewReader(log))
	for sc.Scan() {
		if p, ok := strings.CutPrefix(sc.Text(), "archived "); ok && strings.HasSuffix(p, results.Ext) {
			path = strings.TrimSpace(p)
		}
	}
	return path
}

// lastError returns the message of the last "benchlab run: …" line, the
// error `benchlab run` exits with, and the lines indented under it.
func lastError(log []byte) string {
	lines := strings.Split(string(log), "\n")
	for i := len(lines) - 1; i >= 0; i-- {
		if msg, ok := strings.CutPrefix(lines[i], "benchlab run: "); ok {
			for _, l := range lines[i+1:] {
				if l = strings.TrimSpace(l); l != "" {
					msg += "; " + l
				}
			}
			return oneLine(msg)
		}
	}
	return ""
}

func oneLine(s string) string { return strings.Join(strings.Fields(s), " ") }
