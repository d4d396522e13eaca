#!/usr/bin/env bash
# Installs what the tests need beyond npm: a Go toolchain, the Go modules the compatibility
# tests pin (github.com/tikv/client-go/v2 v2.0.7 and what it resolves to, fetched through the
# Go module proxy as recorded in test/compat/go.sum), and pre-built test binaries so the first
# `bash test/compat/run.sh` does not spend minutes compiling client-go.
set -euo pipefail
cd "$(dirname "$0")/.."
# The Debian `mysql` client for the SQL layer's command-line test.
bash scripts/install-mysql-client.sh
if ! command -v go >/dev/null 2>&1; then
  if [ -x /usr/local/go/bin/go ]; then export PATH="/usr/local/go/bin:$PATH"; else
    echo "install-test-deps: Go is required for test/compat; installing Debian's golang" >&2
    apt-get update -qq && apt-get install -y -qq golang-go
  fi
fi
if [ -f test/compat/go.mod ]; then
  cd test/compat
  # The module's go.mod asks for go >= 1.22. Go >= 1.21 fetches a newer toolchain itself
  # (GOTOOLCHAIN=auto, golang.org/toolchain from the same module proxy); older ones cannot.
  minor=$(go env GOVERSION | sed -E 's/^go1\.([0-9]+).*/\1/')
  if [ "${minor:-0}" -lt 21 ] 2>/dev/null; then
    echo "install-test-deps: $(go env GOVERSION) is too old for test/compat (need go >= 1.21; install from https://go.dev/dl)" >&2
    exit 1
  fi
  echo "install-test-deps: go mod download (test/compat)"
  go mod download
  go mod verify
  echo "install-test-deps: compiling the compat packages and test binaries (warms the build cache)"
  start=$(date +%s)
  go build ./...
  # -run '^$' compiles and links every test binary but runs no test, so no cluster is started.
  go test -count=1 -run '^$' ./... >/dev/null
  echo "install-test-deps: compat build cache warm ($(( $(date +%s) - start )) s)"
fi
if [ -f test/porcupine/go.mod ]; then
  echo "install-test-deps: go mod download + build (test/porcupine)"
  (cd test/porcupine && go mod download && go build -o /dev/null .)
fi
