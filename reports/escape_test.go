package reports

import (
	"fmt"
	"regexp"
	"slices"
	"strings"
	"testing"

	"benchlab/internal/visible"
	"benchlab/results"
)

// Issue 5: a run's strings are untrusted (merged archives, imports). These
// tests put hostile strings in every field of a run that reaches the
// Markdown and check, with a small scanner that follows GitHub's rules for
// code spans, fenced blocks and backslash escapes, that none of them opens
// raw HTML or a link, or changes the document's structure.

// hostile are strings that would do damage if written into Markdown as
// they are.
var hostile = []struct{ why, s string }{
	{"raw HTML with a script handler", `<img src=x onerror=alert(1)>`},
	{"a javascript link", `[x](javascript:alert(1))`},
	{"an image", `![t](https://evil.example/t.png)`},
	{"an autolink", `<https://evil.example>`},
	{"a lone backtick that could open a code span", "a ` b"},
	{"a backtick-escaped HTML tag", "\\`<script>alert(1)</script>`"},
	{"a pipe that would end a table cell", `a | b`},
	{"newlines that would start a heading and a fence", "x\n# pwned\n```\n<b>"},
	{"a carriage return and a reference definition", "x\r\n[r]: javascript:alert(1)\r\n[r]"},
	{"an entity that decodes to a tag", `&lt;b&gt; &#60;i&#62;`},
	{"a trailing backslash", `ends in \`},
}

// hostileRun is asyncRun with s in every string of the run that a report
// shows: names, descriptions, machine, toolchains, warnings, failures,
// noise, environment and import record, and the experiment's title,
// source and question (through the archived experiment file).
func hostileRun(t *testing.T, s string) *results.Run {
	run := asyncRun(t)
	toml := strings.Replace(run.ExperimentFile, `title = "Performance pitfalls of async function pointers"`, "title = "+tomlString(s), 1)
	toml = strings.Replace(toml, `source = "https://github.com/byronwasti/async-fn-pointer-perf"`, "source = "+tomlString(s), 1)
	toml = strings.Replace(toml, `question = """`, `question = """`+strings.Trim(tomlString(s), `"`)+`\n`, 1)
	run.ExperimentFile = toml
	run.Title = s
	for i := range run.Strategies {
		run.Strategies[i].Name = fmt.Sprintf("%s%d", s, i)
		run.Strategies[i].Description = s
	}
	run.Strategies[1].Failure = s
	run.Settings.Baseline = run.Strategies[0].Name
	m := &run.Machine
	m.CPUModel, m.OS, m.Arch, m.Kernel, m.Hostname = s, s, s, s, s
	run.Lab.Version, run.Lab.Commit, run.Lab.GoVersion = s, s, s
	run.Toolchains = map[string]string{s: s}
	run.Dependencies = map[string]string{s: s}
	run.Recorded = []results.RecordedFile{{Path: s}}
	run.Artifacts = []results.Artifact{{Path: s, SHA256: s}}
	run.Warnings = []string{s}
	run.Environment = results.Environment{Pinned: true, Nixpkgs: s, StorePaths: map[string]string{s: s}}
	run.Noise = &results.Noise{Governors: []string{s}, Turbo: s, IsolatedCPUs: s, PinnedBusy: []float64{0.5}, SampleMS: 200,
		Noisy: true, Reasons: []string{s}}
	run.Imported = &results.Import{Tool: s, File: s, SHA256: s, Note: s}
	run.Parameters = map[string]string{s: s}
	return run
}

// tomlString quotes s as a TOML basic string.
func tomlString(s string) string {
	r := strings.NewReplacer(`\`, `\\`, `"`, `\"`, "\n", `\n`, "\r", `\r`)
	var b strings.Builder
	for _, c := range r.Replace(s) {
		if c < 0x20 && c != '\t' || c >= 0x7f && c <= 0x9f {
			fmt.Fprintf(&b, `\u%04X`, c) // TOML allows no raw control characters
			continue
		}
		b.WriteRune(c)
	}
	return `"` + b.String() + `"`
}

// TestHostileStrings renders a report of a run whose every string is
// hostile and one whose every string is "x", and checks that the hostile
// one has no raw HTML or link outside code, and the same structure
// (headings, list items, table rows and their cells, code blocks) as the
// harmless one.
func TestHostileStrings(t *testing.T) {
	for _, h := range hostile {
		t.Run(h.why, func(t *testing.T) {
			bad := renderReport(t, hostileRun(t, h.s))
			good := renderReport(t, hostileRun(t, "x"))
			badDoc, goodDoc := scan(bad), scan(good)
			if len(badDoc.active) > 0 {
				t.Errorf("%s: Markdown outside code has active syntax %q:\n%s", h.why, badDoc.active, bad)
			}
			if len(goodDoc.active) > 0 {
				t.Errorf("harmless run: unexpected active syntax %q", goodDoc.active)
			}
			if !slices.Equal(badDoc.skeleton, goodDoc.skeleton) {
				for i := range min(len(badDoc.skeleton), len(goodDoc.skeleton)) {
					if badDoc.skeleton[i] != goodDoc.skeleton[i] {
						t.Errorf("%s: structure differs from the harmless run's at line %d: %q, want %q", h.why, i+1, badDoc.skeleton[i], goodDoc.skeleton[i])
						break
					}
				}
				t.Errorf("%s: %d structural lines, want %d", h.why, len(badDoc.skeleton), len(goodDoc.skeleton))
			}
		})
	}
}

func renderReport(t *testing.T, run *results.Run) string {
	t.Helper()
	rep, err := Build(run)
	if err != nil {
		t.Fatal(err)
	}
	if rep.Experiment == nil {
		t.Fatalf("the experiment file no longer decodes, so its strings are not tested: %q", rep.Warnings)
	}
	rep.AddHistory([]*results.Run{run, run})
	files, err := rep.Files()
	if err != nil {
		t.Fatal(err)
	}
	return string(files[0].Data)
}

// document is what scan finds in Markdown.
type document struct {
	// skeleton has one entry per line: its block kind and, for table
	// rows, the number of cells.
	skeleton []string
	// active lists raw HTML, autolinks, links and images found outside
	// code, other than the report's own (allowed below).
	active []string
}

// The report's own links: its charts, the seed experiment's source, and
// GitHub's alert markers.
var allowed = regexp.MustCompile(`^(!\[(?:\\.|[^\]\\])*\]\((ratios|distribution|sweep|history)\.png\)|\[!WARNING\]|\[!CAUTION\])$`)

// scan follows GitHub's Markdown far enough to find what renders as
// something other than text: fenced code blocks (a line of three or more
// backticks, with no backtick after them, to a line of at least as
// many), code spans (a run of
// backticks to the next run of the same length), backslash escapes,
// raw HTML ('<' then a letter, '/', '!' or '?'), and links and images ('['
// … '](' or a reference definition '[…]:'). Entities never form tags.
func scan(md string) document {
	var d document
	fence := 0
	for _, line := range strings.Split(md, "\n") {
		if fence > 0 {
			if n := runLen(line, 0, '`'); n >= fence && strings.TrimRight(line, "`") == "" {
				fence = 0
				d.skeleton = append(d.skeleton, "fence end")
			}
			continue
		}
		if n := runLen(line, 0, '`'); n >= 3 && !strings.Contains(line[n:], "`") { // an info string has no backtick
			fence = n
			d.skeleton = append(d.skeleton, "fence")
			continue
		}
		cells, active := scanInline(line)
		d.active = append(d.active, active...)
		switch {
		case line == "":
			d.skeleton = append(d.skeleton, "blank")
		case strings.HasPrefix(line, "#"):
			d.skeleton = append(d.skeleton, "heading "+strings.SplitN(line, " ", 2)[0])
		case strings.HasPrefix(line, "|"):
			d.skeleton = append(d.skeleton, fmt.Sprintf("row of %d cells", cells-1))
		case strings.HasPrefix(line, "- "), strings.HasPrefix(line, "> "), strings.HasPrefix(line, "!["):
			d.skeleton = append(d.skeleton, line[:2])
		default:
			d.skeleton = append(d.skeleton, "text")
		}
	}
	return d
}

// scanInline returns the unescaped pipes outside code spans in line and
// the active constructs outside code that allowed does not match.
func scanInline(line string) (pipes int, active []string) {
	open := -1 // index of the last unescaped '['
	for i := 0; i < len(line); i++ {
		c := line[i]
		switch {
		case c == '\\' && i+1 < len(line) && isASCIIPunct(line[i+1]):
			i++
		case c == '`':
			n := runLen(line, i, '`')
			if end := closingRun(line, i+n, n); end >= 0 {
				i = end + n - 1
			} else {
				i += n - 1
			}
		case c == '|':
			pipes++
		case c == '<' && i+1 < len(line) && (isLetter(line[i+1]) || strings.ContainsRune("/!?", rune(line[i+1]))):
			end := strings.IndexByte(line[i:], '>')
			if end < 0 {
				end = len(line) - i - 1
			}
			if tag := line[i : i+end+1]; !allowed.MatchString(tag) {
				active = append(active, tag)
			}
		case c == '[':
			open = i
		case c == ']' && open >= 0 && i+1 < len(line) && (line[i+1] == '(' || line[i+1] == ':'):
			start := open
			if start > 0 && line[start-1] == '!' {
				start--
			}
			end := strings.IndexByte(line[i:], ')')
			if end < 0 || line[i+1] == ':' {
				end = 1
			}
			if link := line[start : i+end+1]; !allowed.MatchString(link) {
				active = append(active, link)
			}
			open = -1
		case c == ']':
			open = -1 // "[text]" alone links only to a definition, caught above as "[…]:"
		}
	}
	return pipes, active
}

func isLetter(c byte) bool { return c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' }

// TestMarkdownInline checks the rules for an experiment file's inline
// Markdown one construct at a time.
func TestMarkdownInline(t *testing.T) {
	tests := []struct{ why, in, want string }{
		{"a code span is kept as it is, HTML-like text and all", "`Box<dyn Fn(i32) -> i32>` called", "`Box<dyn Fn(i32) -> i32>` called"},
		{"emphasis is kept", "**Makes 250K calls**", "**Makes 250K calls**"},
		{"a tag outside code becomes entities", "<img src=x onerror=alert(1)>", "&lt;img src=x onerror=alert(1)&gt;"},
		{"link brackets become entities", "[x](javascript:alert(1))", "&#91;x&#93;(javascript:alert(1))"},
		{"an unmatched backtick is escaped, so the tag after it is outside code", "a ` <b>", "a \\` &lt;b&gt;"},
		{"an escaped backtick opens no span", "\\`<b>`", "\\`&lt;b&gt;\\`"},
		{"an escaped '<' stays literal as an entity", `\<b>`, "&lt;b&gt;"},
		{"a pipe outside code is escaped", "a | b", `a \| b`},
		{"a trailing backslash is escaped", `a \`, `a \\`},
		{"newlines and carriage returns become one space", "a\r\nb\nc", "a b c"},
		{"an ampersand is literal", "&lt;", "&amp;lt;"},
	}
	for _, tt := range tests {
		if got := markdown(tt.in); got != tt.want {
			t.Errorf("%s: markdown(%q) = %q, want %q", tt.why, tt.in, got, tt.want)
		}
	}
}

// TestLiteral checks that literal text keeps every character inert.
func TestLiteral(t *testing.T) {
	tests := []struct{ why, in, want string }{
		{"a tag becomes entities", "<img src=x>", "&lt;img src=x&gt;"},
		{"link syntax is escaped", "[x](javascript:alert(1))", `\[x\]\(javascript:alert\(1\)\)`},
		{"emphasis and code are literal", "*a* _b_ `c`", "\\*a\\* \\_b\\_ \\`c\\`"},
		{"a heading mark and an image mark are escaped", "# !", `\# \!`},
		{"backslash and ampersand are literal", `\ &`, `\\ &amp;`},
		{"lines are joined", "a\r\n\nb", "a b"},
	}
	for _, tt := range tests {
		if got := literal(tt.in); got != tt.want {
			t.Errorf("%s: literal(%q) = %q, want %q", tt.why, tt.in, got, tt.want)
		}
	}
}

// TestSource checks that only a plain URL becomes an autolink.
func TestSource(t *testing.T) {
	tests := []struct{ why, in, want string }{
		{"a plain URL is an autolink", "https://example.org/a", "<https://example.org/a>"},
		{"a URL that would close the autolink early is text", "https://x> <img src=x>", "https://x&gt; &lt;img src=x&gt;"},
		{"a javascript URL is text", "javascript:alert(1)", `javascript:alert\(1\)`},
	}
	for _, tt := range tests {
		if got := source(tt.in); got != tt.want {
			t.Errorf("%s: source(%q) = %q, want %q", tt.why, tt.in, got, tt.want)
		}
	}
}

// TestVisible is #14 case 13: control characters never reach the terminal
// or README.md raw.
func TestVisible(t *testing.T) {
	tests := []struct{ why, in, want string }{
		{"plain text is unchanged", "tokio 1.24 – µs", "tokio 1.24 – µs"},
		{"newline and tab are kept", "a\n\tb", "a\n\tb"},
		{"ESC is shown, not sent", "\x1b[2Jcleared", `\x1b[2Jcleared`},
		{"BEL and CR are shown", "ding\a\rover", `ding\x07\x0dover`},
		{"DEL and C1 controls are shown", "a\x7fb\u009bc", `a\x7fb\u009bc`},
		{"an invalid byte becomes U+FFFD", "a\x9bb", "a\uFFFDb"},
	}
	for _, tt := range tests {
		if got := Visible(tt.in); got != tt.want {
			t.Errorf("%s: Visible(%q) = %q, want %q", tt.why, tt.in, got, tt.want)
		}
	}
	run := hostileRun(t, "esc\x1b]0;title\a bel\a c1\u009b\r\nline")
	for what, out := range map[string]string{"README.md": renderReport(t, run), "the terminal summary": Terminal(run, TerminalOptions{})} {
		if i := strings.IndexFunc(out, visible.Control); i >= 0 {
			t.Errorf("%s holds a raw control character %q at %d: %q", what, out[i], i, out[max(0, i-40):min(len(out), i+40)])
		}
		if !strings.Contains(out, `\x1b`) {
			t.Errorf("%s does not show the ESC it was given as \\x1b", what)
		}
	}
}
