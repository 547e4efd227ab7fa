#!/usr/bin/env bash
# Regenerates the reference ids of TestParityCorpora (bpe/corpus_test.go):
# cuts the corpus slices from ../shared/corpora with the test's own code
# (go test -write-slices), encodes each line with the reference tool
# (peer-tiktoken = npm tiktoken 1.0.22, encode_ordinary, one JSON array per
# line) and stores the ids gzipped here. Needs the peers on PATH
# (../shared/peers/setup.sh) and TOK_SHARED (default ../shared, relative to
# the module root).
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
root=$(cd "$here/../../.." && pwd)
export TOK_SHARED=${TOK_SHARED:-../shared}
export PATH="${TOK_PEERS:-$HOME/.cache/tok-peers}/bin:$PATH"
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
(cd "$root" && go test ./bpe/ -run '^TestParityCorpora$' -count=1 -write-slices "$tmp")
for slice in multilingual code; do
  for vocab in cl100k_base o200k_base; do
    peer-tiktoken "$vocab" "$tmp/$slice.txt" | gzip -9 -n > "$here/$slice.$vocab.jsonl.gz"
  done
  echo "$slice: $(wc -c < "$tmp/$slice.txt") bytes, $(wc -l < "$tmp/$slice.txt") lines, sha256 $(sha256sum < "$tmp/$slice.txt" | cut -c1-16)"
done
