#!/usr/bin/env bash
# Regenerates ref/offsets/: HF tokenizers' (npm tokenizers 0.23.2) ids and offsets of every
# line of the golden texts en, multi and edge (uncased: the golden tokenizer.json; cased: the
# tokenizer.json make-reference.sh builds), post-processed pairs of lines of pairs.txt, and
# decode(encode(line)) of en and edge (WordPiece decoder, special tokens kept).
#   SHARED=/path/to/shared PEERS=$HOME/.cache/tok-peers ./make-offsets.sh
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
SHARED=${SHARED:-$here/../../../shared}
PEERS=${PEERS:-$HOME/.cache/tok-peers}
export NODE_PATH="$PEERS/node/node_modules"
tmp=$(mktemp -d); trap 'rm -rf "$tmp"' EXIT
(cd "$PEERS/node" && node make_derived.js bert "$SHARED/vocab/bert-large-cased-vocab.txt" "$tmp/cased.json" cased)
cp "$SHARED/vocab/hf-bert-base-uncased-derived.tokenizer.json" "$tmp/uncased.json"
mkdir -p "$here/ref/offsets"
for v in uncased cased; do
  for t in en multi edge; do
    node "$here/hf-offsets.js" "$tmp/$v.json" "$SHARED/golden/texts/$t.txt" | gzip -9n > "$here/ref/offsets/$v-$t.jsonl.gz"
  done
  node "$here/hf-offsets.js" "$tmp/$v.json" "$here/pairs.txt" pairs | gzip -9n > "$here/ref/offsets/$v-pairs.jsonl.gz"
  node "$here/hf-offsets.js" "$tmp/$v.json" "$SHARED/golden/texts/edge.txt" decode | gzip -9n > "$here/ref/offsets/$v-edge-decode.jsonl.gz"
  node "$here/hf-offsets.js" "$tmp/$v.json" "$SHARED/golden/texts/en.txt" decode | gzip -9n > "$here/ref/offsets/$v-en-decode.jsonl.gz"
done
