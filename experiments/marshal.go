package experiments

import (
	"bytes"
	"fmt"
	"strconv"

	"github.com/BurntSushi/toml"
)

// Marshal renders e as an experiment.toml that Parse reads back to the same
// definition, for experiments made in memory (such as an ad-hoc run of
// commands) that are archived, or saved to be run again. Strategies with
// run-time params are written as Parse expanded them, one per value.
func Marshal(e *Experiment) ([]byte, error) {
	var b bytes.Buffer
	if err := toml.NewEncoder(&b).Encode(e); err != nil {
		return nil, fmt.Errorf("experiment %s: render as TOML: %w", e.Name, err)
	}
	return b.Bytes(), nil
}

// MarshalTOML writes "auto" or the count, as UnmarshalTOML reads it.
func (r RunCount) MarshalTOML() ([]byte, error) {
	if r.Auto() {
		return []byte(`"auto"`), nil
	}
	return []byte(strconv.Itoa(int(r))), nil
}
