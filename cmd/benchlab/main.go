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

func main() {
	// A closed standard output (benchlab run … | head -1) must not kill
	// benchlab before the run is archived: with SIGPIPE delivered to a
	// channel nobody reads, a write fails with EPIPE instead, which run
	// reports (exit 141). Notify rather than Ignore: an ignored signal
	// would stay ignored in the subjects, which must see the default.
	signal.Notify(make(chan os.Signal, 1), syscall.SIGPIPE)
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	code := run(ctx, os.Args[1:], os.Stdout, os.Stderr)
	stop()
	os.Exit(code)
}
