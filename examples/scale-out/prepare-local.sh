#!/usr/bin/env bash
# Sharded preparation on one machine with N worker processes (xargs -P), then the merge.
#
#   examples/scale-out/prepare-local.sh N WORK OUT INPUT... [prepare options]
#
# e.g. prepare-local.sh 8 work/ store/ dumps/RC_2019-*.zst --max-length 128
# DIALOGPT names the command (default: dialogpt). The store in OUT is the one a single
# 'dialogpt prepare --out OUT' would write from the same inputs and options, byte for byte.
set -euo pipefail
if [ "$#" -lt 4 ]; then
  echo "usage: $0 N WORK OUT INPUT... [prepare options]" >&2
  exit 2
fi
N=$1 WORK=$2 OUT=$3
shift 3
DIALOGPT=${DIALOGPT:-dialogpt}

# Phase 1: every shard reads the inputs, keeps its threads, filters all but blandness, counts trigrams.
seq 0 $((N - 1)) | xargs -P "$N" -I{} $DIALOGPT prepare --shard "{}/$N" --work "$WORK" "$@"
# Phase 2: every shard sums all shards' counts, drops the bland sessions, writes its partial store.
seq 0 $((N - 1)) | xargs -P "$N" -I{} $DIALOGPT prepare --shard "{}/$N" --work "$WORK" --finish
# One store and one report.
$DIALOGPT merge-stores --work "$WORK" --out "$OUT"
