package main

import (
	"os/exec"
	"path/filepath"
	"strings"

	"github.com/rogpeppe/go-internal/testscript"
)

// slurmCluster is the script command `slurm-cluster`: it starts a one-node
// Slurm cluster on this host with .ci/slurm.sh in $WORK/slurm, points
// SLURM_CONF at it, and stops its daemons (by PID) when the script ends.
// Where Slurm cannot start the script fails, with the daemons' logs: a
// missing Slurm is a broken test host, never a reason to skip.
func slurmCluster(ts *testscript.TestScript, neg bool, args []string) {
	if neg || len(args) != 0 {
		ts.Fatalf("usage: slurm-cluster")
	}
	script, err := filepath.Abs(filepath.Join("..", "..", ".ci", "slurm.sh"))
	ts.Check(err)
	dir := ts.MkAbs("slurm")
	out, err := exec.Command("bash", script, "start", dir).CombinedOutput()
	ts.Defer(func() {
		if out, err := exec.Command("bash", script, "stop", dir).CombinedOutput(); err != nil {
			ts.Logf("stopping the cluster: %v\n%s", err, out)
		}
	})
	if err != nil {
		ts.Fatalf("the one-node Slurm cluster did not start (apt-get install slurm-wlm munge): %v\n%s", err, out)
	}
	conf, ok := strings.CutPrefix(strings.TrimSpace(string(out)), "export SLURM_CONF=")
	if !ok {
		ts.Fatalf(".ci/slurm.sh printed %q, not the SLURM_CONF line", out)
	}
	ts.Setenv("SLURM_CONF", conf)
}
