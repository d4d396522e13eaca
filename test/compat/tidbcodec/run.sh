#!/usr/bin/env bash
# Regenerates src/codec/tidb/testdata/tidb_vectors.json from TiDB's own codec packages.
# Needs Go and the Go module proxy (first run downloads github.com/pingcap/tidb v1.1.0-beta
# and its dependencies; see README.md in this folder for why that version).
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
out="$here/../../../src/codec/tidb/testdata/tidb_vectors.json"
cd "$here"
start=$(date +%s)
GOFLAGS=-mod=mod go build -o "$here/.tidbcodec.bin" .
echo "go build: $(( $(date +%s) - start ))s" >&2
"$here/.tidbcodec.bin" > "$out.tmp"
mv "$out.tmp" "$out"
rm -f "$here/.tidbcodec.bin"
echo "wrote $out" >&2
