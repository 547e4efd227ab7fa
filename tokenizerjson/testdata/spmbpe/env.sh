# Sourced by make.sh, bench.sh, check-peers.sh and ../spmunigram/make.sh:
# sets here (the sourcing script's folder), root (the module root), shared
# (../shared, or TOK_SHARED relative to the module root), puts the peers
# on PATH, makes a temporary folder tmp (removed on exit) and builds tok
# into $tmp/tok.
here=$(cd "$(dirname "$0")" && pwd)
root=$(cd "$here/../../.." && pwd)
shared=${TOK_SHARED:-../shared}
case $shared in /*) ;; *) shared=$root/$shared ;; esac
export PATH="${TOK_PEERS:-$HOME/.cache/tok-peers}/bin:$PATH"
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
(cd "$root" && go build -o "$tmp/tok" ./cmd/tok)

# What make.sh here and ../spmunigram/make.sh share. TEXTS are the texts
# of the reference ids (spmParityTexts in ../../spmparity_test.go).
TEXTS="opticks-head edge shared-edge random spaces pieces"

# write_texts: writes $tmp/T.txt for each of TEXTS, from random.txt here
# and spaces.txt and pieces.txt in ../spmunigram as they are (each make.sh
# rewrites its own generated text first).
write_texts() {
  head -n 1500 "$(go env GOROOT)/src/testdata/Isaac.Newton-Opticks.txt" > "$tmp/opticks-head.txt"
  cp "$root/sentencepiece/testdata/edge.txt" "$tmp/edge.txt"
  cp "$shared/golden/texts/edge.txt" "$tmp/shared-edge.txt"
  cp "$root/tokenizerjson/testdata/spmbpe/random.txt" "$tmp/random.txt"
  cp "$root/tokenizerjson/testdata/spmunigram/spaces.txt" "$tmp/spaces.txt"
  cp "$root/tokenizerjson/testdata/spmunigram/pieces.txt" "$tmp/pieces.txt"
}

# diff_lines EXPECTED ACTUAL [TEXT]: the lines of ACTUAL that differ from
# EXPECTED (spaces inside arrays ignored), as JSONL.
diff_lines() {
  paste -d '\t' "$1" "$2" | awk -F '\t' -v t="${3:-}" '{
    a = $1; b = $2; gsub(/ /, "", a); gsub(/ /, "", b)
    if (a != b) {
      if (t != "") printf "{\"text\":\"%s\",", t; else printf "{"
      printf "\"line\":%d,\"ids\":%s}\n", NR, b
    } }'
}

# convert_model NAME MODEL: converts MODEL with `tok convert` into
# $tmp/NAME.json and records its sha256 in $here/NAME.tokenizer.json.sha256.
convert_model() {
  "$tmp/tok" convert "$2" "$tmp/$1.json" 2>/dev/null
  (cd "$tmp" && sha256sum "$1.json" | cut -d' ' -f1) > "$here/$1.tokenizer.json.sha256"
}

# ref_ids NAME: converts $here/NAME.model (or, for spmtrain-X,
# $root/sentencepiece/testdata/X.model) and writes, for each of TEXTS,
# HF's ids on the converted file in $here/NAME.T.hf.jsonl and the lines
# where SentencePiece's ids on the .model differ in
# $here/NAME.T.spm-vs-hf.jsonl. Needs write_texts first.
ref_ids() {
  model="$here/$1.model"
  [ -f "$model" ] || model="$root/sentencepiece/testdata/${1#spmtrain-}.model"
  convert_model "$1" "$model"
  for text in $TEXTS; do
    peer-hf-encode "$tmp/$1.json" "$tmp/$text.txt" > "$here/$1.$text.hf.jsonl"
    peer-spm-encode "$model" "$tmp/$text.txt" > "$tmp/spm.jsonl"
    diff_lines "$here/$1.$text.hf.jsonl" "$tmp/spm.jsonl" > "$here/$1.$text.spm-vs-hf.jsonl"
    echo "$1 $text: SentencePiece vs HF: $(compare-ids "$here/$1.$text.hf.jsonl" "$tmp/spm.jsonl" | head -1)"
  done
}

# golden_diffs NAME: converts $shared/vocab/NAME.model and writes the
# lines of the four golden texts where HF's ids on the converted file
# differ from $shared/golden/NAME.model/T.jsonl in
# $here/NAME.hf-vs-golden.jsonl.
golden_diffs() {
  convert_model "$1" "$shared/vocab/$1.model"
  : > "$here/$1.hf-vs-golden.jsonl"
  for text in en code multi edge; do
    peer-hf-encode "$tmp/$1.json" "$shared/golden/texts/$text.txt" > "$tmp/hf.jsonl"
    diff_lines "$shared/golden/$1.model/$text.jsonl" "$tmp/hf.jsonl" "$text" >> "$here/$1.hf-vs-golden.jsonl"
    echo "$1 $text: HF vs golden SentencePiece: $(compare-ids "$shared/golden/$1.model/$text.jsonl" "$tmp/hf.jsonl" | head -1)"
  done
}
