#!/bin/sh
# Loads the tokenizer.json files that WriteBPE writes in HF tokenizers (npm
# `tokenizers` 0.23.2 through peer-hf-encode) and checks that HF encodes the
# golden texts exactly as the original files do. Not a CI test: it needs the
# peers (../shared/peers/setup.sh). Run from the module root:
#   TOK_SHARED=../shared sh tokenizerjson/testdata/check-hf-load.sh
set -eu
: "${TOK_SHARED:=../shared}"
export PATH="${TOK_PEERS:-$HOME/.cache/tok-peers}/bin:$PATH"
dir=$(mktemp -d)
trap 'rm -rf "$dir"' EXIT
TOK_SHARED="$TOK_SHARED" go test ./tokenizerjson -run TestWriteBPEParity -count=1 -args -write-hf="$dir"
status=0
for name in hf-gpt2-derived hf-gpt35turbo; do
  for text in en code multi edge; do
    peer-hf-encode "$dir/$name.written.json" "$TOK_SHARED/golden/texts/$text.txt" > "$dir/out.jsonl"
    printf '%s %s: ' "$name" "$text"
    compare-ids "$TOK_SHARED/golden/$name.tokenizer.json/$text.jsonl" "$dir/out.jsonl" || status=1
  done
done
exit $status
