#!/bin/sh
# Live check (not data, not run in CI): trains a larger SentencePiece BPE
# model with tok (vocab 8000, byte fallback, on four corpora of ../shared),
# converts it and the Llama 2 model with `tok convert`, and compares on the
# four golden texts: SentencePiece on the .model (peer-spm-encode) vs HF
# tokenizers on the tokenizer.json (peer-hf-encode), and HF vs tok on the
# tokenizer.json. Needs the peers and ../shared. From anywhere:
#   tokenizerjson/testdata/spmbpe/check-peers.sh
set -eu
. "$(dirname "$0")/env.sh"
c="$shared/corpora"
"$tmp/tok" train-vocab --algo spm-bpe --vocab-size 8000 --spm-byte-fallback -o "$tmp/big" \
  "$c/en-tinyshakespeare.txt" "$c/fr.txt" "$c/ko.txt" "$c/ar.txt" >/dev/null 2>&1
cp "$shared/vocab/llama2-tokenizer.model" "$tmp/llama2.model"
"$tmp/tok" convert "$tmp/llama2.model" "$tmp/llama2.json" 2>/dev/null
for m in big/spm llama2; do
  json="$tmp/$m.json"
  [ "$m" = big/spm ] && json="$tmp/big/tokenizer.json"
  for t in en code multi edge; do
    txt="$shared/golden/texts/$t.txt"
    peer-spm-encode "$tmp/$m.model" "$txt" > "$tmp/spm.jsonl"
    peer-hf-encode "$json" "$txt" > "$tmp/hf.jsonl"
    "$tmp/tok" encode --per-line -t "$json" "$txt" > "$tmp/tok.jsonl" 2>/dev/null
    echo "$m $t: SentencePiece vs HF: $(compare-ids "$tmp/spm.jsonl" "$tmp/hf.jsonl" | head -1); HF vs tok: $(compare-ids "$tmp/hf.jsonl" "$tmp/tok.jsonl" | head -1)"
  done
done
