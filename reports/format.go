package reports

import (
	"fmt"
	"math"
	"strings"

	"benchlab/analysis"
	"benchlab/internal/visible"
)

// How numbers are shown is decided here, once, for the terminal and the
// Markdown alike. Nothing here prints NaN or an infinity: a missing number
// is an em dash.

const none = "—"

// timeUnit is a unit of time for display.
type timeUnit struct {
	name   string
	ns     float64
	digits int
}

var (
	unitS  = timeUnit{"s", 1e9, 3}
	unitMS = timeUnit{"ms", 1e6, 1}
	unitUS = timeUnit{"µs", 1e3, 1}
)

// unitFor chooses the unit hyperfine would for a time: seconds from one
// second up, milliseconds from one millisecond, microseconds below.
func unitFor(ns float64) timeUnit {
	switch {
	case ns >= 1e9:
		return unitS
	case ns >= 1e6:
		return unitMS
	default:
		return unitUS
	}
}

// number formats v without its unit, or an em dash when v is not finite.
func (u timeUnit) number(ns float64) string {
	if !finite(ns) {
		return none
	}
	return fmt.Sprintf("%.*f", u.digits, ns/u.ns)
}

// format formats v with its unit.
func (u timeUnit) format(ns float64) string {
	if !finite(ns) {
		return none
	}
	return u.number(ns) + " " + u.name
}

// duration formats ns in the unit hyperfine would choose for it.
func duration(ns float64) string { return unitFor(ns).format(ns) }

// ratio formats a ratio as "1.25 ± 0.02".
func ratio(r analysis.Ratio) string {
	if !finite(r.Value) {
		return none
	}
	if !finite(r.Stddev) {
		return fmt.Sprintf("%.2f", r.Value)
	}
	return fmt.Sprintf("%.2f ± %.2f", r.Value, r.Stddev)
}

// delta formats a difference of ratios as "+0.15 ± 0.04 (+13.6%)".
func delta(d analysis.Delta) string {
	if !finite(d.Value) || !finite(d.Stddev) {
		return none
	}
	s := fmt.Sprintf("%+.2f ± %.2f", d.Value, d.Stddev)
	if finite(d.Relative) {
		s += fmt.Sprintf(" (%+.1f%%)", 100*d.Relative)
	}
	return s
}

// kib formats a size given in KiB.
func kib(v int64) string { return size(v * 1024) }

// size formats a size in binary units: "812 B", "3.4 KiB", "1.9 MiB".
func size(v int64) string {
	const k = 1024
	switch {
	case v < k:
		return fmt.Sprintf("%d B", v)
	case v < k*k:
		return fmt.Sprintf("%.1f KiB", float64(v)/k)
	case v < k*k*k:
		return fmt.Sprintf("%.1f MiB", float64(v)/(k*k))
	default:
		return fmt.Sprintf("%.1f GiB", float64(v)/(k*k*k))
	}
}

func finite(v float64) bool { return !math.IsNaN(v) && !math.IsInf(v, 0) }

// oneLine joins the lines of s with spaces, its control characters shown
// as escapes (Visible).
func oneLine(s string) string {
	return Visible(strings.Join(strings.Fields(strings.ReplaceAll(s, "\r", "")), " "))
}

// Visible returns s with its control characters shown as escapes
// (visible.String): titles, descriptions, CPU names and a subject's
// standard error reach the terminal and README.md, where a raw ESC or BEL
// would act instead of being read. Everything benchlab prints or writes
// from a run goes through it.
func Visible(s string) string { return visible.String(s) }

// Strings from a run are untrusted: archives merge by copying folders and
// `benchlab import` takes other tools' files, so a run's names, machine
// fields, warnings and failure output can hold anything. Each reaches the
// Markdown through one of the functions below, so that no string from a
// run can open raw HTML, a link or an image, break out of a table cell or
// a code block, or start a heading:
//
//   - literal: literal text, every character Markdown would act on escaped;
//     for anything not meant as Markdown (names, warnings, machine fields).
//   - markdown: the inline Markdown of an experiment file's descriptions and
//     questions: code spans and emphasis kept, HTML and link syntax shown
//     as the characters they are.
//   - code, codeCell, fenced: code spans and blocks, inert by construction.

// textEscaper escapes every character with a meaning in GitHub-flavoured
// Markdown text: backslash escapes for the punctuation, entities for the
// characters that open HTML.
var textEscaper = strings.NewReplacer(
	`\`, `\\`, "`", "\\`", "*", `\*`, "_", `\_`, "~", `\~`,
	"[", `\[`, "]", `\]`, "(", `\(`, ")", `\)`, "#", `\#`, "!", `\!`, "|", `\|`,
	"<", "&lt;", ">", "&gt;", "&", "&amp;")

// literal formats untrusted s as literal Markdown text on one line: it renders
// as exactly the characters of s (whitespace runs as one space) and is safe
// in a table cell.
func literal(s string) string { return textEscaper.Replace(oneLine(s)) }

// cell is literal, for a table cell.
func cell(s string) string { return literal(s) }

// markdown formats s, inline Markdown from an experiment file, on one line.
// Code spans are kept as they are (they are inert); outside them emphasis
// and backslash escapes are kept, while '<', '>' and '&' become entities,
// '[' and ']' become entities so that no link or image can form, and '|'
// is escaped for tables. A backtick run that closes no code span is
// escaped, so that the spans found here are the renderer's.
func markdown(s string) string {
	s = oneLine(s)
	var b strings.Builder
	for i := 0; i < len(s); {
		c := s[i]
		switch {
		case c == '\\' && i+1 < len(s) && isASCIIPunct(s[i+1]):
			// A backslash escape: the character is literal either way.
			if e, ok := markdownEntity(s[i+1]); ok {
				b.WriteString(e)
			} else {
				b.WriteString(s[i : i+2])
			}
			i += 2
		case c == '\\':
			b.WriteString(`\\`)
			i++
		case c == '`':
			n := runLen(s, i, '`')
			if end := closingRun(s, i+n, n); end >= 0 {
				b.WriteString(s[i : end+n]) // the whole code span
				i = end + n
				continue
			}
			b.WriteString(strings.Repeat("\\`", n))
			i += n
		default:
			if e, ok := markdownEntity(c); ok {
				b.WriteString(e)
			} else {
				b.WriteByte(c)
			}
			i++
		}
	}
	return b.String()
}

// markdownEntity is what markdown writes for a character that could open
// HTML or a link, or end a table cell.
func markdownEntity(c byte) (string, bool) {
	switch c {
	case '<':
		return "&lt;", true
	case '>':
		return "&gt;", true
	case '&':
		return "&amp;", true
	case '[':
		return "&#91;", true
	case ']':
		return "&#93;", true
	case '|':
		return `\|`, true
	}
	return "", false
}

func isASCIIPunct(c byte) bool {
	return c >= '!' && c <= '/' || c >= ':' && c <= '@' || c >= '[' && c <= '`' || c >= '{' && c <= '~'
}

// runLen is the length of the run of c starting at s[i].
func runLen(s string, i int, c byte) int {
	n := 0
	for i+n < len(s) && s[i+n] == c {
		n++
	}
	return n
}

// closingRun returns the index from i of the next run of exactly n
// backticks, which closes a code span opened by n, or -1.
func closingRun(s string, i, n int) int {
	for i < len(s) {
		if s[i] != '`' {
			i++
			continue
		}
		m := runLen(s, i, '`')
		if m == n {
			return i
		}
		i += m
	}
	return -1
}

// codeCell is code for a table cell: pipes are escaped, which GitHub undoes
// inside a code span in a table.
func codeCell(s string) string { return strings.ReplaceAll(code(s), "|", `\|`) }

// code formats s as a Markdown code span, with a fence of backticks longer
// than any run inside it; an em dash when s is empty.
func code(s string) string {
	s = oneLine(s)
	if s == "" {
		return none
	}
	fence := strings.Repeat("`", longestRun(s, '`')+1)
	if strings.HasPrefix(s, "`") || strings.HasSuffix(s, "`") {
		s = " " + s + " "
	}
	return fence + s + fence
}

// fenced formats s as a fenced code block, its control characters shown
// as escapes.
func fenced(s string) string {
	s = Visible(strings.ReplaceAll(s, "\r\n", "\n"))
	fence := strings.Repeat("`", max(3, longestRun(s, '`')+1))
	return fence + "\n" + strings.TrimRight(s, "\n") + "\n" + fence + "\n"
}

func longestRun(s string, c byte) int {
	best, n := 0, 0
	for i := 0; i < len(s); i++ {
		if s[i] == c {
			n++
			best = max(best, n)
		} else {
			n = 0
		}
	}
	return best
}
