#!/bin/sh
# Regenerates testdata/corpus-ids/<tokenizer>/<slice>.jsonl: HF tokenizers'
# ids (peer-hf-encode, npm `tokenizers` 0.23.2) for 200-line slices from the
# middle of code and multilingual corpora in ../shared/corpora. The slices
# are cut by the Go test itself (TestCorpusSlices -write-slices), so the
# test and this script read the same lines. Needs the peers
# (../shared/peers/setup.sh). Run from the module root:
#   TOK_SHARED=../shared sh tokenizerjson/testdata/make-corpus-ids.sh
set -eu
: "${TOK_SHARED:=../shared}"
export PATH="${TOK_PEERS:-$HOME/.cache/tok-peers}/bin:$PATH"
shared=$(cd "$TOK_SHARED" && pwd)
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
TOK_SHARED="$shared" go test ./tokenizerjson -run 'TestCorpusSlices$' -count=1 -args -write-slices="$tmp"
out=tokenizerjson/testdata/corpus-ids
for tj in hf-gpt2-derived hf-gpt35turbo hf-gpt4o hf-llama3 hf-qwen3 hf-mistral7b-from-lenml-llama2 hf-claude hf-bert-base-uncased-derived; do
  mkdir -p "$out/$tj"
  for f in "$tmp"/*.txt; do
    peer-hf-encode "$shared/vocab/$tj.tokenizer.json" "$f" > "$out/$tj/$(basename "$f" .txt).jsonl"
  done
  echo "$tj done"
done
