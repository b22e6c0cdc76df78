#!/usr/bin/env bash
# Installs what this experiment needs and the machine lacks (cargo and rustc;
# Debian's packaged tokio when crates.io does not answer). `make experiment`
# runs it before benchlab checks the host; the logic lives in build.sh.
# The report's instruction counts ([report] count = true) need valgrind.
if ! command -v valgrind >/dev/null; then
	if [[ $(id -u) -eq 0 ]]; then
		apt-get update -qq && apt-get install -y -qq valgrind
	else
		sudo -n apt-get update -qq && sudo -n apt-get install -y -qq valgrind
	fi
fi
exec "$(dirname "${BASH_SOURCE[0]}")/build.sh" --setup
