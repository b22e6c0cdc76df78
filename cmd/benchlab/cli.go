package main

import (
	"bytes"
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"runtime/debug"
	"strings"
	"syscall"

	"benchlab/internal/safefile"
	"benchlab/lab"
	"benchlab/reports"
	"benchlab/results"
)

// Exit codes: 1 for a failure, 2 for bad usage, 130 for an interrupted run
// (as a shell reports Ctrl-C), 141 for output cut by a closed pipe (as a
// shell reports SIGPIPE).
const (
	exitFail        = 1
	exitUsage       = 2
	exitInterrupted = 130
	// exitBrokenPipe: standard output closed before all was written
	// (benchlab run … | head: what was measured is archived; benchlab
	// ls | head: quietly, nothing but output was lost).
	exitBrokenPipe = 141
)

// usageError marks an error in how the command was called.
type usageError struct{ msg string }

func (e usageError) Error() string { return e.msg }

// errInterrupted is returned when a run was stopped by a signal; what it
// measured is archived before it is returned.
var errInterrupted = lab.ErrInterrupted

type command struct {
	name    string
	args    string
	summary string
	run     func(ctx context.Context, args []string, stdout, stderr io.Writer) error
}

var commands = []command{
	{"check", "EXPERIMENT_DIR", "validate an experiment and this host; runs nothing", cmdCheck},
	{"run", "[flags] EXPERIMENT_DIR|COMMAND...", "time an experiment's strategies, or commands as hyperfine does, and archive the run", cmdRun},
	{"report", "[flags] EXPERIMENT_NAME", "write the Markdown report and plots from the archive", cmdReport},
	{"ls", "[flags] [EXPERIMENT_NAME]", "list archived runs, newest first", cmdLs},
	{"verify", "[--results DIR]", "check every file of the archive; changes nothing", cmdVerify},
	{"export", "[flags] EXPERIMENT_NAME", "write a run as hyperfine JSON, Markdown, CSV or Go benchmark format", cmdExport},
	{"import", "[flags] FILE.json", "archive a hyperfine JSON export as an imported run", cmdImport},
	{"sweep", "[flags] EXPERIMENT_DIR", "rebuild and run once per value of a build-time parameter", cmdSweep},
	{"compare", "[flags] RUN_A RUN_B", "compare two archived runs, with significance per strategy", cmdCompare},
	{"history", "[flags] EXPERIMENT_NAME", "every run of an experiment per machine, flagging significant changes", cmdHistory},
	{"count", "[flags] EXPERIMENT_DIR", "count instructions per iteration and at start-up (callgrind or perf), archived", cmdCount},
	{"submit", "[flags] EXPERIMENT_DIR", "run an experiment on Slurm nodes, one exclusive job each, into one archive", cmdSubmit},
	{"experiment", "[flags] EXPERIMENT_DIR", "run, sweep and count as the experiment's [report] declares, then write the report", cmdExperiment},
}

func run(ctx context.Context, args []string, stdout, stderr io.Writer) int {
	if len(args) == 0 {
		usage(stderr)
		return exitUsage
	}
	if args[0] == "-h" || args[0] == "--help" || args[0] == "help" {
		// Asked for: the answer, on standard output (| less works).
		usage(stdout)
		return 0
	}
	if args[0] == "version" || args[0] == "--version" {
		lab := labInfo()
		fmt.Fprintf(stdout, "benchlab %s %s %s\n", lab.Version, lab.Commit, lab.GoVersion)
		return 0
	}
	for _, c := range commands {
		if c.name != args[0] {
			continue
		}
		out := &pipeWatch{w: stdout}
		err := c.run(ctx, args[1:], out, stderr)
		var ue usageError
		switch {
		case err == nil:
			return 0
		case errors.Is(err, flag.ErrHelp):
			// Asked for: on standard output, as the commands list.
			var h helpText
			if errors.As(err, &h) {
				fmt.Fprint(out, string(h))
				if out.broken {
					return exitBrokenPipe
				}
			}
			return 0
		case errors.As(err, &ue):
			fmt.Fprintf(stderr, "benchlab %s: %v\nusage: benchlab %s %s\n", c.name, err, c.name, c.args)
			return exitUsage
		case errors.Is(err, errInterrupted), errors.Is(err, context.Canceled):
			// context.Canceled: stopped by a signal before anything was
			// measured (during the build, say).
			fmt.Fprintf(stderr, "benchlab %s: %s\n", c.name, reports.Visible(err.Error()))
			return exitInterrupted
		case errors.As(err, new(brokenPipe)):
			fmt.Fprintf(stderr, "benchlab %s: %v\n", c.name, err)
			return exitBrokenPipe
		case out.broken && errors.Is(err, syscall.EPIPE):
			// The reader of standard output went away (benchlab ls |
			// head), and the command failed for that: nothing is lost
			// but output nobody reads, so exit quietly, with the status
			// of a command killed by SIGPIPE, as other Unix tools do. (A
			// run's closed output is brokenPipe above: it says where the
			// run is archived.)
			return exitBrokenPipe
		default:
			// An error may quote a file name or a subject's output.
			fmt.Fprintf(stderr, "benchlab %s: %s\n", c.name, reports.Visible(err.Error()))
			return exitFail
		}
	}
	fmt.Fprintf(stderr, "benchlab: unknown command %q\n", args[0])
	usage(stderr)
	return exitUsage
}

func usage(w io.Writer) {
	fmt.Fprintln(w, "usage: benchlab COMMAND [flags] ARGS\n\ncommands:")
	for _, c := range commands {
		fmt.Fprintf(w, "  %-10s %-26s %s\n", c.name, c.args, c.summary)
	}
	fmt.Fprintln(w, "\n`benchlab COMMAND -h` lists a command's flags.")
}

// newFlags returns a flag set that reports errors instead of exiting.
// What it prints while parsing is held until parse knows what it is: the
// help asked for with -h goes to standard output (helpText), a bad flag's
// message and the flags to standard error.
func newFlags(name string, stderr io.Writer) *flag.FlagSet {
	fs := flag.NewFlagSet("benchlab "+name, flag.ContinueOnError)
	fs.SetOutput(&heldOutput{stderr: stderr})
	return fs
}

// heldOutput is a flag set's output: held while parsing, then standard
// error's.
type heldOutput struct {
	held    bytes.Buffer
	stderr  io.Writer
	through bool // parsing is over: write to stderr
}

func (h *heldOutput) Write(p []byte) (int, error) {
	if h.through {
		return h.stderr.Write(p)
	}
	return h.held.Write(p)
}

// helpText is the help a command's flag set printed for -h, which the
// dispatcher writes to standard output; it is a flag.ErrHelp.
type helpText string

func (helpText) Error() string        { return "help requested" }
func (helpText) Is(target error) bool { return target == flag.ErrHelp }

// parse parses args and checks the count of positional arguments.
func parse(fs *flag.FlagSet, args []string, want int, what string) ([]string, error) {
	err := fs.Parse(args)
	if h, ok := fs.Output().(*heldOutput); ok {
		h.through = true
		if errors.Is(err, flag.ErrHelp) {
			return nil, helpText(h.held.String())
		}
		h.stderr.Write(h.held.Bytes())
	}
	if err != nil {
		if errors.Is(err, flag.ErrHelp) {
			return nil, err
		}
		return nil, usageError{err.Error()}
	}
	rest := fs.Args()
	if want >= 0 && len(rest) != want {
		return nil, usageError{fmt.Sprintf("want %s, got %d arguments", what, len(rest))}
	}
	return rest, nil
}

// commit is set by the Makefile (-ldflags -X main.commit=...) for builds
// where Go's own VCS stamping is off (GOFLAGS=-buildvcs=false).
var commit string

// labInfo identifies this benchlab build from the module and VCS
// information Go stamps into the binary.
func labInfo() results.Lab {
	lab := results.Lab{Version: "devel", Commit: commit}
	bi, ok := debug.ReadBuildInfo()
	if !ok {
		return lab
	}
	lab.GoVersion = bi.GoVersion
	if v := bi.Main.Version; v != "" && v != "(devel)" {
		lab.Version = v
	}
	if commit != "" {
		// The Makefile's stamp wins: it leaves generated results and
		// reports out of "dirty", which Go's own VCS stamp does not.
		return lab
	}
	var dirty bool
	for _, s := range bi.Settings {
		switch s.Key {
		case "vcs.revision":
			lab.Commit = s.Value
		case "vcs.modified":
			dirty = s.Value == "true"
		}
	}
	if dirty && lab.Commit != "" {
		lab.Commit += "-dirty"
	}
	return lab
}

// writeFile replaces path's content atomically (safefile.Write), so that
// an interrupted or concurrent write never leaves half a file or a
// temporary one.
func writeFile(path string, data []byte) error {
	return safefile.Write(path, data, true)
}

// writeFiles writes a report's files into dir through temporary files of
// their own, the Markdown pages last, after the charts they show: a failed
// write replaces nothing and leaves no temporary file.
func writeFiles(dir string, files []reports.File) error {
	group := make([]safefile.File, 0, len(files))
	for _, md := range []bool{false, true} {
		for _, f := range files {
			if strings.HasSuffix(f.Name, ".md") == md {
				group = append(group, safefile.File{Name: f.Name, Data: f.Data})
			}
		}
	}
	return safefile.WriteAll(dir, group)
}

// printLoadErrors reports archive files that could not be read; they are
// skipped, never deleted.
func printLoadErrors(w io.Writer, errs []error) {
	for _, err := range errs {
		fmt.Fprintf(w, "warning: skipped %s\n", reports.Visible(strings.TrimSpace(err.Error())))
	}
}
