#!/usr/bin/env bash
# Installs what the tests need beyond npm: the Go toolchain check and the Go modules the
# compatibility tests pin (downloaded through the Go module proxy).
set -euo pipefail
cd "$(dirname "$0")/.."
if ! command -v go >/dev/null 2>&1; then
  if [ -x /usr/local/go/bin/go ]; then export PATH="/usr/local/go/bin:$PATH"; else
    echo "install-test-deps: Go is required for test/compat; installing Debian's golang" >&2
    apt-get update -qq && apt-get install -y -qq golang-go
  fi
fi
if [ -f test/compat/go.mod ]; then
  (cd test/compat && go mod download)
fi
