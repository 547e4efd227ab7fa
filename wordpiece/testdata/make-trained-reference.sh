#!/usr/bin/env bash
# Checks that HF tokenizers loads the tokenizer.json our trainers write and
# encodes with it as we do: trains on en-tinyshakespeare.txt with
# `tok train-vocab --algo wordpiece --vocab-size 3000` (both trainers, built
# from this repository), then encodes the golden texts with peer-hf-encode
# (npm tokenizers 0.23.2) on the written tokenizer.json. Output:
# ref/trained-<trainer>/golden-<text>.jsonl.gz; TestWriteTokenizerJSON_hfEncodes
# retrains in-process and compares every line.
#
#   SHARED=/path/to/shared PEERS=$HOME/.cache/tok-peers ./make-trained-reference.sh
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
SHARED=${SHARED:-$here/../../../shared}
PEERS=${PEERS:-$HOME/.cache/tok-peers}
export PATH="$PEERS/bin:$PATH"
tmp=$(mktemp -d); trap 'rm -rf "$tmp"' EXIT
(cd "$here/../.." && go build -o "$tmp/tok" ./cmd/tok)
for tr in hf likelihood; do
  "$tmp/tok" train-vocab --algo wordpiece --wordpiece-trainer $tr --vocab-size 3000 --out "$tmp/$tr" \
    "$SHARED/corpora/en-tinyshakespeare.txt"
  out="$here/ref/trained-$tr"; mkdir -p "$out"
  for t in en code multi edge; do
    peer-hf-encode "$tmp/$tr/tokenizer.json" "$SHARED/golden/texts/$t.txt" | gzip -9n > "$out/golden-$t.jsonl.gz"
  done
done
