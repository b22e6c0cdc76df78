#!/usr/bin/env bash
# Installs cargo and rustc when they are missing, as async-fn-pointers does
# (its build.sh --setup-toolchain); this crate needs no other crates, so
# nothing about tokio is probed or installed. `make experiment`
# runs it before benchlab checks the host.
command -v cargo >/dev/null && exit 0
exec "$(dirname "${BASH_SOURCE[0]}")/../async-fn-pointers/build.sh" --setup-toolchain
