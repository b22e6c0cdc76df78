package lab

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"os"
	"path/filepath"

	"benchlab/experiments"
	"benchlab/harness"
)

// Build runs the experiment's build with its parameters: "{name}" in the
// command's arguments replaced by the value, and the environment variables
// BENCHLAB_PARAM_<NAME> set for the build; a parameter left unset keeps the
// build script's own default. It says on out what it runs, and records the
// parameters in the folder for BuiltParams. An experiment without a build
// is left alone.
func Build(ctx context.Context, e *experiments.Experiment, values map[string]string, out io.Writer) error {
	if e.Build == nil {
		return nil
	}
	substituted := *e
	b := *e.Build
	b.Command = experiments.SubstituteParams(e.Build.Command, values)
	substituted.Build = &b
	fmt.Fprintf(out, "building %s: %v %s\n", e.Name, b.Command, experiments.FormatParams(values))
	// The record of what was built goes first: a build that fails halfway
	// leaves subjects of unknown parameters, and says so by the record's
	// absence.
	os.Remove(filepath.Join(e.Dir, BuiltParamsFile))
	if err := harness.Build(ctx, &substituted, experiments.ParamEnv(values), out); err != nil {
		return err
	}
	if len(e.ParamNames()) == 0 {
		// Nothing to record, and nothing written into the folder: an
		// ad-hoc run's folder is the user's working directory.
		return nil
	}
	data, err := json.Marshal(values)
	if err == nil {
		err = os.WriteFile(filepath.Join(e.Dir, BuiltParamsFile), data, 0o644)
	}
	if err != nil {
		return fmt.Errorf("record the build's parameters: %w", err)
	}
	return nil
}

// BuiltParamsFile, in an experiment folder, holds the parameters of the
// last build benchlab made there, so that a run without a build records
// what it times rather than assuming the defaults.
const BuiltParamsFile = ".benchlab-built-params.json"

// BuiltParams reads the parameters of the last build benchlab made in e's
// folder; false when none is recorded (built by hand, or the build failed).
func BuiltParams(e *experiments.Experiment) (map[string]string, bool) {
	data, err := os.ReadFile(filepath.Join(e.Dir, BuiltParamsFile))
	if err != nil {
		return nil, false
	}
	var values map[string]string
	if json.Unmarshal(data, &values) != nil {
		return nil, false
	}
	return values, true
}
