#!/usr/bin/env bash
# bench-pipeline.sh: end-to-end `tok encode --out` throughput against the tokenizer's own encode
# throughput times the cores used, and peak resident memory at two corpus sizes.
#
#  1. For each corpus of RATIO_CORPORA, ROUNDS rounds of BenchmarkPipeline_Encode (cl100k). In a round
#     each of these sub-benchmarks runs one pass (-benchtime 1x) in a process of its own (the test binary,
#     GOMAXPROCS=WORKERS), back to back, in this order in odd rounds and the reverse order in even ones
#     (so that neither side of a ratio always runs first); QUICK=1 runs only the first and the fourth,
#     the two the target compares:
#       tokenizer-goroutines=1   the tokenizer alone: the corpus's documents, read into memory first
#                                (not timed), encoded with AppendEncode on one goroutine, reusing one ids
#                                buffer; a fresh tokenizer, one cold pass over the text.
#       tokenizer-goroutines=W   the same on WORKERS goroutines taking documents from a shared counter.
#       read-and-encode-goroutines=1   the corpus read (decompressed, parsed) and encoded on one
#                                goroutine in 512 KiB batches, no writing: what one core does for
#                                `zstdcat | tokenizer`.
#       pipeline-workers=W       pipeline.Encode + Finalize into a fresh directory: reading and
#                                decompressing the file, parsing JSON, hashing, encoding on WORKERS
#                                workers, writing uncompressed Arrow shards with fsync, the manifest.
#     Each reports MB/s of document text (wall) and MB per CPU-second (user+system CPU of the process
#     during the timed part). Per round:
#       wall ratio   = pipeline MB/s / (tokenizer-goroutines=1 MB/s x WORKERS)      the target: >= 0.9
#       wall ratio W = pipeline MB/s / tokenizer-goroutines=W MB/s   (the tokenizer alone on the same
#                      cores under the same load; on a shared machine W goroutines rarely get W cores)
#       read ratio   = pipeline MB/s / (read-and-encode-goroutines=1 MB/s x WORKERS): the pipeline's
#                      own overhead, with the cost of decompressing and parsing the input counted on
#                      both sides (for compressed input the wall ratio cannot reach 1: decompression
#                      is work the tokenizer alone does not do)
#       cpu ratio    = pipeline MB/cpu-s / tokenizer-goroutines=1 MB/cpu-s  (the pipeline's overhead:
#                      reading, decompression, hashing, writing; robust to other loads), also against
#                      tokenizer-goroutines=W MB/cpu-s (W goroutines encode less per CPU-second than one)
#       memory ratio = the wall ratio of the pipeline run again with its output in MEMORY_OUT (a tmpfs:
#                      the same work without the disk; its gap to the wall ratio is the cost of writing
#                      the shards to the disk and syncing them, at 100 MB: at 1 GB, tmpfs was slower than
#                      the disk on the development VM, its buffered writes taking 3.2-4.0 system CPU-s per
#                      GB against 0.6 for O_DIRECT, where at 100 MB both took 0.1-0.15 s)
#     The median round (by wall ratio) is printed last, then the median of each ratio on its own. A
#     corpus that ../shared holds only compressed (en-large.txt, en-large.jsonl) is its .zst
#     decompressed into a temporary file first; plain text's documents are lines (the default split);
#     NAME.parquet is NAME.jsonl written as Parquet (pipeline/testdata/arrowjs/jsonl-to-parquet.mjs: a
#     text column, snappy, 1000 rows a row group, as public corpora ship).
#  2. `tok encode --out` on RSS_CORPUS (about 100 MB of text) and on a corpus COPIES times as large (the
#     file linked COPIES times under different names), reporting peak RSS of both: it must not grow
#     with the corpus.
#
# Needs ../shared (TOK_SHARED), and for en-large.parquet Node.js with `npm ci --prefix pipeline/testdata/arrowjs`.
# Environment: RATIO_CORPORA ("en-large.jsonl.zst en-large.jsonl en-large.txt en-large.parquet"), ROUNDS (3),
# RSS_CORPUS (en-large.jsonl.zst), VOCAB (cl100k_base.tiktoken), WORKERS (nproc), COPIES (10),
# MEMORY_OUT (/dev/shm; empty for none), QUICK (0), RSS (1; 0 skips part 2).
# The machine may be shared: the load average is printed before and after each round.
set -euo pipefail
cd "$(dirname "$0")/.."
SHARED="$(cd "${TOK_SHARED:-../shared}" && pwd)"
RATIO_CORPORA="${RATIO_CORPORA:-en-large.jsonl.zst en-large.jsonl en-large.txt en-large.parquet}"
ROUNDS="${ROUNDS:-3}"
RSS_CORPUS="${RSS_CORPUS:-en-large.jsonl.zst}"
VOCAB="$SHARED/vocab/${VOCAB:-cl100k_base.tiktoken}"
WORKERS="${WORKERS:-$(nproc)}"
COPIES="${COPIES:-10}"
MEMORY_OUT="${MEMORY_OUT-/dev/shm}"
QUICK="${QUICK:-0}"
RSS="${RSS:-1}"
if [ -n "$MEMORY_OUT" ] && [ ! -w "$MEMORY_OUT" ]; then MEMORY_OUT=""; fi
WORK="$(mktemp -d)"; trap 'rm -rf "$WORK"' EXIT
go build -o "$WORK/tok" ./cmd/tok
go test -c -o "$WORK/pipeline.test" ./pipeline
load() { cut -d' ' -f1-3 /proc/loadavg; }
echo "machine: $(nproc) cores, $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | xargs), load $(load)"

for corpus in $RATIO_CORPORA; do
  path="$corpus"
  if [ ! -e "$SHARED/corpora/$corpus" ] && [ -e "$SHARED/corpora/$corpus.zst" ]; then
    zstd -dc "$SHARED/corpora/$corpus.zst" > "$WORK/$corpus"
    path="$WORK/$corpus"
  elif [ "${corpus%.parquet}" != "$corpus" ] && [ ! -e "$SHARED/corpora/$corpus" ]; then
    # NAME.parquet: NAME.jsonl(.zst) written as Parquet by hyparquet-writer (snappy, 1000 rows a row group).
    from="$SHARED/corpora/${corpus%.parquet}.jsonl"; [ -e "$from" ] || from="$from.zst"
    zstd -dcf "$from" > "$WORK/from.jsonl"
    node pipeline/testdata/arrowjs/jsonl-to-parquet.mjs "$WORK/from.jsonl" "$WORK/$corpus"
    rm "$WORK/from.jsonl"
    path="$WORK/$corpus"
  fi
  : > "$WORK/rounds.txt"
  # bench STEP: one pass of one sub-benchmark, in a process of its own, appended to bench.txt. The
  # step "memory" is the pipeline writing under MEMORY_OUT, renamed memory-pipeline-workers=W.
  bench() {
    local name=$1 out=""
    if [ "$name" = memory ]; then name="pipeline-workers=$WORKERS" out="$MEMORY_OUT"; fi
    (cd pipeline && TOK_SHARED="$SHARED" TOK_BENCH_CORPUS="$path" TOK_BENCH_OUT="$out" GOMAXPROCS="$WORKERS" \
      "$WORK/pipeline.test" -test.run '^$' -test.benchtime 1x -test.bench "BenchmarkPipeline_Encode/cl100k/$name\$") |
      if [ "$1" = memory ]; then sed 's|/pipeline-workers=|/memory-pipeline-workers=|'; else cat; fi >> "$WORK/bench.txt"
  }
  steps="tokenizer-goroutines=1 pipeline-workers=$WORKERS"
  if [ "$QUICK" != 1 ]; then
    steps="tokenizer-goroutines=1 read-and-encode-goroutines=1 pipeline-workers=$WORKERS"
    if [ "$WORKERS" -gt 1 ]; then steps="tokenizer-goroutines=$WORKERS $steps"; fi
    if [ -n "$MEMORY_OUT" ]; then steps="$steps memory"; fi
  fi
  reversed=$(echo "$steps" | tr ' ' '\n' | tac | xargs)
  for round in $(seq 1 "$ROUNDS"); do
    before=$(load)
    : > "$WORK/bench.txt"
    order="$steps"; if [ $((round % 2)) = 0 ]; then order="$reversed"; fi
    for step in $order; do bench "$step"; done
    # A benchmark's name ends in -GOMAXPROCS when that is above 1.
    metric() { awk -v pat="/$1(-[0-9]+)?\$" -v unit="$2" '$1 ~ pat {for (i=1;i<=NF;i++) if ($(i+1)==unit) print $i}' "$WORK/bench.txt" | head -1; }
    t1=$(metric "tokenizer-goroutines=1" MB/s) t1c=$(metric "tokenizer-goroutines=1" MB/cpu-s)
    tw=$(metric "tokenizer-goroutines=$WORKERS" MB/s) twc=$(metric "tokenizer-goroutines=$WORKERS" MB/cpu-s)
    r1=$(metric "read-and-encode-goroutines=1" MB/s)
    p=$(metric "pipeline-workers=$WORKERS" MB/s) pc=$(metric "pipeline-workers=$WORKERS" MB/cpu-s)
    pm=$(metric "memory-pipeline-workers=$WORKERS" MB/s)
    awk -v c="$corpus" -v r="$round" -v t1="$t1" -v t1c="$t1c" -v tw="$tw" -v twc="$twc" -v r1="$r1" -v p="$p" -v pc="$pc" -v pm="$pm" -v w="$WORKERS" \
      -v l0="$before" -v l1="$(load)" 'BEGIN {
      printf "%.4f %s round %d (load %s -> %s): tokenizer %.2f MB/s (%.2f MB/cpu-s) on 1 goroutine", p/(t1*w), c, r, l0, l1, t1, t1c
      if (tw > 0) printf ", %.2f MB/s (%.2f MB/cpu-s) on %d", tw, twc, w
      if (r1 > 0) printf "; read and encode %.2f MB/s on 1", r1
      printf "; pipeline %.2f MB/s (%.2f MB/cpu-s) with %d workers: wall ratio %.3f", p, pc, w, p/(t1*w)
      if (tw > 0) printf ", wall ratio vs %d goroutines %.3f", w, p/tw
      if (r1 > 0) printf ", read ratio %.3f", p/(r1*w)
      printf ", cpu ratio %.3f", pc/t1c
      if (tw > 0) printf " (vs %d goroutines %.3f)", w, pc/twc
      if (pm > 0) printf "; pipeline to memory %.2f MB/s: memory ratio %.3f", pm, pm/(t1*w)
      printf "\n" }' | tee -a "$WORK/rounds.txt" | cut -d' ' -f2-
  done
  echo "median: $(sort -n "$WORK/rounds.txt" | awk -v n="$ROUNDS" 'NR == int((n+1)/2)' | cut -d' ' -f2-)"
  # The median of each ratio on its own (the rounds above are ordered by wall ratio only).
  for ratio in "wall ratio" "wall ratio vs $WORKERS goroutines" "read ratio" "cpu ratio" "memory ratio"; do
    grep -q "$ratio" "$WORK/rounds.txt" || continue
    grep -oE "$ratio [0-9.]+" "$WORK/rounds.txt" | awk '{print $NF}' | sort -n |
      awk -v name="$ratio" '{a[NR]=$1} END {printf "  median %s: %.3f (%.3f-%.3f)\n", name, a[int((NR+1)/2)], a[1], a[NR]}'
  done
done

if [ "$RSS" = 0 ]; then exit 0; fi
run() { # name, inputs...
  local name=$1; shift
  /usr/bin/time -f '%e %U %S %M' -o "$WORK/$name.time" "$WORK/tok" encode -t "$VOCAB" --out "$WORK/$name" \
    --workers "$WORKERS" --progress=false "$@" > "$WORK/$name.out"
  read -r secs user sys rsskb < "$WORK/$name.time"
  bytes=$(awk '/^corpus (xxh3_128|sha256) / {for (i=1;i<=NF;i++) if ($(i+1)=="bytes,") print $i}' "$WORK/$name.out")
  awk -v n="$name" -v b="$bytes" -v s="$secs" -v u="$user" -v y="$sys" -v r="$rsskb" -v w="$WORKERS" -v l="$(load)" 'BEGIN {
    printf "%s: %d bytes of text in %.1f s (%.1f CPU-s) = %.2f MB/s, %.2f MB/cpu-s with %d workers, peak RSS %d MiB (load %s)\n",
      n, b, s, u+y, b/1e6/s, b/1e6/(u+y), w, r/1024, l }'
  rm -rf "${WORK:?}/$name"
}
run "1x-$RSS_CORPUS" "$SHARED/corpora/$RSS_CORPUS"
rss1=$rsskb
mkdir -p "$WORK/big"
for i in $(seq -w 1 "$COPIES"); do ln -s "$SHARED/corpora/$RSS_CORPUS" "$WORK/big/part-$i-$RSS_CORPUS"; done
run "${COPIES}x-$RSS_CORPUS" "$WORK/big"
echo "peak RSS: $((rss1 / 1024)) MiB at 1x, $((rsskb / 1024)) MiB at ${COPIES}x the corpus"
