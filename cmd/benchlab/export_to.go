package main

import (
	"fmt"
	"io"

	"benchlab/results"
)

// exportFormats are the formats exportTo knows.
var exportFormats = []string{"hyperfine", "csv", "benchfmt"}

// exportTo writes r to w in format, the one way every command exports a
// run, so that `benchlab export` and run's --export-* flags write the same
// bytes. (Until the exchange package lands on main: its formats are the
// ones cmdExport knows; "markdown" is not yet one.)
func exportTo(format string, w io.Writer, r *results.Run) error {
	write, ok := map[string]func(io.Writer, *results.Run) error{
		"hyperfine": writeHyperfine,
		"csv":       results.WriteCSV,
		"benchfmt":  results.WriteBenchfmt,
	}[format]
	if !ok {
		return fmt.Errorf("export format %q is not yet supported", format)
	}
	return write(w, r)
}
