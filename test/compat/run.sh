#!/usr/bin/env bash
# Runs the Go compatibility programs (official client-go / tipb / TiDB codecs) against our servers.
set -euo pipefail
cd "$(dirname "$0")"
if [ ! -f go.mod ]; then echo "compat: no Go compatibility tests yet"; exit 0; fi
export PATH="/usr/local/go/bin:$PATH"
go test -count=1 ./...
