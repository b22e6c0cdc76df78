// Package visible shows control characters as escapes, for text that
// reaches a terminal or a Markdown file from an untrusted source: a
// subject's standard error, a title or CPU name from an archived run. It is
// here, below harness and reports, so that both use the one rule.
package visible

import (
	"fmt"
	"strings"
	"unicode/utf8"
)

// String returns s with every control character except newline and tab
// shown as an escape, `\x1b` for ESC, `\u009b` for a C1 control, and each
// byte that is not UTF-8 as U+FFFD. Raw, an ESC or BEL would act on the
// terminal (move the cursor, retitle the window, hide text) instead of
// being read.
func String(s string) string {
	i := strings.IndexFunc(s, func(c rune) bool { return Control(c) || c == utf8.RuneError })
	if i < 0 {
		return s
	}
	var b strings.Builder
	b.Grow(len(s) + 8)
	b.WriteString(s[:i])
	for _, c := range s[i:] {
		switch {
		case Control(c) && c < 0x80:
			fmt.Fprintf(&b, `\x%02x`, c)
		case Control(c):
			fmt.Fprintf(&b, `\u%04x`, c)
		default:
			b.WriteRune(c) // an invalid byte becomes U+FFFD
		}
	}
	return b.String()
}

// Control reports whether c is a control character other than newline
// and tab: C0, DEL or C1.
func Control(c rune) bool {
	return (c < 0x20 && c != '\n' && c != '\t') || (c >= 0x7f && c <= 0x9f)
}
