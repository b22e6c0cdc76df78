// Package exchange converts archived runs to and from other tools' formats:
// hyperfine's JSON (--export-json) both ways, hyperfine's Markdown table
// (--export-markdown), the Go benchmark format that benchstat reads, and
// CSV. It is the only place that knows those formats.
//
// Its stance: nothing is invented and nothing is dropped. An import keeps
// every value the file holds and marks what the file lacks as unknown
// (results.Trial.Unknown), never as 0; an export writes every trial the
// other tool would have written, and only figures that were measured.
// The few descriptive statistics an export format carries (hyperfine's
// mean, median, …) are computed here from exactly the trials written
// beside them, so that a reader recomputing them from the file gets the
// same numbers; the lab's own inference stays in package analysis.
package exchange

import (
	"fmt"
	"io"
	"strings"

	"benchlab/results"
)

// Formats are the export formats Write knows, in the order help lists
// them.
var Formats = []string{"hyperfine", "markdown", "csv", "benchfmt"}

// Write writes r to w in format, one of Formats: "hyperfine" (hyperfine's
// --export-json document), "markdown" (hyperfine's --export-markdown
// table), "csv" (one row per trial) or "benchfmt" (the Go benchmark
// format, for benchstat). Every command that exports (benchlab export, the
// ad-hoc run's --export-* flags) goes through it.
func Write(format string, w io.Writer, r *results.Run) error {
	switch format {
	case "hyperfine":
		return WriteHyperfine(w, r)
	case "markdown":
		return WriteMarkdown(w, r)
	case "csv":
		return WriteCSV(w, r)
	case "benchfmt":
		return WriteBenchfmt(w, r)
	}
	return fmt.Errorf("unknown export format %q: want %s", format, strings.Join(Formats, ", "))
}
