#!/usr/bin/env bash
# Side-by-side WordPiece encode throughput: tok vs HF tokenizers (peer-hf-encode,
# npm tokenizers 0.23.2, the Rust core), same text, one core, one run.
#
#   scripts/bench-wordpiece.sh [RUNS]
#
# For each text (English: the peers' opticks20.txt, 20 MB; multilingual: the golden
# multi.txt repeated to about 20 MB) it runs, pinned to CPU $BENCH_CPU (default 0):
#   tok encode --bench --workers 1 -t bert-base-uncased-vocab.txt      (wordpiece.BERT)
#   tok encode --bench --workers 1 -t hf-bert-base-uncased-derived.tokenizer.json
#                                       (tokenizerjson pipeline with the wordpiece model)
#   peer-hf-encode hf-bert-base-uncased-derived.tokenizer.json  (RAYON_NUM_THREADS=1)
# Each encodes line by line and times its encode loop alone (no start-up, no output).
# Prints the median MB/s of RUNS (default 3) runs and tok/HF ratios.
# Env: SHARED (default ../shared), PEERS (default ~/.cache/tok-peers), TOK (a tok binary).
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
SHARED=${SHARED:-$root/../shared}
PEERS=${PEERS:-$HOME/.cache/tok-peers}
RUNS=${1:-3}
CPU=${BENCH_CPU:-0}
export PATH="$PEERS/bin:$PATH" RAYON_NUM_THREADS=1 TOKENIZERS_PARALLELISM=false
tmp=$(mktemp -d); trap 'rm -rf "$tmp"' EXIT
TOK=${TOK:-}
if [ -z "$TOK" ]; then (cd "$root" && go build -o "$tmp/tok" ./cmd/tok); TOK=$tmp/tok; fi

en=$PEERS/data/opticks20.txt
if [ ! -f "$en" ]; then
  for _ in $(seq 36); do cat "$PEERS/data/opticks.txt"; done > "$tmp/opticks20.txt"; en=$tmp/opticks20.txt
fi
for _ in $(seq 60); do cat "$SHARED/golden/texts/multi.txt"; done > "$tmp/multi20.txt"

vocab=$SHARED/vocab/bert-base-uncased-vocab.txt
tj=$SHARED/vocab/hf-bert-base-uncased-derived.tokenizer.json
median() { sort -g | awk '{a[NR]=$1} END {print a[int((NR+1)/2)]}'; }
mbps() { grep -o 'MBps=[0-9.]*' | cut -d= -f2; }

echo "machine: $(nproc) cores, load $(cut -d' ' -f1-3 /proc/loadavg) (shared machine: numbers are noisy; compare ratios)"
printf '%-6s %-34s %8s\n' text tokenizer MB/s
for name in en multi; do
  f=$en; [ $name = multi ] && f=$tmp/multi20.txt
  bytes=$(stat -c %s "$f")
  : > "$tmp/a"; : > "$tmp/b"; : > "$tmp/c"
  for _ in $(seq "$RUNS"); do
    taskset -c "$CPU" "$TOK" encode --bench --workers 1 -t "$vocab" "$f" 2>&1 | mbps >> "$tmp/a"
    taskset -c "$CPU" "$TOK" encode --bench --workers 1 -t "$tj" "$f" 2>&1 | mbps >> "$tmp/b" || echo 0 >> "$tmp/b"
    PEER_TIME=1 PEER_NOOUT=1 taskset -c "$CPU" peer-hf-encode "$tj" "$f" 2>&1 >/dev/null | mbps >> "$tmp/c"
  done
  a=$(median < "$tmp/a"); b=$(median < "$tmp/b"); c=$(median < "$tmp/c")
  printf '%-6s %-34s %8s\n' $name "tok vocab.txt (wordpiece.BERT)" "$a"
  printf '%-6s %-34s %8s\n' $name "tok tokenizer.json (tokenizerjson)" "$b"
  printf '%-6s %-34s %8s\n' $name "HF tokenizers 0.23.2 (1 thread)" "$c"
  awk -v a="$a" -v b="$b" -v c="$c" -v n=$name -v by="$bytes" 'BEGIN {
    printf "%-6s ratio tok/HF: vocab.txt %.2fx, tokenizer.json %.2fx  (%d bytes, median of runs)\n", n, a/c, (c>0?b/c:0), by }'
done
