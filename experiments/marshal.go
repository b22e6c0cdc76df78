package experiments

import (
	"bytes"
	"fmt"
	"maps"
	"reflect"
	"slices"
	"strconv"
	"strings"

	"github.com/BurntSushi/toml"
)

// Marshal renders e as an experiment.toml that Parse reads back to the same
// definition, for experiments made in memory (such as an ad-hoc run of
// commands) that are archived, or saved to be run again. It reads as a
// person would write it: the sections in the order README.md gives them,
// tables left out when empty, keys left out at their zero value, and
// nothing indented. Strategies with params are written as they are: a
// parsed experiment's as Parse expanded them, one per value; one made in
// memory with Params as a params table.
func Marshal(e *Experiment) ([]byte, error) {
	var b bytes.Buffer
	enc := toml.NewEncoder(&b)
	enc.Indent = ""
	top := struct {
		Name     string `toml:"name"`
		Title    string `toml:"title,omitempty"`
		Source   string `toml:"source,omitempty"`
		Question string `toml:"question,omitempty"`
	}{e.Name, e.Title, e.Source, e.Question}
	sections := []any{top}
	if e.Build != nil {
		sections = append(sections, struct {
			Build *Build `toml:"build"`
		}{e.Build})
	}
	if !reflect.ValueOf(e.Host).IsZero() {
		sections = append(sections, struct {
			Host Host `toml:"host"`
		}{e.Host})
	}
	sections = append(sections, struct {
		Trials Trials `toml:"trials"`
	}{e.Trials})
	if !reflect.ValueOf(e.Reference).IsZero() {
		sections = append(sections, struct {
			Reference Reference `toml:"reference"`
		}{e.Reference})
	}
	sections = append(sections, struct {
		Strategies []Strategy `toml:"strategy"`
	}{e.Strategies})
	if e.Report != nil {
		sections = append(sections, struct {
			Report *Report `toml:"report"`
		}{e.Report})
	}
	if len(e.OpenQuestions) > 0 {
		sections = append(sections, struct {
			OpenQuestions []OpenQuestion `toml:"open_question"`
		}{e.OpenQuestions})
	}
	var out []byte
	for _, s := range sections {
		b.Reset()
		if err := enc.Encode(s); err != nil {
			return nil, fmt.Errorf("experiment %s: render as TOML: %w", e.Name, err)
		}
		if len(out) > 0 {
			out = append(out, '\n')
		}
		out = append(out, bytes.TrimLeft(b.Bytes(), "\n")...)
	}
	return out, nil
}

// RunParams are a strategy's run-time parameters: each name's values,
// numbers or strings (see paramText).
type RunParams map[string][]any

// MarshalTOML writes the parameters as an inline table, as README.md
// shows them: params = { d = [1, 3], opt = ["O2"] }.
func (p RunParams) MarshalTOML() ([]byte, error) {
	var b bytes.Buffer
	b.WriteString("{ ")
	for i, name := range slices.Sorted(maps.Keys(p)) {
		if i > 0 {
			b.WriteString(", ")
		}
		b.WriteString(name + " = [")
		for j, v := range p[name] {
			if j > 0 {
				b.WriteString(", ")
			}
			switch v := v.(type) {
			case int64:
				b.WriteString(strconv.FormatInt(v, 10))
			case float64:
				f := strconv.FormatFloat(v, 'f', -1, 64)
				if !strings.Contains(f, ".") {
					f += ".0" // still a float when read back
				}
				b.WriteString(f)
			case string:
				b.WriteString(strconv.Quote(v))
			default:
				return nil, fmt.Errorf("params.%s: value %v (%T): want a number or a string", name, v, v)
			}
		}
		b.WriteString("]")
	}
	b.WriteString(" }")
	return b.Bytes(), nil
}

// MarshalTOML writes "auto" or the count, as UnmarshalTOML reads it.
func (r RunCount) MarshalTOML() ([]byte, error) {
	if r.Auto() {
		return []byte(`"auto"`), nil
	}
	return []byte(strconv.Itoa(int(r))), nil
}
