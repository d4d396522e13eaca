#!/usr/bin/env bash
# Runs the Go compatibility tests (official github.com/tikv/client-go/v2 v2.0.7, BatchCommands
# on) against our own PD + store. Each test package starts its own fresh cluster by exec'ing
# `npx tsx src/bin/playground.ts` (or pd_server.ts + tikv_server.ts for the crash test) from
# the repository root, so nothing needs to be running beforehand.
#
#   bash test/compat/run.sh                 # everything
#   bash test/compat/run.sh -run TestRaw    # extra args go to `go test`
#   COMPAT_CLIENT_LOG=info ...              # show client-go's own logs
#   COMPAT_KEEP_DATA=1 ...                  # keep server data dirs and logs under $TMPDIR
#
# Exits non-zero when any test fails; the output ends with go test's usual summary.
set -euo pipefail
cd "$(dirname "$0")"
if ! command -v go >/dev/null 2>&1; then export PATH="/usr/local/go/bin:$PATH"; fi
export COMPAT_REPO_ROOT="${COMPAT_REPO_ROOT:-$(cd ../.. && pwd)}"
# One package (one cluster) at a time: the machine has 2 cores and every cluster is a
# multi-process node; running clusters side by side only adds timing noise.
# Compile everything first with full build parallelism (-p 1 below would also serialize the
# compiler; on a cold cache that alone costs minutes). -run '^$' starts no cluster.
echo "compat: compiling test binaries (repo root $COMPAT_REPO_ROOT)"
go test -count=1 -run '^$' ./... >/dev/null
echo "compat: go test -count=1 -timeout 15m -p 1 $* ./..."
exec go test -count=1 -timeout 15m -p 1 "$@" ./...
