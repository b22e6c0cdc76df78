package cluster

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"os/exec"
	"slices"
	"strconv"
	"strings"
	"time"
)

// Runner runs a Slurm command with stdin and returns its standard output;
// an error carries its standard error.
type Runner func(ctx context.Context, stdin, name string, args ...string) ([]byte, error)

// Exec runs the command found on PATH.
func Exec(ctx context.Context, stdin, name string, args ...string) ([]byte, error) {
	cmd := exec.CommandContext(ctx, name, args...)
	cmd.Stdin = strings.NewReader(stdin)
	var stdout, stderr bytes.Buffer
	cmd.Stdout, cmd.Stderr = &stdout, &stderr
	if err := cmd.Run(); err != nil {
		msg := strings.TrimSpace(stderr.String())
		if msg == "" {
			msg = strings.TrimSpace(stdout.String())
		}
		if errors.Is(err, exec.ErrNotFound) {
			return nil, fmt.Errorf("%s: %w (install Slurm's client commands, Debian's slurm-client, or run on a login node)", name, err)
		}
		return nil, fmt.Errorf("%s %s: %w: %s", name, strings.Join(args, " "), err, msg)
	}
	return stdout.Bytes(), nil
}

// Slurm talks to the cluster through its commands.
type Slurm struct {
	Run Runner
}

// Nodes lists the nodes of partition ("" for the default partitions) with
// sinfo, one line per node.
func (s Slurm) Nodes(ctx context.Context, partition string) ([]Node, error) {
	args := []string{"--noheader", "--Node", "--format=%N|%c|%m|%f|%T"}
	if partition != "" {
		args = append(args, "--partition="+partition)
	}
	out, err := s.Run(ctx, "", "sinfo", args...)
	if err != nil {
		return nil, err
	}
	return ParseNodes(out)
}

// ParseNodes reads sinfo's --Node --format=%N|%c|%m|%f|%T lines. A node in
// several partitions is listed once.
func ParseNodes(out []byte) ([]Node, error) {
	var nodes []Node
	for i, line := range strings.Split(strings.TrimSpace(string(out)), "\n") {
		if line == "" {
			continue
		}
		f := strings.Split(line, "|")
		if len(f) != 5 {
			return nil, fmt.Errorf("sinfo line %d: %q: want 5 fields separated by |", i+1, line)
		}
		cpus, err1 := strconv.Atoi(strings.TrimSuffix(f[1], "+"))
		mem, err2 := strconv.Atoi(strings.TrimSuffix(f[2], "+"))
		if err := errors.Join(err1, err2); err != nil {
			return nil, fmt.Errorf("sinfo line %d: %q: %w", i+1, line, err)
		}
		n := Node{Name: f[0], CPUs: cpus, MemoryMiB: mem, State: f[4]}
		if f[3] != "(null)" && f[3] != "" {
			n.Features = strings.Split(f[3], ",")
		}
		if !slices.ContainsFunc(nodes, func(x Node) bool { return x.Name == n.Name }) {
			nodes = append(nodes, n)
		}
	}
	return nodes, nil
}

// Submit hands script to sbatch and returns the job ID.
func (s Slurm) Submit(ctx context.Context, script string) (string, error) {
	out, err := s.Run(ctx, script, "sbatch", "--parsable")
	if err != nil {
		return "", err
	}
	// --parsable prints "id" or "id;cluster".
	id, _, _ := strings.Cut(strings.TrimSpace(string(out)), ";")
	if _, err := strconv.ParseUint(id, 10, 64); err != nil {
		return "", fmt.Errorf("sbatch printed %q, not a job ID", strings.TrimSpace(string(out)))
	}
	return id, nil
}

// State is where a job is, as squeue or sacct reports it.
type State struct {
	ID string
	// State is Slurm's job state: PENDING, RUNNING, COMPLETED, FAILED,
	// TIMEOUT, NODE_FAIL, CANCELLED, OUT_OF_MEMORY…; UNKNOWN when neither
	// squeue nor sacct knows the job.
	State string
	// Node is the node the job runs or ran on.
	Node string
	// Reason is squeue's reason (why pending, or why it ended).
	Reason string
	// ExitCode is sacct's "code:signal" of the batch script, when known.
	ExitCode string
}

// Done reports whether the job has ended.
func (s State) Done() bool {
	switch s.State {
	case "PENDING", "RUNNING", "CONFIGURING", "COMPLETING", "SUSPENDED", "REQUEUED", "REQUEUE_HOLD", "REQUEUE_FED", "RESIZING", "SIGNALING", "STAGE_OUT", "STOPPED", "RESV_DEL_HOLD":
		return false
	}
	return true
}

// String is the state as progress lines show it.
func (s State) String() string {
	out := s.State
	if s.Node != "" && s.State != "PENDING" {
		out += " on " + s.Node
	}
	if s.Reason != "" && s.Reason != "None" {
		out += " (" + s.Reason + ")"
	}
	return out
}

// Queue returns the state of each job squeue still lists: running and
// pending ones, and ended ones for the cluster's MinJobAge.
func (s Slurm) Queue(ctx context.Context, ids []string) (map[string]State, error) {
	out, err := s.Run(ctx, "", "squeue", "--noheader", "--states=all", "--jobs="+strings.Join(ids, ","), "--format=%i|%T|%N|%r")
	if err != nil {
		return nil, err
	}
	states := map[string]State{}
	for _, line := range strings.Split(strings.TrimSpace(string(out)), "\n") {
		f := strings.Split(line, "|")
		if len(f) != 4 {
			continue
		}
		states[f[0]] = State{ID: f[0], State: f[1], Node: f[2], Reason: f[3]}
	}
	return states, nil
}

// Accounting returns what sacct records of the jobs: from the accounting
// database, or, on a cluster without one, from the job completion records
// (`sacct --completion`, JobCompType=jobcomp/filetxt). Both failing is an
// error naming both.
func (s Slurm) Accounting(ctx context.Context, ids []string) (map[string]State, error) {
	fields := "--format=JobID,State,ExitCode,NodeList"
	out, err := s.Run(ctx, "", "sacct", "--noheader", "--parsable2", "--allocations", "--jobs="+strings.Join(ids, ","), fields)
	if err != nil {
		var err2 error
		if out, err2 = s.Run(ctx, "", "sacct", "--completion", "--noheader", "--parsable2", "--jobs="+strings.Join(ids, ","), fields); err2 != nil {
			return nil, fmt.Errorf("sacct: %w; and from job completion records: %w", err, err2)
		}
	}
	return ParseAccounting(out), nil
}

// ParseAccounting reads sacct --parsable2 lines of JobID|State|ExitCode|NodeList.
// Job steps (ID.batch) are left out; a state such as "CANCELLED by 0"
// keeps its first word.
func ParseAccounting(out []byte) map[string]State {
	states := map[string]State{}
	for _, line := range strings.Split(strings.TrimSpace(string(out)), "\n") {
		f := strings.Split(line, "|")
		if len(f) != 4 || strings.Contains(f[0], ".") {
			continue
		}
		state, _, _ := strings.Cut(f[1], " ")
		states[f[0]] = State{ID: f[0], State: state, ExitCode: f[2], Node: f[3]}
	}
	return states
}

// Follow polls the jobs every poll until each has ended, calling progress
// whenever a job's state changes, and returns the final states. squeue
// follows them while they run; sacct then gives the exit codes, and has
// the last word on a job squeue no longer lists. A job neither knows is
// UNKNOWN. Follow stops early only when ctx ends.
func (s Slurm) Follow(ctx context.Context, ids []string, poll time.Duration, progress func(State)) (map[string]State, error) {
	last := map[string]State{}
	ended := func(id string) bool { return last[id].State != "" && last[id].Done() }
	update := func(st State) {
		if st != last[st.ID] {
			progress(st)
		}
		last[st.ID] = st
	}
	start := time.Now()
	for {
		queue, qerr := s.Queue(ctx, ids)
		var missing []string
		for _, id := range ids {
			if st, ok := queue[id]; ok {
				update(st)
			} else if !ended(id) {
				// squeue refuses the whole list once any job has left
				// the queue: then sacct answers for every job not ended.
				missing = append(missing, id)
			}
		}
		if len(missing) > 0 {
			acct, err := s.Accounting(ctx, missing)
			for _, id := range missing {
				if st, ok := acct[id]; ok {
					update(st)
					continue
				}
				switch {
				case err != nil && qerr != nil:
					return last, fmt.Errorf("job %s: neither squeue nor sacct answers: %w", id, errors.Join(qerr, err))
				case last[id].State == "" && time.Since(start) < unseenLimit:
					// sbatch has returned, but the job is not listed yet.
				default:
					update(State{ID: id, State: "UNKNOWN", Node: last[id].Node, Reason: "left the queue, and the cluster keeps no record of it"})
				}
			}
		}
		if !slices.ContainsFunc(ids, func(id string) bool { return !ended(id) }) {
			break
		}
		select {
		case <-ctx.Done():
			return last, ctx.Err()
		case <-time.After(poll):
		}
	}
	// The exit codes of the jobs squeue saw end; sacct's state is final.
	// Its record of a job can lag the queue by a moment: ask a few times.
	for try := 0; try < finalTries; try++ {
		acct, err := s.Accounting(ctx, ids)
		if err != nil {
			break // no accounting at all: squeue's states stand
		}
		for _, id := range ids {
			if a, ok := acct[id]; ok {
				st := last[id]
				st.ExitCode, st.State = a.ExitCode, a.State
				last[id] = st
			}
		}
		if len(acct) >= len(ids) {
			break
		}
		select {
		case <-ctx.Done():
			return last, ctx.Err()
		case <-time.After(poll):
		}
	}
	return last, nil
}

// finalTries is how many times Follow asks sacct for the jobs' records
// once squeue has seen them end.
const finalTries = 5

// unseenLimit is how long a submitted job may be missing from both squeue
// and sacct before it is taken as lost.
const unseenLimit = time.Minute
