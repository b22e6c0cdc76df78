package main

import (
	"errors"
	"fmt"
	"io"
	"os"
	"syscall"

	"golang.org/x/term"
)

// style is how `benchlab run` shows itself, after hyperfine's --style:
// auto (the default) is full where standard output is a terminal that
// can draw and basic elsewhere; basic prints progress as plain lines and
// no colors; full redraws the progress line and colors the summary even
// when not on a terminal; nocolor redraws without colors; color colors
// without redrawing; none prints nothing but errors.
type style struct {
	none     bool
	progress bool
	// redraw: 0 to redraw progress only on a terminal that can, 1 to
	// redraw it always, -1 never.
	redraw int
	color  bool
}

// chooseStyle resolves --style for the writers at hand; getenv reads TERM
// and NO_COLOR (https://no-color.org).
func chooseStyle(name string, stdout, stderr io.Writer, getenv func(string) string) style {
	switch name {
	case "none":
		return style{none: true}
	case "basic":
		return style{progress: true, redraw: -1}
	case "full":
		return style{progress: true, redraw: 1, color: true}
	case "nocolor":
		return style{progress: true, redraw: 1}
	case "color":
		return style{progress: true, redraw: -1, color: true}
	}
	return style{progress: true, color: canDraw(stdout, getenv) && getenv("NO_COLOR") == ""}
}

// canDraw reports whether w is a terminal that understands escape codes.
func canDraw(w io.Writer, getenv func(string) string) bool {
	f, ok := w.(*os.File)
	return ok && redraws(term.IsTerminal(int(f.Fd())), getenv("TERM"))
}

// newStyledProgress draws progress on w, redrawn in place as redraw says.
func newStyledProgress(w io.Writer, redraw int) *progress {
	p := newProgress(w)
	switch redraw {
	case 1:
		p.terminal = true
	case -1:
		p.terminal = false
	}
	return p
}

// pipeWatch passes writes on and remembers whether one failed because the
// reader has gone (EPIPE). main has SIGPIPE delivered to a channel rather
// than kill the process (see main.go), which makes the write fail with
// EPIPE instead. With drop set it then drops every later write and reports
// none failed, so that `benchlab run … | head -1` loses only output, never
// the run; without, the command sees the error, and the dispatcher knows
// it came from standard output (run in cli.go).
type pipeWatch struct {
	w      io.Writer
	drop   bool
	broken bool
}

func (p *pipeWatch) Write(b []byte) (int, error) {
	if p.broken && p.drop {
		return len(b), nil
	}
	n, err := p.w.Write(b)
	if errors.Is(err, syscall.EPIPE) {
		p.broken = true
		if p.drop {
			return len(b), nil
		}
	}
	return n, err
}

// brokenPipe is returned when standard output was closed before the
// summary was written: the run is archived, and benchlab exits 141, the
// status a shell gives a command killed by SIGPIPE, so that a pipeline
// under `set -o pipefail` still sees that output was lost.
type brokenPipe struct{ path string }

func (e brokenPipe) Error() string {
	return fmt.Sprintf("standard output closed (broken pipe) before the summary was written; the run is archived as %s (`benchlab report` or `benchlab export` show it)", e.path)
}
