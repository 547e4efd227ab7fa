#!/usr/bin/env bash
# Regenerates the HF tokenizers ids of the Unigram tokenizer.json files
# that tokenizerjson.WriteUnigram made from opticks-unigram-1000.model:
#
#   (cd ../../tokenizerjson && go test -run TestWriteUnigramFiles -update-unigram)
#   ./make-hf.sh
#
# <file>.<text>.hf.jsonl = peer-hf-encode <file> <text> (npm tokenizers
# 0.23.2, the HF Rust core), texts as in make.sh (opticks-head: the first
# 1500 lines of $GOROOT/src/testdata/Isaac.Newton-Opticks.txt; edge.txt), and
# <file>.shared-edge.hf.jsonl for ../shared/golden/texts/edge.txt.
set -euo pipefail
cd "$(dirname "$0")"
export PATH="${TOK_PEERS:-$HOME/.cache/tok-peers}/bin:$PATH"
head -n 1500 "$(go env GOROOT)/src/testdata/Isaac.Newton-Opticks.txt" > opticks-head.txt
for f in opticks-unigram-1000.tokenizer.json opticks-unigram-1000.nocharsmap.tokenizer.json; do
  for text in opticks-head edge; do
    peer-hf-encode "$f" "$text.txt" > "$f.$text.hf.jsonl"
  done
done
rm -f opticks-head.txt
# The shared golden edge cases (../shared/golden/texts/edge.txt), when present.
shared=${TOK_SHARED:-../../../shared}
if [ -f "$shared/golden/texts/edge.txt" ]; then
  for f in opticks-unigram-1000.tokenizer.json opticks-unigram-1000.nocharsmap.tokenizer.json; do
    peer-hf-encode "$f" "$shared/golden/texts/edge.txt" > "$f.shared-edge.hf.jsonl"
  done
fi
