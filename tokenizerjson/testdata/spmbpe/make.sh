#!/usr/bin/env bash
# Regenerates the reference ids for the SentencePiece BPE -> tokenizer.json
# conversion (tokenizerjson.WriteSentencePieceBPE, `tok convert`). Needs the
# peers (../shared/peers/setup.sh) and ../shared (TOK_SHARED, default
# ../shared beside the module root). Run from anywhere:
#
#   tokenizerjson/testdata/spmbpe/make.sh [--retrain]
#
# 1. --retrain: trains the three small tok models again with
#    `tok train-vocab --algo spm-bpe --vocab-size 1000` on
#    $GOROOT/src/testdata/Isaac.Newton-Opticks.txt.
# 2. Converts each model with `tok convert` and records the sha256 of the
#    result in <name>.tokenizer.json.sha256 (the test converts again and
#    checks the digest, so the ids below belong to the file it reads).
# 3. <name>.<text>.hf.jsonl = peer-hf-encode on the converted file, one
#    line of ids per text line; <name>.<text>.spm-vs-hf.jsonl = the lines
#    where peer-spm-encode on the .model gives other ids
#    ({"line":N,"ids":[...]}, N 1-based). Texts: opticks-head (first 1500
#    lines of the Opticks text), edge (sentencepiece/testdata/edge.txt),
#    shared-edge (../shared/golden/texts/edge.txt), random (random.txt,
#    rewritten by gen-random.go), and spaces and pieces
#    (../spmunigram/spaces.txt and ../spmunigram/pieces.txt, read as they
#    are: ../spmunigram/make.sh rewrites spaces.txt).
# 4. Llama 2: the same for ../shared/vocab/llama2-tokenizer.model on the
#    four golden texts, but only the lines where HF's ids differ from the
#    golden SentencePiece ids are stored, in
#    llama2-tokenizer.hf-vs-golden.jsonl ({"text":T,"line":N,"ids":[...]});
#    every other line is identical to ../shared/golden/llama2-tokenizer.model/T.jsonl.
set -euo pipefail
# env.sh sets here, root, shared, tmp and $tmp/tok, and defines
# write_texts, ref_ids and golden_diffs.
. "$(dirname "$0")/env.sh"
cd "$root"
opticks="$(go env GOROOT)/src/testdata/Isaac.Newton-Opticks.txt"

if [ "${1:-}" = --retrain ]; then
  "$tmp/tok" train-vocab --algo spm-bpe --vocab-size 1000 -o "$tmp/a" "$opticks"
  cp "$tmp/a/spm.model" "$here/opticks-tokbpe-1000.model"
  "$tmp/tok" train-vocab --algo spm-bpe --vocab-size 1000 --spm-byte-fallback \
    --spm-normalization identity --spm-remove-extra-whitespaces=false -o "$tmp/b" "$opticks"
  cp "$tmp/b/spm.model" "$here/opticks-tokbpe-1000-bf-identity.model"
  "$tmp/tok" train-vocab --algo spm-bpe --vocab-size 1000 --spm-byte-fallback \
    --spm-normalization identity -o "$tmp/c" "$opticks"
  cp "$tmp/c/spm.model" "$here/opticks-tokbpe-1000-bf-identity-trim.model"
fi

(cd "$here" && go run gen-random.go > random.txt)
write_texts
for name in opticks-tokbpe-1000 opticks-tokbpe-1000-bf-identity opticks-tokbpe-1000-bf-identity-trim spmtrain-opticks-bpe-1000; do
  ref_ids "$name"
done
golden_diffs llama2-tokenizer
