package harness

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"os/exec"
	"path/filepath"
	"sort"
	"strings"
	"syscall"
	"time"

	"benchlab/experiments"
	"benchlab/results"
)

// buildWaitDelay is how long Build waits for the build's output to close
// after the build command has exited or been killed.
const buildWaitDelay = 5 * time.Second

// Build runs the experiment's build command (an argv list, no shell) in the
// experiment folder, streaming its output to out, with env (NAME=value,
// such as build parameters) added to this process's environment. A nil
// e.Build is a no-op. When ctx is cancelled, or the build runs past
// build.timeout, the build's whole process group is killed; an interrupted
// build's error wraps ctx's (context.Canceled for Ctrl-C).
func Build(ctx context.Context, e *experiments.Experiment, env []string, out io.Writer) error {
	if e.Build == nil {
		return nil
	}
	argv := e.Build.Command
	if len(argv) == 0 {
		return keyError(e, "build.command", "empty command; name a program to run or remove [build]")
	}
	dir, err := absDir(e)
	if err != nil {
		return err
	}
	path, err := resolveCommand(dir, argv[0])
	if err != nil {
		return keyError(e, "build.command", "%v", err)
	}
	timeout := e.Build.Timeout.Duration
	if timeout <= 0 {
		timeout = experiments.DefaultBuildTimeout
	}
	bctx, cancel := context.WithTimeout(ctx, timeout)
	defer cancel()
	cmd := exec.CommandContext(bctx, path, argv[1:]...)
	cmd.Args[0] = argv[0]
	cmd.Dir = dir
	if len(env) > 0 {
		cmd.Env = append(os.Environ(), env...)
	}
	cmd.Stdout, cmd.Stderr = out, out
	cmd.SysProcAttr = &syscall.SysProcAttr{Setpgid: true}
	cmd.Cancel = func() error { return syscall.Kill(-cmd.Process.Pid, syscall.SIGKILL) }
	cmd.WaitDelay = buildWaitDelay
	err = cmd.Run()
	switch {
	case err == nil:
		return nil
	case ctx.Err() != nil:
		return fmt.Errorf("%s: build %q interrupted: %w", expPath(e), argv, ctx.Err())
	case bctx.Err() != nil:
		return fmt.Errorf("%s: build %q timed out after %v (build.timeout); raise build.timeout or fix the build: %w",
			expPath(e), argv, timeout, bctx.Err())
	default:
		return fmt.Errorf("%s: build %q failed: %w; fix the build (its output is above) and run again",
			expPath(e), argv, err)
	}
}

// Artifacts identifies the strategies' executables by content: the size and
// SHA-256 of each command[0] that is a relative path to a file inside the
// experiment folder, such as "target/release/foo". Commands found on PATH
// are not artifacts (their tools' versions are archived instead). The list
// is sorted by path, each file once, paths relative to the experiment folder
// with '/' separators. A missing executable is an error.
func Artifacts(e *experiments.Experiment) ([]results.Artifact, error) {
	dir, err := absDir(e)
	if err != nil {
		return nil, err
	}
	seen := map[string]bool{}
	var arts []results.Artifact
	for i, s := range e.Strategies {
		if len(s.Command) == 0 {
			continue
		}
		rel, ok := localPath(s.Command[0])
		if !ok || seen[rel] {
			continue
		}
		seen[rel] = true
		a, err := hashFile(filepath.Join(dir, rel))
		if err != nil {
			return nil, &experiments.Error{Path: expPath(e), Key: "strategy.command",
				Msg: fmt.Sprintf("strategy %d (%q): %v; did the build make it?", i+1, s.Name, err)}
		}
		a.Path = filepath.ToSlash(rel)
		arts = append(arts, a)
	}
	sort.Slice(arts, func(i, j int) bool { return arts[i].Path < arts[j].Path })
	return arts, nil
}

// localPath reports whether command names a file inside the experiment
// folder (a relative path with a slash that does not climb out of it), and
// returns it cleaned.
func localPath(command string) (string, bool) {
	if !strings.Contains(command, "/") || filepath.IsAbs(command) {
		return "", false
	}
	rel := filepath.Clean(command)
	if !filepath.IsLocal(rel) {
		return "", false
	}
	return rel, true
}

// hashFile returns the size and SHA-256 of the file at path, which must be
// a regular file: a FIFO or a device could block the hash or never end.
func hashFile(path string) (results.Artifact, error) {
	// O_NONBLOCK: opening a FIFO must not wait for a writer.
	f, err := os.OpenFile(path, os.O_RDONLY|syscall.O_NONBLOCK, 0)
	if err != nil {
		return results.Artifact{}, err
	}
	defer f.Close()
	fi, err := f.Stat()
	if err != nil {
		return results.Artifact{}, err
	}
	if !fi.Mode().IsRegular() {
		return results.Artifact{}, fmt.Errorf("%s is not a regular file (%v)", path, fi.Mode().Type())
	}
	h := sha256.New()
	n, err := io.Copy(h, f)
	if err != nil {
		return results.Artifact{}, fmt.Errorf("hash %s: %w", path, err)
	}
	return results.Artifact{Size: n, SHA256: hex.EncodeToString(h.Sum(nil))}, nil
}

// absDir returns the experiment folder as an absolute path.
func absDir(e *experiments.Experiment) (string, error) {
	dir := e.Dir
	if dir == "" {
		dir = "."
	}
	abs, err := filepath.Abs(dir)
	if err != nil {
		return "", fmt.Errorf("experiment folder %s: %w", dir, err)
	}
	return abs, nil
}

// resolveCommand finds the program that command (an argv[0]) names: a path
// with a slash is taken relative to dir, a bare name is looked up on PATH.
// The result is an absolute path to an executable file.
func resolveCommand(dir, command string) (string, error) {
	if !strings.Contains(command, "/") {
		path, err := exec.LookPath(command)
		if err != nil {
			if errors.Is(err, exec.ErrNotFound) {
				return "", fmt.Errorf("%q is not on PATH; install it or give a path to it", command)
			}
			return "", fmt.Errorf("%q: %w", command, err)
		}
		return filepath.Abs(path)
	}
	path := command
	if !filepath.IsAbs(path) {
		path = filepath.Join(dir, path)
	}
	fi, err := os.Stat(path)
	switch {
	case errors.Is(err, fs.ErrNotExist):
		return "", fmt.Errorf("%s does not exist; build it first", path)
	case err != nil:
		return "", err
	case fi.IsDir():
		return "", fmt.Errorf("%s is a folder, not a program", path)
	case fi.Mode()&0o111 == 0:
		return "", fmt.Errorf("%s is not executable; chmod +x it", path)
	}
	return path, nil
}
