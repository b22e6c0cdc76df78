#!/usr/bin/env bash
# Builds each strategy of go-func-dispatch into bin/<name> with the go on
# PATH, from this folder's own module (no dependencies, nothing downloaded).
#
# It then proves the premise of closure-alloc: the compiler's escape
# analysis (-gcflags=-m) must report that bind's closure escapes to the heap,
# so that every call allocates. The report is kept in bin/escape.txt and
# archived with the run.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")"

die() { printf 'build.sh: %s\n' "$*" >&2; exit 1; }
command -v go >/dev/null || die "go not on PATH; install Go 1.26 or later"

mkdir -p bin
go build -trimpath -o bin/ ./cmd/... >&2

# -gcflags applies to the named package only; the output goes to /dev/null.
go build -trimpath -gcflags=-m -o /dev/null ./cmd/closure-alloc 2>bin/escape.txt ||
	die "escape analysis build failed: $(cat bin/escape.txt)"
grep -q 'main.go:.*func literal escapes to heap' bin/escape.txt ||
	die "closure-alloc: the closure no longer escapes (see bin/escape.txt); the strategy would not allocate per call"
printf 'build.sh: %s\n' "$(grep 'func literal escapes to heap' bin/escape.txt)" >&2
