// Package cluster sends an experiment to the nodes of a Slurm cluster and
// follows the jobs to their end. It writes the batch scripts (Script),
// picks the nodes (SelectNodes), submits with the real sbatch and reads the
// jobs' fate from squeue and sacct (Slurm); Judge then says, per job,
// whether it archived a run in which every strategy ran.
//
// It measures nothing itself: every job runs `benchlab run` on its node,
// and the run lands in the shared archive under that node's machine folder
// like any other. It knows Slurm's command-line contract and nothing of
// statistics or rendering.
package cluster

import (
	"fmt"
	"path/filepath"
	"slices"
	"strconv"
	"strings"

	"benchlab/experiments"
)

// LogDir is the folder under the results folder where each job's standard
// output and error go, one file per job (LogPath). It holds neither a
// machine.json nor run files, so the archive's readers pass it by.
const LogDir = "slurm-jobs"

// LogPath returns the log file of job id of experiment in results.
func LogPath(resultsDir, experiment, id string) string {
	return filepath.Join(resultsDir, LogDir, experiment+"-"+id+".out")
}

// Request is what to run on each node: one experiment, by one benchlab
// binary, into one archive. Paths are absolute and must name the same
// files on every node: the cluster's shared file system.
type Request struct {
	// Experiment is the loaded experiment; its folder is where the job runs.
	Experiment *experiments.Experiment
	// Benchlab is the benchlab binary the nodes run.
	Benchlab string
	// Results is the archive folder.
	Results string
	// Flake is the folder holding flake.nix, or "" when the checkout has
	// none; when set, a node with nix runs benchlab inside `nix develop`.
	Flake string
	// Partition, Constraint and Time are passed to sbatch as they are,
	// when set.
	Partition, Constraint, Time string
	// RunArgs are extra arguments of `benchlab run` (such as --runs 5).
	RunArgs []string
}

// Check refuses paths that a #SBATCH line cannot carry: sbatch splits
// those lines at white space, and a line break would end the line.
func (q Request) Check() error {
	for _, p := range []struct{ what, path string }{
		{"the benchlab binary", q.Benchlab}, {"the results folder", q.Results}, {"the experiment folder", q.Experiment.Dir}, {"the flake", q.Flake},
	} {
		if strings.ContainsFunc(p.path, func(r rune) bool { return r <= ' ' || r == 0x7f }) {
			return fmt.Errorf("%s %q has white space or control characters, which a batch script's #SBATCH lines cannot carry: move it", p.what, p.path)
		}
	}
	return nil
}

// SbatchOptions returns the sbatch options of the job for node: whole
// node (--exclusive), one node, that node, and the [host] requirements
// that Slurm can check before it starts the job. Of [host], min_cpus maps
// to --mincpus; tools have no Slurm counterpart and are checked by
// `benchlab run` on the node, which fails the job naming the missing tool.
func (q Request) SbatchOptions(node string) []string {
	e := q.Experiment
	opts := []string{
		"--job-name=benchlab-" + e.Name,
		"--exclusive",
		"--nodes=1",
		"--ntasks=1",
	}
	if node != "" {
		opts = append(opts, "--nodelist="+node)
	}
	if q.Partition != "" {
		opts = append(opts, "--partition="+q.Partition)
	}
	if q.Constraint != "" {
		opts = append(opts, "--constraint="+q.Constraint)
	}
	if e.Host.MinCPUs > 0 {
		opts = append(opts, "--mincpus="+strconv.Itoa(e.Host.MinCPUs))
	}
	if q.Time != "" {
		opts = append(opts, "--time="+q.Time)
	}
	return append(opts,
		"--output="+LogPath(q.Results, e.Name, "%j"),
		"--chdir="+e.Dir,
	)
}

// Script returns the batch script of the job for node ("" lets Slurm
// pick). The options are #SBATCH lines, so the script alone says how the
// job was asked for, and --dry-run shows everything sbatch gets.
//
// Whether to use Nix is decided on the node, not on the submitting host:
// the checkout's flake is found when submitting (Flake), and the job runs
// under `nix develop` when nix is on the node's PATH, plainly otherwise. The
// archived run records which (environment.pinned), so a mixed fleet shows.
func (q Request) Script(node string) string {
	var b strings.Builder
	b.WriteString("#!/bin/sh\n")
	for _, o := range q.SbatchOptions(node) {
		b.WriteString("#SBATCH " + o + "\n")
	}
	run := []string{q.Benchlab, "run", "--results", q.Results}
	run = append(run, q.RunArgs...)
	run = append(run, q.Experiment.Dir)
	fmt.Fprintf(&b, "# benchlab run of %s on node %s, into the shared archive %s.\n", q.Experiment.Name, nodeOrAny(node), q.Results)
	b.WriteString("set -eu\n")
	b.WriteString(`echo "benchlab job $SLURM_JOB_ID on $(hostname)"` + "\n")
	if q.Flake != "" {
		b.WriteString("if command -v nix >/dev/null 2>&1; then\n")
		fmt.Fprintf(&b, "\texec nix develop %s --command %s\n", shellQuote(q.Flake), shellJoin(run))
		b.WriteString("fi\n")
	}
	fmt.Fprintf(&b, "exec %s\n", shellJoin(run))
	return b.String()
}

func nodeOrAny(node string) string {
	if node == "" {
		return "(any)"
	}
	return node
}

// shellJoin quotes each word for sh.
func shellJoin(words []string) string {
	q := make([]string, len(words))
	for i, w := range words {
		q[i] = shellQuote(w)
	}
	return strings.Join(q, " ")
}

// shellQuote quotes s for sh when it needs it.
func shellQuote(s string) string {
	if s != "" && strings.IndexFunc(s, func(r rune) bool {
		return !(r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z' || r >= '0' && r <= '9' || strings.ContainsRune("/._-+=:,@%", r))
	}) < 0 {
		return s
	}
	return "'" + strings.ReplaceAll(s, "'", `'\''`) + "'"
}

// Node is one node of the cluster as sinfo describes it.
type Node struct {
	Name      string
	CPUs      int
	MemoryMiB int
	Features  []string
	// State is Slurm's node state (idle, mixed, allocated, down, drained…).
	State string
}

// Type is the node's machine type as Slurm knows it: CPUs, memory and
// features. Nodes of one type are taken as the same machine.
func (n Node) Type() string {
	return fmt.Sprintf("%dc/%dMiB/%s", n.CPUs, n.MemoryMiB, strings.Join(n.Features, ","))
}

// usable reports whether Slurm can start jobs on the node.
func (n Node) usable() bool {
	s := strings.ToLower(strings.TrimRight(n.State, "*~#!%$@^-"))
	return !slices.Contains([]string{"down", "drained", "draining", "fail", "failing", "future", "unknown", "inval", "maint", "reboot_issued", "power_down", "powered_down", "powering_down", "not_responding"}, s)
}

// SelectNodes picks the nodes to run on from nodes (as sinfo lists them):
// the nodes of list when given (each must exist), else the first n
// usable nodes that satisfy constraint and minCPUs, else (n = 0) one
// usable node of each machine type (Node.Type) — a run per kind of
// machine, which is what a comparison across machines needs.
//
// constraint is matched here only in its plain forms (a feature, or
// features joined by & or |); sbatch checks it again either way.
func SelectNodes(nodes []Node, list []string, n int, constraint string, minCPUs int) ([]string, error) {
	if len(list) > 0 {
		for _, name := range list {
			if !slices.ContainsFunc(nodes, func(x Node) bool { return x.Name == name }) {
				return nil, fmt.Errorf("node %q is not in the partition: `sinfo -N` lists its nodes", name)
			}
		}
		return list, nil
	}
	match, err := matcher(constraint)
	if err != nil {
		return nil, err
	}
	var picked []string
	types := map[string]bool{}
	for _, x := range nodes {
		if !x.usable() || !match(x.Features) || x.CPUs < minCPUs || slices.Contains(picked, x.Name) {
			continue
		}
		if n == 0 {
			if types[x.Type()] {
				continue
			}
			types[x.Type()] = true
		}
		picked = append(picked, x.Name)
		if n > 0 && len(picked) == n {
			break
		}
	}
	switch {
	case len(picked) == 0:
		return nil, fmt.Errorf("no usable node has %s: `sinfo -N -o '%%N %%c %%m %%f %%T'` lists them", requirement(constraint, minCPUs))
	case n > len(picked):
		return nil, fmt.Errorf("--nodes %d: only %d usable nodes have %s", n, len(picked), requirement(constraint, minCPUs))
	}
	return picked, nil
}

func requirement(constraint string, minCPUs int) string {
	s := fmt.Sprintf("at least %d CPUs", max(minCPUs, 1))
	if constraint != "" {
		s += fmt.Sprintf(" and the features %q", constraint)
	}
	return s
}

// matcher returns a test of a node's features against constraint: empty,
// one feature, or features all joined by & or all by |.
func matcher(constraint string) (func([]string) bool, error) {
	if constraint == "" {
		return func([]string) bool { return true }, nil
	}
	if strings.ContainsAny(constraint, "[]*()") || strings.Contains(constraint, "&") && strings.Contains(constraint, "|") {
		return nil, fmt.Errorf("--constraint %q: only a feature, or features joined by & or by |, can choose nodes here; name the nodes with --nodelist", constraint)
	}
	if strings.Contains(constraint, "|") {
		any := strings.Split(constraint, "|")
		return func(f []string) bool {
			return slices.ContainsFunc(any, func(a string) bool { return slices.Contains(f, a) })
		}, nil
	}
	all := strings.Split(constraint, "&")
	return func(f []string) bool {
		return !slices.ContainsFunc(all, func(a string) bool { return !slices.Contains(f, a) })
	}, nil
}
