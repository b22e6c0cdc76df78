#!/usr/bin/env bash
# Installs cargo and rustc when they are missing, as async-fn-pointers does
# (its build.sh --setup); this crate needs no other crates. `make experiment`
# runs it before benchlab checks the host.
command -v cargo >/dev/null && exit 0
exec "$(dirname "${BASH_SOURCE[0]}")/../async-fn-pointers/build.sh" --setup
