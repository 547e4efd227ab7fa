#!/usr/bin/env bash
# Regenerates the reference ids for the SentencePiece Unigram ->
# tokenizer.json conversion (tokenizerjson.WriteUnigram, `tok convert`,
# `tok train-vocab --algo unigram`). Needs the peers
# (../shared/peers/setup.sh) and ../shared (TOK_SHARED, default ../shared
# beside the module root). Run from anywhere:
#
#   tokenizerjson/testdata/spmunigram/make.sh [--retrain]
#
# 1. --retrain: trains the three small tok models again with
#    `tok train-vocab --algo unigram --vocab-size 1000` on
#    $GOROOT/src/testdata/Isaac.Newton-Opticks.txt.
# 2. Converts each model with `tok convert` and records the sha256 of the
#    result in <name>.tokenizer.json.sha256 (the test converts again and
#    checks the digest, so the ids below belong to the file it reads).
# 3. <name>.<text>.hf.jsonl = peer-hf-encode on the converted file, one
#    line of ids per text line; <name>.<text>.spm-vs-hf.jsonl = the lines
#    where peer-spm-encode on the .model gives other ids
#    ({"line":N,"ids":[...]}, N 1-based). Texts: opticks-head (first 1500
#    lines of the Opticks text), edge (sentencepiece/testdata/edge.txt),
#    shared-edge (../shared/golden/texts/edge.txt), random
#    (../spmbpe/random.txt), spaces (spaces.txt, rewritten by
#    gen-spaces.go) and pieces (pieces.txt: byte and control pieces'
#    names written in the text).
# 4. ALBERT (../shared/vocab/albert-30k-clean.model, a Unigram model with
#    user-defined pieces): the same on the four golden texts, but only the
#    lines where HF's ids differ from the golden SentencePiece ids are
#    stored, in albert-30k-clean.hf-vs-golden.jsonl
#    ({"text":T,"line":N,"ids":[...]}); every other line is identical to
#    ../shared/golden/albert-30k-clean.model/T.jsonl.
set -euo pipefail
# ../spmbpe/env.sh sets here (this folder), root, shared, tmp and $tmp/tok,
# and defines write_texts, ref_ids and golden_diffs.
. "$(dirname "$0")/../spmbpe/env.sh"
cd "$root"
opticks="$(go env GOROOT)/src/testdata/Isaac.Newton-Opticks.txt"

if [ "${1:-}" = --retrain ]; then
  "$tmp/tok" train-vocab --algo unigram --vocab-size 1000 -o "$tmp/a" "$opticks"
  cp "$tmp/a/spm.model" "$here/opticks-tokunigram-1000.model"
  "$tmp/tok" train-vocab --algo unigram --vocab-size 1000 --spm-byte-fallback \
    --spm-normalization identity -o "$tmp/b" "$opticks"
  cp "$tmp/b/spm.model" "$here/opticks-tokunigram-1000-bf-identity-trim.model"
  "$tmp/tok" train-vocab --algo unigram --vocab-size 1000 \
    --spm-normalization identity --spm-remove-extra-whitespaces=false -o "$tmp/c" "$opticks"
  cp "$tmp/c/spm.model" "$here/opticks-tokunigram-1000-identity.model"
fi

(cd "$here" && go run gen-spaces.go > spaces.txt)
write_texts
for name in opticks-tokunigram-1000 opticks-tokunigram-1000-bf-identity-trim opticks-tokunigram-1000-identity spmtrain-opticks-unigram-1000; do
  ref_ids "$name"
done
golden_diffs albert-30k-clean
