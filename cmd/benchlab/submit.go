package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"
	"time"

	"benchlab/cluster"
	"benchlab/experiments"
)

// submitPoll is how often `benchlab submit --wait` asks Slurm about its jobs.
const submitPoll = 500 * time.Millisecond

// cmdSubmit sends an experiment to a Slurm cluster: one exclusive batch
// job per node, each running `benchlab run` into the shared archive.
func cmdSubmit(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	fs := newFlags("submit", stderr)
	partition := fs.String("partition", "", "Slurm `partition` (default: the cluster's default)")
	constraint := fs.String("constraint", "", "Slurm node `features` the nodes must have (sbatch --constraint)")
	nodes := fs.Int("nodes", 0, "run on `N` nodes (default: one node of each machine type of the partition)")
	nodelist := fs.String("nodelist", "", "run on these nodes, `a,b,…` (one job each)")
	resultsDir := fs.String("results", "results", "archive `folder`, on a file system every node shares")
	runs := fs.String("runs", "", "counted runs per strategy, `N` or auto, passed to benchlab run on each node (default: the experiment's)")
	limit := fs.String("time", "", "time `limit` of each job (sbatch --time; default: the partition's)")
	wait := fs.Bool("wait", false, "follow the jobs to their end; exit 1 naming each job that failed")
	dryRun := fs.Bool("dry-run", false, "print the batch scripts; submit nothing")
	rest, err := parse(fs, args, 1, "one experiment folder")
	if err != nil {
		return err
	}
	if *nodes < 0 {
		return usageError{"--nodes must be at least 1"}
	}
	if *nodes > 0 && *nodelist != "" {
		return usageError{"give --nodes or --nodelist, not both"}
	}
	e, err := experiments.Load(rest[0])
	if err != nil {
		return err
	}
	// The nodes run this very binary and write into this archive, by
	// absolute paths that the shared file system resolves the same on
	// every node.
	exe, err := os.Executable()
	if err != nil {
		return fmt.Errorf("find the benchlab binary to run on the nodes: %w", err)
	}
	q := cluster.Request{
		Experiment: e,
		Benchlab:   exe,
		Flake:      findFlake(e.Dir),
		Partition:  *partition, Constraint: *constraint, Time: *limit,
	}
	if q.Results, err = filepath.Abs(*resultsDir); err != nil {
		return err
	}
	if e.Dir, err = filepath.Abs(e.Dir); err != nil {
		return err
	}
	if err := q.Check(); err != nil {
		return err
	}
	if *runs != "" {
		q.RunArgs = []string{"--runs", *runs}
	}

	slurm := cluster.Slurm{Run: cluster.Exec}
	var targets []string
	if *nodelist != "" {
		targets = strings.Split(*nodelist, ",")
	}
	if !*dryRun || *nodelist == "" {
		all, err := slurm.Nodes(ctx, *partition)
		switch {
		case err != nil && *dryRun:
			// Away from the cluster a dry run still shows the script,
			// with the node left to Slurm.
			fmt.Fprintf(stderr, "warning: no node list (%v): showing the script for any node\n", err)
			targets = []string{""}
		case err != nil:
			return fmt.Errorf("list the cluster's nodes: %w", err)
		default:
			if targets, err = cluster.SelectNodes(all, targets, *nodes, *constraint, e.Host.MinCPUs); err != nil {
				return err
			}
		}
	}
	if *dryRun {
		for i, node := range targets {
			if i > 0 {
				fmt.Fprintln(stdout)
			}
			fmt.Fprint(stdout, q.Script(node))
		}
		return nil
	}
	if err := os.MkdirAll(filepath.Join(q.Results, cluster.LogDir), 0o755); err != nil {
		return fmt.Errorf("make the job log folder: %w", err)
	}
	var ids []string
	byID := map[string]string{}
	for _, node := range targets {
		id, err := slurm.Submit(ctx, q.Script(node))
		if err != nil {
			return fmt.Errorf("submit to node %s: %w (jobs submitted so far: %s)", node, err, strings.Join(ids, " "))
		}
		ids = append(ids, id)
		byID[id] = node
		fmt.Fprintf(stdout, "submitted job %s: %s on node %s, log %s\n", id, e.Name, node, cluster.LogPath(q.Results, e.Name, id))
	}
	if !*wait {
		return nil
	}
	final, err := slurm.Follow(ctx, ids, submitPoll, func(st cluster.State) {
		fmt.Fprintf(stdout, "job %s (node %s): %s\n", st.ID, byID[st.ID], st)
	})
	if err != nil {
		return fmt.Errorf("follow jobs %s: %w (the jobs go on; `squeue --jobs=%s` follows them)", strings.Join(ids, " "), err, strings.Join(ids, ","))
	}
	var failed []error
	for _, id := range ids {
		res := cluster.Judge(final[id], cluster.LogPath(q.Results, e.Name, id))
		if res.OK {
			fmt.Fprintf(stdout, "job %s (node %s): ok, %s\n", id, byID[id], res.Why)
			continue
		}
		failed = append(failed, fmt.Errorf("job %s (node %s) %s: %s", id, byID[id], strings.ToLower(final[id].State), res.Why))
	}
	if len(failed) > 0 {
		return fmt.Errorf("%d of %d jobs failed:\n%w", len(failed), len(ids), errors.Join(failed...))
	}
	return nil
}

// findFlake returns the folder of the flake.nix nearest above dir (the
// checkout's root, for an experiment in it), or "" when there is none.
func findFlake(dir string) string {
	d, err := filepath.Abs(dir)
	if err != nil {
		return ""
	}
	for {
		if _, err := os.Stat(filepath.Join(d, "flake.nix")); err == nil {
			return d
		}
		parent := filepath.Dir(d)
		if parent == d {
			return ""
		}
		d = parent
	}
}
