#!/usr/bin/env bash
# Runs the Raft simulator for some seeds, writes each seed's key-value history to a temp dir,
# and checks them with Porcupine (pinned in go.mod); then checks that Porcupine also flags
# every known-bad history of src/raft/testdata/bad_histories.json.
# Usage: test/porcupine/run.sh [SEEDS] [FROM]   (defaults: 50 seeds from seed 1)
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
root="$(cd "$here/../.." && pwd)"
seeds="${1:-50}"
from="${2:-1}"
tmp="$(mktemp -d)"
trap 'rm -rf "$tmp"' EXIT
cd "$root"
npx tsx src/raft/sim/cli.ts --seeds "$seeds" --from "$from" --histories "$tmp/histories"
cd "$here"
go run . -dir "$tmp/histories" -expect ok
go run . -bad "$root/src/raft/testdata/bad_histories.json" -expect illegal
