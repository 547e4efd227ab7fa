#!/usr/bin/env bash
# Regenerates the reference ids in ref/ with HF tokenizers (npm tokenizers
# 0.23.2, the peer-hf-encode reference of ../../../shared/peers).
#
#   SHARED=/path/to/shared PEERS=$HOME/.cache/tok-peers ./make-reference.sh
#
# For each BERT vocabulary (uncased: the golden hf-bert-base-uncased-derived
# tokenizer.json; cased: a tokenizer.json built from bert-large-cased-vocab.txt
# by the peers' make_derived.js with "cased", i.e. BertNormalizer lowercase=false,
# strip_accents=false) it encodes, one line at a time, without special tokens:
#   - the golden texts (cased only; the uncased ones are the golden files), and
#   - a bounded slice of each multilingual corpus: its first lines, whole, up to
#     100,000 bytes including their "\n" (see sliceCorpus in parity_test.go).
# Output: ref/<vocab>/<name>.jsonl.gz, one JSON array of ids per line.
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
SHARED=${SHARED:-$here/../../../shared}
PEERS=${PEERS:-$HOME/.cache/tok-peers}
export PATH="$PEERS/bin:$PATH"
tmp=$(mktemp -d); trap 'rm -rf "$tmp"' EXIT

(cd "$PEERS/node" && node make_derived.js bert "$SHARED/vocab/bert-large-cased-vocab.txt" "$tmp/cased.json" cased)
cp "$SHARED/vocab/hf-bert-base-uncased-derived.tokenizer.json" "$tmp/uncased.json"

corpora="ar de es fa fr hi it ja ko pt ru uk zh-hans zh-hant zh-classical-poetry en-tinyshakespeare"
slice() { # first whole lines up to 100000 bytes
  local f="$SHARED/corpora/$1.txt"
  if [ -f "$f" ]; then cat "$f"; else zstd -dc "$f.zst"; fi |
    LC_ALL=C awk '!stop {n += length($0) + 1; if (n > 100000) stop = 1; else print}'
}
for c in $corpora; do slice "$c" > "$tmp/corpus-$c.txt"; done

for v in cased uncased; do
  out="$here/ref/$v"; mkdir -p "$out"
  if [ $v = cased ]; then
    for t in en code multi edge; do
      peer-hf-encode "$tmp/$v.json" "$SHARED/golden/texts/$t.txt" | gzip -9n > "$out/golden-$t.jsonl.gz"
    done
  fi
  for c in $corpora; do
    peer-hf-encode "$tmp/$v.json" "$tmp/corpus-$c.txt" | gzip -9n > "$out/corpus-$c.jsonl.gz"
  done
done
ls -la "$here"/ref/*
