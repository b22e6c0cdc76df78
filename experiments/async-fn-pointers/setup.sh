#!/usr/bin/env bash
# Installs what this experiment needs and the machine lacks (cargo and rustc;
# Debian's packaged tokio when crates.io does not answer). `make experiment`
# runs it before benchlab checks the host; the logic lives in build.sh.
exec "$(dirname "${BASH_SOURCE[0]}")/build.sh" --setup
