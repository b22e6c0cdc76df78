package experiments

import "fmt"

// OpenQuestion is a question the source left open about two strategies,
// such as "why is async-func faster than function-pointer?":
//
//	[[open_question]]
//	text = "Why is async-func faster than function-pointer: fixed tokio start-up?"
//	strategies = ["async-func", "function-pointer"]
//
// Reports answer it from the numbers (total times, a significance test,
// the sweep's fixed and per-call costs, instruction counts), never with a
// conclusion written in advance.
type OpenQuestion struct {
	Text string `toml:"text"`
	// Strategies names the two strategies compared, the first against the
	// second.
	Strategies []string `toml:"strategies"`
}

// validateQuestions checks that each open question has text and names two
// different strategies of the experiment.
func (e *Experiment) validateQuestions(path string, idx keyIndex) []error {
	var errs []error
	names := e.expandedNames()
	for i, q := range e.OpenQuestions {
		bad := func(key, format string, args ...any) {
			errs = append(errs, &Error{Path: path, Line: idx.line(key, i), Key: key, Msg: fmt.Sprintf(format, args...)})
		}
		if q.Text == "" {
			bad("open_question.text", "open question %d has no text", i+1)
		}
		if len(q.Strategies) != 2 || q.Strategies[0] == q.Strategies[1] {
			bad("open_question.strategies", "open question %d: name two different strategies to compare", i+1)
			continue
		}
		for _, s := range q.Strategies {
			if !names[s] {
				bad("open_question.strategies", "open question %d: %q names no strategy", i+1, s)
			}
		}
	}
	return errs
}
