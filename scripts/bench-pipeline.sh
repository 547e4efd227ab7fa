#!/usr/bin/env bash
# bench-pipeline.sh: end-to-end `tok encode --out` throughput against the tokenizer's own encode
# throughput times the cores used, and peak resident memory at two corpus sizes.
#
#  1. tokenizer alone: BenchmarkPipeline_Encode/cl100k-sotu/tokenizer-1-goroutine on the documents of
#     CORPUS held in memory (one goroutine, no I/O);
#  2. `tok encode --out` on CORPUS with WORKERS workers: wall time, MB/s of document text, peak RSS;
#     ratio = (2) / ((1) × WORKERS), target >= 0.9;
#  3. the same on a corpus ten times as large (the file listed ten times under different names:
#     1 GB of text from the 100 MB en-large), to show that peak RSS does not grow with the corpus.
#
# Needs ../shared (TOK_SHARED). Environment: CORPUS (en-large.jsonl.zst), VOCAB (cl100k_base.tiktoken),
# WORKERS (nproc), COPIES (10). The machine is shared: quote ratios from one run.
set -euo pipefail
cd "$(dirname "$0")/.."
SHARED="$(cd "${TOK_SHARED:-../shared}" && pwd)"
CORPUS="${CORPUS:-en-large.jsonl.zst}"
VOCAB="$SHARED/vocab/${VOCAB:-cl100k_base.tiktoken}"
WORKERS="${WORKERS:-$(nproc)}"
COPIES="${COPIES:-10}"
WORK="$(mktemp -d)"; trap 'rm -rf "$WORK"' EXIT
go build -o "$WORK/tok" ./cmd/tok
echo "machine: $(nproc) cores, $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | xargs), load $(cut -d' ' -f1-3 /proc/loadavg)"

tokmbps=$(TOK_SHARED="$SHARED" TOK_BENCH_CORPUS="$CORPUS" go test ./pipeline -run '^$' \
  -bench 'BenchmarkPipeline_Encode/cl100k-sotu/tokenizer-1-goroutine' -benchtime 1x | awk '/MB\/s/ {for (i=1;i<=NF;i++) if ($(i+1)=="MB/s") print $i}')
echo "tokenizer alone, 1 goroutine, documents in memory: $tokmbps MB/s"

run() { # name, inputs...
  local name=$1; shift
  /usr/bin/time -f '%e %M' -o "$WORK/$name.time" "$WORK/tok" encode -t "$VOCAB" --out "$WORK/$name" \
    --workers "$WORKERS" --progress=false "$@" > "$WORK/$name.out"
  read -r secs rsskb < "$WORK/$name.time"
  bytes=$(awk '/^corpus sha256/ {for (i=1;i<=NF;i++) if ($(i+1)=="bytes,") print $i}' "$WORK/$name.out")
  mbps=$(awk -v b="$bytes" -v s="$secs" 'BEGIN {printf "%.2f", b/1e6/s}')
  echo "$name: $bytes bytes of text in $secs s = $mbps MB/s with $WORKERS workers, peak RSS $((rsskb / 1024)) MiB"
  rm -rf "${WORK:?}/$name"
}
run one "$SHARED/corpora/$CORPUS"
one_mbps=$mbps one_rss=$rsskb
awk -v e="$one_mbps" -v t="$tokmbps" -v w="$WORKERS" 'BEGIN {printf "ratio: encode %.2f MB/s / (tokenizer %.2f MB/s x %d cores) = %.3f (target >= 0.9)\n", e, t, w, e/(t*w)}'

mkdir -p "$WORK/big"
for i in $(seq -w 1 "$COPIES"); do ln -s "$SHARED/corpora/$CORPUS" "$WORK/big/part-$i-$CORPUS"; done
run big "$WORK/big"
echo "peak RSS: $((one_rss / 1024)) MiB at 1x, $((rsskb / 1024)) MiB at ${COPIES}x the corpus"
