#!/usr/bin/env bash
# Side-by-side encode throughput, one core each, of tok's tokenizer.json
# path (package tokenizerjson) and HF tokenizers' Rust core (peer-hf-encode,
# npm tokenizers 0.23.2, RAYON_NUM_THREADS=1) on SentencePiece-style
# tokenizer.json files, with the byte-level GPT-2 file as a control:
#
#   albert-unigram  ../shared/vocab/albert-30k-clean.model through `tok convert`
#                   (Unigram; Precompiled + Replace + Prepend normalizer, Metaspace)
#   albert-t5style  the same rewritten as HF's converter lays out T5 files
#                   (Precompiled + Replace; WhitespaceSplit + Metaspace)
#   llama2-bpe      ../shared/vocab/llama2-tokenizer.model through `tok convert`
#                   (BPE, byte fallback; Prepend + Replace normalizer)
#   llama2-metaspace the same in HF's newer Llama layout (no normalizer;
#                   Metaspace, prepend_scheme first, split false)
#   mistral7b-hf    ../shared/vocab/hf-mistral7b-from-lenml-llama2.tokenizer.json (as shipped)
#   gpt2-bytelevel  ../shared/vocab/hf-gpt2-derived.tokenizer.json (control)
#
# Texts: en (the first 256 KB of en-tinyshakespeare.txt, whole lines),
# multi (the first 32 KB of each of es, fr, ar, fa, ko, ja, zh-hans, ru)
# and en-large (the first 8 MB of en-large.txt.zst: more distinct words
# than tok's piece cache holds), encoded one line at a time. tok's figure is the Go benchmark
# BenchmarkTokenizer_AppendEncodeSPM (same texts, cut the same way), which
# also measures package sentencepiece on the .model itself ("-spm-native"
# rows: the target). Both sides are pinned to CPU ${BENCH_CPU:-0}. Before
# timing, tok's ids (`tok encode --per-line`) are compared with HF's on the
# same text (compare-ids). Needs the peers; from the module root:
#
#   TOK_SHARED=../shared scripts/bench-tokjson.sh [BENCHTIME]
#
# BENCHTIME is go test's -benchtime (default 5x). Ratios are from one run;
# print `uptime` beside them when the machine is shared.
set -euo pipefail
cd "$(dirname "$0")/.."
: "${TOK_SHARED:=../shared}"
export TOK_SHARED
export PATH="${TOK_PEERS:-$HOME/.cache/tok-peers}/bin:$PATH"
cpu=${BENCH_CPU:-0}
benchtime=${1:-5x}
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT

go build -o "$tmp/tok" ./cmd/tok
go test -c -o "$tmp/tj.test" ./tokenizerjson
"$tmp/tok" convert "$TOK_SHARED/vocab/albert-30k-clean.model" "$tmp/albert-unigram.json" >/dev/null 2>&1
"$tmp/tok" convert "$TOK_SHARED/vocab/llama2-tokenizer.model" "$tmp/llama2-bpe.json" >/dev/null 2>&1
# albert-t5style: the same file laid out as HF's converter lays out T5-style
# files (as t5Style in tokenizerjson/bench_test.go does).
python3 - "$tmp/albert-unigram.json" "$tmp/albert-t5style.json" <<'PY'
import json, sys
f = json.load(open(sys.argv[1], encoding="utf-8"))
seq = [{"type": "Replace", "pattern": {"Regex": " {2,}"}, "content": " "}]
first = f["normalizer"]["normalizers"][0]
if first["type"] == "Precompiled":
    seq.insert(0, first)
f["normalizer"] = {"type": "Sequence", "normalizers": seq}
f["pre_tokenizer"] = {"type": "Sequence", "pretokenizers": [{"type": "WhitespaceSplit"},
    {"type": "Metaspace", "replacement": "\u2581", "prepend_scheme": "always", "split": True}]}
json.dump(f, open(sys.argv[2], "w", encoding="utf-8"), ensure_ascii=False)
PY
# llama2-metaspace: the Llama 2 file in the newer HF layout (as
# metaspaceStyle in tokenizerjson/bench_test.go does).
python3 - "$tmp/llama2-bpe.json" "$tmp/llama2-metaspace.json" <<'PY'
import json, sys
f = json.load(open(sys.argv[1], encoding="utf-8"))
f["normalizer"] = None
f["pre_tokenizer"] = {"type": "Metaspace", "replacement": "\u2581", "prepend_scheme": "first", "split": False}
json.dump(f, open(sys.argv[2], "w", encoding="utf-8"), ensure_ascii=False)
PY
cp "$TOK_SHARED/vocab/hf-mistral7b-from-lenml-llama2.tokenizer.json" "$tmp/mistral7b-hf.json"
cp "$TOK_SHARED/vocab/hf-gpt2-derived.tokenizer.json" "$tmp/gpt2-bytelevel.json"

# headlines FILE MAXBYTES: whole lines from the start until MAXBYTES are
# reached (as the benchmark's benchLines does).
headlines() {
  test -r "$1"
  # awk stops reading early: the decompressor's SIGPIPE is expected.
  (set +o pipefail
    case "$1" in
    *.zst) zstd -dc "$1" 2>/dev/null ;;
    *) cat "$1" ;;
    esac | LC_ALL=C awk -v max="$2" 'n >= max { exit } { print; n += length($0) + 1 }')
}
c="$TOK_SHARED/corpora"
headlines "$c/en-tinyshakespeare.txt" 262144 > "$tmp/en.txt"
for f in es.txt fr.txt ar.txt fa.txt ko.txt ja.txt.zst zh-hans.txt.zst ru.txt.zst; do
  headlines "$c/$f" 32768
done > "$tmp/multi.txt"
headlines "$c/en-large.txt.zst" 8388608 > "$tmp/en-large.txt"

toks="albert-unigram albert-t5style llama2-bpe llama2-metaspace mistral7b-hf gpt2-bytelevel"
texts="en multi en-large"

echo "parity on the benchmark texts (tok encode --per-line vs peer-hf-encode):"
for k in $toks; do
  for t in $texts; do
    "$tmp/tok" encode --per-line -t "$tmp/$k.json" "$tmp/$t.txt" > "$tmp/tok.jsonl"
    peer-hf-encode "$tmp/$k.json" "$tmp/$t.txt" > "$tmp/hf.jsonl"
    printf '  %-16s %-8s %s\n' "$k" "$t" "$(compare-ids "$tmp/hf.jsonl" "$tmp/tok.jsonl" | head -1 || true)"
  done
done

echo
echo "uptime: $(uptime)"
taskset -c "$cpu" "$tmp/tj.test" -test.run '^$' -test.bench 'AppendEncodeSPM' -test.cpu 1 \
  -test.benchtime "$benchtime" > "$tmp/bench.txt"
declare -A hf
for k in $toks; do
  for t in $texts; do
    hf[$k/$t]=$(PEER_TIME=1 PEER_NOOUT=1 RAYON_NUM_THREADS=1 taskset -c "$cpu" \
      peer-hf-encode "$tmp/$k.json" "$tmp/$t.txt" 2>&1 | sed -n 's/.*MBps=\([0-9.]*\).*/\1/p' | tail -1)
  done
done
echo "uptime: $(uptime)"
echo
printf '%-16s %-8s %10s %12s %10s %10s %s\n' tokenizer text tok_MBps spm_native hf_MBps tok/hf allocs/op
for k in $toks; do
  for t in $texts; do
    row=$(grep "AppendEncodeSPM/$k/$t[[:space:]]" "$tmp/bench.txt" || true)
    ours=$(awk '{ for (i = 1; i < NF; i++) if ($(i+1) == "MB/s") print $i }' <<<"$row")
    allocs=$(awk '{ for (i = 1; i < NF; i++) if ($(i+1) == "allocs/op") print $i }' <<<"$row")
    native=$(grep "AppendEncodeSPM/$k-spm-native/$t[[:space:]]" "$tmp/bench.txt" | awk '{ for (i = 1; i < NF; i++) if ($(i+1) == "MB/s") print $i }' || true)
    theirs=${hf[$k/$t]}
    ratio=$(awk -v a="$ours" -v b="$theirs" 'BEGIN { if (b > 0) printf "%.2f", a / b; else print "-" }')
    printf '%-16s %-8s %10s %12s %10s %10s %s\n' "$k" "$t" "$ours" "${native:--}" "$theirs" "$ratio" "$allocs"
  done
done
