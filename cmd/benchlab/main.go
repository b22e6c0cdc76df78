// Command benchlab turns a published performance claim into a rerunnable
// experiment: it checks the host, builds the subjects, times them, archives
// every trial and writes reports. See README.md.
package main

import (
	"context"
	"os"
	"os/signal"
	"syscall"
)

// stopSignals end a run: the trials done are archived as an incomplete
// run. SIGHUP (the terminal closed) is one of them: by default it would
// kill benchlab and lose the run.
var stopSignals = []os.Signal{os.Interrupt, syscall.SIGTERM, syscall.SIGHUP}

func main() {
	// A closed standard output (benchlab run … | head -1) must not kill
	// benchlab before the run is archived: with SIGPIPE delivered to a
	// channel nobody reads, a write fails with EPIPE instead, which run
	// reports (exit 141). Notify rather than Ignore: an ignored signal
	// would stay ignored in the subjects, which must see the default.
	signal.Notify(make(chan os.Signal, 1), syscall.SIGPIPE)
	ctx, cancel := context.WithCancel(context.Background())
	sigs := make(chan os.Signal, 2)
	signal.Notify(sigs, stopSignals...)
	go func() {
		<-sigs
		cancel()
		// A second signal while the first is being handled (archiving,
		// or a stuck child) means "now": exit at once. The spawner and
		// the trial's children die with benchlab (parent-death signal).
		<-sigs
		os.Stderr.WriteString("benchlab: interrupted again; exiting without archiving\n")
		os.Exit(exitInterrupted)
	}()
	code := run(ctx, os.Args[1:], os.Stdout, os.Stderr)
	signal.Stop(sigs)
	cancel()
	os.Exit(code)
}
