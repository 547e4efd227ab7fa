#!/usr/bin/env bash
# Regenerates the SentencePiece reference files in this directory with the
# Debian sentencepiece 0.1.97 tools (spm_train, spm_encode; installed by
# ../shared/peers/setup.sh, or `apt-get install sentencepiece`).
#
#   opticks-unigram-1000.model   spm_train --model_type=unigram --vocab_size=1000, defaults otherwise
#   opticks-bpe-1000.model       spm_train --model_type=bpe --vocab_size=1000, defaults otherwise
#   *.vocab                      written by spm_train beside each model
#   <model>.<text>.jsonl         spm_encode --output_format=id of each line of <text>
#
# Training text: Isaac Newton's Opticks from the Go distribution
# ($GOROOT/src/testdata/Isaac.Newton-Opticks.txt), so CI has it too.
# Texts encoded: opticks-head.txt (its first 1500 lines, written here) and
# edge.txt (hand-made edge cases, committed).
set -euo pipefail
cd "$(dirname "$0")"
goroot=$(go env GOROOT)
src=$goroot/src/testdata/Isaac.Newton-Opticks.txt
head -n 1500 "$src" > opticks-head.txt
for algo in unigram bpe; do
  prefix=opticks-$algo-1000
  spm_train --input="$src" --model_prefix="$prefix" --model_type=$algo --vocab_size=1000 \
    --num_threads=1 --minloglevel=2 >/dev/null 2>&1
  for text in opticks-head edge; do
    # spm_encode reads lines itself; one line of ids per input line, as JSON arrays.
    spm_encode --model="$prefix.model" --output_format=id < "$text.txt" |
      awk '{printf "["; for (i = 1; i <= NF; i++) printf (i > 1 ? "," : "") $i; print "]"}' > "$prefix.$text.jsonl"
  done
done
rm -f opticks-head.txt
